/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * error.h - the per-thread last error (negative errno + message).
 *
 * Every failing function sets it through storvirt__error_set(), which
 * returns the negative errno it was given so a failure can be reported
 * and returned in one statement:
 *
 *     return storvirt__error_set(-ENOENT, "pool '%s' not found", name);
 *
 * The message works without a context, so it is valid even when
 * storvirt_ctx_new() itself failed.
 */
#pragma once

#include <stdarg.h>

/* Record err (a negative errno) and a printf-style message; returns err. */
int storvirt__error_set(int err, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
int storvirt__error_setv(int err, const char *fmt, va_list ap)
        __attribute__((format(printf, 2, 0)));
/* Record an allocation failure; returns -ENOMEM. */
int storvirt__error_oom(void);
/*
 * Prepend context to the current message ("ctx: <old message>") and
 * return the current (negative) error code.  Used by callers that add
 * where the failure happened, e.g. which file or which field.
 */
int storvirt__error_prefix(const char *fmt, ...)
        __attribute__((format(printf, 1, 2)));
/*
 * The current error kept aside while cleanup calls that may fail run,
 * then made current again (code and message as they were):
 *
 *     storvirt__error_saved e;
 *     storvirt__error_save(&e);
 *     undo_what_was_done();
 *     return storvirt__error_restore(&e);
 */
typedef struct storvirt__error_saved {
        int code;       /* negative errno, 0 if none */
        char *msg;      /* NULL: none, or no memory to copy it */
} storvirt__error_saved;
void storvirt__error_save(storvirt__error_saved *e);
/* Makes *e the current error again and frees it; returns its code. */
int storvirt__error_restore(storvirt__error_saved *e);
/* The current code (negative errno, 0 if none) and message. */
int storvirt__error_code(void);
const char *storvirt__error_msg(void);
void storvirt__error_reset(void);
