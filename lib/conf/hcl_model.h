/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * conf/hcl_model.h - the controller model behind storvirt_hcl (storvirt/hcl.h):
 * controllers holding LUNs, each LUN's scalar fields described once in
 * storvirt__hcl_lun_fields[] (names in both spellings, kind, order of the
 * proto field numbers), and its physical devices.
 *
 *   conf/hcl.c           the document: built and read through the C API
 *   conf/hcl_json.c      read from and written to the settings JSON
 *   conf/hcl_validate.c  checked against every rule of the settings schema
 *   hcl/hcl_xml.c        compiled to libvirt <controller> and <disk> elements
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <storvirt/hcl.h>

#include "util/uuid.h"

/* The largest settings document (and device map) read. */
#define STORVIRT__HCL_JSON_MAX (16u << 20)

enum fkind {
        F_U32,          /* uint32, default 0 */
        F_OPT_U32,      /* optional uint32 */
        F_OPT_U64,      /* optional uint64 (written as a string) */
        F_STR,          /* string, default "" */
        F_OPT_STR,      /* optional string */
        F_BOOL,         /* bool, default false */
        F_OPT_BOOL,     /* optional bool */
        F_OPT_DEVTYPE,  /* optional DeviceType (legacy device_type) */
        F_MSG,          /* physical_devices: handled apart */
};

enum {
        L_CHANNEL, L_LOCATION, L_DEVICE_ID, L_VENDOR_ID, L_PRODUCT_ID, L_REVISION, L_SERIAL,
        L_MODEL, L_ROTATION, L_SECTOR, L_FUA, L_WRITE_CACHE, L_ODX, L_NO_THIN, L_MAX_TRANSFER,
        L_PHYSICAL_DEVICES, L_IS_DVD, L_CHUNK, L_SCSI_SIZE, L_NTFS_GUID, L_TOTAL_SIZE,
        L_DEVICE_TYPE, L_DEVICE_PATH, L_SUB_DEVICE_PATH, L_N,
};

struct fdef {
        const char *snake, *camel;
        enum fkind kind;
        bool deprecated;        /* written only when set, also in the canonical form */
};

struct fval {
        bool has;               /* optional: present; plain: always true */
        uint64_t n;             /* numbers, bools, enums */
        char *s;                /* strings (NULL: "") */
};

struct hcl_device {
        int type;               /* 0 unknown, 1 NVME, 2 VSCSI */
        char *path;             /* NULL: "" */
        uint32_t sub;
};

struct hcl_lun {
        struct fval f[L_N];
        bool has_pd;            /* physical_devices present */
        int pd_type;            /* 0 unknown, 1 SINGLE, 2 STRIPED */
        bool has_device;
        struct hcl_device device;
        struct hcl_device *devices;
        size_t n_devices;
};

struct hcl_controller {
        char *instance_id;      /* NULL: "" */
        int protocol;           /* 0 unknown, 1 SCSI, 2 IDE, 3 NVME */
        bool has_queue_depth;
        uint32_t queue_depth;
        struct hcl_lun *luns;
        size_t n_luns;
};

struct storvirt_hcl {
        int version;            /* 0 UNKNOWN, 1 V1 */
        char *fixed;            /* the "fixed" object as JSON text, kept as given; NULL: absent */
        bool has_dynamic;
        char *nic_devices;      /* "nic_devices" as JSON text, kept; NULL: absent */
        struct hcl_controller *ctrls;
        size_t n_ctrls;
};

/* The field table, indexed by L_*. */
extern const struct fdef storvirt__hcl_lun_fields[L_N];

/* Names by number: protocol (0-3), backing type (0-2), device type (0-2). */
extern const char *const storvirt__hcl_protocol_names[4];
extern const char *const storvirt__hcl_backing_names[3];
extern const char *const storvirt__hcl_devtype_names[3];

void storvirt__hcl_device_clear(struct hcl_device *d);
void storvirt__hcl_lun_clear(struct hcl_lun *l);
/* An empty LUN: its plain fields present with their defaults. */
void storvirt__hcl_lun_init(struct hcl_lun *l);

/* upstream's GUID syntax: 8-4-4-4-12 hex digits, optionally in braces. NULL or a reason. */
const char *storvirt__hcl_guid_problem(const char *s, storvirt__uuid *ret);
/* A LUN as messages name it: "LUN 3", "IDE drive 1/0", "namespace 2". */
const char *storvirt__hcl_lun_where(const struct hcl_controller *c, const struct hcl_lun *l,
                                    char *buf, size_t size);
/* At most max bytes, each printable ASCII. */
bool storvirt__hcl_ascii_field_ok(const char *s, size_t max);

/* Controller i, LUN l of controller c: -ENOENT naming what the document lacks. */
int storvirt__hcl_get_ctrl(const storvirt_hcl *doc, size_t i, struct hcl_controller **ret);
int storvirt__hcl_get_lun(const storvirt_hcl *doc, size_t c, size_t l, struct hcl_controller **rc,
                          struct hcl_lun **ret);
