/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * conf_xml.c - the small XML helpers the pool, volume and secret
 * definitions share: allowed children, leaf text, sizes with units,
 * <permissions>, yes/no attributes (conf/conf_xml.h).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "conf/conf_xml.h"
#include "conf/pool_conf.h"
#include "util/fileio.h"
#include "util/macro.h"
#include "util/units.h"
#include "util/xml.h"

/* An escaped copy of s for a message, valid until the end of the statement's block. */
#define ESC(s) storvirt__name_escape((s), (char[STORVIRT__ESCAPED_NAME_SIZE]){ 0 }, \
                                     STORVIRT__ESCAPED_NAME_SIZE)
#define NODE_NAME(n) ESC(storvirt__xml_name(n))

int storvirt__conf_lookup(const char *const *list, const char *s) {
        if (!list || !s)
                return -1;
        for (int i = 0; list[i]; i++)
                if (strcmp(list[i], s) == 0)
                        return i;
        return -1;
}

int storvirt__conf_strdup(const char *s, char **ret) {
        char *t = NULL;

        if (s && !(t = strdup(s)))
                return storvirt__error_oom();
        *ret = t;
        return 0;
}

bool storvirt__conf_streq(const char *a, const char *b) {
        if (!a || !b)
                return a == b;
        return strcmp(a, b) == 0;
}

/* "prefix:name" of a namespaced element for messages. */
const char *storvirt__conf_label(xmlNodePtr n, char *buf, size_t size) {
        char tmp[STORVIRT__ESCAPED_NAME_SIZE];

        storvirt__name_escape(storvirt__xml_name(n), tmp, sizeof(tmp));
        if (n->ns && n->ns->prefix)
                snprintf(buf, size, "%s:%s", ESC((const char *) n->ns->prefix), tmp);
        else
                snprintf(buf, size, "%s", tmp);
        return buf;
}

int storvirt__conf_check_children(xmlNodePtr node, const char *what, const char *where,
                                  const struct storvirt__conf_child *rules, size_t n_rules,
                                  const char *ns_href) {
        unsigned counts[32] = { 0 };
        char label[2 * STORVIRT__ESCAPED_NAME_SIZE];

        if (n_rules > ELEMENTSOF(counts))
                return storvirt__error_set(-EINVAL, "%s: %s: too many rules", what, where);
        for (xmlNodePtr c = node->children; c; c = c->next) {
                size_t i;

                if (c->type != XML_ELEMENT_NODE)
                        continue;
                if (c->ns) {
                        if (ns_href && c->ns->href &&
                            xmlStrEqual(c->ns->href, (const xmlChar *) ns_href))
                                continue;
                        return storvirt__error_set(-EINVAL, "%s: %s: unexpected element <%s>",
                                                   what, where,
                                                   storvirt__conf_label(c, label, sizeof(label)));
                }
                for (i = 0; i < n_rules; i++)
                        if (xmlStrEqual(c->name, (const xmlChar *) rules[i].name))
                                break;
                if (i == n_rules)
                        return storvirt__error_set(-EINVAL, "%s: %s: unexpected element <%s>",
                                                   what, where, NODE_NAME(c));
                if (++counts[i] > rules[i].max && rules[i].max > 0)
                        return storvirt__error_set(-EINVAL,
                                "%s: %s: element <%s> appears more than once",
                                what, where, rules[i].name);
        }
        return 0;
}

int storvirt__conf_leaf_text(xmlNodePtr node, const char *what, const char *where, char **ret) {
        char *t = NULL;
        int r;

        r = storvirt__conf_check_children(node, what, where, NULL, 0, NULL);
        if (r < 0)
                return r;
        r = storvirt__xml_node_text(node, &t);
        if (r < 0)
                return r;
        if (t[0] == '\0') {
                free(t);
                t = NULL;
        }
        *ret = t;
        return 0;
}

static bool all_digits(const char *s, const char *digits) {
        if (!s || !*s)
                return false;
        return strspn(s, digits) == strlen(s);
}

int storvirt__conf_parse_size(xmlNodePtr node, const char *what, const char *where,
                              uint64_t limit, uint64_t *ret) {
        _cleanup_free_ char *text = NULL;
        const char *unit = storvirt__xml_prop(node, "unit");
        uint64_t v;
        int r;

        r = storvirt__conf_leaf_text(node, what, where, &text);
        if (r < 0)
                return r;
        if (!text)
                return storvirt__error_set(-EINVAL, "%s: %s: missing value", what, where);
        if (!all_digits(text, "0123456789"))
                return storvirt__error_set(-EINVAL,
                        "%s: %s: '%s' is not a base-10 unsigned integer", what, where, ESC(text));
        r = storvirt__units_parse(text, unit ? unit : "", limit, &v);
        if (r < 0)
                return storvirt__error_prefix("%s: %s", what, where);
        *ret = v;
        return 0;
}

/* Octal mode: digits 0-7 only, at most 0777. */
static int parse_mode(const char *s, const char *what, const char *where, int64_t *ret) {
        int64_t v = 0;

        if (!all_digits(s, "01234567"))
                return storvirt__error_set(-EINVAL, "%s: %s<mode>: '%s' is not an octal number",
                                           what, where, ESC(s));
        for (const char *p = s; *p; p++) {
                v = v * 8 + (*p - '0');
                if (v > 0777)
                        return storvirt__error_set(-EINVAL,
                                "%s: %s<mode>: '%s' is outside 0..0777", what, where, ESC(s));
        }
        *ret = v;
        return 0;
}

/* A uid or gid: 0..4294967294, or -1 (also written as 4294967295). */
static int parse_id(const char *s, const char *elem, const char *what, const char *where,
                    int64_t *ret) {
        uint64_t v = 0;

        if (strcmp(s, "-1") == 0) {
                *ret = -1;
                return 0;
        }
        if (!all_digits(s, "0123456789") || strlen(s) > 10)
                goto bad;
        for (const char *p = s; *p; p++)
                v = v * 10 + (uint64_t)(*p - '0');
        if (v > UINT32_MAX)
                goto bad;
        *ret = v == UINT32_MAX ? -1 : (int64_t) v;
        return 0;
bad:
        return storvirt__error_set(-EINVAL,
                "%s: %s<%s>: '%s' is not an id (0..4294967294 or -1)", what, where, elem, ESC(s));
}

static int perms_child(xmlNodePtr node, const char *name, const char *what,
                       const char *where, char **ret) {
        xmlNodePtr c = storvirt__xml_child(node, name);
        char w[128];

        *ret = NULL;
        if (!c)
                return 0;
        snprintf(w, sizeof(w), "%s<%s>", where, name);
        return storvirt__conf_leaf_text(c, what, w, ret);
}

int storvirt__conf_parse_perms(xmlNodePtr node, const char *what, const char *where,
                               int64_t *mode, int64_t *owner, int64_t *group, char **label) {
        static const struct storvirt__conf_child rules[] = {
                { "mode", 1 }, { "owner", 1 }, { "group", 1 }, { "label", 1 },
        };
        _cleanup_free_ char *m = NULL, *o = NULL, *g = NULL, *l = NULL;
        int r;

        r = storvirt__conf_check_children(node, what, where, rules, ELEMENTSOF(rules), NULL);
        if (r >= 0)
                r = perms_child(node, "mode", what, where, &m);
        if (r >= 0)
                r = perms_child(node, "owner", what, where, &o);
        if (r >= 0)
                r = perms_child(node, "group", what, where, &g);
        if (r >= 0)
                r = perms_child(node, "label", what, where, &l);
        if (r < 0)
                return r;
        *mode = *owner = *group = -1;
        if (m && (r = parse_mode(m, what, where, mode)) < 0)
                return r;
        if (o && (r = parse_id(o, "owner", what, where, owner)) < 0)
                return r;
        if (g && (r = parse_id(g, "group", what, where, group)) < 0)
                return r;
        free(*label);
        *label = TAKE_PTR(l);
        return 0;
}

int storvirt__conf_check_perms(const char *what, const char *where,
                               int64_t mode, int64_t owner, int64_t group) {
        if (mode != -1 && (mode < 0 || mode > 0777))
                return storvirt__error_set(-EINVAL, "%s: %s<mode>: %lld is outside 0..0777",
                                           what, where, (long long) mode);
        if (owner < -1 || owner >= (int64_t) UINT32_MAX)
                return storvirt__error_set(-EINVAL, "%s: %s<owner>: %lld is not an id",
                                           what, where, (long long) owner);
        if (group < -1 || group >= (int64_t) UINT32_MAX)
                return storvirt__error_set(-EINVAL, "%s: %s<group>: %lld is not an id",
                                           what, where, (long long) group);
        return 0;
}

static void write_u64_text(storvirt__xml_writer *w, unsigned long long v) {
        char buf[32];

        snprintf(buf, sizeof(buf), "%llu", v);
        storvirt__xml_writer_text(w, buf);
}

static void write_u64_element(storvirt__xml_writer *w, const char *name, unsigned long long v) {
        storvirt__xml_writer_start(w, name);
        write_u64_text(w, v);
        storvirt__xml_writer_end(w);
}

int storvirt__conf_write_perms(storvirt__xml_writer *w, int64_t mode, int64_t owner,
                               int64_t group, const char *label) {
        if (mode == -1 && owner == -1 && group == -1 && !label)
                return 0;
        storvirt__xml_writer_start(w, "permissions");
        if (mode != -1) {
                char buf[16];

                snprintf(buf, sizeof(buf), "%04o", (unsigned) mode);
                storvirt__xml_writer_text_element(w, "mode", buf);
        }
        if (owner != -1)
                write_u64_element(w, "owner", (unsigned long long) owner);
        if (group != -1)
                write_u64_element(w, "group", (unsigned long long) group);
        if (label)
                storvirt__xml_writer_text_element(w, "label", label);
        return storvirt__xml_writer_end(w);
}

int storvirt__conf_get_yesno(xmlNodePtr node, const char *attr, const char *what,
                             const char *where, int *ret) {
        const char *v = storvirt__xml_prop(node, attr);

        if (!v)
                *ret = STORVIRT__TRISTATE_ABSENT;
        else if (strcmp(v, "yes") == 0)
                *ret = STORVIRT__TRISTATE_YES;
        else if (strcmp(v, "no") == 0)
                *ret = STORVIRT__TRISTATE_NO;
        else
                return storvirt__error_set(-EINVAL,
                        "%s: %s: attribute '%s' must be 'yes' or 'no', got '%s'",
                        what, where, attr, ESC(v));
        return 0;
}

void storvirt__conf_write_size(storvirt__xml_writer *w, const char *name, const char *unit,
                               uint64_t v) {
        storvirt__xml_writer_start(w, name);
        storvirt__xml_writer_attr(w, "unit", unit);
        write_u64_text(w, (unsigned long long) v);
        storvirt__xml_writer_end(w);
}
