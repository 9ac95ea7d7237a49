/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * iscsi_direct.c - SendTargets discovery and LUN scanning over libiscsi.
 *
 * libiscsi's synchronous calls wait in poll() without a deadline of
 * their own: iscsi_set_timeout() times out each PDU (login, SCSI
 * commands, logout) separately and not the TCP connect, which waits for
 * the kernel's SYN retries (minutes).  So every step here goes through
 * the asynchronous API and our own poll() loop, which gives up when the
 * deadline of the whole call passes.
 * One operation is in flight at a time; its completion lands in struct
 * session, which outlives the libiscsi context so that a callback run
 * while the context is torn down never touches freed memory.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sys/iscsi_direct.h"
#include "sys/tool_words.h"
#include "util/error.h"
#include "util/macro.h"

void storvirt__iscsi_targets_free(struct storvirt__iscsi_target *t, size_t n) {
        if (!t)
                return;
        for (size_t i = 0; i < n; i++) {
                for (size_t j = 0; j < t[i].n_portals; j++)
                        free(t[i].portals[j].address);
                free(t[i].portals);
                free(t[i].iqn);
        }
        free(t);
}

void storvirt__iscsi_luns_free(struct storvirt__iscsi_lun *l, size_t n) {
        if (!l)
                return;
        for (size_t i = 0; i < n; i++)
                free(l[i].serial);
        free(l);
}

#if HAVE_LIBISCSI

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#include "sys/iscsi_dl.h"

#define MAX_REDIRECTS 3

struct session {
        const struct storvirt__iscsi_params *p;
        struct iscsi_context *iscsi;
        unsigned timeout;
        long long deadline;             /* CLOCK_MONOTONIC, ms */
        char *address;                  /* portal currently connected to */

        /* the operation in flight */
        bool done;
        int status;
        char cb_err[512];               /* libiscsi's error when it completed with one */

        /* SendTargets result, filled by the discovery callback */
        struct storvirt__iscsi_target *targets;
        size_t n_targets;
        int discovery_err;
};

static long long now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void op_cb(struct iscsi_context *iscsi, int status, void *command_data, void *private_data) {
        struct session *s = private_data;
        const char *e;

        s->done = true;
        s->status = status;
        /* libiscsi may overwrite the error after the callback returns
         * (a failed connect becomes "Can not reconnect right now") */
        e = status != SCSI_STATUS_GOOD ? iscsi_get_error(iscsi) : NULL;
        snprintf(s->cb_err, sizeof s->cb_err, "%s", e ? e : "");
}

static void op_start(struct session *s) {
        s->done = false;
        s->status = 0;
        s->cb_err[0] = '\0';
}

/*
 * libiscsi's last error, without a trailing newline or period and with
 * every CHAP secret replaced by "***".
 */
static void libiscsi_msg(const struct session *s, char *buf, size_t size) {
        const char *secrets[] = {
                s->p->chap_secret, s->p->mutual_secret,
        };
        const char *msg = s->cb_err[0] ? s->cb_err : s->iscsi ? iscsi_get_error(s->iscsi) : NULL;
        size_t len;

        snprintf(buf, size, "%s", msg && *msg ? msg : "unknown error");
        for (size_t i = 0; i < ELEMENTSOF(secrets); i++) {
                const char *sec = secrets[i];
                char *hit;

                if (!sec || !*sec)
                        continue;
                while ((hit = strstr(buf, sec))) {
                        size_t sl = strlen(sec);

                        memmove(hit + 3, hit + sl, strlen(hit + sl) + 1);
                        memcpy(hit, "***", 3);
                }
        }
        len = strlen(buf);
        while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '.' || buf[len - 1] == ' '))
                buf[--len] = '\0';
}

/* The last "(<number>)" in libiscsi's message: the errno it reports. */
static int msg_errno(const char *msg) {
        const char *open = strrchr(msg, '(');
        char *end;
        long v;

        if (!open)
                return 0;
        v = strtol(open + 1, &end, 10);
        if (end == open + 1 || *end != ')' || v <= 0 || v > 4095)
                return 0;
        return (int)v;
}

/*
 * Runs libiscsi until the operation in flight completes.  0 when it did
 * (s->status holds its status), -ETIMEDOUT at the deadline, -EIO when
 * the connection is gone without the operation completing.  Sets no
 * message: callers name the step.
 */
static int wait_op(struct session *s) {
        while (!s->done) {
                long long left = s->deadline - now_ms();
                struct pollfd pfd;
                int fd, r;

                if (left <= 0)
                        return -ETIMEDOUT;
                fd = iscsi_get_fd(s->iscsi);
                if (fd < 0)
                        return -EIO;
                pfd = (struct pollfd){ .fd = fd, .events = (short)iscsi_which_events(s->iscsi) };
                r = poll(&pfd, 1, left > 1000 ? 1000 : (int)left);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (iscsi_service(s->iscsi, pfd.revents) < 0 && !s->done)
                        return -EIO;
        }
        return 0;
}

static int timed_out(const struct session *s, const char *step) {
        return storvirt__error_set(-ETIMEDOUT, "iSCSI %s at %s timed out after %u s",
                                   step, s->p->portal, s->timeout);
}

/* "login to <target>" or "discovery login" for messages. */
static const char *login_what(const struct session *s, char *buf, size_t size) {
        if (s->p->target && *s->p->target)
                snprintf(buf, size, "login to %s", s->p->target);
        else
                snprintf(buf, size, "discovery login");
        return buf;
}

static int connect_failed(struct session *s) {
        char msg[512];
        int e;

        libiscsi_msg(s, msg, sizeof msg);
        e = msg_errno(msg);
        if (e == ECONNREFUSED)
                return storvirt__error_set(-ECONNREFUSED,
                                           "iSCSI connect to %s refused: nothing listens there",
                                           s->address);
        if (e == ETIMEDOUT)
                return timed_out(s, "connect");
        if (e > 0)
                return storvirt__error_set(-e, "iSCSI connect to %s failed: %s", s->address, msg);
        if (storvirt__tool_said(storvirt__tool_words("libiscsi", msg),
                                STORVIRT__TOOL_ISCSI_BAD_PORTAL))
                return storvirt__error_set(-EINVAL, "iSCSI portal '%s' is not valid: %s",
                                           s->address, msg);
        return storvirt__error_set(-EIO, "iSCSI connect to %s failed: %s", s->address, msg);
}

static int login_failed(struct session *s) {
        char msg[512], what[512];
        const char *st;
        int status = -1;

        libiscsi_msg(s, msg, sizeof msg);
        login_what(s, what, sizeof what);
        st = strstr(msg, "Status:");
        if (st)
                status = msg_errno(st);         /* "Status: <text>(<class << 8 | detail>)" */
        switch (status) {
        case 0x0201:
                return storvirt__error_set(-EACCES, "iSCSI %s at %s refused: authentication failed",
                                           what, s->p->portal);
        case 0x0202:
                return storvirt__error_set(-EACCES, "iSCSI %s at %s refused: not authorized",
                                           what, s->p->portal);
        case 0x0203:
                return storvirt__error_set(-ENOENT, "iSCSI %s at %s refused: target not found",
                                           what, s->p->portal);
        case 0x0204:
                return storvirt__error_set(-ENOENT, "iSCSI %s at %s refused: target removed",
                                           what, s->p->portal);
        default:
                break;
        }
        if (storvirt__tool_said(storvirt__tool_words("libiscsi", msg),
                                STORVIRT__TOOL_ISCSI_MUTUAL_CHAP))
                return storvirt__error_set(-EACCES,
                                           "iSCSI %s at %s refused: the target failed mutual CHAP authentication",
                                           what, s->p->portal);
        return storvirt__error_set(-EIO, "iSCSI %s at %s failed: %s", what, s->p->portal, msg);
}

static int check_params(const struct storvirt__iscsi_params *p, bool need_target) {
        if (!p || !p->portal || !*p->portal)
                return storvirt__error_set(-EINVAL, "iSCSI: no portal given");
        if (need_target && (!p->target || !*p->target))
                return storvirt__error_set(-EINVAL, "iSCSI scan of %s: no target given", p->portal);
        if (!!(p->chap_user && *p->chap_user) != !!(p->chap_secret && *p->chap_secret))
                return storvirt__error_set(-EINVAL, "iSCSI %s: CHAP needs both a user and a secret",
                                           p->portal);
        if (!!(p->mutual_user && *p->mutual_user) != !!(p->mutual_secret && *p->mutual_secret))
                return storvirt__error_set(-EINVAL,
                                           "iSCSI %s: mutual CHAP needs both a user and a secret",
                                           p->portal);
        if (p->mutual_user && *p->mutual_user && !(p->chap_user && *p->chap_user))
                return storvirt__error_set(-EINVAL, "iSCSI %s: mutual CHAP needs one-way CHAP too",
                                           p->portal);
        return 0;
}

static void session_close(struct session *s) {
        if (s->iscsi) {
                iscsi_scsi_cancel_all_tasks(s->iscsi);
                iscsi_destroy_context(s->iscsi);
                s->iscsi = NULL;
        }
        free(s->address);
        s->address = NULL;
}

/* Connects and logs in (following up to MAX_REDIRECTS redirections). */
static int session_open(struct session *s, const struct storvirt__iscsi_params *p, bool discovery) {
        const char *initiator = p->initiator && *p->initiator ? p->initiator
                                                              : STORVIRT__ISCSI_DEFAULT_INITIATOR;
        char what[512];
        int r;

        r = storvirt__iscsi_load();
        if (r < 0)
                return r;
        s->p = p;
        s->timeout = p->timeout_sec ? p->timeout_sec : STORVIRT__ISCSI_DEFAULT_TIMEOUT;
        s->deadline = now_ms() + (long long)s->timeout * 1000;
        s->address = strdup(p->portal);
        if (!s->address)
                return storvirt__error_oom();

        s->iscsi = iscsi_create_context(initiator);
        if (!s->iscsi)
                return storvirt__error_set(-ENOMEM, "iSCSI: cannot create a libiscsi context for %s",
                                           initiator);
        iscsi_set_noautoreconnect(s->iscsi, 1);
        if (iscsi_set_session_type(s->iscsi, discovery ? ISCSI_SESSION_DISCOVERY
                                                       : ISCSI_SESSION_NORMAL) < 0 ||
            (!discovery && iscsi_set_targetname(s->iscsi, p->target) < 0) ||
            iscsi_set_header_digest(s->iscsi, ISCSI_HEADER_DIGEST_NONE_CRC32C) < 0)
                return storvirt__error_set(-EINVAL, "iSCSI %s at %s: bad session parameters",
                                           login_what(s, what, sizeof what), p->portal);
        if (p->chap_user && *p->chap_user &&
            iscsi_set_initiator_username_pwd(s->iscsi, p->chap_user, p->chap_secret) < 0)
                return storvirt__error_set(-EINVAL, "iSCSI %s at %s: CHAP credentials refused by libiscsi",
                                           login_what(s, what, sizeof what), p->portal);
        if (p->mutual_user && *p->mutual_user &&
            iscsi_set_target_username_pwd(s->iscsi, p->mutual_user, p->mutual_secret) < 0)
                return storvirt__error_set(-EINVAL,
                                           "iSCSI %s at %s: mutual CHAP credentials refused by libiscsi",
                                           login_what(s, what, sizeof what), p->portal);

        for (unsigned redirects = 0;; redirects++) {
                const char *to;

                op_start(s);
                if (iscsi_connect_async(s->iscsi, s->address, op_cb, s) < 0)
                        return connect_failed(s);
                r = wait_op(s);
                if (r == -ETIMEDOUT)
                        return timed_out(s, "connect");
                if (r < 0 || s->status != SCSI_STATUS_GOOD)
                        return connect_failed(s);

                op_start(s);
                if (iscsi_login_async(s->iscsi, op_cb, s) < 0)
                        return login_failed(s);
                r = wait_op(s);
                login_what(s, what, sizeof what);
                if (r == -ETIMEDOUT)
                        return timed_out(s, what);
                if (r < 0)
                        return storvirt__error_set(-EIO, "iSCSI %s at %s: connection lost",
                                                   what, p->portal);
                if (s->status == SCSI_STATUS_GOOD)
                        return 0;
                if (s->status != SCSI_STATUS_REDIRECT)
                        return login_failed(s);

                to = iscsi_get_target_address(s->iscsi);
                if (redirects >= MAX_REDIRECTS || !to || !*to)
                        return storvirt__error_set(-EIO, "iSCSI %s at %s: too many redirections",
                                                   what, p->portal);
                free(s->address);
                s->address = strdup(to);
                if (!s->address)
                        return storvirt__error_oom();
                iscsi_disconnect(s->iscsi);
        }
}

static void session_logout(struct session *s) {
        op_start(s);
        if (iscsi_logout_async(s->iscsi, op_cb, s) == 0)
                (void)wait_op(s);
}

/* ---- discovery ---- */

static int add_portal(struct storvirt__iscsi_target *t, const char *spec) {
        struct storvirt__iscsi_portal *np;
        const char *comma = strrchr(spec, ',');
        const char *bracket = strrchr(spec, ']');
        size_t len = strlen(spec);
        int tpgt = -1;

        if (comma && (!bracket || comma > bracket)) {
                char *end;
                long v = strtol(comma + 1, &end, 10);

                if (end != comma + 1 && *end == '\0' && v >= 0 && v <= 65535) {
                        tpgt = (int)v;
                        len = (size_t)(comma - spec);
                }
        }
        np = realloc(t->portals, (t->n_portals + 1) * sizeof *np);
        if (!np)
                return -ENOMEM;
        t->portals = np;
        np[t->n_portals].address = strndup(spec, len);
        if (!np[t->n_portals].address)
                return -ENOMEM;
        np[t->n_portals++].tpgt = tpgt;
        return 0;
}

static void discovery_cb(struct iscsi_context *iscsi, int status, void *command_data,
                         void *private_data) {
        struct session *s = private_data;

        s->done = true;
        s->status = status;
        if (status != SCSI_STATUS_GOOD) {
                snprintf(s->cb_err, sizeof s->cb_err, "%s", iscsi_get_error(iscsi));
                return;
        }
        for (struct iscsi_discovery_address *a = command_data; a; a = a->next) {
                struct storvirt__iscsi_target *nt;

                if (!a->target_name)
                        continue;
                nt = realloc(s->targets, (s->n_targets + 1) * sizeof *nt);
                if (!nt)
                        goto oom;
                s->targets = nt;
                nt = &s->targets[s->n_targets];
                *nt = (struct storvirt__iscsi_target){ .iqn = strdup(a->target_name) };
                s->n_targets++;
                if (!nt->iqn)
                        goto oom;
                for (struct iscsi_target_portal *tp = a->portals; tp; tp = tp->next)
                        if (tp->portal && add_portal(nt, tp->portal) < 0)
                                goto oom;
        }
        return;
oom:
        s->discovery_err = -ENOMEM;
}

int storvirt__iscsi_discover(const struct storvirt__iscsi_params *p,
                             struct storvirt__iscsi_target **ret, size_t *n) {
        struct session s = { 0 };
        int r;

        check_nonnull(ret);
        check_nonnull(n);
        r = check_params(p, false);
        if (r < 0)
                return r;
        r = session_open(&s, p, true);
        if (r < 0)
                goto out;

        op_start(&s);
        if (iscsi_discovery_async(s.iscsi, discovery_cb, &s) < 0) {
                char msg[512];

                libiscsi_msg(&s, msg, sizeof msg);
                r = storvirt__error_set(-EIO, "iSCSI SendTargets at %s failed: %s", p->portal, msg);
                goto out;
        }
        r = wait_op(&s);
        if (r == -ETIMEDOUT) {
                r = timed_out(&s, "SendTargets");
                goto out;
        }
        if (s.discovery_err < 0) {
                r = storvirt__error_oom();
                goto out;
        }
        if (r < 0 || s.status != SCSI_STATUS_GOOD) {
                char msg[512];

                libiscsi_msg(&s, msg, sizeof msg);
                r = storvirt__error_set(-EIO, "iSCSI SendTargets at %s failed: %s", p->portal, msg);
                goto out;
        }
        session_logout(&s);
        *ret = TAKE_PTR(s.targets);
        *n = s.n_targets;
        s.n_targets = 0;
        r = 0;
out:
        session_close(&s);
        storvirt__iscsi_targets_free(s.targets, s.n_targets);
        return r;
}

/* ---- scan ---- */

static uint32_t be32(const uint8_t *b) {
        return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static uint64_t be64(const uint8_t *b) {
        return (uint64_t)be32(b) << 32 | be32(b + 4);
}

enum cmd {
        CMD_REPORT_LUNS,
        CMD_INQUIRY,
        CMD_VPD,
        CMD_READ_CAPACITY16,
        CMD_READ_CAPACITY10,
};

static const char *const cmd_names[] = {
        [CMD_REPORT_LUNS] = "REPORT LUNS",
        [CMD_INQUIRY] = "INQUIRY",
        [CMD_VPD] = "INQUIRY (VPD)",
        [CMD_READ_CAPACITY16] = "READ CAPACITY(16)",
        [CMD_READ_CAPACITY10] = "READ CAPACITY(10)",
};

static struct scsi_task *cmd_send(struct session *s, enum cmd c, int lun, int page, int alloc) {
        switch (c) {
        case CMD_REPORT_LUNS:
                return iscsi_reportluns_task(s->iscsi, 0, alloc, op_cb, s);
        case CMD_INQUIRY:
                return iscsi_inquiry_task(s->iscsi, lun, 0, 0, alloc, op_cb, s);
        case CMD_VPD:
                return iscsi_inquiry_task(s->iscsi, lun, 1, page, alloc, op_cb, s);
        case CMD_READ_CAPACITY16:
                return iscsi_readcapacity16_task(s->iscsi, lun, op_cb, s);
        case CMD_READ_CAPACITY10:
                return iscsi_readcapacity10_task(s->iscsi, lun, 0, 0, op_cb, s);
        }
        return NULL;
}

/*
 * Runs one command (retrying a unit attention a few times).  0 with
 * *ret the finished task (GOOD or CHECK CONDITION; the caller frees
 * it), else a negative errno with a message.
 */
static int cmd_run(struct session *s, enum cmd c, int lun, int page, int alloc,
                   struct scsi_task **ret) {
        char msg[512];

        for (int attempt = 0;; attempt++) {
                struct scsi_task *task;
                int r;

                op_start(s);
                task = cmd_send(s, c, lun, page, alloc);
                if (!task) {
                        libiscsi_msg(s, msg, sizeof msg);
                        return storvirt__error_set(-EIO, "iSCSI %s of LUN %d on %s at %s: cannot send: %s",
                                                   cmd_names[c], lun, s->p->target, s->p->portal, msg);
                }
                r = wait_op(s);
                if (r < 0 && !s->done)
                        iscsi_scsi_cancel_task(s->iscsi, task);
                if (r == -ETIMEDOUT) {
                        scsi_free_scsi_task(task);
                        return storvirt__error_set(-ETIMEDOUT,
                                                   "iSCSI %s of LUN %d on %s at %s timed out after %u s",
                                                   cmd_names[c], lun, s->p->target, s->p->portal,
                                                   s->timeout);
                }
                if (r < 0 || (s->status != SCSI_STATUS_GOOD &&
                              s->status != SCSI_STATUS_CHECK_CONDITION)) {
                        bool lost = r < 0 || s->status == SCSI_STATUS_CANCELLED ||
                                    iscsi_get_fd(s->iscsi) < 0;

                        libiscsi_msg(s, msg, sizeof msg);
                        scsi_free_scsi_task(task);
                        if (lost)
                                return storvirt__error_set(-EIO, "iSCSI %s of LUN %d on %s at %s: connection lost",
                                                           cmd_names[c], lun, s->p->target, s->p->portal);
                        return storvirt__error_set(-EIO, "iSCSI %s of LUN %d on %s at %s failed: %s",
                                                   cmd_names[c], lun, s->p->target, s->p->portal, msg);
                }
                if (s->status == SCSI_STATUS_CHECK_CONDITION &&
                    task->sense.key == SCSI_SENSE_UNIT_ATTENTION && attempt < 3) {
                        scsi_free_scsi_task(task);
                        continue;
                }
                *ret = task;
                return 0;
        }
}

static bool illegal_request(const struct scsi_task *t) {
        return t->status == SCSI_STATUS_CHECK_CONDITION && t->sense.key == SCSI_SENSE_ILLEGAL_REQUEST;
}

static int check_failed(const struct session *s, const struct scsi_task *t, enum cmd c, int lun) {
        return storvirt__error_set(-EIO, "iSCSI %s of LUN %d on %s at %s failed: %s (sense key 0x%x, ASC/ASCQ 0x%04x)",
                                   cmd_names[c], lun, s->p->target, s->p->portal,
                                   scsi_sense_key_str(t->sense.key), (unsigned)t->sense.key,
                                   (unsigned)t->sense.ascq);
}

static int report_luns(struct session *s, uint64_t **ret, size_t *n) {
        int alloc = 4096;

        for (;;) {
                struct scsi_task *t = NULL;
                uint32_t list_len;
                uint64_t *luns;
                size_t count;
                int r;

                r = cmd_run(s, CMD_REPORT_LUNS, 0, 0, alloc, &t);
                if (r < 0)
                        return r;
                if (t->status != SCSI_STATUS_GOOD) {
                        r = check_failed(s, t, CMD_REPORT_LUNS, 0);
                        scsi_free_scsi_task(t);
                        return r;
                }
                if (t->datain.size < 8) {
                        int got = t->datain.size;

                        scsi_free_scsi_task(t);
                        return storvirt__error_set(-EIO, "iSCSI REPORT LUNS on %s at %s: short answer (%d bytes)",
                                                   s->p->target, s->p->portal, got);
                }
                list_len = be32(t->datain.data);
                if ((uint64_t)list_len + 8 > (uint64_t)alloc && alloc < (1 << 20)) {
                        alloc = list_len + 8 > (1u << 20) ? 1 << 20 : (int)(list_len + 8);
                        scsi_free_scsi_task(t);
                        continue;
                }
                count = list_len / 8;
                if (count > (size_t)(t->datain.size - 8) / 8)
                        count = (size_t)(t->datain.size - 8) / 8;
                luns = calloc(count ? count : 1, sizeof *luns);
                if (!luns) {
                        scsi_free_scsi_task(t);
                        return storvirt__error_oom();
                }
                for (size_t i = 0; i < count; i++) {
                        const uint8_t *e = t->datain.data + 8 + 8 * i;

                        switch (e[0] >> 6) {
                        case 0:         /* peripheral device addressing, bus 0 */
                                luns[i] = e[0] == 0 ? e[1] : UINT64_MAX;
                                break;
                        case 1:         /* flat space addressing */
                                luns[i] = (uint64_t)(e[0] & 0x3f) << 8 | e[1];
                                break;
                        default:        /* not reachable through libiscsi's int LUN */
                                luns[i] = UINT64_MAX;
                                break;
                        }
                }
                scsi_free_scsi_task(t);
                *ret = luns;
                *n = count;
                return 0;
        }
}

static void copy_trimmed(char *dst, const uint8_t *src, size_t len) {
        while (len > 0 && (src[len - 1] == ' ' || src[len - 1] == '\0'))
                len--;
        for (size_t i = 0; i < len; i++)
                dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? (char)src[i] : '_';
        dst[len] = '\0';
}

/* A VPD page as raw bytes; *ret NULL when the LUN does not have it. */
static int read_vpd(struct session *s, int lun, int page, uint8_t **ret, size_t *len) {
        int alloc = 255;

        *ret = NULL;
        *len = 0;
        for (;;) {
                struct scsi_task *t = NULL;
                size_t plen;
                int r;

                r = cmd_run(s, CMD_VPD, lun, page, alloc, &t);
                if (r < 0)
                        return r;
                if (illegal_request(t)) {
                        scsi_free_scsi_task(t);
                        return 0;
                }
                if (t->status != SCSI_STATUS_GOOD) {
                        r = check_failed(s, t, CMD_VPD, lun);
                        scsi_free_scsi_task(t);
                        return r;
                }
                if (t->datain.size < 4 || t->datain.data[1] != page) {
                        scsi_free_scsi_task(t);
                        return 0;
                }
                plen = 4 + ((size_t)t->datain.data[2] << 8 | t->datain.data[3]);
                if (plen > (size_t)t->datain.size && alloc < 0xffff) {
                        alloc = plen > 0xffff ? 0xffff : (int)plen;
                        scsi_free_scsi_task(t);
                        continue;
                }
                *len = (size_t)t->datain.size;
                *ret = malloc(*len);
                if (!*ret) {
                        scsi_free_scsi_task(t);
                        return storvirt__error_oom();
                }
                memcpy(*ret, t->datain.data, *len);
                scsi_free_scsi_task(t);
                return 0;
        }
}

static int read_capacity(struct session *s, int lun, struct storvirt__iscsi_lun *l) {
        struct scsi_task *t = NULL;
        int r;

        r = cmd_run(s, CMD_READ_CAPACITY16, lun, 0, 0, &t);
        if (r < 0)
                return r;
        if (t->status == SCSI_STATUS_GOOD && t->datain.size >= 12) {
                l->block_size = be32(t->datain.data + 8);
                l->size_bytes = (be64(t->datain.data) + 1) * l->block_size;
                scsi_free_scsi_task(t);
                return 0;
        }
        if (!illegal_request(t)) {
                r = check_failed(s, t, CMD_READ_CAPACITY16, lun);
                scsi_free_scsi_task(t);
                return r;
        }
        scsi_free_scsi_task(t);

        r = cmd_run(s, CMD_READ_CAPACITY10, lun, 0, 0, &t);
        if (r < 0)
                return r;
        if (t->status != SCSI_STATUS_GOOD || t->datain.size < 8) {
                r = t->status != SCSI_STATUS_GOOD
                            ? check_failed(s, t, CMD_READ_CAPACITY10, lun)
                            : storvirt__error_set(-EIO, "iSCSI READ CAPACITY(10) of LUN %d on %s: short answer",
                                                  lun, s->p->target);
                scsi_free_scsi_task(t);
                return r;
        }
        if (be32(t->datain.data) == UINT32_MAX) {
                scsi_free_scsi_task(t);
                return storvirt__error_set(-EIO, "iSCSI LUN %d on %s at %s: larger than READ CAPACITY(10) can tell, and READ CAPACITY(16) is refused",
                                           lun, s->p->target, s->p->portal);
        }
        l->block_size = be32(t->datain.data + 4);
        l->size_bytes = ((uint64_t)be32(t->datain.data) + 1) * l->block_size;
        scsi_free_scsi_task(t);
        return 0;
}

/* 1 and *l filled for a block device, 0 for a LUN left out. */
static int scan_lun(struct session *s, int lun, struct storvirt__iscsi_lun *l) {
        struct scsi_task *t = NULL;
        _cleanup_free_ uint8_t *pg80 = NULL, *pg83 = NULL;
        size_t len80 = 0, len83 = 0;
        char vendor[9], model[17], serial[STORVIRT__WWID_MAX];
        uint8_t pq, type;
        int r;

        *l = (struct storvirt__iscsi_lun){ .lun = (uint64_t)lun };
        r = cmd_run(s, CMD_INQUIRY, lun, 0, 255, &t);
        if (r < 0)
                return r;
        if (t->status != SCSI_STATUS_GOOD || t->datain.size < 36) {
                r = t->status != SCSI_STATUS_GOOD
                            ? check_failed(s, t, CMD_INQUIRY, lun)
                            : storvirt__error_set(-EIO, "iSCSI INQUIRY of LUN %d on %s: short answer (%d bytes)",
                                                  lun, s->p->target, t->datain.size);
                scsi_free_scsi_task(t);
                return r;
        }
        pq = t->datain.data[0] >> 5;
        type = t->datain.data[0] & 0x1f;
        l->peripheral_type = type;
        /* raw, space-padded fields for the WWID, trimmed ones for callers */
        memcpy(vendor, t->datain.data + 8, 8);
        vendor[8] = '\0';
        memcpy(model, t->datain.data + 16, 16);
        model[16] = '\0';
        copy_trimmed(l->vendor, t->datain.data + 8, 8);
        copy_trimmed(l->product, t->datain.data + 16, 16);
        copy_trimmed(l->revision, t->datain.data + 32, 4);
        scsi_free_scsi_task(t);
        if (pq != 0 || (type != 0x00 && type != 0x0e))
                return 0;

        r = read_vpd(s, lun, 0x80, &pg80, &len80);
        if (r < 0)
                return r;
        r = read_vpd(s, lun, 0x83, &pg83, &len83);
        if (r < 0)
                return r;
        if (pg80) {
                r = storvirt__serial_from_vpd80(pg80, len80, serial, sizeof serial);
                if (r == 0) {
                        l->serial = strdup(serial);
                        if (!l->serial)
                                return storvirt__error_oom();
                } else if (r != -ENOENT) {
                        return storvirt__error_prefix("iSCSI LUN %d on %s at %s", lun,
                                                      s->p->target, s->p->portal);
                }
        }
        r = storvirt__wwid_from_scsi(pg83, len83, pg80, len80, vendor, model, l->guid, sizeof l->guid);
        if (r == -ENOENT) {
                l->guid[0] = '\0';
                storvirt__error_reset();
        } else if (r < 0) {
                free(l->serial);
                l->serial = NULL;
                return storvirt__error_prefix("iSCSI LUN %d on %s at %s", lun, s->p->target,
                                              s->p->portal);
        }
        r = read_capacity(s, lun, l);
        if (r < 0) {
                free(l->serial);
                l->serial = NULL;
                return r;
        }
        return 1;
}

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

        return x < y ? -1 : x > y;
}

int storvirt__iscsi_scan(const struct storvirt__iscsi_params *p,
                         struct storvirt__iscsi_lun **ret, size_t *n) {
        struct session s = { 0 };
        _cleanup_free_ uint64_t *luns = NULL;
        struct storvirt__iscsi_lun *out = NULL;
        size_t n_luns = 0, n_out = 0;
        int r;

        check_nonnull(ret);
        check_nonnull(n);
        r = check_params(p, true);
        if (r < 0)
                return r;
        r = session_open(&s, p, false);
        if (r < 0)
                goto out;
        r = report_luns(&s, &luns, &n_luns);
        if (r < 0)
                goto out;
        qsort(luns, n_luns, sizeof *luns, cmp_u64);
        out = calloc(n_luns ? n_luns : 1, sizeof *out);
        if (!out) {
                r = storvirt__error_oom();
                goto out;
        }
        for (size_t i = 0; i < n_luns; i++) {
                if (luns[i] > INT16_MAX || (i > 0 && luns[i] == luns[i - 1]))
                        continue;       /* an addressing libiscsi cannot send, or a repeat */
                r = scan_lun(&s, (int)luns[i], &out[n_out]);
                if (r < 0)
                        goto out;
                if (r > 0)
                        n_out++;
        }
        session_logout(&s);
        *ret = TAKE_PTR(out);
        *n = n_out;
        r = 0;
out:
        session_close(&s);
        storvirt__iscsi_luns_free(out, n_out);
        return r;
}

#else /* !HAVE_LIBISCSI */

int storvirt__iscsi_discover(const struct storvirt__iscsi_params *p,
                             struct storvirt__iscsi_target **ret, size_t *n) {
        return storvirt__error_set(-EOPNOTSUPP, "iSCSI discovery: built without libiscsi");
}

int storvirt__iscsi_scan(const struct storvirt__iscsi_params *p,
                         struct storvirt__iscsi_lun **ret, size_t *n) {
        return storvirt__error_set(-EOPNOTSUPP, "iSCSI scan: built without libiscsi");
}

#endif
