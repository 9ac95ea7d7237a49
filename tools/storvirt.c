/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storvirt.c - the storvirt command-line tool: global options, command
 * dispatch, error and exit-status conventions.
 *
 *   storvirt [-d STATEDIR] [--json] [--debug] COMMAND [ARGS]
 *
 * The command line is read by cmdopt.c from each command's table of
 * options; the global options may also follow the command.
 *
 * Exit status: 0 success, 1 library error, 2 usage error.  Errors go to
 * stderr as "storvirt: error: <message>"; with --json the result (or the
 * error) is one JSON object on stdout: {"status": {"code", "message"}, ...}.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "cli.h"

static const struct cli_command *const command_tables[] = {
        cli_commands_base,
        cli_commands_pool,
        cli_commands_poolcaps,
        cli_commands_vol,
        cli_commands_xml,
        cli_commands_lun,
        cli_commands_resolve,
        cli_commands_vdisk,
        cli_commands_hcl,
        cli_commands_secret,
        cli_commands_event,
        NULL,
};

static const struct cli_command *command_find(const char *name) {
        for (size_t t = 0; command_tables[t]; t++)
                for (const struct cli_command *c = command_tables[t]; c->name; c++)
                        if (strcmp(c->name, name) == 0)
                                return c;
        return NULL;
}

/* The options every command takes, before or after it. */
const struct cli_opt cli_global_opts[] = {
        { .name = "state-dir", .kind = CLI_STRING, .arg = "DIR", .letter = 'd',
          .help = "state directory (default: $STORVIRT_STATE_DIR, else\n"
                  "                             $XDG_STATE_HOME/storvirt, /var/lib/storvirt for root)" },
        { .name = "json", .kind = CLI_BOOL, .help = "machine-readable output on stdout" },
        { .name = "debug", .kind = CLI_BOOL, .help = "library debug log on stderr" },
        { .name = "help", .kind = CLI_BOOL, .letter = 'h',
          .help = "this help; after a command, that command's help" },
        { .name = "version", .kind = CLI_BOOL, .letter = 'V', .help = "print the version" },
        CLI_END,
};

int cli_ctx(struct cli *cli, storvirt_ctx **ret) {
        int r;

        if (!cli->ctx) {
                r = storvirt_ctx_new(&cli->ctx, 0);
                if (r < 0)
                        return r;
                if (cli->debug)
                        storvirt_ctx_set_log_priority(cli->ctx, STORVIRT_LOG_DEBUG);
                if (cli->state_dir) {
                        r = storvirt_ctx_set_state_dir(cli->ctx, cli->state_dir, 0);
                        if (r < 0)
                                return r;
                }
        }
        *ret = cli->ctx;
        return 0;
}

int cli_usage(struct cli *cli, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(cli->usage_buf, sizeof(cli->usage_buf), fmt, ap);
        va_end(ap);
        cli->usage_msg = cli->usage_buf;
        return CLI_USAGE;
}

int cli_error(struct cli *cli, int err, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(cli->error_buf, sizeof(cli->error_buf), fmt, ap);
        va_end(ap);
        cli->error_msg = cli->error_buf;
        return -err;
}


static void json_status(yajl_gen g, int code, const char *message) {
        const char *keys[] = { "status", "code", "message" };

        yajl_gen_string(g, (const unsigned char *)keys[0], strlen(keys[0]));
        yajl_gen_map_open(g);
        yajl_gen_string(g, (const unsigned char *)keys[1], strlen(keys[1]));
        yajl_gen_integer(g, code);
        yajl_gen_string(g, (const unsigned char *)keys[2], strlen(keys[2]));
        yajl_gen_string(g, (const unsigned char *)message, strlen(message));
        yajl_gen_map_close(g);
}

static void json_flush(yajl_gen g) {
        const unsigned char *buf;
        size_t len;

        if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
                fwrite(buf, 1, len, stdout);
}

static void print_help(void) {
        printf("Usage: storvirt [-d STATEDIR] [--json] [--debug] COMMAND [ARGS...]\n"
               "       storvirt help [--synopsis] [COMMAND]\n"
               "\nGlobal options (before or after COMMAND):\n");
        cli_print_opts(cli_global_opts);
        printf("\nCommands:\n");
        for (size_t t = 0; command_tables[t]; t++)
                for (const struct cli_command *c = command_tables[t]; c->name; c++)
                        printf("  %-22s %s\n", c->name, c->summary);
        printf("\nExit status: 0 success, 1 error, 2 usage error.\n");
}

/* "NAME SYNOPSIS" of one command, or of every one. */
static int print_synopses(struct cli *cli, const char *name) {
        for (size_t t = 0; command_tables[t]; t++)
                for (const struct cli_command *c = command_tables[t]; c->name; c++) {
                        char *syn;

                        if (name && strcmp(c->name, name) != 0)
                                continue;
                        syn = cli_synopsis(c);
                        if (!syn)
                                return cli_error(cli, ENOMEM, "out of memory");
                        printf("%s%s%s\n", c->name, *syn ? " " : "", syn);
                        free(syn);
                }
        return 0;
}

static int cmd_help(struct cli *cli, const struct cli_args *a) {
        const char *name = cli_str(a, "COMMAND");
        const struct cli_command *c = name ? command_find(name) : NULL;

        cli->json = false; /* help is for people: always text */
        if (name && !c)
                return cli_usage(cli, "unknown command '%s'", name);
        if (cli_given(a, "synopsis"))
                return print_synopses(cli, name);
        if (c)
                cli_print_command_help(c);
        else
                print_help();
        return 0;
}

static int cmd_version(struct cli *cli, const struct cli_args *a) {
        (void)a;
        if (!cli->json) {
                printf("libstorvirt %s (ABI %s, libstorvirt.so.0)\n", storvirt_version(),
                       storvirt_version_abi());
                return 0;
        }
        cli_field_str(cli, "version", "version", storvirt_version());
        cli_field_str(cli, "abi", "abi", storvirt_version_abi());
        cli_field_str(cli, "soname", "soname", "libstorvirt.so.0");
        return 0;
}

static int cmd_info(struct cli *cli, const struct cli_args *a) {
        storvirt_ctx *ctx;
        const char *dir;
        char **types = NULL;
        int r;

        (void)a;
        r = cli_ctx(cli, &ctx);
        if (r >= 0)
                r = storvirt_ctx_get_state_dir(ctx, &dir);
        if (r >= 0)
                r = storvirt_ctx_list_pool_types(ctx, &types, NULL, 0);
        if (r < 0)
                return r;
        cli_field_str(cli, "version", "Version:", storvirt_version());
        cli_field_str(cli, "abi", "ABI:", storvirt_version_abi());
        cli_field_str(cli, "state_dir", "State dir:", dir);
        cli_field_strv(cli, "pool_types", "Pool types:", types);
        storvirt_strv_free(types);
        return 0;
}

static const struct cli_opt opts_help[] = {
        CLI_BOOL_OPT("synopsis", "print only the synopsis (of every command without COMMAND)"),
        CLI_ARG_OPT("COMMAND", "the command to describe"),
        CLI_END,
};

const struct cli_command cli_commands_base[] = {
        { "help", "show the commands, or the usage of one", NULL, opts_help, cmd_help },
        { "version", "print the library version and ABI", NULL, NULL, cmd_version },
        { "info", "print version, state directory and built-in pool types",
          "The state directory is created (mode 0700) if it does not exist.", NULL, cmd_info },
        { NULL, NULL, NULL, NULL, NULL },
};

static int finish(struct cli *cli, int r) {
        const char *msg;
        int code;

        if (r == 0) {
                if (cli->json) {
                        json_status(cli->gen, 0, "Done");
                        yajl_gen_map_close(cli->gen);
                        json_flush(cli->gen);
                        printf("\n");
                }
                return 0;
        }
        if (r == CLI_USAGE) {
                msg = cli->usage_msg ? cli->usage_msg : "invalid usage";
                code = EINVAL;
        } else {
                msg = cli->error_msg ? cli->error_msg : storvirt_error_message();
                code = -r;
                if (!msg)
                        msg = strerror(code);
        }
        if (cli->json) {
                /* Drop partial output: an error replaces the result. */
                yajl_gen_free(cli->gen);
                cli->gen = yajl_gen_alloc(NULL);
                yajl_gen_map_open(cli->gen);
                json_status(cli->gen, code, msg);
                yajl_gen_map_close(cli->gen);
                json_flush(cli->gen);
                printf("\n");
        }
        if (r == CLI_USAGE) {
                fprintf(stderr, "storvirt: usage error: %s\n", msg);
                fprintf(stderr, "Try 'storvirt help' for more information.\n");
                return 2;
        }
        fprintf(stderr, "storvirt: error: %s\n", msg);
        return 1;
}

int main(int argc, char **argv) {
        struct cli cli = {};
        struct cli_args args = {};
        const struct cli_command *cmd = NULL;
        int r, status;

        r = cli_parse(&cli, command_tables, argc, argv, &args, &cmd);
        if (r == CLI_PARSE_HELP) {
                if (cmd)
                        cli_print_command_help(cmd);
                else
                        print_help();
                cli_args_free(&args);
                return 0;
        }
        if (r == CLI_USAGE && !cli.json)
                cli.json = cli_argv_wants_json(argc, argv);
        cli.gen = yajl_gen_alloc(NULL);
        if (!cli.gen) {
                fprintf(stderr, "storvirt: error: out of memory\n");
                cli_args_free(&args);
                return 1;
        }
        yajl_gen_config(cli.gen, yajl_gen_validate_utf8, 1);
        yajl_gen_map_open(cli.gen);
        if (r == CLI_PARSE_VERSION)
                r = cmd_version(&cli, NULL);
        else if (r == 0)
                r = cmd->run(&cli, &args);
        status = finish(&cli, r);
        cli_args_free(&args);
        yajl_gen_free(cli.gen);
        storvirt_ctx_unref(cli.ctx);
        return status;
}
