/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * volume.c - volume handles and the public volume API: listing, lookups,
 * create (from XML, as a copy), delete, wipe, resize, info, XML, upload
 * and download.  Long operations mark the record busy and run without
 * any lock; the pool cannot be stopped meanwhile (obj->jobs).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "objects/ctx.h"
#include "core/pool.h"
#include "objects/events.h"
#include "objects/holders.h"
#include "objects/vol_chain.h"
#include "objects/secret.h"
#include "util/log.h"
#include "util/macro.h"
#include "util/strv.h"

static void volume_handle_free(storvirt_volume *vol) {
        storvirt__vol_rec_unref(vol->rec);
        storvirt_pool_unref(vol->pool);
        free(vol);
}

STORVIRT_DEFINE_PUBLIC_REF_UNREF(storvirt_volume, volume_handle_free)

int storvirt__volume_handle_new(storvirt_pool *pool, storvirt__vol_rec *rec,
                                storvirt_volume **ret) {
        storvirt_volume *vol = calloc(1, sizeof(*vol));

        if (!vol)
                return storvirt__error_oom();
        STORVIRT__REFCNT_INIT(vol->n_ref);
        vol->pool = storvirt_pool_ref(pool);
        vol->rec = storvirt__vol_rec_ref(rec);
        *ret = vol;
        return 0;
}

#define check_vol_arg(v)                                                      \
        do {                                                                  \
                check_nonnull(v);                                             \
                check_arg((v)->rec != NULL, #v, "not a volume handle");       \
        } while (0)

static int require_pool_active(storvirt__pool_obj *obj) {
        if (obj->active)
                return 0;
        return storvirt__error_set(-EINVAL, "pool '%s' is not active", obj->def->name);
}

/* Active, its storage still the one it was started on, its volumes read. */
static int require_pool_usable(storvirt__pool_obj *obj) {
        int r = require_pool_active(obj);

        if (r >= 0)
                r = storvirt__pool_obj_check_usable(obj);
        return r < 0 ? r : storvirt__pool_obj_vols_ready(obj);
}

static int rec_name_cmp(const void *a, const void *b) {
        return strcmp((*(storvirt__vol_rec *const *)a)->name, (*(storvirt__vol_rec *const *)b)->name);
}

/* The pool's records, referenced and sorted by name (obj->lock held). */
static int recs_snapshot(storvirt__pool_obj *obj, storvirt__vol_rec ***ret, size_t *ret_n) {
        size_t n = storvirt__hashmap_size(obj->vols), k = 0, it = 0;
        storvirt__vol_rec **recs = calloc(n + 1, sizeof(*recs));
        const char *name;
        void *v;

        if (!recs)
                return storvirt__error_oom();
        while (k < n && storvirt__hashmap_iterate(obj->vols, &it, &name, &v))
                recs[k++] = storvirt__vol_rec_ref(v);
        qsort(recs, k, sizeof(*recs), rec_name_cmp);
        *ret = recs;
        *ret_n = k;
        return 0;
}

STORVIRT_EXPORT int storvirt_pool_list_volumes(storvirt_pool *pool, storvirt_volume ***ret_vols,
                                               size_t *ret_n, uint32_t flags) {
        storvirt__pool_obj *obj;
        storvirt__vol_rec **recs = NULL;
        storvirt_volume **vols = NULL;
        size_t n = 0;
        int r;

        check_nonnull(pool);
        check_nonnull(ret_vols);
        check_flags(flags, 0);
        obj = pool->obj;
        storvirt__mutex_lock(&obj->lock);
        r = require_pool_usable(obj);
        if (r >= 0)
                r = recs_snapshot(obj, &recs, &n);
        storvirt__mutex_unlock(&obj->lock);
        if (r >= 0) {
                vols = calloc(n + 1, sizeof(*vols));
                if (!vols)
                        r = storvirt__error_oom();
        }
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = storvirt__volume_handle_new(pool, recs[i], &vols[i]);
        for (size_t i = 0; recs && i < n; i++)
                storvirt__vol_rec_unref(recs[i]);
        free(recs);
        if (r < 0) {
                storvirt_volume_list_free(vols);
                return r;
        }
        if (ret_n)
                *ret_n = n;
        *ret_vols = vols;
        return 0;
}

STORVIRT_EXPORT void storvirt_volume_list_free(storvirt_volume **vols) {
        for (size_t i = 0; vols && vols[i]; i++)
                storvirt_volume_unref(vols[i]);
        free(vols);
}

STORVIRT_EXPORT int storvirt_volume_lookup_by_name(storvirt_pool *pool, const char *name,
                                                   storvirt_volume **ret_vol) {
        storvirt__pool_obj *obj;
        storvirt__vol_rec *rec = NULL;
        int r;

        check_nonnull(pool);
        check_nonnull(name);
        check_nonnull(ret_vol);
        obj = pool->obj;
        storvirt__mutex_lock(&obj->lock);
        r = require_pool_usable(obj);
        if (r >= 0) {
                rec = storvirt__vol_rec_ref(storvirt__hashmap_get(obj->vols, name));
                if (!rec)
                        r = storvirt__error_set(-ENOENT, "pool '%s' has no volume named '%s'",
                                                obj->def->name, name);
        }
        storvirt__mutex_unlock(&obj->lock);
        if (r >= 0) {
                storvirt__vol_rec_check(obj, rec);
                r = storvirt__volume_handle_new(pool, rec, ret_vol);
        }
        storvirt__vol_rec_unref(rec);
        return r;
}

/* Finds a record by key or path in one active pool (obj->lock held). */
static storvirt__vol_rec *find_in_pool(storvirt__pool_obj *obj, const char *s, bool by_key) {
        const char *target = obj->def->target.path, *slash = strrchr(s, '/');
        storvirt__vol_rec *rec;
        const char *k;
        size_t it = 0, tlen;
        void *v;

        /* Fast path: a file under the target directory is keyed by its path. */
        if (target && slash) {
                tlen = strlen(target);
                while (tlen > 1 && target[tlen - 1] == '/')
                        tlen--;
                if ((size_t)(slash - s) == tlen && strncmp(s, target, tlen) == 0) {
                        rec = storvirt__hashmap_get(obj->vols, slash + 1);
                        if (rec && strcmp(by_key ? rec->key : rec->path, s) == 0)
                                return rec;
                }
        }
        while (storvirt__hashmap_iterate(obj->vols, &it, &k, &v)) {
                rec = v;
                if (strcmp(by_key ? rec->key : rec->path, s) == 0)
                        return rec;
        }
        return NULL;
}

/* Whether s names a file right under the pool's target directory. */
static bool under_target(storvirt__pool_obj *obj, const char *s) {
        const char *target = obj->def->target.path, *slash = strrchr(s, '/');
        size_t tlen;

        if (!target || !slash)
                return false;
        tlen = strlen(target);
        while (tlen > 1 && target[tlen - 1] == '/')
                tlen--;
        return (size_t)(slash - s) == tlen && strncmp(s, target, tlen) == 0;
}

/*
 * The record of key or path s in one active pool (its lock held), its
 * volumes read first.  near: only a pool whose directory holds s.
 */
static storvirt__vol_rec *find_active(storvirt__pool_obj *obj, const char *s, bool by_key,
                                      bool near) {
        if (!obj->active || near != under_target(obj, s) ||
            storvirt__pool_obj_vols_ready(obj) < 0) {
                storvirt__error_reset();
                return NULL;
        }
        return storvirt__vol_rec_ref(find_in_pool(obj, s, by_key));
}

/*
 * A pool whose directory holds the path is asked first, so that a lookup
 * of a file volume reads that pool's volumes alone.
 */
static int lookup_across(storvirt_ctx *ctx, const char *s, bool by_key, storvirt_volume **ret) {
        storvirt__pool_obj **objs = NULL;
        storvirt__vol_rec *rec = NULL;
        storvirt_pool *pool = NULL;
        size_t n = 0, i = 0;
        int r;

        r = storvirt__pools_ensure_loaded(ctx);
        if (r >= 0)
                r = storvirt__pools_snapshot(ctx, &objs, &n);
        if (r < 0)
                return r;
        for (int pass = 0; pass < 2 && !rec; pass++)
                for (i = 0; i < n && !rec; i++) {
                        storvirt__mutex_lock(&objs[i]->lock);
                        rec = find_active(objs[i], s, by_key, pass == 0);
                        storvirt__mutex_unlock(&objs[i]->lock);
                }
        if (!rec)
                r = storvirt__error_set(-ENOENT, "no volume with %s '%s' in any active pool",
                                        by_key ? "key" : "path", s);
        else
                r = storvirt__pool_handle_new(ctx, objs[i - 1], &pool);
        if (r >= 0) {
                storvirt__vol_rec_check(objs[i - 1], rec);
                r = storvirt__volume_handle_new(pool, rec, ret);
        }
        storvirt_pool_unref(pool);
        storvirt__vol_rec_unref(rec);
        storvirt__pools_snapshot_free(objs);
        return r;
}

STORVIRT_EXPORT int storvirt_volume_lookup_by_key(storvirt_ctx *ctx, const char *key,
                                                  storvirt_volume **ret_vol) {
        check_nonnull(ctx);
        check_nonnull(key);
        check_nonnull(ret_vol);
        return lookup_across(ctx, key, true, ret_vol);
}

STORVIRT_EXPORT int storvirt_volume_lookup_by_path(storvirt_ctx *ctx, const char *path,
                                                   storvirt_volume **ret_vol) {
        check_nonnull(ctx);
        check_nonnull(path);
        check_nonnull(ret_vol);
        return lookup_across(ctx, path, false, ret_vol);
}

/*
 * The event of a change of a volume, emitted while the change still marks
 * it busy, so that the events of one volume come in the order of its changes.
 */
static void volume_event(storvirt__pool_obj *obj, storvirt__vol_rec *rec, uint32_t type,
                         const char *detail) {
        storvirt__event_emit(obj->ctx, type, obj->def->name, rec->name, rec->key, detail, 0);
}

/*
 * Marks a record busy for a long operation, its figures read again first
 * if its file changed since; -EBUSY/-ENOENT as needed.
 */
static int job_begin(storvirt__pool_obj *obj, storvirt__vol_rec *rec, bool exclusive) {
        int r = 0;

        storvirt__vol_rec_check(obj, rec);
        storvirt__mutex_lock(&obj->lock);
        if (!obj->active)
                r = require_pool_active(obj);
        else if (rec->deleted)
                r = storvirt__error_set(-ENOENT, "volume '%s' was deleted", rec->name);
        else if (exclusive && rec->busy)
                r = storvirt__error_set(-EBUSY,
                        "volume '%s' is busy with another long operation", rec->name);
        if (r >= 0) {
                rec->busy++;
                obj->jobs++;
        }
        storvirt__mutex_unlock(&obj->lock);
        return r;
}

static void job_end(storvirt__pool_obj *obj, storvirt__vol_rec *rec, bool refresh) {
        if (refresh && obj->ops->refresh_volume && !rec->deleted)
                obj->ops->refresh_volume(obj, rec, 0);
        storvirt__mutex_lock(&obj->lock);
        rec->busy--;
        obj->jobs--;
        storvirt__mutex_unlock(&obj->lock);
}

/* Reserves the record's name in the pool (busy) or fails with -EEXIST. */
static int reserve(storvirt__pool_obj *obj, storvirt__vol_rec *rec) {
        int r;

        storvirt__mutex_lock(&obj->lock);
        r = require_pool_usable(obj);
        if (r >= 0)
                r = storvirt__pool_obj_add_vol(obj, rec);
        if (r >= 0) {
                rec->busy++;
                obj->jobs++;
        }
        storvirt__mutex_unlock(&obj->lock);
        return r;
}

static void unreserve(storvirt__pool_obj *obj, storvirt__vol_rec *rec, bool keep) {
        storvirt__mutex_lock(&obj->lock);
        rec->busy--;
        obj->jobs--;
        if (!keep) {
                rec->deleted = true;
                if (storvirt__hashmap_get(obj->vols, rec->name) == rec)
                        storvirt__hashmap_remove(obj->vols, rec->name);
        }
        storvirt__mutex_unlock(&obj->lock);
}

/*
 * The backing store of a new image: a volume of a known pool whose chain
 * is usable, read as the format it was created as (the definition's
 * backing path and format become the checked ones).
 */
static int check_backing(storvirt_ctx *ctx, storvirt__pool_obj *obj, storvirt__vol_def *def) {
        char *path = NULL, format[16];
        int r;

        if (!obj->def->target.path && !obj->ops->backing_in_pool)
                return storvirt__error_set(-EOPNOTSUPP, "pool '%s': volumes of %s pools have no "
                                                        "backing store", obj->def->name,
                                           obj->def->type);
        if (obj->def->target.path)
                r = storvirt__vol_chain_new_backing(ctx, obj->def->target.path, def->backing.path,
                                                    def->backing.format, &path, format);
        else
                r = storvirt__vol_chain_new_backing_in_pool(ctx, obj, def->backing.path,
                                                            def->backing.format, &path, format);
        if (r < 0)
                return storvirt__error_prefix("volume '%s'", def->name);
        free(def->backing.path);
        def->backing.path = path;
        free(def->backing.format);
        def->backing.format = strdup(format);
        return def->backing.format ? 0 : storvirt__error_oom();
}

/*
 * A new volume's <encryption>: one the pool type can build (the backend
 * checks the rest), with the secret it names defined and holding a
 * value; that secret is then named by its UUID in def.
 */
static void encryption_clear(struct storvirt__vol_encryption *e) {
        for (size_t i = 0; i < e->n_secrets; i++)
                free(e->secrets[i].usage);
        free(e->secrets);
        free(e->format);
        free(e->engine);
        free(e->cipher_name);
        free(e->cipher_mode);
        free(e->cipher_hash);
        free(e->ivgen_name);
        free(e->ivgen_hash);
        *e = (struct storvirt__vol_encryption){};
}

/*
 * A copy keeps its source's bytes, so it is encrypted as its source is:
 * its <encryption> (vol-clone writes the source's) may only say that.
 * The backend carries the source's encryption over to the copy.
 */
static int check_copy_encryption(storvirt_ctx *ctx, storvirt__vol_def *def,
                                 storvirt_volume *src) {
        struct storvirt__vol_encryption *e = &def->target.encryption;
        char enc[8], secret[37], uuid[STORVIRT__UUID_STRING_MAX] = "";
        int r = 0;

        storvirt__mutex_lock(&src->pool->obj->lock);
        memcpy(enc, src->rec->encryption, sizeof(enc));
        memcpy(secret, src->rec->secret, sizeof(secret));
        storvirt__mutex_unlock(&src->pool->obj->lock);
        if (e->n_secrets)
                r = storvirt__secret_find(ctx, e->secrets[0].has_uuid ? &e->secrets[0].uuid : NULL,
                                          e->secrets[0].usage, uuid);
        if (r < 0)
                return storvirt__error_prefix("volume '%s': <encryption><secret>", def->name);
        if (strcmp(e->format, enc) != 0 || strcmp(uuid, secret) != 0)
                return storvirt__error_set(-EOPNOTSUPP, "volume '%s': <encryption> on a volume "
                                                        "created as a copy is not supported unless "
                                                        "it is the source's (format '%s', secret "
                                                        "%s): a copy keeps the source's bytes",
                                           def->name, enc[0] ? enc : "none",
                                           secret[0] ? secret : "none");
        encryption_clear(e);
        return 0;
}

static int check_encryption(storvirt_ctx *ctx, storvirt__pool_obj *obj, storvirt__vol_def *def,
                            storvirt_volume *src) {
        struct storvirt__vol_encryption *e = &def->target.encryption;
        struct storvirt__vol_secret *s;
        char uuid[STORVIRT__UUID_STRING_MAX];
        int r;

        if (!e->format)
                return 0;
        if (strcmp(e->format, "qcow") == 0 || strcmp(e->format, "default") == 0)
                return storvirt__error_set(-EOPNOTSUPP, "volume '%s': <encryption format='%s'>: "
                                                        "legacy qcow encryption is insecure and "
                                                        "not supported (use format 'luks')",
                                           def->name, e->format);
        if (src)
                return check_copy_encryption(ctx, def, src);
        if (!obj->ops->encrypted_volumes)
                return storvirt__error_set(-EOPNOTSUPP, "volume '%s': <encryption> is not "
                                                        "supported for %s pools", def->name,
                                           obj->def->type);
        if (e->n_secrets == 0)
                return storvirt__error_set(-EINVAL, "volume '%s': <encryption format='%s'> needs "
                                                    "a <secret type='passphrase'> naming the "
                                                    "secret that holds its passphrase",
                                           def->name, e->format);
        s = &e->secrets[0];
        r = storvirt__secret_find(ctx, s->has_uuid ? &s->uuid : NULL, s->usage, uuid);
        if (r >= 0)
                r = storvirt__secret_check(ctx, uuid);
        if (r < 0)
                return storvirt__error_prefix("volume '%s': <encryption><secret>", def->name);
        free(s->usage);
        s->usage = NULL;
        s->has_uuid = true;
        return storvirt__uuid_parse(uuid, &s->uuid);
}

/* A volume copied from: usable, with a chain that stays in the pools. */
static int check_source(storvirt_volume *src) {
        storvirt__vol_chain c = {};
        int r = storvirt__vol_chain_of(src->pool->ctx, src->pool->obj, src->rec, true, &c);

        storvirt__vol_chain_clear(&c);
        return r;
}

static int create_common(storvirt_pool *pool, const char *xml, storvirt_volume *src,
                         storvirt_volume **ret_vol, storvirt_progress_fn fn, void *userdata,
                         uint32_t flags, bool trusted_backing) {
        storvirt__pool_obj *obj = pool->obj;
        storvirt__progress progress = { fn, userdata };
        storvirt__vol_def *def = NULL;
        storvirt__vol_rec *rec = NULL;
        int r;

        r = storvirt__vol_def_parse(xml, strlen(xml), obj->def->type,
                                    src ? STORVIRT__VOL_PARSE_NO_CAPACITY
                                        : STORVIRT__VOL_PARSE_OPT_CAPACITY, &def);
        if (r < 0)
                return r;
        if (src) {
                uint64_t src_cap;

                storvirt__vol_rec_check(src->pool->obj, src->rec);
                storvirt__mutex_lock(&src->pool->obj->lock);
                src_cap = src->rec->capacity;
                storvirt__mutex_unlock(&src->pool->obj->lock);
                if (!def->has_capacity) {
                        def->capacity = src_cap;
                        def->has_capacity = true;
                }
                else if (def->capacity < src_cap)
                        r = storvirt__error_set(-EINVAL,
                                "volume '%s': capacity %llu is below the source's %llu; a copy can only grow",
                                def->name, (unsigned long long)def->capacity,
                                (unsigned long long)src_cap);
        }
        if (r >= 0 && def->backing.path &&
            (!def->target.format || !strcmp(def->target.format, "raw") ||
             !strcmp(def->target.format, "iso")))
                r = storvirt__error_set(-EINVAL, "volume '%s': backing storage is not supported "
                                                 "for raw volumes", def->name);
        else if (r >= 0 && def->backing.path && !trusted_backing)
                r = check_backing(pool->ctx, obj, def);
        else if (r >= 0 && def->backing.path && !def->backing.format)
                r = storvirt__error_set(-EINVAL, "volume '%s': the backing store's format is "
                                                 "missing", def->name);
        if (r >= 0)
                r = check_encryption(pool->ctx, obj, def, src);
        if (r >= 0 && src)
                r = check_source(src);
        if (r < 0) {
                storvirt__vol_def_free(def);
                return r;
        }
        r = STORVIRT__BACKEND_CALL(obj->ops, create_volume, obj, def, &rec, flags);
        if (r >= 0)
                r = reserve(obj, rec);
        if (r < 0)
                goto out;
        if (src) {
                r = job_begin(src->pool->obj, src->rec, false);
                if (r >= 0) {
                        r = STORVIRT__BACKEND_CALL(obj->ops, build_volume_from, obj, rec, def,
                                                   src->rec, &progress, flags);
                        job_end(src->pool->obj, src->rec, false);
                }
        } else {
                r = STORVIRT__BACKEND_CALL(obj->ops, build_volume, obj, rec, def, &progress, flags);
        }
        if (r >= 0 && obj->ops->refresh_volume)
                r = obj->ops->refresh_volume(obj, rec, 0);
        /* emitted while the volume is still busy: no other change of it comes first */
        if (r >= 0)
                volume_event(obj, rec, STORVIRT_EVENT_VOLUME_CREATED, NULL);
        unreserve(obj, rec, r >= 0);
        if (r >= 0) {
                log_info(pool->ctx, "pool '%s': volume '%s' created", obj->def->name, rec->name);
                r = storvirt__volume_handle_new(pool, rec, ret_vol);
        }
out:
        storvirt__vol_rec_unref(rec);
        storvirt__vol_def_free(def);
        return r;
}

STORVIRT_EXPORT int storvirt_volume_create_xml(storvirt_pool *pool, const char *xml,
                                               storvirt_volume **ret_vol,
                                               storvirt_progress_fn progress, void *userdata,
                                               uint32_t flags) {
        check_nonnull(pool);
        check_nonnull(xml);
        check_nonnull(ret_vol);
        check_flags(flags, STORVIRT_VOLUME_CREATE_PREALLOC_METADATA);
        return create_common(pool, xml, NULL, ret_vol, progress, userdata, flags, false);
}

int storvirt__volume_create_overlay(storvirt_pool *pool, const char *xml,
                                    storvirt_volume **ret_vol) {
        return create_common(pool, xml, NULL, ret_vol, NULL, NULL, 0, true);
}

STORVIRT_EXPORT int storvirt_volume_create_xml_from(storvirt_pool *pool, const char *xml,
                                                    storvirt_volume *src,
                                                    storvirt_volume **ret_vol,
                                                    storvirt_progress_fn progress,
                                                    void *userdata, uint32_t flags) {
        check_nonnull(pool);
        check_nonnull(xml);
        check_nonnull(src);
        check_nonnull(ret_vol);
        check_flags(flags, STORVIRT_VOLUME_CREATE_PREALLOC_METADATA | STORVIRT_VOLUME_CREATE_REFLINK |
                           STORVIRT_VOLUME_CREATE_NO_COW);
        if ((flags & STORVIRT_VOLUME_CREATE_REFLINK) && (flags & STORVIRT_VOLUME_CREATE_NO_COW))
                return storvirt__error_set(-EINVAL, "flags: a reflink copy (REFLINK) is "
                                                    "copy-on-write, which NO_COW refuses");
        return create_common(pool, xml, src, ret_vol, progress, userdata, flags, false);
}

STORVIRT_EXPORT int storvirt_volume_delete(storvirt_volume *vol, uint32_t flags) {
        storvirt__pool_obj *obj;
        storvirt__vol_rec *rec;
        int r;

        check_vol_arg(vol);
        check_flags(flags, STORVIRT_VOLUME_DELETE_ZEROED | STORVIRT_VOLUME_DELETE_FORCE |
                           STORVIRT_VOLUME_DELETE_WITH_SNAPSHOTS);
        obj = vol->pool->obj;
        rec = vol->rec;
        storvirt__vol_rec_check(obj, rec);
        if (!(flags & STORVIRT_VOLUME_DELETE_FORCE) && rec->path) {
                /* the holders index, read before the pool is locked */
                storvirt__holders *h = NULL;
                const char *vdisk = NULL;
                unsigned n;

                r = storvirt__holders_load(obj->ctx, false, &h);
                if (r < 0)
                        return r;
                n = storvirt__holders_by_path(h, rec->path, &vdisk);
                if (n > 0)
                        r = storvirt__error_set(-EBUSY, "volume '%s' is an image of vDisk %s%s; "
                                                        "use the force flag to delete it anyway",
                                                rec->name, vdisk, n > 1 ? " and others" : "");
                storvirt__holders_free(h);
                if (r < 0)
                        return r;
        }
        storvirt__mutex_lock(&obj->lock);
        r = require_pool_active(obj);
        if (r >= 0 && rec->deleted)
                r = storvirt__error_set(-ENOENT, "volume '%s' was already deleted", rec->name);
        if (r >= 0 && rec->busy)
                r = storvirt__error_set(-EBUSY, "volume '%s' is busy with a long operation",
                                        rec->name);
        if (r >= 0) {
                rec->busy++;
                obj->jobs++;
        }
        storvirt__mutex_unlock(&obj->lock);
        if (r < 0)
                return r;
        if (flags & STORVIRT_VOLUME_DELETE_ZEROED)
                r = STORVIRT__BACKEND_CALL(obj->ops, wipe_volume, obj, rec, NULL, 0);
        if (r >= 0)
                r = STORVIRT__BACKEND_CALL(obj->ops, delete_volume, obj, rec,
                                           flags & STORVIRT_VOLUME_DELETE_WITH_SNAPSHOTS);
        if (r >= 0)
                volume_event(obj, rec, STORVIRT_EVENT_VOLUME_DELETED, NULL);
        unreserve(obj, rec, r < 0);
        if (r >= 0)
                log_info(vol->pool->ctx, "pool '%s': volume '%s' deleted", obj->def->name, rec->name);
        return r;
}

int storvirt__volume_identity(storvirt_volume *vol, char **ret) {
        check_vol_arg(vol);
        check_nonnull(ret);
        return STORVIRT__BACKEND_CALL(vol->pool->obj->ops, volume_identity, vol->pool->obj,
                                      vol->rec, ret);
}

STORVIRT_EXPORT int storvirt_volume_wipe(storvirt_volume *vol, storvirt_progress_fn progress,
                                         void *userdata, uint32_t flags) {
        storvirt__progress p = { progress, userdata };
        int r;

        check_vol_arg(vol);
        check_flags(flags, 0);
        r = job_begin(vol->pool->obj, vol->rec, true);
        if (r < 0)
                return r;
        r = STORVIRT__BACKEND_CALL(vol->pool->obj->ops, wipe_volume, vol->pool->obj, vol->rec,
                                   &p, flags);
        if (r >= 0)
                volume_event(vol->pool->obj, vol->rec, STORVIRT_EVENT_VOLUME_WIPED, NULL);
        job_end(vol->pool->obj, vol->rec, true);
        return r;
}

STORVIRT_EXPORT int storvirt_volume_resize(storvirt_volume *vol, uint64_t capacity,
                                           uint32_t flags) {
        storvirt__pool_obj *obj;
        uint64_t cur, target;
        int r;

        check_vol_arg(vol);
        check_flags(flags, STORVIRT_VOLUME_RESIZE_ALLOCATE | STORVIRT_VOLUME_RESIZE_DELTA |
                           STORVIRT_VOLUME_RESIZE_SHRINK);
        obj = vol->pool->obj;
        r = job_begin(obj, vol->rec, true);
        if (r < 0)
                return r;
        storvirt__mutex_lock(&obj->lock);
        cur = vol->rec->capacity;
        storvirt__mutex_unlock(&obj->lock);
        target = capacity;
        if (flags & STORVIRT_VOLUME_RESIZE_DELTA) {
                if (flags & STORVIRT_VOLUME_RESIZE_SHRINK)
                        target = capacity > cur ? 0 : cur - capacity;
                else if (UINT64_MAX - cur < capacity)
                        r = storvirt__error_set(-ERANGE, "volume '%s': %llu + %llu bytes overflows",
                                                vol->rec->name, (unsigned long long)cur,
                                                (unsigned long long)capacity);
                else
                        target = cur + capacity;
        }
        if (r >= 0 && target < cur && !(flags & STORVIRT_VOLUME_RESIZE_SHRINK))
                r = storvirt__error_set(-EINVAL,
                        "volume '%s': new capacity %llu is below the current %llu; shrinking needs the shrink flag",
                        vol->rec->name, (unsigned long long)target, (unsigned long long)cur);
        if (r >= 0 && target == 0)
                r = storvirt__error_set(-EINVAL, "volume '%s': capacity 0 is not allowed",
                                        vol->rec->name);
        if (r >= 0)
                r = STORVIRT__BACKEND_CALL(obj->ops, resize_volume, obj, vol->rec, target,
                                           flags & STORVIRT_VOLUME_RESIZE_ALLOCATE);
        if (r >= 0) {
                char detail[24];

                snprintf(detail, sizeof(detail), "%" PRIu64, target);
                volume_event(obj, vol->rec, STORVIRT_EVENT_VOLUME_RESIZED, detail);
        }
        job_end(obj, vol->rec, true);
        return r;
}

STORVIRT_EXPORT int storvirt_volume_get_info(storvirt_volume *vol, uint32_t *ret_type,
                                             uint64_t *ret_capacity, uint64_t *ret_allocation,
                                             uint64_t *ret_physical) {
        storvirt__pool_obj *obj;

        check_vol_arg(vol);
        obj = vol->pool->obj;
        storvirt__vol_rec_check(obj, vol->rec);
        storvirt__mutex_lock(&obj->lock);
        if (vol->rec->deleted) {
                storvirt__mutex_unlock(&obj->lock);
                return storvirt__error_set(-ENOENT, "volume '%s' was deleted", vol->rec->name);
        }
        if (ret_type)
                *ret_type = vol->rec->type;
        if (ret_capacity)
                *ret_capacity = vol->rec->capacity;
        if (ret_allocation)
                *ret_allocation = vol->rec->allocation;
        if (ret_physical)
                *ret_physical = vol->rec->physical;
        storvirt__mutex_unlock(&obj->lock);
        return 0;
}

static int dup_nonempty(const char *s, char **ret) {
        if (!s[0])
                return 0;
        *ret = strdup(s);
        return *ret ? 0 : storvirt__error_oom();
}

/*
 * <encryption> as the image's header says it, with the secret the
 * library made it with; the cipher of a LUKS header is shown with that
 * secret only (libvirt's <cipher> goes with a <secret>).
 */
static int encryption_from_rec(const storvirt__vol_rec *rec, struct storvirt__vol_encryption *e) {
        const storvirt__img_cipher *c = &rec->cipher;
        int r;

        if (!rec->encryption[0])
                return 0;
        r = dup_nonempty(rec->encryption, &e->format);
        if (r < 0 || !rec->secret[0])
                return r;
        e->secrets = calloc(1, sizeof(*e->secrets));
        if (!e->secrets)
                return storvirt__error_oom();
        e->n_secrets = 1;
        e->secrets[0].has_uuid = true;
        r = storvirt__uuid_parse(rec->secret, &e->secrets[0].uuid);
        if (r < 0)
                return storvirt__error_set(-EINVAL, "volume '%s': recorded secret UUID '%s' is "
                                                    "not a UUID", rec->name, rec->secret);
        if (!c->name[0] || !c->ivgen[0] || !c->mode[0] || !c->hash[0])
                return 0;
        e->cipher_size = c->size;
        if ((r = dup_nonempty(c->name, &e->cipher_name)) < 0 ||
            (r = dup_nonempty(c->mode, &e->cipher_mode)) < 0 ||
            (r = dup_nonempty(c->hash, &e->cipher_hash)) < 0 ||
            (r = dup_nonempty(c->ivgen, &e->ivgen_name)) < 0)
                return r;
        return dup_nonempty(c->ivgen_hash, &e->ivgen_hash);
}

/* Fills a definition from a record for formatting (obj->lock held). */
static int def_from_rec(const storvirt__vol_rec *rec, storvirt__vol_def *def) {
        int r;

        def->key = strdup(rec->key);
        def->target.path = strdup(rec->path);
        def->target.format = strdup(rec->format[0] ? rec->format : "raw");
        if (rec->backing_path) {
                def->backing.path = strdup(rec->backing_path);
                if (rec->backing_format[0])
                        def->backing.format = strdup(rec->backing_format);
        }
        if (rec->compat[0])
                def->target.compat = strdup(rec->compat);
        if (rec->lazy_refcounts || rec->extended_l2) {
                def->target.has_features = true;
                def->target.lazy_refcounts = rec->lazy_refcounts;
                def->target.extended_l2 = rec->extended_l2;
        }
        if (rec->cluster_bits)
                def->target.cluster_size = 1ull << rec->cluster_bits;
        if (rec->extent_device) {
                def->source_devices = calloc(1, sizeof(*def->source_devices));
                if (!def->source_devices)
                        return storvirt__error_oom();
                def->n_source_devices = 1;
                def->source_devices[0].path = strdup(rec->extent_device);
                def->source_devices[0].extents = calloc(1, sizeof(struct storvirt__vol_extent));
                if (!def->source_devices[0].path || !def->source_devices[0].extents)
                        return storvirt__error_oom();
                def->source_devices[0].n_extents = 1;
                def->source_devices[0].extents[0].start = rec->extent_start;
                def->source_devices[0].extents[0].end = rec->extent_end;
        }
        if ((r = encryption_from_rec(rec, &def->target.encryption)) < 0)
                return r;
        def->type = (int)rec->type;
        def->capacity = rec->capacity;
        def->allocation = rec->allocation;
        def->physical = rec->physical;
        def->has_capacity = def->has_allocation = true;
        if (rec->type == STORVIRT_VOLUME_TYPE_FILE || rec->type == STORVIRT_VOLUME_TYPE_DIR) {
                def->target.mode = rec->mode & 0777;
                def->target.owner = rec->owner;
                def->target.group = rec->group;
        } else {
                /* block and network volumes: the node as it is now, if there is one */
                struct stat st;

                if (rec->path && rec->path[0] == '/' && stat(rec->path, &st) == 0) {
                        def->target.mode = st.st_mode & 0777;
                        def->target.owner = st.st_uid;
                        def->target.group = st.st_gid;
                } else {
                        def->target.mode = def->target.owner = def->target.group = -1;
                }
        }
        if (!def->key || !def->target.path || !def->target.format ||
            (rec->backing_path && !def->backing.path))
                return storvirt__error_oom();
        return 0;
}

STORVIRT_EXPORT int storvirt_volume_get_xml(storvirt_volume *vol, char **ret_xml, uint32_t flags) {
        storvirt__pool_obj *obj;
        storvirt__vol_def *def;
        int r;

        check_vol_arg(vol);
        check_nonnull(ret_xml);
        check_flags(flags, 0);
        obj = vol->pool->obj;
        {
                /* a header naming a file outside the pools is never shown as a backing store */
                storvirt__vol_chain c = {};

                r = storvirt__vol_chain_of(vol->pool->ctx, obj, vol->rec, true, &c);
                storvirt__vol_chain_clear(&c);
                if (r < 0)
                        return r;
        }
        storvirt__mutex_lock(&obj->lock);
        if (vol->rec->deleted) {
                storvirt__mutex_unlock(&obj->lock);
                return storvirt__error_set(-ENOENT, "volume '%s' was deleted", vol->rec->name);
        }
        r = storvirt__vol_def_new(vol->rec->name, vol->rec->capacity, &def);
        if (r < 0) {
                storvirt__mutex_unlock(&obj->lock);
                return r;
        }
        r = def_from_rec(vol->rec, def);
        storvirt__mutex_unlock(&obj->lock);
        if (r >= 0)
                r = storvirt__vol_def_format(def, obj->def->type, ret_xml);
        storvirt__vol_def_free(def);
        return r;
}

STORVIRT_EXPORT int storvirt_volume_get_warning(storvirt_volume *vol, char **ret_msg,
                                                uint32_t flags) {
        storvirt__vol_chain c = {};
        char encryption[8], secret[37];
        char *msg;
        int r;

        check_vol_arg(vol);
        check_nonnull(ret_msg);
        check_flags(flags, 0);
        r = storvirt__vol_chain_of(vol->pool->ctx, vol->pool->obj, vol->rec, false, &c);
        storvirt__vol_chain_clear(&c);
        if (r >= 0)
                r = storvirt__vol_encryption(vol->pool->ctx, vol->pool->obj, vol->rec, encryption,
                                             secret);
        if (r >= 0 || r == -ENOMEM) {
                if (r >= 0)
                        *ret_msg = NULL;
                return r;
        }
        msg = strdup(storvirt__error_msg() ? storvirt__error_msg() : strerror(-r));
        if (!msg)
                return storvirt__error_oom();
        storvirt_error_clear();
        *ret_msg = msg;
        return 1;
}

STORVIRT_EXPORT const char *storvirt_volume_get_name(storvirt_volume *vol) {
        check_arg_ptr(vol, "vol", "must not be NULL");
        return vol->rec->name;
}

STORVIRT_EXPORT const char *storvirt_volume_get_key(storvirt_volume *vol) {
        check_arg_ptr(vol, "vol", "must not be NULL");
        return vol->rec->key;
}

STORVIRT_EXPORT const char *storvirt_volume_get_path(storvirt_volume *vol) {
        check_arg_ptr(vol, "vol", "must not be NULL");
        return vol->rec->path;
}

STORVIRT_EXPORT const char *storvirt_volume_get_format(storvirt_volume *vol) {
        check_arg_ptr(vol, "vol", "must not be NULL");
        return vol->rec->format[0] ? vol->rec->format : "raw";
}

STORVIRT_EXPORT storvirt_pool *storvirt_volume_get_pool(storvirt_volume *vol) {
        check_arg_ptr(vol, "vol", "must not be NULL");
        return vol->pool;
}

static int transfer(storvirt_volume *vol, bool upload, int fd, uint64_t offset, uint64_t length,
                    storvirt_progress_fn fn, void *userdata, uint32_t flags) {
        storvirt__pool_obj *obj = vol->pool->obj;
        storvirt__progress p = { fn, userdata };
        int r;

        r = job_begin(obj, vol->rec, upload);
        if (r < 0)
                return r;
        if (upload)
                r = STORVIRT__BACKEND_CALL(obj->ops, upload_volume, obj, vol->rec, fd, offset,
                                           length, &p, flags);
        else
                r = STORVIRT__BACKEND_CALL(obj->ops, download_volume, obj, vol->rec, fd, offset,
                                           length, &p, flags);
        job_end(obj, vol->rec, upload);
        return r;
}

STORVIRT_EXPORT int storvirt_volume_upload(storvirt_volume *vol, int fd, uint64_t offset,
                                           uint64_t length, storvirt_progress_fn progress,
                                           void *userdata, uint32_t flags) {
        check_vol_arg(vol);
        check_arg(fd >= 0, "fd", "must be an open file descriptor");
        check_flags(flags, STORVIRT_VOLUME_TRANSFER_SPARSE);
        return transfer(vol, true, fd, offset, length, progress, userdata, flags);
}

STORVIRT_EXPORT int storvirt_volume_download(storvirt_volume *vol, int fd, uint64_t offset,
                                             uint64_t length, storvirt_progress_fn progress,
                                             void *userdata, uint32_t flags) {
        check_vol_arg(vol);
        check_arg(fd >= 0, "fd", "must be an open file descriptor");
        check_flags(flags, STORVIRT_VOLUME_TRANSFER_SPARSE);
        return transfer(vol, false, fd, offset, length, progress, userdata, flags);
}
