/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-lun-events.c - the LUN events of a context and
 * storvirt_lun_refresh_size() on the made-up host of fakehost.h: its
 * device monitor (a pipe fed with uevents) gives LUNs added, removed,
 * whose path states changed, resized, one event per LUN even for a
 * multipath map and its paths, and what lost uevents said; a resize is announced once, whether the
 * monitor or refresh_size sees it first.
 *
 * The multipath cases are made up because this machine's kernel has no
 * device-mapper: multipathd's resize is the sys-ops slot, recorded.
 * tests/api/test_lun_events.py runs the host's monitor on a umockdev
 * testbed and on real loop devices.
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

#define GUID_A "36001405000000000000000000000aa01"
#define GUID_E "36001405000000000000000000000ee05"
#define GUID_M "36001405000000000000000000000bb02"
#define GIB (1ull << 30)

static char state_dir[] = "/tmp/storvirt-lun-events-XXXXXX";

#define MAX_SEEN 32

struct recorder {
        char lines[MAX_SEEN][256];
        size_t n;
        int deregister_id;        /* > 0: the callback deregisters itself */
        int lookup_r;             /* what a library call made from the callback returned */
};

static void record_cb(storvirt_ctx *ctx, const storvirt_event *e, void *userdata) {
        struct recorder *r = userdata;
        const char *detail = storvirt_event_get_detail(e);

        if (r->n < MAX_SEEN)
                snprintf(r->lines[r->n++], sizeof(r->lines[0]), "%s %s %s%s%s",
                         storvirt_event_type_name((uint32_t)storvirt_event_get_type(e)),
                         storvirt_event_get_name(e), storvirt_event_get_key(e),
                         detail ? " " : "", detail ? detail : "");
        if (r->deregister_id > 0) {
                storvirt_lun *lun = NULL;

                /* a library call that discovers (the LUN snapshot's lock) from the callback */
                r->lookup_r = storvirt_lun_lookup_by_guid(ctx, GUID_A, &lun);
                storvirt_lun_unref(lun);
                assert_int_equal(storvirt_ctx_deregister_event_cb(ctx, r->deregister_id), 0);
        }
}

static storvirt_ctx *ctx_fake(void) {
        storvirt_ctx *ctx = NULL;

        fakehost_reset();
        assert_int_equal(storvirt_ctx_new(&ctx, STORVIRT_CTX_NEW_IGNORE_ENV), 0);
        assert_int_equal(storvirt_ctx_set_state_dir(ctx, state_dir, 0), 0);
        assert_int_equal(storvirt__ctx_set_sysops(ctx, &fakehost_ops), 0);
        fakehost_add_disk("sdb", 8, 16, GUID_A);
        fakehost_add_disk("sdc", 8, 32, GUID_M);
        fakehost_add_disk("sdd", 8, 48, GUID_M);
        fakehost_add_map("dm-1", "mpatha", 1, GUID_M, (const char *const[]){ "sdc", "sdd", NULL });
        return ctx;
}

static int watch(storvirt_ctx *ctx, struct recorder *r, const char *object) {
        int id = storvirt_ctx_register_event_cb(ctx, STORVIRT_EVENT_KIND_LUN, object, record_cb,
                                                r, NULL, 0);

        assert_true(id > 0);
        return id;
}

static void expect_lines(storvirt_ctx *ctx, struct recorder *r, const char *const *want) {
        size_t n = 0;

        r->n = 0;
        assert_true(storvirt_ctx_dispatch_events(ctx, 0, 0) >= 0);
        for (; want[n]; n++) {
                if (n >= r->n)
                        fail_msg("event %zu missing: want '%s', got %zu events", n, want[n], r->n);
                assert_string_equal(r->lines[n], want[n]);
        }
        if (r->n != n)
                fail_msg("%zu events, want %zu; extra: '%s'", r->n, n, r->lines[n]);
}

static void test_monitor_every_change(void **st) {
        storvirt_ctx *ctx = ctx_fake();
        struct recorder r = {};

        (void)st;
        watch(ctx, &r, NULL);
        expect_lines(ctx, &r, (const char *const[]){ NULL });

        fakehost_add_disk("sde", 8, 64, GUID_E);
        fakehost_uevent("add", "sde", false);
        expect_lines(ctx, &r, (const char *const[]){ "lun-added " GUID_E " /dev/sde", NULL });

        /* a partition's uevent is not a LUN's */
        fakehost_dev("sde")->size = 2 * GIB;
        fakehost_uevent("change", "sde", true);
        expect_lines(ctx, &r, (const char *const[]){ NULL });

        /* sde's own uevent: its growth seen by the pass */
        fakehost_uevent("change", "sde", false);
        expect_lines(ctx, &r, (const char *const[]){ "lun-resized " GUID_E " /dev/sde 2147483648",
                                                     NULL });

        /* one path of the map goes offline: one event, the map's */
        fakehost_dev("sdd")->offline = true;
        fakehost_uevent("change", "sdd", false);
        expect_lines(ctx, &r, (const char *const[]){
                "lun-path-changed " GUID_M " /dev/dm-1 sdc:running,sdd:offline", NULL });

        fakehost_dev("sde")->gone = true;
        fakehost_uevent("remove", "sde", false);
        expect_lines(ctx, &r, (const char *const[]){ "lun-removed " GUID_E " /dev/sde", NULL });
        storvirt_ctx_unref(ctx);
}

static void test_monitor_object_filter(void **st) {
        storvirt_ctx *ctx = ctx_fake();
        struct recorder by_node = {}, by_guid = {};

        (void)st;
        watch(ctx, &by_node, "/dev/sdb");
        watch(ctx, &by_guid, GUID_M);
        fakehost_dev("sdb")->size = 3 * GIB;
        fakehost_dev("sdc")->offline = true;
        fakehost_uevent("change", "sdb", false);
        assert_int_equal(storvirt_ctx_dispatch_events(ctx, 0, 0), 2);
        assert_int_equal(by_node.n, 1);
        assert_string_equal(by_node.lines[0], "lun-resized " GUID_A " /dev/sdb 3221225472");
        assert_int_equal(by_guid.n, 1);
        assert_string_equal(by_guid.lines[0],
                            "lun-path-changed " GUID_M " /dev/dm-1 sdc:offline,sdd:running");
        storvirt_ctx_unref(ctx);
}

/* The monitor's queue overflowed: the pass that follows finds what its uevents said. */
static void test_monitor_lost_uevents(void **st) {
        storvirt_ctx *ctx = ctx_fake();
        struct recorder r = {};

        (void)st;
        watch(ctx, &r, NULL);
        fakehost_dev("sdb")->size = 4 * GIB;
        fakehost_add_disk("sde", 8, 64, GUID_E);
        fakehost_uevent("lost", "", false);
        expect_lines(ctx, &r, (const char *const[]){
                "lun-resized " GUID_A " /dev/sdb 4294967296", "lun-added " GUID_E " /dev/sde",
                NULL });
        storvirt_ctx_unref(ctx);
}

static storvirt_lun *lun_of(storvirt_ctx *ctx, const char *guid) {
        storvirt_lun *lun = NULL;

        assert_int_equal(storvirt_lun_lookup_by_guid(ctx, guid, &lun), 0);
        return lun;
}

static void assert_called(const char *line) {
        if (!strstr(fakehost_calls(), line))
                fail_msg("no call '%s' in:\n%s", line, fakehost_calls());
}

static void test_refresh_size_multipath(void **st) {
        storvirt_ctx *ctx = ctx_fake();
        struct recorder r = {};
        storvirt_lun *lun = lun_of(ctx, GUID_M), *again;
        uint64_t old = 0, now = 0, cap = 0;

        (void)st;
        watch(ctx, &r, NULL);
        /* the LUN grew on the array: its paths see it, the map not yet */
        fakehost_dev("sdc")->size = 2 * GIB;
        fakehost_dev("sdd")->size = 2 * GIB;
        assert_int_equal(storvirt_lun_refresh_size(lun, &old, &now, 0), 0);
        assert_called("rescan sdc\nrescan sdd\nmultipathd resize map mpatha\n");
        assert_true(old == GIB);
        assert_true(now == 2 * GIB);
        assert_int_equal(fakehost_dev("dm-1")->size, 2 * GIB);
        /* the handle keeps its snapshot; a new lookup sees the new size */
        assert_int_equal(storvirt_lun_get_geometry(lun, &cap, NULL, NULL, NULL, NULL), 0);
        assert_true(cap == GIB);
        again = lun_of(ctx, GUID_M);
        assert_int_equal(storvirt_lun_get_geometry(again, &cap, NULL, NULL, NULL, NULL), 0);
        assert_true(cap == 2 * GIB);
        storvirt_lun_unref(again);
        /* the kernel's uevents of the same change: still one event */
        fakehost_uevent("change", "dm-1", false);
        fakehost_uevent("change", "sdc", false);
        expect_lines(ctx, &r, (const char *const[]){
                "lun-resized " GUID_M " /dev/dm-1 2147483648", NULL });
        /* refreshed again, nothing changed: no event, no resize of the map */
        assert_int_equal(storvirt_lun_refresh_size(lun, &old, &now, 0), 0);
        assert_true(now == 2 * GIB);
        expect_lines(ctx, &r, (const char *const[]){ NULL });
        storvirt_lun_unref(lun);
        storvirt_ctx_unref(ctx);
}

static void test_refresh_size_monitor_first(void **st) {
        storvirt_ctx *ctx = ctx_fake();
        struct recorder r = {};
        storvirt_lun *lun = lun_of(ctx, GUID_A);
        uint64_t old = 0, now = 0;

        (void)st;
        watch(ctx, &r, NULL);
        fakehost_dev("sdb")->size = 5 * GIB;
        fakehost_uevent("change", "sdb", false);
        expect_lines(ctx, &r, (const char *const[]){
                "lun-resized " GUID_A " /dev/sdb 5368709120", NULL });
        assert_int_equal(storvirt_lun_refresh_size(lun, &old, &now, 0), 0);
        assert_true(old == GIB && now == 5 * GIB);
        assert_called("rescan sdb\n");
        expect_lines(ctx, &r, (const char *const[]){ NULL });
        storvirt_lun_unref(lun);
        storvirt_ctx_unref(ctx);
}

static void test_refresh_size_without_multipathd(void **st) {
        storvirt_ctx *ctx = ctx_fake();
        storvirt_lun *lun = lun_of(ctx, GUID_M);
        uint64_t old = 7, now = 7;
        const char *msg;

        (void)st;
        fakehost_set_multipathd(false);
        /* paths and map agree: multipathd is not needed */
        assert_int_equal(storvirt_lun_refresh_size(lun, &old, &now, 0), 0);
        assert_true(old == GIB && now == GIB);
        fakehost_dev("sdc")->size = 2 * GIB;
        fakehost_dev("sdd")->size = 2 * GIB;
        old = now = 7;
        assert_int_equal(storvirt_lun_refresh_size(lun, &old, &now, 0), -EOPNOTSUPP);
        msg = storvirt_error_message();
        assert_non_null(msg);
        assert_non_null(strstr(msg, "mpatha"));
        assert_non_null(strstr(msg, "multipathd"));
        assert_non_null(strstr(msg, "2147483648"));
        assert_true(old == 7 && now == 7);   /* outputs written only on success */
        storvirt_lun_unref(lun);
        storvirt_ctx_unref(ctx);
}

static void test_refresh_size_bad_arguments(void **st) {
        storvirt_ctx *ctx = ctx_fake();
        storvirt_lun *lun = lun_of(ctx, GUID_A);

        (void)st;
        assert_int_equal(storvirt_lun_refresh_size(NULL, NULL, NULL, 0), -EINVAL);
        assert_int_equal(storvirt_lun_refresh_size(lun, NULL, NULL, 1u << 5), -EINVAL);
        assert_non_null(strstr(storvirt_error_message(), "flags"));
        /* the device went away */
        fakehost_dev("sdb")->gone = true;
        assert_int_equal(storvirt_lun_refresh_size(lun, NULL, NULL, 0), -ENODEV);
        assert_non_null(strstr(storvirt_error_message(), GUID_A));
        storvirt_lun_unref(lun);
        storvirt_ctx_unref(ctx);
}

/* A LUN callback that calls the library (a lookup: a discovery pass) and deregisters itself. */
static void test_callback_deregisters_itself(void **st) {
        storvirt_ctx *ctx = ctx_fake();
        struct recorder r = {}, other = {};

        (void)st;
        r.deregister_id = watch(ctx, &r, NULL);
        watch(ctx, &other, NULL);
        fakehost_dev("sdb")->size = 2 * GIB;
        fakehost_dev("sdc")->offline = true;
        fakehost_uevent("change", "sdb", false);
        assert_int_equal(storvirt_ctx_dispatch_events(ctx, 0, 0), 3);
        assert_int_equal(r.n, 1);
        assert_int_equal(r.lookup_r, 0);
        assert_int_equal(other.n, 2);
        fakehost_dev("sdb")->size = 3 * GIB;
        fakehost_uevent("change", "sdb", false);
        assert_int_equal(storvirt_ctx_dispatch_events(ctx, 0, 0), 1);
        assert_int_equal(r.n, 1);
        assert_int_equal(other.n, 3);
        assert_int_equal(storvirt_ctx_deregister_event_cb(ctx, r.deregister_id), -ENOENT);
        storvirt_ctx_unref(ctx);
}

static int setup(void **st) {
        (void)st;
        return mkdtemp(state_dir) ? 0 : -1;
}

static int teardown(void **st) {
        char cmd[128];

        (void)st;
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", state_dir);
        return system(cmd) == 0 ? 0 : -1;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_monitor_every_change),
                cmocka_unit_test(test_monitor_object_filter),
                cmocka_unit_test(test_monitor_lost_uevents),
                cmocka_unit_test(test_refresh_size_multipath),
                cmocka_unit_test(test_refresh_size_monitor_first),
                cmocka_unit_test(test_refresh_size_without_multipathd),
                cmocka_unit_test(test_refresh_size_bad_arguments),
                cmocka_unit_test(test_callback_deregisters_itself),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
