/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-sha1.c - SHA-1 against the FIPS 180 example vectors, plus
 * messages around the padding boundaries hashed in one piece and in
 * every split.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "util/macro.h"
#include "util/sha1.h"

static void hex(const uint8_t d[STORVIRT__SHA1_DIGEST_SIZE], char out[41]) {
        for (size_t i = 0; i < STORVIRT__SHA1_DIGEST_SIZE; i++)
                snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void check_oneshot(const void *data, size_t len, const char *expected) {
        uint8_t d[STORVIRT__SHA1_DIGEST_SIZE];
        char s[41];

        storvirt__sha1(data, len, d);
        hex(d, s);
        assert_string_equal(s, expected);
}

static void test_fips_vectors(void **state) {
        (void)state;
        check_oneshot("abc", 3, "a9993e364706816aba3e25717850c26c9cd0d89d");
        check_oneshot("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
                      "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
        check_oneshot("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
                      "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu", 112,
                      "a49b2446a02c645bf419f995b67091253a04a259");
        check_oneshot("", 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        check_oneshot(NULL, 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

static void test_million_a(void **state) {
        struct storvirt__sha1_ctx ctx;
        uint8_t d[STORVIRT__SHA1_DIGEST_SIZE];
        char chunk[1000], s[41];
        char *all;

        (void)state;
        /* In 1000-byte pieces (not a multiple of the block size)... */
        memset(chunk, 'a', sizeof(chunk));
        storvirt__sha1_init(&ctx);
        for (int i = 0; i < 1000; i++)
                storvirt__sha1_update(&ctx, chunk, sizeof(chunk));
        storvirt__sha1_final(&ctx, d);
        hex(d, s);
        assert_string_equal(s, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");

        /* ...and in one piece. */
        all = malloc(1000000);
        assert_non_null(all);
        memset(all, 'a', 1000000);
        check_oneshot(all, 1000000, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
        free(all);
}

static const struct {
        size_t len;
        const char *digest;
} boundary[] = {
        { 55, "ddf57317ef34bfee3b6df83d359098930eb278bc" },
        { 56, "a0d492bb0fc889d0eca3bc137066ab6f4f74f369" },
        { 57, "11a02dcf95859677a62e75024067c22b165d890f" },
        { 63, "c55856749bef509bdfe6bfebfc7bf4e793e82132" },
        { 64, "bede92be29c3874e1b54ddc77988d606fc857a8e" },
        { 65, "b05a80522b053d6dc7e0a517d0e70212c7dad11f" },
        { 119, "504e27376a6e0f0dba8295b85cb25dc4dfa17d23" },
        { 120, "82134b02fb3f702491be9bed581eeab59334acb2" },
        { 128, "a09133e6730ffe899efb70204cb5646cd5dc24ee" },
};

static void test_boundaries_and_splits(void **state) {
        uint8_t msg[128], d[STORVIRT__SHA1_DIGEST_SIZE];
        char s[41];

        (void)state;
        for (size_t i = 0; i < sizeof(msg); i++)
                msg[i] = (uint8_t)(i * 7 + 3);
        for (size_t k = 0; k < ELEMENTSOF(boundary); k++) {
                size_t len = boundary[k].len;

                check_oneshot(msg, len, boundary[k].digest);
                /* Every split point, with an empty update in the middle. */
                for (size_t cut = 0; cut <= len; cut++) {
                        struct storvirt__sha1_ctx ctx;

                        storvirt__sha1_init(&ctx);
                        storvirt__sha1_update(&ctx, msg, cut);
                        storvirt__sha1_update(&ctx, NULL, 0);
                        storvirt__sha1_update(&ctx, msg + cut, len - cut);
                        storvirt__sha1_final(&ctx, d);
                        hex(d, s);
                        assert_string_equal(s, boundary[k].digest);
                }
        }
}

static void test_byte_at_a_time(void **state) {
        const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
        struct storvirt__sha1_ctx ctx;
        uint8_t d[STORVIRT__SHA1_DIGEST_SIZE];
        char s[41];

        (void)state;
        storvirt__sha1_init(&ctx);
        for (size_t i = 0; m[i]; i++)
                storvirt__sha1_update(&ctx, m + i, 1);
        storvirt__sha1_final(&ctx, d);
        hex(d, s);
        assert_string_equal(s, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_fips_vectors),
                cmocka_unit_test(test_million_a),
                cmocka_unit_test(test_boundaries_and_splits),
                cmocka_unit_test(test_byte_at_a_time),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
