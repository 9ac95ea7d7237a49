/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storvirt/lease.h - sanlock leases on shared storage, so that two hosts
 * never run one vDisk read-write.  Include <storvirt.h> instead.
 *
 * Lockspaces: one per shared storage domain.  Its lease area is a file
 * on the shared storage (in an NFS, gluster or other shared mount); the
 * lockspace covers the directory holding that file.  Every host that
 * uses the storage joins the lockspace under its own host id (1-2000),
 * kept in the host's state directory and chosen from the host records
 * on the storage so that two hosts never take the same one.  Joining
 * takes sanlock about twice its io timeout (3 s at 1 s, 21 s at the
 * default 10 s): it starts in the background and its progress is read
 * with storvirt_lockspace_status().  A sanlock daemon must run on the
 * host (its run directory: SANLOCK_RUN_DIR, else /run/sanlock).
 *
 * vDisk leases: a vDisk whose base image lies under a lockspace's
 * directory gets a lease slot in the area at import (the slot is named
 * on storage after the vDisk id, so every host finds the same one).  A
 * read-write vDisk's lease is exclusive, a shared vDisk's is taken in
 * shared mode, a read-only vDisk needs none.  storvirt_vdisk_prepare()
 * joins the lockspace if needed and refuses (-EBUSY, naming the host id)
 * a vDisk whose lease another live host holds; a dead host's lease is
 * waited out by sanlock, never broken (STORVIRT_VDISK_PREPARE_HA_RESTART
 * waits for it; STORVIRT_VDISK_PREPARE_MIGRATION lets the source hand it
 * over).  Snapshots, image deletion and imports hold the lease while they
 * change the chain or take in the data.  storvirt_vdisk_get_xml()
 * with STORVIRT_VDISK_XML_LEASES adds the <lease> element that libvirt's
 * sanlock lock driver acquires when the domain starts.
 */
#ifndef STORVIRT_LEASE_H
#define STORVIRT_LEASE_H

#include <storvirt/common.h>
#include <storvirt/vdisk.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * storvirt_lockspace_create:
 * Formats a new lease area at path (a file on shared storage; it must
 * not exist, its directory must) for lockspace name (1-48 characters
 * of a file name) with io_timeout seconds (0: 10) and n_slots vDisk
 * leases (0: 256; 1 MiB each, a sparse file), and records it on this
 * host.  The file appears complete or not at all.  -EEXIST: the file
 * or this host's record exists.  A block device region:
 * storvirt_lockspace_create_at().
 * Since: 0.6
 */
int storvirt_lockspace_create(storvirt_ctx *ctx, const char *name, const char *path,
                              uint32_t io_timeout, uint32_t n_slots, uint32_t flags);

/**
 * storvirt_lockspace_create_at:
 * As storvirt_lockspace_create(), with the lockspace at offset bytes
 * into path (0 for a file; a multiple of 1 MiB).  path may be a block
 * device: a region of a shared LUN or a small LV, as VDSM's "ids"
 * volume.  The lockspace's host records then take the 1 MiB at offset,
 * written in place; with n_slots (0: none, host ids only) the slot
 * allocation lease and n_slots vDisk lease slots follow, (n_slots + 2)
 * MiB in all, and vDisks get a slot there with
 * storvirt_vdisk_lease_assign().  A region that already holds a
 * lockspace is refused with -EEXIST naming it, one past the device's end
 * with -EINVAL.
 * Since: 0.6
 */
int storvirt_lockspace_create_at(storvirt_ctx *ctx, const char *name, const char *path,
                                 uint64_t offset, uint32_t io_timeout, uint32_t n_slots,
                                 uint32_t flags);

/**
 * storvirt_lockspace_join:
 * Starts joining lockspace name and returns without waiting: 0 when the
 * join started (or is under way), 1 when this host is in it already.
 * path (NULL for a lockspace this host knows) records a lockspace
 * another host created, read from its area.  host_id 0 takes the id this
 * host had, else the lowest id no host has written; an id whose host
 * record another host holds is refused with -EBUSY naming that host.
 * Since: 0.6
 */
int storvirt_lockspace_join(storvirt_ctx *ctx, const char *name, const char *path,
                            uint32_t host_id, uint32_t flags);

/**
 * storvirt_lockspace_join_at:
 * As storvirt_lockspace_join(), for a lockspace another host created at
 * offset bytes into path (a region of a block device; see
 * storvirt_lockspace_create_at()).  offset without path is -EINVAL.
 * Since: 0.6
 */
int storvirt_lockspace_join_at(storvirt_ctx *ctx, const char *name, const char *path,
                               uint64_t offset, uint32_t host_id, uint32_t flags);

/**
 * storvirt_lockspace_leave:
 * Leaves lockspace name (the host id stays recorded for the next join).
 * -ENOENT when this host is not in it.
 * Since: 0.6
 */
int storvirt_lockspace_leave(storvirt_ctx *ctx, const char *name, uint32_t flags);

#define STORVIRT_LOCKSPACE_STATUS_PRETTY (1u << 0)

/**
 * storvirt_lockspace_status:
 * *ret_json (free with storvirt_free()): {"name", "path", "io_timeout",
 * "offset" (of the lockspace in path), "host_id" (null before the
 * first join), "state" ("joined", "joining",
 * "not joined"), while joining "elapsed_ms" and "expected_ms", and once
 * a join was seen done "join_ms" (how long it took)}.  A lease area that
 * is gone fails with -ENOENT naming it.
 * Since: 0.6
 */
int storvirt_lockspace_status(storvirt_ctx *ctx, const char *name, char **ret_json,
                              uint32_t flags);

/**
 * storvirt_vdisk_lease_acquire:
 * Acquires vdisk's lease for process pid (0: the calling process, which
 * then holds it until it exits or releases it; another pid must have
 * registered with the sanlock daemon itself).  Exclusive for a
 * read-write vDisk, shared for a shared one; returns 1 without acquiring
 * anything for a read-only vDisk.  -EBUSY "... held by host id N" when
 * another host holds it; -ENOENT when the vDisk has no lease (its storage
 * is in no lockspace); -ENOTCONN when this host is not in its lockspace.
 * Since: 0.6
 */
int storvirt_vdisk_lease_acquire(storvirt_vdisk *vdisk, int pid, uint32_t flags);

/**
 * storvirt_vdisk_lease_release:
 * Releases the lease pid (0: the calling process) holds on vdisk.
 * Since: 0.6
 */
int storvirt_vdisk_lease_release(storvirt_vdisk *vdisk, int pid, uint32_t flags);

#define STORVIRT_VDISK_LEASE_STATUS_PRETTY (1u << 0)

/**
 * storvirt_vdisk_lease_status:
 * *ret_json (free with storvirt_free()): {"vdisk", "mode" ("exclusive",
 * "shared", "none"), and for a vDisk with a lease "lockspace", "path",
 * "offset", "held" and "owners": [{"host_id", "generation", "state"}]}
 * as written on storage; "state" is how this host's sanlock sees the
 * owner ("live", "fail", "dead", "free", "unknown") when it is in the
 * lockspace.
 * Since: 0.6
 */
int storvirt_vdisk_lease_status(storvirt_vdisk *vdisk, char **ret_json, uint32_t flags);

/**
 * storvirt_vdisk_lease_assign:
 * Gives vdisk a lease slot in lockspace (a lockspace this host knows: a
 * lease area file, or a block device region made with slots, which this
 * host joins first), whatever storage the vDisk is on: the way
 * a vDisk on a shared LUN gets its lease, as a vDisk under a lease area
 * file's directory gets one at import.  The slot is found by the vDisk's
 * id on storage, so every host that assigns the same vDisk to the same
 * lockspace gets the same slot; each host assigns it once (vDisk records
 * are per host).  Returns 1 when assigned, 0 when the vDisk has its slot
 * in that lockspace already; -EEXIST when it has its lease in another
 * lockspace, -EINVAL for a read-only vDisk (it needs no lease),
 * -EOPNOTSUPP for a lockspace in a block device region made without
 * slots (host ids only),
 * -ENOSPC when every slot of the area is taken.
 * Since: 0.6
 */
int storvirt_vdisk_lease_assign(storvirt_vdisk *vdisk, const char *lockspace, uint32_t flags);

#ifdef __cplusplus
}
#endif

#endif
