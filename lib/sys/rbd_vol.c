/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rbd_vol.c - images made from other images of the pool and the bytes
 * of an image streamed through a file descriptor (sys/rbd.h).
 *
 * A copy-on-write clone of image SRC named NAME is made from a snapshot
 * of SRC named STORVIRT__RBD_CLONE_SNAP_PREFIX NAME ("storvirt-clone-"
 * then the clone's name), protected, then cloned (format 2, layering).
 * The name is the clone's alone, so a second clone of the same source
 * gets its own snapshot, and the snapshot of a clone that was removed
 * (with its name free again) is dropped when the clone is removed, or
 * replaced when a clone of that name is made again.  A full copy
 * (cow false) is librbd's copy, which skips zero blocks of the source.
 *
 * An upload writes what it reads from the fd at an offset of the image
 * (refused before anything is written when the fd is a regular file
 * whose remaining bytes go past the image's size); with sparse, a run
 * of zeros is written as a zeroed range (rbd_write_zeroes), which drops
 * the objects it covers whole.  A download reads the image and writes
 * it to the fd; with sparse and a seekable fd, zero blocks are seeked
 * over and the file gets its size at the end.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys/rbd.h"
#include "sys/rbd_int.h"
#include "util/error.h"
#include "util/macro.h"

#define MIN(a, b) ((a) < (b) ? (a) : (b))

/* Bytes moved at once; image offsets of chunks are multiples of it. */
#define CHUNK (4u << 20)
/* Zero runs shorter than this are written as data. */
#define ZERO_BLOCK (64u << 10)

static bool all_zero(const char *buf, size_t n) {
        return n == 0 || (buf[0] == 0 && memcmp(buf, buf + 1, n - 1) == 0);
}

int storvirt__rbd_snap_clones(storvirt__rbd *c, const char *name, rbd_image_t img,
                              const char *snap, char **ret_first) {
        rbd_linked_image_spec_t *v = NULL;
        size_t max = 8;
        int r;

        if (ret_first)
                *ret_first = NULL;
        r = rbd_snap_set(img, snap);
        if (r < 0)
                return storvirt__rbd_image_error(c, name, r, "read a snapshot");
        for (;;) {
                v = calloc(max + 1, sizeof(*v));
                if (!v) {
                        r = storvirt__error_oom();
                        break;
                }
                r = rbd_list_children3(img, v, &max);
                if (r != -ERANGE)
                        break;
                free(v);
                v = NULL;
        }
        rbd_snap_set(img, NULL);
        if (r < 0 && v)
                r = storvirt__rbd_image_error(c, name, r, "list the clones of a snapshot");
        if (r >= 0 && max > 0 && ret_first &&
            asprintf(ret_first, "%s/%s%s", v[0].pool_name, v[0].image_name,
                     v[0].trash ? " (in the trash)" : "") < 0) {
                *ret_first = NULL;
                r = storvirt__error_oom();
        }
        if (v) {
                rbd_linked_image_spec_list_cleanup(v, max);
                free(v);
        }
        return r < 0 ? r : (int)max;
}

/* Unprotects (when protected) and removes snapshot snap of the open image. */
static int drop_snap(storvirt__rbd *c, const char *name, rbd_image_t img, const char *snap) {
        int prot = 0, r = rbd_snap_is_protected(img, snap, &prot);

        if (r >= 0 && prot)
                r = rbd_snap_unprotect(img, snap);
        if (r >= 0)
                r = rbd_snap_remove(img, snap);
        if (r == -EBUSY)
                return storvirt__error_set(-EBUSY, "rbd image '%s/%s': snapshot '%s' has clones",
                                           c->pool, name, snap);
        return r < 0 ? storvirt__rbd_image_error(c, name, r, "remove a snapshot") : 0;
}

int storvirt__rbd_clone_snap_name(const char *clone, char **ret) {
        return asprintf(ret, STORVIRT__RBD_CLONE_SNAP_PREFIX "%s", clone) < 0
                       ? storvirt__error_oom() : 0;
}

/* A copy-on-write clone needs a format 2 source with layering: -EOPNOTSUPP naming what lacks. */
static int check_layering(storvirt__rbd *c, const char *src, rbd_image_t img) {
        uint64_t features = 0;
        uint8_t old = 0;
        int r = rbd_get_old_format(img, &old);

        if (r >= 0 && !old)
                r = rbd_get_features(img, &features);
        if (r < 0)
                return storvirt__rbd_image_error(c, src, r, "read its features");
        if (old)
                return storvirt__error_set(-EOPNOTSUPP, "rbd image '%s/%s' is format 1: a "
                                                        "copy-on-write clone needs format 2 "
                                                        "with the layering feature (a full copy "
                                                        "is made without copy-on-write)",
                                           c->pool, src);
        if (!(features & RBD_FEATURE_LAYERING))
                return storvirt__error_set(-EOPNOTSUPP, "rbd image '%s/%s' lacks the layering "
                                                        "feature that a copy-on-write clone "
                                                        "needs (a full copy is made without "
                                                        "copy-on-write)", c->pool, src);
        return 0;
}

/* Snapshot snap of the open source, new and protected (one left by a removed clone replaced). */
static int fresh_snap(storvirt__rbd *c, const char *src, rbd_image_t img, const char *snap) {
        _cleanup_free_ char *clone = NULL;
        bool exists = false;
        int r = rbd_snap_exists(img, snap, &exists);

        if (r < 0)
                return storvirt__rbd_image_error(c, src, r, "look for a snapshot");
        if (exists) {
                r = storvirt__rbd_snap_clones(c, src, img, snap, &clone);
                if (r > 0)
                        return storvirt__error_set(-EEXIST, "rbd image '%s/%s': snapshot '%s' "
                                                            "exists and has clone '%s'",
                                                   c->pool, src, snap, clone);
                if (r >= 0)
                        r = drop_snap(c, src, img, snap);
                if (r < 0)
                        return r;
        }
        r = rbd_snap_create(img, snap);
        if (r < 0)
                return storvirt__rbd_image_error(c, src, r, "create a snapshot");
        r = rbd_snap_protect(img, snap);
        if (r < 0) {
                r = storvirt__rbd_image_error(c, src, r, "protect a snapshot");
                rbd_snap_remove(img, snap);
        }
        return r;
}

static int clone_cow(storvirt__rbd *c, const char *src, rbd_image_t img, const char *name) {
        _cleanup_free_ char *snap = NULL;
        rbd_image_options_t o;
        int r = check_layering(c, src, img);

        if (r >= 0)
                r = storvirt__rbd_clone_snap_name(name, &snap);
        if (r >= 0)
                r = fresh_snap(c, src, img, snap);
        if (r < 0)
                return r;
        rbd_image_options_create(&o);
        rbd_image_options_set_uint64(o, RBD_IMAGE_OPTION_FORMAT, 2);
        r = rbd_clone3(c->io, src, snap, c->io, name, o);
        rbd_image_options_destroy(o);
        if (r == -EEXIST)
                r = storvirt__error_set(-EEXIST, "rbd image '%s/%s' already exists", c->pool, name);
        else if (r < 0)
                r = storvirt__rbd_image_error(c, name, r, "clone");
        if (r < 0) {
                storvirt__error_saved e;

                storvirt__error_save(&e);
                drop_snap(c, src, img, snap);
                r = storvirt__error_restore(&e);
        }
        return r;
}

struct progress {
        storvirt__rbd_progress_fn fn;
        void *ud;
};

static int copy_progress(uint64_t done, uint64_t total, void *arg) {
        const struct progress *p = arg;

        return p->fn ? p->fn(p->ud, done, total) : 0;
}

static int copy_full(storvirt__rbd *c, const char *src, rbd_image_t img, const char *name,
                     storvirt__rbd_progress_fn fn, void *ud) {
        struct progress p = { fn, ud };
        rbd_image_options_t o;
        int r;

        rbd_image_options_create(&o);
        rbd_image_options_set_uint64(o, RBD_IMAGE_OPTION_FORMAT, 2);
        r = rbd_copy_with_progress4(img, c->io, name, o, copy_progress, &p, ZERO_BLOCK);
        rbd_image_options_destroy(o);
        if (r == -EEXIST)
                return storvirt__error_set(-EEXIST, "rbd image '%s/%s' already exists", c->pool,
                                           name);
        if (r < 0) {
                int e = storvirt__rbd_image_error(c, src, r, "copy");

                rbd_remove(c->io, name);
                return e;
        }
        return 0;
}

static int no_progress(uint64_t done, uint64_t total, void *ud) {
        (void)done;
        (void)total;
        (void)ud;
        return 0;
}

static int grow(storvirt__rbd *c, const char *name, uint64_t size) {
        rbd_image_t img;
        int r = storvirt__rbd_open(c, name, false, &img);

        if (r < 0)
                return r;
        r = rbd_resize2(img, size, false, no_progress, NULL);
        rbd_close(img);
        return r < 0 ? storvirt__rbd_image_error(c, name, r, "resize") : 0;
}

int storvirt__rbd_image_clone(storvirt__rbd *c, const char *src, const char *name, uint64_t size,
                              bool cow, storvirt__rbd_progress_fn fn, void *ud) {
        uint64_t src_size = 0;
        rbd_image_t img;
        int r;

        if (strchr(name, '@') || strcmp(src, name) == 0)
                return storvirt__error_set(-EINVAL, "rbd image '%s/%s': not a name for a copy "
                                                    "of '%s'", c->pool, name, src);
        r = storvirt__rbd_open(c, src, !cow, &img);
        if (r < 0)
                return r;
        if ((r = rbd_get_size(img, &src_size)) < 0)
                r = storvirt__rbd_image_error(c, src, r, "read its size");
        else if (size < src_size)
                r = storvirt__error_set(-EINVAL, "rbd image '%s/%s': %" PRIu64 " bytes is below "
                                                 "the size %" PRIu64 " of its source '%s'",
                                        c->pool, name, size, src_size, src);
        else
                r = cow ? clone_cow(c, src, img, name) : copy_full(c, src, img, name, fn, ud);
        if (r >= 0 && size > src_size && (r = grow(c, name, size)) < 0) {
                storvirt__error_saved e;

                storvirt__error_save(&e);
                rbd_remove(c->io, name);
                if (cow)
                        storvirt__rbd_drop_clone_snap(c, src, name);
                r = storvirt__error_restore(&e);
        }
        rbd_close(img);
        return r;
}

void storvirt__rbd_drop_clone_snap(storvirt__rbd *c, const char *parent, const char *clone) {
        _cleanup_free_ char *snap = NULL;
        storvirt__error_saved e;
        rbd_image_t img;

        storvirt__error_save(&e);
        if (storvirt__rbd_clone_snap_name(clone, &snap) >= 0 &&
            rbd_open(c->io, parent, &img, NULL) >= 0) {
                if (storvirt__rbd_snap_clones(c, parent, img, snap, NULL) == 0)
                        drop_snap(c, parent, img, snap);
                rbd_close(img);
        }
        storvirt__error_restore(&e);
}

/* ---- upload and download ---------------------------------------------------------------------- */

/* The length of an upload whose source is a regular file: its bytes left (0: unknown). */
static uint64_t known_length(int fd) {
        struct stat st;
        off_t at;

        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (at = lseek(fd, 0, SEEK_CUR)) < 0 ||
            st.st_size <= at)
                return 0;
        return (uint64_t)(st.st_size - at);
}

/* Reads up to n bytes (fewer only at the end of the input): the count. */
static ssize_t read_full(int fd, char *buf, size_t n) {
        size_t got = 0;

        while (got < n) {
                ssize_t k = read(fd, buf + got, n - got);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        break;
                got += (size_t)k;
        }
        return (ssize_t)got;
}

/* Writes buf to the image at pos; with sparse, zero runs of ZERO_BLOCK as zeroed ranges. */
static int put(rbd_image_t img, const char *buf, size_t n, uint64_t pos, bool sparse) {
        size_t at = 0;

        while (at < n) {
                size_t end = at;
                bool zero = sparse && all_zero(buf + at, MIN(ZERO_BLOCK, n - at));
                ssize_t w;

                while (end < n && (sparse && all_zero(buf + end, MIN(ZERO_BLOCK, n - end))) == zero)
                        end += MIN(ZERO_BLOCK, n - end);
                w = zero ? rbd_write_zeroes(img, pos + at, end - at, 0, 0)
                         : rbd_write(img, pos + at, end - at, buf + at);
                if (w < 0)
                        return (int)w;
                at = end;
        }
        return 0;
}

int storvirt__rbd_image_upload(storvirt__rbd *c, const char *name, int fd, uint64_t offset,
                               uint64_t length, bool sparse, storvirt__rbd_progress_fn fn,
                               void *ud) {
        _cleanup_free_ char *buf = malloc(CHUNK);
        uint64_t size = 0, want = length ? length : known_length(fd), done = 0;
        rbd_image_t img;
        int r = buf ? storvirt__rbd_open(c, name, false, &img) : storvirt__error_oom();

        if (r < 0)
                return r;
        if ((r = rbd_get_size(img, &size)) < 0)
                r = storvirt__rbd_image_error(c, name, r, "read its size");
        else if (offset > size || want > size - offset)
                r = storvirt__error_set(-EINVAL, "upload to rbd image '%s/%s': offset %" PRIu64
                                                 " + length %" PRIu64 " is past its capacity %"
                                                 PRIu64, c->pool, name, offset, want, size);
        while (r >= 0 && (!length || done < length)) {
                uint64_t pos = offset + done;
                size_t n = CHUNK - (size_t)(pos % CHUNK);
                ssize_t k;

                if (length && length - done < n)
                        n = (size_t)(length - done);
                k = read_full(fd, buf, n);
                if (k < 0)
                        r = storvirt__error_set((int)k, "upload to rbd image '%s/%s': reading "
                                                        "the source: %s", c->pool, name,
                                                strerror((int)-k));
                if (k <= 0)
                        break;
                if ((uint64_t)k > size - pos)
                        r = storvirt__error_set(-EINVAL, "upload to rbd image '%s/%s': data "
                                                         "past its capacity %" PRIu64, c->pool,
                                                name, size);
                else if ((r = put(img, buf, (size_t)k, pos, sparse)) < 0)
                        r = storvirt__rbd_image_error(c, name, r, "write");
                done += (uint64_t)k;
                if (r >= 0 && fn)
                        r = fn(ud, done, want ? want : done);
        }
        if (r >= 0 && (r = rbd_flush(img)) < 0)
                r = storvirt__rbd_image_error(c, name, r, "flush");
        rbd_close(img);
        return r < 0 ? r : 0;
}

/* Writes n bytes to fd, or with seek (a sparse copy into a seekable fd) skips zero blocks. */
static int emit(int fd, const char *buf, size_t n, bool seek) {
        for (size_t at = 0; at < n;) {
                size_t m = MIN(ZERO_BLOCK, n - at);

                if (seek && all_zero(buf + at, m)) {
                        if (lseek(fd, (off_t)m, SEEK_CUR) < 0)
                                return -errno;
                        at += m;
                        continue;
                }
                for (const char *p = buf + at; m > 0;) {
                        ssize_t k = write(fd, p, m);

                        if (k < 0 && errno == EINTR)
                                continue;
                        if (k < 0)
                                return -errno;
                        p += k;
                        m -= (size_t)k;
                        at += (size_t)k;
                }
        }
        return 0;
}

static int download_range(storvirt__rbd *c, const char *name, rbd_image_t img, int fd,
                          uint64_t offset, uint64_t end, bool seek, storvirt__rbd_progress_fn fn,
                          void *ud) {
        _cleanup_free_ char *buf = malloc(CHUNK);
        int r = buf ? 0 : storvirt__error_oom();

        for (uint64_t pos = offset; r >= 0 && pos < end;) {
                size_t n = CHUNK - (size_t)(pos % CHUNK);
                ssize_t k;

                if (end - pos < n)
                        n = (size_t)(end - pos);
                k = rbd_read(img, pos, n, buf);
                if (k >= 0 && (size_t)k < n)
                        memset(buf + k, 0, n - (size_t)k);
                if (k < 0)
                        r = storvirt__rbd_image_error(c, name, (int)k, "read");
                else if ((r = emit(fd, buf, n, seek)) < 0)
                        r = storvirt__error_set(r, "download from rbd image '%s/%s': writing: %s",
                                                c->pool, name, strerror(-r));
                pos += n;
                if (r >= 0 && fn)
                        r = fn(ud, pos - offset, end - offset);
        }
        return r;
}

int storvirt__rbd_image_download(storvirt__rbd *c, const char *name, int fd, uint64_t offset,
                                 uint64_t length, bool sparse, storvirt__rbd_progress_fn fn,
                                 void *ud) {
        off_t start_out = lseek(fd, 0, SEEK_CUR);
        bool seek = sparse && start_out >= 0;
        uint64_t size = 0, end = 0;
        rbd_image_t img;
        int r = storvirt__rbd_open(c, name, true, &img);

        if (r < 0)
                return r;
        if ((r = rbd_get_size(img, &size)) < 0)
                r = storvirt__rbd_image_error(c, name, r, "read its size");
        else if (offset > size || (length && length > size - offset))
                r = storvirt__error_set(-EINVAL, "download from rbd image '%s/%s': offset %"
                                                 PRIu64 " + length %" PRIu64 " is past its "
                                                 "size %" PRIu64, c->pool, name, offset, length,
                                        size);
        if (r >= 0) {
                end = length ? offset + length : size;
                r = download_range(c, name, img, fd, offset, end, seek, fn, ud);
        }
        rbd_close(img);
        /* a sparse copy that ends in a hole gets its size */
        if (r >= 0 && seek && ftruncate(fd, start_out + (off_t)(end - offset)) < 0 &&
            errno != EINVAL)
                r = storvirt__error_set(-errno, "download from rbd image '%s/%s': setting the "
                                                "size of the output: %m", c->pool, name);
        return r;
}
