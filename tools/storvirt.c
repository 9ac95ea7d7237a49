/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storvirt.c - the storvirt command-line tool: global options, command
 * dispatch, error and exit-status conventions.
 *
 *   storvirt [-d STATEDIR] [--json] [--debug] COMMAND [ARGS]
 *
 * Exit status: 0 success, 1 library error, 2 usage error.  Errors go to
 * stderr as "storvirt: error: <message>"; with --json the result (or the
 * error) is one JSON object on stdout: {"status": {"code", "message"}, ...}.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "cli.h"

static const struct cli_command *const command_tables[] = {
        cli_commands_base,
        cli_commands_pool,
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

static void gen_str(yajl_gen g, const char *s) {
        yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void gen_u64(yajl_gen g, uint64_t value) {
        char num[32];

        snprintf(num, sizeof(num), "%llu", (unsigned long long)value);
        yajl_gen_number(g, num, strlen(num));
}

/* "1.5 GiB"; NULL only when out of memory. */
static char *size_human(uint64_t bytes) {
        char *s = NULL, *copy;

        if (storvirt_units_format(bytes, &s, STORVIRT_UNITS_FORMAT_HUMAN) < 0)
                return NULL;
        copy = strdup(s);
        storvirt_free(s);
        return copy;
}

void cli_field_str(struct cli *cli, const char *key, const char *label, const char *value) {
        if (cli->json) {
                gen_str(cli->gen, key);
                if (value)
                        gen_str(cli->gen, value);
                else
                        yajl_gen_null(cli->gen);
        } else {
                printf("%-14s %s\n", label, value ? value : "-");
        }
}

void cli_field_u64(struct cli *cli, const char *key, const char *label, uint64_t value) {
        if (cli->json) {
                gen_str(cli->gen, key);
                gen_u64(cli->gen, value);
        } else {
                printf("%-14s %llu\n", label, (unsigned long long)value);
        }
}

void cli_field_strv(struct cli *cli, const char *key, const char *label, char **values) {
        if (cli->json) {
                gen_str(cli->gen, key);
                yajl_gen_array_open(cli->gen);
                for (char **v = values; v && *v; v++)
                        gen_str(cli->gen, *v);
                yajl_gen_array_close(cli->gen);
                return;
        }
        printf("%-14s", label);
        if (!values || !*values)
                printf(" -");
        for (char **v = values; v && *v; v++)
                printf(" %s", *v);
        printf("\n");
}

void cli_field_bool(struct cli *cli, const char *key, const char *label, bool value) {
        if (cli->json) {
                gen_str(cli->gen, key);
                yajl_gen_bool(cli->gen, value);
        } else {
                printf("%-14s %s\n", label, value ? "yes" : "no");
        }
}

void cli_field_size(struct cli *cli, const char *key, const char *label, uint64_t bytes) {
        char *s;

        if (cli->json) {
                gen_str(cli->gen, key);
                gen_u64(cli->gen, bytes);
                return;
        }
        s = size_human(bytes);
        if (s)
                printf("%-14s %s\n", label, s);
        else
                printf("%-14s %llu\n", label, (unsigned long long)bytes);
        free(s);
}

/* Re-emits parsed JSON events into the result object (cli_field_json). */
struct splice {
        yajl_gen gen;
        unsigned depth;   /* containers open in the parsed text */
        bool merge;       /* the outermost object's members join the result */
};

/* A value outside every container is not a member when merging. */
static bool splice_value_ok(struct splice *s) {
        return !(s->merge && s->depth == 0);
}

static int splice_null(void *ctx) {
        struct splice *s = ctx;

        return splice_value_ok(s) && yajl_gen_null(s->gen) == yajl_gen_status_ok;
}

static int splice_bool(void *ctx, int value) {
        struct splice *s = ctx;

        return splice_value_ok(s) && yajl_gen_bool(s->gen, value) == yajl_gen_status_ok;
}

static int splice_number(void *ctx, const char *num, size_t len) {
        struct splice *s = ctx;

        return splice_value_ok(s) && yajl_gen_number(s->gen, num, len) == yajl_gen_status_ok;
}

static int splice_string(void *ctx, const unsigned char *str, size_t len) {
        struct splice *s = ctx;

        return splice_value_ok(s) && yajl_gen_string(s->gen, str, len) == yajl_gen_status_ok;
}

static int splice_key(void *ctx, const unsigned char *key, size_t len) {
        struct splice *s = ctx;

        return yajl_gen_string(s->gen, key, len) == yajl_gen_status_ok;
}

static int splice_start_map(void *ctx) {
        struct splice *s = ctx;

        bool outer = s->merge && s->depth == 0;

        s->depth++;
        if (outer)
                return 1;
        return yajl_gen_map_open(s->gen) == yajl_gen_status_ok;
}

static int splice_end_map(void *ctx) {
        struct splice *s = ctx;

        s->depth--;
        if (s->merge && s->depth == 0)
                return 1;
        return yajl_gen_map_close(s->gen) == yajl_gen_status_ok;
}

static int splice_start_array(void *ctx) {
        struct splice *s = ctx;

        if (!splice_value_ok(s))
                return 0;
        s->depth++;
        return yajl_gen_array_open(s->gen) == yajl_gen_status_ok;
}

static int splice_end_array(void *ctx) {
        struct splice *s = ctx;

        s->depth--;
        return yajl_gen_array_close(s->gen) == yajl_gen_status_ok;
}

static const yajl_callbacks splice_callbacks = {
        .yajl_null = splice_null,
        .yajl_boolean = splice_bool,
        .yajl_number = splice_number,
        .yajl_string = splice_string,
        .yajl_start_map = splice_start_map,
        .yajl_map_key = splice_key,
        .yajl_end_map = splice_end_map,
        .yajl_start_array = splice_start_array,
        .yajl_end_array = splice_end_array,
};

int cli_field_json(struct cli *cli, const char *key, const char *json) {
        struct splice s = { .gen = cli->gen, .merge = key == NULL };
        size_t len = strlen(json);
        yajl_handle h;
        yajl_status st;
        int r = 0;

        if (!cli->json)
                return 0;
        h = yajl_alloc(&splice_callbacks, NULL, &s);
        if (!h)
                return cli_error(cli, ENOMEM, "out of memory");
        if (key)
                gen_str(cli->gen, key);
        st = yajl_parse(h, (const unsigned char *)json, len);
        if (st == yajl_status_ok)
                st = yajl_complete_parse(h);
        if (st == yajl_status_client_canceled) {
                r = cli_error(cli, EINVAL, "cannot embed JSON: %s",
                              s.merge && s.depth == 0 ? "not an object"
                                                      : "not valid in the result");
        } else if (st != yajl_status_ok) {
                unsigned char *msg = yajl_get_error(h, 0, (const unsigned char *)json, len);
                r = cli_error(cli, EINVAL, "cannot embed JSON: %s",
                              msg ? (const char *)msg : "parse error");
                if (msg)
                        yajl_free_error(h, msg);
        }
        yajl_free(h);
        return r;
}

void cli_text(struct cli *cli, const char *fmt, ...) {
        va_list ap;

        if (cli->json)
                return;
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        putchar('\n');
}

void cli_table_begin(struct cli *cli, struct cli_table *t, const char *key,
                     const struct cli_column *cols, size_t ncols) {
        *t = (struct cli_table){ .cli = cli, .cols = cols, .ncols = ncols, .col = ncols };
        if (cli->json) {
                gen_str(cli->gen, key);
                yajl_gen_array_open(cli->gen);
        }
}

static void table_close_row(struct cli_table *t) {
        if (t->nrows > 0 && t->cli->json)
                yajl_gen_map_close(t->cli->gen);
}

void cli_table_row(struct cli_table *t) {
        table_close_row(t);
        t->nrows++;
        t->col = 0;
        if (t->cli->json) {
                yajl_gen_map_open(t->cli->gen);
                return;
        }
        if (t->nrows * t->ncols > t->alloc) {
                size_t n = t->alloc ? t->alloc * 2 : 16 * t->ncols;
                char **cells;

                while (n < t->nrows * t->ncols)
                        n *= 2;
                cells = realloc(t->cells, n * sizeof(*cells));
                if (!cells) {
                        t->oom = true;
                        t->nrows--;
                        t->col = t->ncols; /* drop the row's cells */
                        return;
                }
                memset(cells + t->alloc, 0, (n - t->alloc) * sizeof(*cells));
                t->cells = cells;
                t->alloc = n;
        }
}

/* The column the next cell goes to, or NULL when it is to be dropped. */
static const struct cli_column *table_next(struct cli_table *t) {
        const struct cli_column *c;

        if (t->col >= t->ncols)
                return NULL;
        c = &t->cols[t->col++];
        if (t->cli->json)
                gen_str(t->cli->gen, c->key);
        return c;
}

static void table_text(struct cli_table *t, const struct cli_column *c, const char *text,
                       bool take) {
        char *s = NULL;

        if (c->header) {
                s = take ? (char *)text : strdup(text ? text : "-");
                if (!s)
                        t->oom = true;
                t->cells[(t->nrows - 1) * t->ncols + (size_t)(c - t->cols)] = s;
        } else if (take) {
                free((char *)text);
        }
}

void cli_table_str(struct cli_table *t, const char *value) {
        const struct cli_column *c = table_next(t);

        if (!c)
                return;
        if (t->cli->json) {
                if (value)
                        gen_str(t->cli->gen, value);
                else
                        yajl_gen_null(t->cli->gen);
                return;
        }
        table_text(t, c, value, false);
}

void cli_table_null(struct cli_table *t) {
        cli_table_str(t, NULL);
}

void cli_table_u64(struct cli_table *t, uint64_t value) {
        const struct cli_column *c = table_next(t);
        char num[32];

        if (!c)
                return;
        if (t->cli->json) {
                gen_u64(t->cli->gen, value);
                return;
        }
        snprintf(num, sizeof(num), "%llu", (unsigned long long)value);
        table_text(t, c, num, false);
}

void cli_table_size(struct cli_table *t, uint64_t bytes) {
        const struct cli_column *c = table_next(t);
        char *s;

        if (!c)
                return;
        if (t->cli->json) {
                gen_u64(t->cli->gen, bytes);
                return;
        }
        if (!c->header)
                return;
        s = size_human(bytes);
        if (!s)
                t->oom = true;
        else
                table_text(t, c, s, true);
}

void cli_table_bool(struct cli_table *t, bool value) {
        const struct cli_column *c = table_next(t);

        if (!c)
                return;
        if (t->cli->json) {
                yajl_gen_bool(t->cli->gen, value);
                return;
        }
        table_text(t, c, value ? "yes" : "no", false);
}

/* Display width of a UTF-8 string: one column per code point. */
static size_t text_width(const char *s) {
        size_t w = 0;

        for (; *s; s++)
                if (((unsigned char)*s & 0xc0) != 0x80)
                        w++;
        return w;
}

static void print_padded(const char *s, size_t width, bool last) {
        fputs(s, stdout);
        if (!last)
                for (size_t w = text_width(s); w < width + 3; w++)
                        putchar(' ');
}

int cli_table_end(struct cli_table *t) {
        size_t *width = NULL, total = 0, last = 0;
        int r = 0;

        table_close_row(t);
        if (t->cli->json) {
                yajl_gen_array_close(t->cli->gen);
                goto out;
        }
        if (t->oom) {
                r = cli_error(t->cli, ENOMEM, "out of memory");
                goto out;
        }
        width = calloc(t->ncols, sizeof(*width));
        if (!width) {
                r = cli_error(t->cli, ENOMEM, "out of memory");
                goto out;
        }
        for (size_t c = 0; c < t->ncols; c++) {
                if (!t->cols[c].header)
                        continue;
                width[c] = text_width(t->cols[c].header);
                for (size_t row = 0; row < t->nrows; row++) {
                        const char *s = t->cells[row * t->ncols + c];
                        if (s && text_width(s) > width[c])
                                width[c] = text_width(s);
                }
                last = c;
        }
        for (size_t c = 0; c < t->ncols; c++)
                if (t->cols[c].header)
                        total += width[c] + (c == last ? 0 : 3);
        putchar(' ');
        for (size_t c = 0; c < t->ncols; c++)
                if (t->cols[c].header)
                        print_padded(t->cols[c].header, width[c], c == last);
        putchar('\n');
        for (size_t i = 0; i < total + 2; i++)
                putchar('-');
        putchar('\n');
        for (size_t row = 0; row < t->nrows; row++) {
                putchar(' ');
                for (size_t c = 0; c < t->ncols; c++) {
                        const char *s = t->cells[row * t->ncols + c];
                        if (t->cols[c].header)
                                print_padded(s ? s : "-", width[c], c == last);
                }
                putchar('\n');
        }
        putchar('\n');
out:
        if (t->cells)
                for (size_t i = 0; i < t->nrows * t->ncols; i++)
                        free(t->cells[i]);
        free(t->cells);
        free(width);
        t->cells = NULL;
        t->nrows = 0;
        return r;
}

static void json_status(yajl_gen g, int code, const char *message) {
        gen_str(g, "status");
        yajl_gen_map_open(g);
        gen_str(g, "code");
        yajl_gen_integer(g, code);
        gen_str(g, "message");
        gen_str(g, message);
        yajl_gen_map_close(g);
}

static void json_flush(yajl_gen g) {
        const unsigned char *buf;
        size_t len;

        if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
                fwrite(buf, 1, len, stdout);
}

static void usage_print(FILE *f) {
        fprintf(f, "Usage: storvirt [-d STATEDIR] [--json] [--debug] COMMAND [ARGS...]\n"
                   "       storvirt help [COMMAND]\n");
}

static int print_help(const char *name) {
        const struct cli_command *c;

        if (name) {
                c = command_find(name);
                if (!c)
                        return -1;
                printf("Usage: storvirt %s%s%s\n\n%s\n", c->name, c->args[0] ? " " : "",
                       c->args, c->summary);
                if (c->help)
                        printf("\n%s\n", c->help);
                return 0;
        }
        usage_print(stdout);
        printf("\nGlobal options:\n"
               "  -d, --state-dir DIR  state directory (default: $STORVIRT_STATE_DIR,\n"
               "                       else $XDG_STATE_HOME/storvirt, /var/lib/storvirt for root)\n"
               "      --json           machine-readable output on stdout\n"
               "      --debug          library debug log on stderr\n"
               "  -h, --help           this help\n"
               "  -V, --version        print the version\n"
               "\nCommands:\n");
        for (size_t t = 0; command_tables[t]; t++)
                for (c = command_tables[t]; c->name; c++)
                        printf("  %-22s %s\n", c->name, c->summary);
        printf("\nExit status: 0 success, 1 error, 2 usage error.\n");
        return 0;
}

static int cmd_help(struct cli *cli, int argc, char **argv) {
        if (argc > 2)
                return cli_usage(cli, "help takes at most one COMMAND");
        cli->json = false; /* help is for people: always text */
        if (print_help(argc == 2 ? argv[1] : NULL) < 0)
                return cli_usage(cli, "unknown command '%s'", argv[1]);
        return 0;
}

static int cmd_version(struct cli *cli, int argc, char **argv) {
        if (argc != 1)
                return cli_usage(cli, "version takes no arguments");
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

static int cmd_info(struct cli *cli, int argc, char **argv) {
        storvirt_ctx *ctx;
        const char *dir;
        char **types = NULL;
        int r;

        if (argc != 1)
                return cli_usage(cli, "info takes no arguments");
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

const struct cli_command cli_commands_base[] = {
        { "help", "[COMMAND]", "show the commands, or the usage of one", NULL, cmd_help },
        { "version", "", "print the library version and ABI", NULL, cmd_version },
        { "info", "", "print version, state directory and built-in pool types",
          "The state directory is created (mode 0700) if it does not exist.", cmd_info },
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

static int parse_global(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = {
                { "state-dir", required_argument, NULL, 'd' },
                { "json", no_argument, NULL, 'j' },
                { "debug", no_argument, NULL, 'D' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                {}
        };
        int c;

        opterr = 0;
        while ((c = getopt_long(argc, argv, "+d:hV", opts, NULL)) != -1) {
                switch (c) {
                case 'd': cli->state_dir = optarg; break;
                case 'j': cli->json = true; break;
                case 'D': cli->debug = true; break;
                case 'h': return 'h';
                case 'V': return 'V';
                default:
                        return cli_usage(cli, "unknown or incomplete option '%s'",
                                         argv[optind - 1]);
                }
        }
        return 0;
}

int main(int argc, char **argv) {
        struct cli cli = {};
        const struct cli_command *cmd;
        int r, status;

        r = parse_global(&cli, argc, argv);
        if (r == 'h') {
                print_help(NULL);
                return 0;
        }
        cli.gen = yajl_gen_alloc(NULL);
        if (!cli.gen) {
                fprintf(stderr, "storvirt: error: out of memory\n");
                return 1;
        }
        yajl_gen_config(cli.gen, yajl_gen_validate_utf8, 1);
        yajl_gen_map_open(cli.gen);
        if (r == 'V') {
                char *vargv[] = { (char *)"version", NULL };
                r = cmd_version(&cli, 1, vargv);
        } else if (r == 0 && optind >= argc) {
                r = cli_usage(&cli, "no COMMAND given");
        } else if (r == 0) {
                cmd = command_find(argv[optind]);
                if (!cmd)
                        r = cli_usage(&cli, "unknown command '%s'", argv[optind]);
                else {
                        char **sub = argv + optind;
                        int subc = argc - optind;

                        optind = 0; /* let the command run getopt_long afresh */
                        r = cmd->run(&cli, subc, sub);
                }
        }
        status = finish(&cli, r);
        yajl_gen_free(cli.gen);
        storvirt_ctx_unref(cli.ctx);
        return status;
}
