/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vdisk_net.c - vDisks of rbd images and of files of GlusterFS volumes,
 * imported from a volume of an rbd or gluster pool.  Their identity is
 * what renames keep and nothing else shares: "rbd:FSID/POOL-ID/IMAGE-ID"
 * (the cluster, the Ceph pool, the image) or "gluster:VOLUME-ID/GFID",
 * read from the storage by the pool's backend.  The record keeps where
 * QEMU reaches it (the pool's monitors or servers, its cephx user and
 * secret) and the pool and volume it came from; a prepare reads the
 * identity under that name again, and a re-import under a new name
 * (after `rbd mv` or a rename inside the volume) moves the record there.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <storvirt.h>

#include "core/pool.h"
#include "objects/connection_secret.h"
#include "vdisk/vdisk_int.h"
#include "util/error.h"
#include "util/macro.h"

bool storvirt__vdisk_is_net(const vrec *v) {
        return strcmp(v->kind, "rbd") == 0 || strcmp(v->kind, "gluster") == 0;
}

/* The storage's identity under pool and volume name, read now: the pool refreshed first. */
static int read_identity(storvirt_ctx *ctx, const char *pool_name, const char *vol_name,
                         bool refresh, char **ret_identity, storvirt_volume **ret_vol) {
        storvirt_volume *vol = NULL;
        storvirt_pool *pool = NULL;
        int r;

        r = storvirt_pool_lookup_by_name(ctx, pool_name, &pool);
        if (r >= 0 && refresh)
                r = storvirt_pool_refresh(pool, 0);
        if (r >= 0)
                r = storvirt_volume_lookup_by_name(pool, vol_name, &vol);
        if (r >= 0)
                r = storvirt__volume_identity(vol, ret_identity);
        storvirt_pool_unref(pool);
        if (r >= 0 && ret_vol)
                *ret_vol = vol;
        else
                storvirt_volume_unref(vol);
        return r;
}

/* The stored connection the source needs (rbd or glusterfs), if one is defined. */
static int source_connection(storvirt_ctx *ctx, const storvirt__disk_resolved *d, char **ret) {
        *ret = NULL;
        if (d->rbd.name)
                return storvirt__conn_find_for_rbd(ctx, &d->rbd, ret);
        return storvirt__conn_find_glusterfs(ctx, &d->netfile, ret);
}

int storvirt__vdisk_net_identity(storvirt_ctx *ctx, const storvirt__disk_resolved *d, vrec *v,
                                 image *base, char **ret_conn) {
        const storvirt__disk_spec *s = d->spec;
        storvirt_volume *vol = NULL;
        storvirt_pool *pool;
        int r;

        if (s->source != STORVIRT__DISK_SOURCE_VOLUME)
                return storvirt__error_set(-EOPNOTSUPP, "vdisk-import of the %s network source "
                                           "'%s' outside any pool is not supported: import the "
                                           "volume of its rbd or gluster pool",
                                           d->rbd.name ? "rbd" : d->netfile.protocol,
                                           d->rbd.name ? d->rbd.name : d->netfile.name);
        r = read_identity(ctx, s->pool, s->volume, false, &v->identity, &vol);
        if (r < 0)
                return r;
        pool = storvirt_volume_get_pool(vol);
        if ((r = storvirt__sdup(d->rbd.name ? "rbd" : "gluster", &v->kind)) < 0 ||
            (r = storvirt__sdup(s->pool, &base->pool)) < 0 ||
            (r = storvirt__sdup(s->volume, &base->volume)) < 0 ||
            (r = storvirt__sdup(storvirt_volume_get_key(vol), &base->key)) < 0 ||
            (r = storvirt__sdup(storvirt_pool_get_uuid(pool), &base->domain_id)) < 0 ||
            (r = storvirt__vrec_net_set(v, &d->rbd, &d->netfile)) < 0)
                goto out;
        base->type = STORVIRT__DISK_TYPE_NETWORK;
        base->capacity = d->capacity;
        base->cow = d->spec->format == STORVIRT__DISK_FORMAT_QCOW2;
        r = source_connection(ctx, d, ret_conn);
out:
        storvirt_volume_unref(vol);
        return r < 0 ? r : 0;
}

/* "cluster fsid F", "pool id P", "image id I" (or "volume id", "gfid") of the first field that differs. */
static void describe_difference(const char *want, const char *got, char *buf, size_t size) {
        static const char *const rbd[] = { "cluster fsid", "pool id", "image id" };
        static const char *const gl[] = { "volume id", "gfid" };
        bool is_rbd = strncmp(want, "rbd:", 4) == 0;
        const char *const *names = is_rbd ? rbd : gl;
        size_t n = is_rbd ? 3 : 2;
        const char *a = strchr(want, ':'), *b = strchr(got, ':');

        snprintf(buf, size, "identity %s, not %s", got, want);
        for (size_t i = 0; a && b && i < n; i++) {
                size_t la = strcspn(a + 1, "/"), lb = strcspn(b + 1, "/");

                if (la != lb || strncmp(a + 1, b + 1, la) != 0) {
                        snprintf(buf, size, "%s %.*s, not the vDisk's %.*s", names[i], (int)lb,
                                 b + 1, (int)la, a + 1);
                        return;
                }
                a = strchr(a + 1, '/');
                b = strchr(b + 1, '/');
        }
}

int storvirt__vdisk_net_check(storvirt_ctx *ctx, const vrec *v, char **ret_path) {
        const image *base = &v->images[0];
        _cleanup_free_ char *now = NULL;
        char diff[256];
        int r;

        r = read_identity(ctx, base->pool, base->volume, true, &now, NULL);
        if (r == -ENOENT)
                return storvirt__error_set(-ENOENT, "vDisk %s: pool '%s' has no volume '%s' (%s) "
                                                    "any more: renamed? import it under its new "
                                                    "name: %s", v->id, base->pool, base->volume,
                                           storvirt__vrec_net_name(v), storvirt_error_message());
        if (r < 0)
                return storvirt__error_prefix("vDisk %s", v->id);
        if (strcmp(now, v->identity) != 0) {
                describe_difference(v->identity, now, diff, sizeof(diff));
                return storvirt__error_set(-ESTALE, "vDisk %s: volume '%s' of pool '%s' (%s) is "
                                                    "other storage now: %s", v->id, base->volume,
                                           base->pool, storvirt__vrec_net_name(v), diff);
        }
        if (asprintf(ret_path, "%s:%s", v->kind, storvirt__vrec_net_name(v)) < 0)
                return storvirt__error_oom();
        return 0;
}

int storvirt__vdisk_net_moved(vrec *cur, const vrec *fresh) {
        const char *a = storvirt__vrec_net_name(cur), *b = storvirt__vrec_net_name(fresh);
        image *base = &cur->images[0];
        int r;

        if (!storvirt__vdisk_is_net(cur) || !a || !b ||
            (strcmp(a, b) == 0 && strcmp(base->pool, fresh->images[0].pool) == 0))
                return 0;
        r = storvirt__vrec_net_set(cur, &fresh->rbd, &fresh->netfile);
        if (r >= 0)
                r = storvirt__sdup(fresh->images[0].pool, &base->pool);
        if (r >= 0)
                r = storvirt__sdup(fresh->images[0].volume, &base->volume);
        if (r >= 0)
                r = storvirt__sdup(fresh->images[0].key, &base->key);
        if (r >= 0)
                r = storvirt__sdup(fresh->images[0].domain_id, &base->domain_id);
        return r < 0 ? r : 1;
}

int storvirt__vdisk_net_refuse_snapshot(const vrec *v) {
        return storvirt__error_set(-EOPNOTSUPP, "vDisk %s: snapshots of %s vDisks are not "
                                                "supported yet (%s)", v->id,
                                   strcmp(v->kind, "rbd") == 0 ? "rbd" : "gluster",
                                   storvirt__vrec_net_name(v));
}
