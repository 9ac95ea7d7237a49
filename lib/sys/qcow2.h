/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qcow2.h - the qcow family: header parsing for qcow (version 1) and
 * qcow2 (versions 2 and 3, i.e. compat 0.10 and 1.1) used by the
 * prober, and native creation of qcow2 images.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "sys/imgfmt.h"

/* Smallest, largest and default qcow2 cluster sizes, in bytes. */
#define STORVIRT__QCOW2_CLUSTER_MIN 512u
#define STORVIRT__QCOW2_CLUSTER_MAX (2u << 20)
#define STORVIRT__QCOW2_CLUSTER_DEFAULT 65536u

/*
 * Parse the qcow or qcow2 header of src (the caller saw the "QFI\xfb"
 * magic, or wants the image read as qcow/qcow2) and fill info.
 * expect is "qcow", "qcow2" or NULL (either): an image of the other
 * kind is then -EINVAL.  Versions other than 1, 2 and 3 are
 * -EOPNOTSUPP.  On failure info may hold partial data: the caller
 * clears it.
 */
int storvirt__qcow_probe(const struct storvirt__img_src *src, const char *expect,
                         storvirt__img_info *info);

struct storvirt__qcow2_opts {
        uint64_t size;               /* virtual size, bytes, multiple of 512 */
        uint32_t cluster_size;       /* 0 means 65536; power of two 512..2 MiB */
        bool compat_010;             /* compat 0.10 (version 2) instead of 1.1 (3) */
        bool lazy_refcounts;         /* needs compat 1.1 */
        bool extended_l2;            /* subclusters: 16-byte L2 entries (incompatible
                                        feature bit 4); compat 1.1, clusters >= 16 KiB */
        const char *backing_file;    /* stored as given; NULL for none */
        const char *backing_format;  /* required with backing_file; a known format */
        bool preallocate_metadata;   /* L2 tables and refcounts for every cluster */
};

/*
 * Write a new qcow2 image to fd, which must be an empty regular file
 * (or a block device, without preallocate_metadata) open for writing.
 * The layout is: header cluster (header, backing format extension,
 * backing file name), refcount table, refcount blocks (16-bit
 * refcounts), L1 table, then with preallocate_metadata every L2 table
 * and the (sparse) data clusters, all referenced.
 *
 * The backing file is never opened: a caller wanting the size to come
 * from the backing image (size 0 with a backing file, as qemu-img does)
 * probes it first and passes its virtual size.  size 0 is otherwise a
 * valid, empty image.  Metadata preallocation with a backing file is
 * refused (the backing data would be hidden).
 *
 * Nothing is fsync'ed: the caller does that when it wants durability,
 * and removes the file after a failure (which may leave it partial).
 * Errors: -EINVAL for bad options (message names the option and value),
 * -EFBIG when size exceeds what the cluster size can address,
 * write/ftruncate errno (-ENOSPC, ...), -ENOMEM.  what names the image.
 */
int storvirt__qcow2_create_fd(int fd, const struct storvirt__qcow2_opts *opts,
                              const char *what);

/*
 * storvirt__qcow2_create_fd() into an image reached through io (a
 * network file system's client library): the file must be a new, empty
 * regular file; it is given its metadata's size with io->truncate.
 */
int storvirt__qcow2_create_io(const storvirt__img_io *io, const struct storvirt__qcow2_opts *opts,
                              const char *what);
