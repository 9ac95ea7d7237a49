/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-resolve-files.c - specs that resolve to real files, pool volumes
 * and loop devices on this host: a path to a raw file (io threads), a
 * qcow2 file whose format must be given (never guessed from content) and
 * checked, a volume of a dir pool as a file or as <disk type='volume'>,
 * an empty cdrom, an iSCSI network disk, optional disks and removable
 * media as VDSM writes them, the DAC seclabel on request, and the blkid
 * UUID of an ext4 loop device (root only).  Every <disk> written here is
 * also saved, wrapped in a domain, to $STORVIRT_TEST_DOMAINS_DIR when
 * that is set, for libvirt's own schema and parser to judge.
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
#include <sys/stat.h>
#include <unistd.h>

#include <storvirt.h>

#include "sys/blkid_probe.h"
#include "sys/command.h"
#include "sys/mount.h"
#include "util/macro.h"
#include "util/xml.h"

#define MiB (1024ull * 1024)
#define FS_UUID "7c2e9a41-3b5d-4f6e-8a90-1d2c3b4a5f6e"

static char base[64];
static storvirt_ctx *ctx;
static unsigned saved;

static int run(const char *fmt, ...) _printf_(1, 2);
static int run(const char *fmt, ...) {
        _cleanup_free_ char *cmd = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&cmd, fmt, ap);
        va_end(ap);
        assert_true(r > 0);
        return system(cmd);
}

static void file_of(const char *name, uint64_t size, char *buf, size_t n) {
        int fd;

        snprintf(buf, n, "%s/%s", base, name);
        fd = open(buf, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(ftruncate(fd, (off_t)size), 0);
        close(fd);
}

/* Keeps a copy of the disk in a minimal domain for the libvirt judge. */
static void save_domain(const char *disk) {
        const char *dir = getenv("STORVIRT_TEST_DOMAINS_DIR");
        char path[512];
        FILE *f;

        if (!dir || !*dir)
                return;
        snprintf(path, sizeof(path), "%s/resolve-files-%02u.xml", dir, saved);
        f = fopen(path, "w");
        assert_non_null(f);
        fprintf(f, "<domain type='test'>\n  <name>resolve-files-%02u</name>\n"
                   "  <memory unit='MiB'>64</memory>\n  <os><type>hvm</type></os>\n"
                   "  <devices>\n%s\n  </devices>\n</domain>\n", saved, disk);
        fclose(f);
        saved++;
}

static char *resolve(const char *json, uint32_t flags, int *ret) {
        storvirt_disk_spec *spec = NULL;
        char *out = NULL;
        int r;

        r = storvirt_disk_spec_from_json(json, &spec, 0);
        if (r < 0) {
                *ret = r;
                return NULL;
        }
        *ret = storvirt_resolve_disk(ctx, spec, &out, flags);
        storvirt_disk_spec_free(spec);
        if (*ret == 0 && !(flags & STORVIRT_RESOLVE_DICT))
                save_domain(out);
        return out;
}

static char *resolve_ok(const char *json) {
        int r;
        char *xml = resolve(json, 0, &r);

        if (r < 0)
                fail_msg("resolving %s: %s", json, storvirt_error_message());
        return xml;
}

static void assert_attr(const char *xml, const char *elem, const char *attr, const char *want) {
        _cleanup_xml_doc_ xmlDocPtr doc = NULL;
        xmlNodePtr n;
        const char *v;

        if (storvirt__xml_parse(xml, strlen(xml), 1 << 20, "disk", &doc) < 0)
                fail_msg("bad XML: %s\n%s", storvirt_error_message(), xml);
        n = xmlDocGetRootElement(doc);
        if (elem)
                n = storvirt__xml_child(n, elem);
        v = n ? storvirt__xml_prop(n, attr) : NULL;
        if (!want ? v != NULL : (!v || strcmp(v, want) != 0))
                fail_msg("<%s %s>: want '%s', got '%s' in\n%s", elem ? elem : "disk", attr,
                         want ? want : "(none)", v ? v : "(none)", xml);
}

static void test_raw_file(void **st) {
        char img[128], json[512], *xml;

        (void)st;
        file_of("raw.img", 8 * MiB, img, sizeof(img));
        snprintf(json, sizeof(json), "{\"path\": \"%s\", \"bootOrder\": 2, \"serial\": \"abc-1\"}",
                 img);
        xml = resolve_ok(json);
        assert_attr(xml, NULL, "type", "file");
        assert_attr(xml, "source", "file", img);
        assert_attr(xml, "driver", "type", "raw");
        assert_attr(xml, "driver", "io", "threads");
        assert_attr(xml, "target", "dev", "vda");
        assert_attr(xml, "boot", "order", "2");
        storvirt_free(xml);
}

static void test_qcow2_file(void **st) {
        char img[128], json[512], *xml;
        int r;

        (void)st;
        snprintf(img, sizeof(img), "%s/img.qcow2", base);
        if (storvirt__command_find("qemu-img", NULL) < 0) {
                print_message("needs qemu-img\n");
                skip();
        }
        assert_int_equal(run("qemu-img create -q -f qcow2 %s 16M", img), 0);
        /* Not given: refused, never guessed. */
        snprintf(json, sizeof(json), "{\"path\": \"%s\"}", img);
        xml = resolve(json, 0, &r);
        assert_null(xml);
        assert_int_equal(r, -EINVAL);
        assert_non_null(strstr(storvirt_error_message(), "qcow2 image"));
        assert_non_null(strstr(storvirt_error_message(), "format"));
        /* Given: used. */
        snprintf(json, sizeof(json), "{\"path\": \"%s\", \"format\": \"cow\"}", img);
        xml = resolve_ok(json);
        assert_attr(xml, "driver", "type", "qcow2");
        storvirt_free(xml);
        /* A raw file claimed as qcow2: refused. */
        file_of("plain.img", MiB, img, sizeof(img));
        snprintf(json, sizeof(json), "{\"path\": \"%s\", \"format\": \"qcow2\"}", img);
        xml = resolve(json, 0, &r);
        assert_null(xml);
        assert_int_equal(r, -EINVAL);
        assert_non_null(strstr(storvirt_error_message(), "not a qcow2 image"));
}

static void test_pool_volume(void **st) {
        storvirt_pool *pool = NULL;
        storvirt_volume *vol = NULL;
        char xmlbuf[512], *xml;
        int r;

        (void)st;
        snprintf(xmlbuf, sizeof(xmlbuf), "<pool type='dir'><name>rp</name><target><path>%s/pool"
                                         "</path></target></pool>", base);
        assert_int_equal(storvirt_pool_create_xml(ctx, xmlbuf, &pool, STORVIRT_POOL_CREATE_BUILD), 0);
        assert_int_equal(storvirt_volume_create_xml(pool, "<volume><name>v1.qcow2</name>"
                                                          "<capacity unit='MiB'>64</capacity>"
                                                          "<target><format type='qcow2'/></target>"
                                                          "</volume>", &vol, NULL, NULL, 0), 0);
        /* The volume's own format is used. */
        xml = resolve_ok("{\"pool\": \"rp\", \"volume\": \"v1.qcow2\", \"iface\": \"sata\"}");
        assert_attr(xml, NULL, "type", "file");
        assert_attr(xml, "source", "file", storvirt_volume_get_path(vol));
        assert_attr(xml, "driver", "type", "qcow2");
        assert_attr(xml, "target", "dev", "sda");
        storvirt_free(xml);
        /* As <disk type='volume'>. */
        xml = resolve_ok("{\"pool\": \"rp\", \"volume\": \"v1.qcow2\", \"diskType\": \"volume\"}");
        assert_attr(xml, NULL, "type", "volume");
        assert_attr(xml, "source", "pool", "rp");
        assert_attr(xml, "source", "volume", "v1.qcow2");
        storvirt_free(xml);
        /* Wrong format claimed, missing volume, missing pool. */
        xml = resolve("{\"pool\": \"rp\", \"volume\": \"v1.qcow2\", \"format\": \"raw\"}", 0, &r);
        assert_int_equal(r, -EINVAL);
        assert_non_null(strstr(storvirt_error_message(), "is qcow2, not raw"));
        xml = resolve("{\"pool\": \"rp\", \"volume\": \"nope\"}", 0, &r);
        assert_int_equal(r, -ENOENT);
        xml = resolve("{\"pool\": \"nopool\", \"volume\": \"v1\"}", 0, &r);
        assert_int_equal(r, -ENOENT);
        storvirt_volume_unref(vol);
        assert_int_equal(storvirt_pool_stop(pool, 0), 0);
        storvirt_pool_unref(pool);
}

static void test_removable_and_network(void **st) {
        char *xml;
        int r;

        (void)st;
        xml = resolve_ok("{\"device\": \"cdrom\"}");
        assert_attr(xml, NULL, "device", "cdrom");
        assert_attr(xml, "target", "bus", "ide");
        assert_attr(xml, "driver", "io", NULL);
        storvirt_free(xml);
        /* An optional cdrom whose image is missing is still a drive. */
        xml = resolve_ok("{\"device\": \"cdrom\", \"path\": \"/nonexistent/boot.iso\", "
                         "\"optional\": true}");
        assert_attr(xml, "source", "startupPolicy", "optional");
        storvirt_free(xml);
        xml = resolve("{\"path\": \"/nonexistent/disk.img\"}", 0, &r);
        assert_int_equal(r, -ENOENT);
        assert_non_null(strstr(storvirt_error_message(), "/nonexistent/disk.img"));

        xml = resolve_ok("{\"iscsi\": {\"portal\": \"192.0.2.10:3260\", \"target\": "
                         "\"iqn.2026-11.example:t1\", \"lun\": 2, \"auth\": {\"username\": \"u1\", "
                         "\"secret_uuid\": \"1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d\"}}}");
        assert_attr(xml, NULL, "type", "network");
        assert_attr(xml, "source", "protocol", "iscsi");
        assert_attr(xml, "source", "name", "iqn.2026-11.example:t1/2");
        assert_null(strstr(xml, "password"));
        storvirt_free(xml);
}


/* A refused network drive: the error is -want and names each of parts. */
static void network_refused(const char *json, int want, const char *part1, const char *part2) {
        int r;
        char *xml = resolve(json, 0, &r);

        if (r != want)
                fail_msg("%s: want %d, got %d (%s)", json, want, r,
                         r < 0 ? storvirt_error_message() : xml);
        if (!strstr(storvirt_error_message(), part1) ||
            (part2 && !strstr(storvirt_error_message(), part2)))
                fail_msg("%s: want '%s' and '%s' in: %s", json, part1, part2 ? part2 : "",
                         storvirt_error_message());
}

/*
 * VDSM's network drive dict (diskType network, protocol, hosts with
 * ports as strings, auth of type ceph, path the image's name): taken as
 * given into <disk type='network'>, rbd with its monitors and cephx
 * secret, gluster with its servers; bad values refused naming the key.
 */
static void test_vdsm_network_drive(void **st) {
        char *xml;

        (void)st;
        xml = resolve_ok("{\"diskType\": \"network\", \"protocol\": \"rbd\", \"device\": \"disk\", "
                         "\"path\": \"vmpool/vm1-disk0\", \"format\": \"raw\", \"hosts\": ["
                         "{\"name\": \"192.0.2.21\", \"port\": \"6789\", \"transport\": \"tcp\"}, "
                         "{\"name\": \"mon2.example.org\", \"port\": \"3300\", "
                         "\"transport\": \"tcp\"}], \"auth\": {\"type\": \"ceph\", "
                         "\"username\": \"vmuser\", "
                         "\"uuid\": \"7A1B2C3D-4E5F-4061-8273-94A5B6C7D8E9\"}}");
        assert_attr(xml, NULL, "type", "network");
        assert_attr(xml, "source", "protocol", "rbd");
        assert_attr(xml, "source", "name", "vmpool/vm1-disk0");
        assert_non_null(strstr(xml, "<host name=\"192.0.2.21\" port=\"6789\"/>"));
        assert_non_null(strstr(xml, "<host name=\"mon2.example.org\" port=\"3300\"/>"));
        assert_non_null(strstr(xml, "<auth username=\"vmuser\">"));
        assert_non_null(strstr(xml, "<secret type=\"ceph\" "
                                    "uuid=\"7a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9\"/>"));
        storvirt_free(xml);
        /* without auth (a cluster with cephx off), port left to QEMU */
        xml = resolve_ok("{\"diskType\": \"network\", \"protocol\": \"rbd\", \"path\": \"rbd/img\", "
                         "\"hosts\": [{\"name\": \"2001:db8::5\"}]}");
        assert_null(strstr(xml, "<auth"));
        assert_non_null(strstr(xml, "<host name=\"2001:db8::5\"/>"));
        storvirt_free(xml);
        xml = resolve_ok("{\"diskType\": \"network\", \"protocol\": \"gluster\", "
                         "\"path\": \"gv0/images/vm2.img\", \"format\": \"raw\", \"hosts\": ["
                         "{\"name\": \"gl1.example.org\", \"port\": \"24007\", "
                         "\"transport\": \"tcp\"}, {\"name\": \"gl2.example.org\", "
                         "\"transport\": \"rdma\"}]}");
        assert_attr(xml, "source", "protocol", "gluster");
        assert_attr(xml, "source", "name", "gv0/images/vm2.img");
        assert_non_null(strstr(xml, "<host name=\"gl1.example.org\" port=\"24007\"/>"));
        assert_non_null(strstr(xml, "<host name=\"gl2.example.org\" port=\"24007\" "
                                    "transport=\"rdma\"/>"));
        storvirt_free(xml);

        /* VDSM's dict of the resolved drive reads back as the same drive */
        {
                const char *rbd = "{\"diskType\": \"network\", \"protocol\": \"rbd\", "
                                  "\"path\": \"p/i\", \"hosts\": [{\"name\": \"m1\", "
                                  "\"port\": \"6789\"}], \"auth\": {\"type\": \"ceph\", "
                                  "\"username\": \"u\", "
                                  "\"uuid\": \"7a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9\"}}";
                int r;
                char *dict = resolve(rbd, STORVIRT_RESOLVE_DICT, &r), *again;

                assert_int_equal(r, 0);
                assert_non_null(strstr(dict, "\"protocol\": \"rbd\""));
                assert_non_null(strstr(dict, "\"port\": \"6789\""));
                xml = resolve_ok(rbd);
                again = resolve_ok(dict);
                assert_string_equal(xml, again);
                storvirt_free(xml);
                storvirt_free(again);
                storvirt_free(dict);
        }

#define RBD_HEAD "{\"diskType\": \"network\", \"protocol\": \"rbd\", "
#define HOST "\"hosts\": [{\"name\": \"192.0.2.21\", \"port\": \"6789\"}]"
        network_refused(RBD_HEAD "\"path\": \"p/i\", \"hosts\": []}", -EINVAL, "'hosts'",
                        "no host");
        network_refused(RBD_HEAD "\"path\": \"p/i\"}", -EINVAL, "'hosts'", NULL);
        network_refused(RBD_HEAD "\"path\": \"p/i\", \"hosts\": [{\"name\": \"m\", "
                        "\"port\": \"67a9\"}]}", -EINVAL, "hosts[0].port", "67a9");
        network_refused(RBD_HEAD "\"path\": \"p/i\", \"hosts\": [{\"name\": \"m\", "
                        "\"port\": \"70000\"}]}", -EINVAL, "hosts[0].port", "70000");
        network_refused(RBD_HEAD "\"path\": \"image-only\", " HOST "}", -EINVAL, "'path'",
                        "'image-only' not POOL/IMAGE");
        network_refused(RBD_HEAD "\"path\": \"p/a/b\", " HOST "}", -EINVAL, "'path'", "p/a/b");
        network_refused(RBD_HEAD "\"path\": \"p/i@snap\", " HOST "}", -EINVAL, "'path'", "'@'");
        network_refused("{\"diskType\": \"network\", \"protocol\": \"sheepdog\", "
                        "\"path\": \"p/i\", " HOST "}", -EINVAL, "'protocol'", "'sheepdog'");
        network_refused(RBD_HEAD "\"path\": \"p/i\", \"hosts\": [{\"name\": \"m\", "
                        "\"transport\": \"udp\"}]}", -EINVAL, "hosts[0].transport", "'udp'");
        network_refused(RBD_HEAD "\"path\": \"p/i\", \"hosts\": [{\"name\": \"m\", "
                        "\"transport\": \"unix\"}]}", -EOPNOTSUPP, "hosts[0].transport", "'unix'");
        network_refused(RBD_HEAD "\"path\": \"p/i\", \"hosts\": [{\"name\": \"m\", "
                        "\"socket\": \"/x\"}]}", -EINVAL, "socket", NULL);
        network_refused(RBD_HEAD "\"path\": \"p/i\", " HOST ", \"auth\": {\"type\": \"iscsi\", "
                        "\"username\": \"u\", \"uuid\": \"7a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9\"}}",
                        -EINVAL, "auth.type", "'iscsi'");
        network_refused(RBD_HEAD "\"path\": \"p/i\", " HOST ", \"auth\": {\"type\": \"ceph\", "
                        "\"username\": \"u\", \"uuid\": \"not-a-uuid\"}}", -EINVAL, "auth.uuid",
                        NULL);
        network_refused("{\"diskType\": \"file\", \"protocol\": \"rbd\", \"path\": \"p/i\", "
                        HOST "}", -EINVAL, "'diskType'", "'file'");
        network_refused("{\"hosts\": [{\"name\": \"m\"}], \"path\": \"p/i\"}", -EINVAL,
                        "'hosts' without key 'protocol'", NULL);
        network_refused("{\"diskType\": \"network\", \"protocol\": \"gluster\", "
                        "\"path\": \"gv0/f\", " HOST ", \"auth\": {\"type\": \"ceph\", "
                        "\"username\": \"u\", \"uuid\": \"7a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9\"}}",
                        -EINVAL, "'auth'", "gluster");
        network_refused("{\"protocol\": \"rbd\", \"path\": \"p/i\", " HOST ", "
                        "\"GUID\": \"360014051234\"}", -EINVAL, "more than one source", NULL);
#undef RBD_HEAD
#undef HOST
}

/*
 * startupPolicy where libvirt takes it; removable media as VDSM writes
 * them (optional, no cache mode unless given, no error policy on a
 * floppy); the DAC seclabel on request; what QEMU refuses, refused.
 */
static void test_optional_removable_relabel(void **st) {
        char img[128], iso[128], json[512], *xml;
        int r;

        (void)st;
        /* a disk whose file is missing: libvirt leaves it out when the VM starts */
        snprintf(json, sizeof(json), "{\"path\": \"%s/gone.raw\", \"optional\": true}", base);
        xml = resolve_ok(json);
        assert_attr(xml, NULL, "type", "file");
        assert_attr(xml, "source", "startupPolicy", "optional");
        assert_attr(xml, "driver", "type", "raw");
        storvirt_free(xml);
        /* a cdrom with a medium is optional without being asked, and has no cache mode */
        file_of("boot.iso", MiB, iso, sizeof(iso));
        snprintf(json, sizeof(json), "{\"device\": \"cdrom\", \"path\": \"%s\"}", iso);
        xml = resolve_ok(json);
        assert_attr(xml, "source", "startupPolicy", "optional");
        assert_attr(xml, "driver", "cache", NULL);
        assert_attr(xml, "driver", "error_policy", "stop");
        storvirt_free(xml);
        /* its ISO missing: the VM starts with an empty drive */
        snprintf(json, sizeof(json), "{\"device\": \"cdrom\", \"path\": \"%s/gone.iso\", "
                                     "\"iface\": \"sata\"}", base);
        xml = resolve_ok(json);
        assert_attr(xml, "source", "startupPolicy", "optional");
        storvirt_free(xml);
        /* a floppy: no error policy (QEMU's floppy device has none), no cache mode */
        file_of("drivers.vfd", MiB, img, sizeof(img));
        snprintf(json, sizeof(json), "{\"device\": \"floppy\", \"path\": \"%s\", "
                                     "\"propagateErrors\": \"off\"}", img);
        xml = resolve_ok(json);
        assert_attr(xml, "driver", "error_policy", NULL);
        assert_attr(xml, "driver", "cache", NULL);
        assert_attr(xml, "source", "startupPolicy", "optional");
        storvirt_free(xml);
        /* the DAC seclabel, for managers that own the files' ownership */
        file_of("owned.raw", MiB, img, sizeof(img));
        snprintf(json, sizeof(json), "{\"path\": \"%s\"}", img);
        xml = resolve(json, STORVIRT_RESOLVE_NO_RELABEL, &r);
        if (r < 0)
                fail_msg("%s", storvirt_error_message());
        assert_non_null(strstr(xml, "<seclabel model=\"dac\" relabel=\"no\"/>"));
        storvirt_free(xml);
        /* what libvirt's qemu driver refuses */
        snprintf(json, sizeof(json), "{\"path\": \"%s\", \"iface\": \"sata\", "
                                     "\"readonly\": true}", img);
        xml = resolve(json, 0, &r);
        assert_null(xml);
        assert_int_equal(r, -EINVAL);
        assert_non_null(strstr(storvirt_error_message(), "a read-only disk on bus sata"));
        snprintf(json, sizeof(json), "{\"path\": \"%s\", \"device\": \"lun\"}", img);
        xml = resolve(json, 0, &r);
        assert_null(xml);
        assert_int_equal(r, -EINVAL);
}

static void test_fs_uuid_loop(void **st) {
        storvirt__loop loop = STORVIRT__LOOP_INIT;
        char img[128], json[256], *xml;

        (void)st;
        if (geteuid() != 0 || access("/dev/loop-control", W_OK) < 0 ||
            !storvirt__blkid_available() || storvirt__command_find("mkfs.ext4", NULL) < 0) {
                print_message("needs root, /dev/loop-control, libblkid and mkfs.ext4\n");
                skip();
        }
        file_of("ext4.img", 32 * MiB, img, sizeof(img));
        assert_int_equal(run("mkfs.ext4 -q -F -U %s %s >/dev/null 2>&1", FS_UUID, img), 0);
        assert_int_equal(storvirt__loop_attach(img, true, &loop), 0);
        /* Not in the snapshot yet: one discovery pass finds it. */
        snprintf(json, sizeof(json), "{\"UUID\": \"%s\", \"readonly\": true}", FS_UUID);
        xml = resolve_ok(json);
        assert_attr(xml, NULL, "type", "block");
        assert_attr(xml, "source", "dev", loop.path);
        assert_attr(xml, "driver", "io", "native");
        storvirt_free(xml);
        storvirt__loop_detach(&loop);
}

static int setup(void **st) {
        (void)st;
        snprintf(base, sizeof(base), "/var/tmp/storvirt-resolve.XXXXXX");
        if (!mkdtemp(base))
                return -1;
        if (storvirt_ctx_new(&ctx, STORVIRT_CTX_NEW_IGNORE_ENV | STORVIRT_CTX_NEW_NO_AUTOSTART) < 0)
                return -1;
        {
                char state[128];
                snprintf(state, sizeof(state), "%s/state", base);
                return storvirt_ctx_set_state_dir(ctx, state, 0);
        }
}

static int teardown(void **st) {
        (void)st;
        storvirt_ctx_unref(ctx);
        return run("rm -rf '%s'", base) == 0 ? 0 : -1;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_raw_file),
                cmocka_unit_test(test_qcow2_file),
                cmocka_unit_test(test_pool_volume),
                cmocka_unit_test(test_removable_and_network),
                cmocka_unit_test(test_vdsm_network_drive),
                cmocka_unit_test(test_optional_removable_relabel),
                cmocka_unit_test(test_fs_uuid_loop),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
