/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * iscsi_direct.h - the iscsi-direct connector: talks iSCSI to a portal
 * from user space through libiscsi (no kernel initiator, no iscsiadm),
 * for SendTargets discovery and for listing the LUNs of a target with
 * their identity and size.
 *
 * Every network step is driven through libiscsi's asynchronous API and
 * poll() against one deadline per call: the whole call (connect, login,
 * all commands, logout) takes at most timeout_sec seconds, after which
 * it fails with -ETIMEDOUT naming the portal.  The only step not bounded
 * is the host name lookup of a portal given by name (getaddrinfo() inside
 * libiscsi); give an address to avoid it.  libiscsi's automatic
 * reconnection is switched off: a session that drops fails the call.
 *
 * Without libiscsi at build time (HAVE_LIBISCSI 0) every function fails
 * with -EOPNOTSUPP and a message saying so.
 *
 * Errors (negative errno, message in the per-thread error):
 *   -EINVAL        bad parameters (no portal, no target for a scan, a
 *                  user without a secret, a mutual user without CHAP)
 *   -ECONNREFUSED  nothing listens at the portal
 *   -ETIMEDOUT     the deadline passed (unreachable portal, stalled
 *                  target); the message names the portal
 *   -EHOSTUNREACH, -ENETUNREACH, ...  other connect errors as reported
 *   -EACCES        login refused: "iSCSI login to TARGET at PORTAL
 *                  refused: authentication failed" (login status class 2
 *                  detail 1, also for missing credentials), "...
 *                  not authorized" (detail 2), or the target failed
 *                  mutual CHAP
 *   -ENOENT        the target does not exist at that portal (detail 3),
 *                  or was removed (detail 4)
 *   -EIO           any other login failure, a dropped session, a failed
 *                  command
 * CHAP secrets never appear in a message: none is ever formatted, and
 * libiscsi's own error text is scrubbed of them before it is used.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "sys/wwid.h"

/* The initiator name used when params->initiator is NULL or "". */
#define STORVIRT__ISCSI_DEFAULT_INITIATOR "iqn.2024-01.org.libstorvirt:initiator"
/* The deadline used when params->timeout_sec is 0. */
#define STORVIRT__ISCSI_DEFAULT_TIMEOUT 30

struct storvirt__iscsi_params {
        /* "host", "host:port", "[v6addr]" or "[v6addr]:port"; port 3260 by
         * default.  Required. */
        const char *portal;
        /* Target IQN; required for a scan, ignored by discovery. */
        const char *target;
        /* Initiator IQN; NULL or "" for STORVIRT__ISCSI_DEFAULT_INITIATOR. */
        const char *initiator;
        /* One-way CHAP (the initiator proves itself): both or neither. */
        const char *chap_user, *chap_secret;
        /* Mutual CHAP (the target proves itself): both or neither, and
         * only together with chap_user / chap_secret. */
        const char *mutual_user, *mutual_secret;
        /* Deadline of the whole call in seconds, 0 for the default. */
        unsigned timeout_sec;
};

struct storvirt__iscsi_portal {
        char *address;          /* "host:port" or "[v6]:port", as the target sent it */
        int tpgt;               /* target portal group tag, -1 when not sent */
};

struct storvirt__iscsi_target {
        char *iqn;
        struct storvirt__iscsi_portal *portals;
        size_t n_portals;
};

struct storvirt__iscsi_lun {
        uint64_t lun;                   /* LUN number as REPORT LUNS gave it (flat) */
        uint8_t peripheral_type;        /* INQUIRY byte 0 bits 0-4: 0x00 disk, 0x0e RBC */
        char vendor[9];                 /* INQUIRY fields, trailing spaces dropped */
        char product[17];
        char revision[5];
        char *serial;                   /* VPD 0x80 serial (trimmed), NULL without one */
        char guid[STORVIRT__WWID_MAX];  /* storvirt__wwid_from_scsi(); "" when none */
        uint64_t size_bytes;            /* READ CAPACITY(16), else (10) */
        uint32_t block_size;            /* logical block size in bytes */
};

/*
 * SendTargets discovery: log in to the portal with a discovery session
 * (CHAP when chap_user is given), send "SendTargets=All" and return the
 * targets the portal lists, in its order, each with its portals.
 * *ret and *n are set only on success (an empty list is a success with
 * *ret NULL and *n 0).  Free with storvirt__iscsi_targets_free().
 */
int storvirt__iscsi_discover(const struct storvirt__iscsi_params *p,
                             struct storvirt__iscsi_target **ret, size_t *n);
void storvirt__iscsi_targets_free(struct storvirt__iscsi_target *t, size_t n);

/*
 * Log in to p->target at p->portal with a normal session (CHAP and
 * mutual CHAP when given), send REPORT LUNS and, for every LUN, standard
 * INQUIRY, VPD pages 0x80 and 0x83 (a page the LUN does not support is
 * taken as absent) and READ CAPACITY(16) (READ CAPACITY(10) when (16) is
 * refused); then log out.
 *
 * Only block devices are returned: LUNs whose peripheral qualifier is not
 * 0 (nothing connected) or whose peripheral type is not direct access
 * (0x00) or RBC (0x0e) are left out.  So a storage controller LUN (type
 * 0x0c, e.g. LUN 0 of tgtd, which holds no storage) is not reported.
 *
 * guid is what multipath names the LUN with (storvirt__wwid_from_scsi()
 * on the two VPD pages and the INQUIRY vendor and product); it is ""
 * when that gives -ENOENT (a LUN multipath would ignore).  A malformed
 * VPD page fails the scan.
 *
 * Sorted by LUN number.  *ret and *n are set only on success.  Free with
 * storvirt__iscsi_luns_free().
 */
int storvirt__iscsi_scan(const struct storvirt__iscsi_params *p,
                         struct storvirt__iscsi_lun **ret, size_t *n);
void storvirt__iscsi_luns_free(struct storvirt__iscsi_lun *l, size_t n);
