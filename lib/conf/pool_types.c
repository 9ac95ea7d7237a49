/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pool_types.c - the pool types of libvirt's storagepool schema in one
 * table (which <source> children, target and formats each type has),
 * the queries on it, pool name rules, and the allocation of a
 * storvirt__pool_def.
 */
#include <stdio.h>
#include <string.h>

#include "conf/conf_xml.h"
#include "conf/pool_conf.h"
#include "conf/pool_types.h"
#include "util/macro.h"
#include "util/strv.h"
#include "util/uuid.h"

const char *const storvirt__pool_source_elements[S__MAX] = {
        [S_HOST] = "host", [S_DEVICE] = "device", [S_DIR] = "dir", [S_ADAPTER] = "adapter",
        [S_NAME] = "name", [S_INITIATOR] = "initiator", [S_FORMAT] = "format",
        [S_AUTH] = "auth", [S_PROTOCOL] = "protocol", [S_VENDOR] = "vendor",
        [S_PRODUCT] = "product",
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

const struct pool_type_info *storvirt__pool_type_info(const char *type) {
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
        return storvirt__pool_type_info(type) != NULL;
}

const char *const *storvirt__pool_formats(const char *type) {
        const struct pool_type_info *info = storvirt__pool_type_info(type);

        return info ? info->formats : NULL;
}

const char *storvirt__pool_default_format(const char *type) {
        const struct pool_type_info *info = storvirt__pool_type_info(type);

        return info ? info->default_format : NULL;
}

bool storvirt__pool_type_has_target(const char *type) {
        const struct pool_type_info *info = storvirt__pool_type_info(type);

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

storvirt__pool_def *storvirt__pool_def_alloc(void) {
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
        if (!storvirt__pool_type_info(type))
                return storvirt__error_set(-EINVAL, WHAT ": <pool>: unknown pool type '%s'",
                                           ESC(type));
        r = storvirt__pool_name_validate(name);
        if (r < 0)
                return r;
        def = storvirt__pool_def_alloc();
        if (!def || !(def->type = strdup(type)) || !(def->name = strdup(name)))
                return storvirt__error_oom();
        r = storvirt__uuid_generate_v4(&def->uuid);
        if (r < 0)
                return storvirt__error_set(r, WHAT ": <uuid>: cannot generate a UUID");
        *ret = TAKE_PTR(def);
        return 0;
}
