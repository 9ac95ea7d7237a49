/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * disk_source_keys.c - the keys of a drive spec that name its source
 * (GUID, UUID, the PDIV quartet, pool and volume, path, iscsi, vdisk; see
 * disk_keys.c): each checked and normalized, a spec holding one kind of
 * source at a time.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "conf/disk.h"
#include "conf/disk_json.h"
#include "conf/disk_parse.h"
#include "sys/wwid.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/macro.h"

#define FS_UUID_MAX 64
#define ISCSI_NAME_MAX 223

static bool all_of(const char *s, size_t n, bool (*pred)(char)) {
        for (size_t i = 0; i < n; i++)
                if (!pred(s[i]))
                        return false;
        return true;
}

/* Make s a source of kind k, dropping another kind's fields. */
static void source_switch(storvirt__disk_spec *s, storvirt__disk_source k) {
        if (s->source != k)
                storvirt__disk_source_clear(s);
        s->source = k;
}

int storvirt__disk_set_guid(storvirt__disk_spec *s, const struct storvirt__disk_key *k,
                            const char *what, const char *key, yajl_val v) {
        char buf[STORVIRT__WWID_MAX];
        const char *g = "";
        char *copy;
        int r;

        if (!v) {
                if (s->source == STORVIRT__DISK_SOURCE_GUID)
                        storvirt__disk_source_clear(s);
                return 0;
        }
        r = storvirt__disk_get_string(what, key, v, &g);
        if (r < 0)
                return r;
        r = storvirt__wwid_normalize(g, buf, sizeof(buf));
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return storvirt__error_prefix("%s: key '%s'", what, key);
        copy = strdup(buf);
        if (!copy)
                return storvirt__error_oom();
        source_switch(s, STORVIRT__DISK_SOURCE_GUID);
        free(s->guid);
        s->guid = copy;
        return 0;
}

int storvirt__disk_set_fs_uuid(storvirt__disk_spec *s, const struct storvirt__disk_key *k,
                               const char *what, const char *key, yajl_val v) {
        const char *u = "";
        char *copy;
        size_t n;
        int r;

        if (!v) {
                if (s->source == STORVIRT__DISK_SOURCE_FS_UUID)
                        storvirt__disk_source_clear(s);
                return 0;
        }
        r = storvirt__disk_get_nonempty_string(what, key, v, &u);
        if (r < 0)
                return r;
        n = strlen(u);
        if (n > FS_UUID_MAX)
                return storvirt__disk_key_error(what, key, "'%s' is longer than %d characters",
                                                ESC(u), FS_UUID_MAX);
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char) u[i];

                if (c <= 0x20 || c >= 0x7f || c == '/') {
                        char cb[8];

                        return storvirt__disk_key_error(
                                what, key,
                                "'%s' contains %s (a blkid UUID is printable "
                                "ASCII without white space or '/')",
                                ESC(u), storvirt__disk_show_char(u[i], cb));
                }
        }
        copy = strdup(u);
        if (!copy)
                return storvirt__error_oom();
        source_switch(s, STORVIRT__DISK_SOURCE_FS_UUID);
        free(s->fs_uuid);
        s->fs_uuid = copy;
        return 0;
}

/* The string field that key k sets. */
static char **key_field(storvirt__disk_spec *s, const struct storvirt__disk_key *k) {
        return (char **) ((char *) s + k->offset);
}

static bool pdiv_empty(const storvirt__disk_spec *s) {
        return !s->pool_id && !s->domain_id && !s->image_id && !s->volume_id;
}

int storvirt__disk_set_pdiv(storvirt__disk_spec *s, const struct storvirt__disk_key *k,
                            const char *what, const char *key, yajl_val v) {
        char **field = key_field(s, k);
        char *u = NULL;
        int r;

        if (!v) {
                if (s->source == STORVIRT__DISK_SOURCE_PDIV) {
                        free(*field);
                        *field = NULL;
                        if (pdiv_empty(s))
                                storvirt__disk_source_clear(s);
                }
                return 0;
        }
        r = storvirt__disk_get_uuid(what, key, v, &u);
        if (r < 0)
                return r;
        source_switch(s, STORVIRT__DISK_SOURCE_PDIV);
        free(*field);
        *field = u;
        return 0;
}

static int check_pool_name(const char *what, const char *key, const char *p) {
        if (!*p)
                return storvirt__disk_key_error(what, key, "empty pool name");
        if (p[0] == '.')
                return storvirt__disk_key_error(what, key, "pool name '%s' must not start with '.'",
                                                ESC(p));
        if (strchr(p, '/'))
                return storvirt__disk_key_error(what, key, "pool name '%s' contains '/'", ESC(p));
        if (storvirt__has_control_char(p))
                return storvirt__disk_key_error(
                        what, key, "pool name '%s' contains a control character", ESC(p));
        return 0;
}

static int check_volume_name(const char *what, const char *key, const char *p) {
        if (!*p)
                return storvirt__disk_key_error(what, key, "empty volume name");
        if (strcmp(p, ".") == 0 || strcmp(p, "..") == 0)
                return storvirt__disk_key_error(what, key, "volume name '%s' is not allowed", p);
        if (strchr(p, '/'))
                return storvirt__disk_key_error(what, key, "volume name '%s' contains '/'", ESC(p));
        if (storvirt__has_control_char(p))
                return storvirt__disk_key_error(
                        what, key, "volume name '%s' contains a control character", ESC(p));
        if (strlen(p) > 255)
                return storvirt__disk_key_error(
                        what, key, "volume name '%s' is longer than 255 bytes", ESC(p));
        return 0;
}

/* pool or volume (k): its name checked by check. */
static int set_pool_volume(storvirt__disk_spec *s, const struct storvirt__disk_key *k,
                           const char *what, const char *key, yajl_val v,
                           int (*check)(const char *what, const char *key, const char *name)) {
        char **field = key_field(s, k);
        const char *p = "";
        char *copy;
        int r;

        if (!v) {
                if (s->source == STORVIRT__DISK_SOURCE_VOLUME) {
                        free(*field);
                        *field = NULL;
                        if (!s->pool && !s->volume)
                                storvirt__disk_source_clear(s);
                }
                return 0;
        }
        r = storvirt__disk_get_string(what, key, v, &p);
        if (r < 0)
                return r;
        r = check(what, key, p);
        if (r < 0)
                return r;
        copy = strdup(p);
        if (!copy)
                return storvirt__error_oom();
        source_switch(s, STORVIRT__DISK_SOURCE_VOLUME);
        free(*field);
        *field = copy;
        return 0;
}

int storvirt__disk_set_pool(storvirt__disk_spec *s, const struct storvirt__disk_key *k,
                            const char *what, const char *key, yajl_val v) {
        return set_pool_volume(s, k, what, key, v, check_pool_name);
}

int storvirt__disk_set_volume(storvirt__disk_spec *s, const struct storvirt__disk_key *k,
                              const char *what, const char *key, yajl_val v) {
        return set_pool_volume(s, k, what, key, v, check_volume_name);
}

int storvirt__disk_check_path(const char *what, const char *key, yajl_val v, const char **ret) {
        const char *p = "";
        int r;

        r = storvirt__disk_get_string(what, key, v, &p);
        if (r < 0)
                return r;
        if (*p && p[0] != '/')
                return storvirt__disk_key_error(what, key, "'%s' is not an absolute path", ESC(p));
        if (strlen(p) >= PATH_MAX)
                return storvirt__disk_key_error(what, key, "'%s' is longer than %d bytes", ESC(p),
                                                PATH_MAX - 1);
        *ret = p;
        return 0;
}

int storvirt__disk_set_path(storvirt__disk_spec *s, const struct storvirt__disk_key *k,
                            const char *what, const char *key, yajl_val v) {
        const char *p = "";
        char *copy;
        int r;

        if (!v) {
                if (s->source == STORVIRT__DISK_SOURCE_PATH)
                        storvirt__disk_source_clear(s);
                return 0;
        }
        r = storvirt__disk_check_path(what, key, v, &p);
        if (r < 0)
                return r;
        if (!*p) {
                /* VDSM's empty cdrom */
                storvirt__disk_source_clear(s);
                return 0;
        }
        copy = strdup(p);
        if (!copy)
                return storvirt__error_oom();
        source_switch(s, STORVIRT__DISK_SOURCE_PATH);
        free(s->path);
        s->path = copy;
        return 0;
}

int storvirt__disk_set_vdisk(storvirt__disk_spec *s, const struct storvirt__disk_key *k,
                             const char *what, const char *key, yajl_val v) {
        char *u = NULL;
        int r;

        if (!v) {
                if (s->source == STORVIRT__DISK_SOURCE_VDISK)
                        storvirt__disk_source_clear(s);
                return 0;
        }
        r = storvirt__disk_get_uuid(what, key, v, &u);
        if (r < 0)
                return r;
        source_switch(s, STORVIRT__DISK_SOURCE_VDISK);
        free(s->vdisk);
        s->vdisk = u;
        return 0;
}

/* An iSCSI name (RFC 3720 3.2.6): "iqn." + [A-Za-z0-9.:-], "eui." + 16 hex, "naa." + 16 or 32 hex.
 */
static int check_iscsi_name(const char *what, const char *key, const char *n) {
        size_t len = strlen(n);

        if (len > ISCSI_NAME_MAX)
                return storvirt__disk_key_error(what, key, "'%s' is longer than %d bytes", ESC(n),
                                                ISCSI_NAME_MAX);
        if (strncmp(n, "iqn.", 4) == 0) {
                if (len == 4)
                        return storvirt__disk_key_error(what, key,
                                                        "'%s' has nothing after \"iqn.\"", ESC(n));
                for (size_t i = 4; i < len; i++)
                        if (!ascii_alnum(n[i]) && !strchr(".:-", n[i])) {
                                char cb[8];

                                return storvirt__disk_key_error(
                                        what, key,
                                        "'%s' contains %s (an iqn. name has "
                                        "letters, digits, '.', ':' and '-')",
                                        ESC(n), storvirt__disk_show_char(n[i], cb));
                        }
                return 0;
        }
        if (strncmp(n, "eui.", 4) == 0) {
                if (len != 4 + 16 || !all_of(n + 4, 16, ascii_hex))
                        return storvirt__disk_key_error(
                                what, key, "'%s' is not \"eui.\" and 16 hex digits", ESC(n));
                return 0;
        }
        if (strncmp(n, "naa.", 4) == 0) {
                if ((len != 4 + 16 && len != 4 + 32) || !all_of(n + 4, len - 4, ascii_hex))
                        return storvirt__disk_key_error(
                                what, key, "'%s' is not \"naa.\" and 16 or 32 hex digits", ESC(n));
                return 0;
        }
        return storvirt__disk_key_error(what, key,
                                        "'%s' is not an iSCSI name (starting \"iqn.\", \"eui.\" "
                                        "or \"naa.\")",
                                        ESC(n));
}

static bool host_char(char c) {
        return ascii_alnum(c) || c == '.' || c == '-';
}

/* The portal's part in a portal p: where its host starts, its length, where its port is. */
struct portal {
        const char *host;
        size_t hlen;
        const char *port;       /* NULL: none */
};

/* "[v6]" or "[v6]:port". */
static int portal_v6(const char *what, const char *key, const char *p, struct portal *pt) {
        const char *end = strchr(p, ']');
        char addr[INET6_ADDRSTRLEN + 1];
        unsigned char bin[16];

        if (!end)
                return storvirt__disk_key_error(
                        what, key, "'%s' has no ']' after the IPv6 address", ESC(p));
        pt->host = p + 1;
        pt->hlen = (size_t) (end - pt->host);
        if (pt->hlen == 0 || pt->hlen >= sizeof(addr))
                return storvirt__disk_key_error(
                        what, key, "'%s' is not an IPv6 address in brackets", ESC(p));
        memcpy(addr, pt->host, pt->hlen);
        addr[pt->hlen] = '\0';
        if (inet_pton(AF_INET6, addr, bin) != 1)
                return storvirt__disk_key_error(
                        what, key, "'%s' is not an IPv6 address in brackets", ESC(p));
        if (end[1] == ':')
                pt->port = end + 2;
        else if (end[1])
                return storvirt__disk_key_error(
                        what, key, "'%s': only \":port\" may follow ']'", ESC(p));
        return 0;
}

/* "host" or "host:port", the host a name or an IPv4 address. */
static int portal_host(const char *what, const char *key, const char *p, struct portal *pt) {
        const char *colon = strchr(p, ':');

        if (colon && strchr(colon + 1, ':'))
                return storvirt__disk_key_error(what, key,
                                                "'%s': an IPv6 address goes in brackets, as "
                                                "\"[addr]:port\"",
                                                ESC(p));
        pt->host = p;
        pt->hlen = colon ? (size_t) (colon - p) : strlen(p);
        if (colon)
                pt->port = colon + 1;
        if (pt->hlen == 0)
                return storvirt__disk_key_error(what, key, "'%s' has no host", ESC(p));
        if (pt->hlen > 253)
                return storvirt__disk_key_error(
                        what, key, "'%s': the host name is longer than 253 bytes", ESC(p));
        for (size_t k = 0; k < pt->hlen; k++)
                if (!host_char(p[k])) {
                        char cb[8];

                        return storvirt__disk_key_error(
                                what, key,
                                "'%s': the host contains %s (a host "
                                "name or IPv4 address has letters, digits, '.' "
                                "and '-')",
                                ESC(p), storvirt__disk_show_char(p[k], cb));
                }
        if (p[0] == '-' || p[0] == '.')
                return storvirt__disk_key_error(
                        what, key, "'%s': a host name cannot start with '%c'", ESC(p), p[0]);
        return 0;
}

/* "host", "host:port", "[v6]" or "[v6]:port" into i->host and i->port. */
static int parse_portal(const char *what, const char *key, const char *p, storvirt__disk_iscsi *i) {
        struct portal pt = {};
        int r;

        if (!*p)
                return storvirt__disk_key_error(what, key, "empty portal");
        r = p[0] == '[' ? portal_v6(what, key, p, &pt) : portal_host(what, key, p, &pt);
        if (r < 0)
                return r;
        if (pt.port) {
                uint64_t v;

                if (storvirt__disk_u64_from_text(pt.port, false, &v) < 0 || v < 1 || v > 65535)
                        return storvirt__disk_key_error(
                                what, key, "'%s': the port is not a number from 1 to 65535",
                                ESC(p));
                i->port = (unsigned) v;
        } else
                i->port = STORVIRT__DISK_ISCSI_PORT_DEFAULT;
        i->host = strndup(pt.host, pt.hlen);
        return i->host ? 0 : storvirt__error_oom();
}

static int parse_iscsi_auth(const char *what, const char *key, yajl_val v,
                            storvirt__disk_iscsi *i) {
        static const char *const allowed[] = {
                "username", "secret_uuid", "secret_usage", "password", NULL,
        };
        yajl_val user, uuid, usage;
        const char *s = "";
        int r;

        r = storvirt__disk_check_object(what, key, v, allowed);
        if (r < 0)
                return r;
        if (storvirt__disk_member(v, "password"))
                return storvirt__disk_key_error(
                        what, key,
                        "a CHAP password is never taken here: store it in a "
                        "libvirt secret and give secret_uuid or secret_usage");
        user = storvirt__disk_member_value(v, "username");
        uuid = storvirt__disk_member_value(v, "secret_uuid");
        usage = storvirt__disk_member_value(v, "secret_usage");
        if (!user)
                return storvirt__disk_key_error(what, key, "no username");
        r = storvirt__disk_get_nonempty_string(what, SUBKEY(key, "username"), user, &s);
        if (r < 0)
                return r;
        i->auth_username = strdup(s);
        if (!i->auth_username)
                return storvirt__error_oom();
        if (uuid && usage)
                return storvirt__disk_key_error(
                        what, key,
                        "secret_uuid and secret_usage both given; the secret is "
                        "named by one of them");
        if (!uuid && !usage)
                return storvirt__disk_key_error(what, key,
                                                "no secret: give secret_uuid or secret_usage (the "
                                                "libvirt secret holding the CHAP password)");
        if (uuid)
                return storvirt__disk_get_uuid(what, SUBKEY(key, "secret_uuid"), uuid,
                                               &i->secret_uuid);
        r = storvirt__disk_get_nonempty_string(what, SUBKEY(key, "secret_usage"), usage, &s);
        if (r < 0)
                return r;
        i->secret_usage = strdup(s);
        return i->secret_usage ? 0 : storvirt__error_oom();
}

static int parse_iscsi(const char *what, const char *key, yajl_val v, storvirt__disk_iscsi *i) {
        static const char *const allowed[] = {
                "portal", "target", "lun", "initiator", "auth", NULL,
        };
        yajl_val portal, target, lun, initiator, auth;
        const char *s = "";
        int r;

        r = storvirt__disk_check_object(what, key, v, allowed);
        if (r < 0)
                return r;
        portal = storvirt__disk_member_value(v, "portal");
        target = storvirt__disk_member_value(v, "target");
        lun = storvirt__disk_member_value(v, "lun");
        initiator = storvirt__disk_member_value(v, "initiator");
        auth = storvirt__disk_member_value(v, "auth");
        if (!portal)
                return storvirt__disk_key_error(what, key, "no portal (\"host[:port]\")");
        if (!target)
                return storvirt__disk_key_error(what, key, "no target (the target's iSCSI name)");
        r = storvirt__disk_get_string(what, SUBKEY(key, "portal"), portal, &s);
        if (r < 0)
                return r;
        r = parse_portal(what, SUBKEY(key, "portal"), s, i);
        if (r < 0)
                return r;
        r = storvirt__disk_get_string(what, SUBKEY(key, "target"), target, &s);
        if (r < 0)
                return r;
        r = check_iscsi_name(what, SUBKEY(key, "target"), s);
        if (r < 0)
                return r;
        if (!(i->target = strdup(s)))
                return storvirt__error_oom();
        if (lun) {
                uint64_t u;

                /* QEMU's iscsi driver reads the LUN into an int */
                r = storvirt__disk_get_uint(what, SUBKEY(key, "lun"), lun, NUM_STRING, 0, INT32_MAX,
                                            &u);
                if (r < 0)
                        return r;
                i->lun = (unsigned) u;
        }
        if (initiator) {
                r = storvirt__disk_get_string(what, SUBKEY(key, "initiator"), initiator, &s);
                if (r < 0)
                        return r;
                r = check_iscsi_name(what, SUBKEY(key, "initiator"), s);
                if (r < 0)
                        return r;
                if (!(i->initiator = strdup(s)))
                        return storvirt__error_oom();
        }
        if (auth)
                return parse_iscsi_auth(what, SUBKEY(key, "auth"), auth, i);
        return 0;
}

int storvirt__disk_set_iscsi(storvirt__disk_spec *s, const struct storvirt__disk_key *k,
                             const char *what, const char *key, yajl_val v) {
        storvirt__disk_iscsi i = {};
        int r;

        if (!v) {
                if (s->source == STORVIRT__DISK_SOURCE_ISCSI)
                        storvirt__disk_source_clear(s);
                return 0;
        }
        r = parse_iscsi(what, key, v, &i);
        if (r < 0) {
                storvirt__disk_iscsi_clear(&i);
                return r;
        }
        source_switch(s, STORVIRT__DISK_SOURCE_ISCSI);
        storvirt__disk_iscsi_clear(&s->iscsi);
        s->iscsi = i;
        return 0;
}
