/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * objects/lun_snap.h - the snapshot of the host's LUNs a context holds.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "objects/ctx.h"
#include "sys/blockdev.h"
#include "sys/sysops.h"
#include "sys/usage.h"
#include "util/hashmap.h"
#include "util/refcnt.h"

/* A filesystem UUID seen on more than one LUN (value in by_fs_uuid). */
#define FS_UUID_DUP ((void *)(uintptr_t)SIZE_MAX)

typedef struct storvirt__lun_snap storvirt__lun_snap;

struct storvirt__lun_snap {
        storvirt__refcnt n_ref;
        struct storvirt__blk_scan *scan;
        struct storvirt__usage *usage;  /* one per LUN */
        size_t *order;                  /* LUN indexes in list order */
        storvirt__hashmap *by_guid;     /* GUID -> index + 1 */
        storvirt__hashmap *by_node;     /* device node of a LUN or path -> index + 1 */
        storvirt__hashmap *by_devnum;   /* "major:minor" of a LUN or path -> index + 1 */
        storvirt__hashmap *by_fs_uuid;  /* blkid UUID -> index + 1, or FS_UUID_DUP */
};

storvirt__lun_snap *storvirt__lun_snap_ref(storvirt__lun_snap *snap);   /* NULL-safe */
void storvirt__lun_snap_unref(storvirt__lun_snap *snap);                  /* NULL-safe */

/* "major:minor" of devnum into buf (the by_devnum key). */
int storvirt__lun_devnum_key(char *buf, size_t size, dev_t devnum);

/* A new discovery pass through the context's sys-ops table. */
int storvirt__lun_snap_new(storvirt_ctx *ctx, storvirt__lun_snap **ret);

/*
 * The context's current snapshot, referenced; a new one first when there
 * is none yet or refresh (it then becomes the current one).
 */
int storvirt__lun_snap_current(storvirt_ctx *ctx, bool refresh, storvirt__lun_snap **ret);

/* The current snapshot (the context's LUN slot), referenced (NULL if none yet). */
storvirt__lun_snap *storvirt__ctx_lun_snap(storvirt_ctx *ctx);
/* Makes snap (a reference is taken) current; drops the previous one. */
void storvirt__ctx_set_lun_snap(storvirt_ctx *ctx, storvirt__lun_snap *snap);
