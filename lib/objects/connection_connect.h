/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * objects/connection_connect.h - a stored connection established on this
 * host and torn down again, through the context's sys-ops table.
 */
#pragma once

#include "conf/connection_def.h"
#include "objects/ctx.h"
#include "sys/iscsi_direct.h"

/*
 * Establish the connection on this host (iSCSI login, mount...);
 * *ret_mp the mount point for nfs/posixfs.  Tear it down again
 * (mountpoint: the one connect gave).
 */
int storvirt__conn_do_connect(storvirt_ctx *ctx, const conn_def *d, int timeout_ms,
                              char **ret_mp);
int storvirt__conn_do_disconnect(storvirt_ctx *ctx, const conn_def *d, const char *mountpoint,
                                 int timeout_ms);

/*
 * The id of rbd image image of Ceph pool pool, through rbd connection d
 * (with its key); -ENOENT when there is none.
 */
int storvirt__conn_rbd_image_id(const conn_def *d, const char *pool, const char *image,
                                int timeout_ms, char **ret);
/*
 * The servers of glusterfs connection d (its spec's, then the backup
 * volfile servers), when it reaches GlusterFS volume volume; a strv.
 */
int storvirt__conn_gluster_servers(const conn_def *d, const char *volume, char ***ret);
/* The gfid of regular file path (inside the volume) through glusterfs connection d. */
int storvirt__conn_gluster_gfid(const conn_def *d, const char *volume, const char *path,
                                char ret[static 37]);

/* libiscsi's parameters for an iSCSI definition (portal: a STORVIRT__CONN_PORTAL_SIZE buffer). */
int storvirt__conn_iscsi_params(const conn_def *d, int timeout_ms, char *portal, size_t size,
                                struct storvirt__iscsi_params *p);
/* The target's LUNs through libiscsi with the definition's credentials. */
int storvirt__conn_direct_scan(storvirt_ctx *ctx, const conn_def *d, int timeout_ms,
                               struct storvirt__iscsi_lun **luns, size_t *n);
