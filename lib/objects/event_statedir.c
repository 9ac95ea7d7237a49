/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * event_statedir.c - the state directory as an event source: inotify,
 * the event journal, and the comparison of changed records with what
 * was known of them (see objects/event_statedir.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "objects/event_journal.h"
#include "objects/event_statedir.h"
#include "objects/pool_registry.h"
#include "objects/records.h"
#include "objects/vdisk_diff.h"
#include "util/hashmap.h"
#include "util/log.h"
#include "util/macro.h"
#include "util/strv.h"

#define VDISKS "vdisks"
#define RECORD_SUFFIX ".json"
#define WATCH_MASK (IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ONLYDIR | IN_DONT_FOLLOW)
#define JOURNAL_MASK (IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_ONLYDIR | IN_DONT_FOLLOW)

/* What is known of a pool: STORVIRT__POOL_STORED_* bits. */
struct pool_known {
        uint32_t state;
        bool touched;            /* journal entries since it was last compared */
};

/* What is known of a vDisk record. */
struct vdisk_known {
        bool present;
        storvirt__vrec_digest d;
        dev_t dev;
        ino_t ino;
        struct timespec mtime;
        off_t size;
        bool touched;
};

struct statedir {
        storvirt_ctx *ctx;             /* weak: the source lives in the context */
        int ifd;
        int wd_events, wd_pools, wd_run, wd_vdisks;
        int events_fd;
        storvirt__journal_reader reader;
        uint64_t gaps_seen;
        uint64_t origin;
        pid_t pid;
        storvirt__hashmap *pools;      /* name -> struct pool_known */
        storvirt__hashmap *vdisks;     /* id -> struct vdisk_known */
        storvirt__hashmap *mark_pools, *mark_vdisks;   /* to compare (no values) */
        bool full;                     /* compare everything */
};

static void vdisk_known_free(void *p) {
        struct vdisk_known *k = p;

        if (k)
                storvirt__vrec_digest_clear(&k->d);
        free(k);
}

static void statedir_stop(void *data) {
        struct statedir *s = data;

        if (!s)
                return;
        if (s->ifd >= 0)
                close(s->ifd);
        if (s->events_fd >= 0)
                close(s->events_fd);
        storvirt__journal_reader_done(&s->reader);
        storvirt__hashmap_free(s->pools);
        storvirt__hashmap_free(s->vdisks);
        storvirt__hashmap_free(s->mark_pools);
        storvirt__hashmap_free(s->mark_vdisks);
        free(s);
}

static uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* An event found by comparison. */
static int queue_found(struct statedir *s, uint32_t type, const char *name, const char *detail) {
        struct storvirt_event ev = {
                .type = type, .name = name, .detail = detail,
                .pool = storvirt__event_kind(type) == STORVIRT_EVENT_KIND_POOL ? name : NULL,
                .time_usec = now_usec(), .info = STORVIRT_EVENT_INFO_RESCAN,
        };

        STORVIRT__EVENTS_COUNT(s->ctx, rescan_events, 1);
        return storvirt__events_queue(s->ctx, &ev);
}

/* ---- the journal -------------------------------------------------------------------------------- */

static void touch(struct statedir *s, const struct storvirt_event *ev) {
        uint32_t kind = storvirt__event_kind(ev->type);

        if (kind == STORVIRT_EVENT_KIND_POOL) {
                struct pool_known *k = storvirt__hashmap_get(s->pools, ev->name);

                if (!k && (k = calloc(1, sizeof(*k))) &&
                    storvirt__hashmap_put(s->pools, ev->name, k) < 0) {
                        free(k);
                        k = NULL;
                }
                if (k)
                        k->touched = true;
        } else if (kind == STORVIRT_EVENT_KIND_VDISK) {
                struct vdisk_known *k = storvirt__hashmap_get(s->vdisks, ev->name);

                if (!k && (k = calloc(1, sizeof(*k))) &&
                    storvirt__hashmap_put(s->vdisks, ev->name, k) < 0) {
                        free(k);
                        k = NULL;
                }
                if (k)
                        k->touched = true;
        }
}

static int on_entry(const struct storvirt_event *ev, uint64_t origin, void *userdata) {
        struct statedir *s = userdata;
        struct storvirt_event c = *ev;

        touch(s, ev);
        STORVIRT__EVENTS_COUNT(s->ctx, journal_read, 1);
        if (origin == s->origin && ev->pid == s->pid) {
                /* made by this context: queued when it was made */
                STORVIRT__EVENTS_COUNT(s->ctx, journal_skipped, 1);
                return 0;
        }
        c.info = 0;
        return storvirt__events_queue(s->ctx, &c);
}

static int catch_up(struct statedir *s) {
        int r = storvirt__journal_reader_read(&s->reader, s->events_fd, on_entry, s);

        if (s->reader.gaps != s->gaps_seen) {
                log_warning(s->ctx, "event journal: %llu entries lost (this reader fell more "
                                    "than a journal file behind); comparing every record",
                            (unsigned long long)(s->reader.gaps - s->gaps_seen));
                STORVIRT__EVENTS_COUNT(s->ctx, gaps, s->reader.gaps - s->gaps_seen);
                s->gaps_seen = s->reader.gaps;
                s->full = true;
        }
        return r < 0 ? r : 0;
}

/* ---- pools -------------------------------------------------------------------------------------- */

/* The events from a pool's known state to its current one. */
static void pool_diff(struct statedir *s, const char *name, uint32_t old, uint32_t cur) {
        bool d0 = old & STORVIRT__POOL_STORED_DEFINED, d1 = cur & STORVIRT__POOL_STORED_DEFINED;
        bool a0 = old & STORVIRT__POOL_STORED_RUNNING, a1 = cur & STORVIRT__POOL_STORED_RUNNING;

        if (!d0 && d1)
                queue_found(s, STORVIRT_EVENT_POOL_DEFINED, name, NULL);
        if (!a0 && a1)
                queue_found(s, STORVIRT_EVENT_POOL_STARTED, name, NULL);
        if (a0 && !a1)
                queue_found(s, STORVIRT_EVENT_POOL_STOPPED, name, NULL);
        if (d0 && !d1)
                queue_found(s, STORVIRT_EVENT_POOL_UNDEFINED, name, NULL);
}

/*
 * Compares the pools in names with what is known (emit false: learns
 * them silently), under the definitions' lock after reading the journal.
 */
static int pools_compare(struct statedir *s, char **names, bool emit) {
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;
        size_t n = storvirt__strv_length(names);
        _cleanup_free_ uint32_t *cur = calloc(n + 1, sizeof(*cur));
        int r;

        if (!cur)
                return storvirt__error_oom();
        r = storvirt__pool_store_lock(s->ctx, STORVIRT__LOCK_EXCLUSIVE, &lock);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                cur[i] = storvirt__pool_store_state(s->ctx, names[i]);
        r = catch_up(s);
        storvirt__lock_release(&lock);
        for (size_t i = 0; i < n; i++) {
                struct pool_known *k = storvirt__hashmap_get(s->pools, names[i]);

                STORVIRT__EVENTS_COUNT(s->ctx, verified, 1);
                if (emit && !(k && k->touched))
                        pool_diff(s, names[i], k ? k->state : 0, cur[i]);
                if (!cur[i]) {
                        storvirt__hashmap_remove(s->pools, names[i]);
                        continue;
                }
                if (!k && (k = calloc(1, sizeof(*k))) &&
                    storvirt__hashmap_put(s->pools, names[i], k) < 0) {
                        free(k);
                        return storvirt__error_oom();
                }
                if (!k)
                        return storvirt__error_oom();
                *k = (struct pool_known){ .state = cur[i] };
        }
        return r;
}

/* ---- vDisks ------------------------------------------------------------------------------------- */

static bool same_file(const struct vdisk_known *k, const struct stat *st) {
        return k && k->present && k->dev == st->st_dev && k->ino == st->st_ino &&
               k->size == st->st_size && k->mtime.tv_sec == st->st_mtim.tv_sec &&
               k->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/*
 * The current state of record id into *cur (present false: none); 1 when
 * it is the file known already (nothing read), 0 when read, <0 when it
 * cannot be read (left as known).
 */
static int vdisk_current(struct statedir *s, int dfd, const char *id, struct vdisk_known *cur) {
        struct vdisk_known *k = storvirt__hashmap_get(s->vdisks, id);
        _cleanup_vrec_ storvirt__vrec *v = NULL;
        char file[NAME_MAX + 1];
        struct stat st;
        int r;

        *cur = (struct vdisk_known){};
        if (snprintf(file, sizeof(file), "%s" RECORD_SUFFIX, id) >= (int)sizeof(file))
                return -EINVAL;
        if (dfd < 0 || fstatat(dfd, file, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return dfd < 0 || errno == ENOENT ? 0 : -errno;
        if (same_file(k, &st))
                return 1;
        r = storvirt__vrec_read(s->ctx, id, true, &v);
        if (r < 0) {
                log_debug(s->ctx, "events: vDisk record %s: %s", id, storvirt__error_msg());
                return r;
        }
        if (v->saved) {
                cur->d = *v->saved;   /* taken from the record read */
                *v->saved = (storvirt__vrec_digest){};
        } else if ((r = storvirt__vrec_digest_of(v, &cur->d)) < 0) {
                return r;
        }
        cur->present = true;
        cur->dev = st.st_dev;
        cur->ino = st.st_ino;
        cur->size = st.st_size;
        cur->mtime = st.st_mtim;
        return 0;
}

struct diff_to {
        struct statedir *s;
        const char *id;
};

static void vdisk_found(uint32_t type, const char *detail, void *userdata) {
        struct diff_to *t = userdata;

        queue_found(t->s, type, t->id, detail);
}

/* Makes cur what is known of id, emitting the difference first when asked. */
static int vdisk_learn(struct statedir *s, const char *id, struct vdisk_known *cur, bool emit) {
        struct vdisk_known *k = storvirt__hashmap_get(s->vdisks, id);
        struct diff_to t = { s, id };

        if (emit && !(k && k->touched))
                storvirt__vrec_diff(k && k->present ? &k->d : NULL, cur->present ? &cur->d : NULL,
                                    vdisk_found, &t);
        if (!cur->present) {
                storvirt__hashmap_remove(s->vdisks, id);
                return 0;
        }
        if (!k) {
                k = calloc(1, sizeof(*k));
                if (!k || storvirt__hashmap_put(s->vdisks, id, k) < 0) {
                        free(k);
                        storvirt__vrec_digest_clear(&cur->d);
                        return storvirt__error_oom();
                }
        }
        storvirt__vrec_digest_clear(&k->d);
        *k = *cur;
        k->touched = false;
        *cur = (struct vdisk_known){};
        return 0;
}

/* As pools_compare(), for vDisk records, under their lock. */
static int vdisks_compare(struct statedir *s, char **ids, bool emit) {
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;
        size_t n = storvirt__strv_length(ids);
        struct vdisk_known *cur = calloc(n + 1, sizeof(*cur));
        int *got = calloc(n + 1, sizeof(*got)), dfd = -1, r;

        if (!cur || !got) {
                free(cur);
                free(got);
                return storvirt__error_oom();
        }
        r = storvirt__records_lock(s->ctx, VDISKS, STORVIRT__LOCK_SHARED, &lock);
        if (r >= 0)
                dfd = storvirt__records_dirfd(s->ctx, VDISKS, false);
        for (size_t i = 0; r >= 0 && i < n; i++)
                got[i] = vdisk_current(s, dfd, ids[i], &cur[i]);
        if (r >= 0)
                r = catch_up(s);
        if (dfd >= 0)
                close(dfd);
        storvirt__lock_release(&lock);
        for (size_t i = 0; i < n; i++) {
                struct vdisk_known *k = storvirt__hashmap_get(s->vdisks, ids[i]);

                STORVIRT__EVENTS_COUNT(s->ctx, verified, 1);
                if (got[i] == 1 && k)
                        k->touched = false;   /* the file known: nothing changed since */
                else if (got[i] == 0 && r >= 0)
                        r = vdisk_learn(s, ids[i], &cur[i], emit);
                storvirt__vrec_digest_clear(&cur[i].d);
        }
        free(cur);
        free(got);
        return r;
}

/* ---- what to compare ---------------------------------------------------------------------------- */

static int mark(storvirt__hashmap *m, const char *name, size_t suffix_len) {
        char key[NAME_MAX + 1];
        size_t n = strlen(name);

        if (name[0] == '.' || n <= suffix_len || n - suffix_len > NAME_MAX)
                return 0;
        memcpy(key, name, n - suffix_len);
        key[n - suffix_len] = '\0';
        return storvirt__hashmap_replace(m, key, NULL);
}

static bool has_suffix(const char *s, const char *suffix) {
        size_t n = strlen(s), k = strlen(suffix);

        return n > k && strcmp(s + n - k, suffix) == 0;
}

static int inotify_read(struct statedir *s) {
        char buf[64 << 10] __attribute__((aligned(__alignof__(struct inotify_event))));
        int r = 0;

        for (;;) {
                ssize_t n = read(s->ifd, buf, sizeof(buf));

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return r;
                if (n <= 0)
                        return n < 0 ? storvirt__error_set(-errno, "events: inotify: %m") : r;
                for (char *p = buf; p < buf + n;) {
                        const struct inotify_event *ie = (const struct inotify_event *)p;

                        p += sizeof(*ie) + ie->len;
                        if (ie->mask & (IN_Q_OVERFLOW | IN_IGNORED)) {
                                if (ie->mask & IN_Q_OVERFLOW)
                                        STORVIRT__EVENTS_COUNT(s->ctx, overflows, 1);
                                s->full = true;
                                continue;
                        }
                        if (!ie->len)
                                continue;
                        if (ie->wd == s->wd_pools && has_suffix(ie->name, ".xml"))
                                r = mark(s->mark_pools, ie->name, 4);
                        else if (ie->wd == s->wd_run)
                                r = mark(s->mark_pools, ie->name, 0);
                        else if (ie->wd == s->wd_vdisks && has_suffix(ie->name, RECORD_SUFFIX))
                                r = mark(s->mark_vdisks, ie->name, strlen(RECORD_SUFFIX));
                        if (r < 0)
                                return r;
                }
        }
}

/* The keys of *m, then *m emptied. */
static int take_marks(storvirt__hashmap **m, char ***ret) {
        storvirt__hashmap *fresh = NULL;
        int r = storvirt__hashmap_new(&fresh, NULL);

        if (r >= 0)
                r = storvirt__hashmap_keys(*m, ret);
        if (r < 0) {
                storvirt__hashmap_free(fresh);
                return r;
        }
        storvirt__hashmap_free(*m);
        *m = fresh;
        return 0;
}

/* Every name known or stored, for a rescan. */
static int all_names(storvirt__hashmap *known, char **stored, char ***ret) {
        _cleanup_strv_free_ char **k = NULL;
        char **all = NULL;
        int r = storvirt__hashmap_keys(known, &k);

        if (r >= 0)
                r = storvirt__strv_copy(stored, &all);
        for (char **p = k; r >= 0 && *p; p++)
                if (!storvirt__strv_contains(all, *p) && storvirt__strv_extend(&all, *p) < 0)
                        r = storvirt__error_oom();
        if (r < 0) {
                storvirt__strv_free(all);
                return r;
        }
        *ret = storvirt__strv_sort(all);
        return 0;
}

/* Compares every pool and vDisk (emit false: learns the state at start). */
static int rescan(struct statedir *s, bool emit) {
        _cleanup_strv_free_ char **stored = NULL, **names = NULL, **ids = NULL;
        char **dummy = NULL;
        int r;

        r = storvirt__pool_store_names(s->ctx, &stored);
        if (r >= 0)
                r = all_names(s->pools, stored, &names);
        if (r >= 0)
                r = pools_compare(s, names, emit);
        storvirt__strv_free(stored);
        stored = NULL;
        if (r >= 0)
                r = storvirt__records_list(s->ctx, VDISKS, &stored);
        if (r >= 0)
                r = all_names(s->vdisks, stored, &ids);
        if (r >= 0)
                r = vdisks_compare(s, ids, emit);
        if (r >= 0 && (r = take_marks(&s->mark_pools, &dummy)) >= 0) {
                storvirt__strv_free(dummy);
                dummy = NULL;
                r = take_marks(&s->mark_vdisks, &dummy);
                storvirt__strv_free(dummy);
        }
        return r;
}

static int statedir_process(storvirt_ctx *ctx, void *data, bool ready) {
        _cleanup_strv_free_ char **pools = NULL, **vdisks = NULL;
        struct statedir *s = data;
        int r = 0;

        (void)ctx;
        if (ready)
                r = inotify_read(s);
        if (r >= 0)
                r = catch_up(s);
        if (r >= 0 && s->full) {
                s->full = false;
                STORVIRT__EVENTS_COUNT(s->ctx, rescans, 1);
                log_debug(s->ctx, "events: comparing every pool and vDisk record");
                return rescan(s, true);
        }
        if (r >= 0)
                r = take_marks(&s->mark_pools, &pools);
        if (r >= 0 && pools[0])
                r = pools_compare(s, pools, true);
        if (r >= 0)
                r = take_marks(&s->mark_vdisks, &vdisks);
        if (r >= 0 && vdisks[0])
                r = vdisks_compare(s, vdisks, true);
        return r;
}

/* ---- start -------------------------------------------------------------------------------------- */

/* Watches <state>/sub (created when missing). */
static int watch(struct statedir *s, const char *sub, uint32_t mask, int *ret_wd) {
        const char *dir = NULL;
        char path[PATH_MAX];
        int fd, wd;

        fd = storvirt__ctx_state_subdir(s->ctx, sub, true);
        if (fd < 0)
                return fd;
        close(fd);
        if (storvirt_ctx_get_state_dir(s->ctx, &dir) < 0)
                return storvirt__error_code();
        if (snprintf(path, sizeof(path), "%s/%s", dir, sub) >= (int)sizeof(path))
                return storvirt__error_set(-ENAMETOOLONG, "events: %s/%s: name too long", dir, sub);
        wd = inotify_add_watch(s->ifd, path, mask);
        if (wd < 0)
                return storvirt__error_set(-errno, "events: cannot watch %s: %m%s", path,
                                           errno == ENOSPC ? " (fs.inotify.max_user_watches)" : "");
        *ret_wd = wd;
        return 0;
}

static int statedir_start(storvirt_ctx *ctx, void **ret_data, int *ret_fd) {
        struct statedir *s = calloc(1, sizeof(*s));
        int r;

        if (!s)
                return storvirt__error_oom();
        *s = (struct statedir){ .ctx = ctx, .ifd = -1, .events_fd = -1, .pid = getpid(),
                                .origin = storvirt__events_origin(ctx) };
        storvirt__journal_reader_init(&s->reader);
        r = storvirt__hashmap_new(&s->pools, free);
        if (r >= 0)
                r = storvirt__hashmap_new(&s->vdisks, vdisk_known_free);
        if (r >= 0)
                r = storvirt__hashmap_new(&s->mark_pools, NULL);
        if (r >= 0)
                r = storvirt__hashmap_new(&s->mark_vdisks, NULL);
        s->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (r >= 0 && s->ifd < 0)
                r = storvirt__error_set(-errno, "events: inotify_init1: %m%s",
                                        errno == EMFILE ? " (fs.inotify.max_user_instances)" : "");
        /* watches first, then the journal's end, then the records: nothing falls between */
        if (r >= 0)
                r = watch(s, "events", JOURNAL_MASK, &s->wd_events);
        if (r >= 0)
                r = watch(s, "pools", WATCH_MASK, &s->wd_pools);
        if (r >= 0)
                r = watch(s, "pools/run", WATCH_MASK, &s->wd_run);
        if (r >= 0)
                r = watch(s, VDISKS, WATCH_MASK, &s->wd_vdisks);
        if (r >= 0 && (s->events_fd = storvirt__ctx_state_subdir(ctx, "events", true)) < 0)
                r = s->events_fd;
        if (r >= 0)
                r = storvirt__journal_reader_start(&s->reader, s->events_fd);
        if (r >= 0)
                r = rescan(s, false);
        if (r < 0) {
                statedir_stop(s);
                return r;
        }
        *ret_data = s;
        *ret_fd = s->ifd;
        return 0;
}

const storvirt__event_source_type storvirt__event_source_statedir = {
        .name = "state directory",
        .kinds = STORVIRT_EVENT_KIND_POOL | STORVIRT_EVENT_KIND_VOLUME | STORVIRT_EVENT_KIND_VDISK,
        .start = statedir_start,
        .process = statedir_process,
        .stop = statedir_stop,
};
