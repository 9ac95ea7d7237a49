/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * imgprobe-tool.c - command line front end to the image format code,
 * used by test_imgfmt_qemu.py to compare with qemu-img:
 *
 *   imgprobe-tool probe PATH [--format FMT]   one image, as JSON
 *   imgprobe-tool chain PATH [--max-depth N]  the backing chain, JSON array
 *   imgprobe-tool create-qcow2 PATH SIZE [--compat 0.10] [--cluster-size N]
 *                 [--lazy-refcounts] [--backing F --backing-format FMT]
 *                 [--prealloc-metadata]
 *   imgprobe-tool create-raw PATH SIZE [--prealloc] [--zeros]
 *
 * Errors go to stderr as "error: <message>" with exit status 1 (2 for
 * usage errors).  create-raw --prealloc prints one progress line per
 * report ("progress DONE TOTAL") to stdout; --zeros forces the
 * zero-writing path.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys/imgfmt.h"
#include "sys/qcow2.h"
#include "sys/rawimg.h"
#include "util/error.h"
#include "util/json.h"

static int usage(void) {
        fprintf(stderr, "usage: imgprobe-tool probe|chain|create-qcow2|create-raw PATH ...\n");
        return 2;
}

static int fail(int r) {
        fprintf(stderr, "error: %s (%s)\n", storvirt__error_msg(), strerror(-r));
        return 1;
}

static bool parse_u64(const char *s, uint64_t *ret) {
        char *end;

        errno = 0;
        *ret = strtoull(s, &end, 10);
        return errno == 0 && end != s && *end == '\0' && s[0] != '-';
}

static int gen_info(storvirt__json_gen *g, const storvirt__img_info *i) {
        storvirt__json_gen_begin_map(g);
        if (i->filename)
                storvirt__json_gen_key_string(g, "filename", i->filename);
        storvirt__json_gen_key_string(g, "format", i->format);
        storvirt__json_gen_key_uint64(g, "virtual_size", i->virtual_size);
        if (i->backing_file)
                storvirt__json_gen_key_string(g, "backing_file", i->backing_file);
        else
                storvirt__json_gen_key_null(g, "backing_file");
        storvirt__json_gen_key_string(g, "backing_format", i->backing_format);
        storvirt__json_gen_key_uint64(g, "cluster_size",
                                      i->cluster_bits ? UINT64_C(1) << i->cluster_bits : 0);
        storvirt__json_gen_key_bool(g, "encrypted", i->encrypted);
        storvirt__json_gen_key_string(g, "compat", i->compat);
        storvirt__json_gen_key_uint64(g, "qcow2_version", i->qcow2_version);
        storvirt__json_gen_key_bool(g, "lazy_refcounts", i->lazy_refcounts);
        storvirt__json_gen_key_bool(g, "extended_l2", i->extended_l2);
        storvirt__json_gen_key_uint64(g, "incompatible_features", i->incompatible_features);
        storvirt__json_gen_key_uint64(g, "compatible_features", i->compatible_features);
        storvirt__json_gen_key_uint64(g, "autoclear_features", i->autoclear_features);
        if (i->data_file)
                storvirt__json_gen_key_string(g, "data_file", i->data_file);
        else
                storvirt__json_gen_key_null(g, "data_file");
        storvirt__json_gen_key_uint64(g, "payload_offset", i->payload_offset);
        storvirt__json_gen_key_uint64(g, "luks_version", i->luks_version);
        storvirt__json_gen_key_string(g, "subformat", i->subformat);
        return storvirt__json_gen_end_map(g);
}

static int print_json(const storvirt__img_info *v, size_t n, bool array) {
        storvirt__json_gen *g = NULL;
        char *out = NULL;
        int r;

        r = storvirt__json_gen_new(true, &g);
        if (r < 0)
                return fail(r);
        if (array)
                storvirt__json_gen_begin_array(g);
        for (size_t i = 0; i < n; i++)
                gen_info(g, &v[i]);
        if (array)
                storvirt__json_gen_end_array(g);
        r = storvirt__json_gen_finish(g, &out, NULL);
        storvirt__json_gen_free(g);
        if (r < 0)
                return fail(r);
        printf("%s\n", out);
        free(out);
        return 0;
}

static int cmd_probe(int argc, char **argv) {
        const char *format = NULL;
        storvirt__img_info info = {};
        struct stat st;
        uint64_t size;
        int fd, r;

        if (argc == 4 && strcmp(argv[2], "--format") == 0)
                format = argv[3];
        else if (argc != 2)
                return usage();
        fd = open(argv[1], O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0) {
                fprintf(stderr, "error: %s: %s\n", argv[1], strerror(errno));
                return 1;
        }
        size = (uint64_t) st.st_size;
        if (S_ISBLK(st.st_mode) && ioctl(fd, BLKGETSIZE64, &size) < 0)
                size = 0;
        r = storvirt__img_probe_fd_as(fd, size, argv[1], format, &info);
        close(fd);
        if (r < 0)
                return fail(r);
        r = print_json(&info, 1, false);
        storvirt__img_info_clear(&info);
        return r;
}

static int cmd_chain(int argc, char **argv) {
        storvirt__img_info *chain = NULL;
        uint64_t depth = 0;
        size_t n = 0;
        int r;

        if (argc == 4 && strcmp(argv[2], "--max-depth") == 0) {
                if (!parse_u64(argv[3], &depth) || depth > UINT32_MAX)
                        return usage();
        } else if (argc != 2)
                return usage();
        r = storvirt__img_probe_chain(AT_FDCWD, argv[1], (unsigned) depth, &chain, &n);
        if (r < 0)
                return fail(r);
        r = print_json(chain, n, true);
        storvirt__img_chain_free(chain, n);
        return r;
}

static int open_new(const char *path) {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

        if (fd < 0)
                fprintf(stderr, "error: %s: %s\n", path, strerror(errno));
        return fd;
}

static int parse_qcow2_args(int argc, char **argv, struct storvirt__qcow2_opts *o) {
        uint64_t v;

        for (int i = 3; i < argc; i++) {
                const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;

                if (strcmp(a, "--compat") == 0 && next) {
                        o->compat_010 = strcmp(next, "0.10") == 0;
                        i++;
                } else if (strcmp(a, "--cluster-size") == 0 && next && parse_u64(next, &v) &&
                           v <= UINT32_MAX) {
                        o->cluster_size = (uint32_t) v;
                        i++;
                } else if (strcmp(a, "--lazy-refcounts") == 0)
                        o->lazy_refcounts = true;
                else if (strcmp(a, "--prealloc-metadata") == 0)
                        o->preallocate_metadata = true;
                else if (strcmp(a, "--backing") == 0 && next)
                        o->backing_file = argv[++i];
                else if (strcmp(a, "--backing-format") == 0 && next)
                        o->backing_format = argv[++i];
                else
                        return -1;
        }
        return 0;
}

static int cmd_create_qcow2(int argc, char **argv) {
        struct storvirt__qcow2_opts o = {};
        int fd, r;

        if (argc < 3 || !parse_u64(argv[2], &o.size) || parse_qcow2_args(argc, argv, &o) < 0)
                return usage();
        fd = open_new(argv[1]);
        if (fd < 0)
                return 1;
        r = storvirt__qcow2_create_fd(fd, &o, argv[1]);
        close(fd);
        if (r < 0) {
                unlink(argv[1]);
                return fail(r);
        }
        return 0;
}

static int print_progress(uint64_t done, uint64_t total, void *userdata) {
        printf("progress %" PRIu64 " %" PRIu64 "\n", done, total);
        return 0;
}

static int cmd_create_raw(int argc, char **argv) {
        bool prealloc = false, zeros = false;
        uint64_t size;
        int fd, r;

        if (argc < 3 || !parse_u64(argv[2], &size))
                return usage();
        for (int i = 3; i < argc; i++) {
                if (strcmp(argv[i], "--prealloc") == 0)
                        prealloc = true;
                else if (strcmp(argv[i], "--zeros") == 0)
                        zeros = true;
                else
                        return usage();
        }
        fd = open_new(argv[1]);
        if (fd < 0)
                return 1;
        if (zeros)
                r = storvirt__raw_write_zeros(fd, 0, size, print_progress, NULL, argv[1]);
        else
                r = storvirt__raw_create_fd(fd, size, prealloc, print_progress, NULL, argv[1]);
        close(fd);
        if (r < 0) {
                unlink(argv[1]);
                return fail(r);
        }
        return 0;
}

int main(int argc, char **argv) {
        if (argc < 3)
                return usage();
        if (strcmp(argv[1], "probe") == 0)
                return cmd_probe(argc - 1, argv + 1);
        if (strcmp(argv[1], "chain") == 0)
                return cmd_chain(argc - 1, argv + 1);
        if (strcmp(argv[1], "create-qcow2") == 0)
                return cmd_create_qcow2(argc - 1, argv + 1);
        if (strcmp(argv[1], "create-raw") == 0)
                return cmd_create_raw(argc - 1, argv + 1);
        return usage();
}
