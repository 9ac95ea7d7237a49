/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core/ctx.h - what the rest of the library may ask of a context.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include <storvirt/ctx.h>

#include "core/backend.h"
#include "sys/sysops.h"

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

/* Backend table of the context (see core/backend.h). */
int storvirt__ctx_add_backend(storvirt_ctx *ctx, const storvirt__backend_ops *ops);
const storvirt__backend_ops *storvirt__ctx_find_backend(storvirt_ctx *ctx,
                                                        const char *type);

/* The context's sys-ops table (the host's unless a test set another). */
const storvirt__sysops *storvirt__ctx_sysops(storvirt_ctx *ctx);
/*
 * Tests: use ops (NULL: the host's; its NULL slots are the host's) and
 * drop the current snapshot.  0 or -ENOMEM.
 */
int storvirt__ctx_set_sysops(storvirt_ctx *ctx, const storvirt__sysops *ops);
