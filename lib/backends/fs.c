/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fs.c - the "fs" pool type: a filesystem on a block device or on an
 * image file, mounted on the target directory.  Volumes are the files
 * in it (the shared local operations).
 *
 * Build makes the target directory and runs `mkfs -t FORMAT` on the
 * source.  What is already on the source decides, as libblkid sees it:
 * without flags a blank source is formatted and a filesystem of the
 * pool's format is kept (anything else is -EEXIST); NO_OVERWRITE refuses
 * any signature (-EEXIST naming it); OVERWRITE formats whatever is there,
 * with mkfs's force flag.  A source that is mounted or attached to a loop
 * device is never formatted (-EBUSY).
 *
 * Start checks that the source holds a filesystem of the pool's format,
 * attaches an image to a loop device (autoclear) and calls mount(2)
 * itself with MS_NODEV|MS_NOSUID|MS_NOEXEC plus <fs:mount_opts>.  mount(2)
 * rather than mount(8): for a local block device the helper adds nothing
 * but a fork, a PATH lookup and an exit status in place of an errno;
 * the source formats are kernel filesystems (vmfs, a FUSE one, is
 * reported unsupported by the kernel), and the type is known (the format,
 * "hfs+" being the kernel's "hfsplus", or libblkid's answer for "auto").
 * netfs uses the helper, because NFS, CIFS and GlusterFS need their
 * mount.TYPE programs.
 *
 * obj->backend_data holds N+1 of the /dev/loopN start attached, as an
 * integer rather than a pointer: nothing to free, so a pool record that
 * is dropped while still mounted (a process leaving its pools running)
 * leaks nothing.  Stop finds the loop device through mountinfo anyway,
 * so a pool found mounted by a later process stops the same way.
 *
 * Messages: the core puts "pool 'NAME': start: " (stop: ...) before what
 * start and stop report; build, check and delete name the pool here.
 */
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "backends/backends.h"
#include "backends/local.h"
#include "objects/ctx.h"
#include "sys/blkid_probe.h"
#include "sys/command.h"
#include "sys/mount.h"
#include "util/macro.h"

#define MKFS_TIMEOUT_MS (60 * 60 * 1000)
#define DEFAULT_MOUNT_FLAGS (MS_NODEV | MS_NOSUID | MS_NOEXEC)

enum { NOT_MOUNTED = 0, MOUNTED_SOURCE = 1, MOUNTED_OTHER = 2 };

static bool format_is_auto(const char *format) {
        return !format || strcmp(format, "auto") == 0;
}

/* The kernel's, libblkid's and mkfs's name for a pool format. */
static const char *format_fstype(const char *format) {
        return strcmp(format, "hfs+") == 0 ? "hfsplus" : format;
}

static const char *mkfs_force_flag(const char *fstype) {
        if (strncmp(fstype, "ext", 3) == 0)
                return "-F";
        if (strcmp(fstype, "xfs") == 0 || strcmp(fstype, "btrfs") == 0)
                return "-f";
        return NULL;
}

/* The source device (stat'ed into *st): a block device or an image file. */
static int fs_source(const storvirt__pool_obj *obj, const char **ret, struct stat *st) {
        const storvirt__pool_def *def = obj->def;
        const char *dev = def->source.devices ? def->source.devices[0] : NULL;

        if (!dev || !*dev)
                return storvirt__error_set(-EINVAL, "no source device");
        if (dev[0] != '/')
                return storvirt__error_set(-EINVAL, "source device '%s' is not an absolute path",
                                           dev);
        if (!def->target.path)
                return storvirt__error_set(-EINVAL, "no target path");
        if (stat(dev, st) < 0)
                return storvirt__error_set(-errno, "source device '%s': %s", dev, strerror(errno));
        if (!S_ISBLK(st->st_mode) && !S_ISREG(st->st_mode))
                return storvirt__error_set(-EINVAL, "source device '%s' is neither a block device "
                                           "nor an image file", dev);
        *ret = dev;
        return 0;
}

static bool info_matches(const storvirt__blkid_info *info, const char *format) {
        return !info->ambivalent && strcmp(info->usage, "filesystem") == 0 &&
               (format_is_auto(format) || strcasecmp(info->type, format_fstype(format)) == 0);
}

/*
 * Whether mount e is the source: same block device, or a loop device
 * backed by the image (opened into *loop when loop is not NULL).
 */
static int mount_is_source(const storvirt__mount_entry *e, const char *dev,
                           const struct stat *st, storvirt__loop *loop) {
        unsigned maj = e->major, min = e->minor;
        storvirt__loop l = STORVIRT__LOOP_INIT;
        struct stat sst;
        int r;

        /* btrfs shows an anonymous 0:N device: its source names the real one. */
        if (maj == 0) {
                if (e->source[0] != '/' || stat(e->source, &sst) < 0 || !S_ISBLK(sst.st_mode))
                        return 0;
                maj = major(sst.st_rdev);
                min = minor(sst.st_rdev);
        }
        if (S_ISBLK(st->st_mode))
                return major(st->st_rdev) == maj && minor(st->st_rdev) == min;
        r = storvirt__loop_open_if_backing(maj, min, dev, &l);
        if (r > 0 && loop)
                *loop = l;
        else
                storvirt__loop_release(&l);
        return r;
}

/* NOT_MOUNTED, MOUNTED_SOURCE or MOUNTED_OTHER (*other filled then). */
static int fs_mount_state(const storvirt__pool_obj *obj, const char *dev, const struct stat *st,
                          storvirt__loop *loop, storvirt__mount_entry *other) {
        storvirt__mount_entry e;
        int r;

        r = storvirt__mountinfo_find_target(NULL, obj->def->target.path, &e);
        if (r <= 0)
                return r;
        r = mount_is_source(&e, dev, st, loop);
        if (r == 0 && other) {
                *other = e;
                return MOUNTED_OTHER;
        }
        storvirt__mount_entry_clear(&e);
        return r < 0 ? r : r ? MOUNTED_SOURCE : MOUNTED_OTHER;
}

static int other_mounted(const storvirt__pool_obj *obj, storvirt__mount_entry *e) {
        int r = storvirt__error_set(-EBUSY, "'%s' (%s) is mounted on the target '%s', not the "
                                    "pool's source", e->source, e->fstype, obj->def->target.path);
        storvirt__mount_entry_clear(e);
        return r;
}

static int fs_check(storvirt__pool_obj *obj, bool *ret_active) {
        const char *dev;
        struct stat st;
        int r;

        *ret_active = false;
        if (fs_source(obj, &dev, &st) < 0)
                return 0; /* no source, no mount */
        r = fs_mount_state(obj, dev, &st, NULL, NULL);
        if (r < 0)
                return storvirt__error_prefix("pool '%s'", obj->def->name);
        *ret_active = r == MOUNTED_SOURCE;
        return 0;
}

/* ---- build ------------------------------------------------------------- */

/* -EBUSY when the source is mounted or an image is attached to a loop device. */
static int source_in_use(const storvirt__pool_obj *obj, const char *dev, const struct stat *st) {
        storvirt__mount_entry e;
        int r;

        if (S_ISREG(st->st_mode)) {
                r = storvirt__loop_find_backing(dev);
                if (r >= 0)
                        return storvirt__error_set(-EBUSY, "image '%s' is attached to "
                                                   "/dev/loop%d (in use); stop what uses it "
                                                   "first", dev, r);
                return 0;
        }
        r = storvirt__mountinfo_find_dev(NULL, major(st->st_rdev), minor(st->st_rdev), &e);
        if (r <= 0)
                return r;
        r = storvirt__error_set(-EBUSY, "device '%s' is mounted on '%s'", dev, e.target);
        storvirt__mount_entry_clear(&e);
        return r;
}

/* Whether build must run mkfs: 1 yes, 0 keep the filesystem there, <0 refused. */
static int need_mkfs(const storvirt__pool_obj *obj, const char *dev, uint32_t flags) {
        storvirt__blkid_info info;
        char what[64];
        int r;

        if (flags & STORVIRT_POOL_BUILD_OVERWRITE)
                return 1;
        r = storvirt__blkid_probe_path(dev, &info);
        if (r == -EOPNOTSUPP)
                return storvirt__error_set(-EOPNOTSUPP, "cannot tell whether '%s' holds data "
                        "without libblkid; build with OVERWRITE to format it anyway", dev);
        if (r <= 0)
                return r < 0 ? r : 1;
        storvirt__blkid_describe(&info, what, sizeof(what));
        if (flags & STORVIRT_POOL_BUILD_NO_OVERWRITE)
                return storvirt__error_set(-EEXIST, "device '%s' already carries %s "
                                           "(no-overwrite)", dev, what);
        if (!info_matches(&info, obj->def->source.format))
                return storvirt__error_set(-EEXIST, "device '%s' already carries %s; build with "
                                           "OVERWRITE to replace it", dev, what);
        return 0;
}

static int run_mkfs(const storvirt__pool_obj *obj, const char *dev, bool force) {
        const char *fstype = format_fstype(obj->def->source.format);
        const char *force_flag = force ? mkfs_force_flag(fstype) : NULL;
        char tool[64];
        char *argv[] = { (char *)"mkfs", (char *)"-t", (char *)fstype,
                         (char *)(force_flag ? force_flag : dev),
                         (char *)(force_flag ? dev : NULL), NULL };
        int r;

        snprintf(tool, sizeof(tool), "mkfs.%s", fstype);
        if (storvirt__command_find(tool, NULL) < 0)
                return storvirt__error_set(-EOPNOTSUPP, "cannot make a %s filesystem: %s is "
                                           "not installed", fstype, tool);
        r = storvirt__command_run(argv, MKFS_TIMEOUT_MS, NULL);
        if (r < 0)
                return storvirt__error_prefix("formatting '%s' as %s", dev, fstype);
        return 0;
}

/* Checks the source and decides: *ret_mkfs 1 to format it, 0 to keep it. */
static int build_plan(const storvirt__pool_obj *obj, uint32_t flags, const char **ret_dev,
                      int *ret_mkfs) {
        struct stat st;
        int r;

        r = fs_source(obj, ret_dev, &st);
        if (r >= 0)
                r = source_in_use(obj, *ret_dev, &st);
        if (r >= 0)
                r = *ret_mkfs = need_mkfs(obj, *ret_dev, flags);
        if (r >= 0 && *ret_mkfs && format_is_auto(obj->def->source.format))
                r = storvirt__error_set(-EINVAL, "cannot format '%s': the source format is "
                        "'auto', which names no filesystem for mkfs (set <format type='ext4'/> "
                        "or another)", *ret_dev);
        return r;
}

static int fs_build(storvirt__pool_obj *obj, uint32_t flags) {
        const char *dev = NULL;
        int mkfs = 0, r;

        r = build_plan(obj, flags, &dev, &mkfs);
        if (r < 0)
                return storvirt__error_prefix("pool '%s'", obj->def->name);
        r = storvirt__dir_build_target(obj, flags); /* its messages name the pool */
        if (r < 0 || !mkfs)
                return r;
        r = run_mkfs(obj, dev, flags & STORVIRT_POOL_BUILD_OVERWRITE);
        return r < 0 ? storvirt__error_prefix("pool '%s'", obj->def->name) : 0;
}

/* ---- start, stop, delete --------------------------------------------------- */

/* The type to mount: the format, checked against what the source holds. */
static int mount_fstype(const storvirt__pool_obj *obj, const char *dev, char *buf, size_t size) {
        const char *format = obj->def->source.format;
        storvirt__blkid_info info;
        char what[64];
        int r;

        r = storvirt__blkid_probe_path(dev, &info);
        if (r == -EOPNOTSUPP && !format_is_auto(format)) {
                snprintf(buf, size, "%s", format_fstype(format)); /* mount(2) will check */
                return 0;
        }
        if (r == -EOPNOTSUPP)
                return storvirt__error_set(-EOPNOTSUPP, "format 'auto' needs libblkid to find "
                                           "the filesystem on '%s'; name the format", dev);
        if (r < 0)
                return r;
        if (r == 0)
                return storvirt__error_set(-EINVAL, "device '%s' carries no filesystem (build "
                                           "the pool first)", dev);
        storvirt__blkid_describe(&info, what, sizeof(what));
        if (!info_matches(&info, NULL))
                return storvirt__error_set(-EINVAL, "device '%s' holds %s, not a filesystem",
                                           dev, what);
        if (!info_matches(&info, format))
                return storvirt__error_set(-EINVAL, "device '%s' holds %s, but the pool's "
                                           "format is '%s'", dev, what, format);
        snprintf(buf, size, "%s", info.type);
        return 0;
}

static void close_target(storvirt__pool_obj *obj) {
        if (obj->target_fd >= 0)
                close(obj->target_fd);
        obj->target_fd = -1;
}

static int mount_source(storvirt__pool_obj *obj, const char *dev, const struct stat *st,
                        const char *fstype, unsigned long flags, const char *data) {
        storvirt__loop loop = STORVIRT__LOOP_INIT;
        int r;

        if (S_ISREG(st->st_mode)) {
                r = storvirt__loop_attach(dev, flags & MS_RDONLY, &loop);
                if (r < 0)
                        return r;
                if (loop.read_only)
                        flags |= MS_RDONLY;
        }
        r = storvirt__ctx_sysops(obj->ctx)->mount_block(loop.fd >= 0 ? loop.path : dev,
                                                         obj->def->target.path, fstype, flags,
                                                         data);
        if (r < 0) {
                storvirt__loop_detach(&loop);
                return storvirt__error_prefix("source '%s'", dev);
        }
        obj->backend_data = loop.fd >= 0 ? (void *)(uintptr_t)(loop.nr + 1) : NULL;
        storvirt__loop_release(&loop); /* the mount holds it now; autoclear does the rest */
        return 0;
}

static int fs_start(storvirt__pool_obj *obj, uint32_t flags) {
        unsigned long mflags = DEFAULT_MOUNT_FLAGS;
        _cleanup_free_ char *data = NULL;
        storvirt__mount_entry other;
        char fstype[32];
        const char *dev;
        struct stat st;
        int r, state;

        r = fs_source(obj, &dev, &st);
        if (r >= 0)
                r = storvirt__mount_opts_split(obj->def->fs_mount_opts, &mflags, &data);
        if (r >= 0)
                r = mount_fstype(obj, dev, fstype, sizeof(fstype));
        if (r < 0)
                return r;
        state = fs_mount_state(obj, dev, &st, NULL, &other);
        if (state < 0)
                return state;
        if (state == MOUNTED_OTHER)
                return other_mounted(obj, &other);
        /* A second loop device on an image in use would put two superblocks on one file. */
        if (state == NOT_MOUNTED && S_ISREG(st.st_mode)) {
                r = source_in_use(obj, dev, &st);
                if (r < 0)
                        return r;
        }
        close_target(obj);
        if (state == NOT_MOUNTED) {
                r = mount_source(obj, dev, &st, fstype, mflags, data);
                if (r < 0)
                        return r;
        }
        r = storvirt__local_open_target(obj);
        if (r < 0) {
                int saved = r;
                _cleanup_free_ char *msg = strdup(storvirt__error_msg());

                if (storvirt__ctx_sysops(obj->ctx)->umount(obj->def->target.path) >= 0)
                        obj->backend_data = NULL;
                r = storvirt__error_set(saved, "%s", msg ? msg : "opening the target failed");
        }
        return r;
}

/* Opens the loop device start attached, if it still serves the image. */
static void remembered_loop(storvirt__pool_obj *obj, const char *dev, storvirt__loop *loop) {
        uintptr_t nr = (uintptr_t)obj->backend_data;
        char path[32];
        struct stat st;

        if (nr == 0)
                return;
        snprintf(path, sizeof(path), "/dev/loop%u", (unsigned)(nr - 1));
        if (stat(path, &st) == 0 && S_ISBLK(st.st_mode))
                (void)storvirt__loop_open_if_backing(major(st.st_rdev), minor(st.st_rdev), dev,
                                                     loop);
}

static int fs_stop(storvirt__pool_obj *obj, uint32_t flags) {
        storvirt__loop loop = STORVIRT__LOOP_INIT;
        storvirt__mount_entry other;
        const char *dev;
        struct stat st;
        int r, state;

        r = fs_source(obj, &dev, &st);
        if (r < 0) /* the source vanished: the mount on the target is still the pool's */
                state = storvirt__mountinfo_find_target(NULL, obj->def->target.path, &other);
        else
                state = fs_mount_state(obj, dev, &st, &loop, &other);
        if (r < 0 && state > 0) {
                storvirt__mount_entry_clear(&other);
                state = MOUNTED_SOURCE;
        }
        if (state < 0)
                return state;
        if (state == MOUNTED_OTHER)
                return other_mounted(obj, &other);
        if (state == NOT_MOUNTED && r >= 0)
                remembered_loop(obj, dev, &loop);
        close_target(obj);
        if (state == MOUNTED_SOURCE) {
                r = storvirt__ctx_sysops(obj->ctx)->umount(obj->def->target.path);
                if (r < 0) {
                        storvirt__loop_release(&loop);
                        obj->target_fd = open(obj->def->target.path,
                                              O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        return r;
                }
        }
        storvirt__loop_detach(&loop);
        obj->backend_data = NULL;
        return 0;
}

static int fs_delete(storvirt__pool_obj *obj, uint32_t flags) {
        const char *target = obj->def->target.path;
        int r = target ? storvirt__mount_require_unmounted(target) : 0;

        if (r < 0)
                return storvirt__error_prefix("pool '%s': cannot delete", obj->def->name);
        return storvirt__local_delete_pool(obj, flags);
}

const storvirt__backend_ops storvirt__backend_fs = {
        .abi = STORVIRT__BACKEND_ABI,
        .type = "fs",
        .encrypted_volumes = true,
        .check_pool = fs_check,
        .build_pool = fs_build,
        .start_pool = fs_start,
        .refresh_pool = storvirt__local_refresh_pool,
        .refresh_capacity = storvirt__local_refresh_capacity,
        .stop_pool = fs_stop,
        .delete_pool = fs_delete,
        .create_volume = storvirt__local_create_volume,
        .build_volume = storvirt__local_build_volume,
        .build_volume_from = storvirt__local_build_volume_from,
        .refresh_volume = storvirt__local_refresh_volume,
        .delete_volume = storvirt__local_delete_volume,
        .resize_volume = storvirt__local_resize_volume,
        .upload_volume = storvirt__local_upload_volume,
        .download_volume = storvirt__local_download_volume,
        .wipe_volume = storvirt__local_wipe_volume,
};
