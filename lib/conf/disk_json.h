/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * conf/disk_json.h - the JSON values of a drive spec's keys, read with
 * messages naming the drive, the key, the value and why ("drive 2: key
 * 'index': the number 900 is out of range (at most 701)").  Shared by
 * the parts of the drive-spec parser only (disk_*.c).
 *
 * Every reader takes `what` (the drive: "disk", "drive 2 (alias ua-x)")
 * and `key` (the key as given, "address.slot" for a nested one) for its
 * message, and returns 0 or a negative errno with the message set.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>

#include "util/fileio.h"
#include "util/macro.h"

/* s escaped for a message, in a buffer that lives to the end of the enclosing statement. */
#define ESC(s) storvirt__name_escape((s), (char[STORVIRT__ESCAPED_NAME_SIZE]){ 0 }, \
                                     STORVIRT__ESCAPED_NAME_SIZE)

static inline bool ascii_digit(char c) {
        return c >= '0' && c <= '9';
}

static inline bool ascii_hex(char c) {
        return ascii_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static inline bool ascii_alnum(char c) {
        return ascii_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A byte for a message: "'/'", "'\\''", "'\\x0a'" (buf of 8 bytes). */
const char *storvirt__disk_show_char(char c, char buf[8]);

/* "<what>: key '<key>': <message>" as the thread's error; -EINVAL (-ENOMEM if that fails). */
int storvirt__disk_key_error(const char *what, const char *key, const char *fmt, ...)
        _printf_(3, 4);
/* "... expected <expected>, got <the value described>"; -EINVAL. */
int storvirt__disk_type_error(const char *what, const char *key, const char *expected, yajl_val v);

#define STORVIRT__DISK_DESCRIBE_SIZE (STORVIRT__ESCAPED_NAME_SIZE + 32)
/* A JSON value for a message: "the string 'x'", "the number 5", "true", "an object". */
const char *storvirt__disk_describe(yajl_val v, char *buf, size_t size);
#define DESCRIBE(v) storvirt__disk_describe((v), (char[STORVIRT__DISK_DESCRIBE_SIZE]){ 0 }, \
                                            STORVIRT__DISK_DESCRIBE_SIZE)

/* "key.sub" for the messages of nested keys. */
const char *storvirt__disk_subkey(const char *key, const char *sub, char *buf, size_t size);
#define SUBKEY(key, sub) storvirt__disk_subkey((key), (sub), (char[128]){ 0 }, 128)

int storvirt__disk_get_string(const char *what, const char *key, yajl_val v, const char **ret);
int storvirt__disk_get_nonempty_string(const char *what, const char *key, yajl_val v,
                                       const char **ret);
/* true/false, or the strings "true"/"false" in any case (VDSM once wrote Python's "True"). */
int storvirt__disk_get_boolish(const char *what, const char *key, yajl_val v, bool *ret);

/* Integer text: decimal digits (with hex, also "0x" and hex digits).  -EDOM: negative. */
int storvirt__disk_u64_from_text(const char *s, bool hex, uint64_t *ret);

/* What storvirt__disk_get_uint() takes besides a JSON number. */
enum {
        NUM_STRING = 1 << 0,   /* also a string of decimal digits */
        NUM_HEX = 1 << 1,      /* also a string "0x" + hex digits */
};
/* A non-negative integer from min to max. */
int storvirt__disk_get_uint(const char *what, const char *key, yajl_val v, unsigned flags,
                            uint64_t min, uint64_t max, uint64_t *ret);

/* A string that is one of names[0..n) (NULL entries skipped); *ret its index. */
int storvirt__disk_get_enum(const char *what, const char *key, yajl_val v,
                            const char *const *names, size_t n, unsigned *ret);

/* An RFC 4122 UUID, stored in its canonical (lower case) form. */
int storvirt__disk_get_uuid(const char *what, const char *key, yajl_val v, char **ret);

/* The member key of obj (keys are checked unique before), or NULL. */
yajl_val storvirt__disk_member(yajl_val obj, const char *key);
/* The non-null member key of obj, or NULL. */
yajl_val storvirt__disk_member_value(yajl_val obj, const char *key);
/* obj is an object with keys from allowed (NULL-terminated) only, none twice. */
int storvirt__disk_check_object(const char *what, const char *key, yajl_val obj,
                                const char *const *allowed);
