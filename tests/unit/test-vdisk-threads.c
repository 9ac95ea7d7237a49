/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-vdisk-threads.c - the vDisk registry under concurrency: 8 threads
 * x 1,000 mixed operations (attach, detach, read, lookup, list) on one
 * context, then 2 processes attaching VMs to one vDisk through one state
 * directory.  Every thread and process keeps its own account of what it
 * left attached; the record must show exactly the union: no update lost.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <storvirt.h>

#include "util/json.h"

#define N_THREADS 8
#define N_OPS 1000
#define N_VMS 16        /* VM ids per thread */

struct fixture {
        char dir[128];
        char image[160];
        storvirt_ctx *ctx;
        char id[37];
};

static storvirt_ctx *new_ctx(const char *dir) {
        storvirt_ctx *ctx = NULL;

        assert_int_equal(storvirt_ctx_new(&ctx, STORVIRT_CTX_NEW_IGNORE_ENV), 0);
        assert_int_equal(storvirt_ctx_set_state_dir(ctx, dir, 0), 0);
        return ctx;
}

static int setup(void **state) {
        struct fixture *f = calloc(1, sizeof(*f));
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        storvirt_disk_spec *spec = NULL;
        storvirt_vdisk *v = NULL;
        int fd;

        assert_non_null(f);
        snprintf(f->dir, sizeof(f->dir), "%s/storvirt-test-vdisk-threads-XXXXXX", base);
        assert_non_null(mkdtemp(f->dir));
        snprintf(f->image, sizeof(f->image), "%s/base.raw", f->dir);
        fd = open(f->image, O_CREAT | O_WRONLY | O_EXCL, 0600);
        assert_true(fd >= 0);
        assert_int_equal(ftruncate(fd, 1 << 20), 0);
        close(fd);
        f->ctx = new_ctx(f->dir);
        assert_int_equal(storvirt_disk_spec_new(&spec), 0);
        assert_int_equal(storvirt_disk_spec_set_string(spec, "path", f->image), 0);
        assert_int_equal(storvirt_vdisk_import(f->ctx, spec, NULL, STORVIRT_VDISK_IMPORT_SHARED, &v), 0);
        snprintf(f->id, sizeof(f->id), "%s", storvirt_vdisk_get_id(v));
        storvirt_vdisk_unref(v);
        storvirt_disk_spec_free(spec);
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

/* The VM ids in the record's attachments, as a set of flags indexed by (owner, vm). */
static size_t attachments(storvirt_ctx *ctx, const char *id, bool seen[][N_VMS], int owners) {
        storvirt_vdisk *v = NULL;
        yajl_val root = NULL, list = NULL;
        char *json = NULL;
        size_t n = 0;

        assert_int_equal(storvirt_vdisk_lookup(ctx, id, &v), 0);
        assert_int_equal(storvirt_vdisk_get_json(v, &json, 0), 0);
        assert_int_equal(storvirt__json_parse(json, strlen(json), 1u << 26, &root, "vdisk"), 0);
        assert_int_equal(storvirt__json_get_array(root, "attachments", true, &list), 1);
        for (size_t i = 0; i < list->u.array.len; i++) {
                const char *vm = NULL;
                int owner, k;

                assert_int_equal(storvirt__json_get_string(list->u.array.values[i], "vm", true, &vm), 1);
                assert_int_equal(sscanf(vm, "vm-%d-%d", &owner, &k), 2);
                assert_true(owner >= 0 && owner < owners && k >= 0 && k < N_VMS);
                assert_false(seen[owner][k]);   /* never twice */
                seen[owner][k] = true;
                n++;
        }
        storvirt__json_free(root);
        storvirt_free(json);
        storvirt_vdisk_unref(v);
        return n;
}

struct worker {
        struct fixture *f;
        int n;
        bool attached[N_VMS];
        int errors;
        char last_error[256];
};

static void *worker_main(void *arg) {
        struct worker *w = arg;
        unsigned seed = (unsigned)w->n * 2654435761u + 7u;
        storvirt_vdisk *v = NULL;

        if (storvirt_vdisk_lookup(w->f->ctx, w->f->id, &v) < 0) {
                w->errors++;
                return NULL;
        }
        for (int i = 0; i < N_OPS; i++) {
                int k = (int)(rand_r(&seed) % N_VMS), r = 0;
                storvirt_vdisk **all = NULL;
                storvirt_vdisk *other = NULL;
                char vm[32], *out = NULL;

                snprintf(vm, sizeof(vm), "vm-%d-%d", w->n, k);
                switch (rand_r(&seed) % 6) {
                case 0:
                case 1:
                        r = storvirt_vdisk_attach(v, vm, NULL, NULL, 0);
                        if (r >= 0)
                                w->attached[k] = true;
                        else if (r == -EEXIST && w->attached[k])
                                r = 0;
                        break;
                case 2:
                        r = storvirt_vdisk_detach(v, vm, 0);
                        if (r >= 0)
                                w->attached[k] = false;
                        else if (r == -ENOENT && !w->attached[k])
                                r = 0;
                        break;
                case 3:
                        r = storvirt_vdisk_get_json(v, &out, 0);
                        storvirt_free(out);
                        break;
                case 4:
                        r = storvirt_vdisk_lookup(w->f->ctx, w->f->id, &other);
                        storvirt_vdisk_unref(other);
                        break;
                default:
                        r = storvirt_vdisk_list(w->f->ctx, &all, NULL, 0);
                        if (r >= 0)
                                storvirt_vdisk_list_free(all);
                        break;
                }
                if (r < 0) {
                        w->errors++;
                        snprintf(w->last_error, sizeof(w->last_error), "%s", storvirt_error_message());
                }
        }
        storvirt_vdisk_unref(v);
        return NULL;
}

static void test_threads(void **state) {
        struct fixture *f = *state;
        static struct worker w[N_THREADS];
        bool seen[N_THREADS][N_VMS] = {};
        pthread_t t[N_THREADS];
        size_t expected = 0;

        for (int i = 0; i < N_THREADS; i++) {
                w[i] = (struct worker){ .f = f, .n = i };
                assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
        }
        for (int i = 0; i < N_THREADS; i++)
                assert_int_equal(pthread_join(t[i], NULL), 0);
        for (int i = 0; i < N_THREADS; i++) {
                if (w[i].errors)
                        fail_msg("thread %d: %d errors, last: %s", i, w[i].errors, w[i].last_error);
                for (int k = 0; k < N_VMS; k++)
                        expected += w[i].attached[k];
        }
        assert_true(expected > 0);
        assert_int_equal(attachments(f->ctx, f->id, seen, N_THREADS), expected);
        for (int i = 0; i < N_THREADS; i++)
                for (int k = 0; k < N_VMS; k++)
                        assert_int_equal(seen[i][k], w[i].attached[k]);
}

/* Two processes, each attaching and detaching its own VMs 500 times. */
static void test_processes(void **state) {
        struct fixture *f = *state;
        bool seen[2][N_VMS] = {}, want[2][N_VMS];
        int pipes[2][2];
        pid_t pid[2];
        size_t expected = 0;

        for (int p = 0; p < 2; p++) {
                assert_int_equal(pipe(pipes[p]), 0);
                pid[p] = fork();
                assert_true(pid[p] >= 0);
                if (pid[p] == 0) {
                        storvirt_ctx *ctx = new_ctx(f->dir);
                        unsigned seed = (unsigned)p + 11u;
                        bool attached[N_VMS] = {};
                        storvirt_vdisk *v = NULL;

                        if (storvirt_vdisk_lookup(ctx, f->id, &v) < 0)
                                _exit(2);
                        for (int i = 0; i < 500; i++) {
                                int k = (int)(rand_r(&seed) % N_VMS);
                                char vm[32];

                                snprintf(vm, sizeof(vm), "vm-%d-%d", p, k);
                                if (!attached[k]) {
                                        if (storvirt_vdisk_attach(v, vm, NULL, NULL, 0) < 0)
                                                _exit(3);
                                } else if (storvirt_vdisk_detach(v, vm, 0) < 0) {
                                        _exit(4);
                                }
                                attached[k] = !attached[k];
                        }
                        if (write(pipes[p][1], attached, sizeof(attached)) != sizeof(attached))
                                _exit(5);
                        storvirt_vdisk_unref(v);
                        storvirt_ctx_unref(ctx);
                        _exit(0);
                }
                close(pipes[p][1]);
        }
        for (int p = 0; p < 2; p++) {
                int status;

                assert_int_equal(read(pipes[p][0], want[p], sizeof(want[p])), sizeof(want[p]));
                close(pipes[p][0]);
                assert_int_equal(waitpid(pid[p], &status, 0), pid[p]);
                assert_true(WIFEXITED(status));
                assert_int_equal(WEXITSTATUS(status), 0);
                for (int k = 0; k < N_VMS; k++)
                        expected += want[p][k];
        }
        assert_true(expected > 0);
        assert_int_equal(attachments(f->ctx, f->id, seen, 2), expected);
        for (int p = 0; p < 2; p++)
                for (int k = 0; k < N_VMS; k++)
                        assert_int_equal(seen[p][k], want[p][k]);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
                cmocka_unit_test_setup_teardown(test_processes, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
