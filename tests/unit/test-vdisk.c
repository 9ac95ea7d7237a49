/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-vdisk.c - vDisks on real files in a real dir pool: the same
 * storage gives the same vDisk (by path, by another path to the same
 * file, by pool and volume); snapshots as native qcow2 overlays, their
 * chain in the <disk> XML and as qemu-img reads it; the quartet and
 * vdisk specs through resolution; a snapshot interrupted by a crash at
 * each step is rolled back on the next open; attachments, refusals
 * (-EBUSY) and what is removed from storage only with a flag; local
 * directory connections held and released by prepare / release.
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
#include <sys/wait.h>
#include <unistd.h>

#include <storvirt.h>

#include "vdisk/vdisk.h"
#include "util/json.h"
#include "util/macro.h"

static char base[64], state[128], images[128], outside[160];

static int setup(void **st) {
        int fd;

        (void)st;
        snprintf(base, sizeof(base), "/tmp/storvirt-vdisk.XXXXXX");
        if (!mkdtemp(base))
                return -1;
        snprintf(state, sizeof(state), "%s/state", base);
        snprintf(images, sizeof(images), "%s/images", base);
        snprintf(outside, sizeof(outside), "%s/outside.raw", base);
        fd = open(outside, O_CREAT | O_WRONLY, 0600);
        if (fd < 0 || ftruncate(fd, 8 << 20) < 0)
                return -1;
        close(fd);
        return 0;
}

static int teardown(void **st) {
        char cmd[128];

        (void)st;
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
        return system(cmd) == 0 ? 0 : -1;
}

/* Saves a <disk> wrapped in a domain for libvirt to judge (tests/scripts/judge-resolved.sh). */
static void save_domain(const char *disk) {
        static unsigned saved;
        const char *dir = getenv("STORVIRT_TEST_DOMAINS_DIR");
        char path[512];
        FILE *f;

        if (!dir || !*dir)
                return;
        snprintf(path, sizeof(path), "%s/vdisk-%02u.xml", dir, saved);
        f = fopen(path, "w");
        assert_non_null(f);
        fprintf(f, "<domain type='test'>\n  <name>vdisk-%02u</name>\n"
                   "  <memory unit='MiB'>64</memory>\n  <os><type>hvm</type></os>\n"
                   "  <devices>\n%s\n  </devices>\n</domain>\n", saved, disk);
        fclose(f);
        saved++;
}

static storvirt_ctx *ctx_open(void) {
        storvirt_ctx *ctx = NULL;

        assert_int_equal(storvirt_ctx_new(&ctx, STORVIRT_CTX_NEW_IGNORE_ENV), 0);
        assert_int_equal(storvirt_ctx_set_state_dir(ctx, state, 0), 0);
        return ctx;
}

static storvirt_pool *dir_pool(storvirt_ctx *ctx) {
        storvirt_pool *pool = NULL;
        char xml[256];

        if (storvirt_pool_lookup_by_name(ctx, "images", &pool) == 0)
                return pool;
        snprintf(xml, sizeof(xml), "<pool type='dir'><name>images</name><target><path>%s</path>"
                                   "</target></pool>", images);
        assert_int_equal(storvirt_pool_define_xml(ctx, xml, &pool, 0), 0);
        assert_int_equal(storvirt_pool_build(pool, 0), 0);
        assert_int_equal(storvirt_pool_start(pool, 0), 0);
        return pool;
}

static void make_raw(storvirt_pool *pool, const char *name) {
        storvirt_volume *vol = NULL;
        char xml[256];

        snprintf(xml, sizeof(xml), "<volume><name>%s</name><capacity unit='MiB'>16</capacity><allocation>0</allocation>"
                                   "<target><format type='raw'/></target></volume>", name);
        assert_int_equal(storvirt_volume_create_xml(pool, xml, &vol, NULL, NULL, 0), 0);
        storvirt_volume_unref(vol);
}

static storvirt_disk_spec *spec_of(const char *json) {
        storvirt_disk_spec *s = NULL;

        if (storvirt_disk_spec_from_json(json, &s, 0) < 0)
                fail_msg("spec %s: %s", json, storvirt_error_message());
        return s;
}

static int import_json(storvirt_ctx *ctx, const char *json, storvirt_vdisk **ret) {
        storvirt_disk_spec *s = spec_of(json);
        int r = storvirt_vdisk_import(ctx, s, NULL, 0, ret);

        storvirt_disk_spec_free(s);
        return r;
}

static yajl_val info(storvirt_vdisk *v) {
        yajl_val root = NULL;
        char *json = NULL;

        assert_int_equal(storvirt_vdisk_get_json(v, &json, 0), 0);
        assert_int_equal(storvirt__json_parse(json, strlen(json), 1 << 24, &root, "vdisk"), 0);
        storvirt_free(json);
        return root;
}

static yajl_val images_of(yajl_val root) {
        yajl_val list = NULL;

        assert_int_equal(storvirt__json_get_array(root, "images", true, &list), 1);
        return list;
}

static const char *field(yajl_val obj, const char *key) {
        const char *s = NULL;

        assert_int_equal(storvirt__json_get_string(obj, key, true, &s), 1);
        return s;
}

/* Output of a command (popen), NUL-terminated, or fail. */
static char *run_out(const char *cmd) {
        char *buf = calloc(1, 1 << 20);
        size_t n = 0, k;
        FILE *p = popen(cmd, "r");

        assert_non_null(buf);
        assert_non_null(p);
        while ((k = fread(buf + n, 1, (1 << 20) - 1 - n, p)) > 0)
                n += k;
        assert_int_equal(pclose(p), 0);
        return buf;
}

static void test_identity(void **st) {
        storvirt_ctx *ctx = ctx_open();
        storvirt_pool *pool = dir_pool(ctx);
        storvirt_vdisk *a = NULL, *b = NULL, *c = NULL, *d = NULL;
        char json[512], link[192];
        yajl_val root, list;

        (void)st;
        make_raw(pool, "base.raw");
        snprintf(json, sizeof(json), "{\"path\": \"%s/base.raw\"}", images);
        assert_int_equal(import_json(ctx, json, &a), 0);                  /* new */
        assert_int_equal(import_json(ctx, "{\"pool\": \"images\", \"volume\": \"base.raw\"}", &b), 1);
        assert_string_equal(storvirt_vdisk_get_id(a), storvirt_vdisk_get_id(b));
        /* another path to the same file */
        snprintf(link, sizeof(link), "%s/link.raw", base);
        assert_int_equal(symlink("images/base.raw", link), 0);
        snprintf(json, sizeof(json), "{\"path\": \"%s\"}", link);
        assert_int_equal(import_json(ctx, json, &c), 1);
        assert_string_equal(storvirt_vdisk_get_id(a), storvirt_vdisk_get_id(c));
        /* another file: another vDisk */
        snprintf(json, sizeof(json), "{\"path\": \"%s\"}", outside);
        assert_int_equal(import_json(ctx, json, &d), 0);
        assert_string_not_equal(storvirt_vdisk_get_id(a), storvirt_vdisk_get_id(d));

        root = info(a);
        assert_string_equal(field(root, "kind"), "file");
        snprintf(json, sizeof(json), "file:%s/base.raw", images);
        assert_string_equal(field(root, "identity"), json);
        list = images_of(root);
        assert_int_equal(list->u.array.len, 1);
        assert_string_equal(field(list->u.array.values[0], "format"), "RAW");
        assert_string_equal(field(list->u.array.values[0], "legality"), "LEGAL");
        assert_string_equal(field(list->u.array.values[0], "volumeType"), "SPARSE");
        assert_string_equal(field(list->u.array.values[0], "pool"), "images");
        assert_string_equal(field(list->u.array.values[0], "domainID"), storvirt_pool_get_uuid(pool));
        assert_string_equal(field(list->u.array.values[0], "imageID"), storvirt_vdisk_get_id(a));
        storvirt__json_free(root);
        root = info(d);
        assert_string_equal(field(images_of(root)->u.array.values[0], "domainID"),
                            "00000000-0000-0000-0000-000000000000");
        storvirt__json_free(root);

        /* the id is the name-based UUID of the identity: stable across state dirs */
        {
                storvirt_vdisk **all = NULL;
                size_t n = 0;

                assert_int_equal(storvirt_vdisk_list(ctx, &all, &n, 0), 0);
                assert_int_equal(n, 2);
                storvirt_vdisk_list_free(all);
        }
        /* what cannot be imported */
        assert_int_equal(import_json(ctx, "{\"vdisk\": \"7d284af6-5859-4650-9e11-b78d6fe9578a\"}", &b),
                         -EINVAL);
        assert_int_equal(import_json(ctx, "{\"path\": \"/nonexistent/x.raw\"}", &b), -ENOENT);
        assert_int_equal(storvirt_vdisk_lookup(ctx, "not-a-uuid", &b), -EINVAL);
        assert_int_equal(storvirt_vdisk_lookup(ctx, "7d284af6-5859-4650-9e11-b78d6fe9578a", &b),
                         -ENOENT);
        storvirt_vdisk_unref(a);
        storvirt_vdisk_unref(b);
        storvirt_vdisk_unref(c);
        storvirt_vdisk_unref(d);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
}

/*
 * VDSM's volumeChain (the image's volumes, in any order) and volumeInfo
 * (the volume used) are checked against the vDisk's image stack.
 */
static void check_volume_chain(storvirt_ctx *ctx, storvirt_vdisk *v, yajl_val list) {
        const char *base_uid = field(list->u.array.values[0], "uid");
        const char *uid1 = field(list->u.array.values[1], "uid");
        const char *uid2 = field(list->u.array.values[2], "uid");
        const char *dom = field(list->u.array.values[2], "domainID");
        char quartet[512], spec[1536], *out = NULL;
        storvirt_disk_spec *s;
        int r;

        snprintf(quartet, sizeof(quartet), "\"poolID\": \"%s\", \"domainID\": \"%s\", "
                 "\"imageID\": \"%s\", \"volumeID\": \"%s\"",
                 field(list->u.array.values[2], "poolID"), dom, storvirt_vdisk_get_id(v), uid2);
        /* every volume, in VDSM's unspecified order: fine */
        snprintf(spec, sizeof(spec), "{%s, \"volumeChain\": [{\"volumeID\": \"%s\"}, "
                 "{\"volumeID\": \"%s\", \"domainID\": \"%s\", \"imageID\": \"%s\"}, "
                 "{\"volumeID\": \"%s\"}], \"volumeInfo\": {\"type\": \"file\", "
                 "\"volumeID\": \"%s\"}}", quartet, uid1, base_uid, dom, storvirt_vdisk_get_id(v),
                 uid2, uid2);
        s = spec_of(spec);
        r = storvirt_resolve_disk(ctx, s, &out, 0);
        if (r < 0)
                fail_msg("%s: %s", spec, storvirt_error_message());
        storvirt_free(out);
        storvirt_disk_spec_free(s);
        /* a volume of the stack missing */
        snprintf(spec, sizeof(spec), "{%s, \"volumeChain\": [{\"volumeID\": \"%s\"}, "
                 "{\"volumeID\": \"%s\"}]}", quartet, base_uid, uid2);
        s = spec_of(spec);
        assert_int_equal(storvirt_resolve_disk(ctx, s, &out, 0), -EINVAL);
        if (!strstr(storvirt_error_message(), "key 'volumeChain'") ||
            !strstr(storvirt_error_message(), uid1))
                fail_msg("%s", storvirt_error_message());
        storvirt_disk_spec_free(s);
        /* a volume that is not the vDisk's */
        snprintf(spec, sizeof(spec), "{%s, \"volumeChain\": [{\"volumeID\": \"%s\"}, "
                 "{\"volumeID\": \"%s\"}, {\"volumeID\": \"%s\"}, "
                 "{\"volumeID\": \"0badc0de-0000-4000-8000-000000000001\"}]}",
                 quartet, base_uid, uid1, uid2);
        s = spec_of(spec);
        assert_int_equal(storvirt_resolve_disk(ctx, s, &out, 0), -EINVAL);
        if (!strstr(storvirt_error_message(), "0badc0de-0000-4000-8000-000000000001"))
                fail_msg("%s", storvirt_error_message());
        storvirt_disk_spec_free(s);
        /* another domain */
        snprintf(spec, sizeof(spec), "{%s, \"volumeChain\": [{\"volumeID\": \"%s\", "
                 "\"domainID\": \"0badc0de-0000-4000-8000-000000000002\"}, "
                 "{\"volumeID\": \"%s\"}, {\"volumeID\": \"%s\"}]}", quartet, base_uid, uid1,
                 uid2);
        s = spec_of(spec);
        assert_int_equal(storvirt_resolve_disk(ctx, s, &out, 0), -EINVAL);
        if (!strstr(storvirt_error_message(), "0badc0de-0000-4000-8000-000000000002"))
                fail_msg("%s", storvirt_error_message());
        storvirt_disk_spec_free(s);
        /* volumeInfo says block, the image is a file */
        snprintf(spec, sizeof(spec), "{%s, \"volumeInfo\": {\"type\": \"block\"}}", quartet);
        s = spec_of(spec);
        assert_int_equal(storvirt_resolve_disk(ctx, s, &out, 0), -EINVAL);
        if (!strstr(storvirt_error_message(), "key 'volumeInfo'"))
                fail_msg("%s", storvirt_error_message());
        storvirt_disk_spec_free(s);
        /* a vdisk spec resolves to the top: the chain is checked the same way */
        snprintf(spec, sizeof(spec), "{\"vdisk\": \"%s\", \"volumeInfo\": {\"volumeID\": \"%s\"}}",
                 storvirt_vdisk_get_id(v), uid1);
        s = spec_of(spec);
        assert_int_equal(storvirt_resolve_disk(ctx, s, &out, 0), -EINVAL);
        if (!strstr(storvirt_error_message(), uid2))
                fail_msg("%s", storvirt_error_message());
        storvirt_disk_spec_free(s);
}

static void test_snapshots(void **st) {
        storvirt_ctx *ctx = ctx_open();
        storvirt_pool *pool = dir_pool(ctx);
        storvirt_vdisk *v = NULL;
        char *uid1 = NULL, *uid2 = NULL, *xml = NULL, *out, cmd[512], json[512], spec[768];
        char *resolved = NULL;
        yajl_val root, list, chain = NULL;
        const char *path1, *path2, *state_uuid;
        storvirt_disk_spec *s;

        (void)st;
        make_raw(pool, "snapbase.raw");
        assert_int_equal(import_json(ctx, "{\"pool\": \"images\", \"volume\": \"snapbase.raw\"}", &v), 0);
        assert_int_equal(storvirt_vdisk_snapshot(v, NULL, &uid1, 0), 0);
        assert_int_equal(storvirt_vdisk_snapshot(v, "images", &uid2, 0), 0);
        root = info(v);
        list = images_of(root);
        assert_int_equal(list->u.array.len, 3);
        assert_string_equal(field(list->u.array.values[1], "uid"), uid1);
        assert_string_equal(field(list->u.array.values[2], "uid"), uid2);
        assert_string_equal(field(list->u.array.values[2], "parent"), uid1);
        assert_string_equal(field(list->u.array.values[1], "parent"),
                            field(list->u.array.values[0], "uid"));
        assert_string_equal(field(list->u.array.values[2], "format"), "COW");
        assert_string_equal(field(list->u.array.values[2], "legality"), "LEGAL");
        path1 = field(list->u.array.values[1], "path");
        path2 = field(list->u.array.values[2], "path");

        /* the XML: the top as source, the chain below it */
        assert_int_equal(storvirt_vdisk_get_xml(v, NULL, &xml, 0), 0);
        save_domain(xml);
        snprintf(cmd, sizeof(cmd), "<source file=\"%s\"", path2);
        assert_non_null(strstr(xml, cmd));
        assert_non_null(strstr(xml, "<driver name=\"qemu\" type=\"qcow2\""));
        {
                const char *p1 = strstr(xml, path1), *pb = strstr(xml, "snapbase.raw"),
                           *end = strstr(xml, "<backingStore/>");

                assert_non_null(p1);
                assert_non_null(pb);
                assert_non_null(end);
                assert_true(p1 < pb && pb < end);
        }
        /* qemu-img reads the same chain from the files */
        snprintf(cmd, sizeof(cmd), "qemu-img info --backing-chain --output=json '%s'", path2);
        out = run_out(cmd);
        assert_int_equal(storvirt__json_parse(out, strlen(out), 1 << 20, &chain, "qemu-img"), 0);
        assert_true(YAJL_IS_ARRAY(chain));
        assert_int_equal(chain->u.array.len, 3);
        assert_string_equal(field(chain->u.array.values[0], "filename"), path2);
        assert_string_equal(field(chain->u.array.values[0], "format"), "qcow2");
        assert_string_equal(field(chain->u.array.values[1], "filename"), path1);
        assert_string_equal(field(chain->u.array.values[1], "format"), "qcow2");
        assert_string_equal(field(chain->u.array.values[2], "format"), "raw");
        assert_non_null(strstr(field(chain->u.array.values[2], "filename"), "snapbase.raw"));
        storvirt__json_free(chain);
        free(out);

        /* libvirt's snapshots never touch a disk whose image stack the library keeps */
        assert_non_null(strstr(xml, "<disk type=\"file\" device=\"disk\" snapshot=\"no\">"));
        /*
         * The quartet names the middle image, below the overlay on top:
         * written to, it would corrupt that overlay.  Refused, naming the
         * drive and the rule; read-only, it resolves with its own chain.
         */
        state_uuid = field(list->u.array.values[1], "poolID");
        snprintf(spec, sizeof(spec), "{\"poolID\": \"%s\", \"domainID\": \"%s\", \"imageID\": \"%s\", "
                                     "\"volumeID\": \"%s\"}", state_uuid,
                 field(list->u.array.values[1], "domainID"), storvirt_vdisk_get_id(v), uid1);
        s = spec_of(spec);
        assert_int_equal(storvirt_resolve_disk(ctx, s, &resolved, 0), -EINVAL);
        if (strncmp(storvirt_error_message(), "disk: ", 6) != 0 ||
            !strstr(storvirt_error_message(), uid1) ||
            !strstr(storvirt_error_message(), "read-only"))
                fail_msg("%s", storvirt_error_message());
        storvirt_disk_spec_free(s);
        spec[strlen(spec) - 1] = '\0';
        strcat(spec, ", \"readonly\": true}");
        s = spec_of(spec);
        assert_int_equal(storvirt_resolve_disk(ctx, s, &resolved, 0), 0);
        save_domain(resolved);
        snprintf(cmd, sizeof(cmd), "<source file=\"%s\"", path1);
        assert_non_null(strstr(resolved, cmd));
        assert_null(strstr(resolved, path2));
        assert_non_null(strstr(resolved, "<readonly/>"));
        storvirt_free(resolved);
        storvirt_disk_spec_free(s);
        check_volume_chain(ctx, v, list);
        /* another poolID, another domain */
        snprintf(spec, sizeof(spec), "{\"poolID\": \"11111111-2222-3333-4444-555555555555\", "
                                     "\"domainID\": \"%s\", \"imageID\": \"%s\", \"volumeID\": \"%s\"}",
                 field(list->u.array.values[1], "domainID"), storvirt_vdisk_get_id(v), uid1);
        s = spec_of(spec);
        assert_int_equal(storvirt_resolve_disk(ctx, s, &resolved, 0), -ENOENT);
        assert_non_null(strstr(storvirt_error_message(), "is not this host's storage pool"));
        storvirt_disk_spec_free(s);
        snprintf(spec, sizeof(spec), "{\"poolID\": \"%s\", \"domainID\": "
                                     "\"00000000-0000-0000-0000-000000000000\", \"imageID\": \"%s\", "
                                     "\"volumeID\": \"%s\"}", state_uuid, storvirt_vdisk_get_id(v), uid1);
        s = spec_of(spec);
        assert_int_equal(storvirt_resolve_disk(ctx, s, &resolved, 0), -EINVAL);
        storvirt_disk_spec_free(s);
        /* a vdisk spec gives the top */
        snprintf(spec, sizeof(spec), "{\"vdisk\": \"%s\", \"iface\": \"scsi\"}", storvirt_vdisk_get_id(v));
        s = spec_of(spec);
        assert_int_equal(storvirt_resolve_disk(ctx, s, &resolved, 0), 0);
        snprintf(cmd, sizeof(cmd), "<source file=\"%s\"", path2);
        assert_non_null(strstr(resolved, cmd));
        assert_non_null(strstr(resolved, "bus=\"scsi\""));
        save_domain(resolved);
        storvirt_free(resolved);
        /* a guest spec naming a source is refused */
        assert_int_equal(storvirt_vdisk_get_xml(v, s, &resolved, 0), -EINVAL);
        storvirt_disk_spec_free(s);

        /* only the top can go; its file stays without the flag */
        assert_int_equal(storvirt_vdisk_delete_image(v, uid1, 0), -EINVAL);
        snprintf(json, sizeof(json), "%s", path2);
        assert_int_equal(storvirt_vdisk_delete_image(v, uid2, 0), 0);
        assert_int_equal(access(json, F_OK), 0);
        snprintf(json, sizeof(json), "%s", path1);
        assert_int_equal(storvirt_vdisk_delete_image(v, uid1, STORVIRT_VDISK_DELETE_STORAGE), 0);
        assert_int_equal(access(json, F_OK), -1);
        storvirt__json_free(root);
        root = info(v);
        list = images_of(root);
        assert_int_equal(list->u.array.len, 1);
        assert_int_equal(storvirt_vdisk_delete_image(v, field(list->u.array.values[0], "uid"), 0),
                         -EINVAL);
        assert_non_null(strstr(storvirt_error_message(), "is its base"));
        storvirt__json_free(root);
        /* a vDisk outside pools needs one named */
        {
                storvirt_vdisk *o = NULL;

                snprintf(json, sizeof(json), "{\"path\": \"%s\"}", outside);
                assert_true(import_json(ctx, json, &o) >= 0);
                assert_int_equal(storvirt_vdisk_snapshot(o, NULL, NULL, 0), -EINVAL);
                assert_non_null(strstr(storvirt_error_message(), "name the file pool"));
                assert_int_equal(storvirt_vdisk_snapshot(o, "images", NULL, 0), 0);
                assert_int_equal(storvirt_vdisk_snapshot(o, "nosuchpool", NULL, 0), -ENOENT);
                storvirt_vdisk_unref(o);
        }
        free(uid1);
        free(uid2);
        storvirt_free(xml);
        storvirt_vdisk_unref(v);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
}

/* A child dies at step `point` of a snapshot; the parent's next open rolls it back. */
static void crash_at(int point) {
        storvirt_ctx *ctx = ctx_open();
        storvirt_pool *pool = dir_pool(ctx);
        storvirt_vdisk *v = NULL;
        char name[32], json[128], *xml = NULL;
        int status, files_before = 0, files_after = 0;
        yajl_val root;
        pid_t pid;

        snprintf(name, sizeof(name), "crash%d.raw", point);
        make_raw(pool, name);
        snprintf(json, sizeof(json), "{\"pool\": \"images\", \"volume\": \"%s\"}", name);
        assert_int_equal(import_json(ctx, json, &v), 0);
        {
                char cmd[256], *out;

                snprintf(cmd, sizeof(cmd), "ls '%s' | wc -l", images);
                out = run_out(cmd);
                files_before = atoi(out);
                free(out);
        }
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                storvirt__vdisk_crash_point = point;
                storvirt_vdisk_snapshot(v, NULL, NULL, 0);
                _exit(3);       /* the hook did not fire */
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
        /* the record on disk holds the ILLEGAL image... */
        {
                char path[256], *text = NULL;
                FILE *f;
                size_t n;

                snprintf(path, sizeof(path), "%s/vdisks/%s.json", state, storvirt_vdisk_get_id(v));
                f = fopen(path, "r");
                assert_non_null(f);
                text = calloc(1, 65536);
                n = fread(text, 1, 65535, f);
                fclose(f);
                assert_true(n > 0);
                assert_non_null(strstr(text, "\"ILLEGAL\""));
                free(text);
        }
        /* ...and the next open rolls it back, the overlay gone */
        {
                char id[40];

                snprintf(id, sizeof(id), "%s", storvirt_vdisk_get_id(v));
                storvirt_vdisk_unref(v);
                v = NULL;
                assert_int_equal(storvirt_vdisk_lookup(ctx, id, &v), 0);
        }
        root = info(v);
        assert_int_equal(images_of(root)->u.array.len, 1);
        storvirt__json_free(root);
        assert_int_equal(storvirt_vdisk_get_xml(v, NULL, &xml, 0), 0);
        assert_null(strstr(xml, "qcow2"));
        save_domain(xml);
        storvirt_free(xml);
        {
                char cmd[256], *out;

                snprintf(cmd, sizeof(cmd), "ls '%s' | wc -l", images);
                out = run_out(cmd);
                files_after = atoi(out);
                free(out);
        }
        assert_int_equal(files_after, files_before);
        /* and a snapshot works again */
        assert_int_equal(storvirt_vdisk_snapshot(v, NULL, NULL, 0), 0);
        storvirt_vdisk_unref(v);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
}

/*
 * A failure while resolving a vdisk spec names the drive, whatever the
 * message below says: here the record's path holds "vdisks", which must
 * not pass for the drive's name ("disk").
 */
static void test_resolve_error_names_drive(void **st) {
        storvirt_ctx *ctx = ctx_open();
        storvirt_disk_spec *s;
        storvirt_vdisk *v = NULL;
        char json[512], path[512], *out = NULL, **problems = NULL;
        FILE *f;

        (void)st;
        snprintf(json, sizeof(json), "{\"path\": \"%s\"}", outside);
        assert_int_equal(import_json(ctx, json, &v), 0);
        snprintf(path, sizeof(path), "%s/vdisks/%s.json", state, storvirt_vdisk_get_id(v));
        f = fopen(path, "w");
        assert_non_null(f);
        fputs("{\"broken\": true}", f);
        fclose(f);
        snprintf(json, sizeof(json), "{\"vdisk\": \"%s\"}", storvirt_vdisk_get_id(v));
        s = spec_of(json);
        assert_true(storvirt_resolve_disk(ctx, s, &out, 0) < 0);
        if (strncmp(storvirt_error_message(), "disk: ", 6) != 0)
                fail_msg("the message does not name the drive: %s", storvirt_error_message());
        assert_non_null(strstr(storvirt_error_message(), "corrupted vDisk record"));
        storvirt_disk_spec_free(s);
        snprintf(json, sizeof(json), "{\"drives\": [{\"vdisk\": \"%s\"}]}", storvirt_vdisk_get_id(v));
        assert_true(storvirt_resolve_vm(ctx, json, &out, &problems, 0) < 0);
        assert_non_null(problems);
        if (strncmp(problems[0], "drive 1: ", 9) != 0)
                fail_msg("the problem does not name the drive: %s", problems[0]);
        storvirt_strv_free(problems);
        storvirt_vdisk_unref(v);
        storvirt_ctx_unref(ctx);
}

static void test_crash_recorded(void **st) {
        (void)st;
        crash_at(1);
}

static void test_crash_written(void **st) {
        (void)st;
        crash_at(2);
}

static void test_attach(void **st) {
        storvirt_ctx *ctx = ctx_open();
        storvirt_pool *pool = dir_pool(ctx);
        storvirt_vdisk *v = NULL, *sh = NULL;
        storvirt_disk_spec *guest = spec_of("{\"iface\": \"scsi\", \"index\": 2}");
        storvirt_volume *vol = NULL;
        char *xml = NULL, path[256];
        yajl_val root, list = NULL;

        (void)st;
        make_raw(pool, "att.raw");
        make_raw(pool, "shared.raw");
        assert_int_equal(import_json(ctx, "{\"pool\": \"images\", \"volume\": \"att.raw\"}", &v), 0);
        assert_int_equal(storvirt_vdisk_snapshot(v, NULL, NULL, 0), 0);
        assert_int_equal(storvirt_vdisk_attach(v, "vm-a", guest, &xml, STORVIRT_VDISK_ATTACH_HOTPLUG), 0);
        assert_non_null(strstr(xml, "<target dev=\"sdc\" bus=\"scsi\""));
        save_domain(xml);
        storvirt_free(xml);
        root = info(v);
        assert_int_equal(storvirt__json_get_array(root, "attachments", true, &list), 1);
        assert_int_equal(list->u.array.len, 1);
        assert_string_equal(field(list->u.array.values[0], "vm"), "vm-a");
        assert_string_equal(field(list->u.array.values[0], "dev"), "sdc");
        storvirt__json_free(root);
        /* not shared: one VM */
        assert_int_equal(storvirt_vdisk_attach(v, "vm-b", NULL, NULL, 0), -EBUSY);
        assert_int_equal(storvirt_vdisk_attach(v, "vm-a", NULL, NULL, 0), -EEXIST);
        assert_int_equal(storvirt_vdisk_attach(v, "bad:id", NULL, NULL, 0), -EINVAL);
        /* refusals while attached */
        root = info(v);
        list = images_of(root);
        assert_int_equal(storvirt_vdisk_delete_image(v, field(list->u.array.values[1], "uid"), 0), -EBUSY);
        snprintf(path, sizeof(path), "%s", field(list->u.array.values[0], "path"));
        storvirt__json_free(root);
        assert_int_equal(storvirt_vdisk_delete(v, 0), -EBUSY);
        assert_int_equal(storvirt_volume_lookup_by_path(ctx, path, &vol), 0);
        assert_int_equal(storvirt_volume_delete(vol, 0), -EBUSY);
        assert_non_null(strstr(storvirt_error_message(), storvirt_vdisk_get_id(v)));
        /* shared: two VMs */
        assert_int_equal(import_json(ctx, "{\"pool\": \"images\", \"volume\": \"shared.raw\", "
                                          "\"shared\": \"shared\"}", &sh), 0);
        assert_int_equal(storvirt_vdisk_attach(sh, "vm-a", NULL, &xml, 0), 0);
        assert_non_null(strstr(xml, "<shareable/>"));
        save_domain(xml);
        storvirt_free(xml);
        assert_int_equal(storvirt_vdisk_attach(sh, "vm-b", NULL, NULL, 0), 0);
        /* detach, then delete without the storage flag: files stay */
        assert_int_equal(storvirt_vdisk_detach(v, "vm-b", 0), -ENOENT);
        assert_int_equal(storvirt_vdisk_detach(v, "vm-a", 0), 0);
        root = info(v);
        list = images_of(root);
        snprintf(path, sizeof(path), "%s", field(list->u.array.values[1], "path"));
        storvirt__json_free(root);
        assert_int_equal(storvirt_vdisk_delete(v, 0), 0);
        assert_int_equal(access(path, F_OK), 0);
        assert_int_equal(storvirt_vdisk_get_json(v, &xml, 0), -ENOENT);
        /* attached, forced, with the storage: the overlay goes, the base stays */
        assert_int_equal(storvirt_vdisk_snapshot(sh, NULL, NULL, 0), 0);
        root = info(sh);
        list = images_of(root);
        snprintf(path, sizeof(path), "%s", field(list->u.array.values[1], "path"));
        assert_int_equal(storvirt_vdisk_delete(sh, STORVIRT_VDISK_DELETE_STORAGE), -EBUSY);
        assert_int_equal(storvirt_vdisk_delete(sh, STORVIRT_VDISK_FORCE | STORVIRT_VDISK_DELETE_STORAGE), 0);
        assert_int_equal(access(path, F_OK), -1);
        assert_int_equal(access(field(list->u.array.values[0], "path"), F_OK), 0);
        storvirt__json_free(root);
        storvirt_volume_delete(vol, 0);
        storvirt_volume_unref(vol);
        storvirt_disk_spec_free(guest);
        storvirt_vdisk_unref(v);
        storvirt_vdisk_unref(sh);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
}

/* Connections held per (vDisk, VM): the last release lets go. */
static void test_prepare(void **st) {
        storvirt_ctx *ctx = ctx_open();
        storvirt_pool *pool = dir_pool(ctx);
        storvirt_vdisk *a = NULL, *b = NULL;
        storvirt_connection *conn = NULL;
        storvirt_disk_spec *s;
        char def[256], **ids = NULL, *path = NULL, *json = NULL;
        const char *conn_ids[2] = { NULL, NULL };

        (void)st;
        make_raw(pool, "prep-a.raw");
        make_raw(pool, "prep-b.raw");
        snprintf(def, sizeof(def), "{\"type\": \"localfs\", \"path\": \"%s\"}", images);
        assert_int_equal(storvirt_connection_define(ctx, def, &ids, 0), 0);
        conn_ids[0] = ids[0];
        s = spec_of("{\"pool\": \"images\", \"volume\": \"prep-a.raw\"}");
        assert_int_equal(storvirt_vdisk_import(ctx, s, conn_ids, 0, &a), 0);
        storvirt_disk_spec_free(s);
        s = spec_of("{\"pool\": \"images\", \"volume\": \"prep-b.raw\"}");
        assert_int_equal(storvirt_vdisk_import(ctx, s, conn_ids, 0, &b), 0);
        storvirt_disk_spec_free(s);
        assert_int_equal(storvirt_connection_lookup(ctx, ids[0], &conn), 0);

        assert_int_equal(storvirt_vdisk_prepare(a, "vm1", 0, &path, 0), 0);
        assert_non_null(strstr(path, "prep-a.raw"));
        storvirt_free(path);
        assert_int_equal(storvirt_vdisk_prepare(b, "vm1", 0, NULL, 0), 0);
        assert_int_equal(storvirt_connection_get_json(conn, &json, 0), 0);
        assert_non_null(strstr(json, "\"connected\":true"));
        storvirt_free(json);
        /* a prepared vDisk cannot be deleted, a needed connection not undefined */
        assert_int_equal(storvirt_vdisk_delete(a, 0), -EBUSY);
        assert_int_equal(storvirt_connection_undefine(conn, 0), -EBUSY);
        /* a releases: b still holds the connection */
        assert_int_equal(storvirt_vdisk_release(a, "vm1", 0), 0);
        assert_int_equal(storvirt_connection_get_json(conn, &json, 0), 0);
        assert_non_null(strstr(json, "\"connected\":true"));
        assert_null(strstr(json, storvirt_vdisk_get_id(a)));
        assert_non_null(strstr(json, storvirt_vdisk_get_id(b)));
        storvirt_free(json);
        assert_int_equal(storvirt_vdisk_release(b, "vm1", 0), 0);
        assert_int_equal(storvirt_connection_get_json(conn, &json, 0), 0);
        assert_non_null(strstr(json, "\"connected\":false"));
        storvirt_free(json);
        /* the VM's connections, deduplicated */
        assert_int_equal(storvirt_vdisk_attach(a, "vm1", NULL, NULL, 0), 0);
        s = spec_of("{\"index\": 1}");
        assert_int_equal(storvirt_vdisk_attach(b, "vm1", s, NULL, 0), 0);
        storvirt_disk_spec_free(s);
        assert_int_equal(storvirt_vm_connections(ctx, "vm1", &json, 0), 0);
        assert_non_null(strstr(json, ids[0]));
        assert_null(strstr(strstr(json, ids[0]) + 1, ids[0]));
        storvirt_free(json);
        assert_int_equal(storvirt_vm_connections(ctx, "vm2", &json, 0), 0);
        assert_string_equal(json, "[]");
        storvirt_free(json);
        /* a directory that is gone fails the prepare, and nothing stays held */
        {
                storvirt_vdisk *c = NULL;
                char **ids2 = NULL;
                const char *both[3];

                snprintf(def, sizeof(def), "{\"type\": \"localfs\", \"path\": \"%s/gone\"}", base);
                assert_int_equal(storvirt_connection_define(ctx, def, &ids2, 0), 0);
                both[0] = ids[0];
                both[1] = ids2[0];
                both[2] = NULL;
                snprintf(def, sizeof(def), "{\"path\": \"%s\"}", outside);
                s = spec_of(def);
                assert_int_equal(storvirt_vdisk_import(ctx, s, both, 0, &c), 0);
                storvirt_disk_spec_free(s);
                assert_int_equal(storvirt_vdisk_prepare(c, "vm3", 0, NULL, 0), -ENOENT);
                assert_non_null(strstr(storvirt_error_message(), "gone"));
                assert_int_equal(storvirt_connection_get_json(conn, &json, 0), 0);
                assert_non_null(strstr(json, "\"connected\":false"));
                storvirt_free(json);
                storvirt_strv_free(ids2);
                storvirt_vdisk_unref(c);
        }
        storvirt_strv_free(ids);
        storvirt_connection_unref(conn);
        storvirt_vdisk_unref(a);
        storvirt_vdisk_unref(b);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
}

/*
 * A LUN-backed vDisk (a loop device, as root): one vDisk by two paths,
 * a snapshot in a file pool whose backing file is the block device,
 * and prepare refusing the device once another file backs it.
 */
static void test_loop_backed(void **st) {
        storvirt_ctx *ctx;
        storvirt_pool *pool;
        storvirt_vdisk *a = NULL, *b = NULL;
        char img[192], other[192], cmd[512], loop[64] = "", link[192], json[256], *xml = NULL, *out;
        yajl_val chain = NULL;
        FILE *p;

        (void)st;
        if (geteuid() != 0 || access("/dev/loop-control", W_OK) != 0 || system("command -v losetup >/dev/null") != 0) {
                print_message("skipped: loop devices need root and losetup\n");
                return;
        }
        snprintf(img, sizeof(img), "%s/lun.img", base);
        snprintf(other, sizeof(other), "%s/other.img", base);
        snprintf(cmd, sizeof(cmd), "truncate -s 32M '%s' '%s'", img, other);
        assert_int_equal(system(cmd), 0);
        snprintf(cmd, sizeof(cmd), "losetup -f --show '%s'", img);
        p = popen(cmd, "r");
        assert_non_null(p);
        assert_non_null(fgets(loop, sizeof(loop), p));
        pclose(p);
        loop[strcspn(loop, "\n")] = '\0';
        ctx = ctx_open();
        pool = dir_pool(ctx);
        snprintf(json, sizeof(json), "{\"path\": \"%s\"}", loop);
        assert_int_equal(import_json(ctx, json, &a), 0);
        snprintf(link, sizeof(link), "%s/lun-link", base);
        assert_int_equal(symlink(loop, link), 0);
        snprintf(json, sizeof(json), "{\"path\": \"%s\"}", link);
        assert_int_equal(import_json(ctx, json, &b), 1);
        assert_string_equal(storvirt_vdisk_get_id(a), storvirt_vdisk_get_id(b));
        {
                yajl_val root = info(a);

                assert_string_equal(field(root, "kind"), "loop");
                assert_non_null(strstr(field(root, "identity"), "lun.img"));
                assert_string_equal(field(images_of(root)->u.array.values[0], "diskType"), "block");
                storvirt__json_free(root);
        }
        /* a LUN-backed vDisk names the file pool for its overlays */
        assert_int_equal(storvirt_vdisk_snapshot(a, NULL, NULL, 0), -EINVAL);
        assert_int_equal(storvirt_vdisk_snapshot(a, "images", NULL, 0), 0);
        assert_int_equal(storvirt_vdisk_get_xml(a, NULL, &xml, 0), 0);
        save_domain(xml);
        snprintf(cmd, sizeof(cmd), "<backingStore type=\"block\">");
        assert_non_null(strstr(xml, cmd));
        snprintf(cmd, sizeof(cmd), "<source dev=\"%s\"/>", loop);
        assert_non_null(strstr(xml, cmd));
        {
                const char *q = strstr(xml, "<source file=\"");
                char top[256];

                assert_non_null(q);
                snprintf(top, sizeof(top), "%.*s", (int)(strchr(q + 14, '"') - (q + 14)), q + 14);
                snprintf(cmd, sizeof(cmd), "qemu-img info -U --backing-chain --output=json '%s'", top);
                out = run_out(cmd);
                assert_int_equal(storvirt__json_parse(out, strlen(out), 1 << 20, &chain, "qemu-img"), 0);
                assert_int_equal(chain->u.array.len, 2);
                assert_string_equal(field(chain->u.array.values[0], "format"), "qcow2");
                assert_string_equal(field(chain->u.array.values[1], "filename"), loop);
                assert_string_equal(field(chain->u.array.values[1], "format"), "raw");
                storvirt__json_free(chain);
                free(out);
                /* prepared: the top image, after the device checked */
                storvirt_free(xml);
                assert_int_equal(storvirt_vdisk_prepare(a, "vm-l", 2000, &xml, 0), 0);
                assert_string_equal(xml, top);
                free(xml);
                assert_int_equal(storvirt_vdisk_release(a, "vm-l", 0), 0);
        }
        /* the same device node, another file behind it: refused */
        snprintf(cmd, sizeof(cmd), "losetup -d '%s' && losetup '%s' '%s'", loop, loop, other);
        assert_int_equal(system(cmd), 0);
        assert_int_equal(storvirt_vdisk_prepare(a, "vm-l", 2000, NULL, 0), -ESTALE);
        assert_non_null(strstr(storvirt_error_message(), "no longer backed by"));
        snprintf(cmd, sizeof(cmd), "losetup -d '%s'", loop);
        assert_int_equal(system(cmd), 0);
        storvirt_vdisk_unref(a);
        storvirt_vdisk_unref(b);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_identity, setup, teardown),
                cmocka_unit_test_setup_teardown(test_snapshots, setup, teardown),
                cmocka_unit_test_setup_teardown(test_resolve_error_names_drive, setup, teardown),
                cmocka_unit_test_setup_teardown(test_crash_recorded, setup, teardown),
                cmocka_unit_test_setup_teardown(test_crash_written, setup, teardown),
                cmocka_unit_test_setup_teardown(test_attach, setup, teardown),
                cmocka_unit_test_setup_teardown(test_prepare, setup, teardown),
                cmocka_unit_test_setup_teardown(test_loop_backed, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
