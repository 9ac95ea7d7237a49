/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * secret.c - secrets of encrypted volumes: the public API
 * (storvirt/secret.h) and the look-ups and value hand-off the volume
 * code uses (core/secret.h).  A record is
 *   {"uuid": U, "private": bool, "description": D, "usage": {"type": T,
 *    "id": I}, "value": HEX}
 * with description, usage and value optional.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <storvirt.h>

#include "conf/secret_conf.h"
#include "objects/records.h"
#include "objects/secret.h"
#include "util/error.h"
#include "util/log.h"
#include "util/macro.h"
#include "util/strv.h"

#define KIND "secret-store"

struct secret {
        storvirt__secret_def *def;
        uint8_t *value;                 /* NULL: no value */
        size_t len;
};

static void secret_clear(struct secret *s) {
        storvirt__secret_def_free(s->def);
        if (s->value) {
                explicit_bzero(s->value, s->len);
                free(s->value);
        }
        *s = (struct secret){};
}

static void wipe_free(char *s) {
        if (s) {
                explicit_bzero(s, strlen(s));
                free(s);
        }
}

static int hex_encode(const uint8_t *v, size_t n, char **ret) {
        static const char digits[] = "0123456789abcdef";
        char *s = malloc(2 * n + 1);

        if (!s)
                return storvirt__error_oom();
        for (size_t i = 0; i < n; i++) {
                s[2 * i] = digits[v[i] >> 4];
                s[2 * i + 1] = digits[v[i] & 15];
        }
        s[2 * n] = '\0';
        *ret = s;
        return 0;
}

static int hexval(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -1;
}

static int hex_decode(const char *s, uint8_t **ret, size_t *ret_n) {
        size_t n = strlen(s) / 2;
        uint8_t *v;

        if (strlen(s) % 2 || n == 0 || n > STORVIRT__SECRET_VALUE_MAX)
                return -EINVAL;
        v = malloc(n);
        if (!v)
                return storvirt__error_oom();
        for (size_t i = 0; i < n; i++) {
                int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

                if (hi < 0 || lo < 0) {
                        explicit_bzero(v, n);
                        free(v);
                        return -EINVAL;
                }
                v[i] = (uint8_t)(hi << 4 | lo);
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

/* A UUID argument in its canonical (lower-case) spelling. */
static int canonical_uuid(const char *s, char ret[static STORVIRT__UUID_STRING_MAX]) {
        storvirt__uuid u;

        if (storvirt__uuid_parse(s, &u) < 0)
                return storvirt__error_set(-EINVAL, "'%s' is not a secret UUID", s);
        storvirt__uuid_format(&u, ret);
        return 0;
}

/* ---- records ---------------------------------------------------------------------------------- */

static int parse_usage(yajl_val v, storvirt__secret_def *def) {
        yajl_val usage = NULL;
        const char *type = NULL, *id = NULL;
        int r;

        r = storvirt__json_get_object(v, "usage", false, &usage);
        if (r < 0 || !usage)
                return r;
        r = storvirt__json_get_string(usage, "type", true, &type);
        if (r >= 0)
                r = storvirt__json_get_string(usage, "id", true, &id);
        if (r < 0)
                return r;
        def->usage_type = storvirt__secret_usage_from_string(type);
        if (def->usage_type < 0)
                return storvirt__error_set(-EINVAL, "unknown usage type '%s'", type);
        def->usage_id = strdup(id);
        return def->usage_id ? 0 : storvirt__error_oom();
}

static int parse_record(yajl_val v, const char *id, struct secret *s) {
        static const char *const keys[] = { "uuid", "private", "description", "usage", "value",
                                            NULL };
        const char *uuid = NULL, *desc = NULL, *value = NULL;
        int r;

        s->def = calloc(1, sizeof(*s->def));
        if (!s->def)
                return storvirt__error_oom();
        r = storvirt__json_check_keys(v, keys, "secret record");
        if (r >= 0)
                r = storvirt__json_get_string(v, "uuid", true, &uuid);
        if (r >= 0 && (storvirt__uuid_parse(uuid, &s->def->uuid) < 0 || strcmp(uuid, id) != 0))
                r = storvirt__error_set(-EINVAL, "uuid '%s' does not match the file name", uuid);
        s->def->has_uuid = true;
        if (r >= 0)
                r = storvirt__json_get_bool(v, "private", true, &s->def->private_);
        if (r >= 0)
                r = storvirt__json_get_string(v, "description", false, &desc);
        if (r >= 0 && desc && !(s->def->description = strdup(desc)))
                r = storvirt__error_oom();
        if (r >= 0)
                r = parse_usage(v, s->def);
        if (r >= 0)
                r = storvirt__json_get_string(v, "value", false, &value);
        if (r >= 0 && value && (r = hex_decode(value, &s->value, &s->len)) == -EINVAL)
                r = storvirt__error_set(-EINVAL, "the value is not hex digits");
        return r;
}

/* Reads secret id (the caller holds the lock when locked); -ENOENT naming it. */
static int read_secret(storvirt_ctx *ctx, const char *id, bool locked, struct secret *s) {
        _cleanup_json_ yajl_val v = NULL;
        char *text = NULL;
        int r;

        r = storvirt__record_read(ctx, KIND, id, locked, &v, &text);
        if (r == -ENOENT)
                return storvirt__error_set(-ENOENT, "no secret with UUID %s is defined", id);
        if (r < 0)
                return r;
        wipe_free(text);
        r = parse_record(v, id, s);
        /* the tree holds the value's hex text too */
        {
                yajl_val hex = yajl_tree_get(v, (const char *[]){ "value", NULL }, yajl_t_string);

                if (hex)
                        explicit_bzero(hex->u.string, strlen(hex->u.string));
        }
        if (r < 0) {
                secret_clear(s);
                return storvirt__error_set(-EINVAL, "secret record %s: %s", id,
                                           storvirt_error_message());
        }
        return 0;
}

static int record_text(const struct secret *s, char **ret) {
        _cleanup_json_gen_ storvirt__json_gen *g = NULL;
        char uuid[STORVIRT__UUID_STRING_MAX];
        char *hex = NULL;
        int r = storvirt__json_gen_new(true, &g);

        if (r < 0)
                return r;
        if (s->value && (r = hex_encode(s->value, s->len, &hex)) < 0)
                return r;
        storvirt__json_gen_begin_map(g);
        storvirt__json_gen_key_string(g, "uuid", storvirt__uuid_format(&s->def->uuid, uuid));
        storvirt__json_gen_key_bool(g, "private", s->def->private_);
        if (s->def->description)
                storvirt__json_gen_key_string(g, "description", s->def->description);
        if (s->def->usage_id) {
                storvirt__json_gen_key_begin_map(g, "usage");
                storvirt__json_gen_key_string(g, "type",
                                              storvirt__secret_usage_to_string(s->def->usage_type));
                storvirt__json_gen_key_string(g, "id", s->def->usage_id);
                storvirt__json_gen_end_map(g);
        }
        if (hex)
                storvirt__json_gen_key_string(g, "value", hex);
        wipe_free(hex);
        r = storvirt__json_gen_end_map(g);
        return r < 0 ? r : storvirt__json_gen_finish(g, ret, NULL);
}

/* ---- define ----------------------------------------------------------------------------------- */

/* Every byte of fd to its end: 1 .. STORVIRT__SECRET_VALUE_MAX of them. */
static int read_value(int fd, uint8_t **ret, size_t *ret_n) {
        size_t cap = STORVIRT__SECRET_VALUE_MAX + 1, n = 0;
        uint8_t *v = malloc(cap);
        int r = 0;

        if (!v)
                return storvirt__error_oom();
        while (n < cap) {
                ssize_t k = read(fd, v + n, cap - n);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0) {
                        r = storvirt__error_set(-errno, "cannot read the secret's value: %m");
                        break;
                }
                if (k == 0)
                        break;
                n += (size_t)k;
        }
        if (r >= 0 && n > STORVIRT__SECRET_VALUE_MAX)
                r = storvirt__error_set(-EFBIG, "the secret's value is larger than %u bytes",
                                        STORVIRT__SECRET_VALUE_MAX);
        else if (r >= 0 && n == 0)
                r = storvirt__error_set(-EINVAL, "the secret's value is empty");
        if (r < 0) {
                explicit_bzero(v, cap);
                free(v);
                return r;
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

static bool same_usage(const storvirt__secret_def *a, const storvirt__secret_def *b) {
        return a->usage_id && b->usage_id && a->usage_type == b->usage_type &&
               strcmp(a->usage_id, b->usage_id) == 0;
}

static const char *usage_text(const storvirt__secret_def *d, char *buf, size_t size) {
        if (!d->usage_id)
                return "no usage";
        snprintf(buf, size, "usage %s '%s'", storvirt__secret_usage_to_string(d->usage_type),
                 d->usage_id);
        return buf;
}

/*
 * Checks def against the other secrets (the exclusive lock held): its
 * usage is nobody else's, and a secret redefined keeps its usage.  The
 * current record of the same UUID, if any, goes to *old.
 */
static int check_others(storvirt_ctx *ctx, const storvirt__secret_def *def, const char *uuid,
                        struct secret *old) {
        _cleanup_strv_free_ char **ids = NULL;
        char a[512], b[512];
        int r;

        r = storvirt__records_list(ctx, KIND, &ids);
        for (char **id = ids; r >= 0 && *id; id++) {
                struct secret s = {};

                if (read_secret(ctx, *id, true, &s) < 0) {
                        log_warning(ctx, "%s", storvirt_error_message());
                        storvirt_error_clear();
                        continue;
                }
                if (strcmp(*id, uuid) == 0) {
                        if (!same_usage(s.def, def) && (s.def->usage_id || def->usage_id))
                                r = storvirt__error_set(-EEXIST, "a secret with UUID %s is "
                                                                 "already defined for %s, not %s",
                                                        uuid, usage_text(s.def, a, sizeof(a)),
                                                        usage_text(def, b, sizeof(b)));
                        *old = s;
                        continue;
                }
                if (same_usage(s.def, def))
                        r = storvirt__error_set(-EEXIST, "secret %s already has %s", *id,
                                                usage_text(def, a, sizeof(a)));
                secret_clear(&s);
        }
        return r;
}

static int store_secret(storvirt_ctx *ctx, struct secret *s, const char *uuid) {
        char *text = NULL;
        int r = record_text(s, &text);

        if (r >= 0)
                r = storvirt__record_write(ctx, KIND, uuid, text, strlen(text));
        wipe_free(text);
        return r;
}

STORVIRT_EXPORT int storvirt_secret_define_xml(storvirt_ctx *ctx, const char *xml, int value_fd,
                                               char **ret_uuid, uint32_t flags) {
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;
        struct secret s = {}, old = {};
        char uuid[STORVIRT__UUID_STRING_MAX];
        char *copy = NULL;
        int r;

        check_nonnull(ctx);
        check_nonnull(xml);
        check_arg(value_fd >= -1, "value_fd", "must be a file descriptor or -1");
        check_flags(flags, 0);
        r = storvirt__secret_def_parse(xml, strlen(xml), &s.def);
        if (r >= 0 && value_fd >= 0)
                r = read_value(value_fd, &s.value, &s.len);
        if (r >= 0 && !s.def->has_uuid) {
                r = storvirt__uuid_generate_v4(&s.def->uuid);
                s.def->has_uuid = true;
        }
        if (r >= 0)
                r = storvirt__records_lock(ctx, KIND, STORVIRT__LOCK_EXCLUSIVE, &lock);
        if (r >= 0) {
                storvirt__uuid_format(&s.def->uuid, uuid);
                r = check_others(ctx, s.def, uuid, &old);
        }
        if (r >= 0 && !s.value && old.value) {
                s.value = TAKE_PTR(old.value);
                s.len = old.len;
        }
        if (r >= 0)
                r = store_secret(ctx, &s, uuid);
        if (r >= 0 && ret_uuid && !(copy = strdup(uuid)))
                r = storvirt__error_oom();
        secret_clear(&s);
        secret_clear(&old);
        if (r < 0)
                return r;
        log_info(ctx, "secret %s defined", uuid);
        if (ret_uuid)
                *ret_uuid = copy;
        return 0;
}

/* ---- undefine, list, XML ---------------------------------------------------------------------- */

STORVIRT_EXPORT int storvirt_secret_undefine(storvirt_ctx *ctx, const char *uuid, uint32_t flags) {
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;
        char id[STORVIRT__UUID_STRING_MAX];
        int r;

        check_nonnull(ctx);
        check_nonnull(uuid);
        check_flags(flags, 0);
        r = canonical_uuid(uuid, id);
        if (r >= 0)
                r = storvirt__records_lock(ctx, KIND, STORVIRT__LOCK_EXCLUSIVE, &lock);
        if (r >= 0)
                r = storvirt__record_remove(ctx, KIND, id);
        if (r == -ENOENT)
                return storvirt__error_set(-ENOENT, "no secret with UUID %s is defined", id);
        if (r >= 0)
                log_info(ctx, "secret %s undefined", id);
        return r;
}

STORVIRT_EXPORT int storvirt_secret_list(storvirt_ctx *ctx, char ***ret_uuids, size_t *ret_n,
                                         uint32_t flags) {
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;
        char **ids = NULL;
        int r;

        check_nonnull(ctx);
        check_nonnull(ret_uuids);
        check_flags(flags, 0);
        r = storvirt__records_lock(ctx, KIND, STORVIRT__LOCK_SHARED, &lock);
        if (r >= 0)
                r = storvirt__records_list(ctx, KIND, &ids);
        if (r < 0)
                return r;
        if (ret_n)
                *ret_n = storvirt__strv_length(ids);
        *ret_uuids = ids;
        return 0;
}

STORVIRT_EXPORT int storvirt_secret_get_xml(storvirt_ctx *ctx, const char *uuid, char **ret_xml,
                                            uint32_t flags) {
        char id[STORVIRT__UUID_STRING_MAX];
        struct secret s = {};
        int r;

        check_nonnull(ctx);
        check_nonnull(uuid);
        check_nonnull(ret_xml);
        check_flags(flags, 0);
        r = canonical_uuid(uuid, id);
        if (r >= 0)
                r = read_secret(ctx, id, false, &s);
        if (r >= 0)
                r = storvirt__secret_def_format(s.def, ret_xml);
        secret_clear(&s);
        return r;
}

/* ---- internal: what volumes use --------------------------------------------------------------- */

/* The secret of usage type type with usage id usage (the shared lock held). */
static int find_by_usage(storvirt_ctx *ctx, int type, const char *usage, char ret[static 37]) {
        _cleanup_strv_free_ char **ids = NULL;
        int r = storvirt__records_list(ctx, KIND, &ids);

        for (char **id = ids; r >= 0 && *id; id++) {
                struct secret s = {};
                bool match;

                if (read_secret(ctx, *id, true, &s) < 0) {
                        storvirt_error_clear();
                        continue;
                }
                match = s.def->usage_type == type && strcmp(s.def->usage_id, usage) == 0;
                secret_clear(&s);
                if (match) {
                        snprintf(ret, STORVIRT__UUID_STRING_MAX, "%s", *id);
                        return 0;
                }
        }
        if (r < 0)
                return r;
        return storvirt__error_set(-ENOENT, "no secret of usage %s '%s' is defined",
                                   storvirt__secret_usage_to_string(type), usage);
}

int storvirt__secret_find_usage(storvirt_ctx *ctx, const storvirt__uuid *uuid, const char *usage,
                                int type, char ret_uuid[static STORVIRT__UUID_STRING_MAX]) {
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;
        char id[STORVIRT__UUID_STRING_MAX];
        struct secret s = {};
        int r;

        r = storvirt__records_lock(ctx, KIND, STORVIRT__LOCK_SHARED, &lock);
        if (r < 0)
                return r;
        if (!uuid)
                return find_by_usage(ctx, type, usage, ret_uuid);
        storvirt__uuid_format(uuid, id);
        r = read_secret(ctx, id, true, &s);
        if (r >= 0 && type != STORVIRT__SECRET_USAGE_VOLUME && s.def->usage_type != type)
                r = storvirt__error_set(-EINVAL, "secret %s is of usage type %s, not %s", id,
                                        storvirt__secret_usage_to_string(s.def->usage_type) ?: "none",
                                        storvirt__secret_usage_to_string(type));
        secret_clear(&s);
        if (r >= 0)
                memcpy(ret_uuid, id, sizeof(id));
        return r;
}

int storvirt__secret_find(storvirt_ctx *ctx, const storvirt__uuid *uuid, const char *usage,
                          char ret_uuid[static STORVIRT__UUID_STRING_MAX]) {
        return storvirt__secret_find_usage(ctx, uuid, usage, STORVIRT__SECRET_USAGE_VOLUME,
                                           ret_uuid);
}

/* The value of secret uuid; -ENOENT when it has none. */
static int read_value_of(storvirt_ctx *ctx, const char *uuid, struct secret *s) {
        char id[STORVIRT__UUID_STRING_MAX];
        int r = canonical_uuid(uuid, id);

        if (r >= 0)
                r = read_secret(ctx, id, false, s);
        if (r >= 0 && !s->value) {
                secret_clear(s);
                r = storvirt__error_set(-ENOENT, "secret %s has no value (define it again with "
                                                 "its value)", id);
        }
        return r;
}

int storvirt__secret_value(storvirt_ctx *ctx, const char *uuid, uint8_t **ret, size_t *ret_n) {
        struct secret s = {};
        int r = read_value_of(ctx, uuid, &s);

        if (r < 0)
                return r;
        *ret = TAKE_PTR(s.value);
        *ret_n = s.len;
        secret_clear(&s);
        return 0;
}

int storvirt__secret_check(storvirt_ctx *ctx, const char *uuid) {
        struct secret s = {};
        int r = read_value_of(ctx, uuid, &s);

        secret_clear(&s);
        return r;
}

/* An unnamed file in dir fd: O_TMPFILE, else a name removed at once. */
static int unnamed_file(int dfd) {
        int fd = openat(dfd, ".", O_TMPFILE | O_RDWR, 0600);

        for (unsigned i = 0; fd < 0 && i < 100; i++) {
                char name[32];
                storvirt__uuid u;

                if (storvirt__uuid_generate_v4(&u) < 0)
                        return -EIO;
                snprintf(name, sizeof(name), ".value-%08x", u.b[0] << 24 | u.b[1] << 16 |
                                                                     u.b[2] << 8 | u.b[3]);
                fd = openat(dfd, name, O_CREAT | O_EXCL | O_RDWR | O_NOFOLLOW, 0600);
                if (fd >= 0)
                        unlinkat(dfd, name, 0);
                else if (errno != EEXIST)
                        break;
        }
        return fd < 0 ? -errno : fd;
}

int storvirt__secret_value_fd(storvirt_ctx *ctx, const char *uuid, int *ret_fd) {
        _cleanup_close_ int dfd = -1, fd = -1;
        struct secret s = {};
        size_t done = 0;
        int r;

        r = read_value_of(ctx, uuid, &s);
        if (r < 0)
                return r;
        r = dfd = storvirt__records_dirfd(ctx, KIND, true);
        if (r >= 0 && (fd = unnamed_file(dfd)) < 0)
                r = storvirt__error_set(fd, "cannot make a file for the value of secret %s: %s",
                                        uuid, strerror(-fd));
        if (r >= 0 && fchmod(fd, 0600) < 0)
                r = storvirt__error_set(-errno, "cannot make a file for the value of secret %s: "
                                                "%m", uuid);
        while (r >= 0 && done < s.len) {
                ssize_t k = write(fd, s.value + done, s.len - done);

                if (k < 0 && errno != EINTR)
                        r = storvirt__error_set(-errno, "cannot write the value of secret %s: %m",
                                                uuid);
                else if (k > 0)
                        done += (size_t)k;
        }
        secret_clear(&s);
        if (r < 0)
                return r;
        *ret_fd = TAKE_FD(fd);
        return 0;
}
