/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * connection_run.c - stored connections as the rest of the library uses
 * them (objects/connection_run.h): their definitions read back, who holds
 * them and whether they are up (connections-run/<id>.json), acquire and
 * release, iSCSI lookups and scans, and definitions stored as one
 * transaction (objects/connection_store.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "objects/connection_run.h"
#include "objects/connection_connect.h"
#include "conf/connection_def.h"
#include "objects/connection_store.h"
#include "objects/records.h"
#include "sys/iscsi_direct.h"
#include "util/error.h"
#include "util/log.h"
#include "util/macro.h"
#include "util/refcnt.h"
#include "util/strv.h"

#define KIND_DEF STORVIRT__CONN_KIND_DEF
#define KIND_SECRET STORVIRT__CONN_KIND_SECRET
#define KIND_RUN STORVIRT__CONN_KIND_RUN
#define ISCSI_PORT STORVIRT__CONN_ISCSI_PORT
#define DEFAULT_TIMEOUT_MS 30000
#define ADMIN_HOLDER "admin"

/* ---- loading ---------------------------------------------------------------------------------- */

/* The stored definition of id with its secrets (locked: the caller holds the def lock). */
int storvirt__conn_load_def_locked(storvirt_ctx *ctx, const char *id, bool with_secrets, bool locked,
                           conn_def **ret) {
        _cleanup_json_ yajl_val v = NULL, sv = NULL;
        conn_def *d = NULL;
        int r;

        r = storvirt__record_read(ctx, KIND_DEF, id, locked, &v, NULL);
        if (r == -ENOENT)
                return storvirt__error_set(-ENOENT, "no connection '%s'", id);
        if (r < 0)
                return r;
        r = storvirt__conn_parse_stored(v, &d);
        if (r < 0)
                return storvirt__error_set(r, "connection record '%s' is not valid: %s", id,
                                           storvirt_error_message());
        if (!d->id || strcmp(d->id, id) != 0) {
                storvirt__conn_def_free(d);
                return storvirt__error_set(-EINVAL, "connection record '%s' holds another id", id);
        }
        if (with_secrets && (d->user || d->mutual_user)) {
                const char *pw = NULL;

                r = storvirt__record_read(ctx, KIND_SECRET, id, locked, &sv, NULL);
                if (r < 0) {
                        storvirt__conn_def_free(d);
                        return storvirt__error_set(r, "connection '%s': its CHAP secret cannot be "
                                                      "read: %s", id, storvirt_error_message());
                }
                if (storvirt__json_get_string(sv, "password", false, &pw) > 0 &&
                    !(d->password = strdup(pw))) {
                        storvirt__conn_def_free(d);
                        return storvirt__error_oom();
                }
                pw = NULL;
                if (storvirt__json_get_string(sv, "mutual_password", false, &pw) > 0 &&
                    !(d->mutual_password = strdup(pw))) {
                        storvirt__conn_def_free(d);
                        return storvirt__error_oom();
                }
        }
        if (d->user && with_secrets && !d->password) {
                storvirt__conn_def_free(d);
                return storvirt__error_set(-EINVAL, "connection '%s': no CHAP secret stored", id);
        }
        *ret = d;
        return 0;
}

/* The same, once what a killed writer left is finished or cleared (connection_store.h). */
int storvirt__conn_load_def(storvirt_ctx *ctx, const char *id, bool with_secrets, conn_def **ret) {
        int r = storvirt__conn_store_recover(ctx);

        return r < 0 ? r : storvirt__conn_load_def_locked(ctx, id, with_secrets, false, ret);
}

void storvirt__conn_run_clear(struct storvirt__conn_run *s) {
        storvirt__strv_free(s->holders);
        free(s->mountpoint);
        free(s->since);
        *s = (struct storvirt__conn_run){};
}

int storvirt__conn_run_load(storvirt_ctx *ctx, const char *id, bool locked, struct storvirt__conn_run *s) {
        _cleanup_json_ yajl_val v = NULL;
        yajl_val list = NULL;
        const char *str = NULL;
        int r;

        *s = (struct storvirt__conn_run){};
        r = storvirt__record_read(ctx, KIND_RUN, id, locked, &v, NULL);
        if (r == -ENOENT) {
                storvirt_error_clear();
                return 0;
        }
        if (r < 0)
                return r;
        (void)storvirt__json_get_bool(v, "connected", false, &s->connected);
        if (storvirt__json_get_array(v, "holders", false, &list) > 0)
                for (size_t i = 0; i < list->u.array.len; i++)
                        if (YAJL_IS_STRING(list->u.array.values[i]) &&
                            storvirt__strv_extend(&s->holders, YAJL_GET_STRING(list->u.array.values[i]) ?: "") < 0)
                                return storvirt__error_oom();
        if (storvirt__json_get_string(v, "mountpoint", false, &str) > 0 &&
            !(s->mountpoint = strdup(str)))
                return storvirt__error_oom();
        str = NULL;
        if (storvirt__json_get_string(v, "since", false, &str) > 0 && !(s->since = strdup(str)))
                return storvirt__error_oom();
        return 0;
}

int storvirt__conn_run_gen(storvirt__json_gen *g, const struct storvirt__conn_run *s) {
        storvirt__json_gen_begin_map(g);
        storvirt__json_gen_key_bool(g, "connected", s->connected);
        storvirt__json_gen_key_begin_array(g, "holders");
        for (char **h = s->holders; h && *h; h++)
                storvirt__json_gen_string(g, *h);
        storvirt__json_gen_end_array(g);
        if (s->mountpoint)
                storvirt__json_gen_key_string(g, "mountpoint", s->mountpoint);
        if (s->since)
                storvirt__json_gen_key_string(g, "since", s->since);
        return storvirt__json_gen_end_map(g);
}

int storvirt__conn_run_save(storvirt_ctx *ctx, const char *id, const struct storvirt__conn_run *s) {
        _cleanup_json_gen_ storvirt__json_gen *g = NULL;
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        int r;

        if (!s->connected && !s->holders) {
                r = storvirt__record_remove(ctx, KIND_RUN, id);
                if (r == -ENOENT) {
                        storvirt_error_clear();
                        r = 0;
                }
                return r;
        }
        r = storvirt__json_gen_new(true, &g);
        if (r >= 0)
                r = storvirt__conn_run_gen(g, s);
        if (r >= 0)
                r = storvirt__json_gen_finish(g, &text, &len);
        if (r >= 0)
                r = storvirt__record_write(ctx, KIND_RUN, id, text, len);
        return r;
}

static void now_rfc3339(char buf[32]) {
        struct tm tm;
        time_t t = time(NULL);

        gmtime_r(&t, &tm);
        strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int storvirt__connection_acquire(storvirt_ctx *ctx, const char *id, const char *holder,
                                 int timeout_ms) {
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;
        _cleanup_def_ conn_def *d = NULL;
        struct storvirt__conn_run s = {};
        char since[32];
        int r, changed = 0;

        if (timeout_ms <= 0)
                timeout_ms = DEFAULT_TIMEOUT_MS;
        /* the definition first: locks are taken in the order definitions, run state */
        r = storvirt__conn_load_def(ctx, id, true, &d);
        if (r < 0)
                return r;
        r = storvirt__records_lock(ctx, KIND_RUN, STORVIRT__LOCK_EXCLUSIVE, &lock);
        if (r >= 0)
                r = storvirt__conn_run_load(ctx, id, true, &s);
        if (r < 0)
                goto out;
        if (storvirt__strv_contains(s.holders, holder) && s.connected)
                goto out;
        if (!s.connected) {
                char *mp = NULL;

                log_info(ctx, "connecting %s connection %s for %s", storvirt__conn_type_name(d->type), id, holder);
                r = storvirt__conn_do_connect(ctx, d, timeout_ms, &mp);
                if (r < 0) {
                        r = storvirt__error_set(r, "connection %s: %s", id, storvirt_error_message());
                        goto out;
                }
                free(s.mountpoint);
                s.mountpoint = mp;
                s.connected = true;
                now_rfc3339(since);
                free(s.since);
                s.since = strdup(since);
                changed = 1;
        }
        if (!storvirt__strv_contains(s.holders, holder) && storvirt__strv_extend(&s.holders, holder) < 0) {
                r = storvirt__error_oom();
                goto out;
        }
        r = storvirt__conn_run_save(ctx, id, &s);
out:
        storvirt__conn_run_clear(&s);
        return r < 0 ? r : changed;
}

int storvirt__connection_release(storvirt_ctx *ctx, const char *id, const char *holder,
                                 bool force) {
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;
        _cleanup_def_ conn_def *d = NULL;
        struct storvirt__conn_run s = {};
        char **kept = NULL;
        int r, changed = 0;

        r = storvirt__conn_load_def(ctx, id, true, &d);
        if (r < 0)
                return r;
        r = storvirt__records_lock(ctx, KIND_RUN, STORVIRT__LOCK_EXCLUSIVE, &lock);
        if (r >= 0)
                r = storvirt__conn_run_load(ctx, id, true, &s);
        if (r < 0)
                goto out;
        for (char **h = s.holders; h && *h; h++)
                if (strcmp(*h, holder) != 0 && storvirt__strv_extend(&kept, *h) < 0) {
                        r = storvirt__error_oom();
                        goto out;
                }
        if (!force && storvirt__strv_length(kept) == storvirt__strv_length(s.holders))
                goto out;       /* not a holder: nothing to do */
        storvirt__strv_free(s.holders);
        s.holders = force ? NULL : TAKE_PTR(kept);
        if (!s.holders && s.connected) {
                log_info(ctx, "disconnecting %s connection %s (last holder %s gone)",
                         storvirt__conn_type_name(d->type), id, holder);
                r = storvirt__conn_do_disconnect(ctx, d, s.mountpoint, DEFAULT_TIMEOUT_MS);
                if (r < 0) {
                        r = storvirt__error_set(r, "connection %s: %s", id, storvirt_error_message());
                        goto out;
                }
                s.connected = false;
                changed = 1;
        }
        r = storvirt__conn_run_save(ctx, id, &s);
out:
        storvirt__strv_free(kept);
        storvirt__conn_run_clear(&s);
        return r < 0 ? r : changed;
}

int storvirt__connection_find_iscsi(storvirt_ctx *ctx, const char *host, unsigned port,
                                    const char *target, char **ret_id) {
        _cleanup_strv_free_ char **ids = NULL;
        int r;

        r = storvirt__conn_store_recover(ctx);
        if (r >= 0)
                r = storvirt__records_list(ctx, KIND_DEF, &ids);
        if (r < 0)
                return r;
        for (char **id = ids; *id; id++) {
                conn_def *d = NULL;
                bool match;

                if (storvirt__conn_load_def_locked(ctx, *id, false, false, &d) < 0) {
                        storvirt_error_clear();
                        continue;
                }
                match = d->type == STORVIRT_CONNECTION_ISCSI && strcmp(d->host, host) == 0 &&
                        d->port == (port ? port : ISCSI_PORT) && strcmp(d->target, target) == 0;
                storvirt__conn_def_free(d);
                if (match) {
                        *ret_id = strdup(*id);
                        return *ret_id ? 1 : storvirt__error_oom();
                }
        }
        return 0;
}

int storvirt__connection_iscsi_scan(storvirt_ctx *ctx, const char *id, int timeout_ms,
                                    struct storvirt__iscsi_lun **ret, size_t *n) {
        _cleanup_def_ conn_def *d = NULL;
        int r;

        if (timeout_ms <= 0)
                timeout_ms = DEFAULT_TIMEOUT_MS;
        r = storvirt__conn_load_def(ctx, id, true, &d);
        if (r < 0)
                return r;
        if (d->type != STORVIRT_CONNECTION_ISCSI)
                return storvirt__error_set(-EINVAL, "connection %s is a %s connection, not iscsi", id,
                                           storvirt__conn_type_name(d->type));
        return storvirt__conn_direct_scan(ctx, d, timeout_ms, ret, n);
}

int storvirt__connection_gen_json(storvirt_ctx *ctx, const char *id, bool vdsm,
                                  storvirt__json_gen *g) {
        _cleanup_def_ conn_def *d = NULL;
        int r = storvirt__conn_load_def(ctx, id, false, &d);

        if (r < 0)
                return r;
        return vdsm ? storvirt__conn_gen_vdsm(g, d) : storvirt__conn_gen_own(g, d, true);
}

int storvirt__connection_iscsi_info(storvirt_ctx *ctx, const char *id,
                                    struct storvirt__connection_iscsi_info *ret) {
        _cleanup_def_ conn_def *d = NULL;
        int r = storvirt__conn_load_def(ctx, id, false, &d);

        if (r < 0)
                return r;
        if (d->type != STORVIRT_CONNECTION_ISCSI)
                return storvirt__error_set(-EINVAL, "connection %s is a %s connection, not iscsi", id,
                                           storvirt__conn_type_name(d->type));
        *ret = (struct storvirt__connection_iscsi_info){
                .host = TAKE_PTR(d->host),
                .port = d->port,
                .target = TAKE_PTR(d->target),
                .lun = d->lun,
                .driver = TAKE_PTR(d->driver),
                .initiator = TAKE_PTR(d->initiator),
                .user = TAKE_PTR(d->user),
        };
        return 0;
}

void storvirt__connection_iscsi_info_clear(struct storvirt__connection_iscsi_info *i) {
        if (!i)
                return;
        free(i->host);
        free(i->target);
        free(i->driver);
        free(i->initiator);
        free(i->user);
        *i = (struct storvirt__connection_iscsi_info){};
}

/* ---- public API ------------------------------------------------------------------------------- */

/*
 * The change that stores one parsed definition (both locks held): 0 with
 * *ret filled (texts malloc'd, the secret's to clear), 1 when the stored
 * one is the same already.
 */
static int prepare_change(storvirt_ctx *ctx, const conn_def *d, uint32_t flags,
                          struct storvirt__conn_change *ret) {
        _cleanup_free_ char *text = NULL, *secret = NULL, *old_text = NULL;
        _cleanup_def_ conn_def *old = NULL;
        struct storvirt__conn_run s = {};
        int r;

        r = storvirt__conn_def_to_text(d, false, true, &text);
        if (r < 0)
                return r;
        r = storvirt__conn_load_def_locked(ctx, d->id, true, true, &old);
        if (r == -ENOENT) {
                storvirt_error_clear();
        } else if (r < 0) {
                return r;
        } else {
                bool same;

                r = storvirt__conn_def_to_text(old, false, true, &old_text);
                if (r < 0)
                        return r;
                same = strcmp(text, old_text) == 0 &&
                       !!old->password == !!d->password &&
                       (!d->password || strcmp(old->password, d->password) == 0) &&
                       !!old->mutual_password == !!d->mutual_password &&
                       (!d->mutual_password || strcmp(old->mutual_password, d->mutual_password) == 0);
                if (same)
                        return 1;
                if (!(flags & STORVIRT_CONNECTION_DEFINE_REPLACE))
                        return storvirt__error_set(-EEXIST, "connection '%s' exists with other "
                                                            "parameters (replace it with the "
                                                            "replace flag)", d->id);
                r = storvirt__conn_run_load(ctx, d->id, false, &s);
                if (r >= 0 && (s.connected || s.holders))
                        r = storvirt__error_set(-EBUSY, "connection '%s' is connected (%zu "
                                                        "holder(s)): disconnect it before "
                                                        "replacing it", d->id,
                                                storvirt__strv_length(s.holders));
                storvirt__conn_run_clear(&s);
                if (r < 0)
                        return r;
        }
        if ((d->password || d->mutual_password) &&
            (r = storvirt__conn_secrets_to_text(d, &secret)) < 0)
                return r;
        *ret = (struct storvirt__conn_change){ d->id, TAKE_PTR(text), TAKE_PTR(secret) };
        return 0;
}

static void changes_free(struct storvirt__conn_change *c, size_t n) {
        for (size_t i = 0; c && i < n; i++) {
                free((char *)c[i].definition);
                storvirt__conn_explicit_clear((char *)c[i].secret);
                free((char *)c[i].secret);
        }
        free(c);
}

/*
 * Store every definition as one transaction (core/connection_store.h):
 * the ones already stored alike are left alone, the same id twice is
 * stored once.
 */
int storvirt__conn_store_defs(storvirt_ctx *ctx, conn_def **defs, size_t n, uint32_t flags) {
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT, slock = STORVIRT__LOCK_INIT;
        struct storvirt__conn_change *c = calloc(n + 1, sizeof(*c));
        size_t k = 0;
        int r;

        if (!c)
                return storvirt__error_oom();
        r = storvirt__conn_store_lock(ctx, &lock, &slock);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                bool seen = false;

                for (size_t j = 0; j < i; j++)
                        seen |= strcmp(defs[j]->id, defs[i]->id) == 0;
                if (seen)
                        continue;
                r = prepare_change(ctx, defs[i], flags, &c[k]);
                if (r == 0)
                        k++;
        }
        if (r >= 0)
                r = storvirt__conn_store_commit(ctx, c, k);
        changes_free(c, k);
        return r;
}

int storvirt__connection_define_json(storvirt_ctx *ctx, const char *json, uint32_t flags,
                                     char ***ret_ids) {
        conn_def **defs = NULL;
        char **ids = NULL;
        size_t n = 0;
        int r;

        r = storvirt__conn_parse_all(json, strlen(json), false, &defs, &n);
        if (r < 0)
                return r;
        r = storvirt__conn_store_defs(ctx, defs, n, flags);
        for (size_t i = 0; r >= 0 && ret_ids && i < n; i++)
                r = storvirt__strv_extend(&ids, defs[i]->id) < 0 ? storvirt__error_oom() : 0;
        for (size_t i = 0; i < n && r < 0; i++)
                storvirt__conn_scrub_error(defs[i], r);
        storvirt__conn_defs_free(defs, n);
        if (r < 0) {
                storvirt__strv_free(ids);
                return r;
        }
        if (ret_ids)
                *ret_ids = ids;
        return 0;
}
