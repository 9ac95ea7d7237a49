/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core/lun.h - the LUN snapshot a context holds (see storvirt/lun.h).
 */
#pragma once

#include <storvirt/lun.h>

#include "core/ctx.h"

typedef struct storvirt__lun_snap storvirt__lun_snap;

storvirt__lun_snap *storvirt__lun_snap_ref(storvirt__lun_snap *snap);   /* NULL-safe */
void storvirt__lun_snap_unref(storvirt__lun_snap *snap);                  /* NULL-safe */

/* The current snapshot, referenced (NULL if none yet). */
storvirt__lun_snap *storvirt__ctx_lun_snap(storvirt_ctx *ctx);
/* Makes snap (a reference is taken) current; drops the previous one. */
void storvirt__ctx_set_lun_snap(storvirt_ctx *ctx, storvirt__lun_snap *snap);
