/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-hcl-xml.c - OpenHCL storage settings compiled to libvirt
 * <devices>: controllers, drive addresses, DVDs, identity strings,
 * physical devices found through the map (files here) or as vDisks, the
 * refusals (NVMe, unmapped devices, documents with problems, striped LUNs
 * without the flag or over files).  Every <devices> made is also saved in
 * a domain for libvirt to judge when $STORVIRT_TEST_DOMAINS_DIR is set
 * (tests/scripts/judge-resolved.sh).  A striped LUN over two loop devices
 * (root) reaches device-mapper, which this machine's kernel lacks: the
 * call is then -EOPNOTSUPP; the libdevmapper calls themselves are checked
 * in test-dmstripe.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <storvirt.h>

#define G_IDE "ca56751f-e643-4bef-bf54-f73678e8b7b5"
#define G_S0 "6c474f47-ed39-49e6-bbb9-142177a1da6e"
#define G_S1 "27b553e8-8b39-411b-a55f-839971a7884f"
#define G_NV "92bc8346-718b-449a-8751-edbf3dcd27e4"
#define G_BACK "766e96f8-2ceb-437e-afe3-a93169e48a7c"
#define DEV(sub) "{\"device_type\": \"VSCSI\", \"device_path\": \"" G_BACK "\", \"sub_device_path\": " #sub "}"
#define SINGLE(sub) "\"physical_devices\": {\"type\": \"SINGLE\", \"device\": " DEV(sub) "}"
#define DOC(ctrls) "{\"version\": \"V1\", \"dynamic\": {\"storage_controllers\": [" ctrls "]}}"

static char base[64], state[128], map[1024];
static storvirt_ctx *ctx;

static void save_domain(const char *devices) {
        static unsigned saved;
        const char *dir = getenv("STORVIRT_TEST_DOMAINS_DIR");
        const char *inner = strstr(devices, "<devices>"), *end = strstr(devices, "</devices>");
        char path[512];
        FILE *f;

        if (!dir || !*dir)
                return;
        assert_non_null(inner);
        assert_non_null(end);
        inner += strlen("<devices>");
        snprintf(path, sizeof(path), "%s/hcl-%02u.xml", dir, saved);
        f = fopen(path, "w");
        assert_non_null(f);
        fprintf(f, "<domain type='test'>\n  <name>hcl-%02u</name>\n  <memory unit='MiB'>64</memory>\n"
                   "  <os><type>hvm</type></os>\n  <devices>%.*s  </devices>\n</domain>\n",
                saved, (int)(end - inner), inner);
        fclose(f);
        saved++;
}

static int setup(void **st) {
        char p[160];

        (void)st;
        snprintf(base, sizeof(base), "/tmp/storvirt-hcl-xml.XXXXXX");
        if (!mkdtemp(base))
                return -1;
        snprintf(state, sizeof(state), "%s/state", base);
        for (int i = 0; i < 3; i++) {
                int fd;

                snprintf(p, sizeof(p), "%s/d%d.raw", base, i);
                fd = open(p, O_CREAT | O_WRONLY, 0600);
                if (fd < 0 || ftruncate(fd, 16 << 20) < 0)
                        return -1;
                close(fd);
        }
        snprintf(map, sizeof(map), "{\"" G_BACK "/0\": {\"path\": \"%s/d0.raw\"}, "
                                   "\"766E96F8-2CEB-437E-AFE3-A93169E48A7C/1\": {\"path\": \"%s/d1.raw\"}, "
                                   "\"" G_BACK "/2\": {\"path\": \"%s/d2.raw\", \"readonly\": true}}",
                 base, base, base);
        if (storvirt_ctx_new(&ctx, STORVIRT_CTX_NEW_IGNORE_ENV) < 0)
                return -1;
        return storvirt_ctx_set_state_dir(ctx, state, 0);
}

static int teardown(void **st) {
        char cmd[128];

        (void)st;
        storvirt_ctx_unref(ctx);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
        return system(cmd) == 0 ? 0 : -1;
}

static char *compile(const char *json, const char *m, uint32_t flags, int *ret) {
        storvirt_hcl *doc = NULL;
        char *xml = NULL;

        if (storvirt_hcl_parse(json, &doc, 0) < 0)
                fail_msg("parse: %s", storvirt_error_message());
        *ret = storvirt_hcl_to_xml(ctx, doc, m, &xml, flags);
        storvirt_hcl_free(doc);
        return xml;
}

static char *compile_ok(const char *json, const char *m) {
        int r;
        char *xml = compile(json, m, 0, &r);

        if (r < 0)
                fail_msg("to_xml: %s\n%s", storvirt_error_message(), json);
        save_domain(xml);
        return xml;
}

static void has(const char *xml, const char *what) {
        const char *shown = xml ? xml : "(null)";

        if (!xml || !strstr(xml, what))
                fail_msg("'%s' not in\n%s", what ? what : "(null)", shown);
}

static void test_ide_and_scsi(void **st) {
        char *xml, want[256];

        (void)st;
        xml = compile_ok(DOC("{\"instance_id\": \"" G_IDE "\", \"protocol\": \"IDE\", \"luns\": ["
                             "{\"channel\": 0, \"location\": 0, " SINGLE(0) "}, "
                             "{\"channel\": 1, \"location\": 0, \"is_dvd\": true}]}, "
                             "{\"instance_id\": \"" G_S0 "\", \"protocol\": \"SCSI\", \"luns\": ["
                             "{\"location\": 3, \"vendor_id\": \"MSFT\", \"product_id\": \"Virtual Disk\", "
                             "\"serial_number\": \"SN-7\", " SINGLE(1) "}, "
                             "{\"location\": 4, \"is_dvd\": true}]}, "
                             "{\"instance_id\": \"" G_S1 "\", \"protocol\": \"SCSI\", \"luns\": ["
                             "{\"location\": 0, \"device_type\": \"VSCSI\", \"device_path\": \"" G_BACK "\", "
                             "\"sub_device_path\": 2}]}"), map);
        has(xml, "<controller type=\"ide\" index=\"0\"/>");
        has(xml, "<controller type=\"scsi\" index=\"0\" model=\"virtio-scsi\"/>");
        has(xml, "<controller type=\"scsi\" index=\"1\" model=\"virtio-scsi\"/>");
        snprintf(want, sizeof(want), "<source file=\"%s/d0.raw\"/>\n    <target dev=\"hda\" bus=\"ide\"/>", base);
        has(xml, want);
        has(xml, "<target dev=\"hdc\" bus=\"ide\"/>\n    <readonly/>\n    "
                 "<address type=\"drive\" controller=\"0\" bus=\"1\" target=\"0\" unit=\"0\"/>");
        has(xml, "<serial>SN-7</serial>\n    <vendor>MSFT</vendor>\n    <product>Virtual Disk</product>\n"
                 "    <address type=\"drive\" controller=\"0\" bus=\"0\" target=\"0\" unit=\"3\"/>");
        has(xml, "<disk type=\"file\" device=\"cdrom\">");
        /* the legacy backing fields, on the second SCSI controller, read-only from its map entry */
        snprintf(want, sizeof(want), "<source file=\"%s/d2.raw\"/>", base);
        has(xml, want);
        has(xml, "<address type=\"drive\" controller=\"1\" bus=\"0\" target=\"0\" unit=\"0\"/>");
        storvirt_free(xml);
}

static void test_vdisk_device(void **st) {
        storvirt_disk_spec *spec = NULL;
        storvirt_vdisk *vd = NULL;
        char json[512], p[160], *xml;

        (void)st;
        snprintf(p, sizeof(p), "{\"path\": \"%s/d1.raw\"}", base);
        assert_int_equal(storvirt_disk_spec_from_json(p, &spec, 0), 0);
        assert_true(storvirt_vdisk_import(ctx, spec, NULL, 0, &vd) >= 0);
        storvirt_disk_spec_free(spec);
        /* a device path that is a vDisk id needs no map entry */
        snprintf(json, sizeof(json), DOC("{\"instance_id\": \"" G_S0 "\", \"protocol\": \"SCSI\", "
                                         "\"luns\": [{\"location\": 0, \"physical_devices\": {\"type\": "
                                         "\"SINGLE\", \"device\": {\"device_type\": \"VSCSI\", "
                                         "\"device_path\": \"%s\"}}}]}"),
                 storvirt_vdisk_get_id(vd));
        xml = compile_ok(json, NULL);
        snprintf(p, sizeof(p), "<source file=\"%s/d1.raw\"/>", base);
        has(xml, p);
        storvirt_free(xml);
        storvirt_vdisk_unref(vd);
}

static void test_refusals(void **st) {
        char *xml;
        int r;

        (void)st;
        xml = compile(DOC("{\"instance_id\": \"" G_NV "\", \"protocol\": \"NVME\", \"luns\": ["
                          "{\"location\": 1, " SINGLE(0) "}]}"), map, 0, &r);
        assert_null(xml);
        assert_int_equal(r, -EOPNOTSUPP);
        assert_non_null(strstr(storvirt_error_message(), "no guest NVMe controller"));
        xml = compile(DOC("{\"instance_id\": \"" G_S0 "\", \"protocol\": \"SCSI\", \"luns\": ["
                          "{\"location\": 0, " SINGLE(9) "}]}"), map, 0, &r);
        assert_int_equal(r, -ENOENT);
        assert_non_null(strstr(storvirt_error_message(), "VSCSI " G_BACK "/9 is not mapped"));
        assert_non_null(strstr(storvirt_error_message(), "controller 0 (SCSI " G_S0 ") LUN 0"));
        xml = compile(DOC("{\"instance_id\": \"" G_S0 "\", \"protocol\": \"SCSI\", \"luns\": ["
                          "{\"location\": 70, " SINGLE(0) "}]}"), map, 0, &r);
        assert_int_equal(r, -EINVAL);
        assert_non_null(strstr(storvirt_error_message(), "StorageLunLocationExceedsMaxLimits"));
        xml = compile(DOC("{\"instance_id\": \"" G_S0 "\", \"protocol\": \"SCSI\", \"luns\": ["
                          "{\"location\": 0, \"chunk_size_in_kb\": 64, \"physical_devices\": "
                          "{\"type\": \"STRIPED\", \"devices\": [" DEV(0) ", " DEV(1) "]}}]}"), map, 0, &r);
        assert_int_equal(r, -EINVAL);
        assert_non_null(strstr(storvirt_error_message(), "STORVIRT_HCL_XML_CREATE_STRIPES"));
        /* members must be block devices */
        xml = compile(DOC("{\"instance_id\": \"" G_S0 "\", \"protocol\": \"SCSI\", \"luns\": ["
                          "{\"location\": 0, \"chunk_size_in_kb\": 64, \"physical_devices\": "
                          "{\"type\": \"STRIPED\", \"devices\": [" DEV(0) ", " DEV(1) "]}}]}"), map,
                      STORVIRT_HCL_XML_CREATE_STRIPES, &r);
        assert_int_equal(r, -EINVAL);
        assert_non_null(strstr(storvirt_error_message(), "stripe member 0 is not a block device"));
        xml = compile(DOC("{\"instance_id\": \"" G_S0 "\", \"protocol\": \"SCSI\", \"luns\": ["
                          "{\"location\": 0, " SINGLE(0) "}]}"), "[1]", 0, &r);
        assert_int_equal(r, -EINVAL);
}

/*
 * A failure while finding a LUN's storage names the LUN, whatever the
 * message below says: here a map entry's path holds "controller ".
 */
static void test_error_names_lun(void **st) {
        char *xml;
        int r;

        (void)st;
        xml = compile(DOC("{\"instance_id\": \"" G_S0 "\", \"protocol\": \"SCSI\", \"luns\": ["
                          "{\"location\": 0, " SINGLE(0) "}]}"),
                      "{\"" G_BACK "/0\": {\"path\": \"images/controller 1/d0.raw\"}}", 0, &r);
        assert_null(xml);
        assert_int_equal(r, -EINVAL);
        if (strncmp(storvirt_error_message(), "controller 0 (SCSI " G_S0 ") LUN 0: ",
                    strlen("controller 0 (SCSI " G_S0 ") LUN 0: ")) != 0)
                fail_msg("the message does not name the LUN: %s", storvirt_error_message());
        assert_non_null(strstr(storvirt_error_message(), "is not an absolute path"));
}

/* Two loop devices striped: this kernel has no device-mapper (root only). */
static void test_striped_loops(void **st) {
        char cmd[512], loops[2][64], m[512], *xml;
        int r;

        (void)st;
        if (geteuid() != 0 || system("command -v losetup >/dev/null") != 0) {
                print_message("skipped: loop devices need root and losetup\n");
                return;
        }
        if (access("/sys/class/misc/device-mapper", F_OK) == 0) {
                print_message("skipped: this kernel has device-mapper; not creating devices here\n");
                return;
        }
        for (int i = 0; i < 2; i++) {
                FILE *p;

                snprintf(cmd, sizeof(cmd), "losetup -f --show '%s/d%d.raw'", base, i);
                p = popen(cmd, "r");
                assert_non_null(p);
                assert_non_null(fgets(loops[i], sizeof(loops[i]), p));
                pclose(p);
                loops[i][strcspn(loops[i], "\n")] = '\0';
        }
        snprintf(m, sizeof(m), "{\"" G_BACK "/0\": {\"path\": \"%s\"}, \"" G_BACK "/1\": {\"path\": \"%s\"}}",
                 loops[0], loops[1]);
        xml = compile(DOC("{\"instance_id\": \"" G_S0 "\", \"protocol\": \"SCSI\", \"luns\": ["
                          "{\"location\": 0, \"chunk_size_in_kb\": 64, \"physical_devices\": "
                          "{\"type\": \"STRIPED\", \"devices\": [" DEV(0) ", " DEV(1) "]}}]}"), m,
                      STORVIRT_HCL_XML_CREATE_STRIPES, &r);
        assert_null(xml);
        assert_int_equal(r, -EOPNOTSUPP);
        assert_non_null(strstr(storvirt_error_message(), "device-mapper is not available in this kernel"));
        assert_non_null(strstr(storvirt_error_message(), "storvirt-hcl-" G_S0 "-0"));
        snprintf(cmd, sizeof(cmd), "losetup -d '%s' '%s'", loops[0], loops[1]);
        assert_int_equal(system(cmd), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_ide_and_scsi),
                cmocka_unit_test(test_vdisk_device),
                cmocka_unit_test(test_refusals),
                cmocka_unit_test(test_error_names_lun),
                cmocka_unit_test(test_striped_loops),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
