/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * resolve_gluster.c - a volume of a gluster pool as the network disk QEMU
 * opens through its own GlusterFS client:
 *
 *     <disk type='network' device='disk'>
 *       <source protocol='gluster' name='VOLUME/DIR/FILE'>
 *         <host name='HOST' port='24007'/>   (one per pool host: backups)
 *       </source>
 *
 * The volume must be usable as its pool read it (a header QEMU would
 * refuse, a backing chain that leaves the pool's directory, a content
 * that no longer matches the format it was created as are refused), raw
 * or qcow2, and a spec's format must be its format.  The images below a
 * qcow2 volume, each a volume of the same pool, are nested
 * <backingStore type='network'> of protocol gluster.  libvirt takes no <disk type='volume'> from gluster
 * pools ("using 'gluster' pools for backing 'volume' disks isn't yet
 * supported"), so that form is refused with libvirt's reason.
 */
#include <stdio.h>
#include <string.h>

#include "core/pool.h"
#include "objects/vol_chain.h"
#include "resolve/resolve.h"
#include "sys/gluster.h"
#include "util/macro.h"

/* VOLUME/DIR/FILE: the pool's volume and directory, then the file's name. */
static int gluster_name(const storvirt__pool_def *def, const char *file, char **ret) {
        const char *dir = def->source.dir ? def->source.dir : "/";
        size_t n;

        while (*dir == '/')
                dir++;
        n = strlen(dir);
        while (n > 0 && dir[n - 1] == '/')
                n--;
        if (asprintf(ret, "%s/%.*s%s%s", def->source.name, (int)n, dir, n ? "/" : "", file) < 0)
                return storvirt__error_oom();
        return 0;
}

static int gluster_hosts(const storvirt__pool_def *def, storvirt__disk_netfile *n) {
        n->hosts = calloc(def->source.n_hosts, sizeof(*n->hosts));
        if (!n->hosts)
                return storvirt__error_oom();
        for (size_t i = 0; i < def->source.n_hosts; i++) {
                const struct storvirt__pool_host *h = &def->source.hosts[i];

                n->hosts[i].port = h->port > 0 ? (unsigned)h->port : STORVIRT__GL_PORT_DEFAULT;
                n->hosts[i].name = strdup(h->name);
                if (!n->hosts[i].name)
                        return storvirt__error_oom();
                n->n_hosts++;
        }
        return 0;
}

/* The volume's format, checked against the spec's. */
static int gluster_format(storvirt__disk_spec *s, storvirt_pool *pool, storvirt_volume *vol) {
        const char *fmt = storvirt_volume_get_format(vol);
        storvirt__disk_format f;

        if (strcmp(fmt, "raw") == 0)
                f = STORVIRT__DISK_FORMAT_RAW;
        else if (strcmp(fmt, "qcow2") == 0)
                f = STORVIRT__DISK_FORMAT_QCOW2;
        else
                return storvirt__error_set(-EINVAL, "volume '%s' of pool '%s' is %s; only raw and "
                                           "qcow2 volumes are resolved", s->volume, s->pool, fmt);
        if (s->format != STORVIRT__DISK_FORMAT_UNSET && s->format != f)
                return storvirt__error_set(-EINVAL, "volume '%s' of pool '%s' is %s, not %s",
                                           s->volume, s->pool, fmt,
                                           storvirt__disk_format_names[s->format]);
        s->format = f;
        return 0;
}

/*
 * The images below a qcow2 volume (each a volume of the same pool, its
 * URL's last component its file name), nearest first, as network
 * <backingStore>s QEMU opens through gluster, each with its format; the
 * chain ends in an empty <backingStore/> (nothing left to probe).
 */
static int gluster_chain(const storvirt__pool_def *def, const storvirt__vol_chain *c,
                         storvirt__disk_resolved *d) {
        d->backing_known = true;
        if (c->n == 0)
                return 0;
        d->backing = calloc(c->n, sizeof(*d->backing));
        if (!d->backing)
                return storvirt__error_oom();
        for (size_t i = 0; i < c->n; i++) {
                storvirt__disk_backing *b = &d->backing[i];
                const char *file = strrchr(c->v[i].path, '/');
                bool raw = strcmp(c->v[i].format, "raw") == 0;
                int r;

                if (!file || (!raw && strcmp(c->v[i].format, "qcow2") != 0))
                        return storvirt__error_set(-EOPNOTSUPP, "backing file '%s' is %s; only "
                                                   "raw and qcow2 images are resolved",
                                                   c->v[i].path, c->v[i].format);
                d->n_backing++;
                b->type = STORVIRT__DISK_TYPE_NETWORK;
                b->format = raw ? STORVIRT__DISK_FORMAT_RAW : STORVIRT__DISK_FORMAT_QCOW2;
                b->netfile.protocol = strdup("gluster");
                if (!b->netfile.protocol)
                        return storvirt__error_oom();
                r = gluster_name(def, file + 1, &b->netfile.name);
                if (r >= 0)
                        r = gluster_hosts(def, &b->netfile);
                if (r < 0)
                        return r;
        }
        return 0;
}

int storvirt__resolve_gluster_volume(storvirt_ctx *ctx, storvirt__disk_resolved *d,
                                     storvirt_pool *pool, storvirt_volume *vol) {
        const storvirt__pool_def *def = pool->obj->def;
        storvirt__disk_spec *s = d->spec;
        storvirt__vol_chain c = {};
        uint32_t type = 0;
        int r;

        if (s->volume_as_volume)
                return storvirt__error_set(-EOPNOTSUPP, "volume '%s' of gluster pool '%s': libvirt "
                                           "takes no <disk type='volume'> from gluster pools "
                                           "(\"using 'gluster' pools for backing 'volume' disks "
                                           "isn't yet supported\"); resolve it as a network disk",
                                           s->volume, s->pool);
        if (s->device == STORVIRT__DISK_DEVICE_LUN)
                return storvirt__error_set(-EINVAL, "device 'lun' needs a block device or an "
                                           "iSCSI LUN, volume '%s' of pool '%s' is a gluster file",
                                           s->volume, s->pool);
        r = storvirt_volume_get_info(vol, &type, &d->capacity, NULL, NULL);
        if (r >= 0 && type != STORVIRT_VOLUME_TYPE_NETWORK)
                r = storvirt__error_set(-EINVAL, "volume '%s' of pool '%s' is a directory",
                                        s->volume, s->pool);
        if (r >= 0)
                r = storvirt__vol_chain_of(ctx, pool->obj, vol->rec, false, &c);
        if (r >= 0)
                r = gluster_format(s, pool, vol);
        if (r >= 0)
                r = gluster_chain(def, &c, d);
        storvirt__vol_chain_clear(&c);
        if (r < 0)
                return r;
        storvirt__disk_netfile_clear(&d->netfile);
        d->type = STORVIRT__DISK_TYPE_NETWORK;
        d->netfile.protocol = strdup("gluster");
        if (!d->netfile.protocol)
                return storvirt__error_oom();
        r = gluster_name(def, storvirt_volume_get_name(vol), &d->netfile.name);
        return r < 0 ? r : gluster_hosts(def, &d->netfile);
}
