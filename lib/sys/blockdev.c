/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * blockdev.c - block device discovery through libudev (see blockdev.h).
 * Identity comes from the most exact source available, in multipath's
 * order: the dm uuid of a map, the binary VPD page 0x83, the kernel's
 * wwid attribute, then udev's ID_SERIAL / ID_WWN.
 *
 * A pass costs a few file reads per device: the devices are those of
 * /sys/class/block in udev_enumerate's order (one udev device each, none
 * for their parents), multipath maps are read first so that their member
 * paths skip what a map never takes from them, and the SCSI address and
 * iSCSI session come from sysfs paths rather than parent devices.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "config.h"
#include "sys/blockdev.h"
#include "util/hashmap.h"
#include "util/macro.h"
#include "util/strv.h"

#if HAVE_UDEV
#include <libudev.h>

/* Reads a sysfs file below syspath into buf; returns bytes read or -errno. */
static ssize_t sysfs_read(const char *syspath, const char *rel, void *buf, size_t size) {
        char path[4096];
        ssize_t got = 0;
        int fd;

        snprintf(path, sizeof(path), "%s/%s", syspath, rel);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        while ((size_t)got < size) {
                size_t want = size - (size_t)got;
                ssize_t n = read(fd, (char *)buf + got, want);

                if (n <= 0)
                        break;
                got += n;
                /*
                 * sysfs hands out up to a page per read, the whole attribute
                 * when it fits: a read shorter than asked and than any page
                 * is its end.
                 */
                if ((size_t)n < want && n < 4096)
                        break;
        }
        close(fd);
        return got;
}

/* A trimmed sysfs text attribute, or NULL. */
static char *sysfs_str(const char *syspath, const char *rel) {
        char buf[512];
        ssize_t n = sysfs_read(syspath, rel, buf, sizeof(buf) - 1);
        char *s, *e;

        if (n <= 0)
                return NULL;
        buf[n] = '\0';
        for (s = buf; *s == ' ' || *s == '\n'; s++)
                ;
        e = s + strlen(s);
        while (e > s && (e[-1] == ' ' || e[-1] == '\n'))
                *--e = '\0';
        return *s ? strdup(s) : NULL;
}

/* A sysfs attribute as libudev gives it: trailing newlines dropped; NULL if unreadable. */
static char *sysfs_value(const char *syspath, const char *rel) {
        char buf[512];
        ssize_t n = sysfs_read(syspath, rel, buf, sizeof(buf) - 1);

        if (n < 0)
                return NULL;
        buf[n] = '\0';
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
                buf[--n] = '\0';
        return strdup(buf);
}

static uint64_t sysfs_u64(const char *syspath, const char *rel) {
        char *s = sysfs_str(syspath, rel);
        uint64_t v = s ? strtoull(s, NULL, 10) : 0;

        free(s);
        return v;
}

static void copy_field(char *dst, size_t size, const char *src) {
        snprintf(dst, size, "%s", src ? src : "");
}

/* The transport of a SCSI path, from its place in the device tree. */
static const char *scsi_transport(const char *syspath) {
        if (strstr(syspath, "/session"))
                return "iscsi";
        if (strstr(syspath, "/rport-"))
                return "fc";
        if (strstr(syspath, "/end_device-") || strstr(syspath, "/port-"))
                return "sas";
        if (strstr(syspath, "/ata"))
                return "ata";
        if (strstr(syspath, "/virtio"))
                return "virtio";
        return "scsi";
}

/*
 * iSCSI session details for a path below .../sessionN/...: the session
 * and its connection are looked up by name in their classes, as
 * udev_device_new_from_subsystem_sysname() does, and their attributes
 * read as udev_device_get_sysattr_value() gives them.
 */
static void iscsi_fill(struct storvirt__blk_path *p, const char *syspath) {
        const char *s = strstr(syspath, "/session");
        char dir[96], *v, *addr, *port;
        unsigned n;

        if (!s || sscanf(s + 8, "%u", &n) != 1)
                return;
        snprintf(dir, sizeof(dir), "/sys/class/iscsi_session/session%u", n);
        p->iscsi_target = sysfs_value(dir, "targetname");
        p->iscsi_initiator = sysfs_value(dir, "initiatorname");
        if ((v = sysfs_value(dir, "tpgt"))) {
                p->iscsi_tpgt = atoi(v);
                free(v);
        }
        snprintf(dir, sizeof(dir), "/sys/class/iscsi_connection/connection%u:0", n);
        addr = sysfs_value(dir, "persistent_address");
        if (addr) {
                port = sysfs_value(dir, "persistent_port");
                if (asprintf(&p->iscsi_portal, "%s:%s", addr, port ? port : "3260") < 0)
                        p->iscsi_portal = NULL;
                free(port);
        }
        free(addr);
}

/*
 * The H:C:T:L of the SCSI device a disk hangs off: the device whose
 * directory holds the disk's block/NAME, when it is on the scsi bus
 * under a SCSI device's name (scsi_host and scsi_target have other names).
 */
static void scsi_hctl(struct storvirt__blk_path *p, const char *syspath) {
        char parent[4096], link[4096];
        const char *base;
        int h, c, t, l, end = 0;
        size_t n = strlen(syspath), k;
        ssize_t m;

        /* syspath is .../PARENT/block/NAME */
        while (n > 0 && syspath[n - 1] != '/')
                n--;
        if (n < 7 || strncmp(syspath + n - 7, "/block/", 7) != 0)
                return;
        n -= 7;
        for (k = n; k > 0 && syspath[k - 1] != '/'; k--)
                ;
        base = syspath + k;
        if (sscanf(base, "%d:%d:%d:%d%n", &h, &c, &t, &l, &end) != 4 || base + end != syspath + n)
                return;
        snprintf(parent, sizeof(parent), "%.*s/subsystem", (int)n, syspath);
        m = readlink(parent, link, sizeof(link) - 1);
        if (m <= 0)
                return;
        link[m] = '\0';
        base = strrchr(link, '/');
        if (!base || strcmp(base, "/scsi") != 0)
                return;
        p->host = h;
        p->bus = c;
        p->target = t;
        p->lun = l;
}

/*
 * The GUID of a SCSI or NVMe disk, in multipath's order: udev's ID_SERIAL
 * (what multipath names maps by; for SATA disks it is ata_id's model_serial),
 * else scsi_id's rules over VPD 0x83 / 0x80 with vendor and model, else the
 * kernel's wwid attribute; NVMe from its wwid attribute or ID_WWN.
 */
static void disk_guid(struct udev_device *d, const char *syspath, char *guid, size_t size) {
        uint8_t pg83[4096], pg80[512];
        bool nvme = strncmp(udev_device_get_sysname(d), "nvme", 4) == 0;
        char *w = NULL, *vendor, *model;
        ssize_t n83, n80;
        int r = -ENOENT;

        guid[0] = '\0';
        if (!nvme && storvirt__wwid_from_udev(udev_device_get_property_value(d, "ID_SERIAL"), NULL,
                                              NULL, guid, size) == 0)
                goto out;
        if (!nvme) {
                n83 = sysfs_read(syspath, "device/vpd_pg83", pg83, sizeof(pg83));
                n80 = sysfs_read(syspath, "device/vpd_pg80", pg80, sizeof(pg80));
                vendor = sysfs_str(syspath, "device/vendor");
                model = sysfs_str(syspath, "device/model");
                if (n83 > 0 || n80 > 0)
                        r = storvirt__wwid_from_scsi(n83 > 0 ? pg83 : NULL, n83 > 0 ? (size_t)n83 : 0,
                                                     n80 > 0 ? pg80 : NULL, n80 > 0 ? (size_t)n80 : 0,
                                                     vendor, model, guid, size);
                free(vendor);
                free(model);
                if (r == 0)
                        goto out;
        }
        w = sysfs_str(syspath, "device/wwid");
        if (!w)
                w = sysfs_str(syspath, "wwid");
        if (w)
                r = nvme ? storvirt__wwid_from_nvme(w, NULL, NULL, NULL, guid, size)
                         : storvirt__wwid_from_sysfs(w, guid, size);
        if (r < 0 && nvme)
                r = storvirt__wwid_from_nvme(udev_device_get_property_value(d, "ID_WWN"), NULL,
                                             NULL, NULL, guid, size);
        if (r < 0)
                guid[0] = '\0';
out:
        free(w);
        storvirt__error_reset();
}

/* size: the disk's capacity in bytes, already read. */
static void path_fill(struct udev_device *d, struct storvirt__blk_path *p, uint64_t size) {
        const char *syspath = udev_device_get_syspath(d), *name = udev_device_get_sysname(d);
        char *state;

        p->name = strdup(name);
        p->devnode = udev_device_get_devnode(d) ? strdup(udev_device_get_devnode(d)) : NULL;
        p->devnum = udev_device_get_devnum(d);
        p->host = p->bus = p->target = p->lun = p->iscsi_tpgt = -1;
        p->size = size;
        if (strncmp(name, "nvme", 4) == 0)
                copy_field(p->transport, sizeof(p->transport), "nvme");
        else if (strncmp(name, "vd", 2) == 0)
                copy_field(p->transport, sizeof(p->transport), "virtio");
        else if (strncmp(name, "loop", 4) == 0)
                copy_field(p->transport, sizeof(p->transport), "loop");
        else
                copy_field(p->transport, sizeof(p->transport), scsi_transport(syspath));
        scsi_hctl(p, syspath);
        state = sysfs_str(syspath, "device/state");
        copy_field(p->state, sizeof(p->state), state);
        free(state);
        if (strcmp(p->transport, "iscsi") == 0)
                iscsi_fill(p, syspath);
}

static void path_clear(struct storvirt__blk_path *p) {
        free(p->name);
        free(p->devnode);
        free(p->iscsi_target);
        free(p->iscsi_portal);
        free(p->iscsi_initiator);
}

static void lun_clear(struct storvirt__blk_lun *l) {
        free(l->devnode);
        free(l->name);
        free(l->dm_name);
        free(l->vendor);
        free(l->product);
        free(l->revision);
        free(l->serial);
        free(l->loop_backing);
        for (size_t i = 0; i < l->n_paths; i++)
                path_clear(&l->paths[i]);
        free(l->paths);
        storvirt__strv_free(l->partitions);
}

void storvirt__blk_scan_free(struct storvirt__blk_scan *scan) {
        if (!scan)
                return;
        for (size_t i = 0; i < scan->n_luns; i++)
                lun_clear(&scan->luns[i]);
        free(scan->luns);
        free(scan);
}

/* The LUN as a block device: names, number, size. */
static void lun_fill_node(struct udev_device *d, struct storvirt__blk_lun *l) {
        l->name = strdup(udev_device_get_sysname(d));
        l->devnode = udev_device_get_devnode(d) ? strdup(udev_device_get_devnode(d)) : NULL;
        l->devnum = udev_device_get_devnum(d);
        /* sysfs size is always in 512-byte sectors, whatever the block size. */
        l->capacity = sysfs_u64(udev_device_get_syspath(d), "size") * 512;
}

static bool sysfs_rotational(const char *syspath) {
        return sysfs_u64(syspath, "queue/rotational") != 0;
}

/* Queue limits. */
static void lun_fill_queue(const char *syspath, struct storvirt__blk_lun *l) {
        l->logical_block_size = (unsigned)sysfs_u64(syspath, "queue/logical_block_size");
        l->physical_block_size = (unsigned)sysfs_u64(syspath, "queue/physical_block_size");
        l->discard_max_bytes = sysfs_u64(syspath, "queue/discard_max_bytes");
        l->rotational = sysfs_rotational(syspath);
}

static char *inquiry_serial(const char *syspath) {
        uint8_t vpd[512];
        char serial[256], *s;
        ssize_t n;

        n = sysfs_read(syspath, "device/vpd_pg80", vpd, sizeof(vpd));
        if (n > 0 && storvirt__serial_from_vpd80(vpd, (size_t)n, serial, sizeof(serial)) == 0)
                s = strdup(serial);
        else if (!(s = sysfs_str(syspath, "device/serial")))
                s = sysfs_str(syspath, "serial");
        storvirt__error_reset();
        return s;
}

/* SCSI INQUIRY strings; nothing below device/ is read when there is no device. */
static void lun_fill_inquiry(const char *syspath, struct storvirt__blk_lun *l, bool has_device) {
        if (!has_device) {
                l->serial = sysfs_str(syspath, "serial");
                return;
        }
        l->vendor = sysfs_str(syspath, "device/vendor");
        l->product = sysfs_str(syspath, "device/model");
        l->revision = sysfs_str(syspath, "device/rev");
        l->serial = inquiry_serial(syspath);
}

/* What scan_one() makes of a device-mapper device, told before the pass. */
enum { DM_NONE, DM_MAP, DM_PART };

/* A block device of the pass, in udev_enumerate's order. */
struct blk_entry {
        struct udev_device *d;
        const char *devpath;
        bool late;                      /* md and dm: listed after the others */
        int dm;                         /* DM_* */
        char guid[STORVIRT__WWID_MAX];  /* DM_MAP, DM_PART: the map's GUID */
        char **slaves;                  /* DM_MAP: members, in directory order */
};

/* Discovery working state: disks seen, maps, partitions, by name. */
struct scan_state {
        struct udev *udev;
        struct blk_entry *ents;
        size_t n_ents;
        struct storvirt__blk_lun *luns;
        const char **syspaths;      /* of each LUN (borrowed from ents) */
        size_t n_luns, cap;
        storvirt__hashmap *owner;   /* kernel name of a disk or path -> LUN index + 1 */
        storvirt__hashmap *member;  /* kernel names in a multipath map's slaves/ */
        storvirt__hashmap *by_syspath; /* syspath of an entry -> its index + 1 */
        struct storvirt__strv_builder parts;   /* "parent\0child" pairs, flattened */
        struct storvirt__strv_builder members; /* "map index\0path name" */
};

static struct storvirt__blk_lun *lun_add(struct scan_state *st, const char *syspath) {
        if (st->n_luns == st->cap) {
                size_t cap = st->cap ? st->cap * 2 : 64;
                struct storvirt__blk_lun *n = realloc(st->luns, cap * sizeof(*n));
                const char **sp;

                if (!n)
                        return NULL;
                st->luns = n;
                sp = realloc(st->syspaths, cap * sizeof(*sp));
                if (!sp)
                        return NULL;
                st->syspaths = sp;
                st->cap = cap;
        }
        memset(&st->luns[st->n_luns], 0, sizeof(st->luns[0]));
        st->syspaths[st->n_luns] = syspath;
        return &st->luns[st->n_luns++];
}

static int owner_set(struct scan_state *st, const char *name, size_t idx) {
        return storvirt__hashmap_replace(st->owner, name, (void *)(uintptr_t)(idx + 1));
}

/* A multipath map: identity from its dm uuid, members from slaves/. */
static int add_map(struct scan_state *st, const struct blk_entry *e) {
        const char *syspath = udev_device_get_syspath(e->d);
        struct storvirt__blk_lun *l = lun_add(st, syspath);
        char dev[4096];
        int r;

        if (!l)
                return storvirt__error_oom();
        lun_fill_node(e->d, l);
        lun_fill_queue(syspath, l);
        snprintf(dev, sizeof(dev), "%s/device", syspath);
        lun_fill_inquiry(syspath, l, access(dev, F_OK) == 0);
        copy_field(l->guid, sizeof(l->guid), e->guid);
        l->multipath = true;
        copy_field(l->devtype, sizeof(l->devtype), "multipath");
        l->dm_name = sysfs_str(syspath, "dm/name");
        r = owner_set(st, l->name, st->n_luns - 1);
        if (r >= 0) {
                char key[STORVIRT__WWID_MAX + 8];
                snprintf(key, sizeof(key), "mpath:%s", e->guid);
                r = owner_set(st, key, st->n_luns - 1);
        }
        for (size_t i = 0; r >= 0 && e->slaves && e->slaves[i]; i++) {
                char *pair = NULL;
                if (asprintf(&pair, "%zu %s", st->n_luns - 1, e->slaves[i]) < 0)
                        r = storvirt__error_oom();
                else
                        r = storvirt__strv_builder_push(&st->members, pair);
        }
        return r;
}

/*
 * A disk.  A member path of a multipath map becomes one of the map's
 * paths and its own entry is dropped: it gets its path details only; the
 * inquiry strings and the rotational flag the map takes from its paths are
 * read when grouping (see group_members()).
 */
static int add_disk(struct scan_state *st, struct udev_device *d) {
        const char *syspath = udev_device_get_syspath(d), *name = udev_device_get_sysname(d);
        bool loop = strncmp(name, "loop", 4) == 0, member;
        struct storvirt__blk_lun *l;

        l = lun_add(st, syspath);
        if (!l)
                return storvirt__error_oom();
        lun_fill_node(d, l);
        if (loop && l->capacity == 0) {
                /* unattached loop device */
                lun_clear(l);
                st->n_luns--;
                return 0;
        }
        member = storvirt__hashmap_contains(st->member, name);
        if (!member) {
                lun_fill_queue(syspath, l);
                lun_fill_inquiry(syspath, l, true);
                if (loop)
                        l->loop_backing = sysfs_str(syspath, "loop/backing_file");
                else
                        disk_guid(d, syspath, l->guid, sizeof(l->guid));
        }
        l->paths = calloc(1, sizeof(*l->paths));
        if (!l->paths)
                return storvirt__error_oom();
        l->n_paths = 1;
        path_fill(d, &l->paths[0], l->capacity);
        copy_field(l->devtype, sizeof(l->devtype), l->paths[0].transport);
        return owner_set(st, name, st->n_luns - 1);
}

static bool is_disk_name(const char *n) {
        return !strncmp(n, "sd", 2) || !strncmp(n, "vd", 2) || !strncmp(n, "xvd", 3) ||
               !strncmp(n, "nvme", 4) || !strncmp(n, "loop", 4) || !strncmp(n, "dm-", 3);
}

static bool is_partition(struct udev_device *d) {
        const char *type = udev_device_get_devtype(d);

        return type && strcmp(type, "partition") == 0;
}

/*
 * The disk a partition belongs to, as libudev's nearest block "disk"
 * parent: the block device whose directory holds the partition's, without
 * making a udev device for it; else what libudev finds up the tree.
 */
static const char *partition_disk(struct scan_state *st, struct udev_device *d) {
        const char *syspath = udev_device_get_syspath(d), *slash = strrchr(syspath, '/');
        struct udev_device *parent;

        if (slash) {
                char *dir = strndup(syspath, (size_t)(slash - syspath));
                void *v = dir ? storvirt__hashmap_get(st->by_syspath, dir) : NULL;

                free(dir);
                if (v) {
                        struct udev_device *p = st->ents[(uintptr_t)v - 1].d;
                        const char *type = udev_device_get_devtype(p);

                        if (type && strcmp(type, "disk") == 0)
                                return udev_device_get_sysname(p);
                }
        }
        parent = udev_device_get_parent_with_subsystem_devtype(d, "block", "disk");
        return parent ? udev_device_get_sysname(parent) : NULL;
}

static int scan_one(struct scan_state *st, const struct blk_entry *e) {
        struct udev_device *d = e->d;
        const char *name = udev_device_get_sysname(d);
        char *pair = NULL;

        if (is_partition(d)) {
                const char *disk = partition_disk(st, d);
                if (!disk)
                        return 0;
                if (asprintf(&pair, "%s %s", disk, name) < 0)
                        return storvirt__error_oom();
                return storvirt__strv_builder_push(&st->parts, pair);
        }
        if (!is_disk_name(name))
                return 0;
        if (strncmp(name, "dm-", 3) != 0)
                return add_disk(st, d);
        if (e->dm == DM_MAP)
                return add_map(st, e);
        if (e->dm == DM_PART) {
                /* kpartx partition of a map: a child of the map with that GUID. */
                if (asprintf(&pair, "mpath:%s %s", e->guid, name) < 0)
                        return storvirt__error_oom();
                return storvirt__strv_builder_push(&st->parts, pair);
        }
        return 0;
}

/* What a device-mapper device is: a multipath map (then its slaves), a kpartx partition, other. */
static int read_dm(struct scan_state *st, struct blk_entry *e) {
        const char *syspath = udev_device_get_syspath(e->d);
        char *uuid = sysfs_str(syspath, "dm/uuid"), dir[4096];
        struct dirent *de;
        unsigned part = 0;
        DIR *sd;
        int r = 0;

        r = uuid ? storvirt__wwid_from_dm_uuid(uuid, e->guid, sizeof(e->guid), &part) : -ENOENT;
        storvirt__error_reset();
        free(uuid);
        if (r < 0)
                return 0;
        r = 0;
        if (part != 0) {
                e->dm = DM_PART;
                return 0;
        }
        e->dm = DM_MAP;
        snprintf(dir, sizeof(dir), "%s/slaves", syspath);
        sd = opendir(dir);
        while (r >= 0 && sd && (de = readdir(sd))) {
                if (de->d_name[0] == '.')
                        continue;
                r = storvirt__strv_extend(&e->slaves, de->d_name);
                if (r >= 0)
                        r = storvirt__hashmap_replace(st->member, de->d_name, NULL);
        }
        if (sd)
                closedir(sd);
        return r < 0 ? storvirt__error_oom() : 0;
}

/* systemd's path_compare(): component by component, a prefix before what it prefixes. */
static int path_cmp(const char *a, const char *b) {
        for (;;) {
                size_t j, k;
                int r;

                a += strspn(a, "/");
                b += strspn(b, "/");
                j = strcspn(a, "/");
                k = strcspn(b, "/");
                if (j == 0 || k == 0)
                        return (j != 0) - (k != 0);
                r = memcmp(a, b, j < k ? j : k);
                if (r != 0)
                        return r;
                if (j != k)
                        return j < k ? -1 : 1;
                a += j;
                b += k;
        }
}

/* udev_enumerate's order: by device path, md and dm devices last. */
static int entry_cmp(const void *x, const void *y) {
        const struct blk_entry *a = x, *b = y;

        if (a->late != b->late)
                return a->late ? 1 : -1;
        return path_cmp(a->devpath, b->devpath);
}

/*
 * The path of an entry of /sys/class/block to make a udev device from:
 * where its link points (libudev resolves it again, from fewer components
 * than through the link), else the entry itself.
 */
static void class_entry_path(const struct dirent *de, char *buf, size_t size) {
        char link[4096], *p = link;
        size_t n = strlen("/sys/class/block");
        ssize_t m;

        snprintf(buf, size, "/sys/class/block/%s", de->d_name);
        if (de->d_type != DT_LNK || (m = readlink(buf, link, sizeof(link) - 1)) <= 0)
                return;
        link[m] = '\0';
        if (link[0] == '/') {
                if ((size_t)m < size)
                        memcpy(buf, link, (size_t)m + 1);
                return;
        }
        /* Relative to /sys/class/block, whose components are no links. */
        while (strncmp(p, "../", 3) == 0 && n > 0) {
                while (n > 0 && buf[n - 1] != '/')
                        n--;
                if (n > 0)
                        n--;
                p += 3;
        }
        m = (ssize_t)strlen(p);
        if (n == 0 || strstr(p, "/../") || strncmp(p, "../", 3) == 0 || n + (size_t)m + 2 > size)
                return; /* not the usual shape: leave it to libudev */
        buf[n] = '/';
        memcpy(buf + n + 1, p, (size_t)m + 1);
}

/*
 * The block devices, as udev_enumerate_scan_devices() with a "block"
 * subsystem match lists them: every directory or link of /sys/class/block
 * that makes a udev device, sorted as libudev sorts them.
 */
static int list_block_devices(struct scan_state *st) {
        size_t cap = 0;
        struct dirent *de;
        DIR *dir;

        dir = opendir("/sys/class/block");
        if (!dir) {
                if (errno == ENOENT && access("/sys/class", F_OK) == 0)
                        return 0; /* no block device at all */
                return storvirt__error_set(-EIO, "libudev: enumerating block devices failed");
        }
        while ((de = readdir(dir))) {
                struct udev_device *d;
                struct blk_entry *e;
                char path[4096];

                if (de->d_name[0] == '.' || (de->d_type != DT_DIR && de->d_type != DT_LNK))
                        continue;
                class_entry_path(de, path, sizeof(path));
                d = udev_device_new_from_syspath(st->udev, path);
                if (!d)
                        continue;
                if (st->n_ents == cap) {
                        size_t ncap = cap ? cap * 2 : 256;
                        struct blk_entry *n = realloc(st->ents, ncap * sizeof(*n));
                        if (!n) {
                                udev_device_unref(d);
                                closedir(dir);
                                return storvirt__error_oom();
                        }
                        st->ents = n;
                        cap = ncap;
                }
                e = &st->ents[st->n_ents++];
                *e = (struct blk_entry){ .d = d, .devpath = udev_device_get_devpath(d) };
                e->late = strstr(e->devpath, "/block/md") || strstr(e->devpath, "/block/dm-");
        }
        closedir(dir);
        if (st->n_ents > 1)
                qsort(st->ents, st->n_ents, sizeof(*st->ents), entry_cmp);
        for (size_t i = 0; i < st->n_ents; i++) {
                const char *syspath = udev_device_get_syspath(st->ents[i].d);
                int r = storvirt__hashmap_put(st->by_syspath, syspath, (void *)(uintptr_t)(i + 1));

                if (r < 0 && r != -EEXIST)
                        return storvirt__error_oom();
        }
        return 0;
}

/*
 * Moves each member path of a map from its own entry into the map, which
 * takes the inquiry strings of its first path that has them and the
 * rotational flag of its last path.
 */
static int group_members(struct scan_state *st, bool *consumed) {
        size_t *last = NULL;
        int r = 0;

        for (size_t i = 0; i < st->members.n; i++) {
                char *sp = strchr(st->members.v[i], ' ');
                size_t map = strtoull(st->members.v[i], NULL, 10), pi;
                struct storvirt__blk_lun *m = &st->luns[map], *pl;
                struct storvirt__blk_path *np;
                const char *psys;
                void *v;

                v = storvirt__hashmap_get(st->owner, sp + 1);
                if (!v)
                        continue; /* member not enumerated (yet) */
                pi = (size_t)(uintptr_t)v - 1;
                pl = &st->luns[pi];
                if (pl->multipath || consumed[pi] || pl->n_paths != 1)
                        continue;
                np = realloc(m->paths, (m->n_paths + 1) * sizeof(*np));
                if (!np) {
                        r = storvirt__error_oom();
                        break;
                }
                m->paths = np;
                m->paths[m->n_paths++] = pl->paths[0];
                pl->n_paths = 0;
                consumed[pi] = true;
                psys = st->syspaths[pi];
                if (!m->vendor)
                        m->vendor = sysfs_str(psys, "device/vendor");
                if (!m->product)
                        m->product = sysfs_str(psys, "device/model");
                if (!m->revision)
                        m->revision = sysfs_str(psys, "device/rev");
                if (!m->serial)
                        m->serial = inquiry_serial(psys);
                if (!last && !(last = calloc(st->n_luns, sizeof(*last)))) {
                        r = storvirt__error_oom();
                        break;
                }
                last[map] = pi + 1;
                owner_set(st, sp + 1, map);
        }
        for (size_t i = 0; last && i < st->n_luns; i++)
                if (last[i])
                        st->luns[i].rotational = sysfs_rotational(st->syspaths[last[i] - 1]);
        free(last);
        return r;
}

/* A map's type is its paths' transport, "mixed" when they differ. */
static void map_devtypes(struct scan_state *st) {
        for (size_t i = 0; i < st->n_luns; i++) {
                struct storvirt__blk_lun *l = &st->luns[i];
                if (!l->multipath || l->n_paths == 0)
                        continue;
                copy_field(l->devtype, sizeof(l->devtype), l->paths[0].transport);
                for (size_t k = 1; k < l->n_paths; k++)
                        if (strcmp(l->paths[k].transport, l->paths[0].transport) != 0)
                                copy_field(l->devtype, sizeof(l->devtype), "mixed");
        }
}

static int attach_partitions(struct scan_state *st) {
        for (size_t i = 0; i < st->parts.n; i++) {
                char *sp = strchr(st->parts.v[i], ' ');
                void *v = NULL;
                int r;

                *sp = '\0';
                /* The parent is a kernel name, or "mpath:GUID" for a kpartx partition. */
                v = storvirt__hashmap_get(st->owner, st->parts.v[i]);
                if (!v)
                        continue;
                r = storvirt__strv_extend(&st->luns[(uintptr_t)v - 1].partitions, sp + 1);
                if (r < 0)
                        return r;
        }
        return 0;
}

int storvirt__blk_scan(struct storvirt__blk_scan **ret) {
        struct scan_state st = {};
        struct storvirt__blk_scan *scan = NULL;
        bool *consumed = NULL;
        size_t k = 0;
        int r;

        st.udev = udev_new();
        if (!st.udev)
                return storvirt__error_set(-ENOMEM, "libudev: cannot create a context");
        r = storvirt__hashmap_new(&st.owner, NULL);
        if (r >= 0)
                r = storvirt__hashmap_new(&st.member, NULL);
        if (r >= 0)
                r = storvirt__hashmap_new(&st.by_syspath, NULL);
        if (r >= 0)
                r = list_block_devices(&st);
        if (r < 0)
                goto out;
        /* Multipath maps first: their members are known before the disks are read. */
        for (size_t i = 0; i < st.n_ents; i++) {
                struct blk_entry *e = &st.ents[i];
                if (strncmp(udev_device_get_sysname(e->d), "dm-", 3) != 0 || is_partition(e->d))
                        continue;
                r = read_dm(&st, e);
                if (r < 0)
                        goto out;
        }
        for (size_t i = 0; i < st.n_ents; i++) {
                r = scan_one(&st, &st.ents[i]);
                if (r < 0)
                        goto out;
        }
        consumed = calloc(st.n_luns + 1, sizeof(*consumed));
        if (!consumed) {
                r = storvirt__error_oom();
                goto out;
        }
        r = group_members(&st, consumed);
        if (r >= 0)
                r = attach_partitions(&st);
        if (r >= 0)
                map_devtypes(&st);
        if (r < 0)
                goto out;
        /* Drop the entries that became paths of a map. */
        for (size_t i = 0; i < st.n_luns; i++) {
                if (consumed[i])
                        lun_clear(&st.luns[i]);
                else
                        st.luns[k++] = st.luns[i];
        }
        st.n_luns = k;
        scan = calloc(1, sizeof(*scan));
        if (!scan) {
                r = storvirt__error_oom();
                goto out;
        }
        scan->luns = TAKE_PTR(st.luns);
        scan->n_luns = st.n_luns;
        st.n_luns = 0;
        *ret = scan;
out:
        for (size_t i = 0; i < st.n_luns; i++)
                lun_clear(&st.luns[i]);
        free(st.luns);
        free(st.syspaths);
        free(consumed);
        for (size_t i = 0; i < st.n_ents; i++) {
                storvirt__strv_free(st.ents[i].slaves);
                udev_device_unref(st.ents[i].d);
        }
        free(st.ents);
        storvirt__strv_builder_done(&st.parts);
        storvirt__strv_builder_done(&st.members);
        storvirt__hashmap_free(st.owner);
        storvirt__hashmap_free(st.member);
        storvirt__hashmap_free(st.by_syspath);
        udev_unref(st.udev);
        return r;
}

#else

int storvirt__blk_scan(struct storvirt__blk_scan **ret) {
        (void)ret;
        return storvirt__error_set(-EOPNOTSUPP,
                                   "block device discovery needs libudev, which this build lacks");
}

void storvirt__blk_scan_free(struct storvirt__blk_scan *scan) {
        (void)scan;
}

#endif
