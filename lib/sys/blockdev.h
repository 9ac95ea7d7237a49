/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * blockdev.h - one discovery pass over the host's block devices through
 * libudev: every disk-like device (SCSI/SAS/FC/iSCSI disks, NVMe
 * namespaces, virtio disks, loop devices, device-mapper multipath maps)
 * with its identity, multipath member paths grouped under their map, and
 * partitions reported as children.  Reads go through sysfs below an
 * optional root (umockdev testbeds provide one transparently).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "sys/wwid.h"

struct storvirt__blk_path {
        char *name;               /* "sdb", "nvme0n1", "vda", "loop0" */
        char *devnode;            /* "/dev/sdb" */
        dev_t devnum;
        char transport[16];       /* iscsi fc sas scsi nvme virtio loop ata unknown */
        char state[16];           /* device/state: running, offline, ... ("" if none) */
        int host, bus, target, lun; /* SCSI H:B:T:L, -1 when not SCSI */
        char *iscsi_target;       /* iSCSI session: target IQN */
        char *iscsi_portal;       /* "address:port" */
        char *iscsi_initiator;    /* initiator name */
        int iscsi_tpgt;           /* -1 when unknown */
        uint64_t size;            /* bytes */
};

struct storvirt__blk_lun {
        char guid[STORVIRT__WWID_MAX];  /* "" when the device has no identity */
        char *devnode;            /* the map for multipath LUNs, else the single path */
        char *name;               /* kernel name: "dm-3", "sdb" */
        dev_t devnum;
        bool multipath;
        char *dm_name;            /* multipath map name */
        char devtype[16];         /* transport of the LUN: iscsi fc ... or "multipath"/"loop" */
        char *vendor, *product, *revision, *serial;
        char *loop_backing;       /* loop devices: the backing file */
        uint64_t capacity;        /* bytes: sysfs size x 512, always */
        unsigned logical_block_size, physical_block_size;
        uint64_t discard_max_bytes;
        bool rotational;
        struct storvirt__blk_path *paths;
        size_t n_paths;
        char **partitions;        /* NULL-terminated kernel names */
};

struct storvirt__blk_scan {
        struct storvirt__blk_lun *luns;
        size_t n_luns;
};

/* Enumerates through libudev; -EOPNOTSUPP when built without libudev. */
int storvirt__blk_scan(struct storvirt__blk_scan **ret);
void storvirt__blk_scan_free(struct storvirt__blk_scan *scan);
