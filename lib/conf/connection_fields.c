/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * connection_fields.c - what a connection of each type holds
 * (core/connection_fields.h): one table per type naming every field in
 * our JSON form and in VDSM's connectStorageServer parameters, and the
 * checks of their values.  VDSM's keys are those its storage server
 * reads (connection, port, tpgt, iqn, user, password, initiatorName,
 * ifaceName, netIfaceName, protocol_version, timeout, retrans,
 * mnt_options, vfs_type); the other spellings are those of its API
 * schema (export, version, spec, vfstype, options, path).  oVirt's
 * engine also sends, in the entries of every type, the iSCSI keys (port,
 * iqn, user, password: "" where a connection has none), ipv6_enabled,
 * and from older engines "portal" (the TPGT, which VDSM no longer reads):
 * taken as VDSM takes them.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/connection_fields.h"
#include "util/base64.h"
#include "util/buf.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/macro.h"

#define ISCSI_PORT STORVIRT__CONN_ISCSI_PORT
#define HOST_NAME_MAX_LEN STORVIRT__CONN_HOST_NAME_MAX
#define PORTAL_MAX STORVIRT__CONN_PORTAL_MAX

/* Labels of a host name, zones of an IPv6 address (core/connection_def.h). */
#define HOST_LABEL_MAX 63
#define IPV6_ZONE_MAX 15

/*
 * The longest value of a field: CHAP names as iscsiadm's node records
 * hold them, an iscsiadm interface name, anything else a path.
 */
#define CHAP_NAME_MAX 255
#define CHAP_SECRET_MAX 255
#define IFACE_MAX 64
#define VALUE_MAX 4095

bool storvirt__conn_printable_no_space(const char *s) {
        for (; *s; s++)
                if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
                        return false;
        return true;
}

/* ---- value checks --------------------------------------------------------------------------- */

static int check_iqn(const struct conn_parse_ctx *pc, const char *key, const char *v) {
        char esc[STORVIRT__ESCAPED_NAME_SIZE];

        if (strncmp(v, "iqn.", 4) != 0 && strncmp(v, "eui.", 4) != 0 && strncmp(v, "naa.", 4) != 0)
                return CONN_FAIL(pc, key, "'%s' is not an iSCSI name: it must start with 'iqn.', "
                                          "'eui.' or 'naa.'", storvirt__name_escape(v, esc, sizeof(esc)));
        if (strlen(v) > 223)
                return CONN_FAIL(pc, key, "'%.40s...' is longer than 223 bytes (RFC 3720)", v);
        if (!storvirt__conn_printable_no_space(v))
                return CONN_FAIL(pc, key, "'%s' has a space or a non-printable character",
                                 storvirt__name_escape(v, esc, sizeof(esc)));
        if (strchr(v, '/'))     /* not in an iSCSI name (RFC 3722); a path in iscsiadm's database */
                return CONN_FAIL(pc, key, "'%s' has a '/'", storvirt__name_escape(v, esc, sizeof(esc)));
        return 0;
}

/* An iscsiadm interface: a file name in open-iscsi's database. */
static int check_iface(const struct conn_parse_ctx *pc, const char *key, const char *v) {
        char esc[STORVIRT__ESCAPED_NAME_SIZE];

        storvirt__name_escape(v, esc, sizeof(esc));
        if (strchr(v, '/'))
                return CONN_FAIL(pc, key, "'%s' has a '/'", esc);
        if (v[0] == '.')
                return CONN_FAIL(pc, key, "'%s' starts with '.'", esc);
        return 0;
}

static int check_driver(const struct conn_parse_ctx *pc, const char *key, const char *v) {
        if (strcmp(v, "kernel") != 0 && strcmp(v, "direct") != 0)
                return CONN_FAIL(pc, key, "'%.32s' is not a driver (kernel: iscsiadm; direct: "
                                          "libiscsi and QEMU's initiator)", v);
        return 0;
}

static int check_id(const struct conn_parse_ctx *pc, const char *key, const char *v) {
        char esc[STORVIRT__ESCAPED_NAME_SIZE];

        if (!*v || strlen(v) > 128)
                return CONN_FAIL(pc, key, "must be 1-128 characters");
        for (const char *p = v; *p; p++)
                if (!isalnum((unsigned char)*p) && !strchr("-_.:", *p))
                        return CONN_FAIL(pc, key, "'%s': only letters, digits and '-', '_', '.', ':'",
                                         storvirt__name_escape(v, esc, sizeof(esc)));
        if (v[0] == '.')
                return CONN_FAIL(pc, key, "'%s' must not start with '.'",
                                 storvirt__name_escape(v, esc, sizeof(esc)));
        return 0;
}

static int check_nfs_version(const struct conn_parse_ctx *pc, const char *key, const char *v) {
        static const char *const ok[] = { "3", "4", "4.0", "4.1", "4.2", "auto" };

        for (size_t i = 0; i < ELEMENTSOF(ok); i++)
                if (strcmp(v, ok[i]) == 0)
                        return 0;
        return CONN_FAIL(pc, key, "'%.32s' is not an NFS version (3, 4, 4.0, 4.1, 4.2 or auto)", v);
}

static int check_export(const struct conn_parse_ctx *pc, const char *key, const char *v) {
        const char *sep = strstr(v, ":/");
        char esc[STORVIRT__ESCAPED_NAME_SIZE];

        if (!sep || sep == v || !storvirt__conn_printable_no_space(v))
                return CONN_FAIL(pc, key, "'%s' is not an NFS export (server:/path)",
                                 storvirt__name_escape(v, esc, sizeof(esc)));
        return 0;
}

/* An NFS connection's vfs_type: VDSM mounts it as nfs whatever it says. */
static int check_nfs_vfstype(const struct conn_parse_ctx *pc, const char *key, const char *v) {
        char esc[STORVIRT__ESCAPED_NAME_SIZE];

        if (strcmp(v, "nfs") == 0)
                return 0;
        return CONN_FAIL(pc, key, "'%s': VDSM mounts an nfs connection as nfs (a posixfs connection "
                                  "mounts another type)", storvirt__name_escape(v, esc, sizeof(esc)));
}

int storvirt__conn_get_vdsm_bool(const struct conn_parse_ctx *pc, yajl_val obj, const char *key,
                                 bool *ret) {
        char esc[STORVIRT__ESCAPED_NAME_SIZE];
        yajl_val v = NULL;

        for (size_t i = 0; YAJL_IS_OBJECT(obj) && i < obj->u.object.len; i++)
                if (strcmp(obj->u.object.keys[i], key) == 0) {
                        v = obj->u.object.values[i];
                        break;
                }
        if (!v || YAJL_IS_NULL(v))
                return 0;
        if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)) {
                *ret = YAJL_IS_TRUE(v);
                return 1;
        }
        if (YAJL_IS_STRING(v) && (strcasecmp(v->u.string, "true") == 0 ||
                                  strcasecmp(v->u.string, "false") == 0)) {
                *ret = strcasecmp(v->u.string, "true") == 0;
                return 1;
        }
        if (YAJL_IS_STRING(v))
                return CONN_FAIL(pc, key, "expected true or false (or the strings \"true\", "
                                          "\"false\"), got '%s'",
                                 storvirt__name_escape(v->u.string, esc, sizeof(esc)));
        return CONN_FAIL(pc, key, "expected true or false (or the strings \"true\", \"false\"), "
                                  "got %s", storvirt__json_type_name(v));
}

/* ---- portals -------------------------------------------------------------------------------- */

/* A host name (letters, digits, '-', '_' in dot-separated labels) or an IPv4 address. */
static int check_host_name(const struct conn_parse_ctx *pc, const char *key, const char *esc,
                           const char *h, size_t len) {
        size_t label = 0;

        if (len > HOST_NAME_MAX_LEN)
                return CONN_FAIL(pc, key, "'%s': the host name is longer than %d characters", esc,
                                 HOST_NAME_MAX_LEN);
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)h[i];

                if (c == '.') {
                        if (label == 0)
                                return CONN_FAIL(pc, key, "'%s': the host name has an empty label",
                                                 esc);
                        if (h[i - 1] == '-')
                                return CONN_FAIL(pc, key, "'%s': a label of the host name ends "
                                                          "with '-'", esc);
                        label = 0;
                        continue;
                }
                if (!isalnum(c) && c != '-' && c != '_')
                        return CONN_FAIL(pc, key, "'%s' is not a host name or an IPv4 address "
                                                  "(letters, digits, '-', '_' and '.')", esc);
                if (label == 0 && c == '-')
                        return CONN_FAIL(pc, key, "'%s': a label of the host name starts with '-'",
                                         esc);
                if (++label > HOST_LABEL_MAX)
                        return CONN_FAIL(pc, key, "'%s': the host name has a label longer than %d "
                                                  "characters", esc, HOST_LABEL_MAX);
        }
        if (label > 0 && h[len - 1] == '-')
                return CONN_FAIL(pc, key, "'%s': a label of the host name ends with '-'", esc);
        return 0;
}

/* An IPv6 address, optionally with a zone ("fe80::1%eth0"), as inet_pton() reads it. */
static int check_ipv6(const struct conn_parse_ctx *pc, const char *key, const char *h, size_t len) {
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
        return CONN_FAIL(pc, key, "'%s' is not an IPv6 address (at most %d characters, then "
                                  "optionally '%%' and a zone of at most %d)", esc,
                         INET6_ADDRSTRLEN - 1, IPV6_ZONE_MAX);
}

/* The port after a portal's ':' into d->port; it must agree with a port given apart. */
static int portal_port(const struct conn_parse_ctx *pc, const char *key, const char *esc,
                       const char *digits, bool port_given, conn_def *d) {
        char *end;
        unsigned long port;

        errno = 0;
        port = strtoul(digits, &end, 10);
        if (!isdigit((unsigned char)digits[0]) || *end || errno || port < 1 || port > 65535)
                return CONN_FAIL(pc, key, "'%s': port must be a number 1-65535", esc);
        if (port_given && port != d->port)
                return CONN_FAIL(pc, key, "'%s': the port differs from 'port' (%u)", esc, d->port);
        d->port = (unsigned)port;
        return 0;
}

int storvirt__conn_parse_portal(const struct conn_parse_ctx *pc, const char *key, const char *v,
                                bool bare_v6, conn_def *d) {
        char esc[STORVIRT__ESCAPED_NAME_SIZE];
        const char *host = v, *colon = NULL;
        bool port_given = d->port != 0;
        size_t hlen;
        int r;

        storvirt__name_escape(v, esc, sizeof(esc));
        if (!*v || !storvirt__conn_printable_no_space(v))
                return CONN_FAIL(pc, key, "'%s' is not a portal (host, host:port, [v6addr] or "
                                          "[v6addr]:port)", esc);
        if (strlen(v) > PORTAL_MAX)
                return CONN_FAIL(pc, key, "'%.40s...' is longer than %d characters (a host name "
                                          "has at most %d, an IPv6 address %d)", v, PORTAL_MAX,
                                 HOST_NAME_MAX_LEN, INET6_ADDRSTRLEN - 1);
        if (v[0] == '[') {
                const char *end = strchr(v, ']');

                if (!end || end == v + 1 || (end[1] && end[1] != ':'))
                        return CONN_FAIL(pc, key, "'%s': an IPv6 address goes in brackets, then "
                                                  "optionally ':port'", esc);
                host = v + 1;
                hlen = (size_t)(end - host);
                colon = end[1] == ':' ? end + 1 : NULL;
                r = check_ipv6(pc, key, host, hlen);
        } else if (bare_v6 && (colon = strchr(v, ':')) && strchr(colon + 1, ':')) {
                hlen = strlen(v);
                colon = NULL;
                r = check_ipv6(pc, key, host, hlen);
        } else {
                colon = strchr(v, ':');
                if (colon && strchr(colon + 1, ':'))
                        return CONN_FAIL(pc, key, "'%s': an IPv6 address goes in brackets", esc);
                hlen = colon ? (size_t)(colon - v) : strlen(v);
                if (hlen == 0)
                        return CONN_FAIL(pc, key, "'%s' has no host", esc);
                r = check_host_name(pc, key, esc, v, hlen);
        }
        if (r < 0)
                return r;
        free(d->host);
        d->host = strndup(host, hlen);
        if (!d->host)
                return storvirt__error_oom();
        if (colon)
                return portal_port(pc, key, esc, colon + 1, port_given, d);
        if (!port_given)
                d->port = ISCSI_PORT;
        return 0;
}

/* ---- glusterfs ------------------------------------------------------------------------------ */

/* A GlusterFS volume name (with an optional subdirectory): letters, digits, '-', '_', '.'. */
static int check_gluster_volume(const struct conn_parse_ctx *pc, const char *key, const char *esc,
                                const char *v) {
        const char *slash = strchr(v, '/');
        size_t n = slash ? (size_t)(slash - v) : strlen(v);

        if (n == 0 || n > 64)
                return CONN_FAIL(pc, key, "'%s': the volume name must be 1-64 characters", esc);
        for (size_t i = 0; i < n; i++)
                if (!isalnum((unsigned char)v[i]) && !strchr("-_.", v[i]))
                        return CONN_FAIL(pc, key, "'%s': the volume name may hold letters, digits, "
                                                  "'-', '_' and '.' only", esc);
        if (slash && (strstr(slash, "/../") || strstr(slash, "/./") || strcmp(slash, "/..") == 0 ||
                      (strlen(slash) >= 3 && strcmp(slash + strlen(slash) - 3, "/..") == 0)))
                return CONN_FAIL(pc, key, "'%s': the subdirectory may not hold '.' or '..'", esc);
        return 0;
}

/* server:/volume (or server:volume), the server a host name, IPv4 or [IPv6] address. */
static int check_gluster_spec(const struct conn_parse_ctx *pc, const char *key, const char *v) {
        char esc[STORVIRT__ESCAPED_NAME_SIZE];
        const char *colon;
        int r;

        storvirt__name_escape(v, esc, sizeof(esc));
        if (!storvirt__conn_printable_no_space(v))
                return CONN_FAIL(pc, key, "'%s' is not a GlusterFS volume (server:/volume)", esc);
        if (v[0] == '[') {
                const char *end = strchr(v, ']');

                if (!end || end[1] != ':')
                        return CONN_FAIL(pc, key, "'%s': an IPv6 address goes in brackets, then "
                                                  "':/volume'", esc);
                r = check_ipv6(pc, key, v + 1, (size_t)(end - v - 1));
                colon = end + 1;
        } else {
                colon = strchr(v, ':');
                if (!colon || colon == v)
                        return CONN_FAIL(pc, key, "'%s' is not a GlusterFS volume (server:/volume)",
                                         esc);
                r = check_host_name(pc, key, esc, v, (size_t)(colon - v));
        }
        if (r < 0)
                return r;
        return check_gluster_volume(pc, key, esc, colon[1] == '/' ? colon + 2 : colon + 1);
}

/* The backup volfile servers: host names or IPv4 addresses, separated by ':'. */
static int check_backup_servers(const struct conn_parse_ctx *pc, const char *key, const char *v) {
        char esc[STORVIRT__ESCAPED_NAME_SIZE];
        const char *p = v;

        storvirt__name_escape(v, esc, sizeof(esc));
        for (;;) {
                size_t n = strcspn(p, ":");
                int r;

                if (n == 0)
                        return CONN_FAIL(pc, key, "'%s': an empty server (servers are separated "
                                                  "by ':')", esc);
                r = check_host_name(pc, key, esc, p, n);
                if (r < 0)
                        return r;
                if (!p[n])
                        return 0;
                p += n + 1;
        }
}

/* VDSM mounts a glusterfs connection as glusterfs. */
static int check_gluster_vfstype(const struct conn_parse_ctx *pc, const char *key, const char *v) {
        char esc[STORVIRT__ESCAPED_NAME_SIZE];

        if (strcmp(v, "glusterfs") == 0)
                return 0;
        return CONN_FAIL(pc, key, "'%s': a glusterfs connection is mounted as glusterfs",
                         storvirt__name_escape(v, esc, sizeof(esc)));
}

/* ---- rbd ------------------------------------------------------------------------------------ */

/* One monitor, "host", "host:port", "[v6]" or "[v6]:port", appended to b in canonical form. */
static int add_monitor(const struct conn_parse_ctx *pc, const char *key, const char *v,
                       struct storvirt__buf *b) {
        conn_def scratch = { .port = 0 };
        bool port = v[0] == '[' ? strstr(v, "]:") != NULL : strchr(v, ':') != NULL;
        char one[STORVIRT__CONN_PORTAL_SIZE + 2];
        int r;

        r = storvirt__conn_parse_portal(pc, key, v, false, &scratch);
        if (r >= 0) {
                bool v6 = strchr(scratch.host, ':') != NULL;
                int k = snprintf(one, sizeof(one), "%s%s%s", v6 ? "[" : "", scratch.host,
                                 v6 ? "]" : "");

                if (port && k > 0 && (size_t)k < sizeof(one))
                        snprintf(one + k, sizeof(one) - (size_t)k, ":%u", scratch.port);
                for (const char *p = storvirt__buf_str(b); r >= 0 && *p;) {
                        size_t n = strcspn(p, ",");

                        if (n == strlen(one) && strncmp(p, one, n) == 0)
                                r = CONN_FAIL(pc, key, "'%s' is given twice", one);
                        p += p[n] ? n + 1 : n;
                }
                if (r >= 0)
                        storvirt__buf_printf(b, "%s%s", b->len ? "," : "", one);
        }
        free(scratch.host);
        return r;
}

int storvirt__conn_parse_hosts(const struct conn_parse_ctx *pc, const char *key, yajl_val v,
                               uint32_t max, char **ret) {
        struct storvirt__buf b = {};
        int r = 0;

        if (!YAJL_IS_ARRAY(v) || v->u.array.len == 0)
                return CONN_FAIL(pc, key, "expected a list of one or more \"host[:port]\", got %s",
                                 YAJL_IS_ARRAY(v) ? "an empty list" : storvirt__json_type_name(v));
        if (v->u.array.len > max)
                return CONN_FAIL(pc, key, "%zu hosts: at most %" PRIu32, v->u.array.len, max);
        storvirt__buf_printf(&b, "%s", "");
        for (size_t i = 0; r >= 0 && i < v->u.array.len; i++) {
                yajl_val h = v->u.array.values[i];

                if (!YAJL_IS_STRING(h))
                        r = CONN_FAIL(pc, key, "entry %zu: expected a string, got %s", i + 1,
                                      storvirt__json_type_name(h));
                else
                        r = add_monitor(pc, key, h->u.string, &b);
        }
        if (r >= 0) {
                free(*ret);
                *ret = strdup(storvirt__buf_str(&b));
                r = *ret ? 0 : storvirt__error_oom();
        }
        storvirt__buf_free(&b);
        return r;
}

/*
 * A cephx key as Ceph writes it (ceph auth get-key): the base64 text of
 * 28 bytes, a little-endian type 1 (AES), the creation time (8 bytes),
 * the secret's length 16 and the 16 bytes of the secret.  The key
 * itself is never quoted.
 */
static int check_cephx_key(const struct conn_parse_ctx *pc, const char *key, const char *v) {
        uint8_t *raw = NULL;
        size_t n = 0;
        int r = 0;

        if (storvirt__base64_decode(v, strlen(v), &raw, &n) < 0) {
                storvirt_error_clear();
                return CONN_FAIL(pc, key, "not base64 text (a cephx key as 'ceph auth get-key' "
                                          "prints it)");
        }
        if (n != 28)
                r = CONN_FAIL(pc, key, "%zu bytes once decoded: a cephx key has 28", n);
        else if (raw[0] != 1 || raw[1] != 0)
                r = CONN_FAIL(pc, key, "key type %u: a cephx key is of type 1 (AES)",
                              raw[0] | (unsigned)raw[1] << 8);
        else if (raw[10] != 16 || raw[11] != 0)
                r = CONN_FAIL(pc, key, "a secret of %u bytes: a cephx key holds 16",
                              raw[10] | (unsigned)raw[11] << 8);
        explicit_bzero(raw, n);
        free(raw);
        return r;
}

/* A cephx id (without "client."): letters, digits, '-', '_', '.'. */
static int check_cephx_user(const struct conn_parse_ctx *pc, const char *key, const char *v) {
        char esc[STORVIRT__ESCAPED_NAME_SIZE];

        storvirt__name_escape(v, esc, sizeof(esc));
        if (strncmp(v, "client.", 7) == 0)
                return CONN_FAIL(pc, key, "'%s': give the cephx id without 'client.' (as "
                                          "libvirt's <auth username>)", esc);
        for (const char *p = v; *p; p++)
                if (!isalnum((unsigned char)*p) && !strchr("-_.", *p))
                        return CONN_FAIL(pc, key, "'%s': a cephx id holds letters, digits, '-', "
                                                  "'_' and '.' only", esc);
        return 0;
}

/* A Ceph cluster name: letters, digits, '-' and '_'. */
static int check_cluster(const struct conn_parse_ctx *pc, const char *key, const char *v) {
        char esc[STORVIRT__ESCAPED_NAME_SIZE];

        for (const char *p = v; *p; p++)
                if (!isalnum((unsigned char)*p) && !strchr("-_", *p))
                        return CONN_FAIL(pc, key, "'%s': a cluster name holds letters, digits, '-' "
                                                  "and '_' only",
                                         storvirt__name_escape(v, esc, sizeof(esc)));
        return 0;
}

/* A new definition carries its key (a stored one keeps it apart). */
static int finish_rbd(const struct conn_parse_ctx *pc, conn_def *d) {
        if (!pc->stored && !d->password)
                return storvirt__error_set(-EINVAL, "%s: an rbd connection needs 'key' (the cephx "
                                                    "key of user '%s')", pc->what, d->user);
        return 0;
}

/* ---- checks across fields ------------------------------------------------------------------- */

int storvirt__conn_check_chap(const struct conn_parse_ctx *pc, const conn_def *d) {
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

/*
 * open-iscsi's node records drop the spaces that start or end a value:
 * a kernel-driver password must be kept whole.
 */
static int check_kernel_secrets(const struct conn_parse_ctx *pc, const conn_def *d) {
        const char *const keys[] = { "password", "mutual_password" };
        const char *const v[] = { d->password, d->mutual_password };

        for (size_t i = 0; i < ELEMENTSOF(v); i++) {
                size_t n = v[i] ? strlen(v[i]) : 0;

                if (n && (isspace((unsigned char)v[i][0]) || isspace((unsigned char)v[i][n - 1])))
                        return CONN_FAIL(pc, keys[i], "open-iscsi drops the spaces that start or "
                                                      "end it: the kernel driver cannot use it");
        }
        return 0;
}

/* The kernel driver unless another is given; CHAP in pairs (a stored definition's secrets are apart). */
static int finish_iscsi(const struct conn_parse_ctx *pc, conn_def *d) {
        int r = 0;

        if (!d->driver && !(d->driver = strdup("kernel")))
                return storvirt__error_oom();
        if (!pc->stored)
                r = storvirt__conn_check_chap(pc, d);
        if (r >= 0 && strcmp(d->driver, "kernel") == 0)
                r = check_kernel_secrets(pc, d);
        return r;
}

static int finish_localfs(const struct conn_parse_ctx *pc, conn_def *d) {
        if (d->path[0] != '/')
                return storvirt__error_set(-EINVAL, "%s: field 'path': '%s' is not absolute",
                                           pc->what, d->path);
        return 0;
}

/* ---- the tables ----------------------------------------------------------------------------- */

#define AT(member) offsetof(conn_def, member)

/*
 * The order of the rows is the order of the keys written in both forms
 * (and so the text a connection's id is derived from), and the order in
 * which fields are read: the first bad one is the one reported.
 */
const struct conn_field storvirt__conn_common_fields[] = {
        { .own = "id", .vdsm = "id", .value = CONN_V_STRING, .check = check_id,
          .offset = AT(id), .max = VALUE_MAX },
        /* VDSM's entries may repeat the call's domainType */
        { .own = "type", .vdsm = "domainType", .value = CONN_V_TYPE },
};
const size_t storvirt__conn_n_common_fields = ELEMENTSOF(storvirt__conn_common_fields);

static const struct conn_field iscsi_fields[] = {
        { .own = "portal", .vdsm = "connection", .value = CONN_V_PORTAL, .offset = AT(host),
          .flags = CONN_F_VDSM_HOST, .need = "a portal" },
        { .vdsm = "port", .value = CONN_V_UINT, .offset = AT(port), .max = 65535,
          .flags = CONN_F_NOT_ZERO | CONN_F_READ_FIRST },
        { .own = "target", .vdsm = "iqn", .value = CONN_V_STRING, .check = check_iqn,
          .offset = AT(target), .max = VALUE_MAX, .need = "a target" },
        { .own = "lun", .value = CONN_V_LONG, .offset = AT(lun), .max = 16383 },
        { .own = "tpgt", .vdsm = "tpgt", .value = CONN_V_INT, .offset = AT(tpgt), .max = 65535,
          .vdsm_unset = "1" },
        { .own = "user", .vdsm = "user", .value = CONN_V_STRING, .offset = AT(user),
          .max = CHAP_NAME_MAX, .flags = CONN_F_VDSM_EMPTY, .vdsm_unset = "" },
        { .own = "password", .vdsm = "password", .value = CONN_V_SECRET, .offset = AT(password),
          .pair = AT(user), .max = CHAP_SECRET_MAX, .flags = CONN_F_VDSM_EMPTY, .vdsm_unset = "" },
        { .own = "mutual_user", .value = CONN_V_STRING, .offset = AT(mutual_user),
          .max = CHAP_NAME_MAX },
        { .own = "mutual_password", .value = CONN_V_SECRET, .offset = AT(mutual_password),
          .pair = AT(mutual_user), .max = CHAP_SECRET_MAX },
        { .own = "initiator", .vdsm = "initiatorName", .value = CONN_V_STRING, .check = check_iqn,
          .offset = AT(initiator), .max = VALUE_MAX, .flags = CONN_F_VDSM_EMPTY },
        { .own = "iface", .vdsm = "ifaceName", .value = CONN_V_STRING, .check = check_iface,
          .offset = AT(iface), .max = IFACE_MAX, .flags = CONN_F_VDSM_EMPTY },
        { .own = "driver", .value = CONN_V_STRING, .check = check_driver, .offset = AT(driver),
          .max = VALUE_MAX },
        /* the host network interface VDSM binds an iscsiadm interface to */
        { .vdsm = "netIfaceName", .value = CONN_V_IGNORED },
        /* older engines' TPGT, of any form: VDSM reads "tpgt" and ignores it */
        { .vdsm = "portal", .value = CONN_V_IGNORED },
        /* whether the engine lists IPv6 portals: nothing to a connection */
        { .vdsm = "ipv6_enabled", .value = CONN_V_BOOL },
};

/* The iSCSI keys oVirt's engine sends in the entries of the other types. */
#define ENGINE_ISCSI_KEYS                                                                       \
        { .vdsm = "port", .value = CONN_V_UNUSED },                                             \
        { .vdsm = "iqn", .value = CONN_V_UNUSED },                                              \
        { .vdsm = "user", .value = CONN_V_UNUSED },                                             \
        { .vdsm = "password", .value = CONN_V_UNUSED },                                         \
        { .vdsm = "portal", .value = CONN_V_UNUSED },                                           \
        { .vdsm = "ipv6_enabled", .value = CONN_V_BOOL }

/* Extra mount options: the last field nfs and posixfs connections write. */
#define OPTIONS_FIELD                                                                           \
        { .own = "options", .vdsm = "mnt_options", .vdsm_alias = "options",                     \
          .value = CONN_V_STRING, .offset = AT(options), .max = VALUE_MAX,                      \
          .flags = CONN_F_VDSM_EMPTY }

static const struct conn_field nfs_fields[] = {
        { .own = "export", .vdsm = "connection", .vdsm_alias = "export", .value = CONN_V_STRING,
          .check = check_export, .offset = AT(export_), .max = VALUE_MAX,
          .need = "an export (server:/path)" },
        /* VDSM mounts NFS 3 without a version, and negotiates for "auto" and "" */
        { .own = "version", .vdsm = "protocol_version", .vdsm_alias = "version",
          .value = CONN_V_VERSION, .check = check_nfs_version, .offset = AT(version),
          .max = VALUE_MAX, .vdsm_unset = "auto", .vdsm_absent = "3", .vdsm_empty = "auto" },
        { .own = "timeout", .vdsm = "timeout", .value = CONN_V_UINT, .offset = AT(timeout),
          .max = 6000 },
        { .own = "retrans", .vdsm = "retrans", .value = CONN_V_UINT, .offset = AT(retrans),
          .max = 100 },
        OPTIONS_FIELD,
        /* what some engines send for an NFS domain */
        { .vdsm = "vfs_type", .value = CONN_V_UNUSED, .check = check_nfs_vfstype },
        ENGINE_ISCSI_KEYS,
};

static const struct conn_field posixfs_fields[] = {
        { .own = "spec", .vdsm = "connection", .vdsm_alias = "spec", .value = CONN_V_STRING,
          .offset = AT(spec), .max = VALUE_MAX, .need = "a spec (what to mount)" },
        /* without one, mount(8) finds the type (VDSM gives no -t then) */
        { .own = "vfstype", .vdsm = "vfs_type", .vdsm_alias = "vfstype", .value = CONN_V_STRING,
          .offset = AT(vfstype), .max = VALUE_MAX },
        OPTIONS_FIELD,
        ENGINE_ISCSI_KEYS,
};

static const struct conn_field glusterfs_fields[] = {
        { .own = "spec", .vdsm = "connection", .vdsm_alias = "spec", .value = CONN_V_STRING,
          .check = check_gluster_spec, .offset = AT(spec), .max = VALUE_MAX,
          .need = "a spec (server:/volume)" },
        /* VDSM finds them in the volume's info and adds them to the mount options itself */
        { .own = "backup_servers", .value = CONN_V_STRING, .check = check_backup_servers,
          .offset = AT(backup_servers), .max = VALUE_MAX },
        OPTIONS_FIELD,
        { .vdsm = "vfs_type", .vdsm_alias = "vfstype", .value = CONN_V_UNUSED,
          .check = check_gluster_vfstype },
        ENGINE_ISCSI_KEYS,
};

static const struct conn_field localfs_fields[] = {
        { .own = "path", .vdsm = "connection", .vdsm_alias = "path", .value = CONN_V_STRING,
          .offset = AT(path), .max = VALUE_MAX, .need = "a path" },
        ENGINE_ISCSI_KEYS,
};

static const struct conn_field fcp_fields[] = {
        /* VDSM's engine sends an empty one */
        { .vdsm = "connection", .value = CONN_V_IGNORED },
        ENGINE_ISCSI_KEYS,
};

/* librados takes at most a few dozen monitors; a cluster runs 3 or 5 */
#define MONITORS_MAX 16

static const struct conn_field rbd_fields[] = {
        { .own = "monitors", .value = CONN_V_HOSTS, .offset = AT(monitors), .max = MONITORS_MAX,
          .need = "monitors (a list of \"host[:port]\")" },
        { .own = "user", .value = CONN_V_STRING, .check = check_cephx_user, .offset = AT(user),
          .max = CHAP_NAME_MAX, .need = "a cephx user ('user')" },
        { .own = "key", .value = CONN_V_SECRET, .check = check_cephx_key, .offset = AT(password),
          .pair = AT(user), .max = CHAP_SECRET_MAX },
        { .own = "cluster", .value = CONN_V_STRING, .check = check_cluster, .offset = AT(cluster),
          .max = 64 },
};

#define FIELDS(a) .fields = (a), .n_fields = ELEMENTSOF(a)

const struct conn_type storvirt__conn_types[] = {
        { STORVIRT_CONNECTION_ISCSI, "iscsi", "an", 3, "ISCSI", FIELDS(iscsi_fields), finish_iscsi },
        { STORVIRT_CONNECTION_NFS, "nfs", "an", 1, "NFS", FIELDS(nfs_fields), NULL },
        { STORVIRT_CONNECTION_POSIXFS, "posixfs", "a", 6, "POSIXFS", FIELDS(posixfs_fields), NULL },
        { STORVIRT_CONNECTION_LOCALFS, "localfs", "a", 4, "LOCALFS", FIELDS(localfs_fields),
          finish_localfs },
        { STORVIRT_CONNECTION_FCP, "fcp", "an", 2, "FCP", FIELDS(fcp_fields), NULL },
        { 0, "cifs", "a", 5, "CIFS", NULL, 0, NULL },
        { STORVIRT_CONNECTION_GLUSTERFS, "glusterfs", "a", 7, "GLUSTERFS",
          FIELDS(glusterfs_fields), NULL },
        /* not a VDSM storage domain type: our form only */
        { STORVIRT_CONNECTION_RBD, "rbd", "an", 0, NULL, FIELDS(rbd_fields), finish_rbd },
};
const size_t storvirt__conn_n_types = ELEMENTSOF(storvirt__conn_types);

_Static_assert(ELEMENTSOF(storvirt__conn_common_fields) + ELEMENTSOF(iscsi_fields) <= CONN_FIELDS_MAX,
               "CONN_FIELDS_MAX too small");

const struct conn_type *storvirt__conn_type_get(int type) {
        for (size_t i = 0; type > 0 && i < ELEMENTSOF(storvirt__conn_types); i++)
                if (storvirt__conn_types[i].type == type)
                        return &storvirt__conn_types[i];
        return NULL;
}

const struct conn_field *storvirt__conn_field_own(const struct conn_type *t, const char *key) {
        for (size_t i = 0; i < ELEMENTSOF(storvirt__conn_common_fields); i++)
                if (strcmp(storvirt__conn_common_fields[i].own, key) == 0)
                        return &storvirt__conn_common_fields[i];
        for (size_t i = 0; t && i < t->n_fields; i++)
                if (t->fields[i].own && strcmp(t->fields[i].own, key) == 0)
                        return &t->fields[i];
        return NULL;
}
