/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-uuid.c - UUID parsing/formatting, random v4 and name-based v5
 * generation.  Expected v5 values were computed with Python's uuid
 * module (uuid.uuid5).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "util/macro.h"
#include "util/uuid.h"

static void assert_uuid_string(const storvirt__uuid *u, const char *expected) {
        char buf[STORVIRT__UUID_STRING_MAX];

        assert_ptr_equal(storvirt__uuid_format(u, buf), buf);
        assert_string_equal(buf, expected);
}

static void test_parse_format(void **state) {
        storvirt__uuid u, w;
        static const uint8_t bytes[16] = {
                0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3,
                0xa4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, 0x00,
        };

        (void)state;
        assert_int_equal(storvirt__uuid_parse("123e4567-e89b-12d3-a456-426614174000", &u), 0);
        assert_memory_equal(u.b, bytes, 16);
        assert_uuid_string(&u, "123e4567-e89b-12d3-a456-426614174000");

        /* Upper and mixed case, and the 32-digit form, give the same bytes. */
        assert_int_equal(storvirt__uuid_parse("123E4567-E89B-12D3-A456-426614174000", &w), 0);
        assert_true(storvirt__uuid_equal(&u, &w));
        assert_int_equal(storvirt__uuid_parse("123e4567E89b12D3a456426614174000", &w), 0);
        assert_true(storvirt__uuid_equal(&u, &w));

        assert_int_equal(storvirt__uuid_parse("00000000-0000-0000-0000-000000000000", &w), 0);
        assert_true(storvirt__uuid_is_null(&w));
        assert_false(storvirt__uuid_is_null(&u));
        assert_true(storvirt__uuid_is_null(&STORVIRT__UUID_NULL));
        assert_int_equal(storvirt__uuid_parse("FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF", &w), 0);
        assert_uuid_string(&w, "ffffffff-ffff-ffff-ffff-ffffffffffff");
        assert_true(storvirt__uuid_compare(&u, &w) < 0);
        assert_true(storvirt__uuid_compare(&w, &u) > 0);
        assert_int_equal(storvirt__uuid_compare(&u, &u), 0);

        assert_uuid_string(&STORVIRT__UUID_NS_DNS, "6ba7b810-9dad-11d1-80b4-00c04fd430c8");
        assert_uuid_string(&STORVIRT__UUID_NS_URL, "6ba7b811-9dad-11d1-80b4-00c04fd430c8");
        assert_uuid_string(&STORVIRT__UUID_NS_OID, "6ba7b812-9dad-11d1-80b4-00c04fd430c8");
        assert_uuid_string(&STORVIRT__UUID_NS_X500, "6ba7b814-9dad-11d1-80b4-00c04fd430c8");
        /* The project name space must never change: vDisk ids derive from it. */
        assert_uuid_string(&STORVIRT__UUID_NS, "7d284af6-5859-4650-9e11-b78d6fe9578a");
}

static void test_parse_bad(void **state) {
        static const char *const bad[] = {
                "",
                "123e4567-e89b-12d3-a456-42661417400",     /* 35 */
                "123e4567-e89b-12d3-a456-4266141740000",   /* 37 */
                "123e4567e89b-12d3-a456-4266141740000",    /* dash misplaced */
                "123e4567-e89b-12d3-a456_426614174000",
                "123e4567-e89b-12d3-a456-42661417400g",
                "{123e4567-e89b-12d3-a456-426614174000}",
                "urn:uuid:123e4567-e89b-12d3-a456-426614174000",
                " 123e4567-e89b-12d3-a456-42661417400",
                "123e4567-e89b-12d3-a456-42661417400 ",
                "123e4567e89b12d3a45642661417400",         /* 31 */
                "123e4567e89b12d3a4564266141740000",       /* 33 */
                "123e4567e89b12d3a45642661417400-",
                "123e4567-e89b-12d3-a456-4266-1417400",
                "+23e4567-e89b-12d3-a456-426614174000",
        };
        storvirt__uuid u = STORVIRT__UUID_NS_DNS;

        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                assert_int_equal(storvirt__uuid_parse(bad[i], &u), -EINVAL);
                if (!strstr(storvirt__error_msg(), bad[i]))
                        fail_msg("message '%s' does not quote '%s'", storvirt__error_msg(), bad[i]);
        }
        /* *ret untouched on failure. */
        assert_true(storvirt__uuid_equal(&u, &STORVIRT__UUID_NS_DNS));

        assert_int_equal(storvirt__uuid_parse("123e4567-e89b-12d3-a456-42661417400g", &u), -EINVAL);
        assert_string_equal(storvirt__error_msg(),
                "invalid UUID '123e4567-e89b-12d3-a456-42661417400g': not a hex digit at offset 35");
        assert_int_equal(storvirt__uuid_parse("xyz", &u), -EINVAL);
        assert_string_equal(storvirt__error_msg(),
                "invalid UUID 'xyz': expected 36 characters (8-4-4-4-12 hex digits) "
                "or 32 hex digits, got 3");
        assert_int_equal(storvirt__uuid_parse(NULL, &u), -EINVAL);
        assert_int_equal(storvirt__uuid_parse("123e4567-e89b-12d3-a456-426614174000", NULL), -EINVAL);
}

static void test_v4(void **state) {
        storvirt__uuid a, b;
        char buf[STORVIRT__UUID_STRING_MAX];

        (void)state;
        assert_int_equal(storvirt__uuid_generate_v4(&a), 0);
        assert_int_equal(storvirt__uuid_generate_v4(&b), 0);
        assert_false(storvirt__uuid_equal(&a, &b));
        for (int i = 0; i < 1000; i++) {
                storvirt__uuid u, back;

                assert_int_equal(storvirt__uuid_generate_v4(&u), 0);
                assert_int_equal(storvirt__uuid_version(&u), 4);
                assert_int_equal(u.b[6] & 0xf0, 0x40);
                assert_int_equal(u.b[8] & 0xc0, 0x80);
                storvirt__uuid_format(&u, buf);
                assert_int_equal(strlen(buf), 36);
                assert_int_equal(buf[14], '4');
                assert_non_null(strchr("89ab", buf[19]));
                assert_int_equal(storvirt__uuid_parse(buf, &back), 0);
                assert_true(storvirt__uuid_equal(&u, &back));
        }
        assert_int_equal(storvirt__uuid_generate_v4(NULL), -EINVAL);
}

static void check_v5(const storvirt__uuid *ns, const char *name, const char *expected) {
        storvirt__uuid u;

        assert_int_equal(storvirt__uuid_generate_v5(ns, name, &u), 0);
        assert_int_equal(storvirt__uuid_version(&u), 5);
        assert_int_equal(u.b[8] & 0xc0, 0x80);
        assert_uuid_string(&u, expected);
}

static void test_v5(void **state) {
        storvirt__uuid u;

        (void)state;
        check_v5(&STORVIRT__UUID_NS_DNS, "python.org", "886313e1-3b8a-5372-9b90-0c9aee199e5d");
        check_v5(&STORVIRT__UUID_NS_URL, "https://example.com/",
                 "dd2c1780-811a-5296-81c5-178a0ef488bc");
        check_v5(&STORVIRT__UUID_NS_OID, "1.3.6.1", "1447fa61-5277-5fef-a9b3-fbc6e44f4af3");
        check_v5(&STORVIRT__UUID_NS_X500, "cn=x", "a951fb6d-5aab-5a72-8e2e-9aa8df8d1f8f");
        check_v5(&STORVIRT__UUID_NS_DNS, "", "4ebd0208-8328-5d69-8c44-ec50939c0967");
        check_v5(&STORVIRT__UUID_NS, "pool/vol", "bfc5a79d-3f0a-5925-926b-bd2636552f97");

        /* Arbitrary bytes, an embedded NUL included. */
        assert_int_equal(storvirt__uuid_generate_v5_data(&STORVIRT__UUID_NS_DNS, "a\0b", 3, &u), 0);
        assert_uuid_string(&u, "0a63f66b-e02f-5d2d-9fd4-aad819cf5352");
        assert_int_equal(storvirt__uuid_generate_v5_data(&STORVIRT__UUID_NS_DNS, NULL, 0, &u), 0);
        assert_uuid_string(&u, "4ebd0208-8328-5d69-8c44-ec50939c0967");

        assert_int_equal(storvirt__uuid_generate_v5(NULL, "x", &u), -EINVAL);
        assert_int_equal(storvirt__uuid_generate_v5(&STORVIRT__UUID_NS, NULL, &u), -EINVAL);
        assert_int_equal(storvirt__uuid_generate_v5(&STORVIRT__UUID_NS, "x", NULL), -EINVAL);
        assert_int_equal(storvirt__uuid_generate_v5_data(&STORVIRT__UUID_NS, NULL, 1, &u), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_format),
                cmocka_unit_test(test_parse_bad),
                cmocka_unit_test(test_v4),
                cmocka_unit_test(test_v5),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
