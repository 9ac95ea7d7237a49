/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mpath.c - the "mpath" pool type: every device-mapper multipath map of
 * the host as a volume, read through the device-mapper slots of the
 * context's sys-ops table (the host's: libdevmapper, sys/dm.h: list,
 * table, status); no external command.  Volumes are named and keyed by
 * the map's WWID (its dm uuid "mpath-WWID"), not "dm-N" as libvirt names
 * them (a number the kernel hands out again after a reboot).  The status line gives the
 * paths' states; a map with a failed path is logged.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backends.h"
#include "objects/ctx.h"
#include "util/error.h"
#include "util/hashmap.h"
#include "util/log.h"
#include "util/macro.h"
#include "util/strv.h"

#if HAVE_DEVMAPPER
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
static int read_map(const storvirt__sysops *host, const char *name, struct mpath_map *m, bool *ok) {
        struct storvirt__dm_table t = {};
        int r;

        *ok = false;
        r = host->dm_table_read(name, false, &t);
        if (r < 0)
                return r;
        m->sectors = 0;
        for (size_t i = 0; i < t.n_targets; i++)
                if (strcmp(t.targets[i].type, "multipath") == 0) {
                        *ok = true;
                        m->sectors += t.targets[i].length;
                }
        if (*ok && (strncmp(t.uuid, "mpath-", 6) != 0 || !t.uuid[6]))
                *ok = false;    /* a multipath table without multipathd's uuid: no identity */
        if (*ok && (!(m->wwid = strdup(t.uuid + 6)) || !(m->name = strdup(name))))
                r = storvirt__error_oom();
        storvirt__dm_table_clear(&t);
        if (r < 0 || !*ok)
                return r;
        if (host->dm_table_read(name, true, &t) >= 0)
                storvirt__mpath_count_paths(t.n_targets ? t.targets[0].params : NULL, &m->paths,
                                            &m->failed);
        else
                storvirt__error_reset();        /* the path states are only logged */
        storvirt__dm_table_clear(&t);
        return 0;
}

/* One map of the list as a volume of vols (and a failed path logged). */
static int add_map(storvirt__pool_obj *obj, const char *name, storvirt__hashmap *vols,
                   uint64_t *total) {
        struct mpath_map m = {};
        bool ok = false;
        int r;

        r = read_map(storvirt__ctx_sysops(obj->ctx), name, &m, &ok);
        if (r >= 0 && ok) {
                char path[512];

                snprintf(path, sizeof(path), "/dev/mapper/%s", m.name);
                r = storvirt__backend_add_block_vol(vols, m.wwid, m.wwid, path, m.sectors * 512,
                                                    total);
                if (r >= 0 && m.failed)
                        log_warning(obj->ctx, "pool '%s': map %s (%s): %u of %u paths failed",
                                    obj->def->name, m.name, m.wwid, m.failed, m.paths);
        }
        free(m.name);
        free(m.wwid);
        return r;
}

static int mpath_refresh(storvirt__pool_obj *obj, uint32_t flags) {
        const storvirt__sysops *host = storvirt__ctx_sysops(obj->ctx);
        storvirt__hashmap *vols = NULL;
        char **names = NULL;
        uint64_t total = 0;
        int r;

        (void)flags;
        r = host->dm_available();
        if (r < 0)
                return storvirt__error_set(r, "pool '%s': %s: no multipath maps", obj->def->name,
                                           storvirt_error_message());
        r = host->dm_list(&names);
        if (r < 0)
                return storvirt__error_prefix("pool '%s'", obj->def->name);
        r = storvirt__hashmap_new(&vols, storvirt__vol_rec_unref_void);
        for (char **n = names; r >= 0 && n && *n; n++)
                r = add_map(obj, *n, vols, &total);
        storvirt__strv_free(names);
        if (r < 0) {
                storvirt__hashmap_free(vols);
                return r;
        }
        storvirt__backend_set_block_vols(obj, vols, total);
        return 0;
}

/* The maps are the host's: present as long as device-mapper is. */
static int mpath_check(storvirt__pool_obj *obj, bool *ret_active) {
        *ret_active = storvirt__ctx_sysops(obj->ctx)->dm_available() >= 0;
        storvirt__error_reset();
        return 0;
}

const storvirt__backend_ops storvirt__backend_mpath = {
        .abi = STORVIRT__BACKEND_ABI,
        .type = "mpath",
        .check_pool = mpath_check,
        .refresh_pool = mpath_refresh,
};
#endif
