/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pool_conf.c - reading pool XML into storvirt__pool_def: the root
 * element and its children (name, uuid, sizes, features, target,
 * refresh, the fs and rbd namespaces), <source> by pool_source.c,
 * then the defaults and checks of pool_check.c.  Every pool type of
 * the schema is known (pool_types.c); the formatter is pool_format.c.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "conf/conf_attrs.h"
#include "conf/conf_xml.h"
#include "conf/pool_conf.h"
#include "conf/pool_types.h"
#include "util/fileio.h"
#include "util/macro.h"
#include "util/strv.h"
#include "util/uuid.h"
#include "util/xml.h"

static int parse_target(xmlNodePtr node, storvirt__pool_def *def) {
        static const struct storvirt__conf_child rules[] = {
                { "path", 1 }, { "permissions", 1 },
        };
        xmlNodePtr c;
        int r;

        r = storvirt__conf_check_children(node, WHAT, "<target>", rules, ELEMENTSOF(rules), NULL);
        if (r >= 0 && (c = storvirt__xml_child(node, "path")))
                r = storvirt__conf_leaf_text(c, WHAT, "<target><path>", &def->target.path);
        if (r >= 0 && (c = storvirt__xml_child(node, "permissions")))
                r = storvirt__conf_parse_perms(c, WHAT, "<target><permissions>",
                                               &def->target.mode, &def->target.owner,
                                               &def->target.group, &def->target.label);
        return r;
}

static int parse_features(xmlNodePtr node, storvirt__pool_def *def) {
        static const struct storvirt__conf_child rules[] = { { "cow", 1 } };
        xmlNodePtr cow;
        int r;

        r = storvirt__conf_check_children(node, WHAT, "<features>", rules, ELEMENTSOF(rules),
                                          NULL);
        if (r < 0 || !(cow = storvirt__xml_child(node, "cow")))
                return r;
        r = storvirt__conf_check_children(cow, WHAT, "<features><cow>", NULL, 0, NULL);
        if (r >= 0)
                r = storvirt__conf_get_yesno(cow, "state", WHAT, "<features><cow>",
                                             &def->features.cow);
        if (r >= 0 && def->features.cow == STORVIRT__TRISTATE_ABSENT)
                r = storvirt__error_set(-EINVAL,
                        WHAT ": <features><cow>: missing attribute 'state'");
        return r;
}

static int parse_refresh(xmlNodePtr node, storvirt__pool_def *def) {
        static const struct storvirt__conf_child rules[] = { { "volume", 1 } };
        xmlNodePtr vol;
        const char *alloc;
        int r;

        r = storvirt__conf_check_children(node, WHAT, "<refresh>", rules, ELEMENTSOF(rules),
                                          NULL);
        if (r < 0 || !(vol = storvirt__xml_child(node, "volume")))
                return r;
        r = storvirt__conf_check_children(vol, WHAT, "<refresh><volume>", NULL, 0, NULL);
        if (r < 0 || !(alloc = storvirt__xml_prop(vol, "allocation")))
                return r;
        if (strcmp(alloc, "default") == 0)
                def->refresh_volume_allocation = STORVIRT__POOL_REFRESH_ALLOCATION_DEFAULT;
        else if (strcmp(alloc, "capacity") == 0)
                def->refresh_volume_allocation = STORVIRT__POOL_REFRESH_ALLOCATION_CAPACITY;
        else
                return storvirt__error_set(-EINVAL, WHAT ": <refresh><volume>: allocation '%s' is "
                                           "not 'default' or 'capacity'", ESC(alloc));
        return 0;
}

static bool in_ns(xmlNodePtr n, const char *href, const char *name) {
        return n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
               xmlStrEqual(n->ns->href, (const xmlChar *) href) &&
               (!name || xmlStrEqual(n->name, (const xmlChar *) name));
}

/* <fs:mount_opts> or <rbd:config_opts>: option elements only. */
static int parse_ns_options(xmlNodePtr node, const char *href, bool rbd,
                            storvirt__pool_def *def) {
        const char *where = rbd ? "<rbd:config_opts>" : "<fs:mount_opts>";
        char label[2 * STORVIRT__ESCAPED_NAME_SIZE];

        for (xmlNodePtr c = node->children; c; c = c->next) {
                const char *name, *value;
                struct storvirt__pool_rbd_option *v;
                int r;

                if (c->type != XML_ELEMENT_NODE)
                        continue;
                if (!in_ns(c, href, "option"))
                        return storvirt__error_set(-EINVAL, WHAT ": %s: unexpected element <%s>",
                                                   where,
                                                   storvirt__conf_label(c, label, sizeof(label)));
                r = storvirt__conf_check_children(c, WHAT, where, NULL, 0, NULL);
                if (r < 0)
                        return r;
                name = storvirt__xml_prop(c, "name");
                value = storvirt__xml_prop(c, "value");
                if (!name || (rbd && !value))
                        return storvirt__error_set(-EINVAL, WHAT ": %s<option>: missing attribute "
                                                   "'%s'", where, name ? "value" : "name");
                if (!rbd) {
                        r = storvirt__strv_extend(&def->fs_mount_opts, name);
                        if (r < 0)
                                return storvirt__error_oom();
                        continue;
                }
                v = realloc(def->rbd_config_opts, (def->n_rbd_config_opts + 1) * sizeof(*v));
                if (!v)
                        return storvirt__error_oom();
                def->rbd_config_opts = v;
                v += def->n_rbd_config_opts;
                *v = (struct storvirt__pool_rbd_option){ strdup(name), strdup(value) };
                def->n_rbd_config_opts++;
                if (!v->name || !v->value)
                        return storvirt__error_oom();
        }
        return 0;
}

static int parse_namespaced(xmlNodePtr root, const struct pool_type_info *info,
                            storvirt__pool_def *def) {
        bool rbd = info->ns_href && strcmp(info->ns_href, STORVIRT__POOL_RBD_NS) == 0;
        const char *local = rbd ? "config_opts" : "mount_opts";
        char label[2 * STORVIRT__ESCAPED_NAME_SIZE];
        unsigned seen = 0;
        int r;

        if (!info->ns_href)
                return 0;
        for (xmlNodePtr c = root->children; c; c = c->next) {
                if (!in_ns(c, info->ns_href, NULL))
                        continue;
                if (!xmlStrEqual(c->name, (const xmlChar *) local))
                        return storvirt__error_set(-EINVAL, WHAT ": <pool>: unexpected element <%s>",
                                                   storvirt__conf_label(c, label, sizeof(label)));
                if (seen++)
                        return storvirt__error_set(-EINVAL, WHAT ": <pool>: element <%s> appears "
                                                   "more than once",
                                                   storvirt__conf_label(c, label, sizeof(label)));
                r = parse_ns_options(c, info->ns_href, rbd, def);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int check_root_children(xmlNodePtr root, const struct pool_type_info *info) {
        static const struct storvirt__conf_child rules[] = {
                { "name", 1 }, { "uuid", 1 }, { "capacity", 1 }, { "allocation", 1 },
                { "available", 1 }, { "features", 1 }, { "source", 1 }, { "target", 1 },
                { "refresh", 1 },
        };
        int r;

        r = storvirt__conf_check_children(root, WHAT, "<pool>", rules, ELEMENTSOF(rules),
                                          info->ns_href);
        if (r < 0)
                return r;
        if (info->target == TARGET_NONE && storvirt__xml_child(root, "target"))
                return storvirt__error_set(-EINVAL, WHAT ": <pool>: element <target> is not used "
                                           "by '%s' pools", info->type);
        if (strcmp(info->type, "rbd") != 0 && storvirt__xml_child(root, "refresh"))
                return storvirt__error_set(-EINVAL, WHAT ": <pool>: element <refresh> is only "
                                           "used by 'rbd' pools");
        return 0;
}

/* <capacity>, <allocation>, <available>: checked, then ignored. */
static int parse_sizes(xmlNodePtr root) {
        static const char *const names[] = { "capacity", "allocation", "available" };

        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                xmlNodePtr c = storvirt__xml_child(root, names[i]);
                char where[32];
                uint64_t v;
                int r;

                if (!c)
                        continue;
                snprintf(where, sizeof(where), "<%s>", names[i]);
                r = storvirt__conf_parse_size(c, WHAT, where, LLONG_MAX, &v);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_uuid(xmlNodePtr root, storvirt__pool_def *def) {
        _cleanup_free_ char *text = NULL;
        xmlNodePtr c = storvirt__xml_child(root, "uuid");
        int r;

        if (c) {
                r = storvirt__conf_leaf_text(c, WHAT, "<uuid>", &text);
                if (r < 0)
                        return r;
        }
        if (!text) {
                r = storvirt__uuid_generate_v4(&def->uuid);
                if (r < 0)
                        return storvirt__error_set(r, WHAT ": <uuid>: cannot generate a UUID");
                return 0;
        }
        if (storvirt__uuid_parse(text, &def->uuid) < 0)
                return storvirt__error_set(-EINVAL, WHAT ": <uuid>: '%s' is not a valid UUID",
                                           ESC(text));
        return 0;
}

static int parse_root_children(xmlNodePtr root, const struct pool_type_info *info,
                               storvirt__pool_def *def) {
        xmlNodePtr c;
        int r;

        r = check_root_children(root, info);
        if (r >= 0 && (c = storvirt__xml_child(root, "name")))
                r = storvirt__conf_leaf_text(c, WHAT, "<name>", &def->name);
        if (r >= 0)
                r = parse_uuid(root, def);
        if (r >= 0)
                r = parse_sizes(root);
        if (r >= 0 && (c = storvirt__xml_child(root, "features")))
                r = parse_features(c, def);
        if (r >= 0 && (c = storvirt__xml_child(root, "source")))
                r = storvirt__pool_parse_source(c, info, def);
        if (r >= 0 && (c = storvirt__xml_child(root, "target")))
                r = parse_target(c, def);
        if (r >= 0 && (c = storvirt__xml_child(root, "refresh")))
                r = parse_refresh(c, def);
        if (r >= 0)
                r = parse_namespaced(root, info, def);
        return r;
}

int storvirt__pool_def_parse(const char *xml, size_t len, storvirt__pool_def **ret) {
        _cleanup_xml_doc_ xmlDocPtr doc = NULL;
        _cleanup_pool_def_ storvirt__pool_def *def = NULL;
        const struct pool_type_info *info;
        xmlNodePtr root;
        const char *type;
        int r;

        check_nonnull(ret);
        r = storvirt__xml_parse(xml, len, STORVIRT__POOL_XML_MAX, WHAT, &doc);
        if (r < 0)
                return r;
        r = storvirt__xml_root(doc, "pool", WHAT, &root);
        if (r < 0)
                return r;
        type = storvirt__xml_prop(root, "type");
        if (!type)
                return storvirt__error_set(-EINVAL, WHAT ": <pool>: missing attribute 'type'");
        info = storvirt__pool_type_info(type);
        if (!info)
                return storvirt__error_set(-EINVAL, WHAT ": <pool>: unknown pool type '%s'",
                                           ESC(type));
        def = storvirt__pool_def_alloc();
        if (!def || !(def->type = strdup(type)))
                return storvirt__error_oom();
        r = parse_root_children(root, info, def);
        if (r >= 0)
                r = storvirt__pool_def_validate(def);
        if (r >= 0)
                r = storvirt__pool_xml_check_attributes(root);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(def);
        return 0;
}
