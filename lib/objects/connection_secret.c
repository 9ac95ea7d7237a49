/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * connection_secret.c - the libvirt secret of a stored iSCSI connection
 * (its usage id, UUID, XML and value) and the connection a pool's <auth>
 * names (objects/connection_secret.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <storvirt.h>

#include "objects/connection_secret.h"
#include "conf/connection_def.h"
#include "conf/secret_conf.h"
#include "objects/connection_run.h"
#include "objects/connection_store.h"
#include "objects/records.h"
#include "util/base64.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/macro.h"
#include "util/strv.h"

#define PREFIX STORVIRT__CONN_SECRET_PREFIX
#define ISCSI_PORT STORVIRT__CONN_ISCSI_PORT

int storvirt__conn_secret_usage(const char *id, char **ret) {
        check_nonnull(id);
        if (asprintf(ret, PREFIX "%s", id) < 0)
                return storvirt__error_oom();
        return 0;
}

int storvirt__conn_secret_uuid(const char *usage, storvirt__uuid *ret) {
        _cleanup_free_ char *name = NULL;

        if (asprintf(&name, "libvirt-secret:%s", usage) < 0)
                return storvirt__error_oom();
        return storvirt__uuid_generate_v5(&STORVIRT__UUID_NS, name, ret);
}

int storvirt__conn_secret_usage_of(const conn_def *d, char **ret) {
        check_nonnull(d);
        if (d->type != STORVIRT_CONNECTION_RBD)
                return storvirt__conn_secret_usage(d->id, ret);
        if (asprintf(ret, STORVIRT__CONN_CEPH_SECRET_PREFIX "%s", d->id) < 0)
                return storvirt__error_oom();
        return 0;
}

/*
 * What a stored connection must match: its type (0: iSCSI), and its
 * secret's UUID or usage id, or portal, target, user (iSCSI), or
 * monitors and user (rbd).
 */
struct match {
        int type;
        const storvirt__uuid *uuid;
        const char *usage;
        const char *host, *target, *user;
        unsigned port;
        const char *monitors;
        const char *gl_host, *gl_volume;
};

/* A glusterfs connection's spec ("server:/volume[/dir]" or "server:volume") names host and volume. */
static bool gluster_spec_is(const char *spec, const char *host, const char *volume) {
        const char *colon = spec[0] == '[' ? strstr(spec, "]:") : strchr(spec, ':');
        size_t hl, vl;
        const char *v;

        if (!colon)
                return false;
        if (spec[0] == '[') {
                hl = (size_t)(colon - spec - 1);
                spec++;
                colon++;
        } else {
                hl = (size_t)(colon - spec);
        }
        v = colon[1] == '/' ? colon + 2 : colon + 1;
        vl = strcspn(v, "/");
        return hl == strlen(host) && strncmp(spec, host, hl) == 0 && vl == strlen(volume) &&
               strncmp(v, volume, vl) == 0;
}

static int matches(const conn_def *d, const struct match *m) {
        _cleanup_free_ char *usage = NULL;
        storvirt__uuid u;
        int r;

        if (d->type != (m->type ? m->type : STORVIRT_CONNECTION_ISCSI))
                return 0;
        if (m->monitors)
                return strcmp(d->monitors, m->monitors) == 0 && strcmp(d->user, m->user) == 0;
        if (m->gl_host)
                return gluster_spec_is(d->spec, m->gl_host, m->gl_volume);
        if (m->host)
                return strcmp(d->host, m->host) == 0 && d->port == m->port &&
                       strcmp(d->target, m->target) == 0 && d->user && strcmp(d->user, m->user) == 0;
        if (!m->usage && !m->uuid)
                return 0;
        r = storvirt__conn_secret_usage_of(d, &usage);
        if (r < 0)
                return r;
        if (m->usage)
                return strcmp(usage, m->usage) == 0;
        r = storvirt__conn_secret_uuid(usage, &u);
        return r < 0 ? r : storvirt__uuid_compare(&u, m->uuid) == 0;
}

/* The first stored connection (by id) that matches: 1 with *ret_id, 0 when none. */
static int find(storvirt_ctx *ctx, const struct match *m, char **ret_id) {
        _cleanup_strv_free_ char **ids = NULL;
        int r;

        r = storvirt__conn_store_recover(ctx);
        if (r >= 0)
                r = storvirt__records_list(ctx, STORVIRT__CONN_KIND_DEF, &ids);
        if (r < 0)
                return r;
        for (char **id = ids; *id; id++) {
                conn_def *d = NULL;

                if (storvirt__conn_load_def_locked(ctx, *id, false, false, &d) < 0) {
                        storvirt_error_clear();         /* listed as invalid elsewhere */
                        continue;
                }
                r = matches(d, m);
                storvirt__conn_def_free(d);
                if (r < 0)
                        return r;
                if (r > 0) {
                        *ret_id = strdup(*id);
                        return *ret_id ? 1 : storvirt__error_oom();
                }
        }
        return 0;
}

int storvirt__conn_find_by_secret(storvirt_ctx *ctx, const storvirt__uuid *uuid,
                                  const char *usage, char **ret_id) {
        check_nonnull(ctx);
        check_nonnull(ret_id);
        if (!uuid && !usage)
                return storvirt__error_set(-EINVAL, "no secret UUID or usage to look up");
        return find(ctx, &(struct match){ .uuid = uuid, .usage = uuid ? NULL : usage }, ret_id);
}

/* "usage 'N'" or "UUID S" of a pool's <auth><secret>. */
static const char *secret_ref(const struct storvirt__pool_auth *a, char *buf, size_t size) {
        char uuid[STORVIRT__UUID_STRING_MAX];

        if (a->has_secret_uuid)
                snprintf(buf, size, "UUID %s", storvirt__uuid_format(&a->secret_uuid, uuid));
        else
                snprintf(buf, size, "usage '%.200s'", a->secret_usage ? a->secret_usage : "");
        return buf;
}

/* The connection the pool's <auth><secret> names: 1 with *ret_id, 0 when it names none. */
static int named_connection(storvirt_ctx *ctx, const storvirt__pool_def *def, char **ret_id) {
        const struct storvirt__pool_auth *a = &def->source.auth;
        const char *usage = a->secret_usage;
        int r;

        r = find(ctx, &(struct match){ .uuid = a->has_secret_uuid ? &a->secret_uuid : NULL,
                                       .usage = a->has_secret_uuid ? NULL : usage },
                 ret_id);
        if (r == 0 && !a->has_secret_uuid && usage && strncmp(usage, PREFIX, strlen(PREFIX)) == 0)
                return storvirt__error_set(-EACCES, "pool '%s': <auth><secret usage='%.200s'> names "
                                                    "the stored connection '%.128s', which is not "
                                                    "defined (or not iSCSI)",
                                           def->name, usage, usage + strlen(PREFIX));
        return r;
}

/* The connection id must reach the pool's portal and target as the pool's user. */
static int check_same(storvirt_ctx *ctx, const storvirt__pool_def *def, const char *id,
                      const char *host, unsigned port, const char *target) {
        struct storvirt__connection_iscsi_info info = {};
        const char *user = def->source.auth.username ? def->source.auth.username : "";
        char ref[256];
        int r;

        r = storvirt__connection_iscsi_info(ctx, id, &info);
        if (r < 0)
                return r;
        secret_ref(&def->source.auth, ref, sizeof(ref));
#define DIFFERS "pool '%s': the secret (%s) belongs to connection '%s', whose "
        if (strcmp(info.target, target) != 0)
                r = storvirt__error_set(-EACCES, DIFFERS "target is %s, not the pool's %s",
                                        def->name, ref, id, info.target, target);
        else if (strcmp(info.host, host) != 0 || info.port != port)
                r = storvirt__error_set(-EACCES, DIFFERS "portal is %s:%u, not the pool's %s:%u",
                                        def->name, ref, id, info.host, info.port, host, port);
        else if (!info.user || strcmp(info.user, user) != 0)
                r = storvirt__error_set(-EACCES, DIFFERS "CHAP user is '%s', not the pool's '%s'",
                                        def->name, ref, id, info.user ? info.user : "", user);
#undef DIFFERS
        storvirt__connection_iscsi_info_clear(&info);
        return r;
}

int storvirt__conn_for_pool_auth(storvirt_ctx *ctx, const storvirt__pool_def *def, char **ret_id) {
        const struct storvirt__pool_auth *a;
        _cleanup_free_ char *id = NULL;
        const char *host, *target;
        unsigned port;
        int r;

        check_nonnull(ctx);
        check_nonnull(def);
        check_nonnull(ret_id);
        a = &def->source.auth;
        if (!a->type)
                return 0;
        if (strcmp(a->type, "chap") != 0)
                return storvirt__error_set(-EINVAL, "pool '%s': an iSCSI pool takes CHAP "
                                                    "authentication, not '%s'", def->name, a->type);
        if (!a->username || !*a->username)
                return storvirt__error_set(-EINVAL, "pool '%s': <auth type='chap'> without a "
                                                    "username", def->name);
        if (!def->source.n_hosts || !def->source.hosts[0].name || !def->source.devices ||
            !def->source.devices[0])
                return storvirt__error_set(-EINVAL, "pool '%s': an iSCSI pool needs a source host "
                                                    "and a target (<device path=IQN/>)", def->name);
        host = def->source.hosts[0].name;
        port = def->source.hosts[0].port > 0 ? (unsigned)def->source.hosts[0].port : ISCSI_PORT;
        target = def->source.devices[0];
        r = named_connection(ctx, def, &id);
        if (r == 0)
                r = find(ctx, &(struct match){ .host = host, .port = port, .target = target,
                                               .user = a->username },
                         &id);
        if (r < 0)
                return r;
        if (r == 0) {
                char ref[256];

                return storvirt__error_set(-EACCES, "pool '%s': CHAP user '%s': no stored connection "
                                                    "holds its secret (%s): define a connection to %s "
                                                    "at %s:%u with that user and its password "
                                                    "(storvirt_connection_define()), and name its "
                                                    "secret in <auth> as usage '" PREFIX "ID'",
                                           def->name, a->username,
                                           secret_ref(a, ref, sizeof(ref)), target, host, port);
        }
        r = check_same(ctx, def, id, host, port, target);
        if (r < 0)
                return r;
        *ret_id = TAKE_PTR(id);
        return 1;
}

int storvirt__conn_secret_xml(const char *usage, const storvirt__uuid *uuid,
                              const char *description, char **ret_xml) {
        return storvirt__conn_secret_xml_typed(usage, uuid, description, false, ret_xml);
}

int storvirt__conn_secret_xml_typed(const char *usage, const storvirt__uuid *uuid,
                                    const char *description, bool ceph, char **ret_xml) {
        storvirt__secret_def def = {
                .has_uuid = true,
                .private_ = true,
                .description = (char *)description,
                .usage_type = !usage ? STORVIRT__SECRET_USAGE_NONE
                              : ceph ? STORVIRT__SECRET_USAGE_CEPH : STORVIRT__SECRET_USAGE_ISCSI,
                .usage_id = (char *)usage,
        };
        int r;

        check_arg(usage || uuid, "usage", "needed without a UUID");
        check_nonnull(ret_xml);
        if (uuid)
                def.uuid = *uuid;
        else if ((r = storvirt__conn_secret_uuid(usage, &def.uuid)) < 0)
                return r;
        return storvirt__secret_def_format(&def, ret_xml);
}

int storvirt__conn_secret_describe(storvirt_ctx *ctx, const char *id, char **ret) {
        struct storvirt__connection_iscsi_info info = {};
        int r;

        check_nonnull(ctx);
        check_nonnull(id);
        {
                _cleanup_def_ conn_def *d = NULL;

                r = storvirt__conn_load_def(ctx, id, false, &d);
                if (r < 0)
                        return r;
                if (d->type == STORVIRT_CONNECTION_RBD) {
                        if (asprintf(ret, "cephx key of libstorvirt connection %s (user %s, "
                                          "monitors %s)", id, d->user, d->monitors) < 0)
                                return storvirt__error_oom();
                        return 0;
                }
        }
        r = storvirt__connection_iscsi_info(ctx, id, &info);
        if (r >= 0 && !info.user)
                r = storvirt__error_set(-ENOENT, "connection '%s' has no CHAP user: its target "
                                                 "needs no secret", id);
        if (r >= 0 && asprintf(ret, "CHAP password of libstorvirt connection %s (user %s, target %s)",
                               id, info.user, info.target) < 0)
                r = storvirt__error_oom();
        storvirt__connection_iscsi_info_clear(&info);
        return r < 0 ? r : 0;
}

static int write_all(const char *id, const uint8_t *p, size_t len, int fd) {
        size_t off = 0;

        while (off < len) {
                ssize_t n = write(fd, p + off, len - off);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        int e = errno;

                        return storvirt__error_set(-e, "cannot write the secret of connection "
                                                       "'%s': %s", id, strerror(e));
                }
                off += (size_t)n;
        }
        return 0;
}

/* A cephx key as libvirt holds a ceph secret's value: the bytes its base64 text stands for. */
static int write_cephx_key(const char *id, const char *key, int fd) {
        uint8_t *raw = NULL;
        size_t n = 0;
        int r;

        if (!key)
                return storvirt__error_set(-ENOENT, "connection '%s' has no cephx key stored", id);
        r = storvirt__base64_decode(key, strlen(key), &raw, &n);
        if (r < 0)
                return storvirt__error_set(-EINVAL, "connection '%s': its stored cephx key is not "
                                                    "base64", id);
        r = write_all(id, raw, n, fd);
        explicit_bzero(raw, n);
        free(raw);
        return r;
}

/* The pool's <host>s in the canonical form of a connection's monitors ("a:1,[v6]:2,b"). */
static int pool_monitors(const storvirt__pool_def *def, char **ret) {
        struct storvirt__buf b = {};

        storvirt__buf_printf(&b, "%s", "");
        for (size_t i = 0; i < def->source.n_hosts; i++) {
                const struct storvirt__pool_host *h = &def->source.hosts[i];
                bool v6 = strchr(h->name, ':') != NULL;

                storvirt__buf_printf(&b, "%s%s%s%s", i ? "," : "", v6 ? "[" : "", h->name,
                                     v6 ? "]" : "");
                if (h->port > 0)
                        storvirt__buf_printf(&b, ":%d", h->port);
        }
        *ret = strdup(storvirt__buf_str(&b));
        storvirt__buf_free(&b);
        return *ret ? 0 : storvirt__error_oom();
}

int storvirt__conn_for_rbd_auth(storvirt_ctx *ctx, const storvirt__pool_def *def, bool by_hosts,
                                char **ret_key, char **ret_id) {
        const struct storvirt__pool_auth *a = &def->source.auth;
        _cleanup_free_ char *id = NULL, *mons = NULL;
        _cleanup_def_ conn_def *d = NULL;
        int r;

        check_nonnull(ctx);
        check_nonnull(def);
        if (!a->type || !a->username)
                return 0;
        r = 0;
        if (a->has_secret_uuid || a->secret_usage)
                r = find(ctx, &(struct match){ .type = STORVIRT_CONNECTION_RBD,
                                               .uuid = a->has_secret_uuid ? &a->secret_uuid : NULL,
                                               .usage = a->has_secret_uuid ? NULL
                                                                           : a->secret_usage },
                         &id);
        if (r == 0 && by_hosts) {
                r = pool_monitors(def, &mons);
                if (r >= 0)
                        r = find(ctx, &(struct match){ .type = STORVIRT_CONNECTION_RBD,
                                                       .monitors = mons, .user = a->username },
                                 &id);
        }
        if (r <= 0)
                return r;
        r = storvirt__conn_load_def(ctx, id, true, &d);
        if (r < 0)
                return r;
        if (strcmp(d->user, a->username) != 0)
                return storvirt__error_set(-EACCES, "pool '%s': the secret of <auth> belongs to "
                                                    "connection '%s', whose cephx user is '%s', not "
                                                    "the pool's '%s'", def->name, id, d->user,
                                           a->username);
        if (ret_key)
                *ret_key = TAKE_PTR(d->password);
        if (ret_id)
                *ret_id = TAKE_PTR(id);
        return 1;
}

int storvirt__conn_find_for_rbd(storvirt_ctx *ctx, const storvirt__disk_rbd *rb, char **ret_id) {
        struct storvirt__buf b = {};
        storvirt__uuid u;
        int r;

        check_nonnull(ctx);
        check_nonnull(rb);
        check_nonnull(ret_id);
        if (!rb->auth_username)
                return 0;
        if (rb->secret_uuid && storvirt__uuid_parse(rb->secret_uuid, &u) < 0)
                return storvirt__error_set(-EINVAL, "'%s' is not a UUID", rb->secret_uuid);
        r = 0;
        if (rb->secret_uuid || rb->secret_usage)
                r = find(ctx, &(struct match){ .type = STORVIRT_CONNECTION_RBD,
                                               .uuid = rb->secret_uuid ? &u : NULL,
                                               .usage = rb->secret_uuid ? NULL : rb->secret_usage },
                         ret_id);
        if (r != 0)
                return r;
        storvirt__buf_printf(&b, "%s", "");
        for (size_t i = 0; i < rb->n_hosts; i++) {
                bool v6 = strchr(rb->hosts[i], ':') != NULL;

                storvirt__buf_printf(&b, "%s%s%s%s", i ? "," : "", v6 ? "[" : "", rb->hosts[i],
                                     v6 ? "]" : "");
                if (rb->ports[i])
                        storvirt__buf_printf(&b, ":%u", rb->ports[i]);
        }
        r = find(ctx, &(struct match){ .type = STORVIRT_CONNECTION_RBD,
                                       .monitors = storvirt__buf_str(&b),
                                       .user = rb->auth_username },
                 ret_id);
        storvirt__buf_free(&b);
        return r;
}

int storvirt__conn_find_glusterfs(storvirt_ctx *ctx, const storvirt__disk_netfile *nf,
                                  char **ret_id) {
        _cleanup_free_ char *volume = NULL;

        check_nonnull(ctx);
        check_nonnull(nf);
        check_nonnull(ret_id);
        if (!nf->name || nf->n_hosts == 0)
                return 0;
        volume = strndup(nf->name, strcspn(nf->name, "/"));
        if (!volume)
                return storvirt__error_oom();
        return find(ctx, &(struct match){ .type = STORVIRT_CONNECTION_GLUSTERFS,
                                          .gl_host = nf->hosts[0].name, .gl_volume = volume },
                    ret_id);
}

int storvirt__conn_write_secret(storvirt_ctx *ctx, const char *id, int fd) {
        _cleanup_def_ conn_def *d = NULL;
        int r;

        check_nonnull(ctx);
        check_nonnull(id);
        r = storvirt__conn_load_def(ctx, id, true, &d);
        if (r < 0)
                return r;
        if (d->type == STORVIRT_CONNECTION_RBD)
                return write_cephx_key(id, d->password, fd);
        if (d->type != STORVIRT_CONNECTION_ISCSI)
                return storvirt__error_set(-EINVAL, "connection '%s' is a %s connection: only iSCSI "
                                                    "connections have a CHAP secret", id,
                                           storvirt__conn_type_name(d->type));
        if (!d->user || !d->password)
                return storvirt__error_set(-ENOENT, "connection '%s' has no CHAP user: its target "
                                                    "needs no secret", id);
        return write_all(id, (const uint8_t *)d->password, strlen(d->password), fd);
}
