/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * objects/vol_list.h - the saved volume list of a directory of images
 * (dir and fs pools): what the last reading of the directory found,
 * kept in the state directory (volumes/<sha1 of the path>.list, next to
 * the directory's format index, objects/vol_index.h) so that a later
 * process lists the pool's volumes without opening every file.
 *
 * The list is a cache, never the truth: it is used only while the
 * directory is the one it was read from (st_dev, st_ino) with the same
 * modification and change times, and only when those times were older
 * than the reading by more than the filesystem's timestamp granularity
 * (a change in the same tick as the reading would leave them unchanged).
 * A volume whose recorded format, encryption or secret differs from the
 * index's entry now is read again, as is a file whose inode or change
 * time differs when its figures are asked for (storvirt__vol_rec_check()).
 * A list whose first line, target, size or checksum is wrong is ignored.
 *
 * Written atomically (temporary file, fsync, rename) under the exclusive
 * lock of the "volumes" records; removed when the library records a
 * volume in the index (objects/vol_index.c).  The text, '%', spaces,
 * commas and control bytes of names and values written as %XX:
 *     storvirt-volume-list 1
 *     target <directory>
 *     dir <st_dev> <st_ino> <mtime ns> <ctime ns> <read at ns>
 *     <name> <ino> <dev> <ctime ns> <type> <mode> <uid> <gid> <physical>
 *         <allocation> <capacity> <format or -> [<key>=<value> | <flag>]...
 *     end <entries> <checksum of the bytes before this line, 16 hex digits>
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "objects/ctx.h"
#include "objects/pool_obj.h"
#include "util/hashmap.h"

/* A directory as stat(2) saw it: identity and change times (ns since the epoch). */
typedef struct storvirt__dir_stamp {
        uint64_t dev, ino;
        int64_t mtime_ns, ctime_ns;
} storvirt__dir_stamp;

int64_t storvirt__timespec_ns(const struct timespec *ts);
void storvirt__dir_stamp_of(const struct stat *st, storvirt__dir_stamp *ret);
bool storvirt__dir_stamp_equal(const storvirt__dir_stamp *a, const storvirt__dir_stamp *b);
/* The current time (CLOCK_REALTIME, the clock file timestamps come from), in ns. */
int64_t storvirt__now_ns(void);

/*
 * Whether a file time stamp_ns is older than read_at_ns by more than the
 * timestamp granularity (two seconds where the times have no fraction,
 * one second otherwise): a change after read_at_ns then shows as
 * another time.
 */
bool storvirt__stamp_settled(int64_t stamp_ns, int64_t read_at_ns);

/*
 * Saves the records recs[0..n) (fresh from reading the directory target
 * as dir looked at read_at_ns, before it was read) as the directory's
 * list.  0, or -errno with a message (the caller goes on without it).
 */
int storvirt__vol_list_save(storvirt_ctx *ctx, const char *target, const storvirt__dir_stamp *dir,
                            int64_t read_at_ns, storvirt__vol_rec *const *recs, size_t n);

typedef struct storvirt__vol_list {
        storvirt__vol_rec **recs;   /* new records (name, key and path: target/name) */
        size_t n;
        char **stale;               /* names to read again: their index entries changed */
} storvirt__vol_list;

void storvirt__vol_list_clear(storvirt__vol_list *l);

/*
 * The saved list of target when it still describes the directory, now
 * as stamped now; index is the directory's format index as read now.
 * 0 and *ret; -ENOENT (none saved), -ESTALE (the directory changed, or
 * changed too close to the reading) or -EINVAL (not a list this release
 * wrote whole) with a message saying why, for the caller to read the
 * directory instead; -ENOMEM.
 */
int storvirt__vol_list_load(storvirt_ctx *ctx, const char *target, const storvirt__dir_stamp *now,
                            const storvirt__hashmap *index, storvirt__vol_list *ret);
