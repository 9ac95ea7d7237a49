/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rbd_int.h - what rbd.c and rbd_list.c share: the connection and the
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
};

/* Sets the error for librados/librbd's r on image name ("what" it was doing); returns it. */
int storvirt__rbd_image_error(const storvirt__rbd *c, const char *name, int r, const char *what);

/* Opens image name (read_only: without taking its lock or watching it). */
int storvirt__rbd_open(storvirt__rbd *c, const char *name, bool read_only, rbd_image_t *ret);

/*
 * The figures of v[0..n) read from their header and object map objects
 * without opening them (rbd_header.c): each one read gets measured set;
 * one removed since it was listed also gets error -ENOENT.
 */
void storvirt__rbd_read_headers(storvirt__rbd *c, struct storvirt__rbd_image *v, size_t n,
                                bool allocation);
