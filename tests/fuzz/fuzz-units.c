/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-units.c - capacity strings ("10GiB", value + unit attribute). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/units.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1), *unit, *text = NULL;
        uint64_t v;

        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = '\0';
        if (storvirt__units_parse(s, NULL, 0, &v) == 0 &&
            storvirt__units_format(v, size & 1, &text) == 0)
                free(text);
        /* Split at the first '|' into value and unit attribute. */
        unit = strchr(s, '|');
        if (unit) {
                *unit++ = '\0';
                (void)storvirt__units_parse(s, unit, INT64_MAX, &v);
        }
        free(s);
        return 0;
}
