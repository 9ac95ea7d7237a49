/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vdisk_net.c - where QEMU reaches a vDisk of an rbd image or a file of a
 * GlusterFS volume, as its record keeps it (objects/vdisk_rec.h):
 *
 *   "network": {"protocol": "rbd" | "gluster", "name": "POOL/IMAGE" |
 *               "VOLUME/DIR/FILE", "hosts": [{"name", "port", "transport"}],
 *               "username", "secretUsage" | "secretUuid"}
 *
 * the monitors or servers and the cephx user and libvirt secret of the
 * pool the vDisk was imported from.  Renames change it; the identity
 * (cluster, pool and image ids; volume id and gfid) stays.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "objects/vdisk_rec.h"
#include "util/error.h"
#include "util/macro.h"
#include "util/strv.h"

void storvirt__vrec_net_clear(storvirt__vrec *v) {
        storvirt__disk_rbd_clear(&v->rbd);
        storvirt__disk_netfile_clear(&v->netfile);
}

static int opt_str(yajl_val o, const char *key, char **ret) {
        const char *s = NULL;
        int r = storvirt__json_get_string(o, key, false, &s);

        if (r > 0 && !(*ret = strdup(s)))
                return storvirt__error_oom();
        return r < 0 ? storvirt__error_set(r, "field 'network': %s", storvirt_error_message()) : 0;
}

static int parse_hosts(yajl_val list, storvirt__vrec *v, bool rbd) {
        size_t n = list->u.array.len;

        if (rbd && (!(v->rbd.hosts = calloc(n + 1, sizeof(char *))) ||
                    !(v->rbd.ports = calloc(n ? n : 1, sizeof(unsigned)))))
                return storvirt__error_oom();
        if (!rbd && n && !(v->netfile.hosts = calloc(n, sizeof(*v->netfile.hosts))))
                return storvirt__error_oom();
        for (size_t i = 0; i < n; i++) {
                yajl_val h = list->u.array.values[i];
                const char *name = NULL, *transport = NULL;
                uint64_t port = 0;
                int r;

                if ((r = storvirt__json_get_string(h, "name", true, &name)) < 0 ||
                    (r = storvirt__json_get_uint64(h, "port", false, 0, &port)) < 0 ||
                    (r = storvirt__json_get_string(h, "transport", false, &transport)) < 0)
                        return storvirt__error_set(r, "field 'network': host %zu: %s", i + 1,
                                                   storvirt_error_message());
                if (port > 65535)
                        return storvirt__error_set(-EINVAL, "field 'network': host %zu: port "
                                                            "%llu", i + 1, (unsigned long long)port);
                if (rbd) {
                        if (!(v->rbd.hosts[i] = strdup(name)))
                                return storvirt__error_oom();
                        v->rbd.ports[i] = (unsigned)port;
                        v->rbd.n_hosts++;
                        continue;
                }
                if (!(v->netfile.hosts[i].name = strdup(name)))
                        return storvirt__error_oom();
                v->netfile.hosts[i].port = (unsigned)port;
                v->netfile.hosts[i].rdma = transport && strcmp(transport, "rdma") == 0;
                v->netfile.n_hosts++;
        }
        return 0;
}

int storvirt__vrec_net_parse(yajl_val o, storvirt__vrec *v) {
        yajl_val net = NULL, hosts = NULL;
        const char *protocol = NULL;
        char **name;
        int r;

        r = storvirt__json_get_object(o, "network", false, &net);
        if (r <= 0)
                return r;
        r = storvirt__json_get_string(net, "protocol", true, &protocol);
        if (r >= 0 && strcmp(protocol, "rbd") != 0 && strcmp(protocol, "gluster") != 0)
                r = storvirt__error_set(-EINVAL, "'%.32s' is not rbd or gluster", protocol);
        if (r >= 0)
                r = storvirt__json_get_array(net, "hosts", true, &hosts);
        if (r < 0)
                return storvirt__error_set(r, "field 'network': %s", storvirt_error_message());
        if (strcmp(protocol, "rbd") == 0) {
                name = &v->rbd.name;
                if ((r = opt_str(net, "username", &v->rbd.auth_username)) < 0 ||
                    (r = opt_str(net, "secretUsage", &v->rbd.secret_usage)) < 0 ||
                    (r = opt_str(net, "secretUuid", &v->rbd.secret_uuid)) < 0)
                        return r;
        } else {
                name = &v->netfile.name;
                if (!(v->netfile.protocol = strdup("gluster")))
                        return storvirt__error_oom();
        }
        if ((r = opt_str(net, "name", name)) < 0)
                return r;
        if (!*name)
                return storvirt__error_set(-EINVAL, "field 'network': no 'name'");
        return parse_hosts(hosts, v, strcmp(protocol, "rbd") == 0);
}

static void gen_host(storvirt__json_gen *g, const char *name, unsigned port, const char *transport) {
        storvirt__json_gen_begin_map(g);
        storvirt__json_gen_key_string(g, "name", name);
        if (port)
                storvirt__json_gen_key_uint64(g, "port", port);
        if (transport)
                storvirt__json_gen_key_string(g, "transport", transport);
        storvirt__json_gen_end_map(g);
}

static void gen_opt(storvirt__json_gen *g, const char *key, const char *v) {
        if (v)
                storvirt__json_gen_key_string(g, key, v);
}

void storvirt__vrec_net_gen(storvirt__json_gen *g, const storvirt__vrec *v) {
        bool rbd = v->rbd.name != NULL;

        if (!rbd && !v->netfile.protocol)
                return;
        storvirt__json_gen_key_begin_map(g, "network");
        storvirt__json_gen_key_string(g, "protocol", rbd ? "rbd" : v->netfile.protocol);
        storvirt__json_gen_key_string(g, "name", rbd ? v->rbd.name : v->netfile.name);
        storvirt__json_gen_key_begin_array(g, "hosts");
        for (size_t i = 0; rbd && i < v->rbd.n_hosts; i++)
                gen_host(g, v->rbd.hosts[i], v->rbd.ports[i], NULL);
        for (size_t i = 0; !rbd && i < v->netfile.n_hosts; i++)
                gen_host(g, v->netfile.hosts[i].name, v->netfile.hosts[i].port,
                         v->netfile.hosts[i].rdma ? "rdma" : NULL);
        storvirt__json_gen_end_array(g);
        if (rbd) {
                gen_opt(g, "username", v->rbd.auth_username);
                gen_opt(g, "secretUsage", v->rbd.secret_usage);
                gen_opt(g, "secretUuid", v->rbd.secret_uuid);
        }
        storvirt__json_gen_end_map(g);
}

int storvirt__vrec_net_set(storvirt__vrec *v, const storvirt__disk_rbd *rbd,
                           const storvirt__disk_netfile *netfile) {
        int r = 0;

        storvirt__vrec_net_clear(v);
        if (rbd && rbd->name)
                r = storvirt__disk_rbd_dup(rbd, &v->rbd);
        if (r >= 0 && netfile && netfile->protocol)
                r = storvirt__disk_netfile_dup(netfile, &v->netfile);
        return r;
}

const char *storvirt__vrec_net_name(const storvirt__vrec *v) {
        return v->rbd.name ? v->rbd.name : v->netfile.name;
}
