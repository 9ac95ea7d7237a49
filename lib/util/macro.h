/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * macro.h - small helpers shared by every internal module: cleanup
 * attributes, argument checks that never abort, array sizes.
 */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/error.h"

/* Symbols exported from libstorvirt.so.0 carry this mark; all else is hidden. */
#define STORVIRT_EXPORT __attribute__((visibility("default")))

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _likely_(x) __builtin_expect(!!(x), 1)
#define _unlikely_(x) __builtin_expect(!!(x), 0)

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

static inline void storvirt__freep(void *p) {
        free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(storvirt__freep)

static inline void storvirt__closep(int *fd) {
        if (*fd >= 0)
                close(*fd);
}
#define _cleanup_close_ _cleanup_(storvirt__closep)

/* Take ownership out of a cleanup variable. */
#define TAKE_PTR(p)                                                           \
        ({                                                                    \
                __typeof__(p) _tp = (p);                                      \
                (p) = NULL;                                                   \
                _tp;                                                          \
        })
#define TAKE_FD(fd)                                                           \
        ({                                                                    \
                int _tf = (fd);                                               \
                (fd) = -1;                                                    \
                _tf;                                                          \
        })

/*
 * Argument checks for public entry points: on failure they set the
 * thread's error message (naming the function and the argument) and
 * return -EINVAL from the calling function.  They never abort.
 */
#define check_arg(expr, argname, reason)                                      \
        do {                                                                  \
                if (_unlikely_(!(expr)))                                      \
                        return storvirt__error_set(-EINVAL,                   \
                                "%s: invalid argument '%s': %s", __func__,   \
                                argname, reason);                             \
        } while (0)

#define check_arg_ptr(expr, argname, reason)                                  \
        do {                                                                  \
                if (_unlikely_(!(expr))) {                                    \
                        storvirt__error_set(-EINVAL,                          \
                                "%s: invalid argument '%s': %s", __func__,   \
                                argname, reason);                             \
                        return NULL;                                          \
                }                                                             \
        } while (0)

#define check_nonnull(p) check_arg((p) != NULL, #p, "must not be NULL")

#define check_flags(flags, supported)                                         \
        do {                                                                  \
                if (_unlikely_((flags) & ~(uint32_t)(supported)))             \
                        return storvirt__error_set(-EINVAL,                   \
                                "%s: invalid argument 'flags': unknown "      \
                                "flag bits 0x%x", __func__,                  \
                                (unsigned)((flags) & ~(uint32_t)(supported))); \
        } while (0)
