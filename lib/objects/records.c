/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * records.c - JSON records in the state directory (see core/records.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "objects/records.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/macro.h"
#include "util/strv.h"
#include "util/uuid.h"

#define RECORD_SUFFIX ".json"
#define LOCK_NAME ".lock"
#define STATE_UUID_NAME "state-uuid"

static int kind_check(const char *kind) {
        return storvirt__name_check("record kind", kind);
}

/*
 * The kind's directory, created mode 0700 when missing (unless !create:
 * then -ENOENT without a message), refused when it is not ours alone
 * (see storvirt__ctx_state_subdir()): an fd or -errno.
 */
static int kind_dirfd_full(storvirt_ctx *ctx, const char *kind, bool create) {
        int r = kind_check(kind);

        if (r < 0)
                return r;
        return storvirt__ctx_state_subdir(ctx, kind, create);
}

static int kind_dirfd(storvirt_ctx *ctx, const char *kind) {
        return kind_dirfd_full(ctx, kind, true);
}

int storvirt__records_dirfd(storvirt_ctx *ctx, const char *kind, bool create) {
        return kind_dirfd_full(ctx, kind, create);
}

/* "<id>.json" into buf, after checking id. */
static int record_name(const char *kind, const char *id, char *buf, size_t size) {
        char what[64];
        int r;

        snprintf(what, sizeof(what), "%s record", kind);
        r = storvirt__name_check(what, id);
        if (r < 0)
                return r;
        if (id[0] == '.')
                return storvirt__error_set(-EINVAL, "invalid %s id '%s': must not start with '.'",
                                           what, id);
        if (strlen(id) + sizeof(RECORD_SUFFIX) > size)
                return storvirt__error_set(-EINVAL, "invalid %s id: longer than %zu bytes",
                                           what, size - sizeof(RECORD_SUFFIX));
        snprintf(buf, size, "%s" RECORD_SUFFIX, id);
        return 0;
}

/*
 * ".<id>.json.XXXXXX", ".<id>.idx.XXXXXX" (volume indexes) or
 * ".<id>.list.XXXXXX" (saved volume lists): a writer's temporary file.
 */
static bool is_stale_temp(const char *name) {
        const char *dot;

        if (name[0] != '.' || strcmp(name, LOCK_NAME) == 0)
                return false;
        return ((dot = strstr(name, RECORD_SUFFIX ".")) && strlen(dot) == 12) ||
               ((dot = strstr(name, ".idx.")) && strlen(dot) == 11) ||
               ((dot = strstr(name, ".list.")) && strlen(dot) == 12);
}

/*
 * Remove the temporary files of writers that died mid-write
 * (".<id>.json.XXXXXX").  Only under the exclusive lock: every writer
 * holds it, so none of them can be in progress.
 */
static void remove_stale_temps(storvirt_ctx *ctx, const char *kind, int fd) {
        struct dirent *de;
        int dfd = dup(fd);
        DIR *d;

        if (dfd < 0 || !(d = fdopendir(dfd))) {
                if (dfd >= 0)
                        close(dfd);
                return;
        }
        while ((de = readdir(d))) {
                if (!is_stale_temp(de->d_name))
                        continue;
                if (unlinkat(fd, de->d_name, 0) == 0)
                        log_debug(ctx, "removed %s/%s left by an interrupted write", kind,
                                  de->d_name);
        }
        closedir(d);
}

int storvirt__records_lock(storvirt_ctx *ctx, const char *kind, int mode,
                           storvirt__lock *ret) {
        int fd, r;

        fd = kind_dirfd(ctx, kind);
        if (fd < 0)
                return fd;
        r = storvirt__lock_acquire(fd, LOCK_NAME, mode, STORVIRT__RECORDS_LOCK_TIMEOUT_MS, ret);
        if (r >= 0 && mode == STORVIRT__LOCK_EXCLUSIVE)
                remove_stale_temps(ctx, kind, fd);
        close(fd);
        if (r == -ETIMEDOUT)
                return storvirt__error_set(r, "timed out waiting for the lock of the state "
                                              "directory's '%s' records", kind);
        return r;
}

/* The full path of a record, for messages. */
static void record_path(storvirt_ctx *ctx, const char *kind, const char *name, char *buf,
                        size_t size) {
        const char *dir = NULL;

        if (storvirt_ctx_get_state_dir(ctx, &dir) < 0 || !dir)
                dir = "<state dir>";
        snprintf(buf, size, "%s/%s/%s", dir, kind, name);
}

int storvirt__record_read(storvirt_ctx *ctx, const char *kind, const char *id,
                          bool locked, yajl_val *ret, char **ret_text) {
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;
        char name[STORVIRT__NAME_MAX + 1], path[PATH_MAX + 64];
        char *text = NULL;
        yajl_val v = NULL;
        size_t len = 0;
        int fd, r;

        r = record_name(kind, id, name, sizeof(name));
        if (r < 0)
                return r;
        fd = kind_dirfd_full(ctx, kind, false);
        if (fd == -ENOENT)      /* no record of this kind yet: nothing is created to say so */
                return storvirt__error_set(-ENOENT, "no %s record '%s'", kind, id);
        if (fd < 0)
                return fd;
        close(fd);
        if (!locked) {
                r = storvirt__records_lock(ctx, kind, STORVIRT__LOCK_SHARED, &lock);
                if (r < 0)
                        return r;
        }
        fd = kind_dirfd(ctx, kind);
        if (fd < 0)
                return fd;
        r = storvirt__file_read_owned(fd, name, STORVIRT__RECORD_MAX, &text, &len);
        close(fd);
        record_path(ctx, kind, name, path, sizeof(path));
        if (r == -ENOENT)
                return storvirt__error_set(-ENOENT, "no %s record '%s'", kind, id);
        if (r < 0)
                return storvirt__error_set(r, "cannot read %s: %s", path,
                                           storvirt_error_message());
        r = storvirt__json_parse(text, len, STORVIRT__RECORD_MAX, &v, path);
        if (r >= 0 && !YAJL_IS_OBJECT(v)) {
                storvirt__json_free(v);
                v = NULL;
                r = storvirt__error_set(-EINVAL, "%s: corrupted record: expected an object", path);
        } else if (r < 0) {
                r = storvirt__error_set(-EINVAL, "corrupted record: %s", storvirt_error_message());
        }
        if (r < 0) {
                free(text);
                return r;
        }
        *ret = v;
        if (ret_text)
                *ret_text = text;
        else
                free(text);
        return 0;
}

int storvirt__record_write(storvirt_ctx *ctx, const char *kind, const char *id,
                           const char *text, size_t len) {
        char name[STORVIRT__NAME_MAX + 1];
        int fd, r;

        r = record_name(kind, id, name, sizeof(name));
        if (r < 0)
                return r;
        fd = kind_dirfd(ctx, kind);
        if (fd < 0)
                return fd;
        r = storvirt__file_write_atomic(fd, name, text, len, 0600);
        close(fd);
        if (r < 0)
                return storvirt__error_set(r, "cannot write %s record '%s': %s", kind, id,
                                           storvirt_error_message());
        return 0;
}

int storvirt__record_remove(storvirt_ctx *ctx, const char *kind, const char *id) {
        char name[STORVIRT__NAME_MAX + 1];
        int fd, r;

        r = record_name(kind, id, name, sizeof(name));
        if (r < 0)
                return r;
        fd = kind_dirfd(ctx, kind);
        if (fd < 0)
                return fd;
        r = unlinkat(fd, name, 0) < 0 ? -errno : 0;
        if (r >= 0 && fsync(fd) < 0)
                r = -errno;
        close(fd);
        if (r == -ENOENT)
                return storvirt__error_set(r, "no %s record '%s'", kind, id);
        if (r < 0)
                return storvirt__error_set(r, "cannot remove %s record '%s': %s", kind, id,
                                           strerror(-r));
        return 0;
}

int storvirt__record_update(storvirt_ctx *ctx, const char *kind, const char *id,
                            bool locked, storvirt__record_update_fn fn, void *userdata) {
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;
        char *old_text = NULL, *text = NULL;
        yajl_val old = NULL;
        int r, res;

        if (!locked) {
                r = storvirt__records_lock(ctx, kind, STORVIRT__LOCK_EXCLUSIVE, &lock);
                if (r < 0)
                        return r;
        }
        r = storvirt__record_read(ctx, kind, id, true, &old, &old_text);
        if (r == -ENOENT) {
                storvirt_error_clear();
                r = 0;
        }
        if (r < 0)
                return r;
        res = fn(old, old_text, &text, userdata);
        storvirt__json_free(old);
        free(old_text);
        if (res < 0) {
                free(text);
                return res;
        }
        if (res == 0) {
                r = storvirt__record_write(ctx, kind, id, text, strlen(text));
                free(text);
                return r < 0 ? r : 0;
        }
        free(text);
        if (res == 1) {
                r = storvirt__record_remove(ctx, kind, id);
                if (r == -ENOENT) {
                        storvirt_error_clear();
                        r = 0;
                }
                return r < 0 ? r : 1;
        }
        return res;
}

/*
 * A reader that sees a killed writer's temporary file removes it when no
 * writer is at work (the exclusive lock free at once); otherwise the
 * writer's own lock removes it.  Best effort: a reader that may not
 * write the state dir leaves it, and the reader's error state is kept.
 */
static void remove_stale_temps_now(storvirt_ctx *ctx, const char *kind) {
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;
        storvirt__error_saved e;
        int fd;

        storvirt__error_save(&e);
        fd = kind_dirfd(ctx, kind);
        if (fd >= 0) {
                if (storvirt__lock_acquire(fd, LOCK_NAME, STORVIRT__LOCK_EXCLUSIVE, 0,
                                           &lock) >= 0)
                        remove_stale_temps(ctx, kind, fd);
                close(fd);
        }
        storvirt__error_restore(&e);
}

void storvirt__records_tidy(storvirt_ctx *ctx, const char *kind) {
        struct dirent *de;
        bool stale = false;
        DIR *d;
        int fd;

        fd = kind_dirfd_full(ctx, kind, false);
        if (fd < 0)
                return;
        d = fdopendir(fd);
        if (!d) {
                close(fd);
                return;
        }
        while (!stale && (de = readdir(d)))
                stale = is_stale_temp(de->d_name);
        closedir(d);
        if (stale)
                remove_stale_temps_now(ctx, kind);
}

int storvirt__records_list(storvirt_ctx *ctx, const char *kind, char ***ret_ids) {
        struct storvirt__strv_builder b = {};
        bool stale = false;
        struct dirent *de;
        DIR *d;
        int fd, r = 0;

        fd = kind_dirfd_full(ctx, kind, false);
        if (fd == -ENOENT)
                return storvirt__strv_builder_finish(&b, ret_ids);
        if (fd < 0)
                return fd;
        d = fdopendir(fd);
        if (!d) {
                r = -errno;
                close(fd);
                return storvirt__error_set(r, "cannot read the state directory's '%s' "
                                              "directory: %s", kind, strerror(-r));
        }
        while (r >= 0 && (errno = 0, de = readdir(d))) {
                size_t n = strlen(de->d_name);

                if (is_stale_temp(de->d_name))
                        stale = true;
                if (de->d_name[0] == '.' || n <= strlen(RECORD_SUFFIX) ||
                    strcmp(de->d_name + n - strlen(RECORD_SUFFIX), RECORD_SUFFIX) != 0)
                        continue;
                char *id = strndup(de->d_name, n - strlen(RECORD_SUFFIX));
                r = id ? storvirt__strv_builder_push(&b, id) : storvirt__error_oom();
                if (r < 0)
                        free(id);
        }
        if (r >= 0 && errno != 0)
                r = storvirt__error_set(-errno, "cannot read the state directory's '%s' "
                                                "directory: %m", kind);
        closedir(d);
        if (r >= 0 && stale)
                remove_stale_temps_now(ctx, kind);
        if (r >= 0)
                r = storvirt__strv_builder_finish(&b, ret_ids);
        else
                storvirt__strv_builder_done(&b);
        if (r >= 0)
                storvirt__strv_sort(*ret_ids);
        return r;
}

int storvirt__state_uuid(storvirt_ctx *ctx, char ret[37]) {
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;
        char *text = NULL, buf[STORVIRT__UUID_STRING_MAX + 1];
        storvirt__uuid u;
        size_t len;
        int dfd, r;

        dfd = storvirt__ctx_state_dirfd(ctx);
        if (dfd < 0)
                return dfd;
        r = storvirt__lock_acquire(dfd, ".state-uuid.lock", STORVIRT__LOCK_EXCLUSIVE,
                                   STORVIRT__RECORDS_LOCK_TIMEOUT_MS, &lock);
        if (r < 0)
                return r;
        r = storvirt__file_read_owned(dfd, STATE_UUID_NAME, 4096, &text, &len);
        if (r >= 0) {
                while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
                        text[--len] = '\0';
                r = storvirt__uuid_parse(text, &u);
                free(text);
                if (r < 0)
                        return storvirt__error_set(-EINVAL, "the state directory's %s file "
                                                            "does not hold a UUID", STATE_UUID_NAME);
                storvirt__uuid_format(&u, ret);
                return 0;
        }
        if (r != -ENOENT)
                return r;
        storvirt_error_clear();
        r = storvirt__uuid_generate_v4(&u);
        if (r < 0)
                return r;
        storvirt__uuid_format(&u, buf);
        len = strlen(buf);
        buf[len] = '\n';
        r = storvirt__file_write_atomic(dfd, STATE_UUID_NAME, buf, len + 1, 0644);
        if (r < 0)
                return r;
        buf[len] = '\0';
        memcpy(ret, buf, STORVIRT__UUID_STRING_MAX);
        return 0;
}
