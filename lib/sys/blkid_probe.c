/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * blkid_probe.c - libblkid low-level probing of one device or image
 * file.  The safe probe is used: a device with conflicting signatures
 * is reported as ambivalent rather than as one of them.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "sys/blkid_probe.h"
#include "util/macro.h"

#if HAVE_BLKID
#include <blkid.h>

bool storvirt__blkid_available(void) {
        return true;
}

static void copy_value(blkid_probe pr, const char *name, char *buf, size_t size) {
        const char *v = NULL;

        if (blkid_probe_lookup_value(pr, name, &v, NULL) == 0 && v)
                snprintf(buf, size, "%s", v);
}

int storvirt__blkid_probe_path(const char *path, storvirt__blkid_info *ret) {
        storvirt__blkid_info info = {};
        blkid_probe pr;
        int r;

        errno = 0;
        pr = blkid_new_probe_from_filename(path);
        if (!pr) {
                r = errno ? -errno : -EIO;
                return storvirt__error_set(r, "probing '%s': %s", path, strerror(-r));
        }
        blkid_probe_enable_superblocks(pr, 1);
        blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_USAGE |
                                              BLKID_SUBLKS_UUID | BLKID_SUBLKS_LABEL);
        blkid_probe_enable_partitions(pr, 1);
        r = blkid_do_safeprobe(pr);
        if (r == -2) {
                info.ambivalent = true;
                r = 0;
        } else if (r == 0) {
                copy_value(pr, "TYPE", info.type, sizeof(info.type));
                copy_value(pr, "USAGE", info.usage, sizeof(info.usage));
                copy_value(pr, "UUID", info.uuid, sizeof(info.uuid));
                copy_value(pr, "LABEL", info.label, sizeof(info.label));
                copy_value(pr, "PTTYPE", info.pttype, sizeof(info.pttype));
        }
        blkid_free_probe(pr);
        if (r < 0)
                return storvirt__error_set(-EIO, "probing '%s': libblkid could not read it", path);
        *ret = info;
        return info.ambivalent || info.type[0] || info.pttype[0];
}

#else

bool storvirt__blkid_available(void) {
        return false;
}

int storvirt__blkid_probe_path(const char *path, storvirt__blkid_info *ret) {
        (void)ret;
        return storvirt__error_set(-EOPNOTSUPP, "probing '%s': this libstorvirt was built "
                                   "without libblkid", path);
}

#endif

const char *storvirt__blkid_describe(const storvirt__blkid_info *info, char *buf, size_t size) {
        if (info->ambivalent)
                snprintf(buf, size, "several conflicting signatures");
        else if (info->type[0])
                snprintf(buf, size, "%s '%s'",
                         strcmp(info->usage, "filesystem") == 0 ? "filesystem" : "signature",
                         info->type);
        else if (info->pttype[0])
                snprintf(buf, size, "partition table '%s'", info->pttype);
        else
                snprintf(buf, size, "no signature");
        return buf;
}
