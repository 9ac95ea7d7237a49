/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storvirt/connection.h - storage connections: the ways this host reaches
 * storage (an iSCSI portal and target, an NFS export, a POSIX filesystem,
 * a local directory, Fibre Channel), stored in the state directory and
 * connected on demand.  Include <storvirt.h> instead.
 *
 * A connection is defined from JSON: our own form
 *
 *   {"type": "iscsi", "id": "...", "portal": "10.0.0.5:3260", "target": "iqn...",
 *    "lun": 1, "user": "u", "password": "p", "mutual_user": "t",
 *    "mutual_password": "q", "initiator": "iqn...", "iface": "default",
 *    "driver": "kernel" | "direct"}
 *   {"type": "nfs", "export": "server:/path", "version": "4.2", "options": "..."}
 *   {"type": "posixfs", "spec": "dev-or-source", "vfstype": "xfs", "options": "..."}
 *   {"type": "localfs", "path": "/srv/images"}
 *   {"type": "fcp"}
 *   {"type": "rbd", "monitors": ["10.0.0.7:6789", "mon2"], "user": "vmhost",
 *    "key": "<cephx key, base64>", "cluster": "ceph"}       (since 0.6)
 *
 * or VDSM's connectStorageServer parameters: {"domainType": 3,
 * "connectionParams": [{"id", "connection", "port", "iqn", "user",
 * "password", "initiatorName", "ifaceName", "tpgt"}, ...]} (domain types
 * NFS=1, FCP=2, ISCSI=3, LOCALFS=4, POSIXFS=6), or a list of either.  The
 * full key list is in storvirt_connection_define(3).
 *
 * Every connection has an id: the one given, else a name-based UUID of
 * its normalized parameters (so defining the same connection twice gives
 * the same id).  Secrets (CHAP passwords) are kept apart, in files of
 * mode 0600 in the state directory, and never appear in any JSON this
 * library returns, in a log line or in an error message.
 *
 * Connecting: iSCSI with driver "kernel" runs iscsiadm (node create,
 * login; logout; session rescan; the CHAP settings are written into the
 * node record, mode 0600, never on iscsiadm's command line), driver
 * "direct" logs in from user space through libiscsi to check the target
 * and list its LUNs (the guest then reaches it through QEMU's own
 * initiator); nfs and posixfs
 * mount under <state dir>/mnt; localfs checks the directory; fcp needs
 * nothing.  Connections are held by holders (a vDisk prepared for a VM,
 * or an administrator's explicit connect) and torn down only when the
 * last holder lets go.
 */
#ifndef STORVIRT_CONNECTION_H
#define STORVIRT_CONNECTION_H

#include <storvirt/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct storvirt_connection storvirt_connection;

/* Connection types (storvirt_connection_get_type). */
#define STORVIRT_CONNECTION_ISCSI 1
#define STORVIRT_CONNECTION_NFS 2
#define STORVIRT_CONNECTION_POSIXFS 3
#define STORVIRT_CONNECTION_LOCALFS 4
#define STORVIRT_CONNECTION_FCP 5
/* A GlusterFS volume mounted through its FUSE client (VDSM's glusterfs domains).  Since: 0.6 */
#define STORVIRT_CONNECTION_GLUSTERFS 7
/*
 * A Ceph cluster: its monitors, a cephx user and key (librados checks it
 * answers; QEMU reaches the images itself through librbd).  Since: 0.6
 */
#define STORVIRT_CONNECTION_RBD 8

/* Flags of storvirt_connection_define(). */
/* Replace a stored connection of the same id (else -EEXIST when it differs). */
#define STORVIRT_CONNECTION_DEFINE_REPLACE (1u << 0)

/*
 * storvirt_connection_define:
 * Parses json (one connection, a list, or VDSM's connectStorageServer
 * parameters) and stores every connection in it; all or nothing, also
 * when the process is killed midway (the next use of the connections
 * completes or drops the change).
 * *ret_ids (may be NULL) receives the ids, NULL-terminated, in document
 * order (free with storvirt_strv_free()).  Defining an identical
 * connection again is a no-op.  Errors: -EINVAL naming the entry, field,
 * value and reason (a password is never quoted), -EEXIST (same id,
 * other parameters, without STORVIRT_CONNECTION_DEFINE_REPLACE), -EBUSY
 * (replacing a connected connection), -EIO, -ENOMEM.
 * Since: 0.4
 */
int storvirt_connection_define(storvirt_ctx *ctx, const char *json, char ***ret_ids,
                               uint32_t flags);

/*
 * Flag of the list function below: also list the stored records that
 * do not parse and the secrets whose connection record is gone, as
 * handles of type 0 whose JSON is {"id", "invalid": why}; they cannot be
 * connected, only removed with storvirt_connection_undefine().
 * Since: 0.5
 */
#define STORVIRT_CONNECTION_LIST_INVALID (1u << 0)

/*
 * storvirt_connection_lookup / storvirt_connection_list /
 * storvirt_connection_list_free:
 * A stored connection by id (-ENOENT when none), or every stored
 * connection sorted by id (NULL-terminated; *ret_n may be NULL).  A
 * record file that does not parse is skipped by list (logged) and is
 * -EINVAL naming the file for lookup.  flags: 0 or
 * STORVIRT_CONNECTION_LIST_INVALID.
 * Since: 0.4
 */
int storvirt_connection_lookup(storvirt_ctx *ctx, const char *id,
                               storvirt_connection **ret_conn);
int storvirt_connection_list(storvirt_ctx *ctx, storvirt_connection ***ret_conns,
                             size_t *ret_n, uint32_t flags);
void storvirt_connection_list_free(storvirt_connection **conns);

/*
 * storvirt_connection_ref / storvirt_connection_unref:
 * Reference counting; unref of NULL is a no-op.
 * Since: 0.4
 */
storvirt_connection *storvirt_connection_ref(storvirt_connection *conn);
storvirt_connection *storvirt_connection_unref(storvirt_connection *conn);

/*
 * storvirt_connection_get_id / storvirt_connection_get_type /
 * storvirt_connection_get_param:
 * The id; the type (STORVIRT_CONNECTION_*, 0 for a record listed with
 * STORVIRT_CONNECTION_LIST_INVALID); one parameter by its key in
 * our own JSON form ("portal", "target", "export"...; NULL when not set).
 * "password" and "mutual_password" are never returned (NULL, -EPERM in
 * the error).  Borrowed strings, valid while the handle is referenced.
 * Since: 0.4
 */
const char *storvirt_connection_get_id(storvirt_connection *conn);
int storvirt_connection_get_type(storvirt_connection *conn);
const char *storvirt_connection_get_param(storvirt_connection *conn, const char *key);

/*
 * Flags of storvirt_connection_get_json() and storvirt_vm_connections()
 * (storvirt_connection_list_luns() takes PRETTY only).
 */
#define STORVIRT_CONNECTION_JSON_PRETTY (1u << 0)
/* VDSM's connection parameter keys instead of ours. */
#define STORVIRT_CONNECTION_JSON_VDSM (1u << 1)

/*
 * storvirt_connection_get_json:
 * The connection in our own JSON form (or VDSM's), secrets replaced by
 * "********", plus "status": {"connected", "holders", ...}.
 * Caller-owned (storvirt_free()).
 * Since: 0.4
 */
int storvirt_connection_get_json(storvirt_connection *conn, char **ret_json, uint32_t flags);

/*
 * storvirt_connection_undefine:
 * Removes the stored connection and its secrets (also a record that
 * does not parse, or a secret left without its record, as listed with
 * STORVIRT_CONNECTION_LIST_INVALID).  -EBUSY while it is connected or a
 * vDisk needs it, unless STORVIRT_CONNECTION_FORCE.
 * Since: 0.4
 */
#define STORVIRT_CONNECTION_FORCE (1u << 0)
int storvirt_connection_undefine(storvirt_connection *conn, uint32_t flags);

/*
 * storvirt_connection_connect / storvirt_connection_disconnect:
 * Connects on behalf of holder (NULL: "admin"): the first holder
 * establishes the connection (login, mount), later holders only count.
 * disconnect drops the holder and tears the connection down when no
 * holder is left, or at once with STORVIRT_CONNECTION_FORCE.  Both are
 * idempotent per holder.  timeout_ms bounds every network step (0: 30 s).
 * Errors: -ETIMEDOUT, -ECONNREFUSED, -EACCES (wrong credentials),
 * -ENOENT (no such target or export), -EIO (the tool failed: its message
 * with secrets removed), -EOPNOTSUPP (a tool or library this host lacks).
 * Returns 1 when this call changed the host (logged in, mounted,
 * unmounted), 0 when it only counted.
 * Since: 0.4
 */
int storvirt_connection_connect(storvirt_connection *conn, const char *holder,
                                int timeout_ms, uint32_t flags);
int storvirt_connection_disconnect(storvirt_connection *conn, const char *holder,
                                   uint32_t flags);

/*
 * storvirt_connection_list_luns:
 * For an iSCSI connection: logs in through libiscsi (whatever its driver),
 * lists the target's block LUNs and logs out.  JSON array of {"lun",
 * "guid", "vendor", "product", "revision", "serial", "capacity",
 * "blockSize"}; the GUID is what multipath would name the LUN.
 * -EOPNOTSUPP for other types.
 * Since: 0.4
 */
int storvirt_connection_list_luns(storvirt_connection *conn, int timeout_ms, char **ret_json,
                                  uint32_t flags);

/*
 * storvirt_connection_get_secret_xml / storvirt_connection_write_secret:
 * For an iSCSI connection with a CHAP user: the libvirt secret that a
 * network <disk> reaching its target names (storvirt_vdisk_get_xml()
 * writes <auth username=...><secret type='iscsi' usage=.../></auth>),
 * and that secret's value.  The XML is
 *
 *   <secret ephemeral='no' private='yes'>
 *     <uuid>...</uuid>
 *     <description>CHAP password of libstorvirt connection ID (...)</description>
 *     <usage type='iscsi'><target>libstorvirt-chap-ID</target></usage>
 *   </secret>
 *
 * with a usage id valid in libvirt's schema and unique per connection,
 * and a name-based UUID: both the same at every call and on every host.
 * write_secret writes the CHAP password (exactly its bytes, no newline)
 * to fd, which the caller opened and closes; it is never logged.  Define
 * the secret with "virsh secret-define", give it the value with
 * "virsh secret-set-value --secret UUID --file FILE --plain", then start
 * the domain.  A mutual CHAP password stays in the library (libvirt's
 * iSCSI disks take one-way CHAP only).  *ret_xml is caller-owned
 * (storvirt_free()).  Errors: -EINVAL (not an iSCSI connection), -ENOENT
 * (no CHAP user: the target needs no secret), the errno of a failed
 * write(2) to fd (EBADF, EPIPE, ENOSPC...), -ENOMEM.  flags: 0.
 * Since: 0.6
 */
int storvirt_connection_get_secret_xml(storvirt_connection *conn, char **ret_xml,
                                       uint32_t flags);
int storvirt_connection_write_secret(storvirt_connection *conn, int fd, uint32_t flags);

/*
 * storvirt_iscsi_discover:
 * SendTargets discovery through libiscsi.  params_json: {"portal":
 * "host[:port]", "user", "password", "initiator"} (only portal is
 * required), {"connection": ID} alone to use a stored connection's portal
 * and credentials, or VDSM's {"connection": host, "port", "user",
 * "password", "ipv6_enabled"} (port required; without ipv6_enabled, IPv6
 * portals are left out, as VDSM does).  JSON array of {"target",
 * "portals": [{"address", "tpgt"}]}; with STORVIRT_ISCSI_DISCOVER_VDSM VDSM's strings
 * "host:port,tpgt iqn".  Errors as storvirt_connection_connect().
 * Since: 0.4
 */
#define STORVIRT_ISCSI_DISCOVER_VDSM (1u << 0)
int storvirt_iscsi_discover(storvirt_ctx *ctx, const char *params_json, int timeout_ms,
                            char **ret_json, uint32_t flags);

#ifdef __cplusplus
}
#endif

#endif
