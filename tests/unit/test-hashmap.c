/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-hashmap.c - the string-keyed hash map. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "util/hashmap.h"
#include "util/macro.h"
#include "util/strv.h"

#define N_BIG 200000u

/* Values freed through the map's free function record it here. */
struct counted {
        unsigned *n_freed;
        unsigned id;
};

static void counted_free(void *p) {
        struct counted *c = p;

        (*c->n_freed)++;
        free(c);
}

static struct counted *counted_new(unsigned *n_freed, unsigned id) {
        struct counted *c = malloc(sizeof(*c));

        assert_non_null(c);
        c->n_freed = n_freed;
        c->id = id;
        return c;
}

static void key_of(char *buf, size_t size, unsigned i) {
        snprintf(buf, size, "vol-%u.qcow2", i);
}

static void test_empty(void **state) {
        storvirt__hashmap *m = NULL;
        char **keys = NULL;
        size_t iter = 0;

        (void)state;
        assert_int_equal(storvirt__hashmap_new(&m, NULL), 0);
        assert_int_equal(storvirt__hashmap_size(m), 0);
        assert_null(storvirt__hashmap_get(m, "x"));
        assert_false(storvirt__hashmap_contains(m, "x"));
        assert_null(storvirt__hashmap_steal(m, "x"));
        assert_int_equal(storvirt__hashmap_remove(m, "x"), -ENOENT);
        assert_string_equal(storvirt__error_msg(), "key 'x' is not present");
        assert_false(storvirt__hashmap_iterate(m, &iter, NULL, NULL));
        assert_int_equal(storvirt__hashmap_keys(m, &keys), 0);
        assert_non_null(keys);
        assert_null(keys[0]);
        storvirt__strv_free(keys);
        storvirt__hashmap_free(m);

        /* NULL map: read-only calls see an empty map. */
        storvirt__hashmap_free(NULL);
        assert_int_equal(storvirt__hashmap_size(NULL), 0);
        assert_null(storvirt__hashmap_get(NULL, "x"));
        assert_false(storvirt__hashmap_contains(NULL, "x"));
        iter = 0;
        assert_false(storvirt__hashmap_iterate(NULL, &iter, NULL, NULL));
}

static void test_put_get_exists(void **state) {
        _cleanup_hashmap_free_ storvirt__hashmap *m = NULL;
        char key[] = "pool";
        int a = 1, b = 2;

        (void)state;
        assert_int_equal(storvirt__hashmap_new(&m, NULL), 0);
        assert_int_equal(storvirt__hashmap_put(m, key, &a), 0);
        /* The key was copied: changing the caller's buffer changes nothing. */
        key[0] = 'P';
        assert_ptr_equal(storvirt__hashmap_get(m, "pool"), &a);
        assert_null(storvirt__hashmap_get(m, "Pool"));
        assert_int_equal(storvirt__hashmap_put(m, "pool", &b), -EEXIST);
        assert_string_equal(storvirt__error_msg(), "key 'pool' is already present");
        assert_ptr_equal(storvirt__hashmap_get(m, "pool"), &a);
        assert_int_equal(storvirt__hashmap_size(m), 1);

        /* Empty keys and NULL values are ordinary entries. */
        assert_int_equal(storvirt__hashmap_put(m, "", NULL), 0);
        assert_true(storvirt__hashmap_contains(m, ""));
        assert_null(storvirt__hashmap_get(m, ""));
        assert_int_equal(storvirt__hashmap_size(m), 2);

        assert_int_equal(storvirt__hashmap_put(m, NULL, &a), -EINVAL);
        assert_int_equal(storvirt__hashmap_put(NULL, "k", &a), -EINVAL);
}

static void test_value_free_counts(void **state) {
        storvirt__hashmap *m = NULL;
        unsigned n_freed = 0;
        struct counted *c, *stolen, *dup;

        (void)state;
        assert_int_equal(storvirt__hashmap_new(&m, counted_free), 0);
        for (unsigned i = 0; i < 10; i++) {
                char key[32];

                key_of(key, sizeof(key), i);
                assert_int_equal(storvirt__hashmap_put(m, key, counted_new(&n_freed, i)), 0);
        }
        /* -EEXIST does not take (or free) the value. */
        dup = counted_new(&n_freed, 99);
        assert_int_equal(storvirt__hashmap_put(m, "vol-3.qcow2", dup), -EEXIST);
        assert_int_equal(n_freed, 0);
        counted_free(dup);
        n_freed = 0;

        assert_int_equal(storvirt__hashmap_remove(m, "vol-0.qcow2"), 0);
        assert_int_equal(n_freed, 1);
        stolen = storvirt__hashmap_steal(m, "vol-1.qcow2");
        assert_non_null(stolen);
        assert_int_equal(stolen->id, 1);
        assert_int_equal(n_freed, 1);
        assert_false(storvirt__hashmap_contains(m, "vol-1.qcow2"));
        assert_null(storvirt__hashmap_steal(m, "vol-1.qcow2"));
        free(stolen);

        /* replace frees the old value, keeps the count, and adds if absent. */
        c = counted_new(&n_freed, 102);
        assert_int_equal(storvirt__hashmap_replace(m, "vol-2.qcow2", c), 0);
        assert_int_equal(n_freed, 2);
        assert_ptr_equal(storvirt__hashmap_get(m, "vol-2.qcow2"), c);
        /* Replacing a value with itself must not free it. */
        assert_int_equal(storvirt__hashmap_replace(m, "vol-2.qcow2", c), 0);
        assert_int_equal(n_freed, 2);
        assert_int_equal(storvirt__hashmap_replace(m, "new", counted_new(&n_freed, 7)), 0);
        assert_int_equal(n_freed, 2);
        assert_int_equal(storvirt__hashmap_size(m), 9);

        storvirt__hashmap_free(m);
        assert_int_equal(n_freed, 2 + 9);
}

static void test_big(void **state) {
        storvirt__hashmap *m = NULL;
        unsigned n_freed = 0, *seen;
        const char *k;
        void *v;
        size_t iter = 0, n = 0;
        char key[32];

        (void)state;
        assert_int_equal(storvirt__hashmap_new(&m, counted_free), 0);
        for (unsigned i = 0; i < N_BIG; i++) {
                key_of(key, sizeof(key), i);
                assert_int_equal(storvirt__hashmap_put(m, key, counted_new(&n_freed, i)), 0);
        }
        assert_int_equal(storvirt__hashmap_size(m), N_BIG);
        for (unsigned i = 0; i < N_BIG; i++) {
                struct counted *c;

                key_of(key, sizeof(key), i);
                c = storvirt__hashmap_get(m, key);
                assert_non_null(c);
                assert_int_equal(c->id, i);
        }
        key_of(key, sizeof(key), N_BIG);
        assert_null(storvirt__hashmap_get(m, key));

        /* Every entry is visited exactly once, key matching value. */
        seen = calloc(N_BIG, sizeof(*seen));
        assert_non_null(seen);
        while (storvirt__hashmap_iterate(m, &iter, &k, &v)) {
                struct counted *c = v;

                assert_true(c->id < N_BIG);
                key_of(key, sizeof(key), c->id);
                assert_string_equal(k, key);
                seen[c->id]++;
                n++;
        }
        assert_int_equal(n, N_BIG);
        for (unsigned i = 0; i < N_BIG; i++)
                assert_int_equal(seen[i], 1);
        free(seen);

        /* Remove the even keys: odd ones must all survive the backward shifts. */
        for (unsigned i = 0; i < N_BIG; i += 2) {
                key_of(key, sizeof(key), i);
                assert_int_equal(storvirt__hashmap_remove(m, key), 0);
        }
        assert_int_equal(n_freed, N_BIG / 2);
        assert_int_equal(storvirt__hashmap_size(m), N_BIG / 2);
        for (unsigned i = 0; i < N_BIG; i++) {
                key_of(key, sizeof(key), i);
                assert_int_equal(storvirt__hashmap_contains(m, key), i % 2 == 1);
        }
        /* Remove the rest down to one entry (the table shrinks on the way). */
        for (unsigned i = 1; i < N_BIG - 1; i += 2) {
                key_of(key, sizeof(key), i);
                assert_int_equal(storvirt__hashmap_remove(m, key), 0);
        }
        assert_int_equal(storvirt__hashmap_size(m), 1);
        key_of(key, sizeof(key), N_BIG - 1);
        assert_true(storvirt__hashmap_contains(m, key));
        iter = 0;
        assert_true(storvirt__hashmap_iterate(m, &iter, &k, NULL));
        assert_string_equal(k, key);
        assert_false(storvirt__hashmap_iterate(m, &iter, &k, NULL));
        storvirt__hashmap_free(m);
        assert_int_equal(n_freed, N_BIG);
}

static void test_keys_sorted(void **state) {
        _cleanup_hashmap_free_ storvirt__hashmap *m = NULL;
        _cleanup_strv_free_ char **keys = NULL;
        static const char *const names[] = { "rbd", "dir", "logical", "iscsi", "Zfs", "disk", "fs" };

        (void)state;
        assert_int_equal(storvirt__hashmap_new(&m, NULL), 0);
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                assert_int_equal(storvirt__hashmap_put(m, names[i], NULL), 0);
        assert_int_equal(storvirt__hashmap_keys(m, &keys), 0);
        assert_int_equal(storvirt__strv_length(keys), ELEMENTSOF(names));
        assert_string_equal(keys[0], "Zfs");
        assert_string_equal(keys[1], "dir");
        assert_string_equal(keys[2], "disk");
        assert_string_equal(keys[3], "fs");
        assert_string_equal(keys[4], "iscsi");
        assert_string_equal(keys[5], "logical");
        assert_string_equal(keys[6], "rbd");
        assert_null(keys[7]);
}

/* Keys sharing long prefixes, lengths around the 8-byte hash block. */
static void test_similar_keys(void **state) {
        _cleanup_hashmap_free_ storvirt__hashmap *m = NULL;
        char key[40];

        (void)state;
        assert_int_equal(storvirt__hashmap_new(&m, NULL), 0);
        for (size_t len = 0; len < 24; len++) {
                memset(key, 'a', len);
                key[len] = '\0';
                assert_int_equal(storvirt__hashmap_put(m, key, (void *)(uintptr_t)(len + 1)), 0);
        }
        for (size_t len = 0; len < 24; len++) {
                memset(key, 'a', len);
                key[len] = '\0';
                assert_int_equal((uintptr_t)storvirt__hashmap_get(m, key), len + 1);
        }
        assert_int_equal(storvirt__hashmap_size(m), 24);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_empty),
                cmocka_unit_test(test_put_get_exists),
                cmocka_unit_test(test_value_free_counts),
                cmocka_unit_test(test_big),
                cmocka_unit_test(test_keys_sorted),
                cmocka_unit_test(test_similar_keys),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
