/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-log.c - logging is silent by default, honours STORVIRT_DEBUG, calls
 * the callback with userdata and without the lock held, and calls the
 * destroy notifier exactly once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <storvirt.h>
#include "objects/ctx.h"
#include "util/log.h"

struct capture {
        int calls;
        int destroyed;
        int last_prio;
        char last[256];
        storvirt_ctx *ctx;
};

static void capture_fn(storvirt_ctx *ctx, int prio, const char *msg, void *userdata) {
        struct capture *c = userdata;
        static int depth;

        c->calls++;
        c->last_prio = prio;
        c->ctx = ctx;
        /* Calling back into the library from the callback must not deadlock. */
        assert_true(storvirt_ctx_get_log_priority(ctx) >= 0);
        if (depth++ == 0)
                storvirt__log(ctx, STORVIRT_LOG_ERR, "nested %d", 1);
        else
                snprintf(c->last, sizeof(c->last), "%s", "(nested)");
        depth--;
        if (depth == 0) {
                snprintf(c->last, sizeof(c->last), "%s", msg);
                c->last_prio = prio;
        }
}

static void capture_destroy(void *userdata) {
        ((struct capture *)userdata)->destroyed++;
}

/* Runs fn with stderr redirected to a file and returns what was written. */
static size_t stderr_bytes_during(void (*fn)(void)) {
        char path[] = "/tmp/storvirt-log-test.XXXXXX";
        int fd = mkstemp(path), saved = dup(2);
        off_t size;

        assert_true(fd >= 0 && saved >= 0);
        fflush(stderr);
        dup2(fd, 2);
        fn();
        fflush(stderr);
        dup2(saved, 2);
        close(saved);
        size = lseek(fd, 0, SEEK_END);
        close(fd);
        unlink(path);
        return (size_t)size;
}

static void quiet_run(void) {
        storvirt_ctx *ctx = NULL;
        const char *dir;
        char tmpl[] = "/tmp/storvirt-log-sd.XXXXXX";

        unsetenv("STORVIRT_DEBUG");
        assert_int_equal(storvirt_ctx_new(&ctx, 0), 0);
        assert_non_null(mkdtemp(tmpl));
        assert_int_equal(storvirt_ctx_set_state_dir(ctx, tmpl, 0), 0);
        assert_int_equal(storvirt_ctx_get_state_dir(ctx, &dir), 0);
        storvirt__log(ctx, STORVIRT_LOG_ERR, "must not appear");
        storvirt_ctx_unref(ctx);
        rmdir(tmpl);
}

static void debug_run(void) {
        storvirt_ctx *ctx = NULL;

        setenv("STORVIRT_DEBUG", "1", 1);
        assert_int_equal(storvirt_ctx_new(&ctx, 0), 0);
        assert_int_equal(storvirt_ctx_get_log_priority(ctx), STORVIRT_LOG_DEBUG);
        storvirt_ctx_unref(ctx);
        unsetenv("STORVIRT_DEBUG");
}

static void test_silent_by_default(void **state) {
        (void)state;
        assert_int_equal(stderr_bytes_during(quiet_run), 0);
}

static void test_env_debug_goes_to_stderr(void **state) {
        (void)state;
        /* "context created" is logged at debug level when STORVIRT_DEBUG=1. */
        assert_true(stderr_bytes_during(debug_run) > 0);
}

static void test_env_ignored_with_flag(void **state) {
        storvirt_ctx *ctx = NULL;

        (void)state;
        setenv("STORVIRT_DEBUG", "1", 1);
        assert_int_equal(storvirt_ctx_new(&ctx, STORVIRT_CTX_NEW_IGNORE_ENV), 0);
        assert_int_equal(storvirt_ctx_get_log_priority(ctx), 0);
        storvirt_ctx_unref(ctx);
        unsetenv("STORVIRT_DEBUG");
}

static void test_callback(void **state) {
        struct capture c = {};
        storvirt_ctx *ctx = NULL;

        (void)state;
        assert_int_equal(storvirt_ctx_new(&ctx, STORVIRT_CTX_NEW_IGNORE_ENV), 0);
        assert_int_equal(storvirt_ctx_set_log_fn(ctx, capture_fn, &c, capture_destroy), 0);
        storvirt__log(ctx, STORVIRT_LOG_ERR, "dropped at priority 0");
        assert_int_equal(c.calls, 0);
        assert_int_equal(storvirt_ctx_set_log_priority(ctx, STORVIRT_LOG_WARNING), 0);
        storvirt__log(ctx, STORVIRT_LOG_DEBUG, "dropped: above threshold");
        assert_int_equal(c.calls, 0);
        storvirt__log(ctx, STORVIRT_LOG_WARNING, "value %d of %s", 42, "x");
        /* Our call plus the nested one from inside the callback. */
        assert_int_equal(c.calls, 2);
        assert_string_equal(c.last, "value 42 of x");
        assert_int_equal(c.last_prio, STORVIRT_LOG_WARNING);
        assert_ptr_equal(c.ctx, ctx);
        /* Replacing the callback destroys the old userdata exactly once. */
        assert_int_equal(storvirt_ctx_set_log_fn(ctx, NULL, NULL, NULL), 0);
        assert_int_equal(c.destroyed, 1);
        assert_int_equal(storvirt_ctx_set_log_fn(ctx, capture_fn, &c, capture_destroy), 0);
        storvirt_ctx_unref(ctx);
        assert_int_equal(c.destroyed, 2);
}

static void test_priority_range(void **state) {
        storvirt_ctx *ctx = NULL;

        (void)state;
        assert_int_equal(storvirt_ctx_new(&ctx, 0), 0);
        assert_int_equal(storvirt_ctx_set_log_priority(ctx, 8), -EINVAL);
        assert_non_null(strstr(storvirt_error_message(), "'priority'"));
        assert_int_equal(storvirt_ctx_set_log_priority(ctx, -1), -EINVAL);
        assert_int_equal(storvirt_ctx_get_log_priority(NULL), -EINVAL);
        storvirt_ctx_unref(ctx);
}

static void test_destroy_called_on_failure(void **state) {
        struct capture c = {};

        (void)state;
        assert_int_equal(storvirt_ctx_set_log_fn(NULL, capture_fn, &c, capture_destroy), -EINVAL);
        assert_int_equal(c.destroyed, 1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_silent_by_default),
                cmocka_unit_test(test_env_debug_goes_to_stderr),
                cmocka_unit_test(test_env_ignored_with_flag),
                cmocka_unit_test(test_callback),
                cmocka_unit_test(test_priority_range),
                cmocka_unit_test(test_destroy_called_on_failure),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
