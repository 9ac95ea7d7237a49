/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * events.c - the event subsystem of a context (objects/events.h): the
 * queue, the callbacks, the sources behind one epoll descriptor, and
 * dispatch.
 *
 * Locks: `lock` guards the queue, the callbacks and the counters, and
 * is a leaf (emit takes it under any other library lock).
 * `dispatch_lock` lets one dispatch run at a time, so the callbacks of
 * a context run in order and never in two threads at once; it is held
 * across the callbacks (a plain mutex, not one of the library's: a
 * callback may log), and the sources' state is used only under it.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "objects/event_journal.h"
#include "objects/events.h"
#include "util/error.h"
#include "util/log.h"
#include "util/macro.h"
#include "util/uuid.h"

#define EVENTS_DIR "events"
#define MAX_SOURCES 8
/* Events read from the epoll descriptor per dispatch (sources + the queue's eventfd). */
#define EPOLL_BATCH (MAX_SOURCES + 1)

static const char *const type_names[128] = {
        [STORVIRT_EVENT_POOL_DEFINED] = "pool-defined",
        [STORVIRT_EVENT_POOL_UNDEFINED] = "pool-undefined",
        [STORVIRT_EVENT_POOL_STARTED] = "pool-started",
        [STORVIRT_EVENT_POOL_STOPPED] = "pool-stopped",
        [STORVIRT_EVENT_POOL_CREATED] = "pool-created",
        [STORVIRT_EVENT_POOL_DELETED] = "pool-deleted",
        [STORVIRT_EVENT_POOL_REFRESHED] = "pool-refreshed",
        [STORVIRT_EVENT_VOLUME_CREATED] = "volume-created",
        [STORVIRT_EVENT_VOLUME_DELETED] = "volume-deleted",
        [STORVIRT_EVENT_VOLUME_RESIZED] = "volume-resized",
        [STORVIRT_EVENT_VOLUME_WIPED] = "volume-wiped",
        [STORVIRT_EVENT_LUN_ADDED] = "lun-added",
        [STORVIRT_EVENT_LUN_REMOVED] = "lun-removed",
        [STORVIRT_EVENT_LUN_PATH_CHANGED] = "lun-path-changed",
        [STORVIRT_EVENT_LUN_RESIZED] = "lun-resized",
        [STORVIRT_EVENT_VDISK_IMPORTED] = "vdisk-imported",
        [STORVIRT_EVENT_VDISK_DELETED] = "vdisk-deleted",
        [STORVIRT_EVENT_VDISK_SNAPSHOT_ADDED] = "vdisk-snapshot-added",
        [STORVIRT_EVENT_VDISK_IMAGE_REMOVED] = "vdisk-image-removed",
        [STORVIRT_EVENT_VDISK_ATTACHED] = "vdisk-attached",
        [STORVIRT_EVENT_VDISK_DETACHED] = "vdisk-detached",
        [STORVIRT_EVENT_VDISK_PREPARED] = "vdisk-prepared",
        [STORVIRT_EVENT_VDISK_RELEASED] = "vdisk-released",
};

const char *storvirt__event_type_name(uint32_t type) {
        return type < ELEMENTSOF(type_names) ? type_names[type] : NULL;
}

uint32_t storvirt__event_type_from_name(const char *name) {
        for (uint32_t t = 0; t < ELEMENTSOF(type_names); t++)
                if (type_names[t] && strcmp(type_names[t], name) == 0)
                        return t;
        return 0;
}

struct event_cb {
        int id;
        uint32_t kinds;
        char *object;
        storvirt_event_fn fn;
        void *userdata;
        storvirt_destroy_fn destroy;
        uint64_t since;          /* the queue's serial when registered */
        unsigned calls;          /* calls in progress */
        bool removed;
        struct event_cb *next;
};

struct source {
        const storvirt__event_source_type *type;
        void *data;
        int fd;
        bool started;
};

typedef struct storvirt__events {
        pthread_mutex_t lock;
        pthread_mutex_t dispatch_lock;
        uint64_t origin;
        int dirfd;                    /* events/, -1 until the first journal write */
        storvirt__journal_writer writer;   /* on dirfd, once it is open */
        bool journal_warned;
        int epfd, evfd;               /* -1 until first asked for */
        pid_t pid;                    /* the process that made them */
        struct storvirt_event *head, *tail;
        uint64_t serial;
        struct event_cb *cbs;
        int next_id;
        uint32_t wanted;              /* kinds some callback wants */
        struct source sources[MAX_SOURCES];
        size_t n_sources;
        storvirt__events_stats stats;
} storvirt__events;

/* The subsystem this thread is dispatching (a callback calling back in). */
static __thread storvirt__events *dispatching;

/* ---- the slot ----------------------------------------------------------------------------------- */

static void cb_free(struct event_cb *cb) {
        if (cb->destroy)
                cb->destroy(cb->userdata);
        free(cb->object);
        free(cb);
}

static void events_free(void *p) {
        storvirt__events *e = p;
        struct event_cb *cb;

        for (size_t i = 0; i < e->n_sources; i++)
                if (e->sources[i].started)
                        e->sources[i].type->stop(e->sources[i].data);
        while (e->head) {
                struct storvirt_event *ev = e->head;

                e->head = ev->next;
                free(ev);
        }
        while ((cb = e->cbs)) {
                e->cbs = cb->next;
                cb_free(cb);
        }
        if (e->dirfd >= 0) {
                storvirt__journal_writer_done(&e->writer);
                close(e->dirfd);
        }
        if (e->epfd >= 0)
                close(e->epfd);
        if (e->evfd >= 0)
                close(e->evfd);
        pthread_mutex_destroy(&e->dispatch_lock);
        pthread_mutex_destroy(&e->lock);
        free(e);
}

static int events_new(void **ret) {
        storvirt__events *e = calloc(1, sizeof(*e));
        storvirt__uuid u;

        if (!e)
                return storvirt__error_oom();
        if (storvirt__uuid_generate_v4(&u) < 0) {
                free(e);
                return storvirt__error_code();
        }
        memcpy(&e->origin, u.b, sizeof(e->origin));
        pthread_mutex_init(&e->lock, NULL);
        pthread_mutex_init(&e->dispatch_lock, NULL);
        e->dirfd = e->epfd = e->evfd = -1;
        *ret = e;
        return 0;
}

static int events_get(storvirt_ctx *ctx, storvirt__events **ret) {
        return storvirt__ctx_slot_ensure(ctx, STORVIRT__CTX_SLOT_EVENTS, events_new, events_free,
                                         (void **)ret);
}

uint64_t storvirt__events_origin(storvirt_ctx *ctx) {
        storvirt__events *e;

        return events_get(ctx, &e) < 0 ? 0 : e->origin;
}

/* The epoll descriptor and the queue's eventfd, made once (e->lock held). */
static int poll_ensure_locked(storvirt__events *e) {
        struct epoll_event pe = { .events = EPOLLIN, .data.u32 = 0 };

        if (e->epfd >= 0)
                return e->pid == getpid() ? 0 : storvirt__error_set(-ECHILD,
                        "the context's events belong to process %d: after fork(), use a new "
                        "context", (int)e->pid);
        e->epfd = epoll_create1(EPOLL_CLOEXEC);
        if (e->epfd < 0)
                return storvirt__error_set(-errno, "events: epoll_create1: %m");
        e->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (e->evfd < 0 || epoll_ctl(e->epfd, EPOLL_CTL_ADD, e->evfd, &pe) < 0) {
                int r = -errno;

                if (e->evfd >= 0)
                        close(e->evfd);
                close(e->epfd);
                e->epfd = e->evfd = -1;
                return storvirt__error_set(r, "events: eventfd: %s", strerror(-r));
        }
        e->pid = getpid();
        return 0;
}

/* ---- the queue ---------------------------------------------------------------------------------- */

int storvirt__event_dup(const struct storvirt_event *ev, struct storvirt_event **ret) {
        const char *s[4] = { ev->pool, ev->name, ev->key, ev->detail };
        size_t len[4], total = sizeof(*ev);
        struct storvirt_event *c;
        char *p;

        for (size_t i = 0; i < 4; i++) {
                len[i] = s[i] ? strlen(s[i]) + 1 : 0;
                total += len[i];
        }
        c = malloc(total);
        if (!c)
                return storvirt__error_oom();
        *c = *ev;
        c->next = NULL;
        p = (char *)(c + 1);
        for (size_t i = 0; i < 4; i++) {
                const char **dst = i == 0 ? &c->pool : i == 1 ? &c->name : i == 2 ? &c->key
                                                                                    : &c->detail;

                *dst = s[i] ? memcpy(p, s[i], len[i]) : NULL;
                p += len[i];
        }
        *ret = c;
        return 0;
}

/* Journal order: after the last event with a number not above ev's (e->lock held). */
static void queue_insert_locked(storvirt__events *e, struct storvirt_event *ev) {
        struct storvirt_event **at = &e->head;

        ev->serial = ++e->serial;
        e->stats.queued++;
        if (!e->tail || ev->seq == 0 || e->tail->seq <= ev->seq) {
                if (e->tail)
                        e->tail->next = ev;
                else
                        e->head = ev;
                e->tail = ev;
                return;
        }
        while (*at && ((*at)->seq == 0 || (*at)->seq <= ev->seq))
                at = &(*at)->next;
        ev->next = *at;
        *at = ev;
}

static void wake(storvirt__events *e) {
        uint64_t one = 1;

        if (e->evfd >= 0 && e->pid == getpid() && write(e->evfd, &one, sizeof(one)) < 0 &&
            errno != EAGAIN)
                return;
}

int storvirt__events_queue(storvirt_ctx *ctx, const struct storvirt_event *ev) {
        struct storvirt_event *c;
        storvirt__events *e;
        int r = events_get(ctx, &e);

        if (r < 0)
                return r;
        r = storvirt__event_dup(ev, &c);
        if (r < 0)
                return r;
        storvirt__mutex_lock(&e->lock);
        queue_insert_locked(e, c);
        wake(e);
        storvirt__mutex_unlock(&e->lock);
        return 0;
}

/* ---- emitting ----------------------------------------------------------------------------------- */

static uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* The events directory, opened once; -errno (logged once) when it cannot be. */
static int journal_dirfd(storvirt_ctx *ctx, storvirt__events *e) {
        int fd, cur;

        storvirt__mutex_lock(&e->lock);
        cur = e->dirfd;
        storvirt__mutex_unlock(&e->lock);
        if (cur >= 0)
                return cur;
        fd = storvirt__ctx_state_subdir(ctx, EVENTS_DIR, true);
        if (fd < 0)
                return fd;
        storvirt__mutex_lock(&e->lock);
        if (e->dirfd < 0) {
                e->dirfd = fd;
                storvirt__journal_writer_init(&e->writer, fd);
        } else {
                close(fd);
        }
        cur = e->dirfd;
        storvirt__mutex_unlock(&e->lock);
        return cur;
}

static void journal_write(storvirt_ctx *ctx, storvirt__events *e, struct storvirt_event *ev) {
        int dfd = journal_dirfd(ctx, e), r;
        bool warn;

        r = dfd < 0 ? dfd : storvirt__journal_writer_append(&e->writer, ev, e->origin, &ev->seq);
        if (r >= 0)
                return;
        storvirt__mutex_lock(&e->lock);
        warn = !e->journal_warned;
        e->journal_warned = true;
        storvirt__mutex_unlock(&e->lock);
        if (warn)
                log_warning(ctx, "event '%s' of '%s' not recorded for other processes: %s",
                            storvirt__event_type_name(ev->type), ev->name, storvirt__error_msg());
}

void storvirt__event_emit(storvirt_ctx *ctx, uint32_t type, const char *pool,
                          const char *name, const char *key, const char *detail,
                          uint32_t flags) {
        struct storvirt_event ev = {
                .type = type, .pool = pool, .name = name, .key = key, .detail = detail,
                .time_usec = now_usec(), .pid = (int32_t)getpid(),
                .info = STORVIRT_EVENT_INFO_LOCAL,
        };
        struct storvirt_event *c = NULL;
        storvirt__error_saved saved;
        storvirt__events *e;
        bool wanted;

        if (!storvirt__event_type_name(type) || !name)
                return;
        storvirt__error_save(&saved);
        if (events_get(ctx, &e) < 0)
                goto out;
        if (!(flags & STORVIRT__EVENT_EMIT_LOCAL))
                journal_write(ctx, e, &ev);
        storvirt__mutex_lock(&e->lock);
        wanted = e->cbs && (e->wanted & storvirt__event_kind(type)) && e->pid == getpid();
        storvirt__mutex_unlock(&e->lock);
        if (!wanted || storvirt__event_dup(&ev, &c) < 0)
                goto out;
        storvirt__mutex_lock(&e->lock);
        queue_insert_locked(e, c);
        wake(e);
        storvirt__mutex_unlock(&e->lock);
out:
        storvirt__error_restore(&saved);
}

/* ---- sources ------------------------------------------------------------------------------------ */

/* Starts source s (dispatch lock held). */
static int source_start(storvirt_ctx *ctx, storvirt__events *e, size_t i) {
        struct source *s = &e->sources[i];
        struct epoll_event pe = { .events = EPOLLIN, .data.u32 = (uint32_t)i + 1 };
        int r;

        r = s->type->start(ctx, &s->data, &s->fd);
        if (r < 0)
                return storvirt__error_prefix("events: %s", s->type->name);
        if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, s->fd, &pe) < 0) {
                r = storvirt__error_set(-errno, "events: %s: epoll_ctl: %m", s->type->name);
                s->type->stop(s->data);
                return r;
        }
        s->started = true;
        /* what came before the first poll */
        r = s->type->process(ctx, s->data, false);
        return r < 0 ? r : 0;
}

/* Starts the sources some callback wants (dispatch lock held). */
static int sources_start_wanted(storvirt_ctx *ctx, storvirt__events *e) {
        uint32_t wanted;
        int r = 0;

        storvirt__mutex_lock(&e->lock);
        wanted = e->cbs ? e->wanted : 0;
        storvirt__mutex_unlock(&e->lock);
        for (size_t i = 0; r >= 0 && i < e->n_sources; i++)
                if (!e->sources[i].started && (e->sources[i].type->kinds & wanted))
                        r = source_start(ctx, e, i);
        return r;
}

/* Takes the dispatch lock unless this thread holds it (inside a callback). */
static bool dispatch_enter(storvirt__events *e) {
        if (dispatching == e)
                return false;
        pthread_mutex_lock(&e->dispatch_lock);
        return true;
}

static void dispatch_leave(storvirt__events *e, bool took) {
        if (took)
                pthread_mutex_unlock(&e->dispatch_lock);
}

int storvirt__events_add_source(storvirt_ctx *ctx, const storvirt__event_source_type *type) {
        storvirt__events *e;
        bool took;
        int r = events_get(ctx, &e);

        if (r < 0)
                return r;
        took = dispatch_enter(e);
        for (size_t i = 0; i < e->n_sources; i++)
                if (e->sources[i].type == type)
                        goto out;
        if (e->n_sources == MAX_SOURCES) {
                r = storvirt__error_set(-ENOSPC, "events: too many sources");
                goto out;
        }
        e->sources[e->n_sources++] = (struct source){ .type = type, .fd = -1 };
        storvirt__mutex_lock(&e->lock);
        r = poll_ensure_locked(e);
        storvirt__mutex_unlock(&e->lock);
        if (r >= 0)
                r = sources_start_wanted(ctx, e);
out:
        dispatch_leave(e, took);
        return r;
}

/* ---- callbacks ---------------------------------------------------------------------------------- */

static uint32_t wanted_locked(storvirt__events *e) {
        uint32_t w = 0;

        for (struct event_cb *cb = e->cbs; cb; cb = cb->next)
                w |= cb->kinds ? cb->kinds : ~0u;
        return w;
}

int storvirt__events_register(storvirt_ctx *ctx, uint32_t kinds, const char *object,
                              storvirt_event_fn fn, void *userdata,
                              storvirt_destroy_fn destroy) {
        struct event_cb *cb = calloc(1, sizeof(*cb));
        storvirt__events *e;
        bool took;
        int r, id;

        if (!cb || (object && !(cb->object = strdup(object)))) {
                free(cb);
                if (destroy)
                        destroy(userdata);
                return storvirt__error_oom();
        }
        *cb = (struct event_cb){ .kinds = kinds, .object = cb->object, .fn = fn,
                                 .userdata = userdata, .destroy = destroy };
        r = events_get(ctx, &e);
        if (r < 0) {
                cb_free(cb);
                return r;
        }
        storvirt__mutex_lock(&e->lock);
        r = poll_ensure_locked(e);
        if (r >= 0) {
                if (e->next_id == INT32_MAX)
                        e->next_id = 0;
                cb->id = id = ++e->next_id;
                cb->since = e->serial;
                cb->next = e->cbs;
                e->cbs = cb;
                e->wanted = wanted_locked(e);
        }
        storvirt__mutex_unlock(&e->lock);
        if (r < 0) {
                cb_free(cb);
                return r;
        }
        took = dispatch_enter(e);
        r = sources_start_wanted(ctx, e);
        dispatch_leave(e, took);
        if (r < 0) {
                storvirt__error_saved saved;

                storvirt__error_save(&saved);
                storvirt__events_deregister(ctx, id);
                return storvirt__error_restore(&saved);
        }
        return id;
}

int storvirt__events_deregister(storvirt_ctx *ctx, int id) {
        struct event_cb **at, *cb = NULL;
        storvirt__events *e;
        bool free_now = false;
        int r = events_get(ctx, &e);

        if (r < 0)
                return r;
        storvirt__mutex_lock(&e->lock);
        for (at = &e->cbs; *at; at = &(*at)->next)
                if ((*at)->id == id) {
                        cb = *at;
                        *at = cb->next;
                        cb->removed = true;
                        free_now = cb->calls == 0;
                        break;
                }
        e->wanted = wanted_locked(e);
        storvirt__mutex_unlock(&e->lock);
        if (!cb)
                return storvirt__error_set(-ENOENT, "no event callback with id %d", id);
        if (free_now)
                cb_free(cb);
        return 0;
}

int storvirt__events_get_fd(storvirt_ctx *ctx, int *ret_fd) {
        storvirt__events *e;
        int r = events_get(ctx, &e);

        if (r < 0)
                return r;
        storvirt__mutex_lock(&e->lock);
        r = poll_ensure_locked(e);
        if (r >= 0)
                *ret_fd = e->epfd;
        storvirt__mutex_unlock(&e->lock);
        return r;
}

/* ---- dispatch ----------------------------------------------------------------------------------- */

static bool cb_matches(const struct event_cb *cb, const struct storvirt_event *ev) {
        if (cb->removed || ev->serial <= cb->since)
                return false;
        if (cb->kinds && !(cb->kinds & storvirt__event_kind(ev->type)))
                return false;
        if (!cb->object)
                return true;
        return strcmp(cb->object, ev->name) == 0 || (ev->pool && strcmp(cb->object, ev->pool) == 0) ||
               (ev->key && strcmp(cb->object, ev->key) == 0);
}

/* Calls the callbacks that want ev; returns how many were called. */
static int deliver(storvirt_ctx *ctx, storvirt__events *e, const struct storvirt_event *ev) {
        struct event_cb *list[64], **many = NULL, **cbs = list;
        size_t n = 0, cap = ELEMENTSOF(list);
        int calls = 0;

        storvirt__mutex_lock(&e->lock);
        for (struct event_cb *cb = e->cbs; cb; cb = cb->next) {
                if (!cb_matches(cb, ev))
                        continue;
                if (n == cap) {
                        struct event_cb **g = realloc(many, 2 * cap * sizeof(*g));

                        if (!g)
                                break;   /* out of memory: the callbacks found so far */
                        if (!many)
                                memcpy(g, list, sizeof(list));
                        many = cbs = g;
                        cap *= 2;
                }
                cb->calls++;
                cbs[n++] = cb;
        }
        storvirt__mutex_unlock(&e->lock);
        for (size_t i = 0; i < n; i++) {
                struct event_cb *cb = cbs[i];
                bool removed, last;

                storvirt__mutex_lock(&e->lock);
                removed = cb->removed;
                storvirt__mutex_unlock(&e->lock);
                if (!removed) {
                        cb->fn(ctx, ev, cb->userdata);
                        calls++;
                }
                storvirt__mutex_lock(&e->lock);
                last = --cb->calls == 0 && cb->removed;
                storvirt__mutex_unlock(&e->lock);
                if (last)
                        cb_free(cb);
        }
        free(many);
        return calls;
}

/* Waits (up to timeout_ms) for the descriptor; ready[i + 1]: source i polled readable. */
static int poll_wait(storvirt__events *e, int timeout_ms, bool ready[MAX_SOURCES + 1]) {
        struct epoll_event pe[EPOLL_BATCH];
        int n;

        n = epoll_wait(e->epfd, pe, EPOLL_BATCH, timeout_ms);
        if (n < 0)
                return storvirt__error_set(-errno, "events: waiting: %m");
        for (int i = 0; i < n; i++)
                if (pe[i].data.u32 <= MAX_SOURCES)
                        ready[pe[i].data.u32] = true;
        return 0;
}

/* Lets every started source read (dispatch lock held). */
static int sources_process(storvirt_ctx *ctx, storvirt__events *e, const bool *ready) {
        uint64_t counter;
        int r = 0;

        if (ready[0] && read(e->evfd, &counter, sizeof(counter)) < 0 && errno != EAGAIN)
                return storvirt__error_set(-errno, "events: reading the queue's eventfd: %m");
        for (size_t i = 0; i < e->n_sources; i++) {
                struct source *s = &e->sources[i];
                int k;

                if (!s->started)
                        continue;
                k = s->type->process(ctx, s->data, ready[i + 1]);
                if (k < 0 && r >= 0)
                        r = k;
        }
        return r;
}

/* Calls the callbacks of every queued event, in order; returns how many calls. */
static int deliver_queued(storvirt_ctx *ctx, storvirt__events *e) {
        struct storvirt_event *batch, *ev;
        int calls = 0;

        storvirt__mutex_lock(&e->lock);
        batch = e->head;
        e->head = e->tail = NULL;
        storvirt__mutex_unlock(&e->lock);
        while ((ev = batch)) {
                batch = ev->next;
                calls += deliver(ctx, e, ev);
                free(ev);
        }
        storvirt__mutex_lock(&e->lock);
        e->stats.delivered += (uint64_t)calls;
        storvirt__mutex_unlock(&e->lock);
        return calls;
}

/*
 * The wait happens before the dispatch lock is taken, so a dispatch that
 * waits long never holds up another thread's (or a registration).
 */
int storvirt__events_dispatch(storvirt_ctx *ctx, int timeout_ms) {
        bool ready[MAX_SOURCES + 1] = {};
        storvirt__events *e;
        int r, calls;

        r = events_get(ctx, &e);
        if (r < 0)
                return r;
        if (dispatching == e)
                return storvirt__error_set(-EBUSY, "events: dispatch called from one of this "
                                                   "context's event callbacks");
        storvirt__mutex_lock(&e->lock);
        r = poll_ensure_locked(e);
        storvirt__mutex_unlock(&e->lock);
        if (r >= 0)
                r = poll_wait(e, timeout_ms, ready);
        if (r < 0)
                return r;
        pthread_mutex_lock(&e->dispatch_lock);
        dispatching = e;
        r = sources_process(ctx, e, ready);
        calls = deliver_queued(ctx, e);
        dispatching = NULL;
        pthread_mutex_unlock(&e->dispatch_lock);
        if (r < 0 && calls == 0)
                return r;
        return calls;
}

/* ---- counters ----------------------------------------------------------------------------------- */

void storvirt__events_get_stats(storvirt_ctx *ctx, storvirt__events_stats *ret) {
        storvirt__events *e;

        *ret = (storvirt__events_stats){};
        if (events_get(ctx, &e) < 0)
                return;
        storvirt__mutex_lock(&e->lock);
        *ret = e->stats;
        storvirt__mutex_unlock(&e->lock);
}

void storvirt__events_count(storvirt_ctx *ctx, size_t offset, uint64_t n) {
        storvirt__events *e;

        if (events_get(ctx, &e) < 0)
                return;
        storvirt__mutex_lock(&e->lock);
        *(uint64_t *)((char *)&e->stats + offset) += n;
        storvirt__mutex_unlock(&e->lock);
}
