/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core/backend.h - the backends a context knows, by pool type: the
 * built-in ones (lib/backends) registered when the table is first used.
 */
#pragma once

#include <stdbool.h>

#include "objects/backend_ops.h"
#include "objects/ctx.h"

/* Validates and registers ops under ops->type: -EINVAL, -EEXIST, -ENOMEM. */
int storvirt__backend_register(storvirt_ctx *ctx, const storvirt__backend_ops *ops);

/*
 * Finds the backend of a pool type.  -ENOENT for a name no pool type has,
 * -EOPNOTSUPP for a libvirt pool type whose backend is not built here.
 */
int storvirt__backend_get(storvirt_ctx *ctx, const char *type,
                          const storvirt__backend_ops **ret);

/* 1 if the slot named `op` is set, 0 if NULL, -EINVAL for an unknown name. */
int storvirt__backend_has_op(const storvirt__backend_ops *ops, const char *op);

/* Whether `type` is a pool type libvirt's schema knows. */
bool storvirt__pool_type_known(const char *type);

/* Reports "pool type 'T' does not support OP"; returns -EOPNOTSUPP (lib/backends/builtin.c). */
int storvirt__backend_unsupported(const storvirt__backend_ops *ops, const char *op);

#define STORVIRT__BACKEND_CALL(ops, slot, ...)                                \
        ((ops)->slot ? (ops)->slot(__VA_ARGS__)                               \
                     : storvirt__backend_unsupported((ops), #slot))
