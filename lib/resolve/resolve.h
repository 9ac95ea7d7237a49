/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core/resolve.h - resolution as the rest of the library uses it (vDisk
 * import, attach and prepare).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <storvirt/pool.h>
#include <storvirt/resolve.h>
#include <storvirt/volume.h>

#include "conf/disk.h"
#include "objects/ctx.h"

/* The spec inside a public handle. */
const storvirt__disk_spec *storvirt__disk_spec_of(const storvirt_disk_spec *spec);

/*
 * Check, complete (defaults, index) and resolve one spec on this host,
 * as storvirt_resolve_disk() does before formatting; every message names
 * the drive, and the warnings of the disk (d->warnings) are logged.
 * flags: the STORVIRT_RESOLVE_* flags.
 */
int storvirt__resolve_spec(storvirt_ctx *ctx, const storvirt__disk_spec *spec, uint32_t flags,
                           storvirt__disk_resolved **ret);

/*
 * The storage of a completed spec (bus and index set) found on this
 * host, without the defaults that follow from it.  Its messages never
 * name the drive: the caller names it, and tells by the errno alone
 * whether the storage could not be reached (storvirt__resolve_unreachable()).
 */
int storvirt__resolve_find(storvirt_ctx *ctx, const storvirt__disk_spec *spec, uint32_t flags,
                           storvirt__disk_resolved **ret);
/* -ENOENT, -ENODEV, -ENXIO, -ESTALE: what storvirt__resolve_find() found is not there now. */
bool storvirt__resolve_unreachable(int r);
/*
 * The defaults that follow from what was found, the target dev, and the
 * checks of the disk found (device lun on a SCSI device; what libvirt's
 * qemu driver and QEMU refuse), every message naming the drive.  What it
 * leaves out (a serial on a LUN) is a warning in d->warnings.  flags:
 * STORVIRT_RESOLVE_NO_RELABEL is kept in d.
 */
int storvirt__resolve_finish(storvirt_ctx *ctx, storvirt__disk_resolved *d, uint32_t flags);

/* -EINVAL with one message: the problem, or "N problems:" and one per line. */
int storvirt__resolve_problems_error(char **problems);

/* <disk> XML, or with STORVIRT_RESOLVE_DICT the device dict (STORVIRT_RESOLVE_NO_RELABEL). */
int storvirt__resolve_format(storvirt__disk_resolved *d, char **ret, uint32_t flags);

/*
 * Read the identity of the block device at path now, through the
 * context's sys-ops table, and compare it with GUID want (for a
 * multipath map: the map and each member path): 0, -ESTALE naming
 * what is there, or -ENODEV when the device is gone.
 */
int storvirt__resolve_check_guid(storvirt_ctx *ctx, const char *path, const char *want);

/*
 * A "vdisk" or {poolID, domainID, imageID, volumeID} spec resolved from
 * the vDisk's record: the image (a vDisk spec: its top legal image), the
 * images below it as d->backing, how QEMU reaches them.
 */
int storvirt__vdisk_resolve(storvirt_ctx *ctx, storvirt__disk_resolved *d);

/*
 * An rbd image or gluster file named through a stored connection
 * (spec->net_conn) as a network disk, its id or gfid checked against the
 * one the spec expects (-ESTALE naming both) (resolve_netconn.c).
 */
int storvirt__resolve_netconn(storvirt_ctx *ctx, storvirt__disk_resolved *d);

/*
 * A volume of a gluster pool as a network disk (resolve_gluster.c):
 * fills d's type, format, capacity and network source.
 */
int storvirt__resolve_gluster_volume(storvirt_ctx *ctx, storvirt__disk_resolved *d,
                                     storvirt_pool *pool, storvirt_volume *vol);
