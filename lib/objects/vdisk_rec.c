/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vdisk_rec.c - vDisk records in the state directory (objects/vdisk_rec.h):
 * vdisks/<id>.json, read and written under the lock of the "vdisks"
 * records, and what each holds in the holders index.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "objects/connection_secret.h"
#include "objects/events.h"
#include "objects/holders.h"
#include "objects/records.h"
#include "objects/vdisk_diff.h"
#include "objects/vdisk_rec.h"
#include "util/error.h"
#include "util/json.h"
#include "util/macro.h"
#include "util/strv.h"
#include "util/uuid.h"

#define KIND "vdisks"

typedef storvirt__vimage image;
typedef storvirt__vattach attachment;
typedef storvirt__vrec vrec;

/* The record this thread holds the exclusive lock for (resolution inside attach). */
static __thread const vrec *in_hand;

void storvirt__vrec_set_in_hand(const storvirt__vrec *v) {
        in_hand = v;
}

int storvirt__vrec_get(storvirt_ctx *ctx, const char *id, storvirt__vrec **ret) {
        _cleanup_free_ char *text = NULL;
        _cleanup_json_ yajl_val o = NULL;
        int r;

        if (!in_hand || strcmp(in_hand->id, id) != 0)
                return storvirt__vrec_read(ctx, id, false, ret);
        /* this thread holds the lock and has the record in hand: a copy of it */
        r = storvirt__vrec_text(in_hand, NULL, false, &text);
        if (r >= 0)
                r = storvirt__json_parse(text, strlen(text), STORVIRT__RECORD_MAX, &o, id);
        if (r >= 0)
                r = storvirt__vrec_parse(o, ret);
        return r;
}

void storvirt__vimage_clear(image *im) {
        free(im->uid);
        free(im->created);
        free(im->parent);
        free(im->path);
        free(im->pool);
        free(im->volume);
        free(im->key);
        free(im->domain_id);
        free(im->encryption);
        free(im->secret);
        *im = (image){};
}

void storvirt__vrec_free(vrec *v) {
        if (!v)
                return;
        free(v->id);
        free(v->identity);
        free(v->kind);
        free(v->guid);
        free(v->created);
        storvirt__disk_iscsi_clear(&v->iscsi);
        storvirt__vrec_net_clear(v);
        storvirt__strv_free(v->connections);
        for (size_t i = 0; i < v->n_images; i++)
                storvirt__vimage_clear(&v->images[i]);
        free(v->images);
        for (size_t i = 0; i < v->n_att; i++) {
                free(v->att[i].vm);
                free(v->att[i].dev);
        }
        free(v->att);
        storvirt__strv_free(v->prepared);
        free(v->lease.lockspace);
        free(v->lease.path);
        if (v->saved)
                storvirt__vrec_digest_clear(v->saved);
        free(v->saved);
        free(v);
}

void storvirt__vrec_freep(vrec **v) {
        storvirt__vrec_free(*v);
}

void storvirt__now_rfc3339(char buf[32]) {
        struct timespec ts;
        struct tm tm;
        size_t n;

        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        n = strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf + n, 32 - n, ".%06ldZ", ts.tv_nsec / 1000);
}

int storvirt__sdup(const char *s, char **ret) {
        free(*ret);
        *ret = NULL;
        if (!s)
                return 0;
        *ret = strdup(s);
        return *ret ? 0 : storvirt__error_oom();
}

/* ---- record <-> JSON ---------------------------------------------------------------------------- */

static int get_opt_str(yajl_val o, const char *key, char **ret) {
        const char *s = NULL;
        int r = storvirt__json_get_string(o, key, false, &s);

        if (r <= 0)
                return r;
        return storvirt__sdup(s, ret);
}

static int get_req_str(yajl_val o, const char *key, char **ret) {
        const char *s = NULL;
        int r = storvirt__json_get_string(o, key, true, &s);

        if (r < 0)
                return r;
        return storvirt__sdup(s, ret);
}

static int parse_image(yajl_val o, image *im) {
        const char *s = NULL;
        uint64_t cap = 0;
        int r;

        if ((r = get_req_str(o, "uid", &im->uid)) < 0 || (r = get_req_str(o, "created", &im->created)) < 0 ||
            (r = get_opt_str(o, "parent", &im->parent)) < 0 || (r = get_opt_str(o, "path", &im->path)) < 0 ||
            (r = get_opt_str(o, "pool", &im->pool)) < 0 || (r = get_opt_str(o, "volume", &im->volume)) < 0 ||
            (r = get_opt_str(o, "key", &im->key)) < 0 ||
            (r = get_req_str(o, "domainID", &im->domain_id)) < 0 ||
            (r = get_opt_str(o, "encryption", &im->encryption)) < 0 ||
            (r = get_opt_str(o, "secret", &im->secret)) < 0)
                return r;
        if (!im->encryption != !im->secret)
                return storvirt__error_set(-EINVAL, "image %s: fields 'encryption' and 'secret' "
                                                    "go together", im->uid);
        r = storvirt__json_get_string(o, "diskType", true, &s);
        if (r < 0)
                return r;
        if (strcmp(s, "file") == 0)
                im->type = STORVIRT__DISK_TYPE_FILE;
        else if (strcmp(s, "block") == 0)
                im->type = STORVIRT__DISK_TYPE_BLOCK;
        else if (strcmp(s, "network") == 0)
                im->type = STORVIRT__DISK_TYPE_NETWORK;
        else
                return storvirt__error_set(-EINVAL, "field 'diskType': '%s' is not file, block or "
                                                    "network", s);
        if (im->type != STORVIRT__DISK_TYPE_NETWORK && !im->path)
                return storvirt__error_set(-EINVAL, "image %s has no path", im->uid);
        if ((r = storvirt__json_get_string(o, "format", true, &s)) < 0)
                return r;
        if (strcmp(s, "COW") != 0 && strcmp(s, "RAW") != 0)
                return storvirt__error_set(-EINVAL, "field 'format': '%s' is not COW or RAW", s);
        im->cow = s[0] == 'C';
        if ((r = storvirt__json_get_string(o, "volumeType", true, &s)) < 0)
                return r;
        if (strcmp(s, "SPARSE") != 0 && strcmp(s, "PREALLOCATED") != 0)
                return storvirt__error_set(-EINVAL, "field 'volumeType': '%s' is not SPARSE or "
                                                    "PREALLOCATED", s);
        im->sparse = s[0] == 'S';
        if ((r = storvirt__json_get_string(o, "legality", true, &s)) < 0)
                return r;
        if (strcmp(s, "LEGAL") != 0 && strcmp(s, "ILLEGAL") != 0)
                return storvirt__error_set(-EINVAL, "field 'legality': '%s' is not LEGAL or ILLEGAL", s);
        im->legal = s[0] == 'L';
        if ((r = storvirt__json_get_uint64(o, "capacity", false, 0, &cap)) < 0)
                return r;
        im->capacity = cap;
        return 0;
}

static int parse_strv(yajl_val o, const char *key, char ***ret) {
        yajl_val list = NULL;
        int r = storvirt__json_get_array(o, key, false, &list);

        if (r <= 0)
                return r;
        for (size_t i = 0; i < list->u.array.len; i++) {
                const char *s = YAJL_IS_STRING(list->u.array.values[i])
                                        ? YAJL_GET_STRING(list->u.array.values[i]) : NULL;

                if (!s)
                        return storvirt__error_set(-EINVAL, "field '%s': expected strings", key);
                if (storvirt__strv_extend(ret, s) < 0)
                        return storvirt__error_oom();
        }
        return 0;
}

/* "lease": {"lockspace", "path", "offset"}, optional. */
static int parse_lease(yajl_val o, vrec *v) {
        yajl_val l = NULL;
        int r = storvirt__json_get_object(o, "lease", false, &l);

        if (r <= 0)
                return r;
        if ((r = get_req_str(l, "lockspace", &v->lease.lockspace)) < 0 ||
            (r = get_req_str(l, "path", &v->lease.path)) < 0 ||
            (r = storvirt__json_get_uint64(l, "offset", true, 0, &v->lease.offset)) < 0)
                return storvirt__error_set(r, "field 'lease': %s", storvirt_error_message());
        return 0;
}

int storvirt__vrec_parse(yajl_val o, vrec **ret) {
        _cleanup_vrec_ vrec *v = calloc(1, sizeof(*v));
        yajl_val list = NULL, iscsi = NULL;
        uint64_t port = 0, lun = 0;
        int r;

        if (!v)
                return storvirt__error_oom();
        if ((r = get_req_str(o, "id", &v->id)) < 0 || (r = get_req_str(o, "identity", &v->identity)) < 0 ||
            (r = get_req_str(o, "kind", &v->kind)) < 0 || (r = get_opt_str(o, "guid", &v->guid)) < 0 ||
            (r = get_opt_str(o, "created", &v->created)) < 0 ||
            (r = parse_strv(o, "connections", &v->connections)) < 0 ||
            (r = parse_strv(o, "prepared", &v->prepared)) < 0 ||
            (r = storvirt__json_get_bool(o, "shared", false, &v->shared)) < 0 ||
            (r = storvirt__json_get_bool(o, "readonly", false, &v->readonly)) < 0)
                return r;
        if ((r = storvirt__json_get_object(o, "iscsi", false, &iscsi)) < 0)
                return r;
        if (r > 0) {
                if ((r = get_req_str(iscsi, "host", &v->iscsi.host)) < 0 ||
                    (r = get_req_str(iscsi, "target", &v->iscsi.target)) < 0 ||
                    (r = get_opt_str(iscsi, "initiator", &v->iscsi.initiator)) < 0 ||
                    (r = get_opt_str(iscsi, "username", &v->iscsi.auth_username)) < 0 ||
                    (r = get_opt_str(iscsi, "secretUsage", &v->iscsi.secret_usage)) < 0 ||
                    (r = storvirt__json_get_uint64(iscsi, "port", true, 0, &port)) < 0 ||
                    (r = storvirt__json_get_uint64(iscsi, "lun", true, 0, &lun)) < 0)
                        return r;
                v->iscsi.port = (unsigned)port;
                v->iscsi.lun = (unsigned)lun;
                /* records of 0.5 name the secret "libstorvirt/<connection>", not schema-valid */
                if (v->iscsi.secret_usage && strncmp(v->iscsi.secret_usage, "libstorvirt/", 12) == 0) {
                        char *usage = NULL;

                        r = storvirt__conn_secret_usage(v->iscsi.secret_usage + 12, &usage);
                        if (r < 0)
                                return r;
                        free(v->iscsi.secret_usage);
                        v->iscsi.secret_usage = usage;
                }
        }
        if ((r = storvirt__vrec_net_parse(o, v)) < 0)
                return r;
        if ((r = storvirt__json_get_array(o, "images", true, &list)) < 0)
                return r;
        if (list->u.array.len == 0)
                return storvirt__error_set(-EINVAL, "field 'images': empty (the base image is missing)");
        v->images = calloc(list->u.array.len, sizeof(*v->images));
        if (!v->images)
                return storvirt__error_oom();
        for (size_t i = 0; i < list->u.array.len; i++) {
                r = parse_image(list->u.array.values[i], &v->images[i]);
                v->n_images++;
                if (r < 0)
                        return storvirt__error_set(r, "image %zu: %s", i, storvirt_error_message());
        }
        if ((r = parse_lease(o, v)) < 0)
                return r;
        if ((r = storvirt__json_get_array(o, "attachments", false, &list)) < 0)
                return r;
        if (r > 0 && list->u.array.len) {
                v->att = calloc(list->u.array.len, sizeof(*v->att));
                if (!v->att)
                        return storvirt__error_oom();
                for (size_t i = 0; i < list->u.array.len; i++) {
                        yajl_val a = list->u.array.values[i];

                        v->n_att++;
                        if ((r = get_req_str(a, "vm", &v->att[i].vm)) < 0 ||
                            (r = get_opt_str(a, "dev", &v->att[i].dev)) < 0 ||
                            (r = storvirt__json_get_bool(a, "hotplugged", false, &v->att[i].hotplugged)) < 0)
                                return storvirt__error_set(r, "attachment %zu: %s", i,
                                                           storvirt_error_message());
                }
        }
        *ret = TAKE_PTR(v);
        return 0;
}

static void gen_opt(storvirt__json_gen *g, const char *key, const char *v) {
        if (v)
                storvirt__json_gen_key_string(g, key, v);
}

static void gen_strv(storvirt__json_gen *g, const char *key, char **l) {
        storvirt__json_gen_key_begin_array(g, key);
        for (char **p = l; p && *p; p++)
                storvirt__json_gen_string(g, *p);
        storvirt__json_gen_end_array(g);
}

/* The record; with pdiv (output only) each image also gets its quartet. */
static int gen_record(storvirt__json_gen *g, const vrec *v, const char *state_uuid) {
        storvirt__json_gen_begin_map(g);
        storvirt__json_gen_key_string(g, "id", v->id);
        storvirt__json_gen_key_string(g, "identity", v->identity);
        storvirt__json_gen_key_string(g, "kind", v->kind);
        gen_opt(g, "guid", v->guid);
        gen_opt(g, "created", v->created);
        if (v->iscsi.host) {
                storvirt__json_gen_key_begin_map(g, "iscsi");
                storvirt__json_gen_key_string(g, "host", v->iscsi.host);
                storvirt__json_gen_key_uint64(g, "port", v->iscsi.port);
                storvirt__json_gen_key_string(g, "target", v->iscsi.target);
                storvirt__json_gen_key_uint64(g, "lun", v->iscsi.lun);
                gen_opt(g, "initiator", v->iscsi.initiator);
                gen_opt(g, "username", v->iscsi.auth_username);
                gen_opt(g, "secretUsage", v->iscsi.secret_usage);
                storvirt__json_gen_end_map(g);
        }
        storvirt__vrec_net_gen(g, v);
        gen_strv(g, "connections", v->connections);
        storvirt__json_gen_key_bool(g, "shared", v->shared);
        storvirt__json_gen_key_bool(g, "readonly", v->readonly);
        storvirt__json_gen_key_begin_array(g, "images");
        for (size_t i = 0; i < v->n_images; i++) {
                const image *im = &v->images[i];

                storvirt__json_gen_begin_map(g);
                storvirt__json_gen_key_string(g, "uid", im->uid);
                storvirt__json_gen_key_string(g, "created", im->created);
                if (im->parent)
                        storvirt__json_gen_key_string(g, "parent", im->parent);
                else
                        storvirt__json_gen_key_null(g, "parent");
                storvirt__json_gen_key_string(g, "diskType", storvirt__disk_type_names[im->type]);
                gen_opt(g, "path", im->path);
                gen_opt(g, "pool", im->pool);
                gen_opt(g, "volume", im->volume);
                gen_opt(g, "key", im->key);
                storvirt__json_gen_key_string(g, "format", im->cow ? "COW" : "RAW");
                storvirt__json_gen_key_string(g, "volumeType", im->sparse ? "SPARSE" : "PREALLOCATED");
                storvirt__json_gen_key_string(g, "legality", im->legal ? "LEGAL" : "ILLEGAL");
                if (im->capacity)
                        storvirt__json_gen_key_uint64(g, "capacity", im->capacity);
                storvirt__json_gen_key_string(g, "domainID", im->domain_id);
                gen_opt(g, "encryption", im->encryption);
                gen_opt(g, "secret", im->secret);
                if (state_uuid) {
                        storvirt__json_gen_key_string(g, "poolID", state_uuid);
                        storvirt__json_gen_key_string(g, "imageID", v->id);
                        storvirt__json_gen_key_string(g, "volumeID", im->uid);
                }
                storvirt__json_gen_end_map(g);
        }
        storvirt__json_gen_end_array(g);
        if (v->lease.lockspace) {
                storvirt__json_gen_key_begin_map(g, "lease");
                storvirt__json_gen_key_string(g, "lockspace", v->lease.lockspace);
                storvirt__json_gen_key_string(g, "path", v->lease.path);
                storvirt__json_gen_key_uint64(g, "offset", v->lease.offset);
                storvirt__json_gen_end_map(g);
        }
        storvirt__json_gen_key_begin_array(g, "attachments");
        for (size_t i = 0; i < v->n_att; i++) {
                storvirt__json_gen_begin_map(g);
                storvirt__json_gen_key_string(g, "vm", v->att[i].vm);
                gen_opt(g, "dev", v->att[i].dev);
                storvirt__json_gen_key_bool(g, "hotplugged", v->att[i].hotplugged);
                storvirt__json_gen_end_map(g);
        }
        storvirt__json_gen_end_array(g);
        gen_strv(g, "prepared", v->prepared);
        return storvirt__json_gen_end_map(g);
}

int storvirt__vrec_text(const vrec *v, const char *state_uuid, bool pretty, char **ret) {
        _cleanup_json_gen_ storvirt__json_gen *g = NULL;
        int r = storvirt__json_gen_new(pretty, &g);

        if (r >= 0)
                r = gen_record(g, v, state_uuid);
        if (r >= 0)
                r = storvirt__json_gen_finish(g, ret, NULL);
        return r;
}

/* What v holds, into the holders index (the exclusive lock is held). */
int storvirt__vrec_holders_update(storvirt_ctx *ctx, const vrec *v) {
        struct storvirt__strv_builder paths = {};
        int r = 0;

        for (size_t i = 0; r >= 0 && i < v->n_images; i++)
                if (v->images[i].path)
                        r = storvirt__strv_builder_add(&paths, v->images[i].path);
        if (r >= 0)
                r = storvirt__holders_update(ctx, v->id, v->identity,
                                             paths.v ? paths.v : (char *[]){ NULL });
        storvirt__strv_builder_done(&paths);
        return r;
}

struct save_events {
        storvirt_ctx *ctx;
        const char *id;
};

static void save_event(uint32_t type, const char *detail, void *userdata) {
        struct save_events *e = userdata;

        storvirt__event_emit_vdisk(e->ctx, type, e->id, detail);
}

/* What the record on disk holds (v->saved, else read again); NULL when unknown. */
static storvirt__vrec_digest *digest_before(storvirt_ctx *ctx, vrec *v) {
        storvirt__vrec_digest *d = TAKE_PTR(v->saved);
        storvirt__error_saved e;
        vrec *before = NULL;

        if (d)
                return d;
        storvirt__error_save(&e);
        if (storvirt__vrec_read(ctx, v->id, true, &before) >= 0)
                d = TAKE_PTR(before->saved);
        storvirt__vrec_free(before);
        storvirt__error_restore(&e);
        return d;
}

static void digest_free(storvirt__vrec_digest *d) {
        if (d)
                storvirt__vrec_digest_clear(d);
        free(d);
}

int storvirt__vrec_save(storvirt_ctx *ctx, vrec *v) {
        _cleanup_free_ char *text = NULL;
        storvirt__vrec_digest *old = NULL, *cur = NULL;
        int r = storvirt__vrec_text(v, NULL, true, &text);

        if (r >= 0) {
                old = digest_before(ctx, v);
                r = storvirt__record_write(ctx, KIND, v->id, text, strlen(text));
        }
        if (r >= 0)
                r = storvirt__vrec_holders_update(ctx, v);
        if (r >= 0 && (cur = calloc(1, sizeof(*cur))) && storvirt__vrec_digest_of(v, cur) < 0) {
                free(cur);
                cur = NULL;
        }
        /* the events, numbered while the lock still orders this record's changes */
        if (r >= 0 && old && cur) {
                struct save_events e = { ctx, v->id };

                storvirt__vrec_diff(old, cur, save_event, &e);
        }
        digest_free(old);
        if (r >= 0)
                v->saved = cur;
        else
                digest_free(cur);
        return r;
}

int storvirt__vrec_read(storvirt_ctx *ctx, const char *id, bool locked, vrec **ret) {
        _cleanup_json_ yajl_val o = NULL;
        const char *dir = NULL;
        int r;

        r = storvirt__record_read(ctx, KIND, id, locked, &o, NULL);
        if (r == -ENOENT)
                return storvirt__error_set(-ENOENT, "no vDisk %s", id);
        if (r < 0)
                return r;
        r = storvirt__vrec_parse(o, ret);
        if (r < 0) {
                (void)storvirt_ctx_get_state_dir(ctx, &dir);
                return storvirt__error_set(r, "%s/" KIND "/%s.json: corrupted vDisk record: %s",
                                           dir ? dir : "", id, storvirt_error_message());
        }
        /* as read: what the next save's events are counted from (none without memory) */
        (*ret)->saved = calloc(1, sizeof(*(*ret)->saved));
        if ((*ret)->saved && storvirt__vrec_digest_of(*ret, (*ret)->saved) < 0) {
                free((*ret)->saved);
                (*ret)->saved = NULL;
        }
        return 0;
}

bool storvirt__vrec_has_illegal(const vrec *v) {
        for (size_t i = 0; i < v->n_images; i++)
                if (!v->images[i].legal)
                        return true;
        return false;
}

int storvirt__vrec_id_for_identity(const char *identity, char ret[STORVIRT__UUID_STRING_MAX]) {
        storvirt__uuid u;
        int r = storvirt__uuid_generate_v5(&STORVIRT__UUID_NS, identity, &u);

        if (r < 0)
                return r;
        storvirt__uuid_format(&u, ret);
        return 0;
}

int storvirt__vrec_base_uid(const char *vdisk_id, char **ret) {
        char name[64], buf[STORVIRT__UUID_STRING_MAX];
        storvirt__uuid u;
        int r;

        snprintf(name, sizeof(name), "%s:base", vdisk_id);
        r = storvirt__uuid_generate_v5(&STORVIRT__UUID_NS, name, &u);
        if (r < 0)
                return r;
        *ret = strdup(storvirt__uuid_format(&u, buf));
        return *ret ? 0 : storvirt__error_oom();
}

int storvirt__vrec_image_uid(const char *vdisk_id, const char *path, char **ret) {
        char buf[STORVIRT__UUID_STRING_MAX];
        _cleanup_free_ char *name = NULL;
        storvirt__uuid u;
        int r;

        if (asprintf(&name, "%s:image:%s", vdisk_id, path) < 0)
                return storvirt__error_oom();
        r = storvirt__uuid_generate_v5(&STORVIRT__UUID_NS, name, &u);
        if (r < 0)
                return r;
        *ret = strdup(storvirt__uuid_format(&u, buf));
        return *ret ? 0 : storvirt__error_oom();
}

