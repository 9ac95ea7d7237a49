/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * demo.c - the README's quick-start demo: open a context on a state
 * directory (the first argument, or a fresh temporary one), create a dir
 * pool in it with a raw and a qcow2 volume, and print their XML.
 *
 *   cc demo.c $(pkg-config --cflags --libs libstorvirt) -o demo
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <storvirt.h>

static int fail(const char *what) {
        fprintf(stderr, "demo: %s failed: %s (errno %d)\n", what,
                storvirt_error_message(), storvirt_error_errno());
        return 1;
}

static int show_volume(storvirt_pool *pool, const char *xml) {
        storvirt_volume *vol = NULL;
        char *out = NULL;

        if (storvirt_volume_create_xml(pool, xml, &vol, NULL, NULL, 0) < 0)
                return fail("storvirt_volume_create_xml");
        if (storvirt_volume_get_xml(vol, &out, 0) < 0) {
                storvirt_volume_unref(vol);
                return fail("storvirt_volume_get_xml");
        }
        printf("%s\n", out);
        storvirt_free(out);
        storvirt_volume_unref(vol);
        return 0;
}

int main(int argc, char **argv) {
        char tmpl[] = "/tmp/storvirt-demo.XXXXXX", pool_xml[512], images[256];
        const char *dir = argc > 1 ? argv[1] : NULL, *state;
        storvirt_ctx *ctx = NULL;
        storvirt_pool *pool = NULL;
        char *out = NULL;
        int r = 1;

        if (!dir && !(dir = mkdtemp(tmpl))) {
                perror("demo: mkdtemp");
                return 1;
        }
        if (storvirt_ctx_new(&ctx, 0) < 0)
                return fail("storvirt_ctx_new");
        if (storvirt_ctx_set_state_dir(ctx, dir, 0) < 0 ||
            storvirt_ctx_get_state_dir(ctx, &state) < 0) {
                fail("opening the state directory");
                goto out;
        }
        printf("libstorvirt %s (ABI %s)\nstate directory: %s\n\n", storvirt_version(),
               storvirt_version_abi(), state);

        /* A persistent dir pool, built (mkdir) and started. */
        snprintf(images, sizeof(images), "%s/images", dir);
        snprintf(pool_xml, sizeof(pool_xml),
                 "<pool type='dir'><name>demo</name><target><path>%s</path></target></pool>",
                 images);
        if (storvirt_pool_define_xml(ctx, pool_xml, &pool, 0) < 0 ||
            storvirt_pool_start(pool, STORVIRT_POOL_CREATE_BUILD) < 0) {
                fail("defining and starting the pool");
                goto out;
        }
        if (storvirt_pool_get_xml(pool, &out, 0) < 0) {
                fail("storvirt_pool_get_xml");
                goto out;
        }
        printf("%s\n", out);
        storvirt_free(out);

        /* A sparse raw volume and a qcow2 volume, both written natively. */
        if (show_volume(pool, "<volume><name>disk0.raw</name><capacity unit='GiB'>1</capacity>"
                              "<allocation>0</allocation>"
                              "<target><format type='raw'/></target></volume>") ||
            show_volume(pool, "<volume><name>disk1.qcow2</name><capacity unit='GiB'>10</capacity>"
                              "<target><format type='qcow2'/><compat>1.1</compat>"
                              "<features><lazy_refcounts/></features></target></volume>"))
                goto out;
        r = 0;
out:
        storvirt_pool_unref(pool);
        storvirt_ctx_unref(ctx);
        return r;
}
