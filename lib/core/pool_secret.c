/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pool_secret.c - the libvirt secret an iscsi or iscsi-direct pool's
 * <auth> names, and its value: the CHAP password of the stored
 * connection the <auth> resolves to (objects/connection_secret.h); for
 * an rbd pool, the secret of usage type ceph its <auth type='ceph'>
 * names in the library's secret store, and the cephx key it holds as
 * libvirt holds it (the key's bytes, not its base64 text).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <storvirt.h>

#include "conf/secret_conf.h"
#include "core/pool.h"
#include "objects/connection_secret.h"
#include "objects/secret.h"
#include "util/base64.h"
#include "util/error.h"
#include "util/macro.h"
#include "util/log.h"
#include "util/uuid.h"

/* The pool's secret reference and the connection holding its password (obj->lock held). */
struct pool_secret {
        bool has_uuid;
        storvirt__uuid uuid;
        char *usage;            /* when !has_uuid */
        char *id;               /* the connection */
};

static void pool_secret_clear(struct pool_secret *s) {
        free(s->usage);
        free(s->id);
}

/*
 * An rbd pool's <auth type='ceph'>: 1 with the UUID of the secret it
 * names, 0 when pool is not an rbd pool (obj->lock not held).
 */
static int rbd_secret(storvirt_pool *pool, char uuid[static STORVIRT__UUID_STRING_MAX]) {
        storvirt__pool_obj *obj = pool->obj;
        struct storvirt__pool_auth a = {};
        _cleanup_free_ char *usage = NULL;
        int r = 1;

        storvirt__mutex_lock(&obj->lock);
        if (strcmp(obj->def->type, "rbd") != 0)
                r = 0;
        else if (!obj->def->source.auth.type)
                r = storvirt__error_set(-EINVAL, "pool '%s' has no <auth>: its cluster needs no "
                                                 "secret", obj->def->name);
        else if (!(usage = strdup(obj->def->source.auth.secret_usage ?: "")))
                r = storvirt__error_oom();
        else
                a = obj->def->source.auth;
        storvirt__mutex_unlock(&obj->lock);
        if (r <= 0)
                return r;
        r = storvirt__secret_find_usage(pool->ctx, a.has_secret_uuid ? &a.secret_uuid : NULL,
                                        usage, STORVIRT__SECRET_USAGE_CEPH, uuid);
        if (r < 0)
                return storvirt__error_prefix("pool '%s': <auth><secret>",
                                              storvirt_pool_get_name(pool));
        return 1;
}

/* The cephx key of secret uuid as libvirt holds it: the bytes its base64 text stands for. */
static int rbd_write_key(storvirt_pool *pool, const char *uuid, int fd) {
        uint8_t *value = NULL, *raw = NULL;
        size_t n = 0, len, nraw = 0, done = 0;
        int r = storvirt__secret_value(pool->ctx, uuid, &value, &n);

        if (r < 0)
                return r;
        len = n > 0 && value[n - 1] == '\n' ? n - 1 : n;
        if (storvirt__base64_decode((const char *)value, len, &raw, &nraw) < 0) {
                raw = value;            /* the key's bytes already */
                nraw = n;
                value = NULL;
        }
        while (r >= 0 && done < nraw) {
                ssize_t k = write(fd, raw + done, nraw - done);

                if (k < 0 && errno != EINTR)
                        r = storvirt__error_set(-errno, "cannot write the value of secret %s: %m",
                                                uuid);
                else if (k > 0)
                        done += (size_t)k;
        }
        if (value)
                explicit_bzero(value, n);
        explicit_bzero(raw, nraw);
        free(value);
        free(raw);
        return r;
}

/*
 * An rbd pool whose cephx key a stored rbd connection holds (the one its
 * <auth> names, else, when the secret store has no such secret, the one
 * with its monitors and user): 1 with the connection's id and a copy of
 * the <auth>'s secret reference, 0 otherwise.
 */
static int rbd_connection(storvirt_pool *pool, struct pool_secret *ret) {
        storvirt__pool_obj *obj = pool->obj;
        const struct storvirt__pool_auth *a;
        char uuid[STORVIRT__UUID_STRING_MAX];
        int r = 0;

        storvirt__mutex_lock(&obj->lock);
        a = &obj->def->source.auth;
        if (strcmp(obj->def->type, "rbd") == 0 && a->type && strcmp(a->type, "ceph") == 0) {
                r = storvirt__conn_for_rbd_auth(pool->ctx, obj->def, false, NULL, &ret->id);
                if (r == 0 && storvirt__secret_find_usage(pool->ctx, a->has_secret_uuid
                                                                      ? &a->secret_uuid : NULL,
                                                          a->secret_usage,
                                                          STORVIRT__SECRET_USAGE_CEPH, uuid) == -ENOENT) {
                        storvirt_error_clear();
                        r = storvirt__conn_for_rbd_auth(pool->ctx, obj->def, true, NULL, &ret->id);
                }
                storvirt_error_clear();
                ret->has_uuid = a->has_secret_uuid;
                ret->uuid = a->secret_uuid;
                if (r > 0 && !a->has_secret_uuid && !(ret->usage = strdup(a->secret_usage ?: "")))
                        r = storvirt__error_oom();
        }
        storvirt__mutex_unlock(&obj->lock);
        return r;
}

static int pool_secret_get(storvirt_pool *pool, struct pool_secret *ret) {
        storvirt__pool_obj *obj = pool->obj;
        const storvirt__pool_def *def;
        int r;

        storvirt__mutex_lock(&obj->lock);
        def = obj->def;
        if (strcmp(def->type, "iscsi") != 0 && strcmp(def->type, "iscsi-direct") != 0)
                r = storvirt__error_set(-EINVAL, "pool '%s' is a %s pool: only iscsi and "
                                                 "iscsi-direct pools have a CHAP secret, rbd "
                                                 "pools a cephx key",
                                        def->name, def->type);
        else if (!def->source.auth.type)
                r = storvirt__error_set(-EINVAL, "pool '%s' has no <auth>: its target needs no "
                                                 "secret", def->name);
        else
                r = storvirt__conn_for_pool_auth(pool->ctx, def, &ret->id);
        if (r >= 0) {
                ret->has_uuid = def->source.auth.has_secret_uuid;
                ret->uuid = def->source.auth.secret_uuid;
                if (!ret->has_uuid && !(ret->usage = strdup(def->source.auth.secret_usage ?: "")))
                        r = storvirt__error_oom();
        }
        storvirt__mutex_unlock(&obj->lock);
        return r < 0 ? r : 0;
}

STORVIRT_EXPORT int storvirt_pool_get_secret_xml(storvirt_pool *pool, char **ret_xml,
                                                 uint32_t flags) {
        _cleanup_free_ char *own = NULL, *description = NULL;
        struct pool_secret s = {};
        storvirt__uuid own_uuid;
        int r;

        check_nonnull(pool);
        check_arg(pool->obj != NULL, "pool", "not a pool handle");
        check_nonnull(ret_xml);
        check_flags(flags, 0);
        r = rbd_connection(pool, &s);
        if (r > 0) {
                r = storvirt__conn_secret_describe(pool->ctx, s.id, &description);
                if (r >= 0)
                        r = storvirt__conn_secret_xml_typed(s.has_uuid ? NULL : s.usage,
                                                            s.has_uuid ? &s.uuid : NULL,
                                                            description, true, ret_xml);
                pool_secret_clear(&s);
                return r;
        }
        pool_secret_clear(&s);
        s = (struct pool_secret){};
        {
                char uuid[STORVIRT__UUID_STRING_MAX];

                r = rbd_secret(pool, uuid);
                if (r != 0)
                        return r < 0 ? r : storvirt_secret_get_xml(pool->ctx, uuid, ret_xml, 0);
        }
        r = pool_secret_get(pool, &s);
        if (r >= 0)
                r = storvirt__conn_secret_describe(pool->ctx, s.id, &description);
        if (r >= 0)
                r = storvirt__conn_secret_usage(s.id, &own);
        if (r >= 0)
                r = storvirt__conn_secret_uuid(own, &own_uuid);
        if (r < 0)
                goto out;
        if (s.has_uuid && storvirt__uuid_compare(&s.uuid, &own_uuid) != 0) {
                /* a secret of the pool's UUID: no usage id, which the connection's own has */
                r = storvirt__conn_secret_xml(NULL, &s.uuid, description, ret_xml);
        } else if (!s.has_uuid && strcmp(s.usage, own) != 0) {
                r = storvirt__conn_secret_xml(s.usage, NULL, description, ret_xml);
        } else {
                r = storvirt__conn_secret_xml(own, NULL, description, ret_xml);
        }
out:
        pool_secret_clear(&s);
        return r;
}

STORVIRT_EXPORT int storvirt_pool_write_secret(storvirt_pool *pool, int fd, uint32_t flags) {
        struct pool_secret s = {};
        int r;

        check_nonnull(pool);
        check_arg(pool->obj != NULL, "pool", "not a pool handle");
        check_arg(fd >= 0, "fd", "must be an open file descriptor");
        check_flags(flags, 0);
        r = rbd_connection(pool, &s);
        if (r != 0) {
                if (r > 0)
                        r = storvirt__conn_write_secret(pool->ctx, s.id, fd);
                pool_secret_clear(&s);
                return r;
        }
        pool_secret_clear(&s);
        s = (struct pool_secret){};
        {
                char uuid[STORVIRT__UUID_STRING_MAX];

                r = rbd_secret(pool, uuid);
                if (r != 0)
                        return r < 0 ? r : rbd_write_key(pool, uuid, fd);
        }
        r = pool_secret_get(pool, &s);
        if (r >= 0)
                r = storvirt__conn_write_secret(pool->ctx, s.id, fd);
        pool_secret_clear(&s);
        return r;
}
