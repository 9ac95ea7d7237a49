/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dmstripe.c - the table of a striped device-mapper target (see
 * sys/dmstripe.h).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys/dmstripe.h"
#include "util/buf.h"
#include "util/error.h"

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
