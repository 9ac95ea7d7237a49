/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * event.c - the public event API (storvirt/event.h): registering
 * callbacks, the pollable descriptor, dispatch, and what an event tells.
 * The work is the event subsystem's (objects/events.h); the state
 * directory's source (objects/event_statedir.h) is added here, where
 * the kinds a caller wants are known.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <storvirt/event.h>

#include "core/lun.h"
#include "objects/event_statedir.h"
#include "objects/events.h"
#include "util/json.h"
#include "util/macro.h"

#define ALL_KINDS (STORVIRT_EVENT_KIND_POOL | STORVIRT_EVENT_KIND_VOLUME | \
                   STORVIRT_EVENT_KIND_LUN | STORVIRT_EVENT_KIND_VDISK)

/* The sources for kinds, added to the context. */
static int add_sources(storvirt_ctx *ctx, uint32_t kinds) {
        int r = 0;

        if (!kinds || (kinds & storvirt__event_source_statedir.kinds))
                r = storvirt__events_add_source(ctx, &storvirt__event_source_statedir);
        if (r >= 0 && (!kinds || (kinds & storvirt__event_source_devices.kinds)))
                r = storvirt__events_add_source(ctx, &storvirt__event_source_devices);
        return r;
}

STORVIRT_EXPORT int storvirt_ctx_register_event_cb(storvirt_ctx *ctx, uint32_t kinds,
                                                   const char *object, storvirt_event_fn fn,
                                                   void *userdata, storvirt_destroy_fn destroy,
                                                   uint32_t flags) {
        int r = 0;

        if (!ctx)
                r = storvirt__error_set(-EINVAL, "%s: invalid argument 'ctx': must not be NULL",
                                        __func__);
        else if (!fn)
                r = storvirt__error_set(-EINVAL, "%s: invalid argument 'fn': must not be NULL",
                                        __func__);
        else if (kinds & ~(uint32_t)ALL_KINDS)
                r = storvirt__error_set(-EINVAL, "%s: invalid argument 'kinds': unknown kind "
                                                 "bits 0x%x", __func__, kinds & ~(uint32_t)ALL_KINDS);
        else if (object && (!*object || strlen(object) > 4096))
                r = storvirt__error_set(-EINVAL, "%s: invalid argument 'object': must be 1-4096 "
                                                 "bytes", __func__);
        else if (flags)
                r = storvirt__error_set(-EINVAL, "%s: invalid argument 'flags': unknown flag "
                                                 "bits 0x%x", __func__, flags);
        if (r >= 0)
                r = add_sources(ctx, kinds);
        if (r < 0) {
                if (destroy)
                        destroy(userdata);
                return r;
        }
        return storvirt__events_register(ctx, kinds, object, fn, userdata, destroy);
}

STORVIRT_EXPORT int storvirt_ctx_deregister_event_cb(storvirt_ctx *ctx, int callback_id) {
        check_nonnull(ctx);
        check_arg(callback_id > 0, "callback_id", "must be positive");
        return storvirt__events_deregister(ctx, callback_id);
}

STORVIRT_EXPORT int storvirt_ctx_get_event_fd(storvirt_ctx *ctx, int *ret_fd) {
        check_nonnull(ctx);
        check_nonnull(ret_fd);
        return storvirt__events_get_fd(ctx, ret_fd);
}

STORVIRT_EXPORT int storvirt_ctx_dispatch_events(storvirt_ctx *ctx, int timeout_ms,
                                                 uint32_t flags) {
        int r;

        check_nonnull(ctx);
        check_arg(timeout_ms >= -1, "timeout_ms", "must be -1, 0 or positive");
        check_flags(flags, 0);
        /* a callback may drop the caller's last reference */
        storvirt_ctx_ref(ctx);
        r = storvirt__events_dispatch(ctx, timeout_ms);
        storvirt_ctx_unref(ctx);
        return r;
}

STORVIRT_EXPORT const char *storvirt_event_type_name(uint32_t type) {
        const char *name = storvirt__event_type_name(type);

        if (!name)
                storvirt__error_set(-EINVAL, "%s: unknown event type %" PRIu32, __func__, type);
        return name;
}

STORVIRT_EXPORT int storvirt_event_get_type(const storvirt_event *event) {
        check_nonnull(event);
        return (int)event->type;
}

STORVIRT_EXPORT const char *storvirt_event_get_pool(const storvirt_event *event) {
        check_arg_ptr(event, "event", "must not be NULL");
        return event->pool;
}

STORVIRT_EXPORT const char *storvirt_event_get_name(const storvirt_event *event) {
        check_arg_ptr(event, "event", "must not be NULL");
        return event->name;
}

STORVIRT_EXPORT const char *storvirt_event_get_key(const storvirt_event *event) {
        check_arg_ptr(event, "event", "must not be NULL");
        return event->key;
}

STORVIRT_EXPORT const char *storvirt_event_get_detail(const storvirt_event *event) {
        check_arg_ptr(event, "event", "must not be NULL");
        return event->detail;
}

STORVIRT_EXPORT int storvirt_event_get_info(const storvirt_event *event, uint64_t *ret_seq,
                                            uint64_t *ret_time_usec, uint32_t *ret_flags) {
        check_nonnull(event);
        if (ret_seq)
                *ret_seq = event->seq;
        if (ret_time_usec)
                *ret_time_usec = event->time_usec;
        if (ret_flags)
                *ret_flags = event->info;
        return 0;
}

static void format_time(uint64_t usec, char buf[40]) {
        time_t sec = (time_t)(usec / 1000000u);
        struct tm tm;
        size_t n;

        gmtime_r(&sec, &tm);
        n = strftime(buf, 40, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf + n, 40 - n, ".%06" PRIu64 "Z", usec % 1000000u);
}

static int gen_opt(storvirt__json_gen *g, const char *key, const char *value) {
        return value ? storvirt__json_gen_key_string(g, key, value) : 0;
}

STORVIRT_EXPORT int storvirt_event_get_json(const storvirt_event *event, char **ret_json,
                                            uint32_t flags) {
        _cleanup_json_gen_ storvirt__json_gen *g = NULL;
        char when[40];
        int r;

        check_nonnull(event);
        check_nonnull(ret_json);
        check_flags(flags, STORVIRT_EVENT_JSON_PRETTY);
        format_time(event->time_usec, when);
        r = storvirt__json_gen_new(flags & STORVIRT_EVENT_JSON_PRETTY, &g);
        if (r < 0)
                return r;
        storvirt__json_gen_begin_map(g);
        storvirt__json_gen_key_string(g, "event", storvirt__event_type_name(event->type));
        storvirt__json_gen_key_uint64(g, "seq", event->seq);
        storvirt__json_gen_key_string(g, "time", when);
        storvirt__json_gen_key_int64(g, "pid", event->pid);
        storvirt__json_gen_key_bool(g, "local", event->info & STORVIRT_EVENT_INFO_LOCAL);
        storvirt__json_gen_key_bool(g, "rescan", event->info & STORVIRT_EVENT_INFO_RESCAN);
        gen_opt(g, "pool", event->pool);
        gen_opt(g, "name", event->name);
        gen_opt(g, "key", event->key);
        gen_opt(g, "detail", event->detail);
        storvirt__json_gen_end_map(g);
        return storvirt__json_gen_finish(g, ret_json, NULL);
}
