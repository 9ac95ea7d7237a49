/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-disk-xml.c - the libvirt <disk> and <devices> XML of resolved
 * disks: exact output for each kind of disk (block LUN with sgio and
 * reservations, qcow2 file with iotune and boot order, iSCSI with CHAP
 * and initiator, storage volume, empty and optional cdrom, floppy,
 * shareable and readonly disks, PCI and drive addresses, aliases, a path
 * full of characters XML must escape, an optional LUN, a vDisk's overlay
 * with the DAC seclabel), and the inconsistent resolved disks that are
 * refused, with what libvirt's qemu driver and QEMU refuse.
 *
 * The resolved disks are built here field by field, with their own free
 * function, so the test needs nothing but disk_xml.c.
 *
 * "test-disk-xml --write-domains DIR" only writes, for every case, a
 * minimal domain holding that disk (DIR/<case>.xml), and one holding all
 * of them (DIR/all-disks.xml), for tests/scripts/libvirt-judge-disks.py.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/disk.h"
#include "util/error.h"
#include "util/xml.h"

/* ---- building resolved disks ------------------------------------------- */

static char *xstrdup(const char *s) {
        char *r;

        if (!s)
                return NULL;
        r = strdup(s);
        assert_non_null(r);
        return r;
}

static void set_str(char **field, const char *value) {
        free(*field);
        *field = xstrdup(value);
}

static void spec_free(storvirt__disk_spec *s) {
        if (!s)
                return;
        free(s->name);
        free(s->alias);
        free(s->guid);
        free(s->fs_uuid);
        free(s->pool_id);
        free(s->domain_id);
        free(s->image_id);
        free(s->volume_id);
        free(s->pool);
        free(s->volume);
        free(s->path);
        free(s->iscsi.host);
        free(s->iscsi.target);
        free(s->iscsi.initiator);
        free(s->iscsi.auth_username);
        free(s->iscsi.secret_uuid);
        free(s->iscsi.secret_usage);
        free(s->vdisk);
        free(s->serial);
        free(s);
}

static void disk_free(storvirt__disk_resolved *d) {
        if (!d)
                return;
        spec_free(d->spec);
        free(d->source_path);
        free(d->source_pool);
        free(d->source_volume);
        free(d->target_dev);
        free(d->guid);
        for (size_t i = 0; i < d->n_backing; i++)
                free(d->backing[i].path);
        free(d->backing);
        free(d);
}

/* A resolved disk with the defaults a resolution fills in. */
static storvirt__disk_resolved *disk_new(storvirt__disk_type type, storvirt__disk_device device,
                                         storvirt__disk_bus bus, const char *target,
                                         const char *path) {
        storvirt__disk_resolved *d = calloc(1, sizeof(*d));
        storvirt__disk_spec *s = calloc(1, sizeof(*s));

        assert_non_null(d);
        assert_non_null(s);
        d->spec = s;
        d->type = type;
        d->target_dev = xstrdup(target);
        d->source_path = xstrdup(path);
        s->source = path ? STORVIRT__DISK_SOURCE_PATH : STORVIRT__DISK_SOURCE_NONE;
        s->path = xstrdup(path);
        s->device = device;
        s->bus = bus;
        s->index = -1;
        s->format = STORVIRT__DISK_FORMAT_RAW;
        s->error_policy = STORVIRT__DISK_ERROR_POLICY_STOP;
        s->cache = STORVIRT__DISK_CACHE_NONE;
        s->io = type == STORVIRT__DISK_TYPE_BLOCK ? STORVIRT__DISK_IO_NATIVE
                                                  : STORVIRT__DISK_IO_THREADS;
        return d;
}

static void set_pci(storvirt__disk_spec *s, unsigned domain, unsigned bus, unsigned slot,
                    unsigned function) {
        s->address.type = STORVIRT__DISK_ADDRESS_PCI;
        s->address.domain = domain;
        s->address.bus = bus;
        s->address.slot = slot;
        s->address.function = function;
}

static void set_drive(storvirt__disk_spec *s, unsigned controller, unsigned bus,
                      unsigned target, unsigned unit) {
        s->address.type = STORVIRT__DISK_ADDRESS_DRIVE;
        s->address.controller = controller;
        s->address.drive_bus = bus;
        s->address.target = target;
        s->address.unit = unit;
}

static void set_iotune(storvirt__disk_spec *s, int field, uint64_t value) {
        s->iotune.set |= 1u << field;
        s->iotune.value[field] = value;
}

static void set_iscsi(storvirt__disk_resolved *d, const char *host, unsigned port,
                      const char *target, unsigned lun) {
        storvirt__disk_spec *s = d->spec;

        s->source = STORVIRT__DISK_SOURCE_ISCSI;
        set_str(&s->iscsi.host, host);
        s->iscsi.port = port;
        set_str(&s->iscsi.target, target);
        s->iscsi.lun = lun;
}

/* ---- the cases ---------------------------------------------------------- */

static storvirt__disk_resolved *build_lun_reservations(void) {
        storvirt__disk_resolved *d = disk_new(STORVIRT__DISK_TYPE_BLOCK, STORVIRT__DISK_DEVICE_LUN,
                                              STORVIRT__DISK_BUS_SCSI, "sda",
                                              "/dev/mapper/36001405abcdef0123456789abcdef01");
        storvirt__disk_spec *s = d->spec;

        s->source = STORVIRT__DISK_SOURCE_GUID;
        set_str(&s->guid, "36001405abcdef0123456789abcdef01");
        set_str(&d->guid, "36001405abcdef0123456789abcdef01");
        s->sgio = STORVIRT__DISK_SGIO_FILTERED;
        s->reservations = true;
        s->shared = true;
        set_str(&s->alias, "lun0");
        set_drive(s, 0, 0, 0, 0);
        return d;
}

static const char lun_reservations_xml[] =
        "<disk type=\"block\" device=\"lun\" sgio=\"filtered\" snapshot=\"no\">\n"
        "  <driver name=\"qemu\" type=\"raw\" cache=\"none\" error_policy=\"stop\" io=\"native\"/>\n"
        "  <source dev=\"/dev/mapper/36001405abcdef0123456789abcdef01\">\n"
        "    <reservations managed=\"yes\"/>\n"
        "  </source>\n"
        "  <target dev=\"sda\" bus=\"scsi\"/>\n"
        "  <shareable/>\n"
        "  <alias name=\"ua-lun0\"/>\n"
        "  <address type=\"drive\" controller=\"0\" bus=\"0\" target=\"0\" unit=\"0\"/>\n"
        "</disk>\n";

static storvirt__disk_resolved *build_file_qcow2_iotune(void) {
        storvirt__disk_resolved *d = disk_new(STORVIRT__DISK_TYPE_FILE, STORVIRT__DISK_DEVICE_DISK,
                                              STORVIRT__DISK_BUS_VIRTIO, "vda",
                                              "/var/lib/storvirt/images/vm1-boot.qcow2");
        storvirt__disk_spec *s = d->spec;

        s->format = STORVIRT__DISK_FORMAT_QCOW2;
        s->error_policy = STORVIRT__DISK_ERROR_POLICY_ENOSPACE;
        s->discard = STORVIRT__DISK_DISCARD_UNMAP;
        set_iotune(s, STORVIRT__IOTUNE_WRITE_BYTES_SEC, 5242880);
        set_iotune(s, STORVIRT__IOTUNE_READ_BYTES_SEC, 10485760);
        set_iotune(s, STORVIRT__IOTUNE_TOTAL_IOPS_SEC, 500);
        s->boot_order = 1;
        set_str(&s->serial, "vm1-boot");
        set_str(&s->alias, "ua-boot");
        set_pci(s, 0, 0, 5, 0);
        return d;
}

static const char file_qcow2_iotune_xml[] =
        "<disk type=\"file\" device=\"disk\">\n"
        "  <driver name=\"qemu\" type=\"qcow2\" cache=\"none\" error_policy=\"enospace\" io=\"threads\" discard=\"unmap\"/>\n"
        "  <source file=\"/var/lib/storvirt/images/vm1-boot.qcow2\"/>\n"
        "  <target dev=\"vda\" bus=\"virtio\"/>\n"
        "  <iotune>\n"
        "    <read_bytes_sec>10485760</read_bytes_sec>\n"
        "    <write_bytes_sec>5242880</write_bytes_sec>\n"
        "    <total_iops_sec>500</total_iops_sec>\n"
        "  </iotune>\n"
        "  <serial>vm1-boot</serial>\n"
        "  <boot order=\"1\"/>\n"
        "  <alias name=\"ua-boot\"/>\n"
        "  <address type=\"pci\" domain=\"0x0000\" bus=\"0x00\" slot=\"0x05\" function=\"0x0\"/>\n"
        "</disk>\n";

static storvirt__disk_resolved *build_iscsi_auth_initiator(void) {
        storvirt__disk_resolved *d = disk_new(STORVIRT__DISK_TYPE_NETWORK,
                                              STORVIRT__DISK_DEVICE_DISK,
                                              STORVIRT__DISK_BUS_VIRTIO, "vdb", NULL);
        storvirt__disk_spec *s = d->spec;

        set_iscsi(d, "192.0.2.10", 3260, "iqn.2003-01.org.example:storage.t1", 2);
        set_str(&s->iscsi.initiator, "iqn.2024-01.org.example:host1");
        set_str(&s->iscsi.auth_username, "chapuser");
        set_str(&s->iscsi.secret_uuid, "3b1f7c1e-6a8e-4d7a-9b0e-2f4c9a1d5e6f");
        s->error_policy = STORVIRT__DISK_ERROR_POLICY_REPORT;
        set_pci(s, 0, 0, 6, 0);
        return d;
}

static const char iscsi_auth_initiator_xml[] =
        "<disk type=\"network\" device=\"disk\">\n"
        "  <driver name=\"qemu\" type=\"raw\" cache=\"none\" error_policy=\"report\" io=\"threads\"/>\n"
        "  <source protocol=\"iscsi\" name=\"iqn.2003-01.org.example:storage.t1/2\">\n"
        "    <host name=\"192.0.2.10\" port=\"3260\"/>\n"
        "    <initiator>\n"
        "      <iqn name=\"iqn.2024-01.org.example:host1\"/>\n"
        "    </initiator>\n"
        "    <auth username=\"chapuser\">\n"
        "      <secret type=\"iscsi\" uuid=\"3b1f7c1e-6a8e-4d7a-9b0e-2f4c9a1d5e6f\"/>\n"
        "    </auth>\n"
        "  </source>\n"
        "  <target dev=\"vdb\" bus=\"virtio\"/>\n"
        "  <address type=\"pci\" domain=\"0x0000\" bus=\"0x00\" slot=\"0x06\" function=\"0x0\"/>\n"
        "</disk>\n";

static storvirt__disk_resolved *build_iscsi_lun_ipv6(void) {
        storvirt__disk_resolved *d = disk_new(STORVIRT__DISK_TYPE_NETWORK, STORVIRT__DISK_DEVICE_LUN,
                                              STORVIRT__DISK_BUS_SCSI, "sdb", NULL);
        storvirt__disk_spec *s = d->spec;

        set_iscsi(d, "2001:db8::10", 3261, "iqn.2003-01.org.example:storage.t2", 0);
        set_str(&s->iscsi.auth_username, "chap-user_2");
        set_str(&s->iscsi.secret_usage, "storvirt iscsi t2");
        set_drive(s, 0, 0, 0, 1);
        return d;
}

static const char iscsi_lun_ipv6_xml[] =
        "<disk type=\"network\" device=\"lun\" snapshot=\"no\">\n"
        "  <driver name=\"qemu\" type=\"raw\" cache=\"none\" error_policy=\"stop\" io=\"threads\"/>\n"
        "  <source protocol=\"iscsi\" name=\"iqn.2003-01.org.example:storage.t2/0\">\n"
        "    <host name=\"2001:db8::10\" port=\"3261\"/>\n"
        "    <auth username=\"chap-user_2\">\n"
        "      <secret type=\"iscsi\" usage=\"storvirt iscsi t2\"/>\n"
        "    </auth>\n"
        "  </source>\n"
        "  <target dev=\"sdb\" bus=\"scsi\"/>\n"
        "  <address type=\"drive\" controller=\"0\" bus=\"0\" target=\"0\" unit=\"1\"/>\n"
        "</disk>\n";

static storvirt__disk_resolved *build_volume(void) {
        storvirt__disk_resolved *d = disk_new(STORVIRT__DISK_TYPE_VOLUME, STORVIRT__DISK_DEVICE_DISK,
                                              STORVIRT__DISK_BUS_VIRTIO, "vdc", NULL);
        storvirt__disk_spec *s = d->spec;

        s->source = STORVIRT__DISK_SOURCE_VOLUME;
        set_str(&s->pool, "default-pool");
        set_str(&s->volume, "data 1.img");
        s->volume_as_volume = true;
        set_str(&d->source_pool, "default-pool");
        set_str(&d->source_volume, "data 1.img");
        s->cache = STORVIRT__DISK_CACHE_WRITEBACK;
        s->boot_order = 2;
        return d;
}

static const char volume_xml[] =
        "<disk type=\"volume\" device=\"disk\">\n"
        "  <driver name=\"qemu\" type=\"raw\" cache=\"writeback\" error_policy=\"stop\" io=\"threads\"/>\n"
        "  <source pool=\"default-pool\" volume=\"data 1.img\"/>\n"
        "  <target dev=\"vdc\" bus=\"virtio\"/>\n"
        "  <boot order=\"2\"/>\n"
        "</disk>\n";

static storvirt__disk_resolved *build_cdrom_empty(void) {
        storvirt__disk_resolved *d = disk_new(STORVIRT__DISK_TYPE_FILE, STORVIRT__DISK_DEVICE_CDROM,
                                              STORVIRT__DISK_BUS_IDE, "hdc", NULL);

        /* no media: nothing to probe a format from, no io mode, no cache mode (VDSM's) */
        d->spec->format = STORVIRT__DISK_FORMAT_UNSET;
        d->spec->io = STORVIRT__DISK_IO_UNSET;
        d->spec->cache = STORVIRT__DISK_CACHE_UNSET;
        d->spec->optional = true;
        return d;
}

static const char cdrom_empty_xml[] =
        "<disk type=\"file\" device=\"cdrom\">\n"
        "  <driver name=\"qemu\" type=\"raw\" error_policy=\"stop\"/>\n"
        "  <target dev=\"hdc\" bus=\"ide\"/>\n"
        "  <readonly/>\n"
        "</disk>\n";

static storvirt__disk_resolved *build_cdrom_optional(void) {
        storvirt__disk_resolved *d = disk_new(STORVIRT__DISK_TYPE_FILE, STORVIRT__DISK_DEVICE_CDROM,
                                              STORVIRT__DISK_BUS_SATA, "sdc",
                                              "/srv/iso/install.iso");

        d->spec->optional = true;
        d->spec->boot_order = 3;
        d->spec->cache = STORVIRT__DISK_CACHE_UNSET;
        set_drive(d->spec, 0, 0, 0, 2);
        return d;
}

static const char cdrom_optional_xml[] =
        "<disk type=\"file\" device=\"cdrom\">\n"
        "  <driver name=\"qemu\" type=\"raw\" error_policy=\"stop\"/>\n"
        "  <source file=\"/srv/iso/install.iso\" startupPolicy=\"optional\"/>\n"
        "  <target dev=\"sdc\" bus=\"sata\"/>\n"
        "  <readonly/>\n"
        "  <boot order=\"3\"/>\n"
        "  <address type=\"drive\" controller=\"0\" bus=\"0\" target=\"0\" unit=\"2\"/>\n"
        "</disk>\n";

static storvirt__disk_resolved *build_floppy(void) {
        storvirt__disk_resolved *d = disk_new(STORVIRT__DISK_TYPE_FILE,
                                              STORVIRT__DISK_DEVICE_FLOPPY,
                                              STORVIRT__DISK_BUS_FDC, "fda",
                                              "/srv/floppy/drivers.vfd");

        /* VDSM's "off": no error policy on a floppy (QEMU's floppy device has none) */
        d->spec->readonly = true;
        d->spec->optional = true;
        d->spec->cache = STORVIRT__DISK_CACHE_UNSET;
        set_drive(d->spec, 0, 0, 0, 0);
        return d;
}

static const char floppy_xml[] =
        "<disk type=\"file\" device=\"floppy\">\n"
        "  <driver name=\"qemu\" type=\"raw\"/>\n"
        "  <source file=\"/srv/floppy/drivers.vfd\" startupPolicy=\"optional\"/>\n"
        "  <target dev=\"fda\" bus=\"fdc\"/>\n"
        "  <readonly/>\n"
        "  <address type=\"drive\" controller=\"0\" bus=\"0\" target=\"0\" unit=\"0\"/>\n"
        "</disk>\n";

static storvirt__disk_resolved *build_shared_readonly(void) {
        storvirt__disk_resolved *d = disk_new(STORVIRT__DISK_TYPE_BLOCK, STORVIRT__DISK_DEVICE_DISK,
                                              STORVIRT__DISK_BUS_VIRTIO, "vdd",
                                              "/dev/vg0/shared-ro");

        d->spec->shared = true;
        d->spec->readonly = true;
        set_pci(d->spec, 0, 0, 0x1f, 7);
        return d;
}

static const char shared_readonly_xml[] =
        "<disk type=\"block\" device=\"disk\">\n"
        "  <driver name=\"qemu\" type=\"raw\" cache=\"none\" error_policy=\"stop\" io=\"native\"/>\n"
        "  <source dev=\"/dev/vg0/shared-ro\"/>\n"
        "  <target dev=\"vdd\" bus=\"virtio\"/>\n"
        "  <readonly/>\n"
        "  <shareable/>\n"
        "  <address type=\"pci\" domain=\"0x0000\" bus=\"0x00\" slot=\"0x1f\" function=\"0x7\"/>\n"
        "</disk>\n";

static storvirt__disk_resolved *build_shareable_scsi(void) {
        storvirt__disk_resolved *d = disk_new(STORVIRT__DISK_TYPE_BLOCK, STORVIRT__DISK_DEVICE_DISK,
                                              STORVIRT__DISK_BUS_SCSI, "sdd",
                                              "/dev/mapper/shared-data");

        d->spec->shared = true;
        d->spec->cache = STORVIRT__DISK_CACHE_DIRECTSYNC;
        d->spec->discard = STORVIRT__DISK_DISCARD_IGNORE;
        d->spec->io = STORVIRT__DISK_IO_URING;
        set_drive(d->spec, 0, 0, 0, 3);
        return d;
}

static const char shareable_scsi_xml[] =
        "<disk type=\"block\" device=\"disk\" snapshot=\"no\">\n"
        "  <driver name=\"qemu\" type=\"raw\" cache=\"directsync\" error_policy=\"stop\" io=\"io_uring\" discard=\"ignore\"/>\n"
        "  <source dev=\"/dev/mapper/shared-data\"/>\n"
        "  <target dev=\"sdd\" bus=\"scsi\"/>\n"
        "  <shareable/>\n"
        "  <address type=\"drive\" controller=\"0\" bus=\"0\" target=\"0\" unit=\"3\"/>\n"
        "</disk>\n";

#define WEIRD_PATH "/srv/it's \"quoted\" & <tagged>/\xc3\xbcn\xc3\xaf c\xc3\xb8" \
                   "d\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac.img"

static storvirt__disk_resolved *build_escaping(void) {
        storvirt__disk_resolved *d = disk_new(STORVIRT__DISK_TYPE_FILE, STORVIRT__DISK_DEVICE_DISK,
                                              STORVIRT__DISK_BUS_VIRTIO, "vde", WEIRD_PATH);

        set_str(&d->spec->serial, "S N+1.x_y-z");
        set_str(&d->spec->alias, "weird_1-x");
        set_pci(d->spec, 0, 0, 8, 0);
        return d;
}

static const char escaping_xml[] =
        "<disk type=\"file\" device=\"disk\">\n"
        "  <driver name=\"qemu\" type=\"raw\" cache=\"none\" error_policy=\"stop\" io=\"threads\"/>\n"
        /* no document encoding: libxml2 writes non-ASCII in attributes as references */
        "  <source file=\"/srv/it's &quot;quoted&quot; &amp; &lt;tagged&gt;/"
        "&#xFC;n&#xEF; c&#xF8;d&#xE9; &#x65E5;&#x672C;.img\"/>\n"
        "  <target dev=\"vde\" bus=\"virtio\"/>\n"
        "  <serial>S N+1.x_y-z</serial>\n"
        "  <alias name=\"ua-weird_1-x\"/>\n"
        "  <address type=\"pci\" domain=\"0x0000\" bus=\"0x00\" slot=\"0x08\" function=\"0x0\"/>\n"
        "</disk>\n";

static storvirt__disk_resolved *build_usb(void) {
        storvirt__disk_resolved *d = disk_new(STORVIRT__DISK_TYPE_BLOCK, STORVIRT__DISK_DEVICE_DISK,
                                              STORVIRT__DISK_BUS_USB, "sde", "/dev/sdz");

        d->spec->cache = STORVIRT__DISK_CACHE_UNSAFE;
        d->spec->error_policy = STORVIRT__DISK_ERROR_POLICY_REPORT;
        return d;
}

static const char usb_xml[] =
        "<disk type=\"block\" device=\"disk\">\n"
        "  <driver name=\"qemu\" type=\"raw\" cache=\"unsafe\" error_policy=\"report\" io=\"native\"/>\n"
        "  <source dev=\"/dev/sdz\"/>\n"
        "  <target dev=\"sde\" bus=\"usb\"/>\n"
        "</disk>\n";

#define LUKS_SECRET "0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f"

/* A LUKS raw file: libvirt opens it with the passphrase of the secret named inside <source>. */
static storvirt__disk_resolved *build_file_luks(void) {
        storvirt__disk_resolved *d = disk_new(STORVIRT__DISK_TYPE_FILE, STORVIRT__DISK_DEVICE_DISK,
                                              STORVIRT__DISK_BUS_VIRTIO, "vdf", "/srv/vm/crypt.raw");

        strcpy(d->encryption, "luks");
        strcpy(d->encryption_secret, LUKS_SECRET);
        return d;
}

static const char file_luks_xml[] =
        "<disk type=\"file\" device=\"disk\">\n"
        "  <driver name=\"qemu\" type=\"raw\" cache=\"none\" error_policy=\"stop\" io=\"threads\"/>\n"
        "  <source file=\"/srv/vm/crypt.raw\">\n"
        "    <encryption format=\"luks\">\n"
        "      <secret type=\"passphrase\" uuid=\"" LUKS_SECRET "\"/>\n"
        "    </encryption>\n"
        "  </source>\n"
        "  <target dev=\"vdf\" bus=\"virtio\"/>\n"
        "</disk>\n";

/* A qcow2 image with LUKS-encrypted data, given as a pool volume. */
static storvirt__disk_resolved *build_volume_luks(void) {
        storvirt__disk_resolved *d = build_volume();

        set_str(&d->target_dev, "vdg");
        d->spec->boot_order = 0;
        d->spec->format = STORVIRT__DISK_FORMAT_QCOW2;
        strcpy(d->encryption, "luks");
        strcpy(d->encryption_secret, LUKS_SECRET);
        return d;
}

static const char volume_luks_xml[] =
        "<disk type=\"volume\" device=\"disk\">\n"
        "  <driver name=\"qemu\" type=\"qcow2\" cache=\"writeback\" error_policy=\"stop\" io=\"threads\"/>\n"
        "  <source pool=\"default-pool\" volume=\"data 1.img\">\n"
        "    <encryption format=\"luks\">\n"
        "      <secret type=\"passphrase\" uuid=\"" LUKS_SECRET "\"/>\n"
        "    </encryption>\n"
        "  </source>\n"
        "  <target dev=\"vdg\" bus=\"virtio\"/>\n"
        "</disk>\n";

/* An optional LUN: libvirt keeps startupPolicy on a block source and drops the disk when
   its device is gone at start. */
static storvirt__disk_resolved *build_block_optional(void) {
        storvirt__disk_resolved *d = disk_new(STORVIRT__DISK_TYPE_BLOCK, STORVIRT__DISK_DEVICE_DISK,
                                              STORVIRT__DISK_BUS_VIRTIO, "vdh",
                                              "/dev/mapper/36001405abcdef0123456789abcdef02");

        d->spec->source = STORVIRT__DISK_SOURCE_GUID;
        set_str(&d->spec->guid, "36001405abcdef0123456789abcdef02");
        d->spec->optional = true;
        return d;
}

static const char block_optional_xml[] =
        "<disk type=\"block\" device=\"disk\">\n"
        "  <driver name=\"qemu\" type=\"raw\" cache=\"none\" error_policy=\"stop\" io=\"native\"/>\n"
        "  <source dev=\"/dev/mapper/36001405abcdef0123456789abcdef02\" startupPolicy=\"optional\"/>\n"
        "  <target dev=\"vdh\" bus=\"virtio\"/>\n"
        "</disk>\n";

/* A vDisk's overlay on a LUN, for a manager that owns the files' ownership itself. */
static storvirt__disk_resolved *build_vdisk_no_relabel(void) {
        storvirt__disk_resolved *d = disk_new(STORVIRT__DISK_TYPE_FILE, STORVIRT__DISK_DEVICE_DISK,
                                              STORVIRT__DISK_BUS_VIRTIO, "vdi",
                                              "/srv/vdisks/top.qcow2");

        d->spec->source = STORVIRT__DISK_SOURCE_VDISK;
        set_str(&d->spec->vdisk, "5c4d2f4a-8b6e-4e3a-9d7c-0f1e2d3c4b5a");
        d->spec->format = STORVIRT__DISK_FORMAT_QCOW2;
        d->backing = calloc(1, sizeof(*d->backing));
        assert_non_null(d->backing);
        d->n_backing = 1;
        d->backing[0].type = STORVIRT__DISK_TYPE_BLOCK;
        d->backing[0].format = STORVIRT__DISK_FORMAT_RAW;
        d->backing[0].path = xstrdup("/dev/mapper/36001405abcdef0123456789abcdef03");
        d->backing_known = true;
        d->no_relabel = true;
        return d;
}

static const char vdisk_no_relabel_xml[] =
        "<disk type=\"file\" device=\"disk\" snapshot=\"no\">\n"
        "  <driver name=\"qemu\" type=\"qcow2\" cache=\"none\" error_policy=\"stop\" io=\"threads\"/>\n"
        "  <source file=\"/srv/vdisks/top.qcow2\">\n"
        "    <seclabel model=\"dac\" relabel=\"no\"/>\n"
        "  </source>\n"
        "  <backingStore type=\"block\">\n"
        "    <format type=\"raw\"/>\n"
        "    <source dev=\"/dev/mapper/36001405abcdef0123456789abcdef03\">\n"
        "      <seclabel model=\"dac\" relabel=\"no\"/>\n"
        "    </source>\n"
        "    <backingStore/>\n"
        "  </backingStore>\n"
        "  <target dev=\"vdi\" bus=\"virtio\"/>\n"
        "</disk>\n";

struct xml_case {
        const char *name;
        storvirt__disk_resolved *(*build)(void);
        const char *expected;
};

static const struct xml_case cases[] = {
        { "lun-reservations", build_lun_reservations, lun_reservations_xml },
        { "file-qcow2-iotune", build_file_qcow2_iotune, file_qcow2_iotune_xml },
        { "iscsi-auth-initiator", build_iscsi_auth_initiator, iscsi_auth_initiator_xml },
        { "iscsi-lun-ipv6", build_iscsi_lun_ipv6, iscsi_lun_ipv6_xml },
        { "volume", build_volume, volume_xml },
        { "cdrom-empty", build_cdrom_empty, cdrom_empty_xml },
        { "cdrom-optional", build_cdrom_optional, cdrom_optional_xml },
        { "floppy", build_floppy, floppy_xml },
        { "shared-readonly", build_shared_readonly, shared_readonly_xml },
        { "shareable-scsi", build_shareable_scsi, shareable_scsi_xml },
        { "escaping", build_escaping, escaping_xml },
        { "usb", build_usb, usb_xml },
        { "file-luks", build_file_luks, file_luks_xml },
        { "volume-luks", build_volume_luks, volume_luks_xml },
        { "block-optional", build_block_optional, block_optional_xml },
        { "vdisk-no-relabel", build_vdisk_no_relabel, vdisk_no_relabel_xml },
};

#define N_CASES (sizeof(cases) / sizeof(cases[0]))

/* text with every line indented by n spaces */
static char *indent(const char *text, unsigned n) {
        size_t len = strlen(text), lines = 0;
        char *out, *p;

        for (const char *c = text; *c; c++)
                lines += *c == '\n';
        out = malloc(len + (lines + 1) * n + 1);
        assert_non_null(out);
        p = out;
        for (const char *c = text; *c; ) {
                const char *nl = strchr(c, '\n');
                size_t l = nl ? (size_t) (nl - c) + 1 : strlen(c);

                memset(p, ' ', n);
                memcpy(p + n, c, l);
                p += n + l;
                c += l;
        }
        *p = '\0';
        return out;
}

/* The output parses back, and the disk's <source> carries `attr` = value exactly. */
static void check_parses(const char *xml, const char *attr, const char *value) {
        xmlDocPtr doc = NULL;
        xmlNodePtr root, source;

        if (storvirt__xml_parse(xml, strlen(xml), 1 << 20, "disk XML", &doc) < 0)
                fail_msg("%s\n%s", storvirt__error_msg(), xml);
        assert_int_equal(storvirt__xml_root(doc, "disk", "disk XML", &root), 0);
        if (attr) {
                source = storvirt__xml_child(root, "source");
                assert_non_null(source);
                assert_string_equal(storvirt__xml_prop(source, attr), value);
        }
        storvirt__xml_doc_free(doc);
}

static void test_cases(void **state) {
        for (size_t i = 0; i < N_CASES; i++) {
                storvirt__disk_resolved *d = cases[i].build();
                storvirt__disk_resolved *one[] = { d };
                char *xml = NULL, *devices = NULL, *inner, *expected;
                int r;

                r = storvirt__disk_to_xml(d, &xml);
                if (r < 0)
                        fail_msg("%s: %s", cases[i].name, storvirt__error_msg());
                if (strcmp(xml, cases[i].expected) != 0)
                        fail_msg("%s: got\n%s\nexpected\n%s", cases[i].name, xml,
                                 cases[i].expected);
                if (d->source_path)
                        check_parses(xml, d->type == STORVIRT__DISK_TYPE_FILE ? "file" : "dev",
                                     d->source_path);
                else
                        check_parses(xml, NULL, NULL);

                /* the same disk inside <devices>, indented one level */
                assert_int_equal(storvirt__disks_to_devices_xml(one, 1, &devices), 0);
                inner = indent(xml, 2);
                assert_int_not_equal(asprintf(&expected, "<devices>\n%s</devices>\n", inner), -1);
                assert_string_equal(devices, expected);

                free(expected);
                free(inner);
                free(devices);
                free(xml);
                disk_free(d);
        }
}

static void test_devices(void **state) {
        storvirt__disk_resolved *d[N_CASES];
        char *xml = NULL, *p;

        for (size_t i = 0; i < N_CASES; i++)
                d[i] = cases[i].build();
        assert_int_equal(storvirt__disks_to_devices_xml(d, N_CASES, &xml), 0);
        /* every disk, in order */
        p = xml;
        for (size_t i = 0; i < N_CASES; i++) {
                char *inner = indent(cases[i].expected, 2);

                p = strstr(p, inner);
                if (!p)
                        fail_msg("%s missing or out of order in\n%s", cases[i].name, xml);
                p += strlen(inner);
                free(inner);
        }
        assert_string_equal(p, "</devices>\n");
        assert_memory_equal(xml, "<devices>\n", 10);
        free(xml);

        /* none */
        assert_int_equal(storvirt__disks_to_devices_xml(NULL, 0, &xml), 0);
        assert_string_equal(xml, "<devices/>\n");
        free(xml);

        /* one bad disk: nothing written, the message names it */
        set_str(&d[4]->spec->name, "drive 5");
        free(d[4]->source_pool);
        d[4]->source_pool = NULL;
        xml = NULL;
        assert_int_equal(storvirt__disks_to_devices_xml(d, N_CASES, &xml), -EINVAL);
        assert_null(xml);
        assert_string_equal(storvirt__error_msg(), "drive 5: disk type volume without a pool name");

        /* a missing entry */
        disk_free(d[4]);
        d[4] = NULL;
        assert_int_equal(storvirt__disks_to_devices_xml(d, N_CASES, &xml), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "devices XML: disk 4 is missing");
        assert_int_equal(storvirt__disks_to_devices_xml(NULL, 1, &xml), -EINVAL);
        assert_int_equal(storvirt__disks_to_devices_xml(d, 1, NULL), -EINVAL);

        for (size_t i = 0; i < N_CASES; i++)
                disk_free(d[i]);
}

/* ---- refused disks ------------------------------------------------------ */

static storvirt__disk_resolved *base_file(void) {
        return disk_new(STORVIRT__DISK_TYPE_FILE, STORVIRT__DISK_DEVICE_DISK,
                        STORVIRT__DISK_BUS_VIRTIO, "vda", "/img/a.raw");
}

static storvirt__disk_resolved *base_lun(void) {
        return disk_new(STORVIRT__DISK_TYPE_BLOCK, STORVIRT__DISK_DEVICE_LUN,
                        STORVIRT__DISK_BUS_SCSI, "sda", "/dev/mapper/3600a");
}

static storvirt__disk_resolved *base_iscsi(void) {
        storvirt__disk_resolved *d = disk_new(STORVIRT__DISK_TYPE_NETWORK,
                                              STORVIRT__DISK_DEVICE_DISK,
                                              STORVIRT__DISK_BUS_VIRTIO, "vdb", NULL);

        set_iscsi(d, "192.0.2.1", 3260, "iqn.2003-01.org.example:t", 1);
        return d;
}

static storvirt__disk_resolved *base_cdrom(void) {
        return disk_new(STORVIRT__DISK_TYPE_FILE, STORVIRT__DISK_DEVICE_CDROM,
                        STORVIRT__DISK_BUS_IDE, "hdc", NULL);
}

static void expect_refused(storvirt__disk_resolved *d, const char *msg) {
        char *xml = NULL;
        int r;

        storvirt__error_reset();
        r = storvirt__disk_to_xml(d, &xml);
        if (r != -EINVAL)
                fail_msg("expected -EINVAL (%s), got %d: %s", msg, r,
                         xml ? xml : storvirt__error_msg());
        assert_null(xml);
        assert_string_equal(storvirt__error_msg(), msg);
        disk_free(d);
}

static void test_refused_sources(void **state) {
        storvirt__disk_resolved *d;

        d = base_file();
        set_str(&d->spec->name, "drive 3");
        set_str(&d->source_path, NULL);
        expect_refused(d, "drive 3: disk type file without a source path (only an empty cdrom "
                       "or floppy has no source)");

        d = base_lun();
        set_str(&d->spec->alias, "ua-data");
        set_str(&d->source_path, NULL);
        expect_refused(d, "ua-data: disk type block without a source path (only an empty cdrom "
                       "or floppy has no source)");

        d = base_file();
        set_str(&d->source_path, "img/a.raw");
        expect_refused(d, "disk: source path 'img/a.raw' is not absolute");

        d = disk_new(STORVIRT__DISK_TYPE_VOLUME, STORVIRT__DISK_DEVICE_DISK,
                     STORVIRT__DISK_BUS_VIRTIO, "vda", NULL);
        set_str(&d->source_pool, "p");
        expect_refused(d, "disk: disk type volume without a volume name");

        d = disk_new(STORVIRT__DISK_TYPE_VOLUME, STORVIRT__DISK_DEVICE_DISK,
                     STORVIRT__DISK_BUS_VIRTIO, "vda", NULL);
        set_str(&d->source_pool, "p");
        set_str(&d->source_volume, "..");
        expect_refused(d, "disk: volume name '..' is not allowed");

        d = base_iscsi();
        set_str(&d->spec->iscsi.host, NULL);
        expect_refused(d, "disk: iSCSI source without a portal host");

        d = base_iscsi();
        set_str(&d->spec->iscsi.target, NULL);
        expect_refused(d, "disk: iSCSI source without a target IQN");

        d = base_iscsi();
        d->spec->iscsi.port = 0;
        expect_refused(d, "disk: iSCSI portal port 0 is out of range 1-65535");

        d = base_iscsi();
        set_str(&d->spec->iscsi.auth_username, "u");
        expect_refused(d, "disk: CHAP user 'u' needs exactly one of a secret UUID or a "
                       "secret usage");

        d = base_iscsi();
        set_str(&d->spec->iscsi.auth_username, "u");
        set_str(&d->spec->iscsi.secret_uuid, "3b1f7c1e-6a8e-4d7a-9b0e-2f4c9a1d5e6f");
        set_str(&d->spec->iscsi.secret_usage, "x");
        expect_refused(d, "disk: CHAP user 'u' needs exactly one of a secret UUID or a "
                       "secret usage");

        d = base_iscsi();
        set_str(&d->spec->iscsi.secret_usage, "x");
        expect_refused(d, "disk: iSCSI secret without a CHAP user name");

        d = base_iscsi();
        d->spec->source = STORVIRT__DISK_SOURCE_PATH;
        expect_refused(d, "disk: disk type network needs an iSCSI source");

        d = base_file();
        d->spec->source = STORVIRT__DISK_SOURCE_ISCSI;
        expect_refused(d, "disk: an iSCSI source needs disk type network, not file");

        /* <encryption>: a file or volume, LUKS, with the UUID of its secret */
        d = base_lun();
        strcpy(d->encryption, "luks");
        strcpy(d->encryption_secret, LUKS_SECRET);
        expect_refused(d, "disk: an encrypted source must be a file or a volume");

        d = base_file();
        strcpy(d->encryption, "qcow");
        strcpy(d->encryption_secret, LUKS_SECRET);
        expect_refused(d, "disk: encryption 'qcow' is not handed to a VM (luks only)");

        d = base_file();
        strcpy(d->encryption, "luks");
        expect_refused(d, "disk: an encrypted source needs the UUID of its secret");
}

static void test_refused_devices(void **state) {
        storvirt__disk_resolved *d;

        d = base_lun();
        d->type = STORVIRT__DISK_TYPE_FILE;
        expect_refused(d, "disk: device lun needs a block, network or volume source, not a file");

        d = base_lun();
        d->spec->format = STORVIRT__DISK_FORMAT_QCOW2;
        expect_refused(d, "disk: device lun needs format raw, not qcow2");

        d = base_lun();
        set_str(&d->spec->serial, "abc");
        expect_refused(d, "disk: no serial for device lun (the guest sees the LUN's own)");

        d = base_file();
        d->spec->sgio = STORVIRT__DISK_SGIO_FILTERED;
        expect_refused(d, "disk: sgio is only for device lun, not disk");

        d = base_file();
        d->spec->reservations = true;
        expect_refused(d, "disk: reservations are only for device lun, not disk");

        d = base_iscsi();
        d->spec->device = STORVIRT__DISK_DEVICE_LUN;
        d->spec->bus = STORVIRT__DISK_BUS_SCSI;
        set_str(&d->target_dev, "sda");
        d->spec->reservations = true;
        expect_refused(d, "disk: reservations need disk type block, not network");

        /* what libvirt's qemu driver and QEMU refuse */
        d = base_file();
        d->spec->bus = STORVIRT__DISK_BUS_SATA;
        set_str(&d->target_dev, "sda");
        d->spec->readonly = true;
        expect_refused(d, "disk: a read-only disk on bus sata: QEMU's ide-hd cannot be "
                       "read-only (libvirt: \"readonly sata disks are not supported\"); use bus "
                       "virtio or scsi");

        d = base_file();
        d->spec->shared = true;
        d->spec->format = STORVIRT__DISK_FORMAT_QCOW2;
        expect_refused(d, "disk: a writable shared disk must be raw, not qcow2 (libvirt: "
                       "\"shared access for disk requires use of supported storage format\")");

        d = base_lun();
        d->spec->bus = STORVIRT__DISK_BUS_VIRTIO;
        set_str(&d->target_dev, "vda");
        expect_refused(d, "disk: device lun needs bus scsi, not virtio (QEMU's virtio-blk "
                       "refuses SCSI passthrough with virtio 1.0)");

        d = base_file();
        d->spec->bus = STORVIRT__DISK_BUS_UNSET;
        expect_refused(d, "disk: bus not resolved");

        d = base_file();
        d->spec->cache = STORVIRT__DISK_CACHE_UNSET;
        expect_refused(d, "disk: cache not resolved");

        d = base_file();
        d->spec->error_policy = STORVIRT__DISK_ERROR_POLICY_UNSET;
        expect_refused(d, "disk: error policy not resolved");

        d = base_file();
        d->spec->io = STORVIRT__DISK_IO_UNSET;
        expect_refused(d, "disk: io mode not resolved");

        d = base_file();
        d->spec->format = STORVIRT__DISK_FORMAT_UNSET;
        expect_refused(d, "disk: format not resolved");

        d = base_cdrom();
        set_str(&d->source_path, "/iso/a.iso");
        d->spec->format = STORVIRT__DISK_FORMAT_UNSET;
        expect_refused(d, "disk: format not resolved");

        d = base_file();
        d->type = (storvirt__disk_type) 9;
        expect_refused(d, "disk: unknown disk type 9");

        d = base_file();
        d->spec->device = (storvirt__disk_device) 7;
        expect_refused(d, "disk: unknown device 7");

        d = base_file();
        d->spec->bus = (storvirt__disk_bus) 42;
        expect_refused(d, "disk: unknown bus 42");

        d = base_file();
        d->spec->cache = (storvirt__disk_cache) 6;
        expect_refused(d, "disk: unknown cache mode 6");

        d = base_file();
        d->spec->io = (storvirt__disk_io) 4;
        expect_refused(d, "disk: unknown io mode 4");

        d = base_file();
        d->spec->discard = (storvirt__disk_discard) 3;
        expect_refused(d, "disk: unknown discard mode 3");

        d = base_file();
        d->spec->sgio = (storvirt__disk_sgio) 2;
        expect_refused(d, "disk: unknown sgio mode 2");

        d = base_file();
        d->spec->format = (storvirt__disk_format) 3;
        expect_refused(d, "disk: unknown format 3");

        d = base_file();
        d->spec->error_policy = (storvirt__disk_error_policy) 4;
        expect_refused(d, "disk: unknown error policy 4");
}

static void test_refused_target(void **state) {
        storvirt__disk_resolved *d;

        d = base_file();
        set_str(&d->target_dev, NULL);
        expect_refused(d, "disk: no target dev");

        d = base_file();
        set_str(&d->target_dev, "xyz");
        expect_refused(d, "disk: target dev 'xyz' is not a disk name (fd, hd, sd, vd, xvd or "
                       "ubd followed by letters, digits or '_')");

        d = base_file();
        set_str(&d->target_dev, "vd");
        expect_refused(d, "disk: target dev 'vd' is not a disk name (fd, hd, sd, vd, xvd or "
                       "ubd followed by letters, digits or '_')");

        d = base_lun();
        set_pci(d->spec, 0, 0, 5, 0);
        expect_refused(d, "disk: a PCI address needs bus virtio, not scsi");

        d = base_file();
        set_pci(d->spec, 0, 0, 0x20, 0);
        expect_refused(d, "disk: PCI address 0:0:20.0 is out of range (domain 0-ffff, bus 0-ff, "
                       "slot 0-1f, function 0-7)");

        d = base_file();
        set_pci(d->spec, 0x10000, 0, 1, 0);
        expect_refused(d, "disk: PCI address 10000:0:1.0 is out of range (domain 0-ffff, "
                       "bus 0-ff, slot 0-1f, function 0-7)");

        d = base_file();
        set_drive(d->spec, 0, 0, 0, 0);
        expect_refused(d, "disk: a drive address needs bus scsi, ide, sata or fdc, not virtio");

        d = base_lun();
        set_drive(d->spec, 100, 0, 0, 0);
        expect_refused(d, "disk: drive address 100:0:0:0 is out of range (controller, bus, "
                       "target 0-99, unit 0-99999)");

        d = base_lun();
        d->spec->address.type = (storvirt__disk_address_type) 5;
        expect_refused(d, "disk: unknown address type 5");
}

static void test_refused_extras(void **state) {
        storvirt__disk_resolved *d;
        char *xml = NULL;

        d = base_file();
        set_iotune(d->spec, STORVIRT__IOTUNE_TOTAL_BYTES_SEC, 1);
        set_iotune(d->spec, STORVIRT__IOTUNE_WRITE_BYTES_SEC, 1);
        expect_refused(d, "disk: iotune: total_bytes_sec cannot be given with read_bytes_sec "
                       "or write_bytes_sec");

        d = base_file();
        set_iotune(d->spec, STORVIRT__IOTUNE_TOTAL_IOPS_SEC, 1);
        set_iotune(d->spec, STORVIRT__IOTUNE_READ_IOPS_SEC, 1);
        expect_refused(d, "disk: iotune: total_iops_sec cannot be given with read_iops_sec "
                       "or write_iops_sec");

        d = base_file();
        d->spec->iotune.set = 1u << STORVIRT__IOTUNE_N;
        expect_refused(d, "disk: unknown iotune fields 0x40");

        d = base_file();
        set_str(&d->spec->serial, "a/b");
        expect_refused(d, "disk: serial 'a/b' is empty or has characters other than letters, "
                       "digits, ' ', '_', '.', '+' and '-'");

        d = base_file();
        set_str(&d->spec->serial, "");
        expect_refused(d, "disk: serial '' is empty or has characters other than letters, "
                       "digits, ' ', '_', '.', '+' and '-'");

        d = base_file();
        set_str(&d->spec->alias, "a.b");
        expect_refused(d, "a.b: alias 'a.b' is empty or has characters other than letters, "
                       "digits, '_' and '-'");

        d = base_file();
        set_str(&d->spec->name, "drive 1");
        set_str(&d->spec->alias, "ua-");
        expect_refused(d, "drive 1: alias 'ua-' is empty or has characters other than letters, "
                       "digits, '_' and '-'");

        d = base_file();
        d->spec->boot_order = 0x80000000u;
        expect_refused(d, "disk: boot order 2147483648 is out of range");

        /* what only the writer sees: bytes that are not UTF-8, characters XML forbids */
        d = base_file();
        set_str(&d->spec->name, "drive 2");
        set_str(&d->source_path, "/img/\xff.raw");
        expect_refused(d, "drive 2: XML writer: text '/img/\\xff.raw' is not valid UTF-8 or "
                       "has characters XML forbids");

        d = base_file();
        set_str(&d->source_path, "/img/\x01.raw");
        expect_refused(d, "disk: XML writer: text '/img/\\x01.raw' is not valid UTF-8 or "
                       "has characters XML forbids");

        /* arguments */
        d = base_file();
        assert_int_equal(storvirt__disk_to_xml(NULL, &xml), -EINVAL);
        assert_int_equal(storvirt__disk_to_xml(d, NULL), -EINVAL);
        spec_free(d->spec);
        d->spec = NULL;
        assert_int_equal(storvirt__disk_to_xml(d, &xml), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "disk XML: resolved disk without its spec");
        assert_null(xml);
        disk_free(d);
}

/* io is not written for removable media, even when resolved; readonly cdrom once. */
static void test_removable_details(void **state) {
        storvirt__disk_resolved *d = base_cdrom();
        char *xml = NULL;

        d->spec->io = STORVIRT__DISK_IO_NATIVE;
        d->spec->readonly = true;
        set_str(&d->spec->alias, "ua-cd");
        assert_int_equal(storvirt__disk_to_xml(d, &xml), 0);
        assert_string_equal(xml,
                "<disk type=\"file\" device=\"cdrom\">\n"
                "  <driver name=\"qemu\" type=\"raw\" cache=\"none\" error_policy=\"stop\"/>\n"
                "  <target dev=\"hdc\" bus=\"ide\"/>\n"
                "  <readonly/>\n"
                "  <alias name=\"ua-cd\"/>\n"
                "</disk>\n");
        free(xml);
        disk_free(d);

        /* an empty cdrom on a block type: still no <source> */
        d = base_cdrom();
        d->type = STORVIRT__DISK_TYPE_BLOCK;
        d->spec->optional = true;
        assert_int_equal(storvirt__disk_to_xml(d, &xml), 0);
        assert_string_equal(xml,
                "<disk type=\"block\" device=\"cdrom\">\n"
                "  <driver name=\"qemu\" type=\"raw\" cache=\"none\" error_policy=\"stop\"/>\n"
                "  <target dev=\"hdc\" bus=\"ide\"/>\n"
                "  <readonly/>\n"
                "</disk>\n");
        free(xml);
        disk_free(d);

        /* an optional floppy on a volume */
        d = disk_new(STORVIRT__DISK_TYPE_VOLUME, STORVIRT__DISK_DEVICE_FLOPPY,
                     STORVIRT__DISK_BUS_FDC, "fdb", NULL);
        set_str(&d->source_pool, "isos");
        set_str(&d->source_volume, "boot.vfd");
        d->spec->optional = true;
        assert_int_equal(storvirt__disk_to_xml(d, &xml), 0);
        assert_string_equal(xml,
                "<disk type=\"volume\" device=\"floppy\">\n"
                "  <driver name=\"qemu\" type=\"raw\" cache=\"none\"/>\n"
                "  <source pool=\"isos\" volume=\"boot.vfd\" startupPolicy=\"optional\"/>\n"
                "  <target dev=\"fdb\" bus=\"fdc\"/>\n"
                "</disk>\n");
        free(xml);
        disk_free(d);
}

/* ---- domains for libvirt ------------------------------------------------ */

static bool on_scsi(storvirt__disk_resolved *const *d, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (d[i]->spec->bus == STORVIRT__DISK_BUS_SCSI)
                        return true;
        return false;
}

/* DIR/name.xml: a minimal domain whose <devices> holds the n disks. */
static int write_domain(const char *dir, const char *name, storvirt__disk_resolved *const *d,
                        size_t n) {
        char *devices = NULL, *path = NULL, *body, *nl;
        FILE *f;
        int r;

        r = storvirt__disks_to_devices_xml(d, n, &devices);
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", name, storvirt__error_msg());
                return 1;
        }
        if (asprintf(&path, "%s/%s.xml", dir, name) < 0)
                return 1;
        f = fopen(path, "w");
        if (!f) {
                fprintf(stderr, "%s: cannot create: %m\n", path);
                free(path);
                free(devices);
                return 1;
        }
        body = indent(devices, 2);
        nl = strchr(body, '\n');
        fprintf(f, "<domain type=\"test\">\n"
                   "  <name>%s</name>\n"
                   "  <memory unit=\"KiB\">131072</memory>\n"
                   "  <os>\n"
                   "    <type>hvm</type>\n"
                   "  </os>\n", name);
        /* "  <devices>\n", a controller for scsi disks, then the disks */
        fprintf(f, "%.*s", (int) (nl - body + 1), body);
        if (on_scsi(d, n))
                fprintf(f, "    <controller type=\"scsi\" index=\"0\" model=\"virtio-scsi\"/>\n");
        fprintf(f, "%s</domain>\n", nl + 1);
        r = fclose(f) == 0 ? 0 : 1;
        free(body);
        free(path);
        free(devices);
        return r;
}

static int write_domains(const char *dir) {
        storvirt__disk_resolved *all[N_CASES];
        int failed = 0;

        for (size_t i = 0; i < N_CASES; i++) {
                all[i] = cases[i].build();
                failed |= write_domain(dir, cases[i].name, &all[i], 1);
        }
        failed |= write_domain(dir, "all-disks", all, N_CASES);
        for (size_t i = 0; i < N_CASES; i++)
                disk_free(all[i]);
        return failed;
}

int main(int argc, char **argv) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cases),
                cmocka_unit_test(test_devices),
                cmocka_unit_test(test_refused_sources),
                cmocka_unit_test(test_refused_devices),
                cmocka_unit_test(test_refused_target),
                cmocka_unit_test(test_refused_extras),
                cmocka_unit_test(test_removable_details),
        };

        if (argc == 3 && strcmp(argv[1], "--write-domains") == 0)
                return write_domains(argv[2]);
        return cmocka_run_group_tests(tests, NULL, NULL);
}
