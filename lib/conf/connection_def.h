/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core/connection_def.h - what the connection module's files share: a
 * parsed connection definition, its canonical forms, and the connectors
 * that establish it on this host.  connection_parse.c parses and writes
 * definitions, connection_connect.c connects them, connection.c keeps
 * them in the state directory and holds the public API.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <storvirt.h>
#include <yajl/yajl_tree.h>

#include "sys/iscsi_direct.h"
#include "util/json.h"

/* The record kinds (core/records.h). */
#define STORVIRT__CONN_KIND_DEF "connections"
#define STORVIRT__CONN_KIND_SECRET "secrets"
#define STORVIRT__CONN_KIND_RUN "connections-run"

#define STORVIRT__CONN_REDACTED "********"
#define STORVIRT__CONN_ISCSI_PORT 3260

/*
 * Portal limits, checked when a portal is parsed so that what is stored
 * is never cut short: a DNS name has at most 253 characters in labels of
 * at most 63 (RFC 1035); an IPv6 literal at most INET6_ADDRSTRLEN - 1
 * (45) plus a zone of at most IF_NAMESIZE - 1 (15); a port at most 5
 * digits.  The longest portal is then a 253-character name and ":65535".
 */
#define STORVIRT__CONN_HOST_NAME_MAX 253
#define STORVIRT__CONN_PORTAL_MAX (STORVIRT__CONN_HOST_NAME_MAX + 6)
#define STORVIRT__CONN_PORTAL_SIZE (STORVIRT__CONN_PORTAL_MAX + 1)

typedef struct storvirt__conn_def {
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
        /* glusterfs (spec: server:/volume): the other volfile servers, "host:host" */
        char *backup_servers;
        /* localfs */
        char *path;
        /* rbd: the monitors, canonical "host:port,[v6]:port,host" (no port: both of
           Ceph's); the cluster name; user is the cephx id, password its key (base64) */
        char *monitors;
        char *cluster;
        /* a stored record that does not parse (listed with STORVIRT_CONNECTION_LIST_INVALID) */
        char *invalid;
        /* secrets, only while defining or connecting; never written with the definition */
        char *password, *mutual_password;
        /* get_param: "port", "lun", "tpgt"... as strings */
        char port_s[8], lun_s[24], tpgt_s[16], timeout_s[16], retrans_s[16];
} conn_def;

void storvirt__conn_def_free(conn_def *d);
void storvirt__conn_defs_free(conn_def **defs, size_t n);
static inline void storvirt__conn_def_freep(conn_def **d) {
        storvirt__conn_def_free(*d);
}
#define _cleanup_def_ __attribute__((cleanup(storvirt__conn_def_freep)))

/* Overwrite a secret before it is freed. */
void storvirt__conn_explicit_clear(char *s);

/* "iscsi", "nfs"...; "?" for anything else. */
const char *storvirt__conn_type_name(int type);

/*
 * Replace every occurrence of the definition's secrets in the current
 * error message by "********" (a tool's stderr may echo what it was
 * given).  Returns r.
 */
int storvirt__conn_scrub_error(const conn_def *d, int r);

/*
 * Parse a define document: every connection, ids assigned, duplicates
 * checked.  stored: read back stored definitions (secrets kept apart).
 */
int storvirt__conn_parse_all(const char *json, size_t len, bool stored, conn_def ***ret,
                             size_t *ret_n);

/* A stored definition (our form, secrets kept apart) from its record. */
int storvirt__conn_parse_stored(yajl_val v, conn_def **ret);

/* What storvirt_iscsi_discover()'s parameters say. */
struct storvirt__conn_discovery {
        conn_def *def;          /* the portal and credentials; NULL for a stored connection */
        const char *stored_id;  /* {"connection": ID}: borrowed from the parsed tree */
        bool vdsm;              /* VDSM's form */
        bool ipv6;              /* VDSM's form: IPv6 portals are listed too */
};

/*
 * storvirt_iscsi_discover()'s parameters, in one of three forms: ours
 * ({"portal", "user", "password", "initiator"}), a stored connection
 * ({"connection": ID} alone), or VDSM's as its discoverSendTargets hands
 * them on ({"connection": host, "port", "user", "password",
 * "ipv6_enabled"}: the port required, "" for no CHAP).  Free ret->def.
 */
int storvirt__conn_parse_discovery(yajl_val v, struct storvirt__conn_discovery *ret);

/*
 * Leaves out of t the portals VDSM leaves out of its discovery answer
 * without ipv6_enabled (IPv6 addresses), and the targets left with none.
 */
void storvirt__conn_discovery_drop_ipv6(struct storvirt__iscsi_target *t, size_t *n);

/* "host:port" or "[v6]:port" into buf; -ENAMETOOLONG rather than cut short. */
int storvirt__conn_fmt_portal(const conn_def *d, char *buf, size_t size);

/* The keys of our JSON form (secrets as "********" when redact, else left out). */
int storvirt__conn_gen_own_fields(storvirt__json_gen *g, const conn_def *d, bool redact);
/* Our JSON form as an object. */
int storvirt__conn_gen_own(storvirt__json_gen *g, const conn_def *d, bool redact);
/* VDSM's connection parameters, secrets redacted. */
int storvirt__conn_gen_vdsm(storvirt__json_gen *g, const conn_def *d);
/* Our JSON form as text, no secret. */
int storvirt__conn_def_to_text(const conn_def *d, bool redact, bool pretty, char **ret);
/* The secrets record's text: {"password", "mutual_password"}. */
int storvirt__conn_secrets_to_text(const conn_def *d, char **ret);

/*
 * Parse a document as storvirt_connection_define() does, storing nothing:
 * the canonical JSON of each connection (our form, no secret, id
 * assigned), NULL-terminated.  stored: the document is a stored
 * definition, whose secrets are kept apart (a user without a password is
 * then fine).  For the fuzzer and tests.
 */
int storvirt__connections_parse(const char *json, size_t len, bool stored, char ***ret);
