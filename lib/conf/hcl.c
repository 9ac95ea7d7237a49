/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hcl.c - guest-visible storage controllers (storvirt/hcl.h): OpenHCL's
 * "VTL2 settings" storage model (conf/hcl_model.h) as a document built
 * and read through the C API.  Reading and writing its JSON is in
 * hcl_json.c, its rules in hcl_validate.c, its compilation to libvirt's
 * domain XML in hcl/hcl_xml.c.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/hcl_model.h"
#include "util/error.h"
#include "util/macro.h"
#include "util/uuid.h"

/* ---- the model ---------------------------------------------------------------------------------- */

const struct fdef storvirt__hcl_lun_fields[L_N] = {
        [L_CHANNEL] = { "channel", "channel", F_OPT_U32, false },
        [L_LOCATION] = { "location", "location", F_U32, false },
        [L_DEVICE_ID] = { "device_id", "deviceId", F_STR, false },
        [L_VENDOR_ID] = { "vendor_id", "vendorId", F_STR, false },
        [L_PRODUCT_ID] = { "product_id", "productId", F_STR, false },
        [L_REVISION] = { "product_revision_level", "productRevisionLevel", F_STR, false },
        [L_SERIAL] = { "serial_number", "serialNumber", F_STR, false },
        [L_MODEL] = { "model_number", "modelNumber", F_STR, false },
        [L_ROTATION] = { "medium_rotation_rate", "mediumRotationRate", F_OPT_U32, false },
        [L_SECTOR] = { "physical_sector_size", "physicalSectorSize", F_OPT_U32, false },
        [L_FUA] = { "fua", "fua", F_OPT_BOOL, false },
        [L_WRITE_CACHE] = { "write_cache", "writeCache", F_OPT_BOOL, false },
        [L_ODX] = { "odx", "odx", F_OPT_BOOL, false },
        [L_NO_THIN] = { "disable_thin_provisioning", "disableThinProvisioning", F_OPT_BOOL, false },
        [L_MAX_TRANSFER] = { "max_transfer_length", "maxTransferLength", F_OPT_U64, false },
        [L_PHYSICAL_DEVICES] = { "physical_devices", "physicalDevices", F_MSG, false },
        [L_IS_DVD] = { "is_dvd", "isDvd", F_BOOL, false },
        [L_CHUNK] = { "chunk_size_in_kb", "chunkSizeInKb", F_U32, false },
        [L_SCSI_SIZE] = { "scsi_disk_size_in_bytes", "scsiDiskSizeInBytes", F_OPT_U64, false },
        [L_NTFS_GUID] = { "ntfs_guid", "ntfsGuid", F_OPT_STR, false },
        [L_TOTAL_SIZE] = { "total_logic_size_in_kb", "totalLogicSizeInKb", F_U32, true },
        [L_DEVICE_TYPE] = { "device_type", "deviceType", F_OPT_DEVTYPE, true },
        [L_DEVICE_PATH] = { "device_path", "devicePath", F_OPT_STR, true },
        [L_SUB_DEVICE_PATH] = { "sub_device_path", "subDevicePath", F_OPT_U32, true },
};

const char *const storvirt__hcl_protocol_names[4] = { "UNKNOWN", "SCSI", "IDE", "NVME" };
const char *const storvirt__hcl_backing_names[3] = { "UNKNOWN", "SINGLE", "STRIPED" };
const char *const storvirt__hcl_devtype_names[3] = { "UNKNOWN", "NVME", "VSCSI" };

void storvirt__hcl_device_clear(struct hcl_device *d) {
        free(d->path);
        *d = (struct hcl_device){};
}

void storvirt__hcl_lun_clear(struct hcl_lun *l) {
        for (size_t i = 0; i < L_N; i++)
                free(l->f[i].s);
        storvirt__hcl_device_clear(&l->device);
        for (size_t i = 0; i < l->n_devices; i++)
                storvirt__hcl_device_clear(&l->devices[i]);
        free(l->devices);
        *l = (struct hcl_lun){};
}

static void ctrl_clear(struct hcl_controller *c) {
        free(c->instance_id);
        for (size_t i = 0; i < c->n_luns; i++)
                storvirt__hcl_lun_clear(&c->luns[i]);
        free(c->luns);
        *c = (struct hcl_controller){};
}

STORVIRT_EXPORT void storvirt_hcl_free(storvirt_hcl *doc) {
        if (!doc)
                return;
        free(doc->fixed);
        free(doc->nic_devices);
        for (size_t i = 0; i < doc->n_ctrls; i++)
                ctrl_clear(&doc->ctrls[i]);
        free(doc->ctrls);
        free(doc);
}

void storvirt__hcl_lun_init(struct hcl_lun *l) {
        *l = (struct hcl_lun){};
        for (size_t i = 0; i < L_N; i++)
                l->f[i].has = storvirt__hcl_lun_fields[i].kind == F_U32 ||
                              storvirt__hcl_lun_fields[i].kind == F_STR ||
                              storvirt__hcl_lun_fields[i].kind == F_BOOL;
}

/* ---- GUIDs --------------------------------------------------------------------------------------- */

/* upstream's GUID syntax: 8-4-4-4-12 hex digits, optionally in braces. NULL or a reason. */
const char *storvirt__hcl_guid_problem(const char *s, storvirt__uuid *ret) {
        size_t n = s ? strlen(s) : 0;
        char buf[37];

        if (n == 38 && s[0] == '{' && s[37] == '}') {
                s++;
                n = 36;
        }
        if (n != 36)
                return "invalid GUID length";
        for (size_t i = 0; i < 36; i++) {
                bool dash = i == 8 || i == 13 || i == 18 || i == 23;

                if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
                        return dash ? "invalid GUID format" : "invalid GUID digit";
        }
        memcpy(buf, s, 36);
        buf[36] = '\0';
        if (ret && storvirt__uuid_parse(buf, ret) < 0)
                return "invalid GUID digit";
        return NULL;
}

const char *storvirt__hcl_lun_where(const struct hcl_controller *c, const struct hcl_lun *l,
                                    char *buf, size_t size) {
        uint32_t loc = (uint32_t)l->f[L_LOCATION].n;

        if (c->protocol == 2 && l->f[L_CHANNEL].has)
                snprintf(buf, size, "IDE drive %" PRIu64 "/%" PRIu32, l->f[L_CHANNEL].n, loc);
        else if (c->protocol == 2)
                snprintf(buf, size, "IDE drive -/%" PRIu32, loc);
        else if (c->protocol == 3)
                snprintf(buf, size, "namespace %" PRIu32, loc);
        else
                snprintf(buf, size, "LUN %" PRIu32, loc);
        return buf;
}

bool storvirt__hcl_ascii_field_ok(const char *s, size_t max) {
        size_t n = s ? strlen(s) : 0;

        if (n > max)
                return false;
        for (size_t i = 0; i < n; i++)
                if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7f)
                        return false;
        return true;
}


/* ---- building ----------------------------------------------------------------------------------- */

STORVIRT_EXPORT int storvirt_hcl_new(storvirt_hcl **ret_doc) {
        storvirt_hcl *doc;

        check_nonnull(ret_doc);
        doc = calloc(1, sizeof(*doc));
        if (!doc)
                return storvirt__error_oom();
        doc->version = 1;
        doc->has_dynamic = true;
        *ret_doc = doc;
        return 0;
}

int storvirt__hcl_get_ctrl(const storvirt_hcl *doc, size_t i, struct hcl_controller **ret) {
        if (i >= doc->n_ctrls)
                return storvirt__error_set(-ENOENT, "no controller %zu (the document has %zu)", i,
                                           doc->n_ctrls);
        *ret = &doc->ctrls[i];
        return 0;
}

int storvirt__hcl_get_lun(const storvirt_hcl *doc, size_t c, size_t l, struct hcl_controller **rc,
                          struct hcl_lun **ret) {
        int r = storvirt__hcl_get_ctrl(doc, c, rc);

        if (r < 0)
                return r;
        if (l >= (*rc)->n_luns)
                return storvirt__error_set(-ENOENT, "controller %zu has no LUN %zu (it has %zu)", c,
                                           l, (*rc)->n_luns);
        *ret = &(*rc)->luns[l];
        return 0;
}

STORVIRT_EXPORT int storvirt_hcl_add_controller(storvirt_hcl *doc, int protocol,
                                                const char *instance_id, size_t *ret_index) {
        struct hcl_controller *grown;
        char buf[STORVIRT__UUID_STRING_MAX];
        storvirt__uuid u;
        const char *why;
        int r;

        check_nonnull(doc);
        check_arg(protocol >= STORVIRT_HCL_PROTOCOL_SCSI && protocol <= STORVIRT_HCL_PROTOCOL_NVME,
                  "protocol", "must be STORVIRT_HCL_PROTOCOL_SCSI, _IDE or _NVME");
        if (instance_id && (why = storvirt__hcl_guid_problem(instance_id, NULL)))
                return storvirt__error_set(-EINVAL, "invalid instance ID '%.64s': %s", instance_id,
                                           why);
        if (!instance_id) {
                r = storvirt__uuid_generate_v4(&u);
                if (r < 0)
                        return r;
                instance_id = storvirt__uuid_format(&u, buf);
        }
        grown = realloc(doc->ctrls, (doc->n_ctrls + 1) * sizeof(*grown));
        if (!grown)
                return storvirt__error_oom();
        doc->ctrls = grown;
        grown[doc->n_ctrls] = (struct hcl_controller){ .protocol = protocol,
                                                       .instance_id = strdup(instance_id) };
        if (!grown[doc->n_ctrls].instance_id)
                return storvirt__error_oom();
        doc->has_dynamic = true;
        if (ret_index)
                *ret_index = doc->n_ctrls;
        doc->n_ctrls++;
        return 0;
}

STORVIRT_EXPORT int storvirt_hcl_add_lun(storvirt_hcl *doc, size_t controller, long location,
                                         int is_dvd, size_t *ret_index) {
        struct hcl_controller *c = NULL;
        struct hcl_lun *grown, *l;
        uint64_t loc = 0, channel = 0;
        int r;

        check_nonnull(doc);
        r = storvirt__hcl_get_ctrl(doc, controller, &c);
        if (r < 0)
                return r;
        if (location > (long)UINT32_MAX)
                return storvirt__error_set(-EINVAL, "location %ld is out of range", location);
        if (location >= 0) {
                loc = (uint64_t)location;
        } else if (c->protocol == STORVIRT_HCL_PROTOCOL_IDE) {
                /* the first free slot: channel 0 drives 0, 1, then channel 1 */
                bool found = false;

                for (uint64_t slot = 0; slot < 4 && !found; slot++) {
                        bool used = false;

                        for (size_t i = 0; i < c->n_luns; i++)
                                used |= c->luns[i].f[L_CHANNEL].n == slot / 2 &&
                                        c->luns[i].f[L_LOCATION].n == slot % 2;
                        if (!used) {
                                channel = slot / 2;
                                loc = slot % 2;
                                found = true;
                        }
                }
                if (!found)
                        return storvirt__error_set(-ENOSPC, "IDE controller %zu has no free slot "
                                                            "(2 channels x 2 drives)", controller);
        } else {
                /* the lowest free location: from 0 (SCSI), from 1 (NVMe) */
                for (loc = c->protocol == STORVIRT_HCL_PROTOCOL_NVME ? 1 : 0;; loc++) {
                        bool used = false;

                        for (size_t i = 0; i < c->n_luns && !used; i++)
                                used = c->luns[i].f[L_LOCATION].n == loc;
                        if (!used)
                                break;
                }
        }
        grown = realloc(c->luns, (c->n_luns + 1) * sizeof(*grown));
        if (!grown)
                return storvirt__error_oom();
        c->luns = grown;
        l = &grown[c->n_luns];
        storvirt__hcl_lun_init(l);
        l->f[L_LOCATION].n = loc;
        l->f[L_IS_DVD].n = is_dvd != 0;
        if (c->protocol == STORVIRT_HCL_PROTOCOL_IDE) {
                l->f[L_CHANNEL].has = true;
                l->f[L_CHANNEL].n = location >= 0 ? 0 : channel;
        }
        if (ret_index)
                *ret_index = c->n_luns;
        c->n_luns++;
        return 0;
}

STORVIRT_EXPORT int storvirt_hcl_lun_add_device(storvirt_hcl *doc, size_t controller, size_t lun,
                                                int device_type, const char *device_path,
                                                uint32_t sub_device_path) {
        struct hcl_controller *c = NULL;
        struct hcl_lun *l;
        struct hcl_device d, *grown;
        const char *why;
        int r;

        check_nonnull(doc);
        check_nonnull(device_path);
        check_arg(device_type == STORVIRT_HCL_DEVICE_NVME || device_type == STORVIRT_HCL_DEVICE_VSCSI,
                  "device_type", "must be STORVIRT_HCL_DEVICE_NVME or _VSCSI (IDE cannot back a LUN)");
        if ((why = storvirt__hcl_guid_problem(device_path, NULL)))
                return storvirt__error_set(-EINVAL, "invalid device path '%.64s': %s", device_path,
                                           why);
        r = storvirt__hcl_get_lun(doc, controller, lun, &c, &l);
        if (r < 0)
                return r;
        d = (struct hcl_device){ .type = device_type, .path = strdup(device_path),
                                 .sub = sub_device_path };
        if (!d.path)
                return storvirt__error_oom();
        if (!l->has_pd || (!l->has_device && l->n_devices == 0)) {
                /* the first device: single */
                l->has_pd = true;
                l->pd_type = 1;
                storvirt__hcl_device_clear(&l->device);
                l->device = d;
                l->has_device = true;
                return 0;
        }
        grown = realloc(l->devices, (l->n_devices + 2) * sizeof(*grown));
        if (!grown) {
                storvirt__hcl_device_clear(&d);
                return storvirt__error_oom();
        }
        l->devices = grown;
        if (l->has_device) {
                /* single becomes striped: the device moves into the list */
                grown[l->n_devices++] = l->device;
                l->device = (struct hcl_device){};
                l->has_device = false;
        }
        grown[l->n_devices++] = d;
        l->pd_type = 2;
        return 0;
}

/* ---- reading a document ------------------------------------------------------------------------- */

STORVIRT_EXPORT size_t storvirt_hcl_get_n_controllers(const storvirt_hcl *doc) {
        return doc ? doc->n_ctrls : 0;
}

STORVIRT_EXPORT int storvirt_hcl_get_controller(const storvirt_hcl *doc, size_t controller,
                                                int *ret_protocol, const char **ret_instance_id,
                                                size_t *ret_n_luns) {
        struct hcl_controller *c = NULL;
        int r;

        check_nonnull(doc);
        r = storvirt__hcl_get_ctrl(doc, controller, &c);
        if (r < 0)
                return r;
        if (ret_protocol)
                *ret_protocol = c->protocol;
        if (ret_instance_id)
                *ret_instance_id = c->instance_id ? c->instance_id : "";
        if (ret_n_luns)
                *ret_n_luns = c->n_luns;
        return 0;
}

STORVIRT_EXPORT int storvirt_hcl_get_lun(const storvirt_hcl *doc, size_t controller, size_t lun,
                                         uint32_t *ret_location, int *ret_channel, int *ret_is_dvd,
                                         int *ret_backing, size_t *ret_n_devices) {
        struct hcl_controller *c = NULL;
        struct hcl_lun *l;
        int r;

        check_nonnull(doc);
        r = storvirt__hcl_get_lun(doc, controller, lun, &c, &l);
        if (r < 0)
                return r;
        if (ret_location)
                *ret_location = (uint32_t)l->f[L_LOCATION].n;
        if (ret_channel)
                *ret_channel = l->f[L_CHANNEL].has ? (int)l->f[L_CHANNEL].n : -1;
        if (ret_is_dvd)
                *ret_is_dvd = l->f[L_IS_DVD].n != 0;
        if (ret_backing)
                *ret_backing = l->has_pd ? l->pd_type : l->f[L_DEVICE_PATH].has ? 1 : 0;
        if (ret_n_devices)
                *ret_n_devices = l->has_pd ? (l->has_device ? 1 : 0) + l->n_devices
                                           : l->f[L_DEVICE_PATH].has ? 1 : 0;
        return 0;
}

STORVIRT_EXPORT int storvirt_hcl_get_device(const storvirt_hcl *doc, size_t controller, size_t lun,
                                            size_t device, int *ret_type, const char **ret_path,
                                            uint32_t *ret_sub_device_path) {
        struct hcl_controller *c = NULL;
        struct hcl_lun *l;
        const struct hcl_device *d = NULL;
        struct hcl_device legacy;
        int r;

        check_nonnull(doc);
        r = storvirt__hcl_get_lun(doc, controller, lun, &c, &l);
        if (r < 0)
                return r;
        if (l->has_pd && l->has_device)
                d = device == 0 ? &l->device : device - 1 < l->n_devices ? &l->devices[device - 1] : NULL;
        else if (l->has_pd)
                d = device < l->n_devices ? &l->devices[device] : NULL;
        else if (l->f[L_DEVICE_PATH].has && device == 0) {
                legacy = (struct hcl_device){ .type = (int)l->f[L_DEVICE_TYPE].n,
                                              .path = l->f[L_DEVICE_PATH].s,
                                              .sub = (uint32_t)l->f[L_SUB_DEVICE_PATH].n };
                d = &legacy;
        }
        if (!d)
                return storvirt__error_set(-ENOENT, "LUN %zu of controller %zu has no physical "
                                                    "device %zu", lun, controller, device);
        if (ret_type)
                *ret_type = d->type;
        if (ret_path)
                *ret_path = d == &legacy ? l->f[L_DEVICE_PATH].s ?: "" : d->path ? d->path : "";
        if (ret_sub_device_path)
                *ret_sub_device_path = d->sub;
        return 0;
}
