/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * testbed.h - the umockdev testbeds of the benchmarks: SCSI disks with
 * NAA 6 identities (VPD pages 0x83 and 0x80, and the udev properties real
 * udev puts on a SCSI disk), either grouped as multipath maps of several
 * iSCSI paths (the records of tests/scripts/gen-testbed.py "scale") or
 * alone, one plain single-path disk per LUN.  Written in small files,
 * because umockdev's loader is quadratic in the size of one file, under
 * /dev/shm when it exists.
 */
#pragma once

#include <stdio.h>
#include <sys/types.h>

/* A GUID of a testbed LUN, NUL included: "3" + 32 hex digits. */
#define TESTBED_GUID_MAX 40

/* At most this many disks: their device numbers are 8:16i, i < 65536. */
#define TESTBED_MAX_DISKS 65536L

/* Prints "PROG: message" to stderr (PROG from testbed_set_prog()) and exits 1. */
void testbed_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void testbed_set_prog(const char *prog);

/* The 16-byte NAA 6 identifier of LUN m: 6001405 0, then m + 10000 in 24 hex digits. */
void testbed_naa6(long m, unsigned char out[16]);

/* The GUID multipath gives LUN m: "3" and its NAA identifier in hex. */
void testbed_guid(long m, char out[TESTBED_GUID_MAX]);

/* The kernel name of the sd disk with 0-based index i: sda ... sdz, sdaa ... */
void testbed_sd_name(long i, char *buf, size_t size);

/*
 * Writes a testbed of `luns` LUNs as files DIR/bed-NNNN.umockdev and
 * returns how many; *ret_files gets their NULL-terminated list.
 * paths_per_lun 1: LUN m is the plain SCSI disk with index m (no iSCSI
 * session, no map).  paths_per_lun > 1: LUN m is the multipath map dm-<m>
 * over that many iSCSI paths (a session each), its disks numbered in
 * order.  Disk i is at device number 8:16i.
 */
int testbed_write(long luns, int paths_per_lun, const char *dir, char ***ret_files);

/* Removes the files of testbed_write(), frees the list, removes DIR. */
void testbed_remove(const char *dir, char **files);

/* /dev/shm when it is a writable directory, else /tmp. */
const char *testbed_base_dir(void);

/*
 * The argument vector "umockdev-run -d FILE... --", with room for `extra`
 * more arguments and the final NULL; *ret_k gets the index of the next
 * free slot.  Free the vector only (the strings are the files').
 */
char **testbed_umockdev_argv(char **files, size_t extra, int *ret_k);

/*
 * Starts argv (umockdev-run ...) with TMPDIR on testbed_base_dir() (where
 * umockdev-run makes its own copy of the testbed) and its stdout on a
 * pipe, returned for reading; *ret_pid gets the child.
 */
FILE *testbed_spawn(char **argv, pid_t *ret_pid);
