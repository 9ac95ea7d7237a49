/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fakehost.c - a made-up host for unit tests (see fakehost.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <fcntl.h>
#include <unistd.h>

#include "fakehost.h"
#include "util/error.h"
#include "util/strv.h"

#define MAX_DEVS 32
#define MAX_NODES 64
#define DM_MAJOR 253

struct node {
        char path[128];
        unsigned major, minor;
        bool file;
};

static struct {
        struct fakehost_dev devs[MAX_DEVS];
        size_t n_devs;
        struct node nodes[MAX_NODES];
        size_t n_nodes;
        char calls[8192];
        bool no_multipathd;
} host;

void fakehost_reset(void) {
        memset(&host, 0, sizeof(host));
}

void fakehost_set_multipathd(bool installed) {
        host.no_multipathd = !installed;
}

static void record(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void record(const char *fmt, ...) {
        size_t n = strlen(host.calls);
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(host.calls + n, sizeof(host.calls) - n, fmt, ap);
        va_end(ap);
        n = strlen(host.calls);
        if (n + 1 < sizeof(host.calls)) {
                host.calls[n] = '\n';
                host.calls[n + 1] = '\0';
        }
}

const char *fakehost_calls(void) {
        return host.calls;
}

/* ---- the description ------------------------------------------------------------------------ */

struct fakehost_dev *fakehost_dev(const char *name) {
        for (size_t i = 0; i < host.n_devs; i++)
                if (strcmp(host.devs[i].name, name) == 0)
                        return &host.devs[i];
        return NULL;
}

static struct fakehost_dev *dev_at(dev_t devnum) {
        for (size_t i = 0; i < host.n_devs; i++)
                if (makedev(host.devs[i].major, host.devs[i].minor) == devnum && !host.devs[i].gone)
                        return &host.devs[i];
        return NULL;
}

static struct node *node_of(const char *path) {
        for (size_t i = 0; i < host.n_nodes; i++)
                if (strcmp(host.nodes[i].path, path) == 0)
                        return &host.nodes[i];
        return NULL;
}

void fakehost_set_node(const char *path, unsigned major, unsigned minor, bool as_file) {
        struct node *n = node_of(path);

        if (!n) {
                if (host.n_nodes == MAX_NODES)
                        abort();
                n = &host.nodes[host.n_nodes++];
                snprintf(n->path, sizeof(n->path), "%s", path);
        }
        n->major = major;
        n->minor = minor;
        n->file = as_file;
}

void fakehost_remove_node(const char *path) {
        struct node *n = node_of(path);

        if (n)
                *n = host.nodes[--host.n_nodes];
}

static struct fakehost_dev *add_dev(const char *name, unsigned major, unsigned minor,
                                    const char *guid) {
        struct fakehost_dev *d;
        char node[160];

        if (host.n_devs == MAX_DEVS)
                abort();
        d = &host.devs[host.n_devs++];
        memset(d, 0, sizeof(*d));
        snprintf(d->name, sizeof(d->name), "%s", name);
        snprintf(d->guid, sizeof(d->guid), "%s", guid ? guid : "");
        d->major = major;
        d->minor = minor;
        d->size = 1ull << 30;
        snprintf(node, sizeof(node), "/dev/%s", name);
        fakehost_set_node(node, major, minor, false);
        return d;
}

struct fakehost_dev *fakehost_add_disk(const char *name, unsigned major, unsigned minor,
                                       const char *guid) {
        return add_dev(name, major, minor, guid);
}

struct fakehost_dev *fakehost_add_map(const char *name, const char *dm_name, unsigned minor,
                                      const char *guid, const char *const *members) {
        struct fakehost_dev *d = add_dev(name, DM_MAJOR, minor, guid);
        char node[160];

        d->dm = true;
        d->multipath = true;
        snprintf(d->dm_name, sizeof(d->dm_name), "%s", dm_name);
        for (; members && *members && d->n_members < FAKEHOST_MAX_MEMBERS; members++)
                snprintf(d->members[d->n_members++], FAKEHOST_NAME_MAX, "%s", *members);
        snprintf(node, sizeof(node), "/dev/mapper/%s", dm_name);
        fakehost_set_node(node, DM_MAJOR, minor, false);
        return d;
}

void fakehost_drop_member(const char *map, const char *member) {
        struct fakehost_dev *d = fakehost_dev(map);

        for (size_t i = 0; d && i < d->n_members; i++)
                if (strcmp(d->members[i], member) == 0) {
                        memmove(&d->members[i], &d->members[i + 1],
                                (d->n_members - i - 1) * sizeof(d->members[0]));
                        memmove(&d->member_failed[i], &d->member_failed[i + 1],
                                (d->n_members - i - 1) * sizeof(d->member_failed[0]));
                        d->n_members--;
                        return;
                }
}

void fakehost_fail_member(const char *map, const char *member) {
        struct fakehost_dev *d = fakehost_dev(map);

        for (size_t i = 0; d && i < d->n_members; i++)
                if (strcmp(d->members[i], member) == 0)
                        d->member_failed[i] = true;
}

/* Whether name is a member path of a multipath map now. */
static bool is_member(const char *name) {
        for (size_t i = 0; i < host.n_devs; i++)
                for (size_t k = 0; !host.devs[i].gone && k < host.devs[i].n_members; k++)
                        if (strcmp(host.devs[i].members[k], name) == 0)
                                return true;
        return false;
}

/* ---- discovery and usage -------------------------------------------------------------------- */

static void path_fill(struct storvirt__blk_path *p, const struct fakehost_dev *d) {
        char node[160];

        snprintf(node, sizeof(node), "/dev/%s", d->name);
        p->name = strdup(d->name);
        p->devnode = strdup(node);
        p->devnum = makedev(d->major, d->minor);
        snprintf(p->transport, sizeof(p->transport), "scsi");
        snprintf(p->state, sizeof(p->state), "%s", d->offline ? "offline" : "running");
        p->host = 1;
        p->bus = 0;
        p->target = 0;
        p->lun = (int)d->minor;
        p->iscsi_tpgt = -1;
        p->size = d->size;
}

static void lun_fill(struct storvirt__blk_lun *l, const struct fakehost_dev *d) {
        char node[160];

        snprintf(node, sizeof(node), "/dev/%s", d->name);
        snprintf(l->guid, sizeof(l->guid), "%s", d->guid);
        l->name = strdup(d->name);
        l->devnode = strdup(node);
        l->devnum = makedev(d->major, d->minor);
        l->multipath = d->multipath;
        l->dm_name = d->dm ? strdup(d->dm_name) : NULL;
        snprintf(l->devtype, sizeof(l->devtype), "%s", d->multipath ? "multipath" : "scsi");
        l->capacity = d->size;
        l->logical_block_size = 512;
        l->physical_block_size = 512;
        l->paths = calloc(d->multipath ? d->n_members + 1 : 2, sizeof(*l->paths));
        if (!l->paths)
                abort();
        if (!d->multipath) {
                path_fill(&l->paths[l->n_paths++], d);
                return;
        }
        for (size_t k = 0; k < d->n_members; k++) {
                const struct fakehost_dev *m = fakehost_dev(d->members[k]);

                if (m && !m->gone)
                        path_fill(&l->paths[l->n_paths++], m);
        }
}

static int fake_blk_scan(struct storvirt__blk_scan **ret) {
        struct storvirt__blk_scan *s = calloc(1, sizeof(*s));

        if (!s || !(s->luns = calloc(host.n_devs + 1, sizeof(*s->luns))))
                abort();
        for (size_t i = 0; i < host.n_devs; i++) {
                const struct fakehost_dev *d = &host.devs[i];

                if (d->gone || (d->dm && !d->multipath) || (!d->dm && is_member(d->name)))
                        continue;
                lun_fill(&s->luns[s->n_luns++], d);
        }
        *ret = s;
        return 0;
}

static int fake_usage_probe(const char *devnode, dev_t devnum, struct storvirt__usage *ret) {
        const struct fakehost_dev *d = dev_at(devnum);

        memset(ret, 0, sizeof(*ret));
        if (!d)
                return storvirt__error_set(-ENOENT, "'%s': no such device", devnode);
        ret->status = d->fs_uuid[0] ? STORVIRT__USAGE_USED : STORVIRT__USAGE_FREE;
        snprintf(ret->reason, sizeof(ret->reason), "%s",
                 d->fs_uuid[0] ? "filesystem ext4" : "no signature");
        snprintf(ret->fs_type, sizeof(ret->fs_type), "%s", d->fs_uuid[0] ? "ext4" : "");
        snprintf(ret->fs_uuid, sizeof(ret->fs_uuid), "%s", d->fs_uuid);
        return 0;
}

/* ---- identity ------------------------------------------------------------------------------- */

static int fake_dev_number(const char *path, dev_t *ret) {
        const struct node *n = node_of(path);

        if (!n)
                return storvirt__error_set(-ENOENT, "'%s': %s", path, strerror(ENOENT));
        if (n->file)
                return storvirt__error_set(-ENOTBLK, "'%s' is not a block device", path);
        *ret = makedev(n->major, n->minor);
        return 0;
}

static int fake_ident_read(dev_t devnum, struct storvirt__blkident *ret) {
        const struct fakehost_dev *d = dev_at(devnum);

        memset(ret, 0, sizeof(*ret));
        if (!d)
                return storvirt__error_set(-ENOENT, "no block device %u:%u in sysfs",
                                           major(devnum), minor(devnum));
        snprintf(ret->name, sizeof(ret->name), "%s", d->name);
        /* the made-up host's disks are SCSI disks (fakehost_add_disk) */
        ret->scsi = !d->dm;
        ret->dm = d->dm;
        ret->multipath = d->dm && d->multipath;
        snprintf(ret->guid, sizeof(ret->guid), "%s", !d->dm || d->multipath ? d->guid : "");
        for (size_t k = 0; k < d->n_members && ret->n_slaves < STORVIRT__BLKIDENT_MAX_SLAVES; k++) {
                const struct fakehost_dev *m = fakehost_dev(d->members[k]);
                struct storvirt__blkident_slave *s = &ret->slaves[ret->n_slaves];

                if (!m || m->gone)
                        continue;       /* sysfs lists only the paths that are there */
                snprintf(s->name, sizeof(s->name), "%s", m->name);
                snprintf(s->guid, sizeof(s->guid), "%s", m->guid);
                s->scsi = !m->dm;
                ret->n_slaves++;
        }
        return 0;
}

/* ---- device-mapper -------------------------------------------------------------------------- */

static int fake_dm_available(void) {
        return 0;
}

static int fake_dm_list(char ***ret) {
        char **v = calloc(1, sizeof(*v));

        for (size_t i = 0; v && i < host.n_devs; i++)
                if (host.devs[i].dm && !host.devs[i].gone &&
                    storvirt__strv_extend(&v, host.devs[i].dm_name) < 0)
                        abort();
        if (!v)
                abort();
        *ret = v;
        return 0;
}

/* A multipath status line: one path group, each member "M:m A|F 0 0". */
static char *map_status(const struct fakehost_dev *d) {
        char buf[1024];
        size_t n = (size_t)snprintf(buf, sizeof(buf), "2 0 1 0 1 1 A 0 %zu 0", d->n_members);

        for (size_t k = 0; k < d->n_members && n < sizeof(buf); k++) {
                const struct fakehost_dev *m = fakehost_dev(d->members[k]);

                n += (size_t)snprintf(buf + n, sizeof(buf) - n, " %u:%u %s 0 0", m ? m->major : 0,
                                      m ? m->minor : 0, d->member_failed[k] ? "F" : "A");
        }
        return strdup(buf);
}

static int fake_dm_table_read(const char *name, bool status, struct storvirt__dm_table *ret) {
        const struct fakehost_dev *d = NULL;
        struct storvirt__dm_table t = {};
        char uuid[STORVIRT__WWID_MAX + 8];

        for (size_t i = 0; i < host.n_devs; i++)
                if (host.devs[i].dm && !host.devs[i].gone && strcmp(host.devs[i].dm_name, name) == 0)
                        d = &host.devs[i];
        if (!d)
                return storvirt__error_set(-EIO, "device-mapper: reading the %s of %s failed",
                                           status ? "status" : "table", name);
        snprintf(uuid, sizeof(uuid), "%s%s", d->multipath && !status ? "mpath-" : "",
                 status ? "" : d->guid);
        t.targets = calloc(1, sizeof(*t.targets));
        if (!t.targets)
                abort();
        t.n_targets = 1;
        t.targets[0].length = d->size / 512;
        t.targets[0].type = strdup(d->multipath ? "multipath" : "linear");
        t.targets[0].params = status ? map_status(d) : strdup("");
        t.uuid = strdup(uuid);
        *ret = t;
        return 0;
}

static int fake_dm_create(const char *name, const char *uuid, uint64_t sectors, const char *target,
                          const char *params) {
        record("dm_create %s %s %" PRIu64 " %s %s", name, uuid ? uuid : "-", sectors, target,
               params);
        return 0;
}

/* ---- connectors ----------------------------------------------------------------------------- */

static int fake_iscsi_login(const struct storvirt__iscsi_node *n,
                            const struct storvirt__iscsi_chap *chap, int timeout_ms) {
        (void)timeout_ms;
        record("login %s %s tpgt=%d iface=%s chap=%s%s%s", n->target, n->portal, n->tpgt,
               n->iface ? n->iface : "-", chap ? chap->user : "-",
               chap && chap->password ? " with a password" : "",
               chap && chap->user_in ? " mutual" : "");
        return 0;
}

static int fake_iscsi_logout(const struct storvirt__iscsi_node *n, int timeout_ms) {
        (void)timeout_ms;
        record("logout %s %s", n->target, n->portal);
        return 0;
}

static int fake_iscsi_scan(const struct storvirt__iscsi_params *p, struct storvirt__iscsi_lun **ret,
                           size_t *ret_n) {
        record("scan %s %s", p->target, p->portal);
        *ret = NULL;
        *ret_n = 0;
        return 0;
}

static int fake_mount_helper(const char *type, const char *source, const char *target,
                             char *const *opts, int timeout_ms) {
        (void)timeout_ms;
        record("mount %s %s %s %s", type ? type : "-", source, target,
               opts && opts[0] ? opts[0] : "-");
        return 0;
}

static int fake_umount_helper(const char *target, int timeout_ms) {
        (void)timeout_ms;
        record("umount %s", target);
        return 0;
}

/* ---- device changes ------------------------------------------------------------------------- */

#define MAX_MONITORS 4

/* The monitors open (not part of the description: a reset keeps them). */
static struct storvirt__blkmon {
        int rfd, wfd;
} *monitors[MAX_MONITORS];

void fakehost_uevent(const char *action, const char *name, bool partition) {
        struct storvirt__blk_uevent ue = { .partition = partition };
        const struct fakehost_dev *d = fakehost_dev(name);

        snprintf(ue.action, sizeof(ue.action), "%s", action);
        snprintf(ue.name, sizeof(ue.name), "%s", name);
        ue.devnum = d ? makedev(d->major, d->minor) : 0;
        for (size_t i = 0; i < MAX_MONITORS; i++)
                if (monitors[i] && write(monitors[i]->wfd, &ue, sizeof(ue)) != sizeof(ue))
                        abort();
}

static int fake_blkmon_open(storvirt__blkmon **ret, int *ret_fd) {
        struct storvirt__blkmon *m = calloc(1, sizeof(*m));
        int p[2];

        if (!m || pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
                abort();
        m->rfd = p[0];
        m->wfd = p[1];
        for (size_t i = 0; i < MAX_MONITORS; i++)
                if (!monitors[i]) {
                        monitors[i] = m;
                        *ret = m;
                        *ret_fd = m->rfd;
                        return 0;
                }
        abort();
}

static int fake_blkmon_receive(storvirt__blkmon *m, struct storvirt__blk_uevent *ret) {
        ssize_t n = read(m->rfd, ret, sizeof(*ret));

        if (n < 0 && errno == EAGAIN)
                return 0;
        if (n != sizeof(*ret))
                abort();
        return 1;
}

static void fake_blkmon_close(storvirt__blkmon *m) {
        if (!m)
                return;
        for (size_t i = 0; i < MAX_MONITORS; i++)
                if (monitors[i] == m)
                        monitors[i] = NULL;
        close(m->rfd);
        close(m->wfd);
        free(m);
}

static int fake_blk_size_read(const char *name, uint64_t *ret) {
        const struct fakehost_dev *d = fakehost_dev(name);

        if (!d || d->gone)
                return storvirt__error_set(-ENODEV, "block device '%s' no longer exists", name);
        *ret = d->size;
        return 0;
}

static int fake_blk_rescan(const char *name) {
        record("rescan %s", name);
        return fakehost_dev(name) ? 0 : storvirt__error_set(-ENODEV, "no device '%s'", name);
}

static int fake_mpath_resize(const char *map) {
        struct fakehost_dev *d = NULL;

        for (size_t i = 0; i < host.n_devs; i++)
                if (host.devs[i].multipath && strcmp(host.devs[i].dm_name, map) == 0)
                        d = &host.devs[i];
        if (host.no_multipathd)
                return storvirt__error_set(-ENOENT, "multipathd: not found");
        record("multipathd resize map %s", map);
        if (!d)
                return storvirt__error_set(-EIO, "multipath map '%s': fail", map);
        if (d->n_members && fakehost_dev(d->members[0]))
                d->size = fakehost_dev(d->members[0])->size;
        return 0;
}

const storvirt__sysops fakehost_ops = {
        .name = "fakehost",
        .blk_scan = fake_blk_scan,
        .usage_probe = fake_usage_probe,
        .blkmon_open = fake_blkmon_open,
        .blkmon_receive = fake_blkmon_receive,
        .blkmon_close = fake_blkmon_close,
        .blk_size_read = fake_blk_size_read,
        .blk_rescan = fake_blk_rescan,
        .mpath_resize = fake_mpath_resize,
        .dev_number = fake_dev_number,
        .ident_read = fake_ident_read,
        .dm_available = fake_dm_available,
        .dm_list = fake_dm_list,
        .dm_table_read = fake_dm_table_read,
        .dm_create = fake_dm_create,
        .iscsi_login = fake_iscsi_login,
        .iscsi_logout = fake_iscsi_logout,
        .iscsi_scan = fake_iscsi_scan,
        .mount_helper = fake_mount_helper,
        .umount_helper = fake_umount_helper,
};
