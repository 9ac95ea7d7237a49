/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pool_check.c - the defaults libvirt fills in a pool definition (the
 * source name and pool name of each other, the default format, the
 * derived target path, canonical paths and NFS versions) and the checks
 * it makes, per pool type (conf/pool_types.h).
 */
#include <stdio.h>
#include <string.h>

#include "conf/conf_xml.h"
#include "conf/nfs_version.h"
#include "conf/pool_conf.h"
#include "conf/pool_types.h"
#include "util/macro.h"
#include "util/strv.h"

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

int storvirt__pool_def_validate(storvirt__pool_def *def) {
        const struct pool_type_info *info;
        int r;

        check_nonnull(def);
        info = storvirt__pool_type_info(def->type);
        if (!info)
                return storvirt__error_set(-EINVAL, WHAT ": <pool>: unknown pool type '%s'",
                                           ESC(def->type));
        r = apply_defaults(def, info);
        if (r < 0)
                return r;
        return storvirt__pool_def_check(def);
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
                                                   "not used by '%s' pools",
                                                   storvirt__pool_source_elements[id], info->type);
                if (n > info->src[id])
                        return storvirt__error_set(-EINVAL, WHAT ": <source>: element <%s> "
                                                   "appears more than once",
                                                   storvirt__pool_source_elements[id]);
        }
        for (size_t i = 0; i < ELEMENTSOF(needs); i++)
                if ((info->flags & needs[i].flag) && source_count(def, needs[i].id) == 0)
                        return storvirt__error_set(-EINVAL, WHAT ": <source>: missing element "
                                                   "<%s> (required for '%s' pools)",
                                                   storvirt__pool_source_elements[needs[i].id],
                                                   info->type);
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

int storvirt__pool_def_check(const storvirt__pool_def *def) {
        const struct pool_type_info *info = storvirt__pool_type_info(def->type);
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
