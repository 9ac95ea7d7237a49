/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * gluster.h - a GlusterFS volume reached through libgfapi: one client
 * handle per volume connection, and the file operations the gluster
 * pool type needs on it (statvfs, a directory listing with every
 * entry's stat in one pass, open/create, pread/pwrite, truncate, fsync,
 * rename, unlink, the file's GlusterFS id).
 *
 * Making a handle costs one volfile fetch and a connection to each
 * brick (about 0.1 s on loopback); libgfapi's glfs_fini() then waits
 * about 10 s for its worker threads to time out.  A handle is therefore
 * made once and kept for as long as it is used (a pool holds one from
 * start to stop), and storvirt__gl_release() leaves that wait to a
 * detached thread, so neither a pool stop nor a context release blocks
 * on it (a process that exits meanwhile just ends the wait: its files
 * are closed by then).
 *
 * Paths are absolute inside the volume ("/dir/file").  Every function
 * returns 0 (or a count) or -errno with a message naming the volume and
 * the path.  Without libgfapi (meson option gluster) every function
 * returns -EOPNOTSUPP.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>

#include "sys/imgfmt.h"

/* GlusterFS's management port, where the volfile is fetched. */
#define STORVIRT__GL_PORT_DEFAULT 24007

typedef struct storvirt__gl storvirt__gl;
typedef struct storvirt__gl_file storvirt__gl_file;

typedef struct storvirt__gl_server {
        const char *host;       /* name or address */
        unsigned port;          /* 0: STORVIRT__GL_PORT_DEFAULT */
} storvirt__gl_server;

/* Whether this library was built with libgfapi. */
bool storvirt__gl_available(void);

/*
 * A handle on volume `volume`, its volfile fetched from the first of
 * servers that answers (the others are the backup volfile servers).
 * libgfapi's own log goes nowhere unless log_path is given.
 */
int storvirt__gl_connect(const char *volume, const storvirt__gl_server *servers, size_t n,
                         const char *log_path, storvirt__gl **ret);
/* Releases a handle (NULL accepted); see above for libgfapi's wait. */
void storvirt__gl_release(storvirt__gl *gl);
const char *storvirt__gl_volume(const storvirt__gl *gl);
/* The volume's UUID, as GlusterFS gives it ("8-4-4-4-12" hex). */
int storvirt__gl_volume_id(storvirt__gl *gl, char ret[static 37]);

int storvirt__gl_statvfs(storvirt__gl *gl, const char *path, struct statvfs *ret);
int storvirt__gl_lstat(storvirt__gl *gl, const char *path, struct stat *ret);
/* The GlusterFS id (gfid, a UUID) of the file at path. */
int storvirt__gl_gfid(storvirt__gl *gl, const char *path, char ret[static 37]);

/*
 * Calls fn for every entry of directory dir but "." and "..", with the
 * entry's lstat and, for a regular file, io reading it (NULL otherwise):
 * one readdirplus pass that also returns each entry's handle, then one
 * read call per read (an anonymous read by handle: no open, no close).
 * io is valid during the call only.  Stops at the first negative return
 * of fn and returns it.
 */
typedef int (*storvirt__gl_entry_fn)(const char *name, const struct stat *st,
                                     const storvirt__img_io *io, void *userdata);
int storvirt__gl_list(storvirt__gl *gl, const char *dir, storvirt__gl_entry_fn fn, void *userdata);

/*
 * Opens the file at path: flags O_RDONLY, O_WRONLY or O_RDWR, with
 * O_CREAT | O_EXCL to create it with mode.  A symbolic link is refused
 * (-ELOOP) and so is anything but a regular file (-EINVAL).
 */
int storvirt__gl_open(storvirt__gl *gl, const char *path, int flags, mode_t mode,
                      storvirt__gl_file **ret);
/* Closes f (NULL accepted); 0 or the error of the close (a write that failed late). */
int storvirt__gl_close(storvirt__gl_file *f);
int storvirt__gl_fstat(storvirt__gl_file *f, struct stat *ret);
int storvirt__gl_ftruncate(storvirt__gl_file *f, uint64_t size);
int storvirt__gl_fsync(storvirt__gl_file *f);
/* Reads or writes exactly len bytes at off (-EIO on a short read). */
int storvirt__gl_pread_full(storvirt__gl_file *f, void *buf, size_t len, uint64_t off);
int storvirt__gl_pwrite_full(storvirt__gl_file *f, const void *buf, size_t len, uint64_t off);
/* The image prober's and the qcow2 writer's I/O through f (sys/imgfmt.h). */
void storvirt__gl_file_io(storvirt__gl_file *f, storvirt__img_io *ret);

/*
 * Makes [off, off + len) of f read as zeros without sending them: a hole
 * punched (discard), or where the bricks cannot, zerofill.
 */
int storvirt__gl_zerofill(storvirt__gl_file *f, uint64_t off, uint64_t len);
/* Allocates [off, off + len) of f (fallocate, the file's size grows with it). */
int storvirt__gl_fallocate(storvirt__gl_file *f, uint64_t off, uint64_t len);

int storvirt__gl_unlink(storvirt__gl *gl, const char *path);
int storvirt__gl_rmdir(storvirt__gl *gl, const char *path);
/* Renames from to `to`, never replacing a file there (-EEXIST). */
int storvirt__gl_rename_noreplace(storvirt__gl *gl, const char *from, const char *to);
