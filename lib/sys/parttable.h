/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * parttable.h - the partition table of a whole disk or a disk image, as
 * the disk pools use it: read with libblkid (the label, its identifier,
 * each partition) and libfdisk (the free extents, aligned as libfdisk
 * aligns), written with libfdisk (gpt and dos labels; never parted or
 * sfdisk).  After a change to a block device the kernel is told about
 * each added or removed partition (BLKPG, through libfdisk); after a new
 * label every partition it knew is dropped.  Writes are serialised
 * within the process (libfdisk rewrites the whole label).
 *
 * These are the host's implementations of the partition-table slots of
 * the sys-ops table (sys/sysops.h); callers go through the table.
 * Messages name the device and why; callers prefix their pool.  Built
 * without libfdisk, every operation is -EOPNOTSUPP.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STORVIRT__PT_MAX_PARTS 256

struct storvirt__pt_part {
        unsigned partno;                /* 1-based */
        uint64_t start, size;           /* bytes */
        char uuid[64];                  /* PARTUUID, lowercase ("" when none) */
        char type[40];                  /* gpt: the type GUID as libblkid gives it, else "" */
        unsigned code;                  /* dos: the type code, else 0 */
        bool logical, extended;
};

struct storvirt__pt_extent {
        uint64_t start, end;            /* bytes */
};

struct storvirt__pt_table {
        char label[8];                  /* "gpt", "dos", ...; "" without a table */
        char id[64];                    /* disk GUID or dos identifier, lowercase */
        uint64_t size;                  /* bytes */
        struct storvirt__pt_part *parts;        /* nested labels left out */
        size_t n_parts;
        struct storvirt__pt_extent *free;       /* free extents libfdisk would use */
        size_t n_free;
};

void storvirt__pt_table_clear(struct storvirt__pt_table *t);

/*
 * Told of what did not stop a change but should be known (the kernel
 * keeps an old partition, was not told of the new table): fn(userdata,
 * message).  NULL: not told.
 */
typedef struct storvirt__pt_warn {
        void (*fn)(void *userdata, const char *msg);
        void *userdata;
} storvirt__pt_warn;

/* A partition to add. */
struct storvirt__pt_new {
        unsigned partno;                /* 1-based */
        uint64_t capacity;              /* bytes, rounded up to the label's alignment */
        const char *gpt_type;           /* its type GUID, on a gpt label */
        unsigned dos_type;              /* its type code, on a dos label */
        const char *uuid;               /* its PARTUUID on a gpt label (NULL: a new one) */
};

/*
 * The table of dev (0 with *ret filled, to clear; a device without a
 * table is label ""), -errno naming dev.
 */
int storvirt__pt_read(const char *dev, struct storvirt__pt_table *ret);

/*
 * Whether dev holds anything already (a label, a filesystem, a PV, a
 * RAID member): 1 with what it is in what ("dos", "ext2", "several
 * signatures"), 0 when blank, -errno.
 */
int storvirt__pt_signature(const char *dev, char *what, size_t size);

/* Writes a new, empty label ("gpt" or "dos") on dev, wiping the old signatures. */
int storvirt__pt_create_label(const char *dev, const char *label, const storvirt__pt_warn *warn);

/*
 * Adds partition p in the first free extent that holds it (aligned as
 * libfdisk aligns): 0 with its start and size in bytes; -EEXIST (the
 * number is taken), -ENOSPC naming the largest extent, -errno.
 */
int storvirt__pt_add(const char *dev, const struct storvirt__pt_new *p, uint64_t *ret_start,
                     uint64_t *ret_size, const storvirt__pt_warn *warn);

/* Deletes partition partno (1-based): -ENOENT when there is none. */
int storvirt__pt_delete(const char *dev, unsigned partno, const storvirt__pt_warn *warn);

/*
 * Wipes every partition table and filesystem signature on dev (opened
 * exclusively: -EBUSY while it or any of its partitions is in use), then
 * has the kernel forget its partitions.
 */
int storvirt__pt_wipe(const char *dev, const storvirt__pt_warn *warn);
