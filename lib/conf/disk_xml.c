/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * disk_xml.c - the libvirt <disk> element of a resolved disk, and a
 * <devices> element holding several, written through libxml2's writer
 * (util/xml.h) so that every path, pool, volume, IQN and name is escaped
 * by the writer and never by hand.
 *
 * The resolved disk is checked first: anything libvirt would refuse, or
 * silently drop, or that cannot come from a correct resolution (a disk
 * without its source, an unresolved default, sgio on a plain disk) is
 * -EINVAL with a message naming the drive, and nothing is written.
 *
 * Layout.  libvirt's domain schema takes the children of <disk> in any
 * order (the "diskspec" group is an interleave); they are written in the
 * order libvirt's own formatter uses, so the output reads like the disk
 * in "virsh dumpxml":
 *
 *   <disk type= device= [sgio=] [snapshot='no']>
 *     <driver name='qemu' type= [cache=] [error_policy=] [io=] [discard=]/>
 *     <source .../>            (none for an empty cdrom or floppy)
 *     <target dev= bus=/>
 *     <iotune>...</iotune>     (the given fields, in libvirt's order)
 *     <readonly/> <shareable/> <serial>...</serial>
 *     <boot order=/> <alias name='ua-...'/> <address .../>
 *   </disk>
 *
 * (The writer quotes attributes with '"'; with no document encoding,
 * libxml2 writes non-ASCII characters of attribute values as character
 * references, which every XML parser, libvirt's included, reads back
 * as the same UTF-8.)
 *
 * Choices:
 *   - No <seclabel> unless asked (d->no_relabel): libstorvirt does not own
 *     the permissions of what it hands to a VM, the host's libvirt
 *     security drivers apply; a manager that owns them itself, as VDSM
 *     does, gets <seclabel model='dac' relabel='no'/> in every <source>
 *     of a file, block device or volume, backing images included.
 *   - snapshot='no' where libvirt's default snapshot (external, for
 *     every writable disk) cannot work or must not be taken: device lun
 *     ("external active snapshots are not supported on scsi passthrough
 *     devices"), writable shareable disks (an overlay would belong to one
 *     VM only, and libvirt refuses it for formats without concurrent
 *     access), and a vDisk (a "vdisk" or PDIV source), whose image stack
 *     the library keeps itself, as VDSM does for every disk.  Not on a
 *     read-only disk or a cdrom, where it is libvirt's default (libvirt
 *     does not write it back).  Every other disk keeps libvirt's
 *     default, so a snapshot taken without a <disks> list still covers it.
 *   - What libvirt's qemu driver or QEMU would refuse is refused here
 *     too: a read-only ide or sata disk, a writable shared disk that is
 *     not raw, device lun off the scsi bus, an error policy on a floppy.
 *   - No cache= on a cdrom or floppy unless one was given, no
 *     error_policy= on a floppy (QEMU's floppy device has none), as VDSM
 *     writes them.
 *   - For network (iSCSI) disks <auth> goes inside <source>, where
 *     libvirt writes it back; the old place beside <source> is only
 *     kept by libvirt for compatibility.
 *   - A cdrom is always <readonly/>; io= is not written for cdrom and
 *     floppy, as VDSM does.
 *   - An alias gets libvirt's user-alias prefix "ua-" when it lacks it:
 *     libvirt silently drops any other alias from an inactive definition.
 *   - startupPolicy='optional' (spec->optional) only when there is a
 *     source of a file, block device or volume: an empty drive has
 *     nothing to be optional about, and libvirt refuses startupPolicy on
 *     a network disk.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "conf/disk.h"
#include "util/fileio.h"
#include "util/macro.h"
#include "util/uuid.h"
#include "util/xml.h"

#define ESC(s) storvirt__name_escape((s), (char[STORVIRT__ESCAPED_NAME_SIZE]){ 0 }, \
                                     STORVIRT__ESCAPED_NAME_SIZE)

/* ---- names -------------------------------------------------------------- */


/* ---- checks ------------------------------------------------------------- */

/* How messages name the drive: spec->name, else its alias, else "disk". */
static const char *drive_name(const storvirt__disk_spec *s) {
        if (s->name && *s->name)
                return s->name;
        if (s->alias && *s->alias)
                return s->alias;
        return "disk";
}

#define FAIL(d, fmt, ...)                                                     \
        storvirt__error_set(-EINVAL, "%s: " fmt,                              \
                            ESC(drive_name((d)->spec)), ##__VA_ARGS__)

static bool is_removable(const storvirt__disk_spec *s) {
        return s->device == STORVIRT__DISK_DEVICE_CDROM ||
               s->device == STORVIRT__DISK_DEVICE_FLOPPY;
}

static bool only_chars(const char *s, const char *allowed) {
        return s[strspn(s, allowed)] == '\0';
}

#define ALNUM "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

/* libvirt's target dev names: (fd|hd|sd|vd|xvd|ubd) then [a-zA-Z0-9_]+. */
static bool target_dev_ok(const char *dev) {
        static const char *const prefixes[] = { "fd", "hd", "sd", "vd", "xvd", "ubd" };

        for (size_t i = 0; i < ELEMENTSOF(prefixes); i++) {
                size_t n = strlen(prefixes[i]);

                if (strncmp(dev, prefixes[i], n) == 0 && dev[n] &&
                    only_chars(dev + n, ALNUM "_"))
                        return true;
        }
        return false;
}

/* libvirt keeps only user aliases, "ua-..."; the prefix is added when missing. */
static bool alias_has_prefix(const char *alias) {
        return strncmp(alias, "ua-", 3) == 0;
}

static int check_enums(const storvirt__disk_resolved *d) {
        const storvirt__disk_spec *s = d->spec;

        if (!STORVIRT__DISK_NAME(storvirt__disk_type_names, d->type))
                return FAIL(d, "unknown disk type %d", (int) d->type);
        if (!STORVIRT__DISK_NAME(storvirt__disk_device_names, s->device))
                return FAIL(d, "unknown device %d", (int) s->device);
        if (s->bus == STORVIRT__DISK_BUS_UNSET)
                return FAIL(d, "bus not resolved");
        if (!STORVIRT__DISK_NAME(storvirt__disk_bus_names, s->bus))
                return FAIL(d, "unknown bus %d", (int) s->bus);
        if (s->cache == STORVIRT__DISK_CACHE_UNSET && !is_removable(s))
                return FAIL(d, "cache not resolved");
        if (s->cache != STORVIRT__DISK_CACHE_UNSET &&
            !STORVIRT__DISK_NAME(storvirt__disk_cache_names, s->cache))
                return FAIL(d, "unknown cache mode %d", (int) s->cache);
        if (s->error_policy == STORVIRT__DISK_ERROR_POLICY_UNSET &&
            s->device != STORVIRT__DISK_DEVICE_FLOPPY)
                return FAIL(d, "error policy not resolved");
        if (s->error_policy != STORVIRT__DISK_ERROR_POLICY_UNSET &&
            !STORVIRT__DISK_NAME(storvirt__disk_error_policy_xml_names, s->error_policy))
                return FAIL(d, "unknown error policy %d", (int) s->error_policy);
        if (s->format != STORVIRT__DISK_FORMAT_UNSET && !STORVIRT__DISK_NAME(storvirt__disk_format_names, s->format))
                return FAIL(d, "unknown format %d", (int) s->format);
        if (s->io != STORVIRT__DISK_IO_UNSET && !STORVIRT__DISK_NAME(storvirt__disk_io_names, s->io))
                return FAIL(d, "unknown io mode %d", (int) s->io);
        if (!is_removable(s) && s->io == STORVIRT__DISK_IO_UNSET)
                return FAIL(d, "io mode not resolved");
        if (s->discard != STORVIRT__DISK_DISCARD_UNSET && !STORVIRT__DISK_NAME(storvirt__disk_discard_names, s->discard))
                return FAIL(d, "unknown discard mode %d", (int) s->discard);
        if (s->sgio != STORVIRT__DISK_SGIO_UNSET && !STORVIRT__DISK_NAME(storvirt__disk_sgio_names, s->sgio))
                return FAIL(d, "unknown sgio mode %d", (int) s->sgio);
        return 0;
}

static int check_path(const storvirt__disk_resolved *d) {
        const storvirt__disk_spec *s = d->spec;
        const char *what = d->type == STORVIRT__DISK_TYPE_BLOCK ? "block" : "file";

        if (!d->source_path) {
                if (!is_removable(s))
                        return FAIL(d, "disk type %s without a source path (only an empty "
                                    "cdrom or floppy has no source)", what);
                return 0;
        }
        if (d->source_path[0] != '/')
                return FAIL(d, "source path '%s' is not absolute", ESC(d->source_path));
        return 0;
}

static int check_volume(const storvirt__disk_resolved *d) {
        const char *p = d->source_pool, *v = d->source_volume;

        if (!p || !*p)
                return FAIL(d, "disk type volume without a pool name");
        if (!v || !*v)
                return FAIL(d, "disk type volume without a volume name");
        if (strpbrk(p, "/\n"))
                return FAIL(d, "pool name '%s' has a '/' or a newline", ESC(p));
        if (strchr(v, '/') || strcmp(v, ".") == 0 || strcmp(v, "..") == 0)
                return FAIL(d, "volume name '%s' is not allowed", ESC(v));
        return 0;
}

static int check_iscsi(const storvirt__disk_resolved *d) {
        const storvirt__disk_iscsi *i = &d->spec->iscsi;

        if (d->spec->source != STORVIRT__DISK_SOURCE_ISCSI &&
            d->spec->source != STORVIRT__DISK_SOURCE_VDISK &&
            d->spec->source != STORVIRT__DISK_SOURCE_PDIV &&
            d->spec->source != STORVIRT__DISK_SOURCE_VOLUME)
                return FAIL(d, "disk type network needs an iSCSI source");
        if (!i->host || !*i->host)
                return FAIL(d, "iSCSI source without a portal host");
        if (i->port == 0 || i->port > 65535)
                return FAIL(d, "iSCSI portal port %u is out of range 1-65535", i->port);
        if (!i->target || !*i->target)
                return FAIL(d, "iSCSI source without a target IQN");
        if (i->initiator && !*i->initiator)
                return FAIL(d, "empty iSCSI initiator IQN");
        if (!i->auth_username) {
                if (i->secret_uuid || i->secret_usage)
                        return FAIL(d, "iSCSI secret without a CHAP user name");
                return 0;
        }
        if (!*i->auth_username)
                return FAIL(d, "empty CHAP user name");
        if (!i->secret_uuid == !i->secret_usage)
                return FAIL(d, "CHAP user '%s' needs exactly one of a secret UUID or a "
                            "secret usage", ESC(i->auth_username));
        if ((i->secret_uuid && !*i->secret_uuid) || (i->secret_usage && !*i->secret_usage))
                return FAIL(d, "empty iSCSI secret");
        return 0;
}

static int check_rbd(const storvirt__disk_resolved *d) {
        const storvirt__disk_rbd *r = &d->rbd;
        const char *slash = strchr(r->name, '/');

        if (!slash || slash == r->name || !slash[1] || strchr(slash + 1, '/') ||
            strpbrk(r->name, "@\n"))
                return FAIL(d, "rbd source name '%s' is not POOL/IMAGE", ESC(r->name));
        if (r->n_hosts == 0)
                return FAIL(d, "rbd source '%s' without a monitor host", ESC(r->name));
        for (size_t i = 0; i < r->n_hosts; i++)
                if (!r->hosts[i][0] || r->ports[i] > 65535)
                        return FAIL(d, "rbd monitor host '%s' port %u is not valid",
                                    ESC(r->hosts[i]), r->ports[i]);
        if (!r->auth_username)
                return r->secret_uuid || r->secret_usage
                               ? FAIL(d, "rbd secret without a cephx user name") : 0;
        if (!*r->auth_username || !r->secret_uuid == !r->secret_usage)
                return FAIL(d, "cephx user '%s' needs exactly one of a secret UUID or a "
                            "secret usage", ESC(r->auth_username));
        return 0;
}

static int check_netfile(const storvirt__disk_resolved *d) {
        const storvirt__disk_netfile *n = &d->netfile;

        if (strcmp(n->protocol, "gluster") != 0)
                return FAIL(d, "network protocol '%s' is not supported", ESC(n->protocol));
        if (!n->name || !*n->name || n->name[0] == '/')
                return FAIL(d, "gluster source without a VOLUME/PATH name");
        if (n->n_hosts == 0)
                return FAIL(d, "gluster source without a host");
        for (size_t i = 0; i < n->n_hosts; i++) {
                if (!n->hosts[i].name || !*n->hosts[i].name)
                        return FAIL(d, "gluster source with an empty host name");
                if (n->hosts[i].port == 0 || n->hosts[i].port > 65535)
                        return FAIL(d, "gluster host port %u is out of range 1-65535",
                                    n->hosts[i].port);
        }
        return 0;
}

static int check_source(const storvirt__disk_resolved *d) {
        const storvirt__disk_spec *s = d->spec;

        if (d->type != STORVIRT__DISK_TYPE_NETWORK && s->source == STORVIRT__DISK_SOURCE_ISCSI)
                return FAIL(d, "an iSCSI source needs disk type network, not %s",
                            storvirt__disk_type_names[d->type]);
        switch (d->type) {
        case STORVIRT__DISK_TYPE_FILE:
        case STORVIRT__DISK_TYPE_BLOCK:
                return check_path(d);
        case STORVIRT__DISK_TYPE_VOLUME:
                return check_volume(d);
        case STORVIRT__DISK_TYPE_NETWORK:
                return d->rbd.name        ? check_rbd(d)
                       : d->netfile.protocol ? check_netfile(d)
                                             : check_iscsi(d);
        }
        return 0;
}

/* What libvirt's qemu driver or QEMU refuses when the domain is defined or started. */
static int check_qemu(const storvirt__disk_resolved *d) {
        const storvirt__disk_spec *s = d->spec;
        const char *bn = STORVIRT__DISK_NAME(storvirt__disk_bus_names, s->bus);

        if (s->device == STORVIRT__DISK_DEVICE_LUN && s->bus != STORVIRT__DISK_BUS_SCSI)
                return FAIL(d, "device lun needs bus scsi, not %s (%s)", bn,
                            s->bus == STORVIRT__DISK_BUS_VIRTIO
                                    ? "QEMU's virtio-blk refuses SCSI passthrough with virtio 1.0"
                                    : "libvirt refuses SCSI passthrough on other buses");
        if (s->readonly && s->device == STORVIRT__DISK_DEVICE_DISK &&
            (s->bus == STORVIRT__DISK_BUS_IDE || s->bus == STORVIRT__DISK_BUS_SATA))
                return FAIL(d, "a read-only disk on bus %s: QEMU's ide-hd cannot be read-only "
                            "(libvirt: \"readonly %s disks are not supported\"); use bus virtio "
                            "or scsi", bn, bn);
        if (s->shared && !s->readonly && s->device != STORVIRT__DISK_DEVICE_CDROM &&
            s->format != STORVIRT__DISK_FORMAT_UNSET &&
            s->format != STORVIRT__DISK_FORMAT_RAW)
                return FAIL(d, "a writable shared disk must be raw, not %s (libvirt: \"shared "
                            "access for disk requires use of supported storage format\")",
                            storvirt__disk_format_names[s->format]);
        if (s->device == STORVIRT__DISK_DEVICE_FLOPPY &&
            s->error_policy != STORVIRT__DISK_ERROR_POLICY_UNSET &&
            s->error_policy != STORVIRT__DISK_ERROR_POLICY_STOP)
                return FAIL(d, "device floppy has no error policy (QEMU's floppy device has no "
                            "rerror or werror)");
        return 0;
}

static int check_device(const storvirt__disk_resolved *d) {
        const storvirt__disk_spec *s = d->spec;
        bool lun = s->device == STORVIRT__DISK_DEVICE_LUN;
        bool has_source = d->type == STORVIRT__DISK_TYPE_NETWORK ||
                          d->type == STORVIRT__DISK_TYPE_VOLUME || d->source_path;

        /* an empty drive may leave the format to its media: raw is written */
        if (has_source && s->format == STORVIRT__DISK_FORMAT_UNSET)
                return FAIL(d, "format not resolved");
        if (lun && d->type == STORVIRT__DISK_TYPE_FILE)
                return FAIL(d, "device lun needs a block, network or volume source, not a file");
        if (lun && s->format == STORVIRT__DISK_FORMAT_QCOW2)
                return FAIL(d, "device lun needs format raw, not qcow2");
        if (!lun && s->sgio != STORVIRT__DISK_SGIO_UNSET)
                return FAIL(d, "sgio is only for device lun, not %s", storvirt__disk_device_names[s->device]);
        if (!lun && s->reservations)
                return FAIL(d, "reservations are only for device lun, not %s",
                            storvirt__disk_device_names[s->device]);
        if (s->reservations && d->type != STORVIRT__DISK_TYPE_BLOCK)
                return FAIL(d, "reservations need disk type block, not %s",
                            storvirt__disk_type_names[d->type]);
        if (lun && s->serial)
                return FAIL(d, "no serial for device lun (the guest sees the LUN's own)");
        return check_qemu(d);
}

static int check_target(const storvirt__disk_resolved *d) {
        const storvirt__disk_spec *s = d->spec;
        const storvirt__disk_address *a = &s->address;

        if (!d->target_dev || !*d->target_dev)
                return FAIL(d, "no target dev");
        if (!target_dev_ok(d->target_dev))
                return FAIL(d, "target dev '%s' is not a disk name (fd, hd, sd, vd, xvd or "
                            "ubd followed by letters, digits or '_')", ESC(d->target_dev));
        switch (a->type) {
        case STORVIRT__DISK_ADDRESS_NONE:
                break;
        case STORVIRT__DISK_ADDRESS_PCI:
                if (s->bus != STORVIRT__DISK_BUS_VIRTIO)
                        return FAIL(d, "a PCI address needs bus virtio, not %s",
                                    storvirt__disk_bus_names[s->bus]);
                if (a->domain > 0xffff || a->bus > 0xff || a->slot > 0x1f || a->function > 7)
                        return FAIL(d, "PCI address %x:%x:%x.%x is out of range "
                                    "(domain 0-ffff, bus 0-ff, slot 0-1f, function 0-7)",
                                    a->domain, a->bus, a->slot, a->function);
                break;
        case STORVIRT__DISK_ADDRESS_DRIVE:
                if (s->bus != STORVIRT__DISK_BUS_SCSI && s->bus != STORVIRT__DISK_BUS_IDE &&
                    s->bus != STORVIRT__DISK_BUS_SATA && s->bus != STORVIRT__DISK_BUS_FDC)
                        return FAIL(d, "a drive address needs bus scsi, ide, sata or fdc, "
                                    "not %s", storvirt__disk_bus_names[s->bus]);
                if (a->controller > 99 || a->drive_bus > 99 || a->target > 99 ||
                    a->unit > 99999)
                        return FAIL(d, "drive address %u:%u:%u:%u is out of range "
                                    "(controller, bus, target 0-99, unit 0-99999)",
                                    a->controller, a->drive_bus, a->target, a->unit);
                break;
        default:
                return FAIL(d, "unknown address type %d", (int) a->type);
        }
        return 0;
}

static int check_extras(const storvirt__disk_resolved *d) {
        const storvirt__disk_spec *s = d->spec;
        const storvirt__disk_iotune *t = &s->iotune;
        unsigned all = (1u << STORVIRT__IOTUNE_N) - 1;

        if (t->set & ~all)
                return FAIL(d, "unknown iotune fields 0x%x", t->set & ~all);
        if ((t->set & (1u << STORVIRT__IOTUNE_TOTAL_BYTES_SEC)) &&
            (t->set & (1u << STORVIRT__IOTUNE_READ_BYTES_SEC |
                       1u << STORVIRT__IOTUNE_WRITE_BYTES_SEC)))
                return FAIL(d, "iotune: total_bytes_sec cannot be given with read_bytes_sec "
                            "or write_bytes_sec");
        if ((t->set & (1u << STORVIRT__IOTUNE_TOTAL_IOPS_SEC)) &&
            (t->set & (1u << STORVIRT__IOTUNE_READ_IOPS_SEC |
                       1u << STORVIRT__IOTUNE_WRITE_IOPS_SEC)))
                return FAIL(d, "iotune: total_iops_sec cannot be given with read_iops_sec "
                            "or write_iops_sec");
        if (s->serial && (!*s->serial || !only_chars(s->serial, ALNUM "_.+- ")))
                return FAIL(d, "serial '%s' is empty or has characters other than letters, "
                            "digits, ' ', '_', '.', '+' and '-'", ESC(s->serial));
        if (s->alias) {
                const char *rest = alias_has_prefix(s->alias) ? s->alias + 3 : s->alias;

                if (!*rest || !only_chars(rest, ALNUM "_-"))
                        return FAIL(d, "alias '%s' is empty or has characters other than "
                                    "letters, digits, '_' and '-'", ESC(s->alias));
        }
        if (s->boot_order > INT32_MAX)
                return FAIL(d, "boot order %u is out of range", s->boot_order);
        return 0;
}

/* <encryption>: a LUKS file or volume source, with the secret of its passphrase. */
static int check_encryption(const storvirt__disk_resolved *d) {
        storvirt__uuid u;

        if (!d->encryption[0])
                return 0;
        if (d->type != STORVIRT__DISK_TYPE_FILE && d->type != STORVIRT__DISK_TYPE_VOLUME)
                return storvirt__error_set(-EINVAL, "%s: an encrypted source must be a file or "
                                           "a volume", drive_name(d->spec));
        if (strcmp(d->encryption, "luks") != 0)
                return storvirt__error_set(-EINVAL, "%s: encryption '%s' is not handed to a VM "
                                           "(luks only)", drive_name(d->spec), d->encryption);
        if (storvirt__uuid_parse(d->encryption_secret, &u) < 0)
                return storvirt__error_set(-EINVAL, "%s: an encrypted source needs the UUID of "
                                           "its secret", drive_name(d->spec));
        return 0;
}

int storvirt__disk_resolved_check(const storvirt__disk_resolved *d) {
        int r;

        if (!d)
                return storvirt__error_set(-EINVAL, "disk XML: missing disk");
        if (!d->spec)
                return storvirt__error_set(-EINVAL, "disk XML: resolved disk without its spec");
        r = check_enums(d);
        if (r >= 0)
                r = check_source(d);
        if (r >= 0)
                r = check_device(d);
        if (r >= 0)
                r = check_target(d);
        if (r >= 0)
                r = check_extras(d);
        if (r >= 0)
                r = check_encryption(d);
        return r;
}

/* ---- writing ------------------------------------------------------------ */

static void write_empty(storvirt__xml_writer *w, const char *name) {
        storvirt__xml_writer_start(w, name);
        storvirt__xml_writer_end(w);
}

static void write_driver(storvirt__xml_writer *w, const storvirt__disk_resolved *d) {
        const storvirt__disk_spec *s = d->spec;
        storvirt__disk_format format = s->format ? s->format : STORVIRT__DISK_FORMAT_RAW;

        storvirt__xml_writer_start(w, "driver");
        storvirt__xml_writer_attr(w, "name", "qemu");
        storvirt__xml_writer_attr(w, "type", storvirt__disk_format_names[format]);
        if (s->cache != STORVIRT__DISK_CACHE_UNSET)
                storvirt__xml_writer_attr(w, "cache", storvirt__disk_cache_names[s->cache]);
        /* QEMU's floppy device has no rerror/werror: libvirt would pass them on */
        if (s->error_policy != STORVIRT__DISK_ERROR_POLICY_UNSET &&
            s->device != STORVIRT__DISK_DEVICE_FLOPPY)
                storvirt__xml_writer_attr(w, "error_policy",
                                          storvirt__disk_error_policy_xml_names[s->error_policy]);
        if (!is_removable(s))
                storvirt__xml_writer_attr(w, "io", storvirt__disk_io_names[s->io]);
        if (s->discard)
                storvirt__xml_writer_attr(w, "discard", storvirt__disk_discard_names[s->discard]);
        storvirt__xml_writer_end(w);
}

static void write_startup_policy(storvirt__xml_writer *w, const storvirt__disk_spec *s) {
        if (s->optional)
                storvirt__xml_writer_attr(w, "startupPolicy", "optional");
}

/* libvirt's DAC driver leaves the owner of this source alone. */
static void write_no_relabel(storvirt__xml_writer *w, const storvirt__disk_resolved *d) {
        if (!d->no_relabel)
                return;
        storvirt__xml_writer_start(w, "seclabel");
        storvirt__xml_writer_attr(w, "model", "dac");
        storvirt__xml_writer_attr(w, "relabel", "no");
        storvirt__xml_writer_end(w);
}

static void write_iscsi_source(storvirt__xml_writer *w, const storvirt__disk_iscsi *i) {
        storvirt__xml_writer_start(w, "source");
        storvirt__xml_writer_attr(w, "protocol", "iscsi");
        storvirt__xml_writer_attr_printf(w, "name", "%s/%u", i->target, i->lun);
        storvirt__xml_writer_start(w, "host");
        storvirt__xml_writer_attr(w, "name", i->host);
        storvirt__xml_writer_attr_printf(w, "port", "%u", i->port);
        storvirt__xml_writer_end(w);
        if (i->initiator) {
                storvirt__xml_writer_start(w, "initiator");
                storvirt__xml_writer_start(w, "iqn");
                storvirt__xml_writer_attr(w, "name", i->initiator);
                storvirt__xml_writer_end(w);
                storvirt__xml_writer_end(w);
        }
        if (i->auth_username) {
                storvirt__xml_writer_start(w, "auth");
                storvirt__xml_writer_attr(w, "username", i->auth_username);
                storvirt__xml_writer_start(w, "secret");
                storvirt__xml_writer_attr(w, "type", "iscsi");
                if (i->secret_uuid)
                        storvirt__xml_writer_attr(w, "uuid", i->secret_uuid);
                else
                        storvirt__xml_writer_attr(w, "usage", i->secret_usage);
                storvirt__xml_writer_end(w);
                storvirt__xml_writer_end(w);
        }
        storvirt__xml_writer_end(w);
}

static void write_rbd_source(storvirt__xml_writer *w, const storvirt__disk_rbd *r) {
        storvirt__xml_writer_start(w, "source");
        storvirt__xml_writer_attr(w, "protocol", "rbd");
        storvirt__xml_writer_attr(w, "name", r->name);
        for (size_t i = 0; i < r->n_hosts; i++) {
                storvirt__xml_writer_start(w, "host");
                storvirt__xml_writer_attr(w, "name", r->hosts[i]);
                if (r->ports[i])
                        storvirt__xml_writer_attr_printf(w, "port", "%u", r->ports[i]);
                storvirt__xml_writer_end(w);
        }
        if (r->auth_username) {
                storvirt__xml_writer_start(w, "auth");
                storvirt__xml_writer_attr(w, "username", r->auth_username);
                storvirt__xml_writer_start(w, "secret");
                storvirt__xml_writer_attr(w, "type", "ceph");
                if (r->secret_uuid)
                        storvirt__xml_writer_attr(w, "uuid", r->secret_uuid);
                else
                        storvirt__xml_writer_attr(w, "usage", r->secret_usage);
                storvirt__xml_writer_end(w);
                storvirt__xml_writer_end(w);
        }
        storvirt__xml_writer_end(w);
}

static void write_netfile_source(storvirt__xml_writer *w, const storvirt__disk_netfile *n) {
        storvirt__xml_writer_start(w, "source");
        storvirt__xml_writer_attr(w, "protocol", n->protocol);
        storvirt__xml_writer_attr(w, "name", n->name);
        for (size_t i = 0; i < n->n_hosts; i++) {
                storvirt__xml_writer_start(w, "host");
                storvirt__xml_writer_attr(w, "name", n->hosts[i].name);
                storvirt__xml_writer_attr_printf(w, "port", "%u", n->hosts[i].port);
                if (n->hosts[i].rdma)
                        storvirt__xml_writer_attr(w, "transport", "rdma");
                storvirt__xml_writer_end(w);
        }
        storvirt__xml_writer_end(w);
}

/* libvirt's <encryption> of a disk source: the format and the secret of its passphrase. */
static void write_encryption(storvirt__xml_writer *w, const storvirt__disk_resolved *d) {
        if (!d->encryption[0])
                return;
        storvirt__xml_writer_start(w, "encryption");
        storvirt__xml_writer_attr(w, "format", d->encryption);
        storvirt__xml_writer_start(w, "secret");
        storvirt__xml_writer_attr(w, "type", "passphrase");
        storvirt__xml_writer_attr(w, "uuid", d->encryption_secret);
        storvirt__xml_writer_end(w);
        storvirt__xml_writer_end(w);
}

static void write_source(storvirt__xml_writer *w, const storvirt__disk_resolved *d) {
        const storvirt__disk_spec *s = d->spec;

        switch (d->type) {
        case STORVIRT__DISK_TYPE_FILE:
        case STORVIRT__DISK_TYPE_BLOCK:
                if (!d->source_path)
                        return;
                storvirt__xml_writer_start(w, "source");
                storvirt__xml_writer_attr(w, d->type == STORVIRT__DISK_TYPE_FILE ? "file" : "dev",
                                          d->source_path);
                write_startup_policy(w, s);
                if (s->reservations) {
                        storvirt__xml_writer_start(w, "reservations");
                        storvirt__xml_writer_attr(w, "managed", "yes");
                        storvirt__xml_writer_end(w);
                }
                write_encryption(w, d);
                write_no_relabel(w, d);
                storvirt__xml_writer_end(w);
                break;
        case STORVIRT__DISK_TYPE_VOLUME:
                storvirt__xml_writer_start(w, "source");
                storvirt__xml_writer_attr(w, "pool", d->source_pool);
                storvirt__xml_writer_attr(w, "volume", d->source_volume);
                write_startup_policy(w, s);
                write_encryption(w, d);
                write_no_relabel(w, d);
                storvirt__xml_writer_end(w);
                break;
        case STORVIRT__DISK_TYPE_NETWORK:
                if (d->rbd.name)
                        write_rbd_source(w, &d->rbd);
                else if (d->netfile.protocol)
                        write_netfile_source(w, &d->netfile);
                else
                        write_iscsi_source(w, &s->iscsi);
                break;
        }
}

/*
 * The images below the source, each a <backingStore> nested in the one
 * above, the last closed by an empty <backingStore/> (nothing further
 * to probe); a qcow2 source with no backing file gets the empty one alone.
 */
static void write_backing(storvirt__xml_writer *w, const storvirt__disk_resolved *d) {
        if (d->n_backing == 0) {
                /* a qcow2 image whose chain was checked: nothing below it to probe */
                if (d->backing_known && d->spec->format == STORVIRT__DISK_FORMAT_QCOW2)
                        write_empty(w, "backingStore");
                return;
        }
        for (size_t i = 0; i < d->n_backing; i++) {
                const storvirt__disk_backing *b = &d->backing[i];

                storvirt__xml_writer_start(w, "backingStore");
                storvirt__xml_writer_attr(w, "type", storvirt__disk_type_names[b->type]);
                storvirt__xml_writer_start(w, "format");
                storvirt__xml_writer_attr(w, "type", storvirt__disk_format_names[b->format]);
                storvirt__xml_writer_end(w);
                if (b->type == STORVIRT__DISK_TYPE_NETWORK && b->netfile.protocol) {
                        write_netfile_source(w, &b->netfile);
                } else if (b->type == STORVIRT__DISK_TYPE_NETWORK) {
                        write_iscsi_source(w, &b->iscsi);
                } else {
                        storvirt__xml_writer_start(w, "source");
                        storvirt__xml_writer_attr(w, b->type == STORVIRT__DISK_TYPE_FILE ? "file"
                                                                                        : "dev",
                                                  b->path);
                        write_no_relabel(w, d);
                        storvirt__xml_writer_end(w);
                }
        }
        write_empty(w, "backingStore");
        for (size_t i = 0; i < d->n_backing; i++)
                storvirt__xml_writer_end(w);
}

static void write_iotune(storvirt__xml_writer *w, const storvirt__disk_iotune *t) {
        char buf[32];

        if (!t->set)
                return;
        storvirt__xml_writer_start(w, "iotune");
        for (unsigned i = 0; i < STORVIRT__IOTUNE_N; i++) {
                if (!(t->set & (1u << i)))
                        continue;
                snprintf(buf, sizeof(buf), "%llu", (unsigned long long) t->value[i]);
                storvirt__xml_writer_text_element(w, storvirt__iotune_names[i], buf);
        }
        storvirt__xml_writer_end(w);
}

static void write_address(storvirt__xml_writer *w, const storvirt__disk_address *a) {
        switch (a->type) {
        case STORVIRT__DISK_ADDRESS_NONE:
                return;
        case STORVIRT__DISK_ADDRESS_PCI:
                storvirt__xml_writer_start(w, "address");
                storvirt__xml_writer_attr(w, "type", "pci");
                storvirt__xml_writer_attr_printf(w, "domain", "0x%04x", a->domain);
                storvirt__xml_writer_attr_printf(w, "bus", "0x%02x", a->bus);
                storvirt__xml_writer_attr_printf(w, "slot", "0x%02x", a->slot);
                storvirt__xml_writer_attr_printf(w, "function", "0x%x", a->function);
                storvirt__xml_writer_end(w);
                return;
        case STORVIRT__DISK_ADDRESS_DRIVE:
                storvirt__xml_writer_start(w, "address");
                storvirt__xml_writer_attr(w, "type", "drive");
                storvirt__xml_writer_attr_printf(w, "controller", "%u", a->controller);
                storvirt__xml_writer_attr_printf(w, "bus", "%u", a->drive_bus);
                storvirt__xml_writer_attr_printf(w, "target", "%u", a->target);
                storvirt__xml_writer_attr_printf(w, "unit", "%u", a->unit);
                storvirt__xml_writer_end(w);
                return;
        }
}

/*
 * Writes the <disk> of d (checked already).  The writer's first error
 * sticks, so the closing tag's result is the result of the whole disk.
 */
static int write_disk(storvirt__xml_writer *w, const storvirt__disk_resolved *d) {
        const storvirt__disk_spec *s = d->spec;
        bool lun = s->device == STORVIRT__DISK_DEVICE_LUN;
        bool vdisk = s->source == STORVIRT__DISK_SOURCE_VDISK ||
                     s->source == STORVIRT__DISK_SOURCE_PDIV;
        /* libvirt's default for a read-only disk already, which it does not write back */
        bool readonly = s->readonly || s->device == STORVIRT__DISK_DEVICE_CDROM;
        bool no_snapshot = !readonly && (lun || s->shared || vdisk);

        storvirt__xml_writer_start(w, "disk");
        storvirt__xml_writer_attr(w, "type", storvirt__disk_type_names[d->type]);
        storvirt__xml_writer_attr(w, "device", storvirt__disk_device_names[s->device]);
        if (s->sgio)
                storvirt__xml_writer_attr(w, "sgio", storvirt__disk_sgio_names[s->sgio]);
        if (no_snapshot)
                storvirt__xml_writer_attr(w, "snapshot", "no");

        write_driver(w, d);
        write_source(w, d);
        write_backing(w, d);

        storvirt__xml_writer_start(w, "target");
        storvirt__xml_writer_attr(w, "dev", d->target_dev);
        storvirt__xml_writer_attr(w, "bus", storvirt__disk_bus_names[s->bus]);
        storvirt__xml_writer_end(w);

        write_iotune(w, &s->iotune);
        if (s->readonly || s->device == STORVIRT__DISK_DEVICE_CDROM)
                write_empty(w, "readonly");
        if (s->shared)
                write_empty(w, "shareable");
        if (s->serial)
                storvirt__xml_writer_text_element(w, "serial", s->serial);
        if (s->vendor && *s->vendor)
                storvirt__xml_writer_text_element(w, "vendor", s->vendor);
        if (s->product && *s->product)
                storvirt__xml_writer_text_element(w, "product", s->product);
        if (s->boot_order) {
                storvirt__xml_writer_start(w, "boot");
                storvirt__xml_writer_attr_printf(w, "order", "%u", s->boot_order);
                storvirt__xml_writer_end(w);
        }
        if (s->alias) {
                storvirt__xml_writer_start(w, "alias");
                storvirt__xml_writer_attr_printf(w, "name", "%s%s",
                                                 alias_has_prefix(s->alias) ? "" : "ua-",
                                                 s->alias);
                storvirt__xml_writer_end(w);
        }
        write_address(w, &s->address);
        return storvirt__xml_writer_end(w);
}

/* The writer's own failure (bad UTF-8 in a value, no memory), naming the drive. */
static int writer_error(const storvirt__disk_resolved *d, int r) {
        if (r == -ENOMEM)
                return r;
        return storvirt__error_prefix("%s", ESC(drive_name(d->spec)));
}

/* <lease><lockspace/><key/><target path= offset=/></lease>, when asked for and there is one. */
static int write_lease(storvirt__xml_writer *w, const storvirt__disk_resolved *d) {
        if (!d->with_lease || !d->lease_lockspace)
                return 0;
        storvirt__xml_writer_start(w, "lease");
        storvirt__xml_writer_text_element(w, "lockspace", d->lease_lockspace);
        storvirt__xml_writer_text_element(w, "key", d->lease_key);
        storvirt__xml_writer_start(w, "target");
        storvirt__xml_writer_attr(w, "path", d->lease_path);
        storvirt__xml_writer_attr_printf(w, "offset", "%" PRIu64, d->lease_offset);
        storvirt__xml_writer_end(w);
        return storvirt__xml_writer_end(w);
}

/* The <lease> element alone (a document of its own), appended to *xml. */
static int append_lease(const storvirt__disk_resolved *d, char **xml) {
        _cleanup_xml_writer_ storvirt__xml_writer *w = NULL;
        _cleanup_free_ char *lease = NULL;
        char *both = NULL;
        int r;

        if (!d->with_lease || !d->lease_lockspace)
                return 0;
        r = storvirt__xml_writer_new(&w);
        if (r >= 0)
                r = write_lease(w, d);
        if (r >= 0)
                r = storvirt__xml_writer_finish(w, &lease, NULL);
        if (r < 0)
                return r;
        if (asprintf(&both, "%s%s", *xml, lease) < 0)
                return storvirt__error_oom();
        free(*xml);
        *xml = both;
        return 0;
}

int storvirt__disk_to_xml(const storvirt__disk_resolved *d, char **ret) {
        _cleanup_xml_writer_ storvirt__xml_writer *w = NULL;
        int r;

        check_nonnull(d);
        check_nonnull(ret);
        r = storvirt__disk_resolved_check(d);
        if (r < 0)
                return r;
        r = storvirt__xml_writer_new(&w);
        if (r < 0)
                return r;
        r = write_disk(w, d);
        if (r < 0)
                return writer_error(d, r);
        r = storvirt__xml_writer_finish(w, ret, NULL);
        if (r >= 0 && (r = append_lease(d, ret)) < 0) {
                free(*ret);
                *ret = NULL;
        }
        return r;
}

int storvirt__devices_xml(const storvirt__disk_controller *ctrls, size_t n_ctrls,
                          storvirt__disk_resolved *const *d, size_t n, char **ret) {
        _cleanup_xml_writer_ storvirt__xml_writer *w = NULL;
        int r;

        check_arg(d || n == 0, "d", "must not be NULL when n > 0");
        check_arg(ctrls || n_ctrls == 0, "ctrls", "must not be NULL when n_ctrls > 0");
        check_nonnull(ret);
        for (size_t i = 0; i < n; i++) {
                if (!d[i])
                        return storvirt__error_set(-EINVAL, "devices XML: disk %zu is missing",
                                                   i);
                r = storvirt__disk_resolved_check(d[i]);
                if (r < 0)
                        return r;
        }
        r = storvirt__xml_writer_new(&w);
        if (r < 0)
                return r;
        storvirt__xml_writer_start(w, "devices");
        for (size_t i = 0; i < n_ctrls; i++) {
                storvirt__xml_writer_start(w, "controller");
                storvirt__xml_writer_attr(w, "type", ctrls[i].type);
                storvirt__xml_writer_attr_printf(w, "index", "%u", ctrls[i].index);
                if (ctrls[i].model)
                        storvirt__xml_writer_attr(w, "model", ctrls[i].model);
                storvirt__xml_writer_end(w);
        }
        for (size_t i = 0; i < n; i++) {
                r = write_disk(w, d[i]);
                if (r < 0)
                        return writer_error(d[i], r);
        }
        for (size_t i = 0; i < n; i++)
                if ((r = write_lease(w, d[i])) < 0)
                        return writer_error(d[i], r);
        storvirt__xml_writer_end(w);
        return storvirt__xml_writer_finish(w, ret, NULL);
}

int storvirt__disks_to_devices_xml(storvirt__disk_resolved *const *d, size_t n, char **ret) {
        return storvirt__devices_xml(NULL, 0, d, n, ret);
}
