/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core/pool.h - pool and volume state shared by the core and the
 * backends.
 *
 * Ownership without cycles: the context's registry holds pool records
 * (storvirt__pool_obj); a pool record holds volume records
 * (storvirt__vol_rec).  Public handles are thin: a storvirt_pool holds a
 * context reference and a pool record reference; a storvirt_volume holds
 * a pool handle and a volume record.  So a handle keeps its parents alive
 * while the registry never references a handle.
 *
 * Locking order: ctx lock, then pool record lock.  Long operations (wipe,
 * clone, upload, download, preallocation) run without any lock, marking
 * the volume record busy.
 */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <storvirt/pool.h>
#include <storvirt/volume.h>

#include "conf/pool_conf.h"
#include "conf/vol_conf.h"
#include "core/backend.h"
#include "sys/imgfmt.h"
#include "util/hashmap.h"
#include "util/refcnt.h"

typedef struct storvirt__vol_rec {
        storvirt__refcnt n_ref;
        /* Immutable after creation. */
        char *name;
        char *key;
        char *path;
        /* Updated by refresh, under the pool record's lock. */
        char format[16];
        uint32_t type;               /* STORVIRT_VOLUME_TYPE_* */
        uint64_t capacity, allocation, physical;
        char *backing_path;          /* NULL if none */
        char backing_format[16];
        char compat[8];
        bool lazy_refcounts;         /* qcow2 */
        bool extended_l2;            /* qcow2: subclusters */
        uint32_t cluster_bits;       /* qcow2, 0 otherwise */
        uint32_t mode, owner, group;
        char *extent_device;         /* disk pools: the partition's extent on */
        uint64_t extent_start, extent_end;      /* this device, bytes [start, end) */
        bool deleted;                /* removed from its pool */
        unsigned busy;               /* long operations running */
        uint64_t ino, dev;           /* file identity, to reuse records on refresh */
        /*
         * File volumes: recorded is true when format is what the library
         * created or imported the file as (core/vol_index.h), never read
         * from its content.  probed_format is what the content claims when
         * that differs ("" otherwise): a warning, never followed.  problem
         * is why the volume cannot be handed out (a header QEMU would
         * refuse, a backing chain that leaves the pools), NULL if none.
         */
        bool recorded;
        char probed_format[16];
        char *problem;
        /*
         * File volumes: how the image is encrypted as its header says
         * (libvirt's "luks" or "qcow", "" when it is not), the cipher of
         * a LUKS header, and the UUID of the secret holding the
         * passphrase when the library made it so ("" when unknown).
         */
        char encryption[8];
        storvirt__img_cipher cipher;
        char secret[37];
        uint32_t seen;               /* refresh generation that last saw it */
} storvirt__vol_rec;

typedef struct storvirt__pool_obj {
        storvirt__refcnt n_ref;
        pthread_mutex_t lock;
        storvirt_ctx *ctx;           /* weak: a record is reachable only through
                                        the registry or a handle, both of which
                                        keep the context alive */
        storvirt__pool_def *def;     /* current definition */
        const storvirt__backend_ops *ops;
        char uuid[37];
        bool persistent;
        bool autostart;
        bool active;
        bool removed;                /* no longer in the registry */
        uint32_t state;
        uint64_t capacity, allocation, available;
        int target_fd;               /* dir-based pools: the target, while active */
        storvirt__hashmap *vols;     /* name -> storvirt__vol_rec* (referenced) */
        unsigned jobs;               /* long operations running on volumes */
        uint32_t refresh_gen;        /* generation of the running/last refresh */
        void *backend_data;          /* owned by the backend while active */
} storvirt__pool_obj;

struct storvirt_pool {
        storvirt__refcnt n_ref;
        storvirt_ctx *ctx;
        storvirt__pool_obj *obj;
};

struct storvirt_volume {
        storvirt__refcnt n_ref;
        storvirt_pool *pool;
        storvirt__vol_rec *rec;
};

/* Records. */
storvirt__vol_rec *storvirt__vol_rec_new(const char *name, const char *key, const char *path);
storvirt__vol_rec *storvirt__vol_rec_ref(storvirt__vol_rec *rec);
void storvirt__vol_rec_unref(storvirt__vol_rec *rec);
void storvirt__vol_rec_unref_void(void *rec);
storvirt__pool_obj *storvirt__pool_obj_ref(storvirt__pool_obj *obj);
void storvirt__pool_obj_unref(storvirt__pool_obj *obj);

/* Handles (take their own references). */
int storvirt__pool_handle_new(storvirt_ctx *ctx, storvirt__pool_obj *obj, storvirt_pool **ret);
int storvirt__volume_handle_new(storvirt_pool *pool, storvirt__vol_rec *rec,
                                storvirt_volume **ret);

/*
 * Backend helpers: replace the volume table of a pool with a new one
 * (refresh), add or remove one record.  Called with obj->lock held.
 */
void storvirt__pool_obj_set_vols(storvirt__pool_obj *obj, storvirt__hashmap *vols);
int storvirt__pool_obj_add_vol(storvirt__pool_obj *obj, storvirt__vol_rec *rec);

/*
 * Creates a qcow2 overlay from volume XML whose <backingStore> (path and
 * format) the caller vouches for: a vDisk's image, known from its record
 * rather than from any header.  Other volumes' backing stores must be
 * volumes of the known pools (core/vol_chain.h).
 */
int storvirt__volume_create_overlay(storvirt_pool *pool, const char *xml,
                                    storvirt_volume **ret_vol);

/* The registry of a context (lib/core/pool_registry.c). */
typedef struct storvirt__pool_registry storvirt__pool_registry;
int storvirt__pool_registry_new(storvirt__pool_registry **ret);
void storvirt__pool_registry_free(storvirt__pool_registry *reg);
storvirt__pool_registry *storvirt__ctx_pools(storvirt_ctx *ctx);

/* Loads stored pools and runs autostart, once per context. */
int storvirt__pools_ensure_loaded(storvirt_ctx *ctx);
/* Referenced record or NULL. */
storvirt__pool_obj *storvirt__pools_find_name(storvirt_ctx *ctx, const char *name);
storvirt__pool_obj *storvirt__pools_find_uuid(storvirt_ctx *ctx, const char *uuid);
storvirt__pool_obj *storvirt__pools_find_target(storvirt_ctx *ctx, const char *path);
/* -EEXIST naming the clash when the name or UUID is taken. */
int storvirt__pools_insert(storvirt_ctx *ctx, storvirt__pool_obj *obj);
void storvirt__pools_remove(storvirt_ctx *ctx, storvirt__pool_obj *obj);
/* Referenced records sorted by name; free with storvirt__pools_snapshot_free. */
int storvirt__pools_snapshot(storvirt_ctx *ctx, storvirt__pool_obj ***ret, size_t *ret_n);
void storvirt__pools_snapshot_free(storvirt__pool_obj **objs);

/* Persistence of definitions and autostart marks in the state directory. */
int storvirt__pool_store_save(storvirt_ctx *ctx, const storvirt__pool_def *def);
int storvirt__pool_store_remove(storvirt_ctx *ctx, const char *name);
int storvirt__pool_store_set_autostart(storvirt_ctx *ctx, const char *name, bool on);
/* The run mark: a persistent pool active when the last process left it. */
int storvirt__pool_store_set_active(storvirt_ctx *ctx, const char *name, bool on);

/* A new pool record for a definition (takes def on success). */
int storvirt__pool_obj_new(storvirt_ctx *ctx, storvirt__pool_def *def,
                           storvirt__pool_obj **ret);
/* Lifecycle steps shared by the API and autostart (lib/core/pool.c). */
int storvirt__pool_obj_start(storvirt__pool_obj *obj, uint32_t flags);
int storvirt__pool_obj_refresh(storvirt__pool_obj *obj);
/*
 * Before using the volumes of a running pool (obj->lock held): 0 when
 * its target is still the directory it was started on, -ENODEV naming
 * the path otherwise (the pool is then inaccessible); an inaccessible
 * pool is refreshed first, so it recovers once its storage is back.
 */
int storvirt__pool_obj_check_usable(storvirt__pool_obj *obj);
