/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rawimg.h - creating raw images: sparse (the file is only given its
 * size) or preallocated (every byte allocated, by fallocate() or, where
 * the file system lacks it, by writing zeros), with progress reports
 * and cancellation.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/*
 * Progress of a long operation: done out of total bytes.  Returning
 * non-zero cancels the operation, which then fails with -ECANCELED.
 */
typedef int (*storvirt__progress_fn)(uint64_t done, uint64_t total, void *userdata);

/* Bytes handled between two progress reports. */
#define STORVIRT__RAW_FALLOCATE_CHUNK (256ull << 20)
#define STORVIRT__RAW_ZERO_CHUNK (1ull << 20)

/*
 * Make the empty regular file open for writing on fd a raw image of
 * size bytes.  Sparse (preallocate false): ftruncate() only, no
 * progress reports.  Preallocated: fallocate() in chunks of
 * STORVIRT__RAW_FALLOCATE_CHUNK, switching to writing zeros in chunks
 * of STORVIRT__RAW_ZERO_CHUNK if the file system does not support it;
 * fn (may be NULL) is called after every chunk, and once with
 * done == total at the end (also for size 0).
 * A file that is not empty is refused (-EINVAL), as is size above
 * 2^63-1.  On failure or cancellation (-ECANCELED) the file may be
 * partly written: the caller removes it.  Nothing is fsync'ed.  what
 * names the image in messages.
 */
int storvirt__raw_create_fd(int fd, uint64_t size, bool preallocate,
                            storvirt__progress_fn fn, void *userdata, const char *what);

/*
 * The fallback of storvirt__raw_create_fd(): write zeros over
 * [start, end) of fd in chunks, calling fn after each one with the
 * bytes done out of total (done counts from 0 at offset 0, so a caller
 * that allocated [0, start) by other means reports start as done).
 */
int storvirt__raw_write_zeros(int fd, uint64_t start, uint64_t end,
                              storvirt__progress_fn fn, void *userdata, const char *what);
