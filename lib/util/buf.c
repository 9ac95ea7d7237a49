/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * buf.c - growable byte/string buffer: geometric growth, always
 * NUL-terminated once allocated, contents untouched on allocation
 * failure.
 */
#include <stdio.h>
#include <string.h>

#include "util/buf.h"

#define BUF_MIN_CAP 64

int storvirt__buf_reserve(struct storvirt__buf *b, size_t extra) {
        size_t need, cap;
        char *p;

        if (extra > SIZE_MAX - 1 - b->len)
                return storvirt__error_oom();
        need = b->len + extra + 1;
        if (need <= b->cap)
                return 0;
        cap = b->cap < BUF_MIN_CAP ? BUF_MIN_CAP : b->cap;
        while (cap < need)
                cap = cap > SIZE_MAX / 2 ? need : cap * 2;
        p = realloc(b->data, cap);
        if (!p)
                return storvirt__error_oom();
        if (!b->data)
                p[0] = '\0';
        b->data = p;
        b->cap = cap;
        return 0;
}

int storvirt__buf_append(struct storvirt__buf *b, const void *data, size_t n) {
        int r;

        r = storvirt__buf_reserve(b, n);
        if (r < 0)
                return r;
        if (n > 0)
                memcpy(b->data + b->len, data, n);
        b->len += n;
        b->data[b->len] = '\0';
        return 0;
}

int storvirt__buf_append_str(struct storvirt__buf *b, const char *s) {
        return storvirt__buf_append(b, s, strlen(s));
}

int storvirt__buf_append_char(struct storvirt__buf *b, char c) {
        return storvirt__buf_append(b, &c, 1);
}

static bool pct_needed(unsigned char c, const char *also) {
        return c < 0x20 || c == 0x7f || c == '%' || (also && c && strchr(also, c));
}

int storvirt__buf_append_pct(struct storvirt__buf *b, const char *s, const char *also) {
        static const char hex[] = "0123456789ABCDEF";
        int r = 0;

        while (*s && r >= 0) {
                size_t n = 0;

                while (s[n] && !pct_needed((unsigned char)s[n], also))
                        n++;
                if (n > 0) {
                        r = storvirt__buf_append(b, s, n);
                        s += n;
                        continue;
                }
                char e[3] = { '%', hex[(unsigned char)*s >> 4], hex[(unsigned char)*s & 15] };
                r = storvirt__buf_append(b, e, 3);
                s++;
        }
        return r;
}

static int hexval(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -1;
}

bool storvirt__pct_decode(char *s) {
        char *o = strchr(s, '%');

        if (!o)
                return true;
        for (s = o; *s; s++) {
                int hi, lo;

                if (*s != '%') {
                        *o++ = *s;
                        continue;
                }
                hi = hexval(s[1]);
                lo = hi < 0 ? -1 : hexval(s[2]);
                if (lo < 0 || (hi == 0 && lo == 0))
                        return false;
                *o++ = (char)(hi << 4 | lo);
                s += 2;
        }
        *o = '\0';
        return true;
}

int storvirt__buf_append_u64(struct storvirt__buf *b, uint64_t v) {
        char t[20];
        size_t i = sizeof(t);

        do {
                t[--i] = (char)('0' + v % 10);
                v /= 10;
        } while (v);
        return storvirt__buf_append(b, t + i, sizeof(t) - i);
}

int storvirt__buf_vprintf(struct storvirt__buf *b, const char *fmt, va_list ap) {
        va_list aq;
        int n, r;

        /* First try in whatever room is left; most appends fit. */
        r = storvirt__buf_reserve(b, 0);
        if (r < 0)
                return r;
        va_copy(aq, ap);
        n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, aq);
        va_end(aq);
        if (n < 0) {
                b->data[b->len] = '\0';
                return storvirt__error_set(-EINVAL, "buf_printf: cannot format '%s'", fmt);
        }
        if ((size_t)n >= b->cap - b->len) {
                b->data[b->len] = '\0';
                r = storvirt__buf_reserve(b, (size_t)n);
                if (r < 0)
                        return r;
                va_copy(aq, ap);
                n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, aq);
                va_end(aq);
                if (n < 0) {
                        b->data[b->len] = '\0';
                        return storvirt__error_set(-EINVAL, "buf_printf: cannot format '%s'", fmt);
                }
        }
        b->len += (size_t)n;
        return 0;
}

int storvirt__buf_printf(struct storvirt__buf *b, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = storvirt__buf_vprintf(b, fmt, ap);
        va_end(ap);
        return r;
}

void storvirt__buf_truncate(struct storvirt__buf *b, size_t len) {
        if (len >= b->len)
                return;
        b->len = len;
        b->data[len] = '\0';
}

void storvirt__buf_reset(struct storvirt__buf *b) {
        storvirt__buf_truncate(b, 0);
}

int storvirt__buf_steal(struct storvirt__buf *b, char **ret) {
        char *s = b->data;

        if (!s) {
                s = strdup("");
                if (!s)
                        return storvirt__error_oom();
        }
        *ret = s;
        *b = (struct storvirt__buf) {};
        return 0;
}

void storvirt__buf_free(struct storvirt__buf *b) {
        free(b->data);
        *b = (struct storvirt__buf) {};
}
