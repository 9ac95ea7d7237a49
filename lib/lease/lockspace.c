/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lockspace.c - sanlock lockspaces (storvirt/lease.h, lease/lease.h):
 * the lease area formatted on shared storage, this host's record of it
 * (its host id, chosen from the host records on storage so that two
 * hosts never take the same one), joining without blocking, leaving,
 * and the status of a join in progress.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <storvirt.h>

#include "lease/lease.h"
#include "objects/ctx.h"
#include "objects/records.h"
#include "sys/sanlock.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/macro.h"
#include "util/strv.h"

#define KIND "lockspaces"
#define DEFAULT_IO_TIMEOUT 10
#define DEFAULT_SLOTS 256
#define MAX_SLOTS 4096

typedef storvirt__lockspace lockspace;

static int64_t now_ms(clockid_t clk) {
        struct timespec ts;

        clock_gettime(clk, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Whether path is a block device (a region of it holds the lockspace). */
static bool block_area(const char *path) {
        struct stat st;

        return stat(path, &st) == 0 && S_ISBLK(st.st_mode);
}

void storvirt__lockspace_free(lockspace *ls) {
        if (!ls)
                return;
        free(ls->name);
        free(ls->path);
        free(ls);
}

static void lockspace_freep(lockspace **ls) {
        storvirt__lockspace_free(*ls);
}
#define _cleanup_ls_ __attribute__((cleanup(lockspace_freep)))

/* ---- this host's record ------------------------------------------------------------------------ */

static int ls_parse(yajl_val o, lockspace **ret) {
        _cleanup_ls_ lockspace *ls = calloc(1, sizeof(*ls));
        const char *name = NULL, *path = NULL;
        uint64_t iot = 0;
        int r;

        if (!ls)
                return storvirt__error_oom();
        if ((r = storvirt__json_get_string(o, "name", true, &name)) < 0 ||
            (r = storvirt__json_get_string(o, "path", true, &path)) < 0 ||
            (r = storvirt__json_get_uint64(o, "io_timeout", true, 0, &iot)) < 0 ||
            (r = storvirt__json_get_uint64(o, "host_id", false, 0, &ls->host_id)) < 0 ||
            (r = storvirt__json_get_uint64(o, "offset", false, 0, &ls->offset)) < 0 ||
            (r = storvirt__json_get_int64(o, "join_started", false, 0, &ls->join_started)) < 0 ||
            (r = storvirt__json_get_int64(o, "join_ms", false, 0, &ls->join_ms)) < 0)
                return r;
        if (ls->offset % STORVIRT__SL_ALIGN)
                return storvirt__error_set(-EINVAL, "offset %" PRIu64 " is not a multiple of "
                                                    "1 MiB", ls->offset);
        if (iot == 0 || iot > 3600 || ls->host_id > STORVIRT__SL_MAX_HOSTS)
                return storvirt__error_set(-EINVAL, "io_timeout %" PRIu64 " or host_id %" PRIu64
                                                    " out of range", iot, ls->host_id);
        ls->io_timeout = (unsigned)iot;
        if (!(ls->name = strdup(name)) || !(ls->path = strdup(path)))
                return storvirt__error_oom();
        *ret = TAKE_PTR(ls);
        return 0;
}

static int ls_text(const lockspace *ls, char **ret) {
        _cleanup_json_gen_ storvirt__json_gen *g = NULL;
        int r = storvirt__json_gen_new(true, &g);

        if (r < 0)
                return r;
        storvirt__json_gen_begin_map(g);
        storvirt__json_gen_key_string(g, "name", ls->name);
        storvirt__json_gen_key_string(g, "path", ls->path);
        if (ls->offset)
                storvirt__json_gen_key_uint64(g, "offset", ls->offset);
        storvirt__json_gen_key_uint64(g, "io_timeout", ls->io_timeout);
        if (ls->host_id)
                storvirt__json_gen_key_uint64(g, "host_id", ls->host_id);
        if (ls->join_started)
                storvirt__json_gen_key_int64(g, "join_started", ls->join_started);
        if (ls->join_ms)
                storvirt__json_gen_key_int64(g, "join_ms", ls->join_ms);
        storvirt__json_gen_end_map(g);
        return storvirt__json_gen_finish(g, ret, NULL);
}

static int ls_read(storvirt_ctx *ctx, const char *name, bool locked, lockspace **ret) {
        _cleanup_json_ yajl_val o = NULL;
        int r;

        r = storvirt__name_check("lockspace name", name);
        if (r < 0)
                return r;
        r = storvirt__record_read(ctx, KIND, name, locked, &o, NULL);
        if (r == -ENOENT)
                return storvirt__error_set(-ENOENT, "no lockspace %s on this host", name);
        if (r >= 0)
                r = ls_parse(o, ret);
        if (r < 0)
                return storvirt__error_set(r, "lockspace record %s: %s", name, storvirt_error_message());
        return 0;
}

int storvirt__lockspace_read(storvirt_ctx *ctx, const char *name, lockspace **ret) {
        return ls_read(ctx, name, false, ret);
}

/* Writes ls (the caller holds the lock exclusive). */
static int ls_save(storvirt_ctx *ctx, const lockspace *ls) {
        _cleanup_free_ char *text = NULL;
        int r = ls_text(ls, &text);

        return r < 0 ? r : storvirt__record_write(ctx, KIND, ls->name, text, strlen(text));
}

/* Read-modify-write of name's record under the exclusive lock. */
typedef int (*ls_change_fn)(storvirt_ctx *ctx, lockspace *ls, void *userdata);

static int ls_change(storvirt_ctx *ctx, const char *name, ls_change_fn fn, void *userdata) {
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;
        _cleanup_ls_ lockspace *ls = NULL;
        int r;

        r = storvirt__records_lock(ctx, KIND, STORVIRT__LOCK_EXCLUSIVE, &lock);
        if (r >= 0)
                r = ls_read(ctx, name, true, &ls);
        if (r >= 0)
                r = fn(ctx, ls, userdata);
        if (r > 0)
                r = ls_save(ctx, ls);
        return r;
}

int storvirt__lockspace_covering(storvirt_ctx *ctx, const char *path, lockspace **ret) {
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_free_ char *real = realpath(path, NULL);
        int r;

        *ret = NULL;
        if (!real)
                return 0;
        r = storvirt__records_list(ctx, KIND, &names);
        for (char **n = names; r >= 0 && n && *n; n++) {
                _cleanup_ls_ lockspace *ls = NULL;
                _cleanup_free_ char *area = NULL;
                char *slash;

                if (ls_read(ctx, *n, false, &ls) < 0 || block_area(ls->path) ||
                    !(area = realpath(ls->path, NULL))) {
                        storvirt_error_clear();
                        continue;
                }
                slash = strrchr(area, '/');
                slash[slash == area ? 1 : 0] = '\0';
                if (strncmp(real, area, strlen(area)) == 0 &&
                    (real[strlen(area)] == '/' || strcmp(area, "/") == 0)) {
                        *ret = TAKE_PTR(ls);
                        return 1;
                }
        }
        return r;
}

/* 0 when this host has no record of lockspace name (the lock is held), else -EEXIST. */
static int ls_absent(storvirt_ctx *ctx, const char *name) {
        _cleanup_json_ yajl_val o = NULL;
        int r = storvirt__record_read(ctx, KIND, name, true, &o, NULL);

        if (r == -ENOENT) {
                storvirt_error_clear();
                return 0;
        }
        return r < 0 ? r : storvirt__error_set(-EEXIST, "lockspace %s is already defined on "
                                                         "this host", name);
}

/* ---- the lease area ---------------------------------------------------------------------------- */

/*
 * A region of a block device (a shared LUN, a small LV): the lockspace's
 * host records take the 1 MiB at offset, and with n_slots vDisk leases the
 * slot allocation lease and the slots follow (storvirt__lease_region_size);
 * when creating (!exists) no lockspace may be there yet.
 */
static int region_check(storvirt_ctx *ctx, const char *name, const char *path, uint64_t offset,
                        uint32_t n_slots, bool exists) {
        const storvirt__sysops *ops = storvirt__ctx_sysops(ctx);
        char found[STORVIRT__SL_NAME_MAX + 1];
        uint64_t size = 0, need = offset + storvirt__lease_region_size(n_slots);
        int fd, r = 0;

        if (offset % STORVIRT__SL_ALIGN)
                return storvirt__error_set(-EINVAL, "lease area '%s': offset %" PRIu64 " is not "
                                                    "a multiple of 1 MiB", path, offset);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || ioctl(fd, BLKGETSIZE64, &size) < 0)
                r = storvirt__error_set(-errno, "lease area '%s' of lockspace %s: %s", path, name,
                                        strerror(errno));
        if (fd >= 0)
                close(fd);
        if (r >= 0 && size < need)
                r = storvirt__error_set(-EINVAL, "lease area '%s': %" PRIu64 " bytes, a lockspace "
                                                 "at offset %" PRIu64 " needs %" PRIu64, path,
                                        size, offset, need);
        if (r < 0 || exists)
                return r;
        if (ops->sl_read_lockspace(path, offset, found, NULL) >= 0)
                return storvirt__error_set(-EEXIST, "lease area '%s' already holds lockspace "
                                                    "'%s' at offset %" PRIu64, path, found, offset);
        storvirt_error_clear();
        return 0;
}

/* A lease area the library can use: a regular file, or a region of a block device. */
static int area_check(storvirt_ctx *ctx, const char *name, const char *path, uint64_t offset,
                      uint32_t n_slots, bool exists) {
        struct stat st;

        if (stat(path, &st) < 0) {
                if (errno == ENOENT && !exists)
                        return offset ? storvirt__error_set(-ENOENT, "lease area '%s': no such "
                                                                     "block device", path) : 0;
                return storvirt__error_set(-errno, "lease area '%s' of lockspace %s: %s", path,
                                           name, strerror(errno));
        }
        if (S_ISBLK(st.st_mode))
                return region_check(ctx, name, path, offset, n_slots, exists);
        if (!S_ISREG(st.st_mode))
                return storvirt__error_set(-EINVAL, "lease area '%s' is not a regular file "
                                                    "or a block device", path);
        if (offset)
                return storvirt__error_set(-EINVAL, "lease area '%s': an offset is for a region "
                                                    "of a block device; a file holds its "
                                                    "lockspace at 0", path);
        if (!exists)
                return storvirt__error_set(-EEXIST, "lease area '%s' already exists", path);
        if ((uint64_t)st.st_size < 2 * STORVIRT__SL_ALIGN)
                return storvirt__error_set(-EINVAL, "lease area '%s' is %jd bytes: too small for "
                                                    "a lockspace and one lease", path,
                                           (intmax_t)st.st_size);
        return 0;
}

/* Writes the area at a temporary name, then renames it: it appears whole. */
static int area_format(storvirt_ctx *ctx, const char *name, const char *path, unsigned iot,
                       unsigned slots) {
        const storvirt__sysops *ops = storvirt__ctx_sysops(ctx);
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -1;
        int r;

        if (asprintf(&tmp, "%s.tmp-%d", path, (int)getpid()) < 0)
                return storvirt__error_oom();
        fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0660);
        if (fd < 0)
                return storvirt__error_set(-errno, "creating lease area '%s': %s", path, strerror(errno));
        if (ftruncate(fd, (off_t)(slots + 1) * STORVIRT__SL_ALIGN) < 0)
                r = storvirt__error_set(-errno, "sizing lease area '%s': %s", path, strerror(errno));
        else
                r = ops->sl_write_lockspace(name, tmp, 0, iot);
        if (r >= 0 && fsync(fd) < 0)
                r = storvirt__error_set(-errno, "lease area '%s': fsync: %s", path, strerror(errno));
        if (r >= 0 && link(tmp, path) < 0) /* never over an area another host made meanwhile */
                r = storvirt__error_set(errno == EEXIST ? -EEXIST : -errno,
                                        "lease area '%s': %s", path, strerror(errno));
        (void)unlink(tmp);
        return r;
}

/*
 * A block device region: the host records, then with n_slots the slot
 * allocation lease and n_slots free slots, each a resource lease of the
 * lockspace written on the device (a slot's name says free or whose).
 */
static int region_format(const storvirt__sysops *ops, const char *name, const char *path,
                         uint64_t offset, unsigned iot, uint32_t n_slots) {
        int r = ops->sl_write_lockspace(name, path, offset, iot);

        for (uint32_t k = 0; r >= 0 && n_slots && k <= n_slots; k++) {
                struct storvirt__sl_res res = {
                        .lockspace = name, .path = path,
                        .name = k == 0 ? STORVIRT__LEASE_ALLOC_NAME : STORVIRT__LEASE_FREE_NAME,
                        .offset = offset + (uint64_t)(k + 1) * STORVIRT__SL_ALIGN,
                };

                r = ops->sl_write_resource(&res);
        }
        return r;
}

STORVIRT_EXPORT int storvirt_lockspace_create_at(storvirt_ctx *ctx, const char *name,
                                                 const char *path, uint64_t offset,
                                                 uint32_t io_timeout, uint32_t n_slots,
                                                 uint32_t flags) {
        const storvirt__sysops *ops;
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;
        unsigned iot = io_timeout ? io_timeout : DEFAULT_IO_TIMEOUT;
        lockspace ls = {};
        int r;

        check_nonnull(ctx);
        check_nonnull(name);
        check_nonnull(path);
        check_arg(path[0] == '/', "path", "must be absolute");
        check_arg(io_timeout <= 60, "io_timeout", "0 (10 s) to 60 seconds");
        check_arg(n_slots <= MAX_SLOTS, "n_slots", "0 (256) to 4096");
        check_flags(flags, 0);
        if ((r = storvirt__name_check("lockspace name", name)) < 0)
                return r;
        if (strlen(name) > STORVIRT__SL_NAME_MAX)
                return storvirt__error_set(-EINVAL, "lockspace name '%s': at most %d characters",
                                           name, STORVIRT__SL_NAME_MAX);
        ops = storvirt__ctx_sysops(ctx);
        r = storvirt__records_lock(ctx, KIND, STORVIRT__LOCK_EXCLUSIVE, &lock);
        if (r >= 0)
                r = ls_absent(ctx, name);
        if (r >= 0)
                r = area_check(ctx, name, path, offset, n_slots, false);
        if (r >= 0 && block_area(path)) /* a device region: formatted in place */
                r = region_format(ops, name, path, offset, iot, n_slots);
        else if (r >= 0)
                r = area_format(ctx, name, path, iot, n_slots ? n_slots : DEFAULT_SLOTS);
        if (r < 0)
                return r;
        ls = (lockspace){ .name = (char *)name, .path = (char *)path, .offset = offset,
                          .io_timeout = iot };
        return ls_save(ctx, &ls);
}

STORVIRT_EXPORT int storvirt_lockspace_create(storvirt_ctx *ctx, const char *name, const char *path,
                                              uint32_t io_timeout, uint32_t n_slots,
                                              uint32_t flags) {
        return storvirt_lockspace_create_at(ctx, name, path, 0, io_timeout, n_slots, flags);
}

/* ---- host ids ---------------------------------------------------------------------------------- */

/*
 * The host id this host takes in ls: the one it had; else the one asked
 * for, refused when its host record on storage was renewed and not
 * released; else the lowest id never written, then the lowest released.
 */
static int pick_host_id(storvirt_ctx *ctx, const lockspace *ls, uint64_t want, uint64_t *ret) {
        const storvirt__sysops *ops = storvirt__ctx_sysops(ctx);
        _cleanup_free_ struct storvirt__sl_hostrec *h = calloc(STORVIRT__SL_MAX_HOSTS, sizeof(*h));
        uint64_t released = 0;
        int r;

        if (!h)
                return storvirt__error_oom();
        if (ls->host_id && (!want || want == ls->host_id)) {
                *ret = ls->host_id;
                return 0;
        }
        r = ops->sl_read_hosts(ls->path, ls->offset, h, STORVIRT__SL_MAX_HOSTS);
        if (r < 0)
                return r;
        if (want) {
                if (h[want - 1].timestamp)
                        return storvirt__error_set(-EBUSY, "host id %" PRIu64 " of lockspace %s is "
                                                           "taken: host '%s' holds it (generation "
                                                           "%" PRIu64 ", renewed at %" PRIu64 ")",
                                                   want, ls->name, h[want - 1].owner,
                                                   h[want - 1].generation, h[want - 1].timestamp);
                *ret = want;
                return 0;
        }
        for (size_t i = 0; i < STORVIRT__SL_MAX_HOSTS; i++) {
                if (h[i].timestamp)
                        continue;
                if (!h[i].generation && !h[i].owner[0]) {
                        *ret = i + 1;
                        return 0;
                }
                if (!released)
                        released = i + 1;
        }
        if (!released)
                return storvirt__error_set(-EBUSY, "lockspace %s: all %d host ids are taken",
                                           ls->name, STORVIRT__SL_MAX_HOSTS);
        *ret = released;
        return 0;
}

/* ---- join, leave, status ----------------------------------------------------------------------- */

/* 0 joined, -EINPROGRESS joining, -ENOENT not joined (no message), -errno. */
static int ls_state(storvirt_ctx *ctx, const lockspace *ls) {
        const storvirt__sysops *ops = storvirt__ctx_sysops(ctx);
        int r;

        if (!ls->host_id)
                return -ENOENT;
        r = ops->sl_inq_lockspace(ls->name, ls->host_id, ls->path, ls->offset);
        if (r == -EINPROGRESS || r == -ENOENT)
                storvirt_error_clear();
        return r;
}

struct join_args {
        uint64_t want;
        int result; /* 1: joined already */
};

/* The area's host records locked against other hosts' picks (NFS locks): an fd to close. */
static int area_lock(const lockspace *ls) {
        struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = (off_t)ls->offset,
                            .l_len = STORVIRT__SL_ALIGN };
        int fd = open(ls->path, O_RDWR | O_CLOEXEC);

        if (fd < 0)
                return storvirt__error_set(-errno, "lease area '%s' of lockspace %s: %s", ls->path,
                                           ls->name, strerror(errno));
        if (fcntl(fd, F_OFD_SETLKW, &fl) < 0) {
                int e = errno;

                close(fd);
                return storvirt__error_set(-e, "locking lease area '%s': %s", ls->path, strerror(e));
        }
        return fd;
}

/*
 * Waits (at most twice the io timeout) for sanlock to write this host's
 * record of id: from then on the id shows taken to the other hosts.
 */
static int wait_host_record(storvirt_ctx *ctx, const lockspace *ls, uint64_t id) {
        const storvirt__sysops *ops = storvirt__ctx_sysops(ctx);
        _cleanup_free_ struct storvirt__sl_hostrec *h = calloc(id, sizeof(*h));
        int64_t deadline = now_ms(CLOCK_MONOTONIC) + 2000 * (int64_t)ls->io_timeout;
        int r;

        if (!h)
                return storvirt__error_oom();
        while ((r = ops->sl_read_hosts(ls->path, ls->offset, h, id)) >= 0 && !h[id - 1].timestamp &&
               now_ms(CLOCK_MONOTONIC) < deadline)
                usleep(20 * 1000);
        return r;
}

static int do_join(storvirt_ctx *ctx, lockspace *ls, void *userdata) {
        const storvirt__sysops *ops = storvirt__ctx_sysops(ctx);
        struct join_args *a = userdata;
        char name[STORVIRT__SL_NAME_MAX + 1];
        _cleanup_close_ int fd = -1;
        uint64_t id = 0;
        int r;

        if ((r = area_check(ctx, ls->name, ls->path, ls->offset, 0, true)) < 0)
                return r;
        r = ls_state(ctx, ls);
        if (r == 0 || r == -EINPROGRESS) {
                if (a->want && a->want != ls->host_id)
                        return storvirt__error_set(-EBUSY, "this host is in lockspace %s as host "
                                                           "id %" PRIu64 ": leave it first",
                                                   ls->name, ls->host_id);
                a->result = r == 0;
                return 0;
        }
        if (r != -ENOENT)
                return r;
        if ((r = ops->sl_read_lockspace(ls->path, ls->offset, name, NULL)) < 0)
                return r;
        if (strcmp(name, ls->name) != 0)
                return storvirt__error_set(-EINVAL, "lease area '%s' holds lockspace '%s' at "
                                                    "offset %" PRIu64 ", not %s", ls->path, name,
                                           ls->offset, ls->name);
        /* one host picks at a time: its pick is on storage before the next reads */
        if ((fd = area_lock(ls)) < 0)
                return fd;
        if ((r = pick_host_id(ctx, ls, a->want, &id)) < 0)
                return r;
        r = ops->sl_add_lockspace(ls->name, id, ls->path, ls->offset, ls->io_timeout);
        if (r < 0 && r != -EEXIST && r != -EINPROGRESS)
                return r;
        storvirt_error_clear();
        if ((r = wait_host_record(ctx, ls, id)) < 0)
                return r;
        ls->host_id = id;
        ls->join_started = now_ms(CLOCK_REALTIME);
        ls->join_ms = 0;
        return 1;
}

/* This host's record of a lockspace another host created: from its area. */
static int ls_adopt(storvirt_ctx *ctx, const char *name, const char *path, uint64_t offset) {
        const storvirt__sysops *ops = storvirt__ctx_sysops(ctx);
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;
        char found[STORVIRT__SL_NAME_MAX + 1];
        unsigned iot = 0;
        lockspace ls;
        int r;

        r = storvirt__records_lock(ctx, KIND, STORVIRT__LOCK_EXCLUSIVE, &lock);
        if (r >= 0)
                r = ls_absent(ctx, name);
        if (r == -EEXIST) {
                storvirt_error_clear();
                return 0;
        }
        if (r >= 0)
                r = area_check(ctx, name, path, offset, 0, true);
        if (r >= 0)
                r = ops->sl_read_lockspace(path, offset, found, &iot);
        if (r >= 0 && strcmp(found, name) != 0)
                r = storvirt__error_set(-EINVAL, "lease area '%s' holds lockspace '%s' at offset %"
                                                 PRIu64 ", not %s", path, found, offset, name);
        if (r < 0)
                return r;
        ls = (lockspace){ .name = (char *)name, .path = (char *)path, .offset = offset,
                          .io_timeout = iot ? iot : DEFAULT_IO_TIMEOUT };
        return ls_save(ctx, &ls);
}

STORVIRT_EXPORT int storvirt_lockspace_join_at(storvirt_ctx *ctx, const char *name,
                                               const char *path, uint64_t offset, uint32_t host_id,
                                               uint32_t flags) {
        struct join_args a = { .want = host_id };
        int r;

        check_nonnull(ctx);
        check_nonnull(name);
        check_arg(!path || path[0] == '/', "path", "must be absolute");
        check_arg(path || !offset, "offset", "goes with the path of a lockspace another host created");
        check_arg(host_id <= STORVIRT__SL_MAX_HOSTS, "host_id", "0 (any free) or 1 to 2000");
        check_flags(flags, 0);
        if (path && (r = ls_adopt(ctx, name, path, offset)) < 0)
                return r;
        r = ls_change(ctx, name, do_join, &a);
        return r < 0 ? r : a.result;
}

STORVIRT_EXPORT int storvirt_lockspace_join(storvirt_ctx *ctx, const char *name, const char *path,
                                            uint32_t host_id, uint32_t flags) {
        return storvirt_lockspace_join_at(ctx, name, path, 0, host_id, flags);
}

static int do_leave(storvirt_ctx *ctx, lockspace *ls, void *userdata) {
        const storvirt__sysops *ops = storvirt__ctx_sysops(ctx);
        int r;

        (void)userdata;
        if (!ls->host_id)
                return 0;
        r = ops->sl_rem_lockspace(ls->name, ls->host_id, ls->path, ls->offset);
        if (r == -ENOENT)
                return storvirt__error_set(-ENOENT, "this host is not in lockspace %s", ls->name);
        return r;
}

STORVIRT_EXPORT int storvirt_lockspace_leave(storvirt_ctx *ctx, const char *name, uint32_t flags) {
        check_nonnull(ctx);
        check_nonnull(name);
        check_flags(flags, 0);
        return ls_change(ctx, name, do_leave, NULL);
}

/* The first time a join is seen done, how long it took goes into the record. */
static int note_joined(storvirt_ctx *ctx, lockspace *ls, void *userdata) {
        int64_t *ms = userdata;

        if (ls->join_ms || !ls->join_started)
                return 0;
        ls->join_ms = *ms;
        return 1;
}

static const char *state_name(int st) {
        return st == 0 ? "joined" : st == -EINPROGRESS ? "joining" : "not joined";
}

STORVIRT_EXPORT int storvirt_lockspace_status(storvirt_ctx *ctx, const char *name, char **ret_json,
                                              uint32_t flags) {
        _cleanup_json_gen_ storvirt__json_gen *g = NULL;
        _cleanup_ls_ lockspace *ls = NULL;
        struct stat st;
        int64_t elapsed;
        int r, st_r;

        check_nonnull(ctx);
        check_nonnull(name);
        check_nonnull(ret_json);
        check_flags(flags, STORVIRT_LOCKSPACE_STATUS_PRETTY);
        if ((r = ls_read(ctx, name, false, &ls)) < 0)
                return r;
        if (stat(ls->path, &st) < 0)
                return storvirt__error_set(-errno, "lease area '%s' of lockspace %s: %s", ls->path,
                                           name, strerror(errno));
        st_r = ls_state(ctx, ls);
        if (st_r < 0 && st_r != -EINPROGRESS && st_r != -ENOENT)
                return st_r;
        elapsed = ls->join_started ? now_ms(CLOCK_REALTIME) - ls->join_started : 0;
        if (st_r == 0 && !ls->join_ms && ls->join_started &&
            ls_change(ctx, name, note_joined, &elapsed) >= 0)
                ls->join_ms = elapsed;
        r = storvirt__json_gen_new(flags & STORVIRT_LOCKSPACE_STATUS_PRETTY, &g);
        if (r < 0)
                return r;
        storvirt__json_gen_begin_map(g);
        storvirt__json_gen_key_string(g, "name", ls->name);
        storvirt__json_gen_key_string(g, "path", ls->path);
        storvirt__json_gen_key_uint64(g, "offset", ls->offset);
        storvirt__json_gen_key_uint64(g, "io_timeout", ls->io_timeout);
        if (ls->host_id)
                storvirt__json_gen_key_uint64(g, "host_id", ls->host_id);
        else
                storvirt__json_gen_key_null(g, "host_id");
        storvirt__json_gen_key_string(g, "state", state_name(st_r));
        if (st_r == -EINPROGRESS) {
                storvirt__json_gen_key_int64(g, "elapsed_ms", elapsed);
                /* sanlock's delta lease: about twice the io timeout, and a second */
                storvirt__json_gen_key_int64(g, "expected_ms", 2000 * (int64_t)ls->io_timeout + 1000);
        }
        if (ls->join_ms)
                storvirt__json_gen_key_int64(g, "join_ms", ls->join_ms);
        storvirt__json_gen_end_map(g);
        return storvirt__json_gen_finish(g, ret_json, NULL);
}

int storvirt__lockspace_ensure_joined(storvirt_ctx *ctx, const char *name, int timeout_ms) {
        int64_t start = now_ms(CLOCK_MONOTONIC), last_log = start;
        _cleanup_ls_ lockspace *ls = NULL;
        int r;

        r = storvirt_lockspace_join(ctx, name, NULL, 0, 0);
        if (r < 0 || r == 1)
                return r < 0 ? r : 0;
        if ((r = ls_read(ctx, name, false, &ls)) < 0)
                return r;
        for (;;) {
                int64_t now = now_ms(CLOCK_MONOTONIC);

                r = ls_state(ctx, ls);
                if (r == -ENOENT)
                        return storvirt__error_set(-EIO, "joining lockspace %s as host id %" PRIu64
                                                         " failed (sanlock's log tells why)",
                                                   name, ls->host_id);
                if (r != -EINPROGRESS)
                        break;
                if (now - start >= timeout_ms)
                        return storvirt__error_set(-ETIMEDOUT, "lockspace %s: still joining after "
                                                               "%d ms", name, timeout_ms);
                if (now - last_log >= 1000) {
                        log_info(ctx, "joining lockspace %s as host id %" PRIu64 ": %.1f s",
                                 name, ls->host_id, (double)(now - start) / 1000);
                        last_log = now;
                }
                usleep(100 * 1000);
        }
        return r;
}
