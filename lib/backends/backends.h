/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * backends.h - the backend ops tables compiled into the library, and the
 * helpers backends share.
 */
#pragma once

#include "config.h"

#include "core/backend.h"
#include "core/pool.h"

extern const storvirt__backend_ops storvirt__backend_dir;
extern const storvirt__backend_ops storvirt__backend_fs;
extern const storvirt__backend_ops storvirt__backend_netfs;
extern const storvirt__backend_ops storvirt__backend_iscsi_direct;
extern const storvirt__backend_ops storvirt__backend_logical;
extern const storvirt__backend_ops storvirt__backend_scsi;
extern const storvirt__backend_ops storvirt__backend_iscsi;
#if HAVE_DEVMAPPER
extern const storvirt__backend_ops storvirt__backend_mpath;
/* Counts the active and failed paths in a multipath status line. */
void storvirt__mpath_count_paths(const char *status, unsigned *ret_paths, unsigned *ret_failed);
#endif

/*
 * lvcreate's argv for a logical pool's volume: a thick LV, or, when
 * allocation < capacity, a thin LV in the pool's thin pool (preceded by
 * the thin pool's own lvcreate, then "--", when it does not exist yet).
 */
int storvirt__logical_lvcreate_argv(const char *vg, const char *name, uint64_t capacity,
                                    uint64_t allocation, bool thin_pool_exists, char ***ret);

/* Creates a pool's target directory with its permissions (dir, fs, netfs). */
int storvirt__dir_build_target(storvirt__pool_obj *obj, uint32_t flags);
