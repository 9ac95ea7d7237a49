/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pool_vols.c - a pool's volume table, read when it is first needed:
 * loading or starting a pool reads no volume, listing or looking one up
 * does, once.  Every refresh of a pool, asked for or not, goes through
 * storvirt__pool_obj_refresh_locked().
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "objects/events.h"
#include "objects/pool_obj.h"
#include "util/error.h"
#include "util/log.h"

#define TARGET_WHAT "target directory '%s' "
#define NOT_STARTED_ON "the directory the pool was started on"

int storvirt__pool_obj_target_check(storvirt__pool_obj *obj) {
        const char *path = obj->def->target.path;
        struct stat fst, pst;

        if (obj->target_fd < 0 || !path)
                return 0;
        if (fstat(obj->target_fd, &fst) < 0)
                return storvirt__error_set(-errno, TARGET_WHAT "(open): %m", path);
        if (lstat(path, &pst) < 0) {
                if (errno == ENOENT)
                        return storvirt__error_set(-ENODEV, TARGET_WHAT "no longer exists", path);
                return storvirt__error_set(-errno, TARGET_WHAT "%m", path);
        }
        if (S_ISLNK(pst.st_mode))
                return storvirt__error_set(-ENODEV, TARGET_WHAT "is now a symbolic link, not "
                                           NOT_STARTED_ON, path);
        if (pst.st_dev != fst.st_dev || pst.st_ino != fst.st_ino)
                return storvirt__error_set(-ENODEV, TARGET_WHAT "is no longer " NOT_STARTED_ON,
                                           path);
        return 0;
}

/* A target that could not be opened (O_NOFOLLOW) because it is now a link, said so. */
static int target_open_error(storvirt__pool_obj *obj, int r) {
        const char *path = obj->def->target.path;
        struct stat st;

        if ((r == -ENOTDIR || r == -ELOOP) && path && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
                return storvirt__error_set(-ENODEV, TARGET_WHAT "is now a symbolic link, not "
                                           NOT_STARTED_ON, path);
        return r;
}

int storvirt__pool_obj_refresh_locked(storvirt__pool_obj *obj, uint32_t flags) {
        int r = storvirt__pool_obj_target_check(obj);

        if (r >= 0)
                r = obj->ops->refresh_pool(obj, flags & ~STORVIRT__POOL_REFRESH_QUIET);
        if (r < 0) {
                target_open_error(obj, r);
                obj->state = STORVIRT_POOL_STATE_INACCESSIBLE;
                obj->vols_loaded = false;
                return storvirt__error_prefix("pool '%s': refresh", obj->def->name);
        }
        obj->state = STORVIRT_POOL_STATE_RUNNING;
        obj->vols_loaded = true;
        if (r > 0 && (flags & STORVIRT__REFRESH_SAVED_LIST))
                log_debug(obj->ctx, "pool '%s': %zu volumes from the saved list", obj->def->name,
                          storvirt__hashmap_size(obj->vols));
        else
                log_debug(obj->ctx, "pool '%s' refreshed: %zu volumes", obj->def->name,
                          storvirt__hashmap_size(obj->vols));
        if (r == 0 && !(flags & STORVIRT__POOL_REFRESH_QUIET))
                storvirt__event_emit_pool(obj->ctx, STORVIRT_EVENT_POOL_REFRESHED, obj->def->name);
        return 0;
}

int storvirt__pool_obj_vols_ready(storvirt__pool_obj *obj) {
        if (!obj->active)
                return storvirt__error_set(-EINVAL, "pool '%s' is not active", obj->def->name);
        if (obj->vols_loaded)
                return 0;
        return storvirt__pool_obj_refresh_locked(obj, STORVIRT__REFRESH_SAVED_LIST);
}

void storvirt__pool_obj_update_capacity(storvirt__pool_obj *obj) {
        int r = 0;

        if (!obj->active)
                return;
        if (obj->ops->refresh_capacity && obj->state == STORVIRT_POOL_STATE_RUNNING) {
                r = storvirt__pool_obj_target_check(obj);
                if (r >= 0)
                        r = obj->ops->refresh_capacity(obj);
                if (r < 0) {
                        target_open_error(obj, r);
                        obj->state = STORVIRT_POOL_STATE_INACCESSIBLE;
                        obj->vols_loaded = false;
                        storvirt__error_prefix("pool '%s'", obj->def->name);
                }
        } else if (!obj->vols_loaded || obj->state == STORVIRT_POOL_STATE_INACCESSIBLE) {
                r = storvirt__pool_obj_refresh_locked(obj, STORVIRT__REFRESH_SAVED_LIST);
        }
        if (r < 0) {
                log_warning(obj->ctx, "%s", storvirt__error_msg());
                storvirt__error_reset();
        }
}

void storvirt__vol_rec_check(storvirt__pool_obj *obj, storvirt__vol_rec *rec) {
        if (!obj->ops->refresh_volume)
                return;
        storvirt__mutex_lock(&obj->lock);
        /* a record being written is read again by its writer */
        if (obj->active && !rec->deleted && !rec->busy && rec->read_at_ns != 0 &&
            obj->ops->refresh_volume(obj, rec, STORVIRT__REFRESH_IF_CHANGED) < 0) {
                log_debug(obj->ctx, "pool '%s': volume '%s': %s", obj->def->name, rec->name,
                          storvirt__error_msg());
                storvirt__error_reset();
        }
        storvirt__mutex_unlock(&obj->lock);
}
