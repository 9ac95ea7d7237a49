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

typedef struct storvirt__vol_rec_block storvirt__vol_rec_block;

typedef struct storvirt__vol_rec {
        storvirt__refcnt n_ref;
        storvirt__vol_rec_block *block; /* where it was made; NULL: malloc'd alone */
        /* Immutable after creation, stored with the record (never freed alone). */
        const char *name;
        const char *key;
        const char *path;
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
        char *backend_id;            /* network volumes: the engine's own id of the
                                        volume (rbd: the image id), NULL if none */
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
        /* recorded: the encryption and secret of its index entry ("" none) */
        char index_encryption[8];
        char index_secret[37];
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
        /*
         * File volumes: the file's change time when it was read and when
         * that was (ns since the epoch, 0 when unknown): a file whose
         * change time differs, or was too close to the reading to tell
         * a later change apart, is read again before its figures are
         * used (storvirt__vol_rec_check()).
         */
        int64_t ctime_ns, read_at_ns;
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
        bool vols_loaded;            /* vols read since the pool became active */
        unsigned jobs;               /* long operations running on volumes */
        uint32_t refresh_gen;        /* generation of the running/last refresh */
        void *backend_data;          /* owned by the backend while active */
        void (*backend_data_free)(void *data); /* releases backend_data when the record
                                                  goes while it is set; NULL: nothing to do */
} storvirt__pool_obj;

/* Records. */
storvirt__vol_rec *storvirt__vol_rec_new(const char *name, const char *key, const char *path);
storvirt__vol_rec *storvirt__vol_rec_ref(storvirt__vol_rec *rec);
/*
 * Records made by the thousand (a pool's volumes read at once): a block
 * with room for n records whose name, path and key take strings bytes
 * in all, in one mapping of huge pages where the kernel has them
 * (util/bigmem.h), so that filling it costs a few page faults, not one
 * per 4 KiB.  NULL below STORVIRT__VOL_REC_BLOCK_MIN records or when it
 * cannot be had: records are then malloc'd one by one, as they are too
 * when the block is full.  The block stays while the builder's reference
 * (dropped with storvirt__vol_rec_block_unref()) or any of its records
 * does; records made in it are freed with it.  Not thread-safe: one
 * builder fills a block.
 */
#define STORVIRT__VOL_REC_BLOCK_MIN 4096
storvirt__vol_rec_block *storvirt__vol_rec_block_new(size_t n, size_t strings);
void storvirt__vol_rec_block_unref(storvirt__vol_rec_block *block);
storvirt__vol_rec *storvirt__vol_rec_new_in(storvirt__vol_rec_block *block, const char *name,
                                            const char *key, const char *path);
void storvirt__vol_rec_unref(storvirt__vol_rec *rec);
void storvirt__vol_rec_unref_void(void *rec);
/*
 * Copies what a read of a file volume found (src: a record filled by the
 * backend's probe, never published) into the live record dst, every
 * probed figure with it: identity, sizes, format and qcow2 header,
 * backing file, encryption, secret and what the volume index recorded
 * (obj->lock held).  src's backing path and problem move to dst.
 */
void storvirt__vol_rec_publish(storvirt__vol_rec *dst, storvirt__vol_rec *src);
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

/*
 * A pool's volumes are read when first needed, not when the pool is
 * loaded or started (objects/pool_vols.c).  Every refresh goes through
 * storvirt__pool_obj_refresh_locked(): flags 0 reads the pool's storage
 * (an explicit refresh), STORVIRT__REFRESH_SAVED_LIST lets the backend
 * take the volume list an earlier refresh saved when it still holds
 * (objects/vol_list.h).  Called with obj->lock held; a failure leaves
 * the pool inaccessible until a refresh works again.  A refresh that
 * read the storage emits pool-refreshed (queued, journaled: the lock
 * held orders it among the pool's events; callbacks run at the next
 * dispatch), unless flags has STORVIRT__POOL_REFRESH_QUIET (the start's
 * refresh, whose event is pool-started); one the saved list stood in
 * for emits nothing, as nothing changed.
 */
#define STORVIRT__POOL_REFRESH_QUIET (1u << 16)
int storvirt__pool_obj_refresh_locked(storvirt__pool_obj *obj, uint32_t flags);
/* The volume table of an active pool, read first if it was not yet (obj->lock held). */
int storvirt__pool_obj_vols_ready(storvirt__pool_obj *obj);
/*
 * The capacity figures of an active pool brought up to date (obj->lock
 * held): cheaply where the backend can (refresh_capacity), else by
 * reading the volumes if that was not done yet.  Failures are logged.
 */
void storvirt__pool_obj_update_capacity(storvirt__pool_obj *obj);
/*
 * Whether the directory at the target path is still the one a running
 * pool opened (obj->lock held): 0, or -ENODEV naming the path.
 */
int storvirt__pool_obj_target_check(storvirt__pool_obj *obj);
/*
 * Before a volume's figures are used (no lock held): a backend that can
 * tell cheaply whether the volume changed since it was read reads it
 * again when it did (refresh_volume with STORVIRT__REFRESH_IF_CHANGED).
 */
void storvirt__vol_rec_check(storvirt__pool_obj *obj, storvirt__vol_rec *rec);

