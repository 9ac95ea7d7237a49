/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * error.c - the per-thread last error behind storvirt_error_message().
 *
 * Each thread has one record (code + heap message) reached through a
 * pthread key whose destructor frees it at thread exit.  When even the
 * record cannot be allocated, a static "out of memory" fallback is used
 * so that callers always get a message.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <storvirt/common.h>

#include "util/macro.h"

struct error_record {
        int code;    /* negative errno, 0 if none */
        char *msg;   /* heap, NULL if none */
};

static pthread_key_t error_key;
static pthread_once_t error_once = PTHREAD_ONCE_INIT;
static bool error_key_ok;

static __thread int oom_code; /* fallback when no record can be had */

static void error_record_free(void *p) {
        struct error_record *r = p;

        if (!r)
                return;
        free(r->msg);
        free(r);
}

static void error_key_init(void) {
        error_key_ok = pthread_key_create(&error_key, error_record_free) == 0;
}

static struct error_record *error_record_get(bool create) {
        struct error_record *r;

        pthread_once(&error_once, error_key_init);
        if (!error_key_ok)
                return NULL;
        r = pthread_getspecific(error_key);
        if (r || !create)
                return r;
        r = calloc(1, sizeof(*r));
        if (!r)
                return NULL;
        if (pthread_setspecific(error_key, r) != 0) {
                free(r);
                return NULL;
        }
        return r;
}

int storvirt__error_setv(int err, const char *fmt, va_list ap) {
        struct error_record *r;
        char *msg = NULL;

        if (err > 0)
                err = -err;
        if (err == 0)
                err = -EIO;
        r = error_record_get(true);
        if (!r) {
                oom_code = err;
                return err;
        }
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        free(r->msg);
        r->msg = msg;
        r->code = err;
        oom_code = msg ? 0 : err;
        return err;
}

int storvirt__error_set(int err, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        err = storvirt__error_setv(err, fmt, ap);
        va_end(ap);
        return err;
}

int storvirt__error_oom(void) {
        return storvirt__error_set(-ENOMEM, "out of memory");
}

int storvirt__error_prefix(const char *fmt, ...) {
        struct error_record *r = error_record_get(false);
        char *prefix = NULL, *msg = NULL;
        va_list ap;
        int n;

        if (!r || r->code == 0)
                return storvirt__error_code();
        va_start(ap, fmt);
        n = vasprintf(&prefix, fmt, ap);
        va_end(ap);
        if (n < 0)
                return r->code;
        if (asprintf(&msg, "%s: %s", prefix, r->msg ? r->msg : strerror(-r->code)) >= 0) {
                free(r->msg);
                r->msg = msg;
        }
        free(prefix);
        return r->code;
}

void storvirt__error_save(storvirt__error_saved *e) {
        const char *msg = storvirt__error_msg();

        e->code = storvirt__error_code();
        e->msg = msg ? strdup(msg) : NULL;
}

int storvirt__error_restore(storvirt__error_saved *e) {
        int code = e->code;

        if (code == 0)
                storvirt__error_reset();
        else if (e->msg)
                storvirt__error_set(code, "%s", e->msg);
        else
                storvirt__error_set(code, "%s", strerror(-code));
        free(e->msg);
        *e = (storvirt__error_saved){};
        return code;
}

int storvirt__error_code(void) {
        struct error_record *r = error_record_get(false);

        if (oom_code)
                return oom_code;
        return r ? r->code : 0;
}

const char *storvirt__error_msg(void) {
        struct error_record *r = error_record_get(false);

        if (oom_code)
                return "out of memory while recording an error";
        if (!r || r->code == 0)
                return NULL;
        return r->msg ? r->msg : strerror(-r->code);
}

void storvirt__error_reset(void) {
        struct error_record *r = error_record_get(false);

        oom_code = 0;
        if (!r)
                return;
        free(r->msg);
        r->msg = NULL;
        r->code = 0;
}

STORVIRT_EXPORT const char *storvirt_error_message(void) {
        return storvirt__error_msg();
}

STORVIRT_EXPORT int storvirt_error_errno(void) {
        return -storvirt__error_code();
}

STORVIRT_EXPORT void storvirt_error_clear(void) {
        storvirt__error_reset();
}
