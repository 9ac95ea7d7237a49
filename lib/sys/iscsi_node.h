/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * iscsi_node.h - CHAP settings written into open-iscsi's node records.
 *
 * iscsiadm takes a node setting's value only on its command line
 * ("--op=update -n NAME -v VALUE"), where every local user reads it in
 * /proc/PID/cmdline; it reads no value from a file, a pipe or its
 * environment, and iscsid.conf only gives defaults for every node.  So
 * the kernel initiator's CHAP settings are written here into the node
 * record that "iscsiadm -m node --op=new" made, in the "name = value"
 * lines open-iscsi reads back (it works out the password lengths
 * itself), while holding open-iscsi's own database lock, as a new file
 * of mode 0600 renamed over the record.
 *
 * Where open-iscsi keeps its database is fixed when it is built: the
 * records are looked for under $STORVIRT_ISCSI_DB_ROOT/nodes when that is
 * set, else under /etc/iscsi/nodes and then /var/lib/iscsi/nodes (the
 * older and the newer default); the lock under $STORVIRT_ISCSI_LOCK_DIR,
 * else /run/lock/iscsi.
 */
#pragma once

/* A node: one target through one portal (and tpgt, and interface). */
struct storvirt__iscsi_node {
        const char *target;     /* iSCSI name */
        const char *address;    /* the portal's host as given to iscsiadm, no brackets */
        unsigned port;
        int tpgt;               /* -1: not given (every tpgt of the portal) */
        const char *iface;      /* NULL: every interface's record */
        const char *portal;     /* "address:port" or "[v6]:port", as iscsiadm's -p takes it */
};

struct storvirt__iscsi_chap {
        const char *user, *password;            /* one-way CHAP */
        const char *user_in, *password_in;      /* mutual CHAP, or NULL */
};

/*
 * Set CHAP (and mutual CHAP, or none) in every node record of node:
 * authmethod CHAP, the user names and passwords, replacing what the
 * records held.  timeout_ms bounds the wait for open-iscsi's lock
 * (<= 0: 30 s).  0, or -ENOENT (no such record), -ETIMEDOUT (the lock
 * stays taken), -EINVAL (a value a record cannot hold: a line break,
 * leading or trailing spaces, more than 255 bytes), -errno.  No message
 * quotes a password.
 */
int storvirt__iscsi_node_set_chap(const struct storvirt__iscsi_node *node,
                                  const struct storvirt__iscsi_chap *chap, int timeout_ms);
