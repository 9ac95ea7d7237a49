/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * backend.c - validation, naming and lookup of backend ops tables.  The
 * per-context table of registered backends lives in ctx.c; this file
 * knows the slots and the pool types.
 */
#include <string.h>

#include "backends/backends.h"
#include "core/backend.h"
#include "core/ctx.h"
#include "util/macro.h"

/* Backends compiled into the library; later pool types add entries. */
const storvirt__backend_ops *const storvirt__builtin_backends[] = {
        &storvirt__backend_dir,
        &storvirt__backend_fs,
        &storvirt__backend_netfs,
        &storvirt__backend_iscsi_direct,
        &storvirt__backend_logical,
        &storvirt__backend_scsi,
        &storvirt__backend_iscsi,
#if HAVE_DEVMAPPER
        &storvirt__backend_mpath,
#endif
#if HAVE_FDISK
        &storvirt__backend_disk,
#endif
        NULL,
};

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

int storvirt__backend_unsupported(const storvirt__backend_ops *ops, const char *op) {
        return storvirt__error_set(-EOPNOTSUPP,
                                   "pool type '%s' does not support operation '%s'",
                                   ops->type, op);
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

int storvirt__backend_register(storvirt_ctx *ctx, const storvirt__backend_ops *ops) {
        int r;

        if (!ops)
                return storvirt__error_set(-EINVAL, "backend ops table is NULL");
        r = backend_validate(ops);
        if (r < 0)
                return r;
        return storvirt__ctx_add_backend(ctx, ops);
}

int storvirt__backend_get(storvirt_ctx *ctx, const char *type,
                          const storvirt__backend_ops **ret) {
        const storvirt__backend_ops *ops = storvirt__ctx_find_backend(ctx, type);

        if (ops) {
                *ret = ops;
                return 0;
        }
        if (storvirt__pool_type_known(type))
                return storvirt__error_set(-EOPNOTSUPP,
                        "pool type '%s' is not built into this library", type);
        return storvirt__error_set(-ENOENT, "unknown pool type '%s'", type);
}
