/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lun-list.c - LUN discovery at scale, against lsblk on the same devices.
 *
 *   bench/lun-list [--threads T] [--runs R] [N...]        (default: 256 4096)
 *   bench/lun-list --testbed N DIR       write the testbed files, print their -d options
 *
 * For each N, writes a umockdev testbed of N iSCSI SCSI disks grouped as
 * N/4 multipath maps of 4 paths (the records of tests/scripts/gen-testbed.py
 * "scale", plus the udev properties real udev puts on a SCSI disk: ID_SERIAL,
 * ID_SERIAL_SHORT, ID_WWN, ID_WWN_WITH_EXTENSION, ID_SCSI_SERIAL), split in
 * small files because umockdev's loader is quadratic in the size of one
 * file.  The files go to /dev/shm when it exists.  Then runs itself under
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
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <storvirt.h>

#define PATHS_PER_MAP 4
#define MAPS_PER_FILE 2         /* 2 x 17 = 34 records per testbed file */
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

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fail(const char *fmt, ...) {
        va_list ap;

        fflush(stdout);
        fputs("lun-list: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        exit(1);
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

/* ---- the testbed (gen-testbed.py scale) ------------------------------------------------- */

struct bed {
        FILE *f;
        long sd, dm;            /* disks and maps written so far */
        long host, session;
};

/* The kernel name of the sd disk with 0-based index i: sda ... sdz, sdaa ... */
static void sd_name(long i, char *buf, size_t size) {
        char rev[16];
        size_t k = 0;

        for (long n = i + 1; n > 0 && k < sizeof(rev); n = (n - 1) / 26)
                rev[k++] = (char)('a' + (n - 1) % 26);
        snprintf(buf, size, "sd");
        for (size_t j = 2; k > 0 && j + 1 < size; j++) {
                buf[j] = rev[--k];
                buf[j + 1] = '\0';
        }
}

static void hex(FILE *f, const unsigned char *b, size_t n) {
        for (size_t i = 0; i < n; i++)
                fprintf(f, "%02x", b[i]);
}

/* A record starts with a blank line after the previous one in the same file. */
static void record(struct bed *b, bool *first) {
        if (!*first)
                fputc('\n', b->f);
        *first = false;
}

static void devnum(FILE *f, unsigned major, unsigned minor) {
        fprintf(f, "A: dev=%u:%u\nE: MAJOR=%u\nE: MINOR=%u\n", major, minor, major, minor);
}

static void iscsi_session(struct bed *b, bool *first, long map, int path) {
        record(b, first);
        fprintf(b->f, "P: /devices/platform/host%ld/session%ld/iscsi_session/session%ld\n"
                      "E: SUBSYSTEM=iscsi_session\nA: targetname=iqn.2026-11.example:t%ld\n"
                      "A: tpgt=1\nA: initiatorname=iqn.2026-11.example:host\n",
                b->host, b->session, b->session, map);
        record(b, first);
        fprintf(b->f, "P: /devices/platform/host%ld/session%ld/connection%ld:0/iscsi_connection/"
                      "connection%ld:0\nE: SUBSYSTEM=iscsi_connection\n"
                      "A: persistent_address=127.0.0.%d\nA: persistent_port=3260\n",
                b->host, b->session, b->session, b->session, path + 1);
}

/* The SCSI device and its sd disk; blk gets the disk's sysfs path. */
static void scsi_disk(struct bed *b, bool *first, long map, const unsigned char naa[16],
                      char *name, size_t name_size, char *blk, size_t blk_size) {
        long lun = map % 256;
        char tgt[160], serial[32];

        sd_name(b->sd, name, name_size);
        b->sd++;
        snprintf(tgt, sizeof(tgt), "/devices/platform/host%ld/session%ld/target%ld:0:0/%ld:0:0:%ld",
                 b->host, b->session, b->host, b->host, lun);
        record(b, first);
        fprintf(b->f, "P: %s\nE: SUBSYSTEM=scsi\nE: DEVTYPE=scsi_device\nA: vendor=LIO-ORG\n"
                      "A: model=disk\nA: rev=4.0\nA: state=running\n", tgt);
        /*
         * VPD 0x83: page header (0x83, length 20), one designator (binary,
         * NAA, associated with the LUN, 16 bytes); VPD 0x80: an 8-byte serial.
         */
        snprintf(serial, sizeof(serial), "SER%05ld", b->sd);
        fprintf(b->f, "H: vpd_pg83=00830014" "01030010");
        hex(b->f, naa, 16);
        fprintf(b->f, "\nH: vpd_pg80=00800008");
        hex(b->f, (const unsigned char *)serial, 8);
        fputc('\n', b->f);
        snprintf(blk, blk_size, "%s/block/%s", tgt, name);
        record(b, first);
        fprintf(b->f, "P: %s\nN: %s\nE: DEVNAME=/dev/%s\nE: DEVTYPE=disk\n", blk, name, name);
        devnum(b->f, 8, (unsigned)((b->sd - 1) * 16));
        fprintf(b->f, "E: SUBSYSTEM=block\nA: size=2097152\nA: queue/logical_block_size=512\n"
                      "A: queue/physical_block_size=4096\nA: queue/discard_max_bytes=0\n"
                      "A: queue/rotational=0\nL: device=../../../%ld:0:0:%ld\n", b->host, lun);
        /* What udev's scsi_id puts on the disk (60-persistent-storage.rules). */
        fprintf(b->f, "E: ID_SERIAL=3");
        hex(b->f, naa, 16);
        fprintf(b->f, "\nE: ID_SERIAL_SHORT=");
        hex(b->f, naa, 16);
        fprintf(b->f, "\nE: ID_WWN=0x");
        hex(b->f, naa, 8);
        fprintf(b->f, "\nE: ID_WWN_WITH_EXTENSION=0x");
        hex(b->f, naa, 16);
        fprintf(b->f, "\nE: ID_SCSI_SERIAL=%s\n", serial);
}

static void map(struct bed *b, bool *first, const unsigned char naa[16], char slaves[][16],
                char blks[][512]) {
        long k = b->dm++;

        record(b, first);
        fprintf(b->f, "P: /devices/virtual/block/dm-%ld\nN: dm-%ld\nE: DEVNAME=/dev/dm-%ld\n"
                      "E: DEVTYPE=disk\n", k, k, k);
        devnum(b->f, 253, (unsigned)k);
        fprintf(b->f, "E: SUBSYSTEM=block\nA: size=2097152\nA: queue/logical_block_size=512\n"
                      "A: queue/physical_block_size=4096\nA: queue/discard_max_bytes=0\n"
                      "A: queue/rotational=0\nA: dm/uuid=mpath-3");
        hex(b->f, naa, 16);
        fprintf(b->f, "\nA: dm/name=3");
        hex(b->f, naa, 16);
        fputc('\n', b->f);
        for (int p = 0; p < PATHS_PER_MAP; p++)
                fprintf(b->f, "L: slaves/%s=../../../..%s\n", slaves[p],
                        blks[p] + strlen("/devices"));
}

/* NAA 6 identifier of map m: 6001405 0, then m + 10000 in 24 hex digits. */
static void naa6(long m, unsigned char out[16]) {
        unsigned long long v = (unsigned long long)(m + 10000);

        memcpy(out, "\x60\x01\x40\x50", 4);
        memset(out + 4, 0, 12);
        for (int i = 15; i >= 4 && v; i--, v >>= 8)
                out[i] = (unsigned char)(v & 0xff);
}

/* Writes the testbed of n disks as files DIR/bed-NNNN.umockdev; returns how many. */
static int write_testbed(long n, const char *dir, char ***ret_files) {
        struct bed b = {};
        long maps = n / PATHS_PER_MAP;
        int nfiles = (int)((maps + MAPS_PER_FILE - 1) / MAPS_PER_FILE);
        char **files = calloc((size_t)nfiles + 1, sizeof(*files));

        if (!files)
                fail("out of memory");
        for (int fi = 0; fi < nfiles; fi++) {
                long end = (long)(fi + 1) * MAPS_PER_FILE;
                bool first = true;

                if (asprintf(&files[fi], "%s/bed-%04d.umockdev", dir, fi) < 0)
                        fail("out of memory");
                b.f = fopen(files[fi], "we");
                if (!b.f)
                        fail("%s: %s", files[fi], strerror(errno));
                for (long m = (long)fi * MAPS_PER_FILE; m < maps && m < end; m++) {
                        char slaves[PATHS_PER_MAP][16], blks[PATHS_PER_MAP][512];
                        unsigned char naa[16];

                        naa6(m, naa);
                        for (int p = 0; p < PATHS_PER_MAP; p++) {
                                iscsi_session(&b, &first, m, p);
                                scsi_disk(&b, &first, m, naa, slaves[p], sizeof(slaves[p]),
                                          blks[p], sizeof(blks[p]));
                                b.host++;
                                b.session++;
                        }
                        map(&b, &first, naa, slaves, blks);
                }
                if (fclose(b.f) != 0)
                        fail("%s: %s", files[fi], strerror(errno));
        }
        *ret_files = files;
        return nfiles;
}

/* ---- inside umockdev-run ---------------------------------------------------------------- */

/* Starts lsblk with its stdout on out_fd (-1: /dev/null). */
static pid_t start_lsblk(int out_fd) {
        static const char *const argv[] = {
                "lsblk", "-J", "-o", "NAME,WWN,SERIAL,SIZE,VENDOR,MODEL", NULL,
        };
        pid_t pid = fork();

        if (pid < 0)
                fail("fork: %s", strerror(errno));
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
                fail("waitpid: %s", strerror(errno));
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                fail("lsblk failed (status 0x%x)", status);
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
                fail("lsblk output: %s", strerror(errno));
        pid = start_lsblk(fds[1]);
        close(fds[1]);
        while ((k = read(fds[0], out + len, cap - len - 1)) > 0) {
                len += (size_t)k;
                if (len + 1 == cap && !(out = realloc(out, cap *= 2)))
                        fail("out of memory");
        }
        close(fds[0]);
        wait_lsblk(pid);
        out[len] = '\0';
        sd = count(out, "\"name\":\"sd") + count(out, "\"name\": \"sd");
        dm = count(out, "\"name\":\"dm-") + count(out, "\"name\": \"dm-");
        wwn = count(out, "\"0x60014050");
        serial = count(out, "\"SER");
        if ((long)sd < n || (long)wwn < n || (long)serial < n)
                fail("lsblk lists %zu sd disks, %zu with a WWN, %zu with a serial; "
                     "expected %ld:\n%.2000s", sd, wwn, serial, n, out);
        printf("note lsblk lists %zu sd entries (%zu WWNs, %zu serials) and %zu dm entries\n",
               sd, wwn, serial, dm);
        free(out);
}

static void die_lib(const char *what) {
        fail("%s: %s", what, storvirt_error_message() ? storvirt_error_message() : "(no message)");
}

/* The refreshed snapshot must be N/4 maps of 4 iSCSI paths with the testbed's GUIDs. */
static long check_luns(storvirt_ctx *ctx, long n, bool report) {
        storvirt_lun **luns = NULL;
        size_t nluns = 0, status[3] = {};
        const char *reason0 = NULL;

        if (storvirt_lun_list(ctx, NULL, &luns, &nluns, 0) < 0)
                die_lib("storvirt_lun_list");
        if ((long)nluns != n / PATHS_PER_MAP)
                fail("N=%ld: %zu LUNs, expected %ld", n, nluns, n / PATHS_PER_MAP);
        for (size_t i = 0; i < nluns; i++) {
                const char *guid = storvirt_lun_get_guid(luns[i]), *reason = NULL;
                unsigned char naa[16];
                char want[40];
                int st;

                naa6((long)i, naa);
                want[0] = '3';
                for (int k = 0; k < 16; k++)
                        snprintf(want + 1 + 2 * k, 3, "%02x", naa[k]);
                if (!guid || guid[0] != '3' || strcmp(guid, want) != 0)
                        fail("LUN %zu (%s): GUID %s, expected %s", i,
                             storvirt_lun_get_name(luns[i]), guid ? guid : "(none)", want);
                if (storvirt_lun_get_n_paths(luns[i]) != PATHS_PER_MAP)
                        fail("LUN %s: %zu paths, expected %d", guid,
                             storvirt_lun_get_n_paths(luns[i]), PATHS_PER_MAP);
                if (!storvirt_lun_get_dm_name(luns[i]) ||
                    strcmp(storvirt_lun_get_devtype(luns[i]), "iscsi") != 0)
                        fail("LUN %s: not an iSCSI multipath map (type %s)", guid,
                             storvirt_lun_get_devtype(luns[i]));
                for (size_t p = 0; p < PATHS_PER_MAP; p++) {
                        const storvirt_lun_path *path = storvirt_lun_get_path(luns[i], p);
                        const char *portal = NULL;

                        if (!path ||
                            storvirt_lun_path_get_iscsi(path, NULL, &portal, NULL, NULL) < 0 ||
                            !portal)
                                fail("LUN %s: path %zu has no iSCSI session", guid, p);
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

static const char *shm_or_tmp(void) {
        struct stat st;

        return stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0
                       ? "/dev/shm" : "/tmp";
}

static void remove_testbed(const char *dir, char **files) {
        for (size_t i = 0; files[i]; i++) {
                unlink(files[i]);
                free(files[i]);
        }
        free(files);
        rmdir(dir);
}

static void measure(const char *self, long n, unsigned threads, int runs, struct result *res) {
        const char *base = shm_or_tmp();
        char dir[PATH_MAX], nbuf[32], tbuf[32], rbuf[32], line[512], **files = NULL, **argv;
        int nfiles, fds[2], status, k = 0;
        double t0;
        FILE *in;
        pid_t pid;

        snprintf(dir, sizeof(dir), "%s/storvirt-lun-list.XXXXXX", base);
        if (!mkdtemp(dir))
                fail("mkdtemp %s: %s", dir, strerror(errno));
        nfiles = write_testbed(n, dir, &files);
        argv = calloc(2 * (size_t)nfiles + 12, sizeof(*argv));
        if (!argv)
                fail("out of memory");
        argv[k++] = (char *)"umockdev-run";
        for (int i = 0; i < nfiles; i++) {
                argv[k++] = (char *)"-d";
                argv[k++] = files[i];
        }
        snprintf(nbuf, sizeof(nbuf), "%ld", n);
        snprintf(tbuf, sizeof(tbuf), "%u", threads);
        snprintf(rbuf, sizeof(rbuf), "%d", runs);
        argv[k++] = (char *)"--";
        argv[k++] = (char *)self;
        argv[k++] = (char *)"--threads";
        argv[k++] = tbuf;
        argv[k++] = (char *)"--runs";
        argv[k++] = rbuf;
        argv[k++] = (char *)"--inner";
        argv[k++] = nbuf;
        argv[k] = NULL;

        if (pipe2(fds, O_CLOEXEC) < 0)
                fail("pipe: %s", strerror(errno));
        fflush(stdout);
        t0 = now();
        pid = fork();
        if (pid < 0)
                fail("fork: %s", strerror(errno));
        if (pid == 0) {
                /* umockdev-run's own temporary testbed: on tmpfs too. */
                setenv("TMPDIR", base, 1);
                if (dup2(fds[1], STDOUT_FILENO) < 0)
                        _exit(127);
                execvp(argv[0], argv);
                fprintf(stderr, "lun-list: umockdev-run: %s\n", strerror(errno));
                _exit(127);
        }
        close(fds[1]);
        in = fdopen(fds[0], "r");
        memset(res, 0, sizeof(*res));
        while (in && fgets(line, sizeof(line), in)) {
                if (strncmp(line, "result ", 7) == 0) {
                        if (sscanf(line + 7, "%ld %ld %lf %lf %lf %lf", &res->n, &res->luns,
                                   &res->lib_best, &res->lib_med, &res->lsblk_best,
                                   &res->lsblk_med) != 6)
                                fail("bad result line: %s", line);
                } else if (strncmp(line, "note ", 5) == 0)
                        printf("  N=%-6ld %s", n, line + 5);
                else
                        fputs(line, stdout);
        }
        if (in)
                fclose(in);
        if (waitpid(pid, &status, 0) < 0)
                fail("waitpid: %s", strerror(errno));
        res->wall = now() - t0;
        res->files = nfiles;
        remove_testbed(dir, files);
        free(argv);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                fail("N=%ld: the run under umockdev-run failed (status 0x%x)", n, status);
        if (res->n != n)
                fail("N=%ld: no result from the run under umockdev-run", n);
}

static void usage(void) {
        fprintf(stderr, "usage: lun-list [--threads T] [--runs R] [N...]   (N a multiple of %d)\n"
                        "       lun-list --testbed N DIR\n", PATHS_PER_MAP);
        exit(2);
}

static long parse_n(const char *s) {
        char *end;
        long n = strtol(s, &end, 10);

        if (*end || n <= 0 || n % PATHS_PER_MAP || n > 4L * 1024 * 1024)
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
                                fail("%s: %s", argv[i + 2], strerror(errno));
                        nf = write_testbed(n, argv[i + 2], &files);

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
                fail("/proc/self/exe: %s", strerror(errno));
        self[len] = '\0';

        printf("lun-list: LUN discovery (storvirt_lun_refresh) vs lsblk under umockdev, "
               "best/median of %d runs, testbed in %s\n", runs, shm_or_tmp());
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
