/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-xml-canon.c - storvirt_pool_xml_canonicalize() and
 * storvirt_volume_xml_canonicalize(), the public checks of pool and
 * volume XML that need no context:
 *
 *   - every pool fixture (tests/data/xml/pool) comes back as the
 *     definition the formatter stores (its inactive form), and that
 *     output is a fixed point; every pool-bad fixture fails with the
 *     errno and message the parser gives;
 *   - every volume fixture comes back byte for byte as its .out.xml, for
 *     the pool type its name starts with, given as a type name and as
 *     the XML of a pool of that type; every vol-bad fixture fails as the
 *     parser fails;
 *   - pool types with no backend here (zfs, vstorage, sheepdog, rbd,
 *     gluster) are checked like any other;
 *   - a volume without a pool (pool NULL) is checked against libvirt's
 *     volume schema alone; a pool argument that is neither a known pool
 *     type nor valid pool XML is refused naming what is wrong;
 *   - arguments, flags, out-parameters left alone on failure.
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

#include <storvirt.h>
#include "conf/pool_conf.h"
#include "util/error.h"
#include "util/strv.h"
#include "util/uuid.h"

#ifndef STORVIRT_TEST_SRCDIR
#error "STORVIRT_TEST_SRCDIR must be defined"
#endif

#define DATA STORVIRT_TEST_SRCDIR "/data/xml"

/* ---- fixture files ----------------------------------------------------- */

static char *read_file(const char *path) {
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
        return data;
}

static bool has_suffix(const char *s, const char *suffix) {
        size_t n = strlen(s), m = strlen(suffix);

        return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Sorted input fixtures (*.xml but not *.out.xml) of DATA/sub. */
static char **list_fixtures(const char *sub) {
        char dir[512];
        DIR *d;
        struct dirent *de;
        char **names = NULL;

        snprintf(dir, sizeof(dir), "%s/%s", DATA, sub);
        d = opendir(dir);
        assert_non_null(d);
        while ((de = readdir(d)))
                if (has_suffix(de->d_name, ".xml") && !has_suffix(de->d_name, ".out.xml"))
                        assert_int_equal(storvirt__strv_extend(&names, de->d_name), 0);
        closedir(d);
        assert_true(storvirt__strv_length(names) > 0);
        return storvirt__strv_sort(names);
}

static char *fixture(const char *sub, const char *name, const char *suffix) {
        char path[512];

        snprintf(path, sizeof(path), "%s/%s/%.*s%s", DATA, sub,
                 (int)(suffix ? strlen(name) - 4 : strlen(name)), name, suffix ? suffix : "");
        return read_file(path);
}

/* The pool type of a fixture: its name up to the first '-' (iscsi-direct whole). */
static char *pool_type_of(const char *name) {
        size_t n = strncmp(name, "iscsi-direct-", 13) == 0 ? 12 : strcspn(name, "-");

        return strndup(name, n);
}

/* First line "<!-- ERRNO: message -->". */
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

static char *pool_canon(const char *xml) {
        char *out = NULL;
        int r = storvirt_pool_xml_canonicalize(xml, &out, 0);

        if (r < 0)
                fail_msg("pool_xml_canonicalize: %s\n%s", storvirt_error_message(), xml);
        assert_non_null(out);
        return out;
}

static char *vol_canon(const char *xml, const char *pool) {
        char *out = NULL;
        int r = storvirt_volume_xml_canonicalize(xml, pool, &out, 0);

        if (r < 0)
                fail_msg("volume_xml_canonicalize (pool %.60s): %s\n%s", pool ? pool : "(none)",
                         storvirt_error_message(), xml);
        assert_non_null(out);
        return out;
}

/* The stored form the formatter gives for the same document. */
static char *pool_inactive(const char *xml) {
        storvirt__pool_def *def = NULL;
        char *out = NULL;

        assert_int_equal(storvirt__pool_def_parse(xml, strlen(xml), &def), 0);
        assert_int_equal(storvirt__pool_def_format(def, true, &out), 0);
        storvirt__pool_def_free(def);
        return out;
}

/* ---- pools ------------------------------------------------------------- */

static void test_pool_fixtures(void **state) {
        char **names = list_fixtures("pool");

        (void)state;
        for (char **n = names; *n; n++) {
                char *in = fixture("pool", *n, NULL), *expected_out = fixture("pool", *n, ".out.xml");
                char *out, *again, *from_out, *want;

                assert_non_null(in);
                assert_non_null(expected_out);
                out = pool_canon(in);
                /* the stored definition: no runtime figures, no free extents */
                want = pool_inactive(in);
                if (strcmp(out, want) != 0)
                        fail_msg("%s: canonical form differs:\n%s\nexpected:\n%s", *n, out, want);
                assert_null(strstr(out, "<capacity"));
                assert_null(strstr(out, "<freeExtent"));
                /* a fixed point, and the same from the expected output */
                again = pool_canon(out);
                assert_string_equal(again, out);
                from_out = pool_canon(expected_out);
                assert_string_equal(from_out, out);
                storvirt_free(from_out);
                storvirt_free(again);
                free(want);
                storvirt_free(out);
                free(expected_out);
                free(in);
        }
        storvirt__strv_free(names);
}

static void test_pool_bad_fixtures(void **state) {
        char **names = list_fixtures("pool-bad");
        size_t count = 0;

        (void)state;
        for (char **n = names; *n; n++, count++) {
                char *xml = fixture("pool-bad", *n, NULL), *msg = NULL;
                char *out = (char *)0x1;
                int err = 0, r;

                assert_non_null(xml);
                expected_error(xml, &err, &msg);
                r = storvirt_pool_xml_canonicalize(xml, &out, 0);
                if (r != err || !strstr(storvirt_error_message(), msg))
                        fail_msg("%s: got %d '%s', expected %d '%s'", *n, r,
                                 storvirt_error_message(), err, msg);
                assert_int_equal(storvirt_error_errno(), -err);
                assert_ptr_equal(out, (char *)0x1);
                free(msg);
                free(xml);
        }
        assert_true(count >= 40);
        storvirt__strv_free(names);
}

/* The pool types without a backend here are checked like the others. */
static void test_pool_xml_only_types(void **state) {
        static const struct { const char *xml, *needle; } ok[] = {
                { "<pool type='zfs'><source><name>tank</name>"
                  "<device path='/dev/sdq'/></source></pool>",
                  "<target>\n    <path>/dev/zvol/tank</path>" },
                { "<pool type='vstorage'><source><name>cl1</name></source>"
                  "<target><path>/mnt/vstorage//cl1/</path></target></pool>",
                  "<path>/mnt/vstorage/cl1</path>" },
                { "<pool type='sheepdog'><source><name>sd</name><host name='sheep1' port='7000'/>"
                  "</source></pool>",
                  "<host name=\"sheep1\" port=\"7000\"/>" },
        };
        char *out = NULL;

        (void)state;
        for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
                out = pool_canon(ok[i].xml);
                if (!strstr(out, ok[i].needle))
                        fail_msg("%s lacks %s", out, ok[i].needle);
                storvirt_free(out);
        }
        assert_int_equal(storvirt_pool_xml_canonicalize(
                "<pool type='zfs'><source><name>a</name><name>b</name></source></pool>", &out, 0),
                -EINVAL);
        assert_string_equal(storvirt_error_message(),
                            "pool XML: <source>: element <name> appears more than once");
        assert_int_equal(storvirt_pool_xml_canonicalize(
                "<pool type='sheepdog'><source><name>sd</name></source></pool>", &out, 0),
                -EINVAL);
        assert_non_null(strstr(storvirt_error_message(), "missing element <host>"));
        assert_int_equal(storvirt_pool_xml_canonicalize(
                "<pool type='vstorage'><source><name>c</name></source>"
                "<target><path>rel</path></target></pool>", &out, 0), -EINVAL);
        assert_string_equal(storvirt_error_message(),
                            "pool XML: <target><path>: 'rel' is not an absolute path");
}

/* Without <uuid> the definition gets a random one, as a define would. */
static void test_pool_generated_uuid(void **state) {
        const char *xml = "<pool type='dir'><name>g</name><target><path>/g</path></target></pool>";
        char *a = pool_canon(xml), *b = pool_canon(xml), ua[64], ub[64];
        storvirt__uuid u;

        (void)state;
        assert_int_equal(sscanf(strstr(a, "<uuid>"), "<uuid>%36s", ua), 1);
        assert_int_equal(sscanf(strstr(b, "<uuid>"), "<uuid>%36s", ub), 1);
        assert_int_equal(storvirt__uuid_parse(ua, &u), 0);
        assert_int_equal(storvirt__uuid_version(&u), 4);
        assert_string_not_equal(ua, ub);
        storvirt_free(a);
        storvirt_free(b);
}

static void test_pool_arguments(void **state) {
        char *out = (char *)0x1;

        (void)state;
        assert_int_equal(storvirt_pool_xml_canonicalize(NULL, &out, 0), -EINVAL);
        assert_non_null(strstr(storvirt_error_message(), "xml"));
        assert_int_equal(storvirt_pool_xml_canonicalize("<pool/>", NULL, 0), -EINVAL);
        assert_int_equal(storvirt_pool_xml_canonicalize(
                "<pool type='dir'><name>f</name><target><path>/f</path></target></pool>", &out,
                1u << 5), -EINVAL);
        assert_non_null(strstr(storvirt_error_message(), "flags"));
        assert_int_equal(storvirt_pool_xml_canonicalize("", &out, 0), -EINVAL);
        assert_non_null(strstr(storvirt_error_message(), "pool XML: empty document"));
        assert_int_equal(storvirt_pool_xml_canonicalize("<pool type='dir'>", &out, 0), -EINVAL);
        assert_non_null(strstr(storvirt_error_message(), "pool XML"));
        assert_ptr_equal(out, (char *)0x1);
}

/* ---- volumes ----------------------------------------------------------- */

/* The first pool fixture of the given type, as XML. */
static char *pool_xml_of_type(const char *type) {
        char **names = list_fixtures("pool"), *xml = NULL;

        for (char **n = names; *n && !xml; n++) {
                char *t = pool_type_of(*n);

                if (strcmp(t, type) == 0)
                        xml = fixture("pool", *n, NULL);
                free(t);
        }
        storvirt__strv_free(names);
        assert_non_null(xml);
        return xml;
}

static void test_volume_fixtures(void **state) {
        char **names = list_fixtures("vol");

        (void)state;
        for (char **n = names; *n; n++) {
                char *in = fixture("vol", *n, NULL), *want = fixture("vol", *n, ".out.xml");
                char *type = pool_type_of(*n), *pool_xml = pool_xml_of_type(type);
                char *out, *out2, *again;

                assert_non_null(in);
                assert_non_null(want);
                out = vol_canon(in, type);
                if (strcmp(out, want) != 0)
                        fail_msg("%s: canonical form differs:\n%s\nexpected:\n%s", *n, out, want);
                /* the pool's XML in place of its type: the same */
                out2 = vol_canon(in, pool_xml);
                assert_string_equal(out2, want);
                again = vol_canon(out, type);
                assert_string_equal(again, out);
                storvirt_free(again);
                storvirt_free(out2);
                storvirt_free(out);
                free(pool_xml);
                free(type);
                free(want);
                free(in);
        }
        storvirt__strv_free(names);
}

static void test_volume_bad_fixtures(void **state) {
        char **names = list_fixtures("vol-bad");
        size_t count = 0;

        (void)state;
        for (char **n = names; *n; n++, count++) {
                char *xml = fixture("vol-bad", *n, NULL), *type = pool_type_of(*n), *msg = NULL;
                char *out = (char *)0x1;
                int err = 0, r;

                assert_non_null(xml);
                expected_error(xml, &err, &msg);
                r = storvirt_volume_xml_canonicalize(xml, type, &out, 0);
                if (r != err || !strstr(storvirt_error_message(), msg))
                        fail_msg("%s: got %d '%s', expected %d '%s'", *n, r,
                                 storvirt_error_message(), err, msg);
                assert_ptr_equal(out, (char *)0x1);
                free(msg);
                free(type);
                free(xml);
        }
        assert_true(count >= 30);
        storvirt__strv_free(names);
}

/* The pool type decides the formats and their default. */
static void test_volume_pool_types(void **state) {
        const char *qcow2 = "<volume><name>a</name><capacity unit='MiB'>1</capacity>"
                            "<target><format type='qcow2'/></target></volume>";
        const char *plain = "<volume><name>a</name><capacity unit='MiB'>1</capacity></volume>";
        char *out = (char *)0x1;

        (void)state;
        out = vol_canon(plain, "netfs");
        assert_non_null(strstr(out, "<format type=\"raw\"/>"));
        storvirt_free(out);
        out = vol_canon(plain, "disk");
        assert_non_null(strstr(out, "<format type=\"none\"/>"));
        storvirt_free(out);
        /* zfs volumes have no format: it is not written */
        out = vol_canon(qcow2, "zfs");
        assert_null(strstr(out, "<format"));
        storvirt_free(out);
        out = (char *)0x1;
        assert_int_equal(storvirt_volume_xml_canonicalize(qcow2, "disk", &out, 0), -EINVAL);
        assert_string_equal(storvirt_error_message(),
                            "volume XML: <target><format>: unknown format 'qcow2' for 'disk' pools");
        assert_int_equal(storvirt_volume_xml_canonicalize(qcow2, "rbd", &out, 0), -EINVAL);
        assert_ptr_equal(out, (char *)0x1);

        /* Without a pool: libvirt's volume schema decides; no default format. */
        out = vol_canon(plain, NULL);
        assert_null(strstr(out, "<format"));
        storvirt_free(out);
        out = vol_canon("<volume><name>b</name><capacity>1</capacity>"
                        "<target><format type='luks'/></target></volume>", NULL);
        assert_non_null(strstr(out, "<format type=\"luks\"/>"));
        storvirt_free(out);
        out = (char *)0x1;
        assert_int_equal(storvirt_volume_xml_canonicalize(
                "<volume><name>b</name><capacity>1</capacity>"
                "<target><format type='qcow3'/></target></volume>", NULL, &out, 0), -EINVAL);
        assert_string_equal(storvirt_error_message(),
                            "volume XML: <target><format>: unknown format 'qcow3'");
        assert_ptr_equal(out, (char *)0x1);
}

/* A pool argument that is neither a pool type nor good pool XML. */
static void test_volume_bad_pool(void **state) {
        const char *vol = "<volume><name>a</name><capacity>1</capacity></volume>";
        char *out = (char *)0x1;

        (void)state;
        assert_int_equal(storvirt_volume_xml_canonicalize(vol, "tape", &out, 0), -EINVAL);
        assert_string_equal(storvirt_error_message(), "volume XML: unknown pool type 'tape'");
        assert_int_equal(storvirt_volume_xml_canonicalize(vol, "", &out, 0), -EINVAL);
        assert_string_equal(storvirt_error_message(), "volume XML: unknown pool type ''");
        assert_int_equal(storvirt_volume_xml_canonicalize(
                vol, "  <pool type='dir'><name>d</name></pool>", &out, 0), -EINVAL);
        assert_string_equal(storvirt_error_message(),
                            "pool XML: <target>: missing element <path> (required for 'dir' pools)");
        assert_int_equal(storvirt_volume_xml_canonicalize(vol, "<pool", &out, 0), -EINVAL);
        assert_non_null(strstr(storvirt_error_message(), "pool XML"));
        assert_ptr_equal(out, (char *)0x1);
        /* a pool of a type without volume formats, as XML */
        out = vol_canon("<volume><name>lv1</name><capacity unit='G'>1</capacity>"
                        "<target><format type='qcow2'/></target></volume>",
                        "<pool type='logical'><source><name>vg0</name></source></pool>");
        assert_null(strstr(out, "<format"));
        storvirt_free(out);
}

static void test_volume_arguments(void **state) {
        char *out = (char *)0x1;

        (void)state;
        assert_int_equal(storvirt_volume_xml_canonicalize(NULL, "dir", &out, 0), -EINVAL);
        assert_int_equal(storvirt_volume_xml_canonicalize("<volume/>", "dir", NULL, 0), -EINVAL);
        assert_int_equal(storvirt_volume_xml_canonicalize(
                "<volume><name>a</name><capacity>1</capacity></volume>", "dir", &out, 2), -EINVAL);
        assert_non_null(strstr(storvirt_error_message(), "flags"));
        /* capacity may be left out only with a backing store, as on create */
        assert_int_equal(storvirt_volume_xml_canonicalize("<volume><name>a</name></volume>", "dir",
                                                          &out, 0), -EINVAL);
        assert_string_equal(storvirt_error_message(),
                            "volume XML: <volume>: missing element <capacity>");
        assert_ptr_equal(out, (char *)0x1);
        out = vol_canon("<volume><name>o.qcow2</name><target><format type='qcow2'/></target>"
                        "<backingStore><path>/srv/base.qcow2</path><format type='qcow2'/>"
                        "</backingStore></volume>", "dir");
        assert_non_null(strstr(out, "<backingStore>"));
        storvirt_free(out);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_pool_fixtures),
                cmocka_unit_test(test_pool_bad_fixtures),
                cmocka_unit_test(test_pool_xml_only_types),
                cmocka_unit_test(test_pool_generated_uuid),
                cmocka_unit_test(test_pool_arguments),
                cmocka_unit_test(test_volume_fixtures),
                cmocka_unit_test(test_volume_bad_fixtures),
                cmocka_unit_test(test_volume_pool_types),
                cmocka_unit_test(test_volume_bad_pool),
                cmocka_unit_test(test_volume_arguments),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
