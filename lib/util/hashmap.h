/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hashmap.h - a hash map from strings (copied on insertion) to void *
 * values, with an optional function that frees values the map drops.
 *
 * Open addressing with linear probing and backward-shift deletion; the
 * table doubles when three quarters full, so lookups, insertions and
 * removals are O(1) on average.  Keys are hashed with SipHash-1-3 under
 * a random per-map key, so iteration order is unspecified and differs
 * between maps and runs: use storvirt__hashmap_keys() for a stable order.
 *
 * A NULL map is accepted by the read-only functions and behaves as an
 * empty map.  Not thread-safe: callers lock.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef struct storvirt__hashmap storvirt__hashmap;
typedef void (*storvirt__free_fn)(void *);

/* free_value (may be NULL) is called on values the map drops. */
int storvirt__hashmap_new(storvirt__hashmap **ret, storvirt__free_fn free_value);
/* Frees the map, its keys and (through free_value) its values.  NULL ok. */
void storvirt__hashmap_free(storvirt__hashmap *m);
static inline void storvirt__hashmap_freep(storvirt__hashmap **m) {
        storvirt__hashmap_free(*m);
}
#define _cleanup_hashmap_free_ __attribute__((cleanup(storvirt__hashmap_freep)))

/*
 * Adds key -> value.  -EEXIST if key is present, -ENOMEM; in both cases
 * the map is unchanged and the caller still owns value.
 */
int storvirt__hashmap_put(storvirt__hashmap *m, const char *key, void *value);
/*
 * Sets key -> value, adding key if absent; an old value is freed with
 * free_value unless it is value itself.  -ENOMEM (map unchanged, value
 * not taken).
 */
int storvirt__hashmap_replace(storvirt__hashmap *m, const char *key, void *value);
/* The value of key, or NULL if absent (see _contains for NULL values). */
void *storvirt__hashmap_get(const storvirt__hashmap *m, const char *key);
bool storvirt__hashmap_contains(const storvirt__hashmap *m, const char *key);
/* Removes key and frees its value.  -ENOENT if absent. */
int storvirt__hashmap_remove(storvirt__hashmap *m, const char *key);
/* Removes key without freeing its value and returns it; NULL if absent. */
void *storvirt__hashmap_steal(storvirt__hashmap *m, const char *key);
size_t storvirt__hashmap_size(const storvirt__hashmap *m);
/* Makes room for n entries in all, so that adding them resizes nothing.  -ENOMEM. */
int storvirt__hashmap_reserve(storvirt__hashmap *m, size_t n);

/*
 * Walks the entries: start with *iter = 0 and call until it returns
 * false.  ret_key / ret_value may be NULL.  The map must not be changed
 * during a walk (collect keys first, or use storvirt__hashmap_keys()).
 */
bool storvirt__hashmap_iterate(const storvirt__hashmap *m, size_t *iter,
                               const char **ret_key, void **ret_value);

/*
 * Copies of all keys, sorted with strcmp(), as a NULL-terminated vector
 * (never NULL on success, even for an empty map); free it with
 * storvirt__strv_free().  -ENOMEM.
 */
int storvirt__hashmap_keys(const storvirt__hashmap *m, char ***ret_sorted_keys);
