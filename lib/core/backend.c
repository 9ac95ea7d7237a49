/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * backend.c - the backends of a context: validation, naming and lookup of
 * backend ops tables, kept per context in its backends slot (a map from
 * pool type to table), with the built-in ones registered on first use.
 */
#include <string.h>

#include "backends/backends.h"
#include "core/backend.h"
#include "objects/ctx.h"
#include "util/hashmap.h"
#include "util/macro.h"
#include "util/strv.h"

/* Every pool type of libvirt's storagepool schema. */
static const char *const known_pool_types[] = {
        "dir", "fs", "netfs", "logical", "disk", "iscsi", "iscsi-direct",
        "scsi", "mpath", "rbd", "sheepdog", "gluster", "zfs", "vstorage",
};

#define SLOT(name) { #name, offsetof(storvirt__backend_ops, name) }
static const struct {
        const char *name;
        size_t offset;
} slots[] = {
        SLOT(find_sources),   SLOT(check_pool),        SLOT(start_pool),
        SLOT(build_pool),     SLOT(refresh_pool),      SLOT(stop_pool),
        SLOT(delete_pool),    SLOT(create_volume),     SLOT(build_volume),
        SLOT(build_volume_from), SLOT(refresh_volume), SLOT(delete_volume),
        SLOT(resize_volume),  SLOT(upload_volume),     SLOT(download_volume),
        SLOT(wipe_volume),
};
#undef SLOT

bool storvirt__pool_type_known(const char *type) {
        for (size_t i = 0; i < ELEMENTSOF(known_pool_types); i++)
                if (strcmp(type, known_pool_types[i]) == 0)
                        return true;
        return false;
}

int storvirt__backend_has_op(const storvirt__backend_ops *ops, const char *op) {
        for (size_t i = 0; i < ELEMENTSOF(slots); i++) {
                void *const *slot;

                if (strcmp(op, slots[i].name) != 0)
                        continue;
                slot = (void *const *)((const char *)ops + slots[i].offset);
                return *slot != NULL;
        }
        return storvirt__error_set(-EINVAL, "unknown backend operation '%s'", op);
}

static int backend_validate(const storvirt__backend_ops *ops) {
        if (ops->abi != STORVIRT__BACKEND_ABI)
                return storvirt__error_set(-EINVAL,
                        "backend '%s': ops table ABI %u, this library expects %u",
                        ops->type ? ops->type : "(unnamed)", ops->abi,
                        STORVIRT__BACKEND_ABI);
        if (!ops->type || !*ops->type)
                return storvirt__error_set(-EINVAL, "backend ops table without a pool type name");
        if (!ops->refresh_pool)
                return storvirt__error_set(-EINVAL,
                        "backend '%s': refresh_pool is mandatory", ops->type);
        return 0;
}

static int table_put(storvirt__hashmap *m, const storvirt__backend_ops *ops) {
        int r = backend_validate(ops);

        if (r < 0)
                return r;
        r = storvirt__hashmap_put(m, ops->type, (void *)ops);
        if (r == -EEXIST)
                return storvirt__error_set(-EEXIST,
                        "a backend for pool type '%s' is already registered", ops->type);
        return r;
}

static void table_free(void *m) {
        storvirt__hashmap_free(m);
}

/* The context's table, with the built-in backends (runs under the context's lock). */
static int table_new(void **ret) {
        storvirt__hashmap *m = NULL;
        int r = storvirt__hashmap_new(&m, NULL);

        for (size_t i = 0; r >= 0 && storvirt__builtin_backends[i]; i++)
                r = table_put(m, storvirt__builtin_backends[i]);
        if (r < 0) {
                storvirt__hashmap_free(m);
                return r;
        }
        *ret = m;
        return 0;
}

static int table_of(storvirt_ctx *ctx, storvirt__hashmap **ret) {
        return storvirt__ctx_slot_ensure(ctx, STORVIRT__CTX_SLOT_BACKENDS, table_new, table_free,
                                         (void **)ret);
}

int storvirt__backend_register(storvirt_ctx *ctx, const storvirt__backend_ops *ops) {
        storvirt__hashmap *m;
        int r;

        if (!ops)
                return storvirt__error_set(-EINVAL, "backend ops table is NULL");
        r = table_of(ctx, &m);
        if (r < 0)
                return r;
        storvirt__ctx_lock(ctx);
        r = table_put(m, ops);
        storvirt__ctx_unlock(ctx);
        return r;
}

int storvirt__backend_get(storvirt_ctx *ctx, const char *type,
                          const storvirt__backend_ops **ret) {
        const storvirt__backend_ops *ops;
        storvirt__hashmap *m;
        int r = table_of(ctx, &m);

        if (r < 0)
                return r;
        storvirt__ctx_lock(ctx);
        ops = storvirt__hashmap_get(m, type);
        storvirt__ctx_unlock(ctx);
        if (ops) {
                *ret = ops;
                return 0;
        }
        if (storvirt__pool_type_known(type))
                return storvirt__error_set(-EOPNOTSUPP,
                        "pool type '%s' is not built into this library", type);
        return storvirt__error_set(-ENOENT, "unknown pool type '%s'", type);
}

STORVIRT_EXPORT int storvirt_ctx_list_pool_types(storvirt_ctx *ctx, char ***ret_types,
                                                 size_t *ret_n, uint32_t flags) {
        storvirt__hashmap *m;
        char **keys = NULL;
        int r;

        check_nonnull(ctx);
        check_nonnull(ret_types);
        check_flags(flags, 0);
        r = table_of(ctx, &m);
        if (r < 0)
                return r;
        storvirt__ctx_lock(ctx);
        r = storvirt__hashmap_keys(m, &keys);
        storvirt__ctx_unlock(ctx);
        if (r < 0)
                return r;
        if (ret_n)
                *ret_n = storvirt__strv_length(keys);
        *ret_types = keys;
        return 0;
}

STORVIRT_EXPORT int storvirt_ctx_pool_type_supports(storvirt_ctx *ctx, const char *type,
                                                    const char *op) {
        const storvirt__backend_ops *ops;
        int r;

        check_nonnull(ctx);
        check_nonnull(type);
        check_nonnull(op);
        r = storvirt__backend_get(ctx, type, &ops);
        if (r == -EOPNOTSUPP)
                return storvirt__error_set(-ENOENT, "pool type '%s' is not built into this library", type);
        if (r < 0)
                return r;
        return storvirt__backend_has_op(ops, op);
}
