/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * json.c - JSON on top of yajl.  Parsing builds a yajl_tree through our
 * own callbacks rather than yajl_tree_parse(), which accepts comments,
 * has no depth limit, asserts on allocation failure and reports errors
 * without a position.  Also typed getters, the unknown/duplicate key
 * check and a generator wrapper with a sticky error.
 */
#include <inttypes.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>

#include "util/buf.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/macro.h"

/* ---- parsing ---------------------------------------------------------- */

struct parse_ctx {
        yajl_handle h;
        yajl_val root;
        unsigned depth;
        yajl_val stack[STORVIRT__JSON_MAX_DEPTH];  /* open containers */
        char *key[STORVIRT__JSON_MAX_DEPTH];       /* pending object keys */
        int err;                                   /* our own failure */
        const char *why;
        size_t err_offset;
};

static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static locale_t c_locale;

static void c_locale_init(void) {
        c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t) 0);
}

/* yajl counts the offending token as consumed: point at its last byte. */
static size_t error_offset(size_t consumed) {
        return consumed > 0 ? consumed - 1 : 0;
}

static int parse_fail(struct parse_ctx *c, int err, const char *why) {
        c->err = err;
        c->why = why;
        c->err_offset = error_offset(yajl_get_bytes_consumed(c->h));
        return 0; /* makes yajl stop with yajl_status_client_canceled */
}

/*
 * Arrays of keys/values grow to the next power of two, so the capacity
 * follows from len and the tree stays compatible with yajl_tree_free().
 */
static bool need_grow(size_t len) {
        return len == 0 || (len & (len - 1)) == 0;
}

static int add_to_object(yajl_val obj, char *key, yajl_val v) {
        size_t n = obj->u.object.len;

        if (need_grow(n)) {
                size_t cap = n ? n * 2 : 1;
                const char **k = realloc(obj->u.object.keys, cap * sizeof(*k));

                if (!k)
                        return -ENOMEM;
                obj->u.object.keys = k;
                yajl_val *vals = realloc(obj->u.object.values, cap * sizeof(*vals));
                if (!vals)
                        return -ENOMEM;
                obj->u.object.values = vals;
        }
        obj->u.object.keys[n] = key;
        obj->u.object.values[n] = v;
        obj->u.object.len++;
        return 0;
}

static int add_to_array(yajl_val arr, yajl_val v) {
        size_t n = arr->u.array.len;

        if (need_grow(n)) {
                size_t cap = n ? n * 2 : 1;
                yajl_val *vals = realloc(arr->u.array.values, cap * sizeof(*vals));

                if (!vals)
                        return -ENOMEM;
                arr->u.array.values = vals;
        }
        arr->u.array.values[n] = v;
        arr->u.array.len++;
        return 0;
}

/* Attach v (already allocated) to the open container or make it the root. */
static int add_value(struct parse_ctx *c, yajl_val v) {
        yajl_val parent;
        int r;

        if (!v)
                return parse_fail(c, -ENOMEM, "out of memory");
        if (c->depth == 0) {
                c->root = v;
                return 1;
        }
        parent = c->stack[c->depth - 1];
        if (parent->type == yajl_t_object) {
                r = add_to_object(parent, c->key[c->depth - 1], v);
                if (r == 0)
                        c->key[c->depth - 1] = NULL;
        } else
                r = add_to_array(parent, v);
        if (r < 0) {
                yajl_tree_free(v);
                return parse_fail(c, r, "out of memory");
        }
        return 1;
}

static yajl_val value_new(yajl_type type) {
        yajl_val v = calloc(1, sizeof(*v));

        if (v)
                v->type = type;
        return v;
}

static int on_null(void *ctx) {
        return add_value(ctx, value_new(yajl_t_null));
}

static int on_bool(void *ctx, int b) {
        return add_value(ctx, value_new(b ? yajl_t_true : yajl_t_false));
}

/* Exact decimal integer text (what JSON allows, plus leading zeros). */
static int parse_u64(const char *s, uint64_t *ret) {
        uint64_t v = 0;

        if (*s == '\0' || strspn(s, "0123456789") != strlen(s))
                return -EINVAL;
        for (; *s; s++) {
                unsigned d = (unsigned) (*s - '0');

                if (v > (UINT64_MAX - d) / 10)
                        return -ERANGE;
                v = v * 10 + d;
        }
        *ret = v;
        return 0;
}

static int parse_i64(const char *s, int64_t *ret) {
        bool neg = s[0] == '-';
        uint64_t u;
        int r;

        r = parse_u64(s + neg, &u);
        if (r < 0)
                return r;
        if (u > (uint64_t) INT64_MAX + neg)
                return -ERANGE;
        *ret = neg ? (int64_t) (0 - u) : (int64_t) u;
        return 0;
}

static int on_number(void *ctx, const char *s, size_t len) {
        yajl_val v = value_new(yajl_t_number);
        int64_t i;
        char *end;

        if (!v || !(v->u.number.r = strndup(s, len))) {
                free(v);
                return add_value(ctx, NULL);
        }
        if (parse_i64(v->u.number.r, &i) == 0) {
                v->u.number.i = i;
                v->u.number.flags |= YAJL_NUMBER_INT_VALID;
        }
        pthread_once(&c_locale_once, c_locale_init);
        if (c_locale != (locale_t) 0) {
                errno = 0;
                v->u.number.d = strtod_l(v->u.number.r, &end, c_locale);
                if (errno == 0 && *end == '\0')
                        v->u.number.flags |= YAJL_NUMBER_DOUBLE_VALID;
        }
        return add_value(ctx, v);
}

static char *string_dup(struct parse_ctx *c, const unsigned char *s, size_t len) {
        char *p;

        if (memchr(s, '\0', len)) {
                parse_fail(c, -EINVAL, "string contains a NUL character");
                return NULL;
        }
        p = strndup((const char *) s, len);
        if (!p)
                parse_fail(c, -ENOMEM, "out of memory");
        return p;
}

static int on_string(void *ctx, const unsigned char *s, size_t len) {
        struct parse_ctx *c = ctx;
        yajl_val v;
        char *p;

        p = string_dup(c, s, len);
        if (!p)
                return 0;
        v = value_new(yajl_t_string);
        if (!v) {
                free(p);
                return add_value(c, NULL);
        }
        v->u.string = p;
        return add_value(c, v);
}

static int on_map_key(void *ctx, const unsigned char *s, size_t len) {
        struct parse_ctx *c = ctx;
        char *p;

        p = string_dup(c, s, len);
        if (!p)
                return 0;
        free(c->key[c->depth - 1]);
        c->key[c->depth - 1] = p;
        return 1;
}

static int on_open(struct parse_ctx *c, yajl_type type) {
        yajl_val v;

        if (c->depth >= STORVIRT__JSON_MAX_DEPTH)
                return parse_fail(c, -EINVAL, "nesting deeper than 64 levels");
        v = value_new(type);
        if (!add_value(c, v))
                return 0;
        c->stack[c->depth++] = v;
        return 1;
}

static int on_start_map(void *ctx) {
        return on_open(ctx, yajl_t_object);
}

static int on_start_array(void *ctx) {
        return on_open(ctx, yajl_t_array);
}

static int on_close(void *ctx) {
        struct parse_ctx *c = ctx;

        c->depth--;
        return 1;
}

static const yajl_callbacks parse_callbacks = {
        .yajl_null = on_null,
        .yajl_boolean = on_bool,
        .yajl_number = on_number,
        .yajl_string = on_string,
        .yajl_start_map = on_start_map,
        .yajl_map_key = on_map_key,
        .yajl_end_map = on_close,
        .yajl_start_array = on_start_array,
        .yajl_end_array = on_close,
};

/* 1-based line and column (in characters) of byte offset off. */
static void text_position(const char *text, size_t len, size_t off,
                          size_t *ret_line, size_t *ret_col) {
        size_t line = 1, col = 1;

        if (off > len)
                off = len;
        for (size_t i = 0; i < off; i++) {
                unsigned char ch = (unsigned char) text[i];

                if (ch == '\n') {
                        line++;
                        col = 1;
                } else if ((ch & 0xc0) != 0x80) {
                        col++;
                }
        }
        *ret_line = line;
        *ret_col = col;
}

/* The error message of a failed parse; returns the negative errno. */
static int parse_report(struct parse_ctx *c, const char *text, size_t len,
                        size_t off, const char *what) {
        unsigned char *yerr = NULL;
        size_t line, col, n;
        const char *why = c->why;
        int r;

        if (c->err == -ENOMEM)
                return storvirt__error_oom();
        if (!c->err) {
                yerr = yajl_get_error(c->h, 0, (const unsigned char *) text, len);
                why = yerr ? (const char *) yerr : "syntax error";
        } else
                off = c->err_offset;
        n = strlen(why);
        while (n > 0 && (why[n - 1] == '\n' || why[n - 1] == ' ' || why[n - 1] == '.'))
                n--;
        text_position(text, len, off, &line, &col);
        r = storvirt__error_set(-EINVAL, "%s: invalid JSON at line %zu column %zu: %.*s",
                                what, line, col, (int) n, why);
        if (yerr)
                yajl_free_error(c->h, yerr);
        return r;
}

static void parse_ctx_done(struct parse_ctx *c) {
        for (unsigned i = 0; i < STORVIRT__JSON_MAX_DEPTH; i++)
                free(c->key[i]);
        if (c->h)
                yajl_free(c->h);
}

static bool only_space(const char *text, size_t len) {
        for (size_t i = 0; i < len; i++)
                if (!strchr(" \t\r\n", text[i]) || text[i] == '\0')
                        return false;
        return true;
}

int storvirt__json_parse(const char *text, size_t len, size_t max_size,
                         yajl_val *ret, const char *what) {
        struct parse_ctx c = {};
        yajl_status st;
        size_t off = len;
        int r = 0;

        check_arg(text || len == 0, "text", "must not be NULL when len > 0");
        check_nonnull(ret);
        if (!what)
                what = "JSON";
        if (len > max_size)
                return storvirt__error_set(-EFBIG, "%s: %zu bytes, more than the limit of %zu",
                                           what, len, max_size);
        if (only_space(text, len))
                return storvirt__error_set(-EINVAL, "%s: empty input", what);
        c.h = yajl_alloc(&parse_callbacks, NULL, &c);
        if (!c.h)
                return storvirt__error_oom();
        st = yajl_parse(c.h, (const unsigned char *) text, len);
        if (st == yajl_status_ok)
                st = yajl_complete_parse(c.h);  /* errors found here are at the end */
        else
                off = error_offset(yajl_get_bytes_consumed(c.h));
        if (st != yajl_status_ok)
                r = parse_report(&c, text, len, off, what);
        else if (!c.root)
                r = storvirt__error_set(-EINVAL, "%s: empty input", what);
        parse_ctx_done(&c);
        if (r < 0) {
                yajl_tree_free(c.root);
                return r;
        }
        *ret = c.root;
        return 0;
}

void storvirt__json_free(yajl_val v) {
        yajl_tree_free(v);
}

const char *storvirt__json_type_name(yajl_val v) {
        if (!v)
                return "nothing";
        switch (v->type) {
        case yajl_t_string:
                return "a string";
        case yajl_t_number:
                return "a number";
        case yajl_t_object:
                return "an object";
        case yajl_t_array:
                return "an array";
        case yajl_t_true:
        case yajl_t_false:
                return "a boolean";
        case yajl_t_null:
                return "null";
        default:
                return "an unknown value";
        }
}

/* ---- getters ---------------------------------------------------------- */

/*
 * Find member key of obj: 1 and *ret when present and not null, 0 when
 * absent or null and optional, else an error naming the field.
 */
static int field_find(yajl_val obj, const char *key, bool required,
                      const char *expected, yajl_val *ret) {
        yajl_val v = NULL;

        if (!key)
                return storvirt__error_set(-EINVAL, "field name missing");
        if (!YAJL_IS_OBJECT(obj))
                return storvirt__error_set(-EINVAL, "field '%s': container is %s, not an object",
                                           key, storvirt__json_type_name(obj));
        for (size_t i = 0; i < obj->u.object.len; i++)
                if (strcmp(obj->u.object.keys[i], key) == 0) {
                        v = obj->u.object.values[i];
                        break;
                }
        if (v && !YAJL_IS_NULL(v)) {
                *ret = v;
                return 1;
        }
        if (!required)
                return 0;
        if (!v)
                return storvirt__error_set(-ENOENT, "field '%s': missing", key);
        return storvirt__error_set(-EINVAL, "field '%s': expected %s, got null", key, expected);
}

static int type_error(const char *key, const char *expected, yajl_val v) {
        return storvirt__error_set(-EINVAL, "field '%s': expected %s, got %s",
                                   key, expected, storvirt__json_type_name(v));
}

int storvirt__json_get_string(yajl_val obj, const char *key, bool required,
                              const char **ret) {
        yajl_val v;
        int r;

        check_nonnull(ret);
        r = field_find(obj, key, required, "a string", &v);
        if (r <= 0)
                return r;
        if (!YAJL_IS_STRING(v))
                return type_error(key, "a string", v);
        *ret = v->u.string;
        return 1;
}

int storvirt__json_get_string_or_number(yajl_val obj, const char *key, bool required,
                                        const char **ret) {
        const char *expected = "a string or a number";
        yajl_val v;
        int r;

        check_nonnull(ret);
        r = field_find(obj, key, required, expected, &v);
        if (r <= 0)
                return r;
        if (YAJL_IS_STRING(v))
                *ret = v->u.string;
        else if (YAJL_IS_NUMBER(v) && v->u.number.r)
                *ret = v->u.number.r;
        else
                return type_error(key, expected, v);
        return 1;
}

int storvirt__json_get_bool(yajl_val obj, const char *key, bool required, bool *ret) {
        yajl_val v;
        int r;

        check_nonnull(ret);
        r = field_find(obj, key, required, "a boolean", &v);
        if (r <= 0)
                return r;
        if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
                return type_error(key, "a boolean", v);
        *ret = YAJL_IS_TRUE(v);
        return 1;
}

static int get_typed(yajl_val obj, const char *key, bool required, yajl_type type,
                     const char *expected, yajl_val *ret) {
        yajl_val v;
        int r;

        check_nonnull(ret);
        r = field_find(obj, key, required, expected, &v);
        if (r <= 0)
                return r;
        if (v->type != type)
                return type_error(key, expected, v);
        *ret = v;
        return 1;
}

int storvirt__json_get_object(yajl_val obj, const char *key, bool required,
                              yajl_val *ret) {
        return get_typed(obj, key, required, yajl_t_object, "an object", ret);
}

int storvirt__json_get_array(yajl_val obj, const char *key, bool required,
                             yajl_val *ret) {
        return get_typed(obj, key, required, yajl_t_array, "an array", ret);
}

/* The text of an integer field (number, or string if allowed by flags). */
static int int_text(yajl_val obj, const char *key, bool required, uint32_t flags,
                    const char *expected, const char **ret) {
        yajl_val v;
        int r;

        check_flags(flags, STORVIRT__JSON_INT_FROM_STRING);
        r = field_find(obj, key, required, expected, &v);
        if (r <= 0)
                return r;
        if (YAJL_IS_NUMBER(v))
                *ret = v->u.number.r;
        else if (YAJL_IS_STRING(v) && (flags & STORVIRT__JSON_INT_FROM_STRING))
                *ret = v->u.string;
        else
                return type_error(key, expected, v);
        return 1;
}

static int int_error(const char *key, const char *expected, const char *text, int r) {
        char q[64];

        storvirt__name_escape(text, q, sizeof(q));
        if (r == -ERANGE)
                return storvirt__error_set(-EINVAL, "field '%s': %s is out of range for %s",
                                           key, q, expected);
        return storvirt__error_set(-EINVAL, "field '%s': expected %s, got '%s'",
                                   key, expected, q);
}

int storvirt__json_get_int64(yajl_val obj, const char *key, bool required,
                             uint32_t flags, int64_t *ret) {
        static const char expected[] = "a 64-bit integer";
        const char *text;
        int64_t v;
        int r;

        check_nonnull(ret);
        r = int_text(obj, key, required, flags, expected, &text);
        if (r <= 0)
                return r;
        r = parse_i64(text, &v);
        if (r < 0)
                return int_error(key, expected, text, r);
        *ret = v;
        return 1;
}

int storvirt__json_get_uint64(yajl_val obj, const char *key, bool required,
                              uint32_t flags, uint64_t *ret) {
        static const char expected[] = "an unsigned 64-bit integer";
        const char *text;
        uint64_t v;
        int r;

        check_nonnull(ret);
        r = int_text(obj, key, required, flags, expected, &text);
        if (r <= 0)
                return r;
        r = parse_u64(text, &v);
        if (r < 0)
                return int_error(key, expected, text, r);
        *ret = v;
        return 1;
}

/* ---- key check -------------------------------------------------------- */

static int key_error(const char *what, const char *problem, const char *key) {
        char q[STORVIRT__ESCAPED_NAME_SIZE];

        return storvirt__error_set(-EINVAL, "%s: %s field '%s'", what, problem,
                                   storvirt__name_escape(key, q, sizeof(q)));
}

/* Every key must be in allowed; a bitmap over allowed finds repeats. */
static int check_allowed(yajl_val obj, const char *const *allowed, const char *what) {
        _cleanup_free_ bool *seen = NULL;
        size_t n_allowed = 0;

        while (allowed[n_allowed])
                n_allowed++;
        seen = calloc(n_allowed ? n_allowed : 1, sizeof(bool));
        if (!seen)
                return storvirt__error_oom();
        for (size_t i = 0; i < obj->u.object.len; i++) {
                const char *key = obj->u.object.keys[i];
                size_t a;

                for (a = 0; a < n_allowed; a++)
                        if (strcmp(allowed[a], key) == 0)
                                break;
                if (a == n_allowed)
                        return key_error(what, "unknown", key);
                if (seen[a])
                        return key_error(what, "duplicate", key);
                seen[a] = true;
        }
        return 0;
}

static int cmp_key_index(const void *a, const void *b, void *userdata) {
        const char *const *keys = userdata;
        size_t ia = *(const size_t *) a, ib = *(const size_t *) b;
        int c = strcmp(keys[ia], keys[ib]);

        if (c != 0)
                return c;
        return ia < ib ? -1 : ia > ib;
}

/* Any keys allowed: sort indices by key and report the first repeat. */
static int check_duplicates(yajl_val obj, const char *what) {
        size_t n = obj->u.object.len, first_dup = SIZE_MAX;
        _cleanup_free_ size_t *idx = NULL;

        if (n < 2)
                return 0;
        idx = malloc(n * sizeof(size_t));
        if (!idx)
                return storvirt__error_oom();
        for (size_t i = 0; i < n; i++)
                idx[i] = i;
        qsort_r(idx, n, sizeof(size_t), cmp_key_index, (void *) obj->u.object.keys);
        for (size_t i = 1; i < n; i++)
                if (strcmp(obj->u.object.keys[idx[i - 1]], obj->u.object.keys[idx[i]]) == 0 &&
                    idx[i] < first_dup)
                        first_dup = idx[i];
        if (first_dup != SIZE_MAX)
                return key_error(what, "duplicate", obj->u.object.keys[first_dup]);
        return 0;
}

int storvirt__json_check_keys(yajl_val obj, const char *const *allowed,
                              const char *what) {
        if (!what)
                what = "JSON object";
        if (!YAJL_IS_OBJECT(obj))
                return storvirt__error_set(-EINVAL, "%s: expected an object, got %s",
                                           what, storvirt__json_type_name(obj));
        if (allowed)
                return check_allowed(obj, allowed, what);
        return check_duplicates(obj, what);
}

/* ---- generator -------------------------------------------------------- */

enum {
        LEVEL_ARRAY,
        LEVEL_MAP_KEY,    /* in a map, a key comes next */
        LEVEL_MAP_VALUE,  /* in a map, the value of a key comes next */
};

struct storvirt__json_gen {
        yajl_gen yg;
        int err;          /* sticky first error */
        bool done;        /* the top-level value is complete */
        bool finished;    /* output handed out */
        bool pretty;
        unsigned depth;
        unsigned char level[STORVIRT__JSON_MAX_DEPTH];
        size_t mark[STORVIRT__JSON_MAX_DEPTH];  /* output length after each open */
        struct storvirt__buf out;
};

static void gen_print(void *ctx, const char *s, size_t n) {
        struct storvirt__json_gen *g = ctx;

        if (g->err)
                return;
        g->err = storvirt__buf_append(&g->out, s, n);
}

int storvirt__json_gen_new(bool pretty, storvirt__json_gen **ret) {
        struct storvirt__json_gen *g;

        check_nonnull(ret);
        g = calloc(1, sizeof(*g));
        if (!g)
                return storvirt__error_oom();
        g->yg = yajl_gen_alloc(NULL);
        if (!g->yg) {
                free(g);
                return storvirt__error_oom();
        }
        yajl_gen_config(g->yg, yajl_gen_print_callback, gen_print, g);
        yajl_gen_config(g->yg, yajl_gen_validate_utf8, 1);
        g->pretty = pretty;
        if (pretty) {
                yajl_gen_config(g->yg, yajl_gen_beautify, 1);
                yajl_gen_config(g->yg, yajl_gen_indent_string, "  ");
        }
        *ret = g;
        return 0;
}

void storvirt__json_gen_free(storvirt__json_gen *g) {
        if (!g)
                return;
        yajl_gen_free(g->yg);
        storvirt__buf_free(&g->out);
        free(g);
}

static int gen_fail(storvirt__json_gen *g, const char *why) {
        g->err = storvirt__error_set(-EINVAL, "JSON generator: %s", why);
        return g->err;
}

/* Check that a value may come now (not where a key is due). */
static int gen_value_ok(storvirt__json_gen *g) {
        if (!g)
                return storvirt__error_set(-EINVAL, "JSON generator: missing");
        if (g->err)
                return g->err;
        if (g->finished)
                return gen_fail(g, "output already taken");
        if (g->depth == 0 && g->done)
                return gen_fail(g, "more than one top-level value");
        if (g->depth > 0 && g->level[g->depth - 1] == LEVEL_MAP_KEY)
                return gen_fail(g, "value without a key inside an object");
        return 0;
}

static int gen_status(storvirt__json_gen *g, yajl_gen_status st) {
        if (g->err)
                return g->err;   /* output allocation failed */
        switch (st) {
        case yajl_gen_status_ok:
                return 0;
        case yajl_gen_invalid_string:
                return gen_fail(g, "string is not valid UTF-8");
        case yajl_max_depth_exceeded:
                return gen_fail(g, "nesting too deep");
        default:
                return gen_fail(g, "invalid call sequence");
        }
}

/* After a complete value: the map wants a key next, or the document is done. */
static int gen_value_done(storvirt__json_gen *g, yajl_gen_status st) {
        int r = gen_status(g, st);

        if (r < 0)
                return r;
        if (g->depth == 0)
                g->done = true;
        else if (g->level[g->depth - 1] == LEVEL_MAP_VALUE)
                g->level[g->depth - 1] = LEVEL_MAP_KEY;
        return 0;
}

int storvirt__json_gen_string(storvirt__json_gen *g, const char *s) {
        int r = gen_value_ok(g);

        if (r < 0)
                return r;
        if (!s)
                return gen_fail(g, "string is NULL");
        return gen_value_done(g, yajl_gen_string(g->yg, (const unsigned char *) s, strlen(s)));
}

int storvirt__json_gen_int64(storvirt__json_gen *g, int64_t v) {
        int r = gen_value_ok(g);

        if (r < 0)
                return r;
        return gen_value_done(g, yajl_gen_integer(g->yg, (long long) v));
}

int storvirt__json_gen_uint64(storvirt__json_gen *g, uint64_t v) {
        char s[32];
        int r = gen_value_ok(g);

        if (r < 0)
                return r;
        if (v <= INT64_MAX)
                return gen_value_done(g, yajl_gen_integer(g->yg, (long long) v));
        snprintf(s, sizeof(s), "%" PRIu64, v);
        return gen_value_done(g, yajl_gen_number(g->yg, s, strlen(s)));
}

int storvirt__json_gen_bool(storvirt__json_gen *g, bool v) {
        int r = gen_value_ok(g);

        if (r < 0)
                return r;
        return gen_value_done(g, yajl_gen_bool(g->yg, v));
}

int storvirt__json_gen_null(storvirt__json_gen *g) {
        int r = gen_value_ok(g);

        if (r < 0)
                return r;
        return gen_value_done(g, yajl_gen_null(g->yg));
}

static int gen_open(storvirt__json_gen *g, bool map) {
        int r = gen_value_ok(g);

        if (r < 0)
                return r;
        if (g->depth >= STORVIRT__JSON_MAX_DEPTH)
                return gen_fail(g, "nesting deeper than 64 levels");
        r = gen_status(g, map ? yajl_gen_map_open(g->yg) : yajl_gen_array_open(g->yg));
        if (r < 0)
                return r;
        g->mark[g->depth] = g->out.len;
        g->level[g->depth++] = map ? LEVEL_MAP_KEY : LEVEL_ARRAY;
        return 0;
}

static int gen_close(storvirt__json_gen *g, bool map) {
        unsigned char top;
        bool empty;
        int r;

        if (!g)
                return storvirt__error_set(-EINVAL, "JSON generator: missing");
        if (g->err)
                return g->err;
        top = g->depth > 0 ? g->level[g->depth - 1] : LEVEL_ARRAY;
        if (g->depth == 0 || (map ? top == LEVEL_ARRAY : top != LEVEL_ARRAY))
                return gen_fail(g, map ? "no object to end" : "no array to end");
        if (top == LEVEL_MAP_VALUE)
                return gen_fail(g, "key without a value at the end of an object");
        g->depth--;
        empty = g->out.len == g->mark[g->depth];
        r = gen_value_done(g, map ? yajl_gen_map_close(g->yg) : yajl_gen_array_close(g->yg));
        /* yajl beautifies an empty container as "{\n\n  }": make it "{}" */
        if (r == 0 && empty && g->pretty && g->mark[g->depth] > 0 &&
            g->out.data[g->mark[g->depth] - 1] == '\n') {
                storvirt__buf_truncate(&g->out, g->mark[g->depth] - 1);
                gen_print(g, map ? "}" : "]", 1);
                r = g->err;
        }
        return r;
}

int storvirt__json_gen_begin_map(storvirt__json_gen *g) {
        return gen_open(g, true);
}

int storvirt__json_gen_end_map(storvirt__json_gen *g) {
        return gen_close(g, true);
}

int storvirt__json_gen_begin_array(storvirt__json_gen *g) {
        return gen_open(g, false);
}

int storvirt__json_gen_end_array(storvirt__json_gen *g) {
        return gen_close(g, false);
}

int storvirt__json_gen_key(storvirt__json_gen *g, const char *key) {
        int r;

        if (!g)
                return storvirt__error_set(-EINVAL, "JSON generator: missing");
        if (g->err)
                return g->err;
        if (g->depth == 0 || g->level[g->depth - 1] != LEVEL_MAP_KEY)
                return gen_fail(g, "key outside an object or where a value is due");
        if (!key)
                return gen_fail(g, "key is NULL");
        r = gen_status(g, yajl_gen_string(g->yg, (const unsigned char *) key, strlen(key)));
        if (r < 0)
                return r;
        g->level[g->depth - 1] = LEVEL_MAP_VALUE;
        return 0;
}

int storvirt__json_gen_key_string(storvirt__json_gen *g, const char *key, const char *s) {
        int r = storvirt__json_gen_key(g, key);

        return r < 0 ? r : storvirt__json_gen_string(g, s);
}

int storvirt__json_gen_key_int64(storvirt__json_gen *g, const char *key, int64_t v) {
        int r = storvirt__json_gen_key(g, key);

        return r < 0 ? r : storvirt__json_gen_int64(g, v);
}

int storvirt__json_gen_key_uint64(storvirt__json_gen *g, const char *key, uint64_t v) {
        int r = storvirt__json_gen_key(g, key);

        return r < 0 ? r : storvirt__json_gen_uint64(g, v);
}

int storvirt__json_gen_key_bool(storvirt__json_gen *g, const char *key, bool v) {
        int r = storvirt__json_gen_key(g, key);

        return r < 0 ? r : storvirt__json_gen_bool(g, v);
}

int storvirt__json_gen_key_null(storvirt__json_gen *g, const char *key) {
        int r = storvirt__json_gen_key(g, key);

        return r < 0 ? r : storvirt__json_gen_null(g);
}

int storvirt__json_gen_key_begin_map(storvirt__json_gen *g, const char *key) {
        int r = storvirt__json_gen_key(g, key);

        return r < 0 ? r : storvirt__json_gen_begin_map(g);
}

int storvirt__json_gen_key_begin_array(storvirt__json_gen *g, const char *key) {
        int r = storvirt__json_gen_key(g, key);

        return r < 0 ? r : storvirt__json_gen_begin_array(g);
}

int storvirt__json_gen_finish(storvirt__json_gen *g, char **ret, size_t *ret_len) {
        size_t len;
        int r;

        check_nonnull(g);
        check_nonnull(ret);
        if (g->err)
                return g->err;
        if (g->finished)
                return gen_fail(g, "output already taken");
        if (g->depth > 0)
                return gen_fail(g, "an object or array is still open");
        if (!g->done || g->out.len == 0)
                return gen_fail(g, "nothing was generated");
        len = g->out.len;
        r = storvirt__buf_steal(&g->out, ret);
        if (r < 0)
                return r;
        g->finished = true;
        if (ret_len)
                *ret_len = len;
        return 0;
}
