/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * conf_attrs.c - attribute lists of the elements of libvirt's
 * storagepool and storagevol schemas (and storagecommon and basictypes
 * parts they use), checked over a whole document: the parsers read
 * attributes by name, so one they do not know would otherwise vanish
 * without a word.
 */
#include <stdio.h>
#include <string.h>

#include "conf/conf_attrs.h"
#include "conf/pool_conf.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/macro.h"

struct elem_attrs {
        const char *elem;        /* local name; "fs:option" for namespaced ones */
        const char *const *attrs;
};

#define A(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* Elements not listed have no attributes. */
static const struct elem_attrs pool_attrs[] = {
        { "pool", A("type") },
        { "capacity", A("unit") },
        { "allocation", A("unit") },
        { "available", A("unit") },
        { "cow", A("state") },
        { "host", A("name", "port") },
        { "device", A("path", "part_separator") },
        { "freeExtent", A("start", "end") },
        { "dir", A("path") },
        { "adapter", A("type", "name", "parent", "managed", "parent_wwnn", "parent_wwpn",
                       "parent_fabric_wwn", "wwnn", "wwpn") },
        { "parentaddr", A("unique_id") },
        { "address", A("domain", "bus", "slot", "function", "multifunction") },
        { "format", A("type") },
        { "vendor", A("name") },
        { "product", A("name") },
        { "auth", A("type", "username") },
        { "secret", A("uuid", "usage") },
        { "iqn", A("name") },
        { "protocol", A("ver") },
        { "volume", A("allocation") },
        { "fs:option", A("name") },
        { "rbd:option", A("name", "value") },
};

static const struct elem_attrs vol_attrs[] = {
        { "volume", A("type") },
        { "capacity", A("unit") },
        { "allocation", A("unit") },
        { "physical", A("unit") },
        { "clusterSize", A("unit") },
        { "device", A("path") },
        { "extent", A("start", "end") },
        { "format", A("type") },
        { "encryption", A("format", "engine") },
        { "secret", A("type", "uuid", "usage") },
        { "cipher", A("name", "size", "mode", "hash") },
        { "ivgen", A("name", "hash") },
};

/* Our short prefix of a known extension namespace, else NULL. */
static const char *ns_prefix(xmlNsPtr ns) {
        if (!ns || !ns->href)
                return NULL;
        if (xmlStrEqual(ns->href, (const xmlChar *) STORVIRT__POOL_FS_NS))
                return "fs";
        if (xmlStrEqual(ns->href, (const xmlChar *) STORVIRT__POOL_RBD_NS))
                return "rbd";
        return "?";
}

static const char *const *allowed_attrs(const struct elem_attrs *table, size_t n, xmlNodePtr e) {
        const char *prefix = ns_prefix(e->ns);
        char name[128];

        snprintf(name, sizeof(name), "%s%s%s", prefix ? prefix : "", prefix ? ":" : "",
                 (const char *) e->name);
        for (size_t i = 0; i < n; i++)
                if (strcmp(table[i].elem, name) == 0)
                        return table[i].attrs;
        return NULL;
}

/* "<source><host>" for e below root, "<pool>" for root itself. */
static void element_path(xmlNodePtr root, xmlNodePtr e, char *buf, size_t size) {
        xmlNodePtr chain[32];
        size_t n = 0, len = 0;

        for (xmlNodePtr p = e; p && p != root && n < ELEMENTSOF(chain); p = p->parent)
                chain[n++] = p;
        if (n == 0)
                chain[n++] = root;
        buf[0] = '\0';
        while (n-- > 0 && len < size) {
                xmlNodePtr p = chain[n];
                const char *prefix = p->ns && p->ns->prefix ? (const char *) p->ns->prefix : NULL;
                char esc[STORVIRT__ESCAPED_NAME_SIZE];
                int w;

                w = snprintf(buf + len, size - len, "<%s%s%s>", prefix ? prefix : "",
                             prefix ? ":" : "",
                             storvirt__name_escape((const char *) p->name, esc, sizeof(esc)));
                if (w < 0)
                        break;
                len += (size_t) w;
        }
}

static int check_element(xmlNodePtr root, xmlNodePtr e, const char *what,
                         const struct elem_attrs *table, size_t n) {
        const char *const *allowed = allowed_attrs(table, n, e);

        for (xmlAttrPtr a = e->properties; a; a = a->next) {
                bool ok = false;

                for (const char *const *p = allowed; !a->ns && p && *p && !ok; p++)
                        ok = xmlStrEqual(a->name, (const xmlChar *) *p);
                if (!ok) {
                        char where[1024], esc[STORVIRT__ESCAPED_NAME_SIZE], full[300];

                        element_path(root, e, where, sizeof(where));
                        snprintf(full, sizeof(full), "%s%s%s",
                                 a->ns && a->ns->prefix ? (const char *) a->ns->prefix : "",
                                 a->ns && a->ns->prefix ? ":" : "", (const char *) a->name);
                        return storvirt__error_set(-EINVAL, "%s: %s: unexpected attribute '%s'",
                                                   what, where,
                                                   storvirt__name_escape(full, esc, sizeof(esc)));
                }
        }
        for (xmlNodePtr c = e->children; c; c = c->next) {
                int r;

                if (c->type != XML_ELEMENT_NODE)
                        continue;
                r = check_element(root, c, what, table, n);
                if (r < 0)
                        return r;
        }
        return 0;
}

int storvirt__pool_xml_check_attributes(xmlNodePtr root) {
        check_nonnull(root);
        return check_element(root, root, "pool XML", pool_attrs, ELEMENTSOF(pool_attrs));
}

int storvirt__vol_xml_check_attributes(xmlNodePtr root) {
        check_nonnull(root);
        return check_element(root, root, "volume XML", vol_attrs, ELEMENTSOF(vol_attrs));
}
