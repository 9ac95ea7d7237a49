/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * outfile.c - the output file of vol-download (see outfile.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"

#define TMP_SUFFIX_LEN 6
#define TMP_ATTEMPTS 128

static int fail(struct cli *cli, struct outfile *o, int err, const char *what, const char *path) {
        outfile_abort(o);
        return cli_error(cli, err, "cannot %s '%s': %s", what, path, strerror(err));
}

/* A new ".<name>.XXXXXX" in o->dirfd, created with mode (less the umask). */
static int tmp_create(struct outfile *o, mode_t mode) {
        static const char chars[] =
                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        size_t n = strlen(o->name);

        if (n > NAME_MAX - TMP_SUFFIX_LEN - 2)
                n = NAME_MAX - TMP_SUFFIX_LEN - 2;
        for (int attempt = 0; attempt < TMP_ATTEMPTS; attempt++) {
                unsigned char rnd[TMP_SUFFIX_LEN];

                if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
                        return -errno;
                snprintf(o->tmp, sizeof(o->tmp), ".%.*s.", (int)n, o->name);
                for (size_t i = 0; i < TMP_SUFFIX_LEN; i++)
                        o->tmp[n + 2 + i] = chars[rnd[i] % (sizeof(chars) - 1)];
                o->tmp[n + 2 + TMP_SUFFIX_LEN] = '\0';
                o->fd = openat(o->dirfd, o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
                               O_CLOEXEC | O_NOCTTY, mode);
                if (o->fd >= 0)
                        return 0;
                if (errno != EEXIST)
                        break;
        }
        o->tmp[0] = '\0';
        return -errno;
}

/* Splits final into o->dirfd and o->name; 0 or a positive errno. */
static int split_path(const char *final, struct outfile *o) {
        const char *slash = strrchr(final, '/');
        char *dir;

        o->name = strdup(slash ? slash + 1 : final);
        if (!slash)
                dir = strdup(".");
        else if (slash == final)
                dir = strdup("/");
        else
                dir = strndup(final, (size_t)(slash - final));
        if (!o->name || !dir) {
                free(dir);
                return ENOMEM;
        }
        if (!o->name[0]) {
                free(dir);
                return EISDIR;
        }
        o->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        free(dir);
        return o->dirfd < 0 ? errno : 0;
}

/* An existing file's owner (root only) and mode on the temporary file. */
static int take_attributes(struct outfile *o, const struct stat *st) {
        if (geteuid() == 0 && (st->st_uid != geteuid() || st->st_gid != getegid()) &&
            fchown(o->fd, st->st_uid, st->st_gid) < 0)
                return errno;
        if (fchmod(o->fd, st->st_mode & 07777) < 0)
                return errno;
        return 0;
}

int outfile_open(struct cli *cli, const char *path, struct outfile *o) {
        struct stat st, lst;
        char *real = NULL;
        int r, exists;

        *o = (struct outfile)OUTFILE_INIT;
        exists = stat(path, &st) == 0;
        if (!exists && errno != ENOENT)
                return fail(cli, o, errno, "open", path);
        if (exists && !S_ISREG(st.st_mode)) {
                o->fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
                return o->fd < 0 ? fail(cli, o, errno, "open", path) : 0;
        }
        if (!exists && lstat(path, &lst) == 0)
                return cli_error(cli, ENOENT, "cannot open '%s': a symbolic link to a missing "
                                 "file", path);
        /* Replacing a file needs no write permission on it: ask for it anyway. */
        if (exists && faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) < 0)
                return fail(cli, o, errno, "open", path);
        if (exists && !(real = realpath(path, NULL)))
                return fail(cli, o, errno, "open", path);
        r = split_path(real ? real : path, o);
        free(real);
        if (r)
                return fail(cli, o, r, "open", path);
        r = tmp_create(o, exists ? 0600 : 0666);
        if (r < 0)
                return fail(cli, o, -r, "create a temporary file next to", path);
        r = exists ? take_attributes(o, &st) : 0;
        return r ? fail(cli, o, r, "set the owner and mode of a temporary copy of", path) : 0;
}

int outfile_commit(struct cli *cli, const char *path, struct outfile *o) {
        int fd = o->fd;

        o->fd = -1;
        if (o->dirfd < 0) {
                if (close(fd) < 0 && errno != EINTR)
                        return fail(cli, o, errno, "write", path);
                return 0;
        }
        if (fsync(fd) < 0) {
                int err = errno;

                close(fd);
                return fail(cli, o, err, "write", path);
        }
        if (close(fd) < 0 && errno != EINTR)
                return fail(cli, o, errno, "write", path);
        if (renameat(o->dirfd, o->tmp, o->dirfd, o->name) < 0)
                return fail(cli, o, errno, "replace", path);
        o->tmp[0] = '\0';
        (void)fsync(o->dirfd);
        outfile_abort(o);
        return 0;
}

void outfile_abort(struct outfile *o) {
        if (o->fd >= 0)
                close(o->fd);
        o->fd = -1;
        if (o->dirfd >= 0) {
                if (o->tmp[0])
                        unlinkat(o->dirfd, o->tmp, 0);
                close(o->dirfd);
        }
        o->dirfd = -1;
        o->tmp[0] = '\0';
        free(o->name);
        o->name = NULL;
}
