/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sysops.h - the host as the rest of the library reaches it: one const
 * table of operations on the machine's devices, grouped by what they
 * touch:
 *
 *   discovery       one pass over the block devices, the usage of one
 *   changes         the block devices' uevents, one device's capacity read
 *                   again, a multipath map resized (sys/blkmon.h)
 *   identity        what is at a path now, and that device's identity
 *                   (read again before a LUN's path is handed out)
 *   partitions      a disk's partition table (sys/parttable.h)
 *   device-mapper   whether it is there, its devices and their tables,
 *                   creating a device (sys/dm.h)
 *   connectors      the kernel iSCSI initiator (sys/iscsi_kernel.h),
 *                   libiscsi (sys/iscsi_direct.h), mount(8) and
 *                   umount(8), mount(2) and umount2(2) (sys/mount.h)
 *   leases          libsanlock: lease areas on shared storage, the
 *                   local sanlock daemon (sys/sanlock.h)
 *
 * The default table is the host's (libudev, sysfs, libblkid, libfdisk,
 * libdevmapper, libiscsi, iscsiadm, mount).  A context may be given
 * another one (unit tests give a made-up host, tests/unit/fakehost.h):
 * the slots such a table leaves NULL are the host's.  Every slot
 * returns 0 or -errno with a message, as the host's function it names.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sys/blkident.h"
#include "sys/blkmon.h"
#include "sys/blockdev.h"
#include "sys/dm.h"
#include "sys/iscsi_direct.h"
#include "sys/iscsi_node.h"
#include "sys/parttable.h"
#include "sys/sanlock.h"
#include "sys/usage.h"

typedef struct storvirt__sysops {
        const char *name;

        /* ---- discovery ---- */
        /* blockdev.h: 0 with *ret, or -errno with a message. */
        int (*blk_scan)(struct storvirt__blk_scan **ret);
        /* Usage of the device at devnode with number devnum (usage.h). */
        int (*usage_probe)(const char *devnode, dev_t devnum, struct storvirt__usage *ret);

        /* ---- changes (blkmon.h) ---- */
        int (*blkmon_open)(storvirt__blkmon **ret, int *ret_fd);
        int (*blkmon_receive)(storvirt__blkmon *m, struct storvirt__blk_uevent *ret);
        void (*blkmon_close)(storvirt__blkmon *m);
        /* Capacity of block device name (kernel name) now, in bytes. */
        int (*blk_size_read)(const char *name, uint64_t *ret_bytes);
        /* A SCSI device reads its capacity again (nothing for other devices). */
        int (*blk_rescan)(const char *name);
        /* multipathd resize map NAME; -ENOENT when multipathd is not installed. */
        int (*mpath_resize)(const char *map);

        /* ---- identity ---- */
        /*
         * The number of the block device at path now (stat(2)): -ENOTBLK
         * when path is something else, -errno naming path.
         */
        int (*dev_number)(const char *path, dev_t *ret);
        /* blkident.h: the identity of device devnum now; -ENOENT when there is none. */
        int (*ident_read)(dev_t devnum, struct storvirt__blkident *ret);

        /* ---- partition tables (parttable.h) ---- */
        int (*pt_read)(const char *dev, struct storvirt__pt_table *ret);
        int (*pt_signature)(const char *dev, char *what, size_t size);
        int (*pt_create_label)(const char *dev, const char *label, const storvirt__pt_warn *warn);
        int (*pt_add)(const char *dev, const struct storvirt__pt_new *p, uint64_t *ret_start,
                      uint64_t *ret_size, const storvirt__pt_warn *warn);
        int (*pt_delete)(const char *dev, unsigned partno, const storvirt__pt_warn *warn);
        int (*pt_wipe)(const char *dev, const storvirt__pt_warn *warn);

        /* ---- device-mapper (dm.h) ---- */
        int (*dm_available)(void);
        int (*dm_list)(char ***ret_names);
        int (*dm_table_read)(const char *name, bool status, struct storvirt__dm_table *ret);
        int (*dm_create)(const char *name, const char *uuid, uint64_t sectors, const char *target,
                         const char *params);

        /* ---- connectors ---- */
        /* The kernel initiator (iscsi_kernel.h); chap NULL: no CHAP. */
        int (*iscsi_login)(const struct storvirt__iscsi_node *node,
                           const struct storvirt__iscsi_chap *chap, int timeout_ms);
        int (*iscsi_logout)(const struct storvirt__iscsi_node *node, int timeout_ms);
        /* libiscsi (iscsi_direct.h): the block LUNs of a target. */
        int (*iscsi_scan)(const struct storvirt__iscsi_params *p, struct storvirt__iscsi_lun **ret,
                          size_t *ret_n);
        /* mount(8) and umount(8) (mount.h). */
        int (*mount_helper)(const char *type, const char *source, const char *target,
                            char *const *opts, int timeout_ms);
        int (*umount_helper)(const char *target, int timeout_ms);
        /* mount(2) of a block device and umount2(2) (mount.h). */
        int (*mount_block)(const char *source, const char *target, const char *type,
                           unsigned long flags, const char *data);
        int (*umount)(const char *target);

        /* ---- leases: libsanlock (sanlock.h) ---- */
        int (*sl_write_lockspace)(const char *name, const char *path, uint64_t offset,
                                  unsigned io_timeout);
        int (*sl_read_lockspace)(const char *path, uint64_t offset, char *name,
                                 unsigned *ret_io_timeout);
        int (*sl_read_hosts)(const char *path, uint64_t offset, struct storvirt__sl_hostrec *ret,
                             size_t n);
        int (*sl_add_lockspace)(const char *name, uint64_t host_id, const char *path,
                                uint64_t offset, unsigned io_timeout);
        int (*sl_inq_lockspace)(const char *name, uint64_t host_id, const char *path,
                                uint64_t offset);
        int (*sl_rem_lockspace)(const char *name, uint64_t host_id, const char *path,
                                uint64_t offset);
        int (*sl_host_state)(const char *name, uint64_t host_id, uint64_t *ret_generation);
        int (*sl_write_resource)(const struct storvirt__sl_res *res);
        int (*sl_read_resource)(const char *path, uint64_t offset, char *ret_lockspace,
                                char *ret_name);
        int (*sl_register)(bool no_kill);
        int (*sl_acquire)(int sock, int pid, const struct storvirt__sl_res *res);
        int (*sl_release)(int sock, int pid, const struct storvirt__sl_res *res);
        int (*sl_owners)(const struct storvirt__sl_res *res, struct storvirt__sl_owner **ret,
                         size_t *ret_n);
} storvirt__sysops;

/* The host's table. */
extern const storvirt__sysops storvirt__sysops_host;

/* Fills every NULL slot of ops (the name too) with the host's. */
void storvirt__sysops_complete(storvirt__sysops *ops);
