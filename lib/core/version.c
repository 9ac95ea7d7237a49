/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * version.c - version strings and the free functions for caller-owned
 * results.
 */
#include "config.h"
#include "util/macro.h"

#include <storvirt/common.h>

STORVIRT_EXPORT const char *storvirt_version(void) {
        return STORVIRT_VERSION;
}

STORVIRT_EXPORT const char *storvirt_version_abi(void) {
        return STORVIRT_ABI_NODE;
}

STORVIRT_EXPORT void storvirt_free(void *ptr) {
        free(ptr);
}

STORVIRT_EXPORT void storvirt_strv_free(char **strv) {
        if (!strv)
                return;
        for (char **s = strv; *s; s++)
                free(*s);
        free(strv);
}
