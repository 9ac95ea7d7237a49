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
};

/* from_env: honour STORVIRT_DEBUG=1 (priority debug, messages to stderr). */
void storvirt__logger_init(struct storvirt__logger *l, bool from_env);
void storvirt__logger_done(struct storvirt__logger *l);
/* Returns 0 or -ENOMEM; destroy(userdata) is called exactly once on failure. */
int storvirt__logger_set_sink(struct storvirt__logger *l, storvirt_log_fn fn,
                              void *userdata, storvirt_destroy_fn destroy);
static inline bool storvirt__logger_enabled(struct storvirt__logger *l, int prio) {
        return prio <= atomic_load_explicit(&l->priority, memory_order_relaxed);
}
void storvirt__logger_log(struct storvirt__logger *l, storvirt_ctx *ctx,
                          int prio, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/*
 * Library locks go through these, so that a message logged while the
 * thread holds one is queued and delivered to the user's callback only
 * when the thread has released its last library lock.
 */
void storvirt__mutex_lock(pthread_mutex_t *m);
void storvirt__mutex_unlock(pthread_mutex_t *m);

/* The logger of a context (lib/core/ctx.c). */
struct storvirt__logger *storvirt__ctx_logger(storvirt_ctx *ctx);

#define storvirt__log(ctx, prio, ...)                                         \
        do {                                                                  \
                struct storvirt__logger *_l = storvirt__ctx_logger(ctx);      \
                if (storvirt__logger_enabled(_l, prio))                       \
                        storvirt__logger_log(_l, ctx, prio, __VA_ARGS__);     \
        } while (0)

#define log_debug(ctx, ...) storvirt__log(ctx, STORVIRT_LOG_DEBUG, __VA_ARGS__)
#define log_info(ctx, ...) storvirt__log(ctx, STORVIRT_LOG_INFO, __VA_ARGS__)
#define log_warning(ctx, ...) storvirt__log(ctx, STORVIRT_LOG_WARNING, __VA_ARGS__)
#define log_error(ctx, ...) storvirt__log(ctx, STORVIRT_LOG_ERR, __VA_ARGS__)
