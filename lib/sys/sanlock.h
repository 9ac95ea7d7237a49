/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sanlock.h - the sanlock lease manager as the library reaches it
 * (through the sys-ops table, libsanlock_client): lease areas written
 * by the daemon and read directly on shared
 * storage, the local sanlock daemon asked to join and leave lockspaces
 * and to acquire and release resource leases for processes.
 *
 * A lease area is one file: the lockspace's delta leases (one 512-byte
 * host record per host id, 1 MiB) at offset 0, then resource leases of
 * 1 MiB each (paxos leases, 512-byte sectors).  The daemon is found
 * through its run directory (SANLOCK_RUN_DIR, else /run/sanlock).
 *
 * Without libsanlock at build time (HAVE_SANLOCK 0) every function fails
 * with -EOPNOTSUPP and a message saying so.
 *
 * Errors are negative errno with a message naming the lockspace, path
 * or resource; sanlock's own codes are mapped: a lease held by another
 * live host (IDLIVE, OWNED, OTHER, SHRETRY) and a host id in use
 * (HOSTID_BUSY) to -EBUSY, leader and dblock errors on a lease area
 * that holds no lease to -ENODATA, other disk errors to -EIO; the
 * message carries sanlock's own text.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STORVIRT__SL_NAME_MAX 48
#define STORVIRT__SL_MAX_HOSTS 2000
#define STORVIRT__SL_SECTOR 512u
#define STORVIRT__SL_ALIGN (1u << 20)

/* One resource lease: the lockspace it belongs to, its name, where it is. */
struct storvirt__sl_res {
        const char *lockspace, *name, *path;
        uint64_t offset;
        bool shared;
};

/* A host record of a lockspace (its delta lease), as read from storage. */
struct storvirt__sl_hostrec {
        uint64_t host_id, generation, timestamp;
        char owner[STORVIRT__SL_NAME_MAX + 1]; /* the daemon's host name */
};

/* An owner of a resource lease (its host id and that host's generation). */
struct storvirt__sl_owner {
        uint64_t host_id, generation, timestamp;
};

/* How the local daemon sees a host of a joined lockspace. */
enum {
        STORVIRT__SL_HOST_UNKNOWN = 1,
        STORVIRT__SL_HOST_FREE,
        STORVIRT__SL_HOST_LIVE,
        STORVIRT__SL_HOST_FAIL,
        STORVIRT__SL_HOST_DEAD,
};

/*
 * A lockspace's delta leases are at offset of path (0 for a lease area
 * file; a multiple of 1 MiB into a block device for a region of it).
 */
/* Formats the lockspace name's delta leases at offset of path. */
int storvirt__sl_write_lockspace(const char *name, const char *path, uint64_t offset,
                                 unsigned io_timeout);
/* The lockspace name written at path (name of STORVIRT__SL_NAME_MAX + 1) and its io timeout. */
int storvirt__sl_read_lockspace(const char *path, uint64_t offset, char *name,
                                unsigned *ret_io_timeout);
/* The n first host records of the lockspace at path+offset (host ids 1..n). */
int storvirt__sl_read_hosts(const char *path, uint64_t offset, struct storvirt__sl_hostrec *ret,
                            size_t n);
/* Asks the daemon to join (asynchronously). */
int storvirt__sl_add_lockspace(const char *name, uint64_t host_id, const char *path,
                               uint64_t offset, unsigned io_timeout);
/* 0 joined, -EINPROGRESS joining, -ENOENT not joined (no message), -errno. */
int storvirt__sl_inq_lockspace(const char *name, uint64_t host_id, const char *path,
                               uint64_t offset);
/* Asks the daemon to leave (asynchronously); -ENOENT when not joined. */
int storvirt__sl_rem_lockspace(const char *name, uint64_t host_id, const char *path,
                               uint64_t offset);
/* How the daemon sees host_id of lockspace name (STORVIRT__SL_HOST_*). */
int storvirt__sl_host_state(const char *name, uint64_t host_id, uint64_t *ret_generation);
/* Writes an unheld resource lease. */
int storvirt__sl_write_resource(const struct storvirt__sl_res *res);
/* The lockspace and resource names of the lease at path+offset, read from storage
 * without the daemon (-ENODATA without a message: no lease there). */
int storvirt__sl_read_resource(const char *path, uint64_t offset, char *ret_lockspace,
                               char *ret_name);
/*
 * Registers this process with the daemon: a socket that must stay open.
 * no_kill: the daemon never kills it when its lockspace is lost (for a
 * short hold by the library's caller); else sanlock's fencing applies.
 */
int storvirt__sl_register(bool no_kill);
/* Acquires / releases res for the process registered on sock, or for pid (sock -1). */
int storvirt__sl_acquire(int sock, int pid, const struct storvirt__sl_res *res);
int storvirt__sl_release(int sock, int pid, const struct storvirt__sl_res *res);
/* The hosts holding res now, as written on storage (free() *ret). */
int storvirt__sl_owners(const struct storvirt__sl_res *res, struct storvirt__sl_owner **ret,
                        size_t *ret_n);
