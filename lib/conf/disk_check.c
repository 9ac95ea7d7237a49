/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * disk_check.c - the checks of one drive, which follow libvirt's qemu
 * driver and QEMU: device lun takes a source that can be a block device
 * or an iSCSI LUN (a vDisk only while its top image is its LUN, checked
 * when it is resolved; not an empty drive), format raw, bus scsi (QEMU's
 * virtio-blk refuses SCSI passthrough with virtio 1.0; a serial is left
 * out by the resolution, as VDSM does); sgio and reservations are for lun
 * only; a LUN named by GUID or UUID is raw; floppy is on fdc and from an
 * image (no LUN, no network) and has no error policy; cdrom is not on
 * virtio; a read-only disk is not on ide or sata (QEMU's ide-hd cannot
 * be read-only); a writable shared disk is raw (libvirt's concurrent
 * access rule); a PCI address is for virtio, a drive address for ide,
 * sata, scsi and fdc within each controller's limits; index fits the bus
 * (ide 0-3, fdc 0-1).  Whether a path or volume really is a block device,
 * and a LUN a SCSI device, is for the resolution to check.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "conf/disk.h"
#include "conf/disk_json.h"
#include "conf/disk_parse.h"
#include "util/error.h"
#include "util/macro.h"
#include "util/strv.h"

/* QEMU's scsi-hd and scsi-cd refuse longer serials. */
#define SCSI_SERIAL_MAX 36

static int problem(struct storvirt__strv_builder *b, const char *name, const char *fmt, ...)
        _printf_(3, 4);
static int problem(struct storvirt__strv_builder *b, const char *name, const char *fmt, ...) {
        _cleanup_free_ char *m = NULL;
        char *full;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&m, fmt, ap);
        va_end(ap);
        if (r < 0) {
                m = NULL;
                return storvirt__error_oom();
        }
        if (asprintf(&full, "%s: %s", name, m) < 0)
                return storvirt__error_oom();
        r = storvirt__strv_builder_push(b, full);
        if (r < 0) {
                free(full);
                return storvirt__error_oom();
        }
        return 0;
}

static const char *source_desc(const storvirt__disk_spec *s, char *buf, size_t size) {
        switch (s->source) {
        case STORVIRT__DISK_SOURCE_GUID:
                snprintf(buf, size, "GUID %s", ESC(s->guid));
                break;
        case STORVIRT__DISK_SOURCE_FS_UUID:
                snprintf(buf, size, "UUID %s", ESC(s->fs_uuid));
                break;
        case STORVIRT__DISK_SOURCE_PDIV:
                snprintf(buf, size, "volume %s", ESC(s->volume_id));
                break;
        case STORVIRT__DISK_SOURCE_VOLUME:
                snprintf(buf, size, "pool volume %s", ESC(s->volume));
                break;
        case STORVIRT__DISK_SOURCE_PATH:
                snprintf(buf, size, "path %s", ESC(s->path));
                break;
        case STORVIRT__DISK_SOURCE_ISCSI:
                snprintf(buf, size, "iscsi source");
                break;
        case STORVIRT__DISK_SOURCE_NETWORK:
                snprintf(buf, size, "network source %s",
                         ESC(s->net_rbd.name ? s->net_rbd.name : s->net_file.name));
                break;
        case STORVIRT__DISK_SOURCE_VDISK:
                snprintf(buf, size, "vdisk %s", ESC(s->vdisk));
                break;
        default:
                snprintf(buf, size, "no source");
                break;
        }
        return buf;
}

#define SOURCE_DESC(s) source_desc((s), (char[STORVIRT__ESCAPED_NAME_SIZE + 16]){ 0 }, \
                                   STORVIRT__ESCAPED_NAME_SIZE + 16)

/* Address checks against the bus (libvirt's and QEMU's rules for each controller). */
static int address_problems(const storvirt__disk_spec *s, storvirt__disk_bus bus, const char *n,
                            struct storvirt__strv_builder *b) {
        const storvirt__disk_address *a = &s->address;
        const char *bn = storvirt__disk_bus_names[bus];
        unsigned bus_max = 0, unit_max = 0, target_max = 0;

        switch (a->type) {
        case STORVIRT__DISK_ADDRESS_PCI:
                if (bus != STORVIRT__DISK_BUS_VIRTIO)
                        return problem(
                                b, n, "key 'address': a PCI address needs bus virtio, not %s%s", bn,
                                bus == STORVIRT__DISK_BUS_USB ? "" : " (give a drive address)");
                return 0;
        case STORVIRT__DISK_ADDRESS_DRIVE:
                break;
        default:
                return 0;
        }
        switch (bus) {
        case STORVIRT__DISK_BUS_IDE:
                bus_max = 1, unit_max = 1;   /* two channels, master and slave */
                break;
        case STORVIRT__DISK_BUS_SATA:
                unit_max = 5;                /* six AHCI ports */
                break;
        case STORVIRT__DISK_BUS_FDC:
                unit_max = 1;
                break;
        case STORVIRT__DISK_BUS_SCSI:
                /* virtio-scsi's limits, the largest of QEMU's SCSI controllers */
                bus_max = 0, target_max = 255, unit_max = 16383;
                break;
        default:
                return problem(b, n, "key 'address': a drive address needs bus ide, sata, scsi or "
                               "fdc, not %s%s", bn, bus == STORVIRT__DISK_BUS_VIRTIO ?
                               " (give a PCI address)" : "");
        }
        if (a->drive_bus > bus_max)
                return problem(b, n, "key 'address.bus': %u is too large for bus %s (at most %u)",
                               a->drive_bus, bn, bus_max);
        if (a->target > target_max)
                return problem(b, n,
                               "key 'address.target': %u is too large for bus %s (at most %u)",
                               a->target, bn, target_max);
        if (a->unit > unit_max)
                return problem(b, n, "key 'address.unit': %u is too large for bus %s (at most %u)",
                               a->unit, bn, unit_max);
        return 0;
}

/* One drive being checked. */
struct check {
        const storvirt__disk_spec *s;
        struct storvirt__strv_builder *b;
        const char *n;                  /* the drive's name */
        storvirt__disk_bus bus;         /* its bus, given or default */
        const char *bn, *dn;            /* the names of its bus and device */
        bool lun;                       /* device lun */
};

/* A problem of the drive being checked (c); returns from the caller on failure. */
#define P(...)                                                                 \
        do {                                                                   \
                int r_ = problem(c->b, c->n, __VA_ARGS__);                     \
                if (r_ < 0)                                                    \
                        return r_;                                             \
        } while (0)

/* The source: one, complete, or none for a removable drive. */
static int source_problems(const struct check *c) {
        const storvirt__disk_spec *s = c->s;
        const char *dn = c->dn;
        bool lun = c->lun;

        switch (s->source) {
        case STORVIRT__DISK_SOURCE_NONE:
                if (s->device == STORVIRT__DISK_DEVICE_DISK || lun)
                        P("no source: device %s needs one of %s (only a cdrom or floppy may be "
                          "empty)", dn, storvirt__disk_sources_list);
                break;
        case STORVIRT__DISK_SOURCE_PDIV:
                if (!s->pool_id || !s->domain_id || !s->image_id || !s->volume_id)
                        P("the volume source lacks%s%s%s%s (poolID, domainID, imageID and volumeID "
                          "go together)",
                          s->pool_id ? "" : " poolID", s->domain_id ? "" : " domainID",
                          s->image_id ? "" : " imageID", s->volume_id ? "" : " volumeID");
                break;
        case STORVIRT__DISK_SOURCE_VOLUME:
                if (!s->pool || !s->volume)
                        P("key '%s' without key '%s' (a storvirt volume is named by pool "
                          "and volume)", s->pool ? "pool" : "volume", s->pool ? "volume" : "pool");
                break;
        case STORVIRT__DISK_SOURCE_ISCSI:
                if (!s->iscsi.host || !s->iscsi.target)
                        P("key 'iscsi': no %s", s->iscsi.host ? "target" : "portal");
                break;
        case STORVIRT__DISK_SOURCE_GUID:
                if (!s->guid)
                        P("key 'GUID': none given");
                break;
        case STORVIRT__DISK_SOURCE_FS_UUID:
                if (!s->fs_uuid)
                        P("key 'UUID': none given");
                break;
        case STORVIRT__DISK_SOURCE_PATH:
                if (!s->path)
                        P("key 'path': none given");
                break;
        case STORVIRT__DISK_SOURCE_VDISK:
                if (!s->vdisk)
                        P("key 'vdisk': none given");
                break;
        case STORVIRT__DISK_SOURCE_NETWORK:
                if (!s->net_rbd.name && !s->net_file.name)
                        P("key 'protocol': no network source");
                break;
        default:
                P("unknown source %d", (int) s->source);
                break;
        }
        return 0;
}

/* Device lun is SCSI passthrough of a block device; its keys are for it only. */
static int lun_problems(const struct check *c) {
        const storvirt__disk_spec *s = c->s;
        storvirt__disk_bus bus = c->bus;
        const char *bn = c->bn;
        const char *dn = c->dn;
        bool lun = c->lun;

        if (lun) {
                if (s->format == STORVIRT__DISK_FORMAT_QCOW2)
                        P("key 'format': qcow2 with device lun: SCSI passthrough gives the "
                          "guest the LUN itself, so the format must be raw");
                if (bus != STORVIRT__DISK_BUS_SCSI)
                        P("key 'iface': device lun needs bus scsi (a virtio-scsi controller), "
                          "not %s (%s)", bn, bus == STORVIRT__DISK_BUS_VIRTIO
                          ? "QEMU's virtio-blk refuses SCSI passthrough with virtio 1.0"
                          : "libvirt refuses SCSI passthrough on other buses");
        } else {
                if (s->sgio)
                        P("key 'sgio': only for device lun (SCSI passthrough), not %s", dn);
                if (s->reservations)
                        P("key 'reservations': only for device lun (SCSI passthrough), not %s", dn);
                if (s->format == STORVIRT__DISK_FORMAT_QCOW2 &&
                    storvirt__disk_source_is_lun(s->source))
                        P("key 'format': qcow2 on %s: a LUN named by %s is used raw",
                          SOURCE_DESC(s),
                          s->source == STORVIRT__DISK_SOURCE_GUID
                                  ? "its GUID"
                                  : "the UUID of the file system on it");
        }
        return 0;
}

/* What each device takes: bus, source, startup policy. */
static int device_problems(const struct check *c) {
        const storvirt__disk_spec *s = c->s;
        storvirt__disk_bus bus = c->bus;
        const char *bn = c->bn;
        const char *dn = c->dn;

        switch (s->device) {
        case STORVIRT__DISK_DEVICE_FLOPPY:
                if (bus != STORVIRT__DISK_BUS_FDC)
                        P("key 'iface': device floppy needs bus fdc, not %s", bn);
                if (s->source == STORVIRT__DISK_SOURCE_ISCSI)
                        P("key 'iscsi': device floppy cannot use a network source (libvirt refuses "
                          "network floppies)");
                else if (storvirt__disk_source_is_lun(s->source))
                        P("device floppy cannot use %s: a floppy is an image file, not a LUN",
                          SOURCE_DESC(s));
                break;
        case STORVIRT__DISK_DEVICE_CDROM:
                if (bus == STORVIRT__DISK_BUS_VIRTIO || bus == STORVIRT__DISK_BUS_FDC)
                        P("key 'iface': device cdrom needs bus ide, sata, scsi or usb, not %s%s",
                          bn,
                          bus == STORVIRT__DISK_BUS_VIRTIO ? " (virtio-blk has no removable media)"
                                                           : "");
                break;
        default:
                if (bus == STORVIRT__DISK_BUS_FDC)
                        P("key 'iface': bus fdc is for device floppy only, not %s", dn);
                break;
        }

        if (s->device == STORVIRT__DISK_DEVICE_FLOPPY &&
            s->error_policy != STORVIRT__DISK_ERROR_POLICY_UNSET &&
            s->error_policy != STORVIRT__DISK_ERROR_POLICY_STOP)
                P("key 'propagateErrors': device floppy has no error policy (QEMU's floppy "
                  "device has no rerror or werror): only 'off', which is not written, is taken");

        if (s->volume_as_volume && s->source != STORVIRT__DISK_SOURCE_VOLUME)
                P("key 'diskType': 'volume' needs a pool+volume source, not %s", SOURCE_DESC(s));
        return 0;
}

/* What libvirt's qemu driver refuses of a disk's access: read-only IDE, shared qcow2. */
static int access_problems(const struct check *c) {
        const storvirt__disk_spec *s = c->s;

        if (s->readonly && s->device == STORVIRT__DISK_DEVICE_DISK &&
            (c->bus == STORVIRT__DISK_BUS_IDE || c->bus == STORVIRT__DISK_BUS_SATA))
                P("key 'readonly': a read-only disk on bus %s: QEMU's ide-hd cannot be "
                  "read-only (libvirt: \"readonly %s disks are not supported\"); use bus "
                  "virtio or scsi, or device cdrom", c->bn, c->bn);
        if (s->shared && !s->readonly && s->device != STORVIRT__DISK_DEVICE_CDROM &&
            s->format == STORVIRT__DISK_FORMAT_QCOW2)
                P("key 'shared': a writable shared disk must be raw, not qcow2 (libvirt: "
                  "\"shared access for disk requires use of supported storage format\"); "
                  "make it readonly, or raw");
        return 0;
}

/* Index, address, serial and I/O mode within the limits of the bus and of QEMU. */
static int limit_problems(const struct check *c) {
        const storvirt__disk_spec *s = c->s;
        storvirt__disk_bus bus = c->bus;
        const char *bn = c->bn;
        bool lun = c->lun;
        storvirt__disk_cache cache;

        if (s->index > (int) storvirt__disk_bus_index_max(bus))
                P("key 'index': %d is too large for bus %s (at most %u%s)", s->index, bn,
                  storvirt__disk_bus_index_max(bus),
                  bus == STORVIRT__DISK_BUS_IDE   ? ": two channels of two drives"
                  : bus == STORVIRT__DISK_BUS_FDC ? ": one controller of two drives"
                                                  : "");
        if (s->address.type != STORVIRT__DISK_ADDRESS_NONE && bus == STORVIRT__DISK_BUS_USB)
                P("key 'address': bus usb takes neither a PCI nor a drive address");
        else {
                int r = address_problems(s, bus, c->n, c->b);

                if (r < 0)
                        return r;
        }

        if (s->serial && !lun && bus == STORVIRT__DISK_BUS_SCSI &&
            strlen(s->serial) > SCSI_SERIAL_MAX)
                P("key 'serial': %zu characters, QEMU's SCSI devices take at most %d",
                  strlen(s->serial), SCSI_SERIAL_MAX);
        cache = s->cache ? s->cache : storvirt__disk_default_cache(s);
        if (s->io == STORVIRT__DISK_IO_NATIVE && cache != STORVIRT__DISK_CACHE_UNSET &&
            cache != STORVIRT__DISK_CACHE_NONE && cache != STORVIRT__DISK_CACHE_DIRECTSYNC)
                P("key 'io': native needs cache none or directsync (O_DIRECT); QEMU "
                  "refuses it with cache %s", storvirt__disk_cache_names[cache]);
        return 0;
}

int storvirt__disk_spec_check(const storvirt__disk_spec *s, struct storvirt__strv_builder *b) {
        struct check ck = {
                .s = s, .b = b, .n = storvirt__disk_spec_name(s), .bus = storvirt__disk_spec_bus(s),
                .lun = s->device == STORVIRT__DISK_DEVICE_LUN,
        };
        const struct check *c = &ck;
        int r;

        ck.bn = storvirt__disk_bus_name(ck.bus);
        ck.dn = storvirt__disk_device_name(s->device);
        if (!ck.dn)
                P("unknown device %d", (int) s->device);
        if (!ck.bn)
                P("unknown bus %d", (int) s->bus);
        if (!ck.dn || !ck.bn)
                return 0;
        if ((r = source_problems(c)) < 0 || (r = lun_problems(c)) < 0 ||
            (r = device_problems(c)) < 0 || (r = access_problems(c)) < 0 ||
            (r = limit_problems(c)) < 0)
                return r;
        return 0;
}

#undef P

int storvirt__disk_spec_problems(const storvirt__disk_spec *spec, char ***ret) {
        struct storvirt__strv_builder b = {};
        int r;

        check_nonnull(spec);
        check_nonnull(ret);
        r = storvirt__disk_spec_check(spec, &b);
        if (r == 0)
                r = storvirt__strv_builder_finish(&b, ret);
        storvirt__strv_builder_done(&b);
        return r;
}

int storvirt__disk_spec_validate(const storvirt__disk_spec *spec) {
        _cleanup_strv_free_ char **p = NULL;
        int r;

        r = storvirt__disk_spec_problems(spec, &p);
        if (r < 0)
                return r;
        if (p[0])
                return storvirt__error_set(-EINVAL, "%s", p[0]);
        return 0;
}
