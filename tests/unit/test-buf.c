/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-buf.c - the growable byte/string buffer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "util/buf.h"

static void test_zero_is_empty(void **state) {
        struct storvirt__buf b = {};
        char *s = NULL;

        (void)state;
        assert_string_equal(storvirt__buf_str(&b), "");
        storvirt__buf_reset(&b);
        storvirt__buf_truncate(&b, 0);
        assert_null(b.data);
        assert_int_equal(storvirt__buf_steal(&b, &s), 0);
        assert_string_equal(s, "");
        free(s);
        storvirt__buf_free(&b);
        assert_null(b.data);
        assert_int_equal(b.len, 0);
        assert_int_equal(b.cap, 0);
}

static void test_append(void **state) {
        _cleanup_buf_free_ struct storvirt__buf b = {};

        (void)state;
        assert_int_equal(storvirt__buf_append_str(&b, "hello"), 0);
        assert_int_equal(storvirt__buf_append_char(&b, ' '), 0);
        assert_int_equal(storvirt__buf_append(&b, "world!!", 5), 0);
        assert_int_equal(b.len, 11);
        assert_string_equal(b.data, "hello world");
        assert_true(b.cap > b.len);
        /* Zero-length appends allocate and NUL-terminate. */
        storvirt__buf_free(&b);
        assert_int_equal(storvirt__buf_append(&b, NULL, 0), 0);
        assert_non_null(b.data);
        assert_int_equal(b.len, 0);
        assert_string_equal(b.data, "");
}

static void test_binary(void **state) {
        _cleanup_buf_free_ struct storvirt__buf b = {};
        const char bytes[] = { 'a', '\0', 'b', '\0' };

        (void)state;
        assert_int_equal(storvirt__buf_append(&b, bytes, sizeof(bytes)), 0);
        assert_int_equal(b.len, 4);
        assert_memory_equal(b.data, bytes, 4);
        assert_int_equal(b.data[4], '\0');
}

static void test_printf(void **state) {
        _cleanup_buf_free_ struct storvirt__buf b = {};
        char big[1000];

        (void)state;
        assert_int_equal(storvirt__buf_printf(&b, "%s=%d", "n", 42), 0);
        assert_int_equal(storvirt__buf_printf(&b, ";%05.1f", 3.25), 0);
        assert_string_equal(b.data, "n=42;003.2");
        assert_int_equal(b.len, strlen("n=42;003.2"));

        /* Larger than the spare room: forces the second formatting pass. */
        memset(big, 'x', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        assert_int_equal(storvirt__buf_printf(&b, "[%s]", big), 0);
        assert_int_equal(b.len, 10 + 2 + 999);
        assert_int_equal(b.data[10], '[');
        assert_int_equal(b.data[11 + 998], 'x');
        assert_int_equal(b.data[b.len - 1], ']');
        assert_int_equal(b.data[b.len], '\0');
        assert_int_equal(strlen(b.data), b.len);

        /* An empty format appends nothing. */
        assert_int_equal(storvirt__buf_printf(&b, "%s", ""), 0);
        assert_int_equal(b.len, 1011);
}

static void test_reserve_truncate(void **state) {
        _cleanup_buf_free_ struct storvirt__buf b = {};
        char *data;

        (void)state;
        assert_int_equal(storvirt__buf_reserve(&b, 5000), 0);
        assert_true(b.cap >= 5001);
        assert_int_equal(b.len, 0);
        assert_string_equal(b.data, "");
        data = b.data;
        for (int i = 0; i < 5000; i++)
                assert_int_equal(storvirt__buf_append_char(&b, 'a' + i % 26), 0);
        assert_ptr_equal(b.data, data);  /* no reallocation within the reserve */
        assert_int_equal(b.len, 5000);

        storvirt__buf_truncate(&b, 3);
        assert_int_equal(b.len, 3);
        assert_string_equal(b.data, "abc");
        storvirt__buf_truncate(&b, 10);  /* longer than the contents: no-op */
        assert_string_equal(b.data, "abc");
        storvirt__buf_reset(&b);
        assert_int_equal(b.len, 0);
        assert_string_equal(b.data, "");
        assert_ptr_equal(b.data, data);  /* memory kept */

        /* Sizes that cannot be represented are -ENOMEM, contents kept. */
        assert_int_equal(storvirt__buf_append_str(&b, "keep"), 0);
        assert_int_equal(storvirt__buf_reserve(&b, SIZE_MAX), -ENOMEM);
        assert_int_equal(storvirt__buf_reserve(&b, SIZE_MAX - 4), -ENOMEM);
        assert_string_equal(b.data, "keep");
        assert_int_equal(b.len, 4);
}

static void test_steal(void **state) {
        struct storvirt__buf b = {};
        char *s = NULL;

        (void)state;
        for (int i = 0; i < 100; i++)
                assert_int_equal(storvirt__buf_printf(&b, "%d,", i), 0);
        assert_int_equal(storvirt__buf_steal(&b, &s), 0);
        assert_null(b.data);
        assert_int_equal(b.len, 0);
        assert_int_equal(b.cap, 0);
        assert_int_equal(strncmp(s, "0,1,2,", 6), 0);
        assert_int_equal(strcmp(s + strlen(s) - 6, "98,99,"), 0);
        free(s);
        /* The buffer is reusable after a steal. */
        assert_int_equal(storvirt__buf_append_str(&b, "again"), 0);
        assert_string_equal(storvirt__buf_str(&b), "again");
        storvirt__buf_free(&b);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_zero_is_empty),
                cmocka_unit_test(test_append),
                cmocka_unit_test(test_binary),
                cmocka_unit_test(test_printf),
                cmocka_unit_test(test_reserve_truncate),
                cmocka_unit_test(test_steal),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
