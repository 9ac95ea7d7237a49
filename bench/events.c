/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * events.c - events of changes made by another process: delivered once
 * each, in order, and how long after the change.
 *
 *   bench/events [N] [DIR]
 *
 * A context watches a dir pool (poll(2) on its event descriptor, then
 * storvirt_ctx_dispatch_events(), as a VM manager's loop does) while
 * another process, with its own context on the same state directory,
 * creates N volumes (default 1,000) in it one after the other as fast
 * as it can.  Checks that every volume-created event arrives exactly
 * once and in creation order (names and journal numbers), and prints
 * the delay from each change (the time the writer recorded in the
 * journal) to its callback: median, 90th and 99th percentile, maximum.
 * Then, with the watcher idle while another N changes are made, the
 * time one dispatch takes to catch up; and the cost of one journal
 * append (the price every change pays, watched or not).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <storvirt.h>

#include "objects/event_journal.h"
#include "objects/events.h"

struct got {
        char name[64];
        uint64_t seq, changed, seen;   /* usec, CLOCK_REALTIME */
        uint32_t info;
};

static struct got *got;
static size_t n_got, n_want;
static char state[512], pooldir[512];

static uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static double mono(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what) {
        fprintf(stderr, "events: %s: %s\n", what, storvirt_error_message());
        exit(1);
}

static storvirt_ctx *ctx_open(void) {
        storvirt_ctx *ctx = NULL;

        if (storvirt_ctx_new(&ctx, STORVIRT_CTX_NEW_IGNORE_ENV | STORVIRT_CTX_NEW_NO_AUTOSTART) < 0 ||
            storvirt_ctx_set_state_dir(ctx, state, 0) < 0)
                die("context");
        return ctx;
}

static void on_event(storvirt_ctx *ctx, const storvirt_event *ev, void *userdata) {
        struct got *g;

        (void)ctx;
        (void)userdata;
        if (storvirt_event_get_type(ev) != STORVIRT_EVENT_VOLUME_CREATED)
                return;
        if (n_got == 2 * n_want + 16) {
                fprintf(stderr, "events: more events than changes\n");
                exit(1);
        }
        g = &got[n_got++];
        g->seen = now_usec();
        snprintf(g->name, sizeof(g->name), "%s", storvirt_event_get_name(ev));
        storvirt_event_get_info(ev, &g->seq, &g->changed, &g->info);
}

/* The other process: n volumes, numbered from first. */
static void writer(size_t first, size_t n) {
        storvirt_ctx *ctx = ctx_open();
        storvirt_pool *pool = NULL;
        char xml[256];

        if (storvirt_pool_lookup_by_name(ctx, "bench", &pool) < 0)
                die("pool lookup");
        for (size_t i = first; i < first + n; i++) {
                storvirt_volume *vol = NULL;

                snprintf(xml, sizeof(xml), "<volume><name>vol%06zu.raw</name><capacity>1048576"
                                           "</capacity><allocation>0</allocation></volume>", i);
                if (storvirt_volume_create_xml(pool, xml, &vol, NULL, NULL, 0) < 0)
                        die("volume create");
                storvirt_volume_unref(vol);
        }
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
}

static pid_t spawn_writer(size_t first, size_t n) {
        pid_t pid = fork();

        if (pid < 0) {
                perror("fork");
                exit(1);
        }
        if (pid == 0) {
                writer(first, n);
                _exit(0);
        }
        return pid;
}

static void reap(pid_t pid) {
        int status = 0;

        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                fprintf(stderr, "events: the writer failed\n");
                exit(1);
        }
}

/* Every event once, in creation order; returns how many checks failed. */
static int check(size_t first, size_t n, size_t from) {
        char want[64];
        int bad = 0;

        if (n_got - from != n) {
                fprintf(stderr, "events: %zu events for %zu changes\n", n_got - from, n);
                bad++;
        }
        for (size_t i = 0; i < n && from + i < n_got; i++) {
                const struct got *g = &got[from + i];

                snprintf(want, sizeof(want), "vol%06zu.raw", first + i);
                if (strcmp(g->name, want) != 0 || (i > 0 && g->seq <= got[from + i - 1].seq) ||
                    (g->info & STORVIRT_EVENT_INFO_RESCAN)) {
                        if (bad++ < 5)
                                fprintf(stderr, "events: #%zu is %s (seq %llu), expected %s\n", i,
                                        g->name, (unsigned long long)g->seq, want);
                }
        }
        return bad;
}

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

        return x < y ? -1 : x > y;
}

static void delays(size_t from, size_t n) {
        uint64_t *d = calloc(n + 1, sizeof(*d));

        for (size_t i = 0; i < n; i++)
                d[i] = got[from + i].seen > got[from + i].changed
                               ? got[from + i].seen - got[from + i].changed : 0;
        qsort(d, n, sizeof(*d), cmp_u64);
        printf("delay change -> callback: median %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms\n",
               d[n / 2] / 1e3, d[n * 9 / 10] / 1e3, d[n * 99 / 100] / 1e3, d[n - 1] / 1e3);
        free(d);
}

/* Live: the watcher dispatches as the writer goes. */
static int live(storvirt_ctx *ctx, size_t n) {
        struct pollfd p = { .events = POLLIN };
        double t0, t1;
        pid_t pid;
        int bad;

        if (storvirt_ctx_get_event_fd(ctx, &p.fd) < 0)
                die("event fd");
        t0 = mono();
        pid = spawn_writer(0, n);
        while (n_got < n && mono() - t0 < 600) {
                if (poll(&p, 1, 1000) < 0 && errno != EINTR)
                        die("poll");
                if (storvirt_ctx_dispatch_events(ctx, 0, 0) < 0)
                        die("dispatch");
        }
        t1 = mono();
        reap(pid);
        for (int i = 0; i < 5; i++)   /* anything extra would show now */
                storvirt_ctx_dispatch_events(ctx, 20, 0);
        bad = check(0, n, 0);
        printf("live: %zu volumes created by another process in %.2f s (%.0f/s); %zu events, "
               "%s\n", n, t1 - t0, n / (t1 - t0), n_got, bad ? "NOT once each in order"
                                                           : "each once, in order");
        delays(0, n);
        return bad;
}

/* Idle watcher: the writer finishes first, then dispatch catches up. */
static int catch_up(storvirt_ctx *ctx, size_t n) {
        size_t from = n_got;
        double t0, t1;
        int bad;

        reap(spawn_writer(n, n));
        t0 = mono();
        while (n_got < from + n && mono() - t0 < 600)
                if (storvirt_ctx_dispatch_events(ctx, 100, 0) < 0)
                        die("dispatch");
        t1 = mono();
        bad = check(n, n, from);
        printf("catch-up: %zu changes made while the watcher was idle, delivered in %.1f ms "
               "(%.1f us each), %s\n", n, (t1 - t0) * 1e3, (t1 - t0) * 1e6 / n,
               bad ? "NOT once each in order" : "each once, in order");
        return bad;
}

static void append_cost(void) {
        char dir[600];
        struct storvirt_event ev = { .type = STORVIRT_EVENT_VOLUME_CREATED, .pool = "bench",
                                     .name = "vol000000.raw",
                                     .key = "/var/lib/libvirt/images/vol000000.raw" };
        storvirt__journal_writer w;
        uint64_t seq;
        double t0;
        int dfd;

        snprintf(dir, sizeof(dir), "%s/append", state);
        if (mkdir(dir, 0700) < 0 || (dfd = open(dir, O_RDONLY | O_DIRECTORY)) < 0) {
                perror(dir);
                exit(1);
        }
        storvirt__journal_writer_init(&w, dfd);
        t0 = mono();
        for (int i = 0; i < 10000; i++)
                if (storvirt__journal_writer_append(&w, &ev, 1, &seq) < 0)
                        die("journal append");
        printf("journal append: %.1f us each (10,000 entries: lock, stat, write, unlock; "
               "rotation at %llu KiB)\n", (mono() - t0) * 1e6 / 10000,
               (unsigned long long)storvirt__journal_max_size >> 10);
        storvirt__journal_writer_done(&w);
        close(dfd);
}

int main(int argc, char **argv) {
        size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000;
        char base[400], xml[700], cmd[500];
        storvirt__events_stats st;
        storvirt_ctx *ctx;
        storvirt_pool *pool = NULL;
        int bad = 0;

        if (n == 0) {
                fprintf(stderr, "usage: events [N] [DIR]\n");
                return 2;
        }
        snprintf(base, sizeof(base), "%s/storvirt-bench-events.XXXXXX", argc > 2 ? argv[2] : "/tmp");
        if (!mkdtemp(base)) {
                perror(base);
                return 1;
        }
        snprintf(state, sizeof(state), "%s/state", base);
        snprintf(pooldir, sizeof(pooldir), "%s/pool", base);
        n_want = n;
        got = calloc(2 * n + 16, sizeof(*got));
        ctx = ctx_open();
        snprintf(xml, sizeof(xml), "<pool type='dir'><name>bench</name><target><path>%s</path>"
                                   "</target></pool>", pooldir);
        if (storvirt_pool_define_xml(ctx, xml, &pool, 0) < 0 ||
            storvirt_pool_start(pool, STORVIRT_POOL_CREATE_BUILD) < 0)
                die("pool");
        if (storvirt_ctx_register_event_cb(ctx, STORVIRT_EVENT_KIND_VOLUME, "bench", on_event,
                                           NULL, NULL, 0) < 0)
                die("register");
        bad += live(ctx, n);
        bad += catch_up(ctx, n);
        storvirt__events_get_stats(ctx, &st);
        printf("journal entries read %llu, rescans %llu, inotify overflows %llu, entries lost %llu\n",
               (unsigned long long)st.journal_read, (unsigned long long)st.rescans,
               (unsigned long long)st.overflows, (unsigned long long)st.gaps);
        append_cost();
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
        if (system(cmd) != 0)
                fprintf(stderr, "events: could not remove %s\n", base);
        free(got);
        return bad ? 1 : 0;
}
