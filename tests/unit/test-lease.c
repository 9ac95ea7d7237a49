/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-lease.c - lockspaces and vDisk leases against made-up sanlock
 * daemons (unit/fakesanlock.c: the sanlock slots of the sys-ops table),
 * two or three hosts in one process, each its own state directory; no
 * root, no daemon.  A lease another host holds refuses acquire, prepare
 * and import with -EBUSY naming its host id; a migration's prepare is
 * not refused and takes nothing; an HA restart's prepare waits until the
 * crashed holder is dead, or says how long it may take; a join starts
 * without waiting and reports its progress; a host id another host holds
 * is refused; a lease area that is gone is a clear error; an offset is
 * only for a region of a block device.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <storvirt.h>

#include "fakesanlock.h"
#include "lease/lease.h"
#include "objects/ctx.h"

static char base[64], shared[96], area[128], disk[128];
static storvirt_ctx *hosts[4];

static storvirt_ctx *host(unsigned n) {
        fakesanlock_be_host(n);
        return hosts[n];
}

static int setup(void **st) {
        int fd;

        (void)st;
        snprintf(base, sizeof(base), "/tmp/storvirt-lease.XXXXXX");
        if (!mkdtemp(base))
                return -1;
        snprintf(shared, sizeof(shared), "%s/shared", base);
        snprintf(area, sizeof(area), "%s/leases", shared);
        snprintf(disk, sizeof(disk), "%s/disk.img", shared);
        if (mkdir(shared, 0700) < 0)
                return -1;
        fd = open(disk, O_CREAT | O_WRONLY, 0600);
        if (fd < 0 || write(fd, "guest data", 10) != 10 || ftruncate(fd, 1 << 20) < 0)
                return -1;
        close(fd);
        fakesanlock_reset();
        for (unsigned n = 1; n <= 3; n++) {
                char state[128];

                snprintf(state, sizeof(state), "%s/state%u", base, n);
                if (storvirt_ctx_new(&hosts[n], 0) < 0 ||
                    storvirt_ctx_set_state_dir(hosts[n], state, 0) < 0 ||
                    storvirt__ctx_set_sysops(hosts[n], &fakesanlock_ops) < 0)
                        return -1;
        }
        return 0;
}

static int teardown(void **st) {
        char cmd[128];

        (void)st;
        for (unsigned n = 1; n <= 3; n++)
                hosts[n] = storvirt_ctx_unref(hosts[n]);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
        return system(cmd) == 0 ? 0 : -1;
}

static void assert_msg(int r, int want, const char *part) {
        if (r != want || !strstr(storvirt_error_message(), part))
                fail_msg("got %d \"%s\"; want %d with \"%s\"", r, storvirt_error_message(), want,
                         part);
}

static char *status_json(storvirt_ctx *ctx, const char *name) {
        char *json = NULL;
        int r = storvirt_lockspace_status(ctx, name, &json, 0);

        if (r < 0)
                fail_msg("lockspace status %s: %s", name, storvirt_error_message());
        return json;
}

/* Lockspace LS with hosts 1 and 2 in it (host ids 1 and 2). */
static void two_hosts_joined(void) {
        assert_int_equal(storvirt_lockspace_create(host(1), "LS", area, 1, 4, 0), 0);
        assert_int_equal(storvirt_lockspace_join(host(1), "LS", NULL, 0, 0), 0);
        assert_int_equal(storvirt_lockspace_join(host(2), "LS", area, 0, 0), 0);
}

static storvirt_vdisk *import(storvirt_ctx *ctx, int want) {
        storvirt_disk_spec *s = NULL;
        storvirt_vdisk *v = NULL;
        char json[256];
        int r;

        snprintf(json, sizeof(json), "{\"path\": \"%s\"}", disk);
        assert_int_equal(storvirt_disk_spec_from_json(json, &s, 0), 0);
        r = storvirt_vdisk_import(ctx, s, NULL, 0, &v);
        storvirt_disk_spec_free(s);
        if (want >= 0 && r < 0)
                fail_msg("import: %s", storvirt_error_message());
        if (want < 0)
                assert_int_equal(r, want);
        return v;
}

/* ---- leases -------------------------------------------------------------------------------- */

static void test_other_host_refused_naming_it(void **st) {
        storvirt_vdisk *v1, *v2;
        char want[160];

        (void)st;
        two_hosts_joined();
        v1 = import(host(1), 0);
        v2 = import(host(2), 1);
        fakesanlock_be_host(1);
        assert_int_equal(storvirt_vdisk_lease_acquire(v1, 0, 0), 0);
        snprintf(want, sizeof(want), "vDisk %s: its lease is held by host id 1 of lockspace LS",
                 storvirt_vdisk_get_id(v1));
        fakesanlock_be_host(2);
        assert_msg(storvirt_vdisk_lease_acquire(v2, 0, 0), -EBUSY, want);
        assert_msg(storvirt_vdisk_prepare(v2, "vm2", 1000, NULL, 0), -EBUSY, want);
        /* taking in data another host runs on: refused too */
        storvirt_vdisk_unref(import(host(2), -EBUSY));
        assert_msg(-EBUSY, -EBUSY, want);
        /* a migration's destination: no refusal, and nothing acquired */
        unsigned acquires = fakesanlock_calls("acquire");
        assert_int_equal(storvirt_vdisk_prepare(v2, "vm-mig", 1000, NULL,
                                                STORVIRT_VDISK_PREPARE_MIGRATION), 0);
        assert_int_equal(fakesanlock_calls("acquire"), acquires);
        assert_int_equal(storvirt_vdisk_prepare(v2, "vm-x", 1000, NULL,
                                                STORVIRT_VDISK_PREPARE_MIGRATION |
                                                STORVIRT_VDISK_PREPARE_HA_RESTART), -EINVAL);
        /* released on host 1: host 2 has it */
        fakesanlock_be_host(1);
        assert_int_equal(storvirt_vdisk_lease_release(v1, 0, 0), 0);
        fakesanlock_be_host(2);
        assert_int_equal(storvirt_vdisk_lease_acquire(v2, 0, 0), 0);
        storvirt_vdisk_unref(v1);
        storvirt_vdisk_unref(v2);
}

static void test_ha_restart_waits_out_a_crashed_host(void **st) {
        storvirt_vdisk *v1, *v2;

        (void)st;
        two_hosts_joined();
        v1 = import(host(1), 0);
        v2 = import(host(2), 1);
        fakesanlock_be_host(1);
        assert_int_equal(storvirt_vdisk_lease_acquire(v1, 0, 0), 0);
        fakesanlock_crash_host(1, 4); /* seen failing 4 times, then dead */
        fakesanlock_be_host(2);
        /* a plain prepare: refused at once */
        assert_msg(storvirt_vdisk_prepare(v2, "vm", 1000, NULL, 0), -EBUSY, "held by host id 1");
        /* an HA restart with too little time: busy, with how long it may take */
        assert_msg(storvirt_vdisk_prepare(v2, "vm", 1, NULL, STORVIRT_VDISK_PREPARE_HA_RESTART),
                   -EBUSY, "whose host is fail; sanlock finds a host dead 68 s (8 x io timeout "
                           "1 s + 60 s) after its last renewal: at most 60 s more");
        /* ... with enough: waited out, never broken (nothing acquired or released) */
        unsigned acquires = fakesanlock_calls("acquire"), releases = fakesanlock_calls("release");
        assert_int_equal(storvirt_vdisk_prepare(v2, "vm", 10000, NULL,
                                                STORVIRT_VDISK_PREPARE_HA_RESTART), 0);
        assert_int_equal(fakesanlock_calls("acquire"), acquires);
        assert_int_equal(fakesanlock_calls("release"), releases);
        assert_int_equal(storvirt_vdisk_lease_acquire(v2, 0, 0), 0);
        storvirt_vdisk_unref(v1);
        storvirt_vdisk_unref(v2);
}

/* ---- lockspaces ---------------------------------------------------------------------------- */

struct logged {
        char text[4096];
};

static void log_cb(storvirt_ctx *ctx, int priority, const char *msg, void *userdata) {
        struct logged *l = userdata;
        size_t n = strlen(l->text);

        (void)ctx, (void)priority;
        snprintf(l->text + n, sizeof(l->text) - n, "%s\n", msg);
}

static void test_join_reports_progress(void **st) {
        struct logged logged = { "" };
        char *json;

        (void)st;
        assert_int_equal(storvirt_lockspace_create(host(1), "LS", area, 2, 1, 0), 0);
        fakesanlock_set_join_polls(1);
        /* started, not waited for */
        assert_int_equal(storvirt_lockspace_join(host(1), "LS", NULL, 0, 0), 0);
        json = status_json(host(1), "LS");
        assert_non_null(strstr(json, "\"state\":\"joining\""));
        assert_non_null(strstr(json, "\"elapsed_ms\":"));
        assert_non_null(strstr(json, "\"expected_ms\":5000")); /* 2 x io timeout 2 s + 1 s */
        assert_null(strstr(json, "join_ms"));
        storvirt_free(json);
        json = status_json(host(1), "LS");
        assert_non_null(strstr(json, "\"state\":\"joined\""));
        assert_non_null(strstr(json, "\"join_ms\":"));
        assert_non_null(strstr(json, "\"host_id\":1"));
        storvirt_free(json);
        assert_int_equal(storvirt_lockspace_join(host(1), "LS", NULL, 0, 0), 1);
        /* a caller that waits (prepare) is told of the join once a second */
        fakesanlock_set_join_polls(13);
        assert_int_equal(storvirt_ctx_set_log_fn(host(2), log_cb, &logged, NULL), 0);
        assert_int_equal(storvirt_ctx_set_log_priority(host(2), STORVIRT_LOG_INFO), 0);
        assert_int_equal(storvirt_lockspace_join(host(2), "LS", area, 0, 0), 0);
        assert_int_equal(storvirt__lockspace_ensure_joined(host(2), "LS", 10000), 0);
        if (!strstr(logged.text, "joining lockspace LS as host id 2: 1."))
                fail_msg("no progress logged: \"%s\"", logged.text);
        /* a wait too short: -ETIMEDOUT, still joining */
        fakesanlock_set_join_polls(100);
        assert_int_equal(storvirt_lockspace_leave(host(2), "LS", 0), 0);
        assert_int_equal(storvirt_lockspace_join(host(2), "LS", NULL, 0, 0), 0);
        assert_msg(storvirt__lockspace_ensure_joined(host(2), "LS", 300), -ETIMEDOUT,
                   "lockspace LS: still joining after 300 ms");
}

static void test_host_id_collision_refused(void **st) {
        char *json;

        (void)st;
        two_hosts_joined();
        /* a third host asks for host 1's id */
        assert_msg(storvirt_lockspace_join(host(3), "LS", area, 1, 0), -EBUSY,
                   "host id 1 of lockspace LS is taken: host 'host1' holds it");
        json = status_json(host(3), "LS");
        assert_non_null(strstr(json, "\"host_id\":null"));
        storvirt_free(json);
        /* left to itself, it takes an id no host has written */
        assert_int_equal(storvirt_lockspace_join(host(3), "LS", NULL, 0, 0), 0);
        json = status_json(host(3), "LS");
        assert_non_null(strstr(json, "\"host_id\":3"));
        storvirt_free(json);
        /* a host in the lockspace under one id asks for another */
        assert_msg(storvirt_lockspace_join(host(2), "LS", NULL, 3, 0), -EBUSY,
                   "this host is in lockspace LS as host id 2: leave it first");
        assert_int_equal(storvirt_lockspace_join(host(1), "LS", NULL, 2001, 0), -EINVAL);
}

static void test_lost_lease_area(void **st) {
        char want[192], *json = NULL;
        storvirt_vdisk *v;

        (void)st;
        two_hosts_joined();
        v = import(host(1), 0);
        assert_int_equal(unlink(area), 0);
        snprintf(want, sizeof(want), "lease area '%s' of lockspace LS", area);
        assert_msg(storvirt_lockspace_status(host(1), "LS", &json, 0), -ENOENT, want);
        assert_null(json);
        assert_msg(storvirt_lockspace_join(host(3), "LS", area, 0, 0), -ENOENT, area);
        snprintf(want, sizeof(want), "vDisk %s: lease area '%s'", storvirt_vdisk_get_id(v), area);
        fakesanlock_be_host(1);
        assert_msg(storvirt_vdisk_lease_status(v, &json, 0), -ENOENT, want);
        assert_msg(storvirt_vdisk_lease_acquire(v, 0, 0), -ENOENT, area);
        storvirt_vdisk_unref(v);
}

/*
 * An offset names a lockspace in a region of a block device (a LUN, an
 * LV; the CLI tests run it on a loop device, LVs need device-mapper):
 * for a file it is refused, and it goes with a path.
 */
static void test_offset_is_for_block_devices(void **st) {
        (void)st;
        assert_msg(storvirt_lockspace_create_at(host(1), "LS", area, 1 << 20, 1, 1, 0), -ENOENT,
                   "no such block device");
        assert_msg(storvirt_lockspace_create_at(host(1), "LS", "/dev/null", 0, 1, 1, 0), -EINVAL,
                   "not a regular file or a block device");
        assert_int_equal(storvirt_lockspace_create_at(host(1), "LS", area, 0, 1, 1, 0), 0);
        assert_msg(storvirt_lockspace_create_at(host(1), "LS2", area, 1 << 20, 1, 1, 0), -EINVAL,
                   "an offset is for a region of a block device");
        assert_int_equal(storvirt_lockspace_join_at(host(2), "LS", NULL, 1 << 20, 0, 0), -EINVAL);
        assert_msg(storvirt_lockspace_join_at(host(2), "LS", area, 1 << 20, 0, 0), -EINVAL,
                   "an offset is for a region of a block device");
        assert_int_equal(storvirt_lockspace_join_at(host(2), "LS", area, 0, 0, 0), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_other_host_refused_naming_it, setup, teardown),
                cmocka_unit_test_setup_teardown(test_ha_restart_waits_out_a_crashed_host, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_join_reports_progress, setup, teardown),
                cmocka_unit_test_setup_teardown(test_host_id_collision_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_lost_lease_area, setup, teardown),
                cmocka_unit_test_setup_teardown(test_offset_is_for_block_devices, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
