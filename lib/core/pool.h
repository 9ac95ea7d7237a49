/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core/pool.h - pool and volume handles and the pool lifecycle steps.
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

#include "core/backend.h"
#include "objects/pool_obj.h"
#include "objects/pool_registry.h"
#include "util/hashmap.h"
#include "util/refcnt.h"

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

/* A new pool record for a definition, run by its type's backend (takes def on success). */
int storvirt__pool_obj_make(storvirt_ctx *ctx, storvirt__pool_def *def, storvirt__pool_obj **ret);

/* Loads the stored pools and runs autostart, once per context (core/pool_load.c). */
int storvirt__pools_ensure_loaded(storvirt_ctx *ctx);

/* Handles (take their own references). */
int storvirt__pool_handle_new(storvirt_ctx *ctx, storvirt__pool_obj *obj, storvirt_pool **ret);
int storvirt__volume_handle_new(storvirt_pool *pool, storvirt__vol_rec *rec,
                                storvirt_volume **ret);

/*
 * Creates a qcow2 overlay from volume XML whose <backingStore> (path and
 * format) the caller vouches for: a vDisk's image, known from its record
 * rather than from any header.  Other volumes' backing stores must be
 * volumes of the known pools (core/vol_chain.h).
 */
int storvirt__volume_create_overlay(storvirt_pool *pool, const char *xml,
                                    storvirt_volume **ret_vol);

/*
 * The identity of the storage the volume names, read now by its pool's
 * backend (objects/backend_ops.h: volume_identity); -EOPNOTSUPP for pool
 * types without one.
 */
int storvirt__volume_identity(storvirt_volume *vol, char **ret);

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
