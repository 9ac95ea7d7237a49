/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * iscsi_kernel.c - the kernel initiator through iscsiadm (see
 * sys/iscsi_kernel.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys/command.h"
#include "sys/iscsi_kernel.h"
#include "util/error.h"
#include "util/strv.h"

/* iscsiadm's exit codes (iscsi_err.h) */
#define ISCSI_ERR_SESS_EXISTS 15
#define ISCSI_ERR_NO_OBJS_FOUND 21
#define ISCSI_ERR_TRANS_TIMEOUT 8
#define ISCSI_ERR_LOGIN_AUTH_FAILED 24
#define ISCSI_ERR_NOT_FOUND 3

static void clear_string(char *s) {
        volatile char *p = s;

        while (p && *p)
                *p++ = 0;
}

/* Runs iscsiadm with argv; maps its documented exit codes. */
static int iscsiadm(const struct storvirt__iscsi_node *n, char **argv, int timeout_ms,
                    const char *step) {
        int r = storvirt__command_run(argv, timeout_ms, NULL), status;

        if (r >= 0)
                return 0;
        status = storvirt__command_last_exit();
        switch (status) {
        case ISCSI_ERR_LOGIN_AUTH_FAILED:
                return storvirt__error_set(-EACCES, "iSCSI login to %s refused: authentication "
                                                    "failed (%s)", n->target, storvirt__error_msg());
        case ISCSI_ERR_TRANS_TIMEOUT:
                return storvirt__error_set(-ETIMEDOUT, "iSCSI %s with %s timed out (%s)", step,
                                           n->target, storvirt__error_msg());
        case ISCSI_ERR_NOT_FOUND:
                return storvirt__error_set(-ENOENT, "iSCSI %s: %s not found (%s)", step, n->target,
                                           storvirt__error_msg());
        default:
                return r;
        }
}

/* "-m node -T TARGET -p PORTAL[,TPGT] [-I IFACE]" then the rest. */
static int node_argv(const struct storvirt__iscsi_node *n, const char *const *rest, char ***ret) {
        char portal[512];
        char **argv = NULL;
        int r;

        if (n->tpgt >= 0)
                snprintf(portal, sizeof(portal), "%s,%d", n->portal, n->tpgt);
        else
                snprintf(portal, sizeof(portal), "%s", n->portal);
        r = storvirt__strv_extend(&argv, "iscsiadm");
        for (const char *const *a = (const char *const[]){ "-m", "node", "-T", n->target, "-p",
                                                            portal, NULL };
             r >= 0 && *a; a++)
                r = storvirt__strv_extend(&argv, *a);
        if (r >= 0 && n->iface) {
                r = storvirt__strv_extend(&argv, "-I");
                if (r >= 0)
                        r = storvirt__strv_extend(&argv, n->iface);
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

static int node_run(const struct storvirt__iscsi_node *n, int timeout_ms, const char *step,
                    const char *const *rest) {
        char **argv = NULL;
        int r = node_argv(n, rest, &argv);

        if (r >= 0)
                r = iscsiadm(n, argv, timeout_ms, step);
        for (char **a = argv; a && *a; a++)
                clear_string(*a);
        storvirt__strv_free(argv);
        return r;
}

int storvirt__iscsi_login(const struct storvirt__iscsi_node *node,
                          const struct storvirt__iscsi_chap *chap, int timeout_ms) {
        char *rescan[] = { (char *)"iscsiadm", (char *)"-m", (char *)"session", (char *)"-R", NULL };
        int r;

        r = node_run(node, timeout_ms, "node creation", (const char *const[]){ "--op=new", NULL });
        /*
         * CHAP into the node record iscsiadm made: iscsiadm takes a
         * setting's value only on its command line, readable by every
         * local user in /proc/PID/cmdline (sys/iscsi_node.h).
         */
        if (r >= 0 && chap)
                r = storvirt__iscsi_node_set_chap(node, chap, timeout_ms);
        if (r < 0)
                return r;
        r = node_run(node, timeout_ms, "login", (const char *const[]){ "--login", NULL });
        if (r < 0 && storvirt__command_last_exit() == ISCSI_ERR_SESS_EXISTS) {
                storvirt__error_reset();
                r = 0;  /* already logged in */
        }
        if (r < 0)
                return r;
        r = storvirt__command_run(rescan, timeout_ms, NULL);
        if (r < 0 && storvirt__command_last_exit() == ISCSI_ERR_NO_OBJS_FOUND) {
                storvirt__error_reset();
                r = 0;
        }
        return r;
}

int storvirt__iscsi_logout(const struct storvirt__iscsi_node *node, int timeout_ms) {
        int r = node_run(node, timeout_ms, "logout", (const char *const[]){ "--logout", NULL });

        if (r < 0 && storvirt__command_last_exit() == ISCSI_ERR_NO_OBJS_FOUND) {
                storvirt__error_reset();
                r = 0;  /* not logged in */
        }
        if (r >= 0) {
                r = node_run(node, timeout_ms, "node removal",
                             (const char *const[]){ "--op=delete", NULL });
                if (r < 0 && storvirt__command_last_exit() == ISCSI_ERR_NO_OBJS_FOUND) {
                        storvirt__error_reset();
                        r = 0;
                }
        }
        return r;
}
