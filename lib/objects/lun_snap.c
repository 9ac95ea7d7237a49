/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lun_snap.c - the LUNs of the host as one discovery pass saw them
 * (objects/lun_snap.h): the context's sys-ops table (libudev + sysfs,
 * then a usage probe per LUN, in parallel) gives an immutable snapshot
 * with four hash indexes; the context keeps the current one in its LUN
 * slot.  The public LUN handles (core/lun.c) and the backends of LUN
 * pools read it.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "objects/lun_snap.h"
#include "util/hashmap.h"
#include "util/log.h"
#include "util/macro.h"
#include "util/parallel.h"
#include "util/refcnt.h"
#include "util/strv.h"

static void snap_free(storvirt__lun_snap *snap) {
        storvirt__blk_scan_free(snap->scan);
        free(snap->usage);
        free(snap->order);
        storvirt__hashmap_free(snap->by_guid);
        storvirt__hashmap_free(snap->by_node);
        storvirt__hashmap_free(snap->by_devnum);
        storvirt__hashmap_free(snap->by_fs_uuid);
        free(snap);
}

storvirt__lun_snap *storvirt__lun_snap_ref(storvirt__lun_snap *snap) {
        if (snap)
                storvirt__refcnt_inc(&snap->n_ref);
        return snap;
}

void storvirt__lun_snap_unref(storvirt__lun_snap *snap) {
        if (snap && storvirt__refcnt_dec(&snap->n_ref))
                snap_free(snap);
}

static void *snap_ref(void *snap) {
        return storvirt__lun_snap_ref(snap);
}

static void snap_unref(void *snap) {
        storvirt__lun_snap_unref(snap);
}

storvirt__lun_snap *storvirt__ctx_lun_snap(storvirt_ctx *ctx) {
        return storvirt__ctx_slot_get(ctx, STORVIRT__CTX_SLOT_LUNS, snap_ref);
}

void storvirt__ctx_set_lun_snap(storvirt_ctx *ctx, storvirt__lun_snap *snap) {
        storvirt__ctx_slot_set(ctx, STORVIRT__CTX_SLOT_LUNS, storvirt__lun_snap_ref(snap),
                               snap_unref);
}

/* ---- discovery ------------------------------------------------------------------------------ */

struct probe_job {
        const storvirt__sysops *ops;
        struct storvirt__blk_scan *scan;
        struct storvirt__usage *usage;
};

static void probe_item(void *arg, size_t i) {
        struct probe_job *job = arg;
        const struct storvirt__blk_lun *l = &job->scan->luns[i];
        struct storvirt__usage *u = &job->usage[i];
        int r;

        if (!l->devnode) {
                u->status = STORVIRT__USAGE_UNKNOWN;
                snprintf(u->reason, sizeof(u->reason), "no device node");
                return;
        }
        r = job->ops->usage_probe(l->devnode, l->devnum, u);
        if (r < 0) {
                memset(u, 0, sizeof(*u));
                u->status = STORVIRT__USAGE_UNKNOWN;
                snprintf(u->reason, sizeof(u->reason), "%s",
                         storvirt_error_message() ? storvirt_error_message() : strerror(-r));
        }
        storvirt__error_reset();
}

int storvirt__lun_devnum_key(char *buf, size_t size, dev_t devnum) {
        return snprintf(buf, size, "%u:%u", major(devnum), minor(devnum));
}

static int index_put(storvirt__hashmap *m, const char *key, size_t idx) {
        int r;

        if (!key || !*key || storvirt__hashmap_contains(m, key))
                return 0; /* the first LUN to claim a key keeps it */
        r = storvirt__hashmap_put(m, key, (void *)(uintptr_t)(idx + 1));
        return r;
}

static int index_lun(storvirt__lun_snap *snap, size_t i) {
        const struct storvirt__blk_lun *l = &snap->scan->luns[i];
        const struct storvirt__usage *u = &snap->usage[i];
        char key[64];
        int r;

        r = index_put(snap->by_guid, l->guid, i);
        if (r >= 0)
                r = index_put(snap->by_node, l->devnode, i);
        if (r >= 0 && l->dm_name) {
                _cleanup_free_ char *mapper = NULL;
                if (asprintf(&mapper, "/dev/mapper/%s", l->dm_name) < 0)
                        return storvirt__error_oom();
                r = index_put(snap->by_node, mapper, i);
        }
        if (r >= 0 && l->devnum) {
                storvirt__lun_devnum_key(key, sizeof(key), l->devnum);
                r = index_put(snap->by_devnum, key, i);
        }
        for (size_t k = 0; r >= 0 && k < l->n_paths; k++) {
                r = index_put(snap->by_node, l->paths[k].devnode, i);
                if (r >= 0 && l->paths[k].devnum) {
                        storvirt__lun_devnum_key(key, sizeof(key), l->paths[k].devnum);
                        r = index_put(snap->by_devnum, key, i);
                }
        }
        if (r >= 0 && u->fs_uuid[0]) {
                if (storvirt__hashmap_contains(snap->by_fs_uuid, u->fs_uuid))
                        r = storvirt__hashmap_replace(snap->by_fs_uuid, u->fs_uuid, FS_UUID_DUP);
                else
                        r = index_put(snap->by_fs_uuid, u->fs_uuid, i);
        }
        return r;
}

static int order_cmp(const void *a, const void *b, void *arg) {
        const struct storvirt__blk_lun *luns = arg;
        const struct storvirt__blk_lun *x = &luns[*(const size_t *)a];
        const struct storvirt__blk_lun *y = &luns[*(const size_t *)b];

        if (!x->guid[0] != !y->guid[0])
                return x->guid[0] ? -1 : 1;
        if (x->guid[0]) {
                int c = strcmp(x->guid, y->guid);
                if (c)
                        return c;
        }
        return strcmp(x->name ? x->name : "", y->name ? y->name : "");
}

int storvirt__lun_snap_new(storvirt_ctx *ctx, storvirt__lun_snap **ret) {
        const storvirt__sysops *ops = storvirt__ctx_sysops(ctx);
        storvirt__lun_snap *snap;
        struct probe_job job;
        size_t n;
        int r;

        snap = calloc(1, sizeof(*snap));
        if (!snap)
                return storvirt__error_oom();
        STORVIRT__REFCNT_INIT(snap->n_ref);
        r = ops->blk_scan(&snap->scan);
        if (r < 0) {
                free(snap);
                return r;
        }
        n = snap->scan->n_luns;
        snap->usage = calloc(n + 1, sizeof(*snap->usage));
        snap->order = calloc(n + 1, sizeof(*snap->order));
        if (!snap->usage || !snap->order) {
                r = storvirt__error_oom();
                goto fail;
        }
        job = (struct probe_job){ .ops = ops, .scan = snap->scan, .usage = snap->usage };
        storvirt__parallel_for(storvirt__ctx_max_threads(ctx), n, 16, probe_item, &job);

        if ((r = storvirt__hashmap_new(&snap->by_guid, NULL)) < 0 ||
            (r = storvirt__hashmap_new(&snap->by_node, NULL)) < 0 ||
            (r = storvirt__hashmap_new(&snap->by_devnum, NULL)) < 0 ||
            (r = storvirt__hashmap_new(&snap->by_fs_uuid, NULL)) < 0)
                goto fail;
        for (size_t i = 0; i < n; i++) {
                snap->order[i] = i;
                r = index_lun(snap, i);
                if (r < 0)
                        goto fail;
        }
        qsort_r(snap->order, n, sizeof(*snap->order), order_cmp, snap->scan->luns);
        log_debug(ctx, "LUN discovery (%s): %zu LUNs", ops->name, n);
        *ret = snap;
        return 0;
fail:
        snap_free(snap);
        return r;
}

/* The current snapshot, discovering first when there is none (referenced). */
int storvirt__lun_snap_current(storvirt_ctx *ctx, bool refresh, storvirt__lun_snap **ret) {
        storvirt__lun_snap *snap = refresh ? NULL : storvirt__ctx_lun_snap(ctx);
        int r;

        if (!snap) {
                r = storvirt__lun_snap_new(ctx, &snap);
                if (r < 0)
                        return r;
                storvirt__ctx_set_lun_snap(ctx, snap);
        }
        *ret = snap;
        return 0;
}

