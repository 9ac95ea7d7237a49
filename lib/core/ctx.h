/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core/ctx.h - what the rest of the library may ask of a context.
 */
#pragma once

#include <sys/types.h>

#include <storvirt/ctx.h>

#include "core/backend.h"

/* The state directory, created and opened on first use: fd or -errno. */
int storvirt__ctx_state_dirfd(storvirt_ctx *ctx);

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
