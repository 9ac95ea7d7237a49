/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * disk_network.c - VDSM's network drive: diskType network, protocol rbd
 * or gluster, hosts [{name, port, transport}], auth {type, username,
 * uuid} (rbd only) and path, the name the protocol gives the image
 * (rbd: POOL/IMAGE, gluster: VOLUME/PATH).  It names storage outside any
 * pool: nothing is looked up, the drive becomes <disk type='network'>
 * as given.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/disk.h"
#include "conf/disk_json.h"
#include "conf/disk_parse.h"
#include "util/error.h"
#include "util/macro.h"
#include "util/strv.h"

/* A host name, an IPv4 address or an IPv6 address without brackets: no '/', no blanks. */
static bool host_name_ok(const char *h) {
        if (!*h || strlen(h) > 253)
                return false;
        for (const char *p = h; *p; p++)
                if (*p <= ' ' || *p == '/' || *p == '[' || *p == ']' || *p == '@' ||
                    *p == 0x7f)
                        return false;
        return true;
}

/* One host of hosts[i] into name, port (0: not given) and rdma; 0 or -EINVAL. */
static int parse_host(const char *what, const char *key, yajl_val h, size_t i, bool gluster,
                      const char **name, unsigned *port, bool *rdma) {
        static const char *const allowed[] = { "name", "port", "transport", NULL };
        char hk[64], sub[96];
        yajl_val v;
        uint64_t p = 0;
        int r;

        snprintf(hk, sizeof(hk), "%s[%zu]", key, i);
        if (!YAJL_IS_OBJECT(h))
                return storvirt__disk_type_error(what, hk, "an object {name, port, transport}", h);
        r = storvirt__disk_check_object(what, hk, h, allowed);
        if (r < 0)
                return r;
        snprintf(sub, sizeof(sub), "%s.name", hk);
        r = storvirt__disk_get_nonempty_string(what, sub, storvirt__disk_member_value(h, "name"),
                                               name);
        if (r < 0)
                return r;
        if (!host_name_ok(*name))
                return storvirt__disk_key_error(what, sub, "'%s' is not a host name or address",
                                                ESC(*name));
        v = storvirt__disk_member_value(h, "port");
        snprintf(sub, sizeof(sub), "%s.port", hk);
        if (v && (r = storvirt__disk_get_uint(what, sub, v, NUM_STRING, 1, 65535, &p)) < 0)
                return r;
        *port = (unsigned) p;
        *rdma = false;
        v = storvirt__disk_member_value(h, "transport");
        snprintf(sub, sizeof(sub), "%s.transport", hk);
        if (v) {
                const char *t;

                r = storvirt__disk_get_string(what, sub, v, &t);
                if (r < 0)
                        return r;
                if (strcmp(t, "unix") == 0)
                        return storvirt__error_set(-EOPNOTSUPP,
                                                   "%s: key '%s': 'unix' is not supported: a "
                                                   "unix socket host needs a socket path, "
                                                   "which the hosts of a drive do not carry",
                                                   what, sub);
                if (strcmp(t, "rdma") == 0 && gluster)
                        *rdma = true;
                else if (strcmp(t, "rdma") == 0)
                        return storvirt__disk_key_error(what, sub, "'rdma': only gluster "
                                                        "hosts take transport rdma");
                else if (strcmp(t, "tcp") != 0)
                        return storvirt__disk_key_error(what, sub, "'%s' is not a transport "
                                                        "(tcp, unix or rdma)", ESC(t));
        }
        return 0;
}

/* The hosts into the source: one at least. */
static int parse_hosts(const char *what, const char *key, yajl_val hosts, bool gluster,
                       storvirt__disk_rbd *rb, storvirt__disk_netfile *nf) {
        size_t n;

        if (!hosts)
                return storvirt__error_set(-EINVAL, "%s: a network drive needs key '%s' (one "
                                           "host at least)", what, key);
        if (!YAJL_IS_ARRAY(hosts))
                return storvirt__disk_type_error(what, key, "a list of hosts", hosts);
        n = hosts->u.array.len;
        if (n == 0)
                return storvirt__disk_key_error(what, key, "no host given (one at least)");
        if (n > 64)
                return storvirt__disk_key_error(what, key, "%zu hosts, more than 64", n);
        if (gluster ? !(nf->hosts = calloc(n, sizeof(*nf->hosts)))
                    : !(rb->ports = calloc(n, sizeof(*rb->ports))))
                return storvirt__error_oom();
        for (size_t i = 0; i < n; i++) {
                const char *name = NULL;
                unsigned port = 0;
                bool rdma = false;
                int r = parse_host(what, key, hosts->u.array.values[i], i, gluster, &name, &port,
                                   &rdma);

                if (r < 0)
                        return r;
                if (gluster) {
                        if (!(nf->hosts[i].name = strdup(name)))
                                return storvirt__error_oom();
                        /* glusterd's port when not given */
                        nf->hosts[i].port = port ? port : 24007;
                        nf->hosts[i].rdma = rdma;
                        nf->n_hosts++;
                } else {
                        if (storvirt__strv_extend(&rb->hosts, name) < 0)
                                return storvirt__error_oom();
                        rb->ports[i] = port;
                        rb->n_hosts++;
                }
        }
        return 0;
}

/* auth {type: ceph, username, uuid}: the cephx user and the libvirt secret holding its key. */
static int parse_auth(const char *what, const char *key, yajl_val auth, storvirt__disk_rbd *rb) {
        static const char *const allowed[] = { "type", "username", "uuid", NULL };
        const char *t, *u;
        int r;

        if (!YAJL_IS_OBJECT(auth))
                return storvirt__disk_type_error(what, key, "an object {type, username, uuid}",
                                                 auth);
        r = storvirt__disk_check_object(what, key, auth, allowed);
        if (r < 0)
                return r;
        r = storvirt__disk_get_string(what, SUBKEY(key, "type"),
                                      storvirt__disk_member_value(auth, "type"), &t);
        if (r < 0)
                return r;
        if (strcmp(t, "ceph") != 0)
                return storvirt__disk_key_error(what, SUBKEY(key, "type"),
                                                "'%s' is not ceph (the secret type of rbd)",
                                                ESC(t));
        r = storvirt__disk_get_nonempty_string(what, SUBKEY(key, "username"),
                                               storvirt__disk_member_value(auth, "username"), &u);
        if (r < 0)
                return r;
        if (!host_name_ok(u) || strchr(u, ':') || strchr(u, '\\'))
                return storvirt__disk_key_error(what, SUBKEY(key, "username"),
                                                "'%s' is not a cephx user name", ESC(u));
        r = storvirt__disk_get_uuid(what, SUBKEY(key, "uuid"),
                                    storvirt__disk_member_value(auth, "uuid"), &rb->secret_uuid);
        if (r < 0)
                return r;
        if (!(rb->auth_username = strdup(u)))
                return storvirt__error_oom();
        return 0;
}

/* The image's name: rbd POOL/IMAGE, gluster VOLUME/PATH; no empty part, no "." or "..". */
static int check_name(const char *what, const char *key, const char *p, bool gluster) {
        const char *slash = strchr(p, '/');
        const char *why = NULL;

        if (!slash || slash == p || !slash[1])
                why = gluster ? "not VOLUME/PATH" : "not POOL/IMAGE";
        else if (!gluster && strchr(slash + 1, '/'))
                why = "not POOL/IMAGE (an rbd image name has no '/')";
        else if (strstr(p, "//") || p[strlen(p) - 1] == '/')
                why = "has an empty part";
        else if (strstr(p, "/../") || strstr(p, "/./") ||
                 (strlen(p) >= 3 && strcmp(p + strlen(p) - 3, "/..") == 0) ||
                 (strlen(p) >= 2 && strcmp(p + strlen(p) - 2, "/.") == 0))
                why = "has a '.' or '..' part";
        else if (strlen(p) > 1024)
                why = "is longer than 1024 bytes";
        else
                for (const char *c = p; *c && !why; c++)
                        if ((unsigned char) *c < ' ' || *c == 0x7f || (!gluster && *c == '@'))
                                why = *c == '@' ? "has an '@' (a snapshot name)"
                                                : "has a control character";
        return why ? storvirt__disk_key_error(what, key, "'%s' %s", ESC(p), why) : 0;
}

int storvirt__disk_set_network(storvirt__disk_spec *s, const char *what, yajl_val const *v,
                               const char *const *spelled) {
        storvirt__disk_rbd rb = {};
        storvirt__disk_netfile nf = {};
        const char *proto, *path;
        bool gluster;
        int r;

        r = storvirt__disk_get_string(what, "protocol", v[0], &proto);
        if (r < 0)
                return r;
        if (strcmp(proto, "rbd") != 0 && strcmp(proto, "gluster") != 0)
                return storvirt__disk_key_error(what, "protocol",
                                                "'%s' is not a network protocol taken here "
                                                "(rbd or gluster)", ESC(proto));
        gluster = proto[0] == 'g';
        if (!v[3])
                return storvirt__error_set(-EINVAL, "%s: a network drive needs key 'path' (%s)",
                                           what, gluster ? "VOLUME/PATH" : "POOL/IMAGE");
        r = storvirt__disk_get_string(what, spelled[3], v[3], &path);
        if (r < 0 || (r = check_name(what, spelled[3], path, gluster)) < 0)
                return r;
        r = parse_hosts(what, spelled[1] ? spelled[1] : "hosts", v[1], gluster, &rb, &nf);
        if (r >= 0 && v[2] && gluster)
                r = storvirt__disk_key_error(what, spelled[2], "gluster takes no auth");
        else if (r >= 0 && v[2])
                r = parse_auth(what, spelled[2], v[2], &rb);
        if (r >= 0 && !(gluster ? (nf.name = strdup(path)) && (nf.protocol = strdup(proto))
                                : (rb.name = strdup(path)) != NULL))
                r = storvirt__error_oom();
        if (r < 0) {
                storvirt__disk_rbd_clear(&rb);
                storvirt__disk_netfile_clear(&nf);
                return r;
        }
        storvirt__disk_source_clear(s);
        s->source = STORVIRT__DISK_SOURCE_NETWORK;
        s->net_rbd = rb;
        s->net_file = nf;
        return 0;
}

int storvirt__disk_set_network_key(storvirt__disk_spec *s, const struct storvirt__disk_key *k,
                                   const char *what, const char *key, yajl_val v) {
        return storvirt__disk_key_error(what, key, "a network drive is given whole (protocol, "
                                        "hosts, auth and path in one drive object)");
}

int storvirt__disk_rbd_dup(const storvirt__disk_rbd *r, storvirt__disk_rbd *ret) {
        *ret = (storvirt__disk_rbd){ .n_hosts = r->n_hosts };
        if ((r->name && !(ret->name = strdup(r->name))) ||
            (r->auth_username && !(ret->auth_username = strdup(r->auth_username))) ||
            (r->secret_uuid && !(ret->secret_uuid = strdup(r->secret_uuid))) ||
            (r->secret_usage && !(ret->secret_usage = strdup(r->secret_usage))) ||
            (r->hosts && storvirt__strv_copy(r->hosts, &ret->hosts) < 0))
                goto oom;
        if (r->n_hosts) {
                if (!(ret->ports = calloc(r->n_hosts, sizeof(*ret->ports))))
                        goto oom;
                memcpy(ret->ports, r->ports, r->n_hosts * sizeof(*ret->ports));
        }
        return 0;
oom:
        storvirt__disk_rbd_clear(ret);
        return storvirt__error_oom();
}

int storvirt__disk_netfile_dup(const storvirt__disk_netfile *n, storvirt__disk_netfile *ret) {
        *ret = (storvirt__disk_netfile){};
        if ((n->protocol && !(ret->protocol = strdup(n->protocol))) ||
            (n->name && !(ret->name = strdup(n->name))))
                goto oom;
        if (n->n_hosts) {
                if (!(ret->hosts = calloc(n->n_hosts, sizeof(*ret->hosts))))
                        goto oom;
                for (; ret->n_hosts < n->n_hosts; ret->n_hosts++) {
                        ret->hosts[ret->n_hosts] = n->hosts[ret->n_hosts];
                        if (!(ret->hosts[ret->n_hosts].name = strdup(n->hosts[ret->n_hosts].name)))
                                goto oom;
                }
        }
        return 0;
oom:
        storvirt__disk_netfile_clear(ret);
        return storvirt__error_oom();
}
