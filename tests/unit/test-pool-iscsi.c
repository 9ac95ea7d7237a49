/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-pool-iscsi.c - iscsi pools (the kernel initiator) on the umockdev
 * fixture (tests/scripts/gen-testbed.py fixture: map dm-1 is target1
 * reached through portals 127.0.0.1 to .3, as sdh, sdi and sdj).  This
 * machine has no kernel iSCSI initiator: the iscsiadm command lines the
 * pool runs are checked through the command dry-run hook, and the LUNs
 * the login would bring are the testbed's.  Runs as
 * `umockdev-run -d TESTBED -- test-pool-iscsi`.
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
#include <unistd.h>

#include <storvirt.h>

#include "sys/command.h"
#include "util/strv.h"

#define GUID_MAP1 "360014050000000000000000000000065"
#define TARGET1 "iqn.2026-11.example:target1"

static char **ran;

static int dry_run(char *const argv[], char **ret_stdout, void *userdata) {
        char *line = NULL;

        (void)userdata;
        assert_int_equal(storvirt__strv_join(argv, " ", &line), 0);
        assert_int_equal(storvirt__strv_push(&ran, line), 0);
        storvirt__command_set_exit_status(0);
        if (ret_stdout)
                *ret_stdout = strdup("");
        return 0;
}

static bool did(const char *line) {
        return storvirt__strv_contains(ran, line);
}

/* Whether a pool holds stored connection id (a holder "pool:..." in its status). */
static bool held_by_pool(storvirt_ctx *ctx, const char *id) {
        storvirt_connection *c = NULL;
        char *json = NULL;
        bool held;

        assert_int_equal(storvirt_connection_lookup(ctx, id, &c), 0);
        assert_int_equal(storvirt_connection_get_json(c, &json, 0), 0);
        held = strstr(json, "\"pool:") != NULL;
        storvirt_free(json);
        storvirt_connection_unref(c);
        return held;
}

static void test_pool(void **st) {
        char dir[] = "/tmp/storvirt-pool-iscsi-XXXXXX", cmd[128];
        storvirt_ctx *ctx = NULL;
        storvirt_pool *pool = NULL, *chap = NULL;
        storvirt_volume *vol = NULL, **vols = NULL;
        size_t n = 0;

        (void)st;
        assert_non_null(mkdtemp(dir));
        assert_int_equal(storvirt_ctx_new(&ctx, STORVIRT_CTX_NEW_IGNORE_ENV | STORVIRT_CTX_NEW_NO_AUTOSTART), 0);
        assert_int_equal(storvirt_ctx_set_state_dir(ctx, dir, 0), 0);
        storvirt__command_set_dry_run(dry_run, NULL);
        assert_int_equal(storvirt_pool_define_xml(ctx, "<pool type='iscsi'><name>t1</name><source>"
                                                       "<host name='127.0.0.2' port='3260'/>"
                                                       "<device path='" TARGET1 "'/>"
                                                       "<initiator><iqn name='iqn.2026-11.example:host'/></initiator>"
                                                       "</source><target><path>/dev/disk/by-path</path></target>"
                                                       "</pool>", &pool, 0), 0);
        assert_int_equal(storvirt_pool_start(pool, 0), 0);
        assert_true(did("iscsiadm -m node -T " TARGET1 " -p 127.0.0.2:3260 --op=new"));
        assert_true(did("iscsiadm -m node -T " TARGET1 " -p 127.0.0.2:3260 --login"));
        assert_true(did("iscsiadm -m session -R"));
        /* the LUN of target1 through that portal only: one path of map dm-1 */
        assert_int_equal(storvirt_pool_list_volumes(pool, &vols, &n, 0), 0);
        assert_int_equal(n, 1);
        storvirt_volume_list_free(vols);
        assert_int_equal(storvirt_volume_lookup_by_name(pool, "unit:0:0:1", &vol), 0);
        assert_string_equal(storvirt_volume_get_key(vol), GUID_MAP1);
        assert_string_equal(storvirt_volume_get_path(vol), "/dev/sdi");
        storvirt_volume_unref(vol);
        /* stopping logs out (nothing else holds the session) */
        assert_int_equal(storvirt_pool_stop(pool, 0), 0);
        assert_true(did("iscsiadm -m node -T " TARGET1 " -p 127.0.0.2:3260 --logout"));
        assert_true(did("iscsiadm -m node -T " TARGET1 " -p 127.0.0.2:3260 --op=delete"));
        /* CHAP: the secret must come from a stored connection */
        assert_int_equal(storvirt_pool_define_xml(ctx, "<pool type='iscsi'><name>t2</name><source>"
                                                       "<host name='127.0.0.1'/><device path='iqn.2026-11.example:target2'/>"
                                                       "<auth type='chap' username='u'><secret usage='s'/></auth>"
                                                       "</source><target><path>/dev/disk/by-path</path></target>"
                                                       "</pool>", &chap, 0), 0);
        assert_int_equal(storvirt_pool_start(chap, 0), -EACCES);
        assert_non_null(strstr(storvirt_error_message(), "no stored connection"));
        storvirt_pool_unref(chap);
        chap = NULL;
        /* the <auth> names its connection by the usage id of that connection's libvirt secret */
        assert_int_equal(storvirt_connection_define(ctx, "[{\"type\": \"iscsi\", \"id\": \"a-k\", "
                                                         "\"portal\": \"127.0.0.1\", \"target\": "
                                                         "\"iqn.2026-11.example:target3\", \"user\": \"u\", "
                                                         "\"password\": \"p1\"}, {\"type\": \"iscsi\", "
                                                         "\"id\": \"k3\", \"portal\": \"127.0.0.1\", "
                                                         "\"target\": \"iqn.2026-11.example:target3\", "
                                                         "\"user\": \"u\", \"password\": \"p2\"}]",
                                                    NULL, 0), 0);
        assert_int_equal(storvirt_pool_define_xml(ctx, "<pool type='iscsi'><name>t3</name><source>"
                                                       "<host name='127.0.0.1'/><device path='iqn.2026-11.example:target3'/>"
                                                       "<auth type='chap' username='u'><secret usage='libstorvirt-chap-k3'/></auth>"
                                                       "</source><target><path>/dev/disk/by-path</path></target>"
                                                       "</pool>", &chap, 0), 0);
        /* (the dry run makes no node record for the CHAP settings: the login stops there, in k3) */
        assert_int_not_equal(storvirt_pool_start(chap, 0), 0);
        assert_non_null(strstr(storvirt_error_message(), "connection k3: "));
        assert_false(held_by_pool(ctx, "a-k"));
        storvirt__command_set_dry_run(NULL, NULL);
        storvirt__strv_free(ran);
        ran = NULL;
        storvirt_pool_unref(pool);
        storvirt_pool_unref(chap);
        storvirt_ctx_unref(ctx);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        assert_int_equal(system(cmd), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_pool),
        };

        if (access("/sys/block/dm-1/slaves", F_OK) < 0) {
                fprintf(stderr, "run under umockdev-run with the fixture testbed\n");
                return 77;
        }
        return cmocka_run_group_tests(tests, NULL, NULL);
}
