/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dir.c - the "dir" pool type: a directory of image files.  Build makes
 * the directory (with its permissions), start opens it, delete removes
 * it; volume operations are the shared local ones.
 */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "backends/backends.h"
#include "backends/local.h"
#include "util/fileio.h"
#include "util/macro.h"

#define DEFAULT_DIR_MODE 0711

static int dir_check(storvirt__pool_obj *obj, bool *ret_active) {
        struct stat st;

        *ret_active = obj->def->target.path && stat(obj->def->target.path, &st) == 0 &&
                      S_ISDIR(st.st_mode);
        return 0;
}

static bool dir_nonempty(int fd) {
        _cleanup_close_ int d2 = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct dirent *de;
        bool found = false;
        DIR *d;

        if (d2 < 0 || !(d = fdopendir(d2)))
                return false;
        d2 = -1;
        while (!found && (de = readdir(d)))
                found = strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
        closedir(d);
        return found;
}

int storvirt__dir_build_target(storvirt__pool_obj *obj, uint32_t flags) {
        const storvirt__pool_def *def = obj->def;
        mode_t mode = def->target.mode >= 0 ? (mode_t)def->target.mode : DEFAULT_DIR_MODE;
        _cleanup_close_ int fd = -1;
        int r;

        if (!def->target.path)
                return storvirt__error_set(-EINVAL, "pool '%s' has no target path", def->name);
        fd = open(def->target.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0 && (flags & STORVIRT_POOL_BUILD_NO_OVERWRITE) && dir_nonempty(fd))
                return storvirt__error_set(-EEXIST,
                        "pool '%s': target '%s' exists and is not empty (no-overwrite)",
                        def->name, def->target.path);
        if (fd < 0) {
                r = storvirt__mkdir_p(def->target.path, mode);
                if (r < 0)
                        return storvirt__error_prefix("pool '%s': building '%s'", def->name,
                                                      def->target.path);
                fd = open(def->target.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return storvirt__error_set(-errno, "pool '%s': '%s': %s", def->name,
                                                   def->target.path, strerror(errno));
        }
        if (fchmod(fd, mode) < 0 ||
            ((def->target.owner >= 0 || def->target.group >= 0) &&
             fchown(fd, def->target.owner >= 0 ? (uid_t)def->target.owner : (uid_t)-1,
                    def->target.group >= 0 ? (gid_t)def->target.group : (gid_t)-1) < 0))
                return storvirt__error_set(-errno, "pool '%s': setting permissions of '%s': %s",
                                           def->name, def->target.path, strerror(errno));
        /* <features><cow state=...>: new volumes inherit the directory's attribute */
        if (def->features.cow != STORVIRT__TRISTATE_ABSENT) {
                r = storvirt__file_set_cow(fd, def->features.cow == STORVIRT__TRISTATE_YES,
                                           def->target.path);
                if (r < 0)
                        return storvirt__error_prefix("pool '%s'", def->name);
        }
        return 0;
}

static int dir_start(storvirt__pool_obj *obj, uint32_t flags) {
        return storvirt__local_open_target(obj);
}

const storvirt__backend_ops storvirt__backend_dir = {
        .abi = STORVIRT__BACKEND_ABI,
        .type = "dir",
        .encrypted_volumes = true,
        .check_pool = dir_check,
        .build_pool = storvirt__dir_build_target,
        .start_pool = dir_start,
        .refresh_pool = storvirt__local_refresh_pool,
        .refresh_capacity = storvirt__local_refresh_capacity,
        .delete_pool = storvirt__local_delete_pool,
        .create_volume = storvirt__local_create_volume,
        .build_volume = storvirt__local_build_volume,
        .build_volume_from = storvirt__local_build_volume_from,
        .refresh_volume = storvirt__local_refresh_volume,
        .delete_volume = storvirt__local_delete_volume,
        .resize_volume = storvirt__local_resize_volume,
        .upload_volume = storvirt__local_upload_volume,
        .download_volume = storvirt__local_download_volume,
        .wipe_volume = storvirt__local_wipe_volume,
};
