/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * disk_keys.c - the keys of a drive spec, as VDSM's drive dicts and the
 * older VM_Create_t drives spell them, and how each is read.  A JSON
 * null is the same as an absent key.
 *
 *   Source: exactly one of (disk_source_keys.c)
 *     GUID        multipath WWID of a LUN, in any form the WWID normalizer
 *                 takes ("36001405...", "naa.6001405...", "0x6001405...")
 *     UUID        blkid UUID of what is on a LUN: 1 to 64 printable ASCII
 *                 characters, no white space or '/' ("1234-ABCD" for vfat)
 *     poolID, domainID, imageID, volumeID
 *                 a VDSM volume (RFC 4122 UUIDs, stored lower case); the
 *                 older spUUID, sdUUID, imgUUID, volUUID are the same keys.
 *                 All four or none.
 *     pool, volume
 *                 a volume of a storvirt pool (pool name, volume name)
 *     path        an absolute host path (file or block device); "" is an
 *                 empty drive, as VDSM writes an empty cdrom
 *     iscsi       {"portal": "host[:port]" ("[v6addr]:port"), "target": name,
 *                  "lun": n, "initiator": name, "auth": {"username",
 *                  "secret_uuid" | "secret_usage"}}, names "iqn.", "eui."
 *                 or "naa."; only portal and target are required
 *     vdisk       a vDisk id (UUID)
 *   or none (device cdrom or floppy only: no media).  A path next to
 *   GUID, UUID, the PDIV quartet, pool+volume or vdisk is the path an
 *   earlier resolution found (VDSM's device dicts carry both): it must be
 *   absolute and is otherwise ignored, the identity wins.
 *
 *   device        disk (default) | lun | cdrom | floppy
 *   iface, if     virtio | scsi | ide | sata | usb | fdc (default from the
 *                 device: virtio, scsi for lun, ide for cdrom, fdc for floppy)
 *   index         0 to 701 (the last two-letter name, "zz"), number or digits
 *   name          the target dev name ("vdb"); must fit iface and index, and
 *                 gives the index when index is absent
 *   address       {"type": "pci", "domain", "bus", "slot", "function"} or
 *                 {"type": "drive", "controller", "bus", "target", "unit"};
 *                 numbers, decimal strings or "0x" hex strings
 *   format        raw | cow | qcow2 (cow is qcow2)
 *   bootOrder     1 or more
 *   propagateErrors  off | on | report, or a boolean (true is on)
 *   shared        shared | exclusive | none, or a boolean ("transient" is
 *                 refused)
 *   readonly, readOnly, optional, volumeAsVolume
 *                 booleans, also the strings "true" and "false" in any case
 *   serial        1 to 64 of [A-Za-z0-9_ .+-] (libvirt's diskSerial)
 *   cache         none | writethrough | writeback | directsync | unsafe
 *   io            native | threads | io_uring
 *   discard       unmap | ignore, or a boolean (true is unmap)
 *   sgio          filtered ("unfiltered" is refused)
 *   specParams    {"ioTune": {...}}: no other key
 *   iotune        the same limits as specParams.ioTune: total_bytes_sec,
 *                 read_bytes_sec, write_bytes_sec, total_iops_sec,
 *                 read_iops_sec, write_iops_sec (0 to 10^15; a non-zero
 *                 total_X with a non-zero read_X or write_X is refused)
 *   reservations  true | false | {"managed": true|false}
 *   alias         libvirt's user alias: [A-Za-z0-9_.-], "ua-" prepended
 *                 when missing
 *   diskType      block | file | network (ignored) | volume (a pool/volume
 *                 source becomes <disk type='volume'>)
 *   type          "disk" (VDSM's device type; anything else is refused)
 *   deviceId      any string, ignored
 *   capacity      bytes, number or digits, ignored (the device dict has it)
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "conf/disk.h"
#include "conf/disk_json.h"
#include "conf/disk_parse.h"
#include "util/error.h"
#include "util/macro.h"

#define SERIAL_MAX 64
/* QEMU's throttle limit (THROTTLE_VALUE_MAX). */
#define IOTUNE_MAX UINT64_C(1000000000000000)

/* An enum key whose JSON null (not given) is value 0, the enum's default. */
static int get_enum_opt(const char *what, const char *key, yajl_val v, const char *const *names,
                        size_t n, unsigned *ret) {
        if (!v) {
                *ret = 0;
                return 0;
        }
        return storvirt__disk_get_enum(what, key, v, names, n, ret);
}

static const struct {
        const char *name;
        key_id id;
} key_names[] = {
        { "GUID", K_GUID },
        { "UUID", K_UUID },
        { "poolID", K_POOL_ID },
        { "spUUID", K_POOL_ID },
        { "domainID", K_DOMAIN_ID },
        { "sdUUID", K_DOMAIN_ID },
        { "imageID", K_IMAGE_ID },
        { "imgUUID", K_IMAGE_ID },
        { "volumeID", K_VOLUME_ID },
        { "volUUID", K_VOLUME_ID },
        { "pool", K_POOL },
        { "volume", K_VOLUME },
        { "path", K_PATH },
        { "iscsi", K_ISCSI },
        { "vdisk", K_VDISK },
        { "alias", K_ALIAS },
        { "device", K_DEVICE },
        { "iface", K_IFACE },
        { "if", K_IFACE },
        { "index", K_INDEX },
        { "address", K_ADDRESS },
        { "format", K_FORMAT },
        { "bootOrder", K_BOOT_ORDER },
        { "propagateErrors", K_PROPAGATE_ERRORS },
        { "shared", K_SHARED },
        { "readonly", K_READONLY },
        { "readOnly", K_READONLY },
        { "optional", K_OPTIONAL },
        { "serial", K_SERIAL },
        { "cache", K_CACHE },
        { "io", K_IO },
        { "discard", K_DISCARD },
        { "sgio", K_SGIO },
        { "specParams", K_SPEC_PARAMS },
        { "iotune", K_IOTUNE },
        { "reservations", K_RESERVATIONS },
        { "volumeAsVolume", K_VOLUME_AS_VOLUME },
        { "diskType", K_DISK_TYPE },
        { "type", K_TYPE },
        { "deviceId", K_DEVICE_ID },
        { "capacity", K_CAPACITY },
        { "name", K_NAME },
};

int storvirt__disk_key_lookup(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(key_names); i++)
                if (strcmp(key_names[i].name, name) == 0)
                        return (int) key_names[i].id;
        return -1;
}

/* The main spelling of a key. */
const char *storvirt__disk_key_name(key_id id) {
        for (size_t i = 0; i < ELEMENTSOF(key_names); i++)
                if (key_names[i].id == id)
                        return key_names[i].name;
        return "?";
}


static int h_alias(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        const char *a = "";
        char *copy;
        int r;

        if (!v) {
                free(s->alias);
                s->alias = NULL;
                return 0;
        }
        r = storvirt__disk_get_nonempty_string(what, key, v, &a);
        if (r < 0)
                return r;
        for (const char *c = a; *c; c++)
                if (!ascii_alnum(*c) && !strchr("_.-", *c)) {
                        char cb[8];

                        return storvirt__disk_key_error(what, key,
                                                        "'%s' contains %s (libvirt's aliases have "
                                                        "letters, digits, '_', '.' and '-')",
                                                        ESC(a), storvirt__disk_show_char(*c, cb));
                }
        if (strcmp(a, "ua-") == 0)
                return storvirt__disk_key_error(what, key,
                                                "'ua-' has no name after the user alias prefix");
        /* libvirt keeps only user aliases, which start with "ua-" */
        if (strncmp(a, "ua-", 3) == 0)
                copy = strdup(a);
        else if (asprintf(&copy, "ua-%s", a) < 0)
                copy = NULL;
        if (!copy)
                return storvirt__error_oom();
        free(s->alias);
        s->alias = copy;
        return 0;
}

static int h_device(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        unsigned d;
        int r = get_enum_opt(what, key, v, storvirt__disk_device_names,
                             ELEMENTSOF(storvirt__disk_device_names), &d);

        if (r >= 0)
                s->device = (storvirt__disk_device) d;
        return r;
}

static int h_iface(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        unsigned b;
        int r = get_enum_opt(what, key, v, storvirt__disk_bus_names,
                             ELEMENTSOF(storvirt__disk_bus_names), &b);

        if (r >= 0)
                s->bus = (storvirt__disk_bus) b;
        return r;
}

static int h_index(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        uint64_t u;
        int r;

        if (!v) {
                s->index = -1;
                return 0;
        }
        r = storvirt__disk_get_uint(what, key, v, NUM_STRING, 0, STORVIRT__DISK_INDEX_MAX, &u);
        if (r < 0)
                return r;
        s->index = (int) u;
        return 0;
}

/* libvirt's virDiskNameToIndex() for "vd"/"sd"/"hd"/"fd" and lower-case letters; -1 if not one. */
static int target_dev_index(const char *name, char prefix[3]) {
        static const char *const prefixes[] = { "vd", "sd", "hd", "fd" };
        const char *p = "";
        long idx = 0;
        size_t i;

        for (i = 0; i < ELEMENTSOF(prefixes); i++)
                if (strncmp(name, prefixes[i], 2) == 0)
                        break;
        if (i == ELEMENTSOF(prefixes))
                return -1;
        memcpy(prefix, name, 2);
        prefix[2] = '\0';
        p = name + 2;
        if (!*p || strlen(p) > 4)
                return -1;
        for (i = 0; p[i]; i++) {
                if (p[i] < 'a' || p[i] > 'z')
                        return -1;
                idx = (idx + (i > 0)) * 26 + (p[i] - 'a');
        }
        return (int) idx;
}

static int h_name(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        storvirt__disk_bus bus = storvirt__disk_spec_bus(s);
        const char *want = storvirt__disk_bus_prefix(bus);
        const char *bn = storvirt__disk_bus_name(bus), *dn = storvirt__disk_device_name(s->device);
        char prefix[3];
        const char *n = "";
        int idx, r;

        if (!v)
                return 0;
        r = storvirt__disk_get_string(what, key, v, &n);
        if (r < 0)
                return r;
        idx = target_dev_index(n, prefix);
        if (idx < 0)
                return storvirt__disk_key_error(
                        what, key,
                        "'%s' is not a target dev name (vd, sd, hd or fd and "
                        "lower-case letters, like \"vdb\")",
                        ESC(n));
        if (!want || strcmp(prefix, want) != 0) {
                if (s->bus == STORVIRT__DISK_BUS_UNSET)
                        return storvirt__disk_key_error(
                                what, key,
                                "'%s' does not fit bus %s (the default for "
                                "device %s; give key 'iface'), whose names start with "
                                "\"%s\"",
                                ESC(n), bn ? bn : "?", dn ? dn : "?", want ? want : "?");
                return storvirt__disk_key_error(what, key,
                                                "'%s' does not fit bus %s, whose names start with "
                                                "\"%s\"",
                                                ESC(n), bn ? bn : "?", want ? want : "?");
        }
        if (idx > STORVIRT__DISK_INDEX_MAX)
                return storvirt__disk_key_error(what, key,
                                                "'%s' is index %d, more than %d (\"zz\")", ESC(n),
                                                idx, STORVIRT__DISK_INDEX_MAX);
        if (s->index >= 0 && s->index != idx)
                return storvirt__disk_key_error(what, key,
                                                "'%s' is index %d, but key 'index' is %d", ESC(n),
                                                idx, s->index);
        s->index = idx;
        return 0;
}

static int address_field(const char *what, const char *key, yajl_val obj, const char *name,
                         uint64_t max, unsigned *ret) {
        yajl_val v = storvirt__disk_member_value(obj, name);
        uint64_t u;
        int r;

        if (!v) {
                *ret = 0;
                return 0;
        }
        r = storvirt__disk_get_uint(what, SUBKEY(key, name), v, NUM_STRING | NUM_HEX, 0, max, &u);
        if (r < 0)
                return r;
        *ret = (unsigned) u;
        return 0;
}

static int h_address(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        static const char *const pci_keys[] = { "type", "domain", "bus", "slot", "function", NULL };
        static const char *const drive_keys[] = {
                "type", "controller", "bus", "target", "unit", NULL,
        };
        static const char *const types[] = { "pci", "drive" };
        storvirt__disk_address a = {};
        yajl_val type;
        unsigned t;
        int r;

        if (!v) {
                s->address = a;
                return 0;
        }
        if (!YAJL_IS_OBJECT(v))
                return storvirt__disk_type_error(what, key, "an object", v);
        type = storvirt__disk_member_value(v, "type");
        if (!type)
                return storvirt__disk_key_error(what, key, "no type (pci or drive)");
        r = storvirt__disk_get_enum(what, SUBKEY(key, "type"), type, types, ELEMENTSOF(types), &t);
        if (r < 0)
                return r;
        if (t == 0) {
                a.type = STORVIRT__DISK_ADDRESS_PCI;
                r = storvirt__disk_check_object(what, key, v, pci_keys);
                if (r < 0)
                        return r;
                if (!storvirt__disk_member_value(v, "slot"))
                        return storvirt__disk_key_error(what, key, "a PCI address needs a slot");
                if ((r = address_field(what, key, v, "domain", 0xffff, &a.domain)) < 0 ||
                    (r = address_field(what, key, v, "bus", 0xff, &a.bus)) < 0 ||
                    (r = address_field(what, key, v, "slot", 0x1f, &a.slot)) < 0 ||
                    (r = address_field(what, key, v, "function", 7, &a.function)) < 0)
                        return r;
        } else {
                a.type = STORVIRT__DISK_ADDRESS_DRIVE;
                r = storvirt__disk_check_object(what, key, v, drive_keys);
                if (r < 0)
                        return r;
                /* libvirt's schema: controller and bus up to 2 digits */
                if ((r = address_field(what, key, v, "controller", 99, &a.controller)) < 0 ||
                    (r = address_field(what, key, v, "bus", 99, &a.drive_bus)) < 0 ||
                    (r = address_field(what, key, v, "target", 0xffff, &a.target)) < 0 ||
                    (r = address_field(what, key, v, "unit", 0xffff, &a.unit)) < 0)
                        return r;
        }
        s->address = a;
        return 0;
}

static int h_format(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        static const char *const names[] = { "raw", "cow", "qcow2" };
        unsigned f;
        int r;

        if (!v) {
                s->format = STORVIRT__DISK_FORMAT_UNSET;
                return 0;
        }
        r = storvirt__disk_get_enum(what, key, v, names, ELEMENTSOF(names), &f);
        if (r < 0)
                return r;
        s->format = f == 0 ? STORVIRT__DISK_FORMAT_RAW : STORVIRT__DISK_FORMAT_QCOW2;
        return 0;
}

static int h_boot_order(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        uint64_t u;
        int r;

        if (!v) {
                s->boot_order = 0;
                return 0;
        }
        /* QEMU's bootindex is an int32 */
        r = storvirt__disk_get_uint(what, key, v, NUM_STRING, 1, INT32_MAX, &u);
        if (r < 0)
                return r;
        s->boot_order = (unsigned) u;
        return 0;
}

static int h_propagate_errors(storvirt__disk_spec *s, const char *what, const char *key,
                              yajl_val v) {
        unsigned p;
        int r;

        if (!v) {
                s->error_policy = STORVIRT__DISK_ERROR_POLICY_UNSET;
                return 0;
        }
        if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)) {
                s->error_policy = YAJL_IS_TRUE(v) ? STORVIRT__DISK_ERROR_POLICY_ENOSPACE :
                                                    STORVIRT__DISK_ERROR_POLICY_STOP;
                return 0;
        }
        if (!YAJL_IS_STRING(v))
                return storvirt__disk_type_error(what, key, "off, on, report or a boolean", v);
        r = storvirt__disk_get_enum(what, key, v, storvirt__disk_error_policy_vdsm_names,
                                    ELEMENTSOF(storvirt__disk_error_policy_vdsm_names), &p);
        if (r < 0)
                return r;
        s->error_policy = (storvirt__disk_error_policy) p;
        return 0;
}

static int h_shared(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        static const char *const names[] = { "shared", "exclusive", "none", "transient" };
        unsigned m;
        int r;

        if (!v) {
                s->shared = false;
                return 0;
        }
        if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)) {
                s->shared = YAJL_IS_TRUE(v);
                return 0;
        }
        if (!YAJL_IS_STRING(v))
                return storvirt__disk_type_error(what, key, "shared, exclusive, none or a boolean",
                                                 v);
        r = storvirt__disk_get_enum(what, key, v, names, ELEMENTSOF(names), &m);
        if (r < 0)
                return r;
        if (m == 3)
                return storvirt__disk_key_error(
                        what, key,
                        "'transient' is not supported: a transient disk needs a "
                        "temporary overlay image made before and removed after every run "
                        "of the VM, which VDSM does itself and this library does not");
        s->shared = m == 0;
        return 0;
}

static int h_bool(bool *field, const char *what, const char *key, yajl_val v) {
        bool b = false;
        int r;

        if (!v) {
                *field = false;
                return 0;
        }
        r = storvirt__disk_get_boolish(what, key, v, &b);
        if (r < 0)
                return r;
        *field = b;
        return 0;
}

static int h_readonly(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        return h_bool(&s->readonly, what, key, v);
}

static int h_optional(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        return h_bool(&s->optional, what, key, v);
}

static int h_volume_as_volume(storvirt__disk_spec *s, const char *what, const char *key,
                              yajl_val v) {
        return h_bool(&s->volume_as_volume, what, key, v);
}

static bool serial_char(char c) {
        return ascii_alnum(c) || (c && strchr("_ .+-", c));
}

static int h_serial(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        const char *ser = "";
        char *copy;
        size_t n;
        int r;

        if (!v) {
                free(s->serial);
                s->serial = NULL;
                return 0;
        }
        r = storvirt__disk_get_nonempty_string(what, key, v, &ser);
        if (r < 0)
                return r;
        n = strlen(ser);
        for (size_t i = 0; i < n; i++)
                if (!serial_char(ser[i])) {
                        char cb[8];

                        return storvirt__disk_key_error(what, key,
                                                        "'%s' contains %s (libvirt allows letters, "
                                                        "digits, space, '_', '.', '+' and '-')",
                                                        ESC(ser),
                                                        storvirt__disk_show_char(ser[i], cb));
                }
        if (n > SERIAL_MAX)
                return storvirt__disk_key_error(what, key, "'%s' is %zu characters, more than %d",
                                                ESC(ser), n, SERIAL_MAX);
        copy = strdup(ser);
        if (!copy)
                return storvirt__error_oom();
        free(s->serial);
        s->serial = copy;
        return 0;
}

static int h_cache(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        unsigned c;
        int r = get_enum_opt(what, key, v, storvirt__disk_cache_names,
                             ELEMENTSOF(storvirt__disk_cache_names), &c);

        if (r >= 0)
                s->cache = (storvirt__disk_cache) c;
        return r;
}

static int h_io(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        unsigned i;
        int r = get_enum_opt(what, key, v, storvirt__disk_io_names,
                             ELEMENTSOF(storvirt__disk_io_names), &i);

        if (r >= 0)
                s->io = (storvirt__disk_io) i;
        return r;
}

static int h_discard(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        unsigned d;
        int r;

        if (!v) {
                s->discard = STORVIRT__DISK_DISCARD_UNSET;
                return 0;
        }
        if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)) {
                s->discard = YAJL_IS_TRUE(v) ? STORVIRT__DISK_DISCARD_UNMAP :
                                               STORVIRT__DISK_DISCARD_IGNORE;
                return 0;
        }
        if (!YAJL_IS_STRING(v))
                return storvirt__disk_type_error(what, key, "unmap, ignore or a boolean", v);
        r = storvirt__disk_get_enum(what, key, v, storvirt__disk_discard_names,
                                    ELEMENTSOF(storvirt__disk_discard_names), &d);
        if (r < 0)
                return r;
        s->discard = (storvirt__disk_discard) d;
        return 0;
}

static int h_sgio(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        const char *g = "";
        int r;

        if (!v) {
                s->sgio = STORVIRT__DISK_SGIO_UNSET;
                return 0;
        }
        r = storvirt__disk_get_string(what, key, v, &g);
        if (r < 0)
                return r;
        if (strcmp(g, "unfiltered") == 0)
                return storvirt__disk_key_error(
                        what, key,
                        "'unfiltered' is refused: libvirt 9 and later refuse "
                        "sgio='unfiltered'");
        if (strcmp(g, "filtered") != 0)
                return storvirt__disk_key_error(
                        what, key, "'%s' is not filtered (the only value libvirt takes)", ESC(g));
        s->sgio = STORVIRT__DISK_SGIO_FILTERED;
        return 0;
}

static int parse_iotune(const char *what, const char *key, yajl_val v, storvirt__disk_iotune *t) {
        static const char *const allowed[STORVIRT__IOTUNE_N + 1] = {
                "total_bytes_sec", "read_bytes_sec", "write_bytes_sec",
                "total_iops_sec", "read_iops_sec", "write_iops_sec", NULL,
        };
        int r;

        r = storvirt__disk_check_object(what, key, v, allowed);
        if (r < 0)
                return r;
        *t = (storvirt__disk_iotune) {};
        for (unsigned i = 0; i < STORVIRT__IOTUNE_N; i++) {
                yajl_val f = storvirt__disk_member_value(v, storvirt__iotune_names[i]);
                uint64_t u;

                if (!f)
                        continue;
                r = storvirt__disk_get_uint(what, SUBKEY(key, storvirt__iotune_names[i]), f,
                                            NUM_STRING, 0, IOTUNE_MAX, &u);
                if (r < 0)
                        return r;
                t->value[i] = u;
                t->set |= 1u << i;
        }
        /* libvirt refuses a total limit with a read or write one (0 is no limit) */
        for (unsigned total = STORVIRT__IOTUNE_TOTAL_BYTES_SEC;
             total <= STORVIRT__IOTUNE_TOTAL_IOPS_SEC; total += 3)
                for (unsigned rw = total + 1; rw <= total + 2; rw++)
                        if (t->value[total] && t->value[rw])
                                return storvirt__disk_key_error(
                                        what, key,
                                        "%s and %s both set: libvirt refuses "
                                        "a total limit together with a read or write one",
                                        storvirt__iotune_names[total], storvirt__iotune_names[rw]);
        return 0;
}

static int h_iotune(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        storvirt__disk_iotune t = {};
        int r;

        if (v) {
                r = parse_iotune(what, key, v, &t);
                if (r < 0)
                        return r;
        }
        s->iotune = t;
        return 0;
}

static int h_spec_params(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        static const char *const allowed[] = { "ioTune", NULL };
        storvirt__disk_iotune t = {};
        yajl_val io;
        int r;

        if (v) {
                r = storvirt__disk_check_object(what, key, v, allowed);
                if (r < 0)
                        return r;
                io = storvirt__disk_member_value(v, "ioTune");
                if (io) {
                        r = parse_iotune(what, SUBKEY(key, "ioTune"), io, &t);
                        if (r < 0)
                                return r;
                }
        }
        s->iotune = t;
        return 0;
}

static int h_reservations(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        static const char *const allowed[] = { "managed", NULL };
        yajl_val m;
        bool b = false;
        int r;

        if (!v) {
                s->reservations = false;
                return 0;
        }
        if (YAJL_IS_OBJECT(v)) {
                r = storvirt__disk_check_object(what, key, v, allowed);
                if (r < 0)
                        return r;
                m = storvirt__disk_member_value(v, "managed");
                if (!m)
                        return storvirt__disk_key_error(what, key,
                                                        "no managed (only managed reservations, "
                                                        "through qemu-pr-helper, are supported)");
                r = storvirt__disk_get_boolish(what, SUBKEY(key, "managed"), m, &b);
                if (r < 0)
                        return r;
        } else if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v))
                b = YAJL_IS_TRUE(v);
        else
                return storvirt__disk_type_error(what, key, "a boolean or {\"managed\": true}", v);
        s->reservations = b;
        return 0;
}

static int h_disk_type(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        unsigned t;
        int r;

        if (!v)
                return 0;
        r = storvirt__disk_get_enum(what, key, v, storvirt__disk_type_names,
                                    ELEMENTSOF(storvirt__disk_type_names), &t);
        if (r < 0)
                return r;
        /* block, file and network follow from the source */
        if (t == STORVIRT__DISK_TYPE_VOLUME)
                s->volume_as_volume = true;
        return 0;
}

static int h_type(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        const char *t = "";
        int r;

        if (!v)
                return 0;
        r = storvirt__disk_get_string(what, key, v, &t);
        if (r < 0)
                return r;
        if (strcmp(t, "disk") != 0)
                return storvirt__disk_key_error(
                        what, key, "'%s' is not disk (a drive is a device of type disk)", ESC(t));
        return 0;
}

static int h_device_id(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        const char *t = "";

        return v ? storvirt__disk_get_string(what, key, v, &t) : 0;
}

static int h_capacity(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        uint64_t u;

        return v ? storvirt__disk_get_uint(what, key, v, NUM_STRING, 0, UINT64_MAX, &u) : 0;
}

typedef int key_handler(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v);

static key_handler *const handlers[K_N] = {
        [K_GUID] = storvirt__disk_set_guid,
        [K_UUID] = storvirt__disk_set_fs_uuid,
        [K_POOL_ID] = storvirt__disk_set_pdiv,
        [K_DOMAIN_ID] = storvirt__disk_set_pdiv,
        [K_IMAGE_ID] = storvirt__disk_set_pdiv,
        [K_VOLUME_ID] = storvirt__disk_set_pdiv,
        [K_POOL] = storvirt__disk_set_pool_volume,
        [K_VOLUME] = storvirt__disk_set_pool_volume,
        [K_PATH] = storvirt__disk_set_path,
        [K_ISCSI] = storvirt__disk_set_iscsi,
        [K_VDISK] = storvirt__disk_set_vdisk,
        [K_ALIAS] = h_alias,
        [K_DEVICE] = h_device,
        [K_IFACE] = h_iface,
        [K_INDEX] = h_index,
        [K_ADDRESS] = h_address,
        [K_FORMAT] = h_format,
        [K_BOOT_ORDER] = h_boot_order,
        [K_PROPAGATE_ERRORS] = h_propagate_errors,
        [K_SHARED] = h_shared,
        [K_READONLY] = h_readonly,
        [K_OPTIONAL] = h_optional,
        [K_SERIAL] = h_serial,
        [K_CACHE] = h_cache,
        [K_IO] = h_io,
        [K_DISCARD] = h_discard,
        [K_SGIO] = h_sgio,
        [K_SPEC_PARAMS] = h_spec_params,
        [K_IOTUNE] = h_iotune,
        [K_RESERVATIONS] = h_reservations,
        [K_VOLUME_AS_VOLUME] = h_volume_as_volume,
        [K_DISK_TYPE] = h_disk_type,
        [K_TYPE] = h_type,
        [K_DEVICE_ID] = h_device_id,
        [K_CAPACITY] = h_capacity,
        [K_NAME] = h_name,
};

const key_id storvirt__disk_key_order[] = {
        K_ALIAS,
        K_GUID, K_UUID, K_POOL_ID, K_DOMAIN_ID, K_IMAGE_ID, K_VOLUME_ID, K_POOL, K_VOLUME,
        K_PATH, K_ISCSI, K_VDISK,
        K_TYPE, K_DEVICE_ID, K_DEVICE, K_IFACE, K_INDEX, K_ADDRESS, K_FORMAT, K_BOOT_ORDER,
        K_PROPAGATE_ERRORS, K_SHARED, K_READONLY, K_OPTIONAL, K_SERIAL, K_CACHE, K_IO,
        K_DISCARD, K_SGIO, K_SPEC_PARAMS, K_IOTUNE, K_RESERVATIONS, K_VOLUME_AS_VOLUME,
        K_DISK_TYPE, K_CAPACITY, K_NAME,
};
const size_t storvirt__disk_n_key_order = ELEMENTSOF(storvirt__disk_key_order);

int storvirt__disk_key_set(storvirt__disk_spec *s, key_id id, const char *what, const char *key,
                           yajl_val v) {
        return handlers[id](s, what, key, v);
}


enum source_group storvirt__disk_key_group(key_id id) {
        switch (id) {
        case K_GUID:
                return G_GUID;
        case K_UUID:
                return G_UUID;
        case K_POOL_ID:
        case K_DOMAIN_ID:
        case K_IMAGE_ID:
        case K_VOLUME_ID:
                return G_PDIV;
        case K_POOL:
        case K_VOLUME:
                return G_VOLUME;
        case K_PATH:
                return G_PATH;
        case K_ISCSI:
                return G_ISCSI;
        case K_VDISK:
                return G_VDISK;
        default:
                return G_NONE;
        }
}

const char storvirt__disk_sources_list[] =
        "GUID, UUID, poolID+domainID+imageID+volumeID, pool+volume, "
        "path, iscsi or vdisk";
