/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * blkident.h - the identity of the block device that is at a device
 * number right now, read from sysfs at the moment of asking: for a
 * device-mapper multipath map its dm uuid and the identity of each of
 * its member paths, for a disk its own VPD pages (0x83, 0x80 with
 * vendor and model, by scsi_id's rules), else the kernel's wwid
 * attribute, else udev's ID_SERIAL.  The device's own pages come first
 * here (discovery takes udev's ID_SERIAL first, as multipath does; both
 * give the same GUID for the same device): this is the check made
 * immediately before a path is handed to a VM, and it must not trust a
 * database that may lag a rescan.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "sys/wwid.h"

#define STORVIRT__BLKIDENT_MAX_SLAVES 32

struct storvirt__blkident_slave {
        char name[64];                 /* kernel name: "sdc" */
        char guid[STORVIRT__WWID_MAX]; /* "" when it reports none */
        bool scsi;                     /* a SCSI device (see below) */
};

struct storvirt__blkident {
        char name[64];                 /* kernel name at the number now: "dm-3", "sdb" */
        char guid[STORVIRT__WWID_MAX]; /* "" when the device reports no identity */
        /*
         * A device of the kernel's SCSI layer (its parent is a
         * scsi_device: sd on SCSI, iSCSI, FC, SAS, SATA through libata,
         * virtio-scsi), which takes SCSI commands through SG_IO; not a
         * loop, NVMe, virtio-blk or device-mapper device.
         */
        bool scsi;
        bool dm;                       /* a device-mapper device */
        bool multipath;                /* ... whose dm uuid is mpath-<wwid> */
        size_t n_slaves;               /* member paths of a dm device (at most the max) */
        struct storvirt__blkident_slave slaves[STORVIRT__BLKIDENT_MAX_SLAVES];
};

/*
 * Reads the identity of the block device devnum.  sysroot (NULL or ""
 * for "/") prefixes the sysfs paths read.  -ENOENT when no block device
 * has that number, -errno; a device without identity is not an error
 * (guid "").
 */
int storvirt__blkident_read(dev_t devnum, const char *sysroot, struct storvirt__blkident *ret);
