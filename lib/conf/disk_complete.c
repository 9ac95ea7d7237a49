/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * disk_complete.c - the drives of one VM completed and checked together:
 * the defaults that need no host, an index for each drive without one
 * (the lowest free on its bus after every given index is taken; scsi,
 * sata and usb share the "sd" names, so they share the indexes too), and
 * the cross-checks (an index, target dev, boot order, address or alias
 * used twice).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "conf/disk.h"
#include "util/error.h"
#include "util/macro.h"
#include "util/strv.h"

static int vm_problem(char ***problems, const char *fmt, ...) _printf_(2, 3);
static int vm_problem(char ***problems, const char *fmt, ...) {
        char *m;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&m, fmt, ap);
        va_end(ap);
        if (r < 0)
                return storvirt__error_oom();
        r = storvirt__strv_push(problems, m);
        if (r < 0) {
                free(m);
                return storvirt__error_oom();
        }
        return 0;
}

int storvirt__disk_specs_complete(storvirt__disk_spec **specs, size_t n, char ***problems) {
        /* per name space (vd, sd, hd, fd) and index: 1 + the drive using it, 0 when free */
        _cleanup_free_ size_t *used = NULL;
        size_t before;
        int r;

        check_arg(specs || n == 0, "specs", "must not be NULL when n > 0");
        check_nonnull(problems);
        before = storvirt__strv_length(*problems);
        used = calloc(4 * (STORVIRT__DISK_INDEX_MAX + 1), sizeof(*used));
        if (!used)
                return storvirt__error_oom();
#define USED(ns, i) used[(size_t) (ns) * (STORVIRT__DISK_INDEX_MAX + 1) + (size_t) (i)]

        for (size_t i = 0; i < n; i++)
                if (specs[i])
                        storvirt__disk_spec_apply_defaults(specs[i]);

        /* explicit indexes first */
        for (size_t i = 0; i < n; i++) {
                storvirt__disk_spec *s = specs[i];
                int ns;

                if (!s || s->index < 0 || s->index > STORVIRT__DISK_INDEX_MAX ||
                    (ns = storvirt__disk_bus_namespace(s->bus)) < 0)
                        continue;
                if (USED(ns, s->index)) {
                        const storvirt__disk_spec *o = specs[USED(ns, s->index) - 1];
                        char dev[16];

                        if (o->bus == s->bus)
                                r = vm_problem(problems,
                                               "%s: index %d on bus %s already used by %s",
                                               storvirt__disk_spec_name(s), s->index,
                                               storvirt__disk_bus_names[s->bus],
                                               storvirt__disk_spec_name(o));
                        else if (storvirt__disk_target_dev(s->bus, (unsigned) s->index, dev,
                                                           sizeof(dev)) == 0)
                                r = vm_problem(problems,
                                               "%s: target dev %s (bus %s, index %d) is also "
                                               "that of %s (bus %s, index %d)",
                                               storvirt__disk_spec_name(s), dev,
                                               storvirt__disk_bus_names[s->bus], s->index,
                                               storvirt__disk_spec_name(o),
                                               storvirt__disk_bus_names[o->bus], o->index);
                        else
                                r = 0;
                        if (r < 0)
                                return r;
                        continue;
                }
                USED(ns, s->index) = i + 1;
        }
        /* then the lowest free index on the bus, in order */
        for (size_t i = 0; i < n; i++) {
                storvirt__disk_spec *s = specs[i];
                unsigned max;
                int ns;

                if (!s || s->index >= 0 || (ns = storvirt__disk_bus_namespace(s->bus)) < 0)
                        continue;
                max = storvirt__disk_bus_index_max(s->bus);
                for (unsigned k = 0; k <= max; k++)
                        if (!USED(ns, k)) {
                                s->index = (int) k;
                                USED(ns, k) = i + 1;
                                break;
                        }
                if (s->index < 0) {
                        r = vm_problem(
                                problems, "%s: no free index on bus %s (0 to %u are all used)",
                                storvirt__disk_spec_name(s), storvirt__disk_bus_names[s->bus], max);
                        if (r < 0)
                                return r;
                }
        }
#undef USED

        /* boot order, addresses and aliases: each used once */
        for (size_t i = 0; i < n; i++) {
                const storvirt__disk_spec *s = specs[i];
                bool boot_dup = false, addr_dup = false, alias_dup = false;

                if (!s)
                        continue;
                for (size_t j = 0; j < i; j++) {
                        const storvirt__disk_spec *o = specs[j];
                        const storvirt__disk_address *a = &s->address, *b;

                        if (!o)
                                continue;
                        b = &o->address;
                        if (!boot_dup && s->boot_order && s->boot_order == o->boot_order) {
                                boot_dup = true;
                                r = vm_problem(problems, "%s: boot order %u already used by %s",
                                               storvirt__disk_spec_name(s), s->boot_order,
                                               storvirt__disk_spec_name(o));
                                if (r < 0)
                                        return r;
                        }
                        if (!addr_dup && a->type == STORVIRT__DISK_ADDRESS_PCI &&
                            b->type == STORVIRT__DISK_ADDRESS_PCI && a->domain == b->domain &&
                            a->bus == b->bus && a->slot == b->slot && a->function == b->function) {
                                addr_dup = true;
                                r = vm_problem(problems,
                                               "%s: PCI address %04x:%02x:%02x.%x already "
                                               "used by %s",
                                               storvirt__disk_spec_name(s), a->domain, a->bus,
                                               a->slot, a->function, storvirt__disk_spec_name(o));
                                if (r < 0)
                                        return r;
                        }
                        if (!addr_dup && a->type == STORVIRT__DISK_ADDRESS_DRIVE &&
                            b->type == STORVIRT__DISK_ADDRESS_DRIVE && s->bus == o->bus &&
                            a->controller == b->controller && a->drive_bus == b->drive_bus &&
                            a->target == b->target && a->unit == b->unit) {
                                addr_dup = true;
                                r = vm_problem(problems,
                                               "%s: drive address controller %u bus %u "
                                               "target %u unit %u on bus %s already used by %s",
                                               storvirt__disk_spec_name(s), a->controller,
                                               a->drive_bus, a->target, a->unit,
                                               storvirt__disk_bus_names[s->bus]
                                                       ? storvirt__disk_bus_names[s->bus]
                                                       : "?",
                                               storvirt__disk_spec_name(o));
                                if (r < 0)
                                        return r;
                        }
                        if (!alias_dup && s->alias && o->alias && strcmp(s->alias, o->alias) == 0) {
                                alias_dup = true;
                                r = vm_problem(problems, "%s: alias %s already used by %s",
                                               storvirt__disk_spec_name(s), s->alias,
                                               storvirt__disk_spec_name(o));
                                if (r < 0)
                                        return r;
                        }
                }
        }
        return storvirt__strv_length(*problems) > before ? -EINVAL : 0;
}
