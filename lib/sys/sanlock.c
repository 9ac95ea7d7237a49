/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sanlock.c - libsanlock behind the sys-ops table (see sanlock.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sys/sanlock.h"
#include "util/error.h"
#include "util/macro.h"

#if HAVE_SANLOCK
#include <sanlock.h>
#include <sanlock_admin.h>
#include <sanlock_resource.h>
#include <sanlock_rv.h>

/* The magic of a host record (delta lease) on storage. */
#define DELTA_MAGIC 0x12212010u
/* The magic of a resource lease's leader (paxos lease). */
#define PAXOS_MAGIC 0x06152010u

/* sanlock's result as -errno with a message: "what: sanlock's text". */
static int sl_error(int rv, const char *what) {
        int e;

        if (rv > -200)
                return storvirt__error_set(rv, "%s: %s", what, strerror(-rv));
        switch (rv) {
        case SANLK_ACQUIRE_IDLIVE:
        case SANLK_ACQUIRE_OWNED:
        case SANLK_ACQUIRE_OTHER:
        case SANLK_ACQUIRE_SHRETRY:
        case SANLK_ACQUIRE_OWNED_RETRY:
        case SANLK_HOSTID_BUSY:
                e = -EBUSY;
                break;
        case SANLK_LEADER_MAGIC:
        case SANLK_LEADER_VERSION:
        case SANLK_LEADER_CHECKSUM:
        case SANLK_DBLOCK_CHECKSUM:
                e = -ENODATA;
                break;
        case SANLK_AIO_TIMEOUT:
                e = -ETIMEDOUT;
                break;
        default:
                e = -EIO;
        }
        return storvirt__error_set(e, "%s: %s (sanlock %d)", what, sanlock_strerror(rv), rv);
}

static int copy_name(char *dst, const char *src, const char *what) {
        size_t n = strlen(src);

        if (n == 0 || n > STORVIRT__SL_NAME_MAX)
                return storvirt__error_set(-EINVAL, "%s '%s': 1 to %d characters", what, src,
                                           STORVIRT__SL_NAME_MAX);
        memcpy(dst, src, n);
        return 0;
}

static int fill_disk(struct sanlk_disk *d, const char *path, uint64_t offset) {
        if (strlen(path) >= SANLK_PATH_LEN)
                return storvirt__error_set(-ENAMETOOLONG, "lease area path '%s' is too long", path);
        memcpy(d->path, path, strlen(path) + 1);
        d->offset = offset;
        return 0;
}

static int fill_ls(struct sanlk_lockspace *ls, const char *name, uint64_t host_id, const char *path,
                   uint64_t offset) {
        int r;

        *ls = (struct sanlk_lockspace){ .host_id = host_id,
                                        .flags = SANLK_LSF_ALIGN1M | SANLK_LSF_SECTOR512 };
        if ((r = copy_name(ls->name, name, "lockspace name")) < 0)
                return r;
        return fill_disk(&ls->host_id_disk, path, offset);
}

/* A resource of one disk, in storage the caller provides. */
union res1 {
        struct sanlk_resource r;
        char buf[sizeof(struct sanlk_resource) + sizeof(struct sanlk_disk)];
};

static int fill_res(union res1 *u, const struct storvirt__sl_res *res) {
        int r;

        memset(u, 0, sizeof(*u));
        u->r.num_disks = 1;
        u->r.flags = SANLK_RES_ALIGN1M | SANLK_RES_SECTOR512 | (res->shared ? SANLK_RES_SHARED : 0);
        if ((r = copy_name(u->r.lockspace_name, res->lockspace, "lockspace name")) < 0 ||
            (r = copy_name(u->r.name, res->name, "lease name")) < 0)
                return r;
        return fill_disk(&u->r.disks[0], res->path, res->offset);
}

int storvirt__sl_write_lockspace(const char *name, const char *path, uint64_t offset,
                                 unsigned io_timeout) {
        struct sanlk_lockspace ls;
        char what[128];
        int r;

        if ((r = fill_ls(&ls, name, 0, path, offset)) < 0)
                return r;
        r = sanlock_write_lockspace(&ls, STORVIRT__SL_MAX_HOSTS, 0, io_timeout);
        snprintf(what, sizeof(what), "formatting lockspace %s", name);
        return r < 0 ? sl_error(r, what) : 0;
}

int storvirt__sl_read_lockspace(const char *path, uint64_t offset, char *name,
                                unsigned *ret_io_timeout) {
        struct sanlk_lockspace ls = { .host_id = 1, .flags = SANLK_LSF_ALIGN1M | SANLK_LSF_SECTOR512 };
        uint32_t iot = 0;
        int r;

        if ((r = fill_disk(&ls.host_id_disk, path, offset)) < 0)
                return r;
        r = sanlock_read_lockspace(&ls, 0, &iot);
        if (r < 0)
                return sl_error(r, path);
        memcpy(name, ls.name, STORVIRT__SL_NAME_MAX);
        name[STORVIRT__SL_NAME_MAX] = '\0';
        if (ret_io_timeout)
                *ret_io_timeout = iot;
        return 0;
}

static uint64_t le64(const unsigned char *p) {
        uint64_t v = 0;

        for (int i = 7; i >= 0; i--)
                v = v << 8 | p[i];
        return v;
}

int storvirt__sl_read_hosts(const char *path, uint64_t offset, struct storvirt__sl_hostrec *ret,
                            size_t n) {
        size_t len = n * STORVIRT__SL_SECTOR;
        unsigned char *buf = NULL;
        ssize_t got;
        int fd, r = 0;

        /* direct I/O: what the hosts wrote, never a cached copy */
        fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
        if (fd < 0)
                return storvirt__error_set(-errno, "lease area '%s': %s", path, strerror(errno));
        if (posix_memalign((void **)&buf, 4096, len) != 0) {
                close(fd);
                return storvirt__error_oom();
        }
        got = pread(fd, buf, len, (off_t)offset);
        if (got < 0)
                r = storvirt__error_set(-errno, "lease area '%s': %s", path, strerror(errno));
        else if ((size_t)got < len)
                r = storvirt__error_set(-ENODATA, "lease area '%s': %zd bytes, a lockspace "
                                                  "needs %zu", path, got, len);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                const unsigned char *s = buf + i * STORVIRT__SL_SECTOR;

                ret[i] = (struct storvirt__sl_hostrec){ .host_id = i + 1 };
                if ((uint32_t)le64(s) != DELTA_MAGIC) /* never written: free */
                        continue;
                ret[i].generation = le64(s + 40);
                ret[i].timestamp = le64(s + 152);
                memcpy(ret[i].owner, s + 104, STORVIRT__SL_NAME_MAX);
        }
        free(buf);
        close(fd);
        return r;
}

int storvirt__sl_add_lockspace(const char *name, uint64_t host_id, const char *path,
                               uint64_t offset, unsigned io_timeout) {
        struct sanlk_lockspace ls;
        char what[160];
        int r;

        if ((r = fill_ls(&ls, name, host_id, path, offset)) < 0)
                return r;
        r = sanlock_add_lockspace_timeout(&ls, SANLK_ADD_ASYNC, io_timeout);
        if (r == -EEXIST || r == -EINPROGRESS)
                return r;
        snprintf(what, sizeof(what), "joining lockspace %s as host id %llu", name,
                 (unsigned long long)host_id);
        return r < 0 ? sl_error(r, what) : 0;
}

int storvirt__sl_inq_lockspace(const char *name, uint64_t host_id, const char *path,
                               uint64_t offset) {
        struct sanlk_lockspace ls;
        int r;

        if ((r = fill_ls(&ls, name, host_id, path, offset)) < 0)
                return r;
        r = sanlock_inq_lockspace(&ls, 0);
        if (r == 0 || r == -EINPROGRESS || r == -ENOENT)
                return r;
        return sl_error(r, "asking sanlock about a lockspace");
}

int storvirt__sl_rem_lockspace(const char *name, uint64_t host_id, const char *path,
                               uint64_t offset) {
        struct sanlk_lockspace ls;
        int r;

        if ((r = fill_ls(&ls, name, host_id, path, offset)) < 0)
                return r;
        r = sanlock_rem_lockspace(&ls, 0);
        if (r == -ENOENT)
                return r;
        return r < 0 ? sl_error(r, "leaving a lockspace") : 0;
}

int storvirt__sl_host_state(const char *name, uint64_t host_id, uint64_t *ret_generation) {
        struct sanlk_host *hs = NULL;
        int n = 0, r;

        r = sanlock_get_hosts(name, host_id, &hs, &n, 0);
        if (r < 0)
                return sl_error(r, "reading the hosts of a lockspace");
        r = STORVIRT__SL_HOST_UNKNOWN;
        for (int i = 0; i < n; i++)
                if (hs[i].host_id == host_id) {
                        r = (int)(hs[i].flags & SANLK_HOST_MASK);
                        if (ret_generation)
                                *ret_generation = hs[i].generation;
                }
        free(hs);
        return r;
}

int storvirt__sl_write_resource(const struct storvirt__sl_res *res) {
        union res1 u;
        int r;

        if ((r = fill_res(&u, res)) < 0)
                return r;
        u.r.flags &= ~(uint32_t)SANLK_RES_SHARED;
        r = sanlock_write_resource(&u.r, 0, 0, 0);
        return r < 0 ? sl_error(r, "formatting a lease") : 0;
}

/* A leader sector read with direct I/O: 1 read, 0 short (never written), -errno. */
static int read_sector(const char *path, uint64_t offset, unsigned char *buf) {
        ssize_t got;
        int fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);

        if (fd < 0)
                return storvirt__error_set(-errno, "lease area '%s': %s", path, strerror(errno));
        got = pread(fd, buf, STORVIRT__SL_SECTOR, (off_t)offset);
        if (got < 0)
                got = storvirt__error_set(-errno, "lease area '%s': %s", path, strerror(errno));
        close(fd);
        return got < 0 ? (int)got : got == STORVIRT__SL_SECTOR;
}

int storvirt__sl_read_resource(const char *path, uint64_t offset, char *ret_lockspace,
                               char *ret_name) {
        unsigned char *buf = NULL;
        int r;

        if (posix_memalign((void **)&buf, 4096, STORVIRT__SL_SECTOR) != 0)
                return storvirt__error_oom();
        r = read_sector(path, offset, buf);
        if (r > 0 && (uint32_t)le64(buf) != PAXOS_MAGIC)
                r = 0;
        if (r > 0) {
                memcpy(ret_lockspace, buf + 56, STORVIRT__SL_NAME_MAX);
                ret_lockspace[STORVIRT__SL_NAME_MAX] = '\0';
                memcpy(ret_name, buf + 104, STORVIRT__SL_NAME_MAX);
                ret_name[STORVIRT__SL_NAME_MAX] = '\0';
        }
        free(buf);
        return r < 0 ? r : r == 0 ? -ENODATA : 0;
}

int storvirt__sl_register(bool no_kill) {
        int sock = sanlock_register();

        if (sock < 0)
                return sl_error(sock, "registering with the sanlock daemon");
        if (no_kill)
                (void)sanlock_restrict(sock, SANLK_RESTRICT_SIGKILL | SANLK_RESTRICT_SIGTERM);
        return sock;
}

int storvirt__sl_acquire(int sock, int pid, const struct storvirt__sl_res *res) {
        struct sanlk_resource *args[1];
        union res1 u;
        int r;

        if ((r = fill_res(&u, res)) < 0)
                return r;
        args[0] = &u.r;
        r = sanlock_acquire(sock, sock >= 0 ? -1 : pid, 0, 1, args, NULL);
        return r < 0 ? sl_error(r, "acquiring a lease") : 0;
}

int storvirt__sl_release(int sock, int pid, const struct storvirt__sl_res *res) {
        struct sanlk_resource *args[1];
        union res1 u;
        int r;

        if ((r = fill_res(&u, res)) < 0)
                return r;
        args[0] = &u.r;
        r = sanlock_release(sock, sock >= 0 ? -1 : pid, 0, 1, args);
        return r < 0 ? sl_error(r, "releasing a lease") : 0;
}

int storvirt__sl_owners(const struct storvirt__sl_res *res, struct storvirt__sl_owner **ret,
                        size_t *ret_n) {
        struct sanlk_host *hs = NULL;
        union res1 u;
        int n = 0, r;

        if ((r = fill_res(&u, res)) < 0)
                return r;
        r = sanlock_read_resource_owners(&u.r, 0, &hs, &n);
        if (r < 0)
                return sl_error(r, "reading the owners of a lease");
        *ret = calloc(n > 0 ? (size_t)n : 1, sizeof(**ret));
        if (!*ret) {
                free(hs);
                return storvirt__error_oom();
        }
        for (int i = 0; i < n; i++)
                (*ret)[i] = (struct storvirt__sl_owner){ hs[i].host_id, hs[i].generation,
                                                         hs[i].timestamp };
        *ret_n = (size_t)n;
        free(hs);
        return 0;
}

#else /* !HAVE_SANLOCK */

#define NO_SANLOCK() storvirt__error_set(-EOPNOTSUPP, "built without libsanlock: no leases")

int storvirt__sl_write_lockspace(const char *name, const char *path, uint64_t offset,
                                 unsigned io_timeout) {
        return NO_SANLOCK();
}
int storvirt__sl_read_lockspace(const char *path, uint64_t offset, char *name,
                                unsigned *ret_io_timeout) {
        return NO_SANLOCK();
}
int storvirt__sl_read_hosts(const char *path, uint64_t offset, struct storvirt__sl_hostrec *ret,
                            size_t n) {
        return NO_SANLOCK();
}
int storvirt__sl_add_lockspace(const char *name, uint64_t host_id, const char *path,
                               uint64_t offset, unsigned io_timeout) {
        return NO_SANLOCK();
}
int storvirt__sl_inq_lockspace(const char *name, uint64_t host_id, const char *path,
                               uint64_t offset) {
        return NO_SANLOCK();
}
int storvirt__sl_rem_lockspace(const char *name, uint64_t host_id, const char *path,
                               uint64_t offset) {
        return NO_SANLOCK();
}
int storvirt__sl_host_state(const char *name, uint64_t host_id, uint64_t *ret_generation) {
        return NO_SANLOCK();
}
int storvirt__sl_write_resource(const struct storvirt__sl_res *res) {
        return NO_SANLOCK();
}
int storvirt__sl_read_resource(const char *path, uint64_t offset, char *ret_lockspace,
                               char *ret_name) {
        return NO_SANLOCK();
}
int storvirt__sl_register(bool no_kill) {
        return NO_SANLOCK();
}
int storvirt__sl_acquire(int sock, int pid, const struct storvirt__sl_res *res) {
        return NO_SANLOCK();
}
int storvirt__sl_release(int sock, int pid, const struct storvirt__sl_res *res) {
        return NO_SANLOCK();
}
int storvirt__sl_owners(const struct storvirt__sl_res *res, struct storvirt__sl_owner **ret,
                        size_t *ret_n) {
        return NO_SANLOCK();
}
#endif
