/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core/lun.h - the public LUN handles (storvirt/lun.h) over the snapshot
 * of objects/lun_snap.h.
 */
#pragma once

#include <storvirt/lun.h>

#include "objects/events.h"
#include "objects/lun_snap.h"

/* What a discovery pass saw of the LUN (valid while lun is referenced), and its context. */
const struct storvirt__blk_lun *storvirt__lun_blk(const storvirt_lun *lun);
storvirt_ctx *storvirt__lun_ctx(const storvirt_lun *lun);

/* The backing identity a vDisk of this LUN has ("lun:GUID", "loop:FILE"); false when none. */
bool storvirt__lun_identity(const struct storvirt__blk_lun *l, char *buf, size_t size);

/*
 * The context's LUN events (core/lun_event.c): the source of the host's
 * device changes, and the resize of one LUN announced once, whichever of
 * storvirt_lun_refresh_size() and the device monitor sees it first.
 */
extern const storvirt__event_source_type storvirt__event_source_devices;
void storvirt__lun_announce_size(storvirt_ctx *ctx, const struct storvirt__blk_lun *l,
                                 uint64_t capacity, bool local);
