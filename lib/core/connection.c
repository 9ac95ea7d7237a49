/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * connection.c - storage connections (storvirt/connection.h): the public
 * API over the stored connections of lib/objects (connection_run.c,
 * connection_store.c, connection_connect.c); their parsing and canonical
 * forms are in lib/conf (connection_parse.c, connection_fields.c).
 *
 * Records (core/records.h):
 *   connections/<id>.json      the definition, our JSON form, no secret
 *   secrets/<id>.json          {"password", "mutual_password"}, mode 0600
 *   connections-run/<id>.json  {"connected", "holders", "mountpoint", "since"}
 * Connect and disconnect run under the exclusive lock of
 * "connections-run": one at a time per state directory (iscsiadm's node
 * database is not safe against concurrent changes either).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <storvirt.h>

#include "objects/connection_connect.h"
#include "objects/connection_run.h"
#include "objects/connection_secret.h"
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

struct storvirt_connection {
        storvirt__refcnt n_ref;
        storvirt_ctx *ctx;
        conn_def *def;
};

static void conn_free(storvirt_connection *c) {
        storvirt__conn_def_free(c->def);
        storvirt_ctx_unref(c->ctx);
        free(c);
}

STORVIRT_DEFINE_PUBLIC_REF_UNREF(storvirt_connection, conn_free)

static int conn_new(storvirt_ctx *ctx, conn_def *d, storvirt_connection **ret) {
        storvirt_connection *c = calloc(1, sizeof(*c));

        if (!c) {
                storvirt__conn_def_free(d);
                return storvirt__error_oom();
        }
        STORVIRT__REFCNT_INIT(c->n_ref);
        c->ctx = storvirt_ctx_ref(ctx);
        c->def = d;
        snprintf(d->port_s, sizeof(d->port_s), "%u", d->port);
        snprintf(d->lun_s, sizeof(d->lun_s), "%ld", d->lun);
        snprintf(d->tpgt_s, sizeof(d->tpgt_s), "%d", d->tpgt);
        snprintf(d->timeout_s, sizeof(d->timeout_s), "%u", d->timeout);
        snprintf(d->retrans_s, sizeof(d->retrans_s), "%u", d->retrans);
        *ret = c;
        return 0;
}

/* 1 when vDisk records list connection id; *ret_vdisk (may be NULL) the first. */
static int needed_by_vdisk(storvirt_ctx *ctx, const char *id, char **ret_vdisk) {
        _cleanup_strv_free_ char **ids = NULL;
        int r = storvirt__records_list(ctx, "vdisks", &ids);

        if (r < 0)
                return r;
        for (char **v = ids; *v; v++) {
                _cleanup_json_ yajl_val rec = NULL;
                yajl_val list = NULL;

                if (storvirt__record_read(ctx, "vdisks", *v, false, &rec, NULL) < 0) {
                        storvirt_error_clear();
                        continue;
                }
                if (storvirt__json_get_array(rec, "connections", false, &list) <= 0)
                        continue;
                for (size_t i = 0; i < list->u.array.len; i++) {
                        const char *c = YAJL_IS_STRING(list->u.array.values[i])
                                                ? YAJL_GET_STRING(list->u.array.values[i]) : NULL;

                        if (c && strcmp(c, id) == 0) {
                                if (ret_vdisk && !(*ret_vdisk = strdup(*v)))
                                        return storvirt__error_oom();
                                return 1;
                        }
                }
        }
        return 0;
}

STORVIRT_EXPORT int storvirt_connection_define(storvirt_ctx *ctx, const char *json,
                                               char ***ret_ids, uint32_t flags) {
        check_nonnull(ctx);
        check_nonnull(json);
        check_flags(flags, STORVIRT_CONNECTION_DEFINE_REPLACE);
        return storvirt__connection_define_json(ctx, json, flags, ret_ids);
}

STORVIRT_EXPORT int storvirt_connection_lookup(storvirt_ctx *ctx, const char *id,
                                               storvirt_connection **ret_conn) {
        conn_def *d = NULL;
        int r;

        check_nonnull(ctx);
        check_nonnull(id);
        check_nonnull(ret_conn);
        r = storvirt__conn_load_def(ctx, id, false, &d);
        if (r < 0)
                return r;
        return conn_new(ctx, d, ret_conn);
}

/* The handle of a stored record that does not parse: its id and why. */
static int invalid_def(const char *id, const char *why, conn_def **ret) {
        conn_def *d = calloc(1, sizeof(*d));

        if (!d || !(d->id = strdup(id)) || !(d->invalid = strdup(why ? why : "not valid"))) {
                storvirt__conn_def_free(d);
                return storvirt__error_oom();
        }
        d->tpgt = -1;
        d->lun = -1;
        *ret = d;
        return 0;
}

/*
 * The ids of the stored definitions; with invalid, also those of secrets
 * whose definition is gone (into *ret_orphans as well), sorted.
 */
static int list_ids(storvirt_ctx *ctx, bool invalid, char ***ret, char ***ret_orphans) {
        _cleanup_strv_free_ char **ids = NULL, **secrets = NULL;
        int r;

        r = storvirt__records_list(ctx, KIND_DEF, &ids);
        if (r >= 0 && invalid)
                r = storvirt__records_list(ctx, KIND_SECRET, &secrets);
        for (char **sid = secrets; r >= 0 && sid && *sid; sid++) {
                if (storvirt__strv_contains(ids, *sid))
                        continue;
                if (storvirt__strv_extend(&ids, *sid) < 0 ||
                    storvirt__strv_extend(ret_orphans, *sid) < 0)
                        r = storvirt__error_oom();
        }
        if (r < 0)
                return r;
        storvirt__strv_sort(ids);
        *ret = TAKE_PTR(ids);
        return 0;
}

STORVIRT_EXPORT int storvirt_connection_list(storvirt_ctx *ctx, storvirt_connection ***ret_conns,
                                             size_t *ret_n, uint32_t flags) {
        _cleanup_strv_free_ char **ids = NULL, **orphans = NULL;
        bool invalid = flags & STORVIRT_CONNECTION_LIST_INVALID;
        storvirt_connection **v;
        size_t n = 0;
        int r;

        check_nonnull(ctx);
        check_nonnull(ret_conns);
        check_flags(flags, STORVIRT_CONNECTION_LIST_INVALID);
        r = storvirt__conn_store_recover(ctx);
        if (r >= 0)
                r = list_ids(ctx, invalid, &ids, &orphans);
        if (r < 0)
                return r;
        v = calloc(storvirt__strv_length(ids) + 1, sizeof(*v));
        if (!v)
                return storvirt__error_oom();
        for (char **id = ids; *id; id++) {
                conn_def *d = NULL;

                if (storvirt__strv_contains(orphans, *id))
                        r = invalid_def(*id, "a secret whose connection record is gone", &d);
                else
                        r = storvirt__conn_load_def_locked(ctx, *id, false, false, &d);
                if (r == -EINVAL && invalid)
                        r = invalid_def(*id, storvirt_error_message(), &d);
                if (r == -ENOMEM) {
                        storvirt_connection_list_free(v);
                        return r;
                }
                if (r < 0) {
                        log_warning(ctx, "skipping connection record '%s': %s", *id,
                                    storvirt_error_message());
                        continue;
                }
                r = conn_new(ctx, d, &v[n]);
                if (r < 0) {
                        storvirt_connection_list_free(v);
                        return r;
                }
                n++;
        }
        storvirt_error_clear();
        *ret_conns = v;
        if (ret_n)
                *ret_n = n;
        return 0;
}

STORVIRT_EXPORT void storvirt_connection_list_free(storvirt_connection **conns) {
        for (storvirt_connection **c = conns; c && *c; c++)
                storvirt_connection_unref(*c);
        free(conns);
}

STORVIRT_EXPORT const char *storvirt_connection_get_id(storvirt_connection *conn) {
        if (!conn) {
                storvirt__error_set(-EINVAL, "argument 'conn' must not be NULL");
                return NULL;
        }
        return conn->def->id;
}

STORVIRT_EXPORT int storvirt_connection_get_type(storvirt_connection *conn) {
        check_nonnull(conn);
        return conn->def->type;
}

STORVIRT_EXPORT const char *storvirt_connection_get_param(storvirt_connection *conn,
                                                          const char *key) {
        const conn_def *d;
        const struct { const char *key; const char *value; } *e, *table;

        if (!conn || !key) {
                storvirt__error_set(-EINVAL, "argument '%s' must not be NULL", conn ? "key" : "conn");
                return NULL;
        }
        d = conn->def;
        if (strcmp(key, "password") == 0 || strcmp(key, "mutual_password") == 0 ||
            strcmp(key, "key") == 0) {
                storvirt__error_set(-EPERM, "'%s' is a secret and is never returned", key);
                return NULL;
        }
        table = (const __typeof__(*table)[]){
                { "id", d->id },
                { "type", d->invalid ? "invalid" : storvirt__conn_type_name(d->type) },
                { "host", d->host },
                { "port", d->type == STORVIRT_CONNECTION_ISCSI ? d->port_s : NULL },
                { "target", d->target },
                { "lun", d->lun >= 0 ? d->lun_s : NULL },
                { "tpgt", d->tpgt >= 0 ? d->tpgt_s : NULL },
                { "user", d->user },
                { "mutual_user", d->mutual_user },
                { "initiator", d->initiator },
                { "iface", d->iface },
                { "driver", d->driver },
                { "export", d->export_ },
                { "version", d->version },
                { "timeout", d->timeout ? d->timeout_s : NULL },
                { "retrans", d->retrans ? d->retrans_s : NULL },
                { "options", d->options },
                { "spec", d->spec },
                { "vfstype", d->vfstype },
                { "backup_servers", d->backup_servers },
                { "path", d->path },
                { "monitors", d->monitors },
                { "cluster", d->cluster },
                { NULL, NULL },
        };
        for (e = table; e->key; e++)
                if (strcmp(e->key, key) == 0) {
                        if (!e->value)
                                storvirt__error_set(-ENOENT, "connection %s has no '%s'", d->id, key);
                        return e->value;
                }
        storvirt__error_set(-EINVAL, "'%s' is not a connection parameter", key);
        return NULL;
}

STORVIRT_EXPORT int storvirt_connection_get_json(storvirt_connection *conn, char **ret_json,
                                                 uint32_t flags) {
        _cleanup_json_gen_ storvirt__json_gen *g = NULL;
        struct storvirt__conn_run s = {};
        int r;

        check_nonnull(conn);
        check_nonnull(ret_json);
        check_flags(flags, STORVIRT_CONNECTION_JSON_PRETTY | STORVIRT_CONNECTION_JSON_VDSM);
        r = storvirt__conn_run_load(conn->ctx, conn->def->id, false, &s);
        if (r >= 0)
                r = storvirt__json_gen_new(flags & STORVIRT_CONNECTION_JSON_PRETTY, &g);
        if (r >= 0 && conn->def->invalid) {
                storvirt__json_gen_begin_map(g);
                storvirt__json_gen_key_string(g, "id", conn->def->id);
                storvirt__json_gen_key_string(g, "invalid", conn->def->invalid);
                r = storvirt__json_gen_end_map(g);
        } else if (r >= 0 && (flags & STORVIRT_CONNECTION_JSON_VDSM) &&
                   conn->def->type == STORVIRT_CONNECTION_RBD) {
                r = storvirt__error_set(-EOPNOTSUPP, "connection %s: VDSM has no form for rbd "
                                                     "connections", conn->def->id);
        } else if (r >= 0 && (flags & STORVIRT_CONNECTION_JSON_VDSM)) {
                r = storvirt__conn_gen_vdsm(g, conn->def);
        } else if (r >= 0) {
                storvirt__json_gen_begin_map(g);
                storvirt__conn_gen_own_fields(g, conn->def, true);
                storvirt__json_gen_key(g, "status");
                storvirt__conn_run_gen(g, &s);
                r = storvirt__json_gen_end_map(g);
        }
        if (r >= 0)
                r = storvirt__json_gen_finish(g, ret_json, NULL);
        storvirt__conn_run_clear(&s);
        return r;
}

/* Whether <kind>/<id>.json is there. */
static bool record_exists(storvirt_ctx *ctx, const char *kind, const char *id) {
        int fd = storvirt__records_dirfd(ctx, kind, false);
        char name[NAME_MAX + 1];
        bool found;

        if (fd < 0) {
                storvirt_error_clear();
                return false;
        }
        found = snprintf(name, sizeof(name), "%s.json", id) < (int)sizeof(name) &&
                faccessat(fd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
        close(fd);
        return found;
}

STORVIRT_EXPORT int storvirt_connection_undefine(storvirt_connection *conn, uint32_t flags) {
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT, slock = STORVIRT__LOCK_INIT;
        _cleanup_free_ char *vdisk = NULL;
        const char *id;
        struct storvirt__conn_run s = {};
        int r;

        check_nonnull(conn);
        check_flags(flags, STORVIRT_CONNECTION_FORCE);
        id = conn->def->id;
        if (!(flags & STORVIRT_CONNECTION_FORCE)) {
                r = storvirt__conn_run_load(conn->ctx, id, false, &s);
                if (r >= 0 && (s.connected || s.holders))
                        r = storvirt__error_set(-EBUSY, "connection '%s' is connected (%zu holder(s)); "
                                                        "disconnect it first or force", id,
                                                storvirt__strv_length(s.holders));
                storvirt__conn_run_clear(&s);
                if (r < 0)
                        return r;
                r = needed_by_vdisk(conn->ctx, id, &vdisk);
                if (r > 0)
                        return storvirt__error_set(-EBUSY, "connection '%s' is needed by vDisk %s; "
                                                           "force to undefine it anyway", id, vdisk);
                if (r < 0)
                        return r;
        }
        r = storvirt__conn_store_lock(conn->ctx, &lock, &slock);
        if (r < 0)
                return r;
        if (!record_exists(conn->ctx, KIND_DEF, id) && !record_exists(conn->ctx, KIND_SECRET, id))
                return storvirt__error_set(-ENOENT, "no connection '%s'", id);
        /* the definition and its secret go together */
        r = storvirt__conn_store_commit(conn->ctx, &(struct storvirt__conn_change){ .id = id }, 1);
        if (r >= 0) {
                int k = storvirt__record_remove(conn->ctx, KIND_RUN, id);

                if (k == -ENOENT)
                        storvirt_error_clear();
        }
        return r;
}

STORVIRT_EXPORT int storvirt_connection_connect(storvirt_connection *conn, const char *holder,
                                                int timeout_ms, uint32_t flags) {
        check_nonnull(conn);
        check_arg(timeout_ms >= 0, "timeout_ms", "must not be negative");
        check_flags(flags, 0);
        if (holder && (!*holder || strlen(holder) > 512))
                return storvirt__error_set(-EINVAL, "argument 'holder' must be 1-512 characters");
        return storvirt__connection_acquire(conn->ctx, conn->def->id, holder ? holder : ADMIN_HOLDER,
                                            timeout_ms);
}

STORVIRT_EXPORT int storvirt_connection_disconnect(storvirt_connection *conn, const char *holder,
                                                   uint32_t flags) {
        check_nonnull(conn);
        check_flags(flags, STORVIRT_CONNECTION_FORCE);
        return storvirt__connection_release(conn->ctx, conn->def->id,
                                            holder ? holder : ADMIN_HOLDER,
                                            flags & STORVIRT_CONNECTION_FORCE);
}

static int luns_json(const struct storvirt__iscsi_lun *l, size_t n, char **ret, bool pretty) {
        _cleanup_json_gen_ storvirt__json_gen *g = NULL;
        int r = storvirt__json_gen_new(pretty, &g);

        if (r < 0)
                return r;
        storvirt__json_gen_begin_array(g);
        for (size_t i = 0; i < n; i++) {
                storvirt__json_gen_begin_map(g);
                storvirt__json_gen_key_uint64(g, "lun", l[i].lun);
                if (l[i].guid[0])
                        storvirt__json_gen_key_string(g, "guid", l[i].guid);
                else
                        storvirt__json_gen_key_null(g, "guid");
                storvirt__json_gen_key_string(g, "vendor", l[i].vendor);
                storvirt__json_gen_key_string(g, "product", l[i].product);
                storvirt__json_gen_key_string(g, "revision", l[i].revision);
                if (l[i].serial)
                        storvirt__json_gen_key_string(g, "serial", l[i].serial);
                storvirt__json_gen_key_uint64(g, "capacity", l[i].size_bytes);
                storvirt__json_gen_key_uint64(g, "blockSize", l[i].block_size);
                storvirt__json_gen_end_map(g);
        }
        storvirt__json_gen_end_array(g);
        return storvirt__json_gen_finish(g, ret, NULL);
}

STORVIRT_EXPORT int storvirt_connection_list_luns(storvirt_connection *conn, int timeout_ms,
                                                  char **ret_json, uint32_t flags) {
        struct storvirt__iscsi_lun *luns = NULL;
        size_t n = 0;
        int r;

        check_nonnull(conn);
        check_nonnull(ret_json);
        check_arg(timeout_ms >= 0, "timeout_ms", "must not be negative");
        check_flags(flags, STORVIRT_CONNECTION_JSON_PRETTY);
        if (conn->def->invalid)
                return storvirt__error_set(-EINVAL, "connection record '%s' is not valid: %s",
                                           conn->def->id, conn->def->invalid);
        if (conn->def->type != STORVIRT_CONNECTION_ISCSI)
                return storvirt__error_set(-EOPNOTSUPP, "connection %s is a %s connection: only "
                                                        "iSCSI connections list LUNs",
                                           conn->def->id, storvirt__conn_type_name(conn->def->type));
        r = storvirt__connection_iscsi_scan(conn->ctx, conn->def->id, timeout_ms, &luns, &n);
        if (r >= 0)
                r = luns_json(luns, n, ret_json, flags & STORVIRT_CONNECTION_JSON_PRETTY);
        storvirt__iscsi_luns_free(luns, n);
        return r;
}

/* A handle whose connection can have a secret: a valid iSCSI (CHAP) or rbd (cephx) one. */
static int check_iscsi(storvirt_connection *conn) {
        if (conn->def->invalid)
                return storvirt__error_set(-EINVAL, "connection record '%s' is not valid: %s",
                                           conn->def->id, conn->def->invalid);
        if (conn->def->type != STORVIRT_CONNECTION_ISCSI &&
            conn->def->type != STORVIRT_CONNECTION_RBD)
                return storvirt__error_set(-EINVAL, "connection %s is a %s connection: only iSCSI "
                                                    "connections have a CHAP secret, rbd "
                                                    "connections a cephx key",
                                           conn->def->id, storvirt__conn_type_name(conn->def->type));
        return 0;
}

STORVIRT_EXPORT int storvirt_connection_get_secret_xml(storvirt_connection *conn, char **ret_xml,
                                                       uint32_t flags) {
        _cleanup_free_ char *usage = NULL, *description = NULL;
        int r;

        check_nonnull(conn);
        check_nonnull(ret_xml);
        check_flags(flags, 0);
        r = check_iscsi(conn);
        if (r >= 0)
                r = storvirt__conn_secret_describe(conn->ctx, conn->def->id, &description);
        if (r >= 0)
                r = storvirt__conn_secret_usage_of(conn->def, &usage);
        if (r >= 0)
                r = storvirt__conn_secret_xml_typed(usage, NULL, description,
                                                    conn->def->type == STORVIRT_CONNECTION_RBD,
                                                    ret_xml);
        return r;
}

STORVIRT_EXPORT int storvirt_connection_write_secret(storvirt_connection *conn, int fd,
                                                     uint32_t flags) {
        int r;

        check_nonnull(conn);
        check_arg(fd >= 0, "fd", "must be an open file descriptor");
        check_flags(flags, 0);
        r = check_iscsi(conn);
        return r < 0 ? r : storvirt__conn_write_secret(conn->ctx, conn->def->id, fd);
}

/* The targets discovery found, as our JSON or VDSM's strings. */
static int targets_json(const struct storvirt__iscsi_target *t, size_t n, bool vdsm, char **ret) {
        _cleanup_json_gen_ storvirt__json_gen *g = NULL;
        int r = storvirt__json_gen_new(true, &g);

        if (r >= 0)
                r = storvirt__json_gen_begin_array(g);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                if (vdsm) {
                        /* VDSM's "host:port,tpgt iqn", one per portal */
                        for (size_t k = 0; r >= 0 && k < t[i].n_portals; k++) {
                                char *line = NULL;

                                if (asprintf(&line, "%s,%d %s", t[i].portals[k].address,
                                             t[i].portals[k].tpgt, t[i].iqn) < 0)
                                        r = storvirt__error_oom();
                                else
                                        r = storvirt__json_gen_string(g, line);
                                free(line);
                        }
                        continue;
                }
                storvirt__json_gen_begin_map(g);
                storvirt__json_gen_key_string(g, "target", t[i].iqn);
                storvirt__json_gen_key_begin_array(g, "portals");
                for (size_t k = 0; k < t[i].n_portals; k++) {
                        storvirt__json_gen_begin_map(g);
                        storvirt__json_gen_key_string(g, "address", t[i].portals[k].address);
                        storvirt__json_gen_key_int64(g, "tpgt", t[i].portals[k].tpgt);
                        storvirt__json_gen_end_map(g);
                }
                storvirt__json_gen_end_array(g);
                r = storvirt__json_gen_end_map(g);
        }
        if (r >= 0)
                r = storvirt__json_gen_end_array(g);
        if (r >= 0)
                r = storvirt__json_gen_finish(g, ret, NULL);
        return r;
}

STORVIRT_EXPORT int storvirt_iscsi_discover(storvirt_ctx *ctx, const char *params_json,
                                            int timeout_ms, char **ret_json, uint32_t flags) {
        _cleanup_json_ yajl_val v = NULL;
        _cleanup_def_ conn_def *d = NULL;
        struct storvirt__conn_discovery q;
        struct storvirt__iscsi_target *t = NULL;
        struct storvirt__iscsi_params p;
        char portal[STORVIRT__CONN_PORTAL_SIZE];
        size_t n = 0;
        int r;

        check_nonnull(ctx);
        check_nonnull(params_json);
        check_nonnull(ret_json);
        check_arg(timeout_ms >= 0, "timeout_ms", "must not be negative");
        check_flags(flags, STORVIRT_ISCSI_DISCOVER_VDSM);
        if (timeout_ms == 0)
                timeout_ms = DEFAULT_TIMEOUT_MS;
        r = storvirt__json_parse(params_json, strlen(params_json), 65536, &v, "discovery");
        if (r >= 0)
                r = storvirt__conn_parse_discovery(v, &q);
        if (r < 0)
                return r;
        d = q.def;
        if (q.stored_id) {
                r = storvirt__conn_load_def(ctx, q.stored_id, true, &d);
                if (r == -ENOENT)
                        return storvirt__error_set(r, "discovery: %s (VDSM's form gives a host "
                                                      "with its 'port')", storvirt_error_message());
                if (r < 0)
                        return r;
                if (d->type != STORVIRT_CONNECTION_ISCSI)
                        return storvirt__error_set(-EINVAL, "discovery: connection %s is not iscsi",
                                                   q.stored_id);
        }
        r = storvirt__conn_iscsi_params(d, timeout_ms, portal, sizeof(portal), &p);
        if (r >= 0)
                r = storvirt__iscsi_discover(&p, &t, &n);
        if (r < 0)
                return storvirt__conn_scrub_error(d, r);
        /* VDSM lists IPv6 portals only when asked */
        if (q.vdsm && !q.ipv6)
                storvirt__conn_discovery_drop_ipv6(t, &n);
        r = targets_json(t, n, flags & STORVIRT_ISCSI_DISCOVER_VDSM, ret_json);
        storvirt__iscsi_targets_free(t, n);
        return r;
}

