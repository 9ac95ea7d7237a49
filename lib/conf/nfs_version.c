/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nfs_version.c - NFS protocol versions ("3", "4", "4.1"): the syntax
 * a netfs pool's <protocol ver=''/> accepts and its canonical text.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "conf/nfs_version.h"

#define NOT_A_VERSION " is not an NFS version (N or N.M, e.g. 3, 4, 4.1)"

/* Decimal digits up to a '.' or the end: 1 and *ret, 0 if none, -ERANGE if too big. */
static int digits(const char **p, uint64_t *ret) {
        const char *s = *p;
        uint64_t v = 0;

        for (; *s >= '0' && *s <= '9'; s++) {
                v = v * 10 + (uint64_t)(*s - '0');
                if (v > UINT_MAX)
                        return -ERANGE;
        }
        if (s == *p)
                return 0;
        *p = s;
        *ret = v;
        return 1;
}

int storvirt__nfs_version_parse(const char *s, char buf[STORVIRT__NFS_VERSION_MAX],
                                const char **ret_why) {
        uint64_t major = 0, minor = 0;
        bool has_minor = false;
        const char *p = s;

        *ret_why = NOT_A_VERSION;
        if (!s || digits(&p, &major) <= 0)
                return -EINVAL;
        if (*p == '.') {
                p++;
                if (digits(&p, &minor) <= 0)
                        return -EINVAL;
                has_minor = true;
        }
        if (*p != '\0')
                return -EINVAL;
        if (major == 0) {
                *ret_why = ": there is no NFS version 0";
                return -EINVAL;
        }
        if (has_minor && major != 4) {
                *ret_why = ": only NFS version 4 has minor versions";
                return -EINVAL;
        }
        if (has_minor && minor > 2) {
                *ret_why = ": NFS version 4 has the minor versions 0, 1 and 2";
                return -EINVAL;
        }
        if (has_minor)
                snprintf(buf, STORVIRT__NFS_VERSION_MAX, "%u.%u", (unsigned)major, (unsigned)minor);
        else
                snprintf(buf, STORVIRT__NFS_VERSION_MAX, "%u", (unsigned)major);
        *ret_why = NULL;
        return 0;
}
