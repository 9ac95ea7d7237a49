/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmd-event.c - `storvirt event`: the changes to pools, volumes, LUNs
 * and vDisks as they come, made by any process sharing the state
 * directory (storvirt/event.h), like virsh's pool-event:
 *
 *   event [--pool] [--volume] [--lun] [--vdisk] [--loop] [--timeout S] [OBJECT]
 *
 * One line per event, written as it arrives: "TIME TYPE OBJECT [DETAIL]"
 * (OBJECT: a pool's name, POOL/VOLUME, a LUN's GUID (its kernel name
 * when it has none) and device node, a vDisk's id;
 * "[rescan]" ends the line of a change found by comparing the state
 * directory), or with --json one JSON object per line
 * (storvirt_event_get_json()), the usual status object last.
 *
 * Its options are a table (opts_event, see cmdopt.h); the global --json
 * may come anywhere on the line.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig) {
        stop_signal = sig;
}

struct watch {
        struct cli *cli;
        unsigned long count;
        int error;            /* a line that could not be written */
};

static void print_text(const storvirt_event *ev) {
        const char *pool = storvirt_event_get_pool(ev), *name = storvirt_event_get_name(ev);
        const char *detail = storvirt_event_get_detail(ev);
        int type = storvirt_event_get_type(ev);
        uint64_t usec = 0;
        uint32_t info = 0;
        char when[48];
        struct tm tm;
        time_t sec;
        size_t n;

        storvirt_event_get_info(ev, NULL, &usec, &info);
        sec = (time_t)(usec / 1000000u);
        gmtime_r(&sec, &tm);
        n = strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(when + n, sizeof(when) - n, ".%06lluZ", (unsigned long long)(usec % 1000000u));
        printf("%s %s ", when, storvirt_event_type_name((uint32_t)type));
        if (pool && strcmp(pool, name) != 0)
                printf("%s/", pool);
        printf("%s", name);
        /* a LUN's device node after its GUID */
        if (type / 32 == STORVIRT_EVENT_LUN_ADDED / 32 && storvirt_event_get_key(ev))
                printf(" %s", storvirt_event_get_key(ev));
        printf("%s%s%s\n", detail ? " " : "", detail ? detail : "",
               info & STORVIRT_EVENT_INFO_RESCAN ? " [rescan]" : "");
}

static void on_event(storvirt_ctx *ctx, const storvirt_event *ev, void *userdata) {
        struct watch *w = userdata;
        char *json = NULL;

        (void)ctx;
        if (w->cli->json) {
                if (storvirt_event_get_json(ev, &json, 0) < 0) {
                        w->error = storvirt_error_errno();
                        return;
                }
                printf("%s\n", json);
                storvirt_free(json);
        } else {
                print_text(ev);
        }
        if (fflush(stdout) != 0)
                w->error = errno;
        w->count++;
}

static long long now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int parse_timeout(struct cli *cli, const char *s, long long *ret_ms) {
        char *end;
        double v;

        errno = 0;
        v = strtod(s, &end);
        if (!*s || *end || errno || !(v > 0) || v > 86400.0 * 365)
                return cli_usage(cli, "event: --timeout '%s': expected seconds, more than 0", s);
        *ret_ms = (long long)(v * 1000 + 0.5);
        if (*ret_ms == 0)
                *ret_ms = 1;
        return 0;
}

/* Dispatches until one event (or, with loop, a signal), or the deadline (0: none). */
static int watch_loop(storvirt_ctx *ctx, struct watch *w, bool loop, long long deadline) {
        int r = 0;

        while (!stop_signal && !w->error && (loop || w->count == 0)) {
                long long left = deadline ? deadline - now_ms() : 1000;

                if (left <= 0)
                        break;
                r = storvirt_ctx_dispatch_events(ctx, left > 1000 ? 1000 : (int)left, 0);
                if (r == -EINTR) {
                        r = 0;
                        continue;
                }
                if (r < 0)
                        return r;
        }
        return w->error ? -w->error : 0;
}

static const struct cli_opt opts_event[] = {
        CLI_FLAG_OPT("pool", STORVIRT_EVENT_KIND_POOL, "pool events (with the others chosen)"),
        CLI_FLAG_OPT("volume", STORVIRT_EVENT_KIND_VOLUME, "volume events"),
        CLI_FLAG_OPT("lun", STORVIRT_EVENT_KIND_LUN, "LUN events"),
        CLI_FLAG_OPT("vdisk", STORVIRT_EVENT_KIND_VDISK, "vDisk events"),
        CLI_BOOL_OPT("loop", "go on after the first event, until a signal or the timeout"),
        CLI_STR_OPT("timeout", "S", "stop after S seconds (a decimal number)"),
        CLI_ARG_OPT("OBJECT", "only the events of a pool (with its volumes), a volume key, "
                              "a LUN GUID or device node, or a vDisk id"),
        CLI_END,
};

static int cmd_event(struct cli *cli, const struct cli_args *a) {
        struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term;
        struct watch w = { .cli = cli };
        long long timeout = 0;
        storvirt_ctx *ctx;
        int r, id;

        if (cli_given(a, "timeout")) {
                r = parse_timeout(cli, cli_str(a, "timeout"), &timeout);
                if (r)
                        return r;
        }
        r = cli_ctx(cli, &ctx);
        if (r < 0)
                return r;
        id = storvirt_ctx_register_event_cb(ctx, cli_flags(a), cli_str(a, "OBJECT"), on_event, &w,
                                            NULL, 0);
        if (id < 0)
                return id;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, &old_int);
        sigaction(SIGTERM, &sa, &old_term);
        r = watch_loop(ctx, &w, cli_given(a, "loop"), timeout ? now_ms() + timeout : 0);
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
        storvirt_ctx_deregister_event_cb(ctx, id);
        if (r < 0)
                return r;
        if (cli->json) {
                yajl_gen_string(cli->gen, (const unsigned char *)"events", 6);
                yajl_gen_integer(cli->gen, (long long)w.count);
        }
        return 0;
}

const struct cli_command cli_commands_event[] = {
        { "event", "print the changes to pools, volumes, LUNs and vDisks as they come",
          "Watches the state directory, and with --lun (or no kind) the host's block\n"
          "devices: the changes any process makes through the library, and the LUNs\n"
          "added, removed, resized or whose paths changed, are printed one line each\n"
          "as they come, \"TIME TYPE OBJECT [DETAIL]\" (a LUN: its GUID, or its kernel\n"
          "name when it has none, then its device node; with --json\n"
          "one JSON object per line, the status object last).  --pool, --volume, --lun,\n"
          "--vdisk choose the kinds (default: all).  Without --loop the command ends after\n"
          "the first event; --timeout ends it after S seconds (exit status 0 either way);\n"
          "SIGINT or SIGTERM end a --loop.",
          opts_event, cmd_event },
        { NULL, NULL, NULL, NULL, NULL },
};
