/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storvirt/vdisk.h - vDisks: the life of one VM disk.  A vDisk is its
 * backing storage (a LUN, a file, a pool volume, a LUN of an iSCSI target),
 * the connections needed to reach it, its image stack (the base, then
 * every snapshot overlay on top of it) and the VMs it is attached to.
 * Include <storvirt.h> instead.
 *
 * Identity: a vDisk's id is a name-based (version 5) UUID of the
 * normalized identity of its backing storage: "lun:GUID" for a LUN (found
 * by GUID, by filesystem UUID, by any path of it, by any member path of
 * its multipath map, or through an iSCSI target whose LUN reports that
 * GUID), "loop:FILE" for a loop device without a GUID, "file:PATH" for a
 * file (by path or as a pool volume).  Importing the same storage twice
 * therefore gives the same vDisk.
 *
 * Images: the base image is the backing storage itself; each snapshot
 * adds a qcow2 overlay whose backing file is the previous top.  Every
 * image has a UID, a creation time, a format (VDSM's COW or RAW), a
 * volume type (PREALLOCATED or SPARSE), a legality (ILLEGAL until its
 * creation completed) and its parent.  An image is also addressed by
 * VDSM's quartet {poolID, domainID, imageID, volumeID}: poolID is the
 * state directory's UUID, domainID the UUID of the storvirt pool holding
 * the image (the nil UUID for storage outside pools), imageID the vDisk
 * id, volumeID the image UID; disk specs using the quartet or "vdisk"
 * resolve through this registry.
 *
 * Records are JSON files in the state directory, each replaced
 * atomically under a lock that other processes honour too.  A snapshot
 * interrupted by a crash is found ILLEGAL the next time the vDisk is read
 * and rolled back (its overlay removed), never used.
 */
#ifndef STORVIRT_VDISK_H
#define STORVIRT_VDISK_H

#include <storvirt/common.h>
#include <storvirt/resolve.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct storvirt_vdisk storvirt_vdisk;

/* Flags of storvirt_vdisk_import(). */
/* Mark the vDisk shareable between VMs. */
#define STORVIRT_VDISK_IMPORT_SHARED (1u << 0)
/* Mark the vDisk read-only. */
#define STORVIRT_VDISK_IMPORT_READONLY (1u << 1)
/* Do not run a LUN discovery pass for an unknown GUID or UUID. */
#define STORVIRT_VDISK_IMPORT_NO_REFRESH (1u << 2)

/*
 * storvirt_vdisk_import:
 * Finds the storage spec names (any source form of storvirt_resolve_disk(),
 * except a vDisk or quartet), checks its identity and records a vDisk for
 * it, with the given connections (ids of stored connections,
 * NULL-terminated, may be NULL; for an iSCSI source the stored
 * connection to that portal and target is added when there is one).
 * Returns 1 and the existing vDisk when that storage already has one
 * (its connections are then extended), 0 for a new one.  Errors:
 * -EINVAL (spec, or storage with no identity), -ENOENT (no such storage or
 * connection), -ESTALE, and the errors of resolution.
 * Since: 0.4
 */
int storvirt_vdisk_import(storvirt_ctx *ctx, const storvirt_disk_spec *spec,
                          const char *const *connection_ids, uint32_t flags,
                          storvirt_vdisk **ret_vdisk);

/*
 * storvirt_vdisk_lookup / storvirt_vdisk_list / storvirt_vdisk_list_free:
 * A vDisk by id (-ENOENT), or every vDisk sorted by id (NULL-terminated;
 * *ret_n may be NULL).  list skips a record that does not load (logged,
 * named); lookup returns -EINVAL naming its file.  flags: 0.
 * Since: 0.4
 */
int storvirt_vdisk_lookup(storvirt_ctx *ctx, const char *id, storvirt_vdisk **ret_vdisk);
int storvirt_vdisk_list(storvirt_ctx *ctx, storvirt_vdisk ***ret_vdisks, size_t *ret_n,
                        uint32_t flags);
void storvirt_vdisk_list_free(storvirt_vdisk **vdisks);

/*
 * storvirt_vdisk_ref / storvirt_vdisk_unref:
 * Reference counting; unref of NULL is a no-op.
 * Since: 0.4
 */
storvirt_vdisk *storvirt_vdisk_ref(storvirt_vdisk *vdisk);
storvirt_vdisk *storvirt_vdisk_unref(storvirt_vdisk *vdisk);

/*
 * storvirt_vdisk_get_id:
 * The vDisk id (a UUID string), valid while the handle is referenced.
 * Since: 0.4
 */
const char *storvirt_vdisk_get_id(storvirt_vdisk *vdisk);

#define STORVIRT_VDISK_JSON_PRETTY (1u << 0)

/*
 * storvirt_vdisk_get_json:
 * The current record, read anew: {"id", "identity", "kind", "guid",
 * "source", "connections", "shared", "readonly", "images": [{"uid",
 * "created", "path", "pool", "volume", "key", "format", "volumeType",
 * "legality", "parent", "poolID", "domainID", "imageID", "volumeID"}],
 * "attachments": [{"vm", "dev", "hotplugged"}]}.  Caller-owned.
 * Since: 0.4
 */
int storvirt_vdisk_get_json(storvirt_vdisk *vdisk, char **ret_json, uint32_t flags);

/*
 * storvirt_vdisk_snapshot:
 * Adds a qcow2 overlay on top of the image stack, in the storvirt file
 * pool named pool (NULL: the pool of the current top image; a vDisk whose
 * top is not in a pool needs one), backed by the current top.  The image
 * is recorded ILLEGAL first and LEGAL once the overlay is on disk.
 * *ret_uid (may be NULL) receives the new image UID.
 * Since: 0.4
 */
int storvirt_vdisk_snapshot(storvirt_vdisk *vdisk, const char *pool, char **ret_uid,
                            uint32_t flags);

/* Flags of storvirt_vdisk_delete_image() and storvirt_vdisk_delete(). */
/* Go on although the vDisk is attached to a VM. */
#define STORVIRT_VDISK_FORCE (1u << 0)
/* Also remove the overlays from storage (the base storage is never removed). */
#define STORVIRT_VDISK_DELETE_STORAGE (1u << 1)

/*
 * storvirt_vdisk_delete_image:
 * Removes the top image (uid must be the top; the base cannot be
 * removed): -EBUSY while attached unless STORVIRT_VDISK_FORCE.  Its file
 * stays unless STORVIRT_VDISK_DELETE_STORAGE.
 * Since: 0.4
 */
int storvirt_vdisk_delete_image(storvirt_vdisk *vdisk, const char *uid, uint32_t flags);

/*
 * storvirt_vdisk_delete:
 * Forgets the vDisk: -EBUSY while attached or prepared unless
 * STORVIRT_VDISK_FORCE.  Overlays are removed only with
 * STORVIRT_VDISK_DELETE_STORAGE.  The handle then gives -ENOENT.
 * Since: 0.4
 */
int storvirt_vdisk_delete(storvirt_vdisk *vdisk, uint32_t flags);

/*
 * storvirt_vdisk_get_xml:
 * The <disk> element for the vDisk: the top image as source and the rest
 * of the chain as nested <backingStore> elements.  guest (may be NULL)
 * gives how the guest sees it (a disk spec without a source: iface,
 * index, cache...).  Caller-owned.  flags: STORVIRT_RESOLVE_DICT, and
 * STORVIRT_RESOLVE_LEASES (since 0.6): the vDisk's <lease> element
 * follows the <disk> when it has an exclusive sanlock lease.
 * Since: 0.4
 */
int storvirt_vdisk_get_xml(storvirt_vdisk *vdisk, const storvirt_disk_spec *guest,
                           char **ret_xml, uint32_t flags);

/* Flags of storvirt_vdisk_attach(). */
#define STORVIRT_VDISK_ATTACH_HOTPLUG (1u << 0)

/*
 * storvirt_vdisk_attach / storvirt_vdisk_detach:
 * Records that VM vm_id uses the vDisk (as the target device the guest
 * spec gives) and returns its <disk> element (*ret_xml may be NULL).  A
 * second VM is refused (-EBUSY) unless the vDisk is shared.  detach
 * removes the record (-ENOENT when not attached to that VM).
 * Since: 0.4
 */
int storvirt_vdisk_attach(storvirt_vdisk *vdisk, const char *vm_id,
                          const storvirt_disk_spec *guest, char **ret_xml, uint32_t flags);
int storvirt_vdisk_detach(storvirt_vdisk *vdisk, const char *vm_id, uint32_t flags);

/*
 * Flags of storvirt_vdisk_prepare(): what the VM is prepared for (none:
 * running it here or hot-plugging the disk).  Since: 0.6
 * MIGRATION: this host is the destination of a migration; the source
 * holds the vDisk's lease and hands it over (libvirt's sanlock lock
 * driver releases it on the source and acquires it here), so a lease
 * held by another host is no refusal.
 * HA_RESTART: the VM's host crashed; a lease its host still holds is
 * waited out (up to timeout_ms) until sanlock finds that host dead,
 * never broken; -EBUSY with how long that may still take otherwise.
 */
#define STORVIRT_VDISK_PREPARE_MIGRATION (1u << 0)
#define STORVIRT_VDISK_PREPARE_HA_RESTART (1u << 1)

/*
 * storvirt_vdisk_prepare / storvirt_vdisk_release:
 * Before running a VM (and on the destination host before a migration or
 * an HA restart): connects every connection the vDisk needs on behalf of
 * (vDisk, vm_id), waits up to timeout_ms (0: 30 s) for the device to
 * appear, checks its identity and returns the path the VM opens: the top
 * image (the device itself when there is no overlay; an iscsi:// URL for
 * a LUN reached through QEMU's initiator).  *ret_path may be NULL.
 * release drops the holder: a connection is torn down only when no other
 * prepared vDisk holds it.  Errors: those of storvirt_connection_connect(),
 * -ETIMEDOUT (the device did not appear), -ESTALE (another identity there),
 * -ENODEV (the device went away while it was checked), -EBUSY (another
 * host holds the vDisk's lease; flags above).
 * Since: 0.4
 */
int storvirt_vdisk_prepare(storvirt_vdisk *vdisk, const char *vm_id, int timeout_ms,
                           char **ret_path, uint32_t flags);
int storvirt_vdisk_release(storvirt_vdisk *vdisk, const char *vm_id, uint32_t flags);

/*
 * storvirt_vm_connections:
 * The connections the vDisks attached to vm_id need, deduplicated, as a
 * JSON array of connections (secrets redacted; VDSM's keys with
 * STORVIRT_CONNECTION_JSON_VDSM).  Caller-owned.
 * Since: 0.4
 */
int storvirt_vm_connections(storvirt_ctx *ctx, const char *vm_id, char **ret_json,
                            uint32_t flags);

#ifdef __cplusplus
}
#endif

#endif
