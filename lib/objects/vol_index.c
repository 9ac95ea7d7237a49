/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vol_index.c - the recorded formats of file volumes (core/vol_index.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "objects/records.h"
#include "objects/vol_index.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/macro.h"
#include "util/sha1.h"
#include "util/strv.h"

#define KIND "volumes"
#define MAGIC "storvirt-volume-index 1"
/* 100,000 volumes with long names fit. */
#define INDEX_MAX (64u << 20)

static void file_name(const char *target, char buf[64]) {
        uint8_t d[STORVIRT__SHA1_DIGEST_SIZE];

        storvirt__sha1(target, strlen(target), d);
        for (size_t i = 0; i < sizeof(d); i++)
                snprintf(buf + 2 * i, 3, "%02x", d[i]);
        strcat(buf, ".idx");
}

static bool needs_escape(unsigned char c) {
        return c < 0x20 || c == 0x7f || c == '%';
}

static int append_escaped(struct storvirt__buf *b, const char *s) {
        int r = 0;

        for (; *s && r >= 0; s++) {
                char e[4];

                if (!needs_escape((unsigned char)*s)) {
                        r = storvirt__buf_append(b, s, 1);
                        continue;
                }
                snprintf(e, sizeof(e), "%%%02X", (unsigned char)*s);
                r = storvirt__buf_append(b, e, 3);
        }
        return r;
}

static int hexval(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -1;
}

/* Decodes %XX in place; false when an escape is malformed or decodes to NUL. */
static bool unescape(char *s) {
        char *o = s;

        for (; *s; s++) {
                int hi, lo;

                if (*s != '%') {
                        *o++ = *s;
                        continue;
                }
                hi = hexval(s[1]);
                lo = hi < 0 ? -1 : hexval(s[2]);
                if (lo < 0 || (hi == 0 && lo == 0))
                        return false;
                *o++ = (char)(hi << 4 | lo);
                s += 2;
        }
        *o = '\0';
        return true;
}

struct index_file {
        char name[64];
        char path[PATH_MAX];     /* for messages */
};

static void index_file_init(storvirt_ctx *ctx, const char *target, struct index_file *f) {
        const char *dir = NULL;

        file_name(target, f->name);
        if (storvirt_ctx_get_state_dir(ctx, &dir) < 0 || !dir)
                dir = "<state dir>";
        snprintf(f->path, sizeof(f->path), "%s/" KIND "/%s", dir, f->name);
}

/* One "<format> <inode> <name>" line into the map. */
static int parse_entry(storvirt__hashmap *m, char *line) {
        storvirt__vol_index_entry *e;
        char *sp1 = strchr(line, ' '), *sp2, *end;
        unsigned long long ino;
        int r;

        if (!sp1 || (size_t)(sp1 - line) >= sizeof(e->format) || sp1 == line)
                return -EINVAL;
        sp2 = strchr(sp1 + 1, ' ');
        if (!sp2 || !sp2[1])
                return -EINVAL;
        *sp1 = *sp2 = '\0';
        errno = 0;
        ino = strtoull(sp1 + 1, &end, 10);
        if (errno || *end || end == sp1 + 1 || !unescape(sp2 + 1) ||
            storvirt__name_check("volume", sp2 + 1) < 0)
                return -EINVAL;
        e = calloc(1, sizeof(*e));
        if (!e)
                return storvirt__error_oom();
        memcpy(e->format, line, (size_t)(sp1 - line) + 1);
        e->ino = ino;
        r = storvirt__hashmap_replace(m, sp2 + 1, e);
        if (r < 0)
                free(e);
        return r;
}

static int parse_index(char *text, const char *target, const char *path, storvirt__hashmap **ret) {
        _cleanup_(storvirt__hashmap_freep) storvirt__hashmap *m = NULL;
        char *save = NULL, *line;
        unsigned n = 0;
        int r;

        r = storvirt__hashmap_new(&m, free);
        if (r < 0)
                return r;
        for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                n++;
                if (n == 1) {
                        if (strcmp(line, MAGIC) != 0)
                                return storvirt__error_set(-EINVAL, "%s: not a volume index "
                                                                    "(first line)", path);
                        continue;
                }
                if (n == 2) {
                        if (strncmp(line, "target ", 7) != 0 || !unescape(line + 7))
                                return storvirt__error_set(-EINVAL, "%s: line 2: no target", path);
                        if (strcmp(line + 7, target) != 0)  /* a hash collision: not ours */
                                break;
                        continue;
                }
                r = parse_entry(m, line);
                if (r == -EINVAL)
                        return storvirt__error_set(-EINVAL, "%s: line %u is not \"<format> "
                                                            "<inode> <name>\"", path, n);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(m);
        return 0;
}

/* Reads the index (the caller holds the lock); an absent file is an empty map. */
static int read_locked(storvirt_ctx *ctx, const char *target, storvirt__hashmap **ret) {
        struct index_file f;
        _cleanup_free_ char *text = NULL;
        _cleanup_close_ int dfd = -1;
        int r;

        index_file_init(ctx, target, &f);
        dfd = storvirt__records_dirfd(ctx, KIND, true);
        if (dfd < 0)
                return dfd;
        r = storvirt__file_read_all(dfd, f.name, INDEX_MAX, &text, NULL);
        if (r == -ENOENT)
                return storvirt__hashmap_new(ret, free);
        if (r < 0)
                return storvirt__error_set(r, "cannot read %s: %s", f.path,
                                           storvirt_error_message());
        return parse_index(text, target, f.path, ret);
}

static int write_locked(storvirt_ctx *ctx, const char *target, const storvirt__hashmap *m) {
        _cleanup_strv_free_ char **names = NULL;
        struct storvirt__buf b = {};
        struct index_file f;
        _cleanup_close_ int dfd = -1;
        int r;

        index_file_init(ctx, target, &f);
        dfd = storvirt__records_dirfd(ctx, KIND, true);
        if (dfd < 0)
                return dfd;
        if (storvirt__hashmap_size(m) == 0) {
                if (unlinkat(dfd, f.name, 0) < 0 && errno != ENOENT)
                        return storvirt__error_set(-errno, "cannot remove %s: %m", f.path);
                return 0;
        }
        r = storvirt__hashmap_keys(m, &names);
        if (r >= 0)
                r = storvirt__buf_append(&b, MAGIC "\ntarget ", sizeof(MAGIC) + 7);
        if (r >= 0)
                r = append_escaped(&b, target);
        if (r >= 0)
                r = storvirt__buf_append(&b, "\n", 1);
        for (size_t i = 0; r >= 0 && names[i]; i++) {
                const storvirt__vol_index_entry *e = storvirt__hashmap_get(m, names[i]);
                char head[64];
                int n = snprintf(head, sizeof(head), "%s %llu ", e->format,
                                 (unsigned long long)e->ino);

                r = storvirt__buf_append(&b, head, (size_t)n);
                if (r >= 0)
                        r = append_escaped(&b, names[i]);
                if (r >= 0)
                        r = storvirt__buf_append(&b, "\n", 1);
        }
        if (r >= 0) {
                r = storvirt__file_write_atomic(dfd, f.name, b.data, b.len, 0600);
                if (r < 0)
                        r = storvirt__error_set(r, "cannot write %s: %s", f.path, strerror(-r));
        }
        storvirt__buf_free(&b);
        return r;
}

int storvirt__vol_index_load(storvirt_ctx *ctx, const char *target, storvirt__hashmap **ret) {
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;
        int r;

        /* exclusive, briefly: taking it removes what a killed writer left (records.c) */
        r = storvirt__records_lock(ctx, KIND, STORVIRT__LOCK_EXCLUSIVE, &lock);
        if (r < 0)
                return r;
        return read_locked(ctx, target, ret);
}

const storvirt__vol_index_entry *storvirt__vol_index_find(const storvirt__hashmap *index,
                                                          const char *name, uint64_t ino) {
        const storvirt__vol_index_entry *e = index ? storvirt__hashmap_get(index, name) : NULL;

        return e && e->ino == ino ? e : NULL;
}

/* Read-modify-write under the exclusive lock. */
static int update(storvirt_ctx *ctx, const char *target, const char *name, const char *format,
                  uint64_t ino) {
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;
        _cleanup_(storvirt__hashmap_freep) storvirt__hashmap *m = NULL;
        storvirt__vol_index_entry *e;
        int r;

        r = storvirt__records_lock(ctx, KIND, STORVIRT__LOCK_EXCLUSIVE, &lock);
        if (r >= 0)
                r = read_locked(ctx, target, &m);
        if (r < 0)
                return r;
        if (!format) {
                if (!storvirt__hashmap_contains(m, name))
                        return 0;
                storvirt__hashmap_remove(m, name);
                return write_locked(ctx, target, m);
        }
        e = calloc(1, sizeof(*e));
        if (!e)
                return storvirt__error_oom();
        snprintf(e->format, sizeof(e->format), "%s", format);
        e->ino = ino;
        r = storvirt__hashmap_replace(m, name, e);
        if (r < 0) {
                free(e);
                return r;
        }
        return write_locked(ctx, target, m);
}

int storvirt__vol_index_set(storvirt_ctx *ctx, const char *target, const char *name,
                            const char *format, uint64_t ino) {
        int r = storvirt__name_check("volume", name);

        if (r < 0)
                return r;
        if (!format || strlen(format) >= sizeof(((storvirt__vol_index_entry *)0)->format) ||
            strpbrk(format, " \n%"))
                return storvirt__error_set(-EINVAL, "volume '%s': format '%s' cannot be recorded",
                                           name, format ? format : "(null)");
        return update(ctx, target, name, format, ino);
}

int storvirt__vol_index_remove(storvirt_ctx *ctx, const char *target, const char *name) {
        return update(ctx, target, name, NULL, 0);
}

int storvirt__vol_index_prune(storvirt_ctx *ctx, const char *target, int dirfd,
                              char *const *gone) {
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;
        _cleanup_(storvirt__hashmap_freep) storvirt__hashmap *m = NULL;
        struct stat st;
        int r, n = 0;

        if (!gone || !gone[0])
                return 0;
        r = storvirt__records_lock(ctx, KIND, STORVIRT__LOCK_EXCLUSIVE, &lock);
        if (r >= 0)
                r = read_locked(ctx, target, &m);
        if (r < 0)
                return r;
        for (char *const *g = gone; *g; g++) {
                if (!storvirt__hashmap_contains(m, *g))
                        continue;
                if (fstatat(dirfd, *g, &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT)
                        continue;
                storvirt__hashmap_remove(m, *g);
                n++;
        }
        if (n > 0)
                r = write_locked(ctx, target, m);
        return r < 0 ? r : n;
}
