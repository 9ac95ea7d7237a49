/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * objects/backend_ops.h - the per-pool-type plug-in table: the type every
 * backend fills in (lib/backends) and the core calls through.
 *
 * Each backend is one `const` storvirt__backend_ops with designated
 * initialisers, registered in a context under its pool type name.  Every
 * slot but refresh_pool is optional: a NULL slot means the operation is
 * not supported and the caller gets -EOPNOTSUPP with a message naming the
 * pool type and the operation (STORVIRT__BACKEND_CALL does this).
 *
 * `abi` guards the layout: a table built for another layout is refused
 * at registration instead of being called through the wrong slots.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <storvirt/ctx.h>
#include <storvirt/pool.h>

#define STORVIRT__BACKEND_ABI 1u

/*
 * refresh_pool: the list of volumes an earlier refresh saved in the
 * state directory may stand in for reading the pool's storage, when it
 * still describes it (objects/vol_list.h).  Backends that keep no such
 * list read the storage.
 */
#define STORVIRT__REFRESH_SAVED_LIST (1u << 0)
/*
 * refresh_volume, called with obj->lock held: read the volume again only
 * when it changed since it was read (its inode or change time differ),
 * which costs one stat when it did not.
 */
#define STORVIRT__REFRESH_IF_CHANGED (1u << 1)

struct storvirt__pool_obj;
struct storvirt__vol_rec;
struct storvirt__vol_def;

/* A long operation's progress sink; NULL means none. */
typedef struct storvirt__progress {
        storvirt_progress_fn fn;
        void *userdata;
} storvirt__progress;

/*
 * Slots take the pool record (obj) and volume records.  Unless noted, a
 * slot is called without obj->lock held and takes it itself when it
 * touches obj's mutable state.
 */
typedef struct storvirt__backend_ops {
        uint32_t abi;        /* STORVIRT__BACKEND_ABI */
        const char *type;    /* pool type name, as in <pool type='...'> */
        /* create_volume and build_volume make <encryption> (LUKS) volumes; else refused. */
        bool encrypted_volumes;
        /*
         * Pools without a target directory whose volumes are image files
         * (gluster): a new volume's <backingStore> is a volume of the same
         * pool (objects/vol_chain.h), and chains stay inside the pool.
         */
        bool backing_in_pool;

        int (*find_sources)(storvirt_ctx *ctx, const char *srcspec,
                            char **ret_xml, uint32_t flags);
        int (*check_pool)(struct storvirt__pool_obj *obj, bool *ret_active);
        int (*start_pool)(struct storvirt__pool_obj *obj, uint32_t flags);
        int (*build_pool)(struct storvirt__pool_obj *obj, uint32_t flags);
        /*
         * Mandatory, obj->lock held.  Rebuilds obj's volume table and
         * capacity figures: 0 after reading the storage, 1 when the saved
         * list stood in for it (STORVIRT__REFRESH_SAVED_LIST).
         */
        int (*refresh_pool)(struct storvirt__pool_obj *obj, uint32_t flags);
        /*
         * Optional, obj->lock held: updates obj's capacity figures alone,
         * in a few system calls (NULL: they come with refresh_pool).
         */
        int (*refresh_capacity)(struct storvirt__pool_obj *obj);
        int (*stop_pool)(struct storvirt__pool_obj *obj, uint32_t flags);
        int (*delete_pool)(struct storvirt__pool_obj *obj, uint32_t flags);
        /* Cheap: validates def, computes name/key/path into a new record. */
        int (*create_volume)(struct storvirt__pool_obj *obj,
                             const struct storvirt__vol_def *def,
                             struct storvirt__vol_rec **ret_rec, uint32_t flags);
        /* Heavy: writes the volume; removes what it made on failure. */
        int (*build_volume)(struct storvirt__pool_obj *obj,
                            struct storvirt__vol_rec *rec,
                            const struct storvirt__vol_def *def,
                            const storvirt__progress *progress, uint32_t flags);
        int (*build_volume_from)(struct storvirt__pool_obj *obj,
                                 struct storvirt__vol_rec *rec,
                                 const struct storvirt__vol_def *def,
                                 struct storvirt__vol_rec *src,
                                 const storvirt__progress *progress, uint32_t flags);
        int (*refresh_volume)(struct storvirt__pool_obj *obj,
                              struct storvirt__vol_rec *rec, uint32_t flags);
        int (*delete_volume)(struct storvirt__pool_obj *obj,
                             struct storvirt__vol_rec *rec, uint32_t flags);
        int (*resize_volume)(struct storvirt__pool_obj *obj,
                             struct storvirt__vol_rec *rec, uint64_t capacity,
                             uint32_t flags);
        int (*upload_volume)(struct storvirt__pool_obj *obj,
                             struct storvirt__vol_rec *rec, int fd,
                             uint64_t offset, uint64_t length,
                             const storvirt__progress *progress, uint32_t flags);
        int (*download_volume)(struct storvirt__pool_obj *obj,
                               struct storvirt__vol_rec *rec, int fd,
                               uint64_t offset, uint64_t length,
                               const storvirt__progress *progress, uint32_t flags);
        int (*wipe_volume)(struct storvirt__pool_obj *obj,
                           struct storvirt__vol_rec *rec,
                           const storvirt__progress *progress, uint32_t flags);
        /*
         * Optional: frees obj->backend_data when the record goes while it
         * is set (the pool still active as its context is freed), as
         * stop_pool does.  Backends that hold a handle for the life of
         * an active pool (a cluster connection) need it.
         */
        void (*release_pool)(struct storvirt__pool_obj *obj);
        /*
         * Optional: the identity of the storage under the volume's name,
         * read from the storage now, that renames keep and that no other
         * image or file shares ("rbd:FSID/POOL-ID/IMAGE-ID",
         * "gluster:VOLUME-ID/GFID"); malloc'd.  -ENOENT when nothing has
         * that name any more.  vDisks of network volumes are keyed by it.
         */
        int (*volume_identity)(struct storvirt__pool_obj *obj, struct storvirt__vol_rec *rec,
                               char **ret);
} storvirt__backend_ops;
