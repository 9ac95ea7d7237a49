/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bigmem.c - large zeroed tables, in huge pages where the kernel has
 * them (util/bigmem.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "util/bigmem.h"

#define HUGE_PAGE ((size_t)2 << 20)

/* The mapping's length: whole huge pages, so that its end gets one too. */
static size_t map_len(size_t size) {
        return (size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
}

void *storvirt__bigmem_alloc(size_t size) {
        size_t len;
        uint8_t *p, *start;

        if (size < STORVIRT__BIGMEM_MIN)
                return calloc(1, size ? size : 1);
        if (size > SIZE_MAX - 2 * HUGE_PAGE) {
                errno = ENOMEM;
                return NULL;
        }
        len = map_len(size);
        /* one huge page more, to start on a huge page boundary */
        p = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                 -1, 0);
        if (p == MAP_FAILED)
                return NULL;
        start = (uint8_t *)(((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
        if (start > p)
                munmap(p, (size_t)(start - p));
        if (start + len < p + len + HUGE_PAGE)
                munmap(start + len, (size_t)(p + len + HUGE_PAGE - (start + len)));
        /* a hint: without huge pages the mapping works as well, in small pages */
        (void)madvise(start, len, MADV_HUGEPAGE);
        return start;
}

void storvirt__bigmem_free(void *p, size_t size) {
        if (!p)
                return;
        if (size < STORVIRT__BIGMEM_MIN) {
                free(p);
                return;
        }
        munmap(p, map_len(size));
}
