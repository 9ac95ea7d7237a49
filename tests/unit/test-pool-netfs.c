/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-pool-netfs.c - "netfs" pools: the mount helper's exact argv for
 * each format (nfs with and without a protocol version and mount
 * options, cifs, glusterfs, auto, IPv6 hosts), the errors (missing host
 * or dir, a protocol version with a comma, a host that would read as an
 * option, a missing target, a failing helper leaving the pool inactive,
 * a helper that reports success without mounting), and, as root, the
 * whole lifecycle on a stand-in mount.
 *
 * No NFS, CIFS or GlusterFS server can run on this machine (and no
 * mount.nfs or mount.cifs is installed), so storvirt__command_run() is
 * replaced by its dry-run hook: the test sees the argv and decides what
 * the helper returns.  For the lifecycle tests the hook plays a helper
 * that succeeds: it mounts a tmpfs named like the requested source on
 * the target, so checking (/proc/self/mountinfo), volumes, stopping
 * (umount2) and finding a pool still mounted by a later context all run
 * for real.
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
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <storvirt.h>
#include "backends/backends.h"
#include "core/pool.h"
#include "sys/command.h"
#include "util/macro.h"
#include "util/strv.h"

static char base[64], state[128];

/* What the stand-in mount helper saw and does. */
static struct {
        char **argv;         /* the last argv */
        int calls;
        int ret;             /* < 0: fail with this and a mount.nfs-like message */
        bool mount_tmpfs;    /* on success, mount a tmpfs named as the source */
} helper;

static int fake_helper(char *const argv[], char **ret_stdout, void *userdata) {
        size_t i = argv[1] && strcmp(argv[1], "-t") == 0 ? 3 : 1;

        (void)ret_stdout;
        (void)userdata;
        storvirt__strv_free(helper.argv);
        helper.argv = NULL;
        assert_int_equal(storvirt__strv_copy(argv, &helper.argv), 0);
        helper.calls++;
        if (helper.ret < 0)
                return storvirt__error_set(helper.ret, "mount failed (exit status 32): "
                                           "mount.nfs: access denied by server while mounting %s",
                                           argv[i]);
        if (helper.mount_tmpfs &&
            mount(argv[i], argv[i + 1], "tmpfs", MS_NODEV | MS_NOSUID | MS_NOEXEC, "size=4m") < 0)
                return storvirt__error_set(-errno, "stand-in mount: %s", strerror(errno));
        return 0;
}

static int setup(void **st) {
        (void)st;
        snprintf(base, sizeof(base), "/tmp/storvirt-netfs.XXXXXX");
        if (!mkdtemp(base))
                return -1;
        snprintf(state, sizeof(state), "%s/state", base);
        storvirt__command_set_dry_run(fake_helper, NULL);
        return 0;
}

static bool mount_at(const char *path, char *source, size_t size) {
        char line[4096], mp[1024], src[512];
        bool found = false;
        FILE *f = fopen("/proc/self/mountinfo", "re");

        assert_non_null(f);
        while (fgets(line, sizeof(line), f)) {
                char *dash = strstr(line, " - ");

                if (sscanf(line, "%*d %*d %*s %*s %1023s", mp) == 1 && strcmp(mp, path) == 0 &&
                    dash && sscanf(dash + 3, "%*s %511s", src) == 1) {
                        found = true;
                        if (source)
                                snprintf(source, size, "%s", src);
                }
        }
        fclose(f);
        return found;
}

static int teardown(void **st) {
        char line[4096], mp[1024], cmd[128];
        bool again = true;

        (void)st;
        storvirt__command_set_dry_run(NULL, NULL);
        storvirt__strv_free(helper.argv);
        while (again) {
                FILE *f = fopen("/proc/self/mountinfo", "re");

                again = false;
                while (f && fgets(line, sizeof(line), f))
                        if (sscanf(line, "%*d %*d %*s %*s %1023s", mp) == 1 &&
                            strncmp(mp, base, strlen(base)) == 0 && umount2(mp, MNT_DETACH) == 0)
                                again = true;
                if (f)
                        fclose(f);
        }
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
        return system(cmd) == 0 ? 0 : -1;
}

static int reset_helper(void **st) {
        (void)st;
        helper.ret = -EIO;
        helper.mount_tmpfs = false;
        return 0;
}

static storvirt_ctx *ctx_open(void) {
        storvirt_ctx *ctx = NULL;

        assert_int_equal(storvirt_ctx_new(&ctx, STORVIRT_CTX_NEW_IGNORE_ENV |
                                                STORVIRT_CTX_NEW_NO_AUTOSTART), 0);
        assert_int_equal(storvirt_ctx_set_state_dir(ctx, state, 0), 0);
        return ctx;
}

static void target_of(const char *name, char *buf, size_t n) {
        snprintf(buf, n, "%s/mnt-%s", base, name);
}

static char *pool_xml(const char *name, const char *source, const char *extra) {
        char target[128], *xml = NULL;

        target_of(name, target, sizeof(target));
        assert_true(asprintf(&xml,
                "<pool type='netfs' xmlns:fs='http://libvirt.org/schemas/storagepool/fs/1.0'>"
                "<name>%s</name><source>%s</source><target><path>%s</path></target>%s</pool>",
                name, source, target, extra ? extra : "") > 0);
        return xml;
}

static int define(storvirt_ctx *ctx, const char *name, const char *source, const char *extra,
                  storvirt_pool **ret) {
        _cleanup_free_ char *xml = pool_xml(name, source, extra);

        return storvirt_pool_define_xml(ctx, xml, ret, 0);
}

static void expect_error(int r, int err, const char *needle) {
        if (r != err)
                fail_msg("expected %d, got %d: %s", err, r, storvirt_error_message());
        if (needle && !strstr(storvirt_error_message(), needle))
                fail_msg("message '%s' lacks '%s'", storvirt_error_message(), needle);
}

/* ---- the helper's argv -------------------------------------------------------- */

static const struct {
        const char *name, *source, *extra;
        const char *type;     /* NULL: no -t */
        const char *spec;     /* the mount source */
        const char *opts;
} argv_cases[] = {
        { "nfs", "<host name='nfs.example.com'/><dir path='/export/images'/>"
                 "<format type='nfs'/>", NULL,
          "nfs", "nfs.example.com:/export/images", "nodev,nosuid,noexec" },
        { "nfs-ver", "<host name='nfs.example.com'/><dir path='/export'/><format type='nfs'/>"
                     "<protocol ver='4'/>", NULL,
          "nfs", "nfs.example.com:/export", "nodev,nosuid,noexec,nfsvers=4" },
        /* NFS 4 minor versions go to the helper as written: nfsvers=4.1. */
        { "nfs-ver41", "<host name='nfs.example.com'/><dir path='/export'/><format type='nfs'/>"
                       "<protocol ver='4.1'/>", NULL,
          "nfs", "nfs.example.com:/export", "nodev,nosuid,noexec,nfsvers=4.1" },
        { "nfs-ver40", "<host name='nfs.example.com'/><dir path='/export'/><format type='nfs'/>"
                       "<protocol ver='4.0'/>", NULL,
          "nfs", "nfs.example.com:/export", "nodev,nosuid,noexec,nfsvers=4.0" },
        { "nfs-opts", "<host name='10.0.0.5'/><dir path='/export'/><format type='nfs'/>",
          "<fs:mount_opts><fs:option name='soft'/><fs:option name='timeo=30'/></fs:mount_opts>",
          "nfs", "10.0.0.5:/export", "nodev,nosuid,noexec,soft,timeo=30" },
        /* The parser drops the trailing slash of <dir>, as libvirt does. */
        { "nfs-ver-opts", "<host name='nfs.example.com'/><dir path='/export/'/>"
                          "<format type='nfs'/><protocol ver='3'/>",
          "<fs:mount_opts><fs:option name='sync'/></fs:mount_opts>",
          "nfs", "nfs.example.com:/export", "nodev,nosuid,noexec,nfsvers=3,sync" },
        { "nfs-v6", "<host name='2001:db8::5'/><dir path='/export'/><format type='nfs'/>", NULL,
          "nfs", "[2001:db8::5]:/export", "nodev,nosuid,noexec" },
        { "cifs", "<host name='fileserver'/><dir path='share'/><format type='cifs'/>", NULL,
          "cifs", "//fileserver/share", "nodev,nosuid,noexec" },
        { "cifs-abs", "<host name='fileserver'/><dir path='/share/vms'/><format type='cifs'/>",
          "<fs:mount_opts><fs:option name='vers=3.0'/></fs:mount_opts>",
          "cifs", "//fileserver/share/vms", "nodev,nosuid,noexec,vers=3.0" },
        { "gluster", "<host name='gluster1'/><dir path='gv0'/><format type='glusterfs'/>", NULL,
          "glusterfs", "gluster1:/gv0", "nodev,nosuid,noexec" },
        { "gluster-slash", "<host name='gluster1'/><dir path='/gv0'/><format type='glusterfs'/>",
          NULL, "glusterfs", "gluster1:/gv0", "nodev,nosuid,noexec" },
        { "gluster-v6", "<host name='fd00::7'/><dir path='gv0'/><format type='glusterfs'/>",
          NULL, "glusterfs", "[fd00::7]:/gv0", "nodev,nosuid,noexec" },
        { "auto", "<host name='nas'/><dir path='/volume1/vm'/>", NULL,
          NULL, "nas:/volume1/vm", "nodev,nosuid,noexec" },
        { "auto-ver", "<host name='nas'/><dir path='/vm'/><format type='auto'/>"
                      "<protocol ver='4'/>", NULL,
          NULL, "nas:/vm", "nodev,nosuid,noexec,nfsvers=4" },
        { "auto-ver42", "<host name='nas'/><dir path='/vm'/><format type='auto'/>"
                        "<protocol ver='4.2'/>",
          "<fs:mount_opts><fs:option name='hard'/></fs:mount_opts>",
          NULL, "nas:/vm", "nodev,nosuid,noexec,nfsvers=4.2,hard" },
};

static void test_helper_argv(void **st) {
        storvirt_ctx *ctx = ctx_open();

        (void)st;
        for (size_t i = 0; i < ELEMENTSOF(argv_cases); i++) {
                storvirt_pool *pool = NULL;
                char target[128];
                size_t k = 0;

                if (define(ctx, argv_cases[i].name, argv_cases[i].source, argv_cases[i].extra,
                           &pool) < 0)
                        fail_msg("%s: %s", argv_cases[i].name, storvirt_error_message());
                assert_int_equal(storvirt_pool_build(pool, 0), 0);
                target_of(argv_cases[i].name, target, sizeof(target));
                expect_error(storvirt_pool_start(pool, 0), -EIO, "access denied");
                assert_non_null(helper.argv);
                assert_string_equal(helper.argv[k++], "mount");
                if (argv_cases[i].type) {
                        assert_string_equal(helper.argv[k++], "-t");
                        assert_string_equal(helper.argv[k++], argv_cases[i].type);
                }
                assert_string_equal(helper.argv[k++], argv_cases[i].spec);
                assert_string_equal(helper.argv[k++], target);
                assert_string_equal(helper.argv[k++], "-o");
                assert_string_equal(helper.argv[k++], argv_cases[i].opts);
                assert_null(helper.argv[k]);
                assert_int_equal(storvirt_pool_is_active(pool), 0);
                assert_int_equal(storvirt_pool_undefine(pool, 0), 0);
                storvirt_pool_unref(pool);
        }
        storvirt_ctx_unref(ctx);
}

/* ---- errors ---------------------------------------------------------------------- */

static void test_definition_errors(void **st) {
        storvirt_ctx *ctx = ctx_open();
        storvirt_pool *pool = NULL;
        int calls = helper.calls;

        (void)st;
        expect_error(define(ctx, "nohost", "<dir path='/export'/><format type='nfs'/>", NULL,
                            &pool), -EINVAL, "host");
        expect_error(define(ctx, "nodir", "<host name='nfs.example.com'/><format type='nfs'/>",
                            NULL, &pool), -EINVAL, "dir");
        /* The schema's protocol version is a number: "4,1" would smuggle in an option. */
        expect_error(define(ctx, "comma", "<host name='h'/><dir path='/e'/><format type='nfs'/>"
                                          "<protocol ver='4,1'/>", NULL, &pool),
                     -EINVAL, "4,1");
        expect_error(define(ctx, "cifsver", "<host name='h'/><dir path='s'/><format type='cifs'/>"
                                            "<protocol ver='3'/>", NULL, &pool),
                     -EINVAL, "protocol");
        expect_error(define(ctx, "cifsminor", "<host name='h'/><dir path='s'/>"
                                              "<format type='cifs'/><protocol ver='4.1'/>",
                            NULL, &pool), -EINVAL, "not 'cifs'");
        expect_error(define(ctx, "v31", "<host name='h'/><dir path='/e'/><format type='nfs'/>"
                                        "<protocol ver='3.1'/>", NULL, &pool),
                     -EINVAL, "only NFS version 4 has minor versions");
        expect_error(define(ctx, "reldir", "<host name='h'/><dir path='export'/>"
                                           "<format type='nfs'/>", NULL, &pool),
                     -EINVAL, "export");
        assert_int_equal(helper.calls, calls);
        storvirt_ctx_unref(ctx);
}

/* The backend checks on its own what the parser checks (definitions built in memory). */
static void test_backend_checks(void **st) {
        storvirt_ctx *ctx = ctx_open();
        storvirt__pool_def *def = NULL;
        storvirt__pool_obj *obj = NULL;
        int calls = helper.calls;
        bool active = true;

        (void)st;
        assert_int_equal(storvirt__pool_def_new("netfs", "inmem", &def), 0);
        def->target.path = strdup(base);
        assert_int_equal(storvirt__pool_obj_make(ctx, def, &obj), 0);
        pthread_mutex_lock(&obj->lock);
        expect_error(storvirt__backend_netfs.start_pool(obj, 0), -EINVAL, "no source host");
        def->source.hosts = calloc(1, sizeof(*def->source.hosts));
        assert_non_null(def->source.hosts);
        def->source.n_hosts = 1;
        def->source.hosts[0].name = strdup("-oexec");
        expect_error(storvirt__backend_netfs.start_pool(obj, 0), -EINVAL, "-oexec");
        free(def->source.hosts[0].name);
        def->source.hosts[0].name = strdup("nfs.example.com");
        expect_error(storvirt__backend_netfs.start_pool(obj, 0), -EINVAL, "no source directory");
        def->source.dir = strdup("relative");
        expect_error(storvirt__backend_netfs.start_pool(obj, 0), -EINVAL, "absolute");
        free(def->source.format);
        def->source.format = strdup("cifs");
        def->source.protocol_ver = strdup("3");
        expect_error(storvirt__backend_netfs.start_pool(obj, 0), -EINVAL, "protocol");
        /* A version built in memory is checked again: no option smuggled in after a ','. */
        free(def->source.format);
        def->source.format = strdup("nfs");
        def->source.dir[0] = '/';
        free(def->source.protocol_ver);
        def->source.protocol_ver = strdup("4,sync");
        expect_error(storvirt__backend_netfs.start_pool(obj, 0), -EINVAL,
                     "protocol version '4,sync' is not an NFS version");
        assert_int_equal(storvirt__backend_netfs.check_pool(obj, &active), 0);
        assert_false(active);
        pthread_mutex_unlock(&obj->lock);
        assert_int_equal(helper.calls, calls);
        storvirt__pool_obj_unref(obj);
        storvirt_ctx_unref(ctx);
}

static void test_helper_failure(void **st) {
        storvirt_ctx *ctx = ctx_open();
        storvirt_pool *pool = NULL;
        _cleanup_free_ char *xml = NULL;
        char target[128];
        int calls = helper.calls;

        (void)st;
        assert_int_equal(define(ctx, "fails", "<host name='nfs.example.com'/>"
                                              "<dir path='/export'/><format type='nfs'/>",
                                NULL, &pool), 0);
        /* Not built: the target is missing and the helper is not even run. */
        expect_error(storvirt_pool_start(pool, 0), -ENOENT, "build the pool first");
        assert_int_equal(helper.calls, calls);

        assert_int_equal(storvirt_pool_build(pool, 0), 0);
        expect_error(storvirt_pool_start(pool, 0), -EIO, "access denied by server");
        assert_non_null(strstr(storvirt_error_message(), "pool 'fails'"));
        assert_non_null(strstr(storvirt_error_message(), "nfs.example.com:/export"));
        assert_int_equal(helper.calls, calls + 1);
        assert_int_equal(storvirt_pool_is_active(pool), 0);
        target_of("fails", target, sizeof(target));
        assert_false(mount_at(target, NULL, 0));
        expect_error(storvirt_pool_stop(pool, 0), -EINVAL, "not active");

        /* A transient pool whose mount fails is not kept (another export: one pool owns one). */
        xml = pool_xml("transient", "<host name='nfs.example.com'/><dir path='/export/other'/>",
                       NULL);
        storvirt_pool_unref(pool);
        pool = NULL;
        expect_error(storvirt_pool_create_xml(ctx, xml, &pool, STORVIRT_POOL_CREATE_BUILD), -EIO,
                     "access denied");
        expect_error(storvirt_pool_lookup_by_name(ctx, "transient", &pool), -ENOENT, NULL);
        assert_int_equal(storvirt_pool_lookup_by_name(ctx, "fails", &pool), 0);
        assert_int_equal(storvirt_pool_delete(pool, 0), 0);
        assert_int_equal(storvirt_pool_undefine(pool, 0), 0);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
}

/* ---- root: the lifecycle on a stand-in mount ---------------------------------------- */

#define REQUIRE_ROOT()                                                         \
        do {                                                                  \
                if (geteuid() != 0) {                                         \
                        print_message("mounting the stand-in tmpfs needs root\n"); \
                        skip();                                               \
                }                                                             \
        } while (0)

static void test_lifecycle(void **st) {
        storvirt_ctx *ctx;
        storvirt_pool *pool = NULL;
        storvirt_volume *vol = NULL;
        char target[128], source[512], path[256];
        uint64_t cap = 0;
        int fd;

        (void)st;
        REQUIRE_ROOT();
        helper.ret = 0;
        helper.mount_tmpfs = true;
        ctx = ctx_open();
        target_of("life", target, sizeof(target));
        assert_int_equal(define(ctx, "life", "<host name='2001:db8::5'/><dir path='/export/vm'/>"
                                             "<format type='nfs'/><protocol ver='4'/>",
                                NULL, &pool), 0);
        assert_int_equal(storvirt_pool_start(pool, STORVIRT_POOL_CREATE_BUILD), 0);
        assert_int_equal(storvirt_pool_is_active(pool), 1);
        assert_true(mount_at(target, source, sizeof(source)));
        assert_string_equal(source, "[2001:db8::5]:/export/vm");
        assert_int_equal(storvirt_pool_get_info(pool, NULL, &cap, NULL, NULL), 0);
        assert_int_equal(cap, 4 * 1024 * 1024);
        assert_int_equal(storvirt_volume_create_xml(pool, "<volume><name>v.raw</name>"
                                                          "<capacity>65536</capacity></volume>",
                                                    &vol, NULL, NULL, 0), 0);
        storvirt_volume_unref(vol);

        /* A file open on the share keeps it mounted; the pool stays usable. */
        snprintf(path, sizeof(path), "%s/v.raw", target);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        expect_error(storvirt_pool_stop(pool, 0), -EBUSY, "busy");
        assert_int_equal(storvirt_pool_is_active(pool), 1);
        assert_int_equal(storvirt_pool_refresh(pool, 0), 0);
        close(fd);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);

        /* A later context finds it mounted from the pool's source: active. */
        ctx = ctx_open();
        assert_int_equal(storvirt_pool_lookup_by_name(ctx, "life", &pool), 0);
        assert_int_equal(storvirt_pool_is_active(pool), 1);
        assert_int_equal(storvirt_volume_lookup_by_name(pool, "v.raw", &vol), 0);
        storvirt_volume_unref(vol);
        /* Something mounted over the share is not unmounted in its place. */
        assert_int_equal(mount("stacked", target, "tmpfs", 0, "size=1m"), 0);
        expect_error(storvirt_pool_stop(pool, 0), -EBUSY, "stacked");
        assert_int_equal(umount2(target, 0), 0);
        assert_int_equal(storvirt_pool_stop(pool, 0), 0);
        assert_false(mount_at(target, NULL, 0));

        /* Another filesystem on the target: not the pool's; start and delete refuse. */
        assert_int_equal(mount("otherhost:/else", target, "tmpfs", 0, "size=1m"), 0);
        expect_error(storvirt_pool_start(pool, 0), -EBUSY, "otherhost:/else");
        expect_error(storvirt_pool_delete(pool, 0), -EBUSY, "mount point");
        assert_int_equal(umount2(target, 0), 0);
        assert_int_equal(storvirt_pool_delete(pool, 0), 0);
        assert_int_equal(access(target, F_OK), -1);
        assert_int_equal(storvirt_pool_undefine(pool, 0), 0);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
}

/* A helper that exits 0 without mounting must not leave files going to the local dir. */
static void test_silent_failure(void **st) {
        storvirt_ctx *ctx = ctx_open();
        storvirt_pool *pool = NULL;

        (void)st;
        helper.ret = 0;
        helper.mount_tmpfs = false;
        assert_int_equal(define(ctx, "silent", "<host name='nas'/><dir path='/vm'/>", NULL,
                                &pool), 0);
        assert_int_equal(storvirt_pool_build(pool, 0), 0);
        expect_error(storvirt_pool_start(pool, 0), -EIO, "nothing is mounted");
        assert_int_equal(storvirt_pool_is_active(pool), 0);
        assert_int_equal(storvirt_pool_undefine(pool, 0), 0);
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup(test_helper_argv, reset_helper),
                cmocka_unit_test_setup(test_definition_errors, reset_helper),
                cmocka_unit_test_setup(test_backend_checks, reset_helper),
                cmocka_unit_test_setup(test_helper_failure, reset_helper),
                cmocka_unit_test_setup(test_lifecycle, reset_helper),
                cmocka_unit_test_setup(test_silent_failure, reset_helper),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
