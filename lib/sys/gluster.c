/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * gluster.c - a GlusterFS volume through libgfapi (see gluster.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys/gluster.h"
#include "util/error.h"
#include "util/macro.h"

#if HAVE_GLUSTER
#include <glusterfs/api/glfs.h>
#include <glusterfs/api/glfs-handles.h>

struct storvirt__gl {
        glfs_t *fs;
        char *volume;
};

struct storvirt__gl_file {
        storvirt__gl *gl;
        glfs_fd_t *fd;
        char *path;
};

bool storvirt__gl_available(void) {
        return true;
}

static int gl_error(const storvirt__gl *gl, const char *path, const char *op) {
        int err = errno ? errno : EIO;

        return storvirt__error_set(-err, "gluster volume '%s': %s '%s': %s", gl->volume, op,
                                   path, strerror(err));
}

static void gl_free(storvirt__gl *gl) {
        free(gl->volume);
        free(gl);
}

int storvirt__gl_connect(const char *volume, const storvirt__gl_server *servers, size_t n,
                         const char *log_path, storvirt__gl **ret) {
        storvirt__gl *gl;
        int r = 0;

        if (!volume || !*volume || n == 0)
                return storvirt__error_set(-EINVAL, "gluster: a volume name and a server are needed");
        gl = calloc(1, sizeof(*gl));
        if (!gl || !(gl->volume = strdup(volume))) {
                free(gl);
                return storvirt__error_oom();
        }
        gl->fs = glfs_new(volume);
        if (!gl->fs) {
                gl_free(gl);
                return storvirt__error_set(-ENOMEM, "gluster volume '%s': glfs_new failed", volume);
        }
        for (size_t i = 0; r >= 0 && i < n; i++)
                if (glfs_set_volfile_server(gl->fs, "tcp", servers[i].host,
                                            servers[i].port ? (int)servers[i].port
                                                            : STORVIRT__GL_PORT_DEFAULT) < 0)
                        r = storvirt__error_set(errno ? -errno : -EINVAL,
                                                "gluster volume '%s': server '%s': %m", volume,
                                                servers[i].host);
        if (r >= 0)
                glfs_set_logging(gl->fs, log_path ? log_path : "/dev/null", log_path ? 7 : 0);
        if (r >= 0 && glfs_init(gl->fs) < 0) {
                int err = errno ? errno : EIO;

                r = storvirt__error_set(-err, "gluster volume '%s' on %s%s: cannot be reached or "
                                        "mounted: %s", volume, servers[0].host,
                                        n > 1 ? " (and its backup servers)" : "", strerror(err));
        }
        if (r < 0) {
                glfs_fini(gl->fs);  /* quick after a failed init: no worker is running */
                gl_free(gl);
                return r;
        }
        *ret = gl;
        return 0;
}

static void *fini_thread(void *arg) {
        storvirt__gl *gl = arg;

        glfs_fini(gl->fs);
        gl_free(gl);
        return NULL;
}

void storvirt__gl_release(storvirt__gl *gl) {
        pthread_attr_t attr;
        pthread_t t;

        if (!gl)
                return;
        if (pthread_attr_init(&attr) == 0) {
                bool started = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0 &&
                               pthread_create(&t, &attr, fini_thread, gl) == 0;

                pthread_attr_destroy(&attr);
                if (started)
                        return;
        }
        fini_thread(gl);
}

const char *storvirt__gl_volume(const storvirt__gl *gl) {
        return gl->volume;
}

static void uuid_hex(const unsigned char *u, char ret[static 37]) {
        snprintf(ret, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
                 u[13], u[14], u[15]);
}

int storvirt__gl_volume_id(storvirt__gl *gl, char ret[static 37]) {
        unsigned char id[16];

        errno = 0;
        if (glfs_get_volumeid(gl->fs, (char *)id, sizeof(id)) != (int)sizeof(id))
                return gl_error(gl, "/", "reading the volume id of");
        uuid_hex(id, ret);
        return 0;
}

int storvirt__gl_statvfs(storvirt__gl *gl, const char *path, struct statvfs *ret) {
        errno = 0;
        return glfs_statvfs(gl->fs, path, ret) < 0 ? gl_error(gl, path, "statvfs") : 0;
}

int storvirt__gl_lstat(storvirt__gl *gl, const char *path, struct stat *ret) {
        errno = 0;
        return glfs_lstat(gl->fs, path, ret) < 0 ? gl_error(gl, path, "lstat") : 0;
}

int storvirt__gl_gfid(storvirt__gl *gl, const char *path, char ret[static 37]) {
        unsigned char id[GFAPI_HANDLE_LENGTH];
        glfs_object_t *obj;
        struct stat st;
        int n;

        /* the object's handle is its gfid (the "glusterfs.gfid" xattr is FUSE's alone) */
        errno = 0;
        obj = glfs_h_lookupat(gl->fs, NULL, path, &st, 0);
        if (!obj)
                return gl_error(gl, path, "looking up");
        n = glfs_h_extract_handle(obj, id, sizeof(id));
        glfs_h_close(obj);
        if (n != (int)sizeof(id))
                return gl_error(gl, path, "reading the gfid of");
        uuid_hex(id, ret);
        return 0;
}

/* An entry read by its handle, without an open file. */
struct anon {
        glfs_t *fs;
        glfs_object_t *obj;
};

static ssize_t anon_pread(void *h, void *buf, size_t len, uint64_t off) {
        struct anon *a = h;

        return glfs_h_anonymous_read(a->fs, a->obj, buf, len, (off_t)off);
}

/* One entry to fn; xstat holds its stat and handle (asked for apart when not returned). */
static int list_one(storvirt__gl *gl, const char *dir, const struct dirent *de,
                    glfs_xreaddirp_stat_t *xstat, int got, storvirt__gl_entry_fn fn,
                    void *userdata) {
        struct stat *st = (got & GFAPI_XREADDIRP_STAT) ? glfs_xreaddirplus_get_stat(xstat) : NULL;
        struct anon a = { gl->fs, NULL };
        storvirt__img_io io = { .pread = anon_pread, .handle = &a };
        _cleanup_free_ char *path = NULL;
        struct stat own;

        if (!st) {
                if (asprintf(&path, "%s/%s", strcmp(dir, "/") ? dir : "", de->d_name) < 0)
                        return storvirt__error_oom();
                errno = 0;
                if (glfs_lstat(gl->fs, path, &own) < 0)
                        return errno == ENOENT ? 0 : gl_error(gl, path, "lstat");
                st = &own;
        }
        if (got > 0 && (got & GFAPI_XREADDIRP_HANDLE))
                a.obj = glfs_xreaddirplus_get_object(xstat);
        return fn(de->d_name, st, S_ISREG(st->st_mode) && a.obj ? &io : NULL, userdata);
}

int storvirt__gl_list(storvirt__gl *gl, const char *dir, storvirt__gl_entry_fn fn, void *userdata) {
        struct dirent de, *res = NULL;
        glfs_fd_t *d;
        int r = 0;

        errno = 0;
        d = glfs_opendir(gl->fs, dir);
        if (!d)
                return gl_error(gl, dir, "opening directory");
        for (;;) {
                glfs_xreaddirp_stat_t *xstat = NULL;
                int got;

                errno = 0;
                got = glfs_xreaddirplus_r(d, GFAPI_XREADDIRP_STAT | GFAPI_XREADDIRP_HANDLE, &xstat,
                                          &de, &res);
                if (got < 0) {
                        r = gl_error(gl, dir, "reading directory");
                        break;
                }
                if (!res) {
                        glfs_free(xstat);
                        break;
                }
                if (strcmp(de.d_name, ".") && strcmp(de.d_name, ".."))
                        r = list_one(gl, dir, &de, xstat, got, fn, userdata);
                glfs_free(xstat);
                if (r < 0)
                        break;
        }
        glfs_closedir(d);
        return r;
}

static int file_new(storvirt__gl *gl, const char *path, glfs_fd_t *fd, storvirt__gl_file **ret) {
        storvirt__gl_file *f = calloc(1, sizeof(*f));

        if (!f || !(f->path = strdup(path))) {
                free(f);
                glfs_close(fd);
                return storvirt__error_oom();
        }
        f->gl = gl;
        f->fd = fd;
        *ret = f;
        return 0;
}

/* An existing file: a regular file, the one lstat saw (no link followed). */
static int open_existing(storvirt__gl *gl, const char *path, int flags, storvirt__gl_file **ret) {
        struct stat st, fst;
        glfs_fd_t *fd;

        errno = 0;
        if (glfs_lstat(gl->fs, path, &st) < 0)
                return gl_error(gl, path, "opening");
        if (S_ISLNK(st.st_mode))
                return storvirt__error_set(-ELOOP, "gluster volume '%s': '%s' is a symbolic link, "
                                           "never followed", gl->volume, path);
        if (!S_ISREG(st.st_mode))
                return storvirt__error_set(-EINVAL, "gluster volume '%s': '%s' is not a regular "
                                           "file", gl->volume, path);
        fd = glfs_open(gl->fs, path, flags & O_ACCMODE);
        if (!fd)
                return gl_error(gl, path, "opening");
        if (glfs_fstat(fd, &fst) < 0 || fst.st_ino != st.st_ino) {
                glfs_close(fd);
                return storvirt__error_set(-ESTALE, "gluster volume '%s': '%s' changed while it "
                                           "was opened", gl->volume, path);
        }
        return file_new(gl, path, fd, ret);
}

int storvirt__gl_open(storvirt__gl *gl, const char *path, int flags, mode_t mode,
                      storvirt__gl_file **ret) {
        glfs_fd_t *fd;

        if (!(flags & O_CREAT))
                return open_existing(gl, path, flags, ret);
        errno = 0;
        fd = glfs_creat(gl->fs, path, (flags & O_ACCMODE) | O_CREAT | O_EXCL, mode);
        if (!fd)
                return gl_error(gl, path, "creating");
        return file_new(gl, path, fd, ret);
}

int storvirt__gl_close(storvirt__gl_file *f) {
        int r = 0;

        if (!f)
                return 0;
        errno = 0;
        if (glfs_close(f->fd) < 0)
                r = gl_error(f->gl, f->path, "closing");
        free(f->path);
        free(f);
        return r;
}

int storvirt__gl_fstat(storvirt__gl_file *f, struct stat *ret) {
        errno = 0;
        return glfs_fstat(f->fd, ret) < 0 ? gl_error(f->gl, f->path, "fstat") : 0;
}

int storvirt__gl_ftruncate(storvirt__gl_file *f, uint64_t size) {
        if (size > INT64_MAX)
                return storvirt__error_set(-EFBIG, "gluster: size %" PRIu64 " is too large", size);
        errno = 0;
        return glfs_ftruncate(f->fd, (off_t)size, NULL, NULL) < 0 ? gl_error(f->gl, f->path,
                                                                             "truncating") : 0;
}

int storvirt__gl_fsync(storvirt__gl_file *f) {
        errno = 0;
        return glfs_fsync(f->fd, NULL, NULL) < 0 ? gl_error(f->gl, f->path, "fsync") : 0;
}

static ssize_t io_pread(void *h, void *buf, size_t len, uint64_t off) {
        storvirt__gl_file *f = h;

        return glfs_pread(f->fd, buf, len, (off_t)off, 0, NULL);
}

static ssize_t io_pwrite(void *h, const void *buf, size_t len, uint64_t off) {
        storvirt__gl_file *f = h;

        return glfs_pwrite(f->fd, buf, len, (off_t)off, 0, NULL, NULL);
}

static int io_truncate(void *h, uint64_t size) {
        storvirt__gl_file *f = h;

        return glfs_ftruncate(f->fd, (off_t)size, NULL, NULL);
}

void storvirt__gl_file_io(storvirt__gl_file *f, storvirt__img_io *ret) {
        *ret = (storvirt__img_io){ .pread = io_pread, .pwrite = io_pwrite,
                                   .truncate = io_truncate, .handle = f };
}

int storvirt__gl_pread_full(storvirt__gl_file *f, void *buf, size_t len, uint64_t off) {
        uint8_t *p = buf;

        while (len > 0) {
                ssize_t n;

                errno = 0;
                n = glfs_pread(f->fd, p, len, (off_t)off, 0, NULL);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return gl_error(f->gl, f->path, "reading");
                if (n == 0)
                        return storvirt__error_set(-EIO, "gluster volume '%s': '%s': unexpected "
                                                   "end of file at %" PRIu64, f->gl->volume,
                                                   f->path, off);
                p += n;
                len -= (size_t)n;
                off += (uint64_t)n;
        }
        return 0;
}

int storvirt__gl_pwrite_full(storvirt__gl_file *f, const void *buf, size_t len, uint64_t off) {
        const uint8_t *p = buf;

        while (len > 0) {
                ssize_t n;

                errno = 0;
                n = glfs_pwrite(f->fd, p, len, (off_t)off, 0, NULL, NULL);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return gl_error(f->gl, f->path, "writing");
                p += n;
                len -= (size_t)n;
                off += (uint64_t)n;
        }
        return 0;
}

int storvirt__gl_fallocate(storvirt__gl_file *f, uint64_t off, uint64_t len) {
        if (off > INT64_MAX || len > INT64_MAX - off)
                return storvirt__error_set(-EFBIG, "gluster: range too large");
        errno = 0;
        return glfs_fallocate(f->fd, 0, (off_t)off, (size_t)len) < 0 ? gl_error(f->gl, f->path,
                                                                               "allocating") : 0;
}

int storvirt__gl_zerofill(storvirt__gl_file *f, uint64_t off, uint64_t len) {
        if (off > INT64_MAX || len > INT64_MAX - off)
                return storvirt__error_set(-EFBIG, "gluster: range too large");
        errno = 0;
        if (glfs_discard(f->fd, (off_t)off, (size_t)len) == 0)
                return 0;
        errno = 0;
        return glfs_zerofill(f->fd, (off_t)off, (off_t)len) < 0 ? gl_error(f->gl, f->path,
                                                                         "zeroing") : 0;
}

int storvirt__gl_rmdir(storvirt__gl *gl, const char *path) {
        errno = 0;
        return glfs_rmdir(gl->fs, path) < 0 ? gl_error(gl, path, "removing directory") : 0;
}

int storvirt__gl_unlink(storvirt__gl *gl, const char *path) {
        errno = 0;
        return glfs_unlink(gl->fs, path) < 0 ? gl_error(gl, path, "removing") : 0;
}

int storvirt__gl_rename_noreplace(storvirt__gl *gl, const char *from, const char *to) {
        errno = 0;
        if (glfs_link(gl->fs, from, to) < 0)
                return errno == EEXIST ? storvirt__error_set(-EEXIST, "gluster volume '%s': '%s' "
                                                             "already exists", gl->volume, to)
                                       : gl_error(gl, to, "linking");
        if (glfs_unlink(gl->fs, from) < 0)
                return gl_error(gl, from, "removing");
        return 0;
}

#else /* !HAVE_GLUSTER */

#define NOT_BUILT storvirt__error_set(-EOPNOTSUPP, "gluster: this library was built without " \
                                      "libgfapi (meson option gluster)")

bool storvirt__gl_available(void) {
        return false;
}

int storvirt__gl_connect(const char *volume, const storvirt__gl_server *servers, size_t n,
                         const char *log_path, storvirt__gl **ret) {
        return NOT_BUILT;
}

void storvirt__gl_release(storvirt__gl *gl) {
}

const char *storvirt__gl_volume(const storvirt__gl *gl) {
        return NULL;
}

int storvirt__gl_volume_id(storvirt__gl *gl, char ret[static 37]) {
        return NOT_BUILT;
}

int storvirt__gl_statvfs(storvirt__gl *gl, const char *path, struct statvfs *ret) {
        return NOT_BUILT;
}

int storvirt__gl_lstat(storvirt__gl *gl, const char *path, struct stat *ret) {
        return NOT_BUILT;
}

int storvirt__gl_gfid(storvirt__gl *gl, const char *path, char ret[static 37]) {
        return NOT_BUILT;
}

int storvirt__gl_list(storvirt__gl *gl, const char *dir, storvirt__gl_entry_fn fn, void *userdata) {
        return NOT_BUILT;
}

int storvirt__gl_open(storvirt__gl *gl, const char *path, int flags, mode_t mode,
                      storvirt__gl_file **ret) {
        return NOT_BUILT;
}

int storvirt__gl_close(storvirt__gl_file *f) {
        return 0;
}

int storvirt__gl_fstat(storvirt__gl_file *f, struct stat *ret) {
        return NOT_BUILT;
}

int storvirt__gl_ftruncate(storvirt__gl_file *f, uint64_t size) {
        return NOT_BUILT;
}

int storvirt__gl_fsync(storvirt__gl_file *f) {
        return NOT_BUILT;
}

int storvirt__gl_pread_full(storvirt__gl_file *f, void *buf, size_t len, uint64_t off) {
        return NOT_BUILT;
}

int storvirt__gl_pwrite_full(storvirt__gl_file *f, const void *buf, size_t len, uint64_t off) {
        return NOT_BUILT;
}

void storvirt__gl_file_io(storvirt__gl_file *f, storvirt__img_io *ret) {
        *ret = (storvirt__img_io){};
}

int storvirt__gl_fallocate(storvirt__gl_file *f, uint64_t off, uint64_t len) {
        return NOT_BUILT;
}

int storvirt__gl_zerofill(storvirt__gl_file *f, uint64_t off, uint64_t len) {
        return NOT_BUILT;
}

int storvirt__gl_rmdir(storvirt__gl *gl, const char *path) {
        return NOT_BUILT;
}

int storvirt__gl_unlink(storvirt__gl *gl, const char *path) {
        return NOT_BUILT;
}

int storvirt__gl_rename_noreplace(storvirt__gl *gl, const char *from, const char *to) {
        return NOT_BUILT;
}

#endif
