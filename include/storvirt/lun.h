/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storvirt/lun.h - the host's LUNs: block devices with their exact
 * identity (the GUID multipath names a map by), their paths, and whether
 * anything is on them.  Include <storvirt.h> instead.
 *
 * One discovery pass (storvirt_lun_refresh()) reads every disk-like block
 * device through udev and sysfs: SCSI/SAS/FC/iSCSI disks, NVMe
 * namespaces, virtio disks, attached loop devices and device-mapper
 * multipath maps.  The member paths of a multipath map are grouped under
 * it (one LUN, many paths); partitions are children of their disk, never
 * LUNs.  Each LUN is then probed through libblkid (the map, not its
 * paths): a filesystem, a partition table, an LVM PV and its VG, a mount,
 * a holder.  No external command runs.
 *
 * The result is an immutable snapshot indexed by GUID, device path,
 * device number and filesystem UUID, so lookups cost O(1).  Handles keep
 * their snapshot alive: a handle never changes, a refresh makes a new
 * snapshot for later calls.  Lists and lookups on a context that has not
 * discovered yet run the first pass themselves.
 *
 * Capacity is the kernel's size in 512-byte sectors times 512, whatever
 * the logical block size.  Credentials of iSCSI sessions are never read.
 */
#ifndef STORVIRT_LUN_H
#define STORVIRT_LUN_H

#include <storvirt/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct storvirt_lun storvirt_lun;
typedef struct storvirt_lun_path storvirt_lun_path;

/* Usage status (storvirt_lun_get_status). */
/* Nothing found on the LUN (or an LVM PV in no VG): safe to use. */
#define STORVIRT_LUN_STATUS_FREE 0
/* Something is on it or uses it; the reason says what. */
#define STORVIRT_LUN_STATUS_USED 1
/* It could not be told (permission, unreadable, no libblkid). */
#define STORVIRT_LUN_STATUS_UNKNOWN 2

/*
 * storvirt_lun_refresh:
 * Runs a discovery pass and makes its result the context's current
 * snapshot.  Uses up to storvirt_ctx_get_max_threads() threads for the
 * usage probes.  flags: 0.  Returns 0, -EOPNOTSUPP (built without
 * libudev), -EIO, -ENOMEM.
 * Since: 0.3
 */
int storvirt_lun_refresh(storvirt_ctx *ctx, uint32_t flags);

/* Flags of storvirt_lun_list(). */
/* Only LUNs whose status is STORVIRT_LUN_STATUS_FREE. */
#define STORVIRT_LUN_LIST_FREE (1u << 0)
/* Run a discovery pass first (as storvirt_lun_refresh()). */
#define STORVIRT_LUN_LIST_REFRESH (1u << 1)
/* Only LUNs that back no vDisk (Since: 0.4). */
#define STORVIRT_LUN_LIST_UNATTACHED (1u << 2)

/*
 * storvirt_lun_list / storvirt_lun_list_free:
 * The LUNs of the current snapshot, sorted by GUID (LUNs without an
 * identity last, by device name), as a NULL-terminated array of
 * referenced handles; free it with storvirt_lun_list_free().  transport
 * (NULL for all) keeps only the LUNs with a path of that transport:
 * "iscsi", "fc", "sas", "scsi", "ata", "nvme", "virtio", "loop".
 * ret_n may be NULL.  An unknown transport is -EINVAL.
 * Since: 0.3
 */
int storvirt_lun_list(storvirt_ctx *ctx, const char *transport, storvirt_lun ***ret_luns,
                      size_t *ret_n, uint32_t flags);
void storvirt_lun_list_free(storvirt_lun **luns);

/*
 * storvirt_lun_lookup_by_guid / storvirt_lun_lookup_by_path /
 * storvirt_lun_lookup_by_devnum / storvirt_lun_lookup_by_fs_uuid:
 * Lookups in the current snapshot.  By GUID (in any form
 * storvirt_lun_get_guid() or udev's ID_WWN gives: hex identities, NAA
 * and EUI-64, in either case and with "0x" or "naa." before NAA hex;
 * text identities such as T10 vendor ids exactly as the device reports
 * them, case included, as multipath does); by the path of a device node or a link to one
 * (/dev/sdb, /dev/mapper/NAME, /dev/disk/by-id/..., a member path of a
 * multipath map gives the map's LUN); by device number; by the UUID of
 * the filesystem (or other blkid signature) on the LUN.  -ENOENT when
 * none matches (a partition's path names its disk in the message),
 * -ENOTBLK when the path is not a block device, -ENOTUNIQ when a
 * filesystem UUID is on two LUNs (the message lists both).
 * Since: 0.3
 */
int storvirt_lun_lookup_by_guid(storvirt_ctx *ctx, const char *guid, storvirt_lun **ret_lun);
int storvirt_lun_lookup_by_path(storvirt_ctx *ctx, const char *path, storvirt_lun **ret_lun);
int storvirt_lun_lookup_by_devnum(storvirt_ctx *ctx, unsigned major, unsigned minor,
                                  storvirt_lun **ret_lun);
int storvirt_lun_lookup_by_fs_uuid(storvirt_ctx *ctx, const char *uuid,
                                   storvirt_lun **ret_lun);

/*
 * storvirt_lun_ref / storvirt_lun_unref:
 * Reference counting; unref of NULL is a no-op.  ref returns its argument.
 * Since: 0.3
 */
storvirt_lun *storvirt_lun_ref(storvirt_lun *lun);
storvirt_lun *storvirt_lun_unref(storvirt_lun *lun);

/*
 * storvirt_lun_get_guid / storvirt_lun_get_devnode / storvirt_lun_get_name /
 * storvirt_lun_get_devtype / storvirt_lun_get_dm_name /
 * storvirt_lun_get_loop_backing:
 * Borrowed strings, valid while the LUN is referenced.  The GUID (NULL
 * when the device reports no identity); the device node to open (the
 * multipath map's for a multipath LUN); the kernel name ("dm-3", "sdb");
 * the device type: the transport of its paths ("iscsi", "fc", "sas",
 * "scsi", "ata", "nvme", "virtio", "loop", "unknown"), "mixed" for a
 * multipath map whose paths differ, "multipath" for a map without paths;
 * the multipath map's name (NULL when the LUN is not a multipath map); a
 * loop device's backing file (NULL otherwise).
 * Since: 0.3
 */
const char *storvirt_lun_get_guid(storvirt_lun *lun);
const char *storvirt_lun_get_devnode(storvirt_lun *lun);
const char *storvirt_lun_get_name(storvirt_lun *lun);
const char *storvirt_lun_get_devtype(storvirt_lun *lun);
const char *storvirt_lun_get_dm_name(storvirt_lun *lun);
const char *storvirt_lun_get_loop_backing(storvirt_lun *lun);

/*
 * storvirt_lun_get_devnum:
 * The device number of the LUN's device node.  Either pointer may be NULL.
 * Since: 0.3
 */
int storvirt_lun_get_devnum(storvirt_lun *lun, unsigned *ret_major, unsigned *ret_minor);

/*
 * storvirt_lun_get_inquiry:
 * SCSI INQUIRY strings (borrowed; NULL when the device has none): vendor,
 * product, revision, and the unit serial number (VPD page 0x80, else
 * udev's).  For a multipath LUN they are its first path's.  Any pointer
 * may be NULL.
 * Since: 0.3
 */
int storvirt_lun_get_inquiry(storvirt_lun *lun, const char **ret_vendor,
                             const char **ret_product, const char **ret_revision,
                             const char **ret_serial);

/*
 * storvirt_lun_get_geometry:
 * Capacity in bytes (sysfs size x 512), logical and physical block sizes
 * in bytes, the largest discard in bytes (0: no discard) and whether the
 * medium rotates (1) or not (0).  Any pointer may be NULL.
 * Since: 0.3
 */
int storvirt_lun_get_geometry(storvirt_lun *lun, uint64_t *ret_capacity,
                              unsigned *ret_logical_block_size,
                              unsigned *ret_physical_block_size,
                              uint64_t *ret_discard_max_bytes, int *ret_rotational);

/*
 * storvirt_lun_get_status:
 * STORVIRT_LUN_STATUS_FREE, _USED or _UNKNOWN.  ret_reason (may be NULL)
 * gets a borrowed, never empty explanation: "no signature", "filesystem
 * ext4", "partition table gpt", "LVM PV of VG vg0 (uuid ...)", "mounted
 * on /srv", "held by dm-4", "permission denied"; several joined by "; ".
 * Since: 0.3
 */
int storvirt_lun_get_status(storvirt_lun *lun, const char **ret_reason);

/*
 * storvirt_lun_get_signature:
 * What libblkid found on the LUN (borrowed; NULL when none): the
 * signature's TYPE ("ext4", "xfs", "LVM2_member", "swap"...), its UUID
 * and LABEL, and the partition table type ("gpt", "dos").  Any pointer
 * may be NULL.
 * Since: 0.3
 */
int storvirt_lun_get_signature(storvirt_lun *lun, const char **ret_type,
                               const char **ret_uuid, const char **ret_label,
                               const char **ret_pttype);

/*
 * storvirt_lun_get_lvm:
 * For an LVM physical volume: its PV UUID and, when its metadata names
 * one, the VG name and UUID (NULL otherwise), read from the PV's label
 * and text metadata.  -ENODATA when the LUN is not a PV.  Any pointer may
 * be NULL.
 * Since: 0.3
 */
int storvirt_lun_get_lvm(storvirt_lun *lun, const char **ret_pv_uuid,
                         const char **ret_vg_name, const char **ret_vg_uuid);

/*
 * storvirt_lun_get_partitions:
 * The kernel names of the LUN's partitions ("sdb1", ...) as a borrowed
 * NULL-terminated array (empty when none).
 * Since: 0.3
 */
const char *const *storvirt_lun_get_partitions(storvirt_lun *lun);

/*
 * storvirt_lun_get_n_paths / storvirt_lun_get_path:
 * The paths to the LUN: one for a plain disk, one per member for a
 * multipath map.  get_path returns a borrowed path (valid while the LUN
 * is referenced), NULL when index is out of range.
 * Since: 0.3
 */
size_t storvirt_lun_get_n_paths(storvirt_lun *lun);
const storvirt_lun_path *storvirt_lun_get_path(storvirt_lun *lun, size_t index);

/*
 * storvirt_lun_path_get_name / storvirt_lun_path_get_devnode /
 * storvirt_lun_path_get_transport / storvirt_lun_path_get_state:
 * Borrowed strings of a path: kernel name ("sdc"), device node, transport
 * (as storvirt_lun_get_devtype() names them) and the SCSI device state
 * ("running", "offline", "blocked"...; "" when the device has none).
 * Since: 0.3
 */
const char *storvirt_lun_path_get_name(const storvirt_lun_path *path);
const char *storvirt_lun_path_get_devnode(const storvirt_lun_path *path);
const char *storvirt_lun_path_get_transport(const storvirt_lun_path *path);
const char *storvirt_lun_path_get_state(const storvirt_lun_path *path);

/*
 * storvirt_lun_path_get_devnum / storvirt_lun_path_get_capacity:
 * The path's device number and its capacity in bytes.
 * Since: 0.3
 */
int storvirt_lun_path_get_devnum(const storvirt_lun_path *path, unsigned *ret_major,
                                 unsigned *ret_minor);
uint64_t storvirt_lun_path_get_capacity(const storvirt_lun_path *path);

/*
 * storvirt_lun_path_get_hctl:
 * SCSI host, channel (bus), target and LUN number.  -ENODATA for paths
 * that are not SCSI devices (NVMe, virtio-blk, loop).  Any pointer may be
 * NULL.
 * Since: 0.3
 */
int storvirt_lun_path_get_hctl(const storvirt_lun_path *path, int *ret_host,
                               int *ret_channel, int *ret_target, int *ret_lun);

/*
 * storvirt_lun_path_get_iscsi:
 * The iSCSI session of a path: target IQN, portal ("address:port"),
 * initiator name (borrowed) and target portal group tag (-1 unknown).
 * -ENODATA for paths that are not iSCSI.  Never any credential.  Any
 * pointer may be NULL.
 * Since: 0.3
 */
int storvirt_lun_path_get_iscsi(const storvirt_lun_path *path, const char **ret_target,
                                const char **ret_portal, const char **ret_initiator,
                                int *ret_tpgt);

/*
 * storvirt_lun_refresh_size:
 * Reads the LUN's capacity again, as after the LUN grew on the array:
 * each path first reads its own again (a SCSI path is rescanned, a loop
 * device takes its backing file's size), then a multipath map takes its
 * paths' size (`multipathd resize map`, when its paths grew), then the
 * LUN's capacity is read as the kernel gives it now.  *ret_old_capacity
 * gets what lun showed, *ret_new_capacity the capacity now, in bytes
 * (either may be NULL).  When they differ, the context's callbacks get
 * STORVIRT_EVENT_LUN_RESIZED (once, even if its device monitor also saw
 * the change), the vDisk that holds the LUN records the new capacity,
 * and the next list or lookup of the context runs a discovery pass; lun
 * itself keeps showing what its discovery saw.  flags: 0.
 * Returns 0, -EINVAL, -ENODEV (the LUN or one of its paths is gone),
 * -EOPNOTSUPP (a multipath map whose paths grew while multipathd is not
 * installed, or a build without libudev), -EIO.
 * Since: 0.6
 */
int storvirt_lun_refresh_size(storvirt_lun *lun, uint64_t *ret_old_capacity,
                              uint64_t *ret_new_capacity, uint32_t flags);

/* Flags of storvirt_lun_get_json() and storvirt_lun_list_to_json(). */
/* Indented output. */
#define STORVIRT_LUN_JSON_PRETTY (1u << 0)

/*
 * storvirt_lun_get_json / storvirt_lun_list_to_json:
 * A LUN as a JSON object with the keys of VDSM's getDeviceList records
 * (GUID, vendorID, productID, fwrev, serial, capacity, devtype,
 * logicalblocksize, physicalblocksize, discard_max_bytes,
 * discard_zeroes_data, pathstatus, pathlist, pvUUID, pvsize, vgUUID,
 * status; strings where VDSM gives strings) plus libstorvirt's own keys
 * (see storvirt_lun_get_json(3)); a NULL-terminated array of LUNs as
 * {"devList": [...]}.  Caller-owned (storvirt_free()).
 * Since: 0.3
 */
int storvirt_lun_get_json(storvirt_lun *lun, char **ret_json, uint32_t flags);
int storvirt_lun_list_to_json(storvirt_lun *const *luns, char **ret_json, uint32_t flags);

#ifdef __cplusplus
}
#endif

#endif
