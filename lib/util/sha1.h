/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sha1.h - SHA-1 (FIPS 180-4), used for name-based (version 5) UUIDs.
 * Not for security purposes.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define STORVIRT__SHA1_DIGEST_SIZE 20
#define STORVIRT__SHA1_BLOCK_SIZE 64

struct storvirt__sha1_ctx {
        uint32_t h[5];
        uint64_t total;      /* bytes hashed so far */
        uint8_t block[STORVIRT__SHA1_BLOCK_SIZE];
        size_t block_len;    /* bytes waiting in block */
};

void storvirt__sha1_init(struct storvirt__sha1_ctx *ctx);
void storvirt__sha1_update(struct storvirt__sha1_ctx *ctx, const void *data, size_t len);
/* Writes the digest; ctx must be initialised again before reuse. */
void storvirt__sha1_final(struct storvirt__sha1_ctx *ctx,
                          uint8_t digest[STORVIRT__SHA1_DIGEST_SIZE]);
/* init + update + final over one buffer. */
void storvirt__sha1(const void *data, size_t len, uint8_t digest[STORVIRT__SHA1_DIGEST_SIZE]);
