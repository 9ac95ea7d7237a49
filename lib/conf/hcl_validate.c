/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hcl_validate.c - the controller model (conf/hcl_model.h) checked
 * against every rule of the settings schema: all problems at once, each
 * with upstream's error code and the controller and LUN it concerns.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/hcl_model.h"
#include "util/error.h"
#include "util/hashmap.h"
#include "util/json.h"
#include "util/macro.h"
#include "util/uuid.h"

struct problems {
        storvirt__json_gen *g;
        int n;
};

static void problem(struct problems *p, const char *code, const char *path, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

static void problem(struct problems *p, const char *code, const char *path, const char *fmt, ...) {
        char msg[512], full[64];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        snprintf(full, sizeof(full), "Configuration.%s", code);
        p->n++;
        if (!p->g)
                return;
        storvirt__json_gen_begin_map(p->g);
        storvirt__json_gen_key_string(p->g, "code", full);
        storvirt__json_gen_key_string(p->g, "path", path);
        storvirt__json_gen_key_string(p->g, "message", msg);
        storvirt__json_gen_end_map(p->g);
}

static void check_device(struct problems *p, const char *path, const struct hcl_device *d) {
        const char *why;

        if (d->type == 0)
                problem(p, "StorageUnsupportedDeviceType", path,
                        "invalid device type: a physical device is NVME or VSCSI");
        if ((why = storvirt__hcl_guid_problem(d->path ? d->path : "", NULL)))
                problem(p, "InvalidInstanceId", path, "invalid instance ID '%s': %s",
                        d->path ? d->path : "", why);
}

/* Where the LUN sits: channel and drive (IDE), LUN number (SCSI), namespace id (NVMe). */
static void check_location(struct problems *p, const struct hcl_controller *c,
                           const struct hcl_lun *l, const char *path) {
        bool dvd = l->f[L_IS_DVD].n != 0;
        uint64_t loc = l->f[L_LOCATION].n;

        switch (c->protocol) {
        case 2:
                if (!l->f[L_CHANNEL].has)
                        problem(p, "StorageIdeChannelNotProvided", path,
                                "ide controller channel not provided");
                else if (l->f[L_CHANNEL].n >= 2)
                        problem(p, "StorageIdeChannelExceedsMaxLimits", path,
                                "ide controller channel exceeds 2 max channels");
                if (loc >= 2)
                        problem(p, "StorageIdeChannelExceedsMaxLimits", path,
                                "ide controller location exceeds 2 allowed drives per channel");
                break;
        case 1:
                if (loc >= 64)
                        problem(p, "StorageLunLocationExceedsMaxLimits", path,
                                "disk location exceeds limits 64");
                break;
        case 3:
                if (loc == 0 || loc == 0xFFFFFFFFu)
                        problem(p, "StorageLunLocationExceedsMaxLimits", path,
                                "NVMe namespace id is invalid (0 and 0xFFFFFFFF are reserved)");
                if (dvd)
                        problem(p, "StorageUnsupportedDeviceType", path,
                                "NVMe namespace can't be a DVD drive");
                break;
        default:
                break;
        }
}

/* What backs the LUN: one device (single), two or more (striped), or nothing (a DVD). */
static void check_backing(struct problems *p, const struct hcl_lun *l, const char *path) {
        bool legacy = l->f[L_DEVICE_TYPE].has || l->f[L_DEVICE_PATH].has ||
                      l->f[L_SUB_DEVICE_PATH].has;
        bool dvd = l->f[L_IS_DVD].n != 0;
        char dpath[448];
        size_t count;

        if ((dvd || l->has_pd) && legacy)
                problem(p, "JsonFormatError", path,
                        "build-to-build schema compat error: cannot mix old/new physical device "
                        "schema declarations");
        if (l->has_pd) {
                switch (l->pd_type) {
                case 1:
                        count = (l->has_device ? 1 : 0) + l->n_devices;
                        if (!l->has_device || l->n_devices)
                                problem(p, "StorageInvalidPhysicalDiskCount", path,
                                        "invalid physical disk count: physical_disk_count = %zu "
                                        "(single takes exactly one device)", count);
                        break;
                case 2:
                        count = (l->has_device ? 1 : 0) + l->n_devices;
                        if (l->n_devices < 2 || l->has_device)
                                problem(p, "StorageInvalidPhysicalDiskCount", path,
                                        "invalid physical disk count: physical_disk_count = %zu "
                                        "(striped takes two or more devices, in \"devices\")",
                                        count);
                        if (l->f[L_CHUNK].n == 0)
                                problem(p, "StorageInvalidChunkSize", path,
                                        "striped LUN without a chunk size (chunk_size_in_kb must "
                                        "be greater than 0)");
                        break;
                default:
                        problem(p, "StorageUnsupportedDeviceType", path,
                                "invalid device type: physical_devices.type is SINGLE or STRIPED");
                        break;
                }
                if (l->has_device) {
                        snprintf(dpath, sizeof(dpath), "%s device", path);
                        check_device(p, dpath, &l->device);
                }
                for (size_t i = 0; i < l->n_devices; i++) {
                        snprintf(dpath, sizeof(dpath), "%s device %zu", path, i);
                        check_device(p, dpath, &l->devices[i]);
                }
        } else if (!dvd) {
                if (!(l->f[L_DEVICE_PATH].has && l->f[L_SUB_DEVICE_PATH].has))
                        problem(p, "JsonFormatError", path,
                                "build-to-build schema compat error: could not find any physical "
                                "devices (a disk needs backing; only a DVD may be empty)");
                else if (!l->f[L_DEVICE_TYPE].has || l->f[L_DEVICE_TYPE].n == 0)
                        problem(p, "StorageUnsupportedDeviceType", path, "invalid device type");
        }
}

/* The LUN's GUIDs and, strictly, its SCSI identity strings. */
static void check_identity(struct problems *p, const struct hcl_controller *c,
                           const struct hcl_lun *l, const char *path, bool strict) {
        bool dvd = l->f[L_IS_DVD].n != 0;
        const char *why;

        if (l->f[L_NTFS_GUID].has && c->protocol != 3 &&
            (why = storvirt__hcl_guid_problem(l->f[L_NTFS_GUID].s ? l->f[L_NTFS_GUID].s : "",
                                              NULL)))
                problem(p, "StorageInvalidNtfsFormatGuid", path, "invalid ntfs guid '%s': %s",
                        l->f[L_NTFS_GUID].s ? l->f[L_NTFS_GUID].s : "", why);
        if (strict && !dvd && (c->protocol == 1 || c->protocol == 2)) {
                storvirt__uuid u;

                if (!storvirt__hcl_ascii_field_ok(l->f[L_VENDOR_ID].s, 8))
                        problem(p, "StorageInvalidVendorId", path,
                                "vendor_id '%s' is not at most 8 printable ASCII bytes",
                                l->f[L_VENDOR_ID].s);
                if (!storvirt__hcl_ascii_field_ok(l->f[L_PRODUCT_ID].s, 16))
                        problem(p, "StorageInvalidProductId", path,
                                "product_id '%s' is not at most 16 printable ASCII bytes",
                                l->f[L_PRODUCT_ID].s);
                if (!storvirt__hcl_ascii_field_ok(l->f[L_REVISION].s, 4))
                        problem(p, "StorageInvalidProductRevisionLevel", path,
                                "product_revision_level '%s' is not at most 4 printable ASCII "
                                "bytes",
                                l->f[L_REVISION].s);
                why = storvirt__hcl_guid_problem(l->f[L_DEVICE_ID].s ? l->f[L_DEVICE_ID].s : "",
                                                 &u);
                if (why || storvirt__uuid_is_null(&u))
                        problem(p, "StorageInvalidDeviceId", path, "device_id '%s': %s",
                                l->f[L_DEVICE_ID].s ? l->f[L_DEVICE_ID].s : "",
                                why ? why : "the all-zero GUID");
        }
}

static void check_lun(struct problems *p, const struct hcl_controller *c, const char *cpath,
                      const struct hcl_lun *l, bool strict) {
        char where[64], path[384];

        snprintf(path, sizeof(path), "%s %s", cpath,
                 storvirt__hcl_lun_where(c, l, where, sizeof(where)));
        check_location(p, c, l, path);
        check_backing(p, l, path);
        check_identity(p, c, l, path, strict);
}

/*
 * Locations of controller ci compared as a set (IDE: channel and drive), each
 * repeat named with the first LUN in that slot.  slots maps "ci/location" (IDE:
 * "ci/channel/location") to that first LUN's index plus one.
 */
static int check_duplicates(struct problems *p, storvirt__hashmap *slots, size_t ci,
                            const struct hcl_controller *c, const char *cpath) {
        char where[64], path[384], key[80];
        bool ide = c->protocol == 2;
        uintptr_t first;
        size_t j;
        int r;

        for (size_t i = 0; i < c->n_luns; i++) {
                const struct hcl_lun *a = &c->luns[i];

                if (ide && !a->f[L_CHANNEL].has)
                        continue;
                if (ide)
                        snprintf(key, sizeof(key), "%zu/%" PRIu64 "/%" PRIu64, ci, a->f[L_CHANNEL].n,
                                 a->f[L_LOCATION].n);
                else
                        snprintf(key, sizeof(key), "%zu/%" PRIu64, ci, a->f[L_LOCATION].n);
                first = (uintptr_t)storvirt__hashmap_get(slots, key);
                if (!first) {
                        if ((r = storvirt__hashmap_put(slots, key, (void *)(uintptr_t)(i + 1))) < 0)
                                return r;
                        continue;
                }
                j = first - 1;
                snprintf(path, sizeof(path), "%s %s", cpath,
                         storvirt__hcl_lun_where(c, a, where, sizeof(where)));
                if (ide)
                        problem(p, "StorageIdeChannelInvalidConfiguration", path,
                                "ide controller has invalid configuration: drives %zu and "
                                "%zu share the slot", j, i);
                else
                        problem(p, "StorageLunLocationDuplicated", path,
                                "disk location is duplicated (LUNs %zu and %zu)", j, i);
        }
        return 0;
}

/*
 * Controller i's instance ID against those before it, compared as GUIDs: ids
 * maps the canonical form of each to its first controller's index plus one.
 */
static int check_instance_id(struct problems *p, storvirt__hashmap *ids, size_t i, const char *id,
                             const char *cpath) {
        char key[STORVIRT__UUID_STRING_MAX];
        storvirt__uuid u;
        uintptr_t first;

        if (storvirt__hcl_guid_problem(id, &u))
                return 0;
        first = (uintptr_t)storvirt__hashmap_get(ids, storvirt__uuid_format(&u, key));
        if (!first)
                return storvirt__hashmap_put(ids, key, (void *)(uintptr_t)(i + 1));
        problem(p, "StorageControllerGuidAlreadyExists", cpath,
                "controller already exists (same instance ID as controller %zu)", (size_t)(first - 1));
        return 0;
}

STORVIRT_EXPORT int storvirt_hcl_validate(const storvirt_hcl *doc, char **ret_problems,
                                          uint32_t flags) {
        _cleanup_json_gen_ storvirt__json_gen *g = NULL;
        _cleanup_hashmap_free_ storvirt__hashmap *ids = NULL, *slots = NULL;
        struct problems p = {};
        size_t n_ide = 0, n_scsi = 0;
        int r;

        check_nonnull(doc);
        check_flags(flags, STORVIRT_HCL_VALIDATE_STRICT);
        if ((r = storvirt__hashmap_new(&ids, NULL)) < 0 || (r = storvirt__hashmap_new(&slots, NULL)) < 0)
                return r;
        if (ret_problems) {
                r = storvirt__json_gen_new(true, &g);
                if (r < 0)
                        return r;
                storvirt__json_gen_begin_array(g);
                p.g = g;
        }
        if ((doc->fixed || doc->has_dynamic) && doc->version != 1)
                problem(&p, "UnsupportedSchemaVersion", "settings", "unsupported schema version 0x%x",
                        (unsigned)doc->version);
        for (size_t i = 0; i < doc->n_ctrls; i++)
                n_ide += doc->ctrls[i].protocol == 2;
        for (size_t i = 0; i < doc->n_ctrls; i++) {
                const struct hcl_controller *c = &doc->ctrls[i];
                const char *id = c->instance_id ? c->instance_id : "", *why;
                char cpath[160];

                snprintf(cpath, sizeof(cpath), "controller %zu (%s %s)", i,
                         storvirt__hcl_protocol_names[c->protocol], id);
                if ((why = storvirt__hcl_guid_problem(id, NULL)))
                        problem(&p, "InvalidInstanceId", cpath, "invalid instance ID '%s': %s", id,
                                why);
                switch (c->protocol) {
                case 0:
                        problem(&p, "StorageInvalidControllerType", cpath,
                                "controller has unknown storage protocol");
                        break;
                case 1:
                        if (++n_scsi > 4)
                                problem(&p, "StorageScsiControllerExceedsMaxLimits", cpath,
                                        "exceeded 4 max SCSI controllers");
                        break;
                case 2:
                        if (--n_ide > 0)
                                problem(&p, "StorageIdeChannelExceedsMaxLimits", cpath,
                                        "ide controller channel exceeds 1 max controller");
                        break;
                default:
                        break;
                }
                if ((r = check_instance_id(&p, ids, i, id, cpath)) < 0)
                        return r;
                for (size_t k = 0; k < c->n_luns; k++)
                        check_lun(&p, c, cpath, &c->luns[k], flags & STORVIRT_HCL_VALIDATE_STRICT);
                if ((r = check_duplicates(&p, slots, i, c, cpath)) < 0)
                        return r;
        }
        if (ret_problems) {
                storvirt__json_gen_end_array(g);
                r = storvirt__json_gen_finish(g, ret_problems, NULL);
                if (r < 0)
                        return r;
        }
        return p.n;
}
