/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vdisk_stack.c - a vDisk's image stack: a snapshot adds a native qcow2
 * overlay on the top image (recorded ILLEGAL first, LEGAL once the file
 * is complete, so that a crash in between is rolled back on the next
 * read), only the top image is deleted, and the vDisk itself.
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
#include "core/pool.h"
#include "objects/vdisk_rec.h"
#include "lease/lease.h"
#include "vdisk/vdisk.h"
#include "vdisk/vdisk_int.h"
#include "util/error.h"
#include "util/macro.h"
#include "util/uuid.h"

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

/* Why the top image of v cannot carry an overlay in pool_name, or 0. */
static int snapshot_refusal(const vrec *v, const char *pool_name) {
        const image *top = &v->images[v->n_images - 1];

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
        return 0;
}

/* The pool the overlay goes to: an active file pool (its target path borrowed from it). */
static int overlay_pool(storvirt_ctx *ctx, const vrec *v, const char *pool_name,
                        storvirt_pool **ret_pool, const char **ret_target) {
        const image *top = &v->images[v->n_images - 1];
        storvirt_pool *pool = NULL;
        const char *target;
        int r;

        r = storvirt_pool_lookup_by_name(ctx, pool_name, &pool);
        if (r < 0)
                return r;
        target = storvirt_pool_get_target_path(pool);
        if (!target || storvirt_pool_is_active(pool) != 1)
                r = storvirt__error_set(-EINVAL, "pool '%s' is %s: a snapshot overlay needs an "
                                                 "active file pool", pool_name,
                                        target ? "not active" : "not a file pool");
        else if (!top->capacity)
                r = storvirt__error_set(-EINVAL, "vDisk %s: the size of its top image is unknown",
                                        v->id);
        if (r < 0) {
                storvirt_pool_unref(pool);
                return r;
        }
        *ret_pool = pool;
        *ret_target = target;
        return 0;
}

/* A new image uid, the overlay's volume name "<uid>.qcow2" and its volume XML. */
static int overlay_names(const image *top, char uid[STORVIRT__UUID_STRING_MAX], char **ret_name,
                         char **ret_xml) {
        storvirt__uuid u;
        int r;

        r = storvirt__uuid_generate_v4(&u);
        if (r < 0)
                return r;
        storvirt__uuid_format(&u, uid);
        if (asprintf(ret_name, "%s.qcow2", uid) < 0) {
                *ret_name = NULL;
                return storvirt__error_oom();
        }
        return format_bytes_xml(*ret_name, top->capacity, top, ret_xml);
}

/*
 * Appends the overlay's entry to v, ILLEGAL until its file is complete.
 * Once it is appended, a failure leaves it there for the caller to drop.
 */
static int add_overlay_entry(vrec *v, storvirt_pool *pool, const char *target, const char *uid,
                             const char *name) {
        image *im, *grown, *top;
        char ts[32];
        int r;

        grown = realloc(v->images, (v->n_images + 1) * sizeof(*v->images));
        if (!grown)
                return storvirt__error_oom();
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
                return r;
        if (asprintf(&im->path, "%s/%s", target, name) < 0) {
                im->path = NULL;
                return storvirt__error_oom();
        }
        return 0;
}

/* The record with the ILLEGAL entry saved, then the overlay file written by the pool. */
static int write_overlay(storvirt_ctx *ctx, vrec *v, storvirt_pool *pool, const char *xml,
                         storvirt_volume **ret_vol) {
        image *im = &v->images[v->n_images - 1];
        int r;

        /* 1. recorded ILLEGAL: a crash from here on is rolled back */
        r = storvirt__vrec_save(ctx, v);
        if (r < 0)
                return r;
        if (storvirt__vdisk_crash_point == 1)
                _exit(0);
        /* 2. the overlay, written natively by the pool */
        r = storvirt__volume_create_overlay(pool, xml, ret_vol);
        if (r < 0)
                return storvirt__error_set(r, "vDisk %s: creating the overlay: %s", v->id,
                                           storvirt_error_message());
        if (strcmp(storvirt_volume_get_path(*ret_vol), im->path) != 0) {
                r = storvirt__sdup(storvirt_volume_get_path(*ret_vol), &im->path);
                if (r < 0)
                        return r;
        }
        r = storvirt__sdup(storvirt_volume_get_key(*ret_vol), &im->key);
        if (r < 0)
                return r;
        if (storvirt__vdisk_crash_point == 2)
                _exit(0);
        return 0;
}

/* After failure r: nothing of an ILLEGAL overlay may stay, the file, then the entry. */
static int drop_overlay(storvirt_ctx *ctx, vrec *v, storvirt_volume *vol, int r) {
        image *last = &v->images[v->n_images - 1];

        if (v->n_images <= 1 || last->legal)
                return r;
        if (vol)
                storvirt_volume_delete(vol, STORVIRT_VOLUME_DELETE_FORCE);
        storvirt__vimage_clear(last);
        v->n_images--;
        storvirt__error_set(r, "%s", storvirt_error_message());
        if (storvirt__vrec_save(ctx, v) < 0)
                storvirt__error_set(r, "%s (and the record could not be restored)",
                                    storvirt_error_message());
        return r;
}

static int do_snapshot(storvirt_ctx *ctx, vrec *v, void *userdata) {
        struct snapshot_args *a = userdata;
        const image *top = &v->images[v->n_images - 1];
        const char *pool_name = a->pool ? a->pool : top->pool, *target = NULL;
        storvirt_pool *pool = NULL;
        storvirt_volume *vol = NULL;
        _cleanup_free_ char *xml = NULL, *name = NULL;
        char uid[STORVIRT__UUID_STRING_MAX];
        int r;

        if (storvirt__vdisk_is_net(v))
                return storvirt__vdisk_net_refuse_snapshot(v);
        r = snapshot_refusal(v, pool_name);
        if (r >= 0)
                r = overlay_pool(ctx, v, pool_name, &pool, &target);
        if (r < 0)
                return r;
        r = overlay_names(top, uid, &name, &xml);
        if (r >= 0)
                r = add_overlay_entry(v, pool, target, uid, name);
        if (r >= 0)
                r = write_overlay(ctx, v, pool, xml, &vol);
        if (r >= 0) {
                /* 3. complete: LEGAL */
                v->images[v->n_images - 1].legal = true;
                r = storvirt__sdup(uid, &a->uid);
        }
        if (r < 0)
                r = drop_overlay(ctx, v, vol, r);
        storvirt_volume_unref(vol);
        storvirt_pool_unref(pool);
        return r < 0 ? r : 1;
}

/*
 * storvirt__vdisk_change() holding the vDisk's lease (lib/lease): no other
 * host runs the chain while it changes; -EBUSY naming the one that does.
 */
static int change_leased(storvirt_ctx *ctx, const char *id, storvirt__vdisk_change_fn fn,
                         void *userdata) {
        _cleanup_vrec_ vrec *v = NULL;
        int sock = -1, r;

        r = storvirt__vdisk_load(ctx, id, false, &v);
        if (r >= 0)
                r = storvirt__lease_hold(ctx, v, &sock);
        if (r < 0)
                return r;
        /* the chain as the last host that changed it left it, then changed and shared */
        r = storvirt__vdisk_chain_sync(ctx, id);
        if (r >= 0)
                r = storvirt__vdisk_change(ctx, id, fn, userdata);
        if (r >= 0 && v->lease.lockspace && !v->readonly) {
                _cleanup_vrec_ vrec *now = NULL;
                int k = storvirt__vdisk_load(ctx, id, false, &now);

                k = k < 0 ? k : storvirt__vdisk_chain_publish(ctx, now);
                r = k < 0 ? k : r;
        }
        storvirt__lease_unhold(ctx, v, sock);
        return r;
}

STORVIRT_EXPORT int storvirt_vdisk_snapshot(storvirt_vdisk *vdisk, const char *pool,
                                            char **ret_uid, uint32_t flags) {
        struct snapshot_args a = { .pool = pool };
        int r;

        check_nonnull(vdisk);
        check_flags(flags, 0);
        r = change_leased(vdisk->ctx, vdisk->id, do_snapshot, &a);
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
                r = storvirt__vdisk_remove_image(ctx, top);
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
        return change_leased(vdisk->ctx, vdisk->id, do_delete_image, &a);
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
                        r = storvirt__vdisk_remove_image(ctx, &v->images[i]);
                        if (r < 0)
                                return r;
                }
        return 2;
}

STORVIRT_EXPORT int storvirt_vdisk_delete(storvirt_vdisk *vdisk, uint32_t flags) {
        struct delete_args a = { .flags = flags };

        check_nonnull(vdisk);
        check_flags(flags, STORVIRT_VDISK_FORCE | STORVIRT_VDISK_DELETE_STORAGE);
        return storvirt__vdisk_change(vdisk->ctx, vdisk->id, do_delete, &a);
}
