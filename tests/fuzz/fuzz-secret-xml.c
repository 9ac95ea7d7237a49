/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz-secret-xml.c - libvirt secret XML: whatever parses (given a UUID
 * when it has none) must format, parse back to the same definition and
 * format to the same text again.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/secret_conf.h"
#include "util/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what, const char *text) {
        fprintf(stderr, "fuzz-secret-xml: %s: %s\n%s\n", what, storvirt__error_msg(),
                text ? text : "");
        abort();
}

static int streq(const char *a, const char *b) {
        return a == b || (a && b && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        storvirt__secret_def *def = NULL, *again = NULL;
        char *out = NULL, *out2 = NULL;

        if (storvirt__secret_def_parse((const char *) data, size, &def) < 0)
                return 0;
        def->has_uuid = true;
        if (storvirt__secret_def_format(def, &out) < 0)
                die("formatting a parsed definition failed", NULL);
        if (storvirt__secret_def_parse(out, strlen(out), &again) < 0)
                die("the output does not parse", out);
        if (!again->has_uuid || !storvirt__uuid_equal(&def->uuid, &again->uuid) ||
            def->private_ != again->private_ || def->usage_type != again->usage_type ||
            !streq(def->usage_id, again->usage_id) || !streq(def->description, again->description))
                die("the output parses to another definition", out);
        if (storvirt__secret_def_format(again, &out2) < 0 || strcmp(out, out2) != 0)
                die("formatting is not stable", out);
        free(out2);
        free(out);
        storvirt__secret_def_free(again);
        storvirt__secret_def_free(def);
        return 0;
}
