/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xml.c - libxml2 for libvirt-style XML.  The parser is hardened: a
 * DOCTYPE stops parsing at once from a SAX callback (so no entity is
 * declared, expanded or loaded), no network access, no XML_PARSE_NOENT,
 * _DTDLOAD, _DTDATTR or _HUGE.  CDATA sections are merged into text
 * (XML_PARSE_NOCDATA) so text helpers see one kind of node.  libxml2's
 * error reports are captured for the calling thread during each call
 * and never reach stderr.  Also tree helpers and a memory writer.
 */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlwriter.h>

#include "util/fileio.h"
#include "util/macro.h"
#include "util/xml.h"

#define PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOWARNING)

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

void storvirt__xml_init(void) {
        pthread_once(&xml_once, xmlInitParser);
}

/* ---- keeping libxml2 quiet -------------------------------------------- */

struct quiet {
        xmlGenericErrorFunc generic;
        void *generic_ctx;
        xmlStructuredErrorFunc structured;
        void *structured_ctx;
};

static void silent_generic(void *ctx, const char *msg, ...) {
}

static void silent_structured(void *ctx, xmlErrorPtr e) {
}

/*
 * Route this thread's libxml2 error reports to handler (or nowhere)
 * until quiet_end(); the caller's own handlers are put back after.
 */
static void quiet_begin(struct quiet *q, xmlStructuredErrorFunc handler, void *ctx) {
        q->generic = xmlGenericError;
        q->generic_ctx = xmlGenericErrorContext;
        q->structured = xmlStructuredError;
        q->structured_ctx = xmlStructuredErrorContext;
        xmlSetGenericErrorFunc(NULL, silent_generic);
        xmlSetStructuredErrorFunc(ctx, handler ? handler : silent_structured);
}

static void quiet_end(const struct quiet *q) {
        xmlSetGenericErrorFunc(q->generic_ctx, q->generic);
        xmlSetStructuredErrorFunc(q->structured_ctx, q->structured);
}

/* ---- parsing ---------------------------------------------------------- */

struct parse_state {
        bool dtd;        /* a DOCTYPE was met; parsing was stopped */
        bool failed;     /* an error was reported (the first is kept) */
        bool nomem;
        int line;
        char msg[256];
};

static void record_error(struct parse_state *st, xmlErrorPtr e) {
        size_t n;

        if (!st || !e || e->level < XML_ERR_ERROR)
                return;
        if (e->code == XML_ERR_NO_MEMORY)
                st->nomem = true;
        if (st->failed)
                return;
        st->failed = true;
        st->line = e->line;
        snprintf(st->msg, sizeof(st->msg), "%s", e->message ? e->message : "unknown error");
        n = strlen(st->msg);
        while (n > 0 && (st->msg[n - 1] == '\n' || st->msg[n - 1] == ' '))
                st->msg[--n] = '\0';
        /* one line: some messages have the offending bytes on a second one */
        for (char *p = st->msg; (p = strchr(p, '\n')); )
                *p = ' ';
}

/* Reports of the parser: data is the parser context. */
static void on_ctxt_error(void *data, xmlErrorPtr e) {
        xmlParserCtxtPtr ctxt = data;

        record_error(ctxt ? ctxt->_private : NULL, e);
}

/* Reports raised outside the parser context (e.g. allocation failures). */
static void on_thread_error(void *data, xmlErrorPtr e) {
        record_error(data, e);
}

static void stop_dtd(void *ctx) {
        xmlParserCtxtPtr ctxt = ctx;
        struct parse_state *st = ctxt->_private;

        st->dtd = true;
        xmlStopParser(ctxt);
}

static void on_subset(void *ctx, const xmlChar *name, const xmlChar *external_id,
                      const xmlChar *system_id) {
        stop_dtd(ctx);
}

static void on_entity_decl(void *ctx, const xmlChar *name, int type,
                           const xmlChar *public_id, const xmlChar *system_id,
                           xmlChar *content) {
        stop_dtd(ctx);
}

static xmlEntityPtr on_get_entity(void *ctx, const xmlChar *name) {
        return xmlGetPredefinedEntity(name);
}

static xmlEntityPtr on_get_parameter_entity(void *ctx, const xmlChar *name) {
        return NULL;
}

static xmlParserInputPtr on_resolve_entity(void *ctx, const xmlChar *public_id,
                                           const xmlChar *system_id) {
        stop_dtd(ctx);
        return NULL;
}

static void harden(xmlParserCtxtPtr ctxt, struct parse_state *st) {
        xmlSAXHandlerPtr sax = ctxt->sax;

        ctxt->_private = st;
        sax->internalSubset = on_subset;
        sax->externalSubset = on_subset;
        sax->entityDecl = on_entity_decl;
        sax->getEntity = on_get_entity;
        sax->getParameterEntity = on_get_parameter_entity;
        sax->resolveEntity = on_resolve_entity;
        sax->serror = on_ctxt_error;
        sax->error = silent_generic;
        sax->warning = silent_generic;
        sax->fatalError = silent_generic;
}

static int parse_result(xmlParserCtxtPtr ctxt, const struct parse_state *st,
                        xmlDocPtr doc, const char *what) {
        if (st->dtd || (doc && (doc->intSubset || doc->extSubset)))
                return storvirt__error_set(-EINVAL,
                        "%s: DTDs and entity declarations are not allowed", what);
        if (st->nomem)
                return storvirt__error_oom();
        if (st->failed)
                return storvirt__error_set(-EINVAL, "%s: XML error at line %d: %s",
                                           what, st->line, st->msg);
        if (!doc || !ctxt->wellFormed)
                return storvirt__error_set(-EINVAL, "%s: XML error: malformed document", what);
        if (!xmlDocGetRootElement(doc))
                return storvirt__error_set(-EINVAL, "%s: empty document", what);
        return 0;
}

int storvirt__xml_parse(const char *text, size_t len, size_t max_size,
                        const char *what, xmlDocPtr *ret_doc) {
        struct parse_state st = {};
        xmlParserCtxtPtr ctxt;
        xmlDocPtr doc = NULL;
        struct quiet q;
        int r;

        check_arg(text || len == 0, "text", "must not be NULL when len > 0");
        check_nonnull(ret_doc);
        if (!what)
                what = "XML document";
        if (len > max_size || len > INT_MAX)
                return storvirt__error_set(-EFBIG, "%s: %zu bytes, more than the limit of %zu",
                                           what, len, max_size < INT_MAX ? max_size : INT_MAX);
        if (len == 0)
                return storvirt__error_set(-EINVAL, "%s: empty document", what);

        storvirt__xml_init();
        quiet_begin(&q, on_thread_error, &st);
        ctxt = xmlNewParserCtxt();
        if (ctxt) {
                harden(ctxt, &st);
                doc = xmlCtxtReadMemory(ctxt, text, (int) len, NULL, NULL, PARSE_OPTIONS);
                r = parse_result(ctxt, &st, doc, what);
                xmlFreeParserCtxt(ctxt);
        } else
                r = storvirt__error_oom();
        if (r < 0 && doc)
                xmlFreeDoc(doc);
        quiet_end(&q);
        if (r < 0)
                return r;
        *ret_doc = doc;
        return 0;
}

void storvirt__xml_doc_free(xmlDocPtr doc) {
        if (doc)
                xmlFreeDoc(doc);
}

/* ---- navigation ------------------------------------------------------- */

static bool element_is(xmlNodePtr n, const char *name) {
        if (!n || n->type != XML_ELEMENT_NODE)
                return false;
        return !name || (!n->ns && xmlStrEqual(n->name, (const xmlChar *) name));
}

xmlNodePtr storvirt__xml_next(xmlNodePtr node, const char *name) {
        for (node = node ? node->next : NULL; node; node = node->next)
                if (element_is(node, name))
                        return node;
        return NULL;
}

xmlNodePtr storvirt__xml_child(xmlNodePtr parent, const char *name) {
        xmlNodePtr n;

        if (!parent)
                return NULL;
        n = parent->children;
        return element_is(n, name) ? n : storvirt__xml_next(n, name);
}

size_t storvirt__xml_count_children(xmlNodePtr parent, const char *name) {
        xmlNodePtr n;
        size_t count = 0;

        STORVIRT__XML_FOREACH_CHILD(n, parent, name)
                count++;
        return count;
}

const char *storvirt__xml_name(xmlNodePtr node) {
        return node && node->name ? (const char *) node->name : "(none)";
}

int storvirt__xml_root(xmlDocPtr doc, const char *name, const char *what,
                       xmlNodePtr *ret) {
        char q[STORVIRT__ESCAPED_NAME_SIZE];
        xmlNodePtr root;

        check_nonnull(ret);
        if (!what)
                what = "XML document";
        root = doc ? xmlDocGetRootElement(doc) : NULL;
        if (!root)
                return storvirt__error_set(-EINVAL, "%s: no root element", what);
        if (name && !element_is(root, name))
                return storvirt__error_set(-EINVAL, "%s: root element is '%s', expected '%s'",
                                           what, storvirt__name_escape(storvirt__xml_name(root),
                                                                       q, sizeof(q)), name);
        *ret = root;
        return 0;
}

/* ---- attributes and text ---------------------------------------------- */

static xmlAttrPtr find_attr(xmlNodePtr node, const char *name) {
        if (!node || node->type != XML_ELEMENT_NODE || !name)
                return NULL;
        for (xmlAttrPtr a = node->properties; a; a = a->next)
                if (!a->ns && xmlStrEqual(a->name, (const xmlChar *) name))
                        return a;
        return NULL;
}

const char *storvirt__xml_prop(xmlNodePtr node, const char *name) {
        xmlAttrPtr a = find_attr(node, name);

        if (!a)
                return NULL;
        /* A parsed attribute value is one text node (no entities here). */
        if (a->children && a->children->type == XML_TEXT_NODE && a->children->content)
                return (const char *) a->children->content;
        return "";
}

int storvirt__xml_get_prop(xmlNodePtr node, const char *name, char **ret) {
        xmlAttrPtr a = find_attr(node, name);
        xmlChar *v;
        char *s;

        check_nonnull(ret);
        if (!a) {
                *ret = NULL;
                return 0;
        }
        v = a->children ? xmlNodeListGetString(node->doc, a->children, 1) : NULL;
        if (a->children && !v)
                return storvirt__error_oom();
        s = strdup(v ? (const char *) v : "");
        xmlFree(v);
        if (!s)
                return storvirt__error_oom();
        *ret = s;
        return 1;
}

static bool is_space(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int storvirt__xml_node_text(xmlNodePtr node, char **ret) {
        xmlChar *content;
        const char *s;
        size_t n;
        char *t;

        check_nonnull(node);
        check_nonnull(ret);
        content = xmlNodeGetContent(node);
        s = content ? (const char *) content : "";
        while (is_space(*s))
                s++;
        n = strlen(s);
        while (n > 0 && is_space(s[n - 1]))
                n--;
        t = strndup(s, n);
        xmlFree(content);
        if (!t)
                return storvirt__error_oom();
        *ret = t;
        return 0;
}

int storvirt__xml_child_text(xmlNodePtr parent, const char *name, char **ret) {
        xmlNodePtr child;
        int r;

        check_nonnull(ret);
        child = storvirt__xml_child(parent, name);
        if (!child) {
                *ret = NULL;
                return 0;
        }
        r = storvirt__xml_node_text(child, ret);
        return r < 0 ? r : 1;
}

/* ---- numeric attributes ----------------------------------------------- */

static int digit_value(char c, unsigned base) {
        int d;

        if (c >= '0' && c <= '9')
                d = c - '0';
        else if (c >= 'a' && c <= 'f')
                d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
                d = c - 'A' + 10;
        else
                return -1;
        return d < (int) base ? d : -1;
}

/* Unsigned magnitude: digits (or 0x + hex digits when allowed) only. */
static int parse_magnitude(const char *s, uint32_t flags, uint64_t *ret) {
        unsigned base = 10;
        bool range = false;
        uint64_t v = 0;

        if ((flags & STORVIRT__XML_NUM_HEX) && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
                base = 16;
                s += 2;
        }
        if (*s == '\0')
                return -EINVAL;
        for (; *s; s++) {
                int d = digit_value(*s, base);

                if (d < 0)
                        return -EINVAL;
                if (v > (UINT64_MAX - (uint64_t) d) / base)
                        range = true;
                else
                        v = v * base + (uint64_t) d;
        }
        if (range)
                return -ERANGE;
        *ret = v;
        return 0;
}

/*
 * The text of attribute name of node: 1 when present, 0 when absent
 * and optional, -ENOENT when required.
 */
static int number_prop(xmlNodePtr node, const char *name, bool required,
                       uint32_t flags, const char **ret) {
        check_flags(flags, STORVIRT__XML_NUM_HEX);
        *ret = storvirt__xml_prop(node, name);
        if (*ret)
                return 1;
        if (!required)
                return 0;
        return storvirt__error_set(-ENOENT, "element '%s': missing attribute '%s'",
                                   storvirt__xml_name(node), name ? name : "(null)");
}

static int number_error(xmlNodePtr node, const char *name, const char *value,
                        const char *expected, int r) {
        char q[64];

        storvirt__name_escape(value, q, sizeof(q));
        if (r == -ERANGE)
                return storvirt__error_set(-EINVAL, "element '%s' attribute '%s': '%s' is out of range",
                                           storvirt__xml_name(node), name, q);
        return storvirt__error_set(-EINVAL, "element '%s' attribute '%s': expected %s, got '%s'",
                                   storvirt__xml_name(node), name, expected, q);
}

/* Signed or unsigned value of attribute name, bounded by [-neg_max, pos_max]. */
static int get_prop_number(xmlNodePtr node, const char *name, bool required, uint32_t flags,
                           uint64_t neg_max, uint64_t pos_max, bool *ret_neg, uint64_t *ret) {
        const char *expected = neg_max ? "an integer" : "an unsigned integer";
        const char *s;
        bool neg;
        uint64_t v;
        int r;

        r = number_prop(node, name, required, flags, &s);
        if (r <= 0)
                return r;
        neg = neg_max > 0 && s[0] == '-';
        r = parse_magnitude(s + neg, flags, &v);
        if (r == 0 && v > (neg ? neg_max : pos_max))
                r = -ERANGE;
        if (r < 0)
                return number_error(node, name, s, expected, r);
        *ret_neg = neg;
        *ret = v;
        return 1;
}

int storvirt__xml_get_prop_uint64(xmlNodePtr node, const char *name, bool required,
                                  uint32_t flags, uint64_t *ret) {
        uint64_t v;
        bool neg;
        int r;

        check_nonnull(ret);
        r = get_prop_number(node, name, required, flags, 0, UINT64_MAX, &neg, &v);
        if (r > 0)
                *ret = v;
        return r;
}

int storvirt__xml_get_prop_uint(xmlNodePtr node, const char *name, bool required,
                                uint32_t flags, unsigned *ret) {
        uint64_t v;
        bool neg;
        int r;

        check_nonnull(ret);
        r = get_prop_number(node, name, required, flags, 0, UINT_MAX, &neg, &v);
        if (r > 0)
                *ret = (unsigned) v;
        return r;
}

int storvirt__xml_get_prop_int(xmlNodePtr node, const char *name, bool required,
                               uint32_t flags, int *ret) {
        uint64_t v;
        bool neg;
        int r;

        check_nonnull(ret);
        r = get_prop_number(node, name, required, flags, (uint64_t) INT_MAX + 1, INT_MAX,
                            &neg, &v);
        if (r > 0)
                *ret = neg ? (int) (-(int64_t) v) : (int) v;
        return r;
}

/* ---- writer ----------------------------------------------------------- */

struct storvirt__xml_writer {
        xmlBufferPtr buf;
        xmlTextWriterPtr tw;
        int err;          /* sticky first error */
        unsigned depth;   /* open elements */
        bool in_tag;      /* start tag still open: attributes allowed */
        bool have_root;
        bool finished;
};

/*
 * Decode one UTF-8 character of s into *cp; returns its length, or 0
 * if the bytes are not valid UTF-8 (overlong, surrogate, > U+10FFFF).
 */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp) {
        static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
        size_t n;
        uint32_t c;

        if (s[0] < 0x80)
                n = 1, c = s[0];
        else if ((s[0] & 0xe0) == 0xc0)
                n = 2, c = s[0] & 0x1f;
        else if ((s[0] & 0xf0) == 0xe0)
                n = 3, c = s[0] & 0x0f;
        else if ((s[0] & 0xf8) == 0xf0)
                n = 4, c = s[0] & 0x07;
        else
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                c = (c << 6) | (s[i] & 0x3f);
        }
        if (c < min[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
                return 0;
        *cp = c;
        return n;
}

/* Valid UTF-8 made only of characters XML 1.0 allows. */
static bool xml_chars_ok(const char *str) {
        const unsigned char *s = (const unsigned char *) str;

        while (*s) {
                uint32_t c;
                size_t n = utf8_decode(s, &c);

                if (n == 0)
                        return false;
                if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                        return false;
                if (c == 0xfffe || c == 0xffff)
                        return false;
                s += n;
        }
        return true;
}

static int writer_fail(storvirt__xml_writer *w, int err, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int writer_fail(storvirt__xml_writer *w, int err, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        w->err = storvirt__error_setv(err, fmt, ap);
        va_end(ap);
        return w->err;
}

/* Checks common to every call; ends the pending start tag's attribute phase. */
static int writer_ok(storvirt__xml_writer *w) {
        if (!w)
                return storvirt__error_set(-EINVAL, "XML writer: missing");
        if (w->err)
                return w->err;
        if (w->finished)
                return writer_fail(w, -EINVAL, "XML writer: output already taken");
        return 0;
}

/* Map a libxml2 writer return value (< 0 on failure) to our error. */
static int writer_status(storvirt__xml_writer *w, int rc) {
        if (rc >= 0)
                return 0;
        /* Our own checks ran first, so what is left is an allocation failure. */
        w->err = storvirt__error_oom();
        return w->err;
}

static int check_name(storvirt__xml_writer *w, const char *name) {
        char q[64];

        if (!name || xmlValidateName((const xmlChar *) name, 0) != 0)
                return writer_fail(w, -EINVAL, "XML writer: invalid name '%s'",
                                   storvirt__name_escape(name, q, sizeof(q)));
        return 0;
}

static int check_text(storvirt__xml_writer *w, const char *text) {
        char q[64];

        if (!text)
                return writer_fail(w, -EINVAL, "XML writer: missing text");
        if (!xml_chars_ok(text))
                return writer_fail(w, -EINVAL,
                        "XML writer: text '%s' is not valid UTF-8 or has characters XML forbids",
                        storvirt__name_escape(text, q, sizeof(q)));
        return 0;
}

int storvirt__xml_writer_new(storvirt__xml_writer **ret) {
        _cleanup_(storvirt__xml_writer_freep) storvirt__xml_writer *w = NULL;
        struct quiet q;

        check_nonnull(ret);
        storvirt__xml_init();
        w = calloc(1, sizeof(*w));
        if (!w)
                return storvirt__error_oom();
        quiet_begin(&q, NULL, NULL);
        w->buf = xmlBufferCreate();
        w->tw = w->buf ? xmlNewTextWriterMemory(w->buf, 0) : NULL;
        if (w->tw && (xmlTextWriterSetIndent(w->tw, 1) < 0 ||
                      xmlTextWriterSetIndentString(w->tw, (const xmlChar *) "  ") < 0)) {
                xmlFreeTextWriter(w->tw);
                w->tw = NULL;
        }
        quiet_end(&q);
        if (!w->tw)
                return storvirt__error_oom();
        *ret = TAKE_PTR(w);
        return 0;
}

void storvirt__xml_writer_free(storvirt__xml_writer *w) {
        struct quiet q;

        if (!w)
                return;
        quiet_begin(&q, NULL, NULL);
        if (w->tw)
                xmlFreeTextWriter(w->tw);
        if (w->buf)
                xmlBufferFree(w->buf);
        quiet_end(&q);
        free(w);
}

int storvirt__xml_writer_start(storvirt__xml_writer *w, const char *name) {
        struct quiet q;
        int r = writer_ok(w);

        if (r < 0)
                return r;
        if (w->depth == 0 && w->have_root)
                return writer_fail(w, -EINVAL, "XML writer: a second root element");
        r = check_name(w, name);
        if (r < 0)
                return r;
        quiet_begin(&q, NULL, NULL);
        r = writer_status(w, xmlTextWriterStartElement(w->tw, (const xmlChar *) name));
        quiet_end(&q);
        if (r < 0)
                return r;
        w->depth++;
        w->have_root = true;
        w->in_tag = true;
        return 0;
}

int storvirt__xml_writer_end(storvirt__xml_writer *w) {
        struct quiet q;
        int r = writer_ok(w);

        if (r < 0)
                return r;
        if (w->depth == 0)
                return writer_fail(w, -EINVAL, "XML writer: no element to end");
        quiet_begin(&q, NULL, NULL);
        r = writer_status(w, xmlTextWriterEndElement(w->tw));
        quiet_end(&q);
        if (r < 0)
                return r;
        w->depth--;
        w->in_tag = false;
        return 0;
}

int storvirt__xml_writer_attr(storvirt__xml_writer *w, const char *name, const char *value) {
        struct quiet q;
        int r = writer_ok(w);

        if (r < 0)
                return r;
        if (!w->in_tag)
                return writer_fail(w, -EINVAL, "XML writer: attribute outside a start tag");
        r = check_name(w, name);
        if (r >= 0)
                r = check_text(w, value);
        if (r < 0)
                return r;
        quiet_begin(&q, NULL, NULL);
        r = writer_status(w, xmlTextWriterWriteAttribute(w->tw, (const xmlChar *) name,
                                                         (const xmlChar *) value));
        quiet_end(&q);
        return r;
}

int storvirt__xml_writer_attr_printf(storvirt__xml_writer *w, const char *name,
                                     const char *fmt, ...) {
        _cleanup_free_ char *value = NULL;
        va_list ap;
        int r = writer_ok(w), n;

        if (r < 0)
                return r;
        va_start(ap, fmt);
        n = vasprintf(&value, fmt, ap);
        va_end(ap);
        if (n < 0) {
                value = NULL;
                w->err = storvirt__error_oom();
                return w->err;
        }
        return storvirt__xml_writer_attr(w, name, value);
}

int storvirt__xml_writer_text(storvirt__xml_writer *w, const char *text) {
        struct quiet q;
        int r = writer_ok(w);

        if (r < 0)
                return r;
        if (w->depth == 0)
                return writer_fail(w, -EINVAL, "XML writer: text outside the root element");
        r = check_text(w, text);
        if (r < 0)
                return r;
        quiet_begin(&q, NULL, NULL);
        r = writer_status(w, xmlTextWriterWriteString(w->tw, (const xmlChar *) text));
        quiet_end(&q);
        if (r < 0)
                return r;
        w->in_tag = false;
        return 0;
}

int storvirt__xml_writer_text_element(storvirt__xml_writer *w, const char *name,
                                      const char *text) {
        int r;

        r = storvirt__xml_writer_start(w, name);
        if (r < 0)
                return r;
        r = storvirt__xml_writer_text(w, text);
        if (r < 0)
                return r;
        return storvirt__xml_writer_end(w);
}

int storvirt__xml_writer_finish(storvirt__xml_writer *w, char **ret, size_t *ret_len) {
        struct quiet q;
        const char *content;
        size_t len;
        char *s;
        int r = writer_ok(w);

        check_nonnull(ret);
        if (r < 0)
                return r;
        if (w->depth > 0)
                return writer_fail(w, -EINVAL, "XML writer: an element is still open");
        if (!w->have_root)
                return writer_fail(w, -EINVAL, "XML writer: no root element");
        quiet_begin(&q, NULL, NULL);
        r = writer_status(w, xmlTextWriterFlush(w->tw));
        quiet_end(&q);
        if (r < 0)
                return r;
        content = (const char *) xmlBufferContent(w->buf);
        len = content ? strlen(content) : 0;
        s = malloc(len + 2);
        if (!s)
                return storvirt__error_oom();
        memcpy(s, content ? content : "", len);
        if (len == 0 || s[len - 1] != '\n')
                s[len++] = '\n';
        s[len] = '\0';
        w->finished = true;
        if (ret_len)
                *ret_len = len;
        *ret = s;
        return 0;
}
