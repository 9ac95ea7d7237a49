/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * blkid_probe.h - what a block device or image file carries, through
 * libblkid: filesystem (or other superblock) TYPE, UUID and LABEL, and
 * a partition table's PTTYPE.  The fs pool uses it to refuse building
 * over existing data (no-overwrite) and to check the filesystem before
 * mounting.  Without libblkid (HAVE_BLKID 0) every probe is -EOPNOTSUPP.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef struct storvirt__blkid_info {
        char type[32];     /* TYPE: "ext4", "xfs", "swap", "LVM2_member"...; "" if none */
        char usage[16];    /* USAGE: "filesystem", "raid", "crypto", "other"; "" if none */
        char uuid[64];     /* UUID, "" if none */
        char label[256];   /* LABEL, "" if none */
        char pttype[16];   /* PTTYPE: "dos", "gpt"...; "" if no partition table */
        bool ambivalent;   /* several signatures that exclude each other */
} storvirt__blkid_info;

/*
 * Probes path read-only (superblocks and partition tables, as blkid(8)
 * does without -p).  1 when it carries a signature (*ret filled), 0
 * when blank (*ret zeroed), -EOPNOTSUPP without libblkid, -ENOENT,
 * -EACCES..., -EIO: each with a message naming path.
 */
int storvirt__blkid_probe_path(const char *path, storvirt__blkid_info *ret);

/* "filesystem 'ext4'", "partition table 'dos'", "signature 'swap'"... into buf. */
const char *storvirt__blkid_describe(const storvirt__blkid_info *info, char *buf, size_t size);

/* Whether this library was built with libblkid. */
bool storvirt__blkid_available(void);
