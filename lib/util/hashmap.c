/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hashmap.c - string-keyed hash map: open addressing, linear probing,
 * backward-shift deletion (no tombstones), SipHash-1-3 with a random
 * per-map key.  Each slot caches its key's full hash so probes compare
 * strings only on a hash match and resizing never rehashes a key.
 */
#include <endian.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "util/bigmem.h"
#include "util/hashmap.h"
#include "util/macro.h"
#include "util/strv.h"

#define HASHMAP_MIN_CAP 16u

struct entry {
        char *key;       /* NULL marks an empty slot */
        void *value;
        uint64_t hash;
};

struct storvirt__hashmap {
        struct entry *entries;  /* NULL while cap == 0 */
        size_t cap;             /* 0 or a power of two */
        size_t size;
        uint64_t k0, k1;        /* SipHash key */
        storvirt__free_fn free_value;
};

static inline uint64_t rotl64(uint64_t x, unsigned b) {
        return (x << b) | (x >> (64 - b));
}

static inline void sipround(uint64_t v[4]) {
        v[0] += v[1]; v[1] = rotl64(v[1], 13); v[1] ^= v[0]; v[0] = rotl64(v[0], 32);
        v[2] += v[3]; v[3] = rotl64(v[3], 16); v[3] ^= v[2];
        v[0] += v[3]; v[3] = rotl64(v[3], 21); v[3] ^= v[0];
        v[2] += v[1]; v[1] = rotl64(v[1], 17); v[1] ^= v[2]; v[2] = rotl64(v[2], 32);
}

/* SipHash-1-3 (one compression round, three finalisation rounds). */
static uint64_t siphash13(uint64_t k0, uint64_t k1, const void *data, size_t len) {
        uint64_t v[4] = {
                k0 ^ UINT64_C(0x736f6d6570736575), k1 ^ UINT64_C(0x646f72616e646f6d),
                k0 ^ UINT64_C(0x6c7967656e657261), k1 ^ UINT64_C(0x7465646279746573),
        };
        const uint8_t *p = data, *end = p + (len & ~(size_t)7);
        uint64_t m, b = (uint64_t)len << 56;

        for (; p < end; p += 8) {
                memcpy(&m, p, 8);
                m = le64toh(m);
                v[3] ^= m;
                sipround(v);
                v[0] ^= m;
        }
        for (size_t i = 0; i < (len & 7); i++)
                b |= (uint64_t)p[i] << (8 * i);
        v[3] ^= b;
        sipround(v);
        v[0] ^= b;
        v[2] ^= 0xff;
        sipround(v);
        sipround(v);
        sipround(v);
        return v[0] ^ v[1] ^ v[2] ^ v[3];
}

static void hashmap_seed(storvirt__hashmap *m) {
        uint64_t k[2];
        struct timespec ts = {};

        if (getrandom(k, sizeof(k), GRND_NONBLOCK) == (ssize_t)sizeof(k)) {
                m->k0 = k[0];
                m->k1 = k[1];
                return;
        }
        /* No entropy yet (early boot): still vary the key per map. */
        clock_gettime(CLOCK_MONOTONIC, &ts);
        m->k0 = (uint64_t)(uintptr_t)m * UINT64_C(0x9e3779b97f4a7c15);
        m->k1 = ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^ UINT64_C(0xc2b2ae3d27d4eb4f);
}

int storvirt__hashmap_new(storvirt__hashmap **ret, storvirt__free_fn free_value) {
        storvirt__hashmap *m;

        m = calloc(1, sizeof(*m));
        if (!m)
                return storvirt__error_oom();
        m->free_value = free_value;
        hashmap_seed(m);
        *ret = m;
        return 0;
}

static void hashmap_drop(storvirt__hashmap *m, struct entry *e) {
        free(e->key);
        if (m->free_value)
                m->free_value(e->value);
}

void storvirt__hashmap_free(storvirt__hashmap *m) {
        if (!m)
                return;
        for (size_t i = 0; i < m->cap; i++)
                if (m->entries[i].key)
                        hashmap_drop(m, &m->entries[i]);
        storvirt__bigmem_free(m->entries, m->cap * sizeof(struct entry));
        free(m);
}

static uint64_t hashmap_hash(const storvirt__hashmap *m, const char *key, size_t len) {
        return siphash13(m->k0, m->k1, key, len);
}

/* Index of key's slot, or SIZE_MAX. */
static size_t hashmap_find(const storvirt__hashmap *m, const char *key, uint64_t hash) {
        size_t mask = m->cap - 1, i;

        if (m->cap == 0)
                return SIZE_MAX;
        for (i = hash & mask; m->entries[i].key; i = (i + 1) & mask)
                if (m->entries[i].hash == hash && strcmp(m->entries[i].key, key) == 0)
                        return i;
        return SIZE_MAX;
}

static void table_insert(struct entry *entries, size_t cap, const struct entry *e) {
        size_t mask = cap - 1, i;

        for (i = e->hash & mask; entries[i].key; i = (i + 1) & mask)
                ;
        entries[i] = *e;
}

/* Moves every entry to a new table of new_cap slots; sets no error. */
static int hashmap_resize(storvirt__hashmap *m, size_t new_cap) {
        struct entry *entries;

        if (new_cap > SIZE_MAX / sizeof(struct entry))
                return -ENOMEM;
        /* a pool's volumes: tens of thousands of slots, filled at once */
        entries = storvirt__bigmem_alloc(new_cap * sizeof(struct entry));
        if (!entries)
                return -ENOMEM;
        for (size_t i = 0; i < m->cap; i++)
                if (m->entries[i].key)
                        table_insert(entries, new_cap, &m->entries[i]);
        storvirt__bigmem_free(m->entries, m->cap * sizeof(struct entry));
        m->entries = entries;
        m->cap = new_cap;
        return 0;
}

/* Ensures one more entry keeps the load factor at or below 3/4. */
static int hashmap_reserve_one(storvirt__hashmap *m) {
        if (m->cap > 0 && m->size + 1 <= m->cap / 4 * 3)
                return 0;
        if (m->cap > SIZE_MAX / 2)
                return storvirt__error_oom();
        if (hashmap_resize(m, m->cap ? m->cap * 2 : HASHMAP_MIN_CAP) < 0)
                return storvirt__error_oom();
        return 0;
}

int storvirt__hashmap_reserve(storvirt__hashmap *m, size_t n) {
        size_t cap = m->cap ? m->cap : HASHMAP_MIN_CAP;

        while (n > cap / 4 * 3) {
                if (cap > SIZE_MAX / 2)
                        return storvirt__error_oom();
                cap *= 2;
        }
        if (cap == m->cap)
                return 0;
        return hashmap_resize(m, cap) < 0 ? storvirt__error_oom() : 0;
}

static int hashmap_add(storvirt__hashmap *m, const char *key, size_t len,
                       uint64_t hash, void *value) {
        struct entry e = { .value = value, .hash = hash };
        int r;

        e.key = malloc(len + 1);
        if (!e.key)
                return storvirt__error_oom();
        memcpy(e.key, key, len + 1);
        r = hashmap_reserve_one(m);
        if (r < 0) {
                free(e.key);
                return r;
        }
        table_insert(m->entries, m->cap, &e);
        m->size++;
        return 0;
}

int storvirt__hashmap_put(storvirt__hashmap *m, const char *key, void *value) {
        size_t len;
        uint64_t hash;

        if (!m || !key)
                return storvirt__error_set(-EINVAL,
                        "hashmap_put: invalid argument '%s': must not be NULL",
                        !m ? "m" : "key");
        len = strlen(key);
        hash = hashmap_hash(m, key, len);
        if (hashmap_find(m, key, hash) != SIZE_MAX)
                return storvirt__error_set(-EEXIST, "key '%s' is already present", key);
        return hashmap_add(m, key, len, hash, value);
}

int storvirt__hashmap_replace(storvirt__hashmap *m, const char *key, void *value) {
        size_t len, i;
        uint64_t hash;
        void *old;

        if (!m || !key)
                return storvirt__error_set(-EINVAL,
                        "hashmap_replace: invalid argument '%s': must not be NULL",
                        !m ? "m" : "key");
        len = strlen(key);
        hash = hashmap_hash(m, key, len);
        i = hashmap_find(m, key, hash);
        if (i == SIZE_MAX)
                return hashmap_add(m, key, len, hash, value);
        old = m->entries[i].value;
        m->entries[i].value = value;
        if (m->free_value && old != value)
                m->free_value(old);
        return 0;
}

static size_t hashmap_lookup(const storvirt__hashmap *m, const char *key) {
        if (!m || !key || m->size == 0)
                return SIZE_MAX;
        return hashmap_find(m, key, hashmap_hash(m, key, strlen(key)));
}

void *storvirt__hashmap_get(const storvirt__hashmap *m, const char *key) {
        size_t i = hashmap_lookup(m, key);

        return i == SIZE_MAX ? NULL : m->entries[i].value;
}

bool storvirt__hashmap_contains(const storvirt__hashmap *m, const char *key) {
        return hashmap_lookup(m, key) != SIZE_MAX;
}

/* Empties slot i, shifting back later entries of its probe run. */
static void hashmap_delete_at(storvirt__hashmap *m, size_t i) {
        size_t mask = m->cap - 1, j = i;

        for (;;) {
                size_t home;

                j = (j + 1) & mask;
                if (!m->entries[j].key)
                        break;
                home = m->entries[j].hash & mask;
                /* Entry j may stay if its home lies cyclically in (i, j]. */
                if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
                        continue;
                m->entries[i] = m->entries[j];
                i = j;
        }
        m->entries[i] = (struct entry) {};
        m->size--;
        /* Give memory back after mass removals; failure just keeps the table. */
        if (m->cap > HASHMAP_MIN_CAP && m->size < m->cap / 8)
                (void) hashmap_resize(m, m->cap / 2);
}

void *storvirt__hashmap_steal(storvirt__hashmap *m, const char *key) {
        size_t i = hashmap_lookup(m, key);
        void *value;

        if (i == SIZE_MAX)
                return NULL;
        value = m->entries[i].value;
        free(m->entries[i].key);
        hashmap_delete_at(m, i);
        return value;
}

int storvirt__hashmap_remove(storvirt__hashmap *m, const char *key) {
        size_t i = hashmap_lookup(m, key);
        struct entry e;

        if (i == SIZE_MAX)
                return storvirt__error_set(-ENOENT, "key '%s' is not present",
                                           key ? key : "(null)");
        e = m->entries[i];
        hashmap_delete_at(m, i);
        hashmap_drop(m, &e);
        return 0;
}

size_t storvirt__hashmap_size(const storvirt__hashmap *m) {
        return m ? m->size : 0;
}

bool storvirt__hashmap_iterate(const storvirt__hashmap *m, size_t *iter,
                               const char **ret_key, void **ret_value) {
        if (!m || !iter)
                return false;
        for (size_t i = *iter; i < m->cap; i++) {
                if (!m->entries[i].key)
                        continue;
                if (ret_key)
                        *ret_key = m->entries[i].key;
                if (ret_value)
                        *ret_value = m->entries[i].value;
                *iter = i + 1;
                return true;
        }
        *iter = m->cap;
        return false;
}

int storvirt__hashmap_keys(const storvirt__hashmap *m, char ***ret_sorted_keys) {
        size_t n = storvirt__hashmap_size(m), k = 0;
        char **keys;

        keys = calloc(n + 1, sizeof(char *));
        if (!keys)
                return storvirt__error_oom();
        for (size_t i = 0; m && i < m->cap; i++) {
                if (!m->entries[i].key)
                        continue;
                keys[k] = strdup(m->entries[i].key);
                if (!keys[k]) {
                        storvirt__strv_free(keys);
                        return storvirt__error_oom();
                }
                k++;
        }
        *ret_sorted_keys = storvirt__strv_sort(keys);
        return 0;
}
