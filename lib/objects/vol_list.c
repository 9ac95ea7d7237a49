/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vol_list.c - the saved volume lists of directories of images
 * (objects/vol_list.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "objects/records.h"
#include "objects/vol_index.h"
#include "objects/vol_list.h"
#include "util/bigmem.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/lock.h"
#include "util/macro.h"
#include "util/strv.h"

#define KIND "volumes"
#define MAGIC "storvirt-volume-list 1"
/* A million volumes with long names fit. */
#define LIST_MAX (256u << 20)
/* Written as %XX besides '%' and control bytes: the separators. */
#define SEPARATORS " ,"
#define NSEC 1000000000LL
/* Entries: the positional fields, before the optional ones. */
#define N_FIXED 12

int64_t storvirt__timespec_ns(const struct timespec *ts) {
        return (int64_t)ts->tv_sec * NSEC + ts->tv_nsec;
}

void storvirt__dir_stamp_of(const struct stat *st, storvirt__dir_stamp *ret) {
        *ret = (storvirt__dir_stamp){
                .dev = (uint64_t)st->st_dev,
                .ino = (uint64_t)st->st_ino,
                .mtime_ns = storvirt__timespec_ns(&st->st_mtim),
                .ctime_ns = storvirt__timespec_ns(&st->st_ctim),
        };
}

bool storvirt__dir_stamp_equal(const storvirt__dir_stamp *a, const storvirt__dir_stamp *b) {
        return a->dev == b->dev && a->ino == b->ino && a->mtime_ns == b->mtime_ns &&
               a->ctime_ns == b->ctime_ns;
}

int64_t storvirt__now_ns(void) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        return storvirt__timespec_ns(&ts);
}

bool storvirt__stamp_settled(int64_t stamp_ns, int64_t read_at_ns) {
        int64_t g = stamp_ns % NSEC == 0 ? 2 * NSEC : NSEC;

        return read_at_ns > INT64_MIN + g && stamp_ns < read_at_ns - g;
}

/* A checksum of the text against torn or damaged files (not against forgery). */
static uint64_t list_sum(const char *p, size_t n) {
        uint64_t h = 0xcbf29ce484222325ull, w;

        for (; n >= 8; p += 8, n -= 8) {
                memcpy(&w, p, 8);
                h = (h ^ w) * 0x100000001b3ull;
                h ^= h >> 29;
        }
        for (; n > 0; p++, n--)
                h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
        return h ^ (h >> 32);
}

/* ---- writing ------------------------------------------------------------ */

static int put_u64(struct storvirt__buf *b, uint64_t v) {
        int r = storvirt__buf_append_char(b, ' ');

        return r < 0 ? r : storvirt__buf_append_u64(b, v);
}

static int put_i64(struct storvirt__buf *b, int64_t v) {
        int r = storvirt__buf_append_str(b, v < 0 ? " -" : " ");

        return r < 0 ? r : storvirt__buf_append_u64(b, v < 0 ? -(uint64_t)v : (uint64_t)v);
}

/* A value: "-" when empty, "%2D" when it is "-". */
static int put_value(struct storvirt__buf *b, const char *s) {
        if (!*s)
                return storvirt__buf_append_char(b, '-');
        if (strcmp(s, "-") == 0)
                return storvirt__buf_append_str(b, "%2D");
        return storvirt__buf_append_pct(b, s, SEPARATORS);
}

/* " key=value" (key alone when value is NULL), when cond. */
static int put_opt(struct storvirt__buf *b, bool cond, const char *key, const char *value) {
        int r;

        if (!cond)
                return 0;
        r = storvirt__buf_append_char(b, ' ');
        if (r >= 0)
                r = storvirt__buf_append_str(b, key);
        if (r >= 0 && value)
                r = storvirt__buf_append_char(b, '=');
        if (r >= 0 && value)
                r = put_value(b, value);
        return r;
}

static int put_cipher(struct storvirt__buf *b, const storvirt__img_cipher *c) {
        char size[16];
        const char *parts[] = { c->name, size, c->mode, c->hash, c->ivgen, c->ivgen_hash };
        int r;

        if (!c->name[0])
                return 0;
        snprintf(size, sizeof(size), "%u", c->size);
        r = storvirt__buf_append_str(b, " ci=");
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(parts); i++) {
                if (i > 0)
                        r = storvirt__buf_append_char(b, ',');
                if (r >= 0)
                        r = put_value(b, parts[i]);
        }
        return r;
}

static int put_entry(struct storvirt__buf *b, const storvirt__vol_rec *v) {
        char bits[16];
        int r = storvirt__buf_append_pct(b, v->name, SEPARATORS);
        const uint64_t nums[] = { v->ino, v->dev };
        const uint64_t more[] = { v->type, v->mode, v->owner, v->group, v->physical,
                                  v->allocation, v->capacity };

        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(nums); i++)
                r = put_u64(b, nums[i]);
        if (r >= 0)
                r = put_i64(b, v->ctime_ns);
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(more); i++)
                r = put_u64(b, more[i]);
        if (r >= 0)
                r = storvirt__buf_append_char(b, ' ');
        if (r >= 0)
                r = put_value(b, v->format);
        if (r >= 0 && v->recorded) {
                r = storvirt__buf_append_str(b, " r=");
                if (r >= 0)
                        r = put_value(b, v->index_encryption);
                if (r >= 0)
                        r = storvirt__buf_append_char(b, ',');
                if (r >= 0)
                        r = put_value(b, v->index_secret);
        }
        snprintf(bits, sizeof(bits), "%u", v->cluster_bits);
        if (r >= 0)
                r = put_opt(b, v->probed_format[0], "pf", v->probed_format);
        if (r >= 0)
                r = put_opt(b, v->compat[0], "co", v->compat);
        if (r >= 0)
                r = put_opt(b, v->lazy_refcounts, "lr", NULL);
        if (r >= 0)
                r = put_opt(b, v->extended_l2, "x2", NULL);
        if (r >= 0)
                r = put_opt(b, v->cluster_bits, "cb", bits);
        if (r >= 0)
                r = put_opt(b, v->backing_path, "b", v->backing_path);
        if (r >= 0)
                r = put_opt(b, v->backing_format[0], "bf", v->backing_format);
        if (r >= 0)
                r = put_opt(b, v->encryption[0], "e", v->encryption);
        if (r >= 0)
                r = put_opt(b, v->secret[0], "s", v->secret);
        if (r >= 0)
                r = put_cipher(b, &v->cipher);
        if (r >= 0)
                r = put_opt(b, v->problem, "p", v->problem);
        return r < 0 ? r : storvirt__buf_append_char(b, '\n');
}

static int format_list(struct storvirt__buf *b, const char *target, const storvirt__dir_stamp *dir,
                       int64_t read_at_ns, storvirt__vol_rec *const *recs, size_t n) {
        char end[64];
        int r = storvirt__buf_reserve(b, 128 + n * 112);

        if (r >= 0)
                r = storvirt__buf_append_str(b, MAGIC "\ntarget ");
        if (r >= 0)
                r = storvirt__buf_append_pct(b, target, SEPARATORS);
        if (r >= 0)
                r = storvirt__buf_append_str(b, "\ndir");
        if (r >= 0)
                r = put_u64(b, dir->dev);
        if (r >= 0)
                r = put_u64(b, dir->ino);
        if (r >= 0)
                r = put_i64(b, dir->mtime_ns);
        if (r >= 0)
                r = put_i64(b, dir->ctime_ns);
        if (r >= 0)
                r = put_i64(b, read_at_ns);
        if (r >= 0)
                r = storvirt__buf_append_char(b, '\n');
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = put_entry(b, recs[i]);
        if (r < 0)
                return r;
        snprintf(end, sizeof(end), "end %zu %016llx\n", n,
                 (unsigned long long)list_sum(b->data, b->len));
        return storvirt__buf_append_str(b, end);
}

int storvirt__vol_list_save(storvirt_ctx *ctx, const char *target, const storvirt__dir_stamp *dir,
                            int64_t read_at_ns, storvirt__vol_rec *const *recs, size_t n) {
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;
        _cleanup_buf_free_ struct storvirt__buf b = {};
        _cleanup_close_ int dfd = -1;
        char name[64];
        int r;

        storvirt__vol_index_file_name(target, ".list", name);
        r = format_list(&b, target, dir, read_at_ns, recs, n);
        if (r >= 0 && b.len > LIST_MAX)
                return storvirt__error_set(-EFBIG, "the volume list of '%s' is larger than %u "
                                                   "bytes: not saved", target, LIST_MAX);
        if (r >= 0)
                r = storvirt__records_lock(ctx, KIND, STORVIRT__LOCK_EXCLUSIVE, &lock);
        if (r >= 0)
                r = dfd = storvirt__records_dirfd(ctx, KIND, true);
        if (r >= 0)
                r = storvirt__file_write_atomic(dfd, name, b.data, b.len, 0600);
        if (r < 0)
                return storvirt__error_prefix("saving the volume list of '%s'", target);
        return 0;
}

/* ---- reading ------------------------------------------------------------ */

void storvirt__vol_list_clear(storvirt__vol_list *l) {
        for (size_t i = 0; l->recs && i < l->n; i++)
                storvirt__vol_rec_unref(l->recs[i]);
        free(l->recs);
        storvirt__strv_free(l->stale);
        *l = (storvirt__vol_list){};
}

/* The next space-separated token of *p (NUL-terminated in place), NULL at the end. */
static char *token(char **p) {
        char *t = *p, *sp;

        if (!t || !*t)
                return NULL;
        sp = strchr(t, ' ');
        if (sp) {
                *sp = '\0';
                *p = sp + 1;
        } else {
                *p = NULL;
        }
        return t;
}

static bool parse_u64(const char *s, uint64_t *ret) {
        char *end;

        if (!s || *s < '0' || *s > '9')
                return false;
        errno = 0;
        *ret = strtoull(s, &end, 10);
        return errno == 0 && *end == '\0';
}

static bool parse_i64(const char *s, int64_t *ret) {
        char *end;

        if (!s || !*s)
                return false;
        errno = 0;
        *ret = strtoll(s, &end, 10);
        return errno == 0 && *end == '\0';
}

/* A value into a fixed field: "-" is "", %XX decoded, too long refused. */
static bool take_value(char *s, char *dst, size_t size) {
        if (strcmp(s, "-") == 0) {
                dst[0] = '\0';
                return true;
        }
        if (!storvirt__pct_decode(s) || strlen(s) >= size)
                return false;
        memcpy(dst, s, strlen(s) + 1);
        return true;
}

/* Splits s at commas into n fields (in place). */
static bool split_commas(char *s, char **parts, size_t n) {
        for (size_t i = 0; i < n; i++) {
                char *c = strchr(s, ',');

                if ((c == NULL) != (i == n - 1))
                        return false;
                parts[i] = s;
                if (c) {
                        *c = '\0';
                        s = c + 1;
                }
        }
        return true;
}

static bool take_cipher(char *s, storvirt__img_cipher *c) {
        char *p[6], size[16];
        uint64_t bits;

        return split_commas(s, p, 6) && take_value(p[0], c->name, sizeof(c->name)) &&
               take_value(p[1], size, sizeof(size)) && parse_u64(size, &bits) &&
               bits <= UINT32_MAX && (c->size = (uint32_t)bits, true) &&
               take_value(p[2], c->mode, sizeof(c->mode)) &&
               take_value(p[3], c->hash, sizeof(c->hash)) &&
               take_value(p[4], c->ivgen, sizeof(c->ivgen)) &&
               take_value(p[5], c->ivgen_hash, sizeof(c->ivgen_hash));
}

static bool take_string(char *s, char **dst) {
        if (!storvirt__pct_decode(s))
                return false;
        free(*dst);
        *dst = strdup(s);
        return *dst != NULL;
}

/* One optional "key=value" or flag token into v. */
static bool take_opt(char *t, storvirt__vol_rec *v) {
        char *eq = strchr(t, '='), *val = eq ? eq + 1 : NULL;
        char *p[2];
        uint64_t n;

        if (eq)
                *eq = '\0';
        if (!val)
                return (strcmp(t, "lr") == 0 && (v->lazy_refcounts = true)) ||
                       (strcmp(t, "x2") == 0 && (v->extended_l2 = true));
        if (strcmp(t, "r") == 0)
                return (v->recorded = true) && split_commas(val, p, 2) &&
                       take_value(p[0], v->index_encryption, sizeof(v->index_encryption)) &&
                       take_value(p[1], v->index_secret, sizeof(v->index_secret));
        if (strcmp(t, "cb") == 0)
                return parse_u64(val, &n) && n < 64 && (v->cluster_bits = (uint32_t)n, true);
        if (strcmp(t, "ci") == 0)
                return take_cipher(val, &v->cipher);
        if (strcmp(t, "b") == 0)
                return take_string(val, &v->backing_path);
        if (strcmp(t, "p") == 0)
                return take_string(val, &v->problem);
        return (strcmp(t, "pf") == 0 && take_value(val, v->probed_format, sizeof(v->probed_format))) ||
               (strcmp(t, "co") == 0 && take_value(val, v->compat, sizeof(v->compat))) ||
               (strcmp(t, "bf") == 0 && take_value(val, v->backing_format, sizeof(v->backing_format))) ||
               (strcmp(t, "e") == 0 && take_value(val, v->encryption, sizeof(v->encryption))) ||
               (strcmp(t, "s") == 0 && take_value(val, v->secret, sizeof(v->secret)));
}

/* The record of one entry line; NULL when the line is malformed (-EINVAL) or on -ENOMEM. */
static int parse_entry(char *line, const char *target, size_t tlen,
                       storvirt__vol_rec_block *block, storvirt__vol_rec **ret) {
        char path[PATH_MAX + STORVIRT__NAME_MAX + 2];
        char *p = line, *f[N_FIXED], *t;
        uint64_t n[9];
        storvirt__vol_rec *v;

        for (size_t i = 0; i < N_FIXED; i++)
                if (!(f[i] = token(&p)))
                        return -EINVAL;
        if (!storvirt__pct_decode(f[0]) || storvirt__name_check("volume", f[0]) < 0) {
                storvirt__error_reset();
                return -EINVAL;
        }
        for (size_t i = 0; i < 9; i++)
                if (!parse_u64(f[i < 2 ? i + 1 : i + 2], &n[i]))
                        return -EINVAL;
        if (n[2] > UINT32_MAX || n[3] > 07777 || n[4] > UINT32_MAX || n[5] > UINT32_MAX)
                return -EINVAL;
        if (tlen > PATH_MAX)
                return -EINVAL;
        memcpy(path, target, tlen);
        path[tlen] = '/';
        memcpy(path + tlen + 1, f[0], strlen(f[0]) + 1);
        v = storvirt__vol_rec_new_in(block, f[0], path, path);
        if (!v)
                return storvirt__error_oom();
        v->ino = n[0];
        v->dev = n[1];
        v->type = (uint32_t)n[2];
        v->mode = (uint32_t)n[3];
        v->owner = (uint32_t)n[4];
        v->group = (uint32_t)n[5];
        v->physical = n[6];
        v->allocation = n[7];
        v->capacity = n[8];
        errno = 0;
        if (!parse_i64(f[3], &v->ctime_ns) || !take_value(f[11], v->format, sizeof(v->format)))
                goto bad;
        while ((t = token(&p)))
                if (!take_opt(t, v))
                        goto bad;
        *ret = v;
        return 0;
bad:
        storvirt__vol_rec_unref(v);
        return errno == ENOMEM ? storvirt__error_oom() : -EINVAL;
}

/* Whether rec was read with the index entry name has now. */
static bool index_agrees(const storvirt__hashmap *index, const storvirt__vol_rec *rec) {
        const storvirt__vol_index_entry *known = storvirt__vol_index_find(index, rec->name, rec->ino);

        if (!rec->recorded)
                return !known;
        return known && strcmp(known->format, rec->format) == 0 &&
               strcmp(known->encryption, rec->index_encryption) == 0 &&
               strcmp(known->secret, rec->index_secret) == 0;
}

/* Checks the last line ("end N SUM") against the rest; the entry count into *ret_n. */
static int check_whole(const char *text, size_t len, const char *file, size_t *ret_n) {
        unsigned long long sum;
        size_t start, n;
        char tail;

        if (len < sizeof(MAGIC) || memcmp(text, MAGIC "\n", sizeof(MAGIC)) != 0)
                return storvirt__error_set(-EINVAL, "%s: not a volume list of this release", file);
        if (text[len - 1] != '\n')
                return storvirt__error_set(-EINVAL, "%s: cut short", file);
        for (start = len - 1; start > 0 && text[start - 1] != '\n'; start--)
                ;
        if (sscanf(text + start, "end %zu %16llx%c", &n, &sum, &tail) != 3 || tail != '\n' ||
            sum != list_sum(text, start))
                return storvirt__error_set(-EINVAL, "%s: cut short or damaged (checksum)", file);
        *ret_n = n;
        return start;
}

/* The header lines: the directory must be the one read, unchanged since well before. */
static int check_header(char **p, const char *target, const storvirt__dir_stamp *now,
                        const char *file, int64_t *ret_read_at) {
        char *line, *q;
        storvirt__dir_stamp saved = {};
        int64_t read_at = 0;
        uint64_t u;

        line = strsep(p, "\n");                 /* the magic, checked */
        line = strsep(p, "\n");
        if (!line || strncmp(line, "target ", 7) != 0 || !storvirt__pct_decode(line + 7))
                return storvirt__error_set(-EINVAL, "%s: line 2: no target", file);
        if (strcmp(line + 7, target) != 0)
                return storvirt__error_set(-ESTALE, "%s: the list of another directory", file);
        line = strsep(p, "\n");
        q = line && strncmp(line, "dir ", 4) == 0 ? line + 4 : NULL;
        if (!parse_u64(token(&q), &saved.dev) || !parse_u64(token(&q), &u) ||
            !parse_i64(token(&q), &saved.mtime_ns) || !parse_i64(token(&q), &saved.ctime_ns) ||
            !parse_i64(token(&q), &read_at) || q)
                return storvirt__error_set(-EINVAL, "%s: line 3: no directory stamp", file);
        saved.ino = u;
        if (!storvirt__dir_stamp_equal(&saved, now))
                return storvirt__error_set(-ESTALE, "%s: the directory changed since", file);
        if (!storvirt__stamp_settled(saved.mtime_ns, read_at) ||
            !storvirt__stamp_settled(saved.ctime_ns, read_at))
                return storvirt__error_set(-ESTALE, "%s: the directory changed too close to "
                                                    "its reading to tell", file);
        *ret_read_at = read_at;
        return 0;
}

/* The entries, checked against the index: those it no longer agrees with go to stale. */
static int parse_entries(char *p, size_t n, const char *target, int64_t read_at,
                         const storvirt__hashmap *index, const char *file,
                         storvirt__vol_list *l) {
        struct storvirt__strv_builder stale = {};
        size_t tlen = strlen(target), seen = 0, len = strlen(p);
        storvirt__vol_rec_block *block;
        int r = 0;

        while (tlen > 1 && target[tlen - 1] == '/')
                tlen--;
        if (n > len)                    /* each entry takes a line */
                return storvirt__error_set(-EINVAL, "%s: %zu volumes said in %zu bytes", file,
                                           n, len);
        l->recs = calloc(n + 1, sizeof(*l->recs));
        if (!l->recs)
                return storvirt__error_oom();
        /* each record: its name, and its path (target/name) */
        block = storvirt__vol_rec_block_new(n, n * (tlen + 2) + 2 * len);
        for (char *line; r >= 0 && (line = strsep(&p, "\n")) && *line;) {
                storvirt__vol_rec *v = NULL;

                r = seen < n ? parse_entry(line, target, tlen, block, &v) : -EINVAL;
                if (r == -EINVAL)
                        r = storvirt__error_set(-EINVAL, "%s: line %zu is not a volume", file,
                                                seen + 4);
                if (r < 0)
                        break;
                seen++;
                v->read_at_ns = read_at;
                if (index_agrees(index, v))
                        l->recs[l->n++] = v;
                else {
                        r = storvirt__strv_builder_add(&stale, v->name);
                        storvirt__vol_rec_unref(v);
                }
        }
        if (r >= 0 && seen != n)
                r = storvirt__error_set(-EINVAL, "%s: %zu volumes, the last line says %zu", file,
                                        seen, n);
        if (r >= 0)
                r = storvirt__strv_builder_finish(&stale, &l->stale);
        storvirt__strv_builder_done(&stale);
        storvirt__vol_rec_block_unref(block);
        return r;
}

int storvirt__vol_list_load(storvirt_ctx *ctx, const char *target, const storvirt__dir_stamp *now,
                            const storvirt__hashmap *index, storvirt__vol_list *ret) {
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;
        _cleanup_close_ int dfd = -1;
        storvirt__vol_list l = {};
        char name[64], file[96];
        int64_t read_at = 0;
        size_t len = 0, n = 0, alloc = 0;
        char *p, *text = NULL;
        int r;

        storvirt__vol_index_file_name(target, ".list", name);
        snprintf(file, sizeof(file), KIND "/%s", name);
        r = storvirt__records_lock(ctx, KIND, STORVIRT__LOCK_SHARED, &lock);
        if (r >= 0)
                r = dfd = storvirt__records_dirfd(ctx, KIND, true);
        if (r >= 0)
                r = storvirt__file_read_owned_big(dfd, name, LIST_MAX, &text, &len, &alloc);
        storvirt__lock_release(&lock);
        if (r == -ENOENT)
                return storvirt__error_set(-ENOENT, "%s: none saved", file);
        if (r < 0)
                return r;
        r = check_whole(text, len, file, &n);
        if (r >= 0) {
                text[r] = '\0';        /* the entries end before the last line */
                p = text;
                r = check_header(&p, target, now, file, &read_at);
        }
        if (r >= 0)
                r = parse_entries(p, n, target, read_at, index, file, &l);
        storvirt__bigmem_free(text, alloc);
        if (r < 0) {
                storvirt__vol_list_clear(&l);
                return r;
        }
        *ret = l;
        return 0;
}
