/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * outfile.h - the output file of vol-download: a regular file (new or
 * already there) is written under a temporary name in its directory and
 * renamed over the file only when the whole download worked, so a
 * failure leaves neither a partial file nor a damaged old one; anything
 * else (a device, a FIFO) is written in place.
 */
#pragma once

#include <limits.h>

#include "cli.h"

struct outfile {
        int fd;                 /* where the data goes */
        int dirfd;              /* the file's directory; -1 when written in place */
        char *name;             /* the final name in dirfd */
        char tmp[NAME_MAX + 1]; /* the temporary name in dirfd */
};

#define OUTFILE_INIT { .fd = -1, .dirfd = -1 }

/*
 * Opens path for writing.  A symbolic link is followed: the file it
 * names is replaced (one that names no file is refused).  A file that
 * is there keeps its mode (and, for root, its owner); a new one gets
 * 0666 less the umask.  Returns 0 or cli_error()'s -errno.
 */
int outfile_open(struct cli *cli, const char *path, struct outfile *o);

/* Syncs and renames the data into place (path: for messages); 0 or -errno. */
int outfile_commit(struct cli *cli, const char *path, struct outfile *o);

/* Drops what outfile_open() made, removing the temporary file (idempotent). */
void outfile_abort(struct outfile *o);
