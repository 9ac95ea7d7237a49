/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * resolve.c - device resolution at scale: resolving a GUID spec must cost
 * the same whatever the number of LUNs on the host.
 *
 *   bench/resolve [--specs K] [--runs R] [--paths P] [N...]
 *                                         (defaults: K 100000, R 3, P 1, N 256 16384)
 *   bench/resolve [--paths P] --testbed N DIR   write the testbed files, print their -d options
 *
 * N is the size of the LUN index.  For each N, writes a umockdev testbed
 * (testbed.c) of N plain single-path SCSI disks, each its own LUN with an
 * NAA 6 GUID, VPD pages 0x83 and 0x80 and udev's ID_SERIAL (with --paths
 * P > 1: N multipath maps of P iSCSI paths each), then runs itself under
 * umockdev-run, where it
 *   - runs storvirt_lun_refresh() once and checks the snapshot: N LUNs, each
 *     GUID of the testbed found with its device node;
 *   - parses K specs {"GUID": ...} from JSON, cycling over the N GUIDs with
 *     a stride coprime to N (so consecutive specs hit LUNs far apart in the
 *     index), all before any timing;
 *   - times R passes of storvirt_resolve_disk(STORVIRT_RESOLVE_NO_REFRESH)
 *     over the K specs, each call timed alone: the LUN lookup, the choice
 *     of the path, the identity of the device at that path read again from
 *     sysfs, the <disk> XML.  Every result is checked outside the timing: a
 *     block <disk> whose source is the LUN's device node;
 *   - for comparison, times the same passes of storvirt_lun_lookup_by_guid()
 *     alone, and of storvirt_resolve_disk() of {"path": NODE} specs for the
 *     same device nodes (spec checks, a stat, the XML: no LUN lookup, no
 *     identity check).
 * Prints, per N, the cost per spec of the best pass and the median and 99th
 * percentile of single calls, then how the per-spec cost at the largest N
 * compares with the smallest.  The target printed is a figure to compare
 * against, never an assertion.  Under umockdev every file system call goes
 * through its preload, which makes sysfs reads dearer than on a real host.
 *
 * To profile the library under umockdev, with the same testbed:
 *   TMPDIR=/dev/shm umockdev-run $(resolve --testbed 16384 DIR) --
 *           perf record -g resolve --inner 16384
 */
#include <errno.h>
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

#define DEFAULT_SPECS 100000L
#define DEFAULT_RUNS 3
#define MAX_RUNS 101
#define STRIDE 7919             /* a prime: coprime to every N it does not divide */

/* Target (printed for comparison, never asserted). */
#define TARGET_GROWTH 1.3       /* per-spec cost, largest N / smallest N */

struct result {
        long n, luns, specs;
        double refresh;                         /* the one discovery pass, s */
        double guid_best, guid_p50, guid_p99;   /* per spec (best pass) and per call, s */
        double lookup_best, path_best;          /* per spec, best pass, s */
        double wall;
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

static void die_lib(const char *what) {
        testbed_fail("%s: %s", what,
                     storvirt_error_message() ? storvirt_error_message() : "(no message)");
}

static long gcd(long a, long b) {
        while (b) {
                long t = a % b;
                a = b;
                b = t;
        }
        return a;
}

/* ---- inside umockdev-run ---------------------------------------------------------------- */

struct bench {
        storvirt_ctx *ctx;
        long n, k;
        char (*guid)[TESTBED_GUID_MAX]; /* of LUN m */
        char **node;                    /* device node of LUN m */
        long *lun_of;                   /* spec i -> LUN m */
        storvirt_disk_spec **guid_spec, **path_spec;
};

/* The snapshot must hold the testbed's N LUNs; records each one's device node. */
static void check_luns(struct bench *b, int paths) {
        storvirt_lun **luns = NULL;
        size_t nluns = 0;

        if (storvirt_lun_list(b->ctx, NULL, &luns, &nluns, 0) < 0)
                die_lib("storvirt_lun_list");
        if ((long)nluns != b->n)
                testbed_fail("N=%ld: %zu LUNs, expected %ld", b->n, nluns, b->n);
        storvirt_lun_list_free(luns);
        for (long m = 0; m < b->n; m++) {
                storvirt_lun *lun = NULL;
                const char *node;
                char want[64];

                testbed_guid(m, b->guid[m]);
                if (storvirt_lun_lookup_by_guid(b->ctx, b->guid[m], &lun) < 0)
                        die_lib(b->guid[m]);
                node = storvirt_lun_get_devnode(lun);
                if (paths == 1) {
                        char name[32];

                        testbed_sd_name(m, name, sizeof(name));
                        snprintf(want, sizeof(want), "/dev/%s", name);
                } else
                        snprintf(want, sizeof(want), "/dev/dm-%ld", m);
                if (!node || strcmp(node, want) != 0)
                        testbed_fail("LUN %s: device node %s, expected %s", b->guid[m],
                                     node ? node : "(none)", want);
                if ((long)storvirt_lun_get_n_paths(lun) != paths)
                        testbed_fail("LUN %s: %zu paths, expected %d", b->guid[m],
                                     storvirt_lun_get_n_paths(lun), paths);
                b->node[m] = strdup(node);
                if (!b->node[m])
                        testbed_fail("out of memory");
                storvirt_lun_unref(lun);
        }
}

/* Both kinds of spec for every i, outside any timing. */
static void make_specs(struct bench *b) {
        long stride = STRIDE % b->n ? STRIDE : 1;
        char json[256];

        while (gcd(stride, b->n) != 1)
                stride++;
        for (long i = 0; i < b->k; i++) {
                long m = (long)((i * (unsigned long long)stride) % (unsigned long long)b->n);

                b->lun_of[i] = m;
                snprintf(json, sizeof(json), "{\"GUID\": \"%s\"}", b->guid[m]);
                if (storvirt_disk_spec_from_json(json, &b->guid_spec[i], 0) < 0)
                        die_lib(json);
                snprintf(json, sizeof(json), "{\"path\": \"%s\"}", b->node[m]);
                if (storvirt_disk_spec_from_json(json, &b->path_spec[i], 0) < 0)
                        die_lib(json);
        }
}

/* A <disk> of type block whose source is node. */
static void check_xml(const char *xml, const char *node, const char *what) {
        const char *src = strstr(xml, "<source");
        const char *p = src ? strstr(src, node) : NULL;
        size_t len = strlen(node);

        if (strncmp(xml, "<disk", 5) != 0 || !strstr(xml, "block") || !p ||
            (p[-1] != '"' && p[-1] != '\'') || (p[len] != '"' && p[len] != '\''))
                testbed_fail("%s: expected a block <disk> with source %s, got:\n%s", what, node,
                             xml);
}

/* One pass of K resolutions; returns the sum of the calls' times, each in t[i]. */
static double pass_resolve(struct bench *b, storvirt_disk_spec **specs, double *t) {
        double total = 0;

        for (long i = 0; i < b->k; i++) {
                char *xml = NULL;
                double t0 = now();
                int r = storvirt_resolve_disk(b->ctx, specs[i], &xml, STORVIRT_RESOLVE_NO_REFRESH);
                double dt = now() - t0;

                if (r < 0)
                        die_lib(b->guid[b->lun_of[i]]);
                check_xml(xml, b->node[b->lun_of[i]], b->guid[b->lun_of[i]]);
                storvirt_free(xml);
                t[i] = dt;
                total += dt;
        }
        return total;
}

static double pass_lookup(struct bench *b) {
        double total = 0;

        for (long i = 0; i < b->k; i++) {
                const char *guid = b->guid[b->lun_of[i]];
                storvirt_lun *lun = NULL;
                double t0 = now();
                int r = storvirt_lun_lookup_by_guid(b->ctx, guid, &lun);

                total += now() - t0;
                if (r < 0)
                        die_lib(guid);
                storvirt_lun_unref(lun);
        }
        return total;
}

static int inner(long n, long k, int runs, int paths) {
        struct bench b = { .n = n, .k = k };
        struct result res = { .n = n, .luns = n, .specs = k };
        double *calls, *scratch, *t, best;

        if (!getenv("UMOCKDEV_DIR"))
                testbed_fail("--inner runs under umockdev-run only");
        b.guid = calloc((size_t)n, sizeof(*b.guid));
        b.node = calloc((size_t)n, sizeof(*b.node));
        b.lun_of = calloc((size_t)k, sizeof(*b.lun_of));
        b.guid_spec = calloc((size_t)k, sizeof(*b.guid_spec));
        b.path_spec = calloc((size_t)k, sizeof(*b.path_spec));
        calls = calloc((size_t)k * (size_t)runs, sizeof(*calls));
        scratch = calloc((size_t)k, sizeof(*scratch));
        if (!b.guid || !b.node || !b.lun_of || !b.guid_spec || !b.path_spec || !calls ||
            !scratch)
                testbed_fail("out of memory");

        if (storvirt_ctx_new(&b.ctx, STORVIRT_CTX_NEW_IGNORE_ENV) < 0)
                die_lib("storvirt_ctx_new");
        res.refresh = now();
        if (storvirt_lun_refresh(b.ctx, 0) < 0)
                die_lib("storvirt_lun_refresh");
        res.refresh = now() - res.refresh;
        check_luns(&b, paths);
        make_specs(&b);

        /* Interleaved passes, so that drift affects all three alike. */
        res.lookup_best = res.path_best = 1e30;
        best = 1e30;
        for (int r = 0; r < runs; r++) {
                double tg, tl, tp;

                t = calls + (size_t)r * (size_t)k;
                tg = pass_resolve(&b, b.guid_spec, t);
                tl = pass_lookup(&b);
                /* The path specs' single call times are not kept, only their sum. */
                tp = pass_resolve(&b, b.path_spec, scratch);
                if (tg < best)
                        best = tg;
                if (tl < res.lookup_best)
                        res.lookup_best = tl;
                if (tp < res.path_best)
                        res.path_best = tp;
        }
        qsort(calls, (size_t)k * (size_t)runs, sizeof(*calls), cmp_double);
        res.guid_best = best / (double)k;
        res.guid_p50 = calls[(size_t)k * (size_t)runs / 2];
        res.guid_p99 = calls[(size_t)((double)k * runs * 0.99)];
        res.lookup_best /= (double)k;
        res.path_best /= (double)k;
        printf("result %ld %ld %ld %.9f %.9f %.9f %.9f %.9f %.9f\n", res.n, res.luns, res.specs,
               res.refresh, res.guid_best, res.guid_p50, res.guid_p99, res.lookup_best,
               res.path_best);

        for (long i = 0; i < k; i++) {
                storvirt_disk_spec_free(b.guid_spec[i]);
                storvirt_disk_spec_free(b.path_spec[i]);
        }
        for (long m = 0; m < n; m++)
                free(b.node[m]);
        free(b.guid);
        free(b.node);
        free(b.lun_of);
        free(b.guid_spec);
        free(b.path_spec);
        free(calls);
        free(scratch);
        storvirt_ctx_unref(b.ctx);
        return 0;
}

/* ---- outside: one umockdev-run per N ------------------------------------------------------ */

static void measure(const char *self, long n, long k, int runs, int paths, struct result *res) {
        char dir[PATH_MAX], nbuf[32], kbuf[32], rbuf[32], pbuf[32], line[512], **files = NULL;
        char **argv;
        int nfiles, status, a;
        double t0;
        FILE *in;
        pid_t pid;

        snprintf(dir, sizeof(dir), "%s/storvirt-resolve.XXXXXX", testbed_base_dir());
        if (!mkdtemp(dir))
                testbed_fail("mkdtemp %s: %s", dir, strerror(errno));
        nfiles = testbed_write(n, paths, dir, &files);
        argv = testbed_umockdev_argv(files, 9, &a);
        snprintf(nbuf, sizeof(nbuf), "%ld", n);
        snprintf(kbuf, sizeof(kbuf), "%ld", k);
        snprintf(rbuf, sizeof(rbuf), "%d", runs);
        snprintf(pbuf, sizeof(pbuf), "%d", paths);
        argv[a++] = (char *)self;
        argv[a++] = (char *)"--specs";
        argv[a++] = kbuf;
        argv[a++] = (char *)"--runs";
        argv[a++] = rbuf;
        argv[a++] = (char *)"--paths";
        argv[a++] = pbuf;
        argv[a++] = (char *)"--inner";
        argv[a++] = nbuf;
        argv[a] = NULL;

        t0 = now();
        in = testbed_spawn(argv, &pid);
        memset(res, 0, sizeof(*res));
        while (fgets(line, sizeof(line), in)) {
                if (strncmp(line, "result ", 7) == 0) {
                        if (sscanf(line + 7, "%ld %ld %ld %lf %lf %lf %lf %lf %lf", &res->n,
                                   &res->luns, &res->specs, &res->refresh, &res->guid_best,
                                   &res->guid_p50, &res->guid_p99, &res->lookup_best,
                                   &res->path_best) != 9)
                                testbed_fail("bad result line: %s", line);
                } else
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
        fprintf(stderr, "usage: resolve [--specs K] [--runs R] [--paths P] [N...]\n"
                        "       resolve [--paths P] --testbed N DIR\n");
        exit(2);
}

static long parse_long(const char *s, long max) {
        char *end;
        long n;

        errno = 0;
        n = strtol(s, &end, 10);
        if (errno || end == s || *end || n <= 0 || n > max)
                usage();
        return n;
}

int main(int argc, char **argv) {
        static const long defaults[] = { 256, 16384 };
        long ns[64], inner_n = 0, k = DEFAULT_SPECS;
        const char *testbed_dir = NULL;
        size_t nn = 0;
        int runs = DEFAULT_RUNS, paths = 1;
        struct result res[64];
        char self[PATH_MAX];
        ssize_t len;

        testbed_set_prog("resolve");
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--specs") == 0 && i + 1 < argc)
                        k = parse_long(argv[++i], 100L * 1000 * 1000);
                else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
                        runs = (int)parse_long(argv[++i], MAX_RUNS);
                else if (strcmp(argv[i], "--paths") == 0 && i + 1 < argc)
                        paths = (int)parse_long(argv[++i], 16);
                else if (strcmp(argv[i], "--inner") == 0 && i + 1 < argc)
                        inner_n = parse_long(argv[++i], TESTBED_MAX_DISKS);
                else if (strcmp(argv[i], "--testbed") == 0 && i + 2 < argc) {
                        ns[nn++] = parse_long(argv[++i], TESTBED_MAX_DISKS);
                        testbed_dir = argv[++i];
                } else if (argv[i][0] == '-' || nn == sizeof(ns) / sizeof(ns[0]))
                        usage();
                else
                        ns[nn++] = parse_long(argv[i], TESTBED_MAX_DISKS);
        }
        if (inner_n)
                return inner(inner_n, k, runs, paths);
        if (testbed_dir) {
                char **files = NULL;
                int nf;

                if (nn != 1)
                        usage();
                if (mkdir(testbed_dir, 0700) < 0 && errno != EEXIST)
                        testbed_fail("%s: %s", testbed_dir, strerror(errno));
                nf = testbed_write(ns[0], paths, testbed_dir, &files);
                for (int f = 0; f < nf; f++) {
                        printf("-d %s%s", files[f], f + 1 < nf ? " " : "\n");
                        free(files[f]);
                }
                free(files);
                return 0;
        }
        if (nn == 0)
                for (; nn < sizeof(defaults) / sizeof(defaults[0]); nn++)
                        ns[nn] = defaults[nn];

        /* The path of this program, for umockdev-run to run again. */
        len = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (len <= 0)
                testbed_fail("/proc/self/exe: %s", strerror(errno));
        self[len] = '\0';

        printf("resolve: storvirt_resolve_disk(NO_REFRESH) of %ld GUID specs under umockdev, "
               "best of %d passes, testbed in %s:\n"
               "  N LUNs in the index, each %s\n", k, runs, testbed_base_dir(),
               paths == 1 ? "a plain single-path SCSI disk"
                          : "a multipath map of iSCSI paths");
        for (size_t i = 0; i < nn; i++) {
                measure(self, ns[i], k, runs, paths, &res[i]);
                printf("  N=%-6ld testbed: %d files, discovery %.2f s, umockdev-run wall %.1f s\n",
                       ns[i], res[i].files, res[i].refresh, res[i].wall);
        }
        printf("\n%7s %8s %12s %9s %9s %12s %12s %12s\n", "N", "specs", "GUID us/spec",
               "call p50", "call p99", "lookup us", "path us/spec", "GUID-path us");
        for (size_t i = 0; i < nn; i++) {
                struct result *r = &res[i];

                printf("%7ld %8ld %12.2f %9.2f %9.2f %12.3f %12.2f %12.2f\n", r->n, r->specs,
                       r->guid_best * 1e6, r->guid_p50 * 1e6, r->guid_p99 * 1e6,
                       r->lookup_best * 1e6, r->path_best * 1e6,
                       (r->guid_best - r->path_best) * 1e6);
        }
        if (nn > 1) {
                struct result *lo = &res[0], *hi = &res[0];

                for (size_t i = 1; i < nn; i++) {
                        if (res[i].n < lo->n)
                                lo = &res[i];
                        if (res[i].n > hi->n)
                                hi = &res[i];
                }
                printf("\nper-spec cost N=%ld vs N=%ld: GUID spec %.2fx, lookup %.2fx, path spec "
                       "%.2fx  (target: GUID spec <= %.1fx)\n", hi->n, lo->n,
                       hi->guid_best / lo->guid_best, hi->lookup_best / lo->lookup_best,
                       hi->path_best / lo->path_best, TARGET_GROWTH);
        }
        return 0;
}
