/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * holders.c - the index of who holds which storage (objects/holders.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "objects/holders.h"
#include "objects/records.h"
#include "util/error.h"
#include "util/hashmap.h"
#include "util/json.h"
#include "util/macro.h"
#include "util/strv.h"

#define KIND STORVIRT__HOLDERS_KIND
#define ID "index"
#define VDISKS "vdisks"

struct holder {
        char *identity;
        char **paths;
};

struct storvirt__holders {
        storvirt__hashmap *by_id;        /* vDisk id -> struct holder */
        storvirt__hashmap *by_identity;  /* identity -> vDisk id (borrowed from by_id's keys) */
};

static void holder_free(void *p) {
        struct holder *h = p;

        if (!h)
                return;
        free(h->identity);
        storvirt__strv_free(h->paths);
        free(h);
}

void storvirt__holders_free(storvirt__holders *h) {
        if (!h)
                return;
        storvirt__hashmap_free(h->by_identity);
        storvirt__hashmap_free(h->by_id);
        free(h);
}

static int holders_new(storvirt__holders **ret) {
        storvirt__holders *h = calloc(1, sizeof(*h));
        int r;

        if (!h)
                return storvirt__error_oom();
        r = storvirt__hashmap_new(&h->by_id, holder_free);
        if (r >= 0)
                r = storvirt__hashmap_new(&h->by_identity, free);
        if (r < 0) {
                storvirt__holders_free(h);
                return r;
        }
        *ret = h;
        return 0;
}

/* Sets (or, identity NULL, removes) what id holds. */
static int holders_put(storvirt__holders *h, const char *id, const char *identity,
                       char *const *paths) {
        struct holder *old = storvirt__hashmap_get(h->by_id, id), *e;
        char *idcopy;
        int r;

        if (old) {
                storvirt__hashmap_remove(h->by_identity, old->identity);
                storvirt__hashmap_remove(h->by_id, id);
        }
        if (!identity)
                return 0;
        e = calloc(1, sizeof(*e));
        if (!e || !(e->identity = strdup(identity)) || storvirt__strv_copy(paths, &e->paths) < 0) {
                holder_free(e);
                return storvirt__error_oom();
        }
        r = storvirt__hashmap_put(h->by_id, id, e);
        if (r < 0) {
                holder_free(e);
                return r;
        }
        idcopy = strdup(id);
        r = idcopy ? storvirt__hashmap_replace(h->by_identity, identity, idcopy) : storvirt__error_oom();
        if (r < 0)
                free(idcopy);
        return r;
}

/* The modification time of vdisks/ as text ("" when there is none yet). */
static int vdisks_mtime(storvirt_ctx *ctx, char buf[64]) {
        struct stat st;
        int fd = storvirt__records_dirfd(ctx, VDISKS, false);

        buf[0] = '\0';
        if (fd == -ENOENT)
                return 0;
        if (fd < 0)
                return fd;
        if (fstat(fd, &st) < 0) {
                close(fd);
                return storvirt__error_set(-errno, "state directory: vdisks: %m");
        }
        close(fd);
        snprintf(buf, 64, "%lld.%09ld", (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
        return 0;
}

/* The fields of a vDisk record the index keeps: its identity and image paths. */
static int from_record(storvirt__holders *h, const char *id, yajl_val rec) {
        struct storvirt__strv_builder paths = {};
        const char *identity = NULL;
        yajl_val images = NULL;
        int r;

        r = storvirt__json_get_string(rec, "identity", true, &identity);
        if (r >= 0)
                r = storvirt__json_get_array(rec, "images", false, &images);
        for (size_t i = 0; r >= 0 && images && i < images->u.array.len; i++) {
                const char *p = NULL;

                if (storvirt__json_get_string(images->u.array.values[i], "path", false, &p) >= 0 && p)
                        r = storvirt__strv_builder_add(&paths, p);
        }
        if (r >= 0)
                r = holders_put(h, id, identity, paths.v ? paths.v : (char *[]){ NULL });
        storvirt__strv_builder_done(&paths);
        return r;
}

/* Builds the index from every vDisk record (after a crash, or records of an older release). */
static int rebuild(storvirt_ctx *ctx, bool locked, storvirt__holders **ret) {
        _cleanup_strv_free_ char **ids = NULL;
        storvirt__holders *h = NULL;
        int r;

        r = storvirt__records_list(ctx, VDISKS, &ids);
        if (r >= 0)
                r = holders_new(&h);
        for (char **id = ids; r >= 0 && *id; id++) {
                yajl_val rec = NULL;

                if (storvirt__record_read(ctx, VDISKS, *id, locked, &rec, NULL) < 0) {
                        storvirt__error_reset();   /* a bad record holds nothing */
                        continue;
                }
                if (from_record(h, *id, rec) < 0)
                        storvirt__error_reset();
                storvirt__json_free(rec);
        }
        if (r < 0) {
                storvirt__holders_free(h);
                return r;
        }
        *ret = h;
        return 0;
}

static int parse_index(yajl_val v, storvirt__holders **ret) {
        storvirt__holders *h = NULL;
        yajl_val m = NULL;
        int r = storvirt__json_get_object(v, "holders", true, &m);

        if (r >= 0)
                r = holders_new(&h);
        for (size_t i = 0; r >= 0 && i < m->u.object.len; i++)
                r = from_record(h, m->u.object.keys[i], m->u.object.values[i]);
        if (r < 0) {
                storvirt__holders_free(h);
                return r;
        }
        *ret = h;
        return 0;
}

/* The index, current (the caller holds the holders lock). */
static int load_index(storvirt_ctx *ctx, bool locked, storvirt__holders **ret) {
        yajl_val v = NULL;
        const char *seen = NULL;
        char now[64];
        int r;

        r = vdisks_mtime(ctx, now);
        if (r < 0)
                return r;
        if (!now[0])
                return holders_new(ret);   /* no vDisk ever */
        r = storvirt__record_read(ctx, KIND, ID, true, &v, NULL);
        if (r >= 0 && storvirt__json_get_string(v, "vdisks_mtime", true, &seen) >= 0 &&
            strcmp(seen, now) == 0 && parse_index(v, ret) >= 0) {
                storvirt__json_free(v);
                return 0;
        }
        storvirt__json_free(v);
        storvirt__error_reset();
        return rebuild(ctx, locked, ret);
}

int storvirt__holders_load(storvirt_ctx *ctx, bool locked, storvirt__holders **ret) {
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;
        int r;

        /* exclusive, briefly: taking it removes what a killed writer left (records.c) */
        r = storvirt__records_lock(ctx, KIND, STORVIRT__LOCK_EXCLUSIVE, &lock);
        return r < 0 ? r : load_index(ctx, locked, ret);
}

const char *storvirt__holders_by_identity(const storvirt__holders *h, const char *identity) {
        return h ? storvirt__hashmap_get(h->by_identity, identity) : NULL;
}

unsigned storvirt__holders_by_path(const storvirt__holders *h, const char *path,
                                   const char **ret_first) {
        const char *id;
        unsigned n = 0;
        size_t it = 0;
        void *v;

        if (ret_first)
                *ret_first = NULL;
        while (h && storvirt__hashmap_iterate(h->by_id, &it, &id, &v)) {
                struct holder *e = v;

                if (!storvirt__strv_contains(e->paths, path))
                        continue;
                if (n++ == 0 && ret_first)
                        *ret_first = id;
        }
        return n;
}

static int write_index(storvirt_ctx *ctx, const storvirt__holders *h, const char *mtime) {
        _cleanup_(storvirt__json_gen_freep) storvirt__json_gen *g = NULL;
        _cleanup_strv_free_ char **ids = NULL;
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        int r;

        r = storvirt__json_gen_new(false, &g);
        if (r >= 0)
                r = storvirt__hashmap_keys(h->by_id, &ids);
        if (r >= 0) {
                storvirt__json_gen_begin_map(g);
                storvirt__json_gen_key_string(g, "vdisks_mtime", mtime);
                storvirt__json_gen_key_begin_map(g, "holders");
                for (char **id = ids; *id; id++) {
                        const struct holder *e = storvirt__hashmap_get(h->by_id, *id);

                        storvirt__json_gen_key_begin_map(g, *id);
                        storvirt__json_gen_key_string(g, "identity", e->identity);
                        storvirt__json_gen_key_begin_array(g, "images");
                        for (char **p = e->paths; p && *p; p++) {
                                storvirt__json_gen_begin_map(g);
                                storvirt__json_gen_key_string(g, "path", *p);
                                storvirt__json_gen_end_map(g);
                        }
                        storvirt__json_gen_end_array(g);
                        storvirt__json_gen_end_map(g);
                }
                storvirt__json_gen_end_map(g);
                storvirt__json_gen_end_map(g);
                r = storvirt__json_gen_finish(g, &text, &len);
        }
        if (r >= 0)
                r = storvirt__record_write(ctx, KIND, ID, text, len);
        return r;
}

int storvirt__holders_update(storvirt_ctx *ctx, const char *id, const char *identity,
                             char *const *paths) {
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;
        storvirt__holders *h = NULL;
        char now[64];
        int r;

        r = storvirt__records_lock(ctx, KIND, STORVIRT__LOCK_EXCLUSIVE, &lock);
        if (r >= 0)
                r = load_index(ctx, true, &h);
        if (r >= 0)
                r = holders_put(h, id, identity, paths);
        if (r >= 0)
                r = vdisks_mtime(ctx, now);
        if (r >= 0)
                r = write_index(ctx, h, now);
        storvirt__holders_free(h);
        return r;
}
