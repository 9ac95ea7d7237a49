/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fileio.c - file helpers for the state directory: atomic replace
 * (temporary file + fsync + rename + directory fsync), bounded reads
 * that refuse symlinks and special files (and, for records, other
 * users' files), the private-directory check, mkdir -p, and plain file
 * name validation with escaped names in error messages.
 */
#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <linux/fs.h>
#include <sys/vfs.h>
#include <sys/ioctl.h>
#include <time.h>

#include "util/bigmem.h"
#include "util/fileio.h"
#include "util/macro.h"

/* ".<name>." + 6 random characters must fit in NAME_MAX. */
#define TMP_SUFFIX_LEN 6
#define TMP_EXTRA (1 + 1 + TMP_SUFFIX_LEN)
#define TMP_ATTEMPTS 128

/* Escaped form of byte c into out (at most 4 bytes + NUL); returns its length. */
static size_t escape_byte(unsigned char c, char out[static 5]) {
        if (c == '\'' || c == '\\')
                return (size_t) snprintf(out, 5, "\\%c", c);
        if (c >= 0x20 && c < 0x7f)
                return (size_t) snprintf(out, 5, "%c", c);
        return (size_t) snprintf(out, 5, "\\x%02x", c);
}

static size_t escaped_len(const char *s) {
        char tmp[5];
        size_t n = 0;

        for (; *s; s++)
                n += escape_byte((unsigned char) *s, tmp);
        return n;
}

char *storvirt__name_escape(const char *s, char *buf, size_t size) {
        size_t o = 0;

        if (size == 0)
                return buf;
        if (!s)
                s = "(null)";
        for (; *s; s++) {
                char tmp[5];
                size_t n = escape_byte((unsigned char) *s, tmp);

                /* Keep room for "..." unless the whole rest fits. */
                if (o + n + 4 > size && o + escaped_len(s) + 1 > size) {
                        if (o + 4 <= size) {
                                memcpy(buf + o, "...", 3);
                                o += 3;
                        }
                        break;
                }
                memcpy(buf + o, tmp, n);
                o += n;
        }
        buf[o] = '\0';
        return buf;
}

bool storvirt__has_control_char(const char *s) {
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || *s == 0x7f)
                        return true;
        return false;
}

int storvirt__name_check(const char *what, const char *name) {
        char q[STORVIRT__ESCAPED_NAME_SIZE];
        const char *why = NULL;

        if (!what)
                what = "file";
        if (!name)
                return storvirt__error_set(-EINVAL, "invalid %s name: missing", what);
        if (name[0] == '\0')
                why = "empty";
        else if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
                why = "reserved name";
        else if (strchr(name, '/'))
                why = "contains '/'";
        else if (storvirt__has_control_char(name))
                why = "contains a control character";
        else if (strlen(name) > STORVIRT__NAME_MAX)
                why = "longer than 255 bytes";
        if (!why)
                return 0;
        return storvirt__error_set(-EINVAL, "invalid %s name '%s': %s", what,
                                   storvirt__name_escape(name, q, sizeof(q)), why);
}

static void random_chars(char *s, size_t n, unsigned attempt) {
        static const char chars[] =
                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        unsigned char rnd[TMP_SUFFIX_LEN];
        ssize_t k;

        k = getrandom(rnd, n, GRND_NONBLOCK);
        if (k != (ssize_t) n) {
                /* No entropy yet: O_EXCL still makes this safe, just slower. */
                struct timespec ts;
                uint64_t x;

                clock_gettime(CLOCK_MONOTONIC, &ts);
                x = (uint64_t) ts.tv_nsec ^ ((uint64_t) ts.tv_sec << 30) ^
                    ((uint64_t) getpid() << 16) ^ attempt;
                for (size_t i = 0; i < n; i++) {
                        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
                        rnd[i] = (unsigned char) (x >> 56);
                }
        }
        for (size_t i = 0; i < n; i++)
                s[i] = chars[rnd[i] % (sizeof(chars) - 1)];
}

/* Create a new hidden ".<name>.XXXXXX" in dirfd; its name goes to tmp. */
static int tmpfile_create(int dirfd, const char *name, char *tmp, size_t tmpsize,
                          int *ret_fd) {
        size_t n = strlen(name);

        if (n > NAME_MAX - TMP_EXTRA)
                n = NAME_MAX - TMP_EXTRA;
        for (unsigned attempt = 0; attempt < TMP_ATTEMPTS; attempt++) {
                int fd;

                snprintf(tmp, tmpsize, ".%.*s.", (int) n, name);
                random_chars(tmp + n + 2, TMP_SUFFIX_LEN, attempt);
                tmp[n + TMP_EXTRA] = '\0';
                fd = openat(dirfd, tmp,
                            O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
                            0600);
                if (fd >= 0) {
                        *ret_fd = fd;
                        return 0;
                }
                if (errno != EEXIST)
                        return -errno;
        }
        return -EEXIST;
}

bool storvirt__file_is_temp(const char *name) {
        size_t n = strlen(name);

        /* "." + at least one byte of name + "." + the suffix */
        if (name[0] != '.' || n < TMP_EXTRA + 1 || name[n - TMP_SUFFIX_LEN - 1] != '.')
                return false;
        for (size_t i = n - TMP_SUFFIX_LEN; i < n; i++)
                if (!isalnum((unsigned char) name[i]))
                        return false;
        return true;
}

static int write_all(int fd, const void *data, size_t len) {
        const unsigned char *p = data;

        while (len > 0) {
                ssize_t k = write(fd, p, len > (size_t) SSIZE_MAX ? (size_t) SSIZE_MAX : len);

                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        return -EIO;
                p += k;
                len -= (size_t) k;
        }
        return 0;
}

/* Fill, chmod, sync and close the temporary file; *step names what failed. */
static int tmpfile_fill(int fd, const void *data, size_t len, mode_t mode,
                        const char **step) {
        int r;

        *step = "cannot write";
        r = write_all(fd, data, len);
        if (r < 0)
                goto fail;
        *step = "cannot set mode of";
        if (fchmod(fd, mode) < 0)
                goto fail_errno;
        *step = "cannot sync";
        if (fsync(fd) < 0)
                goto fail_errno;
        *step = "cannot close";
        if (close(fd) < 0 && errno != EINTR)
                return -errno;
        return 0;

fail_errno:
        r = -errno;
fail:
        close(fd);
        return r;
}

static int dir_sync(int dirfd) {
        _cleanup_close_ int fd = -1;

        fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fsync(fd) < 0)
                return -errno;
        return 0;
}

/* Fill tmp (open as fd) with the data and rename it over name; tmp is gone on failure. */
static int replace_with(int dirfd, const char *name, const char *q, const char *tmp, int fd,
                        const void *data, size_t len, mode_t mode) {
        const char *step;
        int r;

        r = tmpfile_fill(fd, data, len, mode, &step);
        if (r < 0) {
                unlinkat(dirfd, tmp, 0);
                return storvirt__error_set(r, "file '%s': %s temporary file: %s",
                                           q, step, strerror(-r));
        }
        if (renameat(dirfd, tmp, dirfd, name) < 0) {
                r = -errno;
                unlinkat(dirfd, tmp, 0);
                return storvirt__error_set(r, "file '%s': cannot replace: %s",
                                           q, strerror(-r));
        }
        r = dir_sync(dirfd);
        if (r < 0)
                return storvirt__error_set(r, "file '%s': cannot sync directory: %s",
                                           q, strerror(-r));
        return 0;
}

int storvirt__file_write_atomic(int dirfd, const char *name, const void *data,
                                size_t len, mode_t mode) {
        char tmp[NAME_MAX + 1], q[STORVIRT__ESCAPED_NAME_SIZE];
        int fd = -1, r;

        r = storvirt__name_check("file", name);
        if (r < 0)
                return r;
        check_arg(data || len == 0, "data", "must not be NULL when len > 0");
        check_arg((mode & ~(mode_t) 07777) == 0, "mode", "only permission bits allowed");
        storvirt__name_escape(name, q, sizeof(q));

        r = tmpfile_create(dirfd, name, tmp, sizeof(tmp), &fd);
        if (r < 0)
                return storvirt__error_set(r, "file '%s': cannot create temporary file: %s",
                                           q, strerror(-r));
        return replace_with(dirfd, name, q, tmp, fd, data, len, mode);
}

int storvirt__file_write_atomic_via(int dirfd, const char *name, const char *tmp,
                                    const void *data, size_t len, mode_t mode) {
        char q[STORVIRT__ESCAPED_NAME_SIZE];
        int fd, r;

        r = storvirt__name_check("file", name);
        if (r >= 0)
                r = storvirt__name_check("temporary file", tmp);
        if (r < 0)
                return r;
        check_arg(strcmp(name, tmp) != 0, "tmp", "must not be the file's own name");
        check_arg(data || len == 0, "data", "must not be NULL when len > 0");
        check_arg((mode & ~(mode_t) 07777) == 0, "mode", "only permission bits allowed");
        storvirt__name_escape(name, q, sizeof(q));

        if (unlinkat(dirfd, tmp, 0) < 0 && errno != ENOENT)
                return storvirt__error_set(-errno, "file '%s': cannot remove an old temporary "
                                                   "file: %m", q);
        fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
                    0600);
        if (fd < 0)
                return storvirt__error_set(-errno, "file '%s': cannot create temporary file: %m",
                                           q);
        return replace_with(dirfd, name, q, tmp, fd, data, len, mode);
}

static int open_regular(int dirfd, const char *name, const char *q, bool owned,
                        struct stat *st) {
        _cleanup_close_ int fd = -1;
        int r;

        /* O_NONBLOCK: opening a FIFO must not hang; harmless for files. */
        fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0) {
                r = -errno;
                if (r == -ELOOP)
                        return storvirt__error_set(-EINVAL, "file '%s': is a symbolic link", q);
                return storvirt__error_set(r, "file '%s': cannot open: %s", q, strerror(-r));
        }
        if (fstat(fd, st) < 0) {
                r = -errno;
                return storvirt__error_set(r, "file '%s': cannot stat: %s", q, strerror(-r));
        }
        if (!S_ISREG(st->st_mode))
                return storvirt__error_set(-EINVAL, "file '%s': not a regular file", q);
        if (owned && st->st_uid != geteuid())
                return storvirt__error_set(-EPERM, "file '%s': owned by uid %u, not %u", q,
                                           (unsigned) st->st_uid, (unsigned) geteuid());
        return TAKE_FD(fd);
}

static int too_big(const char *q, size_t max_size) {
        return storvirt__error_set(-EFBIG, "file '%s': larger than the limit of %zu bytes",
                                   q, max_size);
}

/* Next buffer size: the file size hint first, then doubling, at most full. */
static size_t grow_size(size_t cap, size_t hint, size_t full) {
        size_t n;

        if (cap == 0)
                n = hint < SIZE_MAX - 2 ? hint + 2 : SIZE_MAX; /* +1 to see EOF, +1 NUL */
        else
                n = cap < SIZE_MAX / 2 ? cap * 2 : SIZE_MAX;
        if (n < 4096)
                n = 4096;
        return n < full ? n : full;
}

/* Read fd to EOF into a NUL-terminated buffer of at most max_size bytes. */
static int read_fd(int fd, const char *q, size_t hint, size_t max_size,
                   char **ret_data, size_t *ret_len) {
        /* max_size + 1 bytes show the file is too big, + 1 for the NUL */
        size_t full = max_size < SIZE_MAX - 2 ? max_size + 2 : SIZE_MAX;
        _cleanup_free_ char *data = NULL;
        size_t len = 0, cap = 0;
        ssize_t k;
        int r;

        for (;;) {
                if (cap - len < 2) {
                        size_t ncap = grow_size(cap, hint, full);
                        char *n;

                        if (ncap <= cap)
                                return too_big(q, max_size);
                        n = realloc(data, ncap);
                        if (!n)
                                return storvirt__error_oom();
                        data = n;
                        cap = ncap;
                }
                k = read(fd, data + len, cap - len - 1);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0) {
                        r = -errno;
                        return storvirt__error_set(r, "file '%s': cannot read: %s",
                                                   q, strerror(-r));
                }
                if (k == 0)
                        break;
                len += (size_t) k;
                if (len > max_size)
                        return too_big(q, max_size);
        }
        data[len] = '\0';
        *ret_data = TAKE_PTR(data);
        if (ret_len)
                *ret_len = len;
        return 0;
}

static int read_file(int dirfd, const char *name, size_t max_size, bool owned,
                     char **ret_data, size_t *ret_len) {
        char q[STORVIRT__ESCAPED_NAME_SIZE];
        _cleanup_close_ int fd = -1;
        struct stat st;

        check_nonnull(name);
        check_arg(name[0] != '\0', "name", "must not be empty");
        check_nonnull(ret_data);
        storvirt__name_escape(name, q, sizeof(q));

        fd = open_regular(dirfd, name, q, owned, &st);
        if (fd < 0)
                return fd;
        if ((uint64_t) st.st_size > max_size)
                return too_big(q, max_size);
        return read_fd(fd, q, (size_t) st.st_size, max_size, ret_data, ret_len);
}

int storvirt__file_read_all(int dirfd, const char *name, size_t max_size,
                            char **ret_data, size_t *ret_len) {
        return read_file(dirfd, name, max_size, false, ret_data, ret_len);
}

int storvirt__file_read_owned(int dirfd, const char *name, size_t max_size,
                              char **ret_data, size_t *ret_len) {
        return read_file(dirfd, name, max_size, true, ret_data, ret_len);
}

/* Reads fd (size bytes said fstat) to EOF into data (size + 2 bytes allocated). */
static int read_sized(int fd, const char *q, char *data, size_t size, size_t *ret_len) {
        size_t len = 0;
        ssize_t k;

        /* one byte more than said shows a file that grew */
        while (len <= size) {
                k = read(fd, data + len, size + 1 - len);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return storvirt__error_set(-errno, "file '%s': cannot read: %m", q);
                if (k == 0)
                        break;
                len += (size_t) k;
        }
        if (len > size)
                return storvirt__error_set(-EIO, "file '%s': grew while it was read", q);
        data[len] = '\0';
        *ret_len = len;
        return 0;
}

int storvirt__file_read_owned_big(int dirfd, const char *name, size_t max_size,
                                  char **ret_data, size_t *ret_len, size_t *ret_alloc) {
        char q[STORVIRT__ESCAPED_NAME_SIZE];
        _cleanup_close_ int fd = -1;
        struct stat st;
        size_t size, len = 0;
        char *data;
        int r;

        check_nonnull(name);
        check_arg(name[0] != '\0', "name", "must not be empty");
        check_nonnull(ret_data);
        check_nonnull(ret_alloc);
        storvirt__name_escape(name, q, sizeof(q));
        fd = open_regular(dirfd, name, q, true, &st);
        if (fd < 0)
                return fd;
        if ((uint64_t) st.st_size > max_size || max_size > SIZE_MAX - 2)
                return too_big(q, max_size);
        size = (size_t) st.st_size;
        data = storvirt__bigmem_alloc(size + 2);
        if (!data)
                return storvirt__error_oom();
        r = read_sized(fd, q, data, size, &len);
        if (r < 0) {
                storvirt__bigmem_free(data, size + 2);
                return r;
        }
        *ret_data = data;
        if (ret_len)
                *ret_len = len;
        *ret_alloc = size + 2;
        return 0;
}

static const char *mode_writer(mode_t mode) {
        if (mode & S_IWOTH)
                return "others";
        return "its group";
}

int storvirt__dir_check_private(int fd, const char *what, const char *path, mode_t allowed) {
        struct stat st;
        mode_t perm;

        if (fstat(fd, &st) < 0)
                return storvirt__error_set(-errno, "%s '%s': cannot stat: %m", what, path);
        if (!S_ISDIR(st.st_mode))
                return storvirt__error_set(-ENOTDIR, "%s '%s' is not a directory", what, path);
        if (st.st_uid != geteuid())
                return storvirt__error_set(-EPERM, "%s '%s' is owned by uid %u, not %u: "
                                           "refusing to use it", what, path,
                                           (unsigned) st.st_uid, (unsigned) geteuid());
        perm = st.st_mode & 07777;
        if (perm & (S_IWGRP | S_IWOTH))
                return storvirt__error_set(-EPERM, "%s '%s' is writable by %s (mode %04o): "
                                           "refusing to use it", what, path,
                                           mode_writer(perm), (unsigned) perm);
        if ((perm & ~allowed) && fchmod(fd, perm & allowed) < 0)
                return storvirt__error_set(-errno, "%s '%s': cannot set its mode to %04o: %m",
                                           what, path, (unsigned) (perm & allowed));
        return 0;
}

static int mkdir_one(const char *path, mode_t mode) {
        char q[STORVIRT__ESCAPED_NAME_SIZE];
        struct stat st;
        int r;

        if (mkdir(path, mode) == 0)
                return 0;
        r = -errno;
        if (r == -EEXIST) {
                if (stat(path, &st) < 0)
                        r = -errno;
                else if (S_ISDIR(st.st_mode))
                        return 0;
                else
                        return storvirt__error_set(-ENOTDIR,
                                "'%s' exists and is not a directory",
                                storvirt__name_escape(path, q, sizeof(q)));
        }
        return storvirt__error_set(r, "cannot create directory '%s': %s",
                                   storvirt__name_escape(path, q, sizeof(q)),
                                   strerror(-r));
}

int storvirt__mkdir_p(const char *path, mode_t mode) {
        _cleanup_free_ char *p = NULL;
        char *s;
        int r;

        check_nonnull(path);
        check_arg(path[0] != '\0', "path", "must not be empty");
        p = strdup(path);
        if (!p)
                return storvirt__error_oom();
        s = p;
        for (;;) {
                char c;

                s += strspn(s, "/");
                if (*s == '\0')
                        break;
                s += strcspn(s, "/");
                c = *s;
                *s = '\0';
                r = mkdir_one(p, mode);
                if (r < 0)
                        return r;
                *s = c;
        }
        return 0;
}

#define BTRFS_MAGIC 0x9123683eL

int storvirt__file_set_cow(int fd, bool cow, const char *what) {
        struct statfs sf;
        int flags = 0, want;

        if (fstatfs(fd, &sf) < 0)
                return storvirt__error_set(-errno, "'%s': statfs: %m", what);
        if (sf.f_type != BTRFS_MAGIC)
                return 0;       /* no copy-on-write here: nothing to turn on or off */
        if (ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0)
                return storvirt__error_set(-errno, "'%s': reading its attributes: %m", what);
        want = cow ? flags & ~FS_NOCOW_FL : flags | FS_NOCOW_FL;
        if (want != flags && ioctl(fd, FS_IOC_SETFLAGS, &want) < 0)
                return storvirt__error_set(-errno, "'%s': turning copy-on-write %s: %m", what,
                                           cow ? "on" : "off");
        return 0;
}
