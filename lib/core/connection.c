/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * connection.c - storage connections (storvirt/connection.h): parsing
 * (our JSON and VDSM's connectStorageServer parameters), records in the
 * state directory with the secrets apart, holders, and the connectors:
 * iSCSI through libiscsi ("direct") or iscsiadm ("kernel"), NFS and
 * POSIX filesystems through mount(8), local directories, Fibre Channel.
 *
 * Records (core/records.h):
 *   connections/<id>.json      the definition, our JSON form, no secret
 *   secrets/<id>.json          {"password", "mutual_password"}, mode 0600
 *   connections-run/<id>.json  {"connected", "holders", "mountpoint", "since"}
 * Connect and disconnect run under the exclusive lock of
 * "connections-run": one at a time per state directory (iscsiadm's node
 * database is not safe against concurrent changes either).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <storvirt.h>

#include "core/connection.h"
#include "core/records.h"
#include "sys/command.h"
#include "sys/iscsi_direct.h"
#include "sys/mount.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/macro.h"
#include "util/refcnt.h"
#include "util/strv.h"
#include "util/uuid.h"

#define KIND_DEF "connections"
#define KIND_SECRET "secrets"
#define KIND_RUN "connections-run"
#define REDACTED "********"
#define DEFAULT_TIMEOUT_MS 30000
#define ISCSI_PORT 3260
#define ADMIN_HOLDER "admin"
#define DEFINE_MAX (4u << 20)

/* iscsiadm's exit codes (iscsi_err.h) */
#define ISCSI_ERR_SESS_EXISTS 15
#define ISCSI_ERR_NO_OBJS_FOUND 21
#define ISCSI_ERR_TRANS_TIMEOUT 8
#define ISCSI_ERR_LOGIN_AUTH_FAILED 24
#define ISCSI_ERR_NOT_FOUND 3

typedef struct conn_def {
        int type;
        char *id;
        /* iscsi */
        char *host;             /* without brackets */
        unsigned port;
        int tpgt;               /* -1: not given */
        char *target;
        long lun;               /* -1: not given */
        char *user, *mutual_user;
        char *initiator, *iface;
        char *driver;           /* "kernel" | "direct" */
        /* nfs */
        char *export_;
        char *version;
        unsigned timeout, retrans; /* 0: not given */
        /* nfs, posixfs */
        char *options;
        /* posixfs */
        char *spec, *vfstype;
        /* localfs */
        char *path;
        /* a stored record that does not parse (listed with STORVIRT_CONNECTION_LIST_INVALID) */
        char *invalid;
        /* secrets, only while defining or connecting; never written with the definition */
        char *password, *mutual_password;
        /* get_param: "port", "lun", "tpgt"... as strings */
        char port_s[8], lun_s[24], tpgt_s[16], timeout_s[16], retrans_s[16];
} conn_def;

struct storvirt_connection {
        storvirt__refcnt n_ref;
        storvirt_ctx *ctx;
        conn_def *def;
};

static const char *const type_names[] = {
        [STORVIRT_CONNECTION_ISCSI] = "iscsi",
        [STORVIRT_CONNECTION_NFS] = "nfs",
        [STORVIRT_CONNECTION_POSIXFS] = "posixfs",
        [STORVIRT_CONNECTION_LOCALFS] = "localfs",
        [STORVIRT_CONNECTION_FCP] = "fcp",
};

/* VDSM's StorageDomainTypeId per type. */
static const int vdsm_domain_types[] = {
        [STORVIRT_CONNECTION_ISCSI] = 3,
        [STORVIRT_CONNECTION_NFS] = 1,
        [STORVIRT_CONNECTION_POSIXFS] = 6,
        [STORVIRT_CONNECTION_LOCALFS] = 4,
        [STORVIRT_CONNECTION_FCP] = 2,
};

static void explicit_clear(char *s) {
        if (s) {
                volatile char *p = s;
                while (*p)
                        *p++ = 0;
        }
}

static void def_free(conn_def *d) {
        if (!d)
                return;
        free(d->id);
        free(d->host);
        free(d->target);
        free(d->user);
        free(d->mutual_user);
        free(d->initiator);
        free(d->iface);
        free(d->driver);
        free(d->export_);
        free(d->version);
        free(d->options);
        free(d->spec);
        free(d->vfstype);
        free(d->path);
        free(d->invalid);
        explicit_clear(d->password);
        explicit_clear(d->mutual_password);
        free(d->password);
        free(d->mutual_password);
        free(d);
}

static void def_freep(conn_def **d) {
        def_free(*d);
}
#define _cleanup_def_ __attribute__((cleanup(def_freep)))

static const char *type_name(int type) {
        return type > 0 && (size_t)type < ELEMENTSOF(type_names) ? type_names[type] : "?";
}

/* ---- secrets kept out of messages ---------------------------------------------------------- */

/*
 * Replace every occurrence of the definition's secrets in the current
 * error message by REDACTED (a tool's stderr may echo what it was given).
 */
static int scrub_error(const conn_def *d, int r) {
        const char *secrets[2] = { d ? d->password : NULL, d ? d->mutual_password : NULL };
        const char *msg = storvirt_error_message();
        struct storvirt__buf b = {};
        bool changed = false;

        if (r >= 0 || !msg)
                return r;
        for (const char *p = msg; *p;) {
                bool hit = false;

                for (size_t i = 0; i < 2; i++) {
                        size_t n = secrets[i] ? strlen(secrets[i]) : 0;

                        if (n && strncmp(p, secrets[i], n) == 0) {
                                storvirt__buf_printf(&b, "%s", REDACTED);
                                p += n;
                                hit = changed = true;
                                break;
                        }
                }
                if (!hit)
                        storvirt__buf_printf(&b, "%c", *p++);
        }
        if (changed)
                storvirt__error_set(r, "%s", storvirt__buf_str(&b));
        storvirt__buf_free(&b);
        return r;
}

/* ---- parsing ---------------------------------------------------------------------------------- */

struct parse_ctx {
        char what[48];          /* "connection 2" */
        bool stored;            /* a stored definition: its secrets are kept apart */
};

#define PFAIL(pc, key, fmt, ...)                                                        \
        storvirt__error_set(-EINVAL, "%s: field '%s': " fmt, (pc)->what, (key), ##__VA_ARGS__)

static bool printable_no_space(const char *s) {
        for (; *s; s++)
                if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
                        return false;
        return true;
}

static int check_iqn(const struct parse_ctx *pc, const char *key, const char *v) {
        char esc[STORVIRT__ESCAPED_NAME_SIZE];

        if (strncmp(v, "iqn.", 4) != 0 && strncmp(v, "eui.", 4) != 0 && strncmp(v, "naa.", 4) != 0)
                return PFAIL(pc, key, "'%s' is not an iSCSI name: it must start with 'iqn.', "
                                      "'eui.' or 'naa.'", storvirt__name_escape(v, esc, sizeof(esc)));
        if (strlen(v) > 223)
                return PFAIL(pc, key, "'%.40s...' is longer than 223 bytes (RFC 3720)", v);
        if (!printable_no_space(v))
                return PFAIL(pc, key, "'%s' has a space or a non-printable character",
                             storvirt__name_escape(v, esc, sizeof(esc)));
        return 0;
}

/*
 * The longest value of a field: CHAP names as iscsiadm's node records
 * hold them (255), an iscsiadm interface name (64), anything else a path.
 */
static size_t field_max(const char *key) {
        if (strstr(key, "user"))
                return 255;
        if (strstr(key, "iface") || strstr(key, "ifaceName"))
                return 64;
        return 4095;
}

static int dup_checked(const struct parse_ctx *pc, const char *key, const char *v, bool spaces_ok,
                       char **ret) {
        char esc[STORVIRT__ESCAPED_NAME_SIZE];

        if (!*v)
                return PFAIL(pc, key, "must not be empty");
        if (strlen(v) > field_max(key))
                return PFAIL(pc, key, "'%.40s...' is longer than %zu characters", v,
                             field_max(key));
        if (!spaces_ok && !printable_no_space(v))
                return PFAIL(pc, key, "'%s' has a space or a non-printable character",
                             storvirt__name_escape(v, esc, sizeof(esc)));
        free(*ret);
        *ret = strdup(v);
        return *ret ? 0 : storvirt__error_oom();
}

/*
 * Portal limits, checked when a portal is parsed so that what is stored
 * is never cut short: a DNS name has at most 253 characters in labels of
 * at most 63 (RFC 1035); an IPv6 literal at most INET6_ADDRSTRLEN - 1
 * (45) plus a zone of at most IF_NAMESIZE - 1 (15); a port at most 5
 * digits.  The longest portal is then a 253-character name and ":65535".
 */
#define HOST_NAME_MAX_LEN 253
#define HOST_LABEL_MAX 63
#define IPV6_ZONE_MAX 15
#define PORTAL_MAX (HOST_NAME_MAX_LEN + 6)
#define PORTAL_SIZE (PORTAL_MAX + 1)

/* A host name (letters, digits, '-', '_' in dot-separated labels) or an IPv4 address. */
static int check_host_name(const struct parse_ctx *pc, const char *key, const char *esc,
                           const char *h, size_t len) {
        size_t label = 0;

        if (len > HOST_NAME_MAX_LEN)
                return PFAIL(pc, key, "'%s': the host name is longer than %d characters", esc,
                             HOST_NAME_MAX_LEN);
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)h[i];

                if (c == '.') {
                        if (label == 0)
                                return PFAIL(pc, key, "'%s': the host name has an empty label",
                                             esc);
                        if (h[i - 1] == '-')
                                return PFAIL(pc, key, "'%s': a label of the host name ends "
                                                      "with '-'", esc);
                        label = 0;
                        continue;
                }
                if (!isalnum(c) && c != '-' && c != '_')
                        return PFAIL(pc, key, "'%s' is not a host name or an IPv4 address "
                                              "(letters, digits, '-', '_' and '.')", esc);
                if (label == 0 && c == '-')
                        return PFAIL(pc, key, "'%s': a label of the host name starts with '-'",
                                     esc);
                if (++label > HOST_LABEL_MAX)
                        return PFAIL(pc, key, "'%s': the host name has a label longer than %d "
                                              "characters", esc, HOST_LABEL_MAX);
        }
        if (label > 0 && h[len - 1] == '-')
                return PFAIL(pc, key, "'%s': a label of the host name ends with '-'", esc);
        return 0;
}

/* An IPv6 address, optionally with a zone ("fe80::1%eth0"), as inet_pton() reads it. */
static int check_ipv6(const struct parse_ctx *pc, const char *key, const char *h, size_t len) {
        char addr[INET6_ADDRSTRLEN], esc[STORVIRT__ESCAPED_NAME_SIZE], *copy;
        const char *zone = memchr(h, '%', len);
        size_t alen = zone ? (size_t)(zone - h) : len;
        struct in6_addr a;
        bool ok = alen < sizeof(addr);

        if (ok) {
                memcpy(addr, h, alen);
                addr[alen] = '\0';
                ok = inet_pton(AF_INET6, addr, &a) == 1;
        }
        if (ok && zone) {
                size_t zlen = len - alen - 1;

                ok = zlen >= 1 && zlen <= IPV6_ZONE_MAX;
                for (size_t i = 1; ok && i <= zlen; i++)
                        ok = isalnum((unsigned char)zone[i]) || strchr("-._~", zone[i]);
        }
        if (ok)
                return 0;
        copy = strndup(h, len);
        if (!copy)
                return storvirt__error_oom();
        storvirt__name_escape(copy, esc, sizeof(esc));
        free(copy);
        return PFAIL(pc, key, "'%s' is not an IPv6 address (at most %d characters, then "
                              "optionally '%%' and a zone of at most %d)", esc,
                     INET6_ADDRSTRLEN - 1, IPV6_ZONE_MAX);
}

/* "host", "host:port", "[v6]" or "[v6]:port" into d->host and d->port (unless port_given). */
static int parse_portal(const struct parse_ctx *pc, const char *key, const char *v,
                        bool port_given, conn_def *d) {
        char esc[STORVIRT__ESCAPED_NAME_SIZE];
        const char *host = v, *colon = NULL;
        size_t hlen;
        int r;

        storvirt__name_escape(v, esc, sizeof(esc));
        if (!*v || !printable_no_space(v))
                return PFAIL(pc, key, "'%s' is not a portal (host, host:port, [v6addr] or "
                                      "[v6addr]:port)", esc);
        if (strlen(v) > PORTAL_MAX)
                return PFAIL(pc, key, "'%.40s...' is longer than %d characters (a host name "
                                      "has at most %d, an IPv6 address %d)", v, PORTAL_MAX,
                             HOST_NAME_MAX_LEN, INET6_ADDRSTRLEN - 1);
        if (v[0] == '[') {
                const char *end = strchr(v, ']');

                if (!end || end == v + 1 || (end[1] && end[1] != ':'))
                        return PFAIL(pc, key, "'%s': an IPv6 address goes in brackets, then "
                                              "optionally ':port'", esc);
                host = v + 1;
                hlen = (size_t)(end - host);
                colon = end[1] == ':' ? end + 1 : NULL;
                r = check_ipv6(pc, key, host, hlen);
        } else {
                colon = strchr(v, ':');
                if (colon && strchr(colon + 1, ':'))
                        return PFAIL(pc, key, "'%s': an IPv6 address goes in brackets", esc);
                hlen = colon ? (size_t)(colon - v) : strlen(v);
                if (hlen == 0)
                        return PFAIL(pc, key, "'%s' has no host", esc);
                r = check_host_name(pc, key, esc, v, hlen);
        }
        if (r < 0)
                return r;
        free(d->host);
        d->host = strndup(host, hlen);
        if (!d->host)
                return storvirt__error_oom();
        if (colon) {
                char *end;
                unsigned long port;

                errno = 0;
                port = strtoul(colon + 1, &end, 10);
                if (!isdigit((unsigned char)colon[1]) || *end || errno || port < 1 || port > 65535)
                        return PFAIL(pc, key, "'%s': port must be a number 1-65535", esc);
                if (port_given && port != d->port)
                        return PFAIL(pc, key, "'%s': the port differs from 'port' (%u)", esc,
                                     d->port);
                d->port = (unsigned)port;
        } else if (!port_given) {
                d->port = ISCSI_PORT;
        }
        return 0;
}

/* An integer given as a number or a string of digits, in [min, max]. */
static int get_uint(const struct parse_ctx *pc, yajl_val obj, const char *key, uint64_t max,
                    uint64_t *ret) {
        int r = storvirt__json_get_uint64(obj, key, false, STORVIRT__JSON_INT_FROM_STRING, ret);

        if (r < 0)
                return storvirt__error_set(r, "%s: %s", pc->what, storvirt_error_message());
        if (r > 0 && *ret > max)
                return PFAIL(pc, key, "%" PRIu64 " is out of range 0-%" PRIu64, *ret, max);
        return r;
}

static int get_str(const struct parse_ctx *pc, yajl_val obj, const char *key, const char **ret) {
        int r = storvirt__json_get_string(obj, key, false, ret);

        if (r < 0)
                return storvirt__error_set(r, "%s: %s", pc->what, storvirt_error_message());
        return r;
}

/* The first of several spellings of one field; two given is an error. */
static int get_str_alias(const struct parse_ctx *pc, yajl_val obj, const char *a, const char *b,
                         const char **ret, const char **ret_key) {
        const char *va = NULL, *vb = NULL;
        int ra, rb;

        ra = get_str(pc, obj, a, &va);
        if (ra < 0)
                return ra;
        rb = b ? get_str(pc, obj, b, &vb) : 0;
        if (rb < 0)
                return rb;
        if (ra > 0 && rb > 0)
                return storvirt__error_set(-EINVAL, "%s: fields '%s' and '%s' are the same "
                                                    "field: give one", pc->what, a, b);
        *ret = ra > 0 ? va : vb;
        *ret_key = ra > 0 ? a : b;
        return ra > 0 || rb > 0;
}

static int check_secrets(const struct parse_ctx *pc, conn_def *d) {
        if (!!d->user != !!d->password)
                return storvirt__error_set(-EINVAL, "%s: CHAP needs both 'user' and 'password'%s",
                                           pc->what, d->user ? " (no password given)"
                                                             : " (a password without a user)");
        if (!!d->mutual_user != !!d->mutual_password)
                return storvirt__error_set(-EINVAL, "%s: mutual CHAP needs both 'mutual_user' and "
                                                    "'mutual_password'", pc->what);
        if (d->mutual_user && !d->user)
                return storvirt__error_set(-EINVAL, "%s: mutual CHAP ('mutual_user') needs one-way "
                                                    "CHAP ('user') too", pc->what);
        return 0;
}

static int parse_secret(const struct parse_ctx *pc, yajl_val obj, const char *key, char **ret) {
        const char *v = NULL;
        int r = get_str(pc, obj, key, &v);

        if (r <= 0)
                return r;
        if (!*v)
                return PFAIL(pc, key, "must not be empty");
        if (strlen(v) > 255)
                return PFAIL(pc, key, "longer than 255 bytes");
        free(*ret);
        *ret = strdup(v);
        return *ret ? 0 : storvirt__error_oom();
}

static int check_id(const struct parse_ctx *pc, const char *key, const char *v) {
        char esc[STORVIRT__ESCAPED_NAME_SIZE];

        if (!*v || strlen(v) > 128)
                return PFAIL(pc, key, "must be 1-128 characters");
        for (const char *p = v; *p; p++)
                if (!isalnum((unsigned char)*p) && !strchr("-_.:", *p))
                        return PFAIL(pc, key, "'%s': only letters, digits and '-', '_', '.', ':'",
                                     storvirt__name_escape(v, esc, sizeof(esc)));
        if (v[0] == '.')
                return PFAIL(pc, key, "'%s' must not start with '.'",
                             storvirt__name_escape(v, esc, sizeof(esc)));
        return 0;
}

static int check_nfs_version(const struct parse_ctx *pc, const char *key, const char *v) {
        static const char *const ok[] = { "3", "4", "4.0", "4.1", "4.2", "auto" };

        for (size_t i = 0; i < ELEMENTSOF(ok); i++)
                if (strcmp(v, ok[i]) == 0)
                        return 0;
        return PFAIL(pc, key, "'%.32s' is not an NFS version (3, 4, 4.0, 4.1, 4.2 or auto)", v);
}

static int check_export(const struct parse_ctx *pc, const char *key, const char *v) {
        const char *sep = strstr(v, ":/");
        char esc[STORVIRT__ESCAPED_NAME_SIZE];

        if (!sep || sep == v || !printable_no_space(v))
                return PFAIL(pc, key, "'%s' is not an NFS export (server:/path)",
                             storvirt__name_escape(v, esc, sizeof(esc)));
        return 0;
}

/* The fields both forms share once their values are known. */
static int finish_def(const struct parse_ctx *pc, conn_def *d) {
        int r = 0;

        switch (d->type) {
        case STORVIRT_CONNECTION_ISCSI:
                if (!d->host)
                        return storvirt__error_set(-EINVAL, "%s: an iscsi connection needs a "
                                                            "portal", pc->what);
                if (!d->target)
                        return storvirt__error_set(-EINVAL, "%s: an iscsi connection needs a "
                                                            "target", pc->what);
                if (!d->driver && !(d->driver = strdup("kernel")))
                        return storvirt__error_oom();
                if (!pc->stored)
                        r = check_secrets(pc, d);
                break;
        case STORVIRT_CONNECTION_NFS:
                if (!d->export_)
                        return storvirt__error_set(-EINVAL, "%s: an nfs connection needs an "
                                                            "export (server:/path)", pc->what);
                break;
        case STORVIRT_CONNECTION_POSIXFS:
                if (!d->spec)
                        return storvirt__error_set(-EINVAL, "%s: a posixfs connection needs a "
                                                            "spec (what to mount)", pc->what);
                if (!d->vfstype)
                        return storvirt__error_set(-EINVAL, "%s: a posixfs connection needs a "
                                                            "vfstype", pc->what);
                break;
        case STORVIRT_CONNECTION_LOCALFS:
                if (!d->path)
                        return storvirt__error_set(-EINVAL, "%s: a localfs connection needs a "
                                                            "path", pc->what);
                if (d->path[0] != '/')
                        return storvirt__error_set(-EINVAL, "%s: field 'path': '%s' is not "
                                                            "absolute", pc->what, d->path);
                break;
        default:
                break;
        }
        return r;
}

/* Our own form: {"type": ..., ...}. */
static int parse_own(const struct parse_ctx *pc, yajl_val obj, conn_def **ret) {
        static const char *const common[] = { "type", "id", NULL };
        static const char *const iscsi_keys[] = { "type", "id", "portal", "target", "lun", "tpgt",
                                                  "user", "password", "mutual_user",
                                                  "mutual_password", "initiator", "iface",
                                                  "driver", NULL };
        static const char *const nfs_keys[] = { "type", "id", "export", "version", "options",
                                                "timeout", "retrans", NULL };
        static const char *const posix_keys[] = { "type", "id", "spec", "vfstype", "options", NULL };
        static const char *const local_keys[] = { "type", "id", "path", NULL };
        _cleanup_def_ conn_def *d = calloc(1, sizeof(*d));
        const char *type = NULL, *v = NULL;
        uint64_t n = 0;
        int r;

        if (!d)
                return storvirt__error_oom();
        d->tpgt = -1;
        d->lun = -1;
        r = storvirt__json_get_string(obj, "type", true, &type);
        if (r < 0)
                return storvirt__error_set(r, "%s: %s", pc->what, storvirt_error_message());
        for (int t = 1; t < (int)ELEMENTSOF(type_names); t++)
                if (strcmp(type, type_names[t]) == 0)
                        d->type = t;
        if (!d->type) {
                if (!strcmp(type, "glusterfs") || !strcmp(type, "cifs"))
                        return storvirt__error_set(-EOPNOTSUPP, "%s: field 'type': %s connections "
                                                                "are not supported", pc->what, type);
                return PFAIL(pc, "type", "'%.32s' is not a connection type (iscsi, nfs, posixfs, "
                                         "localfs or fcp)", type);
        }
        r = storvirt__json_check_keys(obj,
                                      d->type == STORVIRT_CONNECTION_ISCSI ? iscsi_keys
                                      : d->type == STORVIRT_CONNECTION_NFS ? nfs_keys
                                      : d->type == STORVIRT_CONNECTION_POSIXFS ? posix_keys
                                      : d->type == STORVIRT_CONNECTION_LOCALFS ? local_keys
                                                                              : common,
                                      pc->what);
        if (r < 0) {
                if (strstr(storvirt_error_message(), "unknown field"))
                        return storvirt__error_set(r, "%s (not a field of %s connections)",
                                                   storvirt_error_message(), type);
                return r;
        }
        if ((r = get_str(pc, obj, "id", &v)) < 0)
                return r;
        if (r > 0 && ((r = check_id(pc, "id", v)) < 0 || (r = dup_checked(pc, "id", v, false, &d->id)) < 0))
                return r;

        switch (d->type) {
        case STORVIRT_CONNECTION_ISCSI:
                if ((r = get_str(pc, obj, "portal", &v)) < 0)
                        return r;
                if (r > 0 && (r = parse_portal(pc, "portal", v, false, d)) < 0)
                        return r;
                if ((r = get_str(pc, obj, "target", &v)) < 0)
                        return r;
                if (r > 0 && ((r = check_iqn(pc, "target", v)) < 0 ||
                              (r = dup_checked(pc, "target", v, false, &d->target)) < 0))
                        return r;
                if ((r = get_uint(pc, obj, "lun", 16383, &n)) < 0)
                        return r;
                if (r > 0)
                        d->lun = (long)n;
                if ((r = get_uint(pc, obj, "tpgt", 65535, &n)) < 0)
                        return r;
                if (r > 0)
                        d->tpgt = (int)n;
                if ((r = get_str(pc, obj, "user", &v)) < 0)
                        return r;
                if (r > 0 && (r = dup_checked(pc, "user", v, false, &d->user)) < 0)
                        return r;
                if ((r = get_str(pc, obj, "mutual_user", &v)) < 0)
                        return r;
                if (r > 0 && (r = dup_checked(pc, "mutual_user", v, false, &d->mutual_user)) < 0)
                        return r;
                if ((r = parse_secret(pc, obj, "password", &d->password)) < 0 ||
                    (r = parse_secret(pc, obj, "mutual_password", &d->mutual_password)) < 0)
                        return r;
                if ((r = get_str(pc, obj, "initiator", &v)) < 0)
                        return r;
                if (r > 0 && ((r = check_iqn(pc, "initiator", v)) < 0 ||
                              (r = dup_checked(pc, "initiator", v, false, &d->initiator)) < 0))
                        return r;
                if ((r = get_str(pc, obj, "iface", &v)) < 0)
                        return r;
                if (r > 0 && (r = dup_checked(pc, "iface", v, false, &d->iface)) < 0)
                        return r;
                if ((r = get_str(pc, obj, "driver", &v)) < 0)
                        return r;
                if (r > 0) {
                        if (strcmp(v, "kernel") != 0 && strcmp(v, "direct") != 0)
                                return PFAIL(pc, "driver", "'%.32s' is not a driver (kernel: "
                                                           "iscsiadm; direct: libiscsi and "
                                                           "QEMU's initiator)", v);
                        if ((r = dup_checked(pc, "driver", v, false, &d->driver)) < 0)
                                return r;
                }
                break;
        case STORVIRT_CONNECTION_NFS:
                if ((r = get_str(pc, obj, "export", &v)) < 0)
                        return r;
                if (r > 0 && ((r = check_export(pc, "export", v)) < 0 ||
                              (r = dup_checked(pc, "export", v, false, &d->export_)) < 0))
                        return r;
                if ((r = get_str(pc, obj, "version", &v)) < 0)
                        return r;
                if (r > 0 && ((r = check_nfs_version(pc, "version", v)) < 0 ||
                              (r = dup_checked(pc, "version", v, false, &d->version)) < 0))
                        return r;
                if ((r = get_uint(pc, obj, "timeout", 6000, &n)) < 0)
                        return r;
                d->timeout = (unsigned)(r > 0 ? n : 0);
                if ((r = get_uint(pc, obj, "retrans", 100, &n)) < 0)
                        return r;
                d->retrans = (unsigned)(r > 0 ? n : 0);
                break;
        case STORVIRT_CONNECTION_POSIXFS:
                if ((r = get_str(pc, obj, "spec", &v)) < 0)
                        return r;
                if (r > 0 && (r = dup_checked(pc, "spec", v, false, &d->spec)) < 0)
                        return r;
                if ((r = get_str(pc, obj, "vfstype", &v)) < 0)
                        return r;
                if (r > 0 && (r = dup_checked(pc, "vfstype", v, false, &d->vfstype)) < 0)
                        return r;
                break;
        case STORVIRT_CONNECTION_LOCALFS:
                if ((r = get_str(pc, obj, "path", &v)) < 0)
                        return r;
                if (r > 0 && (r = dup_checked(pc, "path", v, false, &d->path)) < 0)
                        return r;
                break;
        }
        if (d->type == STORVIRT_CONNECTION_NFS || d->type == STORVIRT_CONNECTION_POSIXFS) {
                if ((r = get_str(pc, obj, "options", &v)) < 0)
                        return r;
                if (r > 0 && (r = dup_checked(pc, "options", v, false, &d->options)) < 0)
                        return r;
        }
        r = finish_def(pc, d);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(d);
        return 0;
}

/* One entry of VDSM's connectionParams for domain type `type`. */
static int parse_vdsm(const struct parse_ctx *pc, int type, yajl_val obj, conn_def **ret) {
        static const char *const iscsi_keys[] = { "id", "connection", "domainType", "port", "tpgt",
                                                  "iqn", "user", "password", "initiatorName",
                                                  "ifaceName", "netIfaceName", NULL };
        static const char *const nfs_keys[] = { "id", "connection", "domainType", "export",
                                                "version", "protocol_version", "timeout",
                                                "retrans", "mnt_options", "options", NULL };
        static const char *const posix_keys[] = { "id", "connection", "domainType", "spec",
                                                  "vfs_type", "vfstype", "mnt_options", "options",
                                                  NULL };
        static const char *const local_keys[] = { "id", "connection", "domainType", "path", NULL };
        static const char *const fcp_keys[] = { "id", "connection", "domainType", NULL };
        const char *const *keys = type == STORVIRT_CONNECTION_ISCSI ? iscsi_keys
                                  : type == STORVIRT_CONNECTION_NFS ? nfs_keys
                                  : type == STORVIRT_CONNECTION_POSIXFS ? posix_keys
                                  : type == STORVIRT_CONNECTION_LOCALFS ? local_keys
                                                                        : fcp_keys;
        _cleanup_def_ conn_def *d = calloc(1, sizeof(*d));
        const char *v = NULL, *key = NULL;
        uint64_t n = 0;
        int r;

        if (!d)
                return storvirt__error_oom();
        d->type = type;
        d->tpgt = -1;
        d->lun = -1;
        r = storvirt__json_check_keys(obj, keys, pc->what);
        if (r < 0)
                return r;
        if ((r = get_str(pc, obj, "id", &v)) < 0)
                return r;
        if (r > 0 && ((r = check_id(pc, "id", v)) < 0 || (r = dup_checked(pc, "id", v, false, &d->id)) < 0))
                return r;
        switch (type) {
        case STORVIRT_CONNECTION_ISCSI:
                if ((r = get_uint(pc, obj, "port", 65535, &n)) < 0)
                        return r;
                if (r > 0) {
                        if (n == 0)
                                return PFAIL(pc, "port", "must be 1-65535");
                        d->port = (unsigned)n;
                }
                if ((r = get_str(pc, obj, "connection", &v)) < 0)
                        return r;
                if (r > 0 && (r = parse_portal(pc, "connection", v, d->port != 0, d)) < 0)
                        return r;
                if ((r = get_uint(pc, obj, "tpgt", 65535, &n)) < 0)
                        return r;
                if (r > 0)
                        d->tpgt = (int)n;
                if ((r = get_str(pc, obj, "iqn", &v)) < 0)
                        return r;
                if (r > 0 && ((r = check_iqn(pc, "iqn", v)) < 0 ||
                              (r = dup_checked(pc, "iqn", v, false, &d->target)) < 0))
                        return r;
                if ((r = get_str(pc, obj, "user", &v)) < 0)
                        return r;
                /* VDSM sends "" for no CHAP */
                if (r > 0 && *v && (r = dup_checked(pc, "user", v, false, &d->user)) < 0)
                        return r;
                if ((r = get_str(pc, obj, "password", &v)) < 0)
                        return r;
                if (r > 0 && *v && (r = parse_secret(pc, obj, "password", &d->password)) < 0)
                        return r;
                if ((r = get_str(pc, obj, "initiatorName", &v)) < 0)
                        return r;
                if (r > 0 && *v && ((r = check_iqn(pc, "initiatorName", v)) < 0 ||
                                    (r = dup_checked(pc, "initiatorName", v, false, &d->initiator)) < 0))
                        return r;
                if ((r = get_str(pc, obj, "ifaceName", &v)) < 0)
                        return r;
                if (r > 0 && *v && (r = dup_checked(pc, "ifaceName", v, false, &d->iface)) < 0)
                        return r;
                break;
        case STORVIRT_CONNECTION_NFS:
                if ((r = get_str_alias(pc, obj, "connection", "export", &v, &key)) < 0)
                        return r;
                if (r > 0 && ((r = check_export(pc, key, v)) < 0 ||
                              (r = dup_checked(pc, key, v, false, &d->export_)) < 0))
                        return r;
                if ((r = get_str_alias(pc, obj, "protocol_version", "version", &v, &key)) < 0)
                        return r;
                if (r > 0 && ((r = check_nfs_version(pc, key, v)) < 0 ||
                              (r = dup_checked(pc, key, v, false, &d->version)) < 0))
                        return r;
                if ((r = get_uint(pc, obj, "timeout", 6000, &n)) < 0)
                        return r;
                d->timeout = (unsigned)(r > 0 ? n : 0);
                if ((r = get_uint(pc, obj, "retrans", 100, &n)) < 0)
                        return r;
                d->retrans = (unsigned)(r > 0 ? n : 0);
                break;
        case STORVIRT_CONNECTION_POSIXFS:
                if ((r = get_str_alias(pc, obj, "connection", "spec", &v, &key)) < 0)
                        return r;
                if (r > 0 && (r = dup_checked(pc, key, v, false, &d->spec)) < 0)
                        return r;
                if ((r = get_str_alias(pc, obj, "vfs_type", "vfstype", &v, &key)) < 0)
                        return r;
                if (r > 0 && (r = dup_checked(pc, key, v, false, &d->vfstype)) < 0)
                        return r;
                break;
        case STORVIRT_CONNECTION_LOCALFS:
                if ((r = get_str_alias(pc, obj, "connection", "path", &v, &key)) < 0)
                        return r;
                if (r > 0 && (r = dup_checked(pc, key, v, false, &d->path)) < 0)
                        return r;
                break;
        default:
                break;
        }
        if (type == STORVIRT_CONNECTION_NFS || type == STORVIRT_CONNECTION_POSIXFS) {
                if ((r = get_str_alias(pc, obj, "mnt_options", "options", &v, &key)) < 0)
                        return r;
                if (r > 0 && *v && (r = dup_checked(pc, key, v, false, &d->options)) < 0)
                        return r;
        }
        r = finish_def(pc, d);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(d);
        return 0;
}

/* VDSM's domainType: a number or its name. */
static int vdsm_type(const char *what, yajl_val v, int *ret) {
        static const struct { const char *name; int id, type; } map[] = {
                { "NFS", 1, STORVIRT_CONNECTION_NFS },   { "FCP", 2, STORVIRT_CONNECTION_FCP },
                { "ISCSI", 3, STORVIRT_CONNECTION_ISCSI }, { "LOCALFS", 4, STORVIRT_CONNECTION_LOCALFS },
                { "CIFS", 5, 0 },                        { "POSIXFS", 6, STORVIRT_CONNECTION_POSIXFS },
                { "GLUSTERFS", 7, 0 },
        };
        const char *str = YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
        long long id = -1;

        if (YAJL_IS_INTEGER(v))
                id = YAJL_GET_INTEGER(v);
        else if (str && *str && strspn(str, "0123456789") == strlen(str))
                id = atoll(str);
        for (size_t i = 0; i < ELEMENTSOF(map); i++) {
                if (id == map[i].id || (str && strcasecmp(str, map[i].name) == 0)) {
                        if (!map[i].type)
                                return storvirt__error_set(-EOPNOTSUPP, "%s: field 'domainType': "
                                                                        "%s (%d) connections are not "
                                                                        "supported", what, map[i].name,
                                                           map[i].id);
                        *ret = map[i].type;
                        return 0;
                }
        }
        return storvirt__error_set(-EINVAL, "%s: field 'domainType': not a VDSM storage domain "
                                            "type (1 NFS, 2 FCP, 3 ISCSI, 4 LOCALFS, 6 POSIXFS)", what);
}

/* connectStorageServer's parameters: {"domainType", "connectionParams": [...]}. */
static int parse_vdsm_call(yajl_val obj, const char *what, size_t *counter, bool stored,
                           conn_def ***defs, size_t *n) {
        static const char *const keys[] = { "domainType", "connectionParams", "storagepoolID",
                                            "spUUID", NULL };
        yajl_val dt, list = NULL;
        int type = 0, r;

        r = storvirt__json_check_keys(obj, keys, what);
        if (r < 0)
                return r;
        dt = yajl_tree_get(obj, (const char *[]){ "domainType", NULL }, yajl_t_any);
        if (!dt)
                return storvirt__error_set(-EINVAL, "%s: VDSM connection parameters need "
                                                    "'domainType'", what);
        r = vdsm_type(what, dt, &type);
        if (r < 0)
                return r;
        r = storvirt__json_get_array(obj, "connectionParams", true, &list);
        if (r < 0)
                return storvirt__error_set(r, "%s: %s", what, storvirt_error_message());
        for (size_t i = 0; i < list->u.array.len; i++) {
                struct parse_ctx pc = {};
                conn_def *d = NULL, **grown;

                snprintf(pc.what, sizeof(pc.what), "connection %zu", ++*counter);
                pc.stored = stored;
                if (!YAJL_IS_OBJECT(list->u.array.values[i]))
                        return storvirt__error_set(-EINVAL, "%s: expected an object", pc.what);
                r = parse_vdsm(&pc, type, list->u.array.values[i], &d);
                if (r < 0)
                        return r;
                grown = realloc(*defs, (*n + 1) * sizeof(**defs));
                if (!grown) {
                        def_free(d);
                        return storvirt__error_oom();
                }
                *defs = grown;
                (*defs)[(*n)++] = d;
        }
        return 0;
}

static int parse_value(yajl_val v, size_t *counter, bool stored, conn_def ***defs, size_t *n) {
        struct parse_ctx pc = { .stored = stored };
        conn_def *d = NULL, **grown;
        int r;

        if (YAJL_IS_OBJECT(v) && yajl_tree_get(v, (const char *[]){ "connectionParams", NULL },
                                               yajl_t_any))
                return parse_vdsm_call(v, "VDSM parameters", counter, stored, defs, n);
        snprintf(pc.what, sizeof(pc.what), "connection %zu", ++*counter);
        if (!YAJL_IS_OBJECT(v))
                return storvirt__error_set(-EINVAL, "%s: expected an object, got %s", pc.what,
                                           storvirt__json_type_name(v));
        r = parse_own(&pc, v, &d);
        if (r < 0)
                return r;
        grown = realloc(*defs, (*n + 1) * sizeof(**defs));
        if (!grown) {
                def_free(d);
                return storvirt__error_oom();
        }
        *defs = grown;
        (*defs)[(*n)++] = d;
        return 0;
}

static void defs_free(conn_def **defs, size_t n) {
        for (size_t i = 0; i < n; i++)
                def_free(defs[i]);
        free(defs);
}

/* ---- canonical forms ------------------------------------------------------------------------ */

/* "host:port" or "[v6]:port"; a portal that does not fit is an error, never cut short. */
static int fmt_portal(const conn_def *d, char *buf, size_t size) {
        int n = snprintf(buf, size, strchr(d->host, ':') ? "[%s]:%u" : "%s:%u", d->host, d->port);

        if (n < 0 || (size_t)n >= size)
                return storvirt__error_set(-ENAMETOOLONG, "connection %s: a portal of %zu "
                                                          "characters is longer than %d",
                                           d->id ? d->id : "-", strlen(d->host), PORTAL_MAX);
        return 0;
}

/* The keys of our JSON form; secrets as REDACTED when redact, else left out. */
static int gen_own_fields(storvirt__json_gen *g, const conn_def *d, bool redact) {
        char portal[PORTAL_SIZE];
        int r;

        storvirt__json_gen_key_string(g, "id", d->id);
        storvirt__json_gen_key_string(g, "type", type_name(d->type));
        switch (d->type) {
        case STORVIRT_CONNECTION_ISCSI:
                r = fmt_portal(d, portal, sizeof(portal));
                if (r < 0)
                        return r;
                storvirt__json_gen_key_string(g, "portal", portal);
                storvirt__json_gen_key_string(g, "target", d->target);
                if (d->lun >= 0)
                        storvirt__json_gen_key_int64(g, "lun", d->lun);
                if (d->tpgt >= 0)
                        storvirt__json_gen_key_int64(g, "tpgt", d->tpgt);
                if (d->user)
                        storvirt__json_gen_key_string(g, "user", d->user);
                if (d->user && redact)
                        storvirt__json_gen_key_string(g, "password", REDACTED);
                if (d->mutual_user)
                        storvirt__json_gen_key_string(g, "mutual_user", d->mutual_user);
                if (d->mutual_user && redact)
                        storvirt__json_gen_key_string(g, "mutual_password", REDACTED);
                if (d->initiator)
                        storvirt__json_gen_key_string(g, "initiator", d->initiator);
                if (d->iface)
                        storvirt__json_gen_key_string(g, "iface", d->iface);
                storvirt__json_gen_key_string(g, "driver", d->driver);
                break;
        case STORVIRT_CONNECTION_NFS:
                storvirt__json_gen_key_string(g, "export", d->export_);
                if (d->version)
                        storvirt__json_gen_key_string(g, "version", d->version);
                if (d->timeout)
                        storvirt__json_gen_key_uint64(g, "timeout", d->timeout);
                if (d->retrans)
                        storvirt__json_gen_key_uint64(g, "retrans", d->retrans);
                break;
        case STORVIRT_CONNECTION_POSIXFS:
                storvirt__json_gen_key_string(g, "spec", d->spec);
                storvirt__json_gen_key_string(g, "vfstype", d->vfstype);
                break;
        case STORVIRT_CONNECTION_LOCALFS:
                storvirt__json_gen_key_string(g, "path", d->path);
                break;
        }
        if (d->options)
                return storvirt__json_gen_key_string(g, "options", d->options);
        return 0;
}

/* Our JSON form of the definition. */
static int gen_own(storvirt__json_gen *g, const conn_def *d, bool redact) {
        storvirt__json_gen_begin_map(g);
        gen_own_fields(g, d, redact);
        return storvirt__json_gen_end_map(g);
}

/* VDSM's connection parameters (the implementation's keys), secrets redacted. */
static int gen_vdsm(storvirt__json_gen *g, const conn_def *d) {
        storvirt__json_gen_begin_map(g);
        storvirt__json_gen_key_string(g, "id", d->id);
        storvirt__json_gen_key_int64(g, "domainType", vdsm_domain_types[d->type]);
        switch (d->type) {
        case STORVIRT_CONNECTION_ISCSI:
                storvirt__json_gen_key_string(g, "connection", d->host);
                storvirt__json_gen_key_uint64(g, "port", d->port);
                storvirt__json_gen_key_string(g, "iqn", d->target);
                storvirt__json_gen_key_int64(g, "tpgt", d->tpgt >= 0 ? d->tpgt : 1);
                storvirt__json_gen_key_string(g, "user", d->user ? d->user : "");
                storvirt__json_gen_key_string(g, "password", d->user ? REDACTED : "");
                if (d->initiator)
                        storvirt__json_gen_key_string(g, "initiatorName", d->initiator);
                if (d->iface)
                        storvirt__json_gen_key_string(g, "ifaceName", d->iface);
                break;
        case STORVIRT_CONNECTION_NFS:
                storvirt__json_gen_key_string(g, "connection", d->export_);
                storvirt__json_gen_key_string(g, "protocol_version", d->version ? d->version : "auto");
                if (d->timeout)
                        storvirt__json_gen_key_uint64(g, "timeout", d->timeout);
                if (d->retrans)
                        storvirt__json_gen_key_uint64(g, "retrans", d->retrans);
                break;
        case STORVIRT_CONNECTION_POSIXFS:
                storvirt__json_gen_key_string(g, "connection", d->spec);
                storvirt__json_gen_key_string(g, "vfs_type", d->vfstype);
                break;
        case STORVIRT_CONNECTION_LOCALFS:
                storvirt__json_gen_key_string(g, "connection", d->path);
                break;
        }
        if (d->options)
                storvirt__json_gen_key_string(g, "mnt_options", d->options);
        return storvirt__json_gen_end_map(g);
}

static int def_to_text(const conn_def *d, bool redact, bool pretty, char **ret) {
        _cleanup_json_gen_ storvirt__json_gen *g = NULL;
        int r = storvirt__json_gen_new(pretty, &g);

        if (r >= 0)
                r = gen_own(g, d, redact);
        if (r >= 0)
                r = storvirt__json_gen_finish(g, ret, NULL);
        return r;
}

/* The id of a definition without one: v5 UUID of its canonical form (no secret). */
static int assign_id(conn_def *d) {
        _cleanup_free_ char *text = NULL;
        char buf[STORVIRT__UUID_STRING_MAX];
        storvirt__uuid u;
        int r;

        if (d->id)
                return 0;
        d->id = strdup("-");    /* the canonical form is made with a placeholder id */
        if (!d->id)
                return storvirt__error_oom();
        r = def_to_text(d, false, false, &text);
        if (r >= 0)
                r = storvirt__uuid_generate_v5(&STORVIRT__UUID_NS, text, &u);
        if (r < 0)
                return r;
        free(d->id);
        d->id = strdup(storvirt__uuid_format(&u, buf));
        return d->id ? 0 : storvirt__error_oom();
}

static int secrets_to_text(const conn_def *d, char **ret) {
        _cleanup_json_gen_ storvirt__json_gen *g = NULL;
        int r = storvirt__json_gen_new(false, &g);

        if (r < 0)
                return r;
        storvirt__json_gen_begin_map(g);
        if (d->password)
                storvirt__json_gen_key_string(g, "password", d->password);
        if (d->mutual_password)
                storvirt__json_gen_key_string(g, "mutual_password", d->mutual_password);
        storvirt__json_gen_end_map(g);
        return storvirt__json_gen_finish(g, ret, NULL);
}

/* ---- loading ---------------------------------------------------------------------------------- */

/* The stored definition of id with its secrets (locked: the caller holds the def lock). */
static int load_def_locked(storvirt_ctx *ctx, const char *id, bool with_secrets, bool locked,
                           conn_def **ret) {
        _cleanup_json_ yajl_val v = NULL, sv = NULL;
        struct parse_ctx pc = {};
        conn_def *d = NULL;
        int r;

        r = storvirt__record_read(ctx, KIND_DEF, id, locked, &v, NULL);
        if (r == -ENOENT)
                return storvirt__error_set(-ENOENT, "no connection '%s'", id);
        if (r < 0)
                return r;
        snprintf(pc.what, sizeof(pc.what), "stored connection");
        pc.stored = true;
        r = parse_own(&pc, v, &d);
        if (r < 0)
                return storvirt__error_set(r, "connection record '%s' is not valid: %s", id,
                                           storvirt_error_message());
        if (!d->id || strcmp(d->id, id) != 0) {
                def_free(d);
                return storvirt__error_set(-EINVAL, "connection record '%s' holds another id", id);
        }
        if (with_secrets && (d->user || d->mutual_user)) {
                const char *pw = NULL;

                r = storvirt__record_read(ctx, KIND_SECRET, id, locked, &sv, NULL);
                if (r < 0) {
                        def_free(d);
                        return storvirt__error_set(r, "connection '%s': its CHAP secret cannot be "
                                                      "read: %s", id, storvirt_error_message());
                }
                if (storvirt__json_get_string(sv, "password", false, &pw) > 0 &&
                    !(d->password = strdup(pw))) {
                        def_free(d);
                        return storvirt__error_oom();
                }
                pw = NULL;
                if (storvirt__json_get_string(sv, "mutual_password", false, &pw) > 0 &&
                    !(d->mutual_password = strdup(pw))) {
                        def_free(d);
                        return storvirt__error_oom();
                }
        }
        if (d->user && with_secrets && !d->password) {
                def_free(d);
                return storvirt__error_set(-EINVAL, "connection '%s': no CHAP secret stored", id);
        }
        *ret = d;
        return 0;
}

static int load_def(storvirt_ctx *ctx, const char *id, bool with_secrets, conn_def **ret) {
        return load_def_locked(ctx, id, with_secrets, false, ret);
}

/* Run state: holders and connected flag. */
struct run_state {
        bool connected;
        char **holders;
        char *mountpoint;
        char *since;
};

static void run_state_clear(struct run_state *s) {
        storvirt__strv_free(s->holders);
        free(s->mountpoint);
        free(s->since);
        *s = (struct run_state){};
}

static int load_run(storvirt_ctx *ctx, const char *id, bool locked, struct run_state *s) {
        _cleanup_json_ yajl_val v = NULL;
        yajl_val list = NULL;
        const char *str = NULL;
        int r;

        *s = (struct run_state){};
        r = storvirt__record_read(ctx, KIND_RUN, id, locked, &v, NULL);
        if (r == -ENOENT) {
                storvirt_error_clear();
                return 0;
        }
        if (r < 0)
                return r;
        (void)storvirt__json_get_bool(v, "connected", false, &s->connected);
        if (storvirt__json_get_array(v, "holders", false, &list) > 0)
                for (size_t i = 0; i < list->u.array.len; i++)
                        if (YAJL_IS_STRING(list->u.array.values[i]) &&
                            storvirt__strv_extend(&s->holders, YAJL_GET_STRING(list->u.array.values[i]) ?: "") < 0)
                                return storvirt__error_oom();
        if (storvirt__json_get_string(v, "mountpoint", false, &str) > 0 &&
            !(s->mountpoint = strdup(str)))
                return storvirt__error_oom();
        str = NULL;
        if (storvirt__json_get_string(v, "since", false, &str) > 0 && !(s->since = strdup(str)))
                return storvirt__error_oom();
        return 0;
}

static int gen_run(storvirt__json_gen *g, const struct run_state *s) {
        storvirt__json_gen_begin_map(g);
        storvirt__json_gen_key_bool(g, "connected", s->connected);
        storvirt__json_gen_key_begin_array(g, "holders");
        for (char **h = s->holders; h && *h; h++)
                storvirt__json_gen_string(g, *h);
        storvirt__json_gen_end_array(g);
        if (s->mountpoint)
                storvirt__json_gen_key_string(g, "mountpoint", s->mountpoint);
        if (s->since)
                storvirt__json_gen_key_string(g, "since", s->since);
        return storvirt__json_gen_end_map(g);
}

static int save_run(storvirt_ctx *ctx, const char *id, const struct run_state *s) {
        _cleanup_json_gen_ storvirt__json_gen *g = NULL;
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        int r;

        if (!s->connected && !s->holders) {
                r = storvirt__record_remove(ctx, KIND_RUN, id);
                if (r == -ENOENT) {
                        storvirt_error_clear();
                        r = 0;
                }
                return r;
        }
        r = storvirt__json_gen_new(true, &g);
        if (r >= 0)
                r = gen_run(g, s);
        if (r >= 0)
                r = storvirt__json_gen_finish(g, &text, &len);
        if (r >= 0)
                r = storvirt__record_write(ctx, KIND_RUN, id, text, len);
        return r;
}

/* ---- connectors ------------------------------------------------------------------------------- */

static int iscsi_params(const conn_def *d, int timeout_ms, char *portal, size_t size,
                        struct storvirt__iscsi_params *p) {
        int r = fmt_portal(d, portal, size);

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

static int direct_scan(const conn_def *d, int timeout_ms, struct storvirt__iscsi_lun **luns,
                       size_t *n) {
        struct storvirt__iscsi_params p;
        char portal[PORTAL_SIZE];
        int r;

        r = iscsi_params(d, timeout_ms, portal, sizeof(portal), &p);
        if (r >= 0)
                r = storvirt__iscsi_scan(&p, luns, n);
        return scrub_error(d, r);
}

/* Runs iscsiadm with argv; maps its documented exit codes. */
static int iscsiadm(const conn_def *d, char **argv, int timeout_ms, const char *step) {
        int r = storvirt__command_run(argv, timeout_ms, NULL), status;

        if (r >= 0)
                return 0;
        status = storvirt__command_last_exit();
        scrub_error(d, r);
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

        r = fmt_portal(d, portal, PORTAL_SIZE);
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
                explicit_clear(*a);
        storvirt__strv_free(argv);
        return r;
}

static int node_update(const conn_def *d, int timeout_ms, const char *name, const char *value) {
        return node_run(d, timeout_ms, "node update",
                        (const char *const[]){ "--op=update", "-n", name, "-v", value, NULL });
}

static int kernel_connect(const conn_def *d, int timeout_ms) {
        char *rescan[] = { (char *)"iscsiadm", (char *)"-m", (char *)"session", (char *)"-R", NULL };
        int r;

        r = node_run(d, timeout_ms, "node creation", (const char *const[]){ "--op=new", NULL });
        if (r >= 0 && d->user) {
                r = node_update(d, timeout_ms, "node.session.auth.authmethod", "CHAP");
                if (r >= 0)
                        r = node_update(d, timeout_ms, "node.session.auth.username", d->user);
                if (r >= 0)
                        r = node_update(d, timeout_ms, "node.session.auth.password", d->password);
                if (r >= 0 && d->mutual_user)
                        r = node_update(d, timeout_ms, "node.session.auth.username_in",
                                        d->mutual_user);
                if (r >= 0 && d->mutual_user)
                        r = node_update(d, timeout_ms, "node.session.auth.password_in",
                                        d->mutual_password);
        }
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
        return scrub_error(d, r);
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
static int do_connect(storvirt_ctx *ctx, const conn_def *d, int timeout_ms, char **ret_mp) {
        struct storvirt__iscsi_lun *luns = NULL;
        size_t n = 0;
        int r;

        switch (d->type) {
        case STORVIRT_CONNECTION_ISCSI:
                if (strcmp(d->driver, "kernel") == 0)
                        return kernel_connect(d, timeout_ms);
                /* direct: the guest's initiator logs in; prove now that it can */
                r = direct_scan(d, timeout_ms, &luns, &n);
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

static int do_disconnect(const conn_def *d, const struct run_state *s, int timeout_ms) {
        switch (d->type) {
        case STORVIRT_CONNECTION_ISCSI:
                if (strcmp(d->driver, "kernel") == 0)
                        return kernel_disconnect(d, timeout_ms);
                return 0;       /* no session is kept */
        case STORVIRT_CONNECTION_NFS:
        case STORVIRT_CONNECTION_POSIXFS:
                return mount_disconnect(s->mountpoint, timeout_ms);
        default:
                return 0;
        }
}

static void now_rfc3339(char buf[32]) {
        struct tm tm;
        time_t t = time(NULL);

        gmtime_r(&t, &tm);
        strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int storvirt__connection_acquire(storvirt_ctx *ctx, const char *id, const char *holder,
                                 int timeout_ms) {
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;
        _cleanup_def_ conn_def *d = NULL;
        struct run_state s = {};
        char since[32];
        int r, changed = 0;

        if (timeout_ms <= 0)
                timeout_ms = DEFAULT_TIMEOUT_MS;
        /* the definition first: locks are taken in the order definitions, run state */
        r = load_def(ctx, id, true, &d);
        if (r < 0)
                return r;
        r = storvirt__records_lock(ctx, KIND_RUN, STORVIRT__LOCK_EXCLUSIVE, &lock);
        if (r >= 0)
                r = load_run(ctx, id, true, &s);
        if (r < 0)
                goto out;
        if (storvirt__strv_contains(s.holders, holder) && s.connected)
                goto out;
        if (!s.connected) {
                char *mp = NULL;

                log_info(ctx, "connecting %s connection %s for %s", type_name(d->type), id, holder);
                r = do_connect(ctx, d, timeout_ms, &mp);
                if (r < 0) {
                        r = storvirt__error_set(r, "connection %s: %s", id, storvirt_error_message());
                        goto out;
                }
                free(s.mountpoint);
                s.mountpoint = mp;
                s.connected = true;
                now_rfc3339(since);
                free(s.since);
                s.since = strdup(since);
                changed = 1;
        }
        if (!storvirt__strv_contains(s.holders, holder) && storvirt__strv_extend(&s.holders, holder) < 0) {
                r = storvirt__error_oom();
                goto out;
        }
        r = save_run(ctx, id, &s);
out:
        run_state_clear(&s);
        return r < 0 ? r : changed;
}

int storvirt__connection_release(storvirt_ctx *ctx, const char *id, const char *holder,
                                 bool force) {
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;
        _cleanup_def_ conn_def *d = NULL;
        struct run_state s = {};
        char **kept = NULL;
        int r, changed = 0;

        r = load_def(ctx, id, true, &d);
        if (r < 0)
                return r;
        r = storvirt__records_lock(ctx, KIND_RUN, STORVIRT__LOCK_EXCLUSIVE, &lock);
        if (r >= 0)
                r = load_run(ctx, id, true, &s);
        if (r < 0)
                goto out;
        for (char **h = s.holders; h && *h; h++)
                if (strcmp(*h, holder) != 0 && storvirt__strv_extend(&kept, *h) < 0) {
                        r = storvirt__error_oom();
                        goto out;
                }
        if (!force && storvirt__strv_length(kept) == storvirt__strv_length(s.holders))
                goto out;       /* not a holder: nothing to do */
        storvirt__strv_free(s.holders);
        s.holders = force ? NULL : TAKE_PTR(kept);
        if (!s.holders && s.connected) {
                log_info(ctx, "disconnecting %s connection %s (last holder %s gone)",
                         type_name(d->type), id, holder);
                r = do_disconnect(d, &s, DEFAULT_TIMEOUT_MS);
                if (r < 0) {
                        r = storvirt__error_set(r, "connection %s: %s", id, storvirt_error_message());
                        goto out;
                }
                s.connected = false;
                changed = 1;
        }
        r = save_run(ctx, id, &s);
out:
        storvirt__strv_free(kept);
        run_state_clear(&s);
        return r < 0 ? r : changed;
}

int storvirt__connection_find_iscsi(storvirt_ctx *ctx, const char *host, unsigned port,
                                    const char *target, char **ret_id) {
        _cleanup_strv_free_ char **ids = NULL;
        int r;

        r = storvirt__records_list(ctx, KIND_DEF, &ids);
        if (r < 0)
                return r;
        for (char **id = ids; *id; id++) {
                conn_def *d = NULL;
                bool match;

                if (load_def(ctx, *id, false, &d) < 0) {
                        storvirt_error_clear();
                        continue;
                }
                match = d->type == STORVIRT_CONNECTION_ISCSI && strcmp(d->host, host) == 0 &&
                        d->port == (port ? port : ISCSI_PORT) && strcmp(d->target, target) == 0;
                def_free(d);
                if (match) {
                        *ret_id = strdup(*id);
                        return *ret_id ? 1 : storvirt__error_oom();
                }
        }
        return 0;
}

int storvirt__connection_iscsi_scan(storvirt_ctx *ctx, const char *id, int timeout_ms,
                                    struct storvirt__iscsi_lun **ret, size_t *n) {
        _cleanup_def_ conn_def *d = NULL;
        int r;

        if (timeout_ms <= 0)
                timeout_ms = DEFAULT_TIMEOUT_MS;
        r = load_def(ctx, id, true, &d);
        if (r < 0)
                return r;
        if (d->type != STORVIRT_CONNECTION_ISCSI)
                return storvirt__error_set(-EINVAL, "connection %s is a %s connection, not iscsi", id,
                                           type_name(d->type));
        return direct_scan(d, timeout_ms, ret, n);
}

int storvirt__connection_gen_json(storvirt_ctx *ctx, const char *id, bool vdsm,
                                  storvirt__json_gen *g) {
        _cleanup_def_ conn_def *d = NULL;
        int r = load_def(ctx, id, false, &d);

        if (r < 0)
                return r;
        return vdsm ? gen_vdsm(g, d) : gen_own(g, d, true);
}

int storvirt__connection_iscsi_info(storvirt_ctx *ctx, const char *id,
                                    struct storvirt__connection_iscsi_info *ret) {
        _cleanup_def_ conn_def *d = NULL;
        int r = load_def(ctx, id, false, &d);

        if (r < 0)
                return r;
        if (d->type != STORVIRT_CONNECTION_ISCSI)
                return storvirt__error_set(-EINVAL, "connection %s is a %s connection, not iscsi", id,
                                           type_name(d->type));
        *ret = (struct storvirt__connection_iscsi_info){
                .host = TAKE_PTR(d->host),
                .port = d->port,
                .target = TAKE_PTR(d->target),
                .lun = d->lun,
                .driver = TAKE_PTR(d->driver),
                .initiator = TAKE_PTR(d->initiator),
                .user = TAKE_PTR(d->user),
        };
        return 0;
}

void storvirt__connection_iscsi_info_clear(struct storvirt__connection_iscsi_info *i) {
        if (!i)
                return;
        free(i->host);
        free(i->target);
        free(i->driver);
        free(i->initiator);
        free(i->user);
        *i = (struct storvirt__connection_iscsi_info){};
}

/* ---- public API ------------------------------------------------------------------------------- */

static void conn_free(storvirt_connection *c) {
        def_free(c->def);
        storvirt_ctx_unref(c->ctx);
        free(c);
}

STORVIRT_DEFINE_PUBLIC_REF_UNREF(storvirt_connection, conn_free)

static int conn_new(storvirt_ctx *ctx, conn_def *d, storvirt_connection **ret) {
        storvirt_connection *c = calloc(1, sizeof(*c));

        if (!c) {
                def_free(d);
                return storvirt__error_oom();
        }
        STORVIRT__REFCNT_INIT(c->n_ref);
        c->ctx = storvirt_ctx_ref(ctx);
        c->def = d;
        snprintf(d->port_s, sizeof(d->port_s), "%u", d->port);
        snprintf(d->lun_s, sizeof(d->lun_s), "%ld", d->lun);
        snprintf(d->tpgt_s, sizeof(d->tpgt_s), "%d", d->tpgt);
        snprintf(d->timeout_s, sizeof(d->timeout_s), "%u", d->timeout);
        snprintf(d->retrans_s, sizeof(d->retrans_s), "%u", d->retrans);
        *ret = c;
        return 0;
}

/* 1 when vDisk records list connection id; *ret_vdisk (may be NULL) the first. */
static int needed_by_vdisk(storvirt_ctx *ctx, const char *id, char **ret_vdisk) {
        _cleanup_strv_free_ char **ids = NULL;
        int r = storvirt__records_list(ctx, "vdisks", &ids);

        if (r < 0)
                return r;
        for (char **v = ids; *v; v++) {
                _cleanup_json_ yajl_val rec = NULL;
                yajl_val list = NULL;

                if (storvirt__record_read(ctx, "vdisks", *v, false, &rec, NULL) < 0) {
                        storvirt_error_clear();
                        continue;
                }
                if (storvirt__json_get_array(rec, "connections", false, &list) <= 0)
                        continue;
                for (size_t i = 0; i < list->u.array.len; i++) {
                        const char *c = YAJL_IS_STRING(list->u.array.values[i])
                                                ? YAJL_GET_STRING(list->u.array.values[i]) : NULL;

                        if (c && strcmp(c, id) == 0) {
                                if (ret_vdisk && !(*ret_vdisk = strdup(*v)))
                                        return storvirt__error_oom();
                                return 1;
                        }
                }
        }
        return 0;
}

/* Store one parsed definition (the def lock is held). */
static int store_def(storvirt_ctx *ctx, const conn_def *d, uint32_t flags) {
        _cleanup_free_ char *text = NULL, *secret = NULL, *old_text = NULL;
        _cleanup_def_ conn_def *old = NULL;
        struct run_state s = {};
        int r;

        r = def_to_text(d, false, true, &text);
        if (r < 0)
                return r;
        r = load_def_locked(ctx, d->id, true, true, &old);
        if (r == -ENOENT) {
                storvirt_error_clear();
        } else if (r < 0) {
                return r;
        } else {
                bool same;

                r = def_to_text(old, false, true, &old_text);
                if (r < 0)
                        return r;
                same = strcmp(text, old_text) == 0 &&
                       !!old->password == !!d->password &&
                       (!d->password || strcmp(old->password, d->password) == 0) &&
                       !!old->mutual_password == !!d->mutual_password &&
                       (!d->mutual_password || strcmp(old->mutual_password, d->mutual_password) == 0);
                if (same)
                        return 0;
                if (!(flags & STORVIRT_CONNECTION_DEFINE_REPLACE))
                        return storvirt__error_set(-EEXIST, "connection '%s' exists with other "
                                                            "parameters (replace it with the "
                                                            "replace flag)", d->id);
                r = load_run(ctx, d->id, false, &s);
                if (r >= 0 && (s.connected || s.holders))
                        r = storvirt__error_set(-EBUSY, "connection '%s' is connected (%zu "
                                                        "holder(s)): disconnect it before "
                                                        "replacing it", d->id,
                                                storvirt__strv_length(s.holders));
                run_state_clear(&s);
                if (r < 0)
                        return r;
        }
        if (d->password || d->mutual_password) {
                r = secrets_to_text(d, &secret);
                if (r >= 0)
                        r = storvirt__record_write(ctx, KIND_SECRET, d->id, secret, strlen(secret));
                explicit_clear(secret);
                if (r < 0)
                        return r;
        } else {
                r = storvirt__record_remove(ctx, KIND_SECRET, d->id);
                if (r == -ENOENT)
                        storvirt_error_clear();
        }
        return storvirt__record_write(ctx, KIND_DEF, d->id, text, strlen(text));
}

/*
 * Parse a define document: every connection, ids assigned, duplicates
 * checked.  stored: read back stored definitions (secrets kept apart).
 */
static int parse_all(const char *json, size_t len, bool stored, conn_def ***ret, size_t *ret_n) {
        _cleanup_json_ yajl_val root = NULL;
        conn_def **defs = NULL;
        size_t n = 0, counter = 0;
        int r;

        r = storvirt__json_parse(json, len, DEFINE_MAX, &root, "connections");
        if (r < 0)
                return r;
        if (YAJL_IS_ARRAY(root)) {
                for (size_t i = 0; r >= 0 && i < root->u.array.len; i++)
                        r = parse_value(root->u.array.values[i], &counter, stored, &defs, &n);
        } else {
                r = parse_value(root, &counter, stored, &defs, &n);
        }
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = assign_id(defs[i]);
        /* the same id twice in one document */
        for (size_t i = 0; r >= 0 && i < n; i++)
                for (size_t j = 0; r >= 0 && j < i; j++)
                        if (strcmp(defs[i]->id, defs[j]->id) == 0) {
                                _cleanup_free_ char *a = NULL, *b = NULL;

                                r = def_to_text(defs[i], false, false, &a);
                                if (r >= 0)
                                        r = def_to_text(defs[j], false, false, &b);
                                if (r >= 0 && strcmp(a, b) != 0)
                                        r = storvirt__error_set(-EINVAL, "connections %zu and %zu "
                                                                         "have the same id '%s' but "
                                                                         "differ", j + 1, i + 1,
                                                                defs[i]->id);
                        }
        if (r >= 0 && n == 0)
                r = storvirt__error_set(-EINVAL, "connections: no connection given");
        if (r == -ENOENT)       /* a required field missing: bad input */
                r = storvirt__error_set(-EINVAL, "%s", storvirt_error_message());
        if (r < 0) {
                for (size_t i = 0; i < n; i++)
                        scrub_error(defs[i], r);
                defs_free(defs, n);
                return r;
        }
        *ret = defs;
        *ret_n = n;
        return 0;
}

int storvirt__connections_parse(const char *json, size_t len, bool stored, char ***ret) {
        conn_def **defs = NULL;
        char **texts = NULL;
        size_t n = 0;
        int r;

        r = parse_all(json, len, stored, &defs, &n);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                char *t = NULL;

                r = def_to_text(defs[i], false, false, &t);
                if (r >= 0 && storvirt__strv_push(&texts, t) < 0) {
                        free(t);
                        r = storvirt__error_oom();
                }
        }
        if (r >= 0)
                defs_free(defs, n);
        if (r < 0) {
                storvirt__strv_free(texts);
                return r;
        }
        *ret = texts;
        return 0;
}

STORVIRT_EXPORT int storvirt_connection_define(storvirt_ctx *ctx, const char *json,
                                               char ***ret_ids, uint32_t flags) {
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT, slock = STORVIRT__LOCK_INIT;
        conn_def **defs = NULL;
        char **ids = NULL;
        size_t n = 0;
        int r;

        check_nonnull(ctx);
        check_nonnull(json);
        check_flags(flags, STORVIRT_CONNECTION_DEFINE_REPLACE);
        r = parse_all(json, strlen(json), false, &defs, &n);
        if (r < 0)
                return r;
        r = storvirt__records_lock(ctx, KIND_DEF, STORVIRT__LOCK_EXCLUSIVE, &lock);
        if (r >= 0)
                r = storvirt__records_lock(ctx, KIND_SECRET, STORVIRT__LOCK_EXCLUSIVE, &slock);
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = store_def(ctx, defs[i], flags);
        for (size_t i = 0; r >= 0 && ret_ids && i < n; i++)
                r = storvirt__strv_extend(&ids, defs[i]->id) < 0 ? storvirt__error_oom() : 0;
        for (size_t i = 0; i < n && r < 0; i++)
                scrub_error(defs[i], r);
        defs_free(defs, n);
        if (r < 0) {
                storvirt__strv_free(ids);
                return r;
        }
        if (ret_ids)
                *ret_ids = ids;
        return 0;
}

STORVIRT_EXPORT int storvirt_connection_lookup(storvirt_ctx *ctx, const char *id,
                                               storvirt_connection **ret_conn) {
        conn_def *d = NULL;
        int r;

        check_nonnull(ctx);
        check_nonnull(id);
        check_nonnull(ret_conn);
        r = load_def(ctx, id, false, &d);
        if (r < 0)
                return r;
        return conn_new(ctx, d, ret_conn);
}

/* The handle of a stored record that does not parse: its id and why. */
static int invalid_def(const char *id, const char *why, conn_def **ret) {
        conn_def *d = calloc(1, sizeof(*d));

        if (!d || !(d->id = strdup(id)) || !(d->invalid = strdup(why ? why : "not valid"))) {
                def_free(d);
                return storvirt__error_oom();
        }
        d->tpgt = -1;
        d->lun = -1;
        *ret = d;
        return 0;
}

/*
 * The ids of the stored definitions; with invalid, also those of secrets
 * whose definition is gone (into *ret_orphans as well), sorted.
 */
static int list_ids(storvirt_ctx *ctx, bool invalid, char ***ret, char ***ret_orphans) {
        _cleanup_strv_free_ char **ids = NULL, **secrets = NULL;
        int r;

        r = storvirt__records_list(ctx, KIND_DEF, &ids);
        if (r >= 0 && invalid)
                r = storvirt__records_list(ctx, KIND_SECRET, &secrets);
        for (char **sid = secrets; r >= 0 && sid && *sid; sid++) {
                if (storvirt__strv_contains(ids, *sid))
                        continue;
                if (storvirt__strv_extend(&ids, *sid) < 0 ||
                    storvirt__strv_extend(ret_orphans, *sid) < 0)
                        r = storvirt__error_oom();
        }
        if (r < 0)
                return r;
        storvirt__strv_sort(ids);
        *ret = TAKE_PTR(ids);
        return 0;
}

STORVIRT_EXPORT int storvirt_connection_list(storvirt_ctx *ctx, storvirt_connection ***ret_conns,
                                             size_t *ret_n, uint32_t flags) {
        _cleanup_strv_free_ char **ids = NULL, **orphans = NULL;
        bool invalid = flags & STORVIRT_CONNECTION_LIST_INVALID;
        storvirt_connection **v;
        size_t n = 0;
        int r;

        check_nonnull(ctx);
        check_nonnull(ret_conns);
        check_flags(flags, STORVIRT_CONNECTION_LIST_INVALID);
        r = list_ids(ctx, invalid, &ids, &orphans);
        if (r < 0)
                return r;
        v = calloc(storvirt__strv_length(ids) + 1, sizeof(*v));
        if (!v)
                return storvirt__error_oom();
        for (char **id = ids; *id; id++) {
                conn_def *d = NULL;

                if (storvirt__strv_contains(orphans, *id))
                        r = invalid_def(*id, "a secret whose connection record is gone", &d);
                else
                        r = load_def(ctx, *id, false, &d);
                if (r == -EINVAL && invalid)
                        r = invalid_def(*id, storvirt_error_message(), &d);
                if (r == -ENOMEM) {
                        storvirt_connection_list_free(v);
                        return r;
                }
                if (r < 0) {
                        log_warning(ctx, "skipping connection record '%s': %s", *id,
                                    storvirt_error_message());
                        continue;
                }
                r = conn_new(ctx, d, &v[n]);
                if (r < 0) {
                        storvirt_connection_list_free(v);
                        return r;
                }
                n++;
        }
        storvirt_error_clear();
        *ret_conns = v;
        if (ret_n)
                *ret_n = n;
        return 0;
}

STORVIRT_EXPORT void storvirt_connection_list_free(storvirt_connection **conns) {
        for (storvirt_connection **c = conns; c && *c; c++)
                storvirt_connection_unref(*c);
        free(conns);
}

STORVIRT_EXPORT const char *storvirt_connection_get_id(storvirt_connection *conn) {
        if (!conn) {
                storvirt__error_set(-EINVAL, "argument 'conn' must not be NULL");
                return NULL;
        }
        return conn->def->id;
}

STORVIRT_EXPORT int storvirt_connection_get_type(storvirt_connection *conn) {
        check_nonnull(conn);
        return conn->def->type;
}

STORVIRT_EXPORT const char *storvirt_connection_get_param(storvirt_connection *conn,
                                                          const char *key) {
        const conn_def *d;
        const struct { const char *key; const char *value; } *e, *table;

        if (!conn || !key) {
                storvirt__error_set(-EINVAL, "argument '%s' must not be NULL", conn ? "key" : "conn");
                return NULL;
        }
        d = conn->def;
        if (strcmp(key, "password") == 0 || strcmp(key, "mutual_password") == 0) {
                storvirt__error_set(-EPERM, "'%s' is a secret and is never returned", key);
                return NULL;
        }
        table = (const __typeof__(*table)[]){
                { "id", d->id },
                { "type", d->invalid ? "invalid" : type_name(d->type) },
                { "host", d->host },
                { "port", d->type == STORVIRT_CONNECTION_ISCSI ? d->port_s : NULL },
                { "target", d->target },
                { "lun", d->lun >= 0 ? d->lun_s : NULL },
                { "tpgt", d->tpgt >= 0 ? d->tpgt_s : NULL },
                { "user", d->user },
                { "mutual_user", d->mutual_user },
                { "initiator", d->initiator },
                { "iface", d->iface },
                { "driver", d->driver },
                { "export", d->export_ },
                { "version", d->version },
                { "timeout", d->timeout ? d->timeout_s : NULL },
                { "retrans", d->retrans ? d->retrans_s : NULL },
                { "options", d->options },
                { "spec", d->spec },
                { "vfstype", d->vfstype },
                { "path", d->path },
                { NULL, NULL },
        };
        for (e = table; e->key; e++)
                if (strcmp(e->key, key) == 0) {
                        if (!e->value)
                                storvirt__error_set(-ENOENT, "connection %s has no '%s'", d->id, key);
                        return e->value;
                }
        storvirt__error_set(-EINVAL, "'%s' is not a connection parameter", key);
        return NULL;
}

STORVIRT_EXPORT int storvirt_connection_get_json(storvirt_connection *conn, char **ret_json,
                                                 uint32_t flags) {
        _cleanup_json_gen_ storvirt__json_gen *g = NULL;
        struct run_state s = {};
        int r;

        check_nonnull(conn);
        check_nonnull(ret_json);
        check_flags(flags, STORVIRT_CONNECTION_JSON_PRETTY | STORVIRT_CONNECTION_JSON_VDSM);
        r = load_run(conn->ctx, conn->def->id, false, &s);
        if (r >= 0)
                r = storvirt__json_gen_new(flags & STORVIRT_CONNECTION_JSON_PRETTY, &g);
        if (r >= 0 && conn->def->invalid) {
                storvirt__json_gen_begin_map(g);
                storvirt__json_gen_key_string(g, "id", conn->def->id);
                storvirt__json_gen_key_string(g, "invalid", conn->def->invalid);
                r = storvirt__json_gen_end_map(g);
        } else if (r >= 0 && (flags & STORVIRT_CONNECTION_JSON_VDSM)) {
                r = gen_vdsm(g, conn->def);
        } else if (r >= 0) {
                storvirt__json_gen_begin_map(g);
                gen_own_fields(g, conn->def, true);
                storvirt__json_gen_key(g, "status");
                gen_run(g, &s);
                r = storvirt__json_gen_end_map(g);
        }
        if (r >= 0)
                r = storvirt__json_gen_finish(g, ret_json, NULL);
        run_state_clear(&s);
        return r;
}

STORVIRT_EXPORT int storvirt_connection_undefine(storvirt_connection *conn, uint32_t flags) {
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT, slock = STORVIRT__LOCK_INIT;
        _cleanup_free_ char *vdisk = NULL;
        const char *id;
        struct run_state s = {};
        int r;

        check_nonnull(conn);
        check_flags(flags, STORVIRT_CONNECTION_FORCE);
        id = conn->def->id;
        if (!(flags & STORVIRT_CONNECTION_FORCE)) {
                r = load_run(conn->ctx, id, false, &s);
                if (r >= 0 && (s.connected || s.holders))
                        r = storvirt__error_set(-EBUSY, "connection '%s' is connected (%zu holder(s)); "
                                                        "disconnect it first or force", id,
                                                storvirt__strv_length(s.holders));
                run_state_clear(&s);
                if (r < 0)
                        return r;
                r = needed_by_vdisk(conn->ctx, id, &vdisk);
                if (r > 0)
                        return storvirt__error_set(-EBUSY, "connection '%s' is needed by vDisk %s; "
                                                           "force to undefine it anyway", id, vdisk);
                if (r < 0)
                        return r;
        }
        r = storvirt__records_lock(conn->ctx, KIND_DEF, STORVIRT__LOCK_EXCLUSIVE, &lock);
        if (r >= 0)
                r = storvirt__records_lock(conn->ctx, KIND_SECRET, STORVIRT__LOCK_EXCLUSIVE, &slock);
        if (r < 0)
                return r;
        r = storvirt__record_remove(conn->ctx, KIND_SECRET, id);
        if (r == -ENOENT) {
                storvirt_error_clear();
                r = 0;
        }
        if (r >= 0)
                r = storvirt__record_remove(conn->ctx, KIND_DEF, id);
        if (r == -ENOENT && conn->def->invalid) {       /* a secret left without its record */
                storvirt_error_clear();
                r = 0;
        }
        if (r >= 0) {
                int k = storvirt__record_remove(conn->ctx, KIND_RUN, id);

                if (k == -ENOENT)
                        storvirt_error_clear();
        }
        return r;
}

STORVIRT_EXPORT int storvirt_connection_connect(storvirt_connection *conn, const char *holder,
                                                int timeout_ms, uint32_t flags) {
        check_nonnull(conn);
        check_arg(timeout_ms >= 0, "timeout_ms", "must not be negative");
        check_flags(flags, 0);
        if (holder && (!*holder || strlen(holder) > 512))
                return storvirt__error_set(-EINVAL, "argument 'holder' must be 1-512 characters");
        return storvirt__connection_acquire(conn->ctx, conn->def->id, holder ? holder : ADMIN_HOLDER,
                                            timeout_ms);
}

STORVIRT_EXPORT int storvirt_connection_disconnect(storvirt_connection *conn, const char *holder,
                                                   uint32_t flags) {
        check_nonnull(conn);
        check_flags(flags, STORVIRT_CONNECTION_FORCE);
        return storvirt__connection_release(conn->ctx, conn->def->id,
                                            holder ? holder : ADMIN_HOLDER,
                                            flags & STORVIRT_CONNECTION_FORCE);
}

static int luns_json(const struct storvirt__iscsi_lun *l, size_t n, char **ret, bool pretty) {
        _cleanup_json_gen_ storvirt__json_gen *g = NULL;
        int r = storvirt__json_gen_new(pretty, &g);

        if (r < 0)
                return r;
        storvirt__json_gen_begin_array(g);
        for (size_t i = 0; i < n; i++) {
                storvirt__json_gen_begin_map(g);
                storvirt__json_gen_key_uint64(g, "lun", l[i].lun);
                if (l[i].guid[0])
                        storvirt__json_gen_key_string(g, "guid", l[i].guid);
                else
                        storvirt__json_gen_key_null(g, "guid");
                storvirt__json_gen_key_string(g, "vendor", l[i].vendor);
                storvirt__json_gen_key_string(g, "product", l[i].product);
                storvirt__json_gen_key_string(g, "revision", l[i].revision);
                if (l[i].serial)
                        storvirt__json_gen_key_string(g, "serial", l[i].serial);
                storvirt__json_gen_key_uint64(g, "capacity", l[i].size_bytes);
                storvirt__json_gen_key_uint64(g, "blockSize", l[i].block_size);
                storvirt__json_gen_end_map(g);
        }
        storvirt__json_gen_end_array(g);
        return storvirt__json_gen_finish(g, ret, NULL);
}

STORVIRT_EXPORT int storvirt_connection_list_luns(storvirt_connection *conn, int timeout_ms,
                                                  char **ret_json, uint32_t flags) {
        struct storvirt__iscsi_lun *luns = NULL;
        size_t n = 0;
        int r;

        check_nonnull(conn);
        check_nonnull(ret_json);
        check_arg(timeout_ms >= 0, "timeout_ms", "must not be negative");
        check_flags(flags, STORVIRT_CONNECTION_JSON_PRETTY);
        if (conn->def->invalid)
                return storvirt__error_set(-EINVAL, "connection record '%s' is not valid: %s",
                                           conn->def->id, conn->def->invalid);
        if (conn->def->type != STORVIRT_CONNECTION_ISCSI)
                return storvirt__error_set(-EOPNOTSUPP, "connection %s is a %s connection: only "
                                                        "iSCSI connections list LUNs",
                                           conn->def->id, type_name(conn->def->type));
        r = storvirt__connection_iscsi_scan(conn->ctx, conn->def->id, timeout_ms, &luns, &n);
        if (r >= 0)
                r = luns_json(luns, n, ret_json, flags & STORVIRT_CONNECTION_JSON_PRETTY);
        storvirt__iscsi_luns_free(luns, n);
        return r;
}

STORVIRT_EXPORT int storvirt_iscsi_discover(storvirt_ctx *ctx, const char *params_json,
                                            int timeout_ms, char **ret_json, uint32_t flags) {
        static const char *const keys[] = { "portal", "user", "password", "initiator",
                                            "connection", NULL };
        _cleanup_json_gen_ storvirt__json_gen *g = NULL;
        _cleanup_json_ yajl_val v = NULL;
        _cleanup_def_ conn_def *d = NULL;
        struct storvirt__iscsi_target *t = NULL;
        struct storvirt__iscsi_params p;
        struct parse_ctx pc = { .what = "discovery" };
        const char *str = NULL;
        char portal[PORTAL_SIZE];
        size_t n = 0;
        int r;

        check_nonnull(ctx);
        check_nonnull(params_json);
        check_nonnull(ret_json);
        check_arg(timeout_ms >= 0, "timeout_ms", "must not be negative");
        check_flags(flags, STORVIRT_ISCSI_DISCOVER_VDSM);
        if (timeout_ms == 0)
                timeout_ms = DEFAULT_TIMEOUT_MS;
        r = storvirt__json_parse(params_json, strlen(params_json), 65536, &v, "discovery");
        if (r >= 0)
                r = storvirt__json_check_keys(v, keys, "discovery");
        if (r < 0)
                return r;
        if (storvirt__json_get_string(v, "connection", false, &str) > 0) {
                if (yajl_tree_get(v, (const char *[]){ "portal", NULL }, yajl_t_any))
                        return storvirt__error_set(-EINVAL, "discovery: give 'connection' or "
                                                            "'portal', not both");
                r = load_def(ctx, str, true, &d);
                if (r < 0)
                        return r;
                if (d->type != STORVIRT_CONNECTION_ISCSI)
                        return storvirt__error_set(-EINVAL, "discovery: connection %s is not iscsi",
                                                   str);
        } else {
                d = calloc(1, sizeof(*d));
                if (!d)
                        return storvirt__error_oom();
                d->type = STORVIRT_CONNECTION_ISCSI;
                r = storvirt__json_get_string(v, "portal", true, &str);
                if (r < 0)
                        return storvirt__error_set(r, "discovery: %s", storvirt_error_message());
                r = parse_portal(&pc, "portal", str, false, d);
                if (r >= 0 && (r = get_str(&pc, v, "user", &str)) > 0)
                        r = dup_checked(&pc, "user", str, false, &d->user);
                if (r >= 0)
                        r = parse_secret(&pc, v, "password", &d->password);
                if (r >= 0 && (r = get_str(&pc, v, "initiator", &str)) > 0) {
                        r = check_iqn(&pc, "initiator", str);
                        if (r >= 0)
                                r = dup_checked(&pc, "initiator", str, false, &d->initiator);
                }
                if (r >= 0)
                        r = check_secrets(&pc, d);
                if (r < 0)
                        return r;
        }
        r = iscsi_params(d, timeout_ms, portal, sizeof(portal), &p);
        if (r >= 0)
                r = storvirt__iscsi_discover(&p, &t, &n);
        if (r < 0)
                return scrub_error(d, r);
        r = storvirt__json_gen_new(true, &g);
        if (r >= 0)
                r = storvirt__json_gen_begin_array(g);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                if (flags & STORVIRT_ISCSI_DISCOVER_VDSM) {
                        /* VDSM's "host:port,tpgt iqn", one per portal */
                        for (size_t k = 0; k < t[i].n_portals; k++) {
                                char *line = NULL;

                                if (asprintf(&line, "%s,%d %s", t[i].portals[k].address,
                                             t[i].portals[k].tpgt, t[i].iqn) < 0)
                                        r = storvirt__error_oom();
                                else
                                        r = storvirt__json_gen_string(g, line);
                                free(line);
                        }
                        continue;
                }
                storvirt__json_gen_begin_map(g);
                storvirt__json_gen_key_string(g, "target", t[i].iqn);
                storvirt__json_gen_key_begin_array(g, "portals");
                for (size_t k = 0; k < t[i].n_portals; k++) {
                        storvirt__json_gen_begin_map(g);
                        storvirt__json_gen_key_string(g, "address", t[i].portals[k].address);
                        storvirt__json_gen_key_int64(g, "tpgt", t[i].portals[k].tpgt);
                        storvirt__json_gen_end_map(g);
                }
                storvirt__json_gen_end_array(g);
                r = storvirt__json_gen_end_map(g);
        }
        if (r >= 0)
                r = storvirt__json_gen_end_array(g);
        if (r >= 0)
                r = storvirt__json_gen_finish(g, ret_json, NULL);
        storvirt__iscsi_targets_free(t, n);
        return r;
}
