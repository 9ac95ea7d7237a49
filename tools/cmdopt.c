/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmdopt.c - one parser for the command line of every storvirt command,
 * driven by the command's table of options and operands (cmdopt.h), and
 * the synopsis and option list that `storvirt help` prints from the same
 * table.
 *
 * The line is read in two passes.  The first finds the command: the first
 * argument that is not an option or the value of one (the value an option
 * before the command takes is known from the tables: an option name means
 * the same kind of thing in every command).  The second reads every
 * argument against the global options and the command's table, in order,
 * and stops at the first problem.  Options and operands mix freely; "--"
 * ends the options; "-" and a negative number ("-1G") are operands.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* ------------------------------------------------------------------------
 * Lookups.
 */

static size_t opts_count(const struct cli_opt *opts) {
        size_t n = 0;

        while (opts && opts[n].name)
                n++;
        return n;
}

static bool is_operand(const struct cli_opt *o) {
        return o->flags & CLI_OPERAND;
}

/* The entry an option name (without "--") stands for, or NULL. */
static const struct cli_opt *opt_find(const struct cli_opt *opts, const char *name, size_t len) {
        for (size_t i = 0; opts && opts[i].name; i++) {
                const struct cli_opt *o = &opts[i];
                const char *alias = o->alias;

                if (!is_operand(o) && strlen(o->name) == len && strncmp(o->name, name, len) == 0)
                        return o;
                if (alias && strlen(alias) == len && strncmp(alias, name, len) == 0)
                        return o;
        }
        return NULL;
}

static const struct cli_opt *global_find_letter(char letter) {
        for (const struct cli_opt *o = cli_global_opts; o->name; o++)
                if (o->letter == letter)
                        return o;
        return NULL;
}

/* The value of a table entry by name, for the accessors. */
static const struct cli_val *val_find(const struct cli_args *a, const char *name) {
        const struct cli_opt *opts = a->cmd->opts;

        for (size_t i = 0; i < a->n; i++)
                if (strcmp(opts[i].name, name) == 0)
                        return &a->v[i];
        fprintf(stderr, "storvirt: internal error: command '%s' declares no '%s'\n",
                a->cmd->name, name);
        exit(70);
}

bool cli_given(const struct cli_args *a, const char *name) {
        return val_find(a, name)->given;
}

const char *cli_str(const struct cli_args *a, const char *name) {
        const struct cli_val *v = val_find(a, name);

        return v->given ? v->str : NULL;
}

uint64_t cli_u64(const struct cli_args *a, const char *name) {
        return val_find(a, name)->u64;
}

long long cli_int(const struct cli_args *a, const char *name) {
        return val_find(a, name)->num;
}

const char *const *cli_list(const struct cli_args *a, const char *name, size_t *ret_n) {
        const struct cli_val *v = val_find(a, name);

        if (ret_n)
                *ret_n = v->n;
        return v->list;
}

uint32_t cli_flags(const struct cli_args *a) {
        uint32_t flags = 0;

        for (size_t i = 0; i < a->n; i++)
                if (a->v[i].given)
                        flags |= a->cmd->opts[i].flag;
        return flags;
}

void cli_args_free(struct cli_args *a) {
        for (size_t i = 0; a->v && i < a->n; i++)
                free(a->v[i].list);
        free(a->v);
        a->v = NULL;
        a->n = 0;
}

bool cli_argv_wants_json(int argc, char **argv) {
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--") == 0)
                        return false;
                if (strcmp(argv[i], "--json") == 0)
                        return true;
        }
        return false;
}

/* ------------------------------------------------------------------------
 * The first pass: where the command is.
 */

struct parse {
        struct cli *cli;
        const struct cli_command *const *tables;
        int argc;
        char **argv;
        const struct cli_command *cmd;
        int cmd_index;
        struct cli_args *a;
};

/* "-" alone, a negative number and anything not starting with '-'. */
static bool looks_operand(const char *arg) {
        return arg[0] != '-' || arg[1] == '\0' || (arg[1] >= '0' && arg[1] <= '9') ||
               (arg[1] == '.' && arg[2] >= '0' && arg[2] <= '9');
}

static const struct cli_command *command_lookup(const struct cli_command *const *tables,
                                                const char *name) {
        for (size_t t = 0; tables[t]; t++)
                for (const struct cli_command *c = tables[t]; c->name; c++)
                        if (strcmp(c->name, name) == 0)
                                return c;
        return NULL;
}

/*
 * Whether an option some command declares takes a value: 1 yes, 0 no,
 * -1 no command declares it, -2 commands disagree.
 */
static int any_takes_value(const struct cli_command *const *tables, const char *name,
                           size_t len) {
        int r = -1;

        for (size_t t = 0; tables[t]; t++)
                for (const struct cli_command *c = tables[t]; c->name; c++) {
                        const struct cli_opt *o = opt_find(c->opts, name, len);
                        int v;

                        if (!o)
                                continue;
                        v = o->kind != CLI_BOOL;
                        if (r >= 0 && r != v)
                                return -2;
                        r = v;
                }
        return r;
}

/* Steps over the option at argv[*i] (and its value); CLI_USAGE on a problem. */
static int skip_option(struct parse *p, int *i, const char **unknown) {
        const char *arg = p->argv[*i];

        if (arg[1] != '-') {
                const struct cli_opt *g = global_find_letter(arg[1]);

                if (!g || (g->kind == CLI_BOOL && arg[2]))
                        return cli_usage(p->cli, "unknown option '%s'", arg);
                if (g->kind == CLI_BOOL && strcmp(g->name, "help") == 0)
                        return CLI_PARSE_HELP;
                if (g->kind == CLI_BOOL && strcmp(g->name, "version") == 0)
                        return CLI_PARSE_VERSION;
                if (g->kind != CLI_BOOL && !arg[2] && ++*i >= p->argc)
                        return cli_usage(p->cli, "option '%s' needs a value", arg);
                return 0;
        }
        const char *name = arg + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const struct cli_opt *g = opt_find(cli_global_opts, name, len);
        int takes;

        if (g && strcmp(g->name, "help") == 0)
                return CLI_PARSE_HELP;
        if (g && strcmp(g->name, "version") == 0)
                return CLI_PARSE_VERSION;
        takes = g ? g->kind != CLI_BOOL : any_takes_value(p->tables, name, len);
        if (takes == -2)
                return cli_usage(p->cli, "option '%.*s' must follow the command", (int)len + 2,
                                 arg);
        if (takes == -1 && !*unknown)
                *unknown = arg;
        if (takes == 1 && !eq && ++*i >= p->argc)
                return cli_usage(p->cli, "option '%s' needs a value", arg);
        return 0;
}

static int find_command(struct parse *p) {
        const char *unknown = NULL;
        int r;

        for (int i = 1; i < p->argc; i++) {
                const char *arg = p->argv[i];

                if (strcmp(arg, "--") == 0) {
                        if (i + 1 < p->argc)
                                p->cmd_index = i + 1;
                        break;
                }
                if (looks_operand(arg)) {
                        p->cmd_index = i;
                        break;
                }
                r = skip_option(p, &i, &unknown);
                if (r)
                        return r;
        }
        if (!p->cmd_index)
                return unknown ? cli_usage(p->cli, "unknown option '%s'", unknown)
                               : cli_usage(p->cli, "no COMMAND given");
        p->cmd = command_lookup(p->tables, p->argv[p->cmd_index]);
        if (!p->cmd)
                return cli_usage(p->cli, "unknown command '%s'", p->argv[p->cmd_index]);
        return 0;
}

/* ------------------------------------------------------------------------
 * The second pass: every argument, against the command's table.
 */

static int usage_with_synopsis(struct parse *p, const char *what) {
        char *syn = cli_synopsis(p->cmd);
        int r = cli_usage(p->cli, "%s: %s (usage: storvirt %s%s%s)", p->cmd->name, what,
                          p->cmd->name, syn && *syn ? " " : "", syn ? syn : "");

        free(syn);
        return r;
}

/* How an entry is named in messages: "--pool" or "POOL". */
static void entry_name(const struct cli_opt *o, char *buf, size_t size) {
        snprintf(buf, size, "%s%s", is_operand(o) ? "" : "--", o->name);
}

static int store_number(struct parse *p, const struct cli_opt *o, struct cli_val *v,
                        const char *shown, const char *value) {
        if (o->kind == CLI_SIZE) {
                int r = storvirt_units_parse(value, NULL, 0, &v->u64, 0);
                if (r < 0) {
                        const char *msg = storvirt_error_message();
                        return cli_usage(p->cli, "%s: invalid %s '%s': %s", p->cmd->name, shown,
                                         value, msg ? msg : strerror(-r));
                }
        } else if (o->kind == CLI_INT) {
                char *end;

                errno = 0;
                v->num = strtoll(value, &end, 10);
                if (!*value || *end || errno || v->num < o->min || v->num > o->max)
                        return cli_usage(p->cli, "%s: %s '%s': not an integer from %lld to %lld",
                                         p->cmd->name, shown, value, o->min, o->max);
        }
        return 0;
}

/* Records the value of entry o; shown is how the user wrote its name. */
static int store(struct parse *p, const struct cli_opt *o, const char *shown, const char *value) {
        struct cli_val *v = &p->a->v[o - p->cmd->opts];

        if (o->kind == CLI_BOOL) {
                v->given = true;
                return 0;
        }
        if (o->flags & CLI_MULTI) {
                const char **list = realloc(v->list, (v->n + 2) * sizeof(*list));
                if (!list)
                        return cli_error(p->cli, ENOMEM, "out of memory");
                list[v->n++] = value;
                list[v->n] = NULL;
                v->list = list;
        } else if (v->given) {
                return cli_usage(p->cli, "%s: %s given more than once", p->cmd->name, shown);
        }
        v->given = true;
        v->str = value;
        return store_number(p, o, v, shown, value);
}

static int take_operand(struct parse *p, const char *arg) {
        const struct cli_opt *opts = p->cmd->opts;
        char what[600];

        for (size_t i = 0; opts && opts[i].name; i++)
                if (is_operand(&opts[i]) && (!p->a->v[i].given || (opts[i].flags & CLI_MULTI)))
                        return store(p, &opts[i], opts[i].name, arg); /* a MULTI operand takes the rest */
        snprintf(what, sizeof(what), "unexpected argument '%s'", arg);
        return usage_with_synopsis(p, what);
}

static int take_global(struct parse *p, const struct cli_opt *g, const char *value) {
        if (strcmp(g->name, "help") == 0)
                return CLI_PARSE_HELP;
        if (strcmp(g->name, "version") == 0)
                return CLI_PARSE_VERSION;
        if (strcmp(g->name, "json") == 0)
                p->cli->json = true;
        else if (strcmp(g->name, "debug") == 0)
                p->cli->debug = true;
        else if (p->cli->state_dir)
                return cli_usage(p->cli, "option '--state-dir' given more than once");
        else
                p->cli->state_dir = value;
        return 0;
}

/* The value of the option at argv[*i]: after '=', or the next argument. */
static int option_value(struct parse *p, int *i, const char *shown, const char *eq,
                        const char **ret) {
        if (eq) {
                *ret = eq + 1;
                return 0;
        }
        if (*i + 1 >= p->argc || *i + 1 == p->cmd_index)
                return p->cmd && *i > p->cmd_index
                               ? cli_usage(p->cli, "%s: option '%s' needs a value",
                                           p->cmd->name, shown)
                               : cli_usage(p->cli, "option '%s' needs a value", shown);
        *ret = p->argv[++*i];
        return 0;
}

static int take_short(struct parse *p, int *i) {
        const char *arg = p->argv[*i], *value = NULL;
        const struct cli_opt *g = global_find_letter(arg[1]);
        char shown[3] = { '-', arg[1], '\0' };
        int r;

        if (!g || (g->kind == CLI_BOOL && arg[2]))
                return cli_usage(p->cli, "%s: unknown option '%s'", p->cmd->name, arg);
        if (g->kind != CLI_BOOL) {
                if (arg[2])
                        value = arg + 2;
                else if ((r = option_value(p, i, shown, NULL, &value)))
                        return r;
        }
        return take_global(p, g, value);
}

static int take_option(struct parse *p, int *i) {
        const char *arg = p->argv[*i], *name = arg + 2, *eq = strchr(name, '='), *value = NULL;
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const struct cli_opt *g = opt_find(cli_global_opts, name, len);
        const struct cli_opt *o = g ? g : opt_find(p->cmd->opts, name, len);
        char shown[256];
        int r;

        snprintf(shown, sizeof(shown), "--%.*s", (int)len, name);
        if (!o)
                return cli_usage(p->cli, "%s: unknown option '%s'", p->cmd->name, shown);
        if (o->kind == CLI_BOOL && eq)
                return cli_usage(p->cli, "%s: option '%s' takes no value", p->cmd->name, shown);
        if (o->kind != CLI_BOOL && (r = option_value(p, i, shown, eq, &value)))
                return r;
        return g ? take_global(p, g, value) : store(p, o, shown, value);
}

static int read_args(struct parse *p) {
        bool dashdash = false;
        int r = 0;

        for (int i = 1; i < p->argc && !r; i++) {
                const char *arg = p->argv[i];

                if (i == p->cmd_index)
                        continue;
                if (!dashdash && strcmp(arg, "--") == 0)
                        dashdash = true;
                else if (dashdash || looks_operand(arg))
                        r = i < p->cmd_index ? 0 : take_operand(p, arg);
                else if (arg[1] != '-')
                        r = take_short(p, &i);
                else
                        r = take_option(p, &i);
        }
        return r;
}

/* ------------------------------------------------------------------------
 * What must hold once everything is read.
 */

/* The text of an alternative of group g starting at entry i: "--pool with --volume". */
static void alternative_text(const struct cli_opt *opts, size_t i, char *buf, size_t size) {
        size_t off = 0;

        entry_name(&opts[i], buf, size);
        if (!opts[i].together)
                return;
        off = strlen(buf);
        for (size_t j = i + 1; opts[j].name && off < size; j++)
                if (opts[j].together == opts[i].together) {
                        char n[128];
                        entry_name(&opts[j], n, sizeof(n));
                        off += (size_t)snprintf(buf + off, size - off, " with %s", n);
                }
}

/* Whether entry i starts an alternative (the first member of its together set). */
static bool alternative_start(const struct cli_opt *opts, size_t i) {
        for (size_t j = 0; j < i; j++)
                if (opts[i].together && opts[j].together == opts[i].together)
                        return false;
        return true;
}

static bool alternative_given(const struct cli_args *a, size_t i) {
        const struct cli_opt *opts = a->cmd->opts;

        if (!opts[i].together)
                return a->v[i].given;
        for (size_t j = 0; j < a->n; j++)
                if (opts[j].together == opts[i].together && a->v[j].given)
                        return true;
        return false;
}

/* "A, B or C" of the alternatives of group g (the given ones only when given_only). */
static size_t group_text(const struct cli_args *a, int g, bool given_only, char *buf,
                         size_t size) {
        const struct cli_opt *opts = a->cmd->opts;
        size_t n = 0, total = 0, off = 0;
        char alt[256];

        for (size_t i = 0; i < a->n; i++)
                if (opts[i].group == g && alternative_start(opts, i) &&
                    (!given_only || alternative_given(a, i)))
                        total++;
        buf[0] = '\0';
        for (size_t i = 0; i < a->n && off < size; i++) {
                if (opts[i].group != g || !alternative_start(opts, i) ||
                    (given_only && !alternative_given(a, i)))
                        continue;
                alternative_text(opts, i, alt, sizeof(alt));
                off += (size_t)snprintf(buf + off, size - off, "%s%s",
                                        n == 0 ? "" : n + 1 == total ? " or " : ", ", alt);
                n++;
        }
        return total;
}

static int check_group(struct parse *p, int g) {
        const struct cli_opt *opts = p->cmd->opts;
        bool required = false;
        char text[512], what[600];
        size_t given;

        for (size_t i = 0; i < p->a->n; i++)
                if (opts[i].group == g && (opts[i].flags & CLI_REQUIRED))
                        required = true;
        given = group_text(p->a, g, true, text, sizeof(text));
        if (given > 1 && given == 2 && !required)
                return cli_usage(p->cli, "%s: give %s, not both", p->cmd->name, text);
        if (given > 1 || (given == 0 && required)) {
                group_text(p->a, g, false, text, sizeof(text));
                snprintf(what, sizeof(what), "give %s of %s", required ? "exactly one" : "one",
                         text);
                return usage_with_synopsis(p, what);
        }
        return 0;
}

static int check_together(struct parse *p, int t) {
        const struct cli_opt *opts = p->cmd->opts;
        size_t n = 0, given = 0, off = 0, k = 0;
        char text[512], name[128];

        for (size_t i = 0; i < p->a->n; i++)
                if (opts[i].together == t) {
                        n++;
                        given += p->a->v[i].given;
                }
        if (given == 0 || given == n)
                return 0;
        for (size_t i = 0; i < p->a->n && off < sizeof(text); i++)
                if (opts[i].together == t) {
                        entry_name(&opts[i], name, sizeof(name));
                        off += (size_t)snprintf(text + off, sizeof(text) - off, "%s%s",
                                                k == 0 ? "" : k + 1 == n ? " and " : ", ", name);
                        k++;
                }
        return cli_usage(p->cli, "%s: %s go together", p->cmd->name, text);
}

static int check_args(struct parse *p) {
        const struct cli_opt *opts = p->cmd->opts;
        char what[300];
        int r;

        for (size_t i = 0; i < p->a->n; i++) {
                const struct cli_opt *o = &opts[i];

                if (!(o->flags & CLI_REQUIRED) || o->group || p->a->v[i].given)
                        continue;
                if (is_operand(o)) {
                        snprintf(what, sizeof(what), "missing %s", o->name);
                        return usage_with_synopsis(p, what);
                }
                return cli_usage(p->cli, "%s: missing option '--%s'", p->cmd->name, o->name);
        }
        for (size_t i = 0; i < p->a->n; i++) {
                bool first_g = opts[i].group > 0, first_t = opts[i].together > 0;

                for (size_t j = 0; j < i; j++) {
                        first_g = first_g && opts[j].group != opts[i].group;
                        first_t = first_t && opts[j].together != opts[i].together;
                }
                if (first_g && (r = check_group(p, opts[i].group)))
                        return r;
                if (first_t && (r = check_together(p, opts[i].together)))
                        return r;
        }
        return 0;
}

int cli_parse(struct cli *cli, const struct cli_command *const *tables, int argc, char **argv,
              struct cli_args *ret, const struct cli_command **ret_cmd) {
        struct parse p = { .cli = cli, .tables = tables, .argc = argc, .argv = argv, .a = ret };
        int r;

        *ret = (struct cli_args){};
        *ret_cmd = NULL;
        r = find_command(&p);
        if (r)
                return r;
        *ret_cmd = p.cmd;
        ret->cmd = p.cmd;
        ret->n = opts_count(p.cmd->opts);
        ret->v = calloc(ret->n + 1, sizeof(*ret->v));
        if (!ret->v)
                return cli_error(cli, ENOMEM, "out of memory");
        r = read_args(&p);
        if (!r)
                r = check_args(&p);
        if (r && r != CLI_PARSE_HELP && r != CLI_PARSE_VERSION)
                cli_args_free(ret);
        return r;
}

/* ------------------------------------------------------------------------
 * Synopsis and help.
 */

static void put_word(FILE *f, bool *first, const char *s) {
        fprintf(f, "%s%s", *first ? "" : " ", s);
        *first = false;
}

/* One entry; bare: without the brackets of an optional one. */
static void put_entry(FILE *f, const struct cli_opt *o, bool bare) {
        bool optional = !(o->flags & CLI_REQUIRED) && !bare;

        if (is_operand(o)) {
                fprintf(f, optional ? "[%s]" : "%s", o->name);
                return;
        }
        fprintf(f, "%s--%s", optional ? "[" : "", o->name);
        if (o->kind != CLI_BOOL)
                fprintf(f, " %s", o->arg ? o->arg : "VALUE");
        fprintf(f, "%s%s", optional ? "]" : "", optional && (o->flags & CLI_MULTI) ? "..." : "");
}

/* The members of together set t, bare, separated by spaces; marks them done. */
static void put_together(FILE *f, const struct cli_opt *opts, int t, bool *done) {
        bool first = true;

        for (size_t j = 0; opts[j].name; j++)
                if (opts[j].together == t) {
                        if (!first)
                                fputc(' ', f);
                        put_entry(f, &opts[j], true);
                        done[j] = true;
                        first = false;
                }
}

static void put_group(FILE *f, const struct cli_opt *opts, int g, bool *done) {
        bool required = false, first = true;

        for (size_t j = 0; opts[j].name; j++)
                required = required || (opts[j].group == g && (opts[j].flags & CLI_REQUIRED));
        fputc(required ? '(' : '[', f);
        for (size_t j = 0; opts[j].name; j++) {
                if (opts[j].group != g || done[j])
                        continue;
                fputs(first ? "" : " | ", f);
                first = false;
                if (opts[j].together)
                        put_together(f, opts, opts[j].together, done);
                else
                        put_entry(f, &opts[j], true);
                done[j] = true;
        }
        fputc(required ? ')' : ']', f);
}

char *cli_synopsis(const struct cli_command *c) {
        const struct cli_opt *opts = c->opts;
        size_t n = opts_count(opts), size = 0;
        bool *done = calloc(n + 1, sizeof(*done)), first = true;
        char *buf = NULL;
        FILE *f;

        if (!done)
                return NULL;
        f = open_memstream(&buf, &size);
        if (!f) {
                free(done);
                return NULL;
        }
        for (size_t i = 0; i < n; i++) {
                if (done[i])
                        continue;
                put_word(f, &first, "");
                if (opts[i].group) {
                        put_group(f, opts, opts[i].group, done);
                } else if (opts[i].together) {
                        fputc('[', f);
                        put_together(f, opts, opts[i].together, done);
                        fputc(']', f);
                } else {
                        put_entry(f, &opts[i], false);
                }
                done[i] = true;
        }
        free(done);
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

void cli_print_opts(const struct cli_opt *opts) {
        bool letters = false;

        for (size_t i = 0; opts && opts[i].name; i++)
                letters = letters || opts[i].letter;
        for (size_t i = 0; opts && opts[i].name; i++) {
                const struct cli_opt *o = &opts[i];
                const char *value = o->kind == CLI_BOOL ? NULL : o->arg ? o->arg : "VALUE";
                char left[160], letter[8] = "";

                if (o->letter)
                        snprintf(letter, sizeof(letter), "-%c, ", o->letter);
                else if (letters)
                        snprintf(letter, sizeof(letter), "    ");
                if (is_operand(o) && o->alias)
                        snprintf(left, sizeof(left), "%s, --%s %s", o->name, o->alias, o->name);
                else if (is_operand(o))
                        snprintf(left, sizeof(left), "%s", o->name);
                else
                        snprintf(left, sizeof(left), "%s--%s%s%s%s%s", letter, o->name,
                                 value ? " " : "", value ? value : "", o->alias ? ", --" : "",
                                 o->alias ? o->alias : "");
                if (strlen(left) <= 26)
                        printf("  %-26s %s\n", left, o->help ? o->help : "");
                else
                        printf("  %s\n  %-26s %s\n", left, "", o->help ? o->help : "");
        }
}

void cli_print_command_help(const struct cli_command *c) {
        char *syn = cli_synopsis(c);

        printf("Usage: storvirt %s%s%s\n\n%s\n", c->name, syn && *syn ? " " : "",
               syn ? syn : "", c->summary);
        free(syn);
        if (c->help)
                printf("\n%s\n", c->help);
        if (c->opts && c->opts[0].name) {
                printf("\n");
                cli_print_opts(c->opts);
        }
        printf("\nThe global options -d DIR, --json and --debug may come before or after\n"
               "COMMAND; see 'storvirt help'.\n");
}
