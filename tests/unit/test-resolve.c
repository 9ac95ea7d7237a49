/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-resolve.c - GUID specs resolved against the umockdev fixture
 * (tests/scripts/gen-testbed.py fixture): a single-path disk and a
 * multipath map become <disk type='block'> with their device node, and
 * the identity check refuses a path whose device changed after discovery
 * (its VPD page 0x83 rewritten in the testbed's sysfs: another LUN now
 * answers at that device number) and a map one of whose member paths
 * changed.  Also a whole VM's drives, with every problem reported at
 * once; device lun only on SCSI devices; the virtio-scsi controllers of
 * a VM's SCSI drives; optional drives left out when unreachable.  Runs
 * as `umockdev-run -d TESTBED -- test-resolve`.
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

#include "util/json.h"
#include "util/macro.h"
#include "util/uuid.h"
#include "util/xml.h"

#define GUID_SDB "360014050000000000000000000000001"
#define GUID_MAP1 "360014050000000000000000000000065"
#define OTHER_NAA "6001405000000000000000000000ffff"

static storvirt_ctx *ctx;

/* Replaces a binary sysfs attribute of the testbed; returns the old bytes' length. */
static size_t swap_attr(const char *path, const uint8_t *data, size_t len, uint8_t *old,
                        size_t old_size) {
        int fd = open(path, O_RDWR | O_CLOEXEC);
        ssize_t n;

        if (fd < 0)
                fail_msg("open %s: %s", path, strerror(errno));
        n = pread(fd, old, old_size, 0);
        assert_true(n > 0);
        assert_int_equal(ftruncate(fd, 0), 0);
        assert_int_equal(pwrite(fd, data, len, 0), (ssize_t)len);
        close(fd);
        return (size_t)n;
}

/* A VPD page 0x83 with one binary NAA designator (16 bytes, from hex). */
static size_t vpd83_naa(const char *hex, uint8_t *buf) {
        size_t n = strlen(hex) / 2;

        buf[0] = 0;
        buf[1] = 0x83;
        buf[2] = 0;
        buf[3] = (uint8_t)(4 + n);
        buf[4] = 1;    /* binary */
        buf[5] = 3;    /* NAA, associated with the LUN */
        buf[6] = 0;
        buf[7] = (uint8_t)n;
        for (size_t i = 0; i < n; i++)
                sscanf(hex + 2 * i, "%2hhx", &buf[8 + i]);
        return 8 + n;
}

static char *resolve_json(const char *json, uint32_t flags, int *ret) {
        storvirt_disk_spec *spec = NULL;
        char *out = NULL;

        assert_int_equal(storvirt_disk_spec_from_json(json, &spec, 0), 0);
        *ret = storvirt_resolve_disk(ctx, spec, &out, flags);
        storvirt_disk_spec_free(spec);
        return out;
}

/* An attribute of the first element `name` below the root of xml. */
static char *xml_attr(const char *xml, const char *elem, const char *attr) {
        _cleanup_xml_doc_ xmlDocPtr doc = NULL;
        xmlNodePtr root, n;
        const char *v;

        if (storvirt__xml_parse(xml, strlen(xml), 1 << 20, "disk", &doc) < 0)
                fail_msg("bad XML: %s\n%s", storvirt_error_message(), xml);
        root = xmlDocGetRootElement(doc);
        n = elem ? storvirt__xml_child(root, elem) : root;
        if (!n)
                fail_msg("no <%s> in\n%s", elem, xml);
        v = storvirt__xml_prop(n, attr);
        return v ? strdup(v) : NULL;
}

static void assert_attr(const char *xml, const char *elem, const char *attr, const char *want) {
        _cleanup_free_ char *v = xml_attr(xml, elem, attr);

        if (!v || strcmp(v, want) != 0)
                fail_msg("<%s %s=...>: want '%s', got '%s' in\n%s", elem ? elem : "disk", attr, want,
                         v ? v : "(none)", xml);
}

static void test_guid_disk(void **st) {
        char *xml;
        int r;

        (void)st;
        xml = resolve_json("{\"GUID\": \"" GUID_SDB "\", \"device\": \"lun\", \"iface\": \"scsi\"}",
                           0, &r);
        if (r < 0)
                fail_msg("resolve: %s", storvirt_error_message());
        assert_attr(xml, NULL, "type", "block");
        assert_attr(xml, NULL, "device", "lun");
        assert_attr(xml, "source", "dev", "/dev/sdb");
        assert_attr(xml, "target", "dev", "sda");
        assert_attr(xml, "target", "bus", "scsi");
        assert_attr(xml, "driver", "type", "raw");
        assert_attr(xml, "driver", "io", "native");
        assert_attr(xml, "driver", "cache", "none");
        storvirt_free(xml);

        /* The dict names the LUN. */
        xml = resolve_json("{\"GUID\": \"" GUID_SDB "\"}", STORVIRT_RESOLVE_DICT, &r);
        assert_int_equal(r, 0);
        assert_non_null(strstr(xml, "\"GUID\": \"" GUID_SDB "\""));
        assert_non_null(strstr(xml, "\"/dev/sdb\""));
        storvirt_free(xml);
}

static void test_guid_map(void **st) {
        char *xml;
        int r;

        (void)st;
        /* Upper case and a 0x-less form are the same GUID. */
        xml = resolve_json("{\"GUID\": \"360014050000000000000000000000065\", \"index\": 2}", 0, &r);
        if (r < 0)
                fail_msg("resolve: %s", storvirt_error_message());
        assert_attr(xml, "source", "dev", "/dev/dm-1");
        assert_attr(xml, "target", "dev", "vdc");
        storvirt_free(xml);
}

static void test_stale_disk(void **st) {
        uint8_t page[64], old[4096];
        size_t len, old_len;
        const char *msg;
        char *xml;
        int r;

        (void)st;
        /* Discovered as GUID_SDB; then another LUN answers at sdb's number. */
        assert_int_equal(storvirt_lun_refresh(ctx, 0), 0);
        len = vpd83_naa(OTHER_NAA, page);
        old_len = swap_attr("/sys/block/sdb/device/vpd_pg83", page, len, old, sizeof(old));
        xml = resolve_json("{\"GUID\": \"" GUID_SDB "\"}", STORVIRT_RESOLVE_NO_REFRESH, &r);
        assert_null(xml);
        assert_int_equal(r, -ESTALE);
        msg = storvirt_error_message();
        assert_non_null(strstr(msg, "/dev/sdb"));
        assert_non_null(strstr(msg, "3" OTHER_NAA));
        assert_non_null(strstr(msg, "expected " GUID_SDB));
        swap_attr("/sys/block/sdb/device/vpd_pg83", old, old_len, page, sizeof(page));
        xml = resolve_json("{\"GUID\": \"" GUID_SDB "\"}", STORVIRT_RESOLVE_NO_REFRESH, &r);
        assert_int_equal(r, 0);
        storvirt_free(xml);
}

static void test_stale_member(void **st) {
        uint8_t page[64], old[4096];
        size_t len, old_len;
        const char *msg;
        char *xml;
        int r;

        (void)st;
        assert_int_equal(storvirt_lun_refresh(ctx, 0), 0);
        len = vpd83_naa(OTHER_NAA, page);
        old_len = swap_attr("/sys/block/sdi/device/vpd_pg83", page, len, old, sizeof(old));
        xml = resolve_json("{\"GUID\": \"" GUID_MAP1 "\"}", 0, &r);
        assert_null(xml);
        assert_int_equal(r, -ESTALE);
        msg = storvirt_error_message();
        assert_non_null(strstr(msg, "member path sdi"));
        assert_non_null(strstr(msg, "3" OTHER_NAA));
        swap_attr("/sys/block/sdi/device/vpd_pg83", old, old_len, page, sizeof(page));
}

static void test_unknown(void **st) {
        char *xml;
        int r;

        (void)st;
        xml = resolve_json("{\"GUID\": \"3600140500000000000000000000000ff\"}", 0, &r);
        assert_null(xml);
        assert_int_equal(r, -ENOENT);
        assert_non_null(strstr(storvirt_error_message(), "3600140500000000000000000000000ff"));
        xml = resolve_json("{\"poolID\": \"2d1f4a6c-0e3b-4f59-8c7a-1b2c3d4e5f60\", "
                           "\"domainID\": \"3d1f4a6c-0e3b-4f59-8c7a-1b2c3d4e5f60\", "
                           "\"imageID\": \"4d1f4a6c-0e3b-4f59-8c7a-1b2c3d4e5f60\", "
                           "\"volumeID\": \"5d1f4a6c-0e3b-4f59-8c7a-1b2c3d4e5f60\"}", 0, &r);
        assert_null(xml);
        assert_int_equal(r, -ENOENT);
        assert_non_null(strstr(storvirt_error_message(), "imageID=4d1f4a6c-0e3b-4f59-8c7a-1b2c3d4e5f60"));
        assert_non_null(strstr(storvirt_error_message(), "no vDisk 4d1f4a6c"));
}

static void test_vm(void **st) {
        char *xml = NULL, **problems = NULL;
        int r;

        (void)st;
        r = storvirt_resolve_vm(ctx,
                                "{\"drives\": ["
                                "{\"GUID\": \"" GUID_MAP1 "\", \"bootOrder\": 1},"
                                "{\"device\": \"cdrom\"},"
                                "{\"GUID\": \"" GUID_SDB "\", \"device\": \"lun\", \"iface\": \"scsi\"},"
                                "{\"GUID\": \"360014050000000000000000000000066\"}"
                                "]}", &xml, &problems, 0);
        if (r < 0)
                fail_msg("resolve_vm: %s", storvirt_error_message());
        assert_null(problems);
        assert_non_null(strstr(xml, "<devices"));
        assert_non_null(strstr(xml, "/dev/dm-1"));
        assert_non_null(strstr(xml, "/dev/dm-2"));
        /* Indexes given in order per bus: vda, vdb; the lun is sda, the cdrom hda. */
        assert_non_null(strstr(xml, "vdb"));
        assert_non_null(strstr(xml, "sda"));
        assert_non_null(strstr(xml, "hda"));
        storvirt_free(xml);
        xml = NULL;

        /* Everything wrong at once: each problem names its drive. */
        r = storvirt_resolve_vm(ctx,
                                "[{\"GUID\": \"" GUID_MAP1 "\", \"bootOrder\": 1},"
                                " {\"GUID\": \"" GUID_SDB "\", \"bootOrder\": 1},"
                                " {\"GUID\": \"3600140500000000000000000000000ff\"}]",
                                &xml, &problems, 0);
        assert_int_equal(r, -EINVAL);
        assert_null(xml);
        assert_non_null(problems);
        assert_true(problems[0] && problems[1]);
        {
                bool boot = false, missing = false;
                for (size_t i = 0; problems[i]; i++) {
                        boot |= strstr(problems[i], "boot") != NULL;
                        missing |= strstr(problems[i], "3600140500000000000000000000000ff") != NULL &&
                                    strstr(problems[i], "drive 3") != NULL;
                }
                assert_true(boot);
                assert_true(missing);
        }
        storvirt_strv_free(problems);
}


/*
 * Device lun passes SCSI commands through (SG_IO): only a SCSI disk, or a
 * multipath map of SCSI paths, takes them.  QEMU refuses anything else
 * ("cannot get SG_IO version number"); so does the resolution, first.
 */
static void test_lun_needs_scsi(void **st) {
        /* (the fixture's NVMe namespace has no /sys/dev/block link: a loop device only) */
        static const char *const not_scsi[] = { "/dev/loop0" };
        char json[256], *xml;
        int r;

        (void)st;
        for (size_t i = 0; i < sizeof(not_scsi) / sizeof(not_scsi[0]); i++) {
                snprintf(json, sizeof(json), "{\"path\": \"%s\", \"device\": \"lun\", "
                                             "\"alias\": \"pt\"}", not_scsi[i]);
                xml = resolve_json(json, 0, &r);
                assert_null(xml);
                assert_int_equal(r, -EOPNOTSUPP);
                if (strncmp(storvirt_error_message(), "disk (alias ua-pt): ", 20) != 0 ||
                    !strstr(storvirt_error_message(), not_scsi[i]) ||
                    !strstr(storvirt_error_message(), "is not a SCSI device"))
                        fail_msg("%s: %s", not_scsi[i], storvirt_error_message());
                /* as a plain disk it is fine */
                snprintf(json, sizeof(json), "{\"path\": \"%s\"}", not_scsi[i]);
                xml = resolve_json(json, 0, &r);
                if (r < 0)
                        fail_msg("%s: %s", json, storvirt_error_message());
                storvirt_free(xml);
        }
        /* a SCSI disk and a multipath map of SCSI paths */
        xml = resolve_json("{\"GUID\": \"" GUID_SDB "\", \"device\": \"lun\"}", 0, &r);
        assert_int_equal(r, 0);
        storvirt_free(xml);
        xml = resolve_json("{\"GUID\": \"" GUID_MAP1 "\", \"device\": \"lun\"}", 0, &r);
        if (r < 0)
                fail_msg("map: %s", storvirt_error_message());
        assert_attr(xml, "source", "dev", "/dev/dm-1");
        storvirt_free(xml);
}

static size_t count(const char *text, const char *part) {
        size_t n = 0;

        for (const char *p = text; (p = strstr(p, part)); p += strlen(part))
                n++;
        return n;
}

/*
 * A VM with SCSI drives gets a virtio-scsi controller for each controller
 * they are on, and for every index below (libvirt would add the missing
 * ones with its default model).
 */
static void test_vm_scsi_controllers(void **st) {
        char *xml = NULL, **problems = NULL;
        int r;

        (void)st;
        r = storvirt_resolve_vm(ctx,
                                "[{\"GUID\": \"" GUID_SDB "\", \"device\": \"lun\"},"
                                " {\"GUID\": \"" GUID_MAP1 "\", \"iface\": \"scsi\", "
                                "  \"address\": {\"type\": \"drive\", \"controller\": 2, "
                                "\"unit\": 1}},"
                                " {\"device\": \"cdrom\", \"iface\": \"scsi\", \"index\": 9}]",
                                &xml, &problems, 0);
        if (r < 0)
                fail_msg("resolve_vm: %s", storvirt_error_message());
        assert_null(problems);
        /* index 9 without an address: libvirt's controller 1 (7 units each) */
        assert_int_equal(count(xml, "<controller "), 3);
        assert_non_null(strstr(xml, "<controller type=\"scsi\" index=\"0\" model=\"virtio-scsi\"/>"));
        assert_non_null(strstr(xml, "<controller type=\"scsi\" index=\"1\" model=\"virtio-scsi\"/>"));
        assert_non_null(strstr(xml, "<controller type=\"scsi\" index=\"2\" model=\"virtio-scsi\"/>"));
        assert_true(strstr(xml, "<controller ") < strstr(xml, "<disk "));
        storvirt_free(xml);
        /* one drive on controller 2: 0 and 1 too, or libvirt adds them with its default model */
        r = storvirt_resolve_vm(ctx, "[{\"GUID\": \"" GUID_MAP1 "\", \"iface\": \"scsi\", "
                                     "\"address\": {\"type\": \"drive\", \"controller\": 2}}]",
                                &xml, &problems, 0);
        assert_int_equal(r, 0);
        assert_int_equal(count(xml, "model=\"virtio-scsi\""), 3);
        storvirt_free(xml);
        /* no SCSI drive, no controller */
        r = storvirt_resolve_vm(ctx, "[{\"GUID\": \"" GUID_MAP1 "\"}]", &xml, &problems, 0);
        assert_int_equal(r, 0);
        assert_null(strstr(xml, "<controller"));
        storvirt_free(xml);
}

/*
 * An optional drive whose storage cannot be reached is left out of the
 * VM, with a warning; every other problem stays a problem.  A serial on
 * a LUN is left out with a warning.
 */
static void test_vm_optional(void **st) {
        const char *vm = "[{\"GUID\": \"3600140500000000000000000000000ff\", \"optional\": true, "
                         "\"alias\": \"extra\"},"
                         " {\"GUID\": \"" GUID_MAP1 "\"},"
                         " {\"GUID\": \"" GUID_SDB "\", \"device\": \"lun\", \"serial\": \"abc\"}]";
        char *xml = NULL, **problems = NULL;
        int r;

        (void)st;
        r = storvirt_resolve_vm(ctx, vm, &xml, &problems, STORVIRT_RESOLVE_WARNINGS);
        if (r < 0)
                fail_msg("resolve_vm: %s", storvirt_error_message());
        assert_int_equal(count(xml, "<disk "), 2);
        assert_null(strstr(xml, "3600140500000000000000000000000ff"));
        assert_null(strstr(xml, "<serial>"));
        /* the drives keep their indexes: the map is still vdb */
        assert_non_null(strstr(xml, "<target dev=\"vdb\" bus=\"virtio\"/>"));
        assert_non_null(problems);
        assert_non_null(problems[0]);
        assert_non_null(problems[1]);
        assert_null(problems[2]);
        if (strncmp(problems[0], "drive 1 (alias ua-extra): left out: ", 36) != 0 ||
            !strstr(problems[0], "3600140500000000000000000000000ff"))
                fail_msg("warning: %s", problems[0]);
        if (strncmp(problems[1], "drive 3: key 'serial' left out", 30) != 0)
                fail_msg("warning: %s", problems[1]);
        storvirt_strv_free(problems);
        problems = NULL;
        storvirt_free(xml);
        xml = NULL;
        /* without the flag: the same devices, no warnings handed back */
        r = storvirt_resolve_vm(ctx, vm, &xml, &problems, 0);
        assert_int_equal(r, 0);
        assert_null(problems);
        assert_int_equal(count(xml, "<disk "), 2);
        storvirt_free(xml);
        xml = NULL;
        /* not optional: a problem */
        r = storvirt_resolve_vm(ctx, "[{\"GUID\": \"3600140500000000000000000000000ff\"}]", &xml,
                                &problems, STORVIRT_RESOLVE_WARNINGS);
        assert_int_equal(r, -EINVAL);
        assert_null(xml);
        assert_non_null(problems);
        storvirt_strv_free(problems);
        problems = NULL;
        /* optional, but the spec itself is wrong: a problem */
        r = storvirt_resolve_vm(ctx, "[{\"GUID\": \"3600140500000000000000000000000ff\", "
                                     "\"optional\": true, \"iface\": \"fdc\"}]",
                                &xml, &problems, STORVIRT_RESOLVE_WARNINGS);
        assert_int_equal(r, -EINVAL);
        storvirt_strv_free(problems);
        problems = NULL;
        /* one drive: the serial is left out too */
        xml = resolve_json("{\"GUID\": \"" GUID_SDB "\", \"device\": \"lun\", \"serial\": \"abc\"}",
                           0, &r);
        assert_int_equal(r, 0);
        assert_null(strstr(xml, "serial"));
        storvirt_free(xml);
        /* the flag is for VMs only */
        xml = resolve_json("{\"GUID\": \"" GUID_SDB "\"}", STORVIRT_RESOLVE_WARNINGS, &r);
        assert_int_equal(r, -EINVAL);
}

static storvirt_vdisk *import_json(const char *json, int want) {
        storvirt_disk_spec *spec = NULL;
        storvirt_vdisk *v = NULL;
        int r;

        assert_int_equal(storvirt_disk_spec_from_json(json, &spec, 0), 0);
        r = storvirt_vdisk_import(ctx, spec, NULL, 0, &v);
        storvirt_disk_spec_free(spec);
        if (r != want)
                fail_msg("import %s: %d (%s), want %d", json, r, storvirt_error_message(), want);
        return v;
}

/*
 * The same LUN imported by GUID, by its map's device node and by one of
 * its member paths is one vDisk, whose id is the name-based UUID of
 * "lun:GUID"; LUN lists mark it and --unattached leaves it out.
 */
static void test_vdisk_identity(void **st) {
        char state[] = "/tmp/storvirt-test-resolve-XXXXXX", cmd[128], want[40], spec[512];
        storvirt_vdisk *a, *b, *c, *d;
        storvirt_lun **luns = NULL;
        storvirt__uuid u;
        char *json = NULL, *xml;
        yajl_val root = NULL, images;
        int r;

        storvirt_ctx *saved = ctx;

        (void)st;
        assert_non_null(mkdtemp(state));
        /* a context of its own, on a state directory of its own */
        assert_int_equal(storvirt_ctx_new(&ctx, STORVIRT_CTX_NEW_IGNORE_ENV |
                                                        STORVIRT_CTX_NEW_NO_AUTOSTART), 0);
        assert_int_equal(storvirt_ctx_set_state_dir(ctx, state, 0), 0);
        a = import_json("{\"GUID\": \"" GUID_MAP1 "\"}", 0);
        b = import_json("{\"path\": \"/dev/dm-1\"}", 1);
        c = import_json("{\"path\": \"/dev/sdi\"}", 1);        /* a member path */
        d = import_json("{\"GUID\": \"" GUID_SDB "\"}", 0);
        assert_string_equal(storvirt_vdisk_get_id(a), storvirt_vdisk_get_id(b));
        assert_string_equal(storvirt_vdisk_get_id(a), storvirt_vdisk_get_id(c));
        assert_string_not_equal(storvirt_vdisk_get_id(a), storvirt_vdisk_get_id(d));
        assert_int_equal(storvirt__uuid_generate_v5(&STORVIRT__UUID_NS, "lun:" GUID_MAP1, &u), 0);
        assert_string_equal(storvirt_vdisk_get_id(a), storvirt__uuid_format(&u, want));

        /* the base image is the map, by its device node, and resolves by its quartet */
        assert_int_equal(storvirt_vdisk_get_json(a, &json, 0), 0);
        assert_int_equal(storvirt__json_parse(json, strlen(json), 1 << 20, &root, "vdisk"), 0);
        images = yajl_tree_get(root, (const char *[]){ "images", NULL }, yajl_t_array);
        assert_non_null(images);
        {
                yajl_val im = images->u.array.values[0];
                const char *pool_id = NULL, *domain_id = NULL, *volume_id = NULL, *path = NULL;

                assert_int_equal(storvirt__json_get_string(im, "poolID", true, &pool_id), 1);
                assert_int_equal(storvirt__json_get_string(im, "domainID", true, &domain_id), 1);
                assert_int_equal(storvirt__json_get_string(im, "volumeID", true, &volume_id), 1);
                assert_int_equal(storvirt__json_get_string(im, "path", true, &path), 1);
                assert_string_equal(path, "/dev/dm-1");
                snprintf(spec, sizeof(spec), "{\"poolID\": \"%s\", \"domainID\": \"%s\", "
                                             "\"imageID\": \"%s\", \"volumeID\": \"%s\", "
                                             "\"device\": \"lun\", \"iface\": \"scsi\"}",
                         pool_id, domain_id, storvirt_vdisk_get_id(a), volume_id);
        }
        xml = resolve_json(spec, 0, &r);
        if (r < 0)
                fail_msg("resolve %s: %s", spec, storvirt_error_message());
        assert_attr(xml, NULL, "type", "block");
        assert_attr(xml, NULL, "device", "lun");
        assert_attr(xml, "source", "dev", "/dev/dm-1");
        storvirt_free(xml);
        storvirt__json_free(root);
        storvirt_free(json);

        /* LUN lists: marked, and left out of the unattached */
        assert_int_equal(storvirt_lun_list(ctx, NULL, &luns, NULL, 0), 0);
        assert_int_equal(storvirt_lun_list_to_json(luns, &json, 0), 0);
        snprintf(spec, sizeof(spec), "\"vdiskID\":\"%s\"", storvirt_vdisk_get_id(a));
        assert_non_null(strstr(json, spec));
        storvirt_free(json);
        for (size_t i = 0; luns[i]; i++) {
                const char *g = storvirt_lun_get_guid(luns[i]);
                if (g && (!strcmp(g, GUID_MAP1) || !strcmp(g, GUID_SDB)))
                        continue;
                assert_int_equal(storvirt_lun_get_json(luns[i], &json, 0), 0);
                assert_null(strstr(json, "vdiskID"));
                storvirt_free(json);
        }
        storvirt_lun_list_free(luns);
        assert_int_equal(storvirt_lun_list(ctx, NULL, &luns, NULL, STORVIRT_LUN_LIST_UNATTACHED), 0);
        for (size_t i = 0; luns[i]; i++) {
                const char *g = storvirt_lun_get_guid(luns[i]);
                assert_false(g && (!strcmp(g, GUID_MAP1) || !strcmp(g, GUID_SDB)));
        }
        storvirt_lun_list_free(luns);

        storvirt_vdisk_unref(a);
        storvirt_vdisk_unref(b);
        storvirt_vdisk_unref(c);
        storvirt_vdisk_unref(d);
        storvirt_ctx_unref(ctx);
        ctx = saved;
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", state);
        assert_int_equal(system(cmd), 0);
}

static char main_state[] = "/tmp/storvirt-test-resolve-main-XXXXXX";

static int setup(void **st) {
        int r;

        (void)st;
        if (!mkdtemp(main_state))
                return -1;
        r = storvirt_ctx_new(&ctx, STORVIRT_CTX_NEW_IGNORE_ENV | STORVIRT_CTX_NEW_NO_AUTOSTART);
        if (r >= 0)
                r = storvirt_ctx_set_state_dir(ctx, main_state, 0);
        return r;
}

static int teardown(void **st) {
        char cmd[128];

        (void)st;
        storvirt_ctx_unref(ctx);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", main_state);
        return system(cmd) == 0 ? 0 : -1;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_guid_disk),
                cmocka_unit_test(test_guid_map),
                cmocka_unit_test(test_stale_disk),
                cmocka_unit_test(test_stale_member),
                cmocka_unit_test(test_unknown),
                cmocka_unit_test(test_vm),
                cmocka_unit_test(test_lun_needs_scsi),
                cmocka_unit_test(test_vm_scsi_controllers),
                cmocka_unit_test(test_vm_optional),
                cmocka_unit_test(test_vdisk_identity),
        };

        if (access("/sys/block/dm-1/slaves", F_OK) < 0) {
                fprintf(stderr, "run under umockdev-run with the fixture testbed\n");
                return 77;
        }
        return cmocka_run_group_tests(tests, setup, teardown);
}
