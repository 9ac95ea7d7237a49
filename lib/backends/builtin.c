/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * builtin.c - the backends compiled into the library, and what every
 * backend shares: the refusal of an operation a table leaves out.
 */
#include "backends/backends.h"
#include "util/error.h"

/* Later pool types add entries. */
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
#if HAVE_RBD
        &storvirt__backend_rbd,
#endif
#if HAVE_GLUSTER
        &storvirt__backend_gluster,
#endif
        NULL,
};

int storvirt__backend_unsupported(const storvirt__backend_ops *ops, const char *op) {
        return storvirt__error_set(-EOPNOTSUPP,
                                   "pool type '%s' does not support operation '%s'",
                                   ops->type, op);
}
