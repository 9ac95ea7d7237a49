/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vlease.c - vDisk leases (storvirt/lease.h, lease/lease.h): the slot a
 * vDisk gets in its lockspace's area at import, the check of prepare,
 * the hold of a chain change, acquiring and releasing for a process, and
 * who holds a lease.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <storvirt.h>

#include "lease/lease.h"
#include "objects/ctx.h"
#include "sys/sanlock.h"
#include "util/error.h"
#include "util/json.h"
#include "util/macro.h"

#define JOIN_TIMEOUT_MS 60000
/* how long a host waits for another to finish picking a slot in a block region */
#define ALLOC_TIMEOUT_MS 20000
/* sanlock's host_dead_seconds: 8 io timeouts without renewal, then the watchdog's 60 s */
#define HOST_DEAD_S(iot) (8 * (int64_t)(iot) + 60)

typedef storvirt__vrec vrec;

static int64_t now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct storvirt__sl_res res_of(const vrec *v) {
        return (struct storvirt__sl_res){ .lockspace = v->lease.lockspace, .name = v->id,
                                          .path = v->lease.path, .offset = v->lease.offset,
                                          .shared = v->shared };
}

/* ---- the slot ---------------------------------------------------------------------------------- */

/* Slot of v in the area (fd locked): the one named after it, else the first free, written. */
static int find_slot(storvirt_ctx *ctx, const storvirt__lockspace *ls, int fd, vrec *v) {
        const storvirt__sysops *ops = storvirt__ctx_sysops(ctx);
        char lsname[STORVIRT__SL_NAME_MAX + 1], name[STORVIRT__SL_NAME_MAX + 1];
        uint64_t n_slots, free_off = 0;
        struct stat st;
        int r;

        if (fstat(fd, &st) < 0)
                return storvirt__error_set(-errno, "lease area '%s': %s", ls->path, strerror(errno));
        n_slots = (uint64_t)st.st_size / STORVIRT__SL_ALIGN;
        n_slots = n_slots ? n_slots - 1 : 0;
        for (uint64_t k = 0; k < n_slots; k++) {
                uint64_t off = (k + 1) * STORVIRT__SL_ALIGN;

                r = ops->sl_read_resource(ls->path, off, lsname, name);
                if (r == -ENODATA) {
                        free_off = free_off ? free_off : off;
                        continue;
                }
                if (r < 0)
                        return r;
                if (strcmp(name, v->id) == 0 && strcmp(lsname, ls->name) == 0) {
                        v->lease.offset = off;
                        return 0;
                }
        }
        if (!free_off)
                return storvirt__error_set(-ENOSPC, "lockspace %s: all %" PRIu64 " lease slots "
                                                    "of '%s' are in use", ls->name, n_slots,
                                           ls->path);
        v->lease.offset = free_off;
        r = ops->sl_write_resource(&(struct storvirt__sl_res){ .lockspace = ls->name, .name = v->id,
                                                               .path = ls->path, .offset = free_off });
        return r;
}

/* ---- slots in a block device region ------------------------------------------------------------- */

/* Slot of v among the region's slots (the allocation lease held): its own, else the first free. */
static int region_pick(const storvirt__sysops *ops, const storvirt__lockspace *ls, vrec *v) {
        char lsname[STORVIRT__SL_NAME_MAX + 1], name[STORVIRT__SL_NAME_MAX + 1];
        uint64_t base = ls->offset + 2 * (uint64_t)STORVIRT__SL_ALIGN, free_off = 0, k;

        /* the slots run on while they carry this lockspace's name */
        for (k = 0; ops->sl_read_resource(ls->path, base + k * STORVIRT__SL_ALIGN, lsname, name) >= 0 &&
                    strcmp(lsname, ls->name) == 0; k++) {
                uint64_t off = base + k * STORVIRT__SL_ALIGN;

                if (strcmp(name, v->id) == 0) {
                        v->lease.offset = off;
                        return 0;
                }
                if (!free_off && strcmp(name, STORVIRT__LEASE_FREE_NAME) == 0)
                        free_off = off;
        }
        storvirt_error_clear();
        if (k == 0)
                return storvirt__error_set(-ENODATA, "lockspace %s in block device '%s': no lease "
                                                     "slot after its allocation lease", ls->name,
                                           ls->path);
        if (!free_off)
                return storvirt__error_set(-ENOSPC, "lockspace %s: all %" PRIu64 " lease slots of "
                                                    "'%s' are in use", ls->name, k, ls->path);
        v->lease.offset = free_off;
        return ops->sl_write_resource(&(struct storvirt__sl_res){ .lockspace = ls->name, .name = v->id,
                                                                  .path = ls->path,
                                                                  .offset = free_off });
}

/*
 * A slot in a block device region: no file system locks across hosts
 * there, so the host picks while it holds the region's allocation lease
 * (joining the lockspace first).
 */
static int assign_in_region(storvirt_ctx *ctx, const storvirt__lockspace *ls, vrec *v) {
        const storvirt__sysops *ops = storvirt__ctx_sysops(ctx);
        struct storvirt__sl_res alloc = { .lockspace = ls->name, .name = STORVIRT__LEASE_ALLOC_NAME,
                                          .path = ls->path,
                                          .offset = ls->offset + STORVIRT__SL_ALIGN };
        char lsname[STORVIRT__SL_NAME_MAX + 1], name[STORVIRT__SL_NAME_MAX + 1];
        int64_t deadline = now_ms() + ALLOC_TIMEOUT_MS;
        int sock, r;

        r = ops->sl_read_resource(ls->path, alloc.offset, lsname, name);
        if (r == -ENODATA || (r >= 0 && (strcmp(lsname, ls->name) != 0 ||
                                         strcmp(name, STORVIRT__LEASE_ALLOC_NAME) != 0))) {
                storvirt_error_clear();
                return storvirt__error_set(-EOPNOTSUPP, "lockspace %s in block device '%s' was "
                                                        "made without lease slots: it holds host "
                                                        "ids only", ls->name, ls->path);
        }
        if (r >= 0)
                r = storvirt__lockspace_ensure_joined(ctx, ls->name, JOIN_TIMEOUT_MS);
        if (r < 0)
                return r;
        sock = ops->sl_register(true);
        if (sock < 0)
                return sock;
        /* another host picking a slot holds it for milliseconds */
        while ((r = ops->sl_acquire(sock, -1, &alloc)) == -EBUSY && now_ms() < deadline) {
                storvirt_error_clear();
                usleep(50 * 1000);
        }
        if (r >= 0) {
                r = region_pick(ops, ls, v);
                (void)ops->sl_release(sock, -1, &alloc);
        } else
                r = storvirt__error_prefix("lockspace %s: the lease slot allocation", ls->name);
        close(sock);
        return r;
}

/* The slot of v in ls's area, picked under the area's lock (one importer at a time, every host). */
static int assign_in(storvirt_ctx *ctx, const storvirt__lockspace *ls, vrec *v) {
        struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
        _cleanup_close_ int fd = -1;
        struct stat st;
        int r = 0;

        if (stat(ls->path, &st) == 0 && S_ISBLK(st.st_mode))
                r = assign_in_region(ctx, ls, v);
        else if ((fd = open(ls->path, O_RDWR | O_CLOEXEC)) < 0)
                r = storvirt__error_set(-errno, "lease area '%s' of lockspace %s: %s", ls->path,
                                        ls->name, strerror(errno));
        else if (fcntl(fd, F_OFD_SETLKW, &fl) < 0)
                r = storvirt__error_set(-errno, "locking lease area '%s': %s", ls->path, strerror(errno));
        else
                r = find_slot(ctx, ls, fd, v);
        if (r >= 0 && (!(v->lease.lockspace = strdup(ls->name)) || !(v->lease.path = strdup(ls->path))))
                r = storvirt__error_oom();
        return r;
}

int storvirt__lease_assign(storvirt_ctx *ctx, const char *path, vrec *v) {
        storvirt__lockspace *ls = NULL;
        int r;

        if (v->lease.lockspace || !path)
                return 0;
        r = storvirt__lockspace_covering(ctx, path, &ls);
        if (r <= 0)
                return r;
        r = assign_in(ctx, ls, v);
        storvirt__lockspace_free(ls);
        return r;
}

int storvirt__lease_assign_named(storvirt_ctx *ctx, const char *name, vrec *v) {
        storvirt__lockspace *ls = NULL;
        int r;

        if (v->readonly)
                return storvirt__error_set(-EINVAL, "vDisk %s is read-only: it needs no lease", v->id);
        if (v->lease.lockspace)
                return strcmp(v->lease.lockspace, name) == 0 ? 0 :
                       storvirt__error_set(-EEXIST, "vDisk %s has its lease in lockspace %s, not %s",
                                           v->id, v->lease.lockspace, name);
        r = storvirt__lockspace_read(ctx, name, &ls);
        if (r >= 0)
                r = assign_in(ctx, ls, v);
        storvirt__lockspace_free(ls);
        return r < 0 ? r : 1;
}

/* ---- who holds it ------------------------------------------------------------------------------ */

static const char *host_state_name(int st) {
        switch (st) {
        case STORVIRT__SL_HOST_LIVE: return "live";
        case STORVIRT__SL_HOST_FAIL: return "fail";
        case STORVIRT__SL_HOST_DEAD: return "dead";
        case STORVIRT__SL_HOST_FREE: return "free";
        default: return "unknown";
        }
}

/*
 * Whether owner o still holds the lease as this host's sanlock sees it:
 * not when its host is dead or free, or came back with a new generation.
 */
static bool owner_alive(storvirt_ctx *ctx, const char *lockspace, const struct storvirt__sl_owner *o,
                        int *ret_state) {
        const storvirt__sysops *ops = storvirt__ctx_sysops(ctx);
        uint64_t gen = 0;
        int st = ops->sl_host_state(lockspace, o->host_id, &gen);

        if (st < 0) {
                storvirt_error_clear();
                st = STORVIRT__SL_HOST_UNKNOWN;
        }
        if (ret_state)
                *ret_state = st;
        if (st == STORVIRT__SL_HOST_DEAD || st == STORVIRT__SL_HOST_FREE)
                return false;
        return !(gen && o->generation && gen != o->generation);
}

/* The first live owner other than my_id found by other_owner(), and its host's state. */
struct holder {
        uint64_t host_id;
        int state;
};

/*
 * -EBUSY naming the first live owner other than my_id, else 0 (*ret_mine:
 * this host holds it).  Owners of a shared vDisk count only when shared_too.
 */
static int other_owner_of(storvirt_ctx *ctx, const vrec *v, uint64_t my_id, bool shared_too,
                          bool *ret_mine, struct holder *ret_holder) {
        const storvirt__sysops *ops = storvirt__ctx_sysops(ctx);
        struct storvirt__sl_res res = res_of(v);
        struct storvirt__sl_owner *o = NULL;
        size_t n = 0;
        int r, st;

        if (ret_mine)
                *ret_mine = false;
        r = ops->sl_owners(&res, &o, &n);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                if (o[i].host_id == my_id) {
                        if (ret_mine)
                                *ret_mine = true;
                        continue;
                }
                if ((shared_too || !v->shared) && owner_alive(ctx, v->lease.lockspace, &o[i], &st)) {
                        r = storvirt__error_set(-EBUSY, "vDisk %s: its lease is held by host id "
                                                        "%" PRIu64 " of lockspace %s", v->id,
                                                o[i].host_id, v->lease.lockspace);
                        if (ret_holder)
                                *ret_holder = (struct holder){ o[i].host_id, st };
                }
        }
        free(o);
        return r;
}

static int other_owner(storvirt_ctx *ctx, const vrec *v, uint64_t my_id, bool shared_too,
                       bool *ret_mine) {
        return other_owner_of(ctx, v, my_id, shared_too, ret_mine, NULL);
}

/* This host's id in v's lockspace, joining it first if needed. */
static int my_host_id(storvirt_ctx *ctx, const vrec *v, int timeout_ms, uint64_t *ret) {
        storvirt__lockspace *ls = NULL;
        int r;

        r = storvirt__lockspace_ensure_joined(ctx, v->lease.lockspace, timeout_ms);
        if (r >= 0)
                r = storvirt__lockspace_read(ctx, v->lease.lockspace, &ls);
        if (r >= 0)
                *ret = ls->host_id;
        storvirt__lockspace_free(ls);
        return r;
}

/*
 * An HA restart: the holder's host crashed.  Its lease is never broken:
 * sanlock lets another host have it once that host is dead, which it
 * finds host_dead_seconds (8 io timeouts and the watchdog's 60 s) after
 * its last renewal.  Waits for that within the time left, then -EBUSY
 * saying how long it may still take.
 */
static int wait_holder_dead(storvirt_ctx *ctx, const vrec *v, uint64_t me, int64_t deadline) {
        storvirt__lockspace *ls = NULL;
        struct holder h = { 0, STORVIRT__SL_HOST_UNKNOWN };
        int64_t start = now_ms(), last_log = start, left;
        unsigned iot;
        int r;

        while ((r = other_owner_of(ctx, v, me, false, NULL, &h)) == -EBUSY && now_ms() < deadline) {
                if (now_ms() - last_log >= 1000) {
                        log_info(ctx, "vDisk %s: waiting for host id %" PRIu64 " (%s) of lockspace "
                                      "%s to be found dead: %.1f s", v->id, h.host_id,
                                 host_state_name(h.state), v->lease.lockspace,
                                 (double)(now_ms() - start) / 1000);
                        last_log = now_ms();
                }
                usleep(250 * 1000);
        }
        if (r != -EBUSY)
                return r;
        iot = storvirt__lockspace_read(ctx, v->lease.lockspace, &ls) >= 0 ? ls->io_timeout : 10;
        storvirt__lockspace_free(ls);
        storvirt_error_clear();
        /* a failing host stopped renewing at least 8 io timeouts ago */
        left = HOST_DEAD_S(iot) - (h.state == STORVIRT__SL_HOST_FAIL ? 8 * (int64_t)iot : 0);
        return storvirt__error_set(-EBUSY, "vDisk %s: its lease is held by host id %" PRIu64
                                           " of lockspace %s, whose host is %s; sanlock finds a "
                                           "host dead %" PRId64 " s (8 x io timeout %u s + 60 s) "
                                           "after its last renewal: at most %" PRId64 " s more "
                                           "(waited %.1f s); prepare again with a longer timeout",
                                   v->id, h.host_id, v->lease.lockspace, host_state_name(h.state),
                                   HOST_DEAD_S(iot), iot, left,
                                   (double)(now_ms() - start) / 1000);
}

int storvirt__lease_check(storvirt_ctx *ctx, const vrec *v, int timeout_ms, int purpose) {
        int64_t deadline = now_ms() + timeout_ms;
        uint64_t me = 0;
        int r;

        if (!v->lease.lockspace || v->readonly)
                return 0;
        r = my_host_id(ctx, v, timeout_ms, &me);
        if (r < 0 || purpose == STORVIRT__LEASE_FOR_MIGRATION)
                return r; /* joined: the lease comes over with the domain */
        if (purpose == STORVIRT__LEASE_FOR_HA_RESTART)
                return wait_holder_dead(ctx, v, me, deadline);
        return other_owner(ctx, v, me, false, NULL);
}

/* ---- holding it -------------------------------------------------------------------------------- */

int storvirt__lease_hold(storvirt_ctx *ctx, const vrec *v, int *ret_sock) {
        const storvirt__sysops *ops = storvirt__ctx_sysops(ctx);
        struct storvirt__sl_res res = res_of(v);
        storvirt__error_saved e;
        uint64_t me = 0;
        bool mine = false;
        int sock, r, k;

        *ret_sock = -1;
        if (!v->lease.lockspace || v->readonly)
                return 0;
        if ((r = my_host_id(ctx, v, JOIN_TIMEOUT_MS, &me)) < 0)
                return r;
        sock = ops->sl_register(true); /* a short hold: the caller is never killed */
        if (sock < 0)
                return sock;
        res.shared = false; /* a chain changes under no other host, shared vDisk or not */
        r = ops->sl_acquire(sock, -1, &res);
        if (r >= 0) {
                *ret_sock = sock;
                return 0;
        }
        close(sock);
        /* refused: another host holds it, or a VM of this host does */
        storvirt__error_save(&e);
        k = other_owner(ctx, v, me, true, &mine);
        if (k < 0 || mine) {
                free(e.msg);    /* the holder's message stands, or there is no error */
                return k < 0 ? k : 0;
        }
        return storvirt__error_restore(&e);
}

void storvirt__lease_unhold(storvirt_ctx *ctx, const vrec *v, int sock) {
        const storvirt__sysops *ops = storvirt__ctx_sysops(ctx);
        struct storvirt__sl_res res = res_of(v);
        storvirt__error_saved e;

        if (sock < 0)
                return;
        storvirt__error_save(&e);
        res.shared = false;
        (void)ops->sl_release(sock, -1, &res);
        close(sock);
        storvirt__error_restore(&e);
}

/* ---- for a process ----------------------------------------------------------------------------- */

/* This process's registration with sanlock, one per context (closed with it). */
struct registration {
        int sock;
};

static void registration_free(void *p) {
        struct registration *reg = p;

        if (reg && reg->sock >= 0)
                close(reg->sock);
        free(reg);
}

static int registration_new(void **ret) {
        struct registration *reg = malloc(sizeof(*reg));

        if (!reg)
                return storvirt__error_oom();
        reg->sock = -1;
        *ret = reg;
        return 0;
}

static int registered_sock(storvirt_ctx *ctx) {
        const storvirt__sysops *ops = storvirt__ctx_sysops(ctx);
        struct registration *reg = NULL;
        int r;

        r = storvirt__ctx_slot_ensure(ctx, STORVIRT__CTX_SLOT_LEASES, registration_new,
                                      registration_free, (void **)&reg);
        if (r < 0)
                return r;
        storvirt__ctx_lock(ctx);
        if (reg->sock < 0)
                reg->sock = ops->sl_register(false); /* sanlock's fencing applies */
        r = reg->sock;
        if (r < 0)
                reg->sock = -1;
        storvirt__ctx_unlock(ctx);
        return r;
}

static int lease_needed(storvirt_ctx *ctx, const vrec *v) {
        const storvirt__sysops *ops = storvirt__ctx_sysops(ctx);
        storvirt__lockspace *ls = NULL;
        int r;

        if (v->readonly)
                return 1;
        if (!v->lease.lockspace)
                return storvirt__error_set(-ENOENT, "vDisk %s has no lease: its storage is in no "
                                                    "lockspace", v->id);
        r = storvirt__lockspace_read(ctx, v->lease.lockspace, &ls);
        if (r >= 0 && (!ls->host_id || ops->sl_inq_lockspace(ls->name, ls->host_id, ls->path, ls->offset) != 0)) {
                storvirt_error_clear();
                r = storvirt__error_set(-ENOTCONN, "vDisk %s: this host is not in lockspace %s "
                                                   "(join it first)", v->id, v->lease.lockspace);
        }
        storvirt__lockspace_free(ls);
        return r;
}

int storvirt__lease_acquire(storvirt_ctx *ctx, const vrec *v, int pid) {
        const storvirt__sysops *ops = storvirt__ctx_sysops(ctx);
        struct storvirt__sl_res res = res_of(v);
        storvirt__error_saved e;
        uint64_t me = 0;
        int sock = -1, r, k;

        if ((r = lease_needed(ctx, v)) != 0)
                return r;
        if (pid == 0 || pid == getpid()) {
                sock = registered_sock(ctx);
                if (sock < 0)
                        return sock;
        }
        r = ops->sl_acquire(sock, pid, &res);
        if (r >= 0 || r == -ENOMEM)
                return r;
        /* name the holder when another host has it */
        storvirt__error_save(&e);
        if (my_host_id(ctx, v, JOIN_TIMEOUT_MS, &me) >= 0 &&
            (k = other_owner(ctx, v, me, false, NULL)) < 0) {
                free(e.msg);    /* the holder's message stands */
                return k;
        }
        return storvirt__error_restore(&e);
}

int storvirt__lease_release(storvirt_ctx *ctx, const vrec *v, int pid) {
        const storvirt__sysops *ops = storvirt__ctx_sysops(ctx);
        struct storvirt__sl_res res = res_of(v);
        struct registration *reg;
        int sock = -1, r;

        if ((r = lease_needed(ctx, v)) != 0)
                return r > 0 ? 0 : r;
        if (pid == 0 || pid == getpid()) {
                reg = storvirt__ctx_slot_get(ctx, STORVIRT__CTX_SLOT_LEASES, NULL);
                if (!reg || reg->sock < 0)
                        return storvirt__error_set(-ENOENT, "vDisk %s: this process holds no lease",
                                                   v->id);
                sock = reg->sock;
        }
        return ops->sl_release(sock, pid, &res);
}

/* ---- status ------------------------------------------------------------------------------------ */

static int gen_owners(storvirt_ctx *ctx, const vrec *v, bool joined, storvirt__json_gen *g) {
        const storvirt__sysops *ops = storvirt__ctx_sysops(ctx);
        struct storvirt__sl_res res = res_of(v);
        struct storvirt__sl_owner *o = NULL;
        size_t n = 0;
        int r;

        r = ops->sl_owners(&res, &o, &n);
        if (r < 0)
                return r;
        storvirt__json_gen_key_bool(g, "held", n > 0);
        storvirt__json_gen_key_begin_array(g, "owners");
        for (size_t i = 0; i < n; i++) {
                int st = STORVIRT__SL_HOST_UNKNOWN;

                if (joined)
                        (void)owner_alive(ctx, v->lease.lockspace, &o[i], &st);
                storvirt__json_gen_begin_map(g);
                storvirt__json_gen_key_uint64(g, "host_id", o[i].host_id);
                storvirt__json_gen_key_uint64(g, "generation", o[i].generation);
                storvirt__json_gen_key_string(g, "state", host_state_name(st));
                storvirt__json_gen_end_map(g);
        }
        free(o);
        return storvirt__json_gen_end_array(g);
}

int storvirt__lease_status(storvirt_ctx *ctx, const vrec *v, bool pretty, char **ret) {
        _cleanup_json_gen_ storvirt__json_gen *g = NULL;
        bool joined = false;
        int r;

        r = storvirt__json_gen_new(pretty, &g);
        if (r < 0)
                return r;
        storvirt__json_gen_begin_map(g);
        storvirt__json_gen_key_string(g, "vdisk", v->id);
        storvirt__json_gen_key_string(g, "mode", v->readonly ? "none" : v->shared ? "shared"
                                                                                  : "exclusive");
        if (v->lease.lockspace) {
                joined = lease_needed(ctx, v) == 0;
                storvirt_error_clear();
                storvirt__json_gen_key_string(g, "lockspace", v->lease.lockspace);
                storvirt__json_gen_key_string(g, "path", v->lease.path);
                storvirt__json_gen_key_uint64(g, "offset", v->lease.offset);
                if (access(v->lease.path, F_OK) < 0)
                        return storvirt__error_set(-errno, "vDisk %s: lease area '%s': %s", v->id,
                                                   v->lease.path, strerror(errno));
                if ((r = gen_owners(ctx, v, joined, g)) < 0)
                        return r;
        }
        storvirt__json_gen_end_map(g);
        return storvirt__json_gen_finish(g, ret, NULL);
}
