/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-events.c - events of pools, volumes and vDisks on real files in
 * real dir pools: made by this context (queued, delivered at dispatch),
 * and made by another process on the same state directory (through the
 * event journal and inotify), each once and in order; a record written
 * by a process that does not journal (found by comparison); a real
 * inotify queue overflow and a journal that rotated past the reader,
 * each giving one rescan and no missed event; filters; a callback that
 * deregisters itself and one that calls into the library (taking its
 * locks) while being dispatched; dispatch from a callback (-EBUSY) and
 * after fork (-ECHILD); threads changing volumes while another thread
 * dispatches (run under ThreadSanitizer by tools/run-tests).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <storvirt.h>

#include "objects/event_journal.h"
#include "objects/events.h"

static char base[64], state[128], images[128];

static int setup(void **st) {
        static unsigned n;

        (void)st;
        snprintf(base, sizeof(base), "/tmp/storvirt-events.XXXXXX");
        if (!mkdtemp(base))
                return -1;
        snprintf(state, sizeof(state), "%s/state%u", base, n++);
        snprintf(images, sizeof(images), "%s/images", base);
        return 0;
}

static int teardown(void **st) {
        char cmd[128];

        (void)st;
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
        return system(cmd) == 0 ? 0 : -1;
}

static storvirt_ctx *ctx_open(void) {
        storvirt_ctx *ctx = NULL;

        assert_int_equal(storvirt_ctx_new(&ctx, STORVIRT_CTX_NEW_IGNORE_ENV |
                                                STORVIRT_CTX_NEW_NO_AUTOSTART), 0);
        assert_int_equal(storvirt_ctx_set_state_dir(ctx, state, 0), 0);
        if (getenv("STORVIRT_TEST_DEBUG"))
                storvirt_ctx_set_log_priority(ctx, STORVIRT_LOG_DEBUG);
        return ctx;
}

/*
 * Every kind but the LUNs: the host's devices (other tests' loop
 * devices) change while these tests run.
 */
#define NOT_LUNS (STORVIRT_EVENT_KIND_POOL | STORVIRT_EVENT_KIND_VOLUME | STORVIRT_EVENT_KIND_VDISK)

/* ---- recording ---------------------------------------------------------------------------------- */

struct seen {
        uint32_t type, info;
        uint64_t seq;
        char name[300], detail[300], pool[300];
};

struct recorder {
        pthread_mutex_t lock;
        struct seen ev[20000];
        size_t n;
        unsigned destroyed;
};

static struct recorder *recorder_new(void) {
        struct recorder *r = calloc(1, sizeof(*r));

        assert_non_null(r);
        pthread_mutex_init(&r->lock, NULL);
        return r;
}

static void recorder_free(struct recorder *r) {
        pthread_mutex_destroy(&r->lock);
        free(r);
}

static void record_cb(storvirt_ctx *ctx, const storvirt_event *e, void *userdata) {
        struct recorder *r = userdata;
        const char *d = storvirt_event_get_detail(e), *p = storvirt_event_get_pool(e);
        struct seen *s;

        (void)ctx;
        pthread_mutex_lock(&r->lock);
        assert_true(r->n < sizeof(r->ev) / sizeof(r->ev[0]));
        s = &r->ev[r->n++];
        s->type = (uint32_t)storvirt_event_get_type(e);
        assert_int_equal(storvirt_event_get_info(e, &s->seq, NULL, &s->info), 0);
        snprintf(s->name, sizeof(s->name), "%s", storvirt_event_get_name(e));
        snprintf(s->detail, sizeof(s->detail), "%s", d ? d : "");
        snprintf(s->pool, sizeof(s->pool), "%s", p ? p : "");
        pthread_mutex_unlock(&r->lock);
}

static void record_destroy(void *userdata) {
        struct recorder *r = userdata;

        pthread_mutex_lock(&r->lock);
        r->destroyed++;
        pthread_mutex_unlock(&r->lock);
}

static long long now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Dispatches until r holds n events (or 20 s passed), then a little more to see extras. */
static void drain(storvirt_ctx *ctx, struct recorder *r, size_t n) {
        long long deadline = now_ms() + 20000;

        while (r->n < n && now_ms() < deadline)
                assert_true(storvirt_ctx_dispatch_events(ctx, 100, 0) >= 0);
        for (int i = 0; i < 3; i++)
                assert_true(storvirt_ctx_dispatch_events(ctx, 30, 0) >= 0);
}

/* The types seen, as names, space-separated (for messages and comparisons). */
static const char *types_of(struct recorder *r, char *buf, size_t size) {
        size_t at = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < r->n && at < size; i++)
                at += (size_t)snprintf(buf + at, size - at, "%s%s", i ? " " : "",
                                       storvirt_event_type_name(r->ev[i].type));
        return buf;
}

static void expect_types(struct recorder *r, const char *want) {
        static char got[1 << 16];

        types_of(r, got, sizeof(got));
        if (strcmp(got, want) != 0)
                fail_msg("events:\n  got  %s\n  want %s", got, want);
}

/* ---- the changes -------------------------------------------------------------------------------- */

static storvirt_pool *pool_make(storvirt_ctx *ctx, const char *name, const char *dir) {
        storvirt_pool *pool = NULL;
        char xml[512];

        snprintf(xml, sizeof(xml), "<pool type='dir'><name>%s</name><target><path>%s</path>"
                                   "</target></pool>", name, dir);
        assert_int_equal(storvirt_pool_define_xml(ctx, xml, &pool, 0), 0);
        assert_int_equal(storvirt_pool_start(pool, STORVIRT_POOL_CREATE_BUILD), 0);
        return pool;
}

static storvirt_volume *vol_make(storvirt_pool *pool, const char *name) {
        storvirt_volume *vol = NULL;
        char xml[256];

        snprintf(xml, sizeof(xml), "<volume><name>%s</name><capacity unit='MiB'>4</capacity>"
                                   "<allocation>0</allocation><target><format type='raw'/>"
                                   "</target></volume>", name);
        assert_int_equal(storvirt_volume_create_xml(pool, xml, &vol, NULL, NULL, 0), 0);
        return vol;
}

static storvirt_vdisk *vdisk_import(storvirt_ctx *ctx, const char *pool, const char *vol) {
        storvirt_disk_spec *s = NULL;
        storvirt_vdisk *v = NULL;
        char json[256];

        snprintf(json, sizeof(json), "{\"pool\": \"%s\", \"volume\": \"%s\"}", pool, vol);
        assert_int_equal(storvirt_disk_spec_from_json(json, &s, 0), 0);
        assert_int_equal(storvirt_vdisk_import(ctx, s, NULL, 0, &v), 0);
        storvirt_disk_spec_free(s);
        return v;
}

/* Every kind of change, through ctx; the uid of the snapshot in uid. */
static void every_change(storvirt_ctx *ctx, char uid[64], char id[64]) {
        storvirt_pool *pool = pool_make(ctx, "images", images);
        storvirt_volume *vol = vol_make(pool, "v1.raw");
        storvirt_vdisk *v;
        char *u = NULL, *path = NULL;

        assert_int_equal(storvirt_volume_resize(vol, 8 << 20, 0), 0);
        assert_int_equal(storvirt_volume_wipe(vol, NULL, NULL, 0), 0);
        v = vdisk_import(ctx, "images", "v1.raw");
        snprintf(id, 64, "%s", storvirt_vdisk_get_id(v));
        assert_int_equal(storvirt_vdisk_snapshot(v, NULL, &u, 0), 0);
        snprintf(uid, 64, "%s", u);
        storvirt_free(u);
        assert_int_equal(storvirt_vdisk_attach(v, "vm1", NULL, NULL, 0), 0);
        assert_int_equal(storvirt_vdisk_prepare(v, "vm1", 1000, &path, 0), 0);
        storvirt_free(path);
        assert_int_equal(storvirt_vdisk_release(v, "vm1", 0), 0);
        assert_int_equal(storvirt_vdisk_detach(v, "vm1", 0), 0);
        assert_int_equal(storvirt_vdisk_delete_image(v, uid, STORVIRT_VDISK_DELETE_STORAGE), 0);
        assert_int_equal(storvirt_vdisk_delete(v, 0), 0);
        storvirt_vdisk_unref(v);
        assert_int_equal(storvirt_volume_delete(vol, 0), 0);
        storvirt_volume_unref(vol);
        assert_int_equal(storvirt_pool_refresh(pool, 0), 0);
        assert_int_equal(storvirt_pool_stop(pool, 0), 0);
        assert_int_equal(storvirt_pool_delete(pool, 0), 0);
        assert_int_equal(storvirt_pool_undefine(pool, 0), 0);
        storvirt_pool_unref(pool);
}

#define EVERY_CHANGE                                                                            \
        "pool-defined pool-created pool-started volume-created volume-resized volume-wiped "     \
        "vdisk-imported volume-created vdisk-snapshot-added vdisk-attached vdisk-prepared "     \
        "vdisk-released vdisk-detached volume-deleted vdisk-image-removed vdisk-deleted "       \
        "volume-deleted pool-refreshed pool-stopped pool-deleted pool-undefined"
#define EVERY_CHANGE_N 21

static void check_every_change(struct recorder *r, const char *uid, const char *id,
                               bool local) {
        uint64_t last = 0;

        expect_types(r, EVERY_CHANGE);
        for (size_t i = 0; i < r->n; i++) {
                const struct seen *s = &r->ev[i];
                uint32_t kind = storvirt__event_kind(s->type);

                assert_int_equal(!!(s->info & STORVIRT_EVENT_INFO_LOCAL), local);
                assert_int_equal(s->info & STORVIRT_EVENT_INFO_RESCAN, 0);
                assert_true(s->seq > last);   /* journal order */
                last = s->seq;
                if (kind == STORVIRT_EVENT_KIND_POOL)
                        assert_string_equal(s->name, "images");
                if (kind == STORVIRT_EVENT_KIND_VOLUME)
                        assert_string_equal(s->pool, "images");
                if (kind == STORVIRT_EVENT_KIND_VDISK)
                        assert_string_equal(s->name, id);
        }
        assert_string_equal(r->ev[3].name, "v1.raw");
        assert_string_equal(r->ev[4].detail, "8388608");
        assert_string_equal(r->ev[8].detail, uid);
        assert_string_equal(r->ev[9].detail, "vm1");
        assert_string_equal(r->ev[10].detail, "vm1");
        assert_string_equal(r->ev[14].detail, uid);
}

/* ---- this process ------------------------------------------------------------------------------- */

static void test_local_every_change(void **st) {
        storvirt_ctx *ctx = ctx_open();
        struct recorder *r = recorder_new();
        char uid[64], id[64];
        int fd = -1, id_cb;

        (void)st;
        id_cb = storvirt_ctx_register_event_cb(ctx, NOT_LUNS, NULL, record_cb, r,
                                               record_destroy, 0);
        assert_true(id_cb > 0);
        assert_int_equal(storvirt_ctx_get_event_fd(ctx, &fd), 0);
        every_change(ctx, uid, id);
        /* queued: the descriptor says so */
        assert_int_equal(poll(&(struct pollfd){ .fd = fd, .events = POLLIN }, 1, 0), 1);
        assert_int_equal(r->n, 0);   /* nothing runs before dispatch */
        drain(ctx, r, EVERY_CHANGE_N);
        check_every_change(r, uid, id, true);
        assert_int_equal(poll(&(struct pollfd){ .fd = fd, .events = POLLIN }, 1, 0), 0);
        assert_int_equal(storvirt_ctx_deregister_event_cb(ctx, id_cb), 0);
        assert_int_equal(r->destroyed, 1);
        assert_int_equal(storvirt_ctx_deregister_event_cb(ctx, id_cb), -ENOENT);
        storvirt_ctx_unref(ctx);
        assert_int_equal(r->destroyed, 1);
        recorder_free(r);
}

/* ---- another process ---------------------------------------------------------------------------- */

/* Runs fn in a child process on the same state directory; waits for it. */
static void in_child(void (*fn)(void *), void *arg) {
        pid_t pid = fork();
        int status = 0;

        assert_true(pid >= 0);
        if (pid == 0) {
                fn(arg);
                _exit(0);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
}

struct ids {
        char uid[64], id[64];
};

static void child_every_change(void *arg) {
        struct ids *ids = arg;
        storvirt_ctx *ctx = ctx_open();
        int fd;

        every_change(ctx, ids->uid, ids->id);
        /* what the child leaves for the parent to check */
        fd = open("/tmp/storvirt-events-ids", O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0 || write(fd, ids, sizeof(*ids)) != sizeof(*ids))
                _exit(3);
        close(fd);
        storvirt_ctx_unref(ctx);
}

static void read_ids(struct ids *ids) {
        int fd = open("/tmp/storvirt-events-ids", O_RDONLY);

        assert_true(fd >= 0);
        assert_int_equal(read(fd, ids, sizeof(*ids)), sizeof(*ids));
        close(fd);
        unlink("/tmp/storvirt-events-ids");
}

static void test_remote_every_change(void **st) {
        storvirt_ctx *ctx = ctx_open();
        struct recorder *r = recorder_new(), *own = recorder_new();
        storvirt__events_stats stats;
        struct ids ids = {};
        int fd = -1;

        (void)st;
        assert_true(storvirt_ctx_register_event_cb(ctx, NOT_LUNS, NULL, record_cb, r, NULL, 0) > 0);
        assert_int_equal(storvirt_ctx_get_event_fd(ctx, &fd), 0);
        in_child(child_every_change, &ids);
        read_ids(&ids);
        /* the other process's changes made the descriptor readable */
        assert_int_equal(poll(&(struct pollfd){ .fd = fd, .events = POLLIN }, 1, 1000), 1);
        drain(ctx, r, EVERY_CHANGE_N);
        check_every_change(r, ids.uid, ids.id, false);
        storvirt__events_get_stats(ctx, &stats);
        assert_int_equal(stats.rescans, 0);
        assert_int_equal(stats.rescan_events, 0);
        assert_true(stats.verified > 0);   /* the records were compared, and agreed */
        /* this context's own change comes once, from its own queue */
        assert_true(storvirt_ctx_register_event_cb(ctx, STORVIRT_EVENT_KIND_POOL, NULL, record_cb,
                                                   own, NULL, 0) > 0);
        storvirt_pool_unref(pool_make(ctx, "again", images));
        drain(ctx, own, 3);
        expect_types(own, "pool-defined pool-created pool-started");
        assert_true(own->ev[0].info & STORVIRT_EVENT_INFO_LOCAL);
        storvirt_ctx_unref(ctx);
        recorder_free(r);
        recorder_free(own);
}

/* A vDisk record written the way a process without the journal writes it. */
static void write_record_by_hand(const char *id) {
        char dst[512], tmp[512];
        FILE *f;

        snprintf(dst, sizeof(dst), "%s/vdisks/%s.json", state, id);
        snprintf(tmp, sizeof(tmp), "%s/vdisks/.%s.json.hand00", state, id);
        f = fopen(tmp, "w");
        assert_non_null(f);
        /* a small record the library reads: one legal file image, one attachment */
        fprintf(f, "{\"id\": \"%s\", \"identity\": \"file:/nonexistent/%s\", \"kind\": "
                   "\"file\", \"images\": [{\"uid\": \"%s\", \"created\": "
                   "\"2026-01-01T00:00:00.000000Z\", \"diskType\": \"file\", \"path\": "
                   "\"/nonexistent/%s\", \"format\": \"RAW\", \"volumeType\": \"SPARSE\", "
                   "\"legality\": \"LEGAL\", \"capacity\": 1048576, \"domainID\": "
                   "\"00000000-0000-0000-0000-000000000000\"}], "
                   "\"attachments\": [{\"vm\": \"vm9\"}]}\n", id, id, id, id);
        assert_int_equal(fclose(f), 0);
        assert_int_equal(rename(tmp, dst), 0);
}

static void test_unjournaled_record(void **st) {
        storvirt_ctx *ctx = ctx_open();
        struct recorder *r = recorder_new();
        const char *id = "0b4d3a55-9f0e-4c53-8b1e-3d6a2d7f9c01";
        char path[512];

        (void)st;
        assert_true(storvirt_ctx_register_event_cb(ctx, STORVIRT_EVENT_KIND_VDISK, NULL, record_cb,
                                                   r, NULL, 0) > 0);
        write_record_by_hand(id);
        drain(ctx, r, 2);
        expect_types(r, "vdisk-imported vdisk-attached");
        assert_true(r->ev[0].info & STORVIRT_EVENT_INFO_RESCAN);
        assert_false(r->ev[0].info & STORVIRT_EVENT_INFO_LOCAL);
        assert_string_equal(r->ev[0].name, id);
        assert_string_equal(r->ev[1].detail, "vm9");
        /* removed by hand too */
        snprintf(path, sizeof(path), "%s/vdisks/%s.json", state, id);
        assert_int_equal(unlink(path), 0);
        drain(ctx, r, 3);
        expect_types(r, "vdisk-imported vdisk-attached vdisk-deleted");
        storvirt_ctx_unref(ctx);
        recorder_free(r);
}

/* ---- overflow and lost journal entries ------------------------------------------------------------- */

static unsigned max_queued(void) {
        FILE *f = fopen("/proc/sys/fs/inotify/max_queued_events", "r");
        unsigned n = 0;

        if (!f)
                return 0;
        if (fscanf(f, "%u", &n) != 1)
                n = 0;
        fclose(f);
        return n;
}

struct churn {
        unsigned renames;        /* junk renames in vdisks/ (two inotify events each) */
        unsigned vdisks;         /* vDisks imported, attached, detached */
};

/*
 * In another process: vDisks changed through the library (journaled),
 * interleaved with enough renames of junk files in the watched vdisks/
 * to overflow the reader's inotify queue.
 */
static void child_churn(void *arg) {
        struct churn *c = arg;
        storvirt_ctx *ctx = ctx_open();
        storvirt_pool *pool = NULL;
        char a[512], b[512], name[64];

        assert_int_equal(storvirt_pool_lookup_by_name(ctx, "images", &pool), 0);
        for (unsigned i = 0; i < c->renames; i++) {
                snprintf(a, sizeof(a), "%s/vdisks/junk-%u", state, i);
                snprintf(b, sizeof(b), "%s/vdisks/junk-%u.moved", state, i);
                close(open(a, O_WRONLY | O_CREAT, 0600));
                assert_int_equal(rename(a, b), 0);
                if (i % (c->renames / c->vdisks + 1) == 0 && i / (c->renames / c->vdisks + 1) < c->vdisks) {
                        storvirt_volume *vol;
                        storvirt_vdisk *v;

                        snprintf(name, sizeof(name), "c%u.raw", i);
                        vol = vol_make(pool, name);
                        v = vdisk_import(ctx, "images", name);
                        assert_int_equal(storvirt_vdisk_attach(v, "vmx", NULL, NULL, 0), 0);
                        assert_int_equal(storvirt_vdisk_detach(v, "vmx", 0), 0);
                        storvirt_vdisk_unref(v);
                        storvirt_volume_unref(vol);
                }
        }
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
}

static size_t count_type(struct recorder *r, uint32_t type) {
        size_t n = 0;

        for (size_t i = 0; i < r->n; i++)
                n += r->ev[i].type == type;
        return n;
}

static void test_overflow_one_rescan(void **st) {
        storvirt_ctx *ctx = ctx_open();
        struct recorder *r = recorder_new();
        struct churn c = { .vdisks = 8 };
        const char *hand = "5f0c2a3b-1e4d-4c5b-9a7f-0e1d2c3b4a59";
        storvirt__events_stats stats;
        unsigned q = max_queued();
        char ids[32][64];

        (void)st;
        if (q == 0 || q > 200000)
                skip();
        c.renames = q / 2 + 200;
        storvirt_pool_unref(pool_make(ctx, "images", images));
        assert_true(storvirt_ctx_register_event_cb(ctx, STORVIRT_EVENT_KIND_VDISK, NULL, record_cb,
                                                   r, NULL, 0) > 0);
        in_child(child_churn, &c);
        write_record_by_hand(hand);   /* a change no journal tells */
        drain(ctx, r, 3 * c.vdisks + 2);
        storvirt__events_get_stats(ctx, &stats);
        assert_true(stats.overflows >= 1);
        assert_int_equal(stats.rescans, 1);
        /* every journaled change once, in order per vDisk; the unjournaled one once */
        assert_int_equal(r->n, 3 * c.vdisks + 2);
        assert_int_equal(count_type(r, STORVIRT_EVENT_VDISK_IMPORTED), c.vdisks + 1);
        assert_int_equal(count_type(r, STORVIRT_EVENT_VDISK_ATTACHED), c.vdisks + 1);
        assert_int_equal(count_type(r, STORVIRT_EVENT_VDISK_DETACHED), c.vdisks);
        for (size_t i = 0, k = 0; i < r->n; i++) {
                if (strcmp(r->ev[i].name, hand) == 0) {
                        assert_true(r->ev[i].info & STORVIRT_EVENT_INFO_RESCAN);
                        continue;
                }
                assert_false(r->ev[i].info & STORVIRT_EVENT_INFO_RESCAN);
                if (r->ev[i].type == STORVIRT_EVENT_VDISK_IMPORTED) {
                        assert_true(k < 32);
                        snprintf(ids[k++], 64, "%s", r->ev[i].name);
                        assert_int_equal(r->ev[i + 1].type, STORVIRT_EVENT_VDISK_ATTACHED);
                        assert_string_equal(r->ev[i + 1].name, r->ev[i].name);
                        assert_int_equal(r->ev[i + 2].type, STORVIRT_EVENT_VDISK_DETACHED);
                        assert_string_equal(r->ev[i + 2].name, r->ev[i].name);
                }
        }
        storvirt_ctx_unref(ctx);
        recorder_free(r);
}

static void child_lose_journal(void *arg) {
        storvirt_ctx *ctx = ctx_open();
        storvirt_pool *pool = NULL;
        storvirt_volume *vol;
        storvirt_vdisk *v;

        (void)arg;
        assert_int_equal(storvirt_pool_lookup_by_name(ctx, "images", &pool), 0);
        /*
         * Past the file the reader holds open, the import, then enough to
         * rotate the file holding it away before the reader comes back.
         */
        for (int i = 0; i < 20; i++)
                assert_int_equal(storvirt_pool_refresh(pool, 0), 0);
        vol = vol_make(pool, "lost.raw");
        v = vdisk_import(ctx, "images", "lost.raw");
        for (int i = 0; i < 60; i++)
                assert_int_equal(storvirt_pool_refresh(pool, 0), 0);
        storvirt_vdisk_unref(v);
        storvirt_volume_unref(vol);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
}

static void test_journal_gap_one_rescan(void **st) {
        storvirt_ctx *ctx = ctx_open();
        struct recorder *r = recorder_new();
        storvirt__events_stats stats;
        uint64_t old = storvirt__journal_max_size;

        (void)st;
        storvirt_pool_unref(pool_make(ctx, "images", images));
        assert_true(storvirt_ctx_register_event_cb(ctx, STORVIRT_EVENT_KIND_VDISK, NULL, record_cb,
                                                   r, NULL, 0) > 0);
        storvirt__journal_max_size = 1024;   /* about ten entries a file */
        in_child(child_lose_journal, NULL);
        storvirt__journal_max_size = old;
        drain(ctx, r, 1);
        storvirt__events_get_stats(ctx, &stats);
        assert_true(stats.gaps > 0);
        assert_int_equal(stats.rescans, 1);
        /* the import's entry was lost with the file it was in: the rescan tells it */
        expect_types(r, "vdisk-imported");
        assert_true(r->ev[0].info & STORVIRT_EVENT_INFO_RESCAN);
        storvirt_ctx_unref(ctx);
        recorder_free(r);
}

/* ---- refreshes ---------------------------------------------------------------------------------- */

/* The volumes of pool `name` as a context sees them: how many. */
static size_t count_volumes(storvirt_ctx *ctx, const char *name) {
        storvirt_pool *pool = NULL;
        storvirt_volume **vols = NULL;
        size_t n = 0;

        assert_int_equal(storvirt_pool_lookup_by_name(ctx, name, &pool), 0);
        assert_int_equal(storvirt_pool_list_volumes(pool, &vols, &n, 0), 0);
        storvirt_volume_list_free(vols);
        storvirt_pool_unref(pool);
        return n;
}

/*
 * pool-refreshed comes from every refresh that read the pool's storage:
 * one asked for, and the first use of the volumes by a context that
 * found the directory changed since the saved list; not from a start
 * (pool-started says it), nor from a first use the saved list stood in for.
 */
static void test_refreshed_when_storage_read(void **st) {
        storvirt_ctx *a = ctx_open(), *w = ctx_open(), *b, *c;
        struct recorder *r = recorder_new();
        storvirt_pool *pool;
        char path[300];
        int fd;

        (void)st;
        assert_true(storvirt_ctx_register_event_cb(w, STORVIRT_EVENT_KIND_POOL, NULL, record_cb, r,
                                                   NULL, 0) > 0);
        pool = pool_make(a, "images", images);
        storvirt_volume_unref(vol_make(pool, "v1.raw"));
        assert_int_equal(storvirt_pool_refresh(pool, 0), 0);
        drain(w, r, 4);
        expect_types(r, "pool-defined pool-created pool-started pool-refreshed");
        /* a file the library did not make, then time for the directory to settle (its change
         * time far enough from a reading that a list saved then is believed) */
        snprintf(path, sizeof(path), "%s/outside.raw", images);
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(ftruncate(fd, 1 << 20), 0);
        close(fd);
        nanosleep(&(struct timespec){ .tv_sec = 1, .tv_nsec = 300000000 }, NULL);
        r->n = 0;
        b = ctx_open();
        assert_int_equal(count_volumes(b, "images"), 2);   /* read again: the directory changed */
        c = ctx_open();
        assert_int_equal(count_volumes(c, "images"), 2);   /* the list b saved */
        drain(w, r, 1);
        expect_types(r, "pool-refreshed");
        assert_string_equal(r->ev[0].name, "images");
        assert_false(r->ev[0].info & STORVIRT_EVENT_INFO_LOCAL);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(c);
        storvirt_ctx_unref(b);
        storvirt_ctx_unref(w);
        storvirt_ctx_unref(a);
        recorder_free(r);
}

/* ---- filters and callbacks ---------------------------------------------------------------------- */

static void test_filters(void **st) {
        storvirt_ctx *ctx = ctx_open();
        struct recorder *pools = recorder_new(), *one = recorder_new(), *vols = recorder_new();
        storvirt_pool *a, *b;
        storvirt_volume *v;
        char dir[200];

        (void)st;
        assert_true(storvirt_ctx_register_event_cb(ctx, STORVIRT_EVENT_KIND_POOL, NULL, record_cb,
                                                   pools, NULL, 0) > 0);
        assert_true(storvirt_ctx_register_event_cb(ctx, 0, "b", record_cb, one, NULL, 0) > 0);
        assert_true(storvirt_ctx_register_event_cb(ctx, STORVIRT_EVENT_KIND_VOLUME, NULL,
                                                   record_cb, vols, NULL, 0) > 0);
        a = pool_make(ctx, "a", images);
        snprintf(dir, sizeof(dir), "%s/b", base);
        b = pool_make(ctx, "b", dir);
        v = vol_make(b, "x.raw");
        drain(ctx, pools, 6);
        expect_types(pools, "pool-defined pool-created pool-started pool-defined pool-created "
                            "pool-started");
        expect_types(one, "pool-defined pool-created pool-started volume-created");
        expect_types(vols, "volume-created");
        storvirt_volume_unref(v);
        storvirt_pool_unref(a);
        storvirt_pool_unref(b);
        assert_int_equal(storvirt_ctx_register_event_cb(ctx, 1u << 7, NULL, record_cb, NULL, NULL,
                                                        0), -EINVAL);
        assert_int_equal(storvirt_ctx_register_event_cb(ctx, 0, "", record_cb, NULL, NULL, 0),
                         -EINVAL);
        assert_int_equal(storvirt_ctx_register_event_cb(ctx, 0, NULL, NULL, NULL, NULL, 0), -EINVAL);
        assert_int_equal(storvirt_ctx_register_event_cb(ctx, 0, NULL, record_cb, NULL, NULL, 1),
                         -EINVAL);
        assert_int_equal(storvirt_ctx_dispatch_events(ctx, -2, 0), -EINVAL);
        assert_int_equal(storvirt_ctx_dispatch_events(ctx, 0, 1), -EINVAL);
        assert_int_equal(storvirt_ctx_deregister_event_cb(ctx, 0), -EINVAL);
        assert_null(storvirt_event_type_name(8));
        assert_int_equal(storvirt_error_errno(), EINVAL);
        assert_string_equal(storvirt_event_type_name(STORVIRT_EVENT_LUN_RESIZED), "lun-resized");
        storvirt_ctx_unref(ctx);
        recorder_free(pools);
        recorder_free(one);
        recorder_free(vols);
}

struct self_dereg {
        int id;
        unsigned calls, destroyed, calls_at_destroy;
};

static void dereg_cb(storvirt_ctx *ctx, const storvirt_event *e, void *userdata) {
        struct self_dereg *d = userdata;

        (void)e;
        d->calls++;
        assert_int_equal(storvirt_ctx_deregister_event_cb(ctx, d->id), 0);
        assert_int_equal(d->destroyed, 0);   /* not while this call runs */
}

static void dereg_destroy(void *userdata) {
        struct self_dereg *d = userdata;

        d->destroyed++;
        d->calls_at_destroy = d->calls;
}

static void test_callback_deregisters_itself(void **st) {
        storvirt_ctx *ctx = ctx_open();
        struct self_dereg d = {};

        (void)st;
        d.id = storvirt_ctx_register_event_cb(ctx, NOT_LUNS, NULL, dereg_cb, &d, dereg_destroy, 0);
        assert_true(d.id > 0);
        storvirt_pool_unref(pool_make(ctx, "images", images));
        assert_int_equal(storvirt_ctx_dispatch_events(ctx, 0, 0), 1);
        assert_int_equal(d.calls, 1);
        assert_int_equal(d.destroyed, 1);
        assert_int_equal(d.calls_at_destroy, 1);
        assert_int_equal(storvirt_ctx_dispatch_events(ctx, 0, 0), 0);
        storvirt_ctx_unref(ctx);
        assert_int_equal(d.destroyed, 1);
}

struct reentrant {
        struct recorder *r;
        unsigned refreshed;
        int busy;
};

/* Calls into the library from the callback: lookups, a refresh (which emits), a dispatch. */
static void reentrant_cb(storvirt_ctx *ctx, const storvirt_event *e, void *userdata) {
        struct reentrant *x = userdata;
        storvirt_pool *pool = NULL, **all = NULL;
        size_t n = 0;

        record_cb(ctx, e, x->r);
        if (storvirt_event_get_type(e) != STORVIRT_EVENT_POOL_STARTED)
                return;
        assert_int_equal(storvirt_pool_lookup_by_name(ctx, storvirt_event_get_name(e), &pool), 0);
        assert_int_equal(storvirt_pool_list(ctx, NULL, &all, &n, 0), 0);
        assert_int_equal(n, 1);
        assert_int_equal(storvirt_pool_refresh(pool, 0), 0);
        x->busy = storvirt_ctx_dispatch_events(ctx, 0, 0);
        /* starts the device monitor; no LUN matches the object */
        assert_true(storvirt_ctx_register_event_cb(ctx, STORVIRT_EVENT_KIND_LUN, "no-such-lun",
                                                   record_cb, x->r, NULL, 0) > 0);
        storvirt_pool_list_free(all);
        storvirt_pool_unref(pool);
}

static void test_callback_calls_library(void **st) {
        storvirt_ctx *ctx = ctx_open();
        struct reentrant x = { .r = recorder_new() };

        (void)st;
        assert_true(storvirt_ctx_register_event_cb(ctx, NOT_LUNS, NULL, reentrant_cb, &x, NULL,
                                                   0) > 0);
        storvirt_pool_unref(pool_make(ctx, "images", images));
        assert_int_equal(storvirt_ctx_dispatch_events(ctx, 0, 0), 3);
        assert_int_equal(x.busy, -EBUSY);
        /* the refresh made inside the callback comes with the next dispatch */
        assert_int_equal(storvirt_ctx_dispatch_events(ctx, 0, 0), 1);
        expect_types(x.r, "pool-defined pool-created pool-started pool-refreshed");
        storvirt_ctx_unref(ctx);
        recorder_free(x.r);
}

struct last_ref {
        unsigned calls, destroyed;
};

static void unref_cb(storvirt_ctx *ctx, const storvirt_event *e, void *userdata) {
        struct last_ref *l = userdata;

        (void)e;
        if (l->calls++ == 0)
                storvirt_ctx_unref(ctx);   /* the caller's last reference */
}

static void last_ref_destroy(void *userdata) {
        ((struct last_ref *)userdata)->destroyed++;
}

/* A callback that drops the last reference: the rest of the dispatch runs, then the context goes. */
static void test_callback_drops_context(void **st) {
        storvirt_ctx *ctx = ctx_open();
        struct last_ref l = {};

        (void)st;
        assert_true(storvirt_ctx_register_event_cb(ctx, STORVIRT_EVENT_KIND_POOL, NULL, unref_cb,
                                                   &l, last_ref_destroy, 0) > 0);
        storvirt_pool_unref(pool_make(ctx, "images", images));
        assert_int_equal(storvirt_ctx_dispatch_events(ctx, 0, 0), 3);
        assert_int_equal(l.calls, 3);
        assert_int_equal(l.destroyed, 1);   /* freed with the context, after the dispatch */
}

static void test_fork_echild(void **st) {
        storvirt_ctx *ctx = ctx_open();
        int fd = -1, status = 0;
        pid_t pid;

        (void)st;
        assert_int_equal(storvirt_ctx_get_event_fd(ctx, &fd), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                int k = -1;

                _exit(storvirt_ctx_dispatch_events(ctx, 0, 0) == -ECHILD &&
                      storvirt_ctx_get_event_fd(ctx, &k) == -ECHILD ? 0 : 1);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        storvirt_ctx_unref(ctx);
}

static void test_event_json(void **st) {
        storvirt_ctx *ctx = ctx_open();
        struct recorder *r = recorder_new();
        struct storvirt_event ev = { .type = STORVIRT_EVENT_VOLUME_RESIZED, .pool = "p",
                                     .name = "v \"1\"", .key = "/k", .detail = "42",
                                     .seq = 7, .time_usec = 1700000000123456ull, .pid = 12,
                                     .info = STORVIRT_EVENT_INFO_LOCAL };
        char *json = NULL;

        (void)st;
        assert_int_equal(storvirt_event_get_json(&ev, &json, 0), 0);
        assert_string_equal(json, "{\"event\":\"volume-resized\",\"seq\":7,"
                                  "\"time\":\"2023-11-14T22:13:20.123456Z\",\"pid\":12,"
                                  "\"local\":true,\"rescan\":false,\"pool\":\"p\","
                                  "\"name\":\"v \\\"1\\\"\",\"key\":\"/k\",\"detail\":\"42\"}");
        storvirt_free(json);
        assert_int_equal(storvirt_event_get_json(NULL, &json, 0), -EINVAL);
        assert_null(storvirt_event_get_name(NULL));
        storvirt_ctx_unref(ctx);
        recorder_free(r);
}

/* ---- the journal itself ------------------------------------------------------------------------- */

static int collect(const struct storvirt_event *ev, uint64_t origin, void *userdata) {
        struct recorder *r = userdata;
        struct seen *s = &r->ev[r->n++];

        assert_int_equal(origin, 0x0123456789abcdefull);
        s->type = ev->type;
        s->seq = ev->seq;
        snprintf(s->name, sizeof(s->name), "%s", ev->name);
        snprintf(s->detail, sizeof(s->detail), "%s", ev->detail ? ev->detail : "(null)");
        return 0;
}

static void test_journal_format(void **st) {
        struct storvirt_event ev = { .type = STORVIRT_EVENT_VDISK_ATTACHED, .name = "a b%c\n",
                                     .detail = "-", .time_usec = 1, .pid = 2 };
        struct recorder *r = recorder_new();
        storvirt__journal_reader rd;
        uint64_t seq = 0, old = storvirt__journal_max_size;
        char dir[200], path[300];
        int dfd, fd;

        (void)st;
        snprintf(dir, sizeof(dir), "%s/journal", base);
        assert_int_equal(mkdir(dir, 0700), 0);
        dfd = open(dir, O_RDONLY | O_DIRECTORY);
        assert_true(dfd >= 0);
        storvirt__journal_reader_init(&rd);
        assert_int_equal(storvirt__journal_reader_start(&rd, dfd), 0);
        assert_int_equal(storvirt__journal_append(dfd, &ev, 0x0123456789abcdefull, &seq), 0);
        assert_int_equal(seq, 1);
        /* a writer killed mid-line, then an entry of a type this release does not know */
        snprintf(path, sizeof(path), "%s/journal", dir);
        fd = open(path, O_WRONLY | O_APPEND);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, "2 1 2 0123456789abcdef vdisk-att", 32), 32);
        close(fd);
        ev.detail = NULL;
        assert_int_equal(storvirt__journal_append(dfd, &ev, 0x0123456789abcdefull, &seq), 0);
        assert_int_equal(seq, 2);
        fd = open(path, O_WRONLY | O_APPEND);
        assert_int_equal(write(fd, "3 1 2 0123456789abcdef volume-frobbed - x - -\n", 46), 46);
        close(fd);
        assert_int_equal(storvirt__journal_append(dfd, &ev, 0x0123456789abcdefull, &seq), 0);
        assert_int_equal(seq, 4);
        assert_int_equal(storvirt__journal_reader_read(&rd, dfd, collect, r), 3);
        assert_int_equal(r->n, 3);
        assert_string_equal(r->ev[0].name, "a b%c\n");
        assert_string_equal(r->ev[0].detail, "-");
        assert_string_equal(r->ev[1].detail, "(null)");
        assert_int_equal(r->ev[2].seq, 4);
        assert_int_equal(rd.gaps, 0);   /* 3 was there, of an unknown type */
        /* rotation: the reader follows into the new file without losing one */
        storvirt__journal_max_size = 200;
        for (int i = 0; i < 5; i++)
                assert_int_equal(storvirt__journal_append(dfd, &ev, 0x0123456789abcdefull, &seq), 0);
        assert_int_equal(storvirt__journal_reader_read(&rd, dfd, collect, r), 5);
        assert_int_equal(rd.gaps, 0);
        for (int i = 0; i < 30; i++)
                assert_int_equal(storvirt__journal_append(dfd, &ev, 0x0123456789abcdefull, &seq), 0);
        assert_int_equal(seq, 39);
        assert_true(storvirt__journal_reader_read(&rd, dfd, collect, r) > 0);
        assert_true(rd.gaps > 0);   /* files came and went unread: counted */
        assert_int_equal(rd.last_seq, 39);
        storvirt__journal_max_size = old;
        storvirt__journal_reader_done(&rd);
        close(dfd);
        recorder_free(r);
}

/* ---- threads ------------------------------------------------------------------------------------ */

struct worker {
        storvirt_pool *pool;
        unsigned index;
};

static void *vol_worker(void *arg) {
        struct worker *w = arg;
        char name[64];

        for (unsigned i = 0; i < 10; i++) {
                storvirt_volume *vol;

                snprintf(name, sizeof(name), "t%u-%u.raw", w->index, i);
                vol = vol_make(w->pool, name);
                assert_int_equal(storvirt_volume_resize(vol, 8 << 20, 0), 0);
                assert_int_equal(storvirt_volume_delete(vol, 0), 0);
                storvirt_volume_unref(vol);
        }
        return NULL;
}

struct dispatcher {
        storvirt_ctx *ctx;
        struct recorder *r;
        size_t want;
};

static void *dispatch_thread(void *arg) {
        struct dispatcher *d = arg;
        long long deadline = now_ms() + 30000;
        struct recorder *extra = recorder_new();

        while (now_ms() < deadline) {
                int id = storvirt_ctx_register_event_cb(d->ctx, STORVIRT_EVENT_KIND_POOL, NULL,
                                                        record_cb, extra, NULL, 0);

                assert_true(id > 0);
                assert_true(storvirt_ctx_dispatch_events(d->ctx, 20, 0) >= 0);
                assert_int_equal(storvirt_ctx_deregister_event_cb(d->ctx, id), 0);
                pthread_mutex_lock(&d->r->lock);
                if (d->r->n >= d->want) {
                        pthread_mutex_unlock(&d->r->lock);
                        break;
                }
                pthread_mutex_unlock(&d->r->lock);
        }
        recorder_free(extra);
        return NULL;
}

static void test_threads(void **st) {
        storvirt_ctx *ctx = ctx_open();
        struct recorder *r = recorder_new();
        struct worker w[3];
        struct dispatcher d = { ctx, r, 3 * 10 * 3 };
        pthread_t t[4];
        storvirt_pool *pool;

        (void)st;
        pool = pool_make(ctx, "images", images);
        assert_true(storvirt_ctx_register_event_cb(ctx, STORVIRT_EVENT_KIND_VOLUME, NULL, record_cb,
                                                   r, NULL, 0) > 0);
        assert_int_equal(pthread_create(&t[3], NULL, dispatch_thread, &d), 0);
        for (unsigned i = 0; i < 3; i++) {
                w[i] = (struct worker){ pool, i };
                assert_int_equal(pthread_create(&t[i], NULL, vol_worker, &w[i]), 0);
        }
        for (unsigned i = 0; i < 4; i++)
                assert_int_equal(pthread_join(t[i], NULL), 0);
        drain(ctx, r, d.want);
        assert_int_equal(r->n, d.want);
        /* per volume: created, resized, deleted, in this order */
        for (size_t i = 0; i < r->n; i++) {
                size_t k = 0;

                if (r->ev[i].type != STORVIRT_EVENT_VOLUME_CREATED)
                        continue;
                for (size_t j = i + 1; j < r->n; j++)
                        if (strcmp(r->ev[j].name, r->ev[i].name) == 0) {
                                assert_int_equal(r->ev[j].type, k == 0 ? STORVIRT_EVENT_VOLUME_RESIZED
                                                                       : STORVIRT_EVENT_VOLUME_DELETED);
                                k++;
                        }
                assert_int_equal(k, 2);
        }
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
        recorder_free(r);
}

int main(void) {
        const struct CMUnitTest tests[] = {
#define ONLY(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
                cmocka_unit_test_setup_teardown(test_journal_format, setup, teardown),
                cmocka_unit_test_setup_teardown(test_local_every_change, setup, teardown),
                cmocka_unit_test_setup_teardown(test_remote_every_change, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unjournaled_record, setup, teardown),
                cmocka_unit_test_setup_teardown(test_overflow_one_rescan, setup, teardown),
                cmocka_unit_test_setup_teardown(test_journal_gap_one_rescan, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refreshed_when_storage_read, setup, teardown),
                cmocka_unit_test_setup_teardown(test_filters, setup, teardown),
                cmocka_unit_test_setup_teardown(test_callback_deregisters_itself, setup, teardown),
                cmocka_unit_test_setup_teardown(test_callback_calls_library, setup, teardown),
                cmocka_unit_test_setup_teardown(test_callback_drops_context, setup, teardown),
                cmocka_unit_test_setup_teardown(test_fork_echild, setup, teardown),
                cmocka_unit_test_setup_teardown(test_event_json, setup, teardown),
                cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
