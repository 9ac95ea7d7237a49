/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * parttable.c - partition tables through libblkid and libfdisk (see
 * sys/parttable.h).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/blkpg.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sys/parttable.h"
#include "util/error.h"
#include "util/fileio.h"

void storvirt__pt_table_clear(struct storvirt__pt_table *t) {
        free(t->parts);
        free(t->free);
        memset(t, 0, sizeof(*t));
}

#if HAVE_FDISK
#include <blkid.h>
#include <libfdisk.h>

/* Serialises table writes: libfdisk rewrites the whole label. */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

static void pt_warn(const storvirt__pt_warn *w, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
static void pt_warn(const storvirt__pt_warn *w, const char *fmt, ...) {
        char msg[512];
        va_list ap;

        if (!w || !w->fn)
                return;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        w->fn(w->userdata, msg);
}

static bool is_block(const char *path) {
        struct stat st;

        return stat(path, &st) == 0 && S_ISBLK(st.st_mode);
}

static void lower(char *s) {
        for (; *s; s++)
                if (*s >= 'A' && *s <= 'Z')
                        *s = (char)(*s - 'A' + 'a');
}

/* ---- reading ----------------------------------------------------------- */

/* Free extents as libfdisk sees them (its usable area and alignment). */
static int read_free(const char *path, struct storvirt__pt_table *t) {
        struct fdisk_context *cxt = fdisk_new_context();
        struct fdisk_table *tb = NULL;
        struct fdisk_iter *it = NULL;
        struct fdisk_partition *pa;
        unsigned long ss;
        int r;

        if (!cxt)
                return storvirt__error_oom();
        r = fdisk_assign_device(cxt, path, 1);
        if (r < 0) {
                fdisk_unref_context(cxt);
                return storvirt__error_set(r, "%s: %s", path, strerror(-r));
        }
        ss = fdisk_get_sector_size(cxt);
        r = fdisk_has_label(cxt) ? fdisk_get_freespaces(cxt, &tb) : 0;
        if (r >= 0 && tb && !(it = fdisk_new_iter(FDISK_ITER_FORWARD)))
                r = -ENOMEM;
        while (r >= 0 && it && fdisk_table_next_partition(tb, it, &pa) == 0) {
                struct storvirt__pt_extent *n = realloc(t->free, (t->n_free + 1) * sizeof(*n));

                if (!n) {
                        r = -ENOMEM;
                        break;
                }
                t->free = n;
                n[t->n_free].start = (uint64_t)fdisk_partition_get_start(pa) * ss;
                n[t->n_free].end = n[t->n_free].start + (uint64_t)fdisk_partition_get_size(pa) * ss;
                t->n_free++;
        }
        fdisk_free_iter(it);
        fdisk_unref_table(tb);
        fdisk_unref_context(cxt);
        if (r < 0)
                return storvirt__error_set(r, "%s: free extents: %s", path, strerror(-r));
        return 0;
}

/* One partition of the list into *d; false for one that is not the table's own. */
static bool read_part(blkid_partition p, blkid_parttable root, struct storvirt__pt_part *d) {
        const char *u, *type;

        if (!p || blkid_partition_get_partno(p) <= 0)
                return false;
        /* nested labels (a BSD label inside a dos partition) are not ours */
        if (blkid_partition_get_table(p) != root && !blkid_partition_is_logical(p))
                return false;
        d->partno = (unsigned)blkid_partition_get_partno(p);
        d->start = (uint64_t)blkid_partition_get_start(p) * 512;
        d->size = (uint64_t)blkid_partition_get_size(p) * 512;
        d->logical = blkid_partition_is_logical(p);
        d->extended = blkid_partition_is_extended(p);
        u = blkid_partition_get_uuid(p);
        snprintf(d->uuid, sizeof(d->uuid), "%s", u ? u : "");
        lower(d->uuid);
        type = blkid_partition_get_type_string(p);
        snprintf(d->type, sizeof(d->type), "%s", type ? type : "");
        d->code = (unsigned)blkid_partition_get_type(p);
        return true;
}

/* The partitions of the probe's table into t: 0, or -ENOMEM (no message). */
static int read_parts(blkid_partlist ls, blkid_parttable root, struct storvirt__pt_table *t) {
        const char *type = blkid_parttable_get_type(root), *id = blkid_parttable_get_id(root);
        int n;

        snprintf(t->label, sizeof(t->label), "%s", type ? type : "");
        snprintf(t->id, sizeof(t->id), "%s", id ? id : "");
        lower(t->id);
        n = blkid_partlist_numof_partitions(ls);
        if (n > STORVIRT__PT_MAX_PARTS)
                n = STORVIRT__PT_MAX_PARTS;
        t->parts = n > 0 ? calloc((size_t)n, sizeof(*t->parts)) : NULL;
        if (n > 0 && !t->parts)
                return -ENOMEM;
        for (int i = 0; i < n; i++)
                if (read_part(blkid_partlist_get_partition(ls, i), root, &t->parts[t->n_parts]))
                        t->n_parts++;
        return 0;
}

int storvirt__pt_read(const char *path, struct storvirt__pt_table *t) {
        blkid_partlist ls;
        blkid_parttable root;
        blkid_probe pr;
        int r = 0;

        memset(t, 0, sizeof(*t));
        pr = blkid_new_probe_from_filename(path);
        if (!pr)
                return storvirt__error_set(errno ? -errno : -EIO, "cannot open %s: %s", path,
                                           strerror(errno ? errno : EIO));
        t->size = (uint64_t)blkid_probe_get_size(pr);
        blkid_probe_enable_superblocks(pr, 0);
        blkid_probe_enable_partitions(pr, 1);
        ls = blkid_probe_get_partitions(pr);
        root = ls ? blkid_partlist_get_table(ls) : NULL;
        if (root)
                r = read_parts(ls, root, t);
        blkid_free_probe(pr);
        if (r < 0) {
                storvirt__pt_table_clear(t);
                return storvirt__error_oom();
        }
        if (root && (r = read_free(path, t)) < 0) {
                storvirt__pt_table_clear(t);
                return r;
        }
        return 0;
}

int storvirt__pt_signature(const char *dev, char *what, size_t size) {
        const char *found = NULL;
        blkid_probe pr;
        int r;

        pr = blkid_new_probe_from_filename(dev);
        if (!pr)
                return storvirt__error_set(errno ? -errno : -EIO, "cannot open %s: %s", dev,
                                           strerror(errno ? errno : EIO));
        blkid_probe_enable_superblocks(pr, 1);
        blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE);
        blkid_probe_enable_partitions(pr, 1);
        r = blkid_do_safeprobe(pr);
        if (r == 0 && blkid_probe_lookup_value(pr, "PTTYPE", &found, NULL) < 0 &&
            blkid_probe_lookup_value(pr, "TYPE", &found, NULL) < 0)
                found = "a signature";
        else if (r == -2)
                found = "several signatures";
        snprintf(what, size, "%s", found ? found : "");
        blkid_free_probe(pr);
        return found && *what ? 1 : 0;
}

/* ---- writing ----------------------------------------------------------- */

/* A libfdisk context on dev, read-write, dialogs off. */
static int open_rw(const char *dev, struct fdisk_context **ret) {
        struct fdisk_context *cxt = fdisk_new_context();
        int r;

        if (!cxt)
                return storvirt__error_oom();
        fdisk_disable_dialogs(cxt, 1);
        r = fdisk_assign_device(cxt, dev, 0);
        if (r < 0) {
                fdisk_unref_context(cxt);
                return storvirt__error_set(r, "cannot open %s for writing: %s", dev, strerror(-r));
        }
        *ret = cxt;
        return 0;
}

/* Closes what open_rw opened (NULL-safe) and the table kept before the change. */
static void close_rw(struct fdisk_context *cxt, struct fdisk_table *org) {
        fdisk_unref_table(org);
        if (cxt) {
                fdisk_deassign_device(cxt, 0);
                fdisk_unref_context(cxt);
        }
}

/*
 * Drops every partition the kernel knows on the block device open as fd
 * (as sysfs lists them), for devices that cannot rescan their table (a
 * loop device without partscan).  Returns how many it could not drop.
 */
static unsigned drop_kernel_partitions(int fd, const storvirt__pt_warn *w) {
        struct stat st;
        char dir[64];
        struct dirent *de;
        unsigned failed = 0;
        DIR *d;

        if (fstat(fd, &st) < 0 || !S_ISBLK(st.st_mode))
                return 0;
        snprintf(dir, sizeof(dir), "/sys/dev/block/%u:%u", major(st.st_rdev), minor(st.st_rdev));
        d = opendir(dir);
        while (d && (de = readdir(d))) {
                char path[384], *txt = NULL;
                int pno;

                if (de->d_name[0] == '.')
                        continue;
                snprintf(path, sizeof(path), "%s/%s/partition", dir, de->d_name);
                if (storvirt__file_read_all(AT_FDCWD, path, 4096, &txt, NULL) < 0) {
                        storvirt__error_reset();
                        continue;
                }
                pno = atoi(txt);
                free(txt);
                if (pno > 0) {
                        struct blkpg_partition part = { .pno = pno };
                        struct blkpg_ioctl_arg arg = {
                                .op = BLKPG_DEL_PARTITION,
                                .datalen = sizeof(part),
                                .data = &part,
                        };

                        if (ioctl(fd, BLKPG, &arg) < 0 && errno != ENXIO) {
                                pt_warn(w, "the kernel keeps partition %s: %s", de->d_name,
                                     strerror(errno));
                                failed++;
                        }
                }
        }
        if (d)
                closedir(d);
        return failed;
}

/* Writes the label and, for a block device, tells the kernel what changed. */
static int write_table(const char *dev, struct fdisk_context *cxt, struct fdisk_table *org,
                       const storvirt__pt_warn *w) {
        int r = fdisk_write_disklabel(cxt);

        if (r < 0)
                return storvirt__error_set(r, "writing the partition table of %s: %s", dev,
                                           strerror(-r));
        if (is_block(dev)) {
                r = org ? fdisk_reread_changes(cxt, org) : fdisk_reread_partition_table(cxt);
                /* a new label holds no partition: none of the old ones may stay */
                if (r < 0 && !org && drop_kernel_partitions(fdisk_get_devfd(cxt), w) == 0)
                        r = 0;
                if (r < 0)
                        pt_warn(w, "the kernel was not told about the new partition table of %s: %s",
                             dev, strerror(-r));
        }
        return 0;
}

int storvirt__pt_create_label(const char *dev, const char *label, const storvirt__pt_warn *w) {
        struct fdisk_context *cxt = NULL;
        int r;

        pthread_mutex_lock(&write_lock);
        r = open_rw(dev, &cxt);
        if (r >= 0) {
                /* wipe the old signatures libblkid finds when the label is written */
                fdisk_enable_wipe(cxt, 1);
                r = fdisk_create_disklabel(cxt, label);
                if (r < 0)
                        r = storvirt__error_set(r, "creating a %s label: %s", label, strerror(-r));
        }
        if (r >= 0)
                r = write_table(dev, cxt, NULL, w);
        close_rw(cxt, NULL);
        pthread_mutex_unlock(&write_lock);
        return r;
}

/* The first free area that holds nsect sectors, aligned as libfdisk aligns. */
static int place(const char *dev, struct fdisk_context *cxt, uint64_t nsect, uint64_t *ret_start) {
        struct fdisk_table *tb = NULL;
        struct fdisk_iter *it = fdisk_new_iter(FDISK_ITER_FORWARD);
        struct fdisk_partition *pa;
        uint64_t largest = 0, ss = fdisk_get_sector_size(cxt);
        int r;

        if (!it)
                return storvirt__error_oom();
        r = fdisk_get_freespaces(cxt, &tb);
        while (r >= 0 && tb && fdisk_table_next_partition(tb, it, &pa) == 0) {
                uint64_t s = fdisk_partition_get_start(pa), e = s + fdisk_partition_get_size(pa);
                uint64_t a = fdisk_align_lba(cxt, s, FDISK_ALIGN_UP);

                if (a < s)
                        a = s;
                if (e - s > largest)
                        largest = e - s;
                if (a + nsect <= e) {
                        *ret_start = a;
                        fdisk_free_iter(it);
                        fdisk_unref_table(tb);
                        return 0;
                }
        }
        fdisk_free_iter(it);
        fdisk_unref_table(tb);
        return storvirt__error_set(-ENOSPC, "no free extent of %s holds %" PRIu64 " bytes (the "
                                   "largest holds %" PRIu64 "); a volume cannot span two extents",
                                   dev, nsect * ss, largest * ss);
}

/* Adds the partition p of nsect sectors at start on the open device. */
static int add_at(const char *dev, struct fdisk_context *cxt, const struct storvirt__pt_new *p,
                  const char *label, uint64_t start, uint64_t nsect) {
        struct fdisk_partition *pa = fdisk_new_partition();
        struct fdisk_parttype *pt = NULL;
        char type[48];
        size_t got;
        int r;

        if (strcmp(label, "gpt") == 0)
                snprintf(type, sizeof(type), "%s", p->gpt_type ? p->gpt_type : "");
        else
                snprintf(type, sizeof(type), "%x", p->dos_type);
        pt = fdisk_label_parse_parttype(fdisk_get_label(cxt, NULL), type);
        if (!pa || !pt) {
                r = storvirt__error_oom();
                goto out;
        }
        fdisk_partition_set_start(pa, start);
        fdisk_partition_set_size(pa, nsect);
        fdisk_partition_set_partno(pa, p->partno - 1);
        fdisk_partition_set_type(pa, pt);
        if (strcmp(label, "gpt") == 0 && p->uuid)
                fdisk_partition_set_uuid(pa, p->uuid);
        r = fdisk_add_partition(cxt, pa, &got);
        if (r < 0)
                r = storvirt__error_set(r, "adding partition %u of %" PRIu64 " bytes to %s: %s",
                                        p->partno, nsect * fdisk_get_sector_size(cxt), dev,
                                        strerror(-r));
out:
        fdisk_unref_parttype(pt);
        fdisk_unref_partition(pa);
        return r;
}

int storvirt__pt_add(const char *dev, const struct storvirt__pt_new *p, uint64_t *ret_start,
                     uint64_t *ret_size, const storvirt__pt_warn *w) {
        struct fdisk_context *cxt = NULL;
        struct fdisk_table *org = NULL;
        const char *label;
        uint64_t grain, ss, nsect, start = 0;
        int r;

        pthread_mutex_lock(&write_lock);
        r = open_rw(dev, &cxt);
        if (r < 0)
                goto out;
        label = fdisk_has_label(cxt) ? fdisk_label_get_name(fdisk_get_label(cxt, NULL)) : "";
        if (fdisk_is_partition_used(cxt, p->partno - 1)) {
                r = storvirt__error_set(-EEXIST, "partition %u of %s exists", p->partno, dev);
                goto out;
        }
        ss = fdisk_get_sector_size(cxt);
        grain = fdisk_get_grain_size(cxt);
        if (grain < ss)
                grain = ss;
        nsect = (p->capacity + grain - 1) / grain * grain / ss;
        r = place(dev, cxt, nsect, &start);
        if (r < 0)
                goto out;
        (void)fdisk_get_partitions(cxt, &org);
        r = add_at(dev, cxt, p, label, start, nsect);
        if (r >= 0)
                r = write_table(dev, cxt, org, w);
        if (r >= 0) {
                *ret_start = start * ss;
                *ret_size = nsect * ss;
        }
out:
        close_rw(cxt, org);
        pthread_mutex_unlock(&write_lock);
        return r;
}

int storvirt__pt_delete(const char *dev, unsigned partno, const storvirt__pt_warn *w) {
        struct fdisk_context *cxt = NULL;
        struct fdisk_table *org = NULL;
        int r;

        pthread_mutex_lock(&write_lock);
        r = open_rw(dev, &cxt);
        if (r >= 0 && !fdisk_is_partition_used(cxt, partno - 1))
                r = storvirt__error_set(-ENOENT, "%s has no partition %u", dev, partno);
        if (r >= 0) {
                (void)fdisk_get_partitions(cxt, &org);
                r = fdisk_delete_partition(cxt, partno - 1);
                if (r < 0)
                        r = storvirt__error_set(r, "deleting partition %u of %s: %s", partno, dev,
                                                strerror(-r));
        }
        if (r >= 0)
                r = write_table(dev, cxt, org, w);
        close_rw(cxt, org);
        pthread_mutex_unlock(&write_lock);
        return r;
}

/* Every signature libblkid finds on fd wiped. */
static int wipe_signatures(const char *dev, int fd) {
        blkid_probe pr = blkid_new_probe();
        int r = 0;

        if (!pr || blkid_probe_set_device(pr, fd, 0, 0) < 0) {
                r = storvirt__error_set(-EIO, "cannot probe %s", dev);
        } else {
                blkid_probe_enable_partitions(pr, 1);
                blkid_probe_set_partitions_flags(pr, BLKID_PARTS_MAGIC);
                blkid_probe_enable_superblocks(pr, 1);
                blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_MAGIC | BLKID_SUBLKS_TYPE);
                while (r >= 0 && blkid_do_probe(pr) == 0)
                        if (blkid_do_wipe(pr, 0) < 0)
                                r = storvirt__error_set(-EIO, "wiping the signatures of %s failed",
                                                        dev);
        }
        blkid_free_probe(pr);
        return r;
}

int storvirt__pt_wipe(const char *dev, const storvirt__pt_warn *w) {
        bool block = is_block(dev);
        int fd, r;

        /* exclusive: fails while the disk or any of its partitions is claimed */
        fd = open(dev, O_RDWR | O_CLOEXEC | (block ? O_EXCL : 0));
        if (fd < 0)
                return storvirt__error_set(errno == EBUSY ? -EBUSY : -errno, "%s: %s", dev,
                                           errno == EBUSY ? "in use (a partition is mounted or "
                                           "held)" : strerror(errno));
        pthread_mutex_lock(&write_lock);
        r = wipe_signatures(dev, fd);
        if (r >= 0 && fsync(fd) < 0)
                r = storvirt__error_set(-errno, "%s: fsync: %s", dev, strerror(errno));
        if (r >= 0 && block && ioctl(fd, BLKRRPART) < 0)
                (void)drop_kernel_partitions(fd, w);
        pthread_mutex_unlock(&write_lock);
        close(fd);
        return r;
}

#else /* !HAVE_FDISK */

static int no_fdisk(const char *dev) {
        return storvirt__error_set(-EOPNOTSUPP, "%s: built without libfdisk: partition tables "
                                                "are not read or written", dev);
}

int storvirt__pt_read(const char *dev, struct storvirt__pt_table *ret) {
        memset(ret, 0, sizeof(*ret));
        return no_fdisk(dev);
}

int storvirt__pt_signature(const char *dev, char *what, size_t size) {
        (void)what;
        (void)size;
        return no_fdisk(dev);
}

int storvirt__pt_create_label(const char *dev, const char *label, const storvirt__pt_warn *w) {
        (void)label;
        (void)w;
        return no_fdisk(dev);
}

int storvirt__pt_add(const char *dev, const struct storvirt__pt_new *p, uint64_t *ret_start,
                     uint64_t *ret_size, const storvirt__pt_warn *w) {
        (void)p;
        (void)ret_start;
        (void)ret_size;
        (void)w;
        return no_fdisk(dev);
}

int storvirt__pt_delete(const char *dev, unsigned partno, const storvirt__pt_warn *w) {
        (void)partno;
        (void)w;
        return no_fdisk(dev);
}

int storvirt__pt_wipe(const char *dev, const storvirt__pt_warn *w) {
        (void)w;
        return no_fdisk(dev);
}
#endif
