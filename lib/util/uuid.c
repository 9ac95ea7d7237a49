/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * uuid.c - UUID parsing and formatting, random (v4) ids from the
 * kernel's getrandom(2), and name-based (v5) ids from SHA-1.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>

#include "util/macro.h"
#include "util/sha1.h"
#include "util/uuid.h"

static int hex_value(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        c |= 0x20;
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -1;
}

static bool is_dash_offset(size_t i) {
        return i == 8 || i == 13 || i == 18 || i == 23;
}

int storvirt__uuid_parse(const char *s, storvirt__uuid *ret) {
        storvirt__uuid u = {};
        size_t len, k = 0;

        if (!s || !ret)
                return storvirt__error_set(-EINVAL,
                        "uuid_parse: invalid argument '%s': must not be NULL",
                        !s ? "s" : "ret");
        len = strlen(s);
        if (len != 36 && len != 32)
                return storvirt__error_set(-EINVAL,
                        "invalid UUID '%.80s%s': expected 36 characters "
                        "(8-4-4-4-12 hex digits) or 32 hex digits, got %zu",
                        s, len > 80 ? "..." : "", len);
        for (size_t i = 0; i < len; i++) {
                int v;

                if (len == 36 && is_dash_offset(i)) {
                        if (s[i] != '-')
                                return storvirt__error_set(-EINVAL,
                                        "invalid UUID '%s': expected '-' at offset %zu", s, i);
                        continue;
                }
                v = hex_value(s[i]);
                if (v < 0)
                        return storvirt__error_set(-EINVAL,
                                "invalid UUID '%s': not a hex digit at offset %zu", s, i);
                u.b[k / 2] |= (uint8_t)(k % 2 ? v : v << 4);
                k++;
        }
        *ret = u;
        return 0;
}

const char *storvirt__uuid_format(const storvirt__uuid *u, char buf[STORVIRT__UUID_STRING_MAX]) {
        static const char digits[] = "0123456789abcdef";
        char *p = buf;

        for (size_t i = 0; i < 16; i++) {
                if (i == 4 || i == 6 || i == 8 || i == 10)
                        *p++ = '-';
                *p++ = digits[u->b[i] >> 4];
                *p++ = digits[u->b[i] & 15];
        }
        *p = '\0';
        return buf;
}

static int random_bytes_fallback(void *p, size_t n) {
        _cleanup_close_ int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC | O_NOCTTY);
        size_t done = 0;

        if (fd < 0) {
                int err = errno;

                return storvirt__error_set(-err, "cannot open /dev/urandom: %s", strerror(err));
        }
        while (done < n) {
                ssize_t k = read(fd, (uint8_t *)p + done, n - done);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0) {
                        int err = k < 0 ? errno : EIO;

                        return storvirt__error_set(-err, "cannot read /dev/urandom: %s",
                                                   k < 0 ? strerror(err) : "unexpected end of file");
                }
                done += (size_t)k;
        }
        return 0;
}

static int random_bytes(void *p, size_t n) {
        size_t done = 0;

        while (done < n) {
                ssize_t k = getrandom((uint8_t *)p + done, n - done, 0);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0 && errno == ENOSYS)
                        return random_bytes_fallback(p, n);
                if (k < 0) {
                        int err = errno;

                        return storvirt__error_set(-err, "getrandom() failed: %s", strerror(err));
                }
                done += (size_t)k;
        }
        return 0;
}

static void uuid_set_version(storvirt__uuid *u, unsigned version) {
        u->b[6] = (uint8_t)((u->b[6] & 0x0f) | (version << 4));
        u->b[8] = (uint8_t)((u->b[8] & 0x3f) | 0x80);  /* variant 10xx (RFC 9562) */
}

int storvirt__uuid_generate_v4(storvirt__uuid *ret) {
        storvirt__uuid u;
        int r;

        if (!ret)
                return storvirt__error_set(-EINVAL,
                        "uuid_generate_v4: invalid argument 'ret': must not be NULL");
        r = random_bytes(u.b, sizeof(u.b));
        if (r < 0)
                return r;
        uuid_set_version(&u, 4);
        *ret = u;
        return 0;
}

int storvirt__uuid_generate_v5_data(const storvirt__uuid *ns, const void *data, size_t len,
                                    storvirt__uuid *ret) {
        struct storvirt__sha1_ctx ctx;
        uint8_t digest[STORVIRT__SHA1_DIGEST_SIZE];

        if (!ns || (!data && len > 0) || !ret)
                return storvirt__error_set(-EINVAL,
                        "uuid_generate_v5: invalid argument '%s': must not be NULL",
                        !ns ? "ns" : !ret ? "ret" : "data");
        storvirt__sha1_init(&ctx);
        storvirt__sha1_update(&ctx, ns->b, sizeof(ns->b));
        storvirt__sha1_update(&ctx, data, len);
        storvirt__sha1_final(&ctx, digest);
        memcpy(ret->b, digest, sizeof(ret->b));
        uuid_set_version(ret, 5);
        return 0;
}

int storvirt__uuid_generate_v5(const storvirt__uuid *ns, const char *name, storvirt__uuid *ret) {
        if (!name)
                return storvirt__error_set(-EINVAL,
                        "uuid_generate_v5: invalid argument 'name': must not be NULL");
        return storvirt__uuid_generate_v5_data(ns, name, strlen(name), ret);
}

bool storvirt__uuid_is_null(const storvirt__uuid *u) {
        for (size_t i = 0; i < sizeof(u->b); i++)
                if (u->b[i] != 0)
                        return false;
        return true;
}

int storvirt__uuid_compare(const storvirt__uuid *a, const storvirt__uuid *b) {
        return memcmp(a->b, b->b, sizeof(a->b));
}

bool storvirt__uuid_equal(const storvirt__uuid *a, const storvirt__uuid *b) {
        return storvirt__uuid_compare(a, b) == 0;
}
