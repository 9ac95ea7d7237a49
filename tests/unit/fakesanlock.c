/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fakesanlock.c - made-up sanlock daemons for unit tests (see fakesanlock.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fakesanlock.h"
#include "sys/sanlock.h"
#include "util/error.h"

#include <storvirt.h>

#define MAX_AREAS 8
#define MAX_HOST_IDS 16
#define MAX_RES 32
#define MAX_JOINS 8
#define MAX_SOCKS 16

struct res {
        uint64_t offset;
        char lockspace[STORVIRT__SL_NAME_MAX + 1], name[STORVIRT__SL_NAME_MAX + 1];
        unsigned owners[MAX_HOST_IDS + 1]; /* per host id: 0 none, 1 exclusive, 2 shared */
};

struct area {
        dev_t dev;
        ino_t ino;
        uint64_t offset;        /* of its lockspace in the file */
        char name[STORVIRT__SL_NAME_MAX + 1];
        unsigned io_timeout;
        struct storvirt__sl_hostrec hosts[MAX_HOST_IDS];
        struct res res[MAX_RES];
        size_t n_res;
};

struct join {
        struct area *area;
        uint64_t host_id;
        unsigned polls;         /* questions still answered "joining" */
};

static struct {
        struct area areas[MAX_AREAS];
        size_t n_areas;
        struct join joins[FAKESANLOCK_HOSTS + 1][MAX_JOINS];
        bool crashed[FAKESANLOCK_HOSTS + 1];
        unsigned fail_polls[FAKESANLOCK_HOSTS + 1];
        int socks[MAX_SOCKS];   /* fd -> host */
        unsigned sock_host[MAX_SOCKS];
        unsigned me, join_polls;
        unsigned calls[16];
} fake;

static const char *const slot_names[] = { "write_lockspace", "read_lockspace", "read_hosts",
                                          "add_lockspace", "inq_lockspace", "rem_lockspace",
                                          "host_state", "write_resource", "read_resource",
                                          "register", "acquire", "release", "owners", NULL };

void fakesanlock_reset(void) {
        for (size_t i = 0; i < MAX_SOCKS; i++)
                if (fake.socks[i] > 0)
                        close(fake.socks[i]);
        memset(&fake, 0, sizeof(fake));
        fake.me = 1;
}

void fakesanlock_be_host(unsigned n) {
        fake.me = n;
}

void fakesanlock_set_join_polls(unsigned n) {
        fake.join_polls = n;
}

void fakesanlock_crash_host(unsigned n, unsigned fail_polls) {
        fake.crashed[n] = true;
        fake.fail_polls[n] = fail_polls;
        memset(fake.joins[n], 0, sizeof(fake.joins[n]));
}

unsigned fakesanlock_calls(const char *slot) {
        for (size_t i = 0; slot_names[i]; i++)
                if (strcmp(slot_names[i], slot) == 0)
                        return fake.calls[i];
        return 0;
}

static void called(const char *slot) {
        for (size_t i = 0; slot_names[i]; i++)
                if (strcmp(slot_names[i], slot) == 0)
                        fake.calls[i]++;
}

/* ---- what is on storage ---------------------------------------------------------------------- */

/* The lockspace at path+offset (any offset: ANY), made when create. */
#define ANY UINT64_MAX
static struct area *area_at(const char *path, uint64_t offset, bool create) {
        struct stat st;

        if (stat(path, &st) < 0) {
                storvirt__error_set(-errno, "lease area '%s': %s", path, strerror(errno));
                return NULL;
        }
        for (size_t i = 0; i < fake.n_areas; i++)
                if (fake.areas[i].dev == st.st_dev && fake.areas[i].ino == st.st_ino &&
                    (offset == ANY || fake.areas[i].offset == offset))
                        return &fake.areas[i];
        if (!create || fake.n_areas == MAX_AREAS) {
                storvirt__error_set(-ENODATA, "lease area '%s': no lockspace written there "
                                              "(sanlock -223)", path);
                return NULL;
        }
        fake.areas[fake.n_areas] = (struct area){ .dev = st.st_dev, .ino = st.st_ino,
                                                  .offset = offset };
        return &fake.areas[fake.n_areas++];
}

static struct res *res_at(struct area *a, uint64_t offset) {
        for (size_t i = 0; i < a->n_res; i++)
                if (a->res[i].offset == offset)
                        return &a->res[i];
        return NULL;
}

static int fake_write_lockspace(const char *name, const char *path, uint64_t offset,
                                unsigned io_timeout) {
        struct area *a;

        called("write_lockspace");
        if (!(a = area_at(path, offset, true)))
                return -storvirt_error_errno();
        snprintf(a->name, sizeof(a->name), "%s", name);
        a->io_timeout = io_timeout;
        return 0;
}

static int fake_read_lockspace(const char *path, uint64_t offset, char *name,
                               unsigned *ret_io_timeout) {
        struct area *a;

        called("read_lockspace");
        if (!(a = area_at(path, offset, false)))
                return -storvirt_error_errno();
        memcpy(name, a->name, sizeof(a->name));
        if (ret_io_timeout)
                *ret_io_timeout = a->io_timeout;
        return 0;
}

static int fake_read_hosts(const char *path, uint64_t offset, struct storvirt__sl_hostrec *ret,
                           size_t n) {
        struct area *a;

        called("read_hosts");
        if (!(a = area_at(path, offset, false)))
                return -storvirt_error_errno();
        for (size_t i = 0; i < n; i++)
                ret[i] = i < MAX_HOST_IDS ? a->hosts[i]
                                          : (struct storvirt__sl_hostrec){ .host_id = i + 1 };
        for (size_t i = 0; i < n; i++)
                ret[i].host_id = i + 1;
        return 0;
}

static int fake_write_resource(const struct storvirt__sl_res *r) {
        struct area *a;
        struct res *x;

        called("write_resource");
        if (!(a = area_at(r->path, ANY, false)))
                return -storvirt_error_errno();
        if (!(x = res_at(a, r->offset))) {
                if (a->n_res == MAX_RES)
                        return storvirt__error_set(-ENOSPC, "fake: too many leases");
                x = &a->res[a->n_res++];
        }
        *x = (struct res){ .offset = r->offset };
        snprintf(x->lockspace, sizeof(x->lockspace), "%s", r->lockspace);
        snprintf(x->name, sizeof(x->name), "%s", r->name);
        return 0;
}

static int fake_read_resource(const char *path, uint64_t offset, char *ret_lockspace,
                              char *ret_name) {
        struct area *a;
        struct res *x;

        called("read_resource");
        if (!(a = area_at(path, ANY, false)))
                return -storvirt_error_errno();
        if (!(x = res_at(a, offset)))
                return -ENODATA;
        memcpy(ret_lockspace, x->lockspace, sizeof(x->lockspace));
        memcpy(ret_name, x->name, sizeof(x->name));
        return 0;
}

/* ---- one host's daemon ----------------------------------------------------------------------- */

static struct join *join_of(unsigned host, const char *name) {
        for (size_t i = 0; i < MAX_JOINS; i++)
                if (fake.joins[host][i].area && strcmp(fake.joins[host][i].area->name, name) == 0)
                        return &fake.joins[host][i];
        return NULL;
}

static int fake_add_lockspace(const char *name, uint64_t host_id, const char *path,
                              uint64_t offset, unsigned io_timeout) {
        struct storvirt__sl_hostrec *h;
        struct area *a;
        char owner[16];

        (void)io_timeout;
        called("add_lockspace");
        if (!(a = area_at(path, offset, false)))
                return -storvirt_error_errno();
        if (join_of(fake.me, name))
                return -EEXIST;
        if (host_id < 1 || host_id > MAX_HOST_IDS)
                return storvirt__error_set(-EINVAL, "fake: host id %" PRIu64, host_id);
        h = &a->hosts[host_id - 1];
        snprintf(owner, sizeof(owner), "host%u", fake.me);
        if (h->timestamp && strcmp(h->owner, owner) != 0)
                return storvirt__error_set(-EBUSY, "joining lockspace %s as host id %" PRIu64
                                                   ": host id busy (sanlock -262)", name, host_id);
        for (size_t i = 0; i < MAX_JOINS; i++)
                if (!fake.joins[fake.me][i].area) {
                        fake.joins[fake.me][i] = (struct join){ a, host_id, fake.join_polls };
                        h->generation++;
                        h->timestamp = 1000 + h->generation;
                        snprintf(h->owner, sizeof(h->owner), "%s", owner);
                        return 0;
                }
        return storvirt__error_set(-ENOSPC, "fake: too many lockspaces");
}

static int fake_inq_lockspace(const char *name, uint64_t host_id, const char *path,
                              uint64_t offset) {
        struct join *j = join_of(fake.me, name);

        (void)path, (void)offset;
        called("inq_lockspace");
        if (!j || j->host_id != host_id)
                return -ENOENT;
        if (j->polls) {
                j->polls--;
                return -EINPROGRESS;
        }
        return 0;
}

static int fake_rem_lockspace(const char *name, uint64_t host_id, const char *path,
                              uint64_t offset) {
        struct join *j = join_of(fake.me, name);

        (void)path, (void)offset;
        called("rem_lockspace");
        if (!j || j->host_id != host_id)
                return -ENOENT;
        j->area->hosts[host_id - 1].timestamp = 0; /* released */
        *j = (struct join){ 0 };
        return 0;
}

/* The host whose daemon joined lockspace a as host_id, 0 none. */
static unsigned host_with_id(const struct area *a, uint64_t host_id) {
        for (unsigned n = 1; n <= FAKESANLOCK_HOSTS; n++) {
                char owner[16];

                snprintf(owner, sizeof(owner), "host%u", n);
                if (a->hosts[host_id - 1].timestamp && strcmp(a->hosts[host_id - 1].owner, owner) == 0)
                        return n;
        }
        return 0;
}

static int state_of(const struct area *a, uint64_t host_id, bool poll) {
        unsigned n = host_with_id(a, host_id);

        if (!n)
                return STORVIRT__SL_HOST_FREE;
        if (!fake.crashed[n])
                return STORVIRT__SL_HOST_LIVE;
        if (fake.fail_polls[n]) {
                fake.fail_polls[n] -= poll;
                return STORVIRT__SL_HOST_FAIL;
        }
        return STORVIRT__SL_HOST_DEAD;
}

static int fake_host_state(const char *name, uint64_t host_id, uint64_t *ret_generation) {
        struct join *j = join_of(fake.me, name);

        called("host_state");
        if (!j)
                return storvirt__error_set(-ENOENT, "reading the hosts of a lockspace: lockspace "
                                                    "not found (sanlock -2)");
        if (host_id < 1 || host_id > MAX_HOST_IDS)
                return STORVIRT__SL_HOST_UNKNOWN;
        if (ret_generation)
                *ret_generation = j->area->hosts[host_id - 1].generation;
        return state_of(j->area, host_id, true);
}

static int fake_register(bool no_kill) {
        int fd;

        (void)no_kill;
        called("register");
        for (size_t i = 0; i < MAX_SOCKS; i++)
                if (fake.socks[i] <= 0 || fcntl(fake.socks[i], F_GETFD) < 0) {
                        fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
                        if (fd < 0)
                                return storvirt__error_set(-errno, "fake: %s", strerror(errno));
                        fake.socks[i] = fd;
                        fake.sock_host[i] = fake.me;
                        return fd;
                }
        return storvirt__error_set(-EMFILE, "fake: too many registrations");
}

/* The lease of r on storage and this host's id in its lockspace. */
static int lease_of(const struct storvirt__sl_res *r, struct res **ret_x, uint64_t *ret_id) {
        struct join *j = join_of(fake.me, r->lockspace);
        struct area *a = area_at(r->path, ANY, false);

        if (!a)
                return -storvirt_error_errno();
        if (!j || j->polls)
                return storvirt__error_set(-ENOSPC, "acquiring a lease: lockspace %s not joined "
                                                    "(sanlock -28)", r->lockspace);
        if (!(*ret_x = res_at(a, r->offset)))
                return storvirt__error_set(-ENODATA, "acquiring a lease: invalid leader magic "
                                                     "(sanlock -223)");
        *ret_id = j->host_id;
        return 0;
}

static int fake_acquire(int sock, int pid, const struct storvirt__sl_res *r) {
        struct area *a;
        struct res *x;
        uint64_t me;
        int k;

        (void)sock, (void)pid;
        called("acquire");
        if ((k = lease_of(r, &x, &me)) < 0)
                return k;
        a = area_at(r->path, ANY, false);
        for (uint64_t id = 1; id <= MAX_HOST_IDS; id++) {
                if (id == me || !x->owners[id] || state_of(a, id, false) == STORVIRT__SL_HOST_DEAD)
                        continue;
                if (!r->shared || x->owners[id] == 1)
                        return storvirt__error_set(-EBUSY, "acquiring a lease: lease owned by "
                                                           "other host (sanlock -243)");
        }
        for (uint64_t id = 1; id <= MAX_HOST_IDS; id++)
                if (state_of(a, id, false) == STORVIRT__SL_HOST_DEAD)
                        x->owners[id] = 0;
        x->owners[me] = r->shared ? 2 : 1;
        return 0;
}

static int fake_release(int sock, int pid, const struct storvirt__sl_res *r) {
        struct res *x;
        uint64_t me;
        int k;

        (void)sock, (void)pid;
        called("release");
        if ((k = lease_of(r, &x, &me)) < 0)
                return k;
        x->owners[me] = 0;
        return 0;
}

static int fake_owners(const struct storvirt__sl_res *r, struct storvirt__sl_owner **ret,
                       size_t *ret_n) {
        struct area *a;
        struct res *x;
        size_t n = 0;

        called("owners");
        if (!(a = area_at(r->path, ANY, false)))
                return -storvirt_error_errno();
        if (!(x = res_at(a, r->offset)))
                return storvirt__error_set(-ENODATA, "reading the owners of a lease: invalid "
                                                     "leader magic (sanlock -223)");
        *ret = calloc(MAX_HOST_IDS, sizeof(**ret));
        if (!*ret)
                return storvirt__error_oom();
        for (uint64_t id = 1; id <= MAX_HOST_IDS; id++)
                if (x->owners[id])
                        (*ret)[n++] = (struct storvirt__sl_owner){ id, a->hosts[id - 1].generation,
                                                                   a->hosts[id - 1].timestamp };
        *ret_n = n;
        return 0;
}

const storvirt__sysops fakesanlock_ops = {
        .sl_write_lockspace = fake_write_lockspace,
        .sl_read_lockspace = fake_read_lockspace,
        .sl_read_hosts = fake_read_hosts,
        .sl_add_lockspace = fake_add_lockspace,
        .sl_inq_lockspace = fake_inq_lockspace,
        .sl_rem_lockspace = fake_rem_lockspace,
        .sl_host_state = fake_host_state,
        .sl_write_resource = fake_write_resource,
        .sl_read_resource = fake_read_resource,
        .sl_register = fake_register,
        .sl_acquire = fake_acquire,
        .sl_release = fake_release,
        .sl_owners = fake_owners,
};
