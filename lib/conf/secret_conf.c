/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * secret_conf.c - libvirt's <secret> XML (conf/secret_conf.h).
 */
#include <stdio.h>
#include <string.h>

#include "conf/pool_conf.h"
#include "conf/secret_conf.h"
#include "util/fileio.h"
#include "util/macro.h"
#include "util/xml.h"

#define WHAT "secret XML"

#define ESC(s) storvirt__name_escape((s), (char[STORVIRT__ESCAPED_NAME_SIZE]){ 0 }, \
                                     STORVIRT__ESCAPED_NAME_SIZE)

/* Indexed by STORVIRT__SECRET_USAGE_*: the type's name and the element holding its id. */
static const struct {
        const char *type, *element;
} usages[] = {
        [STORVIRT__SECRET_USAGE_NONE] = { NULL, NULL },
        [STORVIRT__SECRET_USAGE_VOLUME] = { "volume", "volume" },
        [STORVIRT__SECRET_USAGE_CEPH] = { "ceph", "name" },
        [STORVIRT__SECRET_USAGE_ISCSI] = { "iscsi", "target" },
        [STORVIRT__SECRET_USAGE_TLS] = { "tls", "name" },
        [STORVIRT__SECRET_USAGE_VTPM] = { "vtpm", "name" },
};

const char *storvirt__secret_usage_to_string(int type) {
        if (type <= STORVIRT__SECRET_USAGE_NONE || type >= (int)ELEMENTSOF(usages))
                return NULL;
        return usages[type].type;
}

int storvirt__secret_usage_from_string(const char *s) {
        for (size_t i = 1; s && i < ELEMENTSOF(usages); i++)
                if (strcmp(usages[i].type, s) == 0)
                        return (int)i;
        return -1;
}

void storvirt__secret_def_free(storvirt__secret_def *def) {
        if (!def)
                return;
        free(def->description);
        free(def->usage_id);
        free(def);
}

static int parse_usage(xmlNodePtr node, storvirt__secret_def *def) {
        const char *type = storvirt__xml_prop(node, "type");
        struct storvirt__conf_child rule = { NULL, 1 };
        char where[64];
        xmlNodePtr c;
        int t, r;

        if (!type)
                return storvirt__error_set(-EINVAL, WHAT ": <usage>: missing attribute 'type'");
        t = storvirt__secret_usage_from_string(type);
        if (t < 0)
                return storvirt__error_set(-EINVAL, WHAT ": <usage>: unknown usage type '%s' "
                                                    "(expected volume, ceph, iscsi, tls or vtpm)",
                                           ESC(type));
        rule.name = usages[t].element;
        r = storvirt__conf_check_children(node, WHAT, "<usage>", &rule, 1, NULL);
        if (r < 0)
                return r;
        snprintf(where, sizeof(where), "<usage type='%s'><%s>", usages[t].type, rule.name);
        c = storvirt__xml_child(node, rule.name);
        if (c && (r = storvirt__conf_leaf_text(c, WHAT, where, &def->usage_id)) < 0)
                return r;
        if (!def->usage_id)
                return storvirt__error_set(-EINVAL, WHAT ": %s: missing or empty", where);
        if (storvirt__has_control_char(def->usage_id))
                return storvirt__error_set(-EINVAL, WHAT ": %s: '%s' contains a control character",
                                           where, ESC(def->usage_id));
        if (t == STORVIRT__SECRET_USAGE_VOLUME && def->usage_id[0] != '/')
                return storvirt__error_set(-EINVAL, WHAT ": %s: '%s' is not an absolute path",
                                           where, ESC(def->usage_id));
        def->usage_type = t;
        return 0;
}

static int parse_flags(xmlNodePtr root, storvirt__secret_def *def) {
        int ephemeral, private_, r;

        r = storvirt__conf_get_yesno(root, "ephemeral", WHAT, "<secret>", &ephemeral);
        if (r >= 0)
                r = storvirt__conf_get_yesno(root, "private", WHAT, "<secret>", &private_);
        if (r < 0)
                return r;
        if (ephemeral == STORVIRT__TRISTATE_YES)
                return storvirt__error_set(-EOPNOTSUPP, WHAT ": <secret ephemeral='yes'>: a secret "
                                                        "kept in memory only is not supported (no "
                                                        "process of this library lives on to keep "
                                                        "it); define it with ephemeral='no'");
        def->private_ = private_ == STORVIRT__TRISTATE_YES;
        return 0;
}

static int parse_root(xmlNodePtr root, storvirt__secret_def *def) {
        static const struct storvirt__conf_child rules[] = {
                { "uuid", 1 }, { "description", 1 }, { "usage", 1 },
        };
        _cleanup_free_ char *uuid = NULL;
        xmlNodePtr c;
        int r;

        r = storvirt__conf_check_children(root, WHAT, "<secret>", rules, ELEMENTSOF(rules), NULL);
        if (r >= 0)
                r = parse_flags(root, def);
        if (r >= 0 && (c = storvirt__xml_child(root, "uuid")))
                r = storvirt__conf_leaf_text(c, WHAT, "<uuid>", &uuid);
        if (r < 0)
                return r;
        if (uuid && storvirt__uuid_parse(uuid, &def->uuid) < 0)
                return storvirt__error_set(-EINVAL, WHAT ": <uuid>: '%s' is not a UUID", ESC(uuid));
        def->has_uuid = uuid != NULL;
        if ((c = storvirt__xml_child(root, "description")) &&
            (r = storvirt__conf_leaf_text(c, WHAT, "<description>", &def->description)) < 0)
                return r;
        if ((c = storvirt__xml_child(root, "usage")))
                r = parse_usage(c, def);
        return r;
}

int storvirt__secret_def_parse(const char *xml, size_t len, storvirt__secret_def **ret) {
        _cleanup_xml_doc_ xmlDocPtr doc = NULL;
        _cleanup_secret_def_ storvirt__secret_def *def = NULL;
        xmlNodePtr root;
        int r;

        check_nonnull(xml);
        check_nonnull(ret);
        r = storvirt__xml_parse(xml, len, STORVIRT__SECRET_XML_MAX, WHAT, &doc);
        if (r >= 0)
                r = storvirt__xml_root(doc, "secret", WHAT, &root);
        if (r < 0)
                return r;
        def = calloc(1, sizeof(*def));
        if (!def)
                return storvirt__error_oom();
        r = parse_root(root, def);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(def);
        return 0;
}

int storvirt__secret_def_format(const storvirt__secret_def *def, char **ret_xml) {
        _cleanup_xml_writer_ storvirt__xml_writer *w = NULL;
        char uuid[STORVIRT__UUID_STRING_MAX];
        const char *type;
        int r;

        check_nonnull(def);
        check_nonnull(ret_xml);
        type = storvirt__secret_usage_to_string(def->usage_type);
        if (!def->has_uuid || !type != !def->usage_id)
                return storvirt__error_set(-EINVAL, WHAT ": incomplete definition (no UUID, or a "
                                                    "usage type without its id)");
        r = storvirt__xml_writer_new(&w);
        if (r < 0)
                return r;
        storvirt__xml_writer_start(w, "secret");
        storvirt__xml_writer_attr(w, "ephemeral", "no");
        storvirt__xml_writer_attr(w, "private", def->private_ ? "yes" : "no");
        storvirt__xml_writer_text_element(w, "uuid", storvirt__uuid_format(&def->uuid, uuid));
        if (def->description)
                storvirt__xml_writer_text_element(w, "description", def->description);
        if (type) {
                storvirt__xml_writer_start(w, "usage");
                storvirt__xml_writer_attr(w, "type", type);
                storvirt__xml_writer_text_element(w, usages[def->usage_type].element,
                                                  def->usage_id);
                storvirt__xml_writer_end(w);
        }
        storvirt__xml_writer_end(w);
        return storvirt__xml_writer_finish(w, ret_xml, NULL);
}
