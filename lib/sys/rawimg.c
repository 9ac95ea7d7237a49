/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rawimg.c - raw image creation: ftruncate() for sparse images;
 * fallocate() chunk by chunk for preallocated ones, falling back to
 * writing zeros where fallocate() is not supported, with a progress
 * callback that can cancel.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "sys/rawimg.h"
#include "util/macro.h"

#define MIN(a, b) ((a) < (b) ? (a) : (b))

static int report(storvirt__progress_fn fn, void *userdata, uint64_t done, uint64_t total,
                  const char *what) {
        if (fn && fn(done, total, userdata) != 0)
                return storvirt__error_set(-ECANCELED, "'%s': cancelled after %" PRIu64 " of %"
                                           PRIu64 " bytes", what, done, total);
        return 0;
}

int storvirt__raw_write_zeros(int fd, uint64_t start, uint64_t end,
                              storvirt__progress_fn fn, void *userdata, const char *what) {
        _cleanup_free_ uint8_t *zeros = NULL;
        uint64_t off = start;

        check_arg(fd >= 0, "fd", "must be an open file descriptor");
        check_arg(start <= end, "start", "must not be past end");
        if (!what)
                what = "raw image";
        zeros = calloc(1, (size_t) MIN(end - start, STORVIRT__RAW_ZERO_CHUNK) + 1);
        if (!zeros)
                return storvirt__error_oom();
        while (off < end) {
                size_t len = (size_t) MIN(end - off, STORVIRT__RAW_ZERO_CHUNK);
                ssize_t n = pwrite(fd, zeros, len, (off_t) off);
                int r;

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        int err = n < 0 ? errno : EIO;

                        return storvirt__error_set(-err, "'%s': writing zeros at offset %" PRIu64
                                                   ": %s", what, off, strerror(err));
                }
                off += (uint64_t) n;
                r = report(fn, userdata, off, end, what);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int raw_fallocate(int fd, uint64_t size, storvirt__progress_fn fn, void *userdata,
                         const char *what) {
        uint64_t off = 0;

        while (off < size) {
                uint64_t len = MIN(size - off, STORVIRT__RAW_FALLOCATE_CHUNK);
                int r;

                if (fallocate(fd, 0, (off_t) off, (off_t) len) < 0) {
                        int err = errno;

                        if (err == EINTR)
                                continue;
                        if (err == EOPNOTSUPP)
                                return storvirt__raw_write_zeros(fd, off, size, fn, userdata, what);
                        return storvirt__error_set(-err, "'%s': fallocate at offset %" PRIu64
                                                   " (%" PRIu64 " bytes): %s", what, off, len,
                                                   strerror(err));
                }
                off += len;
                r = report(fn, userdata, off, size, what);
                if (r < 0)
                        return r;
        }
        return 0;
}

int storvirt__raw_create_fd(int fd, uint64_t size, bool preallocate,
                            storvirt__progress_fn fn, void *userdata, const char *what) {
        struct stat st;
        int r;

        check_arg(fd >= 0, "fd", "must be an open file descriptor");
        if (!what)
                what = "raw image";
        if (size > INT64_MAX)
                return storvirt__error_set(-EINVAL, "'%s': size %" PRIu64 " larger than 2^63-1",
                                           what, size);
        if (fstat(fd, &st) < 0) {
                int err = errno;

                return storvirt__error_set(-err, "'%s': fstat: %s", what, strerror(err));
        }
        if (!S_ISREG(st.st_mode))
                return storvirt__error_set(-EINVAL, "'%s': not a regular file", what);
        if (st.st_size != 0)
                return storvirt__error_set(-EINVAL, "'%s': not empty (%" PRIu64 " bytes): raw images "
                                           "are created in empty files", what, (uint64_t) st.st_size);
        if (!preallocate) {
                if (ftruncate(fd, (off_t) size) < 0) {
                        int err = errno;

                        return storvirt__error_set(-err, "'%s': ftruncate to %" PRIu64 " bytes: %s",
                                                   what, size, strerror(err));
                }
                return 0;
        }
        r = raw_fallocate(fd, size, fn, userdata, what);
        if (r < 0)
                return r;
        return size == 0 ? report(fn, userdata, 0, 0, what) : 0;
}
