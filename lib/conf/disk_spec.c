/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * disk_spec.c - the disk spec of a VM drive: parsing a VDSM-style drive
 * dict (also one key at a time, as the C API's setters do), the checks
 * of one drive and of a VM's drives together, target device names, and
 * the normalized device dict of a resolved disk.
 *
 * The keys of one drive.  A JSON null is the same as an absent key.
 *
 *   Source: exactly one of
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
 *
 * Unknown keys and a key given twice (also under its two spellings) are
 * errors.  Every message names the drive, the key, the value and why.
 *
 * The checks of one drive follow libvirt and QEMU: device lun takes a
 * source that can be a block device or an iSCSI LUN (a vDisk only while
 * its top image is its LUN, checked when it is resolved; not an empty drive), no serial, format raw, bus scsi or virtio; sgio and
 * reservations are for lun only; a LUN named by GUID or UUID is raw;
 * floppy is on fdc and from an image (no LUN, no network); cdrom is not
 * on virtio; optional is for cdrom and floppy with a file or volume
 * source; a PCI address is for virtio, a drive address for ide, sata,
 * scsi and fdc within each controller's limits; index fits the bus (ide
 * 0-3, fdc 0-1).  Whether a path or volume really is a block device is
 * for the resolution to check.
 *
 * In a VM's list a drive is "drive N", N its position in the list given
 * from 1 ("devices" counts every device), and "drive N (alias ua-x)"
 * when it has an alias.  Drives without an index get the lowest free
 * one on their bus after every given index is taken; scsi, sata and usb
 * share the "sd" names, so they share the indexes too.
 *
 * The device dict of a resolved disk uses VDSM's forms (format "cow",
 * shared "none"/"shared", PCI addresses as "0x.." strings, drive
 * addresses as decimal strings) and reads back to the same spec: the
 * path found for an identity source is written next to it, the GUID only
 * for a GUID source (with another source it would be a second one).
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stddef.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf/disk.h"
#include "sys/wwid.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/macro.h"
#include "util/strv.h"
#include "util/uuid.h"

#define ESC(s) storvirt__name_escape((s), (char[STORVIRT__ESCAPED_NAME_SIZE]){ 0 }, \
                                     STORVIRT__ESCAPED_NAME_SIZE)

/* One drive's JSON text, and a VM's drive list. */
#define DRIVE_JSON_MAX (1u << 20)
#define VM_JSON_MAX (16u << 20)
/* More drives than any VM can have: 702 names on each of vd and sd, 4 hd, 2 fd. */
#define VM_DRIVES_MAX 2048

/* Two-letter target names end at "zz". */
#define INDEX_MAX 701
#define SERIAL_MAX 64
/* QEMU's scsi-hd and scsi-cd refuse longer serials. */
#define SCSI_SERIAL_MAX 36
/* QEMU's throttle limit (THROTTLE_VALUE_MAX). */
#define IOTUNE_MAX UINT64_C(1000000000000000)
#define FS_UUID_MAX 64
#define ISCSI_NAME_MAX 223
#define ISCSI_PORT_DEFAULT 3260


const char *storvirt__disk_device_name(storvirt__disk_device d) {
        return STORVIRT__DISK_NAME(storvirt__disk_device_names, d);
}

const char *storvirt__disk_bus_name(storvirt__disk_bus b) {
        return STORVIRT__DISK_NAME(storvirt__disk_bus_names, b);
}

static storvirt__disk_bus default_bus(storvirt__disk_device d) {
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

static storvirt__disk_bus effective_bus(const storvirt__disk_spec *s) {
        return s->bus != STORVIRT__DISK_BUS_UNSET ? s->bus : default_bus(s->device);
}

/* Target dev name prefix; scsi, sata and usb share "sd". */
static const char *bus_prefix(storvirt__disk_bus b) {
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
static int bus_namespace(storvirt__disk_bus b) {
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
static unsigned bus_index_max(storvirt__disk_bus b) {
        switch (b) {
        case STORVIRT__DISK_BUS_IDE:
                return 3;
        case STORVIRT__DISK_BUS_FDC:
                return 1;
        default:
                return INDEX_MAX;
        }
}

int storvirt__disk_target_dev(storvirt__disk_bus bus, unsigned index, char *buf, size_t size) {
        const char *prefix = bus_prefix(bus);
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

/* ---- small helpers ------------------------------------------------------------------------ */

static bool ascii_digit(char c) {
        return c >= '0' && c <= '9';
}

static bool ascii_hex(char c) {
        return ascii_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool ascii_alnum(char c) {
        return ascii_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static unsigned hex_value(char c) {
        if (ascii_digit(c))
                return (unsigned) (c - '0');
        if (c >= 'a' && c <= 'f')
                return (unsigned) (c - 'a' + 10);
        return (unsigned) (c - 'A' + 10);
}

static bool all_of(const char *s, size_t n, bool (*pred)(char)) {
        for (size_t i = 0; i < n; i++)
                if (!pred(s[i]))
                        return false;
        return true;
}

/* The first byte of s outside the set allowed, shown for a message ("'/'", "'\\x0a'"). */
static const char *show_char(char c, char buf[8]) {
        unsigned char u = (unsigned char) c;

        if (u >= 0x20 && u < 0x7f && c != '\'' && c != '\\')
                snprintf(buf, 8, "'%c'", c);
        else if (c == '\'' || c == '\\')
                snprintf(buf, 8, "'\\%c'", c);
        else
                snprintf(buf, 8, "'\\x%02x'", u);
        return buf;
}

/*
 * "<what>: key '<key>': <message>" as the thread's error; -EINVAL (or
 * -ENOMEM when even the message cannot be made).
 */
static int key_error(const char *what, const char *key, const char *fmt, ...) _printf_(3, 4);
static int key_error(const char *what, const char *key, const char *fmt, ...) {
        _cleanup_free_ char *m = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&m, fmt, ap);
        va_end(ap);
        if (r < 0) {
                m = NULL;
                return storvirt__error_oom();
        }
        return storvirt__error_set(-EINVAL, "%s: key '%s': %s", what, key, m);
}

#define DESCRIBE_SIZE (STORVIRT__ESCAPED_NAME_SIZE + 32)

/* A JSON value for a message: "the string 'x'", "the number 5", "true", "an object". */
static const char *describe(yajl_val v, char *buf, size_t size) {
        char q[STORVIRT__ESCAPED_NAME_SIZE];

        if (YAJL_IS_STRING(v))
                snprintf(buf, size, "the string '%s'",
                         storvirt__name_escape(v->u.string, q, sizeof(q)));
        else if (YAJL_IS_NUMBER(v))
                snprintf(buf, size, "the number %s",
                         storvirt__name_escape(v->u.number.r, q, sizeof(q)));
        else if (YAJL_IS_TRUE(v))
                snprintf(buf, size, "true");
        else if (YAJL_IS_FALSE(v))
                snprintf(buf, size, "false");
        else
                snprintf(buf, size, "%s", storvirt__json_type_name(v));
        return buf;
}

#define DESCRIBE(v) describe((v), (char[DESCRIBE_SIZE]){ 0 }, DESCRIBE_SIZE)

/* A scalar as written: a number as is, a string quoted. */
static const char *shown(yajl_val v, char *buf, size_t size) {
        char q[STORVIRT__ESCAPED_NAME_SIZE];

        if (YAJL_IS_STRING(v))
                snprintf(buf, size, "'%s'", storvirt__name_escape(v->u.string, q, sizeof(q)));
        else if (YAJL_IS_NUMBER(v))
                snprintf(buf, size, "%s", storvirt__name_escape(v->u.number.r, q, sizeof(q)));
        else
                describe(v, buf, size);
        return buf;
}

#define SHOWN(v) shown((v), (char[DESCRIBE_SIZE]){ 0 }, DESCRIBE_SIZE)

static int type_error(const char *what, const char *key, const char *expected, yajl_val v) {
        return key_error(what, key, "expected %s, got %s", expected, DESCRIBE(v));
}

static int get_string(const char *what, const char *key, yajl_val v, const char **ret) {
        if (!YAJL_IS_STRING(v))
                return type_error(what, key, "a string", v);
        *ret = v->u.string;
        return 0;
}

static int get_nonempty_string(const char *what, const char *key, yajl_val v, const char **ret) {
        int r = get_string(what, key, v, ret);

        if (r < 0)
                return r;
        if (!**ret)
                return key_error(what, key, "empty string");
        return 0;
}

/* true/false, or the strings "true"/"false" in any case (VDSM once wrote Python's "True"). */
static int get_boolish(const char *what, const char *key, yajl_val v, bool *ret) {
        if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)) {
                *ret = YAJL_IS_TRUE(v);
                return 0;
        }
        if (YAJL_IS_STRING(v) && strcasecmp(v->u.string, "true") == 0) {
                *ret = true;
                return 0;
        }
        if (YAJL_IS_STRING(v) && strcasecmp(v->u.string, "false") == 0) {
                *ret = false;
                return 0;
        }
        return type_error(what, key, "true or false", v);
}

/* Integer text: decimal digits (with hex, also "0x" and hex digits).  -EDOM: negative. */
static int u64_from_text(const char *s, bool hex, uint64_t *ret) {
        uint64_t v = 0;
        unsigned base = 10;

        if (s[0] == '-')
                return s[1] && strspn(s + 1, "0123456789") == strlen(s + 1) ? -EDOM : -EINVAL;
        if (hex && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
                base = 16;
                s += 2;
        }
        if (!*s)
                return -EINVAL;
        for (; *s; s++) {
                unsigned d;

                if (base == 16 ? !ascii_hex(*s) : !ascii_digit(*s))
                        return -EINVAL;
                d = hex_value(*s);
                if (v > (UINT64_MAX - d) / base)
                        return -ERANGE;
                v = v * base + d;
        }
        *ret = v;
        return 0;
}

enum {
        NUM_STRING = 1 << 0,   /* also a string of decimal digits */
        NUM_HEX = 1 << 1,      /* also a string "0x" + hex digits */
};

/* A non-negative integer from min to max. */
static int get_uint(const char *what, const char *key, yajl_val v, unsigned flags,
                    uint64_t min, uint64_t max, uint64_t *ret) {
        const char *text = "";
        uint64_t u;
        int r;

        if (YAJL_IS_NUMBER(v))
                text = v->u.number.r;
        else if (YAJL_IS_STRING(v) && (flags & (NUM_STRING | NUM_HEX)))
                text = v->u.string;
        else
                return type_error(what, key,
                                  (flags & NUM_HEX) ? "a non-negative integer, a string of digits "
                                                      "or \"0x\" and hex digits"
                                  : (flags & NUM_STRING)
                                          ? "a non-negative integer or a string of digits"
                                          : "a non-negative integer",
                                  v);
        r = u64_from_text(text, YAJL_IS_STRING(v) && (flags & NUM_HEX), &u);
        if (r == -EDOM)
                return key_error(what, key, "%s is negative", SHOWN(v));
        if (r == -EINVAL)
                return type_error(what, key, YAJL_IS_STRING(v) ?
                                  ((flags & NUM_HEX) ? "decimal digits or \"0x\" and hex digits" :
                                   "a string of decimal digits") :
                                  "an integer without fraction or exponent", v);
        if (r == -ERANGE || u > max)
                return key_error(what, key, "%s is out of range (at most %" PRIu64 ")", SHOWN(v),
                                 max);
        if (u < min)
                return key_error(what, key, "%s is out of range (at least %" PRIu64 ")", SHOWN(v),
                                 min);
        *ret = u;
        return 0;
}

/* A string that is one of names[0..n) (NULL entries skipped); *ret its index. */
static int get_enum(const char *what, const char *key, yajl_val v, const char *const *names,
                    size_t n, unsigned *ret) {
        char list[256];
        size_t o = 0;
        const char *s = "";
        int r;

        r = get_string(what, key, v, &s);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                if (names[i] && strcmp(names[i], s) == 0) {
                        *ret = (unsigned) i;
                        return 0;
                }
        list[0] = '\0';
        for (size_t i = 0; i < n; i++)
                if (names[i] && o < sizeof(list))
                        o += (size_t) snprintf(list + o, sizeof(list) - o, "%s%s",
                                               o ? ", " : "", names[i]);
        return key_error(what, key, "'%s' is not one of %s", ESC(s), list);
}

/* An enum key whose JSON null (not given) is value 0, the enum's default. */
static int get_enum_opt(const char *what, const char *key, yajl_val v, const char *const *names,
                        size_t n, unsigned *ret) {
        if (!v) {
                *ret = 0;
                return 0;
        }
        return get_enum(what, key, v, names, n, ret);
}

/* The member key of obj (keys are checked unique before). */
static yajl_val member(yajl_val obj, const char *key) {
        for (size_t i = 0; i < obj->u.object.len; i++)
                if (strcmp(obj->u.object.keys[i], key) == 0)
                        return obj->u.object.values[i];
        return NULL;
}

/* The non-null member key of obj, or NULL. */
static yajl_val member_value(yajl_val obj, const char *key) {
        yajl_val v = member(obj, key);

        return v && !YAJL_IS_NULL(v) ? v : NULL;
}

/* obj is an object with keys from allowed only, none twice. */
static int check_object(const char *what, const char *key, yajl_val obj,
                        const char *const *allowed) {
        if (!YAJL_IS_OBJECT(obj))
                return type_error(what, key, "an object", obj);
        for (size_t i = 0; i < obj->u.object.len; i++) {
                const char *k = obj->u.object.keys[i];
                bool known = false;

                for (size_t a = 0; allowed[a]; a++)
                        if (strcmp(allowed[a], k) == 0)
                                known = true;
                if (!known) {
                        char list[256];
                        size_t o = 0;

                        list[0] = '\0';
                        for (size_t a = 0; allowed[a] && o < sizeof(list); a++)
                                o += (size_t) snprintf(list + o, sizeof(list) - o, "%s%s",
                                                       a ? ", " : "", allowed[a]);
                        return key_error(what, key, "unknown key '%s' (known: %s)", ESC(k), list);
                }
                for (size_t j = 0; j < i; j++)
                        if (strcmp(obj->u.object.keys[j], k) == 0)
                                return key_error(what, key, "key '%s' given twice", ESC(k));
        }
        return 0;
}

/* "key.sub" for nested messages. */
#define SUBKEY(key, sub) subkey((key), (sub), (char[128]){ 0 }, 128)
static const char *subkey(const char *key, const char *sub, char *buf, size_t size) {
        snprintf(buf, size, "%s.%s", key, sub);
        return buf;
}

static int parse_uuid(const char *what, const char *key, yajl_val v, char **ret) {
        char buf[STORVIRT__UUID_STRING_MAX];
        storvirt__uuid u;
        const char *s = "";
        int r;

        r = get_string(what, key, v, &s);
        if (r < 0)
                return r;
        if (storvirt__uuid_parse(s, &u) < 0)
                return key_error(what, key, "'%s' is not a UUID (like "
                                 "\"5c4d2f4a-8b6e-4e3a-9d7c-0f1e2d3c4b5a\")", ESC(s));
        storvirt__uuid_format(&u, buf);
        *ret = strdup(buf);
        return *ret ? 0 : storvirt__error_oom();
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

static void source_clear(storvirt__disk_spec *s) {
        char **fields[] = {
                &s->guid, &s->fs_uuid, &s->pool_id, &s->domain_id, &s->image_id,
                &s->volume_id, &s->pool, &s->volume, &s->path, &s->vdisk,
        };

        for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
                free(*fields[i]);
                *fields[i] = NULL;
        }
        storvirt__disk_iscsi_clear(&s->iscsi);
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

void storvirt__disk_spec_free(storvirt__disk_spec *spec) {
        if (!spec)
                return;
        source_clear(spec);
        free(spec->name);
        free(spec->alias);
        free(spec->serial);
        free(spec->vendor);
        free(spec->product);
        free(spec);
}

static void spec_freep(storvirt__disk_spec **s) {
        storvirt__disk_spec_free(*s);
}
#define _cleanup_spec_ _cleanup_(spec_freep)

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
        offsetof(storvirt__disk_spec, iscsi.host),
        offsetof(storvirt__disk_spec, iscsi.target),
        offsetof(storvirt__disk_spec, iscsi.initiator),
        offsetof(storvirt__disk_spec, iscsi.auth_username),
        offsetof(storvirt__disk_spec, iscsi.secret_uuid),
        offsetof(storvirt__disk_spec, iscsi.secret_usage),
        offsetof(storvirt__disk_spec, vendor),
        offsetof(storvirt__disk_spec, product),
};

#define SPEC_STRING(s, off) (*(char **) ((char *) (s) + (off)))

int storvirt__disk_spec_dup(const storvirt__disk_spec *spec, storvirt__disk_spec **ret) {
        _cleanup_spec_ storvirt__disk_spec *c = NULL;

        check_nonnull(spec);
        check_nonnull(ret);
        c = malloc(sizeof(*c));
        if (!c)
                return storvirt__error_oom();
        *c = *spec;
        /* nothing shared: every string NULL first, so a failed copy frees only copies */
        for (size_t i = 0; i < ELEMENTSOF(spec_strings); i++)
                SPEC_STRING(c, spec_strings[i]) = NULL;
        for (size_t i = 0; i < ELEMENTSOF(spec_strings); i++) {
                const char *src = SPEC_STRING(spec, spec_strings[i]);

                if (src && !(SPEC_STRING(c, spec_strings[i]) = strdup(src)))
                        return storvirt__error_oom();
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

void storvirt__disk_resolved_free(storvirt__disk_resolved *d) {
        if (!d)
                return;
        storvirt__disk_spec_free(d->spec);
        free(d->source_path);
        free(d->source_pool);
        free(d->source_volume);
        free(d->target_dev);
        free(d->guid);
        for (size_t i = 0; i < d->n_backing; i++) {
                free(d->backing[i].path);
                storvirt__disk_iscsi_clear(&d->backing[i].iscsi);
        }
        free(d->backing);
        free(d);
}

/* ---- keys --------------------------------------------------------------------------------- */

typedef enum key_id {
        K_GUID,
        K_UUID,
        K_POOL_ID,
        K_DOMAIN_ID,
        K_IMAGE_ID,
        K_VOLUME_ID,
        K_POOL,
        K_VOLUME,
        K_PATH,
        K_ISCSI,
        K_VDISK,
        K_ALIAS,
        K_DEVICE,
        K_IFACE,
        K_INDEX,
        K_ADDRESS,
        K_FORMAT,
        K_BOOT_ORDER,
        K_PROPAGATE_ERRORS,
        K_SHARED,
        K_READONLY,
        K_OPTIONAL,
        K_SERIAL,
        K_CACHE,
        K_IO,
        K_DISCARD,
        K_SGIO,
        K_SPEC_PARAMS,
        K_IOTUNE,
        K_RESERVATIONS,
        K_VOLUME_AS_VOLUME,
        K_DISK_TYPE,
        K_TYPE,
        K_DEVICE_ID,
        K_CAPACITY,
        K_NAME,
        K_N,
} key_id;

#define K_SOURCE_FIRST K_GUID
#define K_SOURCE_LAST K_VDISK

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

static int key_lookup(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(key_names); i++)
                if (strcmp(key_names[i].name, name) == 0)
                        return (int) key_names[i].id;
        return -1;
}

/* The main spelling of a key. */
static const char *key_name(key_id id) {
        for (size_t i = 0; i < ELEMENTSOF(key_names); i++)
                if (key_names[i].id == id)
                        return key_names[i].name;
        return "?";
}

/*
 * A handler sets one key from its JSON value, or resets it to its
 * default when v is NULL.  On error the spec is unchanged.
 */
typedef int key_handler(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v);

/* ---- sources ------------------------------------------------------------------------------ */

/* Make s a source of kind k, dropping another kind's fields. */
static void source_switch(storvirt__disk_spec *s, storvirt__disk_source k) {
        if (s->source != k)
                source_clear(s);
        s->source = k;
}

static int h_guid(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        char buf[STORVIRT__WWID_MAX];
        const char *g = "";
        char *copy;
        int r;

        if (!v) {
                if (s->source == STORVIRT__DISK_SOURCE_GUID)
                        source_clear(s);
                return 0;
        }
        r = get_string(what, key, v, &g);
        if (r < 0)
                return r;
        r = storvirt__wwid_normalize(g, buf, sizeof(buf));
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return storvirt__error_prefix("%s: key '%s'", what, key);
        copy = strdup(buf);
        if (!copy)
                return storvirt__error_oom();
        source_switch(s, STORVIRT__DISK_SOURCE_GUID);
        free(s->guid);
        s->guid = copy;
        return 0;
}

static int h_fs_uuid(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        const char *u = "";
        char *copy;
        size_t n;
        int r;

        if (!v) {
                if (s->source == STORVIRT__DISK_SOURCE_FS_UUID)
                        source_clear(s);
                return 0;
        }
        r = get_nonempty_string(what, key, v, &u);
        if (r < 0)
                return r;
        n = strlen(u);
        if (n > FS_UUID_MAX)
                return key_error(what, key, "'%s' is longer than %d characters", ESC(u),
                                 FS_UUID_MAX);
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char) u[i];

                if (c <= 0x20 || c >= 0x7f || c == '/') {
                        char cb[8];

                        return key_error(what, key, "'%s' contains %s (a blkid UUID is printable "
                                         "ASCII without white space or '/')", ESC(u),
                                         show_char(u[i], cb));
                }
        }
        copy = strdup(u);
        if (!copy)
                return storvirt__error_oom();
        source_switch(s, STORVIRT__DISK_SOURCE_FS_UUID);
        free(s->fs_uuid);
        s->fs_uuid = copy;
        return 0;
}

static char **pdiv_field(storvirt__disk_spec *s, key_id id) {
        switch (id) {
        case K_POOL_ID:
                return &s->pool_id;
        case K_DOMAIN_ID:
                return &s->domain_id;
        case K_IMAGE_ID:
                return &s->image_id;
        default:
                return &s->volume_id;
        }
}

static bool pdiv_empty(const storvirt__disk_spec *s) {
        return !s->pool_id && !s->domain_id && !s->image_id && !s->volume_id;
}

static int h_pdiv(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        char **field = pdiv_field(s, (key_id) key_lookup(key));
        char *u = NULL;
        int r;

        if (!v) {
                if (s->source == STORVIRT__DISK_SOURCE_PDIV) {
                        free(*field);
                        *field = NULL;
                        if (pdiv_empty(s))
                                source_clear(s);
                }
                return 0;
        }
        r = parse_uuid(what, key, v, &u);
        if (r < 0)
                return r;
        source_switch(s, STORVIRT__DISK_SOURCE_PDIV);
        field = pdiv_field(s, (key_id) key_lookup(key));
        free(*field);
        *field = u;
        return 0;
}

static int check_pool_name(const char *what, const char *key, const char *p) {
        if (!*p)
                return key_error(what, key, "empty pool name");
        if (p[0] == '.')
                return key_error(what, key, "pool name '%s' must not start with '.'", ESC(p));
        if (strchr(p, '/'))
                return key_error(what, key, "pool name '%s' contains '/'", ESC(p));
        if (storvirt__has_control_char(p))
                return key_error(what, key, "pool name '%s' contains a control character", ESC(p));
        return 0;
}

static int check_volume_name(const char *what, const char *key, const char *p) {
        if (!*p)
                return key_error(what, key, "empty volume name");
        if (strcmp(p, ".") == 0 || strcmp(p, "..") == 0)
                return key_error(what, key, "volume name '%s' is not allowed", p);
        if (strchr(p, '/'))
                return key_error(what, key, "volume name '%s' contains '/'", ESC(p));
        if (storvirt__has_control_char(p))
                return key_error(what, key, "volume name '%s' contains a control character",
                                 ESC(p));
        if (strlen(p) > 255)
                return key_error(what, key, "volume name '%s' is longer than 255 bytes", ESC(p));
        return 0;
}

static int h_pool_volume(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        bool is_pool = strcmp(key, "pool") == 0;
        char **field = is_pool ? &s->pool : &s->volume;
        const char *p = "";
        char *copy;
        int r;

        if (!v) {
                if (s->source == STORVIRT__DISK_SOURCE_VOLUME) {
                        free(*field);
                        *field = NULL;
                        if (!s->pool && !s->volume)
                                source_clear(s);
                }
                return 0;
        }
        r = get_string(what, key, v, &p);
        if (r < 0)
                return r;
        r = is_pool ? check_pool_name(what, key, p) : check_volume_name(what, key, p);
        if (r < 0)
                return r;
        copy = strdup(p);
        if (!copy)
                return storvirt__error_oom();
        source_switch(s, STORVIRT__DISK_SOURCE_VOLUME);
        field = is_pool ? &s->pool : &s->volume;
        free(*field);
        *field = copy;
        return 0;
}

static int check_path(const char *what, const char *key, yajl_val v, const char **ret) {
        const char *p = "";
        int r;

        r = get_string(what, key, v, &p);
        if (r < 0)
                return r;
        if (*p && p[0] != '/')
                return key_error(what, key, "'%s' is not an absolute path", ESC(p));
        if (strlen(p) >= PATH_MAX)
                return key_error(what, key, "'%s' is longer than %d bytes", ESC(p), PATH_MAX - 1);
        *ret = p;
        return 0;
}

static int h_path(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        const char *p = "";
        char *copy;
        int r;

        if (!v) {
                if (s->source == STORVIRT__DISK_SOURCE_PATH)
                        source_clear(s);
                return 0;
        }
        r = check_path(what, key, v, &p);
        if (r < 0)
                return r;
        if (!*p) {
                /* VDSM's empty cdrom */
                source_clear(s);
                return 0;
        }
        copy = strdup(p);
        if (!copy)
                return storvirt__error_oom();
        source_switch(s, STORVIRT__DISK_SOURCE_PATH);
        free(s->path);
        s->path = copy;
        return 0;
}

static int h_vdisk(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        char *u = NULL;
        int r;

        if (!v) {
                if (s->source == STORVIRT__DISK_SOURCE_VDISK)
                        source_clear(s);
                return 0;
        }
        r = parse_uuid(what, key, v, &u);
        if (r < 0)
                return r;
        source_switch(s, STORVIRT__DISK_SOURCE_VDISK);
        free(s->vdisk);
        s->vdisk = u;
        return 0;
}

/* An iSCSI name (RFC 3720 3.2.6): "iqn." + [A-Za-z0-9.:-], "eui." + 16 hex, "naa." + 16 or 32 hex.
 */
static int check_iscsi_name(const char *what, const char *key, const char *n) {
        size_t len = strlen(n);

        if (len > ISCSI_NAME_MAX)
                return key_error(what, key, "'%s' is longer than %d bytes", ESC(n), ISCSI_NAME_MAX);
        if (strncmp(n, "iqn.", 4) == 0) {
                if (len == 4)
                        return key_error(what, key, "'%s' has nothing after \"iqn.\"", ESC(n));
                for (size_t i = 4; i < len; i++)
                        if (!ascii_alnum(n[i]) && !strchr(".:-", n[i])) {
                                char cb[8];

                                return key_error(what, key, "'%s' contains %s (an iqn. name has "
                                                 "letters, digits, '.', ':' and '-')", ESC(n),
                                                 show_char(n[i], cb));
                        }
                return 0;
        }
        if (strncmp(n, "eui.", 4) == 0) {
                if (len != 4 + 16 || !all_of(n + 4, 16, ascii_hex))
                        return key_error(what, key, "'%s' is not \"eui.\" and 16 hex digits",
                                         ESC(n));
                return 0;
        }
        if (strncmp(n, "naa.", 4) == 0) {
                if ((len != 4 + 16 && len != 4 + 32) || !all_of(n + 4, len - 4, ascii_hex))
                        return key_error(what, key, "'%s' is not \"naa.\" and 16 or 32 hex digits",
                                         ESC(n));
                return 0;
        }
        return key_error(what, key, "'%s' is not an iSCSI name (starting \"iqn.\", \"eui.\" "
                         "or \"naa.\")", ESC(n));
}

static bool host_char(char c) {
        return ascii_alnum(c) || c == '.' || c == '-';
}

/* "host", "host:port", "[v6]" or "[v6]:port" into i->host and i->port. */
static int parse_portal(const char *what, const char *key, const char *p, storvirt__disk_iscsi *i) {
        const char *host = p, *port = NULL, *colon;
        size_t hlen;

        if (!*p)
                return key_error(what, key, "empty portal");
        if (p[0] == '[') {
                const char *end = strchr(p, ']');
                char addr[INET6_ADDRSTRLEN + 1];
                unsigned char bin[16];

                if (!end)
                        return key_error(what, key, "'%s' has no ']' after the IPv6 address",
                                         ESC(p));
                host = p + 1;
                hlen = (size_t) (end - host);
                if (hlen == 0 || hlen >= sizeof(addr))
                        return key_error(what, key, "'%s' is not an IPv6 address in brackets",
                                         ESC(p));
                memcpy(addr, host, hlen);
                addr[hlen] = '\0';
                if (inet_pton(AF_INET6, addr, bin) != 1)
                        return key_error(what, key, "'%s' is not an IPv6 address in brackets",
                                         ESC(p));
                if (end[1] == ':')
                        port = end + 2;
                else if (end[1])
                        return key_error(what, key, "'%s': only \":port\" may follow ']'", ESC(p));
        } else {
                colon = strchr(p, ':');
                if (colon && strchr(colon + 1, ':'))
                        return key_error(what, key, "'%s': an IPv6 address goes in brackets, as "
                                         "\"[addr]:port\"", ESC(p));
                hlen = colon ? (size_t) (colon - p) : strlen(p);
                if (colon)
                        port = colon + 1;
                if (hlen == 0)
                        return key_error(what, key, "'%s' has no host", ESC(p));
                if (hlen > 253)
                        return key_error(what, key, "'%s': the host name is longer than 253 bytes",
                                         ESC(p));
                for (size_t k = 0; k < hlen; k++)
                        if (!host_char(p[k])) {
                                char cb[8];

                                return key_error(what, key, "'%s': the host contains %s (a host "
                                                 "name or IPv4 address has letters, digits, '.' "
                                                 "and '-')", ESC(p), show_char(p[k], cb));
                        }
                if (p[0] == '-' || p[0] == '.')
                        return key_error(what, key, "'%s': a host name cannot start with '%c'",
                                         ESC(p), p[0]);
        }
        if (port) {
                uint64_t v;

                if (u64_from_text(port, false, &v) < 0 || v < 1 || v > 65535)
                        return key_error(what, key,
                                         "'%s': the port is not a number from 1 to 65535", ESC(p));
                i->port = (unsigned) v;
        } else
                i->port = ISCSI_PORT_DEFAULT;
        i->host = strndup(host, hlen);
        return i->host ? 0 : storvirt__error_oom();
}

static int parse_iscsi_auth(const char *what, const char *key, yajl_val v,
                            storvirt__disk_iscsi *i) {
        static const char *const allowed[] = {
                "username", "secret_uuid", "secret_usage", "password", NULL,
        };
        yajl_val user, uuid, usage;
        const char *s = "";
        int r;

        r = check_object(what, key, v, allowed);
        if (r < 0)
                return r;
        if (member(v, "password"))
                return key_error(what, key, "a CHAP password is never taken here: store it in a "
                                 "libvirt secret and give secret_uuid or secret_usage");
        user = member_value(v, "username");
        uuid = member_value(v, "secret_uuid");
        usage = member_value(v, "secret_usage");
        if (!user)
                return key_error(what, key, "no username");
        r = get_nonempty_string(what, SUBKEY(key, "username"), user, &s);
        if (r < 0)
                return r;
        i->auth_username = strdup(s);
        if (!i->auth_username)
                return storvirt__error_oom();
        if (uuid && usage)
                return key_error(what, key,
                                 "secret_uuid and secret_usage both given; the secret is "
                                 "named by one of them");
        if (!uuid && !usage)
                return key_error(what, key, "no secret: give secret_uuid or secret_usage (the "
                                 "libvirt secret holding the CHAP password)");
        if (uuid)
                return parse_uuid(what, SUBKEY(key, "secret_uuid"), uuid, &i->secret_uuid);
        r = get_nonempty_string(what, SUBKEY(key, "secret_usage"), usage, &s);
        if (r < 0)
                return r;
        i->secret_usage = strdup(s);
        return i->secret_usage ? 0 : storvirt__error_oom();
}

static int parse_iscsi(const char *what, const char *key, yajl_val v, storvirt__disk_iscsi *i) {
        static const char *const allowed[] = {
                "portal", "target", "lun", "initiator", "auth", NULL,
        };
        yajl_val portal, target, lun, initiator, auth;
        const char *s = "";
        int r;

        r = check_object(what, key, v, allowed);
        if (r < 0)
                return r;
        portal = member_value(v, "portal");
        target = member_value(v, "target");
        lun = member_value(v, "lun");
        initiator = member_value(v, "initiator");
        auth = member_value(v, "auth");
        if (!portal)
                return key_error(what, key, "no portal (\"host[:port]\")");
        if (!target)
                return key_error(what, key, "no target (the target's iSCSI name)");
        r = get_string(what, SUBKEY(key, "portal"), portal, &s);
        if (r < 0)
                return r;
        r = parse_portal(what, SUBKEY(key, "portal"), s, i);
        if (r < 0)
                return r;
        r = get_string(what, SUBKEY(key, "target"), target, &s);
        if (r < 0)
                return r;
        r = check_iscsi_name(what, SUBKEY(key, "target"), s);
        if (r < 0)
                return r;
        if (!(i->target = strdup(s)))
                return storvirt__error_oom();
        if (lun) {
                uint64_t u;

                /* QEMU's iscsi driver reads the LUN into an int */
                r = get_uint(what, SUBKEY(key, "lun"), lun, NUM_STRING, 0, INT32_MAX, &u);
                if (r < 0)
                        return r;
                i->lun = (unsigned) u;
        }
        if (initiator) {
                r = get_string(what, SUBKEY(key, "initiator"), initiator, &s);
                if (r < 0)
                        return r;
                r = check_iscsi_name(what, SUBKEY(key, "initiator"), s);
                if (r < 0)
                        return r;
                if (!(i->initiator = strdup(s)))
                        return storvirt__error_oom();
        }
        if (auth)
                return parse_iscsi_auth(what, SUBKEY(key, "auth"), auth, i);
        return 0;
}

static int h_iscsi(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        storvirt__disk_iscsi i = {};
        int r;

        if (!v) {
                if (s->source == STORVIRT__DISK_SOURCE_ISCSI)
                        source_clear(s);
                return 0;
        }
        r = parse_iscsi(what, key, v, &i);
        if (r < 0) {
                storvirt__disk_iscsi_clear(&i);
                return r;
        }
        source_switch(s, STORVIRT__DISK_SOURCE_ISCSI);
        storvirt__disk_iscsi_clear(&s->iscsi);
        s->iscsi = i;
        return 0;
}

/* ---- the other keys ----------------------------------------------------------------------- */

static int h_alias(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        const char *a = "";
        char *copy;
        int r;

        if (!v) {
                free(s->alias);
                s->alias = NULL;
                return 0;
        }
        r = get_nonempty_string(what, key, v, &a);
        if (r < 0)
                return r;
        for (const char *c = a; *c; c++)
                if (!ascii_alnum(*c) && !strchr("_.-", *c)) {
                        char cb[8];

                        return key_error(what, key, "'%s' contains %s (libvirt's aliases have "
                                         "letters, digits, '_', '.' and '-')", ESC(a),
                                         show_char(*c, cb));
                }
        if (strcmp(a, "ua-") == 0)
                return key_error(what, key, "'ua-' has no name after the user alias prefix");
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
        int r = get_enum_opt(what, key, v, storvirt__disk_device_names, ELEMENTSOF(storvirt__disk_device_names), &d);

        if (r >= 0)
                s->device = (storvirt__disk_device) d;
        return r;
}

static int h_iface(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        unsigned b;
        int r = get_enum_opt(what, key, v, storvirt__disk_bus_names, ELEMENTSOF(storvirt__disk_bus_names), &b);

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
        r = get_uint(what, key, v, NUM_STRING, 0, INDEX_MAX, &u);
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
        storvirt__disk_bus bus = effective_bus(s);
        const char *want = bus_prefix(bus);
        const char *bn = storvirt__disk_bus_name(bus), *dn = storvirt__disk_device_name(s->device);
        char prefix[3];
        const char *n = "";
        int idx, r;

        if (!v)
                return 0;
        r = get_string(what, key, v, &n);
        if (r < 0)
                return r;
        idx = target_dev_index(n, prefix);
        if (idx < 0)
                return key_error(what, key, "'%s' is not a target dev name (vd, sd, hd or fd and "
                                 "lower-case letters, like \"vdb\")", ESC(n));
        if (!want || strcmp(prefix, want) != 0) {
                if (s->bus == STORVIRT__DISK_BUS_UNSET)
                        return key_error(what, key, "'%s' does not fit bus %s (the default for "
                                         "device %s; give key 'iface'), whose names start with "
                                         "\"%s\"", ESC(n), bn ? bn : "?", dn ? dn : "?",
                                         want ? want : "?");
                return key_error(what, key, "'%s' does not fit bus %s, whose names start with "
                                 "\"%s\"", ESC(n), bn ? bn : "?", want ? want : "?");
        }
        if (idx > INDEX_MAX)
                return key_error(what, key, "'%s' is index %d, more than %d (\"zz\")", ESC(n), idx,
                                 INDEX_MAX);
        if (s->index >= 0 && s->index != idx)
                return key_error(what, key, "'%s' is index %d, but key 'index' is %d", ESC(n), idx,
                                 s->index);
        s->index = idx;
        return 0;
}

static int address_field(const char *what, const char *key, yajl_val obj, const char *name,
                         uint64_t max, unsigned *ret) {
        yajl_val v = member_value(obj, name);
        uint64_t u;
        int r;

        if (!v) {
                *ret = 0;
                return 0;
        }
        r = get_uint(what, SUBKEY(key, name), v, NUM_STRING | NUM_HEX, 0, max, &u);
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
                return type_error(what, key, "an object", v);
        type = member_value(v, "type");
        if (!type)
                return key_error(what, key, "no type (pci or drive)");
        r = get_enum(what, SUBKEY(key, "type"), type, types, ELEMENTSOF(types), &t);
        if (r < 0)
                return r;
        if (t == 0) {
                a.type = STORVIRT__DISK_ADDRESS_PCI;
                r = check_object(what, key, v, pci_keys);
                if (r < 0)
                        return r;
                if (!member_value(v, "slot"))
                        return key_error(what, key, "a PCI address needs a slot");
                if ((r = address_field(what, key, v, "domain", 0xffff, &a.domain)) < 0 ||
                    (r = address_field(what, key, v, "bus", 0xff, &a.bus)) < 0 ||
                    (r = address_field(what, key, v, "slot", 0x1f, &a.slot)) < 0 ||
                    (r = address_field(what, key, v, "function", 7, &a.function)) < 0)
                        return r;
        } else {
                a.type = STORVIRT__DISK_ADDRESS_DRIVE;
                r = check_object(what, key, v, drive_keys);
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
        r = get_enum(what, key, v, names, ELEMENTSOF(names), &f);
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
        r = get_uint(what, key, v, NUM_STRING, 1, INT32_MAX, &u);
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
                return type_error(what, key, "off, on, report or a boolean", v);
        r = get_enum(what, key, v, storvirt__disk_error_policy_vdsm_names, ELEMENTSOF(storvirt__disk_error_policy_vdsm_names), &p);
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
                return type_error(what, key, "shared, exclusive, none or a boolean", v);
        r = get_enum(what, key, v, names, ELEMENTSOF(names), &m);
        if (r < 0)
                return r;
        if (m == 3)
                return key_error(what, key,
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
        r = get_boolish(what, key, v, &b);
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
        r = get_nonempty_string(what, key, v, &ser);
        if (r < 0)
                return r;
        n = strlen(ser);
        for (size_t i = 0; i < n; i++)
                if (!serial_char(ser[i])) {
                        char cb[8];

                        return key_error(what, key, "'%s' contains %s (libvirt allows letters, "
                                         "digits, space, '_', '.', '+' and '-')", ESC(ser),
                                         show_char(ser[i], cb));
                }
        if (n > SERIAL_MAX)
                return key_error(what, key, "'%s' is %zu characters, more than %d", ESC(ser), n,
                                 SERIAL_MAX);
        copy = strdup(ser);
        if (!copy)
                return storvirt__error_oom();
        free(s->serial);
        s->serial = copy;
        return 0;
}

static int h_cache(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        unsigned c;
        int r = get_enum_opt(what, key, v, storvirt__disk_cache_names, ELEMENTSOF(storvirt__disk_cache_names), &c);

        if (r >= 0)
                s->cache = (storvirt__disk_cache) c;
        return r;
}

static int h_io(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        unsigned i;
        int r = get_enum_opt(what, key, v, storvirt__disk_io_names, ELEMENTSOF(storvirt__disk_io_names), &i);

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
                return type_error(what, key, "unmap, ignore or a boolean", v);
        r = get_enum(what, key, v, storvirt__disk_discard_names, ELEMENTSOF(storvirt__disk_discard_names), &d);
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
        r = get_string(what, key, v, &g);
        if (r < 0)
                return r;
        if (strcmp(g, "unfiltered") == 0)
                return key_error(what, key, "'unfiltered' is refused: libvirt 9 and later refuse "
                                 "sgio='unfiltered'");
        if (strcmp(g, "filtered") != 0)
                return key_error(what, key, "'%s' is not filtered (the only value libvirt takes)",
                                 ESC(g));
        s->sgio = STORVIRT__DISK_SGIO_FILTERED;
        return 0;
}

static int parse_iotune(const char *what, const char *key, yajl_val v, storvirt__disk_iotune *t) {
        static const char *const allowed[STORVIRT__IOTUNE_N + 1] = {
                "total_bytes_sec", "read_bytes_sec", "write_bytes_sec",
                "total_iops_sec", "read_iops_sec", "write_iops_sec", NULL,
        };
        int r;

        r = check_object(what, key, v, allowed);
        if (r < 0)
                return r;
        *t = (storvirt__disk_iotune) {};
        for (unsigned i = 0; i < STORVIRT__IOTUNE_N; i++) {
                yajl_val f = member_value(v, storvirt__iotune_names[i]);
                uint64_t u;

                if (!f)
                        continue;
                r = get_uint(what, SUBKEY(key, storvirt__iotune_names[i]), f, NUM_STRING, 0,
                             IOTUNE_MAX, &u);
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
                                return key_error(what, key, "%s and %s both set: libvirt refuses "
                                                 "a total limit together with a read or write one",
                                                 storvirt__iotune_names[total],
                                                 storvirt__iotune_names[rw]);
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
                r = check_object(what, key, v, allowed);
                if (r < 0)
                        return r;
                io = member_value(v, "ioTune");
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
                r = check_object(what, key, v, allowed);
                if (r < 0)
                        return r;
                m = member_value(v, "managed");
                if (!m)
                        return key_error(what, key, "no managed (only managed reservations, "
                                         "through qemu-pr-helper, are supported)");
                r = get_boolish(what, SUBKEY(key, "managed"), m, &b);
                if (r < 0)
                        return r;
        } else if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v))
                b = YAJL_IS_TRUE(v);
        else
                return type_error(what, key, "a boolean or {\"managed\": true}", v);
        s->reservations = b;
        return 0;
}

static int h_disk_type(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        unsigned t;
        int r;

        if (!v)
                return 0;
        r = get_enum(what, key, v, storvirt__disk_type_names, ELEMENTSOF(storvirt__disk_type_names), &t);
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
        r = get_string(what, key, v, &t);
        if (r < 0)
                return r;
        if (strcmp(t, "disk") != 0)
                return key_error(what, key, "'%s' is not disk (a drive is a device of type disk)",
                                 ESC(t));
        return 0;
}

static int h_device_id(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        const char *t = "";

        return v ? get_string(what, key, v, &t) : 0;
}

static int h_capacity(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v) {
        uint64_t u;

        return v ? get_uint(what, key, v, NUM_STRING, 0, UINT64_MAX, &u) : 0;
}

static key_handler *const handlers[K_N] = {
        [K_GUID] = h_guid,
        [K_UUID] = h_fs_uuid,
        [K_POOL_ID] = h_pdiv,
        [K_DOMAIN_ID] = h_pdiv,
        [K_IMAGE_ID] = h_pdiv,
        [K_VOLUME_ID] = h_pdiv,
        [K_POOL] = h_pool_volume,
        [K_VOLUME] = h_pool_volume,
        [K_PATH] = h_path,
        [K_ISCSI] = h_iscsi,
        [K_VDISK] = h_vdisk,
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

/* ---- one drive ---------------------------------------------------------------------------- */

/*
 * Errors of one parse: the first is kept (code and message) and, when
 * collecting, every message is added to problems.
 */
struct collect {
        struct storvirt__strv_builder *problems;
        int first;
        char *first_msg;
        bool oom;
};

/* Note a failed step r (< 0, message set); returns r. */
static int collect_error(struct collect *c, int r) {
        if (r == -ENOMEM) {
                c->oom = true;
                return r;
        }
        if (!c->first) {
                c->first = r;
                c->first_msg = strdup(storvirt__error_msg());
                if (!c->first_msg)
                        c->oom = true;
        }
        if (c->problems && storvirt__strv_builder_add(c->problems, storvirt__error_msg()) < 0)
                c->oom = true;
        return r;
}

/* The spec's name for messages: what, and its alias when it has one. */
static int spec_set_name(storvirt__disk_spec *s, const char *what) {
        char *n;

        if (s->alias) {
                if (asprintf(&n, "%s (alias %s)", what, s->alias) < 0)
                        return storvirt__error_oom();
        } else if (!(n = strdup(what)))
                return storvirt__error_oom();
        free(s->name);
        s->name = n;
        return 0;
}

/* The name without an " (alias ...)" part. */
static char *spec_base_name(const storvirt__disk_spec *s) {
        const char *n = s->name ? s->name : "disk";
        const char *a = strstr(n, " (alias ");

        return a ? strndup(n, (size_t) (a - n)) : strdup(n);
}

/* Processing order: the alias first (it names the drive), then the sources, the bus and
 * index before the name that must fit them, volumeAsVolume before diskType. */
static const key_id key_order[] = {
        K_ALIAS,
        K_GUID, K_UUID, K_POOL_ID, K_DOMAIN_ID, K_IMAGE_ID, K_VOLUME_ID, K_POOL, K_VOLUME,
        K_PATH, K_ISCSI, K_VDISK,
        K_TYPE, K_DEVICE_ID, K_DEVICE, K_IFACE, K_INDEX, K_ADDRESS, K_FORMAT, K_BOOT_ORDER,
        K_PROPAGATE_ERRORS, K_SHARED, K_READONLY, K_OPTIONAL, K_SERIAL, K_CACHE, K_IO,
        K_DISCARD, K_SGIO, K_SPEC_PARAMS, K_IOTUNE, K_RESERVATIONS, K_VOLUME_AS_VOLUME,
        K_DISK_TYPE, K_CAPACITY, K_NAME,
};

enum source_group {
        G_NONE = -1,
        G_GUID,
        G_UUID,
        G_PDIV,
        G_VOLUME,
        G_PATH,
        G_ISCSI,
        G_VDISK,
        G_N,
};

static enum source_group key_group(key_id id) {
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

static const char sources_list[] = "GUID, UUID, poolID+domainID+imageID+volumeID, pool+volume, "
                                   "path, iscsi or vdisk";

/*
 * Parse obj into a new spec.  With c->problems every error is collected
 * and parsing goes on; the first error is returned either way.
 */
static int parse_drive(yajl_val obj, const char *what, storvirt__disk_spec **ret,
                       struct collect *c) {
        _cleanup_spec_ storvirt__disk_spec *s = NULL;
        yajl_val vals[K_N] = {}, alias;
        const char *spelled[K_N] = {};
        bool present[K_N] = {};
        int groups[G_N] = {};
        int n_groups = 0, r;
        bool path_informational = false, sources_ok = true;

        if (!YAJL_IS_OBJECT(obj))
                return collect_error(c,
                                     storvirt__error_set(-EINVAL, "%s: expected an object, got %s",
                                                         what, DESCRIBE(obj)));
        r = storvirt__disk_spec_new(&s);
        if (r < 0)
                return collect_error(c, r);
        /* The alias first: every later message names it. */
        alias = member_value(obj, "alias");
        if (alias) {
                r = h_alias(s, what, "alias", alias);
                if (r < 0 && collect_error(c, r) == -ENOMEM)
                        return r;
        }
        r = spec_set_name(s, what);
        if (r < 0)
                return collect_error(c, r);
        what = s->name;

        for (size_t i = 0; i < obj->u.object.len; i++) {
                const char *k = obj->u.object.keys[i];
                yajl_val v = obj->u.object.values[i];
                int id = key_lookup(k), e = 0;

                if (id < 0)
                        e = storvirt__error_set(-EINVAL, "%s: unknown key '%s'", what, ESC(k));
                else if (spelled[id] && strcmp(spelled[id], k) == 0)
                        e = storvirt__error_set(-EINVAL, "%s: key '%s' given twice", what, ESC(k));
                else if (spelled[id])
                        e = storvirt__error_set(-EINVAL, "%s: keys '%s' and '%s' both given (two "
                                                "spellings of one key)", what, spelled[id], k);
                else {
                        spelled[id] = k;
                        present[id] = !YAJL_IS_NULL(v);
                        vals[id] = present[id] ? v : NULL;
                }
                if (e < 0 && collect_error(c, e) == -ENOMEM)
                        return e;
                if (c->oom)
                        return -ENOMEM;
        }

        /* Which sources are there: a non-empty path counts, "" is an empty drive. */
        for (key_id id = K_SOURCE_FIRST; id <= K_SOURCE_LAST; id++) {
                enum source_group g = key_group(id);

                if (!present[id])
                        continue;
                if (id == K_PATH && YAJL_IS_STRING(vals[id]) && !vals[id]->u.string[0])
                        continue;
                if (!groups[g]++)
                        n_groups++;
        }
        if (groups[G_PATH] && n_groups == 2 && !groups[G_ISCSI]) {
                path_informational = true;
        } else if (n_groups > 1) {
                char list[512];
                size_t o = 0;

                list[0] = '\0';
                for (size_t i = 0; i < obj->u.object.len && o < sizeof(list); i++) {
                        int id = key_lookup(obj->u.object.keys[i]);

                        if (id >= 0 && key_group((key_id) id) != G_NONE && present[id] &&
                            spelled[id] == obj->u.object.keys[i])
                                o += (size_t) snprintf(list + o, sizeof(list) - o, "%s'%s'",
                                                       o ? ", " : "", obj->u.object.keys[i]);
                }
                collect_error(c, storvirt__error_set(-EINVAL, "%s: more than one source: keys %s; "
                                                     "a drive has one of %s", what, list,
                                                     sources_list));
                if (c->oom)
                        return -ENOMEM;
                sources_ok = false;
        }

        for (size_t o = 0; o < ELEMENTSOF(key_order); o++) {
                key_id id = key_order[o];
                const char *p;

                if (!present[id] || id == K_ALIAS)
                        continue;
                if (key_group(id) != G_NONE && !sources_ok)
                        continue;
                /* a path next to an identity, or "" next to any source, is only checked */
                if (id == K_PATH && (path_informational ||
                                     (YAJL_IS_STRING(vals[id]) && !vals[id]->u.string[0] &&
                                      n_groups > 0)))
                        r = check_path(what, spelled[id], vals[id], &p);
                else
                        r = handlers[id](s, what, spelled[id], vals[id]);
                if (r < 0 && collect_error(c, r) == -ENOMEM)
                        return r;
        }

        /* Keys that go together */
        if (sources_ok && groups[G_PDIV]) {
                static const key_id quartet[] = { K_POOL_ID, K_DOMAIN_ID, K_IMAGE_ID, K_VOLUME_ID };
                static const char *const old[] = { "spUUID", "sdUUID", "imgUUID", "volUUID" };
                char list[128];
                size_t o = 0;

                list[0] = '\0';
                for (size_t i = 0; i < ELEMENTSOF(quartet); i++)
                        if (!present[quartet[i]])
                                o += (size_t) snprintf(list + o, sizeof(list) - o, "%s%s (%s)",
                                                       o ? ", " : "", key_name(quartet[i]), old[i]);
                if (o)
                        collect_error(c, storvirt__error_set(-EINVAL, "%s: the volume source lacks "
                                                             "%s (poolID, domainID, imageID and "
                                                             "volumeID go together)", what, list));
        }
        if (sources_ok && groups[G_VOLUME] && (!present[K_POOL] || !present[K_VOLUME]))
                collect_error(c, storvirt__error_set(-EINVAL, "%s: key '%s' without key '%s' (a "
                                                     "storvirt volume is named by pool and volume)",
                                                     what, present[K_POOL] ? "pool" : "volume",
                                                     present[K_POOL] ? "volume" : "pool"));
        if (present[K_SPEC_PARAMS] && present[K_IOTUNE] && YAJL_IS_OBJECT(vals[K_SPEC_PARAMS]) &&
            member_value(vals[K_SPEC_PARAMS], "ioTune"))
                collect_error(c, storvirt__error_set(-EINVAL, "%s: keys 'specParams.ioTune' and "
                                                     "'iotune' both given (two spellings of one "
                                                     "key)", what));
        if (present[K_VOLUME_AS_VOLUME] && present[K_DISK_TYPE] &&
            YAJL_IS_STRING(vals[K_DISK_TYPE])) {
                bool dt = strcmp(vals[K_DISK_TYPE]->u.string, "volume") == 0;
                bool vav = false;

                if (get_boolish(what, spelled[K_VOLUME_AS_VOLUME], vals[K_VOLUME_AS_VOLUME],
                                &vav) == 0 &&
                    dt != vav)
                        collect_error(c, storvirt__error_set(-EINVAL, "%s: keys 'diskType' ('%s') "
                                                             "and '%s' (%s) disagree", what,
                                                             ESC(vals[K_DISK_TYPE]->u.string),
                                                             spelled[K_VOLUME_AS_VOLUME],
                                                             vav ? "true" : "false"));
        }
        if (c->oom)
                return -ENOMEM;
        if (c->first)
                return storvirt__error_set(c->first, "%s", c->first_msg);
        *ret = TAKE_PTR(s);
        return 0;
}

int storvirt__disk_spec_from_json(yajl_val obj, const char *what, storvirt__disk_spec **ret) {
        struct collect c = {};
        int r;

        check_nonnull(ret);
        r = parse_drive(obj, what ? what : "disk", ret, &c);
        free(c.first_msg);
        if (c.oom)
                return storvirt__error_oom();
        return r;
}

int storvirt__disk_spec_parse(const char *json, size_t len, storvirt__disk_spec **ret) {
        _cleanup_json_ yajl_val v = NULL;
        int r;

        check_arg(json || len == 0, "json", "must not be NULL when len > 0");
        check_nonnull(ret);
        r = storvirt__json_parse(json, len, DRIVE_JSON_MAX, &v, "disk");
        if (r < 0)
                return r;
        return storvirt__disk_spec_from_json(v, "disk", ret);
}

int storvirt__disk_spec_set_json(storvirt__disk_spec *spec, const char *key, const char *value) {
        _cleanup_json_ yajl_val v = NULL;
        _cleanup_free_ char *what_key = NULL, *base = NULL;
        const char *what;
        int id, r;

        check_nonnull(spec);
        check_nonnull(key);
        check_nonnull(value);
        what = spec->name ? spec->name : "disk";
        id = key_lookup(key);
        if (id < 0)
                return storvirt__error_set(-EINVAL, "%s: unknown key '%s'", what, ESC(key));
        if (asprintf(&what_key, "%s: key '%s'", what, key) < 0) {
                what_key = NULL;
                return storvirt__error_oom();
        }
        r = storvirt__json_parse(value, strlen(value), DRIVE_JSON_MAX, &v, what_key);
        if (r < 0)
                return r;
        r = handlers[id](spec, what, key, YAJL_IS_NULL(v) ? NULL : v);
        if (r < 0 || id != K_ALIAS)
                return r;
        base = spec_base_name(spec);
        if (!base)
                return storvirt__error_oom();
        return spec_set_name(spec, base);
}

/* ---- checks of one drive ------------------------------------------------------------------ */

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

static bool is_lun_source(storvirt__disk_source src) {
        return src == STORVIRT__DISK_SOURCE_GUID || src == STORVIRT__DISK_SOURCE_FS_UUID;
}

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

static int spec_problems(const storvirt__disk_spec *s, struct storvirt__strv_builder *b) {
        const char *n = s->name ? s->name : "disk";
        storvirt__disk_bus bus = effective_bus(s);
        const char *bn = storvirt__disk_bus_name(bus);
        const char *dn = storvirt__disk_device_name(s->device);
        bool lun = s->device == STORVIRT__DISK_DEVICE_LUN;
        int r = 0;

#define P(...) do { r = problem(b, n, __VA_ARGS__); if (r < 0) return r; } while (0)

        if (!dn)
                P("unknown device %d", (int) s->device);
        if (!bn)
                P("unknown bus %d", (int) s->bus);
        if (!dn || !bn)
                return 0;

        /* the source */
        switch (s->source) {
        case STORVIRT__DISK_SOURCE_NONE:
                if (s->device == STORVIRT__DISK_DEVICE_DISK || lun)
                        P("no source: device %s needs one of %s (only a cdrom or floppy may be "
                          "empty)", dn, sources_list);
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
        default:
                P("unknown source %d", (int) s->source);
                break;
        }

        /* device lun: SCSI passthrough of a block device */
        if (lun) {
                if (s->serial)
                        P("key 'serial': device lun takes no serial: the guest reads the LUN's own "
                          "serial (VPD page 0x80) through SCSI passthrough");
                if (s->format == STORVIRT__DISK_FORMAT_QCOW2)
                        P("key 'format': qcow2 with device lun: SCSI passthrough gives the "
                          "guest the LUN itself, so the format must be raw");
                if (bus != STORVIRT__DISK_BUS_SCSI && bus != STORVIRT__DISK_BUS_VIRTIO)
                        P("key 'iface': device lun needs bus scsi or virtio, not %s "
                          "(libvirt refuses SCSI passthrough on other buses)", bn);
        } else {
                if (s->sgio)
                        P("key 'sgio': only for device lun (SCSI passthrough), not %s", dn);
                if (s->reservations)
                        P("key 'reservations': only for device lun (SCSI passthrough), not %s", dn);
                if (s->format == STORVIRT__DISK_FORMAT_QCOW2 && is_lun_source(s->source))
                        P("key 'format': qcow2 on %s: a LUN named by %s is used raw",
                          SOURCE_DESC(s),
                          s->source == STORVIRT__DISK_SOURCE_GUID
                                  ? "its GUID"
                                  : "the UUID of the file system on it");
        }

        switch (s->device) {
        case STORVIRT__DISK_DEVICE_FLOPPY:
                if (bus != STORVIRT__DISK_BUS_FDC)
                        P("key 'iface': device floppy needs bus fdc, not %s", bn);
                if (s->source == STORVIRT__DISK_SOURCE_ISCSI)
                        P("key 'iscsi': device floppy cannot use a network source (libvirt refuses "
                          "network floppies)");
                else if (is_lun_source(s->source))
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

        if (s->optional) {
                if (s->device != STORVIRT__DISK_DEVICE_CDROM &&
                    s->device != STORVIRT__DISK_DEVICE_FLOPPY)
                        P("key 'optional': only for device cdrom or floppy, not %s "
                          "(libvirt refuses startupPolicy on other devices)", dn);
                else if (is_lun_source(s->source) || s->source == STORVIRT__DISK_SOURCE_ISCSI)
                        P("key 'optional': not with %s (libvirt takes startupPolicy only "
                          "for file and volume sources)", SOURCE_DESC(s));
        }

        if (s->volume_as_volume && s->source != STORVIRT__DISK_SOURCE_VOLUME)
                P("key 'diskType': 'volume' needs a pool+volume source, not %s", SOURCE_DESC(s));

        if (s->index > (int) bus_index_max(bus))
                P("key 'index': %d is too large for bus %s (at most %u%s)", s->index, bn,
                  bus_index_max(bus),
                  bus == STORVIRT__DISK_BUS_IDE   ? ": two channels of two drives"
                  : bus == STORVIRT__DISK_BUS_FDC ? ": one controller of two drives"
                                                  : "");
        if (s->address.type != STORVIRT__DISK_ADDRESS_NONE && bus == STORVIRT__DISK_BUS_USB)
                P("key 'address': bus usb takes neither a PCI nor a drive address");
        else {
                r = address_problems(s, bus, n, b);
                if (r < 0)
                        return r;
        }

        if (s->serial && !lun && bus == STORVIRT__DISK_BUS_SCSI &&
            strlen(s->serial) > SCSI_SERIAL_MAX)
                P("key 'serial': %zu characters, QEMU's SCSI devices take at most %d",
                  strlen(s->serial), SCSI_SERIAL_MAX);
        if (s->io == STORVIRT__DISK_IO_NATIVE && s->cache != STORVIRT__DISK_CACHE_UNSET &&
            s->cache != STORVIRT__DISK_CACHE_NONE && s->cache != STORVIRT__DISK_CACHE_DIRECTSYNC)
                P("key 'io': native needs cache none or directsync (O_DIRECT); QEMU "
                  "refuses it with cache %s", storvirt__disk_cache_names[s->cache]);
#undef P
        return 0;
}

int storvirt__disk_spec_problems(const storvirt__disk_spec *spec, char ***ret) {
        struct storvirt__strv_builder b = {};
        int r;

        check_nonnull(spec);
        check_nonnull(ret);
        r = spec_problems(spec, &b);
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

/* ---- a VM's drives ------------------------------------------------------------------------ */

static int vm_problem(char ***problems, const char *fmt, ...) _printf_(2, 3);
static int vm_problem(char ***problems, const char *fmt, ...) {
        char *m;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&m, fmt, ap);
        va_end(ap);
        if (r < 0)
                return storvirt__error_oom();
        r = storvirt__strv_push(problems, m);
        if (r < 0) {
                free(m);
                return storvirt__error_oom();
        }
        return 0;
}

static const char *drive_name(const storvirt__disk_spec *s) {
        return s->name ? s->name : "disk";
}

static void apply_defaults(storvirt__disk_spec *s) {
        if (s->bus == STORVIRT__DISK_BUS_UNSET)
                s->bus = default_bus(s->device);
        if (s->cache == STORVIRT__DISK_CACHE_UNSET)
                s->cache = STORVIRT__DISK_CACHE_NONE;
        if (s->error_policy == STORVIRT__DISK_ERROR_POLICY_UNSET)
                s->error_policy = STORVIRT__DISK_ERROR_POLICY_STOP;
        if (s->format == STORVIRT__DISK_FORMAT_UNSET &&
            (is_lun_source(s->source) || s->device == STORVIRT__DISK_DEVICE_LUN))
                s->format = STORVIRT__DISK_FORMAT_RAW;
}

int storvirt__disk_specs_complete(storvirt__disk_spec **specs, size_t n, char ***problems) {
        /* per name space (vd, sd, hd, fd) and index: 1 + the drive using it, 0 when free */
        _cleanup_free_ size_t *used = NULL;
        size_t before;
        int r;

        check_arg(specs || n == 0, "specs", "must not be NULL when n > 0");
        check_nonnull(problems);
        before = storvirt__strv_length(*problems);
        used = calloc(4 * (INDEX_MAX + 1), sizeof(*used));
        if (!used)
                return storvirt__error_oom();
#define USED(ns, i) used[(size_t) (ns) * (INDEX_MAX + 1) + (size_t) (i)]

        for (size_t i = 0; i < n; i++)
                if (specs[i])
                        apply_defaults(specs[i]);

        /* explicit indexes first */
        for (size_t i = 0; i < n; i++) {
                storvirt__disk_spec *s = specs[i];
                int ns;

                if (!s || s->index < 0 || s->index > INDEX_MAX || (ns = bus_namespace(s->bus)) < 0)
                        continue;
                if (USED(ns, s->index)) {
                        const storvirt__disk_spec *o = specs[USED(ns, s->index) - 1];
                        char dev[16];

                        if (o->bus == s->bus)
                                r = vm_problem(
                                        problems, "%s: index %d on bus %s already used by %s",
                                        drive_name(s), s->index, storvirt__disk_bus_names[s->bus], drive_name(o));
                        else if (storvirt__disk_target_dev(s->bus, (unsigned) s->index, dev,
                                                           sizeof(dev)) == 0)
                                r = vm_problem(problems,
                                               "%s: target dev %s (bus %s, index %d) is also "
                                               "that of %s (bus %s, index %d)",
                                               drive_name(s), dev, storvirt__disk_bus_names[s->bus], s->index,
                                               drive_name(o), storvirt__disk_bus_names[o->bus], o->index);
                        else
                                r = 0;
                        if (r < 0)
                                return r;
                        continue;
                }
                USED(ns, s->index) = i + 1;
        }
        /* then the lowest free index on the bus, in order */
        for (size_t i = 0; i < n; i++) {
                storvirt__disk_spec *s = specs[i];
                unsigned max;
                int ns;

                if (!s || s->index >= 0 || (ns = bus_namespace(s->bus)) < 0)
                        continue;
                max = bus_index_max(s->bus);
                for (unsigned k = 0; k <= max; k++)
                        if (!USED(ns, k)) {
                                s->index = (int) k;
                                USED(ns, k) = i + 1;
                                break;
                        }
                if (s->index < 0) {
                        r = vm_problem(problems,
                                       "%s: no free index on bus %s (0 to %u are all used)",
                                       drive_name(s), storvirt__disk_bus_names[s->bus], max);
                        if (r < 0)
                                return r;
                }
        }
#undef USED

        /* boot order, addresses and aliases: each used once */
        for (size_t i = 0; i < n; i++) {
                const storvirt__disk_spec *s = specs[i];
                bool boot_dup = false, addr_dup = false, alias_dup = false;

                if (!s)
                        continue;
                for (size_t j = 0; j < i; j++) {
                        const storvirt__disk_spec *o = specs[j];
                        const storvirt__disk_address *a = &s->address, *b;

                        if (!o)
                                continue;
                        b = &o->address;
                        if (!boot_dup && s->boot_order && s->boot_order == o->boot_order) {
                                boot_dup = true;
                                r = vm_problem(problems, "%s: boot order %u already used by %s",
                                               drive_name(s), s->boot_order, drive_name(o));
                                if (r < 0)
                                        return r;
                        }
                        if (!addr_dup && a->type == STORVIRT__DISK_ADDRESS_PCI &&
                            b->type == STORVIRT__DISK_ADDRESS_PCI && a->domain == b->domain &&
                            a->bus == b->bus && a->slot == b->slot && a->function == b->function) {
                                addr_dup = true;
                                r = vm_problem(problems,
                                               "%s: PCI address %04x:%02x:%02x.%x already "
                                               "used by %s",
                                               drive_name(s), a->domain, a->bus, a->slot,
                                               a->function, drive_name(o));
                                if (r < 0)
                                        return r;
                        }
                        if (!addr_dup && a->type == STORVIRT__DISK_ADDRESS_DRIVE &&
                            b->type == STORVIRT__DISK_ADDRESS_DRIVE && s->bus == o->bus &&
                            a->controller == b->controller && a->drive_bus == b->drive_bus &&
                            a->target == b->target && a->unit == b->unit) {
                                addr_dup = true;
                                r = vm_problem(problems, "%s: drive address controller %u bus %u "
                                               "target %u unit %u on bus %s already used by %s",
                                               drive_name(s), a->controller, a->drive_bus,
                                               a->target, a->unit, storvirt__disk_bus_names[s->bus] ?
                                               storvirt__disk_bus_names[s->bus] : "?", drive_name(o));
                                if (r < 0)
                                        return r;
                        }
                        if (!alias_dup && s->alias && o->alias && strcmp(s->alias, o->alias) == 0) {
                                alias_dup = true;
                                r = vm_problem(problems, "%s: alias %s already used by %s",
                                               drive_name(s), s->alias, drive_name(o));
                                if (r < 0)
                                        return r;
                        }
                }
        }
        return storvirt__strv_length(*problems) > before ? -EINVAL : 0;
}

/* The drives of a VM document: 1 and the list, or an error (message set). */
static int vm_drive_list(yajl_val root, yajl_val *ret, bool *ret_devices) {
        static const char what[] = "VM drives";
        yajl_val drives = NULL, devices = NULL;

        *ret_devices = false;
        if (YAJL_IS_ARRAY(root)) {
                *ret = root;
                return 0;
        }
        if (!YAJL_IS_OBJECT(root))
                return storvirt__error_set(-EINVAL,
                                           "%s: expected a list of drives or an object with "
                                           "'drives' or 'devices', got %s",
                                           what, DESCRIBE(root));
        for (size_t i = 0; i < root->u.object.len; i++) {
                const char *k = root->u.object.keys[i];
                yajl_val *slot = strcmp(k, "drives") == 0 ? &drives :
                                 strcmp(k, "devices") == 0 ? &devices : NULL;

                if (!slot)
                        continue;   /* the rest of a VM's parameters */
                if (*slot)
                        return storvirt__error_set(-EINVAL, "%s: key '%s' given twice", what, k);
                *slot = root->u.object.values[i];
        }
        if (drives && devices)
                return storvirt__error_set(-EINVAL, "%s: both 'drives' and 'devices' given; give "
                                           "one list", what);
        if (!drives && !devices)
                return storvirt__error_set(-EINVAL, "%s: no 'drives' or 'devices' list", what);
        if (!YAJL_IS_ARRAY(drives ? drives : devices))
                return storvirt__error_set(-EINVAL, "%s: key '%s': expected an array, got %s", what,
                                           drives ? "drives" : "devices",
                                           DESCRIBE(drives ? drives : devices));
        *ret = drives ? drives : devices;
        *ret_devices = devices != NULL;
        return 0;
}

/* In a devices list: an object whose type is "disk". */
static bool is_disk_device(yajl_val d) {
        yajl_val t;

        if (!YAJL_IS_OBJECT(d))
                return true;   /* reported as not an object */
        t = member_value(d, "type");
        return YAJL_IS_STRING(t) && strcmp(t->u.string, "disk") == 0;
}

static int parse_vm(const char *json, size_t len, storvirt__disk_spec ***ret_specs,
                    size_t *ret_n, char ***ret_problems, bool keep) {
        struct storvirt__strv_builder b = {};
        _cleanup_json_ yajl_val root = NULL;
        storvirt__disk_spec **specs = NULL;
        _cleanup_free_ bool *parsed = NULL;
        _cleanup_strv_free_ char **cross = NULL;
        _cleanup_strv_free_ char **list = NULL;
        yajl_val drives = NULL;
        bool devices = false;
        size_t n = 0, count;
        int r;

        check_arg(json || len == 0, "json", "must not be NULL when len > 0");
        check_nonnull(ret_specs);
        check_nonnull(ret_n);
        *ret_specs = NULL;
        *ret_n = 0;
        if (ret_problems)
                *ret_problems = NULL;

        r = storvirt__json_parse(json, len, VM_JSON_MAX, &root, "VM drives");
        if (r == 0)
                r = vm_drive_list(root, &drives, &devices);
        if (r == 0 && !drives)
                r = storvirt__error_set(-EINVAL, "VM drives: no list of drives");
        if (r < 0 || !drives) {
                if (r != -ENOMEM && storvirt__strv_builder_add(&b, storvirt__error_msg()) < 0)
                        r = storvirt__error_oom();
                goto done;
        }
        count = 0;
        for (size_t i = 0; i < drives->u.array.len; i++)
                count += !devices || is_disk_device(drives->u.array.values[i]);
        if (count > VM_DRIVES_MAX) {
                r = storvirt__error_set(-EINVAL, "VM drives: %zu drives, more than %d", count,
                                        VM_DRIVES_MAX);
                if (storvirt__strv_builder_add(&b, storvirt__error_msg()) < 0)
                        r = storvirt__error_oom();
                goto done;
        }
        specs = calloc(count + 1, sizeof(*specs));
        parsed = calloc(count + 1, sizeof(*parsed));
        if (!specs || !parsed) {
                r = storvirt__error_oom();
                goto done;
        }
        for (size_t i = 0; i < drives->u.array.len; i++) {
                yajl_val d = drives->u.array.values[i];
                struct collect c = { .problems = &b };
                char what[48];

                if (devices && !is_disk_device(d))
                        continue;
                /* numbered by position in the list given, from 1 */
                snprintf(what, sizeof(what), "drive %zu", i + 1);
                r = parse_drive(d, what, &specs[n], &c);
                free(c.first_msg);
                if (c.oom) {
                        r = storvirt__error_oom();
                        goto done;
                }
                if (r == 0) {
                        parsed[n] = true;
                        r = spec_problems(specs[n], &b);
                        if (r < 0)
                                goto done;
                }
                n++;
        }
        /* Cross-checks over the drives that parsed. */
        {
                _cleanup_free_ storvirt__disk_spec **ok = calloc(n + 1, sizeof(*ok));
                size_t k = 0;

                if (!ok) {
                        r = storvirt__error_oom();
                        goto done;
                }
                for (size_t i = 0; i < n; i++)
                        if (parsed[i])
                                ok[k++] = specs[i];
                r = storvirt__disk_specs_complete(ok, k, &cross);
                if (r < 0 && r != -EINVAL)
                        goto done;
                for (char **p = cross; p && *p; p++)
                        if (storvirt__strv_builder_add(&b, *p) < 0) {
                                r = storvirt__error_oom();
                                goto done;
                        }
        }
        r = 0;
done:
        if (r == -ENOMEM || (r < 0 && b.n == 0)) {
                storvirt__strv_builder_done(&b);
                storvirt__disk_specs_free(specs, n);
                return r;
        }
        if (b.n == 0) {
                storvirt__strv_builder_done(&b);
                *ret_specs = specs;
                *ret_n = n;
                return 0;
        }
        if (keep && specs) {
                /* The drives that parsed stay, the others are NULL. */
                for (size_t i = 0; i < n; i++)
                        if (!parsed[i]) {
                                storvirt__disk_spec_free(specs[i]);
                                specs[i] = NULL;
                        }
                *ret_specs = TAKE_PTR(specs);
                *ret_n = n;
        }
        storvirt__disk_specs_free(specs, n);
        if (storvirt__strv_builder_finish(&b, &list) < 0) {
                storvirt__strv_builder_done(&b);
                return storvirt__error_oom();
        }
        if (list[1])
                r = storvirt__error_set(-EINVAL, "%s (and %zu more problems)", list[0],
                                        storvirt__strv_length(list) - 1);
        else
                r = storvirt__error_set(-EINVAL, "%s", list[0]);
        if (ret_problems)
                *ret_problems = TAKE_PTR(list);
        return r;
}

int storvirt__disk_specs_parse_vm(const char *json, size_t len, storvirt__disk_spec ***ret_specs,
                                  size_t *ret_n, char ***ret_problems) {
        return parse_vm(json, len, ret_specs, ret_n, ret_problems, false);
}

int storvirt__disk_specs_parse_vm_keep(const char *json, size_t len,
                                       storvirt__disk_spec ***ret_specs, size_t *ret_n,
                                       char ***ret_problems) {
        return parse_vm(json, len, ret_specs, ret_n, ret_problems, true);
}

/* ---- the device dict ---------------------------------------------------------------------- */

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
                     i->host ? i->host : "", i->port ? i->port : ISCSI_PORT_DEFAULT) < 0) {
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

int storvirt__disk_resolved_to_dict(const storvirt__disk_resolved *d, storvirt__json_gen *g) {
        const storvirt__disk_spec *s;
        storvirt__disk_bus bus;
        char dev[16], num[24];
        int r;

        check_nonnull(d);
        check_nonnull(d->spec);
        check_nonnull(g);
        s = d->spec;
        bus = effective_bus(s);
        if (d->encryption[0])
                return storvirt__error_set(-EOPNOTSUPP, "%s: the source is encrypted (%s), and a "
                                           "device dict has no key for its secret: ask for the "
                                           "<disk> XML", drive_name(s), d->encryption);
        if (!storvirt__disk_device_name(s->device) || !storvirt__disk_bus_name(bus) ||
            !STORVIRT__DISK_NAME(storvirt__disk_type_names, d->type))
                return storvirt__error_set(-EINVAL, "%s: device dict: unknown device, bus or disk "
                                           "type", drive_name(s));

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
        default:
                break;
        }
        /* the path found for an identity (as in VDSM's dicts; read back, it is ignored) */
        if (d->source_path && s->source != STORVIRT__DISK_SOURCE_PATH &&
            s->source != STORVIRT__DISK_SOURCE_ISCSI && s->source != STORVIRT__DISK_SOURCE_NONE)
                storvirt__json_gen_key_string(g, "path", d->source_path);

        if (s->format)
                storvirt__json_gen_key_string(
                        g, "format", s->format == STORVIRT__DISK_FORMAT_QCOW2 ? "cow" : "raw");
        if (STORVIRT__DISK_NAME(storvirt__disk_error_policy_vdsm_names, s->error_policy))
                storvirt__json_gen_key_string(g, "propagateErrors",
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
        if (d->capacity) {
                snprintf(num, sizeof(num), "%" PRIu64, d->capacity);
                storvirt__json_gen_key_string(g, "capacity", num);
        }
        if (d->n_backing) {
                /* the images below the source, nearest first */
                storvirt__json_gen_key_begin_array(g, "backingChain");
                for (size_t i = 0; i < d->n_backing; i++) {
                        const storvirt__disk_backing *b = &d->backing[i];

                        storvirt__json_gen_begin_map(g);
                        storvirt__json_gen_key_string(g, "diskType",
                                                      storvirt__disk_type_names[b->type]);
                        if (b->path)
                                storvirt__json_gen_key_string(g, "path", b->path);
                        else
                                gen_iscsi(g, &b->iscsi);
                        storvirt__json_gen_key_string(
                                g, "format", b->format == STORVIRT__DISK_FORMAT_QCOW2 ? "cow" : "raw");
                        storvirt__json_gen_end_map(g);
                }
                storvirt__json_gen_end_array(g);
        }
        return storvirt__json_gen_end_map(g);
}
