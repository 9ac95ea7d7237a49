/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vdisk_import.c - importing a vDisk (storvirt_vdisk_import): the
 * identity of the storage (a LUN's GUID, a loop device's backing file,
 * a file's real path, an iSCSI LUN read through libiscsi), the vDisk id
 * derived from it, a qcow2 file's backing chain as its images, and the
 * record written, or joined when the same storage was imported before.
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
#include "objects/events.h"
#include "objects/records.h"
#include "resolve/resolve.h"
#include "objects/vol_chain.h"
#include "objects/vdisk_rec.h"
#include "lease/lease.h"
#include "vdisk/vdisk_int.h"
#include "util/error.h"
#include "util/macro.h"
#include "util/strv.h"
#include "util/uuid.h"

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
                r = storvirt__vdisk_net_moved(cur, a->fresh);  /* renamed, then imported again */
                if (r < 0)
                        return r;
                changed |= r > 0;
                if (!cur->lease.lockspace && a->fresh->lease.lockspace) {
                        /* imported before its storage was in a lockspace */
                        cur->lease = a->fresh->lease;
                        a->fresh->lease.lockspace = a->fresh->lease.path = NULL;
                        changed = true;
                }
                if (!changed)
                        return 2;
        }
        return storvirt__vrec_text(cur, NULL, true, ret_text);
}

/* A spec a vDisk can be imported from: one naming its storage. */
static int check_import_source(const storvirt__disk_spec *s) {
        switch (s->source) {
        case STORVIRT__DISK_SOURCE_VDISK:
        case STORVIRT__DISK_SOURCE_PDIV:
                return storvirt__error_set(-EINVAL, "a vDisk is imported from its storage (GUID, "
                                                    "UUID, pool and volume, path or iscsi), not "
                                                    "from a vDisk id or a quartet");
        case STORVIRT__DISK_SOURCE_NONE:
                return storvirt__error_set(-EINVAL, "the spec names no storage to import");
        default:
                return 0;
        }
}

/* Every id names a stored connection. */
static int check_connections(storvirt_ctx *ctx, const char *const *connection_ids) {
        for (const char *const *c = connection_ids; c && *c; c++) {
                storvirt_connection *conn = NULL;
                int r;

                r = storvirt_connection_lookup(ctx, *c, &conn);
                storvirt_connection_unref(conn);
                if (r < 0)
                        return r;
        }
        return 0;
}

/*
 * Resolves s and reads the identity of what it names into v and its
 * base image.  *ret_d: the resolution when it is a file (its backing
 * chain becomes images too), else NULL; *ret_conn: the stored
 * connection reaching an iSCSI LUN, an rbd image or a gluster volume.
 */
static int import_identity(storvirt_ctx *ctx, const storvirt__disk_spec *s, uint32_t rflags,
                           vrec *v, storvirt__disk_resolved **ret_d, char **ret_conn) {
        storvirt__disk_resolved *d = NULL;
        image *base = &v->images[0];
        int r;

        *ret_d = NULL;
        r = storvirt__resolve_spec(ctx, s, rflags, &d);
        if (r < 0)
                return r;
        if (s->source == STORVIRT__DISK_SOURCE_ISCSI)
                r = iscsi_identity(ctx, d->spec, v, base, ret_conn);
        else if (d->type == STORVIRT__DISK_TYPE_BLOCK)
                r = block_identity(ctx, d->source_path, rflags, v, base);
        else if (d->type == STORVIRT__DISK_TYPE_FILE)
                r = file_identity(ctx, d, v, base);
        else if (d->type == STORVIRT__DISK_TYPE_NETWORK && (d->rbd.name || d->netfile.protocol))
                r = storvirt__vdisk_net_identity(ctx, d, v, base, ret_conn);
        else
                r = storvirt__error_set(-EINVAL, "a %s source cannot become a vDisk",
                                        storvirt__disk_type_names[d->type]);
        if (d->type != STORVIRT__DISK_TYPE_FILE || r < 0) {
                storvirt__disk_resolved_free(d);
                d = NULL;
        }
        *ret_d = d;
        return r;
}

/* The vDisk id (from the identity), the base image's uid and the creation time. */
static int import_names(vrec *v, char id[STORVIRT__UUID_STRING_MAX]) {
        image *base = &v->images[0];
        char ts[32];
        int r;

        if (!base->domain_id && (r = storvirt__sdup(NIL_UUID, &base->domain_id)) < 0)
                return r;
        r = storvirt__vrec_id_for_identity(v->identity, id);
        if (r >= 0)
                r = storvirt__sdup(id, &v->id);
        if (r >= 0)
                r = storvirt__vrec_base_uid(id, &base->uid);
        if (r < 0)
                return r;
        storvirt__now_rfc3339(ts);
        if ((r = storvirt__sdup(ts, &v->created)) < 0 || (r = storvirt__sdup(ts, &base->created)) < 0)
                return r;
        base->legal = true;
        return 0;
}

/* Volume records for the file images; the connections given and the one found. */
static int import_volumes_connections(storvirt_ctx *ctx, const char *const *connection_ids,
                                      const char *iscsi_conn, vrec *v) {
        int r;

        for (size_t k = 0; k < v->n_images; k++)
                if (v->images[k].type == STORVIRT__DISK_TYPE_FILE &&
                    (r = storvirt__vol_record_import(ctx, v->images[k].path,
                                                     v->images[k].cow ? "qcow2" : "raw")) < 0)
                        return r;
        for (const char *const *c = connection_ids; c && *c; c++)
                if (!storvirt__strv_contains(v->connections, *c) &&
                    storvirt__strv_extend(&v->connections, *c) < 0)
                        return storvirt__error_oom();
        if (iscsi_conn && !storvirt__strv_contains(v->connections, iscsi_conn) &&
            storvirt__strv_extend(&v->connections, iscsi_conn) < 0)
                return storvirt__error_oom();
        return 0;
}

/* Writes the record, or joins the stored one of the same identity: 1 when it existed. */
static int import_store(storvirt_ctx *ctx, vrec *v, const char *id, storvirt_vdisk **ret_vdisk) {
        struct import_args a = { .fresh = v, .conns = v->connections };
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;
        _cleanup_vrec_ vrec *stored = NULL;
        int r;

        r = storvirt__records_lock(ctx, KIND, STORVIRT__LOCK_EXCLUSIVE, &lock);
        if (r >= 0)
                r = storvirt__record_update(ctx, KIND, id, true, import_update, &a);
        if (r >= 0 && r != 2) {
                int k = storvirt__vrec_read(ctx, id, true, &stored);

                k = k < 0 ? k : storvirt__vrec_holders_update(ctx, stored);
                r = k < 0 ? k : r;
        }
        if (r >= 0 && !a.existed)
                storvirt__event_emit_vdisk(ctx, STORVIRT_EVENT_VDISK_IMPORTED, id, NULL);
        if (r >= 0) {
                r = storvirt__vdisk_handle_new(ctx, id, ret_vdisk);
                if (r >= 0)
                        r = a.existed;
        }
        return r;
}

STORVIRT_EXPORT int storvirt_vdisk_import(storvirt_ctx *ctx, const storvirt_disk_spec *spec,
                                          const char *const *connection_ids, uint32_t flags,
                                          storvirt_vdisk **ret_vdisk) {
        const storvirt__disk_spec *s;
        storvirt__disk_resolved *d = NULL;
        _cleanup_vrec_ vrec *v = NULL;
        char id[STORVIRT__UUID_STRING_MAX], *iscsi_conn = NULL;
        uint32_t rflags;
        int r, sock = -1;

        check_nonnull(ctx);
        check_nonnull(spec);
        check_nonnull(ret_vdisk);
        check_flags(flags, STORVIRT_VDISK_IMPORT_SHARED | STORVIRT_VDISK_IMPORT_READONLY |
                                   STORVIRT_VDISK_IMPORT_NO_REFRESH);
        s = storvirt__disk_spec_of(spec);
        rflags = flags & STORVIRT_VDISK_IMPORT_NO_REFRESH ? STORVIRT_RESOLVE_NO_REFRESH : 0;
        r = check_import_source(s);
        if (r >= 0)
                r = check_connections(ctx, connection_ids);
        if (r < 0)
                return r;
        v = calloc(1, sizeof(*v));
        if (!v || !(v->images = calloc(1, sizeof(*v->images))))
                return storvirt__error_oom();
        v->n_images = 1;
        r = import_identity(ctx, s, rflags, v, &d, &iscsi_conn);
        if (r >= 0)
                r = import_names(v, id);
        if (r >= 0 && d && d->n_backing > 0)
                r = import_chain(ctx, d, v);
        if (r >= 0) {
                v->shared = flags & STORVIRT_VDISK_IMPORT_SHARED;
                v->readonly = (flags & STORVIRT_VDISK_IMPORT_READONLY) || s->readonly;
                v->shared |= s->shared;
                r = import_volumes_connections(ctx, connection_ids, iscsi_conn, v);
        }
        if (r >= 0 && v->images[0].type == STORVIRT__DISK_TYPE_FILE)
                r = storvirt__lease_assign(ctx, v->images[0].path, v);
        if (r >= 0) /* the data there may be in use on another host: held while taken in */
                r = storvirt__lease_hold(ctx, v, &sock);
        if (r >= 0)
                r = import_store(ctx, v, id, ret_vdisk);
        storvirt__lease_unhold(ctx, v, sock);
        storvirt__disk_resolved_free(d);
        free(iscsi_conn);
        return r;
}
