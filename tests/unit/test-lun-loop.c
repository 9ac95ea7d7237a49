/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-lun-loop.c - the LUN API on this host's real block devices: loop
 * devices over image files carrying nothing, ext4 (twice, the same
 * UUID), a GPT label and an LVM PV in a VG, made by the real tools
 * (mkfs.ext4, sfdisk, pvcreate and vgcreate).  Discovery goes through
 * libudev and sysfs, the usage probe through libblkid; the PV and VG
 * UUIDs must be what lvm2's own `pvs` reports.  Needs root and
 * /dev/loop-control; each part skips without its tool.
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
#include <sys/sysmacros.h>
#include <unistd.h>

#include <storvirt.h>

#include "sys/blkid_probe.h"
#include "sys/command.h"
#include "sys/mount.h"
#include "util/json.h"
#include "util/macro.h"

#define MiB (1024ull * 1024)
#define FS_UUID "5e1f0c2a-7d3b-4c8e-9a61-2b4d6f8e0a13"

static char base[64];
static char vg[64];

static bool have_tool(const char *tool) {
        return storvirt__command_find(tool, NULL) == 0;
}

static bool can_loop(void) {
        return geteuid() == 0 && access("/dev/loop-control", R_OK | W_OK) == 0;
}

#define REQUIRE_LOOP()                                                        \
        do {                                                                  \
                if (!can_loop() || !storvirt__blkid_available()) {            \
                        print_message("needs root, /dev/loop-control and libblkid\n"); \
                        skip();                                               \
                }                                                             \
        } while (0)

#define REQUIRE_TOOL(tool)                                                    \
        do {                                                                  \
                REQUIRE_LOOP();                                               \
                if (!have_tool(tool)) {                                       \
                        print_message("needs %s\n", tool);                    \
                        skip();                                               \
                }                                                             \
        } while (0)

static int run(const char *fmt, ...) _printf_(1, 2);
static int run(const char *fmt, ...) {
        _cleanup_free_ char *cmd = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&cmd, fmt, ap);
        va_end(ap);
        assert_true(r > 0);
        return system(cmd);
}

static const char *image(const char *name, uint64_t size, char *buf, size_t n) {
        int fd;

        snprintf(buf, n, "%s/%s", base, name);
        fd = open(buf, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(ftruncate(fd, (off_t)size), 0);
        close(fd);
        return buf;
}

static storvirt_ctx *ctx_new(void) {
        storvirt_ctx *ctx = NULL;

        assert_int_equal(storvirt_ctx_new(&ctx, STORVIRT_CTX_NEW_IGNORE_ENV), 0);
        assert_int_equal(storvirt_ctx_set_max_threads(ctx, 2), 0);
        return ctx;
}

static storvirt_lun *by_path(storvirt_ctx *ctx, const char *path) {
        storvirt_lun *l = NULL;

        if (storvirt_lun_lookup_by_path(ctx, path, &l) < 0)
                fail_msg("lookup %s: %s", path, storvirt_error_message());
        return l;
}

static void assert_status(storvirt_lun *l, int status, const char *reason) {
        const char *got = NULL;
        int s = storvirt_lun_get_status(l, &got);

        if (s != status || strcmp(got, reason) != 0)
                fail_msg("%s: expected status %d '%s', got %d '%s'", storvirt_lun_get_devnode(l),
                         status, reason, s, got);
}

static void test_blank(void **st) {
        storvirt__loop loop = STORVIRT__LOOP_INIT;
        storvirt_ctx *ctx;
        storvirt_lun *l, *l2 = NULL, **v = NULL;
        const storvirt_lun_path *p;
        char img[128];
        struct stat sb;
        unsigned ma, mi;
        uint64_t cap;
        bool listed = false;

        (void)st;
        REQUIRE_LOOP();
        image("blank.img", 16 * MiB, img, sizeof(img));
        assert_int_equal(storvirt__loop_attach(img, true, &loop), 0);
        ctx = ctx_new();
        assert_int_equal(storvirt_lun_refresh(ctx, 0), 0);
        l = by_path(ctx, loop.path);
        assert_string_equal(storvirt_lun_get_devnode(l), loop.path);
        assert_string_equal(storvirt_lun_get_name(l), loop.path + 5);
        assert_string_equal(storvirt_lun_get_devtype(l), "loop");
        assert_string_equal(storvirt_lun_get_loop_backing(l), img);
        assert_null(storvirt_lun_get_guid(l));
        assert_null(storvirt_lun_get_dm_name(l));
        assert_int_equal(storvirt_lun_get_geometry(l, &cap, NULL, NULL, NULL, NULL), 0);
        assert_int_equal(cap, 16 * MiB);
        assert_status(l, STORVIRT_LUN_STATUS_FREE, "no signature");
        assert_int_equal(storvirt_lun_get_n_paths(l), 1);
        p = storvirt_lun_get_path(l, 0);
        assert_string_equal(storvirt_lun_path_get_transport(p), "loop");
        assert_int_equal(storvirt_lun_path_get_hctl(p, NULL, NULL, NULL, NULL), -ENODATA);

        /* The device number the kernel gave it finds the same LUN. */
        assert_int_equal(stat(loop.path, &sb), 0);
        assert_int_equal(storvirt_lun_get_devnum(l, &ma, &mi), 0);
        assert_int_equal(ma, major(sb.st_rdev));
        assert_int_equal(mi, minor(sb.st_rdev));
        assert_int_equal(storvirt_lun_lookup_by_devnum(ctx, ma, mi, &l2), 0);
        assert_string_equal(storvirt_lun_get_name(l2), storvirt_lun_get_name(l));
        storvirt_lun_unref(l2);

        /* Listed among the free loop LUNs. */
        assert_int_equal(storvirt_lun_list(ctx, "loop", &v, NULL, STORVIRT_LUN_LIST_FREE), 0);
        for (size_t i = 0; v[i]; i++)
                listed |= strcmp(storvirt_lun_get_devnode(v[i]), loop.path) == 0;
        assert_true(listed);
        storvirt_lun_list_free(v);
        storvirt_lun_unref(l);

        /* Detached: the old snapshot still knows it, a refresh does not. */
        storvirt__loop_detach(&loop);
        assert_int_equal(storvirt_lun_refresh(ctx, 0), 0);
        assert_int_equal(storvirt_lun_lookup_by_devnum(ctx, ma, mi, &l2), -ENOENT);
        storvirt_ctx_unref(ctx);
}

static void test_ext4_twice(void **st) {
        storvirt__loop a = STORVIRT__LOOP_INIT, b = STORVIRT__LOOP_INIT;
        storvirt_ctx *ctx;
        storvirt_lun *l = NULL, **v = NULL;
        const char *type, *uuid, *label, *pt, *msg;
        char img[128], copy[128], *json = NULL;

        (void)st;
        REQUIRE_TOOL("mkfs.ext4");
        image("ext4.img", 32 * MiB, img, sizeof(img));
        assert_int_equal(run("mkfs.ext4 -q -F -L lunfs -U %s %s >/dev/null 2>&1", FS_UUID, img), 0);
        snprintf(copy, sizeof(copy), "%s/ext4-copy.img", base);
        assert_int_equal(run("cp --sparse=always %s %s", img, copy), 0);
        assert_int_equal(storvirt__loop_attach(img, true, &a), 0);
        assert_int_equal(storvirt__loop_attach(copy, true, &b), 0);

        ctx = ctx_new();
        assert_int_equal(storvirt_lun_refresh(ctx, 0), 0);
        l = by_path(ctx, a.path);
        assert_status(l, STORVIRT_LUN_STATUS_USED, "filesystem ext4");
        assert_int_equal(storvirt_lun_get_signature(l, &type, &uuid, &label, &pt), 0);
        assert_string_equal(type, "ext4");
        assert_string_equal(uuid, FS_UUID);
        assert_string_equal(label, "lunfs");
        assert_null(pt);
        assert_int_equal(storvirt_lun_get_lvm(l, NULL, NULL, NULL), -ENODATA);
        assert_int_equal(storvirt_lun_get_json(l, &json, 0), 0);
        assert_non_null(strstr(json, "\"fsUUID\":\"" FS_UUID "\""));
        assert_non_null(strstr(json, "\"status\":\"used\""));
        storvirt_free(json);
        storvirt_lun_unref(l);
        l = NULL;

        /* The same UUID on two LUNs is an error naming both. */
        assert_int_equal(storvirt_lun_lookup_by_fs_uuid(ctx, FS_UUID, &l), -ENOTUNIQ);
        msg = storvirt_error_message();
        assert_non_null(strstr(msg, a.path));
        assert_non_null(strstr(msg, b.path));
        /* Not free. */
        assert_int_equal(storvirt_lun_list(ctx, NULL, &v, NULL, STORVIRT_LUN_LIST_FREE), 0);
        for (size_t i = 0; v[i]; i++)
                assert_string_not_equal(storvirt_lun_get_devnode(v[i]), a.path);
        storvirt_lun_list_free(v);

        /* One copy gone: the UUID names one LUN again. */
        storvirt__loop_detach(&b);
        assert_int_equal(storvirt_lun_refresh(ctx, 0), 0);
        assert_int_equal(storvirt_lun_lookup_by_fs_uuid(ctx, FS_UUID, &l), 0);
        assert_string_equal(storvirt_lun_get_devnode(l), a.path);
        storvirt_lun_unref(l);
        storvirt__loop_detach(&a);
        storvirt_ctx_unref(ctx);
}

static void test_gpt(void **st) {
        storvirt__loop loop = STORVIRT__LOOP_INIT;
        storvirt_ctx *ctx;
        storvirt_lun *l;
        const char *pt;
        char img[128];

        (void)st;
        REQUIRE_TOOL("sfdisk");
        image("gpt.img", 16 * MiB, img, sizeof(img));
        assert_int_equal(run("printf 'label: gpt\\n,4M\\n,\\n' | sfdisk -q %s >/dev/null 2>&1", img), 0);
        assert_int_equal(storvirt__loop_attach(img, true, &loop), 0);
        ctx = ctx_new();
        l = by_path(ctx, loop.path); /* the first lookup discovers */
        assert_status(l, STORVIRT_LUN_STATUS_USED, "partition table gpt");
        assert_int_equal(storvirt_lun_get_signature(l, NULL, NULL, NULL, &pt), 0);
        assert_string_equal(pt, "gpt");
        storvirt_lun_unref(l);
        storvirt__loop_detach(&loop);
        storvirt_ctx_unref(ctx);
}

/* lvm2's view of a PV, through `pvs --reportformat json`. */
static void pvs_report(const char *dev, char *pv_uuid, char *vg_name, char *vg_uuid) {
        _cleanup_free_ char *cmd = NULL, *out = NULL;
        _cleanup_json_ yajl_val j = NULL;
        size_t len = 0;
        yajl_val pv;
        FILE *f;
        char buf[4096];
        size_t n;

        assert_true(asprintf(&cmd, "pvs --reportformat json --config 'devices { "
                                   "obtain_device_list_from_udev=0 }' -o pv_uuid,vg_name,vg_uuid "
                                   "%s 2>/dev/null", dev) > 0);
        f = popen(cmd, "r");
        assert_non_null(f);
        FILE *m = open_memstream(&out, &len);
        while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
                fwrite(buf, 1, n, m);
        fclose(m);
        assert_int_equal(pclose(f), 0);
        if (storvirt__json_parse(out, len, 1 << 20, &j, "pvs report") < 0)
                fail_msg("pvs: %s: %s", storvirt_error_message(), out);
        pv = yajl_tree_get(j, (const char *[]){ "report", NULL }, yajl_t_array);
        assert_non_null(pv);
        assert_true(pv->u.array.len == 1);
        pv = yajl_tree_get(pv->u.array.values[0], (const char *[]){ "pv", NULL }, yajl_t_array);
        assert_non_null(pv);
        assert_true(pv->u.array.len == 1);
        pv = pv->u.array.values[0];
        snprintf(pv_uuid, 64, "%s", YAJL_GET_STRING(yajl_tree_get(pv, (const char *[]){ "pv_uuid", NULL }, yajl_t_string)));
        snprintf(vg_name, 64, "%s", YAJL_GET_STRING(yajl_tree_get(pv, (const char *[]){ "vg_name", NULL }, yajl_t_string)));
        snprintf(vg_uuid, 64, "%s", YAJL_GET_STRING(yajl_tree_get(pv, (const char *[]){ "vg_uuid", NULL }, yajl_t_string)));
}

static void test_lvm_pv(void **st) {
        storvirt__loop loop = STORVIRT__LOOP_INIT;
        storvirt_ctx *ctx;
        storvirt_lun *l = NULL;
        const char *pv, *vgn, *vgu, *type;
        char img[128], want_pv[64], want_vgn[64], want_vgu[64], reason[256];
        const char *lvmconf = "--config 'devices { obtain_device_list_from_udev=0 }'";

        (void)st;
        REQUIRE_TOOL("vgcreate");
        image("pv.img", 32 * MiB, img, sizeof(img));
        assert_int_equal(storvirt__loop_attach(img, false, &loop), 0);
        snprintf(vg, sizeof(vg), "storvirt_lun_test_%d", (int)getpid());
        assert_int_equal(run("pvcreate -q -y %s %s >/dev/null 2>&1 </dev/null", lvmconf, loop.path), 0);

        /* An orphan PV: pvcreate would take it again, so it is free. */
        ctx = ctx_new();
        assert_int_equal(storvirt_lun_refresh(ctx, 0), 0);
        l = by_path(ctx, loop.path);
        assert_int_equal(storvirt_lun_get_status(l, NULL), STORVIRT_LUN_STATUS_FREE);
        assert_int_equal(storvirt_lun_get_lvm(l, &pv, &vgn, &vgu), 0);
        assert_null(vgn);
        assert_null(vgu);
        storvirt_lun_unref(l);

        /* In a VG: used, and the UUIDs lvm2 reports. */
        assert_int_equal(run("vgcreate -q %s %s %s >/dev/null 2>&1 </dev/null", lvmconf, vg,
                             loop.path), 0);
        pvs_report(loop.path, want_pv, want_vgn, want_vgu);
        assert_string_equal(want_vgn, vg);
        assert_int_equal(storvirt_lun_refresh(ctx, 0), 0);
        l = by_path(ctx, loop.path);
        assert_int_equal(storvirt_lun_get_lvm(l, &pv, &vgn, &vgu), 0);
        assert_string_equal(pv, want_pv);
        assert_string_equal(vgn, want_vgn);
        assert_string_equal(vgu, want_vgu);
        assert_int_equal(storvirt_lun_get_signature(l, &type, NULL, NULL, NULL), 0);
        assert_string_equal(type, "LVM2_member");
        snprintf(reason, sizeof(reason), "LVM PV of VG %s (uuid %s)", want_vgn, want_vgu);
        assert_status(l, STORVIRT_LUN_STATUS_USED, reason);
        storvirt_lun_unref(l);
        /* blkid's UUID of a PV is the PV UUID: the fs-UUID index finds it. */
        assert_int_equal(storvirt_lun_lookup_by_fs_uuid(ctx, want_pv, &l), 0);
        assert_string_equal(storvirt_lun_get_devnode(l), loop.path);
        storvirt_lun_unref(l);

        run("vgremove -q -f %s %s >/dev/null 2>&1 </dev/null", lvmconf, vg);
        vg[0] = '\0';
        storvirt__loop_detach(&loop);
        storvirt_ctx_unref(ctx);
}

static int setup(void **st) {
        (void)st;
        snprintf(base, sizeof(base), "/var/tmp/storvirt-lun.XXXXXX");
        return mkdtemp(base) ? 0 : -1;
}

static int teardown(void **st) {
        (void)st;
        if (vg[0])
                run("vgremove -q -f %s >/dev/null 2>&1 </dev/null", vg);
        return run("rm -rf '%s'", base) == 0 ? 0 : -1;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_blank),
                cmocka_unit_test(test_ext4_twice),
                cmocka_unit_test(test_gpt),
                cmocka_unit_test(test_lvm_pv),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
