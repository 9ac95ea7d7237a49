/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * resolve_netconn.c - an rbd image or a file of a GlusterFS volume named
 * through a stored connection ({"rbd": {pool, image, connection, id}},
 * {"gluster": {volume, path, connection, gfid}}) resolved to a network
 * <disk>: the image or file is looked up through the connection (librados
 * with the rbd connection's key; libgfapi from the glusterfs
 * connection's servers), its id or gfid compared with the one the spec
 * expects, and the hosts and auth of the <source> taken from the
 * connection (the cephx user, and the connection's libvirt secret of
 * usage ceph, "libstorvirt-ceph-ID").
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "objects/connection_connect.h"
#include "objects/connection_run.h"
#include "objects/connection_secret.h"
#include "resolve/resolve.h"
#include "sys/gluster.h"
#include "util/error.h"
#include "util/macro.h"
#include "util/strv.h"

#define LOOKUP_TIMEOUT_MS 30000

/* A connection's canonical monitors ("h:1,[v6]:2,h") as an rbd source's hosts and ports. */
static int rbd_hosts(const char *monitors, storvirt__disk_rbd *rb) {
        size_t n = 1;

        for (const char *p = monitors; *p; p++)
                n += *p == ',';
        rb->hosts = calloc(n + 1, sizeof(char *));
        rb->ports = calloc(n, sizeof(unsigned));
        if (!rb->hosts || !rb->ports)
                return storvirt__error_oom();
        for (const char *p = monitors; *p;) {
                size_t len = strcspn(p, ",");
                const char *end = p[0] == '[' ? memchr(p, ']', len) : p;
                const char *colon = end ? memchr(end, ':', len - (size_t)(end - p)) : NULL;
                size_t hlen = colon ? (size_t)(colon - p) : len;

                if (p[0] == '[')
                        rb->hosts[rb->n_hosts] = strndup(p + 1, hlen - 2);
                else
                        rb->hosts[rb->n_hosts] = strndup(p, hlen);
                if (!rb->hosts[rb->n_hosts])
                        return storvirt__error_oom();
                rb->ports[rb->n_hosts++] = colon ? (unsigned)strtoul(colon + 1, NULL, 10) : 0;
                p += p[len] ? len + 1 : len;
        }
        return 0;
}

/* The id found must be the one expected, when one is. */
static int check_expected(const storvirt__disk_spec *s, const char *what, const char *name,
                          const char *found) {
        if (!s->net_expect || strcmp(s->net_expect, found) == 0)
                return 0;
        return storvirt__error_set(-ESTALE, "%s '%s' through connection '%s' is %s %s, not the "
                                            "expected %s %s: another %s has that name",
                                   what, name, s->net_conn,
                                   s->net_rbd.name ? "image id" : "gfid", found,
                                   s->net_rbd.name ? "image id" : "gfid", s->net_expect,
                                   s->net_rbd.name ? "image" : "file");
}

static int resolve_rbd(const conn_def *c, storvirt__disk_resolved *d) {
        const storvirt__disk_spec *s = d->spec;
        const char *slash = strchr(s->net_rbd.name, '/');
        _cleanup_free_ char *pool = strndup(s->net_rbd.name, (size_t)(slash - s->net_rbd.name));
        _cleanup_free_ char *id = NULL;
        int r;

        if (!pool)
                return storvirt__error_oom();
        r = storvirt__conn_rbd_image_id(c, pool, slash + 1, LOOKUP_TIMEOUT_MS, &id);
        if (r < 0)
                return storvirt__error_prefix("rbd image '%s'", s->net_rbd.name);
        r = check_expected(s, "rbd image", s->net_rbd.name, id);
        if (r >= 0 && !(d->rbd.name = strdup(s->net_rbd.name)))
                r = storvirt__error_oom();
        if (r >= 0)
                r = rbd_hosts(c->monitors, &d->rbd);
        if (r >= 0 && !(d->rbd.auth_username = strdup(c->user)))
                r = storvirt__error_oom();
        if (r >= 0)
                r = storvirt__conn_secret_usage_of(c, &d->rbd.secret_usage);
        return r;
}

static int resolve_file(const conn_def *c, storvirt__disk_resolved *d) {
        const storvirt__disk_spec *s = d->spec;
        const char *slash = strchr(s->net_file.name, '/');
        _cleanup_free_ char *volume = strndup(s->net_file.name,
                                              (size_t)(slash - s->net_file.name));
        _cleanup_strv_free_ char **servers = NULL;
        char gfid[37];
        size_t n;
        int r;

        if (!volume)
                return storvirt__error_oom();
        r = storvirt__conn_gluster_servers(c, volume, &servers);
        if (r >= 0)
                r = storvirt__conn_gluster_gfid(c, volume, slash + 1, gfid);
        if (r >= 0)
                r = check_expected(s, "gluster file", s->net_file.name, gfid);
        if (r < 0)
                return r;
        n = storvirt__strv_length(servers);
        d->netfile.protocol = strdup("gluster");
        d->netfile.name = strdup(s->net_file.name);
        d->netfile.hosts = calloc(n, sizeof(*d->netfile.hosts));
        if (!d->netfile.protocol || !d->netfile.name || !d->netfile.hosts)
                return storvirt__error_oom();
        for (size_t i = 0; i < n; i++) {
                d->netfile.hosts[i].name = TAKE_PTR(servers[i]);
                d->netfile.hosts[i].port = STORVIRT__GL_PORT_DEFAULT;
                d->netfile.n_hosts++;
        }
        return 0;
}

int storvirt__resolve_netconn(storvirt_ctx *ctx, storvirt__disk_resolved *d) {
        const storvirt__disk_spec *s = d->spec;
        _cleanup_def_ conn_def *c = NULL;
        int r;

        r = storvirt__conn_load_def(ctx, s->net_conn, true, &c);
        if (r < 0)
                return r;
        d->type = STORVIRT__DISK_TYPE_NETWORK;
        storvirt__disk_rbd_clear(&d->rbd);
        storvirt__disk_netfile_clear(&d->netfile);
        r = s->net_rbd.name ? resolve_rbd(c, d) : resolve_file(c, d);
        return storvirt__conn_scrub_error(c, r);
}
