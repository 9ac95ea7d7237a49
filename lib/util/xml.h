/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xml.h - libvirt-style XML with libxml2: a hardened parser (no DTD, no
 * entities, no network, nothing printed), small tree helpers with
 * strict attribute numbers, and a writer producing indented text.
 *
 * Nothing here changes libxml2's process-wide settings; error handlers
 * are redirected only for the calling thread and only for the duration
 * of one call.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

/* Initialise libxml2 once per process (done by every entry point here). */
void storvirt__xml_init(void);

/*
 * Parse len bytes of text (need not be NUL-terminated) as an XML
 * document.  No entity is ever expanded and nothing is ever loaded:
 * a document with a DOCTYPE (internal subset, entity declarations or
 * external DTD) is refused with -EINVAL "<what>: DTDs and entity
 * declarations are not allowed".  Other errors: -EFBIG when
 * len > max_size, -EINVAL "<what>: XML error at line L: <message>"
 * for malformed input (also namespace errors), "<what>: empty
 * document", -ENOMEM.  *ret_doc is freed with storvirt__xml_doc_free().
 */
int storvirt__xml_parse(const char *text, size_t len, size_t max_size,
                        const char *what, xmlDocPtr *ret_doc);

void storvirt__xml_doc_free(xmlDocPtr doc);
static inline void storvirt__xml_doc_freep(xmlDocPtr *doc) {
        storvirt__xml_doc_free(*doc);
}
#define _cleanup_xml_doc_ __attribute__((cleanup(storvirt__xml_doc_freep)))

/*
 * The root element of doc, checked to be named `name` (unless NULL):
 * -EINVAL "<what>: root element is 'x', expected 'name'" otherwise.
 */
int storvirt__xml_root(xmlDocPtr doc, const char *name, const char *what,
                       xmlNodePtr *ret);

/*
 * Element navigation.  Only elements without a namespace match a name;
 * a NULL name matches any element.  Text, comments and PIs are skipped.
 */
xmlNodePtr storvirt__xml_child(xmlNodePtr parent, const char *name);
xmlNodePtr storvirt__xml_next(xmlNodePtr node, const char *name);
size_t storvirt__xml_count_children(xmlNodePtr parent, const char *name);

#define STORVIRT__XML_FOREACH_CHILD(n, parent, name)                          \
        for ((n) = storvirt__xml_child((parent), (name)); (n);               \
             (n) = storvirt__xml_next((n), (name)))

/* Element name for messages ("(none)" for NULL). */
const char *storvirt__xml_name(xmlNodePtr node);

/*
 * Attribute (without namespace) `name` of element node, borrowed from
 * the tree (valid while the document lives); NULL if absent.
 */
const char *storvirt__xml_prop(xmlNodePtr node, const char *name);

/*
 * Same as a malloc'd copy: 1 and *ret when present, 0 and *ret = NULL
 * when absent, -ENOMEM.
 */
int storvirt__xml_get_prop(xmlNodePtr node, const char *name, char **ret);

/*
 * Text content of node (all descendant text), with leading and trailing
 * white space removed, as a malloc'd string.  Returns 0 or -ENOMEM.
 */
int storvirt__xml_node_text(xmlNodePtr node, char **ret);

/*
 * Trimmed text of the first child element `name` of parent: 1 and *ret
 * when that child exists, 0 and *ret = NULL when not, -ENOMEM.
 */
int storvirt__xml_child_text(xmlNodePtr parent, const char *name, char **ret);

/* Numbers may also be written as 0x-prefixed hexadecimal. */
#define STORVIRT__XML_NUM_HEX (1u << 0)

/*
 * Strict numeric attributes: decimal digits only (a leading '-' for
 * signed types; "0x..." too with STORVIRT__XML_NUM_HEX), no spaces,
 * no sign for unsigned, within the type's range.  Return 1 and set *ret
 * when present, 0 when absent and !required (ret untouched), -ENOENT
 * "element 'e': missing attribute 'a'" when required, -EINVAL
 * "element 'e' attribute 'a': expected an unsigned integer, got 'x'" or
 * "element 'e' attribute 'a': 'x' is out of range".
 */
int storvirt__xml_get_prop_uint64(xmlNodePtr node, const char *name, bool required,
                                  uint32_t flags, uint64_t *ret);
int storvirt__xml_get_prop_uint(xmlNodePtr node, const char *name, bool required,
                                uint32_t flags, unsigned *ret);
int storvirt__xml_get_prop_int(xmlNodePtr node, const char *name, bool required,
                               uint32_t flags, int *ret);

/*
 * Writer: builds a document into memory, indented by 2 spaces, without
 * an XML declaration (like libvirt's own output), ending in a newline.
 * Names must be valid XML names; attribute values and text must be
 * valid UTF-8 made of characters XML allows (else -EINVAL); libxml2
 * escapes & < > " as needed.  The first error sticks: later calls
 * return it and do nothing, so a caller may check only the finish.
 */
typedef struct storvirt__xml_writer storvirt__xml_writer;

int storvirt__xml_writer_new(storvirt__xml_writer **ret);
void storvirt__xml_writer_free(storvirt__xml_writer *w);
static inline void storvirt__xml_writer_freep(storvirt__xml_writer **w) {
        storvirt__xml_writer_free(*w);
}
#define _cleanup_xml_writer_ __attribute__((cleanup(storvirt__xml_writer_freep)))

int storvirt__xml_writer_start(storvirt__xml_writer *w, const char *name);
int storvirt__xml_writer_end(storvirt__xml_writer *w);
/* Only directly after start (before any content of the element). */
int storvirt__xml_writer_attr(storvirt__xml_writer *w, const char *name,
                              const char *value);
int storvirt__xml_writer_attr_printf(storvirt__xml_writer *w, const char *name,
                                     const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
int storvirt__xml_writer_text(storvirt__xml_writer *w, const char *text);
/* <name>text</name> on one line. */
int storvirt__xml_writer_text_element(storvirt__xml_writer *w, const char *name,
                                      const char *text);

/*
 * Take the document as a malloc'd NUL-terminated string (ret_len, may
 * be NULL, excludes the NUL).  -EINVAL if an element is still open or
 * there is no root element.  The writer must still be freed.
 */
int storvirt__xml_writer_finish(storvirt__xml_writer *w, char **ret, size_t *ret_len);
