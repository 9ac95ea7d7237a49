/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core/records.h - JSON records in the state directory: one file per
 * record, <state dir>/<kind>/<id>.json, each replaced atomically (temp
 * file, fsync, rename, fsync of the directory), with cross-process and
 * cross-thread locking through an OFD lock file per kind
 * (<state dir>/<kind>/.lock).
 *
 * A read-modify-write goes through storvirt__record_update(): the lock
 * is taken exclusive, the current record read, the callback asked for
 * the new text, the file replaced, the lock dropped.  Readers take the
 * lock shared, so they never see a half-done multi-record change made
 * under storvirt__records_lock(); a single record is always whole anyway.
 *
 * Kinds in use: "vdisks", "connections", "connections-run" (who holds
 * which connection), "secrets" (mode 0700 directory, 0600 files; its
 * .txn/ stages changes of connections, core/connection_store.h).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "objects/ctx.h"
#include "util/json.h"
#include "util/lock.h"

/* Largest record file read (a vDisk with thousands of images fits). */
#define STORVIRT__RECORD_MAX (4u << 20)

/* Wait at most this long for a records lock before -ETIMEDOUT. */
#define STORVIRT__RECORDS_LOCK_TIMEOUT_MS 60000

/*
 * Take the lock of kind (creating <state>/<kind>/ mode 0700 if missing)
 * in mode STORVIRT__LOCK_SHARED or _EXCLUSIVE.  The functions below take
 * it themselves unless told the caller holds it (locked = true).
 */
int storvirt__records_lock(storvirt_ctx *ctx, const char *kind, int mode,
                           storvirt__lock *ret);

/*
 * The directory of kind (an fd to close), created mode 0700 when missing
 * and create, else -ENOENT without a message.  For modules that keep
 * more than single records in it (core/connection_store.c).
 */
int storvirt__records_dirfd(storvirt_ctx *ctx, const char *kind, bool create);

/*
 * Read kind/id: 0 and *ret (parsed tree, free with storvirt__json_free)
 * and optionally *ret_text (the raw text, free()), -ENOENT when there is
 * no such record ("<kind> record 'id' not found" is left to callers: the
 * message here is generic), -EINVAL when the file does not parse (the
 * message names the file's full path and the parse error), -EIO...
 * id must pass storvirt__name_check().
 */
int storvirt__record_read(storvirt_ctx *ctx, const char *kind, const char *id,
                          bool locked, yajl_val *ret, char **ret_text);

/*
 * The kind's directory as an fd (close it), created mode 0700 when
 * missing if create, else -ENOENT without a message.  For the kinds whose
 * files are not JSON records (the volume indexes); their writers hold the
 * kind's lock like every record writer.
 */
int storvirt__records_dirfd(storvirt_ctx *ctx, const char *kind, bool create);

/* Write kind/id atomically with mode 0600 (the caller holds the lock exclusive). */
int storvirt__record_write(storvirt_ctx *ctx, const char *kind, const char *id,
                           const char *text, size_t len);

/* Remove kind/id (caller holds the lock exclusive); -ENOENT when absent. */
int storvirt__record_remove(storvirt_ctx *ctx, const char *kind, const char *id);

/*
 * The update callback: old is the current record (NULL when there is
 * none).  It returns 0 with *ret_text (malloc'd) the new content, 1 to
 * remove the record, 2 to leave it unchanged, or a negative errno (which
 * storvirt__record_update() returns, writing nothing).
 */
typedef int (*storvirt__record_update_fn)(yajl_val old, const char *old_text,
                                          char **ret_text, void *userdata);

/*
 * Read-modify-write of kind/id under the exclusive lock (taken here
 * unless locked).  A record that does not parse is passed as -EINVAL
 * without calling fn.  Returns fn's non-negative result or -errno.
 */
int storvirt__record_update(storvirt_ctx *ctx, const char *kind, const char *id,
                            bool locked, storvirt__record_update_fn fn, void *userdata);

/*
 * Remove what killed writers of a kind left (".<id>.json.XXXXXX"), if no
 * writer is at work: for record kinds that are read, not listed.  Best
 * effort; the error state is kept.
 */
void storvirt__records_tidy(storvirt_ctx *ctx, const char *kind);

/*
 * The ids of kind, sorted (file names ending in ".json", minus the
 * suffix; hidden and temporary files skipped).  NULL-terminated vector
 * (storvirt__strv_free()); an empty or missing directory gives an empty
 * vector.
 */
int storvirt__records_list(storvirt_ctx *ctx, const char *kind, char ***ret_ids);

/*
 * The state directory's own UUID (VDSM's storage pool id for PDIV
 * addressing): <state>/state-uuid, created (random v4) on first use.
 */
int storvirt__state_uuid(storvirt_ctx *ctx, char ret[37]);
