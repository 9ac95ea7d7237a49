/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pool_registry.c - the pools a context knows: lookup maps, the stored
 * definitions (state dir: pools/<name>.xml, autostart marks in
 * pools/autostart/<name>, run marks in pools/run/<name>, the last boot
 * seen in pools/run/.boot_id) and reading them back (removing what
 * interrupted writes left).  Making records of them, and starting the
 * autostart ones, is the core's (core/pool_load.c).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "conf/pool_dup.h"
#include "objects/ctx.h"
#include "objects/pool_registry.h"
#include "util/fileio.h"
#include "util/lock.h"
#include "util/log.h"
#include "util/macro.h"
#include "util/strv.h"

#define POOL_DIR "pools"
#define AUTOSTART_DIR "pools/autostart"
#define RUN_DIR "pools/run"
/* In RUN_DIR, hidden: no pool name starts with '.' (pool_types.c). */
#define BOOT_MARK ".boot_id"
#define OLD_BOOT_MARK "boot_id"
#define POOL_XML_MAX (1u << 20)
#define LOCK_NAME ".lock"        /* in POOL_DIR: see store_write() */
#define STORE_LOCK_TIMEOUT_MS 60000

struct storvirt__pool_registry {
        pthread_mutex_t lock;
        storvirt__hashmap *by_name;  /* name -> obj, referenced */
        storvirt__hashmap *by_uuid;  /* uuid -> obj, weak (same set) */
        pthread_mutex_t load_lock;
        bool loaded;
};

static void obj_unref_void(void *p) {
        storvirt__pool_obj_unref(p);
}

int storvirt__pool_registry_new(storvirt__pool_registry **ret) {
        storvirt__pool_registry *reg = calloc(1, sizeof(*reg));
        int r;

        if (!reg)
                return storvirt__error_oom();
        pthread_mutex_init(&reg->lock, NULL);
        pthread_mutex_init(&reg->load_lock, NULL);
        r = storvirt__hashmap_new(&reg->by_name, obj_unref_void);
        if (r >= 0)
                r = storvirt__hashmap_new(&reg->by_uuid, NULL);
        if (r < 0) {
                storvirt__pool_registry_free(reg);
                return r;
        }
        *ret = reg;
        return 0;
}

void storvirt__pool_registry_free(storvirt__pool_registry *reg) {
        if (!reg)
                return;
        storvirt__hashmap_free(reg->by_uuid);
        storvirt__hashmap_free(reg->by_name);
        pthread_mutex_destroy(&reg->load_lock);
        pthread_mutex_destroy(&reg->lock);
        free(reg);
}

static int registry_new_slot(void **ret) {
        return storvirt__pool_registry_new((storvirt__pool_registry **)ret);
}

static void registry_free_slot(void *reg) {
        storvirt__pool_registry_free(reg);
}

storvirt__pool_registry *storvirt__ctx_pools(storvirt_ctx *ctx) {
        storvirt__pool_registry *reg = NULL;

        /* only an allocation can fail: there is no registry to hand out then */
        if (storvirt__ctx_slot_ensure(ctx, STORVIRT__CTX_SLOT_POOLS, registry_new_slot,
                                      registry_free_slot, (void **)&reg) < 0)
                abort();
        return reg;
}

bool storvirt__pools_load_begin(storvirt_ctx *ctx) {
        storvirt__pool_registry *reg = storvirt__ctx_pools(ctx);

        storvirt__mutex_lock(&reg->load_lock);
        if (!reg->loaded)
                return false;
        storvirt__mutex_unlock(&reg->load_lock);
        return true;
}

void storvirt__pools_load_end(storvirt_ctx *ctx, bool loaded) {
        storvirt__pool_registry *reg = storvirt__ctx_pools(ctx);

        reg->loaded = loaded;
        storvirt__mutex_unlock(&reg->load_lock);
}

storvirt__pool_obj *storvirt__pools_find_name(storvirt_ctx *ctx, const char *name) {
        storvirt__pool_registry *reg = storvirt__ctx_pools(ctx);
        storvirt__pool_obj *obj;

        storvirt__mutex_lock(&reg->lock);
        obj = storvirt__pool_obj_ref(storvirt__hashmap_get(reg->by_name, name));
        storvirt__mutex_unlock(&reg->lock);
        return obj;
}

storvirt__pool_obj *storvirt__pools_find_uuid(storvirt_ctx *ctx, const char *uuid) {
        storvirt__pool_registry *reg = storvirt__ctx_pools(ctx);
        storvirt__pool_obj *obj;

        storvirt__mutex_lock(&reg->lock);
        obj = storvirt__pool_obj_ref(storvirt__hashmap_get(reg->by_uuid, uuid));
        storvirt__mutex_unlock(&reg->lock);
        return obj;
}

/* Compares paths ignoring repeated and trailing slashes. */
static bool path_equal(const char *a, const char *b) {
        for (;;) {
                while (a[0] == '/' && (a[1] == '/' || a[1] == '\0'))
                        a++;
                while (b[0] == '/' && (b[1] == '/' || b[1] == '\0'))
                        b++;
                if (*a != *b)
                        return false;
                if (!*a)
                        return true;
                a++;
                b++;
        }
}

storvirt__pool_obj *storvirt__pools_find_target(storvirt_ctx *ctx, const char *path) {
        storvirt__pool_registry *reg = storvirt__ctx_pools(ctx);
        storvirt__pool_obj *obj, *found = NULL;
        const char *key;
        size_t it = 0;
        void *v;

        storvirt__mutex_lock(&reg->lock);
        while (!found && storvirt__hashmap_iterate(reg->by_name, &it, &key, &v)) {
                obj = v;
                /* def is replaced only under both locks (storvirt__pools_replace_def) */
                if (obj->def->target.path && path_equal(obj->def->target.path, path))
                        found = storvirt__pool_obj_ref(obj);
        }
        storvirt__mutex_unlock(&reg->lock);
        return found;
}

/*
 * The pool of another name whose source def's is (see
 * conf/pool_dup.h), under reg->lock: definitions are replaced only
 * under it.  -EEXIST naming it, or 0.
 */
static int source_clash_locked(storvirt__pool_registry *reg, const storvirt__pool_def *def) {
        char what[STORVIRT__POOL_SHARED_MAX];
        const char *key;
        size_t it = 0;
        void *v;

        while (storvirt__hashmap_iterate(reg->by_name, &it, &key, &v)) {
                const storvirt__pool_obj *other = v;

                if (storvirt__pool_source_shared(def, other->def, what))
                        return storvirt__error_set(-EEXIST, "pool '%s' would share %s with pool '%s'",
                                                   def->name, what, other->def->name);
        }
        return 0;
}

int storvirt__pools_check_source(storvirt_ctx *ctx, const storvirt__pool_def *def) {
        storvirt__pool_registry *reg = storvirt__ctx_pools(ctx);
        int r;

        storvirt__mutex_lock(&reg->lock);
        r = source_clash_locked(reg, def);
        storvirt__mutex_unlock(&reg->lock);
        return r;
}

int storvirt__pools_replace_def(storvirt_ctx *ctx, storvirt__pool_obj *obj,
                                storvirt__pool_def **def) {
        storvirt__pool_registry *reg = storvirt__ctx_pools(ctx);
        int r;

        storvirt__mutex_lock(&reg->lock);
        r = source_clash_locked(reg, *def);
        if (r >= 0) {
                storvirt__pool_def_free(obj->def);
                obj->def = *def;
                *def = NULL;
        }
        storvirt__mutex_unlock(&reg->lock);
        return r;
}

storvirt__pool_obj *storvirt__pools_find_running_rival(storvirt_ctx *ctx, storvirt__pool_obj *obj,
                                                       char *what) {
        storvirt__pool_obj **objs = NULL, *found = NULL;
        size_t n = 0;

        if (storvirt__pools_snapshot(ctx, &objs, &n) < 0) {
                storvirt__error_reset();
                return NULL;
        }
        for (size_t i = 0; !found && i < n; i++) {
                storvirt__pool_obj *other = objs[i];

                if (other == obj)
                        continue;
                storvirt__mutex_lock(&other->lock);
                if ((other->active || other->starting) &&
                    storvirt__pool_source_shared(obj->def, other->def, what))
                        found = storvirt__pool_obj_ref(other);
                storvirt__mutex_unlock(&other->lock);
        }
        storvirt__pools_snapshot_free(objs);
        return found;
}

int storvirt__pools_insert(storvirt_ctx *ctx, storvirt__pool_obj *obj, bool check_source) {
        storvirt__pool_registry *reg = storvirt__ctx_pools(ctx);
        storvirt__pool_obj *clash;
        int r;

        storvirt__mutex_lock(&reg->lock);
        clash = storvirt__hashmap_get(reg->by_name, obj->def->name);
        if (!clash)
                clash = storvirt__hashmap_get(reg->by_uuid, obj->uuid);
        if (clash) {
                r = storvirt__error_set(-EEXIST,
                        "pool '%s' (uuid %s) already exists as pool '%s' (uuid %s)",
                        obj->def->name, obj->uuid, clash->def->name, clash->uuid);
                goto out;
        }
        r = check_source ? source_clash_locked(reg, obj->def) : 0;
        if (r < 0)
                goto out;
        r = storvirt__hashmap_put(reg->by_uuid, obj->uuid, obj);
        if (r < 0)
                goto out;
        r = storvirt__hashmap_put(reg->by_name, obj->def->name, storvirt__pool_obj_ref(obj));
        if (r < 0) {
                storvirt__hashmap_steal(reg->by_uuid, obj->uuid);
                storvirt__pool_obj_unref(obj);
        }
out:
        storvirt__mutex_unlock(&reg->lock);
        return r;
}

void storvirt__pools_remove(storvirt_ctx *ctx, storvirt__pool_obj *obj) {
        storvirt__pool_registry *reg = storvirt__ctx_pools(ctx);
        storvirt__pool_obj *held;

        storvirt__mutex_lock(&reg->lock);
        held = storvirt__hashmap_get(reg->by_name, obj->def->name);
        if (held == obj) {
                storvirt__hashmap_steal(reg->by_uuid, obj->uuid);
                storvirt__hashmap_steal(reg->by_name, obj->def->name);
                obj->removed = true;
        } else {
                held = NULL;
        }
        storvirt__mutex_unlock(&reg->lock);
        storvirt__pool_obj_unref(held);
}

int storvirt__pools_snapshot(storvirt_ctx *ctx, storvirt__pool_obj ***ret, size_t *ret_n) {
        storvirt__pool_registry *reg = storvirt__ctx_pools(ctx);
        _cleanup_strv_free_ char **names = NULL;
        storvirt__pool_obj **objs;
        size_t n;
        int r;

        storvirt__mutex_lock(&reg->lock);
        r = storvirt__hashmap_keys(reg->by_name, &names);
        if (r < 0) {
                storvirt__mutex_unlock(&reg->lock);
                return r;
        }
        n = storvirt__strv_length(names);
        objs = calloc(n + 1, sizeof(*objs));
        if (!objs) {
                storvirt__mutex_unlock(&reg->lock);
                return storvirt__error_oom();
        }
        for (size_t i = 0; i < n; i++)
                objs[i] = storvirt__pool_obj_ref(storvirt__hashmap_get(reg->by_name, names[i]));
        storvirt__mutex_unlock(&reg->lock);
        *ret = objs;
        *ret_n = n;
        return 0;
}

void storvirt__pools_snapshot_free(storvirt__pool_obj **objs) {
        for (size_t i = 0; objs && objs[i]; i++)
                storvirt__pool_obj_unref(objs[i]);
        free(objs);
}

/* Opens (creating) a directory below the state directory, checked. */
static int state_subdir(storvirt_ctx *ctx, const char *sub, int *ret_fd) {
        int fd = storvirt__ctx_state_subdir(ctx, sub, true);

        if (fd < 0)
                return fd;
        *ret_fd = fd;
        return 0;
}

/*
 * Every writer below holds the pools lock shared while its temporary
 * file exists; the cleanup of interrupted writes holds it exclusive, so
 * it never removes the file of a writer at work.
 */
static int store_write(storvirt_ctx *ctx, int fd, const char *name, const char *data,
                       size_t len) {
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;
        _cleanup_close_ int pfd = -1;
        int r;

        r = state_subdir(ctx, POOL_DIR, &pfd);
        if (r >= 0)
                r = storvirt__lock_acquire(pfd, LOCK_NAME, STORVIRT__LOCK_SHARED,
                                           STORE_LOCK_TIMEOUT_MS, &lock);
        if (r >= 0)
                r = storvirt__file_write_atomic(fd, name, data, len, 0600);
        return r;
}

/* Removes what writers killed before their rename left in fd (dir: for the log). */
static void remove_temps(storvirt_ctx *ctx, int fd, const char *dir) {
        struct dirent *de;
        /* A new open file description: a dup() would move fd's offset too. */
        int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d;

        if (dfd < 0 || !(d = fdopendir(dfd))) {
                if (dfd >= 0)
                        close(dfd);
                return;
        }
        while ((de = readdir(d)))
                if (storvirt__file_is_temp(de->d_name) && unlinkat(fd, de->d_name, 0) == 0)
                        log_debug(ctx, "removed %s/%s left by an interrupted write", dir,
                                  de->d_name);
        closedir(d);
}

/* The cleanup, unless a writer is at work (then the next context does it). */
static void remove_interrupted_writes(storvirt_ctx *ctx, int poolfd, int autofd, int runfd) {
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;

        if (storvirt__lock_acquire(poolfd, LOCK_NAME, STORVIRT__LOCK_EXCLUSIVE, 0, &lock) < 0) {
                storvirt__error_reset();
                return;
        }
        remove_temps(ctx, poolfd, POOL_DIR);
        remove_temps(ctx, autofd, AUTOSTART_DIR);
        remove_temps(ctx, runfd, RUN_DIR);
}

int storvirt__pool_store_save(storvirt_ctx *ctx, const storvirt__pool_def *def) {
        _cleanup_free_ char *xml = NULL, *file = NULL;
        _cleanup_close_ int fd = -1;
        int r;

        r = storvirt__pool_def_format(def, true, &xml);
        if (r < 0)
                return r;
        if (asprintf(&file, "%s.xml", def->name) < 0)
                return storvirt__error_oom();
        r = state_subdir(ctx, POOL_DIR, &fd);
        if (r < 0)
                return r;
        r = store_write(ctx, fd, file, xml, strlen(xml));
        if (r < 0)
                return storvirt__error_prefix("saving pool '%s'", def->name);
        return 0;
}

int storvirt__pool_store_set_autostart(storvirt_ctx *ctx, const char *name, bool on) {
        _cleanup_close_ int fd = -1;
        int r = state_subdir(ctx, AUTOSTART_DIR, &fd);

        if (r < 0)
                return r;
        if (on)
                return store_write(ctx, fd, name, "", 0);
        if (unlinkat(fd, name, 0) < 0 && errno != ENOENT)
                return storvirt__error_set(-errno, "autostart mark of pool '%s': %s",
                                           name, strerror(errno));
        return 0;
}

int storvirt__pool_store_set_active(storvirt_ctx *ctx, const char *name, bool on) {
        _cleanup_close_ int fd = -1;
        int r = state_subdir(ctx, RUN_DIR, &fd);

        if (r < 0)
                return r;
        if (on)
                return store_write(ctx, fd, name, "", 0);
        if (unlinkat(fd, name, 0) < 0 && errno != ENOENT)
                return storvirt__error_set(-errno, "run mark of pool '%s': %s",
                                           name, strerror(errno));
        return 0;
}

int storvirt__pool_store_remove(storvirt_ctx *ctx, const char *name) {
        _cleanup_free_ char *file = NULL;
        _cleanup_close_ int fd = -1;
        int r;

        r = storvirt__pool_store_set_autostart(ctx, name, false);
        if (r >= 0)
                r = storvirt__pool_store_set_active(ctx, name, false);
        if (r < 0)
                return r;
        if (asprintf(&file, "%s.xml", name) < 0)
                return storvirt__error_oom();
        r = state_subdir(ctx, POOL_DIR, &fd);
        if (r < 0)
                return r;
        if (unlinkat(fd, file, 0) < 0 && errno != ENOENT)
                return storvirt__error_set(-errno, "removing the definition of pool '%s': %s",
                                           name, strerror(errno));
        fsync(fd);
        return 0;
}

int storvirt__pool_store_lock(storvirt_ctx *ctx, int mode, storvirt__lock *ret) {
        _cleanup_close_ int fd = -1;
        int r = state_subdir(ctx, POOL_DIR, &fd);

        if (r >= 0)
                r = storvirt__lock_acquire(fd, LOCK_NAME, mode, STORE_LOCK_TIMEOUT_MS, ret);
        return r;
}

uint32_t storvirt__pool_store_state(storvirt_ctx *ctx, const char *name) {
        _cleanup_close_ int pfd = storvirt__ctx_state_subdir(ctx, POOL_DIR, false);
        _cleanup_close_ int rfd = storvirt__ctx_state_subdir(ctx, RUN_DIR, false);
        _cleanup_free_ char *file = NULL;
        uint32_t st = 0;

        storvirt__error_reset();
        if (name[0] == '.' || strchr(name, '/') || asprintf(&file, "%s.xml", name) < 0)
                return 0;
        if (pfd >= 0 && faccessat(pfd, file, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                st |= STORVIRT__POOL_STORED_DEFINED;
        if (rfd >= 0 && faccessat(rfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                st |= STORVIRT__POOL_STORED_RUNNING;
        return st;
}

/* Adds the names in dir (with suffix, which is dropped) to b. */
static int names_in(storvirt_ctx *ctx, const char *dir, const char *suffix,
                    struct storvirt__strv_builder *b) {
        int fd = storvirt__ctx_state_subdir(ctx, dir, false), r = 0;
        struct dirent *de;
        DIR *d;

        if (fd == -ENOENT) {
                storvirt__error_reset();
                return 0;
        }
        if (fd < 0)
                return fd;
        d = fdopendir(fd);
        if (!d) {
                close(fd);
                return storvirt__error_set(-errno, "state directory: reading '%s': %m", dir);
        }
        while (r >= 0 && (de = readdir(d))) {
                size_t n = strlen(de->d_name), k = strlen(suffix);

                if (de->d_name[0] == '.' || n <= k || strcmp(de->d_name + n - k, suffix) != 0 ||
                    (de->d_type != DT_REG && de->d_type != DT_UNKNOWN))
                        continue;
                char *x = strndup(de->d_name, n - k);

                r = x ? storvirt__strv_builder_push(b, x) : storvirt__error_oom();
                if (r < 0)
                        free(x);
        }
        closedir(d);
        return r;
}

int storvirt__pool_store_names(storvirt_ctx *ctx, char ***ret) {
        struct storvirt__strv_builder b = {};
        char **all = NULL, **uniq = NULL;
        int r;

        r = names_in(ctx, POOL_DIR, ".xml", &b);
        if (r >= 0)
                r = names_in(ctx, RUN_DIR, "", &b);
        if (r >= 0)
                r = storvirt__strv_builder_finish(&b, &all);
        else
                storvirt__strv_builder_done(&b);
        if (r < 0)
                return r;
        storvirt__strv_sort(all);
        for (char **p = all; r >= 0 && *p; p++)
                if (!storvirt__strv_contains(uniq, *p))
                        r = storvirt__strv_extend(&uniq, *p) < 0 ? storvirt__error_oom() : 0;
        storvirt__strv_free(all);
        if (r < 0) {
                storvirt__strv_free(uniq);
                return r;
        }
        if (!uniq && !(uniq = calloc(1, sizeof(char *))))
                return storvirt__error_oom();
        *ret = uniq;
        return 0;
}

/* Reads one stored definition into v; a bad file is logged and skipped (0). */
static int load_one(storvirt_ctx *ctx, int dirfd, int autofd, int runfd, const char *file,
                    struct storvirt__pool_stored *v) {
        _cleanup_free_ char *xml = NULL;
        storvirt__pool_def *def = NULL;
        size_t len, n = strlen(file);
        int r;

        if (n <= 4 || strcmp(file + n - 4, ".xml") != 0 || file[0] == '.')
                return 0;
        r = storvirt__file_read_owned(dirfd, file, POOL_XML_MAX, &xml, &len);
        if (r >= 0)
                r = storvirt__pool_def_parse(xml, len, &def);
        if (r >= 0 && (strlen(def->name) != n - 4 || strncmp(def->name, file, n - 4) != 0))
                r = storvirt__error_set(-EINVAL, "defines pool '%s', not '%.*s'",
                                        def->name, (int)(n - 4), file);
        if (r < 0) {
                log_error(ctx, "state directory: pools/%s: %s (skipped)", file,
                          storvirt__error_msg());
                storvirt__pool_def_free(def);
                return 0;
        }
        v->def = def;
        v->autostart = faccessat(autofd, def->name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
        v->run_mark = faccessat(runfd, def->name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
        return 1;
}

void storvirt__pool_stored_free(struct storvirt__pool_stored *v, size_t n) {
        for (size_t i = 0; v && i < n; i++)
                storvirt__pool_def_free(v[i].def);
        free(v);
}

int storvirt__pool_store_load(storvirt_ctx *ctx, struct storvirt__pool_stored **ret,
                              size_t *ret_n) {
        _cleanup_close_ int autofd = -1, runfd = -1;
        struct storvirt__pool_stored *v = NULL;
        size_t n = 0, cap = 0;
        int dirfd = -1, r;
        struct dirent *de;
        DIR *d;

        r = state_subdir(ctx, AUTOSTART_DIR, &autofd);
        if (r >= 0)
                r = state_subdir(ctx, RUN_DIR, &runfd);
        if (r >= 0)
                r = state_subdir(ctx, POOL_DIR, &dirfd);
        if (r < 0)
                return r;
        remove_interrupted_writes(ctx, dirfd, autofd, runfd);
        d = fdopendir(dirfd);
        if (!d) {
                close(dirfd);
                return storvirt__error_set(-errno, "state directory: reading '%s': %s",
                                           POOL_DIR, strerror(errno));
        }
        while (r >= 0 && (de = readdir(d))) {
                if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
                        continue;
                if (n == cap) {
                        struct storvirt__pool_stored *g = realloc(v, (cap = cap ? 2 * cap : 16) * sizeof(*v));
                        if (!g) {
                                r = storvirt__error_oom();
                                break;
                        }
                        v = g;
                }
                v[n] = (struct storvirt__pool_stored){};
                if (load_one(ctx, dirfd, autofd, runfd, de->d_name, &v[n]) > 0)
                        n++;
        }
        closedir(d);
        if (r < 0) {
                storvirt__pool_stored_free(v, n);
                return r;
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

/*
 * The boot id the state directory last saw ("" if none) into seen.  An
 * earlier release kept it in pools/run/boot_id, a pool's run mark name;
 * such a marker (a run mark is empty) is read and moved to BOOT_MARK,
 * leaving in its place the run mark of a pool boot_id if that is active.
 */
static void boot_seen(storvirt_ctx *ctx, int fd, char *seen, size_t size) {
        _cleanup_free_ char *text = NULL;
        storvirt__pool_obj *obj;
        bool active = false;
        size_t len = 0;

        if (storvirt__file_read_owned(fd, BOOT_MARK, size, &text, &len) >= 0) {
                snprintf(seen, size, "%s", text);
                return;
        }
        storvirt__error_reset();
        if (storvirt__file_read_owned(fd, OLD_BOOT_MARK, size, &text, &len) < 0 || len == 0) {
                storvirt__error_reset();
                return;
        }
        snprintf(seen, size, "%s", text);
        if (store_write(ctx, fd, BOOT_MARK, text, len) < 0) {
                log_warning(ctx, "state directory: recording the boot id: %s", storvirt__error_msg());
                return;
        }
        obj = storvirt__pools_find_name(ctx, OLD_BOOT_MARK);
        if (obj) {
                storvirt__mutex_lock(&obj->lock);
                active = obj->active;
                storvirt__mutex_unlock(&obj->lock);
                storvirt__pool_obj_unref(obj);
        }
        if (storvirt__pool_store_set_active(ctx, OLD_BOOT_MARK, active) < 0)
                log_warning(ctx, "state directory: pools/run/%s: %s", OLD_BOOT_MARK,
                            storvirt__error_msg());
}

/*
 * Autostart runs once per boot of the host, like libvirt's once per daemon
 * start: the first context after a boot starts the autostart pools and
 * records the boot id; later contexts leave pools as users left them.
 */
bool storvirt__pool_store_first_since_boot(storvirt_ctx *ctx) {
        char boot[64] = "", seen[64] = "";
        _cleanup_close_ int fd = -1;
        ssize_t n;
        int bfd;

        bfd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
        if (bfd >= 0) {
                n = read(bfd, boot, sizeof(boot) - 1);
                boot[n > 0 ? n : 0] = '\0';
                close(bfd);
        }
        if (state_subdir(ctx, RUN_DIR, &fd) < 0)
                return true;
        boot_seen(ctx, fd, seen, sizeof(seen));
        if (boot[0] && strcmp(boot, seen) == 0)
                return false;
        if (store_write(ctx, fd, BOOT_MARK, boot, strlen(boot)) < 0)
                log_warning(ctx, "state directory: recording the boot id: %s", storvirt__error_msg());
        return true;
}
