/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cli.h - what every storvirt sub-command sees: the parsed global
 * options, the context (opened lazily) and the output helpers that print
 * either text or one JSON object in VDSM's return shape.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>

#include <storvirt.h>

/* A command returns 0, a negative errno (library error) or CLI_USAGE. */
#define CLI_USAGE 1000

struct cli {
        const char *state_dir;  /* -d, or NULL */
        bool json;
        bool debug;
        storvirt_ctx *ctx;      /* see cli_ctx() */
        yajl_gen gen;           /* JSON mode: the open result object */
        const char *usage_msg;  /* set by cli_usage() */
        char usage_buf[512];
};

struct cli_command {
        const char *name;
        const char *args;     /* synopsis after the name */
        const char *summary;  /* one line */
        const char *help;     /* longer text, may be NULL */
        int (*run)(struct cli *cli, int argc, char **argv);
};

/* The context, created on first use with the global options applied. */
int cli_ctx(struct cli *cli, storvirt_ctx **ret);

/* Report a usage error; returns CLI_USAGE. */
int cli_usage(struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Output: text lines "label: value", or JSON fields of the result. */
void cli_field_str(struct cli *cli, const char *key, const char *label, const char *value);
void cli_field_u64(struct cli *cli, const char *key, const char *label, uint64_t value);
void cli_field_strv(struct cli *cli, const char *key, const char *label, char **values);

/* The command tables, one per group of commands. */
extern const struct cli_command cli_commands_base[];
