/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * gluster.h - what the parts of the gluster pool type share: the pool
 * side (gluster.c: the handle a running pool holds, refresh, probing),
 * the volume side (gluster_vol.c: create, copy, delete, resize, wipe,
 * upload, download) and the discovery of a server's volumes
 * (gluster_sources.c).
 */
#pragma once

#include "backends/backends.h"
#include "sys/gluster.h"

/* A volume being built: a hidden name in the pool's directory, never listed. */
#define STORVIRT__GLUSTER_PARTIAL_PREFIX ".storvirt-partial-"

/* What a running pool holds (obj->backend_data). */
typedef struct storvirt__gluster_pool {
        storvirt__gl *gl;
        char *dir;      /* the pool's directory in the volume: "/" or "/a/b" */
        char *url;      /* gluster://HOST[:PORT]/VOLUME/DIR, no trailing slash */
} storvirt__gluster_pool;

/* The pool's handle, made now if a context found the pool running (takes obj->lock). */
int storvirt__gluster_session(storvirt__pool_obj *obj, storvirt__gluster_pool **ret);
/* The path in the volume of the entry `name` of the pool's directory. */
int storvirt__gluster_path_in(const storvirt__gluster_pool *p, const char *name, char **ret);

/* The volume operations (gluster_vol.c), as the backend ops table calls them. */
int storvirt__gluster_create_volume(storvirt__pool_obj *obj, const storvirt__vol_def *def,
                                    storvirt__vol_rec **ret_rec, uint32_t flags);
int storvirt__gluster_build_volume(storvirt__pool_obj *obj, storvirt__vol_rec *rec,
                                   const storvirt__vol_def *def,
                                   const storvirt__progress *progress, uint32_t flags);
int storvirt__gluster_build_volume_from(storvirt__pool_obj *obj, storvirt__vol_rec *rec,
                                        const storvirt__vol_def *def, storvirt__vol_rec *src,
                                        const storvirt__progress *progress, uint32_t flags);
int storvirt__gluster_delete_volume(storvirt__pool_obj *obj, storvirt__vol_rec *rec,
                                    uint32_t flags);
int storvirt__gluster_resize_volume(storvirt__pool_obj *obj, storvirt__vol_rec *rec,
                                    uint64_t capacity, uint32_t flags);
int storvirt__gluster_wipe_volume(storvirt__pool_obj *obj, storvirt__vol_rec *rec,
                                  const storvirt__progress *progress, uint32_t flags);
int storvirt__gluster_upload(storvirt__pool_obj *obj, storvirt__vol_rec *rec, int fd,
                             uint64_t offset, uint64_t length, const storvirt__progress *p,
                             uint32_t flags);
int storvirt__gluster_download(storvirt__pool_obj *obj, storvirt__vol_rec *rec, int fd,
                               uint64_t offset, uint64_t length, const storvirt__progress *p,
                               uint32_t flags);
