/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * json.h - JSON on top of yajl: a strict, bounded parser producing a
 * yajl_tree, typed getters whose errors name the field, a key checker
 * (unknown and duplicate keys) and a small generator wrapper.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yajl/yajl_tree.h>

/* Deepest nesting of objects/arrays storvirt__json_parse() accepts. */
#define STORVIRT__JSON_MAX_DEPTH 64

/*
 * Parse len bytes of text (need not be NUL-terminated) as one JSON
 * value: strict JSON (no comments, no trailing data), valid UTF-8, no
 * NUL characters in strings, at most STORVIRT__JSON_MAX_DEPTH levels.
 * Errors: -EFBIG when len > max_size, -EINVAL for empty input or bad
 * JSON ("<what>: invalid JSON at line L column C: <reason>"), -ENOMEM.
 * The tree is built with malloc and freed with storvirt__json_free()
 * (or yajl_tree_free()).  Duplicate object keys are kept as separate
 * entries, in document order; see storvirt__json_check_keys().
 */
int storvirt__json_parse(const char *text, size_t len, size_t max_size,
                         yajl_val *ret, const char *what);

void storvirt__json_free(yajl_val v);
static inline void storvirt__json_freep(yajl_val *v) {
        storvirt__json_free(*v);
}
#define _cleanup_json_ __attribute__((cleanup(storvirt__json_freep)))

/* "a string", "a number", "an object", "an array", "a boolean", "null". */
const char *storvirt__json_type_name(yajl_val v);

/*
 * Typed getters on the member `key` of object obj (the first one if the
 * key is duplicated).  They return 1 and set *ret when the member is
 * present, 0 (leaving *ret alone) when it is absent or null and not
 * required, -ENOENT "field 'key': missing" when it is required, and
 * -EINVAL "field 'key': expected a string, got a number" (and the like)
 * on a type or range mismatch or when obj is not an object.
 * String results are borrowed from the tree.
 */
int storvirt__json_get_string(yajl_val obj, const char *key, bool required,
                              const char **ret);
/*
 * As storvirt__json_get_string(), but a number is taken too, as the text
 * it is written with (4.1 gives "4.1"): for fields senders give either
 * way.  Other types are "expected a string or a number, got ...".
 */
int storvirt__json_get_string_or_number(yajl_val obj, const char *key, bool required,
                                        const char **ret);
int storvirt__json_get_bool(yajl_val obj, const char *key, bool required, bool *ret);
int storvirt__json_get_object(yajl_val obj, const char *key, bool required,
                              yajl_val *ret);
int storvirt__json_get_array(yajl_val obj, const char *key, bool required,
                             yajl_val *ret);

/* Integer getters also accept a JSON string of decimal digits. */
#define STORVIRT__JSON_INT_FROM_STRING (1u << 0)

/*
 * Integers must be written without fraction or exponent and fit the
 * type; flags may hold STORVIRT__JSON_INT_FROM_STRING.
 */
int storvirt__json_get_int64(yajl_val obj, const char *key, bool required,
                             uint32_t flags, int64_t *ret);
int storvirt__json_get_uint64(yajl_val obj, const char *key, bool required,
                              uint32_t flags, uint64_t *ret);

/*
 * Check that object obj has only keys listed in the NULL-terminated
 * array allowed (NULL allows any key) and no key twice.  Errors are
 * -EINVAL "<what>: unknown field 'k'" / "<what>: duplicate field 'k'",
 * or "<what>: expected an object, got ..." when obj is not an object.
 */
int storvirt__json_check_keys(yajl_val obj, const char *const *allowed,
                              const char *what);

/*
 * Generator.  Every call returns 0 or a negative errno, and the first
 * error also sticks: later calls do nothing and return it, and so does
 * storvirt__json_gen_finish(), so a writer may check only the end.
 * Strings must be valid UTF-8 (else -EINVAL); output is escaped JSON.
 * pretty indents by 2 spaces.
 */
typedef struct storvirt__json_gen storvirt__json_gen;

int storvirt__json_gen_new(bool pretty, storvirt__json_gen **ret);
void storvirt__json_gen_free(storvirt__json_gen *g);
static inline void storvirt__json_gen_freep(storvirt__json_gen **g) {
        storvirt__json_gen_free(*g);
}
#define _cleanup_json_gen_ __attribute__((cleanup(storvirt__json_gen_freep)))

int storvirt__json_gen_begin_map(storvirt__json_gen *g);
int storvirt__json_gen_end_map(storvirt__json_gen *g);
int storvirt__json_gen_begin_array(storvirt__json_gen *g);
int storvirt__json_gen_end_array(storvirt__json_gen *g);

/* Values (array elements, top-level value, or after a key). */
int storvirt__json_gen_string(storvirt__json_gen *g, const char *s);
int storvirt__json_gen_int64(storvirt__json_gen *g, int64_t v);
int storvirt__json_gen_uint64(storvirt__json_gen *g, uint64_t v);
int storvirt__json_gen_bool(storvirt__json_gen *g, bool v);
int storvirt__json_gen_null(storvirt__json_gen *g);

/* A key inside a map; a value must follow. */
int storvirt__json_gen_key(storvirt__json_gen *g, const char *key);

/* key + value in one call. */
int storvirt__json_gen_key_string(storvirt__json_gen *g, const char *key, const char *s);
int storvirt__json_gen_key_int64(storvirt__json_gen *g, const char *key, int64_t v);
int storvirt__json_gen_key_uint64(storvirt__json_gen *g, const char *key, uint64_t v);
int storvirt__json_gen_key_bool(storvirt__json_gen *g, const char *key, bool v);
int storvirt__json_gen_key_null(storvirt__json_gen *g, const char *key);
int storvirt__json_gen_key_begin_map(storvirt__json_gen *g, const char *key);
int storvirt__json_gen_key_begin_array(storvirt__json_gen *g, const char *key);

/*
 * Take the output as a malloc'd NUL-terminated string (ret_len, may be
 * NULL, excludes the NUL).  Fails with -EINVAL if a map or array is
 * still open or nothing was generated.  The generator must still be
 * freed.
 */
int storvirt__json_gen_finish(storvirt__json_gen *g, char **ret, size_t *ret_len);
