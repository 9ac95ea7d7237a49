/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-imgfmt.c - image format probing: headers of every format built
 * here byte by byte (valid ones, then each field made hostile: sizes
 * that overflow, tables and names past the end of the file or the
 * header cluster, names without terminator), checked for the exact
 * error text; forced formats; and backing chains on real files
 * (relative names, loops, depth, protocols, recorded formats).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys/imgfmt.h"
#include "util/error.h"

/* ---- image buffers --------------------------------------------------------- */

struct img {
        uint8_t *b;
        size_t len;
};

static void img_alloc(struct img *m, size_t len) {
        free(m->b);
        m->b = calloc(1, len ? len : 1);
        assert_non_null(m->b);
        m->len = len;
}

static void img_free(struct img *m) {
        free(m->b);
        *m = (struct img) {};
}

static void put_le16(uint8_t *p, uint16_t v) {
        p[0] = (uint8_t) v;
        p[1] = (uint8_t) (v >> 8);
}
static void put_le32(uint8_t *p, uint32_t v) {
        put_le16(p, (uint16_t) v);
        put_le16(p + 2, (uint16_t) (v >> 16));
}
static void put_le64(uint8_t *p, uint64_t v) {
        put_le32(p, (uint32_t) v);
        put_le32(p + 4, (uint32_t) (v >> 32));
}

static int memfd_of(const uint8_t *b, size_t len) {
        int fd = memfd_create("img", MFD_CLOEXEC);

        assert_true(fd >= 0);
        assert_int_equal(write(fd, b, len), (ssize_t) len);
        return fd;
}

/* Probe m (as format, NULL to detect) with its true size. */
static int probe_as(const struct img *m, const char *format, storvirt__img_info *info) {
        int fd = memfd_of(m->b, m->len), r;

        storvirt__error_reset();
        r = storvirt__img_probe_fd_as(fd, m->len, "t.img", format, info);
        close(fd);
        return r;
}

static void probe_ok(const struct img *m, storvirt__img_info *info) {
        int r = probe_as(m, NULL, info);

        if (r < 0)
                print_error("unexpected failure: %s\n", storvirt__error_msg());
        assert_int_equal(r, 0);
}

static void assert_msg(const char *expected) {
        const char *msg = storvirt__error_msg();

        if (!msg || !strstr(msg, expected)) {
                print_error("message: %s\nexpected to contain: %s\n", msg ? msg : "(null)", expected);
                fail();
        }
}

/* Probing (or reading as format) must fail with err and a message containing msg. */
static void fails_as(const struct img *m, const char *format, int err, const char *msg) {
        storvirt__img_info info = { .backing_file = (char *) 0x1 };

        assert_int_equal(probe_as(m, format, &info), err);
        assert_ptr_equal(info.backing_file, (char *) 0x1); /* untouched */
        assert_msg(msg);
        assert_msg("'t.img'");
}

static void fails(const struct img *m, int err, const char *msg) {
        fails_as(m, NULL, err, msg);
}

/* ---- qcow2 builder ----------------------------------------------------------- */

struct q2p {
        uint32_t version, cbits;
        uint64_t size;
        const char *backing, *bfmt, *data_file;
        uint32_t crypt;
        uint64_t incompat, compat;
};

static size_t put_ext(uint8_t *b, size_t off, uint32_t type, const void *data, size_t len) {
        storvirt__put_be32(b + off, type);
        storvirt__put_be32(b + off + 4, (uint32_t) len);
        memcpy(b + off + 8, data, len);
        return off + 8 + ((len + 7) & ~(size_t) 7);
}

/* Header cluster, refcount table at cluster 1, L1 table from cluster 2. */
static void qcow2_build(struct img *m, const struct q2p *p) {
        uint64_t c = 1ull << p->cbits, per_l1 = c * (c / ((p->incompat & 16) ? 16 : 8));
        uint64_t l1 = (p->size + per_l1 - 1) / per_l1, l1c = (l1 * 8 + c - 1) / c;
        size_t off = p->version == 3 ? 104 : 72;
        uint8_t *b;

        img_alloc(m, (size_t) ((2 + l1c) * c));
        b = m->b;
        memcpy(b, "QFI\xfb", 4);
        storvirt__put_be32(b + 4, p->version);
        storvirt__put_be32(b + 20, p->cbits);
        storvirt__put_be64(b + 24, p->size);
        storvirt__put_be32(b + 32, p->crypt);
        storvirt__put_be32(b + 36, (uint32_t) l1);
        storvirt__put_be64(b + 40, 2 * c);
        storvirt__put_be64(b + 48, c);
        storvirt__put_be32(b + 56, 1);
        if (p->version == 3) {
                storvirt__put_be64(b + 72, p->incompat);
                storvirt__put_be64(b + 80, p->compat);
                storvirt__put_be32(b + 96, 4);
                storvirt__put_be32(b + 100, 104);
        }
        if (p->bfmt)
                off = put_ext(b, off, 0xE2792ACA, p->bfmt, strlen(p->bfmt));
        if (p->data_file)
                off = put_ext(b, off, 0x44415441, p->data_file, strlen(p->data_file));
        off += 8;
        if (p->backing) {
                storvirt__put_be64(b + 8, off);
                storvirt__put_be32(b + 16, (uint32_t) strlen(p->backing));
                memcpy(b + off, p->backing, strlen(p->backing));
        }
}

static const struct q2p q2_default = {
        .version = 3, .cbits = 12, .size = 1 << 30, .backing = "base.img", .bfmt = "raw",
};

static void test_raw(void **state) {
        storvirt__img_info info = {};
        struct img m = {};

        img_alloc(&m, 3000);
        memset(m.b, 0xa5, m.len);
        probe_ok(&m, &info);
        assert_string_equal(info.format, "raw");
        assert_int_equal(info.virtual_size, 3000);
        assert_null(info.backing_file);
        storvirt__img_info_clear(&info);
        img_alloc(&m, 0); /* an empty file is an empty raw image */
        probe_ok(&m, &info);
        assert_string_equal(info.format, "raw");
        assert_int_equal(info.virtual_size, 0);
        storvirt__img_info_clear(&info);
        storvirt__img_info_clear(NULL);
        img_free(&m);
}

static void test_qcow2_v3(void **state) {
        struct q2p p = q2_default;
        storvirt__img_info info = {};
        struct img m = {};

        p.data_file = "data.raw";
        p.incompat = 1u << 4 | 1u << 2;
        p.compat = 1;
        qcow2_build(&m, &p);
        probe_ok(&m, &info);
        assert_string_equal(info.format, "qcow2");
        assert_int_equal(info.virtual_size, 1 << 30);
        assert_int_equal(info.qcow2_version, 3);
        assert_string_equal(info.compat, "1.1");
        assert_int_equal(info.cluster_bits, 12);
        assert_string_equal(info.backing_file, "base.img");
        assert_string_equal(info.backing_format, "raw");
        assert_string_equal(info.data_file, "data.raw");
        assert_true(info.lazy_refcounts);
        assert_true(info.extended_l2);
        assert_int_equal(info.incompatible_features, 0x14);
        assert_int_equal(info.compatible_features, 1);
        assert_false(info.encrypted);
        storvirt__img_info_clear(&info);
        assert_null(info.backing_file);
        img_free(&m);
}

static void test_qcow2_v2_and_encrypted(void **state) {
        struct q2p p = { .version = 2, .cbits = 16, .size = 10 << 20, .backing = "../b.qcow2" };
        storvirt__img_info info = {};
        struct img m = {};

        qcow2_build(&m, &p);
        probe_ok(&m, &info);
        assert_string_equal(info.format, "qcow2");
        assert_int_equal(info.qcow2_version, 2);
        assert_string_equal(info.compat, "0.10");
        assert_int_equal(info.cluster_bits, 16);
        assert_string_equal(info.backing_file, "../b.qcow2");
        assert_string_equal(info.backing_format, "");
        assert_false(info.lazy_refcounts);
        storvirt__img_info_clear(&info);

        p = q2_default;
        p.crypt = 2; /* LUKS inside qcow2 */
        p.backing = NULL;
        p.bfmt = NULL;
        qcow2_build(&m, &p);
        probe_ok(&m, &info);
        assert_true(info.encrypted);
        assert_string_equal(info.encryption, "luks");
        assert_null(info.backing_file);
        storvirt__img_info_clear(&info);
        p.crypt = 1; /* AES: libvirt's format 'qcow' */
        qcow2_build(&m, &p);
        probe_ok(&m, &info);
        assert_string_equal(info.encryption, "qcow");
        storvirt__img_info_clear(&info);
        img_free(&m);
}

static void test_qcow2_bad_fields(void **state) {
        struct img m = {};

        qcow2_build(&m, &q2_default);
        storvirt__put_be32(m.b + 20, 8);
        fails(&m, -EINVAL, "qcow2 header: cluster_bits 8 out of range 9..21");
        storvirt__put_be32(m.b + 20, 22);
        fails(&m, -EINVAL, "qcow2 header: cluster_bits 22 out of range 9..21");
        storvirt__put_be32(m.b + 20, 12);
        storvirt__put_be64(m.b + 24, 1ull << 63);
        fails(&m, -EINVAL, "qcow2 header: size 9223372036854775808 larger than 2^63-1");
        storvirt__put_be64(m.b + 24, UINT64_MAX);
        fails(&m, -EINVAL, "qcow2 header: size 18446744073709551615 larger than 2^63-1");
        storvirt__put_be64(m.b + 24, 1 << 30);
        storvirt__put_be32(m.b + 32, 3);
        fails(&m, -EINVAL, "qcow2 header: crypt_method 3 unknown");
        storvirt__put_be32(m.b + 32, 0);
        storvirt__put_be32(m.b + 100, 100);
        fails(&m, -EINVAL, "qcow2 header: header_length 100 invalid (at least 104, a multiple of 8)");
        storvirt__put_be32(m.b + 100, 108);
        fails(&m, -EINVAL, "header_length 108 invalid");
        storvirt__put_be32(m.b + 100, 8192);
        fails(&m, -EINVAL, "qcow2 header: header_length 8192 larger than the cluster (4096 bytes)");
        storvirt__put_be32(m.b + 100, 104);
        storvirt__put_be32(m.b + 96, 7);
        fails(&m, -EINVAL, "qcow2 header: refcount_order 7 out of range 0..6");
        storvirt__put_be32(m.b + 96, 4);
        storvirt__put_be32(m.b + 4, 4);
        fails(&m, -EOPNOTSUPP, "qcow2 header: version 4 not supported (1, 2 or 3)");
        storvirt__put_be32(m.b + 4, 0);
        fails(&m, -EOPNOTSUPP, "version 0 not supported");
        storvirt__put_be32(m.b + 4, 3);
        m.len = 100; /* v3 header cut short */
        fails(&m, -EINVAL, "qcow2 header truncated: the file has 100 bytes, the header needs 104");
        m.len = 6;
        fails(&m, -EINVAL, "qcow header truncated: the file has 6 bytes");
        img_free(&m);
}

static void test_qcow2_bad_tables(void **state) {
        struct img m = {};

        qcow2_build(&m, &q2_default);
        /* l1_size x 8 would be 2 GiB */
        storvirt__put_be32(m.b + 36, 0x10000000);
        fails(&m, -EINVAL, "qcow2 header: l1_size 268435456 exceeds the maximum 4194304");
        storvirt__put_be32(m.b + 36, 0xffffffff);
        fails(&m, -EINVAL, "l1_size 4294967295 exceeds the maximum 4194304");
        storvirt__put_be32(m.b + 36, 1);
        fails(&m, -EINVAL, "qcow2 header: l1_size 1 too small for size 1073741824 (needs 512)");
        storvirt__put_be32(m.b + 36, 512);
        storvirt__put_be64(m.b + 40, 1 << 20);
        fails(&m, -EINVAL, "qcow2 header: l1_table_offset 1048576 (4096 bytes) runs past the end "
              "of the file (12288 bytes)");
        storvirt__put_be64(m.b + 40, UINT64_MAX - 4095);
        fails(&m, -EINVAL, "l1_table_offset 18446744073709547520 (4096 bytes) runs past the end");
        storvirt__put_be64(m.b + 40, 8192 + 8);
        fails(&m, -EINVAL, "qcow2 header: l1_table_offset 0x2008 is not aligned to the cluster size 4096");
        storvirt__put_be64(m.b + 40, 8192);
        storvirt__put_be32(m.b + 56, 0);
        fails(&m, -EINVAL, "qcow2 header: refcount_table_clusters is 0");
        storvirt__put_be32(m.b + 56, 3000);
        fails(&m, -EINVAL, "qcow2 header: refcount_table_clusters 3000 exceeds the maximum 2048");
        storvirt__put_be32(m.b + 56, 5);
        fails(&m, -EINVAL, "qcow2 header: refcount_table_offset 4096 (20480 bytes) runs past the end");
        storvirt__put_be32(m.b + 56, 1);
        storvirt__put_be32(m.b + 60, 70000);
        fails(&m, -EINVAL, "qcow2 header: nb_snapshots 70000 exceeds the maximum 65536");
        storvirt__put_be32(m.b + 60, 1000);
        storvirt__put_be64(m.b + 64, 4096);
        fails(&m, -EINVAL, "qcow2 header: snapshots_offset 4096 (40000 bytes) runs past the end");
        img_free(&m);
}

static void test_qcow2_bad_extensions(void **state) {
        struct q2p p = q2_default;
        struct img m = {};

        p.backing = NULL;
        qcow2_build(&m, &p);
        /* backing format extension at 104 claiming more than the cluster */
        storvirt__put_be32(m.b + 108, 4096);
        fails(&m, -EINVAL, "qcow2 header extension 0xe2792aca at offset 104: length 4096 runs past "
              "the end of the header area (4096 bytes)");
        storvirt__put_be32(m.b + 108, 0xffffffff);
        fails(&m, -EINVAL, "length 4294967295 runs past the end of the header area");
        storvirt__put_be32(m.b + 108, 20);
        memcpy(m.b + 112, "qcow2qcow2qcow2qcow2", 20);
        fails(&m, -EINVAL, "qcow2 backing format extension: format name of 20 bytes is too long "
              "(at most 15)");
        storvirt__put_be32(m.b + 108, 3);
        memcpy(m.b + 112, "r\nw", 3);
        fails(&m, -EINVAL, "qcow2 backing format extension: format name contains byte 0x0a");
        /* an extension header in the last 4 bytes of the cluster */
        memset(m.b + 104, 0, 4096 - 104);
        for (size_t off = 104; off < 4088; off += 8)
                storvirt__put_be32(m.b + off, 0x12345678); /* unknown, length 0 */
        storvirt__put_be32(m.b + 4088, 0x12345678);
        storvirt__put_be32(m.b + 4092, 0);
        {
                storvirt__img_info info = {};

                probe_ok(&m, &info); /* no end marker: stops at the cluster end */
                storvirt__img_info_clear(&info);
        }
        storvirt__put_be64(m.b + 8, 4092); /* backing name at 4092: header area ends there */
        storvirt__put_be32(m.b + 16, 4);
        fails(&m, -EINVAL, "qcow2 header extension at offset 4088 runs past the end of the header area "
              "(4092 bytes)");
        img_free(&m);

        /* 128 KiB clusters: extensions are read from the first 64 KiB only */
        p.cbits = 17;
        p.size = 0;
        qcow2_build(&m, &p);
        storvirt__put_be32(m.b + 108, 70000);
        fails(&m, -EOPNOTSUPP, "qcow2 header extensions beyond the first 65536 bytes are not supported");
        img_free(&m);

        p = q2_default;
        p.data_file = "data\0x";
        qcow2_build(&m, &p);
        storvirt__put_be32(m.b + 120 + 4, 6);
        fails(&m, -EINVAL, "qcow2 external data file extension contains a NUL byte");
        img_free(&m);
}

static void test_qcow2_far_extension(void **state) {
        struct q2p p = { .version = 3, .cbits = 16, .size = 1 << 20 };
        storvirt__img_info info = {};
        struct img m = {};
        uint8_t filler[5000] = { 0 };
        size_t off;

        qcow2_build(&m, &p);
        /* an unknown extension, then the backing format beyond the first 4 KiB */
        off = put_ext(m.b, 104, 0x12345678, filler, sizeof(filler));
        off = put_ext(m.b, off, 0xE2792ACA, "qcow2", 5);
        memset(m.b + off, 0, 8);
        memcpy(m.b + off + 8, "far.qcow2", 9);
        storvirt__put_be64(m.b + 8, off + 8);
        storvirt__put_be32(m.b + 16, 9);
        probe_ok(&m, &info);
        assert_string_equal(info.backing_format, "qcow2");
        assert_string_equal(info.backing_file, "far.qcow2");
        storvirt__img_info_clear(&info);
        img_free(&m);
}

static void test_qcow2_bad_backing(void **state) {
        struct img m = {};
        struct q2p p = q2_default;

        qcow2_build(&m, &p); /* backing name at 128 */
        storvirt__put_be64(m.b + 8, 5000);
        fails(&m, -EINVAL, "qcow2 header: backing file name at offset 5000 (8 bytes) runs past the "
              "header cluster (4096 bytes)");
        storvirt__put_be64(m.b + 8, 4090);
        fails(&m, -EINVAL, "backing file name at offset 4090 (8 bytes) runs past the header cluster");
        storvirt__put_be64(m.b + 8, 64);
        fails(&m, -EINVAL, "qcow2 header: backing_file_offset 64 overlaps the header (104 bytes)");
        storvirt__put_be64(m.b + 8, 128);
        storvirt__put_be32(m.b + 16, 1024);
        fails(&m, -EINVAL, "qcow2 header: backing_file_size 1024 exceeds 1023");
        storvirt__put_be32(m.b + 16, 0xffffffff);
        fails(&m, -EINVAL, "backing file name at offset 128 (4294967295 bytes) runs past the header");
        storvirt__put_be32(m.b + 16, 8);
        m.b[131] = '\0';
        fails(&m, -EINVAL, "qcow2 backing file name contains a NUL byte");
        img_free(&m);
}

/* ---- qcow (v1) ------------------------------------------------------------------ */

static void qcow1_build(struct img *m, uint64_t size, const char *backing, uint32_t crypt) {
        size_t blen = backing ? strlen(backing) : 0, l1_off = (48 + blen + 7) & ~(size_t) 7;
        uint64_t l1 = (size + (1u << 21) - 1) >> 21;

        img_alloc(m, l1_off + l1 * 8 + 64);
        memcpy(m->b, "QFI\xfb", 4);
        storvirt__put_be32(m->b + 4, 1);
        if (backing) {
                storvirt__put_be64(m->b + 8, 48);
                storvirt__put_be32(m->b + 16, (uint32_t) blen);
                memcpy(m->b + 48, backing, blen);
        }
        storvirt__put_be64(m->b + 24, size);
        m->b[32] = 12; /* cluster_bits */
        m->b[33] = 9;  /* l2_bits */
        storvirt__put_be32(m->b + 36, crypt);
        storvirt__put_be64(m->b + 40, l1_off);
}

static void test_qcow1(void **state) {
        storvirt__img_info info = {};
        struct img m = {};

        qcow1_build(&m, 16 << 20, "base.raw", 1);
        probe_ok(&m, &info);
        assert_string_equal(info.format, "qcow");
        assert_int_equal(info.virtual_size, 16 << 20);
        assert_int_equal(info.cluster_bits, 12);
        assert_string_equal(info.backing_file, "base.raw");
        assert_true(info.encrypted);
        assert_string_equal(info.encryption, "qcow");
        storvirt__img_info_clear(&info);

        m.b[32] = 17;
        fails(&m, -EINVAL, "qcow header: cluster_bits 17 out of range 9..16");
        m.b[32] = 12;
        m.b[33] = 14;
        fails(&m, -EINVAL, "qcow header: l2_bits 14 out of range 6..13");
        m.b[33] = 9;
        storvirt__put_be64(m.b + 24, UINT64_MAX);
        fails(&m, -EINVAL, "qcow header: size 18446744073709551615 larger than 2^63-1");
        storvirt__put_be64(m.b + 24, INT64_MAX);
        fails(&m, -EINVAL, "qcow header: size 9223372036854775807 needs an L1 table of 4398046511104 "
              "entries, more than 268435455");
        storvirt__put_be64(m.b + 24, 1ull << 40);
        fails(&m, -EINVAL, "qcow header: l1_table_offset 56 (4194304 bytes) runs past the end of the file");
        storvirt__put_be64(m.b + 24, 16 << 20);
        storvirt__put_be32(m.b + 36, 2);
        fails(&m, -EINVAL, "qcow header: crypt_method 2 unknown");
        storvirt__put_be32(m.b + 36, 0);
        storvirt__put_be32(m.b + 16, 2000);
        fails(&m, -EINVAL, "qcow header: backing_file_size 2000 exceeds 1023");
        storvirt__put_be32(m.b + 16, 8);
        storvirt__put_be64(m.b + 8, 1 << 20);
        fails(&m, -EINVAL, "qcow backing file name at offset 1048576 (8 bytes) runs past the end of the file");
        m.len = 40;
        fails(&m, -EINVAL, "qcow header truncated: the file has 40 bytes, the header needs 48");
        img_free(&m);
}

/* ---- forced formats, short files ---------------------------------------------- */

static void test_forced_format(void **state) {
        storvirt__img_info info = {};
        struct img m = {};

        qcow2_build(&m, &q2_default);
        assert_int_equal(probe_as(&m, "raw", &info), 0);
        assert_string_equal(info.format, "raw");
        assert_null(info.backing_file); /* raw never looks at the content */
        assert_int_equal(info.virtual_size, m.len);
        storvirt__img_info_clear(&info);
        assert_int_equal(probe_as(&m, "qcow2", &info), 0);
        assert_string_equal(info.backing_file, "base.img");
        storvirt__img_info_clear(&info);
        fails_as(&m, "qcow", -EINVAL, "'t.img': not a qcow image (header version 3)");
        fails_as(&m, "vmdk", -EINVAL, "'t.img': not a vmdk image (no KDMV magic or descriptor)");
        fails_as(&m, "qed", -EINVAL, "'t.img': not a qed image (no QED magic)");
        fails_as(&m, "vpc", -EINVAL, "'t.img': not a vpc image (no conectix footer)");
        fails_as(&m, "vdi", -EINVAL, "'t.img': not a vdi image (no signature at offset 64)");
        fails_as(&m, "luks", -EINVAL, "'t.img': not a luks image (no LUKS\\xba\\xbe magic)");
        fails_as(&m, "iso", -EINVAL, "'t.img': not an iso image (no CD001 at offset 32769)");
        fails_as(&m, "qcow3", -EINVAL, "'t.img': unknown image format 'qcow3'");
        img_alloc(&m, 100);
        fails_as(&m, "qcow2", -EINVAL, "'t.img': not a qcow/qcow2 image (no QFI\\xfb magic)");
        img_free(&m);
}

static void test_short_file_and_args(void **state) {
        storvirt__img_info info = {};
        struct img m = {};
        int fd;

        img_alloc(&m, 100);
        fd = memfd_of(m.b, m.len); /* the caller claims more than there is */
        assert_int_equal(storvirt__img_probe_fd(fd, 1000, "short.img", &info), -EIO);
        assert_msg("'short.img': reading header at offset 0: unexpected end of file at 100 "
                   "(shorter than 1000 bytes)");
        assert_int_equal(storvirt__img_probe_fd(-1, 10, "x", &info), -EINVAL);
        assert_int_equal(storvirt__img_probe_fd(fd, 10, "x", NULL), -EINVAL);
        close(fd);
        img_free(&m);
}

/* ---- qed -------------------------------------------------------------------------- */

static void qed_build(struct img *m, const char *backing, bool raw_backing) {
        img_alloc(m, 8192);
        memcpy(m->b, "QED", 4);
        put_le32(m->b + 4, 4096);  /* cluster_size */
        put_le32(m->b + 8, 1);     /* table_size */
        put_le32(m->b + 12, 1);    /* header_size */
        put_le64(m->b + 40, 4096); /* l1_table_offset */
        put_le64(m->b + 48, 1 << 30);
        if (backing) {
                put_le64(m->b + 16, 1 | (raw_backing ? 4 : 0));
                put_le32(m->b + 56, 64);
                put_le32(m->b + 60, (uint32_t) strlen(backing));
                memcpy(m->b + 64, backing, strlen(backing));
        }
}

static void test_qed(void **state) {
        storvirt__img_info info = {};
        struct img m = {};

        qed_build(&m, "base.raw", true);
        probe_ok(&m, &info);
        assert_string_equal(info.format, "qed");
        assert_int_equal(info.virtual_size, 1 << 30);
        assert_int_equal(info.cluster_bits, 12);
        assert_string_equal(info.backing_file, "base.raw");
        assert_string_equal(info.backing_format, "raw");
        assert_int_equal(info.incompatible_features, 5);
        storvirt__img_info_clear(&info);
        qed_build(&m, "base.qcow2", false);
        probe_ok(&m, &info);
        assert_string_equal(info.backing_file, "base.qcow2");
        assert_string_equal(info.backing_format, "");
        storvirt__img_info_clear(&info);

        put_le32(m.b + 4, 1000);
        fails(&m, -EINVAL, "qed header: cluster_size 1000 invalid (a power of two from 4096 to 67108864)");
        put_le32(m.b + 4, 4096);
        put_le32(m.b + 8, 3);
        fails(&m, -EINVAL, "qed header: table_size 3 invalid (a power of two from 1 to 16)");
        put_le32(m.b + 8, 1);
        put_le32(m.b + 12, 0);
        fails(&m, -EINVAL, "qed header: header_size is 0");
        put_le32(m.b + 12, 1);
        put_le64(m.b + 48, (1 << 30) + 1);
        fails(&m, -EINVAL, "qed header: image_size 1073741825 invalid (a multiple of 512 below 2^63)");
        put_le64(m.b + 48, UINT64_MAX - 511);
        fails(&m, -EINVAL, "qed header: image_size 18446744073709551104 invalid");
        put_le64(m.b + 48, 2ull << 30);
        fails(&m, -EINVAL, "qed header: image_size 2147483648 larger than the tables can address");
        put_le64(m.b + 48, 1 << 30);
        put_le64(m.b + 40, 8192);
        fails(&m, -EINVAL, "qed header: l1_table_offset 8192 unaligned or past the end of the file (8192 bytes)");
        put_le64(m.b + 40, 4096);
        put_le64(m.b + 16, 1 | 0x100);
        fails(&m, -EOPNOTSUPP, "qed header: unknown features 0x100");
        put_le64(m.b + 16, 1);
        put_le32(m.b + 60, 1024);
        fails(&m, -EINVAL, "qed header: backing_filename_size 1024 exceeds 1023");
        put_le32(m.b + 60, 10);
        put_le32(m.b + 56, 4090);
        fails(&m, -EINVAL, "qed header: backing file name at offset 4090 (10 bytes) runs past the header "
              "(4096 bytes)");
        put_le32(m.b + 56, 0xfffffff0);
        fails(&m, -EINVAL, "backing file name at offset 4294967280 (10 bytes) runs past the header");
        m.len = 60;
        fails(&m, -EINVAL, "qed header truncated: the file has 60 bytes");
        img_free(&m);
}

/* ---- vmdk ------------------------------------------------------------------------ */

static void vmdk_build(struct img *m, uint64_t capacity, const char *desc) {
        img_alloc(m, 512 + 20 * 512);
        memcpy(m->b, "KDMV", 4);
        put_le32(m->b + 4, 1);
        put_le32(m->b + 8, 3);
        put_le64(m->b + 12, capacity);
        put_le64(m->b + 20, 128); /* grain: 64 KiB */
        put_le64(m->b + 28, 1);   /* descriptor at sector 1 */
        put_le64(m->b + 36, 20);  /* 20 sectors */
        if (desc)
                memcpy(m->b + 512, desc, strlen(desc));
}

#define VMDK_DESC_HEAD "# Disk DescriptorFile\nversion=1\nCID=12345678\nparentCID=ffffffff\n"

static void test_vmdk_sparse(void **state) {
        storvirt__img_info info = {};
        struct img m = {};

        vmdk_build(&m, 2048, VMDK_DESC_HEAD "createType=\"monolithicSparse\"\r\n"
                   "parentFileNameHint = \"base dir/base.vmdk\"\n"
                   "# Extent description\n  RW 4096 SPARSE \"child.vmdk\"\n"
                   "ddb.adapterType = \"ide\"\n");
        probe_ok(&m, &info);
        assert_string_equal(info.format, "vmdk");
        assert_string_equal(info.subformat, "monolithicSparse");
        assert_int_equal(info.virtual_size, 4096 * 512); /* from the extents */
        assert_int_equal(info.cluster_bits, 16);
        assert_string_equal(info.backing_file, "base dir/base.vmdk");
        assert_string_equal(info.backing_format, "vmdk");
        storvirt__img_info_clear(&info);

        vmdk_build(&m, 2048, NULL); /* no descriptor text: the header capacity */
        probe_ok(&m, &info);
        assert_int_equal(info.virtual_size, 2048 * 512);
        assert_null(info.backing_file);
        storvirt__img_info_clear(&info);

        put_le32(m.b + 4, 4);
        fails(&m, -EOPNOTSUPP, "vmdk header: version 4 not supported (1, 2 or 3)");
        put_le32(m.b + 4, 1);
        put_le64(m.b + 12, 1ull << 60);
        fails(&m, -EINVAL, "vmdk header: capacity 1152921504606846976 sectors overflows");
        put_le64(m.b + 12, 2048);
        put_le64(m.b + 20, 0);
        fails(&m, -EINVAL, "vmdk header: grainSize 0 invalid (1 to 2097152 sectors)");
        put_le64(m.b + 20, 128);
        put_le64(m.b + 28, 1ull << 56);
        fails(&m, -EINVAL, "vmdk header: descriptor at sector 72057594037927936 (20 sectors) runs past "
              "the end of the file (10752 bytes)");
        put_le64(m.b + 28, 20);
        fails(&m, -EINVAL, "'t.img': vmdk descriptor at offset 10240 (10240 bytes) runs past the end of "
              "the file (10752 bytes)");
        m.len = 50;
        fails(&m, -EINVAL, "vmdk header truncated: the file has 50 bytes");
        img_free(&m);
}

static void test_vmdk_descriptor_errors(void **state) {
        struct img m = {};
        char big[200];

        vmdk_build(&m, 2048, VMDK_DESC_HEAD "parentFileNameHint=\"base.vmdk\n");
        fails(&m, -EINVAL, "vmdk descriptor line 5: value of 'parentFileNameHint' has no closing quote");
        vmdk_build(&m, 2048, VMDK_DESC_HEAD "a\x01" "b=\"x\n");
        fails(&m, -EINVAL, "vmdk descriptor line 5: value of 'a\\x01b' has no closing quote");
        vmdk_build(&m, 2048, VMDK_DESC_HEAD "RW 4096 SPARSE \"child.vmdk\n");
        fails(&m, -EINVAL, "vmdk descriptor line 5: extent file name has no closing quote");
        vmdk_build(&m, 2048, VMDK_DESC_HEAD "RW 18014398509481984 FLAT \"a\" 0\n");
        fails(&m, -EINVAL, "vmdk descriptor line 5: extents add up to more than 2^63-1 bytes");
        vmdk_build(&m, 2048, VMDK_DESC_HEAD "RW 9007199254740992 FLAT \"a\" 0\n"
                   "RW 9007199254740992 FLAT \"b\" 0\n");
        fails(&m, -EINVAL, "vmdk descriptor line 6: extents add up to more than 2^63-1 bytes");
        vmdk_build(&m, 2048, VMDK_DESC_HEAD "RW 99999999999999999999999 FLAT \"a\" 0\n");
        fails(&m, -EINVAL, "vmdk descriptor line 5: extent size overflows");
        vmdk_build(&m, 2048, VMDK_DESC_HEAD "RW FLAT \"a\" 0\n");
        fails(&m, -EINVAL, "vmdk descriptor line 5: extent size missing");
        vmdk_build(&m, 2048, VMDK_DESC_HEAD "createType=\"thisIsAVeryLongCreateTypeNameForSure\"\n");
        fails(&m, -EINVAL, "vmdk descriptor line 5: createType of 36 bytes is too long");
        memset(big, 'a', sizeof(big));
        memcpy(big, "parentFileNameHint=", 19);
        vmdk_build(&m, 2048, NULL);
        for (size_t i = 0; i < 10240 - 200; i += 200) /* no NUL in the whole area */
                memcpy(m.b + 512 + i, big, sizeof(big));
        memset(m.b + 512 + 10000, 'b', 240);
        fails(&m, -EINVAL, "vmdk parentFileNameHint: 10221 bytes, at most 1023");
        img_free(&m);
}

static void test_vmdk_text(void **state) {
        static const char desc[] = VMDK_DESC_HEAD "createType=\"twoGbMaxExtentFlat\"\n\n"
                "# Extent description\nRW 4194304 FLAT \"d-f001.vmdk\" 0\n"
                "RDONLY 2048 FLAT \"d-f002.vmdk\" 0\nNOACCESS 1024 ZERO\n";
        storvirt__img_info info = {};
        struct img m = {};

        img_alloc(&m, sizeof(desc) - 1);
        memcpy(m.b, desc, m.len);
        probe_ok(&m, &info);
        assert_string_equal(info.format, "vmdk");
        assert_string_equal(info.subformat, "twoGbMaxExtentFlat");
        assert_int_equal(info.virtual_size, (4194304ull + 2048 + 1024) * 512);
        assert_int_equal(info.cluster_bits, 0);
        storvirt__img_info_clear(&info);

        img_alloc(&m, 40);
        memcpy(m.b, "# Disk DescriptorFile\nversion=1\n", 32);
        fails(&m, -EINVAL, "vmdk descriptor: createType missing");
        img_alloc(&m, 40000);
        memset(m.b, '#', m.len);
        memcpy(m.b, "# Disk DescriptorFile\n", 22);
        fails(&m, -EOPNOTSUPP, "vmdk descriptor file of 40000 bytes is larger than 32768");
        img_free(&m);
}

/* ---- vpc ---------------------------------------------------------------------------- */

static uint32_t vpc_sum(const uint8_t *f) {
        uint32_t s = 0;

        for (int i = 0; i < 512; i++)
                s += (i >= 64 && i < 68) ? 0 : f[i];
        return ~s;
}

static void vpc_footer(uint8_t *f, uint32_t type, uint64_t size, uint64_t dyn_off) {
        memcpy(f, "conectix", 8);
        storvirt__put_be32(f + 8, 2);
        storvirt__put_be32(f + 12, 0x00010000);
        storvirt__put_be64(f + 16, dyn_off);
        memcpy(f + 28, "test", 4);
        storvirt__put_be64(f + 40, size);
        storvirt__put_be64(f + 48, size);
        storvirt__put_be32(f + 60, type);
        storvirt__put_be32(f + 64, vpc_sum(f));
}

/* Footer copy, dynamic header at 512, BAT at 1536, locator data at 2048, footer at 2560. */
static void vpc_build(struct img *m, uint32_t type, uint64_t size, const char *parent) {
        uint8_t *d;

        img_alloc(m, 3072);
        d = m->b + 512;
        memcpy(d, "cxsparse", 8);
        storvirt__put_be64(d + 8, UINT64_MAX);
        storvirt__put_be64(d + 16, 1536);
        storvirt__put_be32(d + 24, 0x00010000);
        storvirt__put_be32(d + 28, (uint32_t) ((size + (2 << 20) - 1) >> 21));
        storvirt__put_be32(d + 32, 2 << 20);
        memset(m->b + 1536, 0xff, 512);
        for (size_t i = 0; parent && parent[i]; i++)
                storvirt__put_be16(d + 64 + 2 * i, (uint8_t) parent[i]);
        vpc_footer(m->b, type, size, 512);
        memcpy(m->b + 2560, m->b, 512);
}

static void test_vpc_dynamic(void **state) {
        storvirt__img_info info = {};
        struct img m = {};
        uint8_t *d;

        vpc_build(&m, 3, 64 << 20, NULL);
        probe_ok(&m, &info);
        assert_string_equal(info.format, "vpc");
        assert_string_equal(info.subformat, "dynamic");
        assert_int_equal(info.virtual_size, 64 << 20);
        assert_int_equal(info.cluster_bits, 21);
        assert_null(info.backing_file);
        storvirt__img_info_clear(&info);

        vpc_build(&m, 4, 64 << 20, "parent.vhd");
        d = m.b + 512;
        /* "parent-é-😀.vhd": a 2-byte and a surrogate-pair character */
        storvirt__put_be16(d + 64 + 12, '-');
        storvirt__put_be16(d + 64 + 14, 0x00e9);
        storvirt__put_be16(d + 64 + 16, '-');
        storvirt__put_be16(d + 64 + 18, 0xd83d);
        storvirt__put_be16(d + 64 + 20, 0xde00);
        storvirt__put_be16(d + 64 + 22, '.');
        storvirt__put_be16(d + 64 + 24, 'v');
        storvirt__put_be16(d + 64 + 26, 'h');
        storvirt__put_be16(d + 64 + 28, 'd');
        probe_ok(&m, &info);
        assert_string_equal(info.subformat, "differencing");
        assert_string_equal(info.backing_file, "parent-\xc3\xa9-\xf0\x9f\x98\x80.vhd");
        assert_string_equal(info.backing_format, "vpc");
        storvirt__img_info_clear(&info);

        /* only the footer copy at offset 0 (the end one damaged) */
        memset(m.b + 2560, 0, 8);
        probe_ok(&m, &info);
        assert_string_equal(info.format, "vpc");
        storvirt__img_info_clear(&info);
        img_free(&m);
}

static void test_vpc_locator(void **state) {
        static const char rel[] = ".\\base.vhd";
        storvirt__img_info info = {};
        struct img m = {};
        uint8_t *l;

        vpc_build(&m, 4, 64 << 20, NULL);
        l = m.b + 512 + 576 + 24; /* second locator entry */
        storvirt__put_be32(l, 0x57327275); /* W2ru */
        storvirt__put_be32(l + 4, 1);
        storvirt__put_be32(l + 8, 2 * (sizeof(rel) - 1));
        storvirt__put_be64(l + 16, 2048);
        for (size_t i = 0; i < sizeof(rel) - 1; i++)
                put_le16(m.b + 2048 + 2 * i, (uint8_t) rel[i]);
        probe_ok(&m, &info);
        assert_string_equal(info.backing_file, rel);
        storvirt__img_info_clear(&info);

        put_le16(m.b + 2048, 0xdc00); /* lone low surrogate */
        fails(&m, -EINVAL, "vpc parent locator 1: invalid UTF-16 at byte 0");
        put_le16(m.b + 2048 + 18, 0xd800); /* high surrogate as the last unit */
        put_le16(m.b + 2048, '.');
        fails(&m, -EINVAL, "vpc parent locator 1: invalid UTF-16 at byte 18");
        storvirt__put_be32(l + 8, 5000);
        fails(&m, -EINVAL, "vpc parent locator 1: length 5000 exceeds 4096");
        storvirt__put_be32(l + 8, 512);
        storvirt__put_be64(l + 16, 2900);
        fails(&m, -EINVAL, "vpc parent locator 1 at offset 2900 (512 bytes) runs past the end of the file");
        storvirt__put_be32(l, 0);
        fails(&m, -EINVAL, "vpc differencing disk names no parent");
        img_free(&m);
}

static void test_vpc_fixed_and_errors(void **state) {
        storvirt__img_info info = {};
        struct img m = {};

        img_alloc(&m, 4096 + 512);
        vpc_footer(m.b + 4096, 2, 4096, UINT64_MAX);
        probe_ok(&m, &info); /* footer at the end only */
        assert_string_equal(info.format, "vpc");
        assert_string_equal(info.subformat, "fixed");
        assert_int_equal(info.virtual_size, 4096);
        storvirt__img_info_clear(&info);
        m.b[4096 + 100] ^= 1; /* checksum no longer matches: raw */
        probe_ok(&m, &info);
        assert_string_equal(info.format, "raw");
        storvirt__img_info_clear(&info);
        vpc_footer(m.b, 2, 4096, UINT64_MAX); /* a copy at 0 makes it a vpc image... */
        vpc_footer(m.b + 4096, 2, 8192, UINT64_MAX); /* ...whose footer claims too much */
        fails(&m, -EINVAL, "vpc footer: current_size 8192 of a fixed disk runs past the end of the file");

        vpc_build(&m, 5, 64 << 20, NULL);
        fails(&m, -EINVAL, "vpc footer: disk_type 5 unknown");
        vpc_build(&m, 3, 1ull << 63, NULL);
        fails(&m, -EINVAL, "vpc footer: current_size 9223372036854775808 larger than 2^63-1");
        vpc_build(&m, 3, 128 << 20, NULL);
        storvirt__put_be32(m.b + 512 + 28, 10);
        fails(&m, -EINVAL, "vpc footer: current_size 134217728 larger than the block table covers "
              "(10 x 2097152)");
        storvirt__put_be32(m.b + 512 + 28, 0x40000000);
        fails(&m, -EINVAL, "vpc dynamic header: block table at offset 1536 (1073741824 entries) runs past "
              "the end of the file (3072 bytes)");
        storvirt__put_be32(m.b + 512 + 32, 3000);
        fails(&m, -EINVAL, "vpc dynamic header: block_size 3000 invalid (a power of two, at least 512)");
        memset(m.b + 512, 0, 8);
        fails(&m, -EINVAL, "vpc dynamic header: no cxsparse cookie");
        vpc_footer(m.b + 2560, 3, 64 << 20, 1 << 20);
        fails(&m, -EINVAL, "vpc dynamic header at offset 1048576 (1024 bytes) runs past the end");
        img_alloc(&m, 300);
        memcpy(m.b, "conectix", 8);
        fails(&m, -EINVAL, "vpc footer truncated: the file has 300 bytes");
        img_free(&m);
}

/* ---- vdi, iso ------------------------------------------------------------------------ */

static void vdi_build(struct img *m, uint64_t size) {
        uint32_t blocks = (uint32_t) ((size + (1 << 20) - 1) >> 20);

        img_alloc(m, 1024);
        memcpy(m->b, "<<< test >>>\n", 13);
        put_le32(m->b + 64, 0xbeda107f);
        put_le32(m->b + 68, 0x00010001);
        put_le32(m->b + 72, 384);
        put_le32(m->b + 76, 1);
        put_le32(m->b + 340, 512);
        put_le32(m->b + 344, 1024);
        put_le32(m->b + 360, 512);
        put_le64(m->b + 368, size);
        put_le32(m->b + 376, 1 << 20);
        put_le32(m->b + 384, blocks);
        memset(m->b + 512, 0xff, blocks * 4);
}

static void test_vdi(void **state) {
        storvirt__img_info info = {};
        struct img m = {};

        vdi_build(&m, 100 << 20);
        probe_ok(&m, &info);
        assert_string_equal(info.format, "vdi");
        assert_string_equal(info.subformat, "dynamic");
        assert_int_equal(info.virtual_size, 100 << 20);
        assert_int_equal(info.cluster_bits, 20);
        storvirt__img_info_clear(&info);

        put_le32(m.b + 68, 0x00020000);
        fails(&m, -EOPNOTSUPP, "vdi header: version 0x00020000 not supported");
        put_le32(m.b + 68, 0x00010001);
        put_le32(m.b + 76, 9);
        fails(&m, -EINVAL, "vdi header: image_type 9 unknown");
        put_le32(m.b + 76, 2);
        put_le32(m.b + 376, 0);
        fails(&m, -EINVAL, "vdi header: block_size 0 invalid (a power of two, at least 512)");
        put_le32(m.b + 376, 1 << 20);
        put_le64(m.b + 368, UINT64_MAX);
        fails(&m, -EINVAL, "vdi header: disk_size 18446744073709551615 larger than blocks_in_image 100 "
              "x block_size 1048576");
        put_le64(m.b + 368, 200 << 20);
        fails(&m, -EINVAL, "vdi header: disk_size 209715200 larger than blocks_in_image 100");
        put_le64(m.b + 368, 100 << 20);
        put_le32(m.b + 340, 900);
        fails(&m, -EINVAL, "vdi header: block map at offset 900 (100 entries) runs past the end of the file "
              "(1024 bytes)");
        m.len = 300;
        fails(&m, -EINVAL, "vdi header truncated: the file has 300 bytes");
        img_free(&m);
}

static void test_iso(void **state) {
        storvirt__img_info info = {};
        struct img m = {};

        img_alloc(&m, 36864);
        m.b[32768] = 1;
        memcpy(m.b + 32769, "CD001", 5);
        probe_ok(&m, &info);
        assert_string_equal(info.format, "iso");
        assert_int_equal(info.virtual_size, 36864);
        storvirt__img_info_clear(&info);
        m.len = 32772; /* the magic cut short: raw */
        probe_ok(&m, &info);
        assert_string_equal(info.format, "raw");
        storvirt__img_info_clear(&info);
        img_free(&m);
}

/*
 * A file with no block allocated, its head zeros, is raw without the
 * reads further in; a head with data means the block count is not to be
 * trusted, and every signature is read.
 */
static void test_probe_file_no_blocks(void **state) {
        storvirt__img_info info = {};
        struct img m = {};
        struct stat st, none;
        int fd;

        img_alloc(&m, 36864);
        m.b[32768] = 1;
        memcpy(m.b + 32769, "CD001", 5);
        fd = memfd_of(m.b, m.len);
        assert_int_equal(fstat(fd, &st), 0);
        assert_true(st.st_blocks > 0);
        assert_int_equal(storvirt__img_probe_file(fd, &st, "t", &info), 0);
        assert_string_equal(info.format, "iso");
        storvirt__img_info_clear(&info);
        /* the same file said to have no block: its zero head is taken as the whole */
        none = st;
        none.st_blocks = 0;
        assert_int_equal(storvirt__img_probe_file(fd, &none, "t", &info), 0);
        assert_string_equal(info.format, "raw");
        assert_int_equal(info.virtual_size, 36864);
        storvirt__img_info_clear(&info);
        close(fd);
        /* data in the head: the count of blocks is wrong, the iso is found */
        m.b[100] = 1;
        fd = memfd_of(m.b, m.len);
        assert_int_equal(storvirt__img_probe_file(fd, &none, "t", &info), 0);
        assert_string_equal(info.format, "iso");
        storvirt__img_info_clear(&info);
        close(fd);
        /* a new sparse image: nothing allocated */
        fd = memfd_create("img", MFD_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(ftruncate(fd, 1 << 30), 0);
        assert_int_equal(fstat(fd, &st), 0);
        assert_int_equal(storvirt__img_probe_file(fd, &st, "t", &info), 0);
        assert_string_equal(info.format, "raw");
        assert_int_equal(info.virtual_size, 1 << 30);
        storvirt__img_info_clear(&info);
        assert_int_equal(storvirt__img_probe_file(fd, NULL, "t", &info), -EINVAL);
        close(fd);
        img_free(&m);
}

/* ---- luks -------------------------------------------------------------------------------- */

static void luks1_build(struct img *m, uint32_t payload_sectors, size_t len) {
        img_alloc(m, len);
        memcpy(m->b, "LUKS\xba\xbe", 6);
        storvirt__put_be16(m->b + 6, 1);
        strcpy((char *) m->b + 8, "aes");
        strcpy((char *) m->b + 40, "xts-plain64");
        strcpy((char *) m->b + 72, "sha256");
        storvirt__put_be32(m->b + 104, payload_sectors);
        storvirt__put_be32(m->b + 108, 64);
}

static void luks2_build(struct img *m, const char *json, uint64_t hdr_size, size_t len) {
        img_alloc(m, len);
        memcpy(m->b, "LUKS\xba\xbe", 6);
        storvirt__put_be16(m->b + 6, 2);
        storvirt__put_be64(m->b + 8, hdr_size);
        storvirt__put_be64(m->b + 16, 1);
        strcpy((char *) m->b + 72, "sha256");
        if (json)
                memcpy(m->b + 4096, json, strlen(json));
}

#define LUKS2_JSON(segments) "{\"keyslots\":{},\"tokens\":{},\"segments\":{" segments "},"   \
        "\"digests\":{},\"config\":{\"json_size\":\"12288\",\"keyslots_size\":\"16384\"}}"

static void test_luks1(void **state) {
        storvirt__img_info info = {};
        struct img m = {};

        luks1_build(&m, 8, 8192);
        probe_ok(&m, &info);
        assert_string_equal(info.format, "luks");
        assert_int_equal(info.luks_version, 1);
        assert_true(info.encrypted);
        assert_string_equal(info.encryption, "luks");
        assert_int_equal(info.payload_offset, 4096);
        assert_int_equal(info.virtual_size, 4096);
        /* the cipher as libvirt names it: xts takes two keys of 256 bits */
        assert_string_equal(info.cipher.name, "aes");
        assert_int_equal(info.cipher.size, 256);
        assert_string_equal(info.cipher.mode, "xts");
        assert_string_equal(info.cipher.hash, "sha256");
        assert_string_equal(info.cipher.ivgen, "plain64");
        assert_string_equal(info.cipher.ivgen_hash, "");
        storvirt__img_info_clear(&info);

        /* cbc-essiv:sha256 with a 128-bit key */
        memset(m.b + 40, 0, 32);
        strcpy((char *) m.b + 40, "cbc-essiv:sha256");
        storvirt__put_be32(m.b + 108, 16);
        probe_ok(&m, &info);
        assert_string_equal(info.cipher.mode, "cbc");
        assert_int_equal(info.cipher.size, 128);
        assert_string_equal(info.cipher.ivgen, "essiv");
        assert_string_equal(info.cipher.ivgen_hash, "sha256");
        storvirt__img_info_clear(&info);

        /* a cipher field that is not a name qemu writes: no cipher, the probe still succeeds */
        memset(m.b + 8, 'A', 32);
        probe_ok(&m, &info);
        assert_true(info.encrypted);
        assert_string_equal(info.cipher.name, "");
        storvirt__img_info_clear(&info);
        strcpy((char *) m.b + 8, "aes");

        storvirt__put_be32(m.b + 104, 0xffffffff);
        fails(&m, -EINVAL, "luks header: payload at offset 2199023255040 (0 bytes) runs past the end of "
              "the file (8192 bytes)");
        storvirt__put_be16(m.b + 6, 3);
        fails(&m, -EOPNOTSUPP, "luks header: version 3 not supported (1 or 2)");
        storvirt__put_be16(m.b + 6, 1);
        m.len = 500;
        fails(&m, -EINVAL, "luks header truncated: the file has 500 bytes, the header needs 592");
        m.len = 100;
        fails(&m, -EINVAL, "luks header truncated: the file has 100 bytes");
        img_free(&m);
}

static void test_luks2(void **state) {
        storvirt__img_info info = {};
        struct img m = {};
        char *area;

        luks2_build(&m, LUKS2_JSON("\"0\":{\"type\":\"crypt\",\"offset\":\"32768\",\"size\":\"dynamic\","
                                   "\"iv_tweak\":\"0\",\"encryption\":\"aes-xts-plain64\",\"sector_size\":512}"),
                    16384, 40960);
        probe_ok(&m, &info);
        assert_string_equal(info.format, "luks");
        assert_int_equal(info.luks_version, 2);
        assert_int_equal(info.payload_offset, 32768);
        assert_int_equal(info.virtual_size, 8192);
        storvirt__img_info_clear(&info);

        /* two segments (as during reencryption): the lowest offset, with its fixed size */
        luks2_build(&m, LUKS2_JSON("\"1\":{\"offset\":\"36864\",\"size\":\"dynamic\"},"
                                   "\"0\":{\"offset\":32768,\"size\":\"2048\"}"), 16384, 40960);
        probe_ok(&m, &info);
        assert_int_equal(info.payload_offset, 32768);
        assert_int_equal(info.virtual_size, 2048);
        storvirt__img_info_clear(&info);

        luks2_build(&m, LUKS2_JSON("\"0\":{\"offset\":\"32768\",\"size\":\"99999\"}"), 16384, 40960);
        fails(&m, -EINVAL, "luks header: payload at offset 32768 (99999 bytes) runs past the end of the file");
        luks2_build(&m, LUKS2_JSON("\"0\":{\"offset\":\"1e5\",\"size\":\"dynamic\"}"), 16384, 40960);
        fails(&m, -EINVAL, "'t.img': luks2 JSON area: segment '0': field 'offset'");
        luks2_build(&m, LUKS2_JSON("\"0\":{\"size\":\"dynamic\"}"), 16384, 40960);
        fails(&m, -EINVAL, "'t.img': luks2 JSON area: segment '0': field 'offset': missing");
        luks2_build(&m, LUKS2_JSON(""), 16384, 40960);
        fails(&m, -EINVAL, "'t.img': luks2 JSON area: no segments");
        luks2_build(&m, "{\"keyslots\":{}}", 16384, 40960);
        fails(&m, -EINVAL, "'t.img': luks2 JSON area: field 'segments': missing");
        luks2_build(&m, "{\"segments\":", 16384, 40960);
        fails(&m, -EINVAL, "'t.img': luks2 JSON area: invalid JSON");
        luks2_build(&m, NULL, 16384, 40960);
        area = (char *) m.b + 4096;
        memset(area, ' ', 16384 - 4096); /* no terminator anywhere */
        fails(&m, -EINVAL, "luks2 JSON area (12288 bytes) has no NUL terminator");
        luks2_build(&m, NULL, 1 << 20, 1 << 20);
        memset(m.b + 4096, ' ', (1 << 20) - 4096);
        fails(&m, -EOPNOTSUPP, "luks2 JSON text longer than 65536 bytes is not supported");
        luks2_build(&m, "{}", 20000, 40960);
        fails(&m, -EINVAL, "luks2 header: hdr_size 20000 invalid (a power of two from 16384 to 4194304)");
        luks2_build(&m, "{}", 1ull << 62, 40960);
        fails(&m, -EINVAL, "hdr_size 4611686018427387904 invalid");
        luks2_build(&m, "{}", 1 << 20, 40960);
        fails(&m, -EINVAL, "luks2 JSON area at offset 4096 (65536 bytes) runs past the end of the file");
        img_free(&m);
}

/* ---- backing chains --------------------------------------------------------------------- */

struct scratch {
        char path[64];
        int dirfd;
};

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f) {
        return remove(p);
}

static int setup(void **state) {
        struct scratch *s = calloc(1, sizeof(*s));

        assert_non_null(s);
        strcpy(s->path, "/tmp/storvirt-test-imgfmt-XXXXXX");
        assert_non_null(mkdtemp(s->path));
        s->dirfd = open(s->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(s->dirfd >= 0);
        *state = s;
        return 0;
}

static int teardown(void **state) {
        struct scratch *s = *state;

        close(s->dirfd);
        nftw(s->path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        free(s);
        return 0;
}

static void write_file(int dirfd, const char *name, const uint8_t *b, size_t len) {
        int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

        assert_true(fd >= 0);
        assert_int_equal(write(fd, b, len), (ssize_t) len);
        close(fd);
}

/* A qcow2 image name with backing file (NULL: none) and format (NULL: not recorded). */
static void write_qcow2(int dirfd, const char *name, const char *backing, const char *fmt) {
        struct q2p p = { .version = 3, .cbits = 12, .size = 1 << 20, .backing = backing, .bfmt = fmt };
        struct img m = {};

        qcow2_build(&m, &p);
        write_file(dirfd, name, m.b, m.len);
        img_free(&m);
}

static int chain(int dirfd, const char *path, unsigned depth, storvirt__img_info **v, size_t *n) {
        storvirt__error_reset();
        return storvirt__img_probe_chain(dirfd, path, depth, v, n);
}

static void test_chain_relative(void **state) {
        struct scratch *s = *state;
        storvirt__img_info *v = NULL;
        uint8_t raw[1000] = { 0 };
        char abs[128];
        size_t n = 0;

        assert_int_equal(mkdirat(s->dirfd, "vm", 0755), 0);
        assert_int_equal(mkdirat(s->dirfd, "base", 0755), 0);
        write_file(s->dirfd, "base/os.raw", raw, sizeof(raw));
        write_qcow2(s->dirfd, "base/mid.qcow2", "os.raw", "raw");
        write_qcow2(s->dirfd, "vm/top.qcow2", "../base/mid.qcow2", "qcow2");
        assert_int_equal(chain(s->dirfd, "vm/top.qcow2", 0, &v, &n), 0);
        assert_int_equal(n, 3);
        assert_string_equal(v[0].filename, "vm/top.qcow2");
        assert_string_equal(v[0].backing_file, "../base/mid.qcow2");
        assert_string_equal(v[1].filename, "vm/../base/mid.qcow2");
        assert_string_equal(v[1].format, "qcow2");
        assert_string_equal(v[2].filename, "vm/../base/os.raw");
        assert_string_equal(v[2].format, "raw");
        assert_int_equal(v[2].virtual_size, 1000);
        storvirt__img_chain_free(v, n);
        storvirt__img_chain_free(NULL, 0);

        /* absolute backing name, "file:" prefix, no recorded format: probed */
        snprintf(abs, sizeof(abs), "%s/base/mid.qcow2", s->path);
        write_qcow2(s->dirfd, "abs.qcow2", abs, NULL);
        write_qcow2(s->dirfd, "file.qcow2", "file:abs.qcow2", "host_device");
        assert_int_equal(chain(s->dirfd, "file.qcow2", 0, &v, &n), 0);
        assert_int_equal(n, 2);
        assert_string_equal(v[1].filename, "abs.qcow2");
        assert_string_equal(v[1].format, "raw"); /* host_device: read as raw */
        storvirt__img_chain_free(v, n);
        assert_int_equal(chain(s->dirfd, "abs.qcow2", 0, &v, &n), 0);
        assert_int_equal(n, 3);
        assert_string_equal(v[1].filename, abs);
        assert_string_equal(v[1].format, "qcow2");
        storvirt__img_chain_free(v, n);
}

static void test_chain_raw_not_probed(void **state) {
        struct scratch *s = *state;
        storvirt__img_info *v = NULL;
        size_t n = 0;

        /* a "raw" backing file whose content looks like qcow2 pointing elsewhere */
        write_qcow2(s->dirfd, "guest.raw", "/etc/shadow", "raw");
        write_qcow2(s->dirfd, "top.qcow2", "guest.raw", "raw");
        assert_int_equal(chain(s->dirfd, "top.qcow2", 0, &v, &n), 0);
        assert_int_equal(n, 2);
        assert_string_equal(v[1].format, "raw");
        assert_null(v[1].backing_file);
        storvirt__img_chain_free(v, n);
        /* a recorded format the file does not have */
        write_qcow2(s->dirfd, "wrong.qcow2", "guest.raw", "vmdk");
        assert_int_equal(chain(s->dirfd, "wrong.qcow2", 0, &v, &n), -EINVAL);
        assert_msg("'guest.raw': not a vmdk image");
        write_qcow2(s->dirfd, "odd.qcow2", "guest.raw", "vhdx");
        assert_int_equal(chain(s->dirfd, "odd.qcow2", 0, &v, &n), -EOPNOTSUPP);
        assert_msg("'odd.qcow2': backing format 'vhdx' is not supported");
}

static void test_chain_loops(void **state) {
        struct scratch *s = *state;
        storvirt__img_info *v = (storvirt__img_info *) 0x1;
        size_t n = 77;

        write_qcow2(s->dirfd, "a.qcow2", "b.qcow2", "qcow2");
        write_qcow2(s->dirfd, "b.qcow2", "c.qcow2", "qcow2");
        write_qcow2(s->dirfd, "c.qcow2", "./b.qcow2", "qcow2");
        assert_int_equal(chain(s->dirfd, "a.qcow2", 0, &v, &n), -ELOOP);
        assert_msg("'a.qcow2': backing chain loops: a.qcow2 -> b.qcow2 -> c.qcow2 -> ./b.qcow2");
        assert_ptr_equal(v, (storvirt__img_info *) 0x1);
        assert_int_equal(n, 77);
        write_qcow2(s->dirfd, "self.qcow2", "self.qcow2", "qcow2");
        assert_int_equal(chain(s->dirfd, "self.qcow2", 0, &v, &n), -ELOOP);
        assert_msg("'self.qcow2': backing chain loops: self.qcow2 -> self.qcow2");
        /* a hard link is the same image under another name */
        assert_int_equal(linkat(s->dirfd, "a.qcow2", s->dirfd, "hard.qcow2", 0), 0);
        write_qcow2(s->dirfd, "b.qcow2", "hard.qcow2", "qcow2");
        assert_int_equal(chain(s->dirfd, "a.qcow2", 0, &v, &n), -ELOOP);
        assert_msg("backing chain loops: a.qcow2 -> b.qcow2 -> hard.qcow2");
}

static void test_chain_depth(void **state) {
        struct scratch *s = *state;
        storvirt__img_info *v = NULL;
        size_t n = 0;
        char name[32], next[32];

        for (int i = 0; i < 70; i++) {
                snprintf(name, sizeof(name), "l%d.qcow2", i);
                snprintf(next, sizeof(next), "l%d.qcow2", i + 1);
                write_qcow2(s->dirfd, name, i < 69 ? next : NULL, i < 69 ? "qcow2" : NULL);
        }
        assert_int_equal(chain(s->dirfd, "l0.qcow2", 3, &v, &n), -ELOOP);
        assert_msg("'l0.qcow2': backing chain deeper than 3 images");
        assert_int_equal(chain(s->dirfd, "l66.qcow2", 3, &v, &n), 0);
        assert_int_equal(n, 4);
        storvirt__img_chain_free(v, n);
        assert_int_equal(chain(s->dirfd, "l0.qcow2", 0, &v, &n), -ELOOP);
        assert_msg("backing chain deeper than 64 images");
        assert_int_equal(chain(s->dirfd, "l5.qcow2", 0, &v, &n), 0);
        assert_int_equal(n, 65);
        storvirt__img_chain_free(v, n);
}

static void test_chain_refusals(void **state) {
        struct scratch *s = *state;
        storvirt__img_info *v = NULL;
        size_t n = 0;

        write_qcow2(s->dirfd, "nbd.qcow2", "nbd:localhost:10809", "raw");
        assert_int_equal(chain(s->dirfd, "nbd.qcow2", 0, &v, &n), -EOPNOTSUPP);
        assert_msg("'nbd.qcow2': backing file 'nbd:localhost:10809' uses the protocol 'nbd:'; only "
                   "local files can be followed");
        write_qcow2(s->dirfd, "json.qcow2", "json:{\"file.driver\":\"http\"}", "raw");
        assert_int_equal(chain(s->dirfd, "json.qcow2", 0, &v, &n), -EOPNOTSUPP);
        assert_msg("uses the protocol 'json:'");
        write_qcow2(s->dirfd, "http.qcow2", "http://host/x.img", "raw");
        assert_int_equal(chain(s->dirfd, "http.qcow2", 0, &v, &n), -EOPNOTSUPP);
        assert_msg("uses the protocol 'http:'");
        write_qcow2(s->dirfd, "missing.qcow2", "gone.qcow2", "qcow2");
        assert_int_equal(chain(s->dirfd, "missing.qcow2", 0, &v, &n), -ENOENT);
        assert_msg("'gone.qcow2': No such file or directory");
        assert_int_equal(mkfifoat(s->dirfd, "fifo", 0600), 0);
        write_qcow2(s->dirfd, "fifo.qcow2", "fifo", "raw");
        assert_int_equal(chain(s->dirfd, "fifo.qcow2", 0, &v, &n), -EINVAL);
        assert_msg("'fifo': not a regular file or block device");
        assert_int_equal(symlinkat("fifo.qcow2", s->dirfd, "link.qcow2"), 0);
        assert_int_equal(chain(s->dirfd, "link.qcow2", 0, &v, &n), -ELOOP);
        assert_msg("'link.qcow2': is a symbolic link");
        /* a symlink as backing file is followed */
        write_qcow2(s->dirfd, "t.qcow2", "l.qcow2", "qcow2");
        write_qcow2(s->dirfd, "real.qcow2", NULL, NULL);
        assert_int_equal(symlinkat("real.qcow2", s->dirfd, "l.qcow2"), 0);
        assert_int_equal(chain(s->dirfd, "t.qcow2", 0, &v, &n), 0);
        assert_int_equal(n, 2);
        storvirt__img_chain_free(v, n);
        /* a broken image in the middle */
        write_file(s->dirfd, "bad.qcow2", (const uint8_t *) "QFI\xfb\0\0\0\x09", 8);
        write_qcow2(s->dirfd, "onbad.qcow2", "bad.qcow2", "qcow2");
        assert_int_equal(chain(s->dirfd, "onbad.qcow2", 0, &v, &n), -EOPNOTSUPP);
        assert_msg("'bad.qcow2': qcow2 header: version 9 not supported");
        assert_int_equal(chain(s->dirfd, "", 0, &v, &n), -EINVAL);
        assert_int_equal(chain(s->dirfd, NULL, 0, &v, &n), -EINVAL);
        assert_int_equal(chain(s->dirfd, "t.qcow2", 0, NULL, &n), -EINVAL);
}

static void test_format_names(void **state) {
        assert_true(storvirt__img_format_is_known("qcow2"));
        assert_true(storvirt__img_format_is_known("raw"));
        assert_true(storvirt__img_format_is_known("luks"));
        assert_false(storvirt__img_format_is_known("iso"));
        assert_false(storvirt__img_format_is_known("QCOW2"));
        assert_false(storvirt__img_format_is_known(""));
        assert_false(storvirt__img_format_is_known(NULL));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_raw),
                cmocka_unit_test(test_qcow2_v3),
                cmocka_unit_test(test_qcow2_v2_and_encrypted),
                cmocka_unit_test(test_qcow2_bad_fields),
                cmocka_unit_test(test_qcow2_bad_tables),
                cmocka_unit_test(test_qcow2_bad_extensions),
                cmocka_unit_test(test_qcow2_far_extension),
                cmocka_unit_test(test_qcow2_bad_backing),
                cmocka_unit_test(test_qcow1),
                cmocka_unit_test(test_forced_format),
                cmocka_unit_test(test_short_file_and_args),
                cmocka_unit_test(test_qed),
                cmocka_unit_test(test_vmdk_sparse),
                cmocka_unit_test(test_vmdk_descriptor_errors),
                cmocka_unit_test(test_vmdk_text),
                cmocka_unit_test(test_vpc_dynamic),
                cmocka_unit_test(test_vpc_locator),
                cmocka_unit_test(test_vpc_fixed_and_errors),
                cmocka_unit_test(test_vdi),
                cmocka_unit_test(test_iso),
                cmocka_unit_test(test_probe_file_no_blocks),
                cmocka_unit_test(test_luks1),
                cmocka_unit_test(test_luks2),
                cmocka_unit_test_setup_teardown(test_chain_relative, setup, teardown),
                cmocka_unit_test_setup_teardown(test_chain_raw_not_probed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_chain_loops, setup, teardown),
                cmocka_unit_test_setup_teardown(test_chain_depth, setup, teardown),
                cmocka_unit_test_setup_teardown(test_chain_refusals, setup, teardown),
                cmocka_unit_test(test_format_names),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
