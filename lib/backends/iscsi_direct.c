/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * iscsi_direct.c - the "iscsi-direct" pool type: the LUNs of one iSCSI
 * target, reached from user space through libiscsi (sys/iscsi_direct.h);
 * nothing is logged in on the host, the guest's QEMU reaches each LUN
 * itself.  A refresh logs in, lists the LUNs (REPORT LUNS, INQUIRY with
 * the VPD pages, READ CAPACITY) and logs out.
 *
 * Volumes are named as libvirt names them ("unit:0:0:LUN") but keyed by
 * the LUN's GUID (libvirt keys them by the target's name and the LUN
 * number, which says nothing about which disk it is).  A LUN without an
 * identity gets "iscsi-direct:PORTAL/TARGET/LUN".
 *
 * CHAP: the password comes from the stored connection (storvirt/connection.h)
 * whose libvirt secret the pool's <auth><secret usage=... | uuid=...>
 * names ("libstorvirt-chap-<id>"), else from the one to the same portal
 * and target with that user (objects/connection_secret.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backends.h"
#include "objects/connection_run.h"
#include "objects/connection_secret.h"
#include "sys/iscsi_direct.h"
#include "util/error.h"
#include "util/hashmap.h"
#include "util/macro.h"
#include "util/xml.h"

#define ISCSI_PORT 3260
#define SCAN_TIMEOUT_SEC 30

static int portal_of(const storvirt__pool_def *def, char *buf, size_t size) {
        const struct storvirt__pool_host *h = def->source.n_hosts ? &def->source.hosts[0] : NULL;

        if (!h || !h->name || !def->source.devices || !def->source.devices[0])
                return storvirt__error_set(-EINVAL, "pool '%s': an iscsi-direct pool needs a source "
                                                    "host and a target (<device path=IQN/>)",
                                           def->name);
        snprintf(buf, size, strchr(h->name, ':') ? "[%s]:%d" : "%s:%d", h->name,
                 h->port > 0 ? h->port : ISCSI_PORT);
        return 0;
}

static int scan(storvirt__pool_obj *obj, struct storvirt__iscsi_lun **luns, size_t *n) {
        const storvirt__pool_def *def = obj->def;
        char portal[300];
        int r;

        r = portal_of(def, portal, sizeof(portal));
        if (r < 0)
                return r;
        if (def->source.auth.type) {
                _cleanup_free_ char *id = NULL;

                r = storvirt__conn_for_pool_auth(obj->ctx, def, &id);
                if (r > 0)
                        r = storvirt__connection_iscsi_scan(obj->ctx, id, SCAN_TIMEOUT_SEC * 1000, luns, n);
                return r;
        }
        return storvirt__iscsi_scan(&(struct storvirt__iscsi_params){
                                            .portal = portal,
                                            .target = def->source.devices[0],
                                            .initiator = def->source.initiator_iqn,
                                            .timeout_sec = SCAN_TIMEOUT_SEC,
                                    },
                                    luns, n);
}

static int iscsi_direct_refresh(storvirt__pool_obj *obj, uint32_t flags) {
        const storvirt__pool_def *def = obj->def;
        struct storvirt__iscsi_lun *luns = NULL;
        storvirt__hashmap *vols = NULL;
        uint64_t total = 0;
        char portal[300];
        size_t n = 0;
        int r;

        (void)flags;
        r = scan(obj, &luns, &n);
        if (r < 0)
                return r;
        r = portal_of(def, portal, sizeof(portal));
        if (r >= 0)
                r = storvirt__hashmap_new(&vols, storvirt__vol_rec_unref_void);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                const struct storvirt__iscsi_lun *l = &luns[i];
                char name[48], key[512], path[512];
                storvirt__vol_rec *rec, *old;

                snprintf(name, sizeof(name), "unit:0:0:%" PRIu64, l->lun);
                if (l->guid[0])
                        snprintf(key, sizeof(key), "%s", l->guid);
                else
                        snprintf(key, sizeof(key), "iscsi-direct:%s/%s/%" PRIu64, portal,
                                 def->source.devices[0], l->lun);
                snprintf(path, sizeof(path), "iscsi://%s/%s/%" PRIu64, portal, def->source.devices[0],
                         l->lun);
                old = obj->vols ? storvirt__hashmap_get(obj->vols, name) : NULL;
                /* the same LUN keeps its record (and its handles); another disk there gets a new one */
                rec = old && strcmp(old->key, key) == 0 ? storvirt__vol_rec_ref(old)
                                                        : storvirt__vol_rec_new(name, key, path);
                if (!rec) {
                        r = storvirt__error_oom();
                        break;
                }
                rec->type = STORVIRT_VOLUME_TYPE_NETWORK;
                snprintf(rec->format, sizeof(rec->format), "raw");
                rec->capacity = rec->allocation = rec->physical = l->size_bytes;
                total += l->size_bytes;
                r = storvirt__hashmap_put(vols, name, rec);
                if (r < 0)
                        storvirt__vol_rec_unref(rec);
        }
        storvirt__iscsi_luns_free(luns, n);
        if (r < 0) {
                storvirt__hashmap_free(vols);
                return r;
        }
        /* records of LUNs that are gone, or became another disk, are deleted */
        if (obj->vols) {
                const char *name;
                size_t it = 0;
                void *v;

                while (storvirt__hashmap_iterate(obj->vols, &it, &name, &v))
                        if (storvirt__hashmap_get(vols, name) != v)
                                ((storvirt__vol_rec *)v)->deleted = true;
        }
        storvirt__pool_obj_set_vols(obj, vols);
        obj->capacity = obj->allocation = total;
        obj->available = 0;
        return 0;
}

/*
 * SendTargets discovery of the portal srcspec names:
 * <source><host name='' port=''/>[<initiator><iqn name=''/></initiator>]</source>.
 */
int storvirt__iscsi_find_sources(storvirt_ctx *ctx, const char *srcspec, char **ret_xml,
                                 uint32_t flags) {
        _cleanup_xml_doc_ xmlDocPtr doc = NULL;
        _cleanup_xml_writer_ storvirt__xml_writer *w = NULL;
        struct storvirt__iscsi_target *t = NULL;
        const char *host, *port, *iqn = NULL;
        xmlNodePtr root, h, init, n;
        char portal[300];
        size_t nt = 0;
        int r;

        (void)ctx;
        (void)flags;
        if (!srcspec)
                return storvirt__error_set(-EINVAL, "iSCSI sources: a <source> with the "
                                                    "portal's <host name='' port=''/> is needed");
        r = storvirt__xml_parse(srcspec, strlen(srcspec), 65536, "source", &doc);
        if (r < 0)
                return r;
        root = xmlDocGetRootElement(doc);
        if (!root || !xmlStrEqual(root->name, (const xmlChar *)"source"))
                return storvirt__error_set(-EINVAL, "iSCSI sources: expected a <source> element");
        h = storvirt__xml_child(root, "host");
        host = h ? storvirt__xml_prop(h, "name") : NULL;
        if (!host || !*host)
                return storvirt__error_set(-EINVAL, "iSCSI sources: <source> needs "
                                                    "<host name=''/>");
        port = storvirt__xml_prop(h, "port");
        if ((init = storvirt__xml_child(root, "initiator")) && (n = storvirt__xml_child(init, "iqn")))
                iqn = storvirt__xml_prop(n, "name");
        snprintf(portal, sizeof(portal), strchr(host, ':') ? "[%s]:%s" : "%s:%s", host,
                 port && *port ? port : "3260");
        r = storvirt__iscsi_discover(&(struct storvirt__iscsi_params){ .portal = portal,
                                                                        .initiator = iqn,
                                                                        .timeout_sec = SCAN_TIMEOUT_SEC },
                                     &t, &nt);
        if (r < 0)
                return r;
        r = storvirt__xml_writer_new(&w);
        if (r >= 0) {
                storvirt__xml_writer_start(w, "sources");
                for (size_t i = 0; i < nt; i++) {
                        storvirt__xml_writer_start(w, "source");
                        storvirt__xml_writer_start(w, "host");
                        storvirt__xml_writer_attr(w, "name", host);
                        storvirt__xml_writer_attr(w, "port", port && *port ? port : "3260");
                        storvirt__xml_writer_end(w);
                        storvirt__xml_writer_start(w, "device");
                        storvirt__xml_writer_attr(w, "path", t[i].iqn);
                        storvirt__xml_writer_end(w);
                        if (iqn) {
                                storvirt__xml_writer_start(w, "initiator");
                                storvirt__xml_writer_start(w, "iqn");
                                storvirt__xml_writer_attr(w, "name", iqn);
                                storvirt__xml_writer_end(w);
                                storvirt__xml_writer_end(w);
                        }
                        storvirt__xml_writer_end(w);
                }
                storvirt__xml_writer_end(w);
                r = storvirt__xml_writer_finish(w, ret_xml, NULL);
        }
        storvirt__iscsi_targets_free(t, nt);
        return r;
}

/*
 * Nothing on the host shows the pool is in use: a pool started earlier
 * (its run mark in the state directory) is active, and its refresh checks
 * the target again.
 */
static int iscsi_direct_check(storvirt__pool_obj *obj, bool *ret_active) {
        (void)obj;
        *ret_active = true;
        return 0;
}

const storvirt__backend_ops storvirt__backend_iscsi_direct = {
        .abi = STORVIRT__BACKEND_ABI,
        .type = "iscsi-direct",
        .find_sources = storvirt__iscsi_find_sources,
        .check_pool = iscsi_direct_check,
        .refresh_pool = iscsi_direct_refresh,
};
