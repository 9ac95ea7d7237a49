/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hcl_xml.c - the controller model compiled to libvirt's domain XML
 * (storvirt_hcl_to_xml): a <controller> per IDE or SCSI controller, a
 * <disk> per LUN at its drive address, DVDs as cdroms, identity strings
 * as <serial>, <vendor> and <product>; the storage of each LUN found on
 * this host (hcl_devices.c) and resolved with its identity checked.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <storvirt.h>

#include "conf/disk.h"
#include "conf/hcl_model.h"
#include "resolve/resolve.h"
#include "hcl/hcl_devices.h"
#include "util/error.h"
#include "util/json.h"
#include "util/macro.h"
#include "util/strv.h"

static int sdup_field(const char *v, char **ret) {
        free(*ret);
        *ret = strdup(v);
        return *ret ? 0 : storvirt__error_oom();
}

/* 0 when the document has no problem, else -EINVAL naming how many and the first. */
static int check_doc(const storvirt_hcl *doc) {
        _cleanup_json_ yajl_val v = NULL;
        _cleanup_free_ char *first = NULL;
        const char *code = "", *path = "", *msg = "";
        int count;

        count = storvirt_hcl_validate(doc, &first, 0);
        if (count <= 0)
                return count;
        if (storvirt__json_parse(first, strlen(first), STORVIRT__HCL_JSON_MAX, &v,
                                 "problems") >= 0 && v->u.array.len) {
                (void)storvirt__json_get_string(v->u.array.values[0], "code", false, &code);
                (void)storvirt__json_get_string(v->u.array.values[0], "path", false, &path);
                (void)storvirt__json_get_string(v->u.array.values[0], "message", false, &msg);
        }
        return storvirt__error_set(-EINVAL, "the settings have %d problem%s (see "
                                            "storvirt_hcl_validate()), the first: %s: %s: %s",
                                   count, count == 1 ? "" : "s", code, path, msg);
}

/* The device map (an object), or NULL when none is given. */
static int parse_map(const char *map_json, yajl_val *ret) {
        int r;

        *ret = NULL;
        if (!map_json)
                return 0;
        r = storvirt__json_parse(map_json, strlen(map_json), STORVIRT__HCL_JSON_MAX, ret,
                                 "device map");
        if (r < 0)
                return r;
        if (!YAJL_IS_OBJECT(*ret))
                return storvirt__error_set(-EINVAL, "device map: expected an object, got %s",
                                           storvirt__json_type_name(*ret));
        return 0;
}

/* The spec of LUN l's storage (where names the LUN in messages). */
static int lun_storage(storvirt_ctx *ctx, yajl_val map, const struct hcl_controller *c,
                       const struct hcl_lun *l, const char *where, uint32_t flags,
                       storvirt__disk_spec **ret) {
        int r;

        if (l->has_pd && l->pd_type == 2) {
                r = storvirt__hcl_striped_spec(ctx, map, c, l, flags, ret);
        } else if (l->has_pd && l->has_device) {
                r = storvirt__hcl_device_spec(ctx, map, &l->device, ret);
        } else if (!l->has_pd && l->f[L_DEVICE_PATH].has) {
                struct hcl_device legacy = {
                        .type = (int)l->f[L_DEVICE_TYPE].n,
                        .path = l->f[L_DEVICE_PATH].s,
                        .sub = (uint32_t)l->f[L_SUB_DEVICE_PATH].n };

                r = storvirt__hcl_device_spec(ctx, map, &legacy, ret);
        } else {
                r = storvirt__disk_spec_new(ret);     /* an empty DVD */
        }
        /* the lookups never name the LUN: every failure gets its name here */
        if (r < 0)
                storvirt__error_prefix("%s", where);
        return r;
}

/* An identity string of a SCSI LUN (vendor_id, product_id) as the disk's. */
static int scsi_string(const char *where, const char *field, const char *v, size_t max,
                       char **ret) {
        if (!v || !*v)
                return 0;
        if (!storvirt__hcl_ascii_field_ok(v, max))
                return storvirt__error_set(-EINVAL, "%s: %s '%s' is not at most %zu printable "
                                                    "ASCII bytes",
                                           where, field, v, max);
        return sdup_field(v, ret);
}

/* LUN l of controller c (index: its <controller>'s) as the guest sees it: device, bus, address. */
static int place_lun(storvirt__disk_spec *s, const struct hcl_controller *c,
                     const struct hcl_lun *l, unsigned index, const char *where) {
        bool ide = c->protocol == 2;
        int r;

        r = sdup_field(where, &s->name);
        if (r < 0)
                return r;
        s->device = l->f[L_IS_DVD].n ? STORVIRT__DISK_DEVICE_CDROM : STORVIRT__DISK_DEVICE_DISK;
        s->bus = ide ? STORVIRT__DISK_BUS_IDE : STORVIRT__DISK_BUS_SCSI;
        if (ide)        /* the target dev that names that slot: hda..hdd */
                s->index = (int)(l->f[L_CHANNEL].n * 2 + l->f[L_LOCATION].n);
        s->address = (storvirt__disk_address){
                .type = STORVIRT__DISK_ADDRESS_DRIVE, .controller = index,
                .drive_bus = ide ? (unsigned)l->f[L_CHANNEL].n : 0, .target = 0,
                .unit = (unsigned)l->f[L_LOCATION].n };
        if (l->f[L_SERIAL].s && *l->f[L_SERIAL].s)
                r = sdup_field(l->f[L_SERIAL].s, &s->serial);
        if (r >= 0 && !ide)
                r = scsi_string(where, "vendor_id", l->f[L_VENDOR_ID].s, 8, &s->vendor);
        if (r >= 0 && !ide)
                r = scsi_string(where, "product_id", l->f[L_PRODUCT_ID].s, 16, &s->product);
        return r;
}

/* The specs of the LUNs of controller i (index: its <controller>'s), appended to specs. */
static int controller_specs(storvirt_ctx *ctx, yajl_val map, const storvirt_hcl *doc, size_t i,
                            unsigned index, uint32_t flags, storvirt__disk_spec **specs,
                            size_t *n) {
        const struct hcl_controller *c = &doc->ctrls[i];
        int r = 0;

        for (size_t k = 0; r >= 0 && k < c->n_luns; k++) {
                const struct hcl_lun *l = &c->luns[k];
                char where[192], lw[64];

                storvirt__disk_spec *s = NULL;

                snprintf(where, sizeof(where), "controller %zu (%s %s) %s", i,
                         storvirt__hcl_protocol_names[c->protocol], c->instance_id,
                         storvirt__hcl_lun_where(c, l, lw, sizeof(lw)));
                r = lun_storage(ctx, map, c, l, where, flags, &s);
                if (r < 0) {
                        storvirt__disk_spec_free(s);
                        break;
                }
                specs[(*n)++] = s;
                r = place_lun(s, c, l, index, where);
        }
        return r;
}

STORVIRT_EXPORT int storvirt_hcl_to_xml(storvirt_ctx *ctx, const storvirt_hcl *doc,
                                        const char *map_json, char **ret_xml, uint32_t flags) {
        _cleanup_json_ yajl_val map = NULL;
        storvirt__disk_controller ctrls[8];
        storvirt__disk_spec **specs = NULL;
        storvirt__disk_resolved **ds = NULL;
        char **problems = NULL;
        size_t n_ctrls = 0, n = 0, total = 0;
        unsigned scsi_index = 0;
        int r;

        check_nonnull(ctx);
        check_nonnull(doc);
        check_nonnull(ret_xml);
        check_flags(flags, STORVIRT_HCL_XML_CREATE_STRIPES);
        r = check_doc(doc);
        if (r < 0)
                return r;
        r = parse_map(map_json, &map);
        if (r < 0)
                return r;
        for (size_t i = 0; i < doc->n_ctrls; i++) {
                if (doc->ctrls[i].protocol == 3)
                        return storvirt__error_set(-EOPNOTSUPP,
                                                   "controller %zu (NVME %s): libvirt's domain "
                                                   "XML has no guest NVMe controller",
                                                   i, doc->ctrls[i].instance_id);
                total += doc->ctrls[i].n_luns;
        }
        specs = calloc(total + 1, sizeof(*specs));
        ds = calloc(total + 1, sizeof(*ds));
        if (!specs || !ds)
                r = storvirt__error_oom();
        /* at most 4 SCSI controllers and one IDE (checked above) */
        for (size_t i = 0; r >= 0 && i < doc->n_ctrls; i++) {
                bool ide = doc->ctrls[i].protocol == 2;
                unsigned index = ide ? 0 : scsi_index++;

                ctrls[n_ctrls++] = (storvirt__disk_controller){
                        .type = ide ? "ide" : "scsi", .index = index,
                        .model = ide ? NULL : "virtio-scsi" };
                r = controller_specs(ctx, map, doc, i, index, flags, specs, &n);
        }
        if (r >= 0) {
                r = storvirt__disk_specs_complete(specs, n, &problems);
                if (r < 0 && problems)
                        r = storvirt__error_set(r, "%s", problems[0]);
        }
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = storvirt__resolve_spec(ctx, specs[i], 0, &ds[i]);
        if (r >= 0)
                r = storvirt__devices_xml(ctrls, n_ctrls, ds, n, ret_xml);
        for (size_t i = 0; ds && i < n; i++)
                storvirt__disk_resolved_free(ds[i]);
        free(ds);
        storvirt__disk_specs_free(specs, n);
        storvirt__strv_free(problems);
        return r;
}
