/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-error.c - the per-thread last error and the argument checks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <string.h>

#include <storvirt.h>
#include "util/macro.h"

static void test_set_returns_negative(void **state) {
        (void)state;
        storvirt_error_clear();
        assert_null(storvirt_error_message());
        assert_int_equal(storvirt_error_errno(), 0);
        assert_int_equal(storvirt__error_set(-ENOENT, "pool '%s' not found", "p1"), -ENOENT);
        assert_string_equal(storvirt_error_message(), "pool 'p1' not found");
        assert_int_equal(storvirt_error_errno(), ENOENT);
        /* A positive errno is normalised to negative. */
        assert_int_equal(storvirt__error_set(EBUSY, "busy"), -EBUSY);
        assert_int_equal(storvirt_error_errno(), EBUSY);
        storvirt_error_clear();
        assert_null(storvirt_error_message());
}

static void test_prefix(void **state) {
        (void)state;
        storvirt__error_set(-EINVAL, "bad value");
        assert_int_equal(storvirt__error_prefix("file '%s'", "a.xml"), -EINVAL);
        assert_string_equal(storvirt_error_message(), "file 'a.xml': bad value");
        storvirt_error_clear();
        /* Prefixing with no error recorded changes nothing. */
        assert_int_equal(storvirt__error_prefix("x"), 0);
        assert_null(storvirt_error_message());
}

static void test_save_restore(void **state) {
        storvirt__error_saved e;

        (void)state;
        storvirt__error_set(-ENOSPC, "volume 'a': no space");
        storvirt__error_save(&e);
        storvirt__error_set(-EIO, "cleanup failed");
        assert_int_equal(storvirt__error_restore(&e), -ENOSPC);
        assert_string_equal(storvirt_error_message(), "volume 'a': no space");
        assert_int_equal(storvirt_error_errno(), ENOSPC);
        assert_null(e.msg);
        /* no error saved: none restored */
        storvirt_error_clear();
        storvirt__error_save(&e);
        storvirt__error_set(-EIO, "cleanup failed");
        assert_int_equal(storvirt__error_restore(&e), 0);
        assert_null(storvirt_error_message());
}

static void *thread_fn(void *arg) {
        (void)arg;
        if (storvirt_error_message() != NULL)
                return (void *)1;
        storvirt__error_set(-EACCES, "thread error");
        if (strcmp(storvirt_error_message(), "thread error") != 0)
                return (void *)2;
        return NULL;
}

static void test_thread_local(void **state) {
        pthread_t t;
        void *res;

        (void)state;
        storvirt__error_set(-EIO, "main error");
        assert_int_equal(pthread_create(&t, NULL, thread_fn, NULL), 0);
        assert_int_equal(pthread_join(t, &res), 0);
        assert_null(res);
        assert_string_equal(storvirt_error_message(), "main error");
        assert_int_equal(storvirt_error_errno(), EIO);
}

static int checked(const char *name, uint32_t flags) {
        check_nonnull(name);
        check_flags(flags, 0x3);
        return 0;
}

static void test_check_macros(void **state) {
        (void)state;
        assert_int_equal(checked(NULL, 0), -EINVAL);
        assert_string_equal(storvirt_error_message(),
                            "checked: invalid argument 'name': must not be NULL");
        assert_int_equal(checked("x", 0x14), -EINVAL);
        assert_string_equal(storvirt_error_message(),
                            "checked: invalid argument 'flags': unknown flag bits 0x14");
        assert_int_equal(checked("x", 0x3), 0);
}

static void test_ctx_new_failure_message(void **state) {
        storvirt_ctx *ctx = (storvirt_ctx *)0x1;

        (void)state;
        /* The message is there although no context could be made. */
        assert_int_equal(storvirt_ctx_new(&ctx, 1u << 31), -EINVAL);
        assert_ptr_equal(ctx, (storvirt_ctx *)0x1); /* untouched on failure */
        assert_non_null(strstr(storvirt_error_message(), "'flags'"));
        assert_int_equal(storvirt_ctx_new(NULL, 0), -EINVAL);
        assert_non_null(strstr(storvirt_error_message(), "'ret_ctx'"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_set_returns_negative),
                cmocka_unit_test(test_prefix),
                cmocka_unit_test(test_save_restore),
                cmocka_unit_test(test_thread_local),
                cmocka_unit_test(test_check_macros),
                cmocka_unit_test(test_ctx_new_failure_message),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
