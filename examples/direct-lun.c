/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * direct-lun.c - the Direct LUN flow of a VM manager, end to end:
 *
 *   1. discover the targets of an iSCSI portal (SendTargets),
 *   2. define a connection to the first target (CHAP when given) and
 *      list its LUNs with their GUIDs,
 *   3. import the first LUN as a vDisk (importing it again gives the same
 *      vDisk: its id comes from the LUN's GUID),
 *   4. attach it to a VM and print the <disk> element for the domain XML,
 *   5. prepare it as the destination host of a migration would (connect,
 *      check the identity, get the path), print the connections the whole
 *      VM needs, and release it.
 *
 * The connection uses the "direct" driver: the guest reaches the LUN
 * through QEMU's own iSCSI initiator, so no kernel initiator is needed.
 *
 *   cc direct-lun.c $(pkg-config --cflags --libs libstorvirt) -o direct-lun
 *   ./direct-lun STATE_DIR PORTAL [USER PASSWORD]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <storvirt.h>

#define VM_ID "8e1f4a12-4a53-4a8e-9b1a-0d5c2a6f0e01"

static int fail(const char *what, int r) {
        const char *msg = storvirt_error_message();

        fprintf(stderr, "direct-lun: %s failed: %s (%s)\n", what, msg ? msg : strerror(-r),
                strerror(-r));
        return EXIT_FAILURE;
}

/* The value of "key": "..." first found in json after from, copied to buf. */
static const char *json_string_after(const char *json, const char *from, const char *key,
                                     char *buf, size_t size) {
        char pat[64];
        const char *p = strstr(json, from), *q;

        snprintf(pat, sizeof(pat), "\"%s\": \"", key);
        if (!p || !(p = strstr(p, pat)))
                return NULL;
        p += strlen(pat);
        q = strchr(p, '"');
        if (!q || (size_t)(q - p) >= size)
                return NULL;
        memcpy(buf, p, (size_t)(q - p));
        buf[q - p] = '\0';
        return buf;
}

int main(int argc, char **argv) {
        storvirt_ctx *ctx = NULL;
        storvirt_connection *conn = NULL;
        storvirt_disk_spec *spec = NULL, *guest = NULL;
        storvirt_vdisk *vdisk = NULL, *again = NULL;
        char params[512], def[1024], spec_json[512], target[256], lun[32];
        char *targets = NULL, *luns = NULL, *xml = NULL, *path = NULL, *conns = NULL;
        char **ids = NULL;
        const char *user = argc == 5 ? argv[3] : NULL, *password = argc == 5 ? argv[4] : NULL;
        int r, status = EXIT_FAILURE;

        if (argc != 3 && argc != 5) {
                fprintf(stderr, "usage: %s STATE_DIR PORTAL [USER PASSWORD]\n", argv[0]);
                return 2;
        }
        r = storvirt_ctx_new(&ctx, 0);
        if (r < 0)
                return fail("storvirt_ctx_new", r);
        r = storvirt_ctx_set_state_dir(ctx, argv[1], 0);
        if (r < 0) {
                status = fail("storvirt_ctx_set_state_dir", r);
                goto out;
        }

        /* 1. discovery */
        if (user)
                snprintf(params, sizeof(params),
                         "{\"portal\": \"%s\", \"user\": \"%s\", \"password\": \"%s\"}", argv[2],
                         user, password);
        else
                snprintf(params, sizeof(params), "{\"portal\": \"%s\"}", argv[2]);
        r = storvirt_iscsi_discover(ctx, params, 10000, &targets, 0);
        if (r < 0) {
                status = fail("storvirt_iscsi_discover", r);
                goto out;
        }
        printf("targets at %s:\n%s\n", argv[2], targets);
        if (!json_string_after(targets, "", "target", target, sizeof(target))) {
                fprintf(stderr, "direct-lun: the portal lists no target\n");
                goto out;
        }

        /* 2. the connection, and the target's LUNs */
        if (user)
                snprintf(def, sizeof(def),
                         "{\"type\": \"iscsi\", \"driver\": \"direct\", \"portal\": \"%s\", "
                         "\"target\": \"%s\", \"user\": \"%s\", \"password\": \"%s\"}",
                         argv[2], target, user, password);
        else
                snprintf(def, sizeof(def),
                         "{\"type\": \"iscsi\", \"driver\": \"direct\", \"portal\": \"%s\", "
                         "\"target\": \"%s\"}", argv[2], target);
        r = storvirt_connection_define(ctx, def, &ids, 0);
        if (r < 0) {
                status = fail("storvirt_connection_define", r);
                goto out;
        }
        r = storvirt_connection_lookup(ctx, ids[0], &conn);
        if (r >= 0)
                r = storvirt_connection_list_luns(conn, 10000, &luns, STORVIRT_CONNECTION_JSON_PRETTY);
        if (r < 0) {
                status = fail("storvirt_connection_list_luns", r);
                goto out;
        }
        printf("connection %s, LUNs of %s:\n%s\n", ids[0], target, luns);
        {
                const char *p = strstr(luns, "\"lun\": ");

                if (!p) {
                        fprintf(stderr, "direct-lun: the target has no LUN\n");
                        goto out;
                }
                snprintf(lun, sizeof(lun), "%ld", strtol(p + 7, NULL, 10));
        }

        /* 3. import (twice: the same vDisk) */
        snprintf(spec_json, sizeof(spec_json),
                 "{\"iscsi\": {\"portal\": \"%s\", \"target\": \"%s\", "
                 "\"lun\": %s}}", argv[2], target, lun);
        r = storvirt_disk_spec_from_json(spec_json, &spec, 0);
        if (r >= 0)
                r = storvirt_vdisk_import(ctx, spec, NULL, 0, &vdisk);
        if (r >= 0)
                r = storvirt_vdisk_import(ctx, spec, NULL, 0, &again);
        if (r < 0) {
                status = fail("storvirt_vdisk_import", r);
                goto out;
        }
        printf("vDisk %s (imported again: %s, %s)\n", storvirt_vdisk_get_id(vdisk),
               storvirt_vdisk_get_id(again),
               strcmp(storvirt_vdisk_get_id(vdisk), storvirt_vdisk_get_id(again)) == 0
                       ? "the same" : "DIFFERENT");

        /* 4. attach: the <disk> element for the domain XML */
        r = storvirt_disk_spec_from_json("{\"iface\": \"scsi\"}", &guest, 0);
        if (r >= 0)
                r = storvirt_vdisk_attach(vdisk, VM_ID, guest, &xml, 0);
        if (r < 0) {
                status = fail("storvirt_vdisk_attach", r);
                goto out;
        }
        printf("attached to VM %s:\n%s\n", VM_ID, xml);

        /* 5. before a migration, on the destination host */
        r = storvirt_vdisk_prepare(vdisk, VM_ID, 10000, &path, 0);
        if (r < 0) {
                status = fail("storvirt_vdisk_prepare", r);
                goto out;
        }
        printf("prepared: %s\n", path);
        r = storvirt_vm_connections(ctx, VM_ID, &conns, 0);
        if (r < 0) {
                status = fail("storvirt_vm_connections", r);
                goto out;
        }
        printf("connections VM %s needs:\n%s\n", VM_ID, conns);
        r = storvirt_vdisk_release(vdisk, VM_ID, 0);
        if (r < 0) {
                status = fail("storvirt_vdisk_release", r);
                goto out;
        }
        printf("released\n");
        status = EXIT_SUCCESS;
out:
        storvirt_free(targets);
        storvirt_free(luns);
        storvirt_free(xml);
        storvirt_free(path);
        storvirt_free(conns);
        storvirt_strv_free(ids);
        storvirt_disk_spec_free(spec);
        storvirt_disk_spec_free(guest);
        storvirt_vdisk_unref(vdisk);
        storvirt_vdisk_unref(again);
        storvirt_connection_unref(conn);
        storvirt_ctx_unref(ctx);
        return status;
}
