/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * conf_xml.h - the small XML helpers of the definitions in lib/conf
 * (pool, volume, secret): what is the message prefix ("pool XML",
 * "volume XML"), where names the element being read
 * ("<target><permissions>").
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/xml.h"

/* An allowed child element and how often it may appear (0: any number). */
struct storvirt__conf_child {
        const char *name;
        unsigned max;
};

/*
 * Every child element of node must be one of rules[0..n) and appear at
 * most max times: "what: where: unexpected element <x>" or "what:
 * where: element <x> appears more than once".  Elements in namespace
 * ns_href (may be NULL) are left to the caller.
 */
int storvirt__conf_check_children(xmlNodePtr node, const char *what, const char *where,
                                  const struct storvirt__conf_child *rules, size_t n_rules,
                                  const char *ns_href);

/*
 * Trimmed text of an element that must not have child elements; an
 * empty text gives *ret = NULL (libvirt reads an empty element as an
 * absent one).  0 or negative errno.
 */
int storvirt__conf_leaf_text(xmlNodePtr node, const char *what, const char *where, char **ret);

/*
 * A scaled integer element: digits and an optional unit attribute
 * (libvirt's units), at most limit bytes.  Errors name where and value.
 */
int storvirt__conf_parse_size(xmlNodePtr node, const char *what, const char *where,
                              uint64_t limit, uint64_t *ret);

/* <permissions>: mode (octal, 0..0777), owner, group (uint or -1), label. */
int storvirt__conf_parse_perms(xmlNodePtr node, const char *what, const char *where,
                               int64_t *mode, int64_t *owner, int64_t *group, char **label);
/* Checks values of a permissions set built in memory. */
int storvirt__conf_check_perms(const char *what, const char *where,
                               int64_t mode, int64_t owner, int64_t group);
/* Writes <permissions> when any part is set. */
int storvirt__conf_write_perms(storvirt__xml_writer *w, int64_t mode, int64_t owner,
                               int64_t group, const char *label);

/* A yes/no attribute: STORVIRT__TRISTATE_* (ABSENT when missing). */
int storvirt__conf_get_yesno(xmlNodePtr node, const char *attr, const char *what,
                             const char *where, int *ret);

/* Index of s in the NULL-terminated list, -1 if absent. */
int storvirt__conf_lookup(const char *const *list, const char *s);

/* Copies the string, NULL giving NULL; -ENOMEM. */
int storvirt__conf_strdup(const char *s, char **ret);
/* Equal strings, NULL equal only to NULL. */
bool storvirt__conf_streq(const char *a, const char *b);
/* <name unit='unit'>v</name> */
void storvirt__conf_write_size(storvirt__xml_writer *w, const char *name, const char *unit,
                               uint64_t v);

/* "prefix:name" of a (namespaced) element for messages, in buf. */
const char *storvirt__conf_label(xmlNodePtr n, char *buf, size_t size);
