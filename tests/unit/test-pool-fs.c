/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-pool-fs.c - "fs" pools on real image files and loop devices:
 * build (mkfs through the pool, no-overwrite refusals that name the
 * filesystem found, overwrite), start (format check, loop attach with
 * autoclear, mount with nodev,nosuid,noexec and <fs:mount_opts>),
 * volumes on the mounted filesystem, stop (unmount and loop detach,
 * checked in /proc/self/mountinfo and /sys/block/loopN/loop), restart,
 * a pool found mounted by a later context, busy sources and targets,
 * a block device source, a missing device.  The mountinfo parser and
 * the option splitting are checked on canned input.
 *
 * Mounting and loop devices need root and /dev/loop-control: those
 * tests skip otherwise.  mountinfo is read here with a parser of the
 * test's own, not the library's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <storvirt.h>
#include "sys/blkid_probe.h"
#include "sys/command.h"
#include "sys/mount.h"
#include "util/macro.h"
#include "util/strv.h"

#define MiB (1024ull * 1024)

static char base[64], state[128];

static bool can_mount(void) {
        return geteuid() == 0 && access("/dev/loop-control", R_OK | W_OK) == 0;
}

static bool have_tool(const char *tool) {
        return storvirt__command_find(tool, NULL) == 0;
}

/* Building without OVERWRITE asks libblkid what is on the source first. */
#define REQUIRE_MKFS(tool)                                                     \
        do {                                                                  \
                if (!storvirt__blkid_available() || !have_tool(tool)) {       \
                        print_message("needs libblkid and %s\n", tool);       \
                        skip();                                               \
                }                                                             \
        } while (0)

#define REQUIRE_MOUNT(tool)                                                    \
        do {                                                                  \
                if (!can_mount()) {                                           \
                        print_message("needs root and /dev/loop-control\n");  \
                        skip();                                               \
                }                                                             \
                REQUIRE_MKFS(tool);                                           \
        } while (0)

/* ---- the test's own view of the kernel ------------------------------------ */

struct mnt {
        char majmin[32], fstype[32], source[256], opts[256];
};

/* The top mount on path, from /proc/self/mountinfo (paths without spaces). */
static bool mount_at(const char *path, struct mnt *m) {
        char line[4096];
        bool found = false;
        FILE *f = fopen("/proc/self/mountinfo", "re");

        assert_non_null(f);
        while (fgets(line, sizeof(line), f)) {
                char mp[1024], majmin[32], opts[256], rest[2048], fstype[32], src[256];
                char *dash;

                if (sscanf(line, "%*d %*d %31s %*s %1023s %255s", majmin, mp, opts) != 3 ||
                    strcmp(mp, path) != 0 || !(dash = strstr(line, " - ")))
                        continue;
                if (sscanf(dash + 3, "%31s %255s %2047s", fstype, src, rest) < 2)
                        continue;
                found = true;
                snprintf(m->majmin, sizeof(m->majmin), "%s", majmin);
                snprintf(m->fstype, sizeof(m->fstype), "%s", fstype);
                snprintf(m->source, sizeof(m->source), "%s", src);
                snprintf(m->opts, sizeof(m->opts), "%s", opts);
        }
        fclose(f);
        return found;
}

static bool has_opt(const char *opts, const char *opt) {
        size_t n = strlen(opt);

        for (const char *p = opts; (p = strstr(p, opt)); p += n)
                if ((p == opts || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
                        return true;
        return false;
}

/* The N of /dev/loopN a mount's source names, -1 if not a loop device. */
static int loop_nr(const struct mnt *m) {
        return strncmp(m->source, "/dev/loop", 9) == 0 ? atoi(m->source + 9) : -1;
}

/* /sys/block/loopN/loop/<attr> into buf; false when the loop is detached. */
static bool loop_attr(int nr, const char *attr, char *buf, size_t size) {
        char path[128];
        FILE *f;

        snprintf(path, sizeof(path), "/sys/block/loop%d/loop/%s", nr, attr);
        f = fopen(path, "re");
        if (!f)
                return false;
        if (!fgets(buf, (int)size, f))
                buf[0] = '\0';
        fclose(f);
        buf[strcspn(buf, "\n")] = '\0';
        return true;
}

/* Any loop device backed by a file under base (left behind)? */
static int loops_under_base(void) {
        struct dirent *de;
        char buf[4096];
        int n = 0;
        DIR *d = opendir("/sys/block");

        if (!d)
                return 0;
        while ((de = readdir(d)))
                if (strncmp(de->d_name, "loop", 4) == 0 &&
                    loop_attr(atoi(de->d_name + 4), "backing_file", buf, sizeof(buf)) &&
                    strncmp(buf, base, strlen(base)) == 0)
                        n++;
        closedir(d);
        return n;
}

/* ---- fixtures ---------------------------------------------------------------- */

static int setup(void **st) {
        (void)st;
        snprintf(base, sizeof(base), "/tmp/storvirt-fs.XXXXXX");
        if (!mkdtemp(base))
                return -1;
        snprintf(state, sizeof(state), "%s/state", base);
        return 0;
}

/* Unmounts whatever a failed test left under base, then removes it. */
static int teardown(void **st) {
        char line[4096], mp[1024], cmd[128];
        bool again = true;
        int left;

        (void)st;
        while (again) {
                FILE *f = fopen("/proc/self/mountinfo", "re");

                again = false;
                while (f && fgets(line, sizeof(line), f))
                        if (sscanf(line, "%*d %*d %*s %*s %1023s", mp) == 1 &&
                            strncmp(mp, base, strlen(base)) == 0 && umount2(mp, MNT_DETACH) == 0)
                                again = true;
                if (f)
                        fclose(f);
        }
        left = loops_under_base();
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
        if (system(cmd) != 0 || left)
                return -1;
        return 0;
}

static storvirt_ctx *ctx_open(uint32_t flags) {
        storvirt_ctx *ctx = NULL;

        assert_int_equal(storvirt_ctx_new(&ctx, flags | STORVIRT_CTX_NEW_IGNORE_ENV), 0);
        assert_int_equal(storvirt_ctx_set_state_dir(ctx, state, 0), 0);
        return ctx;
}

/*
 * A context of another state directory: another manager, whose pools
 * this one's do not know (in one context two pools never own one
 * device), so that only the host tells them the device is in use.
 */
static storvirt_ctx *ctx_open_other(void) {
        storvirt_ctx *ctx = NULL;
        char dir[192];

        snprintf(dir, sizeof(dir), "%s/other-state", base);
        assert_int_equal(storvirt_ctx_new(&ctx, STORVIRT_CTX_NEW_IGNORE_ENV |
                                                        STORVIRT_CTX_NEW_NO_AUTOSTART), 0);
        assert_int_equal(storvirt_ctx_set_state_dir(ctx, dir, 0), 0);
        return ctx;
}

/* A sparse image file of size bytes under base; returns its path (static buffer per name). */
static const char *image(const char *name, uint64_t size, char *buf, size_t n) {
        int fd;

        snprintf(buf, n, "%s/%s", base, name);
        fd = open(buf, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(ftruncate(fd, (off_t)size), 0);
        close(fd);
        return buf;
}

static void target_of(const char *name, char *buf, size_t n) {
        snprintf(buf, n, "%s/mnt-%s", base, name);
}

static storvirt_pool *define(storvirt_ctx *ctx, const char *name, const char *dev,
                             const char *format, const char *opts) {
        _cleanup_free_ char *xml = NULL;
        storvirt_pool *pool = NULL;
        char target[128];
        int r;

        target_of(name, target, sizeof(target));
        assert_true(asprintf(&xml,
                "<pool type='fs' xmlns:fs='http://libvirt.org/schemas/storagepool/fs/1.0'>"
                "<name>%s</name><source><device path='%s'/>%s%s%s</source>"
                "<target><path>%s</path></target>%s</pool>",
                name, dev, format ? "<format type='" : "", format ? format : "",
                format ? "'/>" : "", target, opts ? opts : "") > 0);
        r = storvirt_pool_define_xml(ctx, xml, &pool, 0);
        if (r < 0)
                fail_msg("define %s: %s", name, storvirt_error_message());
        return pool;
}

static storvirt_volume *make_vol(storvirt_pool *pool, const char *name, const char *fmt) {
        _cleanup_free_ char *xml = NULL;
        storvirt_volume *vol = NULL;

        assert_true(asprintf(&xml, "<volume><name>%s</name><capacity unit='MiB'>4</capacity>"
                                   "<allocation>0</allocation>"
                                   "<target><format type='%s'/></target></volume>",
                             name, fmt) > 0);
        if (storvirt_volume_create_xml(pool, xml, &vol, NULL, NULL, 0) < 0)
                fail_msg("create %s: %s", name, storvirt_error_message());
        return vol;
}

static void expect_error(int r, int err, const char *needle) {
        if (r != err)
                fail_msg("expected %d, got %d: %s", err, r, storvirt_error_message());
        if (needle && !strstr(storvirt_error_message(), needle))
                fail_msg("message '%s' lacks '%s'", storvirt_error_message(), needle);
}

static void assert_fs_type(const char *path, const char *type) {
        storvirt__blkid_info info;

        if (!storvirt__blkid_available())
                return;
        assert_int_equal(storvirt__blkid_probe_path(path, &info), 1);
        assert_string_equal(info.type, type);
        assert_string_equal(info.usage, "filesystem");
        assert_true(info.uuid[0] != '\0');
}

/* Volumes other than ext4's lost+found (listed as a "dir" volume, as libvirt does). */
static size_t count_vols(storvirt_pool *pool) {
        storvirt_volume **vols = NULL;
        size_t n = 0;

        assert_int_equal(storvirt_pool_list_volumes(pool, &vols, NULL, 0), 0);
        for (size_t i = 0; vols[i]; i++)
                n += strcmp(storvirt_volume_get_name(vols[i]), "lost+found") != 0;
        storvirt_volume_list_free(vols);
        return n;
}

/* Started pool: mounted from a loop device backed by img, default options, autoclear. */
static int assert_mounted_image(const char *target, const char *img, const char *fstype) {
        char buf[4096];
        struct mnt m;
        int nr;

        assert_true(mount_at(target, &m));
        assert_string_equal(m.fstype, fstype);
        assert_true(has_opt(m.opts, "nodev") && has_opt(m.opts, "nosuid") &&
                    has_opt(m.opts, "noexec"));
        nr = loop_nr(&m);
        assert_true(nr >= 0);
        assert_true(loop_attr(nr, "backing_file", buf, sizeof(buf)));
        assert_string_equal(buf, img);
        assert_true(loop_attr(nr, "autoclear", buf, sizeof(buf)));
        assert_string_equal(buf, "1");
        return nr;
}

static void assert_stopped(const char *target, int nr) {
        char buf[4096];
        struct mnt m;

        assert_false(mount_at(target, &m));
        /*
         * Detached: no backing file any more (or another image took the
         * device).  With udev running, a probe that still has the device
         * open delays the autoclear detach for a moment.
         */
        for (int i = 0; i < 50 && loop_attr(nr, "backing_file", buf, sizeof(buf)) &&
                        strncmp(buf, base, strlen(base)) == 0; i++)
                usleep(100 * 1000);
        if (loop_attr(nr, "backing_file", buf, sizeof(buf)))
                assert_true(strncmp(buf, base, strlen(base)) != 0);
}

/* ---- canned input ------------------------------------------------------------ */

static void test_mountinfo_parse(void **st) {
        storvirt__mount_entry e;
        char path[128];
        FILE *f;

        (void)st;
        assert_int_equal(storvirt__mountinfo_parse_line(
                "36 35 7:3 / /srv/my\\040pool rw,nosuid shared:5 master:1 - ext4 /dev/loop3 "
                "rw,errors=continue\n", &e), 0);
        assert_int_equal(e.id, 36);
        assert_int_equal(e.parent_id, 35);
        assert_int_equal(e.major, 7);
        assert_int_equal(e.minor, 3);
        assert_string_equal(e.target, "/srv/my pool");
        assert_string_equal(e.opts, "rw,nosuid");
        assert_string_equal(e.fstype, "ext4");
        assert_string_equal(e.source, "/dev/loop3");
        assert_string_equal(e.super_opts, "rw,errors=continue");
        storvirt__mount_entry_clear(&e);
        assert_int_equal(storvirt__mountinfo_parse_line("36 35 7:3 / /x rw shared:5", &e),
                         -EINVAL);
        assert_int_equal(storvirt__mountinfo_parse_line("garbage", &e), -EINVAL);

        /* Stacked mounts on one directory: the last line is the top one. */
        snprintf(path, sizeof(path), "%s/mountinfo", base);
        f = fopen(path, "we");
        assert_non_null(f);
        fprintf(f, "1 0 254:0 / / rw - ext4 /dev/vda rw\n"
                   "this line is not mountinfo\n"
                   "50 1 7:1 / %s rw - ext4 /dev/loop1 rw\n"
                   "51 50 0:40 / %s rw - nfs4 srv:/export rw\n", base, base);
        fclose(f);
        assert_int_equal(storvirt__mountinfo_find_target(path, base, &e), 1);
        assert_string_equal(e.source, "srv:/export");
        storvirt__mount_entry_clear(&e);
        assert_int_equal(storvirt__mountinfo_find_dev(path, 7, 1, &e), 1);
        assert_int_equal(e.id, 50);
        storvirt__mount_entry_clear(&e);
        assert_int_equal(storvirt__mountinfo_find_dev(path, 8, 1, &e), 0);
        /* Listed out of order (after a move): the child is still the top one. */
        f = fopen(path, "we");
        assert_non_null(f);
        fprintf(f, "59 60 7:2 / %s rw - ext4 /dev/loop2 rw\n"
                   "60 1 0:41 / %s rw - nfs4 below:/export rw\n", base, base);
        fclose(f);
        assert_int_equal(storvirt__mountinfo_find_target(path, base, &e), 1);
        assert_string_equal(e.source, "/dev/loop2");
        storvirt__mount_entry_clear(&e);
        assert_int_equal(storvirt__mountinfo_find_target(path, "/nonexistent/dir", &e), 0);
        unlink(path);
}

static void test_mount_opts_split(void **st) {
        unsigned long flags = MS_NODEV | MS_NOSUID | MS_NOEXEC;
        char *data = NULL;

        (void)st;
        assert_int_equal(storvirt__mount_opts_split(
                STORVIRT__STRV_MAKE("defaults", "exec", "noatime", "discard", "x-gvfs-hide",
                                    "data=ordered", "_netdev"),
                &flags, &data), 0);
        assert_int_equal(flags, MS_NODEV | MS_NOSUID | MS_NOATIME);
        assert_string_equal(data, "discard,data=ordered");
        free(data);
        flags = 0;
        assert_int_equal(storvirt__mount_opts_split(STORVIRT__STRV_MAKE("ro", "relatime"),
                                                    &flags, &data), 0);
        assert_int_equal(flags, MS_RDONLY | MS_RELATIME);
        assert_null(data);
        /* One option naming several, as mount(8) allows. */
        flags = MS_NOEXEC;
        assert_int_equal(storvirt__mount_opts_split(STORVIRT__STRV_MAKE("ro,exec,uid=0", "nofail"),
                                                    &flags, &data), 0);
        assert_int_equal(flags, MS_RDONLY);
        assert_string_equal(data, "uid=0");
        free(data);
        expect_error(storvirt__mount_opts_split(STORVIRT__STRV_MAKE("bind"), &flags, &data),
                     -EINVAL, "bind");
}

/* ---- no root needed ----------------------------------------------------------- */

static void test_missing_device(void **st) {
        storvirt_ctx *ctx = ctx_open(0);
        char dev[128];
        storvirt_pool *pool;

        (void)st;
        snprintf(dev, sizeof(dev), "%s/no-such-image.img", base);
        pool = define(ctx, "missing", dev, "ext4", NULL);
        expect_error(storvirt_pool_build(pool, 0), -ENOENT, dev);
        assert_non_null(strstr(storvirt_error_message(), "missing"));
        expect_error(storvirt_pool_start(pool, 0), -ENOENT, dev);
        assert_int_equal(storvirt_pool_is_active(pool), 0);
        assert_int_equal(storvirt_pool_undefine(pool, 0), 0);
        storvirt_pool_unref(pool);

        /* A directory is neither a block device nor an image. */
        pool = define(ctx, "notdev", base, "ext4", NULL);
        expect_error(storvirt_pool_start(pool, 0), -EINVAL, "neither a block device");
        assert_int_equal(storvirt_pool_undefine(pool, 0), 0);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
}

static void test_build_auto_refused(void **st) {
        storvirt_ctx *ctx = ctx_open(0);
        char img[128], target[128];
        storvirt_pool *pool;
        struct stat sb;

        (void)st;
        if (!storvirt__blkid_available())
                skip();
        image("auto.img", 16 * MiB, img, sizeof(img));
        pool = define(ctx, "auto", img, NULL, NULL); /* format defaults to auto */
        expect_error(storvirt_pool_build(pool, 0), -EINVAL, "auto");
        expect_error(storvirt_pool_build(pool, STORVIRT_POOL_BUILD_OVERWRITE), -EINVAL, "mkfs");
        target_of("auto", target, sizeof(target));
        assert_int_equal(stat(target, &sb), -1); /* refused before anything was made */
        /* Blank: nothing to mount either. */
        expect_error(storvirt_pool_start(pool, 0), -EINVAL, "no filesystem");
        assert_int_equal(storvirt_pool_undefine(pool, 0), 0);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
}

/* mkfs and libblkid work on image files without root. */
static void test_no_overwrite(void **st) {
        storvirt__blkid_info before, after;
        storvirt_ctx *ctx = ctx_open(0);
        storvirt_pool *pool, *other;
        char img[128];

        (void)st;
        REQUIRE_MKFS("mkfs.ext4");
        image("nooverwrite.img", 320 * MiB, img, sizeof(img)); /* room for xfs too */
        pool = define(ctx, "keep", img, "ext4", NULL);
        assert_int_equal(storvirt_pool_build(pool, STORVIRT_POOL_BUILD_NO_OVERWRITE), 0);
        assert_fs_type(img, "ext4");
        assert_int_equal(storvirt__blkid_probe_path(img, &before), 1);

        /* The image now has ext4: no-overwrite refuses and names it. */
        expect_error(storvirt_pool_build(pool, STORVIRT_POOL_BUILD_NO_OVERWRITE), -EEXIST, "ext4");
        assert_non_null(strstr(storvirt_error_message(), img));
        /* Without flags a filesystem of the pool's format is kept as it is. */
        assert_int_equal(storvirt_pool_build(pool, 0), 0);
        assert_int_equal(storvirt__blkid_probe_path(img, &after), 1);
        assert_string_equal(before.uuid, after.uuid);
        /* Overwrite makes a new one. */
        assert_int_equal(storvirt_pool_build(pool, STORVIRT_POOL_BUILD_OVERWRITE), 0);
        assert_int_equal(storvirt__blkid_probe_path(img, &after), 1);
        assert_string_not_equal(before.uuid, after.uuid);

        /* Once that pool is gone, a pool of another format on it: without flags -EEXIST too. */
        assert_int_equal(storvirt_pool_undefine(pool, 0), 0);
        other = define(ctx, "other", img, "xfs", NULL);
        expect_error(storvirt_pool_build(other, 0), -EEXIST, "ext4");
        assert_non_null(strstr(storvirt_error_message(), "OVERWRITE"));
        if (have_tool("mkfs.xfs")) {
                assert_int_equal(storvirt_pool_build(other, STORVIRT_POOL_BUILD_OVERWRITE), 0);
                assert_fs_type(img, "xfs");
        }
        assert_int_equal(storvirt_pool_undefine(other, 0), 0);
        storvirt_pool_unref(other);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
}

/* A partition table counts as data: refused without OVERWRITE, replaced with it. */
static void test_partition_table(void **st) {
        /* One Linux partition: sectors 2048 to the end of the 32 MiB image. */
        static const uint8_t entry[16] = { 0, 0, 2, 0, 0x83, 0xff, 0xff, 0xff,
                                           0x00, 0x08, 0, 0, 0x00, 0xf8, 0, 0 };
        storvirt_ctx *ctx = ctx_open(0);
        storvirt_pool *pool;
        char img[128];
        int fd;

        (void)st;
        REQUIRE_MKFS("mkfs.ext4");
        image("mbr.img", 32 * MiB, img, sizeof(img));
        fd = open(img, O_WRONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(pwrite(fd, entry, sizeof(entry), 446), (ssize_t)sizeof(entry));
        assert_int_equal(pwrite(fd, "\x55\xaa", 2, 510), 2);
        close(fd);
        pool = define(ctx, "mbr", img, "ext4", NULL);
        expect_error(storvirt_pool_build(pool, STORVIRT_POOL_BUILD_NO_OVERWRITE), -EEXIST,
                     "partition table 'dos'");
        expect_error(storvirt_pool_build(pool, 0), -EEXIST, "partition table 'dos'");
        expect_error(storvirt_pool_start(pool, 0), -EINVAL, "not a filesystem");
        assert_int_equal(storvirt_pool_build(pool, STORVIRT_POOL_BUILD_OVERWRITE), 0);
        assert_fs_type(img, "ext4");
        assert_int_equal(storvirt_pool_undefine(pool, 0), 0);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
}

static void test_format_mismatch(void **st) {
        storvirt_ctx *ctx = ctx_open(0);
        storvirt_pool *pool, *wrong;
        char img[128], target[128];
        struct mnt m;

        (void)st;
        REQUIRE_MKFS("mkfs.ext4");
        image("mismatch.img", 32 * MiB, img, sizeof(img));
        pool = define(ctx, "right", img, "ext4", NULL);
        assert_int_equal(storvirt_pool_build(pool, 0), 0);
        assert_int_equal(storvirt_pool_undefine(pool, 0), 0);
        wrong = define(ctx, "wrong", img, "xfs", NULL);
        target_of("wrong", target, sizeof(target));
        assert_int_equal(mkdir(target, 0755), 0);
        expect_error(storvirt_pool_start(wrong, 0), -EINVAL, "ext4");
        assert_non_null(strstr(storvirt_error_message(), "xfs"));
        assert_non_null(strstr(storvirt_error_message(), img));
        assert_int_equal(storvirt_pool_is_active(wrong), 0);
        assert_false(mount_at(target, &m));
        assert_int_equal(storvirt__loop_find_backing(img), -ENOENT);
        assert_int_equal(storvirt_pool_undefine(wrong, 0), 0);
        storvirt_pool_unref(wrong);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
}

/* ---- root: loop devices and mounts -------------------------------------------- */

static void test_ext4_lifecycle(void **st) {
        storvirt_ctx *ctx;
        storvirt_pool *pool;
        storvirt_volume *raw, *qcow;
        char img[128], target[128], vpath[256];
        uint64_t cap = 0, avail = 0;
        struct stat vs, ts;
        int nr;

        (void)st;
        REQUIRE_MOUNT("mkfs.ext4");
        ctx = ctx_open(STORVIRT_CTX_NEW_NO_AUTOSTART);
        image("ext4.img", 64 * MiB, img, sizeof(img));
        target_of("ext4", target, sizeof(target));
        pool = define(ctx, "ext4", img, "ext4", NULL);
        assert_int_equal(storvirt_pool_build(pool, STORVIRT_POOL_BUILD_NO_OVERWRITE), 0);
        assert_fs_type(img, "ext4");
        assert_int_equal(storvirt_pool_start(pool, 0), 0);
        assert_int_equal(storvirt_pool_is_active(pool), 1);
        nr = assert_mounted_image(target, img, "ext4");
        assert_int_equal(storvirt_pool_get_info(pool, NULL, &cap, NULL, &avail), 0);
        assert_true(cap > 32 * MiB && cap <= 64 * MiB && avail > 0 && avail <= cap);

        /* Volumes live on the mounted filesystem, not in the directory below it. */
        raw = make_vol(pool, "disk.raw", "raw");
        qcow = make_vol(pool, "disk.qcow2", "qcow2");
        assert_string_equal(storvirt_volume_get_format(qcow), "qcow2");
        snprintf(vpath, sizeof(vpath), "%s/disk.raw", target);
        assert_string_equal(storvirt_volume_get_path(raw), vpath);
        assert_int_equal(stat(vpath, &vs), 0);
        assert_int_equal(stat(base, &ts), 0);
        assert_true(vs.st_dev != ts.st_dev);
        storvirt_volume_unref(raw);
        storvirt_volume_unref(qcow);

        /* Stop: unmounted and the loop device detached. */
        assert_int_equal(storvirt_pool_stop(pool, 0), 0);
        assert_int_equal(storvirt_pool_is_active(pool), 0);
        assert_stopped(target, nr);
        assert_int_equal(access(vpath, F_OK), -1);

        /* Restart: the volumes are still there. */
        assert_int_equal(storvirt_pool_start(pool, 0), 0);
        nr = assert_mounted_image(target, img, "ext4");
        assert_int_equal(count_vols(pool), 2);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);

        /* A later context finds the pool still mounted (active) and stops it. */
        ctx = ctx_open(STORVIRT_CTX_NEW_NO_AUTOSTART);
        assert_int_equal(storvirt_pool_lookup_by_name(ctx, "ext4", &pool), 0);
        assert_int_equal(storvirt_pool_is_active(pool), 1);
        assert_int_equal(count_vols(pool), 2);
        expect_error(storvirt_pool_delete(pool, 0), -EBUSY, NULL);
        assert_int_equal(storvirt_pool_stop(pool, 0), 0);
        assert_stopped(target, nr);

        /* Delete removes the (empty) mount point, not the filesystem. */
        assert_int_equal(storvirt_pool_delete(pool, 0), 0);
        assert_int_equal(access(target, F_OK), -1);
        assert_fs_type(img, "ext4");
        assert_int_equal(storvirt_pool_undefine(pool, 0), 0);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
}

static void test_xfs_lifecycle(void **st) {
        storvirt_ctx *ctx;
        storvirt_pool *pool;
        char img[128], target[128];
        int nr;

        (void)st;
        REQUIRE_MOUNT("mkfs.xfs");
        ctx = ctx_open(STORVIRT_CTX_NEW_NO_AUTOSTART);
        image("xfs.img", 320 * MiB, img, sizeof(img)); /* mkfs.xfs wants 300 MiB */
        target_of("xfs", target, sizeof(target));
        pool = define(ctx, "xfs", img, "xfs", NULL);
        assert_int_equal(storvirt_pool_build(pool, STORVIRT_POOL_BUILD_NO_OVERWRITE), 0);
        assert_fs_type(img, "xfs");
        assert_int_equal(storvirt_pool_start(pool, 0), 0);
        nr = assert_mounted_image(target, img, "xfs");
        storvirt_volume_unref(make_vol(pool, "a.qcow2", "qcow2"));
        assert_int_equal(storvirt_pool_stop(pool, 0), 0);
        assert_stopped(target, nr);
        assert_int_equal(storvirt_pool_start(pool, 0), 0);
        nr = assert_mounted_image(target, img, "xfs");
        assert_int_equal(count_vols(pool), 1);
        assert_int_equal(storvirt_pool_stop(pool, 0), 0);
        assert_stopped(target, nr);
        assert_int_equal(storvirt_pool_undefine(pool, 0), 0);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
}

/* "auto" mounts what libblkid finds; mount options reach the mount. */
static void test_auto_and_options(void **st) {
        storvirt_ctx *ctx;
        storvirt_pool *pool, *ro;
        storvirt_volume *vol = NULL;
        char img[128], target[128], path[64], v[8] = "";
        struct mnt m;
        FILE *f;
        int nr;

        (void)st;
        REQUIRE_MOUNT("mkfs.ext4");
        ctx = ctx_open(STORVIRT_CTX_NEW_NO_AUTOSTART);
        image("opts.img", 32 * MiB, img, sizeof(img));
        pool = define(ctx, "opts", img, "ext4",
                      "<fs:mount_opts><fs:option name='noatime'/><fs:option name='exec'/>"
                      "</fs:mount_opts>");
        assert_int_equal(storvirt_pool_build(pool, 0), 0);
        assert_int_equal(storvirt_pool_start(pool, 0), 0);
        target_of("opts", target, sizeof(target));
        assert_true(mount_at(target, &m));
        assert_true(has_opt(m.opts, "noatime") && has_opt(m.opts, "nodev"));
        assert_false(has_opt(m.opts, "noexec")); /* "exec" comes after the defaults */
        assert_int_equal(storvirt_pool_stop(pool, 0), 0);
        assert_int_equal(storvirt_pool_undefine(pool, 0), 0);

        /* format auto, read-only: the loop device is read-only too. */
        ro = define(ctx, "ro", img, "auto",
                    "<fs:mount_opts><fs:option name='ro'/></fs:mount_opts>");
        target_of("ro", target, sizeof(target));
        assert_int_equal(storvirt_pool_build(ro, 0), 0); /* keeps the ext4 there */
        assert_int_equal(storvirt_pool_start(ro, 0), 0);
        nr = assert_mounted_image(target, img, "ext4");
        assert_true(mount_at(target, &m) && has_opt(m.opts, "ro"));
        snprintf(path, sizeof(path), "/sys/block/loop%d/ro", nr);
        f = fopen(path, "re");
        assert_non_null(f);
        assert_non_null(fgets(v, sizeof(v), f));
        fclose(f);
        assert_int_equal(atoi(v), 1);
        assert_true(storvirt_volume_create_xml(ro, "<volume><name>x</name><capacity>1</capacity>"
                                                   "</volume>", &vol, NULL, NULL, 0) < 0);
        assert_int_equal(storvirt_pool_stop(ro, 0), 0);
        assert_stopped(target, nr);
        assert_int_equal(storvirt_pool_undefine(ro, 0), 0);
        storvirt_pool_unref(ro);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
}

static void test_busy(void **st) {
        storvirt_ctx *ctx;
        storvirt_pool *pool, *twin;
        storvirt_ctx *other;
        char img[128], target[128], path[256];
        struct mnt m;
        int fd, nr;

        (void)st;
        REQUIRE_MOUNT("mkfs.ext4");
        ctx = ctx_open(STORVIRT_CTX_NEW_NO_AUTOSTART);
        image("busy.img", 32 * MiB, img, sizeof(img));
        target_of("busy", target, sizeof(target));
        pool = define(ctx, "busy", img, "ext4", NULL);
        assert_int_equal(storvirt_pool_start(pool, STORVIRT_POOL_CREATE_BUILD), 0);
        nr = assert_mounted_image(target, img, "ext4");

        /* The image is in use: no pool formats it, or mounts it a second time. */
        other = ctx_open_other();
        twin = define(other, "twin", img, "ext4", NULL);
        expect_error(storvirt_pool_build(twin, STORVIRT_POOL_BUILD_OVERWRITE), -EBUSY, "loop");
        assert_fs_type(img, "ext4");
        assert_int_equal(storvirt_pool_build(twin, 0), -EBUSY);
        target_of("twin", path, sizeof(path));
        assert_int_equal(mkdir(path, 0755), 0);
        expect_error(storvirt_pool_start(twin, 0), -EBUSY, "attached to /dev/loop");
        assert_false(mount_at(path, &m));

        /* A file open on the filesystem keeps it mounted: stop fails, the pool works on. */
        snprintf(path, sizeof(path), "%s/held", target);
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        expect_error(storvirt_pool_stop(pool, 0), -EBUSY, "busy");
        assert_int_equal(storvirt_pool_is_active(pool), 1);
        assert_int_equal(storvirt_pool_refresh(pool, 0), 0);
        storvirt_volume_unref(make_vol(pool, "after.raw", "raw"));
        close(fd);
        assert_int_equal(storvirt_pool_stop(pool, 0), 0);
        assert_stopped(target, nr);

        /* Something else mounted on the target is not taken for the pool. */
        assert_int_equal(mount("elsewhere", target, "tmpfs", 0, "size=1m"), 0);
        expect_error(storvirt_pool_start(pool, 0), -EBUSY, "elsewhere");
        assert_int_equal(umount2(target, 0), 0);
        assert_int_equal(storvirt__loop_find_backing(img), -ENOENT);

        assert_int_equal(storvirt_pool_undefine(twin, 0), 0);
        assert_int_equal(storvirt_pool_undefine(pool, 0), 0);
        storvirt_pool_unref(twin);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(other);
        storvirt_ctx_unref(ctx);
}

/* A block device source: mounted as it is, compared by major:minor. */
static void test_block_device(void **st) {
        storvirt__loop loop = STORVIRT__LOOP_INIT;
        storvirt_ctx *ctx, *other;
        storvirt_pool *pool, *twin;
        char img[128], target[128], majmin[32], buf[4096];
        struct stat sb;
        struct mnt m;

        (void)st;
        REQUIRE_MOUNT("mkfs.ext4");
        image("blockdev.img", 32 * MiB, img, sizeof(img));
        assert_int_equal(storvirt__loop_attach(img, false, &loop), 0);
        assert_int_equal(stat(loop.path, &sb), 0);
        assert_true(S_ISBLK(sb.st_mode));
        snprintf(majmin, sizeof(majmin), "%u:%u", major(sb.st_rdev), minor(sb.st_rdev));

        ctx = ctx_open(STORVIRT_CTX_NEW_NO_AUTOSTART);
        target_of("blockdev", target, sizeof(target));
        pool = define(ctx, "blockdev", loop.path, "ext4", NULL);
        assert_int_equal(storvirt_pool_build(pool, STORVIRT_POOL_BUILD_NO_OVERWRITE), 0);
        assert_int_equal(storvirt_pool_start(pool, 0), 0);
        assert_true(mount_at(target, &m));
        assert_string_equal(m.majmin, majmin);
        assert_string_equal(m.source, loop.path);
        /* Mounted: formatting the device is refused. */
        other = ctx_open_other();
        twin = define(other, "blocktwin", loop.path, "ext4", NULL);
        expect_error(storvirt_pool_build(twin, STORVIRT_POOL_BUILD_OVERWRITE), -EBUSY, "mounted");
        assert_int_equal(storvirt_pool_stop(pool, 0), 0);
        assert_false(mount_at(target, &m));
        /* The pool does not detach a device it did not attach. */
        assert_true(loop_attr(loop.nr, "backing_file", buf, sizeof(buf)));
        assert_string_equal(buf, img);
        assert_int_equal(storvirt_pool_undefine(twin, 0), 0);
        assert_int_equal(storvirt_pool_undefine(pool, 0), 0);
        storvirt_pool_unref(twin);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(other);
        storvirt_ctx_unref(ctx);
        storvirt__loop_detach(&loop);
}

/* Built without libblkid: only OVERWRITE formats, and the format is not checked at start. */
static void test_without_blkid(void **st) {
        storvirt_ctx *ctx;
        storvirt_pool *pool;
        char img[128], target[128];
        int nr;

        (void)st;
        if (storvirt__blkid_available() || !can_mount() || !have_tool("mkfs.ext4"))
                skip();
        ctx = ctx_open(STORVIRT_CTX_NEW_NO_AUTOSTART);
        image("noblkid.img", 32 * MiB, img, sizeof(img));
        target_of("noblkid", target, sizeof(target));
        pool = define(ctx, "noblkid", img, "ext4", NULL);
        expect_error(storvirt_pool_build(pool, 0), -EOPNOTSUPP, "libblkid");
        expect_error(storvirt_pool_build(pool, STORVIRT_POOL_BUILD_NO_OVERWRITE), -EOPNOTSUPP,
                     "OVERWRITE");
        assert_int_equal(storvirt_pool_build(pool, STORVIRT_POOL_BUILD_OVERWRITE), 0);
        assert_int_equal(storvirt_pool_start(pool, 0), 0);
        nr = assert_mounted_image(target, img, "ext4");
        assert_int_equal(storvirt_pool_stop(pool, 0), 0);
        assert_stopped(target, nr);
        assert_int_equal(storvirt_pool_undefine(pool, 0), 0);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_mountinfo_parse),
                cmocka_unit_test(test_mount_opts_split),
                cmocka_unit_test(test_missing_device),
                cmocka_unit_test(test_build_auto_refused),
                cmocka_unit_test(test_no_overwrite),
                cmocka_unit_test(test_partition_table),
                cmocka_unit_test(test_format_mismatch),
                cmocka_unit_test(test_ext4_lifecycle),
                cmocka_unit_test(test_xfs_lifecycle),
                cmocka_unit_test(test_auto_and_options),
                cmocka_unit_test(test_busy),
                cmocka_unit_test(test_block_device),
                cmocka_unit_test(test_without_blkid),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
