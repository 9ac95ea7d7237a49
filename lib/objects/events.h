/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * objects/events.h - the event subsystem of a context (its events slot):
 * what the library's operations emit, the callbacks the caller
 * registered, and the sources that bring changes from outside (the
 * state directory written by other processes; later the host's device
 * monitor), all behind one epoll descriptor.  No thread of its own: the
 * caller polls the descriptor and calls dispatch.
 *
 * Emitting.  An operation calls storvirt__event_emit() once its change
 * is made, while it still holds the lock that orders changes of that
 * object (the pool record's, a volume's busy mark, the vDisk records'
 * file lock), so that events of one object are numbered in the order
 * of the changes.  Emitting takes only leaf locks and never calls a
 * user callback: it appends the event to the state directory's journal
 * (objects/event_journal.h), for every process watching it, and queues
 * it for this context's callbacks, which run at the next dispatch.
 * It never fails the operation (a journal that cannot be written is
 * logged) and leaves the thread's error state as it was.
 *
 * Sources.  A source is a pollable fd and a function that turns what it
 * reads into queued events (storvirt__events_queue()); a source type is
 * added once per context, by the layer that knows the thing watched
 * (core adds the state directory's source, the LUN code a device
 * monitor), and started when the first callback that wants its kinds
 * is registered.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <storvirt/event.h>

#include "objects/ctx.h"

/* The kind bit of an event type (STORVIRT_EVENT_KIND_*). */
static inline uint32_t storvirt__event_kind(uint32_t type) {
        return type < 128 ? 1u << (type / 32) : 0;
}

/* "pool-started"..., NULL for an unknown type; and back (0: unknown). */
const char *storvirt__event_type_name(uint32_t type);
uint32_t storvirt__event_type_from_name(const char *name);

/* Flags of storvirt__event_emit(). */
enum {
        /* Not journaled: for this context only (what each process sees itself, such as
         * the host's devices). */
        STORVIRT__EVENT_EMIT_LOCAL = 1u << 0,
};

/*
 * Emits an event: type, and the strings the type carries (NULL when not):
 * pool (pool and volume events), name (the object's name or id), key (a
 * volume's key), detail (see storvirt/event.h).  See above.
 */
void storvirt__event_emit(storvirt_ctx *ctx, uint32_t type, const char *pool,
                          const char *name, const char *key, const char *detail,
                          uint32_t flags);

static inline void storvirt__event_emit_pool(storvirt_ctx *ctx, uint32_t type, const char *pool) {
        storvirt__event_emit(ctx, type, pool, pool, NULL, NULL, 0);
}

static inline void storvirt__event_emit_vdisk(storvirt_ctx *ctx, uint32_t type, const char *id,
                                              const char *detail) {
        storvirt__event_emit(ctx, type, NULL, id, NULL, detail, 0);
}

/* An event as queued, read from the journal, or handed to callbacks. */
struct storvirt_event {
        uint32_t type;
        uint32_t info;            /* STORVIRT_EVENT_INFO_* */
        const char *pool, *name, *key, *detail;   /* point into the same allocation */
        uint64_t seq;             /* journal number, 0 if none */
        uint64_t time_usec;       /* CLOCK_REALTIME */
        int32_t pid;              /* the process that made the change, 0 if unknown */
        uint64_t serial;          /* this context's order of queueing */
        struct storvirt_event *next;
};

/*
 * A copy of ev (strings included) in one allocation, free().  -ENOMEM.
 */
int storvirt__event_dup(const struct storvirt_event *ev, struct storvirt_event **ret);

/*
 * Queues a copy of ev for this context's callbacks (from a source's
 * process function, or from emit); events with a journal number are
 * kept in the order of their numbers.  0 or -ENOMEM.
 */
int storvirt__events_queue(storvirt_ctx *ctx, const struct storvirt_event *ev);

/* A source type: see above.  Its functions run with the dispatch lock held. */
typedef struct storvirt__event_source_type {
        const char *name;
        uint32_t kinds;           /* STORVIRT_EVENT_KIND_* it serves */
        /* Starts watching: *ret_data (passed back below) and a pollable *ret_fd it owns. */
        int (*start)(storvirt_ctx *ctx, void **ret_data, int *ret_fd);
        /*
         * Called at every dispatch (ready: its fd polled readable) and once
         * at start, ready false: read what there is, queue the events.
         */
        int (*process)(storvirt_ctx *ctx, void *data, bool ready);
        void (*stop)(void *data);
} storvirt__event_source_type;

/*
 * Adds a source type to the context's event subsystem (once per type;
 * again is a no-op), started now if a callback already wants its kinds.
 * 0 or -errno from its start.
 */
int storvirt__events_add_source(storvirt_ctx *ctx, const storvirt__event_source_type *type);

/* The public API's work (core/event.c checks the arguments). */
int storvirt__events_register(storvirt_ctx *ctx, uint32_t kinds, const char *object,
                              storvirt_event_fn fn, void *userdata,
                              storvirt_destroy_fn destroy);
int storvirt__events_deregister(storvirt_ctx *ctx, int id);
int storvirt__events_get_fd(storvirt_ctx *ctx, int *ret_fd);
int storvirt__events_dispatch(storvirt_ctx *ctx, int timeout_ms);

/* The random id of this context in the journal (who made an entry). */
uint64_t storvirt__events_origin(storvirt_ctx *ctx);

/* Counters, for tests and benchmarks. */
typedef struct storvirt__events_stats {
        uint64_t queued, delivered, journal_read, journal_skipped, rescans, rescan_events,
                verified, gaps, overflows;
} storvirt__events_stats;
void storvirt__events_get_stats(storvirt_ctx *ctx, storvirt__events_stats *ret);
/* Adds to the counters (sources count what they did). */
void storvirt__events_count(storvirt_ctx *ctx, size_t offset, uint64_t n);
#define STORVIRT__EVENTS_COUNT(ctx, field, n)                                              \
        storvirt__events_count(ctx, __builtin_offsetof(storvirt__events_stats, field), n)
