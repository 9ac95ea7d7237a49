/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-disk-rules.c - what libvirt's qemu driver and QEMU refuse, refused
 * first (a read-only IDE or SATA disk, an error policy on a floppy, a
 * writable shared qcow2 disk, device lun off the scsi bus), in the spec
 * and again in the resolved disk the XML writer gets; VDSM's literal
 * input (booleans as strings, vm_custom's viodiskcache,
 * managed_reservation, volumeChain and volumeInfo, a serial on a LUN);
 * and what the writer now adds or leaves out (startupPolicy where
 * libvirt takes it, no cache on removable media, no error policy on a
 * floppy, snapshot='no' on vDisks, the DAC seclabel on request).
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
#include "util/strv.h"

#define GUID_NAA "36001405d27e5d898829468b90ce4ef8f"
#define UUID_A "5c4d2f4a-8b6e-4e3a-9d7c-0f1e2d3c4b5a"
#define UUID_B "0e7a2e5f-1b8d-4a52-8c61-7c2f4f1b3e90"
#define UUID_C "a1b2c3d4-e5f6-4711-8899-aabbccddeeff"
#define UUID_D "11111111-2222-4333-8444-555555555555"
#define PDIV "\"poolID\": \"" UUID_A "\", \"domainID\": \"" UUID_B "\", \"imageID\": \"" \
             UUID_C "\", \"volumeID\": \"" UUID_D "\""

/* ---- helpers ------------------------------------------------------------------------------ */

static void contains(const char *text, const char *part) {
        if (!text || !strstr(text, part)) {
                print_error("'%s'\n  does not contain\n'%s'\n", text ? text : "(null)", part);
                fail();
        }
}

static storvirt__disk_spec *parse_ok(const char *json) {
        storvirt__disk_spec *s = NULL;

        if (storvirt__disk_spec_parse(json, strlen(json), &s) != 0) {
                print_error("parsing %s failed: %s\n", json, storvirt__error_msg());
                fail();
        }
        return s;
}

static void parse_fails(const char *json, const char *part) {
        storvirt__disk_spec *s = NULL;
        int r = storvirt__disk_spec_parse(json, strlen(json), &s);

        if (r != -EINVAL) {
                print_error("parsing %s gave %d, not -EINVAL\n", json, r);
                fail();
        }
        contains(storvirt__error_msg(), part);
}

/* The spec parses, is completed as in a VM of one drive, and has no problem. */
static storvirt__disk_spec *complete_ok(const char *json) {
        storvirt__disk_spec *s = parse_ok(json);
        char **p = NULL;

        assert_int_equal(storvirt__disk_spec_problems(s, &p), 0);
        if (p[0]) {
                print_error("%s: unexpected problem: %s\n", json, p[0]);
                fail();
        }
        storvirt__strv_free(p);
        p = NULL;
        if (storvirt__disk_specs_complete(&s, 1, &p) != 0)
                fail_msg("%s: %s", json, p && p[0] ? p[0] : storvirt__error_msg());
        return s;
}

static void drive_fine(const char *json) {
        storvirt__disk_spec_free(complete_ok(json));
}

/* The spec parses; its whole-drive check finds a problem holding each part given. */
static void drive_problem(const char *json, const char *part, const char *part2) {
        storvirt__disk_spec *s = parse_ok(json);
        char **p = NULL;

        assert_int_equal(storvirt__disk_spec_problems(s, &p), 0);
        for (char **q = p; *q; q++)
                if (strstr(*q, part) && (!part2 || strstr(*q, part2))) {
                        storvirt__strv_free(p);
                        storvirt__disk_spec_free(s);
                        return;
                }
        print_error("%s: no problem holds '%s'; problems:\n", json, part);
        for (char **q = p; *q; q++)
                print_error("  %s\n", *q);
        fail();
}

/* A resolved disk of the spec json: type, path, target dev, io as a resolution sets them. */
static storvirt__disk_resolved *resolved(const char *json, storvirt__disk_type type,
                                         const char *path) {
        storvirt__disk_resolved *d = calloc(1, sizeof(*d));
        char dev[16];

        assert_non_null(d);
        d->spec = parse_ok(json);
        storvirt__disk_spec_apply_defaults(d->spec);
        if (d->spec->index < 0)
                d->spec->index = 0;
        d->type = type;
        d->source_path = path ? strdup(path) : NULL;
        if (d->spec->format == STORVIRT__DISK_FORMAT_UNSET)
                d->spec->format = STORVIRT__DISK_FORMAT_RAW;
        if (d->spec->device != STORVIRT__DISK_DEVICE_CDROM &&
            d->spec->device != STORVIRT__DISK_DEVICE_FLOPPY && !d->spec->io)
                d->spec->io = STORVIRT__DISK_IO_THREADS;
        assert_int_equal(storvirt__disk_target_dev(d->spec->bus, (unsigned) d->spec->index, dev,
                                                   sizeof(dev)), 0);
        d->target_dev = strdup(dev);
        return d;
}

static char *xml_ok(storvirt__disk_resolved *d) {
        char *xml = NULL;

        if (storvirt__disk_to_xml(d, &xml) < 0)
                fail_msg("%s", storvirt__error_msg());
        return xml;
}

static void xml_refused(storvirt__disk_resolved *d, int err, const char *part) {
        char *xml = NULL;
        int r = storvirt__disk_to_xml(d, &xml);

        if (r != err)
                fail_msg("expected %d (%s), got %d: %s", err, part, r,
                         xml ? xml : storvirt__error_msg());
        contains(storvirt__error_msg(), part);
        storvirt__disk_resolved_free(d);
}

/* ---- what libvirt's qemu driver and QEMU refuse -------------------------------------------- */

static void test_readonly_ide_sata(void **state) {
        drive_problem("{\"path\": \"/a\", \"iface\": \"sata\", \"readonly\": true, "
                      "\"alias\": \"data\"}",
                      "disk (alias ua-data): key 'readonly': a read-only disk on bus sata",
                      "use bus virtio or scsi");
        drive_problem("{\"path\": \"/a\", \"iface\": \"ide\", \"readOnly\": \"true\"}",
                      "key 'readonly': a read-only disk on bus ide", NULL);
        /* a cdrom is read-only on any bus; other buses take read-only disks */
        drive_fine("{\"path\": \"/a.iso\", \"device\": \"cdrom\", \"iface\": \"sata\", "
                   "\"readonly\": true}");
        drive_fine("{\"path\": \"/a\", \"iface\": \"scsi\", \"readonly\": true}");
        drive_fine("{\"path\": \"/a\", \"readonly\": true}");
        /* the resolved disk (a vDisk may make it read-only) */
        xml_refused(resolved("{\"path\": \"/a\", \"iface\": \"sata\", \"readonly\": true}",
                             STORVIRT__DISK_TYPE_FILE, "/a"),
                    -EINVAL, "disk: a read-only disk on bus sata");
}

static void test_floppy_error_policy(void **state) {
        storvirt__disk_resolved *d;
        char *xml;

        drive_problem("{\"path\": \"/f.img\", \"device\": \"floppy\", \"propagateErrors\": "
                      "\"on\"}",
                      "key 'propagateErrors': device floppy has no error policy", NULL);
        drive_problem("{\"path\": \"/f.img\", \"device\": \"floppy\", \"propagateErrors\": "
                      "\"report\"}",
                      "key 'propagateErrors': device floppy has no error policy", NULL);
        /* "off", VDSM's default in every device dict, is taken */
        drive_fine("{\"path\": \"/f.img\", \"device\": \"floppy\", \"propagateErrors\": "
                   "\"off\"}");
        /* and never written */
        d = resolved("{\"path\": \"/f.img\", \"device\": \"floppy\", \"propagateErrors\": \"off\"}",
                     STORVIRT__DISK_TYPE_FILE, "/f.img");
        xml = xml_ok(d);
        if (strstr(xml, "error_policy"))
                fail_msg("a floppy with an error policy:\n%s", xml);
        free(xml);
        d->spec->error_policy = STORVIRT__DISK_ERROR_POLICY_REPORT;
        xml_refused(d, -EINVAL, "device floppy has no error policy");
}

static void test_shared_format(void **state) {
        drive_problem("{\"path\": \"/a.qcow2\", \"format\": \"cow\", \"shared\": true}",
                      "key 'shared': a writable shared disk must be raw, not qcow2", NULL);
        drive_fine("{\"path\": \"/a.qcow2\", \"format\": \"cow\", \"shared\": true, "
                   "\"readonly\": true}");
        drive_fine("{\"path\": \"/a.raw\", \"format\": \"raw\", \"shared\": \"shared\"}");
        /* the resolved disk: a shared vDisk whose top is an overlay */
        {
                storvirt__disk_resolved *d = resolved("{\"path\": \"/a\", \"shared\": true}",
                                                      STORVIRT__DISK_TYPE_FILE, "/a");

                d->spec->format = STORVIRT__DISK_FORMAT_QCOW2;
                xml_refused(d, -EINVAL, "a writable shared disk must be raw, not qcow2");
        }
}

static void test_lun_bus(void **state) {
        drive_problem("{\"device\": \"lun\", \"GUID\": \"" GUID_NAA "\", \"iface\": \"virtio\"}",
                      "key 'iface': device lun needs bus scsi (a virtio-scsi controller), not "
                      "virtio", "virtio-blk");
        drive_problem("{\"device\": \"lun\", \"iscsi\": {\"portal\": \"h\", \"target\": "
                      "\"iqn.x\"}, \"iface\": \"virtio\"}",
                      "device lun needs bus scsi", NULL);
        drive_fine("{\"device\": \"lun\", \"GUID\": \"" GUID_NAA "\"}");
        {
                storvirt__disk_resolved *d = resolved("{\"device\": \"lun\", \"path\": \"/dev/sdb\"}",
                                                      STORVIRT__DISK_TYPE_BLOCK, "/dev/sdb");

                d->spec->bus = STORVIRT__DISK_BUS_VIRTIO;
                free(d->target_dev);
                d->target_dev = strdup("vda");
                xml_refused(d, -EINVAL, "device lun needs bus scsi, not virtio");
        }
}

/* ---- optional ----------------------------------------------------------------------------- */

static void test_optional(void **state) {
        storvirt__disk_resolved *d;
        char *xml;

        /* any device and source: libvirt keeps startupPolicy for file, block and volume
           disks; for the others resolve --vm leaves out what it cannot reach */
        drive_fine("{\"path\": \"/a\", \"optional\": true}");
        drive_fine("{\"GUID\": \"" GUID_NAA "\", \"optional\": \"True\"}");
        drive_fine("{\"device\": \"lun\", \"GUID\": \"" GUID_NAA "\", \"optional\": true}");
        drive_fine("{\"iscsi\": {\"portal\": \"h\", \"target\": \"iqn.x\"}, \"optional\": true}");

        d = resolved("{\"path\": \"/a\", \"optional\": true}", STORVIRT__DISK_TYPE_FILE, "/a");
        xml = xml_ok(d);
        contains(xml, "<source file=\"/a\" startupPolicy=\"optional\"/>");
        free(xml);
        storvirt__disk_resolved_free(d);

        d = resolved("{\"GUID\": \"" GUID_NAA "\", \"optional\": true}", STORVIRT__DISK_TYPE_BLOCK,
                     "/dev/sdb");
        xml = xml_ok(d);
        contains(xml, "<source dev=\"/dev/sdb\" startupPolicy=\"optional\"/>");
        free(xml);
        storvirt__disk_resolved_free(d);

        /* libvirt refuses startupPolicy on a network disk: not written */
        d = resolved("{\"iscsi\": {\"portal\": \"h\", \"target\": \"iqn.x\"}, \"optional\": true}",
                     STORVIRT__DISK_TYPE_NETWORK, NULL);
        xml = xml_ok(d);
        if (strstr(xml, "startupPolicy"))
                fail_msg("startupPolicy on a network disk:\n%s", xml);
        free(xml);
        storvirt__disk_resolved_free(d);
}

/* ---- VDSM's literal input ----------------------------------------------------------------- */

static void test_vdsm_strings(void **state) {
        static const struct {
                const char *json;
                bool shared, readonly, optional;
                storvirt__disk_discard discard;
                storvirt__disk_error_policy policy;
        } cases[] = {
                { "{\"path\": \"/a\", \"shared\": \"True\", \"readonly\": \"True\", "
                  "\"optional\": \"False\"}", true, true, false, 0, 0 },
                { "{\"path\": \"/a\", \"shared\": \"False\", \"readonly\": \"false\", "
                  "\"optional\": \"TRUE\"}", false, false, true, 0, 0 },
                { "{\"path\": \"/a\", \"shared\": \"true\", \"discard\": \"False\"}",
                  true, false, false, STORVIRT__DISK_DISCARD_IGNORE, 0 },
                { "{\"path\": \"/a\", \"discard\": \"false\"}", false, false, false,
                  STORVIRT__DISK_DISCARD_IGNORE, 0 },
                { "{\"path\": \"/a\", \"discard\": \"true\"}", false, false, false,
                  STORVIRT__DISK_DISCARD_UNMAP, 0 },
                { "{\"path\": \"/a\", \"propagateErrors\": \"True\"}", false, false, false, 0,
                  STORVIRT__DISK_ERROR_POLICY_ENOSPACE },
                { "{\"path\": \"/a\", \"propagateErrors\": \"false\"}", false, false, false, 0,
                  STORVIRT__DISK_ERROR_POLICY_STOP },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                storvirt__disk_spec *s = parse_ok(cases[i].json);

                assert_int_equal(s->shared, cases[i].shared);
                assert_int_equal(s->readonly, cases[i].readonly);
                assert_int_equal(s->optional, cases[i].optional);
                assert_int_equal(s->discard, cases[i].discard);
                assert_int_equal(s->error_policy, cases[i].policy);
                storvirt__disk_spec_free(s);
        }
        /* still refused: what is neither a value nor a boolean */
        parse_fails("{\"path\": \"/a\", \"shared\": \"yes\"}",
                    "key 'shared': 'yes' is not one of shared, exclusive, none, transient or a "
                    "boolean");
        parse_fails("{\"path\": \"/a\", \"discard\": \"on\"}",
                    "key 'discard': 'on' is not one of unmap, ignore or a boolean");
        /* reservations as VDSM's strings, and VDSM's spelling managed_reservation */
        {
                storvirt__disk_spec *s;

                s = parse_ok("{\"device\": \"lun\", \"GUID\": \"" GUID_NAA "\", "
                             "\"reservations\": \"True\"}");
                assert_true(s->reservations);
                storvirt__disk_spec_free(s);
                s = parse_ok("{\"device\": \"lun\", \"GUID\": \"" GUID_NAA "\", "
                             "\"managed_reservation\": true}");
                assert_true(s->reservations);
                storvirt__disk_spec_free(s);
                s = parse_ok("{\"path\": \"/a\", \"managed_reservation\": \"false\"}");
                assert_false(s->reservations);
                storvirt__disk_spec_free(s);
        }
        parse_fails("{\"device\": \"lun\", \"GUID\": \"" GUID_NAA "\", \"reservations\": true, "
                    "\"managed_reservation\": true}",
                    "keys 'reservations' and 'managed_reservation' both given");
}

static void test_vm_custom(void **state) {
        storvirt__disk_spec *s;

        /* VDSM's cache for virtio drives that give none */
        s = complete_ok("{\"path\": \"/a\", \"vm_custom\": {\"viodiskcache\": \"writethrough\", "
                        "\"sap_agent\": \"true\"}}");
        assert_int_equal(s->cache, STORVIRT__DISK_CACHE_WRITETHROUGH);
        storvirt__disk_spec_free(s);
        s = complete_ok("{\"path\": \"/a\", \"cache\": \"writeback\", \"vm_custom\": "
                        "{\"viodiskcache\": \"writethrough\"}}");
        assert_int_equal(s->cache, STORVIRT__DISK_CACHE_WRITEBACK);
        storvirt__disk_spec_free(s);
        s = complete_ok("{\"path\": \"/a\", \"iface\": \"scsi\", \"vm_custom\": "
                        "{\"viodiskcache\": \"writethrough\"}}");
        assert_int_equal(s->cache, STORVIRT__DISK_CACHE_NONE);
        storvirt__disk_spec_free(s);
        s = complete_ok("{\"path\": \"/a\", \"vm_custom\": {}}");
        assert_int_equal(s->cache, STORVIRT__DISK_CACHE_NONE);
        storvirt__disk_spec_free(s);
        parse_fails("{\"path\": \"/a\", \"vm_custom\": {\"viodiskcache\": \"fast\"}}",
                    "disk: key 'vm_custom.viodiskcache': 'fast' is not one of none, "
                    "writethrough");
        parse_fails("{\"path\": \"/a\", \"vm_custom\": [1]}",
                    "key 'vm_custom': expected an object, got an array");
        /* native I/O needs O_DIRECT: checked with the cache VDSM's key gives */
        drive_problem("{\"path\": \"/a\", \"io\": \"native\", \"vm_custom\": "
                      "{\"viodiskcache\": \"writeback\"}}",
                      "key 'io': native needs cache none or directsync", NULL);
}

static void test_volume_chain(void **state) {
        storvirt__disk_spec *s;

        s = parse_ok("{" PDIV ", \"volumeChain\": [{\"domainID\": \"" UUID_B "\", \"imageID\": \""
                     UUID_C "\", \"volumeID\": \"" UUID_D "\", \"path\": \"/rhev/x\", "
                     "\"leasePath\": \"/rhev/x.lease\", \"leaseOffset\": 0}, {\"volumeID\": \""
                     UUID_A "\"}], \"volumeInfo\": {\"type\": \"file\", \"path\": \"/rhev/x\", "
                     "\"volumeID\": \"" UUID_D "\"}}");
        assert_int_equal(s->n_volume_chain, 2);
        assert_string_equal(s->volume_chain[0].volume_id, UUID_D);
        assert_string_equal(s->volume_chain[0].domain_id, UUID_B);
        assert_string_equal(s->volume_chain[0].image_id, UUID_C);
        assert_string_equal(s->volume_chain[1].volume_id, UUID_A);
        assert_null(s->volume_chain[1].domain_id);
        assert_string_equal(s->volume_info.volume_id, UUID_D);
        assert_int_equal(s->volume_info_type, STORVIRT__DISK_TYPE_FILE);
        /* a copy holds its own chain */
        {
                storvirt__disk_spec *c = NULL;

                assert_int_equal(storvirt__disk_spec_dup(s, &c), 0);
                storvirt__disk_spec_free(s);
                assert_int_equal(c->n_volume_chain, 2);
                assert_string_equal(c->volume_chain[1].volume_id, UUID_A);
                storvirt__disk_spec_free(c);
        }
        parse_fails("{" PDIV ", \"volumeChain\": [{\"path\": \"/x\"}]}",
                    "key 'volumeChain[0]': no volumeID");
        parse_fails("{" PDIV ", \"volumeChain\": [{\"volumeID\": \"x\"}]}",
                    "key 'volumeChain[0].volumeID': 'x' is not a UUID");
        parse_fails("{" PDIV ", \"volumeChain\": {}}",
                    "key 'volumeChain': expected an array of objects");
        parse_fails("{" PDIV ", \"volumeChain\": [{\"volumeID\": \"" UUID_A "\"}]}",
                    "key 'volumeChain': volumeID " UUID_D " is not in the chain");
        parse_fails("{" PDIV ", \"volumeInfo\": {\"volumeID\": \"" UUID_A "\"}}",
                    "key 'volumeInfo': volumeID " UUID_A " is not the drive's volumeID "
                    UUID_D);
        parse_fails("{" PDIV ", \"volumeInfo\": {\"type\": \"tape\"}}",
                    "key 'volumeInfo.type': 'tape' is not one of file, block, network");
        /* taken with every other source, where there is no image stack to check */
        drive_fine("{\"GUID\": \"" GUID_NAA "\", \"volumeInfo\": {\"type\": \"block\"}}");
}

static void test_lun_serial(void **state) {
        storvirt__disk_resolved *d;

        /* VDSM takes it and leaves it out of the XML: the resolution drops it with a warning */
        drive_fine("{\"device\": \"lun\", \"GUID\": \"" GUID_NAA "\", \"serial\": \"abc\"}");
        d = resolved("{\"device\": \"lun\", \"GUID\": \"" GUID_NAA "\", \"serial\": \"abc\"}",
                     STORVIRT__DISK_TYPE_BLOCK, "/dev/sdb");
        xml_refused(d, -EINVAL, "no serial for device lun");
}

/* ---- what the writer adds and leaves out -------------------------------------------------- */

static void test_removable_cache(void **state) {
        storvirt__disk_resolved *d;
        char *xml;

        /* VDSM leaves the cache of a cdrom unset (O_DIRECT on a payload ISO on tmpfs fails) */
        d = resolved("{\"device\": \"cdrom\", \"path\": \"/iso/a.iso\"}", STORVIRT__DISK_TYPE_FILE,
                     "/iso/a.iso");
        assert_int_equal(d->spec->cache, STORVIRT__DISK_CACHE_UNSET);
        xml = xml_ok(d);
        if (strstr(xml, "cache="))
                fail_msg("a cdrom with a cache mode it was not given:\n%s", xml);
        free(xml);
        storvirt__disk_resolved_free(d);
        d = resolved("{\"device\": \"floppy\", \"path\": \"/f.img\"}", STORVIRT__DISK_TYPE_FILE,
                     "/f.img");
        assert_int_equal(d->spec->cache, STORVIRT__DISK_CACHE_UNSET);
        assert_int_equal(d->spec->error_policy, STORVIRT__DISK_ERROR_POLICY_UNSET);
        storvirt__disk_resolved_free(d);
        /* given: written */
        d = resolved("{\"device\": \"cdrom\", \"path\": \"/iso/a.iso\", \"cache\": \"writeback\"}",
                     STORVIRT__DISK_TYPE_FILE, "/iso/a.iso");
        xml = xml_ok(d);
        contains(xml, "cache=\"writeback\"");
        free(xml);
        storvirt__disk_resolved_free(d);
}

static void test_snapshot_no(void **state) {
        storvirt__disk_resolved *d;
        char *xml;

        /* a disk whose image stack the library keeps: libvirt's snapshots must not touch it */
        d = resolved("{\"vdisk\": \"" UUID_A "\"}", STORVIRT__DISK_TYPE_FILE, "/img/top.qcow2");
        xml = xml_ok(d);
        contains(xml, "<disk type=\"file\" device=\"disk\" snapshot=\"no\">");
        free(xml);
        storvirt__disk_resolved_free(d);
        d = resolved("{" PDIV "}", STORVIRT__DISK_TYPE_BLOCK, "/dev/vg/lv");
        xml = xml_ok(d);
        contains(xml, "<disk type=\"block\" device=\"disk\" snapshot=\"no\">");
        free(xml);
        storvirt__disk_resolved_free(d);
        /* a plain file keeps libvirt's default */
        d = resolved("{\"path\": \"/img/a.raw\"}", STORVIRT__DISK_TYPE_FILE, "/img/a.raw");
        xml = xml_ok(d);
        contains(xml, "<disk type=\"file\" device=\"disk\">");
        free(xml);
        storvirt__disk_resolved_free(d);
}

static void test_seclabel(void **state) {
        storvirt__disk_resolved *d;
        char *xml;

        d = resolved("{\"vdisk\": \"" UUID_A "\"}", STORVIRT__DISK_TYPE_FILE, "/img/top.qcow2");
        d->spec->format = STORVIRT__DISK_FORMAT_QCOW2;
        d->backing = calloc(1, sizeof(*d->backing));
        assert_non_null(d->backing);
        d->n_backing = 1;
        d->backing[0].type = STORVIRT__DISK_TYPE_BLOCK;
        d->backing[0].format = STORVIRT__DISK_FORMAT_RAW;
        d->backing[0].path = strdup("/dev/sdc");
        xml = xml_ok(d);
        if (strstr(xml, "seclabel"))
                fail_msg("a seclabel not asked for:\n%s", xml);
        free(xml);
        d->no_relabel = true;
        xml = xml_ok(d);
        contains(xml, "  <source file=\"/img/top.qcow2\">\n"
                      "    <seclabel model=\"dac\" relabel=\"no\"/>\n"
                      "  </source>\n");
        contains(xml, "    <source dev=\"/dev/sdc\">\n"
                      "      <seclabel model=\"dac\" relabel=\"no\"/>\n"
                      "    </source>\n");
        free(xml);
        storvirt__disk_resolved_free(d);
        /* nothing on the host to relabel for a network disk */
        d = resolved("{\"iscsi\": {\"portal\": \"h\", \"target\": \"iqn.x\"}}",
                     STORVIRT__DISK_TYPE_NETWORK, NULL);
        d->no_relabel = true;
        xml = xml_ok(d);
        if (strstr(xml, "seclabel"))
                fail_msg("a seclabel on a network disk:\n%s", xml);
        free(xml);
        storvirt__disk_resolved_free(d);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_readonly_ide_sata),
                cmocka_unit_test(test_floppy_error_policy),
                cmocka_unit_test(test_shared_format),
                cmocka_unit_test(test_lun_bus),
                cmocka_unit_test(test_optional),
                cmocka_unit_test(test_vdsm_strings),
                cmocka_unit_test(test_vm_custom),
                cmocka_unit_test(test_volume_chain),
                cmocka_unit_test(test_lun_serial),
                cmocka_unit_test(test_removable_cache),
                cmocka_unit_test(test_snapshot_no),
                cmocka_unit_test(test_seclabel),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
