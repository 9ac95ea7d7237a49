/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * logical.c - the "logical" pool type: an LVM volume group, its logical
 * volumes as the pool's volumes.  State comes from lvm2's JSON reports
 * (vgs / lvs --reportformat json, read with the strict JSON reader);
 * changes go through lvm2's commands: pvcreate and vgcreate (build),
 * vgchange -aly / -aln (start, stop), lvcreate (create), lvremove
 * (delete), vgremove and pvremove (delete the pool).
 *
 * Volumes are keyed by the LV's UUID (libvirt keys them by path, which
 * a rename changes).  A volume whose allocation is below its capacity is
 * a thin LV in the pool's thin pool "storvirt-thinpool" (created on first
 * use, sized by the allocation asked for), never an old-style snapshot.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backends.h"
#include "sys/command.h"
#include "sys/tool_words.h"
#include "util/error.h"
#include "util/json.h"
#include "util/macro.h"
#include "util/strv.h"
#include "util/xml.h"

#define LVM_TIMEOUT_MS 120000
#define THIN_POOL "storvirt-thinpool"
#define REPORT_MAX (64u << 20)

static const char *vg_of(const storvirt__pool_def *def) {
        return def->source.name ? def->source.name : def->name;
}

/* Runs an lvm2 command (argv NULL-terminated), stdout to *out when not NULL. */
static int lvm(const storvirt__pool_def *def, const char *what, char **out, const char *const *argv) {
        int r = storvirt__command_run((char *const *)argv, LVM_TIMEOUT_MS, out);

        if (r < 0)
                return storvirt__error_set(r, "pool '%s': %s: %s", def->name, what,
                                           storvirt_error_message());
        return 0;
}

/* The rows of report `key` ("vg", "lv") of an lvm2 JSON report. */
static int report_rows(const storvirt__pool_def *def, const char *text, const char *key,
                       yajl_val *ret_root, yajl_val *ret_rows) {
        yajl_val root = NULL, reports = NULL, rows = NULL;
        int r;

        r = storvirt__json_parse(text, strlen(text), REPORT_MAX, &root, "lvm2 report");
        if (r < 0)
                return storvirt__error_set(r, "pool '%s': %s", def->name, storvirt_error_message());
        r = storvirt__json_get_array(root, "report", true, &reports);
        if (r >= 0 && (reports->u.array.len != 1 ||
                       (r = storvirt__json_get_array(reports->u.array.values[0], key, true, &rows)) < 0))
                r = r < 0 ? r : storvirt__error_set(-EINVAL, "expected one report");
        if (r < 0) {
                storvirt__json_free(root);
                return storvirt__error_set(-EINVAL, "pool '%s': unexpected lvm2 report: %s", def->name,
                                           storvirt_error_message());
        }
        *ret_root = root;
        *ret_rows = rows;
        return 0;
}

/* A size field of a report (bytes, "--units b --nosuffix": digits). */
static int report_u64(yajl_val row, const char *key, uint64_t *ret) {
        int r = storvirt__json_get_uint64(row, key, true, STORVIRT__JSON_INT_FROM_STRING, ret);

        return r < 0 ? storvirt__error_set(-EINVAL, "lvm2 report: %s", storvirt_error_message()) : 0;
}

static int report_str(yajl_val row, const char *key, const char **ret) {
        int r = storvirt__json_get_string(row, key, true, ret);

        return r < 0 ? storvirt__error_set(-EINVAL, "lvm2 report: %s", storvirt_error_message()) : 0;
}

/* The VG's size and free space. -ENOENT when there is no such VG. */
static int vg_report(const storvirt__pool_def *def, uint64_t *size, uint64_t *free_bytes) {
        const char *argv[] = { "vgs", "--reportformat", "json", "--units", "b", "--nosuffix",
                               "-o", "vg_name,vg_uuid,vg_size,vg_free", vg_of(def), NULL };
        _cleanup_free_ char *out = NULL;
        yajl_val root = NULL, rows = NULL;
        int r;

        r = lvm(def, "vgs", &out, argv);
        if (r < 0) {
                if (storvirt__tool_said(storvirt__command_last_words(), STORVIRT__TOOL_LVM_NO_VG))
                        return storvirt__error_set(-ENOENT, "pool '%s': no volume group '%s'",
                                                   def->name, vg_of(def));
                return r;
        }
        r = report_rows(def, out, "vg", &root, &rows);
        if (r < 0)
                return r;
        if (rows->u.array.len != 1)
                r = storvirt__error_set(-ENOENT, "pool '%s': no volume group '%s'", def->name, vg_of(def));
        if (r >= 0)
                r = report_u64(rows->u.array.values[0], "vg_size", size);
        if (r >= 0)
                r = report_u64(rows->u.array.values[0], "vg_free", free_bytes);
        storvirt__json_free(root);
        return r;
}

static int logical_check(storvirt__pool_obj *obj, bool *ret_active) {
        uint64_t size, free_bytes;

        *ret_active = vg_report(obj->def, &size, &free_bytes) >= 0;
        storvirt_error_clear();
        return 0;
}

static int logical_build(storvirt__pool_obj *obj, uint32_t flags) {
        const storvirt__pool_def *def = obj->def;
        size_t n = storvirt__strv_length(def->source.devices);
        const char **argv;
        int r = 0;

        if (n == 0)
                return storvirt__error_set(-EINVAL, "pool '%s': building a volume group needs source "
                                                    "devices", def->name);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                /* never over a signature unless told: pvcreate refuses one without -ff */
                const char *ow[] = { "pvcreate", "-ff", "-y", def->source.devices[i], NULL };
                const char *plain[] = { "pvcreate", def->source.devices[i], NULL };

                r = lvm(def, "pvcreate", NULL,
                        (flags & STORVIRT_POOL_BUILD_OVERWRITE) ? ow : plain);
        }
        if (r < 0)
                return r;
        argv = calloc(n + 3, sizeof(*argv));
        if (!argv)
                return storvirt__error_oom();
        argv[0] = "vgcreate";
        argv[1] = vg_of(def);
        for (size_t i = 0; i < n; i++)
                argv[2 + i] = def->source.devices[i];
        r = lvm(def, "vgcreate", NULL, argv);
        free(argv);
        return r;
}

static int logical_start(storvirt__pool_obj *obj, uint32_t flags) {
        const char *argv[] = { "vgchange", "-aly", vg_of(obj->def), NULL };

        (void)flags;
        return lvm(obj->def, "vgchange -aly", NULL, argv);
}

static int logical_stop(storvirt__pool_obj *obj, uint32_t flags) {
        const char *argv[] = { "vgchange", "-aln", vg_of(obj->def), NULL };

        (void)flags;
        return lvm(obj->def, "vgchange -aln", NULL, argv);
}

static int logical_delete(storvirt__pool_obj *obj, uint32_t flags) {
        const storvirt__pool_def *def = obj->def;
        const char *argv[] = { "vgremove", "-f", vg_of(def), NULL };
        int r;

        (void)flags;
        r = lvm(def, "vgremove", NULL, argv);
        for (size_t i = 0; r >= 0 && def->source.devices && def->source.devices[i]; i++) {
                const char *pv[] = { "pvremove", def->source.devices[i], NULL };

                r = lvm(def, "pvremove", NULL, pv);
        }
        return r;
}

static int logical_refresh(storvirt__pool_obj *obj, uint32_t flags) {
        const storvirt__pool_def *def = obj->def;
        const char *argv[] = { "lvs", "--reportformat", "json", "--units", "b", "--nosuffix",
                               "-o", "lv_name,lv_uuid,lv_size,lv_attr,lv_path,pool_lv,data_percent",
                               vg_of(def), NULL };
        _cleanup_free_ char *out = NULL;
        yajl_val root = NULL, rows = NULL;
        storvirt__hashmap *vols = NULL;
        uint64_t size = 0, free_bytes = 0;
        int r;

        (void)flags;
        r = vg_report(def, &size, &free_bytes);
        if (r >= 0)
                r = lvm(def, "lvs", &out, argv);
        if (r >= 0)
                r = report_rows(def, out, "lv", &root, &rows);
        if (r >= 0)
                r = storvirt__hashmap_new(&vols, storvirt__vol_rec_unref_void);
        for (size_t i = 0; r >= 0 && i < rows->u.array.len; i++) {
                yajl_val row = rows->u.array.values[i];
                const char *name = NULL, *uuid = NULL, *attr = NULL, *path = NULL, *pool_lv = NULL;
                uint64_t lv_size = 0;
                storvirt__vol_rec *rec;
                char dev[512];

                if ((r = report_str(row, "lv_name", &name)) < 0 || (r = report_str(row, "lv_uuid", &uuid)) < 0 ||
                    (r = report_str(row, "lv_attr", &attr)) < 0 || (r = report_u64(row, "lv_size", &lv_size)) < 0)
                        break;
                (void)storvirt__json_get_string(row, "lv_path", false, &path);
                (void)storvirt__json_get_string(row, "pool_lv", false, &pool_lv);
                /* thin pools and internal LVs ("[...]") are not volumes */
                if (attr[0] == 't' || name[0] == '[')
                        continue;
                snprintf(dev, sizeof(dev), "/dev/%s/%s", vg_of(def), name);
                rec = storvirt__vol_rec_new(name, uuid, path && *path ? path : dev);
                if (!rec) {
                        r = storvirt__error_oom();
                        break;
                }
                rec->type = STORVIRT_VOLUME_TYPE_BLOCK;
                snprintf(rec->format, sizeof(rec->format), "raw");
                rec->capacity = rec->physical = lv_size;
                /* a thin LV holds what it wrote; lvm2 reports the percentage */
                rec->allocation = lv_size;
                if (attr[0] == 'V') {
                        const char *pct = NULL;

                        if (storvirt__json_get_string(row, "data_percent", false, &pct) > 0 && *pct)
                                rec->allocation = (uint64_t)((double)lv_size * strtod(pct, NULL) / 100.0);
                }
                r = storvirt__hashmap_put(vols, name, rec);
                if (r < 0)
                        storvirt__vol_rec_unref(rec);
        }
        storvirt__json_free(root);
        if (r < 0) {
                storvirt__hashmap_free(vols);
                return r;
        }
        storvirt__pool_obj_set_vols(obj, vols);
        obj->capacity = size;
        obj->available = free_bytes;
        obj->allocation = size - free_bytes;
        return 0;
}

static int logical_create_volume(storvirt__pool_obj *obj, const struct storvirt__vol_def *def,
                                 struct storvirt__vol_rec **ret_rec, uint32_t flags) {
        char path[512];
        storvirt__vol_rec *rec;

        (void)flags;
        if (def->target.format && *def->target.format && strcmp(def->target.format, "raw") != 0)
                return storvirt__error_set(-EINVAL, "pool '%s': a logical volume is raw, not %s",
                                           obj->def->name, def->target.format);
        snprintf(path, sizeof(path), "/dev/%s/%s", vg_of(obj->def), def->name);
        /* the LV's UUID, its key, is known once lvcreate made it: the next refresh has it */
        rec = storvirt__vol_rec_new(def->name, path, path);
        if (!rec)
                return storvirt__error_oom();
        rec->type = STORVIRT_VOLUME_TYPE_BLOCK;
        rec->capacity = def->capacity;
        rec->allocation = def->has_allocation ? def->allocation : def->capacity;
        *ret_rec = rec;
        return 0;
}

int storvirt__logical_lvcreate_argv(const char *vg, const char *name, uint64_t capacity,
                                    uint64_t allocation, bool thin_pool_exists, char ***ret) {
        char cap[32], alloc[32], **argv = NULL;
        int r = 0;

        snprintf(cap, sizeof(cap), "%" PRIu64 "b", capacity);
        snprintf(alloc, sizeof(alloc), "%" PRIu64 "b", allocation ? allocation : 4u << 20);
        if (allocation >= capacity) {
                const char *a[] = { "lvcreate", "--yes", "--name", name, "--size", cap, vg, NULL };

                for (const char *const *p = a; r >= 0 && *p; p++)
                        r = storvirt__strv_extend(&argv, *p);
        } else {
                /* the thin pool first when there is none yet, then a thin LV in it */
                if (!thin_pool_exists) {
                        const char *a[] = { "lvcreate", "--yes", "--type", "thin-pool", "--name",
                                            THIN_POOL, "--size", alloc, vg, NULL };

                        for (const char *const *p = a; r >= 0 && *p; p++)
                                r = storvirt__strv_extend(&argv, *p);
                        if (r >= 0)
                                r = storvirt__strv_extend(&argv, "--");    /* command separator */
                }
                {
                        const char *a[] = { "lvcreate", "--yes", "--type", "thin", "--name", name,
                                            "--virtualsize", cap, "--thinpool", THIN_POOL, vg, NULL };

                        for (const char *const *p = a; r >= 0 && *p; p++)
                                r = storvirt__strv_extend(&argv, *p);
                }
        }
        if (r < 0) {
                storvirt__strv_free(argv);
                return storvirt__error_oom();
        }
        *ret = argv;
        return 0;
}

static bool has_thin_pool(const storvirt__pool_def *def) {
        const char *argv[] = { "lvs", "--reportformat", "json", "-o", "lv_name",
                               NULL, NULL };
        char lv[512];
        _cleanup_free_ char *out = NULL;
        bool found;

        snprintf(lv, sizeof(lv), "%s/%s", vg_of(def), THIN_POOL);
        argv[5] = lv;
        found = storvirt__command_run((char *const *)argv, LVM_TIMEOUT_MS, &out) >= 0;
        storvirt_error_clear();
        return found;
}

static int logical_build_volume(storvirt__pool_obj *obj, struct storvirt__vol_rec *rec,
                                const struct storvirt__vol_def *def, const storvirt__progress *progress,
                                uint32_t flags) {
        char **argv = NULL, **cmd;
        bool thin = def->has_allocation && def->allocation < def->capacity;
        int r;

        (void)rec;
        (void)progress;
        (void)flags;
        r = storvirt__logical_lvcreate_argv(vg_of(obj->def), def->name, def->capacity,
                                            def->has_allocation ? def->allocation : def->capacity,
                                            thin ? has_thin_pool(obj->def) : true, &argv);
        /* one or two commands, separated by "--" */
        for (cmd = argv; r >= 0 && cmd && *cmd;) {
                char **end = cmd;

                while (*end && strcmp(*end, "--") != 0)
                        end++;
                {
                        char *saved = *end;

                        *end = NULL;
                        r = lvm(obj->def, "lvcreate", NULL, (const char *const *)cmd);
                        *end = saved;
                }
                cmd = *end ? end + 1 : end;
        }
        storvirt__strv_free(argv);
        return r;
}

static int logical_delete_volume(storvirt__pool_obj *obj, struct storvirt__vol_rec *rec,
                                 uint32_t flags) {
        char lv[512];
        const char *argv[] = { "lvremove", "-f", lv, NULL };

        (void)flags;
        snprintf(lv, sizeof(lv), "%s/%s", vg_of(obj->def), rec->name);
        return lvm(obj->def, "lvremove", NULL, argv);
}

/* The volume groups lvm2 reports, each with its physical volumes. */
static int logical_find_sources(storvirt_ctx *ctx, const char *srcspec, char **ret_xml,
                                uint32_t flags) {
        const char *argv[] = { "pvs", "--reportformat", "json", "-o", "pv_name,vg_name,pv_fmt", NULL };
        const storvirt__pool_def def = { .name = (char *)"(find sources)" };
        _cleanup_xml_writer_ storvirt__xml_writer *w = NULL;
        _cleanup_free_ char *out = NULL;
        yajl_val root = NULL, rows = NULL;
        char **vgs = NULL;
        int r;

        (void)ctx;
        (void)srcspec;  /* libvirt takes none for logical pools either */
        (void)flags;
        r = lvm(&def, "pvs", &out, argv);
        if (r >= 0)
                r = report_rows(&def, out, "pv", &root, &rows);
        for (size_t i = 0; r >= 0 && i < rows->u.array.len; i++) {
                const char *vg = NULL;

                if (storvirt__json_get_string(rows->u.array.values[i], "vg_name", false, &vg) > 0 && *vg &&
                    !storvirt__strv_contains(vgs, vg) && storvirt__strv_extend(&vgs, vg) < 0)
                        r = storvirt__error_oom();
        }
        if (r >= 0)
                r = storvirt__xml_writer_new(&w);
        if (r >= 0) {
                storvirt__strv_sort(vgs);
                storvirt__xml_writer_start(w, "sources");
                for (char **vg = vgs; vg && *vg; vg++) {
                        storvirt__xml_writer_start(w, "source");
                        for (size_t i = 0; i < rows->u.array.len; i++) {
                                const char *name = NULL, *v = NULL;

                                if (storvirt__json_get_string(rows->u.array.values[i], "vg_name", false, &v) <= 0 ||
                                    strcmp(v, *vg) != 0 ||
                                    storvirt__json_get_string(rows->u.array.values[i], "pv_name", false, &name) <= 0)
                                        continue;
                                storvirt__xml_writer_start(w, "device");
                                storvirt__xml_writer_attr(w, "path", name);
                                storvirt__xml_writer_end(w);
                        }
                        storvirt__xml_writer_text_element(w, "name", *vg);
                        storvirt__xml_writer_start(w, "format");
                        storvirt__xml_writer_attr(w, "type", "lvm2");
                        storvirt__xml_writer_end(w);
                        storvirt__xml_writer_end(w);
                }
                storvirt__xml_writer_end(w);
                r = storvirt__xml_writer_finish(w, ret_xml, NULL);
        }
        storvirt__strv_free(vgs);
        storvirt__json_free(root);
        return r;
}

const storvirt__backend_ops storvirt__backend_logical = {
        .abi = STORVIRT__BACKEND_ABI,
        .type = "logical",
        .find_sources = logical_find_sources,
        .check_pool = logical_check,
        .build_pool = logical_build,
        .start_pool = logical_start,
        .refresh_pool = logical_refresh,
        .stop_pool = logical_stop,
        .delete_pool = logical_delete,
        .create_volume = logical_create_volume,
        .build_volume = logical_build_volume,
        .delete_volume = logical_delete_volume,
};
