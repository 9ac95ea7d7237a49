/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-records.c - the state directory's JSON records: read, write,
 * update, remove, list; a corrupted record named in its error while the
 * others load; a writer SIGKILLed at random points, many times, never
 * leaves a record that does not load or is neither the old nor the new
 * version; 8 threads x 1,000 mixed operations on one context and two
 * processes on one state directory lose no update; a record that is a
 * symbolic link or belongs to another user is refused, naming the file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <storvirt.h>

#include "objects/records.h"
#include "objects/vol_index.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/strv.h"

#define KIND "tests"

struct fixture {
        char dir[128];
        storvirt_ctx *ctx;
};

static storvirt_ctx *new_ctx(const char *dir) {
        storvirt_ctx *ctx = NULL;

        assert_int_equal(storvirt_ctx_new(&ctx, STORVIRT_CTX_NEW_IGNORE_ENV), 0);
        assert_int_equal(storvirt_ctx_set_state_dir(ctx, dir, 0), 0);
        return ctx;
}

static int setup(void **state) {
        struct fixture *f = calloc(1, sizeof(*f));
        /* tmpfs when there is one: these tests count updates, not fsyncs. */
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

        assert_non_null(f);
        snprintf(f->dir, sizeof(f->dir), "%s/storvirt-test-records-XXXXXX", base);
        assert_non_null(mkdtemp(f->dir));
        f->ctx = new_ctx(f->dir);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fixture *f = *state;
        char cmd[256];

        storvirt_ctx_unref(f->ctx);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
        assert_int_equal(system(cmd), 0);
        free(f);
        return 0;
}

/* A record whose body repeats its generation, so a torn write shows. */
static char *make_record(long gen) {
        char *s = malloc(4096);
        size_t off;

        assert_non_null(s);
        off = (size_t)snprintf(s, 4096, "{\"gen\": %ld, \"pad\": \"", gen);
        for (int i = 0; i < 300; i++)
                off += (size_t)snprintf(s + off, 4096 - off, "%ld.", gen % 1000);
        snprintf(s + off, 4096 - off, "\"}");
        return s;
}

/* The generation of a record checked against its body; -1 when inconsistent. */
static long check_record(yajl_val v) {
        int64_t gen = -1;
        const char *pad = NULL;
        char *want;
        long ok;

        assert_int_equal(storvirt__json_get_int64(v, "gen", true, 0, &gen), 1);
        assert_int_equal(storvirt__json_get_string(v, "pad", true, &pad), 1);
        want = make_record(gen);
        ok = strstr(want, pad) ? gen : -1;
        free(want);
        return ok;
}

static int bump_fn(yajl_val old, const char *old_text, char **ret_text, void *userdata) {
        int64_t gen = 0;

        (void)old_text;
        (void)userdata;
        if (old && check_record(old) < 0)
                return -EBADMSG;
        if (old)
                assert_int_equal(storvirt__json_get_int64(old, "gen", true, 0, &gen), 1);
        *ret_text = make_record(gen + 1);
        return 0;
}

static int remove_fn(yajl_val old, const char *old_text, char **ret_text, void *userdata) {
        (void)old;
        (void)old_text;
        (void)ret_text;
        (void)userdata;
        return 1;
}

static int keep_fn(yajl_val old, const char *old_text, char **ret_text, void *userdata) {
        (void)old;
        (void)old_text;
        (void)ret_text;
        (void)userdata;
        return 2;
}

static long read_gen(storvirt_ctx *ctx, const char *id) {
        yajl_val v = NULL;
        long gen;
        int r;

        r = storvirt__record_read(ctx, KIND, id, false, &v, NULL);
        if (r < 0)
                fail_msg("record %s: %d %s", id, r, storvirt_error_message());
        gen = check_record(v);
        storvirt__json_free(v);
        return gen;
}

static void test_basic(void **state) {
        struct fixture *f = *state;
        _cleanup_strv_free_ char **ids = NULL;
        const char *dir = NULL;
        char path[256], *text = NULL;
        yajl_val v = NULL;
        struct stat st;

        assert_int_equal(storvirt__records_list(f->ctx, KIND, &ids), 0);
        assert_int_equal(storvirt__strv_length(ids), 0);
        storvirt__strv_free(ids);
        ids = NULL;

        assert_int_equal(storvirt__record_read(f->ctx, KIND, "a", false, &v, NULL), -ENOENT);
        assert_non_null(strstr(storvirt_error_message(), "'a'"));
        assert_int_equal(storvirt__record_update(f->ctx, KIND, "b", false, bump_fn, NULL), 0);
        assert_int_equal(storvirt__record_update(f->ctx, KIND, "a", false, bump_fn, NULL), 0);
        assert_int_equal(storvirt__record_update(f->ctx, KIND, "a", false, bump_fn, NULL), 0);
        assert_int_equal(read_gen(f->ctx, "a"), 2);
        assert_int_equal(read_gen(f->ctx, "b"), 1);
        /* 2: unchanged. */
        assert_int_equal(storvirt__record_update(f->ctx, KIND, "a", false, keep_fn, NULL), 2);
        assert_int_equal(read_gen(f->ctx, "a"), 2);

        /* Records are private to the owner; raw text is returned on request. */
        assert_int_equal(storvirt_ctx_get_state_dir(f->ctx, &dir), 0);
        snprintf(path, sizeof(path), "%s/" KIND "/a.json", dir);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
        snprintf(path, sizeof(path), "%s/" KIND, dir);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0700);
        assert_int_equal(storvirt__record_read(f->ctx, KIND, "a", false, &v, &text), 0);
        assert_non_null(strstr(text, "\"gen\": 2"));
        free(text);
        storvirt__json_free(v);

        /* Hidden, temporary and foreign files are not records. */
        snprintf(path, sizeof(path), "%s/" KIND "/.a.json.Xy12ab", dir);
        assert_int_equal(close(open(path, O_CREAT | O_WRONLY, 0600)), 0);
        snprintf(path, sizeof(path), "%s/" KIND "/notes.txt", dir);
        assert_int_equal(close(open(path, O_CREAT | O_WRONLY, 0600)), 0);
        assert_int_equal(storvirt__records_list(f->ctx, KIND, &ids), 0);
        assert_int_equal(storvirt__strv_length(ids), 2);
        assert_string_equal(ids[0], "a");
        assert_string_equal(ids[1], "b");
        /* A reader removes what a killed writer left, no writer being at work. */
        snprintf(path, sizeof(path), "%s/" KIND "/.a.json.Xy12ab", dir);
        assert_int_equal(access(path, F_OK), -1);
        snprintf(path, sizeof(path), "%s/" KIND "/notes.txt", dir);
        assert_int_equal(access(path, F_OK), 0);
        /* ... but not while a writer holds the lock. */
        {
                _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;
                char **ids2 = NULL;

                assert_int_equal(storvirt__records_lock(f->ctx, KIND, STORVIRT__LOCK_EXCLUSIVE,
                                                        &lock), 0);
                snprintf(path, sizeof(path), "%s/" KIND "/.b.json.Zz34cd", dir);
                assert_int_equal(close(open(path, O_CREAT | O_WRONLY, 0600)), 0);
                assert_int_equal(storvirt__records_list(f->ctx, KIND, &ids2), 0);
                assert_int_equal(storvirt__strv_length(ids2), 2);
                storvirt__strv_free(ids2);
                assert_int_equal(access(path, F_OK), 0);
        }

        /* A kind that is read, not listed, tidied on its own. */
        snprintf(path, sizeof(path), "%s/" KIND "/.index.json.Qq56ef", dir);
        assert_int_equal(close(open(path, O_CREAT | O_WRONLY, 0600)), 0);
        storvirt__records_tidy(f->ctx, KIND);
        assert_int_equal(access(path, F_OK), -1);
        snprintf(path, sizeof(path), "%s/" KIND "/.b.json.Zz34cd", dir);
        assert_int_equal(access(path, F_OK), -1);

        /* Removal through update and directly. */
        assert_int_equal(storvirt__record_update(f->ctx, KIND, "a", false, remove_fn, NULL), 1);
        assert_int_equal(storvirt__record_read(f->ctx, KIND, "a", false, &v, NULL), -ENOENT);
        assert_int_equal(storvirt__record_remove(f->ctx, KIND, "b"), 0);
        assert_int_equal(storvirt__record_remove(f->ctx, KIND, "b"), -ENOENT);

        /* Ids that are not plain names. */
        assert_int_equal(storvirt__record_read(f->ctx, KIND, "../x", false, &v, NULL), -EINVAL);
        assert_int_equal(storvirt__record_read(f->ctx, KIND, ".hidden", false, &v, NULL), -EINVAL);
        assert_int_equal(storvirt__record_write(f->ctx, KIND, "", "{}", 2), -EINVAL);
        assert_int_equal(storvirt__record_write(f->ctx, "../up", "x", "{}", 2), -EINVAL);
}

static void test_corrupted(void **state) {
        struct fixture *f = *state;
        _cleanup_strv_free_ char **ids = NULL;
        const char *dir = NULL;
        char path[256];
        yajl_val v = NULL;
        FILE *fp;

        for (const char *const *id = (const char *const[]){ "one", "two", "three", NULL }; *id; id++)
                assert_int_equal(storvirt__record_update(f->ctx, KIND, *id, false, bump_fn, NULL), 0);
        assert_int_equal(storvirt_ctx_get_state_dir(f->ctx, &dir), 0);
        snprintf(path, sizeof(path), "%s/" KIND "/two.json", dir);
        fp = fopen(path, "w");
        assert_non_null(fp);
        fputs("{\"gen\": 1, \"pad\": \"1.1.1", fp);   /* cut short */
        fclose(fp);

        assert_int_equal(storvirt__record_read(f->ctx, KIND, "two", false, &v, NULL), -EINVAL);
        assert_non_null(strstr(storvirt_error_message(), path));
        assert_non_null(strstr(storvirt_error_message(), "line 1"));
        /* An update refuses to build on it, and leaves it for inspection. */
        assert_int_equal(storvirt__record_update(f->ctx, KIND, "two", false, bump_fn, NULL), -EINVAL);
        assert_non_null(strstr(storvirt_error_message(), path));
        assert_int_equal(read_gen(f->ctx, "one"), 1);
        assert_int_equal(read_gen(f->ctx, "three"), 1);
        assert_int_equal(storvirt__records_list(f->ctx, KIND, &ids), 0);
        assert_int_equal(storvirt__strv_length(ids), 3);

        /* Valid JSON that is not an object. */
        fp = fopen(path, "w");
        assert_non_null(fp);
        fputs("[1, 2]", fp);
        fclose(fp);
        assert_int_equal(storvirt__record_read(f->ctx, KIND, "two", false, &v, NULL), -EINVAL);
        assert_non_null(strstr(storvirt_error_message(), path));
}

static int count_files(storvirt_ctx *ctx) {
        const char *dir = NULL;
        char path[256];
        struct dirent *de;
        int n = 0;
        DIR *d;

        assert_int_equal(storvirt_ctx_get_state_dir(ctx, &dir), 0);
        snprintf(path, sizeof(path), "%s/" KIND, dir);
        d = opendir(path);
        assert_non_null(d);
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
                        n++;
        closedir(d);
        return n;
}

/*
 * A child doing 1,000 updates is killed at a random moment; every time,
 * the record loads, is consistent, and its generation never goes back.
 */
static void test_sigkill(void **state) {
        struct fixture *f = *state;
        long last = 0, gen;
        unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
        int killed_mid = 0;

        srand(seed);
        print_message("seed %u\n", seed);
        for (int round = 0; round < 40; round++) {
                pid_t pid = fork();
                int status;

                assert_true(pid >= 0);
                if (pid == 0) {
                        storvirt_ctx *ctx = new_ctx(f->dir);

                        for (int i = 0; i < 1000; i++)
                                if (storvirt__record_update(ctx, KIND, "victim", false, bump_fn,
                                                            NULL) < 0)
                                        _exit(2);
                        _exit(0);
                }
                usleep((useconds_t)(rand() % 30000));
                kill(pid, SIGKILL);
                assert_int_equal(waitpid(pid, &status, 0), pid);
                if (WIFSIGNALED(status))
                        killed_mid++;
                else
                        assert_int_equal(WEXITSTATUS(status), 0);
                if (last == 0) {
                        yajl_val v = NULL;
                        int r = storvirt__record_read(f->ctx, KIND, "victim", false, &v, NULL);

                        if (r == -ENOENT)       /* killed before the first write */
                                continue;
                        assert_int_equal(r, 0);
                        storvirt__json_free(v);
                }
                gen = read_gen(f->ctx, "victim");
                assert_true(gen >= 0);
                assert_true(gen >= last);
                last = gen;
        }
        print_message("%d of 40 writers killed mid-run, %ld updates survived\n", killed_mid, last);
        assert_true(killed_mid > 0);
        /* The record is still usable by a writer, which sweeps the
         * temporary files the killed writers left. */
        assert_int_equal(storvirt__record_update(f->ctx, KIND, "victim", false, bump_fn, NULL), 0);
        assert_int_equal(read_gen(f->ctx, "victim"), last + 1);
        assert_int_equal(count_files(f->ctx), 2);       /* .lock and victim.json */
}

#define N_THREADS 8
#define N_OPS 1000

struct worker {
        storvirt_ctx *ctx;
        int n;
        long bumps;
        int errors;
};

static void *worker_main(void *arg) {
        struct worker *w = arg;
        char own[32];
        unsigned seed = (unsigned)w->n * 7919u + 1u;

        snprintf(own, sizeof(own), "own-%d", w->n);
        for (int i = 0; i < N_OPS; i++) {
                yajl_val v = NULL;
                char **ids = NULL;

                switch (rand_r(&seed) % 5) {
                case 0:
                case 1:
                        if (storvirt__record_update(w->ctx, KIND, "counter", false, bump_fn, NULL) < 0)
                                w->errors++;
                        else
                                w->bumps++;
                        break;
                case 2:
                        if (storvirt__record_update(w->ctx, KIND, own, false, bump_fn, NULL) < 0)
                                w->errors++;
                        break;
                case 3:
                        if (storvirt__record_read(w->ctx, KIND, "counter", false, &v, NULL) == 0) {
                                if (check_record(v) < 0)
                                        w->errors++;
                                storvirt__json_free(v);
                        }
                        break;
                default:
                        if (storvirt__records_list(w->ctx, KIND, &ids) < 0)
                                w->errors++;
                        storvirt__strv_free(ids);
                        break;
                }
        }
        return NULL;
}

static void test_threads(void **state) {
        struct fixture *f = *state;
        struct worker w[N_THREADS];
        pthread_t t[N_THREADS];
        long total = 0;

        for (int i = 0; i < N_THREADS; i++) {
                w[i] = (struct worker){ .ctx = f->ctx, .n = i };
                assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
        }
        for (int i = 0; i < N_THREADS; i++) {
                assert_int_equal(pthread_join(t[i], NULL), 0);
                assert_int_equal(w[i].errors, 0);
                total += w[i].bumps;
        }
        assert_true(total > 0);
        assert_int_equal(read_gen(f->ctx, "counter"), total);
}

static void test_processes(void **state) {
        struct fixture *f = *state;
        pid_t pid[2];

        for (int p = 0; p < 2; p++) {
                pid[p] = fork();
                assert_true(pid[p] >= 0);
                if (pid[p] == 0) {
                        storvirt_ctx *ctx = new_ctx(f->dir);

                        for (int i = 0; i < N_OPS; i++)
                                if (storvirt__record_update(ctx, KIND, "shared", false, bump_fn,
                                                            NULL) < 0)
                                        _exit(2);
                        storvirt_ctx_unref(ctx);
                        _exit(0);
                }
        }
        for (int p = 0; p < 2; p++) {
                int status;

                assert_int_equal(waitpid(pid[p], &status, 0), pid[p]);
                assert_true(WIFEXITED(status));
                assert_int_equal(WEXITSTATUS(status), 0);
        }
        assert_int_equal(read_gen(f->ctx, "shared"), 2 * N_OPS);
}

static void test_state_uuid(void **state) {
        struct fixture *f = *state;
        char a[37], b[37];
        storvirt_ctx *other;

        assert_int_equal(storvirt__state_uuid(f->ctx, a), 0);
        assert_int_equal(strlen(a), 36);
        other = new_ctx(f->dir);
        assert_int_equal(storvirt__state_uuid(other, b), 0);
        assert_string_equal(a, b);
        storvirt_ctx_unref(other);
}

/* Records are regular files of ours: a symlink or another user's file is refused. */
static void test_foreign_records_refused(void **state) {
        struct fixture *f = *state;
        const char *dir = NULL;
        char path[256], link[256];
        yajl_val v = NULL;

        assert_int_equal(storvirt__record_update(f->ctx, KIND, "mine", false, bump_fn, NULL), 0);
        assert_int_equal(storvirt_ctx_get_state_dir(f->ctx, &dir), 0);
        snprintf(path, sizeof(path), "%s/" KIND "/mine.json", dir);
        snprintf(link, sizeof(link), "%s/" KIND "/link.json", dir);
        assert_int_equal(symlink(path, link), 0);
        assert_int_equal(storvirt__record_read(f->ctx, KIND, "link", false, &v, NULL), -EINVAL);
        assert_non_null(strstr(storvirt_error_message(), link));
        assert_non_null(strstr(storvirt_error_message(), "symbolic link"));
        if (geteuid() != 0)
                skip(); /* giving a file away needs root */
        assert_int_equal(chown(path, 65534, 65534), 0);
        assert_int_equal(storvirt__record_read(f->ctx, KIND, "mine", false, &v, NULL), -EPERM);
        assert_non_null(strstr(storvirt_error_message(), path));
        assert_non_null(strstr(storvirt_error_message(), "owned by uid 65534, not 0"));
        /* An update does not build on it either. */
        assert_int_equal(storvirt__record_update(f->ctx, KIND, "mine", false, bump_fn, NULL),
                         -EPERM);
}

/*
 * The volume index: plain entries keep the version 1 file an older
 * release reads; an encrypted entry writes version 2, with the
 * encryption and the secret, and both read back; bad fields are refused.
 */
static void test_vol_index_encryption(void **state) {
        struct fixture *f = *state;
        storvirt__vol_index_entry e = { .format = "raw", .ino = 7, .encryption = "luks",
                                        .secret = "0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f" };
        storvirt__hashmap *m = NULL;
        const storvirt__vol_index_entry *got;
        char path[512], *text = NULL;
        size_t len = 0;
        int dfd;

        assert_int_equal(storvirt__vol_index_set(f->ctx, "/srv/p", "plain.img", "qcow2", 5), 0);
        dfd = open(f->dir, O_RDONLY | O_DIRECTORY);
        assert_true(dfd >= 0);
        snprintf(path, sizeof(path), "volumes");
        {
                int vfd = openat(dfd, path, O_RDONLY | O_DIRECTORY);
                DIR *d = fdopendir(vfd);
                struct dirent *de;

                while ((de = readdir(d)))
                        if (strstr(de->d_name, ".idx"))
                                snprintf(path, sizeof(path), "volumes/%.400s", de->d_name);
                closedir(d);
        }
        assert_int_equal(storvirt__file_read_all(dfd, path, 1 << 20, &text, &len), 0);
        assert_string_equal(text, "storvirt-volume-index 1\ntarget /srv/p\nqcow2 5 plain.img\n");
        free(text);

        assert_int_equal(storvirt__vol_index_set_entry(f->ctx, "/srv/p", "a b.img", &e), 0);
        assert_int_equal(storvirt__file_read_all(dfd, path, 1 << 20, &text, &len), 0);
        assert_string_equal(text, "storvirt-volume-index 2\ntarget /srv/p\n"
                                  "raw 7 luks 0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f a b.img\n"
                                  "qcow2 5 - - plain.img\n");
        free(text);
        close(dfd);

        assert_int_equal(storvirt__vol_index_load(f->ctx, "/srv/p", &m), 0);
        got = storvirt__vol_index_find(m, "a b.img", 7);
        assert_non_null(got);
        assert_string_equal(got->format, "raw");
        assert_string_equal(got->encryption, "luks");
        assert_string_equal(got->secret, e.secret);
        got = storvirt__vol_index_find(m, "plain.img", 5);
        assert_non_null(got);
        assert_string_equal(got->encryption, "");
        assert_string_equal(got->secret, "");
        storvirt__hashmap_free(m);

        /* only luks, only a UUID */
        strcpy(e.encryption, "qcow");
        assert_int_equal(storvirt__vol_index_set_entry(f->ctx, "/srv/p", "x.img", &e), -EINVAL);
        strcpy(e.encryption, "luks");
        strcpy(e.secret, "not-a-uuid");
        assert_int_equal(storvirt__vol_index_set_entry(f->ctx, "/srv/p", "x.img", &e), -EINVAL);

        /* back to version 1 once no entry is encrypted */
        assert_int_equal(storvirt__vol_index_remove(f->ctx, "/srv/p", "a b.img"), 0);
        assert_int_equal(storvirt__vol_index_load(f->ctx, "/srv/p", &m), 0);
        assert_non_null(storvirt__vol_index_find(m, "plain.img", 5));
        storvirt__hashmap_free(m);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_basic, setup, teardown),
                cmocka_unit_test_setup_teardown(test_corrupted, setup, teardown),
                cmocka_unit_test_setup_teardown(test_sigkill, setup, teardown),
                cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
                cmocka_unit_test_setup_teardown(test_processes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_state_uuid, setup, teardown),
                cmocka_unit_test_setup_teardown(test_foreign_records_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_vol_index_encryption, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
