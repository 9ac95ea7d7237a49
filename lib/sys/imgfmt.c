/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * imgfmt.c - disk image format probing: recognising a format by its
 * magic, parsing the headers of qed, vmdk, vpc, vdi and iso (qcow and
 * qcow2 live in qcow2.c, luks in luks.c), and following backing chains.
 *
 * Each parser reads only the fixed-size pieces it needs, checks every
 * offset and length against the file size before reading, and caps
 * variable-size pieces (vmdk descriptors, luks2 JSON, vpc parent
 * locators) at a few KiB.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "sys/imgfmt.h"
#include "sys/luks.h"
#include "sys/qcow2.h"
#include "util/buf.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/macro.h"

#define MIN(a, b) ((a) < (b) ? (a) : (b))

#define HEAD_LEN 512                 /* first read: enough for every magic at offset 0 */
#define ISO_MAGIC_OFF 32769u         /* "CD001" in the first volume descriptor */
#define VPC_FOOTER_LEN 512u
#define VPC_DYN_HEADER_LEN 1024u
#define VPC_LOCATOR_MAX 4096u        /* bytes of one parent locator read */
#define VMDK_DESC_MAX 32768u         /* bytes of a vmdk descriptor read */
#define VDI_SIGNATURE 0xbeda107fu
#define VDI_VERSION 0x00010001u
#define VDI_HEADER_READ 392u

static const char *const known_formats[] = {
        "raw", "qcow", "qcow2", "qed", "vmdk", "vpc", "vdi", "luks",
};

bool storvirt__img_format_is_known(const char *name) {
        if (!name)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(known_formats); i++)
                if (strcmp(name, known_formats[i]) == 0)
                        return true;
        return false;
}

static bool is_pow2(uint64_t v) {
        return v != 0 && (v & (v - 1)) == 0;
}

static uint64_t div_round_up(uint64_t a, uint64_t b) {
        return a / b + (a % b != 0);
}

/* ---- helpers shared with qcow2.c ---------------------------------------- */

static ssize_t src_pread(const struct storvirt__img_src *src, void *buf, size_t len, uint64_t off) {
        if (src->io)
                return src->io->pread(src->io->handle, buf, len, off);
        return pread(src->fd, buf, len, (off_t) off);
}

int storvirt__img_read(const struct storvirt__img_src *src, uint64_t off, void *buf,
                       size_t len, const char *field) {
        uint64_t start = off;
        uint8_t *p = buf;

        if (off > src->size || len > src->size - off)
                return storvirt__error_set(-EINVAL, "'%s': %s at offset %" PRIu64 " (%zu bytes) "
                                           "runs past the end of the file (%" PRIu64 " bytes)",
                                           src->what, field, off, len, src->size);
        if (src->head && off < src->head_len) {
                size_t n = src->head_len - (size_t) off < len ? src->head_len - (size_t) off : len;

                memcpy(p, src->head + off, n);
                p += n;
                len -= n;
                off += n;
        }
        while (len > 0) {
                ssize_t n = src_pread(src, p, len, off);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        int err = errno;

                        return storvirt__error_set(-err, "'%s': reading %s at offset %" PRIu64 ": %s",
                                                   src->what, field, start, strerror(err));
                }
                if (n == 0)
                        return storvirt__error_set(-EIO, "'%s': reading %s at offset %" PRIu64
                                                   ": unexpected end of file at %" PRIu64
                                                   " (shorter than %" PRIu64 " bytes)", src->what,
                                                   field, start, off, src->size);
                p += n;
                len -= (size_t) n;
                off += (uint64_t) n;
        }
        return 0;
}

int storvirt__img_name_dup(const struct storvirt__img_src *src, const char *field,
                           const char *p, size_t len, size_t max, char **ret) {
        char *s;

        if (len > max)
                return storvirt__error_set(-EINVAL, "'%s': %s: %zu bytes, at most %zu",
                                           src->what, field, len, max);
        if (memchr(p, '\0', len))
                return storvirt__error_set(-EINVAL, "'%s': %s contains a NUL byte", src->what, field);
        s = strndup(p, len);
        if (!s)
                return storvirt__error_oom();
        free(*ret);
        *ret = s;
        return 0;
}

int storvirt__img_format_copy(const struct storvirt__img_src *src, const char *field,
                              const char *p, size_t len, char dst[static 16]) {
        if (len > 15)
                return storvirt__error_set(-EINVAL, "'%s': %s: format name of %zu bytes is too "
                                           "long (at most 15)", src->what, field, len);
        for (size_t i = 0; i < len; i++)
                if ((unsigned char) p[i] <= 0x20 || (unsigned char) p[i] >= 0x7f)
                        return storvirt__error_set(-EINVAL, "'%s': %s: format name contains byte 0x%02x",
                                                   src->what, field, (unsigned char) p[i]);
        memcpy(dst, p, len);
        dst[len] = '\0';
        return 0;
}

/* ---- raw, iso ------------------------------------------------------------- */

static int raw_parse(const struct storvirt__img_src *src, storvirt__img_info *info) {
        strcpy(info->format, "raw");
        info->virtual_size = src->size;
        return 0;
}

/* 1 if the iso9660 magic is there, 0 if not, or a read error. */
static int iso_magic(const struct storvirt__img_src *src) {
        char m[5];
        int r;

        if (src->size < ISO_MAGIC_OFF + sizeof(m))
                return 0;
        r = storvirt__img_read(src, ISO_MAGIC_OFF, m, sizeof(m), "iso volume descriptor");
        return r < 0 ? r : memcmp(m, "CD001", 5) == 0;
}

static int iso_parse(const struct storvirt__img_src *src, storvirt__img_info *info) {
        int r = iso_magic(src);

        if (r < 0)
                return r;
        if (r == 0)
                return storvirt__error_set(-EINVAL, "'%s': not an iso image (no CD001 at offset %u)",
                                           src->what, ISO_MAGIC_OFF);
        strcpy(info->format, "iso");
        info->virtual_size = src->size;
        return 0;
}

/* ---- qed ------------------------------------------------------------------ */

struct qed_hdr {
        uint32_t cluster, table, header_clusters, bf_off, bf_size;
        uint64_t features, compat, autoclear, l1_off, image_size;
};

#define QED_F_BACKING_FILE 0x01u
#define QED_F_NEED_CHECK 0x02u
#define QED_F_BACKING_FORMAT_NO_PROBE 0x04u
#define QED_F_KNOWN (QED_F_BACKING_FILE | QED_F_NEED_CHECK | QED_F_BACKING_FORMAT_NO_PROBE)

static int qed_check_geometry(const struct storvirt__img_src *src, const struct qed_hdr *h) {
        uint64_t entries, per_l1;

        if (!is_pow2(h->cluster) || h->cluster < 4096 || h->cluster > (64u << 20))
                return storvirt__error_set(-EINVAL, "'%s': qed header: cluster_size %" PRIu32
                                           " invalid (a power of two from 4096 to 67108864)",
                                           src->what, h->cluster);
        if (!is_pow2(h->table) || h->table > 16)
                return storvirt__error_set(-EINVAL, "'%s': qed header: table_size %" PRIu32
                                           " invalid (a power of two from 1 to 16)", src->what, h->table);
        if (h->header_clusters == 0)
                return storvirt__error_set(-EINVAL, "'%s': qed header: header_size is 0", src->what);
        if (h->image_size > INT64_MAX || h->image_size % 512 != 0)
                return storvirt__error_set(-EINVAL, "'%s': qed header: image_size %" PRIu64
                                           " invalid (a multiple of 512 below 2^63)", src->what,
                                           h->image_size);
        entries = (uint64_t) h->table * h->cluster / 8;
        per_l1 = entries * h->cluster;
        if (div_round_up(h->image_size, per_l1) > entries)
                return storvirt__error_set(-EINVAL, "'%s': qed header: image_size %" PRIu64
                                           " larger than the tables can address", src->what,
                                           h->image_size);
        if (h->l1_off % h->cluster != 0 || h->l1_off > src->size ||
            (uint64_t) h->table * h->cluster > src->size - h->l1_off)
                return storvirt__error_set(-EINVAL, "'%s': qed header: l1_table_offset %" PRIu64
                                           " unaligned or past the end of the file (%" PRIu64
                                           " bytes)", src->what, h->l1_off, src->size);
        return 0;
}

static int qed_backing(const struct storvirt__img_src *src, const struct qed_hdr *h,
                       storvirt__img_info *info) {
        uint64_t header_bytes = (uint64_t) h->header_clusters * h->cluster;
        char buf[STORVIRT__IMG_BACKING_NAME_MAX];
        int r;

        if (!(h->features & QED_F_BACKING_FILE))
                return 0;
        if (h->bf_size > STORVIRT__IMG_BACKING_NAME_MAX)
                return storvirt__error_set(-EINVAL, "'%s': qed header: backing_filename_size %" PRIu32
                                           " exceeds %d", src->what, h->bf_size,
                                           STORVIRT__IMG_BACKING_NAME_MAX);
        if ((uint64_t) h->bf_off + h->bf_size > header_bytes)
                return storvirt__error_set(-EINVAL, "'%s': qed header: backing file name at offset %"
                                           PRIu32 " (%" PRIu32 " bytes) runs past the header (%"
                                           PRIu64 " bytes)", src->what, h->bf_off, h->bf_size,
                                           header_bytes);
        if (h->bf_size == 0)
                return 0;
        r = storvirt__img_read(src, h->bf_off, buf, h->bf_size, "qed backing file name");
        if (r < 0)
                return r;
        r = storvirt__img_name_dup(src, "qed backing file name", buf, h->bf_size,
                                   STORVIRT__IMG_BACKING_NAME_MAX, &info->backing_file);
        if (r < 0)
                return r;
        if (h->features & QED_F_BACKING_FORMAT_NO_PROBE)
                strcpy(info->backing_format, "raw");
        return 0;
}

static int qed_parse(const struct storvirt__img_src *src, storvirt__img_info *info) {
        uint8_t b[64];
        struct qed_hdr h;
        int r;

        if (src->size < sizeof(b))
                return storvirt__error_set(-EINVAL, "'%s': qed header truncated: the file has %"
                                           PRIu64 " bytes", src->what, src->size);
        r = storvirt__img_read(src, 0, b, sizeof(b), "qed header");
        if (r < 0)
                return r;
        if (memcmp(b, "QED\0", 4) != 0)
                return storvirt__error_set(-EINVAL, "'%s': not a qed image (no QED magic)", src->what);
        h = (struct qed_hdr) {
                storvirt__le32(b + 4), storvirt__le32(b + 8), storvirt__le32(b + 12),
                storvirt__le32(b + 56), storvirt__le32(b + 60), storvirt__le64(b + 16),
                storvirt__le64(b + 24), storvirt__le64(b + 32), storvirt__le64(b + 40),
                storvirt__le64(b + 48),
        };
        r = qed_check_geometry(src, &h);
        if (r < 0)
                return r;
        if (h.features & ~(uint64_t) QED_F_KNOWN)
                return storvirt__error_set(-EOPNOTSUPP, "'%s': qed header: unknown features 0x%" PRIx64,
                                           src->what, h.features & ~(uint64_t) QED_F_KNOWN);
        strcpy(info->format, "qed");
        info->virtual_size = h.image_size;
        info->cluster_bits = (uint32_t) __builtin_ctz(h.cluster);
        info->incompatible_features = h.features;
        info->compatible_features = h.compat;
        info->autoclear_features = h.autoclear;
        return qed_backing(src, &h, info);
}

/* ---- vdi ------------------------------------------------------------------ */

static bool vdi_magic(const uint8_t *b, size_t n) {
        return n >= 68 && storvirt__le32(b + 64) == VDI_SIGNATURE;
}

static int vdi_parse(const struct storvirt__img_src *src, storvirt__img_info *info) {
        static const char *const types[] = { "dynamic", "static", "undo", "diff" };
        uint8_t b[VDI_HEADER_READ];
        uint32_t version, type, bmap_off, block, blocks;
        uint64_t disk_size;
        int r;

        if (src->size < sizeof(b))
                return storvirt__error_set(-EINVAL, "'%s': vdi header truncated: the file has %"
                                           PRIu64 " bytes", src->what, src->size);
        r = storvirt__img_read(src, 0, b, sizeof(b), "vdi header");
        if (r < 0)
                return r;
        if (!vdi_magic(b, sizeof(b)))
                return storvirt__error_set(-EINVAL, "'%s': not a vdi image (no signature at offset 64)",
                                           src->what);
        version = storvirt__le32(b + 68);
        type = storvirt__le32(b + 76);
        bmap_off = storvirt__le32(b + 340);
        disk_size = storvirt__le64(b + 368);
        block = storvirt__le32(b + 376);
        blocks = storvirt__le32(b + 384);
        if (version != VDI_VERSION)
                return storvirt__error_set(-EOPNOTSUPP, "'%s': vdi header: version 0x%08" PRIx32
                                           " not supported", src->what, version);
        if (type < 1 || type > ELEMENTSOF(types))
                return storvirt__error_set(-EINVAL, "'%s': vdi header: image_type %" PRIu32 " unknown",
                                           src->what, type);
        if (!is_pow2(block) || block < 512)
                return storvirt__error_set(-EINVAL, "'%s': vdi header: block_size %" PRIu32
                                           " invalid (a power of two, at least 512)", src->what, block);
        if (disk_size > INT64_MAX || disk_size > (uint64_t) blocks * block)
                return storvirt__error_set(-EINVAL, "'%s': vdi header: disk_size %" PRIu64 " larger than "
                                           "blocks_in_image %" PRIu32 " x block_size %" PRIu32,
                                           src->what, disk_size, blocks, block);
        if (bmap_off > src->size || (uint64_t) blocks * 4 > src->size - bmap_off)
                return storvirt__error_set(-EINVAL, "'%s': vdi header: block map at offset %" PRIu32
                                           " (%" PRIu32 " entries) runs past the end of the file (%"
                                           PRIu64 " bytes)", src->what, bmap_off, blocks, src->size);
        strcpy(info->format, "vdi");
        strcpy(info->subformat, types[type - 1]);
        info->virtual_size = disk_size;
        info->cluster_bits = (uint32_t) __builtin_ctz(block);
        return 0;
}

/* ---- vpc (VHD) ------------------------------------------------------------ */

#define VPC_TYPE_FIXED 2u
#define VPC_TYPE_DYNAMIC 3u
#define VPC_TYPE_DIFF 4u

static uint32_t vpc_checksum(const uint8_t *f) {
        uint32_t sum = 0;

        for (unsigned i = 0; i < VPC_FOOTER_LEN; i++)
                if (i < 64 || i >= 68) /* the checksum field counts as zero */
                        sum += f[i];
        return ~sum;
}

/*
 * A fixed disk (no copy of the footer at offset 0), checked strictly:
 * checksum, type and size must all agree.  1 if so, 0 if not, or a
 * read error.
 */
static int vpc_fixed_footer(const struct storvirt__img_src *src) {
        uint8_t f[VPC_FOOTER_LEN];
        int r;

        if (src->size < 2 * VPC_FOOTER_LEN)
                return 0;
        r = storvirt__img_read(src, src->size - VPC_FOOTER_LEN, f, sizeof(f), "vpc footer");
        if (r < 0)
                return r;
        return memcmp(f, "conectix", 8) == 0 && storvirt__be32(f + 60) == VPC_TYPE_FIXED &&
               storvirt__be32(f + 64) == vpc_checksum(f) &&
               storvirt__be64(f + 48) == src->size - VPC_FOOTER_LEN;
}

/* UTF-16 (big or little endian, up to a NUL) to UTF-8 of at most 1023 bytes. */
static int vpc_utf16(const struct storvirt__img_src *src, const char *field, const uint8_t *p,
                     size_t nbytes, bool be, char **ret) {
        char out[STORVIRT__IMG_BACKING_NAME_MAX + 4];
        size_t o = 0;

        for (size_t i = 0; i + 1 < nbytes; i += 2) {
                uint32_t u = be ? storvirt__be16(p + i) : storvirt__le16(p + i), lo;

                if (u == 0)
                        break;
                if (u >= 0xDC00 && u <= 0xDFFF)
                        return storvirt__error_set(-EINVAL, "'%s': %s: invalid UTF-16 at byte %zu",
                                                   src->what, field, i);
                if (u >= 0xD800 && u <= 0xDBFF) {
                        lo = i + 3 < nbytes ? (be ? storvirt__be16(p + i + 2) : storvirt__le16(p + i + 2)) : 0;
                        if (lo < 0xDC00 || lo > 0xDFFF)
                                return storvirt__error_set(-EINVAL, "'%s': %s: invalid UTF-16 at byte %zu",
                                                           src->what, field, i);
                        u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                        i += 2;
                }
                if (o + 4 > STORVIRT__IMG_BACKING_NAME_MAX + 1)
                        return storvirt__error_set(-EINVAL, "'%s': %s: longer than %d bytes",
                                                   src->what, field, STORVIRT__IMG_BACKING_NAME_MAX);
                if (u < 0x80)
                        out[o++] = (char) u;
                else if (u < 0x800) {
                        out[o++] = (char) (0xC0 | u >> 6);
                        out[o++] = (char) (0x80 | (u & 0x3F));
                } else if (u < 0x10000) {
                        out[o++] = (char) (0xE0 | u >> 12);
                        out[o++] = (char) (0x80 | ((u >> 6) & 0x3F));
                        out[o++] = (char) (0x80 | (u & 0x3F));
                } else {
                        out[o++] = (char) (0xF0 | u >> 18);
                        out[o++] = (char) (0x80 | ((u >> 12) & 0x3F));
                        out[o++] = (char) (0x80 | ((u >> 6) & 0x3F));
                        out[o++] = (char) (0x80 | (u & 0x3F));
                }
        }
        if (o == 0)
                return 0;
        return storvirt__img_name_dup(src, field, out, o, STORVIRT__IMG_BACKING_NAME_MAX, ret);
}

/* Parent locator of platform code `code` ('W2ru', 'W2ku'), UTF-16LE. */
static int vpc_locator(const struct storvirt__img_src *src, const uint8_t *d, uint32_t code,
                       char **ret) {
        for (unsigned i = 0; i < 8; i++) {
                const uint8_t *l = d + 576 + i * 24;
                uint32_t len = storvirt__be32(l + 8);
                _cleanup_free_ uint8_t *buf = NULL;
                char field[48];
                int r;

                if (storvirt__be32(l) != code || len == 0)
                        continue;
                snprintf(field, sizeof(field), "vpc parent locator %u", i);
                if (len > VPC_LOCATOR_MAX)
                        return storvirt__error_set(-EINVAL, "'%s': %s: length %" PRIu32 " exceeds %u",
                                                   src->what, field, len, VPC_LOCATOR_MAX);
                buf = malloc(len);
                if (!buf)
                        return storvirt__error_oom();
                r = storvirt__img_read(src, storvirt__be64(l + 16), buf, len, field);
                if (r < 0)
                        return r;
                return vpc_utf16(src, field, buf, len, false, ret);
        }
        return 0;
}

static int vpc_parent(const struct storvirt__img_src *src, const uint8_t *d,
                      storvirt__img_info *info) {
        int r;

        r = vpc_utf16(src, "vpc parent name", d + 64, 512, true, &info->backing_file);
        if (r >= 0 && !info->backing_file)
                r = vpc_locator(src, d, 0x57327275 /* W2ru */, &info->backing_file);
        if (r >= 0 && !info->backing_file)
                r = vpc_locator(src, d, 0x57326b75 /* W2ku */, &info->backing_file);
        if (r < 0)
                return r;
        if (!info->backing_file)
                return storvirt__error_set(-EINVAL, "'%s': vpc differencing disk names no parent",
                                           src->what);
        strcpy(info->backing_format, "vpc");
        return 0;
}

static int vpc_dynamic(const struct storvirt__img_src *src, const uint8_t *f, bool diff,
                       storvirt__img_info *info) {
        uint8_t d[VPC_DYN_HEADER_LEN];
        uint64_t table_off;
        uint32_t entries, block;
        int r;

        r = storvirt__img_read(src, storvirt__be64(f + 16), d, sizeof(d), "vpc dynamic header");
        if (r < 0)
                return r;
        if (memcmp(d, "cxsparse", 8) != 0)
                return storvirt__error_set(-EINVAL, "'%s': vpc dynamic header: no cxsparse cookie",
                                           src->what);
        table_off = storvirt__be64(d + 16);
        entries = storvirt__be32(d + 28);
        block = storvirt__be32(d + 32);
        if (!is_pow2(block) || block < 512)
                return storvirt__error_set(-EINVAL, "'%s': vpc dynamic header: block_size %" PRIu32
                                           " invalid (a power of two, at least 512)", src->what, block);
        if (table_off > src->size || (uint64_t) entries * 4 > src->size - table_off)
                return storvirt__error_set(-EINVAL, "'%s': vpc dynamic header: block table at offset %"
                                           PRIu64 " (%" PRIu32 " entries) runs past the end of the "
                                           "file (%" PRIu64 " bytes)", src->what, table_off,
                                           entries, src->size);
        if (info->virtual_size > (uint64_t) entries * block)
                return storvirt__error_set(-EINVAL, "'%s': vpc footer: current_size %" PRIu64
                                           " larger than the block table covers (%" PRIu32 " x %"
                                           PRIu32 ")", src->what, info->virtual_size, entries, block);
        info->cluster_bits = (uint32_t) __builtin_ctz(block);
        return diff ? vpc_parent(src, d, info) : 0;
}

static int vpc_footer_read(const struct storvirt__img_src *src, uint8_t f[static VPC_FOOTER_LEN]) {
        int r;

        if (src->size < VPC_FOOTER_LEN)
                return storvirt__error_set(-EINVAL, "'%s': vpc footer truncated: the file has %"
                                           PRIu64 " bytes", src->what, src->size);
        /* The footer proper is at the end; dynamic disks keep a copy at offset 0. */
        r = storvirt__img_read(src, src->size - VPC_FOOTER_LEN, f, VPC_FOOTER_LEN, "vpc footer");
        if (r < 0 || memcmp(f, "conectix", 8) == 0)
                return r;
        r = storvirt__img_read(src, 0, f, VPC_FOOTER_LEN, "vpc footer copy");
        if (r < 0)
                return r;
        if (memcmp(f, "conectix", 8) != 0)
                return storvirt__error_set(-EINVAL, "'%s': not a vpc image (no conectix footer)",
                                           src->what);
        return 0;
}

static int vpc_parse(const struct storvirt__img_src *src, storvirt__img_info *info) {
        static const char *const types[] = { "fixed", "dynamic", "differencing" };
        uint8_t f[VPC_FOOTER_LEN];
        uint32_t type;
        int r;

        r = vpc_footer_read(src, f);
        if (r < 0)
                return r;
        type = storvirt__be32(f + 60);
        info->virtual_size = storvirt__be64(f + 48);
        if (type < VPC_TYPE_FIXED || type > VPC_TYPE_DIFF)
                return storvirt__error_set(-EINVAL, "'%s': vpc footer: disk_type %" PRIu32 " unknown",
                                           src->what, type);
        if (info->virtual_size > INT64_MAX)
                return storvirt__error_set(-EINVAL, "'%s': vpc footer: current_size %" PRIu64
                                           " larger than 2^63-1", src->what, info->virtual_size);
        if (type == VPC_TYPE_FIXED && info->virtual_size > src->size - VPC_FOOTER_LEN)
                return storvirt__error_set(-EINVAL, "'%s': vpc footer: current_size %" PRIu64
                                           " of a fixed disk runs past the end of the file (%"
                                           PRIu64 " bytes)", src->what, info->virtual_size, src->size);
        strcpy(info->format, "vpc");
        strcpy(info->subformat, types[type - VPC_TYPE_FIXED]);
        if (type == VPC_TYPE_FIXED)
                return 0;
        return vpc_dynamic(src, f, type == VPC_TYPE_DIFF, info);
}

/* ---- vmdk ----------------------------------------------------------------- */

struct vmdk_desc {
        char create_type[32];
        char *parent;
        uint64_t sectors;  /* sum of the extents */
        bool extents;
        unsigned line;
};

static char *skip_blanks(char *s) {
        while (*s == ' ' || *s == '\t')
                s++;
        return s;
}

static void trim_end(char *s) {
        size_t n = strlen(s);

        while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
                s[--n] = '\0';
}

/* "RW 20480 SPARSE "name.vmdk" [offset]": adds the size in sectors. */
static int vmdk_extent(const struct storvirt__img_src *src, char *p, struct vmdk_desc *d) {
        uint64_t n = 0;
        char *q;

        p = skip_blanks(p);
        if (*p < '0' || *p > '9')
                return storvirt__error_set(-EINVAL, "'%s': vmdk descriptor line %u: extent size "
                                           "missing", src->what, d->line);
        for (; *p >= '0' && *p <= '9'; p++) {
                if (n > (UINT64_MAX - 9) / 10)
                        return storvirt__error_set(-EINVAL, "'%s': vmdk descriptor line %u: extent "
                                                   "size overflows", src->what, d->line);
                n = n * 10 + (uint64_t) (*p - '0');
        }
        if (n > INT64_MAX / 512 - d->sectors)
                return storvirt__error_set(-EINVAL, "'%s': vmdk descriptor line %u: extents add up to "
                                           "more than 2^63-1 bytes", src->what, d->line);
        q = strchr(p, '"');
        if (q && !strchr(q + 1, '"'))
                return storvirt__error_set(-EINVAL, "'%s': vmdk descriptor line %u: extent file name "
                                           "has no closing quote", src->what, d->line);
        d->sectors += n;
        d->extents = true;
        return 0;
}

static int vmdk_value(const struct storvirt__img_src *src, char *key, char *value,
                      struct vmdk_desc *d) {
        size_t len;

        if (*value == '"') {
                char *end = strchr(++value, '"');

                if (!end) {
                        char q[64];

                        return storvirt__error_set(-EINVAL, "'%s': vmdk descriptor line %u: value of "
                                                   "'%s' has no closing quote", src->what, d->line,
                                                   storvirt__name_escape(key, q, sizeof(q)));
                }
                *end = '\0';
        }
        len = strlen(value);
        if (strcmp(key, "createType") == 0) {
                if (len >= sizeof(d->create_type))
                        return storvirt__error_set(-EINVAL, "'%s': vmdk descriptor line %u: createType "
                                                   "of %zu bytes is too long", src->what, d->line, len);
                memcpy(d->create_type, value, len + 1);
        } else if (strcmp(key, "parentFileNameHint") == 0 && len > 0)
                return storvirt__img_name_dup(src, "vmdk parentFileNameHint", value, len,
                                              STORVIRT__IMG_BACKING_NAME_MAX, &d->parent);
        return 0;
}

static int vmdk_line(const struct storvirt__img_src *src, char *line, struct vmdk_desc *d) {
        static const char *const access[] = { "RW ", "RDONLY ", "NOACCESS " };
        char *eq;

        trim_end(line);
        line = skip_blanks(line);
        if (*line == '\0' || *line == '#')
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(access); i++)
                if (strncmp(line, access[i], strlen(access[i])) == 0)
                        return vmdk_extent(src, line + strlen(access[i]), d);
        eq = strchr(line, '=');
        if (!eq)
                return 0; /* not a key=value line: ignored, as other readers do */
        *eq = '\0';
        trim_end(line);
        return vmdk_value(src, line, skip_blanks(eq + 1), d);
}

/* text: NUL-terminated, modified in place. */
static int vmdk_desc_parse(const struct storvirt__img_src *src, char *text, struct vmdk_desc *d) {
        char *line = text;

        while (line) {
                char *nl = strchr(line, '\n');
                int r;

                if (nl)
                        *nl = '\0';
                d->line++;
                r = vmdk_line(src, line, d);
                if (r < 0)
                        return r;
                line = nl ? nl + 1 : NULL;
        }
        return 0;
}

/* Read and parse `len` bytes of descriptor at off (capped at VMDK_DESC_MAX). */
static int vmdk_desc_read(const struct storvirt__img_src *src, uint64_t off, uint64_t len,
                          struct vmdk_desc *d) {
        size_t n = (size_t) MIN(len, (uint64_t) VMDK_DESC_MAX);
        _cleanup_free_ char *text = malloc(n + 1);
        int r;

        if (!text)
                return storvirt__error_oom();
        r = storvirt__img_read(src, off, text, n, "vmdk descriptor");
        if (r < 0)
                return r;
        text[n] = '\0';
        if (strlen(text) == n && len > n)
                return storvirt__error_set(-EOPNOTSUPP, "'%s': vmdk descriptor longer than %u bytes "
                                           "is not supported", src->what, VMDK_DESC_MAX);
        return vmdk_desc_parse(src, text, d);
}

static int vmdk_sparse(const struct storvirt__img_src *src, struct vmdk_desc *d,
                       storvirt__img_info *info) {
        uint8_t h[77];
        uint64_t capacity, grain, desc_off, desc_len;
        uint32_t version;
        int r;

        if (src->size < sizeof(h))
                return storvirt__error_set(-EINVAL, "'%s': vmdk header truncated: the file has %"
                                           PRIu64 " bytes", src->what, src->size);
        r = storvirt__img_read(src, 0, h, sizeof(h), "vmdk header");
        if (r < 0)
                return r;
        version = storvirt__le32(h + 4);
        capacity = storvirt__le64(h + 12);
        grain = storvirt__le64(h + 20);
        desc_off = storvirt__le64(h + 28);
        desc_len = storvirt__le64(h + 36);
        if (version < 1 || version > 3)
                return storvirt__error_set(-EOPNOTSUPP, "'%s': vmdk header: version %" PRIu32
                                           " not supported (1, 2 or 3)", src->what, version);
        if (capacity > INT64_MAX / 512)
                return storvirt__error_set(-EINVAL, "'%s': vmdk header: capacity %" PRIu64
                                           " sectors overflows", src->what, capacity);
        if (grain == 0 || grain > 0x200000)
                return storvirt__error_set(-EINVAL, "'%s': vmdk header: grainSize %" PRIu64
                                           " invalid (1 to 2097152 sectors)", src->what, grain);
        if (desc_off > src->size / 512 || desc_len > src->size / 512)
                return storvirt__error_set(-EINVAL, "'%s': vmdk header: descriptor at sector %" PRIu64
                                           " (%" PRIu64 " sectors) runs past the end of the file (%"
                                           PRIu64 " bytes)", src->what, desc_off, desc_len, src->size);
        info->virtual_size = capacity * 512;
        if (is_pow2(grain))
                info->cluster_bits = 9 + (uint32_t) __builtin_ctzll(grain);
        if (desc_off == 0 || desc_len == 0)
                return 0;
        return vmdk_desc_read(src, desc_off * 512, desc_len * 512, d);
}

static int vmdk_parse(const struct storvirt__img_src *src, storvirt__img_info *info) {
        struct vmdk_desc d = {};
        char magic[21];
        int r;

        if (src->size < 4)
                return storvirt__error_set(-EINVAL, "'%s': not a vmdk image (too short)", src->what);
        r = storvirt__img_read(src, 0, magic, MIN(src->size, sizeof(magic)), "vmdk magic");
        if (r < 0)
                return r;
        if (memcmp(magic, "KDMV", 4) == 0)
                r = vmdk_sparse(src, &d, info);
        else if (src->size >= sizeof(magic) && memcmp(magic, "# Disk DescriptorFile", 21) == 0) {
                if (src->size > VMDK_DESC_MAX)
                        return storvirt__error_set(-EOPNOTSUPP, "'%s': vmdk descriptor file of %" PRIu64
                                                   " bytes is larger than %u", src->what, src->size,
                                                   VMDK_DESC_MAX);
                r = vmdk_desc_read(src, 0, src->size, &d);
                if (r >= 0 && d.create_type[0] == '\0')
                        r = storvirt__error_set(-EINVAL, "'%s': vmdk descriptor: createType missing",
                                                src->what);
        } else
                return storvirt__error_set(-EINVAL, "'%s': not a vmdk image (no KDMV magic or "
                                           "descriptor)", src->what);
        if (r < 0) {
                free(d.parent);
                return r;
        }
        strcpy(info->format, "vmdk");
        strcpy(info->subformat, d.create_type);
        if (d.extents)
                info->virtual_size = d.sectors * 512;
        info->backing_file = d.parent;
        if (d.parent)
                strcpy(info->backing_format, "vmdk");
        return 0;
}

/* ---- detection and entry points ------------------------------------------ */

static int qcow_any_parse(const struct storvirt__img_src *src, storvirt__img_info *info) {
        return storvirt__qcow_probe(src, NULL, info);
}
static int qcow1_parse(const struct storvirt__img_src *src, storvirt__img_info *info) {
        return storvirt__qcow_probe(src, "qcow", info);
}
static int qcow2_parse(const struct storvirt__img_src *src, storvirt__img_info *info) {
        return storvirt__qcow_probe(src, "qcow2", info);
}

typedef int (*img_parse_fn)(const struct storvirt__img_src *src, storvirt__img_info *info);

static const struct {
        const char *name;
        img_parse_fn parse;
} parsers[] = {
        { "raw", raw_parse },   { "qcow", qcow1_parse }, { "qcow2", qcow2_parse },
        { "qed", qed_parse },   { "vmdk", vmdk_parse },  { "vpc", vpc_parse },
        { "vdi", vdi_parse },   { "iso", iso_parse },    { "luks", storvirt__img_luks_parse },
};

static img_parse_fn parser_find(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(parsers); i++)
                if (strcmp(parsers[i].name, name) == 0)
                        return parsers[i].parse;
        return NULL;
}

static bool has_prefix(const uint8_t *b, size_t n, const char *magic, size_t len) {
        return n >= len && memcmp(b, magic, len) == 0;
}

/* Whether the file holds nothing but zeros: no block allocated, and its head reads so. */
static bool all_zeros(const struct storvirt__img_src *src) {
        if (!src->no_blocks || !src->head || src->head_len == 0)
                return false;
        /* zero first, and each byte the same as the next: memcmp's speed */
        return src->head[0] == 0 && memcmp(src->head, src->head + 1, src->head_len - 1) == 0;
}

static int img_detect(const struct storvirt__img_src *src, img_parse_fn *ret) {
        uint8_t b[HEAD_LEN];
        size_t n = (size_t) MIN(src->size, (uint64_t) HEAD_LEN);
        int r;

        r = storvirt__img_read(src, 0, b, n, "header");
        if (r < 0)
                return r;
        if (has_prefix(b, n, "QFI\xfb", 4))
                *ret = qcow_any_parse;
        else if (has_prefix(b, n, "QED\0", 4))
                *ret = qed_parse;
        else if (has_prefix(b, n, "KDMV", 4) || has_prefix(b, n, "# Disk DescriptorFile", 21))
                *ret = vmdk_parse;
        else if (has_prefix(b, n, "conectix", 8))
                *ret = vpc_parse;
        else if (vdi_magic(b, n))
                *ret = vdi_parse;
        else if (has_prefix(b, n, "LUKS\xba\xbe", 6))
                *ret = storvirt__img_luks_parse;
        else if (all_zeros(src))
                *ret = raw_parse;
        else if ((r = iso_magic(src)) != 0)
                *ret = iso_parse;
        else if ((r = vpc_fixed_footer(src)) != 0)
                *ret = vpc_parse;
        else
                *ret = raw_parse;
        return r < 0 ? r : 0;
}

/* Reads the first bytes once; every parser's reads of them are then free. */
static int head_read(struct storvirt__img_src *src, uint8_t *buf, size_t size) {
        size_t want = src->size < size ? (size_t) src->size : size, got = 0;

        while (got < want) {
                ssize_t n = src_pread(src, buf + got, want - got, got);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return storvirt__error_set(-errno, "'%s': reading the header: %s",
                                                   src->what, strerror(errno));
                if (n == 0)
                        break; /* shorter than its size said: later reads report it */
                got += (size_t) n;
        }
        src->head = buf;
        src->head_len = got;
        return 0;
}

static int probe_src(struct storvirt__img_src *src, const char *format, storvirt__img_info *ret) {
        uint8_t head[STORVIRT__IMG_HEAD_SIZE];
        storvirt__img_info info = {};
        img_parse_fn parse = NULL;
        int r;

        check_nonnull(ret);
        r = head_read(src, head, sizeof(head));
        if (r < 0)
                return r;
        if (format) {
                parse = parser_find(format);
                if (!parse)
                        return storvirt__error_set(-EINVAL, "'%s': unknown image format '%.32s'",
                                                   src->what, format);
        } else {
                r = img_detect(src, &parse);
                if (r < 0)
                        return r;
        }
        r = parse(src, &info);
        src->head = NULL;       /* head is this frame's */
        if (r < 0) {
                storvirt__img_info_clear(&info);
                return r;
        }
        *ret = info;
        return 0;
}

static int probe(int fd, uint64_t file_size, bool no_blocks, const char *what,
                 const char *format, storvirt__img_info *ret) {
        struct storvirt__img_src src = { .fd = fd, .size = file_size, .what = what ? what : "image",
                                         .no_blocks = no_blocks };

        check_arg(fd >= 0, "fd", "must be an open file descriptor");
        return probe_src(&src, format, ret);
}

int storvirt__img_probe_fd_as(int fd, uint64_t file_size, const char *what,
                              const char *format, storvirt__img_info *ret) {
        return probe(fd, file_size, false, what, format, ret);
}

int storvirt__img_probe_io(const storvirt__img_io *io, uint64_t file_size, const char *what,
                           const char *format, storvirt__img_info *ret) {
        struct storvirt__img_src src = { .fd = -1, .io = io, .size = file_size,
                                         .what = what ? what : "image" };

        check_arg(io && io->pread, "io", "must have a pread callback");
        return probe_src(&src, format, ret);
}

int storvirt__img_probe_fd(int fd, uint64_t file_size, const char *what, storvirt__img_info *ret) {
        return probe(fd, file_size, false, what, NULL, ret);
}

int storvirt__img_probe_file(int fd, const struct stat *st, const char *what,
                             storvirt__img_info *ret) {
        check_nonnull(st);
        return probe(fd, (uint64_t)st->st_size, S_ISREG(st->st_mode) && st->st_blocks == 0, what,
                     NULL, ret);
}

static int probe_magic_src(struct storvirt__img_src *src, char ret[static 16]) {
        uint8_t head[STORVIRT__IMG_HEAD_SIZE];
        img_parse_fn parse = NULL;
        int r;

        r = head_read(src, head, sizeof(head));
        if (r >= 0)
                r = img_detect(src, &parse);
        if (r < 0)
                return r;
        if (parse == qcow_any_parse)
                /* version 1 is qcow; anything else claims to be qcow2 */
                parse = src->head_len >= 8 && storvirt__be32(src->head + 4) == 1 ? qcow1_parse
                                                                               : qcow2_parse;
        for (size_t i = 0; i < ELEMENTSOF(parsers); i++)
                if (parsers[i].parse == parse)
                        snprintf(ret, 16, "%s", parsers[i].name);
        return 0;
}

int storvirt__img_probe_magic(int fd, uint64_t file_size, const char *what, char ret[static 16]) {
        struct storvirt__img_src src = { .fd = fd, .size = file_size, .what = what ? what : "image" };

        check_arg(fd >= 0, "fd", "must be an open file descriptor");
        return probe_magic_src(&src, ret);
}

int storvirt__img_probe_magic_io(const storvirt__img_io *io, uint64_t file_size, const char *what,
                                 char ret[static 16]) {
        struct storvirt__img_src src = { .fd = -1, .io = io, .size = file_size,
                                         .what = what ? what : "image" };

        check_arg(io && io->pread, "io", "must have a pread callback");
        return probe_magic_src(&src, ret);
}

/* qcow2 incompatible features: dirty, corrupt, external data file, compression type, extended L2 */
#define QCOW2_INCOMPAT_KNOWN 0x1full
#define QCOW2_INCOMPAT_CORRUPT (1ull << 1)

int storvirt__img_check_usable(const storvirt__img_info *info, const char *what, uint32_t flags) {
        bool qcow2 = strcmp(info->format, "qcow2") == 0;

        if (qcow2 && (info->incompatible_features & ~QCOW2_INCOMPAT_KNOWN))
                return storvirt__error_set(-EOPNOTSUPP, "'%s': qcow2 image with unknown incompatible "
                                                        "feature bits 0x%llx, which QEMU refuses to open",
                                           what, (unsigned long long)(info->incompatible_features &
                                                                      ~QCOW2_INCOMPAT_KNOWN));
        if (qcow2 && (info->incompatible_features & QCOW2_INCOMPAT_CORRUPT))
                return storvirt__error_set(-EIO, "'%s': the qcow2 image is marked corrupt "
                                                 "(check and repair it with qemu-img check -r all)",
                                           what);
        if (info->data_file)
                return storvirt__error_set(-EOPNOTSUPP, "'%s': the image keeps its data in an "
                                                        "external file ('%s'), which is not supported",
                                           what, info->data_file);
        if (info->encrypted && !(flags & STORVIRT__IMG_USABLE_SECRET_KNOWN))
                return storvirt__error_set(-EOPNOTSUPP, "'%s': the %s image is encrypted (%s), "
                                                        "and no secret for it is known", what,
                                           info->format, info->encryption);
        return 0;
}

void storvirt__img_info_clear(storvirt__img_info *info) {
        if (!info)
                return;
        free(info->backing_file);
        free(info->data_file);
        free(info->filename);
        *info = (storvirt__img_info) {};
}

/* ---- backing chains -------------------------------------------------------- */

struct chain {
        storvirt__img_info *v;
        struct stat *ids;  /* st_dev, st_ino of each image */
        size_t n, cap;
};

static void chain_done(struct chain *c) {
        storvirt__img_chain_free(c->v, c->n);
        free(c->ids);
        *c = (struct chain) {};
}

void storvirt__img_chain_free(storvirt__img_info *chain, size_t n) {
        if (!chain)
                return;
        for (size_t i = 0; i < n; i++)
                storvirt__img_info_clear(&chain[i]);
        free(chain);
}

static int chain_loop_error(const struct chain *c, const char *path) {
        _cleanup_buf_free_ struct storvirt__buf b = {};
        char q[STORVIRT__ESCAPED_NAME_SIZE];

        for (size_t i = 0; i < c->n; i++)
                if (storvirt__buf_printf(&b, "%s -> ",
                                         storvirt__name_escape(c->v[i].filename, q, sizeof(q))) < 0)
                        return storvirt__error_oom();
        if (storvirt__buf_append_str(&b, storvirt__name_escape(path, q, sizeof(q))) < 0)
                return storvirt__error_oom();
        return storvirt__error_set(-ELOOP, "'%s': backing chain loops: %s",
                                   storvirt__name_escape(c->v[0].filename, q, sizeof(q)),
                                   storvirt__buf_str(&b));
}

static int chain_open(int dirfd, const char *path, bool top, struct stat *st, uint64_t *ret_size) {
        char q[STORVIRT__ESCAPED_NAME_SIZE];
        struct stat st2;
        _cleanup_close_ int fd = -1;
        int err;

        storvirt__name_escape(path, q, sizeof(q));
        if (fstatat(dirfd, path, st, top ? AT_SYMLINK_NOFOLLOW : 0) < 0) {
                err = errno;
                return storvirt__error_set(-err, "'%s': %s", q, strerror(err));
        }
        if (S_ISLNK(st->st_mode))
                return storvirt__error_set(-ELOOP, "'%s': is a symbolic link", q);
        if (!S_ISREG(st->st_mode) && !S_ISBLK(st->st_mode))
                return storvirt__error_set(-EINVAL, "'%s': not a regular file or block device", q);
        fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (top ? O_NOFOLLOW : 0));
        if (fd < 0 || fstat(fd, &st2) < 0) {
                err = errno;
                return storvirt__error_set(-err, "'%s': open: %s", q, strerror(err));
        }
        if (st2.st_dev != st->st_dev || st2.st_ino != st->st_ino || (st2.st_mode & S_IFMT) != (st->st_mode & S_IFMT))
                return storvirt__error_set(-EBUSY, "'%s': replaced while being opened", q);
        *ret_size = (uint64_t) st2.st_size;
        if (S_ISBLK(st2.st_mode) && ioctl(fd, BLKGETSIZE64, ret_size) < 0) {
                err = errno;
                return storvirt__error_set(-err, "'%s': BLKGETSIZE64: %s", q, strerror(err));
        }
        return TAKE_FD(fd);
}

static int chain_append(struct chain *c, storvirt__img_info *info, const struct stat *st) {
        if (c->n == c->cap) {
                size_t cap = c->cap ? c->cap * 2 : 4;
                storvirt__img_info *v = reallocarray(c->v, cap, sizeof(*v));
                struct stat *ids;

                if (!v)
                        return storvirt__error_oom();
                c->v = v;
                ids = reallocarray(c->ids, cap, sizeof(*ids));
                if (!ids)
                        return storvirt__error_oom();
                c->ids = ids;
                c->cap = cap;
        }
        c->v[c->n] = *info;
        c->ids[c->n] = *st;
        c->n++;
        *info = (storvirt__img_info) {};
        return 0;
}

/* Opens and probes path; takes ownership of path (as the entry's filename). */
static int chain_probe_one(int dirfd, char *path, const char *format, struct chain *c) {
        _cleanup_free_ char *owned = path;
        storvirt__img_info info = {};
        _cleanup_close_ int fd = -1;
        char q[STORVIRT__ESCAPED_NAME_SIZE];
        struct stat st;
        uint64_t size = 0;
        int r;

        fd = chain_open(dirfd, path, c->n == 0, &st, &size);
        if (fd < 0)
                return fd;
        for (size_t i = 0; i < c->n; i++)
                if (c->ids[i].st_dev == st.st_dev && c->ids[i].st_ino == st.st_ino)
                        return chain_loop_error(c, path);
        r = storvirt__img_probe_fd_as(fd, size, storvirt__name_escape(path, q, sizeof(q)),
                                      format, &info);
        if (r < 0)
                return r;
        info.filename = TAKE_PTR(owned);
        r = chain_append(c, &info, &st);
        storvirt__img_info_clear(&info);
        return r;
}

/* The path of the backing file `name` of `image`, relative to the same dirfd. */
static int chain_resolve(const char *image, const char *name, char **ret) {
        char q[STORVIRT__ESCAPED_NAME_SIZE], qi[STORVIRT__ESCAPED_NAME_SIZE];
        const char *colon = strchr(name, ':'), *slash = strchr(name, '/');
        const char *dir_end = strrchr(image, '/');
        char *s;

        storvirt__name_escape(name, q, sizeof(q));
        storvirt__name_escape(image, qi, sizeof(qi));
        if (strncmp(name, "file:", 5) == 0)
                name += 5;
        else if (colon && (!slash || colon < slash))
                return storvirt__error_set(-EOPNOTSUPP, "'%s': backing file '%s' uses the protocol "
                                           "'%.*s:'; only local files can be followed", qi, q,
                                           (int) MIN(colon - name, 32), name);
        if (name[0] == '\0')
                return storvirt__error_set(-EINVAL, "'%s': backing file name is empty", qi);
        if (name[0] == '/' || !dir_end)
                s = strdup(name);
        else if (asprintf(&s, "%.*s%s", (int) (dir_end - image + 1), image, name) < 0)
                s = NULL;
        if (!s)
                return storvirt__error_oom();
        *ret = s;
        return 0;
}

/* The format to read the backing file of info as; NULL: probe it. */
static int chain_backing_format(const storvirt__img_info *info, const char **ret) {
        const char *f = info->backing_format;
        char q[STORVIRT__ESCAPED_NAME_SIZE];

        if (f[0] == '\0')
                *ret = NULL;
        else if (strcmp(f, "file") == 0 || strcmp(f, "host_device") == 0 ||
                 strcmp(f, "host_cdrom") == 0)
                *ret = "raw"; /* protocol driver names: the content is used as is */
        else if (storvirt__img_format_is_known(f))
                *ret = f;
        else
                return storvirt__error_set(-EOPNOTSUPP, "'%s': backing format '%s' is not supported",
                                           storvirt__name_escape(info->filename, q, sizeof(q)), f);
        return 0;
}

static int chain_walk(int dirfd, const char *path, unsigned max_depth, struct chain *c) {
        const char *format = NULL;
        char *next = strdup(path);
        char q[STORVIRT__ESCAPED_NAME_SIZE];
        int r;

        if (!next)
                return storvirt__error_oom();
        for (;;) {
                storvirt__img_info *last;

                r = chain_probe_one(dirfd, next, format, c);
                if (r < 0)
                        return r;
                last = &c->v[c->n - 1];
                if (!last->backing_file)
                        return 0;
                if (c->n > max_depth)
                        return storvirt__error_set(-ELOOP, "'%s': backing chain deeper than %u images",
                                                   storvirt__name_escape(c->v[0].filename, q, sizeof(q)),
                                                   max_depth);
                r = chain_backing_format(last, &format);
                if (r < 0)
                        return r;
                r = chain_resolve(last->filename, last->backing_file, &next);
                if (r < 0)
                        return r;
        }
}

int storvirt__img_probe_chain(int dirfd, const char *path, unsigned max_depth,
                              storvirt__img_info **ret_chain, size_t *ret_n) {
        struct chain c = {};
        int r;

        check_nonnull(path);
        check_arg(path[0] != '\0', "path", "must not be empty");
        check_nonnull(ret_chain);
        check_nonnull(ret_n);
        if (max_depth == 0)
                max_depth = STORVIRT__IMG_CHAIN_DEPTH_DEFAULT;
        r = chain_walk(dirfd, path, max_depth, &c);
        if (r < 0) {
                chain_done(&c);
                return r;
        }
        free(c.ids);
        *ret_chain = c.v;
        *ret_n = c.n;
        return 0;
}
