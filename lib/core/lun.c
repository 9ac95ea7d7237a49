/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lun.c - the public LUN API (storvirt/lun.h).
 *
 * A discovery pass (the context's sys-ops table: libudev + sysfs, then a
 * usage probe per LUN, in parallel) gives an immutable snapshot with four
 * hash indexes; the context keeps the current one.  A handle references
 * its snapshot, so getters need no lock and a refresh never changes what
 * a handle shows.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "objects/ctx.h"
#include "core/lun.h"
#include "objects/holders.h"
#include <limits.h>
#include "util/hashmap.h"
#include "util/json.h"
#include "util/log.h"
#include "util/macro.h"
#include "util/parallel.h"
#include "util/refcnt.h"
#include "util/strv.h"

struct storvirt_lun {
        storvirt__refcnt n_ref;
        storvirt__lun_snap *snap;
        size_t idx;
        storvirt_ctx *ctx;      /* referenced: which vDisk holds the LUN is asked of its
                                   holders index only when someone wants to know */
};

static const char *const transports[] = {
        "iscsi", "fc", "sas", "scsi", "ata", "nvme", "virtio", "loop", "unknown",
};

static void lun_free(storvirt_lun *lun) {
        storvirt__lun_snap_unref(lun->snap);
        storvirt_ctx_unref(lun->ctx);
        free(lun);
}

STORVIRT_DEFINE_PUBLIC_REF_UNREF(storvirt_lun, lun_free)

static const struct storvirt__blk_lun *L(const storvirt_lun *lun) {
        return &lun->snap->scan->luns[lun->idx];
}

const struct storvirt__blk_lun *storvirt__lun_blk(const storvirt_lun *lun) {
        return L(lun);
}

storvirt_ctx *storvirt__lun_ctx(const storvirt_lun *lun) {
        return lun->ctx;
}

static const struct storvirt__usage *U(const storvirt_lun *lun) {
        return &lun->snap->usage[lun->idx];
}

STORVIRT_EXPORT int storvirt_lun_refresh(storvirt_ctx *ctx, uint32_t flags) {
        storvirt__lun_snap *snap = NULL;
        int r;

        check_nonnull(ctx);
        check_flags(flags, 0);
        r = storvirt__lun_snap_new(ctx, &snap);
        if (r < 0)
                return r;
        storvirt__ctx_set_lun_snap(ctx, snap);
        storvirt__lun_snap_unref(snap);
        return 0;
}

static int handle_new(storvirt_ctx *ctx, storvirt__lun_snap *snap, size_t idx, storvirt_lun **ret) {
        storvirt_lun *lun = calloc(1, sizeof(*lun));

        if (!lun)
                return storvirt__error_oom();
        STORVIRT__REFCNT_INIT(lun->n_ref);
        lun->ctx = storvirt_ctx_ref(ctx);
        lun->snap = storvirt__lun_snap_ref(snap);
        lun->idx = idx;
        *ret = lun;
        return 0;
}

bool storvirt__lun_identity(const struct storvirt__blk_lun *l, char *buf, size_t size) {
        char *real;

        if (l->guid[0]) {
                snprintf(buf, size, "lun:%s", l->guid);
                return true;
        }
        if (!l->loop_backing)
                return false;
        real = realpath(l->loop_backing, NULL);
        snprintf(buf, size, "loop:%s", real ? real : l->loop_backing);
        free(real);
        return true;
}

/* The id of the vDisk the LUN backs, per the holders index, or NULL. */
static const char *lun_vdisk(const struct storvirt__blk_lun *l, const storvirt__holders *h) {
        char key[PATH_MAX + 8];

        return h && storvirt__lun_identity(l, key, sizeof(key)) ? storvirt__holders_by_identity(h, key) : NULL;
}

static bool has_transport(const struct storvirt__blk_lun *l, const char *transport) {
        for (size_t k = 0; k < l->n_paths; k++)
                if (strcmp(l->paths[k].transport, transport) == 0)
                        return true;
        return l->n_paths == 0 && strcmp(l->devtype, transport) == 0;
}

STORVIRT_EXPORT void storvirt_lun_list_free(storvirt_lun **luns) {
        if (!luns)
                return;
        for (size_t i = 0; luns[i]; i++)
                storvirt_lun_unref(luns[i]);
        free(luns);
}

STORVIRT_EXPORT int storvirt_lun_list(storvirt_ctx *ctx, const char *transport,
                                      storvirt_lun ***ret_luns, size_t *ret_n, uint32_t flags) {
        storvirt__lun_snap *snap = NULL;
        storvirt__holders *holders = NULL;
        storvirt_lun **v;
        size_t n = 0;
        bool known = transport == NULL;
        int r;

        check_nonnull(ctx);
        check_nonnull(ret_luns);
        check_flags(flags, STORVIRT_LUN_LIST_FREE | STORVIRT_LUN_LIST_REFRESH |
                                   STORVIRT_LUN_LIST_UNATTACHED);
        for (size_t t = 0; transport && t < ELEMENTSOF(transports); t++)
                known |= strcmp(transport, transports[t]) == 0;
        if (!known)
                return storvirt__error_set(-EINVAL,
                                           "storvirt_lun_list: invalid argument 'transport': "
                                           "unknown transport '%s' (iscsi, fc, sas, scsi, ata, "
                                           "nvme, virtio, loop, unknown)", transport);
        /* which LUNs back a vDisk is read only when the caller leaves those out */
        if (flags & STORVIRT_LUN_LIST_UNATTACHED) {
                r = storvirt__holders_load(ctx, false, &holders);
                if (r < 0)
                        return r;
        }
        r = storvirt__lun_snap_current(ctx, flags & STORVIRT_LUN_LIST_REFRESH, &snap);
        if (r < 0) {
                storvirt__holders_free(holders);
                return r;
        }
        v = calloc(snap->scan->n_luns + 1, sizeof(*v));
        if (!v) {
                storvirt__holders_free(holders);
                storvirt__lun_snap_unref(snap);
                return storvirt__error_oom();
        }
        for (size_t k = 0; k < snap->scan->n_luns; k++) {
                size_t i = snap->order[k];
                if ((flags & STORVIRT_LUN_LIST_FREE) && snap->usage[i].status != STORVIRT__USAGE_FREE)
                        continue;
                if (transport && !has_transport(&snap->scan->luns[i], transport))
                        continue;
                if (lun_vdisk(&snap->scan->luns[i], holders))
                        continue;
                r = handle_new(ctx, snap, i, &v[n]);
                if (r < 0) {
                        storvirt_lun_list_free(v);
                        storvirt__lun_snap_unref(snap);
                        storvirt__holders_free(holders);
                        return r;
                }
                n++;
        }
        storvirt__holders_free(holders);
        storvirt__lun_snap_unref(snap);
        *ret_luns = v;
        if (ret_n)
                *ret_n = n;
        return 0;
}

/* ---- lookups -------------------------------------------------------------------------------- */

enum lun_index { BY_GUID, BY_NODE, BY_DEVNUM };

static storvirt__hashmap *snap_index(storvirt__lun_snap *snap, enum lun_index which) {
        switch (which) {
        case BY_GUID:
                return snap->by_guid;
        case BY_NODE:
                return snap->by_node;
        default:
                return snap->by_devnum;
        }
}

/* A handle for key in one index of the current snapshot; -ENOENT (no message) if none. */
static int lookup_handle(storvirt_ctx *ctx, enum lun_index which, const char *key,
                         storvirt_lun **ret) {
        storvirt__lun_snap *snap = NULL;
        void *v;
        int r;

        r = storvirt__lun_snap_current(ctx, false, &snap);
        if (r < 0)
                return r;
        v = storvirt__hashmap_get(snap_index(snap, which), key);
        r = v ? handle_new(ctx, snap, (size_t)(uintptr_t)v - 1, ret) : -ENOENT;
        storvirt__lun_snap_unref(snap);
        return r;
}

STORVIRT_EXPORT int storvirt_lun_lookup_by_guid(storvirt_ctx *ctx, const char *guid,
                                                storvirt_lun **ret_lun) {
        char norm[STORVIRT__WWID_MAX];
        int r;

        check_nonnull(ctx);
        check_nonnull(guid);
        check_nonnull(ret_lun);
        r = storvirt__wwid_normalize(guid, norm, sizeof(norm));
        if (r < 0)
                return storvirt__error_set(r, "storvirt_lun_lookup_by_guid: invalid argument "
                                              "'guid': '%s' is not a GUID: %s", guid,
                                           storvirt_error_message());
        r = lookup_handle(ctx, BY_GUID, norm, ret_lun);
        if (r == -ENOENT)
                return storvirt__error_set(-ENOENT, "no LUN with GUID '%s' on this host", norm);
        return r;
}

STORVIRT_EXPORT int storvirt_lun_lookup_by_devnum(storvirt_ctx *ctx, unsigned major,
                                                  unsigned minor, storvirt_lun **ret_lun) {
        char key[32];
        int r;

        check_nonnull(ctx);
        check_nonnull(ret_lun);
        snprintf(key, sizeof(key), "%u:%u", major, minor);
        r = lookup_handle(ctx, BY_DEVNUM, key, ret_lun);
        if (r == -ENOENT)
                return storvirt__error_set(-ENOENT, "no LUN with device number %s on this host",
                                           key);
        return r;
}

/* Names the disk a partition belongs to, for the message of a failed lookup. */
static void partition_parent(dev_t devnum, char *buf, size_t size) {
        char path[128], link[4096], *slash;
        ssize_t n;

        buf[0] = '\0';
        snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/partition", major(devnum), minor(devnum));
        if (access(path, F_OK) < 0)
                return;
        snprintf(path, sizeof(path), "/sys/dev/block/%u:%u", major(devnum), minor(devnum));
        n = readlink(path, link, sizeof(link) - 1);
        if (n <= 0)
                return;
        link[n] = '\0';
        slash = strrchr(link, '/');
        if (!slash)
                return;
        *slash = '\0';
        slash = strrchr(link, '/');
        snprintf(buf, size, "%.200s", slash ? slash + 1 : link);
}

STORVIRT_EXPORT int storvirt_lun_lookup_by_path(storvirt_ctx *ctx, const char *path,
                                                storvirt_lun **ret_lun) {
        char key[32], parent[256];
        struct stat st;
        int r;

        check_nonnull(ctx);
        check_nonnull(path);
        check_nonnull(ret_lun);
        check_arg(path[0] == '/', "path", "must be an absolute path");
        r = lookup_handle(ctx, BY_NODE, path, ret_lun);
        if (r != -ENOENT)
                return r;
        if (stat(path, &st) < 0)
                return storvirt__error_set(-errno, "'%s': %s", path, strerror(errno));
        if (!S_ISBLK(st.st_mode))
                return storvirt__error_set(-ENOTBLK, "'%s' is not a block device", path);
        storvirt__lun_devnum_key(key, sizeof(key), st.st_rdev);
        r = lookup_handle(ctx, BY_DEVNUM, key, ret_lun);
        if (r != -ENOENT)
                return r;
        partition_parent(st.st_rdev, parent, sizeof(parent));
        if (parent[0])
                return storvirt__error_set(-ENOENT, "'%s' (%s) is a partition of %s, not a LUN",
                                           path, key, parent);
        return storvirt__error_set(-ENOENT, "'%s' (%s) is not a LUN on this host (not a disk, "
                                            "or discovered after the last refresh)", path, key);
}

STORVIRT_EXPORT int storvirt_lun_lookup_by_fs_uuid(storvirt_ctx *ctx, const char *uuid,
                                                   storvirt_lun **ret_lun) {
        storvirt__lun_snap *snap = NULL;
        _cleanup_free_ char *both = NULL;
        size_t len = 0;
        bool first = true;
        FILE *f;
        void *v;
        int r;

        check_nonnull(ctx);
        check_nonnull(uuid);
        check_nonnull(ret_lun);
        check_arg(*uuid, "uuid", "must not be empty");
        r = storvirt__lun_snap_current(ctx, false, &snap);
        if (r < 0)
                return r;
        v = storvirt__hashmap_get(snap->by_fs_uuid, uuid);
        if (!v) {
                storvirt__lun_snap_unref(snap);
                return storvirt__error_set(-ENOENT, "no LUN carries a filesystem with UUID '%s'",
                                           uuid);
        }
        if (v != FS_UUID_DUP) {
                r = handle_new(ctx, snap, (size_t)(uintptr_t)v - 1, ret_lun);
                storvirt__lun_snap_unref(snap);
                return r;
        }
        /* Rare: list every LUN with this UUID in the message. */
        f = open_memstream(&both, &len);
        for (size_t k = 0; f && k < snap->scan->n_luns; k++) {
                size_t i = snap->order[k];
                const struct storvirt__blk_lun *l = &snap->scan->luns[i];
                if (strcmp(snap->usage[i].fs_uuid, uuid) != 0)
                        continue;
                fprintf(f, "%s%s (%s)", first ? "" : ", ", l->devnode ? l->devnode : l->name,
                        l->guid[0] ? l->guid : "no GUID");
                first = false;
        }
        if (f)
                fclose(f);
        storvirt__lun_snap_unref(snap);
        return storvirt__error_set(-ENOTUNIQ, "filesystem UUID '%s' is on more than one LUN: %s",
                                   uuid, both ? both : "?");
}

/* ---- getters -------------------------------------------------------------------------------- */

static const char *nonempty(const char *s) {
        return s && *s ? s : NULL;
}

STORVIRT_EXPORT const char *storvirt_lun_get_guid(storvirt_lun *lun) {
        check_arg_ptr(lun, "lun", "must not be NULL");
        return nonempty(L(lun)->guid);
}

STORVIRT_EXPORT const char *storvirt_lun_get_devnode(storvirt_lun *lun) {
        check_arg_ptr(lun, "lun", "must not be NULL");
        return L(lun)->devnode;
}

STORVIRT_EXPORT const char *storvirt_lun_get_name(storvirt_lun *lun) {
        check_arg_ptr(lun, "lun", "must not be NULL");
        return L(lun)->name;
}

STORVIRT_EXPORT const char *storvirt_lun_get_devtype(storvirt_lun *lun) {
        check_arg_ptr(lun, "lun", "must not be NULL");
        return L(lun)->devtype;
}

STORVIRT_EXPORT const char *storvirt_lun_get_dm_name(storvirt_lun *lun) {
        check_arg_ptr(lun, "lun", "must not be NULL");
        return L(lun)->multipath ? nonempty(L(lun)->dm_name) : NULL;
}

STORVIRT_EXPORT const char *storvirt_lun_get_loop_backing(storvirt_lun *lun) {
        check_arg_ptr(lun, "lun", "must not be NULL");
        return nonempty(L(lun)->loop_backing);
}

STORVIRT_EXPORT int storvirt_lun_get_devnum(storvirt_lun *lun, unsigned *ret_major,
                                            unsigned *ret_minor) {
        check_nonnull(lun);
        if (ret_major)
                *ret_major = major(L(lun)->devnum);
        if (ret_minor)
                *ret_minor = minor(L(lun)->devnum);
        return 0;
}

STORVIRT_EXPORT int storvirt_lun_get_inquiry(storvirt_lun *lun, const char **ret_vendor,
                                             const char **ret_product, const char **ret_revision,
                                             const char **ret_serial) {
        check_nonnull(lun);
        if (ret_vendor)
                *ret_vendor = L(lun)->vendor;
        if (ret_product)
                *ret_product = L(lun)->product;
        if (ret_revision)
                *ret_revision = L(lun)->revision;
        if (ret_serial)
                *ret_serial = L(lun)->serial;
        return 0;
}

STORVIRT_EXPORT int storvirt_lun_get_geometry(storvirt_lun *lun, uint64_t *ret_capacity,
                                              unsigned *ret_logical_block_size,
                                              unsigned *ret_physical_block_size,
                                              uint64_t *ret_discard_max_bytes,
                                              int *ret_rotational) {
        check_nonnull(lun);
        if (ret_capacity)
                *ret_capacity = L(lun)->capacity;
        if (ret_logical_block_size)
                *ret_logical_block_size = L(lun)->logical_block_size;
        if (ret_physical_block_size)
                *ret_physical_block_size = L(lun)->physical_block_size;
        if (ret_discard_max_bytes)
                *ret_discard_max_bytes = L(lun)->discard_max_bytes;
        if (ret_rotational)
                *ret_rotational = L(lun)->rotational;
        return 0;
}

STORVIRT_EXPORT int storvirt_lun_get_status(storvirt_lun *lun, const char **ret_reason) {
        check_nonnull(lun);
        if (ret_reason)
                *ret_reason = U(lun)->reason;
        switch (U(lun)->status) {
        case STORVIRT__USAGE_FREE:
                return STORVIRT_LUN_STATUS_FREE;
        case STORVIRT__USAGE_USED:
                return STORVIRT_LUN_STATUS_USED;
        default:
                return STORVIRT_LUN_STATUS_UNKNOWN;
        }
}

STORVIRT_EXPORT int storvirt_lun_get_signature(storvirt_lun *lun, const char **ret_type,
                                               const char **ret_uuid, const char **ret_label,
                                               const char **ret_pttype) {
        check_nonnull(lun);
        if (ret_type)
                *ret_type = nonempty(U(lun)->fs_type);
        if (ret_uuid)
                *ret_uuid = nonempty(U(lun)->fs_uuid);
        if (ret_label)
                *ret_label = nonempty(U(lun)->fs_label);
        if (ret_pttype)
                *ret_pttype = nonempty(U(lun)->pt_type);
        return 0;
}

STORVIRT_EXPORT int storvirt_lun_get_lvm(storvirt_lun *lun, const char **ret_pv_uuid,
                                         const char **ret_vg_name, const char **ret_vg_uuid) {
        const struct storvirt__usage *u;

        check_nonnull(lun);
        u = U(lun);
        if (!u->is_pv)
                return storvirt__error_set(-ENODATA, "LUN %s is not an LVM physical volume",
                                           L(lun)->devnode ? L(lun)->devnode : L(lun)->name);
        if (ret_pv_uuid)
                *ret_pv_uuid = nonempty(u->pv.pv_uuid);
        if (ret_vg_name)
                *ret_vg_name = u->pv.has_vg ? nonempty(u->pv.vg_name) : NULL;
        if (ret_vg_uuid)
                *ret_vg_uuid = u->pv.has_vg ? nonempty(u->pv.vg_uuid) : NULL;
        return 0;
}

static const char *const no_partitions[] = { NULL };

STORVIRT_EXPORT const char *const *storvirt_lun_get_partitions(storvirt_lun *lun) {
        check_arg_ptr(lun, "lun", "must not be NULL");
        return L(lun)->partitions ? (const char *const *)L(lun)->partitions : no_partitions;
}

STORVIRT_EXPORT size_t storvirt_lun_get_n_paths(storvirt_lun *lun) {
        if (!lun) {
                storvirt__error_set(-EINVAL, "storvirt_lun_get_n_paths: invalid argument 'lun': "
                                             "must not be NULL");
                return 0;
        }
        return L(lun)->n_paths;
}

STORVIRT_EXPORT const storvirt_lun_path *storvirt_lun_get_path(storvirt_lun *lun, size_t index) {
        check_arg_ptr(lun, "lun", "must not be NULL");
        if (index >= L(lun)->n_paths) {
                storvirt__error_set(-ERANGE, "storvirt_lun_get_path: index %zu out of range "
                                             "(the LUN has %zu paths)", index, L(lun)->n_paths);
                return NULL;
        }
        return (const storvirt_lun_path *)&L(lun)->paths[index];
}

#define P(p) ((const struct storvirt__blk_path *)(p))

STORVIRT_EXPORT const char *storvirt_lun_path_get_name(const storvirt_lun_path *path) {
        check_arg_ptr(path, "path", "must not be NULL");
        return P(path)->name;
}

STORVIRT_EXPORT const char *storvirt_lun_path_get_devnode(const storvirt_lun_path *path) {
        check_arg_ptr(path, "path", "must not be NULL");
        return P(path)->devnode;
}

STORVIRT_EXPORT const char *storvirt_lun_path_get_transport(const storvirt_lun_path *path) {
        check_arg_ptr(path, "path", "must not be NULL");
        return P(path)->transport;
}

STORVIRT_EXPORT const char *storvirt_lun_path_get_state(const storvirt_lun_path *path) {
        check_arg_ptr(path, "path", "must not be NULL");
        return P(path)->state;
}

STORVIRT_EXPORT int storvirt_lun_path_get_devnum(const storvirt_lun_path *path,
                                                 unsigned *ret_major, unsigned *ret_minor) {
        check_nonnull(path);
        if (ret_major)
                *ret_major = major(P(path)->devnum);
        if (ret_minor)
                *ret_minor = minor(P(path)->devnum);
        return 0;
}

STORVIRT_EXPORT uint64_t storvirt_lun_path_get_capacity(const storvirt_lun_path *path) {
        if (!path) {
                storvirt__error_set(-EINVAL, "storvirt_lun_path_get_capacity: invalid argument "
                                             "'path': must not be NULL");
                return 0;
        }
        return P(path)->size;
}

STORVIRT_EXPORT int storvirt_lun_path_get_hctl(const storvirt_lun_path *path, int *ret_host,
                                               int *ret_channel, int *ret_target, int *ret_lun) {
        check_nonnull(path);
        if (P(path)->host < 0)
                return storvirt__error_set(-ENODATA, "path %s is not a SCSI device", P(path)->name);
        if (ret_host)
                *ret_host = P(path)->host;
        if (ret_channel)
                *ret_channel = P(path)->bus;
        if (ret_target)
                *ret_target = P(path)->target;
        if (ret_lun)
                *ret_lun = P(path)->lun;
        return 0;
}

STORVIRT_EXPORT int storvirt_lun_path_get_iscsi(const storvirt_lun_path *path,
                                                const char **ret_target, const char **ret_portal,
                                                const char **ret_initiator, int *ret_tpgt) {
        check_nonnull(path);
        if (strcmp(P(path)->transport, "iscsi") != 0)
                return storvirt__error_set(-ENODATA, "path %s is not an iSCSI path (%s)",
                                           P(path)->name, P(path)->transport);
        if (ret_target)
                *ret_target = P(path)->iscsi_target;
        if (ret_portal)
                *ret_portal = P(path)->iscsi_portal;
        if (ret_initiator)
                *ret_initiator = P(path)->iscsi_initiator;
        if (ret_tpgt)
                *ret_tpgt = P(path)->iscsi_tpgt;
        return 0;
}

/* ---- JSON ----------------------------------------------------------------------------------- */

/* VDSM's BlockDeviceType names for the transports it knows, ours otherwise. */
static const char *vdsm_type(const char *transport) {
        if (strcmp(transport, "iscsi") == 0)
                return "iSCSI";
        if (strcmp(transport, "fc") == 0)
                return "FCP";
        if (strcmp(transport, "mixed") == 0)
                return "MIXED";
        return transport;
}

static const char *status_name(int status) {
        return status == STORVIRT__USAGE_FREE ? "free" :
               status == STORVIRT__USAGE_USED ? "used" : "unknown";
}

static int gen_u64_string(storvirt__json_gen *g, const char *key, uint64_t v) {
        char buf[32];

        snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
        return storvirt__json_gen_key_string(g, key, buf);
}

static int gen_opt_string(storvirt__json_gen *g, const char *key, const char *v) {
        return v && *v ? storvirt__json_gen_key_string(g, key, v) : 0;
}

static int gen_path_status(storvirt__json_gen *g, const struct storvirt__blk_path *p) {
        char buf[64];
        int r;

        r = storvirt__json_gen_begin_map(g);
        if (r >= 0)
                r = storvirt__json_gen_key_string(g, "physdev", p->name);
        /* VDSM: "active" unless multipath reports the path failed; here from the SCSI state. */
        if (r >= 0)
                r = storvirt__json_gen_key_string(g, "state", !p->state[0] ||
                                                  strcmp(p->state, "running") == 0 ? "active"
                                                                                   : "failed");
        if (r >= 0)
                r = gen_u64_string(g, "capacity", p->size);
        if (r >= 0)
                r = gen_u64_string(g, "lun", p->lun >= 0 ? (uint64_t)p->lun : 0);
        if (r >= 0)
                r = storvirt__json_gen_key_string(g, "type", vdsm_type(p->transport));
        /* Our own keys. */
        if (r >= 0)
                r = gen_opt_string(g, "devnode", p->devnode);
        if (r >= 0 && p->devnum) {
                storvirt__lun_devnum_key(buf, sizeof(buf), p->devnum);
                r = storvirt__json_gen_key_string(g, "devnum", buf);
        }
        if (r >= 0 && p->host >= 0) {
                snprintf(buf, sizeof(buf), "%d:%d:%d:%d", p->host, p->bus, p->target, p->lun);
                r = storvirt__json_gen_key_string(g, "hctl", buf);
        }
        if (r >= 0)
                r = storvirt__json_gen_key_string(g, "transport", p->transport);
        if (r >= 0)
                r = gen_opt_string(g, "sysfsState", p->state);
        if (r >= 0)
                r = storvirt__json_gen_end_map(g);
        return r;
}

/* One pathlist entry per iSCSI session (target + portal), as VDSM dedupes them. */
static int gen_path_list(storvirt__json_gen *g, const struct storvirt__blk_lun *l) {
        int r = storvirt__json_gen_key_begin_array(g, "pathlist");

        for (size_t k = 0; r >= 0 && k < l->n_paths; k++) {
                const struct storvirt__blk_path *p = &l->paths[k];
                _cleanup_free_ char *addr = NULL;
                const char *port = "3260";
                char tpgt[16];
                bool seen = false;

                if (strcmp(p->transport, "iscsi") != 0 || !p->iscsi_target)
                        continue;
                for (size_t j = 0; j < k && !seen; j++)
                        seen = l->paths[j].iscsi_target && l->paths[j].iscsi_portal && p->iscsi_portal &&
                               strcmp(l->paths[j].iscsi_target, p->iscsi_target) == 0 &&
                               strcmp(l->paths[j].iscsi_portal, p->iscsi_portal) == 0;
                if (seen)
                        continue;
                if (p->iscsi_portal) {
                        char *colon;
                        addr = strdup(p->iscsi_portal);
                        if (!addr)
                                return storvirt__error_oom();
                        colon = strrchr(addr, ':');
                        if (colon) {
                                *colon = '\0';
                                port = colon + 1;
                        }
                }
                snprintf(tpgt, sizeof(tpgt), "%d", p->iscsi_tpgt >= 0 ? p->iscsi_tpgt : 1);
                r = storvirt__json_gen_begin_map(g);
                if (r >= 0)
                        r = storvirt__json_gen_key_string(g, "connection", addr ? addr : "");
                if (r >= 0)
                        r = storvirt__json_gen_key_string(g, "port", port);
                if (r >= 0)
                        r = storvirt__json_gen_key_string(g, "iqn", p->iscsi_target);
                /* VDSM's historic name for the target portal group tag. */
                if (r >= 0)
                        r = storvirt__json_gen_key_string(g, "portal", tpgt);
                if (r >= 0)
                        r = storvirt__json_gen_key_string(g, "initiatorname",
                                                          p->iscsi_initiator ? p->iscsi_initiator : "");
                if (r >= 0)
                        r = storvirt__json_gen_key_string(g, "physdev", p->name);
                if (r >= 0)
                        r = storvirt__json_gen_end_map(g);
        }
        if (r >= 0)
                r = storvirt__json_gen_end_array(g);
        return r;
}

static int gen_lun(storvirt__json_gen *g, const struct storvirt__blk_lun *l,
                   const struct storvirt__usage *u, const char *vdisk_id) {
        char buf[64];
        int r;

        r = storvirt__json_gen_begin_map(g);
        if (r >= 0)
                r = storvirt__json_gen_key_string(g, "GUID", l->guid);
        if (r >= 0)
                r = storvirt__json_gen_key_string(g, "vendorID", l->vendor ? l->vendor : "");
        if (r >= 0)
                r = storvirt__json_gen_key_string(g, "productID", l->product ? l->product : "");
        if (r >= 0)
                r = storvirt__json_gen_key_string(g, "fwrev", l->revision ? l->revision : "");
        if (r >= 0)
                r = storvirt__json_gen_key_string(g, "serial", l->serial ? l->serial : "");
        if (r >= 0)
                r = gen_u64_string(g, "capacity", l->capacity);
        if (r >= 0)
                r = storvirt__json_gen_key_string(g, "devtype", vdsm_type(l->devtype));
        if (r >= 0)
                r = gen_u64_string(g, "logicalblocksize", l->logical_block_size);
        if (r >= 0)
                r = gen_u64_string(g, "physicalblocksize", l->physical_block_size);
        if (r >= 0)
                r = storvirt__json_gen_key_uint64(g, "discard_max_bytes", l->discard_max_bytes);
        if (r >= 0)
                r = storvirt__json_gen_key_int64(g, "discard_zeroes_data", 0);
        if (r >= 0)
                r = storvirt__json_gen_key_begin_array(g, "pathstatus");
        for (size_t k = 0; r >= 0 && k < l->n_paths; k++)
                r = gen_path_status(g, &l->paths[k]);
        if (r >= 0)
                r = storvirt__json_gen_end_array(g);
        if (r >= 0)
                r = gen_path_list(g, l);
        if (r >= 0)
                r = storvirt__json_gen_key_string(g, "pvUUID", u->is_pv ? u->pv.pv_uuid : "");
        if (r >= 0) {
                if (u->is_pv && u->pv.dev_size)
                        r = gen_u64_string(g, "pvsize", u->pv.dev_size);
                else
                        r = storvirt__json_gen_key_string(g, "pvsize", "");
        }
        if (r >= 0)
                r = storvirt__json_gen_key_string(g, "vgUUID",
                                                  u->is_pv && u->pv.has_vg ? u->pv.vg_uuid : "");
        if (r >= 0)
                r = storvirt__json_gen_key_string(g, "status", status_name(u->status));
        /* Our own keys. */
        if (r >= 0)
                r = storvirt__json_gen_key_string(g, "statusReason", u->reason);
        if (r >= 0)
                r = gen_opt_string(g, "vgName", u->is_pv && u->pv.has_vg ? u->pv.vg_name : NULL);
        if (r >= 0)
                r = storvirt__json_gen_key_string(g, "name", l->name ? l->name : "");
        if (r >= 0)
                r = gen_opt_string(g, "devnode", l->devnode);
        if (r >= 0 && l->devnum) {
                storvirt__lun_devnum_key(buf, sizeof(buf), l->devnum);
                r = storvirt__json_gen_key_string(g, "devnum", buf);
        }
        if (r >= 0)
                r = storvirt__json_gen_key_string(g, "transport", l->devtype);
        if (r >= 0)
                r = storvirt__json_gen_key_bool(g, "multipath", l->multipath);
        if (r >= 0 && l->multipath)
                r = gen_opt_string(g, "dmName", l->dm_name);
        if (r >= 0)
                r = storvirt__json_gen_key_bool(g, "rotational", l->rotational);
        if (r >= 0)
                r = gen_opt_string(g, "loopBacking", l->loop_backing);
        if (r >= 0)
                r = gen_opt_string(g, "fsType", u->fs_type);
        if (r >= 0)
                r = gen_opt_string(g, "fsUUID", u->fs_uuid);
        if (r >= 0)
                r = gen_opt_string(g, "fsLabel", u->fs_label);
        if (r >= 0)
                r = gen_opt_string(g, "ptType", u->pt_type);
        if (r >= 0)
                r = storvirt__json_gen_key_begin_array(g, "partitions");
        for (size_t k = 0; r >= 0 && l->partitions && l->partitions[k]; k++)
                r = storvirt__json_gen_string(g, l->partitions[k]);
        if (r >= 0)
                r = storvirt__json_gen_end_array(g);
        if (r >= 0 && vdisk_id)
                r = storvirt__json_gen_key_string(g, "vdiskID", vdisk_id);
        if (r >= 0)
                r = storvirt__json_gen_end_map(g);
        return r;
}

/* The JSON of luns[0..n) (n 1: one object, else the devList), with the vDisk of each. */
static int luns_json(storvirt_lun *const *luns, bool list, char **ret, uint32_t flags) {
        storvirt__holders *holders = NULL;
        storvirt_ctx *hctx = NULL;
        storvirt__json_gen *g = NULL;
        int r;

        r = storvirt__json_gen_new(flags & STORVIRT_LUN_JSON_PRETTY, &g);
        if (r >= 0 && list) {
                r = storvirt__json_gen_begin_map(g);
                if (r >= 0)
                        r = storvirt__json_gen_key_begin_array(g, "devList");
        }
        for (size_t i = 0; r >= 0 && luns[i] && (list || i == 0); i++) {
                if (luns[i]->ctx != hctx) {     /* the holders index, once per context */
                        storvirt__holders_free(holders);
                        holders = NULL;
                        hctx = luns[i]->ctx;
                        r = storvirt__holders_load(hctx, false, &holders);
                }
                if (r >= 0)
                        r = gen_lun(g, L(luns[i]), U(luns[i]), lun_vdisk(L(luns[i]), holders));
        }
        if (r >= 0 && list) {
                r = storvirt__json_gen_end_array(g);
                if (r >= 0)
                        r = storvirt__json_gen_end_map(g);
        }
        if (r >= 0)
                r = storvirt__json_gen_finish(g, ret, NULL);
        storvirt__json_gen_free(g);
        storvirt__holders_free(holders);
        return r;
}

STORVIRT_EXPORT int storvirt_lun_get_json(storvirt_lun *lun, char **ret_json, uint32_t flags) {
        storvirt_lun *one[] = { lun, NULL };

        check_nonnull(lun);
        check_nonnull(ret_json);
        check_flags(flags, STORVIRT_LUN_JSON_PRETTY);
        return luns_json(one, false, ret_json, flags);
}

STORVIRT_EXPORT int storvirt_lun_list_to_json(storvirt_lun *const *luns, char **ret_json,
                                              uint32_t flags) {
        check_nonnull(luns);
        check_nonnull(ret_json);
        check_flags(flags, STORVIRT_LUN_JSON_PRETTY);
        return luns_json(luns, true, ret_json, flags);
}
