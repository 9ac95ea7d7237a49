/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * block.c - what the pool types whose volumes are the host's block
 * devices (iscsi, scsi, mpath) share: a raw, fully allocated volume
 * record per device, and the pool's figures from their sum.
 */
#include <stdio.h>

#include "backends/backends.h"
#include "util/error.h"

int storvirt__backend_add_block_vol(storvirt__hashmap *vols, const char *name, const char *key,
                                    const char *path, uint64_t capacity, uint64_t *total) {
        storvirt__vol_rec *rec = storvirt__vol_rec_new(name, key, path);
        int r;

        if (!rec)
                return storvirt__error_oom();
        rec->type = STORVIRT_VOLUME_TYPE_BLOCK;
        snprintf(rec->format, sizeof(rec->format), "raw");
        rec->capacity = rec->allocation = rec->physical = capacity;
        r = storvirt__hashmap_put(vols, name, rec);
        if (r < 0) {
                storvirt__vol_rec_unref(rec);
                return r;
        }
        *total += capacity;
        return 0;
}

void storvirt__backend_set_block_vols(storvirt__pool_obj *obj, storvirt__hashmap *vols,
                                      uint64_t total) {
        storvirt__pool_obj_set_vols(obj, vols);
        obj->capacity = obj->allocation = total;
        obj->available = 0;
}
