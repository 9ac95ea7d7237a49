/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lease/lease.h - sanlock lockspaces and vDisk leases (storvirt/lease.h),
 * above the objects and connections, below resolution and the vDisk
 * operations that use them.
 *
 * A lockspace is one lease area file on shared storage (sys/sanlock.h)
 * and covers the directory that holds it: a vDisk whose base image lies
 * under that directory gets a lease slot at import.  This host's record
 * of a lockspace (<state>/lockspaces/<name>.json) holds the area's path,
 * sanlock's io timeout, the host id this host uses in it and when it
 * last started to join.
 *
 * A vDisk's lease is resource lease "<vDisk id>" of the lockspace, at
 * slot k of the area (offset (k + 1) MiB); the slot is written on
 * storage, so every host importing the vDisk finds the same one.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <storvirt.h>

#include "objects/vdisk_rec.h"

typedef struct storvirt__lockspace {
        char *name, *path;
        uint64_t offset;        /* of the lockspace in path: a block device region; 0 a file */
        unsigned io_timeout;
        uint64_t host_id;
        int64_t join_started;   /* CLOCK_REALTIME ms; 0: never */
        int64_t join_ms;        /* how long that join took; 0: not seen done */
} storvirt__lockspace;

/*
 * A lockspace in a block device region with vDisk lease slots: its host
 * records (1 MiB at the offset), the slot allocation lease (the next MiB,
 * resource STORVIRT__LEASE_ALLOC_NAME: held while a host picks a slot, the
 * cross-host lock a lease area file has from its file system), then the
 * slots, 1 MiB each, named STORVIRT__LEASE_FREE_NAME until a vDisk takes
 * one.  Without slots the region is the host records alone.
 */
#define STORVIRT__LEASE_ALLOC_NAME "storvirt-slot-allocation"
#define STORVIRT__LEASE_FREE_NAME "storvirt-free-slot"
static inline uint64_t storvirt__lease_region_size(uint32_t n_slots) {
        return (uint64_t)(n_slots ? n_slots + 2 : 1) * (1u << 20);
}

void storvirt__lockspace_free(storvirt__lockspace *ls);
/* This host's record of lockspace name; -ENOENT "no lockspace NAME on this host". */
int storvirt__lockspace_read(storvirt_ctx *ctx, const char *name, storvirt__lockspace **ret);
/* The lockspace whose directory holds path (realpath), else 0 with *ret NULL. */
int storvirt__lockspace_covering(storvirt_ctx *ctx, const char *path, storvirt__lockspace **ret);
/*
 * Joins lockspace name if this host is not in it, waiting at most
 * timeout_ms (progress logged at INFO once a second): 0 joined,
 * -ETIMEDOUT still joining, -errno.
 */
int storvirt__lockspace_ensure_joined(storvirt_ctx *ctx, const char *name, int timeout_ms);

/* The lease slot of vDisk id in the lockspace covering path, into v->lease (none: 0). */
int storvirt__lease_assign(storvirt_ctx *ctx, const char *path, storvirt__vrec *v);
/*
 * A lease slot for v in lockspace name whatever its storage (a LUN's
 * vDisk with its lease in a lease area file): 1 assigned, 0 it is there
 * already; -EEXIST in another lockspace, -EINVAL read-only, -EOPNOTSUPP
 * for a lockspace in a block device region (host ids only).
 */
int storvirt__lease_assign_named(storvirt_ctx *ctx, const char *name, storvirt__vrec *v);

/* What a prepare's check of the lease is for. */
enum {
        STORVIRT__LEASE_FOR_RUN,        /* run or hot plug: another holder refuses */
        STORVIRT__LEASE_FOR_MIGRATION,  /* the source holds it and hands it over */
        STORVIRT__LEASE_FOR_HA_RESTART, /* the holder's host crashed: wait it out */
};

/*
 * 0 when no host other than this one holds v's lease (exclusive, or at
 * all for a non-shared vDisk); -EBUSY "vDisk ID: its lease is held by
 * host id N of lockspace L"; 0 at once for a vDisk without a lease.
 * The lockspace is joined first (within timeout_ms).  For a migration
 * another holder is no refusal; for an HA restart a holder is waited
 * for (within timeout_ms) until sanlock finds its host dead, and the
 * -EBUSY then says how long that may still take.
 */
int storvirt__lease_check(storvirt_ctx *ctx, const storvirt__vrec *v, int timeout_ms, int purpose);

/*
 * Holds v's lease exclusively (shared vDisks too) for the duration of a
 * change of its chain, joining the lockspace if needed: *ret_sock
 * is the registration to close (storvirt__lease_unhold()), -1 when no
 * lease is needed or this host already holds it.  -EBUSY naming the
 * holding host id when another host holds it.
 */
int storvirt__lease_hold(storvirt_ctx *ctx, const storvirt__vrec *v, int *ret_sock);
void storvirt__lease_unhold(storvirt_ctx *ctx, const storvirt__vrec *v, int sock);

/* storvirt_vdisk_lease_acquire() / _release() / _status() on the record. */
int storvirt__lease_acquire(storvirt_ctx *ctx, const storvirt__vrec *v, int pid);
int storvirt__lease_release(storvirt_ctx *ctx, const storvirt__vrec *v, int pid);
int storvirt__lease_status(storvirt_ctx *ctx, const storvirt__vrec *v, bool pretty, char **ret);
