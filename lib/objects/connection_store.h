/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core/connection_store.h - the connection records and their secrets
 * changed as one transaction, whole or not at all even when the process
 * is killed midway.
 *
 * A transaction stages its new files in <state>/secrets/.txn/ (mode 0700,
 * inside the 0700 secrets directory): "<n>.definition" and "<n>.secret"
 * for its n-th change.  Writing the file "journal" there (a temporary
 * file renamed: it appears whole) commits it: {"changes": [{"id",
 * "definition": bool, "secret": bool}]}, true for a staged file to move
 * into place, false for a record to remove.  The staged files are then
 * renamed over connections/<id>.json and secrets/<id>.json (or those are
 * removed), both directories synced, and the journal removed last.
 *
 * Whoever opens the connections next finds what a killed writer left in
 * .txn/ at the cost of reading that one directory: a journal is carried
 * out again (every step can be repeated), anything else (staged files
 * of a transaction never committed, temporary files) is removed.  A state
 * directory without .txn/ was last written by an older release: its
 * secrets whose connection record is gone are removed once, then .txn/
 * is made.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "objects/ctx.h"
#include "util/lock.h"

/* One change: connections/<id>.json and secrets/<id>.json replaced by these texts, or removed (NULL). */
struct storvirt__conn_change {
        const char *id;
        const char *definition;
        const char *secret;
};

/*
 * Take the exclusive locks of the definitions and of the secrets (in
 * that order), then finish or clear what a killed writer left.
 */
int storvirt__conn_store_lock(storvirt_ctx *ctx, storvirt__lock *ret_def,
                              storvirt__lock *ret_secret);

/*
 * Finish or clear what a killed writer left (taking both exclusive locks
 * only when something is left).  Cheap otherwise: one directory read.
 * Every function that reads connection records calls it first.
 */
int storvirt__conn_store_recover(storvirt_ctx *ctx);

/*
 * Make changes[0..n) as one transaction (the caller holds both locks,
 * from storvirt__conn_store_lock()).  On an error before the commit
 * nothing changed; after it, the next open completes it.
 */
int storvirt__conn_store_commit(storvirt_ctx *ctx, const struct storvirt__conn_change *changes,
                                size_t n);
