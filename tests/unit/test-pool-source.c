/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-pool-source.c - two pools never own one source, as libvirt's
 * duplicate-source check has it: a pool whose source another pool owns
 * (the same target directory, source device, iSCSI target and
 * initiator, volume group, SCSI adapter, NFS export...) is refused at
 * define, at create and when a definition is replaced, with -EEXIST
 * naming the other pool.  Two such pools an older state directory holds
 * are both loaded, and only one of them runs at a time.
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
#include "conf/pool_dup.h"
#include "util/macro.h"

#define IQN "iqn.2026-11.org.example:storage.t1"
#define IQN2 "iqn.2026-11.org.example:storage.t2"
#define INIT "iqn.2026-11.org.example:host1"
#define INIT2 "iqn.2026-11.org.example:host2"

static char base[64], state[128], target[128];

static int setup(void **st) {
        (void)st;
        snprintf(base, sizeof(base), "/tmp/storvirt-pool-source.XXXXXX");
        if (!mkdtemp(base))
                return -1;
        snprintf(state, sizeof(state), "%s/state", base);
        snprintf(target, sizeof(target), "%s/images", base);
        return mkdir(target, 0755);
}

static int teardown(void **st) {
        char cmd[256];

        (void)st;
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
        return system(cmd) == 0 ? 0 : -1;
}

static storvirt_ctx *ctx_open(void) {
        storvirt_ctx *ctx = NULL;

        assert_int_equal(storvirt_ctx_new(&ctx, STORVIRT_CTX_NEW_IGNORE_ENV |
                                                        STORVIRT_CTX_NEW_NO_AUTOSTART), 0);
        assert_int_equal(storvirt_ctx_set_state_dir(ctx, state, 0), 0);
        return ctx;
}

static void define_ok(storvirt_ctx *ctx, const char *xml) {
        storvirt_pool *pool = NULL;

        if (storvirt_pool_define_xml(ctx, xml, &pool, 0) < 0)
                fail_msg("%s: %s", xml, storvirt_error_message());
        storvirt_pool_unref(pool);
}

/* Defining xml fails with -EEXIST and a message holding msg. */
static void define_clash(storvirt_ctx *ctx, const char *xml, const char *msg) {
        storvirt_pool *pool = NULL;
        int r = storvirt_pool_define_xml(ctx, xml, &pool, 0);

        if (r != -EEXIST || !strstr(storvirt_error_message(), msg))
                fail_msg("%s:\n  got  %d '%s'\n  want -EEXIST '...%s...'", xml, r,
                         storvirt_error_message(), msg);
        assert_null(pool);
}

static char *dir_xml_uuid(const char *name, const char *uuid, const char *path) {
        char *xml = NULL;

        assert_true(asprintf(&xml, "<pool type='dir'><name>%s</name>%s%s%s<target><path>%s</path>"
                                   "</target></pool>", name, uuid ? "<uuid>" : "", uuid ? uuid : "",
                             uuid ? "</uuid>" : "", path) > 0);
        return xml;
}

static char *dir_xml(const char *name, const char *path) {
        return dir_xml_uuid(name, NULL, path);
}

static char *iscsi_xml(const char *name, const char *host, const char *iqn, const char *init) {
        char *xml = NULL, ini[128] = "";

        if (init)
                snprintf(ini, sizeof(ini), "<initiator><iqn name='%s'/></initiator>", init);
        assert_true(asprintf(&xml, "<pool type='iscsi'><name>%s</name><source><host name='%s'/>"
                                   "<device path='%s'/>%s</source><target><path>/dev/disk/by-path"
                                   "</path></target></pool>", name, host, iqn, ini) > 0);
        return xml;
}

/*
 * Two dir pools on one directory (however its path is spelled): the
 * second is refused at define and at create, naming the first; a pool
 * redefined onto it too, and keeps its definition.  Redefining the owner
 * itself is fine.
 */
static void test_dir(void **st) {
        storvirt_ctx *ctx = ctx_open();
        _cleanup_free_ char *a = dir_xml("a", target), *slash = NULL, *other = NULL, *moved = NULL;
        char otherdir[160], *xml = NULL;
        storvirt_pool *pool = NULL;

        (void)st;
        define_ok(ctx, a);
        assert_true(asprintf(&slash, "%s//", target) > 0);
        free(xml);
        xml = dir_xml("b", slash);
        define_clash(ctx, xml, "pool 'b' would share the target path");
        define_clash(ctx, xml, "with pool 'a'");
        assert_int_equal(storvirt_pool_create_xml(ctx, xml, &pool, 0), -EEXIST);
        assert_non_null(strstr(storvirt_error_message(), "with pool 'a'"));
        assert_int_equal(storvirt_pool_lookup_by_name(ctx, "b", &pool), -ENOENT);

        snprintf(otherdir, sizeof(otherdir), "%s/other", base);
        assert_int_equal(mkdir(otherdir, 0755), 0);
        other = dir_xml("b", otherdir);
        define_ok(ctx, other);
        assert_int_equal(storvirt_pool_lookup_by_name(ctx, "b", &pool), 0);
        moved = dir_xml_uuid("b", storvirt_pool_get_uuid(pool), target);
        pool = storvirt_pool_unref(pool);
        define_clash(ctx, moved, "with pool 'a'");
        assert_int_equal(storvirt_pool_lookup_by_name(ctx, "b", &pool), 0);
        free(xml);
        assert_int_equal(storvirt_pool_get_xml(pool, &xml, 0), 0);
        assert_non_null(strstr(xml, otherdir));
        pool = storvirt_pool_unref(pool);
        /* the owner redefined as it is */
        assert_int_equal(storvirt_pool_lookup_by_name(ctx, "a", &pool), 0);
        free(xml);
        assert_int_equal(storvirt_pool_get_xml(pool, &xml, STORVIRT_POOL_XML_INACTIVE), 0);
        pool = storvirt_pool_unref(pool);
        define_ok(ctx, xml);

        /* a new context reads the state directory: still one owner */
        storvirt_ctx_unref(ctx);
        ctx = ctx_open();
        define_clash(ctx, moved, "with pool 'a'");
        free(xml);
        storvirt_ctx_unref(ctx);
}

/*
 * iSCSI pools: one target (its IQN names it wherever it is reached) with
 * one initiator has one pool; another initiator sees the target as
 * another host would.
 */
static void test_iscsi(void **st) {
        storvirt_ctx *ctx = ctx_open();
        _cleanup_free_ char *i1 = iscsi_xml("i1", "10.0.0.5", IQN, NULL);
        _cleanup_free_ char *i2 = iscsi_xml("i2", "10.0.0.5", IQN, NULL);
        _cleanup_free_ char *i3 = iscsi_xml("i3", "10.0.0.6", IQN, NULL);
        _cleanup_free_ char *i4 = iscsi_xml("i4", "10.0.0.5", IQN2, NULL);
        _cleanup_free_ char *i5 = iscsi_xml("i5", "10.0.0.5", IQN, INIT);
        _cleanup_free_ char *i6 = iscsi_xml("i6", "10.0.0.5", IQN, INIT);
        _cleanup_free_ char *i7 = iscsi_xml("i7", "10.0.0.5", IQN, INIT2);

        (void)st;
        define_ok(ctx, i1);
        define_clash(ctx, i2, "pool 'i2' would share the iSCSI target '" IQN "' with pool 'i1'");
        define_clash(ctx, i3, "with pool 'i1'");
        define_ok(ctx, i4);
        define_ok(ctx, i5);
        define_clash(ctx, i6, "with pool 'i5'");
        define_ok(ctx, i7);
        storvirt_ctx_unref(ctx);
}

/* Block sources: a device of fs, disk and logical pools; a volume group; a SCSI adapter; mpath. */
static void test_devices(void **st) {
        static const struct { const char *ok, *clash, *msg; } cases[] = {
                { "<pool type='fs'><name>f1</name><source><device path='/dev/sdz1'/></source>"
                  "<target><path>/mnt/f1</path></target></pool>",
                  "<pool type='disk'><name>d1</name><source><device path='/dev/sdz1'/></source>"
                  "<target><path>/dev</path></target></pool>",
                  "pool 'd1' would share the source device '/dev/sdz1' with pool 'f1'" },
                { "<pool type='logical'><name>l1</name><source><name>vg0</name>"
                  "<device path='/dev/sdy1'/></source><target><path>/dev/vg0</path></target></pool>",
                  "<pool type='fs'><name>f2</name><source><device path='/dev/sdy1'/></source>"
                  "<target><path>/mnt/f2</path></target></pool>",
                  "with pool 'l1'" },
                { NULL,
                  "<pool type='logical'><name>l2</name><source><name>vg0</name></source>"
                  "<target><path>/dev/vg0</path></target></pool>",
                  "pool 'l2' would share the volume group 'vg0' with pool 'l1'" },
                { "<pool type='scsi'><name>s1</name><source><adapter type='scsi_host' name='host7'/>"
                  "</source><target><path>/dev/disk/by-path</path></target></pool>",
                  "<pool type='scsi'><name>s2</name><source><adapter type='scsi_host' name='host7'/>"
                  "</source><target><path>/dev/disk/by-path</path></target></pool>",
                  "pool 's2' would share the SCSI adapter 'host7' with pool 's1'" },
                { "<pool type='scsi'><name>s3</name><source><adapter type='fc_host' "
                  "wwnn='20000000c9831b4b' wwpn='10000000c9831b4b'/></source>"
                  "<target><path>/dev/disk/by-path</path></target></pool>",
                  "<pool type='scsi'><name>s4</name><source><adapter type='fc_host' "
                  "wwnn='20000000c9831b4b' wwpn='10000000c9831b4b'/></source>"
                  "<target><path>/dev/disk/by-path</path></target></pool>",
                  "with pool 's3'" },
                { "<pool type='mpath'><name>m1</name><target><path>/dev/mapper</path></target></pool>",
                  "<pool type='mpath'><name>m2</name><target><path>/dev/mapper</path></target></pool>",
                  "pool 'm2' would share the host's multipath devices with pool 'm1'" },
                { "<pool type='netfs'><name>n1</name><source><host name='nfs1'/><dir path='/exports/a'/>"
                  "<format type='nfs'/></source><target><path>/mnt/n1</path></target></pool>",
                  "<pool type='netfs'><name>n2</name><source><host name='nfs1'/><dir path='/exports/a'/>"
                  "<format type='nfs'/></source><target><path>/mnt/n2</path></target></pool>",
                  "pool 'n2' would share the NFS export 'nfs1:/exports/a' with pool 'n1'" },
                { NULL,
                  "<pool type='netfs'><name>n3</name><source><host name='nfs2'/><dir path='/exports/b'/>"
                  "<format type='nfs'/></source><target><path>/mnt/n1</path></target></pool>",
                  "pool 'n3' would share the target path '/mnt/n1' with pool 'n1'" },
        };
        storvirt_ctx *ctx = ctx_open();

        (void)st;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                if (cases[i].ok)
                        define_ok(ctx, cases[i].ok);
                define_clash(ctx, cases[i].clash, cases[i].msg);
        }
        /* other sources are other pools */
        define_ok(ctx, "<pool type='disk'><name>d2</name><source><device path='/dev/sdx'/></source>"
                       "<target><path>/dev</path></target></pool>");
        define_ok(ctx, "<pool type='netfs'><name>n4</name><source><host name='nfs1'/>"
                       "<dir path='/exports/b'/><format type='nfs'/></source>"
                       "<target><path>/mnt/n4</path></target></pool>");
        storvirt_ctx_unref(ctx);
}

/* Writes a pool definition into the state directory as an older release left it. */
static void store_def(const char *name, const char *xml, bool run_mark) {
        char path[256];
        FILE *f;

        snprintf(path, sizeof(path), "%s/pools", state);
        mkdir(state, 0700);
        mkdir(path, 0700);
        snprintf(path, sizeof(path), "%s/pools/%s.xml", state, name);
        f = fopen(path, "w");
        assert_non_null(f);
        fputs(xml, f);
        assert_int_equal(fclose(f), 0);
        if (run_mark) {
                snprintf(path, sizeof(path), "%s/pools/run", state);
                mkdir(path, 0700);
                snprintf(path, sizeof(path), "%s/pools/run/%s", state, name);
                f = fopen(path, "w");
                assert_non_null(f);
                assert_int_equal(fclose(f), 0);
        }
}

/*
 * A state directory of an earlier release with two dir pools on one
 * directory, both left running: both are loaded, one runs (the first by
 * name), and the other starts only once that one stopped, refused
 * meanwhile with -EEXIST naming it.
 */
static void test_stored_pair(void **st) {
        _cleanup_free_ char *a = dir_xml("a", target);
        _cleanup_free_ char *b = dir_xml_uuid("b", "6b1c37d2-55a4-4d4c-9e3f-0a7b8c9d1e2f", target);
        storvirt_pool *pa = NULL, *pb = NULL;
        storvirt_ctx *ctx;

        (void)st;
        store_def("b", b, true);
        store_def("a", a, true);
        ctx = ctx_open();
        assert_int_equal(storvirt_pool_lookup_by_name(ctx, "a", &pa), 0);
        assert_int_equal(storvirt_pool_lookup_by_name(ctx, "b", &pb), 0);
        assert_int_equal(storvirt_pool_is_active(pa), 1);
        assert_int_equal(storvirt_pool_is_active(pb), 0);
        assert_int_equal(storvirt_pool_start(pb, 0), -EEXIST);
        assert_non_null(strstr(storvirt_error_message(), "pool 'b' shares the target path"));
        assert_non_null(strstr(storvirt_error_message(), "with pool 'a', which is active"));
        assert_int_equal(storvirt_pool_stop(pa, 0), 0);
        assert_int_equal(storvirt_pool_start(pb, 0), 0);
        assert_int_equal(storvirt_pool_start(pa, 0), -EEXIST);
        assert_non_null(strstr(storvirt_error_message(), "with pool 'b', which is active"));
        /* the one defined later is not redefined onto what the other holds either */
        assert_int_equal(storvirt_pool_stop(pb, 0), 0);
        define_clash(ctx, b, "with pool 'a'");
        storvirt_pool_unref(pa);
        storvirt_pool_unref(pb);
        storvirt_ctx_unref(ctx);
}

/* Whether the pools of XML a and b own one source, and what they share. */
static bool shared(const char *a, const char *b, char *what) {
        storvirt__pool_def *x = NULL, *y = NULL;
        bool r;

        if (storvirt__pool_def_parse(a, strlen(a), &x) < 0 || storvirt__pool_def_parse(b, strlen(b), &y) < 0)
                fail_msg("%s / %s: %s", a, b, storvirt_error_message());
        r = storvirt__pool_source_shared(x, y, what);
        assert_int_equal(storvirt__pool_source_shared(y, x, what), r);
        storvirt__pool_def_free(x);
        storvirt__pool_def_free(y);
        return r;
}

#define GL(n, host, vol, dir) "<pool type='gluster'><name>" n "</name><source><host name='" host "'/>" \
        "<dir path='" dir "'/><name>" vol "</name></source></pool>"
#define NET(n, host, port, dir, tgt) "<pool type='netfs'><name>" n "</name><source><host name='" host "'" \
        port "/><dir path='" dir "'/><format type='nfs'/></source><target><path>" tgt "</path></target></pool>"
#define SCSI(n, adapter) "<pool type='scsi'><name>" n "</name><source>" adapter "</source>" \
        "<target><path>/dev/disk/by-path</path></target></pool>"
#define PARENT(slot, uid) "<adapter type='scsi_host'><parentaddr unique_id='" uid "'><address " \
        "domain='0x0000' bus='0x00' slot='" slot "' function='0x0'/></parentaddr></adapter>"
#define DIRECT(n, host, iqn, init) "<pool type='iscsi-direct'><name>" n "</name><source><host name='" \
        host "'/><device path='" iqn "'/><initiator><iqn name='" init "'/></initiator></source></pool>"
#define RBD(n) "<pool type='rbd'><name>" n "</name><source><host name='mon1'/><name>rbdpool</name>" \
        "</source></pool>"

/* The rules per type, both ways round, with what each names. */
static void test_rules(void **st) {
        static const struct { const char *a, *b, *what; } cases[] = {
                { GL("g1", "gl1", "vol", "/"), GL("g2", "gl1", "vol", "/"), "the gluster volume 'vol' of 'gl1'" },
                { GL("g1", "gl1", "vol", "/"), GL("g2", "gl2", "vol", "/"), NULL },
                { GL("g1", "gl1", "vol", "/a"), GL("g2", "gl1", "vol", "/b"), NULL },
                { NET("n1", "h", "", "/e", "/mnt/1"), NET("n2", "h", " port='2049'", "/e", "/mnt/2"),
                  "the NFS export 'h:/e'" },
                { NET("n1", "h", " port='2050'", "/e", "/mnt/1"), NET("n2", "h", " port='2049'", "/e", "/mnt/2"),
                  NULL },
                { NET("n1", "h", "", "/e", "/mnt/1"), NET("n2", "h", "", "/e/", "/mnt/2"), "the NFS export 'h:/e'" },
                { NET("n1", "h", "", "/e", "/mnt/1"), NET("n2", "h", "", "/f", "/mnt/2"), NULL },
                { NET("n1", "h", "", "/e", "/srv/x/"), "<pool type='dir'><name>d</name><target><path>/srv//x"
                  "</path></target></pool>", "the target path '/srv/x'" },
                { SCSI("s1", PARENT("0x1f", "2")), SCSI("s2", PARENT("0x1f", "2")),
                  "the SCSI adapter at 0000:00:1f.0 (unique_id 2)" },
                { SCSI("s1", PARENT("0x1f", "2")), SCSI("s2", PARENT("0x1f", "3")), NULL },
                { SCSI("s1", "<adapter type='fc_host' wwnn='0x20000000C9831B4B' wwpn='10000000c9831b4b'/>"),
                  SCSI("s2", "<adapter type='fc_host' wwnn='20000000c9831b4b' wwpn='10000000c9831b4b'/>"),
                  "the SCSI adapter of WWNN '20000000c9831b4b' and WWPN '10000000c9831b4b'" },
                { SCSI("s1", "<adapter type='fc_host' wwnn='20000000c9831b4b' wwpn='10000000c9831b4b'/>"),
                  SCSI("s2", "<adapter type='scsi_host' name='host7'/>"), NULL },
                { DIRECT("x1", "10.0.0.5", IQN, INIT), DIRECT("x2", "10.0.0.6", IQN, INIT),
                  "the iSCSI target '" IQN "' (initiator '" INIT "')" },
                { DIRECT("x1", "10.0.0.5", IQN, INIT), DIRECT("x2", "10.0.0.5", IQN, INIT2), NULL },
                { DIRECT("x1", "10.0.0.5", IQN, INIT), "<pool type='iscsi'><name>i</name><source>"
                  "<host name='10.0.0.5'/><device path='" IQN "'/><initiator><iqn name='" INIT "'/>"
                  "</initiator></source><target><path>/dev/disk/by-path</path></target></pool>", NULL },
                { RBD("r1"), RBD("r2"), NULL },
                /* a pool is not its own rival */
                { GL("g1", "gl1", "vol", "/"), GL("g1", "gl1", "vol", "/"), NULL },
                /* disk pools all have /dev as target */
                { "<pool type='disk'><name>d1</name><source><device path='/dev/sdb'/></source><target><path>/dev"
                  "</path></target></pool>", "<pool type='disk'><name>d2</name><source><device path='/dev/sdc'/>"
                  "</source><target><path>/dev</path></target></pool>", NULL },
        };
        char what[STORVIRT__POOL_SHARED_MAX];

        (void)st;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                bool r = shared(cases[i].a, cases[i].b, what);

                if (r != !!cases[i].what || (r && strcmp(what, cases[i].what) != 0))
                        fail_msg("%s\n%s\n  gives %s '%s'\n  want %s", cases[i].a, cases[i].b,
                                 r ? "shared" : "apart", r ? what : "", cases[i].what ? cases[i].what : "apart");
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_dir, setup, teardown),
                cmocka_unit_test_setup_teardown(test_iscsi, setup, teardown),
                cmocka_unit_test_setup_teardown(test_devices, setup, teardown),
                cmocka_unit_test_setup_teardown(test_stored_pair, setup, teardown),
                cmocka_unit_test(test_rules),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
