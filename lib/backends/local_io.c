/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * local_io.c - the long operations on file volumes: clone (reflink or a
 * sparse-aware copy), wipe (zeroing while keeping holes), resize, upload
 * and download through a caller's file descriptor.  Each reports
 * progress and stops with -ECANCELED when the callback asks.
 */
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "backends/local.h"
#include "sys/command.h"
#include "sys/qcow2.h"
#include "util/macro.h"

#define CHUNK (1u << 20)

static int vol_open(storvirt__pool_obj *obj, storvirt__vol_rec *rec, int flags, struct stat *st) {
        int fd = openat(obj->target_fd, rec->name, flags | O_NOFOLLOW | O_CLOEXEC);

        if (fd < 0)
                return storvirt__error_set(-errno, "volume '%s': %s%s", rec->path, strerror(errno),
                                           errno == ELOOP ? " (a symlink: refused)" : "");
        if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
                close(fd);
                return storvirt__error_set(-EINVAL, "volume '%s' is not a regular file", rec->path);
        }
        return fd;
}

static int write_all(int fd, const char *buf, size_t n) {
        while (n > 0) {
                ssize_t k = write(fd, buf, n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                buf += k;
                n -= (size_t)k;
        }
        return 0;
}

/* Next data extent at or after *pos in [.., end); false when none. */
static bool next_data(int fd, uint64_t *pos, uint64_t end, uint64_t *ret_len) {
        off_t d = lseek(fd, (off_t)*pos, SEEK_DATA), h;

        if (d < 0) {
                if (errno != ENXIO && *pos < end) { /* no SEEK_DATA: all data */
                        *ret_len = end - *pos;
                        return true;
                }
                return false;
        }
        if ((uint64_t)d >= end)
                return false;
        h = lseek(fd, d, SEEK_HOLE);
        if (h < 0 || (uint64_t)h > end)
                h = (off_t)end;
        *pos = (uint64_t)d;
        *ret_len = (uint64_t)h - (uint64_t)d;
        return true;
}

/* Copies the data extents of src into dst (same offsets), keeping holes. */
static int sparse_copy(int src, int dst, uint64_t size, const storvirt__progress *p,
                       const char *what) {
        uint64_t pos = 0, len, done = 0;
        int r;

        while (pos < size && next_data(src, &pos, size, &len)) {
                while (len > 0) {
                        size_t want = len > CHUNK ? CHUNK : (size_t)len;
                        loff_t in = (loff_t)pos, out = (loff_t)pos;
                        ssize_t k = copy_file_range(src, &in, dst, &out, want, 0);

                        if (k < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL ||
                                      errno == EOPNOTSUPP)) {
                                char buf[65536];
                                k = pread(src, buf, want < sizeof(buf) ? want : sizeof(buf), (off_t)pos);
                                if (k > 0 && pwrite(dst, buf, (size_t)k, (off_t)pos) != k)
                                        k = -1;
                        }
                        if (k <= 0)
                                return storvirt__error_set(k < 0 ? -errno : -EIO,
                                        "copying into '%s': %s", what,
                                        k < 0 ? strerror(errno) : "unexpected end of file");
                        pos += (uint64_t)k;
                        len -= (uint64_t)k;
                        done += (uint64_t)k;
                        r = storvirt__progress_report(p, done, size);
                        if (r < 0)
                                return r;
                }
        }
        /* Holes count as done: finish at done == total. */
        return storvirt__progress_report(p, size, size);
}

/*
 * qemu-img convert between two open files, named by their /proc/self/fd
 * paths: the source is read as its recorded format (a backing chain it
 * names was checked by the caller: pool volumes only, each with its
 * format in the header), and the destination is our partial file, so
 * qemu-img creates nothing and follows no name of its own.
 */
static int qemu_img_convert(const char *sfmt, const char *src, const char *dfmt, const char *dst,
                            const char *what) {
        char *argv[] = { (char *)"qemu-img", (char *)"convert", (char *)"-q", (char *)"-f",
                         (char *)sfmt, (char *)"-O", (char *)dfmt, (char *)src, (char *)dst, NULL };

        if (storvirt__command_find("qemu-img", NULL) < 0)
                return storvirt__error_set(-EOPNOTSUPP,
                        "converting '%s' from %s to %s needs qemu-img, which is not installed",
                        what, sfmt, dfmt);
        return storvirt__command_run(argv, 0, NULL);
}

static int qemu_img_resize(const char *path, const char *fmt, uint64_t size, bool shrink) {
        char sz[32];
        char *argv[] = { (char *)"qemu-img", (char *)"resize", (char *)"-q", (char *)"-f",
                         (char *)fmt, (char *)(shrink ? "--shrink" : path),
                         (char *)(shrink ? path : sz), shrink ? sz : NULL, NULL };

        snprintf(sz, sizeof(sz), "%llu", (unsigned long long)size);
        if (storvirt__command_find("qemu-img", NULL) < 0)
                return storvirt__error_set(-EOPNOTSUPP,
                        "resizing the %s volume '%s' needs qemu-img, which is not installed", fmt, path);
        return storvirt__command_run(argv, 0, NULL);
}

/* Copies src into the partial file: a reflink when the filesystem can, else a sparse copy. */
static int copy_into(storvirt__vol_rec *rec, int in, const struct stat *st, int out,
                     const storvirt__progress *p, uint32_t flags, const char *src_path) {
        int r;

        if (ioctl(out, FICLONE, in) == 0)
                return storvirt__progress_report(p, (uint64_t)st->st_size, (uint64_t)st->st_size);
        if (flags & STORVIRT_VOLUME_CREATE_REFLINK)
                return storvirt__error_set(-EOPNOTSUPP,
                        "volume '%s': the filesystem cannot reflink '%s' (%s)", rec->path,
                        src_path, strerror(errno));
        r = ftruncate(out, st->st_size) < 0 ? -errno : 0;
        if (r >= 0)
                r = sparse_copy(in, out, (uint64_t)st->st_size, p, rec->path);
        return r;
}

int storvirt__local_build_volume_from(storvirt__pool_obj *obj, storvirt__vol_rec *rec,
                                      const storvirt__vol_def *def, storvirt__vol_rec *src,
                                      const storvirt__progress *p, uint32_t flags) {
        const char *dfmt = rec->format, *sfmt = src->format[0] ? src->format : "raw";
        struct storvirt__local_partial out = { .fd = -1 };
        _cleanup_close_ int in = -1;
        char in_path[32];
        struct stat st;
        int r;

        if (def->target.format && strcmp(dfmt, sfmt) != 0 && (flags & STORVIRT_VOLUME_CREATE_REFLINK))
                return storvirt__error_set(-EOPNOTSUPP, "a reflink copy cannot convert %s to %s",
                                           sfmt, dfmt);
        if (!def->target.format)
                snprintf(rec->format, sizeof(rec->format), "%s", sfmt);
        if (src->encryption[0] && strcmp(rec->format, sfmt) != 0)
                return storvirt__error_set(-EOPNOTSUPP, "volume '%s': converting the encrypted "
                                                        "volume '%s' (%s) to %s is not supported",
                                           rec->path, src->path, sfmt, rec->format);
        /* a copy of the bytes is encrypted as its source, with the same passphrase */
        if (strcmp(src->encryption, "luks") == 0) {
                memcpy(rec->encryption, src->encryption, sizeof(rec->encryption));
                memcpy(rec->secret, src->secret, sizeof(rec->secret));
        }
        if (faccessat(obj->target_fd, rec->name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                return storvirt__error_set(-EEXIST, "volume '%s' already exists", rec->path);
        /* no O_CLOEXEC: qemu-img reads it through /proc/self/fd/N */
        in = open(src->path, O_RDONLY | O_NOFOLLOW);
        if (in < 0 || fstat(in, &st) < 0 || !S_ISREG(st.st_mode))
                return storvirt__error_set(in < 0 ? -errno : -EINVAL, "source volume '%s': %s",
                                           src->path, in < 0 ? strerror(errno) : "not a regular file");
        snprintf(in_path, sizeof(in_path), "/proc/self/fd/%d", in);
        r = storvirt__local_partial_create(obj, def, &out);
        if (r < 0)
                return r;
        if (strcmp(rec->format, sfmt) != 0)
                r = qemu_img_convert(sfmt, in_path, rec->format, out.proc_path, src->path);
        else
                r = copy_into(rec, in, &st, out.fd, p, flags, src->path);
        if (r >= 0 && def->has_capacity && def->capacity > src->capacity) {
                if (strcmp(rec->format, "raw") == 0)
                        r = ftruncate(out.fd, (off_t)def->capacity) < 0 ? -errno : 0;
                else
                        r = qemu_img_resize(out.proc_path, rec->format, def->capacity, false);
        }
        if (r < 0) {
                if (!storvirt__error_msg() || storvirt__error_code() != r)
                        storvirt__error_set(r, "volume '%s': %s", rec->path, strerror(-r));
                storvirt__local_partial_abort(obj, &out);
                return r;
        }
        return storvirt__local_partial_commit(obj, &out, rec, rec->format);
}

/* Zeroes [off, off+len): punching holes keeps the file sparse. */
static int zero_range(int fd, uint64_t off, uint64_t len) {
        static const char zeros[65536];

        if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len) == 0)
                return 0;
        if (fallocate(fd, FALLOC_FL_ZERO_RANGE, (off_t)off, (off_t)len) == 0)
                return 0;
        while (len > 0) {
                size_t n = len > sizeof(zeros) ? sizeof(zeros) : (size_t)len;
                ssize_t k = pwrite(fd, zeros, n, (off_t)off);
                if (k <= 0)
                        return -errno;
                off += (uint64_t)k;
                len -= (uint64_t)k;
        }
        return 0;
}

int storvirt__local_wipe_volume(storvirt__pool_obj *obj, storvirt__vol_rec *rec,
                                const storvirt__progress *p, uint32_t flags) {
        _cleanup_close_ int fd = -1;
        uint64_t pos = 0, len, size, done = 0, capacity = rec->capacity;
        bool qcow2 = strcmp(rec->format, "qcow2") == 0;
        char *backing = rec->backing_path, compat[8];
        struct stat st;
        int r = 0;

        memcpy(compat, rec->compat, sizeof(compat));
        fd = vol_open(obj, rec, O_RDWR, &st);
        if (fd < 0)
                return fd;
        size = (uint64_t)st.st_size;
        while (r >= 0 && pos < size && next_data(fd, &pos, size, &len)) {
                while (r >= 0 && len > 0) {
                        uint64_t n = len > 64 * (uint64_t)CHUNK ? 64 * (uint64_t)CHUNK : len;
                        r = zero_range(fd, pos, n);
                        if (r < 0) {
                                r = storvirt__error_set(r, "wiping '%s': %s", rec->path, strerror(-r));
                                break;
                        }
                        pos += n;
                        len -= n;
                        done += n;
                        r = storvirt__progress_report(p, done, size);
                }
        }
        if (r >= 0)
                r = storvirt__progress_report(p, size, size); /* holes count as done */
        if (r >= 0 && rec->encryption[0]) {
                /* an encrypted image again, never a plain one in its place */
                r = storvirt__local_rebuild_encrypted(obj, rec, fd, capacity);
        } else if (r >= 0 && qcow2) {
                /* Keep a usable (empty) image rather than a file of zeros. */
                struct storvirt__qcow2_opts o = {
                        .size = capacity,
                        .compat_010 = strcmp(compat, "0.10") == 0,
                        .backing_file = backing,
                        .backing_format = backing && rec->backing_format[0] ? rec->backing_format : NULL,
                };
                r = ftruncate(fd, 0) < 0 ? -errno : storvirt__qcow2_create_fd(fd, &o, rec->path);
        }
        if (r >= 0 && fsync(fd) < 0)
                r = storvirt__error_set(-errno, "wiping '%s': fsync: %s", rec->path, strerror(errno));
        return r;
}

/*
 * Resizes a non-raw image through qemu-img without letting it follow a
 * symlink: the file is opened O_NOFOLLOW relative to the pool and
 * qemu-img is handed /proc/self/fd/N, which its process inherits.
 */
static int resize_via_qemu_img(storvirt__pool_obj *obj, storvirt__vol_rec *rec, uint64_t capacity) {
        char path[64];
        struct stat st;
        int fd, r;

        fd = openat(obj->target_fd, rec->name, O_RDWR | O_NOFOLLOW);
        if (fd < 0)
                return storvirt__error_set(-errno, "volume '%s': %s%s", rec->path, strerror(errno),
                                           errno == ELOOP ? " (a symlink: refused)" : "");
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                close(fd);
                return storvirt__error_set(-EINVAL, "volume '%s' is not a regular file", rec->path);
        }
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        if (rec->encryption[0])
                r = storvirt__local_resize_encrypted(obj, rec, path, capacity);
        else
                r = qemu_img_resize(path, rec->format, capacity, capacity < rec->capacity);
        close(fd);
        return r;
}

int storvirt__local_resize_volume(storvirt__pool_obj *obj, storvirt__vol_rec *rec,
                                  uint64_t capacity, uint32_t flags) {
        _cleanup_close_ int fd = -1;
        struct stat st;

        if (strcmp(rec->format, "raw") != 0)
                return resize_via_qemu_img(obj, rec, capacity);
        if (capacity > INT64_MAX)
                return storvirt__error_set(-ERANGE, "volume '%s': capacity %llu is too large",
                                           rec->path, (unsigned long long)capacity);
        fd = vol_open(obj, rec, O_RDWR, &st);
        if (fd < 0)
                return fd;
        if (rec->encryption[0]) {
                /* a LUKS container: its header stays, the payload is the rest of the file */
                uint64_t header = (uint64_t)st.st_size - rec->capacity;

                if (strcmp(rec->encryption, "luks") != 0 || rec->capacity > (uint64_t)st.st_size)
                        return storvirt__error_set(-EOPNOTSUPP, "volume '%s': resizing it "
                                                                "(encrypted: %s) is not supported",
                                                   rec->path, rec->encryption);
                if (capacity > INT64_MAX - header)
                        return storvirt__error_set(-ERANGE, "volume '%s': capacity %llu is too "
                                                            "large", rec->path,
                                                   (unsigned long long)capacity);
                capacity += header;
        }
        if ((flags & STORVIRT_VOLUME_RESIZE_ALLOCATE) && capacity > (uint64_t)st.st_size &&
            fallocate(fd, 0, st.st_size, (off_t)(capacity - (uint64_t)st.st_size)) < 0)
                return storvirt__error_set(-errno, "volume '%s': allocating: %s", rec->path,
                                           strerror(errno));
        if (ftruncate(fd, (off_t)capacity) < 0 || fsync(fd) < 0)
                return storvirt__error_set(-errno, "volume '%s': resizing: %s", rec->path,
                                           strerror(errno));
        return 0;
}

static bool all_zero(const char *buf, size_t n) {
        return n == 0 || (buf[0] == 0 && memcmp(buf, buf + 1, n - 1) == 0);
}

/*
 * The length of an upload to its source's end when that is known to pass
 * the limit (a regular file: its size from where it stands), so that the
 * upload is refused before anything is written; else length unchanged.
 */
static uint64_t known_length(int fd, uint64_t offset, uint64_t length, uint64_t limit) {
        struct stat in;
        off_t at;

        if (length || fstat(fd, &in) < 0 || !S_ISREG(in.st_mode) ||
            (at = lseek(fd, 0, SEEK_CUR)) < 0 || in.st_size <= at || offset > limit)
                return length;
        return (uint64_t)(in.st_size - at) > limit - offset ? (uint64_t)(in.st_size - at) : length;
}

int storvirt__local_upload_volume(storvirt__pool_obj *obj, storvirt__vol_rec *rec, int fd,
                                  uint64_t offset, uint64_t length,
                                  const storvirt__progress *p, uint32_t flags) {
        bool raw = strcmp(rec->format, "raw") == 0, sparse = flags & STORVIRT_VOLUME_TRANSFER_SPARSE;
        uint64_t limit = raw ? rec->capacity : UINT64_MAX, done = 0, total;
        _cleanup_free_ char *buf = malloc(CHUNK);
        _cleanup_close_ int vfd = -1;
        struct stat st;
        int r = 0;

        if (!buf)
                return storvirt__error_oom();
        length = known_length(fd, offset, length, limit);
        if (offset > limit || (length && length > limit - offset))
                return storvirt__error_set(-EINVAL,
                        "upload to '%s': offset %llu + length %llu is past the capacity %llu",
                        rec->path, (unsigned long long)offset, (unsigned long long)length,
                        (unsigned long long)limit);
        vfd = vol_open(obj, rec, O_WRONLY, &st);
        if (vfd < 0)
                return vfd;
        total = length ? length : (raw ? limit - offset : 0);
        while (!length || done < length) {
                size_t want = CHUNK;
                ssize_t k;

                if (length && length - done < want)
                        want = (size_t)(length - done);
                k = read(fd, buf, want);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return storvirt__error_set(-errno, "upload to '%s': reading the source: %s",
                                                   rec->path, strerror(errno));
                if (k == 0)
                        break;
                if (raw && offset + done + (uint64_t)k > limit)
                        return storvirt__error_set(-EINVAL, "upload to '%s': data past the capacity %llu",
                                                   rec->path, (unsigned long long)limit);
                if (!(sparse && all_zero(buf, (size_t)k))) {
                        if (pwrite(vfd, buf, (size_t)k, (off_t)(offset + done)) != k)
                                return storvirt__error_set(-errno, "upload to '%s': %s", rec->path,
                                                           strerror(errno));
                } else if (zero_range(vfd, offset + done, (uint64_t)k) < 0) {
                        return storvirt__error_set(-EIO, "upload to '%s': zeroing", rec->path);
                }
                done += (uint64_t)k;
                r = storvirt__progress_report(p, done, total ? total : done);
                if (r < 0)
                        return r;
        }
        if (done != total) { /* the source ended early: report the real amount */
                r = storvirt__progress_report(p, done, done);
                if (r < 0)
                        return r;
        }
        if (!raw && offset + done > (uint64_t)st.st_size && ftruncate(vfd, (off_t)(offset + done)) < 0)
                return -errno;
        if (fsync(vfd) < 0)
                return storvirt__error_set(-errno, "upload to '%s': fsync: %s", rec->path, strerror(errno));
        return 0;
}

/* Emits `len` zero bytes: a seek on a seekable fd when sparse, else writes. */
static int emit_zeros(int fd, uint64_t len, bool seek) {
        static const char zeros[65536];

        if (seek && lseek(fd, (off_t)len, SEEK_CUR) >= 0)
                return 0;
        while (len > 0) {
                size_t n = len > sizeof(zeros) ? sizeof(zeros) : (size_t)len;
                int r = write_all(fd, zeros, n);
                if (r < 0)
                        return r;
                len -= n;
        }
        return 0;
}

int storvirt__local_download_volume(storvirt__pool_obj *obj, storvirt__vol_rec *rec, int fd,
                                    uint64_t offset, uint64_t length,
                                    const storvirt__progress *p, uint32_t flags) {
        bool sparse = flags & STORVIRT_VOLUME_TRANSFER_SPARSE, seekable;
        _cleanup_free_ char *buf = malloc(CHUNK);
        _cleanup_close_ int vfd = -1;
        uint64_t end, pos, dlen;
        off_t start_out;
        struct stat st;
        int r = 0;

        if (!buf)
                return storvirt__error_oom();
        vfd = vol_open(obj, rec, O_RDONLY, &st);
        if (vfd < 0)
                return vfd;
        if (offset > (uint64_t)st.st_size || (length && length > (uint64_t)st.st_size - offset))
                return storvirt__error_set(-EINVAL,
                        "download from '%s': offset %llu + length %llu is past its size %lld",
                        rec->path, (unsigned long long)offset, (unsigned long long)length,
                        (long long)st.st_size);
        end = length ? offset + length : (uint64_t)st.st_size;
        start_out = lseek(fd, 0, SEEK_CUR);
        seekable = sparse && start_out >= 0;
        for (pos = offset; r >= 0 && pos < end;) {
                uint64_t d = pos;
                if (!sparse || !next_data(vfd, &d, end, &dlen)) {
                        if (sparse)
                                d = end, dlen = 0;
                        else
                                dlen = end - pos;
                }
                r = emit_zeros(fd, d - pos, seekable);
                for (pos = d; r >= 0 && dlen > 0;) {
                        size_t n = dlen > CHUNK ? CHUNK : (size_t)dlen;
                        ssize_t k = pread(vfd, buf, n, (off_t)pos);
                        if (k <= 0) {
                                r = k < 0 ? -errno : -EIO;
                                break;
                        }
                        r = write_all(fd, buf, (size_t)k);
                        pos += (uint64_t)k;
                        dlen -= (uint64_t)k;
                        if (r >= 0)
                                r = storvirt__progress_report(p, pos - offset, end - offset);
                }
        }
        if (r >= 0 && seekable && ftruncate(fd, start_out + (off_t)(end - offset)) < 0 &&
            errno != EINVAL)
                r = -errno;
        if (r < 0 && r != -ECANCELED)
                return storvirt__error_set(r, "download from '%s': %s", rec->path, strerror(-r));
        return r;
}
