/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-json.c - the JSON reader (size and depth limits, typed getters). */
#include <stdint.h>
#include <stdlib.h>

#include "util/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        yajl_val v = NULL, o = NULL;
        const char *s;
        int64_t i;

        if (storvirt__json_parse((const char *)data, size, 1 << 20, &v, "fuzz") < 0)
                return 0;
        (void)storvirt__json_get_string(v, "name", false, &s);
        (void)storvirt__json_get_int64(v, "size", false, 0, &i);
        (void)storvirt__json_get_object(v, "source", false, &o);
        storvirt__json_free(v);
        return 0;
}
