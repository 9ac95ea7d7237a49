/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-disk-spec.c - drive specs: every key with good and bad values,
 * each source form, legacy keys, defaults, the checks of one drive,
 * target dev names, VM drive lists in their three shapes with the
 * cross-checks, setting keys one at a time, and the device dict read
 * back.
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
#include "util/json.h"
#include "util/strv.h"

#define GUID_NAA "36001405d27e5d898829468b90ce4ef8f"
#define UUID_A "5c4d2f4a-8b6e-4e3a-9d7c-0f1e2d3c4b5a"
#define UUID_B "0e7a2e5f-1b8d-4a52-8c61-7c2f4f1b3e90"
#define UUID_C "a1b2c3d4-e5f6-4711-8899-aabbccddeeff"
#define UUID_D "11111111-2222-4333-8444-555555555555"

/* ---- helpers ------------------------------------------------------------------------------ */

static void contains(const char *text, const char *part) {
        if (!text || !strstr(text, part)) {
                print_error("'%s'\n  does not contain\n'%s'\n", text ? text : "(null)", part);
                fail();
        }
}

static storvirt__disk_spec *parse_ok(const char *json) {
        storvirt__disk_spec *s = NULL;
        int r = storvirt__disk_spec_parse(json, strlen(json), &s);

        if (r != 0) {
                print_error("parsing %s failed: %s\n", json, storvirt__error_msg());
                fail();
        }
        assert_non_null(s);
        return s;
}

/* Parsing fails with -EINVAL and a message holding part. */
static void parse_fails(const char *json, const char *part) {
        storvirt__disk_spec *s = (storvirt__disk_spec *) 0x1;
        int r = storvirt__disk_spec_parse(json, strlen(json), &s);

        if (r != -EINVAL) {
                print_error("parsing %s gave %d, not -EINVAL\n", json, r);
                fail();
        }
        assert_ptr_equal(s, (storvirt__disk_spec *) 0x1);
        contains(storvirt__error_msg(), part);
}

/* As drive `what` of a list: from_json fails with a message holding part. */
static void from_json_fails(const char *json, const char *what, const char *part) {
        yajl_val v = NULL;
        storvirt__disk_spec *s = NULL;

        assert_int_equal(storvirt__json_parse(json, strlen(json), 1 << 20, &v, "test"), 0);
        assert_int_equal(storvirt__disk_spec_from_json(v, what, &s), -EINVAL);
        assert_null(s);
        contains(storvirt__error_msg(), part);
        storvirt__json_free(v);
}

static void has_problem(const storvirt__disk_spec *s, const char *part) {
        char **p = NULL;

        assert_int_equal(storvirt__disk_spec_problems(s, &p), 0);
        for (char **q = p; *q; q++)
                if (strstr(*q, part)) {
                        storvirt__strv_free(p);
                        assert_int_equal(storvirt__disk_spec_validate(s), -EINVAL);
                        return;
                }
        print_error("no problem contains '%s'; problems:\n", part);
        for (char **q = p; *q; q++)
                print_error("  %s\n", *q);
        storvirt__strv_free(p);
        fail();
}

static void no_problems(const storvirt__disk_spec *s) {
        char **p = NULL;

        assert_int_equal(storvirt__disk_spec_problems(s, &p), 0);
        if (p[0]) {
                print_error("unexpected problem: %s\n", p[0]);
                storvirt__strv_free(p);
                fail();
        }
        storvirt__strv_free(p);
        assert_int_equal(storvirt__disk_spec_validate(s), 0);
}

/* A drive that parses and whose whole-drive check finds part. */
static void drive_problem(const char *json, const char *part) {
        storvirt__disk_spec *s = parse_ok(json);

        has_problem(s, part);
        storvirt__disk_spec_free(s);
}

static void drive_fine(const char *json) {
        storvirt__disk_spec *s = parse_ok(json);

        no_problems(s);
        storvirt__disk_spec_free(s);
}

static bool str_eq(const char *a, const char *b) {
        return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Everything but the name (which is how messages call the drive). */
static bool spec_equal(const storvirt__disk_spec *a, const storvirt__disk_spec *b) {
        const storvirt__disk_iscsi *i = &a->iscsi, *j = &b->iscsi;

        return str_eq(a->alias, b->alias) && a->source == b->source && str_eq(a->guid, b->guid) &&
               str_eq(a->fs_uuid, b->fs_uuid) && str_eq(a->pool_id, b->pool_id) &&
               str_eq(a->domain_id, b->domain_id) && str_eq(a->image_id, b->image_id) &&
               str_eq(a->volume_id, b->volume_id) && str_eq(a->pool, b->pool) &&
               str_eq(a->volume, b->volume) && str_eq(a->path, b->path) &&
               str_eq(a->vdisk, b->vdisk) && str_eq(i->host, j->host) && i->port == j->port &&
               str_eq(i->target, j->target) && i->lun == j->lun &&
               str_eq(i->initiator, j->initiator) && str_eq(i->auth_username, j->auth_username) &&
               str_eq(i->secret_uuid, j->secret_uuid) && str_eq(i->secret_usage, j->secret_usage) &&
               a->device == b->device && a->bus == b->bus && a->index == b->index &&
               memcmp(&a->address, &b->address, sizeof(a->address)) == 0 &&
               a->format == b->format && a->boot_order == b->boot_order &&
               a->error_policy == b->error_policy && a->shared == b->shared &&
               a->readonly == b->readonly && a->optional == b->optional &&
               str_eq(a->serial, b->serial) && a->cache == b->cache && a->io == b->io &&
               a->discard == b->discard && a->sgio == b->sgio &&
               a->iotune.set == b->iotune.set &&
               memcmp(a->iotune.value, b->iotune.value, sizeof(a->iotune.value)) == 0 &&
               a->reservations == b->reservations && a->volume_as_volume == b->volume_as_volume;
}

/* ---- sources ------------------------------------------------------------------------------ */

static void test_sources(void **state) {
        storvirt__disk_spec *s;

        /* GUID, normalized */
        s = parse_ok("{\"GUID\": \"naa.6001405D27E5D898829468B90CE4EF8F\"}");
        assert_int_equal(s->source, STORVIRT__DISK_SOURCE_GUID);
        assert_string_equal(s->guid, GUID_NAA);
        assert_string_equal(s->name, "disk");
        storvirt__disk_spec_free(s);

        /* blkid UUID: not an RFC UUID */
        s = parse_ok("{\"UUID\": \"1234-ABCD\"}");
        assert_int_equal(s->source, STORVIRT__DISK_SOURCE_FS_UUID);
        assert_string_equal(s->fs_uuid, "1234-ABCD");
        storvirt__disk_spec_free(s);

        /* the PDIV quartet, upper case in, lower case out */
        s = parse_ok("{\"poolID\": \"5C4D2F4A-8B6E-4E3A-9D7C-0F1E2D3C4B5A\", \"domainID\": \""
                     UUID_B "\", \"imageID\": \"" UUID_C "\", \"volumeID\": \"" UUID_D "\"}");
        assert_int_equal(s->source, STORVIRT__DISK_SOURCE_PDIV);
        assert_string_equal(s->pool_id, UUID_A);
        assert_string_equal(s->domain_id, UUID_B);
        assert_string_equal(s->image_id, UUID_C);
        assert_string_equal(s->volume_id, UUID_D);
        storvirt__disk_spec_free(s);

        /* VDSM's older spellings, and VM_Create_t's "if" and "serial" */
        s = parse_ok("{\"spUUID\": \"" UUID_A "\", \"sdUUID\": \"" UUID_B "\", \"imgUUID\": \""
                     UUID_C "\", \"volUUID\": \"" UUID_D "\", \"if\": \"ide\", \"serial\": "
                     "\"f1e2d3c4b5a\"}");
        assert_int_equal(s->source, STORVIRT__DISK_SOURCE_PDIV);
        assert_string_equal(s->pool_id, UUID_A);
        assert_string_equal(s->volume_id, UUID_D);
        assert_int_equal(s->bus, STORVIRT__DISK_BUS_IDE);
        assert_string_equal(s->serial, "f1e2d3c4b5a");
        storvirt__disk_spec_free(s);

        /* a storvirt pool volume */
        s = parse_ok("{\"pool\": \"images\", \"volume\": \"web.qcow2\", \"diskType\": \"volume\"}");
        assert_int_equal(s->source, STORVIRT__DISK_SOURCE_VOLUME);
        assert_string_equal(s->pool, "images");
        assert_string_equal(s->volume, "web.qcow2");
        assert_true(s->volume_as_volume);
        storvirt__disk_spec_free(s);

        s = parse_ok("{\"path\": \"/var/lib/images/a.img\"}");
        assert_int_equal(s->source, STORVIRT__DISK_SOURCE_PATH);
        assert_string_equal(s->path, "/var/lib/images/a.img");
        storvirt__disk_spec_free(s);

        /* iSCSI, with defaults and in full */
        s = parse_ok("{\"iscsi\": {\"portal\": \"san.example.com\", \"target\": "
                     "\"iqn.2003-01.org.example:disk1\"}}");
        assert_int_equal(s->source, STORVIRT__DISK_SOURCE_ISCSI);
        assert_string_equal(s->iscsi.host, "san.example.com");
        assert_int_equal(s->iscsi.port, 3260);
        assert_int_equal(s->iscsi.lun, 0);
        assert_null(s->iscsi.initiator);
        assert_null(s->iscsi.auth_username);
        storvirt__disk_spec_free(s);
        s = parse_ok("{\"iscsi\": {\"portal\": \"[fd00::10]:3261\", \"target\": "
                     "\"iqn.2003-01.org.example:disk1\", \"lun\": \"3\", \"initiator\": "
                     "\"iqn.1994-05.com.redhat:host1\", \"auth\": {\"username\": \"chap\", "
                     "\"secret_uuid\": \"" UUID_A "\"}}}");
        assert_string_equal(s->iscsi.host, "fd00::10");
        assert_int_equal(s->iscsi.port, 3261);
        assert_int_equal(s->iscsi.lun, 3);
        assert_string_equal(s->iscsi.initiator, "iqn.1994-05.com.redhat:host1");
        assert_string_equal(s->iscsi.auth_username, "chap");
        assert_string_equal(s->iscsi.secret_uuid, UUID_A);
        assert_null(s->iscsi.secret_usage);
        storvirt__disk_spec_free(s);
        s = parse_ok("{\"iscsi\": {\"portal\": \"192.0.2.7:3260\", \"target\": "
                     "\"naa.60014056f0e1d2c3b4a5968778695a4b\", \"auth\": {\"username\": \"u\", "
                     "\"secret_usage\": \"libvirtiscsi\"}}}");
        assert_string_equal(s->iscsi.host, "192.0.2.7");
        assert_string_equal(s->iscsi.secret_usage, "libvirtiscsi");
        storvirt__disk_spec_free(s);
        s = parse_ok("{\"iscsi\": {\"portal\": \"[::1]\", \"target\": \"eui.02004567A425678D\"}}");
        assert_string_equal(s->iscsi.host, "::1");
        assert_int_equal(s->iscsi.port, 3260);
        storvirt__disk_spec_free(s);

        s = parse_ok("{\"vdisk\": \"" UUID_A "\"}");
        assert_int_equal(s->source, STORVIRT__DISK_SOURCE_VDISK);
        assert_string_equal(s->vdisk, UUID_A);
        storvirt__disk_spec_free(s);

        /* no source: an empty cdrom, also VDSM's "path": "" */
        s = parse_ok("{\"device\": \"cdrom\"}");
        assert_int_equal(s->source, STORVIRT__DISK_SOURCE_NONE);
        no_problems(s);
        storvirt__disk_spec_free(s);
        s = parse_ok("{\"device\": \"cdrom\", \"path\": \"\", \"GUID\": null}");
        assert_int_equal(s->source, STORVIRT__DISK_SOURCE_NONE);
        assert_null(s->path);
        storvirt__disk_spec_free(s);

        /* a path next to an identity is the path found before: ignored */
        s = parse_ok("{\"GUID\": \"" GUID_NAA "\", \"path\": \"/dev/mapper/" GUID_NAA "\"}");
        assert_int_equal(s->source, STORVIRT__DISK_SOURCE_GUID);
        assert_null(s->path);
        storvirt__disk_spec_free(s);
        s = parse_ok("{\"pool\": \"p\", \"volume\": \"v\", \"path\": \"\"}");
        assert_int_equal(s->source, STORVIRT__DISK_SOURCE_VOLUME);
        storvirt__disk_spec_free(s);
}

static void test_source_errors(void **state) {
        parse_fails("{\"GUID\": \"" GUID_NAA "\", \"poolID\": \"" UUID_A "\", \"path\": \"/x\"}",
                    "disk: more than one source: keys 'GUID', 'poolID', 'path'; a drive has one of "
                    "GUID, UUID");
        parse_fails(
                "{\"iscsi\": {\"portal\": \"h\", \"target\": \"iqn.x\"}, \"path\": \"/dev/sda\"}",
                "more than one source: keys 'iscsi', 'path'");
        parse_fails("{\"UUID\": \"1234-ABCD\", \"vdisk\": \"" UUID_A "\"}",
                    "more than one source: keys 'UUID', 'vdisk'");
        parse_fails("{\"poolID\": \"" UUID_A "\", \"imgUUID\": \"" UUID_C "\"}",
                    "disk: the volume source lacks domainID (sdUUID), volumeID (volUUID)");
        parse_fails("{\"pool\": \"p\"}", "disk: key 'pool' without key 'volume'");
        parse_fails("{\"volume\": \"v\"}", "disk: key 'volume' without key 'pool'");
        parse_fails("{\"GUID\": \"36001405\"}", "disk: key 'GUID': GUID '36001405'");
        parse_fails("{\"GUID\": 36001405}",
                    "key 'GUID': expected a string, got the number 36001405");
        parse_fails("{\"UUID\": \"12 34\"}", "key 'UUID': '12 34' contains ' ' (a blkid UUID is");
        parse_fails("{\"UUID\": \"\"}", "key 'UUID': empty string");
        parse_fails(
                "{\"UUID\": \"0123456789012345678901234567890123456789012345678901234567890123X\"}",
                "is longer than 64 characters");
        parse_fails("{\"path\": \"images/a.img\"}",
                    "key 'path': 'images/a.img' is not an absolute path");
        parse_fails("{\"GUID\": \"" GUID_NAA "\", \"path\": \"dev/sda\"}",
                    "key 'path': 'dev/sda' is not an absolute path");
        parse_fails("{\"path\": [\"/a\"]}", "key 'path': expected a string, got an array");
        parse_fails("{\"poolID\": \"not-a-uuid\", \"domainID\": \"" UUID_B "\", \"imageID\": \""
                    UUID_C "\", \"volumeID\": \"" UUID_D "\"}",
                    "key 'poolID': 'not-a-uuid' is not a UUID");
        parse_fails("{\"vdisk\": \"{" UUID_A "}\"}", "key 'vdisk': '{" UUID_A "}' is not a UUID");
        parse_fails("{\"pool\": \"a/b\", \"volume\": \"v\"}",
                    "key 'pool': pool name 'a/b' contains '/'");
        parse_fails("{\"pool\": \"p\", \"volume\": \"..\"}",
                    "key 'volume': volume name '..' is not allowed");
        /* The pool XML's rules: no hidden pool names, no control characters. */
        parse_fails("{\"pool\": \"..\", \"volume\": \"v\"}",
                    "key 'pool': pool name '..' must not start with '.'");
        parse_fails("{\"pool\": \"a\\tb\", \"volume\": \"v\"}",
                    "key 'pool': pool name 'a\\x09b' contains a control character");
        parse_fails("{\"pool\": \"p\", \"volume\": \"a\\nb\"}",
                    "key 'volume': volume name 'a\\x0ab' contains a control character");

        /* iSCSI */
        parse_fails("{\"iscsi\": {\"portal\": \"fd00::10:3260\", \"target\": \"iqn.x\"}}",
                    "key 'iscsi.portal': 'fd00::10:3260': an IPv6 address goes in brackets");
        parse_fails("{\"iscsi\": {\"portal\": \"[fd00::zz]:3260\", \"target\": \"iqn.x\"}}",
                    "key 'iscsi.portal': '[fd00::zz]:3260' is not an IPv6 address in brackets");
        parse_fails("{\"iscsi\": {\"portal\": \"[::1]x\", \"target\": \"iqn.x\"}}",
                    "key 'iscsi.portal': '[::1]x': only \":port\" may follow ']'");
        parse_fails("{\"iscsi\": {\"portal\": \"host:99999\", \"target\": \"iqn.x\"}}",
                    "key 'iscsi.portal': 'host:99999': the port is not a number from 1 to 65535");
        parse_fails("{\"iscsi\": {\"portal\": \"host:\", \"target\": \"iqn.x\"}}",
                    "the port is not a number");
        parse_fails("{\"iscsi\": {\"portal\": \"ho st\", \"target\": \"iqn.x\"}}",
                    "'ho st': the host contains ' '");
        parse_fails("{\"iscsi\": {\"portal\": \"h\", \"target\": \"target1\"}}",
                    "key 'iscsi.target': 'target1' is not an iSCSI name (starting \"iqn.\"");
        parse_fails("{\"iscsi\": {\"portal\": \"h\", \"target\": \"eui.1234\"}}",
                    "'eui.1234' is not \"eui.\" and 16 hex digits");
        parse_fails("{\"iscsi\": {\"portal\": \"h\", \"target\": \"iqn.a/b\"}}",
                    "'iqn.a/b' contains '/'");
        parse_fails("{\"iscsi\": {\"portal\": \"h\", \"target\": \"iqn.x\", \"lun\": -1}}",
                    "key 'iscsi.lun': -1 is negative");
        parse_fails(
                "{\"iscsi\": {\"portal\": \"h\", \"target\": \"iqn.x\", \"initiator\": \"me\"}}",
                "key 'iscsi.initiator': 'me' is not an iSCSI name");
        parse_fails("{\"iscsi\": {\"target\": \"iqn.x\"}}", "key 'iscsi': no portal");
        parse_fails("{\"iscsi\": {\"portal\": \"h\"}}", "key 'iscsi': no target");
        parse_fails(
                "{\"iscsi\": {\"portal\": \"h\", \"target\": \"iqn.x\", \"user\": \"u\"}}",
                "key 'iscsi': unknown key 'user' (known: portal, target, lun, initiator, auth)");
        parse_fails(
                "{\"iscsi\": {\"portal\": \"h\", \"target\": \"iqn.x\", \"auth\": {\"username\": "
                "\"u\", \"password\": \"hunter2\"}}}",
                "key 'iscsi.auth': a CHAP password is never taken here");
        parse_fails(
                "{\"iscsi\": {\"portal\": \"h\", \"target\": \"iqn.x\", \"auth\": {\"username\": "
                "\"u\"}}}",
                "key 'iscsi.auth': no secret: give secret_uuid or secret_usage");
        parse_fails(
                "{\"iscsi\": {\"portal\": \"h\", \"target\": \"iqn.x\", \"auth\": {\"username\": "
                "\"u\", \"secret_uuid\": \"" UUID_A "\", \"secret_usage\": \"x\"}}}",
                "secret_uuid and secret_usage both given");
        parse_fails("{\"iscsi\": {\"portal\": \"h\", \"target\": \"iqn.x\", \"auth\": {"
                    "\"secret_usage\": \"x\"}}}", "key 'iscsi.auth': no username");
        parse_fails("{\"iscsi\": \"iscsi://h/iqn.x/0\"}",
                    "key 'iscsi': expected an object, got the string");
        /* a password is never echoed */
        parse_fails(
                "{\"iscsi\": {\"portal\": \"h\", \"target\": \"iqn.x\", \"auth\": {\"username\": "
                "\"u\", \"password\": \"hunter2\"}}}",
                "secret_uuid or secret_usage");
        assert_null(strstr(storvirt__error_msg(), "hunter2"));
}

/* ---- every key ---------------------------------------------------------------------------- */

static void test_keys_good(void **state) {
        storvirt__disk_spec *s;

        s = parse_ok(
                "{\"path\": \"/i\", \"device\": \"lun\", \"iface\": \"scsi\", \"index\": \"7\", "
                "\"format\": \"raw\", \"bootOrder\": \"2\", \"propagateErrors\": \"report\", "
                "\"shared\": \"shared\", \"readOnly\": \"True\", \"cache\": \"directsync\", "
                "\"io\": \"io_uring\", \"discard\": \"ignore\", \"sgio\": \"filtered\", "
                "\"reservations\": {\"managed\": true}, \"alias\": \"data\", "
                "\"type\": \"disk\", \"deviceId\": \"" UUID_A "\", \"capacity\": \"1073741824\", "
                "\"diskType\": \"block\", \"name\": \"sdh\"}");
        assert_int_equal(s->device, STORVIRT__DISK_DEVICE_LUN);
        assert_int_equal(s->bus, STORVIRT__DISK_BUS_SCSI);
        assert_int_equal(s->index, 7);
        assert_int_equal(s->format, STORVIRT__DISK_FORMAT_RAW);
        assert_int_equal(s->boot_order, 2);
        assert_int_equal(s->error_policy, STORVIRT__DISK_ERROR_POLICY_REPORT);
        assert_true(s->shared);
        assert_true(s->readonly);
        assert_int_equal(s->cache, STORVIRT__DISK_CACHE_DIRECTSYNC);
        assert_int_equal(s->io, STORVIRT__DISK_IO_URING);
        assert_int_equal(s->discard, STORVIRT__DISK_DISCARD_IGNORE);
        assert_int_equal(s->sgio, STORVIRT__DISK_SGIO_FILTERED);
        assert_true(s->reservations);
        assert_string_equal(s->alias, "ua-data");
        assert_string_equal(s->name, "disk (alias ua-data)");
        assert_false(s->volume_as_volume);
        no_problems(s);
        storvirt__disk_spec_free(s);

        s = parse_ok("{\"path\": \"/i\", \"device\": \"floppy\", \"format\": \"cow\", "
                     "\"propagateErrors\": false, \"shared\": false, \"readonly\": false, "
                     "\"optional\": \"true\", \"discard\": true, \"cache\": \"unsafe\", "
                     "\"io\": \"threads\", \"alias\": \"ua-boot.1\", \"index\": 1, "
                     "\"reservations\": false, \"serial\": \"A b_c.d+e-f\"}");
        assert_int_equal(s->device, STORVIRT__DISK_DEVICE_FLOPPY);
        assert_int_equal(s->bus, STORVIRT__DISK_BUS_UNSET);
        assert_int_equal(s->format, STORVIRT__DISK_FORMAT_QCOW2);
        /* "off", the only policy a floppy takes (and none is written) */
        assert_int_equal(s->error_policy, STORVIRT__DISK_ERROR_POLICY_STOP);
        assert_false(s->shared);
        assert_true(s->optional);
        assert_int_equal(s->discard, STORVIRT__DISK_DISCARD_UNMAP);
        assert_string_equal(s->alias, "ua-boot.1");
        assert_string_equal(s->serial, "A b_c.d+e-f");
        no_problems(s);
        storvirt__disk_spec_free(s);

        /* enum values one by one */
        {
                static const struct {
                        const char *json;
                        size_t off;
                        int want;
                } cases[] = {
#define C(json, field, want) { json, offsetof(storvirt__disk_spec, field), want }
                        C("{\"path\":\"/i\",\"device\":\"disk\"}", device,
                          STORVIRT__DISK_DEVICE_DISK),
                        C("{\"path\":\"/i\",\"device\":\"cdrom\"}", device,
                          STORVIRT__DISK_DEVICE_CDROM),
                        C("{\"path\":\"/i\",\"iface\":\"virtio\"}", bus, STORVIRT__DISK_BUS_VIRTIO),
                        C("{\"path\":\"/i\",\"iface\":\"sata\"}", bus, STORVIRT__DISK_BUS_SATA),
                        C("{\"path\":\"/i\",\"iface\":\"usb\"}", bus, STORVIRT__DISK_BUS_USB),
                        C("{\"path\":\"/i\",\"if\":\"fdc\"}", bus, STORVIRT__DISK_BUS_FDC),
                        C("{\"path\":\"/i\",\"format\":\"qcow2\"}", format,
                          STORVIRT__DISK_FORMAT_QCOW2),
                        C("{\"path\":\"/i\",\"propagateErrors\":\"off\"}", error_policy,
                          STORVIRT__DISK_ERROR_POLICY_STOP),
                        C("{\"path\":\"/i\",\"propagateErrors\":\"on\"}", error_policy,
                          STORVIRT__DISK_ERROR_POLICY_ENOSPACE),
                        C("{\"path\":\"/i\",\"propagateErrors\":false}", error_policy,
                          STORVIRT__DISK_ERROR_POLICY_STOP),
                        C("{\"path\":\"/i\",\"cache\":\"none\"}", cache, STORVIRT__DISK_CACHE_NONE),
                        C("{\"path\":\"/i\",\"cache\":\"writethrough\"}", cache,
                          STORVIRT__DISK_CACHE_WRITETHROUGH),
                        C("{\"path\":\"/i\",\"cache\":\"writeback\"}", cache,
                          STORVIRT__DISK_CACHE_WRITEBACK),
                        C("{\"path\":\"/i\",\"io\":\"native\"}", io, STORVIRT__DISK_IO_NATIVE),
                        C("{\"path\":\"/i\",\"discard\":\"unmap\"}", discard,
                          STORVIRT__DISK_DISCARD_UNMAP),
                        C("{\"path\":\"/i\",\"discard\":false}", discard,
                          STORVIRT__DISK_DISCARD_IGNORE),
#undef C
                };

                for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                        int got;

                        s = parse_ok(cases[i].json);
                        memcpy(&got, (const char *) s + cases[i].off, sizeof(got));
                        if (got != cases[i].want) {
                                print_error("%s: got %d, want %d\n", cases[i].json, got,
                                            cases[i].want);
                                fail();
                        }
                        storvirt__disk_spec_free(s);
                }
        }

        /* shared's strings */
        s = parse_ok("{\"path\": \"/i\", \"shared\": \"exclusive\"}");
        assert_false(s->shared);
        storvirt__disk_spec_free(s);
        s = parse_ok("{\"path\": \"/i\", \"shared\": \"none\"}");
        assert_false(s->shared);
        storvirt__disk_spec_free(s);
        s = parse_ok("{\"path\": \"/i\", \"shared\": true}");
        assert_true(s->shared);
        storvirt__disk_spec_free(s);

        /* addresses: VDSM's hex strings, numbers, decimal strings */
        s = parse_ok("{\"path\": \"/i\", \"address\": {\"type\": \"pci\", \"domain\": \"0x0000\", "
                     "\"bus\": \"0x00\", \"slot\": \"0x1F\", \"function\": \"0x7\"}}");
        assert_int_equal(s->address.type, STORVIRT__DISK_ADDRESS_PCI);
        assert_int_equal(s->address.slot, 0x1f);
        assert_int_equal(s->address.function, 7);
        storvirt__disk_spec_free(s);
        s = parse_ok("{\"path\": \"/i\", \"address\": {\"type\": \"pci\", \"domain\": 65535, "
                     "\"bus\": \"255\", \"slot\": 5}}");
        assert_int_equal(s->address.domain, 0xffff);
        assert_int_equal(s->address.bus, 0xff);
        assert_int_equal(s->address.slot, 5);
        assert_int_equal(s->address.function, 0);
        storvirt__disk_spec_free(s);
        s = parse_ok("{\"path\": \"/i\", \"iface\": \"scsi\", \"address\": {\"type\": \"drive\", "
                     "\"controller\": \"0\", \"bus\": \"0\", \"target\": 2, \"unit\": \"0x10\"}}");
        assert_int_equal(s->address.type, STORVIRT__DISK_ADDRESS_DRIVE);
        assert_int_equal(s->address.target, 2);
        assert_int_equal(s->address.unit, 16);
        no_problems(s);
        storvirt__disk_spec_free(s);

        /* I/O limits, both spellings; zeros are no limit and may go with a total */
        s = parse_ok("{\"path\": \"/i\", \"specParams\": {\"ioTune\": {\"total_bytes_sec\": 0, "
                     "\"read_bytes_sec\": 1000, \"write_iops_sec\": \"50\"}}}");
        assert_int_equal(s->iotune.set, (1u << STORVIRT__IOTUNE_TOTAL_BYTES_SEC) |
                                                (1u << STORVIRT__IOTUNE_READ_BYTES_SEC) |
                                                (1u << STORVIRT__IOTUNE_WRITE_IOPS_SEC));
        assert_int_equal(s->iotune.value[STORVIRT__IOTUNE_READ_BYTES_SEC], 1000);
        assert_int_equal(s->iotune.value[STORVIRT__IOTUNE_WRITE_IOPS_SEC], 50);
        storvirt__disk_spec_free(s);
        s = parse_ok("{\"path\": \"/i\", \"iotune\": {\"total_iops_sec\": 1000000000000000}, "
                     "\"specParams\": {}}");
        assert_int_equal(s->iotune.set, 1u << STORVIRT__IOTUNE_TOTAL_IOPS_SEC);
        storvirt__disk_spec_free(s);
        assert_string_equal(storvirt__iotune_names[STORVIRT__IOTUNE_TOTAL_BYTES_SEC],
                            "total_bytes_sec");
        assert_string_equal(storvirt__iotune_names[STORVIRT__IOTUNE_WRITE_IOPS_SEC],
                            "write_iops_sec");

        s = parse_ok("{\"device\": \"lun\", \"GUID\": \"" GUID_NAA "\", \"reservations\": true}");
        assert_true(s->reservations);
        storvirt__disk_spec_free(s);
        s = parse_ok("{\"pool\": \"p\", \"volume\": \"v\", \"volumeAsVolume\": true, "
                     "\"diskType\": \"volume\"}");
        assert_true(s->volume_as_volume);
        storvirt__disk_spec_free(s);

        /* name gives the index when index is absent */
        s = parse_ok("{\"path\": \"/i\", \"name\": \"vdab\"}");
        assert_int_equal(s->index, 27);
        storvirt__disk_spec_free(s);
        s = parse_ok("{\"path\": \"/i\", \"device\": \"cdrom\", \"name\": \"hdc\", \"index\": 2}");
        assert_int_equal(s->index, 2);
        storvirt__disk_spec_free(s);

        /* null is absent */
        s = parse_ok("{\"path\": \"/i\", \"iface\": null, \"index\": null, \"alias\": null, "
                     "\"specParams\": null, \"bootOrder\": null}");
        assert_int_equal(s->bus, STORVIRT__DISK_BUS_UNSET);
        assert_int_equal(s->index, -1);
        assert_null(s->alias);
        storvirt__disk_spec_free(s);
}

static void test_keys_bad(void **state) {
        /* the message names the drive, the key, the value and why */
        from_json_fails(
                "{\"path\": \"/i\", \"iface\": \"scsci\"}", "drive 2",
                "drive 2: key 'iface': 'scsci' is not one of virtio, scsi, ide, sata, usb, fdc");
        from_json_fails(
                "{\"path\": \"/i\", \"alias\": \"boot\", \"device\": \"tape\"}", "drive 3",
                "drive 3 (alias ua-boot): key 'device': 'tape' is not one of disk, lun, cdrom, "
                "floppy");
        from_json_fails("[1]", "drive 1", "drive 1: expected an object, got an array");
        from_json_fails("\"x\"", "drive 1", "drive 1: expected an object, got the string 'x'");

        parse_fails("{\"path\": \"/i\", \"colour\": 1}", "disk: unknown key 'colour'");
        parse_fails("{\"path\": \"/i\", \"iface\": \"ide\", \"iface\": \"ide\"}",
                    "disk: key 'iface' given twice");
        parse_fails("{\"path\": \"/i\", \"iface\": \"ide\", \"if\": \"ide\"}",
                    "disk: keys 'iface' and 'if' both given");
        parse_fails("{\"path\": \"/i\", \"readonly\": true, \"readOnly\": true}",
                    "keys 'readonly' and 'readOnly' both given");
        parse_fails("{\"path\": \"/i\", \"iface\": 3}",
                    "key 'iface': expected a string, got the number 3");

        /* index */
        parse_fails("{\"path\": \"/i\", \"index\": -1}", "key 'index': -1 is negative");
        parse_fails("{\"path\": \"/i\", \"index\": \"-1\"}", "key 'index': '-1' is negative");
        parse_fails("{\"path\": \"/i\", \"index\": 1.5}",
                    "key 'index': expected an integer without fraction or exponent, got the number "
                    "1.5");
        parse_fails("{\"path\": \"/i\", \"index\": 1e2}", "got the number 1e2");
        parse_fails("{\"path\": \"/i\", \"index\": 702}",
                    "key 'index': 702 is out of range (at most 701)");
        parse_fails("{\"path\": \"/i\", \"index\": 99999999999999999999999}",
                    "key 'index': 99999999999999999999999 is out of range");
        parse_fails("{\"path\": \"/i\", \"index\": \"two\"}",
                    "key 'index': expected a string of decimal digits, got the string 'two'");
        parse_fails("{\"path\": \"/i\", \"index\": \"0x1\"}",
                    "expected a string of decimal digits");
        parse_fails(
                "{\"path\": \"/i\", \"index\": [0]}",
                "key 'index': expected a non-negative integer or a string of digits, got an array");
        parse_fails("{\"path\": \"/i\", \"index\": true}", "got true");

        /* address */
        parse_fails("{\"path\": \"/i\", \"address\": {\"type\": \"pci\", \"slot\": \"0x20\"}}",
                    "key 'address.slot': '0x20' is out of range (at most 31)");
        parse_fails("{\"path\": \"/i\", \"address\": {\"type\": \"pci\", \"slot\": 1, "
                    "\"function\": 8}}",
                    "key 'address.function': 8 is out of range (at most 7)");
        parse_fails("{\"path\": \"/i\", \"address\": {\"type\": \"pci\", \"slot\": 1, \"domain\": "
                    "\"0x10000\"}}",
                    "key 'address.domain': '0x10000' is out of range (at most 65535)");
        parse_fails(
                "{\"path\": \"/i\", \"address\": {\"type\": \"pci\", \"slot\": 1, \"bus\": 256}}",
                "key 'address.bus': 256 is out of range (at most 255)");
        parse_fails("{\"path\": \"/i\", \"address\": {\"type\": \"pci\"}}",
                    "key 'address': a PCI address needs a slot");
        parse_fails("{\"path\": \"/i\", \"address\": {\"type\": \"pci\", \"slot\": \"0xg\"}}",
                    "key 'address.slot': expected decimal digits or \"0x\" and hex digits, got the "
                    "string '0xg'");
        parse_fails("{\"path\": \"/i\", \"address\": {\"type\": \"pci\", \"slot\": -1}}",
                    "key 'address.slot': -1 is negative");
        parse_fails("{\"path\": \"/i\", \"address\": {\"type\": \"drive\", \"unit\": \"-2\"}}",
                    "key 'address.unit': '-2' is negative");
        parse_fails("{\"path\": \"/i\", \"address\": {\"type\": \"drive\", \"controller\": 100}}",
                    "key 'address.controller': 100 is out of range (at most 99)");
        parse_fails(
                "{\"path\": \"/i\", \"address\": {\"type\": \"drive\", \"slot\": 1}}",
                "key 'address': unknown key 'slot' (known: type, controller, bus, target, unit)");
        parse_fails("{\"path\": \"/i\", \"address\": {\"type\": \"ccw\"}}",
                    "key 'address.type': 'ccw' is not one of pci, drive");
        parse_fails("{\"path\": \"/i\", \"address\": {}}", "key 'address': no type (pci or drive)");
        parse_fails("{\"path\": \"/i\", \"address\": \"pci:0000:00:05.0\"}",
                    "key 'address': expected an object, got the string");

        parse_fails("{\"path\": \"/i\", \"format\": \"vmdk\"}",
                    "key 'format': 'vmdk' is not one of raw, cow, qcow2");
        parse_fails("{\"path\": \"/i\", \"bootOrder\": 0}",
                    "key 'bootOrder': 0 is out of range (at least 1)");
        parse_fails("{\"path\": \"/i\", \"bootOrder\": \"first\"}",
                    "key 'bootOrder': expected a string of decimal digits");
        parse_fails("{\"path\": \"/i\", \"bootOrder\": 2147483648}",
                    "is out of range (at most 2147483647)");
        parse_fails("{\"path\": \"/i\", \"propagateErrors\": \"yes\"}",
                    "key 'propagateErrors': 'yes' is not one of off, on, report");
        parse_fails(
                "{\"path\": \"/i\", \"propagateErrors\": 1}",
                "key 'propagateErrors': expected off, on, report or a boolean, got the number 1");
        parse_fails("{\"path\": \"/i\", \"shared\": \"transient\"}",
                    "key 'shared': 'transient' is not supported: a transient disk needs a "
                    "temporary overlay");
        parse_fails("{\"path\": \"/i\", \"shared\": \"yes\"}",
                    "key 'shared': 'yes' is not one of shared, exclusive, none, transient");
        parse_fails("{\"path\": \"/i\", \"readonly\": \"yes\"}",
                    "key 'readonly': expected true or false, got the string 'yes'");
        parse_fails("{\"path\": \"/i\", \"readOnly\": 0}",
                    "key 'readOnly': expected true or false, got the number 0");
        parse_fails("{\"path\": \"/i\", \"optional\": null, \"optional\": 1}",
                    "key 'optional' given twice");
        parse_fails("{\"path\": \"/i\", \"serial\": \"ab/cd\"}",
                    "key 'serial': 'ab/cd' contains '/' (libvirt allows letters, digits, space");
        parse_fails("{\"path\": \"/i\", \"serial\": \"a\\nb\"}",
                    "key 'serial': 'a\\x0ab' contains '\\x0a'");
        parse_fails("{\"path\": \"/i\", \"serial\": \"\"}", "key 'serial': empty string");
        parse_fails("{\"path\": \"/i\", \"serial\": "
                    "\"01234567890123456789012345678901234567890123456789012345678901234\"}",
                    "is 65 characters, more than 64");
        parse_fails("{\"path\": \"/i\", \"cache\": \"default\"}",
                    "key 'cache': 'default' is not one of none, writethrough, writeback, "
                    "directsync, unsafe");
        parse_fails("{\"path\": \"/i\", \"io\": \"aio\"}",
                    "key 'io': 'aio' is not one of native, threads, io_uring");
        parse_fails("{\"path\": \"/i\", \"discard\": \"on\"}",
                    "key 'discard': 'on' is not one of unmap, ignore");
        parse_fails("{\"path\": \"/i\", \"discard\": {}}",
                    "key 'discard': expected unmap, ignore or a boolean, got an object");
        parse_fails("{\"device\": \"lun\", \"path\": \"/dev/sdb\", \"sgio\": \"unfiltered\"}",
                    "key 'sgio': 'unfiltered' is refused: libvirt 9 and later refuse "
                    "sgio='unfiltered'");
        parse_fails("{\"path\": \"/i\", \"sgio\": \"raw\"}", "key 'sgio': 'raw' is not filtered");

        /* I/O limits */
        parse_fails("{\"path\": \"/i\", \"specParams\": {\"ioTune\": {\"total_bytes_sec\": 10, "
                    "\"write_bytes_sec\": 5}}}",
                    "key 'specParams.ioTune': total_bytes_sec and write_bytes_sec both set: "
                    "libvirt refuses");
        parse_fails(
                "{\"path\": \"/i\", \"iotune\": {\"total_iops_sec\": 10, \"read_iops_sec\": 5}}",
                "key 'iotune': total_iops_sec and read_iops_sec both set");
        parse_fails("{\"path\": \"/i\", \"iotune\": {\"read_bytes_sec\": -5}}",
                    "key 'iotune.read_bytes_sec': -5 is negative");
        parse_fails("{\"path\": \"/i\", \"iotune\": {\"read_bytes_sec\": 1000000000000001}}",
                    "key 'iotune.read_bytes_sec': 1000000000000001 is out of range (at most "
                    "1000000000000000)");
        parse_fails("{\"path\": \"/i\", \"iotune\": {\"size_iops_sec\": 1}}",
                    "key 'iotune': unknown key 'size_iops_sec'");
        parse_fails("{\"path\": \"/i\", \"specParams\": {\"vmPayload\": {}}}",
                    "key 'specParams': unknown key 'vmPayload' (known: ioTune)");
        parse_fails("{\"path\": \"/i\", \"specParams\": []}",
                    "key 'specParams': expected an object, got an array");
        parse_fails("{\"path\": \"/i\", \"specParams\": {\"ioTune\": {}}, \"iotune\": {}}",
                    "keys 'specParams.ioTune' and 'iotune' both given");

        parse_fails("{\"path\": \"/i\", \"reservations\": {\"managed\": \"maybe\"}}",
                    "key 'reservations.managed': expected true or false");
        parse_fails("{\"path\": \"/i\", \"reservations\": {}}", "key 'reservations': no managed");
        parse_fails("{\"path\": \"/i\", \"reservations\": \"yes\"}",
                    "key 'reservations': expected a boolean or {\"managed\": true}, got the string "
                    "'yes'");
        parse_fails("{\"path\": \"/i\", \"alias\": \"my disk\"}",
                    "key 'alias': 'my disk' contains ' ' (libvirt's aliases have letters");
        parse_fails("{\"path\": \"/i\", \"alias\": \"ua-\"}", "key 'alias': 'ua-' has no name");
        parse_fails("{\"path\": \"/i\", \"alias\": 7}",
                    "key 'alias': expected a string, got the number 7");
        parse_fails("{\"path\": \"/i\", \"diskType\": \"nvme\"}",
                    "key 'diskType': 'nvme' is not one of file, block, network, volume");
        parse_fails("{\"pool\": \"p\", \"volume\": \"v\", \"diskType\": \"volume\", "
                    "\"volumeAsVolume\": false}",
                    "keys 'diskType' ('volume') and 'volumeAsVolume' (false) disagree");
        parse_fails("{\"path\": \"/i\", \"type\": \"interface\"}",
                    "key 'type': 'interface' is not disk");
        parse_fails("{\"path\": \"/i\", \"deviceId\": 5}", "key 'deviceId': expected a string");
        parse_fails("{\"path\": \"/i\", \"capacity\": -5}", "key 'capacity': -5 is negative");
        parse_fails(
                "{\"path\": \"/i\", \"name\": \"sda\"}",
                "key 'name': 'sda' does not fit bus virtio (the default for device disk; give key "
                "'iface'), whose names start with \"vd\"");
        parse_fails("{\"path\": \"/i\", \"iface\": \"ide\", \"name\": \"vda\"}",
                    "key 'name': 'vda' does not fit bus ide, whose names start with \"hd\"");
        parse_fails("{\"path\": \"/i\", \"index\": 0, \"name\": \"vdb\"}",
                    "key 'name': 'vdb' is index 1, but key 'index' is 0");
        parse_fails("{\"path\": \"/i\", \"name\": \"vda1\"}",
                    "key 'name': 'vda1' is not a target dev name");
        parse_fails("{\"path\": \"/i\", \"name\": \"vdaaa\"}",
                    "key 'name': 'vdaaa' is index 702, more than 701");

        /* not an object, bad JSON */
        parse_fails("[]", "disk: expected an object, got an array");
        parse_fails("{\"path\": ", "disk: invalid JSON at line 1 column");
        parse_fails("", "disk: empty input");
}

/* Every key with every kind of wrong value: an error or a spec, never a crash. */
static void test_wrong_types(void **state) {
        static const char *const keys[] = {
                "GUID", "UUID", "poolID", "spUUID", "domainID", "imageID", "volumeID", "pool",
                "volume", "path", "iscsi", "vdisk", "alias", "device", "iface", "if", "index",
                "address", "format", "bootOrder", "propagateErrors", "shared", "readonly",
                "readOnly", "optional", "serial", "cache", "io", "discard", "sgio", "specParams",
                "iotune", "reservations", "volumeAsVolume", "diskType", "type", "deviceId",
                "capacity", "name",
        };
        static const char *const values[] = {
                "null", "true", "false", "0", "-1", "1.5", "1e400", "-0", "18446744073709551616",
                "\"\"", "\"x\"", "\"0x\"", "\"-\"", "[]", "[1, 2]", "{}", "{\"type\": \"pci\"}",
                "{\"portal\": 1, \"target\": []}", "{\"ioTune\": null}", "{\"managed\": null}",
                "\"\\u00e9\"", "99999999999999999999",
        };
        char buf[512];

        for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
                for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
                        storvirt__disk_spec *s = NULL;
                        int r;

                        snprintf(buf, sizeof(buf), "{\"%s\": %s}", keys[k], values[v]);
                        r = storvirt__disk_spec_parse(buf, strlen(buf), &s);
                        assert_true(r == 0 || r == -EINVAL);
                        if (r == 0) {
                                char **p = NULL;

                                assert_int_equal(storvirt__disk_spec_problems(s, &p), 0);
                                storvirt__strv_free(p);
                                storvirt__disk_spec_free(s);
                        } else {
                                /* the message names the key, unless null made it absent */
                                assert_non_null(storvirt__error_msg());
                        }
                        /* and through the setter */
                        assert_int_equal(storvirt__disk_spec_new(&s), 0);
                        r = storvirt__disk_spec_set_json(s, keys[k], values[v]);
                        assert_true(r == 0 || r == -EINVAL);
                        if (r < 0)
                                contains(storvirt__error_msg(), keys[k]);
                        storvirt__disk_spec_free(s);
                }
}

/* ---- defaults and whole-drive checks ------------------------------------------------------ */

static void test_defaults(void **state) {
        storvirt__disk_spec *s = NULL, *list[1];
        char **p = NULL;

        assert_int_equal(storvirt__disk_spec_new(&s), 0);
        assert_int_equal(s->index, -1);
        assert_int_equal(s->source, STORVIRT__DISK_SOURCE_NONE);
        assert_int_equal(s->device, STORVIRT__DISK_DEVICE_DISK);
        assert_int_equal(s->bus, STORVIRT__DISK_BUS_UNSET);
        assert_null(s->name);
        storvirt__disk_spec_free(s);
        storvirt__disk_spec_free(NULL);

        s = parse_ok("{\"GUID\": \"" GUID_NAA "\"}");
        assert_int_equal(s->bus, STORVIRT__DISK_BUS_UNSET);
        assert_int_equal(s->format, STORVIRT__DISK_FORMAT_UNSET);
        assert_int_equal(s->cache, STORVIRT__DISK_CACHE_UNSET);
        assert_int_equal(s->error_policy, STORVIRT__DISK_ERROR_POLICY_UNSET);
        assert_false(s->readonly);
        assert_false(s->shared);
        list[0] = s;
        assert_int_equal(storvirt__disk_specs_complete(list, 1, &p), 0);
        assert_null(p);
        assert_int_equal(s->bus, STORVIRT__DISK_BUS_VIRTIO);
        assert_int_equal(s->format, STORVIRT__DISK_FORMAT_RAW);
        assert_int_equal(s->cache, STORVIRT__DISK_CACHE_NONE);
        assert_int_equal(s->error_policy, STORVIRT__DISK_ERROR_POLICY_STOP);
        assert_int_equal(s->index, 0);
        storvirt__disk_spec_free(s);

        /* per device: lun scsi, cdrom ide, floppy fdc; format stays unset for a file */
        {
                static const struct {
                        const char *json;
                        storvirt__disk_bus bus;
                        storvirt__disk_format format;
                } cases[] = {
                        { "{\"device\": \"lun\", \"path\": \"/dev/sdb\"}", STORVIRT__DISK_BUS_SCSI,
                           STORVIRT__DISK_FORMAT_RAW },
                        { "{\"device\": \"cdrom\"}", STORVIRT__DISK_BUS_IDE,
                           STORVIRT__DISK_FORMAT_UNSET },
                        { "{\"device\": \"floppy\", \"path\": \"/f.img\"}", STORVIRT__DISK_BUS_FDC,
                           STORVIRT__DISK_FORMAT_UNSET },
                        { "{\"path\": \"/a.img\"}", STORVIRT__DISK_BUS_VIRTIO,
                           STORVIRT__DISK_FORMAT_UNSET },
                        { "{\"UUID\": \"1234-ABCD\", \"iface\": \"sata\"}", STORVIRT__DISK_BUS_SATA,
                           STORVIRT__DISK_FORMAT_RAW },
                };

                for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                        s = parse_ok(cases[i].json);
                        list[0] = s;
                        assert_int_equal(storvirt__disk_specs_complete(list, 1, &p), 0);
                        assert_int_equal(s->bus, cases[i].bus);
                        assert_int_equal(s->format, cases[i].format);
                        storvirt__disk_spec_free(s);
                }
        }
        assert_string_equal(storvirt__disk_device_name(STORVIRT__DISK_DEVICE_LUN), "lun");
        assert_null(storvirt__disk_device_name((storvirt__disk_device) 9));
        assert_string_equal(storvirt__disk_bus_name(STORVIRT__DISK_BUS_SATA), "sata");
        assert_null(storvirt__disk_bus_name(STORVIRT__DISK_BUS_UNSET));
        assert_null(storvirt__disk_bus_name((storvirt__disk_bus) 42));
}

static void test_whole_drive(void **state) {
        drive_fine("{\"GUID\": \"" GUID_NAA "\", \"device\": \"lun\", \"sgio\": \"filtered\", "
                   "\"reservations\": true}");
        drive_fine("{\"device\": \"lun\", \"iscsi\": {\"portal\": \"h\", "
                   "\"target\": \"iqn.x\"}}");
        drive_fine("{\"device\": \"cdrom\", \"iface\": \"sata\", \"optional\": true, \"path\": "
                   "\"/a.iso\"}");

        drive_problem("{\"device\": \"disk\"}", "disk: no source: device disk needs one of GUID");
        drive_problem("{\"device\": \"lun\", \"path\": \"\"}", "no source: device lun needs");
        /* whether the vDisk's top image is a LUN is for the resolution to say */
        drive_fine("{\"device\": \"lun\", \"vdisk\": \"" UUID_A "\"}");
        /* VDSM takes it and leaves it out: the resolution does so with a warning */
        drive_fine("{\"device\": \"lun\", \"GUID\": \"" GUID_NAA "\", \"serial\": \"abc\"}");
        drive_problem("{\"device\": \"lun\", \"path\": \"/dev/sdb\", \"format\": \"cow\"}",
                      "key 'format': qcow2 with device lun");
        drive_problem("{\"device\": \"lun\", \"path\": \"/dev/sdb\", \"iface\": \"ide\"}",
                      "key 'iface': device lun needs bus scsi (a virtio-scsi controller), not "
                      "ide (libvirt refuses SCSI passthrough on other buses)");
        drive_problem("{\"path\": \"/a\", \"sgio\": \"filtered\"}",
                      "key 'sgio': only for device lun (SCSI passthrough), not disk");
        drive_problem("{\"path\": \"/a\", \"reservations\": {\"managed\": true}}",
                      "key 'reservations': only for device lun");
        drive_problem("{\"GUID\": \"" GUID_NAA "\", \"format\": \"qcow2\"}",
                      "key 'format': qcow2 on GUID " GUID_NAA
                      ": a LUN named by its GUID is used raw");
        drive_problem("{\"UUID\": \"1234-ABCD\", \"format\": \"cow\"}",
                      "key 'format': qcow2 on UUID 1234-ABCD");
        drive_problem("{\"device\": \"floppy\", \"path\": \"/f\", \"iface\": \"ide\"}",
                      "key 'iface': device floppy needs bus fdc, not ide");
        drive_problem(
                "{\"device\": \"floppy\", \"iscsi\": {\"portal\": \"h\", \"target\": \"iqn.x\"}}",
                "device floppy cannot use a network source");
        drive_problem("{\"device\": \"floppy\", \"GUID\": \"" GUID_NAA "\"}",
                      "device floppy cannot use GUID " GUID_NAA ": a floppy is an image file");
        drive_problem("{\"device\": \"cdrom\", \"iface\": \"virtio\"}",
                      "key 'iface': device cdrom needs bus ide, sata, scsi or usb, not virtio");
        drive_problem("{\"path\": \"/a\", \"iface\": \"fdc\"}",
                      "bus fdc is for device floppy only");
        /* optional: any drive (startupPolicy where libvirt takes it, see test-disk-rules.c) */
        drive_fine("{\"path\": \"/a\", \"optional\": true}");
        drive_fine("{\"device\": \"cdrom\", \"GUID\": \"" GUID_NAA "\", \"optional\": true}");
        drive_problem("{\"path\": \"/a\", \"diskType\": \"volume\"}",
                      "key 'diskType': 'volume' needs a pool+volume source, not path /a");
        drive_problem(
                "{\"path\": \"/a\", \"iface\": \"ide\", \"index\": 4}",
                "key 'index': 4 is too large for bus ide (at most 3: two channels of two drives)");
        drive_problem("{\"device\": \"floppy\", \"path\": \"/a\", \"index\": 2}",
                      "key 'index': 2 is too large for bus fdc (at most 1");
        drive_problem(
                "{\"path\": \"/a\", \"iface\": \"scsi\", \"address\": {\"type\": \"pci\", "
                "\"slot\": 5}}",
                "key 'address': a PCI address needs bus virtio, not scsi (give a drive address)");
        drive_problem(
                "{\"path\": \"/a\", \"address\": {\"type\": \"drive\"}}",
                "key 'address': a drive address needs bus ide, sata, scsi or fdc, not virtio");
        drive_problem("{\"path\": \"/a\", \"iface\": \"usb\", \"address\": {\"type\": \"drive\"}}",
                      "key 'address': bus usb takes neither a PCI nor a drive address");
        drive_problem("{\"path\": \"/a\", \"iface\": \"ide\", \"address\": {\"type\": \"drive\", "
                      "\"unit\": 2}}",
                      "key 'address.unit': 2 is too large for bus ide (at most 1)");
        drive_problem("{\"path\": \"/a\", \"iface\": \"ide\", \"address\": {\"type\": \"drive\", "
                      "\"bus\": 2}}",
                      "key 'address.bus': 2 is too large for bus ide (at most 1)");
        drive_problem("{\"path\": \"/a\", \"iface\": \"sata\", \"address\": {\"type\": \"drive\", "
                      "\"target\": 1}}",
                      "key 'address.target': 1 is too large for bus sata (at most 0)");
        drive_problem("{\"path\": \"/a\", \"iface\": \"scsi\", \"address\": {\"type\": \"drive\", "
                      "\"target\": 256}}",
                      "key 'address.target': 256 is too large for bus scsi (at most 255)");
        drive_problem("{\"path\": \"/a\", \"iface\": \"scsi\", \"serial\": "
                      "\"0123456789012345678901234567890123456\"}",
                      "key 'serial': 37 characters, QEMU's SCSI devices take at most 36");
        drive_problem("{\"path\": \"/a\", \"io\": \"native\", \"cache\": \"writeback\"}",
                      "key 'io': native needs cache none or directsync (O_DIRECT); QEMU refuses it "
                      "with cache writeback");

        /* every problem of one drive, not only the first */
        {
                storvirt__disk_spec *s = parse_ok("{\"device\": \"lun\", \"iface\": \"usb\", "
                                                  "\"shared\": true, \"format\": \"cow\", "
                                                  "\"path\": \"/dev/sdb\", \"address\": "
                                                  "{\"type\": \"pci\", \"slot\": 1}}");
                char **p = NULL;

                assert_int_equal(storvirt__disk_spec_problems(s, &p), 0);
                assert_int_equal(storvirt__strv_length(p), 4);
                assert_int_equal(storvirt__disk_spec_validate(s), -EINVAL);
                assert_string_equal(storvirt__error_msg(), p[0]);
                storvirt__strv_free(p);
                storvirt__disk_spec_free(s);
        }
        /* set through the struct: partial sources */
        {
                storvirt__disk_spec *s = NULL;

                assert_int_equal(storvirt__disk_spec_new(&s), 0);
                assert_int_equal(storvirt__disk_spec_set_json(s, "poolID", "\"" UUID_A "\""), 0);
                has_problem(s, "the volume source lacks domainID imageID volumeID");
                assert_int_equal(storvirt__disk_spec_set_json(s, "pool", "\"p\""), 0);
                has_problem(s, "key 'pool' without key 'volume'");
                storvirt__disk_spec_free(s);
        }
}

/* ---- target names ------------------------------------------------------------------------- */

static void test_target_dev(void **state) {
        static const struct {
                storvirt__disk_bus bus;
                unsigned index;
                const char *name;
        } cases[] = {
                { STORVIRT__DISK_BUS_VIRTIO, 0, "vda" },
                { STORVIRT__DISK_BUS_VIRTIO, 25, "vdz" },
                { STORVIRT__DISK_BUS_VIRTIO, 26, "vdaa" },
                { STORVIRT__DISK_BUS_VIRTIO, 27, "vdab" },
                { STORVIRT__DISK_BUS_VIRTIO, 51, "vdaz" },
                { STORVIRT__DISK_BUS_VIRTIO, 52, "vdba" },
                { STORVIRT__DISK_BUS_VIRTIO, 701, "vdzz" },
                { STORVIRT__DISK_BUS_VIRTIO, 702, "vdaaa" },
                { STORVIRT__DISK_BUS_VIRTIO, 18277, "vdzzz" },
                { STORVIRT__DISK_BUS_VIRTIO, 18278, "vdaaaa" },
                { STORVIRT__DISK_BUS_SCSI, 27, "sdab" },
                { STORVIRT__DISK_BUS_SATA, 1, "sdb" },
                { STORVIRT__DISK_BUS_USB, 2, "sdc" },
                { STORVIRT__DISK_BUS_IDE, 2, "hdc" },
                { STORVIRT__DISK_BUS_FDC, 1, "fdb" },
        };
        char buf[16], json[128];

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                assert_int_equal(storvirt__disk_target_dev(cases[i].bus, cases[i].index, buf,
                                                           sizeof(buf)), 0);
                assert_string_equal(buf, cases[i].name);
        }
        assert_int_equal(storvirt__disk_target_dev(STORVIRT__DISK_BUS_VIRTIO, UINT32_MAX, buf,
                                                   sizeof(buf)), 0);
        assert_int_equal(storvirt__disk_target_dev(STORVIRT__DISK_BUS_VIRTIO, 26, buf, 4), -ERANGE);
        assert_int_equal(storvirt__disk_target_dev(STORVIRT__DISK_BUS_VIRTIO, 26, buf, 5), 0);
        assert_string_equal(buf, "vdaa");
        assert_int_equal(storvirt__disk_target_dev(STORVIRT__DISK_BUS_UNSET, 0, buf, sizeof(buf)),
                         -EINVAL);

        /* the "name" key reads every two-letter name back to its index */
        for (unsigned i = 0; i <= 701; i++) {
                storvirt__disk_spec *s;

                assert_int_equal(
                        storvirt__disk_target_dev(STORVIRT__DISK_BUS_SCSI, i, buf, sizeof(buf)), 0);
                snprintf(json, sizeof(json),
                         "{\"path\": \"/a\", \"iface\": \"scsi\", \"name\": \"%s\"}", buf);
                s = parse_ok(json);
                assert_int_equal(s->index, (int) i);
                storvirt__disk_spec_free(s);
        }
}

/* ---- VM lists ----------------------------------------------------------------------------- */

static storvirt__disk_spec **vm_ok(const char *json, size_t *n) {
        storvirt__disk_spec **specs = NULL;
        char **problems = (char **) 0x1;
        int r = storvirt__disk_specs_parse_vm(json, strlen(json), &specs, n, &problems);

        if (r != 0) {
                print_error("VM list failed: %s\n", storvirt__error_msg());
                fail();
        }
        assert_null(problems);
        return specs;
}

static char **vm_fails(const char *json) {
        storvirt__disk_spec **specs = (storvirt__disk_spec **) 0x1;
        char **problems = NULL;
        size_t n = 99;

        assert_int_equal(storvirt__disk_specs_parse_vm(json, strlen(json), &specs, &n, &problems),
                         -EINVAL);
        assert_null(specs);
        assert_int_equal(n, 0);
        assert_non_null(problems);
        assert_non_null(problems[0]);
        return problems;
}

static void has_line(char **l, const char *line) {
        for (char **p = l; *p; p++)
                if (strcmp(*p, line) == 0)
                        return;
        print_error("no line\n  %s\namong:\n", line);
        for (char **p = l; *p; p++)
                print_error("  %s\n", *p);
        fail();
}

static void test_vm_shapes(void **state) {
        storvirt__disk_spec **specs;
        size_t n;

        /* a bare list */
        specs = vm_ok("[{\"GUID\": \"" GUID_NAA "\", \"bootOrder\": 1}, {\"path\": \"/b\"}, "
                      "{\"device\": \"cdrom\"}]", &n);
        assert_int_equal(n, 3);
        assert_string_equal(specs[0]->name, "drive 1");
        assert_string_equal(specs[1]->name, "drive 2");
        assert_int_equal(specs[0]->index, 0);
        assert_int_equal(specs[1]->index, 1);
        assert_int_equal(specs[2]->bus, STORVIRT__DISK_BUS_IDE);
        assert_int_equal(specs[2]->index, 0);
        storvirt__disk_specs_free(specs, n);

        /* VM_Create_t's drives, with the rest of the VM's parameters around */
        specs = vm_ok("{\"vmId\": \"" UUID_A
                      "\", \"memSize\": 1024, \"drives\": [{\"if\": \"ide\", "
                      "\"serial\": \"3c4b5a\", \"poolID\": \"" UUID_A "\", \"domainID\": \"" UUID_B
                      "\", \"imageID\": \"" UUID_C "\", \"volumeID\": \"" UUID_D "\"}]}",
                      &n);
        assert_int_equal(n, 1);
        assert_int_equal(specs[0]->bus, STORVIRT__DISK_BUS_IDE);
        assert_int_equal(specs[0]->source, STORVIRT__DISK_SOURCE_PDIV);
        storvirt__disk_specs_free(specs, n);

        /* VDSM's devices: only type disk */
        specs = vm_ok(
                "{\"devices\": [{\"type\": \"interface\", \"device\": \"bridge\", \"macAddr\": "
                "\"00:1a:4a:16:01:51\"}, {\"type\": \"disk\", \"device\": \"disk\", \"iface\": "
                "\"virtio\", \"GUID\": \"" GUID_NAA "\", \"alias\": \"ua-lun\"}, {\"device\": "
                "\"memballoon\"}, {\"type\": \"disk\", \"device\": \"cdrom\", \"iface\": \"ide\", "
                "\"path\": \"\", \"readonly\": \"True\"}]}",
                &n);
        assert_int_equal(n, 2);
        assert_string_equal(specs[0]->name, "drive 2 (alias ua-lun)");
        assert_string_equal(specs[1]->name, "drive 4");
        assert_true(specs[1]->readonly);
        storvirt__disk_specs_free(specs, n);

        /* empty lists */
        specs = vm_ok("[]", &n);
        assert_int_equal(n, 0);
        storvirt__disk_specs_free(specs, n);
        specs = vm_ok("{\"devices\": [{\"type\": \"video\"}]}", &n);
        assert_int_equal(n, 0);
        storvirt__disk_specs_free(specs, n);
}

static void test_vm_auto_index(void **state) {
        storvirt__disk_spec **specs;
        size_t n;

        /* explicit indexes are taken first, then the lowest free in order */
        specs = vm_ok("[{\"path\": \"/a\"}, {\"path\": \"/b\", \"index\": 0}, {\"path\": \"/c\"}, "
                      "{\"path\": \"/d\", \"index\": 2}, {\"path\": \"/e\", \"iface\": \"scsi\"}, "
                      "{\"path\": \"/f\", \"iface\": \"sata\", \"index\": 0}, {\"path\": \"/g\", "
                      "\"iface\": \"usb\"}]", &n);
        assert_int_equal(n, 7);
        assert_int_equal(specs[0]->index, 1);
        assert_int_equal(specs[1]->index, 0);
        assert_int_equal(specs[2]->index, 3);
        assert_int_equal(specs[3]->index, 2);
        /* scsi, sata and usb share the sd names */
        assert_int_equal(specs[4]->index, 1);
        assert_int_equal(specs[5]->index, 0);
        assert_int_equal(specs[6]->index, 2);
        storvirt__disk_specs_free(specs, n);
}

static void test_vm_problems(void **state) {
        char **p;

        /* every cross-check problem at once, each naming both drives */
        p = vm_fails(
                "[{\"path\": \"/a\", \"index\": 1, \"bootOrder\": 1, \"alias\": \"boot\", "
                "\"address\": {\"type\": \"pci\", \"slot\": \"0x05\"}},"
                " {\"path\": \"/b\", \"iface\": \"scsi\", \"index\": 0, \"address\": "
                "{\"type\": \"drive\", \"unit\": 1}},"
                " {\"path\": \"/c\", \"index\": 1, \"alias\": \"ua-data\", \"bootOrder\": 1, "
                "\"address\": {\"type\": \"pci\", \"domain\": 0, \"bus\": \"0x00\", \"slot\": 5}},"
                " {\"path\": \"/d\", \"iface\": \"sata\", \"index\": 0, \"alias\": \"data\"},"
                " {\"path\": \"/e\", \"iface\": \"scsi\", \"index\": 5, \"address\": "
                "{\"type\": \"drive\", \"unit\": \"1\"}},"
                " {\"path\": \"/f\", \"device\": \"cdrom\"}, {\"path\": \"/g\", \"device\": "
                "\"cdrom\"}, {\"path\": \"/h\", \"device\": \"cdrom\"}, {\"path\": \"/i\", "
                "\"device\": \"cdrom\"}, {\"path\": \"/j\", \"device\": \"cdrom\"}]");
        has_line(p, "drive 3 (alias ua-data): index 1 on bus virtio already used by drive 1 (alias "
                    "ua-boot)");
        has_line(p, "drive 4 (alias ua-data): target dev sda (bus sata, index 0) is also that of "
                    "drive 2 (bus scsi, index 0)");
        has_line(p,
                 "drive 3 (alias ua-data): boot order 1 already used by drive 1 (alias ua-boot)");
        has_line(p, "drive 3 (alias ua-data): PCI address 0000:00:05.0 already used by drive 1 "
                    "(alias ua-boot)");
        has_line(p, "drive 5: drive address controller 0 bus 0 target 0 unit 1 on bus scsi already "
                    "used by drive 2");
        has_line(p,
                 "drive 4 (alias ua-data): alias ua-data already used by drive 3 (alias ua-data)");
        has_line(p, "drive 10: no free index on bus ide (0 to 3 are all used)");
        assert_int_equal(storvirt__strv_length(p), 7);
        contains(storvirt__error_msg(), "(and 6 more problems)");
        storvirt__strv_free(p);

        /* parse errors (all of them), per-drive problems and cross-checks together */
        p = vm_fails(
                "[{\"path\": \"rel\", \"iface\": \"scsci\", \"colour\": 1},"
                " {\"device\": \"lun\", \"path\": \"/dev/sdb\", \"format\": \"cow\"},"
                " 42, {\"path\": \"/x\", \"bootOrder\": 3}, {\"path\": \"/y\", \"bootOrder\": 3}]");
        has_line(p, "drive 1: unknown key 'colour'");
        has_line(p, "drive 1: key 'path': 'rel' is not an absolute path");
        has_line(p,
                 "drive 1: key 'iface': 'scsci' is not one of virtio, scsi, ide, sata, usb, fdc");
        has_line(p,
                 "drive 2: key 'format': qcow2 with device lun: SCSI passthrough gives the guest "
                 "the LUN itself, so the format must be raw");
        has_line(p, "drive 3: expected an object, got the number 42");
        has_line(p, "drive 5: boot order 3 already used by drive 4");
        assert_int_equal(storvirt__strv_length(p), 6);
        storvirt__strv_free(p);

        /* the document itself */
        p = vm_fails("{\"drives\": [}");
        contains(p[0], "VM drives: invalid JSON at line 1 column 13");
        storvirt__strv_free(p);
        p = vm_fails("{\"vmId\": \"x\"}");
        assert_string_equal(p[0], "VM drives: no 'drives' or 'devices' list");
        storvirt__strv_free(p);
        p = vm_fails("{\"drives\": [], \"devices\": []}");
        assert_string_equal(p[0], "VM drives: both 'drives' and 'devices' given; give one list");
        storvirt__strv_free(p);
        p = vm_fails("{\"drives\": {}}");
        assert_string_equal(p[0], "VM drives: key 'drives': expected an array, got an object");
        storvirt__strv_free(p);
        p = vm_fails("\"drives\"");
        contains(p[0], "VM drives: expected a list of drives or an object");
        storvirt__strv_free(p);

        /* without a problems vector: only the message */
        {
                storvirt__disk_spec **specs = NULL;
                size_t n = 0;

                assert_int_equal(storvirt__disk_specs_parse_vm("[{}]", 4, &specs, &n, NULL),
                                 -EINVAL);
                contains(storvirt__error_msg(), "drive 1: no source: device disk needs one of");
                assert_null(specs);
        }
}

static void test_vm_too_many(void **state) {
        size_t cap = 3 + 2049 * 14;
        char *json = malloc(cap);
        size_t o = 0;
        char **p;

        assert_non_null(json);
        o += (size_t) snprintf(json + o, cap - o, "[");
        for (int i = 0; i < 2049; i++)
                o += (size_t) snprintf(json + o, cap - o, "%s{\"path\":\"/a\"}", i ? "," : "");
        snprintf(json + o, cap - o, "]");
        p = vm_fails(json);
        assert_string_equal(p[0], "VM drives: 2049 drives, more than 2048");
        storvirt__strv_free(p);
        free(json);

        /* 703 virtio drives: the last finds no name */
        cap = 3 + 703 * 14;
        json = malloc(cap);
        assert_non_null(json);
        o = 0;
        o += (size_t) snprintf(json + o, cap - o, "[");
        for (int i = 0; i < 703; i++)
                o += (size_t) snprintf(json + o, cap - o, "%s{\"path\":\"/a\"}", i ? "," : "");
        snprintf(json + o, cap - o, "]");
        p = vm_fails(json);
        assert_string_equal(p[0], "drive 703: no free index on bus virtio (0 to 701 are all used)");
        storvirt__strv_free(p);
        free(json);
}

/* ---- setting keys one at a time ----------------------------------------------------------- */

static void test_set_json(void **state) {
        storvirt__disk_spec *s = NULL, *c = NULL;

        assert_int_equal(storvirt__disk_spec_new(&s), 0);
        assert_int_equal(storvirt__disk_spec_set_json(s, "GUID", "\"" GUID_NAA "\""), 0);
        assert_int_equal(s->source, STORVIRT__DISK_SOURCE_GUID);
        assert_int_equal(storvirt__disk_spec_set_json(s, "iface", "\"scsi\""), 0);
        assert_int_equal(storvirt__disk_spec_set_json(s, "index", "3"), 0);
        assert_int_equal(storvirt__disk_spec_set_json(s, "address",
                                                      "{\"type\": \"drive\", \"unit\": 2}"), 0);
        assert_int_equal(s->address.unit, 2);
        assert_int_equal(storvirt__disk_spec_set_json(s, "name", "\"sdd\""), 0);

        /* errors leave the spec as it was */
        assert_int_equal(storvirt__disk_spec_set_json(s, "iface", "\"scsci\""), -EINVAL);
        assert_string_equal(
                storvirt__error_msg(),
                "disk: key 'iface': 'scsci' is not one of virtio, scsi, ide, sata, usb, fdc");
        assert_int_equal(s->bus, STORVIRT__DISK_BUS_SCSI);
        assert_int_equal(
                storvirt__disk_spec_set_json(s, "address", "{\"type\": \"drive\", \"unit\": -1}"),
                -EINVAL);
        assert_int_equal(s->address.unit, 2);
        assert_int_equal(storvirt__disk_spec_set_json(s, "GUID", "\"a b\""), -EINVAL);
        assert_string_equal(s->guid, GUID_NAA);
        assert_int_equal(storvirt__disk_spec_set_json(s, "name", "\"sda\""), -EINVAL);
        contains(storvirt__error_msg(), "disk: key 'name': 'sda' is index 0, but key 'index' is 3");
        assert_int_equal(storvirt__disk_spec_set_json(s, "iface", "scsi"), -EINVAL);
        contains(storvirt__error_msg(), "disk: key 'iface': invalid JSON at line 1 column");
        assert_int_equal(storvirt__disk_spec_set_json(s, "colour", "1"), -EINVAL);
        assert_string_equal(storvirt__error_msg(), "disk: unknown key 'colour'");
        assert_int_equal(storvirt__disk_spec_set_json(s, "iscsi", "{\"portal\": \"h\"}"), -EINVAL);
        assert_int_equal(s->source, STORVIRT__DISK_SOURCE_GUID);

        /* the alias names the drive */
        assert_int_equal(storvirt__disk_spec_set_json(s, "alias", "\"data\""), 0);
        assert_string_equal(s->name, "disk (alias ua-data)");
        assert_int_equal(storvirt__disk_spec_set_json(s, "alias", "\"ua-other\""), 0);
        assert_string_equal(s->name, "disk (alias ua-other)");
        assert_int_equal(storvirt__disk_spec_set_json(s, "index", "\"x\""), -EINVAL);
        contains(storvirt__error_msg(), "disk (alias ua-other): key 'index'");
        assert_int_equal(storvirt__disk_spec_set_json(s, "alias", "null"), 0);
        assert_string_equal(s->name, "disk");

        /* null resets a key */
        assert_int_equal(storvirt__disk_spec_set_json(s, "iface", "null"), 0);
        assert_int_equal(s->bus, STORVIRT__DISK_BUS_UNSET);
        assert_int_equal(storvirt__disk_spec_set_json(s, "index", "null"), 0);
        assert_int_equal(s->index, -1);
        assert_int_equal(storvirt__disk_spec_set_json(s, "address", "null"), 0);
        assert_int_equal(s->address.type, STORVIRT__DISK_ADDRESS_NONE);

        /* a source replaces another */
        assert_int_equal(storvirt__disk_spec_set_json(s, "path", "\"/dev/sdc\""), 0);
        assert_int_equal(s->source, STORVIRT__DISK_SOURCE_PATH);
        assert_null(s->guid);
        assert_int_equal(storvirt__disk_spec_set_json(s, "spUUID", "\"" UUID_A "\""), 0);
        assert_int_equal(storvirt__disk_spec_set_json(s, "sdUUID", "\"" UUID_B "\""), 0);
        assert_int_equal(storvirt__disk_spec_set_json(s, "imageID", "\"" UUID_C "\""), 0);
        assert_int_equal(storvirt__disk_spec_set_json(s, "volUUID", "\"" UUID_D "\""), 0);
        assert_int_equal(s->source, STORVIRT__DISK_SOURCE_PDIV);
        assert_null(s->path);
        no_problems(s);
        assert_int_equal(storvirt__disk_spec_set_json(s, "iscsi",
                                                      "{\"portal\": \"h:1\", \"target\": "
                                                      "\"iqn.x\"}"),
                         0);
        assert_int_equal(s->source, STORVIRT__DISK_SOURCE_ISCSI);
        assert_null(s->pool_id);
        assert_int_equal(s->iscsi.port, 1);
        assert_int_equal(storvirt__disk_spec_set_json(s, "path", "\"\""), 0);
        assert_int_equal(s->source, STORVIRT__DISK_SOURCE_NONE);
        assert_int_equal(storvirt__disk_spec_set_json(s, "pool", "\"p\""), 0);
        assert_int_equal(storvirt__disk_spec_set_json(s, "volume", "\"v\""), 0);
        assert_int_equal(storvirt__disk_spec_set_json(s, "volume", "null"), 0);
        assert_int_equal(s->source, STORVIRT__DISK_SOURCE_VOLUME);
        assert_int_equal(storvirt__disk_spec_set_json(s, "pool", "null"), 0);
        assert_int_equal(s->source, STORVIRT__DISK_SOURCE_NONE);
        assert_int_equal(storvirt__disk_spec_set_json(s, "vdisk", "\"" UUID_A "\""), 0);
        assert_int_equal(storvirt__disk_spec_set_json(s, "vdisk", "null"), 0);
        assert_int_equal(s->source, STORVIRT__DISK_SOURCE_NONE);
        assert_int_equal(storvirt__disk_spec_set_json(s, "UUID", "\"ab-cd\""), 0);
        assert_int_equal(s->source, STORVIRT__DISK_SOURCE_FS_UUID);

        /* the same through JSON: equal specs */
        assert_int_equal(storvirt__disk_spec_set_json(s, "specParams",
                                                      "{\"ioTune\": {\"read_iops_sec\": 5}}"),
                         0);
        assert_int_equal(storvirt__disk_spec_set_json(s, "serial", "\"SN1\""), 0);
        c = parse_ok("{\"UUID\": \"ab-cd\", \"iotune\": {\"read_iops_sec\": \"5\"}, \"serial\": "
                     "\"SN1\"}");
        assert_true(spec_equal(s, c));
        storvirt__disk_spec_free(c);

        assert_int_equal(storvirt__disk_spec_set_json(NULL, "iface", "1"), -EINVAL);
        assert_int_equal(storvirt__disk_spec_set_json(s, NULL, "1"), -EINVAL);
        assert_int_equal(storvirt__disk_spec_set_json(s, "iface", NULL), -EINVAL);
        storvirt__disk_spec_free(s);
}

static void test_dup(void **state) {
        storvirt__disk_spec *s, *c = NULL;

        s = parse_ok(
                "{\"iscsi\": {\"portal\": \"[fd00::1]:3261\", \"target\": \"iqn.x\", \"lun\": 4, "
                "\"initiator\": \"iqn.y\", \"auth\": {\"username\": \"u\", \"secret_usage\": "
                "\"s\"}}, \"alias\": \"a\", \"serial\": \"x\", \"bootOrder\": 2, \"iotune\": "
                "{\"total_bytes_sec\": 9}, \"address\": {\"type\": \"pci\", \"slot\": 3}}");
        assert_int_equal(storvirt__disk_spec_dup(s, &c), 0);
        assert_true(spec_equal(s, c));
        assert_string_equal(c->name, s->name);
        assert_ptr_not_equal(c->iscsi.host, s->iscsi.host);
        assert_ptr_not_equal(c->alias, s->alias);
        storvirt__disk_spec_free(s);
        assert_string_equal(c->iscsi.secret_usage, "s");
        storvirt__disk_spec_free(c);
        assert_int_equal(storvirt__disk_spec_dup(NULL, &c), -EINVAL);
}

/* ---- the device dict ---------------------------------------------------------------------- */

static char *to_dict(const storvirt__disk_resolved *d) {
        storvirt__json_gen *g = NULL;
        char *out = NULL;

        assert_int_equal(storvirt__json_gen_new(false, &g), 0);
        if (storvirt__disk_resolved_to_dict(d, g) < 0) {
                print_error("to_dict: %s\n", storvirt__error_msg());
                fail();
        }
        assert_int_equal(storvirt__json_gen_finish(g, &out, NULL), 0);
        storvirt__json_gen_free(g);
        return out;
}

/* The spec completed, resolved as type, written and read back: the same spec. */
static char *round_trip(const char *json, storvirt__disk_type type, const char *path,
                        uint64_t capacity) {
        storvirt__disk_resolved *d = calloc(1, sizeof(*d));
        storvirt__disk_spec *back = NULL;
        char **p = NULL;
        char *out;

        assert_non_null(d);
        d->spec = parse_ok(json);
        assert_int_equal(storvirt__disk_specs_complete(&d->spec, 1, &p), 0);
        d->type = type;
        d->capacity = capacity;
        if (path)
                d->source_path = strdup(path);
        out = to_dict(d);
        if (storvirt__disk_spec_parse(out, strlen(out), &back) < 0) {
                print_error("%s does not parse: %s\n", out, storvirt__error_msg());
                fail();
        }
        if (!spec_equal(d->spec, back)) {
                print_error("%s\n  reads back as another spec\n", out);
                fail();
        }
        storvirt__disk_spec_free(back);
        storvirt__disk_resolved_free(d);
        return out;
}

static void test_dict(void **state) {
        char *out;

        out = round_trip("{\"GUID\": \"" GUID_NAA "\", \"bootOrder\": 1, \"alias\": \"boot\", "
                         "\"address\": {\"type\": \"pci\", \"slot\": 5}, \"io\": \"native\", "
                         "\"iotune\": {\"read_bytes_sec\": 1048576}, \"discard\": true}",
                           STORVIRT__DISK_TYPE_BLOCK, "/dev/mapper/" GUID_NAA, 10737418240);
        assert_string_equal(
                out,
                "{\"type\":\"disk\",\"device\":\"disk\",\"iface\":\"virtio\",\"index\":0,"
                "\"name\":\"vda\",\"diskType\":\"block\",\"GUID\":\"" GUID_NAA "\","
                "\"path\":\"/dev/mapper/" GUID_NAA
                "\",\"format\":\"raw\",\"propagateErrors\":\"off\","
                "\"shared\":\"none\",\"readonly\":false,\"bootOrder\":1,\"address\":{\"type\":"
                "\"pci\","
                "\"domain\":\"0x0000\",\"bus\":\"0x00\",\"slot\":\"0x05\",\"function\":\"0x0\"},"
                "\"specParams\":{\"ioTune\":{\"read_bytes_sec\":1048576}},\"cache\":\"none\","
                "\"io\":\"native\",\"discard\":true,\"alias\":\"ua-boot\",\"capacity\":"
                "\"10737418240\"}");
        free(out);

        out = round_trip("{\"device\": \"lun\", \"UUID\": \"1234-ABCD\", \"sgio\": \"filtered\", "
                         "\"reservations\": true, \"shared\": \"shared\", \"readonly\": true, "
                         "\"address\": {\"type\": \"drive\", \"unit\": 3}, \"index\": 4, "
                         "\"propagateErrors\": \"report\"}",
                           STORVIRT__DISK_TYPE_BLOCK, "/dev/sdc", 0);
        contains(out, "\"iface\":\"scsi\",\"index\":4,\"name\":\"sde\"");
        contains(out, "\"UUID\":\"1234-ABCD\",\"path\":\"/dev/sdc\"");
        contains(out, "\"address\":{\"type\":\"drive\",\"controller\":\"0\",\"bus\":\"0\","
                      "\"target\":\"0\",\"unit\":\"3\"}");
        contains(out, "\"sgio\":\"filtered\",\"reservations\":{\"managed\":true}");
        contains(out, "\"shared\":\"shared\",\"readonly\":true");
        free(out);

        out = round_trip(
                "{\"spUUID\": \"" UUID_A "\", \"sdUUID\": \"" UUID_B "\", \"imgUUID\": \"" UUID_C
                "\", \"volUUID\": \"" UUID_D "\", \"format\": \"cow\", \"if\": \"ide\", "
                "\"serial\": \"7c2f4f1b3e90\", \"cache\": \"writeback\", \"io\": \"threads\"}",
                STORVIRT__DISK_TYPE_FILE, "/rhev/data-center/" UUID_A "/x", 0);
        contains(out, "\"poolID\":\"" UUID_A "\",\"domainID\":\"" UUID_B "\",\"imageID\":\"" UUID_C
                 "\",\"volumeID\":\"" UUID_D "\"");
        contains(out, "\"format\":\"cow\"");
        contains(out, "\"name\":\"hda\"");
        free(out);

        out = round_trip("{\"pool\": \"images\", \"volume\": \"web\", \"diskType\": \"volume\"}",
                           STORVIRT__DISK_TYPE_VOLUME, NULL, 1);
        contains(out, "\"diskType\":\"volume\",\"pool\":\"images\",\"volume\":\"web\"");
        free(out);

        out = round_trip(
                "{\"path\": \"/var/lib/a.img\", \"device\": \"floppy\", \"optional\": true}",
                STORVIRT__DISK_TYPE_FILE, "/var/lib/a.img", 0);
        contains(out, "\"iface\":\"fdc\",\"index\":0,\"name\":\"fda\",\"diskType\":\"file\","
                      "\"path\":\"/var/lib/a.img\"");
        contains(out, "\"optional\":true");
        free(out);

        out = round_trip(
                "{\"iscsi\": {\"portal\": \"[fd00::10]\", \"target\": \"iqn.x\", \"lun\": 2, "
                "\"initiator\": \"iqn.y\", \"auth\": {\"username\": \"u\", \"secret_uuid\": "
                "\"" UUID_B "\"}}, \"device\": \"lun\"}",
                STORVIRT__DISK_TYPE_NETWORK, NULL, 0);
        contains(out,
                 "\"iscsi\":{\"portal\":\"[fd00::10]:3260\",\"target\":\"iqn.x\",\"lun\":2,"
                 "\"initiator\":\"iqn.y\",\"auth\":{\"username\":\"u\",\"secret_uuid\":\"" UUID_B
                 "\"}}");
        assert_null(strstr(out, "\"path\""));
        free(out);

        out = round_trip("{\"vdisk\": \"" UUID_C "\", \"iface\": \"sata\", \"index\": 30}",
                           STORVIRT__DISK_TYPE_BLOCK, "/dev/vg/lv", 0);
        contains(out, "\"name\":\"sdae\"");
        free(out);

        out = round_trip("{\"device\": \"cdrom\", \"iface\": \"usb\"}", STORVIRT__DISK_TYPE_FILE,
                         NULL, 0);
        assert_null(strstr(out, "\"path\""));
        free(out);

        /* bad arguments */
        {
                storvirt__disk_resolved d = {};
                storvirt__json_gen *g = NULL;

                assert_int_equal(storvirt__json_gen_new(false, &g), 0);
                assert_int_equal(storvirt__disk_resolved_to_dict(&d, g), -EINVAL);
                assert_int_equal(storvirt__disk_resolved_to_dict(NULL, g), -EINVAL);
                storvirt__json_gen_free(g);
                storvirt__disk_resolved_free(NULL);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sources),
                cmocka_unit_test(test_source_errors),
                cmocka_unit_test(test_keys_good),
                cmocka_unit_test(test_keys_bad),
                cmocka_unit_test(test_wrong_types),
                cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_whole_drive),
                cmocka_unit_test(test_target_dev),
                cmocka_unit_test(test_vm_shapes),
                cmocka_unit_test(test_vm_auto_index),
                cmocka_unit_test(test_vm_problems),
                cmocka_unit_test(test_vm_too_many),
                cmocka_unit_test(test_set_json),
                cmocka_unit_test(test_dup),
                cmocka_unit_test(test_dict),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
