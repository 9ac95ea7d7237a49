/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-dmstripe.c - striped device-mapper tables, and the libdevmapper
 * calls that create a device (the host's dm_create slot, sys/dm.c).
 * This machine's kernel has no device-mapper, so libdevmapper is
 * replaced at the library boundary with cmocka wraps
 * (-Wl,--wrap=dm_task_*): the test checks which calls are made, with
 * which arguments, in which order, and what a failure of each gives.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libdevmapper.h>

#include "sys/dm.h"
#include "sys/dmstripe.h"
#include "util/error.h"

/* ---- the wrapped libdevmapper ---------------------------------------------------------------------- */

static char calls[2048];
static int fail_run_errno;      /* dm_task_run fails with this errno when set */
static bool fail_create;
static struct dm_task *const fake_task = (struct dm_task *)0x5151;

static void record(const char *fmt, ...) {
        va_list ap;
        size_t n = strlen(calls);

        va_start(ap, fmt);
        vsnprintf(calls + n, sizeof(calls) - n, fmt, ap);
        va_end(ap);
}

struct dm_task *__wrap_dm_task_create(int type);
struct dm_task *__wrap_dm_task_create(int type) {
        record("create(%s);", type == DM_DEVICE_CREATE ? "DM_DEVICE_CREATE" : "?");
        return fail_create ? NULL : fake_task;
}

int __wrap_dm_task_set_name(struct dm_task *dmt, const char *name);
int __wrap_dm_task_set_name(struct dm_task *dmt, const char *name) {
        assert_ptr_equal(dmt, fake_task);
        record("name(%s);", name);
        return 1;
}

int __wrap_dm_task_set_uuid(struct dm_task *dmt, const char *uuid);
int __wrap_dm_task_set_uuid(struct dm_task *dmt, const char *uuid) {
        assert_ptr_equal(dmt, fake_task);
        record("uuid(%s);", uuid);
        return 1;
}

int __wrap_dm_task_add_target(struct dm_task *dmt, uint64_t start, uint64_t size, const char *ttype,
                              const char *params);
int __wrap_dm_task_add_target(struct dm_task *dmt, uint64_t start, uint64_t size, const char *ttype,
                              const char *params) {
        assert_ptr_equal(dmt, fake_task);
        record("target(%llu %llu %s %s);", (unsigned long long)start, (unsigned long long)size, ttype,
               params);
        return 1;
}

int __wrap_dm_task_run(struct dm_task *dmt);
int __wrap_dm_task_run(struct dm_task *dmt) {
        assert_ptr_equal(dmt, fake_task);
        record("run;");
        return fail_run_errno ? 0 : 1;
}

int __wrap_dm_task_get_errno(struct dm_task *dmt);
int __wrap_dm_task_get_errno(struct dm_task *dmt) {
        assert_ptr_equal(dmt, fake_task);
        return fail_run_errno;
}

void __wrap_dm_task_destroy(struct dm_task *dmt);
void __wrap_dm_task_destroy(struct dm_task *dmt) {
        assert_ptr_equal(dmt, fake_task);
        record("destroy;");
}

static int reset(void **st) {
        (void)st;
        calls[0] = '\0';
        fail_run_errno = 0;
        fail_create = false;
        storvirt__dm_probe_path = "/dev/null";        /* "device-mapper is there" */
        return 0;
}

/* ---- tests --------------------------------------------------------------------------------------- */

static void test_table(void **st) {
        char a[] = "/dev/sdb", b[] = "/dev/sdc", c[] = "/dev/sdd", spaced[] = "/dev/with space";
        char *devs[] = { a, b, c }, *params = NULL;
        uint64_t sectors = 0;

        (void)st;
        /* 3 x (10 MiB + 200 KiB), 128 KiB chunks: each member gives 81 whole chunks */
        assert_int_equal(storvirt__dm_striped_table(devs, 3, (10u << 20) + 200 * 1024, 128, &sectors,
                                                    &params), 0);
        assert_string_equal(params, "3 256 /dev/sdb 0 /dev/sdc 0 /dev/sdd 0");
        assert_int_equal(sectors, 3 * 81 * 256);
        assert_int_equal(sectors % (256 * 3), 0);
        free(params);
        assert_int_equal(storvirt__dm_striped_table(devs, 1, 1 << 20, 64, &sectors, &params), -EINVAL);
        assert_non_null(strstr(storvirt__error_msg(), "at least 2 devices"));
        assert_int_equal(storvirt__dm_striped_table(devs, 2, 1 << 20, 0, &sectors, &params), -EINVAL);
        assert_int_equal(storvirt__dm_striped_table(devs, 2, 64 * 1024, 128, &sectors, &params), -EINVAL);
        assert_non_null(strstr(storvirt__error_msg(), "smaller than one chunk"));
        devs[1] = spaced;
        assert_int_equal(storvirt__dm_striped_table(devs, 2, 1 << 20, 64, &sectors, &params), -EINVAL);
}

static void test_create(void **st) {
        (void)st;
        assert_int_equal(storvirt__dm_create("storvirt-x", "STORVIRT-X", 768, "striped",
                                             "3 256 /dev/sdb 0 /dev/sdc 0 /dev/sdd 0"), 0);
        assert_string_equal(calls, "create(DM_DEVICE_CREATE);name(storvirt-x);uuid(STORVIRT-X);"
                                   "target(0 768 striped 3 256 /dev/sdb 0 /dev/sdc 0 /dev/sdd 0);"
                                   "run;destroy;");
}

static void test_create_failures(void **st) {
        (void)st;
        fail_run_errno = EEXIST;
        assert_int_equal(storvirt__dm_create("taken", NULL, 8, "striped", "2 8 /dev/a 0 /dev/b 0"),
                         -EEXIST);
        assert_string_equal(calls, "create(DM_DEVICE_CREATE);name(taken);"
                                   "target(0 8 striped 2 8 /dev/a 0 /dev/b 0);run;destroy;");
        calls[0] = '\0';
        fail_run_errno = ENXIO;
        assert_int_equal(storvirt__dm_create("x", NULL, 8, "striped", "p"), -EIO);
        assert_non_null(strstr(storvirt__error_msg(), strerror(ENXIO)));
        fail_run_errno = 0;
        fail_create = true;
        assert_int_equal(storvirt__dm_create("x", NULL, 8, "striped", "p"), -ENOMEM);
        /* no device-mapper on the host: nothing is called */
        calls[0] = '\0';
        fail_create = false;
        storvirt__dm_probe_path = "/nonexistent/mapper/control";
        assert_int_equal(storvirt__dm_create("x", NULL, 8, "striped", "p"), -EOPNOTSUPP);
        assert_non_null(strstr(storvirt__error_msg(), "device-mapper is not available in this kernel"));
        assert_string_equal(calls, "");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup(test_table, reset),
                cmocka_unit_test_setup(test_create, reset),
                cmocka_unit_test_setup(test_create_failures, reset),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
