/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core/vol_index.h - the formats the library gave the volumes of a
 * directory of images (dir, fs and netfs pools), kept in the state
 * directory: volumes/<sha1 of the directory's path>.idx.
 *
 * An image's format is what it was created or imported as, never what
 * its header says later: a guest writes what it likes into its raw
 * disk, a qcow2 header naming a host file included.  Each entry holds
 * the volume's name, its format and the inode number of its file; an
 * entry applies only while the file under that name still has that
 * inode (a file replaced behind the library's back has no record, and
 * is probed like any file the library did not make).
 *
 * An encrypted volume's entry also holds how it was encrypted ("luks")
 * and the UUID of the secret holding its passphrase (core/secret.h).
 *
 * The file is a list of lines, replaced atomically under the exclusive
 * lock of the "volumes" records:
 *     storvirt-volume-index 1
 *     target <directory>
 *     <format> <inode> <name>
 * or, when an entry is encrypted (a release that reads version 1 only
 * refuses the file rather than misread it),
 *     storvirt-volume-index 2
 *     target <directory>
 *     <format> <inode> <encryption or -> <secret UUID or -> <name>
 * with '%', control bytes and DEL in the directory and names written as
 * %XX.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "objects/ctx.h"
#include "util/hashmap.h"

typedef struct storvirt__vol_index_entry {
        char format[16];
        uint64_t ino;
        char encryption[8];     /* "luks", or "" when not encrypted */
        char secret[37];        /* the passphrase's secret UUID, "" when none */
} storvirt__vol_index_entry;

/*
 * The entries recorded for directory `target` (an absolute path): a map
 * name -> storvirt__vol_index_entry (free with storvirt__hashmap_free()),
 * empty when nothing was recorded.  A file that does not parse is
 * -EINVAL naming it and the line.
 */
int storvirt__vol_index_load(storvirt_ctx *ctx, const char *target, storvirt__hashmap **ret);

/* The entry of name when it applies to the file with inode ino, else NULL. */
const storvirt__vol_index_entry *storvirt__vol_index_find(const storvirt__hashmap *index,
                                                          const char *name, uint64_t ino);

/* Records (or replaces) name's format and inode. */
int storvirt__vol_index_set(storvirt_ctx *ctx, const char *target, const char *name,
                            const char *format, uint64_t ino);

/* Records (or replaces) name's entry, its encryption included. */
int storvirt__vol_index_set_entry(storvirt_ctx *ctx, const char *target, const char *name,
                                  const storvirt__vol_index_entry *entry);

/* Forgets name (no error when it was not recorded). */
int storvirt__vol_index_remove(storvirt_ctx *ctx, const char *target, const char *name);

/*
 * Forgets the entries whose file no longer exists in the directory open
 * on dirfd (checked again under the lock, so a volume created meanwhile
 * by another process is kept).  Returns how many were dropped.
 */
int storvirt__vol_index_prune(storvirt_ctx *ctx, const char *target, int dirfd,
                              char *const *gone);

/*
 * The name of a state file of directory target in the "volumes"
 * records: the SHA-1 of the path in hex, then suffix (".idx": the index;
 * ".list": the saved volume list, objects/vol_list.h).
 */
void storvirt__vol_index_file_name(const char *target, const char *suffix, char buf[64]);
