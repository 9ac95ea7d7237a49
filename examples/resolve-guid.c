/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * resolve-guid.c - device resolution: the LUN with a GUID (a multipath
 * WWID) becomes the libvirt <disk> element that attaches it, after the
 * library has checked that the device at the path it hands out really
 * is that LUN.
 *
 *   cc resolve-guid.c $(pkg-config --cflags --libs libstorvirt) -o resolve-guid
 *   ./resolve-guid 360014050000000000000000000000001 [scsi]
 *
 * The spec is built key by key here; storvirt_disk_spec_from_json()
 * takes the same keys as one JSON object.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <storvirt.h>

/* What failed, with the library's message and the errno it returned. */
static int fail(const char *what, int r) {
        const char *msg = storvirt_error_message();

        fprintf(stderr, "resolve-guid: %s failed: %s (%s)\n", what,
                msg ? msg : strerror(-r), strerror(-r));
        return EXIT_FAILURE;
}

int main(int argc, char **argv) {
        storvirt_ctx *ctx = NULL;
        storvirt_disk_spec *spec = NULL;
        char *xml = NULL;
        int r, status = EXIT_FAILURE;

        if (argc < 2 || argc > 3 || argv[1][0] == '-') {
                fprintf(stderr, "usage: %s GUID [IFACE]\n"
                                "  IFACE: virtio (the default), scsi, ide, sata or usb\n",
                        argv[0]);
                return 2;
        }

        r = storvirt_ctx_new(&ctx, 0);
        if (r < 0)
                return fail("storvirt_ctx_new", r);

        /* A spec: the LUN by GUID, and the bus the guest sees it on. */
        r = storvirt_disk_spec_new(&spec);
        if (r < 0) {
                status = fail("storvirt_disk_spec_new", r);
                goto out;
        }
        r = storvirt_disk_spec_set_string(spec, "GUID", argv[1]);
        if (r < 0) {
                status = fail("setting GUID", r);
                goto out;
        }
        if (argc == 3) {
                r = storvirt_disk_spec_set_string(spec, "iface", argv[2]);
                if (r < 0) {
                        status = fail("setting iface", r);
                        goto out;
                }
        }

        /*
         * Finds the LUN (discovering once if the GUID is not known yet),
         * re-reads the identity of the device at the chosen path and
         * writes the <disk> element.  -ENOENT: no such LUN on this host;
         * -ESTALE: the path now leads to another device.
         */
        r = storvirt_resolve_disk(ctx, spec, &xml, 0);
        if (r < 0) {
                status = fail("storvirt_resolve_disk", r);
                goto out;
        }
        fputs(xml, stdout);
        if (!*xml || xml[strlen(xml) - 1] != '\n')
                putchar('\n');
        status = EXIT_SUCCESS;
out:
        storvirt_free(xml);
        storvirt_disk_spec_free(spec);
        storvirt_ctx_unref(ctx);
        return status;
}
