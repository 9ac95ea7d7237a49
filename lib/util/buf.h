/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * buf.h - a growable byte/string buffer.
 *
 * A zero-initialised struct is a valid empty buffer (data == NULL), so
 * there is no init function:
 *
 *     struct storvirt__buf b = {};
 *     r = storvirt__buf_printf(&b, "%s=%u", key, n);
 *     ...
 *     storvirt__buf_free(&b);
 *
 * Once data is allocated it is always NUL-terminated at data[len], even
 * when the bytes appended contain NULs.  Every function that allocates
 * returns 0 or -ENOMEM, and on failure leaves the contents unchanged.
 */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/macro.h"

struct storvirt__buf {
        char *data;  /* NULL while nothing was ever allocated */
        size_t len;  /* bytes in use, the terminating NUL excluded */
        size_t cap;  /* bytes allocated, the terminating NUL included */
};

/* Makes room for at least extra more bytes (plus the NUL) without reallocation. */
int storvirt__buf_reserve(struct storvirt__buf *b, size_t extra);
int storvirt__buf_append(struct storvirt__buf *b, const void *data, size_t n);
int storvirt__buf_append_str(struct storvirt__buf *b, const char *s);
int storvirt__buf_append_char(struct storvirt__buf *b, char c);
int storvirt__buf_printf(struct storvirt__buf *b, const char *fmt, ...) _printf_(2, 3);
int storvirt__buf_vprintf(struct storvirt__buf *b, const char *fmt, va_list ap) _printf_(2, 0);

/*
 * Appends s with '%', control bytes, DEL and the bytes of `also` (NULL:
 * none) written as %XX, so that the text is one line, split where the
 * caller's separators are (the state files of the volume indexes).
 */
int storvirt__buf_append_pct(struct storvirt__buf *b, const char *s, const char *also);
/* Decodes %XX in place; false when an escape is malformed or decodes to NUL. */
bool storvirt__pct_decode(char *s);
/* Appends v in decimal. */
int storvirt__buf_append_u64(struct storvirt__buf *b, uint64_t v);

/* The contents as a string, "" for a never-used buffer.  Borrowed. */
static inline const char *storvirt__buf_str(const struct storvirt__buf *b) {
        return b->data ? b->data : "";
}

/* Shortens the contents to len bytes (no-op if len >= b->len); keeps memory. */
void storvirt__buf_truncate(struct storvirt__buf *b, size_t len);
/* Empties the buffer but keeps its memory for reuse. */
void storvirt__buf_reset(struct storvirt__buf *b);

/*
 * Hands the NUL-terminated contents to the caller (free() it) and leaves
 * the buffer empty and unallocated.  An unused buffer yields a new "".
 * -ENOMEM only in that case; the buffer is unchanged then.
 */
int storvirt__buf_steal(struct storvirt__buf *b, char **ret);

/* Frees the memory and makes the buffer empty again.  Reusable after. */
void storvirt__buf_free(struct storvirt__buf *b);
static inline void storvirt__buf_freep(struct storvirt__buf *b) {
        storvirt__buf_free(b);
}
#define _cleanup_buf_free_ _cleanup_(storvirt__buf_freep)
