/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-backend.c - the backend registry: validation of ops tables,
 * duplicate names, lookups, and -EOPNOTSUPP naming type and operation
 * for a NULL slot.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <storvirt.h>
#include "backends/backends.h"
#include "core/backend.h"
#include "objects/ctx.h"
#include "util/macro.h"

static int fake_refresh(struct storvirt__pool_obj *obj, uint32_t flags) {
        (void)obj;
        return (int)flags; /* echo, so the test sees the call went through */
}

static const storvirt__backend_ops fake_ops = {
        .abi = STORVIRT__BACKEND_ABI,
        .type = "fake",
        .refresh_pool = fake_refresh,
};

static void test_register_and_call(void **state) {
        _cleanup_(storvirt_ctx_unrefp) storvirt_ctx *ctx = NULL;
        const storvirt__backend_ops *ops = NULL;

        (void)state;
        assert_int_equal(storvirt_ctx_new(&ctx, 0), 0);
        assert_int_equal(storvirt__backend_register(ctx, &fake_ops), 0);
        assert_int_equal(storvirt__backend_get(ctx, "fake", &ops), 0);
        assert_ptr_equal(ops, &fake_ops);
        assert_int_equal(STORVIRT__BACKEND_CALL(ops, refresh_pool, NULL, 7), 7);
        assert_int_equal(STORVIRT__BACKEND_CALL(ops, start_pool, NULL, 0), -EOPNOTSUPP);
        assert_string_equal(storvirt_error_message(),
                            "pool type 'fake' does not support operation 'start_pool'");
        /* The same name twice is refused. */
        assert_int_equal(storvirt__backend_register(ctx, &fake_ops), -EEXIST);
        assert_non_null(strstr(storvirt_error_message(), "'fake'"));
}

static void test_invalid_tables(void **state) {
        _cleanup_(storvirt_ctx_unrefp) storvirt_ctx *ctx = NULL;
        storvirt__backend_ops bad = fake_ops;

        (void)state;
        assert_int_equal(storvirt_ctx_new(&ctx, 0), 0);
        bad.abi = 99;
        assert_int_equal(storvirt__backend_register(ctx, &bad), -EINVAL);
        assert_string_equal(storvirt_error_message(),
                            "backend 'fake': ops table ABI 99, this library expects 1");
        bad = fake_ops;
        bad.refresh_pool = NULL;
        assert_int_equal(storvirt__backend_register(ctx, &bad), -EINVAL);
        assert_string_equal(storvirt_error_message(), "backend 'fake': refresh_pool is mandatory");
        bad = fake_ops;
        bad.type = "";
        assert_int_equal(storvirt__backend_register(ctx, &bad), -EINVAL);
        assert_int_equal(storvirt__backend_register(ctx, NULL), -EINVAL);
}

static void test_lookup_errors(void **state) {
        _cleanup_(storvirt_ctx_unrefp) storvirt_ctx *ctx = NULL;
        const storvirt__backend_ops *ops = NULL;

        (void)state;
        assert_int_equal(storvirt_ctx_new(&ctx, 0), 0);
        assert_int_equal(storvirt__backend_get(ctx, "nosuchtype", &ops), -ENOENT);
        assert_string_equal(storvirt_error_message(), "unknown pool type 'nosuchtype'");
        /* A type libvirt knows but this build lacks: not supported. */
        assert_int_equal(storvirt__backend_get(ctx, "sheepdog", &ops), -EOPNOTSUPP);
        assert_string_equal(storvirt_error_message(),
                            "pool type 'sheepdog' is not built into this library");
        assert_null(ops);
}

static size_t count_strv(char **v) {
        size_t n = 0;

        while (v && v[n])
                n++;
        return n;
}

static void test_public_queries(void **state) {
        _cleanup_(storvirt_ctx_unrefp) storvirt_ctx *ctx = NULL;
        char **types = NULL;
        size_t n = 99, before;

        (void)state;
        assert_int_equal(storvirt_ctx_new(&ctx, 0), 0);
        assert_int_equal(storvirt_ctx_list_pool_types(ctx, &types, &before, 0), 0);
        assert_int_equal(before, count_strv(types));
        storvirt_strv_free(types);
        assert_int_equal(storvirt__backend_register(ctx, &fake_ops), 0);
        assert_int_equal(storvirt_ctx_list_pool_types(ctx, &types, &n, 0), 0);
        assert_int_equal(n, before + 1);
        assert_null(types[n]);
        bool found = false;
        for (size_t i = 0; i < n; i++)
                found |= strcmp(types[i], "fake") == 0;
        assert_true(found);
        storvirt_strv_free(types);
        assert_int_equal(storvirt_ctx_pool_type_supports(ctx, "fake", "refresh_pool"), 1);
        assert_int_equal(storvirt_ctx_pool_type_supports(ctx, "fake", "wipe_volume"), 0);
        assert_int_equal(storvirt_ctx_pool_type_supports(ctx, "fake", "fly"), -EINVAL);
        assert_string_equal(storvirt_error_message(), "unknown backend operation 'fly'");
        assert_int_equal(storvirt_ctx_pool_type_supports(ctx, "nope", "refresh_pool"), -ENOENT);
        assert_int_equal(storvirt_ctx_list_pool_types(ctx, &types, NULL, 1), -EINVAL);
        assert_int_equal(storvirt_ctx_list_pool_types(ctx, NULL, NULL, 0), -EINVAL);
}

static void test_builtins_are_valid(void **state) {
        _cleanup_(storvirt_ctx_unrefp) storvirt_ctx *ctx = NULL;

        (void)state;
        assert_int_equal(storvirt_ctx_new(&ctx, 0), 0);
        for (size_t i = 0; storvirt__builtin_backends[i]; i++) {
                const storvirt__backend_ops *b = storvirt__builtin_backends[i];
                assert_int_equal(b->abi, STORVIRT__BACKEND_ABI);
                assert_true(storvirt__pool_type_known(b->type));
                assert_int_equal(storvirt_ctx_pool_type_supports(ctx, b->type, "refresh_pool"), 1);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_register_and_call),
                cmocka_unit_test(test_invalid_tables),
                cmocka_unit_test(test_lookup_errors),
                cmocka_unit_test(test_public_queries),
                cmocka_unit_test(test_builtins_are_valid),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
