/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * usage.c - the usage status of a device: what libblkid finds on it
 * (with the VG of an LVM PV read by lvm_label.c), whether it is
 * mounted (mountinfo) and whether another device holds it (sysfs
 * holders/).  See usage.h for the statuses and reasons.
 */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "config.h"
#include "sys/mount.h"
#include "sys/usage.h"
#include "util/macro.h"
#include "util/strv.h"

#if HAVE_BLKID
#include <blkid.h>
#endif

#define HOLDERS_SHOWN 8

/* The reasons gathered while probing, turned into a status at the end. */
struct findings {
        char used[256];    /* what makes it used, "; "-joined */
        char unknown[256]; /* why the content could not be told */
        char free[128];    /* a note for a free device (orphan PV) */
};

static void join(char *buf, size_t size, const char *fmt, ...) _printf_(3, 4);
static void join(char *buf, size_t size, const char *fmt, ...) {
        size_t n = strlen(buf);
        va_list ap;

        if (n > 0 && n + 2 < size) {
                memcpy(buf + n, "; ", 3);
                n += 2;
        }
        if (n + 1 >= size)
                return;
        va_start(ap, fmt);
        vsnprintf(buf + n, size - n, fmt, ap);
        va_end(ap);
}

static const char *root_of(const char *sysroot) {
        return sysroot && strcmp(sysroot, "/") != 0 ? sysroot : "";
}

/* ---- the kernel's view: mounts and holders ------------------------------------ */

/*
 * Whether the mount's source is devnum: btrfs and others show 0:N in
 * mountinfo.  Only /dev paths are looked at, never one that could hang
 * on a network filesystem.
 */
static bool source_is(const storvirt__mount_entry *e, dev_t devnum, bool real_root) {
        struct stat st;

        return real_root && strncmp(e->source, "/dev/", 5) == 0 && stat(e->source, &st) == 0 &&
               S_ISBLK(st.st_mode) && st.st_rdev == devnum;
}

static int check_mounted(const char *root, dev_t devnum, struct findings *f) {
        _cleanup_free_ char *path = NULL, *line = NULL;
        size_t cap = 0;
        FILE *file;
        int r = 0;

        if (asprintf(&path, "%s/proc/self/mountinfo", root) < 0)
                return storvirt__error_oom();
        file = fopen(path, "re");
        if (!file) {
                if (errno != ENOENT)
                        join(f->unknown, sizeof(f->unknown), "cannot read %s: %s", path,
                             strerror(errno));
                return 0;
        }
        while (getline(&line, &cap, file) > 0) {
                storvirt__mount_entry e;
                bool match;

                r = storvirt__mountinfo_parse_line(line, &e);
                if (r == -ENOMEM)
                        break;
                if (r < 0) {
                        r = 0; /* a malformed line: skipped */
                        continue;
                }
                match = (e.major == major(devnum) && e.minor == minor(devnum)) ||
                        source_is(&e, devnum, root[0] == '\0');
                if (match)
                        join(f->used, sizeof(f->used), "mounted on %s", e.target);
                storvirt__mount_entry_clear(&e);
                if (match)
                        break;
        }
        fclose(file);
        return r < 0 ? storvirt__error_oom() : 0;
}

static int check_holders(const char *root, dev_t devnum, struct findings *f) {
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_free_ char *path = NULL, *list = NULL;
        struct dirent *de;
        size_t n;
        DIR *d;
        int r = 0;

        if (asprintf(&path, "%s/sys/dev/block/%u:%u/holders", root, major(devnum),
                     minor(devnum)) < 0)
                return storvirt__error_oom();
        d = opendir(path);
        if (!d)
                return 0; /* no sysfs entry: nothing known to hold it */
        while (r >= 0 && (de = readdir(d)))
                if (de->d_name[0] != '.')
                        r = storvirt__strv_extend(&names, de->d_name);
        closedir(d);
        if (r < 0)
                return storvirt__error_oom();
        n = storvirt__strv_length(names);
        if (n == 0)
                return 0;
        storvirt__strv_sort(names);
        if (n > HOLDERS_SHOWN) {
                free(names[HOLDERS_SHOWN]);
                names[HOLDERS_SHOWN] = NULL;
                for (size_t i = HOLDERS_SHOWN + 1; i < n; i++)
                        free(names[i]);
        }
        if (storvirt__strv_join(names, ", ", &list) < 0)
                return storvirt__error_oom();
        if (n > HOLDERS_SHOWN)
                join(f->used, sizeof(f->used), "held by %s and %zu more", list,
                     n - HOLDERS_SHOWN);
        else
                join(f->used, sizeof(f->used), "held by %s", list);
        return 0;
}

/* ---- what is on it -------------------------------------------------------------- */

#if HAVE_BLKID
/* An LVM2_member: the PV's VG decides between used, orphan and unknown. */
static int describe_pv(int fd, uint64_t size, const char *what, struct storvirt__usage *u,
                       struct findings *f) {
        struct storvirt__lvm_pv *pv = &u->pv;
        int r = storvirt__lvm_pv_read(fd, size, what, pv);

        if (r == -ENOMEM)
                return r;
        if (r == -ENOENT) {
                join(f->used, sizeof(f->used), "signature LVM2_member without a readable "
                     "LVM2 label");
                return 0;
        }
        u->is_pv = true;
        if (r < 0) {
                snprintf(pv->pv_uuid, sizeof(pv->pv_uuid), "%.38s", u->fs_uuid);
                join(f->unknown, sizeof(f->unknown), "LVM PV %s with unreadable metadata: %s",
                     pv->pv_uuid, storvirt__error_msg());
        } else if (pv->has_vg)
                join(f->used, sizeof(f->used), "LVM PV of VG %s (uuid %s)", pv->vg_name,
                     pv->vg_uuid);
        else if (pv->ext_used)
                join(f->used, sizeof(f->used), "LVM PV %s of a VG whose metadata is on other "
                     "PVs", pv->pv_uuid);
        else if (pv->has_mda || pv->ext_version >= 2)
                snprintf(f->free, sizeof(f->free), "orphan LVM PV %s", pv->pv_uuid);
        else
                join(f->unknown, sizeof(f->unknown), "LVM PV %s without metadata on it: its VG, "
                     "if any, cannot be told", pv->pv_uuid);
        return 0;
}

static void describe_signature(const struct storvirt__usage *u, const char *usage,
                               struct findings *f) {
        if (strcmp(usage, "filesystem") == 0)
                join(f->used, sizeof(f->used), "filesystem %s", u->fs_type);
        else if (strcmp(usage, "raid") == 0)
                join(f->used, sizeof(f->used), "RAID member %s", u->fs_type);
        else if (strcmp(usage, "crypto") == 0)
                join(f->used, sizeof(f->used), "encrypted volume %s", u->fs_type);
        else
                join(f->used, sizeof(f->used), "signature %s", u->fs_type);
}

static void copy_value(blkid_probe pr, const char *name, char *buf, size_t size) {
        const char *v = NULL;

        if (blkid_probe_lookup_value(pr, name, &v, NULL) == 0 && v)
                snprintf(buf, size, "%s", v);
}

/* libblkid's low-level safe probe of superblocks and partition tables. */
static int probe_content(int fd, uint64_t size, const char *what, struct storvirt__usage *u,
                         struct findings *f) {
        char usage[16] = "";
        blkid_probe pr;
        int r;

        pr = blkid_new_probe();
        if (!pr)
                return storvirt__error_oom();
        if (blkid_probe_set_device(pr, fd, 0, (blkid_loff_t) size) < 0) {
                blkid_free_probe(pr);
                join(f->unknown, sizeof(f->unknown), "libblkid cannot probe it");
                return 0;
        }
        blkid_probe_enable_superblocks(pr, 1);
        blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_USAGE |
                                              BLKID_SUBLKS_UUID | BLKID_SUBLKS_LABEL |
                                              BLKID_SUBLKS_BADCSUM);
        blkid_probe_enable_partitions(pr, 1);
        blkid_probe_set_partitions_flags(pr, BLKID_PARTS_FORCE_GPT);
        errno = 0;
        r = blkid_do_safeprobe(pr);
        if (r == 0) {
                copy_value(pr, "TYPE", u->fs_type, sizeof(u->fs_type));
                copy_value(pr, "USAGE", usage, sizeof(usage));
                copy_value(pr, "UUID", u->fs_uuid, sizeof(u->fs_uuid));
                copy_value(pr, "LABEL", u->fs_label, sizeof(u->fs_label));
                copy_value(pr, "PTTYPE", u->pt_type, sizeof(u->pt_type));
        } else if (r == -2)
                join(f->used, sizeof(f->used), "several conflicting signatures");
        else if (r < 0)
                join(f->unknown, sizeof(f->unknown), "cannot read it: %s",
                     errno ? strerror(errno) : "libblkid probe failed");
        blkid_free_probe(pr);
        if (strcmp(u->fs_type, "LVM2_member") == 0) {
                r = describe_pv(fd, size, what, u, f);
                if (r < 0)
                        return r;
        } else if (u->fs_type[0])
                describe_signature(u, usage, f);
        if (u->pt_type[0])
                join(f->used, sizeof(f->used), "partition table %s", u->pt_type);
        return 0;
}
#else
static int probe_content(int fd, uint64_t size, const char *what, struct storvirt__usage *u,
                         struct findings *f) {
        join(f->unknown, sizeof(f->unknown), "libblkid not available");
        return 0;
}
#endif

/* ---- the status ------------------------------------------------------------------ */

/* fd < 0: the device could not be opened, f->unknown says why. */
static int probe(int fd, uint64_t size, dev_t devnum, const char *sysroot, const char *what,
                 struct findings *f, struct storvirt__usage *ret) {
        struct storvirt__usage u = {};
        const char *root = root_of(sysroot);
        int r = 0;

        if (fd >= 0)
                r = probe_content(fd, size, what, &u, f);
        if (r >= 0 && devnum != 0)
                r = check_mounted(root, devnum, f);
        if (r >= 0 && devnum != 0)
                r = check_holders(root, devnum, f);
        if (r < 0)
                return r;
        if (f->used[0]) {
                u.status = STORVIRT__USAGE_USED;
                snprintf(u.reason, sizeof(u.reason), "%s", f->used);
        } else if (f->unknown[0]) {
                u.status = STORVIRT__USAGE_UNKNOWN;
                snprintf(u.reason, sizeof(u.reason), "%s", f->unknown);
        } else {
                u.status = STORVIRT__USAGE_FREE;
                snprintf(u.reason, sizeof(u.reason), "%s", f->free[0] ? f->free : "no signature");
        }
        *ret = u;
        return 0;
}

static int fd_size(int fd, const char *what, uint64_t *ret) {
        struct stat st;

        if (fstat(fd, &st) < 0)
                return storvirt__error_set(-errno, "'%s': fstat: %s", what, strerror(errno));
        if (S_ISREG(st.st_mode)) {
                *ret = (uint64_t) st.st_size;
                return 0;
        }
        if (!S_ISBLK(st.st_mode))
                return storvirt__error_set(-EINVAL, "'%s': neither a block device nor a regular "
                                           "file", what);
        if (ioctl(fd, BLKGETSIZE64, ret) < 0)
                return storvirt__error_set(-errno, "'%s': BLKGETSIZE64: %s", what,
                                           strerror(errno));
        return 0;
}

int storvirt__usage_probe_fd(int fd, uint64_t size, dev_t devnum, const char *sysroot,
                             const char *what, struct storvirt__usage *ret) {
        struct findings f = {};
        int r;

        check_arg(fd >= 0, "fd", "must be an open file descriptor");
        check_nonnull(ret);
        if (!what)
                what = "(fd)";
        if (size == 0) {
                r = fd_size(fd, what, &size);
                if (r == -EINVAL || r == -ENOMEM)
                        return r;
                if (r < 0) {
                        join(f.unknown, sizeof(f.unknown), "cannot tell its size: %s",
                             strerror(-r));
                        return probe(-1, 0, devnum, sysroot, what, &f, ret);
                }
        }
        return probe(fd, size, devnum, sysroot, what, &f, ret);
}

/* The device could not be opened: what the kernel says still counts. */
static int probe_unopened(const char *devpath, int err, const char *sysroot,
                          struct storvirt__usage *ret) {
        struct findings f = {};
        struct stat st;
        dev_t devnum = 0;

        if (err == ENOENT || err == ENOTDIR)
                return storvirt__error_set(-ENOENT, "'%s': no such device", devpath);
        if (err == ENOMEM)
                return storvirt__error_oom();
        if (stat(devpath, &st) == 0 && S_ISBLK(st.st_mode))
                devnum = st.st_rdev;
        if (err == EACCES || err == EPERM)
                join(f.unknown, sizeof(f.unknown), "permission denied");
        else
                join(f.unknown, sizeof(f.unknown), "cannot open it: %s", strerror(err));
        return probe(-1, 0, devnum, sysroot, devpath, &f, ret);
}

int storvirt__usage_probe_path(const char *devpath, const char *sysroot,
                               struct storvirt__usage *ret) {
        _cleanup_close_ int fd = -1;
        struct stat st;
        uint64_t size;
        int r;

        check_nonnull(devpath);
        check_nonnull(ret);
        fd = open(devpath, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return probe_unopened(devpath, errno, sysroot, ret);
        if (fstat(fd, &st) < 0)
                return storvirt__error_set(-errno, "'%s': fstat: %s", devpath, strerror(errno));
        if (!S_ISBLK(st.st_mode) && !S_ISREG(st.st_mode))
                return storvirt__error_set(-EINVAL, "'%s': neither a block device nor a regular "
                                           "file", devpath);
        r = fd_size(fd, devpath, &size);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                struct findings f = {};

                join(f.unknown, sizeof(f.unknown), "cannot tell its size: %s", strerror(-r));
                return probe(-1, 0, S_ISBLK(st.st_mode) ? st.st_rdev : 0, sysroot, devpath, &f,
                             ret);
        }
        return storvirt__usage_probe_fd(fd, size, S_ISBLK(st.st_mode) ? st.st_rdev : 0, sysroot,
                                        devpath, ret);
}
