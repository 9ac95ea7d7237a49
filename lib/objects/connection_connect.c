/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * connection_connect.c - the connectors (core/connection_def.h): iSCSI
 * through libiscsi ("direct") or iscsiadm ("kernel"), NFS and POSIX
 * filesystems through mount(8), local directories, Fibre Channel, each
 * reaching the host through the context's sys-ops table (sys/sysops.h).
 * They run under the exclusive lock of "connections-run"
 * (connection.c): one at a time per state directory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "conf/connection_def.h"
#include "objects/connection_connect.h"
#include "objects/ctx.h"
#include "sys/iscsi_direct.h"
#include "sys/iscsi_node.h"
#include "sys/gluster.h"
#include "sys/mount.h"
#if HAVE_RBD
#include "sys/rbd.h"
#endif
#include "util/buf.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/macro.h"
#include "util/strv.h"

#define PORTAL_SIZE STORVIRT__CONN_PORTAL_SIZE

int storvirt__conn_iscsi_params(const conn_def *d, int timeout_ms, char *portal, size_t size,
                        struct storvirt__iscsi_params *p) {
        int r = storvirt__conn_fmt_portal(d, portal, size);

        if (r < 0)
                return r;
        *p = (struct storvirt__iscsi_params){
                .portal = portal,
                .target = d->target,
                .initiator = d->initiator,
                .chap_user = d->user,
                .chap_secret = d->password,
                .mutual_user = d->mutual_user,
                .mutual_secret = d->mutual_password,
                .timeout_sec = (unsigned)((timeout_ms + 999) / 1000),
        };
        return 0;
}

int storvirt__conn_direct_scan(storvirt_ctx *ctx, const conn_def *d, int timeout_ms,
                               struct storvirt__iscsi_lun **luns, size_t *n) {
        struct storvirt__iscsi_params p;
        char portal[PORTAL_SIZE];
        int r;

        r = storvirt__conn_iscsi_params(d, timeout_ms, portal, sizeof(portal), &p);
        if (r >= 0)
                r = storvirt__ctx_sysops(ctx)->iscsi_scan(&p, luns, n);
        return storvirt__conn_scrub_error(d, r);
}

/*
 * The kernel initiator, through the context's sys-ops table (the host's:
 * iscsiadm, sys/iscsi_kernel.h; CHAP written into the node record, never
 * on a command line).  The secrets are scrubbed from any message.
 */
static int kernel_connect(storvirt_ctx *ctx, const conn_def *d, int timeout_ms) {
        char portal[PORTAL_SIZE];
        struct storvirt__iscsi_node node = {
                .target = d->target,
                .address = d->host,
                .port = d->port,
                .tpgt = d->tpgt,
                .iface = d->iface,
                .portal = portal,
        };
        struct storvirt__iscsi_chap chap = {
                .user = d->user,
                .password = d->password,
                .user_in = d->mutual_user,
                .password_in = d->mutual_password,
        };
        int r = storvirt__conn_fmt_portal(d, portal, sizeof(portal));

        if (r >= 0)
                r = storvirt__ctx_sysops(ctx)->iscsi_login(&node, d->user ? &chap : NULL,
                                                           timeout_ms);
        return storvirt__conn_scrub_error(d, r);
}

static int kernel_disconnect(storvirt_ctx *ctx, const conn_def *d, int timeout_ms) {
        char portal[PORTAL_SIZE];
        struct storvirt__iscsi_node node = {
                .target = d->target,
                .address = d->host,
                .port = d->port,
                .tpgt = d->tpgt,
                .iface = d->iface,
                .portal = portal,
        };
        int r = storvirt__conn_fmt_portal(d, portal, sizeof(portal));

        if (r >= 0)
                r = storvirt__ctx_sysops(ctx)->iscsi_logout(&node, timeout_ms);
        return storvirt__conn_scrub_error(d, r);
}

/* VDSM's mount point name: the source with '/' replaced by '_'. */
static int mountpoint_for(storvirt_ctx *ctx, const conn_def *d, char **ret) {
        const char *src = d->type == STORVIRT_CONNECTION_NFS ? d->export_ : d->spec;
        const char *dir = NULL;
        _cleanup_free_ char *name = strdup(src), *parent = NULL;
        int r;

        if (!name)
                return storvirt__error_oom();
        for (char *p = name; *p; p++)
                if (*p == '/')
                        *p = '_';
        r = storvirt_ctx_get_state_dir(ctx, &dir);
        if (r < 0)
                return r;
        if (asprintf(&parent, "%s/mnt", dir) < 0 || asprintf(ret, "%s/%s", parent, name) < 0) {
                parent = NULL;
                return storvirt__error_oom();
        }
        r = storvirt__mkdir_p(*ret, 0755);
        if (r < 0) {
                free(*ret);
                *ret = NULL;
                return storvirt__error_set(r, "cannot create the mount point: %s",
                                           storvirt_error_message());
        }
        return 0;
}

static int mount_connect(storvirt_ctx *ctx, const conn_def *d, int timeout_ms, char **ret_mp) {
        _cleanup_free_ char *mp = NULL, *opts = NULL;
        char *optv[2] = { NULL, NULL };
        struct storvirt__buf b = {};
        const char *type, *source;
        int r;

        r = mountpoint_for(ctx, d, &mp);
        if (r < 0)
                return r;
        if (d->type == STORVIRT_CONNECTION_NFS) {
                type = "nfs";
                source = d->export_;
                /* VDSM's defaults: soft mounts that give up, no shared cache */
                storvirt__buf_printf(&b, "soft,nosharecache,timeo=%u,retrans=%u",
                                     d->timeout ? d->timeout : 100, d->retrans ? d->retrans : 3);
                if (d->version && strcmp(d->version, "auto") != 0)
                        storvirt__buf_printf(&b, ",vers=%s", d->version);
        } else if (d->type == STORVIRT_CONNECTION_GLUSTERFS) {
                type = "glusterfs";
                source = d->spec;
                if (d->backup_servers)
                        storvirt__buf_printf(&b, "backup-volfile-servers=%s", d->backup_servers);
        } else {
                type = d->vfstype;
                source = d->spec;
        }
        if (d->options)
                storvirt__buf_printf(&b, "%s%s", b.len ? "," : "", d->options);
        if (b.len && !(opts = strdup(storvirt__buf_str(&b)))) {
                storvirt__buf_free(&b);
                return storvirt__error_oom();
        }
        storvirt__buf_free(&b);
        optv[0] = opts;
        r = storvirt__ctx_sysops(ctx)->mount_helper(type, source, mp, opts ? optv : NULL,
                                                    timeout_ms);
        if (r < 0)
                return storvirt__error_set(r, "mounting %s on %s: %s", source, mp,
                                           storvirt_error_message());
        *ret_mp = TAKE_PTR(mp);
        return 0;
}

static int mount_disconnect(storvirt_ctx *ctx, const char *mp, int timeout_ms) {
        int r;

        if (!mp)
                return 0;
        r = storvirt__ctx_sysops(ctx)->umount_helper(mp, timeout_ms);
        if (r < 0)
                return storvirt__error_set(r, "unmounting %s: %s", mp, storvirt_error_message());
        return 0;
}

static int localfs_check(const conn_def *d) {
        struct stat st;

        if (stat(d->path, &st) < 0)
                return storvirt__error_set(-errno, "local directory '%s': %m", d->path);
        if (!S_ISDIR(st.st_mode))
                return storvirt__error_set(-ENOTDIR, "'%s' is not a directory", d->path);
        if (access(d->path, R_OK | W_OK | X_OK) < 0)
                return storvirt__error_set(-errno, "local directory '%s': %m", d->path);
        return 0;
}

#if HAVE_RBD
/*
 * A monitor for librados: with a port, the messenger protocol it speaks
 * by Ceph's convention ("v2:" on 3300, else "v1:"; librados would try
 * both on either port and hunt until the timeout on a refused key).
 */
static int rbd_mon(const char *m, size_t n, char **ret) {
        _cleanup_free_ char *one = strndup(m, n);
        const char *end, *port;

        if (!one)
                return storvirt__error_oom();
        end = one[0] == '[' ? strchr(one, ']') : one;
        port = end ? strchr(end, ':') : NULL;
        if (!port) {
                *ret = TAKE_PTR(one);
                return 0;
        }
        if (asprintf(ret, "%s:%s", strcmp(port + 1, "3300") == 0 ? "v2" : "v1", one) < 0)
                return storvirt__error_oom();
        return 0;
}

/* A connection to the cluster (and Ceph pool, when not NULL) with the user and key. */
static int rbd_open(const conn_def *d, const char *pool, int timeout_ms, storvirt__rbd **ret) {
        _cleanup_strv_free_ char **mons = NULL;
        int r = 0;

        for (const char *p = d->monitors; r >= 0 && *p;) {
                size_t n = strcspn(p, ",");
                char *m = NULL;

                r = rbd_mon(p, n, &m);
                if (r >= 0 && (r = storvirt__strv_extend(&mons, m)) < 0)
                        r = storvirt__error_oom();
                free(m);
                p += p[n] ? n + 1 : n;
        }
        if (r < 0)
                return r;
        if (!d->password)
                return storvirt__error_set(-ENOENT, "connection '%s': no cephx key stored", d->id);
        r = storvirt__rbd_connect(&(struct storvirt__rbd_params){
                                          .mon_hosts = mons,
                                          .n_mon_hosts = storvirt__strv_length(mons),
                                          .cluster = d->cluster,
                                          .user = d->user,
                                          .key = d->password,
                                          .pool = pool,
                                          .timeout_sec = (unsigned)((timeout_ms + 999) / 1000),
                                  },
                                  ret);
        if (r < 0)
                storvirt__error_prefix("connection '%s' (Ceph monitors %s)", d->id, d->monitors);
        return storvirt__conn_scrub_error(d, r);
}

/* The cluster answers the monitors with the user and key, within the timeout. */
static int rbd_check(const conn_def *d, int timeout_ms) {
        storvirt__rbd *c = NULL;
        int r = rbd_open(d, NULL, timeout_ms, &c);

        storvirt__rbd_unref(c);
        return r;
}

int storvirt__conn_rbd_image_id(const conn_def *d, const char *pool, const char *image,
                                int timeout_ms, char **ret) {
        struct storvirt__rbd_image im = {};
        storvirt__rbd *c = NULL;
        int r;

        if (d->type != STORVIRT_CONNECTION_RBD)
                return storvirt__error_set(-EINVAL, "connection '%s' is a %s connection, not rbd",
                                           d->id, storvirt__conn_type_name(d->type));
        r = rbd_open(d, pool, timeout_ms, &c);
        if (r >= 0)
                r = storvirt__rbd_image_stat(c, image, false, &im);
        if (r >= 0 && !(*ret = strdup(im.id ? im.id : "")))
                r = storvirt__error_oom();
        free(im.name);
        free(im.id);
        storvirt__rbd_unref(c);
        return r < 0 ? storvirt__conn_scrub_error(d, r) : 0;
}
#else
static int rbd_check(const conn_def *d, int timeout_ms) {
        (void)timeout_ms;
        return storvirt__error_set(-EOPNOTSUPP, "connection '%s': this build has no Ceph client "
                                                "(librados)", d->id);
}

int storvirt__conn_rbd_image_id(const conn_def *d, const char *pool, const char *image,
                                int timeout_ms, char **ret) {
        return rbd_check(d, timeout_ms);
}
#endif

/* "server:/volume" or "server:volume" (a server "[v6]") into host (malloc'd) and volume. */
static int gluster_spec_split(const conn_def *d, char **host, const char **volume) {
        const char *s = d->spec, *colon = s[0] == '[' ? strstr(s, "]:") : strchr(s, ':');

        if (!colon)
                return storvirt__error_set(-EINVAL, "connection '%s': '%s' is not server:/volume",
                                           d->id, s);
        *host = s[0] == '[' ? strndup(s + 1, (size_t)(colon - s - 1)) : strndup(s, (size_t)(colon - s));
        if (s[0] == '[')
                colon++;
        *volume = colon[1] == '/' ? colon + 2 : colon + 1;
        return *host ? 0 : storvirt__error_oom();
}

int storvirt__conn_gluster_servers(const conn_def *d, const char *volume, char ***ret) {
        _cleanup_free_ char *host = NULL;
        const char *vol = NULL;
        char **l = NULL;
        int r;

        if (d->type != STORVIRT_CONNECTION_GLUSTERFS)
                return storvirt__error_set(-EINVAL, "connection '%s' is a %s connection, not "
                                                    "glusterfs", d->id,
                                           storvirt__conn_type_name(d->type));
        r = gluster_spec_split(d, &host, &vol);
        if (r < 0)
                return r;
        if (strncmp(vol, volume, strlen(volume)) != 0 || (vol[strlen(volume)] &&
                                                          vol[strlen(volume)] != '/'))
                return storvirt__error_set(-EINVAL, "connection '%s' reaches GlusterFS volume "
                                                    "'%s', not '%s'", d->id, vol, volume);
        r = storvirt__strv_extend(&l, host);
        for (const char *p = d->backup_servers; r >= 0 && p && *p;) {
                size_t n = strcspn(p, ":");
                _cleanup_free_ char *one = strndup(p, n);

                r = one ? storvirt__strv_extend(&l, one) : storvirt__error_oom();
                p += p[n] ? n + 1 : n;
        }
        if (r < 0) {
                storvirt__strv_free(l);
                return storvirt__error_oom();
        }
        *ret = l;
        return 0;
}

int storvirt__conn_gluster_gfid(const conn_def *d, const char *volume, const char *path,
                                char ret[static 37]) {
        _cleanup_strv_free_ char **servers = NULL;
        storvirt__gl_server sv[16];
        storvirt__gl *gl = NULL;
        _cleanup_free_ char *abs = NULL;
        struct stat st;
        size_t n = 0;
        int r;

        r = storvirt__conn_gluster_servers(d, volume, &servers);
        for (char **s = servers; r >= 0 && *s && n < ELEMENTSOF(sv); s++)
                sv[n++] = (storvirt__gl_server){ *s, 0 };
        if (r >= 0 && asprintf(&abs, "/%s", path) < 0)
                r = storvirt__error_oom();
        if (r >= 0)
                r = storvirt__gl_connect(volume, sv, n, getenv("STORVIRT_GLUSTER_LOG"), &gl);
        if (r >= 0)
                r = storvirt__gl_lstat(gl, abs, &st);
        if (r >= 0 && !S_ISREG(st.st_mode))
                r = storvirt__error_set(-EINVAL, "'%s' of GlusterFS volume '%s' is not a regular "
                                                 "file", abs, volume);
        if (r >= 0)
                r = storvirt__gl_gfid(gl, abs, ret);
        storvirt__gl_release(gl);
        return r < 0 ? storvirt__error_prefix("connection '%s'", d->id) : 0;
}

/* Establish the connection on this host; *ret_mp the mount point for nfs/posixfs. */
int storvirt__conn_do_connect(storvirt_ctx *ctx, const conn_def *d, int timeout_ms, char **ret_mp) {
        struct storvirt__iscsi_lun *luns = NULL;
        size_t n = 0;
        int r;

        switch (d->type) {
        case STORVIRT_CONNECTION_ISCSI:
                if (strcmp(d->driver, "kernel") == 0)
                        return kernel_connect(ctx, d, timeout_ms);
                /* direct: the guest's initiator logs in; prove now that it can */
                r = storvirt__conn_direct_scan(ctx, d, timeout_ms, &luns, &n);
                if (r >= 0 && d->lun >= 0) {
                        bool found = false;

                        for (size_t i = 0; i < n; i++)
                                found |= luns[i].lun == (uint64_t)d->lun;
                        if (!found)
                                r = storvirt__error_set(-ENOENT, "target %s has no LUN %ld",
                                                        d->target, d->lun);
                }
                storvirt__iscsi_luns_free(luns, n);
                return r;
        case STORVIRT_CONNECTION_NFS:
        case STORVIRT_CONNECTION_POSIXFS:
        case STORVIRT_CONNECTION_GLUSTERFS:
                return mount_connect(ctx, d, timeout_ms, ret_mp);
        case STORVIRT_CONNECTION_LOCALFS:
                return localfs_check(d);
        case STORVIRT_CONNECTION_FCP:
                return 0;       /* the fabric is always there; LUNs come by rescan */
        case STORVIRT_CONNECTION_RBD:
                return rbd_check(d, timeout_ms);        /* QEMU connects itself (librbd) */
        }
        return storvirt__error_set(-EINVAL, "unknown connection type %d", d->type);
}

int storvirt__conn_do_disconnect(storvirt_ctx *ctx, const conn_def *d, const char *mountpoint,
                                 int timeout_ms) {
        switch (d->type) {
        case STORVIRT_CONNECTION_ISCSI:
                if (strcmp(d->driver, "kernel") == 0)
                        return kernel_disconnect(ctx, d, timeout_ms);
                return 0;       /* no session is kept */
        case STORVIRT_CONNECTION_NFS:
        case STORVIRT_CONNECTION_POSIXFS:
        case STORVIRT_CONNECTION_GLUSTERFS:
                return mount_disconnect(ctx, mountpoint, timeout_ms);
        default:
                return 0;
        }
}
