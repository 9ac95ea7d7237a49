/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storvirt/pool.h - storage pools: libvirt-compatible definitions,
 * lifecycle, lookups and listing.  Include <storvirt.h> instead.
 *
 * A pool is a quantity of storage of one type (dir, fs, netfs, logical,
 * disk, iscsi, ...) described by libvirt's pool XML.  Persistent pools
 * are stored in the context's state directory as libvirt XML; transient
 * pools live as long as the context.
 */
#ifndef STORVIRT_POOL_H
#define STORVIRT_POOL_H

#include <storvirt/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct storvirt_pool storvirt_pool;

/* Pool states (storvirt_pool_get_info), libvirt's numbering. */
#define STORVIRT_POOL_STATE_INACTIVE 0
#define STORVIRT_POOL_STATE_BUILDING 1
#define STORVIRT_POOL_STATE_RUNNING 2
#define STORVIRT_POOL_STATE_DEGRADED 3
#define STORVIRT_POOL_STATE_INACCESSIBLE 4

/*
 * A progress callback of a long operation (wipe, clone, upload,
 * download, preallocation): `done` of `total` bytes.  Return 0 to go on;
 * any other value cancels the operation, which then fails with
 * -ECANCELED after undoing what it can.  Called on the caller's thread,
 * never with a library lock held.
 */
typedef int (*storvirt_progress_fn)(uint64_t done, uint64_t total, void *userdata);

/*
 * storvirt_pool_define_xml:
 * Defines a persistent (inactive) pool from libvirt pool XML and stores
 * the definition in the state directory.  Redefining an existing inactive
 * pool of the same name and UUID replaces its definition.  flags: 0.
 * Returns 0, -EINVAL (bad XML: the message names the element and value),
 * -EEXIST (name or UUID taken by another pool), -EBUSY (the pool is active
 * and its definition would change its source or target), -ENOMEM, -errno.
 * Since: 0.2
 */
int storvirt_pool_define_xml(storvirt_ctx *ctx, const char *xml,
                             storvirt_pool **ret_pool, uint32_t flags);

/* Flags of storvirt_pool_create_xml() and storvirt_pool_start(). */
#define STORVIRT_POOL_CREATE_BUILD (1u << 0)
#define STORVIRT_POOL_CREATE_BUILD_OVERWRITE (1u << 1)
#define STORVIRT_POOL_CREATE_BUILD_NO_OVERWRITE (1u << 2)

/*
 * storvirt_pool_create_xml:
 * Creates and starts a transient pool (not stored).  With
 * STORVIRT_POOL_CREATE_BUILD* the pool is built first.
 * Since: 0.2
 */
int storvirt_pool_create_xml(storvirt_ctx *ctx, const char *xml,
                             storvirt_pool **ret_pool, uint32_t flags);

/*
 * storvirt_pool_undefine:
 * Removes a persistent pool's stored definition (and autostart mark).  An
 * active pool becomes transient and is forgotten when stopped.  flags: 0.
 * Since: 0.2
 */
int storvirt_pool_undefine(storvirt_pool *pool, uint32_t flags);

/* Flags of storvirt_pool_build(). */
#define STORVIRT_POOL_BUILD_OVERWRITE (1u << 0)
#define STORVIRT_POOL_BUILD_NO_OVERWRITE (1u << 1)

/*
 * storvirt_pool_build:
 * Creates the underlying storage (dir: the target directory with its
 * permissions; fs: mkfs on the source device).  NO_OVERWRITE refuses when
 * something is already there (-EEXIST); OVERWRITE allows destroying it;
 * both together are -EINVAL.  The pool must be inactive (-EBUSY).
 * Since: 0.2
 */
int storvirt_pool_build(storvirt_pool *pool, uint32_t flags);

/*
 * storvirt_pool_start / storvirt_pool_stop:
 * Activate (mount, log in, ...) and refresh / deactivate a pool.  start
 * accepts the STORVIRT_POOL_CREATE_BUILD* flags; stop: 0.  start on an
 * active pool is -EBUSY; stop on an inactive pool is -EINVAL; stop while a
 * long operation runs on a volume is -EBUSY.
 * Since: 0.2
 */
int storvirt_pool_start(storvirt_pool *pool, uint32_t flags);
int storvirt_pool_stop(storvirt_pool *pool, uint32_t flags);

/* Flags of storvirt_pool_delete(). */
#define STORVIRT_POOL_DELETE_NONEMPTY (1u << 0)

/*
 * storvirt_pool_delete:
 * Destroys the underlying storage of an inactive pool (dir: removes the
 * target directory).  A pool that still holds volumes is refused with
 * -ENOTEMPTY unless STORVIRT_POOL_DELETE_NONEMPTY.
 * Since: 0.2
 */
int storvirt_pool_delete(storvirt_pool *pool, uint32_t flags);

/*
 * storvirt_pool_refresh:
 * Rescans an active pool's volumes and capacity.  Volume handles from
 * before stay valid; their info is updated if the volume is still there.
 * flags: 0.
 * Since: 0.2
 */
int storvirt_pool_refresh(storvirt_pool *pool, uint32_t flags);

/*
 * storvirt_pool_set_autostart / storvirt_pool_get_autostart:
 * Marks a persistent pool to be started by the first context that opens
 * the state directory after the host booted (unless that context was made
 * with STORVIRT_CTX_NEW_NO_AUTOSTART), like libvirt's autostart at daemon
 * start.  Later contexts find pools as they were left.  get returns 1 or 0.
 * set on a transient pool is -EINVAL.
 * Since: 0.2
 */
int storvirt_pool_set_autostart(storvirt_pool *pool, int autostart);
int storvirt_pool_get_autostart(storvirt_pool *pool);

/*
 * storvirt_pool_lookup_by_name / storvirt_pool_lookup_by_uuid /
 * storvirt_pool_lookup_by_target_path:
 * Lookups: by name, by UUID (canonical text form), by target path (after
 * normalising repeated and trailing slashes).  -ENOENT if none.
 * Since: 0.2
 */
int storvirt_pool_lookup_by_name(storvirt_ctx *ctx, const char *name,
                                 storvirt_pool **ret_pool);
int storvirt_pool_lookup_by_uuid(storvirt_ctx *ctx, const char *uuid,
                                 storvirt_pool **ret_pool);
int storvirt_pool_lookup_by_target_path(storvirt_ctx *ctx, const char *path,
                                        storvirt_pool **ret_pool);

/* Filter flags of storvirt_pool_list(); no flag of a pair means both. */
#define STORVIRT_POOL_LIST_ACTIVE (1u << 0)
#define STORVIRT_POOL_LIST_INACTIVE (1u << 1)
#define STORVIRT_POOL_LIST_PERSISTENT (1u << 2)
#define STORVIRT_POOL_LIST_TRANSIENT (1u << 3)
#define STORVIRT_POOL_LIST_AUTOSTART (1u << 4)
#define STORVIRT_POOL_LIST_NO_AUTOSTART (1u << 5)

/*
 * storvirt_pool_list:
 * A snapshot of the pools, sorted by name, filtered by flags and by pool
 * type (NULL: any type).  *ret_pools is NULL-terminated, each element
 * referenced; free with storvirt_pool_list_free().  ret_n may be NULL.
 * Since: 0.2
 */
int storvirt_pool_list(storvirt_ctx *ctx, const char *type,
                       storvirt_pool ***ret_pools, size_t *ret_n, uint32_t flags);
void storvirt_pool_list_free(storvirt_pool **pools);

/*
 * storvirt_pool_ref / storvirt_pool_unref: NULL-safe; unref returns NULL.
 * A pool keeps its context alive.
 * Since: 0.2
 */
storvirt_pool *storvirt_pool_ref(storvirt_pool *pool);
storvirt_pool *storvirt_pool_unref(storvirt_pool *pool);

/*
 * storvirt_pool_get_name / storvirt_pool_get_uuid / storvirt_pool_get_type /
 * storvirt_pool_get_target_path / storvirt_pool_get_ctx:
 * Borrowed attributes, valid while the pool is referenced: name, UUID
 * (canonical form), pool type, target path (NULL for types without one),
 * and the context.
 * Since: 0.2
 */
const char *storvirt_pool_get_name(storvirt_pool *pool);
const char *storvirt_pool_get_uuid(storvirt_pool *pool);
const char *storvirt_pool_get_type(storvirt_pool *pool);
const char *storvirt_pool_get_target_path(storvirt_pool *pool);
storvirt_ctx *storvirt_pool_get_ctx(storvirt_pool *pool);

/*
 * storvirt_pool_get_info:
 * State (STORVIRT_POOL_STATE_*) and capacity, allocation and available
 * bytes as of the last refresh (0 when inactive).  Any out-parameter may
 * be NULL.
 * Since: 0.2
 */
int storvirt_pool_get_info(storvirt_pool *pool, uint32_t *ret_state,
                           uint64_t *ret_capacity, uint64_t *ret_allocation,
                           uint64_t *ret_available);

/*
 * storvirt_pool_is_active / storvirt_pool_is_persistent: 1, 0 or -EINVAL.
 * Since: 0.2
 */
int storvirt_pool_is_active(storvirt_pool *pool);
int storvirt_pool_is_persistent(storvirt_pool *pool);

/* Flags of storvirt_pool_get_xml(). */
#define STORVIRT_POOL_XML_INACTIVE (1u << 0)

/*
 * storvirt_pool_get_xml:
 * The pool's libvirt XML; with STORVIRT_POOL_XML_INACTIVE the stored
 * definition without runtime values.  Caller-owned (storvirt_free()).
 * Since: 0.2
 */
int storvirt_pool_get_xml(storvirt_pool *pool, char **ret_xml, uint32_t flags);

/*
 * storvirt_pool_xml_canonicalize:
 * Checks libvirt pool XML with every rule storvirt_pool_define_xml()
 * applies to the document (elements and attributes of its pool type,
 * required parts, formats, units, permissions, names), without a
 * context and without defining anything, and writes it in the
 * library's canonical form: the definition a define would store, as
 * storvirt_pool_get_xml() with STORVIRT_POOL_XML_INACTIVE shows it
 * (defaults filled in, sizes left out, a random UUID when the document
 * has none).  Works for every pool type of libvirt's schema, the ones
 * no backend of this library runs (zfs, vstorage, sheepdog, rbd,
 * gluster) included.  *ret_xml is caller-owned (storvirt_free()).
 * Errors: -EINVAL (or -ERANGE, -EFBIG) with a message naming the
 * element, the attribute and the value; -ENOMEM.  flags: 0.
 * Since: 0.6
 */
int storvirt_pool_xml_canonicalize(const char *xml, char **ret_xml, uint32_t flags);

/*
 * storvirt_pool_get_secret_xml / storvirt_pool_write_secret:
 * For an iscsi or iscsi-direct pool with <auth type='chap'>: the libvirt
 * secret its <auth><secret usage=... | uuid=.../> names (the one the
 * network <disk> of an iscsi-direct volume names), and its value: the
 * CHAP password of the stored connection the <auth> resolves to (the
 * connection whose own secret it names, else the connection to the
 * pool's portal and target with the pool's user; see
 * storvirt_pool_define_xml(3)).  When the <auth> names that connection's
 * own secret, the XML is storvirt_connection_get_secret_xml()'s; else it
 * has the pool's usage id (and a name-based UUID) or the pool's UUID.
 * write_secret writes the password, exactly its bytes, to fd (opened and
 * closed by the caller); it is never logged.  *ret_xml is caller-owned
 * (storvirt_free()).  Errors: -EINVAL (not an iSCSI pool, or no <auth>),
 * -EACCES (no stored connection holds the password, or the one named
 * reaches another target, portal or user), the errno of a failed
 * write(2) to fd, -ENOMEM.  flags: 0.
 * For an rbd pool with <auth type='ceph'> (since 0.6): the secret of
 * usage type ceph its <auth> names in the secret store
 * (storvirt/secret.h), and its value, the cephx key, as libvirt holds
 * it (the key's bytes, not its base64 text); -ENOENT when no such
 * secret or value is stored.
 * Since: 0.6
 */
int storvirt_pool_get_secret_xml(storvirt_pool *pool, char **ret_xml, uint32_t flags);
int storvirt_pool_write_secret(storvirt_pool *pool, int fd, uint32_t flags);

/*
 * storvirt_pool_find_sources:
 * Looks for the sources a pool of type could use, as libvirt's
 * find-storage-pool-sources does: srcspec (libvirt <source> XML, may be
 * NULL where the type needs none) says where to look.  The result is a
 * <sources> element of <source> elements (caller-owned, storvirt_free()).
 * iscsi, iscsi-direct: SendTargets discovery of <host name port/> (the targets as
 * <device path=IQN/>); logical: the volume groups lvm2 reports, with
 * their physical volumes; rbd (since 0.6): the pools of the Ceph cluster
 * whose monitors <host name port/> and cephx <auth> (as an rbd pool's)
 * srcspec gives, each as <host/> and <name>.  Errors: -EOPNOTSUPP (a type without it),
 * -EINVAL (srcspec missing or wrong), those of the search.  flags: 0.
 * Since: 0.4
 */
int storvirt_pool_find_sources(storvirt_ctx *ctx, const char *type, const char *srcspec,
                               char **ret_xml, uint32_t flags);

#if defined(__GNUC__)
static inline void storvirt_pool_unrefp(storvirt_pool **p) {
        if (p)
                storvirt_pool_unref(*p);
}
#endif

#ifdef __cplusplus
}
#endif

#endif
