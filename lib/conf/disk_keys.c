/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * disk_keys.c - the keys of a drive spec, as VDSM's drive dicts and the
 * older VM_Create_t drives spell them, and how each is read.  A JSON
 * null is the same as an absent key.
 *
 * Each key is one row of storvirt__disk_keys[] (disk_parse.h): both its
 * spellings, the kind of its value (an enum, a boolean, an integer in a
 * range, a string), the field of the spec it sets and the values it
 * takes.  The parser (disk_drive.c) and the C API's setter go through
 * the table; a key whose value needs more than its kind (an address,
 * the limits of iotune, a source) has a setter of its own.
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
 *                 (VDSM's "True" and "False"); so are the booleans that
 *                 shared, propagateErrors, discard and reservations take
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
 *   reservations, managed_reservation (VDSM's spelling)
 *                 true | false | {"managed": true|false}
 *   vm_custom     VDSM's custom properties of the VM: {"viodiskcache": mode}
 *                 is the cache mode of a virtio drive that gives none; the
 *                 other properties are for hooks and ignored
 *   volumeChain   VDSM's volumes of the image: [{"volumeID", "domainID",
 *                 "imageID", ...}] in any order, volumeID required
 *   volumeInfo    VDSM's volume used: {"volumeID", "type", "path", ...}
 *                 (both checked against a vDisk's image stack, see
 *                 disk_vdsm_keys.c)
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
#include <strings.h>

#include "conf/disk.h"
#include "conf/disk_json.h"
#include "conf/disk_parse.h"
#include "util/error.h"
#include "util/macro.h"

#define SERIAL_MAX 64
/* QEMU's throttle limit (THROTTLE_VALUE_MAX). */
#define IOTUNE_MAX UINT64_C(1000000000000000)

/* ---- the kinds of keys -------------------------------------------------------------------- */

/* v into the key's field (a bool, an int, an unsigned or an enum); without a field, nowhere. */
static void store(storvirt__disk_spec *s, const struct storvirt__disk_key *k, int64_t v) {
        char *field = (char *) s + k->offset;

        if (k->size == sizeof(bool)) {
                bool b = v != 0;

                memcpy(field, &b, sizeof(b));
        } else if (k->size == sizeof(int32_t)) {
                int32_t i = (int32_t) v;

                memcpy(field, &i, sizeof(i));
        }
}

/* A boolean as JSON or as VDSM writes it, the strings "true" and "false" in any case. */
static bool boolean_value(yajl_val v, bool *ret) {
        if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v))
                *ret = YAJL_IS_TRUE(v);
        else if (YAJL_IS_STRING(v) && strcasecmp(v->u.string, "true") == 0)
                *ret = true;
        else if (YAJL_IS_STRING(v) && strcasecmp(v->u.string, "false") == 0)
                *ret = false;
        else
                return false;
        return true;
}

/* KEY_ENUM with booleans: one of k->names, else an error saying a boolean is taken too. */
static int enum_or_boolean(const struct storvirt__disk_key *k, const char *what, const char *key,
                           yajl_val v, unsigned *ret) {
        char list[256];
        size_t o = 0;

        for (size_t i = 0; i < k->n_names; i++)
                if (k->names[i] && strcmp(k->names[i], v->u.string) == 0) {
                        *ret = (unsigned) i;
                        return 0;
                }
        list[0] = '\0';
        for (size_t i = 0; i < k->n_names && o < sizeof(list); i++)
                if (k->names[i])
                        o += (size_t) snprintf(list + o, sizeof(list) - o, "%s%s", o ? ", " : "",
                                               k->names[i]);
        return storvirt__disk_key_error(what, key, "'%s' is not one of %s or a boolean",
                                        ESC(v->u.string), list);
}

/* KEY_ENUM: one of k->names (its value from k->values), or a boolean when k->booleans. */
static int set_enum(storvirt__disk_spec *s, const struct storvirt__disk_key *k, const char *what,
                    const char *key, yajl_val v) {
        unsigned i;
        bool b;
        int r;

        if (!v) {
                store(s, k, 0);
                return 0;
        }
        if (k->booleans && boolean_value(v, &b)) {
                store(s, k, b ? k->if_true : k->if_false);
                return 0;
        }
        if (k->booleans && !YAJL_IS_STRING(v))
                return storvirt__disk_type_error(what, key, k->booleans, v);
        r = k->booleans ? enum_or_boolean(k, what, key, v, &i)
                        : storvirt__disk_get_enum(what, key, v, k->names, k->n_names, &i);
        if (r < 0)
                return r;
        if (k->refused && strcmp(k->names[i], k->refused) == 0)
                return storvirt__disk_key_error(what, key, "%s", k->refused_why);
        store(s, k, k->values ? k->values[i] : i);
        return 0;
}

/* KEY_BOOL: true or false (also as strings); null is false. */
static int set_bool(storvirt__disk_spec *s, const struct storvirt__disk_key *k, const char *what,
                    const char *key, yajl_val v) {
        bool b = false;
        int r;

        if (v) {
                r = storvirt__disk_get_boolish(what, key, v, &b);
                if (r < 0)
                        return r;
        }
        store(s, k, b);
        return 0;
}

/* KEY_UINT: k->min to k->max, a number or a string of digits; null is k->unset. */
static int set_uint(storvirt__disk_spec *s, const struct storvirt__disk_key *k, const char *what,
                    const char *key, yajl_val v) {
        uint64_t u;
        int r;

        if (!v) {
                store(s, k, k->unset);
                return 0;
        }
        r = storvirt__disk_get_uint(what, key, v, NUM_STRING, k->min, k->max, &u);
        if (r < 0)
                return r;
        store(s, k, (int64_t) u);
        return 0;
}

/* KEY_STRING: any string, checked and not kept. */
static int set_string(storvirt__disk_spec *s, const struct storvirt__disk_key *k,
                      const char *what, const char *key, yajl_val v) {
        const char *t = "";

        return v ? storvirt__disk_get_string(what, key, v, &t) : 0;
}

/* ---- keys read by a function of their own ------------------------------------------------- */




static int set_alias(storvirt__disk_spec *s, const struct storvirt__disk_key *k, const char *what,
                     const char *key, yajl_val v) {
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

static int set_name(storvirt__disk_spec *s, const struct storvirt__disk_key *k, const char *what,
                    const char *key, yajl_val v) {
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

static int set_address(storvirt__disk_spec *s, const struct storvirt__disk_key *k, const char *what,
                       const char *key, yajl_val v) {
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









static bool serial_char(char c) {
        return ascii_alnum(c) || (c && strchr("_ .+-", c));
}

static int set_serial(storvirt__disk_spec *s, const struct storvirt__disk_key *k, const char *what,
                      const char *key, yajl_val v) {
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




static int set_sgio(storvirt__disk_spec *s, const struct storvirt__disk_key *k, const char *what,
                    const char *key, yajl_val v) {
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

static int set_iotune(storvirt__disk_spec *s, const struct storvirt__disk_key *k, const char *what,
                      const char *key, yajl_val v) {
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

static int set_spec_params(storvirt__disk_spec *s, const struct storvirt__disk_key *k,
                           const char *what, const char *key, yajl_val v) {
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

static int set_reservations(storvirt__disk_spec *s, const struct storvirt__disk_key *k,
                            const char *what, const char *key, yajl_val v) {
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
        } else if (!boolean_value(v, &b))
                return storvirt__disk_type_error(what, key, "a boolean or {\"managed\": true}", v);
        s->reservations = b;
        return 0;
}

static int set_disk_type(storvirt__disk_spec *s, const struct storvirt__disk_key *k,
                         const char *what, const char *key, yajl_val v) {
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

static int set_type(storvirt__disk_spec *s, const struct storvirt__disk_key *k, const char *what,
                    const char *key, yajl_val v) {
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

/* ---- the table ---------------------------------------------------------------------------- */

#define FIELD(f) .offset = offsetof(storvirt__disk_spec, f), \
                 .size = sizeof(((storvirt__disk_spec *) 0)->f)
#define NAMES(a) .names = (a), .n_names = ELEMENTSOF(a)

/* store() writes 4-byte fields: the enums, index and boot_order. */
_Static_assert(sizeof(storvirt__disk_device) == sizeof(int32_t), "enum size");
_Static_assert(sizeof(storvirt__disk_bus) == sizeof(int32_t), "enum size");
_Static_assert(sizeof(storvirt__disk_format) == sizeof(int32_t), "enum size");
_Static_assert(sizeof(storvirt__disk_error_policy) == sizeof(int32_t), "enum size");
_Static_assert(sizeof(storvirt__disk_cache) == sizeof(int32_t), "enum size");
_Static_assert(sizeof(storvirt__disk_io) == sizeof(int32_t), "enum size");
_Static_assert(sizeof(storvirt__disk_discard) == sizeof(int32_t), "enum size");
_Static_assert(sizeof(int) == sizeof(int32_t) && sizeof(unsigned) == sizeof(int32_t), "int size");

static const char *const format_names[] = { "raw", "cow", "qcow2" };
static const unsigned format_values[] = {
        STORVIRT__DISK_FORMAT_RAW, STORVIRT__DISK_FORMAT_QCOW2, STORVIRT__DISK_FORMAT_QCOW2,
};
static const char *const shared_names[] = { "shared", "exclusive", "none", "transient" };
static const unsigned shared_values[] = { true, false, false, false };

const struct storvirt__disk_key storvirt__disk_keys[K_N] = {
        [K_ALIAS] = { "alias", NULL, KEY_SETTER, .set = set_alias },
        [K_GUID] = { "GUID", NULL, KEY_SETTER, G_GUID, .set = storvirt__disk_set_guid },
        [K_UUID] = { "UUID", NULL, KEY_SETTER, G_UUID, .set = storvirt__disk_set_fs_uuid },
        [K_POOL_ID] = { "poolID", "spUUID", KEY_SETTER, G_PDIV, FIELD(pool_id),
                        .set = storvirt__disk_set_pdiv },
        [K_DOMAIN_ID] = { "domainID", "sdUUID", KEY_SETTER, G_PDIV, FIELD(domain_id),
                          .set = storvirt__disk_set_pdiv },
        [K_IMAGE_ID] = { "imageID", "imgUUID", KEY_SETTER, G_PDIV, FIELD(image_id),
                         .set = storvirt__disk_set_pdiv },
        [K_VOLUME_ID] = { "volumeID", "volUUID", KEY_SETTER, G_PDIV, FIELD(volume_id),
                          .set = storvirt__disk_set_pdiv },
        [K_POOL] = { "pool", NULL, KEY_SETTER, G_VOLUME, FIELD(pool),
                     .set = storvirt__disk_set_pool },
        [K_VOLUME] = { "volume", NULL, KEY_SETTER, G_VOLUME, FIELD(volume),
                       .set = storvirt__disk_set_volume },
        [K_PATH] = { "path", NULL, KEY_SETTER, G_PATH, .set = storvirt__disk_set_path },
        [K_ISCSI] = { "iscsi", NULL, KEY_SETTER, G_ISCSI, .set = storvirt__disk_set_iscsi },
        [K_VDISK] = { "vdisk", NULL, KEY_SETTER, G_VDISK, .set = storvirt__disk_set_vdisk },
        [K_PROTOCOL] = { "protocol", NULL, KEY_SETTER, G_NETWORK,
                         .set = storvirt__disk_set_network_key },
        [K_HOSTS] = { "hosts", NULL, KEY_SETTER, G_NETWORK, .set = storvirt__disk_set_network_key },
        [K_AUTH] = { "auth", NULL, KEY_SETTER, G_NETWORK, .set = storvirt__disk_set_network_key },
        [K_RBD] = { "rbd", NULL, KEY_SETTER, G_NETCONN, .set = storvirt__disk_set_netconn },
        [K_GLUSTER] = { "gluster", NULL, KEY_SETTER, G_NETCONN, .set = storvirt__disk_set_netconn },
        [K_TYPE] = { "type", NULL, KEY_SETTER, .set = set_type },
        [K_DEVICE_ID] = { "deviceId", NULL, KEY_STRING },
        [K_DEVICE] = { "device", NULL, KEY_ENUM, FIELD(device),
                       NAMES(storvirt__disk_device_names) },
        [K_IFACE] = { "iface", "if", KEY_ENUM, FIELD(bus), NAMES(storvirt__disk_bus_names) },
        [K_INDEX] = { "index", NULL, KEY_UINT, FIELD(index), .max = STORVIRT__DISK_INDEX_MAX,
                      .unset = -1 },
        [K_ADDRESS] = { "address", NULL, KEY_SETTER, .set = set_address },
        [K_FORMAT] = { "format", NULL, KEY_ENUM, FIELD(format), NAMES(format_names),
                       .values = format_values },
        /* QEMU's bootindex is an int32 */
        [K_BOOT_ORDER] = { "bootOrder", NULL, KEY_UINT, FIELD(boot_order), .min = 1,
                           .max = INT32_MAX },
        [K_PROPAGATE_ERRORS] = { "propagateErrors", NULL, KEY_ENUM, FIELD(error_policy),
                                 NAMES(storvirt__disk_error_policy_vdsm_names),
                                 .booleans = "off, on, report or a boolean",
                                 .if_true = STORVIRT__DISK_ERROR_POLICY_ENOSPACE,
                                 .if_false = STORVIRT__DISK_ERROR_POLICY_STOP },
        [K_SHARED] = { "shared", NULL, KEY_ENUM, FIELD(shared), NAMES(shared_names),
                       .values = shared_values,
                       .booleans = "shared, exclusive, none or a boolean",
                       .if_true = true, .if_false = false, .refused = "transient",
                       .refused_why = "'transient' is not supported: a transient disk needs a "
                                      "temporary overlay image made before and removed after "
                                      "every run of the VM, which VDSM does itself and this "
                                      "library does not" },
        [K_READONLY] = { "readonly", "readOnly", KEY_BOOL, FIELD(readonly) },
        [K_OPTIONAL] = { "optional", NULL, KEY_BOOL, FIELD(optional) },
        [K_SERIAL] = { "serial", NULL, KEY_SETTER, .set = set_serial },
        [K_CACHE] = { "cache", NULL, KEY_ENUM, FIELD(cache), NAMES(storvirt__disk_cache_names) },
        [K_IO] = { "io", NULL, KEY_ENUM, FIELD(io), NAMES(storvirt__disk_io_names) },
        [K_DISCARD] = { "discard", NULL, KEY_ENUM, FIELD(discard),
                        NAMES(storvirt__disk_discard_names),
                        .booleans = "unmap, ignore or a boolean",
                        .if_true = STORVIRT__DISK_DISCARD_UNMAP,
                        .if_false = STORVIRT__DISK_DISCARD_IGNORE },
        [K_SGIO] = { "sgio", NULL, KEY_SETTER, .set = set_sgio },
        [K_SPEC_PARAMS] = { "specParams", NULL, KEY_SETTER, .set = set_spec_params },
        [K_IOTUNE] = { "iotune", NULL, KEY_SETTER, .set = set_iotune },
        [K_RESERVATIONS] = { "reservations", "managed_reservation", KEY_SETTER,
                             .set = set_reservations },
        [K_VOLUME_AS_VOLUME] = { "volumeAsVolume", NULL, KEY_BOOL, FIELD(volume_as_volume) },
        [K_DISK_TYPE] = { "diskType", NULL, KEY_SETTER, .set = set_disk_type },
        /* bytes, ignored (the device dict has it) */
        [K_CAPACITY] = { "capacity", NULL, KEY_UINT, .max = UINT64_MAX },
        [K_VM_CUSTOM] = { "vm_custom", NULL, KEY_SETTER, .set = storvirt__disk_set_vm_custom },
        [K_VOLUME_CHAIN] = { "volumeChain", NULL, KEY_SETTER,
                             .set = storvirt__disk_set_volume_chain },
        [K_VOLUME_INFO] = { "volumeInfo", NULL, KEY_SETTER, .set = storvirt__disk_set_volume_info },
        [K_NAME] = { "name", NULL, KEY_SETTER, .set = set_name },
};

const char storvirt__disk_sources_list[] = "GUID, UUID, poolID+domainID+imageID+volumeID, "
                                           "pool+volume, path, iscsi, vdisk, "
                                           "protocol+hosts+path (a network drive), rbd or "
                                           "gluster (through a stored connection)";

int storvirt__disk_key_lookup(const char *name) {
        for (size_t i = 0; i < K_N; i++) {
                const struct storvirt__disk_key *k = &storvirt__disk_keys[i];

                if (strcmp(k->name, name) == 0 || (k->alias && strcmp(k->alias, name) == 0))
                        return (int) i;
        }
        return -1;
}

int storvirt__disk_key_set(storvirt__disk_spec *s, key_id id, const char *what, const char *key,
                           yajl_val v) {
        const struct storvirt__disk_key *k = &storvirt__disk_keys[id];

        switch (k->kind) {
        case KEY_ENUM:
                return set_enum(s, k, what, key, v);
        case KEY_BOOL:
                return set_bool(s, k, what, key, v);
        case KEY_UINT:
                return set_uint(s, k, what, key, v);
        case KEY_STRING:
                return set_string(s, k, what, key, v);
        default:
                return k->set(s, k, what, key, v);
        }
}
