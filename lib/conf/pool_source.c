/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pool_source.c - reading <source> of pool XML: hosts, devices and
 * their extents, dir, the scsi adapter, auth, initiator, format,
 * protocol, vendor and product, each checked against what the pool
 * type allows (conf/pool_types.h).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "conf/conf_xml.h"
#include "conf/pool_conf.h"
#include "conf/pool_types.h"
#include "util/macro.h"
#include "util/strv.h"
#include "util/units.h"
#include "util/uuid.h"
#include "util/xml.h"

static int parse_host(xmlNodePtr node, storvirt__pool_def *def) {
        struct storvirt__pool_host *hosts;
        _cleanup_free_ char *name = NULL;
        int port = 0, r;

        r = storvirt__conf_check_children(node, WHAT, "<source><host>", NULL, 0, NULL);
        if (r < 0)
                return r;
        r = storvirt__xml_get_prop(node, "name", &name);
        if (r < 0)
                return r;
        if (r == 0)
                return storvirt__error_set(-EINVAL,
                        WHAT ": <source><host>: missing attribute 'name'");
        r = storvirt__xml_get_prop_int(node, "port", false, 0, &port);
        if (r < 0)
                return storvirt__error_prefix(WHAT ": <source>");
        hosts = realloc(def->source.hosts, (def->source.n_hosts + 1) * sizeof(*hosts));
        if (!hosts)
                return storvirt__error_oom();
        def->source.hosts = hosts;
        hosts[def->source.n_hosts++] = (struct storvirt__pool_host){ TAKE_PTR(name), port };
        return 0;
}

static int parse_extent(xmlNodePtr node, struct storvirt__pool_device_info *info) {
        struct storvirt__pool_extent e, *v;
        int r;

        r = storvirt__conf_check_children(node, WHAT, "<source><device><freeExtent>", NULL, 0,
                                          NULL);
        if (r >= 0)
                r = storvirt__xml_get_prop_uint64(node, "start", true, 0, &e.start);
        if (r >= 0)
                r = storvirt__xml_get_prop_uint64(node, "end", true, 0, &e.end);
        if (r < 0)
                return storvirt__error_prefix(WHAT ": <source><device>");
        v = realloc(info->free_extents, (info->n_free_extents + 1) * sizeof(*v));
        if (!v)
                return storvirt__error_oom();
        info->free_extents = v;
        v[info->n_free_extents++] = e;
        return 0;
}

static int parse_device(xmlNodePtr node, storvirt__pool_def *def) {
        static const struct storvirt__conf_child rules[] = { { "freeExtent", 0 } };
        struct storvirt__pool_device_info info = { STORVIRT__TRISTATE_ABSENT, NULL, 0 }, *v;
        _cleanup_free_ char *path = NULL;
        size_t n = storvirt__strv_length(def->source.devices);
        xmlNodePtr c;
        int r;

        r = storvirt__conf_check_children(node, WHAT, "<source><device>", rules,
                                          ELEMENTSOF(rules), NULL);
        if (r >= 0)
                r = storvirt__xml_get_prop(node, "path", &path);
        if (r == 0)
                r = storvirt__error_set(-EINVAL,
                        WHAT ": <source><device>: missing attribute 'path'");
        if (r >= 0)
                r = storvirt__conf_get_yesno(node, "part_separator", WHAT, "<source><device>",
                                             &info.part_separator);
        STORVIRT__XML_FOREACH_CHILD(c, node, "freeExtent")
                if (r >= 0)
                        r = parse_extent(c, &info);
        if (r >= 0) {
                v = realloc(def->source.device_info, (n + 1) * sizeof(*v));
                if (!v)
                        r = storvirt__error_oom();
                else
                        def->source.device_info = v;
        }
        if (r >= 0 && (r = storvirt__strv_push(&def->source.devices, path)) >= 0) {
                path = NULL;
                def->source.device_info[n] = info;
                return 0;
        }
        free(info.free_extents);
        return r < 0 ? r : storvirt__error_oom();
}

static int parse_dir(xmlNodePtr node, storvirt__pool_def *def) {
        int r;

        r = storvirt__conf_check_children(node, WHAT, "<source><dir>", NULL, 0, NULL);
        if (r >= 0)
                r = storvirt__xml_get_prop(node, "path", &def->source.dir);
        if (r == 0)
                return storvirt__error_set(-EINVAL, WHAT ": <source><dir>: missing attribute 'path'");
        return r < 0 ? r : 0;
}

static int parse_pci_address(xmlNodePtr node, struct storvirt__pool_adapter *a) {
        static const struct { const char *name; unsigned max; } fields[] = {
                { "domain", UINT_MAX }, { "bus", 0xff }, { "slot", 0x1f }, { "function", 7 },
        };
        unsigned v[ELEMENTSOF(fields)] = { 0 };
        const char *multi = storvirt__xml_prop(node, "multifunction");
        int r;

        r = storvirt__conf_check_children(node, WHAT, "<source><adapter><parentaddr><address>",
                                          NULL, 0, NULL);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
                r = storvirt__xml_get_prop_uint(node, fields[i].name, false,
                                                STORVIRT__XML_NUM_HEX, &v[i]);
                if (r < 0)
                        return storvirt__error_prefix(WHAT ": <source><adapter><parentaddr>");
                if (v[i] > fields[i].max)
                        return storvirt__error_set(-EINVAL, WHAT ": <source><adapter><parentaddr>"
                                                   "<address>: %s '%s' is above 0x%x",
                                                   fields[i].name,
                                                   ESC(storvirt__xml_prop(node, fields[i].name)),
                                                   fields[i].max);
        }
        if (multi && strcmp(multi, "on") != 0 && strcmp(multi, "off") != 0)
                return storvirt__error_set(-EINVAL, WHAT ": <source><adapter><parentaddr>"
                                           "<address>: multifunction '%s' is not 'on' or 'off'",
                                           ESC(multi));
        a->pci_multifunction = !multi ? STORVIRT__TRISTATE_ABSENT
                               : strcmp(multi, "on") == 0 ? STORVIRT__TRISTATE_YES
                                                          : STORVIRT__TRISTATE_NO;
        a->has_parentaddr = true;
        a->pci_domain = v[0];
        a->pci_bus = (uint8_t) v[1];
        a->pci_slot = (uint8_t) v[2];
        a->pci_function = (uint8_t) v[3];
        return 0;
}

static int parse_parentaddr(xmlNodePtr node, struct storvirt__pool_adapter *a) {
        static const struct storvirt__conf_child rules[] = { { "address", 1 } };
        xmlNodePtr addr;
        int r;

        r = storvirt__conf_check_children(node, WHAT, "<source><adapter><parentaddr>", rules,
                                          ELEMENTSOF(rules), NULL);
        if (r < 0)
                return r;
        r = storvirt__xml_get_prop_uint(node, "unique_id", false, 0, &a->unique_id);
        if (r < 0)
                return storvirt__error_prefix(WHAT ": <source><adapter>");
        if (r > 0 && (a->unique_id == 0 || a->unique_id > INT_MAX))
                return storvirt__error_set(-EINVAL,
                        WHAT ": <source><adapter><parentaddr>: unique_id '%u' is not a positive "
                        "integer", a->unique_id);
        addr = storvirt__xml_child(node, "address");
        if (!addr)
                return storvirt__error_set(-EINVAL,
                        WHAT ": <source><adapter><parentaddr>: missing element <address>");
        return parse_pci_address(addr, a);
}

static int adapter_prop(xmlNodePtr node, const char *name, char **ret) {
        int r = storvirt__xml_get_prop(node, name, ret);

        return r < 0 ? r : 0;
}

static int parse_adapter(xmlNodePtr node, storvirt__pool_def *def) {
        static const struct storvirt__conf_child rules[] = { { "parentaddr", 1 } };
        struct storvirt__pool_adapter *a = &def->source.adapter;
        const char *type = storvirt__xml_prop(node, "type");
        xmlNodePtr pa = storvirt__xml_child(node, "parentaddr");
        int r;

        r = storvirt__conf_check_children(node, WHAT, "<source><adapter>", rules,
                                          ELEMENTSOF(rules), NULL);
        if (r < 0)
                return r;
        if (!type) {
                /* Before the type attribute, only name='hostN' existed. */
                if (storvirt__xml_prop(node, "wwnn") || storvirt__xml_prop(node, "wwpn") ||
                    storvirt__xml_prop(node, "parent") || pa)
                        return storvirt__error_set(-EINVAL, WHAT ": <source><adapter>: 'wwnn', "
                                "'wwpn', 'parent' and <parentaddr> need the attribute 'type'");
                if (!storvirt__xml_prop(node, "name"))
                        return storvirt__error_set(-EINVAL,
                                WHAT ": <source><adapter>: missing attribute 'type'");
                type = "scsi_host";
        }
        if (strcmp(type, "scsi_host") == 0) {
                a->type = STORVIRT__POOL_ADAPTER_SCSI_HOST;
                r = adapter_prop(node, "name", &a->name);
                if (r >= 0 && pa)
                        r = parse_parentaddr(pa, a);
                return r;
        }
        if (strcmp(type, "fc_host") != 0)
                return storvirt__error_set(-EINVAL, WHAT ": <source><adapter>: unknown type '%s' "
                                           "(expected scsi_host or fc_host)", ESC(type));
        if (pa)
                return storvirt__error_set(-EINVAL, WHAT ": <source><adapter>: <parentaddr> is "
                                           "only allowed with type 'scsi_host'");
        a->type = STORVIRT__POOL_ADAPTER_FC_HOST;
        r = storvirt__conf_get_yesno(node, "managed", WHAT, "<source><adapter>", &a->managed);
        if (r >= 0)
                r = adapter_prop(node, "wwnn", &a->wwnn);
        if (r >= 0)
                r = adapter_prop(node, "wwpn", &a->wwpn);
        if (r >= 0)
                r = adapter_prop(node, "parent", &a->parent);
        if (r >= 0)
                r = adapter_prop(node, "parent_wwnn", &a->parent_wwnn);
        if (r >= 0)
                r = adapter_prop(node, "parent_wwpn", &a->parent_wwpn);
        if (r >= 0)
                r = adapter_prop(node, "parent_fabric_wwn", &a->parent_fabric_wwn);
        return r;
}

static int parse_auth(xmlNodePtr node, storvirt__pool_def *def) {
        static const struct storvirt__conf_child rules[] = { { "secret", 1 } };
        struct storvirt__pool_auth *auth = &def->source.auth;
        const char *uuid, *usage;
        xmlNodePtr secret;
        int r;

        r = storvirt__conf_check_children(node, WHAT, "<source><auth>", rules,
                                          ELEMENTSOF(rules), NULL);
        if (r < 0)
                return r;
        if (!storvirt__xml_prop(node, "type"))
                return storvirt__error_set(-EINVAL, WHAT ": <source><auth>: missing attribute 'type'");
        if (!storvirt__xml_prop(node, "username"))
                return storvirt__error_set(-EINVAL,
                        WHAT ": <source><auth>: missing attribute 'username'");
        secret = storvirt__xml_child(node, "secret");
        if (!secret)
                return storvirt__error_set(-EINVAL, WHAT ": <source><auth>: missing element <secret>");
        r = storvirt__conf_check_children(secret, WHAT, "<source><auth><secret>", NULL, 0, NULL);
        if (r < 0)
                return r;
        uuid = storvirt__xml_prop(secret, "uuid");
        usage = storvirt__xml_prop(secret, "usage");
        if (!uuid == !usage)
                return storvirt__error_set(-EINVAL, WHAT ": <source><auth><secret>: exactly one of "
                                           "the attributes 'uuid' and 'usage' is needed");
        if (uuid && storvirt__uuid_parse(uuid, &auth->secret_uuid) < 0)
                return storvirt__error_set(-EINVAL,
                        WHAT ": <source><auth><secret>: uuid '%s' is not a valid UUID", ESC(uuid));
        auth->has_secret_uuid = uuid != NULL;
        r = storvirt__conf_strdup(storvirt__xml_prop(node, "type"), &auth->type);
        if (r >= 0)
                r = storvirt__conf_strdup(storvirt__xml_prop(node, "username"), &auth->username);
        if (r >= 0)
                r = storvirt__conf_strdup(usage, &auth->secret_usage);
        return r;
}

static int parse_initiator(xmlNodePtr node, storvirt__pool_def *def) {
        static const struct storvirt__conf_child rules[] = { { "iqn", 1 } };
        xmlNodePtr iqn;
        int r;

        r = storvirt__conf_check_children(node, WHAT, "<source><initiator>", rules,
                                          ELEMENTSOF(rules), NULL);
        if (r < 0)
                return r;
        iqn = storvirt__xml_child(node, "iqn");
        if (!iqn)
                return storvirt__error_set(-EINVAL,
                        WHAT ": <source><initiator>: missing element <iqn>");
        r = storvirt__conf_check_children(iqn, WHAT, "<source><initiator><iqn>", NULL, 0, NULL);
        if (r >= 0)
                r = storvirt__xml_get_prop(iqn, "name", &def->source.initiator_iqn);
        if (r == 0)
                return storvirt__error_set(-EINVAL,
                        WHAT ": <source><initiator><iqn>: missing attribute 'name'");
        return r < 0 ? r : 0;
}

static int parse_name_attr(xmlNodePtr node, const char *elem, char **ret);

static int parse_format(xmlNodePtr node, storvirt__pool_def *def) {
        /* The schema lets disk and logical formats hold vendor and
         * product: kept there (libvirt does not read them). */
        static const struct storvirt__conf_child rules[] = { { "vendor", 1 }, { "product", 1 } };
        bool nested = strcmp(def->type, "disk") == 0 || strcmp(def->type, "logical") == 0;
        xmlNodePtr c;
        int r;

        r = storvirt__conf_check_children(node, WHAT, "<source><format>", rules,
                                          nested ? ELEMENTSOF(rules) : 0, NULL);
        if (r >= 0)
                r = storvirt__xml_get_prop(node, "type", &def->source.format);
        if (r == 0)
                return storvirt__error_set(-EINVAL,
                        WHAT ": <source><format>: missing attribute 'type'");
        if (r >= 0 && (c = storvirt__xml_child(node, "vendor")))
                r = parse_name_attr(c, "format><vendor", &def->source.format_vendor);
        if (r >= 0 && (c = storvirt__xml_child(node, "product")))
                r = parse_name_attr(c, "format><product", &def->source.format_product);
        return r < 0 ? r : 0;
}

static int parse_protocol(xmlNodePtr node, storvirt__pool_def *def) {
        int r;

        r = storvirt__conf_check_children(node, WHAT, "<source><protocol>", NULL, 0, NULL);
        if (r < 0)
                return r;
        r = storvirt__xml_get_prop(node, "ver", &def->source.protocol_ver);
        if (r == 0)
                return storvirt__error_set(-EINVAL,
                        WHAT ": <source><protocol>: missing attribute 'ver'");
        return r < 0 ? r : 0;       /* checked and made canonical by apply_defaults() */
}

static int parse_name_attr(xmlNodePtr node, const char *elem, char **ret) {
        char where[64];
        int r;

        snprintf(where, sizeof(where), "<source><%s>", elem);
        r = storvirt__conf_check_children(node, WHAT, where, NULL, 0, NULL);
        if (r >= 0)
                r = storvirt__xml_get_prop(node, "name", ret);
        if (r == 0)
                return storvirt__error_set(-EINVAL, WHAT ": %s: missing attribute 'name'", where);
        return r < 0 ? r : 0;
}

static int source_element_id(xmlNodePtr c) {
        for (int i = 0; i < S__MAX; i++)
                if (!c->ns &&
                    xmlStrEqual(c->name, (const xmlChar *) storvirt__pool_source_elements[i]))
                        return i;
        return -1;
}

/* Every child of <source> is one the pool type uses, as often as it may. */
static int check_source_children(xmlNodePtr node, const struct pool_type_info *info) {
        unsigned counts[S__MAX] = { 0 };
        char label[2 * STORVIRT__ESCAPED_NAME_SIZE];

        for (xmlNodePtr c = node->children; c; c = c->next) {
                int id;

                if (c->type != XML_ELEMENT_NODE)
                        continue;
                id = source_element_id(c);
                if (id < 0)
                        return storvirt__error_set(-EINVAL, WHAT ": <source>: unexpected element <%s>",
                                                   storvirt__conf_label(c, label, sizeof(label)));
                if (info->src[id] == 0)
                        return storvirt__error_set(-EINVAL,
                                WHAT ": <source>: element <%s> is not used by '%s' pools",
                                storvirt__pool_source_elements[id], info->type);
                if (++counts[id] > info->src[id])
                        return storvirt__error_set(-EINVAL,
                                WHAT ": <source>: element <%s> appears more than once",
                                storvirt__pool_source_elements[id]);
        }
        return 0;
}

static int parse_source_child(xmlNodePtr c, int id, storvirt__pool_def *def) {
        switch (id) {
        case S_HOST:
                return parse_host(c, def);
        case S_DEVICE:
                return parse_device(c, def);
        case S_DIR:
                return parse_dir(c, def);
        case S_ADAPTER:
                return parse_adapter(c, def);
        case S_NAME:
                return storvirt__conf_leaf_text(c, WHAT, "<source><name>", &def->source.name);
        case S_INITIATOR:
                return parse_initiator(c, def);
        case S_FORMAT:
                return parse_format(c, def);
        case S_AUTH:
                return parse_auth(c, def);
        case S_PROTOCOL:
                return parse_protocol(c, def);
        case S_VENDOR:
                return parse_name_attr(c, "vendor", &def->source.vendor);
        case S_PRODUCT:
                return parse_name_attr(c, "product", &def->source.product);
        }
        return storvirt__error_set(-EINVAL, WHAT ": <source>: internal error");
}

int storvirt__pool_parse_source(xmlNodePtr node, const struct pool_type_info *info,
                                storvirt__pool_def *def) {
        int r = check_source_children(node, info);

        for (xmlNodePtr c = node->children; r >= 0 && c; c = c->next)
                if (c->type == XML_ELEMENT_NODE)
                        r = parse_source_child(c, source_element_id(c), def);
        return r;
}
