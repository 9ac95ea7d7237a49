/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * objects/ctx.h - the context: the root handle, a leaf that knows no
 * subsystem.  It holds the state directory, the logger, the sys-ops
 * table, the thread budget and one slot per subsystem (the pool registry,
 * the backend table, the LUN snapshot, ...), each filled by its
 * subsystem with a destroy function the context calls when it goes.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include <storvirt/ctx.h>

#include "sys/sysops.h"
#include "util/log.h"

/*
 * The state directory, created and opened on first use: fd (owned by
 * the context) or -errno.  Refused (-EPERM) when another uid owns it or
 * its group or others may write it; a mode with other bits narrowed to
 * 0700.
 */
int storvirt__ctx_state_dirfd(storvirt_ctx *ctx);

/*
 * Open <state dir>/<sub> ("pools", "pools/run": each component opened
 * with O_NOFOLLOW, created mode 0700 when missing and create, else
 * -ENOENT without a message) and check each component as the state
 * directory itself: a new fd for the caller to close, or -errno
 * (-EPERM naming the path: a symbolic link, another owner, writable by
 * group or others).
 */
int storvirt__ctx_state_subdir(storvirt_ctx *ctx, const char *sub, bool create);

/* The default state directory for a user (no environment override). */
int storvirt__ctx_default_state_dir(uid_t uid, char **ret);

/* Upper bound of storvirt_ctx_set_max_threads(). */
#define STORVIRT__MAX_THREADS 64

/* Threads a single call may use (1: only the caller's). */
unsigned storvirt__ctx_max_threads(storvirt_ctx *ctx);

/* The flags the context was created with. */
uint32_t storvirt__ctx_flags(storvirt_ctx *ctx);

/* Lock / unlock the context's mutex (never held while calling users). */
void storvirt__ctx_lock(storvirt_ctx *ctx);
void storvirt__ctx_unlock(storvirt_ctx *ctx);

/* The subsystems a context holds, each in its own slot. */
enum {
        STORVIRT__CTX_SLOT_POOLS,       /* objects/pool_registry.c */
        STORVIRT__CTX_SLOT_BACKENDS,    /* core/backend.c */
        STORVIRT__CTX_SLOT_LUNS,        /* core/lun.c: the current LUN snapshot */
        STORVIRT__CTX_SLOT_EVENTS,      /* objects/events.c: callbacks, queue, sources */
        STORVIRT__CTX_SLOT_LUN_SIZES,   /* core/lun_event.c: the LUN capacities announced */
        STORVIRT__CTX_SLOT_N,
};

typedef void (*storvirt__slot_destroy_fn)(void *value);

/*
 * The value in a slot, NULL when empty; with ref, ref(value) is taken
 * under the context's lock (for values replaced while others use them).
 */
void *storvirt__ctx_slot_get(storvirt_ctx *ctx, unsigned slot, void *(*ref)(void *value));

/*
 * The value in a slot, made by create() first when the slot is empty
 * (create runs with the context's lock held: it must not call back into
 * the context).  0 and *ret, or create's error.
 */
int storvirt__ctx_slot_ensure(storvirt_ctx *ctx, unsigned slot, int (*create)(void **ret),
                              storvirt__slot_destroy_fn destroy, void **ret);

/* Puts value (may be NULL) in a slot; the old value is destroyed after the lock is dropped. */
void storvirt__ctx_slot_set(storvirt_ctx *ctx, unsigned slot, void *value,
                            storvirt__slot_destroy_fn destroy);

/* The host the context works on (sys/sysops.h): the real one unless a test set another. */
const storvirt__sysops *storvirt__ctx_sysops(storvirt_ctx *ctx);
/*
 * Tests: use ops (NULL: the host's; its NULL slots are the host's),
 * emptying the LUN slot (what was seen of the old host).  0 or -ENOMEM.
 */
int storvirt__ctx_set_sysops(storvirt_ctx *ctx, const storvirt__sysops *ops);

/* The context's logger (util/log.h). */
struct storvirt__logger *storvirt__ctx_logger(storvirt_ctx *ctx);

#define storvirt__log(ctx, prio, ...) storvirt__log_to(storvirt__ctx_logger(ctx), prio, __VA_ARGS__)
#define log_debug(ctx, ...) storvirt__log(ctx, STORVIRT_LOG_DEBUG, __VA_ARGS__)
#define log_info(ctx, ...) storvirt__log(ctx, STORVIRT_LOG_INFO, __VA_ARGS__)
#define log_warning(ctx, ...) storvirt__log(ctx, STORVIRT_LOG_WARNING, __VA_ARGS__)
#define log_error(ctx, ...) storvirt__log(ctx, STORVIRT_LOG_ERR, __VA_ARGS__)
