/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-pool-dir.c - dir pools and file volumes through the public API,
 * on real files: lifecycle and persistence, autostart, lookups, volume
 * creation (raw and qcow2), name safety, symlinks planted in a pool,
 * delete refusals, wipe/clone/upload/download/resize with progress and
 * cancellation; a target directory swapped (for a symbolic link, another
 * directory, nothing) while the pool runs is an error naming it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <storvirt.h>
#include "core/pool.h"
#include "util/macro.h"

static char base[64], state[128], target[128];

static int setup(void **st) {
        (void)st;
        snprintf(base, sizeof(base), "/tmp/storvirt-pool.XXXXXX");
        if (!mkdtemp(base))
                return -1;
        snprintf(state, sizeof(state), "%s/state", base);
        snprintf(target, sizeof(target), "%s/images", base);
        return 0;
}

static int teardown(void **st) {
        char cmd[256];

        (void)st;
        /* A failed reflink test may leave its mount behind. */
        snprintf(cmd, sizeof(cmd), "umount '%s/xfs' 2>/dev/null; true", base);
        if (system(cmd) != 0)
                return -1;
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
        return system(cmd) == 0 ? 0 : -1;
}

static storvirt_ctx *ctx_open(uint32_t flags) {
        storvirt_ctx *ctx = NULL;

        assert_int_equal(storvirt_ctx_new(&ctx, flags | STORVIRT_CTX_NEW_IGNORE_ENV), 0);
        assert_int_equal(storvirt_ctx_set_state_dir(ctx, state, 0), 0);
        return ctx;
}

static char *pool_xml(const char *name) {
        char *xml = NULL;

        assert_true(asprintf(&xml, "<pool type='dir'><name>%s</name><target><path>%s</path>"
                                   "</target></pool>", name, target) > 0);
        return xml;
}

static storvirt_pool *running_pool(storvirt_ctx *ctx) {
        _cleanup_free_ char *xml = pool_xml("images");
        storvirt_pool *pool = NULL;

        assert_int_equal(storvirt_pool_define_xml(ctx, xml, &pool, 0), 0);
        assert_int_equal(storvirt_pool_build(pool, 0), 0);
        assert_int_equal(storvirt_pool_start(pool, 0), 0);
        return pool;
}

static storvirt_volume *make_vol(storvirt_pool *pool, const char *name, const char *fmt,
                                 const char *extra) {
        _cleanup_free_ char *xml = NULL;
        storvirt_volume *vol = NULL;
        int r;

        assert_true(asprintf(&xml, "<volume><name>%s</name><capacity unit='MiB'>4</capacity>%s"
                                   "<target><format type='%s'/></target></volume>",
                             name, extra, fmt) > 0);
        r = storvirt_volume_create_xml(pool, xml, &vol, NULL, NULL, 0);
        if (r < 0)
                fail_msg("create %s: %s", name, storvirt_error_message());
        return vol;
}

static void test_lifecycle_and_persistence(void **st) {
        storvirt_ctx *ctx = ctx_open(0);
        storvirt_pool *pool = running_pool(ctx), *p2 = NULL;
        char uuid[40], *xml = NULL, path[256];
        uint32_t state_ = 99;
        uint64_t cap = 0, avail = 0;

        (void)st;
        assert_int_equal(storvirt_pool_is_active(pool), 1);
        assert_int_equal(storvirt_pool_is_persistent(pool), 1);
        assert_int_equal(storvirt_pool_get_info(pool, &state_, &cap, NULL, &avail), 0);
        assert_int_equal(state_, STORVIRT_POOL_STATE_RUNNING);
        assert_true(cap > 0 && avail > 0 && avail <= cap);
        snprintf(uuid, sizeof(uuid), "%s", storvirt_pool_get_uuid(pool));
        assert_int_equal(storvirt_pool_lookup_by_uuid(ctx, uuid, &p2), 0);
        assert_string_equal(storvirt_pool_get_name(p2), "images");
        p2 = storvirt_pool_unref(p2);
        assert_int_equal(storvirt_pool_lookup_by_target_path(ctx, target, &p2), 0);
        p2 = storvirt_pool_unref(p2);
        assert_int_equal(storvirt_pool_get_xml(pool, &xml, 0), 0);
        assert_non_null(strstr(xml, "<capacity unit=\"bytes\">"));
        free(xml);
        assert_int_equal(storvirt_pool_get_xml(pool, &xml, STORVIRT_POOL_XML_INACTIVE), 0);
        assert_null(strstr(xml, "<capacity"));
        free(xml);
        assert_int_equal(storvirt_pool_set_autostart(pool, 1), 0);
        assert_int_equal(storvirt_pool_stop(pool, 0), 0);
        assert_int_equal(storvirt_pool_is_active(pool), 0);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);

        /* A new context that does not autostart finds the pool stopped. */
        ctx = ctx_open(STORVIRT_CTX_NEW_NO_AUTOSTART);
        assert_int_equal(storvirt_pool_lookup_by_name(ctx, "images", &pool), 0);
        assert_string_equal(storvirt_pool_get_uuid(pool), uuid);
        assert_int_equal(storvirt_pool_get_autostart(pool), 1);
        assert_int_equal(storvirt_pool_is_active(pool), 0);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);

        /* Still not started by a later context in the same boot... */
        ctx = ctx_open(0);
        assert_int_equal(storvirt_pool_lookup_by_name(ctx, "images", &pool), 0);
        assert_int_equal(storvirt_pool_is_active(pool), 0);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);

        /* ... but the first context after a boot (simulated by forgetting the
         * recorded boot id) autostarts it; the next one finds it active. */
        snprintf(path, sizeof(path), "%s/pools/run/.boot_id", state);
        assert_int_equal(unlink(path), 0);
        ctx = ctx_open(0);
        assert_int_equal(storvirt_pool_lookup_by_name(ctx, "images", &pool), 0);
        assert_int_equal(storvirt_pool_is_active(pool), 1);
        assert_int_equal(storvirt_pool_set_autostart(pool, 0), 0);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
        ctx = ctx_open(0);
        assert_int_equal(storvirt_pool_lookup_by_name(ctx, "images", &pool), 0);
        assert_int_equal(storvirt_pool_is_active(pool), 1);
        assert_int_equal(storvirt_pool_undefine(pool, 0), 0);
        assert_int_equal(storvirt_pool_is_persistent(pool), 0);
        assert_int_equal(storvirt_pool_is_active(pool), 1); /* now transient */
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);

        ctx = ctx_open(0);
        assert_int_equal(storvirt_pool_lookup_by_name(ctx, "images", &pool), -ENOENT);
        assert_string_equal(storvirt_error_message(), "no pool with name 'images'");
        storvirt_ctx_unref(ctx);
}

static void test_define_errors(void **st) {
        storvirt_ctx *ctx = ctx_open(0);
        _cleanup_free_ char *xml = pool_xml("p1");
        storvirt_pool *pool = NULL, *other = NULL;
        char *clash = NULL;

        (void)st;
        assert_int_equal(storvirt_pool_define_xml(ctx, xml, &pool, 0), 0);
        /* Same name, different UUID. */
        assert_true(asprintf(&clash, "<pool type='dir'><name>p1</name>"
                "<uuid>11111111-2222-4333-8444-555555555555</uuid><target><path>/x</path>"
                "</target></pool>") > 0);
        assert_int_equal(storvirt_pool_define_xml(ctx, clash, &other, 0), -EEXIST);
        assert_non_null(strstr(storvirt_error_message(), "p1"));
        free(clash);
        assert_int_equal(storvirt_pool_define_xml(ctx, "<pool type='dir'><name>x", &other, 0),
                         -EINVAL);
        assert_int_equal(storvirt_pool_define_xml(ctx, "<pool type='bogus'><name>x</name></pool>",
                                                  &other, 0), -EINVAL);
        assert_int_equal(storvirt_pool_define_xml(ctx, xml, &other, 1), -EINVAL);
        assert_null(other);
        /* Refresh of an inactive pool, start twice, delete of an active pool. */
        assert_int_equal(storvirt_pool_refresh(pool, 0), -EINVAL);
        assert_int_equal(storvirt_pool_build(pool, STORVIRT_POOL_BUILD_OVERWRITE |
                                                   STORVIRT_POOL_BUILD_NO_OVERWRITE), -EINVAL);
        assert_int_equal(storvirt_pool_start(pool, 0), -ENOENT); /* not built */
        assert_non_null(strstr(storvirt_error_message(), "build the pool first"));
        assert_int_equal(storvirt_pool_start(pool, STORVIRT_POOL_CREATE_BUILD), 0);
        assert_int_equal(storvirt_pool_start(pool, 0), -EBUSY);
        assert_int_equal(storvirt_pool_delete(pool, 0), -EBUSY);
        assert_int_equal(storvirt_pool_set_autostart(pool, 2), -EINVAL);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
}

static void test_volumes(void **st) {
        storvirt_ctx *ctx = ctx_open(0);
        storvirt_pool *pool = running_pool(ctx);
        storvirt_volume *raw, *q, *found = NULL, **vols = NULL;
        uint64_t cap, alloc, phys;
        uint32_t type;
        size_t n = 0;
        char *xml = NULL, path[256];

        (void)st;
        raw = make_vol(pool, "disk.raw", "raw", "<allocation>0</allocation>");
        q = make_vol(pool, "disk.qcow2", "qcow2", "");
        assert_int_equal(storvirt_volume_get_info(raw, &type, &cap, &alloc, &phys), 0);
        assert_int_equal(type, STORVIRT_VOLUME_TYPE_FILE);
        assert_int_equal(cap, 4 << 20);
        assert_int_equal(phys, 4 << 20);
        assert_true(alloc < cap); /* sparse */
        assert_int_equal(storvirt_volume_get_info(q, NULL, &cap, NULL, &phys), 0);
        assert_int_equal(cap, 4 << 20);
        assert_true(phys < cap);
        assert_string_equal(storvirt_volume_get_format(q), "qcow2");
        snprintf(path, sizeof(path), "%s/disk.qcow2", target);
        assert_string_equal(storvirt_volume_get_path(q), path);
        assert_string_equal(storvirt_volume_get_key(q), path);
        assert_int_equal(storvirt_volume_lookup_by_path(ctx, path, &found), 0);
        assert_string_equal(storvirt_volume_get_name(found), "disk.qcow2");
        found = storvirt_volume_unref(found);
        assert_int_equal(storvirt_volume_lookup_by_key(ctx, "/nope/x", &found), -ENOENT);
        assert_int_equal(storvirt_volume_get_xml(q, &xml, 0), 0);
        assert_non_null(strstr(xml, "<format type=\"qcow2\"/>"));
        free(xml);
        /* Existing name. */
        assert_int_equal(storvirt_volume_create_xml(pool,
                "<volume><name>disk.raw</name><capacity>1</capacity></volume>",
                &found, NULL, NULL, 0), -EEXIST);
        /* A refresh keeps both, and a new context sees them. */
        assert_int_equal(storvirt_pool_refresh(pool, 0), 0);
        assert_int_equal(storvirt_pool_list_volumes(pool, &vols, &n, 0), 0);
        assert_int_equal(n, 2);
        assert_string_equal(storvirt_volume_get_name(vols[0]), "disk.qcow2");
        assert_null(vols[2]);
        storvirt_volume_list_free(vols);
        /* qcow2 grows through qemu-img (when installed), never by path. */
        if (system("command -v qemu-img >/dev/null 2>&1") == 0) {
                assert_int_equal(storvirt_volume_resize(q, 8 << 20, 0), 0);
                assert_int_equal(storvirt_volume_get_info(q, NULL, &cap, NULL, NULL), 0);
                assert_int_equal(cap, 8 << 20);
        } else {
                assert_int_equal(storvirt_volume_resize(q, 8 << 20, 0), -EOPNOTSUPP);
        }
        assert_int_equal(storvirt_volume_delete(q, 0), 0);
        assert_int_equal(storvirt_volume_delete(q, 0), -ENOENT);
        assert_int_equal(access(path, F_OK), -1);
        /* A non-empty pool is not deleted without the flag. */
        assert_int_equal(storvirt_pool_stop(pool, 0), 0);
        assert_int_equal(storvirt_pool_delete(pool, 0), -ENOTEMPTY);
        assert_non_null(strstr(storvirt_error_message(), "still holds 1 entry"));
        assert_int_equal(access(target, F_OK), 0);
        assert_int_equal(storvirt_pool_delete(pool, STORVIRT_POOL_DELETE_NONEMPTY), 0);
        assert_int_equal(access(target, F_OK), -1);
        storvirt_volume_unref(raw);
        storvirt_volume_unref(q);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
}

static void test_in_use_by_vdisk(void **st) {
        storvirt_ctx *ctx = ctx_open(0);
        storvirt_pool *pool = running_pool(ctx);
        storvirt_volume *vol = make_vol(pool, "used.qcow2", "qcow2", "");
        storvirt_disk_spec *spec = NULL;
        storvirt_vdisk *vdisk = NULL;
        char *xml = NULL, want[128];

        (void)st;
        /* A vDisk whose image is the volume. */
        assert_int_equal(storvirt_disk_spec_from_json("{\"pool\": \"images\", "
                                                      "\"volume\": \"used.qcow2\", "
                                                      "\"format\": \"cow\"}", &spec, 0), 0);
        assert_int_equal(storvirt_vdisk_import(ctx, spec, NULL, 0, &vdisk), 0);
        assert_int_equal(storvirt_volume_delete(vol, 0), -EBUSY);
        snprintf(want, sizeof(want), "is an image of vDisk %s", storvirt_vdisk_get_id(vdisk));
        assert_non_null(strstr(storvirt_error_message(), want));
        assert_int_equal(storvirt_volume_get_xml(vol, &xml, 0), 0);
        assert_non_null(strstr(xml, "<clusterSize unit=\"B\">65536</clusterSize>"));
        free(xml);
        /* Forgotten by the registry, it is free to go. */
        assert_int_equal(storvirt_vdisk_delete(vdisk, 0), 0);
        assert_int_equal(storvirt_volume_delete(vol, 0), 0);
        storvirt_vdisk_unref(vdisk);
        storvirt_disk_spec_free(spec);
        storvirt_volume_unref(vol);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
}

static void test_bad_names(void **st) {
        static const char *const bad[] = { "../x", "a/b", ".", "..", "" };
        storvirt_ctx *ctx = ctx_open(0);
        storvirt_pool *pool = running_pool(ctx);
        storvirt_volume *vol = NULL;
        char name[300], *xml = NULL;

        (void)st;
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                assert_true(asprintf(&xml, "<volume><name>%s</name><capacity>1024</capacity>"
                                           "</volume>", bad[i]) > 0);
                assert_int_equal(storvirt_volume_create_xml(pool, xml, &vol, NULL, NULL, 0), -EINVAL);
                free(xml);
        }
        memset(name, 'a', 256);
        name[256] = '\0';
        assert_true(asprintf(&xml, "<volume><name>%s</name><capacity>1024</capacity></volume>",
                             name) > 0);
        assert_int_equal(storvirt_volume_create_xml(pool, xml, &vol, NULL, NULL, 0), -EINVAL);
        free(xml);
        assert_null(vol);
        storvirt_volume **none = NULL;
        size_t n = 9;
        assert_int_equal(storvirt_pool_list_volumes(pool, &none, &n, 0), 0);
        assert_int_equal(n, 0); /* nothing was created */
        storvirt_volume_list_free(none);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
}

static void write_file(const char *path, const char *data) {
        int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);

        assert_true(fd >= 0);
        assert_int_equal(write(fd, data, strlen(data)), (ssize_t)strlen(data));
        close(fd);
}

static void read_file(const char *path, char *buf, size_t size) {
        int fd = open(path, O_RDONLY);
        ssize_t n;

        assert_true(fd >= 0);
        n = read(fd, buf, size - 1);
        assert_true(n >= 0);
        buf[n] = '\0';
        close(fd);
}

static void test_symlink_cannot_escape(void **st) {
        storvirt_ctx *ctx = ctx_open(0);
        storvirt_pool *pool = running_pool(ctx);
        storvirt_volume *vol, *found = NULL;
        char outside[160], link[200], buf[64];

        (void)st;
        snprintf(outside, sizeof(outside), "%s/victim", base);
        write_file(outside, "precious data");
        /* A symlink planted in the pool is never listed as a volume. */
        snprintf(link, sizeof(link), "%s/planted", target);
        assert_int_equal(symlink(outside, link), 0);
        assert_int_equal(storvirt_pool_refresh(pool, 0), 0);
        assert_int_equal(storvirt_volume_lookup_by_name(pool, "planted", &found), -ENOENT);
        /* A volume swapped for a symlink after lookup: every operation refuses
         * or acts on the link itself, never on the file it points to. */
        vol = make_vol(pool, "swapped", "raw", "<allocation>0</allocation>");
        snprintf(link, sizeof(link), "%s/swapped", target);
        assert_int_equal(unlink(link), 0);
        assert_int_equal(symlink(outside, link), 0);
        assert_int_equal(storvirt_volume_wipe(vol, NULL, NULL, 0), -ELOOP);
        assert_int_equal(storvirt_volume_resize(vol, 8 << 20, 0), -ELOOP);
        assert_int_equal(storvirt_volume_upload(vol, 0, 0, 1, NULL, NULL, 0), -ELOOP);
        assert_int_equal(storvirt_volume_delete(vol, 0), 0);
        assert_int_equal(access(link, F_OK), -1);        /* the link is gone */
        storvirt_volume_unref(vol);
        /* The same for a qcow2 volume, whose resize goes through qemu-img. */
        vol = make_vol(pool, "swapped.qcow2", "qcow2", "");
        snprintf(link, sizeof(link), "%s/swapped.qcow2", target);
        assert_int_equal(unlink(link), 0);
        assert_int_equal(symlink(outside, link), 0);
        assert_int_equal(storvirt_volume_resize(vol, 8 << 20, 0), -ELOOP);
        assert_int_equal(storvirt_volume_wipe(vol, NULL, NULL, 0), -ELOOP);
        assert_int_equal(storvirt_volume_delete(vol, 0), 0);
        read_file(outside, buf, sizeof(buf));
        assert_string_equal(buf, "precious data");       /* the target is intact */
        storvirt_volume_unref(vol);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
}

struct prog {
        int calls;
        int cancel_at;
        uint64_t last_done, last_total;
};

static int on_progress(uint64_t done, uint64_t total, void *ud) {
        struct prog *p = ud;

        p->calls++;
        assert_true(done >= p->last_done);
        p->last_done = done;
        p->last_total = total;
        return p->cancel_at && p->calls >= p->cancel_at;
}

static void test_transfer_wipe_clone_resize(void **st) {
        storvirt_ctx *ctx = ctx_open(0);
        storvirt_pool *pool = running_pool(ctx);
        storvirt_volume *vol, *clone = NULL;
        struct prog p = {};
        char src[160], dst[160], pattern[4096], cmd[512];
        uint64_t cap, alloc;
        int fd;

        (void)st;
        vol = make_vol(pool, "data.raw", "raw", "<allocation>0</allocation>");
        /* Upload 4 MiB: 1 MiB of pattern, a 1 MiB hole, 2 MiB of pattern. */
        snprintf(src, sizeof(src), "%s/src.bin", base);
        fd = open(src, O_CREAT | O_WRONLY | O_TRUNC, 0600);
        for (size_t i = 0; i < sizeof(pattern); i++)
                pattern[i] = (char)('a' + i % 26);
        for (int i = 0; i < 768; i++)
                assert_int_equal(pwrite(fd, pattern, sizeof(pattern), (off_t)i * 4096 +
                                        (i >= 256 ? (1 << 20) : 0)), 4096);
        close(fd);
        fd = open(src, O_RDONLY);
        assert_int_equal(storvirt_volume_upload(vol, fd, 0, 0, on_progress, &p,
                                                STORVIRT_VOLUME_TRANSFER_SPARSE), 0);
        close(fd);
        assert_true(p.calls >= 3);
        assert_int_equal(p.last_done, 4 << 20);
        /* Download and compare. */
        snprintf(dst, sizeof(dst), "%s/dst.bin", base);
        fd = open(dst, O_CREAT | O_WRONLY | O_TRUNC, 0600);
        assert_int_equal(storvirt_volume_download(vol, fd, 0, 0, NULL, NULL,
                                                  STORVIRT_VOLUME_TRANSFER_SPARSE), 0);
        close(fd);
        snprintf(cmd, sizeof(cmd), "cmp -s '%s' '%s'", src, dst);
        assert_int_equal(system(cmd), 0);
        /* Past the capacity. */
        assert_int_equal(storvirt_volume_upload(vol, 0, 4 << 20, 1, NULL, NULL, 0), -EINVAL);
        /* Clone: same bytes, still sparse. */
        assert_int_equal(storvirt_volume_create_xml_from(pool,
                "<volume><name>copy.raw</name><target><format type='raw'/></target></volume>",
                vol, &clone, NULL, NULL, 0), 0);
        assert_int_equal(storvirt_volume_get_info(clone, NULL, &cap, &alloc, NULL), 0);
        assert_int_equal(cap, 4 << 20);
        assert_true(alloc <= (3u << 20));
        snprintf(cmd, sizeof(cmd), "cmp -s '%s/data.raw' '%s/copy.raw'", target, target);
        assert_int_equal(system(cmd), 0);
        /* Wipe with cancellation, then fully. */
        p = (struct prog){ .cancel_at = 1 };
        assert_int_equal(storvirt_volume_wipe(clone, on_progress, &p, 0), -ECANCELED);
        assert_int_equal(storvirt_volume_wipe(clone, NULL, NULL, 0), 0);
        snprintf(cmd, sizeof(cmd), "test \"$(tr -d '\\000' < '%s/copy.raw' | wc -c)\" = 0", target);
        assert_int_equal(system(cmd), 0);
        assert_int_equal(storvirt_volume_get_info(clone, NULL, &cap, &alloc, NULL), 0);
        assert_int_equal(cap, 4 << 20);
        /* Resize: grow, refuse to shrink without the flag, then shrink. */
        assert_int_equal(storvirt_volume_resize(vol, 8 << 20, 0), 0);
        assert_int_equal(storvirt_volume_get_info(vol, NULL, &cap, NULL, NULL), 0);
        assert_int_equal(cap, 8 << 20);
        assert_int_equal(storvirt_volume_resize(vol, 2 << 20, 0), -EINVAL);
        assert_non_null(strstr(storvirt_error_message(), "shrink"));
        assert_int_equal(storvirt_volume_resize(vol, 1 << 20, STORVIRT_VOLUME_RESIZE_DELTA), 0);
        assert_int_equal(storvirt_volume_get_info(vol, NULL, &cap, NULL, NULL), 0);
        assert_int_equal(cap, 9 << 20);
        assert_int_equal(storvirt_volume_resize(vol, 2 << 20, STORVIRT_VOLUME_RESIZE_SHRINK), 0);
        assert_int_equal(storvirt_volume_get_info(vol, NULL, &cap, NULL, NULL), 0);
        assert_int_equal(cap, 2 << 20);
        storvirt_volume_unref(clone);
        storvirt_volume_unref(vol);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
}

/* Creates a clone of `src` in `pool` with the reflink flag. */
static int reflink_clone(storvirt_pool *pool, storvirt_volume *src, storvirt_volume **ret) {
        return storvirt_volume_create_xml_from(pool,
                "<volume><name>ref.raw</name><target><format type='raw'/></target></volume>",
                src, ret, NULL, NULL, STORVIRT_VOLUME_CREATE_REFLINK);
}

/*
 * FICLONE for real: on an xfs filesystem (reflink on by default) made on a
 * loop-mounted image, a clone with the reflink flag succeeds and shares
 * the data; on tmpfs, which cannot reflink, the flag is refused.
 */
static void test_reflink_clone(void **st) {
        storvirt_ctx *ctx;
        storvirt_pool *pool;
        storvirt_volume *vol, *clone = NULL;
        char img[160], mnt[160], cmd[1024], *xml = NULL;

        (void)st;
        if (geteuid() != 0 || system("command -v mkfs.xfs >/dev/null 2>&1") != 0)
                skip();
        snprintf(img, sizeof(img), "%s/xfs.img", base);
        snprintf(mnt, sizeof(mnt), "%s/xfs", base);
        snprintf(cmd, sizeof(cmd), "truncate -s 320M '%s' && mkfs.xfs -q -m reflink=1 '%s' && "
                                   "mkdir -p '%s' && mount -o loop '%s' '%s'", img, img, mnt, img, mnt);
        if (system(cmd) != 0)
                skip(); /* no loop devices here */
        ctx = ctx_open(0);
        assert_true(asprintf(&xml, "<pool type='dir'><name>x</name><target><path>%s/pool</path>"
                                   "</target></pool>", mnt) > 0);
        assert_int_equal(storvirt_pool_create_xml(ctx, xml, &pool, STORVIRT_POOL_CREATE_BUILD), 0);
        free(xml);
        vol = make_vol(pool, "src.raw", "raw", "");
        /* Real data (preallocated extents are unwritten and share nothing). */
        snprintf(cmd, sizeof(cmd), "dd if=/dev/urandom of='%s/pool/src.raw' bs=1M count=4 "
                                   "conv=notrunc status=none", mnt);
        assert_int_equal(system(cmd), 0);
        assert_int_equal(reflink_clone(pool, vol, &clone), 0);
        snprintf(cmd, sizeof(cmd), "cmp -s '%s/pool/src.raw' '%s/pool/ref.raw'", mnt, mnt);
        assert_int_equal(system(cmd), 0);
        /* The clone shares the source's extents. */
        snprintf(cmd, sizeof(cmd), "filefrag -v '%s/pool/ref.raw' | grep -q shared", mnt);
        assert_int_equal(system(cmd), 0);
        storvirt_volume_unref(clone);
        storvirt_volume_unref(vol);
        assert_int_equal(storvirt_pool_stop(pool, 0), 0);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
        snprintf(cmd, sizeof(cmd), "umount '%s'", mnt);
        assert_int_equal(system(cmd), 0);

        /* tmpfs has no reflink: the flag is refused, nothing is left behind. */
        snprintf(cmd, sizeof(cmd), "mount -t tmpfs -o size=16M tmpfs '%s'", mnt);
        assert_int_equal(system(cmd), 0);
        ctx = ctx_open(0);
        assert_true(asprintf(&xml, "<pool type='dir'><name>t</name><target><path>%s/pool</path>"
                                   "</target></pool>", mnt) > 0);
        assert_int_equal(storvirt_pool_create_xml(ctx, xml, &pool, STORVIRT_POOL_CREATE_BUILD), 0);
        free(xml);
        vol = make_vol(pool, "src.raw", "raw", "");
        assert_int_equal(reflink_clone(pool, vol, &clone), -EOPNOTSUPP);
        assert_non_null(strstr(storvirt_error_message(), "cannot reflink"));
        snprintf(cmd, sizeof(cmd), "%s/pool/ref.raw", mnt);
        assert_int_equal(access(cmd, F_OK), -1);
        storvirt_volume_unref(vol);
        assert_int_equal(storvirt_pool_stop(pool, 0), 0);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
        snprintf(cmd, sizeof(cmd), "umount '%s'", mnt);
        assert_int_equal(system(cmd), 0);
}

static storvirt_pool *log_pool;
static int log_calls;

/* Takes the pool's lock: would deadlock if called with that lock held. */
static void locking_log_fn(storvirt_ctx *ctx, int prio, const char *msg, void *ud) {
        uint32_t s;

        (void)ctx; (void)prio; (void)ud;
        if (strstr(msg, "refreshed")) {
                assert_int_equal(storvirt_pool_get_info(log_pool, &s, NULL, NULL, NULL), 0);
                assert_int_equal(s, STORVIRT_POOL_STATE_RUNNING);
                log_calls++;
        }
}

static void test_log_callback_without_locks(void **st) {
        storvirt_ctx *ctx = ctx_open(0);

        (void)st;
        log_pool = running_pool(ctx);
        assert_int_equal(storvirt_ctx_set_log_fn(ctx, locking_log_fn, NULL, NULL), 0);
        assert_int_equal(storvirt_ctx_set_log_priority(ctx, STORVIRT_LOG_DEBUG), 0);
        /* The refresh logs while it holds the pool's lock; the message must
         * reach the callback only after the lock is released. */
        assert_int_equal(storvirt_pool_refresh(log_pool, 0), 0);
        assert_int_equal(log_calls, 1);
        storvirt_ctx_set_log_fn(ctx, NULL, NULL, NULL);
        log_pool = storvirt_pool_unref(log_pool);
        storvirt_ctx_unref(ctx);
}

static void test_transient_and_list(void **st) {
        storvirt_ctx *ctx = ctx_open(0);
        _cleanup_free_ char *xml = pool_xml("temp");
        storvirt_pool *pool = NULL, **pools = NULL, *handle_after;
        size_t n = 9;

        (void)st;
        assert_int_equal(storvirt_pool_create_xml(ctx, xml, &pool, STORVIRT_POOL_CREATE_BUILD), 0);
        assert_int_equal(storvirt_pool_is_persistent(pool), 0);
        assert_int_equal(storvirt_pool_list(ctx, NULL, &pools, &n, STORVIRT_POOL_LIST_TRANSIENT), 0);
        assert_int_equal(n, 1);
        storvirt_pool_list_free(pools);
        assert_int_equal(storvirt_pool_list(ctx, "dir", &pools, &n, STORVIRT_POOL_LIST_PERSISTENT), 0);
        assert_int_equal(n, 0);
        storvirt_pool_list_free(pools);
        assert_int_equal(storvirt_pool_set_autostart(pool, 1), -EINVAL);
        assert_int_equal(storvirt_pool_stop(pool, 0), 0);
        /* Stopped transient pools are forgotten; the handle stays usable. */
        assert_int_equal(storvirt_pool_lookup_by_name(ctx, "temp", &handle_after), -ENOENT);
        assert_string_equal(storvirt_pool_get_name(pool), "temp");
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
}

static void assert_fails_with(int r, int want_r, const char *want) {
        if (r != want_r || !strstr(storvirt_error_message(), want))
                fail_msg("got %d '%s', expected %d '...%s...'", r, storvirt_error_message(),
                         want_r, want);
}

static int list_n(storvirt_pool *pool, size_t *ret_n) {
        storvirt_volume **vols = NULL;
        int r = storvirt_pool_list_volumes(pool, &vols, ret_n, 0);

        storvirt_volume_list_free(vols);
        return r;
}

/*
 * Thousands of files read at once (their records made in blocks, the
 * reading's entries in one large table): every one listed with its
 * figures, in this context and in a new one; sparse files with nothing
 * allocated are raw, one with data further in is probed for it.
 */
static void test_many_files(void **st) {
        storvirt_ctx *ctx = ctx_open(0), *ctx2;
        storvirt_pool *pool = running_pool(ctx), *pool2 = NULL;
        storvirt_volume *vol = NULL;
        const size_t n = 5000;
        uint64_t capacity = 0;
        char path[256];
        size_t got = 0;
        int fd;

        (void)st;
        for (size_t i = 0; i < n; i++) {
                snprintf(path, sizeof(path), "%s/file-%05zu.img", target, i);
                fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
                assert_true(fd >= 0);
                assert_int_equal(ftruncate(fd, 1 << 20), 0);
                close(fd);
        }
        /* an iso: zero head, its signature at 32 KiB */
        snprintf(path, sizeof(path), "%s/disc.iso", target);
        fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(pwrite(fd, "\001CD001", 6, 32768), 6);
        assert_int_equal(ftruncate(fd, 65536), 0);
        close(fd);
        assert_int_equal(storvirt_pool_refresh(pool, 0), 0);
        assert_int_equal(list_n(pool, &got), 0);
        assert_int_equal(got, n + 1);
        assert_int_equal(storvirt_volume_lookup_by_name(pool, "file-04999.img", &vol), 0);
        assert_string_equal(storvirt_volume_get_format(vol), "raw");
        assert_int_equal(storvirt_volume_get_info(vol, NULL, &capacity, NULL, NULL), 0);
        assert_int_equal(capacity, 1 << 20);
        vol = storvirt_volume_unref(vol);
        assert_int_equal(storvirt_volume_lookup_by_name(pool, "disc.iso", &vol), 0);
        assert_string_equal(storvirt_volume_get_format(vol), "iso");
        vol = storvirt_volume_unref(vol);
        /* another context reads them again (or from the list saved) */
        ctx2 = ctx_open(0);
        assert_int_equal(storvirt_pool_lookup_by_name(ctx2, "images", &pool2), 0);
        assert_int_equal(list_n(pool2, &got), 0);
        assert_int_equal(got, n + 1);
        assert_int_equal(storvirt_volume_lookup_by_name(pool2, "file-00000.img", &vol), 0);
        snprintf(path, sizeof(path), "%s/file-00000.img", target);
        assert_string_equal(storvirt_volume_get_path(vol), path);
        storvirt_volume_unref(vol);
        storvirt_pool_unref(pool2);
        storvirt_ctx_unref(ctx2);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
}

static void test_target_swapped(void **st) {
        storvirt_ctx *ctx = ctx_open(STORVIRT_CTX_NEW_NO_AUTOSTART);
        storvirt_pool *pool = running_pool(ctx);
        char moved[160], other[160], file[200], link_msg[400], moved_msg[400];
        uint32_t state_ = 0;
        size_t n = 0;
        int fd;

        (void)st;
        storvirt_volume_unref(make_vol(pool, "a.raw", "raw", ""));
        snprintf(moved, sizeof(moved), "%s/images.moved", base);
        snprintf(other, sizeof(other), "%s/other", base);
        snprintf(file, sizeof(file), "%s/planted.raw", other);
        snprintf(link_msg, sizeof(link_msg), "target directory '%s' is now a symbolic link, "
                 "not the directory the pool was started on", target);
        snprintf(moved_msg, sizeof(moved_msg), "target directory '%s' is no longer the "
                 "directory the pool was started on", target);
        assert_int_equal(mkdir(other, 0700), 0);
        fd = open(file, O_CREAT | O_WRONLY, 0600);
        assert_true(fd >= 0);
        close(fd);

        /* A symbolic link to another directory in its place. */
        assert_int_equal(rename(target, moved), 0);
        assert_int_equal(symlink(other, target), 0);
        assert_fails_with(storvirt_pool_refresh(pool, 0), -ENODEV, link_msg);
        assert_fails_with(list_n(pool, &n), -ENODEV, link_msg);
        assert_int_equal(storvirt_pool_get_info(pool, &state_, NULL, NULL, NULL), 0);
        assert_int_equal(state_, STORVIRT_POOL_STATE_INACCESSIBLE);
        /* Another directory. */
        assert_int_equal(unlink(target), 0);
        assert_int_equal(mkdir(target, 0700), 0);
        assert_fails_with(storvirt_pool_refresh(pool, 0), -ENODEV, moved_msg);
        assert_fails_with(list_n(pool, &n), -ENODEV, moved_msg);
        /* Nothing. */
        assert_int_equal(rmdir(target), 0);
        assert_fails_with(list_n(pool, &n), -ENODEV, "no longer exists");
        /* Put back: the pool works again. */
        assert_int_equal(rename(moved, target), 0);
        assert_int_equal(list_n(pool, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(storvirt_pool_get_info(pool, &state_, NULL, NULL, NULL), 0);
        assert_int_equal(state_, STORVIRT_POOL_STATE_RUNNING);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);

        /* A later context finds the pool left running, its target now a link. */
        assert_int_equal(rename(target, moved), 0);
        assert_int_equal(symlink(other, target), 0);
        ctx = ctx_open(STORVIRT_CTX_NEW_NO_AUTOSTART);
        assert_int_equal(storvirt_pool_lookup_by_name(ctx, "images", &pool), 0);
        assert_int_equal(storvirt_pool_get_info(pool, &state_, NULL, NULL, NULL), 0);
        assert_int_equal(state_, STORVIRT_POOL_STATE_INACCESSIBLE);
        assert_fails_with(list_n(pool, &n), -ENODEV, link_msg);
        assert_fails_with(storvirt_pool_refresh(pool, 0), -ENODEV, link_msg);
        assert_int_equal(unlink(target), 0);
        assert_int_equal(rename(moved, target), 0);
        assert_int_equal(list_n(pool, &n), 0);
        assert_int_equal(n, 1);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_lifecycle_and_persistence, setup, teardown),
                cmocka_unit_test_setup_teardown(test_define_errors, setup, teardown),
                cmocka_unit_test_setup_teardown(test_volumes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bad_names, setup, teardown),
                cmocka_unit_test_setup_teardown(test_in_use_by_vdisk, setup, teardown),
                cmocka_unit_test_setup_teardown(test_symlink_cannot_escape, setup, teardown),
                cmocka_unit_test_setup_teardown(test_transfer_wipe_clone_resize, setup, teardown),
                cmocka_unit_test_setup_teardown(test_transient_and_list, setup, teardown),
                cmocka_unit_test_setup_teardown(test_reflink_clone, setup, teardown),
                cmocka_unit_test_setup_teardown(test_log_callback_without_locks, setup, teardown),
                cmocka_unit_test_setup_teardown(test_target_swapped, setup, teardown),
                cmocka_unit_test_setup_teardown(test_many_files, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
