/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storvirt/resolve.h - device resolution: a disk spec (where the storage
 * is, how the guest sees it) becomes a libvirt <disk> element, after the
 * device found on this host has been checked to carry the identity asked
 * for.  Include <storvirt.h> instead.
 *
 * Source forms: a LUN's GUID (multipath WWID), the blkid UUID of what is
 * on a LUN, VDSM's {poolID, domainID, imageID, volumeID} quartet, a
 * storvirt pool's volume, a host path, an iSCSI target reached by QEMU,
 * a vDisk id, or nothing (an empty cdrom or floppy).  Specs are JSON
 * objects with VDSM's drive keys (see storvirt_disk_spec_new(3) for the
 * list) or are built key by key through the C API; both paths validate
 * alike and every error names the key, the value and why.
 *
 * Before a LUN's path is formatted, the identity of the device node that
 * is at that path at that moment is read again from sysfs (a multipath
 * map's uuid and each of its member paths' VPD pages); a path that now
 * leads to another device is refused with -ESTALE, a device that is gone
 * with -ENODEV.
 */
#ifndef STORVIRT_RESOLVE_H
#define STORVIRT_RESOLVE_H

#include <storvirt/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct storvirt_disk_spec storvirt_disk_spec;

/*
 * storvirt_disk_spec_new / storvirt_disk_spec_from_json /
 * storvirt_disk_spec_free:
 * An empty spec (an empty cdrom needs nothing more; other drives need a
 * source key), or one parsed from a JSON object with VDSM's drive keys.
 * from_json: -EINVAL with a message naming the key, value and reason;
 * flags: 0.  free accepts NULL.
 * Since: 0.3
 */
int storvirt_disk_spec_new(storvirt_disk_spec **ret_spec);
int storvirt_disk_spec_from_json(const char *json, storvirt_disk_spec **ret_spec,
                                 uint32_t flags);
void storvirt_disk_spec_free(storvirt_disk_spec *spec);

/*
 * storvirt_disk_spec_set / storvirt_disk_spec_set_string:
 * Sets one key of the spec as the JSON form would: set takes the value
 * as JSON text ("2", "true", "{\"type\": \"pci\", \"slot\": 5}"),
 * set_string a string value (quoted for you).  A bad key or value is
 * -EINVAL and leaves the spec unchanged.
 * Since: 0.3
 */
int storvirt_disk_spec_set(storvirt_disk_spec *spec, const char *key, const char *json_value);
int storvirt_disk_spec_set_string(storvirt_disk_spec *spec, const char *key, const char *value);

/* Flags of storvirt_resolve_disk() and storvirt_resolve_vm(). */
/* The VDSM-style device dict (JSON) instead of XML. */
#define STORVIRT_RESOLVE_DICT (1u << 0)
/* Do not run a LUN discovery pass when a GUID or UUID is not known yet. */
#define STORVIRT_RESOLVE_NO_REFRESH (1u << 1)
/*
 * storvirt_resolve_vm() only: on success, *ret_problems holds the
 * warnings (drives and keys left out, each naming its drive), NULL when
 * there are none.  Since: 0.6
 */
#define STORVIRT_RESOLVE_WARNINGS (1u << 2)
/*
 * <seclabel model='dac' relabel='no'/> in every <source> of a file,
 * block device or volume (backing images too): libvirt leaves their
 * owner alone, for a manager that sets it itself.  Since: 0.6
 */
#define STORVIRT_RESOLVE_NO_RELABEL (1u << 3)
/*
 * XML only: a <lease> element (lockspace, key, target path and offset)
 * beside the <disk> of every read-write, non-shared vDisk that has a
 * sanlock lease (storvirt/lease.h), for libvirt's sanlock lock driver to
 * acquire when the domain starts; in storvirt_resolve_vm()'s <devices>
 * after the disks.  Shared vDisks get none (libvirt's leases are
 * exclusive), nor do read-only ones.  Since: 0.6
 */
#define STORVIRT_RESOLVE_LEASES (1u << 4)

/*
 * storvirt_resolve_disk:
 * Resolves one spec on this host and formats it: a <disk> element (no
 * XML declaration), or with STORVIRT_RESOLVE_DICT the normalized device
 * dict.  Caller-owned (storvirt_free()).  A GUID or UUID not in the
 * current LUN snapshot triggers one discovery pass unless
 * STORVIRT_RESOLVE_NO_REFRESH.  What libvirt's qemu driver or QEMU
 * would refuse is refused first.  A LUN's serial is left out, with a
 * warning logged.  flags: DICT, NO_REFRESH, NO_RELABEL.  Errors:
 * -EINVAL (the spec is inconsistent or has what libvirt or QEMU refuse:
 * the message says why; a PDIV quartet naming an image below the top of
 * its vDisk without "readonly"), -ENOENT (no such LUN, UUID, pool,
 * volume, path, vDisk or image), -ENOTUNIQ (a UUID on two LUNs), -ESTALE
 * (the device at the path no longer carries the identity: the message
 * names the path, the identity found and the one expected), -ENODEV (the
 * LUN's device is gone: nothing at its path, or no device at the number
 * it leads to), -EOPNOTSUPP (device lun on a device that is not SCSI),
 * -ENOMEM.
 * Since: 0.3
 */
int storvirt_resolve_disk(storvirt_ctx *ctx, const storvirt_disk_spec *spec, char **ret,
                          uint32_t flags);

/*
 * storvirt_resolve_vm:
 * Resolves all the drives of a VM at once: `vm_json` is {"drives":
 * [...]}, {"devices": [...]} (VDSM; entries whose type is not "disk" are
 * skipped) or a bare list of drive specs.  Drives without an index get
 * the lowest free one on their bus.  Cross-checks: index per bus, target
 * dev, boot order, PCI and drive addresses.  On success *ret is a
 * <devices> element holding the virtio-scsi controllers of the drives on
 * bus scsi, then each <disk> in order (or, with STORVIRT_RESOLVE_DICT,
 * {"devices": [dict, ...]}).  An optional drive whose storage cannot be
 * reached is left out with a warning (logged; with
 * STORVIRT_RESOLVE_WARNINGS, *ret_problems holds the warnings on
 * success, NULL when none).  When any drive has a problem, returns
 * -EINVAL and, when ret_problems is not NULL, a NULL-terminated vector
 * with every problem found, each naming its drive (free with
 * storvirt_strv_free()); the error message lists them too.
 * Since: 0.3
 */
int storvirt_resolve_vm(storvirt_ctx *ctx, const char *vm_json, char **ret,
                        char ***ret_problems, uint32_t flags);

#ifdef __cplusplus
}
#endif

#endif
