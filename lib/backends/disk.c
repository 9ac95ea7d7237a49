/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * disk.c - the "disk" pool type: the partitions of one whole disk (a
 * block device) or of a disk image file, as the pool's volumes.
 *
 * The partition table is read and written through the partition-table
 * slots of the context's sys-ops table (the host's: libblkid and
 * libfdisk, sys/parttable.h; gpt and dos labels are written, never
 * through parted or sfdisk).  After a change to a block device the
 * kernel is told about each added or removed partition, so the
 * partition's node appears without a rescan of the whole disk.
 *
 * Volumes are named as the kernel names partitions ("sdb1", "loop0p1",
 * "disk.img1"; <device part_separator=''> overrides the "p" rule), keyed
 * by the partition's PARTUUID (GPT partition GUID, or "DISKID-NN" on a
 * dos label), never by a device path that a reboot can change.  A
 * partition of a block device has its node as path; a partition of an
 * image file has /dev/disk/by-partuuid/PARTUUID, where it appears once
 * the image is attached to a loop device.
 *
 * A volume is placed in the first free extent that holds it (aligned as
 * libfdisk aligns, 1 MiB by default; the capacity is rounded up to that
 * alignment), so it never spans two extents.  A dos label gets primary
 * partitions 1-4 only: logical partitions are listed but not created.
 *
 * A partition's data (wipe, upload, download, a copy into a new one) is
 * reached through its node, opened exclusively for writing so that a
 * mounted or held partition is refused, or, on an image file, at its
 * extent; it is never written past its end.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backends/backends.h"

#if HAVE_FDISK
#include "backends/local.h"
#include "objects/ctx.h"
#include "sys/parttable.h"
#include "util/error.h"
#include "util/log.h"
#include "util/macro.h"
#include "util/uuid.h"

#define DISK_MAX_PARTS STORVIRT__PT_MAX_PARTS

/* The partition-table slots of the pool's context. */
static const storvirt__sysops *host_of(const storvirt__pool_obj *obj) {
        return storvirt__ctx_sysops(obj->ctx);
}

/* ---- partition types ---------------------------------------------------- */

static const struct {
        const char *format;
        const char *gpt;                /* type GUID */
        unsigned dos;                   /* type code */
} part_types[] = {
        { "linux", "0FC63DAF-8483-4772-8E79-3D69D8477DE4", 0x83 },
        { "fat16", "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7", 0x06 },
        { "fat32", "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7", 0x0c },
        { "linux-swap", "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F", 0x82 },
        { "linux-lvm", "E6D6D379-F507-44C2-A23C-238F2A3DF928", 0x8e },
        { "linux-raid", "A19D880F-05FC-4D3B-A006-743F0F84911E", 0xfd },
};

/* libvirt's volume format of a partition ("none" when it has no name for the type). */
static const char *format_of(const char *label, const struct storvirt__pt_part *p) {
        if (strcmp(label, "gpt") == 0) {
                for (size_t i = 0; p->type[0] && i < ELEMENTSOF(part_types); i++)
                        if (strcasecmp(p->type, part_types[i].gpt) == 0)
                                return part_types[i].format;
                return "none";
        }
        if (p->extended)
                return "extended";
        switch (p->code) {
        case 0x0b: case 0x0c: return "fat32";
        case 0x04: case 0x06: case 0x0e: return "fat16";
        default: break;
        }
        for (size_t i = 0; i < ELEMENTSOF(part_types); i++)
                if (p->code == part_types[i].dos)
                        return part_types[i].format;
        return "none";
}

/* The partition type of a volume format ("none" is a Linux partition), for either label. */
static int part_type(const storvirt__pool_def *def, const char *format, size_t *ret) {
        if (!format || !*format || strcmp(format, "none") == 0)
                format = "linux";
        if (strcmp(format, "extended") == 0)
                return storvirt__error_set(-EOPNOTSUPP, "pool '%s': extended partitions are not "
                                                        "created", def->name);
        for (size_t i = 0; i < ELEMENTSOF(part_types); i++)
                if (strcmp(part_types[i].format, format) == 0) {
                        *ret = i;
                        return 0;
                }
        return storvirt__error_set(-EINVAL, "pool '%s': volume format '%s' is not a partition type "
                                            "of a disk pool", def->name, format);
}

/* ---- reading ----------------------------------------------------------- */

static const char *source_of(const storvirt__pool_def *def) {
        return def->source.devices ? def->source.devices[0] : NULL;
}

/* The partition table of the pool's device. */
static int read_table(const storvirt__pool_obj *obj, struct storvirt__pt_table *t) {
        const storvirt__pool_def *def = obj->def;
        const char *path = source_of(def);

        memset(t, 0, sizeof(*t));
        if (!path)
                return storvirt__error_set(-EINVAL, "pool '%s': a disk pool needs <source><device>",
                                           def->name);
        if (host_of(obj)->pt_read(path, t) < 0)
                return storvirt__error_prefix("pool '%s'", def->name);
        return 0;
}

/* Where a change's warnings go: the pool's log. */
static void warn_log(void *userdata, const char *msg) {
        const storvirt__pool_obj *obj = userdata;

        log_warning(obj->ctx, "pool '%s': %s", obj->def->name, msg);
}

#define POOL_WARN(obj) (&(const storvirt__pt_warn){ .fn = warn_log, .userdata = (void *)(obj) })

static bool is_block(const char *path) {
        struct stat st;

        return stat(path, &st) == 0 && S_ISBLK(st.st_mode);
}

/* "sdb" -> "sdb", "loop0" -> "loop0p", "disk.img" -> "disk.img" (names add the number). */
static void name_prefix(const storvirt__pool_def *def, char *buf, size_t len) {
        const char *dev = source_of(def), *base = strrchr(dev, '/');
        int sep = def->source.device_info ? def->source.device_info[0].part_separator
                                          : STORVIRT__TRISTATE_ABSENT;
        size_t n;

        base = base ? base + 1 : dev;
        n = strlen(base);
        if (sep == STORVIRT__TRISTATE_ABSENT)
                sep = n > 0 && base[n - 1] >= '0' && base[n - 1] <= '9';
        snprintf(buf, len, "%s%s", base, sep == STORVIRT__TRISTATE_YES ? "p" : "");
}

static void part_path(const storvirt__pool_def *def, const char *name, const char *uuid,
                      char *buf, size_t len) {
        if (is_block(source_of(def)))
                snprintf(buf, len, "/dev/%s", name);
        else
                snprintf(buf, len, "/dev/disk/by-partuuid/%s", uuid);
}

/* The label the pool expects, or NULL for any ("unknown"). */
static const char *wanted_label(const storvirt__pool_def *def) {
        const char *f = def->source.format;

        return f && strcmp(f, "unknown") != 0 ? f : NULL;
}

static int check_label(const storvirt__pool_def *def, const struct storvirt__pt_table *t) {
        const char *want = wanted_label(def);

        if (!t->label[0])
                return storvirt__error_set(-ENOMEDIUM, "pool '%s': %s has no partition table; build "
                                           "the pool to write a %s label", def->name,
                                           source_of(def), want ? want : "gpt or dos");
        if (want && strcmp(want, t->label) != 0)
                return storvirt__error_set(-EINVAL, "pool '%s': %s has a %s label, the pool's format "
                                           "is %s", def->name, source_of(def), t->label, want);
        return 0;
}

/* Sets the pool's figures and its device's free extents (obj->lock held). */
static int set_figures(storvirt__pool_obj *obj, const struct storvirt__pt_table *t) {
        storvirt__pool_def *def = obj->def;
        struct storvirt__pool_extent *free_ext = NULL;
        uint64_t used = 0, avail = 0;

        if (!def->source.device_info) {
                size_t n = 0;

                while (def->source.devices[n])
                        n++;
                def->source.device_info = calloc(n, sizeof(*def->source.device_info));
                if (!def->source.device_info)
                        return storvirt__error_oom();
                for (size_t i = 0; i < n; i++)
                        def->source.device_info[i].part_separator = STORVIRT__TRISTATE_ABSENT;
        }
        if (t->n_free && !(free_ext = calloc(t->n_free, sizeof(*free_ext))))
                return storvirt__error_oom();
        for (size_t i = 0; i < t->n_free; i++) {
                free_ext[i].start = t->free[i].start;
                free_ext[i].end = t->free[i].end;
                avail += t->free[i].end - t->free[i].start;
        }
        free(def->source.device_info[0].free_extents);
        def->source.device_info[0].free_extents = free_ext;
        def->source.device_info[0].n_free_extents = t->n_free;
        for (size_t i = 0; i < t->n_parts; i++)
                if (!t->parts[i].logical)
                        used += t->parts[i].size;
        obj->capacity = t->size;
        obj->allocation = used;
        obj->available = avail;
        return 0;
}

/* ---- pool operations --------------------------------------------------- */

static int disk_check(storvirt__pool_obj *obj, bool *ret_active) {
        const char *dev = source_of(obj->def);

        *ret_active = dev && access(dev, F_OK) == 0;
        return 0;
}

static int disk_start(storvirt__pool_obj *obj, uint32_t flags) {
        struct storvirt__pt_table t;
        int r;

        (void)flags;
        r = read_table(obj, &t);
        if (r >= 0)
                r = check_label(obj->def, &t);
        storvirt__pt_table_clear(&t);
        return r;
}

static int disk_refresh(storvirt__pool_obj *obj, uint32_t flags) {
        storvirt__hashmap *vols = NULL;
        struct storvirt__pt_table t;
        char prefix[256];
        int r;

        (void)flags;
        r = read_table(obj, &t);
        if (r >= 0)
                r = check_label(obj->def, &t);
        if (r >= 0)
                r = storvirt__hashmap_new(&vols, storvirt__vol_rec_unref_void);
        name_prefix(obj->def, prefix, sizeof(prefix));
        for (size_t i = 0; r >= 0 && i < t.n_parts; i++) {
                const struct storvirt__pt_part *p = &t.parts[i];
                storvirt__vol_rec *rec;
                char name[300], path[400];

                snprintf(name, sizeof(name), "%s%u", prefix, p->partno);
                part_path(obj->def, name, p->uuid, path, sizeof(path));
                rec = storvirt__vol_rec_new(name, p->uuid[0] ? p->uuid : path, path);
                if (!rec) {
                        r = storvirt__error_oom();
                        break;
                }
                rec->type = STORVIRT_VOLUME_TYPE_BLOCK;
                snprintf(rec->format, sizeof(rec->format), "%s", format_of(t.label, p));
                rec->capacity = rec->allocation = rec->physical = p->size;
                rec->extent_device = strdup(source_of(obj->def));
                rec->extent_start = p->start;
                rec->extent_end = p->start + p->size;
                if (!rec->extent_device) {
                        storvirt__vol_rec_unref(rec);
                        r = storvirt__error_oom();
                        break;
                }
                r = storvirt__hashmap_put(vols, name, rec);
                if (r < 0)
                        storvirt__vol_rec_unref(rec);
        }
        if (r >= 0) {
                /* refresh_pool runs with obj->lock held */
                r = set_figures(obj, &t);
                if (r >= 0) {
                        storvirt__pool_obj_set_vols(obj, vols);
                        vols = NULL;
                }
        }
        storvirt__hashmap_free(vols);
        storvirt__pt_table_clear(&t);
        return r;
}

/* After a change: the figures again, the volume table left as it is. */
static void update_figures(storvirt__pool_obj *obj) {
        struct storvirt__pt_table t;

        if (read_table(obj, &t) < 0) {
                storvirt_error_clear();
                return;
        }
        storvirt__mutex_lock(&obj->lock);
        (void)set_figures(obj, &t);
        storvirt__mutex_unlock(&obj->lock);
        storvirt__pt_table_clear(&t);
}

static int disk_build(storvirt__pool_obj *obj, uint32_t flags) {
        const storvirt__pool_def *def = obj->def;
        const storvirt__sysops *host = host_of(obj);
        const char *want = wanted_label(def), *dev = source_of(def);
        char what[64];
        int r;

        if (!want)
                return storvirt__error_set(-EINVAL, "pool '%s': to build a disk pool give its label "
                                           "as <source><format type='gpt'/> or 'dos'", def->name);
        if (strcmp(want, "gpt") != 0 && strcmp(want, "dos") != 0)
                return storvirt__error_set(-EOPNOTSUPP, "pool '%s': %s labels are read, not written "
                                           "(gpt and dos are)", def->name, want);
        if ((flags & STORVIRT_POOL_BUILD_OVERWRITE) && (flags & STORVIRT_POOL_BUILD_NO_OVERWRITE))
                return storvirt__error_set(-EINVAL, "pool '%s': overwrite and no-overwrite together",
                                           def->name);
        /* anything there already: a label, a filesystem, a PV, a RAID member */
        r = host->pt_signature(dev, what, sizeof(what));
        if (r < 0)
                return storvirt__error_prefix("pool '%s'", def->name);
        if (r > 0 && !(flags & STORVIRT_POOL_BUILD_OVERWRITE))
                return storvirt__error_set(-EEXIST, "pool '%s': %s already holds %s; build "
                                           "with overwrite to replace it", def->name, dev, what);
        r = host->pt_create_label(dev, want, POOL_WARN(obj));
        if (r < 0)
                return storvirt__error_prefix("pool '%s'", def->name);
        log_info(obj->ctx, "pool '%s': wrote a %s label on %s", def->name, want, dev);
        return 0;
}

/* The partition number a volume name gives, or -EINVAL saying what names are. */
static int partno_of(const storvirt__pool_def *def, const char *name, unsigned next, unsigned *ret) {
        char prefix[256], *end;
        size_t n;
        unsigned long v;

        name_prefix(def, prefix, sizeof(prefix));
        n = strlen(prefix);
        if (strncmp(name, prefix, n) == 0 && name[n] >= '1' && name[n] <= '9') {
                errno = 0;
                v = strtoul(name + n, &end, 10);
                if (!*end && errno == 0 && v <= DISK_MAX_PARTS) {
                        *ret = (unsigned)v;
                        return 0;
                }
        }
        return storvirt__error_set(-EINVAL, "pool '%s': volume name '%s': a partition of %s is "
                                   "named %sN (the next free one is %s%u)", def->name, name,
                                   source_of(def), prefix, prefix, next);
}

static int disk_create_volume(storvirt__pool_obj *obj, const struct storvirt__vol_def *vdef,
                              struct storvirt__vol_rec **ret_rec, uint32_t flags) {
        const storvirt__pool_def *def = obj->def;
        char key[128], path[400];
        struct storvirt__pt_table t;
        size_t type = 0;
        unsigned partno = 0, next = 1;
        storvirt__vol_rec *rec;
        int r;

        (void)flags;
        r = read_table(obj, &t);
        if (r >= 0)
                r = check_label(def, &t);
        if (r >= 0 && strcmp(t.label, "gpt") != 0 && strcmp(t.label, "dos") != 0)
                r = storvirt__error_set(-EOPNOTSUPP, "pool '%s': partitions are created on gpt and "
                                        "dos labels, not %s", def->name, t.label);
        if (r >= 0)
                r = part_type(def, vdef->target.format, &type);
        for (bool again = true; r >= 0 && again;) {
                again = false;
                for (size_t i = 0; i < t.n_parts; i++)
                        if (t.parts[i].partno == next) {
                                next++;
                                again = true;
                        }
        }
        if (r >= 0)
                r = partno_of(def, vdef->name, next, &partno);
        for (size_t i = 0; r >= 0 && i < t.n_parts; i++)
                if (t.parts[i].partno == partno)
                        r = storvirt__error_set(-EEXIST, "pool '%s': partition %u of %s exists "
                                                "(volume '%s')", def->name, partno,
                                                source_of(def), vdef->name);
        if (r >= 0 && strcmp(t.label, "dos") == 0 && partno > 4)
                r = storvirt__error_set(-EOPNOTSUPP, "pool '%s': volume '%s': a dos label gets "
                                        "primary partitions 1-4; logical partitions are not "
                                        "created", def->name, vdef->name);
        if (r >= 0 && !vdef->has_capacity)
                r = storvirt__error_set(-EINVAL, "pool '%s': volume '%s' needs a <capacity>",
                                        def->name, vdef->name);
        if (r >= 0 && vdef->has_allocation && vdef->allocation < vdef->capacity)
                r = storvirt__error_set(-EINVAL, "pool '%s': volume '%s': a partition is fully "
                                        "allocated (allocation %" PRIu64 " < capacity %" PRIu64 ")",
                                        def->name, vdef->name, vdef->allocation, vdef->capacity);
        if (r < 0) {
                storvirt__pt_table_clear(&t);
                return r;
        }
        /* the PARTUUID is chosen now, so the key is known before the write */
        if (strcmp(t.label, "gpt") == 0) {
                storvirt__uuid u;
                char buf[STORVIRT__UUID_STRING_MAX];

                r = storvirt__uuid_generate_v4(&u);
                if (r < 0) {
                        storvirt__pt_table_clear(&t);
                        return r;
                }
                snprintf(key, sizeof(key), "%s", storvirt__uuid_format(&u, buf));
        } else {
                snprintf(key, sizeof(key), "%s-%02x", t.id, partno);
        }
        storvirt__pt_table_clear(&t);
        part_path(def, vdef->name, key, path, sizeof(path));
        rec = storvirt__vol_rec_new(vdef->name, key, path);
        if (!rec)
                return storvirt__error_oom();
        rec->type = STORVIRT_VOLUME_TYPE_BLOCK;
        snprintf(rec->format, sizeof(rec->format), "%s",
                 vdef->target.format && *vdef->target.format ? vdef->target.format : "none");
        rec->capacity = rec->allocation = rec->physical = vdef->capacity;
        *ret_rec = rec;
        return 0;
}

static int disk_build_volume(storvirt__pool_obj *obj, struct storvirt__vol_rec *rec,
                             const struct storvirt__vol_def *vdef,
                             const storvirt__progress *progress, uint32_t flags) {
        const storvirt__pool_def *def = obj->def;
        struct storvirt__pt_new p = { .capacity = vdef->capacity, .uuid = rec->key };
        uint64_t start = 0, size = 0;
        char *dev = NULL;
        size_t type = 0;
        int r;

        (void)progress;
        (void)flags;
        r = partno_of(def, rec->name, 1, &p.partno);
        if (r >= 0)
                r = part_type(def, vdef->target.format, &type);
        if (r < 0)
                return r;
        p.gpt_type = part_types[type].gpt;
        p.dos_type = part_types[type].dos;
        r = host_of(obj)->pt_add(source_of(def), &p, &start, &size, POOL_WARN(obj));
        if (r < 0)
                return storvirt__error_prefix("pool '%s'", def->name);
        dev = strdup(source_of(def));
        if (!dev)
                r = storvirt__error_oom();
        else {
                storvirt__mutex_lock(&obj->lock);
                rec->capacity = rec->allocation = rec->physical = size;
                free(rec->extent_device);
                rec->extent_device = dev;
                rec->extent_start = start;
                rec->extent_end = start + size;
                storvirt__mutex_unlock(&obj->lock);
        }
        update_figures(obj);
        return r;
}

static int disk_delete_volume(storvirt__pool_obj *obj, struct storvirt__vol_rec *rec,
                              uint32_t flags) {
        const storvirt__pool_def *def = obj->def;
        unsigned partno = 0;
        int r;

        (void)flags;
        r = partno_of(def, rec->name, 1, &partno);
        if (r < 0)
                return r;
        if (is_block(source_of(def)) && is_block(rec->path)) {
                /* a mounted filesystem, a PV in use, a holder: the kernel says busy */
                int fd = open(rec->path, O_RDONLY | O_EXCL | O_CLOEXEC);

                if (fd < 0 && errno == EBUSY)
                        return storvirt__error_set(-EBUSY, "pool '%s': partition %s is in use "
                                                   "(mounted, or held by another device)",
                                                   def->name, rec->path);
                if (fd >= 0)
                        close(fd);
        }
        r = host_of(obj)->pt_delete(source_of(def), partno, POOL_WARN(obj));
        if (r < 0)
                return storvirt__error_prefix("pool '%s'", def->name);
        update_figures(obj);
        return 0;
}

/* Zeroes [off, off + len) of fd: discard-free zeroing for a block device,
 * a zeroed range (or plain writes) for an image file. */
static int zero_range(int fd, bool block, uint64_t off, uint64_t len) {
        static const char zeros[65536];

        if (block) {
                uint64_t range[2] = { off, len };

                if (ioctl(fd, BLKZEROOUT, range) == 0)
                        return 0;
        } else if (fallocate(fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, (off_t)off,
                             (off_t)len) == 0) {
                return 0;
        }
        while (len > 0) {
                size_t n = len < sizeof(zeros) ? (size_t)len : sizeof(zeros);
                ssize_t k = pwrite(fd, zeros, n, (off_t)off);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return k < 0 ? -errno : -EIO;
                off += (uint64_t)k;
                len -= (uint64_t)k;
        }
        return 0;
}

/*
 * Opens a partition's data: its own node when the pool is on a block
 * device (exclusively when writing, so a mounted partition is refused),
 * else the image file, the data starting at the partition's extent.
 * Returns the fd, with *ret_base (where the data starts in it) and
 * *ret_size (its length).
 */
static int part_open(storvirt__pool_obj *obj, struct storvirt__vol_rec *rec, bool write,
                     const char *what, uint64_t *ret_base, uint64_t *ret_size) {
        const storvirt__pool_def *def = obj->def;
        uint64_t start, end;
        int fd;

        storvirt__mutex_lock(&obj->lock);
        start = rec->extent_start;
        end = rec->extent_end;
        storvirt__mutex_unlock(&obj->lock);
        if (end <= start)
                return storvirt__error_set(-EINVAL, "pool '%s': volume '%s' has no extent", def->name,
                                           rec->name);
        *ret_size = end - start;
        if (is_block(source_of(def))) {
                fd = open(rec->path, (write ? O_RDWR | O_EXCL : O_RDONLY) | O_CLOEXEC);
                if (fd < 0)
                        return storvirt__error_set(errno == EBUSY ? -EBUSY : -errno,
                                                   "pool '%s': %s %s: %s", def->name, what,
                                                   rec->path, errno == EBUSY ? "in use (mounted, "
                                                   "or held by another device)" : strerror(errno));
                *ret_base = 0;
                return fd;
        }
        fd = open(source_of(def), (write ? O_RDWR : O_RDONLY) | O_CLOEXEC);
        if (fd < 0)
                return storvirt__error_set(-errno, "pool '%s': %s '%s' on %s: %s", def->name, what,
                                           rec->name, source_of(def), strerror(errno));
        *ret_base = start;
        return fd;
}

#define XFER_CHUNK (1u << 20)

static bool all_zero(const char *buf, size_t n) {
        return n == 0 || (buf[0] == 0 && memcmp(buf, buf + 1, n - 1) == 0);
}

/* Wipes a partition: its extent, and nothing around it, reads as zeros. */
static int disk_wipe_volume(storvirt__pool_obj *obj, struct storvirt__vol_rec *rec,
                            const storvirt__progress *progress, uint32_t flags) {
        bool block = is_block(source_of(obj->def));
        uint64_t base = 0, size = 0, done = 0;
        _cleanup_close_ int fd = -1;
        int r = 0;

        (void)flags;
        fd = part_open(obj, rec, true, "wiping", &base, &size);
        if (fd < 0)
                return fd;
        while (r >= 0 && done < size) {
                uint64_t n = size - done;

                if (n > 64 * (uint64_t)XFER_CHUNK)
                        n = 64 * (uint64_t)XFER_CHUNK;
                r = zero_range(fd, block, base + done, n);
                if (r < 0) {
                        r = storvirt__error_set(r, "pool '%s': wiping '%s': %s", obj->def->name,
                                                rec->name, strerror(-r));
                        break;
                }
                done += n;
                r = storvirt__progress_report(progress, done, size);
        }
        if (r >= 0 && fsync(fd) < 0)
                r = storvirt__error_set(-errno, "pool '%s': wiping '%s': fsync: %s", obj->def->name,
                                        rec->name, strerror(errno));
        return r;
}

/*
 * Upload into a partition: raw data from fd at offset, never past the
 * partition's end.  With STORVIRT_VOLUME_TRANSFER_SPARSE, zero chunks are
 * zeroed in place rather than written.
 */
static int disk_upload_volume(storvirt__pool_obj *obj, struct storvirt__vol_rec *rec, int fd,
                              uint64_t offset, uint64_t length, const storvirt__progress *p,
                              uint32_t flags) {
        bool block = is_block(source_of(obj->def)), sparse = flags & STORVIRT_VOLUME_TRANSFER_SPARSE;
        _cleanup_free_ char *buf = malloc(XFER_CHUNK);
        uint64_t base = 0, size = 0, done = 0, total;
        _cleanup_close_ int vfd = -1;
        int r = 0;

        if (!buf)
                return storvirt__error_oom();
        vfd = part_open(obj, rec, true, "upload to", &base, &size);
        if (vfd < 0)
                return vfd;
        if (offset > size || (length && length > size - offset))
                return storvirt__error_set(-EINVAL, "upload to '%s': offset %" PRIu64 " + length "
                                           "%" PRIu64 " is past the partition's %" PRIu64 " bytes",
                                           rec->name, offset, length, size);
        total = length ? length : size - offset;
        if (!length) {
                /* a file that cannot fit is refused before anything is written */
                struct stat st;
                off_t cur = lseek(fd, 0, SEEK_CUR);

                if (cur >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
                    st.st_size > cur && (uint64_t)(st.st_size - cur) > total)
                        return storvirt__error_set(-EINVAL, "upload to '%s': %" PRIu64 " bytes do "
                                                   "not fit in the partition's %" PRIu64 " bytes "
                                                   "from offset %" PRIu64, rec->name,
                                                   (uint64_t)(st.st_size - cur), size, offset);
        }
        while (r >= 0 && done < total) {
                size_t want = total - done < XFER_CHUNK ? (size_t)(total - done) : XFER_CHUNK;
                ssize_t k = read(fd, buf, want);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return storvirt__error_set(-errno, "upload to '%s': reading the source: %s",
                                                   rec->name, strerror(errno));
                if (k == 0)
                        break;
                if (sparse && all_zero(buf, (size_t)k))
                        r = zero_range(vfd, block, base + offset + done, (uint64_t)k);
                else if (pwrite(vfd, buf, (size_t)k, (off_t)(base + offset + done)) != k)
                        r = errno ? -errno : -EIO;
                if (r < 0)
                        return storvirt__error_set(r, "upload to '%s': %s", rec->name, strerror(-r));
                done += (uint64_t)k;
                r = storvirt__progress_report(p, done, total);
        }
        if (r >= 0 && length == 0 && done == total) {
                /* the whole rest of the partition was asked for: the source must end here */
                char c;
                ssize_t k;

                do
                        k = read(fd, &c, 1);
                while (k < 0 && errno == EINTR);
                if (k > 0)
                        return storvirt__error_set(-EINVAL, "upload to '%s': the data is larger than "
                                                   "the partition's %" PRIu64 " bytes from offset "
                                                   "%" PRIu64, rec->name, size, offset);
        }
        if (r >= 0 && done != total)
                r = storvirt__progress_report(p, done, done);
        if (r >= 0 && fsync(vfd) < 0)
                r = storvirt__error_set(-errno, "upload to '%s': fsync: %s", rec->name,
                                        strerror(errno));
        return r;
}

/* Download from a partition: its raw data from offset, to fd. */
static int disk_download_volume(storvirt__pool_obj *obj, struct storvirt__vol_rec *rec, int fd,
                                uint64_t offset, uint64_t length, const storvirt__progress *p,
                                uint32_t flags) {
        bool sparse = flags & STORVIRT_VOLUME_TRANSFER_SPARSE, seekable;
        _cleanup_free_ char *buf = malloc(XFER_CHUNK);
        uint64_t base = 0, size = 0, done = 0, total;
        _cleanup_close_ int vfd = -1;
        off_t out_start;
        int r = 0;

        if (!buf)
                return storvirt__error_oom();
        vfd = part_open(obj, rec, false, "download from", &base, &size);
        if (vfd < 0)
                return vfd;
        if (offset > size || (length && length > size - offset))
                return storvirt__error_set(-EINVAL, "download from '%s': offset %" PRIu64 " + length "
                                           "%" PRIu64 " is past the partition's %" PRIu64 " bytes",
                                           rec->name, offset, length, size);
        total = length ? length : size - offset;
        out_start = lseek(fd, 0, SEEK_CUR);
        seekable = sparse && out_start >= 0;
        while (r >= 0 && done < total) {
                size_t want = total - done < XFER_CHUNK ? (size_t)(total - done) : XFER_CHUNK;
                ssize_t k = pread(vfd, buf, want, (off_t)(base + offset + done));

                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return storvirt__error_set(k < 0 ? -errno : -EIO, "download from '%s': %s",
                                                   rec->name, k < 0 ? strerror(errno) :
                                                   "the device ended early");
                if (seekable && all_zero(buf, (size_t)k)) {
                        if (lseek(fd, k, SEEK_CUR) < 0)
                                r = -errno;
                } else {
                        for (ssize_t w = 0; r >= 0 && w < k;) {
                                ssize_t n = write(fd, buf + w, (size_t)(k - w));

                                if (n < 0 && errno == EINTR)
                                        continue;
                                if (n <= 0)
                                        r = n < 0 ? -errno : -EIO;
                                else
                                        w += n;
                        }
                }
                if (r < 0)
                        return storvirt__error_set(r, "download from '%s': writing: %s", rec->name,
                                                   strerror(-r));
                done += (uint64_t)k;
                r = storvirt__progress_report(p, done, total);
        }
        /* a hole at the end of a sparse download still counts */
        if (r >= 0 && seekable && ftruncate(fd, out_start + (off_t)total) < 0) {
                struct stat st;

                if (fstat(fd, &st) < 0 || S_ISREG(st.st_mode))
                        r = storvirt__error_set(-errno, "download from '%s': %s", rec->name,
                                                strerror(errno));
        }
        return r;
}

/* Image formats whose bytes are not the disk's bytes: no raw copy of them. */
static bool is_image_format(const char *fmt) {
        static const char *const image[] = { "qcow2", "qcow", "qed", "vmdk", "vdi", "vpc", "vhdx",
                                             "cow", "bochs", "cloop", "dmg", "luks", "ploop" };

        for (size_t i = 0; i < ELEMENTSOF(image); i++)
                if (strcmp(fmt, image[i]) == 0)
                        return true;
        return false;
}

/*
 * Opens the data of a source volume read-only: its path, or, for a
 * partition of an image file (whose by-partuuid path exists only while
 * the image is attached), its extent of that image.
 */
static int src_open(const struct storvirt__vol_rec *src, uint64_t *ret_base, uint64_t *ret_len) {
        struct stat st;
        int fd;

        if (src->extent_device && src->extent_end > src->extent_start && stat(src->path, &st) < 0) {
                fd = open(src->extent_device, O_RDONLY | O_CLOEXEC);
                *ret_base = src->extent_start;
                *ret_len = src->extent_end - src->extent_start;
        } else {
                fd = open(src->path, O_RDONLY | O_CLOEXEC);
                *ret_base = 0;
                *ret_len = src->capacity;
                if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
                        *ret_len = (uint64_t)st.st_size;
        }
        if (fd < 0)
                return storvirt__error_set(-errno, "source volume '%s': %s", src->path,
                                           strerror(errno));
        return fd;
}

/*
 * A new partition holding a copy of a raw volume: created as
 * disk_build_volume creates one (capacity at least the source's), then
 * the source's bytes written into it and the rest of it zeroed, so
 * nothing of what the space held before shows through.  On failure the
 * partition is deleted again.
 */
/* A partition can hold a copy of src only as raw data. */
static int check_copy_from(const storvirt__pool_obj *obj, const struct storvirt__vol_rec *rec,
                           const struct storvirt__vol_def *vdef,
                           const struct storvirt__vol_rec *src, uint32_t flags) {
        const char *sfmt = src->format[0] ? src->format : "raw";

        if (flags & STORVIRT_VOLUME_CREATE_REFLINK)
                return storvirt__error_set(-EOPNOTSUPP, "pool '%s': a partition cannot be a reflink "
                                           "copy", obj->def->name);
        if (is_image_format(sfmt) || src->backing_path)
                return storvirt__error_set(-EOPNOTSUPP, "pool '%s': volume '%s' would be a raw copy "
                                           "of '%s', whose format is %s%s; convert it to raw first",
                                           obj->def->name, rec->name, src->path, sfmt,
                                           src->backing_path ? " with a backing file" : "");
        if (vdef->target.format && is_image_format(vdef->target.format))
                return storvirt__error_set(-EOPNOTSUPP, "pool '%s': a partition holds raw data, "
                                           "not %s", obj->def->name, vdef->target.format);
        return 0;
}

/* Where a copy reads and writes: the source's extent, the partition's. */
struct part_copy {
        int in, out;
        bool block;                     /* out is a block device (zeroing by discard) */
        uint64_t sbase, slen;           /* the source's bytes */
        uint64_t base, size;            /* the partition's */
        char *buf;                      /* XFER_CHUNK bytes */
};

/*
 * The source's bytes into the partition, the rest of it zeroed, then
 * fsync.  Errors name the pool and the volume.
 */
static int copy_into_partition(storvirt__pool_obj *obj, const struct storvirt__vol_rec *rec,
                               const struct storvirt__vol_rec *src, const struct part_copy *c,
                               const storvirt__progress *p) {
        uint64_t done = 0;
        int r = 0;

        while (r >= 0 && done < c->size) {
                uint64_t want = c->size - done;
                ssize_t k = 0;

                if (done < c->slen) {
                        if (want > XFER_CHUNK)
                                want = XFER_CHUNK;
                        if (want > c->slen - done)
                                want = c->slen - done;
                        k = pread(c->in, c->buf, (size_t)want, (off_t)(c->sbase + done));
                        if (k < 0 && errno == EINTR)
                                continue;
                        if (k <= 0)
                                return storvirt__error_set(k < 0 ? -errno : -EIO, "reading '%s': %s",
                                                           src->path, k < 0 ? strerror(errno) :
                                                           "it ended early");
                        if (all_zero(c->buf, (size_t)k))
                                r = zero_range(c->out, c->block, c->base + done, (uint64_t)k);
                        else if (pwrite(c->out, c->buf, (size_t)k, (off_t)(c->base + done)) != k)
                                r = errno ? -errno : -EIO;
                        want = (uint64_t)k;
                } else {
                        /* past the source: the rest of the partition reads as zeros */
                        if (want > 64 * (uint64_t)XFER_CHUNK)
                                want = 64 * (uint64_t)XFER_CHUNK;
                        r = zero_range(c->out, c->block, c->base + done, want);
                }
                if (r < 0)
                        return storvirt__error_set(r, "pool '%s': copying into '%s': %s",
                                                   obj->def->name, rec->name, strerror(-r));
                done += want;
                r = storvirt__progress_report(p, done, c->size);
        }
        if (r >= 0 && fsync(c->out) < 0)
                r = storvirt__error_set(-errno, "pool '%s': copying into '%s': fsync: %s",
                                        obj->def->name, rec->name, strerror(errno));
        return r;
}

/* After failure r of a copy: the partition deleted, the copy's error kept. */
static int undo_copy(storvirt__pool_obj *obj, struct storvirt__vol_rec *rec, int r) {
        /* keep the copy's error, not the cleanup's */
        char *msg = storvirt__error_msg() ? strdup(storvirt__error_msg()) : NULL;

        if (disk_delete_volume(obj, rec, 0) < 0)
                log_warning(obj->ctx, "pool '%s': the partition of '%s' was left after a "
                            "failed copy: %s", obj->def->name, rec->name,
                            storvirt__error_msg() ? storvirt__error_msg() : "?");
        storvirt__error_set(r, "%s", msg ? msg : strerror(-r));
        free(msg);
        return r;
}

/*
 * A new partition holding a copy of a raw volume: created as
 * disk_build_volume creates one (capacity at least the source's), then
 * the source's bytes written into it and the rest of it zeroed, so
 * nothing of what the space held before shows through.  On failure the
 * partition is deleted again.
 */
static int disk_build_volume_from(storvirt__pool_obj *obj, struct storvirt__vol_rec *rec,
                                  const struct storvirt__vol_def *vdef,
                                  struct storvirt__vol_rec *src, const storvirt__progress *p,
                                  uint32_t flags) {
        _cleanup_free_ char *buf = NULL;
        _cleanup_close_ int in = -1, out = -1;
        struct part_copy c = { .block = is_block(source_of(obj->def)) };
        int r;

        r = check_copy_from(obj, rec, vdef, src, flags);
        if (r < 0)
                return r;
        buf = malloc(XFER_CHUNK);
        if (!buf)
                return storvirt__error_oom();
        in = src_open(src, &c.sbase, &c.slen);
        if (in < 0)
                return in;
        r = disk_build_volume(obj, rec, vdef, p, 0);
        if (r < 0)
                return r;
        out = part_open(obj, rec, true, "copying into", &c.base, &c.size);
        if (out < 0)
                return undo_copy(obj, rec, out);
        if (c.slen > c.size) {
                r = storvirt__error_set(-ENOSPC, "pool '%s': '%s' holds %" PRIu64 " bytes, the "
                                        "partition %" PRIu64, obj->def->name, src->path, c.slen,
                                        c.size);
        } else {
                c.in = in;
                c.out = out;
                c.buf = buf;
                r = copy_into_partition(obj, rec, src, &c, p);
        }
        if (r >= 0)
                return 0;
        close(out);
        out = -1;
        return undo_copy(obj, rec, r);
}

/*
 * Deletes the pool's storage: every partition table and file system
 * signature on the device is wiped (libblkid), so the disk reads as
 * empty.  Partitions left on it need STORVIRT_POOL_DELETE_NONEMPTY; a
 * block device any of whose partitions is in use is refused.
 */
static int disk_delete_pool(storvirt__pool_obj *obj, uint32_t flags) {
        const storvirt__pool_def *def = obj->def;
        const char *dev = source_of(def);
        struct storvirt__pt_table t;
        int r;

        r = read_table(obj, &t);
        if (r < 0)
                return r;
        if (t.n_parts > 0 && !(flags & STORVIRT_POOL_DELETE_NONEMPTY)) {
                r = storvirt__error_set(-ENOTEMPTY, "pool '%s': %s still holds %zu partition%s; "
                                        "delete them first, or delete the pool as non-empty",
                                        def->name, dev, t.n_parts, t.n_parts == 1 ? "" : "s");
                storvirt__pt_table_clear(&t);
                return r;
        }
        storvirt__pt_table_clear(&t);
        r = host_of(obj)->pt_wipe(dev, POOL_WARN(obj));
        if (r < 0)
                return storvirt__error_prefix("pool '%s'", def->name);
        return 0;
}

const storvirt__backend_ops storvirt__backend_disk = {
        .abi = STORVIRT__BACKEND_ABI,
        .type = "disk",
        .check_pool = disk_check,
        .start_pool = disk_start,
        .build_pool = disk_build,
        .refresh_pool = disk_refresh,
        .create_volume = disk_create_volume,
        .build_volume = disk_build_volume,
        .delete_volume = disk_delete_volume,
        .delete_pool = disk_delete_pool,
        .wipe_volume = disk_wipe_volume,
        .build_volume_from = disk_build_volume_from,
        .upload_volume = disk_upload_volume,
        .download_volume = disk_download_volume,
};
#endif /* HAVE_FDISK */
