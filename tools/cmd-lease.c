/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmd-lease.c - the lockspace and vDisk lease commands of storvirt
 * (storvirt/lease.h):
 *
 *   lockspace-create NAME PATH [--io-timeout S] [--slots N]
 *   lockspace-join NAME [--path PATH] [--host-id N] [--wait [--timeout S]]
 *   lockspace-leave NAME          lockspace-status NAME
 *   vdisk-lease-status ID         vdisk-lease-run ID COMMAND...
 *   vdisk-lease-assign ID LOCKSPACE
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "cli.h"

static int emit(struct cli *cli, const char *key, const char *json) {
        if (!cli->json) {
                fputs(json, stdout);
                if (json[0] && json[strlen(json) - 1] != '\n')
                        putchar('\n');
                return 0;
        }
        return cli_field_json(cli, key, json);
}

static const struct cli_opt opts_ls_create[] = {
        { .name = "io-timeout", .kind = CLI_INT, .arg = "S", .min = 1, .max = 60,
          .help = "sanlock's io timeout (seconds, 1-60; default 10)" },
        { .name = "slots", .kind = CLI_INT, .arg = "N", .min = 1, .max = 4096,
          .help = "vDisk leases the area holds (default 256, 1 MiB each)" },
        { .name = "offset", .kind = CLI_SIZE, .arg = "BYTES",
          .help = "for a block device: where its region starts (a multiple of 1 MiB)" },
        CLI_ARG("NAME", "the lockspace's name (1-48 characters)"),
        CLI_ARG("PATH", "the lease area: a new file on the shared storage, or a block device"),
        CLI_END,
};

static int cmd_ls_create(struct cli *cli, const struct cli_args *a) {
        storvirt_ctx *ctx;
        int r = cli_ctx(cli, &ctx);

        if (r >= 0)
                r = storvirt_lockspace_create_at(ctx, cli_str(a, "NAME"), cli_str(a, "PATH"),
                                                 cli_u64(a, "offset"),
                                                 (uint32_t)cli_int(a, "io-timeout"),
                                                 (uint32_t)cli_int(a, "slots"), 0);
        if (r >= 0)
                cli_text(cli, "Lockspace %s created at %s", cli_str(a, "NAME"), cli_str(a, "PATH"));
        return r < 0 ? r : 0;
}

static const struct cli_opt opts_ls_join[] = {
        CLI_STR_OPT("path", "PATH", "the lease area of a lockspace another host created"),
        { .name = "offset", .kind = CLI_SIZE, .arg = "BYTES",
          .help = "with --path on a block device: where the lockspace's region starts" },
        { .name = "host-id", .kind = CLI_INT, .arg = "N", .min = 1, .max = 2000,
          .help = "this host's id in it (1-2000; default: the one it had, else a free one)" },
        CLI_BOOL_OPT("wait", "wait until joined, printing the progress on stderr"),
        { .name = "timeout", .kind = CLI_INT, .arg = "S", .min = 1, .max = 3600,
          .help = "with --wait: how long (seconds, default 120)" },
        CLI_ARG("NAME", "the lockspace's name"),
        CLI_END,
};

/* The value of member key of a JSON object text (0 when absent). */
static long long json_int(const char *json, const char *key, char *state, size_t size) {
        char err[64];
        yajl_val v = yajl_tree_parse(json, err, sizeof(err)), m;
        long long n = 0;

        m = v ? yajl_tree_get(v, (const char *[]){ key, NULL }, yajl_t_number) : NULL;
        if (m)
                n = YAJL_GET_INTEGER(m);
        m = v && state ? yajl_tree_get(v, (const char *[]){ "state", NULL }, yajl_t_string) : NULL;
        if (state)
                snprintf(state, size, "%s", m ? YAJL_GET_STRING(m) : "");
        yajl_tree_free(v);
        return n;
}

static double now_s(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Polls the status until joined, one progress line a second on stderr. */
static int wait_joined(struct cli *cli, storvirt_ctx *ctx, const char *name, long long timeout_s,
                       char **ret_json) {
        double start = now_s(), last = 0;
        char state[32];
        int r;

        for (;;) {
                r = storvirt_lockspace_status(ctx, name, ret_json, 0);
                if (r < 0)
                        return r;
                json_int(*ret_json, "elapsed_ms", state, sizeof(state));
                if (strcmp(state, "joined") == 0)
                        return 0;
                if (strcmp(state, "joining") != 0)
                        return cli_error(cli, EIO, "joining lockspace %s failed (sanlock's log "
                                                   "tells why)", name);
                if (now_s() - start > (double)timeout_s)
                        return cli_error(cli, ETIMEDOUT, "lockspace %s: still joining after %lld s",
                                         name, timeout_s);
                if (now_s() - last >= 1.0) {
                        fprintf(stderr, "joining lockspace %s: %.1f s of about %.0f s\n", name,
                                (double)json_int(*ret_json, "elapsed_ms", NULL, 0) / 1000,
                                (double)json_int(*ret_json, "expected_ms", NULL, 0) / 1000);
                        last = now_s();
                }
                storvirt_free(*ret_json);
                *ret_json = NULL;
                usleep(100 * 1000);
        }
}

static int cmd_ls_join(struct cli *cli, const struct cli_args *a) {
        const char *name = cli_str(a, "NAME");
        char *json = NULL;
        storvirt_ctx *ctx;
        int r = cli_ctx(cli, &ctx);

        if (r >= 0)
                r = storvirt_lockspace_join_at(ctx, name, cli_str(a, "path"),
                                               cli_u64(a, "offset"),
                                               (uint32_t)cli_int(a, "host-id"), 0);
        if (r == 1)
                cli_text(cli, "This host is in lockspace %s", name);
        else if (r >= 0 && !cli_given(a, "wait"))
                cli_text(cli, "Joining lockspace %s (lockspace-status tells when done)", name);
        if (r >= 0 && cli_given(a, "wait")) {
                r = wait_joined(cli, ctx, name, cli_given(a, "timeout") ? cli_int(a, "timeout") : 120,
                                &json);
                if (r >= 0)
                        cli_text(cli, "Joined lockspace %s as host id %lld in %.1f s", name,
                                 json_int(json, "host_id", NULL, 0),
                                 (double)json_int(json, "join_ms", NULL, 0) / 1000);
                if (r >= 0 && cli->json)
                        r = cli_field_json(cli, NULL, json);
        }
        storvirt_free(json);
        return r < 0 ? r : 0;
}

static const struct cli_opt opts_ls_name[] = {
        CLI_ARG("NAME", "the lockspace's name"),
        CLI_END,
};

static int cmd_ls_leave(struct cli *cli, const struct cli_args *a) {
        storvirt_ctx *ctx;
        int r = cli_ctx(cli, &ctx);

        if (r >= 0)
                r = storvirt_lockspace_leave(ctx, cli_str(a, "NAME"), 0);
        if (r >= 0)
                cli_text(cli, "Leaving lockspace %s", cli_str(a, "NAME"));
        return r < 0 ? r : 0;
}

static int cmd_ls_status(struct cli *cli, const struct cli_args *a) {
        char *json = NULL;
        storvirt_ctx *ctx;
        int r = cli_ctx(cli, &ctx);

        if (r >= 0)
                r = storvirt_lockspace_status(ctx, cli_str(a, "NAME"), &json,
                                              STORVIRT_LOCKSPACE_STATUS_PRETTY);
        if (r >= 0)
                r = emit(cli, "lockspace", json);
        storvirt_free(json);
        return r < 0 ? r : 0;
}

static const struct cli_opt opts_vdisk[] = {
        CLI_ARG("ID", "the vDisk's id"),
        CLI_END,
};

static int cmd_lease_status(struct cli *cli, const struct cli_args *a) {
        storvirt_vdisk *v = NULL;
        char *json = NULL;
        storvirt_ctx *ctx;
        int r = cli_ctx(cli, &ctx);

        if (r >= 0)
                r = storvirt_vdisk_lookup(ctx, cli_str(a, "ID"), &v);
        if (r >= 0)
                r = storvirt_vdisk_lease_status(v, &json, STORVIRT_VDISK_LEASE_STATUS_PRETTY);
        if (r >= 0)
                r = emit(cli, "lease", json);
        storvirt_free(json);
        storvirt_vdisk_unref(v);
        return r < 0 ? r : 0;
}

static const struct cli_opt opts_lease_assign[] = {
        CLI_ARG("ID", "the vDisk's id"),
        CLI_ARG("LOCKSPACE", "a lease area file's lockspace, or a block region's with slots"),
        CLI_END,
};

static int cmd_lease_assign(struct cli *cli, const struct cli_args *a) {
        storvirt_vdisk *v = NULL;
        storvirt_ctx *ctx;
        int r = cli_ctx(cli, &ctx);

        if (r >= 0)
                r = storvirt_vdisk_lookup(ctx, cli_str(a, "ID"), &v);
        if (r >= 0)
                r = storvirt_vdisk_lease_assign(v, cli_str(a, "LOCKSPACE"), 0);
        storvirt_vdisk_unref(v);
        if (r >= 0) {
                cli_field_bool(cli, "assigned", NULL, r > 0);
                cli_text(cli, r > 0 ? "vDisk %s has a lease in lockspace %s" :
                                      "vDisk %s had its lease in lockspace %s already",
                         cli_str(a, "ID"), cli_str(a, "LOCKSPACE"));
        }
        return r < 0 ? r : 0;
}

static const struct cli_opt opts_lease_run[] = {
        CLI_ARG("ID", "the vDisk's id"),
        { .name = "COMMAND", .kind = CLI_STRING, .flags = CLI_OPERAND | CLI_REQUIRED | CLI_MULTI,
          .help = "the program to run holding the lease, and its arguments (after --)" },
        CLI_END,
};

/* Acquires the lease for this process, then becomes COMMAND: it holds the lease until it exits. */
static int cmd_lease_run(struct cli *cli, const struct cli_args *a) {
        const char *const *argv;
        storvirt_vdisk *v = NULL;
        storvirt_ctx *ctx;
        size_t n = 0;
        int r = cli_ctx(cli, &ctx);

        argv = cli_list(a, "COMMAND", &n);
        if (r >= 0)
                r = storvirt_vdisk_lookup(ctx, cli_str(a, "ID"), &v);
        if (r >= 0)
                r = storvirt_vdisk_lease_acquire(v, 0, 0);
        storvirt_vdisk_unref(v);
        if (r < 0)
                return r;
        fflush(NULL);
        execvp(argv[0], (char *const *)argv);
        return cli_error(cli, errno, "%s: %s", argv[0], strerror(errno));
}

const struct cli_command cli_commands_lease[] = {
        { "lockspace-create", "format a sanlock lease area on shared storage",
          "PATH is a new file in the shared mount (NFS, gluster, ...); the lockspace\n"
          "covers its directory: vDisks imported from under it get a lease, others\n"
          "(a shared LUN's) with vdisk-lease-assign.  With --offset, PATH is a block\n"
          "device whose region at that offset holds the host ids, and with --slots\n"
          "N vDisk lease slots after them ((N + 2) MiB in all).",
          opts_ls_create, cmd_ls_create },
        { "lockspace-join", "join a lockspace (in the background; --wait to wait)",
          "--path records a lockspace another host created.  The host id is the one\n"
          "this host had, else the lowest no host wrote; an id another host holds\n"
          "is refused.  Joining takes about twice the io timeout.",
          opts_ls_join, cmd_ls_join },
        { "lockspace-leave", "leave a lockspace", NULL, opts_ls_name, cmd_ls_leave },
        { "lockspace-status", "a lockspace: host id, joined or joining (with the time)", NULL,
          opts_ls_name, cmd_ls_status },
        { "vdisk-lease-status", "a vDisk's lease: mode, slot, held by which host ids", NULL,
          opts_vdisk, cmd_lease_status },
        { "vdisk-lease-assign", "give a vDisk a lease slot in a lockspace",
          "For a vDisk on storage no lease area file covers, such as a shared LUN: its\n"
          "lease is kept in LOCKSPACE's area.  Each host assigns the vDisk once; every\n"
          "host finds the same slot.", opts_lease_assign, cmd_lease_assign },
        { "vdisk-lease-run", "acquire a vDisk's lease, then run COMMAND holding it",
          "The lease is released when COMMAND exits.  Exclusive for a read-write\n"
          "vDisk, shared for a shared one; a read-only vDisk needs none.",
          opts_lease_run, cmd_lease_run },
        { NULL, NULL, NULL, NULL, NULL },
};
