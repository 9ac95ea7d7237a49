/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vol_chain.c - backing chains checked against the known pools
 * (core/vol_chain.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "objects/secret.h"
#include "objects/vol_chain.h"
#include "objects/vol_index.h"
#include "sys/imgfmt.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/log.h"
#include "util/macro.h"
#include "util/strv.h"

void storvirt__vol_chain_clear(storvirt__vol_chain *c) {
        for (size_t i = 0; c && i < c->n; i++)
                free(c->v[i].path);
        if (c) {
                free(c->v);
                *c = (storvirt__vol_chain){};
        }
}

/*
 * Lexical normalisation of an absolute path: no empty or "." component,
 * ".." removes the component before it (never above "/").
 */
static int path_normalise(const char *path, char **ret) {
        size_t len = strlen(path), o = 0;
        char *out = malloc(len + 2);

        if (!out)
                return storvirt__error_oom();
        for (const char *p = path; *p;) {
                const char *e = strchrnul(p, '/');
                size_t n = (size_t)(e - p);

                if (n == 0 || (n == 1 && p[0] == '.')) {
                        /* skip */
                } else if (n == 2 && p[0] == '.' && p[1] == '.') {
                        while (o > 0 && out[o - 1] != '/')
                                o--;
                        if (o > 0)
                                o--;
                } else {
                        out[o++] = '/';
                        memcpy(out + o, p, n);
                        o += n;
                }
                p = *e ? e + 1 : e;
        }
        if (o == 0)
                out[o++] = '/';
        out[o] = '\0';
        *ret = out;
        return 0;
}

/* The absolute, normalised path of a backing name given in the header of image. */
static int backing_path(const char *image, const char *name, char **ret) {
        _cleanup_free_ char *joined = NULL;
        const char *colon = strchr(name, ':'), *slash = strchr(name, '/');

        if (strncmp(name, "file:", 5) == 0)
                name += 5;
        else if (colon && (!slash || colon < slash))
                return storvirt__error_set(-EOPNOTSUPP, "'%s' names backing file '%s': a "
                                                        "protocol, which is never followed",
                                           image, name);
        if (!name[0])
                return storvirt__error_set(-EINVAL, "'%s' names an empty backing file", image);
        if (name[0] == '/')
                return path_normalise(name, ret);
        {
                const char *dir_end = strrchr(image, '/');
                int n = dir_end ? (int)(dir_end - image) : 0;

                if (asprintf(&joined, "%.*s/%s", n, image, name) < 0)
                        return storvirt__error_oom();
        }
        return path_normalise(joined, ret);
}

int storvirt__vol_find_path(storvirt_ctx *ctx, const char *path, storvirt__pool_obj **ret_obj,
                            storvirt__vol_rec **ret_rec) {
        const char *slash = strrchr(path, '/');
        _cleanup_free_ char *dir = NULL;
        storvirt__pool_obj *obj;
        storvirt__vol_rec *rec = NULL;

        if (!slash || !slash[1])
                return -ENOENT;
        dir = strndup(path, slash == path ? 1 : (size_t)(slash - path));
        if (!dir)
                return storvirt__error_oom();
        obj = storvirt__pools_find_target(ctx, dir);
        if (!obj)
                return -ENOENT;
        storvirt__mutex_lock(&obj->lock);
        if (obj->active && storvirt__pool_obj_vols_ready(obj) < 0)
                storvirt__error_reset();        /* an inaccessible pool holds no volume */
        else if (obj->active && obj->target_fd >= 0)
                rec = storvirt__vol_rec_ref(storvirt__hashmap_get(obj->vols, slash + 1));
        storvirt__mutex_unlock(&obj->lock);
        if (!rec) {
                storvirt__pool_obj_unref(obj);
                return -ENOENT;
        }
        storvirt__vol_rec_check(obj, rec);      /* its file as it is now */
        *ret_obj = obj;
        *ret_rec = rec;
        return 0;
}

/* What the walk needs of a backing volume, copied under its pool's lock. */
struct link_info {
        char format[16], probed[16], backing_format[16], encryption[8], secret[37];
        char *backing, *problem;
        uint32_t type;
        bool deleted;
};

static void link_info_clear(struct link_info *l) {
        free(l->backing);
        free(l->problem);
}

static int link_info_get(storvirt__pool_obj *obj, storvirt__vol_rec *rec, struct link_info *l) {
        storvirt__vol_rec_check(obj, rec);
        storvirt__mutex_lock(&obj->lock);
        memcpy(l->format, rec->format, sizeof(l->format));
        memcpy(l->probed, rec->probed_format, sizeof(l->probed));
        memcpy(l->backing_format, rec->backing_format, sizeof(l->backing_format));
        memcpy(l->encryption, rec->encryption, sizeof(l->encryption));
        memcpy(l->secret, rec->secret, sizeof(l->secret));
        l->type = rec->type;
        l->deleted = rec->deleted;
        l->backing = rec->backing_path ? strdup(rec->backing_path) : NULL;
        l->problem = rec->problem ? strdup(rec->problem) : NULL;
        storvirt__mutex_unlock(&obj->lock);
        if ((rec->backing_path && !l->backing) || (rec->problem && !l->problem))
                return storvirt__error_oom();
        return 0;
}

/* The refusal of a backing name that is not a volume of a file pool. */
static int not_a_volume(const char *image, const char *path) {
        struct stat st;

        if (lstat(path, &st) == 0 && (S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode)))
                return storvirt__error_set(-EPERM, "'%s' names backing file '%s', a device: a "
                                                   "backing chain never reaches a device",
                                           image, path);
        return storvirt__error_set(-EPERM, "'%s' names backing file '%s', which is not a volume "
                                           "of any active pool: a backing chain never leaves the "
                                           "pools (define and start a pool over its directory to "
                                           "use it)", image, path);
}

/* Checks one backing volume against what the header above it says. */
static int link_check(const char *image, const char *path, const char *header_format,
                      const struct link_info *l) {
        if (l->deleted)
                return storvirt__error_set(-ENOENT, "'%s': backing file '%s' was deleted", image, path);
        if (l->type == STORVIRT_VOLUME_TYPE_BLOCK)
                return not_a_volume(image, path);
        if (l->type != STORVIRT_VOLUME_TYPE_FILE && l->type != STORVIRT_VOLUME_TYPE_NETWORK)
                return storvirt__error_set(-EPERM, "'%s' names backing file '%s', which is not "
                                                   "an image file", image, path);
        if (l->problem)
                return storvirt__error_set(-EINVAL, "'%s': backing file unusable: %s", image,
                                           l->problem);
        if (l->probed[0])
                return storvirt__error_set(-ESTALE, "'%s': backing file '%s' was created as %s but "
                                                    "its content now claims to be %s",
                                           image, path, l->format, l->probed);
        if (l->encryption[0])
                return storvirt__error_set(-EOPNOTSUPP, "'%s': backing file '%s' is encrypted (%s): "
                                                        "an encrypted image is never used as a "
                                                        "backing file", image, path,
                                           l->encryption);
        if (strcmp(header_format, l->format) != 0)
                return storvirt__error_set(-ESTALE, "'%s' says its backing file '%s' is %s, but "
                                                    "that volume is %s", image, path,
                                           header_format, l->format);
        return 0;
}

static int chain_append(storvirt__vol_chain *c, char *path, const char *format) {
        storvirt__vol_chain_link *v = realloc(c->v, (c->n + 1) * sizeof(*v));

        if (!v)
                return storvirt__error_oom();
        c->v = v;
        c->v[c->n].path = path;
        snprintf(c->v[c->n].format, sizeof(c->v[c->n].format), "%s", format);
        c->n++;
        return 0;
}

static int chain_loop(const char *top, const storvirt__vol_chain *c, const char *again) {
        struct storvirt__buf b = {};
        int r;

        storvirt__buf_printf(&b, "%s", top);
        for (size_t i = 0; i < c->n; i++)
                storvirt__buf_printf(&b, " -> %s", c->v[i].path);
        r = storvirt__error_set(-ELOOP, "backing chain loops: %s -> %s", storvirt__buf_str(&b),
                                again);
        storvirt__buf_free(&b);
        return r;
}

static bool chain_has(const storvirt__vol_chain *c, const char *path) {
        for (size_t i = 0; i < c->n; i++)
                if (strcmp(c->v[i].path, path) == 0)
                        return true;
        return false;
}

/* One step: the volume named by (name, hfmt) in the header of image. */
static int walk_step(storvirt_ctx *ctx, const char *top, const char *image, const char *name,
                     const char *hfmt, storvirt__vol_chain *c, struct link_info *l) {
        storvirt__pool_obj *obj = NULL;
        storvirt__vol_rec *rec = NULL;
        char *path = NULL;
        int r;

        if (c->n >= STORVIRT__IMG_CHAIN_DEPTH_DEFAULT)
                return storvirt__error_set(-ELOOP, "'%s': backing chain deeper than %d images",
                                           top, STORVIRT__IMG_CHAIN_DEPTH_DEFAULT);
        r = backing_path(image, name, &path);
        if (r < 0)
                return r;
        if (strcmp(path, top) == 0 || chain_has(c, path))
                r = chain_loop(top, c, path);
        else if (!hfmt[0])
                r = storvirt__error_set(-EINVAL, "'%s' names backing file '%s' without its format; "
                                                 "formats are never guessed (record it with qemu-img "
                                                 "rebase -u -F FORMAT)", image, path);
        else if (storvirt__vol_find_path(ctx, path, &obj, &rec) < 0)
                r = not_a_volume(image, path);
        else if ((r = link_info_get(obj, rec, l)) >= 0)
                r = link_check(image, path, hfmt, l);
        storvirt__vol_rec_unref(rec);
        storvirt__pool_obj_unref(obj);
        if (r >= 0)
                r = chain_append(c, path, l->format);
        if (r < 0)
                free(path);
        return r;
}

/* One step of a walk: the image named by (name, hfmt) in the header of image, appended to c. */
typedef int (*walk_step_fn)(void *arg, const char *top, const char *image, const char *name,
                            const char *hfmt, storvirt__vol_chain *c, struct link_info *l);

/* The chain below top, whose header names backing (NULL: none), one step at a time. */
static int walk(walk_step_fn step, void *arg, const char *top, const char *backing,
                const char *backing_format, storvirt__vol_chain *ret) {
        storvirt__vol_chain c = {};
        _cleanup_free_ char *name = backing ? strdup(backing) : NULL;
        char hfmt[16];
        int r = 0;

        if (backing && !name)
                return storvirt__error_oom();
        snprintf(hfmt, sizeof(hfmt), "%s", backing_format ? backing_format : "");
        while (name && r >= 0) {
                struct link_info l = {};
                const char *image = c.n ? c.v[c.n - 1].path : top;

                r = step(arg, top, image, name, hfmt, &c, &l);
                free(name);
                name = NULL;
                if (r >= 0 && strcmp(l.format, "raw") != 0 && l.backing) {
                        name = TAKE_PTR(l.backing);
                        memcpy(hfmt, l.backing_format, sizeof(hfmt));
                }
                link_info_clear(&l);
        }
        if (r < 0) {
                storvirt__vol_chain_clear(&c);
                return r;
        }
        *ret = c;
        return 0;
}

static int walk_step_ctx(void *arg, const char *top, const char *image, const char *name,
                         const char *hfmt, storvirt__vol_chain *c, struct link_info *l) {
        return walk_step(arg, top, image, name, hfmt, c, l);
}

int storvirt__vol_chain_walk(storvirt_ctx *ctx, const char *path, const char *backing,
                             const char *backing_format, storvirt__vol_chain *ret) {
        return walk(walk_step_ctx, ctx, path, backing, backing_format, ret);
}

/*
 * One step of the chain of a network file volume (a gluster pool's): the
 * backing file must be a volume of the same pool, in the same directory
 * (the URL of the image up to its name, then a name of obj's table).
 */
static int walk_step_in_pool(storvirt__pool_obj *obj, const char *top, const char *image,
                             const char *url, const char *hfmt, storvirt__vol_chain *c,
                             struct link_info *l) {
        const char *slash = strrchr(top, '/'), *name = strrchr(url, '/');
        size_t dir = slash ? (size_t)(slash - top) : 0;
        storvirt__vol_rec *rec = NULL;
        char *path = NULL;
        int r = 0;

        if (c->n >= STORVIRT__IMG_CHAIN_DEPTH_DEFAULT)
                return storvirt__error_set(-ELOOP, "'%s': backing chain deeper than %d images",
                                           top, STORVIRT__IMG_CHAIN_DEPTH_DEFAULT);
        if (!name || (size_t)(name - url) != dir || strncmp(url, top, dir) != 0 || !name[1])
                return storvirt__error_set(-EPERM, "'%s' names backing file '%s', which is not a "
                                                   "volume of its pool's directory: a backing "
                                                   "chain never leaves the pool", image, url);
        if (strcmp(url, top) == 0 || chain_has(c, url))
                return chain_loop(top, c, url);
        if (!hfmt[0])
                return storvirt__error_set(-EINVAL, "'%s' names backing file '%s' without its "
                                                    "format; formats are never guessed (record "
                                                    "it with qemu-img rebase -u -F FORMAT)",
                                           image, url);
        storvirt__mutex_lock(&obj->lock);
        rec = storvirt__vol_rec_ref(storvirt__hashmap_get(obj->vols, name + 1));
        storvirt__mutex_unlock(&obj->lock);
        if (!rec)
                return storvirt__error_set(-EPERM, "'%s' names backing file '%s', which is not a "
                                                   "volume of pool '%s'", image, url,
                                           obj->def->name);
        r = link_info_get(obj, rec, l);
        if (r >= 0)
                r = link_check(image, url, hfmt, l);
        storvirt__vol_rec_unref(rec);
        if (r >= 0 && !(path = strdup(url)))
                r = storvirt__error_oom();
        if (r >= 0 && (r = chain_append(c, path, l->format)) < 0)
                free(path);
        return r;
}

/* The chain below the network file volume at top, inside its pool obj. */
static int walk_step_obj(void *arg, const char *top, const char *image, const char *name,
                         const char *hfmt, storvirt__vol_chain *c, struct link_info *l) {
        return walk_step_in_pool(arg, top, image, name, hfmt, c, l);
}

static int walk_in_pool(storvirt__pool_obj *obj, const char *top, const char *backing,
                        const char *backing_format, storvirt__vol_chain *ret) {
        return walk(walk_step_obj, obj, top, backing, backing_format, ret);
}

int storvirt__vol_chain_of(storvirt_ctx *ctx, storvirt__pool_obj *obj, storvirt__vol_rec *rec,
                           bool allow_mismatch, storvirt__vol_chain *ret) {
        struct link_info l = {};
        int r;

        r = link_info_get(obj, rec, &l);
        if (r >= 0 && l.problem)
                r = storvirt__error_set(-EINVAL, "volume '%s' cannot be used: %s", rec->name,
                                        l.problem);
        else if (r >= 0 && l.probed[0] && !allow_mismatch)
                r = storvirt__error_set(-ESTALE, "volume '%s' of pool '%s' was created as %s, but "
                                                 "its content now claims to be %s (written by its "
                                                 "user?); it is never read as %s: name the format "
                                                 "%s to use it as it was created",
                                        rec->name, obj->def->name, l.format, l.probed, l.probed,
                                        l.format);
        else if (r >= 0 && strcmp(l.format, "raw") != 0 && l.backing &&
                 l.type == STORVIRT_VOLUME_TYPE_NETWORK)
                r = walk_in_pool(obj, rec->path, l.backing, l.backing_format, ret);
        else if (r >= 0 && strcmp(l.format, "raw") != 0 && l.backing)
                r = storvirt__vol_chain_walk(ctx, rec->path, l.backing, l.backing_format, ret);
        else if (r >= 0)
                *ret = (storvirt__vol_chain){};
        link_info_clear(&l);
        return r;
}

int storvirt__vol_encryption(storvirt_ctx *ctx, storvirt__pool_obj *obj, storvirt__vol_rec *rec,
                             char ret_encryption[static 8], char ret_secret[static 37]) {
        struct link_info l = {};
        int r;

        r = link_info_get(obj, rec, &l);
        link_info_clear(&l);
        if (r < 0)
                return r;
        if (!l.encryption[0]) {
                ret_encryption[0] = ret_secret[0] = '\0';
                return 0;
        }
        if (!l.secret[0])
                return storvirt__error_set(-EOPNOTSUPP, "volume '%s' of pool '%s' is encrypted "
                                                        "(%s), and no secret for it is known (the "
                                                        "library did not create it encrypted)",
                                           rec->name, obj->def->name, l.encryption);
        r = storvirt__secret_check(ctx, l.secret);
        if (r < 0)
                return storvirt__error_prefix("volume '%s' of pool '%s' is encrypted (%s) with "
                                              "the passphrase of secret %s", rec->name,
                                              obj->def->name, l.encryption, l.secret);
        memcpy(ret_encryption, l.encryption, 8);
        memcpy(ret_secret, l.secret, 37);
        return 0;
}

void storvirt__vol_chain_check_pool(storvirt__pool_obj *obj) {
        storvirt__vol_rec **recs = NULL;
        size_t n = 0, it = 0;
        const char *name;
        void *v;

        storvirt__mutex_lock(&obj->lock);
        recs = calloc(storvirt__hashmap_size(obj->vols) + 1, sizeof(*recs));
        while (recs && storvirt__hashmap_iterate(obj->vols, &it, &name, &v)) {
                storvirt__vol_rec *rec = v;
                if (rec->backing_path && !rec->problem && strcmp(rec->format, "raw") != 0)
                        recs[n++] = storvirt__vol_rec_ref(rec);
        }
        storvirt__mutex_unlock(&obj->lock);
        for (size_t i = 0; i < n; i++) {
                storvirt__vol_chain c = {};
                int r = storvirt__vol_chain_of(obj->ctx, obj, recs[i], true, &c);

                storvirt__vol_chain_clear(&c);
                if (r < 0)
                        log_warning(obj->ctx, "pool '%s': volume '%s': %s", obj->def->name,
                                    recs[i]->name, storvirt__error_msg());
                storvirt__vol_rec_unref(recs[i]);
        }
        free(recs);
}

int storvirt__vol_record_import(storvirt_ctx *ctx, const char *path, const char *format) {
        storvirt__pool_obj *obj = NULL;
        storvirt__vol_rec *rec = NULL;
        _cleanup_free_ char *norm = NULL, *target = NULL;
        struct stat st;
        bool recorded;
        int r;

        r = path_normalise(path, &norm);
        if (r < 0)
                return r;
        if (storvirt__vol_find_path(ctx, norm, &obj, &rec) < 0)
                return 0;
        storvirt__mutex_lock(&obj->lock);
        recorded = rec->recorded || rec->type != STORVIRT_VOLUME_TYPE_FILE;
        target = obj->def->target.path ? strdup(obj->def->target.path) : NULL;
        r = obj->target_fd >= 0 ? fstatat(obj->target_fd, rec->name, &st, AT_SYMLINK_NOFOLLOW) : -1;
        storvirt__mutex_unlock(&obj->lock);
        if (!recorded && target && r == 0 && S_ISREG(st.st_mode)) {
                r = storvirt__vol_index_set(ctx, target, rec->name, format, (uint64_t)st.st_ino);
                if (r >= 0) {
                        storvirt__mutex_lock(&obj->lock);
                        rec->recorded = true;
                        storvirt__mutex_unlock(&obj->lock);
                }
        } else {
                r = 0;
        }
        storvirt__vol_rec_unref(rec);
        storvirt__pool_obj_unref(obj);
        return r;
}

int storvirt__vol_chain_new_backing(storvirt_ctx *ctx, const char *dir, const char *name,
                                    const char *format, char **ret_path, char ret_format[static 16]) {
        storvirt__pool_obj *obj = NULL;
        storvirt__vol_rec *rec = NULL;
        storvirt__vol_chain below = {};
        struct link_info l = {};
        _cleanup_free_ char *joined = NULL;
        char *path = NULL;
        int r;

        if (name[0] != '/' && asprintf(&joined, "%s/%s", dir, name) < 0)
                return storvirt__error_oom();
        r = path_normalise(joined ? joined : name, &path);
        if (r < 0)
                return r;
        if (storvirt__vol_find_path(ctx, path, &obj, &rec) < 0)
                r = not_a_volume("the new volume", path);
        else if ((r = link_info_get(obj, rec, &l)) >= 0)
                r = link_check("the new volume", path, format ? format : l.format, &l);
        if (r >= 0)
                r = storvirt__vol_chain_of(ctx, obj, rec, false, &below);
        storvirt__vol_chain_clear(&below);
        if (r >= 0) {
                snprintf(ret_format, 16, "%s", l.format);
                *ret_path = path;
                path = NULL;
        }
        link_info_clear(&l);
        storvirt__vol_rec_unref(rec);
        storvirt__pool_obj_unref(obj);
        free(path);
        return r;
}

/* The volume of obj whose name, key or path is name, referenced; NULL if none (obj->lock held). */
static storvirt__vol_rec *rec_named(storvirt__pool_obj *obj, const char *name) {
        storvirt__vol_rec *rec = storvirt__hashmap_get(obj->vols, name);
        const char *k;
        size_t it = 0;
        void *v;

        while (!rec && storvirt__hashmap_iterate(obj->vols, &it, &k, &v)) {
                storvirt__vol_rec *x = v;

                if (strcmp(x->path, name) == 0 || strcmp(x->key, name) == 0)
                        rec = x;
        }
        return storvirt__vol_rec_ref(rec);
}

int storvirt__vol_chain_new_backing_in_pool(storvirt_ctx *ctx, storvirt__pool_obj *obj,
                                            const char *name, const char *format,
                                            char **ret_path, char ret_format[static 16]) {
        storvirt__vol_chain below = {};
        storvirt__vol_rec *rec = NULL;
        struct link_info l = {};
        char *path = NULL;
        int r;

        storvirt__mutex_lock(&obj->lock);
        r = storvirt__pool_obj_vols_ready(obj);
        if (r >= 0)
                rec = rec_named(obj, name);
        storvirt__mutex_unlock(&obj->lock);
        if (r < 0)
                return r;
        if (!rec)
                return storvirt__error_set(-EPERM, "backing store '%s' is not a volume of pool "
                                                   "'%s': the backing store of a %s volume is a "
                                                   "volume of the same pool", name,
                                           obj->def->name, obj->def->type);
        r = link_info_get(obj, rec, &l);
        if (r >= 0)
                r = link_check("the new volume", rec->path, format ? format : l.format, &l);
        if (r >= 0)
                r = storvirt__vol_chain_of(ctx, obj, rec, false, &below);
        storvirt__vol_chain_clear(&below);
        if (r >= 0 && !(path = strdup(rec->path)))
                r = storvirt__error_oom();
        if (r >= 0) {
                snprintf(ret_format, 16, "%s", l.format);
                *ret_path = path;
        }
        link_info_clear(&l);
        storvirt__vol_rec_unref(rec);
        return r;
}

