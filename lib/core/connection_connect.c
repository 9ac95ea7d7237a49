/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * connection_connect.c - the connectors (core/connection_def.h): iSCSI
 * through libiscsi ("direct") or iscsiadm ("kernel"), NFS and POSIX
 * filesystems through mount(8), local directories, Fibre Channel.  They
 * run under the exclusive lock of "connections-run" (connection.c): one
 * at a time per state directory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/connection_def.h"
#include "sys/command.h"
#include "sys/iscsi_direct.h"
#include "sys/iscsi_node.h"
#include "sys/mount.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/macro.h"
#include "util/strv.h"

/* iscsiadm's exit codes (iscsi_err.h) */
#define ISCSI_ERR_SESS_EXISTS 15
#define ISCSI_ERR_NO_OBJS_FOUND 21
#define ISCSI_ERR_TRANS_TIMEOUT 8
#define ISCSI_ERR_LOGIN_AUTH_FAILED 24
#define ISCSI_ERR_NOT_FOUND 3

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

int storvirt__conn_direct_scan(const conn_def *d, int timeout_ms, struct storvirt__iscsi_lun **luns,
                       size_t *n) {
        struct storvirt__iscsi_params p;
        char portal[PORTAL_SIZE];
        int r;

        r = storvirt__conn_iscsi_params(d, timeout_ms, portal, sizeof(portal), &p);
        if (r >= 0)
                r = storvirt__iscsi_scan(&p, luns, n);
        return storvirt__conn_scrub_error(d, r);
}

/* Runs iscsiadm with argv; maps its documented exit codes. */
static int iscsiadm(const conn_def *d, char **argv, int timeout_ms, const char *step) {
        int r = storvirt__command_run(argv, timeout_ms, NULL), status;

        if (r >= 0)
                return 0;
        status = storvirt__command_last_exit();
        storvirt__conn_scrub_error(d, r);
        switch (status) {
        case ISCSI_ERR_LOGIN_AUTH_FAILED:
                return storvirt__error_set(-EACCES, "iSCSI login to %s refused: authentication "
                                                    "failed (%s)", d->target, storvirt_error_message());
        case ISCSI_ERR_TRANS_TIMEOUT:
                return storvirt__error_set(-ETIMEDOUT, "iSCSI %s with %s timed out (%s)", step,
                                           d->target, storvirt_error_message());
        case ISCSI_ERR_NOT_FOUND:
                return storvirt__error_set(-ENOENT, "iSCSI %s: %s not found (%s)", step, d->target,
                                           storvirt_error_message());
        default:
                return r;
        }
}

/* "-m node -T TARGET -p PORTAL[,TPGT] [-I IFACE]" then the rest. */
static int node_argv(const conn_def *d, const char *const *rest, char ***ret) {
        char portal[PORTAL_SIZE + 8];   /* and ",tpgt" */
        char **argv = NULL;
        int r;

        r = storvirt__conn_fmt_portal(d, portal, PORTAL_SIZE);
        if (r < 0)
                return r;
        if (d->tpgt >= 0)
                snprintf(portal + strlen(portal), sizeof(portal) - strlen(portal), ",%d", d->tpgt);
        r = storvirt__strv_extend(&argv, "iscsiadm");
        for (const char *const *a = (const char *const[]){ "-m", "node", "-T", d->target, "-p",
                                                            portal, NULL };
             r >= 0 && *a; a++)
                r = storvirt__strv_extend(&argv, *a);
        if (r >= 0 && d->iface) {
                r = storvirt__strv_extend(&argv, "-I");
                if (r >= 0)
                        r = storvirt__strv_extend(&argv, d->iface);
        }
        for (; r >= 0 && rest && *rest; rest++)
                r = storvirt__strv_extend(&argv, *rest);
        if (r < 0) {
                storvirt__strv_free(argv);
                return storvirt__error_oom();
        }
        *ret = argv;
        return 0;
}

static int node_run(const conn_def *d, int timeout_ms, const char *step, const char *const *rest) {
        char **argv = NULL;
        int r = node_argv(d, rest, &argv);

        if (r >= 0)
                r = iscsiadm(d, argv, timeout_ms, step);
        for (char **a = argv; a && *a; a++)
                storvirt__conn_explicit_clear(*a);
        storvirt__strv_free(argv);
        return r;
}

/*
 * CHAP into the node record iscsiadm made.  iscsiadm takes a setting's
 * value only on its command line, readable by every local user in
 * /proc/PID/cmdline: the secrets are written into the record itself,
 * under open-iscsi's lock, mode 0600 (sys/iscsi_node.h).
 */
static int node_set_chap(const conn_def *d, int timeout_ms) {
        struct storvirt__iscsi_node node = {
                .target = d->target,
                .address = d->host,
                .port = d->port,
                .tpgt = d->tpgt,
                .iface = d->iface,
        };
        struct storvirt__iscsi_chap chap = {
                .user = d->user,
                .password = d->password,
                .user_in = d->mutual_user,
                .password_in = d->mutual_password,
        };

        return storvirt__conn_scrub_error(d, storvirt__iscsi_node_set_chap(&node, &chap,
                                                                           timeout_ms));
}

static int kernel_connect(const conn_def *d, int timeout_ms) {
        char *rescan[] = { (char *)"iscsiadm", (char *)"-m", (char *)"session", (char *)"-R", NULL };
        int r;

        r = node_run(d, timeout_ms, "node creation", (const char *const[]){ "--op=new", NULL });
        if (r >= 0 && d->user)
                r = node_set_chap(d, timeout_ms);
        if (r < 0)
                return r;
        r = node_run(d, timeout_ms, "login", (const char *const[]){ "--login", NULL });
        if (r < 0 && storvirt__command_last_exit() == ISCSI_ERR_SESS_EXISTS) {
                storvirt_error_clear();
                r = 0;  /* already logged in */
        }
        if (r < 0)
                return r;
        r = storvirt__command_run(rescan, timeout_ms, NULL);
        if (r < 0 && storvirt__command_last_exit() == ISCSI_ERR_NO_OBJS_FOUND) {
                storvirt_error_clear();
                r = 0;
        }
        return storvirt__conn_scrub_error(d, r);
}

static int kernel_disconnect(const conn_def *d, int timeout_ms) {
        int r = node_run(d, timeout_ms, "logout", (const char *const[]){ "--logout", NULL });

        if (r < 0 && storvirt__command_last_exit() == ISCSI_ERR_NO_OBJS_FOUND) {
                storvirt_error_clear();
                r = 0;  /* not logged in */
        }
        if (r >= 0) {
                r = node_run(d, timeout_ms, "node removal", (const char *const[]){ "--op=delete", NULL });
                if (r < 0 && storvirt__command_last_exit() == ISCSI_ERR_NO_OBJS_FOUND) {
                        storvirt_error_clear();
                        r = 0;
                }
        }
        return r;
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
        char **argv = NULL, *optv[2] = { NULL, NULL };
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
        r = storvirt__mount_helper_argv(type, source, mp, opts ? optv : NULL, &argv);
        if (r >= 0)
                r = storvirt__command_run(argv, timeout_ms, NULL);
        storvirt__strv_free(argv);
        if (r < 0)
                return storvirt__error_set(r, "mounting %s on %s: %s", source, mp,
                                           storvirt_error_message());
        *ret_mp = TAKE_PTR(mp);
        return 0;
}

static int mount_disconnect(const char *mp, int timeout_ms) {
        char *argv[] = { (char *)"umount", (char *)mp, NULL };
        int r;

        if (!mp)
                return 0;
        r = storvirt__command_run(argv, timeout_ms, NULL);
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

/* Establish the connection on this host; *ret_mp the mount point for nfs/posixfs. */
int storvirt__conn_do_connect(storvirt_ctx *ctx, const conn_def *d, int timeout_ms, char **ret_mp) {
        struct storvirt__iscsi_lun *luns = NULL;
        size_t n = 0;
        int r;

        switch (d->type) {
        case STORVIRT_CONNECTION_ISCSI:
                if (strcmp(d->driver, "kernel") == 0)
                        return kernel_connect(d, timeout_ms);
                /* direct: the guest's initiator logs in; prove now that it can */
                r = storvirt__conn_direct_scan(d, timeout_ms, &luns, &n);
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
                return mount_connect(ctx, d, timeout_ms, ret_mp);
        case STORVIRT_CONNECTION_LOCALFS:
                return localfs_check(d);
        case STORVIRT_CONNECTION_FCP:
                return 0;       /* the fabric is always there; LUNs come by rescan */
        }
        return storvirt__error_set(-EINVAL, "unknown connection type %d", d->type);
}

int storvirt__conn_do_disconnect(const conn_def *d, const char *mountpoint, int timeout_ms) {
        switch (d->type) {
        case STORVIRT_CONNECTION_ISCSI:
                if (strcmp(d->driver, "kernel") == 0)
                        return kernel_disconnect(d, timeout_ms);
                return 0;       /* no session is kept */
        case STORVIRT_CONNECTION_NFS:
        case STORVIRT_CONNECTION_POSIXFS:
                return mount_disconnect(mountpoint, timeout_ms);
        default:
                return 0;
        }
}
