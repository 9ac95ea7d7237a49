/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sysops.c - the host's table (see sysops.h).
 */
#include "sys/sysops.h"

static int host_usage_probe(const char *devnode, dev_t devnum, struct storvirt__usage *ret) {
        (void)devnum; /* the probe stats devnode itself */
        return storvirt__usage_probe_path(devnode, NULL, ret);
}

const storvirt__sysops storvirt__sysops_host = {
        .name = "host",
        .blk_scan = storvirt__blk_scan,
        .usage_probe = host_usage_probe,
};
