/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-usage.c - usage status of real image files and loop devices:
 * blank (free), ext4 and xfs made by mkfs, GPT and DOS labels made by
 * sfdisk (and a DOS label written by hand), LVM PVs in a VG, orphan,
 * with damaged metadata or with their metadata elsewhere; a mounted
 * loop device; holders and mounts from a fake sysroot; devices that
 * cannot be opened (permission denied), missing paths, non-devices.
 *
 * The LVM PVs are laid out by the test itself from the on-disk format
 * (test-lvm-label.c checks the reader in depth): the lvm2 tools are
 * not a build dependency and need device-mapper, which the kernels of
 * these machines lack, for anything beyond writing labels.
 *
 * Tools that are missing (mkfs.xfs, sfdisk) skip their test; loop
 * devices and mounts need root and /dev/loop-control.
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
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sys/blkid_probe.h"
#include "sys/command.h"
#include "sys/lvm_label.h"
#include "sys/mount.h"
#include "sys/usage.h"
#include "util/error.h"
#include "util/macro.h"

#define MiB (1024ull * 1024)

#define PV_RAW "Ab3dEfGh1JkLmN0pQrStUvWxYz!#0123"
#define PV_FMT "Ab3dEf-Gh1J-kLmN-0pQr-StUv-WxYz-!#0123"
#define VG_UUID "Qw3rTy-uI0p-AsDf-GhJk-L9zx-CvBn-M1234a"
#define FS_UUID "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"

static char base[64];

/* ---- helpers ---------------------------------------------------------------------- */

static bool have_tool(const char *tool) {
        return storvirt__command_find(tool, NULL) == 0;
}

static bool can_loop(void) {
        return geteuid() == 0 && access("/dev/loop-control", R_OK | W_OK) == 0;
}

#define REQUIRE_BLKID()                                                       \
        do {                                                                  \
                if (!storvirt__blkid_available()) {                           \
                        print_message("needs libblkid\n");                    \
                        skip();                                               \
                }                                                             \
        } while (0)

#define REQUIRE_TOOL(tool)                                                    \
        do {                                                                  \
                REQUIRE_BLKID();                                              \
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

/* A new sparse image file under base; returns its path (in buf). */
static const char *image(const char *name, uint64_t size, char *buf, size_t n) {
        int fd;

        snprintf(buf, n, "%s/%s", base, name);
        fd = open(buf, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(ftruncate(fd, (off_t) size), 0);
        close(fd);
        return buf;
}

static struct storvirt__usage probe(const char *path) {
        struct storvirt__usage u;

        storvirt__error_reset();
        if (storvirt__usage_probe_path(path, NULL, &u) < 0)
                fail_msg("probing %s: %s", path, storvirt__error_msg());
        return u;
}

static void assert_status(const struct storvirt__usage *u, int status, const char *reason) {
        if (u->status != status || strcmp(u->reason, reason) != 0)
                fail_msg("expected status %d '%s', got %d '%s'", status, reason, u->status,
                         u->reason);
}

static void assert_status_has(const struct storvirt__usage *u, int status, const char *needle) {
        if (u->status != status || !strstr(u->reason, needle))
                fail_msg("expected status %d with '%s', got %d '%s'", status, needle, u->status,
                         u->reason);
}

/* ---- an LVM PV, written from the on-disk format -------------------------------------- */

static void put_le32(uint8_t *p, uint32_t v) {
        for (int i = 0; i < 4; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}

static void put_le64(uint8_t *p, uint64_t v) {
        for (int i = 0; i < 8; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}

/* lvm2's CRC: reflected 0xedb88320, no final inversion. */
static uint32_t lvm_crc(const void *buf, size_t len) {
        const uint8_t *p = buf;
        uint32_t c = STORVIRT__LVM_CRC_INITIAL;

        while (len--) {
                c ^= *p++;
                for (int k = 0; k < 8; k++)
                        c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
        }
        return c;
}

enum pv_kind { PV_IN_VG, PV_ORPHAN, PV_BAD_TEXT_CRC, PV_NO_AREAS_USED, PV_NO_AREAS_OLD };

/*
 * A PV as pvcreate lays it out on a 16 MiB image: label in sector 1,
 * one metadata area at 4 KiB, data from 1 MiB; in VG "vg_test" or not.
 */
static void write_pv(const char *path, enum pv_kind kind) {
        static const char text[] =
                "vg_test {\nid = \"" VG_UUID "\"\nseqno = 1\nformat = \"lvm2\"\n"
                "status = [\"RESIZEABLE\", \"READ\", \"WRITE\"]\nflags = []\n"
                "extent_size = 8192\nmax_lv = 0\nmax_pv = 0\nmetadata_copies = 0\n\n"
                "physical_volumes {\n\npv0 {\nid = \"" PV_FMT "\"\ndevice = \"/dev/sdb\"\n\n"
                "status = [\"ALLOCATABLE\"]\nflags = []\ndev_size = 32768\npe_start = 2048\n"
                "pe_count = 3\n}\n}\n\n}\n# Generated for a test\n\n"
                "contents = \"Text Format Volume Group\"\nversion = 1\n\ndescription = \"\"\n\n"
                "creation_host = \"test\"\ncreation_time = 1700000000\n";
        bool areas = kind != PV_NO_AREAS_USED && kind != PV_NO_AREAS_OLD;
        bool in_vg = kind == PV_IN_VG || kind == PV_BAD_TEXT_CRC;
        uint8_t s[512] = {}, h[512] = {};
        int fd = open(path, O_RDWR | O_CLOEXEC);

        assert_true(fd >= 0);
        memcpy(s, "LABELONE", 8);
        put_le64(s + 8, 1);
        put_le32(s + 20, 32);
        memcpy(s + 24, "LVM2 001", 8);
        memcpy(s + 32, PV_RAW, 32);
        put_le64(s + 64, 16 * MiB);
        put_le64(s + 72, MiB);                          /* data area, then a 0 entry */
        if (areas) {
                put_le64(s + 104, 4096);                /* metadata area, then a 0 entry */
                put_le64(s + 112, MiB - 4096);
        }
        put_le32(s + (areas ? 136 : 120), kind == PV_NO_AREAS_OLD ? 0 : 2);
        put_le32(s + (areas ? 140 : 124), kind == PV_ORPHAN || kind == PV_NO_AREAS_OLD ? 0 : 1);
        put_le32(s + 16, lvm_crc(s + 20, 492));
        assert_int_equal(pwrite(fd, s, 512, 512), 512);
        if (areas) {
                memcpy(h + 4, " LVM2 x[5A%r0N*>", 16);
                put_le32(h + 20, 1);
                put_le64(h + 24, 4096);
                put_le64(h + 32, MiB - 4096);
                if (in_vg) {
                        put_le64(h + 40, 512);
                        put_le64(h + 48, sizeof(text));
                        put_le32(h + 56, lvm_crc(text, sizeof(text)) ^ (kind == PV_BAD_TEXT_CRC));
                        assert_int_equal(pwrite(fd, text, sizeof(text), 4096 + 512),
                                         (ssize_t) sizeof(text));
                }
                put_le32(h, lvm_crc(h + 4, 508));
                assert_int_equal(pwrite(fd, h, 512, 4096), 512);
        }
        close(fd);
}

/* ---- fixtures ----------------------------------------------------------------------- */

static int setup(void **st) {
        (void) st;
        snprintf(base, sizeof(base), "/tmp/storvirt-usage.XXXXXX");
        return mkdtemp(base) ? 0 : -1;
}

static int teardown(void **st) {
        char line[4096], mp[1024];
        bool again = true;

        (void) st;
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
        return run("rm -rf '%s'", base) == 0 ? 0 : -1;
}

/* ---- image files -------------------------------------------------------------------- */

static void test_blank(void **st) {
        struct storvirt__usage u;
        char img[128];

        (void) st;
        image("blank.img", 16 * MiB, img, sizeof(img));
        u = probe(img);
        if (!storvirt__blkid_available()) {
                assert_status(&u, STORVIRT__USAGE_UNKNOWN, "libblkid not available");
                return;
        }
        assert_status(&u, STORVIRT__USAGE_FREE, "no signature");
        assert_string_equal(u.fs_type, "");
        assert_string_equal(u.pt_type, "");
        assert_false(u.is_pv);

        /* An empty file, and one smaller than a sector. */
        image("empty.img", 0, img, sizeof(img));
        u = probe(img);
        assert_status(&u, STORVIRT__USAGE_FREE, "no signature");
        image("tiny.img", 100, img, sizeof(img));
        u = probe(img);
        assert_status(&u, STORVIRT__USAGE_FREE, "no signature");
}

static void test_ext4(void **st) {
        struct storvirt__usage u;
        char img[128];

        (void) st;
        REQUIRE_TOOL("mkfs.ext4");
        image("ext4.img", 32 * MiB, img, sizeof(img));
        assert_int_equal(run("mkfs.ext4 -q -F -L data_lbl -U %s %s >/dev/null 2>&1", FS_UUID,
                             img), 0);
        u = probe(img);
        assert_status(&u, STORVIRT__USAGE_USED, "filesystem ext4");
        assert_string_equal(u.fs_type, "ext4");
        assert_string_equal(u.fs_uuid, FS_UUID);
        assert_string_equal(u.fs_label, "data_lbl");
        assert_string_equal(u.pt_type, "");
        assert_false(u.is_pv);
}

static void test_xfs(void **st) {
        struct storvirt__usage u;
        char img[128];

        (void) st;
        REQUIRE_TOOL("mkfs.xfs");
        image("xfs.img", 320 * MiB, img, sizeof(img));
        assert_int_equal(run("mkfs.xfs -q -f -L xlbl -m uuid=%s %s >/dev/null 2>&1", FS_UUID,
                             img), 0);
        u = probe(img);
        assert_status(&u, STORVIRT__USAGE_USED, "filesystem xfs");
        assert_string_equal(u.fs_uuid, FS_UUID);
        assert_string_equal(u.fs_label, "xlbl");
}

static void test_partition_tables(void **st) {
        struct storvirt__usage u;
        char img[128];

        (void) st;
        REQUIRE_TOOL("sfdisk");
        image("gpt.img", 32 * MiB, img, sizeof(img));
        assert_int_equal(run("printf 'label: gpt\\n,8M\\n,\\n' | sfdisk -q %s >/dev/null 2>&1",
                             img), 0);
        u = probe(img);
        assert_status(&u, STORVIRT__USAGE_USED, "partition table gpt");
        assert_string_equal(u.pt_type, "gpt");
        assert_string_equal(u.fs_type, "");

        /* The protective MBR wiped: the GPT headers still make it used. */
        assert_int_equal(run("dd if=/dev/zero of=%s bs=512 count=1 conv=notrunc status=none",
                             img), 0);
        u = probe(img);
        assert_status(&u, STORVIRT__USAGE_USED, "partition table gpt");

        /* An empty GPT, no partition at all: still a label. */
        image("gpt-empty.img", 32 * MiB, img, sizeof(img));
        assert_int_equal(run("printf 'label: gpt\\n' | sfdisk -q %s >/dev/null 2>&1", img), 0);
        u = probe(img);
        assert_status(&u, STORVIRT__USAGE_USED, "partition table gpt");

        image("dos.img", 32 * MiB, img, sizeof(img));
        assert_int_equal(run("printf 'label: dos\\n,,83\\n' | sfdisk -q %s >/dev/null 2>&1",
                             img), 0);
        u = probe(img);
        assert_status(&u, STORVIRT__USAGE_USED, "partition table dos");
        assert_string_equal(u.pt_type, "dos");
}

static void test_dos_by_hand(void **st) {
        /* One Linux partition from sector 2048 to the end of the 32 MiB image. */
        static const uint8_t entry[16] = { 0, 0, 2, 0, 0x83, 0xff, 0xff, 0xff,
                                           0x00, 0x08, 0, 0, 0x00, 0xf8, 0, 0 };
        struct storvirt__usage u;
        char img[128];
        int fd;

        (void) st;
        REQUIRE_BLKID();
        image("mbr.img", 32 * MiB, img, sizeof(img));
        fd = open(img, O_WRONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(pwrite(fd, entry, sizeof(entry), 446), (ssize_t) sizeof(entry));
        assert_int_equal(pwrite(fd, "\x55\xaa", 2, 510), 2);
        close(fd);
        u = probe(img);
        assert_status(&u, STORVIRT__USAGE_USED, "partition table dos");
}

static void test_lvm_pv(void **st) {
        struct storvirt__usage u;
        char img[128];

        (void) st;
        REQUIRE_BLKID();
        image("pv.img", 16 * MiB, img, sizeof(img));
        write_pv(img, PV_IN_VG);
        u = probe(img);
        assert_status(&u, STORVIRT__USAGE_USED, "LVM PV of VG vg_test (uuid " VG_UUID ")");
        assert_string_equal(u.fs_type, "LVM2_member");
        assert_string_equal(u.fs_uuid, PV_FMT);
        assert_true(u.is_pv);
        assert_true(u.pv.has_vg);
        assert_string_equal(u.pv.pv_uuid, PV_FMT);
        assert_string_equal(u.pv.vg_name, "vg_test");
        assert_string_equal(u.pv.vg_uuid, VG_UUID);
        assert_int_equal(u.pv.dev_size, 16 * MiB);

        /* pvcreate alone: an orphan PV is free, as pvcreate would accept it again. */
        image("orphan.img", 16 * MiB, img, sizeof(img));
        write_pv(img, PV_ORPHAN);
        u = probe(img);
        assert_status(&u, STORVIRT__USAGE_FREE, "orphan LVM PV " PV_FMT);
        assert_true(u.is_pv);
        assert_false(u.pv.has_vg);

        /* The metadata CRC does not match: neither free nor known used. */
        image("badcrc.img", 16 * MiB, img, sizeof(img));
        write_pv(img, PV_BAD_TEXT_CRC);
        u = probe(img);
        assert_status_has(&u, STORVIRT__USAGE_UNKNOWN, "LVM PV " PV_FMT " with unreadable "
                          "metadata: ");
        assert_status_has(&u, STORVIRT__USAGE_UNKNOWN, "metadata text at offset 4608: CRC");
        assert_true(u.is_pv);
        assert_string_equal(u.pv.pv_uuid, PV_FMT);

        /* No metadata area; the extension says a VG uses it. */
        image("noarea.img", 16 * MiB, img, sizeof(img));
        write_pv(img, PV_NO_AREAS_USED);
        u = probe(img);
        assert_status(&u, STORVIRT__USAGE_USED, "LVM PV " PV_FMT " of a VG whose metadata is "
                      "on other PVs");

        /* No metadata area and no extension (old lvm2): cannot be told. */
        image("old.img", 16 * MiB, img, sizeof(img));
        write_pv(img, PV_NO_AREAS_OLD);
        u = probe(img);
        assert_status_has(&u, STORVIRT__USAGE_UNKNOWN, "without metadata on it");
}

/* ---- errors and unopenable devices ------------------------------------------------------ */

static void test_errors(void **st) {
        struct storvirt__usage u = { .status = 42 };
        char path[128];
        int fds[2];

        (void) st;
        snprintf(path, sizeof(path), "%s/missing.img", base);
        assert_int_equal(storvirt__usage_probe_path(path, NULL, &u), -ENOENT);
        assert_non_null(strstr(storvirt__error_msg(), "missing.img"));
        assert_int_equal(storvirt__usage_probe_path(base, NULL, &u), -EINVAL);
        assert_non_null(strstr(storvirt__error_msg(), "neither a block device"));
        assert_int_equal(storvirt__usage_probe_path(NULL, NULL, &u), -EINVAL);
        assert_int_equal(storvirt__usage_probe_path(path, NULL, NULL), -EINVAL);
        assert_int_equal(storvirt__usage_probe_fd(-1, 0, 0, NULL, "x", &u), -EINVAL);
        assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
        assert_int_equal(storvirt__usage_probe_fd(fds[0], 0, 0, NULL, "pipe", &u), -EINVAL);
        close(fds[0]);
        close(fds[1]);
        assert_int_equal(u.status, 42); /* untouched */
}

static void test_permission_denied(void **st) {
        struct storvirt__usage u;
        char img[128];
        pid_t pid;
        int status, p[2];

        (void) st;
        image("private.img", MiB, img, sizeof(img));
        assert_int_equal(chmod(img, 0), 0);
        if (geteuid() != 0) {
                u = probe(img);
                assert_status(&u, STORVIRT__USAGE_UNKNOWN, "permission denied");
                return;
        }
        /* Root opens anything: probe as nobody in a child. */
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                int r = 1;

                if (setgid(65534) == 0 && setuid(65534) == 0 &&
                    storvirt__usage_probe_path(img, NULL, &u) == 0 &&
                    write(p[1], &u, sizeof(u)) == (ssize_t) sizeof(u))
                        r = 0;
                _exit(r);
        }
        close(p[1]);
        assert_int_equal(read(p[0], &u, sizeof(u)), (ssize_t) sizeof(u));
        close(p[0]);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        assert_status(&u, STORVIRT__USAGE_UNKNOWN, "permission denied");
}

/* ---- the kernel's view, from a fake sysroot ------------------------------------------------ */

static void fake_file(const char *root, const char *rel, const char *content) {
        char path[512];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", root, rel);
        assert_int_equal(run("mkdir -p \"$(dirname '%s')\"", path), 0);
        f = fopen(path, "we");
        assert_non_null(f);
        fputs(content, f);
        fclose(f);
}

static struct storvirt__usage probe_fake(const char *img, const char *root, dev_t devnum) {
        struct storvirt__usage u;
        int fd = open(img, O_RDONLY | O_CLOEXEC);

        assert_true(fd >= 0);
        storvirt__error_reset();
        if (storvirt__usage_probe_fd(fd, 0, devnum, root, img, &u) < 0)
                fail_msg("probing %s: %s", img, storvirt__error_msg());
        close(fd);
        return u;
}

/* What a blank device gives: free, or unknown without libblkid. */
static void assert_blank(const struct storvirt__usage *u) {
        if (storvirt__blkid_available())
                assert_status(u, STORVIRT__USAGE_FREE, "no signature");
        else
                assert_status(u, STORVIRT__USAGE_UNKNOWN, "libblkid not available");
}

/* Mounts and holders make a device used, with or without libblkid. */
static void test_fake_sysroot(void **st) {
        struct storvirt__usage u;
        char img[128], root[128], rel[128];

        (void) st;
        image("fake.img", 16 * MiB, img, sizeof(img));
        snprintf(root, sizeof(root), "%s/root", base);
        fake_file(root, "proc/self/mountinfo",
                  "22 1 253:0 / / rw,relatime shared:1 - ext4 /dev/mapper/root rw\n"
                  "garbage line\n"
                  "36 22 7:200 / /srv/my\\040pool rw,nosuid shared:5 - ext4 /dev/loop200 rw\n");
        fake_file(root, "sys/dev/block/7:200/holders/dm-4", "");
        fake_file(root, "sys/dev/block/7:200/holders/dm-3", "");
        u = probe_fake(img, root, makedev(7, 200));
        assert_status(&u, STORVIRT__USAGE_USED, "mounted on /srv/my pool; held by dm-3, dm-4");

        /* Held only; holders/ empty; no sysfs entry at all. */
        fake_file(root, "sys/dev/block/8:16/holders/dm-0", "");
        u = probe_fake(img, root, makedev(8, 16));
        assert_status(&u, STORVIRT__USAGE_USED, "held by dm-0");
        assert_int_equal(run("mkdir -p %s/sys/dev/block/8:32/holders", root), 0);
        u = probe_fake(img, root, makedev(8, 32));
        assert_blank(&u);
        u = probe_fake(img, root, makedev(8, 48));
        assert_blank(&u);

        /* Many holders: the first 8 by name, then a count. */
        for (int i = 0; i < 11; i++) {
                snprintf(rel, sizeof(rel), "sys/dev/block/8:64/holders/dm-%02d", i);
                fake_file(root, rel, "");
        }
        u = probe_fake(img, root, makedev(8, 64));
        assert_status(&u, STORVIRT__USAGE_USED, "held by dm-00, dm-01, dm-02, dm-03, dm-04, "
                      "dm-05, dm-06, dm-07 and 3 more");

        /* Content and kernel use together; a sysroot without mountinfo. */
        if (!storvirt__blkid_available())
                return;
        write_pv(img, PV_IN_VG);
        u = probe_fake(img, root, makedev(8, 16));
        assert_status(&u, STORVIRT__USAGE_USED, "LVM PV of VG vg_test (uuid " VG_UUID "); "
                      "held by dm-0");
        assert_int_equal(run("rm -rf %s/proc", root), 0);
        u = probe_fake(img, root, makedev(7, 200));
        assert_status(&u, STORVIRT__USAGE_USED, "LVM PV of VG vg_test (uuid " VG_UUID "); "
                      "held by dm-3, dm-4");
}

/* ---- loop devices and a real mount ---------------------------------------------------------- */

static void test_loop_devices(void **st) {
        storvirt__loop loop = STORVIRT__LOOP_INIT;
        struct storvirt__usage u;
        char img[128], mnt[128], want[256];

        (void) st;
        REQUIRE_TOOL("mkfs.ext4");
        if (!can_loop()) {
                print_message("needs root and /dev/loop-control\n");
                skip();
        }
        /* Blank. */
        image("loop-blank.img", 16 * MiB, img, sizeof(img));
        assert_int_equal(storvirt__loop_attach(img, true, &loop), 0);
        u = probe(loop.path);
        assert_status(&u, STORVIRT__USAGE_FREE, "no signature");
        storvirt__loop_detach(&loop);

        /* An LVM PV through the block device. */
        image("loop-pv.img", 16 * MiB, img, sizeof(img));
        write_pv(img, PV_IN_VG);
        assert_int_equal(storvirt__loop_attach(img, true, &loop), 0);
        u = probe(loop.path);
        assert_status(&u, STORVIRT__USAGE_USED, "LVM PV of VG vg_test (uuid " VG_UUID ")");
        storvirt__loop_detach(&loop);

        /* ext4, then mounted. */
        image("loop-ext4.img", 32 * MiB, img, sizeof(img));
        assert_int_equal(run("mkfs.ext4 -q -F %s >/dev/null 2>&1", img), 0);
        assert_int_equal(storvirt__loop_attach(img, false, &loop), 0);
        u = probe(loop.path);
        assert_status(&u, STORVIRT__USAGE_USED, "filesystem ext4");
        snprintf(mnt, sizeof(mnt), "%s/mnt", base);
        assert_int_equal(mkdir(mnt, 0700), 0);
        if (mount(loop.path, mnt, "ext4", MS_NODEV | MS_NOSUID | MS_NOEXEC, NULL) < 0)
                fail_msg("mount %s: %s", loop.path, strerror(errno));
        u = probe(loop.path);
        snprintf(want, sizeof(want), "filesystem ext4; mounted on %s", mnt);
        assert_status(&u, STORVIRT__USAGE_USED, want);
        assert_int_equal(umount2(mnt, 0), 0);
        u = probe(loop.path);
        assert_status(&u, STORVIRT__USAGE_USED, "filesystem ext4");
        storvirt__loop_detach(&loop);
}

static void test_without_blkid(void **st) {
        struct storvirt__usage u;
        char img[128];

        (void) st;
        if (storvirt__blkid_available())
                skip();
        image("noblkid.img", MiB, img, sizeof(img));
        u = probe(img);
        assert_status(&u, STORVIRT__USAGE_UNKNOWN, "libblkid not available");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_blank),
                cmocka_unit_test(test_ext4),
                cmocka_unit_test(test_xfs),
                cmocka_unit_test(test_partition_tables),
                cmocka_unit_test(test_dos_by_hand),
                cmocka_unit_test(test_lvm_pv),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_permission_denied),
                cmocka_unit_test(test_fake_sysroot),
                cmocka_unit_test(test_loop_devices),
                cmocka_unit_test(test_without_blkid),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
