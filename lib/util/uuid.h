/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * uuid.h - 128-bit UUIDs (RFC 9562, formerly RFC 4122): parsing,
 * formatting, random (version 4) and name-based SHA-1 (version 5)
 * generation.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
        uint8_t b[16];  /* network byte order, as in the string form */
} storvirt__uuid;

/* Buffer size for the formatted form: 36 characters and the NUL. */
#define STORVIRT__UUID_STRING_MAX 37

#define STORVIRT__UUID_MAKE(...) ((const storvirt__uuid){ .b = { __VA_ARGS__ } })

#define STORVIRT__UUID_NULL STORVIRT__UUID_MAKE(0)

/* The name-space ids of RFC 9562 appendix C (6ba7b810-...-00c04fd430c8 and on). */
#define STORVIRT__UUID_NS_DNS                                                   \
        STORVIRT__UUID_MAKE(0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,     \
                            0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8)
#define STORVIRT__UUID_NS_URL                                                   \
        STORVIRT__UUID_MAKE(0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,     \
                            0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8)
#define STORVIRT__UUID_NS_OID                                                   \
        STORVIRT__UUID_MAKE(0x6b, 0xa7, 0xb8, 0x12, 0x9d, 0xad, 0x11, 0xd1,     \
                            0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8)
#define STORVIRT__UUID_NS_X500                                                  \
        STORVIRT__UUID_MAKE(0x6b, 0xa7, 0xb8, 0x14, 0x9d, 0xad, 0x11, 0xd1,     \
                            0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8)

/*
 * libstorvirt's own name space, 7d284af6-5859-4650-9e11-b78d6fe9578a
 * (a random version 4 UUID).  It must never change: vDisk ids are
 * version 5 UUIDs derived from it, and changing it would give every
 * existing vDisk a new id.
 */
#define STORVIRT__UUID_NS                                                       \
        STORVIRT__UUID_MAKE(0x7d, 0x28, 0x4a, 0xf6, 0x58, 0x59, 0x46, 0x50,     \
                            0x9e, 0x11, 0xb7, 0x8d, 0x6f, 0xe9, 0x57, 0x8a)

/*
 * Parses "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" or the same 32 hex
 * digits without dashes, in any case.  Anything else (braces, "urn:"
 * prefix, whitespace) is -EINVAL.  *ret is written on success only.
 */
int storvirt__uuid_parse(const char *s, storvirt__uuid *ret);

/* Writes the lower-case 36-character form into buf and returns buf. */
const char *storvirt__uuid_format(const storvirt__uuid *u, char buf[STORVIRT__UUID_STRING_MAX]);

/*
 * A random version 4 UUID from getrandom(2) (which waits for the
 * kernel's entropy pool once at early boot).  -errno on failure.
 */
int storvirt__uuid_generate_v4(storvirt__uuid *ret);

/*
 * The version 5 UUID of name (a NUL-terminated string, hashed without
 * its NUL) in name space ns: SHA-1 over ns bytes and name, truncated,
 * version and variant bits set.  -EINVAL on a NULL argument.
 */
int storvirt__uuid_generate_v5(const storvirt__uuid *ns, const char *name, storvirt__uuid *ret);
/* The same over len arbitrary bytes. */
int storvirt__uuid_generate_v5_data(const storvirt__uuid *ns, const void *data, size_t len,
                                    storvirt__uuid *ret);

/* The version field (high nibble of byte 6): 4 for random, 5 for SHA-1. */
static inline unsigned storvirt__uuid_version(const storvirt__uuid *u) {
        return u->b[6] >> 4;
}

bool storvirt__uuid_is_null(const storvirt__uuid *u);
/* memcmp() order, which is the order of the string forms. */
int storvirt__uuid_compare(const storvirt__uuid *a, const storvirt__uuid *b);
bool storvirt__uuid_equal(const storvirt__uuid *a, const storvirt__uuid *b);
