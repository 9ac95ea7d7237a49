/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-identity.c - the identity check made before a LUN's path is
 * handed out, against a made-up host (fakehost.h): a disk sdb, a
 * multipath map mpatha (dm-1) over sdc and sdd, and a disk sde of
 * another LUN.  After discovery the host changes under the library:
 * another LUN answers at sdb's number (stale), the node /dev/sdb leads
 * to another device (swapped), a member path of the map carries another
 * WWID or goes away, the map itself is another LUN's, the device is gone
 * (vanished), the node is a file, the filesystem on a LUN changed.  Each
 * resolution must refuse what is not the LUN asked for, name what is
 * there, and hand out what still is.  test-resolve.c does the same on a
 * umockdev sysfs tree.
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
#include "resolve/resolve.h"
#include "fakehost.h"

#define GUID_A "36001405000000000000000000000aa01"
#define GUID_M "36001405000000000000000000000bb02"
#define GUID_B "36001405000000000000000000000cc03"
#define OTHER "36001405000000000000000000000ff09"
#define FS_U "5b0e8a4c-1d2e-4f30-9a1b-2c3d4e5f6a7b"

static storvirt_ctx *ctx;
static char state_dir[] = "/tmp/storvirt-identity-XXXXXX";

static void describe_host(void) {
        fakehost_reset();
        fakehost_add_disk("sdb", 8, 16, GUID_A);
        fakehost_add_disk("sdc", 8, 32, GUID_M);
        fakehost_add_disk("sdd", 8, 48, GUID_M);
        fakehost_add_disk("sde", 8, 64, GUID_B);
        snprintf(fakehost_dev("sde")->fs_uuid, sizeof(fakehost_dev("sde")->fs_uuid), FS_U);
        fakehost_add_map("dm-1", "mpatha", 1, GUID_M, (const char *const[]){ "sdc", "sdd", NULL });
}

/* A fresh host, discovered. */
static int setup(void **st) {
        (void)st;
        describe_host();
        assert_int_equal(storvirt_lun_refresh(ctx, 0), 0);
        return 0;
}

static int group_setup(void **st) {
        (void)st;
        assert_non_null(mkdtemp(state_dir));
        assert_int_equal(storvirt_ctx_new(&ctx, STORVIRT_CTX_NEW_IGNORE_ENV), 0);
        assert_int_equal(storvirt_ctx_set_state_dir(ctx, state_dir, 0), 0);
        assert_int_equal(storvirt__ctx_set_sysops(ctx, &fakehost_ops), 0);
        return 0;
}

static int group_teardown(void **st) {
        char cmd[128];

        (void)st;
        storvirt_ctx_unref(ctx);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", state_dir);
        return system(cmd) == 0 ? 0 : -1;
}

/* Resolves a spec without a new discovery: the XML, or NULL with *ret < 0. */
static char *resolve(const char *json, int *ret) {
        storvirt_disk_spec *spec = NULL;
        char *out = NULL;

        assert_int_equal(storvirt_disk_spec_from_json(json, &spec, 0), 0);
        *ret = storvirt_resolve_disk(ctx, spec, &out, STORVIRT_RESOLVE_NO_REFRESH);
        storvirt_disk_spec_free(spec);
        return out;
}

static void assert_source(const char *json, const char *path) {
        char want[256];
        char *xml;
        int r;

        xml = resolve(json, &r);
        if (r < 0)
                fail_msg("%s: %s", json, storvirt_error_message());
        snprintf(want, sizeof(want), "<source dev=\"%s\"", path);
        if (!strstr(xml, want))
                fail_msg("no %s in\n%s", want, xml);
        storvirt_free(xml);
}

/* The resolution fails with err and a message holding every needle (NULL-terminated). */
static void assert_refused(const char *json, int err, ...) {
        const char *msg, *needle;
        va_list ap;
        char *xml;
        int r;

        xml = resolve(json, &r);
        assert_null(xml);
        msg = storvirt_error_message();
        if (r != err)
                fail_msg("%s: want %d, got %d (%s)", json, err, r, msg ? msg : "no message");
        va_start(ap, err);
        while ((needle = va_arg(ap, const char *)))
                if (!msg || !strstr(msg, needle))
                        fail_msg("message '%s' lacks '%s'", msg ? msg : "", needle);
        va_end(ap);
}

#define SPEC(guid) "{\"GUID\": \"" guid "\"}"

static void test_fresh(void **st) {
        (void)st;
        assert_source(SPEC(GUID_A), "/dev/sdb");
        assert_source(SPEC(GUID_M), "/dev/mapper/mpatha");
        assert_source("{\"UUID\": \"" FS_U "\"}", "/dev/sde");
        assert_int_equal(storvirt__resolve_check_guid(ctx, "/dev/mapper/mpatha", GUID_M), 0);
}

/* Another LUN answers at sdb's device number: its path is stale. */
static void test_stale_device(void **st) {
        (void)st;
        snprintf(fakehost_dev("sdb")->guid, STORVIRT__WWID_MAX, OTHER);
        assert_refused(SPEC(GUID_A), -ESTALE, "'/dev/sdb' (8:16, sdb) is WWID " OTHER,
                       "expected " GUID_A, "refusing a stale path", NULL);
        snprintf(fakehost_dev("sdb")->guid, STORVIRT__WWID_MAX, GUID_A);
        assert_source(SPEC(GUID_A), "/dev/sdb");
}

/* The node /dev/sdb now leads to another device (sde, another LUN). */
static void test_swapped_device(void **st) {
        (void)st;
        fakehost_set_node("/dev/sdb", 8, 64, false);
        assert_refused(SPEC(GUID_A), -ESTALE, "'/dev/sdb' (8:64, sde) is WWID " GUID_B,
                       "expected " GUID_A, NULL);
        /* and the other way round: sdb and sde swapped their numbers */
        fakehost_set_node("/dev/sde", 8, 16, false);
        assert_refused("{\"UUID\": \"" FS_U "\"}", -ESTALE, "/dev/sde", NULL);
}

/* A path of the map now reaches another LUN: the whole map is refused. */
static void test_map_member_stale(void **st) {
        (void)st;
        snprintf(fakehost_dev("sdd")->guid, STORVIRT__WWID_MAX, OTHER);
        assert_refused(SPEC(GUID_M), -ESTALE, "'/dev/mapper/mpatha' (dm-1): member path sdd is "
                       "WWID " OTHER, "expected " GUID_M, "a map with a stale path", NULL);
}

/* A map that loses a path, or has one failed, is still that LUN. */
static void test_map_loses_path(void **st) {
        (void)st;
        fakehost_fail_member("dm-1", "sdd");
        assert_source(SPEC(GUID_M), "/dev/mapper/mpatha");
        fakehost_drop_member("dm-1", "sdd");
        fakehost_dev("sdd")->gone = true;
        assert_source(SPEC(GUID_M), "/dev/mapper/mpatha");
        /* the path left then carries another LUN */
        snprintf(fakehost_dev("sdc")->guid, STORVIRT__WWID_MAX, OTHER);
        assert_refused(SPEC(GUID_M), -ESTALE, "member path sdc is WWID " OTHER, NULL);
}

/* The map's name now belongs to a map of another LUN. */
static void test_map_of_another_lun(void **st) {
        (void)st;
        snprintf(fakehost_dev("dm-1")->guid, STORVIRT__WWID_MAX, OTHER);
        assert_refused(SPEC(GUID_M), -ESTALE, "'/dev/mapper/mpatha' (253:1, dm-1) is WWID " OTHER,
                       NULL);
}

/* The device is gone: its number has no device, or its node is gone too. */
static void test_vanished(void **st) {
        (void)st;
        fakehost_dev("sdb")->gone = true;
        assert_refused(SPEC(GUID_A), -ENODEV, "'/dev/sdb' (8:16): no such device any more",
                       "expected WWID " GUID_A, NULL);
        fakehost_remove_node("/dev/sdb");
        assert_refused(SPEC(GUID_A), -ENODEV, "'/dev/sdb'", "expected WWID " GUID_A, NULL);
        fakehost_dev("dm-1")->gone = true;
        fakehost_remove_node("/dev/mapper/mpatha");
        fakehost_remove_node("/dev/dm-1");
        assert_refused(SPEC(GUID_M), -ENODEV, "'/dev/dm-1'", "expected WWID " GUID_M, NULL);
}

/* A path that is a file now. */
static void test_not_a_block_device(void **st) {
        (void)st;
        fakehost_set_node("/dev/sdb", 0, 0, true);
        assert_refused(SPEC(GUID_A), -ESTALE, "'/dev/sdb' is no longer a block device",
                       "expected the LUN with WWID " GUID_A, NULL);
}

/* Another filesystem on the LUN found by its UUID. */
static void test_fs_uuid_changed(void **st) {
        (void)st;
        snprintf(fakehost_dev("sde")->fs_uuid, sizeof(fakehost_dev("sde")->fs_uuid),
                 "00000000-1111-2222-3333-444444444444");
        assert_refused("{\"UUID\": \"" FS_U "\"}", -ESTALE,
                       "'/dev/sde' now carries UUID 00000000-1111-2222-3333-444444444444",
                       "expected " FS_U, NULL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup(test_fresh, setup),
                cmocka_unit_test_setup(test_stale_device, setup),
                cmocka_unit_test_setup(test_swapped_device, setup),
                cmocka_unit_test_setup(test_map_member_stale, setup),
                cmocka_unit_test_setup(test_map_loses_path, setup),
                cmocka_unit_test_setup(test_map_of_another_lun, setup),
                cmocka_unit_test_setup(test_vanished, setup),
                cmocka_unit_test_setup(test_not_a_block_device, setup),
                cmocka_unit_test_setup(test_fs_uuid_changed, setup),
        };

        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
