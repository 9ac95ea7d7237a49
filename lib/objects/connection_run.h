/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core/connection.h - what the rest of the library (vDisks) needs of
 * stored connections.  Records: connections/<id>.json (the definition,
 * no secret), secrets/<id>.json (mode 0600: {"password", "mutual_password"}),
 * connections-run/<id>.json ({"connected": bool, "holders": [...],
 * "mountpoint"...}).  See core/records.h.  A definition and its secret
 * change together, as one transaction (core/connection_store.h).
 *
 * vDisk records list the connections they need in their "connections"
 * array of ids; connection.c reads that to refuse undefining a connection
 * a vDisk needs.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "objects/ctx.h"
#include "sys/iscsi_direct.h"
#include "conf/connection_def.h"
#include "util/json.h"

/*
 * Hold connection id on behalf of holder (a string such as
 * "vdisk:<vdisk id>:vm:<vm id>"): the first holder establishes it.
 * timeout_ms <= 0: 30 s.  1 when this call connected, 0 when it only
 * counted, -errno (storvirt_connection_connect()'s errors; -ENOENT for
 * an unknown id).
 */
int storvirt__connection_acquire(storvirt_ctx *ctx, const char *id, const char *holder,
                                 int timeout_ms);

/* Drop holder; tear down when none is left (or force).  1 / 0 / -errno. */
int storvirt__connection_release(storvirt_ctx *ctx, const char *id, const char *holder,
                                 bool force);

/*
 * The id of a stored iSCSI connection to target at host:port (port 0 is
 * 3260), 1 with *ret_id (malloc'd), 0 when there is none, -errno.
 */
int storvirt__connection_find_iscsi(storvirt_ctx *ctx, const char *host, unsigned port,
                                    const char *target, char **ret_id);

/*
 * Scan the target of stored iSCSI connection id through libiscsi with its
 * stored credentials (storvirt__iscsi_scan()).  timeout_ms <= 0: 30 s.
 */
int storvirt__connection_iscsi_scan(storvirt_ctx *ctx, const char *id, int timeout_ms,
                                    struct storvirt__iscsi_lun **ret, size_t *n);

/*
 * Append the connection's JSON object (redacted; VDSM keys when vdsm)
 * to an open generator, for storvirt_vm_connections().  -ENOENT when
 * id is not stored.
 */
int storvirt__connection_gen_json(storvirt_ctx *ctx, const char *id, bool vdsm,
                                  storvirt__json_gen *g);

/*
 * For an iSCSI connection: the portal host (brackets dropped for IPv6),
 * port, target, LUN (-1 when not set), driver ("kernel"/"direct"),
 * initiator and CHAP user (NULL when none), each malloc'd, for building a
 * network <disk> (the password is not returned).  -EINVAL for another type.
 */
struct storvirt__connection_iscsi_info {
        char *host;
        unsigned port;
        char *target;
        long lun;
        char *driver;
        char *initiator;
        char *user;
};
int storvirt__connection_iscsi_info(storvirt_ctx *ctx, const char *id,
                                    struct storvirt__connection_iscsi_info *ret);
void storvirt__connection_iscsi_info_clear(struct storvirt__connection_iscsi_info *i);


/* ---- what core/connection.c shares with the internals ------------------------------------- */

/* Run state: holders and connected flag. */
struct storvirt__conn_run {
        bool connected;
        char **holders;
        char *mountpoint;
        char *since;
};

void storvirt__conn_run_clear(struct storvirt__conn_run *s);
/* The run state of id (none: all zero); locked: the caller holds the run lock. */
int storvirt__conn_run_load(storvirt_ctx *ctx, const char *id, bool locked, struct storvirt__conn_run *s);
/* The run state as a JSON object. */
int storvirt__conn_run_gen(storvirt__json_gen *g, const struct storvirt__conn_run *s);
int storvirt__conn_run_save(storvirt_ctx *ctx, const char *id, const struct storvirt__conn_run *s);

/* The stored definition of id (with its secrets), after recovering a killed writer's work. */
int storvirt__conn_load_def(storvirt_ctx *ctx, const char *id, bool with_secrets, conn_def **ret);
int storvirt__conn_load_def_locked(storvirt_ctx *ctx, const char *id, bool with_secrets,
                                   bool locked, conn_def **ret);

/* Stores the definitions as one transaction (those stored alike are left alone). */
int storvirt__conn_store_defs(storvirt_ctx *ctx, conn_def **defs, size_t n, uint32_t flags);

/*
 * storvirt_connection_define() below the public API: parses json (one
 * connection, a list, or VDSM's parameters) and stores it; *ret_ids
 * (may be NULL) the ids.
 */
int storvirt__connection_define_json(storvirt_ctx *ctx, const char *json, uint32_t flags,
                                     char ***ret_ids);
