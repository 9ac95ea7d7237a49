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
#include "util/uuid.h"

#define KIND "volumes"
#define MAGIC "storvirt-volume-index 1"
#define MAGIC2 "storvirt-volume-index 2"
/* 100,000 volumes with long names fit. */
#define INDEX_MAX (64u << 20)

void storvirt__vol_index_file_name(const char *target, const char *suffix, char buf[64]) {
        uint8_t d[STORVIRT__SHA1_DIGEST_SIZE];

        storvirt__sha1(target, strlen(target), d);
        for (size_t i = 0; i < sizeof(d); i++)
                snprintf(buf + 2 * i, 3, "%02x", d[i]);
        snprintf(buf + 2 * sizeof(d), 64 - 2 * sizeof(d), "%s", suffix);
}

static int append_escaped(struct storvirt__buf *b, const char *s) {
        return storvirt__buf_append_pct(b, s, NULL);
}

static bool unescape(char *s) {
        return storvirt__pct_decode(s);
}

struct index_file {
        char name[64];
        char path[PATH_MAX];     /* for messages */
};

static void index_file_init(storvirt_ctx *ctx, const char *target, struct index_file *f) {
        const char *dir = NULL;

        storvirt__vol_index_file_name(target, ".idx", f->name);
        if (storvirt_ctx_get_state_dir(ctx, &dir) < 0 || !dir)
                dir = "<state dir>";
        snprintf(f->path, sizeof(f->path), "%s/" KIND "/%s", dir, f->name);
}

/* The next space-separated field of *p (at most size - 1 bytes) into dst; "-" reads as "". */
static bool take_field(char **p, char *dst, size_t size) {
        char *sp = strchr(*p, ' ');
        size_t n = sp ? (size_t)(sp - *p) : 0;

        if (!sp || n == 0 || n >= size)
                return false;
        memcpy(dst, *p, n);
        dst[n] = '\0';
        if (strcmp(dst, "-") == 0)
                dst[0] = '\0';
        *p = sp + 1;
        return true;
}

/* The encryption and secret fields of a version 2 line. */
static bool take_encryption(char **p, storvirt__vol_index_entry *e) {
        storvirt__uuid u;

        if (!take_field(p, e->encryption, sizeof(e->encryption)) ||
            !take_field(p, e->secret, sizeof(e->secret)))
                return false;
        if (e->encryption[0] && strcmp(e->encryption, "luks") != 0)
                return false;
        return !e->secret[0] || storvirt__uuid_parse(e->secret, &u) >= 0;
}

/* One "<format> <inode> [<encryption> <secret>] <name>" line into the map. */
static int parse_entry(storvirt__hashmap *m, char *line, unsigned version) {
        storvirt__vol_index_entry *e, tmp = {};
        char ino_s[24], *p = line, *end;
        unsigned long long ino;
        int r;

        if (!take_field(&p, tmp.format, sizeof(tmp.format)) || !tmp.format[0] ||
            !take_field(&p, ino_s, sizeof(ino_s)))
                return -EINVAL;
        if (version == 2 && !take_encryption(&p, &tmp))
                return -EINVAL;
        errno = 0;
        ino = strtoull(ino_s, &end, 10);
        if (errno || *end || !*p || !unescape(p) || storvirt__name_check("volume", p) < 0)
                return -EINVAL;
        tmp.ino = ino;
        e = malloc(sizeof(*e));
        if (!e)
                return storvirt__error_oom();
        *e = tmp;
        r = storvirt__hashmap_replace(m, p, e);
        if (r < 0)
                free(e);
        return r;
}

static int parse_index(char *text, const char *target, const char *path, storvirt__hashmap **ret) {
        _cleanup_(storvirt__hashmap_freep) storvirt__hashmap *m = NULL;
        char *save = NULL, *line;
        unsigned n = 0, version = 1;
        int r;

        r = storvirt__hashmap_new(&m, free);
        if (r < 0)
                return r;
        for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                n++;
                if (n == 1) {
                        if (strcmp(line, MAGIC2) == 0)
                                version = 2;
                        else if (strcmp(line, MAGIC) != 0)
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
                r = parse_entry(m, line, version);
                if (r == -EINVAL)
                        return storvirt__error_set(-EINVAL, "%s: line %u is not \"<format> "
                                                            "<inode> %s<name>\"", path, n,
                                                   version == 2 ? "<encryption> <secret> " : "");
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
        bool v2 = false;
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
        for (size_t i = 0; r >= 0 && names[i]; i++)
                if (((const storvirt__vol_index_entry *)storvirt__hashmap_get(m, names[i]))
                            ->encryption[0])
                        v2 = true;
        if (r >= 0)
                r = storvirt__buf_append(&b, v2 ? MAGIC2 "\ntarget " : MAGIC "\ntarget ",
                                         sizeof(MAGIC) + 7);
        if (r >= 0)
                r = append_escaped(&b, target);
        if (r >= 0)
                r = storvirt__buf_append(&b, "\n", 1);
        for (size_t i = 0; r >= 0 && names[i]; i++) {
                const storvirt__vol_index_entry *e = storvirt__hashmap_get(m, names[i]);
                char head[128];
                int n = snprintf(head, sizeof(head), "%s %llu ", e->format,
                                 (unsigned long long)e->ino);

                if (v2)
                        n += snprintf(head + n, sizeof(head) - (size_t)n, "%s %s ",
                                      e->encryption[0] ? e->encryption : "-",
                                      e->secret[0] ? e->secret : "-");

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

/*
 * A volume the library creates, deletes or records anew changes what the
 * directory's saved list says (objects/vol_list.h): the list goes, under
 * the lock its writers hold, and the next reader reads the directory.
 */
static int list_forget(storvirt_ctx *ctx, const char *target) {
        char name[64];
        _cleanup_close_ int dfd = storvirt__records_dirfd(ctx, KIND, true);

        if (dfd < 0)
                return dfd;
        storvirt__vol_index_file_name(target, ".list", name);
        if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
                return storvirt__error_set(-errno, "cannot remove the saved volume list of '%s': "
                                                   "%m", target);
        return 0;
}

/* Read-modify-write under the exclusive lock; entry NULL: remove name. */
static int update(storvirt_ctx *ctx, const char *target, const char *name,
                  const storvirt__vol_index_entry *entry) {
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;
        _cleanup_(storvirt__hashmap_freep) storvirt__hashmap *m = NULL;
        storvirt__vol_index_entry *e;
        int r;

        r = storvirt__records_lock(ctx, KIND, STORVIRT__LOCK_EXCLUSIVE, &lock);
        if (r >= 0)
                r = list_forget(ctx, target);
        if (r >= 0)
                r = read_locked(ctx, target, &m);
        if (r < 0)
                return r;
        if (!entry) {
                if (!storvirt__hashmap_contains(m, name))
                        return 0;
                storvirt__hashmap_remove(m, name);
                return write_locked(ctx, target, m);
        }
        e = malloc(sizeof(*e));
        if (!e)
                return storvirt__error_oom();
        *e = *entry;
        r = storvirt__hashmap_replace(m, name, e);
        if (r < 0) {
                free(e);
                return r;
        }
        return write_locked(ctx, target, m);
}

int storvirt__vol_index_set_entry(storvirt_ctx *ctx, const char *target, const char *name,
                                  const storvirt__vol_index_entry *entry) {
        storvirt__vol_index_entry e = *entry;
        storvirt__uuid u;
        int r = storvirt__name_check("volume", name);

        if (r < 0)
                return r;
        e.format[sizeof(e.format) - 1] = e.encryption[sizeof(e.encryption) - 1] = '\0';
        e.secret[sizeof(e.secret) - 1] = '\0';
        if (!e.format[0] || strcmp(e.format, "-") == 0 || strpbrk(e.format, " \n%") ||
            (e.encryption[0] && strcmp(e.encryption, "luks") != 0) ||
            (e.secret[0] && storvirt__uuid_parse(e.secret, &u) < 0))
                return storvirt__error_set(-EINVAL, "volume '%s': format '%s' (encryption '%s', "
                                                    "secret '%s') cannot be recorded", name,
                                           e.format, e.encryption, e.secret);
        return update(ctx, target, name, &e);
}

int storvirt__vol_index_set(storvirt_ctx *ctx, const char *target, const char *name,
                            const char *format, uint64_t ino) {
        storvirt__vol_index_entry e = { .ino = ino };

        if (!format || strlen(format) >= sizeof(e.format))
                return storvirt__error_set(-EINVAL, "volume '%s': format '%s' cannot be recorded",
                                           name, format ? format : "(null)");
        snprintf(e.format, sizeof(e.format), "%s", format);
        return storvirt__vol_index_set_entry(ctx, target, name, &e);
}

int storvirt__vol_index_remove(storvirt_ctx *ctx, const char *target, const char *name) {
        return update(ctx, target, name, NULL);
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
