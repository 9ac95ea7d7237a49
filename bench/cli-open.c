/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cli-open.c - what a whole `storvirt` process costs on a large dir pool,
 * against virsh and against the syscall floor.
 *
 *   bench/cli-open N [DIR]
 *
 * Builds (or reuses) DIR/pool with N files, half qcow2 (written sparse by
 * the library's own qcow2 writer), half sparse raw, defines and starts a
 * dir pool "big" on it in DIR/state, then times whole processes, each
 * command paired with its virsh counterpart (A B A B ..., the median of
 * each and the median of the ratios pair by pair):
 *     storvirt pool-list --all          virsh pool-list --all
 *     storvirt pool-info big            virsh pool-info P
 *     storvirt vol-list big             virsh vol-list P
 *     storvirt vol-list big --details   virsh vol-list P --details
 *     storvirt pool-refresh big         virsh pool-refresh P
 * plus the syscall floor of a refresh (readdir + openat + fstat + one
 * 4 KiB pread + close per file, one thread, in this process).  virsh runs
 * against $STORVIRT_BENCH_VIRSH_URI (default qemu:///system) when a
 * libvirtd answers there, on a transient pool P over the same directory;
 * otherwise its column says so and stays empty.
 *
 * Each row also gives the best run (wall and cpu apart).
 *
 * Environment: STORVIRT_BENCH_RUNS (counted runs per command, default
 * 5, after one warm-up), STORVIRT_BENCH_VIRSH_VOL_LIST=0 (skip virsh's
 * vol-list, which asks the daemon about every volume one call at a
 * time: minutes at 100,000 volumes), STORVIRT_BENCH_CLI (the storvirt to
 * run; default the one built with this program).  On a shared machine
 * the cpu figures (user + sys of the process) are the steadier ones.
 *
 * Targets (printed, not asserted): pool-list and pool-info within 1.2x
 * of virsh's and flat in N; pool-refresh at most 1.5x the floor; vol-list
 * with an unchanged directory at most 0.3x a pool-refresh.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <storvirt.h>
#include "sys/qcow2.h"

extern char **environ;

#define MAX_RUNS 100
#define VIRSH_POOL "storvirt-bench"

static double now(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what) {
        fprintf(stderr, "cli-open: %s: %s\n", what, errno ? strerror(errno) : "failed");
        exit(1);
}

/* ---- the pool's files ----------------------------------------------------- */

struct image {
        char *data;
        size_t len;
};

/* An empty 1 GiB qcow2 as the library writes it, read back into memory. */
static struct image qcow2_template(const char *dir) {
        struct storvirt__qcow2_opts o = { .size = 1ull << 30 };
        struct image img = {};
        char path[4200];
        struct stat st;
        int fd;

        snprintf(path, sizeof(path), "%s/template.qcow2", dir);
        fd = open(path, O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0600);
        if (fd < 0 || storvirt__qcow2_create_fd(fd, &o, path) < 0 || fstat(fd, &st) < 0)
                die("qcow2 template");
        img.len = (size_t)st.st_size;
        img.data = malloc(img.len);
        if (!img.data || pread(fd, img.data, img.len, 0) != (ssize_t)img.len)
                die("qcow2 template");
        close(fd);
        unlink(path);
        return img;
}

/* The image's non-zero 4 KiB blocks only: the copy is as sparse as can be. */
static void write_sparse(int fd, const struct image *img) {
        static const char zero[4096];

        for (size_t off = 0; off < img->len; off += sizeof(zero)) {
                size_t n = img->len - off < sizeof(zero) ? img->len - off : sizeof(zero);

                if (memcmp(img->data + off, zero, n) != 0 &&
                    pwrite(fd, img->data + off, n, (off_t)off) != (ssize_t)n)
                        die("pwrite");
        }
        if (ftruncate(fd, (off_t)img->len) < 0)
                die("ftruncate");
}

static long count_entries(const char *dir) {
        DIR *d = opendir(dir);
        struct dirent *de;
        long n = 0;

        if (!d)
                return -1;
        while ((de = readdir(d)))
                n += de->d_name[0] != '.';
        closedir(d);
        return n;
}

/* DIR/pool with n files, reused when it holds n already. */
static void populate(const char *base, const char *target, long n) {
        struct image img;
        char name[4200];

        if (count_entries(target) == n) {
                printf("reusing %s (%ld files)\n", target, n);
                return;
        }
        if (count_entries(target) > 0) {
                fprintf(stderr, "cli-open: %s holds other files: remove it first\n", target);
                exit(2);
        }
        mkdir(target, 0711);
        printf("populating %s: %ld files (half qcow2, half sparse raw)\n", target, n);
        img = qcow2_template(base);
        for (long i = 0; i < n; i++) {
                int fd;

                snprintf(name, sizeof(name), "%s/vol%06ld.%s", target, i, i % 2 ? "raw" : "qcow2");
                fd = open(name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
                if (fd < 0)
                        die(name);
                if (i % 2 == 0)
                        write_sparse(fd, &img);
                else if (ftruncate(fd, 1l << 30) < 0)
                        die("ftruncate");
                close(fd);
        }
        free(img.data);
}

/* ---- the floor ------------------------------------------------------------ */

struct timing {
        double wall, cpu;
};

static double cpu_self(void) {
        struct rusage ru;

        getrusage(RUSAGE_SELF, &ru);
        return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
               ru.ru_stime.tv_usec / 1e6;
}

static struct timing floor_once(const char *dir, long *ret_n) {
        char buf[4096];
        double t0 = now(), c0 = cpu_self();
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = fdopendir(dup(dfd));
        struct dirent *de;
        long n = 0;

        while (d && (de = readdir(d))) {
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
        if (d)
                closedir(d);
        close(dfd);
        *ret_n = n;
        return (struct timing){ now() - t0, cpu_self() - c0 };
}

/* ---- whole processes ------------------------------------------------------ */

/* Runs argv with its output thrown away; 0 and the times, or its exit status. */
static int run(const char *const *argv, struct timing *t) {
        posix_spawn_file_actions_t fa;
        struct rusage ru;
        double t0;
        pid_t pid;
        int status;

        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
        t0 = now();
        if (posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ) != 0)
                die(argv[0]);
        if (wait4(pid, &status, 0, &ru) != pid)
                die("wait4");
        t->wall = now() - t0;
        t->cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
                 ru.ru_stime.tv_usec / 1e6;
        posix_spawn_file_actions_destroy(&fa);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *)a, y = *(const double *)b;

        return (x > y) - (x < y);
}

static double median(double *v, int n) {
        qsort(v, (size_t)n, sizeof(*v), cmp_double);
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The medians of a command and its peer (b NULL: none), run in turn. */
struct row {
        const char *what;
        double a_wall, a_cpu, b_wall, b_cpu, ratio;
        double a_wall_best, a_cpu_best;
        bool has_b;
};

static void time_pair(struct row *row, const char *const *a, const char *const *b, int runs) {
        double aw[MAX_RUNS], ac[MAX_RUNS], bw[MAX_RUNS], bc[MAX_RUNS], ratio[MAX_RUNS];
        struct timing t;

        if (run(a, &t) != 0 || (b && run(b, &t) != 0)) {   /* the warm-up */
                fprintf(stderr, "cli-open: '%s' failed\n", row->what);
                exit(1);
        }
        for (int i = 0; i < runs; i++) {
                run(a, &t);
                aw[i] = t.wall, ac[i] = t.cpu;
                if (b) {
                        run(b, &t);
                        bw[i] = t.wall, bc[i] = t.cpu;
                        ratio[i] = aw[i] / bw[i];
                }
        }
        row->a_wall = median(aw, runs);        /* sorts: [0] is the best */
        row->a_cpu = median(ac, runs);
        row->a_wall_best = aw[0];
        row->a_cpu_best = ac[0];
        row->has_b = b != NULL;
        if (b) {
                row->b_wall = median(bw, runs);
                row->b_cpu = median(bc, runs);
                row->ratio = median(ratio, runs);
        }
}

static void print_row(const struct row *r, const char *no_b) {
        printf("%-28s %9.1f ms (cpu %7.1f) [best %.1f, cpu %.1f]", r->what, r->a_wall * 1e3,
               r->a_cpu * 1e3, r->a_wall_best * 1e3, r->a_cpu_best * 1e3);
        if (r->has_b)
                printf("  %9.1f ms (cpu %7.1f)  %6.2fx\n", r->b_wall * 1e3, r->b_cpu * 1e3,
                       r->ratio);
        else
                printf("  %s\n", no_b);
}

/* ---- main ------------------------------------------------------------------ */

static void storvirt_setup(const char *cli, const char *state, const char *target) {
        const char *const define[] = { cli, "-d", state, "pool-define-as", "big", "dir",
                                       "--target", target, NULL };
        const char *const start[] = { cli, "-d", state, "pool-start", "big", NULL };
        struct timing t;

        if (run(define, &t) != 0 || run(start, &t) != 0) {
                fprintf(stderr, "cli-open: cannot define and start the pool in %s\n", state);
                exit(1);
        }
}

/* Whether virsh answers at uri; then a transient pool on the directory. */
static bool virsh_setup(const char *uri, const char *target) {
        const char *const list[] = { "virsh", "-q", "-c", uri, "pool-list", NULL };
        const char *const destroy[] = { "virsh", "-q", "-c", uri, "pool-destroy",
                                        VIRSH_POOL, NULL };
        const char *const create[] = { "virsh", "-q", "-c", uri, "pool-create-as",
                                       VIRSH_POOL, "dir", "--target", target, NULL };
        struct timing t;

        if (run(list, &t) != 0)
                return false;
        run(destroy, &t);       /* left by an interrupted run */
        return run(create, &t) == 0;
}

int main(int argc, char **argv) {
        long n = argc > 1 ? atol(argv[1]) : 10000, seen = 0;
        char tmpl[] = "/var/tmp/storvirt-bench.XXXXXX", target[4096], state[4096];
        const char *base = argc > 2 ? argv[2] : mkdtemp(tmpl);
        const char *cli = getenv("STORVIRT_BENCH_CLI") ? getenv("STORVIRT_BENCH_CLI")
                                                      : STORVIRT_BENCH_CLI;
        const char *uri = getenv("STORVIRT_BENCH_VIRSH_URI") ? getenv("STORVIRT_BENCH_VIRSH_URI")
                                                            : "qemu:///system";
        int runs = getenv("STORVIRT_BENCH_RUNS") ? atoi(getenv("STORVIRT_BENCH_RUNS")) : 5;
        bool virsh_vols = !getenv("STORVIRT_BENCH_VIRSH_VOL_LIST") ||
                          strcmp(getenv("STORVIRT_BENCH_VIRSH_VOL_LIST"), "0") != 0;
        double floors[MAX_RUNS], floors_cpu[MAX_RUNS];
        struct row rows[5] = { { .what = "pool-list --all" }, { .what = "pool-info" },
                               { .what = "vol-list" }, { .what = "vol-list --details" },
                               { .what = "pool-refresh" } };
        bool virsh;

        if (n <= 0 || !base || runs < 1 || runs > MAX_RUNS) {
                fprintf(stderr, "usage: cli-open N [DIR]\n");
                return 2;
        }
        snprintf(target, sizeof(target), "%s/pool", base);
        snprintf(state, sizeof(state), "%s/state.%d", base, (int)getpid());
        populate(base, target, n);
        storvirt_setup(cli, state, target);
        virsh = virsh_setup(uri, target);
        /* the directory settled (one second, the granularity allowed for) */
        sleep(2);

        const char *const sv[5][8] = {
                { cli, "-d", state, "pool-list", "--all", NULL },
                { cli, "-d", state, "pool-info", "big", NULL },
                { cli, "-d", state, "vol-list", "big", NULL },
                { cli, "-d", state, "vol-list", "big", "--details", NULL },
                { cli, "-d", state, "pool-refresh", "big", NULL },
        };
        const char *const vs[5][8] = {
                { "virsh", "-q", "-c", uri, "pool-list", "--all", NULL },
                { "virsh", "-q", "-c", uri, "pool-info", VIRSH_POOL, NULL },
                { "virsh", "-q", "-c", uri, "vol-list", VIRSH_POOL, NULL },
                { "virsh", "-q", "-c", uri, "vol-list", VIRSH_POOL, "--details", NULL },
                { "virsh", "-q", "-c", uri, "pool-refresh", VIRSH_POOL, NULL },
        };
        /* the refresh first: its warm-up saves the list the others read */
        time_pair(&rows[4], sv[4], virsh ? vs[4] : NULL, runs);
        for (int i = 0; i < 4; i++)
                time_pair(&rows[i], sv[i], virsh && (i < 2 || virsh_vols) ? vs[i] : NULL, runs);
        for (int i = 0; i < runs; i++) {
                struct timing t = floor_once(target, &seen);

                floors[i] = t.wall, floors_cpu[i] = t.cpu;
        }
        if (seen != n) {
                fprintf(stderr, "cli-open: the floor saw %ld files, not %ld\n", seen, n);
                return 1;
        }

        printf("\nN=%ld, median of %d runs (whole processes, wall clock; cpu = user + sys)\n",
               n, runs);
        printf("%-28s %27s  %27s  %7s\n", "command", "storvirt", "virsh", "ratio");
        for (int i = 0; i < 5; i++)
                print_row(&rows[i], !virsh ? "(no libvirtd answered at the URI: skipped)"
                                           : "(skipped)");
        double fl = median(floors, runs), fl_cpu = median(floors_cpu, runs);
        printf("%-28s %9.1f ms (cpu %7.1f) [best %.1f, cpu %.1f]\n",
               "syscall floor (one thread)", fl * 1e3, fl_cpu * 1e3, floors[0] * 1e3,
               floors_cpu[0] * 1e3);
        printf("\npool-refresh / floor: %.2fx (cpu %.2fx; target <= 1.5)\n", rows[4].a_wall / fl,
               rows[4].a_cpu / fl_cpu);
        printf("vol-list / pool-refresh: %.2fx (cpu %.2fx; target <= 0.3)\n",
               rows[2].a_wall / rows[4].a_wall, rows[2].a_cpu / rows[4].a_cpu);
        printf("best of each: pool-refresh / floor %.2fx (cpu %.2fx), vol-list / pool-refresh "
               "%.2fx (cpu %.2fx)\n", rows[4].a_wall_best / floors[0],
               rows[4].a_cpu_best / floors_cpu[0], rows[2].a_wall_best / rows[4].a_wall_best,
               rows[2].a_cpu_best / rows[4].a_cpu_best);
        if (virsh)
                printf("pool-list / virsh: %.2fx, pool-info / virsh: %.2fx (targets <= 1.2)\n",
                       rows[0].ratio, rows[1].ratio);
        if (virsh) {
                const char *const destroy[] = { "virsh", "-q", "-c", uri, "pool-destroy",
                                                VIRSH_POOL, NULL };
                struct timing t;

                run(destroy, &t);
        }
        const char *const rm[] = { "rm", "-rf", state, NULL };
        struct timing t;

        return run(rm, &t);
}
