/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pool_obj.c - pool and volume records (objects/pool_obj.h).
 */
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "objects/pool_obj.h"
#include "util/bigmem.h"
#include "util/error.h"
#include "util/uuid.h"

/*
 * A block of records made at once (objects/pool_obj.h): a header, then
 * records carved one after the other.  It lives while the builder or any
 * of its records does.
 */
struct storvirt__vol_rec_block {
        storvirt__refcnt n_ref;
        size_t size, used;           /* bytes after the header */
};

#define BLOCK_ALIGN 16

static size_t block_bytes(size_t size) {
        return sizeof(storvirt__vol_rec_block) + size;
}

storvirt__vol_rec_block *storvirt__vol_rec_block_new(size_t n, size_t strings) {
        size_t size;
        storvirt__vol_rec_block *b;

        if (n < STORVIRT__VOL_REC_BLOCK_MIN || strings > SIZE_MAX / 4 ||
            n > (SIZE_MAX / 2 - strings) / (sizeof(storvirt__vol_rec) + BLOCK_ALIGN))
                return NULL;
        size = n * (sizeof(storvirt__vol_rec) + BLOCK_ALIGN) + strings;
        b = storvirt__bigmem_alloc(block_bytes(size));
        if (!b)
                return NULL;
        STORVIRT__REFCNT_INIT(b->n_ref);
        b->size = size;
        return b;
}

void storvirt__vol_rec_block_unref(storvirt__vol_rec_block *b) {
        if (b && storvirt__refcnt_dec(&b->n_ref))
                storvirt__bigmem_free(b, block_bytes(b->size));
}

/* need bytes from b (zeroed, never used before), NULL when it has no more room. */
static void *block_take(storvirt__vol_rec_block *b, size_t need) {
        void *p;

        need = (need + BLOCK_ALIGN - 1) & ~(size_t)(BLOCK_ALIGN - 1);
        if (!b || need > b->size - b->used)
                return NULL;
        p = (char *)(b + 1) + b->used;
        b->used += need;
        storvirt__refcnt_inc(&b->n_ref);
        return p;
}

/*
 * One allocation: the record, then its name, path and key (the path's
 * bytes when they are the same, as for file volumes).  A pool holds as
 * many records as it has volumes: each one fewer allocation counts.
 */
storvirt__vol_rec *storvirt__vol_rec_new_in(storvirt__vol_rec_block *block, const char *name,
                                            const char *key, const char *path) {
        size_t nn = strlen(name) + 1, np = strlen(path) + 1;
        bool same = strcmp(key, path) == 0;
        size_t nk = same ? 0 : strlen(key) + 1;
        storvirt__vol_rec *rec = block_take(block, sizeof(*rec) + nn + np + nk);
        char *p;

        if (rec) {
                rec->block = block;
        } else {
                rec = malloc(sizeof(*rec) + nn + np + nk);
                if (!rec)
                        return NULL;
                memset(rec, 0, sizeof(*rec));
        }
        STORVIRT__REFCNT_INIT(rec->n_ref);
        p = (char *)(rec + 1);
        rec->name = memcpy(p, name, nn);
        rec->path = memcpy(p + nn, path, np);
        rec->key = same ? rec->path : memcpy(p + nn + np, key, nk);
        return rec;
}

storvirt__vol_rec *storvirt__vol_rec_new(const char *name, const char *key, const char *path) {
        return storvirt__vol_rec_new_in(NULL, name, key, path);
}

storvirt__vol_rec *storvirt__vol_rec_ref(storvirt__vol_rec *rec) {
        if (rec)
                storvirt__refcnt_inc(&rec->n_ref);
        return rec;
}

void storvirt__vol_rec_unref(storvirt__vol_rec *rec) {
        if (!rec || !storvirt__refcnt_dec(&rec->n_ref))
                return;
        /* name, key and path live in the record's own allocation */
        free(rec->backing_path);
        free(rec->extent_device);
        free(rec->problem);
        free(rec->backend_id);
        if (rec->block)
                storvirt__vol_rec_block_unref(rec->block);
        else
                free(rec);
}

void storvirt__vol_rec_unref_void(void *rec) {
        storvirt__vol_rec_unref(rec);
}

void storvirt__vol_rec_publish(storvirt__vol_rec *dst, storvirt__vol_rec *src) {
        dst->ino = src->ino;
        dst->dev = src->dev;
        dst->mode = src->mode;
        dst->owner = src->owner;
        dst->group = src->group;
        dst->physical = src->physical;
        dst->allocation = src->allocation;
        dst->capacity = src->capacity;
        dst->type = src->type;
        memcpy(dst->format, src->format, sizeof(dst->format));
        memcpy(dst->compat, src->compat, sizeof(dst->compat));
        dst->lazy_refcounts = src->lazy_refcounts;
        dst->extended_l2 = src->extended_l2;
        dst->cluster_bits = src->cluster_bits;
        memcpy(dst->backing_format, src->backing_format, sizeof(dst->backing_format));
        free(dst->backing_path);
        dst->backing_path = src->backing_path;
        src->backing_path = NULL;
        dst->recorded = src->recorded;
        memcpy(dst->probed_format, src->probed_format, sizeof(dst->probed_format));
        memcpy(dst->encryption, src->encryption, sizeof(dst->encryption));
        dst->cipher = src->cipher;
        memcpy(dst->secret, src->secret, sizeof(dst->secret));
        memcpy(dst->index_encryption, src->index_encryption, sizeof(dst->index_encryption));
        memcpy(dst->index_secret, src->index_secret, sizeof(dst->index_secret));
        dst->ctime_ns = src->ctime_ns;
        dst->read_at_ns = src->read_at_ns;
        free(dst->problem);
        dst->problem = src->problem;
        src->problem = NULL;
}

storvirt__pool_obj *storvirt__pool_obj_ref(storvirt__pool_obj *obj) {
        if (obj)
                storvirt__refcnt_inc(&obj->n_ref);
        return obj;
}

void storvirt__pool_obj_unref(storvirt__pool_obj *obj) {
        if (!obj || !storvirt__refcnt_dec(&obj->n_ref))
                return;
        if (obj->target_fd >= 0)
                close(obj->target_fd);
        if (obj->backend_data && obj->ops && obj->ops->release_pool)
                obj->ops->release_pool(obj);
        if (obj->backend_data && obj->backend_data_free)
                obj->backend_data_free(obj->backend_data);
        storvirt__hashmap_free(obj->vols);
        storvirt__pool_def_free(obj->def);
        pthread_mutex_destroy(&obj->lock);
        free(obj);
}

int storvirt__pool_obj_new(storvirt_ctx *ctx, storvirt__pool_def *def,
                           const storvirt__backend_ops *ops, storvirt__pool_obj **ret) {
        storvirt__pool_obj *obj;
        int r;

        obj = calloc(1, sizeof(*obj));
        if (!obj)
                return storvirt__error_oom();
        STORVIRT__REFCNT_INIT(obj->n_ref);
        pthread_mutex_init(&obj->lock, NULL);
        obj->ctx = ctx;
        obj->ops = ops;
        obj->target_fd = -1;
        obj->state = STORVIRT_POOL_STATE_INACTIVE;
        storvirt__uuid_format(&def->uuid, obj->uuid);
        r = storvirt__hashmap_new(&obj->vols, storvirt__vol_rec_unref_void);
        if (r < 0) {
                storvirt__pool_obj_unref(obj);
                return r;
        }
        obj->def = def;
        *ret = obj;
        return 0;
}

void storvirt__pool_obj_set_vols(storvirt__pool_obj *obj, storvirt__hashmap *vols) {
        storvirt__hashmap *old = obj->vols;

        obj->vols = vols;
        storvirt__hashmap_free(old);
}

int storvirt__pool_obj_add_vol(storvirt__pool_obj *obj, storvirt__vol_rec *rec) {
        int r = storvirt__hashmap_put(obj->vols, rec->name, storvirt__vol_rec_ref(rec));

        if (r < 0)
                storvirt__vol_rec_unref(rec);
        if (r == -EEXIST)
                return storvirt__error_set(-EEXIST, "pool '%s': a volume named '%s' already exists",
                                           obj->def->name, rec->name);
        return r;
}

