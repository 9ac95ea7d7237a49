/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mpath.c - the "mpath" pool type: every device-mapper multipath map of
 * the host as a volume, read through libdevmapper (list, table, status);
 * no external command.  Volumes are named and keyed by the map's WWID
 * (its dm uuid "mpath-WWID"), not "dm-N" as libvirt names them (a number
 * the kernel hands out again after a reboot).  The status line gives the
 * paths' states; a map with a failed path is logged.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backends/backends.h"
#include "sys/dmstripe.h"
#include "util/error.h"
#include "util/hashmap.h"
#include "util/log.h"
#include "util/macro.h"

#if HAVE_DEVMAPPER
#include <libdevmapper.h>

struct mpath_map {
        char *name, *wwid;
        uint64_t sectors;
        unsigned paths, failed;
};

void storvirt__mpath_count_paths(const char *status, unsigned *ret_paths, unsigned *ret_failed) {
        char *copy = strdup(status ? status : ""), *save = NULL, *tok, *prev = NULL;
        unsigned paths = 0, failed = 0;

        /* "... <major:minor> <A|F> <fail count> ..." : a state follows each device */
        for (tok = copy ? strtok_r(copy, " ", &save) : NULL; tok; tok = strtok_r(NULL, " ", &save)) {
                if (prev && strchr(prev, ':') && (strcmp(tok, "A") == 0 || strcmp(tok, "F") == 0)) {
                        paths++;
                        failed += tok[0] == 'F';
                }
                prev = tok;
        }
        free(copy);
        *ret_paths = paths;
        *ret_failed = failed;
}

/* One map: its multipath table (length, uuid) and status (path states). 0 with *ok false: not multipath. */
static int read_map(const char *name, struct mpath_map *m, bool *ok) {
        uint64_t start = 0, length = 0;
        char *type = NULL, *params = NULL;
        const char *uuid;
        struct dm_task *dmt;
        void *next = NULL;
        int r = 0;

        *ok = false;
        dmt = dm_task_create(DM_DEVICE_TABLE);
        if (!dmt)
                return storvirt__error_oom();
        if (!dm_task_set_name(dmt, name) || !dm_task_run(dmt)) {
                dm_task_destroy(dmt);
                return storvirt__error_set(-EIO, "device-mapper: reading the table of %s failed", name);
        }
        m->sectors = 0;
        do {
                next = dm_get_next_target(dmt, next, &start, &length, &type, &params);
                if (type && strcmp(type, "multipath") == 0) {
                        *ok = true;
                        m->sectors += length;
                }
        } while (next);
        uuid = dm_task_get_uuid(dmt);
        if (*ok && (!uuid || strncmp(uuid, "mpath-", 6) != 0 || !uuid[6]))
                *ok = false;    /* a multipath table without multipathd's uuid: no identity */
        if (*ok && (!(m->wwid = strdup(uuid + 6)) || !(m->name = strdup(name))))
                r = storvirt__error_oom();
        dm_task_destroy(dmt);
        if (r < 0 || !*ok)
                return r;
        dmt = dm_task_create(DM_DEVICE_STATUS);
        if (!dmt)
                return storvirt__error_oom();
        if (dm_task_set_name(dmt, name) && dm_task_run(dmt)) {
                next = NULL;
                type = params = NULL;
                next = dm_get_next_target(dmt, next, &start, &length, &type, &params);
                storvirt__mpath_count_paths(params, &m->paths, &m->failed);
        }
        dm_task_destroy(dmt);
        return 0;
}

static int mpath_refresh(storvirt__pool_obj *obj, uint32_t flags) {
        struct dm_names *names;
        struct dm_task *dmt;
        storvirt__hashmap *vols = NULL;
        uint64_t total = 0;
        int r;

        (void)flags;
        if (access(storvirt__dm_probe_path, F_OK) < 0)
                return storvirt__error_set(-EOPNOTSUPP, "pool '%s': device-mapper is not available in "
                                                        "this kernel (no %s): no multipath maps",
                                           obj->def->name, storvirt__dm_probe_path);
        dmt = dm_task_create(DM_DEVICE_LIST);
        if (!dmt)
                return storvirt__error_oom();
        if (!dm_task_run(dmt)) {
                dm_task_destroy(dmt);
                return storvirt__error_set(-EIO, "pool '%s': device-mapper: listing devices failed",
                                           obj->def->name);
        }
        r = storvirt__hashmap_new(&vols, storvirt__vol_rec_unref_void);
        names = r >= 0 ? dm_task_get_names(dmt) : NULL;
        while (r >= 0 && names && names->name[0]) {
                struct mpath_map m = {};
                bool ok = false;

                r = read_map(names->name, &m, &ok);
                if (r >= 0 && ok) {
                        char path[512];

                        snprintf(path, sizeof(path), "/dev/mapper/%s", m.name);
                        r = storvirt__backend_add_block_vol(vols, m.wwid, m.wwid, path, m.sectors * 512,
                                                            &total);
                        if (r >= 0 && m.failed)
                                log_warning(obj->ctx, "pool '%s': map %s (%s): %u of %u paths "
                                                      "failed", obj->def->name, m.name, m.wwid,
                                            m.failed, m.paths);
                }
                free(m.name);
                free(m.wwid);
                if (!names->next)
                        break;
                names = (struct dm_names *)((char *)names + names->next);
        }
        dm_task_destroy(dmt);
        if (r < 0) {
                storvirt__hashmap_free(vols);
                return r;
        }
        storvirt__backend_set_block_vols(obj, vols, total);
        return 0;
}

/* The maps are the host's: present as long as device-mapper is. */
static int mpath_check(storvirt__pool_obj *obj, bool *ret_active) {
        (void)obj;
        *ret_active = access(storvirt__dm_probe_path, F_OK) == 0;
        return 0;
}

const storvirt__backend_ops storvirt__backend_mpath = {
        .abi = STORVIRT__BACKEND_ABI,
        .type = "mpath",
        .check_pool = mpath_check,
        .refresh_pool = mpath_refresh,
};
#endif
