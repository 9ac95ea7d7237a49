/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * log.c - the logger behind storvirt_ctx_set_log_fn(): threshold check
 * without a lock, sink taken by reference under the lock, message
 * formatted and delivered with no lock held.
 */
#include <stdio.h>
#include <string.h>

#include "util/log.h"
#include "util/macro.h"
#include "util/refcnt.h"

struct storvirt__log_sink {
        storvirt__refcnt n_ref;
        storvirt_log_fn fn;
        void *userdata;
        storvirt_destroy_fn destroy;
};

static void sink_unref(struct storvirt__log_sink *s) {
        if (!s || !storvirt__refcnt_dec(&s->n_ref))
                return;
        if (s->destroy)
                s->destroy(s->userdata);
        free(s);
}

static bool env_debug(void) {
        const char *e = secure_getenv("STORVIRT_DEBUG");

        return e && (strcmp(e, "1") == 0 || strcasecmp(e, "yes") == 0 ||
                     strcasecmp(e, "true") == 0 || strcasecmp(e, "debug") == 0);
}

void storvirt__logger_init(struct storvirt__logger *l, bool from_env, void *owner,
                           void *(*owner_ref)(void *), void (*owner_unref)(void *)) {
        pthread_mutex_init(&l->lock, NULL);
        atomic_init(&l->priority, from_env && env_debug() ? STORVIRT_LOG_DEBUG : 0);
        l->sink = NULL;
        l->owner = owner;
        l->owner_ref = owner_ref;
        l->owner_unref = owner_unref;
}

void storvirt__logger_done(struct storvirt__logger *l) {
        sink_unref(l->sink);
        l->sink = NULL;
        pthread_mutex_destroy(&l->lock);
}

int storvirt__logger_set_sink(struct storvirt__logger *l, storvirt_log_fn fn,
                              void *userdata, storvirt_destroy_fn destroy) {
        struct storvirt__log_sink *s = NULL, *old;

        if (fn) {
                s = calloc(1, sizeof(*s));
                if (!s) {
                        if (destroy)
                                destroy(userdata);
                        return storvirt__error_oom();
                }
                STORVIRT__REFCNT_INIT(s->n_ref);
                s->fn = fn;
                s->userdata = userdata;
                s->destroy = destroy;
        } else if (destroy) {
                destroy(userdata);
        }
        pthread_mutex_lock(&l->lock);
        old = l->sink;
        l->sink = s;
        pthread_mutex_unlock(&l->lock);
        sink_unref(old);
        return 0;
}

static const char *prio_name(int prio) {
        static const char *const names[] = {
                "emerg", "alert", "crit", "error", "warning", "notice", "info", "debug",
        };

        return prio >= 0 && prio < (int)ELEMENTSOF(names) ? names[prio] : "log";
}

/* Messages logged while this thread held a library lock, oldest first. */
struct deferred {
        struct deferred *next;
        struct storvirt__logger *l;
        void *owner;            /* referenced */
        int prio;
        char *msg;
};

static __thread unsigned locks_held;
static __thread struct deferred *dq_head, *dq_tail;

static void deliver(struct storvirt__logger *l, int prio, const char *msg) {
        struct storvirt__log_sink *s;

        pthread_mutex_lock(&l->lock);
        s = l->sink;
        if (s)
                storvirt__refcnt_inc(&s->n_ref);
        pthread_mutex_unlock(&l->lock);
        if (s)
                s->fn((storvirt_ctx *)l->owner, prio, msg, s->userdata);
        else
                fprintf(stderr, "libstorvirt: %s: %s\n", prio_name(prio), msg);
        sink_unref(s);
}

static void flush_deferred(void) {
        int saved_errno = errno;

        while (dq_head) {
                struct deferred *d = dq_head;

                dq_head = d->next;
                if (!dq_head)
                        dq_tail = NULL;
                deliver(d->l, d->prio, d->msg);
                if (d->l->owner_unref)
                        d->l->owner_unref(d->owner);
                free(d->msg);
                free(d);
        }
        errno = saved_errno;
}

void storvirt__mutex_lock(pthread_mutex_t *m) {
        pthread_mutex_lock(m);
        locks_held++;
}

void storvirt__mutex_unlock(pthread_mutex_t *m) {
        pthread_mutex_unlock(m);
        if (--locks_held == 0 && dq_head)
                flush_deferred();
}

void storvirt__logger_log(struct storvirt__logger *l, int prio, const char *fmt, ...) {
        struct deferred *d;
        char *msg = NULL;
        int saved_errno = errno;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        if (!msg)
                goto out;
        if (locks_held == 0) {
                deliver(l, prio, msg);
                free(msg);
                goto out;
        }
        /* Never call the user with a library lock held: queue it. */
        d = calloc(1, sizeof(*d));
        if (!d) {
                free(msg);
                goto out;
        }
        d->l = l;
        d->owner = l->owner_ref ? l->owner_ref(l->owner) : l->owner;
        d->prio = prio;
        d->msg = msg;
        if (dq_tail)
                dq_tail->next = d;
        else
                dq_head = d;
        dq_tail = d;
out:
        errno = saved_errno;
}
