/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dmstripe.c - striped device-mapper tables and device creation through
 * libdevmapper (see sys/dmstripe.h).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if HAVE_DEVMAPPER
#include <libdevmapper.h>
#endif

#include "sys/dmstripe.h"
#include "util/buf.h"
#include "util/error.h"

const char *storvirt__dm_probe_path = "/sys/class/misc/device-mapper";

int storvirt__dm_striped_table(char *const *devices, size_t n, uint64_t member_bytes,
                               uint32_t chunk_kb, uint64_t *ret_sectors, char **ret_params) {
        struct storvirt__buf b = {};
        uint64_t chunk = (uint64_t)chunk_kb * 2, per_member;
        int r;

        if (n < 2)
                return storvirt__error_set(-EINVAL, "a striped device needs at least 2 devices, "
                                                    "got %zu", n);
        if (chunk_kb == 0)
                return storvirt__error_set(-EINVAL, "a striped device needs a chunk size greater "
                                                    "than 0");
        per_member = member_bytes / 512 / chunk * chunk;
        if (per_member == 0)
                return storvirt__error_set(-EINVAL, "the devices (%" PRIu64 " bytes) are smaller "
                                                    "than one chunk of %" PRIu32 " KiB",
                                           member_bytes, chunk_kb);
        storvirt__buf_printf(&b, "%zu %" PRIu64, n, chunk);
        for (size_t i = 0; i < n; i++) {
                if (!devices[i] || !*devices[i] || strpbrk(devices[i], " \t\n")) {
                        storvirt__buf_free(&b);
                        return storvirt__error_set(-EINVAL, "device %zu of the stripe has no usable "
                                                            "path", i);
                }
                storvirt__buf_printf(&b, " %s 0", devices[i]);
        }
        r = storvirt__buf_steal(&b, ret_params);
        if (r < 0)
                return r;
        *ret_sectors = per_member * n;
        return 0;
}

#if HAVE_DEVMAPPER
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
