/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * resolve_vm.c - all the drives of a VM resolved at once
 * (storvirt_resolve_vm()): parsed, completed and cross-checked together
 * (conf/disk_vm.c), each resolved on this host, every problem of every
 * drive collected.  An optional drive whose storage cannot be reached is
 * left out with a warning, VDSM's "the VM can run without it"; the
 * drives keep their indexes.  The <devices> element holds a virtio-scsi
 * controller for every SCSI controller the drives use (and each index
 * below, which libvirt would otherwise add with its default model).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <storvirt.h>

#include "conf/disk.h"
#include "objects/ctx.h"
#include "resolve/resolve.h"
#include "util/json.h"
#include "util/macro.h"
#include "util/strv.h"

/* libvirt's default drive address of a SCSI disk (qemu driver): 7 units per controller. */
#define SCSI_UNITS_PER_CONTROLLER 7

/* What the drives of one VM came to. */
struct vm {
        storvirt__disk_spec **specs;
        size_t n;
        storvirt__disk_resolved **ds;   /* n, NULL where a drive failed or was left out */
        char **problems;
        char **warnings;
};

static int add(char ***list, const char *fmt, ...) _printf_(2, 3);
static int add(char ***list, const char *fmt, ...) {
        char *m;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&m, fmt, ap);
        va_end(ap);
        if (r < 0)
                return storvirt__error_oom();
        if (storvirt__strv_push(list, m) < 0) {
                free(m);
                return storvirt__error_oom();
        }
        return 0;
}

static const char *drive_name(const storvirt__disk_spec *s) {
        return s->name ? s->name : "disk";
}

/* Drive i resolved, or its problem, or its warning; -ENOMEM, else 0. */
static int resolve_drive(storvirt_ctx *ctx, struct vm *vm, size_t i, uint32_t flags) {
        const storvirt__disk_spec *s = vm->specs[i];
        storvirt__disk_resolved *d = NULL;
        int r;

        r = storvirt__resolve_find(ctx, s, flags, &d);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                /* the search names no drive: decided by its errno, named here */
                if (s->optional && storvirt__resolve_unreachable(r))
                        return add(&vm->warnings, "%s: left out: the drive is optional and its "
                                                  "storage cannot be reached: %s",
                                   drive_name(s), storvirt__error_msg());
                return add(&vm->problems, "%s: %s", drive_name(s), storvirt__error_msg());
        }
        r = storvirt__resolve_finish(ctx, d, flags);
        if (r < 0) {
                /* its messages name the drive */
                storvirt__disk_resolved_free(d);
                return r == -ENOMEM ? r : add(&vm->problems, "%s", storvirt__error_msg());
        }
        for (char **w = d->warnings; w && *w; w++)
                if (storvirt__strv_extend(&vm->warnings, *w) < 0) {
                        storvirt__disk_resolved_free(d);
                        return storvirt__error_oom();
                }
        vm->ds[i] = d;
        return 0;
}

/*
 * The virtio-scsi controllers of the drives on bus scsi: each one's
 * controller (its drive address, else libvirt's default for its index),
 * and every index below.
 */
static int scsi_controllers(storvirt__disk_resolved *const *ds, size_t n,
                            storvirt__disk_controller **ret, size_t *ret_n) {
        storvirt__disk_controller *c;
        unsigned max = 0;
        bool any = false;

        for (size_t i = 0; i < n; i++) {
                const storvirt__disk_spec *s = ds[i]->spec;
                unsigned k;

                if (s->bus != STORVIRT__DISK_BUS_SCSI)
                        continue;
                k = s->address.type == STORVIRT__DISK_ADDRESS_DRIVE
                            ? s->address.controller
                            : (unsigned) s->index / SCSI_UNITS_PER_CONTROLLER;
                max = any && max > k ? max : k;
                any = true;
        }
        *ret = NULL;
        *ret_n = 0;
        if (!any)
                return 0;
        c = calloc(max + 1, sizeof(*c));
        if (!c)
                return storvirt__error_oom();
        for (unsigned k = 0; k <= max; k++)
                c[k] = (storvirt__disk_controller) { .type = "scsi", .index = k,
                                                     .model = "virtio-scsi" };
        *ret = c;
        *ret_n = max + 1;
        return 0;
}

/* {"devices": [dict, ...]} of the drives kept. */
static int vm_dicts(storvirt__disk_resolved *const *ds, size_t n, char **ret) {
        storvirt__json_gen *g = NULL;
        int r;

        r = storvirt__json_gen_new(true, &g);
        if (r >= 0)
                r = storvirt__json_gen_begin_map(g);
        if (r >= 0)
                r = storvirt__json_gen_key_begin_array(g, "devices");
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = storvirt__disk_resolved_to_dict(ds[i], g);
        if (r >= 0)
                r = storvirt__json_gen_end_array(g);
        if (r >= 0)
                r = storvirt__json_gen_end_map(g);
        if (r >= 0)
                r = storvirt__json_gen_finish(g, ret, NULL);
        storvirt__json_gen_free(g);
        return r;
}

/* The result of the drives kept, in order. */
static int vm_format(struct vm *vm, uint32_t flags, char **ret) {
        _cleanup_free_ storvirt__disk_resolved **kept = calloc(vm->n + 1, sizeof(*kept));
        _cleanup_free_ storvirt__disk_controller *ctrls = NULL;
        size_t n = 0, n_ctrls = 0;
        int r;

        if (!kept)
                return storvirt__error_oom();
        for (size_t i = 0; i < vm->n; i++)
                if (vm->ds[i]) {
                        vm->ds[i]->with_lease = flags & STORVIRT_RESOLVE_LEASES;
                        kept[n++] = vm->ds[i];
                }
        if (flags & STORVIRT_RESOLVE_DICT)
                return vm_dicts(kept, n, ret);
        r = scsi_controllers(kept, n, &ctrls, &n_ctrls);
        if (r < 0)
                return r;
        return storvirt__devices_xml(ctrls, n_ctrls, kept, n, ret);
}

static void vm_done(struct vm *vm) {
        for (size_t i = 0; vm->ds && i < vm->n; i++)
                storvirt__disk_resolved_free(vm->ds[i]);
        free(vm->ds);
        storvirt__disk_specs_free(vm->specs, vm->n);
        storvirt__strv_free(vm->problems);
        storvirt__strv_free(vm->warnings);
}

STORVIRT_EXPORT int storvirt_resolve_vm(storvirt_ctx *ctx, const char *vm_json, char **ret,
                                        char ***ret_problems, uint32_t flags) {
        struct vm vm = {};
        int r;

        check_nonnull(ctx);
        check_nonnull(vm_json);
        check_nonnull(ret);
        check_flags(flags, STORVIRT_RESOLVE_DICT | STORVIRT_RESOLVE_NO_REFRESH |
                                   STORVIRT_RESOLVE_WARNINGS | STORVIRT_RESOLVE_NO_RELABEL |
                                   STORVIRT_RESOLVE_LEASES);
        if (ret_problems)
                *ret_problems = NULL;
        /* Parsed, completed (bus, index) and cross-checked; drives that parsed are kept. */
        r = storvirt__disk_specs_parse_vm_keep(vm_json, strlen(vm_json), &vm.specs, &vm.n,
                                               &vm.problems);
        if (r < 0 && !(r == -EINVAL && vm.problems))
                return r;
        vm.ds = calloc(vm.n + 1, sizeof(*vm.ds));
        r = vm.ds ? 0 : storvirt__error_oom();
        /* Every drive, even after a failure: all problems at once. */
        for (size_t i = 0; r >= 0 && i < vm.n; i++)
                if (vm.specs[i])        /* else it did not parse: its problem is listed */
                        r = resolve_drive(ctx, &vm, i, flags);
        if (r >= 0 && vm.problems) {
                r = storvirt__resolve_problems_error(vm.problems);
                if (ret_problems)
                        *ret_problems = TAKE_PTR(vm.problems);
        }
        if (r >= 0) {
                for (char **w = vm.warnings; w && *w; w++)
                        log_warning(ctx, "%s", *w);
                r = vm_format(&vm, flags, ret);
        }
        if (r >= 0 && ret_problems && (flags & STORVIRT_RESOLVE_WARNINGS))
                *ret_problems = TAKE_PTR(vm.warnings);
        vm_done(&vm);
        return r;
}
