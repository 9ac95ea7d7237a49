/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-base64.c - util/base64.h: the RFC 4648 test vectors both ways,
 * and strict decoding (bad length, bad letters, padding in the middle).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/base64.h"

static const char *const vectors[][2] = {
        { "f", "Zg==" },     { "fo", "Zm8=" },         { "foo", "Zm9v" },
        { "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
};

static void test_vectors(void **state) {
        (void)state;
        for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
                char *enc = NULL;
                uint8_t *dec = NULL;
                size_t n = 0;

                assert_int_equal(storvirt__base64_encode((const uint8_t *)vectors[i][0],
                                                         strlen(vectors[i][0]), &enc), 0);
                assert_string_equal(enc, vectors[i][1]);
                assert_int_equal(storvirt__base64_decode(enc, strlen(enc), &dec, &n), 0);
                assert_int_equal(n, strlen(vectors[i][0]));
                assert_memory_equal(dec, vectors[i][0], n);
                free(enc);
                free(dec);
        }
}

static void test_refused(void **state) {
        static const char *const bad[] = { "", "Zg=", "Zg", "Z===", "Zm9v!", "Zg==Zg==", "Zm 9",
                                           "=Zg=" };
        uint8_t *dec = NULL;
        size_t n = 0;

        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                assert_int_equal(storvirt__base64_decode(bad[i], strlen(bad[i]), &dec, &n),
                                 -EINVAL);
        assert_null(dec);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_vectors),
                cmocka_unit_test(test_refused),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
