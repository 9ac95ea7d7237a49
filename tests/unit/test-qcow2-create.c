/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-qcow2-create.c - native image creation: qcow2 images round-trip
 * through our own prober and pass a refcount check done here (every
 * cluster referenced exactly as often as its refcount says, no leaks),
 * for every cluster size, both compat levels, backing files and
 * metadata preallocation; option and target errors; raw images,
 * sparse and preallocated, with progress reports and cancellation.
 * qemu-img's view of the same images is checked by
 * tests/api/test_imgfmt_qemu.py.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys/imgfmt.h"
#include "sys/qcow2.h"
#include "sys/rawimg.h"
#include "util/error.h"

#define L2E_OFFSET_MASK 0x00fffffffffffe00ull
#define OFLAG_COPIED (1ull << 63)

struct scratch {
        char path[64];
        int fd;
};

static int setup(void **state) {
        struct scratch *s = calloc(1, sizeof(*s));
        int fd;

        assert_non_null(s);
        strcpy(s->path, "/tmp/storvirt-test-create-XXXXXX");
        fd = mkstemp(s->path);
        assert_true(fd >= 0);
        s->fd = fd;
        storvirt__error_reset();
        *state = s;
        return 0;
}

static int teardown(void **state) {
        struct scratch *s = *state;

        close(s->fd);
        unlink(s->path);
        free(s);
        return 0;
}

static void reset_file(struct scratch *s) {
        assert_int_equal(ftruncate(s->fd, 0), 0);
        storvirt__error_reset();
}

static void assert_msg(const char *expected) {
        const char *msg = storvirt__error_msg();

        if (!msg || !strstr(msg, expected)) {
                print_error("message: %s\nexpected to contain: %s\n", msg ? msg : "(null)", expected);
                fail();
        }
}

static void pread_all(int fd, void *buf, size_t len, uint64_t off) {
        assert_int_equal(pread(fd, buf, len, (off_t) off), (ssize_t) len);
}

/* ---- an independent refcount check --------------------------------------------- */

struct check {
        int fd;
        uint64_t c, nclusters;
        uint32_t *refs; /* references found per cluster */
};

static void mark(struct check *k, uint64_t off) {
        assert_int_equal(off % k->c, 0);
        assert_true(off / k->c < k->nclusters);
        k->refs[off / k->c]++;
}

/* Returns the data clusters the L2 table maps. */
static uint64_t check_l2(struct check *k, uint64_t l2_off) {
        uint8_t *l2 = malloc(k->c);
        uint64_t n = 0;

        assert_non_null(l2);
        pread_all(k->fd, l2, k->c, l2_off);
        for (uint64_t j = 0; j < k->c / 8; j++) {
                uint64_t e = storvirt__be64(l2 + j * 8);

                if (e == 0)
                        continue;
                assert_true(e & OFLAG_COPIED);
                mark(k, e & L2E_OFFSET_MASK);
                n++;
        }
        free(l2);
        return n;
}

static void check_mapping(struct check *k, const uint8_t *h, uint64_t *ret_data) {
        uint32_t l1_size = storvirt__be32(h + 36);
        uint64_t l1_off = storvirt__be64(h + 40), data = 0;
        uint8_t *l1 = malloc(l1_size * 8 + 1);

        assert_non_null(l1);
        for (uint64_t i = 0; i < (l1_size * 8 + k->c - 1) / k->c; i++)
                mark(k, l1_off + i * k->c);
        pread_all(k->fd, l1, l1_size * 8, l1_off);
        for (uint32_t i = 0; i < l1_size; i++) {
                uint64_t e = storvirt__be64(l1 + i * 8);

                if (e == 0)
                        continue;
                assert_true(e & OFLAG_COPIED);
                mark(k, e & L2E_OFFSET_MASK);
                data += check_l2(k, e & L2E_OFFSET_MASK);
        }
        *ret_data = data;
        free(l1);
}

/* Stored refcounts must equal the references found; returns the clusters in use. */
static uint64_t check_refcounts(struct check *k, const uint8_t *h) {
        uint64_t rt_off = storvirt__be64(h + 48), rt_n = storvirt__be32(h + 56) * k->c / 8;
        uint8_t *rt = malloc(rt_n * 8), *rb = malloc(k->c);
        uint64_t used = 0;

        assert_non_null(rt);
        assert_non_null(rb);
        pread_all(k->fd, rt, rt_n * 8, rt_off);
        for (uint64_t i = 0; i < rt_n; i++)
                if (storvirt__be64(rt + i * 8))
                        mark(k, storvirt__be64(rt + i * 8));
        for (uint64_t i = 0; i < rt_n; i++) {
                uint64_t e = storvirt__be64(rt + i * 8);

                if (e == 0) {
                        assert_true(i * (k->c / 2) >= k->nclusters);
                        continue;
                }
                pread_all(k->fd, rb, k->c, e);
                for (uint64_t j = 0; j < k->c / 2; j++) {
                        uint64_t idx = i * (k->c / 2) + j;
                        uint16_t rc = storvirt__be16(rb + j * 2);

                        assert_int_equal(rc, idx < k->nclusters ? k->refs[idx] : 0);
                        used += rc != 0;
                }
        }
        free(rt);
        free(rb);
        return used;
}

/* Checks the whole image; returns the number of data clusters mapped. */
static uint64_t check_qcow2(int fd) {
        uint8_t h[112];
        struct stat st;
        struct check k = { .fd = fd };
        uint64_t mapped, used;

        pread_all(fd, h, sizeof(h), 0);
        assert_int_equal(fstat(fd, &st), 0);
        k.c = 1ull << storvirt__be32(h + 20);
        assert_int_equal(st.st_size % k.c, 0);
        k.nclusters = (uint64_t) st.st_size / k.c;
        if (storvirt__be32(h + 4) == 3)
                assert_int_equal(storvirt__be32(h + 96), 4); /* 16-bit refcounts */
        k.refs = calloc(k.nclusters + 1, sizeof(*k.refs));
        assert_non_null(k.refs);
        k.refs[0] = 1; /* header */
        for (uint64_t i = 0; i < storvirt__be32(h + 56); i++)
                mark(&k, storvirt__be64(h + 48) + i * k.c);
        check_mapping(&k, h, &mapped);
        used = check_refcounts(&k, h);
        assert_int_equal(used, k.nclusters); /* no leaked or unreferenced cluster */
        for (uint64_t i = 0; i < k.nclusters; i++)
                assert_int_equal(k.refs[i], 1);
        free(k.refs);
        return mapped;
}

static void create_ok(struct scratch *s, const struct storvirt__qcow2_opts *o,
                      storvirt__img_info *info) {
        struct stat st;
        int r;

        reset_file(s);
        r = storvirt__qcow2_create_fd(s->fd, o, "new.qcow2");
        if (r < 0)
                print_error("create failed: %s\n", storvirt__error_msg());
        assert_int_equal(r, 0);
        assert_int_equal(fstat(s->fd, &st), 0);
        r = storvirt__img_probe_fd(s->fd, (uint64_t) st.st_size, "new.qcow2", info);
        if (r < 0)
                print_error("probe failed: %s\n", storvirt__error_msg());
        assert_int_equal(r, 0);
        assert_string_equal(info->format, "qcow2");
        assert_int_equal(info->virtual_size, o->size);
}

/* ---- qcow2 -------------------------------------------------------------------- */

static void test_defaults(void **state) {
        struct scratch *s = *state;
        struct storvirt__qcow2_opts o = { .size = 1ull << 30 };
        storvirt__img_info info = {};
        struct stat st;

        create_ok(s, &o, &info);
        assert_int_equal(info.qcow2_version, 3);
        assert_string_equal(info.compat, "1.1");
        assert_int_equal(info.cluster_bits, 16);
        assert_false(info.lazy_refcounts);
        assert_false(info.encrypted);
        assert_null(info.backing_file);
        assert_string_equal(info.backing_format, "");
        assert_int_equal(info.incompatible_features, 0);
        storvirt__img_info_clear(&info);
        assert_int_equal(fstat(s->fd, &st), 0);
        assert_int_equal(st.st_size, 4 * 65536); /* header, refcount table and block, L1 */
        assert_int_equal(check_qcow2(s->fd), 0);
}

static void test_compat_and_backing(void **state) {
        struct scratch *s = *state;
        struct storvirt__qcow2_opts o = { .size = 10 << 20, .cluster_size = 4096, .compat_010 = true,
                                          .backing_file = "base image.raw", .backing_format = "raw" };
        storvirt__img_info info = {};

        create_ok(s, &o, &info);
        assert_int_equal(info.qcow2_version, 2);
        assert_string_equal(info.compat, "0.10");
        assert_int_equal(info.cluster_bits, 12);
        assert_string_equal(info.backing_file, "base image.raw");
        assert_string_equal(info.backing_format, "raw");
        storvirt__img_info_clear(&info);
        check_qcow2(s->fd);

        o = (struct storvirt__qcow2_opts) { .size = 1ull << 40, .lazy_refcounts = true,
                                            .backing_file = "/var/lib/images/base.qcow2",
                                            .backing_format = "qcow2" };
        create_ok(s, &o, &info);
        assert_string_equal(info.compat, "1.1");
        assert_true(info.lazy_refcounts);
        assert_int_equal(info.compatible_features, 1);
        assert_string_equal(info.backing_file, "/var/lib/images/base.qcow2");
        assert_string_equal(info.backing_format, "qcow2");
        storvirt__img_info_clear(&info);
        check_qcow2(s->fd);
}

static void test_long_backing_name(void **state) {
        struct scratch *s = *state;
        char name[1024];
        struct storvirt__qcow2_opts o = { .size = 1 << 20, .backing_file = name, .backing_format = "vmdk" };
        storvirt__img_info info = {};

        memset(name, 'n', sizeof(name) - 1);
        name[sizeof(name) - 1] = '\0';
        create_ok(s, &o, &info);
        assert_string_equal(info.backing_file, name);
        storvirt__img_info_clear(&info);
        check_qcow2(s->fd);
        /* 1023 bytes do not fit in a 512-byte header cluster */
        o.cluster_size = 512;
        reset_file(s);
        assert_int_equal(storvirt__qcow2_create_fd(s->fd, &o, "x.qcow2"), -EINVAL);
        assert_msg("'x.qcow2': qcow2 option backing_file: header, extensions and name (1159 bytes) do "
                   "not fit in a cluster of 512 bytes");
}

static void test_cluster_sizes(void **state) {
        struct scratch *s = *state;

        for (uint32_t c = 512; c <= (2u << 20); c *= 2) {
                struct storvirt__qcow2_opts o = { .size = 64 << 20, .cluster_size = c,
                                                  .compat_010 = c == 8192 };
                storvirt__img_info info = {};

                create_ok(s, &o, &info);
                assert_int_equal(1u << info.cluster_bits, c);
                storvirt__img_info_clear(&info);
                check_qcow2(s->fd);
        }
}

static void test_prealloc(void **state) {
        static const struct { uint64_t size; uint32_t c; } cases[] = {
                { 0, 0 }, { 512, 0 }, { (1 << 20) + 512, 0 }, { 64 << 20, 0 },
                { 4 << 20, 512 }, { 9 << 20, 512 } /* refcount table of 2 clusters */,
                { 3 << 20, 2u << 20 },
        };
        struct scratch *s = *state;

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct storvirt__qcow2_opts o = { .size = cases[i].size, .cluster_size = cases[i].c,
                                                  .preallocate_metadata = true, .compat_010 = i % 2 };
                uint64_t c = cases[i].c ? cases[i].c : 65536;
                storvirt__img_info info = {};

                create_ok(s, &o, &info);
                storvirt__img_info_clear(&info);
                /* every cluster of the virtual disk is mapped */
                assert_int_equal(check_qcow2(s->fd), (cases[i].size + c - 1) / c);
        }
}

static void test_size_zero(void **state) {
        struct scratch *s = *state;
        struct storvirt__qcow2_opts o = { .size = 0 };
        storvirt__img_info info = {};
        struct stat st;

        create_ok(s, &o, &info);
        storvirt__img_info_clear(&info);
        assert_int_equal(fstat(s->fd, &st), 0);
        assert_int_equal(st.st_size, 3 * 65536); /* no L1 table */
        check_qcow2(s->fd);
        /* size 0 with a backing file: the caller filled nothing in, still valid */
        o.backing_file = "base.qcow2";
        o.backing_format = "qcow2";
        create_ok(s, &o, &info);
        assert_string_equal(info.backing_file, "base.qcow2");
        storvirt__img_info_clear(&info);
}

static void create_fails(struct scratch *s, const struct storvirt__qcow2_opts *o, int err,
                         const char *msg) {
        struct stat st;

        reset_file(s);
        assert_int_equal(storvirt__qcow2_create_fd(s->fd, o, "x.qcow2"), err);
        assert_msg(msg);
        assert_int_equal(fstat(s->fd, &st), 0);
        assert_int_equal(st.st_size, 0); /* option errors write nothing */
}

static void test_option_errors(void **state) {
        struct scratch *s = *state;
        struct storvirt__qcow2_opts o;

        o = (struct storvirt__qcow2_opts) { .size = 1 << 20, .cluster_size = 1000 };
        create_fails(s, &o, -EINVAL, "'x.qcow2': qcow2 option cluster_size 1000: not a power of two from "
                     "512 to 2097152");
        o.cluster_size = 256;
        create_fails(s, &o, -EINVAL, "qcow2 option cluster_size 256: not a power of two");
        o.cluster_size = 4u << 20;
        create_fails(s, &o, -EINVAL, "qcow2 option cluster_size 4194304: not a power of two");
        o = (struct storvirt__qcow2_opts) { .size = 1000 };
        create_fails(s, &o, -EINVAL, "'x.qcow2': qcow2 option size 1000: not a multiple of 512");
        o = (struct storvirt__qcow2_opts) { .size = 1 << 20, .compat_010 = true, .lazy_refcounts = true };
        create_fails(s, &o, -EINVAL, "qcow2 option lazy_refcounts: needs compat 1.1 (compat_010 is set)");
        o = (struct storvirt__qcow2_opts) { .size = 1 << 20, .backing_file = "", .backing_format = "raw" };
        create_fails(s, &o, -EINVAL, "qcow2 option backing_file: empty");
        o.backing_file = "b.img";
        o.backing_format = NULL;
        create_fails(s, &o, -EINVAL, "qcow2 option backing_format: required with backing_file");
        o.backing_format = "qcow3";
        create_fails(s, &o, -EINVAL, "qcow2 option backing_format 'qcow3': unknown format (known: raw, "
                     "qcow, qcow2, qed, vmdk, vpc, vdi, luks)");
        o.backing_format = "iso";
        create_fails(s, &o, -EINVAL, "qcow2 option backing_format 'iso': unknown format");
        o.backing_format = "raw";
        o.preallocate_metadata = true;
        create_fails(s, &o, -EINVAL, "qcow2 option preallocate_metadata: cannot be combined with "
                     "backing_file");
        o = (struct storvirt__qcow2_opts) { .size = 1 << 20, .backing_format = "raw" };
        create_fails(s, &o, -EINVAL, "qcow2 option backing_format 'raw': given without backing_file");
        {
                char name[1025];

                memset(name, 'x', 1024);
                name[1024] = '\0';
                o = (struct storvirt__qcow2_opts) { .size = 1 << 20, .backing_file = name,
                                                    .backing_format = "raw" };
                create_fails(s, &o, -EINVAL, "qcow2 option backing_file: 1024 bytes, at most 1023");
        }
}

static void test_size_limits(void **state) {
        struct scratch *s = *state;
        struct storvirt__qcow2_opts o;
        storvirt__img_info info = {};

        /* 512-byte clusters address 2^37 bytes with an L1 table of 32 MiB */
        o = (struct storvirt__qcow2_opts) { .size = 1ull << 37, .cluster_size = 512 };
        create_ok(s, &o, &info);
        storvirt__img_info_clear(&info);
        o.size += 512;
        create_fails(s, &o, -EFBIG, "'x.qcow2': qcow2 option size 137438953984: larger than the "
                     "137438953472 bytes a cluster size of 512 can address");
        o = (struct storvirt__qcow2_opts) { .size = INT64_MAX - 511, .cluster_size = 2u << 20 };
        create_fails(s, &o, -EFBIG, "qcow2 option size 9223372036854775296: larger than the "
                     "2305843009213693952 bytes a cluster size of 2097152 can address");
        o.size = UINT64_MAX - 511;
        create_fails(s, &o, -EFBIG, "qcow2 option size 18446744073709551104: larger than the");
        o = (struct storvirt__qcow2_opts) { .size = 1ull << 37, .cluster_size = 512,
                                            .preallocate_metadata = true };
        create_fails(s, &o, -EFBIG, "qcow2 option size 137438953472: its refcount table would exceed "
                     "8388608 bytes with a cluster size of 512");
}

static void test_target_errors(void **state) {
        struct scratch *s = *state;
        struct storvirt__qcow2_opts o = { .size = 1 << 30 };
        struct rlimit old, lim = { .rlim_cur = 100000, .rlim_max = RLIM_INFINITY };
        void (*prev)(int);
        int p[2];

        reset_file(s);
        assert_int_equal(write(s->fd, "x", 1), 1);
        assert_int_equal(storvirt__qcow2_create_fd(s->fd, &o, "full.qcow2"), -EINVAL);
        assert_msg("'full.qcow2': not empty (1 bytes): qcow2 images are created in empty files");
        assert_int_equal(pipe(p), 0);
        assert_int_equal(storvirt__qcow2_create_fd(p[1], &o, "pipe"), -EINVAL);
        assert_msg("'pipe': not a regular file or block device");
        close(p[0]);
        close(p[1]);
        assert_int_equal(storvirt__qcow2_create_fd(-1, &o, "x"), -EINVAL);
        assert_int_equal(storvirt__qcow2_create_fd(s->fd, NULL, "x"), -EINVAL);

        /* the file size limit makes the write fail: the error names the file */
        reset_file(s);
        prev = signal(SIGXFSZ, SIG_IGN);
        assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
        lim.rlim_max = old.rlim_max;
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
        assert_int_equal(storvirt__qcow2_create_fd(s->fd, &o, "big.qcow2"), -EFBIG);
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
        signal(SIGXFSZ, prev);
        assert_msg("'big.qcow2': ftruncate: File too large");
}

/* ---- raw ---------------------------------------------------------------------------- */

struct progress {
        unsigned calls;
        unsigned cancel_at; /* 0: never */
        uint64_t last_done, total;
};

static int on_progress(uint64_t done, uint64_t total, void *userdata) {
        struct progress *p = userdata;

        assert_true(done >= p->last_done);
        assert_true(done <= total);
        p->calls++;
        p->last_done = done;
        p->total = total;
        return p->cancel_at && p->calls == p->cancel_at;
}

static void test_raw_sparse(void **state) {
        struct scratch *s = *state;
        struct progress p = {};
        struct stat st;

        reset_file(s);
        assert_int_equal(storvirt__raw_create_fd(s->fd, 10 << 20, false, on_progress, &p, "r.img"), 0);
        assert_int_equal(fstat(s->fd, &st), 0);
        assert_int_equal(st.st_size, 10 << 20);
        assert_true((uint64_t) st.st_blocks * 512 < (1 << 20));
        assert_int_equal(p.calls, 0);
}

static void test_raw_prealloc(void **state) {
        struct scratch *s = *state;
        struct progress p = {};
        struct stat st;

        reset_file(s);
        assert_int_equal(storvirt__raw_create_fd(s->fd, 3 << 20, true, on_progress, &p, "r.img"), 0);
        assert_int_equal(fstat(s->fd, &st), 0);
        assert_int_equal(st.st_size, 3 << 20);
        assert_true((uint64_t) st.st_blocks * 512 >= (3 << 20));
        assert_int_equal(p.calls, 1);
        assert_int_equal(p.last_done, 3 << 20);
        assert_int_equal(p.total, 3 << 20);

        p = (struct progress) {};
        reset_file(s);
        assert_int_equal(storvirt__raw_create_fd(s->fd, 0, true, on_progress, &p, "r.img"), 0);
        assert_int_equal(p.calls, 1); /* a final report even for nothing */
        assert_int_equal(p.total, 0);
        reset_file(s);
        assert_int_equal(storvirt__raw_create_fd(s->fd, 4096, true, NULL, NULL, NULL), 0);
}

static void test_raw_zeros_and_cancel(void **state) {
        struct scratch *s = *state;
        struct progress p = {};
        struct stat st;
        char buf[4096], zero[4096] = { 0 };

        reset_file(s);
        assert_int_equal(write(s->fd, "junk", 4), 4);
        assert_int_equal(storvirt__raw_write_zeros(s->fd, 0, (3 << 20) + 1000, on_progress, &p, "z.img"), 0);
        assert_int_equal(fstat(s->fd, &st), 0);
        assert_int_equal(st.st_size, (3 << 20) + 1000);
        assert_int_equal(p.calls, 4);
        assert_int_equal(p.last_done, (3 << 20) + 1000);
        pread_all(s->fd, buf, sizeof(buf), 0);
        assert_memory_equal(buf, zero, sizeof(buf));

        p = (struct progress) { .cancel_at = 2 };
        reset_file(s);
        assert_int_equal(storvirt__raw_write_zeros(s->fd, 0, 3 << 20, on_progress, &p, "z.img"), -ECANCELED);
        assert_msg("'z.img': cancelled after 2097152 of 3145728 bytes");
        p = (struct progress) { .cancel_at = 1 };
        reset_file(s);
        assert_int_equal(storvirt__raw_create_fd(s->fd, 1 << 20, true, on_progress, &p, "c.img"), -ECANCELED);
        assert_msg("'c.img': cancelled after 1048576 of 1048576 bytes");
        assert_int_equal(storvirt__raw_write_zeros(s->fd, 10, 5, NULL, NULL, "z"), -EINVAL);
}

static void test_raw_errors(void **state) {
        struct scratch *s = *state;
        int p[2], ro;

        reset_file(s);
        assert_int_equal(write(s->fd, "x", 1), 1);
        assert_int_equal(storvirt__raw_create_fd(s->fd, 1 << 20, false, NULL, NULL, "r.img"), -EINVAL);
        assert_msg("'r.img': not empty (1 bytes): raw images are created in empty files");
        reset_file(s);
        assert_int_equal(storvirt__raw_create_fd(s->fd, 1ull << 63, false, NULL, NULL, "r.img"), -EINVAL);
        assert_msg("'r.img': size 9223372036854775808 larger than 2^63-1");
        assert_int_equal(pipe(p), 0);
        assert_int_equal(storvirt__raw_create_fd(p[1], 10, true, NULL, NULL, "pipe"), -EINVAL);
        assert_msg("'pipe': not a regular file");
        close(p[0]);
        close(p[1]);
        ro = open(s->path, O_RDONLY | O_CLOEXEC);
        assert_true(ro >= 0);
        assert_int_equal(storvirt__raw_create_fd(ro, 4096, true, NULL, NULL, "ro.img"), -EBADF);
        assert_msg("'ro.img': fallocate at offset 0 (4096 bytes): Bad file descriptor");
        assert_int_equal(storvirt__raw_write_zeros(ro, 0, 4096, NULL, NULL, "ro.img"), -EBADF);
        assert_msg("'ro.img': writing zeros at offset 0: Bad file descriptor");
        assert_int_equal(storvirt__raw_create_fd(ro, 4096, false, NULL, NULL, "ro.img"), -EINVAL);
        assert_msg("'ro.img': ftruncate to 4096 bytes: Invalid argument");
        close(ro);
        assert_int_equal(storvirt__raw_create_fd(-1, 10, false, NULL, NULL, "x"), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
                cmocka_unit_test_setup_teardown(test_compat_and_backing, setup, teardown),
                cmocka_unit_test_setup_teardown(test_long_backing_name, setup, teardown),
                cmocka_unit_test_setup_teardown(test_cluster_sizes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_prealloc, setup, teardown),
                cmocka_unit_test_setup_teardown(test_size_zero, setup, teardown),
                cmocka_unit_test_setup_teardown(test_option_errors, setup, teardown),
                cmocka_unit_test_setup_teardown(test_size_limits, setup, teardown),
                cmocka_unit_test_setup_teardown(test_target_errors, setup, teardown),
                cmocka_unit_test_setup_teardown(test_raw_sparse, setup, teardown),
                cmocka_unit_test_setup_teardown(test_raw_prealloc, setup, teardown),
                cmocka_unit_test_setup_teardown(test_raw_zeros_and_cancel, setup, teardown),
                cmocka_unit_test_setup_teardown(test_raw_errors, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
