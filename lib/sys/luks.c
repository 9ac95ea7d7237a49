/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * luks.c - LUKS headers (sys/luks.h): the payload of a luks container,
 * version 1 (binary header) or 2 (binary header and JSON area), and the
 * cipher a version 1 header names.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sys/luks.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/macro.h"

#define MIN(a, b) ((a) < (b) ? (a) : (b))

#define LUKS1_HEADER_LEN 592u
#define LUKS2_BIN_HEADER_LEN 4096u
#define LUKS2_JSON_MAX 65536u        /* bytes of the luks2 JSON area read */

static bool is_pow2(uint64_t v) {
        return v != 0 && (v & (v - 1)) == 0;
}

/* A NUL-terminated field of at most size bytes made of [a-z0-9] and seps: copied to dst. */
static bool field_copy(const uint8_t *p, size_t size, const char *seps, char *dst,
                       size_t dst_size) {
        size_t n = strnlen((const char *)p, size);

        if (n == 0 || n == size || n >= dst_size)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') ||
                      strchr(seps, p[i])))
                        return false;
        memcpy(dst, p, n);
        dst[n] = '\0';
        return true;
}

/* Copies the n bytes at p into dst[16]: false when they do not fit or are none. */
static bool part_copy(const char *p, size_t n, char dst[static 16]) {
        if (n == 0 || n >= 16)
                return false;
        memcpy(dst, p, n);
        dst[n] = '\0';
        return true;
}

/* "xts-plain64", "cbc-essiv:sha256", "ecb": mode, ivgen and its hash. */
static bool split_mode(const char *spec, storvirt__img_cipher *c) {
        const char *dash = strchrnul(spec, '-'), *colon;

        if (!part_copy(spec, (size_t)(dash - spec), c->mode))
                return false;
        if (!*dash)
                return true;
        colon = strchrnul(dash + 1, ':');
        if (!part_copy(dash + 1, (size_t)(colon - dash - 1), c->ivgen))
                return false;
        return !*colon || (part_copy(colon + 1, strlen(colon + 1), c->ivgen_hash) &&
                           !strchr(c->ivgen_hash, ':') && !strchr(c->ivgen_hash, '-'));
}

void storvirt__img_luks1_cipher(const uint8_t *h, storvirt__img_cipher *ret) {
        storvirt__img_cipher c = {};
        char mode[32];
        uint32_t key_bytes = storvirt__be32(h + 108);

        *ret = (storvirt__img_cipher){};
        if (memcmp(h, "LUKS\xba\xbe", 6) != 0 || storvirt__be16(h + 6) != 1)
                return;
        if (!field_copy(h + 8, 32, "", c.name, sizeof(c.name)) ||
            !field_copy(h + 40, 32, "-:", mode, sizeof(mode)) ||
            !field_copy(h + 72, 32, "", c.hash, sizeof(c.hash)) || !split_mode(mode, &c))
                return;
        if (key_bytes == 0 || key_bytes > 128)
                return;
        c.size = key_bytes * 8 / (strcmp(c.mode, "xts") == 0 ? 2 : 1);
        *ret = c;
}

/* A decimal string or number member of a luks2 segment. */
static int luks2_segment_u64(yajl_val seg, const char *key, uint64_t *ret) {
        return storvirt__json_get_uint64(seg, key, true, STORVIRT__JSON_INT_FROM_STRING, ret);
}

/* The data segment with the lowest offset: its offset and size (0: to the end). */
static int luks2_segments(yajl_val root, uint64_t *ret_off, uint64_t *ret_size) {
        yajl_val segs = NULL;
        bool found = false;
        int r;

        r = storvirt__json_get_object(root, "segments", true, &segs);
        if (r < 0)
                return r;
        for (size_t i = 0; i < segs->u.object.len; i++) {
                yajl_val seg = segs->u.object.values[i];
                const char *size = NULL;
                uint64_t off, n = 0;

                r = luks2_segment_u64(seg, "offset", &off);
                if (r >= 0)
                        r = storvirt__json_get_string(seg, "size", true, &size);
                if (r >= 0 && strcmp(size, "dynamic") != 0)
                        r = luks2_segment_u64(seg, "size", &n);
                if (r < 0) {
                        char q[64];

                        return storvirt__error_prefix("segment '%s'", storvirt__name_escape(
                                                      segs->u.object.keys[i], q, sizeof(q)));
                }
                if (!found || off < *ret_off) {
                        *ret_off = off;
                        *ret_size = n;
                        found = true;
                }
        }
        if (!found)
                return storvirt__error_set(-EINVAL, "no segments");
        return 0;
}

static int luks2_json_read(const struct storvirt__img_src *src, uint64_t hdr_size,
                           char **ret_text, size_t *ret_len) {
        uint64_t area = hdr_size - LUKS2_BIN_HEADER_LEN;
        size_t n = (size_t) MIN(area, (uint64_t) LUKS2_JSON_MAX), len;
        _cleanup_free_ char *buf = malloc(n);
        int r;

        if (!buf)
                return storvirt__error_oom();
        r = storvirt__img_read(src, LUKS2_BIN_HEADER_LEN, buf, n, "luks2 JSON area");
        if (r < 0)
                return r;
        len = strnlen(buf, n);
        if (len == n && n == area)
                return storvirt__error_set(-EINVAL, "'%s': luks2 JSON area (%zu bytes) has no NUL "
                                           "terminator", src->what, n);
        if (len == n)
                return storvirt__error_set(-EOPNOTSUPP, "'%s': luks2 JSON text longer than %u bytes "
                                           "is not supported", src->what, LUKS2_JSON_MAX);
        *ret_text = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

static int luks2_payload(const struct storvirt__img_src *src, const uint8_t *h,
                         uint64_t *ret_off, uint64_t *ret_size) {
        uint64_t hdr_size = storvirt__be64(h + 8);
        _cleanup_free_ char *text = NULL, *what = NULL;
        _cleanup_json_ yajl_val root = NULL;
        size_t len = 0;
        int r;

        if (!is_pow2(hdr_size) || hdr_size < (16u << 10) || hdr_size > (4u << 20))
                return storvirt__error_set(-EINVAL, "'%s': luks2 header: hdr_size %" PRIu64 " invalid "
                                           "(a power of two from 16384 to 4194304)", src->what,
                                           hdr_size);
        r = luks2_json_read(src, hdr_size, &text, &len);
        if (r < 0)
                return r;
        if (asprintf(&what, "'%s': luks2 JSON area", src->what) < 0)
                return storvirt__error_oom();
        r = storvirt__json_parse(text, len, LUKS2_JSON_MAX, &root, what);
        if (r < 0)
                return r;
        r = luks2_segments(root, ret_off, ret_size);
        if (r < 0) {
                storvirt__error_prefix("%s", what);
                /* a missing field is a corrupt header like any other */
                return storvirt__error_set(-EINVAL, "%s", storvirt__error_msg());
        }
        return 0;
}

int storvirt__img_luks_parse(const struct storvirt__img_src *src, storvirt__img_info *info) {
        uint8_t h[112];
        uint64_t off = 0, size = 0;
        uint16_t version;
        int r;

        if (src->size < sizeof(h))
                return storvirt__error_set(-EINVAL, "'%s': luks header truncated: the file has %"
                                           PRIu64 " bytes", src->what, src->size);
        r = storvirt__img_read(src, 0, h, sizeof(h), "luks header");
        if (r < 0)
                return r;
        if (memcmp(h, "LUKS\xba\xbe", 6) != 0)
                return storvirt__error_set(-EINVAL, "'%s': not a luks image (no LUKS\\xba\\xbe magic)",
                                           src->what);
        version = storvirt__be16(h + 6);
        if (version == 1) {
                if (src->size < LUKS1_HEADER_LEN)
                        return storvirt__error_set(-EINVAL, "'%s': luks header truncated: the file has %"
                                                   PRIu64 " bytes, the header needs %u", src->what,
                                                   src->size, LUKS1_HEADER_LEN);
                off = (uint64_t) storvirt__be32(h + 104) * 512;
        } else if (version == 2) {
                r = luks2_payload(src, h, &off, &size);
                if (r < 0)
                        return r;
        } else
                return storvirt__error_set(-EOPNOTSUPP, "'%s': luks header: version %u not supported "
                                           "(1 or 2)", src->what, version);
        if (off > src->size || size > src->size - off)
                return storvirt__error_set(-EINVAL, "'%s': luks header: payload at offset %" PRIu64
                                           " (%" PRIu64 " bytes) runs past the end of the file (%"
                                           PRIu64 " bytes)", src->what, off, size, src->size);
        strcpy(info->format, "luks");
        info->luks_version = version;
        info->encrypted = true;
        strcpy(info->encryption, "luks");
        if (version == 1)
                storvirt__img_luks1_cipher(h, &info->cipher);
        info->payload_offset = off;
        info->virtual_size = size ? size : src->size - off;
        return 0;
}
