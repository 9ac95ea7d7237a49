/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * backends.h - the backend ops tables compiled into the library, and the
 * helpers backends share.
 */
#pragma once

#include "config.h"

#include "objects/backend_ops.h"
#include "objects/pool_obj.h"

/* The backends compiled into this library (NULL-terminated; builtin.c). */
int storvirt__backend_unsupported(const storvirt__backend_ops *ops, const char *op);
extern const storvirt__backend_ops *const storvirt__builtin_backends[];

extern const storvirt__backend_ops storvirt__backend_dir;
extern const storvirt__backend_ops storvirt__backend_fs;
extern const storvirt__backend_ops storvirt__backend_netfs;
extern const storvirt__backend_ops storvirt__backend_iscsi_direct;
extern const storvirt__backend_ops storvirt__backend_logical;
extern const storvirt__backend_ops storvirt__backend_scsi;
extern const storvirt__backend_ops storvirt__backend_iscsi;
#if HAVE_FDISK
extern const storvirt__backend_ops storvirt__backend_disk;
#endif
#if HAVE_RBD
extern const storvirt__backend_ops storvirt__backend_rbd;
#endif
#if HAVE_GLUSTER
extern const storvirt__backend_ops storvirt__backend_gluster;
#endif
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

/*
 * Pools whose volumes are host block devices (lib/backends/block.c): adds
 * a raw, fully allocated volume record to vols (adding its capacity to
 * *total), and makes vols the pool's table with total as its capacity
 * and allocation (called with obj->lock held).
 */
int storvirt__backend_add_block_vol(storvirt__hashmap *vols, const char *name, const char *key,
                                    const char *path, uint64_t capacity, uint64_t *total);
void storvirt__backend_set_block_vols(storvirt__pool_obj *obj, storvirt__hashmap *vols,
                                      uint64_t total);

/*
 * SendTargets discovery for the find-sources of the iscsi and
 * iscsi-direct pool types (lib/backends/iscsi_direct.c).
 */
int storvirt__iscsi_find_sources(storvirt_ctx *ctx, const char *srcspec, char **ret_xml,
                                 uint32_t flags);

/* Creates a pool's target directory with its permissions (dir, fs, netfs). */
int storvirt__dir_build_target(storvirt__pool_obj *obj, uint32_t flags);

/*
 * A gluster pool's URL, gluster://HOST[:PORT]/VOLUME[/DIR], as libvirt
 * writes the keys and paths of its volumes (lib/backends/gluster.c).
 */
int storvirt__gluster_pool_url(const storvirt__pool_def *def, char **ret);

/*
 * find-sources of the gluster pool type (lib/backends/gluster_sources.c):
 * the volumes the gluster CLI finds on the server srcspec names, and the
 * parser of the CLI's XML answer into libvirt's <sources> (host: the
 * server asked; every malformed answer is -EINVAL naming what is wrong).
 */
int storvirt__gluster_find_sources(storvirt_ctx *ctx, const char *srcspec, char **ret_xml,
                                   uint32_t flags);
int storvirt__gluster_sources_parse(const char *host, const char *answer, size_t len,
                                    char **ret_xml);
