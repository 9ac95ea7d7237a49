/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lun-list.c - LUN discovery at scale, against lsblk on the same devices.
 *
 *   bench/lun-list [--threads T] [--runs R] [N...]        (default: 256 4096)
 *   bench/lun-list --testbed N DIR       write the testbed files, print their -d options
 *
 * For each N, writes a umockdev testbed of N iSCSI SCSI disks grouped as
 * N/4 multipath maps of 4 paths (testbed.c: the records of
 * tests/scripts/gen-testbed.py "scale", plus the udev properties real udev
 * puts on a SCSI disk: ID_SERIAL, ID_SERIAL_SHORT, ID_WWN,
 * ID_WWN_WITH_EXTENSION, ID_SCSI_SERIAL), split in small files because
 * umockdev's loader is quadratic in the size of one file.  The files go to
 * /dev/shm when it exists.  Then runs itself under
 * umockdev-run, where it times R runs of
 *   (a) storvirt_lun_refresh() through the public API (identity, multipath
 *       grouping, usage probe), checking the result: N/4 LUNs of 4 paths
 *       each with the expected NAA GUIDs, and
 *   (b) lsblk -J -o NAME,WWN,SERIAL,SIZE,VENDOR,MODEL, output to /dev/null,
 *       checking once that it lists every disk with its WWN.
 * Both see the same files through umockdev's preload, so both pay its cost
 * per file syscall.  umockdev's device nodes are empty files, so the usage
 * probe finds nothing to read there: the figures are those of discovery,
 * not of libblkid reading real disks.  Prints best and median, the cost per
 * disk, the ratio library/lsblk, and how the cost per disk grows from the
 * smallest N to the largest.  The targets printed at the end are figures to
 * compare against, never assertions.
 *
 * To profile the library under umockdev, with the same testbed:
 *   TMPDIR=/dev/shm umockdev-run $(lun-list --testbed 4096 DIR) --
 *           perf record -g lun-list --inner 4096
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <storvirt.h>

#include "testbed.h"

#define PATHS_PER_MAP 4
#define DEFAULT_RUNS 5
#define MAX_RUNS 101

/* Targets (printed for comparison, never asserted). */
#define TARGET_RATIO 1.0        /* library / lsblk at the largest N */
#define TARGET_GROWTH 1.3       /* per-disk cost, largest N / smallest N */

struct result {
        long n, luns;
        double lib_best, lib_med, lsblk_best, lsblk_med;
        double wall;            /* the whole umockdev-run, testbed load included */
        int files;
};

static double now(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *)a, y = *(const double *)b;

        return x < y ? -1 : x > y;
}

static void best_median(double *t, int runs, double *best, double *med) {
        qsort(t, (size_t)runs, sizeof(*t), cmp_double);
        *best = t[0];
        *med = runs % 2 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2;
}

/* ---- inside umockdev-run ---------------------------------------------------------------- */

/* Starts lsblk with its stdout on out_fd (-1: /dev/null). */
static pid_t start_lsblk(int out_fd) {
        static const char *const argv[] = {
                "lsblk", "-J", "-o", "NAME,WWN,SERIAL,SIZE,VENDOR,MODEL", NULL,
        };
        pid_t pid = fork();

        if (pid < 0)
                testbed_fail("fork: %s", strerror(errno));
        if (pid == 0) {
                int fd = out_fd >= 0 ? out_fd : open("/dev/null", O_WRONLY | O_CLOEXEC);

                if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
                        _exit(127);
                execvp(argv[0], (char **)argv);
                fprintf(stderr, "lun-list: lsblk: %s\n", strerror(errno));
                _exit(127);
        }
        return pid;
}

static void wait_lsblk(pid_t pid) {
        int status;

        if (waitpid(pid, &status, 0) < 0)
                testbed_fail("waitpid: %s", strerror(errno));
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                testbed_fail("lsblk failed (status 0x%x)", status);
}

/* One lsblk run, output to /dev/null: its wall time. */
static double time_lsblk(void) {
        double t0 = now();

        wait_lsblk(start_lsblk(-1));
        return now() - t0;
}

static size_t count(const char *s, const char *what) {
        size_t n = 0;

        for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
                n++;
        return n;
}

/* lsblk once, read back: every disk by name, with its WWN and serial. */
static void check_lsblk(long n) {
        size_t len = 0, cap = 1 << 16, sd, dm, wwn, serial;
        char *out = malloc(cap);
        int fds[2];
        ssize_t k;
        pid_t pid;

        if (!out || pipe2(fds, O_CLOEXEC) < 0)
                testbed_fail("lsblk output: %s", strerror(errno));
        pid = start_lsblk(fds[1]);
        close(fds[1]);
        while ((k = read(fds[0], out + len, cap - len - 1)) > 0) {
                len += (size_t)k;
                if (len + 1 == cap && !(out = realloc(out, cap *= 2)))
                        testbed_fail("out of memory");
        }
        close(fds[0]);
        wait_lsblk(pid);
        out[len] = '\0';
        sd = count(out, "\"name\":\"sd") + count(out, "\"name\": \"sd");
        dm = count(out, "\"name\":\"dm-") + count(out, "\"name\": \"dm-");
        wwn = count(out, "\"0x60014050");
        serial = count(out, "\"SER");
        if ((long)sd < n || (long)wwn < n || (long)serial < n)
                testbed_fail("lsblk lists %zu sd disks, %zu with a WWN, %zu with a serial; "
                     "expected %ld:\n%.2000s", sd, wwn, serial, n, out);
        printf("note lsblk lists %zu sd entries (%zu WWNs, %zu serials) and %zu dm entries\n",
               sd, wwn, serial, dm);
        free(out);
}

static void die_lib(const char *what) {
        testbed_fail("%s: %s", what, storvirt_error_message() ? storvirt_error_message() : "(no message)");
}

/* The refreshed snapshot must be N/4 maps of 4 iSCSI paths with the testbed's GUIDs. */
static long check_luns(storvirt_ctx *ctx, long n, bool report) {
        storvirt_lun **luns = NULL;
        size_t nluns = 0, status[3] = {};
        const char *reason0 = NULL;

        if (storvirt_lun_list(ctx, NULL, &luns, &nluns, 0) < 0)
                die_lib("storvirt_lun_list");
        if ((long)nluns != n / PATHS_PER_MAP)
                testbed_fail("N=%ld: %zu LUNs, expected %ld", n, nluns, n / PATHS_PER_MAP);
        for (size_t i = 0; i < nluns; i++) {
                const char *guid = storvirt_lun_get_guid(luns[i]), *reason = NULL;
                char want[TESTBED_GUID_MAX];
                int st;

                testbed_guid((long)i, want);
                if (!guid || guid[0] != '3' || strcmp(guid, want) != 0)
                        testbed_fail("LUN %zu (%s): GUID %s, expected %s", i,
                             storvirt_lun_get_name(luns[i]), guid ? guid : "(none)", want);
                if (storvirt_lun_get_n_paths(luns[i]) != PATHS_PER_MAP)
                        testbed_fail("LUN %s: %zu paths, expected %d", guid,
                             storvirt_lun_get_n_paths(luns[i]), PATHS_PER_MAP);
                if (!storvirt_lun_get_dm_name(luns[i]) ||
                    strcmp(storvirt_lun_get_devtype(luns[i]), "iscsi") != 0)
                        testbed_fail("LUN %s: not an iSCSI multipath map (type %s)", guid,
                             storvirt_lun_get_devtype(luns[i]));
                for (size_t p = 0; p < PATHS_PER_MAP; p++) {
                        const storvirt_lun_path *path = storvirt_lun_get_path(luns[i], p);
                        const char *portal = NULL;

                        if (!path ||
                            storvirt_lun_path_get_iscsi(path, NULL, &portal, NULL, NULL) < 0 ||
                            !portal)
                                testbed_fail("LUN %s: path %zu has no iSCSI session", guid, p);
                }
                st = storvirt_lun_get_status(luns[i], &reason);
                if (st >= 0 && st <= 2)
                        status[st]++;
                if (i == 0)
                        reason0 = reason;
        }
        if (report)
                printf("note library status: %zu free, %zu used, %zu unknown (first: %s)\n",
                       status[0], status[1], status[2], reason0 ? reason0 : "-");
        storvirt_lun_list_free(luns);
        return (long)nluns;
}

static int inner(long n, unsigned threads, int runs) {
        double lib[MAX_RUNS], ls[MAX_RUNS];
        struct result r = { .n = n };
        storvirt_ctx *ctx = NULL;

        if (storvirt_ctx_new(&ctx, STORVIRT_CTX_NEW_IGNORE_ENV) < 0)
                die_lib("storvirt_ctx_new");
        if (threads && storvirt_ctx_set_max_threads(ctx, threads) < 0)
                die_lib("storvirt_ctx_set_max_threads");
        for (int i = 0; i < runs; i++) {
                double t0 = now();

                if (storvirt_lun_refresh(ctx, 0) < 0)
                        die_lib("storvirt_lun_refresh");
                lib[i] = now() - t0;
                /* Every run's result, outside the timing. */
                r.luns = check_luns(ctx, n, i == 0);
        }
        check_lsblk(n);
        for (int i = 0; i < runs; i++)
                ls[i] = time_lsblk();
        best_median(lib, runs, &r.lib_best, &r.lib_med);
        best_median(ls, runs, &r.lsblk_best, &r.lsblk_med);
        printf("note threads=%d\n", storvirt_ctx_get_max_threads(ctx));
        printf("result %ld %ld %.9f %.9f %.9f %.9f\n", r.n, r.luns, r.lib_best, r.lib_med,
               r.lsblk_best, r.lsblk_med);
        storvirt_ctx_unref(ctx);
        return 0;
}

/* ---- outside: one umockdev-run per N ------------------------------------------------------ */

static void measure(const char *self, long n, unsigned threads, int runs, struct result *res) {
        char dir[PATH_MAX], nbuf[32], tbuf[32], rbuf[32], line[512], **files = NULL, **argv;
        int nfiles, status, k;
        double t0;
        FILE *in;
        pid_t pid;

        snprintf(dir, sizeof(dir), "%s/storvirt-lun-list.XXXXXX", testbed_base_dir());
        if (!mkdtemp(dir))
                testbed_fail("mkdtemp %s: %s", dir, strerror(errno));
        nfiles = testbed_write(n / PATHS_PER_MAP, PATHS_PER_MAP, dir, &files);
        argv = testbed_umockdev_argv(files, 7, &k);
        snprintf(nbuf, sizeof(nbuf), "%ld", n);
        snprintf(tbuf, sizeof(tbuf), "%u", threads);
        snprintf(rbuf, sizeof(rbuf), "%d", runs);
        argv[k++] = (char *)self;
        argv[k++] = (char *)"--threads";
        argv[k++] = tbuf;
        argv[k++] = (char *)"--runs";
        argv[k++] = rbuf;
        argv[k++] = (char *)"--inner";
        argv[k++] = nbuf;
        argv[k] = NULL;

        t0 = now();
        in = testbed_spawn(argv, &pid);
        memset(res, 0, sizeof(*res));
        while (fgets(line, sizeof(line), in)) {
                if (strncmp(line, "result ", 7) == 0) {
                        if (sscanf(line + 7, "%ld %ld %lf %lf %lf %lf", &res->n, &res->luns,
                                   &res->lib_best, &res->lib_med, &res->lsblk_best,
                                   &res->lsblk_med) != 6)
                                testbed_fail("bad result line: %s", line);
                } else if (strncmp(line, "note ", 5) == 0)
                        printf("  N=%-6ld %s", n, line + 5);
                else
                        fputs(line, stdout);
        }
        fclose(in);
        if (waitpid(pid, &status, 0) < 0)
                testbed_fail("waitpid: %s", strerror(errno));
        res->wall = now() - t0;
        res->files = nfiles;
        testbed_remove(dir, files);
        free(argv);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                testbed_fail("N=%ld: the run under umockdev-run failed (status 0x%x)", n, status);
        if (res->n != n)
                testbed_fail("N=%ld: no result from the run under umockdev-run", n);
}

static void usage(void) {
        fprintf(stderr, "usage: lun-list [--threads T] [--runs R] [N...]   (N a multiple of %d)\n"
                        "       lun-list --testbed N DIR\n", PATHS_PER_MAP);
        exit(2);
}

static long parse_n(const char *s) {
        char *end;
        long n = strtol(s, &end, 10);

        if (*end || n <= 0 || n % PATHS_PER_MAP || n > TESTBED_MAX_DISKS)
                usage();
        return n;
}

int main(int argc, char **argv) {
        static const long defaults[] = { 256, 4096 };
        long ns[64], inner_n = 0;
        size_t nn = 0;
        unsigned threads = 0;
        int runs = DEFAULT_RUNS;
        struct result res[64];
        char self[PATH_MAX];
        ssize_t len;

        testbed_set_prog("lun-list");
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
                        threads = (unsigned)atoi(argv[++i]);
                else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
                        runs = atoi(argv[++i]);
                else if (strcmp(argv[i], "--inner") == 0 && i + 1 < argc)
                        inner_n = parse_n(argv[++i]);
                else if (strcmp(argv[i], "--testbed") == 0 && i + 2 < argc) {
                        char **files = NULL;
                        long n = parse_n(argv[i + 1]);
                        int nf;

                        if (mkdir(argv[i + 2], 0700) < 0 && errno != EEXIST)
                                testbed_fail("%s: %s", argv[i + 2], strerror(errno));
                        nf = testbed_write(n / PATHS_PER_MAP, PATHS_PER_MAP, argv[i + 2],
                                           &files);

                        for (int f = 0; f < nf; f++) {
                                printf("-d %s%s", files[f], f + 1 < nf ? " " : "\n");
                                free(files[f]);
                        }
                        free(files);
                        return 0;
                } else if (argv[i][0] == '-' || nn == sizeof(ns) / sizeof(ns[0]))
                        usage();
                else
                        ns[nn++] = parse_n(argv[i]);
        }
        if (runs < 1 || runs > MAX_RUNS)
                usage();
        if (inner_n)
                return inner(inner_n, threads, runs);
        if (nn == 0)
                for (; nn < sizeof(defaults) / sizeof(defaults[0]); nn++)
                        ns[nn] = defaults[nn];

        /* The path of this program, for umockdev-run to run again. */
        len = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (len <= 0)
                testbed_fail("/proc/self/exe: %s", strerror(errno));
        self[len] = '\0';

        printf("lun-list: LUN discovery (storvirt_lun_refresh) vs lsblk under umockdev, "
               "best/median of %d runs, testbed in %s\n", runs, testbed_base_dir());
        for (size_t i = 0; i < nn; i++) {
                measure(self, ns[i], threads, runs, &res[i]);
                printf("  N=%-6ld testbed: %d files, umockdev-run wall %.1f s\n", ns[i],
                       res[i].files, res[i].wall);
        }
        printf("\n%7s %6s %21s %11s %21s %11s\n", "N", "LUNs", "library ms best/med",
               "us/disk", "lsblk ms best/med", "lib/lsblk");
        for (size_t i = 0; i < nn; i++) {
                struct result *r = &res[i];

                printf("%7ld %6ld %10.1f/%-10.1f %11.2f %10.1f/%-10.1f %11.2f\n", r->n, r->luns,
                       r->lib_best * 1e3, r->lib_med * 1e3, r->lib_best * 1e6 / r->n,
                       r->lsblk_best * 1e3, r->lsblk_med * 1e3, r->lib_best / r->lsblk_best);
        }
        if (nn > 1) {
                struct result *lo = &res[0], *hi = &res[0];
                double growth;

                for (size_t i = 1; i < nn; i++) {
                        if (res[i].n < lo->n)
                                lo = &res[i];
                        if (res[i].n > hi->n)
                                hi = &res[i];
                }
                growth = (hi->lib_best / hi->n) / (lo->lib_best / lo->n);
                printf("\nper-disk cost N=%ld vs N=%ld: library %.2fx, lsblk %.2fx  "
                       "(target: library <= %.1fx)\n", hi->n, lo->n, growth,
                       (hi->lsblk_best / hi->n) / (lo->lsblk_best / lo->n), TARGET_GROWTH);
                printf("library/lsblk at N=%ld: %.2f  (target: <= %.1f)\n", hi->n,
                       hi->lib_best / hi->lsblk_best, TARGET_RATIO);
        } else
                printf("\nlibrary/lsblk at N=%ld: %.2f  (target: <= %.1f)\n", res[0].n,
                       res[0].lib_best / res[0].lsblk_best, TARGET_RATIO);
        return 0;
}
