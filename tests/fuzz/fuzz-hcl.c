/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz-hcl.c - OpenHCL storage settings: a document that parses is
 * validated (plain and strict) and written in both forms; each form must
 * read back and write the same bytes again, and the camelCase form must
 * give back the same canonical document.  Anything but a clean parse
 * error or those round trips aborts so the fuzzer reports it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <storvirt.h>

#include "util/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what, const char *text) {
        fprintf(stderr, "fuzz-hcl: %s: %s\n%s\n", what, storvirt__error_msg(), text ? text : "");
        abort();
}

static char *emit_again(const char *text, uint32_t flags) {
        storvirt_hcl *doc = NULL;
        char *out = NULL;

        if (storvirt_hcl_parse(text, &doc, 0) < 0)
                die("written form does not read back", text);
        if (storvirt_hcl_to_json(doc, &out, flags) < 0)
                die("cannot write", text);
        storvirt_hcl_free(doc);
        return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        storvirt_hcl *doc = NULL;
        char *text = malloc(size + 1), *canon = NULL, *camel = NULL, *problems = NULL;
        int r;

        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        r = storvirt_hcl_parse(text, &doc, 0);
        free(text);
        if (r < 0) {
                if (r != -EINVAL && r != -EOPNOTSUPP && r != -EFBIG && r != -ENOMEM)
                        die("unexpected error", NULL);
                return 0;
        }
        if (storvirt_hcl_validate(doc, &problems, 0) < 0 ||
            storvirt_hcl_validate(doc, NULL, STORVIRT_HCL_VALIDATE_STRICT) < 0)
                die("validation failed", NULL);
        if (storvirt_hcl_to_json(doc, &canon, 0) < 0 ||
            storvirt_hcl_to_json(doc, &camel, STORVIRT_HCL_JSON_CAMEL) < 0)
                die("cannot write", NULL);
        {
                char *a = emit_again(canon, 0), *b = emit_again(camel, STORVIRT_HCL_JSON_CAMEL),
                     *c = emit_again(camel, 0);

                if (strcmp(a, canon) != 0)
                        die("canonical form not stable", canon);
                if (strcmp(b, camel) != 0)
                        die("camelCase form not stable", camel);
                if (strcmp(c, canon) != 0)
                        die("camelCase form is another document", camel);
                free(a);
                free(b);
                free(c);
        }
        free(problems);
        free(canon);
        free(camel);
        storvirt_hcl_free(doc);
        return 0;
}
