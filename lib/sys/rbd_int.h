/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rbd_int.h - what rbd.c, rbd_list.c and rbd_vol.c share: the connection and the
 * opening of one image with its errors named.
 */
#pragma once

#include <stdbool.h>

#include <rados/librados.h>
#include <rbd/librbd.h>

#include "sys/rbd.h"
#include "util/refcnt.h"

struct storvirt__rbd {
        storvirt__refcnt n_ref;
        rados_t cluster;
        rados_ioctx_t io;
        char fsid[40];
        char *pool;
        int64_t pool_id;
        unsigned osd_timeout;           /* rados_osd_op_timeout, s (0: none) */
        unsigned mon_timeout;           /* rados_mon_op_timeout, s (0: none) */
};

/*
 * Sets the error for librados' r on the pool ("what" it was doing:
 * "cannot list its images"), a timeout said as such with its bound
 * (osd: the OSDs were asked, else the monitors); returns it.
 */
int storvirt__rbd_pool_error(const storvirt__rbd *c, int r, bool osd, const char *what);

/* Sets the error for librados/librbd's r on image name ("what" it was doing); returns it. */
int storvirt__rbd_image_error(const storvirt__rbd *c, const char *name, int r, const char *what);

/* Opens image name (read_only: without taking its lock or watching it). */
int storvirt__rbd_open(storvirt__rbd *c, const char *name, bool read_only, rbd_image_t *ret);

/*
 * The number of clones of snapshot snap of the open image name (its
 * snapshot set back to the head after), the first's "pool/image" in
 * *ret_first when there is one and ret_first is not NULL (rbd_vol.c).
 */
int storvirt__rbd_snap_clones(storvirt__rbd *c, const char *name, rbd_image_t img,
                              const char *snap, char **ret_first);

/*
 * The figures of v[0..n) read from their header and object map objects
 * without opening them (rbd_header.c): each one read gets measured set;
 * one removed since it was listed also gets error -ENOENT.  -ETIMEDOUT
 * (no error set) when reads timed out: the rest is not read.
 */
int storvirt__rbd_read_headers(storvirt__rbd *c, struct storvirt__rbd_image *v, size_t n,
                               bool allocation);
