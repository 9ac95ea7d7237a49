/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * testbed.c - see testbed.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testbed.h"

#define RECORDS_PER_FILE 34

static const char *prog = "bench";

void testbed_set_prog(const char *p) {
        prog = p;
}

void testbed_fail(const char *fmt, ...) {
        va_list ap;

        fflush(stdout);
        fprintf(stderr, "%s: ", prog);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        exit(1);
}

struct bed {
        FILE *f;
        bool first;             /* no record in this file yet */
        long sd, dm;            /* disks and maps written so far */
        long host, session;
};

void testbed_sd_name(long i, char *buf, size_t size) {
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

void testbed_naa6(long m, unsigned char out[16]) {
        unsigned long long v = (unsigned long long)(m + 10000);

        memcpy(out, "\x60\x01\x40\x50", 4);
        memset(out + 4, 0, 12);
        for (int i = 15; i >= 4 && v; i--, v >>= 8)
                out[i] = (unsigned char)(v & 0xff);
}

void testbed_guid(long m, char out[TESTBED_GUID_MAX]) {
        unsigned char naa[16];

        testbed_naa6(m, naa);
        out[0] = '3';
        for (int k = 0; k < 16; k++)
                snprintf(out + 1 + 2 * k, 3, "%02x", naa[k]);
}

static void hex(FILE *f, const unsigned char *b, size_t n) {
        for (size_t i = 0; i < n; i++)
                fprintf(f, "%02x", b[i]);
}

/* A record starts with a blank line after the previous one in the same file. */
static void record(struct bed *b) {
        if (!b->first)
                fputc('\n', b->f);
        b->first = false;
}

static void devnum(FILE *f, unsigned major, unsigned minor) {
        fprintf(f, "A: dev=%u:%u\nE: MAJOR=%u\nE: MINOR=%u\n", major, minor, major, minor);
}

static void iscsi_session(struct bed *b, long lun, int path) {
        record(b);
        fprintf(b->f, "P: /devices/platform/host%ld/session%ld/iscsi_session/session%ld\n"
                      "E: SUBSYSTEM=iscsi_session\nA: targetname=iqn.2026-11.example:t%ld\n"
                      "A: tpgt=1\nA: initiatorname=iqn.2026-11.example:host\n",
                b->host, b->session, b->session, lun);
        record(b);
        fprintf(b->f, "P: /devices/platform/host%ld/session%ld/connection%ld:0/iscsi_connection/"
                      "connection%ld:0\nE: SUBSYSTEM=iscsi_connection\n"
                      "A: persistent_address=127.0.0.%d\nA: persistent_port=3260\n",
                b->host, b->session, b->session, b->session, path + 1);
}

/* The SCSI device and its sd disk; blk gets the disk's sysfs path. */
static void scsi_disk(struct bed *b, long lun, bool iscsi, const unsigned char naa[16],
                      char *name, size_t name_size, char *blk, size_t blk_size) {
        long lun_nr = iscsi ? lun % 256 : 0;
        char tgt[192], serial[32];

        testbed_sd_name(b->sd, name, name_size);
        b->sd++;
        if (iscsi)
                snprintf(tgt, sizeof(tgt), "/devices/platform/host%ld/session%ld/target%ld:0:0/"
                                           "%ld:0:0:%ld", b->host, b->session, b->host, b->host,
                         lun_nr);
        else
                snprintf(tgt, sizeof(tgt), "/devices/platform/host%ld/target%ld:0:0/%ld:0:0:%ld",
                         b->host, b->host, b->host, lun_nr);
        record(b);
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
        record(b);
        fprintf(b->f, "P: %s\nN: %s\nE: DEVNAME=/dev/%s\nE: DEVTYPE=disk\n", blk, name, name);
        devnum(b->f, 8, (unsigned)((b->sd - 1) * 16));
        fprintf(b->f, "E: SUBSYSTEM=block\nA: size=2097152\nA: queue/logical_block_size=512\n"
                      "A: queue/physical_block_size=4096\nA: queue/discard_max_bytes=0\n"
                      "A: queue/rotational=0\nL: device=../../../%ld:0:0:%ld\n", b->host, lun_nr);
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

static void map(struct bed *b, const unsigned char naa[16], int paths, char slaves[][16],
                char blks[][512]) {
        long k = b->dm++;

        record(b);
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
        for (int p = 0; p < paths; p++)
                fprintf(b->f, "L: slaves/%s=../../../..%s\n", slaves[p],
                        blks[p] + strlen("/devices"));
}

int testbed_write(long luns, int paths_per_lun, const char *dir, char ***ret_files) {
        struct bed b = {};
        bool mp = paths_per_lun > 1;
        /* Records per LUN: per path a disk and its SCSI device (and a session, a
           connection), and the map. */
        long per_lun = paths_per_lun * (mp ? 4 : 2) + (mp ? 1 : 0);
        long luns_per_file = per_lun < RECORDS_PER_FILE ? RECORDS_PER_FILE / per_lun : 1;
        int nfiles = (int)((luns + luns_per_file - 1) / luns_per_file);
        char **files;

        if (luns <= 0 || paths_per_lun < 1 || paths_per_lun > 16 ||
            luns > TESTBED_MAX_DISKS / paths_per_lun)
                testbed_fail("a testbed of %ld LUNs of %d paths: at most %ld disks", luns,
                             paths_per_lun, TESTBED_MAX_DISKS);
        files = calloc((size_t)nfiles + 1, sizeof(*files));
        if (!files)
                testbed_fail("out of memory");
        for (int fi = 0; fi < nfiles; fi++) {
                long end = (long)(fi + 1) * luns_per_file;

                if (asprintf(&files[fi], "%s/bed-%04d.umockdev", dir, fi) < 0)
                        testbed_fail("out of memory");
                b.f = fopen(files[fi], "we");
                if (!b.f)
                        testbed_fail("%s: %s", files[fi], strerror(errno));
                b.first = true;
                for (long m = (long)fi * luns_per_file; m < luns && m < end; m++) {
                        char slaves[16][16], blks[16][512];
                        unsigned char naa[16];

                        testbed_naa6(m, naa);
                        for (int p = 0; p < paths_per_lun; p++) {
                                if (mp)
                                        iscsi_session(&b, m, p);
                                scsi_disk(&b, m, mp, naa, slaves[p], sizeof(slaves[p]), blks[p],
                                          sizeof(blks[p]));
                                b.host++;
                                b.session += mp;
                        }
                        if (mp)
                                map(&b, naa, paths_per_lun, slaves, blks);
                }
                if (fclose(b.f) != 0)
                        testbed_fail("%s: %s", files[fi], strerror(errno));
        }
        *ret_files = files;
        return nfiles;
}

void testbed_remove(const char *dir, char **files) {
        for (size_t i = 0; files[i]; i++) {
                unlink(files[i]);
                free(files[i]);
        }
        free(files);
        rmdir(dir);
}

const char *testbed_base_dir(void) {
        struct stat st;

        return stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0
                       ? "/dev/shm" : "/tmp";
}

char **testbed_umockdev_argv(char **files, size_t extra, int *ret_k) {
        size_t nfiles = 0;
        char **argv;
        int k = 0;

        while (files[nfiles])
                nfiles++;
        argv = calloc(2 * nfiles + extra + 3, sizeof(*argv));
        if (!argv)
                testbed_fail("out of memory");
        argv[k++] = (char *)"umockdev-run";
        for (size_t i = 0; i < nfiles; i++) {
                argv[k++] = (char *)"-d";
                argv[k++] = files[i];
        }
        argv[k++] = (char *)"--";
        *ret_k = k;
        return argv;
}

FILE *testbed_spawn(char **argv, pid_t *ret_pid) {
        int fds[2];
        FILE *in;
        pid_t pid;

        if (pipe2(fds, O_CLOEXEC) < 0)
                testbed_fail("pipe: %s", strerror(errno));
        fflush(stdout);
        pid = fork();
        if (pid < 0)
                testbed_fail("fork: %s", strerror(errno));
        if (pid == 0) {
                /* umockdev-run's own temporary testbed: on tmpfs too. */
                setenv("TMPDIR", testbed_base_dir(), 1);
                if (dup2(fds[1], STDOUT_FILENO) < 0)
                        _exit(127);
                execvp(argv[0], argv);
                fprintf(stderr, "%s: %s: %s\n", prog, argv[0], strerror(errno));
                _exit(127);
        }
        close(fds[1]);
        in = fdopen(fds[0], "r");
        if (!in)
                testbed_fail("fdopen: %s", strerror(errno));
        *ret_pid = pid;
        return in;
}
