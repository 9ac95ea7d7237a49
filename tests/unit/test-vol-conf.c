/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-vol-conf.c - volume XML: every fixture in tests/data/xml/vol is
 * parsed for the pool type its file name starts with ("dir-raw.xml" is
 * a volume of a dir pool), formatted and compared byte for byte with
 * its .out.xml, parsed again (same definition) and formatted again
 * (same text); every fixture in tests/data/xml/vol-bad fails with the
 * errno and message of its first-line comment.  Plus units, capacity
 * flags, formats per pool type, names and definitions built in memory.
 *
 * "test-vol-conf --write-dir DIR" only writes the formatted output of
 * every fixture into DIR (for tests/scripts/validate-xml.sh);
 * STORVIRT_TEST_REGENERATE=1 rewrites the .out.xml files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/vol_conf.h"
#include "util/error.h"
#include "util/strv.h"

#ifndef STORVIRT_TEST_SRCDIR
#error "STORVIRT_TEST_SRCDIR must be defined"
#endif

#define GOOD_DIR STORVIRT_TEST_SRCDIR "/data/xml/vol"
#define BAD_DIR STORVIRT_TEST_SRCDIR "/data/xml/vol-bad"
#define FLAGS STORVIRT__VOL_PARSE_OPT_CAPACITY

/* ---- fixture files ----------------------------------------------------- */

static char *read_file(const char *path, size_t *ret_len) {
        FILE *f = fopen(path, "rb");
        char *data = NULL;
        size_t len = 0, cap = 0, n;

        if (!f)
                return NULL;
        do {
                if (len + 4096 + 1 > cap) {
                        cap = (len + 4096 + 1) * 2;
                        data = realloc(data, cap);
                        assert_non_null(data);
                }
                n = fread(data + len, 1, cap - len - 1, f);
                len += n;
        } while (n > 0);
        fclose(f);
        data[len] = '\0';
        if (ret_len)
                *ret_len = len;
        return data;
}

static void write_file(const char *path, const char *text) {
        FILE *f = fopen(path, "w");

        assert_non_null(f);
        assert_int_equal(fputs(text, f) >= 0, 1);
        assert_int_equal(fclose(f), 0);
}

static bool has_suffix(const char *s, const char *suffix) {
        size_t n = strlen(s), m = strlen(suffix);

        return n >= m && strcmp(s + n - m, suffix) == 0;
}

static char **list_fixtures(const char *dir) {
        DIR *d = opendir(dir);
        struct dirent *de;
        char **names = NULL;

        assert_non_null(d);
        while ((de = readdir(d)))
                if (has_suffix(de->d_name, ".xml") && !has_suffix(de->d_name, ".out.xml"))
                        assert_int_equal(storvirt__strv_extend(&names, de->d_name), 0);
        closedir(d);
        assert_true(storvirt__strv_length(names) > 0);
        return storvirt__strv_sort(names);
}

static char *path_join(const char *dir, const char *name, const char *suffix) {
        char *p;

        assert_true(asprintf(&p, "%s/%s%s", dir, name, suffix) > 0);
        return p;
}

static char *stem(const char *name) {
        return strndup(name, strlen(name) - 4);
}

/* The pool type a fixture's volume lives in: its name up to the first '-'
 * ("iscsi-direct-" whole). */
static char *pool_type_of(const char *name) {
        const char *dash = strchr(name, '-');

        if (strncmp(name, "iscsi-direct-", 13) == 0)
                return strndup(name, 12);
        assert_non_null(dash);
        return strndup(name, (size_t)(dash - name));
}

static storvirt__vol_def *parse_string(const char *xml, const char *pool_type, uint32_t flags) {
        storvirt__vol_def *def = NULL;
        int r = storvirt__vol_def_parse(xml, strlen(xml), pool_type, flags, &def);

        if (r < 0)
                print_error("%s\n%s\n", storvirt__error_msg(), xml);
        assert_int_equal(r, 0);
        return def;
}

static char *format_def(const storvirt__vol_def *def, const char *pool_type) {
        char *out = NULL;
        int r = storvirt__vol_def_format(def, pool_type, &out);

        if (r < 0)
                print_error("format: %s\n", storvirt__error_msg());
        assert_int_equal(r, 0);
        return out;
}

/* ---- good fixtures ----------------------------------------------------- */

static void check_fixture(const char *name) {
        char *path = path_join(GOOD_DIR, name, ""), *base = stem(name);
        char *out_path = path_join(GOOD_DIR, base, ".out.xml"), *type = pool_type_of(name);
        char *xml = read_file(path, NULL), *out, *out2, *expected;
        const char *regen = getenv("STORVIRT_TEST_REGENERATE");
        storvirt__vol_def *def, *again;

        assert_non_null(xml);
        def = parse_string(xml, type, FLAGS);
        out = format_def(def, type);
        if (regen && strcmp(regen, "1") == 0)
                write_file(out_path, out);
        expected = read_file(out_path, NULL);
        if (!expected || strcmp(expected, out) != 0)
                print_error("%s: output differs from %s:\n%s", name, out_path, out);
        assert_non_null(expected);
        assert_string_equal(out, expected);

        again = parse_string(out, type, FLAGS);
        if (!storvirt__vol_def_equal(def, again))
                print_error("%s: parsing the output gives another definition\n", name);
        assert_true(storvirt__vol_def_equal(def, again));
        out2 = format_def(again, type);
        assert_string_equal(out, out2);

        free(out2);
        storvirt__vol_def_free(again);
        free(expected);
        free(out);
        storvirt__vol_def_free(def);
        free(xml);
        free(type);
        free(out_path);
        free(base);
        free(path);
}

static void test_fixtures(void **state) {
        char **names = list_fixtures(GOOD_DIR);

        assert_true(storvirt__strv_length(names) >= 15);
        for (char **n = names; *n; n++)
                check_fixture(*n);
        storvirt__strv_free(names);
}

/* ---- bad fixtures ------------------------------------------------------ */

static void expected_error(const char *xml, int *ret_err, char **ret_msg) {
        const char *p, *end;

        assert_int_equal(strncmp(xml, "<!-- ", 5), 0);
        p = xml + 5;
        if (strncmp(p, "EINVAL: ", 8) == 0)
                *ret_err = -EINVAL, p += 8;
        else if (strncmp(p, "ERANGE: ", 8) == 0)
                *ret_err = -ERANGE, p += 8;
        else
                fail_msg("unknown errno in: %.40s", xml);
        end = strstr(p, " -->");
        assert_non_null(end);
        *ret_msg = strndup(p, (size_t)(end - p));
}

static void test_bad_fixtures(void **state) {
        char **names = list_fixtures(BAD_DIR);
        size_t count = 0;

        for (char **n = names; *n; n++, count++) {
                char *path = path_join(BAD_DIR, *n, ""), *type = pool_type_of(*n), *msg = NULL;
                storvirt__vol_def *def = (storvirt__vol_def *) 0x1;
                size_t len;
                char *xml = read_file(path, &len);
                int err = 0, r;

                assert_non_null(xml);
                expected_error(xml, &err, &msg);
                r = storvirt__vol_def_parse(xml, len, type, FLAGS, &def);
                if (r != err || !strstr(storvirt__error_msg(), msg))
                        print_error("%s: got %d '%s', expected %d '%s'\n", *n, r,
                                    storvirt__error_msg(), err, msg);
                assert_int_equal(r, err);
                assert_non_null(strstr(storvirt__error_msg(), msg));
                assert_ptr_equal(def, (storvirt__vol_def *) 0x1);
                free(msg);
                free(xml);
                free(type);
                free(path);
        }
        assert_true(count >= 30);
        storvirt__strv_free(names);
}

/* ---- focused cases ----------------------------------------------------- */

static void assert_parse_fails(const char *xml, const char *pool_type, uint32_t flags, int err,
                               const char *msg) {
        storvirt__vol_def *def = NULL;
        int r = storvirt__vol_def_parse(xml, strlen(xml), pool_type, flags, &def);

        if (r != err || !strstr(storvirt__error_msg(), msg))
                print_error("got %d '%s', expected %d '%s'\n", r, storvirt__error_msg(), err, msg);
        assert_int_equal(r, err);
        assert_non_null(strstr(storvirt__error_msg(), msg));
        assert_null(def);
}

#define VOL(sizes) "<volume><name>v</name>" sizes "</volume>"

static void test_units(void **state) {
        static const struct {
                const char *xml;
                uint64_t bytes;
        } ok[] = {
                { VOL("<capacity unit='EiB'>7</capacity>"), 7ull << 60 },
                { VOL("<capacity unit='e'>7</capacity>"), 7ull << 60 },
                { VOL("<capacity unit='EB'>9</capacity>"), 9000000000000000000ull },
                { VOL("<capacity unit='k'>3</capacity>"), 3072 },
                { VOL("<capacity unit='KB'>3</capacity>"), 3000 },
                { VOL("<capacity unit='kib'>3</capacity>"), 3072 },
                { VOL("<capacity unit='B'>3</capacity>"), 3 },
                { VOL("<capacity unit='byte'>3</capacity>"), 3 },
                { VOL("<capacity unit=''>3</capacity>"), 3 },
                { VOL("<capacity> 42\n</capacity>"), 42 },
                { VOL("<capacity>9223372036854775807</capacity>"), 9223372036854775807ull },
                { VOL("<capacity unit='MiB'>8796093022207</capacity>"), 8796093022207ull << 20 },
        };

        for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
                storvirt__vol_def *def = parse_string(ok[i].xml, "dir", 0);

                assert_int_equal(def->capacity, ok[i].bytes);
                assert_true(def->has_capacity);
                /* No <allocation>: fully allocated. */
                assert_false(def->has_allocation);
                assert_int_equal(def->allocation, ok[i].bytes);
                storvirt__vol_def_free(def);
        }
        assert_parse_fails(VOL("<capacity unit='EiB'>16</capacity>"), "dir", 0, -ERANGE,
                           "volume XML: <capacity>: value too large: '16 EiB'");
        assert_parse_fails(VOL("<capacity unit='EiB'>8</capacity>"), "dir", 0, -ERANGE,
                           "volume XML: <capacity>: value too large: '8 EiB'");
        assert_parse_fails(VOL("<capacity unit='MiB'>8796093022208</capacity>"), "dir", 0,
                           -ERANGE, "volume XML: <capacity>: value too large");
        assert_parse_fails(VOL("<capacity>1</capacity><allocation unit='EB'>10</allocation>"),
                           "dir", 0, -ERANGE, "volume XML: <allocation>: value too large");
        assert_parse_fails(VOL("<capacity unit='ZiB'>1</capacity>"), "dir", 0, -EINVAL,
                           "volume XML: <capacity>: unknown suffix 'ZiB'");
        assert_parse_fails(VOL("<capacity>1 GiB</capacity>"), "dir", 0, -EINVAL,
                           "volume XML: <capacity>: '1 GiB' is not a base-10 unsigned integer");
        assert_parse_fails(VOL("<capacity>0x10</capacity>"), "dir", 0, -EINVAL,
                           "'0x10' is not a base-10 unsigned integer");
        /* clusterSize may go up to 2^64 - 1. */
        {
                storvirt__vol_def *def = parse_string(
                        VOL("<capacity>1</capacity><target>"
                            "<clusterSize unit='EiB'>15</clusterSize></target>"), "dir", 0);
                char *out;

                assert_int_equal(def->target.cluster_size, 15ull << 60);
                out = format_def(def, "dir");
                assert_non_null(strstr(out, "<clusterSize unit=\"B\">17293822569102704640"
                                            "</clusterSize>"));
                free(out);
                storvirt__vol_def_free(def);
        }
}

static void test_capacity_flags(void **state) {
        const char *backed = "<volume><name>v</name><backingStore><path>/b</path>"
                             "</backingStore></volume>";
        const char *bare = "<volume><name>v</name></volume>";
        storvirt__vol_def *def;
        char *out;

        assert_parse_fails(backed, "dir", 0, -EINVAL,
                           "volume XML: <volume>: missing element <capacity>");
        assert_parse_fails(bare, "dir", STORVIRT__VOL_PARSE_OPT_CAPACITY, -EINVAL,
                           "volume XML: <volume>: missing element <capacity>");
        def = parse_string(backed, "dir", STORVIRT__VOL_PARSE_OPT_CAPACITY);
        assert_false(def->has_capacity);
        assert_string_equal(def->backing.format, "raw");
        out = format_def(def, "dir");
        assert_null(strstr(out, "<capacity"));
        assert_null(strstr(out, "<allocation"));
        free(out);
        storvirt__vol_def_free(def);
        def = parse_string(bare, "dir", STORVIRT__VOL_PARSE_NO_CAPACITY);
        assert_false(def->has_capacity);
        storvirt__vol_def_free(def);
        assert_parse_fails(bare, "dir", 1u << 7, -EINVAL, "unknown flag bits 0x80");
        assert_parse_fails(bare, "tape", STORVIRT__VOL_PARSE_NO_CAPACITY, -EINVAL,
                           "volume XML: unknown pool type 'tape'");
}

static void test_formats(void **state) {
        const char *xml = VOL("<capacity>1</capacity><target><format type='qcow2'/></target>");
        storvirt__vol_def *def;
        char *out;

        /* Pool types without volume formats ignore <format>, like libvirt. */
        def = parse_string(xml, "logical", 0);
        assert_null(def->target.format);
        out = format_def(def, "logical");
        assert_null(strstr(out, "<format"));
        free(out);
        storvirt__vol_def_free(def);
        /* Without a pool type any schema value is kept, none filled in. */
        def = parse_string(VOL("<capacity>1</capacity><target><format type='linux-swap'/>"
                               "</target>"), NULL, 0);
        assert_string_equal(def->target.format, "linux-swap");
        storvirt__vol_def_free(def);
        def = parse_string(VOL("<capacity>1</capacity>"), NULL, 0);
        assert_null(def->target.format);
        storvirt__vol_def_free(def);
        def = parse_string(VOL("<capacity>1</capacity>"), "disk", 0);
        assert_string_equal(def->target.format, "none");
        storvirt__vol_def_free(def);
        assert_parse_fails(xml, "disk", 0, -EINVAL, "unknown format 'qcow2' for 'disk' pools");

        assert_string_equal(storvirt__vol_default_format("netfs"), "raw");
        assert_string_equal(storvirt__vol_default_format("disk"), "none");
        assert_null(storvirt__vol_default_format("zfs"));
        assert_null(storvirt__vol_formats("iscsi"));
        assert_null(storvirt__vol_formats(NULL));
        assert_true(storvirt__vol_format_is_valid("gluster", "vmdk"));
        assert_true(storvirt__vol_format_is_valid("vstorage", "ploop"));
        assert_false(storvirt__vol_format_is_valid("rbd", "qcow2"));
        assert_false(storvirt__vol_format_is_valid("dir", "none"));
        assert_false(storvirt__vol_format_is_valid("dir", "luks"));
        assert_true(storvirt__vol_format_is_valid("disk", "linux-raid"));
        assert_true(storvirt__vol_format_has_backing("qed"));
        assert_false(storvirt__vol_format_has_backing("raw"));
        assert_string_equal(storvirt__vol_type_to_string(STORVIRT__VOL_TYPE_NETDIR), "netdir");
        assert_null(storvirt__vol_type_to_string(6));
        assert_null(storvirt__vol_type_to_string(-1));
        assert_int_equal(storvirt__vol_type_from_string("ploop"), STORVIRT__VOL_TYPE_PLOOP);
        assert_int_equal(storvirt__vol_type_from_string("File"), -EINVAL);
}

static void test_names(void **state) {
        char name[257];

        assert_int_equal(storvirt__vol_name_validate("disk.img"), 0);
        assert_int_equal(storvirt__vol_name_validate("..."), 0);
        assert_int_equal(storvirt__vol_name_validate(".hidden"), 0);
        assert_int_equal(storvirt__vol_name_validate("unit:0:0:1"), 0);
        assert_int_equal(storvirt__vol_name_validate(""), -EINVAL);
        assert_int_equal(storvirt__vol_name_validate(NULL), -EINVAL);
        assert_int_equal(storvirt__vol_name_validate("."), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "volume XML: <name>: volume name '.' is not allowed");
        assert_int_equal(storvirt__vol_name_validate("a/b"), -EINVAL);
        assert_int_equal(storvirt__vol_name_validate("a\nb"), -EINVAL);
        assert_string_equal(storvirt__error_msg(),
                            "volume XML: <name>: volume name 'a\\x0ab' contains a control character");
        for (const char *const *bad = (const char *const[]){ "a\tb", "a\rb", "\x01", "a\x7f",
                                                             NULL }; *bad; bad++) {
                assert_int_equal(storvirt__vol_name_validate(*bad), -EINVAL);
                assert_non_null(strstr(storvirt__error_msg(), "contains a control character"));
        }
        assert_parse_fails("<volume><name>a&#10;b</name><capacity>1</capacity></volume>", "dir", 0,
                           -EINVAL, "volume XML: <name>: volume name 'a\\x0ab' contains a "
                           "control character");
        memset(name, 'x', 255);
        name[255] = '\0';
        assert_int_equal(storvirt__vol_name_validate(name), 0);
        name[255] = 'x';
        name[256] = '\0';
        assert_int_equal(storvirt__vol_name_validate(name), -EINVAL);
        assert_parse_fails("<volume><name>  </name><capacity>1</capacity></volume>", "dir", 0,
                           -EINVAL, "volume XML: <volume>: missing element <name>");
}

static void test_features_compat(void **state) {
        storvirt__vol_def *def;
        char *out;

        def = parse_string(VOL("<capacity>1</capacity><target><format type='qcow2'/>"
                               "<features><extended_l2/></features></target>"), "dir", 0);
        assert_string_equal(def->target.compat, "1.1");
        assert_true(def->target.extended_l2);
        assert_false(def->target.lazy_refcounts);
        storvirt__vol_def_free(def);
        def = parse_string(VOL("<capacity>1</capacity><target><compat>2.0</compat>"
                               "<features><lazy_refcounts/></features></target>"), "dir", 0);
        assert_string_equal(def->target.compat, "2.0");
        storvirt__vol_def_free(def);
        assert_parse_fails(VOL("<capacity>1</capacity><target><compat>1.0</compat>"
                               "<features><extended_l2/></features></target>"), "dir", 0, -EINVAL,
                           "extended_l2 needs <compat> 1.1 or later, not '1.0'");
        assert_parse_fails(VOL("<capacity>1</capacity><target><compat>1</compat></target>"),
                           "dir", 0, -EINVAL, "<target><compat>: '1' is not a version (N.N)");
        assert_parse_fails(VOL("<capacity>1</capacity><target><compat>a.b</compat></target>"),
                           "dir", 0, -EINVAL, "'a.b' is not a version");

        /* Timestamps keep nanoseconds; a fraction is padded to 9 digits. */
        def = parse_string(VOL("<capacity>1</capacity><target><timestamps>"
                               "<atime>5.25</atime><ctime>7.</ctime></timestamps></target>"),
                           "dir", 0);
        assert_true(def->target.timestamps.atime.set);
        assert_int_equal(def->target.timestamps.atime.sec, 5);
        assert_int_equal(def->target.timestamps.atime.nsec, 250000000);
        assert_false(def->target.timestamps.mtime.set);
        out = format_def(def, "dir");
        assert_non_null(strstr(out, "<atime>5.250000000</atime>"));
        assert_non_null(strstr(out, "<ctime>7</ctime>"));
        free(out);
        storvirt__vol_def_free(def);
}

static void test_new_and_format(void **state) {
        static const char expected[] =
                "<volume type=\"block\">\n"
                "  <name>lv1</name>\n"
                "  <capacity unit=\"bytes\">1048576</capacity>\n"
                "  <allocation unit=\"bytes\">4096</allocation>\n"
                "  <target>\n"
                "    <path>/dev/vg/lv1</path>\n"
                "    <permissions>\n"
                "      <mode>0000</mode>\n"
                "      <owner>4294967294</owner>\n"
                "    </permissions>\n"
                "  </target>\n"
                "</volume>\n";
        storvirt__vol_def *def = NULL, *again;
        char *out = NULL;

        assert_int_equal(storvirt__vol_def_new("..", 1, &def), -EINVAL);
        assert_null(def);
        assert_int_equal(storvirt__vol_def_new("lv1", 1048576, &def), 0);
        def->type = STORVIRT__VOL_TYPE_BLOCK;
        def->allocation = 4096;
        def->has_allocation = true;
        def->target.path = strdup("/dev/vg/lv1");
        def->target.mode = 0;
        def->target.owner = 4294967294ll;
        out = format_def(def, "logical");
        assert_string_equal(out, expected);
        again = parse_string(out, "logical", 0);
        assert_true(storvirt__vol_def_equal(def, again));
        free(out);
        storvirt__vol_def_free(again);

        /* The formatter refuses what the parser would. */
        def->target.mode = 01000;
        assert_int_equal(storvirt__vol_def_format(def, "logical", &out), -EINVAL);
        assert_string_equal(storvirt__error_msg(),
                            "volume XML: <target><permissions><mode>: 512 is outside 0..0777");
        def->target.mode = -1;
        def->capacity = (uint64_t) INT64_MAX + 1;
        assert_int_equal(storvirt__vol_def_format(def, "logical", &out), -ERANGE);
        def->capacity = 1;
        def->target.encryption.cipher_name = strdup("aes");
        assert_int_equal(storvirt__vol_def_format(def, "logical", &out), -EINVAL);
        assert_non_null(strstr(storvirt__error_msg(), "missing attribute 'format'"));
        free(def->target.encryption.cipher_name);
        def->target.encryption.cipher_name = NULL;
        def->type = 9;
        assert_int_equal(storvirt__vol_def_format(def, "logical", &out), -EINVAL);
        def->type = STORVIRT__VOL_TYPE_FILE;
        def->backing.format = strdup("raw");
        assert_int_equal(storvirt__vol_def_format(def, "dir", &out), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "volume XML: <backingStore>: missing element <path>");
        storvirt__vol_def_free(def);
        storvirt__vol_def_free(NULL);
}

static void test_equal(void **state) {
        const char *xml = "<volume><name>v</name><capacity>1</capacity><target>"
                          "<encryption format='luks'><secret type='passphrase' usage='u'/>"
                          "</encryption></target></volume>";
        storvirt__vol_def *a = parse_string(xml, "dir", 0), *b = parse_string(xml, "dir", 0);

        assert_true(storvirt__vol_def_equal(a, b));
        b->target.encryption.secrets[0].usage[0] = 'x';
        assert_false(storvirt__vol_def_equal(a, b));
        b->target.encryption.secrets[0].usage[0] = 'u';
        b->has_allocation = true;
        assert_false(storvirt__vol_def_equal(a, b));
        assert_false(storvirt__vol_def_equal(NULL, b));
        storvirt__vol_def_free(a);
        storvirt__vol_def_free(b);
}

/* ---- output for the schema check --------------------------------------- */

static int write_outputs(const char *outdir) {
        char **names = list_fixtures(GOOD_DIR);

        for (char **n = names; *n; n++) {
                char *in = path_join(GOOD_DIR, *n, ""), *type = pool_type_of(*n);
                char *xml = read_file(in, NULL), *out, *path;
                storvirt__vol_def *def;

                assert_non_null(xml);
                def = parse_string(xml, type, FLAGS);
                out = format_def(def, type);
                path = path_join(outdir, *n, "");
                write_file(path, out);
                free(path);
                free(out);
                storvirt__vol_def_free(def);
                free(xml);
                free(type);
                free(in);
        }
        storvirt__strv_free(names);
        return 0;
}

int main(int argc, char **argv) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_fixtures),
                cmocka_unit_test(test_bad_fixtures),
                cmocka_unit_test(test_units),
                cmocka_unit_test(test_capacity_flags),
                cmocka_unit_test(test_formats),
                cmocka_unit_test(test_names),
                cmocka_unit_test(test_features_compat),
                cmocka_unit_test(test_new_and_format),
                cmocka_unit_test(test_equal),
        };

        if (argc == 3 && strcmp(argv[1], "--write-dir") == 0)
                return write_outputs(argv[2]);
        return cmocka_run_group_tests(tests, NULL, NULL);
}
