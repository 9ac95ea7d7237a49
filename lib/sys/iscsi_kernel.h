/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * iscsi_kernel.h - the kernel's iSCSI initiator through open-iscsi's
 * iscsiadm: a node record made, its CHAP settings written into it
 * (sys/iscsi_node.h: never on a command line), the node logged in and
 * the sessions rescanned; logged out and the record removed again.
 * iscsiadm's documented exit codes become errnos.  These are the host's
 * implementations of the iSCSI slots of the sys-ops table
 * (sys/sysops.h); callers go through the table.
 */
#pragma once

#include "sys/iscsi_node.h"

/*
 * "iscsiadm -m node --op=new", CHAP into the record (chap NULL: none),
 * "--login" (a session already there is a success), "-m session -R".
 * -EACCES (authentication failed), -ETIMEDOUT, -ENOENT (no such
 * target), -EIO (iscsiadm's message), -errno.  The caller scrubs its
 * secrets from the message.
 */
int storvirt__iscsi_login(const struct storvirt__iscsi_node *node,
                          const struct storvirt__iscsi_chap *chap, int timeout_ms);

/* "--logout" (not logged in is a success) then "--op=delete". */
int storvirt__iscsi_logout(const struct storvirt__iscsi_node *node, int timeout_ms);
