/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * disk_spec.c - the disk spec of a VM drive as an object (new, copy,
 * free), the rules of its buses (default bus of a device, target dev
 * names and their indexes) and the defaults that need no host.  Parsing
 * is in disk_drive.c and disk_keys.c, the checks in disk_check.c, a VM's
 * drives in disk_vm.c and disk_complete.c, the device dict in
 * disk_vdsm_dict.c.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "conf/disk.h"
#include "util/error.h"
#include "util/macro.h"
#include "util/strv.h"

/* ---- buses ------------------------------------------------------------------------------- */

const char *storvirt__disk_device_name(storvirt__disk_device d) {
        return STORVIRT__DISK_NAME(storvirt__disk_device_names, d);
}

const char *storvirt__disk_bus_name(storvirt__disk_bus b) {
        return STORVIRT__DISK_NAME(storvirt__disk_bus_names, b);
}

storvirt__disk_bus storvirt__disk_default_bus(storvirt__disk_device d) {
        switch (d) {
        case STORVIRT__DISK_DEVICE_LUN:
                return STORVIRT__DISK_BUS_SCSI;
        case STORVIRT__DISK_DEVICE_CDROM:
                return STORVIRT__DISK_BUS_IDE;
        case STORVIRT__DISK_DEVICE_FLOPPY:
                return STORVIRT__DISK_BUS_FDC;
        default:
                return STORVIRT__DISK_BUS_VIRTIO;
        }
}

storvirt__disk_bus storvirt__disk_spec_bus(const storvirt__disk_spec *s) {
        return s->bus != STORVIRT__DISK_BUS_UNSET ? s->bus : storvirt__disk_default_bus(s->device);
}

/* Target dev name prefix; scsi, sata and usb share "sd". */
const char *storvirt__disk_bus_prefix(storvirt__disk_bus b) {
        switch (b) {
        case STORVIRT__DISK_BUS_VIRTIO:
                return "vd";
        case STORVIRT__DISK_BUS_SCSI:
        case STORVIRT__DISK_BUS_SATA:
        case STORVIRT__DISK_BUS_USB:
                return "sd";
        case STORVIRT__DISK_BUS_IDE:
                return "hd";
        case STORVIRT__DISK_BUS_FDC:
                return "fd";
        default:
                return NULL;
        }
}

/* Name spaces of target names: 0 vd, 1 sd, 2 hd, 3 fd. */
int storvirt__disk_bus_namespace(storvirt__disk_bus b) {
        switch (b) {
        case STORVIRT__DISK_BUS_VIRTIO:
                return 0;
        case STORVIRT__DISK_BUS_SCSI:
        case STORVIRT__DISK_BUS_SATA:
        case STORVIRT__DISK_BUS_USB:
                return 1;
        case STORVIRT__DISK_BUS_IDE:
                return 2;
        case STORVIRT__DISK_BUS_FDC:
                return 3;
        default:
                return -1;
        }
}

/* Highest index a bus takes: two IDE channels of two drives, one floppy controller of two. */
unsigned storvirt__disk_bus_index_max(storvirt__disk_bus b) {
        switch (b) {
        case STORVIRT__DISK_BUS_IDE:
                return 3;
        case STORVIRT__DISK_BUS_FDC:
                return 1;
        default:
                return STORVIRT__DISK_INDEX_MAX;
        }
}

int storvirt__disk_target_dev(storvirt__disk_bus bus, unsigned index, char *buf, size_t size) {
        const char *prefix = storvirt__disk_bus_prefix(bus);
        char letters[16];
        size_t n = 0;

        check_nonnull(buf);
        if (!prefix)
                return storvirt__error_set(-EINVAL, "target dev name: unknown bus %d", (int) bus);
        /* libvirt's virDiskNameFromIndex(): a..z, aa..az, ..., zz, aaa, ... */
        for (long long i = index; i >= 0; i = i / 26 - 1)
                letters[n++] = (char) ('a' + i % 26);
        if (size < 2 + n + 1)
                return storvirt__error_set(-ERANGE, "target dev name of index %u on bus %s: "
                                           "buffer of %zu bytes is too small", index,
                                           storvirt__disk_bus_names[bus], size);
        memcpy(buf, prefix, 2);
        for (size_t i = 0; i < n; i++)
                buf[2 + i] = letters[n - 1 - i];
        buf[2 + n] = '\0';
        return 0;
}

/* ---- allocation --------------------------------------------------------------------------- */

void storvirt__disk_iscsi_clear(storvirt__disk_iscsi *i) {
        free(i->host);
        free(i->target);
        free(i->initiator);
        free(i->auth_username);
        free(i->secret_uuid);
        free(i->secret_usage);
        *i = (storvirt__disk_iscsi) {};
}

void storvirt__disk_source_clear(storvirt__disk_spec *s) {
        char **fields[] = {
                &s->guid, &s->fs_uuid, &s->pool_id, &s->domain_id, &s->image_id,
                &s->volume_id, &s->pool, &s->volume, &s->path, &s->vdisk,
                &s->net_conn, &s->net_expect,
        };

        for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
                free(*fields[i]);
                *fields[i] = NULL;
        }
        storvirt__disk_iscsi_clear(&s->iscsi);
        storvirt__disk_rbd_clear(&s->net_rbd);
        storvirt__disk_netfile_clear(&s->net_file);
        s->source = STORVIRT__DISK_SOURCE_NONE;
}

int storvirt__disk_spec_new(storvirt__disk_spec **ret) {
        storvirt__disk_spec *s;

        check_nonnull(ret);
        s = calloc(1, sizeof(*s));
        if (!s)
                return storvirt__error_oom();
        s->index = -1;
        *ret = s;
        return 0;
}

void storvirt__disk_vol_ref_clear(storvirt__disk_vol_ref *v) {
        free(v->volume_id);
        free(v->domain_id);
        free(v->image_id);
        *v = (storvirt__disk_vol_ref) {};
}

void storvirt__disk_volume_chain_clear(storvirt__disk_spec *s) {
        for (size_t i = 0; i < s->n_volume_chain; i++)
                storvirt__disk_vol_ref_clear(&s->volume_chain[i]);
        free(s->volume_chain);
        s->volume_chain = NULL;
        s->n_volume_chain = 0;
}

void storvirt__disk_spec_free(storvirt__disk_spec *spec) {
        if (!spec)
                return;
        storvirt__disk_source_clear(spec);
        storvirt__disk_volume_chain_clear(spec);
        storvirt__disk_vol_ref_clear(&spec->volume_info);
        free(spec->name);
        free(spec->alias);
        free(spec->serial);
        free(spec->vendor);
        free(spec->product);
        free(spec);
}


/* Every string a spec owns. */
static const size_t spec_strings[] = {
        offsetof(storvirt__disk_spec, name),
        offsetof(storvirt__disk_spec, alias),
        offsetof(storvirt__disk_spec, serial),
        offsetof(storvirt__disk_spec, guid),
        offsetof(storvirt__disk_spec, fs_uuid),
        offsetof(storvirt__disk_spec, pool_id),
        offsetof(storvirt__disk_spec, domain_id),
        offsetof(storvirt__disk_spec, image_id),
        offsetof(storvirt__disk_spec, volume_id),
        offsetof(storvirt__disk_spec, pool),
        offsetof(storvirt__disk_spec, volume),
        offsetof(storvirt__disk_spec, path),
        offsetof(storvirt__disk_spec, vdisk),
        offsetof(storvirt__disk_spec, net_conn),
        offsetof(storvirt__disk_spec, net_expect),
        offsetof(storvirt__disk_spec, iscsi.host),
        offsetof(storvirt__disk_spec, iscsi.target),
        offsetof(storvirt__disk_spec, iscsi.initiator),
        offsetof(storvirt__disk_spec, iscsi.auth_username),
        offsetof(storvirt__disk_spec, iscsi.secret_uuid),
        offsetof(storvirt__disk_spec, iscsi.secret_usage),
        offsetof(storvirt__disk_spec, vendor),
        offsetof(storvirt__disk_spec, product),
        offsetof(storvirt__disk_spec, volume_info.volume_id),
        offsetof(storvirt__disk_spec, volume_info.domain_id),
        offsetof(storvirt__disk_spec, volume_info.image_id),
};

static int vol_ref_dup(const storvirt__disk_vol_ref *v, storvirt__disk_vol_ref *ret) {
        *ret = (storvirt__disk_vol_ref) {};
        if ((v->volume_id && !(ret->volume_id = strdup(v->volume_id))) ||
            (v->domain_id && !(ret->domain_id = strdup(v->domain_id))) ||
            (v->image_id && !(ret->image_id = strdup(v->image_id))))
                return storvirt__error_oom();
        return 0;
}

#define SPEC_STRING(s, off) (*(char **) ((char *) (s) + (off)))

int storvirt__disk_spec_dup(const storvirt__disk_spec *spec, storvirt__disk_spec **ret) {
        _cleanup_disk_spec_ storvirt__disk_spec *c = NULL;

        check_nonnull(spec);
        check_nonnull(ret);
        c = malloc(sizeof(*c));
        if (!c)
                return storvirt__error_oom();
        *c = *spec;
        /* nothing shared: every string NULL first, so a failed copy frees only copies */
        for (size_t i = 0; i < ELEMENTSOF(spec_strings); i++)
                SPEC_STRING(c, spec_strings[i]) = NULL;
        c->volume_chain = NULL;
        c->n_volume_chain = 0;
        c->net_rbd = (storvirt__disk_rbd){};
        c->net_file = (storvirt__disk_netfile){};
        if (storvirt__disk_rbd_dup(&spec->net_rbd, &c->net_rbd) < 0 ||
            storvirt__disk_netfile_dup(&spec->net_file, &c->net_file) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(spec_strings); i++) {
                const char *src = SPEC_STRING(spec, spec_strings[i]);

                if (src && !(SPEC_STRING(c, spec_strings[i]) = strdup(src)))
                        return storvirt__error_oom();
        }
        if (spec->n_volume_chain) {
                c->volume_chain = calloc(spec->n_volume_chain, sizeof(*c->volume_chain));
                if (!c->volume_chain)
                        return storvirt__error_oom();
                for (; c->n_volume_chain < spec->n_volume_chain; c->n_volume_chain++)
                        if (vol_ref_dup(&spec->volume_chain[c->n_volume_chain],
                                        &c->volume_chain[c->n_volume_chain]) < 0)
                                return -ENOMEM;
        }
        *ret = TAKE_PTR(c);
        return 0;
}

void storvirt__disk_specs_free(storvirt__disk_spec **specs, size_t n) {
        if (!specs)
                return;
        for (size_t i = 0; i < n; i++)
                storvirt__disk_spec_free(specs[i]);
        free(specs);
}

void storvirt__disk_rbd_clear(storvirt__disk_rbd *r) {
        free(r->name);
        storvirt__strv_free(r->hosts);
        free(r->ports);
        free(r->auth_username);
        free(r->secret_uuid);
        free(r->secret_usage);
        *r = (storvirt__disk_rbd){};
}

void storvirt__disk_netfile_clear(storvirt__disk_netfile *n) {
        for (size_t i = 0; i < n->n_hosts; i++)
                free(n->hosts[i].name);
        free(n->hosts);
        free(n->protocol);
        free(n->name);
        *n = (storvirt__disk_netfile){};
}

void storvirt__disk_resolved_free(storvirt__disk_resolved *d) {
        if (!d)
                return;
        storvirt__disk_rbd_clear(&d->rbd);
        storvirt__disk_netfile_clear(&d->netfile);
        storvirt__disk_spec_free(d->spec);
        storvirt__strv_free(d->warnings);
        free(d->source_path);
        free(d->source_pool);
        free(d->source_volume);
        free(d->target_dev);
        free(d->guid);
        free(d->lease_lockspace);
        free(d->lease_key);
        free(d->lease_path);
        for (size_t i = 0; i < d->n_backing; i++) {
                free(d->backing[i].path);
                storvirt__disk_iscsi_clear(&d->backing[i].iscsi);
                storvirt__disk_netfile_clear(&d->backing[i].netfile);
        }
        free(d->backing);
        free(d);
}

/* ---- names and defaults ------------------------------------------------------------------ */

const char *storvirt__disk_spec_name(const storvirt__disk_spec *s) {
        return s->name ? s->name : "disk";
}

bool storvirt__disk_is_removable(const storvirt__disk_spec *s) {
        return s->device == STORVIRT__DISK_DEVICE_CDROM ||
               s->device == STORVIRT__DISK_DEVICE_FLOPPY;
}

storvirt__disk_cache storvirt__disk_default_cache(const storvirt__disk_spec *s) {
        /* VDSM's: none, vm_custom's viodiskcache on virtio; no mode for removable media */
        if (storvirt__disk_is_removable(s))
                return STORVIRT__DISK_CACHE_UNSET;
        if (s->custom_cache && storvirt__disk_spec_bus(s) == STORVIRT__DISK_BUS_VIRTIO)
                return s->custom_cache;
        return STORVIRT__DISK_CACHE_NONE;
}

void storvirt__disk_spec_apply_defaults(storvirt__disk_spec *s) {
        if (s->bus == STORVIRT__DISK_BUS_UNSET)
                s->bus = storvirt__disk_default_bus(s->device);
        if (s->cache == STORVIRT__DISK_CACHE_UNSET)
                s->cache = storvirt__disk_default_cache(s);
        /* QEMU's floppy device has no error policy */
        if (s->error_policy == STORVIRT__DISK_ERROR_POLICY_UNSET &&
            s->device != STORVIRT__DISK_DEVICE_FLOPPY)
                s->error_policy = STORVIRT__DISK_ERROR_POLICY_STOP;
        if (s->format == STORVIRT__DISK_FORMAT_UNSET &&
            (storvirt__disk_source_is_lun(s->source) || s->device == STORVIRT__DISK_DEVICE_LUN))
                s->format = STORVIRT__DISK_FORMAT_RAW;
}

bool storvirt__disk_source_is_lun(storvirt__disk_source src) {
        return src == STORVIRT__DISK_SOURCE_GUID || src == STORVIRT__DISK_SOURCE_FS_UUID;
}
