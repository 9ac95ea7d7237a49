/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pool_conf.c - storage pool XML: the per-type rules of libvirt's
 * storagepool schema in one table, a parser that reads every element
 * of every pool type into storvirt__pool_def, the checks and defaults
 * libvirt applies, and a formatter writing libvirt's normalised form.
 * Also the small XML helpers vol_conf.c shares (children, sizes,
 * permissions).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "conf/conf_attrs.h"
#include "conf/nfs_version.h"
#include "conf/pool_conf.h"
#include "util/fileio.h"
#include "util/macro.h"
#include "util/strv.h"
#include "util/units.h"
#include "util/uuid.h"
#include "util/xml.h"

#define WHAT "pool XML"

/* An escaped copy of s for a message, valid until the end of the statement's block. */
#define ESC(s) storvirt__name_escape((s), (char[STORVIRT__ESCAPED_NAME_SIZE]){ 0 }, \
                                     STORVIRT__ESCAPED_NAME_SIZE)
#define NODE_NAME(n) ESC(storvirt__xml_name(n))

/* ---- helpers shared with vol_conf.c ------------------------------------ */

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
static const char *element_label(xmlNodePtr n, char *buf, size_t size) {
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
                                                   element_label(c, label, sizeof(label)));
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

/* ---- the pool types ---------------------------------------------------- */

/* Children of <source>, in the order they are written. */
enum {
        S_HOST, S_DEVICE, S_DIR, S_ADAPTER, S_NAME, S_INITIATOR, S_FORMAT, S_AUTH,
        S_PROTOCOL, S_VENDOR, S_PRODUCT, S__MAX
};

static const char *const source_elements[S__MAX] = {
        [S_HOST] = "host", [S_DEVICE] = "device", [S_DIR] = "dir", [S_ADAPTER] = "adapter",
        [S_NAME] = "name", [S_INITIATOR] = "initiator", [S_FORMAT] = "format",
        [S_AUTH] = "auth", [S_PROTOCOL] = "protocol", [S_VENDOR] = "vendor",
        [S_PRODUCT] = "product",
};

#define MANY 0xffffu

enum {
        NEED_HOST = 1u << 0,
        NEED_DIR = 1u << 1,
        NEED_DEVICE = 1u << 2,
        NEED_ADAPTER = 1u << 3,
        NEED_INITIATOR = 1u << 4,
        NAME_LINKED = 1u << 5,     /* pool name and source name default to each other */
        NEED_SOURCE_NAME = 1u << 6,/* the source name must be given (rbd) */
};

enum { TARGET_NONE, TARGET_PATH, TARGET_DERIVED };

struct pool_type_info {
        const char *type;
        unsigned flags;
        int target;
        const char *const *formats;
        const char *default_format;
        const char *ns_href;
        unsigned src[S__MAX];      /* how many of each <source> child: 0 none */
};

static const char *const fs_formats[] = {
        "auto", "ext2", "ext3", "ext4", "ufs", "iso9660", "udf", "gfs", "gfs2", "vfat",
        "hfs+", "xfs", "ocfs2", "vmfs", NULL,
};
static const char *const netfs_formats[] = { "auto", "nfs", "glusterfs", "cifs", NULL };
static const char *const disk_formats[] = {
        "unknown", "dos", "dvh", "gpt", "mac", "bsd", "pc98", "sun", "lvm2", NULL,
};
static const char *const logical_formats[] = { "unknown", "lvm2", NULL };

static const struct pool_type_info pool_types[] = {
        { "dir", 0, TARGET_PATH, NULL, NULL, NULL,
          { [S_VENDOR] = 1, [S_PRODUCT] = 1 } },
        { "fs", NEED_DEVICE, TARGET_PATH, fs_formats, "auto", STORVIRT__POOL_FS_NS,
          { [S_DEVICE] = 1, [S_FORMAT] = 1, [S_VENDOR] = 1, [S_PRODUCT] = 1 } },
        { "netfs", NEED_HOST | NEED_DIR, TARGET_PATH, netfs_formats, "auto",
          STORVIRT__POOL_FS_NS,
          { [S_HOST] = MANY, [S_DIR] = 1, [S_FORMAT] = 1, [S_PROTOCOL] = 1, [S_VENDOR] = 1,
            [S_PRODUCT] = 1 } },
        { "logical", NAME_LINKED, TARGET_DERIVED, logical_formats, "lvm2", NULL,
          { [S_NAME] = 1, [S_DEVICE] = MANY, [S_FORMAT] = 1, [S_VENDOR] = 1,
            [S_PRODUCT] = 1 } },
        { "disk", NEED_DEVICE, TARGET_PATH, disk_formats, "unknown", NULL,
          { [S_DEVICE] = 1, [S_FORMAT] = 1, [S_VENDOR] = 1, [S_PRODUCT] = 1 } },
        { "iscsi", NEED_HOST | NEED_DEVICE, TARGET_PATH, NULL, NULL, NULL,
          { [S_HOST] = MANY, [S_DEVICE] = 1, [S_INITIATOR] = 1, [S_AUTH] = 1,
            [S_VENDOR] = 1, [S_PRODUCT] = 1 } },
        { "iscsi-direct", NEED_HOST | NEED_DEVICE | NEED_INITIATOR, TARGET_NONE, NULL, NULL,
          NULL, { [S_HOST] = MANY, [S_DEVICE] = 1, [S_INITIATOR] = 1, [S_AUTH] = 1 } },
        { "scsi", NEED_ADAPTER, TARGET_PATH, NULL, NULL, NULL,
          { [S_ADAPTER] = 1, [S_VENDOR] = 1, [S_PRODUCT] = 1 } },
        { "mpath", 0, TARGET_PATH, NULL, NULL, NULL, { 0 } },
        { "rbd", NEED_HOST | NAME_LINKED | NEED_SOURCE_NAME, TARGET_NONE, NULL, NULL,
          STORVIRT__POOL_RBD_NS, { [S_NAME] = 1, [S_HOST] = MANY, [S_AUTH] = 1 } },
        { "sheepdog", NEED_HOST | NAME_LINKED, TARGET_NONE, NULL, NULL, NULL,
          { [S_HOST] = MANY, [S_NAME] = 1 } },
        { "gluster", NEED_HOST | NAME_LINKED, TARGET_NONE, NULL, NULL, NULL,
          { [S_HOST] = MANY, [S_NAME] = 1, [S_DIR] = 1 } },
        { "zfs", NAME_LINKED, TARGET_DERIVED, NULL, NULL, NULL,
          { [S_NAME] = 1, [S_DEVICE] = 1 } },
        { "vstorage", NAME_LINKED, TARGET_PATH, NULL, NULL, NULL, { [S_NAME] = 1 } },
};

static const char *const pool_type_names[] = {
        "dir", "fs", "netfs", "logical", "disk", "iscsi", "iscsi-direct", "scsi", "mpath",
        "rbd", "sheepdog", "gluster", "zfs", "vstorage", NULL,
};

static const struct pool_type_info *type_info(const char *type) {
        if (!type)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(pool_types); i++)
                if (strcmp(pool_types[i].type, type) == 0)
                        return &pool_types[i];
        return NULL;
}

const char *const *storvirt__pool_types(void) {
        return pool_type_names;
}

bool storvirt__pool_type_is_valid(const char *type) {
        return type_info(type) != NULL;
}

const char *const *storvirt__pool_formats(const char *type) {
        const struct pool_type_info *info = type_info(type);

        return info ? info->formats : NULL;
}

const char *storvirt__pool_default_format(const char *type) {
        const struct pool_type_info *info = type_info(type);

        return info ? info->default_format : NULL;
}

bool storvirt__pool_type_has_target(const char *type) {
        const struct pool_type_info *info = type_info(type);

        return info && info->target != TARGET_NONE;
}

#define POOL_NAME_MAX (STORVIRT__NAME_MAX - 4)

int storvirt__pool_name_validate(const char *name) {
        if (!name || !*name)
                return storvirt__error_set(-EINVAL, WHAT ": <name>: empty pool name");
        if (strchr(name, '/'))
                return storvirt__error_set(-EINVAL, WHAT ": <name>: pool name '%s' contains '/'",
                                           ESC(name));
        /* The state directory keeps its own files under hidden names. */
        if (name[0] == '.')
                return storvirt__error_set(-EINVAL,
                        WHAT ": <name>: pool name '%s' must not start with '.'", ESC(name));
        if (storvirt__has_control_char(name))
                return storvirt__error_set(-EINVAL,
                        WHAT ": <name>: pool name '%s' contains a control character", ESC(name));
        /* Stored as <name>.xml, a file name of at most 255 bytes. */
        if (strlen(name) > POOL_NAME_MAX)
                return storvirt__error_set(-EINVAL, WHAT ": <name>: pool name '%s' is longer "
                                           "than %d bytes", ESC(name), POOL_NAME_MAX);
        return 0;
}

/* ---- allocation -------------------------------------------------------- */

static void adapter_clear(struct storvirt__pool_adapter *a) {
        free(a->name);
        free(a->wwnn);
        free(a->wwpn);
        free(a->parent);
        free(a->parent_wwnn);
        free(a->parent_wwpn);
        free(a->parent_fabric_wwn);
}

void storvirt__pool_def_free(storvirt__pool_def *def) {
        size_t n;

        if (!def)
                return;
        free(def->type);
        free(def->name);
        for (size_t i = 0; i < def->source.n_hosts; i++)
                free(def->source.hosts[i].name);
        free(def->source.hosts);
        n = storvirt__strv_length(def->source.devices);
        for (size_t i = 0; def->source.device_info && i < n; i++)
                free(def->source.device_info[i].free_extents);
        free(def->source.device_info);
        storvirt__strv_free(def->source.devices);
        free(def->source.dir);
        adapter_clear(&def->source.adapter);
        free(def->source.name);
        free(def->source.format);
        free(def->source.auth.type);
        free(def->source.auth.username);
        free(def->source.auth.secret_usage);
        free(def->source.initiator_iqn);
        free(def->source.protocol_ver);
        free(def->source.vendor);
        free(def->source.product);
        free(def->source.format_vendor);
        free(def->source.format_product);
        free(def->target.path);
        free(def->target.label);
        storvirt__strv_free(def->fs_mount_opts);
        for (size_t i = 0; i < def->n_rbd_config_opts; i++) {
                free(def->rbd_config_opts[i].name);
                free(def->rbd_config_opts[i].value);
        }
        free(def->rbd_config_opts);
        free(def);
}

static storvirt__pool_def *def_alloc(void) {
        storvirt__pool_def *def = calloc(1, sizeof(*def));

        if (!def)
                return NULL;
        def->features.cow = STORVIRT__TRISTATE_ABSENT;
        def->source.adapter.managed = STORVIRT__TRISTATE_ABSENT;
        def->source.adapter.pci_multifunction = STORVIRT__TRISTATE_ABSENT;
        def->target.mode = def->target.owner = def->target.group = -1;
        return def;
}

int storvirt__pool_def_new(const char *type, const char *name, storvirt__pool_def **ret) {
        _cleanup_pool_def_ storvirt__pool_def *def = NULL;
        int r;

        check_nonnull(ret);
        if (!type_info(type))
                return storvirt__error_set(-EINVAL, WHAT ": <pool>: unknown pool type '%s'",
                                           ESC(type));
        r = storvirt__pool_name_validate(name);
        if (r < 0)
                return r;
        def = def_alloc();
        if (!def || !(def->type = strdup(type)) || !(def->name = strdup(name)))
                return storvirt__error_oom();
        r = storvirt__uuid_generate_v4(&def->uuid);
        if (r < 0)
                return storvirt__error_set(r, WHAT ": <uuid>: cannot generate a UUID");
        *ret = TAKE_PTR(def);
        return 0;
}

/* ---- parsing <source> -------------------------------------------------- */

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
                if (!c->ns && xmlStrEqual(c->name, (const xmlChar *) source_elements[i]))
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
                                                   element_label(c, label, sizeof(label)));
                if (info->src[id] == 0)
                        return storvirt__error_set(-EINVAL,
                                WHAT ": <source>: element <%s> is not used by '%s' pools",
                                source_elements[id], info->type);
                if (++counts[id] > info->src[id])
                        return storvirt__error_set(-EINVAL,
                                WHAT ": <source>: element <%s> appears more than once",
                                source_elements[id]);
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

static int parse_source(xmlNodePtr node, const struct pool_type_info *info,
                        storvirt__pool_def *def) {
        int r = check_source_children(node, info);

        for (xmlNodePtr c = node->children; r >= 0 && c; c = c->next)
                if (c->type == XML_ELEMENT_NODE)
                        r = parse_source_child(c, source_element_id(c), def);
        return r;
}

/* ---- parsing the rest -------------------------------------------------- */

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
                                                   where, element_label(c, label, sizeof(label)));
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
                                                   element_label(c, label, sizeof(label)));
                if (seen++)
                        return storvirt__error_set(-EINVAL, WHAT ": <pool>: element <%s> appears "
                                                   "more than once",
                                                   element_label(c, label, sizeof(label)));
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
                r = parse_source(c, info, def);
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
        info = type_info(type);
        if (!info)
                return storvirt__error_set(-EINVAL, WHAT ": <pool>: unknown pool type '%s'",
                                           ESC(type));
        def = def_alloc();
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

/* ---- defaults and checks ----------------------------------------------- */

/* Collapses repeated '/' and drops a trailing one ("/a//b/" -> "/a/b"). */
static void sanitize_path(char *p) {
        char *out = p;

        if (!p)
                return;
        for (const char *in = p; *in; in++)
                if (!(*in == '/' && out > p && out[-1] == '/'))
                        *out++ = *in;
        if (out > p + 1 && out[-1] == '/')
                out--;
        *out = '\0';
}

static int set_string(char **field, const char *prefix, const char *value) {
        char *s;

        if (asprintf(&s, "%s%s", prefix, value) < 0)
                return storvirt__error_oom();
        free(*field);
        *field = s;
        return 0;
}

/* "04.1" -> "4.1"; a value that does not parse is left for check_format_dir(). */
static int canonical_nfs_version(char **ver) {
        char buf[STORVIRT__NFS_VERSION_MAX];
        const char *why;

        if (!*ver || storvirt__nfs_version_parse(*ver, buf, &why) < 0 || strcmp(buf, *ver) == 0)
                return 0;
        return set_string(ver, "", buf);
}

static int apply_defaults(storvirt__pool_def *def, const struct pool_type_info *info) {
        int r;

        if ((info->flags & NEED_SOURCE_NAME) && !def->source.name)
                return storvirt__error_set(-EINVAL, WHAT ": <source>: missing element <name> "
                                           "(required for '%s' pools)", info->type);
        if ((info->flags & NAME_LINKED) && !def->name && def->source.name &&
            !(def->name = strdup(def->source.name)))
                return storvirt__error_oom();
        if ((info->flags & NAME_LINKED) && !def->source.name && def->name &&
            !(def->source.name = strdup(def->name)))
                return storvirt__error_oom();
        if (info->formats && !def->source.format &&
            !(def->source.format = strdup(info->default_format)))
                return storvirt__error_oom();
        if (strcmp(info->type, "gluster") == 0 && !def->source.dir &&
            !(def->source.dir = strdup("/")))
                return storvirt__error_oom();
        if (info->target == TARGET_DERIVED && def->source.name) {
                r = set_string(&def->target.path,
                               strcmp(info->type, "zfs") == 0 ? "/dev/zvol/" : "/dev/",
                               def->source.name);
                if (r < 0)
                        return r;
        }
        sanitize_path(def->target.path);
        sanitize_path(def->source.dir);
        return canonical_nfs_version(&def->source.protocol_ver);
}

static int check_def(const storvirt__pool_def *def);

int storvirt__pool_def_validate(storvirt__pool_def *def) {
        const struct pool_type_info *info;
        int r;

        check_nonnull(def);
        info = type_info(def->type);
        if (!info)
                return storvirt__error_set(-EINVAL, WHAT ": <pool>: unknown pool type '%s'",
                                           ESC(def->type));
        r = apply_defaults(def, info);
        if (r < 0)
                return r;
        return check_def(def);
}

static unsigned source_count(const storvirt__pool_def *def, int id) {
        const typeof(def->source) *s = &def->source;

        switch (id) {
        case S_HOST:
                return (unsigned) (s->n_hosts > MANY ? MANY + 1 : s->n_hosts);
        case S_DEVICE: {
                size_t n = storvirt__strv_length(s->devices);

                return (unsigned) (n > MANY ? MANY + 1 : n);
        }
        case S_DIR:
                return !!s->dir;
        case S_ADAPTER:
                return s->adapter.type != STORVIRT__POOL_ADAPTER_NONE;
        case S_NAME:
                return !!s->name;
        case S_INITIATOR:
                return !!s->initiator_iqn;
        case S_FORMAT:
                return !!s->format;
        case S_AUTH:
                return !!s->auth.type;
        case S_PROTOCOL:
                return !!s->protocol_ver;
        case S_VENDOR:
                return !!s->vendor;
        case S_PRODUCT:
                return !!s->product;
        }
        return 0;
}

static int check_source_presence(const storvirt__pool_def *def,
                                 const struct pool_type_info *info) {
        static const struct { unsigned flag; int id; } needs[] = {
                { NEED_HOST, S_HOST }, { NEED_DIR, S_DIR }, { NEED_DEVICE, S_DEVICE },
                { NEED_ADAPTER, S_ADAPTER }, { NEED_INITIATOR, S_INITIATOR },
                { NAME_LINKED, S_NAME },
        };

        for (int id = 0; id < S__MAX; id++) {
                unsigned n = source_count(def, id);

                if (n > 0 && info->src[id] == 0)
                        return storvirt__error_set(-EINVAL, WHAT ": <source>: element <%s> is "
                                                   "not used by '%s' pools", source_elements[id],
                                                   info->type);
                if (n > info->src[id])
                        return storvirt__error_set(-EINVAL, WHAT ": <source>: element <%s> "
                                                   "appears more than once", source_elements[id]);
        }
        for (size_t i = 0; i < ELEMENTSOF(needs); i++)
                if ((info->flags & needs[i].flag) && source_count(def, needs[i].id) == 0)
                        return storvirt__error_set(-EINVAL, WHAT ": <source>: missing element "
                                                   "<%s> (required for '%s' pools)",
                                                   source_elements[needs[i].id], info->type);
        return 0;
}

static int check_hosts_devices(const storvirt__pool_def *def,
                               const struct pool_type_info *info) {
        size_t n = storvirt__strv_length(def->source.devices);
        bool plain = strcmp(info->type, "iscsi-direct") == 0;

        for (size_t i = 0; i < def->source.n_hosts; i++) {
                const struct storvirt__pool_host *h = &def->source.hosts[i];

                if (!h->name || !*h->name)
                        return storvirt__error_set(-EINVAL,
                                WHAT ": <source><host>: empty attribute 'name'");
                if (h->port < -1 || h->port > 65535)
                        return storvirt__error_set(-EINVAL, WHAT ": <source><host>: port '%d' of "
                                                   "host '%s' is outside -1..65535", h->port,
                                                   ESC(h->name));
        }
        for (size_t i = 0; i < n; i++) {
                const struct storvirt__pool_device_info *d =
                        def->source.device_info ? &def->source.device_info[i] : NULL;

                if (!*def->source.devices[i])
                        return storvirt__error_set(-EINVAL,
                                WHAT ": <source><device>: empty attribute 'path'");
                if (d && (d->part_separator < -1 || d->part_separator > 1))
                        return storvirt__error_set(-EINVAL, WHAT ": <source><device>: bad "
                                                   "part_separator value %d", d->part_separator);
                if (d && plain && (d->part_separator != STORVIRT__TRISTATE_ABSENT ||
                                   d->n_free_extents))
                        return storvirt__error_set(-EINVAL, WHAT ": <source><device>: "
                                                   "'part_separator' and <freeExtent> are not "
                                                   "used by '%s' pools", info->type);
                for (size_t j = 0; d && j < d->n_free_extents; j++)
                        if (d->free_extents[j].start > d->free_extents[j].end)
                                return storvirt__error_set(-EINVAL, WHAT ": <source><device>: "
                                        "freeExtent start %llu is after its end %llu",
                                        (unsigned long long) d->free_extents[j].start,
                                        (unsigned long long) d->free_extents[j].end);
        }
        return 0;
}

/* libvirt's WWN: optional "0x", then exactly 16 hex digits. */
static bool wwn_valid(const char *s) {
        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
                s += 2;
        return strlen(s) == 16 && strspn(s, "0123456789abcdefABCDEF") == 16;
}

static int check_wwn(const char *attr, const char *value) {
        if (value && !wwn_valid(value))
                return storvirt__error_set(-EINVAL, WHAT ": <source><adapter>: %s '%s' is not a "
                                           "WWN (16 hex digits, optionally after 0x)", attr,
                                           ESC(value));
        return 0;
}

static int check_adapter(const struct storvirt__pool_adapter *a) {
        int r;

        if (a->type == STORVIRT__POOL_ADAPTER_SCSI_HOST) {
                if (!a->name == !a->has_parentaddr)
                        return storvirt__error_set(-EINVAL, WHAT ": <source><adapter>: a "
                                "'scsi_host' adapter needs either 'name' or <parentaddr>, not both");
                if (a->name && !*a->name)
                        return storvirt__error_set(-EINVAL,
                                WHAT ": <source><adapter>: empty attribute 'name'");
                if (a->pci_slot > 0x1f || a->pci_function > 7 || a->pci_multifunction < -1 ||
                    a->pci_multifunction > 1 ||
                    (!a->has_parentaddr && a->pci_multifunction != STORVIRT__TRISTATE_ABSENT))
                        return storvirt__error_set(-EINVAL,
                                WHAT ": <source><adapter><parentaddr>: bad PCI address");
                return 0;
        }
        if (a->type != STORVIRT__POOL_ADAPTER_FC_HOST)
                return a->type == STORVIRT__POOL_ADAPTER_NONE ? 0 :
                       storvirt__error_set(-EINVAL, WHAT ": <source><adapter>: bad type %d",
                                           a->type);
        if (!a->wwnn || !a->wwpn)
                return storvirt__error_set(-EINVAL, WHAT ": <source><adapter>: 'wwnn' and 'wwpn' "
                                           "are required for type 'fc_host'");
        if (!a->parent_wwnn != !a->parent_wwpn)
                return storvirt__error_set(-EINVAL, WHAT ": <source><adapter>: 'parent_wwnn' and "
                                           "'parent_wwpn' go together, got only '%s'",
                                           a->parent_wwnn ? "parent_wwnn" : "parent_wwpn");
        if (a->managed < -1 || a->managed > 1)
                return storvirt__error_set(-EINVAL, WHAT ": <source><adapter>: bad managed value");
        if ((r = check_wwn("wwnn", a->wwnn)) < 0 || (r = check_wwn("wwpn", a->wwpn)) < 0 ||
            (r = check_wwn("parent_wwnn", a->parent_wwnn)) < 0 ||
            (r = check_wwn("parent_wwpn", a->parent_wwpn)) < 0 ||
            (r = check_wwn("parent_fabric_wwn", a->parent_fabric_wwn)) < 0)
                return r;
        return 0;
}

static int check_auth(const struct storvirt__pool_auth *auth) {
        if (!auth->type)
                return 0;
        if (strcmp(auth->type, "chap") != 0 && strcmp(auth->type, "ceph") != 0)
                return storvirt__error_set(-EINVAL, WHAT ": <source><auth>: type '%s' is not "
                                           "'chap' or 'ceph'", ESC(auth->type));
        if (!auth->username || !*auth->username)
                return storvirt__error_set(-EINVAL,
                        WHAT ": <source><auth>: missing or empty attribute 'username'");
        if (!auth->has_secret_uuid && (!auth->secret_usage || !*auth->secret_usage))
                return storvirt__error_set(-EINVAL,
                        WHAT ": <source><auth><secret>: missing or empty attribute 'usage'");
        if (auth->has_secret_uuid && auth->secret_usage)
                return storvirt__error_set(-EINVAL, WHAT ": <source><auth><secret>: exactly one "
                                           "of the attributes 'uuid' and 'usage' is needed");
        return 0;
}

static bool netfs_relative_ok(const char *format) {
        return format && (strcmp(format, "cifs") == 0 || strcmp(format, "glusterfs") == 0);
}

static int check_format_dir(const storvirt__pool_def *def, const struct pool_type_info *info) {
        const typeof(def->source) *s = &def->source;
        bool netfs = strcmp(info->type, "netfs") == 0;
        char ver[STORVIRT__NFS_VERSION_MAX];
        const char *why;

        if (info->formats && storvirt__conf_lookup(info->formats, s->format) < 0)
                return storvirt__error_set(-EINVAL, WHAT ": <source><format>: unknown format "
                                           "'%s' for '%s' pools", ESC(s->format), info->type);
        if (s->protocol_ver && storvirt__nfs_version_parse(s->protocol_ver, ver, &why) < 0)
                return storvirt__error_set(-EINVAL, WHAT ": <source><protocol>: ver '%s'%s",
                                           ESC(s->protocol_ver), why);
        if (s->protocol_ver && !(strcmp(s->format, "nfs") == 0 || strcmp(s->format, "auto") == 0))
                return storvirt__error_set(-EINVAL, WHAT ": <source><protocol>: a protocol "
                                           "version is only supported by formats 'nfs' and "
                                           "'auto', not '%s'", ESC(s->format));
        if (s->dir && !*s->dir)
                return storvirt__error_set(-EINVAL, WHAT ": <source><dir>: empty attribute 'path'");
        if (s->dir && s->dir[0] != '/' && !(netfs && netfs_relative_ok(s->format)))
                return storvirt__error_set(-EINVAL, WHAT ": <source><dir>: path '%s' is not "
                                           "absolute", ESC(s->dir));
        if (s->initiator_iqn && !*s->initiator_iqn)
                return storvirt__error_set(-EINVAL,
                        WHAT ": <source><initiator><iqn>: empty attribute 'name'");
        return 0;
}

static int check_target(const storvirt__pool_def *def, const struct pool_type_info *info) {
        const typeof(def->target) *t = &def->target;

        if (info->target == TARGET_NONE) {
                if (t->path || t->label || t->mode != -1 || t->owner != -1 || t->group != -1)
                        return storvirt__error_set(-EINVAL, WHAT ": <pool>: element <target> is "
                                                   "not used by '%s' pools", info->type);
                return 0;
        }
        if (!t->path)
                return storvirt__error_set(-EINVAL, WHAT ": <target>: missing element <path> "
                                           "(required for '%s' pools)", info->type);
        if (t->path[0] != '/')
                return storvirt__error_set(-EINVAL, WHAT ": <target><path>: '%s' is not an "
                                           "absolute path", ESC(t->path));
        return storvirt__conf_check_perms(WHAT, "<target><permissions>", t->mode, t->owner,
                                          t->group);
}

static int check_extras(const storvirt__pool_def *def, const struct pool_type_info *info) {
        bool fs_ns = info->ns_href && strcmp(info->ns_href, STORVIRT__POOL_FS_NS) == 0;
        bool rbd = strcmp(info->type, "rbd") == 0;

        if (def->features.cow != STORVIRT__TRISTATE_ABSENT &&
            strcmp(info->type, "dir") != 0 && strcmp(info->type, "fs") != 0)
                return storvirt__error_set(-EINVAL, WHAT ": <features><cow>: only 'dir' and 'fs' "
                                           "pools support it, not '%s'", info->type);
        if (def->features.cow < -1 || def->features.cow > 1)
                return storvirt__error_set(-EINVAL, WHAT ": <features><cow>: bad state");
        if ((def->source.format_vendor || def->source.format_product) &&
            (!def->source.format || (strcmp(info->type, "disk") != 0 &&
                                     strcmp(info->type, "logical") != 0)))
                return storvirt__error_set(-EINVAL, WHAT ": <source><format>: only the formats "
                                           "of 'disk' and 'logical' pools hold <vendor> and "
                                           "<product>, not '%s'", info->type);
        if (def->refresh_volume_allocation && !rbd)
                return storvirt__error_set(-EINVAL,
                        WHAT ": <pool>: element <refresh> is only used by 'rbd' pools");
        if (def->refresh_volume_allocation < 0 ||
            def->refresh_volume_allocation > STORVIRT__POOL_REFRESH_ALLOCATION_CAPACITY)
                return storvirt__error_set(-EINVAL, WHAT ": <refresh><volume>: bad allocation");
        if (def->fs_mount_opts && def->fs_mount_opts[0] && !fs_ns)
                return storvirt__error_set(-EINVAL, WHAT ": <fs:mount_opts>: only 'fs' and "
                                           "'netfs' pools support it, not '%s'", info->type);
        for (char **o = def->fs_mount_opts; o && *o; o++)
                if (!**o)
                        return storvirt__error_set(-EINVAL,
                                WHAT ": <fs:mount_opts><option>: empty attribute 'name'");
        if (def->n_rbd_config_opts && !rbd)
                return storvirt__error_set(-EINVAL, WHAT ": <rbd:config_opts>: only 'rbd' pools "
                                           "support it, not '%s'", info->type);
        for (size_t i = 0; i < def->n_rbd_config_opts; i++)
                if (!def->rbd_config_opts[i].name || !*def->rbd_config_opts[i].name ||
                    !def->rbd_config_opts[i].value)
                        return storvirt__error_set(-EINVAL, WHAT ": <rbd:config_opts><option>: "
                                                   "empty attribute 'name' or missing 'value'");
        return 0;
}

static int check_def(const storvirt__pool_def *def) {
        const struct pool_type_info *info = type_info(def->type);
        int r;

        if (!info)
                return storvirt__error_set(-EINVAL, WHAT ": <pool>: unknown pool type '%s'",
                                           ESC(def->type));
        if (!def->name)
                return storvirt__error_set(-EINVAL, WHAT ": <pool>: missing element <name>");
        if ((r = storvirt__pool_name_validate(def->name)) < 0 ||
            (r = check_source_presence(def, info)) < 0 ||
            (r = check_hosts_devices(def, info)) < 0 ||
            (r = check_adapter(&def->source.adapter)) < 0 ||
            (r = check_auth(&def->source.auth)) < 0 ||
            (r = check_format_dir(def, info)) < 0 ||
            (r = check_target(def, info)) < 0 ||
            (r = check_extras(def, info)) < 0)
                return r;
        return 0;
}

/* ---- formatting -------------------------------------------------------- */


void storvirt__conf_write_size(storvirt__xml_writer *w, const char *name, const char *unit,
                               uint64_t v) {
        storvirt__xml_writer_start(w, name);
        storvirt__xml_writer_attr(w, "unit", unit);
        write_u64_text(w, (unsigned long long) v);
        storvirt__xml_writer_end(w);
}

static void write_adapter(storvirt__xml_writer *w, const struct storvirt__pool_adapter *a) {
        storvirt__xml_writer_start(w, "adapter");
        if (a->type == STORVIRT__POOL_ADAPTER_SCSI_HOST) {
                storvirt__xml_writer_attr(w, "type", "scsi_host");
                if (a->name) {
                        storvirt__xml_writer_attr(w, "name", a->name);
                } else {
                        storvirt__xml_writer_start(w, "parentaddr");
                        if (a->unique_id)
                                storvirt__xml_writer_attr_printf(w, "unique_id", "%u",
                                                                 a->unique_id);
                        storvirt__xml_writer_start(w, "address");
                        storvirt__xml_writer_attr_printf(w, "domain", "0x%04x", a->pci_domain);
                        storvirt__xml_writer_attr_printf(w, "bus", "0x%02x", a->pci_bus);
                        storvirt__xml_writer_attr_printf(w, "slot", "0x%02x", a->pci_slot);
                        storvirt__xml_writer_attr_printf(w, "function", "0x%x", a->pci_function);
                        if (a->pci_multifunction != STORVIRT__TRISTATE_ABSENT)
                                storvirt__xml_writer_attr(w, "multifunction",
                                                          a->pci_multifunction ? "on" : "off");
                        storvirt__xml_writer_end(w);
                        storvirt__xml_writer_end(w);
                }
        } else {
                storvirt__xml_writer_attr(w, "type", "fc_host");
                if (a->parent)
                        storvirt__xml_writer_attr(w, "parent", a->parent);
                if (a->parent_wwnn)
                        storvirt__xml_writer_attr(w, "parent_wwnn", a->parent_wwnn);
                if (a->parent_wwpn)
                        storvirt__xml_writer_attr(w, "parent_wwpn", a->parent_wwpn);
                if (a->parent_fabric_wwn)
                        storvirt__xml_writer_attr(w, "parent_fabric_wwn", a->parent_fabric_wwn);
                if (a->managed != STORVIRT__TRISTATE_ABSENT)
                        storvirt__xml_writer_attr(w, "managed", a->managed ? "yes" : "no");
                storvirt__xml_writer_attr(w, "wwnn", a->wwnn);
                storvirt__xml_writer_attr(w, "wwpn", a->wwpn);
        }
        storvirt__xml_writer_end(w);
}

static void write_element_attr(storvirt__xml_writer *w, const char *elem, const char *attr,
                               const char *value) {
        storvirt__xml_writer_start(w, elem);
        storvirt__xml_writer_attr(w, attr, value);
        storvirt__xml_writer_end(w);
}

static void write_devices(storvirt__xml_writer *w, const storvirt__pool_def *def,
                          bool inactive) {
        size_t n = storvirt__strv_length(def->source.devices);

        for (size_t i = 0; i < n; i++) {
                const struct storvirt__pool_device_info *d =
                        def->source.device_info ? &def->source.device_info[i] : NULL;

                storvirt__xml_writer_start(w, "device");
                storvirt__xml_writer_attr(w, "path", def->source.devices[i]);
                if (d && d->part_separator != STORVIRT__TRISTATE_ABSENT)
                        storvirt__xml_writer_attr(w, "part_separator",
                                                  d->part_separator ? "yes" : "no");
                for (size_t j = 0; d && !inactive && j < d->n_free_extents; j++) {
                        storvirt__xml_writer_start(w, "freeExtent");
                        storvirt__xml_writer_attr_printf(w, "start", "%llu",
                                (unsigned long long) d->free_extents[j].start);
                        storvirt__xml_writer_attr_printf(w, "end", "%llu",
                                (unsigned long long) d->free_extents[j].end);
                        storvirt__xml_writer_end(w);
                }
                storvirt__xml_writer_end(w);
        }
}

static void write_auth(storvirt__xml_writer *w, const struct storvirt__pool_auth *auth) {
        char buf[STORVIRT__UUID_STRING_MAX];

        storvirt__xml_writer_start(w, "auth");
        storvirt__xml_writer_attr(w, "type", auth->type);
        storvirt__xml_writer_attr(w, "username", auth->username);
        if (auth->has_secret_uuid)
                write_element_attr(w, "secret", "uuid",
                                   storvirt__uuid_format(&auth->secret_uuid, buf));
        else
                write_element_attr(w, "secret", "usage", auth->secret_usage);
        storvirt__xml_writer_end(w);
}

static void write_source(storvirt__xml_writer *w, const storvirt__pool_def *def,
                         bool inactive) {
        const typeof(def->source) *s = &def->source;

        storvirt__xml_writer_start(w, "source");
        for (size_t i = 0; i < s->n_hosts; i++) {
                storvirt__xml_writer_start(w, "host");
                storvirt__xml_writer_attr(w, "name", s->hosts[i].name);
                if (s->hosts[i].port)
                        storvirt__xml_writer_attr_printf(w, "port", "%d", s->hosts[i].port);
                storvirt__xml_writer_end(w);
        }
        write_devices(w, def, inactive);
        if (s->dir)
                write_element_attr(w, "dir", "path", s->dir);
        if (s->adapter.type != STORVIRT__POOL_ADAPTER_NONE)
                write_adapter(w, &s->adapter);
        if (s->name)
                storvirt__xml_writer_text_element(w, "name", s->name);
        if (s->initiator_iqn) {
                storvirt__xml_writer_start(w, "initiator");
                write_element_attr(w, "iqn", "name", s->initiator_iqn);
                storvirt__xml_writer_end(w);
        }
        if (s->format && (s->format_vendor || s->format_product)) {
                storvirt__xml_writer_start(w, "format");
                storvirt__xml_writer_attr(w, "type", s->format);
                if (s->format_vendor)
                        write_element_attr(w, "vendor", "name", s->format_vendor);
                if (s->format_product)
                        write_element_attr(w, "product", "name", s->format_product);
                storvirt__xml_writer_end(w);
        } else if (s->format) {
                write_element_attr(w, "format", "type", s->format);
        }
        if (s->auth.type)
                write_auth(w, &s->auth);
        if (s->protocol_ver) {
                storvirt__xml_writer_start(w, "protocol");
                storvirt__xml_writer_attr(w, "ver", s->protocol_ver);
                storvirt__xml_writer_end(w);
        }
        if (s->vendor)
                write_element_attr(w, "vendor", "name", s->vendor);
        if (s->product)
                write_element_attr(w, "product", "name", s->product);
        storvirt__xml_writer_end(w);
}

static void write_extensions(storvirt__xml_writer *w, const storvirt__pool_def *def) {
        static const char *const allocations[] = { NULL, "default", "capacity" };

        if (def->refresh_volume_allocation) {
                storvirt__xml_writer_start(w, "refresh");
                write_element_attr(w, "volume", "allocation",
                                   allocations[def->refresh_volume_allocation]);
                storvirt__xml_writer_end(w);
        }
        if (def->fs_mount_opts && def->fs_mount_opts[0]) {
                storvirt__xml_writer_start(w, "fs:mount_opts");
                for (char **o = def->fs_mount_opts; *o; o++)
                        write_element_attr(w, "fs:option", "name", *o);
                storvirt__xml_writer_end(w);
        }
        if (def->n_rbd_config_opts) {
                storvirt__xml_writer_start(w, "rbd:config_opts");
                for (size_t i = 0; i < def->n_rbd_config_opts; i++) {
                        storvirt__xml_writer_start(w, "rbd:option");
                        storvirt__xml_writer_attr(w, "name", def->rbd_config_opts[i].name);
                        storvirt__xml_writer_attr(w, "value", def->rbd_config_opts[i].value);
                        storvirt__xml_writer_end(w);
                }
                storvirt__xml_writer_end(w);
        }
}

static void write_pool(storvirt__xml_writer *w, const storvirt__pool_def *def, bool inactive) {
        char buf[STORVIRT__UUID_STRING_MAX];

        storvirt__xml_writer_start(w, "pool");
        storvirt__xml_writer_attr(w, "type", def->type);
        if (def->fs_mount_opts && def->fs_mount_opts[0])
                storvirt__xml_writer_attr(w, "xmlns:fs", STORVIRT__POOL_FS_NS);
        if (def->n_rbd_config_opts)
                storvirt__xml_writer_attr(w, "xmlns:rbd", STORVIRT__POOL_RBD_NS);
        storvirt__xml_writer_text_element(w, "name", def->name);
        storvirt__xml_writer_text_element(w, "uuid", storvirt__uuid_format(&def->uuid, buf));
        if (!inactive) {
                storvirt__conf_write_size(w, "capacity", "bytes", def->capacity);
                storvirt__conf_write_size(w, "allocation", "bytes", def->allocation);
                storvirt__conf_write_size(w, "available", "bytes", def->available);
        }
        if (def->features.cow != STORVIRT__TRISTATE_ABSENT) {
                storvirt__xml_writer_start(w, "features");
                write_element_attr(w, "cow", "state", def->features.cow ? "yes" : "no");
                storvirt__xml_writer_end(w);
        }
        write_source(w, def, inactive);
        if (storvirt__pool_type_has_target(def->type)) {
                storvirt__xml_writer_start(w, "target");
                storvirt__xml_writer_text_element(w, "path", def->target.path);
                storvirt__conf_write_perms(w, def->target.mode, def->target.owner,
                                           def->target.group, def->target.label);
                storvirt__xml_writer_end(w);
        }
        write_extensions(w, def);
        storvirt__xml_writer_end(w);
}

int storvirt__pool_def_format(const storvirt__pool_def *def, bool inactive, char **ret_xml) {
        _cleanup_xml_writer_ storvirt__xml_writer *w = NULL;
        int r;

        check_nonnull(def);
        check_nonnull(ret_xml);
        r = check_def(def);
        if (r < 0)
                return r;
        r = storvirt__xml_writer_new(&w);
        if (r < 0)
                return r;
        write_pool(w, def, inactive);
        r = storvirt__xml_writer_finish(w, ret_xml, NULL);
        if (r < 0)
                return storvirt__error_prefix(WHAT);
        return 0;
}

/* ---- comparison -------------------------------------------------------- */

#define STREQ(a, b) storvirt__conf_streq((a), (b))

static bool device_info_equal(const struct storvirt__pool_device_info *a,
                              const struct storvirt__pool_device_info *b) {
        static const struct storvirt__pool_device_info none = { STORVIRT__TRISTATE_ABSENT };

        a = a ? a : &none;
        b = b ? b : &none;
        if (a->part_separator != b->part_separator || a->n_free_extents != b->n_free_extents)
                return false;
        return a->n_free_extents == 0 ||
               memcmp(a->free_extents, b->free_extents,
                      a->n_free_extents * sizeof(*a->free_extents)) == 0;
}

static bool devices_equal(const storvirt__pool_def *a, const storvirt__pool_def *b) {
        size_t n = storvirt__strv_length(a->source.devices);

        if (n != storvirt__strv_length(b->source.devices))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!STREQ(a->source.devices[i], b->source.devices[i]) ||
                    !device_info_equal(a->source.device_info ? &a->source.device_info[i] : NULL,
                                       b->source.device_info ? &b->source.device_info[i] : NULL))
                        return false;
        return true;
}

static bool adapter_equal(const struct storvirt__pool_adapter *a,
                          const struct storvirt__pool_adapter *b) {
        return a->type == b->type && STREQ(a->name, b->name) &&
               a->has_parentaddr == b->has_parentaddr && a->unique_id == b->unique_id &&
               a->pci_domain == b->pci_domain && a->pci_bus == b->pci_bus &&
               a->pci_slot == b->pci_slot && a->pci_function == b->pci_function &&
               a->pci_multifunction == b->pci_multifunction &&
               STREQ(a->wwnn, b->wwnn) && STREQ(a->wwpn, b->wwpn) &&
               STREQ(a->parent, b->parent) && STREQ(a->parent_wwnn, b->parent_wwnn) &&
               STREQ(a->parent_wwpn, b->parent_wwpn) &&
               STREQ(a->parent_fabric_wwn, b->parent_fabric_wwn) && a->managed == b->managed;
}

static bool auth_equal(const struct storvirt__pool_auth *a, const struct storvirt__pool_auth *b) {
        return STREQ(a->type, b->type) && STREQ(a->username, b->username) &&
               a->has_secret_uuid == b->has_secret_uuid &&
               (!a->has_secret_uuid || storvirt__uuid_equal(&a->secret_uuid, &b->secret_uuid)) &&
               STREQ(a->secret_usage, b->secret_usage);
}

static bool source_equal(const storvirt__pool_def *a, const storvirt__pool_def *b) {
        const typeof(a->source) *x = &a->source, *y = &b->source;

        if (x->n_hosts != y->n_hosts)
                return false;
        for (size_t i = 0; i < x->n_hosts; i++)
                if (!STREQ(x->hosts[i].name, y->hosts[i].name) ||
                    x->hosts[i].port != y->hosts[i].port)
                        return false;
        return devices_equal(a, b) && STREQ(x->dir, y->dir) &&
               adapter_equal(&x->adapter, &y->adapter) && STREQ(x->name, y->name) &&
               STREQ(x->format, y->format) && auth_equal(&x->auth, &y->auth) &&
               STREQ(x->initiator_iqn, y->initiator_iqn) && STREQ(x->protocol_ver, y->protocol_ver) &&
               STREQ(x->vendor, y->vendor) && STREQ(x->product, y->product) &&
               STREQ(x->format_vendor, y->format_vendor) &&
               STREQ(x->format_product, y->format_product);
}

static bool options_equal(const storvirt__pool_def *a, const storvirt__pool_def *b) {
        size_t n = storvirt__strv_length(a->fs_mount_opts);

        if (n != storvirt__strv_length(b->fs_mount_opts) ||
            a->n_rbd_config_opts != b->n_rbd_config_opts)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!STREQ(a->fs_mount_opts[i], b->fs_mount_opts[i]))
                        return false;
        for (size_t i = 0; i < a->n_rbd_config_opts; i++)
                if (!STREQ(a->rbd_config_opts[i].name, b->rbd_config_opts[i].name) ||
                    !STREQ(a->rbd_config_opts[i].value, b->rbd_config_opts[i].value))
                        return false;
        return true;
}

bool storvirt__pool_def_equal(const storvirt__pool_def *a, const storvirt__pool_def *b) {
        if (!a || !b)
                return a == b;
        return STREQ(a->type, b->type) && STREQ(a->name, b->name) &&
               storvirt__uuid_equal(&a->uuid, &b->uuid) && a->capacity == b->capacity &&
               a->allocation == b->allocation && a->available == b->available &&
               a->features.cow == b->features.cow && source_equal(a, b) &&
               STREQ(a->target.path, b->target.path) && a->target.mode == b->target.mode &&
               a->target.owner == b->target.owner && a->target.group == b->target.group &&
               STREQ(a->target.label, b->target.label) &&
               a->refresh_volume_allocation == b->refresh_volume_allocation &&
               options_equal(a, b);
}
