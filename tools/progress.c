/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * progress.c - the progress bar of the long volume operations.
 *
 *   Wiping vol1  [##########----------]  50%  5.0 MiB / 10.0 MiB
 *
 * It is redrawn in place ("\r") at most ten times a second, and only
 * when standard error is a terminal: output that is redirected or piped
 * never sees it.
 */
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <storvirt.h>

#include "progress.h"

#define BAR_MIN 10
#define BAR_MAX 40
#define REDRAW_NS 100000000LL

void progress_init(struct progress *p, const char *label) {
        *p = (struct progress){
                .label = label,
                .enabled = isatty(STDERR_FILENO) == 1,
                .last_permille = -1,
        };
}

static int terminal_columns(void) {
        struct winsize ws;

        if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
                return ws.ws_col;
        return 80;
}

static void format_size(uint64_t bytes, char *buf, size_t size) {
        char *s = NULL;

        if (storvirt_units_format(bytes, &s, STORVIRT_UNITS_FORMAT_HUMAN) >= 0 && s)
                snprintf(buf, size, "%s", s);
        else
                snprintf(buf, size, "%llu B", (unsigned long long)bytes);
        storvirt_free(s);
}

static void draw(struct progress *p, uint64_t done, uint64_t total, int permille) {
        char sdone[32], stotal[32], tail[96];
        int cols = terminal_columns(), bar, fill, label_len;

        format_size(done, sdone, sizeof(sdone));
        if (total > 0) {
                format_size(total, stotal, sizeof(stotal));
                snprintf(tail, sizeof(tail), " %3d%%  %s / %s", permille / 10, sdone, stotal);
        } else {
                snprintf(tail, sizeof(tail), "  %s", sdone);
        }
        label_len = (int)strlen(p->label);
        bar = cols - 1 - label_len - 4 - (int)strlen(tail);
        if (bar > BAR_MAX)
                bar = BAR_MAX;
        fprintf(stderr, "\r%s", p->label);
        if (bar >= BAR_MIN && total > 0) {
                fill = (int)((long long)bar * permille / 1000);
                fputs("  [", stderr);
                for (int i = 0; i < bar; i++)
                        fputc(i < fill ? '#' : '-', stderr);
                fputc(']', stderr);
        }
        fputs(tail, stderr);
        fputs("\033[K", stderr); /* clear what a longer line left */
        fflush(stderr);
        p->drawn = true;
}

int progress_cb(uint64_t done, uint64_t total, void *userdata) {
        struct progress *p = userdata;
        struct timespec now;
        int permille;
        long long elapsed;

        if (!p || !p->enabled)
                return 0;
        p->total = total;
        if (total > 0 && done > total)
                done = total;
        permille = total > 0 ? (int)((long double)done * 1000 / total) : 0;
        clock_gettime(CLOCK_MONOTONIC, &now);
        elapsed = (now.tv_sec - p->last.tv_sec) * 1000000000LL +
                  (now.tv_nsec - p->last.tv_nsec);
        /* The first and the final state are always shown; in between, at
         * most ten drawings a second. */
        if (p->last_permille >= 0 && elapsed < REDRAW_NS && !(total > 0 && done == total))
                return 0;
        p->last_permille = permille;
        p->last = now;
        draw(p, done, total, permille);
        return 0;
}

void progress_done(struct progress *p, bool ok) {
        if (!p->enabled || !p->drawn)
                return;
        if (ok && p->total > 0 && p->last_permille != 1000)
                draw(p, p->total, p->total, 1000);
        if (ok)
                fputc('\n', stderr);
        else
                fputs("\r\033[K", stderr);
        fflush(stderr);
        p->drawn = false;
}
