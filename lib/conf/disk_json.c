/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * disk_json.c - reading the JSON values of a drive spec's keys (strings,
 * booleans, integers, enums, UUIDs, objects with known keys), each
 * failure a message naming the drive, the key, the value and why (see
 * disk_json.h).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf/disk_json.h"
#include "util/error.h"
#include "util/json.h"
#include "util/uuid.h"

static unsigned hex_value(char c) {
        if (ascii_digit(c))
                return (unsigned) (c - '0');
        if (c >= 'a' && c <= 'f')
                return (unsigned) (c - 'a' + 10);
        return (unsigned) (c - 'A' + 10);
}

/* The first byte of s outside the set allowed, shown for a message ("'/'", "'\\x0a'"). */
const char *storvirt__disk_show_char(char c, char buf[8]) {
        unsigned char u = (unsigned char) c;

        if (u >= 0x20 && u < 0x7f && c != '\'' && c != '\\')
                snprintf(buf, 8, "'%c'", c);
        else if (c == '\'' || c == '\\')
                snprintf(buf, 8, "'\\%c'", c);
        else
                snprintf(buf, 8, "'\\x%02x'", u);
        return buf;
}

/*
 * "<what>: key '<key>': <message>" as the thread's error; -EINVAL (or
 * -ENOMEM when even the message cannot be made).
 */
int storvirt__disk_key_error(const char *what, const char *key, const char *fmt, ...) {
        _cleanup_free_ char *m = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&m, fmt, ap);
        va_end(ap);
        if (r < 0) {
                m = NULL;
                return storvirt__error_oom();
        }
        return storvirt__error_set(-EINVAL, "%s: key '%s': %s", what, key, m);
}

/* A JSON value for a message: "the string 'x'", "the number 5", "true", "an object". */
const char *storvirt__disk_describe(yajl_val v, char *buf, size_t size) {
        char q[STORVIRT__ESCAPED_NAME_SIZE];

        if (YAJL_IS_STRING(v))
                snprintf(buf, size, "the string '%s'",
                         storvirt__name_escape(v->u.string, q, sizeof(q)));
        else if (YAJL_IS_NUMBER(v))
                snprintf(buf, size, "the number %s",
                         storvirt__name_escape(v->u.number.r, q, sizeof(q)));
        else if (YAJL_IS_TRUE(v))
                snprintf(buf, size, "true");
        else if (YAJL_IS_FALSE(v))
                snprintf(buf, size, "false");
        else
                snprintf(buf, size, "%s", storvirt__json_type_name(v));
        return buf;
}

/* A scalar as written: a number as is, a string quoted. */
static const char *shown(yajl_val v, char *buf, size_t size) {
        char q[STORVIRT__ESCAPED_NAME_SIZE];

        if (YAJL_IS_STRING(v))
                snprintf(buf, size, "'%s'", storvirt__name_escape(v->u.string, q, sizeof(q)));
        else if (YAJL_IS_NUMBER(v))
                snprintf(buf, size, "%s", storvirt__name_escape(v->u.number.r, q, sizeof(q)));
        else
                storvirt__disk_describe(v, buf, size);
        return buf;
}

#define SHOWN(v) shown((v), (char[STORVIRT__DISK_DESCRIBE_SIZE]){ 0 }, STORVIRT__DISK_DESCRIBE_SIZE)

int storvirt__disk_type_error(const char *what, const char *key, const char *expected, yajl_val v) {
        return storvirt__disk_key_error(what, key, "expected %s, got %s", expected, DESCRIBE(v));
}

int storvirt__disk_get_string(const char *what, const char *key, yajl_val v, const char **ret) {
        if (!YAJL_IS_STRING(v))
                return storvirt__disk_type_error(what, key, "a string", v);
        *ret = v->u.string;
        return 0;
}

int storvirt__disk_get_nonempty_string(const char *what, const char *key, yajl_val v,
                                       const char **ret) {
        int r = storvirt__disk_get_string(what, key, v, ret);

        if (r < 0)
                return r;
        if (!**ret)
                return storvirt__disk_key_error(what, key, "empty string");
        return 0;
}

/* true/false, or the strings "true"/"false" in any case (VDSM once wrote Python's "True"). */
int storvirt__disk_get_boolish(const char *what, const char *key, yajl_val v, bool *ret) {
        if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)) {
                *ret = YAJL_IS_TRUE(v);
                return 0;
        }
        if (YAJL_IS_STRING(v) && strcasecmp(v->u.string, "true") == 0) {
                *ret = true;
                return 0;
        }
        if (YAJL_IS_STRING(v) && strcasecmp(v->u.string, "false") == 0) {
                *ret = false;
                return 0;
        }
        return storvirt__disk_type_error(what, key, "true or false", v);
}

/* Integer text: decimal digits (with hex, also "0x" and hex digits).  -EDOM: negative. */
int storvirt__disk_u64_from_text(const char *s, bool hex, uint64_t *ret) {
        uint64_t v = 0;
        unsigned base = 10;

        if (s[0] == '-')
                return s[1] && strspn(s + 1, "0123456789") == strlen(s + 1) ? -EDOM : -EINVAL;
        if (hex && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
                base = 16;
                s += 2;
        }
        if (!*s)
                return -EINVAL;
        for (; *s; s++) {
                unsigned d;

                if (base == 16 ? !ascii_hex(*s) : !ascii_digit(*s))
                        return -EINVAL;
                d = hex_value(*s);
                if (v > (UINT64_MAX - d) / base)
                        return -ERANGE;
                v = v * base + d;
        }
        *ret = v;
        return 0;
}

/* A non-negative integer from min to max. */
int storvirt__disk_get_uint(const char *what, const char *key, yajl_val v, unsigned flags,
                            uint64_t min, uint64_t max, uint64_t *ret) {
        const char *text = "";
        uint64_t u;
        int r;

        if (YAJL_IS_NUMBER(v))
                text = v->u.number.r;
        else if (YAJL_IS_STRING(v) && (flags & (NUM_STRING | NUM_HEX)))
                text = v->u.string;
        else
                return storvirt__disk_type_error(
                        what, key,
                        (flags & NUM_HEX)      ? "a non-negative integer, a string of digits "
                                                 "or \"0x\" and hex digits"
                        : (flags & NUM_STRING) ? "a non-negative integer or a string of digits"
                                               : "a non-negative integer",
                        v);
        r = storvirt__disk_u64_from_text(text, YAJL_IS_STRING(v) && (flags & NUM_HEX), &u);
        if (r == -EDOM)
                return storvirt__disk_key_error(what, key, "%s is negative", SHOWN(v));
        if (r == -EINVAL)
                return storvirt__disk_type_error(
                        what, key,
                        YAJL_IS_STRING(v)
                                ? ((flags & NUM_HEX) ? "decimal digits or \"0x\" and hex digits"
                                                     : "a string of decimal digits")
                                : "an integer without fraction or exponent",
                        v);
        if (r == -ERANGE || u > max)
                return storvirt__disk_key_error(
                        what, key, "%s is out of range (at most %" PRIu64 ")", SHOWN(v), max);
        if (u < min)
                return storvirt__disk_key_error(
                        what, key, "%s is out of range (at least %" PRIu64 ")", SHOWN(v), min);
        *ret = u;
        return 0;
}

/* A string that is one of names[0..n) (NULL entries skipped); *ret its index. */
int storvirt__disk_get_enum(const char *what, const char *key, yajl_val v, const char *const *names,
                            size_t n, unsigned *ret) {
        char list[256];
        size_t o = 0;
        const char *s = "";
        int r;

        r = storvirt__disk_get_string(what, key, v, &s);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                if (names[i] && strcmp(names[i], s) == 0) {
                        *ret = (unsigned) i;
                        return 0;
                }
        list[0] = '\0';
        for (size_t i = 0; i < n; i++)
                if (names[i] && o < sizeof(list))
                        o += (size_t) snprintf(list + o, sizeof(list) - o, "%s%s",
                                               o ? ", " : "", names[i]);
        return storvirt__disk_key_error(what, key, "'%s' is not one of %s", ESC(s), list);
}

/* The member key of obj (keys are checked unique before). */
yajl_val storvirt__disk_member(yajl_val obj, const char *key) {
        for (size_t i = 0; i < obj->u.object.len; i++)
                if (strcmp(obj->u.object.keys[i], key) == 0)
                        return obj->u.object.values[i];
        return NULL;
}

/* The non-null member key of obj, or NULL. */
yajl_val storvirt__disk_member_value(yajl_val obj, const char *key) {
        yajl_val v = storvirt__disk_member(obj, key);

        return v && !YAJL_IS_NULL(v) ? v : NULL;
}

/* obj is an object with keys from allowed only, none twice. */
int storvirt__disk_check_object(const char *what, const char *key, yajl_val obj,
                                const char *const *allowed) {
        if (!YAJL_IS_OBJECT(obj))
                return storvirt__disk_type_error(what, key, "an object", obj);
        for (size_t i = 0; i < obj->u.object.len; i++) {
                const char *k = obj->u.object.keys[i];
                bool known = false;

                for (size_t a = 0; allowed[a]; a++)
                        if (strcmp(allowed[a], k) == 0)
                                known = true;
                if (!known) {
                        char list[256];
                        size_t o = 0;

                        list[0] = '\0';
                        for (size_t a = 0; allowed[a] && o < sizeof(list); a++)
                                o += (size_t) snprintf(list + o, sizeof(list) - o, "%s%s",
                                                       a ? ", " : "", allowed[a]);
                        return storvirt__disk_key_error(what, key, "unknown key '%s' (known: %s)",
                                                        ESC(k), list);
                }
                for (size_t j = 0; j < i; j++)
                        if (strcmp(obj->u.object.keys[j], k) == 0)
                                return storvirt__disk_key_error(what, key, "key '%s' given twice",
                                                                ESC(k));
        }
        return 0;
}

/* "key.sub" for nested messages. */
const char *storvirt__disk_subkey(const char *key, const char *sub, char *buf, size_t size) {
        snprintf(buf, size, "%s.%s", key, sub);
        return buf;
}

int storvirt__disk_get_uuid(const char *what, const char *key, yajl_val v, char **ret) {
        char buf[STORVIRT__UUID_STRING_MAX];
        storvirt__uuid u;
        const char *s = "";
        int r;

        r = storvirt__disk_get_string(what, key, v, &s);
        if (r < 0)
                return r;
        if (storvirt__uuid_parse(s, &u) < 0)
                return storvirt__disk_key_error(what, key,
                                                "'%s' is not a UUID (like "
                                                "\"5c4d2f4a-8b6e-4e3a-9d7c-0f1e2d3c4b5a\")",
                                                ESC(s));
        storvirt__uuid_format(&u, buf);
        *ret = strdup(buf);
        return *ret ? 0 : storvirt__error_oom();
}
