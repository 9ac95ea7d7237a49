/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * base64.c - RFC 4648 base64 encoding and strict decoding (util/base64.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/base64.h"
#include "util/error.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int storvirt__base64_encode(const uint8_t *v, size_t n, char **ret) {
        char *s = malloc((n + 2) / 3 * 4 + 1), *p;

        if (!s)
                return storvirt__error_oom();
        p = s;
        for (size_t i = 0; i < n; i += 3) {
                uint32_t w = (uint32_t)v[i] << 16;

                if (i + 1 < n)
                        w |= (uint32_t)v[i + 1] << 8;
                if (i + 2 < n)
                        w |= v[i + 2];
                *p++ = alphabet[w >> 18 & 63];
                *p++ = alphabet[w >> 12 & 63];
                *p++ = i + 1 < n ? alphabet[w >> 6 & 63] : '=';
                *p++ = i + 2 < n ? alphabet[w & 63] : '=';
        }
        *p = '\0';
        *ret = s;
        return 0;
}

static int digit(char c) {
        const char *p = c ? strchr(alphabet, c) : NULL;

        return p ? (int)(p - alphabet) : -1;
}

int storvirt__base64_decode(const char *s, size_t len, uint8_t **ret, size_t *ret_n) {
        size_t pad = 0, n = 0;
        uint8_t *v;

        if (len == 0 || len % 4)
                return -EINVAL;
        while (pad < 2 && s[len - 1 - pad] == '=')
                pad++;
        v = malloc(len / 4 * 3);
        if (!v)
                return storvirt__error_oom();
        for (size_t i = 0; i < len; i += 4) {
                uint32_t w = 0;

                for (size_t j = 0; j < 4; j++) {
                        int d = i + j >= len - pad ? 0 : digit(s[i + j]);

                        if (d < 0) {
                                free(v);
                                return -EINVAL;
                        }
                        w = w << 6 | (uint32_t)d;
                }
                v[n++] = (uint8_t)(w >> 16);
                v[n++] = (uint8_t)(w >> 8);
                v[n++] = (uint8_t)w;
        }
        *ret = v;
        *ret_n = n - pad;
        return 0;
}
