/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * errors.c - how a caller reads libstorvirt errors: the negative errno a
 * function returns and the per-thread message that names what was wrong,
 * plus the capacity-unit helpers.
 *
 *   cc errors.c $(pkg-config --cflags --libs libstorvirt) -o errors
 */
#include <stdio.h>
#include <string.h>

#include <storvirt.h>

int main(void) {
        storvirt_ctx *ctx = NULL;
        uint64_t bytes = 0;
        char *text = NULL;
        int r;

        /* An unknown flag bit: refused with -EINVAL and a message. */
        r = storvirt_ctx_new(&ctx, 0x80);
        printf("storvirt_ctx_new(flags=0x80) = %d (%s)\n", r, strerror(-r));
        printf("  message: %s\n", storvirt_error_message());

        r = storvirt_units_parse("10GiB", NULL, 0, &bytes, 0);
        printf("\"10GiB\" = %llu bytes (r=%d)\n", (unsigned long long)bytes, r);
        r = storvirt_units_parse("16", "EiB", 0, &bytes, 0);
        printf("\"16 EiB\": r=%d, %s\n", r, storvirt_error_message());
        if (storvirt_units_format(1610612736, &text, STORVIRT_UNITS_FORMAT_HUMAN) == 0)
                printf("1610612736 bytes = %s\n", text);
        storvirt_free(text);
        return 0;
}
