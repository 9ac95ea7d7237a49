/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dm.c - device-mapper through libdevmapper (see sys/dm.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if HAVE_DEVMAPPER
#include <libdevmapper.h>
#endif

#include "sys/dm.h"
#include "util/error.h"
#include "util/strv.h"

const char *storvirt__dm_probe_path = "/sys/class/misc/device-mapper";

void storvirt__dm_table_clear(struct storvirt__dm_table *t) {
        for (size_t i = 0; i < t->n_targets; i++) {
                free(t->targets[i].type);
                free(t->targets[i].params);
        }
        free(t->targets);
        free(t->uuid);
        memset(t, 0, sizeof(*t));
}

#if HAVE_DEVMAPPER
int storvirt__dm_available(void) {
        if (access(storvirt__dm_probe_path, F_OK) < 0)
                return storvirt__error_set(-EOPNOTSUPP, "device-mapper is not available in this "
                                                        "kernel (no %s)", storvirt__dm_probe_path);
        return 0;
}

int storvirt__dm_list(char ***ret_names) {
        struct dm_names *names;
        struct dm_task *dmt;
        char **v = NULL;
        int r = 0;

        dmt = dm_task_create(DM_DEVICE_LIST);
        if (!dmt)
                return storvirt__error_oom();
        if (!dm_task_run(dmt)) {
                dm_task_destroy(dmt);
                return storvirt__error_set(-EIO, "device-mapper: listing devices failed");
        }
        names = dm_task_get_names(dmt);
        while (r >= 0 && names && names->name[0]) {
                r = storvirt__strv_extend(&v, names->name);
                if (!names->next)
                        break;
                names = (struct dm_names *)((char *)names + names->next);
        }
        dm_task_destroy(dmt);
        if (r >= 0 && !v && !(v = calloc(1, sizeof(*v))))
                r = -ENOMEM;
        if (r < 0) {
                storvirt__strv_free(v);
                return storvirt__error_oom();
        }
        *ret_names = v;
        return 0;
}

/* The targets of a task that ran into t. */
static int take_targets(struct dm_task *dmt, struct storvirt__dm_table *t) {
        uint64_t start = 0, length = 0;
        char *type = NULL, *params = NULL;
        void *next = NULL;

        do {
                struct storvirt__dm_target *n;

                next = dm_get_next_target(dmt, next, &start, &length, &type, &params);
                if (!type)
                        continue;
                n = realloc(t->targets, (t->n_targets + 1) * sizeof(*n));
                if (!n)
                        return -ENOMEM;
                t->targets = n;
                n += t->n_targets;
                *n = (struct storvirt__dm_target){ .start = start, .length = length };
                t->n_targets++;
                if (!(n->type = strdup(type)) || !(n->params = strdup(params ? params : "")))
                        return -ENOMEM;
        } while (next);
        return 0;
}

int storvirt__dm_table_read(const char *name, bool status, struct storvirt__dm_table *ret) {
        struct storvirt__dm_table t = {};
        struct dm_task *dmt;
        const char *uuid;
        int r;

        dmt = dm_task_create(status ? DM_DEVICE_STATUS : DM_DEVICE_TABLE);
        if (!dmt)
                return storvirt__error_oom();
        if (!dm_task_set_name(dmt, name) || !dm_task_run(dmt)) {
                dm_task_destroy(dmt);
                return storvirt__error_set(-EIO, "device-mapper: reading the %s of %s failed",
                                           status ? "status" : "table", name);
        }
        r = take_targets(dmt, &t);
        uuid = status ? NULL : dm_task_get_uuid(dmt);
        if (r >= 0 && !(t.uuid = strdup(uuid ? uuid : "")))
                r = -ENOMEM;
        dm_task_destroy(dmt);
        if (r < 0) {
                storvirt__dm_table_clear(&t);
                return storvirt__error_oom();
        }
        *ret = t;
        return 0;
}

int storvirt__dm_create(const char *name, const char *uuid, uint64_t sectors, const char *target,
                        const char *params) {
        struct dm_task *dmt;
        int r = 0;

        if (access(storvirt__dm_probe_path, F_OK) < 0)
                return storvirt__error_set(-EOPNOTSUPP, "device-mapper is not available in this "
                                                        "kernel (no %s): cannot create %s",
                                           storvirt__dm_probe_path, name);
        dmt = dm_task_create(DM_DEVICE_CREATE);
        if (!dmt)
                return storvirt__error_oom();
        if (!dm_task_set_name(dmt, name) || (uuid && !dm_task_set_uuid(dmt, uuid)) ||
            !dm_task_add_target(dmt, 0, sectors, target, params))
                r = storvirt__error_set(-EINVAL, "device-mapper refused the table of %s: %s %s",
                                        name, target, params);
        if (r >= 0 && !dm_task_run(dmt)) {
                int err = dm_task_get_errno(dmt);

                r = storvirt__error_set(err == EEXIST ? -EEXIST : -EIO,
                                        "creating device-mapper device %s failed: %s", name,
                                        strerror(err ? err : EIO));
        }
        dm_task_destroy(dmt);
        return r;
}
#else
static int no_dm(void) {
        return storvirt__error_set(-EOPNOTSUPP, "built without libdevmapper: no device-mapper");
}

int storvirt__dm_available(void) {
        return no_dm();
}

int storvirt__dm_list(char ***ret_names) {
        (void)ret_names;
        return no_dm();
}

int storvirt__dm_table_read(const char *name, bool status, struct storvirt__dm_table *ret) {
        (void)name;
        (void)status;
        (void)ret;
        return no_dm();
}

int storvirt__dm_create(const char *name, const char *uuid, uint64_t sectors, const char *target,
                        const char *params) {
        (void)uuid;
        (void)sectors;
        (void)target;
        (void)params;
        return storvirt__error_set(-EOPNOTSUPP, "built without libdevmapper: cannot create %s",
                                   name);
}
#endif
