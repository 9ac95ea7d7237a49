/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sysops.h - the host operations the LUN module goes through: one
 * discovery pass over the block devices and one usage probe per device.
 * The default table uses libudev, sysfs and libblkid; a context may be
 * given another table (tests do, to feed made-up hosts).
 */
#pragma once

#include <sys/types.h>

#include "sys/blockdev.h"
#include "sys/usage.h"

typedef struct storvirt__sysops {
        const char *name;
        /* Discovery (blockdev.h): 0 with *ret, or -errno with a message. */
        int (*blk_scan)(struct storvirt__blk_scan **ret);
        /* Usage of the device at devnode with number devnum (usage.h). */
        int (*usage_probe)(const char *devnode, dev_t devnum, struct storvirt__usage *ret);
} storvirt__sysops;

/* libudev + sysfs + libblkid. */
extern const storvirt__sysops storvirt__sysops_host;
