/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * log.h - per-context logging: a priority threshold and a replaceable
 * sink (callback + userdata + destroy notifier).  Silent by default.
 * The callback is always invoked without any library lock held; a sink
 * that is replaced while another thread is still calling it is released
 * (destroy notifier) only after that call returns.
 */
#pragma once

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include <storvirt/ctx.h>

struct storvirt__log_sink;

struct storvirt__logger {
        pthread_mutex_t lock;
        atomic_int priority;              /* 0 = nothing is logged */
        struct storvirt__log_sink *sink;  /* NULL = stderr when priority > 0 */
        /*
         * What holds the logger (the context), handed to the sink as its
         * first argument; a message delivered later (a library lock was
         * held) keeps it alive with owner_ref/owner_unref.
         */
        void *owner;
        void *(*owner_ref)(void *owner);
        void (*owner_unref)(void *owner);
};

/* from_env: honour STORVIRT_DEBUG=1 (priority debug, messages to stderr). */
void storvirt__logger_init(struct storvirt__logger *l, bool from_env, void *owner,
                           void *(*owner_ref)(void *), void (*owner_unref)(void *));
void storvirt__logger_done(struct storvirt__logger *l);
/* Returns 0 or -ENOMEM; destroy(userdata) is called exactly once on failure. */
int storvirt__logger_set_sink(struct storvirt__logger *l, storvirt_log_fn fn,
                              void *userdata, storvirt_destroy_fn destroy);
static inline bool storvirt__logger_enabled(struct storvirt__logger *l, int prio) {
        return prio <= atomic_load_explicit(&l->priority, memory_order_relaxed);
}
void storvirt__logger_log(struct storvirt__logger *l, int prio, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/*
 * Library locks go through these, so that a message logged while the
 * thread holds one is queued and delivered to the user's callback only
 * when the thread has released its last library lock.
 */
void storvirt__mutex_lock(pthread_mutex_t *m);
void storvirt__mutex_unlock(pthread_mutex_t *m);

/* Logs through logger l when prio passes its threshold. */
#define storvirt__log_to(l, prio, ...)                                        \
        do {                                                                  \
                struct storvirt__logger *_l = (l);                            \
                if (storvirt__logger_enabled(_l, prio))                       \
                        storvirt__logger_log(_l, prio, __VA_ARGS__);          \
        } while (0)
