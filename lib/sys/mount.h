/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mount.h - what the fs and netfs pools need from the kernel's mount
 * table: mount option lists (split into mount(2) flags and filesystem
 * data, or joined for the mount helper), the helper's argv, mount(2) and
 * umount2(2), reading /proc/self/mountinfo, and loop devices attached
 * through /dev/loop-control with autoclear (no losetup).
 *
 * Messages name the source, the target and why; callers prefix the pool.
 */
#pragma once

/*
 * lib/ is on the include path, so <sys/mount.h> finds this file before
 * the C library's header of the same name: bring that one in as well
 * (mount(2), umount2(2), MS_* and UMOUNT_* are declared there).
 */
#include_next <sys/mount.h>

#include <stdbool.h>
#include <sys/types.h>

/* The options every pool mount starts with; <fs:mount_opts> come after. */
#define STORVIRT__MOUNT_DEFAULT_OPTS "nodev,nosuid,noexec"

/* ---- mount options ------------------------------------------------------ */

/*
 * Splits option names (each may itself be a comma-separated list) the
 * way mount(8) does before calling mount(2):
 * "ro", "noexec", "atime"... become flag changes applied in order on top
 * of *flags (so "exec" after the defaults clears MS_NOEXEC); options only
 * mount(8) knows ("defaults", "noauto", "user", "_netdev", "nofail",
 * "loop", "x-*", "comment=*") are dropped; the rest is joined with ','
 * into *ret_data (NULL when empty) for the filesystem.  Mount-table
 * operations ("bind", "remount", "move", propagation) are -EINVAL.
 */
int storvirt__mount_opts_split(char *const *opts, unsigned long *flags, char **ret_data);

/*
 * The mount helper's argv: "mount [-t TYPE] SOURCE TARGET -o OPTS" with
 * OPTS the comma-joined list (or no -o when it is empty).  type NULL
 * leaves the type to the helper.  Free with storvirt__strv_free().
 */
int storvirt__mount_helper_argv(const char *type, const char *source, const char *target,
                                char *const *opts, char ***ret_argv);

/*
 * Runs the mount helper with that argv (sys/command.h): 0, or -errno
 * with the helper's message (callers name the source and the target).
 */
int storvirt__mount_helper_run(const char *type, const char *source, const char *target,
                               char *const *opts, int timeout_ms);

/* Runs "umount TARGET": 0, or -errno with the helper's message. */
int storvirt__umount_helper_run(const char *target, int timeout_ms);

/* ---- mount(2), umount2(2) ----------------------------------------------- */

/* mount(2) of a block device: -errno with "mounting SOURCE on TARGET (TYPE): why". */
int storvirt__mount_block(const char *source, const char *target, const char *type,
                          unsigned long flags, const char *data);

/*
 * umount2(target, UMOUNT_NOFOLLOW), never lazy: a busy filesystem gives
 * -EBUSY ("... is busy: a file on it is open") and stays mounted.
 */
int storvirt__mount_umount(const char *target);

/* ---- /proc/self/mountinfo ----------------------------------------------- */

/* One line of mountinfo, with the \ooo escapes undone. */
typedef struct storvirt__mount_entry {
        int id, parent_id;
        unsigned major, minor;  /* st_dev of the filesystem (0:N for btrfs, nfs, tmpfs) */
        char *root;             /* the mounted directory inside the filesystem */
        char *target;           /* mount point */
        char *opts;             /* per-mount options */
        char *fstype;
        char *source;           /* "none" when the kernel shows none */
        char *super_opts;
} storvirt__mount_entry;

void storvirt__mount_entry_clear(storvirt__mount_entry *e);

/* Parses one line (trailing newline allowed).  -EINVAL (malformed), -ENOMEM. */
int storvirt__mountinfo_parse_line(const char *line, storvirt__mount_entry *ret);

/*
 * The top-most mount whose mount point is path (compared after
 * realpath(), so symlinks and trailing slashes do not matter).
 * mountinfo: the file to read, NULL for /proc/self/mountinfo.
 * 1 found (*ret filled, clear it), 0 not a mount point (or path
 * missing), -errno.
 */
int storvirt__mountinfo_find_target(const char *mountinfo, const char *path,
                                    storvirt__mount_entry *ret);

/* Like the above, for any mount of the block device major:minor. */
int storvirt__mountinfo_find_dev(const char *mountinfo, unsigned major, unsigned minor,
                                 storvirt__mount_entry *ret);

/* 0 when path is not a mount point; -EBUSY naming what is mounted there. */
int storvirt__mount_require_unmounted(const char *path);

/* ---- loop devices --------------------------------------------------------- */

/* A loop device held open by the caller. */
typedef struct storvirt__loop {
        int fd;          /* -1 when none */
        int nr;          /* N of /dev/loopN */
        bool read_only;
        char path[32];
} storvirt__loop;

#define STORVIRT__LOOP_INIT { .fd = -1, .nr = -1 }

/*
 * Attaches file to a free loop device (LOOP_CTL_GET_FREE, then
 * LOOP_CONFIGURE, or LOOP_SET_FD + LOOP_SET_STATUS64 on kernels before
 * 5.8) with LO_FLAGS_AUTOCLEAR: the kernel detaches it once the last
 * user (our fd, a mount) is gone.  read_only also when the file cannot
 * be opened for writing.  -ENODEV without /dev/loop-control, -errno.
 */
int storvirt__loop_attach(const char *file, bool read_only, storvirt__loop *ret);

/* Closes the fd: with autoclear the device goes when its mount does. */
void storvirt__loop_release(storvirt__loop *loop);

/* LOOP_CLR_FD then close: detached now, or at last close if still used. */
void storvirt__loop_detach(storvirt__loop *loop);

/*
 * Opens the block device major:minor if it is a loop device whose
 * backing file is `file` (same inode, or same path in sysfs): 1 with
 * *ret open (the fd pins the device), 0 when it is not, -errno.
 */
int storvirt__loop_open_if_backing(unsigned major, unsigned minor, const char *file,
                                   storvirt__loop *ret);

/* The N of a loop device backed by file, -ENOENT when none, -errno. */
int storvirt__loop_find_backing(const char *file);
