/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-units.c - capacity parsing and formatting with libvirt's unit
 * rules, internal functions and the public storvirt_units_* wrappers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include <storvirt.h>
#include "util/macro.h"
#include "util/units.h"

#define KIB UINT64_C(1024)
#define MIB (KIB * 1024)
#define GIB (MIB * 1024)
#define TIB (GIB * 1024)
#define PIB (TIB * 1024)
#define EIB (PIB * 1024)
#define SENTINEL UINT64_C(0x5a5a5a5a)

static uint64_t parse_ok(const char *value, const char *unit, uint64_t limit) {
        uint64_t v = SENTINEL;
        int r = storvirt__units_parse(value, unit, limit, &v);

        if (r != 0)
                fail_msg("parsing '%s' unit '%s' failed: %d %s", value, unit ? unit : "(null)",
                         r, storvirt__error_msg());
        return v;
}

/* Parses a value expected to fail with err; checks *ret is untouched. */
static void parse_fail(const char *value, const char *unit, uint64_t limit, int err) {
        uint64_t v = SENTINEL;

        assert_int_equal(storvirt__units_parse(value, unit, limit, &v), err);
        assert_int_equal(storvirt__error_code(), err);
        assert_int_equal(v, SENTINEL);
}

static void assert_msg_contains(const char *needle) {
        const char *msg = storvirt__error_msg();

        assert_non_null(msg);
        if (!strstr(msg, needle))
                fail_msg("message '%s' lacks '%s'", msg, needle);
}

struct suffix_case {
        const char *suffix;
        uint64_t scale;
};

static const struct suffix_case suffixes[] = {
        { "", 1 }, { "b", 1 }, { "B", 1 }, { "byte", 1 }, { "Byte", 1 }, { "BYTE", 1 },
        { "bytes", 1 }, { "Bytes", 1 }, { "bYtEs", 1 },
        { "k", KIB }, { "K", KIB }, { "KiB", KIB }, { "kib", KIB }, { "KIB", KIB }, { "kIb", KIB },
        { "KB", 1000 }, { "kb", 1000 }, { "Kb", 1000 }, { "kB", 1000 },
        { "m", MIB }, { "M", MIB }, { "MiB", MIB }, { "mib", MIB }, { "MB", 1000000 }, { "mb", 1000000 },
        { "g", GIB }, { "G", GIB }, { "GiB", GIB }, { "gIB", GIB },
        { "GB", UINT64_C(1000000000) }, { "gb", UINT64_C(1000000000) },
        { "t", TIB }, { "T", TIB }, { "TiB", TIB }, { "tib", TIB },
        { "TB", UINT64_C(1000000000000) }, { "Tb", UINT64_C(1000000000000) },
        { "p", PIB }, { "P", PIB }, { "PiB", PIB }, { "PIB", PIB },
        { "PB", UINT64_C(1000000000000000) }, { "pb", UINT64_C(1000000000000000) },
        { "e", EIB }, { "E", EIB }, { "EiB", EIB }, { "eib", EIB },
        { "EB", UINT64_C(1000000000000000000) }, { "eB", UINT64_C(1000000000000000000) },
};

static void test_suffixes(void **state) {
        char buf[64];

        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
                const struct suffix_case *c = &suffixes[i];

                /* Separate unit, suffix glued to the number, and after one space. */
                assert_int_equal(parse_ok("3", c->suffix, 0), 3 * c->scale);
                snprintf(buf, sizeof(buf), "3%s", c->suffix);
                assert_int_equal(parse_ok(buf, NULL, 0), 3 * c->scale);
                if (c->suffix[0]) {
                        snprintf(buf, sizeof(buf), "3 %s", c->suffix);
                        assert_int_equal(parse_ok(buf, NULL, 0), 3 * c->scale);
                }
        }
        assert_int_equal(parse_ok("10GiB", NULL, 0), 10 * GIB);
        assert_int_equal(parse_ok("512M", NULL, 0), 512 * MIB);
        assert_int_equal(parse_ok("1 G", NULL, 0), GIB);
        assert_int_equal(parse_ok("0", NULL, 0), 0);
        assert_int_equal(parse_ok("0EiB", NULL, 0), 0);
        assert_int_equal(parse_ok("007", NULL, 0), 7);
        assert_int_equal(parse_ok("4097", "", 0), 4097);
}

static void test_unknown_suffix(void **state) {
        static const char *const bad[] = {
                "x", "kibi", "KiBs", "KIBB", "gigabytes", "bb", "bite", "ib", "iB",
                "z", "ZiB", "YB", "k ", " k", "kB ", "%", "\xc3\xa9",
        };

        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                parse_fail("1", bad[i], 0, -EINVAL);
        parse_fail("1", "x", 0, -EINVAL);
        assert_msg_contains("unknown suffix 'x'");
        parse_fail("12abc", NULL, 0, -EINVAL);
        assert_msg_contains("unknown suffix 'abc'");
        parse_fail("0x10", NULL, 0, -EINVAL);
        assert_msg_contains("unknown suffix 'x10'");
        parse_fail("1G ", NULL, 0, -EINVAL);
        assert_msg_contains("unknown suffix 'G '");
        parse_fail("1\tG", NULL, 0, -EINVAL);
        parse_fail("1 2", NULL, 0, -EINVAL);
        parse_fail("1 GiB", "", 0, -EINVAL);
}

static void test_malformed(void **state) {
        static const char *const bad[] = {
                "", "-1", "+1", "-0", " 1", "\t1", "1.5G", "1.0", ".5", "G", "GiB",
                "1 ", "1  G", "1 \tG", "abc", "0x10", "12abc", "1,5",
        };

        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                parse_fail(bad[i], NULL, 0, -EINVAL);
        parse_fail("", NULL, 0, -EINVAL);
        assert_string_equal(storvirt__error_msg(), "invalid capacity '': empty value");
        parse_fail("", "G", 0, -EINVAL);
        parse_fail("1.5G", NULL, 0, -EINVAL);
        assert_string_equal(storvirt__error_msg(),
                            "invalid capacity '1.5G': fractions are not accepted");
        parse_fail("-1", NULL, 0, -EINVAL);
        assert_string_equal(storvirt__error_msg(),
                            "invalid capacity '-1': expected a base-10 unsigned integer");
        /* With a separate unit the value is digits only. */
        parse_fail("10G", "bytes", 0, -EINVAL);
        assert_msg_contains("'10G'");
        parse_fail("10 ", "", 0, -EINVAL);
        parse_fail(" 10", "b", 0, -EINVAL);
        parse_fail("1.5", "GiB", 0, -EINVAL);
        parse_fail(NULL, NULL, 0, -EINVAL);
        assert_int_equal(storvirt__units_parse("1", NULL, 0, NULL), -EINVAL);
}

static void test_overflow(void **state) {
        (void)state;
        /* Full 64-bit range (limit 0 = UINT64_MAX). */
        assert_int_equal(parse_ok("18446744073709551615", NULL, 0), UINT64_MAX);
        assert_int_equal(parse_ok("18446744073709551615", "b", UINT64_MAX), UINT64_MAX);
        parse_fail("18446744073709551616", NULL, 0, -ERANGE);
        assert_msg_contains("value too large");
        parse_fail("99999999999999999999999", NULL, 0, -ERANGE);
        parse_fail("18446744073709551616", "b", 0, -ERANGE);
        assert_int_equal(parse_ok("15EiB", NULL, 0), 15 * EIB);
        parse_fail("16EiB", NULL, 0, -ERANGE);
        assert_msg_contains("value too large");
        assert_msg_contains("'16EiB'");
        parse_fail("16", "e", 0, -ERANGE);
        assert_int_equal(parse_ok("18EB", NULL, 0), UINT64_C(18000000000000000000));
        parse_fail("19EB", NULL, 0, -ERANGE);
        assert_int_equal(parse_ok("16777215TiB", NULL, 0), UINT64_C(16777215) * TIB);
        parse_fail("16777216TiB", NULL, 0, -ERANGE);

        /* Storage capacity limit (off_t): INT64_MAX. */
        assert_int_equal(parse_ok("9223372036854775807", NULL, INT64_MAX), INT64_MAX);
        parse_fail("9223372036854775808", NULL, INT64_MAX, -ERANGE);
        assert_int_equal(parse_ok("7EiB", NULL, INT64_MAX), 7 * EIB);
        parse_fail("8EiB", NULL, INT64_MAX, -ERANGE);
        assert_int_equal(parse_ok("8", "EiB", 0), 8 * EIB);
        assert_int_equal(parse_ok("8589934591G", NULL, INT64_MAX), UINT64_C(8589934591) * GIB);
        parse_fail("8589934592G", NULL, INT64_MAX, -ERANGE);
        assert_int_equal(parse_ok("9223372036854775", "KB", INT64_MAX),
                         UINT64_C(9223372036854775000));
        parse_fail("9223372036854776", "KB", INT64_MAX, -ERANGE);

        /* A small limit. */
        assert_int_equal(parse_ok("1000", NULL, 1000), 1000);
        assert_int_equal(parse_ok("1KB", NULL, 1000), 1000);
        parse_fail("1001", NULL, 1000, -ERANGE);
        parse_fail("1KiB", NULL, 1000, -ERANGE);
        assert_int_equal(parse_ok("0", "EiB", 1), 0);
}

static void check_format(uint64_t bytes, bool human, const char *expected) {
        char *s = NULL;

        assert_int_equal(storvirt__units_format(bytes, human, &s), 0);
        assert_non_null(s);
        if (strcmp(s, expected) != 0)
                fail_msg("format(%llu, %s) = '%s', expected '%s'", (unsigned long long)bytes,
                         human ? "human" : "exact", s, expected);
        free(s);
}

static void test_format_exact(void **state) {
        (void)state;
        check_format(0, false, "0");
        check_format(1, false, "1");
        check_format(1000, false, "1000");
        check_format(1023, false, "1023");
        check_format(1024, false, "1KiB");
        check_format(1536, false, "1536");
        check_format(4097, false, "4097");
        check_format(1536 * KIB, false, "1536KiB");
        check_format(1025 * KIB, false, "1025KiB");
        check_format(MIB, false, "1MiB");
        check_format(10 * GIB, false, "10GiB");
        check_format(3 * PIB, false, "3PiB");
        check_format(EIB, false, "1EiB");
        check_format(15 * EIB, false, "15EiB");
        check_format(UINT64_C(1) << 63, false, "8EiB");
        check_format(PIB + GIB, false, "1048577GiB");
        check_format(UINT64_MAX, false, "18446744073709551615");
        check_format(UINT64_MAX - 1023, false, "18014398509481983KiB");
}

static void test_format_human(void **state) {
        (void)state;
        check_format(0, true, "0 B");
        check_format(12, true, "12 B");
        check_format(1023, true, "1023 B");
        check_format(1024, true, "1.0 KiB");
        check_format(4096, true, "4.0 KiB");
        check_format(1536, true, "1.5 KiB");
        check_format(1279, true, "1.2 KiB");
        check_format(1280, true, "1.3 KiB");       /* 1.25: half rounds up */
        check_format(1048064, true, "1023.5 KiB");
        check_format(1048524, true, "1023.9 KiB");
        check_format(1048525, true, "1.0 MiB");    /* 1023.95 KiB carries */
        check_format(MIB - 1, true, "1.0 MiB");
        check_format(MIB, true, "1.0 MiB");
        check_format(GIB + GIB / 2, true, "1.5 GiB");
        check_format(10 * GIB, true, "10.0 GiB");
        check_format(PIB - 1, true, "1.0 PiB");
        check_format(EIB, true, "1.0 EiB");
        check_format(EIB - 1, true, "1.0 EiB");
        check_format(UINT64_MAX, true, "16.0 EiB");
        check_format(UINT64_C(1) << 63, true, "8.0 EiB");
}

static void test_public_api(void **state) {
        uint64_t v = SENTINEL;
        char *s = NULL;

        (void)state;
        assert_int_equal(storvirt_units_parse("10GiB", NULL, 0, &v, 0), 0);
        assert_int_equal(v, 10 * GIB);
        assert_int_equal(storvirt_units_parse("3", "KB", INT64_MAX, &v, 0), 0);
        assert_int_equal(v, 3000);
        v = SENTINEL;
        assert_int_equal(storvirt_units_parse("16EiB", NULL, 0, &v, 0), -ERANGE);
        assert_int_equal(storvirt_error_errno(), ERANGE);
        assert_int_equal(v, SENTINEL);

        assert_int_equal(storvirt_units_parse(NULL, NULL, 0, &v, 0), -EINVAL);
        assert_string_equal(storvirt_error_message(),
                            "storvirt_units_parse: invalid argument 'value': must not be NULL");
        assert_int_equal(storvirt_units_parse("1", NULL, 0, NULL, 0), -EINVAL);
        assert_msg_contains("'ret_bytes'");
        assert_int_equal(storvirt_units_parse("1", NULL, 0, &v, 1), -EINVAL);
        assert_string_equal(storvirt_error_message(),
                            "storvirt_units_parse: invalid argument 'flags': unknown flag bits 0x1");
        assert_int_equal(v, SENTINEL);

        assert_int_equal(storvirt_units_format(1536, &s, 0), 0);
        assert_string_equal(s, "1536");
        storvirt_free(s);
        assert_int_equal(storvirt_units_format(1536, &s, STORVIRT_UNITS_FORMAT_HUMAN), 0);
        assert_string_equal(s, "1.5 KiB");
        storvirt_free(s);
        assert_int_equal(storvirt_units_format(1, NULL, 0), -EINVAL);
        assert_string_equal(storvirt_error_message(),
                            "storvirt_units_format: invalid argument 'ret_str': must not be NULL");
        s = NULL;
        assert_int_equal(storvirt_units_format(1, &s, 1u << 5), -EINVAL);
        assert_msg_contains("'flags'");
        assert_msg_contains("0x20");
        assert_null(s);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_suffixes),
                cmocka_unit_test(test_unknown_suffix),
                cmocka_unit_test(test_malformed),
                cmocka_unit_test(test_overflow),
                cmocka_unit_test(test_format_exact),
                cmocka_unit_test(test_format_human),
                cmocka_unit_test(test_public_api),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
