/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vdisk.c - vDisks (storvirt/vdisk.h): import (identity of the backing
 * storage, id derived from it), the image stack with native qcow2
 * overlays and VDSM's legality, attachments, prepare / release through
 * the connections.  The record lives in lib/objects (vdisk_rec.c); the
 * resolution of "vdisk" and quartet specs in lib/resolve.
 *
 * Every change is a read-modify-write of vdisks/<id>.json under the
 * exclusive lock of the "vdisks" records (core/records.h); readers take
 * it shared.  A record read with an ILLEGAL image (a snapshot whose
 * creation did not complete: the process died) is rolled back first,
 * under the exclusive lock: the overlay file is removed and the entry
 * dropped.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <storvirt.h>

#include "conf/disk.h"
#include "objects/connection_run.h"
#include "objects/connection_secret.h"
#include "core/pool.h"
#include "objects/holders.h"
#include "objects/records.h"
#include "resolve/resolve.h"
#include "objects/vol_chain.h"
#include "objects/secret.h"
#include "objects/vdisk_rec.h"
#include "vdisk/vdisk.h"
#include "sys/imgfmt.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/hashmap.h"
#include "util/log.h"
#include "util/macro.h"
#include "util/refcnt.h"
#include "util/strv.h"
#include "util/uuid.h"

#define KIND "vdisks"
#define NIL_UUID STORVIRT__NIL_UUID
#define DEFAULT_TIMEOUT_MS 30000

typedef storvirt__vimage image;
typedef storvirt__vattach attachment;
typedef storvirt__vrec vrec;

/* Test hook: _exit(0) at this step of a snapshot (1: recorded ILLEGAL, 2: overlay written). */
int storvirt__vdisk_crash_point;

struct storvirt_vdisk {
        storvirt__refcnt n_ref;
        storvirt_ctx *ctx;
        char id[STORVIRT__UUID_STRING_MAX];
};

/* ---- load ---------------------------------------------------------------------------------- */

/* Removes an image's file: through its pool when it is a volume, else unlink. */
static int remove_image_file(storvirt_ctx *ctx, const image *im) {
        storvirt_volume *vol = NULL;
        int r;

        if (!im->path || im->type != STORVIRT__DISK_TYPE_FILE)
                return 0;
        if (im->pool && storvirt_volume_lookup_by_path(ctx, im->path, &vol) >= 0) {
                r = storvirt_volume_delete(vol, STORVIRT_VOLUME_DELETE_FORCE);
                storvirt_volume_unref(vol);
                if (r >= 0 || r != -ENOENT)
                        return r;
        }
        storvirt_error_clear();
        if (unlink(im->path) < 0 && errno != ENOENT)
                return storvirt__error_set(-errno, "cannot remove '%s': %m", im->path);
        return 0;
}

/* Drops ILLEGAL images (the caller holds the exclusive lock); 1 when it changed v. */
static int rollback_illegal(storvirt_ctx *ctx, vrec *v) {
        int changed = 0, r;

        for (size_t i = v->n_images; i-- > 0;) {
                if (v->images[i].legal)
                        continue;
                if (i == 0)
                        return storvirt__error_set(-EINVAL, "vDisk %s: its base image is ILLEGAL",
                                                   v->id);
                log_warning(ctx, "vDisk %s: image %s is ILLEGAL (its creation did not complete): "
                                 "rolling it back", v->id, v->images[i].uid);
                r = remove_image_file(ctx, &v->images[i]);
                if (r < 0)
                        return r;
                storvirt__vimage_clear(&v->images[i]);
                memmove(&v->images[i], &v->images[i + 1], (v->n_images - i - 1) * sizeof(image));
                v->n_images--;
                changed = 1;
        }
        return changed;
}

/*
 * The record of id.  With the exclusive lock held (exclusive): read and
 * roll back.  Otherwise read under the shared lock, and when an image is
 * ILLEGAL, take the exclusive lock and roll back first.
 */
static int load(storvirt_ctx *ctx, const char *id, bool exclusive, vrec **ret) {
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;
        vrec *v = NULL;
        int r;

        if (!exclusive) {
                /* the record in hand when this thread holds the lock, else read shared */
                r = storvirt__vrec_get(ctx, id, &v);
                if (r < 0)
                        return r;
                if (!storvirt__vrec_has_illegal(v)) {
                        *ret = v;
                        return 0;
                }
                storvirt__vrec_free(v);
                v = NULL;
        }
        r = storvirt__vrec_read(ctx, id, exclusive, &v);
        if (r < 0)
                return r;
        if (storvirt__vrec_has_illegal(v)) {
                if (!exclusive) {
                        storvirt__vrec_free(v);
                        v = NULL;
                        r = storvirt__records_lock(ctx, KIND, STORVIRT__LOCK_EXCLUSIVE, &lock);
                        if (r >= 0)
                                r = storvirt__vrec_read(ctx, id, true, &v);
                        if (r < 0)
                                return r;
                }
                r = rollback_illegal(ctx, v);
                if (r > 0)
                        r = storvirt__vrec_save(ctx, v);
                if (r < 0) {
                        storvirt__vrec_free(v);
                        return r;
                }
        }
        *ret = v;
        return 0;
}

/* ---- identity at import --------------------------------------------------------------------- */

/* Pool, volume, key and domain id of a file when it is a volume of a storvirt pool. */
static int fill_pool_of(storvirt_ctx *ctx, image *im) {
        storvirt_volume *vol = NULL;
        storvirt_pool *pool;
        int r;

        if (storvirt_volume_lookup_by_path(ctx, im->path, &vol) < 0) {
                storvirt_error_clear();
                return storvirt__sdup(NIL_UUID, &im->domain_id);
        }
        pool = storvirt_volume_get_pool(vol);
        r = storvirt__sdup(storvirt_pool_get_name(pool), &im->pool);
        if (r >= 0)
                r = storvirt__sdup(storvirt_volume_get_name(vol), &im->volume);
        if (r >= 0)
                r = storvirt__sdup(storvirt_volume_get_key(vol), &im->key);
        if (r >= 0)
                r = storvirt__sdup(storvirt_pool_get_uuid(pool), &im->domain_id);
        storvirt_volume_unref(vol);
        return r;
}

/* One image of an imported chain: a file volume of a pool, checked by the resolver. */
static int chain_image(storvirt_ctx *ctx, const storvirt__disk_backing *b, const char *parent,
                       const char *vdisk_id, const char *ts, image *im) {
        storvirt_volume *vol = NULL;
        int r;

        *im = (image){ .type = STORVIRT__DISK_TYPE_FILE, .legal = true,
                       .cow = b->format == STORVIRT__DISK_FORMAT_QCOW2 };
        im->sparse = im->cow;
        if ((r = storvirt__sdup(b->path, &im->path)) < 0 || (r = storvirt__sdup(ts, &im->created)) < 0 ||
            (parent && (r = storvirt__sdup(parent, &im->parent)) < 0))
                return r;
        r = parent ? storvirt__vrec_image_uid(vdisk_id, b->path, &im->uid) : storvirt__vrec_base_uid(vdisk_id, &im->uid);
        if (r >= 0)
                r = fill_pool_of(ctx, im);
        if (r >= 0 && storvirt_volume_lookup_by_path(ctx, im->path, &vol) >= 0)
                r = storvirt_volume_get_info(vol, NULL, &im->capacity, NULL, NULL);
        storvirt_volume_unref(vol);
        return r;
}

/*
 * A qcow2 file whose backing chain goes below it (checked by the
 * resolver: volumes of the known pools only): every image of the chain
 * becomes one of the vDisk's, the deepest its base, the file its top.
 * Called when images[0] is the file, with its uid and creation time.
 */
static int import_chain(storvirt_ctx *ctx, const storvirt__disk_resolved *d, vrec *v) {
        size_t n = d->n_backing + 1;
        image *ims = calloc(n, sizeof(*ims));
        char *uid = NULL, *parent = NULL;
        int r = 0;

        if (!ims)
                return storvirt__error_oom();
        for (size_t k = 0; r >= 0 && k < d->n_backing; k++)
                r = chain_image(ctx, &d->backing[d->n_backing - 1 - k], k ? ims[k - 1].uid : NULL,
                                v->id, v->images[0].created, &ims[k]);
        if (r >= 0)
                r = storvirt__vrec_image_uid(v->id, v->images[0].path, &uid);
        if (r >= 0)
                r = storvirt__sdup(ims[n - 2].uid, &parent);
        if (r < 0) {
                for (size_t k = 0; k < n - 1; k++)
                        storvirt__vimage_clear(&ims[k]);
                free(ims);
                free(uid);
                return r;
        }
        ims[n - 1] = v->images[0];
        free(ims[n - 1].uid);
        ims[n - 1].uid = uid;
        ims[n - 1].parent = parent;
        free(v->images);
        v->images = ims;
        v->n_images = n;
        return 0;
}

/* A block device's identity: "lun:GUID", or "loop:FILE" for a loop device without GUID. */
static int block_identity(storvirt_ctx *ctx, const char *path, uint32_t rflags, vrec *v,
                          image *base) {
        storvirt_lun *lun = NULL;
        const char *guid, *backing;
        char *real = NULL;
        int r;

        r = storvirt_lun_lookup_by_path(ctx, path, &lun);
        if (r == -ENOENT && !(rflags & STORVIRT_RESOLVE_NO_REFRESH)) {
                r = storvirt_lun_refresh(ctx, 0);
                if (r >= 0)
                        r = storvirt_lun_lookup_by_path(ctx, path, &lun);
        }
        if (r < 0)
                return r;
        guid = storvirt_lun_get_guid(lun);
        backing = storvirt_lun_get_loop_backing(lun);
        (void)storvirt_lun_get_geometry(lun, &base->capacity, NULL, NULL, NULL, NULL);
        if (guid) {
                /* the same path resolution gives for the GUID, its identity checked */
                storvirt__disk_resolved *d = NULL;
                storvirt__disk_spec *s = NULL;

                r = storvirt__disk_spec_new(&s);
                if (r >= 0 && !(s->guid = strdup(guid)))
                        r = storvirt__error_oom();
                if (r >= 0) {
                        s->source = STORVIRT__DISK_SOURCE_GUID;
                        r = storvirt__resolve_spec(ctx, s, rflags, &d);
                }
                if (r >= 0)
                        r = storvirt__sdup(d->source_path, &base->path);
                storvirt__disk_resolved_free(d);
                storvirt__disk_spec_free(s);
                if (r >= 0 && (r = storvirt__sdup("lun", &v->kind)) >= 0 && (r = storvirt__sdup(guid, &v->guid)) >= 0 &&
                    asprintf(&v->identity, "lun:%s", guid) < 0)
                        r = storvirt__error_oom();
        } else if (backing) {
                real = realpath(backing, NULL);
                r = storvirt__sdup("loop", &v->kind);
                if (r >= 0 && asprintf(&v->identity, "loop:%s", real ? real : backing) < 0)
                        r = storvirt__error_oom();
                if (r >= 0)
                        r = storvirt__sdup(storvirt_lun_get_devnode(lun), &base->path);
                free(real);
        } else {
                r = storvirt__error_set(-EINVAL, "'%s' (%s) reports no identity (no GUID, not a "
                                                 "loop device): it cannot become a vDisk, whose id "
                                                 "comes from its identity", path,
                                        storvirt_lun_get_name(lun));
        }
        storvirt_lun_unref(lun);
        base->type = STORVIRT__DISK_TYPE_BLOCK;
        return r;
}

static int file_identity(storvirt_ctx *ctx, const storvirt__disk_resolved *d, vrec *v, image *base) {
        char *real = realpath(d->source_path, NULL);
        struct stat st;
        int r;

        if (!real)
                return storvirt__error_set(-errno, "'%s': %m", d->source_path);
        r = storvirt__sdup("file", &v->kind);
        if (r >= 0 && asprintf(&v->identity, "file:%s", real) < 0)
                r = storvirt__error_oom();
        if (r >= 0)
                r = storvirt__sdup(real, &base->path);
        free(real);
        if (r < 0)
                return r;
        base->type = STORVIRT__DISK_TYPE_FILE;
        base->cow = d->spec->format == STORVIRT__DISK_FORMAT_QCOW2;
        base->capacity = d->capacity;
        if (d->encryption[0] && ((r = storvirt__sdup(d->encryption, &base->encryption)) < 0 ||
                                 (r = storvirt__sdup(d->encryption_secret, &base->secret)) < 0))
                return r;
        if (stat(base->path, &st) == 0)
                base->sparse = base->cow || (uint64_t)st.st_blocks * 512 < (uint64_t)st.st_size;
        return fill_pool_of(ctx, base);
}

/* An iSCSI target's LUN, scanned through libiscsi: its GUID is its identity. */
static int iscsi_identity(storvirt_ctx *ctx, const storvirt__disk_spec *s, vrec *v, image *base,
                          char **ret_conn) {
        const storvirt__disk_iscsi *i = &s->iscsi;
        struct storvirt__iscsi_lun *luns = NULL;
        char *conn = NULL;
        size_t n = 0;
        int r;

        r = storvirt__connection_find_iscsi(ctx, i->host, i->port, i->target, &conn);
        if (r < 0)
                return r;
        if (r == 0)
                return storvirt__error_set(-ENOENT, "no stored connection to target %s at %s:%u: "
                                                   "define one (storvirt_connection_define()) so the "
                                                   "LUN can be reached and its identity read",
                                           i->target, i->host, i->port);
        r = storvirt__connection_iscsi_scan(ctx, conn, 0, &luns, &n);
        if (r < 0)
                goto out;
        r = -ENOENT;
        for (size_t k = 0; k < n; k++) {
                if (luns[k].lun != i->lun)
                        continue;
                if (!luns[k].guid[0]) {
                        r = storvirt__error_set(-EINVAL, "LUN %u of %s reports no identity (VPD "
                                                         "page 0x83/0x80)", i->lun, i->target);
                        goto out;
                }
                base->capacity = luns[k].size_bytes;
                r = 0;
                if ((r = storvirt__sdup("iscsi", &v->kind)) < 0 || (r = storvirt__sdup(luns[k].guid, &v->guid)) < 0)
                        goto out;
                if (asprintf(&v->identity, "lun:%s", luns[k].guid) < 0) {
                        r = storvirt__error_oom();
                        goto out;
                }
                break;
        }
        if (r == -ENOENT) {
                r = storvirt__error_set(-ENOENT, "target %s at %s:%u has no block LUN %u", i->target,
                                        i->host, i->port, i->lun);
                goto out;
        }
        {
                struct storvirt__connection_iscsi_info info = {};

                r = storvirt__connection_iscsi_info(ctx, conn, &info);
                if (r < 0)
                        goto out;
                v->iscsi.port = info.port;
                v->iscsi.lun = i->lun;
                v->iscsi.host = TAKE_PTR(info.host);
                v->iscsi.target = TAKE_PTR(info.target);
                v->iscsi.initiator = TAKE_PTR(info.initiator);
                v->iscsi.auth_username = TAKE_PTR(info.user);
                /* the libvirt secret holding the CHAP password (storvirt_connection_get_secret_xml()) */
                if (v->iscsi.auth_username)
                        r = storvirt__conn_secret_usage(conn, &v->iscsi.secret_usage);
                storvirt__connection_iscsi_info_clear(&info);
        }
        base->type = STORVIRT__DISK_TYPE_NETWORK;
out:
        storvirt__iscsi_luns_free(luns, n);
        if (r >= 0)
                *ret_conn = conn;
        else
                free(conn);
        return r;
}

/* ---- handles ---------------------------------------------------------------------------------- */

static void vdisk_free(storvirt_vdisk *v) {
        storvirt_ctx_unref(v->ctx);
        free(v);
}

STORVIRT_DEFINE_PUBLIC_REF_UNREF(storvirt_vdisk, vdisk_free)

static int handle_new(storvirt_ctx *ctx, const char *id, storvirt_vdisk **ret) {
        storvirt_vdisk *v = calloc(1, sizeof(*v));

        if (!v)
                return storvirt__error_oom();
        STORVIRT__REFCNT_INIT(v->n_ref);
        v->ctx = storvirt_ctx_ref(ctx);
        snprintf(v->id, sizeof(v->id), "%s", id);
        *ret = v;
        return 0;
}

static int check_uuid_arg(const char *what, const char *s) {
        storvirt__uuid u;

        if (storvirt__uuid_parse(s, &u) < 0 || strlen(s) != 36)
                return storvirt__error_set(-EINVAL, "%s '%.64s' is not a UUID", what, s);
        return 0;
}

static int check_vm_id(const char *vm) {
        if (!vm || !*vm || strlen(vm) > 256)
                return storvirt__error_set(-EINVAL, "invalid argument 'vm_id': must be 1-256 "
                                                    "characters");
        for (const char *p = vm; *p; p++)
                if ((unsigned char)*p < 0x20 || *p == ':')
                        return storvirt__error_set(-EINVAL, "invalid argument 'vm_id': no control "
                                                            "characters and no ':'");
        return 0;
}

/* ---- import ----------------------------------------------------------------------------------- */

struct import_args {
        vrec *fresh;
        char **conns;
        int existed;
};

static int import_update(yajl_val old, const char *old_text, char **ret_text, void *userdata) {
        struct import_args *a = userdata;
        _cleanup_vrec_ vrec *cur = NULL;
        int r;

        (void)old_text;
        if (!old) {
                a->existed = 0;
                return storvirt__vrec_text(a->fresh, NULL, true, ret_text);
        }
        r = storvirt__vrec_parse(old, &cur);
        if (r < 0)
                return r;
        if (strcmp(cur->identity, a->fresh->identity) != 0)
                return storvirt__error_set(-EEXIST, "vDisk %s holds identity %s, not %s", cur->id,
                                           cur->identity, a->fresh->identity);
        a->existed = 1;
        {
                bool changed = false;

                for (char **c = a->conns; c && *c; c++)
                        if (!storvirt__strv_contains(cur->connections, *c)) {
                                if (storvirt__strv_extend(&cur->connections, *c) < 0)
                                        return storvirt__error_oom();
                                changed = true;
                        }
                if (!changed)
                        return 2;
        }
        return storvirt__vrec_text(cur, NULL, true, ret_text);
}

STORVIRT_EXPORT int storvirt_vdisk_import(storvirt_ctx *ctx, const storvirt_disk_spec *spec,
                                          const char *const *connection_ids, uint32_t flags,
                                          storvirt_vdisk **ret_vdisk) {
        const storvirt__disk_spec *s;
        storvirt__disk_resolved *d = NULL;
        _cleanup_vrec_ vrec *v = NULL;
        char id[STORVIRT__UUID_STRING_MAX], ts[32], *iscsi_conn = NULL;
        uint32_t rflags;
        image *base;
        int r;

        check_nonnull(ctx);
        check_nonnull(spec);
        check_nonnull(ret_vdisk);
        check_flags(flags, STORVIRT_VDISK_IMPORT_SHARED | STORVIRT_VDISK_IMPORT_READONLY |
                                   STORVIRT_VDISK_IMPORT_NO_REFRESH);
        s = storvirt__disk_spec_of(spec);
        rflags = flags & STORVIRT_VDISK_IMPORT_NO_REFRESH ? STORVIRT_RESOLVE_NO_REFRESH : 0;
        switch (s->source) {
        case STORVIRT__DISK_SOURCE_VDISK:
        case STORVIRT__DISK_SOURCE_PDIV:
                return storvirt__error_set(-EINVAL, "a vDisk is imported from its storage (GUID, "
                                                    "UUID, pool and volume, path or iscsi), not "
                                                    "from a vDisk id or a quartet");
        case STORVIRT__DISK_SOURCE_NONE:
                return storvirt__error_set(-EINVAL, "the spec names no storage to import");
        default:
                break;
        }
        for (const char *const *c = connection_ids; c && *c; c++) {
                storvirt_connection *conn = NULL;

                r = storvirt_connection_lookup(ctx, *c, &conn);
                storvirt_connection_unref(conn);
                if (r < 0)
                        return r;
        }
        v = calloc(1, sizeof(*v));
        if (!v || !(v->images = calloc(1, sizeof(*v->images))))
                return storvirt__error_oom();
        v->n_images = 1;
        base = &v->images[0];
        r = storvirt__resolve_spec(ctx, s, rflags, &d);
        if (r < 0)
                return r;
        if (s->source == STORVIRT__DISK_SOURCE_ISCSI)
                r = iscsi_identity(ctx, d->spec, v, base, &iscsi_conn);
        else if (d->type == STORVIRT__DISK_TYPE_BLOCK)
                r = block_identity(ctx, d->source_path, rflags, v, base);
        else if (d->type == STORVIRT__DISK_TYPE_FILE)
                r = file_identity(ctx, d, v, base);
        else
                r = storvirt__error_set(-EINVAL, "a %s source cannot become a vDisk",
                                        storvirt__disk_type_names[d->type]);
        if (d->type != STORVIRT__DISK_TYPE_FILE || r < 0) {
                storvirt__disk_resolved_free(d);
                d = NULL;
        }
        if (r < 0)
                goto out;
        if (!base->domain_id && (r = storvirt__sdup(NIL_UUID, &base->domain_id)) < 0)
                goto out;
        r = storvirt__vrec_id_for_identity(v->identity, id);
        if (r >= 0)
                r = storvirt__sdup(id, &v->id);
        if (r >= 0)
                r = storvirt__vrec_base_uid(id, &base->uid);
        if (r < 0)
                goto out;
        storvirt__now_rfc3339(ts);
        if ((r = storvirt__sdup(ts, &v->created)) < 0 || (r = storvirt__sdup(ts, &base->created)) < 0)
                goto out;
        base->legal = true;
        if (d && d->n_backing > 0 && (r = import_chain(ctx, d, v)) < 0)
                goto out;
        for (size_t k = 0; k < v->n_images; k++)
                if (v->images[k].type == STORVIRT__DISK_TYPE_FILE &&
                    (r = storvirt__vol_record_import(ctx, v->images[k].path,
                                                     v->images[k].cow ? "qcow2" : "raw")) < 0)
                        goto out;
        v->shared = flags & STORVIRT_VDISK_IMPORT_SHARED;
        v->readonly = (flags & STORVIRT_VDISK_IMPORT_READONLY) || s->readonly;
        v->shared |= s->shared;
        for (const char *const *c = connection_ids; c && *c; c++)
                if (!storvirt__strv_contains(v->connections, *c) &&
                    storvirt__strv_extend(&v->connections, *c) < 0) {
                        r = storvirt__error_oom();
                        goto out;
                }
        if (iscsi_conn && !storvirt__strv_contains(v->connections, iscsi_conn) &&
            storvirt__strv_extend(&v->connections, iscsi_conn) < 0) {
                r = storvirt__error_oom();
                goto out;
        }
        {
                struct import_args a = { .fresh = v, .conns = v->connections };
                _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;
                _cleanup_vrec_ vrec *stored = NULL;

                r = storvirt__records_lock(ctx, KIND, STORVIRT__LOCK_EXCLUSIVE, &lock);
                if (r >= 0)
                        r = storvirt__record_update(ctx, KIND, id, true, import_update, &a);
                if (r >= 0 && r != 2) {
                        int k = storvirt__vrec_read(ctx, id, true, &stored);

                        k = k < 0 ? k : storvirt__vrec_holders_update(ctx, stored);
                        r = k < 0 ? k : r;
                }
                if (r >= 0) {
                        r = handle_new(ctx, id, ret_vdisk);
                        if (r >= 0)
                                r = a.existed;
                }
        }
out:
        storvirt__disk_resolved_free(d);
        free(iscsi_conn);
        return r;
}

STORVIRT_EXPORT int storvirt_vdisk_lookup(storvirt_ctx *ctx, const char *id,
                                          storvirt_vdisk **ret_vdisk) {
        vrec *v = NULL;
        int r;

        check_nonnull(ctx);
        check_nonnull(id);
        check_nonnull(ret_vdisk);
        r = check_uuid_arg("vDisk id", id);
        if (r < 0)
                return r;
        r = load(ctx, id, false, &v);   /* "open": rolls an interrupted snapshot back */
        if (r < 0)
                return r;
        r = handle_new(ctx, v->id, ret_vdisk);
        storvirt__vrec_free(v);
        return r;
}

STORVIRT_EXPORT int storvirt_vdisk_list(storvirt_ctx *ctx, storvirt_vdisk ***ret_vdisks,
                                        size_t *ret_n, uint32_t flags) {
        _cleanup_strv_free_ char **ids = NULL;
        storvirt_vdisk **l;
        size_t n = 0;
        int r;

        check_nonnull(ctx);
        check_nonnull(ret_vdisks);
        check_flags(flags, 0);
        r = storvirt__records_list(ctx, KIND, &ids);
        if (r < 0)
                return r;
        l = calloc(storvirt__strv_length(ids) + 1, sizeof(*l));
        if (!l)
                return storvirt__error_oom();
        for (char **id = ids; *id; id++) {
                vrec *v = NULL;

                r = load(ctx, *id, false, &v);
                if (r == -ENOMEM) {
                        storvirt_vdisk_list_free(l);
                        return r;
                }
                if (r < 0) {
                        log_warning(ctx, "skipping vDisk record %s: %s", *id, storvirt_error_message());
                        continue;
                }
                storvirt__vrec_free(v);
                r = handle_new(ctx, *id, &l[n]);
                if (r < 0) {
                        storvirt_vdisk_list_free(l);
                        return r;
                }
                n++;
        }
        storvirt_error_clear();
        *ret_vdisks = l;
        if (ret_n)
                *ret_n = n;
        return 0;
}

STORVIRT_EXPORT void storvirt_vdisk_list_free(storvirt_vdisk **vdisks) {
        for (storvirt_vdisk **v = vdisks; v && *v; v++)
                storvirt_vdisk_unref(*v);
        free(vdisks);
}

STORVIRT_EXPORT const char *storvirt_vdisk_get_id(storvirt_vdisk *vdisk) {
        if (!vdisk) {
                storvirt__error_set(-EINVAL, "argument 'vdisk' must not be NULL");
                return NULL;
        }
        return vdisk->id;
}

STORVIRT_EXPORT int storvirt_vdisk_get_json(storvirt_vdisk *vdisk, char **ret_json,
                                            uint32_t flags) {
        _cleanup_vrec_ vrec *v = NULL;
        char state[STORVIRT__UUID_STRING_MAX];
        int r;

        check_nonnull(vdisk);
        check_nonnull(ret_json);
        check_flags(flags, STORVIRT_VDISK_JSON_PRETTY);
        r = load(vdisk->ctx, vdisk->id, false, &v);
        if (r >= 0)
                r = storvirt__state_uuid(vdisk->ctx, state);
        if (r >= 0)
                r = storvirt__vrec_text(v, state, flags & STORVIRT_VDISK_JSON_PRETTY, ret_json);
        return r;
}

/* ---- changes under the exclusive lock ---------------------------------------------------------- */

typedef int (*change_fn)(storvirt_ctx *ctx, vrec *v, void *userdata);

/* Load under the exclusive lock, change, save (fn returns 1: save, 0: nothing, 2: remove). */
static int change(storvirt_ctx *ctx, const char *id, change_fn fn, void *userdata) {
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;
        _cleanup_vrec_ vrec *v = NULL;
        int r;

        r = storvirt__records_lock(ctx, KIND, STORVIRT__LOCK_EXCLUSIVE, &lock);
        if (r < 0)
                return r;
        r = load(ctx, id, true, &v);
        if (r < 0)
                return r;
        storvirt__vrec_set_in_hand(v);
        r = fn(ctx, v, userdata);
        storvirt__vrec_set_in_hand(NULL);
        if (r == 1)
                r = storvirt__vrec_save(ctx, v);
        else if (r == 2 && (r = storvirt__record_remove(ctx, KIND, id)) >= 0)
                r = storvirt__holders_update(ctx, id, NULL, NULL);
        return r < 0 ? r : 0;
}

struct snapshot_args {
        const char *pool;
        char *uid;
};

static int format_bytes_xml(const char *name, uint64_t cap, const image *top, char **ret) {
        return asprintf(ret,
                        "<volume><name>%s</name><capacity unit='bytes'>%" PRIu64 "</capacity>"
                        "<target><format type='qcow2'/></target>"
                        "<backingStore><path>%s</path><format type='%s'/></backingStore>"
                        "</volume>", name, cap, top->path, top->cow ? "qcow2" : "raw") < 0
                       ? storvirt__error_oom() : 0;
}

static int do_snapshot(storvirt_ctx *ctx, vrec *v, void *userdata) {
        struct snapshot_args *a = userdata;
        const image *top = &v->images[v->n_images - 1];
        storvirt_pool *pool = NULL;
        storvirt_volume *vol = NULL;
        _cleanup_free_ char *xml = NULL, *name = NULL;
        const char *pool_name = a->pool ? a->pool : top->pool, *target;
        char uid[STORVIRT__UUID_STRING_MAX], ts[32];
        storvirt__uuid u;
        image *im, *grown;
        int r;

        if (top->type == STORVIRT__DISK_TYPE_NETWORK)
                return storvirt__error_set(-EOPNOTSUPP, "vDisk %s: its top image is reached "
                                                        "through QEMU's iSCSI initiator; an overlay "
                                                        "over a network image is not supported",
                                           v->id);
        if (top->encryption)
                return storvirt__error_set(-EOPNOTSUPP, "vDisk %s: its top image %s is encrypted "
                                                        "(%s); an overlay over it would keep the "
                                                        "guest's writes unencrypted", v->id,
                                           top->path, top->encryption);
        if (!pool_name)
                return storvirt__error_set(-EINVAL, "vDisk %s: its top image %s is not a volume "
                                                    "of a storvirt pool: name the file pool for "
                                                    "the overlay", v->id, top->path);
        r = storvirt_pool_lookup_by_name(ctx, pool_name, &pool);
        if (r < 0)
                return r;
        target = storvirt_pool_get_target_path(pool);
        if (!target || storvirt_pool_is_active(pool) != 1) {
                r = storvirt__error_set(-EINVAL, "pool '%s' is %s: a snapshot overlay needs an "
                                                 "active file pool", pool_name,
                                        target ? "not active" : "not a file pool");
                goto out;
        }
        if (!top->capacity) {
                r = storvirt__error_set(-EINVAL, "vDisk %s: the size of its top image is unknown",
                                        v->id);
                goto out;
        }
        r = storvirt__uuid_generate_v4(&u);
        if (r < 0)
                goto out;
        storvirt__uuid_format(&u, uid);
        if (asprintf(&name, "%s.qcow2", uid) < 0) {
                name = NULL;
                r = storvirt__error_oom();
                goto out;
        }
        r = format_bytes_xml(name, top->capacity, top, &xml);
        if (r < 0)
                goto out;
        grown = realloc(v->images, (v->n_images + 1) * sizeof(*v->images));
        if (!grown) {
                r = storvirt__error_oom();
                goto out;
        }
        v->images = grown;
        top = &v->images[v->n_images - 1];
        im = &v->images[v->n_images];
        *im = (image){ .type = STORVIRT__DISK_TYPE_FILE, .cow = true, .sparse = true,
                       .legal = false, .capacity = top->capacity };
        v->n_images++;
        storvirt__now_rfc3339(ts);
        if ((r = storvirt__sdup(uid, &im->uid)) < 0 || (r = storvirt__sdup(ts, &im->created)) < 0 ||
            (r = storvirt__sdup(top->uid, &im->parent)) < 0 || (r = storvirt__sdup(storvirt_pool_get_name(pool), &im->pool)) < 0 ||
            (r = storvirt__sdup(name, &im->volume)) < 0 || (r = storvirt__sdup(storvirt_pool_get_uuid(pool), &im->domain_id)) < 0)
                goto out;
        if (asprintf(&im->path, "%s/%s", target, name) < 0) {
                im->path = NULL;
                r = storvirt__error_oom();
                goto out;
        }
        /* 1. recorded ILLEGAL: a crash from here on is rolled back */
        r = storvirt__vrec_save(ctx, v);
        if (r < 0)
                goto out;
        if (storvirt__vdisk_crash_point == 1)
                _exit(0);
        /* 2. the overlay, written natively by the pool */
        r = storvirt__volume_create_overlay(pool, xml, &vol);
        if (r < 0) {
                r = storvirt__error_set(r, "vDisk %s: creating the overlay: %s", v->id,
                                        storvirt_error_message());
                goto out;
        }
        if (strcmp(storvirt_volume_get_path(vol), im->path) != 0) {
                r = storvirt__sdup(storvirt_volume_get_path(vol), &im->path);
                if (r < 0)
                        goto out;
        }
        r = storvirt__sdup(storvirt_volume_get_key(vol), &im->key);
        if (r < 0)
                goto out;
        if (storvirt__vdisk_crash_point == 2)
                _exit(0);
        /* 3. complete: LEGAL */
        im->legal = true;
        r = storvirt__sdup(uid, &a->uid);
        if (r >= 0)
                r = 1;
out:
        if (r < 0 && v->n_images > 1 && !v->images[v->n_images - 1].legal) {
                /* nothing of it may stay: the file, then the entry */
                int k = r;
                image *last = &v->images[v->n_images - 1];

                if (vol)
                        storvirt_volume_delete(vol, STORVIRT_VOLUME_DELETE_FORCE);
                storvirt__vimage_clear(last);
                v->n_images--;
                storvirt__error_set(k, "%s", storvirt_error_message());
                if (storvirt__vrec_save(ctx, v) < 0)
                        storvirt__error_set(k, "%s (and the record could not be restored)",
                                            storvirt_error_message());
                r = k;
        }
        storvirt_volume_unref(vol);
        storvirt_pool_unref(pool);
        return r;
}

STORVIRT_EXPORT int storvirt_vdisk_snapshot(storvirt_vdisk *vdisk, const char *pool,
                                            char **ret_uid, uint32_t flags) {
        struct snapshot_args a = { .pool = pool };
        int r;

        check_nonnull(vdisk);
        check_flags(flags, 0);
        r = change(vdisk->ctx, vdisk->id, do_snapshot, &a);
        if (r >= 0 && ret_uid)
                *ret_uid = TAKE_PTR(a.uid);
        free(a.uid);
        return r;
}

struct delete_args {
        const char *uid;
        uint32_t flags;
};

static int do_delete_image(storvirt_ctx *ctx, vrec *v, void *userdata) {
        struct delete_args *a = userdata;
        image *top = &v->images[v->n_images - 1];
        int r;

        if (strcmp(top->uid, a->uid) != 0) {
                for (size_t i = 0; i < v->n_images; i++)
                        if (strcmp(v->images[i].uid, a->uid) == 0)
                                return storvirt__error_set(-EINVAL, "vDisk %s: image %s is not the "
                                                                    "top of the stack (%s is): only "
                                                                    "the top can be deleted", v->id,
                                                           a->uid, top->uid);
                return storvirt__error_set(-ENOENT, "vDisk %s has no image %s", v->id, a->uid);
        }
        if (v->n_images == 1)
                return storvirt__error_set(-EINVAL, "vDisk %s: image %s is its base (the storage "
                                                    "itself): delete the vDisk instead", v->id,
                                           a->uid);
        if (v->n_att && !(a->flags & STORVIRT_VDISK_FORCE))
                return storvirt__error_set(-EBUSY, "vDisk %s is attached to VM %s%s: force to "
                                                   "delete its top image anyway", v->id,
                                           v->att[0].vm, v->n_att > 1 ? " and others" : "");
        if (a->flags & STORVIRT_VDISK_DELETE_STORAGE) {
                r = remove_image_file(ctx, top);
                if (r < 0)
                        return r;
        }
        storvirt__vimage_clear(top);
        v->n_images--;
        return 1;
}

STORVIRT_EXPORT int storvirt_vdisk_delete_image(storvirt_vdisk *vdisk, const char *uid,
                                                uint32_t flags) {
        struct delete_args a = { .uid = uid, .flags = flags };

        check_nonnull(vdisk);
        check_nonnull(uid);
        check_flags(flags, STORVIRT_VDISK_FORCE | STORVIRT_VDISK_DELETE_STORAGE);
        return change(vdisk->ctx, vdisk->id, do_delete_image, &a);
}

static int do_delete(storvirt_ctx *ctx, vrec *v, void *userdata) {
        struct delete_args *a = userdata;
        int r;

        if (!(a->flags & STORVIRT_VDISK_FORCE)) {
                if (v->n_att)
                        return storvirt__error_set(-EBUSY, "vDisk %s is attached to VM %s%s: "
                                                           "detach it or force", v->id,
                                                   v->att[0].vm, v->n_att > 1 ? " and others" : "");
                if (v->prepared)
                        return storvirt__error_set(-EBUSY, "vDisk %s is prepared (%s): release it "
                                                           "or force", v->id, v->prepared[0]);
        }
        if (a->flags & STORVIRT_VDISK_DELETE_STORAGE)
                for (size_t i = v->n_images; i-- > 1;) {
                        r = remove_image_file(ctx, &v->images[i]);
                        if (r < 0)
                                return r;
                }
        return 2;
}

STORVIRT_EXPORT int storvirt_vdisk_delete(storvirt_vdisk *vdisk, uint32_t flags) {
        struct delete_args a = { .flags = flags };

        check_nonnull(vdisk);
        check_flags(flags, STORVIRT_VDISK_FORCE | STORVIRT_VDISK_DELETE_STORAGE);
        return change(vdisk->ctx, vdisk->id, do_delete, &a);
}

/* ---- XML, attach ------------------------------------------------------------------------------ */

/* A spec with the guest's options and this vDisk as the source. */
static int guest_spec(const char *id, const storvirt_disk_spec *guest, storvirt__disk_spec **ret) {
        const storvirt__disk_spec *g = guest ? storvirt__disk_spec_of(guest) : NULL;
        storvirt__disk_spec *s = NULL;
        int r;

        if (g && g->source != STORVIRT__DISK_SOURCE_NONE)
                return storvirt__error_set(-EINVAL, "the guest spec must not name a source: the "
                                                    "vDisk is the source");
        r = g ? storvirt__disk_spec_dup(g, &s) : storvirt__disk_spec_new(&s);
        if (r < 0)
                return r;
        s->source = STORVIRT__DISK_SOURCE_VDISK;
        if (!(s->vdisk = strdup(id))) {
                storvirt__disk_spec_free(s);
                return storvirt__error_oom();
        }
        *ret = s;
        return 0;
}

static int vdisk_xml(storvirt_ctx *ctx, const char *id, const storvirt_disk_spec *guest,
                     uint32_t flags, char **ret_xml, char **ret_dev) {
        storvirt__disk_resolved *d = NULL;
        storvirt__disk_spec *s = NULL;
        int r;

        r = guest_spec(id, guest, &s);
        if (r >= 0)
                r = storvirt__resolve_spec(ctx, s, 0, &d);
        if (r >= 0 && ret_xml)
                r = storvirt__resolve_format(d, ret_xml, flags);
        if (r >= 0 && ret_dev)
                r = storvirt__sdup(d->target_dev, ret_dev);
        storvirt__disk_resolved_free(d);
        storvirt__disk_spec_free(s);
        return r;
}

STORVIRT_EXPORT int storvirt_vdisk_get_xml(storvirt_vdisk *vdisk, const storvirt_disk_spec *guest,
                                           char **ret_xml, uint32_t flags) {
        check_nonnull(vdisk);
        check_nonnull(ret_xml);
        check_flags(flags, STORVIRT_RESOLVE_DICT);
        return vdisk_xml(vdisk->ctx, vdisk->id, guest, flags, ret_xml, NULL);
}

struct attach_args {
        const char *vm;
        const storvirt_disk_spec *guest;
        uint32_t flags;
        char *xml;
};

static int do_attach(storvirt_ctx *ctx, vrec *v, void *userdata) {
        struct attach_args *a = userdata;
        attachment *grown;
        char *dev = NULL;
        int r;

        for (size_t i = 0; i < v->n_att; i++) {
                if (strcmp(v->att[i].vm, a->vm) == 0)
                        return storvirt__error_set(-EEXIST, "vDisk %s is already attached to VM %s",
                                                   v->id, a->vm);
                if (!v->shared)
                        return storvirt__error_set(-EBUSY, "vDisk %s is attached to VM %s and is not "
                                                           "shared", v->id, v->att[i].vm);
        }
        r = vdisk_xml(ctx, v->id, a->guest, 0, a->xml ? NULL : &a->xml, &dev);
        if (r < 0)
                return r;
        grown = realloc(v->att, (v->n_att + 1) * sizeof(*v->att));
        if (!grown) {
                free(dev);
                return storvirt__error_oom();
        }
        v->att = grown;
        v->att[v->n_att] = (attachment){ .vm = strdup(a->vm), .dev = dev,
                                         .hotplugged = a->flags & STORVIRT_VDISK_ATTACH_HOTPLUG };
        if (!v->att[v->n_att].vm) {
                free(dev);
                return storvirt__error_oom();
        }
        v->n_att++;
        return 1;
}

STORVIRT_EXPORT int storvirt_vdisk_attach(storvirt_vdisk *vdisk, const char *vm_id,
                                          const storvirt_disk_spec *guest, char **ret_xml,
                                          uint32_t flags) {
        struct attach_args a = { .vm = vm_id, .guest = guest, .flags = flags };
        int r;

        check_nonnull(vdisk);
        check_flags(flags, STORVIRT_VDISK_ATTACH_HOTPLUG);
        r = check_vm_id(vm_id);
        if (r < 0)
                return r;
        r = change(vdisk->ctx, vdisk->id, do_attach, &a);
        if (r >= 0 && ret_xml)
                *ret_xml = TAKE_PTR(a.xml);
        free(a.xml);
        return r;
}

static int do_detach(storvirt_ctx *ctx, vrec *v, void *userdata) {
        const char *vm = userdata;

        (void)ctx;
        for (size_t i = 0; i < v->n_att; i++)
                if (strcmp(v->att[i].vm, vm) == 0) {
                        free(v->att[i].vm);
                        free(v->att[i].dev);
                        memmove(&v->att[i], &v->att[i + 1], (v->n_att - i - 1) * sizeof(*v->att));
                        v->n_att--;
                        return 1;
                }
        return storvirt__error_set(-ENOENT, "vDisk %s is not attached to VM %s", v->id, vm);
}

STORVIRT_EXPORT int storvirt_vdisk_detach(storvirt_vdisk *vdisk, const char *vm_id,
                                          uint32_t flags) {
        int r;

        check_nonnull(vdisk);
        check_flags(flags, 0);
        r = check_vm_id(vm_id);
        if (r < 0)
                return r;
        return change(vdisk->ctx, vdisk->id, do_detach, (void *)vm_id);
}

/* ---- prepare / release ------------------------------------------------------------------------- */

static long long now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The device of the base image, checked, once it is there: its path (malloc'd). */
static int wait_device(storvirt_ctx *ctx, const vrec *v, int timeout_ms, char **ret_path) {
        const image *base = &v->images[0];
        long long deadline = now_ms() + timeout_ms;
        struct stat st;
        int r;

        for (;;) {
                if (strcmp(v->kind, "iscsi") == 0) {
                        struct storvirt__iscsi_lun *luns = NULL;
                        size_t n = 0;

                        r = storvirt__connection_iscsi_scan(ctx, v->connections ? v->connections[0] : "",
                                                            timeout_ms, &luns, &n);
                        if (r >= 0) {
                                r = -ENOENT;
                                for (size_t k = 0; k < n; k++)
                                        if (luns[k].lun == v->iscsi.lun)
                                                r = strcmp(luns[k].guid, v->guid) == 0 ? 0 : -ESTALE;
                                if (r == -ESTALE)
                                        r = storvirt__error_set(-ESTALE, "LUN %u of %s is no longer "
                                                                         "WWID %s", v->iscsi.lun,
                                                                v->iscsi.target, v->guid);
                                else if (r == -ENOENT)
                                        r = storvirt__error_set(-ENOENT, "target %s has no LUN %u",
                                                                v->iscsi.target, v->iscsi.lun);
                        }
                        storvirt__iscsi_luns_free(luns, n);
                        if (r >= 0 && asprintf(ret_path, strchr(v->iscsi.host, ':')
                                                                 ? "iscsi://[%s]:%u/%s/%u"
                                                                 : "iscsi://%s:%u/%s/%u",
                                               v->iscsi.host, v->iscsi.port, v->iscsi.target,
                                               v->iscsi.lun) < 0)
                                r = storvirt__error_oom();
                        return r;
                }
                if (strcmp(v->kind, "lun") == 0) {
                        storvirt_lun *lun = NULL;

                        r = storvirt_lun_refresh(ctx, 0);
                        if (r >= 0)
                                r = storvirt_lun_lookup_by_guid(ctx, v->guid, &lun);
                        storvirt_lun_unref(lun);
                        if (r >= 0) {
                                /* the path resolution gives, identity read again */
                                storvirt__disk_resolved *d = NULL;
                                storvirt__disk_spec *s = NULL;

                                r = storvirt__disk_spec_new(&s);
                                if (r >= 0 && !(s->guid = strdup(v->guid)))
                                        r = storvirt__error_oom();
                                if (r >= 0) {
                                        s->source = STORVIRT__DISK_SOURCE_GUID;
                                        r = storvirt__resolve_spec(ctx, s, STORVIRT_RESOLVE_NO_REFRESH, &d);
                                }
                                if (r >= 0)
                                        r = storvirt__sdup(d->source_path, ret_path);
                                storvirt__disk_resolved_free(d);
                                storvirt__disk_spec_free(s);
                                return r;
                        }
                } else if (stat(base->path, &st) == 0) {
                        if (strcmp(v->kind, "loop") == 0) {
                                storvirt_lun *lun = NULL;
                                const char *b;
                                char *real = NULL;
                                bool same;

                                r = storvirt_lun_refresh(ctx, 0);
                                if (r >= 0)
                                        r = storvirt_lun_lookup_by_path(ctx, base->path, &lun);
                                if (r < 0)
                                        return r;
                                b = storvirt_lun_get_loop_backing(lun);
                                real = b ? realpath(b, NULL) : NULL;
                                same = b && strcmp(v->identity + 5, real ? real : b) == 0;
                                free(real);
                                storvirt_lun_unref(lun);
                                if (!same)
                                        return storvirt__error_set(-ESTALE, "'%s' is no longer "
                                                                            "backed by %s", base->path,
                                                                   v->identity + 5);
                        }
                        return storvirt__sdup(base->path, ret_path);
                }
                if (now_ms() >= deadline)
                        return storvirt__error_set(-ETIMEDOUT, "vDisk %s: its device (%s) did not "
                                                               "appear within %d ms", v->id,
                                                   v->guid ? v->guid : base->path, timeout_ms);
                storvirt_error_clear();
                usleep(200 * 1000);
        }
}

static int holder_name(const char *id, const char *vm, char **ret) {
        return asprintf(ret, "vdisk:%s:vm:%s", id, vm) < 0 ? storvirt__error_oom() : 0;
}

static int add_prepared(storvirt_ctx *ctx, vrec *v, void *userdata) {
        (void)ctx;
        if (storvirt__strv_contains(v->prepared, userdata))
                return 0;
        return storvirt__strv_extend(&v->prepared, userdata) < 0 ? storvirt__error_oom() : 1;
}

static int drop_prepared(storvirt_ctx *ctx, vrec *v, void *userdata) {
        char **kept = NULL;

        (void)ctx;
        if (!storvirt__strv_contains(v->prepared, userdata))
                return 0;
        for (char **p = v->prepared; *p; p++)
                if (strcmp(*p, userdata) != 0 && storvirt__strv_extend(&kept, *p) < 0) {
                        storvirt__strv_free(kept);
                        return storvirt__error_oom();
                }
        storvirt__strv_free(v->prepared);
        v->prepared = kept;
        return 1;
}

STORVIRT_EXPORT int storvirt_vdisk_prepare(storvirt_vdisk *vdisk, const char *vm_id,
                                           int timeout_ms, char **ret_path, uint32_t flags) {
        _cleanup_vrec_ vrec *v = NULL;
        _cleanup_free_ char *holder = NULL, *path = NULL;
        size_t acquired = 0;
        int r;

        check_nonnull(vdisk);
        check_arg(timeout_ms >= 0, "timeout_ms", "must not be negative");
        check_flags(flags, 0);
        r = check_vm_id(vm_id);
        if (r < 0)
                return r;
        if (timeout_ms == 0)
                timeout_ms = DEFAULT_TIMEOUT_MS;
        r = load(vdisk->ctx, vdisk->id, false, &v);
        if (r >= 0)
                r = holder_name(v->id, vm_id, &holder);
        for (char **c = v ? v->connections : NULL; r >= 0 && c && *c; c++) {
                r = storvirt__connection_acquire(vdisk->ctx, *c, holder, timeout_ms);
                if (r >= 0)
                        acquired++;
        }
        if (r >= 0)
                r = wait_device(vdisk->ctx, v, timeout_ms, &path);
        if (r >= 0 && v->n_images > 1) {
                /* the VM opens the top image; every overlay must be there */
                for (size_t i = 1; r >= 0 && i < v->n_images; i++)
                        if (access(v->images[i].path, F_OK) < 0)
                                r = storvirt__error_set(-errno, "vDisk %s: image %s (%s): %m",
                                                        v->id, v->images[i].uid, v->images[i].path);
                if (r >= 0) {
                        free(path);
                        path = strdup(v->images[v->n_images - 1].path);
                        if (!path)
                                r = storvirt__error_oom();
                }
        }
        if (r >= 0)
                r = change(vdisk->ctx, vdisk->id, add_prepared, holder);
        if (r < 0 && v) {
                /* undo what this call connected; the error stays that of the failure */
                storvirt__error_saved e;

                storvirt__error_save(&e);
                for (size_t i = 0; i < acquired; i++)
                        (void)storvirt__connection_release(vdisk->ctx, v->connections[i], holder, false);
                storvirt__error_restore(&e);
                return r;
        }
        if (r >= 0 && ret_path)
                *ret_path = TAKE_PTR(path);
        return r;
}

STORVIRT_EXPORT int storvirt_vdisk_release(storvirt_vdisk *vdisk, const char *vm_id,
                                           uint32_t flags) {
        _cleanup_vrec_ vrec *v = NULL;
        _cleanup_free_ char *holder = NULL;
        int r, first = 0;

        check_nonnull(vdisk);
        check_flags(flags, 0);
        r = check_vm_id(vm_id);
        if (r < 0)
                return r;
        r = load(vdisk->ctx, vdisk->id, false, &v);
        if (r >= 0)
                r = holder_name(v->id, vm_id, &holder);
        if (r < 0)
                return r;
        for (char **c = v->connections; c && *c; c++) {
                r = storvirt__connection_release(vdisk->ctx, *c, holder, false);
                if (r < 0 && !first)
                        first = r;
        }
        r = change(vdisk->ctx, vdisk->id, drop_prepared, holder);
        return first < 0 ? first : r;
}

STORVIRT_EXPORT int storvirt_vm_connections(storvirt_ctx *ctx, const char *vm_id, char **ret_json,
                                            uint32_t flags) {
        _cleanup_strv_free_ char **ids = NULL, **conns = NULL;
        _cleanup_json_gen_ storvirt__json_gen *g = NULL;
        int r;

        check_nonnull(ctx);
        check_nonnull(ret_json);
        check_flags(flags, STORVIRT_CONNECTION_JSON_PRETTY | STORVIRT_CONNECTION_JSON_VDSM);
        r = check_vm_id(vm_id);
        if (r < 0)
                return r;
        r = storvirt__records_list(ctx, KIND, &ids);
        if (r < 0)
                return r;
        for (char **id = ids; *id; id++) {
                _cleanup_vrec_ vrec *v = NULL;
                bool attached = false;

                if (load(ctx, *id, false, &v) < 0) {
                        log_warning(ctx, "skipping vDisk record %s: %s", *id, storvirt_error_message());
                        storvirt_error_clear();
                        continue;
                }
                for (size_t i = 0; i < v->n_att; i++)
                        attached |= strcmp(v->att[i].vm, vm_id) == 0;
                for (char **c = v->connections; attached && c && *c; c++)
                        if (!storvirt__strv_contains(conns, *c) && storvirt__strv_extend(&conns, *c) < 0)
                                return storvirt__error_oom();
        }
        storvirt__strv_sort(conns);
        r = storvirt__json_gen_new(flags & STORVIRT_CONNECTION_JSON_PRETTY, &g);
        if (r >= 0)
                r = storvirt__json_gen_begin_array(g);
        for (char **c = conns; r >= 0 && c && *c; c++)
                r = storvirt__connection_gen_json(ctx, *c, flags & STORVIRT_CONNECTION_JSON_VDSM, g);
        if (r >= 0)
                r = storvirt__json_gen_end_array(g);
        if (r >= 0)
                r = storvirt__json_gen_finish(g, ret_json, NULL);
        return r;
}

