/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * gluster_vol.c - the volumes of a gluster pool (backends/gluster.h):
 * create, copy, delete, resize, upload and download, every byte through
 * the pool's libgfapi handle.  A new volume's file is built under a
 * hidden temporary name, recorded in the state directory's volume index
 * (its format, and its encryption and secret), then linked into place
 * when complete.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "backends/gluster.h"
#include "backends/local.h"
#include "objects/vol_index.h"
#include "sys/command.h"
#include "sys/qcow2.h"
#include "util/fileio.h"
#include "util/uuid.h"
#include "util/log.h"
#include "util/macro.h"

#define MIN(a, b) ((a) < (b) ? (a) : (b))

#define ZERO_CHUNK (1u << 20)
/*
 * A new volume's backing store (core/volume.c found it a volume of this
 * pool with a usable chain): a file of the pool's own directory, of a
 * format QEMU opens through gluster; a new image without a capacity
 * takes the backing volume's.
 */
static int backing_check(storvirt__pool_obj *obj, const char *url, const storvirt__vol_def *def,
                         uint64_t *capacity) {
        const char *path = def->backing.path, *fmt = def->backing.format;
        size_t n = strlen(url);
        storvirt__vol_rec *base;

        if (strncmp(path, url, n) != 0 || path[n] != '/' || strchr(path + n + 1, '/'))
                return storvirt__error_set(-EPERM, "volume '%s': backing store '%s' is not a "
                                           "volume of the pool's directory %s", def->name, path,
                                           url);
        if (!fmt || (strcmp(fmt, "raw") != 0 && strcmp(fmt, "qcow2") != 0))
                return storvirt__error_set(-EOPNOTSUPP, "volume '%s': backing store '%s' is %s; "
                                           "gluster volumes are backed by raw or qcow2 images",
                                           def->name, path, fmt ? fmt : "of no known format");
        if (def->has_capacity && def->capacity > 0)
                return 0;
        storvirt__mutex_lock(&obj->lock);
        base = storvirt__hashmap_get(obj->vols, path + n + 1);
        if (base)
                *capacity = base->capacity;
        storvirt__mutex_unlock(&obj->lock);
        return 0;
}

int storvirt__gluster_create_volume(storvirt__pool_obj *obj, const storvirt__vol_def *def,
                                    storvirt__vol_rec **ret_rec, uint32_t flags) {
        const char *fmt = def->target.format ? def->target.format : "raw";
        _cleanup_free_ char *url = NULL, *key = NULL;
        storvirt__vol_rec *rec;
        int r;

        r = storvirt__name_check("volume name", def->name);
        if (r < 0)
                return r;
        if (strcmp(fmt, "raw") != 0 && strcmp(fmt, "qcow2") != 0)
                return storvirt__error_set(-EOPNOTSUPP, "volume '%s': format '%s' is not supported "
                                           "in gluster pools (raw, qcow2)", def->name, fmt);
        if (strcmp(fmt, "qcow2") != 0 && (def->target.compat || def->target.cluster_size ||
                                          def->target.has_features))
                return storvirt__error_set(-EINVAL, "volume '%s': <target><%s> applies to qcow2 "
                                           "volumes only, not %s", def->name,
                                           def->target.has_features ? "features" :
                                           def->target.cluster_size ? "clusterSize" : "compat",
                                           fmt);
        if (def->target.encryption.format) {
                r = storvirt__local_encryption_check(def);
                if (r < 0)
                        return r;
                if (storvirt__command_find("qemu-img", NULL) < 0)
                        return storvirt__error_set(-EOPNOTSUPP, "volume '%s': an encrypted volume "
                                                   "is created through qemu-img, which is not "
                                                   "installed", def->name);
        }
        r = storvirt__gluster_pool_url(obj->def, &url);
        if (r < 0)
                return r;
        if (asprintf(&key, "%s/%s", url, def->name) < 0)
                return storvirt__error_oom();
        rec = storvirt__vol_rec_new(def->name, key, key);
        if (!rec)
                return storvirt__error_oom();
        snprintf(rec->format, sizeof(rec->format), "%s", fmt);
        rec->type = STORVIRT_VOLUME_TYPE_NETWORK;
        rec->capacity = def->capacity;
        if (def->backing.path) {
                r = backing_check(obj, url, def, &rec->capacity);
                if (r < 0) {
                        storvirt__vol_rec_unref(rec);
                        return r;
                }
        }
        if (def->target.encryption.format) {
                snprintf(rec->encryption, sizeof(rec->encryption), "luks");
                storvirt__uuid_format(&def->target.encryption.secrets[0].uuid, rec->secret);
        }
        *ret_rec = rec;
        return 0;
}

/* Writes zeros over [start, end) of f, reporting progress. */
static int write_zeros(storvirt__gl_file *f, uint64_t start, uint64_t end,
                       const storvirt__progress *progress) {
        _cleanup_free_ void *zeros = calloc(1, ZERO_CHUNK);
        int r = zeros ? 0 : storvirt__error_oom();

        for (uint64_t off = start; r >= 0 && off < end; off += ZERO_CHUNK) {
                r = storvirt__gl_pwrite_full(f, zeros, (size_t)MIN((uint64_t)ZERO_CHUNK, end - off),
                                             off);
                if (r >= 0)
                        r = storvirt__progress_report(progress, MIN(off + ZERO_CHUNK, end), end);
        }
        return r;
}

static int build_raw(storvirt__gl_file *f, const storvirt__vol_def *def,
                     const storvirt__progress *progress) {
        /* libvirt's rule: no <allocation> means fully allocated */
        uint64_t alloc = def->capacity;
        int r = 0;

        if (def->has_allocation && def->allocation < def->capacity)
                alloc = def->allocation;
        if (alloc > 0 && storvirt__gl_fallocate(f, 0, alloc) < 0) {
                storvirt__error_reset();
                r = write_zeros(f, 0, alloc, progress);
        }
        if (r >= 0)
                r = storvirt__gl_ftruncate(f, def->capacity);
        return r;
}

/*
 * A qcow2 image; with a backing store (a volume of the same directory,
 * checked by the caller), its header names it by its file name, which
 * QEMU and libvirt read relative to the image, and records its format.
 * Without a capacity the image is the backing volume's size.
 */
static int build_qcow2(storvirt__gl_file *f, const storvirt__vol_rec *rec,
                       const storvirt__vol_def *def, uint32_t flags) {
        const char *base = def->backing.path ? strrchr(def->backing.path, '/') : NULL;
        struct storvirt__qcow2_opts o = {
                .size = rec->capacity,
                .cluster_size = (uint32_t)def->target.cluster_size,
                .compat_010 = def->target.compat && strcmp(def->target.compat, "0.10") == 0,
                .lazy_refcounts = def->target.lazy_refcounts,
                .extended_l2 = def->target.extended_l2,
                .preallocate_metadata = flags & STORVIRT_VOLUME_CREATE_PREALLOC_METADATA,
                .backing_file = base ? base + 1 : NULL,
                .backing_format = base ? def->backing.format : NULL,
        };
        storvirt__img_io io;

        storvirt__gl_file_io(f, &io);
        return storvirt__qcow2_create_io(&io, &o, def->name);
}

/* A hidden name for a volume being built: STORVIRT__GLUSTER_PARTIAL_PREFIX and 12 random characters. */
static int partial_name(char ret[static 40]) {
        static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
        unsigned char rnd[12];
        size_t n = sizeof(STORVIRT__GLUSTER_PARTIAL_PREFIX) - 1;

        if (getentropy(rnd, sizeof(rnd)) < 0)
                return storvirt__error_set(-errno, "getentropy: %m");
        memcpy(ret, STORVIRT__GLUSTER_PARTIAL_PREFIX, n);
        for (size_t i = 0; i < sizeof(rnd); i++)
                ret[n + i] = chars[rnd[i] % (sizeof(chars) - 1)];
        ret[n + sizeof(rnd)] = '\0';
        return 0;
}

/* Records the new file's format, then links it under its name. */
static int commit(storvirt__pool_obj *obj, storvirt__gluster_pool *p, storvirt__gl_file *f,
                  const char *tmp, const storvirt__vol_rec *rec) {
        _cleanup_free_ char *final = NULL;
        struct stat st;
        int r;

        r = storvirt__gl_fsync(f);
        if (r >= 0)
                r = storvirt__gl_fstat(f, &st);
        if (r >= 0) {
                storvirt__vol_index_entry entry = { .ino = (uint64_t)st.st_ino };

                snprintf(entry.format, sizeof(entry.format), "%s", rec->format);
                memcpy(entry.encryption, rec->encryption, sizeof(entry.encryption));
                memcpy(entry.secret, rec->secret, sizeof(entry.secret));
                r = storvirt__vol_index_set_entry(obj->ctx, p->url, rec->name, &entry);
        }
        if (r >= 0)
                r = storvirt__gluster_path_in(p, rec->name, &final);
        if (r >= 0) {
                r = storvirt__gl_rename_noreplace(p->gl, tmp, final);
                if (r < 0)
                        storvirt__vol_index_remove(obj->ctx, p->url, rec->name);
        }
        return r;
}

/* ---- upload and download through a file descriptor ---------------------------------------- */

#define IO_CHUNK (1u << 20)

static bool all_zero(const char *buf, size_t n) {
        return n == 0 || (buf[0] == 0 && memcmp(buf, buf + 1, n - 1) == 0);
}

/* The volume's file open on the pool's handle, and its size. */
static int vol_open(storvirt__pool_obj *obj, storvirt__vol_rec *rec, int flags,
                    storvirt__gl_file **ret, uint64_t *ret_size) {
        _cleanup_free_ char *path = NULL;
        storvirt__gluster_pool *p;
        struct stat st;
        int r = storvirt__gluster_session(obj, &p);

        if (r >= 0 && rec->type != STORVIRT_VOLUME_TYPE_NETWORK)
                r = storvirt__error_set(-EINVAL, "volume '%s' is a directory", rec->path);
        if (r >= 0)
                r = storvirt__gluster_path_in(p, rec->name, &path);
        if (r >= 0)
                r = storvirt__gl_open(p->gl, path, flags, 0, ret);
        if (r >= 0 && (r = storvirt__gl_fstat(*ret, &st)) < 0)
                storvirt__gl_close(*ret);
        if (r >= 0)
                *ret_size = (uint64_t)st.st_size;
        return r;
}

/* Copies fd's data into f at offset; a raw volume never grows past its capacity. */
static int upload_loop(storvirt__gl_file *f, storvirt__vol_rec *rec, int fd, uint64_t offset,
                       uint64_t length, uint64_t limit, bool sparse, const storvirt__progress *p,
                       uint64_t *ret_done) {
        _cleanup_free_ char *buf = malloc(IO_CHUNK);
        uint64_t done = 0, total = length ? length : (limit != UINT64_MAX ? limit - offset : 0);
        int r = buf ? 0 : storvirt__error_oom();

        while (r >= 0 && (!length || done < length)) {
                size_t want = length && length - done < IO_CHUNK ? (size_t)(length - done) : IO_CHUNK;
                ssize_t k = read(fd, buf, want);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return storvirt__error_set(-errno, "upload to '%s': reading the source: %m",
                                                   rec->path);
                if (k == 0)
                        break;
                if (offset + done + (uint64_t)k > limit)
                        return storvirt__error_set(-EINVAL, "upload to '%s': data past the "
                                                   "capacity %" PRIu64, rec->path, limit);
                if (sparse && all_zero(buf, (size_t)k))
                        r = storvirt__gl_zerofill(f, offset + done, (uint64_t)k);
                else
                        r = storvirt__gl_pwrite_full(f, buf, (size_t)k, offset + done);
                done += (uint64_t)k;
                if (r >= 0)
                        r = storvirt__progress_report(p, done, total ? total : done);
        }
        *ret_done = done;
        return r;
}

/* What fills a new volume's file: a new image, or a copy of another volume. */
struct filler {
        const storvirt__vol_def *def;
        const storvirt__progress *progress;
        uint32_t flags;
        storvirt__gl_file *src;         /* a copy's source, NULL for a new image */
        uint64_t src_size;
};

/* Copies the source's bytes; the new file is sized first, so zeros stay holes. */
static int fill_copy(storvirt__gl_file *f, const struct filler *fl, uint64_t size) {
        _cleanup_free_ char *buf = malloc(IO_CHUNK);
        int r = buf ? storvirt__gl_ftruncate(f, size) : storvirt__error_oom();

        for (uint64_t pos = 0; r >= 0 && pos < fl->src_size;) {
                size_t n = fl->src_size - pos > IO_CHUNK ? IO_CHUNK : (size_t)(fl->src_size - pos);

                r = storvirt__gl_pread_full(fl->src, buf, n, pos);
                if (r >= 0 && !all_zero(buf, n))
                        r = storvirt__gl_pwrite_full(f, buf, n, pos);
                pos += n;
                if (r >= 0)
                        r = storvirt__progress_report(fl->progress, pos, fl->src_size);
        }
        return r;
}

static int fill(storvirt__gl_file *f, const storvirt__vol_rec *rec, const struct filler *fl) {
        if (fl->src)
                return fill_copy(f, fl, strcmp(rec->format, "raw") == 0 ? fl->def->capacity
                                                                        : fl->src_size);
        if (strcmp(rec->format, "qcow2") == 0)
                return build_qcow2(f, rec, fl->def, fl->flags);
        return build_raw(f, fl->def, fl->progress);
}

/* Builds rec under a hidden name, filled by fl, then links it into place. */
/*
 * An encrypted (LUKS) volume's file at the hidden name: written by
 * qemu-img through its own gluster client (backends/local.h: the
 * passphrase reaches it as a file descriptor, never on its command line).
 */
static int build_encrypted(storvirt__pool_obj *obj, storvirt__gluster_pool *p, const char *name,
                           const struct filler *fl) {
        _cleanup_free_ char *url = NULL;

        if (asprintf(&url, "%s/%s", p->url, name) < 0)
                return storvirt__error_oom();
        return storvirt__local_build_encrypted(obj, fl->def, url, fl->flags);
}

/* The file at tmp made (by fill, or by qemu-img for an encrypted volume) and committed. */
static int build_at(storvirt__pool_obj *obj, storvirt__gluster_pool *p, storvirt__vol_rec *rec,
                    const struct filler *fl, const char *name, const char *tmp) {
        mode_t mode = fl->def->target.mode >= 0 ? (mode_t)fl->def->target.mode : 0600;
        bool by_qemu = rec->encryption[0] && !fl->src;
        storvirt__gl_file *f = NULL;
        int r = 0;

        if (by_qemu)
                r = build_encrypted(obj, p, name, fl);
        if (r >= 0)
                r = storvirt__gl_open(p->gl, tmp, by_qemu ? O_RDWR : O_RDWR | O_CREAT | O_EXCL,
                                      mode, &f);
        if (r < 0)
                return r;
        r = by_qemu ? 0 : fill(f, rec, fl);
        if (r >= 0)
                r = commit(obj, p, f, tmp, rec);
        if (storvirt__gl_close(f) < 0 && r >= 0)
                r = storvirt__error_prefix("volume '%s'", rec->path);
        return r;
}

/* Builds rec under a hidden name, filled by fl, then links it into place. */
static int build_file(storvirt__pool_obj *obj, storvirt__gluster_pool *p, storvirt__vol_rec *rec,
                      const struct filler *fl) {
        _cleanup_free_ char *tmp = NULL, *final = NULL;
        struct stat st;
        char name[40];
        int r;

        r = storvirt__gluster_path_in(p, rec->name, &final);
        if (r >= 0 && storvirt__gl_lstat(p->gl, final, &st) >= 0)
                r = storvirt__error_set(-EEXIST, "volume '%s' already exists", rec->path);
        else if (r >= 0)
                storvirt__error_reset();
        if (r >= 0)
                r = partial_name(name);
        if (r >= 0)
                r = storvirt__gluster_path_in(p, name, &tmp);
        if (r < 0)
                return r;
        r = build_at(obj, p, rec, fl, name, tmp);
        if (r < 0) {
                storvirt__error_saved e;

                storvirt__error_save(&e);
                storvirt__gl_unlink(p->gl, tmp);
                return storvirt__error_restore(&e);
        }
        return 0;
}

int storvirt__gluster_build_volume(storvirt__pool_obj *obj, storvirt__vol_rec *rec,
                                   const storvirt__vol_def *def, const storvirt__progress *progress,
                                   uint32_t flags) {
        const struct filler fl = { .def = def, .progress = progress, .flags = flags };
        storvirt__gluster_pool *p;
        int r = storvirt__gluster_session(obj, &p);

        return r < 0 ? r : build_file(obj, p, rec, &fl);
}

/*
 * A copy of a volume of the same pool, byte for byte (holes kept): of
 * its format (no conversion); a raw copy may be larger than its source,
 * a qcow2 one keeps its source's capacity.
 */
int storvirt__gluster_build_volume_from(storvirt__pool_obj *obj, storvirt__vol_rec *rec,
                                        const storvirt__vol_def *def, storvirt__vol_rec *src,
                                        const storvirt__progress *progress, uint32_t flags) {
        struct filler fl = { .def = def, .progress = progress, .flags = flags };
        storvirt__gluster_pool *p;
        size_t n;
        int r = storvirt__gluster_session(obj, &p);

        if (r < 0)
                return r;
        n = strlen(p->url);
        if (strncmp(src->path, p->url, n) != 0 || src->path[n] != '/' || strchr(src->path + n + 1, '/'))
                return storvirt__error_set(-EOPNOTSUPP, "volume '%s': a gluster pool copies only "
                                           "its own volumes, not '%s'", rec->name, src->path);
        if (strcmp(src->format, rec->format) != 0)
                return storvirt__error_set(-EOPNOTSUPP, "volume '%s': a copy of a %s volume is %s "
                                           "too (no conversion in gluster pools)", rec->name,
                                           src->format, src->format);
        if (strcmp(rec->format, "raw") != 0 && def->capacity != src->capacity)
                return storvirt__error_set(-EOPNOTSUPP, "volume '%s': a %s copy keeps its "
                                           "source's capacity", rec->name, rec->format);
        r = vol_open(obj, src, O_RDONLY, &fl.src, &fl.src_size);
        if (r < 0)
                return r;
        /* the same bytes: encrypted as the source is, with its secret */
        storvirt__mutex_lock(&obj->lock);
        memcpy(rec->encryption, src->encryption, sizeof(rec->encryption));
        memcpy(rec->secret, src->secret, sizeof(rec->secret));
        storvirt__mutex_unlock(&obj->lock);
        r = build_file(obj, p, rec, &fl);
        storvirt__gl_close(fl.src);
        return r;
}

/*
 * What is at the volume's name must still be what the record says: a
 * regular file (network) or a directory (netdir), and, once read, the
 * same one.  A symbolic link, a device, a fifo or a socket put there
 * since is never removed in the volume's place.
 */
static int check_entry(storvirt__gluster_pool *p, const storvirt__vol_rec *rec,
                       const char *path) {
        bool dir = rec->type == STORVIRT_VOLUME_TYPE_NETDIR;
        struct stat st;
        int r = storvirt__gl_lstat(p->gl, path, &st);

        if (r < 0)
                return r;
        if (dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
                return storvirt__error_set(-EINVAL, "volume '%s': '%s' in the gluster volume is "
                                           "now %s, not the %s the volume is: not removed",
                                           rec->path, path,
                                           S_ISLNK(st.st_mode) ? "a symbolic link" :
                                           S_ISDIR(st.st_mode) ? "a directory" :
                                           S_ISREG(st.st_mode) ? "a regular file" :
                                           "a special file (device, fifo or socket)",
                                           dir ? "directory" : "regular file");
        if (rec->ino && rec->ino != (uint64_t)st.st_ino)
                return storvirt__error_set(-ESTALE, "volume '%s': '%s' was replaced by another "
                                           "file since the pool read it (refresh the pool): "
                                           "not removed", rec->path, path);
        return 0;
}

int storvirt__gluster_delete_volume(storvirt__pool_obj *obj, storvirt__vol_rec *rec,
                                    uint32_t flags) {
        _cleanup_free_ char *path = NULL;
        storvirt__gluster_pool *p;
        int r = storvirt__gluster_session(obj, &p);

        if (r >= 0)
                r = storvirt__gluster_path_in(p, rec->name, &path);
        if (r >= 0)
                r = check_entry(p, rec, path);
        if (r >= 0)
                r = rec->type == STORVIRT_VOLUME_TYPE_NETDIR ? storvirt__gl_rmdir(p->gl, path)
                                                              : storvirt__gl_unlink(p->gl, path);
        if (r == -ENOENT)
                r = 0;
        if (r < 0)
                return storvirt__error_prefix("deleting volume '%s'", rec->path);
        if (rec->recorded && storvirt__vol_index_remove(obj->ctx, p->url, rec->name) < 0)
                log_warning(obj->ctx, "pool '%s': %s", obj->def->name, storvirt__error_msg());
        return 0;
}

/* ---- wipe ------------------------------------------------------------------------------------ */

#define WIPE_CHUNK (64u << 20)

/* Every byte of f reads as zero: holes punched where the bricks can (a sparse file stays so). */
static int wipe_zero(storvirt__gl_file *f, uint64_t size, const storvirt__progress *progress) {
        int r = 0;

        for (uint64_t off = 0; r >= 0 && off < size; off += WIPE_CHUNK) {
                r = storvirt__gl_zerofill(f, off, MIN((uint64_t)WIPE_CHUNK, size - off));
                if (r >= 0)
                        r = storvirt__progress_report(progress, MIN(off + WIPE_CHUNK, size), size);
        }
        return r;
}

/* A wiped qcow2 volume is an empty image again: its capacity, header and backing file. */
static int wipe_qcow2(storvirt__gl_file *f, const storvirt__vol_rec *rec,
                      const struct storvirt__qcow2_opts *o) {
        storvirt__img_io io;
        int r = storvirt__gl_ftruncate(f, 0);

        storvirt__gl_file_io(f, &io);
        return r < 0 ? r : storvirt__qcow2_create_io(&io, o, rec->path);
}

/*
 * Zeros over the whole volume, through the pool's handle: a raw volume
 * keeps its size and reads as zeros (its blocks given back), a qcow2
 * volume becomes an empty image of the same capacity, cluster size,
 * compat and backing file.
 */
int storvirt__gluster_wipe_volume(storvirt__pool_obj *obj, storvirt__vol_rec *rec,
                                  const storvirt__progress *progress, uint32_t flags) {
        struct storvirt__qcow2_opts o = { 0 };
        bool qcow2 = strcmp(rec->format, "qcow2") == 0;
        _cleanup_free_ char *backing = NULL;
        storvirt__gl_file *f = NULL;
        char bfmt[16];
        uint64_t size;
        int r;

        if (rec->type != STORVIRT_VOLUME_TYPE_NETWORK)
                return storvirt__error_set(-EINVAL, "volume '%s' is a directory: nothing to wipe",
                                           rec->path);
        if (rec->encryption[0])
                return storvirt__error_set(-EOPNOTSUPP, "volume '%s': wiping an encrypted volume "
                                           "of a gluster pool is not supported", rec->path);
        if (strcmp(rec->format, "raw") != 0 && !qcow2)
                return storvirt__error_set(-EOPNOTSUPP, "volume '%s': wiping a %s volume of a "
                                           "gluster pool is not supported (raw, qcow2)", rec->path,
                                           rec->format);
        storvirt__mutex_lock(&obj->lock);
        o = (struct storvirt__qcow2_opts){
                .size = rec->capacity, .compat_010 = strcmp(rec->compat, "0.10") == 0,
                .lazy_refcounts = rec->lazy_refcounts, .extended_l2 = rec->extended_l2,
                .cluster_size = rec->cluster_bits ? 1u << rec->cluster_bits : 0,
        };
        backing = rec->backing_path ? strdup(strrchr(rec->backing_path, '/') ?
                                             strrchr(rec->backing_path, '/') + 1 :
                                             rec->backing_path) : NULL;
        memcpy(bfmt, rec->backing_format, sizeof(bfmt));
        storvirt__mutex_unlock(&obj->lock);
        if (rec->backing_path && !backing)
                return storvirt__error_oom();
        o.backing_file = backing;
        o.backing_format = backing && bfmt[0] ? bfmt : NULL;
        r = vol_open(obj, rec, O_RDWR, &f, &size);
        if (r < 0)
                return r;
        r = wipe_zero(f, size, progress);
        if (r >= 0 && qcow2)
                r = wipe_qcow2(f, rec, &o);
        if (r >= 0)
                r = storvirt__gl_fsync(f);
        if (storvirt__gl_close(f) < 0 && r >= 0)
                r = storvirt__error_code();
        return r < 0 ? storvirt__error_prefix("wiping volume '%s'", rec->path) : 0;
}

/* qemu-img resize of a qcow2 volume, which reaches it through its own libgfapi client. */
static int resize_qcow2(storvirt__vol_rec *rec, uint64_t capacity) {
        char size[32];
        char *argv[] = { (char *)"qemu-img", (char *)"resize", (char *)"-q", (char *)"-f",
                         (char *)"qcow2", (char *)rec->path, size, NULL };

        if (storvirt__command_find("qemu-img", NULL) < 0)
                return storvirt__error_set(-EOPNOTSUPP, "volume '%s': resizing a qcow2 volume "
                                           "needs qemu-img, which is not installed", rec->path);
        snprintf(size, sizeof(size), "%" PRIu64, capacity);
        return storvirt__command_run(argv, 300000, NULL);
}

int storvirt__gluster_resize_volume(storvirt__pool_obj *obj, storvirt__vol_rec *rec,
                                    uint64_t capacity, uint32_t flags) {
        _cleanup_free_ char *path = NULL;
        storvirt__gl_file *f = NULL;
        storvirt__gluster_pool *p;
        struct stat st;
        int r;

        if (rec->type != STORVIRT_VOLUME_TYPE_NETWORK)
                return storvirt__error_set(-EINVAL, "volume '%s' is a directory", rec->path);
        if (rec->encryption[0])
                return storvirt__error_set(-EOPNOTSUPP, "volume '%s': resizing an encrypted "
                                           "volume of a gluster pool is not supported", rec->path);
        if (strcmp(rec->format, "qcow2") == 0)
                return resize_qcow2(rec, capacity);
        if (strcmp(rec->format, "raw") != 0)
                return storvirt__error_set(-EOPNOTSUPP, "volume '%s': resizing a %s volume of a "
                                           "gluster pool is not supported", rec->path, rec->format);
        r = storvirt__gluster_session(obj, &p);
        if (r >= 0)
                r = storvirt__gluster_path_in(p, rec->name, &path);
        if (r >= 0)
                r = storvirt__gl_open(p->gl, path, O_RDWR, 0, &f);
        if (r >= 0)
                r = storvirt__gl_fstat(f, &st);
        if (r >= 0 && (flags & STORVIRT_VOLUME_RESIZE_ALLOCATE) && capacity > (uint64_t)st.st_size)
                r = storvirt__gl_fallocate(f, (uint64_t)st.st_size, capacity - (uint64_t)st.st_size);
        if (r >= 0)
                r = storvirt__gl_ftruncate(f, capacity);
        if (r >= 0)
                r = storvirt__gl_fsync(f);
        if (storvirt__gl_close(f) < 0 && r >= 0)
                r = storvirt__error_code();
        return r < 0 ? storvirt__error_prefix("resizing volume '%s'", rec->path) : 0;
}

int storvirt__gluster_upload(storvirt__pool_obj *obj, storvirt__vol_rec *rec, int fd,
                             uint64_t offset, uint64_t length, const storvirt__progress *p,
                             uint32_t flags) {
        bool raw = strcmp(rec->format, "raw") == 0;
        uint64_t limit = raw ? rec->capacity : UINT64_MAX, size = 0, done = 0;
        storvirt__gl_file *f = NULL;
        int r;

        struct stat in;
        off_t at;

        /* a file's remaining bytes are known: refused before anything is written */
        if (!length && fstat(fd, &in) == 0 && S_ISREG(in.st_mode) &&
            (at = lseek(fd, 0, SEEK_CUR)) >= 0 && in.st_size > at &&
            offset <= limit && (uint64_t)(in.st_size - at) > limit - offset)
                length = (uint64_t)(in.st_size - at);
        if (offset > limit || (length && length > limit - offset))
                return storvirt__error_set(-EINVAL, "upload to '%s': offset %" PRIu64 " + length %"
                                           PRIu64 " is past the capacity %" PRIu64, rec->path,
                                           offset, length, limit);
        r = vol_open(obj, rec, O_RDWR, &f, &size);
        if (r < 0)
                return r;
        r = upload_loop(f, rec, fd, offset, length, limit,
                        flags & STORVIRT_VOLUME_TRANSFER_SPARSE, p, &done);
        if (r >= 0 && !raw && offset + done > size)
                r = storvirt__gl_ftruncate(f, offset + done);
        if (r >= 0)
                r = storvirt__gl_fsync(f);
        if (storvirt__gl_close(f) < 0 && r >= 0)
                r = storvirt__error_code();
        return r;
}

/* Writes n bytes to fd, or with seek (a sparse copy into a seekable fd) skips zeros. */
static int emit(int fd, const char *buf, size_t n, bool seek) {
        if (seek && all_zero(buf, n))
                return lseek(fd, (off_t)n, SEEK_CUR) < 0 ? -errno : 0;
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

int storvirt__gluster_download(storvirt__pool_obj *obj, storvirt__vol_rec *rec, int fd,
                               uint64_t offset, uint64_t length, const storvirt__progress *p,
                               uint32_t flags) {
        off_t start_out = lseek(fd, 0, SEEK_CUR);
        bool seek = (flags & STORVIRT_VOLUME_TRANSFER_SPARSE) && start_out >= 0;
        _cleanup_free_ char *buf = malloc(IO_CHUNK);
        storvirt__gl_file *f = NULL;
        uint64_t size = 0, end;
        int r = buf ? vol_open(obj, rec, O_RDONLY, &f, &size) : storvirt__error_oom();

        if (r < 0)
                return r;
        if (offset > size || (length && length > size - offset)) {
                storvirt__gl_close(f);
                return storvirt__error_set(-EINVAL, "download from '%s': offset %" PRIu64 " + "
                                           "length %" PRIu64 " is past its size %" PRIu64,
                                           rec->path, offset, length, size);
        }
        end = length ? offset + length : size;
        for (uint64_t pos = offset; r >= 0 && pos < end;) {
                size_t n = end - pos > IO_CHUNK ? IO_CHUNK : (size_t)(end - pos);

                r = storvirt__gl_pread_full(f, buf, n, pos);
                if (r >= 0 && (r = emit(fd, buf, n, seek)) < 0)
                        r = storvirt__error_set(r, "download from '%s': writing: %s", rec->path,
                                                strerror(-r));
                pos += n;
                if (r >= 0)
                        r = storvirt__progress_report(p, pos - offset, end - offset);
        }
        storvirt__gl_close(f);
        /* a sparse copy that ends in a hole gets its size */
        if (r >= 0 && seek && ftruncate(fd, start_out + (off_t)(end - offset)) < 0 &&
            errno != EINVAL)
                r = storvirt__error_set(-errno, "download from '%s': %m", rec->path);
        return r;
}

