/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-strv.c - NULL-terminated string vectors and the strv builder. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "util/macro.h"
#include "util/strv.h"

static void test_null_is_empty(void **state) {
        char *joined = NULL;
        char **copy = NULL;

        (void)state;
        assert_int_equal(storvirt__strv_length(NULL), 0);
        assert_false(storvirt__strv_contains(NULL, "a"));
        assert_null(storvirt__strv_sort(NULL));
        storvirt__strv_free(NULL);
        assert_int_equal(storvirt__strv_join(NULL, ",", &joined), 0);
        assert_string_equal(joined, "");
        free(joined);
        assert_int_equal(storvirt__strv_copy(NULL, &copy), 0);
        assert_non_null(copy);
        assert_null(copy[0]);
        storvirt__strv_free(copy);
}

static void test_push_extend(void **state) {
        _cleanup_strv_free_ char **l = NULL;
        char *s;

        (void)state;
        s = strdup("one");
        assert_non_null(s);
        assert_int_equal(storvirt__strv_push(&l, s), 0);
        assert_int_equal(storvirt__strv_extend(&l, "two"), 0);
        assert_int_equal(storvirt__strv_extend(&l, ""), 0);
        assert_int_equal(storvirt__strv_length(l), 3);
        assert_ptr_equal(l[0], s);
        assert_string_equal(l[1], "two");
        assert_string_equal(l[2], "");
        assert_null(l[3]);
        assert_true(storvirt__strv_contains(l, "two"));
        assert_true(storvirt__strv_contains(l, ""));
        assert_false(storvirt__strv_contains(l, "tw"));
        assert_false(storvirt__strv_contains(l, NULL));

        /* NULL value: rejected, vector unchanged. */
        assert_int_equal(storvirt__strv_push(&l, NULL), -EINVAL);
        assert_int_equal(storvirt__strv_extend(&l, NULL), -EINVAL);
        assert_int_equal(storvirt__strv_length(l), 3);
}

static void test_sort_join(void **state) {
        _cleanup_strv_free_ char **l = NULL;
        char *joined = NULL;

        (void)state;
        assert_int_equal(storvirt__strv_extend(&l, "pear"), 0);
        assert_int_equal(storvirt__strv_extend(&l, "Apple"), 0);
        assert_int_equal(storvirt__strv_extend(&l, "apple"), 0);
        assert_int_equal(storvirt__strv_extend(&l, "banana"), 0);
        assert_ptr_equal(storvirt__strv_sort(l), l);
        assert_int_equal(storvirt__strv_join(l, ", ", &joined), 0);
        assert_string_equal(joined, "Apple, apple, banana, pear");
        free(joined);
        assert_int_equal(storvirt__strv_join(l, NULL, &joined), 0);
        assert_string_equal(joined, "Appleapplebananapear");
        free(joined);
        assert_int_equal(storvirt__strv_join(STORVIRT__STRV_MAKE("x"), "--", &joined), 0);
        assert_string_equal(joined, "x");
        free(joined);
        assert_int_equal(storvirt__strv_join(STORVIRT__STRV_MAKE("", ""), ":", &joined), 0);
        assert_string_equal(joined, ":");
        free(joined);
}

static void test_copy(void **state) {
        char **src = STORVIRT__STRV_MAKE("a", "bb", "ccc");
        _cleanup_strv_free_ char **copy = NULL;

        (void)state;
        assert_int_equal(storvirt__strv_copy(src, &copy), 0);
        assert_int_equal(storvirt__strv_length(copy), 3);
        for (size_t i = 0; i < 3; i++) {
                assert_string_equal(copy[i], src[i]);
                assert_ptr_not_equal(copy[i], src[i]);
        }
        assert_null(copy[3]);
}

static void test_builder(void **state) {
        struct storvirt__strv_builder b = {};
        char **v = NULL, buf[32];

        (void)state;
        for (unsigned i = 0; i < 10000; i++) {
                snprintf(buf, sizeof(buf), "item-%05u", i);
                assert_int_equal(storvirt__strv_builder_add(&b, buf), 0);
                assert_int_equal(b.n, i + 1);
                assert_null(b.v[b.n]);
        }
        assert_int_equal(storvirt__strv_builder_push(&b, strdup("last")), 0);
        assert_int_equal(storvirt__strv_builder_push(&b, NULL), -EINVAL);
        assert_int_equal(storvirt__strv_builder_finish(&b, &v), 0);
        assert_null(b.v);
        assert_int_equal(b.n, 0);
        assert_int_equal(b.cap, 0);
        assert_int_equal(storvirt__strv_length(v), 10001);
        assert_string_equal(v[0], "item-00000");
        assert_string_equal(v[9999], "item-09999");
        assert_string_equal(v[10000], "last");
        storvirt__strv_free(v);

        /* Empty builder finishes to an empty, non-NULL vector. */
        assert_int_equal(storvirt__strv_builder_finish(&b, &v), 0);
        assert_non_null(v);
        assert_null(v[0]);
        storvirt__strv_free(v);

        /* done() drops what was added. */
        assert_int_equal(storvirt__strv_builder_add(&b, "x"), 0);
        storvirt__strv_builder_done(&b);
        assert_null(b.v);
        assert_int_equal(b.n, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_null_is_empty),
                cmocka_unit_test(test_push_extend),
                cmocka_unit_test(test_sort_join),
                cmocka_unit_test(test_copy),
                cmocka_unit_test(test_builder),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
