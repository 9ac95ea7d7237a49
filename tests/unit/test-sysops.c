/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-sysops.c - the sys-ops table of a context: the slots a given
 * table leaves NULL are the host's, and what the connectors and the
 * mpath pool ask of the host goes through the context's table (here the
 * made-up host of fakehost.h, which records the calls): the kernel
 * initiator's login and logout with the node and its CHAP user, a
 * direct scan, an NFS mount and its unmount, the multipath maps with a
 * failed path and after a path is gone.  test-connection.c runs the
 * host's connectors (their iscsiadm and mount command lines), and
 * test-pool-mpath.c the host's device-mapper slots under libdevmapper
 * wraps.
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

#include "objects/ctx.h"
#include "fakehost.h"

#define GUID_M "36001405000000000000000000000bb02"
#define IQN "iqn.2026-01.org.example:target1"

static char state_dir[] = "/tmp/storvirt-sysops-XXXXXX";

static storvirt_ctx *ctx_fake(void) {
        storvirt_ctx *ctx = NULL;

        assert_int_equal(storvirt_ctx_new(&ctx, STORVIRT_CTX_NEW_IGNORE_ENV), 0);
        assert_int_equal(storvirt_ctx_set_state_dir(ctx, state_dir, 0), 0);
        assert_int_equal(storvirt__ctx_set_sysops(ctx, &fakehost_ops), 0);
        fakehost_reset();
        return ctx;
}

static void assert_called(const char *line) {
        if (!strstr(fakehost_calls(), line))
                fail_msg("no call '%s' in:\n%s", line, fakehost_calls());
}

static void test_null_slots_are_the_hosts(void **st) {
        static const storvirt__sysops empty = { .name = NULL };
        storvirt_ctx *ctx = NULL;
        const storvirt__sysops *o;

        (void)st;
        assert_int_equal(storvirt_ctx_new(&ctx, STORVIRT_CTX_NEW_IGNORE_ENV), 0);
        assert_ptr_equal(storvirt__ctx_sysops(ctx), &storvirt__sysops_host);
        /* every slot, whatever it is called */
        assert_int_equal(storvirt__ctx_set_sysops(ctx, &empty), 0);
        o = storvirt__ctx_sysops(ctx);
        assert_ptr_not_equal(o, &storvirt__sysops_host);
        assert_memory_equal(o, &storvirt__sysops_host, sizeof(*o));
        /* a partial table keeps its own slots */
        assert_int_equal(storvirt__ctx_set_sysops(ctx, &fakehost_ops), 0);
        o = storvirt__ctx_sysops(ctx);
        assert_string_equal(o->name, "fakehost");
        assert_ptr_equal(o->ident_read, fakehost_ops.ident_read);
        assert_ptr_equal(o->pt_read, storvirt__sysops_host.pt_read);
        assert_ptr_equal(o->mount_block, storvirt__sysops_host.mount_block);
        /* and the host's again */
        assert_int_equal(storvirt__ctx_set_sysops(ctx, NULL), 0);
        assert_ptr_equal(storvirt__ctx_sysops(ctx), &storvirt__sysops_host);
        storvirt_ctx_unref(ctx);
}

static storvirt_connection *define_one(storvirt_ctx *ctx, const char *json) {
        storvirt_connection *c = NULL;
        char **ids = NULL;

        if (storvirt_connection_define(ctx, json, &ids, 0) < 0)
                fail_msg("define: %s", storvirt_error_message());
        assert_int_equal(storvirt_connection_lookup(ctx, ids[0], &c), 0);
        storvirt_strv_free(ids);
        return c;
}

static void test_connectors(void **st) {
        storvirt_ctx *ctx = ctx_fake();
        storvirt_connection *c;
        char want[512];

        (void)st;
        c = define_one(ctx, "{\"type\": \"iscsi\", \"portal\": \"[fd00::5]:3262\", \"tpgt\": 4, "
                            "\"target\": \"" IQN "\", \"user\": \"host1\", \"password\": \"s3cret-1\", "
                            "\"mutual_user\": \"array\", \"mutual_password\": \"s3cret-2\", "
                            "\"iface\": \"iser0\"}");
        assert_int_equal(storvirt_connection_connect(c, "vm-1", 0, 0), 1);
        assert_called("login " IQN " [fd00::5]:3262 tpgt=4 iface=iser0 chap=host1 with a password "
                      "mutual\n");
        assert_int_equal(storvirt_connection_disconnect(c, "vm-1", 0), 1);
        assert_called("logout " IQN " [fd00::5]:3262\n");
        storvirt_connection_unref(c);

        c = define_one(ctx, "{\"type\": \"iscsi\", \"portal\": \"192.0.2.7\", \"target\": \"" IQN
                            "\", \"driver\": \"direct\"}");
        assert_int_equal(storvirt_connection_connect(c, NULL, 0, 0), 1);
        assert_called("scan " IQN " 192.0.2.7:3260\n");
        storvirt_connection_unref(c);

        c = define_one(ctx, "{\"type\": \"nfs\", \"export\": \"nfs1.example.org:/exports/vm\", "
                            "\"version\": \"4.1\"}");
        assert_int_equal(storvirt_connection_connect(c, NULL, 0, 0), 1);
        snprintf(want, sizeof(want), "mount nfs nfs1.example.org:/exports/vm "
                 "%s/mnt/nfs1.example.org:_exports_vm soft,nosharecache,timeo=100,retrans=3,"
                 "vers=4.1\n", state_dir);
        assert_called(want);
        assert_int_equal(storvirt_connection_disconnect(c, NULL, 0), 1);
        snprintf(want, sizeof(want), "umount %s/mnt/nfs1.example.org:_exports_vm\n", state_dir);
        assert_called(want);
        storvirt_connection_unref(c);
        storvirt_ctx_unref(ctx);
}

static char logged[4096];

static void log_fn(storvirt_ctx *ctx, int priority, const char *msg, void *userdata) {
        (void)ctx;
        (void)userdata;
        if (priority <= STORVIRT_LOG_WARNING)
                snprintf(logged + strlen(logged), sizeof(logged) - strlen(logged), "%s\n", msg);
}

/* The volumes of an mpath pool, refreshed: how many there are. */
static size_t refreshed_volumes(storvirt_pool *pool) {
        storvirt_volume **vols = NULL;
        size_t n = 0;

        assert_int_equal(storvirt_pool_refresh(pool, 0), 0);
        assert_int_equal(storvirt_pool_list_volumes(pool, &vols, &n, 0), 0);
        storvirt_volume_list_free(vols);
        return n;
}

static void test_mpath_maps(void **st) {
        storvirt_ctx *ctx = ctx_fake();
        storvirt_pool *pool = NULL;
        storvirt_volume *vol = NULL;

        (void)st;
        fakehost_add_disk("sdc", 8, 32, GUID_M);
        fakehost_add_disk("sdd", 8, 48, GUID_M);
        fakehost_add_map("dm-1", "mpatha", 1, GUID_M, (const char *const[]){ "sdc", "sdd", NULL });
        fakehost_fail_member("dm-1", "sdd");
        assert_int_equal(storvirt_ctx_set_log_fn(ctx, log_fn, NULL, NULL), 0);
        assert_int_equal(storvirt_ctx_set_log_priority(ctx, STORVIRT_LOG_WARNING), 0);
        assert_int_equal(storvirt_pool_define_xml(ctx, "<pool type='mpath'><name>mp</name><target>"
                                                       "<path>/dev/mapper</path></target></pool>",
                                                  &pool, 0), 0);
        assert_int_equal(storvirt_pool_start(pool, 0), 0);
        assert_int_equal(storvirt_volume_lookup_by_name(pool, GUID_M, &vol), 0);
        assert_string_equal(storvirt_volume_get_path(vol), "/dev/mapper/mpatha");
        storvirt_volume_unref(vol);
        assert_non_null(strstr(logged, "map mpatha (" GUID_M "): 1 of 2 paths failed"));
        /* the failed path dropped: the map stays, nothing failed any more */
        logged[0] = '\0';
        fakehost_drop_member("dm-1", "sdd");
        assert_int_equal(refreshed_volumes(pool), 1);
        assert_null(strstr(logged, "failed"));
        /* the map gone */
        fakehost_dev("dm-1")->gone = true;
        assert_int_equal(refreshed_volumes(pool), 0);
        assert_int_equal(storvirt_pool_stop(pool, 0), 0);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
}

static int group_setup(void **st) {
        (void)st;
        return mkdtemp(state_dir) ? 0 : -1;
}

static int group_teardown(void **st) {
        char cmd[128];

        (void)st;
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", state_dir);
        return system(cmd) == 0 ? 0 : -1;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_null_slots_are_the_hosts),
                cmocka_unit_test(test_connectors),
                cmocka_unit_test(test_mpath_maps),
        };

        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
