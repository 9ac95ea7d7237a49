/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-lvm-label.c - the native LVM2 PV reader on image files that
 * this test lays out itself from the on-disk format (label sector with
 * its CRC, pv_header, metadata area header, metadata text): a PV of VG
 * "vg_test", the label in each of the first 4 sectors, orphans (empty
 * area, text without a VG, no areas), ignored areas, two areas with a
 * damaged first one, text wrapped around the end of the area, then
 * every structure damaged in turn (CRCs, magic, version, offsets,
 * sizes, truncated files, short devices) for the exact error; the text
 * parser alone (escapes, comments, arrays, nesting, ids elsewhere).
 *
 * libblkid (when built with it) must see the images as LVM2_member
 * with the same PV UUID: it checks the label CRC with its own code.
 *
 * The test writes the PV itself rather than running pvcreate: the
 * lvm2 tools are not a build dependency and their activation side
 * needs device-mapper, which the kernels of these machines lack.
 * When pvcreate and vgcreate are installed (root, loop devices), a
 * last test also checks the reader against PVs they made.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys/blkid_probe.h"
#include "sys/command.h"
#include "sys/lvm_label.h"
#include "sys/mount.h"
#include "util/error.h"
#include "util/macro.h"

#define KiB 1024ull
#define MiB (1024ull * 1024)
#define IMG_SIZE (8 * MiB)
#define MDA_OFF (4 * KiB)
#define MDA_SIZE (MiB - 4 * KiB)

#define PV_RAW "Ab3dEfGh1JkLmN0pQrStUvWxYz!#0123"
#define PV_FMT "Ab3dEf-Gh1J-kLmN-0pQr-StUv-WxYz-!#0123"
#define PV2_RAW "zzzzzzyyyyxxxxwwwwvvvvuuuutttttt"
#define PV2_FMT "zzzzzz-yyyy-xxxx-wwww-vvvv-uuuu-tttttt"
#define VG_UUID "Qw3rTy-uI0p-AsDf-GhJk-L9zx-CvBn-M1234a"

static char base[64];

/* ---- lvm2's CRC, written here the table-driven way --------------------------- */

static uint32_t crc_table[256];

static void crc_table_init(void) {
        for (uint32_t i = 0; i < 256; i++) {
                uint32_t c = i;

                for (int k = 0; k < 8; k++)
                        c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
                crc_table[i] = c;
        }
}

static uint32_t ref_crc(uint32_t crc, const void *buf, size_t len) {
        const uint8_t *p = buf;

        while (len--)
                crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
        return crc;
}

/* ---- the image writer ---------------------------------------------------------- */

static void put_le32(uint8_t *p, uint32_t v) {
        for (int i = 0; i < 4; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}

static void put_le64(uint8_t *p, uint64_t v) {
        for (int i = 0; i < 8; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}

struct area {
        uint64_t off, size;      /* on the device */
        uint64_t text_off;       /* in the area; 0: no metadata */
        const char *text;        /* NUL-terminated; its NUL is part of the size */
        uint32_t flags;          /* raw_locn flags (1: ignored) */
        bool no_nul;             /* the size leaves the NUL out */
};

struct layout {
        const char *pv_raw;      /* 32 characters */
        unsigned sector;         /* of the label, 0..3 (lvm2 uses 1) */
        uint64_t dev_size;       /* recorded in the pv_header */
        unsigned n_areas;
        struct area areas[2];
        uint32_t ext_version, ext_flags;
};

/* A layout as pvcreate + vgcreate make it: label in sector 1, one area at 4 KiB. */
static struct layout std_layout(const char *text) {
        return (struct layout) {
                .pv_raw = PV_RAW, .sector = 1, .dev_size = IMG_SIZE, .n_areas = 1,
                .areas[0] = { .off = MDA_OFF, .size = MDA_SIZE, .text_off = text ? 512 : 0,
                              .text = text },
                .ext_version = 2, .ext_flags = text ? 1 : 0,
        };
}

static void pwrite_all(int fd, const void *b, size_t len, uint64_t off) {
        assert_int_equal(pwrite(fd, b, len, (off_t) off), (ssize_t) len);
}

static void write_label(int fd, const struct layout *l) {
        uint8_t s[512] = {};
        size_t pos = 32;

        memcpy(s, "LABELONE", 8);
        put_le64(s + 8, l->sector);
        put_le32(s + 20, 32);
        memcpy(s + 24, "LVM2 001", 8);
        memcpy(s + pos, l->pv_raw, 32);
        put_le64(s + pos + 32, l->dev_size);
        pos += 40;
        put_le64(s + pos, 1 * MiB);               /* one data area from 1 MiB to the end */
        pos += 32;                                /* ...and the list's terminator */
        for (unsigned i = 0; i < l->n_areas; i++, pos += 16) {
                put_le64(s + pos, l->areas[i].off);
                put_le64(s + pos + 8, l->areas[i].size);
        }
        pos += 16;                                /* terminator of the metadata areas */
        put_le32(s + pos, l->ext_version);
        put_le32(s + pos + 4, l->ext_flags);      /* no bootloader areas: zeros follow */
        put_le32(s + 16, ref_crc(STORVIRT__LVM_CRC_INITIAL, s + 20, 492));
        pwrite_all(fd, s, sizeof(s), l->sector * 512ull);
}

/* The area header and the text, wrapped after the header when it runs past the end. */
static void write_area(int fd, const struct area *a) {
        size_t len = a->text ? strlen(a->text) + !a->no_nul : 0;
        uint8_t h[512] = {};

        put_le32(h + 0, 0);
        memcpy(h + 4, " LVM2 x[5A%r0N*>", 16);
        put_le32(h + 20, 1);
        put_le64(h + 24, a->off);
        put_le64(h + 32, a->size);
        if (a->text_off) {
                size_t first = a->text_off + len > a->size ? a->size - a->text_off : len;

                put_le64(h + 40, a->text_off);
                put_le64(h + 48, len);
                put_le32(h + 56, ref_crc(STORVIRT__LVM_CRC_INITIAL, a->text, len));
                pwrite_all(fd, a->text, first, a->off + a->text_off);
                if (first < len)
                        pwrite_all(fd, a->text + first, len - first, a->off + 512);
        }
        put_le32(h + 60, a->flags);
        put_le32(h, ref_crc(STORVIRT__LVM_CRC_INITIAL, h + 4, 508));
        pwrite_all(fd, h, sizeof(h), a->off);
}

/* A new sparse image file of IMG_SIZE bytes carrying l; returns its path. */
static const char *write_pv(const char *name, const struct layout *l) {
        static char path[128];
        int fd;

        snprintf(path, sizeof(path), "%s/%s", base, name);
        fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(ftruncate(fd, (off_t) IMG_SIZE), 0);
        write_label(fd, l);
        for (unsigned i = 0; i < l->n_areas; i++)
                write_area(fd, &l->areas[i]);
        close(fd);
        return path;
}

/* Overwrite len bytes at off in path. */
static void poke(const char *path, uint64_t off, const void *b, size_t len) {
        int fd = open(path, O_WRONLY | O_CLOEXEC);

        assert_true(fd >= 0);
        pwrite_all(fd, b, len, off);
        close(fd);
}

/*
 * A VG's metadata text in lvm2's style: the VG with two PVs (this one
 * second), an LV whose id and tags must not be mistaken for the VG's,
 * then the top-level values.  extra goes inside the VG section.
 */
static char *vg_text(const char *vg, const char *vg_uuid, const char *pv_fmt, const char *extra) {
        char *t = NULL;

        assert_true(asprintf(&t,
                "%s {\n"
                "id = \"%s\"\n"
                "seqno = 3\n"
                "format = \"lvm2\" # informational\n"
                "status = [\"RESIZEABLE\", \"READ\", \"WRITE\"]\n"
                "flags = []\n"
                "tags = [\"owner=ovirt\", 'single quoted', \"quote \\\" and backslash \\\\\"]\n"
                "extent_size = 8192\n"
                "max_lv = 0\nmax_pv = 0\nmetadata_copies = 0\n%s\n"
                "physical_volumes {\n\n"
                "pv0 {\nid = \"" PV2_FMT "\"\ndevice = \"/dev/sdb\"\n\n"
                "status = [\"ALLOCATABLE\"]\nflags = []\ndev_size = 16384\n"
                "pe_start = 2048\npe_count = 1\n}\n\n"
                "pv1 {\nid = \"%s\"\ndevice = \"/dev/sdc\" # a comment { with braces [\n\n"
                "status = [\"ALLOCATABLE\"]\nflags = []\ndev_size = 16384\n"
                "pe_start = 2048\npe_count = 1\n}\n}\n\n"
                "logical_volumes {\n\nlv0 {\nid = \"aaaaaa-bbbb-cccc-dddd-eeee-ffff-gggggg\"\n"
                "status = [\"READ\", \"WRITE\", \"VISIBLE\"]\nflags = []\n"
                "creation_time = 1700000000\nsegment_count = 1\n\n"
                "segment1 {\nstart_extent = 0\nextent_count = 1\n\ntype = \"striped\"\n"
                "stripe_count = 1\n\nstripes = [\n\"pv0\", 0\n]\n}\n}\n}\n\n}\n"
                "# Generated by hand for this test\n\n"
                "contents = \"Text Format Volume Group\"\nversion = 1\n\n"
                "description = \"vgcreate \\\"%s\\\"\"\n\n"
                "creation_host = \"host\"\t# Linux host\n"
                "creation_time = 1700000000\t# a date\n",
                vg, vg_uuid, extra ? extra : "", pv_fmt, vg) > 0);
        return t;
}

/* ---- reading ------------------------------------------------------------------- */

static int read_pv_size(const char *path, uint64_t size, struct storvirt__lvm_pv *pv) {
        int fd = open(path, O_RDONLY | O_CLOEXEC), r;

        assert_true(fd >= 0);
        storvirt__error_reset();
        r = storvirt__lvm_pv_read(fd, size, path, pv);
        close(fd);
        return r;
}

/* With the size of the file, or of the block device. */
static int read_pv(const char *path, struct storvirt__lvm_pv *pv) {
        uint64_t size;
        struct stat st;
        int fd = open(path, O_RDONLY | O_CLOEXEC);

        assert_true(fd >= 0);
        assert_int_equal(fstat(fd, &st), 0);
        size = (uint64_t) st.st_size;
        if (S_ISBLK(st.st_mode))
                assert_int_equal(ioctl(fd, BLKGETSIZE64, &size), 0);
        close(fd);
        return read_pv_size(path, size, pv);
}

static void expect_error(int r, int err, const char *needle) {
        if (r != err)
                fail_msg("expected %d, got %d: %s", err, r, storvirt__error_msg());
        if (needle && !strstr(storvirt__error_msg(), needle))
                fail_msg("message '%s' lacks '%s'", storvirt__error_msg(), needle);
}

static void expect_read_error(const char *path, int err, const char *needle) {
        struct storvirt__lvm_pv pv = { .pv_uuid = "untouched" };

        expect_error(read_pv(path, &pv), err, needle);
        assert_string_equal(pv.pv_uuid, "untouched");
        if (err != -ENOENT)
                assert_non_null(strstr(storvirt__error_msg(), path));
}

static void assert_vg_test(const struct storvirt__lvm_pv *pv) {
        assert_string_equal(pv->pv_uuid, PV_FMT);
        assert_true(pv->has_vg);
        assert_true(pv->has_mda);
        assert_string_equal(pv->vg_name, "vg_test");
        assert_string_equal(pv->vg_uuid, VG_UUID);
}

/* libblkid agrees: LVM2_member with this PV UUID (its own CRC check passed). */
static void assert_blkid_pv(const char *path, const char *pv_fmt) {
        storvirt__blkid_info info;

        if (!storvirt__blkid_available())
                return;
        assert_int_equal(storvirt__blkid_probe_path(path, &info), 1);
        assert_string_equal(info.type, "LVM2_member");
        assert_string_equal(info.uuid, pv_fmt);
}

/* ---- fixtures ---------------------------------------------------------------- */

static int setup(void **st) {
        (void) st;
        crc_table_init();
        snprintf(base, sizeof(base), "/tmp/storvirt-lvm.XXXXXX");
        return mkdtemp(base) ? 0 : -1;
}

static int teardown(void **st) {
        char cmd[128];

        (void) st;
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
        return system(cmd) == 0 ? 0 : -1;
}

/* ---- tests ------------------------------------------------------------------------ */

static void test_crc(void **st) {
        static const char check[] = "123456789";
        uint8_t buf[1000];

        (void) st;
        /* With the standard CRC-32's initial value and final inversion: its check value. */
        assert_int_equal(storvirt__lvm_crc(0xffffffffu, check, 9) ^ 0xffffffffu, 0xcbf43926u);
        for (size_t i = 0; i < sizeof(buf); i++)
                buf[i] = (uint8_t) (i * 7 + 3);
        assert_int_equal(storvirt__lvm_crc(STORVIRT__LVM_CRC_INITIAL, buf, sizeof(buf)),
                         ref_crc(STORVIRT__LVM_CRC_INITIAL, buf, sizeof(buf)));
        /* Chaining, as for wrapped text. */
        assert_int_equal(storvirt__lvm_crc(storvirt__lvm_crc(STORVIRT__LVM_CRC_INITIAL, buf, 300),
                                           buf + 300, 700),
                         storvirt__lvm_crc(STORVIRT__LVM_CRC_INITIAL, buf, sizeof(buf)));
        assert_int_equal(storvirt__lvm_crc(STORVIRT__LVM_CRC_INITIAL, buf, 0),
                         STORVIRT__LVM_CRC_INITIAL);
}

static void test_vg_member(void **st) {
        _cleanup_free_ char *text = vg_text("vg_test", VG_UUID, PV_FMT, NULL);
        struct layout l = std_layout(text);
        struct storvirt__lvm_pv pv;
        const char *path = write_pv("vg.img", &l);

        (void) st;
        assert_int_equal(read_pv(path, &pv), 0);
        assert_vg_test(&pv);
        assert_int_equal(pv.dev_size, IMG_SIZE);
        assert_int_equal(pv.n_mdas, 1);
        assert_int_equal(pv.ext_version, 2);
        assert_true(pv.ext_used);
        assert_blkid_pv(path, PV_FMT);
}

static void test_label_sectors(void **st) {
        _cleanup_free_ char *text = vg_text("vg_test", VG_UUID, PV_FMT, NULL);
        struct storvirt__lvm_pv pv;

        (void) st;
        for (unsigned s = 0; s < 4; s++) {
                struct layout l = std_layout(text);
                char name[32];
                const char *path;

                l.sector = s;
                snprintf(name, sizeof(name), "sector%u.img", s);
                path = write_pv(name, &l);
                assert_int_equal(read_pv(path, &pv), 0);
                assert_vg_test(&pv);
                assert_blkid_pv(path, PV_FMT);
        }
}

static void test_orphans(void **st) {
        struct layout l = std_layout(NULL);
        struct storvirt__lvm_pv pv;
        const char *path;

        (void) st;
        /* pvcreate: an area without metadata. */
        path = write_pv("orphan.img", &l);
        assert_int_equal(read_pv(path, &pv), 0);
        assert_string_equal(pv.pv_uuid, PV_FMT);
        assert_false(pv.has_vg);
        assert_true(pv.has_mda);
        assert_false(pv.ext_used);
        assert_string_equal(pv.vg_name, "");
        assert_string_equal(pv.vg_uuid, "");
        assert_blkid_pv(path, PV_FMT);

        /* Metadata text with top-level values only: no VG either. */
        l = std_layout("contents = \"Text Format Volume Group\"\nversion = 1\n");
        path = write_pv("orphan-text.img", &l);
        assert_int_equal(read_pv(path, &pv), 0);
        assert_false(pv.has_vg);
        assert_true(pv.has_mda);

        /* pvcreate --metadatacopies 0, then in a VG: only the extension flag tells. */
        l = std_layout(NULL);
        l.n_areas = 0;
        l.ext_flags = STORVIRT__LVM_PV_EXT_USED;
        path = write_pv("no-areas.img", &l);
        assert_int_equal(read_pv(path, &pv), 0);
        assert_false(pv.has_vg);
        assert_false(pv.has_mda);
        assert_true(pv.ext_used);
        assert_int_equal(pv.n_mdas, 0);

        /* An old label without the extension. */
        l.ext_version = 0;
        l.ext_flags = 0;
        path = write_pv("no-ext.img", &l);
        assert_int_equal(read_pv(path, &pv), 0);
        assert_int_equal(pv.ext_version, 0);
        assert_false(pv.ext_used);
}

static void test_ignored_and_two_areas(void **st) {
        _cleanup_free_ char *text = vg_text("vg_test", VG_UUID, PV_FMT, NULL);
        struct layout l = std_layout(text);
        struct storvirt__lvm_pv pv;
        const char *path;

        (void) st;
        /* pvchange --metadataignore y: the stale text there is not used. */
        l.areas[0].flags = 1;
        path = write_pv("ignored.img", &l);
        assert_int_equal(read_pv(path, &pv), 0);
        assert_false(pv.has_vg);
        assert_false(pv.has_mda);
        assert_true(pv.ext_used);

        /* Two areas (the second at the end of the device): the first damaged. */
        l = std_layout(text);
        l.n_areas = 2;
        l.areas[1] = (struct area) { .off = IMG_SIZE - MiB, .size = MiB, .text_off = 8192,
                                     .text = text };
        path = write_pv("two.img", &l);
        assert_int_equal(read_pv(path, &pv), 0);
        assert_vg_test(&pv);
        assert_int_equal(pv.n_mdas, 2);
        poke(path, MDA_OFF + 100, "X", 1); /* the first header's CRC fails now */
        assert_int_equal(read_pv(path, &pv), 0);
        assert_vg_test(&pv);
        /* Both damaged: the first error is told. */
        poke(path, IMG_SIZE - MiB + 100, "X", 1);
        expect_read_error(path, -EINVAL, "metadata area header at offset 4096: CRC");
}

static void test_wrapped(void **st) {
        _cleanup_free_ char *text = vg_text("vg_test", VG_UUID, PV_FMT, NULL);
        size_t len = strlen(text) + 1;
        struct layout l = std_layout(text);
        struct storvirt__lvm_pv pv;
        const char *path;

        (void) st;
        /* The text starts 100 bytes before the end of the area. */
        l.areas[0].text_off = MDA_SIZE - 100;
        path = write_pv("wrapped.img", &l);
        assert_int_equal(read_pv(path, &pv), 0);
        assert_vg_test(&pv);

        /* Exactly up to the end: no wrap. */
        l.areas[0].text_off = MDA_SIZE - len;
        path = write_pv("to-the-end.img", &l);
        assert_int_equal(read_pv(path, &pv), 0);
        assert_vg_test(&pv);

        /* One byte wrapped. */
        l.areas[0].text_off = MDA_SIZE - len + 1;
        path = write_pv("one-byte.img", &l);
        assert_int_equal(read_pv(path, &pv), 0);
        assert_vg_test(&pv);

        /* A size without the NUL: every byte of the wrapped part counts. */
        l.areas[0].text_off = MDA_SIZE - 100;
        l.areas[0].no_nul = true;
        path = write_pv("wrapped-no-nul.img", &l);
        assert_int_equal(read_pv(path, &pv), 0);
        assert_vg_test(&pv);
        l.areas[0].no_nul = false;

        /* Wrapped into the smallest area that holds it: the parts meet. */
        l.areas[0].size = 512 + len;
        l.areas[0].text_off = 512 + 20;
        path = write_pv("full-area.img", &l);
        assert_int_equal(read_pv(path, &pv), 0);
        assert_vg_test(&pv);
}

static void test_text_crc(void **st) {
        _cleanup_free_ char *text = vg_text("vg_test", VG_UUID, PV_FMT, NULL);
        struct layout l = std_layout(text);
        const char *path = write_pv("text-crc.img", &l);
        char msg[128];

        (void) st;
        poke(path, MDA_OFF + 512 + 3, "X", 1);
        snprintf(msg, sizeof(msg), "metadata text at offset %llu: CRC",
                 (unsigned long long) (MDA_OFF + 512));
        expect_read_error(path, -EINVAL, msg);
        expect_read_error(path, -EINVAL, "does not match");
        /* libblkid only checks the label: still an LVM2_member. */
        assert_blkid_pv(path, PV_FMT);
}

static void test_label_damage(void **st) {
        _cleanup_free_ char *text = vg_text("vg_test", VG_UUID, PV_FMT, NULL);
        struct layout l = std_layout(text);
        uint8_t b[8];
        const char *path;

        (void) st;
        path = write_pv("label-crc.img", &l);
        poke(path, 512 + 300, "\1", 1);
        expect_read_error(path, -EINVAL, "LVM label at offset 512: CRC");

        path = write_pv("label-sector.img", &l);
        put_le64(b, 2);
        poke(path, 512 + 8, b, 8);
        expect_read_error(path, -EINVAL, "sector number 2 is not 1");

        /* Another label type: not an LVM2 PV. */
        path = write_pv("label-type.img", &l);
        poke(path, 512 + 24, "LVM1 001", 8);
        expect_read_error(path, -ENOENT, NULL);

        /* No label at all: an empty image, and a tiny one. */
        path = write_pv("blank.img", &l);
        poke(path, 512, "\0\0\0\0\0\0\0\0", 8);
        expect_read_error(path, -ENOENT, NULL);
}

/* The label sector patched at off (pv_header fields), CRC made right again. */
static const char *label_patched(const char *name, uint32_t off, const void *b, size_t len) {
        _cleanup_free_ char *text = vg_text("vg_test", VG_UUID, PV_FMT, NULL);
        struct layout l = std_layout(text);
        const char *path = write_pv(name, &l);
        uint8_t s[512];
        int fd = open(path, O_RDWR | O_CLOEXEC);

        assert_true(fd >= 0);
        assert_int_equal(pread(fd, s, 512, 512), 512);
        memcpy(s + off, b, len);
        put_le32(s + 16, ref_crc(STORVIRT__LVM_CRC_INITIAL, s + 20, 492));
        pwrite_all(fd, s, 512, 512);
        close(fd);
        return path;
}

/* The label sector with only a pv_header of len bytes at off (and the CRC). */
static const char *label_rewritten(const char *name, uint32_t off, const uint8_t *pvh,
                                   size_t len) {
        uint8_t s[512 - 20] = {};

        put_le32(s, off);
        memcpy(s + 4, "LVM2 001", 8);
        memcpy(s + off - 20, pvh, len);
        return label_patched(name, 20, s, sizeof(s));
}

static void test_pv_header_damage(void **st) {
        uint8_t b[16], big[512 - 72];
        const char *path;

        (void) st;
        put_le32(b, 500);
        path = label_patched("pvh-offset.img", 20, b, 4);
        expect_read_error(path, -EINVAL, "pv_header offset 500 out of range 32..472");
        put_le32(b, 8);
        path = label_patched("pvh-offset-low.img", 20, b, 4);
        expect_read_error(path, -EINVAL, "pv_header offset 8");

        path = label_patched("pvh-uuid.img", 32 + 5, "\x01", 1);
        expect_read_error(path, -EINVAL, "pv_header at offset 544: the PV UUID");

        /* Lists that never end. */
        memset(big, 0x11, sizeof(big));
        path = label_patched("pvh-lists.img", 72, big, sizeof(big));
        expect_read_error(path, -EINVAL, "data areas list runs past the end of the label");
        /* A pv_header at the highest offset, its lists cut by the end of the sector. */
        path = label_rewritten("pvh-at-472.img", 472, (const uint8_t *) PV_RAW, 32);
        expect_read_error(path, -EINVAL, "pv_header at offset 984: the data areas list runs");
        memset(big, 0, sizeof(big));
        memcpy(big, PV_RAW, 32);
        put_le64(big + 56, MDA_OFF);
        put_le64(big + 64, MDA_SIZE);
        path = label_rewritten("pvh-at-440.img", 440, big, 72);
        expect_read_error(path, -EINVAL, "pv_header at offset 952: the metadata areas list runs");
        /* Nine metadata areas: more than any lvm2 writes. */
        memset(big, 0, sizeof(big));
        for (int i = 0; i < 9; i++) {
                put_le64(big + 16 * i, MDA_OFF);
                put_le64(big + 16 * i + 8, MDA_SIZE);
        }
        path = label_patched("pvh-nine.img", 104, big, 16 * 10);
        expect_read_error(path, -EINVAL, "more than 8 metadata areas");

        /* An area past the end of the device, or smaller than its header. */
        put_le64(b, IMG_SIZE - 4096);
        put_le64(b + 8, MiB);
        path = label_patched("pvh-area-end.img", 104, b, 16);
        expect_read_error(path, -EINVAL, "metadata area 1: offset 8384512 size 1048576 is not "
                                         "within the device (8388608 bytes)");
        put_le64(b, MDA_OFF);
        put_le64(b + 8, 100);
        path = label_patched("pvh-area-small.img", 104, b, 16);
        expect_read_error(path, -EINVAL, "metadata area 1: offset 4096 size 100");
}

/* The area header patched at off, its CRC made right again. */
static const char *area_patched(const char *name, uint32_t off, const void *b, size_t len) {
        _cleanup_free_ char *text = vg_text("vg_test", VG_UUID, PV_FMT, NULL);
        struct layout l = std_layout(text);
        const char *path = write_pv(name, &l);
        uint8_t h[512];
        int fd = open(path, O_RDWR | O_CLOEXEC);

        assert_true(fd >= 0);
        assert_int_equal(pread(fd, h, 512, MDA_OFF), 512);
        memcpy(h + off, b, len);
        put_le32(h, ref_crc(STORVIRT__LVM_CRC_INITIAL, h + 4, 508));
        pwrite_all(fd, h, 512, MDA_OFF);
        close(fd);
        return path;
}

static void test_area_damage(void **st) {
        uint8_t b[8];
        const char *path;

        (void) st;
        path = write_pv("mda-crc.img", &(struct layout) { .pv_raw = PV_RAW, .sector = 1,
                                                  .dev_size = IMG_SIZE, .n_areas = 1,
                                                  .areas[0] = { MDA_OFF, MDA_SIZE, 0, NULL, 0 },
                                                  .ext_version = 2 });
        poke(path, MDA_OFF + 300, "X", 1);
        expect_read_error(path, -EINVAL, "metadata area header at offset 4096: CRC 0x");
        path = area_patched("mda-magic.img", 4, "x", 1);
        expect_read_error(path, -EINVAL, "metadata area header at offset 4096: bad magic");
        put_le32(b, 2);
        path = area_patched("mda-version.img", 20, b, 4);
        expect_read_error(path, -EINVAL, "version 2 is not 1");
        put_le64(b, 8192);
        path = area_patched("mda-start.img", 24, b, 8);
        expect_read_error(path, -EINVAL, "start 8192 size 1044480 do not describe");
        put_le64(b, 100 * MiB);
        path = area_patched("mda-size.img", 32, b, 8);
        expect_read_error(path, -EINVAL, "do not describe an area");
        /* Text offsets and sizes out of the area. */
        put_le64(b, 100);
        path = area_patched("text-in-header.img", 40, b, 8);
        expect_read_error(path, -EINVAL, "text offset 100 size");
        put_le64(b, MDA_SIZE);
        path = area_patched("text-off-end.img", 40, b, 8);
        expect_read_error(path, -EINVAL, "text offset 1044480");
        put_le64(b, MDA_SIZE);
        path = area_patched("text-size.img", 48, b, 8);
        expect_read_error(path, -EINVAL, "size 1044480 out of the area");
        put_le64(b, 0);
        path = area_patched("text-empty.img", 48, b, 8);
        expect_read_error(path, -EINVAL, "size 0 out of the area");
}

static void test_text_cap(void **st) {
        struct layout l = std_layout(NULL);
        uint8_t b[8];
        const char *path;

        (void) st;
        /* An area of 4 MiB whose text claims 2 MiB: refused before any allocation. */
        l.areas[0].size = 4 * MiB;
        path = write_pv("cap.img", &l);
        {
                uint8_t h[512];
                int fd = open(path, O_RDWR | O_CLOEXEC);

                assert_true(fd >= 0);
                assert_int_equal(pread(fd, h, 512, MDA_OFF), 512);
                put_le64(b, 512);
                memcpy(h + 40, b, 8);
                put_le64(b, 2 * MiB);
                memcpy(h + 48, b, 8);
                put_le32(h, ref_crc(STORVIRT__LVM_CRC_INITIAL, h + 4, 508));
                pwrite_all(fd, h, 512, MDA_OFF);
                close(fd);
        }
        expect_read_error(path, -EINVAL, "2097152 bytes, more than the 1048576 read");
}

static void test_truncated(void **st) {
        _cleanup_free_ char *text = vg_text("vg_test", VG_UUID, PV_FMT, NULL);
        struct layout l = std_layout(text);
        const char *path = write_pv("full.img", &l);
        const uint64_t text_end = MDA_OFF + 512 + strlen(text) + 1;
        const uint64_t sizes[] = { 0, 100, 511, 512, 1023, 1024, 2048, 4096, 4607, 4608,
                                   4609, text_end - 1 };
        struct storvirt__lvm_pv pv;
        char cmd[256];

        (void) st;
        for (size_t i = 0; i < ELEMENTSOF(sizes); i++) {
                char name[32], p[128];
                int r;

                snprintf(name, sizeof(name), "trunc%zu.img", i);
                snprintf(p, sizeof(p), "%s/%s", base, name);
                snprintf(cmd, sizeof(cmd), "head -c %" PRIu64 " '%s' > '%s'", sizes[i], path, p);
                assert_int_equal(system(cmd), 0);
                r = read_pv(p, &pv);
                if (sizes[i] < 1024)
                        expect_error(r, -ENOENT, NULL);
                else
                        expect_error(r, -EINVAL, "is not within the device");
                /* Told the full size: the reads come up short. */
                r = read_pv_size(p, IMG_SIZE, &pv);
                expect_error(r, -EIO, "end of data");
        }
}

/* ---- the text parser alone ----------------------------------------------------- */

static int parse(const char *text, struct storvirt__lvm_pv *pv) {
        *pv = (struct storvirt__lvm_pv) { .pv_uuid = PV_FMT };
        storvirt__error_reset();
        return storvirt__lvm_metadata_parse(text, strlen(text) + 1, "t", pv);
}

static void parse_fails(const char *text, const char *needle) {
        struct storvirt__lvm_pv pv;

        expect_error(parse(text, &pv), -EINVAL, needle);
        assert_false(pv.has_vg);
        assert_string_equal(pv.vg_name, "");
}

static void test_parser(void **st) {
        _cleanup_free_ char *text = vg_text("vg_test", VG_UUID, PV_FMT, NULL);
        _cleanup_free_ char *other = vg_text("vg_test", VG_UUID, PV2_FMT, NULL);
        static const char nul_text[] = "vg_a { id = \"" VG_UUID "\" physical_volumes { pv0 { "
                                       "id = \"" PV_FMT "\" } } }\0 garbage {{{ \"";
        _cleanup_free_ char *deep = NULL;
        struct storvirt__lvm_pv pv;
        size_t n = 0;

        (void) st;
        assert_int_equal(parse(text, &pv), 0);
        assert_true(pv.has_vg);
        assert_string_equal(pv.vg_name, "vg_test");
        assert_string_equal(pv.vg_uuid, VG_UUID);
        /* The other PV of the VG matches too. */
        pv = (struct storvirt__lvm_pv) { .pv_uuid = PV2_FMT };
        assert_int_equal(storvirt__lvm_metadata_parse(other, strlen(other), "t", &pv), 0);
        assert_true(pv.has_vg);

        /* Quoted section names, ids without dashes, and the text stopping at a NUL. */
        assert_int_equal(parse("\"vg-2.x+y\" { id = \"Qw3rTyuI0pAsDfGhJkL9zxCvBnM1234a\"\n"
                               "physical_volumes { pv0 { id = \"" PV_FMT "\" } } }\n", &pv), 0);
        assert_string_equal(pv.vg_name, "vg-2.x+y");
        assert_string_equal(pv.vg_uuid, VG_UUID);
        assert_int_equal(storvirt__lvm_metadata_parse(nul_text, sizeof(nul_text), "t", &pv), 0);
        assert_string_equal(pv.vg_name, "vg_a");

        /* The first top-level section is the VG; ids elsewhere do not count. */
        assert_int_equal(parse("version = 1\nvg_b {\nid = \"" VG_UUID "\"\n"
                               "logical_volumes { lv0 { id = \"" PV_FMT "\" } }\n"
                               "physical_volumes { pv0 { id = \"" PV_FMT "\" } } }\n"
                               "other { id = \"zzzzzz-zzzz-zzzz-zzzz-zzzz-zzzz-zzzzzz\" }\n",
                               &pv), 0);
        assert_string_equal(pv.vg_name, "vg_b");
        assert_string_equal(pv.vg_uuid, VG_UUID);
        parse_fails("vg_c {\nid = \"" VG_UUID "\"\n"
                    "logical_volumes { lv0 { id = \"" PV_FMT "\" } }\n"
                    "physical_volumes { pv0 { id = \"" PV2_FMT "\" } } }\n",
                    "VG 'vg_c' does not list this PV (" PV_FMT ")");
        parse_fails("vg_d { physical_volumes { pv0 { id = \"" PV_FMT "\" } } }",
                    "VG 'vg_d' has no id");

        /* Malformed text: the byte offset is told. */
        parse_fails("vg { id = \"abc", "unterminated string at byte 10");
        parse_fails("vg { id = 'abc", "unterminated string at byte 10");
        parse_fails("vg { seqno = 1\n", "section not closed at byte 0");
        parse_fails("vg { } }", "'}' without a section at byte 7");
        parse_fails("vg { seqno 1 }", "expected '=' or '{' after a name at byte 11");
        parse_fails("vg { seqno = }", "expected a value at byte 13");
        parse_fails("vg { a = [1, 2 }", "expected a value or ']' at byte 15");
        parse_fails("vg { a = [, 1] }", "expected a value or ']' at byte 10");
        parse_fails("= 1", "expected a name at byte 0");
        parse_fails("vg { id = \"not-an-id\" }", "invalid VG id 'not-an-id' at byte 10");
        parse_fails("vg { id = \"" VG_UUID "x\" }", "invalid VG id");
        parse_fails("vg { physical_volumes { pv0 { id = \"short\" } } }",
                    "invalid PV id 'short' at byte 35");
        parse_fails("\"bad name\" { }", "invalid VG name 'bad name' at byte 0");
        parse_fails("\"tab\there\" { }", "invalid VG name 'tab\\x09here' at byte 0");
        parse_fails("-vg { }", "invalid VG name");
        parse_fails("\"\" { }", "invalid VG name");

        /* Nesting: 64 levels are fine, 65 are not; no recursion either way. */
        deep = malloc(65 * 4 + 1);
        assert_non_null(deep);
        for (int i = 0; i < 64; i++)
                n += (size_t) sprintf(deep + n, "a {");
        memset(deep + n, '}', 64);
        deep[n + 64] = '\0';
        parse_fails(deep, "VG 'a' has no id"); /* 64 levels parsed */
        n = 0;
        for (int i = 0; i < 65; i++)
                n += (size_t) sprintf(deep + n, "a {");
        memset(deep + n, '}', 65);
        deep[n + 65] = '\0';
        parse_fails(deep, "nested deeper than 64 levels at byte 192");

        /* Arrays, commas optional as in lvm2, empty ones; comments anywhere. */
        assert_int_equal(parse("# c\nvg_e { # c\nid = \"" VG_UUID "\" # c\n"
                               "a = [ 1 2, \"x\" 'y' ] b = [] c = -1.5 d = bare_word\n"
                               "physical_volumes { pv0 { id = \"" PV_FMT "\" } } }#", &pv), 0);
        assert_string_equal(pv.vg_name, "vg_e");
}

/* ---- pvcreate and vgcreate themselves, when installed -------------------------- */

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

/* `pvs` field of dev into buf, read back through a file. */
static void pvs_field(const char *cfg, const char *dev, const char *field, char *buf, size_t n) {
        char out[128];
        FILE *f;

        snprintf(out, sizeof(out), "%s/pvs.out", base);
        assert_int_equal(run("pvs --config '%s' --noheadings -o %s %s > %s 2>/dev/null", cfg,
                             field, dev, out), 0);
        f = fopen(out, "re");
        assert_non_null(f);
        assert_non_null(fgets(buf, (int) n, f));
        fclose(f);
        memmove(buf, buf + strspn(buf, " "), strlen(buf + strspn(buf, " ")) + 1);
        buf[strcspn(buf, " \n")] = '\0';
}

static void test_lvm2_tools(void **st) {
        storvirt__loop loop = STORVIRT__LOOP_INIT;
        struct storvirt__lvm_pv pv;
        char img[128], cfg[512], uuid[64], vg[64], vgid[64];

        (void) st;
        if (geteuid() != 0 || access("/dev/loop-control", R_OK | W_OK) != 0 ||
            storvirt__command_find("pvcreate", NULL) < 0 ||
            storvirt__command_find("vgcreate", NULL) < 0) {
                print_message("needs root, /dev/loop-control and the lvm2 tools\n");
                skip();
        }
        snprintf(img, sizeof(img), "%s/tools.img", base);
        assert_int_equal(run("truncate -s 64M %s", img), 0);
        assert_int_equal(storvirt__loop_attach(img, false, &loop), 0);
        /* Only this loop device, no backups, no udev, no devices file. */
        snprintf(cfg, sizeof(cfg),
                 "devices { filter=[\"a|^%s$|\", \"r|.*|\"] obtain_device_list_from_udev=0 "
                 "use_devicesfile=0 hints=\"none\" } activation { udev_sync=0 udev_rules=0 } "
                 "backup { backup=0 archive=0 }", loop.path);
        setenv("LVM_SUPPRESS_FD_WARNINGS", "1", 1);
        assert_int_equal(run("pvcreate -q --config '%s' %s >/dev/null 2>&1", cfg, loop.path), 0);
        pvs_field(cfg, loop.path, "pv_uuid", uuid, sizeof(uuid));
        storvirt__error_reset();
        if (read_pv(loop.path, &pv) < 0)
                fail_msg("%s", storvirt__error_msg());
        assert_string_equal(pv.pv_uuid, uuid);
        assert_false(pv.has_vg);
        assert_true(pv.has_mda);

        assert_int_equal(run("vgcreate -q --config '%s' vg_storvirt_test %s >/dev/null 2>&1",
                             cfg, loop.path), 0);
        pvs_field(cfg, loop.path, "vg_name", vg, sizeof(vg));
        pvs_field(cfg, loop.path, "vg_uuid", vgid, sizeof(vgid));
        storvirt__error_reset();
        if (read_pv(loop.path, &pv) < 0)
                fail_msg("%s", storvirt__error_msg());
        assert_true(pv.has_vg);
        assert_string_equal(pv.pv_uuid, uuid);
        assert_string_equal(pv.vg_name, vg);
        assert_string_equal(pv.vg_uuid, vgid);

        assert_int_equal(run("vgremove -q -f --config '%s' vg_storvirt_test >/dev/null 2>&1",
                             cfg), 0);
        assert_int_equal(read_pv(loop.path, &pv), 0);
        assert_false(pv.has_vg);
        assert_int_equal(run("pvremove -q -f --config '%s' %s >/dev/null 2>&1", cfg, loop.path),
                         0);
        expect_error(read_pv(loop.path, &pv), -ENOENT, NULL);
        storvirt__loop_detach(&loop);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_crc),
                cmocka_unit_test(test_vg_member),
                cmocka_unit_test(test_label_sectors),
                cmocka_unit_test(test_orphans),
                cmocka_unit_test(test_ignored_and_two_areas),
                cmocka_unit_test(test_wrapped),
                cmocka_unit_test(test_text_crc),
                cmocka_unit_test(test_label_damage),
                cmocka_unit_test(test_pv_header_damage),
                cmocka_unit_test(test_area_damage),
                cmocka_unit_test(test_text_cap),
                cmocka_unit_test(test_truncated),
                cmocka_unit_test(test_parser),
                cmocka_unit_test(test_lvm2_tools),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
