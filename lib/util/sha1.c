/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sha1.c - SHA-1 as specified in FIPS 180-4 section 6.1: 512-bit
 * blocks, big-endian words, an 80-word message schedule kept in a
 * 16-word ring.
 */
#include <string.h>

#include "util/sha1.h"

static inline uint32_t rol32(uint32_t x, unsigned n) {
        return (x << n) | (x >> (32 - n));
}

static inline uint32_t load_be32(const uint8_t *p) {
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void store_be32(uint8_t *p, uint32_t v) {
        p[0] = (uint8_t)(v >> 24);
        p[1] = (uint8_t)(v >> 16);
        p[2] = (uint8_t)(v >> 8);
        p[3] = (uint8_t)v;
}

/* f_t(b, c, d) + K_t for round t (FIPS 180-4 4.1.1, 4.2.1). */
static inline uint32_t sha1_fk(unsigned t, uint32_t b, uint32_t c, uint32_t d) {
        if (t < 20)
                return ((b & c) | (~b & d)) + UINT32_C(0x5a827999);
        if (t < 40)
                return (b ^ c ^ d) + UINT32_C(0x6ed9eba1);
        if (t < 60)
                return ((b & c) | (b & d) | (c & d)) + UINT32_C(0x8f1bbcdc);
        return (b ^ c ^ d) + UINT32_C(0xca62c1d6);
}

static void sha1_block(uint32_t h[5], const uint8_t *p) {
        uint32_t w[16], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];

        for (unsigned t = 0; t < 16; t++)
                w[t] = load_be32(p + 4 * t);
        for (unsigned t = 0; t < 80; t++) {
                uint32_t tmp;

                if (t >= 16)
                        w[t & 15] = rol32(w[(t - 3) & 15] ^ w[(t - 8) & 15] ^
                                          w[(t - 14) & 15] ^ w[t & 15], 1);
                tmp = rol32(a, 5) + sha1_fk(t, b, c, d) + e + w[t & 15];
                e = d;
                d = c;
                c = rol32(b, 30);
                b = a;
                a = tmp;
        }
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
}

void storvirt__sha1_init(struct storvirt__sha1_ctx *ctx) {
        *ctx = (struct storvirt__sha1_ctx) {
                .h = { UINT32_C(0x67452301), UINT32_C(0xefcdab89), UINT32_C(0x98badcfe),
                       UINT32_C(0x10325476), UINT32_C(0xc3d2e1f0) },
        };
}

void storvirt__sha1_update(struct storvirt__sha1_ctx *ctx, const void *data, size_t len) {
        const uint8_t *p = data;

        if (len == 0)
                return;
        ctx->total += len;
        if (ctx->block_len > 0) {
                size_t n = STORVIRT__SHA1_BLOCK_SIZE - ctx->block_len;

                if (n > len)
                        n = len;
                memcpy(ctx->block + ctx->block_len, p, n);
                ctx->block_len += n;
                p += n;
                len -= n;
                if (ctx->block_len < STORVIRT__SHA1_BLOCK_SIZE)
                        return;
                sha1_block(ctx->h, ctx->block);
                ctx->block_len = 0;
        }
        for (; len >= STORVIRT__SHA1_BLOCK_SIZE; p += STORVIRT__SHA1_BLOCK_SIZE,
                                                 len -= STORVIRT__SHA1_BLOCK_SIZE)
                sha1_block(ctx->h, p);
        if (len > 0) {
                memcpy(ctx->block, p, len);
                ctx->block_len = len;
        }
}

void storvirt__sha1_final(struct storvirt__sha1_ctx *ctx,
                          uint8_t digest[STORVIRT__SHA1_DIGEST_SIZE]) {
        uint64_t bits = ctx->total * 8;

        /* Padding (5.1.1): 0x80, zeros to 56 mod 64, 64-bit big-endian length. */
        ctx->block[ctx->block_len++] = 0x80;
        if (ctx->block_len > 56) {
                memset(ctx->block + ctx->block_len, 0, STORVIRT__SHA1_BLOCK_SIZE - ctx->block_len);
                sha1_block(ctx->h, ctx->block);
                ctx->block_len = 0;
        }
        memset(ctx->block + ctx->block_len, 0, 56 - ctx->block_len);
        store_be32(ctx->block + 56, (uint32_t)(bits >> 32));
        store_be32(ctx->block + 60, (uint32_t)bits);
        sha1_block(ctx->h, ctx->block);
        for (unsigned i = 0; i < 5; i++)
                store_be32(digest + 4 * i, ctx->h[i]);
        memset(ctx, 0, sizeof(*ctx));
}

void storvirt__sha1(const void *data, size_t len, uint8_t digest[STORVIRT__SHA1_DIGEST_SIZE]) {
        struct storvirt__sha1_ctx ctx;

        storvirt__sha1_init(&ctx);
        storvirt__sha1_update(&ctx, data, len);
        storvirt__sha1_final(&ctx, digest);
}
