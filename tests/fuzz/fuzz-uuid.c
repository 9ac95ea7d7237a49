/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-uuid.c - UUID parsing and formatting round trip. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/uuid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1);
        storvirt__uuid u, u2;
        char text[37];

        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = '\0';
        if (storvirt__uuid_parse(s, &u) == 0) {
                storvirt__uuid_format(&u, text);
                if (storvirt__uuid_parse(text, &u2) != 0 || memcmp(&u, &u2, sizeof(u)) != 0)
                        abort(); /* a parsed UUID must survive format + parse */
        }
        free(s);
        return 0;
}
