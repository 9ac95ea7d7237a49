/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storvirt/event.h - events: pools, volumes, LUNs and vDisks changing,
 * made by this process or by any other sharing the state directory,
 * delivered through one pollable file descriptor and a dispatch call
 * the caller's own loop drives.  Include <storvirt.h> instead.
 */
#ifndef STORVIRT_EVENT_H
#define STORVIRT_EVENT_H

#include <storvirt/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An event, valid only during the callback it is handed to.  Since: 0.6 */
typedef struct storvirt_event storvirt_event;

/*
 * Kinds of objects, the filter bits of storvirt_ctx_register_event_cb()
 * (0 there: every kind).  Since: 0.6
 */
#define STORVIRT_EVENT_KIND_POOL (1u << 0)
#define STORVIRT_EVENT_KIND_VOLUME (1u << 1)
#define STORVIRT_EVENT_KIND_LUN (1u << 2)
#define STORVIRT_EVENT_KIND_VDISK (1u << 3)

/*
 * Event types.  An event of type t is of kind 1u << (t / 32).  Since: 0.6
 */
/* Pools (libvirt's lifecycle events, and its refresh). */
#define STORVIRT_EVENT_POOL_DEFINED 1
#define STORVIRT_EVENT_POOL_UNDEFINED 2
#define STORVIRT_EVENT_POOL_STARTED 3
#define STORVIRT_EVENT_POOL_STOPPED 4
#define STORVIRT_EVENT_POOL_CREATED 5   /* its storage built */
#define STORVIRT_EVENT_POOL_DELETED 6   /* its storage deleted */
#define STORVIRT_EVENT_POOL_REFRESHED 7
/* Volumes. */
#define STORVIRT_EVENT_VOLUME_CREATED 32
#define STORVIRT_EVENT_VOLUME_DELETED 33
#define STORVIRT_EVENT_VOLUME_RESIZED 34   /* detail: the new capacity in bytes */
#define STORVIRT_EVENT_VOLUME_WIPED 35
/*
 * LUNs of this host, seen by each process itself (its device monitor,
 * started by the first callback that wants LUN events; never journaled):
 * name is the LUN's GUID (its kernel name when it has none), key its
 * device node.
 */
#define STORVIRT_EVENT_LUN_ADDED 64
#define STORVIRT_EVENT_LUN_REMOVED 65
#define STORVIRT_EVENT_LUN_PATH_CHANGED 66   /* detail: its paths now, "sdc:running,sdd:offline" */
#define STORVIRT_EVENT_LUN_RESIZED 67        /* detail: the new capacity in bytes */
/* vDisks. */
#define STORVIRT_EVENT_VDISK_IMPORTED 96
#define STORVIRT_EVENT_VDISK_DELETED 97
#define STORVIRT_EVENT_VDISK_SNAPSHOT_ADDED 98   /* detail: the new image's uid */
#define STORVIRT_EVENT_VDISK_IMAGE_REMOVED 99    /* detail: the image's uid */
#define STORVIRT_EVENT_VDISK_ATTACHED 100        /* detail: the VM id */
#define STORVIRT_EVENT_VDISK_DETACHED 101        /* detail: the VM id */
#define STORVIRT_EVENT_VDISK_PREPARED 102        /* detail: the VM id */
#define STORVIRT_EVENT_VDISK_RELEASED 103        /* detail: the VM id */

/* Bits of storvirt_event_get_info()'s *ret_flags.  Since: 0.6 */
/* Made by this context (else by another process or context). */
#define STORVIRT_EVENT_INFO_LOCAL (1u << 0)
/*
 * Found by comparing the state directory with what was known, not told
 * by the process that made the change (one that does not record its
 * changes, or changes lost while the reader was far behind).
 */
#define STORVIRT_EVENT_INFO_RESCAN (1u << 1)

/* Flags of storvirt_event_get_json().  Since: 0.6 */
#define STORVIRT_EVENT_JSON_PRETTY (1u << 0)

/*
 * An event callback receives the context, the event (valid during the
 * call only) and its userdata.  It is never called with a library lock
 * held: it may call any libstorvirt function, deregister itself or
 * others, except storvirt_ctx_dispatch_events() on the same context.
 * Since: 0.6
 */
typedef void (*storvirt_event_fn)(storvirt_ctx *ctx, const storvirt_event *event,
                                  void *userdata);

/*
 * storvirt_ctx_register_event_cb:
 * Calls fn for every event of the kinds in `kinds`
 * (STORVIRT_EVENT_KIND_* bits, 0: all) that concerns `object` (NULL:
 * any): a pool's name (its pool events and the events of its volumes),
 * a volume's key, a LUN's GUID or device node, or a vDisk's id.  The
 * callback receives the events that arrive after this call (a change
 * made just before it may still be among them), from the dispatch calls
 * that follow (storvirt_ctx_dispatch_events()); the first registration
 * starts watching the state directory, the first that wants LUN events
 * (kinds with STORVIRT_EVENT_KIND_LUN, or 0) the host's block devices
 * (a udev monitor, whose descriptor joins the event descriptor).  destroy(userdata), when given, is
 * called exactly once: at deregistration (after the call in progress,
 * if any, returns), when the context is freed, or at once if this call
 * fails.  flags must be 0.
 * Returns the callback id (> 0), or -EINVAL, -ENOMEM, -EMFILE and other
 * -errno from watching the state directory or the devices (-EOPNOTSUPP
 * for LUN events in a build without libudev).
 * Since: 0.6
 */
int storvirt_ctx_register_event_cb(storvirt_ctx *ctx, uint32_t kinds, const char *object,
                                   storvirt_event_fn fn, void *userdata,
                                   storvirt_destroy_fn destroy, uint32_t flags);

/*
 * storvirt_ctx_deregister_event_cb:
 * Removes the callback with id callback_id; it is not called again once
 * this returns (unless it is running in another thread at this moment).
 * Returns 0, -EINVAL, -ENOENT (no such callback).
 * Since: 0.6
 */
int storvirt_ctx_deregister_event_cb(storvirt_ctx *ctx, int callback_id);

/*
 * storvirt_ctx_get_event_fd:
 * The file descriptor to poll for POLLIN (an epoll descriptor: it nests
 * in GLib, libuv, epoll or Python's selectors): it is readable when
 * storvirt_ctx_dispatch_events() has something to do.  The descriptor
 * belongs to the context (never close it) and stays the same until the
 * context is freed.  Returns 0, -EINVAL, -ECHILD (the context was made
 * in another process: after fork(), make a new one), -EMFILE, -ENOMEM.
 * Since: 0.6
 */
int storvirt_ctx_get_event_fd(storvirt_ctx *ctx, int *ret_fd);

/*
 * storvirt_ctx_dispatch_events:
 * Reads what is ready (the state directory's changes, this context's
 * own events) and calls the matching callbacks, in order, in the calling
 * thread; the callbacks of one context never run in two threads at
 * once.  timeout_ms: 0 does not wait, > 0 waits at most that long for
 * something to arrive, -1 waits without limit; the call returns after
 * one round, which may deliver nothing.  flags must be 0.
 * Returns the number of callback calls made (>= 0), -EINVAL, -EBUSY
 * (called from a callback of the same context), -ECHILD (after fork()),
 * -EINTR (a signal arrived while waiting).
 * Since: 0.6
 */
int storvirt_ctx_dispatch_events(storvirt_ctx *ctx, int timeout_ms, uint32_t flags);

/*
 * storvirt_event_type_name:
 * The name of event type `type` ("pool-started", "vdisk-attached"...),
 * static; NULL (with -EINVAL in storvirt_error_errno()) for an unknown
 * type.
 * Since: 0.6
 */
const char *storvirt_event_type_name(uint32_t type);

/*
 * storvirt_event_get_type:
 * The event's type (STORVIRT_EVENT_POOL_DEFINED ...), or -EINVAL.
 * Since: 0.6
 */
int storvirt_event_get_type(const storvirt_event *event);

/*
 * storvirt_event_get_pool / storvirt_event_get_name / storvirt_event_get_key /
 * storvirt_event_get_detail:
 * Borrowed strings, valid during the callback.  pool: the pool's name
 * (pool and volume events, else NULL); name: the object's name (a
 * pool's, a volume's, a LUN's GUID, a vDisk's id); key: a volume's key,
 * a LUN's device node (else NULL); detail: what the type says it holds (else NULL).  NULL
 * with -EINVAL for a NULL event.
 * Since: 0.6
 */
const char *storvirt_event_get_pool(const storvirt_event *event);
const char *storvirt_event_get_name(const storvirt_event *event);
const char *storvirt_event_get_key(const storvirt_event *event);
const char *storvirt_event_get_detail(const storvirt_event *event);

/*
 * storvirt_event_get_info:
 * Where the event comes from: *ret_seq its number in the state
 * directory's event journal (0 when it has none), *ret_time_usec when
 * the change was made (CLOCK_REALTIME, microseconds), *ret_flags
 * STORVIRT_EVENT_INFO_* bits.  Each output may be NULL.
 * Returns 0 or -EINVAL.
 * Since: 0.6
 */
int storvirt_event_get_info(const storvirt_event *event, uint64_t *ret_seq,
                            uint64_t *ret_time_usec, uint32_t *ret_flags);

/*
 * storvirt_event_get_json:
 * The event as one JSON object: {"event": type name, "seq", "time"
 * (RFC 3339, UTC), "pid" (of the process that made the change, 0 when
 * unknown), "local", "rescan", and "pool", "name", "key", "detail" when
 * set}.  Free with storvirt_free().  flags: STORVIRT_EVENT_JSON_PRETTY.
 * Returns 0, -EINVAL, -ENOMEM.
 * Since: 0.6
 */
int storvirt_event_get_json(const storvirt_event *event, char **ret_json, uint32_t flags);

#ifdef __cplusplus
}
#endif

#endif
