/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-hcl.c - OpenHCL storage settings: every validation rule accepted
 * and refused (each with its Configuration.<Code>), both key spellings,
 * duplicate fields, enum aliases ("striped" too), integers as strings,
 * kept non-storage keys, canonical and camelCase output stable through a
 * round trip, the places where this library deliberately differs from
 * upstream (no 8-bit truncation of SCSI locations, a real IDE slot check),
 * the C builder with automatic locations, and the repeats of a large
 * document each named with its first occurrence.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <storvirt.h>

#include "util/json.h"

#define G1 "6c474f47-ed39-49e6-bbb9-142177a1da6e"
#define G2 "ca56751f-e643-4bef-bf54-f73678e8b7b5"
#define G3 "92bc8346-718b-449a-8751-edbf3dcd27e4"
#define G4 "766e96f8-2ceb-437e-afe3-a93169e48a7c"
#define G5 "27b553e8-8b39-411b-a55f-839971a7884f"
#define DEV1 "{\"device_type\": \"VSCSI\", \"device_path\": \"" G4 "\", \"sub_device_path\": 0}"
#define DEV2 "{\"device_type\": \"NVME\", \"device_path\": \"" G3 "\", \"sub_device_path\": 37}"
#define SINGLE "\"physical_devices\": {\"type\": \"SINGLE\", \"device\": " DEV1 "}"
#define DISK(loc) "{\"location\": " #loc ", " SINGLE "}"
#define DOC(ctrls) "{\"version\": \"V1\", \"dynamic\": {\"storage_controllers\": [" ctrls "]}}"
#define CTRL(id, proto, luns) "{\"instance_id\": \"" id "\", \"protocol\": \"" proto "\", \"luns\": [" luns "]}"

/* The codes of the problems found, joined by ' '; NULL when the document does not parse. */
static char *codes_of(const char *json, uint32_t flags) {
        storvirt_hcl *doc = NULL;
        char *problems = NULL, *out = calloc(1, 4096);
        yajl_val v = NULL;
        int n;

        assert_non_null(out);
        if (storvirt_hcl_parse(json, &doc, 0) < 0)
                fail_msg("does not parse: %s\n%s", storvirt_error_message(), json);
        n = storvirt_hcl_validate(doc, &problems, flags);
        assert_true(n >= 0);
        assert_int_equal(storvirt__json_parse(problems, strlen(problems), 1 << 20, &v, "p"), 0);
        assert_int_equal(v->u.array.len, (size_t)n);
        for (size_t i = 0; i < v->u.array.len; i++) {
                const char *code = NULL, *path = NULL, *msg = NULL;

                assert_int_equal(storvirt__json_get_string(v->u.array.values[i], "code", true, &code), 1);
                assert_int_equal(storvirt__json_get_string(v->u.array.values[i], "path", true, &path), 1);
                assert_int_equal(storvirt__json_get_string(v->u.array.values[i], "message", true, &msg), 1);
                assert_true(strncmp(code, "Configuration.", 14) == 0);
                assert_true(*path && *msg);
                snprintf(out + strlen(out), 4096 - strlen(out), "%s%s", i ? " " : "", code + 14);
        }
        storvirt__json_free(v);
        storvirt_free(problems);
        /* the count alone agrees */
        assert_int_equal(storvirt_hcl_validate(doc, NULL, flags), n);
        storvirt_hcl_free(doc);
        return out;
}

static void expect(const char *json, uint32_t flags, const char *want) {
        char *got = codes_of(json, flags);

        if (strcmp(got, want) != 0)
                fail_msg("problems: want '%s', got '%s' for\n%s", want, got, json);
        free(got);
}

static void expect_path(const char *json, const char *path_part) {
        storvirt_hcl *doc = NULL;
        char *problems = NULL;

        assert_int_equal(storvirt_hcl_parse(json, &doc, 0), 0);
        assert_true(storvirt_hcl_validate(doc, &problems, 0) > 0);
        if (!problems || !strstr(problems, path_part))
                fail_msg("'%s' not in\n%s", path_part, problems ? problems : "(null)");
        storvirt_free(problems);
        storvirt_hcl_free(doc);
}

static void test_valid(void **st) {
        (void)st;
        expect("{}", 0, "");
        expect("[]", 0, "");
        expect(DOC(CTRL(G1, "SCSI", DISK(0) "," DISK(63))), 0, "");
        expect(DOC(CTRL(G1, "scsi", DISK(0)) "," CTRL(G2, "ide",
               "{\"channel\": 1, \"location\": 1, " SINGLE "}, {\"channel\": 0, \"location\": 0, \"is_dvd\": true}")),
               0, "");
        expect(DOC(CTRL(G3, "NVME", DISK(1) "," DISK(4294967294))), 0, "");
        /* a striped LUN over two NVMe namespaces */
        expect(DOC(CTRL(G1, "SCSI", "{\"location\": 2, \"chunk_size_in_kb\": 128, \"physical_devices\": "
                                    "{\"type\": \"STRIPED\", \"devices\": [" DEV1 ", " DEV2 "]}}")), 0, "");
        /* the legacy backing fields */
        expect(DOC(CTRL(G1, "SCSI", "{\"location\": 0, \"device_type\": \"NVME\", \"device_path\": \"" G3
                                    "\", \"sub_device_path\": 1}")), 0, "");
        /* four SCSI controllers, an IDE one and NVMe: fine */
        expect(DOC(CTRL(G1, "SCSI", "") "," CTRL(G2, "SCSI", "") "," CTRL(G3, "SCSI", "") ","
                   CTRL(G4, "SCSI", "") "," CTRL(G5, "IDE", "")), 0, "");
}

static void test_rules(void **st) {
        (void)st;
        /* R1 */
        expect("{\"dynamic\": {}}", 0, "UnsupportedSchemaVersion");
        expect("{\"version\": \"UNKNOWN\", \"fixed\": {}}", 0, "UnsupportedSchemaVersion");
        expect("{\"version\": 1, \"fixed\": {}}", 0, "");
        /* R4 and GUID syntax */
        expect(DOC(CTRL("", "SCSI", "")), 0, "InvalidInstanceId");
        expect(DOC(CTRL("6c474f47-ed39-49e6-bbb9-142177a1da6", "SCSI", "")), 0, "InvalidInstanceId");
        expect(DOC(CTRL("6c474f47+ed39-49e6-bbb9-142177a1da6e", "SCSI", "")), 0, "InvalidInstanceId");
        expect(DOC(CTRL("6c474f47-ed39-49e6-bbb9-142177a1da6g", "SCSI", "")), 0, "InvalidInstanceId");
        expect(DOC(CTRL("{" G1 "}", "SCSI", "")), 0, "");
        /* R5 */
        expect(DOC("{\"instance_id\": \"" G1 "\"}"), 0, "StorageInvalidControllerType");
        /* R6: one IDE controller at most */
        expect(DOC(CTRL(G1, "IDE", "") "," CTRL(G2, "IDE", "") "," CTRL(G3, "IDE", "")), 0,
               "StorageIdeChannelExceedsMaxLimits StorageIdeChannelExceedsMaxLimits");
        /* R7 */
        expect(DOC(CTRL(G1, "SCSI", "") "," CTRL(G2, "SCSI", "") "," CTRL(G3, "SCSI", "") ","
                   CTRL(G4, "SCSI", "") "," CTRL(G5, "SCSI", "")), 0,
               "StorageScsiControllerExceedsMaxLimits");
        /* R8: GUIDs compared as GUIDs (case, braces) */
        expect(DOC(CTRL(G1, "SCSI", "") "," CTRL("{6C474F47-ED39-49E6-BBB9-142177A1DA6E}", "NVME", "")), 0,
               "StorageControllerGuidAlreadyExists");
        /* R9, R10, R11 */
        expect(DOC(CTRL(G2, "IDE", DISK(0))), 0, "StorageIdeChannelNotProvided");
        expect(DOC(CTRL(G2, "IDE", "{\"channel\": 2, \"location\": 0, \"is_dvd\": true}")), 0,
               "StorageIdeChannelExceedsMaxLimits");
        expect(DOC(CTRL(G2, "IDE", "{\"channel\": 1, \"location\": 2, \"is_dvd\": true}")), 0,
               "StorageIdeChannelExceedsMaxLimits");
        /* R12, with the case upstream misses: another drive sorts between the two */
        expect(DOC(CTRL(G2, "IDE", "{\"channel\": 0, \"location\": 0, \"is_dvd\": true}, "
                                   "{\"channel\": 1, \"location\": 0, \"is_dvd\": true}, "
                                   "{\"channel\": 0, \"location\": 0, \"is_dvd\": true}")), 0,
               "StorageIdeChannelInvalidConfiguration");
        expect(DOC(CTRL(G2, "IDE", "{\"channel\": 0, \"location\": 1, \"is_dvd\": true}, "
                                   "{\"channel\": 1, \"location\": 1, \"is_dvd\": true}")), 0, "");
        /* R13, R14 (no 8-bit truncation: 256 and 0 are different LUNs, 256 is out of range) */
        expect(DOC(CTRL(G1, "SCSI", DISK(64))), 0, "StorageLunLocationExceedsMaxLimits");
        expect(DOC(CTRL(G1, "SCSI", DISK(0) "," DISK(256))), 0, "StorageLunLocationExceedsMaxLimits");
        expect(DOC(CTRL(G1, "SCSI", DISK(5) "," DISK(5))), 0, "StorageLunLocationDuplicated");
        /* R15, R16, R17 */
        expect(DOC(CTRL(G3, "NVME", DISK(0))), 0, "StorageLunLocationExceedsMaxLimits");
        expect(DOC(CTRL(G3, "NVME", DISK(4294967295))), 0, "StorageLunLocationExceedsMaxLimits");
        expect(DOC(CTRL(G3, "NVME", "{\"location\": 1, \"is_dvd\": true}")), 0,
               "StorageUnsupportedDeviceType");
        expect(DOC(CTRL(G3, "NVME", DISK(7) "," DISK(7))), 0, "StorageLunLocationDuplicated");
        /* R18: old and new backing fields mixed */
        expect(DOC(CTRL(G1, "SCSI", "{\"location\": 0, " SINGLE ", \"device_path\": \"" G3 "\"}")), 0,
               "JsonFormatError");
        /* R19 */
        expect(DOC(CTRL(G1, "SCSI", "{\"location\": 0, \"physical_devices\": {\"device\": " DEV1 "}}")),
               0, "StorageUnsupportedDeviceType");
        /* R20, R21: single takes exactly one */
        expect(DOC(CTRL(G1, "SCSI", "{\"location\": 0, \"physical_devices\": {\"type\": \"SINGLE\"}}")),
               0, "StorageInvalidPhysicalDiskCount");
        expect(DOC(CTRL(G1, "SCSI", "{\"location\": 0, \"physical_devices\": {\"type\": \"SINGLE\", "
                                    "\"device\": " DEV1 ", \"devices\": [" DEV2 "]}}")),
               0, "StorageInvalidPhysicalDiskCount");
        /* R22: striped takes two or more, in "devices"; chunk size > 0 */
        expect(DOC(CTRL(G1, "SCSI", "{\"location\": 0, \"chunk_size_in_kb\": 64, \"physical_devices\": "
                                    "{\"type\": \"striping\", \"devices\": [" DEV1 "]}}")),
               0, "StorageInvalidPhysicalDiskCount");
        expect(DOC(CTRL(G1, "SCSI", "{\"location\": 0, \"physical_devices\": {\"type\": \"striped\", "
                                    "\"devices\": [" DEV1 ", " DEV2 "]}}")),
               0, "StorageInvalidChunkSize");
        /* R23, R24 */
        expect(DOC(CTRL(G1, "SCSI", "{\"location\": 0, \"physical_devices\": {\"type\": \"SINGLE\", "
                                    "\"device\": {\"device_path\": \"" G3 "\"}}}")),
               0, "StorageUnsupportedDeviceType");
        expect(DOC(CTRL(G1, "SCSI", "{\"location\": 0, \"physical_devices\": {\"type\": \"SINGLE\", "
                                    "\"device\": {\"device_type\": \"NVME\", \"device_path\": \"x\"}}}")),
               0, "InvalidInstanceId");
        /* R25: a disk needs backing, a DVD may be empty */
        expect(DOC(CTRL(G1, "SCSI", "{\"location\": 0}")), 0, "JsonFormatError");
        expect(DOC(CTRL(G1, "SCSI", "{\"location\": 0, \"is_dvd\": true}")), 0, "");
        /* R26 */
        expect(DOC(CTRL(G1, "SCSI", "{\"location\": 0, \"device_path\": \"" G3 "\", "
                                    "\"sub_device_path\": 1}")), 0, "StorageUnsupportedDeviceType");
        /* R27 */
        expect(DOC(CTRL(G1, "SCSI", "{\"location\": 0, \"ntfs_guid\": \"nope\", " SINGLE "}")), 0,
               "StorageInvalidNtfsFormatGuid");
        expect(DOC(CTRL(G1, "SCSI", "{\"location\": 0, \"ntfs_guid\": \"" G5 "\", " SINGLE "}")), 0, "");
        /* all at once, each with its path */
        expect(DOC(CTRL("x", "SCSI", DISK(64) "," DISK(64)) "," CTRL(G3, "NVME", DISK(0))), 0,
               "InvalidInstanceId StorageLunLocationExceedsMaxLimits StorageLunLocationExceedsMaxLimits "
               "StorageLunLocationDuplicated StorageLunLocationExceedsMaxLimits");
        expect_path(DOC(CTRL(G3, "NVME", DISK(0))), "controller 0 (NVME " G3 ") namespace 0");
        expect_path(DOC(CTRL(G2, "IDE", "{\"channel\": 1, \"location\": 3, \"is_dvd\": true}")),
                    "IDE drive 1/3");
}

static void test_strict(void **st) {
        const char *good = DOC(CTRL(G1, "SCSI", "{\"location\": 0, \"device_id\": \"" G5 "\", "
                                                "\"vendor_id\": \"MSFT\", \"product_id\": \"Virtual Disk\", "
                                                "\"product_revision_level\": \"1.0\", " SINGLE "}"));

        (void)st;
        expect(good, STORVIRT_HCL_VALIDATE_STRICT, "");
        /* the same document is fine without strict, whatever its identity strings */
        expect(DOC(CTRL(G1, "SCSI", DISK(0))), 0, "");
        expect(DOC(CTRL(G1, "SCSI", DISK(0))), STORVIRT_HCL_VALIDATE_STRICT, "StorageInvalidDeviceId");
        expect(DOC(CTRL(G1, "SCSI", "{\"location\": 0, \"device_id\": \"00000000-0000-0000-0000-000000000000\", "
                                    SINGLE "}")), STORVIRT_HCL_VALIDATE_STRICT, "StorageInvalidDeviceId");
        expect(DOC(CTRL(G1, "SCSI", "{\"location\": 0, \"device_id\": \"" G5 "\", "
                                    "\"vendor_id\": \"TOOLONGVENDOR\", \"product_id\": \"12345678901234567\", "
                                    "\"product_revision_level\": \"1.0.0\", " SINGLE "}")),
               STORVIRT_HCL_VALIDATE_STRICT,
               "StorageInvalidVendorId StorageInvalidProductId StorageInvalidProductRevisionLevel");
        expect(DOC(CTRL(G1, "SCSI", "{\"location\": 0, \"device_id\": \"" G5 "\", "
                                    "\"vendor_id\": \"tab\\tbad\", " SINGLE "}")),
               STORVIRT_HCL_VALIDATE_STRICT, "StorageInvalidVendorId");
        /* DVDs and NVMe namespaces skip these checks */
        expect(DOC(CTRL(G1, "SCSI", "{\"location\": 0, \"is_dvd\": true}") "," CTRL(G3, "NVME", DISK(1))),
               STORVIRT_HCL_VALIDATE_STRICT, "");
}

static void parse_fails(const char *json, int err, const char *msg) {
        storvirt_hcl *doc = NULL;
        int r = storvirt_hcl_parse(json, &doc, 0);

        if (r != err)
                fail_msg("parse %s: %d (%s), want %d", json, r, storvirt_error_message(), err);
        if (!strstr(storvirt_error_message(), msg))
                fail_msg("parse %s: '%s' lacks '%s'", json, storvirt_error_message(), msg);
        assert_null(doc);
}

static void test_parse_errors(void **st) {
        (void)st;
        parse_fails(DOC("{\"instance_id\": \"" G1 "\", \"instanceId\": \"" G1 "\"}"), -EINVAL,
                    "storage_controllers[0]: duplicate field 'instanceId'");
        parse_fails(DOC("{\"protocol\": \"SCSI\", \"protocol\": \"IDE\"}"), -EINVAL, "duplicate field");
        parse_fails(DOC(CTRL(G1, "SCSI", "{\"location\": 0, \"is_dvd\": true, \"isDvd\": false}")),
                    -EINVAL, "luns[0]: duplicate field 'isDvd'");
        parse_fails(DOC("{\"bogus\": 1}"), -EINVAL, "storage_controllers[0]: unknown field 'bogus'");
        parse_fails("{\"version\": \"V1\", \"extra\": 1}", -EINVAL, "settings: unknown field 'extra'");
        parse_fails(DOC(CTRL(G1, "Scsi", "")), -EINVAL, "'Scsi' is not a storage protocol");
        parse_fails(DOC(CTRL(G1, "NVMe", "")), -EINVAL, "'NVMe' is not a storage protocol");
        parse_fails(DOC(CTRL(G1, "SCSI", "{\"location\": -1}")), -EINVAL, "-1 is out of range");
        parse_fails(DOC(CTRL(G1, "SCSI", "{\"location\": 1.5}")), -EINVAL, "fraction");
        parse_fails(DOC(CTRL(G1, "SCSI", "{\"location\": \"4294967296\"}")), -EINVAL, "out of range");
        parse_fails(DOC(CTRL(G1, "SCSI", "{\"location\": \"0x1\"}")), -EINVAL, "not an unsigned integer");
        parse_fails(DOC(CTRL(G1, "SCSI", "{\"location\": null}")), -EINVAL, "null is only for optional");
        parse_fails(DOC(CTRL(G1, "SCSI", "{\"is_dvd\": 1}")), -EINVAL, "expected true or false");
        parse_fails(DOC(CTRL(G1, "SCSI", "{\"physical_devices\": {\"type\": \"SINGLE\", \"device\": "
                                         "{\"device_type\": \"IDE\"}}}")),
                    -EINVAL, "IDE is not a backing device type");
        parse_fails(DOC(CTRL(G1, "SCSI", "{\"physical_devices\": {\"type\": \"mirror\"}}")), -EINVAL,
                    "'mirror' is not a backing type");
        parse_fails("{\"namespace_settings\": []}", -EOPNOTSUPP, "namespaced form");
        parse_fails("{\"version\": \"V1\", \"fixed\": {\"io_ring_size\": 1, \"ioRingSize\": 2}}", -EINVAL,
                    "fixed: duplicate field");
        parse_fails("{\"version\": \"V1\", \"fixed\": {\"tuning\": 1}}", -EINVAL, "fixed: unknown field");
        parse_fails("[1]", -EINVAL, "storage_controllers[0]: expected an object");
        parse_fails("{\"version\": ", -EINVAL, "invalid JSON");
        parse_fails("\"x\"", -EINVAL, "expected an object or a list");
}

/* Canonical text, and camel text, of json. */
static char *emit(const char *json, uint32_t flags) {
        storvirt_hcl *doc = NULL;
        char *out = NULL;

        if (storvirt_hcl_parse(json, &doc, 0) < 0)
                fail_msg("parse: %s\n%s", storvirt_error_message(), json);
        assert_int_equal(storvirt_hcl_to_json(doc, &out, flags), 0);
        storvirt_hcl_free(doc);
        return out;
}

static void test_round_trip(void **st) {
        static const char *const docs[] = {
                "{\"version\": \"V1\", \"fixed\": {\"scsi_sub_channels\": 4, \"ioRingSize\": \"256\"}, "
                "\"dynamic\": {\"storageControllers\": [" CTRL(G1, "SCSI",
                        "{\"location\": \"3\", \"vendorId\": \"MSFT\", \"fua\": false, \"maxTransferLength\": "
                        "\"18446744073709551615\", \"scsi_disk_size_in_bytes\": 5368709120, " SINGLE "}, "
                        "{\"location\": 4, \"isDvd\": true, \"ntfs_guid\": \"" G5 "\"}") ", "
                CTRL(G3, "NVME", "{\"location\": 1, \"chunkSizeInKb\": 128, \"physical_devices\": "
                                 "{\"type\": \"striped\", \"devices\": [" DEV1 ", " DEV2 "]}}")
                "], \"nic_devices\": [{\"instance_id\": \"" G4 "\", \"max_sub_channels\": 8}]}}",
                "[" CTRL(G2, "IDE", "{\"channel\": 0, \"location\": 1, \"device_type\": \"VScsi\", "
                                    "\"device_path\": \"" G4 "\", \"sub_device_path\": \"2\", "
                                    "\"total_logic_size_in_kb\": 7}") "]",
                "{}",
        };

        (void)st;
        for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
                for (uint32_t flags = 0; flags < 4; flags++) {
                        char *a = emit(docs[i], flags), *b = emit(a, flags), *canon, *canon2;

                        assert_non_null(a);
                        assert_non_null(b);
                        if (strcmp(a, b) != 0)
                                fail_msg("not stable (flags %u):\n%s\n%s", flags, a ? a : "", b ? b : "");
                        /* the camel form reads back to the same canonical form */
                        canon = emit(docs[i], 0);
                        canon2 = emit(a, 0);
                        assert_non_null(canon);
                        assert_non_null(canon2);
                        if (strcmp(canon, canon2) != 0)
                                fail_msg("flags %u changes the document:\n%s\n%s", flags, canon ? canon : "",
                                         canon2 ? canon2 : "");
                        free(a);
                        free(b);
                        free(canon);
                        free(canon2);
                }
        }
        {
                char *canon = emit(docs[0], 0), *camel = emit(docs[0], STORVIRT_HCL_JSON_CAMEL);

                /* snake keys, upper-case names, 64-bit numbers as strings, kept parts as given */
                assert_non_null(strstr(canon, "\"storage_controllers\":"));
                assert_non_null(strstr(canon, "\"type\":\"STRIPED\""));
                assert_non_null(strstr(canon, "\"device_type\":\"VSCSI\""));
                assert_non_null(strstr(canon, "\"max_transfer_length\":\"18446744073709551615\""));
                assert_non_null(strstr(canon, "\"scsi_disk_size_in_bytes\":\"5368709120\""));
                assert_non_null(strstr(canon, "\"fixed\":{\"scsi_sub_channels\":4,\"ioRingSize\":\"256\"}"));
                assert_non_null(strstr(canon, "\"nic_devices\":[{\"instance_id\":\"" G4));
                assert_non_null(strstr(canon, "\"vendor_id\":\"\""));   /* defaults written */
                assert_null(strstr(canon, "striping"));
                /* camel: defaults left out, optional fields kept even at 0/false */
                assert_non_null(strstr(camel, "\"storageControllers\":"));
                assert_non_null(strstr(camel, "\"vendorId\":\"MSFT\""));
                assert_non_null(strstr(camel, "\"fua\":false"));
                assert_null(strstr(camel, "\"productId\""));
                assert_null(strstr(camel, "\"storage_controllers\""));
                assert_null(strstr(camel, "\"physical_devices\""));
                assert_null(strstr(camel, "\"is_dvd\""));
                assert_null(strstr(camel, "\"max_transfer_length\""));
                free(canon);
                free(camel);
        }
}

static void test_builder(void **st) {
        storvirt_hcl *doc = NULL, *back = NULL;
        size_t scsi, ide, nvme, l, n = 0;
        const char *id, *path;
        int proto, channel, dvd, backing, type;
        uint32_t loc, sub;
        char *a = NULL, *b = NULL;

        (void)st;
        assert_int_equal(storvirt_hcl_new(&doc), 0);
        assert_int_equal(storvirt_hcl_add_controller(doc, STORVIRT_HCL_PROTOCOL_SCSI, G1, &scsi), 0);
        assert_int_equal(storvirt_hcl_add_controller(doc, STORVIRT_HCL_PROTOCOL_IDE, NULL, &ide), 0);
        assert_int_equal(storvirt_hcl_add_controller(doc, STORVIRT_HCL_PROTOCOL_NVME, G3, &nvme), 0);
        assert_int_equal(storvirt_hcl_add_controller(doc, 7, NULL, NULL), -EINVAL);
        assert_int_equal(storvirt_hcl_add_controller(doc, STORVIRT_HCL_PROTOCOL_SCSI, "x", NULL), -EINVAL);
        assert_int_equal(storvirt_hcl_get_n_controllers(doc), 3);
        assert_int_equal(storvirt_hcl_get_controller(doc, ide, &proto, &id, &n), 0);
        assert_int_equal(proto, STORVIRT_HCL_PROTOCOL_IDE);
        assert_int_equal(strlen(id), 36);
        /* automatic locations: SCSI from 0, NVMe from 1, IDE slot by slot */
        for (int i = 0; i < 3; i++) {
                assert_int_equal(storvirt_hcl_add_lun(doc, scsi, -1, 0, &l), 0);
                assert_int_equal(storvirt_hcl_get_lun(doc, scsi, l, &loc, NULL, NULL, NULL, NULL), 0);
                assert_int_equal(loc, (uint32_t)i);
                assert_int_equal(storvirt_hcl_lun_add_device(doc, scsi, l, STORVIRT_HCL_DEVICE_VSCSI, G4,
                                                             (uint32_t)i), 0);
                assert_int_equal(storvirt_hcl_add_lun(doc, nvme, -1, 0, &l), 0);
                assert_int_equal(storvirt_hcl_get_lun(doc, nvme, l, &loc, NULL, NULL, NULL, NULL), 0);
                assert_int_equal(loc, (uint32_t)i + 1);
                assert_int_equal(storvirt_hcl_lun_add_device(doc, nvme, l, STORVIRT_HCL_DEVICE_NVME, G3,
                                                             (uint32_t)i + 10), 0);
        }
        for (int i = 0; i < 4; i++) {
                assert_int_equal(storvirt_hcl_add_lun(doc, ide, -1, 1, &l), 0);
                assert_int_equal(storvirt_hcl_get_lun(doc, ide, l, &loc, &channel, &dvd, &backing, &n), 0);
                assert_int_equal(channel, i / 2);
                assert_int_equal(loc, (uint32_t)(i % 2));
                assert_int_equal(dvd, 1);
                assert_int_equal(backing, STORVIRT_HCL_BACKING_EMPTY);
                assert_int_equal(n, 0);
        }
        assert_int_equal(storvirt_hcl_add_lun(doc, ide, -1, 1, &l), -ENOSPC);
        /* a second device makes the LUN striped */
        assert_int_equal(storvirt_hcl_lun_add_device(doc, scsi, 0, STORVIRT_HCL_DEVICE_NVME, G3, 99), 0);
        assert_int_equal(storvirt_hcl_get_lun(doc, scsi, 0, NULL, NULL, NULL, &backing, &n), 0);
        assert_int_equal(backing, STORVIRT_HCL_BACKING_STRIPED);
        assert_int_equal(n, 2);
        assert_int_equal(storvirt_hcl_get_device(doc, scsi, 0, 1, &type, &path, &sub), 0);
        assert_int_equal(type, STORVIRT_HCL_DEVICE_NVME);
        assert_string_equal(path, G3);
        assert_int_equal(sub, 99);
        assert_int_equal(storvirt_hcl_get_device(doc, scsi, 0, 2, &type, &path, &sub), -ENOENT);
        /* striped without a chunk size is a problem until it is set */
        assert_int_equal(storvirt_hcl_validate(doc, NULL, 0), 1);
        assert_int_equal(storvirt_hcl_lun_set(doc, scsi, 0, "chunk_size_in_kb", "128"), 0);
        assert_int_equal(storvirt_hcl_lun_set(doc, scsi, 1, "vendorId", "\"MSFT\""), 0);
        assert_int_equal(storvirt_hcl_lun_set(doc, scsi, 1, "write_cache", "true"), 0);
        assert_int_equal(storvirt_hcl_lun_set(doc, scsi, 1, "write_cache", "null"), 0);
        assert_int_equal(storvirt_hcl_lun_set(doc, scsi, 1, "bogus", "1"), -EINVAL);
        assert_int_equal(storvirt_hcl_lun_set(doc, scsi, 1, "location", "\"x\""), -EINVAL);
        assert_int_equal(storvirt_hcl_lun_set(doc, scsi, 9, "location", "1"), -ENOENT);
        assert_int_equal(storvirt_hcl_lun_add_device(doc, scsi, 1, 3, G3, 0), -EINVAL);
        assert_int_equal(storvirt_hcl_validate(doc, NULL, 0), 0);
        /* what the builder made reads back the same */
        assert_int_equal(storvirt_hcl_to_json(doc, &a, 0), 0);
        assert_non_null(strstr(a, "\"vendor_id\":\"MSFT\""));
        assert_null(strstr(a, "write_cache"));
        assert_int_equal(storvirt_hcl_parse(a, &back, 0), 0);
        assert_int_equal(storvirt_hcl_to_json(back, &b, 0), 0);
        assert_string_equal(a, b);
        storvirt_free(a);
        storvirt_free(b);
        storvirt_hcl_free(back);
        storvirt_hcl_free(doc);
}

/* The GUID of controller or device n, as written (the same GUID in other spellings too). */
static void big_guid(char buf[40], unsigned kind, unsigned n, bool upper_braced) {
        snprintf(buf, 40, upper_braced ? "{%08X-0000-4000-8000-%012X}" : "%08x-0000-4000-8000-%012x",
                 kind, n);
}

#define BIG_CTRLS 3000u
#define BIG_LUNS 3000u

/*
 * A large document: BIG_CTRLS NVMe controllers, controller 5 with BIG_LUNS
 * namespaces, an IDE controller at the end.  Repeats: controller 10's GUID
 * again at 1500 (upper case, braces) and at 2999 (both name 10, the first
 * occurrence), 2001 repeats 2000; namespace 1234 (LUN 1233) again as LUNs
 * 2500 and 2999; the IDE slot 0/0 again as drive 3 (drive 2 has no channel:
 * compared with nothing).
 */
static char *big_doc(void) {
        char *text = NULL, id[40], dev[40];
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);

        assert_non_null(f);
        fputs("{\"version\": \"V1\", \"dynamic\": {\"storage_controllers\": [", f);
        for (unsigned i = 0; i < BIG_CTRLS; i++) {
                unsigned luns = i == 5 ? BIG_LUNS : 1;

                big_guid(id, 0x1000, i == 1500 || i == 2999 ? 10 : i == 2001 ? 2000 : i, i == 1500);
                fprintf(f, "%s{\"instance_id\": \"%s\", \"protocol\": \"NVME\", \"luns\": [", i ? ", " : "", id);
                for (unsigned k = 0; k < luns; k++) {
                        big_guid(dev, 0x3000, i * BIG_LUNS + k, false);
                        fprintf(f, "%s{\"location\": %u, \"physical_devices\": {\"type\": \"SINGLE\", "
                                   "\"device\": {\"device_type\": \"NVME\", \"device_path\": \"%s\"}}}",
                                k ? ", " : "", k == 2500 || k == 2999 ? 1234 : k + 1, dev);
                }
                fputs("]}", f);
        }
        big_guid(id, 0x2000, 0, false);
        fprintf(f, ", {\"instance_id\": \"%s\", \"protocol\": \"IDE\", \"luns\": ["
                   "{\"channel\": 0, \"location\": 0, \"is_dvd\": true}, "
                   "{\"channel\": 1, \"location\": 0, \"is_dvd\": true}, "
                   "{\"location\": 0, \"is_dvd\": true}, "
                   "{\"channel\": 0, \"location\": 0, \"is_dvd\": true}]}]}}", id);
        assert_int_equal(fclose(f), 0);
        return text;
}

static void test_duplicates_large(void **st) {
        char g1500[40], g2000[40], g2999[40], gide[40];
        char *text = big_doc(), *problems = NULL, want[6][400];
        const char *code, *path, *msg;
        storvirt_hcl *doc = NULL;
        yajl_val v = NULL;
        size_t k = 0;
        int n;

        (void)st;
        big_guid(g1500, 0x1000, 10, true);
        big_guid(g2000, 0x1000, 2000, false);
        big_guid(g2999, 0x1000, 10, false);
        big_guid(gide, 0x2000, 0, false);
        /* code, path, message of each repeat, in document order */
        snprintf(want[0], sizeof(want[0]), "LunLocationDuplicated|controller 5 (NVME %s) namespace "
                 "1234|disk location is duplicated (LUNs 1233 and 2500)", "00001000-0000-4000-8000-000000000005");
        snprintf(want[1], sizeof(want[1]), "LunLocationDuplicated|controller 5 (NVME %s) namespace "
                 "1234|disk location is duplicated (LUNs 1233 and 2999)", "00001000-0000-4000-8000-000000000005");
        snprintf(want[2], sizeof(want[2]), "ControllerGuidAlreadyExists|controller 1500 (NVME %s)|"
                 "controller already exists (same instance ID as controller 10)", g1500);
        snprintf(want[3], sizeof(want[3]), "ControllerGuidAlreadyExists|controller 2001 (NVME %s)|"
                 "controller already exists (same instance ID as controller 2000)", g2000);
        snprintf(want[4], sizeof(want[4]), "ControllerGuidAlreadyExists|controller 2999 (NVME %s)|"
                 "controller already exists (same instance ID as controller 10)", g2999);
        snprintf(want[5], sizeof(want[5]), "IdeChannelInvalidConfiguration|controller 3000 (IDE %s) "
                 "IDE drive 0/0|ide controller has invalid configuration: drives 0 and 3 share the slot",
                 gide);
        assert_int_equal(storvirt_hcl_parse(text, &doc, 0), 0);
        free(text);
        n = storvirt_hcl_validate(doc, &problems, 0);
        /* the six repeats and the IDE drive without a channel */
        assert_int_equal(n, 7);
        assert_int_equal(storvirt__json_parse(problems, strlen(problems), 1 << 20, &v, "p"), 0);
        assert_int_equal(v->u.array.len, 7);
        for (size_t i = 0; i < v->u.array.len; i++) {
                char got[400];

                assert_int_equal(storvirt__json_get_string(v->u.array.values[i], "code", true, &code), 1);
                assert_int_equal(storvirt__json_get_string(v->u.array.values[i], "path", true, &path), 1);
                assert_int_equal(storvirt__json_get_string(v->u.array.values[i], "message", true, &msg), 1);
                if (strcmp(code, "Configuration.StorageIdeChannelNotProvided") == 0) {
                        assert_non_null(strstr(path, "controller 3000 (IDE "));
                        continue;
                }
                assert_true(k < 6);
                snprintf(got, sizeof(got), "%s|%s|%s", code + strlen("Configuration.Storage"), path, msg);
                assert_true(strncmp(code, "Configuration.Storage", 21) == 0);
                assert_string_equal(got, want[k]);
                k++;
        }
        assert_int_equal(k, 6);
        storvirt__json_free(v);
        storvirt_free(problems);
        assert_int_equal(storvirt_hcl_validate(doc, NULL, 0), 7);
        storvirt_hcl_free(doc);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_valid),
                cmocka_unit_test(test_rules),
                cmocka_unit_test(test_strict),
                cmocka_unit_test(test_parse_errors),
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_builder),
                cmocka_unit_test(test_duplicates_large),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
