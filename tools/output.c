/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * output.c - how storvirt prints a result: "label: value" lines and
 * virsh-style tables in text mode, the members of one JSON object (VDSM's
 * return shape) with --json, and JSON texts made by the library spliced
 * into that object.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "cli.h"

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
        for (size_t c = 0; c < ncols; c++)
                t->nshown += cols[c].header != NULL;
        if (cli->json) {
                gen_str(cli->gen, key);
                yajl_gen_array_open(cli->gen);
        }
}

static void table_close_row(struct cli_table *t) {
        if (t->nrows > 0 && t->cli->json)
                yajl_gen_map_close(t->cli->gen);
}

/* Copies of cells, in chunks that never move. */
struct cli_text_chunk {
        struct cli_text_chunk *next;
        size_t used, size;
        char data[];
};

#define TEXT_CHUNK (64u << 10)

/* A copy of s kept until the table ends, or NULL when out of memory. */
static const char *text_add(struct cli_table *t, const char *s) {
        size_t n = strlen(s) + 1;
        struct cli_text_chunk *c = t->text;
        char *p;

        if (!c || c->size - c->used < n) {
                size_t size = n > TEXT_CHUNK ? n : TEXT_CHUNK;

                c = malloc(sizeof(*c) + size);
                if (!c) {
                        t->oom = true;
                        return NULL;
                }
                *c = (struct cli_text_chunk){ .next = t->text, .size = size };
                t->text = c;
        }
        p = memcpy(c->data + c->used, s, n);
        c->used += n;
        return p;
}

/*
 * Text mode keeps the shown cells only, their bytes one after the other
 * in one buffer: a table of 10,000 rows is a few allocations, not one
 * per cell.
 */
void cli_table_row(struct cli_table *t) {
        table_close_row(t);
        t->nrows++;
        t->col = 0;
        if (t->cli->json) {
                yajl_gen_map_open(t->cli->gen);
                return;
        }
        if (t->nrows * t->nshown > t->alloc) {
                size_t n = t->alloc ? t->alloc * 2 : 64 * t->nshown;
                const char **cells = realloc(t->cells, n * sizeof(*cells));

                if (!cells) {
                        t->oom = true;
                        t->nrows--;
                        t->col = t->ncols; /* drop the row's cells */
                        return;
                }
                t->cells = cells;
                t->alloc = n;
        }
        for (size_t k = 0; k < t->nshown; k++)
                t->cells[(t->nrows - 1) * t->nshown + k] = "-";
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

/* The place of column c among the shown ones. */
static size_t shown_index(const struct cli_table *t, const struct cli_column *c) {
        size_t k = 0;

        for (const struct cli_column *p = t->cols; p < c; p++)
                k += p->header != NULL;
        return k;
}

/* Sets a cell's text (NULL: "-"): a copy, or text itself when borrowed; frees text when take. */
static void table_text(struct cli_table *t, const struct cli_column *c, const char *text,
                       bool take, bool borrowed) {
        const char *s;

        if (c->header && !t->oom) {
                s = !text ? "-" : borrowed ? text : text_add(t, text);
                if (s)
                        t->cells[(t->nrows - 1) * t->nshown + shown_index(t, c)] = s;
        }
        if (take)
                free((char *)text);
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
        table_text(t, c, value, false, false);
}

void cli_table_str_borrowed(struct cli_table *t, const char *value) {
        const struct cli_column *c;

        if (t->cli->json) {
                cli_table_str(t, value);
                return;
        }
        c = table_next(t);
        if (c)
                table_text(t, c, value, false, true);
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
        table_text(t, c, num, false, false);
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
                table_text(t, c, s, true, false);
}

void cli_table_bool(struct cli_table *t, bool value) {
        const struct cli_column *c = table_next(t);

        if (!c)
                return;
        if (t->cli->json) {
                yajl_gen_bool(t->cli->gen, value);
                return;
        }
        table_text(t, c, value ? "yes" : "no", false, true);
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

/* The cell of row in shown column k. */
static const char *table_cell(const struct cli_table *t, size_t row, size_t k) {
        return t->cells[row * t->nshown + k];
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
        for (size_t c = 0, k = 0; c < t->ncols; c++) {
                if (!t->cols[c].header)
                        continue;
                width[c] = text_width(t->cols[c].header);
                for (size_t row = 0; row < t->nrows; row++) {
                        size_t w = text_width(table_cell(t, row, k));
                        if (w > width[c])
                                width[c] = w;
                }
                last = c;
                k++;
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
                for (size_t c = 0, k = 0; c < t->ncols; c++)
                        if (t->cols[c].header)
                                print_padded(table_cell(t, row, k++), width[c], c == last);
                putchar('\n');
        }
        putchar('\n');
out:
        while (t->text) {
                struct cli_text_chunk *next = t->text->next;

                free(t->text);
                t->text = next;
        }
        free(t->cells);
        free(width);
        t->cells = NULL;
        t->nrows = t->alloc = 0;
        return r;
}
