/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-vol-list.c - the saved volume list of a directory: every field of
 * a record comes back as it was saved, names and values with spaces,
 * commas, '%' and control bytes included; the list is refused for a
 * directory with another identity or other times, for times too close
 * to the reading, for another target, when it is cut short, damaged or
 * of another format; a volume whose index entry changed since is handed
 * back to be read again; the timestamp granularity allowed for.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <storvirt.h>

#include "objects/records.h"
#include "objects/vol_index.h"
#include "objects/vol_list.h"
#include "util/fileio.h"
#include "util/strv.h"

#define NSEC 1000000000LL
#define TARGET "/srv/images/pool one"

struct fixture {
        char dir[128];
        storvirt_ctx *ctx;
};

static int setup(void **state) {
        struct fixture *f = calloc(1, sizeof(*f));

        assert_non_null(f);
        snprintf(f->dir, sizeof(f->dir), "/tmp/storvirt-test-vol-list-XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        assert_int_equal(storvirt_ctx_new(&f->ctx, STORVIRT_CTX_NEW_IGNORE_ENV), 0);
        assert_int_equal(storvirt_ctx_set_state_dir(f->ctx, f->dir, 0), 0);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fixture *f = *state;
        char cmd[200];

        storvirt_ctx_unref(f->ctx);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
        assert_int_equal(system(cmd), 0);
        free(f);
        return 0;
}

static const storvirt__dir_stamp dir_then = {
        .dev = 2049, .ino = 131074, .mtime_ns = 1700000000 * NSEC + 123456789,
        .ctime_ns = 1700000000 * NSEC + 223456789,
};
static const int64_t read_at = 1700000100 * NSEC;

/* A record with every field set, the strings awkward. */
static storvirt__vol_rec *full_rec(void) {
        storvirt__vol_rec *v = storvirt__vol_rec_new("a b,c%d", TARGET "/a b,c%d",
                                                     TARGET "/a b,c%d");

        assert_non_null(v);
        v->ino = 99;
        v->dev = 2049;
        v->ctime_ns = -5;       /* before the epoch */
        v->type = STORVIRT_VOLUME_TYPE_FILE;
        v->mode = 0640;
        v->owner = 107;
        v->group = 36;
        v->physical = 1u << 30;
        v->allocation = 4096;
        v->capacity = 10ull << 30;
        strcpy(v->format, "qcow2");
        v->recorded = true;
        strcpy(v->index_encryption, "luks");
        strcpy(v->index_secret, "5b2a3c1e-3a43-4c36-9e87-0a3e7dd0bcd1");
        strcpy(v->probed_format, "-");
        strcpy(v->compat, "1.1");
        v->lazy_refcounts = v->extended_l2 = true;
        v->cluster_bits = 16;
        v->backing_path = strdup("../base dir/b,1.raw");
        strcpy(v->backing_format, "raw");
        strcpy(v->encryption, "luks");
        strcpy(v->secret, "5b2a3c1e-3a43-4c36-9e87-0a3e7dd0bcd1");
        v->cipher = (storvirt__img_cipher){ "aes", 256, "xts", "sha256", "plain64", "" };
        v->problem = strdup("a problem: 100% bad,\nsaid on two lines");
        assert_non_null(v->backing_path);
        assert_non_null(v->problem);
        return v;
}

static storvirt__vol_rec *plain_rec(const char *name) {
        char path[256];
        storvirt__vol_rec *v;

        snprintf(path, sizeof(path), TARGET "/%s", name);
        v = storvirt__vol_rec_new(name, path, path);
        assert_non_null(v);
        v->ino = 1000 + (uint64_t)strlen(name);
        v->dev = 2049;
        v->ctime_ns = 1600000000 * NSEC;
        strcpy(v->format, "raw");
        v->physical = v->capacity = 1 << 20;
        return v;
}

static storvirt__hashmap *index_of(const storvirt__vol_rec *v) {
        storvirt__hashmap *m = NULL;
        storvirt__vol_index_entry *e = calloc(1, sizeof(*e));

        assert_non_null(e);
        assert_int_equal(storvirt__hashmap_new(&m, free), 0);
        strcpy(e->format, v->format);
        e->ino = v->ino;
        strcpy(e->encryption, v->index_encryption);
        strcpy(e->secret, v->index_secret);
        assert_int_equal(storvirt__hashmap_put(m, v->name, e), 0);
        return m;
}

static void assert_same(const storvirt__vol_rec *a, const storvirt__vol_rec *b) {
        assert_string_equal(a->name, b->name);
        assert_string_equal(a->path, b->path);
        assert_string_equal(a->key, b->key);
        assert_true(a->ino == b->ino && a->dev == b->dev && a->ctime_ns == b->ctime_ns);
        assert_true(a->type == b->type && a->mode == b->mode && a->owner == b->owner &&
                    a->group == b->group);
        assert_true(a->physical == b->physical && a->allocation == b->allocation &&
                    a->capacity == b->capacity);
        assert_string_equal(a->format, b->format);
        assert_int_equal(a->recorded, b->recorded);
        assert_string_equal(a->index_encryption, b->index_encryption);
        assert_string_equal(a->index_secret, b->index_secret);
        assert_string_equal(a->probed_format, b->probed_format);
        assert_string_equal(a->compat, b->compat);
        assert_true(a->lazy_refcounts == b->lazy_refcounts && a->extended_l2 == b->extended_l2);
        assert_int_equal(a->cluster_bits, b->cluster_bits);
        assert_true((a->backing_path == NULL) == (b->backing_path == NULL));
        if (a->backing_path)
                assert_string_equal(a->backing_path, b->backing_path);
        assert_string_equal(a->backing_format, b->backing_format);
        assert_string_equal(a->encryption, b->encryption);
        assert_string_equal(a->secret, b->secret);
        assert_memory_equal(&a->cipher, &b->cipher, sizeof(a->cipher));
        assert_true((a->problem == NULL) == (b->problem == NULL));
        if (a->problem)
                assert_string_equal(a->problem, b->problem);
}

static void test_round_trip(void **state) {
        struct fixture *f = *state;
        storvirt__vol_rec *recs[3] = { full_rec(), plain_rec("-"), plain_rec("x=y") };
        storvirt__hashmap *index = index_of(recs[0]);
        storvirt__vol_list l = {};

        assert_int_equal(storvirt__vol_list_save(f->ctx, TARGET "/", &dir_then, read_at, recs, 3),
                         0);
        /* the target as saved, trailing slash and all */
        assert_int_equal(storvirt__vol_list_load(f->ctx, TARGET "/", &dir_then, index, &l), 0);
        assert_int_equal(l.n, 3);
        assert_null(l.stale[0]);
        for (size_t i = 0; i < 3; i++) {
                assert_same(l.recs[i], recs[i]);
                assert_true(l.recs[i]->read_at_ns == read_at);
        }
        storvirt__vol_list_clear(&l);
        /* the list of another directory is not this one's */
        assert_int_equal(storvirt__vol_list_load(f->ctx, "/srv/other", &dir_then, index, &l),
                         -ENOENT);
        storvirt__hashmap_free(index);
        for (size_t i = 0; i < 3; i++)
                storvirt__vol_rec_unref(recs[i]);
}

/*
 * Thousands of volumes: the loaded records are made in one block, which
 * outlives the loading; each record keeps it, and the last one frees it
 * (leaks and reads after free are for valgrind and ASan to see).
 */
static void test_large_list(void **state) {
        struct fixture *f = *state;
        size_t n = STORVIRT__VOL_REC_BLOCK_MIN + 100;
        storvirt__vol_rec **recs = calloc(n, sizeof(*recs));
        storvirt__hashmap *index = NULL;
        storvirt__vol_rec *kept;
        storvirt__vol_list l = {};
        char name[64];

        assert_non_null(recs);
        assert_int_equal(storvirt__hashmap_new(&index, free), 0);
        for (size_t i = 0; i < n; i++) {
                snprintf(name, sizeof(name), "volume-with-a-longer-name-%06zu.raw", i);
                recs[i] = plain_rec(name);
        }
        recs[7]->backing_path = strdup("/srv/images/base.raw");
        assert_int_equal(storvirt__vol_list_save(f->ctx, TARGET, &dir_then, read_at, recs, n), 0);
        assert_int_equal(storvirt__vol_list_load(f->ctx, TARGET, &dir_then, index, &l), 0);
        assert_int_equal(l.n, n);
        for (size_t i = 0; i < n; i++)
                assert_same(l.recs[i], recs[i]);
        assert_non_null(l.recs[0]->block);
        assert_ptr_equal(l.recs[n - 1]->block, l.recs[0]->block);
        kept = storvirt__vol_rec_ref(l.recs[n / 2]);
        storvirt__vol_list_clear(&l);
        /* the block is still there for the record kept */
        assert_same(kept, recs[n / 2]);
        storvirt__vol_rec_unref(kept);
        for (size_t i = 0; i < n; i++)
                storvirt__vol_rec_unref(recs[i]);
        free(recs);
        storvirt__hashmap_free(index);
}

/* A block has room for what it was made for; past that, records are malloc'd alone. */
static void test_rec_block(void **state) {
        storvirt__vol_rec_block *b;
        storvirt__vol_rec *first, *more[2];

        (void)state;
        assert_null(storvirt__vol_rec_block_new(STORVIRT__VOL_REC_BLOCK_MIN - 1, 1 << 20));
        assert_null(storvirt__vol_rec_block_new(STORVIRT__VOL_REC_BLOCK_MIN, SIZE_MAX / 2));
        b = storvirt__vol_rec_block_new(STORVIRT__VOL_REC_BLOCK_MIN, 0);
        assert_non_null(b);
        first = storvirt__vol_rec_new_in(b, "a", "a", "/a");
        assert_ptr_equal(first->block, b);
        assert_string_equal(first->name, "a");
        assert_string_equal(first->path, "/a");
        assert_string_equal(first->key, "a");
        /* room for at least the records asked for: then one alone */
        for (size_t i = 1, alone = 0; alone < 2; i++) {
                storvirt__vol_rec *r = storvirt__vol_rec_new_in(b, "b", "/b", "/b");

                assert_non_null(r);
                assert_string_equal(r->path, "/b");
                if (r->block) {
                        storvirt__vol_rec_unref(r);
                        continue;
                }
                assert_true(i >= STORVIRT__VOL_REC_BLOCK_MIN);
                more[alone++] = r;
        }
        storvirt__vol_rec_block_unref(b);
        assert_string_equal(first->name, "a");
        storvirt__vol_rec_unref(first);
        storvirt__vol_rec_unref(more[0]);
        storvirt__vol_rec_unref(more[1]);
}

static void test_directory_changed(void **state) {
        struct fixture *f = *state;
        storvirt__vol_rec *rec = plain_rec("v.raw");
        storvirt__hashmap *index = NULL;
        storvirt__vol_list l = {};
        storvirt__dir_stamp d;

        assert_int_equal(storvirt__hashmap_new(&index, free), 0);
        assert_int_equal(storvirt__vol_list_save(f->ctx, TARGET, &dir_then, read_at, &rec, 1), 0);
        assert_int_equal(storvirt__vol_list_load(f->ctx, TARGET, &dir_then, index, &l), 0);
        storvirt__vol_list_clear(&l);
        d = dir_then, d.dev++;
        assert_int_equal(storvirt__vol_list_load(f->ctx, TARGET, &d, index, &l), -ESTALE);
        d = dir_then, d.ino++;
        assert_int_equal(storvirt__vol_list_load(f->ctx, TARGET, &d, index, &l), -ESTALE);
        d = dir_then, d.mtime_ns++;
        assert_int_equal(storvirt__vol_list_load(f->ctx, TARGET, &d, index, &l), -ESTALE);
        d = dir_then, d.ctime_ns++;
        assert_int_equal(storvirt__vol_list_load(f->ctx, TARGET, &d, index, &l), -ESTALE);
        assert_non_null(strstr(storvirt_error_message(), "changed since"));
        /* read in the same second as the directory's last change: never trusted */
        assert_int_equal(storvirt__vol_list_save(f->ctx, TARGET, &dir_then,
                                                 dir_then.ctime_ns + NSEC / 2, &rec, 1), 0);
        assert_int_equal(storvirt__vol_list_load(f->ctx, TARGET, &dir_then, index, &l), -ESTALE);
        assert_non_null(strstr(storvirt_error_message(), "too close"));
        storvirt__hashmap_free(index);
        storvirt__vol_rec_unref(rec);
}

static void test_index_changed(void **state) {
        struct fixture *f = *state;
        storvirt__vol_rec *recs[3] = { plain_rec("probed.raw"), plain_rec("recorded.qcow2"),
                                       plain_rec("same.raw") };
        storvirt__hashmap *index;
        storvirt__vol_index_entry *e;
        storvirt__vol_list l = {};

        recs[1]->recorded = true;
        strcpy(recs[1]->format, "qcow2");
        index = index_of(recs[1]);
        assert_int_equal(storvirt__vol_list_save(f->ctx, TARGET, &dir_then, read_at, recs, 3), 0);
        /* probed.raw recorded since (as qcow2); recorded.qcow2 recorded again as raw */
        e = calloc(1, sizeof(*e));
        assert_non_null(e);
        strcpy(e->format, "qcow2");
        e->ino = recs[0]->ino;
        assert_int_equal(storvirt__hashmap_put(index, "probed.raw", e), 0);
        e = storvirt__hashmap_get(index, "recorded.qcow2");
        strcpy(e->format, "raw");
        assert_int_equal(storvirt__vol_list_load(f->ctx, TARGET, &dir_then, index, &l), 0);
        assert_int_equal(l.n, 1);
        assert_string_equal(l.recs[0]->name, "same.raw");
        assert_int_equal(storvirt__strv_length(l.stale), 2);
        assert_true(storvirt__strv_contains(l.stale, "probed.raw"));
        assert_true(storvirt__strv_contains(l.stale, "recorded.qcow2"));
        storvirt__vol_list_clear(&l);
        /* the encryption the volume was recorded with, changed */
        strcpy(e->format, "qcow2");
        strcpy(e->encryption, "luks");
        assert_int_equal(storvirt__hashmap_remove(index, "probed.raw"), 0);
        assert_int_equal(storvirt__vol_list_load(f->ctx, TARGET, &dir_then, index, &l), 0);
        assert_int_equal(l.n, 2);
        assert_int_equal(storvirt__strv_length(l.stale), 1);
        assert_string_equal(l.stale[0], "recorded.qcow2");
        storvirt__vol_list_clear(&l);
        storvirt__hashmap_free(index);
        for (size_t i = 0; i < 3; i++)
                storvirt__vol_rec_unref(recs[i]);
}

/* The saved file's path in the state directory. */
static void list_path(struct fixture *f, const char *target, char *buf, size_t size) {
        char name[64];

        storvirt__vol_index_file_name(target, ".list", name);
        snprintf(buf, size, "%s/volumes/%s", f->dir, name);
}

static void rewrite(const char *path, const char *text, size_t len) {
        int fd = open(path, O_WRONLY | O_TRUNC);

        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, len), (ssize_t)len);
        close(fd);
}

static void test_damaged(void **state) {
        struct fixture *f = *state;
        storvirt__vol_rec *recs[2] = { plain_rec("one.raw"), plain_rec("two.raw") };
        storvirt__hashmap *index = NULL;
        storvirt__vol_list l = {};
        char path[256], *text = NULL, *copy;
        size_t len = 0;

        assert_int_equal(storvirt__hashmap_new(&index, free), 0);
        assert_int_equal(storvirt__vol_list_save(f->ctx, TARGET, &dir_then, read_at, recs, 2), 0);
        list_path(f, TARGET, path, sizeof(path));
        assert_int_equal(storvirt__file_read_all(AT_FDCWD, path, 1 << 20, &text, &len), 0);
        copy = strdup(text);
        assert_non_null(copy);
        /* every cut, and every byte changed, is refused */
        for (size_t cut = 0; cut < len; cut++) {
                rewrite(path, text, cut);
                assert_int_equal(storvirt__vol_list_load(f->ctx, TARGET, &dir_then, index, &l),
                                 -EINVAL);
        }
        for (size_t i = 0; i < len; i++) {
                memcpy(copy, text, len);
                copy[i] ^= (char)0x01;
                rewrite(path, copy, len);
                int r = storvirt__vol_list_load(f->ctx, TARGET, &dir_then, index, &l);
                if (r == 0)
                        fail_msg("byte %zu changed ('%c'): list still believed", i, text[i]);
        }
        /* whole again: believed */
        rewrite(path, text, len);
        assert_int_equal(storvirt__vol_list_load(f->ctx, TARGET, &dir_then, index, &l), 0);
        assert_int_equal(l.n, 2);
        storvirt__vol_list_clear(&l);
        free(copy);
        free(text);
        storvirt__hashmap_free(index);
        storvirt__vol_rec_unref(recs[0]);
        storvirt__vol_rec_unref(recs[1]);
}

static void test_settled(void **state) {
        (void)state;
        /* nanosecond times: one second of granularity allowed for */
        assert_false(storvirt__stamp_settled(10 * NSEC + 1, 10 * NSEC + 2));
        assert_false(storvirt__stamp_settled(10 * NSEC + 1, 11 * NSEC + 1));
        assert_true(storvirt__stamp_settled(10 * NSEC + 1, 11 * NSEC + 2));
        /* whole seconds (a filesystem with no finer times, FAT's two seconds) */
        assert_false(storvirt__stamp_settled(10 * NSEC, 11 * NSEC + 5));
        assert_false(storvirt__stamp_settled(10 * NSEC, 12 * NSEC));
        assert_true(storvirt__stamp_settled(10 * NSEC, 12 * NSEC + 1));
        /* a clock set back: the reading looks older than the change */
        assert_false(storvirt__stamp_settled(20 * NSEC + 1, 10 * NSEC));
        assert_false(storvirt__stamp_settled(1, INT64_MIN));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
                cmocka_unit_test_setup_teardown(test_large_list, setup, teardown),
                cmocka_unit_test(test_rec_block),
                cmocka_unit_test_setup_teardown(test_directory_changed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_index_changed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_damaged, setup, teardown),
                cmocka_unit_test(test_settled),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
