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
                /* a type VDSM has no storage domain for (rbd) has neither */
                assert_true(!t->vdsm_name == (t->vdsm_id == 0));
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
                                assert_true(f->value == CONN_V_STRING || f->value == CONN_V_PORTAL ||
                                            f->value == CONN_V_HOSTS);
                        if (f->value == CONN_V_HOSTS)
                                assert_true(f->own && !f->vdsm && f->max > 0);
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
 * The dictionaries oVirt's engine hands connectStorageServer, as it
 * writes them: every value a string, "" for what a connection does not
 * have, the iSCSI keys (port, iqn, user, password, ipv6_enabled) in the
 * entries of every type, the TPGT under "tpgt" or, from older engines,
 * under "portal" (which VDSM ignores).  Each reads as the connection VDSM
 * makes of it.
 */
static void test_vdsm_engine_dicts(void **st) {
        static const struct { const char *own, *vdsm; } cases[] = {
                { "{\"type\": \"iscsi\", \"id\": \"3b7e0c1a-0d6f-4a55-9c1e-2f0b8c7d6e51\","
                  " \"portal\": \"10.0.0.5:3260\", \"target\": \"" IQN "\", \"tpgt\": 1}",
                  "{\"domainType\": 3, \"connectionParams\": [{\"id\": \"3b7e0c1a-0d6f-4a55-9c1e-2f0b8c7d6e51\","
                  " \"connection\": \"10.0.0.5\", \"tpgt\": \"1\", \"port\": \"3260\", \"iqn\": \"" IQN "\","
                  " \"user\": \"\", \"password\": \"\", \"ipv6_enabled\": \"false\"}]}" },
                /* an older engine: the TPGT under "portal", which VDSM reads no more */
                { "{\"type\": \"iscsi\", \"id\": \"old\", \"portal\": \"10.0.0.5:3260\", \"target\": \"" IQN "\"}",
                  "{\"domainType\": 3, \"connectionParams\": [{\"id\": \"old\", \"connection\": \"10.0.0.5\","
                  " \"portal\": \"1\", \"port\": \"3260\", \"iqn\": \"" IQN "\", \"user\": \"\","
                  " \"password\": \"\"}]}" },
                { "{\"type\": \"iscsi\", \"id\": \"old\", \"portal\": \"10.0.0.5:3260\", \"target\": \"" IQN "\"}",
                  "{\"domainType\": 3, \"connectionParams\": [{\"id\": \"old\", \"connection\": \"10.0.0.5\","
                  " \"portal\": \"\", \"port\": 3260, \"iqn\": \"" IQN "\", \"ipv6_enabled\": false}]}" },
                { "{\"type\": \"iscsi\", \"id\": \"v6\", \"portal\": \"[fd00::5]:3260\", \"target\": \"" IQN "\","
                  " \"user\": \"u\", \"password\": \"p\", \"iface\": \"eth1\"}",
                  "{\"domainType\": \"ISCSI\", \"connectionParams\": [{\"id\": \"v6\", \"connection\": \"fd00::5\","
                  " \"port\": \"3260\", \"iqn\": \"" IQN "\", \"user\": \"u\", \"password\": \"p\","
                  " \"ipv6_enabled\": \"True\", \"ifaceName\": \"eth1\", \"netIfaceName\": \"eth1\"}]}" },
                { "{\"type\": \"nfs\", \"id\": \"n\", \"export\": \"nfs.example.org:/exports/data\","
                  " \"version\": \"4.1\", \"timeout\": 600, \"retrans\": 6}",
                  "{\"domainType\": 1, \"connectionParams\": [{\"id\": \"n\","
                  " \"connection\": \"nfs.example.org:/exports/data\", \"port\": \"\", \"iqn\": \"\","
                  " \"user\": \"\", \"password\": \"\", \"ipv6_enabled\": \"false\", \"mnt_options\": \"\","
                  " \"protocol_version\": \"4.1\", \"timeout\": \"600\", \"retrans\": \"6\"}]}" },
                /* VDSM mounts NFS 3 when no version is given, negotiates for "auto" and "" */
                { "{\"type\": \"nfs\", \"id\": \"n\", \"export\": \"s:/e\", \"version\": \"3\"}",
                  "{\"domainType\": 1, \"connectionParams\": [{\"id\": \"n\", \"connection\": \"s:/e\","
                  " \"port\": \"\", \"iqn\": \"\", \"user\": \"\", \"password\": \"\"}]}" },
                { "{\"type\": \"nfs\", \"id\": \"n\", \"export\": \"s:/e\", \"version\": \"auto\"}",
                  "{\"domainType\": 1, \"connectionParams\": [{\"id\": \"n\", \"connection\": \"s:/e\","
                  " \"protocol_version\": \"\", \"vfs_type\": \"nfs\", \"portal\": \"\"}]}" },
                { "{\"type\": \"posixfs\", \"id\": \"p\", \"spec\": \"/dev/vg0/lv0\", \"vfstype\": \"xfs\"}",
                  "{\"domainType\": 6, \"connectionParams\": [{\"id\": \"p\", \"connection\": \"/dev/vg0/lv0\","
                  " \"vfs_type\": \"xfs\", \"mnt_options\": \"\", \"port\": \"\", \"iqn\": \"\", \"user\": \"\","
                  " \"password\": \"\", \"ipv6_enabled\": \"false\"}]}" },
                /* without a type, mount(8) finds it, as for VDSM */
                { "{\"type\": \"posixfs\", \"id\": \"p\", \"spec\": \"/dev/vg0/lv0\"}",
                  "{\"domainType\": 6, \"connectionParams\": [{\"id\": \"p\", \"connection\": \"/dev/vg0/lv0\"}]}" },
                { "{\"type\": \"localfs\", \"id\": \"l\", \"path\": \"/srv/data\"}",
                  "{\"domainType\": 4, \"connectionParams\": [{\"id\": \"l\", \"connection\": \"/srv/data\","
                  " \"port\": \"\", \"iqn\": \"\", \"user\": \"\", \"password\": \"\", \"ipv6_enabled\": \"False\"}]}" },
                { "{\"type\": \"fcp\", \"id\": \"f\"}",
                  "{\"domainType\": 2, \"connectionParams\": [{\"id\": \"f\", \"connection\": \"\", \"port\": \"\","
                  " \"iqn\": \"\", \"user\": \"\", \"password\": \"\", \"ipv6_enabled\": \"false\"}]}" },
        };

        (void)st;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *want = canonical(cases[i].own, false), *got = canonical(cases[i].vdsm, false);

                if (strcmp(got, want) != 0)
                        fail_msg("%s\n  gives %s\n  not   %s", cases[i].vdsm, got, want);
                free(got);
                free(want);
        }
}

#define VDSM1(type, entry) "{\"domainType\": " #type ", \"connectionParams\": [{" entry "}]}"

/* What VDSM refuses in those dictionaries is refused, naming the field; so is what it would drop. */
static void test_vdsm_engine_refusals(void **st) {
        (void)st;
        /* VDSM takes int() of the port and the TPGT */
        expect_message(VDSM1(3, "\"connection\": \"h\", \"iqn\": \"" IQN "\", \"port\": \"\""), -EINVAL,
                       "connection 1: field 'port': expected an unsigned 64-bit integer, got ''");
        expect_message(VDSM1(3, "\"connection\": \"h\", \"iqn\": \"" IQN "\", \"tpgt\": \"\""), -EINVAL,
                       "connection 1: field 'tpgt': expected an unsigned 64-bit integer, got ''");
        expect_message(VDSM1(1, "\"connection\": \"s:/e\", \"timeout\": \"\""), -EINVAL,
                       "connection 1: field 'timeout': expected an unsigned 64-bit integer, got ''");
        expect_message(VDSM1(1, "\"connection\": \"s:/e\", \"retrans\": \"six\""), -EINVAL,
                       "connection 1: field 'retrans': expected an unsigned 64-bit integer, got 'six'");
        /* VDSM's booleans */
        expect_message(VDSM1(3, "\"connection\": \"h\", \"iqn\": \"" IQN "\", \"ipv6_enabled\": \"yes\""),
                       -EINVAL, "connection 1: field 'ipv6_enabled': expected true or false "
                                "(or the strings \"true\", \"false\"), got 'yes'");
        expect_message(VDSM1(4, "\"connection\": \"/a\", \"ipv6_enabled\": 1"), -EINVAL,
                       "connection 1: field 'ipv6_enabled': expected true or false "
                       "(or the strings \"true\", \"false\"), got a number");
        /* the iSCSI keys of a file connection: empty, or VDSM would drop what they say */
        expect_message(VDSM1(1, "\"connection\": \"s:/e\", \"iqn\": \"" IQN "\""), -EINVAL,
                       "connection 1: field 'iqn': an nfs connection has none: VDSM ignores it, "
                       "so only an empty string is taken");
        expect_message(VDSM1(4, "\"connection\": \"/a\", \"port\": 3260"), -EINVAL,
                       "connection 1: field 'port': a localfs connection has none: VDSM ignores it, "
                       "so only an empty string is taken");
        expect_message(VDSM1(6, "\"connection\": \"/dev/x\", \"vfs_type\": \"xfs\", \"password\": \"p\""),
                       -EINVAL, "connection 1: field 'password': a posixfs connection has none: VDSM "
                                "ignores it, so only an empty string is taken");
        expect_message(VDSM1(1, "\"connection\": \"s:/e\", \"vfs_type\": \"xfs\""), -EINVAL,
                       "connection 1: field 'vfs_type': 'xfs': VDSM mounts an nfs connection as nfs "
                       "(a posixfs connection mounts another type)");
        /* the TPGT of older engines is not our portal */
        expect_message("{\"type\": \"iscsi\", \"portal\": \"1\", \"target\": \"" IQN "\", \"ipv6_enabled\": false}",
                       -EINVAL, "connection 1: unknown field 'ipv6_enabled' (not a field of iscsi connections)");
}

/* The discovery parameters of json, or NULL with *ret < 0 and the message. */
static conn_def *discovery(const char *json, struct storvirt__conn_discovery *q, int *ret) {
        _cleanup_json_ yajl_val v = NULL;

        assert_int_equal(storvirt__json_parse(json, strlen(json), 65536, &v, "discovery"), 0);
        *ret = storvirt__conn_parse_discovery(v, q);
        if (*ret >= 0 && q->stored_id)
                assert_string_equal(q->stored_id, "conn-1");
        return *ret < 0 ? NULL : q->def;
}

/*
 * The three forms of the discovery parameters: ours, a stored connection,
 * VDSM's (host and port apart, "" for no CHAP, its booleans); and what
 * each refuses.
 */
static void test_discovery_forms(void **st) {
        static const struct { const char *json, *host; unsigned port; bool vdsm, ipv6, chap; } ok[] = {
                { "{\"portal\": \"10.0.0.5\"}", "10.0.0.5", 3260, false, false, false },
                { "{\"portal\": \"[fd00::5]:3261\", \"user\": \"u\", \"password\": \"p\"}", "fd00::5", 3261,
                  false, false, true },
                { "{\"connection\": \"10.0.0.5\", \"port\": 3260}", "10.0.0.5", 3260, true, false, false },
                { "{\"connection\": \"10.0.0.5\", \"port\": \"3262\", \"user\": \"\", \"password\": \"\","
                  " \"ipv6_enabled\": \"false\"}", "10.0.0.5", 3262, true, false, false },
                { "{\"connection\": \"fd00::5\", \"port\": \"3260\", \"user\": \"u\", \"password\": \"p\","
                  " \"ipv6_enabled\": true}", "fd00::5", 3260, true, true, true },
                { "{\"connection\": \"[fd00::5]\", \"port\": 3260, \"ipv6_enabled\": \"True\"}", "fd00::5", 3260,
                  true, true, false },
        };
        static const struct { const char *json, *msg; } bad[] = {
                { "{\"connection\": \"10.0.0.5\", \"port\": \"\"}",
                  "discovery: field 'port': expected an unsigned 64-bit integer, got ''" },
                { "{\"connection\": \"10.0.0.5\", \"port\": 0}", "discovery: field 'port': must be 1-65535" },
                { "{\"connection\": \"10.0.0.5:3261\", \"port\": 3260}",
                  "discovery: field 'connection': '10.0.0.5:3261': the port differs from 'port' (3260)" },
                { "{\"connection\": \"10.0.0.5\", \"ipv6_enabled\": false}",
                  "discovery: VDSM's discovery parameters need 'port'" },
                { "{\"connection\": \"10.0.0.5\", \"port\": null}",
                  "discovery: VDSM's discovery parameters need 'port'" },
                { "{\"connection\": \"10.0.0.5\", \"port\": 3260, \"user\": \"u\", \"password\": \"\"}",
                  "discovery: CHAP needs both 'user' and 'password' (no password given)" },
                { "{\"connection\": \"10.0.0.5\", \"port\": 3260, \"tpgt\": 1}",
                  "discovery: unknown field 'tpgt'" },
                { "{\"portal\": \"10.0.0.5\", \"port\": 3260}", "discovery: unknown field 'port'" },
                { "{\"portal\": \"10.0.0.5\", \"connection\": \"conn-1\"}",
                  "discovery: give 'connection' or 'portal', not both" },
                { "{\"user\": \"u\"}", "discovery: field 'portal': missing (or 'connection': a stored "
                                       "connection's id, or VDSM's host with its 'port')" },
                { "[]", "discovery: expected an object, got an array" },
        };
        struct storvirt__conn_discovery q;
        conn_def *d;
        int r;

        (void)st;
        for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
                d = discovery(ok[i].json, &q, &r);
                if (!d)
                        fail_msg("%s: %d %s", ok[i].json, r, storvirt_error_message());
                assert_string_equal(d->host, ok[i].host);
                assert_int_equal(d->port, ok[i].port);
                assert_int_equal(q.vdsm, ok[i].vdsm);
                assert_int_equal(q.ipv6, ok[i].ipv6);
                assert_int_equal(!!d->user, ok[i].chap);
                assert_int_equal(!!d->password, ok[i].chap);
                storvirt__conn_def_free(d);
        }
        assert_null(discovery("{\"connection\": \"conn-1\"}", &q, &r));
        assert_int_equal(r, 0);
        assert_non_null(q.stored_id);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                assert_null(discovery(bad[i].json, &q, &r));
                if (r != -EINVAL || strcmp(storvirt_error_message(), bad[i].msg) != 0)
                        fail_msg("%s:\n  got  %d '%s'\n  want '%s'", bad[i].json, r,
                                 storvirt_error_message(), bad[i].msg);
        }
}

/* Without ipv6_enabled VDSM lists no IPv6 portal, and so no target reached only through one. */
static void test_discovery_drop_ipv6(void **st) {
        static const char *const addr[3][2] = {
                { "10.0.0.5:3260", "[fd00::5]:3260" }, { "[fd00::6]:3260", NULL }, { "h:3260", NULL },
        };
        struct storvirt__iscsi_target *t = calloc(3, sizeof(*t));
        size_t n = 3;

        (void)st;
        assert_non_null(t);
        for (size_t i = 0; i < 3; i++) {
                assert_true(asprintf(&t[i].iqn, "iqn.2026-11.org.example:t%zu", i) > 0);
                t[i].portals = calloc(2, sizeof(*t[i].portals));
                assert_non_null(t[i].portals);
                for (size_t k = 0; k < 2 && addr[i][k]; k++) {
                        t[i].portals[k].address = strdup(addr[i][k]);
                        t[i].portals[k].tpgt = 1;
                        t[i].n_portals++;
                }
        }
        storvirt__conn_discovery_drop_ipv6(t, &n);
        assert_int_equal(n, 2);
        assert_string_equal(t[0].iqn, "iqn.2026-11.org.example:t0");
        assert_int_equal(t[0].n_portals, 1);
        assert_string_equal(t[0].portals[0].address, "10.0.0.5:3260");
        assert_string_equal(t[1].iqn, "iqn.2026-11.org.example:t2");
        storvirt__iscsi_targets_free(t, n);
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
        expect_message("{\"domainType\": 6, \"connectionParams\": [{\"vfstype\": \"xfs\"}]}", -EINVAL,
                       "connection 1: a posixfs connection needs a spec (what to mount)");
        expect_message("{\"type\": \"nfs\"}", -EINVAL,
                       "connection 1: an nfs connection needs an export (server:/path)");
        expect_message("{\"domainType\": \"GlusterFS\", \"connectionParams\": [{\"vfs_type\": "
                       "\"glusterfs\"}]}", -EINVAL,
                       "connection 1: a glusterfs connection needs a spec (server:/volume)");
        expect_message("{\"domainType\": 5, \"connectionParams\": []}", -EOPNOTSUPP,
                       "VDSM parameters: field 'domainType': CIFS (5) connections are not supported");
        expect_message("{\"type\": \"cifs\"}", -EOPNOTSUPP,
                       "connection 1: field 'type': cifs connections are not supported");
}

/* rbd connections: the monitors canonical and written back as a list, the key never. */
static void test_rbd(void **st) {
        const char *key = "AQBTTBVrAAAAABAAl0vD7hPqDwRHXs4a3YQyRw==";
        char json[512], *t;

        (void)st;
        snprintf(json, sizeof(json), "{\"type\": \"rbd\", \"id\": \"c\", \"monitors\": "
                 "[\"mon1\", \"10.0.0.2:3300\", \"[fe80::1]:6789\", \"[::1]\"], \"user\": "
                 "\"vmhost\", \"key\": \"%s\", \"cluster\": \"ceph-2\"}", key);
        t = canonical(json, false);
        assert_string_equal(t, "{\"id\":\"c\",\"type\":\"rbd\",\"monitors\":[\"mon1\","
                               "\"10.0.0.2:3300\",\"[fe80::1]:6789\",\"[::1]\"],\"user\":"
                               "\"vmhost\",\"cluster\":\"ceph-2\"}");
        free(t);
        expect_message("{\"type\": \"rbd\", \"monitors\": [\"m\"], \"user\": \"u\", "
                       "\"key\": \"AAAA\"}", -EINVAL,
                       "connection 1: field 'key': 3 bytes once decoded: a cephx key has 28");
        expect_message("{\"type\": \"rbd\", \"monitors\": [\"m\", 7], \"user\": \"u\"}",
                       -EINVAL, "connection 1: field 'monitors': entry 2: expected a string, got "
                                "a number");
        expect_message("{\"type\": \"rbd\", \"user\": \"u\"}", -EINVAL,
                       "connection 1: an rbd connection needs monitors (a list of "
                       "\"host[:port]\")");
        expect_message("{\"domainType\": \"rbd\", \"connectionParams\": []}", -EINVAL,
                       "VDSM parameters: field 'domainType': not a VDSM storage domain type (1 "
                       "NFS, 2 FCP, 3 ISCSI, 4 LOCALFS, 6 POSIXFS, 7 GLUSTERFS)");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_tables),
                cmocka_unit_test(test_vdsm_spellings),
                cmocka_unit_test(test_vdsm_round_trip),
                cmocka_unit_test(test_vdsm_engine_dicts),
                cmocka_unit_test(test_vdsm_engine_refusals),
                cmocka_unit_test(test_discovery_forms),
                cmocka_unit_test(test_discovery_drop_ipv6),
                cmocka_unit_test(test_read_order),
                cmocka_unit_test(test_key_errors),
                cmocka_unit_test(test_rbd),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
