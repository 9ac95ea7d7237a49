/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-ctx.c - context lifetime and the state directory: precedence
 * (setter > STORVIRT_STATE_DIR > XDG/HOME default), mode 0700, errors;
 * a state directory or subdirectory that another user owns or may write
 * is refused with a message naming it, one whose mode only drifted is
 * tightened back to 0700.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <storvirt.h>
#include "objects/ctx.h"
#include "objects/records.h"
#include "util/macro.h"

static char base[64];

static int setup(void **state) {
        (void)state;
        snprintf(base, sizeof(base), "/tmp/storvirt-ctx.XXXXXX");
        if (!mkdtemp(base))
                return -1;
        unsetenv("STORVIRT_STATE_DIR");
        return 0;
}

static int teardown(void **state) {
        char cmd[128];

        (void)state;
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
        return system(cmd) == 0 ? 0 : -1;
}

static void test_ref_unref(void **state) {
        storvirt_ctx *ctx = NULL;

        (void)state;
        assert_null(storvirt_ctx_ref(NULL));
        assert_null(storvirt_ctx_unref(NULL));
        assert_int_equal(storvirt_ctx_new(&ctx, 0), 0);
        assert_ptr_equal(storvirt_ctx_ref(ctx), ctx);
        assert_null(storvirt_ctx_unref(ctx)); /* still one reference */
        assert_int_equal(storvirt_ctx_get_log_priority(ctx) >= 0, 1);
        ctx = storvirt_ctx_unref(ctx);
        assert_null(ctx);
}

static mode_t mode_of(const char *path) {
        struct stat st;

        assert_int_equal(stat(path, &st), 0);
        assert_true(S_ISDIR(st.st_mode));
        return st.st_mode & 07777;
}

static void test_explicit_dir_created_0700(void **state) {
        _cleanup_(storvirt_ctx_unrefp) storvirt_ctx *ctx = NULL;
        char dir[128];
        const char *got;

        (void)state;
        snprintf(dir, sizeof(dir), "%s/a/b/state", base);
        setenv("STORVIRT_STATE_DIR", "/nonexistent-env-dir", 1);
        assert_int_equal(storvirt_ctx_new(&ctx, 0), 0);
        assert_int_equal(storvirt_ctx_set_state_dir(ctx, dir, 0), 0);
        assert_int_equal(storvirt_ctx_get_state_dir(ctx, &got), 0);
        assert_string_equal(got, dir); /* the setter beats the environment */
        assert_int_equal(mode_of(dir), 0700);
        /* Once in use, the directory cannot change. */
        assert_int_equal(storvirt_ctx_set_state_dir(ctx, base, 0), -EBUSY);
        assert_non_null(strstr(storvirt_error_message(), dir));
        assert_true(storvirt__ctx_state_dirfd(ctx) >= 0);
        unsetenv("STORVIRT_STATE_DIR");
}

static void test_env_dir(void **state) {
        _cleanup_(storvirt_ctx_unrefp) storvirt_ctx *ctx = NULL;
        char dir[128];
        const char *got;

        (void)state;
        snprintf(dir, sizeof(dir), "%s/from-env", base);
        setenv("STORVIRT_STATE_DIR", dir, 1);
        assert_int_equal(storvirt_ctx_new(&ctx, 0), 0);
        assert_int_equal(storvirt_ctx_get_state_dir(ctx, &got), 0);
        assert_string_equal(got, dir);
        assert_int_equal(mode_of(dir), 0700);
        unsetenv("STORVIRT_STATE_DIR");
}

static void test_env_relative_rejected(void **state) {
        _cleanup_(storvirt_ctx_unrefp) storvirt_ctx *ctx = NULL;
        const char *got = NULL;

        (void)state;
        setenv("STORVIRT_STATE_DIR", "relative/dir", 1);
        assert_int_equal(storvirt_ctx_new(&ctx, 0), 0);
        assert_int_equal(storvirt_ctx_get_state_dir(ctx, &got), -EINVAL);
        assert_null(got);
        assert_string_equal(storvirt_error_message(),
                "STORVIRT_STATE_DIR: must be an absolute path, got 'relative/dir'");
        unsetenv("STORVIRT_STATE_DIR");
}

static void test_default_dir(void **state) {
        char xdg[128], expect[160], *got = NULL;

        (void)state;
        snprintf(xdg, sizeof(xdg), "%s/xdg", base);
        setenv("XDG_STATE_HOME", xdg, 1);
        assert_int_equal(storvirt__ctx_default_state_dir(0, &got), 0);
        assert_string_equal(got, "/var/lib/storvirt");
        free(got);
        assert_int_equal(storvirt__ctx_default_state_dir(1000, &got), 0);
        snprintf(expect, sizeof(expect), "%s/storvirt", xdg);
        assert_string_equal(got, expect);
        free(got);
        /* A relative XDG_STATE_HOME is ignored (XDG spec): HOME is used. */
        setenv("XDG_STATE_HOME", "relative", 1);
        setenv("HOME", base, 1);
        assert_int_equal(storvirt__ctx_default_state_dir(1000, &got), 0);
        snprintf(expect, sizeof(expect), "%s/.local/state/storvirt", base);
        assert_string_equal(got, expect);
        free(got);
        unsetenv("XDG_STATE_HOME");
}

static void test_not_a_directory(void **state) {
        _cleanup_(storvirt_ctx_unrefp) storvirt_ctx *ctx = NULL;
        char file[128], dir[160];
        const char *got;
        int fd;

        (void)state;
        snprintf(file, sizeof(file), "%s/plainfile", base);
        fd = open(file, O_CREAT | O_WRONLY, 0600);
        assert_true(fd >= 0);
        close(fd);
        snprintf(dir, sizeof(dir), "%s/sub", file);
        assert_int_equal(storvirt_ctx_new(&ctx, 0), 0);
        assert_int_equal(storvirt_ctx_set_state_dir(ctx, dir, 0), 0);
        assert_int_equal(storvirt_ctx_get_state_dir(ctx, &got), -ENOTDIR);
        assert_non_null(strstr(storvirt_error_message(), file));
}

static void test_bad_args(void **state) {
        _cleanup_(storvirt_ctx_unrefp) storvirt_ctx *ctx = NULL;
        const char *got;

        (void)state;
        assert_int_equal(storvirt_ctx_new(&ctx, 0), 0);
        assert_int_equal(storvirt_ctx_set_state_dir(ctx, "rel", 0), -EINVAL);
        assert_string_equal(storvirt_error_message(),
                            "storvirt_ctx_set_state_dir: invalid argument 'path': must be an absolute path, got 'rel'");
        assert_int_equal(storvirt_ctx_set_state_dir(ctx, NULL, 0), -EINVAL);
        assert_non_null(strstr(storvirt_error_message(), "'path'"));
        assert_int_equal(storvirt_ctx_set_state_dir(ctx, "/x", 4), -EINVAL);
        assert_int_equal(storvirt_ctx_set_state_dir(NULL, "/x", 0), -EINVAL);
        assert_int_equal(storvirt_ctx_get_state_dir(ctx, NULL), -EINVAL);
        assert_int_equal(storvirt_ctx_get_state_dir(NULL, &got), -EINVAL);
}

/* base/<name>, made with exactly mode (no umask). */
static void make_dir(char *buf, size_t size, const char *parent, const char *name, mode_t mode) {
        snprintf(buf, size, "%s/%s", parent, name);
        assert_int_equal(mkdir(buf, mode), 0);
        assert_int_equal(chmod(buf, mode), 0);
}

static storvirt_ctx *ctx_on(const char *dir) {
        storvirt_ctx *ctx = NULL;

        assert_int_equal(storvirt_ctx_new(&ctx, STORVIRT_CTX_NEW_IGNORE_ENV |
                                                STORVIRT_CTX_NEW_NO_AUTOSTART), 0);
        assert_int_equal(storvirt_ctx_set_state_dir(ctx, dir, 0), 0);
        return ctx;
}

static void assert_error(const char *want) {
        if (strcmp(storvirt_error_message(), want) != 0)
                fail_msg("error message\n  got:  %s\n  want: %s", storvirt_error_message(), want);
}

static void test_state_dir_writable_refused(void **state) {
        _cleanup_(storvirt_ctx_unrefp) storvirt_ctx *ctx = NULL, *ctx2 = NULL;
        char dir[128], want[256];
        const char *got = NULL;

        (void)state;
        make_dir(dir, sizeof(dir), base, "state", 0777);
        ctx = ctx_on(dir);
        assert_int_equal(storvirt_ctx_get_state_dir(ctx, &got), -EPERM);
        snprintf(want, sizeof(want), "state directory '%s' is writable by others (mode 0777): "
                 "refusing to use it", dir);
        assert_error(want);
        assert_int_equal(mode_of(dir), 0777);   /* left for its owner to inspect */
        assert_int_equal(chmod(dir, 0770), 0);
        ctx2 = ctx_on(dir);
        assert_int_equal(storvirt_ctx_get_state_dir(ctx2, &got), -EPERM);
        snprintf(want, sizeof(want), "state directory '%s' is writable by its group (mode 0770): "
                 "refusing to use it", dir);
        assert_error(want);
}

/* Another user swapped connections/ for a directory of his own (mode 0777). */
static void test_subdir_writable_refused(void **state) {
        _cleanup_(storvirt_ctx_unrefp) storvirt_ctx *ctx = NULL;
        storvirt_connection **conns = NULL;
        char dir[128], sub[160], rec[200], want[320];
        FILE *f;

        (void)state;
        make_dir(dir, sizeof(dir), base, "state", 0700);
        make_dir(sub, sizeof(sub), dir, "connections", 0777);
        snprintf(rec, sizeof(rec), "%s/planted.json", sub);
        f = fopen(rec, "w");
        assert_non_null(f);
        fputs("{\"id\": \"planted\", \"type\": \"posixfs\", \"spec\": \"/dev/sdz\", "
              "\"vfstype\": \"ext4\", \"options\": \"suid,dev\"}", f);
        fclose(f);
        ctx = ctx_on(dir);
        assert_int_equal(storvirt_connection_list(ctx, &conns, NULL, 0), -EPERM);
        assert_null(conns);
        snprintf(want, sizeof(want), "state directory '%s' is writable by others (mode 0777): "
                 "refusing to use it", sub);
        assert_error(want);
        assert_int_equal(mode_of(sub), 0777);
}

/* mnt/ (the connections' mount points, 0755) is checked when the directory is opened. */
static void test_mount_dir_checked_on_open(void **state) {
        _cleanup_(storvirt_ctx_unrefp) storvirt_ctx *ctx = NULL, *ctx2 = NULL;
        char dir[128], sub[160], want[320];
        const char *got = NULL;

        (void)state;
        make_dir(dir, sizeof(dir), base, "state", 0700);
        make_dir(sub, sizeof(sub), dir, "mnt", 0755);
        ctx = ctx_on(dir);
        assert_int_equal(storvirt_ctx_get_state_dir(ctx, &got), 0);
        assert_int_equal(mode_of(sub), 0755);   /* its own mode: left alone */
        assert_int_equal(chmod(sub, 0777), 0);
        ctx2 = ctx_on(dir);
        assert_int_equal(storvirt_ctx_get_state_dir(ctx2, &got), -EPERM);
        snprintf(want, sizeof(want), "state directory '%s' is writable by others (mode 0777): "
                 "refusing to use it", sub);
        assert_error(want);
}

static void test_subdir_foreign_owner_refused(void **state) {
        _cleanup_(storvirt_ctx_unrefp) storvirt_ctx *ctx = NULL;
        storvirt_connection **conns = NULL;
        storvirt_pool **pools = NULL;
        char dir[128], sub[160], want[320];
        yajl_val v = NULL;

        (void)state;
        if (geteuid() != 0)
                skip(); /* giving a directory away needs root */
        make_dir(dir, sizeof(dir), base, "state", 0700);
        make_dir(sub, sizeof(sub), dir, "secrets", 0700);
        assert_int_equal(chown(sub, 65534, 65534), 0);
        ctx = ctx_on(dir);
        assert_int_equal(storvirt__record_read(ctx, "secrets", "c1", false, &v, NULL), -EPERM);
        snprintf(want, sizeof(want), "state directory '%s' is owned by uid 65534, not 0: "
                 "refusing to use it", sub);
        assert_error(want);
        /* A nested one: pools/run. */
        make_dir(sub, sizeof(sub), dir, "pools", 0700);
        make_dir(sub, sizeof(sub), dir, "pools/run", 0700);
        assert_int_equal(chown(sub, 65534, 65534), 0);
        assert_int_equal(storvirt_pool_list(ctx, NULL, &pools, NULL, 0), -EPERM);
        assert_null(pools);
        snprintf(want, sizeof(want), "state directory '%s' is owned by uid 65534, not 0: "
                 "refusing to use it", sub);
        assert_error(want);
        /* connections/ owned by another user, even with mode 0700 (secrets/ ours again:
         * listing connections reads both). */
        snprintf(sub, sizeof(sub), "%s/secrets", dir);
        assert_int_equal(chown(sub, 0, 0), 0);
        make_dir(sub, sizeof(sub), dir, "connections", 0700);
        assert_int_equal(chown(sub, 65534, 65534), 0);
        assert_int_equal(storvirt_connection_list(ctx, &conns, NULL, 0), -EPERM);
        snprintf(want, sizeof(want), "state directory '%s' is owned by uid 65534, not 0: "
                 "refusing to use it", sub);
        assert_error(want);
}

static void test_subdir_symlink_refused(void **state) {
        _cleanup_(storvirt_ctx_unrefp) storvirt_ctx *ctx = NULL;
        char dir[128], other[128], sub[160], want[320];
        yajl_val v = NULL;

        (void)state;
        make_dir(dir, sizeof(dir), base, "state", 0700);
        make_dir(other, sizeof(other), base, "elsewhere", 0700);
        snprintf(sub, sizeof(sub), "%s/vdisks", dir);
        assert_int_equal(symlink(other, sub), 0);
        ctx = ctx_on(dir);
        assert_int_equal(storvirt__record_read(ctx, "vdisks", "x", false, &v, NULL), -EPERM);
        snprintf(want, sizeof(want), "state directory '%s' is a symbolic link: "
                 "refusing to use it", sub);
        assert_error(want);
}

/* Modes that only drifted (nobody else may write) are set back to 0700. */
static void test_drifted_modes_tightened(void **state) {
        _cleanup_(storvirt_ctx_unrefp) storvirt_ctx *ctx = NULL;
        char dir[128], pools[160], run[160], conns[160];
        storvirt_connection **list = NULL;
        storvirt_pool **plist = NULL;
        const char *got = NULL;

        (void)state;
        make_dir(dir, sizeof(dir), base, "state", 0755);
        make_dir(pools, sizeof(pools), dir, "pools", 0755);
        make_dir(run, sizeof(run), dir, "pools/run", 0711);
        make_dir(conns, sizeof(conns), dir, "connections", 0750);
        ctx = ctx_on(dir);
        assert_int_equal(storvirt_ctx_get_state_dir(ctx, &got), 0);
        assert_int_equal(mode_of(dir), 0700);
        assert_int_equal(storvirt_pool_list(ctx, NULL, &plist, NULL, 0), 0);
        storvirt_pool_list_free(plist);
        assert_int_equal(mode_of(pools), 0700);
        assert_int_equal(mode_of(run), 0700);
        assert_int_equal(storvirt_connection_list(ctx, &list, NULL, 0), 0);
        storvirt_connection_list_free(list);
        assert_int_equal(mode_of(conns), 0700);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_ref_unref),
                cmocka_unit_test_setup_teardown(test_explicit_dir_created_0700, setup, teardown),
                cmocka_unit_test_setup_teardown(test_env_dir, setup, teardown),
                cmocka_unit_test_setup_teardown(test_env_relative_rejected, setup, teardown),
                cmocka_unit_test_setup_teardown(test_default_dir, setup, teardown),
                cmocka_unit_test_setup_teardown(test_not_a_directory, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bad_args, setup, teardown),
                cmocka_unit_test_setup_teardown(test_state_dir_writable_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_subdir_writable_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_mount_dir_checked_on_open, setup, teardown),
                cmocka_unit_test_setup_teardown(test_subdir_foreign_owner_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_subdir_symlink_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_drifted_modes_tightened, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
