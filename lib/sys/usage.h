/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * usage.h - is a LUN (or any block device or image file) in use?
 *
 * What is on it, through libblkid's low-level safe probe: a filesystem
 * or other signature (TYPE, UUID, LABEL), a partition table (PTTYPE),
 * an LVM2 PV (then its VG, read natively by lvm_label.h); and whether
 * the kernel uses it: mounted (a mountinfo entry with its major:minor),
 * or held by another device (an entry in sysfs holders/, e.g. a
 * multipath map or an LV).  A few KiB are read per device.
 *
 * Status:
 *   USED     something is on it or uses it; reason says what, several
 *            reasons joined with "; " ("filesystem ext4; mounted on /mnt").
 *   FREE     nothing found ("no signature"), or an orphan LVM PV (in no
 *            VG: pvcreate would accept it, as VDSM's check did).
 *   UNKNOWN  it could not be told: the device cannot be opened or read
 *            ("permission denied"...), libblkid is not available, an
 *            LVM PV whose metadata cannot be read.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "sys/lvm_label.h"

enum {
        STORVIRT__USAGE_FREE = 0,
        STORVIRT__USAGE_USED = 1,
        STORVIRT__USAGE_UNKNOWN = 2,
};

struct storvirt__usage {
        int status;            /* STORVIRT__USAGE_* */
        char reason[256];      /* "filesystem ext4", "partition table gpt", "LVM PV of VG vg0
                                  (uuid ...)", "mounted on /mnt", "held by dm-3",
                                  "permission denied"...; never empty */
        char fs_type[32];      /* blkid TYPE ("ext4", "LVM2_member", "swap"...), "" if none */
        char fs_uuid[64];      /* blkid UUID, "" if none */
        char fs_label[128];    /* blkid LABEL, "" if none */
        char pt_type[16];      /* blkid PTTYPE ("gpt", "dos"...), "" if none */
        struct storvirt__lvm_pv pv; /* valid when is_pv (pv_uuid at least) */
        bool is_pv;
};

/*
 * Probe the device or image at devpath, opened read-only.  sysroot
 * (NULL or "" for "/") prefixes the sysfs and /proc paths read, so
 * tests can use a fake tree.  0 with *ret filled; a device that cannot
 * be opened or read is status UNKNOWN with the reason, not an error.
 * Errors: -EINVAL (bad arguments, devpath neither a block device nor a
 * regular file), -ENOENT (devpath does not exist), -ENOMEM.
 */
int storvirt__usage_probe_path(const char *devpath, const char *sysroot,
                               struct storvirt__usage *ret);

/*
 * The same for a device or file open for reading on fd, size bytes
 * long (0: ask the fd).  devnum is the block device's number for the
 * mountinfo and holders checks, 0 to skip them (image files).  `what`
 * names it in reasons and messages.
 */
int storvirt__usage_probe_fd(int fd, uint64_t size, dev_t devnum, const char *sysroot,
                             const char *what, struct storvirt__usage *ret);
