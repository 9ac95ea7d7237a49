/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rbd.c - the "rbd" pool type: the images of one Ceph pool, reached
 * through librados and librbd (sys/rbd.h), with libvirt's rbd pool XML:
 * <source><name> is the Ceph pool, <host name port/> its monitors,
 * <auth type='ceph' username=U><secret uuid|usage/></auth> the cephx
 * user and the libvirt secret (usage type ceph, storvirt/secret.h)
 * holding its key, <rbd:config_opts> further librados settings.
 *
 * One cluster connection is held for the life of the active pool
 * (obj->backend_data): made by start, or by the first operation when
 * the pool was found active in the state directory by a new context,
 * and dropped by stop or when the pool's record goes.
 *
 * Volumes are the pool's images, as libvirt has them: named by the
 * image, keyed and pathed "POOL/IMAGE", type network, format raw,
 * carrying the image id (rec->backend_id).  A refresh lists the images
 * once and measures them concurrently (sys/rbd_list.c); allocation comes
 * from the object map where fast-diff is on, and is the capacity with
 * <refresh><volume allocation='capacity'/></refresh>.  A new image is
 * format 2 with the cluster's default features, thin unless <allocation>
 * asks for its first bytes to be written.  A volume made from another
 * of the pool is a copy-on-write clone of a snapshot of it made for the
 * clone ("storvirt-clone-NAME", protected), or a full copy; volumes are
 * uploaded and downloaded through a file descriptor, holes kept with
 * the sparse flag.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backends.h"
#include "backends/local.h"
#include "conf/secret_conf.h"
#include "objects/connection_secret.h"
#include "objects/secret.h"
#include "sys/rbd.h"
#include "util/error.h"
#include "util/hashmap.h"
#include "util/log.h"
#include "util/macro.h"
#include "util/strv.h"
#include "util/uuid.h"
#include "util/xml.h"

/* ---- the connection ----------------------------------------------------------------------------- */

/*
 * The monitor address of each <host>: "host" without a port (librados
 * then tries both of Ceph's ports), else the messenger protocol the port
 * speaks by Ceph's convention, "v2:host:3300" or "v1:host:port" (a bare
 * "host:port" makes librados try msgr2 on a msgr1 port too: a refused
 * key then hunts between the two until the timeout instead of failing).
 */
static int mon_hosts(const storvirt__pool_def *def, char ***ret) {
        struct storvirt__strv_builder b = {};
        int r = 0;

        for (size_t i = 0; r >= 0 && i < def->source.n_hosts; i++) {
                const struct storvirt__pool_host *h = &def->source.hosts[i];
                bool v6 = strchr(h->name, ':') && h->name[0] != '[';
                char *s = NULL;

                if (h->port > 0)
                        r = asprintf(&s, v6 ? "%s:[%s]:%d" : "%s:%s:%d",
                                     h->port == 3300 ? "v2" : "v1", h->name, h->port);
                else
                        r = asprintf(&s, v6 ? "[%s]" : "%s", h->name);
                r = r < 0 ? storvirt__error_oom() : storvirt__strv_builder_push(&b, s);
                if (r < 0)
                        free(s);
        }
        if (r < 0) {
                storvirt__strv_builder_done(&b);
                return r;
        }
        return storvirt__strv_builder_finish(&b, ret);
}

/*
 * The base64 cephx key of the pool's <auth> (NULL without one): from the
 * stored rbd connection whose secret it names, else from the secret
 * store, else from the stored rbd connection with the pool's monitors
 * and user (objects/connection_secret.h).
 */
static int auth_key(storvirt_ctx *ctx, const storvirt__pool_def *def, char **ret) {
        const struct storvirt__pool_auth *a = &def->source.auth;
        char uuid[STORVIRT__UUID_STRING_MAX];
        uint8_t *value = NULL;
        size_t n = 0;
        int r;

        *ret = NULL;
        if (!a->type)
                return 0;
        if (strcmp(a->type, "ceph") != 0)
                return storvirt__error_set(-EINVAL, "pool '%s': <auth type='%s'>: rbd pools "
                                                    "authenticate with type 'ceph'",
                                           def->name, a->type);
        r = storvirt__conn_for_rbd_auth(ctx, def, false, ret, NULL);
        if (r != 0)
                return r < 0 ? r : 0;
        r = storvirt__secret_find_usage(ctx, a->has_secret_uuid ? &a->secret_uuid : NULL,
                                        a->secret_usage, STORVIRT__SECRET_USAGE_CEPH, uuid);
        if (r == -ENOENT) {
                _cleanup_free_ char *msg = strdup(storvirt_error_message() ?: "");
                int k = storvirt__conn_for_rbd_auth(ctx, def, true, ret, NULL);

                if (k != 0)
                        return k < 0 ? k : 0;
                storvirt__error_set(r, "%s (nor does a stored rbd connection hold the key of user "
                                       "'%s' for these monitors)", msg ? msg : "", a->username);
        }
        if (r >= 0)
                r = storvirt__secret_value(ctx, uuid, &value, &n);
        if (r < 0)
                return storvirt__error_prefix("<auth><secret>");
        r = storvirt__rbd_key_base64(value, n, ret);
        explicit_bzero(value, n);
        free(value);
        return r;
}

/* A connection to def's cluster, and to its Ceph pool unless pool is NULL. */
static int def_connect(storvirt_ctx *ctx, const storvirt__pool_def *def, const char *pool,
                       storvirt__rbd **ret) {
        _cleanup_strv_free_ char **mons = NULL, **opts = NULL;
        char *key = NULL;
        int r;

        r = mon_hosts(def, &mons);
        if (r >= 0)
                r = auth_key(ctx, def, &key);
        for (size_t i = 0; r >= 0 && i < def->n_rbd_config_opts; i++) {
                r = storvirt__strv_extend(&opts, def->rbd_config_opts[i].name);
                if (r >= 0)
                        r = storvirt__strv_extend(&opts, def->rbd_config_opts[i].value);
        }
        if (r >= 0)
                r = storvirt__rbd_connect(&(struct storvirt__rbd_params){
                                                  .mon_hosts = mons,
                                                  .n_mon_hosts = storvirt__strv_length(mons),
                                                  .user = key ? def->source.auth.username : NULL,
                                                  .key = key,
                                                  .pool = pool,
                                                  .opts = opts,
                                                  .n_opts = def->n_rbd_config_opts,
                                          },
                                          ret);
        storvirt__rbd_key_free(key);
        return r;
}

static int pool_connect(storvirt__pool_obj *obj, storvirt__rbd **ret) {
        int r = def_connect(obj->ctx, obj->def, obj->def->source.name, ret);

        if (r >= 0)
                log_debug(obj->ctx, "pool '%s': connected to Ceph cluster %s, pool '%s'",
                          obj->def->name, storvirt__rbd_fsid(*ret), obj->def->source.name);
        return r;
}

/* The pool's connection, made if needed (a reference); locked: obj->lock is held. */
static int conn_get(storvirt__pool_obj *obj, bool locked, storvirt__rbd **ret) {
        int r = 0;

        if (!locked)
                storvirt__mutex_lock(&obj->lock);
        if (!obj->backend_data) {
                storvirt__rbd *c = NULL;

                r = pool_connect(obj, &c);
                if (r >= 0)
                        obj->backend_data = c;
        }
        if (r >= 0)
                *ret = storvirt__rbd_ref(obj->backend_data);
        if (!locked)
                storvirt__mutex_unlock(&obj->lock);
        return r;
}

static int rbd_start(storvirt__pool_obj *obj, uint32_t flags) {
        storvirt__rbd *c = NULL;
        int r;

        (void)flags;
        r = conn_get(obj, true, &c);
        storvirt__rbd_unref(c);
        return r;
}

static void rbd_release(storvirt__pool_obj *obj) {
        storvirt__rbd_unref(obj->backend_data);
        obj->backend_data = NULL;
}

static int rbd_stop(storvirt__pool_obj *obj, uint32_t flags) {
        (void)flags;
        rbd_release(obj);
        return 0;
}

/* Nothing on the host shows a pool is in use: one started earlier is active until stopped. */
static int rbd_check(storvirt__pool_obj *obj, bool *ret_active) {
        (void)obj;
        *ret_active = true;
        return 0;
}

/* ---- refresh -------------------------------------------------------------------------------------- */

static int rbd_refresh_capacity(storvirt__pool_obj *obj) {
        storvirt__rbd *c = NULL;
        int r = conn_get(obj, true, &c);

        if (r >= 0)
                r = storvirt__rbd_stats(c, &obj->capacity, &obj->allocation, &obj->available);
        storvirt__rbd_unref(c);
        return r < 0 ? storvirt__error_prefix("pool '%s'", obj->def->name) : 0;
}

static void set_figures(storvirt__vol_rec *rec, const struct storvirt__rbd_image *im) {
        rec->type = STORVIRT_VOLUME_TYPE_NETWORK;
        snprintf(rec->format, sizeof(rec->format), "raw");
        rec->capacity = im->size;
        rec->allocation = im->allocation;
        rec->physical = 0;
}

/* The record of image im: the old one when it is the same image, else a new one; NULL: no memory. */
static storvirt__vol_rec *image_rec(storvirt__pool_obj *obj, const struct storvirt__rbd_image *im) {
        storvirt__vol_rec *old = obj->vols ? storvirt__hashmap_get(obj->vols, im->name) : NULL;
        _cleanup_free_ char *key = NULL;
        storvirt__vol_rec *rec;

        if (old && old->backend_id && strcmp(old->backend_id, im->id) == 0)
                return storvirt__vol_rec_ref(old);
        if (asprintf(&key, "%s/%s", obj->def->source.name, im->name) < 0)
                return NULL;
        rec = storvirt__vol_rec_new(im->name, key, key);
        if (rec && !(rec->backend_id = strdup(im->id))) {
                storvirt__vol_rec_unref(rec);
                return NULL;
        }
        return rec;
}

static int rbd_refresh(storvirt__pool_obj *obj, uint32_t flags) {
        bool alloc = obj->def->refresh_volume_allocation != STORVIRT__POOL_REFRESH_ALLOCATION_CAPACITY;
        struct storvirt__rbd_image *v = NULL;
        storvirt__hashmap *vols = NULL;
        storvirt__rbd *c = NULL;
        size_t n = 0;
        int r;

        (void)flags;
        r = conn_get(obj, true, &c);
        if (r >= 0)
                r = storvirt__rbd_list(c, alloc, storvirt__ctx_max_threads(obj->ctx), &v, &n);
        if (r >= 0)
                r = storvirt__hashmap_new(&vols, storvirt__vol_rec_unref_void);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                storvirt__vol_rec *rec = NULL;

                if (v[i].error < 0) {
                        log_warning(obj->ctx, "pool '%s': rbd image '%s' left out: %s",
                                    obj->def->name, v[i].name, strerror(-v[i].error));
                        continue;
                }
                rec = image_rec(obj, &v[i]);
                if (!rec) {
                        r = storvirt__error_oom();
                        break;
                }
                set_figures(rec, &v[i]);
                r = storvirt__hashmap_put(vols, rec->name, rec);
                if (r < 0)
                        storvirt__vol_rec_unref(rec);
        }
        storvirt__rbd_images_free(v, n);
        if (r >= 0)
                r = storvirt__rbd_stats(c, &obj->capacity, &obj->allocation, &obj->available);
        storvirt__rbd_unref(c);
        if (r < 0) {
                storvirt__hashmap_free(vols);
                return storvirt__error_prefix("pool '%s'", obj->def->name);
        }
        if (obj->vols) {
                const char *name;
                size_t it = 0;
                void *rec;

                while (storvirt__hashmap_iterate(obj->vols, &it, &name, &rec))
                        if (storvirt__hashmap_get(vols, name) != rec)
                                ((storvirt__vol_rec *)rec)->deleted = true;
        }
        storvirt__pool_obj_set_vols(obj, vols);
        return 0;
}

/* ---- find sources ------------------------------------------------------------------------------ */

/* srcspec's <host>s and <auth> into def (the rest of it is not read). */
static int spec_parse(const char *srcspec, storvirt__pool_def *def) {
        _cleanup_xml_doc_ xmlDocPtr doc = NULL;
        xmlNodePtr root, n, sec;
        size_t i = 0;
        int r;

        if (!srcspec)
                return storvirt__error_set(-EINVAL, "rbd sources: a <source> with the monitors' "
                                                    "<host name='' port=''/> is needed");
        r = storvirt__xml_parse(srcspec, strlen(srcspec), 65536, "source", &doc);
        if (r < 0)
                return r;
        root = xmlDocGetRootElement(doc);
        if (!root || !xmlStrEqual(root->name, (const xmlChar *)"source"))
                return storvirt__error_set(-EINVAL, "rbd sources: expected a <source> element");
        def->source.n_hosts = storvirt__xml_count_children(root, "host");
        def->source.hosts = calloc(def->source.n_hosts + 1, sizeof(*def->source.hosts));
        if (!def->source.hosts)
                return storvirt__error_oom();
        STORVIRT__XML_FOREACH_CHILD(n, root, "host") {
                const char *name = storvirt__xml_prop(n, "name"), *port = storvirt__xml_prop(n, "port");

                if (!name || !*name || (port && (atoi(port) <= 0 || atoi(port) > 65535)))
                        return storvirt__error_set(-EINVAL, "rbd sources: <host name='%s' port='%s'>"
                                                            " is not a monitor address",
                                                   name ? name : "", port ? port : "");
                def->source.hosts[i].port = port ? atoi(port) : 0;
                if (!(def->source.hosts[i++].name = strdup(name)))
                        return storvirt__error_oom();
        }
        if ((n = storvirt__xml_child(root, "auth"))) {
                const char *type = storvirt__xml_prop(n, "type"), *user = storvirt__xml_prop(n, "username");
                const char *usage = (sec = storvirt__xml_child(n, "secret")) ? storvirt__xml_prop(sec, "usage") : NULL;
                const char *uuid = sec ? storvirt__xml_prop(sec, "uuid") : NULL;

                if (!type || !user || (!usage && !uuid) ||
                    (uuid && storvirt__uuid_parse(uuid, &def->source.auth.secret_uuid) < 0))
                        return storvirt__error_set(-EINVAL, "rbd sources: <auth> needs type, "
                                                            "username and a <secret usage|uuid>");
                def->source.auth.has_secret_uuid = uuid != NULL;
                if (!(def->source.auth.type = strdup(type)) ||
                    !(def->source.auth.username = strdup(user)) ||
                    (usage && !uuid && !(def->source.auth.secret_usage = strdup(usage))))
                        return storvirt__error_oom();
        }
        return 0;
}

/*
 * The cluster's pools: srcspec is <source><host name port/>...[<auth
 * type='ceph' username=U><secret usage|uuid/></auth>]</source>.
 */
static int rbd_find_sources(storvirt_ctx *ctx, const char *srcspec, char **ret_xml,
                            uint32_t flags) {
        _cleanup_xml_writer_ storvirt__xml_writer *w = NULL;
        _cleanup_strv_free_ char **pools = NULL;
        _cleanup_pool_def_ storvirt__pool_def *def = NULL;
        storvirt__rbd *c = NULL;
        int r;

        (void)flags;
        r = storvirt__pool_def_new("rbd", "sources", &def);
        if (r >= 0)
                r = spec_parse(srcspec, def);
        if (r >= 0)
                r = def_connect(ctx, def, NULL, &c);
        if (r >= 0)
                r = storvirt__rbd_pool_names(c, &pools);
        storvirt__rbd_unref(c);
        if (r >= 0)
                r = storvirt__xml_writer_new(&w);
        if (r < 0)
                return r;
        storvirt__xml_writer_start(w, "sources");
        for (char **p = pools; *p; p++) {
                storvirt__xml_writer_start(w, "source");
                for (size_t i = 0; i < def->source.n_hosts; i++) {
                        storvirt__xml_writer_start(w, "host");
                        storvirt__xml_writer_attr(w, "name", def->source.hosts[i].name);
                        if (def->source.hosts[i].port)
                                storvirt__xml_writer_attr_printf(w, "port", "%d",
                                                                 def->source.hosts[i].port);
                        storvirt__xml_writer_end(w);
                }
                storvirt__xml_writer_start(w, "name");
                storvirt__xml_writer_text(w, *p);
                storvirt__xml_writer_end(w);
                storvirt__xml_writer_end(w);
        }
        storvirt__xml_writer_end(w);
        return storvirt__xml_writer_finish(w, ret_xml, NULL);
}

/* ---- volumes ------------------------------------------------------------------------------------- */

static int rbd_create_volume(storvirt__pool_obj *obj, const storvirt__vol_def *def,
                             storvirt__vol_rec **ret_rec, uint32_t flags) {
        _cleanup_free_ char *key = NULL;
        storvirt__vol_rec *rec;

        if (flags & STORVIRT_VOLUME_CREATE_PREALLOC_METADATA)
                return storvirt__error_set(-EOPNOTSUPP, "volume '%s': metadata preallocation is "
                                                        "for qcow2 volumes; rbd images are raw",
                                           def->name);
        if (strchr(def->name, '@'))
                return storvirt__error_set(-EINVAL, "volume '%s': an rbd image name has no '@' "
                                                    "(it separates a snapshot's name)",
                                           def->name);
        if (asprintf(&key, "%s/%s", obj->def->source.name, def->name) < 0)
                return storvirt__error_oom();
        rec = storvirt__vol_rec_new(def->name, key, key);
        if (!rec)
                return storvirt__error_oom();
        rec->type = STORVIRT_VOLUME_TYPE_NETWORK;
        snprintf(rec->format, sizeof(rec->format), "raw");
        rec->capacity = def->capacity;
        *ret_rec = rec;
        return 0;
}

static int progress_cb(void *ud, uint64_t done, uint64_t total) {
        return storvirt__progress_report(ud, done, total);
}

static int rbd_build_volume(storvirt__pool_obj *obj, storvirt__vol_rec *rec,
                            const storvirt__vol_def *def, const storvirt__progress *progress,
                            uint32_t flags) {
        storvirt__rbd *c = NULL;
        int r;

        (void)flags;
        r = conn_get(obj, false, &c);
        if (r >= 0)
                r = storvirt__rbd_image_create(c, rec->name, def->capacity,
                                               def->has_allocation ? def->allocation : 0,
                                               progress_cb, (void *)progress);
        storvirt__rbd_unref(c);
        return r;
}

/*
 * A copy of an image of the same pool (the record listed by this pool):
 * a copy-on-write clone of a snapshot of it, or with
 * STORVIRT_VOLUME_CREATE_NO_COW a full copy (sys/rbd.h).
 */
static int rbd_build_volume_from(storvirt__pool_obj *obj, storvirt__vol_rec *rec,
                                 const storvirt__vol_def *def, storvirt__vol_rec *src,
                                 const storvirt__progress *progress, uint32_t flags) {
        storvirt__rbd *c = NULL;
        bool ours;
        int r;

        storvirt__mutex_lock(&obj->lock);
        ours = obj->vols && storvirt__hashmap_get(obj->vols, src->name) == src;
        storvirt__mutex_unlock(&obj->lock);
        if (!ours)
                return storvirt__error_set(-EOPNOTSUPP, "volume '%s': an rbd pool copies only "
                                                        "images of its own Ceph pool, not '%s'",
                                           rec->name, src->key);
        if (flags & STORVIRT_VOLUME_CREATE_REFLINK)
                return storvirt__error_set(-EOPNOTSUPP, "volume '%s': a reflink copy is for "
                                                        "file pools (an rbd copy is a "
                                                        "copy-on-write clone unless asked not to "
                                                        "be)", rec->name);
        r = conn_get(obj, false, &c);
        if (r >= 0)
                r = storvirt__rbd_image_clone(c, src->name, rec->name, def->capacity,
                                              !(flags & STORVIRT_VOLUME_CREATE_NO_COW),
                                              progress_cb, (void *)progress);
        storvirt__rbd_unref(c);
        return r;
}

static int rbd_upload(storvirt__pool_obj *obj, storvirt__vol_rec *rec, int fd, uint64_t offset,
                      uint64_t length, const storvirt__progress *progress, uint32_t flags) {
        storvirt__rbd *c = NULL;
        int r = conn_get(obj, false, &c);

        if (r >= 0)
                r = storvirt__rbd_image_upload(c, rec->name, fd, offset, length,
                                               flags & STORVIRT_VOLUME_TRANSFER_SPARSE,
                                               progress_cb, (void *)progress);
        storvirt__rbd_unref(c);
        return r;
}

static int rbd_download(storvirt__pool_obj *obj, storvirt__vol_rec *rec, int fd, uint64_t offset,
                        uint64_t length, const storvirt__progress *progress, uint32_t flags) {
        storvirt__rbd *c = NULL;
        int r = conn_get(obj, false, &c);

        if (r >= 0)
                r = storvirt__rbd_image_download(c, rec->name, fd, offset, length,
                                                 flags & STORVIRT_VOLUME_TRANSFER_SPARSE,
                                                 progress_cb, (void *)progress);
        storvirt__rbd_unref(c);
        return r;
}

static int rbd_refresh_volume(storvirt__pool_obj *obj, storvirt__vol_rec *rec, uint32_t flags) {
        struct storvirt__rbd_image im = {};
        storvirt__rbd *c = NULL;
        bool alloc;
        int r;

        /* nothing tells cheaply whether an image changed: its figures are the last refresh's */
        if (flags & STORVIRT__REFRESH_IF_CHANGED)
                return 0;
        alloc = obj->def->refresh_volume_allocation != STORVIRT__POOL_REFRESH_ALLOCATION_CAPACITY;
        r = conn_get(obj, false, &c);
        if (r >= 0)
                r = storvirt__rbd_image_stat(c, rec->name, alloc, &im);
        storvirt__rbd_unref(c);
        if (r < 0)
                return r;
        storvirt__mutex_lock(&obj->lock);
        set_figures(rec, &im);
        if (!rec->backend_id)
                rec->backend_id = TAKE_PTR(im.id);
        storvirt__mutex_unlock(&obj->lock);
        free(im.name);
        free(im.id);
        return 0;
}

static int rbd_delete_volume(storvirt__pool_obj *obj, storvirt__vol_rec *rec, uint32_t flags) {
        storvirt__rbd *c = NULL;
        int r = conn_get(obj, false, &c);

        if (r >= 0)
                r = storvirt__rbd_image_remove(c, rec->name,
                                               flags & STORVIRT_VOLUME_DELETE_WITH_SNAPSHOTS);
        storvirt__rbd_unref(c);
        return r;
}

static int rbd_resize_volume(storvirt__pool_obj *obj, storvirt__vol_rec *rec, uint64_t capacity,
                             uint32_t flags) {
        storvirt__rbd *c = NULL;
        bool shrink;
        int r;

        storvirt__mutex_lock(&obj->lock);
        shrink = capacity < rec->capacity;      /* the caller checked the shrink flag */
        storvirt__mutex_unlock(&obj->lock);
        r = conn_get(obj, false, &c);
        if (r >= 0)
                r = storvirt__rbd_image_resize(c, rec->name, capacity, shrink,
                                               flags & STORVIRT_VOLUME_RESIZE_ALLOCATE);
        storvirt__rbd_unref(c);
        return r;
}

static int rbd_wipe_volume(storvirt__pool_obj *obj, storvirt__vol_rec *rec,
                           const storvirt__progress *progress, uint32_t flags) {
        storvirt__rbd *c = NULL;
        int r;

        (void)flags;
        r = conn_get(obj, false, &c);
        if (r >= 0)
                r = storvirt__rbd_image_discard(c, rec->name, progress_cb, (void *)progress);
        storvirt__rbd_unref(c);
        return r;
}

/* The image's identity: the cluster's fsid, the Ceph pool's id and the image's id (kept by rbd mv). */
static int rbd_volume_identity(storvirt__pool_obj *obj, storvirt__vol_rec *rec, char **ret) {
        struct storvirt__rbd_image im = {};
        storvirt__rbd *c = NULL;
        int r = conn_get(obj, false, &c);

        if (r >= 0)
                r = storvirt__rbd_image_stat(c, rec->name, false, &im);
        if (r >= 0 && (!im.id || !*im.id))
                r = storvirt__error_set(-EOPNOTSUPP, "rbd image '%s' has no image id (format 1)",
                                        rec->name);
        if (r >= 0 && asprintf(ret, "rbd:%s/%" PRId64 "/%s", storvirt__rbd_fsid(c),
                               storvirt__rbd_pool_id(c), im.id) < 0)
                r = storvirt__error_oom();
        free(im.name);
        free(im.id);
        storvirt__rbd_unref(c);
        return r < 0 ? storvirt__error_prefix("pool '%s'", obj->def->name) : 0;
}

const storvirt__backend_ops storvirt__backend_rbd = {
        .abi = STORVIRT__BACKEND_ABI,
        .type = "rbd",
        .find_sources = rbd_find_sources,
        .check_pool = rbd_check,
        .start_pool = rbd_start,
        .refresh_pool = rbd_refresh,
        .refresh_capacity = rbd_refresh_capacity,
        .stop_pool = rbd_stop,
        .create_volume = rbd_create_volume,
        .build_volume = rbd_build_volume,
        .build_volume_from = rbd_build_volume_from,
        .refresh_volume = rbd_refresh_volume,
        .delete_volume = rbd_delete_volume,
        .resize_volume = rbd_resize_volume,
        .upload_volume = rbd_upload,
        .download_volume = rbd_download,
        .wipe_volume = rbd_wipe_volume,
        .release_pool = rbd_release,
        .volume_identity = rbd_volume_identity,
};
