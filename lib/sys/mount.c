/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mount.c - mount options, mount(8)/umount(8), mount(2)/umount2(2),
 * /proc/self/mountinfo and loop devices for the fs and netfs pools and
 * the mount connectors.  Nothing here knows pools:
 * callers add the pool's name to the messages.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/loop.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "sys/command.h"
#include "sys/mount.h"
#include "util/buf.h"
#include "util/macro.h"
#include "util/strv.h"

#define MOUNTINFO "/proc/self/mountinfo"
#define LOOP_CONTROL "/dev/loop-control"
#define LOOP_MAJOR_NR 7u
/* Attempts to grab a free loop device another process may grab first. */
#define LOOP_ATTACH_TRIES 16

/* ---- mount options ------------------------------------------------------ */

static const struct {
        const char *name;
        unsigned long flag;
        bool clear;
} flag_opts[] = {
        { "ro", MS_RDONLY, false },            { "rw", MS_RDONLY, true },
        { "nodev", MS_NODEV, false },          { "dev", MS_NODEV, true },
        { "nosuid", MS_NOSUID, false },        { "suid", MS_NOSUID, true },
        { "noexec", MS_NOEXEC, false },        { "exec", MS_NOEXEC, true },
        { "sync", MS_SYNCHRONOUS, false },     { "async", MS_SYNCHRONOUS, true },
        { "dirsync", MS_DIRSYNC, false },
        { "noatime", MS_NOATIME, false },      { "atime", MS_NOATIME, true },
        { "nodiratime", MS_NODIRATIME, false }, { "diratime", MS_NODIRATIME, true },
        { "relatime", MS_RELATIME, false },    { "norelatime", MS_RELATIME, true },
        { "strictatime", MS_STRICTATIME, false }, { "nostrictatime", MS_STRICTATIME, true },
        { "lazytime", MS_LAZYTIME, false },    { "nolazytime", MS_LAZYTIME, true },
        { "mand", MS_MANDLOCK, false },        { "nomand", MS_MANDLOCK, true },
        { "silent", MS_SILENT, false },        { "loud", MS_SILENT, true },
};

/* Options mount(8) consumes itself: meaningless to mount(2). */
static const char *const userspace_opts[] = {
        "defaults", "auto", "noauto", "user", "nouser", "users", "owner", "group",
        "_netdev", "nofail", "loop",
};

static const char *const table_opts[] = {
        "bind", "rbind", "remount", "move", "shared", "rshared", "private", "rprivate",
        "slave", "rslave", "unbindable", "runbindable",
};

static bool in_list(const char *const *list, size_t n, const char *s) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(list[i], s) == 0)
                        return true;
        return false;
}

/* 1 when opt was a flag (applied to *flags), 0 when it is not one. */
static int apply_flag(const char *opt, unsigned long *flags) {
        for (size_t i = 0; i < ELEMENTSOF(flag_opts); i++) {
                if (strcmp(flag_opts[i].name, opt) != 0)
                        continue;
                if (flag_opts[i].clear)
                        *flags &= ~flag_opts[i].flag;
                else
                        *flags |= flag_opts[i].flag;
                /* The atime modes exclude each other, as in mount(8). */
                if (!flag_opts[i].clear && (flag_opts[i].flag & (MS_RELATIME | MS_STRICTATIME |
                                                                 MS_NOATIME)))
                        *flags &= ~((MS_RELATIME | MS_STRICTATIME | MS_NOATIME) &
                                    ~flag_opts[i].flag);
                return 1;
        }
        return 0;
}

/* Applies one option (no comma in it) to *flags or appends it to data. */
static int split_one(const char *o, unsigned long *flags, struct storvirt__buf *data) {
        if (!*o)
                return 0;
        if (in_list(table_opts, ELEMENTSOF(table_opts), o))
                return storvirt__error_set(-EINVAL, "mount option '%s' changes the mount table, "
                                           "it is not a filesystem option", o);
        if (apply_flag(o, flags) || in_list(userspace_opts, ELEMENTSOF(userspace_opts), o) ||
            strncmp(o, "x-", 2) == 0 || strncmp(o, "comment=", 8) == 0)
                return 0;
        if ((data->len && storvirt__buf_append_char(data, ',') < 0) ||
            storvirt__buf_append_str(data, o) < 0)
                return storvirt__error_oom();
        return 0;
}

int storvirt__mount_opts_split(char *const *opts, unsigned long *flags, char **ret_data) {
        _cleanup_buf_free_ struct storvirt__buf data = {};
        int r = 0;

        /* An option may itself be a list ("ro,noatime"): split it too. */
        for (char *const *o = opts; r >= 0 && o && *o; o++) {
                _cleanup_free_ char *copy = strdup(*o);
                char *save = NULL;

                if (!copy)
                        return storvirt__error_oom();
                for (char *p = strtok_r(copy, ",", &save); r >= 0 && p;
                     p = strtok_r(NULL, ",", &save))
                        r = split_one(p, flags, &data);
        }
        if (r < 0)
                return r;
        if (!data.len) {
                *ret_data = NULL;
                return 0;
        }
        return storvirt__buf_steal(&data, ret_data) < 0 ? storvirt__error_oom() : 0;
}

int storvirt__mount_helper_argv(const char *type, const char *source, const char *target,
                                char *const *opts, char ***ret_argv) {
        struct storvirt__strv_builder b = {};
        _cleanup_free_ char *joined = NULL;
        int r;

        r = storvirt__strv_builder_add(&b, "mount");
        if (r >= 0 && type) {
                r = storvirt__strv_builder_add(&b, "-t");
                if (r >= 0)
                        r = storvirt__strv_builder_add(&b, type);
        }
        if (r >= 0)
                r = storvirt__strv_builder_add(&b, source);
        if (r >= 0)
                r = storvirt__strv_builder_add(&b, target);
        if (r >= 0 && storvirt__strv_length(opts) > 0) {
                r = storvirt__strv_join(opts, ",", &joined);
                if (r >= 0)
                        r = storvirt__strv_builder_add(&b, "-o");
                if (r >= 0)
                        r = storvirt__strv_builder_add(&b, joined);
        }
        if (r >= 0)
                r = storvirt__strv_builder_finish(&b, ret_argv);
        storvirt__strv_builder_done(&b);
        return r < 0 ? storvirt__error_oom() : 0;
}

int storvirt__mount_helper_run(const char *type, const char *source, const char *target,
                               char *const *opts, int timeout_ms) {
        char **argv = NULL;
        int r = storvirt__mount_helper_argv(type, source, target, opts, &argv);

        if (r >= 0)
                r = storvirt__command_run(argv, timeout_ms, NULL);
        storvirt__strv_free(argv);
        return r;
}

int storvirt__umount_helper_run(const char *target, int timeout_ms) {
        char *argv[] = { (char *)"umount", (char *)target, NULL };

        return storvirt__command_run(argv, timeout_ms, NULL);
}

/* ---- mount(2), umount2(2) ----------------------------------------------- */

int storvirt__mount_block(const char *source, const char *target, const char *type,
                          unsigned long flags, const char *data) {
        const char *why;

        if (mount(source, target, type, flags, data) == 0)
                return 0;
        switch (errno) {
        case ENODEV:
                why = "the kernel does not support this filesystem type";
                break;
        case ENOENT:
                why = "the target directory does not exist (build the pool first)";
                break;
        case EINVAL:
                why = "bad superblock or an option the filesystem does not accept";
                break;
        default:
                why = strerror(errno);
        }
        return storvirt__error_set(-errno, "mounting '%s' on '%s' (%s%s%s): %s", source, target,
                                   type, data ? ", " : "", data ? data : "", why);
}

int storvirt__mount_umount(const char *target) {
        if (umount2(target, UMOUNT_NOFOLLOW) == 0)
                return 0;
        if (errno == EBUSY)
                return storvirt__error_set(-EBUSY, "unmounting '%s': it is busy (a file on it "
                                           "is open, or a mount sits below it)", target);
        return storvirt__error_set(-errno, "unmounting '%s': %s", target, strerror(errno));
}

/* ---- /proc/self/mountinfo ----------------------------------------------- */

void storvirt__mount_entry_clear(storvirt__mount_entry *e) {
        free(e->root);
        free(e->target);
        free(e->opts);
        free(e->fstype);
        free(e->source);
        free(e->super_opts);
        *e = (storvirt__mount_entry){};
}

/* Copies a field, undoing the kernel's \ooo escapes (space, tab, newline, backslash). */
static char *unescape(const char *s, size_t n) {
        char *out = malloc(n + 1), *p = out;

        if (!out)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                if (s[i] == '\\' && i + 3 < n && s[i + 1] >= '0' && s[i + 1] <= '3' &&
                    s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
                        *p++ = (char)((s[i + 1] - '0') << 6 | (s[i + 2] - '0') << 3 |
                                      (s[i + 3] - '0'));
                        i += 3;
                } else {
                        *p++ = s[i];
                }
        }
        *p = '\0';
        return out;
}

/* The next space-separated field: *start and *len, or false at the end. */
static bool next_field(const char **cursor, const char **start, size_t *len) {
        const char *s = *cursor;

        while (*s == ' ')
                s++;
        if (!*s || *s == '\n')
                return false;
        *start = s;
        while (*s && *s != ' ' && *s != '\n')
                s++;
        *len = (size_t)(s - *start);
        *cursor = s;
        return true;
}

int storvirt__mountinfo_parse_line(const char *line, storvirt__mount_entry *ret) {
        storvirt__mount_entry e = {};
        const char *cur = line, *f;
        char **slots[] = { &e.root, &e.target, &e.opts };
        char **tail[] = { &e.fstype, &e.source, &e.super_opts };
        size_t n;
        int k = 0;

        if (sscanf(line, "%d %d %u:%u %n", &e.id, &e.parent_id, &e.major, &e.minor, &k) < 4 ||
            k == 0)
                return -EINVAL;
        cur = line + k;
        for (size_t i = 0; i < ELEMENTSOF(slots); i++) {
                if (!next_field(&cur, &f, &n))
                        goto bad;
                if (!(*slots[i] = unescape(f, n)))
                        goto oom;
        }
        /* Optional fields ("shared:1", "master:2"...) up to the lone "-". */
        do {
                if (!next_field(&cur, &f, &n))
                        goto bad;
        } while (!(n == 1 && f[0] == '-'));
        for (size_t i = 0; i < ELEMENTSOF(tail); i++) {
                if (!next_field(&cur, &f, &n)) {
                        f = "";
                        n = 0;
                        if (i == 0)
                                goto bad;
                }
                if (!(*tail[i] = unescape(f, n)))
                        goto oom;
        }
        *ret = e;
        return 0;
bad:
        storvirt__mount_entry_clear(&e);
        return -EINVAL;
oom:
        storvirt__mount_entry_clear(&e);
        return -ENOMEM;
}

typedef bool (*entry_match_fn)(const storvirt__mount_entry *e, const void *key);

/*
 * Keeps the last matching line, unless it lies below the one kept: of
 * mounts stacked on one directory the top one is the child of the others.
 */
static int mountinfo_scan(const char *mountinfo, entry_match_fn match, const void *key,
                          storvirt__mount_entry *ret) {
        const char *file = mountinfo ? mountinfo : MOUNTINFO;
        storvirt__mount_entry found = {}, e;
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;
        bool any = false;
        FILE *f;
        int r = 0;

        f = fopen(file, "re");
        if (!f)
                return storvirt__error_set(-errno, "reading '%s': %s", file, strerror(errno));
        while (getline(&line, &cap, f) > 0) {
                r = storvirt__mountinfo_parse_line(line, &e);
                if (r == -ENOMEM)
                        break;
                if (r < 0) {
                        r = 0;
                        continue; /* malformed line: skipped */
                }
                if (match(&e, key) && !(any && found.parent_id == e.id)) {
                        storvirt__mount_entry_clear(&found);
                        found = e;
                        any = true;
                } else {
                        storvirt__mount_entry_clear(&e);
                }
        }
        fclose(f);
        if (r < 0) {
                storvirt__mount_entry_clear(&found);
                return storvirt__error_oom();
        }
        if (any)
                *ret = found;
        return any;
}

static bool match_target(const storvirt__mount_entry *e, const void *key) {
        return strcmp(e->target, key) == 0;
}

int storvirt__mountinfo_find_target(const char *mountinfo, const char *path,
                                    storvirt__mount_entry *ret) {
        _cleanup_free_ char *canon = realpath(path, NULL);

        if (!canon)
                return errno == ENOMEM ? storvirt__error_oom() : 0;
        return mountinfo_scan(mountinfo, match_target, canon, ret);
}

struct devkey {
        unsigned major, minor;
};

static bool match_dev(const storvirt__mount_entry *e, const void *key) {
        const struct devkey *k = key;

        return e->major == k->major && e->minor == k->minor;
}

int storvirt__mountinfo_find_dev(const char *mountinfo, unsigned major, unsigned minor,
                                 storvirt__mount_entry *ret) {
        struct devkey k = { major, minor };

        return mountinfo_scan(mountinfo, match_dev, &k, ret);
}

int storvirt__mount_require_unmounted(const char *path) {
        storvirt__mount_entry e;
        int r = storvirt__mountinfo_find_target(NULL, path, &e);

        if (r <= 0)
                return r;
        r = storvirt__error_set(-EBUSY, "'%s' is a mount point ('%s', %s, is mounted there)",
                                path, e.source, e.fstype);
        storvirt__mount_entry_clear(&e);
        return r;
}

/* ---- loop devices --------------------------------------------------------- */

void storvirt__loop_release(storvirt__loop *loop) {
        if (loop->fd >= 0)
                close(loop->fd);
        loop->fd = -1;
}

void storvirt__loop_detach(storvirt__loop *loop) {
        /* EBUSY (older kernels, still in use): autoclear detaches it later. */
        if (loop->fd >= 0)
                (void)ioctl(loop->fd, LOOP_CLR_FD, 0);
        storvirt__loop_release(loop);
}

/* Binds file_fd to the open loop device: 0, -EBUSY (taken meanwhile), -errno. */
static int loop_bind(int fd, int file_fd, bool ro, const char *file) {
        struct loop_config cfg = {
                .fd = (uint32_t)file_fd,
                .info.lo_flags = LO_FLAGS_AUTOCLEAR | (ro ? LO_FLAGS_READ_ONLY : 0),
        };
        struct loop_info64 info = { .lo_flags = LO_FLAGS_AUTOCLEAR };

        snprintf((char *)cfg.info.lo_file_name, sizeof(cfg.info.lo_file_name), "%s", file);
        if (ioctl(fd, LOOP_CONFIGURE, &cfg) == 0)
                return 0;
        if (errno != EINVAL && errno != ENOTTY)
                return -errno;
        /* Before Linux 5.8: two steps (read-only follows file_fd's mode). */
        if (ioctl(fd, LOOP_SET_FD, file_fd) < 0)
                return -errno;
        memcpy(info.lo_file_name, cfg.info.lo_file_name, sizeof(info.lo_file_name));
        if (ioctl(fd, LOOP_SET_STATUS64, &info) < 0) {
                int r = -errno;
                (void)ioctl(fd, LOOP_CLR_FD, 0);
                return r;
        }
        return 0;
}

static int open_backing(const char *file, bool *ro) {
        int fd = open(file, (*ro ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NOCTTY);

        if (fd < 0 && !*ro && (errno == EROFS || errno == EACCES || errno == EPERM)) {
                *ro = true;
                fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        }
        if (fd < 0)
                return storvirt__error_set(-errno, "image '%s': %s", file, strerror(errno));
        return fd;
}

int storvirt__loop_attach(const char *file, bool read_only, storvirt__loop *ret) {
        _cleanup_close_ int ctl = -1, file_fd = -1;
        storvirt__loop l = STORVIRT__LOOP_INIT;
        int r = -EBUSY;

        ctl = open(LOOP_CONTROL, O_RDWR | O_CLOEXEC);
        if (ctl < 0)
                return storvirt__error_set(errno == ENOENT ? -ENODEV : -errno,
                                           "attaching '%s' to a loop device: %s: %s", file,
                                           LOOP_CONTROL, strerror(errno));
        file_fd = open_backing(file, &read_only);
        if (file_fd < 0)
                return file_fd;
        for (int tries = 0; tries < LOOP_ATTACH_TRIES && r == -EBUSY; tries++) {
                l.nr = ioctl(ctl, LOOP_CTL_GET_FREE);
                if (l.nr < 0)
                        return storvirt__error_set(-errno, "attaching '%s': no free loop "
                                                   "device: %s", file, strerror(errno));
                snprintf(l.path, sizeof(l.path), "/dev/loop%d", l.nr);
                l.fd = open(l.path, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
                if (l.fd < 0)
                        return storvirt__error_set(-errno, "attaching '%s': %s: %s", file,
                                                   l.path, strerror(errno));
                l.read_only = read_only;
                r = loop_bind(l.fd, file_fd, read_only, file);
                if (r < 0)
                        storvirt__loop_release(&l);
        }
        if (r < 0)
                return storvirt__error_set(r, "attaching '%s' to %s: %s", file, l.path,
                                           strerror(-r));
        *ret = l;
        return 0;
}

/* Reads a small sysfs attribute, trailing newline removed. */
static int sysfs_read(const char *path, char *buf, size_t size) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n;

        if (fd < 0)
                return -errno;
        n = read(fd, buf, size - 1);
        if (n < 0)
                return -errno;
        while (n > 0 && buf[n - 1] == '\n')
                n--;
        buf[n] = '\0';
        return 0;
}

/* Whether the backing path the kernel shows for a loop is `file`. */
static bool backing_path_is(const char *shown, const struct stat *file_st) {
        char path[PATH_MAX];
        size_t n = strlen(shown);
        struct stat st;

        if (n >= sizeof(path))
                return false;
        memcpy(path, shown, n + 1);
        if (n > 10 && strcmp(path + n - 10, " (deleted)") == 0)
                return false;
        return stat(path, &st) == 0 && st.st_dev == file_st->st_dev &&
               st.st_ino == file_st->st_ino;
}

int storvirt__loop_open_if_backing(unsigned major, unsigned minor, const char *file,
                                   storvirt__loop *ret) {
        char sys[64], link[PATH_MAX], shown[PATH_MAX];
        storvirt__loop l = STORVIRT__LOOP_INIT;
        struct loop_info64 info = {}; /* filled by the kernel; zeroed for valgrind */
        struct stat st, fst;
        const char *base;
        ssize_t n;
        int fd;

        if (stat(file, &fst) < 0)
                return 0;
        snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u", major, minor);
        n = readlink(sys, link, sizeof(link) - 1);
        if (n < 0)
                return 0;
        link[n] = '\0';
        base = strrchr(link, '/');
        base = base ? base + 1 : link;
        if (strncmp(base, "loop", 4) != 0 || !base[4] || strspn(base + 4, "0123456789") !=
                                                             strlen(base + 4))
                return 0;
        l.nr = atoi(base + 4);
        snprintf(l.path, sizeof(l.path), "/dev/loop%d", l.nr);
        fd = open(l.path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return storvirt__error_set(-errno, "%s: %s", l.path, strerror(errno));
        if (fstat(fd, &st) < 0 || !S_ISBLK(st.st_mode) || st.st_rdev != makedev(major, minor) ||
            ioctl(fd, LOOP_GET_STATUS64, &info) < 0)
                goto no;
        if (!(info.lo_device == (uint64_t)fst.st_dev && info.lo_inode == (uint64_t)fst.st_ino)) {
                /* st_dev of btrfs subvolumes differs from the superblock's: ask sysfs. */
                snprintf(sys, sizeof(sys), "/sys/block/loop%d/loop/backing_file", l.nr);
                if (sysfs_read(sys, shown, sizeof(shown)) < 0 || !backing_path_is(shown, &fst))
                        goto no;
        }
        l.fd = fd;
        *ret = l;
        return 1;
no:
        close(fd);
        return 0;
}

int storvirt__loop_find_backing(const char *file) {
        char path[PATH_MAX], shown[PATH_MAX];
        struct stat fst;
        struct dirent *de;
        int found = -ENOENT;
        DIR *d;

        if (stat(file, &fst) < 0)
                return -errno;
        d = opendir("/sys/block");
        if (!d)
                return -errno;
        while (found < 0 && (de = readdir(d))) {
                if (strncmp(de->d_name, "loop", 4) != 0 || !de->d_name[4])
                        continue;
                snprintf(path, sizeof(path), "/sys/block/%s/loop/backing_file", de->d_name);
                if (sysfs_read(path, shown, sizeof(shown)) == 0 && backing_path_is(shown, &fst))
                        found = atoi(de->d_name + 4);
        }
        closedir(d);
        return found;
}
