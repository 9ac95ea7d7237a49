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

/* libiscsi's parameters for an iSCSI definition (portal: a STORVIRT__CONN_PORTAL_SIZE buffer). */
int storvirt__conn_iscsi_params(const conn_def *d, int timeout_ms, char *portal, size_t size,
                                struct storvirt__iscsi_params *p);
/* The target's LUNs through libiscsi with the definition's credentials. */
int storvirt__conn_direct_scan(storvirt_ctx *ctx, const conn_def *d, int timeout_ms,
                               struct storvirt__iscsi_lun **luns, size_t *n);
