/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * blkmon.h - the host's block devices as they change, and one device's
 * capacity read again: a libudev monitor of the "block" subsystem (udev's
 * processed events when udevd runs or under a umockdev testbed, the
 * kernel's own otherwise), the size attribute of one device, a SCSI
 * path's rescan, and multipathd's resize of a map.  No thread: the
 * monitor's descriptor is polled by the caller.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct storvirt__blkmon storvirt__blkmon;

/* One uevent of a block device. */
struct storvirt__blk_uevent {
        /*
         * "add", "remove", "change", "online", "offline" ...; "lost" (no
         * name) when the monitor's queue overflowed and uevents were lost
         */
        char action[16];
        char name[64];            /* kernel name: "sdb", "loop3", "dm-1" */
        dev_t devnum;
        bool partition;           /* DEVTYPE=partition */
        bool resize;              /* RESIZE=1: the kernel changed its capacity */
};

/*
 * A monitor and its descriptor (non-blocking, close-on-exec; owned by
 * the monitor).  -EOPNOTSUPP without libudev, -errno naming the step.
 */
int storvirt__blkmon_open(storvirt__blkmon **ret, int *ret_fd);
/* The next uevent: 1 with *ret, 0 when none is waiting, -errno. */
int storvirt__blkmon_receive(storvirt__blkmon *m, struct storvirt__blk_uevent *ret);
void storvirt__blkmon_close(storvirt__blkmon *m);   /* NULL-safe */

/*
 * The capacity in bytes of block device `name` now (its sysfs size
 * attribute x 512).  -ENODEV when there is no such device.
 */
int storvirt__blk_size_read(const char *name, uint64_t *ret_bytes);

/*
 * Asks the kernel to read the capacity of SCSI device `name` again
 * (device/rescan); 0 without doing anything for devices that have no
 * such attribute (loop, NVMe, virtio, device-mapper).
 */
int storvirt__blk_rescan(const char *name);

/*
 * `multipathd resize map NAME`: the map takes its paths' new size.
 * -ENOENT when multipathd is not installed, -EIO with what it said.
 */
int storvirt__multipath_resize(const char *map);
