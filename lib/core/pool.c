/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pool.c - pool records and handles, and the public pool API: define,
 * create, undefine, build, start, stop, delete, refresh, autostart,
 * lookups, listing, info and XML.
 *
 * Lifecycle backend slots (check, start, build, refresh, stop, delete)
 * run with the pool record's lock held; volume slots run without it.
 */
#include <string.h>
#include <sys/stat.h>

#include "conf/pool_dup.h"
#include "objects/ctx.h"
#include "core/pool.h"
#include "objects/events.h"
#include "objects/vol_chain.h"
#include "util/log.h"
#include "util/macro.h"
#include "util/strv.h"
#include "util/uuid.h"

/* ---- records and handles ------------------------------------------------ */

int storvirt__pool_obj_make(storvirt_ctx *ctx, storvirt__pool_def *def, storvirt__pool_obj **ret) {
        const storvirt__backend_ops *ops;
        int r = storvirt__backend_get(ctx, def->type, &ops);

        return r < 0 ? r : storvirt__pool_obj_new(ctx, def, ops, ret);
}

static void pool_handle_free(storvirt_pool *pool) {
        storvirt__pool_obj_unref(pool->obj);
        storvirt_ctx_unref(pool->ctx);
        free(pool);
}

STORVIRT_DEFINE_PUBLIC_REF_UNREF(storvirt_pool, pool_handle_free)

int storvirt__pool_handle_new(storvirt_ctx *ctx, storvirt__pool_obj *obj, storvirt_pool **ret) {
        storvirt_pool *pool = calloc(1, sizeof(*pool));

        if (!pool)
                return storvirt__error_oom();
        STORVIRT__REFCNT_INIT(pool->n_ref);
        pool->ctx = storvirt_ctx_ref(ctx);
        pool->obj = storvirt__pool_obj_ref(obj);
        *ret = pool;
        return 0;
}

/* ---- events ------------------------------------------------------------ */

/*
 * A change of the stored definitions or run marks is made, and its event
 * emitted, under the definitions' lock held shared (objects/pool_registry.h),
 * so that a process watching the state directory finds the files and the
 * event journal in agreement.  Best effort: without the lock the change is
 * made all the same.  Events are emitted with obj->lock held, so those of
 * one pool are numbered in the order of its changes.
 */
static void store_lock(storvirt_ctx *ctx, storvirt__lock *l) {
        storvirt__error_saved e;

        storvirt__error_save(&e);
        if (storvirt__pool_store_lock(ctx, STORVIRT__LOCK_SHARED, l) < 0)
                log_debug(ctx, "events: %s", storvirt__error_msg());
        storvirt__error_restore(&e);
}

/* ---- lifecycle steps -------------------------------------------------- */

static int require_active(storvirt__pool_obj *obj, bool want) {
        if (obj->active == want)
                return 0;
        return storvirt__error_set(want ? -EINVAL : -EBUSY, "pool '%s' is %s",
                                   obj->def->name, obj->active ? "active" : "not active");
}

int storvirt__pool_obj_check_usable(storvirt__pool_obj *obj) {
        if (obj->state == STORVIRT_POOL_STATE_INACCESSIBLE)
                return storvirt__pool_obj_refresh_locked(obj, STORVIRT__REFRESH_SAVED_LIST);
        if (storvirt__pool_obj_target_check(obj) < 0) {
                obj->state = STORVIRT_POOL_STATE_INACCESSIBLE;
                return storvirt__error_prefix("pool '%s'", obj->def->name);
        }
        return 0;
}

int storvirt__pool_obj_refresh(storvirt__pool_obj *obj) {
        int r;

        storvirt__mutex_lock(&obj->lock);
        r = require_active(obj, true);
        if (r >= 0)
                r = storvirt__pool_obj_refresh_locked(obj, 0);
        storvirt__mutex_unlock(&obj->lock);
        if (r >= 0)
                storvirt__vol_chain_check_pool(obj);
        return r;
}

static uint32_t build_flags_of(uint32_t create_flags) {
        uint32_t f = 0;

        if (create_flags & STORVIRT_POOL_CREATE_BUILD_OVERWRITE)
                f |= STORVIRT_POOL_BUILD_OVERWRITE;
        if (create_flags & STORVIRT_POOL_CREATE_BUILD_NO_OVERWRITE)
                f |= STORVIRT_POOL_BUILD_NO_OVERWRITE;
        return f;
}

static int check_build_flags(uint32_t flags) {
        if ((flags & STORVIRT_POOL_BUILD_OVERWRITE) && (flags & STORVIRT_POOL_BUILD_NO_OVERWRITE))
                return storvirt__error_set(-EINVAL,
                        "invalid argument 'flags': OVERWRITE and NO_OVERWRITE exclude each other");
        return 0;
}

static int stop_locked(storvirt__pool_obj *obj, bool emit) {
        _cleanup_lock_ storvirt__lock sl = STORVIRT__LOCK_INIT;
        int r;

        if (obj->jobs > 0)
                return storvirt__error_set(-EBUSY,
                        "pool '%s' has %u long operation(s) running on its volumes",
                        obj->def->name, obj->jobs);
        /* Our open target directory would keep a mount busy: close it first. */
        if (obj->target_fd >= 0) {
                close(obj->target_fd);
                obj->target_fd = -1;
        }
        if (obj->ops->stop_pool) {
                r = obj->ops->stop_pool(obj, 0);
                if (r < 0)
                        return storvirt__error_prefix("pool '%s': stop", obj->def->name);
        }
        storvirt__hashmap *empty = NULL;
        if (storvirt__hashmap_new(&empty, storvirt__vol_rec_unref_void) >= 0)
                storvirt__pool_obj_set_vols(obj, empty);
        obj->active = false;
        obj->vols_loaded = false;
        obj->state = STORVIRT_POOL_STATE_INACTIVE;
        obj->capacity = obj->allocation = obj->available = 0;
        store_lock(obj->ctx, &sl);
        if (obj->persistent && storvirt__pool_store_set_active(obj->ctx, obj->def->name, false) < 0)
                log_warning(obj->ctx, "pool '%s': %s", obj->def->name, storvirt__error_msg());
        if (emit)
                storvirt__event_emit_pool(obj->ctx, STORVIRT_EVENT_POOL_STOPPED, obj->def->name);
        return 0;
}

/*
 * Marks obj starting, unless another pool that owns its source is active
 * or starting: -EEXIST naming it.  Each start marks itself before it
 * looks at the others, so of two starts at once one sees the other.
 * 1 when obj was marked (the caller clears the mark), 0 when it is
 * active already (the start then fails as such).
 */
static int claim_source(storvirt__pool_obj *obj) {
        char what[STORVIRT__POOL_SHARED_MAX];
        storvirt__pool_obj *rival;
        bool starting;
        int r;

        storvirt__mutex_lock(&obj->lock);
        if (obj->active || obj->starting) {
                starting = obj->starting;
                storvirt__mutex_unlock(&obj->lock);
                return starting ? storvirt__error_set(-EBUSY, "pool '%s' is starting",
                                                      obj->def->name) : 0;
        }
        obj->starting = true;
        storvirt__mutex_unlock(&obj->lock);
        rival = storvirt__pools_find_running_rival(obj->ctx, obj, what);
        if (!rival)
                return 1;
        storvirt__mutex_lock(&obj->lock);
        obj->starting = false;
        storvirt__mutex_unlock(&obj->lock);
        storvirt__mutex_lock(&rival->lock);
        r = storvirt__error_set(-EEXIST, "pool '%s' shares %s with pool '%s', which is %s: stop "
                                         "that one first", obj->def->name, what, rival->def->name,
                                rival->active ? "active" : "starting");
        storvirt__mutex_unlock(&rival->lock);
        storvirt__pool_obj_unref(rival);
        return r;
}

int storvirt__pool_obj_start(storvirt__pool_obj *obj, uint32_t flags) {
        _cleanup_lock_ storvirt__lock sl = STORVIRT__LOCK_INIT;
        int claimed = claim_source(obj), r;

        if (claimed < 0)
                return claimed;
        storvirt__mutex_lock(&obj->lock);
        r = require_active(obj, false);
        if (r >= 0 && (flags & STORVIRT_POOL_CREATE_BUILD)) {
                r = obj->ops->build_pool ? obj->ops->build_pool(obj, build_flags_of(flags))
                                         : storvirt__backend_unsupported(obj->ops, "build_pool");
                if (r >= 0)
                        storvirt__event_emit_pool(obj->ctx, STORVIRT_EVENT_POOL_CREATED,
                                                  obj->def->name);
        }
        if (r >= 0 && obj->ops->start_pool) {
                r = obj->ops->start_pool(obj, 0);
                if (r < 0)
                        storvirt__error_prefix("pool '%s': start", obj->def->name);
        }
        if (r >= 0) {
                obj->active = true;
                obj->state = STORVIRT_POOL_STATE_RUNNING;
                /* its event is pool-started */
                r = storvirt__pool_obj_refresh_locked(obj, STORVIRT__REFRESH_SAVED_LIST |
                                                               STORVIRT__POOL_REFRESH_QUIET);
                if (r < 0) {
                        int saved = r;
                        char *msg = strdup(storvirt__error_msg());
                        stop_locked(obj, false);
                        r = storvirt__error_set(saved, "%s", msg ? msg : "refresh failed");
                        free(msg);
                } else {
                        store_lock(obj->ctx, &sl);
                        if (obj->persistent &&
                            storvirt__pool_store_set_active(obj->ctx, obj->def->name, true) < 0)
                                log_warning(obj->ctx, "pool '%s': %s", obj->def->name,
                                            storvirt__error_msg());
                        storvirt__event_emit_pool(obj->ctx, STORVIRT_EVENT_POOL_STARTED,
                                                  obj->def->name);
                        storvirt__lock_release(&sl);
                }
        }
        if (claimed)
                obj->starting = false;
        storvirt__mutex_unlock(&obj->lock);
        if (r >= 0)
                storvirt__vol_chain_check_pool(obj);
        return r;
}

/* ---- public API --------------------------------------------------------- */

static int pool_ready(storvirt_ctx *ctx) {
        return storvirt__pools_ensure_loaded(ctx);
}

/*
 * A new definition of a defined pool: refused while it runs or starts,
 * and when another pool owns its source (checked again as it is put in
 * place; the stored one is put back then).
 */
static int define_replace(storvirt_ctx *ctx, storvirt__pool_obj *obj, storvirt__pool_def **def) {
        _cleanup_lock_ storvirt__lock sl = STORVIRT__LOCK_INIT;
        int r;

        storvirt__mutex_lock(&obj->lock);
        if (obj->active || obj->starting) {
                r = storvirt__error_set(-EBUSY,
                        "pool '%s' is %s: stop it before changing its definition",
                        obj->def->name, obj->active ? "active" : "starting");
                storvirt__mutex_unlock(&obj->lock);
                return r;
        }
        store_lock(ctx, &sl);
        r = storvirt__pools_check_source(ctx, *def);
        if (r >= 0)
                r = storvirt__pool_store_save(ctx, *def);
        if (r >= 0) {
                r = storvirt__pools_replace_def(ctx, obj, def);
                if (r < 0 && storvirt__pool_store_save(ctx, obj->def) < 0)
                        log_error(ctx, "pool '%s': putting back its definition: %s",
                                  obj->def->name, storvirt__error_msg());
        }
        if (r >= 0) {
                obj->persistent = true;
                storvirt__event_emit_pool(ctx, STORVIRT_EVENT_POOL_DEFINED, obj->def->name);
        }
        storvirt__lock_release(&sl);
        storvirt__mutex_unlock(&obj->lock);
        return r;
}

/*
 * A new pool stored and made known, its event emitted; the record is
 * locked until then, so that no event of the pool comes before it.
 */
static int define_new(storvirt_ctx *ctx, storvirt__pool_obj *obj) {
        _cleanup_lock_ storvirt__lock sl = STORVIRT__LOCK_INIT;
        int r;

        storvirt__mutex_lock(&obj->lock);
        store_lock(ctx, &sl);
        r = storvirt__pools_check_source(ctx, obj->def);
        if (r >= 0)
                r = storvirt__pool_store_save(ctx, obj->def);
        if (r >= 0) {
                r = storvirt__pools_insert(ctx, obj, true);
                if (r < 0)
                        storvirt__pool_store_remove(ctx, obj->def->name);
        }
        if (r >= 0)
                storvirt__event_emit_pool(ctx, STORVIRT_EVENT_POOL_DEFINED, obj->def->name);
        storvirt__lock_release(&sl);
        storvirt__mutex_unlock(&obj->lock);
        return r;
}

STORVIRT_EXPORT int storvirt_pool_define_xml(storvirt_ctx *ctx, const char *xml,
                                             storvirt_pool **ret_pool, uint32_t flags) {
        storvirt__pool_def *def = NULL;
        storvirt__pool_obj *obj = NULL, *other;
        char uuid[STORVIRT__UUID_STRING_MAX];
        int r;

        check_nonnull(ctx);
        check_nonnull(xml);
        check_nonnull(ret_pool);
        check_flags(flags, 0);
        r = pool_ready(ctx);
        if (r < 0)
                return r;
        r = storvirt__pool_def_parse(xml, strlen(xml), &def);
        if (r < 0)
                return r;
        storvirt__uuid_format(&def->uuid, uuid);
        obj = storvirt__pools_find_name(ctx, def->name);
        other = storvirt__pools_find_uuid(ctx, uuid);
        if (obj && strcmp(obj->uuid, uuid) != 0)
                r = storvirt__error_set(-EEXIST, "pool '%s' already exists with uuid %s",
                                        def->name, obj->uuid);
        else if (!obj && other)
                r = storvirt__error_set(-EEXIST, "uuid %s is already used by pool '%s'",
                                        uuid, other->def->name);
        else if (obj)
                r = define_replace(ctx, obj, &def);
        storvirt__pool_obj_unref(other);
        if (r < 0 || obj)
                goto out;
        r = storvirt__pool_obj_make(ctx, def, &obj);
        if (r < 0)
                goto out;
        def = NULL;
        obj->persistent = true;
        r = define_new(ctx, obj);
out:
        if (r >= 0) {
                log_info(ctx, "pool '%s' defined", obj->def->name);
                r = storvirt__pool_handle_new(ctx, obj, ret_pool);
        }
        storvirt__pool_def_free(def);
        storvirt__pool_obj_unref(obj);
        return r;
}

STORVIRT_EXPORT int storvirt_pool_create_xml(storvirt_ctx *ctx, const char *xml,
                                             storvirt_pool **ret_pool, uint32_t flags) {
        storvirt__pool_def *def = NULL;
        storvirt__pool_obj *obj = NULL;
        int r;

        check_nonnull(ctx);
        check_nonnull(xml);
        check_nonnull(ret_pool);
        check_flags(flags, STORVIRT_POOL_CREATE_BUILD | STORVIRT_POOL_CREATE_BUILD_OVERWRITE |
                           STORVIRT_POOL_CREATE_BUILD_NO_OVERWRITE);
        r = check_build_flags(build_flags_of(flags));
        if (r >= 0)
                r = pool_ready(ctx);
        if (r >= 0)
                r = storvirt__pool_def_parse(xml, strlen(xml), &def);
        if (r >= 0)
                r = storvirt__pool_obj_make(ctx, def, &obj);
        if (r < 0) {
                storvirt__pool_def_free(def);
                return r;
        }
        r = storvirt__pools_insert(ctx, obj, true);
        if (r >= 0) {
                r = storvirt__pool_obj_start(obj, flags);
                if (r < 0)
                        storvirt__pools_remove(ctx, obj);
        }
        if (r >= 0)
                r = storvirt__pool_handle_new(ctx, obj, ret_pool);
        storvirt__pool_obj_unref(obj);
        return r;
}

#define check_pool_arg(p)                                                       \
        do {                                                                  \
                check_nonnull(p);                                             \
                check_arg((p)->obj != NULL, #p, "not a pool handle");         \
        } while (0)

STORVIRT_EXPORT int storvirt_pool_undefine(storvirt_pool *pool, uint32_t flags) {
        _cleanup_lock_ storvirt__lock sl = STORVIRT__LOCK_INIT;
        storvirt__pool_obj *obj;
        bool forget;
        int r;

        check_pool_arg(pool);
        check_flags(flags, 0);
        obj = pool->obj;
        storvirt__mutex_lock(&obj->lock);
        if (!obj->persistent) {
                storvirt__mutex_unlock(&obj->lock);
                return storvirt__error_set(-EINVAL, "pool '%s' is not persistent", obj->def->name);
        }
        store_lock(pool->ctx, &sl);
        r = storvirt__pool_store_remove(pool->ctx, obj->def->name);
        if (r >= 0) {
                obj->persistent = false;
                obj->autostart = false;
                storvirt__event_emit_pool(pool->ctx, STORVIRT_EVENT_POOL_UNDEFINED, obj->def->name);
        }
        storvirt__lock_release(&sl);
        forget = r >= 0 && !obj->active;
        storvirt__mutex_unlock(&obj->lock);
        if (forget)
                storvirt__pools_remove(pool->ctx, obj);
        return r;
}

STORVIRT_EXPORT int storvirt_pool_build(storvirt_pool *pool, uint32_t flags) {
        storvirt__pool_obj *obj;
        int r;

        check_pool_arg(pool);
        check_flags(flags, STORVIRT_POOL_BUILD_OVERWRITE | STORVIRT_POOL_BUILD_NO_OVERWRITE);
        r = check_build_flags(flags);
        if (r < 0)
                return r;
        obj = pool->obj;
        storvirt__mutex_lock(&obj->lock);
        r = require_active(obj, false);
        if (r >= 0)
                r = STORVIRT__BACKEND_CALL(obj->ops, build_pool, obj, flags);
        if (r >= 0)
                storvirt__event_emit_pool(pool->ctx, STORVIRT_EVENT_POOL_CREATED, obj->def->name);
        storvirt__mutex_unlock(&obj->lock);
        return r;
}

STORVIRT_EXPORT int storvirt_pool_start(storvirt_pool *pool, uint32_t flags) {
        int r;

        check_pool_arg(pool);
        check_flags(flags, STORVIRT_POOL_CREATE_BUILD | STORVIRT_POOL_CREATE_BUILD_OVERWRITE |
                           STORVIRT_POOL_CREATE_BUILD_NO_OVERWRITE);
        r = check_build_flags(build_flags_of(flags));
        if (r >= 0)
                r = storvirt__pool_obj_start(pool->obj, flags);
        if (r >= 0)
                log_info(pool->ctx, "pool '%s' started", pool->obj->def->name);
        return r;
}

STORVIRT_EXPORT int storvirt_pool_stop(storvirt_pool *pool, uint32_t flags) {
        storvirt__pool_obj *obj;
        bool forget;
        int r;

        check_pool_arg(pool);
        check_flags(flags, 0);
        obj = pool->obj;
        storvirt__mutex_lock(&obj->lock);
        r = require_active(obj, true);
        if (r >= 0)
                r = stop_locked(obj, true);
        forget = r >= 0 && !obj->persistent;
        storvirt__mutex_unlock(&obj->lock);
        if (forget)
                storvirt__pools_remove(pool->ctx, obj);
        return r;
}

STORVIRT_EXPORT int storvirt_pool_delete(storvirt_pool *pool, uint32_t flags) {
        storvirt__pool_obj *obj;
        int r;

        check_pool_arg(pool);
        check_flags(flags, STORVIRT_POOL_DELETE_NONEMPTY);
        obj = pool->obj;
        storvirt__mutex_lock(&obj->lock);
        r = require_active(obj, false);
        if (r >= 0)
                r = STORVIRT__BACKEND_CALL(obj->ops, delete_pool, obj, flags);
        if (r >= 0)
                storvirt__event_emit_pool(pool->ctx, STORVIRT_EVENT_POOL_DELETED, obj->def->name);
        storvirt__mutex_unlock(&obj->lock);
        return r;
}

STORVIRT_EXPORT int storvirt_pool_refresh(storvirt_pool *pool, uint32_t flags) {
        check_pool_arg(pool);
        check_flags(flags, 0);
        return storvirt__pool_obj_refresh(pool->obj);
}

STORVIRT_EXPORT int storvirt_pool_set_autostart(storvirt_pool *pool, int autostart) {
        storvirt__pool_obj *obj;
        int r;

        check_pool_arg(pool);
        check_arg(autostart == 0 || autostart == 1, "autostart", "must be 0 or 1");
        obj = pool->obj;
        storvirt__mutex_lock(&obj->lock);
        if (!obj->persistent)
                r = storvirt__error_set(-EINVAL,
                        "pool '%s' is transient: only persistent pools autostart",
                        obj->def->name);
        else
                r = storvirt__pool_store_set_autostart(pool->ctx, obj->def->name, autostart);
        if (r >= 0)
                obj->autostart = autostart;
        storvirt__mutex_unlock(&obj->lock);
        return r;
}

STORVIRT_EXPORT int storvirt_pool_get_autostart(storvirt_pool *pool) {
        check_pool_arg(pool);
        return pool->obj->autostart;
}

static int lookup_done(storvirt_ctx *ctx, storvirt__pool_obj *obj, const char *what,
                       const char *value, storvirt_pool **ret) {
        int r;

        if (!obj)
                return storvirt__error_set(-ENOENT, "no pool with %s '%s'", what, value);
        r = storvirt__pool_handle_new(ctx, obj, ret);
        storvirt__pool_obj_unref(obj);
        return r;
}

STORVIRT_EXPORT int storvirt_pool_lookup_by_name(storvirt_ctx *ctx, const char *name,
                                                 storvirt_pool **ret_pool) {
        int r;

        check_nonnull(ctx);
        check_nonnull(name);
        check_nonnull(ret_pool);
        r = pool_ready(ctx);
        if (r < 0)
                return r;
        return lookup_done(ctx, storvirt__pools_find_name(ctx, name), "name", name, ret_pool);
}

STORVIRT_EXPORT int storvirt_pool_lookup_by_uuid(storvirt_ctx *ctx, const char *uuid,
                                                 storvirt_pool **ret_pool) {
        char canon[STORVIRT__UUID_STRING_MAX];
        storvirt__uuid u;
        int r;

        check_nonnull(ctx);
        check_nonnull(uuid);
        check_nonnull(ret_pool);
        r = storvirt__uuid_parse(uuid, &u);
        if (r < 0)
                return storvirt__error_prefix("%s: invalid argument 'uuid'", __func__);
        storvirt__uuid_format(&u, canon);
        r = pool_ready(ctx);
        if (r < 0)
                return r;
        return lookup_done(ctx, storvirt__pools_find_uuid(ctx, canon), "uuid", canon, ret_pool);
}

STORVIRT_EXPORT int storvirt_pool_lookup_by_target_path(storvirt_ctx *ctx, const char *path,
                                                        storvirt_pool **ret_pool) {
        int r;

        check_nonnull(ctx);
        check_nonnull(path);
        check_nonnull(ret_pool);
        r = pool_ready(ctx);
        if (r < 0)
                return r;
        return lookup_done(ctx, storvirt__pools_find_target(ctx, path), "target path", path,
                           ret_pool);
}

static bool pool_matches(storvirt__pool_obj *obj, const char *type, uint32_t flags) {
        bool keep = true;

        if (type && strcmp(obj->def->type, type) != 0)
                return false;
#define PAIR(yes, no, cond)                                                   \
        if ((flags & (yes)) && !(flags & (no)) && !(cond))                    \
                keep = false;                                                 \
        if ((flags & (no)) && !(flags & (yes)) && (cond))                     \
                keep = false;
        PAIR(STORVIRT_POOL_LIST_ACTIVE, STORVIRT_POOL_LIST_INACTIVE, obj->active)
        PAIR(STORVIRT_POOL_LIST_PERSISTENT, STORVIRT_POOL_LIST_TRANSIENT, obj->persistent)
        PAIR(STORVIRT_POOL_LIST_AUTOSTART, STORVIRT_POOL_LIST_NO_AUTOSTART, obj->autostart)
#undef PAIR
        return keep;
}

STORVIRT_EXPORT int storvirt_pool_list(storvirt_ctx *ctx, const char *type,
                                       storvirt_pool ***ret_pools, size_t *ret_n,
                                       uint32_t flags) {
        storvirt__pool_obj **objs = NULL;
        storvirt_pool **pools;
        size_t n = 0, k = 0;
        int r;

        check_nonnull(ctx);
        check_nonnull(ret_pools);
        check_flags(flags, 0x3f);
        r = pool_ready(ctx);
        if (r >= 0)
                r = storvirt__pools_snapshot(ctx, &objs, &n);
        if (r < 0)
                return r;
        pools = calloc(n + 1, sizeof(*pools));
        if (!pools) {
                storvirt__pools_snapshot_free(objs);
                return storvirt__error_oom();
        }
        for (size_t i = 0; i < n && r >= 0; i++) {
                storvirt__mutex_lock(&objs[i]->lock);
                bool keep = pool_matches(objs[i], type, flags);
                storvirt__mutex_unlock(&objs[i]->lock);
                if (keep)
                        r = storvirt__pool_handle_new(ctx, objs[i], &pools[k++]);
        }
        storvirt__pools_snapshot_free(objs);
        if (r < 0) {
                storvirt_pool_list_free(pools);
                return r;
        }
        if (ret_n)
                *ret_n = k;
        *ret_pools = pools;
        return 0;
}

STORVIRT_EXPORT void storvirt_pool_list_free(storvirt_pool **pools) {
        for (size_t i = 0; pools && pools[i]; i++)
                storvirt_pool_unref(pools[i]);
        free(pools);
}

STORVIRT_EXPORT const char *storvirt_pool_get_name(storvirt_pool *pool) {
        check_arg_ptr(pool, "pool", "must not be NULL");
        return pool->obj->def->name;
}

STORVIRT_EXPORT const char *storvirt_pool_get_uuid(storvirt_pool *pool) {
        check_arg_ptr(pool, "pool", "must not be NULL");
        return pool->obj->uuid;
}

STORVIRT_EXPORT const char *storvirt_pool_get_type(storvirt_pool *pool) {
        check_arg_ptr(pool, "pool", "must not be NULL");
        return pool->obj->def->type;
}

STORVIRT_EXPORT const char *storvirt_pool_get_target_path(storvirt_pool *pool) {
        check_arg_ptr(pool, "pool", "must not be NULL");
        return pool->obj->def->target.path;
}

STORVIRT_EXPORT storvirt_ctx *storvirt_pool_get_ctx(storvirt_pool *pool) {
        check_arg_ptr(pool, "pool", "must not be NULL");
        return pool->ctx;
}

STORVIRT_EXPORT int storvirt_pool_get_info(storvirt_pool *pool, uint32_t *ret_state,
                                           uint64_t *ret_capacity, uint64_t *ret_allocation,
                                           uint64_t *ret_available) {
        storvirt__pool_obj *obj;

        check_pool_arg(pool);
        obj = pool->obj;
        storvirt__mutex_lock(&obj->lock);
        storvirt__pool_obj_update_capacity(obj);
        if (ret_state)
                *ret_state = obj->state;
        if (ret_capacity)
                *ret_capacity = obj->capacity;
        if (ret_allocation)
                *ret_allocation = obj->allocation;
        if (ret_available)
                *ret_available = obj->available;
        storvirt__mutex_unlock(&obj->lock);
        return 0;
}

STORVIRT_EXPORT int storvirt_pool_is_active(storvirt_pool *pool) {
        check_pool_arg(pool);
        return pool->obj->active;
}

STORVIRT_EXPORT int storvirt_pool_is_persistent(storvirt_pool *pool) {
        check_pool_arg(pool);
        return pool->obj->persistent;
}

STORVIRT_EXPORT int storvirt_pool_get_xml(storvirt_pool *pool, char **ret_xml, uint32_t flags) {
        storvirt__pool_obj *obj;
        int r;

        check_pool_arg(pool);
        check_nonnull(ret_xml);
        check_flags(flags, STORVIRT_POOL_XML_INACTIVE);
        obj = pool->obj;
        storvirt__mutex_lock(&obj->lock);
        storvirt__pool_obj_update_capacity(obj);
        obj->def->capacity = obj->capacity;
        obj->def->allocation = obj->allocation;
        obj->def->available = obj->available;
        r = storvirt__pool_def_format(obj->def, (flags & STORVIRT_POOL_XML_INACTIVE) || !obj->active,
                                      ret_xml);
        storvirt__mutex_unlock(&obj->lock);
        return r;
}

STORVIRT_EXPORT int storvirt_pool_find_sources(storvirt_ctx *ctx, const char *type,
                                               const char *srcspec, char **ret_xml, uint32_t flags) {
        const storvirt__backend_ops *ops = NULL;
        int r;

        check_nonnull(ctx);
        check_nonnull(type);
        check_nonnull(ret_xml);
        check_flags(flags, 0);
        r = storvirt__backend_get(ctx, type, &ops);
        if (r < 0)
                return r;
        return STORVIRT__BACKEND_CALL(ops, find_sources, ctx, srcspec, ret_xml, 0);
}
