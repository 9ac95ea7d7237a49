/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vdisk_prepare.c - making a vDisk's storage ready for a VM and letting
 * it go: the connections acquired for the holder "vdisk:ID:vm:VM", the
 * device waited for and its identity checked again (an iSCSI LUN's
 * WWID, a LUN's GUID, a loop device's backing file), every overlay
 * there; and the connections a VM's vDisks need.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <storvirt.h>

#include "conf/disk.h"
#include "objects/connection_run.h"
#include "objects/records.h"
#include "resolve/resolve.h"
#include "objects/vdisk_rec.h"
#include "lease/lease.h"
#include "vdisk/vdisk_int.h"
#include "util/error.h"
#include "util/json.h"
#include "util/log.h"
#include "util/macro.h"
#include "util/strv.h"

/* ---- prepare / release ------------------------------------------------------------------------- */

static long long now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* An iSCSI LUN reached by QEMU: still the same WWID; its iscsi:// URL. */
static int iscsi_device(storvirt_ctx *ctx, const vrec *v, int timeout_ms, char **ret_path) {
        struct storvirt__iscsi_lun *luns = NULL;
        size_t n = 0;
        int r;

        r = storvirt__connection_iscsi_scan(ctx, v->connections ? v->connections[0] : "",
                                            timeout_ms, &luns, &n);
        if (r >= 0) {
                r = -ENOENT;
                for (size_t k = 0; k < n; k++)
                        if (luns[k].lun == v->iscsi.lun)
                                r = strcmp(luns[k].guid, v->guid) == 0 ? 0 : -ESTALE;
                if (r == -ESTALE)
                        r = storvirt__error_set(-ESTALE, "LUN %u of %s is no longer "
                                                         "WWID %s", v->iscsi.lun,
                                                v->iscsi.target, v->guid);
                else if (r == -ENOENT)
                        r = storvirt__error_set(-ENOENT, "target %s has no LUN %u",
                                                v->iscsi.target, v->iscsi.lun);
        }
        storvirt__iscsi_luns_free(luns, n);
        if (r >= 0 && asprintf(ret_path, strchr(v->iscsi.host, ':')
                                                 ? "iscsi://[%s]:%u/%s/%u"
                                                 : "iscsi://%s:%u/%s/%u",
                               v->iscsi.host, v->iscsi.port, v->iscsi.target,
                               v->iscsi.lun) < 0)
                r = storvirt__error_oom();
        return r;
}

/* The path resolution gives for the LUN's GUID, its identity read again. */
static int guid_device(storvirt_ctx *ctx, const vrec *v, char **ret_path) {
        storvirt__disk_resolved *d = NULL;
        storvirt__disk_spec *s = NULL;
        int r;

        r = storvirt__disk_spec_new(&s);
        if (r >= 0 && !(s->guid = strdup(v->guid)))
                r = storvirt__error_oom();
        if (r >= 0) {
                s->source = STORVIRT__DISK_SOURCE_GUID;
                r = storvirt__resolve_spec(ctx, s, STORVIRT_RESOLVE_NO_REFRESH, &d);
        }
        if (r >= 0)
                r = storvirt__sdup(d->source_path, ret_path);
        storvirt__disk_resolved_free(d);
        storvirt__disk_spec_free(s);
        return r;
}

/* A loop device still backed by the file of the vDisk's identity ("loop:FILE"). */
static int check_loop_backing(storvirt_ctx *ctx, const vrec *v, const char *path) {
        storvirt_lun *lun = NULL;
        const char *b;
        char *real = NULL;
        bool same;
        int r;

        r = storvirt_lun_refresh(ctx, 0);
        if (r >= 0)
                r = storvirt_lun_lookup_by_path(ctx, path, &lun);
        if (r < 0)
                return r;
        b = storvirt_lun_get_loop_backing(lun);
        real = b ? realpath(b, NULL) : NULL;
        same = b && strcmp(v->identity + 5, real ? real : b) == 0;
        free(real);
        storvirt_lun_unref(lun);
        if (!same)
                return storvirt__error_set(-ESTALE, "'%s' is no longer backed by %s", path,
                                           v->identity + 5);
        return 0;
}

/* The device of the base image, checked, once it is there: its path (malloc'd). */
static int wait_device(storvirt_ctx *ctx, const vrec *v, int timeout_ms, char **ret_path) {
        const image *base = &v->images[0];
        long long deadline = now_ms() + timeout_ms;
        struct stat st;
        int r;

        if (strcmp(v->kind, "iscsi") == 0)
                return iscsi_device(ctx, v, timeout_ms, ret_path);
        if (storvirt__vdisk_is_net(v))
                return storvirt__vdisk_net_check(ctx, v, ret_path);
        for (;;) {
                if (strcmp(v->kind, "lun") == 0) {
                        storvirt_lun *lun = NULL;

                        r = storvirt_lun_refresh(ctx, 0);
                        if (r >= 0)
                                r = storvirt_lun_lookup_by_guid(ctx, v->guid, &lun);
                        storvirt_lun_unref(lun);
                        if (r >= 0)
                                return guid_device(ctx, v, ret_path);
                } else if (stat(base->path, &st) == 0) {
                        if (strcmp(v->kind, "loop") == 0 &&
                            (r = check_loop_backing(ctx, v, base->path)) < 0)
                                return r;
                        return storvirt__sdup(base->path, ret_path);
                }
                if (now_ms() >= deadline)
                        return storvirt__error_set(-ETIMEDOUT, "vDisk %s: its device (%s) did not "
                                                               "appear within %d ms", v->id,
                                                   v->guid ? v->guid : base->path, timeout_ms);
                storvirt_error_clear();
                usleep(200 * 1000);
        }
}

static int holder_name(const char *id, const char *vm, char **ret) {
        return asprintf(ret, "vdisk:%s:vm:%s", id, vm) < 0 ? storvirt__error_oom() : 0;
}

static int add_prepared(storvirt_ctx *ctx, vrec *v, void *userdata) {
        (void)ctx;
        if (storvirt__strv_contains(v->prepared, userdata))
                return 0;
        return storvirt__strv_extend(&v->prepared, userdata) < 0 ? storvirt__error_oom() : 1;
}

static int drop_prepared(storvirt_ctx *ctx, vrec *v, void *userdata) {
        char **kept = NULL;

        (void)ctx;
        if (!storvirt__strv_contains(v->prepared, userdata))
                return 0;
        for (char **p = v->prepared; *p; p++)
                if (strcmp(*p, userdata) != 0 && storvirt__strv_extend(&kept, *p) < 0) {
                        storvirt__strv_free(kept);
                        return storvirt__error_oom();
                }
        storvirt__strv_free(v->prepared);
        v->prepared = kept;
        return 1;
}

STORVIRT_EXPORT int storvirt_vdisk_prepare(storvirt_vdisk *vdisk, const char *vm_id,
                                           int timeout_ms, char **ret_path, uint32_t flags) {
        _cleanup_vrec_ vrec *v = NULL;
        _cleanup_free_ char *holder = NULL, *path = NULL;
        size_t acquired = 0;
        int r;

        check_nonnull(vdisk);
        check_arg(timeout_ms >= 0, "timeout_ms", "must not be negative");
        check_flags(flags, STORVIRT_VDISK_PREPARE_MIGRATION | STORVIRT_VDISK_PREPARE_HA_RESTART);
        check_arg(!(flags & STORVIRT_VDISK_PREPARE_MIGRATION) ||
                  !(flags & STORVIRT_VDISK_PREPARE_HA_RESTART), "flags",
                  "a prepare is for a migration or an HA restart, not both");
        r = storvirt__vdisk_check_vm_id(vm_id);
        if (r < 0)
                return r;
        if (timeout_ms == 0)
                timeout_ms = DEFAULT_TIMEOUT_MS;
        r = storvirt__vdisk_load(vdisk->ctx, vdisk->id, false, &v);
        if (r >= 0)
                r = holder_name(v->id, vm_id, &holder);
        for (char **c = v ? v->connections : NULL; r >= 0 && c && *c; c++) {
                r = storvirt__connection_acquire(vdisk->ctx, *c, holder, timeout_ms);
                if (r >= 0)
                        acquired++;
        }
        if (r >= 0)
                r = wait_device(vdisk->ctx, v, timeout_ms, &path);
        if (r >= 0) /* no other host runs it (joins its lockspace first if needed) */
                r = storvirt__lease_check(vdisk->ctx, v, timeout_ms,
                                          flags & STORVIRT_VDISK_PREPARE_MIGRATION
                                                  ? STORVIRT__LEASE_FOR_MIGRATION
                                          : flags & STORVIRT_VDISK_PREPARE_HA_RESTART
                                                  ? STORVIRT__LEASE_FOR_HA_RESTART
                                                  : STORVIRT__LEASE_FOR_RUN);
        if (r >= 0 && v->lease.lockspace) {
                /* the stack another host may have grown or cut meanwhile */
                vrec *now = NULL;

                r = storvirt__vdisk_chain_sync(vdisk->ctx, vdisk->id);
                if (r >= 0)
                        r = storvirt__vdisk_load(vdisk->ctx, vdisk->id, false, &now);
                if (r >= 0) {
                        storvirt__vrec_free(v);
                        v = now;
                }
        }
        if (r >= 0 && v->n_images > 1) {
                /* the VM opens the top image; every overlay must be there */
                for (size_t i = 1; r >= 0 && i < v->n_images; i++)
                        if (access(v->images[i].path, F_OK) < 0)
                                r = storvirt__error_set(-errno, "vDisk %s: image %s (%s): %m",
                                                        v->id, v->images[i].uid, v->images[i].path);
                if (r >= 0) {
                        free(path);
                        path = strdup(v->images[v->n_images - 1].path);
                        if (!path)
                                r = storvirt__error_oom();
                }
        }
        if (r >= 0)
                r = storvirt__vdisk_change(vdisk->ctx, vdisk->id, add_prepared, holder);
        if (r < 0 && v) {
                /* undo what this call connected; the error stays that of the failure */
                storvirt__error_saved e;

                storvirt__error_save(&e);
                for (size_t i = 0; i < acquired; i++)
                        (void)storvirt__connection_release(vdisk->ctx, v->connections[i], holder, false);
                storvirt__error_restore(&e);
                return r;
        }
        if (r >= 0 && ret_path)
                *ret_path = TAKE_PTR(path);
        return r;
}

STORVIRT_EXPORT int storvirt_vdisk_release(storvirt_vdisk *vdisk, const char *vm_id,
                                           uint32_t flags) {
        _cleanup_vrec_ vrec *v = NULL;
        _cleanup_free_ char *holder = NULL;
        int r, first = 0;

        check_nonnull(vdisk);
        check_flags(flags, 0);
        r = storvirt__vdisk_check_vm_id(vm_id);
        if (r < 0)
                return r;
        r = storvirt__vdisk_load(vdisk->ctx, vdisk->id, false, &v);
        if (r >= 0)
                r = holder_name(v->id, vm_id, &holder);
        if (r < 0)
                return r;
        for (char **c = v->connections; c && *c; c++) {
                r = storvirt__connection_release(vdisk->ctx, *c, holder, false);
                if (r < 0 && !first)
                        first = r;
        }
        r = storvirt__vdisk_change(vdisk->ctx, vdisk->id, drop_prepared, holder);
        return first < 0 ? first : r;
}

STORVIRT_EXPORT int storvirt_vm_connections(storvirt_ctx *ctx, const char *vm_id, char **ret_json,
                                            uint32_t flags) {
        _cleanup_strv_free_ char **ids = NULL, **conns = NULL;
        _cleanup_json_gen_ storvirt__json_gen *g = NULL;
        int r;

        check_nonnull(ctx);
        check_nonnull(ret_json);
        check_flags(flags, STORVIRT_CONNECTION_JSON_PRETTY | STORVIRT_CONNECTION_JSON_VDSM);
        r = storvirt__vdisk_check_vm_id(vm_id);
        if (r < 0)
                return r;
        r = storvirt__records_list(ctx, KIND, &ids);
        if (r < 0)
                return r;
        for (char **id = ids; *id; id++) {
                _cleanup_vrec_ vrec *v = NULL;
                bool attached = false;

                if (storvirt__vdisk_load(ctx, *id, false, &v) < 0) {
                        log_warning(ctx, "skipping vDisk record %s: %s", *id, storvirt_error_message());
                        storvirt_error_clear();
                        continue;
                }
                for (size_t i = 0; i < v->n_att; i++)
                        attached |= strcmp(v->att[i].vm, vm_id) == 0;
                for (char **c = v->connections; attached && c && *c; c++)
                        if (!storvirt__strv_contains(conns, *c) && storvirt__strv_extend(&conns, *c) < 0)
                                return storvirt__error_oom();
        }
        storvirt__strv_sort(conns);
        r = storvirt__json_gen_new(flags & STORVIRT_CONNECTION_JSON_PRETTY, &g);
        if (r >= 0)
                r = storvirt__json_gen_begin_array(g);
        for (char **c = conns; r >= 0 && c && *c; c++)
                r = storvirt__connection_gen_json(ctx, *c, flags & STORVIRT_CONNECTION_JSON_VDSM, g);
        if (r >= 0)
                r = storvirt__json_gen_end_array(g);
        if (r >= 0)
                r = storvirt__json_gen_finish(g, ret_json, NULL);
        return r;
}
