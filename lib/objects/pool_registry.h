/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * objects/pool_registry.h - the pools a context knows (lookup maps) and
 * their definitions stored in the state directory (pools/<name>.xml,
 * autostart marks in pools/autostart/<name>, run marks in pools/run/).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "objects/pool_obj.h"
#include "util/lock.h"

/* The registry of a context (its pools slot, made on first use). */
typedef struct storvirt__pool_registry storvirt__pool_registry;
int storvirt__pool_registry_new(storvirt__pool_registry **ret);
void storvirt__pool_registry_free(storvirt__pool_registry *reg);
storvirt__pool_registry *storvirt__ctx_pools(storvirt_ctx *ctx);

/*
 * Loading the stored pools happens once per context: load_begin returns
 * true when it happened already; otherwise it returns false holding the
 * registry's load lock, which load_end drops, saying whether it did.
 */
bool storvirt__pools_load_begin(storvirt_ctx *ctx);
void storvirt__pools_load_end(storvirt_ctx *ctx, bool loaded);
/* Referenced record or NULL. */
storvirt__pool_obj *storvirt__pools_find_name(storvirt_ctx *ctx, const char *name);
storvirt__pool_obj *storvirt__pools_find_uuid(storvirt_ctx *ctx, const char *uuid);
storvirt__pool_obj *storvirt__pools_find_target(storvirt_ctx *ctx, const char *path);
/*
 * -EEXIST naming the clash when the name or UUID is taken, or, with
 * check_source, when another pool owns obj's source
 * (conf/pool_dup.h).  Loading stored pools inserts without the
 * source check: an older state directory may hold two such pools.
 */
int storvirt__pools_insert(storvirt_ctx *ctx, storvirt__pool_obj *obj, bool check_source);
/*
 * -EEXIST "pool 'NAME' would share WHAT with pool 'OTHER'" when a pool
 * of another name owns the source of def, else 0.
 */
int storvirt__pools_check_source(storvirt_ctx *ctx, const storvirt__pool_def *def);
/*
 * Replaces the definition of obj (its lock held by the caller) with
 * *def, taking it, unless another pool owns the source of *def: then
 * -EEXIST as storvirt__pools_check_source() and *def left alone.
 */
int storvirt__pools_replace_def(storvirt_ctx *ctx, storvirt__pool_obj *obj,
                                storvirt__pool_def **def);
/*
 * The pool of another name that owns the source of obj and is active or
 * starting, referenced, with what they share written into what; NULL
 * when none.  Takes the lock of each other pool in turn: call it
 * without obj's lock, while obj's definition cannot change (obj->starting
 * set, or loading).
 */
storvirt__pool_obj *storvirt__pools_find_running_rival(storvirt_ctx *ctx, storvirt__pool_obj *obj,
                                                       char *what);
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

/*
 * The lock of the stored definitions (pools/.lock) in mode
 * STORVIRT__LOCK_SHARED or _EXCLUSIVE.  Writers hold it shared while
 * they change a definition or a run mark and record the event of it
 * (objects/events.h); a reader holding it exclusive sees the files and
 * the event journal agree.
 */
int storvirt__pool_store_lock(storvirt_ctx *ctx, int mode, storvirt__lock *ret);

/* What the state directory holds of pool name: STORVIRT__POOL_STORED_* bits. */
enum {
        STORVIRT__POOL_STORED_DEFINED = 1u << 0,   /* pools/<name>.xml */
        STORVIRT__POOL_STORED_RUNNING = 1u << 1,   /* its run mark */
};
uint32_t storvirt__pool_store_state(storvirt_ctx *ctx, const char *name);
/* The names with a definition or a run mark, sorted (storvirt__strv_free()). */
int storvirt__pool_store_names(storvirt_ctx *ctx, char ***ret);

/* One stored definition, with its autostart and run marks. */
struct storvirt__pool_stored {
        storvirt__pool_def *def;
        bool autostart, run_mark;
};

/*
 * Reads every stored definition (a file that does not parse or names
 * another pool is logged and skipped), removing what interrupted writes
 * left.  Free the array with storvirt__pool_stored_free().
 */
int storvirt__pool_store_load(storvirt_ctx *ctx, struct storvirt__pool_stored **ret,
                              size_t *ret_n);
void storvirt__pool_stored_free(struct storvirt__pool_stored *v, size_t n);

/*
 * Whether this is the first context since the host booted (autostart
 * runs once per boot, as libvirt's once per daemon start); records the
 * boot id for the next ones.
 */
bool storvirt__pool_store_first_since_boot(storvirt_ctx *ctx);
