/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * scsi.c - the "scsi" pool type: the LUNs behind one SCSI host adapter,
 * named by its scsi_host name ("host5") or, for Fibre Channel, by the
 * fc_host whose WWNN and WWPN the pool gives.  The LUNs come from the LUN
 * module's discovery (udev and sysfs, no external command), so every
 * volume has the identity multipath would give it: volumes are named as
 * libvirt names them ("unit:BUS:TARGET:LUN") and keyed by GUID
 * ("scsi:hostH:B:T:L" when a LUN reports none).  A parent-address
 * adapter (<parentaddr>) is not resolved: -EOPNOTSUPP.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <storvirt.h>

#include "backends/backends.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/hashmap.h"
#include "util/macro.h"

/* "0x5001a4a..." or "5001a4a..." compared as 16 hex digits, case-insensitively. */
static bool wwn_equal(const char *a, const char *b) {
        if (!a || !b)
                return false;
        if (a[0] == '0' && (a[1] == 'x' || a[1] == 'X'))
                a += 2;
        if (b[0] == '0' && (b[1] == 'x' || b[1] == 'X'))
                b += 2;
        return strlen(a) == 16 && strlen(b) >= 16 && strncasecmp(a, b, 16) == 0;
}

/* The SCSI host number of the pool's adapter. */
static int host_number(const storvirt__pool_def *def, int *ret) {
        const struct storvirt__pool_adapter *a = &def->source.adapter;
        struct dirent *de;
        DIR *d;

        if (a->type == STORVIRT__POOL_ADAPTER_SCSI_HOST) {
                if (a->has_parentaddr || !a->name)
                        return storvirt__error_set(-EOPNOTSUPP, "pool '%s': a scsi_host adapter named "
                                                                "by its parent address is not resolved; "
                                                                "give name='hostN'", def->name);
                if (sscanf(a->name, "host%d", ret) != 1 || *ret < 0)
                        return storvirt__error_set(-EINVAL, "pool '%s': adapter name '%s' is not "
                                                            "'hostN'", def->name, a->name);
                return 0;
        }
        if (a->type != STORVIRT__POOL_ADAPTER_FC_HOST)
                return storvirt__error_set(-EINVAL, "pool '%s': a scsi pool needs an <adapter>",
                                           def->name);
        /* the fc_host whose node and port names are the pool's */
        d = opendir("/sys/class/fc_host");
        while (d && (de = readdir(d))) {
                char path[300], *node = NULL, *port = NULL;
                bool match;

                if (strncmp(de->d_name, "host", 4) != 0)
                        continue;
                snprintf(path, sizeof(path), "/sys/class/fc_host/%s/node_name", de->d_name);
                (void)storvirt__file_read_all(AT_FDCWD, path, 64, &node, NULL);
                snprintf(path, sizeof(path), "/sys/class/fc_host/%s/port_name", de->d_name);
                (void)storvirt__file_read_all(AT_FDCWD, path, 64, &port, NULL);
                match = wwn_equal(a->wwnn, node) && wwn_equal(a->wwpn, port);
                free(node);
                free(port);
                if (match && sscanf(de->d_name, "host%d", ret) == 1) {
                        closedir(d);
                        storvirt_error_clear();
                        return 0;
                }
        }
        if (d)
                closedir(d);
        storvirt_error_clear();
        return storvirt__error_set(-ENOENT, "pool '%s': no fc_host has WWNN %s and WWPN %s",
                                   def->name, a->wwnn ? a->wwnn : "?", a->wwpn ? a->wwpn : "?");
}

static int scsi_refresh(storvirt__pool_obj *obj, uint32_t flags) {
        storvirt_lun **luns = NULL;
        storvirt__hashmap *vols = NULL;
        uint64_t total = 0;
        int host = -1, r;
        size_t found = 0;
        char sysfs[64];

        (void)flags;
        r = host_number(obj->def, &host);
        if (r < 0)
                return r;
        r = storvirt_lun_list(obj->ctx, NULL, &luns, NULL, STORVIRT_LUN_LIST_REFRESH);
        if (r >= 0)
                r = storvirt__hashmap_new(&vols, storvirt__vol_rec_unref_void);
        for (size_t i = 0; r >= 0 && luns[i]; i++) {
                size_t np = storvirt_lun_get_n_paths(luns[i]);

                for (size_t k = 0; r >= 0 && k < np; k++) {
                        const storvirt_lun_path *p = storvirt_lun_get_path(luns[i], k);
                        const char *guid = storvirt_lun_get_guid(luns[i]);
                        int h = -1, c = -1, t = -1, l = -1;
                        char name[64], key[512];

                        if (!p || storvirt_lun_path_get_hctl(p, &h, &c, &t, &l) < 0 || h != host) {
                                storvirt_error_clear();
                                continue;
                        }
                        snprintf(name, sizeof(name), "unit:%d:%d:%d", c, t, l);
                        if (guid)
                                snprintf(key, sizeof(key), "%s", guid);
                        else
                                snprintf(key, sizeof(key), "scsi:host%d:%d:%d:%d", h, c, t, l);
                        r = storvirt__backend_add_block_vol(vols, name, key,
                                                            storvirt_lun_path_get_devnode(p),
                                                            storvirt_lun_path_get_capacity(p), &total);
                        found++;
                }
        }
        storvirt_lun_list_free(luns);
        snprintf(sysfs, sizeof(sysfs), "/sys/class/scsi_host/host%d", host);
        if (r >= 0 && found == 0 && access(sysfs, F_OK) < 0)
                r = storvirt__error_set(-ENOENT, "pool '%s': no SCSI host %d on this host",
                                        obj->def->name, host);
        if (r < 0) {
                storvirt__hashmap_free(vols);
                return r;
        }
        storvirt__backend_set_block_vols(obj, vols, total);
        return 0;
}

static int scsi_check(storvirt__pool_obj *obj, bool *ret_active) {
        int host;

        *ret_active = host_number(obj->def, &host) >= 0;
        storvirt_error_clear();
        return 0;
}

const storvirt__backend_ops storvirt__backend_scsi = {
        .abi = STORVIRT__BACKEND_ABI,
        .type = "scsi",
        .check_pool = scsi_check,
        .refresh_pool = scsi_refresh,
};
