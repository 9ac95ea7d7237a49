/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bigmem.h - zeroed memory for large tables filled at once (a pool's
 * volume records, the entries of one directory reading, a volume list's
 * text).  Taken from the kernel in one mapping, in 2 MiB huge pages where
 * the kernel gives them to regions that ask (transparent huge pages in
 * "madvise" or "always" mode): filling 10,000 volume records then costs
 * a few page faults instead of about 1,200, which on a virtual machine
 * is most of the time a listing takes.  Below STORVIRT__BIGMEM_MIN bytes
 * it is plain calloc().
 */
#pragma once

#include <stddef.h>

#define STORVIRT__BIGMEM_MIN ((size_t)256 << 10)

/* size bytes, zeroed; NULL (errno ENOMEM or EINVAL) when they cannot be had. */
void *storvirt__bigmem_alloc(size_t size);

/* Frees p (NULL accepted), given the size it was asked with. */
void storvirt__bigmem_free(void *p, size_t size);
