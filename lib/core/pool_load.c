/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pool_load.c - the stored pools made records of, once per context, in
 * the order of their names: a pool a previous process left running (and
 * still running: mounted, present) is running again, and the first
 * context after the host booted starts the autostart pools.  Two stored
 * pools may own one source (an older release let them): both are
 * loaded, and of two left running only the first runs again.  No pool's
 * volumes are read here: loading costs the same whatever they number
 * (objects/pool_vols.c reads them when first asked for).
 */
#include <stdlib.h>
#include <string.h>

#include "conf/pool_dup.h"
#include "core/pool.h"
#include "util/macro.h"

/* The context whose pools this thread is loading (re-entry from autostart). */
static __thread storvirt_ctx *loading_ctx;

/* A pool that owns obj's source runs already: obj stays stopped, said in the log. */
static bool running_rival(storvirt_ctx *ctx, storvirt__pool_obj *obj) {
        char what[STORVIRT__POOL_SHARED_MAX];
        storvirt__pool_obj *rival = storvirt__pools_find_running_rival(ctx, obj, what);

        if (!rival)
                return false;
        log_warning(ctx, "pool '%s' shares %s with pool '%s', which runs: left stopped",
                    obj->def->name, what, rival->def->name);
        storvirt__pool_obj_unref(rival);
        return true;
}

static int by_name(const void *a, const void *b) {
        const struct storvirt__pool_stored *x = a, *y = b;

        return strcmp(x->def->name, y->def->name);
}

static void load_one(storvirt_ctx *ctx, struct storvirt__pool_stored *v) {
        storvirt__pool_obj *obj = NULL;
        bool active = false;
        char *name = strdup(v->def->name);
        int r;

        r = name ? storvirt__pool_obj_make(ctx, v->def, &obj) : storvirt__error_oom();
        if (r >= 0) {
                v->def = NULL;
                obj->persistent = true;
                obj->autostart = v->autostart;
                r = storvirt__pools_insert(ctx, obj, false);
        }
        if (r < 0) {
                log_error(ctx, "state directory: pools/%s.xml: %s (skipped)", name ? name : "?",
                          storvirt__error_msg());
                goto out;
        }
        if (v->run_mark && running_rival(ctx, obj))
                goto out;
        storvirt__mutex_lock(&obj->lock);
        if (v->run_mark && obj->ops->check_pool && obj->ops->check_pool(obj, &active) >= 0 &&
            active) {
                obj->active = true;
                obj->state = STORVIRT_POOL_STATE_RUNNING;
        }
        storvirt__mutex_unlock(&obj->lock);
out:
        free(name);
        storvirt__pool_obj_unref(obj);
}

static void autostart_all(storvirt_ctx *ctx) {
        storvirt__pool_obj **objs = NULL;
        size_t n = 0;

        if (storvirt__pools_snapshot(ctx, &objs, &n) < 0)
                return;
        for (size_t i = 0; i < n; i++) {
                if (!objs[i]->autostart || objs[i]->active)
                        continue;
                if (storvirt__pool_obj_start(objs[i], 0) < 0)
                        log_error(ctx, "autostart of pool '%s' failed: %s",
                                  objs[i]->def->name, storvirt__error_msg());
                else
                        log_info(ctx, "pool '%s' autostarted", objs[i]->def->name);
        }
        storvirt__pools_snapshot_free(objs);
}

int storvirt__pools_ensure_loaded(storvirt_ctx *ctx) {
        struct storvirt__pool_stored *v = NULL;
        size_t n = 0;
        int r;

        if (loading_ctx == ctx)
                return 0; /* re-entered from autostart or a log callback */
        if (storvirt__pools_load_begin(ctx))
                return 0;
        loading_ctx = ctx;
        r = storvirt__pool_store_load(ctx, &v, &n);
        if (r >= 0 && n > 1)
                qsort(v, n, sizeof(*v), by_name);
        for (size_t i = 0; r >= 0 && i < n; i++)
                load_one(ctx, &v[i]);
        storvirt__pool_stored_free(v, n);
        if (r >= 0 && !(storvirt__ctx_flags(ctx) & STORVIRT_CTX_NEW_NO_AUTOSTART) &&
            storvirt__pool_store_first_since_boot(ctx))
                autostart_all(ctx);
        loading_ctx = NULL;
        storvirt__pools_load_end(ctx, r >= 0);
        return r;
}
