/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmdopt.h - the options and operands of storvirt's commands, declared once
 * per command as a table (struct cli_opt[]), from which one parser reads
 * the command line, `storvirt help COMMAND` prints the usage and the
 * options, and `storvirt help --synopsis` prints the synopsis that
 * storvirt(1) must carry (tests/scripts/check-cli-man.py compares them).
 *
 * Adding a command
 * ----------------
 * 1. Write its function, `static int cmd_x(struct cli *cli, const struct
 *    cli_args *a)`, in the cmd-*.c file of its group.  It reads what was
 *    given with cli_str(a, "pool"), cli_given(a, "details"), cli_u64(a,
 *    "offset"), cli_int(a, "timeout"), cli_list(a, "connection", &n) and
 *    cli_flags(a); operands by their placeholder: cli_str(a, "FILE").
 *    It returns 0, a negative errno, or CLI_USAGE (via cli_usage()).
 * 2. Declare its options and operands, in synopsis order, in a
 *    `static const struct cli_opt opts_x[]` ending with CLI_END, and add
 *    one entry to the group's `cli_commands_*[]` table:
 *        { "x", "one-line summary", "longer help or NULL", opts_x, cmd_x },
 *    (a new group also needs its table listed in storvirt.c).
 * 3. Describe it in man/storvirt.1 under the synopsis that
 *    `storvirt help --synopsis x` prints (the man test fails until then),
 *    and test it in tests/api.
 * The parser already refuses unknown options, missing and extra operands,
 * values that are not integers or sizes, alternatives given together and
 * options that go together given alone; global options (-d, --json,
 * --debug) may come anywhere, and any option before the command.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cli;

enum cli_kind {
        CLI_BOOL,    /* --name, no value */
        CLI_STRING,  /* --name VALUE */
        CLI_INT,     /* --name N, an integer within min..max */
        CLI_SIZE,    /* --name SIZE, bytes or with a unit ("10G") */
};

/* cli_opt.flags */
#define CLI_OPERAND  (1u << 0)  /* positional, filled in table order */
#define CLI_REQUIRED (1u << 1)  /* must be given; on a group member: one of the group must */
#define CLI_MULTI    (1u << 2)  /* an option that may be given more than once */

struct cli_opt {
        const char *name;    /* option "pool" (--pool); operand: its placeholder, "POOL" */
        enum cli_kind kind;
        uint32_t flags;
        const char *arg;     /* an option's value placeholder in the synopsis ("SIZE") */
        const char *help;    /* one line for `storvirt help COMMAND` */
        const char *alias;   /* another option name that means the same (--wipe-storage);
                              * for an operand, an option that may give it (--pool) */
        uint32_t flag;       /* a bool option: the bit cli_flags() adds when it is given */
        int group;           /* > 0: alternatives, at most one of them (exactly one when a
                              * member is CLI_REQUIRED); shown as [A | B] or (A | B) */
        int together;        /* > 0: options that are given together or not at all */
        long long min, max;  /* CLI_INT: the range */
        char letter;         /* a one-letter form (-d); global options only */
};

#define CLI_END { .name = NULL }
/* A required operand, an optional one. */
#define CLI_ARG(n, h) { .name = (n), .kind = CLI_STRING, .flags = CLI_OPERAND | CLI_REQUIRED, .help = (h) }
#define CLI_ARG_OPT(n, h) { .name = (n), .kind = CLI_STRING, .flags = CLI_OPERAND, .help = (h) }
/* A bool option, one that sets a flag bit, one that takes a string. */
#define CLI_BOOL_OPT(n, h) { .name = (n), .kind = CLI_BOOL, .help = (h) }
#define CLI_FLAG_OPT(n, bit, h) { .name = (n), .kind = CLI_BOOL, .flag = (bit), .help = (h) }
#define CLI_STR_OPT(n, a, h) { .name = (n), .kind = CLI_STRING, .arg = (a), .help = (h) }

struct cli_args;

struct cli_command {
        const char *name;
        const char *summary;  /* one line */
        const char *help;     /* longer text, may be NULL */
        const struct cli_opt *opts;  /* ends with CLI_END; NULL: none */
        int (*run)(struct cli *cli, const struct cli_args *a);
};

/* One value per entry of the command's table. */
struct cli_val {
        bool given;
        const char *str;      /* CLI_STRING, CLI_INT, CLI_SIZE: the text given (last) */
        uint64_t u64;         /* CLI_SIZE */
        long long num;        /* CLI_INT */
        const char **list;    /* CLI_MULTI: every value, in order */
        size_t n;
};

struct cli_args {
        const struct cli_command *cmd;
        struct cli_val *v;    /* one per entry of cmd->opts */
        size_t n;
};

/* What was given.  A name the command does not declare is a bug: the
 * program says so and exits. */
bool cli_given(const struct cli_args *a, const char *name);
const char *cli_str(const struct cli_args *a, const char *name);
uint64_t cli_u64(const struct cli_args *a, const char *name);
long long cli_int(const struct cli_args *a, const char *name);
const char *const *cli_list(const struct cli_args *a, const char *name, size_t *ret_n);
/* The bits (cli_opt.flag) of the bool options given. */
uint32_t cli_flags(const struct cli_args *a);

/* The global options, usable before or after the command. */
extern const struct cli_opt cli_global_opts[];

/*
 * The command line.  The command table lists are NULL-terminated arrays
 * of NULL-name-terminated command tables.  Returns:
 *   0 with *ret filled (free with cli_args_free()),
 *   CLI_PARSE_HELP (-h/--help; *ret_cmd: the command named, or NULL),
 *   CLI_PARSE_VERSION (-V/--version),
 *   CLI_USAGE with the message set by cli_usage().
 * The global options found are stored in cli.
 */
#define CLI_PARSE_HELP 1001
#define CLI_PARSE_VERSION 1002
int cli_parse(struct cli *cli, const struct cli_command *const *tables, int argc, char **argv,
              struct cli_args *ret, const struct cli_command **ret_cmd);
void cli_args_free(struct cli_args *a);

/* Whether a "--json" comes before any "--": for the shape of a usage error
 * found before the parser reached it. */
bool cli_argv_wants_json(int argc, char **argv);

/* The synopsis of a command after its name ("POOL [--details]"); "" when it
 * takes nothing.  Owned by the caller (free()); NULL when out of memory. */
char *cli_synopsis(const struct cli_command *c);
/* Prints `storvirt help COMMAND`. */
void cli_print_command_help(const struct cli_command *c);
/* Prints the option list of a table ("  --json    ...") for help. */
void cli_print_opts(const struct cli_opt *opts);
