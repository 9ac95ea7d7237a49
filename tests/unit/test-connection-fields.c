/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-connection-fields.c - the field tables of connections
 * (core/connection_fields.h) and the two forms read and written from
 * them, without a state directory: the tables are consistent, every
 * spelling VDSM sends reads as our own key does, our form written as
 * VDSM's parameters reads back to itself, fields are read in the order
 * of the table, and the key errors name the key.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <storvirt.h>

#include "objects/connection_run.h"
#include "conf/connection_def.h"
#include "conf/connection_fields.h"
#include "util/json.h"
#include "util/macro.h"
#include "util/strv.h"

#define IQN "iqn.2026-11.org.example:storage.t1"
#define INITIATOR "iqn.2026-11.org.example:host1"

/* The canonical form of the one connection json holds (stored: secrets kept apart). */
static char *canonical(const char *json, bool stored) {
        char **texts = NULL, *t;

        if (storvirt__connections_parse(json, strlen(json), stored, &texts) < 0)
                fail_msg("%s: %s", json, storvirt_error_message());
        assert_int_equal(storvirt__strv_length(texts), 1);
        t = strdup(texts[0]);
        storvirt__strv_free(texts);
        return t;
}

static void expect_message(const char *json, int err, const char *msg) {
        char **texts = NULL;
        int r = storvirt__connections_parse(json, strlen(json), false, &texts);

        if (r != err)
                fail_msg("%s: %d (%s), expected %d", json, r, storvirt_error_message(), err);
        if (strcmp(storvirt_error_message(), msg) != 0)
                fail_msg("%s:\n  got  '%s'\n  want '%s'", json, storvirt_error_message(), msg);
        assert_null(texts);
}

/* Every row has a spelling, no key is spelled twice in one form, and each row is complete. */
static void test_tables(void **st) {
        (void)st;
        for (size_t ti = 0; ti < storvirt__conn_n_types; ti++) {
                const struct conn_type *t = &storvirt__conn_types[ti];
                const struct conn_field *rows[CONN_FIELDS_MAX];
                size_t n = 0;

                assert_non_null(t->name);
                assert_non_null(t->vdsm_name);
                assert_true(t->vdsm_id > 0);
                if (!t->type) {
                        assert_int_equal(t->n_fields, 0);
                        continue;
                }
                assert_ptr_equal(storvirt__conn_type_get(t->type), t);
                assert_string_equal(storvirt__conn_type_name(t->type), t->name);
                for (size_t i = 0; i < storvirt__conn_n_common_fields; i++)
                        rows[n++] = &storvirt__conn_common_fields[i];
                for (size_t i = 0; i < t->n_fields; i++) {
                        assert_true(n < CONN_FIELDS_MAX);
                        rows[n++] = &t->fields[i];
                }
                for (size_t i = 0; i < n; i++) {
                        const struct conn_field *f = rows[i];
                        const char *mine[3] = { f->own, f->vdsm, f->vdsm_alias };

                        assert_true(f->own || f->vdsm);
                        assert_true(!f->vdsm_alias || f->vdsm);
                        if (f->value == CONN_V_STRING || f->value == CONN_V_VERSION ||
                            f->value == CONN_V_SECRET)
                                assert_true(f->max > 0);
                        if (f->value == CONN_V_SECRET)
                                assert_true(f->pair > 0);
                        if (f->need)
                                assert_true(f->value == CONN_V_STRING || f->value == CONN_V_PORTAL);
                        if (f->own)
                                assert_ptr_equal(storvirt__conn_field_own(t, f->own), f);
                        /* no spelling of one form is another row's spelling in the same form */
                        for (size_t j = 0; j < i; j++) {
                                const struct conn_field *g = rows[j];

                                if (f->own && g->own)
                                        assert_string_not_equal(f->own, g->own);
                                for (size_t a = 1; a < 3; a++)
                                        for (size_t b = 1; b < 3; b++)
                                                if (mine[a] && (b == 1 ? g->vdsm : g->vdsm_alias))
                                                        assert_string_not_equal(
                                                                mine[a], b == 1 ? g->vdsm : g->vdsm_alias);
                        }
                }
        }
        assert_null(storvirt__conn_type_get(0));
        assert_string_equal(storvirt__conn_type_name(99), "?");
}

/*
 * The keys VDSM's storage server reads and the spellings of its API
 * schema give the connection our own keys give (VDSM's connection is
 * the portal's host: an IPv6 address without brackets); VDSM's extra keys
 * (netIfaceName, an entry's own domainType, an FCP connection's empty
 * "connection") are taken and ignored.
 */
static void test_vdsm_spellings(void **st) {
        static const struct { const char *own, *vdsm[3]; } cases[] = {
                { "{\"type\": \"iscsi\", \"id\": \"i\", \"portal\": \"h:3261\", \"target\": \"" IQN "\","
                  " \"tpgt\": 2, \"user\": \"u\", \"password\": \"p\", \"initiator\": \"" INITIATOR "\","
                  " \"iface\": \"default\"}",
                  { "{\"domainType\": \"ISCSI\", \"connectionParams\": [{\"id\": \"i\", \"domainType\": 3,"
                    " \"connection\": \"h\", \"port\": \"3261\", \"iqn\": \"" IQN "\", \"tpgt\": \"2\","
                    " \"user\": \"u\", \"password\": \"p\", \"initiatorName\": \"" INITIATOR "\","
                    " \"ifaceName\": \"default\", \"netIfaceName\": \"eth0\"}]}" } },
                { "{\"type\": \"iscsi\", \"id\": \"i\", \"portal\": \"h\", \"target\": \"" IQN "\"}",
                  { "{\"domainType\": 3, \"connectionParams\": [{\"id\": \"i\", \"connection\": \"h:3260\","
                    " \"iqn\": \"" IQN "\", \"user\": \"\", \"password\": \"\", \"initiatorName\": \"\","
                    " \"ifaceName\": \"\"}]}" } },
                /* VDSM's connection is a host name: an IPv6 address comes without brackets */
                { "{\"type\": \"iscsi\", \"id\": \"i\", \"portal\": \"[fe80::1%eth0]:3260\", \"target\": \"" IQN "\"}",
                  { "{\"domainType\": 3, \"connectionParams\": [{\"id\": \"i\", \"connection\": \"fe80::1%eth0\","
                    " \"port\": \"3260\", \"iqn\": \"" IQN "\"}]}",
                    "{\"domainType\": 3, \"connectionParams\": [{\"id\": \"i\", \"connection\": \"fe80::1%eth0\","
                    " \"iqn\": \"" IQN "\"}]}",
                    "{\"domainType\": 3, \"connectionParams\": [{\"id\": \"i\", \"connection\": \"[fe80::1%eth0]\","
                    " \"port\": 3260, \"iqn\": \"" IQN "\"}]}" } },
                { "{\"type\": \"nfs\", \"id\": \"n\", \"export\": \"s:/e\", \"version\": \"4.1\","
                  " \"timeout\": 600, \"retrans\": 6, \"options\": \"ro\"}",
                  { "{\"domainType\": 1, \"connectionParams\": [{\"id\": \"n\", \"connection\": \"s:/e\","
                    " \"protocol_version\": \"4.1\", \"timeout\": \"600\", \"retrans\": 6,"
                    " \"mnt_options\": \"ro\"}]}",
                    "{\"domainType\": \"nfs\", \"connectionParams\": [{\"id\": \"n\", \"export\": \"s:/e\","
                    " \"version\": 4.1, \"timeout\": 600, \"retrans\": 6, \"options\": \"ro\"}]}" } },
                { "{\"type\": \"posixfs\", \"id\": \"p\", \"spec\": \"/dev/sdz1\", \"vfstype\": \"xfs\"}",
                  { "{\"domainType\": 6, \"connectionParams\": [{\"id\": \"p\", \"connection\": \"/dev/sdz1\","
                    " \"vfs_type\": \"xfs\", \"mnt_options\": \"\"}]}",
                    "{\"domainType\": \"POSIXFS\", \"connectionParams\": [{\"id\": \"p\","
                    " \"spec\": \"/dev/sdz1\", \"vfstype\": \"xfs\"}]}" } },
                { "{\"type\": \"localfs\", \"id\": \"l\", \"path\": \"/srv/images\"}",
                  { "{\"domainType\": 4, \"connectionParams\": [{\"id\": \"l\", \"connection\": \"/srv/images\"}]}",
                    "{\"domainType\": \"4\", \"connectionParams\": [{\"id\": \"l\", \"path\": \"/srv/images\"}]}" } },
                { "{\"type\": \"fcp\", \"id\": \"f\"}",
                  { "{\"domainType\": 2, \"connectionParams\": [{\"id\": \"f\", \"connection\": \"\"}]}" } },
        };

        (void)st;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *want = canonical(cases[i].own, false);

                for (size_t k = 0; k < ELEMENTSOF(cases[i].vdsm) && cases[i].vdsm[k]; k++) {
                        char *got = canonical(cases[i].vdsm[k], false);

                        if (strcmp(got, want) != 0)
                                fail_msg("%s\n  gives %s\n  not   %s", cases[i].vdsm[k], got, want);
                        free(got);
                }
                free(want);
        }
}

/* VDSM's parameters of d, as a connectStorageServer call. */
static char *vdsm_call(const conn_def *d) {
        _cleanup_json_gen_ storvirt__json_gen *g = NULL;
        char *params = NULL, *call = NULL;

        assert_int_equal(storvirt__json_gen_new(false, &g), 0);
        assert_int_equal(storvirt__conn_gen_vdsm(g, d), 0);
        assert_int_equal(storvirt__json_gen_finish(g, &params, NULL), 0);
        assert_true(asprintf(&call, "{\"domainType\": %d, \"connectionParams\": [%s]}",
                             storvirt__conn_type_get(d->type)->vdsm_id, params) > 0);
        free(params);
        return call;
}

/*
 * Our form with every field VDSM's has, written as VDSM's parameters and
 * read back, is the connection it was (the password comes back as the
 * redaction mark, and no secret is written).  VDSM's form writes VDSM's
 * defaults for a TPGT and an NFS version not given, which then read back
 * as given.
 */
static void test_vdsm_round_trip(void **st) {
        static const struct { const char *def, *back; } cases[] = {
                { "{\"type\": \"iscsi\", \"portal\": \"[fe80::1%eth0]:3261\", \"target\": \"" IQN "\","
                  " \"tpgt\": 7, \"user\": \"u\", \"password\": \"Very-Secret\", \"initiator\": \"" INITIATOR "\","
                  " \"iface\": \"eth1\"}", NULL },
                { "{\"type\": \"iscsi\", \"id\": \"bare\", \"portal\": \"storage.example.org\", \"target\": \"" IQN "\"}",
                  "{\"id\":\"bare\",\"type\":\"iscsi\",\"portal\":\"storage.example.org:3260\","
                  "\"target\":\"" IQN "\",\"tpgt\":1,\"driver\":\"kernel\"}" },
                { "{\"type\": \"nfs\", \"export\": \"srv:/exports/a\", \"version\": \"4.2\", \"timeout\": 600,"
                  " \"retrans\": 6, \"options\": \"rsize=65536\"}", NULL },
                { "{\"type\": \"nfs\", \"id\": \"bare\", \"export\": \"srv:/exports/b\"}",
                  "{\"id\":\"bare\",\"type\":\"nfs\",\"export\":\"srv:/exports/b\",\"version\":\"auto\"}" },
                { "{\"type\": \"posixfs\", \"spec\": \"/dev/sdz1\", \"vfstype\": \"xfs\", \"options\": \"noatime\"}",
                  NULL },
                { "{\"type\": \"localfs\", \"path\": \"/srv/images\"}", NULL },
                { "{\"type\": \"fcp\", \"id\": \"fc-1\"}", NULL },
        };

        (void)st;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const char *def = cases[i].def;
                conn_def **d = NULL;
                size_t n = 0;
                char *call, *want = NULL, *back;

                assert_int_equal(storvirt__conn_parse_all(def, strlen(def), false, &d, &n), 0);
                assert_int_equal(n, 1);
                call = vdsm_call(d[0]);
                assert_null(strstr(call, "Very-Secret"));
                if (cases[i].back)
                        want = strdup(cases[i].back);
                else
                        assert_int_equal(storvirt__conn_def_to_text(d[0], false, false, &want), 0);
                back = canonical(call, false);
                if (strcmp(back, want) != 0)
                        fail_msg("%s\n  as %s\n  gives %s\n  not   %s", def, call, back, want);
                free(back);
                free(want);
                free(call);
                storvirt__conn_defs_free(d, n);
        }
}

/*
 * Fields are read in the order of the table, the order both forms are
 * written in: of two bad fields, the first in that order is reported.
 * VDSM's port is read before its portal, which checks against it.
 */
static void test_read_order(void **st) {
        (void)st;
        expect_message("{\"domainType\": 3, \"connectionParams\": [{\"connection\": \"h\", "
                       "\"iqn\": \"x y\", \"tpgt\": \"x y\"}]}", -EINVAL,
                       "connection 1: field 'iqn': 'x y' is not an iSCSI name: it must start "
                       "with 'iqn.', 'eui.' or 'naa.'");
        expect_message("{\"type\": \"iscsi\", \"portal\": \"h\", \"target\": \"" IQN "\", "
                       "\"user\": \"u\", \"mutual_user\": \"\", \"password\": \"\"}", -EINVAL,
                       "connection 1: field 'password': must not be empty");
        expect_message("{\"domainType\": 3, \"connectionParams\": [{\"connection\": \"h:3261\", "
                       "\"iqn\": \"" IQN "\", \"port\": \"x\"}]}", -EINVAL,
                       "connection 1: field 'port': expected an unsigned 64-bit integer, got 'x'");
        expect_message("{\"domainType\": 3, \"connectionParams\": [{\"connection\": \"h:3261\", "
                       "\"iqn\": \"" IQN "\", \"port\": 3260}]}", -EINVAL,
                       "connection 1: field 'connection': 'h:3261': the port differs from 'port' (3260)");
        expect_message("{\"domainType\": 3, \"connectionParams\": [{\"connection\": \"h\", "
                       "\"iqn\": \"" IQN "\", \"port\": 0}]}", -EINVAL,
                       "connection 1: field 'port': must be 1-65535");
}

/* Unknown and repeated keys, a field under both of VDSM's spellings, a missing field. */
static void test_key_errors(void **st) {
        (void)st;
        expect_message("{\"type\": \"localfs\", \"path\": \"/a\", \"spec\": \"/b\"}", -EINVAL,
                       "connection 1: unknown field 'spec' (not a field of localfs connections)");
        expect_message("{\"type\": \"fcp\", \"connection\": \"\"}", -EINVAL,
                       "connection 1: unknown field 'connection' (not a field of fcp connections)");
        expect_message("{\"type\": \"localfs\", \"path\": \"/a\", \"path\": \"/b\"}", -EINVAL,
                       "connection 1: duplicate field 'path'");
        expect_message("{\"domainType\": 4, \"connectionParams\": [{\"connection\": \"/a\", "
                       "\"spec\": \"/b\"}]}", -EINVAL, "connection 1: unknown field 'spec'");
        expect_message("{\"domainType\": 4, \"connectionParams\": [{\"connection\": \"/a\", "
                       "\"connection\": \"/b\"}]}", -EINVAL, "connection 1: duplicate field 'connection'");
        expect_message("{\"domainType\": 6, \"connectionParams\": [{\"connection\": \"/dev/x\", "
                       "\"vfs_type\": \"xfs\", \"vfstype\": \"xfs\"}]}", -EINVAL,
                       "connection 1: fields 'vfs_type' and 'vfstype' are the same field: give one");
        expect_message("{\"domainType\": 6, \"connectionParams\": [{\"spec\": \"/dev/x\"}]}", -EINVAL,
                       "connection 1: a posixfs connection needs a vfstype");
        expect_message("{\"type\": \"nfs\"}", -EINVAL,
                       "connection 1: an nfs connection needs an export (server:/path)");
        expect_message("{\"domainType\": \"GlusterFS\", \"connectionParams\": []}", -EOPNOTSUPP,
                       "VDSM parameters: field 'domainType': GLUSTERFS (7) connections are not supported");
        expect_message("{\"type\": \"cifs\"}", -EOPNOTSUPP,
                       "connection 1: field 'type': cifs connections are not supported");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_tables),
                cmocka_unit_test(test_vdsm_spellings),
                cmocka_unit_test(test_vdsm_round_trip),
                cmocka_unit_test(test_read_order),
                cmocka_unit_test(test_key_errors),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
