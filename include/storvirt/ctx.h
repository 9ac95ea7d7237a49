/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storvirt/ctx.h - the root handle: state directory, logging, backend
 * registry.  Include <storvirt.h> instead.
 */
#ifndef STORVIRT_CTX_H
#define STORVIRT_CTX_H

#include <storvirt/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Log priorities, the syslog(3) numbers. */
#define STORVIRT_LOG_ERR 3
#define STORVIRT_LOG_WARNING 4
#define STORVIRT_LOG_NOTICE 5
#define STORVIRT_LOG_INFO 6
#define STORVIRT_LOG_DEBUG 7

/* Flags of storvirt_ctx_new(). */
/*
 * Do not look at STORVIRT_DEBUG / STORVIRT_STATE_DIR in the environment
 * (the per-user default state directory still follows XDG_STATE_HOME and
 * HOME).
 */
#define STORVIRT_CTX_NEW_IGNORE_ENV (1u << 0)
/*
 * Do not start the pools marked autostart when this context is the first
 * to open the state directory since the host booted.  Since: 0.2
 */
#define STORVIRT_CTX_NEW_NO_AUTOSTART (1u << 1)

/*
 * A log callback receives the context, the syslog priority and a
 * pre-formatted message (no trailing newline).  It is never called with
 * a library lock held, so it may call back into the library.
 */
typedef void (*storvirt_log_fn)(storvirt_ctx *ctx, int priority,
                                const char *msg, void *userdata);

/*
 * storvirt_ctx_new:
 * Creates a context with one reference.  Logging is off unless the
 * environment has STORVIRT_DEBUG=1 (messages then go to stderr).  The
 * state directory is not touched until it is first needed.
 * Returns 0, -EINVAL, -ENOMEM.  *ret_ctx is written only on success.
 * Since: 0.1
 */
int storvirt_ctx_new(storvirt_ctx **ret_ctx, uint32_t flags);

/*
 * storvirt_ctx_ref / storvirt_ctx_unref:
 * Take / drop a reference.  Both accept NULL; unref always returns NULL
 * so "ctx = storvirt_ctx_unref(ctx);" clears the pointer.  Objects made
 * from a context keep it alive.
 * Since: 0.1
 */
storvirt_ctx *storvirt_ctx_ref(storvirt_ctx *ctx);
storvirt_ctx *storvirt_ctx_unref(storvirt_ctx *ctx);

/*
 * storvirt_ctx_set_state_dir:
 * Chooses the state directory explicitly.  Precedence: this setter, then
 * $STORVIRT_STATE_DIR, then $XDG_STATE_HOME/storvirt (or
 * ~/.local/state/storvirt) for users and /var/lib/storvirt for root.
 * Must be called before the state directory is first used: -EBUSY after.
 * path must be absolute.  flags must be 0.
 * Returns 0, -EINVAL (NULL or relative path, unknown flags), -ENAMETOOLONG,
 * -EBUSY, -ENOMEM.
 * Since: 0.1
 */
int storvirt_ctx_set_state_dir(storvirt_ctx *ctx, const char *path,
                               uint32_t flags);

/*
 * storvirt_ctx_get_state_dir:
 * Resolves the state directory, creates it (mode 0700, and missing
 * parents) if needed and opens it.  *ret_path is borrowed, valid while
 * ctx lives.  Returns 0, -EINVAL (e.g. a relative $STORVIRT_STATE_DIR),
 * -ENOENT (no home directory to derive a default from), -ENOTDIR,
 * -EACCES or another -errno from creating or opening it.
 * Since: 0.1
 */
int storvirt_ctx_get_state_dir(storvirt_ctx *ctx, const char **ret_path);

/*
 * storvirt_ctx_set_log_fn:
 * Installs a log callback.  The callback receives the messages that pass
 * the priority threshold (storvirt_ctx_set_log_priority(); 0, i.e.
 * nothing, unless STORVIRT_DEBUG=1), so raise the threshold to receive
 * anything.  fn NULL removes the callback: messages passing the threshold
 * then go to stderr (the threshold is 0 unless STORVIRT_DEBUG=1 or the
 * caller raised it, so the library stays silent by default); a destroy
 * given with fn NULL is called at once.  destroy(userdata), when given, is
 * called exactly once: when the callback is replaced, when the context
 * is freed, or at once if this call fails.  Returns 0, -EINVAL, -ENOMEM.
 * Since: 0.1
 */
int storvirt_ctx_set_log_fn(storvirt_ctx *ctx, storvirt_log_fn fn,
                            void *userdata, storvirt_destroy_fn destroy);

/*
 * storvirt_ctx_set_log_priority / storvirt_ctx_get_log_priority:
 * Messages with a priority numerically above the threshold are dropped.
 * The default is 0 (nothing logged) or STORVIRT_LOG_DEBUG when
 * STORVIRT_DEBUG=1.  Valid range: 0..7.
 * get returns the priority (>= 0) or -EINVAL.
 * Since: 0.1
 */
int storvirt_ctx_set_log_priority(storvirt_ctx *ctx, int priority);
int storvirt_ctx_get_log_priority(storvirt_ctx *ctx);

/*
 * storvirt_ctx_list_pool_types:
 * Returns the pool types that have a backend in this build, sorted, as a
 * NULL-terminated array freed with storvirt_strv_free().  ret_n may be
 * NULL.  flags must be 0.  Returns 0, -EINVAL, -ENOMEM.
 * Since: 0.1
 */
int storvirt_ctx_list_pool_types(storvirt_ctx *ctx, char ***ret_types,
                                 size_t *ret_n, uint32_t flags);

/*
 * storvirt_ctx_pool_type_supports:
 * Tells whether the backend of pool type `type` implements operation
 * `op` (e.g. "start_pool", "refresh_pool", "create_volume").
 * Returns 1 (yes), 0 (no), -ENOENT (no such pool type in this build),
 * -EINVAL (unknown operation name).
 * Since: 0.1
 */
int storvirt_ctx_pool_type_supports(storvirt_ctx *ctx, const char *type,
                                    const char *op);

/*
 * storvirt_ctx_set_max_threads / storvirt_ctx_get_max_threads:
 * How many threads one library call may use for work that parallelises
 * (today: probing the volumes of a large pool on refresh).  The default,
 * 1, means the library never starts a thread; with n > 1 a call may start
 * up to n - 1 short-lived helper threads and always joins them before it
 * returns.  n = 0 means the number of online CPUs; values above 64 are
 * capped.  set returns 0 or -EINVAL; get returns the current value (>= 1)
 * or -EINVAL.
 * Since: 0.2
 */
int storvirt_ctx_set_max_threads(storvirt_ctx *ctx, uint32_t n);
int storvirt_ctx_get_max_threads(storvirt_ctx *ctx);

#if defined(__GNUC__)
static inline void storvirt_ctx_unrefp(storvirt_ctx **p) {
        if (p)
                storvirt_ctx_unref(*p);
}
#endif

#ifdef __cplusplus
}
#endif

#endif
