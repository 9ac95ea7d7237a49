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

static int parse_vm(const char *json, size_t len, storvirt__disk_spec ***ret_specs,
                    size_t *ret_n, char ***ret_problems, bool keep) {
        struct storvirt__strv_builder b = {};
        _cleanup_json_ yajl_val root = NULL;
        storvirt__disk_spec **specs = NULL;
        _cleanup_free_ bool *parsed = NULL;
        _cleanup_strv_free_ char **cross = NULL;
        _cleanup_strv_free_ char **list = NULL;
        yajl_val drives = NULL;
        bool devices = false;
        size_t n = 0, count;
        int r;

        check_arg(json || len == 0, "json", "must not be NULL when len > 0");
        check_nonnull(ret_specs);
        check_nonnull(ret_n);
        *ret_specs = NULL;
        *ret_n = 0;
        if (ret_problems)
                *ret_problems = NULL;

        r = storvirt__json_parse(json, len, VM_JSON_MAX, &root, "VM drives");
        if (r == 0)
                r = vm_drive_list(root, &drives, &devices);
        if (r == 0 && !drives)
                r = storvirt__error_set(-EINVAL, "VM drives: no list of drives");
        if (r < 0 || !drives) {
                if (r != -ENOMEM && storvirt__strv_builder_add(&b, storvirt__error_msg()) < 0)
                        r = storvirt__error_oom();
                goto done;
        }
        count = 0;
        for (size_t i = 0; i < drives->u.array.len; i++)
                count += !devices || is_disk_device(drives->u.array.values[i]);
        if (count > VM_DRIVES_MAX) {
                r = storvirt__error_set(-EINVAL, "VM drives: %zu drives, more than %d", count,
                                        VM_DRIVES_MAX);
                if (storvirt__strv_builder_add(&b, storvirt__error_msg()) < 0)
                        r = storvirt__error_oom();
                goto done;
        }
        specs = calloc(count + 1, sizeof(*specs));
        parsed = calloc(count + 1, sizeof(*parsed));
        if (!specs || !parsed) {
                r = storvirt__error_oom();
                goto done;
        }
        for (size_t i = 0; i < drives->u.array.len; i++) {
                yajl_val d = drives->u.array.values[i];
                struct storvirt__disk_collect c = { .problems = &b };
                char what[48];

                if (devices && !is_disk_device(d))
                        continue;
                /* numbered by position in the list given, from 1 */
                snprintf(what, sizeof(what), "drive %zu", i + 1);
                r = storvirt__disk_drive_parse(d, what, &specs[n], &c);
                free(c.first_msg);
                if (c.oom) {
                        r = storvirt__error_oom();
                        goto done;
                }
                if (r == 0) {
                        parsed[n] = true;
                        r = storvirt__disk_spec_check(specs[n], &b);
                        if (r < 0)
                                goto done;
                }
                n++;
        }
        /* Cross-checks over the drives that parsed. */
        {
                _cleanup_free_ storvirt__disk_spec **ok = calloc(n + 1, sizeof(*ok));
                size_t k = 0;

                if (!ok) {
                        r = storvirt__error_oom();
                        goto done;
                }
                for (size_t i = 0; i < n; i++)
                        if (parsed[i])
                                ok[k++] = specs[i];
                r = storvirt__disk_specs_complete(ok, k, &cross);
                if (r < 0 && r != -EINVAL)
                        goto done;
                for (char **p = cross; p && *p; p++)
                        if (storvirt__strv_builder_add(&b, *p) < 0) {
                                r = storvirt__error_oom();
                                goto done;
                        }
        }
        r = 0;
done:
        if (r == -ENOMEM || (r < 0 && b.n == 0)) {
                storvirt__strv_builder_done(&b);
                storvirt__disk_specs_free(specs, n);
                return r;
        }
        if (b.n == 0) {
                storvirt__strv_builder_done(&b);
                *ret_specs = specs;
                *ret_n = n;
                return 0;
        }
        if (keep && specs) {
                /* The drives that parsed stay, the others are NULL. */
                for (size_t i = 0; i < n; i++)
                        if (!parsed[i]) {
                                storvirt__disk_spec_free(specs[i]);
                                specs[i] = NULL;
                        }
                *ret_specs = TAKE_PTR(specs);
                *ret_n = n;
        }
        storvirt__disk_specs_free(specs, n);
        if (storvirt__strv_builder_finish(&b, &list) < 0) {
                storvirt__strv_builder_done(&b);
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

int storvirt__disk_specs_parse_vm(const char *json, size_t len, storvirt__disk_spec ***ret_specs,
                                  size_t *ret_n, char ***ret_problems) {
        return parse_vm(json, len, ret_specs, ret_n, ret_problems, false);
}

int storvirt__disk_specs_parse_vm_keep(const char *json, size_t len,
                                       storvirt__disk_spec ***ret_specs, size_t *ret_n,
                                       char ***ret_problems) {
        return parse_vm(json, len, ret_specs, ret_n, ret_problems, true);
}

