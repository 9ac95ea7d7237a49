/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-threads.c - 8 threads hammer one context: refs, state directory,
 * log priority and callback replacement, registry queries, per-thread
 * errors.  Run under ThreadSanitizer/helgrind as well as plainly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <storvirt.h>
#include "core/backend.h"
#include "objects/ctx.h"
#include "util/log.h"

#define N_THREADS 8
#define N_ITER 2000

static storvirt_ctx *shared;
static char state_dir[64];
static atomic_int log_calls, destroys, created_sinks;

static void count_fn(storvirt_ctx *ctx, int prio, const char *msg, void *ud) {
        (void)ctx; (void)prio; (void)msg; (void)ud;
        atomic_fetch_add(&log_calls, 1);
}

static void count_destroy(void *ud) {
        (void)ud;
        atomic_fetch_add(&destroys, 1);
}

static void *worker(void *arg) {
        long id = (long)arg;
        char msg[64];

        for (int i = 0; i < N_ITER; i++) {
                storvirt_ctx *c = storvirt_ctx_ref(shared);
                const char *dir = NULL;
                char **types = NULL;

                if (storvirt_ctx_get_state_dir(c, &dir) < 0 || strcmp(dir, state_dir) != 0)
                        return (void *)"state dir";
                if (storvirt_ctx_list_pool_types(c, &types, NULL, 0) < 0)
                        return (void *)"list";
                storvirt_strv_free(types);
                if (i % 100 == 0) {
                        atomic_fetch_add(&created_sinks, 1);
                        storvirt_ctx_set_log_fn(c, count_fn, NULL, count_destroy);
                }
                storvirt__log(c, STORVIRT_LOG_INFO, "thread %ld iteration %d", id, i);
                /* Each thread's error stays its own. */
                snprintf(msg, sizeof(msg), "thread %ld", id);
                if (storvirt_ctx_pool_type_supports(c, msg, "refresh_pool") != -ENOENT)
                        return (void *)"supports";
                if (!strstr(storvirt_error_message(), msg))
                        return (void *)"error message crossed threads";
                storvirt_ctx_unref(c);
        }
        return NULL;
}

static void test_hammer(void **state) {
        pthread_t t[N_THREADS];
        void *res;

        (void)state;
        snprintf(state_dir, sizeof(state_dir), "/tmp/storvirt-thr.XXXXXX");
        assert_non_null(mkdtemp(state_dir));
        assert_int_equal(storvirt_ctx_new(&shared, STORVIRT_CTX_NEW_IGNORE_ENV), 0);
        assert_int_equal(storvirt_ctx_set_state_dir(shared, state_dir, 0), 0);
        assert_int_equal(storvirt_ctx_set_log_priority(shared, STORVIRT_LOG_INFO), 0);
        atomic_fetch_add(&created_sinks, 1);
        assert_int_equal(storvirt_ctx_set_log_fn(shared, count_fn, NULL, count_destroy), 0);
        for (long i = 0; i < N_THREADS; i++)
                assert_int_equal(pthread_create(&t[i], NULL, worker, (void *)i), 0);
        for (int i = 0; i < N_THREADS; i++) {
                assert_int_equal(pthread_join(t[i], &res), 0);
                if (res)
                        fail_msg("worker failed: %s", (const char *)res);
        }
        assert_int_equal(atomic_load(&log_calls), N_THREADS * N_ITER);
        shared = storvirt_ctx_unref(shared);
        /* Every sink ever installed was destroyed exactly once. */
        assert_int_equal(atomic_load(&destroys), atomic_load(&created_sinks));
        rmdir(state_dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_hammer),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
