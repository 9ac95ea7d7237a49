/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lock.h - cross-process (and cross-thread) locks on lock files in a
 * state directory, using open file description locks (F_OFD_SETLK*).
 *
 * Every acquisition opens the lock file anew, so two threads of one
 * process exclude each other exactly like two processes do.  A lock is
 * not inherited in any useful way by fork(): release drops it for every
 * holder of the descriptor, and the descriptor is close-on-exec.
 */
#pragma once

#include <stdbool.h>

enum {
        STORVIRT__LOCK_SHARED = 1,
        STORVIRT__LOCK_EXCLUSIVE = 2,
};

typedef struct storvirt__lock {
        int fd; /* -1 when not held */
} storvirt__lock;

#define STORVIRT__LOCK_INIT { .fd = -1 }

/*
 * Take a lock on dirfd/name (created with mode 0644 if missing; name
 * must pass storvirt__name_check(); dirfd may be AT_FDCWD).
 * timeout_ms: -1 waits forever, 0 tries once and fails with -EBUSY,
 * > 0 retries with short sleeps and fails with -ETIMEDOUT once that
 * many milliseconds have passed.  *ret is written only on success.
 * A lock file that was unlinked or replaced while we waited is noticed
 * and the new file is locked instead.
 */
int storvirt__lock_acquire(int dirfd, const char *name, int mode, int timeout_ms,
                           storvirt__lock *ret);

/* Drop the lock (idempotent; accepts NULL and unheld locks). */
void storvirt__lock_release(storvirt__lock *l);

static inline bool storvirt__lock_held(const storvirt__lock *l) {
        return l && l->fd >= 0;
}

static inline void storvirt__lock_releasep(storvirt__lock *l) {
        storvirt__lock_release(l);
}
#define _cleanup_lock_ __attribute__((cleanup(storvirt__lock_releasep)))
