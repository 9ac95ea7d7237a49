/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sysops.c - the host's table (see sysops.h).
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "sys/blkident.h"
#include "sys/dm.h"
#include "sys/iscsi_direct.h"
#include "sys/iscsi_kernel.h"
#include "sys/mount.h"
#include "sys/parttable.h"
#include "sys/sysops.h"
#include "util/error.h"

static int host_usage_probe(const char *devnode, dev_t devnum, struct storvirt__usage *ret) {
        (void)devnum; /* the probe stats devnode itself */
        return storvirt__usage_probe_path(devnode, NULL, ret);
}

static int host_dev_number(const char *path, dev_t *ret) {
        struct stat st;

        if (stat(path, &st) < 0)
                return storvirt__error_set(-errno, "'%s': %s", path, strerror(errno));
        if (!S_ISBLK(st.st_mode))
                return storvirt__error_set(-ENOTBLK, "'%s' is not a block device", path);
        *ret = st.st_rdev;
        return 0;
}

static int host_ident_read(dev_t devnum, struct storvirt__blkident *ret) {
        return storvirt__blkident_read(devnum, NULL, ret);
}

const storvirt__sysops storvirt__sysops_host = {
        .name = "host",
        .blk_scan = storvirt__blk_scan,
        .usage_probe = host_usage_probe,
        .blkmon_open = storvirt__blkmon_open,
        .blkmon_receive = storvirt__blkmon_receive,
        .blkmon_close = storvirt__blkmon_close,
        .blk_size_read = storvirt__blk_size_read,
        .blk_rescan = storvirt__blk_rescan,
        .mpath_resize = storvirt__multipath_resize,
        .dev_number = host_dev_number,
        .ident_read = host_ident_read,
        .pt_read = storvirt__pt_read,
        .pt_signature = storvirt__pt_signature,
        .pt_create_label = storvirt__pt_create_label,
        .pt_add = storvirt__pt_add,
        .pt_delete = storvirt__pt_delete,
        .pt_wipe = storvirt__pt_wipe,
        .dm_available = storvirt__dm_available,
        .dm_list = storvirt__dm_list,
        .dm_table_read = storvirt__dm_table_read,
        .dm_create = storvirt__dm_create,
        .iscsi_login = storvirt__iscsi_login,
        .iscsi_logout = storvirt__iscsi_logout,
        .iscsi_scan = storvirt__iscsi_scan,
        .mount_helper = storvirt__mount_helper_run,
        .umount_helper = storvirt__umount_helper_run,
        .mount_block = storvirt__mount_block,
        .umount = storvirt__mount_umount,
};

#define FILL(slot)                                                   \
        do {                                                         \
                if (!ops->slot)                                      \
                        ops->slot = storvirt__sysops_host.slot;      \
        } while (0)

void storvirt__sysops_complete(storvirt__sysops *ops) {
        FILL(name);
        FILL(blk_scan);
        FILL(usage_probe);
        FILL(blkmon_open);
        FILL(blkmon_receive);
        FILL(blkmon_close);
        FILL(blk_size_read);
        FILL(blk_rescan);
        FILL(mpath_resize);
        FILL(dev_number);
        FILL(ident_read);
        FILL(pt_read);
        FILL(pt_signature);
        FILL(pt_create_label);
        FILL(pt_add);
        FILL(pt_delete);
        FILL(pt_wipe);
        FILL(dm_available);
        FILL(dm_list);
        FILL(dm_table_read);
        FILL(dm_create);
        FILL(iscsi_login);
        FILL(iscsi_logout);
        FILL(iscsi_scan);
        FILL(mount_helper);
        FILL(umount_helper);
        FILL(mount_block);
        FILL(umount);
}
