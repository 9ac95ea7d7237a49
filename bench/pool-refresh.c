/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pool-refresh.c - how close a dir pool refresh is to the syscall floor.
 *
 *   [STORVIRT_BENCH_THREADS=T] bench/pool-refresh N [DIR]
 *
 * Builds a dir pool of N files (half qcow2 written by the library's own
 * qcow2 writer, half sparse raw), then in the same run measures
 *   (a) storvirt_pool_refresh() through the public API, and
 *   (b) the floor: readdir + openat + fstat + one 4 KiB pread + close per
 *       file, single-threaded,
 * each the best of R runs on a warm cache, and prints both times, the
 * per-volume cost and the ratio library/floor, and the same for the
 * best CPU time (user + sys) of each.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <storvirt.h>
#include "sys/qcow2.h"

#define RUNS 9

static double now(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what) {
        fprintf(stderr, "pool-refresh: %s: %s\n", what, storvirt_error_message());
        exit(1);
}

static void populate(const char *dir, long n) {
        struct storvirt__qcow2_opts o = { .size = 1ull << 30 };
        char name[256];

        for (long i = 0; i < n; i++) {
                int fd;

                snprintf(name, sizeof(name), "%s/vol%06ld.%s", dir, i, i % 2 ? "raw" : "qcow2");
                fd = open(name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
                if (fd < 0) {
                        perror(name);
                        exit(1);
                }
                if (i % 2 == 0) {
                        if (storvirt__qcow2_create_fd(fd, &o, name) < 0)
                                die("qcow2 create");
                } else if (ftruncate(fd, 1l << 30) < 0) {
                        perror("ftruncate");
                        exit(1);
                }
                close(fd);
        }
}

/* user + sys time of the process (every thread), in seconds */
static double cpu_now(void) {
        struct rusage ru;

        getrusage(RUSAGE_SELF, &ru);
        return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
               ru.ru_stime.tv_usec / 1e6;
}

static double floor_once(const char *dir, long *ret_n) {
        char buf[4096];
        double t0 = now();
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = fdopendir(dup(dfd));
        struct dirent *de;
        long n = 0;

        while ((de = readdir(d))) {
                struct stat st;
                int fd;

                if (de->d_name[0] == '.')
                        continue;
                fd = openat(dfd, de->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        continue;
                if (fstat(fd, &st) == 0 && pread(fd, buf, sizeof(buf), 0) >= 0)
                        n++;
                close(fd);
        }
        closedir(d);
        close(dfd);
        *ret_n = n;
        return now() - t0;
}

int main(int argc, char **argv) {
        long n = argc > 1 ? atol(argv[1]) : 10000, seen = 0;
        char tmpl[] = "/tmp/storvirt-bench.XXXXXX", target[128], state[128], *xml = NULL;
        const char *base = argc > 2 ? argv[2] : mkdtemp(tmpl);
        double best_lib = 1e9, best_floor = 1e9, cpu_lib = 1e9, cpu_floor = 1e9;
        storvirt_ctx *ctx = NULL;
        storvirt_pool *pool = NULL;
        storvirt_volume **vols = NULL;
        size_t nvols = 0;
        uint32_t threads;

        if (n <= 0 || !base) {
                fprintf(stderr, "usage: pool-refresh N [DIR]\n");
                return 2;
        }
        snprintf(target, sizeof(target), "%s/pool", base);
        snprintf(state, sizeof(state), "%s/state", base);
        mkdir(target, 0700);
        printf("populating %ld files (half qcow2, half sparse raw) in %s\n", n, target);
        populate(target, n);

        if (storvirt_ctx_new(&ctx, STORVIRT_CTX_NEW_IGNORE_ENV) < 0 ||
            storvirt_ctx_set_state_dir(ctx, state, 0) < 0)
                die("ctx");
        threads = getenv("STORVIRT_BENCH_THREADS") ? (uint32_t)atoi(getenv("STORVIRT_BENCH_THREADS")) : 1;
        if (storvirt_ctx_set_max_threads(ctx, threads) < 0)
                die("max threads");
        if (asprintf(&xml, "<pool type='dir'><name>bench</name><target><path>%s</path></target>"
                           "</pool>", target) < 0)
                return 1;
        if (storvirt_pool_create_xml(ctx, xml, &pool, 0) < 0)
                die("pool create");
        /* Alternate which goes first, so neither profits from the other's cache state. */
        for (int i = 0; i < RUNS; i++) {
                double t0, t;

                double c0;

                if (i % 2) {
                        c0 = cpu_now();
                        t = floor_once(target, &seen);
                        best_floor = t < best_floor ? t : best_floor;
                        c0 = cpu_now() - c0;
                        cpu_floor = c0 < cpu_floor ? c0 : cpu_floor;
                }
                c0 = cpu_now();
                t0 = now();
                if (storvirt_pool_refresh(pool, 0) < 0)
                        die("refresh");
                t = now() - t0;
                best_lib = t < best_lib ? t : best_lib;
                c0 = cpu_now() - c0;
                cpu_lib = c0 < cpu_lib ? c0 : cpu_lib;
                if (!(i % 2)) {
                        c0 = cpu_now();
                        t = floor_once(target, &seen);
                        best_floor = t < best_floor ? t : best_floor;
                        c0 = cpu_now() - c0;
                        cpu_floor = c0 < cpu_floor ? c0 : cpu_floor;
                }
        }
        if (storvirt_pool_list_volumes(pool, &vols, &nvols, 0) < 0)
                die("list");
        storvirt_volume_list_free(vols);
        if ((long)nvols != n || seen != n) {
                fprintf(stderr, "pool-refresh: expected %ld volumes, library saw %zu, floor %ld\n",
                        n, nvols, seen);
                return 1;
        }
        printf("threads=%d  ", storvirt_ctx_get_max_threads(ctx));
        printf("N=%ld  library refresh: %.1f ms (%.2f us/volume)  floor: %.1f ms (%.2f us/volume)"
               "  ratio library/floor: %.2f\n",
               n, best_lib * 1e3, best_lib * 1e6 / n, best_floor * 1e3, best_floor * 1e6 / n,
               best_lib / best_floor);
        /* on a shared machine the wall clock also counts waiting for a CPU */
        printf("cpu (user + sys, best): library %.1f ms  floor %.1f ms  ratio %.2f\n",
               cpu_lib * 1e3, cpu_floor * 1e3, cpu_lib / cpu_floor);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
        free(xml);
        if (argc <= 2) {
                char cmd[160];
                snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
                if (system(cmd) != 0)
                        return 1;
        }
        return 0;
}
