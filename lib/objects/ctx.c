/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ctx.c - the root handle: reference count, lock, logger, backend table
 * and the state directory (setter > $STORVIRT_STATE_DIR > per-user
 * default), created 0700 and opened on first use.  The state directory
 * and every subdirectory opened through storvirt__ctx_state_subdir()
 * must belong to the caller and be writable by nobody else (or they are
 * refused, like ssh and sudo refuse such files); a mode that merely
 * drifted is set back to 0700.
 */
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "objects/ctx.h"
#include "util/fileio.h"
#include "util/hashmap.h"
#include "util/log.h"
#include "util/macro.h"
#include "util/refcnt.h"
#include "util/strv.h"

struct ctx_slot {
        void *value;
        storvirt__slot_destroy_fn destroy;
};

/* A table given to the context, its NULL slots filled with the host's. */
struct sysops_kept {
        struct sysops_kept *prev;
        storvirt__sysops ops;
};

struct storvirt_ctx {
        storvirt__refcnt n_ref;
        pthread_mutex_t lock;
        struct storvirt__logger logger;
        uint32_t flags;
        char *state_dir;        /* set explicitly, or resolved on first use */
        bool state_dir_explicit;
        int state_dirfd;        /* -1 until opened */
        atomic_uint max_threads;
        const storvirt__sysops *sysops;   /* NULL: the host's */
        struct sysops_kept *sysops_kept;  /* every table given, completed (freed with ctx) */
        struct ctx_slot slots[STORVIRT__CTX_SLOT_N];
};

static void ctx_free(storvirt_ctx *ctx) {
        /* subsystems go first, newest slot first: they may still log */
        for (unsigned i = STORVIRT__CTX_SLOT_N; i-- > 0;)
                if (ctx->slots[i].value && ctx->slots[i].destroy)
                        ctx->slots[i].destroy(ctx->slots[i].value);
        if (ctx->state_dirfd >= 0)
                close(ctx->state_dirfd);
        free(ctx->state_dir);
        while (ctx->sysops_kept) {
                struct sysops_kept *k = ctx->sysops_kept;

                ctx->sysops_kept = k->prev;
                free(k);
        }
        storvirt__logger_done(&ctx->logger);
        pthread_mutex_destroy(&ctx->lock);
        free(ctx);
}

STORVIRT_DEFINE_PUBLIC_REF_UNREF(storvirt_ctx, ctx_free)

static void *owner_ref(void *ctx) {
        return storvirt_ctx_ref(ctx);
}

static void owner_unref(void *ctx) {
        storvirt_ctx_unref(ctx);
}

void *storvirt__ctx_slot_get(storvirt_ctx *ctx, unsigned slot, void *(*ref)(void *value)) {
        void *v;

        storvirt__mutex_lock(&ctx->lock);
        v = ctx->slots[slot].value;
        if (v && ref)
                v = ref(v);
        storvirt__mutex_unlock(&ctx->lock);
        return v;
}

int storvirt__ctx_slot_ensure(storvirt_ctx *ctx, unsigned slot, int (*create)(void **ret),
                              storvirt__slot_destroy_fn destroy, void **ret) {
        int r = 0;

        storvirt__mutex_lock(&ctx->lock);
        if (!ctx->slots[slot].value) {
                r = create(&ctx->slots[slot].value);
                ctx->slots[slot].destroy = destroy;
        }
        if (r >= 0)
                *ret = ctx->slots[slot].value;
        storvirt__mutex_unlock(&ctx->lock);
        return r;
}

void storvirt__ctx_slot_set(storvirt_ctx *ctx, unsigned slot, void *value,
                            storvirt__slot_destroy_fn destroy) {
        struct ctx_slot old;

        storvirt__mutex_lock(&ctx->lock);
        old = ctx->slots[slot];
        ctx->slots[slot] = (struct ctx_slot){ value, destroy };
        storvirt__mutex_unlock(&ctx->lock);
        if (old.value && old.destroy)
                old.destroy(old.value);
}

unsigned storvirt__ctx_max_threads(storvirt_ctx *ctx) {
        return atomic_load_explicit(&ctx->max_threads, memory_order_relaxed);
}

STORVIRT_EXPORT int storvirt_ctx_set_max_threads(storvirt_ctx *ctx, uint32_t n) {
        long cpus;

        check_nonnull(ctx);
        if (n == 0) {
                cpus = sysconf(_SC_NPROCESSORS_ONLN);
                n = cpus > 0 ? (uint32_t)cpus : 1;
        }
        if (n > STORVIRT__MAX_THREADS)
                n = STORVIRT__MAX_THREADS;
        atomic_store(&ctx->max_threads, n);
        return 0;
}

STORVIRT_EXPORT int storvirt_ctx_get_max_threads(storvirt_ctx *ctx) {
        check_nonnull(ctx);
        return (int)atomic_load(&ctx->max_threads);
}

uint32_t storvirt__ctx_flags(storvirt_ctx *ctx) {
        return ctx->flags;
}

struct storvirt__logger *storvirt__ctx_logger(storvirt_ctx *ctx) {
        return &ctx->logger;
}

const storvirt__sysops *storvirt__ctx_sysops(storvirt_ctx *ctx) {
        const storvirt__sysops *ops;

        storvirt__mutex_lock(&ctx->lock);
        ops = ctx->sysops ? ctx->sysops : &storvirt__sysops_host;
        storvirt__mutex_unlock(&ctx->lock);
        return ops;
}

/*
 * A completed copy of ops is kept until the context goes: a caller that
 * took the previous table may still be using it.
 */
int storvirt__ctx_set_sysops(storvirt_ctx *ctx, const storvirt__sysops *ops) {
        struct sysops_kept *k = NULL;

        if (ops) {
                k = calloc(1, sizeof(*k));
                if (!k)
                        return storvirt__error_oom();
                k->ops = *ops;
                storvirt__sysops_complete(&k->ops);
        }
        storvirt__ctx_slot_set(ctx, STORVIRT__CTX_SLOT_LUNS, NULL, NULL);
        storvirt__mutex_lock(&ctx->lock);
        if (k) {
                k->prev = ctx->sysops_kept;
                ctx->sysops_kept = k;
        }
        ctx->sysops = k ? &k->ops : NULL;
        storvirt__mutex_unlock(&ctx->lock);
        return 0;
}

void storvirt__ctx_lock(storvirt_ctx *ctx) {
        storvirt__mutex_lock(&ctx->lock);
}

void storvirt__ctx_unlock(storvirt_ctx *ctx) {
        storvirt__mutex_unlock(&ctx->lock);
}

STORVIRT_EXPORT int storvirt_ctx_new(storvirt_ctx **ret_ctx, uint32_t flags) {
        storvirt_ctx *ctx;

        check_nonnull(ret_ctx);
        check_flags(flags, STORVIRT_CTX_NEW_IGNORE_ENV | STORVIRT_CTX_NEW_NO_AUTOSTART);

        ctx = calloc(1, sizeof(*ctx));
        if (!ctx)
                return storvirt__error_oom();
        STORVIRT__REFCNT_INIT(ctx->n_ref);
        pthread_mutex_init(&ctx->lock, NULL);
        storvirt__logger_init(&ctx->logger, !(flags & STORVIRT_CTX_NEW_IGNORE_ENV), ctx,
                              owner_ref, owner_unref);
        ctx->flags = flags;
        ctx->state_dirfd = -1;
        atomic_init(&ctx->max_threads, 1u);
        log_debug(ctx, "context created (libstorvirt %s)", STORVIRT_VERSION);
        *ret_ctx = ctx;
        return 0;
}

static int path_check_absolute(const char *what, const char *path) {
        if (path[0] != '/')
                return storvirt__error_set(-EINVAL,
                        "%s: must be an absolute path, got '%s'", what, path);
        if (strlen(path) >= PATH_MAX)
                return storvirt__error_set(-ENAMETOOLONG,
                        "%s: path longer than %d bytes", what, PATH_MAX - 1);
        return 0;
}

STORVIRT_EXPORT int storvirt_ctx_set_state_dir(storvirt_ctx *ctx, const char *path,
                                               uint32_t flags) {
        char *copy;
        int r;

        check_nonnull(ctx);
        check_nonnull(path);
        check_flags(flags, 0);
        if (path[0] != '/')
                return storvirt__error_set(-EINVAL,
                        "%s: invalid argument 'path': must be an absolute path, got '%s'",
                        __func__, path);
        r = path_check_absolute("state directory", path);
        if (r < 0)
                return r;
        copy = strdup(path);
        if (!copy)
                return storvirt__error_oom();

        storvirt__ctx_lock(ctx);
        if (ctx->state_dirfd >= 0) {
                storvirt__ctx_unlock(ctx);
                free(copy);
                return storvirt__error_set(-EBUSY,
                        "state directory '%s' is already in use by this context",
                        ctx->state_dir);
        }
        free(ctx->state_dir);
        ctx->state_dir = copy;
        ctx->state_dir_explicit = true;
        storvirt__ctx_unlock(ctx);
        return 0;
}

/* The per-user default: /var/lib/storvirt for root, else XDG state home. */
int storvirt__ctx_default_state_dir(uid_t uid, char **ret) {
        const char *xdg = secure_getenv("XDG_STATE_HOME"), *home;
        struct passwd *pw;

        if (uid == 0) {
                *ret = strdup("/var/lib/storvirt");
                return *ret ? 0 : storvirt__error_oom();
        }
        if (xdg && xdg[0] == '/')
                return asprintf(ret, "%s/storvirt", xdg) < 0 ? storvirt__error_oom() : 0;
        home = secure_getenv("HOME");
        if (!home || home[0] != '/') {
                pw = getpwuid(uid);
                home = pw ? pw->pw_dir : NULL;
        }
        if (!home || home[0] != '/')
                return storvirt__error_set(-ENOENT,
                        "no state directory: set one explicitly, or set "
                        "STORVIRT_STATE_DIR, XDG_STATE_HOME or HOME");
        return asprintf(ret, "%s/.local/state/storvirt", home) < 0 ? storvirt__error_oom() : 0;
}

static int state_dir_resolve(storvirt_ctx *ctx) {
        const char *env;
        int r;

        if (ctx->state_dir)
                return 0;
        env = ctx->flags & STORVIRT_CTX_NEW_IGNORE_ENV ? NULL : secure_getenv("STORVIRT_STATE_DIR");
        if (env && *env) {
                r = path_check_absolute("STORVIRT_STATE_DIR", env);
                if (r < 0)
                        return r;
                ctx->state_dir = strdup(env);
                return ctx->state_dir ? 0 : storvirt__error_oom();
        }
        return storvirt__ctx_default_state_dir(geteuid(), &ctx->state_dir);
}

#define STATE_DIR "state directory"
#define MOUNT_DIR "mnt"     /* the connections' mount points: 0755, for other users (qemu) */

/*
 * The state directory's mnt/, when there: the mount points below it are
 * reached by path, so it is checked once here, at open.
 */
static int state_dir_check_mnt(storvirt_ctx *ctx, int dfd) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -1;
        struct stat st;
        int err;

        fd = openat(dfd, MOUNT_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        err = fd < 0 ? errno : 0;
        if (err == ENOENT)
                return 0;
        if (asprintf(&path, "%s/" MOUNT_DIR, ctx->state_dir) < 0)
                return storvirt__error_oom();
        if (fd < 0 && fstatat(dfd, MOUNT_DIR, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
                return storvirt__error_set(-EPERM, STATE_DIR " '%s' is a symbolic link: "
                                                   "refusing to use it", path);
        if (fd < 0)
                return storvirt__error_set(-err, STATE_DIR " '%s': cannot open: %s", path,
                                           strerror(err));
        return storvirt__dir_check_private(fd, STATE_DIR, path, 0755);
}

static int state_dir_open_locked(storvirt_ctx *ctx) {
        int r, fd;

        if (ctx->state_dirfd >= 0)
                return ctx->state_dirfd;
        r = state_dir_resolve(ctx);
        if (r < 0)
                return r;
        r = storvirt__mkdir_p(ctx->state_dir, 0700);
        if (r < 0)
                return storvirt__error_prefix(STATE_DIR " '%s'", ctx->state_dir);
        fd = open(ctx->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return storvirt__error_set(-errno, STATE_DIR " '%s': %s",
                                           ctx->state_dir, strerror(errno));
        r = storvirt__dir_check_private(fd, STATE_DIR, ctx->state_dir, 0700);
        if (r >= 0)
                r = state_dir_check_mnt(ctx, fd);
        if (r < 0) {
                close(fd);
                return r;
        }
        ctx->state_dirfd = fd;
        log_debug(ctx, "state directory '%s' opened", ctx->state_dir);
        return fd;
}

int storvirt__ctx_state_dirfd(storvirt_ctx *ctx) {
        int r;

        storvirt__ctx_lock(ctx);
        r = state_dir_open_locked(ctx);
        storvirt__ctx_unlock(ctx);
        return r;
}

STORVIRT_EXPORT int storvirt_ctx_get_state_dir(storvirt_ctx *ctx, const char **ret_path) {
        int r;

        check_nonnull(ctx);
        check_nonnull(ret_path);
        r = storvirt__ctx_state_dirfd(ctx);
        if (r < 0)
                return r;
        /* Immutable once opened, so it may be read without the lock. */
        *ret_path = ctx->state_dir;
        return 0;
}

/* One directory below parent (made 0700 when missing and create), checked. */
static int subdir_open_one(int parent, const char *name, const char *path, bool create) {
        struct stat st;
        int fd, r;

        fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT) {
                if (!create)
                        return -ENOENT;
                if (mkdirat(parent, name, 0700) < 0 && errno != EEXIST)
                        return storvirt__error_set(-errno, STATE_DIR " '%s': cannot create: %m",
                                                   path);
                fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        if (fd < 0) {
                r = -errno;
                if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
                        return storvirt__error_set(-EPERM, STATE_DIR " '%s' is a symbolic link: "
                                                           "refusing to use it", path);
                return storvirt__error_set(r, STATE_DIR " '%s': cannot open: %s", path,
                                           strerror(-r));
        }
        r = storvirt__dir_check_private(fd, STATE_DIR, path, 0700);
        if (r < 0) {
                close(fd);
                return r;
        }
        return fd;
}

int storvirt__ctx_state_subdir(storvirt_ctx *ctx, const char *sub, bool create) {
        char path[PATH_MAX + 64];
        size_t base, at = 0;
        int dfd, fd;

        dfd = storvirt__ctx_state_dirfd(ctx);
        if (dfd < 0)
                return dfd;
        /* Immutable once opened, so it may be read without the lock. */
        base = (size_t)snprintf(path, sizeof(path), "%s/", ctx->state_dir);
        if (base + strlen(sub) >= sizeof(path))
                return storvirt__error_set(-ENAMETOOLONG, STATE_DIR " '%s/%s': name too long",
                                           ctx->state_dir, sub);
        fd = dfd;
        for (;;) {
                size_t n = strcspn(sub + at, "/");
                int next;

                memcpy(path + base + at, sub + at, n);
                path[base + at + n] = '\0';
                next = subdir_open_one(fd, path + base + at, path, create);
                if (fd != dfd)
                        close(fd);
                if (next < 0)
                        return next;
                fd = next;
                if (sub[at + n] == '\0')
                        return fd;
                path[base + at + n] = '/';
                at += n + 1;
        }
}

STORVIRT_EXPORT int storvirt_ctx_set_log_fn(storvirt_ctx *ctx, storvirt_log_fn fn,
                                            void *userdata, storvirt_destroy_fn destroy) {
        if (!ctx) {
                if (destroy)
                        destroy(userdata);
                check_nonnull(ctx);
        }
        return storvirt__logger_set_sink(&ctx->logger, fn, userdata, destroy);
}

STORVIRT_EXPORT int storvirt_ctx_set_log_priority(storvirt_ctx *ctx, int priority) {
        check_nonnull(ctx);
        check_arg(priority >= 0 && priority <= STORVIRT_LOG_DEBUG, "priority",
                  "must be between 0 and 7 (STORVIRT_LOG_DEBUG)");
        atomic_store(&ctx->logger.priority, priority);
        return 0;
}

STORVIRT_EXPORT int storvirt_ctx_get_log_priority(storvirt_ctx *ctx) {
        check_nonnull(ctx);
        return atomic_load(&ctx->logger.priority);
}

