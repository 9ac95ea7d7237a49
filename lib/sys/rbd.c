/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rbd.c - a connection to a Ceph cluster and one pool through librados,
 * the pool's figures, and the image operations of sys/rbd.h (the
 * listing is in rbd_list.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rados/librados.h>
#include <rbd/librbd.h>

#include "sys/rbd.h"
#include "sys/rbd_int.h"
#include "util/base64.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/macro.h"
#include "util/strv.h"

/* ---- connection ------------------------------------------------------------------------------- */

static int conf_set(rados_t cl, const char *name, const char *value) {
        int r = rados_conf_set(cl, name, value);

        if (r < 0)
                return storvirt__error_set(r, "Ceph setting '%s' = '%s': %s", name, value,
                                           strerror(-r));
        return 0;
}

static int join_hosts(const struct storvirt__rbd_params *p, char **ret) {
        if (p->n_mon_hosts == 0)
                return storvirt__error_set(-EINVAL, "no Ceph monitor host given");
        for (size_t i = 0; i < p->n_mon_hosts; i++)
                if (!p->mon_hosts[i][0] || strchr(p->mon_hosts[i], ','))
                        return storvirt__error_set(-EINVAL, "Ceph monitor host '%s': not a host "
                                                            "name or address",
                                                   p->mon_hosts[i]);
        return storvirt__strv_join(p->mon_hosts, ",", ret);
}

/* Every setting of a connection: ours, then the caller's (which may override them). */
static int configure(rados_t cl, const struct storvirt__rbd_params *p, const char *mons) {
        char timeout[16];
        int r;

        snprintf(timeout, sizeof(timeout), "%u",
                 p->timeout_sec ? p->timeout_sec : STORVIRT__RBD_DEFAULT_TIMEOUT);
        static const char *const fixed[][2] = {
                { "log_to_stderr", "false" }, { "err_to_stderr", "false" },
                { "log_file", "" },           { "keyring", "" },
                /* no per-image cache: the library reads figures and writes whole ranges */
                { "rbd_cache", "false" },
        };
        r = conf_set(cl, "mon_host", mons);
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(fixed); i++)
                r = conf_set(cl, fixed[i][0], fixed[i][1]);
        if (r >= 0)
                r = conf_set(cl, "client_mount_timeout", timeout);
        if (r >= 0)
                r = conf_set(cl, "rados_mon_op_timeout", timeout);
        if (r >= 0)
                r = conf_set(cl, "rados_osd_op_timeout", timeout);
        if (r >= 0)
                r = conf_set(cl, "auth_client_required", p->user ? "cephx" : "none");
        if (r >= 0 && p->user) {
                r = rados_conf_set(cl, "key", p->key ? p->key : "");
                if (r < 0)
                        r = storvirt__error_set(r, "the cephx key of user '%s' is not a "
                                                   "valid key (base64)", p->user);
        }
        for (size_t i = 0; r >= 0 && i < 2 * p->n_opts; i += 2)
                r = conf_set(cl, p->opts[i], p->opts[i + 1]);
        return r;
}

static int connect_error(int r, const struct storvirt__rbd_params *p, const char *mons) {
        const char *user = p->user ? p->user : "admin";

        if (r == -EACCES || r == -EPERM)
                return storvirt__error_set(-EACCES, "Ceph monitors %s refused user 'client.%s': "
                                                    "the cephx key is wrong or the user does "
                                                    "not exist", mons, user);
        if (r == -ETIMEDOUT)
                return storvirt__error_set(-ETIMEDOUT, "no Ceph monitor answered at %s within "
                                                       "%u s", mons,
                                           p->timeout_sec ? p->timeout_sec
                                                          : STORVIRT__RBD_DEFAULT_TIMEOUT);
        return storvirt__error_set(r, "cannot connect to the Ceph monitors %s as "
                                      "'client.%s': %s", mons, user, strerror(-r));
}

/* A timeout setting as the connection has it (the caller's value when given). */
static unsigned conf_timeout(rados_t cl, const char *name) {
        char v[32];

        if (rados_conf_get(cl, name, v, sizeof(v)) < 0)
                return 0;
        return (unsigned)strtoul(v, NULL, 10);
}

int storvirt__rbd_pool_error(const storvirt__rbd *c, int r, bool osd, const char *what) {
        unsigned t = osd ? c->osd_timeout : c->mon_timeout;

        if (r == -ETIMEDOUT && t > 0)
                return storvirt__error_set(-ETIMEDOUT, "Ceph pool '%s': %s: no %s answered "
                                                       "within %u s (%s): the cluster %s is "
                                                       "unreachable or not serving the pool",
                                           c->pool, what, osd ? "OSD" : "monitor", t,
                                           osd ? "rados_osd_op_timeout"
                                               : "rados_mon_op_timeout", c->fsid);
        if (r == -EPERM || r == -EACCES)
                return storvirt__error_set(-EACCES, "Ceph pool '%s': %s: access refused",
                                           c->pool, what);
        return storvirt__error_set(r, "Ceph pool '%s': %s: %s", c->pool, what, strerror(-r));
}

static int open_pool(storvirt__rbd *c, const char *mons) {
        int r = rados_ioctx_create(c->cluster, c->pool, &c->io);

        if (r == -ENOENT)
                return storvirt__error_set(-ENOENT, "Ceph pool '%s' does not exist in cluster "
                                                    "%s (monitors %s)", c->pool, c->fsid, mons);
        if (r == -EACCES || r == -EPERM)
                return storvirt__error_set(-EACCES, "Ceph pool '%s': access refused", c->pool);
        if (r < 0)
                return storvirt__error_set(r, "Ceph pool '%s': %s", c->pool, strerror(-r));
        c->pool_id = rados_ioctx_get_id(c->io);
        return 0;
}

int storvirt__rbd_connect(const struct storvirt__rbd_params *p, storvirt__rbd **ret) {
        _cleanup_free_ char *mons = NULL, *name = NULL;
        storvirt__rbd *c;
        int r;

        if (p->pool && !*p->pool)
                return storvirt__error_set(-EINVAL, "an empty Ceph pool name");
        if (p->user && (!*p->user || !p->key))
                return storvirt__error_set(-EINVAL, "Ceph user '%s' needs a key", p->user);
        r = join_hosts(p, &mons);
        if (r < 0)
                return r;
        if (asprintf(&name, "client.%s", p->user ? p->user : "admin") < 0)
                return storvirt__error_oom();
        c = calloc(1, sizeof(*c));
        if (!c || !(c->pool = strdup(p->pool ? p->pool : ""))) {
                free(c);
                return storvirt__error_oom();
        }
        STORVIRT__REFCNT_INIT(c->n_ref);
        r = rados_create2(&c->cluster, p->cluster ? p->cluster : "ceph", name, 0);
        if (r < 0) {
                free(c->pool);
                free(c);
                return storvirt__error_set(r, "cannot make a Ceph client: %s", strerror(-r));
        }
        r = configure(c->cluster, p, mons);
        if (r >= 0 && (r = rados_connect(c->cluster)) < 0)
                r = connect_error(r, p, mons);
        if (r >= 0 && rados_cluster_fsid(c->cluster, c->fsid, sizeof(c->fsid)) < 0)
                c->fsid[0] = '\0';
        c->osd_timeout = conf_timeout(c->cluster, "rados_osd_op_timeout");
        c->mon_timeout = conf_timeout(c->cluster, "rados_mon_op_timeout");
        if (r >= 0 && p->pool)
                r = open_pool(c, mons);
        if (r < 0) {
                storvirt__rbd_unref(c);
                return r;
        }
        *ret = c;
        return 0;
}

storvirt__rbd *storvirt__rbd_ref(storvirt__rbd *c) {
        if (c)
                storvirt__refcnt_inc(&c->n_ref);
        return c;
}

void storvirt__rbd_unref(storvirt__rbd *c) {
        if (!c || !storvirt__refcnt_dec(&c->n_ref))
                return;
        if (c->io)
                rados_ioctx_destroy(c->io);
        rados_shutdown(c->cluster);
        free(c->pool);
        free(c);
}

const char *storvirt__rbd_fsid(const storvirt__rbd *c) {
        return c->fsid;
}

const char *storvirt__rbd_pool_name(const storvirt__rbd *c) {
        return c->pool;
}

int64_t storvirt__rbd_pool_id(const storvirt__rbd *c) {
        return c->pool_id;
}

int storvirt__rbd_stats(storvirt__rbd *c, uint64_t *ret_capacity, uint64_t *ret_allocation,
                        uint64_t *ret_available) {
        struct rados_cluster_stat_t cs;
        struct rados_pool_stat_t ps;
        int r;

        r = rados_cluster_stat(c->cluster, &cs);
        if (r < 0)
                return storvirt__rbd_pool_error(c, r, false, "cannot read the cluster's usage");
        r = rados_ioctx_pool_stat(c->io, &ps);
        if (r < 0)
                return storvirt__rbd_pool_error(c, r, false, "cannot read its usage");
        *ret_capacity = cs.kb * 1024;
        *ret_available = cs.kb_avail * 1024;
        *ret_allocation = ps.num_bytes;
        return 0;
}

int storvirt__rbd_pool_names(storvirt__rbd *c, char ***ret) {
        _cleanup_free_ char *buf = NULL;
        struct storvirt__strv_builder b = {};
        size_t len = 1024;
        int r;

        for (;;) {
                char *nb = realloc(buf, len);

                if (!nb)
                        return storvirt__error_oom();
                buf = nb;
                r = rados_pool_list(c->cluster, buf, len);
                if (r < 0)
                        return storvirt__error_set(r, "Ceph cluster %s: cannot list its pools: "
                                                      "%s", c->fsid, strerror(-r));
                if ((size_t)r <= len)
                        break;
                len = (size_t)r;
        }
        for (const char *s = buf; r >= 0 && *s; s += strlen(s) + 1)
                r = storvirt__strv_builder_add(&b, s);
        if (r < 0) {
                storvirt__strv_builder_done(&b);
                return r;
        }
        return storvirt__strv_builder_finish(&b, ret);
}

/* ---- images ----------------------------------------------------------------------------------- */

int storvirt__rbd_image_error(const storvirt__rbd *c, const char *name, int r, const char *what) {
        if (r == -ENOENT)
                return storvirt__error_set(-ENOENT, "rbd image '%s/%s' does not exist", c->pool,
                                           name);
        if (r == -EPERM || r == -EACCES)
                return storvirt__error_set(-EACCES, "rbd image '%s/%s': %s: access refused",
                                           c->pool, name, what);
        return storvirt__error_set(r, "rbd image '%s/%s': %s: %s", c->pool, name, what,
                                   strerror(-r));
}

int storvirt__rbd_open(storvirt__rbd *c, const char *name, bool read_only, rbd_image_t *ret) {
        int r = read_only ? rbd_open_read_only(c->io, name, ret, NULL)
                          : rbd_open(c->io, name, ret, NULL);

        return r < 0 ? storvirt__rbd_image_error(c, name, r, "open") : 0;
}

/* Writes zeros over [from, to) of an open image, a few object-sized writes in flight. */
static int write_zeros(storvirt__rbd *c, const char *name, rbd_image_t img, uint64_t from,
                       uint64_t to, storvirt__rbd_progress_fn fn, void *ud) {
        enum { CHUNK = 4u << 20, WINDOW = 8 };
        _cleanup_free_ char *zero = calloc(1, CHUNK);
        rbd_completion_t comp[WINDOW];
        uint64_t off = from;
        int r = zero ? 0 : storvirt__error_oom();

        while (r >= 0 && off < to) {
                size_t k = 0;

                for (; k < WINDOW && off < to; k++) {
                        size_t len = to - off < CHUNK ? (size_t)(to - off) : CHUNK;

                        rbd_aio_create_completion(NULL, NULL, &comp[k]);
                        rbd_aio_write(img, off, len, zero, comp[k]);
                        off += len;
                }
                for (size_t i = 0; i < k; i++) {
                        ssize_t w;

                        rbd_aio_wait_for_complete(comp[i]);
                        w = rbd_aio_get_return_value(comp[i]);
                        rbd_aio_release(comp[i]);
                        if (w < 0 && r >= 0)
                                r = storvirt__rbd_image_error(c, name, (int)w, "write");
                }
                if (r >= 0 && fn)
                        r = fn(ud, off - from, to - from);
        }
        if (r >= 0 && (r = rbd_flush(img)) < 0)
                r = storvirt__rbd_image_error(c, name, r, "flush");
        return r;
}

int storvirt__rbd_image_create(storvirt__rbd *c, const char *name, uint64_t size,
                               uint64_t zero_bytes, storvirt__rbd_progress_fn fn, void *ud) {
        rbd_image_options_t o;
        rbd_image_t img;
        int r;

        rbd_image_options_create(&o);
        rbd_image_options_set_uint64(o, RBD_IMAGE_OPTION_FORMAT, 2);
        r = rbd_create4(c->io, name, size, o);
        rbd_image_options_destroy(o);
        if (r == -EEXIST)
                return storvirt__error_set(-EEXIST, "rbd image '%s/%s' already exists", c->pool,
                                           name);
        if (r < 0)
                return storvirt__rbd_image_error(c, name, r, "create");
        if (zero_bytes == 0)
                return 0;
        r = storvirt__rbd_open(c, name, false, &img);
        if (r >= 0) {
                r = write_zeros(c, name, img, 0, zero_bytes < size ? zero_bytes : size, fn, ud);
                rbd_close(img);
        }
        if (r < 0)
                rbd_remove(c->io, name);
        return r;
}

static int count_watchers(storvirt__rbd *c, const char *name, rbd_image_t img, size_t *ret) {
        rbd_image_watcher_t w[8];
        size_t n = ELEMENTSOF(w);
        int r = rbd_watchers_list(img, w, &n);

        if (r == -ERANGE) {
                *ret = n;
                return 0;
        }
        if (r < 0)
                return storvirt__rbd_image_error(c, name, r, "list its watchers");
        rbd_watchers_list_cleanup(w, n);
        *ret = n;
        return 0;
}

/* The image's snapshots (rbd_snap_list_end() them); their number. */
static int list_snaps(storvirt__rbd *c, const char *name, rbd_image_t img, rbd_snap_info_t **ret) {
        int max = 16, r;

        for (;;) {
                rbd_snap_info_t *v = calloc((size_t)max + 1, sizeof(*v));

                if (!v)
                        return storvirt__error_oom();
                r = rbd_snap_list(img, v, &max);
                if (r >= 0) {
                        *ret = v;
                        return r;
                }
                free(v);
                if (r != -ERANGE)
                        return storvirt__rbd_image_error(c, name, r, "list its snapshots");
        }
}

static void free_snaps(rbd_snap_info_t *v) {
        if (v) {
                rbd_snap_list_end(v);
                free(v);
        }
}

static int remove_snaps(storvirt__rbd *c, const char *name) {
        rbd_snap_info_t *snaps = NULL;
        rbd_image_t img;
        int r, n;

        r = storvirt__rbd_open(c, name, false, &img);
        if (r < 0)
                return r;
        r = n = list_snaps(c, name, img, &snaps);
        for (int i = 0; r >= 0 && i < n; i++) {
                int prot = 0;

                r = rbd_snap_is_protected(img, snaps[i].name, &prot);
                if (r >= 0 && prot)
                        r = rbd_snap_unprotect(img, snaps[i].name);
                if (r == -EBUSY)
                        r = storvirt__error_set(-EBUSY, "rbd image '%s/%s': snapshot '%s' has "
                                                        "clones: not removed", c->pool, name,
                                                snaps[i].name);
                else if (r >= 0 && (r = rbd_snap_remove(img, snaps[i].name)) < 0)
                        r = storvirt__rbd_image_error(c, name, r, "remove a snapshot");
                else if (r < 0)
                        r = storvirt__rbd_image_error(c, name, r, "unprotect a snapshot");
        }
        free_snaps(snaps);
        rbd_close(img);
        return r;
}

/* The first of snaps[0..n) with clones: its index, the clone in *ret_clone; n: none. */
static int first_cloned(storvirt__rbd *c, const char *name, rbd_image_t img,
                        const rbd_snap_info_t *snaps, int n, char **ret_clone) {
        for (int i = 0; i < n; i++) {
                int r = storvirt__rbd_snap_clones(c, name, img, snaps[i].name, ret_clone);

                if (r != 0)
                        return r < 0 ? r : i;
        }
        return n;
}

/*
 * The parent of the open image when it is a clone made by
 * storvirt__rbd_image_clone() (from the snapshot named for it, in the
 * same pool): its name in *ret, else NULL.
 */
static int clone_parent(storvirt__rbd *c, const char *name, rbd_image_t img, char **ret) {
        _cleanup_free_ char *snap = NULL;
        rbd_linked_image_spec_t parent = {};
        rbd_snap_spec_t psnap = {};
        int r;

        *ret = NULL;
        r = storvirt__rbd_clone_snap_name(name, &snap);
        if (r < 0)
                return r;
        r = rbd_get_parent(img, &parent, &psnap);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return storvirt__rbd_image_error(c, name, r, "read its parent");
        if (parent.pool_id == c->pool_id && !parent.trash && psnap.name &&
            strcmp(psnap.name, snap) == 0 && (!parent.pool_namespace || !*parent.pool_namespace) &&
            !(*ret = strdup(parent.image_name)))
                r = storvirt__error_oom();
        rbd_linked_image_spec_cleanup(&parent);
        rbd_snap_spec_cleanup(&psnap);
        return r;
}

/*
 * Refuses an image in use (watchers), with snapshots not to be removed
 * or with a snapshot that has clones (named); its number of snapshots,
 * and in *ret_parent the image it is a clone of (clone_parent()).
 */
static int check_removable(storvirt__rbd *c, const char *name, bool with_snaps,
                           char **ret_parent) {
        _cleanup_free_ char *clone = NULL;
        rbd_snap_info_t *snaps = NULL;
        rbd_image_t img;
        size_t watchers = 0;
        int r, n = 0, k = 0;

        r = storvirt__rbd_open(c, name, true, &img);
        if (r < 0)
                return r;
        r = count_watchers(c, name, img, &watchers);
        if (r >= 0 && watchers > 0)
                r = storvirt__error_set(-EBUSY, "rbd image '%s/%s' has %zu watcher(s): a client "
                                                "(a running VM?) has it open", c->pool, name,
                                        watchers);
        if (r >= 0)
                r = n = list_snaps(c, name, img, &snaps);
        if (r > 0)
                r = k = first_cloned(c, name, img, snaps, n, &clone);
        if (r >= 0 && n > 0 && with_snaps && k < n)
                r = storvirt__error_set(-EBUSY, "rbd image '%s/%s': snapshot '%s' has clones, "
                                                "first '%s': not removed", c->pool, name,
                                        snaps[k].name, clone);
        else if (r >= 0 && n > 0 && !with_snaps)
                r = storvirt__error_set(-ENOTEMPTY, "rbd image '%s/%s' has %d snapshot(s), "
                                                    "first '%s'%s%s%s%s%s: not removed unless "
                                                    "its snapshots are removed with it", c->pool,
                                        name, n, snaps[0].name,
                                        k < n ? " (snapshot '" : "", k < n ? snaps[k].name : "",
                                        k < n ? "' has clone '" : "", k < n ? clone : "",
                                        k < n ? "')" : "");
        if (r >= 0)
                r = clone_parent(c, name, img, ret_parent);
        free_snaps(snaps);
        rbd_close(img);
        return r < 0 ? r : n;
}

int storvirt__rbd_image_remove(storvirt__rbd *c, const char *name, bool with_snaps) {
        _cleanup_free_ char *parent = NULL;
        int r = check_removable(c, name, with_snaps, &parent);

        if (r > 0)
                r = remove_snaps(c, name);
        if (r < 0)
                return r;
        r = rbd_remove(c->io, name);
        if (r == -EBUSY)
                return storvirt__error_set(-EBUSY, "rbd image '%s/%s' has watchers: a client "
                                                   "(a running VM?) has it open", c->pool, name);
        if (r == -ENOTEMPTY)
                return storvirt__error_set(-ENOTEMPTY, "rbd image '%s/%s' has snapshots or "
                                                       "clones", c->pool, name);
        if (r < 0)
                return storvirt__rbd_image_error(c, name, r, "remove");
        if (parent)
                storvirt__rbd_drop_clone_snap(c, parent, name);
        return 0;
}

/* librbd calls the progress function of a resize unconditionally. */
static int no_progress(uint64_t done, uint64_t total, void *ud) {
        (void)done;
        (void)total;
        (void)ud;
        return 0;
}

int storvirt__rbd_image_resize(storvirt__rbd *c, const char *name, uint64_t size, bool shrink,
                               bool allocate) {
        uint64_t cur = 0;
        rbd_image_t img;
        int r;

        r = storvirt__rbd_open(c, name, false, &img);
        if (r < 0)
                return r;
        if ((r = rbd_get_size(img, &cur)) < 0)
                r = storvirt__rbd_image_error(c, name, r, "read its size");
        else if (size < cur && !shrink)
                r = storvirt__error_set(-EINVAL, "rbd image '%s/%s': %" PRIu64 " bytes is below "
                                                 "its size %" PRIu64 ": shrinking was not asked "
                                                 "for", c->pool, name, size, cur);
        else if ((r = rbd_resize2(img, size, shrink, no_progress, NULL)) < 0)
                r = storvirt__rbd_image_error(c, name, r, "resize");
        if (r >= 0 && allocate && size > cur)
                r = write_zeros(c, name, img, cur, size, NULL, NULL);
        rbd_close(img);
        return r;
}

int storvirt__rbd_image_discard(storvirt__rbd *c, const char *name, storvirt__rbd_progress_fn fn,
                                void *ud) {
        const uint64_t chunk = 256u << 20;
        uint64_t size = 0, off = 0;
        rbd_image_t img;
        int r;

        r = storvirt__rbd_open(c, name, false, &img);
        if (r < 0)
                return r;
        if ((r = rbd_get_size(img, &size)) < 0)
                r = storvirt__rbd_image_error(c, name, r, "read its size");
        while (r >= 0 && off < size) {
                uint64_t len = size - off < chunk ? size - off : chunk;

                r = rbd_discard(img, off, len);
                if (r < 0)
                        r = storvirt__rbd_image_error(c, name, r, "discard");
                off += len;
                if (r >= 0 && fn)
                        r = fn(ud, off, size);
        }
        if (r >= 0 && (r = rbd_flush(img)) < 0)
                r = storvirt__rbd_image_error(c, name, r, "flush");
        rbd_close(img);
        return r < 0 ? r : 0;
}

/* ---- keys ------------------------------------------------------------------------------------- */

void storvirt__rbd_key_free(char *key) {
        if (key) {
                explicit_bzero(key, strlen(key));
                free(key);
        }
}

int storvirt__rbd_key_base64(const uint8_t *value, size_t n, char **ret) {
        uint8_t *raw = NULL;
        size_t len = n, nraw = 0;

        if (len > 0 && value[len - 1] == '\n')
                len--;
        if (len > 0 && storvirt__base64_decode((const char *)value, len, &raw, &nraw) >= 0) {
                char *s = malloc(len + 1);

                explicit_bzero(raw, nraw);
                free(raw);
                if (!s)
                        return storvirt__error_oom();
                memcpy(s, value, len);
                s[len] = '\0';
                *ret = s;
                return 0;
        }
        return storvirt__base64_encode(value, n, ret);
}
