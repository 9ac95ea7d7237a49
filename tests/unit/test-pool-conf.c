/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-pool-conf.c - pool XML: every fixture in tests/data/xml/pool is
 * parsed, formatted and compared byte for byte with its .out.xml, then
 * parsed again (same definition) and formatted again (same text); every
 * fixture in tests/data/xml/pool-bad fails with the errno and message
 * its first-line comment names.  Plus units, generated UUIDs, active
 * and inactive output, definitions built in memory and the helpers.
 *
 * Run as "test-pool-conf --write-dir DIR" it only writes the formatted
 * output of every fixture (active and inactive) into DIR, for
 * tests/scripts/validate-xml.sh.  STORVIRT_TEST_REGENERATE=1 rewrites
 * the .out.xml files instead of comparing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/pool_conf.h"
#include "util/error.h"
#include "util/strv.h"

#ifndef STORVIRT_TEST_SRCDIR
#error "STORVIRT_TEST_SRCDIR must be defined"
#endif

#define GOOD_DIR STORVIRT_TEST_SRCDIR "/data/xml/pool"
#define BAD_DIR STORVIRT_TEST_SRCDIR "/data/xml/pool-bad"

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

/* Sorted names of the input fixtures (*.xml but not *.out.xml) in dir. */
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

/* name without ".xml". */
static char *stem(const char *name) {
        return strndup(name, strlen(name) - 4);
}

static storvirt__pool_def *parse_file(const char *path) {
        storvirt__pool_def *def = NULL;
        size_t len;
        char *xml = read_file(path, &len);
        int r;

        assert_non_null(xml);
        r = storvirt__pool_def_parse(xml, len, &def);
        if (r < 0)
                print_error("%s: %s\n", path, storvirt__error_msg());
        assert_int_equal(r, 0);
        free(xml);
        return def;
}

static char *format_def(const storvirt__pool_def *def, bool inactive) {
        char *out = NULL;
        int r = storvirt__pool_def_format(def, inactive, &out);

        if (r < 0)
                print_error("format: %s\n", storvirt__error_msg());
        assert_int_equal(r, 0);
        return out;
}

static storvirt__pool_def *parse_string(const char *xml) {
        storvirt__pool_def *def = NULL;
        int r = storvirt__pool_def_parse(xml, strlen(xml), &def);

        if (r < 0)
                print_error("%s\n%s\n", storvirt__error_msg(), xml);
        assert_int_equal(r, 0);
        return def;
}

/* ---- good fixtures ----------------------------------------------------- */

static void check_fixture(const char *name) {
        char *path = path_join(GOOD_DIR, name, ""), *base = stem(name);
        char *out_path = path_join(GOOD_DIR, base, ".out.xml");
        storvirt__pool_def *def = parse_file(path), *again, *inactive_def;
        char *out = format_def(def, false), *out2, *inactive, *inactive2, *expected;
        const char *regen = getenv("STORVIRT_TEST_REGENERATE");

        if (regen && strcmp(regen, "1") == 0)
                write_file(out_path, out);
        expected = read_file(out_path, NULL);
        if (!expected || strcmp(expected, out) != 0)
                print_error("%s: output differs from %s:\n%s", name, out_path, out);
        assert_non_null(expected);
        assert_string_equal(out, expected);

        /* parse(format(parse(x))) == parse(x); format is a fixed point. */
        again = parse_string(out);
        if (!storvirt__pool_def_equal(def, again))
                print_error("%s: parsing the output gives another definition\n", name);
        assert_true(storvirt__pool_def_equal(def, again));
        out2 = format_def(again, false);
        assert_string_equal(out, out2);

        /* Inactive output: no sizes, no free extents; stable too. */
        inactive = format_def(def, true);
        assert_null(strstr(inactive, "<capacity"));
        assert_null(strstr(inactive, "<available"));
        assert_null(strstr(inactive, "<freeExtent"));
        inactive_def = parse_string(inactive);
        assert_memory_equal(&inactive_def->uuid, &def->uuid, sizeof(def->uuid));
        inactive2 = format_def(inactive_def, true);
        assert_string_equal(inactive, inactive2);

        free(inactive2);
        free(inactive);
        storvirt__pool_def_free(inactive_def);
        free(out2);
        storvirt__pool_def_free(again);
        free(expected);
        free(out);
        storvirt__pool_def_free(def);
        free(out_path);
        free(base);
        free(path);
}

static void test_fixtures(void **state) {
        char **names = list_fixtures(GOOD_DIR);
        const char *const *types = storvirt__pool_types();
        bool seen[32] = { false };

        for (char **n = names; *n; n++) {
                check_fixture(*n);
                for (size_t i = 0; types[i]; i++) {
                        size_t l = strlen(types[i]);

                        if (strncmp(*n, types[i], l) == 0 && (*n)[l] == '-' &&
                            strncmp(*n + l + 1, "direct", 6) != 0)
                                seen[i] = true;
                }
        }
        /* Every pool type has at least one fixture. */
        for (size_t i = 0; types[i]; i++) {
                if (!seen[i])
                        print_error("no fixture for pool type '%s'\n", types[i]);
                assert_true(seen[i]);
        }
        storvirt__strv_free(names);
}

/* ---- bad fixtures ------------------------------------------------------ */

/* First line: "<!-- ERRNO: message substring -->". */
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
                char *path = path_join(BAD_DIR, *n, ""), *msg = NULL;
                storvirt__pool_def *def = (storvirt__pool_def *) 0x1;
                size_t len;
                char *xml = read_file(path, &len);
                int err = 0, r;

                assert_non_null(xml);
                expected_error(xml, &err, &msg);
                r = storvirt__pool_def_parse(xml, len, &def);
                if (r != err || !strstr(storvirt__error_msg(), msg))
                        print_error("%s: got %d '%s', expected %d '%s'\n", *n, r,
                                    storvirt__error_msg(), err, msg);
                assert_int_equal(r, err);
                assert_non_null(strstr(storvirt__error_msg(), msg));
                assert_ptr_equal(def, (storvirt__pool_def *) 0x1);
                free(msg);
                free(xml);
                free(path);
        }
        assert_true(count >= 40);
        storvirt__strv_free(names);
}

/* ---- focused cases ----------------------------------------------------- */

static void assert_parse_fails(const char *xml, int err, const char *msg) {
        storvirt__pool_def *def = NULL;
        int r = storvirt__pool_def_parse(xml, strlen(xml), &def);

        if (r != err || !strstr(storvirt__error_msg(), msg))
                print_error("got %d '%s', expected %d '%s'\n", r, storvirt__error_msg(), err, msg);
        assert_int_equal(r, err);
        assert_non_null(strstr(storvirt__error_msg(), msg));
        assert_null(def);
}

#define DIR_POOL(sizes) \
        "<pool type='dir'><name>p</name>" sizes "<target><path>/p</path></target></pool>"

static void test_units(void **state) {
        storvirt__pool_def *def;

        /* Sizes on input are checked with libvirt's unit rules, then ignored. */
        def = parse_string(DIR_POOL("<capacity unit='EiB'>7</capacity>"
                                    "<allocation unit='k'>1</allocation>"
                                    "<available unit='KB'>1</available>"));
        assert_int_equal(def->capacity, 0);
        assert_int_equal(def->allocation, 0);
        storvirt__pool_def_free(def);
        def = parse_string(DIR_POOL("<capacity unit='bytes'>9223372036854775807</capacity>"));
        storvirt__pool_def_free(def);

        assert_parse_fails(DIR_POOL("<capacity unit='EiB'>16</capacity>"), -ERANGE,
                           "pool XML: <capacity>: value too large: '16 EiB'");
        assert_parse_fails(DIR_POOL("<capacity unit='EiB'>8</capacity>"), -ERANGE,
                           "pool XML: <capacity>:");
        assert_parse_fails(DIR_POOL("<capacity>9223372036854775808</capacity>"), -ERANGE,
                           "pool XML: <capacity>: value too large");
        assert_parse_fails(DIR_POOL("<allocation>18446744073709551616</allocation>"), -ERANGE,
                           "pool XML: <allocation>: value too large");
        assert_parse_fails(DIR_POOL("<capacity unit='KiBB'>1</capacity>"), -EINVAL,
                           "pool XML: <capacity>: unknown suffix 'KiBB'");
        assert_parse_fails(DIR_POOL("<capacity>10G</capacity>"), -EINVAL,
                           "pool XML: <capacity>: '10G' is not a base-10 unsigned integer");
        assert_parse_fails(DIR_POOL("<capacity>+1</capacity>"), -EINVAL,
                           "'+1' is not a base-10 unsigned integer");
        assert_parse_fails(DIR_POOL("<capacity/>"), -EINVAL, "pool XML: <capacity>: missing value");
}

static void test_generated_uuid(void **state) {
        const char *xml = "<pool type='dir'><name>p</name><target><path>/p</path></target></pool>";
        storvirt__pool_def *a = parse_string(xml), *b = parse_string(xml), *c;
        char *out;

        assert_false(storvirt__uuid_is_null(&a->uuid));
        assert_int_equal(storvirt__uuid_version(&a->uuid), 4);
        assert_false(storvirt__uuid_equal(&a->uuid, &b->uuid));
        /* The generated UUID is written out and kept on the next parse. */
        out = format_def(a, true);
        c = parse_string(out);
        assert_true(storvirt__uuid_equal(&a->uuid, &c->uuid));
        assert_true(storvirt__pool_def_equal(a, c));
        free(out);
        storvirt__pool_def_free(a);
        storvirt__pool_def_free(b);
        storvirt__pool_def_free(c);
}

static void test_active_inactive(void **state) {
        static const char active_expected[] =
                "<pool type=\"disk\">\n"
                "  <name>sdz</name>\n"
                "  <uuid>177982f6-3d08-4e3c-bc36-4ae60d677ce7</uuid>\n"
                "  <capacity unit=\"bytes\">1000204886016</capacity>\n"
                "  <allocation unit=\"bytes\">536870912</allocation>\n"
                "  <available unit=\"bytes\">999667982336</available>\n"
                "  <source>\n"
                "    <device path=\"/dev/sdz\">\n"
                "      <freeExtent start=\"536903680\" end=\"1000204869632\"/>\n"
                "    </device>\n"
                "    <format type=\"gpt\"/>\n"
                "  </source>\n"
                "  <target>\n"
                "    <path>/dev</path>\n"
                "  </target>\n"
                "</pool>\n";
        static const char inactive_expected[] =
                "<pool type=\"disk\">\n"
                "  <name>sdz</name>\n"
                "  <uuid>177982f6-3d08-4e3c-bc36-4ae60d677ce7</uuid>\n"
                "  <source>\n"
                "    <device path=\"/dev/sdz\"/>\n"
                "    <format type=\"gpt\"/>\n"
                "  </source>\n"
                "  <target>\n"
                "    <path>/dev</path>\n"
                "  </target>\n"
                "</pool>\n";
        storvirt__pool_def *def = parse_string(
                "<pool type='disk'><name>sdz</name>"
                "<uuid>177982f6-3d08-4e3c-bc36-4ae60d677ce7</uuid>"
                "<capacity>5</capacity>"
                "<source><device path='/dev/sdz'>"
                "<freeExtent start='536903680' end='1000204869632'/></device>"
                "<format type='gpt'/></source>"
                "<target><path>/dev</path></target></pool>");
        char *out;

        /* Input sizes are ignored; the core fills them in after a refresh. */
        assert_int_equal(def->capacity, 0);
        def->capacity = 1000204886016ull;
        def->allocation = 536870912ull;
        def->available = 999667982336ull;
        out = format_def(def, false);
        assert_string_equal(out, active_expected);
        free(out);
        out = format_def(def, true);
        assert_string_equal(out, inactive_expected);
        free(out);
        storvirt__pool_def_free(def);
}

static void test_defaults(void **state) {
        storvirt__pool_def *def;

        def = parse_string("<pool type='logical'><source><name>vg9</name></source></pool>");
        assert_string_equal(def->name, "vg9");
        assert_string_equal(def->target.path, "/dev/vg9");
        assert_string_equal(def->source.format, "lvm2");
        assert_int_equal(def->target.mode, -1);
        storvirt__pool_def_free(def);

        def = parse_string("<pool type='zfs'><name>zp</name></pool>");
        assert_string_equal(def->source.name, "zp");
        assert_string_equal(def->target.path, "/dev/zvol/zp");
        storvirt__pool_def_free(def);

        def = parse_string("<pool type='gluster'><source><name>gv</name>"
                           "<host name='g'/></source></pool>");
        assert_string_equal(def->name, "gv");
        assert_string_equal(def->source.dir, "/");
        storvirt__pool_def_free(def);

        def = parse_string("<pool type='fs'><name>f</name><source><device path='/dev/b'/>"
                           "</source><target><path>//mnt///f//</path></target></pool>");
        assert_string_equal(def->source.format, "auto");
        assert_string_equal(def->target.path, "/mnt/f");
        assert_int_equal(def->features.cow, STORVIRT__TRISTATE_ABSENT);
        assert_non_null(def->source.device_info);
        assert_int_equal(def->source.device_info[0].part_separator, STORVIRT__TRISTATE_ABSENT);
        storvirt__pool_def_free(def);

        def = parse_string("<pool type='netfs'><name>n</name><source><host name='h'/>"
                           "<dir path='/'/></source><target><path>/</path></target></pool>");
        assert_string_equal(def->source.format, "auto");
        assert_string_equal(def->source.dir, "/");
        assert_string_equal(def->target.path, "/");
        assert_int_equal(def->source.hosts[0].port, 0);
        storvirt__pool_def_free(def);
}

/* Mount options in any prefix bound to the fs namespace; written as fs:. */
static void test_namespaces(void **state) {
        storvirt__pool_def *def = parse_string(
                "<pool type='netfs' xmlns:m='http://libvirt.org/schemas/storagepool/fs/1.0'>"
                "<name>n</name><uuid>177982f6-3d08-4e3c-bc36-4ae60d677ce7</uuid>"
                "<source><host name='h'/><dir path='/e'/></source>"
                "<target><path>/t</path></target>"
                "<m:mount_opts><m:option name='ro'/><!-- c --><m:option name='sync'/>"
                "</m:mount_opts></pool>");
        char *out = format_def(def, true);

        assert_int_equal(storvirt__strv_length(def->fs_mount_opts), 2);
        assert_string_equal(def->fs_mount_opts[1], "sync");
        assert_non_null(strstr(out, "<pool type=\"netfs\" "
                                    "xmlns:fs=\"http://libvirt.org/schemas/storagepool/fs/1.0\">"));
        assert_non_null(strstr(out, "  <fs:mount_opts>\n    <fs:option name=\"ro\"/>\n"
                                    "    <fs:option name=\"sync\"/>\n  </fs:mount_opts>\n"));
        free(out);
        storvirt__pool_def_free(def);

        /* An empty option list is not written at all. */
        def = parse_string("<pool type='fs' xmlns:fs='http://libvirt.org/schemas/storagepool/fs/1.0'>"
                           "<name>f</name><source><device path='/dev/b'/></source>"
                           "<target><path>/t</path></target><fs:mount_opts/></pool>");
        out = format_def(def, true);
        assert_null(strstr(out, "xmlns"));
        assert_null(strstr(out, "mount_opts"));
        free(out);
        storvirt__pool_def_free(def);

        /* The same local name in an unknown namespace is not ours. */
        assert_parse_fails("<pool type='fs' xmlns:fs='urn:other'><name>f</name>"
                           "<source><device path='/dev/b'/></source>"
                           "<target><path>/t</path></target><fs:mount_opts/></pool>",
                           -EINVAL, "pool XML: <pool>: unexpected element <fs:mount_opts>");
        assert_parse_fails("<pool type='rbd' xmlns:rbd='http://libvirt.org/schemas/storagepool/rbd/1.0'>"
                           "<source><name>p</name><host name='m'/></source>"
                           "<rbd:config_opts><rbd:option name='a' value='b'><x/></rbd:option>"
                           "</rbd:config_opts></pool>",
                           -EINVAL, "pool XML: <rbd:config_opts>: unexpected element <x>");
}

static void test_new_and_validate(void **state) {
        storvirt__pool_def *def = NULL;
        char *out;

        assert_int_equal(storvirt__pool_def_new("tape", "x", &def), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "pool XML: <pool>: unknown pool type 'tape'");
        assert_int_equal(storvirt__pool_def_new("dir", "a/b", &def), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "pool XML: <name>: pool name 'a/b' contains '/'");
        assert_int_equal(storvirt__pool_def_new("dir", "a\nb", &def), -EINVAL);
        assert_string_equal(storvirt__error_msg(),
                            "pool XML: <name>: pool name 'a\\x0ab' contains a control character");
        /* Any control character: each would be a name no listing shows as typed. */
        for (const char *const *bad = (const char *const[]){ "a\tb", "a\rb", "\x01", "a\x7f",
                                                             "\x1b[2J", NULL }; *bad; bad++) {
                assert_int_equal(storvirt__pool_def_new("dir", *bad, &def), -EINVAL);
                assert_non_null(strstr(storvirt__error_msg(), "contains a control character"));
        }
        /* Names of the state directory's own files: ".", "..", hidden names. */
        assert_int_equal(storvirt__pool_def_new("dir", ".", &def), -EINVAL);
        assert_string_equal(storvirt__error_msg(),
                            "pool XML: <name>: pool name '.' must not start with '.'");
        assert_int_equal(storvirt__pool_def_new("dir", "..", &def), -EINVAL);
        assert_string_equal(storvirt__error_msg(),
                            "pool XML: <name>: pool name '..' must not start with '.'");
        assert_int_equal(storvirt__pool_def_new("dir", ".boot_id", &def), -EINVAL);
        assert_string_equal(storvirt__error_msg(),
                            "pool XML: <name>: pool name '.boot_id' must not start with '.'");
        assert_parse_fails("<pool type='dir'><name>..</name><target><path>/p</path></target></pool>",
                           -EINVAL, "pool XML: <name>: pool name '..' must not start with '.'");
        assert_parse_fails("<pool type='dir'><name>a&#9;b</name><target><path>/p</path></target>"
                           "</pool>", -EINVAL,
                           "pool XML: <name>: pool name 'a\\x09b' contains a control character");
        {
                char name[253];

                /* Stored as <name>.xml: 251 bytes at most. */
                memset(name, 'n', 251);
                name[251] = '\0';
                assert_int_equal(storvirt__pool_def_new("dir", name, &def), 0);
                storvirt__pool_def_free(def);
                def = NULL;
                name[251] = 'n';
                name[252] = '\0';
                assert_int_equal(storvirt__pool_def_new("dir", name, &def), -EINVAL);
                assert_non_null(strstr(storvirt__error_msg(), "is longer than 251 bytes"));
        }
        assert_int_equal(storvirt__pool_def_new("dir", "a.b..c", &def), 0);
        storvirt__pool_def_free(def);
        def = NULL;
        assert_int_equal(storvirt__pool_def_new("dir", "", &def), -EINVAL);
        assert_null(def);
        assert_int_equal(storvirt__pool_def_new("dir", "x", NULL), -EINVAL);

        /* pool-define-as: build, validate, format. */
        assert_int_equal(storvirt__pool_def_new("netfs", "nfs1", &def), 0);
        assert_int_equal(storvirt__uuid_version(&def->uuid), 4);
        assert_int_equal(def->target.mode, -1);
        /* Not valid yet: no host. */
        assert_int_equal(storvirt__pool_def_validate(def), -EINVAL);
        assert_string_equal(storvirt__error_msg(),
                            "pool XML: <source>: missing element <host> (required for 'netfs' pools)");
        assert_int_equal(storvirt__pool_def_format(def, true, &out), -EINVAL);
        def->source.hosts = calloc(1, sizeof(*def->source.hosts));
        assert_non_null(def->source.hosts);
        def->source.hosts[0].name = strdup("filer");
        def->source.n_hosts = 1;
        def->source.dir = strdup("/exports/a/");
        def->target.path = strdup("/mnt/a");
        def->target.mode = 0755;
        /* devices without device_info: no extra attributes. */
        assert_int_equal(storvirt__pool_def_validate(def), 0);
        assert_string_equal(def->source.format, "auto");
        assert_string_equal(def->source.dir, "/exports/a");
        out = format_def(def, true);
        assert_non_null(strstr(out, "<mode>0755</mode>"));
        free(out);

        /* Things a type does not use are refused by name. */
        assert_int_equal(storvirt__strv_extend(&def->source.devices, "/dev/sdb"), 0);
        assert_int_equal(storvirt__pool_def_validate(def), -EINVAL);
        assert_string_equal(storvirt__error_msg(),
                            "pool XML: <source>: element <device> is not used by 'netfs' pools");
        storvirt__strv_free(def->source.devices);
        def->source.devices = NULL;
        def->target.mode = 01777;
        assert_int_equal(storvirt__pool_def_format(def, false, &out), -EINVAL);
        assert_string_equal(storvirt__error_msg(),
                            "pool XML: <target><permissions><mode>: 1023 is outside 0..0777");
        def->target.mode = -1;
        def->features.cow = STORVIRT__TRISTATE_YES;
        assert_int_equal(storvirt__pool_def_validate(def), -EINVAL);
        assert_non_null(strstr(storvirt__error_msg(), "not 'netfs'"));
        def->features.cow = STORVIRT__TRISTATE_ABSENT;
        assert_int_equal(storvirt__strv_extend(&def->fs_mount_opts, "vers=4.2"), 0);
        out = format_def(def, false);
        assert_non_null(strstr(out, "<fs:option name=\"vers=4.2\"/>"));
        free(out);
        storvirt__pool_def_free(def);
        storvirt__pool_def_free(NULL);
}

static void test_equal(void **state) {
        const char *xml = "<pool type='iscsi'><name>i</name>"
                          "<uuid>177982f6-3d08-4e3c-bc36-4ae60d677ce7</uuid>"
                          "<source><host name='h' port='3260'/>"
                          "<device path='iqn.2024-01.org.example:t'/>"
                          "<auth type='chap' username='u'><secret usage='s'/></auth></source>"
                          "<target><path>/dev/disk/by-path</path></target></pool>";
        storvirt__pool_def *a = parse_string(xml), *b = parse_string(xml);

        assert_true(storvirt__pool_def_equal(a, b));
        b->source.hosts[0].port = 3261;
        assert_false(storvirt__pool_def_equal(a, b));
        b->source.hosts[0].port = 3260;
        free(b->source.auth.secret_usage);
        b->source.auth.secret_usage = strdup("t");
        assert_false(storvirt__pool_def_equal(a, b));
        assert_false(storvirt__pool_def_equal(a, NULL));
        assert_true(storvirt__pool_def_equal(NULL, NULL));
        storvirt__pool_def_free(a);
        storvirt__pool_def_free(b);
}

static void test_helpers(void **state) {
        const char *const *types = storvirt__pool_types();
        size_t n = 0;

        while (types[n])
                n++;
        assert_int_equal(n, 14);
        assert_string_equal(types[6], "iscsi-direct");
        assert_true(storvirt__pool_type_is_valid("vstorage"));
        assert_false(storvirt__pool_type_is_valid("Dir"));
        assert_false(storvirt__pool_type_is_valid(NULL));
        assert_string_equal(storvirt__pool_default_format("fs"), "auto");
        assert_string_equal(storvirt__pool_default_format("logical"), "lvm2");
        assert_string_equal(storvirt__pool_default_format("disk"), "unknown");
        assert_null(storvirt__pool_default_format("dir"));
        assert_null(storvirt__pool_formats("iscsi"));
        assert_string_equal(storvirt__pool_formats("netfs")[3], "cifs");
        assert_string_equal(storvirt__pool_formats("fs")[10], "hfs+");
        assert_true(storvirt__pool_type_has_target("zfs"));
        assert_false(storvirt__pool_type_has_target("rbd"));
        assert_int_equal(storvirt__pool_name_validate("ok name"), 0);
        assert_int_equal(storvirt__pool_name_validate(NULL), -EINVAL);
}

static void test_limits(void **state) {
        storvirt__pool_def *def = (storvirt__pool_def *) 0x1;

        assert_int_equal(storvirt__pool_def_parse("", 0, &def), -EINVAL);
        assert_non_null(strstr(storvirt__error_msg(), "pool XML: empty document"));
        assert_int_equal(storvirt__pool_def_parse("<pool/>", STORVIRT__POOL_XML_MAX + 1, &def),
                         -EFBIG);
        assert_int_equal(storvirt__pool_def_parse("<pool/>", 7, NULL), -EINVAL);
        assert_ptr_equal(def, (storvirt__pool_def *) 0x1);
        /* Not NUL-terminated input is fine. */
        {
                const char text[] = "<pool type='mpath'><name>m</name>"
                                    "<target><path>/dev/mapper</path></target></pool>XXXX";

                def = NULL;
                assert_int_equal(storvirt__pool_def_parse(text, sizeof(text) - 5, &def), 0);
                storvirt__pool_def_free(def);
        }
}

/* ---- output for the schema check --------------------------------------- */

static int write_outputs(const char *outdir) {
        char **names = list_fixtures(GOOD_DIR);

        for (char **n = names; *n; n++) {
                char *in = path_join(GOOD_DIR, *n, ""), *base = stem(*n);
                storvirt__pool_def *def = parse_file(in);

                for (int inactive = 0; inactive < 2; inactive++) {
                        char *out = format_def(def, inactive), *path;

                        path = path_join(outdir, base, inactive ? ".inactive.xml" : ".xml");
                        write_file(path, out);
                        free(path);
                        free(out);
                }
                free(base);
                free(in);
                storvirt__pool_def_free(def);
        }
        storvirt__strv_free(names);
        return 0;
}

int main(int argc, char **argv) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_fixtures),
                cmocka_unit_test(test_bad_fixtures),
                cmocka_unit_test(test_units),
                cmocka_unit_test(test_generated_uuid),
                cmocka_unit_test(test_active_inactive),
                cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_namespaces),
                cmocka_unit_test(test_new_and_validate),
                cmocka_unit_test(test_equal),
                cmocka_unit_test(test_helpers),
                cmocka_unit_test(test_limits),
        };

        if (argc == 3 && strcmp(argv[1], "--write-dir") == 0)
                return write_outputs(argv[2]);
        return cmocka_run_group_tests(tests, NULL, NULL);
}
