/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * parallel.h - run fn(arg, i) for i in [0, n) on the calling thread and
 * up to threads - 1 short-lived helpers, in batches taken from a shared
 * counter.  All helpers are joined before it returns.  A helper that
 * cannot be started only means fewer threads.
 */
#pragma once

#include <stddef.h>

typedef void (*storvirt__parallel_fn)(void *arg, size_t index);

/* threads: 1 runs everything on the caller; batch: items per grab (>= 1). */
void storvirt__parallel_for(unsigned threads, size_t n, size_t batch,
                            storvirt__parallel_fn fn, void *arg);
