/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * progress.h - a progress bar for the long volume operations (wipe,
 * clone, upload, download, preallocation), drawn on standard error and
 * only when standard error is a terminal.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct progress {
        const char *label;      /* e.g. "Wiping vol1" */
        bool enabled;           /* stderr is a terminal */
        bool drawn;             /* something is on the line */
        int last_permille;      /* -1 before the first drawing */
        uint64_t total;         /* of the last call */
        struct timespec last;   /* time of the last drawing */
};

/* Prepares a bar; draws nothing until the first progress call. */
void progress_init(struct progress *p, const char *label);

/* A storvirt_progress_fn; userdata is the struct progress.  Never cancels. */
int progress_cb(uint64_t done, uint64_t total, void *userdata);

/*
 * Ends the bar: after success the bar is shown complete (the library
 * may skip holes without reporting them) and the line ended;
 * after a failure the line is cleared, so an error message that follows
 * starts on a clean line.
 */
void progress_done(struct progress *p, bool ok);
