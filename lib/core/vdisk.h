/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core/vdisk.h - what the rest of the library needs of the vDisk
 * registry (records vdisks/<id>.json, see core/records.h).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "conf/disk.h"
#include "core/ctx.h"
#include "util/hashmap.h"

/*
 * Resolve d->spec whose source is STORVIRT__DISK_SOURCE_VDISK (its top
 * image) or STORVIRT__DISK_SOURCE_PDIV (the image the quartet names,
 * checked against this state directory's UUID and the image's domain):
 * fills d->type, d->source_path (or the network fields of d->spec->iscsi),
 * d->backing / d->n_backing (the chain below the source), d->guid,
 * d->capacity, and the format of the source in d->spec->format.
 * -ENOENT naming what is missing (vDisk, image), -EINVAL (quartet that
 * does not match), -ESTALE (a LUN base whose device changed identity).
 * The messages never name the drive: the caller prefixes its name.
 */
int storvirt__vdisk_resolve(storvirt_ctx *ctx, storvirt__disk_resolved *d);

/*
 * How many vDisks have path in their image stack; *ret_id (may be
 * NULL) gets the id of the first one (malloc'd).  For volume deletion.
 */
int storvirt__vdisk_path_users(storvirt_ctx *ctx, const char *path, char **ret_id);

/*
 * The vDisk backed by LUN guid: 1 with *ret_id (malloc'd), 0 when none.
 */
int storvirt__vdisk_by_guid(storvirt_ctx *ctx, const char *guid, char **ret_id);

/*
 * Every vDisk's backing identity ("lun:GUID", "loop:FILE", "file:PATH")
 * mapped to its id (values malloc'd strings; free with
 * storvirt__hashmap_free()): one pass over the records, for LUN lists.
 */
int storvirt__vdisk_identities(storvirt_ctx *ctx, storvirt__hashmap **ret);

/* Test hook: a snapshot _exit()s at step 1 (recorded ILLEGAL) or 2 (overlay written). */
extern int storvirt__vdisk_crash_point;
