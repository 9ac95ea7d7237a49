/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz-pool-xml.c - the pool XML parser and formatter.  Whatever parses
 * must format, parse back to an equal definition and format to the same
 * text again; anything else aborts so the fuzzer reports it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/pool_conf.h"
#include "util/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what, const char *text) {
        fprintf(stderr, "fuzz-pool-xml: %s: %s\n%s\n", what, storvirt__error_msg(),
                text ? text : "");
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        storvirt__pool_def *def = NULL, *again = NULL;
        char *out = NULL, *out2 = NULL, *inactive = NULL;

        if (storvirt__pool_def_parse((const char *) data, size, &def) < 0)
                return 0;
        if (storvirt__pool_def_format(def, false, &out) < 0)
                die("formatting a parsed definition failed", NULL);
        if (storvirt__pool_def_format(def, true, &inactive) < 0)
                die("inactive formatting failed", out);
        if (storvirt__pool_def_parse(out, strlen(out), &again) < 0)
                die("the output does not parse", out);
        if (!storvirt__pool_def_equal(def, again))
                die("the output parses to another definition", out);
        if (storvirt__pool_def_format(again, false, &out2) < 0 || strcmp(out, out2) != 0)
                die("formatting is not stable", out);
        free(out2);
        free(inactive);
        free(out);
        storvirt__pool_def_free(again);
        storvirt__pool_def_free(def);
        return 0;
}
