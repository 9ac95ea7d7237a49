/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * iscsi_dl.c - libiscsi loaded on first use (sys/iscsi_dl.h).
 */
#define STORVIRT__ISCSI_DL_IMPL 1
#include "sys/iscsi_dl.h"

#if HAVE_LIBISCSI

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

#include "util/error.h"

struct storvirt__iscsi_calls storvirt__iscsi_calls;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_error[512];    /* "" once loaded */

#ifdef STORVIRT_ISCSI_SONAME

static void load(void) {
        /* never closed: the calls stay valid for the life of the process */
        void *h = dlopen(STORVIRT_ISCSI_SONAME, RTLD_NOW | RTLD_LOCAL);
        const char *missing = NULL;

        if (!h) {
                snprintf(load_error, sizeof(load_error), "%s", dlerror());
                return;
        }
#define LOOKUP(f)                                                             \
        if (!missing && !(storvirt__iscsi_calls.f = (__typeof__(&f))dlsym(h, #f))) \
                missing = #f;
        STORVIRT__ISCSI_CALLS(LOOKUP)
#undef LOOKUP
        if (missing)
                snprintf(load_error, sizeof(load_error), "it has no function '%s'", missing);
}

#else

/* Linked with the library: the table points at libiscsi's functions. */
static void load(void) {
#define TAKE(f) storvirt__iscsi_calls.f = &f;
        STORVIRT__ISCSI_CALLS(TAKE)
#undef TAKE
}

#define STORVIRT_ISCSI_SONAME "libiscsi"
#endif

int storvirt__iscsi_load(void) {
        pthread_once(&once, load);
        if (load_error[0])
                return storvirt__error_set(-EOPNOTSUPP, "iSCSI: libiscsi (%s) cannot be loaded: %s",
                                           STORVIRT_ISCSI_SONAME, load_error);
        return 0;
}

#endif
