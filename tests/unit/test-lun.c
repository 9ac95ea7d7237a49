/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-lun.c - the public LUN API over a made-up host: the context is
 * given a sys-ops table whose discovery returns a fixed set of LUNs and
 * whose usage probe answers per device node, so list order, filters,
 * every index, the handles' snapshots across a refresh, the JSON form
 * and the errors are checked without udev (test-blockdev.c and the
 * cli-lun / Python tests run the real discovery under umockdev,
 * test-lun-loop.c on real loop devices).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "objects/ctx.h"
#include "core/lun.h"
#include "util/json.h"
#include "util/macro.h"

#define GUID_MAP "36001405aaaabbbbccccddddeeeeffff0"
#define GUID_SAS "35000c500a1b2c3d4"
#define GUID_NVME "eui.0025385c91b0d1e2"
#define GUID_SCSI "1LIO-ORG_disk0_serial1234"
#define FS_SHARED "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
#define PV_UUID "Ab3dEf-Gh1J-kLmN-0pQr-StUv-WxYz-!#0123"
#define VG_UUID "Qw3rTy-uI0p-AsDf-GhJk-L9zx-CvBn-M1234a"

static int generation; /* which host the fake discovery returns */
static int scans;      /* discovery passes run (atomically: threads may scan) */

static void path_set(struct storvirt__blk_path *p, const char *name, unsigned maj, unsigned min,
                     const char *transport, const char *state, int host) {
        char node[64];

        snprintf(node, sizeof(node), "/dev/%s", name);
        p->name = strdup(name);
        p->devnode = strdup(node);
        p->devnum = makedev(maj, min);
        snprintf(p->transport, sizeof(p->transport), "%s", transport);
        snprintf(p->state, sizeof(p->state), "%s", state);
        p->host = host;
        p->bus = 0;
        p->target = host >= 0 ? 1 : -1;
        p->lun = host >= 0 ? 7 : -1;
        p->iscsi_tpgt = -1;
        p->size = 2 * 1024 * 1024 * 1024ull;
}

static struct storvirt__blk_lun *lun_set(struct storvirt__blk_lun *l, const char *guid,
                                         const char *name, unsigned maj, unsigned min,
                                         const char *devtype, size_t n_paths) {
        char node[64];

        snprintf(node, sizeof(node), "/dev/%s", name);
        snprintf(l->guid, sizeof(l->guid), "%s", guid ? guid : "");
        l->name = strdup(name);
        l->devnode = strdup(node);
        l->devnum = makedev(maj, min);
        snprintf(l->devtype, sizeof(l->devtype), "%s", devtype);
        l->capacity = 2 * 1024 * 1024 * 1024ull;
        l->logical_block_size = 512;
        l->physical_block_size = 4096;
        l->n_paths = n_paths;
        l->paths = calloc(n_paths + 1, sizeof(*l->paths));
        assert_non_null(l->paths);
        return l;
}

/*
 * Generation 0: a 2-path iSCSI map (one path offline), a SAS disk with
 * partitions, an NVMe namespace, a SCSI disk, a loop device without
 * identity.  Generation 1: the SCSI disk is gone, a virtio disk came.
 */
static int fake_scan(struct storvirt__blk_scan **ret) {
        struct storvirt__blk_scan *s = calloc(1, sizeof(*s));
        struct storvirt__blk_lun *l;

        __atomic_fetch_add(&scans, 1, __ATOMIC_RELAXED);
        assert_non_null(s);
        s->luns = calloc(6, sizeof(*s->luns));
        assert_non_null(s->luns);
        /* Out of order on purpose: the list sorts by GUID. */
        l = lun_set(&s->luns[s->n_luns++], NULL, "loop0", 7, 0, "loop", 1);
        l->loop_backing = strdup("/var/tmp/disk.img");
        path_set(&l->paths[0], "loop0", 7, 0, "loop", "", -1);

        l = lun_set(&s->luns[s->n_luns++], GUID_MAP, "dm-0", 253, 0, "iscsi", 2);
        l->multipath = true;
        l->dm_name = strdup(GUID_MAP);
        l->vendor = strdup("LIO-ORG");
        l->product = strdup("disk");
        l->revision = strdup("4.0");
        l->serial = strdup("SER00001");
        l->discard_max_bytes = 4194304;
        path_set(&l->paths[0], "sdb", 8, 16, "iscsi", "running", 3);
        path_set(&l->paths[1], "sdc", 8, 32, "iscsi", "offline", 4);
        for (int k = 0; k < 2; k++) {
                l->paths[k].iscsi_target = strdup("iqn.2026-11.example:target0");
                l->paths[k].iscsi_portal = strdup(k ? "127.0.0.2:3260" : "127.0.0.1:3260");
                l->paths[k].iscsi_initiator = strdup("iqn.2026-11.example:host");
                l->paths[k].iscsi_tpgt = 1;
        }

        l = lun_set(&s->luns[s->n_luns++], GUID_SAS, "sdd", 8, 48, "sas", 1);
        l->rotational = true;
        path_set(&l->paths[0], "sdd", 8, 48, "sas", "running", 0);
        l->partitions = calloc(3, sizeof(char *));
        l->partitions[0] = strdup("sdd1");
        l->partitions[1] = strdup("sdd2");

        l = lun_set(&s->luns[s->n_luns++], GUID_NVME, "nvme0n1", 259, 0, "nvme", 1);
        path_set(&l->paths[0], "nvme0n1", 259, 0, "nvme", "", -1);

        if (generation == 0) {
                l = lun_set(&s->luns[s->n_luns++], GUID_SCSI, "sde", 8, 64, "scsi", 1);
                path_set(&l->paths[0], "sde", 8, 64, "scsi", "running", 1);
        } else {
                l = lun_set(&s->luns[s->n_luns++], NULL, "vda", 252, 0, "virtio", 1);
                path_set(&l->paths[0], "vda", 252, 0, "virtio", "", -1);
        }
        *ret = s;
        return 0;
}

static void usage_set(struct storvirt__usage *u, int status, const char *reason,
                      const char *type, const char *uuid) {
        memset(u, 0, sizeof(*u));
        u->status = status;
        snprintf(u->reason, sizeof(u->reason), "%s", reason);
        snprintf(u->fs_type, sizeof(u->fs_type), "%s", type ? type : "");
        snprintf(u->fs_uuid, sizeof(u->fs_uuid), "%s", uuid ? uuid : "");
}

static int fake_probe(const char *devnode, dev_t devnum, struct storvirt__usage *u) {
        (void)devnum;
        if (strcmp(devnode, "/dev/dm-0") == 0) {
                usage_set(u, STORVIRT__USAGE_USED, "filesystem ext4", "ext4", FS_SHARED);
                snprintf(u->fs_label, sizeof(u->fs_label), "data");
        } else if (strcmp(devnode, "/dev/loop0") == 0) {
                /* A copy of the same filesystem: the same UUID on two LUNs. */
                usage_set(u, STORVIRT__USAGE_USED, "filesystem ext4", "ext4", FS_SHARED);
        } else if (strcmp(devnode, "/dev/sdd") == 0) {
                usage_set(u, STORVIRT__USAGE_USED, "partition table gpt", NULL, NULL);
                snprintf(u->pt_type, sizeof(u->pt_type), "gpt");
        } else if (strcmp(devnode, "/dev/nvme0n1") == 0) {
                usage_set(u, STORVIRT__USAGE_USED, "LVM PV of VG vg0 (uuid " VG_UUID ")",
                          "LVM2_member", PV_UUID);
                u->is_pv = true;
                u->pv.has_vg = true;
                u->pv.dev_size = 1ull << 30;
                snprintf(u->pv.pv_uuid, sizeof(u->pv.pv_uuid), "%s", PV_UUID);
                snprintf(u->pv.vg_name, sizeof(u->pv.vg_name), "vg0");
                snprintf(u->pv.vg_uuid, sizeof(u->pv.vg_uuid), "%s", VG_UUID);
        } else if (strcmp(devnode, "/dev/vda") == 0) {
                return storvirt__error_set(-EACCES, "'/dev/vda': permission denied");
        } else {
                usage_set(u, STORVIRT__USAGE_FREE, "no signature", NULL, NULL);
        }
        return 0;
}

static const storvirt__sysops fake_ops = {
        .name = "fake",
        .blk_scan = fake_scan,
        .usage_probe = fake_probe,
};

static storvirt_ctx *ctx_fake(void) {
        storvirt_ctx *ctx = NULL;

        assert_int_equal(storvirt_ctx_new(&ctx, STORVIRT_CTX_NEW_IGNORE_ENV), 0);
        storvirt__ctx_set_sysops(ctx, &fake_ops);
        generation = 0;
        scans = 0;
        return ctx;
}

static void assert_err(int r, int err, const char *needle) {
        assert_int_equal(r, -err);
        assert_non_null(storvirt_error_message());
        if (!strstr(storvirt_error_message(), needle))
                fail_msg("error '%s' lacks '%s'", storvirt_error_message(), needle);
}

static void test_list(void **st) {
        storvirt_ctx *ctx = ctx_fake();
        storvirt_lun **v = NULL;
        size_t n = 0;

        (void)st;
        /* The first list runs the discovery; the next ones reuse it. */
        assert_int_equal(storvirt_lun_list(ctx, NULL, &v, &n, 0), 0);
        assert_int_equal(n, 5);
        assert_int_equal(scans, 1);
        /* Sorted by GUID, LUNs without one last. */
        assert_string_equal(storvirt_lun_get_guid(v[0]), GUID_SCSI);
        assert_string_equal(storvirt_lun_get_guid(v[1]), GUID_SAS);
        assert_string_equal(storvirt_lun_get_guid(v[2]), GUID_MAP);
        assert_string_equal(storvirt_lun_get_guid(v[3]), GUID_NVME);
        assert_null(storvirt_lun_get_guid(v[4]));
        assert_string_equal(storvirt_lun_get_name(v[4]), "loop0");
        assert_string_equal(storvirt_lun_get_loop_backing(v[4]), "/var/tmp/disk.img");
        assert_null(v[5]);
        storvirt_lun_list_free(v);

        /* Free only: the SCSI disk. */
        assert_int_equal(storvirt_lun_list(ctx, NULL, &v, &n, STORVIRT_LUN_LIST_FREE), 0);
        assert_int_equal(n, 1);
        assert_string_equal(storvirt_lun_get_name(v[0]), "sde");
        storvirt_lun_list_free(v);

        /* By transport; ret_n may be NULL. */
        assert_int_equal(storvirt_lun_list(ctx, "iscsi", &v, NULL, 0), 0);
        assert_non_null(v[0]);
        assert_string_equal(storvirt_lun_get_name(v[0]), "dm-0");
        assert_null(v[1]);
        storvirt_lun_list_free(v);
        assert_int_equal(storvirt_lun_list(ctx, "fc", &v, &n, 0), 0);
        assert_int_equal(n, 0);
        assert_null(v[0]);
        storvirt_lun_list_free(v);
        assert_int_equal(scans, 1);

        assert_err(storvirt_lun_list(ctx, "iSCSI-ish", &v, &n, 0), EINVAL, "'iSCSI-ish'");
        assert_err(storvirt_lun_list(ctx, NULL, &v, &n, 1u << 7), EINVAL, "flags");
        assert_err(storvirt_lun_list(ctx, NULL, NULL, &n, 0), EINVAL, "ret_luns");
        assert_err(storvirt_lun_list(NULL, NULL, &v, &n, 0), EINVAL, "ctx");
        storvirt_lun_list_free(NULL);
        storvirt_ctx_unref(ctx);
}

static void test_getters(void **st) {
        storvirt_ctx *ctx = ctx_fake();
        storvirt_lun *l = NULL;
        const storvirt_lun_path *p;
        const char *a, *b, *c, *d;
        unsigned ma, mi, lbs, pbs;
        uint64_t cap, disc;
        int rot, h, ch, t, lu, tpgt;

        (void)st;
        assert_int_equal(storvirt_lun_lookup_by_guid(ctx, GUID_MAP, &l), 0);
        assert_string_equal(storvirt_lun_get_devnode(l), "/dev/dm-0");
        assert_string_equal(storvirt_lun_get_devtype(l), "iscsi");
        assert_string_equal(storvirt_lun_get_dm_name(l), GUID_MAP);
        assert_null(storvirt_lun_get_loop_backing(l));
        assert_int_equal(storvirt_lun_get_devnum(l, &ma, &mi), 0);
        assert_int_equal(ma, 253);
        assert_int_equal(mi, 0);
        assert_int_equal(storvirt_lun_get_inquiry(l, &a, &b, &c, &d), 0);
        assert_string_equal(a, "LIO-ORG");
        assert_string_equal(b, "disk");
        assert_string_equal(c, "4.0");
        assert_string_equal(d, "SER00001");
        assert_int_equal(storvirt_lun_get_inquiry(l, NULL, NULL, NULL, NULL), 0);
        assert_int_equal(storvirt_lun_get_geometry(l, &cap, &lbs, &pbs, &disc, &rot), 0);
        assert_int_equal(cap, 2 * 1024 * 1024 * 1024ull);
        assert_int_equal(lbs, 512);
        assert_int_equal(pbs, 4096);
        assert_int_equal(disc, 4194304);
        assert_int_equal(rot, 0);
        assert_int_equal(storvirt_lun_get_status(l, &a), STORVIRT_LUN_STATUS_USED);
        assert_string_equal(a, "filesystem ext4");
        assert_int_equal(storvirt_lun_get_signature(l, &a, &b, &c, &d), 0);
        assert_string_equal(a, "ext4");
        assert_string_equal(b, FS_SHARED);
        assert_string_equal(c, "data");
        assert_null(d);
        assert_err(storvirt_lun_get_lvm(l, &a, &b, &c), ENODATA, "/dev/dm-0");
        assert_null(storvirt_lun_get_partitions(l)[0]);

        /* Paths. */
        assert_int_equal(storvirt_lun_get_n_paths(l), 2);
        p = storvirt_lun_get_path(l, 1);
        assert_non_null(p);
        assert_string_equal(storvirt_lun_path_get_name(p), "sdc");
        assert_string_equal(storvirt_lun_path_get_devnode(p), "/dev/sdc");
        assert_string_equal(storvirt_lun_path_get_transport(p), "iscsi");
        assert_string_equal(storvirt_lun_path_get_state(p), "offline");
        assert_int_equal(storvirt_lun_path_get_devnum(p, &ma, &mi), 0);
        assert_int_equal(ma, 8);
        assert_int_equal(mi, 32);
        assert_int_equal(storvirt_lun_path_get_capacity(p), 2 * 1024 * 1024 * 1024ull);
        assert_int_equal(storvirt_lun_path_get_hctl(p, &h, &ch, &t, &lu), 0);
        assert_int_equal(h, 4);
        assert_int_equal(ch, 0);
        assert_int_equal(t, 1);
        assert_int_equal(lu, 7);
        assert_int_equal(storvirt_lun_path_get_iscsi(p, &a, &b, &c, &tpgt), 0);
        assert_string_equal(a, "iqn.2026-11.example:target0");
        assert_string_equal(b, "127.0.0.2:3260");
        assert_string_equal(c, "iqn.2026-11.example:host");
        assert_int_equal(tpgt, 1);
        assert_null(storvirt_lun_get_path(l, 2));
        assert_err(-storvirt_error_errno(), ERANGE, "2 paths");
        storvirt_lun_unref(l);

        /* A SAS disk: partitions, rotational, not a map. */
        assert_int_equal(storvirt_lun_lookup_by_guid(ctx, GUID_SAS, &l), 0);
        assert_null(storvirt_lun_get_dm_name(l));
        assert_string_equal(storvirt_lun_get_partitions(l)[0], "sdd1");
        assert_string_equal(storvirt_lun_get_partitions(l)[1], "sdd2");
        assert_null(storvirt_lun_get_partitions(l)[2]);
        assert_int_equal(storvirt_lun_get_geometry(l, NULL, NULL, NULL, NULL, &rot), 0);
        assert_int_equal(rot, 1);
        assert_int_equal(storvirt_lun_get_signature(l, &a, &b, NULL, &d), 0);
        assert_null(a);
        assert_null(b);
        assert_string_equal(d, "gpt");
        p = storvirt_lun_get_path(l, 0);
        assert_err(storvirt_lun_path_get_iscsi(p, &a, NULL, NULL, NULL), ENODATA, "sas");
        storvirt_lun_unref(l);

        /* An NVMe PV: LVM details; no H:C:T:L. */
        assert_int_equal(storvirt_lun_lookup_by_guid(ctx, GUID_NVME, &l), 0);
        assert_int_equal(storvirt_lun_get_lvm(l, &a, &b, &c), 0);
        assert_string_equal(a, PV_UUID);
        assert_string_equal(b, "vg0");
        assert_string_equal(c, VG_UUID);
        p = storvirt_lun_get_path(l, 0);
        assert_err(storvirt_lun_path_get_hctl(p, &h, NULL, NULL, NULL), ENODATA, "nvme0n1");
        storvirt_lun_unref(l);

        /* NULL handles are refused, not dereferenced. */
        assert_null(storvirt_lun_get_guid(NULL));
        assert_int_equal(storvirt_lun_get_n_paths(NULL), 0);
        assert_null(storvirt_lun_path_get_name(NULL));
        assert_int_equal(storvirt_lun_get_status(NULL, NULL), -EINVAL);
        assert_null(storvirt_lun_unref(NULL));
        storvirt_ctx_unref(ctx);
}

static void test_lookups(void **st) {
        storvirt_ctx *ctx = ctx_fake();
        storvirt_lun *l = NULL;

        (void)st;
        /* GUIDs are normalized: case, the "0x"/"naa." forms. */
        assert_int_equal(storvirt_lun_lookup_by_guid(ctx, "35000C500A1B2C3D4", &l), 0);
        assert_string_equal(storvirt_lun_get_name(l), "sdd");
        storvirt_lun_unref(l);
        assert_int_equal(storvirt_lun_lookup_by_guid(ctx, "naa.5000c500a1b2c3d4", &l), 0);
        assert_string_equal(storvirt_lun_get_name(l), "sdd");
        storvirt_lun_unref(l);
        assert_err(storvirt_lun_lookup_by_guid(ctx, "35000c500a1b2c3d5", &l), ENOENT,
                   "35000c500a1b2c3d5");
        assert_err(storvirt_lun_lookup_by_guid(ctx, "5000c500a1b2c3d", &l), EINVAL, "guid");

        /* Paths: the map's node, its /dev/mapper name, a member path. */
        assert_int_equal(storvirt_lun_lookup_by_path(ctx, "/dev/dm-0", &l), 0);
        assert_string_equal(storvirt_lun_get_guid(l), GUID_MAP);
        storvirt_lun_unref(l);
        assert_int_equal(storvirt_lun_lookup_by_path(ctx, "/dev/mapper/" GUID_MAP, &l), 0);
        assert_string_equal(storvirt_lun_get_name(l), "dm-0");
        storvirt_lun_unref(l);
        assert_int_equal(storvirt_lun_lookup_by_path(ctx, "/dev/sdc", &l), 0);
        assert_string_equal(storvirt_lun_get_name(l), "dm-0");
        storvirt_lun_unref(l);
        assert_err(storvirt_lun_lookup_by_path(ctx, "relative/sdb", &l), EINVAL, "absolute");
        /* Not in the index: stat decides. */
        assert_err(storvirt_lun_lookup_by_path(ctx, "/nonexistent/dev/sdz", &l), ENOENT,
                   "/nonexistent/dev/sdz");
        assert_err(storvirt_lun_lookup_by_path(ctx, "/", &l), ENOTBLK, "not a block device");

        /* Device numbers, of the LUN and of its paths. */
        assert_int_equal(storvirt_lun_lookup_by_devnum(ctx, 8, 16, &l), 0);
        assert_string_equal(storvirt_lun_get_name(l), "dm-0");
        storvirt_lun_unref(l);
        assert_int_equal(storvirt_lun_lookup_by_devnum(ctx, 259, 0, &l), 0);
        assert_string_equal(storvirt_lun_get_name(l), "nvme0n1");
        storvirt_lun_unref(l);
        assert_err(storvirt_lun_lookup_by_devnum(ctx, 8, 49, &l), ENOENT, "8:49");

        /* Filesystem UUIDs: unique, shared by two LUNs, unknown. */
        assert_int_equal(storvirt_lun_lookup_by_fs_uuid(ctx, PV_UUID, &l), 0);
        assert_string_equal(storvirt_lun_get_name(l), "nvme0n1");
        storvirt_lun_unref(l);
        assert_err(storvirt_lun_lookup_by_fs_uuid(ctx, FS_SHARED, &l), ENOTUNIQ, "/dev/dm-0 ("
                   GUID_MAP "), /dev/loop0 (no GUID)");
        assert_err(storvirt_lun_lookup_by_fs_uuid(ctx, "nope", &l), ENOENT, "'nope'");
        assert_err(storvirt_lun_lookup_by_fs_uuid(ctx, "", &l), EINVAL, "uuid");
        assert_int_equal(scans, 1);
        storvirt_ctx_unref(ctx);
}

static void test_refresh_snapshots(void **st) {
        storvirt_ctx *ctx = ctx_fake();
        storvirt_lun *old = NULL, *l = NULL;
        storvirt_lun **v = NULL;
        const char *reason;
        size_t n;

        (void)st;
        assert_int_equal(storvirt_lun_lookup_by_guid(ctx, GUID_SCSI, &old), 0);
        generation = 1;
        assert_int_equal(storvirt_lun_refresh(ctx, 0), 0);
        assert_int_equal(scans, 2);
        /* The old handle still shows its snapshot. */
        assert_string_equal(storvirt_lun_get_name(old), "sde");
        assert_int_equal(storvirt_lun_get_status(old, &reason), STORVIRT_LUN_STATUS_FREE);
        assert_string_equal(reason, "no signature");
        /* Lookups see the new one. */
        assert_err(storvirt_lun_lookup_by_guid(ctx, GUID_SCSI, &l), ENOENT, GUID_SCSI);
        assert_int_equal(storvirt_lun_lookup_by_path(ctx, "/dev/vda", &l), 0);
        /* A probe that fails makes the status unknown, with the reason. */
        assert_int_equal(storvirt_lun_get_status(l, &reason), STORVIRT_LUN_STATUS_UNKNOWN);
        assert_string_equal(reason, "'/dev/vda': permission denied");
        storvirt_lun_unref(l);
        /* The handle outlives its context. */
        storvirt_ctx_unref(ctx);
        assert_string_equal(storvirt_lun_get_guid(old), GUID_SCSI);
        storvirt_lun_unref(old);

        /* LIST_REFRESH runs a pass first. */
        ctx = ctx_fake();
        assert_int_equal(storvirt_lun_list(ctx, NULL, &v, &n, 0), 0);
        storvirt_lun_list_free(v);
        assert_int_equal(storvirt_lun_list(ctx, "virtio", &v, &n, STORVIRT_LUN_LIST_REFRESH), 0);
        assert_int_equal(scans, 2);
        assert_int_equal(n, 0); /* generation 0 again */
        storvirt_lun_list_free(v);
        assert_err(storvirt_lun_refresh(ctx, 1), EINVAL, "flags");
        storvirt_ctx_unref(ctx);
}

static yajl_val json_of(char *text) {
        yajl_val v = NULL;

        if (storvirt__json_parse(text, strlen(text), 1 << 20, &v, "LUN JSON") < 0)
                fail_msg("bad JSON: %s\n%s", storvirt_error_message(), text);
        free(text);
        return v;
}

static const char *jstr(yajl_val obj, const char *key) {
        yajl_val v = yajl_tree_get(obj, (const char *[]){ key, NULL }, yajl_t_any);

        if (!v || !YAJL_IS_STRING(v))
                fail_msg("key %s: not a string", key);
        return YAJL_GET_STRING(v);
}

static yajl_val jarr(yajl_val obj, const char *key, size_t len) {
        yajl_val v = yajl_tree_get(obj, (const char *[]){ key, NULL }, yajl_t_array);

        if (!v)
                fail_msg("key %s: not an array", key);
        assert_int_equal(v->u.array.len, len);
        return v;
}

static yajl_val jat(yajl_val arr, size_t i) {
        yajl_val v = YAJL_IS_ARRAY(arr) && i < arr->u.array.len ? arr->u.array.values[i] : NULL;

        if (!v)
                fail_msg("no array element %zu", i);
        return v;
}

static void test_json(void **st) {
        storvirt_ctx *ctx = ctx_fake();
        storvirt_lun *l = NULL;
        storvirt_lun **v = NULL;
        yajl_val j, ps, pl, e;
        char *text = NULL;

        (void)st;
        assert_int_equal(storvirt_lun_lookup_by_guid(ctx, GUID_MAP, &l), 0);
        assert_int_equal(storvirt_lun_get_json(l, &text, 0), 0);
        assert_null(strchr(text, '\n'));
        j = json_of(text);
        /* VDSM's keys, strings where VDSM gives strings. */
        assert_string_equal(jstr(j, "GUID"), GUID_MAP);
        assert_string_equal(jstr(j, "vendorID"), "LIO-ORG");
        assert_string_equal(jstr(j, "productID"), "disk");
        assert_string_equal(jstr(j, "fwrev"), "4.0");
        assert_string_equal(jstr(j, "serial"), "SER00001");
        assert_string_equal(jstr(j, "capacity"), "2147483648");
        assert_string_equal(jstr(j, "devtype"), "iSCSI");
        assert_string_equal(jstr(j, "logicalblocksize"), "512");
        assert_string_equal(jstr(j, "physicalblocksize"), "4096");
        e = yajl_tree_get(j, (const char *[]){ "discard_max_bytes", NULL }, yajl_t_number);
        assert_non_null(e);
        assert_int_equal(YAJL_GET_INTEGER(e), 4194304);
        assert_string_equal(jstr(j, "status"), "used");
        assert_string_equal(jstr(j, "pvUUID"), "");
        assert_string_equal(jstr(j, "vgUUID"), "");
        ps = jarr(j, "pathstatus", 2);
        e = jat(ps, 0);
        assert_string_equal(jstr(e, "physdev"), "sdb");
        assert_string_equal(jstr(e, "state"), "active");
        assert_string_equal(jstr(e, "lun"), "7");
        assert_string_equal(jstr(e, "type"), "iSCSI");
        assert_string_equal(jstr(e, "hctl"), "3:0:1:7");
        e = jat(ps, 1);
        assert_string_equal(jstr(e, "state"), "failed");
        assert_string_equal(jstr(e, "sysfsState"), "offline");
        /* One entry per session; "portal" is the TPGT, as VDSM names it. */
        pl = jarr(j, "pathlist", 2);
        e = jat(pl, 1);
        assert_string_equal(jstr(e, "connection"), "127.0.0.2");
        assert_string_equal(jstr(e, "port"), "3260");
        assert_string_equal(jstr(e, "iqn"), "iqn.2026-11.example:target0");
        assert_string_equal(jstr(e, "portal"), "1");
        assert_string_equal(jstr(e, "initiatorname"), "iqn.2026-11.example:host");
        assert_null(yajl_tree_get(e, (const char *[]){ "password", NULL }, yajl_t_any));
        assert_null(yajl_tree_get(e, (const char *[]){ "user", NULL }, yajl_t_any));
        /* Our own keys. */
        assert_string_equal(jstr(j, "statusReason"), "filesystem ext4");
        assert_string_equal(jstr(j, "fsUUID"), FS_SHARED);
        assert_string_equal(jstr(j, "devnum"), "253:0");
        assert_string_equal(jstr(j, "dmName"), GUID_MAP);
        assert_true(YAJL_IS_TRUE(yajl_tree_get(j, (const char *[]){ "multipath", NULL }, yajl_t_any)));
        storvirt__json_free(j);
        storvirt_lun_unref(l);

        /* A PV: its UUIDs and size; pretty output. */
        assert_int_equal(storvirt_lun_lookup_by_guid(ctx, GUID_NVME, &l), 0);
        assert_int_equal(storvirt_lun_get_json(l, &text, STORVIRT_LUN_JSON_PRETTY), 0);
        assert_non_null(strchr(text, '\n'));
        j = json_of(text);
        assert_string_equal(jstr(j, "pvUUID"), PV_UUID);
        assert_string_equal(jstr(j, "vgUUID"), VG_UUID);
        assert_string_equal(jstr(j, "vgName"), "vg0");
        assert_string_equal(jstr(j, "pvsize"), "1073741824");
        assert_string_equal(jstr(j, "devtype"), "nvme");
        jarr(j, "pathlist", 0);
        storvirt__json_free(j);
        storvirt_lun_unref(l);

        /* The list: {"devList": [...]} in list order. */
        assert_int_equal(storvirt_lun_list(ctx, NULL, &v, NULL, 0), 0);
        assert_int_equal(storvirt_lun_list_to_json(v, &text, 0), 0);
        j = json_of(text);
        e = jarr(j, "devList", 5);
        assert_string_equal(jstr(jat(e, 0), "GUID"), GUID_SCSI);
        assert_string_equal(jstr(jat(e, 4), "GUID"), "");
        assert_string_equal(jstr(jat(e, 4), "loopBacking"), "/var/tmp/disk.img");
        assert_string_equal(YAJL_GET_STRING(jat(jarr(jat(e, 1), "partitions", 2), 0)), "sdd1");
        storvirt__json_free(j);
        storvirt_lun_list_free(v);
        assert_err(storvirt_lun_list_to_json(NULL, &text, 0), EINVAL, "luns");
        storvirt_ctx_unref(ctx);
}

/* Lookups and lists on several threads while another refreshes. */
struct reader {
        storvirt_ctx *ctx;
        int errors;
};

static void *reader_run(void *arg) {
        struct reader *rd = arg;

        for (int i = 0; i < 300; i++) {
                storvirt_lun *l = NULL;
                storvirt_lun **v = NULL;
                size_t n = 0;

                if (storvirt_lun_lookup_by_guid(rd->ctx, GUID_MAP, &l) < 0 ||
                    strcmp(storvirt_lun_get_name(l), "dm-0") != 0)
                        rd->errors++;
                storvirt_lun_unref(l);
                if (storvirt_lun_list(rd->ctx, NULL, &v, &n, 0) < 0 || n != 5)
                        rd->errors++;
                storvirt_lun_list_free(v);
        }
        return NULL;
}

static void test_threads(void **st) {
        storvirt_ctx *ctx = ctx_fake();
        struct reader rd[4];
        pthread_t th[4];

        (void)st;
        assert_int_equal(storvirt_ctx_set_max_threads(ctx, 3), 0);
        assert_int_equal(storvirt_lun_refresh(ctx, 0), 0);
        for (int i = 0; i < 4; i++) {
                rd[i] = (struct reader){ .ctx = ctx };
                assert_int_equal(pthread_create(&th[i], NULL, reader_run, &rd[i]), 0);
        }
        for (int i = 0; i < 50; i++)
                assert_int_equal(storvirt_lun_refresh(ctx, 0), 0);
        for (int i = 0; i < 4; i++) {
                pthread_join(th[i], NULL);
                assert_int_equal(rd[i].errors, 0);
        }
        storvirt_ctx_unref(ctx);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_list),
                cmocka_unit_test(test_getters),
                cmocka_unit_test(test_lookups),
                cmocka_unit_test(test_refresh_snapshots),
                cmocka_unit_test(test_json),
                cmocka_unit_test(test_threads),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
