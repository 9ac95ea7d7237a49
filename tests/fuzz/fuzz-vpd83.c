/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz-vpd83.c - the device-identity normalizer on arbitrary bytes: as a
 * VPD page 0x83 (scsi_id's and multipath's parsers), as page 0x80, and
 * as the text of every string source.  Whatever comes back must be a
 * WWID multipath could hold: NUL-terminated, at most 127 bytes, and for
 * the udev-normalised forms free of white space and control bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sys/wwid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_wwid(const char *w, size_t size, int r, int strict) {
        size_t n;

        if (r != 0)
                return;
        n = strnlen(w, size);
        if (n == size || n == 0 || n > 127)
                abort();
        for (size_t i = 0; strict && i < n; i++)
                if ((unsigned char)w[i] <= 0x20 || w[i] == 0x7f)
                        abort();
}

static void fuzz_pages(const uint8_t *data, size_t size) {
        char w[STORVIRT__WWID_MAX], w2[STORVIRT__WWID_MAX];
        int r;

        r = storvirt__wwid_from_vpd83(data, size, w, sizeof(w));
        check_wwid(w, sizeof(w), r, 1);
        /* A WWID taken from a page is accepted as a user-given GUID. */
        if (r == 0 && storvirt__wwid_normalize(w, w2, sizeof(w2)) != 0 && w[0] != '3' && w[0] != '2')
                abort();

        r = storvirt__wwid_from_scsi(data, size, NULL, 0, "VENDOR", "PRODUCT", w, sizeof(w));
        check_wwid(w, sizeof(w), r, 0);
        r = storvirt__wwid_from_scsi(NULL, 0, data, size, "VENDOR", "PRODUCT", w, sizeof(w));
        check_wwid(w, sizeof(w), r, 1);
        r = storvirt__serial_from_vpd80(data, size, w, sizeof(w));
        if (r == 0 && strnlen(w, sizeof(w)) == sizeof(w))
                abort();
        /* Tiny buffers must be refused, never overrun. */
        (void)storvirt__wwid_from_vpd83(data, size, w, 3);
}

static void fuzz_strings(const char *s) {
        char w[STORVIRT__WWID_MAX];
        unsigned part = 0;
        int r;

        check_wwid(w, sizeof(w), storvirt__wwid_from_sysfs(s, w, sizeof(w)), 1);
        check_wwid(w, sizeof(w), storvirt__wwid_from_udev(s, NULL, NULL, w, sizeof(w)), 1);
        check_wwid(w, sizeof(w), storvirt__wwid_from_udev(NULL, s, s, w, sizeof(w)), 1);
        check_wwid(w, sizeof(w), storvirt__wwid_from_dm_uuid(s, w, sizeof(w), &part), 1);
        check_wwid(w, sizeof(w), storvirt__wwid_from_nvme(s, NULL, NULL, NULL, w, sizeof(w)), 1);
        check_wwid(w, sizeof(w), storvirt__wwid_from_nvme(NULL, s, s, s, w, sizeof(w)), 1);
        r = storvirt__wwid_normalize(s, w, sizeof(w));
        check_wwid(w, sizeof(w), r, 1);
        if (r == 0) {
                char w2[STORVIRT__WWID_MAX];

                /* Normalising is idempotent. */
                if (storvirt__wwid_normalize(w, w2, sizeof(w2)) != 0 || strcmp(w, w2) != 0)
                        abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *s;

        fuzz_pages(data, size);
        s = malloc(size + 1);
        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = '\0';
        fuzz_strings(s);
        free(s);
        return 0;
}
