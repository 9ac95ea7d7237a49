/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vol_conf.c - storage volume XML: parsing <volume> for a given pool
 * type (formats, units, permissions, encryption, qcow2 options, backing
 * store), the checks and defaults libvirt applies, the normalised
 * output, and the volume format lists of each pool type.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "conf/conf_attrs.h"
#include "conf/pool_conf.h"
#include "conf/vol_conf.h"
#include "util/fileio.h"
#include "util/macro.h"
#include "util/xml.h"

#define WHAT "volume XML"

#define ESC(s) storvirt__name_escape((s), (char[STORVIRT__ESCAPED_NAME_SIZE]){ 0 }, \
                                     STORVIRT__ESCAPED_NAME_SIZE)

/* ---- names, types and formats ------------------------------------------ */

static const char *const vol_types[] = {
        "file", "block", "dir", "network", "netdir", "ploop", NULL,
};

static const char *const file_formats[] = {
        "raw", "dir", "bochs", "cloop", "dmg", "iso", "vpc", "vdi", "fat", "vhd", "ploop",
        "cow", "qcow", "qcow2", "qed", "vmdk", NULL,
};
static const char *const rbd_formats[] = { "raw", NULL };
static const char *const disk_formats[] = {
        "none", "linux", "fat16", "fat32", "linux-swap", "linux-lvm", "linux-raid", "extended",
        NULL,
};
/* Without a pool type: every value the volume schema knows. */
static const char *const any_formats[] = {
        "unknown", "raw", "dir", "bochs", "cloop", "dmg", "iso", "vpc", "vdi", "fat", "vhd",
        "ploop", "luks", "cow", "qcow", "qcow2", "qed", "vmdk",
        "none", "auto", "ext2", "ext3", "ext4", "ufs", "iso9660", "udf", "gfs", "gfs2", "vfat",
        "hfs+", "xfs", "ocfs2", "vmfs",
        "linux", "fat16", "fat32", "linux-swap", "linux-lvm", "linux-raid", "extended", NULL,
};
static const char *const backing_formats[] = { "cow", "qcow", "qcow2", "qed", "vmdk", NULL };
static const char *const enc_formats[] = {
        "default", "qcow", "luks", "luks2", "luks-any", NULL,
};
static const char *const enc_engines[] = { "qemu", "librbd", NULL };

const char *storvirt__vol_type_to_string(int type) {
        if (type < 0 || type >= (int) ELEMENTSOF(vol_types) - 1)
                return NULL;
        return vol_types[type];
}

int storvirt__vol_type_from_string(const char *s) {
        int i = storvirt__conf_lookup(vol_types, s);

        return i >= 0 ? i : -EINVAL;
}

const char *const *storvirt__vol_formats(const char *pool_type) {
        static const char *const file_pools[] = {
                "dir", "fs", "netfs", "gluster", "vstorage", NULL,
        };

        if (!pool_type)
                return NULL;
        if (storvirt__conf_lookup(file_pools, pool_type) >= 0)
                return file_formats;
        if (strcmp(pool_type, "rbd") == 0)
                return rbd_formats;
        if (strcmp(pool_type, "disk") == 0)
                return disk_formats;
        return NULL;
}

const char *storvirt__vol_default_format(const char *pool_type) {
        const char *const *f = storvirt__vol_formats(pool_type);

        return f ? f[0] : NULL;
}

bool storvirt__vol_format_is_valid(const char *pool_type, const char *format) {
        return storvirt__conf_lookup(storvirt__vol_formats(pool_type), format) >= 0;
}

bool storvirt__vol_format_has_backing(const char *format) {
        return storvirt__conf_lookup(backing_formats, format) >= 0;
}

/* The formats accepted for pool_type (NULL: the schema's), NULL if none. */
static const char *const *accepted_formats(const char *pool_type) {
        return pool_type ? storvirt__vol_formats(pool_type) : any_formats;
}

int storvirt__vol_name_validate(const char *name) {
        if (!name || !*name)
                return storvirt__error_set(-EINVAL, WHAT ": <name>: empty volume name");
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
                return storvirt__error_set(-EINVAL,
                        WHAT ": <name>: volume name '%s' is not allowed", name);
        if (strchr(name, '/'))
                return storvirt__error_set(-EINVAL,
                        WHAT ": <name>: volume name '%s' contains '/'", ESC(name));
        if (storvirt__has_control_char(name))
                return storvirt__error_set(-EINVAL, WHAT ": <name>: volume name '%s' contains a "
                                           "control character", ESC(name));
        if (strlen(name) > 255)
                return storvirt__error_set(-EINVAL, WHAT ": <name>: volume name '%s' is longer "
                                           "than 255 bytes", ESC(name));
        return 0;
}

/* ---- allocation -------------------------------------------------------- */

static void encryption_clear(struct storvirt__vol_encryption *e) {
        free(e->format);
        free(e->engine);
        for (size_t i = 0; i < e->n_secrets; i++)
                free(e->secrets[i].usage);
        free(e->secrets);
        free(e->cipher_name);
        free(e->cipher_mode);
        free(e->cipher_hash);
        free(e->ivgen_name);
        free(e->ivgen_hash);
}

void storvirt__vol_def_free(storvirt__vol_def *def) {
        if (!def)
                return;
        free(def->name);
        free(def->key);
        for (size_t i = 0; i < def->n_source_devices; i++) {
                free(def->source_devices[i].path);
                free(def->source_devices[i].extents);
        }
        free(def->source_devices);
        free(def->target.path);
        free(def->target.format);
        free(def->target.label);
        free(def->target.compat);
        encryption_clear(&def->target.encryption);
        free(def->backing.path);
        free(def->backing.format);
        free(def->backing.label);
        free(def);
}

static storvirt__vol_def *def_alloc(void) {
        storvirt__vol_def *def = calloc(1, sizeof(*def));

        if (!def)
                return NULL;
        def->target.mode = def->target.owner = def->target.group = -1;
        def->backing.mode = def->backing.owner = def->backing.group = -1;
        return def;
}

int storvirt__vol_def_new(const char *name, uint64_t capacity, storvirt__vol_def **ret) {
        storvirt__vol_def *def;
        int r;

        check_nonnull(ret);
        r = storvirt__vol_name_validate(name);
        if (r < 0)
                return r;
        def = def_alloc();
        if (!def || !(def->name = strdup(name))) {
                storvirt__vol_def_free(def);
                return storvirt__error_oom();
        }
        def->capacity = def->allocation = capacity;
        def->has_capacity = true;
        *ret = def;
        return 0;
}

/* ---- parsing ----------------------------------------------------------- */

static int parse_extent(xmlNodePtr node, struct storvirt__vol_source_device *dev) {
        struct storvirt__vol_extent e, *v;
        int r;

        r = storvirt__conf_check_children(node, WHAT, "<source><device><extent>", NULL, 0, NULL);
        if (r >= 0)
                r = storvirt__xml_get_prop_uint64(node, "start", true, 0, &e.start);
        if (r >= 0)
                r = storvirt__xml_get_prop_uint64(node, "end", true, 0, &e.end);
        if (r < 0)
                return storvirt__error_prefix(WHAT ": <source><device>");
        v = realloc(dev->extents, (dev->n_extents + 1) * sizeof(*v));
        if (!v)
                return storvirt__error_oom();
        dev->extents = v;
        v[dev->n_extents++] = e;
        return 0;
}

static int parse_source_device(xmlNodePtr node, storvirt__vol_def *def) {
        static const struct storvirt__conf_child rules[] = { { "extent", 0 } };
        struct storvirt__vol_source_device *dev, *v;
        xmlNodePtr c;
        int r;

        r = storvirt__conf_check_children(node, WHAT, "<source><device>", rules,
                                          ELEMENTSOF(rules), NULL);
        if (r < 0)
                return r;
        if (!storvirt__xml_prop(node, "path"))
                return storvirt__error_set(-EINVAL,
                        WHAT ": <source><device>: missing attribute 'path'");
        v = realloc(def->source_devices, (def->n_source_devices + 1) * sizeof(*v));
        if (!v)
                return storvirt__error_oom();
        def->source_devices = v;
        dev = &v[def->n_source_devices++];
        *dev = (struct storvirt__vol_source_device){ NULL, NULL, 0 };
        r = storvirt__xml_get_prop(node, "path", &dev->path);
        STORVIRT__XML_FOREACH_CHILD(c, node, "extent")
                if (r >= 0)
                        r = parse_extent(c, dev);
        return r < 0 ? r : 0;
}

static int parse_source(xmlNodePtr node, storvirt__vol_def *def) {
        static const struct storvirt__conf_child rules[] = { { "device", 0 } };
        xmlNodePtr c;
        int r;

        r = storvirt__conf_check_children(node, WHAT, "<source>", rules, ELEMENTSOF(rules), NULL);
        STORVIRT__XML_FOREACH_CHILD(c, node, "device")
                if (r >= 0)
                        r = parse_source_device(c, def);
        return r;
}

/* "sec[.frac]" with up to 9 fraction digits. */
static int parse_timestamp(xmlNodePtr node, const char *where, struct storvirt__vol_timestamp *ts) {
        _cleanup_free_ char *text = NULL;
        uint64_t sec = 0;
        uint32_t nsec = 0, scale = 100000000;
        const char *p;
        int r;

        r = storvirt__conf_leaf_text(node, WHAT, where, &text);
        if (r < 0)
                return r;
        for (p = text; p && *p >= '0' && *p <= '9'; p++) {
                if (sec > (UINT64_MAX - 9) / 10)
                        goto bad;
                sec = sec * 10 + (uint64_t)(*p - '0');
        }
        if (!p || p == text)
                goto bad;
        if (*p == '.')
                for (p++; *p >= '0' && *p <= '9' && scale > 0; p++, scale /= 10)
                        nsec += (uint32_t)(*p - '0') * scale;
        if (*p != '\0')
                goto bad;
        *ts = (struct storvirt__vol_timestamp){ true, sec, nsec };
        return 0;
bad:
        return storvirt__error_set(-EINVAL, WHAT ": %s: '%s' is not a time stamp "
                                   "(seconds[.nanoseconds])", where, ESC(text ? text : ""));
}

static int parse_timestamps(xmlNodePtr node, const char *where,
                            struct storvirt__vol_timestamps *ts) {
        static const struct storvirt__conf_child rules[] = {
                { "atime", 1 }, { "btime", 1 }, { "ctime", 1 }, { "mtime", 1 },
        };
        struct storvirt__vol_timestamp *fields[] = { &ts->atime, &ts->btime, &ts->ctime, &ts->mtime };
        char w[96];
        int r;

        snprintf(w, sizeof(w), "%s<timestamps>", where);
        r = storvirt__conf_check_children(node, WHAT, w, rules, ELEMENTSOF(rules), NULL);
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(rules); i++) {
                xmlNodePtr c = storvirt__xml_child(node, rules[i].name);
                char cw[128];

                if (!c)
                        continue;
                snprintf(cw, sizeof(cw), "%s<%s>", w, rules[i].name);
                r = parse_timestamp(c, cw, fields[i]);
        }
        return r;
}

static int parse_format(xmlNodePtr node, const char *pool_type, const char *where, char **ret) {
        const char *const *formats = accepted_formats(pool_type);
        const char *type = storvirt__xml_prop(node, "type");
        int r;

        r = storvirt__conf_check_children(node, WHAT, where, NULL, 0, NULL);
        if (r < 0)
                return r;
        if (!type)
                return storvirt__error_set(-EINVAL, WHAT ": %s: missing attribute 'type'", where);
        if (!formats)
                return 0;       /* the pool type has no volume formats: ignored */
        if (storvirt__conf_lookup(formats, type) < 0)
                return storvirt__error_set(-EINVAL, WHAT ": %s: unknown format '%s'%s%s%s", where,
                                           ESC(type), pool_type ? " for '" : "",
                                           pool_type ? pool_type : "", pool_type ? "' pools" : "");
        return storvirt__conf_strdup(type, ret);
}

static int parse_secret(xmlNodePtr node, struct storvirt__vol_encryption *enc) {
        const char *where = "<target><encryption><secret>";
        const char *type = storvirt__xml_prop(node, "type");
        const char *uuid = storvirt__xml_prop(node, "uuid");
        const char *usage = storvirt__xml_prop(node, "usage");
        struct storvirt__vol_secret s = { false }, *v;
        int r;

        r = storvirt__conf_check_children(node, WHAT, where, NULL, 0, NULL);
        if (r < 0)
                return r;
        if (!type || strcmp(type, "passphrase") != 0)
                return storvirt__error_set(-EINVAL, WHAT ": %s: type '%s' is not 'passphrase'",
                                           where, ESC(type ? type : ""));
        if (!uuid == !usage)
                return storvirt__error_set(-EINVAL, WHAT ": %s: exactly one of the attributes "
                                           "'uuid' and 'usage' is needed", where);
        if (uuid && storvirt__uuid_parse(uuid, &s.uuid) < 0)
                return storvirt__error_set(-EINVAL, WHAT ": %s: uuid '%s' is not a valid UUID",
                                           where, ESC(uuid));
        s.has_uuid = uuid != NULL;
        if (usage && !(s.usage = strdup(usage)))
                return storvirt__error_oom();
        v = realloc(enc->secrets, (enc->n_secrets + 1) * sizeof(*v));
        if (!v) {
                free(s.usage);
                return storvirt__error_oom();
        }
        enc->secrets = v;
        v[enc->n_secrets++] = s;
        return 0;
}

static int get_attr(xmlNodePtr node, const char *attr, bool required, const char *where,
                    char **ret) {
        int r = storvirt__xml_get_prop(node, attr, ret);

        if (r == 0 && required)
                return storvirt__error_set(-EINVAL, WHAT ": %s: missing attribute '%s'", where,
                                           attr);
        return r < 0 ? r : 0;
}

static int parse_cipher_ivgen(xmlNodePtr cipher, xmlNodePtr ivgen,
                              struct storvirt__vol_encryption *enc) {
        const char *cw = "<target><encryption><cipher>", *iw = "<target><encryption><ivgen>";
        int r = 0;

        if (cipher) {
                r = storvirt__conf_check_children(cipher, WHAT, cw, NULL, 0, NULL);
                if (r >= 0)
                        r = get_attr(cipher, "name", true, cw, &enc->cipher_name);
                if (r >= 0 && (r = storvirt__xml_get_prop_uint(cipher, "size", true, 0,
                                                               &enc->cipher_size)) < 0)
                        r = storvirt__error_prefix(WHAT ": <target><encryption>");
                if (r >= 0)
                        r = get_attr(cipher, "mode", false, cw, &enc->cipher_mode);
                if (r >= 0)
                        r = get_attr(cipher, "hash", false, cw, &enc->cipher_hash);
        }
        if (r >= 0 && ivgen) {
                r = storvirt__conf_check_children(ivgen, WHAT, iw, NULL, 0, NULL);
                if (r >= 0)
                        r = get_attr(ivgen, "name", true, iw, &enc->ivgen_name);
                if (r >= 0)
                        r = get_attr(ivgen, "hash", false, iw, &enc->ivgen_hash);
        }
        return r < 0 ? r : 0;
}

static int parse_encryption(xmlNodePtr node, struct storvirt__vol_encryption *enc) {
        static const struct storvirt__conf_child rules[] = {
                { "secret", 1 }, { "cipher", 1 }, { "ivgen", 1 },
        };
        const char *where = "<target><encryption>";
        xmlNodePtr c;
        int r;

        r = storvirt__conf_check_children(node, WHAT, where, rules, ELEMENTSOF(rules), NULL);
        if (r >= 0)
                r = get_attr(node, "format", true, where, &enc->format);
        if (r >= 0)
                r = get_attr(node, "engine", false, where, &enc->engine);
        if (r < 0)
                return r;
        if ((c = storvirt__xml_child(node, "secret")) && (r = parse_secret(c, enc)) < 0)
                return r;
        return parse_cipher_ivgen(storvirt__xml_child(node, "cipher"),
                                  storvirt__xml_child(node, "ivgen"), enc);
}

static int parse_features(xmlNodePtr node, storvirt__vol_def *def) {
        static const struct storvirt__conf_child rules[] = {
                { "lazy_refcounts", 1 }, { "extended_l2", 1 },
        };
        xmlNodePtr c;
        int r;

        r = storvirt__conf_check_children(node, WHAT, "<target><features>", rules,
                                          ELEMENTSOF(rules), NULL);
        if (r < 0)
                return r;
        def->target.has_features = true;
        if ((c = storvirt__xml_child(node, "lazy_refcounts"))) {
                r = storvirt__conf_check_children(c, WHAT, "<target><features><lazy_refcounts>",
                                                  NULL, 0, NULL);
                def->target.lazy_refcounts = true;
        }
        if (r >= 0 && (c = storvirt__xml_child(node, "extended_l2"))) {
                r = storvirt__conf_check_children(c, WHAT, "<target><features><extended_l2>",
                                                  NULL, 0, NULL);
                def->target.extended_l2 = true;
        }
        return r;
}

static int parse_target_misc(xmlNodePtr node, storvirt__vol_def *def) {
        xmlNodePtr c;
        int r = 0;

        if ((c = storvirt__xml_child(node, "timestamps")))
                r = parse_timestamps(c, "<target>", &def->target.timestamps);
        if (r >= 0 && (c = storvirt__xml_child(node, "encryption")))
                r = parse_encryption(c, &def->target.encryption);
        if (r >= 0 && (c = storvirt__xml_child(node, "compat")))
                r = storvirt__conf_leaf_text(c, WHAT, "<target><compat>", &def->target.compat);
        if (r >= 0 && (c = storvirt__xml_child(node, "nocow"))) {
                r = storvirt__conf_check_children(c, WHAT, "<target><nocow>", NULL, 0, NULL);
                def->target.nocow = true;
        }
        if (r >= 0 && (c = storvirt__xml_child(node, "clusterSize")))
                r = storvirt__conf_parse_size(c, WHAT, "<target><clusterSize>", 0,
                                              &def->target.cluster_size);
        if (r >= 0 && (c = storvirt__xml_child(node, "features")))
                r = parse_features(c, def);
        return r;
}

static int parse_target(xmlNodePtr node, const char *pool_type, storvirt__vol_def *def) {
        static const struct storvirt__conf_child rules[] = {
                { "path", 1 }, { "format", 1 }, { "permissions", 1 }, { "timestamps", 1 },
                { "encryption", 1 }, { "compat", 1 }, { "nocow", 1 }, { "clusterSize", 1 },
                { "features", 1 },
        };
        xmlNodePtr c;
        int r;

        r = storvirt__conf_check_children(node, WHAT, "<target>", rules, ELEMENTSOF(rules), NULL);
        if (r >= 0 && (c = storvirt__xml_child(node, "path")))
                r = storvirt__conf_leaf_text(c, WHAT, "<target><path>", &def->target.path);
        if (r >= 0 && (c = storvirt__xml_child(node, "format")))
                r = parse_format(c, pool_type, "<target><format>", &def->target.format);
        if (r >= 0 && (c = storvirt__xml_child(node, "permissions")))
                r = storvirt__conf_parse_perms(c, WHAT, "<target><permissions>",
                                               &def->target.mode, &def->target.owner,
                                               &def->target.group, &def->target.label);
        if (r >= 0)
                r = parse_target_misc(node, def);
        return r;
}

static int parse_backing(xmlNodePtr node, const char *pool_type, storvirt__vol_def *def) {
        static const struct storvirt__conf_child rules[] = {
                { "path", 1 }, { "format", 1 }, { "permissions", 1 }, { "timestamps", 1 },
        };
        xmlNodePtr c;
        int r;

        r = storvirt__conf_check_children(node, WHAT, "<backingStore>", rules,
                                          ELEMENTSOF(rules), NULL);
        if (r >= 0 && (c = storvirt__xml_child(node, "path")))
                r = storvirt__conf_leaf_text(c, WHAT, "<backingStore><path>", &def->backing.path);
        if (r >= 0 && !def->backing.path)
                return storvirt__error_set(-EINVAL,
                        WHAT ": <backingStore>: missing element <path>");
        if (r >= 0 && (c = storvirt__xml_child(node, "format")))
                r = parse_format(c, pool_type, "<backingStore><format>", &def->backing.format);
        if (r >= 0 && (c = storvirt__xml_child(node, "permissions")))
                r = storvirt__conf_parse_perms(c, WHAT, "<backingStore><permissions>",
                                               &def->backing.mode, &def->backing.owner,
                                               &def->backing.group, &def->backing.label);
        if (r >= 0 && (c = storvirt__xml_child(node, "timestamps")))
                r = parse_timestamps(c, "<backingStore>", &def->backing.timestamps);
        return r;
}

static int parse_sizes(xmlNodePtr root, storvirt__vol_def *def) {
        xmlNodePtr c;
        int r = 0;

        if ((c = storvirt__xml_child(root, "capacity"))) {
                r = storvirt__conf_parse_size(c, WHAT, "<capacity>", LLONG_MAX, &def->capacity);
                def->has_capacity = r >= 0;
        }
        if (r >= 0 && (c = storvirt__xml_child(root, "allocation"))) {
                r = storvirt__conf_parse_size(c, WHAT, "<allocation>", LLONG_MAX,
                                              &def->allocation);
                def->has_allocation = r >= 0;
        }
        if (r >= 0 && (c = storvirt__xml_child(root, "physical")))
                r = storvirt__conf_parse_size(c, WHAT, "<physical>", LLONG_MAX, &def->physical);
        return r;
}

static int parse_root(xmlNodePtr root, const char *pool_type, storvirt__vol_def *def) {
        static const struct storvirt__conf_child rules[] = {
                { "name", 1 }, { "key", 1 }, { "source", 1 }, { "capacity", 1 },
                { "allocation", 1 }, { "physical", 1 }, { "target", 1 }, { "backingStore", 1 },
        };
        const char *type = storvirt__xml_prop(root, "type");
        xmlNodePtr c;
        int r;

        r = storvirt__conf_check_children(root, WHAT, "<volume>", rules, ELEMENTSOF(rules), NULL);
        if (r < 0)
                return r;
        if (type && (def->type = storvirt__vol_type_from_string(type)) < 0)
                return storvirt__error_set(-EINVAL, WHAT ": <volume>: unknown volume type '%s'",
                                           ESC(type));
        if ((c = storvirt__xml_child(root, "name")) &&
            (r = storvirt__conf_leaf_text(c, WHAT, "<name>", &def->name)) < 0)
                return r;
        if (!def->name)
                return storvirt__error_set(-EINVAL, WHAT ": <volume>: missing element <name>");
        if ((c = storvirt__xml_child(root, "key")))
                r = storvirt__conf_leaf_text(c, WHAT, "<key>", &def->key);
        if (r >= 0 && (c = storvirt__xml_child(root, "source")))
                r = parse_source(c, def);
        if (r >= 0)
                r = parse_sizes(root, def);
        if (r >= 0 && (c = storvirt__xml_child(root, "target")))
                r = parse_target(c, pool_type, def);
        if (r >= 0 && (c = storvirt__xml_child(root, "backingStore")))
                r = parse_backing(c, pool_type, def);
        return r;
}

static int apply_defaults(storvirt__vol_def *def, const char *pool_type) {
        const char *format = storvirt__vol_default_format(pool_type);

        if (!def->has_allocation)
                def->allocation = def->capacity;
        if (format && !def->target.format && !(def->target.format = strdup(format)))
                return storvirt__error_oom();
        if (format && def->backing.path && !def->backing.format &&
            !(def->backing.format = strdup(format)))
                return storvirt__error_oom();
        if (def->target.has_features && !def->target.compat &&
            !(def->target.compat = strdup("1.1")))
                return storvirt__error_oom();
        return 0;
}

static int check_def(const storvirt__vol_def *def, const char *pool_type);

int storvirt__vol_def_parse(const char *xml, size_t len, const char *pool_type, uint32_t flags,
                            storvirt__vol_def **ret) {
        _cleanup_xml_doc_ xmlDocPtr doc = NULL;
        _cleanup_vol_def_ storvirt__vol_def *def = NULL;
        xmlNodePtr root;
        int r;

        check_nonnull(ret);
        check_flags(flags, STORVIRT__VOL_PARSE_OPT_CAPACITY | STORVIRT__VOL_PARSE_NO_CAPACITY);
        if (pool_type && !storvirt__pool_type_is_valid(pool_type))
                return storvirt__error_set(-EINVAL, WHAT ": unknown pool type '%s'",
                                           ESC(pool_type));
        r = storvirt__xml_parse(xml, len, STORVIRT__VOL_XML_MAX, WHAT, &doc);
        if (r < 0)
                return r;
        r = storvirt__xml_root(doc, "volume", WHAT, &root);
        if (r < 0)
                return r;
        def = def_alloc();
        if (!def)
                return storvirt__error_oom();
        r = parse_root(root, pool_type, def);
        if (r < 0)
                return r;
        if (!def->has_capacity && !(flags & STORVIRT__VOL_PARSE_NO_CAPACITY) &&
            !((flags & STORVIRT__VOL_PARSE_OPT_CAPACITY) && def->backing.path))
                return storvirt__error_set(-EINVAL, WHAT ": <volume>: missing element <capacity>");
        r = apply_defaults(def, pool_type);
        if (r >= 0)
                r = check_def(def, pool_type);
        if (r >= 0)
                r = storvirt__vol_xml_check_attributes(root);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(def);
        return 0;
}

/* ---- checks ------------------------------------------------------------ */

/* "N.N"; *ret = major * 2^32 + minor for comparisons. */
static int parse_compat(const char *s, uint64_t *ret) {
        uint64_t part[2] = { 0, 0 };
        const char *p = s;

        for (int i = 0; i < 2; i++) {
                const char *start = p;

                for (; *p >= '0' && *p <= '9'; p++) {
                        part[i] = part[i] * 10 + (uint64_t)(*p - '0');
                        if (part[i] > UINT32_MAX)
                                return -EINVAL;
                }
                if (p == start || *p != (i == 0 ? '.' : '\0'))
                        return -EINVAL;
                p++;
        }
        *ret = part[0] << 32 | part[1];
        return 0;
}

static int check_encryption(const struct storvirt__vol_encryption *e) {
        const char *w = WHAT ": <target><encryption>";

        if (!e->format) {
                if (e->engine || e->n_secrets || e->cipher_name || e->ivgen_name)
                        return storvirt__error_set(-EINVAL, "%s: missing attribute 'format'", w);
                return 0;
        }
        if (storvirt__conf_lookup(enc_formats, e->format) < 0)
                return storvirt__error_set(-EINVAL, "%s: unknown format '%s'", w, ESC(e->format));
        if (e->engine && storvirt__conf_lookup(enc_engines, e->engine) < 0)
                return storvirt__error_set(-EINVAL, "%s: unknown engine '%s' (expected qemu or "
                                           "librbd)", w, ESC(e->engine));
        if (e->n_secrets > 1)
                return storvirt__error_set(-EINVAL, "%s: element <secret> appears more than once",
                                           w);
        for (size_t i = 0; i < e->n_secrets; i++)
                if (e->secrets[i].has_uuid == !!e->secrets[i].usage)
                        return storvirt__error_set(-EINVAL, "%s<secret>: exactly one of the "
                                                   "attributes 'uuid' and 'usage' is needed", w);
        if (!e->cipher_name != !e->ivgen_name)
                return storvirt__error_set(-EINVAL, "%s: <cipher> and <ivgen> go together, got "
                                           "only <%s>", w, e->cipher_name ? "cipher" : "ivgen");
        if (e->cipher_name && strcmp(e->format, "luks") != 0)
                return storvirt__error_set(-EINVAL, "%s: <cipher> and <ivgen> need format 'luks', "
                                           "not '%s'", w, ESC(e->format));
        if (e->cipher_name && e->n_secrets == 0)
                return storvirt__error_set(-EINVAL, "%s: <cipher> needs a <secret>", w);
        if (!e->cipher_mode != !e->cipher_hash)
                return storvirt__error_set(-EINVAL, "%s<cipher>: attributes 'mode' and 'hash' go "
                                           "together, got only '%s'", w,
                                           e->cipher_mode ? "mode" : "hash");
        return 0;
}

static int check_timestamps(const struct storvirt__vol_timestamps *ts, const char *where) {
        const struct storvirt__vol_timestamp *t[] = { &ts->atime, &ts->btime, &ts->ctime, &ts->mtime };

        for (size_t i = 0; i < ELEMENTSOF(t); i++)
                if (t[i]->set && t[i]->nsec > 999999999)
                        return storvirt__error_set(-EINVAL, WHAT ": %s<timestamps>: nanoseconds "
                                                   "%u are above 999999999", where, t[i]->nsec);
        return 0;
}

static int check_format(const char *pool_type, const char *format, const char *where) {
        const char *const *formats = accepted_formats(pool_type);

        if (format && formats && storvirt__conf_lookup(formats, format) < 0)
                return storvirt__error_set(-EINVAL, WHAT ": %s<format>: unknown format '%s'",
                                           where, ESC(format));
        return 0;
}

static int check_target(const storvirt__vol_def *def, const char *pool_type) {
        const typeof(def->target) *t = &def->target;
        uint64_t compat = 0;
        int r;

        if ((r = check_format(pool_type, t->format, "<target>")) < 0 ||
            (r = storvirt__conf_check_perms(WHAT, "<target><permissions>", t->mode, t->owner,
                                            t->group)) < 0 ||
            (r = check_timestamps(&t->timestamps, "<target>")) < 0 ||
            (r = check_encryption(&t->encryption)) < 0)
                return r;
        if (t->path && !*t->path)
                return storvirt__error_set(-EINVAL, WHAT ": <target><path>: empty path");
        if (t->compat && parse_compat(t->compat, &compat) < 0)
                return storvirt__error_set(-EINVAL, WHAT ": <target><compat>: '%s' is not a "
                                           "version (N.N)", ESC(t->compat));
        if ((t->lazy_refcounts || t->extended_l2) && t->compat && compat < ((1ull << 32) | 1))
                return storvirt__error_set(-EINVAL, WHAT ": <target><features>: %s needs "
                                           "<compat> 1.1 or later, not '%s'",
                                           t->lazy_refcounts ? "lazy_refcounts" : "extended_l2",
                                           ESC(t->compat));
        if ((t->lazy_refcounts || t->extended_l2) && !t->has_features)
                return storvirt__error_set(-EINVAL, WHAT ": <target><features>: features set "
                                           "without has_features");
        return 0;
}

static int check_backing(const storvirt__vol_def *def, const char *pool_type) {
        const typeof(def->backing) *b = &def->backing;
        const struct storvirt__vol_timestamps *ts = &b->timestamps;
        int r;

        if (!b->path) {
                if (b->format || b->label || b->mode != -1 || b->owner != -1 || b->group != -1 ||
                    ts->atime.set || ts->btime.set || ts->ctime.set || ts->mtime.set)
                        return storvirt__error_set(-EINVAL,
                                WHAT ": <backingStore>: missing element <path>");
                return 0;
        }
        if (!*b->path)
                return storvirt__error_set(-EINVAL, WHAT ": <backingStore><path>: empty path");
        if ((r = check_format(pool_type, b->format, "<backingStore>")) < 0 ||
            (r = storvirt__conf_check_perms(WHAT, "<backingStore><permissions>", b->mode,
                                            b->owner, b->group)) < 0 ||
            (r = check_timestamps(ts, "<backingStore>")) < 0)
                return r;
        return 0;
}

static int check_def(const storvirt__vol_def *def, const char *pool_type) {
        static const char *const size_names[] = { "capacity", "allocation", "physical" };
        const uint64_t sizes[] = { def->capacity, def->allocation, def->physical };
        int r;

        r = storvirt__vol_name_validate(def->name);
        if (r < 0)
                return r;
        if (!storvirt__vol_type_to_string(def->type))
                return storvirt__error_set(-EINVAL, WHAT ": <volume>: bad volume type %d",
                                           def->type);
        for (size_t i = 0; i < ELEMENTSOF(sizes); i++)
                if (sizes[i] > LLONG_MAX)
                        return storvirt__error_set(-ERANGE, WHAT ": <%s>: %llu is above the "
                                                   "limit of %lld bytes", size_names[i],
                                                   (unsigned long long) sizes[i], LLONG_MAX);
        if (def->key && !*def->key)
                return storvirt__error_set(-EINVAL, WHAT ": <key>: empty key");
        for (size_t i = 0; i < def->n_source_devices; i++)
                if (!def->source_devices[i].path || !*def->source_devices[i].path)
                        return storvirt__error_set(-EINVAL,
                                WHAT ": <source><device>: missing or empty attribute 'path'");
        if ((r = check_target(def, pool_type)) < 0 || (r = check_backing(def, pool_type)) < 0)
                return r;
        return 0;
}

/* ---- formatting -------------------------------------------------------- */

static void write_element_attr(storvirt__xml_writer *w, const char *elem, const char *attr,
                               const char *value) {
        storvirt__xml_writer_start(w, elem);
        storvirt__xml_writer_attr(w, attr, value);
        storvirt__xml_writer_end(w);
}

static void write_source(storvirt__xml_writer *w, const storvirt__vol_def *def) {
        if (def->n_source_devices == 0)
                return;
        storvirt__xml_writer_start(w, "source");
        for (size_t i = 0; i < def->n_source_devices; i++) {
                const struct storvirt__vol_source_device *d = &def->source_devices[i];

                storvirt__xml_writer_start(w, "device");
                storvirt__xml_writer_attr(w, "path", d->path);
                for (size_t j = 0; j < d->n_extents; j++) {
                        storvirt__xml_writer_start(w, "extent");
                        storvirt__xml_writer_attr_printf(w, "start", "%llu",
                                                         (unsigned long long) d->extents[j].start);
                        storvirt__xml_writer_attr_printf(w, "end", "%llu",
                                                         (unsigned long long) d->extents[j].end);
                        storvirt__xml_writer_end(w);
                }
                storvirt__xml_writer_end(w);
        }
        storvirt__xml_writer_end(w);
}

static void write_timestamps(storvirt__xml_writer *w, const struct storvirt__vol_timestamps *ts) {
        const struct { const char *name; const struct storvirt__vol_timestamp *t; } list[] = {
                { "atime", &ts->atime }, { "mtime", &ts->mtime },
                { "ctime", &ts->ctime }, { "btime", &ts->btime },
        };

        if (!ts->atime.set && !ts->btime.set && !ts->ctime.set && !ts->mtime.set)
                return;
        storvirt__xml_writer_start(w, "timestamps");
        for (size_t i = 0; i < ELEMENTSOF(list); i++) {
                char buf[48];

                if (!list[i].t->set)
                        continue;
                if (list[i].t->nsec)
                        snprintf(buf, sizeof(buf), "%llu.%09u",
                                 (unsigned long long) list[i].t->sec, list[i].t->nsec);
                else
                        snprintf(buf, sizeof(buf), "%llu", (unsigned long long) list[i].t->sec);
                storvirt__xml_writer_text_element(w, list[i].name, buf);
        }
        storvirt__xml_writer_end(w);
}

static void write_encryption(storvirt__xml_writer *w, const struct storvirt__vol_encryption *e) {
        char buf[STORVIRT__UUID_STRING_MAX];

        storvirt__xml_writer_start(w, "encryption");
        storvirt__xml_writer_attr(w, "format", e->format);
        if (e->engine)
                storvirt__xml_writer_attr(w, "engine", e->engine);
        for (size_t i = 0; i < e->n_secrets; i++) {
                storvirt__xml_writer_start(w, "secret");
                storvirt__xml_writer_attr(w, "type", "passphrase");
                if (e->secrets[i].has_uuid)
                        storvirt__xml_writer_attr(w, "uuid",
                                                  storvirt__uuid_format(&e->secrets[i].uuid, buf));
                else
                        storvirt__xml_writer_attr(w, "usage", e->secrets[i].usage);
                storvirt__xml_writer_end(w);
        }
        if (e->cipher_name) {
                storvirt__xml_writer_start(w, "cipher");
                storvirt__xml_writer_attr(w, "name", e->cipher_name);
                storvirt__xml_writer_attr_printf(w, "size", "%u", e->cipher_size);
                if (e->cipher_mode)
                        storvirt__xml_writer_attr(w, "mode", e->cipher_mode);
                if (e->cipher_hash)
                        storvirt__xml_writer_attr(w, "hash", e->cipher_hash);
                storvirt__xml_writer_end(w);
                storvirt__xml_writer_start(w, "ivgen");
                storvirt__xml_writer_attr(w, "name", e->ivgen_name);
                if (e->ivgen_hash)
                        storvirt__xml_writer_attr(w, "hash", e->ivgen_hash);
                storvirt__xml_writer_end(w);
        }
        storvirt__xml_writer_end(w);
}

static void write_features(storvirt__xml_writer *w, const storvirt__vol_def *def) {
        storvirt__xml_writer_start(w, "features");
        if (def->target.lazy_refcounts) {
                storvirt__xml_writer_start(w, "lazy_refcounts");
                storvirt__xml_writer_end(w);
        }
        if (def->target.extended_l2) {
                storvirt__xml_writer_start(w, "extended_l2");
                storvirt__xml_writer_end(w);
        }
        storvirt__xml_writer_end(w);
}

static void write_target(storvirt__xml_writer *w, const storvirt__vol_def *def,
                         bool formats) {
        const typeof(def->target) *t = &def->target;

        storvirt__xml_writer_start(w, "target");
        if (t->path)
                storvirt__xml_writer_text_element(w, "path", t->path);
        if (t->format && formats)
                write_element_attr(w, "format", "type", t->format);
        storvirt__conf_write_perms(w, t->mode, t->owner, t->group, t->label);
        write_timestamps(w, &t->timestamps);
        if (t->encryption.format)
                write_encryption(w, &t->encryption);
        if (t->compat)
                storvirt__xml_writer_text_element(w, "compat", t->compat);
        if (t->nocow) {
                storvirt__xml_writer_start(w, "nocow");
                storvirt__xml_writer_end(w);
        }
        if (t->cluster_size)
                storvirt__conf_write_size(w, "clusterSize", "B", t->cluster_size);
        if (t->has_features)
                write_features(w, def);
        storvirt__xml_writer_end(w);
}

static void write_backing(storvirt__xml_writer *w, const storvirt__vol_def *def, bool formats) {
        const typeof(def->backing) *b = &def->backing;

        storvirt__xml_writer_start(w, "backingStore");
        storvirt__xml_writer_text_element(w, "path", b->path);
        if (b->format && formats)
                write_element_attr(w, "format", "type", b->format);
        storvirt__conf_write_perms(w, b->mode, b->owner, b->group, b->label);
        write_timestamps(w, &b->timestamps);
        storvirt__xml_writer_end(w);
}

int storvirt__vol_def_format(const storvirt__vol_def *def, const char *pool_type, char **ret_xml) {
        _cleanup_xml_writer_ storvirt__xml_writer *w = NULL;
        bool formats = accepted_formats(pool_type) != NULL;
        int r;

        check_nonnull(def);
        check_nonnull(ret_xml);
        if (pool_type && !storvirt__pool_type_is_valid(pool_type))
                return storvirt__error_set(-EINVAL, WHAT ": unknown pool type '%s'",
                                           ESC(pool_type));
        r = check_def(def, pool_type);
        if (r < 0)
                return r;
        r = storvirt__xml_writer_new(&w);
        if (r < 0)
                return r;
        storvirt__xml_writer_start(w, "volume");
        storvirt__xml_writer_attr(w, "type", storvirt__vol_type_to_string(def->type));
        storvirt__xml_writer_text_element(w, "name", def->name);
        if (def->key)
                storvirt__xml_writer_text_element(w, "key", def->key);
        write_source(w, def);
        if (def->has_capacity)
                storvirt__conf_write_size(w, "capacity", "bytes", def->capacity);
        if (def->has_allocation)
                storvirt__conf_write_size(w, "allocation", "bytes", def->allocation);
        if (def->physical)
                storvirt__conf_write_size(w, "physical", "bytes", def->physical);
        write_target(w, def, formats);
        if (def->backing.path)
                write_backing(w, def, formats);
        storvirt__xml_writer_end(w);
        r = storvirt__xml_writer_finish(w, ret_xml, NULL);
        if (r < 0)
                return storvirt__error_prefix(WHAT);
        return 0;
}

/* ---- comparison -------------------------------------------------------- */

#define STREQ(a, b) storvirt__conf_streq((a), (b))

static bool timestamps_equal(const struct storvirt__vol_timestamps *a,
                             const struct storvirt__vol_timestamps *b) {
        const struct storvirt__vol_timestamp *x[] = { &a->atime, &a->btime, &a->ctime, &a->mtime };
        const struct storvirt__vol_timestamp *y[] = { &b->atime, &b->btime, &b->ctime, &b->mtime };

        for (size_t i = 0; i < ELEMENTSOF(x); i++)
                if (x[i]->set != y[i]->set ||
                    (x[i]->set && (x[i]->sec != y[i]->sec || x[i]->nsec != y[i]->nsec)))
                        return false;
        return true;
}

static bool encryption_equal(const struct storvirt__vol_encryption *a,
                             const struct storvirt__vol_encryption *b) {
        if (!STREQ(a->format, b->format) || !STREQ(a->engine, b->engine) ||
            a->n_secrets != b->n_secrets || !STREQ(a->cipher_name, b->cipher_name) ||
            a->cipher_size != b->cipher_size || !STREQ(a->cipher_mode, b->cipher_mode) ||
            !STREQ(a->cipher_hash, b->cipher_hash) || !STREQ(a->ivgen_name, b->ivgen_name) ||
            !STREQ(a->ivgen_hash, b->ivgen_hash))
                return false;
        for (size_t i = 0; i < a->n_secrets; i++)
                if (a->secrets[i].has_uuid != b->secrets[i].has_uuid ||
                    (a->secrets[i].has_uuid &&
                     !storvirt__uuid_equal(&a->secrets[i].uuid, &b->secrets[i].uuid)) ||
                    !STREQ(a->secrets[i].usage, b->secrets[i].usage))
                        return false;
        return true;
}

static bool source_equal(const storvirt__vol_def *a, const storvirt__vol_def *b) {
        if (a->n_source_devices != b->n_source_devices)
                return false;
        for (size_t i = 0; i < a->n_source_devices; i++) {
                const struct storvirt__vol_source_device *x = &a->source_devices[i],
                                                         *y = &b->source_devices[i];

                if (!STREQ(x->path, y->path) || x->n_extents != y->n_extents ||
                    (x->n_extents &&
                     memcmp(x->extents, y->extents, x->n_extents * sizeof(*x->extents)) != 0))
                        return false;
        }
        return true;
}

static bool target_equal(const storvirt__vol_def *a, const storvirt__vol_def *b) {
        const typeof(a->target) *x = &a->target, *y = &b->target;

        return STREQ(x->path, y->path) && STREQ(x->format, y->format) && x->mode == y->mode &&
               x->owner == y->owner && x->group == y->group && STREQ(x->label, y->label) &&
               STREQ(x->compat, y->compat) && x->nocow == y->nocow &&
               x->cluster_size == y->cluster_size && x->has_features == y->has_features &&
               x->lazy_refcounts == y->lazy_refcounts && x->extended_l2 == y->extended_l2 &&
               timestamps_equal(&x->timestamps, &y->timestamps) &&
               encryption_equal(&x->encryption, &y->encryption);
}

static bool backing_equal(const storvirt__vol_def *a, const storvirt__vol_def *b) {
        const typeof(a->backing) *x = &a->backing, *y = &b->backing;

        return STREQ(x->path, y->path) && STREQ(x->format, y->format) && x->mode == y->mode &&
               x->owner == y->owner && x->group == y->group && STREQ(x->label, y->label) &&
               timestamps_equal(&x->timestamps, &y->timestamps);
}

bool storvirt__vol_def_equal(const storvirt__vol_def *a, const storvirt__vol_def *b) {
        if (!a || !b)
                return a == b;
        return STREQ(a->name, b->name) && STREQ(a->key, b->key) && a->type == b->type &&
               a->capacity == b->capacity && a->allocation == b->allocation &&
               a->physical == b->physical && a->has_allocation == b->has_allocation &&
               a->has_capacity == b->has_capacity && source_equal(a, b) &&
               target_equal(a, b) && backing_equal(a, b);
}
