/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * objects/holders.h - who holds which storage: the vDisk of each backing
 * identity ("lun:GUID", "file:/path", "loop:/path") and of each image
 * path, kept in one index (state dir: holders/index.json) that the vDisk
 * layer writes whenever it writes a vDisk record, and the LUN and volume
 * code read, so that neither reads the vDisk records nor calls up into
 * the vDisks.
 *
 * The index is written under the exclusive lock of the "vdisks" records,
 * after the record it describes, and carries the modification time of
 * the vdisks/ directory it saw: when a record was written after it (a
 * process died between the two writes, or an older release wrote the
 * records), the index is rebuilt from the records on the next read.
 */
#pragma once

#include <stdbool.h>

/* The state directory's folder of the holders index. */
#define STORVIRT__HOLDERS_KIND "holders"

#include "objects/ctx.h"

typedef struct storvirt__holders storvirt__holders;

/* The index, current; with locked, the caller holds the "vdisks" lock. */
int storvirt__holders_load(storvirt_ctx *ctx, bool locked, storvirt__holders **ret);
void storvirt__holders_free(storvirt__holders *h);

/* The vDisk of a backing identity, or NULL. */
const char *storvirt__holders_by_identity(const storvirt__holders *h, const char *identity);

/*
 * The vDisks with an image at path: their number, and the first one's id
 * in *ret_first (borrowed; may be NULL).
 */
unsigned storvirt__holders_by_path(const storvirt__holders *h, const char *path,
                                   const char **ret_first);

/*
 * Records what vDisk id holds (its identity and image paths; identity
 * NULL: it holds nothing any more).  The caller holds the "vdisks" lock
 * exclusive and has written the record already.
 */
int storvirt__holders_update(storvirt_ctx *ctx, const char *id, const char *identity,
                             char *const *paths);
