/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lun_event.c - the host's LUNs changing: the device source of a
 * context's events, and storvirt_lun_refresh_size().
 *
 * The source is a udev monitor of the block devices (the sys-ops table's
 * blkmon slots), whose descriptor joins the context's epoll descriptor.
 * A uevent of a disk only says that something changed: the source then
 * runs a discovery pass without usage probes (blk_scan) and compares it
 * with the one before, LUN by LUN (by GUID, else by kernel name), so that
 * a multipath map and its paths give one LUN's events: added, removed,
 * its paths or their states changed, its capacity changed.
 *
 * A capacity is announced once: storvirt_lun_refresh_size() and the
 * monitor (which sees the uevent of the same change) note the last
 * capacity each LUN was announced with in the context's LUN sizes slot.
 */
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/lun.h"
#include "objects/holders.h"
#include "objects/records.h"
#include "objects/vdisk_rec.h"
#include "util/hashmap.h"
#include "util/log.h"
#include "util/macro.h"

#define VDISKS "vdisks"

/* ---- capacities announced ------------------------------------------------------------------- */

struct lun_sizes {
        pthread_mutex_t lock;
        storvirt__hashmap *last;     /* LUN key -> uint64_t * */
};

static void sizes_free(void *p) {
        struct lun_sizes *s = p;

        storvirt__hashmap_free(s->last);
        pthread_mutex_destroy(&s->lock);
        free(s);
}

static int sizes_new(void **ret) {
        struct lun_sizes *s = calloc(1, sizeof(*s));

        if (!s || storvirt__hashmap_new(&s->last, free) < 0) {
                free(s);
                return storvirt__error_oom();
        }
        pthread_mutex_init(&s->lock, NULL);
        *ret = s;
        return 0;
}

/* The key of a LUN in events: its GUID, else its kernel name. */
static const char *lun_key(const struct storvirt__blk_lun *l) {
        return l->guid[0] ? l->guid : l->name;
}

/* Whether capacity is news for the LUN (then noted); true when it cannot be told. */
static bool size_is_news(storvirt_ctx *ctx, const char *key, uint64_t capacity) {
        struct lun_sizes *s;
        uint64_t *v, *c;
        bool news = true;

        if (!key || storvirt__ctx_slot_ensure(ctx, STORVIRT__CTX_SLOT_LUN_SIZES, sizes_new,
                                              sizes_free, (void **)&s) < 0)
                return true;
        pthread_mutex_lock(&s->lock);
        v = storvirt__hashmap_get(s->last, key);
        if (v && *v == capacity)
                news = false;
        else if (v)
                *v = capacity;
        else if ((c = malloc(sizeof(*c)))) {
                *c = capacity;
                if (storvirt__hashmap_put(s->last, key, c) < 0)
                        free(c);
        }
        pthread_mutex_unlock(&s->lock);
        return news;
}

static uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Queues a LUN event the monitor saw (not made by this context). */
static void queue_lun_event(storvirt_ctx *ctx, uint32_t type, const struct storvirt__blk_lun *l,
                            const char *detail) {
        struct storvirt_event ev = {
                .type = type, .name = lun_key(l), .key = l->devnode, .detail = detail,
                .time_usec = now_usec(),
        };

        if (storvirt__events_queue(ctx, &ev) < 0) {
                log_warning(ctx, "events: LUN '%s': %s", ev.name, storvirt__error_msg());
                storvirt__error_reset();
        }
}

void storvirt__lun_announce_size(storvirt_ctx *ctx, const struct storvirt__blk_lun *l,
                                 uint64_t capacity, bool local) {
        char detail[32];

        if (!size_is_news(ctx, lun_key(l), capacity))
                return;
        snprintf(detail, sizeof(detail), "%" PRIu64, capacity);
        if (local)
                storvirt__event_emit(ctx, STORVIRT_EVENT_LUN_RESIZED, NULL, lun_key(l),
                                     l->devnode, detail, STORVIRT__EVENT_EMIT_LOCAL);
        else
                queue_lun_event(ctx, STORVIRT_EVENT_LUN_RESIZED, l, detail);
}

/* ---- the device source ---------------------------------------------------------------------- */

struct devmon {
        storvirt_ctx *ctx;                  /* weak: the source lives in the context */
        const storvirt__sysops *ops;
        storvirt__blkmon *mon;
        struct storvirt__blk_scan *known;   /* the last pass compared */
};

static void devmon_stop(void *data) {
        struct devmon *d = data;

        if (!d)
                return;
        if (d->mon)
                d->ops->blkmon_close(d->mon);
        storvirt__blk_scan_free(d->known);
        free(d);
}

static int devmon_start(storvirt_ctx *ctx, void **ret_data, int *ret_fd) {
        struct devmon *d = calloc(1, sizeof(*d));
        int r;

        if (!d)
                return storvirt__error_oom();
        d->ctx = ctx;
        d->ops = storvirt__ctx_sysops(ctx);
        r = d->ops->blkmon_open(&d->mon, ret_fd);
        /* what the host has now, to compare the first change with */
        if (r >= 0)
                r = d->ops->blk_scan(&d->known);
        if (r < 0) {
                devmon_stop(d);
                return r;
        }
        *ret_data = d;
        return 0;
}

/* Its paths as the detail of a path event: "sdc:running,sdd:offline". */
static void paths_text(const struct storvirt__blk_lun *l, char *buf, size_t size) {
        size_t n = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < l->n_paths && n < size; i++) {
                const struct storvirt__blk_path *p = &l->paths[i];
                int k = snprintf(buf + n, size - n, "%s%s%s%s", i ? "," : "", p->name,
                                 p->state[0] ? ":" : "", p->state);

                n += k > 0 ? (size_t)k : 0;
        }
}

static int index_scan(const struct storvirt__blk_scan *s, storvirt__hashmap **ret) {
        int r = storvirt__hashmap_new(ret, NULL);

        for (size_t i = 0; r >= 0 && s && i < s->n_luns; i++)
                if (!storvirt__hashmap_contains(*ret, lun_key(&s->luns[i])))
                        r = storvirt__hashmap_put(*ret, lun_key(&s->luns[i]),
                                                  (void *)(uintptr_t)(i + 1));
        return r;
}

/* The events between two passes: removed, then added and changed in the new pass's order. */
static int compare_scans(storvirt_ctx *ctx, const struct storvirt__blk_scan *was,
                         const struct storvirt__blk_scan *now) {
        _cleanup_(storvirt__hashmap_freep) storvirt__hashmap *old_ix = NULL, *new_ix = NULL;
        char a[1024], b[1024];
        int r = index_scan(was, &old_ix);

        if (r >= 0)
                r = index_scan(now, &new_ix);
        if (r < 0)
                return r;
        for (size_t i = 0; was && i < was->n_luns; i++)
                if (!storvirt__hashmap_contains(new_ix, lun_key(&was->luns[i])))
                        queue_lun_event(ctx, STORVIRT_EVENT_LUN_REMOVED, &was->luns[i], NULL);
        for (size_t i = 0; i < now->n_luns; i++) {
                const struct storvirt__blk_lun *l = &now->luns[i], *o;
                void *v = storvirt__hashmap_get(old_ix, lun_key(l));

                if (!v) {
                        queue_lun_event(ctx, STORVIRT_EVENT_LUN_ADDED, l, NULL);
                        (void)size_is_news(ctx, lun_key(l), l->capacity);
                        continue;
                }
                o = &was->luns[(uintptr_t)v - 1];
                paths_text(o, a, sizeof(a));
                paths_text(l, b, sizeof(b));
                if (strcmp(a, b) != 0)
                        queue_lun_event(ctx, STORVIRT_EVENT_LUN_PATH_CHANGED, l, b);
                if (o->capacity != l->capacity)
                        storvirt__lun_announce_size(ctx, l, l->capacity, false);
        }
        return 0;
}

static int devmon_process(storvirt_ctx *ctx, void *data, bool ready) {
        struct devmon *d = data;
        struct storvirt__blk_uevent ue;
        struct storvirt__blk_scan *now = NULL;
        bool disks = false;
        int r;

        if (!ready)
                return 0;
        while ((r = d->ops->blkmon_receive(d->mon, &ue)) > 0)
                disks |= !ue.partition;
        if (r < 0 || !disks)
                return r;
        r = d->ops->blk_scan(&now);
        if (r < 0)
                return storvirt__error_prefix("events: the host's devices");
        r = compare_scans(ctx, d->known, now);
        storvirt__blk_scan_free(d->known);
        d->known = now;
        return r;
}

const storvirt__event_source_type storvirt__event_source_devices = {
        .name = "devices",
        .kinds = STORVIRT_EVENT_KIND_LUN,
        .start = devmon_start,
        .process = devmon_process,
        .stop = devmon_stop,
};

/* ---- refresh_size --------------------------------------------------------------------------- */

/* The vDisk that holds the LUN records its new capacity (its base image's). */
static int vdisk_record_capacity(storvirt_ctx *ctx, const struct storvirt__blk_lun *l,
                                 uint64_t capacity) {
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;
        storvirt__holders *h = NULL;
        storvirt__vrec *v = NULL;
        char ident[PATH_MAX + 8], *id = NULL;
        int r;

        if (!storvirt__lun_identity(l, ident, sizeof(ident)))
                return 0;
        r = storvirt__holders_load(ctx, false, &h);
        if (r < 0)
                return r;
        if (storvirt__holders_by_identity(h, ident) &&
            !(id = strdup(storvirt__holders_by_identity(h, ident))))
                r = storvirt__error_oom();
        storvirt__holders_free(h);
        if (r < 0 || !id)
                return r;
        r = storvirt__records_lock(ctx, VDISKS, STORVIRT__LOCK_EXCLUSIVE, &lock);
        if (r >= 0)
                r = storvirt__vrec_read(ctx, id, true, &v);
        if (r >= 0 && v->n_images > 0 && v->images[0].type == STORVIRT__DISK_TYPE_BLOCK &&
            v->images[0].capacity != capacity) {
                v->images[0].capacity = capacity;
                r = storvirt__vrec_save(ctx, v);
        }
        if (r < 0)
                storvirt__error_prefix("vDisk '%s' holding the LUN", id);
        storvirt__vrec_free(v);
        free(id);
        return r;
}

/* A multipath map takes its paths' size when one of them differs from its own. */
static int map_resize(const storvirt__sysops *ops, const struct storvirt__blk_lun *l) {
        uint64_t map = 0, path = 0;
        int r = ops->blk_size_read(l->name, &map);

        for (size_t i = 0; r >= 0 && i < l->n_paths; i++) {
                r = ops->blk_size_read(l->paths[i].name, &path);
                if (r >= 0 && path != map)
                        break;
        }
        if (r < 0 || path == map)
                return r;
        r = ops->mpath_resize(l->dm_name);
        if (r == -ENOENT)
                return storvirt__error_set(-EOPNOTSUPP, "multipath map '%s': its paths now hold "
                                           "%" PRIu64 " bytes, the map %" PRIu64 ", and "
                                           "multipathd, which resizes maps, is not installed",
                                           l->dm_name, path, map);
        return r;
}

STORVIRT_EXPORT int storvirt_lun_refresh_size(storvirt_lun *lun, uint64_t *ret_old_capacity,
                                              uint64_t *ret_new_capacity, uint32_t flags) {
        const struct storvirt__blk_lun *l;
        const storvirt__sysops *ops;
        storvirt_ctx *ctx;
        uint64_t now = 0;
        int r = 0;

        check_nonnull(lun);
        check_flags(flags, 0);
        l = storvirt__lun_blk(lun);
        ctx = storvirt__lun_ctx(lun);
        ops = storvirt__ctx_sysops(ctx);
        for (size_t i = 0; r >= 0 && i < l->n_paths; i++)
                r = ops->blk_rescan(l->paths[i].name);
        if (r >= 0 && l->n_paths == 0 && !l->multipath)
                r = ops->blk_rescan(l->name);
        if (r >= 0 && l->multipath && l->dm_name)
                r = map_resize(ops, l);
        if (r >= 0)
                r = ops->blk_size_read(l->name, &now);
        if (r < 0)
                return storvirt__error_prefix("LUN '%s'", lun_key(l));
        if (now != l->capacity) {
                log_debug(ctx, "LUN '%s': %" PRIu64 " -> %" PRIu64 " bytes", lun_key(l),
                          l->capacity, now);
                storvirt__lun_announce_size(ctx, l, now, true);
                /* the next list or lookup discovers again */
                storvirt__ctx_set_lun_snap(ctx, NULL);
        }
        r = vdisk_record_capacity(ctx, l, now);
        if (r < 0)
                return storvirt__error_prefix("LUN '%s' now holds %" PRIu64 " bytes, but",
                                              lun_key(l), now);
        if (ret_old_capacity)
                *ret_old_capacity = l->capacity;
        if (ret_new_capacity)
                *ret_new_capacity = now;
        return 0;
}
