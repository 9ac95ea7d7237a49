/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-ctx.c - context lifetime and the state directory: precedence
 * (setter > STORVIRT_STATE_DIR > XDG/HOME default), mode 0700, errors.
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
#include "core/ctx.h"
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

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_ref_unref),
                cmocka_unit_test_setup_teardown(test_explicit_dir_created_0700, setup, teardown),
                cmocka_unit_test_setup_teardown(test_env_dir, setup, teardown),
                cmocka_unit_test_setup_teardown(test_env_relative_rejected, setup, teardown),
                cmocka_unit_test_setup_teardown(test_default_dir, setup, teardown),
                cmocka_unit_test_setup_teardown(test_not_a_directory, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bad_args, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
