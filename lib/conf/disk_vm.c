/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * disk_vm.c - a VM's drives: {"drives": [...]}, {"devices": [...]} (only
 * the entries of type "disk") or a bare list, every drive parsed and
 * checked, then completed and cross-checked together (disk_complete.c),
 * every problem of every drive collected.
 *
 * In a VM's list a drive is "drive N", N its position in the list given
 * from 1 ("devices" counts every device), and "drive N (alias ua-x)"
 * when it has an alias.
 */
#include <stdio.h>
#include <string.h>

#include "conf/disk.h"
#include "conf/disk_json.h"
#include "conf/disk_parse.h"
#include "util/error.h"
#include "util/json.h"
#include "util/macro.h"
#include "util/strv.h"

/* A VM's drive list as JSON text. */
#define VM_JSON_MAX (16u << 20)
/* More drives than any VM can have: 702 names on each of vd and sd, 4 hd, 2 fd. */
#define VM_DRIVES_MAX 2048

/* The drives of a VM document: 1 and the list, or an error (message set). */
static int vm_drive_list(yajl_val root, yajl_val *ret, bool *ret_devices) {
        static const char what[] = "VM drives";
        yajl_val drives = NULL, devices = NULL;

        *ret_devices = false;
        if (YAJL_IS_ARRAY(root)) {
                *ret = root;
                return 0;
        }
        if (!YAJL_IS_OBJECT(root))
                return storvirt__error_set(-EINVAL,
                                           "%s: expected a list of drives or an object with "
                                           "'drives' or 'devices', got %s",
                                           what, DESCRIBE(root));
        for (size_t i = 0; i < root->u.object.len; i++) {
                const char *k = root->u.object.keys[i];
                yajl_val *slot = strcmp(k, "drives") == 0 ? &drives :
                                 strcmp(k, "devices") == 0 ? &devices : NULL;

                if (!slot)
                        continue;   /* the rest of a VM's parameters */
                if (*slot)
                        return storvirt__error_set(-EINVAL, "%s: key '%s' given twice", what, k);
                *slot = root->u.object.values[i];
        }
        if (drives && devices)
                return storvirt__error_set(-EINVAL, "%s: both 'drives' and 'devices' given; give "
                                           "one list", what);
        if (!drives && !devices)
                return storvirt__error_set(-EINVAL, "%s: no 'drives' or 'devices' list", what);
        if (!YAJL_IS_ARRAY(drives ? drives : devices))
                return storvirt__error_set(-EINVAL, "%s: key '%s': expected an array, got %s", what,
                                           drives ? "drives" : "devices",
                                           DESCRIBE(drives ? drives : devices));
        *ret = drives ? drives : devices;
        *ret_devices = devices != NULL;
        return 0;
}

/* In a devices list: an object whose type is "disk". */
static bool is_disk_device(yajl_val d) {
        yajl_val t;

        if (!YAJL_IS_OBJECT(d))
                return true;   /* reported as not an object */
        t = storvirt__disk_member_value(d, "type");
        return YAJL_IS_STRING(t) && strcmp(t->u.string, "disk") == 0;
}

/* A VM's drives as they are parsed. */
struct vm {
        struct storvirt__strv_builder b;        /* every problem */
        storvirt__disk_spec **specs;            /* n drives, NULL where one did not parse */
        bool *parsed;                           /* by drive: parsed */
        size_t n;
};

/* Note the failure r (message set) as a problem of the list; returns r. */
static int list_problem(struct vm *vm, int r) {
        if (r != -ENOMEM && storvirt__strv_builder_add(&vm->b, storvirt__error_msg()) < 0)
                return storvirt__error_oom();
        return r;
}

/* The list of drives in json (root keeps it), and how many drives it holds. */
static int find_drives(struct vm *vm, const char *json, size_t len, yajl_val *root,
                       yajl_val *ret_drives, bool *ret_devices, size_t *ret_count) {
        yajl_val drives = NULL;
        size_t count = 0;
        int r;

        r = storvirt__json_parse(json, len, VM_JSON_MAX, root, "VM drives");
        if (r == 0)
                r = vm_drive_list(*root, &drives, ret_devices);
        if (r == 0 && !drives)
                r = storvirt__error_set(-EINVAL, "VM drives: no list of drives");
        if (r < 0 || !drives)
                return list_problem(vm, r);
        for (size_t i = 0; i < drives->u.array.len; i++)
                count += !*ret_devices || is_disk_device(drives->u.array.values[i]);
        if (count > VM_DRIVES_MAX)
                return list_problem(vm, storvirt__error_set(-EINVAL, "VM drives: %zu drives, "
                                                                     "more than %d",
                                                            count, VM_DRIVES_MAX));
        *ret_drives = drives;
        *ret_count = count;
        return 0;
}

/* Each drive parsed and checked, its problems collected; -ENOMEM, else 0. */
static int parse_drives(struct vm *vm, yajl_val drives, bool devices, size_t count) {
        int r;

        vm->specs = calloc(count + 1, sizeof(*vm->specs));
        vm->parsed = calloc(count + 1, sizeof(*vm->parsed));
        if (!vm->specs || !vm->parsed)
                return storvirt__error_oom();
        for (size_t i = 0; i < drives->u.array.len; i++) {
                yajl_val d = drives->u.array.values[i];
                struct storvirt__disk_collect c = { .problems = &vm->b };
                char what[48];

                if (devices && !is_disk_device(d))
                        continue;
                /* numbered by position in the list given, from 1 */
                snprintf(what, sizeof(what), "drive %zu", i + 1);
                r = storvirt__disk_drive_parse(d, what, &vm->specs[vm->n], &c);
                free(c.first_msg);
                if (c.oom)
                        return storvirt__error_oom();
                if (r == 0) {
                        vm->parsed[vm->n] = true;
                        r = storvirt__disk_spec_check(vm->specs[vm->n], &vm->b);
                        if (r < 0)
                                return r;
                }
                vm->n++;
        }
        return 0;
}

/* Indexes and cross-checks over the drives that parsed; -ENOMEM, else 0. */
static int cross_check(struct vm *vm) {
        _cleanup_free_ storvirt__disk_spec **ok = calloc(vm->n + 1, sizeof(*ok));
        _cleanup_strv_free_ char **cross = NULL;
        size_t k = 0;
        int r;

        if (!ok)
                return storvirt__error_oom();
        for (size_t i = 0; i < vm->n; i++)
                if (vm->parsed[i])
                        ok[k++] = vm->specs[i];
        r = storvirt__disk_specs_complete(ok, k, &cross);
        if (r < 0 && r != -EINVAL)
                return r;
        for (char **p = cross; p && *p; p++)
                if (storvirt__strv_builder_add(&vm->b, *p) < 0)
                        return storvirt__error_oom();
        return 0;
}

/*
 * The outcome: the drives without problems; with problems, -EINVAL, the
 * first problem as the error and the list (and with keep, the drives
 * that parsed).
 */
static int finish(struct vm *vm, int r, bool keep, storvirt__disk_spec ***ret_specs,
                  size_t *ret_n, char ***ret_problems) {
        _cleanup_strv_free_ char **list = NULL;

        if (r == -ENOMEM || (r < 0 && vm->b.n == 0)) {
                storvirt__strv_builder_done(&vm->b);
                storvirt__disk_specs_free(vm->specs, vm->n);
                return r;
        }
        if (vm->b.n == 0) {
                storvirt__strv_builder_done(&vm->b);
                *ret_specs = vm->specs;
                *ret_n = vm->n;
                return 0;
        }
        if (keep && vm->specs) {
                /* The drives that parsed stay, the others are NULL. */
                for (size_t i = 0; i < vm->n; i++)
                        if (!vm->parsed[i]) {
                                storvirt__disk_spec_free(vm->specs[i]);
                                vm->specs[i] = NULL;
                        }
                *ret_specs = TAKE_PTR(vm->specs);
                *ret_n = vm->n;
        }
        storvirt__disk_specs_free(vm->specs, vm->n);
        if (storvirt__strv_builder_finish(&vm->b, &list) < 0) {
                storvirt__strv_builder_done(&vm->b);
                return storvirt__error_oom();
        }
        if (list[1])
                r = storvirt__error_set(-EINVAL, "%s (and %zu more problems)", list[0],
                                        storvirt__strv_length(list) - 1);
        else
                r = storvirt__error_set(-EINVAL, "%s", list[0]);
        if (ret_problems)
                *ret_problems = TAKE_PTR(list);
        return r;
}

static int parse_vm(const char *json, size_t len, storvirt__disk_spec ***ret_specs,
                    size_t *ret_n, char ***ret_problems, bool keep) {
        _cleanup_json_ yajl_val root = NULL;
        struct vm vm = {};
        yajl_val drives = NULL;
        bool devices = false;
        size_t count = 0;
        int r;

        check_arg(json || len == 0, "json", "must not be NULL when len > 0");
        check_nonnull(ret_specs);
        check_nonnull(ret_n);
        *ret_specs = NULL;
        *ret_n = 0;
        if (ret_problems)
                *ret_problems = NULL;
        r = find_drives(&vm, json, len, &root, &drives, &devices, &count);
        if (r >= 0)
                r = parse_drives(&vm, drives, devices, count);
        if (r >= 0)
                r = cross_check(&vm);
        r = finish(&vm, r, keep, ret_specs, ret_n, ret_problems);
        free(vm.parsed);
        return r;
}

int storvirt__disk_specs_parse_vm(const char *json, size_t len, storvirt__disk_spec ***ret_specs,
                                  size_t *ret_n, char ***ret_problems) {
        return parse_vm(json, len, ret_specs, ret_n, ret_problems, false);
}

int storvirt__disk_specs_parse_vm_keep(const char *json, size_t len,
                                       storvirt__disk_spec ***ret_specs, size_t *ret_n,
                                       char ***ret_problems) {
        return parse_vm(json, len, ret_specs, ret_n, ret_problems, true);
}

