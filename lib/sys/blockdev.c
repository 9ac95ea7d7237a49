/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * blockdev.c - block device discovery through libudev (see blockdev.h).
 * Identity comes from the most exact source available, in multipath's
 * order: the dm uuid of a map, the binary VPD page 0x83, the kernel's
 * wwid attribute, then udev's ID_SERIAL / ID_WWN.
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
        ssize_t n, got = 0;
        int fd;

        snprintf(path, sizeof(path), "%s/%s", syspath, rel);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        while ((size_t)got < size && (n = read(fd, (char *)buf + got, size - (size_t)got)) > 0)
                got += n;
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

/* iSCSI session details for a path below .../sessionN/... */
static void iscsi_fill(struct udev *udev, struct storvirt__blk_path *p, const char *syspath) {
        const char *s = strstr(syspath, "/session");
        struct udev_device *sess, *conn;
        char name[32], cname[48];
        unsigned n;

        if (!s || sscanf(s + 8, "%u", &n) != 1)
                return;
        snprintf(name, sizeof(name), "session%u", n);
        sess = udev_device_new_from_subsystem_sysname(udev, "iscsi_session", name);
        if (sess) {
                const char *v;
                if ((v = udev_device_get_sysattr_value(sess, "targetname")))
                        p->iscsi_target = strdup(v);
                if ((v = udev_device_get_sysattr_value(sess, "initiatorname")))
                        p->iscsi_initiator = strdup(v);
                if ((v = udev_device_get_sysattr_value(sess, "tpgt")))
                        p->iscsi_tpgt = atoi(v);
                udev_device_unref(sess);
        }
        snprintf(cname, sizeof(cname), "connection%u:0", n);
        conn = udev_device_new_from_subsystem_sysname(udev, "iscsi_connection", cname);
        if (conn) {
                const char *a = udev_device_get_sysattr_value(conn, "persistent_address");
                const char *port = udev_device_get_sysattr_value(conn, "persistent_port");
                if (a && asprintf(&p->iscsi_portal, "%s:%s", a, port ? port : "3260") < 0)
                        p->iscsi_portal = NULL;
                udev_device_unref(conn);
        }
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

static void path_fill(struct udev *udev, struct udev_device *d, struct storvirt__blk_path *p) {
        const char *syspath = udev_device_get_syspath(d), *name = udev_device_get_sysname(d);
        struct udev_device *sdev;
        char *state;

        p->name = strdup(name);
        p->devnode = udev_device_get_devnode(d) ? strdup(udev_device_get_devnode(d)) : NULL;
        p->devnum = udev_device_get_devnum(d);
        p->host = p->bus = p->target = p->lun = p->iscsi_tpgt = -1;
        p->size = sysfs_u64(syspath, "size") * 512;
        if (strncmp(name, "nvme", 4) == 0)
                copy_field(p->transport, sizeof(p->transport), "nvme");
        else if (strncmp(name, "vd", 2) == 0)
                copy_field(p->transport, sizeof(p->transport), "virtio");
        else if (strncmp(name, "loop", 4) == 0)
                copy_field(p->transport, sizeof(p->transport), "loop");
        else
                copy_field(p->transport, sizeof(p->transport), scsi_transport(syspath));
        sdev = udev_device_get_parent_with_subsystem_devtype(d, "scsi", "scsi_device");
        if (sdev)
                sscanf(udev_device_get_sysname(sdev), "%d:%d:%d:%d", &p->host, &p->bus,
                       &p->target, &p->lun);
        state = sysfs_str(syspath, "device/state");
        copy_field(p->state, sizeof(p->state), state);
        free(state);
        if (strcmp(p->transport, "iscsi") == 0)
                iscsi_fill(udev, p, syspath);
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

/* Properties of the LUN as a block device (queue limits, size). */
static void lun_fill_common(struct udev_device *d, struct storvirt__blk_lun *l) {
        const char *syspath = udev_device_get_syspath(d);
        uint8_t vpd[512];
        char serial[256];
        ssize_t n;

        l->name = strdup(udev_device_get_sysname(d));
        l->devnode = udev_device_get_devnode(d) ? strdup(udev_device_get_devnode(d)) : NULL;
        l->devnum = udev_device_get_devnum(d);
        /* sysfs size is always in 512-byte sectors, whatever the block size. */
        l->capacity = sysfs_u64(syspath, "size") * 512;
        l->logical_block_size = (unsigned)sysfs_u64(syspath, "queue/logical_block_size");
        l->physical_block_size = (unsigned)sysfs_u64(syspath, "queue/physical_block_size");
        l->discard_max_bytes = sysfs_u64(syspath, "queue/discard_max_bytes");
        l->rotational = sysfs_u64(syspath, "queue/rotational") != 0;
        l->vendor = sysfs_str(syspath, "device/vendor");
        l->product = sysfs_str(syspath, "device/model");
        l->revision = sysfs_str(syspath, "device/rev");
        n = sysfs_read(syspath, "device/vpd_pg80", vpd, sizeof(vpd));
        if (n > 0 && storvirt__serial_from_vpd80(vpd, (size_t)n, serial, sizeof(serial)) == 0)
                l->serial = strdup(serial);
        else if (!(l->serial = sysfs_str(syspath, "device/serial")))
                l->serial = sysfs_str(syspath, "serial");
        storvirt__error_reset();
}

/* Discovery working state: disks seen, maps, partitions, by name. */
struct scan_state {
        struct udev *udev;
        struct storvirt__blk_lun *luns;
        size_t n_luns, cap;
        storvirt__hashmap *owner;   /* kernel name of a disk or path -> LUN index + 1 */
        struct storvirt__strv_builder parts;   /* "parent\0child" pairs, flattened */
        struct storvirt__strv_builder members; /* "map index\0path name" */
};

static struct storvirt__blk_lun *lun_add(struct scan_state *st) {
        if (st->n_luns == st->cap) {
                size_t cap = st->cap ? st->cap * 2 : 64;
                struct storvirt__blk_lun *n = realloc(st->luns, cap * sizeof(*n));
                if (!n)
                        return NULL;
                st->luns = n;
                st->cap = cap;
        }
        memset(&st->luns[st->n_luns], 0, sizeof(st->luns[0]));
        return &st->luns[st->n_luns++];
}

static int owner_set(struct scan_state *st, const char *name, size_t idx) {
        return storvirt__hashmap_replace(st->owner, name, (void *)(uintptr_t)(idx + 1));
}

/* A multipath map: identity from its dm uuid, members from slaves/. */
static int add_map(struct scan_state *st, struct udev_device *d, const char *guid) {
        const char *syspath = udev_device_get_syspath(d);
        struct storvirt__blk_lun *l = lun_add(st);
        char dir[4096];
        struct dirent *de;
        DIR *sd;
        int r;

        if (!l)
                return storvirt__error_oom();
        lun_fill_common(d, l);
        copy_field(l->guid, sizeof(l->guid), guid);
        l->multipath = true;
        copy_field(l->devtype, sizeof(l->devtype), "multipath");
        l->dm_name = sysfs_str(syspath, "dm/name");
        r = owner_set(st, l->name, st->n_luns - 1);
        if (r >= 0) {
                char key[STORVIRT__WWID_MAX + 8];
                snprintf(key, sizeof(key), "mpath:%s", guid);
                r = owner_set(st, key, st->n_luns - 1);
        }
        snprintf(dir, sizeof(dir), "%s/slaves", syspath);
        sd = opendir(dir);
        while (r >= 0 && sd && (de = readdir(sd))) {
                char *pair = NULL;
                if (de->d_name[0] == '.')
                        continue;
                if (asprintf(&pair, "%zu %s", st->n_luns - 1, de->d_name) < 0)
                        r = storvirt__error_oom();
                else
                        r = storvirt__strv_builder_push(&st->members, pair);
        }
        if (sd)
                closedir(sd);
        return r;
}

static int add_disk(struct scan_state *st, struct udev_device *d) {
        const char *syspath = udev_device_get_syspath(d), *name = udev_device_get_sysname(d);
        struct storvirt__blk_lun *l;

        if (strncmp(name, "loop", 4) == 0 && sysfs_u64(syspath, "size") == 0)
                return 0; /* unattached loop device */
        l = lun_add(st);
        if (!l)
                return storvirt__error_oom();
        lun_fill_common(d, l);
        if (strncmp(name, "loop", 4) == 0)
                l->loop_backing = sysfs_str(syspath, "loop/backing_file");
        else
                disk_guid(d, syspath, l->guid, sizeof(l->guid));
        l->paths = calloc(1, sizeof(*l->paths));
        if (!l->paths)
                return storvirt__error_oom();
        l->n_paths = 1;
        path_fill(st->udev, d, &l->paths[0]);
        copy_field(l->devtype, sizeof(l->devtype), l->paths[0].transport);
        return owner_set(st, name, st->n_luns - 1);
}

static bool is_disk_name(const char *n) {
        return !strncmp(n, "sd", 2) || !strncmp(n, "vd", 2) || !strncmp(n, "xvd", 3) ||
               !strncmp(n, "nvme", 4) || !strncmp(n, "loop", 4) || !strncmp(n, "dm-", 3);
}

static int scan_one(struct scan_state *st, struct udev_device *d) {
        const char *name = udev_device_get_sysname(d), *type = udev_device_get_devtype(d);
        char guid[STORVIRT__WWID_MAX], *uuid, *pair = NULL;
        unsigned part = 0;
        int r = 0;

        if (type && strcmp(type, "partition") == 0) {
                struct udev_device *parent = udev_device_get_parent_with_subsystem_devtype(d, "block", "disk");
                if (!parent)
                        return 0;
                if (asprintf(&pair, "%s %s", udev_device_get_sysname(parent), name) < 0)
                        return storvirt__error_oom();
                return storvirt__strv_builder_push(&st->parts, pair);
        }
        if (!is_disk_name(name))
                return 0;
        if (strncmp(name, "dm-", 3) != 0)
                return add_disk(st, d);
        uuid = sysfs_str(udev_device_get_syspath(d), "dm/uuid");
        if (uuid && storvirt__wwid_from_dm_uuid(uuid, guid, sizeof(guid), &part) == 0) {
                if (part == 0) {
                        r = add_map(st, d, guid);
                } else {
                        /* kpartx partition of a map: a child of the map with that GUID. */
                        if (asprintf(&pair, "mpath:%s %s", guid, name) < 0)
                                r = storvirt__error_oom();
                        else
                                r = storvirt__strv_builder_push(&st->parts, pair);
                }
        }
        storvirt__error_reset();
        free(uuid);
        return r;
}

/* Moves each member path of a map from its own entry into the map. */
static int group_members(struct scan_state *st, bool *consumed) {
        for (size_t i = 0; i < st->members.n; i++) {
                char *sp = strchr(st->members.v[i], ' ');
                size_t map = strtoull(st->members.v[i], NULL, 10), pi;
                struct storvirt__blk_lun *m = &st->luns[map], *pl;
                struct storvirt__blk_path *np;
                void *v;

                v = storvirt__hashmap_get(st->owner, sp + 1);
                if (!v)
                        continue; /* member not enumerated (yet) */
                pi = (size_t)(uintptr_t)v - 1;
                pl = &st->luns[pi];
                if (pl->multipath || consumed[pi] || pl->n_paths != 1)
                        continue;
                np = realloc(m->paths, (m->n_paths + 1) * sizeof(*np));
                if (!np)
                        return storvirt__error_oom();
                m->paths = np;
                m->paths[m->n_paths++] = pl->paths[0];
                pl->n_paths = 0;
                consumed[pi] = true;
                if (!m->vendor && pl->vendor)
                        m->vendor = strdup(pl->vendor);
                if (!m->product && pl->product)
                        m->product = strdup(pl->product);
                if (!m->revision && pl->revision)
                        m->revision = strdup(pl->revision);
                if (!m->serial && pl->serial)
                        m->serial = strdup(pl->serial);
                m->rotational = pl->rotational;
                owner_set(st, sp + 1, map);
        }
        return 0;
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
        struct udev_enumerate *e = NULL;
        struct udev_list_entry *l;
        struct storvirt__blk_scan *scan = NULL;
        bool *consumed = NULL;
        size_t k = 0;
        int r;

        st.udev = udev_new();
        if (!st.udev)
                return storvirt__error_set(-ENOMEM, "libudev: cannot create a context");
        r = storvirt__hashmap_new(&st.owner, NULL);
        if (r < 0)
                goto out;
        e = udev_enumerate_new(st.udev);
        if (!e || udev_enumerate_add_match_subsystem(e, "block") < 0 ||
            udev_enumerate_scan_devices(e) < 0) {
                r = storvirt__error_set(-EIO, "libudev: enumerating block devices failed");
                goto out;
        }
        udev_list_entry_foreach(l, udev_enumerate_get_list_entry(e)) {
                struct udev_device *d = udev_device_new_from_syspath(st.udev, udev_list_entry_get_name(l));
                if (!d)
                        continue;
                r = scan_one(&st, d);
                udev_device_unref(d);
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
        free(consumed);
        storvirt__strv_builder_done(&st.parts);
        storvirt__strv_builder_done(&st.members);
        storvirt__hashmap_free(st.owner);
        if (e)
                udev_enumerate_unref(e);
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
