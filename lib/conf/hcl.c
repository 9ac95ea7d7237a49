/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hcl.c - guest-visible storage controllers (storvirt/hcl.h): OpenHCL's
 * "VTL2 settings" storage model read from JSON, built through the C API,
 * checked against every rule of the settings schema and written back.
 *
 * The LUN message has many scalar fields; they are described once, in
 * lun_fields[] (names in both spellings, kind, order of the proto field
 * numbers), and the reader, the writers and lun_set() all go through it.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <storvirt.h>

#include "conf/disk.h"
#include "core/resolve.h"
#include "sys/dmstripe.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/hashmap.h"
#include "util/json.h"
#include "util/macro.h"
#include "util/strv.h"
#include "util/uuid.h"

#define HCL_MAX (16u << 20)

/* ---- the model ---------------------------------------------------------------------------------- */

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

static const struct fdef lun_fields[L_N] = {
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

static const char *const protocol_names[] = { "UNKNOWN", "SCSI", "IDE", "NVME" };
static const char *const backing_names[] = { "UNKNOWN", "SINGLE", "STRIPED" };
static const char *const devtype_names[] = { "UNKNOWN", "NVME", "VSCSI" };

static void device_clear(struct hcl_device *d) {
        free(d->path);
        *d = (struct hcl_device){};
}

static void lun_clear(struct hcl_lun *l) {
        for (size_t i = 0; i < L_N; i++)
                free(l->f[i].s);
        device_clear(&l->device);
        for (size_t i = 0; i < l->n_devices; i++)
                device_clear(&l->devices[i]);
        free(l->devices);
        *l = (struct hcl_lun){};
}

static void ctrl_clear(struct hcl_controller *c) {
        free(c->instance_id);
        for (size_t i = 0; i < c->n_luns; i++)
                lun_clear(&c->luns[i]);
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

static void lun_init(struct hcl_lun *l) {
        *l = (struct hcl_lun){};
        for (size_t i = 0; i < L_N; i++)
                l->f[i].has = lun_fields[i].kind == F_U32 || lun_fields[i].kind == F_STR ||
                              lun_fields[i].kind == F_BOOL;
}

/* ---- GUIDs --------------------------------------------------------------------------------------- */

/* upstream's GUID syntax: 8-4-4-4-12 hex digits, optionally in braces. NULL or a reason. */
static const char *guid_problem(const char *s, storvirt__uuid *ret) {
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

/* ---- reading ------------------------------------------------------------------------------------ */

struct rd {
        char path[256];         /* JSON path of the object being read */
};

#define RFAIL(rd, key, fmt, ...)                                                          \
        storvirt__error_set(-EINVAL, "%s.%s: " fmt, (rd)->path, (key), ##__VA_ARGS__)

/* One spelling per field per object: both spellings, or one twice, is an error. */
static int check_spellings(const struct rd *rd, yajl_val obj, const char *snake, const char *camel,
                           yajl_val *ret) {
        yajl_val found = NULL;
        const char *found_key = NULL;

        for (size_t i = 0; i < obj->u.object.len; i++) {
                const char *k = obj->u.object.keys[i];

                if (strcmp(k, snake) != 0 && strcmp(k, camel) != 0)
                        continue;
                if (found_key)
                        return storvirt__error_set(-EINVAL, "%s: duplicate field '%s'%s%s%s",
                                                   rd->path, camel,
                                                   strcmp(found_key, k) ? " (given as '" : "",
                                                   strcmp(found_key, k) ? found_key : "",
                                                   strcmp(found_key, k) ? "' too)" : "");
                found = obj->u.object.values[i];
                found_key = k;
        }
        *ret = found;
        return 0;
}

/* Every key of obj must be one of the names (either spelling). */
static int check_known(const struct rd *rd, yajl_val obj, const char *const *names) {
        for (size_t i = 0; i < obj->u.object.len; i++) {
                const char *k = obj->u.object.keys[i];
                bool ok = false;

                for (const char *const *n = names; *n && !ok; n++)
                        ok = strcmp(k, *n) == 0;
                if (!ok) {
                        char esc[STORVIRT__ESCAPED_NAME_SIZE];
                        return storvirt__error_set(-EINVAL, "%s: unknown field '%s'", rd->path,
                                                   storvirt__name_escape(k, esc, sizeof(esc)));
                }
        }
        return 0;
}

/* An unsigned integer: a JSON integer or a string of decimal digits, at most max. */
static int read_uint(const struct rd *rd, const char *key, yajl_val v, uint64_t max, uint64_t *ret) {
        const char *s;
        char *end;
        unsigned long long n;

        if (YAJL_IS_STRING(v)) {
                s = YAJL_GET_STRING(v);
                if (!s || !*s || strspn(s, "0123456789") != strlen(s))
                        return RFAIL(rd, key, "'%.40s' is not an unsigned integer", s ? s : "");
                errno = 0;
                n = strtoull(s, &end, 10);
                if (errno || n > max)
                        return RFAIL(rd, key, "%.40s is out of range 0-%" PRIu64, s, max);
                *ret = n;
                return 0;
        }
        if (!YAJL_IS_INTEGER(v))
                return RFAIL(rd, key, "expected an unsigned integer, got %s%s",
                             YAJL_IS_DOUBLE(v) ? "a fraction" : storvirt__json_type_name(v),
                             YAJL_IS_NUMBER(v) && !YAJL_IS_DOUBLE(v) ? " out of range" : "");
        if (YAJL_GET_INTEGER(v) < 0 || (uint64_t)YAJL_GET_INTEGER(v) > max)
                return RFAIL(rd, key, "%lld is out of range 0-%" PRIu64,
                             (long long)YAJL_GET_INTEGER(v), max);
        *ret = (uint64_t)YAJL_GET_INTEGER(v);
        return 0;
}

/* An enum: one of names[] (with aliases) or its number. */
struct ename {
        const char *name;
        int value;
};

static int read_enum(const struct rd *rd, const char *key, yajl_val v, const struct ename *names,
                     int max, const char *what, int *ret) {
        if (YAJL_IS_STRING(v)) {
                const char *s = YAJL_GET_STRING(v);
                struct storvirt__buf b = {};
                int r;

                for (const struct ename *e = names; e->name; e++)
                        if (s && strcmp(s, e->name) == 0) {
                                *ret = e->value;
                                return 0;
                        }
                for (const struct ename *e = names; e->name; e++)
                        storvirt__buf_printf(&b, "%s%s", e == names ? "" : ", ", e->name);
                r = RFAIL(rd, key, "'%.40s' is not a %s (%s)", s ? s : "", what, storvirt__buf_str(&b));
                storvirt__buf_free(&b);
                return r;
        }
        if (YAJL_IS_INTEGER(v) && YAJL_GET_INTEGER(v) >= 0 && YAJL_GET_INTEGER(v) <= max) {
                *ret = (int)YAJL_GET_INTEGER(v);
                return 0;
        }
        return RFAIL(rd, key, "expected a %s name or number 0-%d, got %s", what, max,
                     storvirt__json_type_name(v));
}

static const struct ename protocol_enames[] = {
        { "UNKNOWN", 0 }, { "SCSI", 1 }, { "scsi", 1 }, { "IDE", 2 }, { "ide", 2 }, { "NVME", 3 },
        { NULL, 0 },
};
static const struct ename backing_enames[] = {
        { "UNKNOWN", 0 }, { "SINGLE", 1 }, { "single", 1 }, { "STRIPED", 2 }, { "striping", 2 },
        { "striped", 2 }, { NULL, 0 },
};
static const struct ename devtype_enames[] = {
        { "UNKNOWN", 0 }, { "NVME", 1 }, { "NVMe", 1 }, { "nvme", 1 }, { "VSCSI", 2 },
        { "VScsi", 2 }, { "vscsi", 2 }, { NULL, 0 },
};
static const struct ename version_enames[] = { { "UNKNOWN", 0 }, { "V1", 1 }, { NULL, 0 } };

static int read_string(const struct rd *rd, const char *key, yajl_val v, char **ret) {
        if (!YAJL_IS_STRING(v))
                return RFAIL(rd, key, "expected a string, got %s", storvirt__json_type_name(v));
        free(*ret);
        *ret = strdup(YAJL_GET_STRING(v) ?: "");
        return *ret ? 0 : storvirt__error_oom();
}

static int read_devtype(const struct rd *rd, const char *key, yajl_val v, int *ret) {
        const char *s = YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;

        if (s && strcasecmp(s, "ide") == 0)
                return RFAIL(rd, key, "IDE is not a backing device type: a LUN is backed by "
                                      "NVMe namespaces or VMBus SCSI LUNs");
        return read_enum(rd, key, v, devtype_enames, 2, "device type", ret);
}

/* One scalar field of a LUN from a JSON value (null: absent, for optional kinds). */
static int read_field(const struct rd *rd, size_t id, yajl_val v, struct fval *fv) {
        const struct fdef *fd = &lun_fields[id];
        uint64_t n = 0;
        int e = 0, r;

        if (YAJL_IS_NULL(v)) {
                if (fd->kind == F_U32 || fd->kind == F_STR || fd->kind == F_BOOL)
                        return RFAIL(rd, fd->snake, "null is only for optional fields");
                free(fv->s);
                *fv = (struct fval){};
                return 0;
        }
        switch (fd->kind) {
        case F_U32:
        case F_OPT_U32:
                r = read_uint(rd, fd->snake, v, UINT32_MAX, &n);
                break;
        case F_OPT_U64:
                r = read_uint(rd, fd->snake, v, UINT64_MAX, &n);
                break;
        case F_STR:
        case F_OPT_STR:
                r = read_string(rd, fd->snake, v, &fv->s);
                break;
        case F_BOOL:
        case F_OPT_BOOL:
                if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
                        return RFAIL(rd, fd->snake, "expected true or false, got %s",
                                     storvirt__json_type_name(v));
                n = YAJL_IS_TRUE(v);
                r = 0;
                break;
        case F_OPT_DEVTYPE:
                r = read_devtype(rd, fd->snake, v, &e);
                n = (uint64_t)e;
                break;
        default:
                return RFAIL(rd, fd->snake, "not a scalar field");
        }
        if (r < 0)
                return r;
        fv->has = true;
        fv->n = n;
        return 0;
}

static int read_device(const struct rd *parent, const char *where, yajl_val v,
                       struct hcl_device *d) {
        static const char *const keys[] = { "device_type", "deviceType", "device_path", "devicePath",
                                            "sub_device_path", "subDevicePath", NULL };
        struct rd rd;
        yajl_val f;
        uint64_t n;
        int r;

        snprintf(rd.path, sizeof(rd.path), "%.200s.%.40s", parent->path, where);
        if (!YAJL_IS_OBJECT(v))
                return storvirt__error_set(-EINVAL, "%s: expected an object, got %s", rd.path,
                                           storvirt__json_type_name(v));
        if ((r = check_known(&rd, v, keys)) < 0)
                return r;
        if ((r = check_spellings(&rd, v, "device_type", "deviceType", &f)) < 0)
                return r;
        if (f && (r = read_devtype(&rd, "device_type", f, &d->type)) < 0)
                return r;
        if ((r = check_spellings(&rd, v, "device_path", "devicePath", &f)) < 0)
                return r;
        if (f && (r = read_string(&rd, "device_path", f, &d->path)) < 0)
                return r;
        if ((r = check_spellings(&rd, v, "sub_device_path", "subDevicePath", &f)) < 0)
                return r;
        if (f) {
                if ((r = read_uint(&rd, "sub_device_path", f, UINT32_MAX, &n)) < 0)
                        return r;
                d->sub = (uint32_t)n;
        }
        return 0;
}

static int read_physical_devices(const struct rd *parent, yajl_val v, struct hcl_lun *l) {
        static const char *const keys[] = { "type", "device", "devices", NULL };
        struct rd rd;
        yajl_val f;
        int r;

        snprintf(rd.path, sizeof(rd.path), "%.200s.physical_devices", parent->path);
        if (YAJL_IS_NULL(v))
                return 0;
        if (!YAJL_IS_OBJECT(v))
                return storvirt__error_set(-EINVAL, "%s: expected an object, got %s", rd.path,
                                           storvirt__json_type_name(v));
        if ((r = check_known(&rd, v, keys)) < 0 || (r = storvirt__json_check_keys(v, NULL, rd.path)) < 0)
                return r;
        l->has_pd = true;
        f = yajl_tree_get(v, (const char *[]){ "type", NULL }, yajl_t_any);
        if (f && (r = read_enum(&rd, "type", f, backing_enames, 2, "backing type", &l->pd_type)) < 0)
                return r;
        f = yajl_tree_get(v, (const char *[]){ "device", NULL }, yajl_t_any);
        if (f && !YAJL_IS_NULL(f)) {
                if ((r = read_device(&rd, "device", f, &l->device)) < 0)
                        return r;
                l->has_device = true;
        }
        f = yajl_tree_get(v, (const char *[]){ "devices", NULL }, yajl_t_any);
        if (f) {
                if (!YAJL_IS_ARRAY(f))
                        return storvirt__error_set(-EINVAL, "%s.devices: expected an array, got %s",
                                                   rd.path, storvirt__json_type_name(f));
                l->devices = calloc(f->u.array.len ? f->u.array.len : 1, sizeof(*l->devices));
                if (!l->devices)
                        return storvirt__error_oom();
                for (size_t i = 0; i < f->u.array.len; i++) {
                        char where[32];

                        snprintf(where, sizeof(where), "devices[%zu]", i);
                        l->n_devices++;
                        if ((r = read_device(&rd, where, f->u.array.values[i], &l->devices[i])) < 0)
                                return r;
                }
        }
        return 0;
}

static int read_lun(const struct rd *parent, size_t idx, yajl_val v, struct hcl_lun *l) {
        const char *names[2 * L_N + 1];
        struct rd rd;
        size_t k = 0;
        int r;

        snprintf(rd.path, sizeof(rd.path), "%.200s.luns[%zu]", parent->path, idx);
        if (!YAJL_IS_OBJECT(v))
                return storvirt__error_set(-EINVAL, "%s: expected an object, got %s", rd.path,
                                           storvirt__json_type_name(v));
        for (size_t i = 0; i < L_N; i++) {
                names[k++] = lun_fields[i].snake;
                if (strcmp(lun_fields[i].snake, lun_fields[i].camel) != 0)
                        names[k++] = lun_fields[i].camel;
        }
        names[k] = NULL;
        if ((r = check_known(&rd, v, names)) < 0)
                return r;
        for (size_t i = 0; i < L_N; i++) {
                yajl_val f = NULL;

                if ((r = check_spellings(&rd, v, lun_fields[i].snake, lun_fields[i].camel, &f)) < 0)
                        return r;
                if (!f)
                        continue;
                r = i == L_PHYSICAL_DEVICES ? read_physical_devices(&rd, f, l)
                                            : read_field(&rd, i, f, &l->f[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int read_controller(size_t idx, yajl_val v, struct hcl_controller *c) {
        static const char *const keys[] = { "instance_id", "instanceId", "protocol", "luns",
                                            "io_queue_depth", "ioQueueDepth", NULL };
        struct rd rd;
        yajl_val f;
        uint64_t n;
        int r;

        snprintf(rd.path, sizeof(rd.path), "storage_controllers[%zu]", idx);
        if (!YAJL_IS_OBJECT(v))
                return storvirt__error_set(-EINVAL, "%s: expected an object, got %s", rd.path,
                                           storvirt__json_type_name(v));
        if ((r = check_known(&rd, v, keys)) < 0 || (r = storvirt__json_check_keys(v, NULL, rd.path)) < 0)
                return r;
        if ((r = check_spellings(&rd, v, "instance_id", "instanceId", &f)) < 0)
                return r;
        if (f && (r = read_string(&rd, "instance_id", f, &c->instance_id)) < 0)
                return r;
        f = yajl_tree_get(v, (const char *[]){ "protocol", NULL }, yajl_t_any);
        if (f && (r = read_enum(&rd, "protocol", f, protocol_enames, 3, "storage protocol",
                                &c->protocol)) < 0)
                return r;
        if ((r = check_spellings(&rd, v, "io_queue_depth", "ioQueueDepth", &f)) < 0)
                return r;
        if (f && !YAJL_IS_NULL(f)) {
                if ((r = read_uint(&rd, "io_queue_depth", f, UINT32_MAX, &n)) < 0)
                        return r;
                c->has_queue_depth = true;
                c->queue_depth = (uint32_t)n;
        }
        f = yajl_tree_get(v, (const char *[]){ "luns", NULL }, yajl_t_any);
        if (f) {
                if (!YAJL_IS_ARRAY(f))
                        return RFAIL(&rd, "luns", "expected an array, got %s",
                                     storvirt__json_type_name(f));
                c->luns = calloc(f->u.array.len ? f->u.array.len : 1, sizeof(*c->luns));
                if (!c->luns)
                        return storvirt__error_oom();
                for (size_t i = 0; i < f->u.array.len; i++) {
                        lun_init(&c->luns[i]);
                        c->n_luns++;
                        if ((r = read_lun(&rd, i, f->u.array.values[i], &c->luns[i])) < 0)
                                return r;
                }
        }
        return 0;
}

static int read_controllers(yajl_val list, storvirt_hcl *doc) {
        int r;

        doc->ctrls = calloc(list->u.array.len ? list->u.array.len : 1, sizeof(*doc->ctrls));
        if (!doc->ctrls)
                return storvirt__error_oom();
        for (size_t i = 0; i < list->u.array.len; i++) {
                doc->n_ctrls++;
                if ((r = read_controller(i, list->u.array.values[i], &doc->ctrls[i])) < 0)
                        return r;
        }
        return 0;
}

/* A JSON value written back as text (kept parts of the document). */
static int gen_value(storvirt__json_gen *g, yajl_val v) {
        if (YAJL_IS_OBJECT(v)) {
                storvirt__json_gen_begin_map(g);
                for (size_t i = 0; i < v->u.object.len; i++) {
                        storvirt__json_gen_key(g, v->u.object.keys[i]);
                        gen_value(g, v->u.object.values[i]);
                }
                return storvirt__json_gen_end_map(g);
        }
        if (YAJL_IS_ARRAY(v)) {
                storvirt__json_gen_begin_array(g);
                for (size_t i = 0; i < v->u.array.len; i++)
                        gen_value(g, v->u.array.values[i]);
                return storvirt__json_gen_end_array(g);
        }
        if (YAJL_IS_STRING(v))
                return storvirt__json_gen_string(g, YAJL_GET_STRING(v) ?: "");
        if (YAJL_IS_INTEGER(v))
                return storvirt__json_gen_int64(g, YAJL_GET_INTEGER(v));
        if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v))
                return storvirt__json_gen_bool(g, YAJL_IS_TRUE(v));
        if (YAJL_IS_NULL(v))
                return storvirt__json_gen_null(g);
        return storvirt__error_set(-EINVAL, "a fraction cannot be kept");
}

static int value_text(yajl_val v, char **ret) {
        _cleanup_json_gen_ storvirt__json_gen *g = NULL;
        int r = storvirt__json_gen_new(false, &g);

        if (r >= 0)
                r = gen_value(g, v);
        if (r >= 0)
                r = storvirt__json_gen_finish(g, ret, NULL);
        return r;
}

static int read_fixed(yajl_val v, storvirt_hcl *doc) {
        static const char *const keys[] = { "scsi_sub_channels", "scsiSubChannels", "io_ring_size",
                                            "ioRingSize", "max_bounce_buffer_pages",
                                            "maxBounceBufferPages", NULL };
        struct rd rd = { .path = "fixed" };
        yajl_val f;
        uint64_t n;
        int r;

        if (YAJL_IS_NULL(v))
                return 0;
        if (!YAJL_IS_OBJECT(v))
                return storvirt__error_set(-EINVAL, "fixed: expected an object, got %s",
                                           storvirt__json_type_name(v));
        if ((r = check_known(&rd, v, keys)) < 0)
                return r;
        for (const char *const *k = keys; *k; k += 2) {
                if ((r = check_spellings(&rd, v, k[0], k[1], &f)) < 0)
                        return r;
                if (f && !YAJL_IS_NULL(f) && (r = read_uint(&rd, k[0], f, UINT32_MAX, &n)) < 0)
                        return r;
        }
        return value_text(v, &doc->fixed);
}

static int read_dynamic(yajl_val v, storvirt_hcl *doc) {
        static const char *const keys[] = { "storage_controllers", "storageControllers",
                                            "nic_devices", "nicDevices", NULL };
        struct rd rd = { .path = "dynamic" };
        yajl_val f;
        int r;

        if (YAJL_IS_NULL(v))
                return 0;
        if (!YAJL_IS_OBJECT(v))
                return storvirt__error_set(-EINVAL, "dynamic: expected an object, got %s",
                                           storvirt__json_type_name(v));
        doc->has_dynamic = true;
        if ((r = check_known(&rd, v, keys)) < 0)
                return r;
        if ((r = check_spellings(&rd, v, "nic_devices", "nicDevices", &f)) < 0)
                return r;
        if (f) {
                if (!YAJL_IS_ARRAY(f))
                        return RFAIL(&rd, "nic_devices", "expected an array, got %s",
                                     storvirt__json_type_name(f));
                if ((r = value_text(f, &doc->nic_devices)) < 0)
                        return r;
        }
        if ((r = check_spellings(&rd, v, "storage_controllers", "storageControllers", &f)) < 0)
                return r;
        if (!f)
                return 0;
        if (!YAJL_IS_ARRAY(f))
                return RFAIL(&rd, "storage_controllers", "expected an array, got %s",
                             storvirt__json_type_name(f));
        return read_controllers(f, doc);
}

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

STORVIRT_EXPORT int storvirt_hcl_parse(const char *json, storvirt_hcl **ret_doc, uint32_t flags) {
        static const char *const keys[] = { "version", "fixed", "dynamic", "namespace_settings",
                                            "namespaceSettings", NULL };
        _cleanup_json_ yajl_val root = NULL;
        struct rd rd = { .path = "settings" };
        storvirt_hcl *doc = NULL;
        yajl_val f;
        int r;

        check_nonnull(json);
        check_nonnull(ret_doc);
        check_flags(flags, 0);
        r = storvirt__json_parse(json, strlen(json), HCL_MAX, &root, "settings");
        if (r < 0)
                return r;
        doc = calloc(1, sizeof(*doc));
        if (!doc)
                return storvirt__error_oom();
        if (YAJL_IS_ARRAY(root)) {
                /* a bare list of controllers */
                doc->version = 1;
                doc->has_dynamic = true;
                r = read_controllers(root, doc);
        } else if (!YAJL_IS_OBJECT(root)) {
                r = storvirt__error_set(-EINVAL, "settings: expected an object or a list of "
                                                 "controllers, got %s",
                                        storvirt__json_type_name(root));
        } else if ((r = check_known(&rd, root, keys)) >= 0 &&
                   (r = storvirt__json_check_keys(root, NULL, "settings")) >= 0) {
                if ((r = check_spellings(&rd, root, "namespace_settings", "namespaceSettings", &f)) >= 0 &&
                    f)
                        r = storvirt__error_set(-EOPNOTSUPP, "settings: the namespaced form "
                                                             "(namespace_settings) is not supported: "
                                                             "give version, fixed and dynamic");
                f = yajl_tree_get(root, (const char *[]){ "version", NULL }, yajl_t_any);
                if (r >= 0 && f)
                        r = read_enum(&rd, "version", f, version_enames, 1, "schema version",
                                      &doc->version);
                f = yajl_tree_get(root, (const char *[]){ "fixed", NULL }, yajl_t_any);
                if (r >= 0 && f)
                        r = read_fixed(f, doc);
                f = yajl_tree_get(root, (const char *[]){ "dynamic", NULL }, yajl_t_any);
                if (r >= 0 && f)
                        r = read_dynamic(f, doc);
        }
        if (r < 0) {
                storvirt_hcl_free(doc);
                return r;
        }
        *ret_doc = doc;
        return 0;
}

/* ---- writing ------------------------------------------------------------------------------------ */

static void gen_u64_str(storvirt__json_gen *g, uint64_t n) {
        char buf[24];

        snprintf(buf, sizeof(buf), "%" PRIu64, n);
        storvirt__json_gen_string(g, buf);
}

static int gen_kept(storvirt__json_gen *g, const char *key, const char *text) {
        _cleanup_json_ yajl_val v = NULL;
        int r = storvirt__json_parse(text, strlen(text), HCL_MAX, &v, key);

        if (r < 0)
                return r;
        storvirt__json_gen_key(g, key);
        return gen_value(g, v);
}

static void gen_device(storvirt__json_gen *g, const struct hcl_device *d, bool camel) {
        storvirt__json_gen_begin_map(g);
        if (!camel || d->type) {
                storvirt__json_gen_key(g, camel ? "deviceType" : "device_type");
                storvirt__json_gen_string(g, devtype_names[d->type]);
        }
        if (!camel || (d->path && *d->path))
                storvirt__json_gen_key_string(g, camel ? "devicePath" : "device_path",
                                              d->path ? d->path : "");
        if (!camel || d->sub)
                storvirt__json_gen_key_uint64(g, camel ? "subDevicePath" : "sub_device_path", d->sub);
        storvirt__json_gen_end_map(g);
}

static void gen_physical_devices(storvirt__json_gen *g, const struct hcl_lun *l, bool camel) {
        storvirt__json_gen_key(g, camel ? "physicalDevices" : "physical_devices");
        storvirt__json_gen_begin_map(g);
        if (!camel || l->pd_type)
                storvirt__json_gen_key_string(g, "type", backing_names[l->pd_type]);
        if (l->has_device) {
                storvirt__json_gen_key(g, "device");
                gen_device(g, &l->device, camel);
        }
        if (!camel || l->n_devices) {
                storvirt__json_gen_key_begin_array(g, "devices");
                for (size_t i = 0; i < l->n_devices; i++)
                        gen_device(g, &l->devices[i], camel);
                storvirt__json_gen_end_array(g);
        }
        storvirt__json_gen_end_map(g);
}

static void gen_lun(storvirt__json_gen *g, const struct hcl_lun *l, bool camel) {
        storvirt__json_gen_begin_map(g);
        for (size_t i = 0; i < L_N; i++) {
                const struct fdef *fd = &lun_fields[i];
                const struct fval *fv = &l->f[i];
                const char *key = camel ? fd->camel : fd->snake;
                bool is_default = fv->n == 0 && (!fv->s || !*fv->s);

                if (i == L_PHYSICAL_DEVICES) {
                        if (l->has_pd)
                                gen_physical_devices(g, l, camel);
                        continue;
                }
                if (!fv->has)
                        continue;
                /* plain fields holding their default: left out in the camel form,
                 * and deprecated ones in both */
                if ((fd->kind == F_U32 || fd->kind == F_STR || fd->kind == F_BOOL) && is_default &&
                    (camel || fd->deprecated))
                        continue;
                storvirt__json_gen_key(g, key);
                switch (fd->kind) {
                case F_U32:
                case F_OPT_U32:
                        storvirt__json_gen_uint64(g, fv->n);
                        break;
                case F_OPT_U64:
                        gen_u64_str(g, fv->n);
                        break;
                case F_STR:
                case F_OPT_STR:
                        storvirt__json_gen_string(g, fv->s ? fv->s : "");
                        break;
                case F_BOOL:
                case F_OPT_BOOL:
                        storvirt__json_gen_bool(g, fv->n != 0);
                        break;
                case F_OPT_DEVTYPE:
                        storvirt__json_gen_string(g, devtype_names[fv->n <= 2 ? fv->n : 0]);
                        break;
                default:
                        break;
                }
        }
        storvirt__json_gen_end_map(g);
}

STORVIRT_EXPORT int storvirt_hcl_to_json(const storvirt_hcl *doc, char **ret_json, uint32_t flags) {
        _cleanup_json_gen_ storvirt__json_gen *g = NULL;
        bool camel = flags & STORVIRT_HCL_JSON_CAMEL;
        int r;

        check_nonnull(doc);
        check_nonnull(ret_json);
        check_flags(flags, STORVIRT_HCL_JSON_CAMEL | STORVIRT_HCL_JSON_PRETTY);
        r = storvirt__json_gen_new(flags & STORVIRT_HCL_JSON_PRETTY, &g);
        if (r < 0)
                return r;
        storvirt__json_gen_begin_map(g);
        if (!camel || doc->version)
                storvirt__json_gen_key_string(g, "version", doc->version == 1 ? "V1" : "UNKNOWN");
        if (doc->fixed && (r = gen_kept(g, "fixed", doc->fixed)) < 0)
                return r;
        if (doc->has_dynamic) {
                storvirt__json_gen_key_begin_map(g, "dynamic");
                if (!camel || doc->n_ctrls) {
                        storvirt__json_gen_key_begin_array(g, camel ? "storageControllers"
                                                                    : "storage_controllers");
                        for (size_t i = 0; i < doc->n_ctrls; i++) {
                                const struct hcl_controller *c = &doc->ctrls[i];

                                storvirt__json_gen_begin_map(g);
                                if (!camel || (c->instance_id && *c->instance_id))
                                        storvirt__json_gen_key_string(g, camel ? "instanceId"
                                                                               : "instance_id",
                                                                      c->instance_id ?: "");
                                if (!camel || c->protocol)
                                        storvirt__json_gen_key_string(g, "protocol",
                                                                      protocol_names[c->protocol]);
                                if (!camel || c->n_luns) {
                                        storvirt__json_gen_key_begin_array(g, "luns");
                                        for (size_t k = 0; k < c->n_luns; k++)
                                                gen_lun(g, &c->luns[k], camel);
                                        storvirt__json_gen_end_array(g);
                                }
                                if (c->has_queue_depth)
                                        storvirt__json_gen_key_uint64(g, camel ? "ioQueueDepth"
                                                                               : "io_queue_depth",
                                                                      c->queue_depth);
                                storvirt__json_gen_end_map(g);
                        }
                        storvirt__json_gen_end_array(g);
                }
                if (doc->nic_devices && (r = gen_kept(g, camel ? "nicDevices" : "nic_devices",
                                                      doc->nic_devices)) < 0)
                        return r;
                storvirt__json_gen_end_map(g);
        }
        storvirt__json_gen_end_map(g);
        return storvirt__json_gen_finish(g, ret_json, NULL);
}

/* ---- validation --------------------------------------------------------------------------------- */

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

static const char *lun_where(const struct hcl_controller *c, const struct hcl_lun *l, char *buf,
                             size_t size) {
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

static bool ascii_field_ok(const char *s, size_t max) {
        size_t n = s ? strlen(s) : 0;

        if (n > max)
                return false;
        for (size_t i = 0; i < n; i++)
                if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7f)
                        return false;
        return true;
}

static void check_device(struct problems *p, const char *path, const struct hcl_device *d) {
        const char *why;

        if (d->type == 0)
                problem(p, "StorageUnsupportedDeviceType", path,
                        "invalid device type: a physical device is NVME or VSCSI");
        if ((why = guid_problem(d->path ? d->path : "", NULL)))
                problem(p, "InvalidInstanceId", path, "invalid instance ID '%s': %s",
                        d->path ? d->path : "", why);
}

static void check_lun(struct problems *p, const struct hcl_controller *c, const char *cpath,
                      const struct hcl_lun *l, bool strict) {
        char where[64], path[384], dpath[448];
        bool legacy = l->f[L_DEVICE_TYPE].has || l->f[L_DEVICE_PATH].has ||
                      l->f[L_SUB_DEVICE_PATH].has;
        bool dvd = l->f[L_IS_DVD].n != 0;
        uint64_t loc = l->f[L_LOCATION].n;
        size_t count;
        const char *why;

        snprintf(path, sizeof(path), "%s %s", cpath, lun_where(c, l, where, sizeof(where)));
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
        if (l->f[L_NTFS_GUID].has && c->protocol != 3 &&
            (why = guid_problem(l->f[L_NTFS_GUID].s ? l->f[L_NTFS_GUID].s : "", NULL)))
                problem(p, "StorageInvalidNtfsFormatGuid", path, "invalid ntfs guid '%s': %s",
                        l->f[L_NTFS_GUID].s ? l->f[L_NTFS_GUID].s : "", why);
        if (strict && !dvd && (c->protocol == 1 || c->protocol == 2)) {
                storvirt__uuid u;

                if (!ascii_field_ok(l->f[L_VENDOR_ID].s, 8))
                        problem(p, "StorageInvalidVendorId", path,
                                "vendor_id '%s' is not at most 8 printable ASCII bytes",
                                l->f[L_VENDOR_ID].s);
                if (!ascii_field_ok(l->f[L_PRODUCT_ID].s, 16))
                        problem(p, "StorageInvalidProductId", path,
                                "product_id '%s' is not at most 16 printable ASCII bytes",
                                l->f[L_PRODUCT_ID].s);
                if (!ascii_field_ok(l->f[L_REVISION].s, 4))
                        problem(p, "StorageInvalidProductRevisionLevel", path,
                                "product_revision_level '%s' is not at most 4 printable ASCII bytes",
                                l->f[L_REVISION].s);
                why = guid_problem(l->f[L_DEVICE_ID].s ? l->f[L_DEVICE_ID].s : "", &u);
                if (why || storvirt__uuid_is_null(&u))
                        problem(p, "StorageInvalidDeviceId", path, "device_id '%s': %s",
                                l->f[L_DEVICE_ID].s ? l->f[L_DEVICE_ID].s : "",
                                why ? why : "the all-zero GUID");
        }
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
                snprintf(path, sizeof(path), "%s %s", cpath, lun_where(c, a, where, sizeof(where)));
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

        if (guid_problem(id, &u))
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

                snprintf(cpath, sizeof(cpath), "controller %zu (%s %s)", i, protocol_names[c->protocol], id);
                if ((why = guid_problem(id, NULL)))
                        problem(&p, "InvalidInstanceId", cpath, "invalid instance ID '%s': %s", id, why);
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

/* ---- building ----------------------------------------------------------------------------------- */

static int get_ctrl(const storvirt_hcl *doc, size_t i, struct hcl_controller **ret) {
        if (i >= doc->n_ctrls)
                return storvirt__error_set(-ENOENT, "no controller %zu (the document has %zu)", i,
                                           doc->n_ctrls);
        *ret = &doc->ctrls[i];
        return 0;
}

static int get_lun(const storvirt_hcl *doc, size_t c, size_t l, struct hcl_controller **rc,
                   struct hcl_lun **ret) {
        int r = get_ctrl(doc, c, rc);

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
        if (instance_id && (why = guid_problem(instance_id, NULL)))
                return storvirt__error_set(-EINVAL, "invalid instance ID '%.64s': %s", instance_id, why);
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
        r = get_ctrl(doc, controller, &c);
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
        lun_init(l);
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
        if ((why = guid_problem(device_path, NULL)))
                return storvirt__error_set(-EINVAL, "invalid device path '%.64s': %s", device_path, why);
        r = get_lun(doc, controller, lun, &c, &l);
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
                device_clear(&l->device);
                l->device = d;
                l->has_device = true;
                return 0;
        }
        grown = realloc(l->devices, (l->n_devices + 2) * sizeof(*grown));
        if (!grown) {
                device_clear(&d);
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

STORVIRT_EXPORT int storvirt_hcl_lun_set(storvirt_hcl *doc, size_t controller, size_t lun,
                                         const char *key, const char *json_value) {
        _cleanup_json_ yajl_val v = NULL;
        struct hcl_controller *c = NULL;
        struct hcl_lun *l;
        struct fval fv = {};
        struct rd rd;
        int r;

        check_nonnull(doc);
        check_nonnull(key);
        check_nonnull(json_value);
        r = get_lun(doc, controller, lun, &c, &l);
        if (r < 0)
                return r;
        snprintf(rd.path, sizeof(rd.path), "storage_controllers[%zu].luns[%zu]", controller, lun);
        r = storvirt__json_parse(json_value, strlen(json_value), 65536, &v, key);
        if (r < 0)
                return r;
        for (size_t i = 0; i < L_N; i++) {
                if (strcmp(key, lun_fields[i].snake) != 0 && strcmp(key, lun_fields[i].camel) != 0)
                        continue;
                if (i == L_PHYSICAL_DEVICES) {
                        struct hcl_lun tmp;

                        lun_init(&tmp);
                        r = read_physical_devices(&rd, v, &tmp);
                        if (r < 0) {
                                lun_clear(&tmp);
                                return r;
                        }
                        device_clear(&l->device);
                        for (size_t k = 0; k < l->n_devices; k++)
                                device_clear(&l->devices[k]);
                        free(l->devices);
                        l->has_pd = tmp.has_pd;
                        l->pd_type = tmp.pd_type;
                        l->has_device = tmp.has_device;
                        l->device = tmp.device;
                        l->devices = tmp.devices;
                        l->n_devices = tmp.n_devices;
                        return 0;
                }
                r = read_field(&rd, i, v, &fv);
                if (r < 0) {
                        free(fv.s);
                        return r;
                }
                free(l->f[i].s);
                l->f[i] = fv;
                if (!YAJL_IS_NULL(v) || lun_fields[i].kind == F_U32 ||
                    lun_fields[i].kind == F_STR || lun_fields[i].kind == F_BOOL)
                        l->f[i].has = true;
                return 0;
        }
        return storvirt__error_set(-EINVAL, "'%.64s' is not a LUN field", key);
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
        r = get_ctrl(doc, controller, &c);
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
        r = get_lun(doc, controller, lun, &c, &l);
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
        r = get_lun(doc, controller, lun, &c, &l);
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

static int sdup_field(const char *v, char **ret) {
        free(*ret);
        *ret = strdup(v);
        return *ret ? 0 : storvirt__error_oom();
}

/* ---- to libvirt ----------------------------------------------------------------------------------- */

/* The spec a physical device maps to: its map entry, else a vDisk of that id. */
static int device_spec(storvirt_ctx *ctx, yajl_val map, const struct hcl_device *d, const char *where,
                       storvirt__disk_spec **ret) {
        char key[96];
        storvirt__uuid want, u;
        storvirt_vdisk *vd = NULL;
        int r;

        if (guid_problem(d->path ? d->path : "", &want))
                return storvirt__error_set(-EINVAL, "%s: device path '%s' is not a GUID", where,
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
                        if (guid_problem(key, &u) || !storvirt__uuid_equal(&u, &want))
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
        return storvirt__error_set(-ENOENT, "%s: physical device %s %s/%" PRIu32 " is not mapped "
                                            "to storage on this host (no map entry \"%s/%" PRIu32
                                            "\" or \"%s\", and no vDisk of that id)", where,
                                   devtype_names[d->type], d->path, d->sub, d->path, d->sub, d->path);
}

/* A striped LUN: its members resolved to block devices, the dm device created. */
static int striped_spec(storvirt_ctx *ctx, yajl_val map, const struct hcl_controller *c,
                        const struct hcl_lun *l, const char *where, uint32_t flags,
                        storvirt__disk_spec **ret) {
        char **paths = calloc(l->n_devices + 1, sizeof(char *)), name[128], uuid[160], *params = NULL;
        uint64_t smallest = UINT64_MAX, sectors = 0;
        int r = 0;

        if (!paths)
                return storvirt__error_oom();
        if (!(flags & STORVIRT_HCL_XML_CREATE_STRIPES))
                r = storvirt__error_set(-EINVAL, "%s: a striped LUN is a device-mapper device on this "
                                                 "host: allow its creation with "
                                                 "STORVIRT_HCL_XML_CREATE_STRIPES", where);
        for (size_t i = 0; r >= 0 && i < l->n_devices; i++) {
                storvirt__disk_spec *s = NULL;
                storvirt__disk_resolved *d = NULL;

                r = device_spec(ctx, map, &l->devices[i], where, &s);
                if (r >= 0)
                        r = storvirt__resolve_spec(ctx, s, 0, &d);
                if (r >= 0 && d->type != STORVIRT__DISK_TYPE_BLOCK)
                        r = storvirt__error_set(-EINVAL, "%s: stripe member %zu is not a block device "
                                                         "(%s)", where, i,
                                                d->source_path ? d->source_path : "network");
                if (r >= 0 && !(paths[i] = strdup(d->source_path)))
                        r = storvirt__error_oom();
                if (r >= 0 && d->capacity == 0) {
                        /* a path names the device: its size from the kernel */
                        int fd = open(d->source_path, O_RDONLY | O_CLOEXEC);

                        if (fd < 0 || ioctl(fd, BLKGETSIZE64, &d->capacity) < 0)
                                r = storvirt__error_set(-errno, "%s: stripe member %s: %m", where,
                                                        d->source_path);
                        if (fd >= 0)
                                close(fd);
                }
                if (r >= 0 && d->capacity < smallest)
                        smallest = d->capacity;
                storvirt__disk_resolved_free(d);
                storvirt__disk_spec_free(s);
        }
        if (r >= 0)
                r = storvirt__dm_striped_table(paths, l->n_devices, smallest,
                                               (uint32_t)l->f[L_CHUNK].n, &sectors, &params);
        if (r >= 0) {
                snprintf(name, sizeof(name), "storvirt-hcl-%s-%" PRIu64, c->instance_id,
                         l->f[L_LOCATION].n);
                snprintf(uuid, sizeof(uuid), "STORVIRT-HCL-%s-%" PRIu64, c->instance_id,
                         l->f[L_LOCATION].n);
                r = storvirt__dm_create(name, uuid, sectors, "striped", params);
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

STORVIRT_EXPORT int storvirt_hcl_to_xml(storvirt_ctx *ctx, const storvirt_hcl *doc,
                                        const char *map_json, char **ret_xml, uint32_t flags) {
        _cleanup_json_ yajl_val map = NULL;
        storvirt__disk_controller ctrls[8];
        storvirt__disk_spec **specs = NULL;
        storvirt__disk_resolved **ds = NULL;
        char **problems = NULL, *first = NULL;
        size_t n_ctrls = 0, n = 0, total = 0;
        unsigned scsi_index = 0;
        int r;

        check_nonnull(ctx);
        check_nonnull(doc);
        check_nonnull(ret_xml);
        check_flags(flags, STORVIRT_HCL_XML_CREATE_STRIPES);
        r = storvirt_hcl_validate(doc, &first, 0);
        if (r < 0)
                return r;
        if (r > 0) {
                _cleanup_json_ yajl_val v = NULL;
                const char *code = "", *path = "", *msg = "";
                int count = r;

                if (storvirt__json_parse(first, strlen(first), HCL_MAX, &v, "problems") >= 0 &&
                    v->u.array.len) {
                        (void)storvirt__json_get_string(v->u.array.values[0], "code", false, &code);
                        (void)storvirt__json_get_string(v->u.array.values[0], "path", false, &path);
                        (void)storvirt__json_get_string(v->u.array.values[0], "message", false, &msg);
                }
                r = storvirt__error_set(-EINVAL, "the settings have %d problem%s (see "
                                                 "storvirt_hcl_validate()), the first: %s: %s: %s",
                                        count, count == 1 ? "" : "s", code, path, msg);
                free(first);
                return r;
        }
        free(first);
        if (map_json) {
                r = storvirt__json_parse(map_json, strlen(map_json), HCL_MAX, &map, "device map");
                if (r < 0)
                        return r;
                if (!YAJL_IS_OBJECT(map))
                        return storvirt__error_set(-EINVAL, "device map: expected an object, got %s",
                                                   storvirt__json_type_name(map));
        }
        for (size_t i = 0; i < doc->n_ctrls; i++) {
                if (doc->ctrls[i].protocol == 3)
                        return storvirt__error_set(-EOPNOTSUPP, "controller %zu (NVME %s): libvirt's "
                                                                "domain XML has no guest NVMe "
                                                                "controller", i,
                                                   doc->ctrls[i].instance_id);
                total += doc->ctrls[i].n_luns;
        }
        specs = calloc(total + 1, sizeof(*specs));
        ds = calloc(total + 1, sizeof(*ds));
        if (!specs || !ds) {
                r = storvirt__error_oom();
                goto out;
        }
        for (size_t i = 0; r >= 0 && i < doc->n_ctrls; i++) {
                const struct hcl_controller *c = &doc->ctrls[i];
                bool ide = c->protocol == 2;
                unsigned index = ide ? 0 : scsi_index++;

                ctrls[n_ctrls++] = (storvirt__disk_controller){
                        .type = ide ? "ide" : "scsi", .index = index,
                        .model = ide ? NULL : "virtio-scsi" };
                for (size_t k = 0; r >= 0 && k < c->n_luns; k++) {
                        const struct hcl_lun *l = &c->luns[k];
                        char where[192], lw[64];
                        storvirt__disk_spec *s = NULL;
                        bool dvd = l->f[L_IS_DVD].n != 0;

                        snprintf(where, sizeof(where), "controller %zu (%s %s) %s", i,
                                 protocol_names[c->protocol], c->instance_id,
                                 lun_where(c, l, lw, sizeof(lw)));
                        if (l->has_pd && l->pd_type == 2) {
                                r = striped_spec(ctx, map, c, l, where, flags, &s);
                        } else if (l->has_pd && l->has_device) {
                                r = device_spec(ctx, map, &l->device, where, &s);
                        } else if (!l->has_pd && l->f[L_DEVICE_PATH].has) {
                                struct hcl_device legacy = {
                                        .type = (int)l->f[L_DEVICE_TYPE].n,
                                        .path = l->f[L_DEVICE_PATH].s,
                                        .sub = (uint32_t)l->f[L_SUB_DEVICE_PATH].n };

                                r = device_spec(ctx, map, &legacy, where, &s);
                        } else {
                                r = storvirt__disk_spec_new(&s);     /* an empty DVD */
                        }
                        if (r < 0) {
                                if (!strstr(storvirt_error_message() ?: "", "controller "))
                                        r = storvirt__error_set(r, "%s: %s", where,
                                                                storvirt_error_message());
                                storvirt__disk_spec_free(s);
                                break;
                        }
                        specs[n++] = s;
                        free(s->name);
                        s->name = strdup(where);
                        s->device = dvd ? STORVIRT__DISK_DEVICE_CDROM : STORVIRT__DISK_DEVICE_DISK;
                        s->bus = ide ? STORVIRT__DISK_BUS_IDE : STORVIRT__DISK_BUS_SCSI;
                        if (ide)        /* the target dev that names that slot: hda..hdd */
                                s->index = (int)(l->f[L_CHANNEL].n * 2 + l->f[L_LOCATION].n);
                        s->address = (storvirt__disk_address){
                                .type = STORVIRT__DISK_ADDRESS_DRIVE, .controller = index,
                                .drive_bus = ide ? (unsigned)l->f[L_CHANNEL].n : 0, .target = 0,
                                .unit = (unsigned)l->f[L_LOCATION].n };
                        if (!s->name)
                                r = storvirt__error_oom();
                        if (r >= 0 && l->f[L_SERIAL].s && *l->f[L_SERIAL].s)
                                r = sdup_field(l->f[L_SERIAL].s, &s->serial);
                        if (r >= 0 && !ide && l->f[L_VENDOR_ID].s && *l->f[L_VENDOR_ID].s) {
                                if (!ascii_field_ok(l->f[L_VENDOR_ID].s, 8))
                                        r = storvirt__error_set(-EINVAL, "%s: vendor_id '%s' is not at "
                                                                         "most 8 printable ASCII bytes",
                                                                where, l->f[L_VENDOR_ID].s);
                                else
                                        r = sdup_field(l->f[L_VENDOR_ID].s, &s->vendor);
                        }
                        if (r >= 0 && !ide && l->f[L_PRODUCT_ID].s && *l->f[L_PRODUCT_ID].s) {
                                if (!ascii_field_ok(l->f[L_PRODUCT_ID].s, 16))
                                        r = storvirt__error_set(-EINVAL, "%s: product_id '%s' is not at "
                                                                         "most 16 printable ASCII bytes",
                                                                where, l->f[L_PRODUCT_ID].s);
                                else
                                        r = sdup_field(l->f[L_PRODUCT_ID].s, &s->product);
                        }
                }
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
out:
        for (size_t i = 0; ds && i < n; i++)
                storvirt__disk_resolved_free(ds[i]);
        free(ds);
        storvirt__disk_specs_free(specs, n);
        storvirt__strv_free(problems);
        return r;
}
