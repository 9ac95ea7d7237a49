/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hcl_json.c - the controller model (conf/hcl_model.h) read from the
 * settings JSON ({"version", "fixed", "dynamic": {"storage_controllers":
 * [...]}} or a bare list of controllers, every field in snake_case or
 * camelCase, each at most once), a LUN field set from JSON text, and the
 * document written back in canonical or camelCase form.  The parts of
 * the document the model does not hold ("fixed", "nic_devices") are kept
 * as given.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/hcl_model.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/macro.h"

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
        const struct fdef *fd = &storvirt__hcl_lun_fields[id];
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
                const struct fdef *fd = &storvirt__hcl_lun_fields[i];

                names[k++] = fd->snake;
                if (strcmp(fd->snake, fd->camel) != 0)
                        names[k++] = fd->camel;
        }
        names[k] = NULL;
        if ((r = check_known(&rd, v, names)) < 0)
                return r;
        for (size_t i = 0; i < L_N; i++) {
                yajl_val f = NULL;

                if ((r = check_spellings(&rd, v, storvirt__hcl_lun_fields[i].snake,
                                         storvirt__hcl_lun_fields[i].camel, &f)) < 0)
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
                        storvirt__hcl_lun_init(&c->luns[i]);
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
        r = storvirt__json_parse(json, strlen(json), STORVIRT__HCL_JSON_MAX, &root, "settings");
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

/* ---- a field from JSON text ---------------------------------------------------------------- */

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
        r = storvirt__hcl_get_lun(doc, controller, lun, &c, &l);
        if (r < 0)
                return r;
        snprintf(rd.path, sizeof(rd.path), "storage_controllers[%zu].luns[%zu]", controller, lun);
        r = storvirt__json_parse(json_value, strlen(json_value), 65536, &v, key);
        if (r < 0)
                return r;
        for (size_t i = 0; i < L_N; i++) {
                if (strcmp(key, storvirt__hcl_lun_fields[i].snake) != 0 &&
                    strcmp(key, storvirt__hcl_lun_fields[i].camel) != 0)
                        continue;
                if (i == L_PHYSICAL_DEVICES) {
                        struct hcl_lun tmp;

                        storvirt__hcl_lun_init(&tmp);
                        r = read_physical_devices(&rd, v, &tmp);
                        if (r < 0) {
                                storvirt__hcl_lun_clear(&tmp);
                                return r;
                        }
                        storvirt__hcl_device_clear(&l->device);
                        for (size_t k = 0; k < l->n_devices; k++)
                                storvirt__hcl_device_clear(&l->devices[k]);
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
                if (!YAJL_IS_NULL(v) || storvirt__hcl_lun_fields[i].kind == F_U32 ||
                    storvirt__hcl_lun_fields[i].kind == F_STR ||
                    storvirt__hcl_lun_fields[i].kind == F_BOOL)
                        l->f[i].has = true;
                return 0;
        }
        return storvirt__error_set(-EINVAL, "'%.64s' is not a LUN field", key);
}

/* ---- writing ------------------------------------------------------------------------------------ */

static void gen_u64_str(storvirt__json_gen *g, uint64_t n) {
        char buf[24];

        snprintf(buf, sizeof(buf), "%" PRIu64, n);
        storvirt__json_gen_string(g, buf);
}

static int gen_kept(storvirt__json_gen *g, const char *key, const char *text) {
        _cleanup_json_ yajl_val v = NULL;
        int r = storvirt__json_parse(text, strlen(text), STORVIRT__HCL_JSON_MAX, &v, key);

        if (r < 0)
                return r;
        storvirt__json_gen_key(g, key);
        return gen_value(g, v);
}

static void gen_device(storvirt__json_gen *g, const struct hcl_device *d, bool camel) {
        storvirt__json_gen_begin_map(g);
        if (!camel || d->type) {
                storvirt__json_gen_key(g, camel ? "deviceType" : "device_type");
                storvirt__json_gen_string(g, storvirt__hcl_devtype_names[d->type]);
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
                storvirt__json_gen_key_string(g, "type", storvirt__hcl_backing_names[l->pd_type]);
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
                const struct fdef *fd = &storvirt__hcl_lun_fields[i];
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
                        storvirt__json_gen_string(
                                g, storvirt__hcl_devtype_names[fv->n <= 2 ? fv->n : 0]);
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
                                        storvirt__json_gen_key_string(
                                                g, "protocol",
                                                storvirt__hcl_protocol_names[c->protocol]);
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
