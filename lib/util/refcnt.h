/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * refcnt.h - atomic reference counts and the public ref/unref pair every
 * object type gets.  ref and unref accept NULL; unref always returns
 * NULL so callers can write "p = storvirt_x_unref(p);".
 */
#pragma once

#include <stdatomic.h>

#include "util/macro.h"

typedef atomic_uint storvirt__refcnt;

#define STORVIRT__REFCNT_INIT(r) atomic_init(&(r), 1u)

static inline void storvirt__refcnt_inc(storvirt__refcnt *r) {
        atomic_fetch_add_explicit(r, 1u, memory_order_relaxed);
}

/* Returns true when the last reference was dropped. */
static inline bool storvirt__refcnt_dec(storvirt__refcnt *r) {
        return atomic_fetch_sub_explicit(r, 1u, memory_order_acq_rel) == 1u;
}

#define STORVIRT_DEFINE_PUBLIC_REF_UNREF(type, free_fn)                       \
        STORVIRT_EXPORT type *type##_ref(type *p) {                           \
                if (!p)                                                       \
                        return NULL;                                          \
                storvirt__refcnt_inc(&p->n_ref);                              \
                return p;                                                     \
        }                                                                     \
        STORVIRT_EXPORT type *type##_unref(type *p) {                         \
                if (p && storvirt__refcnt_dec(&p->n_ref))                     \
                        free_fn(p);                                           \
                return NULL;                                                  \
        }
