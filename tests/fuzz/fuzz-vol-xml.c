/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz-vol-xml.c - the volume XML parser and formatter, for several pool
 * types (picked from the input size).  Whatever parses must format,
 * parse back to an equal definition and format to the same text again.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/vol_conf.h"
#include "util/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what, const char *text) {
        fprintf(stderr, "fuzz-vol-xml: %s: %s\n%s\n", what, storvirt__error_msg(),
                text ? text : "");
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const char *const pool_types[] = { "dir", NULL, "disk", "logical", "rbd" };
        const char *type = pool_types[size % (sizeof(pool_types) / sizeof(pool_types[0]))];
        uint32_t flags = STORVIRT__VOL_PARSE_OPT_CAPACITY;
        storvirt__vol_def *def = NULL, *again = NULL;
        char *out = NULL, *out2 = NULL;

        if (storvirt__vol_def_parse((const char *) data, size, type, flags, &def) < 0)
                return 0;
        if (storvirt__vol_def_format(def, type, &out) < 0)
                die("formatting a parsed definition failed", NULL);
        if (storvirt__vol_def_parse(out, strlen(out), type, flags, &again) < 0)
                die("the output does not parse", out);
        if (!storvirt__vol_def_equal(def, again))
                die("the output parses to another definition", out);
        if (storvirt__vol_def_format(again, type, &out2) < 0 || strcmp(out, out2) != 0)
                die("formatting is not stable", out);
        free(out2);
        free(out);
        storvirt__vol_def_free(again);
        storvirt__vol_def_free(def);
        return 0;
}
