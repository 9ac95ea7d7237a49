/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vdisk_lease.c - a vDisk's sanlock lease for a process, and who holds
 * it (storvirt/lease.h); the leases themselves are lib/lease.
 */
#include <errno.h>
#include <stdlib.h>

#include <storvirt.h>

#include "lease/lease.h"
#include "vdisk/vdisk_int.h"
#include "util/error.h"
#include "util/macro.h"

STORVIRT_EXPORT int storvirt_vdisk_lease_acquire(storvirt_vdisk *vdisk, int pid, uint32_t flags) {
        _cleanup_vrec_ vrec *v = NULL;
        int r;

        check_nonnull(vdisk);
        check_arg(pid >= 0, "pid", "must not be negative");
        check_flags(flags, 0);
        r = storvirt__vdisk_load(vdisk->ctx, vdisk->id, false, &v);
        return r < 0 ? r : storvirt__lease_acquire(vdisk->ctx, v, pid);
}

STORVIRT_EXPORT int storvirt_vdisk_lease_release(storvirt_vdisk *vdisk, int pid, uint32_t flags) {
        _cleanup_vrec_ vrec *v = NULL;
        int r;

        check_nonnull(vdisk);
        check_arg(pid >= 0, "pid", "must not be negative");
        check_flags(flags, 0);
        r = storvirt__vdisk_load(vdisk->ctx, vdisk->id, false, &v);
        return r < 0 ? r : storvirt__lease_release(vdisk->ctx, v, pid);
}

STORVIRT_EXPORT int storvirt_vdisk_lease_status(storvirt_vdisk *vdisk, char **ret_json,
                                                uint32_t flags) {
        _cleanup_vrec_ vrec *v = NULL;
        int r;

        check_nonnull(vdisk);
        check_nonnull(ret_json);
        check_flags(flags, STORVIRT_VDISK_LEASE_STATUS_PRETTY);
        r = storvirt__vdisk_load(vdisk->ctx, vdisk->id, false, &v);
        return r < 0 ? r : storvirt__lease_status(vdisk->ctx, v,
                                                  flags & STORVIRT_VDISK_LEASE_STATUS_PRETTY, ret_json);
}

struct assign {
        const char *lockspace;
        int assigned;
};

static int assign_fn(storvirt_ctx *ctx, vrec *v, void *userdata) {
        struct assign *a = userdata;
        int r = storvirt__lease_assign_named(ctx, a->lockspace, v);

        if (r < 0)
                return r;
        a->assigned = r;
        return r;       /* 1: the record has its slot now, save it */
}

STORVIRT_EXPORT int storvirt_vdisk_lease_assign(storvirt_vdisk *vdisk, const char *lockspace,
                                                uint32_t flags) {
        struct assign a = { .lockspace = lockspace };
        int r;

        check_nonnull(vdisk);
        check_nonnull(lockspace);
        check_flags(flags, 0);
        r = storvirt__vdisk_change(vdisk->ctx, vdisk->id, assign_fn, &a);
        return r < 0 ? r : a.assigned;
}
