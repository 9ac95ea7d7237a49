/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * demo.c - the README's quick-start demo: open a context on a state
 * directory (the first argument, or a fresh temporary one) and print the
 * library version and where the state lives.
 *
 *   cc demo.c $(pkg-config --cflags --libs libstorvirt) -o demo
 */
#include <stdio.h>
#include <stdlib.h>

#include <storvirt.h>

static int fail(const char *what, int r) {
        fprintf(stderr, "demo: %s failed: %s (errno %d)\n", what,
                storvirt_error_message(), -r);
        return 1;
}

int main(int argc, char **argv) {
        char tmpl[] = "/tmp/storvirt-demo.XXXXXX";
        const char *dir = argc > 1 ? argv[1] : NULL, *state;
        storvirt_ctx *ctx = NULL;
        char **types = NULL;
        size_t n = 0;
        int r;

        if (!dir && !(dir = mkdtemp(tmpl))) {
                perror("demo: mkdtemp");
                return 1;
        }
        r = storvirt_ctx_new(&ctx, 0);
        if (r < 0)
                return fail("storvirt_ctx_new", r);
        r = storvirt_ctx_set_state_dir(ctx, dir, 0);
        if (r >= 0)
                r = storvirt_ctx_get_state_dir(ctx, &state);
        if (r < 0) {
                fail("opening the state directory", r);
                storvirt_ctx_unref(ctx);
                return 1;
        }
        printf("libstorvirt %s (ABI %s)\n", storvirt_version(), storvirt_version_abi());
        printf("state directory: %s\n", state);
        r = storvirt_ctx_list_pool_types(ctx, &types, &n, 0);
        if (r >= 0) {
                printf("pool types built in: %zu\n", n);
                for (size_t i = 0; i < n; i++)
                        printf("  %s\n", types[i]);
        }
        storvirt_strv_free(types);
        ctx = storvirt_ctx_unref(ctx);
        return r < 0 ? fail("storvirt_ctx_list_pool_types", r) : 0;
}
