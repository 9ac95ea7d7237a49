/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz-connection.c - connection definitions (our JSON and VDSM's
 * connectStorageServer parameters): parsed, every canonical form read
 * back as a stored definition must give itself again, and no canonical
 * form carries a password.  Anything but a clean error or that round
 * trip aborts so the fuzzer reports it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/connection.h"
#include "util/error.h"
#include "util/strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what, const char *text) {
        fprintf(stderr, "fuzz-connection: %s: %s\n%s\n", what, storvirt__error_msg(),
                text ? text : "");
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char **texts = NULL;
        int r;

        r = storvirt__connections_parse((const char *)data, size, false, &texts);
        if (r < 0) {
                if (r != -EINVAL && r != -EOPNOTSUPP && r != -EFBIG && r != -ENOMEM)
                        die("unexpected error", NULL);
                if (!storvirt__error_msg())
                        die("error without a message", NULL);
                return 0;
        }
        for (char **t = texts; t && *t; t++) {
                char **again = NULL;

                if (strstr(*t, "\"password\"") || strstr(*t, "\"mutual_password\""))
                        die("a canonical form carries a secret", *t);
                r = storvirt__connections_parse(*t, strlen(*t), true, &again);
                if (r < 0)
                        die("the canonical form does not parse", *t);
                if (storvirt__strv_length(again) != 1 || strcmp(again[0], *t) != 0)
                        die("the canonical form changes when read back", *t);
                storvirt__strv_free(again);
        }
        storvirt__strv_free(texts);
        return 0;
}
