/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lock.c - state directory locks on lock files with open file
 * description locks: shared or exclusive, blocking, try-once, or with a
 * bounded wait (polling F_OFD_SETLK with short, growing sleeps).
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "util/fileio.h"
#include "util/lock.h"
#include "util/macro.h"

#define SLEEP_MIN_NS (1000 * 1000ULL)       /* 1 ms */
#define SLEEP_MAX_NS (32 * 1000 * 1000ULL)  /* 32 ms */

static uint64_t now_ns(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000ULL + (uint64_t) ts.tv_nsec;
}

static void sleep_ns(uint64_t ns) {
        struct timespec ts = {
                .tv_sec = (time_t) (ns / 1000000000ULL),
                .tv_nsec = (long) (ns % 1000000000ULL),
        };

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static const char *mode_str(int mode) {
        return mode == STORVIRT__LOCK_EXCLUSIVE ? "an exclusive" : "a shared";
}

static int lock_open(int dirfd, const char *name, int mode, const char *q) {
        _cleanup_close_ int fd = -1;
        struct stat st;
        int r;

        fd = openat(dirfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0644);
        /* A reader that may not write the file can still share the lock. */
        if (fd < 0 && mode == STORVIRT__LOCK_SHARED && (errno == EACCES || errno == EROFS))
                fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                r = -errno;
                return storvirt__error_set(r, "lock '%s': cannot open: %s", q, strerror(-r));
        }
        if (fstat(fd, &st) < 0) {
                r = -errno;
                return storvirt__error_set(r, "lock '%s': cannot stat: %s", q, strerror(-r));
        }
        if (!S_ISREG(st.st_mode))
                return storvirt__error_set(-EINVAL, "lock '%s': not a regular file", q);
        return TAKE_FD(fd);
}

/* One attempt (or a blocking wait); -EBUSY when held elsewhere. */
static int lock_fcntl(int fd, int mode, bool wait) {
        struct flock fl = {
                .l_type = mode == STORVIRT__LOCK_EXCLUSIVE ? F_WRLCK : F_RDLCK,
                .l_whence = SEEK_SET,
                .l_start = 0,
                .l_len = 0,   /* whole file */
                .l_pid = 0,   /* required for OFD locks */
        };

        for (;;) {
                if (fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl) == 0)
                        return 0;
                if (errno == EINTR)
                        continue;
                if (errno == EAGAIN || errno == EACCES)
                        return -EBUSY;
                return -errno;
        }
}

/* Lock fd: forever (timeout_ms < 0), once (0) or until deadline. */
static int lock_wait(int fd, int mode, int timeout_ms, uint64_t deadline) {
        uint64_t delay = SLEEP_MIN_NS;
        int r;

        if (timeout_ms < 0)
                return lock_fcntl(fd, mode, true);
        for (;;) {
                uint64_t now;

                r = lock_fcntl(fd, mode, false);
                if (r != -EBUSY || timeout_ms == 0)
                        return r;
                now = now_ns();
                if (now >= deadline)
                        return -ETIMEDOUT;
                sleep_ns(delay < deadline - now ? delay : deadline - now);
                if (delay < SLEEP_MAX_NS)
                        delay *= 2;
        }
}

/* 1 if fd is still the file linked at dirfd/name, 0 if not, <0 on error. */
static int lock_verify(int dirfd, const char *name, int fd) {
        struct stat a, b;

        if (fstat(fd, &a) < 0)
                return -errno;
        if (fstatat(dirfd, name, &b, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int lock_fail(int r, const char *q, int mode, int timeout_ms) {
        if (r == -EBUSY)
                return storvirt__error_set(r, "lock '%s': cannot take %s lock, it is held "
                                           "elsewhere", q, mode_str(mode));
        if (r == -ETIMEDOUT)
                return storvirt__error_set(r, "lock '%s': timed out after %d ms waiting "
                                           "for %s lock", q, timeout_ms, mode_str(mode));
        return storvirt__error_set(r, "lock '%s': cannot take %s lock: %s",
                                   q, mode_str(mode), strerror(-r));
}

int storvirt__lock_acquire(int dirfd, const char *name, int mode, int timeout_ms,
                           storvirt__lock *ret) {
        char q[STORVIRT__ESCAPED_NAME_SIZE];
        uint64_t deadline = 0;
        int r;

        r = storvirt__name_check("lock", name);
        if (r < 0)
                return r;
        check_arg(mode == STORVIRT__LOCK_SHARED || mode == STORVIRT__LOCK_EXCLUSIVE,
                  "mode", "must be STORVIRT__LOCK_SHARED or STORVIRT__LOCK_EXCLUSIVE");
        check_arg(timeout_ms >= -1, "timeout_ms", "must be -1, 0 or positive");
        check_nonnull(ret);
        storvirt__name_escape(name, q, sizeof(q));
        if (timeout_ms > 0)
                deadline = now_ns() + (uint64_t) timeout_ms * 1000000ULL;

        for (;;) {
                _cleanup_close_ int fd = -1;

                fd = lock_open(dirfd, name, mode, q);
                if (fd < 0)
                        return fd;
                r = lock_wait(fd, mode, timeout_ms, deadline);
                if (r < 0)
                        return lock_fail(r, q, mode, timeout_ms);
                r = lock_verify(dirfd, name, fd);
                if (r < 0)
                        return storvirt__error_set(r, "lock '%s': cannot stat: %s",
                                                   q, strerror(-r));
                if (r > 0) {
                        ret->fd = TAKE_FD(fd);
                        return 0;
                }
                /* The file was replaced while we waited: lock the new one. */
        }
}

void storvirt__lock_release(storvirt__lock *l) {
        struct flock fl = {
                .l_type = F_UNLCK,
                .l_whence = SEEK_SET,
        };
        int saved_errno = errno;

        if (!l || l->fd < 0)
                return;
        /* Unlock explicitly: a forked child may still share the descriptor. */
        (void) fcntl(l->fd, F_OFD_SETLK, &fl);
        close(l->fd);
        l->fd = -1;
        errno = saved_errno;
}
