/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * objects/connection_secret.h - the libvirt secret that holds a stored
 * iSCSI connection's CHAP password on the side of libvirt, and the
 * connection that holds the password a pool's <auth> names.
 *
 * A network <disk> that reaches an iSCSI target with CHAP names a libvirt
 * secret of usage type iscsi; libvirt looks it up when the domain starts
 * and hands its value to QEMU.  For a stored connection that secret has
 *
 *   usage id  "libstorvirt-chap-<connection id>"  (libvirt's objectName:
 *             no '/' and no newline; connection ids are letters, digits
 *             and "-_.:", so the name is valid and unique per connection)
 *   UUID      the name-based (v5) UUID of "libvirt-secret:" and the
 *             usage id: the same on every host and at every call.
 *
 * A pool's <auth type='chap' username=U><secret usage=N | uuid=S/> is
 * resolved to a stored connection: the one whose secret has usage id N
 * or UUID S, else the one to the pool's portal and target with user U.
 */
#pragma once

#include <stdbool.h>

#include "conf/connection_def.h"
#include "conf/disk.h"
#include "conf/pool_conf.h"
#include "objects/ctx.h"
#include "util/uuid.h"

#define STORVIRT__CONN_SECRET_PREFIX "libstorvirt-chap-"
/* The usage id of an rbd connection's libvirt secret (usage type ceph). */
#define STORVIRT__CONN_CEPH_SECRET_PREFIX "libstorvirt-ceph-"

/* The usage id of connection id's libvirt secret (malloc'd). */
int storvirt__conn_secret_usage(const char *id, char **ret);

/* The same for a definition: "libstorvirt-ceph-ID" for rbd connections. */
int storvirt__conn_secret_usage_of(const conn_def *d, char **ret);

/* The UUID of the libvirt secret of usage id usage. */
int storvirt__conn_secret_uuid(const char *usage, storvirt__uuid *ret);

/*
 * The stored iSCSI connection whose libvirt secret has UUID uuid (when
 * not NULL) or usage id usage: 1 with *ret_id (malloc'd), 0 when none.
 */
int storvirt__conn_find_by_secret(storvirt_ctx *ctx, const storvirt__uuid *uuid,
                                  const char *usage, char **ret_id);

/*
 * The stored connection that holds the CHAP password of an iscsi or
 * iscsi-direct pool's <auth>: by the secret it names, else the
 * connection to the pool's portal and target with the pool's user.  It
 * must have the pool's target, portal and user.  1 with *ret_id
 * (malloc'd); 0 when the pool has no <auth>; -EACCES when no stored
 * connection holds it or the one named reaches another target, portal
 * or user, -EINVAL for an <auth> other than CHAP; each naming the pool.
 */
int storvirt__conn_for_pool_auth(storvirt_ctx *ctx, const storvirt__pool_def *def, char **ret_id);

/*
 * The cephx key (base64, malloc'd: wipe it) of an rbd pool's <auth
 * type='ceph' username=U> held by a stored rbd connection: the one whose
 * libvirt secret the <auth> names (usage 'libstorvirt-ceph-ID' or its
 * UUID), else with by_hosts the one with the pool's monitors (<host>s,
 * in order, ports as given) and user U.  1 with *ret_key and *ret_id
 * (each may be NULL), 0 when none; -EACCES when the named one has
 * another user.
 */
int storvirt__conn_for_rbd_auth(storvirt_ctx *ctx, const storvirt__pool_def *def, bool by_hosts,
                                char **ret_key, char **ret_id);

/*
 * The stored rbd connection of a network rbd source: the one whose
 * libvirt secret it names, else the one with its monitors and cephx
 * user; and the stored glusterfs connection to the first server and the
 * volume of a gluster source.  1 with *ret_id (malloc'd), 0 when none.
 */
int storvirt__conn_find_for_rbd(storvirt_ctx *ctx, const storvirt__disk_rbd *rb, char **ret_id);
int storvirt__conn_find_glusterfs(storvirt_ctx *ctx, const storvirt__disk_netfile *nf,
                                  char **ret_id);

/*
 * libvirt's secret XML (ephemeral='no' private='yes') of usage type
 * iscsi and usage id usage (NULL: no usage, uuid is then needed), with
 * uuid (NULL: the name-based one of usage) and description when not
 * NULL; malloc'd.
 */
int storvirt__conn_secret_xml(const char *usage, const storvirt__uuid *uuid,
                              const char *description, char **ret_xml);
/* The same, of usage type ceph when ceph. */
int storvirt__conn_secret_xml_typed(const char *usage, const storvirt__uuid *uuid,
                                    const char *description, bool ceph, char **ret_xml);

/*
 * The description of connection id's secret: "CHAP password of
 * libstorvirt connection ID (user U, target T)" (malloc'd).  -EINVAL
 * when the connection is not iSCSI, -ENOENT when it has no CHAP user.
 */
int storvirt__conn_secret_describe(storvirt_ctx *ctx, const char *id, char **ret);

/*
 * Write the CHAP password of stored connection id to fd, exactly its
 * bytes (no newline); never logged.  -ENOENT when it has no CHAP
 * password, -EIO naming errno when the write fails.
 */
int storvirt__conn_write_secret(storvirt_ctx *ctx, const char *id, int fd);
