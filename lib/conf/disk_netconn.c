/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * disk_netconn.c - drive specs that name an rbd image or a file of a
 * GlusterFS volume through a stored connection, which says how to reach
 * it (the monitors and cephx user of an rbd connection, the servers of a
 * glusterfs one):
 *
 *   {"rbd": {"pool": "rbd", "image": "vm1", "connection": "ceph1", "id": "10ab.."}}
 *   {"gluster": {"volume": "gv0", "path": "images/vm1.qcow2", "connection": "gl1",
 *                "gfid": "UUID"}}
 *
 * "id" (the rbd image id) and "gfid" are optional: when given, the
 * storage must have it.  The resolver (lib/resolve) fills in the hosts
 * and auth from the connection.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/disk.h"
#include "conf/disk_json.h"
#include "conf/disk_parse.h"
#include "util/error.h"
#include "util/macro.h"

#define NAME_MAX_LEN 255
#define PATH_MAX_LEN 4095

/* A Ceph pool or image name, a GlusterFS volume name: no '/', '@', space or control character. */
static int check_name(const char *what, const char *key, const char *v, const char *extra_bad) {
        char esc[STORVIRT__ESCAPED_NAME_SIZE];

        storvirt__name_escape(v, esc, sizeof(esc));
        if (strlen(v) > NAME_MAX_LEN)
                return storvirt__disk_key_error(what, key, "'%.40s...' is longer than %d "
                                                "characters", esc, NAME_MAX_LEN);
        for (const char *p = v; *p; p++)
                if ((unsigned char)*p <= ' ' || *p == 0x7f || strchr(extra_bad, *p))
                        return storvirt__disk_key_error(what, key, "'%s' has a space, a control "
                                                        "character or one of \"%s\"", esc,
                                                        extra_bad);
        return 0;
}

/* A file inside a volume: relative ("/" at the start taken away), no "." or ".." part. */
static int check_gluster_path(const char *what, const char *key, const char *v, const char **ret) {
        char esc[STORVIRT__ESCAPED_NAME_SIZE];

        while (*v == '/')
                v++;
        storvirt__name_escape(v, esc, sizeof(esc));
        if (!*v || strlen(v) > PATH_MAX_LEN || v[strlen(v) - 1] == '/')
                return storvirt__disk_key_error(what, key, "'%s' does not name a file of the "
                                                "volume", esc);
        for (const char *p = v; *p;) {
                size_t n = strcspn(p, "/");

                if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && strncmp(p, "..", 2) == 0))
                        return storvirt__disk_key_error(what, key, "'%s' has an empty, '.' or "
                                                        "'..' part", esc);
                p += p[n] ? n + 1 : n;
        }
        for (const char *p = v; *p; p++)
                if ((unsigned char)*p < ' ' || *p == 0x7f)
                        return storvirt__disk_key_error(what, key, "'%s' has a control character",
                                                        esc);
        *ret = v;
        return 0;
}

/* A stored connection's id (as storvirt_connection_define() takes them). */
static int check_conn_id(const char *what, const char *key, const char *v) {
        char esc[STORVIRT__ESCAPED_NAME_SIZE];

        if (strlen(v) > 128 || v[0] == '.')
                return storvirt__disk_key_error(what, key, "'%s' is not a connection id",
                                                storvirt__name_escape(v, esc, sizeof(esc)));
        for (const char *p = v; *p; p++)
                if (!isalnum((unsigned char)*p) && !strchr("-_.:", *p))
                        return storvirt__disk_key_error(what, key, "'%s' is not a connection id "
                                                        "(letters, digits, '-', '_', '.', ':')",
                                                        storvirt__name_escape(v, esc, sizeof(esc)));
        return 0;
}

/* An rbd image id: hex digits as librbd makes them (at most 64). */
static int check_image_id(const char *what, const char *key, const char *v) {
        char esc[STORVIRT__ESCAPED_NAME_SIZE];

        if (strlen(v) > 64 || strspn(v, "0123456789abcdef") != strlen(v))
                return storvirt__disk_key_error(what, key, "'%s' is not an rbd image id (hex "
                                                "digits)", storvirt__name_escape(v, esc, sizeof(esc)));
        return 0;
}

struct netconn {
        const char *where, *name, *conn, *expect;       /* expect: borrowed, or expect_own */
        char *expect_own;
};

static int parse_rbd(const char *what, const char *key, yajl_val v, struct netconn *n) {
        static const char *const allowed[] = { "pool", "image", "connection", "id", NULL };
        int r = storvirt__disk_check_object(what, key, v, allowed);

        if (r >= 0)
                r = storvirt__disk_get_nonempty_string(what, SUBKEY(key, "pool"),
                                                       storvirt__disk_member_value(v, "pool"),
                                                       &n->where);
        if (r >= 0)
                r = check_name(what, SUBKEY(key, "pool"), n->where, "/@");
        if (r >= 0)
                r = storvirt__disk_get_nonempty_string(what, SUBKEY(key, "image"),
                                                       storvirt__disk_member_value(v, "image"),
                                                       &n->name);
        if (r >= 0)
                r = check_name(what, SUBKEY(key, "image"), n->name, "/@");
        if (r >= 0 && storvirt__disk_member_value(v, "id")) {
                r = storvirt__disk_get_nonempty_string(what, SUBKEY(key, "id"),
                                                       storvirt__disk_member_value(v, "id"),
                                                       &n->expect);
                if (r >= 0)
                        r = check_image_id(what, SUBKEY(key, "id"), n->expect);
        }
        return r;
}

static int parse_gluster(const char *what, const char *key, yajl_val v, struct netconn *n) {
        static const char *const allowed[] = { "volume", "path", "connection", "gfid", NULL };
        int r = storvirt__disk_check_object(what, key, v, allowed);
        const char *path = NULL;

        if (r >= 0)
                r = storvirt__disk_get_nonempty_string(what, SUBKEY(key, "volume"),
                                                       storvirt__disk_member_value(v, "volume"),
                                                       &n->where);
        if (r >= 0)
                r = check_name(what, SUBKEY(key, "volume"), n->where, "/@:");
        if (r >= 0)
                r = storvirt__disk_get_nonempty_string(what, SUBKEY(key, "path"),
                                                       storvirt__disk_member_value(v, "path"),
                                                       &path);
        if (r >= 0)
                r = check_gluster_path(what, SUBKEY(key, "path"), path, &n->name);
        if (r >= 0 && storvirt__disk_member_value(v, "gfid"))
                r = storvirt__disk_get_uuid(what, SUBKEY(key, "gfid"),
                                            storvirt__disk_member_value(v, "gfid"),
                                            &n->expect_own);
        if (n->expect_own)
                n->expect = n->expect_own;
        return r;
}

/* The parsed source into s (nothing changed on failure). */
static int set_source(storvirt__disk_spec *s, bool rbd, const struct netconn *n) {
        char *name = NULL, *conn = strdup(n->conn), *expect = n->expect ? strdup(n->expect) : NULL;
        char *protocol = rbd ? NULL : strdup("gluster");

        if (asprintf(&name, "%s/%s", n->where, n->name) < 0)
                name = NULL;
        if (!name || !conn || (n->expect && !expect) || (!rbd && !protocol)) {
                free(name);
                free(conn);
                free(expect);
                free(protocol);
                return storvirt__error_oom();
        }
        storvirt__disk_source_clear(s);
        s->source = STORVIRT__DISK_SOURCE_NETWORK;
        if (rbd) {
                s->net_rbd.name = name;
        } else {
                s->net_file.protocol = protocol;
                s->net_file.name = name;
        }
        s->net_conn = conn;
        s->net_expect = expect;
        return 0;
}

int storvirt__disk_set_netconn(storvirt__disk_spec *s, const struct storvirt__disk_key *k,
                               const char *what, const char *key, yajl_val v) {
        bool rbd = strcmp(k->name, "rbd") == 0;
        struct netconn n = {};
        int r;

        if (!v) {
                if (s->source == STORVIRT__DISK_SOURCE_NETWORK && s->net_conn &&
                    (rbd ? s->net_rbd.name != NULL : s->net_file.protocol != NULL))
                        storvirt__disk_source_clear(s);
                return 0;
        }
        r = rbd ? parse_rbd(what, key, v, &n) : parse_gluster(what, key, v, &n);
        if (r >= 0)
                r = storvirt__disk_get_nonempty_string(what, SUBKEY(key, "connection"),
                                                       storvirt__disk_member_value(v, "connection"),
                                                       &n.conn);
        if (r >= 0)
                r = check_conn_id(what, SUBKEY(key, "connection"), n.conn);
        if (r >= 0)
                r = set_source(s, rbd, &n);
        free(n.expect_own);
        return r;
}

void storvirt__disk_gen_netconn(storvirt__json_gen *g, const storvirt__disk_spec *s) {
        bool rbd = s->net_rbd.name != NULL;
        const char *name = rbd ? s->net_rbd.name : s->net_file.name;
        size_t n = strcspn(name, "/");
        char where[NAME_MAX_LEN + 1];

        snprintf(where, sizeof(where), "%.*s", (int)n, name);
        storvirt__json_gen_key_begin_map(g, rbd ? "rbd" : "gluster");
        storvirt__json_gen_key_string(g, rbd ? "pool" : "volume", where);
        storvirt__json_gen_key_string(g, rbd ? "image" : "path", name[n] ? name + n + 1 : "");
        storvirt__json_gen_key_string(g, "connection", s->net_conn);
        if (s->net_expect)
                storvirt__json_gen_key_string(g, rbd ? "id" : "gfid", s->net_expect);
        storvirt__json_gen_end_map(g);
}
