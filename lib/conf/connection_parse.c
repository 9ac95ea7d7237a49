/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * connection_parse.c - connection definitions (core/connection_def.h):
 * our JSON form and VDSM's connectStorageServer parameters read with
 * every field checked, and written back in our canonical form (no
 * secret), in VDSM's (secrets redacted) and as the secrets record.  Both
 * dialects are read and written by walking the field tables of
 * connection_fields.c; this file knows no field by name.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/connection_def.h"
#include "conf/connection_fields.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/macro.h"
#include "util/strv.h"
#include "util/uuid.h"

#define REDACTED STORVIRT__CONN_REDACTED
#define PORTAL_MAX STORVIRT__CONN_PORTAL_MAX
#define PORTAL_SIZE STORVIRT__CONN_PORTAL_SIZE
#define DEFINE_MAX (4u << 20)

void storvirt__conn_explicit_clear(char *s) {
        if (s) {
                volatile char *p = s;
                while (*p)
                        *p++ = 0;
        }
}

void storvirt__conn_def_free(conn_def *d) {
        if (!d)
                return;
        free(d->id);
        free(d->host);
        free(d->target);
        free(d->user);
        free(d->mutual_user);
        free(d->initiator);
        free(d->iface);
        free(d->driver);
        free(d->export_);
        free(d->version);
        free(d->options);
        free(d->spec);
        free(d->vfstype);
        free(d->backup_servers);
        free(d->path);
        free(d->monitors);
        free(d->cluster);
        free(d->invalid);
        storvirt__conn_explicit_clear(d->password);
        storvirt__conn_explicit_clear(d->mutual_password);
        free(d->password);
        free(d->mutual_password);
        free(d);
}

const char *storvirt__conn_type_name(int type) {
        const struct conn_type *t = storvirt__conn_type_get(type);

        return t ? t->name : "?";
}

/* ---- secrets kept out of messages ---------------------------------------------------------- */

int storvirt__conn_scrub_error(const conn_def *d, int r) {
        const char *secrets[2] = { d ? d->password : NULL, d ? d->mutual_password : NULL };
        const char *msg = storvirt_error_message();
        struct storvirt__buf b = {};
        bool changed = false;

        if (r >= 0 || !msg)
                return r;
        for (const char *p = msg; *p;) {
                bool hit = false;

                for (size_t i = 0; i < 2; i++) {
                        size_t n = secrets[i] ? strlen(secrets[i]) : 0;

                        if (n && strncmp(p, secrets[i], n) == 0) {
                                storvirt__buf_printf(&b, "%s", REDACTED);
                                p += n;
                                hit = changed = true;
                                break;
                        }
                }
                if (!hit)
                        storvirt__buf_printf(&b, "%c", *p++);
        }
        if (changed)
                storvirt__error_set(r, "%s", storvirt__buf_str(&b));
        storvirt__buf_free(&b);
        return r;
}

/* ---- reading a field ----------------------------------------------------------------------- */

static char **str_at(conn_def *d, size_t offset) {
        return (char **)((char *)d + offset);
}

static const char *str_of(const conn_def *d, size_t offset) {
        return *(char *const *)((const char *)d + offset);
}

/* An integer given as a number or a string of digits, in [0, max]. */
static int get_uint(const struct conn_parse_ctx *pc, yajl_val obj, const char *key, uint64_t max,
                    uint64_t *ret) {
        int r = storvirt__json_get_uint64(obj, key, false, STORVIRT__JSON_INT_FROM_STRING, ret);

        if (r < 0)
                return storvirt__error_set(r, "%s: %s", pc->what, storvirt_error_message());
        if (r > 0 && *ret > max)
                return CONN_FAIL(pc, key, "%" PRIu64 " is out of range 0-%" PRIu64, *ret, max);
        return r;
}

/* Field f under one spelling: 1 with *s (strings) or *n (integers), 0 when absent or null. */
static int get_value(const struct conn_parse_ctx *pc, yajl_val obj, const struct conn_field *f,
                     const char *key, const char **s, uint64_t *n) {
        int r;

        switch (f->value) {
        case CONN_V_UINT:
        case CONN_V_INT:
        case CONN_V_LONG:
                return get_uint(pc, obj, key, f->max, n);
        case CONN_V_VERSION:
                r = storvirt__json_get_string_or_number(obj, key, false, s);
                break;
        default:
                r = storvirt__json_get_string(obj, key, false, s);
                break;
        }
        if (r < 0)
                return storvirt__error_set(r, "%s: %s", pc->what, storvirt_error_message());
        return r;
}

/* Field f under the spellings of dialect dl; two spellings given is an error. */
static int get_field(const struct conn_parse_ctx *pc, yajl_val obj, const struct conn_field *f,
                     enum conn_dialect dl, const char **ret_key, const char **s, uint64_t *n) {
        const char *keys[2] = { dl == CONN_OWN ? f->own : f->vdsm,
                                dl == CONN_OWN ? NULL : f->vdsm_alias };
        const char *sv[2] = { NULL, NULL };
        uint64_t nv[2] = { 0, 0 };
        int found[2] = { 0, 0 };
        size_t i;

        for (i = 0; i < 2; i++)
                if (keys[i] && (found[i] = get_value(pc, obj, f, keys[i], &sv[i], &nv[i])) < 0)
                        return found[i];
        if (found[0] > 0 && found[1] > 0)
                return storvirt__error_set(-EINVAL, "%s: fields '%s' and '%s' are the same "
                                                    "field: give one", pc->what, keys[0], keys[1]);
        i = found[0] > 0 ? 0 : 1;
        *ret_key = keys[i];
        *s = sv[i];
        *n = nv[i];
        return found[0] > 0 || found[1] > 0;
}

/* A string: not empty, at most max characters, no space. */
static int dup_checked(const struct conn_parse_ctx *pc, const char *key, const char *v, size_t max,
                       char **ret) {
        char esc[STORVIRT__ESCAPED_NAME_SIZE];

        if (!*v)
                return CONN_FAIL(pc, key, "must not be empty");
        if (strlen(v) > max)
                return CONN_FAIL(pc, key, "'%.40s...' is longer than %zu characters", v, max);
        if (!storvirt__conn_printable_no_space(v))
                return CONN_FAIL(pc, key, "'%s' has a space or a non-printable character",
                                 storvirt__name_escape(v, esc, sizeof(esc)));
        free(*ret);
        *ret = strdup(v);
        return *ret ? 0 : storvirt__error_oom();
}

/* A secret: not empty, at most max bytes, no control character; never echoed. */
static int set_secret(const struct conn_parse_ctx *pc, const char *key, const char *v, size_t max,
                      char **ret) {
        if (!*v)
                return CONN_FAIL(pc, key, "must not be empty");
        if (strlen(v) > max)
                return CONN_FAIL(pc, key, "longer than %zu bytes", max);
        for (const char *p = v; *p; p++)
                if ((unsigned char)*p < 0x20 || *p == 0x7f)
                        return CONN_FAIL(pc, key, "has a control character");
        free(*ret);
        *ret = strdup(v);
        return *ret ? 0 : storvirt__error_oom();
}

static int set_number(const struct conn_parse_ctx *pc, const char *key, const struct conn_field *f,
                      uint64_t n, conn_def *d) {
        void *at = (char *)d + f->offset;

        if (n == 0 && (f->flags & CONN_F_NOT_ZERO))
                return CONN_FAIL(pc, key, "must be 1-%" PRIu32, f->max);
        if (f->value == CONN_V_UINT)
                *(unsigned *)at = (unsigned)n;
        else if (f->value == CONN_V_INT)
                *(int *)at = (int)n;
        else
                *(long *)at = (long)n;
        return 0;
}

/*
 * A key of VDSM's form that this type does not have (CONN_V_UNUSED):
 * empty or null, or a value f's check takes.
 */
static int read_unused(const struct conn_parse_ctx *pc, yajl_val obj, const struct conn_field *f) {
        const char *key = f->vdsm;
        yajl_val v = NULL;

        for (size_t i = 0; i < obj->u.object.len && !v; i++)
                if (strcmp(obj->u.object.keys[i], key) == 0)
                        v = obj->u.object.values[i];
        if (!v || YAJL_IS_NULL(v) || (YAJL_IS_STRING(v) && !*v->u.string))
                return 0;
        if (f->check && YAJL_IS_STRING(v))
                return f->check(pc, key, v->u.string);
        return CONN_FAIL(pc, key, "%s %s connection has none: VDSM ignores it, so only an empty "
                                  "string is taken", pc->type ? pc->type->article : "a",
                         pc->type ? pc->type->name : "such");
}

/* A list of hosts (CONN_V_HOSTS), our form only. */
static int read_hosts(const struct conn_parse_ctx *pc, yajl_val obj, const struct conn_field *f,
                      enum conn_dialect dl, conn_def *d) {
        const char *key = dl == CONN_OWN ? f->own : f->vdsm;
        yajl_val v = NULL;

        for (size_t i = 0; key && i < obj->u.object.len && !v; i++)
                if (strcmp(obj->u.object.keys[i], key) == 0)
                        v = obj->u.object.values[i];
        if (!v || YAJL_IS_NULL(v))
                return 0;
        return storvirt__conn_parse_hosts(pc, key, v, f->max, str_at(d, f->offset));
}

/*
 * The value of field f in VDSM's form once read: what VDSM takes for an
 * absent key or an empty string, where it takes something.  NULL: the
 * field is not given.
 */
static const char *vdsm_value(const struct conn_field *f, int found, const char *s) {
        if (!found)
                return f->vdsm_absent;
        if (s && !*s && f->vdsm_empty)
                return f->vdsm_empty;
        if (s && !*s && (f->flags & CONN_F_VDSM_EMPTY))
                return NULL;
        return s;
}

/* Read, check and keep field f of obj in dialect dl. */
static int read_field(const struct conn_parse_ctx *pc, yajl_val obj, const struct conn_field *f,
                      enum conn_dialect dl, conn_def *d) {
        const char *key = NULL, *s = NULL;
        uint64_t n = 0;
        bool b;
        int r;

        /* the type is read first, by the caller: it says which fields there are */
        if (f->value == CONN_V_IGNORED || f->value == CONN_V_TYPE ||
            !(dl == CONN_OWN ? f->own : f->vdsm))
                return 0;
        if (f->value == CONN_V_BOOL)
                return storvirt__conn_get_vdsm_bool(pc, obj, f->vdsm, &b) < 0 ? -EINVAL : 0;
        if (f->value == CONN_V_UNUSED)
                return read_unused(pc, obj, f);
        if (f->value == CONN_V_HOSTS)
                return read_hosts(pc, obj, f, dl, d);
        r = get_field(pc, obj, f, dl, &key, &s, &n);
        if (r < 0)
                return r;
        if (dl == CONN_VDSM && f->value != CONN_V_UINT && f->value != CONN_V_INT &&
            f->value != CONN_V_LONG) {
                s = vdsm_value(f, r, s);
                key = key ? key : f->vdsm;
                r = s != NULL;
        }
        if (r == 0)
                return 0;
        switch (f->value) {
        case CONN_V_PORTAL:
                return storvirt__conn_parse_portal(pc, key, s,
                                                   dl == CONN_VDSM && (f->flags & CONN_F_VDSM_HOST), d);
        case CONN_V_SECRET:
                r = set_secret(pc, key, s, f->max, str_at(d, f->offset));
                return r < 0 || !f->check ? r : f->check(pc, key, s);
        case CONN_V_UINT:
        case CONN_V_INT:
        case CONN_V_LONG:
                return set_number(pc, key, f, n, d);
        default:
                if (f->check && (r = f->check(pc, key, s)) < 0)
                        return r;
                return dup_checked(pc, key, s, f->max, str_at(d, f->offset));
        }
}

/* ---- reading a connection ------------------------------------------------------------------- */

/* The spellings of the fields of t (the common ones first) in dialect dl; returns how many. */
static size_t spellings(const struct conn_type *t, enum conn_dialect dl,
                        const char *ret[static 2 * CONN_FIELDS_MAX]) {
        size_t n = 0;

        for (size_t i = 0; i < storvirt__conn_n_common_fields + t->n_fields; i++) {
                const struct conn_field *f = i < storvirt__conn_n_common_fields
                                                     ? &storvirt__conn_common_fields[i]
                                                     : &t->fields[i - storvirt__conn_n_common_fields];

                if (dl == CONN_OWN && f->own)
                        ret[n++] = f->own;
                if (dl == CONN_VDSM && f->vdsm)
                        ret[n++] = f->vdsm;
                if (dl == CONN_VDSM && f->vdsm_alias)
                        ret[n++] = f->vdsm_alias;
        }
        return n;
}

/* Every key of obj a spelling of a field of t, and none twice. */
static int check_keys(const struct conn_parse_ctx *pc, yajl_val obj, const struct conn_type *t,
                      enum conn_dialect dl) {
        const char *spelled[2 * CONN_FIELDS_MAX];
        bool seen[2 * CONN_FIELDS_MAX] = {};
        char esc[STORVIRT__ESCAPED_NAME_SIZE];
        size_t n = spellings(t, dl, spelled);

        if (!YAJL_IS_OBJECT(obj))
                return storvirt__error_set(-EINVAL, "%s: expected an object, got %s", pc->what,
                                           storvirt__json_type_name(obj));
        for (size_t i = 0; i < obj->u.object.len; i++) {
                const char *key = obj->u.object.keys[i];
                size_t a = 0;

                while (a < n && strcmp(spelled[a], key) != 0)
                        a++;
                if (a < n && !seen[a]) {
                        seen[a] = true;
                        continue;
                }
                storvirt__name_escape(key, esc, sizeof(esc));
                if (a < n)
                        return storvirt__error_set(-EINVAL, "%s: duplicate field '%s'", pc->what,
                                                   esc);
                if (dl == CONN_OWN)
                        return storvirt__error_set(-EINVAL, "%s: unknown field '%s' (not a field "
                                                            "of %s connections)", pc->what, esc,
                                                   t->name);
                return storvirt__error_set(-EINVAL, "%s: unknown field '%s'", pc->what, esc);
        }
        return 0;
}

static conn_def *def_new(int type) {
        conn_def *d = calloc(1, sizeof(*d));

        if (d) {
                d->type = type;
                d->tpgt = -1;
                d->lun = -1;
        }
        return d;
}

/* Once every field is read: those a type needs, then the type's own checks. */
static int finish_def(const struct conn_parse_ctx *pc, const struct conn_type *t, conn_def *d) {
        for (size_t i = 0; i < t->n_fields; i++)
                if (t->fields[i].need && !str_of(d, t->fields[i].offset))
                        return storvirt__error_set(-EINVAL, "%s: %s %s connection needs %s",
                                                   pc->what, t->article, t->name,
                                                   t->fields[i].need);
        return t->finish ? t->finish(pc, d) : 0;
}

/* A connection of type t in dialect dl: the common fields, then t's (CONN_F_READ_FIRST first). */
static int parse_fields(const struct conn_parse_ctx *where, const struct conn_type *t,
                        enum conn_dialect dl, yajl_val obj, conn_def **ret) {
        _cleanup_def_ conn_def *d = def_new(t->type);
        struct conn_parse_ctx ctx = *where, *pc = &ctx;
        int r;

        if (!d)
                return storvirt__error_oom();
        ctx.type = t;
        r = check_keys(pc, obj, t, dl);
        for (size_t i = 0; r >= 0 && i < storvirt__conn_n_common_fields; i++)
                r = read_field(pc, obj, &storvirt__conn_common_fields[i], dl, d);
        for (int pass = 0; pass < 2; pass++)
                for (size_t i = 0; r >= 0 && i < t->n_fields; i++)
                        if (!!(t->fields[i].flags & CONN_F_READ_FIRST) == (pass == 0))
                                r = read_field(pc, obj, &t->fields[i], dl, d);
        if (r >= 0)
                r = finish_def(pc, t, d);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(d);
        return 0;
}

/* Our own form: {"type": ..., ...}. */
static int parse_own(const struct conn_parse_ctx *pc, yajl_val obj, conn_def **ret) {
        const struct conn_type *t = NULL;
        const char *type = NULL;
        int r;

        r = storvirt__json_get_string(obj, "type", true, &type);
        if (r < 0)
                return storvirt__error_set(r, "%s: %s", pc->what, storvirt_error_message());
        for (size_t i = 0; !t && i < storvirt__conn_n_types; i++)
                if (strcmp(type, storvirt__conn_types[i].name) == 0)
                        t = &storvirt__conn_types[i];
        if (t && !t->type)
                return storvirt__error_set(-EOPNOTSUPP, "%s: field 'type': %s connections are not "
                                                        "supported", pc->what, type);
        if (!t)
                return CONN_FAIL(pc, "type", "'%.32s' is not a connection type (iscsi, nfs, "
                                             "posixfs, glusterfs, localfs, fcp or rbd)", type);
        return parse_fields(pc, t, CONN_OWN, obj, ret);
}

/* VDSM's domainType: a number or its name. */
static int vdsm_type(const char *what, yajl_val v, const struct conn_type **ret) {
        const char *str = YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
        long long id = -1;

        if (YAJL_IS_INTEGER(v))
                id = YAJL_GET_INTEGER(v);
        else if (str && *str && strspn(str, "0123456789") == strlen(str))
                id = atoll(str);
        for (size_t i = 0; i < storvirt__conn_n_types; i++) {
                const struct conn_type *t = &storvirt__conn_types[i];

                if (!t->vdsm_name)
                        continue;       /* not a VDSM storage domain type */
                if (id == t->vdsm_id || (str && strcasecmp(str, t->vdsm_name) == 0)) {
                        if (!t->type)
                                return storvirt__error_set(-EOPNOTSUPP, "%s: field 'domainType': "
                                                                        "%s (%d) connections are not "
                                                                        "supported", what,
                                                           t->vdsm_name, t->vdsm_id);
                        *ret = t;
                        return 0;
                }
        }
        return storvirt__error_set(-EINVAL, "%s: field 'domainType': not a VDSM storage domain "
                                            "type (1 NFS, 2 FCP, 3 ISCSI, 4 LOCALFS, 6 POSIXFS, "
                                            "7 GLUSTERFS)", what);
}

/* Append d to defs (taking it, also on failure). */
static int push_def(conn_def ***defs, size_t *n, conn_def *d) {
        conn_def **grown = realloc(*defs, (*n + 1) * sizeof(**defs));

        if (!grown) {
                storvirt__conn_def_free(d);
                return storvirt__error_oom();
        }
        *defs = grown;
        (*defs)[(*n)++] = d;
        return 0;
}

/* connectStorageServer's parameters: {"domainType", "connectionParams": [...]}. */
static int parse_vdsm_call(yajl_val obj, const char *what, size_t *counter, bool stored,
                           conn_def ***defs, size_t *n) {
        static const char *const keys[] = { "domainType", "connectionParams", "storagepoolID",
                                            "spUUID", NULL };
        const struct conn_type *t = NULL;
        yajl_val dt, list = NULL;
        int r;

        r = storvirt__json_check_keys(obj, keys, what);
        if (r < 0)
                return r;
        dt = yajl_tree_get(obj, (const char *[]){ "domainType", NULL }, yajl_t_any);
        if (!dt)
                return storvirt__error_set(-EINVAL, "%s: VDSM connection parameters need "
                                                    "'domainType'", what);
        r = vdsm_type(what, dt, &t);
        if (r < 0)
                return r;
        r = storvirt__json_get_array(obj, "connectionParams", true, &list);
        if (r < 0)
                return storvirt__error_set(r, "%s: %s", what, storvirt_error_message());
        for (size_t i = 0; i < list->u.array.len; i++) {
                struct conn_parse_ctx pc = {};
                conn_def *d = NULL;

                snprintf(pc.what, sizeof(pc.what), "connection %zu", ++*counter);
                pc.stored = stored;
                if (!YAJL_IS_OBJECT(list->u.array.values[i]))
                        return storvirt__error_set(-EINVAL, "%s: expected an object", pc.what);
                r = parse_fields(&pc, t, CONN_VDSM, list->u.array.values[i], &d);
                if (r >= 0)
                        r = push_def(defs, n, d);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_value(yajl_val v, size_t *counter, bool stored, conn_def ***defs, size_t *n) {
        struct conn_parse_ctx pc = { .stored = stored };
        conn_def *d = NULL;
        int r;

        if (YAJL_IS_OBJECT(v) && yajl_tree_get(v, (const char *[]){ "connectionParams", NULL },
                                               yajl_t_any))
                return parse_vdsm_call(v, "VDSM parameters", counter, stored, defs, n);
        snprintf(pc.what, sizeof(pc.what), "connection %zu", ++*counter);
        if (!YAJL_IS_OBJECT(v))
                return storvirt__error_set(-EINVAL, "%s: expected an object, got %s", pc.what,
                                           storvirt__json_type_name(v));
        r = parse_own(&pc, v, &d);
        return r < 0 ? r : push_def(defs, n, d);
}

void storvirt__conn_defs_free(conn_def **defs, size_t n) {
        for (size_t i = 0; i < n; i++)
                storvirt__conn_def_free(defs[i]);
        free(defs);
}

/* ---- canonical forms ------------------------------------------------------------------------ */

/* "host:port" or "[v6]:port"; a portal that does not fit is an error, never cut short. */
int storvirt__conn_fmt_portal(const conn_def *d, char *buf, size_t size) {
        int n = snprintf(buf, size, strchr(d->host, ':') ? "[%s]:%u" : "%s:%u", d->host, d->port);

        if (n < 0 || (size_t)n >= size)
                return storvirt__error_set(-ENAMETOOLONG, "connection %s: a portal of %zu "
                                                          "characters is longer than %d",
                                           d->id ? d->id : "-", strlen(d->host), PORTAL_MAX);
        return 0;
}

static bool number_of(const conn_def *d, const struct conn_field *f, int64_t *ret) {
        const void *at = (const char *)d + f->offset;

        if (f->value == CONN_V_UINT)
                *ret = *(const unsigned *)at;
        else if (f->value == CONN_V_INT)
                *ret = *(const int *)at;
        else
                *ret = *(const long *)at;
        return f->value == CONN_V_UINT ? *ret != 0 : *ret >= 0;
}

/* A canonical host list ("a:1,b") as a JSON list. */
static int gen_hosts(storvirt__json_gen *g, const char *key, const char *hosts) {
        int r = storvirt__json_gen_key_begin_array(g, key);

        for (const char *p = hosts; r >= 0 && *p;) {
                size_t n = strcspn(p, ",");
                _cleanup_free_ char *one = strndup(p, n);

                r = one ? storvirt__json_gen_string(g, one) : storvirt__error_oom();
                p += p[n] ? n + 1 : n;
        }
        return r < 0 ? r : storvirt__json_gen_end_array(g);
}

/*
 * Field f of d in dialect dl, when it is set (or VDSM's form writes it
 * anyway).  Secrets are never written: our form shows "********" for a
 * set one when redact, VDSM's always.
 */
static int gen_field(storvirt__json_gen *g, const conn_def *d, const struct conn_type *t,
                     const struct conn_field *f, enum conn_dialect dl, bool redact) {
        const char *key = dl == CONN_OWN ? f->own : f->vdsm;
        const char *unset = dl == CONN_VDSM ? f->vdsm_unset : NULL;
        char portal[PORTAL_SIZE];
        int64_t n;
        int r;

        if (!key || f->value == CONN_V_IGNORED || f->value == CONN_V_BOOL ||
            f->value == CONN_V_UNUSED)
                return 0;
        switch (f->value) {
        case CONN_V_TYPE:
                if (dl == CONN_VDSM)
                        return storvirt__json_gen_key_int64(g, key, t ? t->vdsm_id : 0);
                return storvirt__json_gen_key_string(g, key, storvirt__conn_type_name(d->type));
        case CONN_V_HOSTS:
                return str_of(d, f->offset) ? gen_hosts(g, key, str_of(d, f->offset)) : 0;
        case CONN_V_PORTAL:
                if (dl == CONN_VDSM)
                        return storvirt__json_gen_key_string(g, key, d->host);
                r = storvirt__conn_fmt_portal(d, portal, sizeof(portal));
                return r < 0 ? r : storvirt__json_gen_key_string(g, key, portal);
        case CONN_V_SECRET:
                if (str_of(d, f->pair) && (dl == CONN_VDSM || redact))
                        return storvirt__json_gen_key_string(g, key, REDACTED);
                return unset ? storvirt__json_gen_key_string(g, key, unset) : 0;
        case CONN_V_UINT:
        case CONN_V_INT:
        case CONN_V_LONG:
                if (number_of(d, f, &n))
                        return storvirt__json_gen_key_int64(g, key, n);
                return unset ? storvirt__json_gen_key_int64(g, key, strtoll(unset, NULL, 10)) : 0;
        default:
                if (str_of(d, f->offset))
                        return storvirt__json_gen_key_string(g, key, str_of(d, f->offset));
                return unset ? storvirt__json_gen_key_string(g, key, unset) : 0;
        }
}

/* The keys of d in dialect dl, in the order of the tables. */
static int gen_fields(storvirt__json_gen *g, const conn_def *d, enum conn_dialect dl, bool redact) {
        const struct conn_type *t = storvirt__conn_type_get(d->type);
        int r = 0;

        for (size_t i = 0; r >= 0 && i < storvirt__conn_n_common_fields; i++)
                r = gen_field(g, d, t, &storvirt__conn_common_fields[i], dl, redact);
        for (size_t i = 0; r >= 0 && t && i < t->n_fields; i++)
                r = gen_field(g, d, t, &t->fields[i], dl, redact);
        return r;
}

/* The keys of our JSON form; secrets as REDACTED when redact, else left out. */
int storvirt__conn_gen_own_fields(storvirt__json_gen *g, const conn_def *d, bool redact) {
        return gen_fields(g, d, CONN_OWN, redact);
}

/* Our JSON form of the definition. */
int storvirt__conn_gen_own(storvirt__json_gen *g, const conn_def *d, bool redact) {
        int r;

        storvirt__json_gen_begin_map(g);
        r = gen_fields(g, d, CONN_OWN, redact);
        return r < 0 ? r : storvirt__json_gen_end_map(g);
}

/* VDSM's connection parameters (the keys its storage server reads), secrets redacted. */
int storvirt__conn_gen_vdsm(storvirt__json_gen *g, const conn_def *d) {
        int r;

        storvirt__json_gen_begin_map(g);
        r = gen_fields(g, d, CONN_VDSM, true);
        return r < 0 ? r : storvirt__json_gen_end_map(g);
}

int storvirt__conn_def_to_text(const conn_def *d, bool redact, bool pretty, char **ret) {
        _cleanup_json_gen_ storvirt__json_gen *g = NULL;
        int r = storvirt__json_gen_new(pretty, &g);

        if (r >= 0)
                r = storvirt__conn_gen_own(g, d, redact);
        if (r >= 0)
                r = storvirt__json_gen_finish(g, ret, NULL);
        return r;
}

/* The id of a definition without one: v5 UUID of its canonical form (no secret). */
static int assign_id(conn_def *d) {
        _cleanup_free_ char *text = NULL;
        char buf[STORVIRT__UUID_STRING_MAX];
        storvirt__uuid u;
        int r;

        if (d->id)
                return 0;
        d->id = strdup("-");    /* the canonical form is made with a placeholder id */
        if (!d->id)
                return storvirt__error_oom();
        r = storvirt__conn_def_to_text(d, false, false, &text);
        if (r >= 0)
                r = storvirt__uuid_generate_v5(&STORVIRT__UUID_NS, text, &u);
        if (r < 0)
                return r;
        free(d->id);
        d->id = strdup(storvirt__uuid_format(&u, buf));
        return d->id ? 0 : storvirt__error_oom();
}

/* {"password", "mutual_password"}: the secrets of d under our keys. */
int storvirt__conn_secrets_to_text(const conn_def *d, char **ret) {
        _cleanup_json_gen_ storvirt__json_gen *g = NULL;
        const struct conn_type *t;
        int r = storvirt__json_gen_new(false, &g);

        if (r < 0)
                return r;
        t = storvirt__conn_type_get(d->type);
        storvirt__json_gen_begin_map(g);
        for (size_t i = 0; t && i < t->n_fields; i++)
                if (t->fields[i].value == CONN_V_SECRET && str_of(d, t->fields[i].offset))
                        storvirt__json_gen_key_string(g, t->fields[i].offset == offsetof(conn_def,
                                                                                         password)
                                                                 ? "password" : "mutual_password",
                                                      str_of(d, t->fields[i].offset));
        storvirt__json_gen_end_map(g);
        return storvirt__json_gen_finish(g, ret, NULL);
}

int storvirt__conn_parse_all(const char *json, size_t len, bool stored, conn_def ***ret, size_t *ret_n) {
        _cleanup_json_ yajl_val root = NULL;
        conn_def **defs = NULL;
        size_t n = 0, counter = 0;
        int r;

        r = storvirt__json_parse(json, len, DEFINE_MAX, &root, "connections");
        if (r < 0)
                return r;
        if (YAJL_IS_ARRAY(root)) {
                for (size_t i = 0; r >= 0 && i < root->u.array.len; i++)
                        r = parse_value(root->u.array.values[i], &counter, stored, &defs, &n);
        } else {
                r = parse_value(root, &counter, stored, &defs, &n);
        }
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = assign_id(defs[i]);
        /* the same id twice in one document */
        for (size_t i = 0; r >= 0 && i < n; i++)
                for (size_t j = 0; r >= 0 && j < i; j++)
                        if (strcmp(defs[i]->id, defs[j]->id) == 0) {
                                _cleanup_free_ char *a = NULL, *b = NULL;

                                r = storvirt__conn_def_to_text(defs[i], false, false, &a);
                                if (r >= 0)
                                        r = storvirt__conn_def_to_text(defs[j], false, false, &b);
                                if (r >= 0 && strcmp(a, b) != 0)
                                        r = storvirt__error_set(-EINVAL, "connections %zu and %zu "
                                                                         "have the same id '%s' but "
                                                                         "differ", j + 1, i + 1,
                                                                defs[i]->id);
                        }
        if (r >= 0 && n == 0)
                r = storvirt__error_set(-EINVAL, "connections: no connection given");
        if (r == -ENOENT)       /* a required field missing: bad input */
                r = storvirt__error_set(-EINVAL, "%s", storvirt_error_message());
        if (r < 0) {
                for (size_t i = 0; i < n; i++)
                        storvirt__conn_scrub_error(defs[i], r);
                storvirt__conn_defs_free(defs, n);
                return r;
        }
        *ret = defs;
        *ret_n = n;
        return 0;
}

int storvirt__connections_parse(const char *json, size_t len, bool stored, char ***ret) {
        conn_def **defs = NULL;
        char **texts = NULL;
        size_t n = 0;
        int r;

        r = storvirt__conn_parse_all(json, len, stored, &defs, &n);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                char *t = NULL;

                r = storvirt__conn_def_to_text(defs[i], false, false, &t);
                if (r >= 0 && storvirt__strv_push(&texts, t) < 0) {
                        free(t);
                        r = storvirt__error_oom();
                }
        }
        if (r >= 0)
                storvirt__conn_defs_free(defs, n);
        if (r < 0) {
                storvirt__strv_free(texts);
                return r;
        }
        *ret = texts;
        return 0;
}

int storvirt__conn_parse_stored(yajl_val v, conn_def **ret) {
        struct conn_parse_ctx pc = { .what = "stored connection", .stored = true };

        return parse_own(&pc, v, ret);
}

/* The row of t VDSM's form spells key. */
static const struct conn_field *field_vdsm(const struct conn_type *t, const char *key) {
        for (size_t i = 0; i < t->n_fields; i++)
                if (t->fields[i].vdsm && strcmp(t->fields[i].vdsm, key) == 0)
                        return &t->fields[i];
        return NULL;
}

/* Our form of the discovery parameters: the fields of an iSCSI connection it takes. */
static int discovery_own(struct conn_parse_ctx *pc, yajl_val v, conn_def *d) {
        static const char *const keys[] = { "portal", "user", "password", "initiator" };
        static const char *const allowed[] = { "portal", "user", "password", "initiator", NULL };
        int r = storvirt__json_check_keys(v, allowed, pc->what);

        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(keys); i++)
                r = read_field(pc, v, storvirt__conn_field_own(pc->type, keys[i]), CONN_OWN, d);
        return r;
}

/* VDSM's form: the port first (the host is checked against it), then the host and CHAP. */
static int discovery_vdsm(struct conn_parse_ctx *pc, yajl_val v, conn_def *d, bool *ipv6) {
        static const char *const keys[] = { "port", "connection", "user", "password" };
        static const char *const allowed[] = { "connection", "port", "user", "password",
                                               "ipv6_enabled", NULL };
        int r = storvirt__json_check_keys(v, allowed, pc->what);
        yajl_val port = yajl_tree_get(v, (const char *[]){ "port", NULL }, yajl_t_any);

        /* VDSM takes int() of it: null is no port either */
        if (r >= 0 && (!port || YAJL_IS_NULL(port)))
                return storvirt__error_set(-EINVAL, "%s: VDSM's discovery parameters need 'port'",
                                           pc->what);
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(keys); i++)
                r = read_field(pc, v, field_vdsm(pc->type, keys[i]), CONN_VDSM, d);
        if (r >= 0 && storvirt__conn_get_vdsm_bool(pc, v, "ipv6_enabled", ipv6) < 0)
                r = -EINVAL;
        return r;
}

int storvirt__conn_parse_discovery(yajl_val v, struct storvirt__conn_discovery *ret) {
        struct conn_parse_ctx pc = { .what = "discovery",
                                     .type = storvirt__conn_type_get(STORVIRT_CONNECTION_ISCSI) };
        _cleanup_def_ conn_def *d = NULL;
        const char *conn = NULL;
        bool ipv6 = false;
        int r;

        *ret = (struct storvirt__conn_discovery){};
        if (!YAJL_IS_OBJECT(v))
                return storvirt__error_set(-EINVAL, "discovery: expected an object, got %s",
                                           storvirt__json_type_name(v));
        r = storvirt__json_get_string(v, "connection", false, &conn);
        if (r < 0)
                return storvirt__error_set(r, "discovery: %s", storvirt_error_message());
        if (conn && yajl_tree_get(v, (const char *[]){ "portal", NULL }, yajl_t_any))
                return storvirt__error_set(-EINVAL, "discovery: give 'connection' or 'portal', "
                                                    "not both");
        if (conn && v->u.object.len == 1) {
                ret->stored_id = conn;
                return 0;
        }
        if (!conn && !yajl_tree_get(v, (const char *[]){ "portal", NULL }, yajl_t_any))
                return storvirt__error_set(-EINVAL, "discovery: field 'portal': missing (or "
                                                    "'connection': a stored connection's id, or "
                                                    "VDSM's host with its 'port')");
        d = def_new(STORVIRT_CONNECTION_ISCSI);
        if (!d)
                return storvirt__error_oom();
        r = conn ? discovery_vdsm(&pc, v, d, &ipv6) : discovery_own(&pc, v, d);
        if (r >= 0)
                r = storvirt__conn_check_chap(&pc, d);
        if (r < 0)
                return storvirt__conn_scrub_error(d, r);
        ret->def = TAKE_PTR(d);
        ret->vdsm = conn != NULL;
        ret->ipv6 = ipv6;
        return 0;
}

void storvirt__conn_discovery_drop_ipv6(struct storvirt__iscsi_target *t, size_t *n) {
        size_t kept = 0;

        for (size_t i = 0; i < *n; i++) {
                size_t m = 0;

                for (size_t k = 0; k < t[i].n_portals; k++) {
                        if (t[i].portals[k].address[0] == '[') {
                                free(t[i].portals[k].address);
                                continue;
                        }
                        t[i].portals[m++] = t[i].portals[k];
                }
                t[i].n_portals = m;
                if (m == 0) {
                        free(t[i].portals);
                        free(t[i].iqn);
                        continue;
                }
                t[kept++] = t[i];
        }
        *n = kept;
}
