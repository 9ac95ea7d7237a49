/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * iscsi.c - the "iscsi" pool type: one target logged in by the host's
 * kernel initiator (iscsiadm, through the connection module), its LUNs
 * found by the LUN module's discovery (udev and sysfs: the paths whose
 * iSCSI session is that target at that portal) and keyed by GUID, named
 * as libvirt names them ("unit:B:T:L").
 *
 * The login is a connection held by the pool ("pool:<uuid>"): with CHAP
 * the stored connection holding the secret the pool's <auth> names
 * (objects/connection_secret.h), else a stored connection to that portal
 * and target when there is one, else one defined from the pool XML.  Stopping the pool drops the
 * hold: the session is logged out when nothing else holds it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <storvirt.h>

#include "backends/backends.h"
#include "objects/lun_snap.h"
#include "objects/connection_run.h"
#include "objects/connection_secret.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/hashmap.h"
#include "util/macro.h"
#include "util/strv.h"

#define LOGIN_TIMEOUT_MS 60000
#define ISCSI_PORT 3260

static int pool_source(const storvirt__pool_def *def, const char **host, unsigned *port,
                       const char **target) {
        if (!def->source.n_hosts || !def->source.hosts[0].name || !def->source.devices ||
            !def->source.devices[0])
                return storvirt__error_set(-EINVAL, "pool '%s': an iscsi pool needs a source host "
                                                    "and a target (<device path=IQN/>)", def->name);
        *host = def->source.hosts[0].name;
        *port = def->source.hosts[0].port > 0 ? (unsigned)def->source.hosts[0].port : ISCSI_PORT;
        *target = def->source.devices[0];
        return 0;
}

/* The id of the connection the pool holds: a stored one, else one defined from the pool. */
static int pool_connection(storvirt__pool_obj *obj, char **ret_id) {
        const storvirt__pool_def *def = obj->def;
        struct storvirt__buf b = {};
        const char *host, *target;
        char **ids = NULL;
        unsigned port;
        int r;

        r = pool_source(def, &host, &port, &target);
        if (r < 0)
                return r;
        if (def->source.auth.type) {
                r = storvirt__conn_for_pool_auth(obj->ctx, def, ret_id);
                return r < 0 ? r : 0;
        }
        r = storvirt__connection_find_iscsi(obj->ctx, host, port, target, ret_id);
        if (r != 0)
                return r < 0 ? r : 0;
        storvirt__buf_printf(&b, "{\"type\": \"iscsi\", \"driver\": \"kernel\", \"id\": \"pool-%s\", "
                                 "\"portal\": \"%s%s%s:%u\", \"target\": \"%s\"", obj->uuid,
                             strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "", port,
                             target);
        if (def->source.initiator_iqn)
                storvirt__buf_printf(&b, ", \"initiator\": \"%s\"", def->source.initiator_iqn);
        storvirt__buf_printf(&b, "}");
        r = storvirt__connection_define_json(obj->ctx, storvirt__buf_str(&b),
                                             STORVIRT_CONNECTION_DEFINE_REPLACE, &ids);
        storvirt__buf_free(&b);
        if (r < 0)
                return storvirt__error_set(r, "pool '%s': %s", def->name, storvirt_error_message());
        *ret_id = strdup(ids[0]);
        storvirt__strv_free(ids);
        return *ret_id ? 0 : storvirt__error_oom();
}

static void holder_of(const storvirt__pool_obj *obj, char *buf, size_t size) {
        snprintf(buf, size, "pool:%s", obj->uuid);
}

static int iscsi_start(storvirt__pool_obj *obj, uint32_t flags) {
        _cleanup_free_ char *id = NULL;
        char holder[64];
        int r;

        (void)flags;
        r = pool_connection(obj, &id);
        if (r < 0)
                return r;
        holder_of(obj, holder, sizeof(holder));
        r = storvirt__connection_acquire(obj->ctx, id, holder, LOGIN_TIMEOUT_MS);
        return r < 0 ? r : 0;
}

static int iscsi_stop(storvirt__pool_obj *obj, uint32_t flags) {
        _cleanup_free_ char *id = NULL;
        char holder[64];
        int r;

        (void)flags;
        r = pool_connection(obj, &id);
        if (r < 0)
                return r;
        holder_of(obj, holder, sizeof(holder));
        r = storvirt__connection_release(obj->ctx, id, holder, false);
        return r < 0 ? r : 0;
}

/* A path's portal ("host:port[,tpgt]" or as the session shows it) is the pool's. */
static bool same_portal(const char *session_portal, const char *host, unsigned port) {
        char want[300];
        size_t n;

        if (!session_portal)
                return false;
        n = (size_t)snprintf(want, sizeof(want), strchr(host, ':') ? "[%s]:%u" : "%s:%u", host, port);
        return strncmp(session_portal, want, n) == 0 &&
               (session_portal[n] == '\0' || session_portal[n] == ',');
}

static int iscsi_refresh(storvirt__pool_obj *obj, uint32_t flags) {
        const storvirt__pool_def *def = obj->def;
        storvirt__lun_snap *snap = NULL;
        storvirt__hashmap *vols = NULL;
        const char *host, *target;
        uint64_t total = 0;
        unsigned port;
        int r;

        (void)flags;
        r = pool_source(def, &host, &port, &target);
        if (r >= 0)
                r = storvirt__lun_snap_current(obj->ctx, true, &snap);
        if (r >= 0)
                r = storvirt__hashmap_new(&vols, storvirt__vol_rec_unref_void);
        for (size_t i = 0; r >= 0 && i < snap->scan->n_luns; i++) {
                const struct storvirt__blk_lun *lun = &snap->scan->luns[i];

                for (size_t k = 0; r >= 0 && k < lun->n_paths; k++) {
                        const struct storvirt__blk_path *p = &lun->paths[k];
                        const char *guid = lun->guid[0] ? lun->guid : NULL;
                        int c = p->bus, t = p->target, l = p->lun;
                        char name[64], key[512];

                        if (strcmp(p->transport, "iscsi") != 0 || !p->iscsi_target ||
                            strcmp(p->iscsi_target, target) != 0 ||
                            !same_portal(p->iscsi_portal, host, port) || p->host < 0)
                                continue;
                        snprintf(name, sizeof(name), "unit:%d:%d:%d", c, t, l);
                        if (guid)
                                snprintf(key, sizeof(key), "%s", guid);
                        else
                                snprintf(key, sizeof(key), "iscsi:%s/%d", target, l);
                        r = storvirt__backend_add_block_vol(vols, name, key, p->devnode, p->size,
                                                            &total);
                }
        }
        storvirt__lun_snap_unref(snap);
        if (r < 0) {
                storvirt__hashmap_free(vols);
                return r;
        }
        storvirt__backend_set_block_vols(obj, vols, total);
        return 0;
}

/* Active again in a new process while the session is held (the run mark says it was started). */
static int iscsi_check(storvirt__pool_obj *obj, bool *ret_active) {
        (void)obj;
        *ret_active = true;
        return 0;
}

const storvirt__backend_ops storvirt__backend_iscsi = {
        .abi = STORVIRT__BACKEND_ABI,
        .type = "iscsi",
        .find_sources = storvirt__iscsi_find_sources,
        .check_pool = iscsi_check,
        .start_pool = iscsi_start,
        .refresh_pool = iscsi_refresh,
        .stop_pool = iscsi_stop,
};
