/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storvirt/common.h - version, memory and error functions shared by
 * every part of the libstorvirt API.  Include <storvirt.h> instead.
 */
#ifndef STORVIRT_COMMON_H
#define STORVIRT_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define STORVIRT_VERSION_MAJOR 0
#define STORVIRT_VERSION_MINOR 6
#define STORVIRT_VERSION_MICRO 0

#if defined(__GNUC__) && !defined(STORVIRT_NO_DEPRECATED_WARNINGS)
#define STORVIRT_DEPRECATED(msg) __attribute__((deprecated(msg)))
#else
#define STORVIRT_DEPRECATED(msg)
#endif

/* The root handle; see storvirt/ctx.h. */
typedef struct storvirt_ctx storvirt_ctx;

/*
 * Called exactly once to release a userdata pointer handed to the
 * library together with a callback.
 */
typedef void (*storvirt_destroy_fn)(void *userdata);

/*
 * storvirt_version:
 * Returns the library's version as "MAJOR.MINOR.MICRO" (static string).
 * Since: 0.1
 */
const char *storvirt_version(void);

/*
 * storvirt_version_abi:
 * Returns the newest symbol-version node this library provides, e.g.
 * "STORVIRT_0.1" (static string).  The SONAME is always libstorvirt.so.0.
 * Since: 0.1
 */
const char *storvirt_version_abi(void);

/*
 * storvirt_free:
 * Frees memory the library returned as caller-owned (char * results).
 * NULL is accepted.
 * Since: 0.1
 */
void storvirt_free(void *ptr);

/*
 * storvirt_strv_free:
 * Frees a NULL-terminated array of caller-owned strings and the array.
 * NULL is accepted.
 * Since: 0.1
 */
void storvirt_strv_free(char **strv);

/*
 * storvirt_error_message:
 * Returns the message of the last error on the calling thread, or NULL
 * if no call on this thread has failed since storvirt_error_clear().
 * The string stays valid until the next libstorvirt call on this thread
 * other than storvirt_error_message() and storvirt_error_errno(), which
 * never change it.  A successful call does not clear it.  Works even when
 * storvirt_ctx_new() failed.
 * Since: 0.1
 */
const char *storvirt_error_message(void);

/*
 * storvirt_error_errno:
 * Returns the (positive) errno of the last error on the calling thread,
 * or 0 if none.  Failing functions return the same value negated.
 * Since: 0.1
 */
int storvirt_error_errno(void);

/*
 * storvirt_error_clear:
 * Forgets the last error of the calling thread.
 * Since: 0.1
 */
void storvirt_error_clear(void);

#ifdef __cplusplus
}
#endif

#endif
