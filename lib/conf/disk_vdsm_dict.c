/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * disk_vdsm_dict.c - the normalized device dict of a resolved disk, in
 * VDSM's forms (format "cow", shared "none"/"shared", PCI addresses as
 * "0x.." strings, drive addresses as decimal strings).  It reads back to
 * the same spec: the path found for an identity source is written next
 * to it, the GUID only for a GUID source (with another source it would
 * be a second one).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "conf/disk.h"
#include "util/error.h"
#include "util/json.h"
#include "util/macro.h"

static int gen_address(storvirt__json_gen *g, const storvirt__disk_address *a) {
        char buf[16];

        if (a->type == STORVIRT__DISK_ADDRESS_PCI) {
                /* VDSM's form: hex strings */
                storvirt__json_gen_key_begin_map(g, "address");
                storvirt__json_gen_key_string(g, "type", "pci");
                snprintf(buf, sizeof(buf), "0x%04x", a->domain);
                storvirt__json_gen_key_string(g, "domain", buf);
                snprintf(buf, sizeof(buf), "0x%02x", a->bus);
                storvirt__json_gen_key_string(g, "bus", buf);
                snprintf(buf, sizeof(buf), "0x%02x", a->slot);
                storvirt__json_gen_key_string(g, "slot", buf);
                snprintf(buf, sizeof(buf), "0x%x", a->function);
                storvirt__json_gen_key_string(g, "function", buf);
                return storvirt__json_gen_end_map(g);
        }
        if (a->type == STORVIRT__DISK_ADDRESS_DRIVE) {
                storvirt__json_gen_key_begin_map(g, "address");
                storvirt__json_gen_key_string(g, "type", "drive");
                snprintf(buf, sizeof(buf), "%u", a->controller);
                storvirt__json_gen_key_string(g, "controller", buf);
                snprintf(buf, sizeof(buf), "%u", a->drive_bus);
                storvirt__json_gen_key_string(g, "bus", buf);
                snprintf(buf, sizeof(buf), "%u", a->target);
                storvirt__json_gen_key_string(g, "target", buf);
                snprintf(buf, sizeof(buf), "%u", a->unit);
                storvirt__json_gen_key_string(g, "unit", buf);
                return storvirt__json_gen_end_map(g);
        }
        return 0;
}

static int gen_iscsi(storvirt__json_gen *g, const storvirt__disk_iscsi *i) {
        _cleanup_free_ char *portal = NULL;

        if (asprintf(&portal, strchr(i->host ? i->host : "", ':') ? "[%s]:%u" : "%s:%u",
                     i->host ? i->host : "",
                     i->port ? i->port : STORVIRT__DISK_ISCSI_PORT_DEFAULT) < 0) {
                portal = NULL;
                return storvirt__error_oom();
        }
        storvirt__json_gen_key_begin_map(g, "iscsi");
        storvirt__json_gen_key_string(g, "portal", portal);
        storvirt__json_gen_key_string(g, "target", i->target ? i->target : "");
        storvirt__json_gen_key_uint64(g, "lun", i->lun);
        if (i->initiator)
                storvirt__json_gen_key_string(g, "initiator", i->initiator);
        if (i->auth_username) {
                /* never a password: only the name of the libvirt secret holding it */
                storvirt__json_gen_key_begin_map(g, "auth");
                storvirt__json_gen_key_string(g, "username", i->auth_username);
                if (i->secret_uuid)
                        storvirt__json_gen_key_string(g, "secret_uuid", i->secret_uuid);
                if (i->secret_usage)
                        storvirt__json_gen_key_string(g, "secret_usage", i->secret_usage);
                storvirt__json_gen_end_map(g);
        }
        return storvirt__json_gen_end_map(g);
}

/* VDSM's network drive: protocol, hosts (ports as strings, as VDSM gives them), auth, path. */
static void gen_network(storvirt__json_gen *g, const storvirt__disk_spec *s) {
        const storvirt__disk_rbd *rb = &s->net_rbd;
        const storvirt__disk_netfile *nf = &s->net_file;
        bool rbd = rb->name != NULL;
        size_t n = rbd ? rb->n_hosts : nf->n_hosts;
        char port[16];

        storvirt__json_gen_key_string(g, "protocol", rbd ? "rbd" : "gluster");
        storvirt__json_gen_key_string(g, "path", rbd ? rb->name : nf->name ? nf->name : "");
        storvirt__json_gen_key_begin_array(g, "hosts");
        for (size_t i = 0; i < n; i++) {
                unsigned p = rbd ? rb->ports[i] : nf->hosts[i].port;

                storvirt__json_gen_begin_map(g);
                storvirt__json_gen_key_string(g, "name", rbd ? rb->hosts[i] : nf->hosts[i].name);
                if (p) {
                        snprintf(port, sizeof(port), "%u", p);
                        storvirt__json_gen_key_string(g, "port", port);
                }
                storvirt__json_gen_key_string(g, "transport",
                                              !rbd && nf->hosts[i].rdma ? "rdma" : "tcp");
                storvirt__json_gen_end_map(g);
        }
        storvirt__json_gen_end_array(g);
        if (rbd && rb->auth_username) {
                /* never the key: only the libvirt secret holding it */
                storvirt__json_gen_key_begin_map(g, "auth");
                storvirt__json_gen_key_string(g, "type", "ceph");
                storvirt__json_gen_key_string(g, "username", rb->auth_username);
                storvirt__json_gen_key_string(g, "uuid", rb->secret_uuid ? rb->secret_uuid : "");
                storvirt__json_gen_end_map(g);
        }
}

/* The source's keys, and the path found for an identity. */
static int gen_source(storvirt__json_gen *g, const storvirt__disk_resolved *d) {
        const storvirt__disk_spec *s = d->spec;
        int r;

        switch (s->source) {
        case STORVIRT__DISK_SOURCE_GUID:
                storvirt__json_gen_key_string(g, "GUID", s->guid ? s->guid : "");
                break;
        case STORVIRT__DISK_SOURCE_FS_UUID:
                storvirt__json_gen_key_string(g, "UUID", s->fs_uuid ? s->fs_uuid : "");
                break;
        case STORVIRT__DISK_SOURCE_PDIV:
                storvirt__json_gen_key_string(g, "poolID", s->pool_id ? s->pool_id : "");
                storvirt__json_gen_key_string(g, "domainID", s->domain_id ? s->domain_id : "");
                storvirt__json_gen_key_string(g, "imageID", s->image_id ? s->image_id : "");
                storvirt__json_gen_key_string(g, "volumeID", s->volume_id ? s->volume_id : "");
                break;
        case STORVIRT__DISK_SOURCE_VOLUME:
                storvirt__json_gen_key_string(g, "pool", s->pool ? s->pool : "");
                storvirt__json_gen_key_string(g, "volume", s->volume ? s->volume : "");
                break;
        case STORVIRT__DISK_SOURCE_PATH:
                storvirt__json_gen_key_string(g, "path", s->path ? s->path : "");
                break;
        case STORVIRT__DISK_SOURCE_ISCSI:
                r = gen_iscsi(g, &s->iscsi);
                if (r < 0)
                        return r;
                break;
        case STORVIRT__DISK_SOURCE_VDISK:
                storvirt__json_gen_key_string(g, "vdisk", s->vdisk ? s->vdisk : "");
                break;
        case STORVIRT__DISK_SOURCE_NETWORK:
                if (s->net_conn)
                        storvirt__disk_gen_netconn(g, s);
                else
                        gen_network(g, s);
                break;
        default:
                break;
        }
        /* the path found for an identity (as in VDSM's dicts; read back, it is ignored) */
        if (d->source_path && s->source != STORVIRT__DISK_SOURCE_PATH &&
            s->source != STORVIRT__DISK_SOURCE_ISCSI && s->source != STORVIRT__DISK_SOURCE_NONE &&
            s->source != STORVIRT__DISK_SOURCE_NETWORK)
                storvirt__json_gen_key_string(g, "path", d->source_path);
        return 0;
}

/* How the guest sees the drive: format, error policy, sharing, boot order, address, limits. */
static void gen_guest(storvirt__json_gen *g, const storvirt__disk_spec *s) {
        if (s->format)
                storvirt__json_gen_key_string(
                        g, "format", s->format == STORVIRT__DISK_FORMAT_QCOW2 ? "cow" : "raw");
        if (STORVIRT__DISK_NAME(storvirt__disk_error_policy_vdsm_names, s->error_policy))
                storvirt__json_gen_key_string(
                        g, "propagateErrors",
                        storvirt__disk_error_policy_vdsm_names[s->error_policy]);
        storvirt__json_gen_key_string(g, "shared", s->shared ? "shared" : "none");
        storvirt__json_gen_key_bool(g, "readonly", s->readonly);
        if (s->optional)
                storvirt__json_gen_key_bool(g, "optional", true);
        if (s->boot_order)
                storvirt__json_gen_key_uint64(g, "bootOrder", s->boot_order);
        gen_address(g, &s->address);
        if (s->iotune.set) {
                storvirt__json_gen_key_begin_map(g, "specParams");
                storvirt__json_gen_key_begin_map(g, "ioTune");
                for (unsigned i = 0; i < STORVIRT__IOTUNE_N; i++)
                        if (s->iotune.set & (1u << i))
                                storvirt__json_gen_key_uint64(g, storvirt__iotune_names[i],
                                                              s->iotune.value[i]);
                storvirt__json_gen_end_map(g);
                storvirt__json_gen_end_map(g);
        }
}

/* How QEMU reaches it: cache, I/O mode, discard, sgio, reservations; its alias and serial. */
static void gen_host(storvirt__json_gen *g, const storvirt__disk_spec *s) {
        if (STORVIRT__DISK_NAME(storvirt__disk_cache_names, s->cache))
                storvirt__json_gen_key_string(g, "cache", storvirt__disk_cache_names[s->cache]);
        if (STORVIRT__DISK_NAME(storvirt__disk_io_names, s->io))
                storvirt__json_gen_key_string(g, "io", storvirt__disk_io_names[s->io]);
        if (s->discard)
                storvirt__json_gen_key_bool(g, "discard",
                                            s->discard == STORVIRT__DISK_DISCARD_UNMAP);
        if (s->sgio)
                storvirt__json_gen_key_string(g, "sgio", "filtered");
        if (s->reservations) {
                storvirt__json_gen_key_begin_map(g, "reservations");
                storvirt__json_gen_key_bool(g, "managed", true);
                storvirt__json_gen_end_map(g);
        }
        if (s->alias)
                storvirt__json_gen_key_string(g, "alias", s->alias);
        if (s->serial)
                storvirt__json_gen_key_string(g, "serial", s->serial);
}

/* The images below the source, nearest first. */
static void gen_backing_chain(storvirt__json_gen *g, const storvirt__disk_resolved *d) {
        if (!d->n_backing)
                return;
        storvirt__json_gen_key_begin_array(g, "backingChain");
        for (size_t i = 0; i < d->n_backing; i++) {
                const storvirt__disk_backing *b = &d->backing[i];

                storvirt__json_gen_begin_map(g);
                storvirt__json_gen_key_string(g, "diskType", storvirt__disk_type_names[b->type]);
                if (b->path)
                        storvirt__json_gen_key_string(g, "path", b->path);
                else
                        gen_iscsi(g, &b->iscsi);
                storvirt__json_gen_key_string(
                        g, "format",
                        b->format == STORVIRT__DISK_FORMAT_QCOW2 ? "cow" : "raw");
                storvirt__json_gen_end_map(g);
        }
        storvirt__json_gen_end_array(g);
}

int storvirt__disk_resolved_to_dict(const storvirt__disk_resolved *d, storvirt__json_gen *g) {
        const storvirt__disk_spec *s;
        storvirt__disk_bus bus;
        char dev[16], num[24];
        int r;

        check_nonnull(d);
        check_nonnull(d->spec);
        check_nonnull(g);
        s = d->spec;
        bus = storvirt__disk_spec_bus(s);
        if (d->encryption[0])
                return storvirt__error_set(-EOPNOTSUPP,
                                           "%s: the source is encrypted (%s), and a "
                                           "device dict has no key for its secret: ask for the "
                                           "<disk> XML",
                                           storvirt__disk_spec_name(s), d->encryption);
        if (!storvirt__disk_device_name(s->device) || !storvirt__disk_bus_name(bus) ||
            !STORVIRT__DISK_NAME(storvirt__disk_type_names, d->type))
                return storvirt__error_set(-EINVAL,
                                           "%s: device dict: unknown device, bus or disk "
                                           "type",
                                           storvirt__disk_spec_name(s));

        storvirt__json_gen_begin_map(g);
        storvirt__json_gen_key_string(g, "type", "disk");
        storvirt__json_gen_key_string(g, "device", storvirt__disk_device_names[s->device]);
        storvirt__json_gen_key_string(g, "iface", storvirt__disk_bus_names[bus]);
        if (s->index >= 0) {
                storvirt__json_gen_key_int64(g, "index", s->index);
                if (d->target_dev)
                        storvirt__json_gen_key_string(g, "name", d->target_dev);
                else if (storvirt__disk_target_dev(bus, (unsigned) s->index, dev, sizeof(dev)) == 0)
                        storvirt__json_gen_key_string(g, "name", dev);
        }
        storvirt__json_gen_key_string(g, "diskType", storvirt__disk_type_names[d->type]);
        r = gen_source(g, d);
        if (r < 0)
                return r;
        gen_guest(g, s);
        gen_host(g, s);
        if (d->capacity) {
                snprintf(num, sizeof(num), "%" PRIu64, d->capacity);
                storvirt__json_gen_key_string(g, "capacity", num);
        }
        gen_backing_chain(g, d);
        return storvirt__json_gen_end_map(g);
}
