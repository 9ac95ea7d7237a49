/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hcl_devices.c - the storage behind a LUN of the controller model on
 * this host: a physical device through its entry in the device map
 * ("GUID/SUB", then "GUID"; GUIDs compared as GUIDs), else the vDisk of
 * that id; a striped LUN as a device-mapper device over its members,
 * each resolved (identity checked) to a block device.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <storvirt.h>

#include "conf/disk.h"
#include "conf/hcl_model.h"
#include "resolve/resolve.h"
#include "hcl/hcl_devices.h"
#include "sys/dmstripe.h"
#include "util/error.h"
#include "util/macro.h"
#include "util/uuid.h"

/* The spec a physical device maps to: its map entry, else a vDisk of that id. */
int storvirt__hcl_device_spec(storvirt_ctx *ctx, yajl_val map, const struct hcl_device *d,
                              storvirt__disk_spec **ret) {
        char key[96];
        storvirt__uuid want, u;
        storvirt_vdisk *vd = NULL;
        int r;

        if (storvirt__hcl_guid_problem(d->path ? d->path : "", &want))
                return storvirt__error_set(-EINVAL, "device path '%s' is not a GUID",
                                           d->path ? d->path : "");
        /* "GUID/SUB" first, then "GUID"; GUIDs compared as GUIDs */
        for (int pass = 0; pass < 2 && map; pass++) {
                for (size_t i = 0; i < map->u.object.len; i++) {
                        const char *k = map->u.object.keys[i], *slash = strchr(k, '/');
                        size_t glen = slash ? (size_t)(slash - k) : strlen(k);

                        if ((pass == 0) != !!slash || glen >= sizeof(key))
                                continue;
                        memcpy(key, k, glen);
                        key[glen] = '\0';
                        if (storvirt__hcl_guid_problem(key, &u) || !storvirt__uuid_equal(&u, &want))
                                continue;
                        if (slash && strtoul(slash + 1, NULL, 10) != d->sub)
                                continue;
                        if (!YAJL_IS_OBJECT(map->u.object.values[i]))
                                return storvirt__error_set(-EINVAL, "map entry '%s': expected a disk "
                                                                    "spec object", k);
                        r = storvirt__disk_spec_from_json(map->u.object.values[i], k, ret);
                        return r;
                }
        }
        /* no entry: a vDisk of that id? */
        if (storvirt_vdisk_lookup(ctx, d->path, &vd) >= 0) {
                storvirt_vdisk_unref(vd);
                r = storvirt__disk_spec_new(ret);
                if (r < 0)
                        return r;
                (*ret)->source = STORVIRT__DISK_SOURCE_VDISK;
                storvirt__uuid_format(&want, key);
                if (!((*ret)->vdisk = strdup(key)))
                        return storvirt__error_oom();
                return 0;
        }
        return storvirt__error_set(-ENOENT,
                                   "physical device %s %s/%" PRIu32 " is not mapped "
                                   "to storage on this host (no map entry \"%s/%" PRIu32
                                   "\" or \"%s\", and no vDisk of that id)",
                                   storvirt__hcl_devtype_names[d->type], d->path, d->sub, d->path,
                                   d->sub, d->path);
}

/* The size of the block device at path, from the kernel. */
static int device_bytes(const char *path, uint64_t *ret) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        int r = 0;

        if (fd < 0 || ioctl(fd, BLKGETSIZE64, ret) < 0)
                r = storvirt__error_set(-errno, "stripe member %s: %m", path);
        if (fd >= 0)
                close(fd);
        return r;
}

/* Member i of a striped LUN resolved to a block device: its path and size. */
static int stripe_member(storvirt_ctx *ctx, yajl_val map, const struct hcl_device *dev, size_t i,
                         char **ret_path, uint64_t *ret_bytes) {
        storvirt__disk_spec *s = NULL;
        storvirt__disk_resolved *d = NULL;
        int r;

        r = storvirt__hcl_device_spec(ctx, map, dev, &s);
        if (r >= 0)
                r = storvirt__resolve_spec(ctx, s, 0, &d);
        if (r >= 0 && d->type != STORVIRT__DISK_TYPE_BLOCK)
                r = storvirt__error_set(-EINVAL, "stripe member %zu is not a block device (%s)", i,
                                        d->source_path ? d->source_path : "network");
        if (r >= 0 && !(*ret_path = strdup(d->source_path)))
                r = storvirt__error_oom();
        /* a path names the device: its size from the kernel */
        if (r >= 0 && d->capacity == 0)
                r = device_bytes(d->source_path, &d->capacity);
        if (r >= 0)
                *ret_bytes = d->capacity;
        storvirt__disk_resolved_free(d);
        storvirt__disk_spec_free(s);
        return r;
}

int storvirt__hcl_striped_spec(storvirt_ctx *ctx, yajl_val map, const struct hcl_controller *c,
                               const struct hcl_lun *l, uint32_t flags,
                               storvirt__disk_spec **ret) {
        char **paths = calloc(l->n_devices + 1, sizeof(char *)), name[128], uuid[160], *params = NULL;
        uint64_t smallest = UINT64_MAX, sectors = 0;
        int r = 0;

        if (!paths)
                return storvirt__error_oom();
        if (!(flags & STORVIRT_HCL_XML_CREATE_STRIPES))
                r = storvirt__error_set(-EINVAL, "a striped LUN is a device-mapper device on this "
                                                 "host: allow its creation with "
                                                 "STORVIRT_HCL_XML_CREATE_STRIPES");
        for (size_t i = 0; r >= 0 && i < l->n_devices; i++) {
                uint64_t bytes = 0;

                r = stripe_member(ctx, map, &l->devices[i], i, &paths[i], &bytes);
                if (r >= 0 && bytes < smallest)
                        smallest = bytes;
        }
        if (r >= 0)
                r = storvirt__dm_striped_table(paths, l->n_devices, smallest,
                                               (uint32_t)l->f[L_CHUNK].n, &sectors, &params);
        if (r >= 0) {
                snprintf(name, sizeof(name), "storvirt-hcl-%s-%" PRIu64, c->instance_id,
                         l->f[L_LOCATION].n);
                snprintf(uuid, sizeof(uuid), "STORVIRT-HCL-%s-%" PRIu64, c->instance_id,
                         l->f[L_LOCATION].n);
                r = storvirt__ctx_sysops(ctx)->dm_create(name, uuid, sectors, "striped", params);
        }
        if (r >= 0)
                r = storvirt__disk_spec_new(ret);
        if (r >= 0) {
                (*ret)->source = STORVIRT__DISK_SOURCE_PATH;
                if (asprintf(&(*ret)->path, "/dev/mapper/%s", name) < 0) {
                        (*ret)->path = NULL;
                        r = storvirt__error_oom();
                }
        }
        free(params);
        for (size_t i = 0; i < l->n_devices; i++)
                free(paths[i]);
        free(paths);
        return r;
}
