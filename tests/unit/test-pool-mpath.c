/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-pool-mpath.c - mpath pools: every multipath map as a volume named
 * and keyed by its WWID.  This machine's kernel has no device-mapper, so
 * libdevmapper is replaced at the library boundary with cmocka wraps
 * (-Wl,--wrap=dm_*): a made-up device-mapper with two multipath maps (one
 * with a failed path), a linear LV and a multipath table without
 * multipathd's uuid.  The test checks which maps become volumes, their
 * paths and sizes, the failed path logged, and the refusal without
 * device-mapper.
 *
 * The backend reaches device-mapper through the sys-ops table; the
 * context here keeps the host's table, so the wraps sit under the
 * host's device-mapper slots (lib/sys/dm.c) and the test covers them
 * and the backend together.  A fake table in their place would leave
 * the libdevmapper code itself untested on a machine without
 * device-mapper.
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
#include <storvirt.h>

#include "backends/backends.h"
#include "sys/dm.h"

/* ---- the made-up device-mapper ----------------------------------------------------------------- */

struct fake_dev {
        const char *name, *uuid, *type, *status;
        uint64_t length;
};

static const struct fake_dev devs[] = {
        { "mpatha", "mpath-360014050000000000000000000000001", "multipath",
          "2 0 1 0 1 1 A 0 2 0 8:16 A 0 0 8:32 A 0 0", 2097152 },
        { "mpathb", "mpath-360014050000000000000000000000002", "multipath",
          "2 0 1 0 1 1 A 0 2 0 8:48 A 0 0 8:64 F 3 0", 4194304 },
        { "vg-lv", "LVM-abcdef", "linear", "", 1024 },
        { "noid", "", "multipath", "", 2048 },
};

struct fake_task {
        int type;
        const struct fake_dev *dev;
        bool done;
};

static unsigned long tasks_alive;
static char names_buf[512];

struct dm_task *__wrap_dm_task_create(int type);
struct dm_task *__wrap_dm_task_create(int type) {
        struct fake_task *t = calloc(1, sizeof(*t));

        assert_non_null(t);
        t->type = type;
        tasks_alive++;
        return (struct dm_task *)t;
}

int __wrap_dm_task_set_name(struct dm_task *dmt, const char *name);
int __wrap_dm_task_set_name(struct dm_task *dmt, const char *name) {
        struct fake_task *t = (struct fake_task *)dmt;

        for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
                if (strcmp(devs[i].name, name) == 0)
                        t->dev = &devs[i];
        return t->dev != NULL;
}

int __wrap_dm_task_run(struct dm_task *dmt);
int __wrap_dm_task_run(struct dm_task *dmt) {
        struct fake_task *t = (struct fake_task *)dmt;

        if (t->type != DM_DEVICE_LIST && !t->dev)
                return 0;
        t->done = true;
        return 1;
}

struct dm_names *__wrap_dm_task_get_names(struct dm_task *dmt);
struct dm_names *__wrap_dm_task_get_names(struct dm_task *dmt) {
        struct fake_task *t = (struct fake_task *)dmt;
        size_t off = 0, n = sizeof(devs) / sizeof(devs[0]);

        assert_int_equal(t->type, DM_DEVICE_LIST);
        assert_true(t->done);
        memset(names_buf, 0, sizeof(names_buf));
        for (size_t i = 0; i < n; i++) {
                struct dm_names *e = (struct dm_names *)(names_buf + off);
                size_t len = (offsetof(struct dm_names, name) + strlen(devs[i].name) + 1 + 7) & ~(size_t)7;

                strcpy(e->name, devs[i].name);
                e->next = i + 1 < n ? (uint32_t)len : 0;
                off += len;
        }
        return (struct dm_names *)names_buf;
}

void *__wrap_dm_get_next_target(struct dm_task *dmt, void *next, uint64_t *start, uint64_t *length,
                                char **target_type, char **params);
void *__wrap_dm_get_next_target(struct dm_task *dmt, void *next, uint64_t *start, uint64_t *length,
                                char **target_type, char **params) {
        struct fake_task *t = (struct fake_task *)dmt;

        assert_null(next);      /* one target per made-up device */
        assert_true(t->done);
        *start = 0;
        *length = t->dev->length;
        *target_type = (char *)t->dev->type;
        *params = (char *)(t->type == DM_DEVICE_STATUS ? t->dev->status : "");
        return NULL;
}

const char *__wrap_dm_task_get_uuid(const struct dm_task *dmt);
const char *__wrap_dm_task_get_uuid(const struct dm_task *dmt) {
        const struct fake_task *t = (const struct fake_task *)dmt;

        return t->dev ? t->dev->uuid : NULL;
}

void __wrap_dm_task_destroy(struct dm_task *dmt);
void __wrap_dm_task_destroy(struct dm_task *dmt) {
        assert_true(tasks_alive > 0);
        tasks_alive--;
        free(dmt);
}

/* ---- tests -------------------------------------------------------------------------------------- */

static char logged[4096];

static void log_fn(storvirt_ctx *ctx, int priority, const char *msg, void *userdata) {
        (void)ctx;
        (void)userdata;
        if (priority <= STORVIRT_LOG_WARNING)
                snprintf(logged + strlen(logged), sizeof(logged) - strlen(logged), "%s\n", msg);
}

static void test_count_paths(void **st) {
        unsigned paths, failed;

        (void)st;
        storvirt__mpath_count_paths("2 0 1 0 2 1 A 0 2 0 8:16 A 0 0 8:32 F 1 0 E 0 1 0 65:0 A 0 0",
                                    &paths, &failed);
        assert_int_equal(paths, 3);
        assert_int_equal(failed, 1);
        storvirt__mpath_count_paths("", &paths, &failed);
        assert_int_equal(paths, 0);
        storvirt__mpath_count_paths(NULL, &paths, &failed);
        assert_int_equal(paths, 0);
}

static void test_maps(void **st) {
        char dir[] = "/tmp/storvirt-mpath-XXXXXX", cmd[128];
        storvirt_ctx *ctx = NULL;
        storvirt_pool *pool = NULL;
        storvirt_volume *vol = NULL, **vols = NULL;
        uint64_t cap = 0;
        uint32_t type = 0;
        size_t n = 0;

        (void)st;
        storvirt__dm_probe_path = "/dev/null";          /* "device-mapper is there" */
        assert_non_null(mkdtemp(dir));
        assert_int_equal(storvirt_ctx_new(&ctx, STORVIRT_CTX_NEW_IGNORE_ENV), 0);
        assert_int_equal(storvirt_ctx_set_state_dir(ctx, dir, 0), 0);
        assert_int_equal(storvirt_ctx_set_log_fn(ctx, log_fn, NULL, NULL), 0);
        assert_int_equal(storvirt_ctx_set_log_priority(ctx, STORVIRT_LOG_WARNING), 0);
        assert_int_equal(storvirt_pool_define_xml(ctx, "<pool type='mpath'><name>mp</name><target>"
                                                       "<path>/dev/mapper</path></target></pool>", &pool, 0), 0);
        assert_int_equal(storvirt_pool_start(pool, 0), 0);
        assert_int_equal(storvirt_pool_list_volumes(pool, &vols, &n, 0), 0);
        assert_int_equal(n, 2);         /* not the linear LV, not the map without a WWID */
        storvirt_volume_list_free(vols);
        assert_int_equal(storvirt_volume_lookup_by_name(pool, "360014050000000000000000000000002", &vol), 0);
        assert_string_equal(storvirt_volume_get_key(vol), "360014050000000000000000000000002");
        assert_string_equal(storvirt_volume_get_path(vol), "/dev/mapper/mpathb");
        assert_int_equal(storvirt_volume_get_info(vol, &type, &cap, NULL, NULL), 0);
        assert_int_equal(type, STORVIRT_VOLUME_TYPE_BLOCK);
        assert_int_equal(cap, 4194304ull * 512);
        storvirt_volume_unref(vol);
        assert_int_equal(storvirt_volume_lookup_by_name(pool, "dm-0", &vol), -ENOENT);
        assert_non_null(strstr(logged, "map mpathb (360014050000000000000000000000002): 1 of 2 paths failed"));
        assert_null(strstr(logged, "mpatha"));
        assert_int_equal(tasks_alive, 0);
        assert_int_equal(storvirt_pool_stop(pool, 0), 0);
        /* no device-mapper: a clear refusal */
        storvirt__dm_probe_path = "/nonexistent/device-mapper";
        assert_int_equal(storvirt_pool_start(pool, 0), -EOPNOTSUPP);
        assert_non_null(strstr(storvirt_error_message(), "device-mapper is not available in this kernel"));
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        assert_int_equal(system(cmd), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_count_paths),
                cmocka_unit_test(test_maps),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
