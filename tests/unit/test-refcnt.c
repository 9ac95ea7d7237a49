/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-refcnt.c - the reference-count machinery every object type uses
 * (util/refcnt.h): NULL-safe ref/unref, unref returning NULL, a child
 * keeping its parent context alive after the caller dropped it, and
 * concurrent ref/unref from 8 threads freeing exactly once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdlib.h>

#include <storvirt.h>
#include "util/refcnt.h"

/* A stand-in child object built exactly like the library's objects. */
typedef struct test_child {
        storvirt__refcnt n_ref;
        storvirt_ctx *ctx; /* the parent, referenced */
} test_child;

static int children_freed;

static void child_free(test_child *c) {
        storvirt_ctx_unref(c->ctx);
        free(c);
        children_freed++;
}

test_child *test_child_ref(test_child *c);
test_child *test_child_unref(test_child *c);

/* Generates test_child_ref() / test_child_unref(). */
STORVIRT_DEFINE_PUBLIC_REF_UNREF(test_child, child_free)

static test_child *child_new(storvirt_ctx *ctx) {
        test_child *c = calloc(1, sizeof(*c));

        assert_non_null(c);
        STORVIRT__REFCNT_INIT(c->n_ref);
        c->ctx = storvirt_ctx_ref(ctx);
        return c;
}

static int ctx_destroyed;

static void never_called(storvirt_ctx *ctx, int prio, const char *msg, void *userdata) {
        (void)ctx; (void)prio; (void)msg; (void)userdata;
        fail_msg("log callback called at priority 0");
}

static void on_destroy(void *userdata) {
        (void)userdata;
        ctx_destroyed++;
}

static void test_child_keeps_parent(void **state) {
        storvirt_ctx *ctx = NULL;
        test_child *c;

        (void)state;
        assert_null(test_child_ref(NULL));
        assert_null(test_child_unref(NULL));
        assert_int_equal(storvirt_ctx_new(&ctx, 0), 0);
        /* The log sink's destroy notifier tells when the ctx is freed. */
        assert_int_equal(storvirt_ctx_set_log_fn(ctx, NULL, NULL, NULL), 0);
        assert_int_equal(storvirt_ctx_set_log_fn(ctx, never_called, NULL, on_destroy), 0);
        c = child_new(ctx);
        ctx = storvirt_ctx_unref(ctx); /* the caller lets go of the ctx */
        assert_null(ctx);
        assert_int_equal(ctx_destroyed, 0); /* the child keeps it alive */
        assert_int_equal(storvirt_ctx_get_log_priority(c->ctx), 0);
        assert_ptr_equal(test_child_ref(c), c);
        assert_null(test_child_unref(c));
        assert_int_equal(children_freed, 0);
        assert_null(test_child_unref(c));
        assert_int_equal(children_freed, 1);
        assert_int_equal(ctx_destroyed, 1); /* last child gone: ctx freed */
}

static test_child *shared_child;

static void *hammer(void *arg) {
        (void)arg;
        for (int i = 0; i < 100000; i++)
                test_child_unref(test_child_ref(shared_child));
        return NULL;
}

static void test_concurrent(void **state) {
        storvirt_ctx *ctx = NULL;
        pthread_t t[8];

        (void)state;
        children_freed = 0;
        assert_int_equal(storvirt_ctx_new(&ctx, 0), 0);
        shared_child = child_new(ctx);
        storvirt_ctx_unref(ctx);
        for (int i = 0; i < 8; i++)
                assert_int_equal(pthread_create(&t[i], NULL, hammer, NULL), 0);
        for (int i = 0; i < 8; i++)
                pthread_join(t[i], NULL);
        assert_int_equal(children_freed, 0);
        assert_int_equal(atomic_load(&shared_child->n_ref), 1);
        test_child_unref(shared_child);
        assert_int_equal(children_freed, 1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_child_keeps_parent),
                cmocka_unit_test(test_concurrent),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
