/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cli.h - what every storvirt sub-command sees: the parsed global
 * options, the context (opened lazily) and the output helpers that print
 * either text or one JSON object in VDSM's return shape.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <yajl/yajl_gen.h>

#include <storvirt.h>

#include "cmdopt.h"

/* A command returns 0, a negative errno (library error) or CLI_USAGE.
 * How commands declare their options: cmdopt.h. */
#define CLI_USAGE 1000

struct cli {
        const char *state_dir;  /* -d, --state-dir, or NULL */
        bool json;
        bool debug;
        storvirt_ctx *ctx;      /* see cli_ctx() */
        yajl_gen gen;           /* JSON mode: the open result object */
        const char *usage_msg;  /* set by cli_usage() */
        char usage_buf[2048];
        const char *error_msg;  /* set by cli_error() */
        char error_buf[1024];
};

/* The context, created on first use with the global options applied. */
int cli_ctx(struct cli *cli, storvirt_ctx **ret);

/* Report a usage error; returns CLI_USAGE. */
int cli_usage(struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Report a failure found by the CLI itself (not by a library call), with
 * its own message; err is a positive errno.  Returns -err.
 */
int cli_error(struct cli *cli, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Output: text lines "label: value", or JSON fields of the result. */
void cli_field_str(struct cli *cli, const char *key, const char *label, const char *value);
void cli_field_u64(struct cli *cli, const char *key, const char *label, uint64_t value);
void cli_field_strv(struct cli *cli, const char *key, const char *label, char **values);
/* Text "yes"/"no", JSON true/false. */
void cli_field_bool(struct cli *cli, const char *key, const char *label, bool value);
/* A byte count: text rounded with units ("1.5 GiB"), JSON a number. */
void cli_field_size(struct cli *cli, const char *key, const char *label, uint64_t bytes);
/*
 * JSON mode: splices a JSON text made elsewhere (by the library) into the
 * result: the value under `key`, or with key NULL the members of an
 * object.  It is parsed and re-emitted, so the output stays valid.
 * Nothing in text mode.  0, or -EINVAL when json is not valid (or not an
 * object with key NULL).
 */
int cli_field_json(struct cli *cli, const char *key, const char *json);
/* A line of text output only (nothing in JSON mode), like virsh's messages. */
void cli_text(struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Tables: in text mode, columns aligned like virsh's lists (a header, a
 * rule, one line per row, an empty line); in JSON mode, an array of
 * objects under `key`.  A column whose header is NULL appears in JSON
 * only.  Cells are added in column order, one call per column.  Text
 * cells of a size are rounded with units; a NULL string is "-" in text
 * and null in JSON.
 */
struct cli_column {
        const char *key;     /* JSON member name */
        const char *header;  /* text header, or NULL: JSON only */
};

struct cli_table {
        struct cli *cli;
        const struct cli_column *cols;
        size_t ncols;
        size_t col;          /* next cell of the current row */
        size_t nrows;
        size_t nshown;       /* columns with a header */
        const char **cells;  /* text mode: nrows * nshown cells */
        size_t alloc;        /* cells allocated */
        struct cli_text_chunk *text;  /* the cells' copies, newest first */
        bool oom;
};

void cli_table_begin(struct cli *cli, struct cli_table *t, const char *key,
                     const struct cli_column *cols, size_t ncols);
void cli_table_row(struct cli_table *t);
void cli_table_str(struct cli_table *t, const char *value);
/* The same, without a copy: value stays valid until cli_table_end(). */
void cli_table_str_borrowed(struct cli_table *t, const char *value);
void cli_table_u64(struct cli_table *t, uint64_t value);
void cli_table_size(struct cli_table *t, uint64_t bytes);
void cli_table_bool(struct cli_table *t, bool value);
/* A missing value: "-" in text, null in JSON. */
void cli_table_null(struct cli_table *t);
/* Prints the table (text mode) and frees it; 0 or -ENOMEM. */
int cli_table_end(struct cli_table *t);

/* The command tables, one per group of commands. */
extern const struct cli_command cli_commands_base[];
extern const struct cli_command cli_commands_pool[];
extern const struct cli_command cli_commands_poolcaps[];
extern const struct cli_command cli_commands_vol[];
extern const struct cli_command cli_commands_lun[];
extern const struct cli_command cli_commands_resolve[];
extern const struct cli_command cli_commands_vdisk[];
extern const struct cli_command cli_commands_hcl[];
extern const struct cli_command cli_commands_secret[];
extern const struct cli_command cli_commands_xml[];
extern const struct cli_command cli_commands_event[];

/*
 * Shared by the pool and volume commands (tools/cmd-pool.c).
 */
/* Reads a whole file ("-": standard input) into a NUL-terminated buffer. */
int cli_read_file(struct cli *cli, const char *path, char **ret);
/* Reports the library's last error (r < 0) about the document read from
 * path ("-": <stdin>), prefixed with where it came from; returns the
 * CLI's status for it. */
int cli_doc_error(struct cli *cli, const char *path, int r);
/* Writes s to f with the XML special characters escaped; -EINVAL (via
 * cli_usage's message) for characters XML cannot carry. */
int cli_xml_escape(struct cli *cli, FILE *f, const char *what, const char *s);
/* A pool by name, then by UUID. */
int cli_pool_lookup(struct cli *cli, const char *name, storvirt_pool **ret);
/* Parses a size such as "10G" (bytes without a suffix); CLI_USAGE if bad. */
int cli_parse_size(struct cli *cli, const char *what, const char *value, uint64_t *ret);
