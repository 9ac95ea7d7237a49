/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * objects/pool_obj.h - pool and volume records, shared by the core and
 * the backends.
 *
 * Ownership without cycles: the context's registry holds pool records
 * (storvirt__pool_obj); a pool record holds volume records
 * (storvirt__vol_rec).  Public handles (core/pool.h) are thin: they hold
 * a reference on a record, and the registry never references a handle.
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
#include "objects/backend_ops.h"
#include "objects/ctx.h"
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
        bool starting;               /* a start is under way (core/pool.c): its
                                        definition stays as it is meanwhile */
        bool removed;                /* no longer in the registry */
        uint32_t state;
        uint64_t capacity, allocation, available;
        int target_fd;               /* dir-based pools: the target, while active */
        storvirt__hashmap *vols;     /* name -> storvirt__vol_rec* (referenced) */
        unsigned jobs;               /* long operations running on volumes */
        uint32_t refresh_gen;        /* generation of the running/last refresh */
        void *backend_data;          /* owned by the backend while active */
} storvirt__pool_obj;

/* Records. */
storvirt__vol_rec *storvirt__vol_rec_new(const char *name, const char *key, const char *path);
storvirt__vol_rec *storvirt__vol_rec_ref(storvirt__vol_rec *rec);
void storvirt__vol_rec_unref(storvirt__vol_rec *rec);
void storvirt__vol_rec_unref_void(void *rec);
storvirt__pool_obj *storvirt__pool_obj_ref(storvirt__pool_obj *obj);
void storvirt__pool_obj_unref(storvirt__pool_obj *obj);

/* A new pool record for a definition run by ops (takes def on success). */
int storvirt__pool_obj_new(storvirt_ctx *ctx, storvirt__pool_def *def,
                           const storvirt__backend_ops *ops, storvirt__pool_obj **ret);
/*
 * Backend helpers: replace the volume table of a pool with a new one
 * (refresh), add or remove one record.  Called with obj->lock held.
 */
void storvirt__pool_obj_set_vols(storvirt__pool_obj *obj, storvirt__hashmap *vols);
int storvirt__pool_obj_add_vol(storvirt__pool_obj *obj, storvirt__vol_rec *rec);

