/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * connection_parse.c - connection definitions (core/connection_def.h):
 * our JSON form and VDSM's connectStorageServer parameters parsed with
 * every field checked, and written back in our canonical form (no
 * secret), in VDSM's (secrets redacted) and as the secrets record.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/connection.h"
#include "core/connection_def.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/macro.h"
#include "util/strv.h"
#include "util/uuid.h"

#define REDACTED STORVIRT__CONN_REDACTED
#define ISCSI_PORT STORVIRT__CONN_ISCSI_PORT
#define HOST_NAME_MAX_LEN STORVIRT__CONN_HOST_NAME_MAX
#define PORTAL_MAX STORVIRT__CONN_PORTAL_MAX
#define PORTAL_SIZE STORVIRT__CONN_PORTAL_SIZE
#define DEFINE_MAX (4u << 20)

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

void storvirt__conn_explicit_clear(char *s) {
        if (s) {
                volatile char *p = s;
                while (*p)
                        *p++ = 0;
        }
}

void storvirt__conn_def_free(conn_def *d) {
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
        storvirt__conn_explicit_clear(d->password);
        storvirt__conn_explicit_clear(d->mutual_password);
        free(d->password);
        free(d->mutual_password);
        free(d);
}

const char *storvirt__conn_type_name(int type) {
        return type > 0 && (size_t)type < ELEMENTSOF(type_names) ? type_names[type] : "?";
}

/* ---- secrets kept out of messages ---------------------------------------------------------- */

int storvirt__conn_scrub_error(const conn_def *d, int r) {
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
        if (strchr(v, '/'))     /* not in an iSCSI name (RFC 3722); a path in iscsiadm's database */
                return PFAIL(pc, key, "'%s' has a '/'", storvirt__name_escape(v, esc, sizeof(esc)));
        return 0;
}

/* An iscsiadm interface: a file name in open-iscsi's database. */
static int check_iface(const struct parse_ctx *pc, const char *key, const char *v) {
        char esc[STORVIRT__ESCAPED_NAME_SIZE];

        storvirt__name_escape(v, esc, sizeof(esc));
        if (strchr(v, '/'))
                return PFAIL(pc, key, "'%s' has a '/'", esc);
        if (v[0] == '.')
                return PFAIL(pc, key, "'%s' starts with '.'", esc);
        return 0;
}

/*
 * The longest value of a field: CHAP names as iscsiadm's node records
 * hold them (255), an iscsiadm interface name (64), anything else a path.
 */
static size_t field_max(const char *key) {
        if (strstr(key, "user"))
                return 255;
        if (strstr(key, "iface"))
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

/* Labels of a host name, zones of an IPv6 address (core/connection_def.h). */
#define HOST_LABEL_MAX 63
#define IPV6_ZONE_MAX 15

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

/*
 * The NFS version under key a (or its other spelling b): a string, or a
 * number as VDSM also takes it (3, 4.1), read as written.
 */
static int get_nfs_version(const struct parse_ctx *pc, yajl_val obj, const char *a, const char *b,
                           const char **ret, const char **ret_key) {
        const char *keys[2] = { a, b }, *v[2] = { NULL, NULL };
        int found[2] = { 0, 0 };

        for (size_t i = 0; i < 2; i++) {
                if (!keys[i])
                        continue;
                found[i] = storvirt__json_get_string_or_number(obj, keys[i], false, &v[i]);
                if (found[i] < 0)
                        return storvirt__error_set(found[i], "%s: %s", pc->what,
                                                   storvirt_error_message());
        }
        if (found[0] > 0 && found[1] > 0)
                return storvirt__error_set(-EINVAL, "%s: fields '%s' and '%s' are the same "
                                                    "field: give one", pc->what, a, b);
        *ret = found[0] > 0 ? v[0] : v[1];
        *ret_key = found[0] > 0 ? a : b;
        return found[0] > 0 || found[1] > 0;
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
        for (const char *p = v; *p; p++)
                if ((unsigned char)*p < 0x20 || *p == 0x7f)
                        return PFAIL(pc, key, "has a control character");
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

/*
 * open-iscsi's node records drop the spaces that start or end a value:
 * a kernel-driver password must be kept whole.
 */
static int check_kernel_secrets(const struct parse_ctx *pc, const conn_def *d) {
        const char *const keys[] = { "password", "mutual_password" };
        const char *const v[] = { d->password, d->mutual_password };

        for (size_t i = 0; i < ELEMENTSOF(v); i++) {
                size_t n = v[i] ? strlen(v[i]) : 0;

                if (n && (isspace((unsigned char)v[i][0]) || isspace((unsigned char)v[i][n - 1])))
                        return PFAIL(pc, keys[i], "open-iscsi drops the spaces that start or end "
                                                  "it: the kernel driver cannot use it");
        }
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
                if (r >= 0 && strcmp(d->driver, "kernel") == 0)
                        r = check_kernel_secrets(pc, d);
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
        const char *type = NULL, *v = NULL, *vkey = NULL;
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
                if (r > 0 && ((r = check_iface(pc, "iface", v)) < 0 ||
                              (r = dup_checked(pc, "iface", v, false, &d->iface)) < 0))
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
                if ((r = get_nfs_version(pc, obj, "version", NULL, &v, &vkey)) < 0)
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
                if (r > 0 && *v && ((r = check_iface(pc, "ifaceName", v)) < 0 ||
                                    (r = dup_checked(pc, "ifaceName", v, false, &d->iface)) < 0))
                        return r;
                break;
        case STORVIRT_CONNECTION_NFS:
                if ((r = get_str_alias(pc, obj, "connection", "export", &v, &key)) < 0)
                        return r;
                if (r > 0 && ((r = check_export(pc, key, v)) < 0 ||
                              (r = dup_checked(pc, key, v, false, &d->export_)) < 0))
                        return r;
                if ((r = get_nfs_version(pc, obj, "protocol_version", "version", &v, &key)) < 0)
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
                        storvirt__conn_def_free(d);
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
                storvirt__conn_def_free(d);
                return storvirt__error_oom();
        }
        *defs = grown;
        (*defs)[(*n)++] = d;
        return 0;
}

void storvirt__conn_defs_free(conn_def **defs, size_t n) {
        for (size_t i = 0; i < n; i++)
                storvirt__conn_def_free(defs[i]);
        free(defs);
}

/* ---- canonical forms ------------------------------------------------------------------------ */

/* "host:port" or "[v6]:port"; a portal that does not fit is an error, never cut short. */
int storvirt__conn_fmt_portal(const conn_def *d, char *buf, size_t size) {
        int n = snprintf(buf, size, strchr(d->host, ':') ? "[%s]:%u" : "%s:%u", d->host, d->port);

        if (n < 0 || (size_t)n >= size)
                return storvirt__error_set(-ENAMETOOLONG, "connection %s: a portal of %zu "
                                                          "characters is longer than %d",
                                           d->id ? d->id : "-", strlen(d->host), PORTAL_MAX);
        return 0;
}

/* The keys of our JSON form; secrets as REDACTED when redact, else left out. */
int storvirt__conn_gen_own_fields(storvirt__json_gen *g, const conn_def *d, bool redact) {
        char portal[PORTAL_SIZE];
        int r;

        storvirt__json_gen_key_string(g, "id", d->id);
        storvirt__json_gen_key_string(g, "type", storvirt__conn_type_name(d->type));
        switch (d->type) {
        case STORVIRT_CONNECTION_ISCSI:
                r = storvirt__conn_fmt_portal(d, portal, sizeof(portal));
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
int storvirt__conn_gen_own(storvirt__json_gen *g, const conn_def *d, bool redact) {
        storvirt__json_gen_begin_map(g);
        storvirt__conn_gen_own_fields(g, d, redact);
        return storvirt__json_gen_end_map(g);
}

/* VDSM's connection parameters (the implementation's keys), secrets redacted. */
int storvirt__conn_gen_vdsm(storvirt__json_gen *g, const conn_def *d) {
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

int storvirt__conn_def_to_text(const conn_def *d, bool redact, bool pretty, char **ret) {
        _cleanup_json_gen_ storvirt__json_gen *g = NULL;
        int r = storvirt__json_gen_new(pretty, &g);

        if (r >= 0)
                r = storvirt__conn_gen_own(g, d, redact);
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
        r = storvirt__conn_def_to_text(d, false, false, &text);
        if (r >= 0)
                r = storvirt__uuid_generate_v5(&STORVIRT__UUID_NS, text, &u);
        if (r < 0)
                return r;
        free(d->id);
        d->id = strdup(storvirt__uuid_format(&u, buf));
        return d->id ? 0 : storvirt__error_oom();
}

int storvirt__conn_secrets_to_text(const conn_def *d, char **ret) {
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

int storvirt__conn_parse_all(const char *json, size_t len, bool stored, conn_def ***ret, size_t *ret_n) {
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

                                r = storvirt__conn_def_to_text(defs[i], false, false, &a);
                                if (r >= 0)
                                        r = storvirt__conn_def_to_text(defs[j], false, false, &b);
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
                        storvirt__conn_scrub_error(defs[i], r);
                storvirt__conn_defs_free(defs, n);
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

        r = storvirt__conn_parse_all(json, len, stored, &defs, &n);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                char *t = NULL;

                r = storvirt__conn_def_to_text(defs[i], false, false, &t);
                if (r >= 0 && storvirt__strv_push(&texts, t) < 0) {
                        free(t);
                        r = storvirt__error_oom();
                }
        }
        if (r >= 0)
                storvirt__conn_defs_free(defs, n);
        if (r < 0) {
                storvirt__strv_free(texts);
                return r;
        }
        *ret = texts;
        return 0;
}

int storvirt__conn_parse_stored(yajl_val v, conn_def **ret) {
        struct parse_ctx pc = { .what = "stored connection", .stored = true };

        return parse_own(&pc, v, ret);
}

int storvirt__conn_parse_discovery(yajl_val v, conn_def **ret) {
        _cleanup_def_ conn_def *d = calloc(1, sizeof(*d));
        struct parse_ctx pc = { .what = "discovery" };
        const char *str = NULL;
        int r;

        if (!d)
                return storvirt__error_oom();
        d->type = STORVIRT_CONNECTION_ISCSI;
        d->tpgt = -1;
        d->lun = -1;
        r = storvirt__json_get_string(v, "portal", true, &str);
        if (r < 0)
                return storvirt__error_set(r == -ENOENT ? -EINVAL : r, "discovery: %s",
                                           storvirt_error_message());
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
        *ret = TAKE_PTR(d);
        return 0;
}
