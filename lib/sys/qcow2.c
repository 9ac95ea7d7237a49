/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qcow2.c - the qcow family: parsing qcow (v1) and qcow2 (v2, v3)
 * headers for the prober, with every table and name checked against
 * the header cluster and the file size, and writing new qcow2 images
 * (optionally with all metadata preallocated).
 *
 * Layout facts follow the qcow2 specification: big-endian header,
 * header extensions (type, length, data padded to 8 bytes) from the
 * end of the header up to the backing file name or the end of the
 * first cluster, 16-bit refcounts by default.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "sys/luks.h"
#include "sys/qcow2.h"
#include "util/macro.h"

#define QCOW_MAGIC "QFI\xfb"

#define QCOW1_HEADER_LEN 48
#define QCOW2_V2_HEADER_LEN 72
#define QCOW2_V3_HEADER_MIN 104
#define QCOW2_V3_HEADER_LEN 112 /* what we write: up to compression_type + padding */

#define QCOW2_MIN_CLUSTER_BITS 9
#define QCOW2_MAX_CLUSTER_BITS 21
#define QCOW2_MAX_L1_BYTES (32ull << 20)
#define QCOW2_MAX_REFTABLE_BYTES (8ull << 20)
#define QCOW2_MAX_SNAPSHOTS 65536ull
#define QCOW2_SNAPSHOT_ENTRY_MIN 40ull
#define QCOW2_MAX_REFCOUNT_ORDER 6
#define QCOW2_REFCOUNT_ORDER 4 /* what we write: 16-bit refcounts */
/* Bytes of the header cluster read to walk the header extensions: first, at most. */
#define QCOW2_EXT_FIRST_READ 4096u
#define QCOW2_EXT_READ_MAX 65536u

#define QCOW2_EXT_END 0u
#define QCOW2_EXT_BACKING_FORMAT 0xE2792ACAu
#define QCOW2_EXT_DATA_FILE 0x44415441u
#define QCOW2_EXT_CRYPTO 0x0537BE77u

#define QCOW2_CRYPT_NONE 0u
#define QCOW2_CRYPT_LUKS 2u
#define QCOW2_INCOMPAT_EXTENDED_L2 (1ull << 4)
#define QCOW2_EXTENDED_L2_CLUSTER_MIN 16384u
/* Extended L2 entry bitmap of a preallocated cluster: every subcluster allocated. */
#define QCOW2_SUBCLUSTERS_ALLOCATED 0xffffffffull
#define QCOW2_COMPAT_LAZY_REFCOUNTS (1ull << 0)
#define QCOW2_OFLAG_COPIED (1ull << 63)

#define ROUND_UP8(x) (((x) + 7) & ~(uint64_t) 7)
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

static uint64_t div_round_up(uint64_t a, uint64_t b) {
        return a / b + (a % b != 0);
}

/* ---- qcow (version 1) ------------------------------------------------ */

static int read_backing_name(const struct storvirt__img_src *src, const char *fmt,
                             uint64_t off, uint32_t len, storvirt__img_info *info) {
        char buf[STORVIRT__IMG_BACKING_NAME_MAX];
        char field[48];
        int r;

        if (off == 0 || len == 0)
                return 0;
        if (len > STORVIRT__IMG_BACKING_NAME_MAX)
                return storvirt__error_set(-EINVAL,
                        "'%s': %s header: backing_file_size %" PRIu32 " exceeds %d",
                        src->what, fmt, len, STORVIRT__IMG_BACKING_NAME_MAX);
        snprintf(field, sizeof(field), "%s backing file name", fmt);
        r = storvirt__img_read(src, off, buf, len, field);
        if (r < 0)
                return r;
        return storvirt__img_name_dup(src, field, buf, len, STORVIRT__IMG_BACKING_NAME_MAX,
                                      &info->backing_file);
}

static int qcow1_parse(const struct storvirt__img_src *src, const uint8_t *h,
                       storvirt__img_info *info) {
        uint64_t size = storvirt__be64(h + 24), l1_off = storvirt__be64(h + 40), l1_size;
        unsigned cbits = h[32], l2bits = h[33], shift;
        uint32_t crypt = storvirt__be32(h + 36);

        if (cbits < 9 || cbits > 16)
                return storvirt__error_set(-EINVAL, "'%s': qcow header: cluster_bits %u out of range 9..16",
                                           src->what, cbits);
        if (l2bits < 6 || l2bits > 13)
                return storvirt__error_set(-EINVAL, "'%s': qcow header: l2_bits %u out of range 6..13",
                                           src->what, l2bits);
        if (size > INT64_MAX)
                return storvirt__error_set(-EINVAL, "'%s': qcow header: size %" PRIu64 " larger than 2^63-1",
                                           src->what, size);
        if (crypt > 1)
                return storvirt__error_set(-EINVAL, "'%s': qcow header: crypt_method %" PRIu32 " unknown",
                                           src->what, crypt);
        shift = cbits + l2bits;
        l1_size = (size >> shift) + ((size & ((1ull << shift) - 1)) != 0);
        if (l1_size > INT32_MAX / 8)
                return storvirt__error_set(-EINVAL,
                        "'%s': qcow header: size %" PRIu64 " needs an L1 table of %" PRIu64
                        " entries, more than %d", src->what, size, l1_size, INT32_MAX / 8);
        if (l1_size > 0 && (l1_off > src->size || l1_size * 8 > src->size - l1_off))
                return storvirt__error_set(-EINVAL,
                        "'%s': qcow header: l1_table_offset %" PRIu64 " (%" PRIu64
                        " bytes) runs past the end of the file (%" PRIu64 " bytes)",
                        src->what, l1_off, l1_size * 8, src->size);
        strcpy(info->format, "qcow");
        info->virtual_size = size;
        info->cluster_bits = cbits;
        info->encrypted = crypt != 0;
        if (crypt)
                strcpy(info->encryption, "qcow");
        return read_backing_name(src, "qcow", storvirt__be64(h + 8), storvirt__be32(h + 16), info);
}

/* ---- qcow2 ------------------------------------------------------------ */

struct qcow2_hdr {
        uint32_t version, backing_size, cluster_bits, crypt, l1_size, rt_clusters, nb_snapshots;
        uint64_t backing_off, size, l1_off, rt_off, snap_off;
        uint64_t incompat, compat, autoclear;
        uint32_t refcount_order, header_length;
        uint64_t cluster_size;
};

static void qcow2_decode(const uint8_t *b, struct qcow2_hdr *h) {
        *h = (struct qcow2_hdr) {
                .version = storvirt__be32(b + 4),
                .backing_off = storvirt__be64(b + 8),
                .backing_size = storvirt__be32(b + 16),
                .cluster_bits = storvirt__be32(b + 20),
                .size = storvirt__be64(b + 24),
                .crypt = storvirt__be32(b + 32),
                .l1_size = storvirt__be32(b + 36),
                .l1_off = storvirt__be64(b + 40),
                .rt_off = storvirt__be64(b + 48),
                .rt_clusters = storvirt__be32(b + 56),
                .nb_snapshots = storvirt__be32(b + 60),
                .snap_off = storvirt__be64(b + 64),
                .refcount_order = QCOW2_REFCOUNT_ORDER,
                .header_length = QCOW2_V2_HEADER_LEN,
        };
        if (h->version >= 3) {
                h->incompat = storvirt__be64(b + 72);
                h->compat = storvirt__be64(b + 80);
                h->autoclear = storvirt__be64(b + 88);
                h->refcount_order = storvirt__be32(b + 96);
                h->header_length = storvirt__be32(b + 100);
        }
}

static int qcow2_check_fields(const struct storvirt__img_src *src, const struct qcow2_hdr *h) {
        if (h->cluster_bits < QCOW2_MIN_CLUSTER_BITS || h->cluster_bits > QCOW2_MAX_CLUSTER_BITS)
                return storvirt__error_set(-EINVAL, "'%s': qcow2 header: cluster_bits %" PRIu32
                                           " out of range %d..%d", src->what, h->cluster_bits,
                                           QCOW2_MIN_CLUSTER_BITS, QCOW2_MAX_CLUSTER_BITS);
        if (h->size > INT64_MAX)
                return storvirt__error_set(-EINVAL, "'%s': qcow2 header: size %" PRIu64
                                           " larger than 2^63-1", src->what, h->size);
        if (h->crypt > QCOW2_CRYPT_LUKS)
                return storvirt__error_set(-EINVAL, "'%s': qcow2 header: crypt_method %" PRIu32
                                           " unknown", src->what, h->crypt);
        if (h->version < 3)
                return 0;
        if (h->header_length < QCOW2_V3_HEADER_MIN || h->header_length % 8 != 0)
                return storvirt__error_set(-EINVAL, "'%s': qcow2 header: header_length %" PRIu32
                                           " invalid (at least %d, a multiple of 8)",
                                           src->what, h->header_length, QCOW2_V3_HEADER_MIN);
        if (h->header_length > (1ull << h->cluster_bits))
                return storvirt__error_set(-EINVAL, "'%s': qcow2 header: header_length %" PRIu32
                                           " larger than the cluster (%llu bytes)", src->what,
                                           h->header_length, 1ull << h->cluster_bits);
        if (h->refcount_order > QCOW2_MAX_REFCOUNT_ORDER)
                return storvirt__error_set(-EINVAL, "'%s': qcow2 header: refcount_order %" PRIu32
                                           " out of range 0..%d", src->what, h->refcount_order,
                                           QCOW2_MAX_REFCOUNT_ORDER);
        return 0;
}

/* A table of count entries of esize bytes at off: bounded, aligned, inside the file. */
static int qcow2_check_table(const struct storvirt__img_src *src, const struct qcow2_hdr *h,
                             const char *off_field, uint64_t off, const char *count_field,
                             uint64_t count, uint64_t esize, uint64_t max_count) {
        if (count > max_count)
                return storvirt__error_set(-EINVAL, "'%s': qcow2 header: %s %" PRIu64
                                           " exceeds the maximum %" PRIu64, src->what,
                                           count_field, count, max_count);
        if (count == 0)
                return 0;
        if (off & (h->cluster_size - 1))
                return storvirt__error_set(-EINVAL, "'%s': qcow2 header: %s %#" PRIx64
                                           " is not aligned to the cluster size %" PRIu64,
                                           src->what, off_field, off, h->cluster_size);
        if (off > src->size || count * esize > src->size - off)
                return storvirt__error_set(-EINVAL, "'%s': qcow2 header: %s %" PRIu64 " (%" PRIu64
                                           " bytes) runs past the end of the file (%" PRIu64
                                           " bytes)", src->what, off_field, off, count * esize,
                                           src->size);
        return 0;
}

static int qcow2_check_tables(const struct storvirt__img_src *src, const struct qcow2_hdr *h) {
        uint64_t l2_entries = h->cluster_size / ((h->incompat & QCOW2_INCOMPAT_EXTENDED_L2) ? 16 : 8);
        uint64_t needed = div_round_up(h->size, h->cluster_size * l2_entries);
        int r;

        r = qcow2_check_table(src, h, "l1_table_offset", h->l1_off, "l1_size", h->l1_size, 8,
                              QCOW2_MAX_L1_BYTES / 8);
        if (r < 0)
                return r;
        if (h->l1_size < needed)
                return storvirt__error_set(-EINVAL, "'%s': qcow2 header: l1_size %" PRIu32
                                           " too small for size %" PRIu64 " (needs %" PRIu64 ")",
                                           src->what, h->l1_size, h->size, needed);
        if (h->rt_clusters == 0)
                return storvirt__error_set(-EINVAL, "'%s': qcow2 header: refcount_table_clusters is 0",
                                           src->what);
        r = qcow2_check_table(src, h, "refcount_table_offset", h->rt_off,
                              "refcount_table_clusters", h->rt_clusters, h->cluster_size,
                              QCOW2_MAX_REFTABLE_BYTES / h->cluster_size);
        if (r < 0)
                return r;
        return qcow2_check_table(src, h, "snapshots_offset", h->snap_off, "nb_snapshots",
                                 h->nb_snapshots, QCOW2_SNAPSHOT_ENTRY_MIN, QCOW2_MAX_SNAPSHOTS);
}

/* The LUKS header the qcow2 encryption header extension points to: its cipher, when readable. */
static int qcow2_ext_crypto(const struct storvirt__img_src *src, const uint8_t *p, uint32_t len,
                            storvirt__img_info *info) {
        uint8_t h[STORVIRT__LUKS1_PHDR_LEN];
        uint64_t off, n;

        if (len != 16)
                return storvirt__error_set(-EINVAL, "'%s': qcow2 header: encryption header "
                                           "extension has length %" PRIu32 ", expected 16",
                                           src->what, len);
        off = storvirt__be64(p);
        n = storvirt__be64(p + 8);
        if (off > src->size || n > src->size - off)
                return storvirt__error_set(-EINVAL, "'%s': qcow2 header: encryption header at offset %"
                                           PRIu64 " (%" PRIu64 " bytes) runs past the end of the "
                                           "file (%" PRIu64 " bytes)", src->what, off, n, src->size);
        if (n >= sizeof(h) && storvirt__img_read(src, off, h, sizeof(h), "qcow2 LUKS header") >= 0)
                storvirt__img_luks1_cipher(h, &info->cipher);
        return 0;
}

static int qcow2_ext_apply(const struct storvirt__img_src *src, uint32_t type, const uint8_t *p,
                           uint32_t len, storvirt__img_info *info) {
        char *name = NULL;
        int r;

        switch (type) {
        case QCOW2_EXT_BACKING_FORMAT:
                return storvirt__img_format_copy(src, "qcow2 backing format extension",
                                                 (const char *) p, len, info->backing_format);
        case QCOW2_EXT_DATA_FILE:
                r = storvirt__img_name_dup(src, "qcow2 external data file extension",
                                           (const char *) p, len,
                                           STORVIRT__IMG_DATA_FILE_NAME_MAX, &name);
                if (r < 0)
                        return r;
                free(info->data_file);
                info->data_file = name;
                return 0;
        case QCOW2_EXT_CRYPTO:
                return qcow2_ext_crypto(src, p, len, info);
        default:
                return 0; /* feature names, bitmaps, unknown: not needed */
        }
}

/*
 * The start of the header cluster, read lazily: the first 4 KiB, then
 * (only if the extensions go on) up to max bytes.
 */
struct hdr_window {
        uint8_t *buf;
        size_t n;    /* bytes read from offset 0 */
        size_t max;  /* min(end of the extension area, QCOW2_EXT_READ_MAX, file size) */
};

/* Makes sure [off, off + len) is in the window. */
static int window_need(const struct storvirt__img_src *src, struct hdr_window *w, uint64_t off,
                       uint64_t len) {
        uint8_t *b;
        size_t n = w->n ? w->max : MIN(w->max, QCOW2_EXT_FIRST_READ);
        int r;

        if (off + len <= w->n)
                return 0;
        if (off + len > w->max && w->max == src->size)
                return storvirt__error_set(-EINVAL, "'%s': qcow2 header extension at offset %"
                                           PRIu64 " runs past the end of the file (%" PRIu64
                                           " bytes)", src->what, off, src->size);
        if (off + len > w->max)
                return storvirt__error_set(-EOPNOTSUPP, "'%s': qcow2 header extensions beyond the "
                                           "first %u bytes are not supported", src->what,
                                           QCOW2_EXT_READ_MAX);
        if (off + len > n)
                n = w->max;
        b = realloc(w->buf, n);
        if (!b)
                return storvirt__error_oom();
        w->buf = b;
        r = storvirt__img_read(src, w->n, b + w->n, n - w->n, "qcow2 header cluster");
        if (r < 0)
                return r;
        w->n = n;
        return 0;
}

static int qcow2_walk_extensions(const struct storvirt__img_src *src, const struct qcow2_hdr *h,
                                 storvirt__img_info *info) {
        uint64_t end = h->backing_off ? h->backing_off : h->cluster_size, off = h->header_length;
        struct hdr_window w = { .max = (size_t) MIN(MIN(end, (uint64_t) QCOW2_EXT_READ_MAX), src->size) };
        int r = 0;

        while (r >= 0 && off < end) {
                uint32_t type, len;

                if (end - off < 8) {
                        r = storvirt__error_set(-EINVAL, "'%s': qcow2 header extension at offset %"
                                                PRIu64 " runs past the end of the header area (%"
                                                PRIu64 " bytes)", src->what, off, end);
                        break;
                }
                r = window_need(src, &w, off, 8);
                if (r < 0)
                        break;
                type = storvirt__be32(w.buf + off);
                len = storvirt__be32(w.buf + off + 4);
                if (type == QCOW2_EXT_END)
                        break;
                off += 8;
                if (len > end - off) {
                        r = storvirt__error_set(-EINVAL, "'%s': qcow2 header extension 0x%08" PRIx32
                                                " at offset %" PRIu64 ": length %" PRIu32
                                                " runs past the end of the header area (%"
                                                PRIu64 " bytes)", src->what, type, off - 8, len, end);
                        break;
                }
                r = window_need(src, &w, off, len);
                if (r >= 0)
                        r = qcow2_ext_apply(src, type, w.buf + off, len, info);
                off += ROUND_UP8((uint64_t) len);
        }
        free(w.buf);
        return r < 0 ? r : 0;
}

static int qcow2_check_backing(const struct storvirt__img_src *src, const struct qcow2_hdr *h) {
        if (h->backing_off == 0 || h->backing_size == 0)
                return 0;
        if (h->backing_off < h->header_length)
                return storvirt__error_set(-EINVAL, "'%s': qcow2 header: backing_file_offset %" PRIu64
                                           " overlaps the header (%" PRIu32 " bytes)", src->what,
                                           h->backing_off, h->header_length);
        if (h->backing_off > h->cluster_size ||
            h->backing_size > h->cluster_size - h->backing_off)
                return storvirt__error_set(-EINVAL, "'%s': qcow2 header: backing file name at offset %"
                                           PRIu64 " (%" PRIu32 " bytes) runs past the header "
                                           "cluster (%" PRIu64 " bytes)", src->what,
                                           h->backing_off, h->backing_size, h->cluster_size);
        return 0;
}

static void qcow2_fill_info(const struct qcow2_hdr *h, storvirt__img_info *info) {
        strcpy(info->format, "qcow2");
        info->virtual_size = h->size;
        info->qcow2_version = h->version;
        info->cluster_bits = h->cluster_bits;
        info->encrypted = h->crypt != QCOW2_CRYPT_NONE;
        if (h->crypt != QCOW2_CRYPT_NONE)
                strcpy(info->encryption, h->crypt == QCOW2_CRYPT_LUKS ? "luks" : "qcow");
        info->incompatible_features = h->incompat;
        info->compatible_features = h->compat;
        info->autoclear_features = h->autoclear;
        info->lazy_refcounts = h->compat & QCOW2_COMPAT_LAZY_REFCOUNTS;
        info->extended_l2 = h->incompat & QCOW2_INCOMPAT_EXTENDED_L2;
        strcpy(info->compat, h->version == 2 ? "0.10" : "1.1");
}

static int qcow2_parse(const struct storvirt__img_src *src, const uint8_t *b,
                       storvirt__img_info *info) {
        struct qcow2_hdr h;
        int r;

        qcow2_decode(b, &h);
        r = qcow2_check_fields(src, &h);
        if (r < 0)
                return r;
        h.cluster_size = 1ull << h.cluster_bits;
        r = qcow2_check_tables(src, &h);
        if (r < 0)
                return r;
        r = qcow2_check_backing(src, &h);
        if (r < 0)
                return r;
        qcow2_fill_info(&h, info);
        r = qcow2_walk_extensions(src, &h, info);
        if (r < 0)
                return r;
        return read_backing_name(src, "qcow2", h.backing_off, h.backing_size, info);
}

static int qcow_header_read(const struct storvirt__img_src *src, uint8_t b[static QCOW2_V3_HEADER_MIN],
                            uint32_t *ret_version) {
        uint32_t version;
        size_t need;
        int r;

        memset(b, 0, QCOW2_V3_HEADER_MIN);
        if (src->size < 8)
                return storvirt__error_set(-EINVAL, "'%s': qcow header truncated: the file has %"
                                           PRIu64 " bytes", src->what, src->size);
        r = storvirt__img_read(src, 0, b, 8, "qcow magic");
        if (r < 0)
                return r;
        if (memcmp(b, QCOW_MAGIC, 4) != 0)
                return storvirt__error_set(-EINVAL, "'%s': not a qcow/qcow2 image (no QFI\\xfb magic)",
                                           src->what);
        version = storvirt__be32(b + 4);
        if (version < 1 || version > 3)
                return storvirt__error_set(-EOPNOTSUPP, "'%s': qcow2 header: version %" PRIu32
                                           " not supported (1, 2 or 3)", src->what, version);
        need = version == 1 ? QCOW1_HEADER_LEN : version == 2 ? QCOW2_V2_HEADER_LEN : QCOW2_V3_HEADER_MIN;
        if (src->size < need)
                return storvirt__error_set(-EINVAL, "'%s': %s header truncated: the file has %" PRIu64
                                           " bytes, the header needs %zu", src->what,
                                           version == 1 ? "qcow" : "qcow2", src->size, need);
        r = storvirt__img_read(src, 0, b, need, version == 1 ? "qcow header" : "qcow2 header");
        if (r < 0)
                return r;
        *ret_version = version;
        return 0;
}

int storvirt__qcow_probe(const struct storvirt__img_src *src, const char *expect,
                         storvirt__img_info *info) {
        uint8_t b[QCOW2_V3_HEADER_MIN];
        uint32_t version = 0;
        int r;

        r = qcow_header_read(src, b, &version);
        if (r < 0)
                return r;
        if (expect && strcmp(expect, version == 1 ? "qcow" : "qcow2") != 0)
                return storvirt__error_set(-EINVAL, "'%s': not a %s image (header version %" PRIu32 ")",
                                           src->what, expect, version);
        if (version == 1)
                return qcow1_parse(src, b, info);
        return qcow2_parse(src, b, info);
}

/* ---- creation ----------------------------------------------------------- */

struct qcow2_layout {
        uint32_t cluster_bits;
        uint64_t c;                       /* cluster size */
        unsigned l2_entry;                /* bytes per L2 entry: 8, or 16 with extended L2 */
        uint64_t l1_size;                 /* L1 entries */
        uint64_t rt_off, rt_clusters;     /* refcount table */
        uint64_t rb_off, rb_clusters;     /* refcount blocks */
        uint64_t l1_off, l1_clusters;
        uint64_t l2_off, l2_clusters;     /* preallocation only */
        uint64_t data_off, data_clusters; /* preallocation only */
        uint64_t total;                   /* clusters in use, all with refcount 1 */
        size_t ext_len;                   /* header + extensions, backing name offset */
};

static int opt_error(int err, const char *what, const char *fmt, ...) _printf_(3, 4);
static int opt_error(int err, const char *what, const char *fmt, ...) {
        char msg[512];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        return storvirt__error_set(err, "'%s': qcow2 option %s", what, msg);
}

static int qcow2_check_backing_opts(const struct storvirt__qcow2_opts *o, const char *what) {
        if (!o->backing_file) {
                if (o->backing_format)
                        return opt_error(-EINVAL, what, "backing_format '%s': given without backing_file",
                                         o->backing_format);
                return 0;
        }
        if (o->backing_file[0] == '\0')
                return opt_error(-EINVAL, what, "backing_file: empty");
        if (strlen(o->backing_file) > STORVIRT__IMG_BACKING_NAME_MAX)
                return opt_error(-EINVAL, what, "backing_file: %zu bytes, at most %d",
                                 strlen(o->backing_file), STORVIRT__IMG_BACKING_NAME_MAX);
        if (!o->backing_format)
                return opt_error(-EINVAL, what, "backing_format: required with backing_file");
        if (!storvirt__img_format_is_known(o->backing_format))
                return opt_error(-EINVAL, what, "backing_format '%.32s': unknown format (known: raw, "
                                 "qcow, qcow2, qed, vmdk, vpc, vdi, luks)", o->backing_format);
        if (o->preallocate_metadata)
                return opt_error(-EINVAL, what, "preallocate_metadata: cannot be combined with "
                                 "backing_file");
        return 0;
}

static int qcow2_check_opts(const struct storvirt__qcow2_opts *o, const char *what,
                            uint32_t *ret_bits) {
        uint32_t c = o->cluster_size ? o->cluster_size : STORVIRT__QCOW2_CLUSTER_DEFAULT;

        if (c < STORVIRT__QCOW2_CLUSTER_MIN || c > STORVIRT__QCOW2_CLUSTER_MAX || (c & (c - 1)))
                return opt_error(-EINVAL, what, "cluster_size %" PRIu32 ": not a power of two "
                                 "from %u to %u", c, STORVIRT__QCOW2_CLUSTER_MIN,
                                 STORVIRT__QCOW2_CLUSTER_MAX);
        if (o->size % 512 != 0)
                return opt_error(-EINVAL, what, "size %" PRIu64 ": not a multiple of 512", o->size);
        if (o->lazy_refcounts && o->compat_010)
                return opt_error(-EINVAL, what, "lazy_refcounts: needs compat 1.1 (compat_010 is set)");
        if (o->extended_l2 && o->compat_010)
                return opt_error(-EINVAL, what, "extended_l2: needs compat 1.1 (compat_010 is set)");
        if (o->extended_l2 && c < QCOW2_EXTENDED_L2_CLUSTER_MIN)
                return opt_error(-EINVAL, what, "extended_l2: needs a cluster size of at least %u "
                                 "bytes, not %" PRIu32, QCOW2_EXTENDED_L2_CLUSTER_MIN, c);
        *ret_bits = (uint32_t) __builtin_ctz(c);
        return qcow2_check_backing_opts(o, what);
}

/* Refcount blocks and table big enough to cover themselves and everything else. */
static void qcow2_layout_refcounts(struct qcow2_layout *L, uint64_t fixed) {
        uint64_t per_block = L->c * 8 / (1u << QCOW2_REFCOUNT_ORDER);

        L->rb_clusters = L->rt_clusters = 1;
        for (;;) {
                uint64_t t = fixed + L->rt_clusters + L->rb_clusters;
                uint64_t rb = div_round_up(t, per_block);
                uint64_t rt = div_round_up(rb * 8, L->c);

                if (rb == L->rb_clusters && rt == L->rt_clusters)
                        break;
                L->rb_clusters = rb;
                L->rt_clusters = rt;
        }
        L->total = fixed + L->rt_clusters + L->rb_clusters;
}

static int qcow2_layout_compute(const struct storvirt__qcow2_opts *o, uint32_t bits,
                                const char *what, struct qcow2_layout *L) {
        uint64_t fixed, per_l1;

        L->cluster_bits = bits;
        L->c = 1ull << bits;
        L->l2_entry = o->extended_l2 ? 16 : 8;
        per_l1 = L->c * (L->c / L->l2_entry);
        L->l1_size = div_round_up(o->size, per_l1);
        if (o->size > INT64_MAX || L->l1_size > QCOW2_MAX_L1_BYTES / 8)
                return opt_error(-EFBIG, what, "size %" PRIu64 ": larger than the %" PRIu64
                                 " bytes a cluster size of %" PRIu64 " can address", o->size,
                                 (uint64_t) MIN(QCOW2_MAX_L1_BYTES / 8 * per_l1, (uint64_t) INT64_MAX), L->c);
        L->l1_clusters = div_round_up(L->l1_size * 8, L->c); /* 0 for an empty image */
        if (o->preallocate_metadata) {
                L->data_clusters = div_round_up(o->size, L->c);
                L->l2_clusters = L->l1_size;
        }
        fixed = 1 + L->l1_clusters + L->l2_clusters + L->data_clusters;
        qcow2_layout_refcounts(L, fixed);
        if (L->rt_clusters * L->c > QCOW2_MAX_REFTABLE_BYTES)
                return opt_error(-EFBIG, what, "size %" PRIu64 ": its refcount table would exceed %llu "
                                 "bytes with a cluster size of %" PRIu64, o->size,
                                 QCOW2_MAX_REFTABLE_BYTES, L->c);
        L->rt_off = L->c;
        L->rb_off = L->rt_off + L->rt_clusters * L->c;
        L->l1_off = L->rb_off + L->rb_clusters * L->c;
        L->l2_off = L->l1_off + L->l1_clusters * L->c;
        L->data_off = L->l2_off + L->l2_clusters * L->c;
        return 0;
}

static int errno_error(const char *what, const char *op) {
        int err = errno;

        return storvirt__error_set(-err, "'%s': %s: %s", what, op, strerror(err));
}

/* Where a new image is written: a file descriptor, or another I/O layer. */
struct sink {
        int fd;
        const storvirt__img_io *io;
};

static int pwrite_full(const struct sink *k, const void *buf, size_t len, uint64_t off,
                       const char *what) {
        const uint8_t *p = buf;

        while (len > 0) {
                ssize_t n = k->io ? k->io->pwrite(k->io->handle, p, len, off)
                                  : pwrite(k->fd, p, len, (off_t) off);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        int err = n < 0 ? errno : EIO;

                        return storvirt__error_set(-err, "'%s': write at offset %" PRIu64 ": %s",
                                                   what, off, strerror(err));
                }
                p += n;
                len -= (size_t) n;
                off += (uint64_t) n;
        }
        return 0;
}

static size_t qcow2_header_fill(uint8_t *b, const struct storvirt__qcow2_opts *o,
                                const struct qcow2_layout *L) {
        size_t off = o->compat_010 ? QCOW2_V2_HEADER_LEN : QCOW2_V3_HEADER_LEN;

        memcpy(b, QCOW_MAGIC, 4);
        storvirt__put_be32(b + 4, o->compat_010 ? 2 : 3);
        storvirt__put_be32(b + 20, L->cluster_bits);
        storvirt__put_be64(b + 24, o->size);
        storvirt__put_be32(b + 36, (uint32_t) L->l1_size);
        storvirt__put_be64(b + 40, L->l1_off);
        storvirt__put_be64(b + 48, L->rt_off);
        storvirt__put_be32(b + 56, (uint32_t) L->rt_clusters);
        if (!o->compat_010) {
                storvirt__put_be64(b + 72, o->extended_l2 ? QCOW2_INCOMPAT_EXTENDED_L2 : 0);
                storvirt__put_be64(b + 80, o->lazy_refcounts ? QCOW2_COMPAT_LAZY_REFCOUNTS : 0);
                storvirt__put_be32(b + 96, QCOW2_REFCOUNT_ORDER);
                storvirt__put_be32(b + 100, QCOW2_V3_HEADER_LEN);
        }
        if (o->backing_format) {
                size_t n = strlen(o->backing_format);

                storvirt__put_be32(b + off, QCOW2_EXT_BACKING_FORMAT);
                storvirt__put_be32(b + off + 4, (uint32_t) n);
                memcpy(b + off + 8, o->backing_format, n);
                off += 8 + ROUND_UP8(n);
        }
        off += 8; /* end-of-extensions marker: type 0, length 0 */
        if (o->backing_file) {
                size_t n = strlen(o->backing_file);

                storvirt__put_be64(b + 8, off);
                storvirt__put_be32(b + 16, (uint32_t) n);
                memcpy(b + off, o->backing_file, n);
                off += n;
        }
        return off;
}

/*
 * Write `clusters` clusters at off holding a table of big-endian entries
 * of width 2, 8 or 16 bytes: entry i is (first + i * step) | flag for
 * i < count, 0 after that; a 16-byte entry (extended L2) is followed by
 * its subcluster bitmap, `bitmap`.  Written in batches of about 1 MiB.
 */
struct table_spec {
        uint64_t off, clusters;
        unsigned width;
        uint64_t first, step, count, flag, bitmap;
};

static int qcow2_write_table(const struct sink *out, const struct qcow2_layout *L, const struct table_spec *t,
                             const char *what) {
        uint64_t per_batch = MAX(1, (1u << 20) / L->c), per_cluster = L->c / t->width, i = 0;
        _cleanup_free_ uint8_t *buf = malloc(per_batch * L->c);

        if (!buf)
                return storvirt__error_oom();
        for (uint64_t done = 0; done < t->clusters;) {
                uint64_t n = MIN(per_batch, t->clusters - done);
                int r;

                memset(buf, 0, n * L->c);
                for (uint64_t k = 0; k < n * per_cluster && i < t->count; k++, i++) {
                        uint64_t v = (t->first + i * t->step) | t->flag;

                        if (t->width == 16) {
                                storvirt__put_be64(buf + k * 16, v);
                                storvirt__put_be64(buf + k * 16 + 8, t->bitmap);
                        } else if (t->width == 8) {
                                storvirt__put_be64(buf + k * 8, v);
                        } else {
                                storvirt__put_be16(buf + k * 2, (uint16_t) v);
                        }
                }
                r = pwrite_full(out, buf, n * L->c, t->off + done * L->c, what);
                if (r < 0)
                        return r;
                done += n;
        }
        return 0;
}

static int qcow2_write_all(const struct sink *k, const struct storvirt__qcow2_opts *o,
                           const struct qcow2_layout *L, const char *what) {
        uint64_t flag = o->preallocate_metadata ? QCOW2_OFLAG_COPIED : 0;
        const struct table_spec tables[] = {
                { L->rt_off, L->rt_clusters, 8, L->rb_off, L->c, L->rb_clusters, 0 },
                { L->rb_off, L->rb_clusters, 2, 1, 0, L->total, 0 },
                { L->l1_off, L->l1_clusters, 8, L->l2_off, L->c, L->l2_clusters ? L->l1_size : 0, flag },
                { L->l2_off, L->l2_clusters, L->l2_entry, L->data_off, L->c, L->data_clusters, flag,
                  L->l2_entry == 16 ? QCOW2_SUBCLUSTERS_ALLOCATED : 0 },
        };
        _cleanup_free_ uint8_t *hdr = calloc(1, L->c);
        int r;

        if (!hdr)
                return storvirt__error_oom();
        qcow2_header_fill(hdr, o, L);
        r = pwrite_full(k, hdr, L->c, 0, what);
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(tables); i++)
                r = qcow2_write_table(k, L, &tables[i], what);
        return r;
}

static int qcow2_check_target(int fd, const struct storvirt__qcow2_opts *o,
                              const struct qcow2_layout *L, const char *what, bool *ret_regular) {
        uint64_t need = L->total * L->c, devsize = 0;
        struct stat st;

        if (fstat(fd, &st) < 0)
                return errno_error(what, "fstat");
        *ret_regular = S_ISREG(st.st_mode);
        if (S_ISREG(st.st_mode)) {
                if (st.st_size != 0)
                        return storvirt__error_set(-EINVAL, "'%s': not empty (%" PRIu64 " bytes): "
                                                   "qcow2 images are created in empty files", what,
                                                   (uint64_t) st.st_size);
                return 0;
        }
        if (!S_ISBLK(st.st_mode))
                return storvirt__error_set(-EINVAL, "'%s': not a regular file or block device", what);
        if (o->preallocate_metadata)
                return opt_error(-EINVAL, what, "preallocate_metadata: not supported on a block device");
        if (ioctl(fd, BLKGETSIZE64, &devsize) < 0)
                return errno_error(what, "BLKGETSIZE64");
        if (devsize < need)
                return storvirt__error_set(-ENOSPC, "'%s': block device of %" PRIu64 " bytes is "
                                           "smaller than the %" PRIu64 " bytes of qcow2 metadata",
                                           what, devsize, need);
        return 0;
}

/* The options checked, the layout computed, and the header known to fit its cluster. */
static int qcow2_plan(const struct storvirt__qcow2_opts *opts, const char *what,
                      struct qcow2_layout *L) {
        uint32_t bits = 0;
        size_t hdr_len;
        int r;

        r = qcow2_check_opts(opts, what, &bits);
        if (r < 0)
                return r;
        r = qcow2_layout_compute(opts, bits, what, L);
        if (r < 0)
                return r;
        hdr_len = (opts->compat_010 ? QCOW2_V2_HEADER_LEN : QCOW2_V3_HEADER_LEN) + 8 +
                  (opts->backing_format ? 8 + ROUND_UP8(strlen(opts->backing_format)) : 0) +
                  (opts->backing_file ? strlen(opts->backing_file) : 0);
        if (hdr_len > L->c)
                return opt_error(-EINVAL, what, "backing_file: header, extensions and name (%zu bytes) "
                                 "do not fit in a cluster of %" PRIu64 " bytes", hdr_len, L->c);
        return 0;
}

int storvirt__qcow2_create_fd(int fd, const struct storvirt__qcow2_opts *opts, const char *what) {
        const struct sink k = { .fd = fd };
        struct qcow2_layout L = {};
        bool regular = false;
        int r;

        check_arg(fd >= 0, "fd", "must be an open file descriptor");
        check_nonnull(opts);
        if (!what)
                what = "qcow2 image";
        r = qcow2_plan(opts, what, &L);
        if (r < 0)
                return r;
        r = qcow2_check_target(fd, opts, &L, what, &regular);
        if (r < 0)
                return r;
        if (regular && ftruncate(fd, (off_t) (L.total * L.c)) < 0)
                return errno_error(what, "ftruncate");
        return qcow2_write_all(&k, opts, &L, what);
}

int storvirt__qcow2_create_io(const storvirt__img_io *io, const struct storvirt__qcow2_opts *opts,
                              const char *what) {
        const struct sink k = { .fd = -1, .io = io };
        struct qcow2_layout L = {};
        int r;

        check_arg(io && io->pwrite && io->truncate, "io", "must have pwrite and truncate callbacks");
        check_nonnull(opts);
        if (!what)
                what = "qcow2 image";
        r = qcow2_plan(opts, what, &L);
        if (r < 0)
                return r;
        if (io->truncate(io->handle, L.total * L.c) < 0)
                return errno_error(what, "truncate");
        return qcow2_write_all(&k, opts, &L, what);
}
