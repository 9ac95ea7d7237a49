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

/* By name space of target names (vd, sd, hd, fd) and index: 1 + the drive using it, 0 if free. */
struct index_map {
        size_t used[4][STORVIRT__DISK_INDEX_MAX + 1];
};

/* An index given twice on one bus, or two indexes that are one target dev. */
static int index_taken(char ***problems, const storvirt__disk_spec *s,
                       const storvirt__disk_spec *o) {
        char dev[16];

        if (o->bus == s->bus)
                return vm_problem(problems, "%s: index %d on bus %s already used by %s",
                                  storvirt__disk_spec_name(s), s->index,
                                  storvirt__disk_bus_names[s->bus], storvirt__disk_spec_name(o));
        if (storvirt__disk_target_dev(s->bus, (unsigned) s->index, dev, sizeof(dev)) < 0)
                return 0;
        return vm_problem(problems,
                          "%s: target dev %s (bus %s, index %d) is also "
                          "that of %s (bus %s, index %d)",
                          storvirt__disk_spec_name(s), dev, storvirt__disk_bus_names[s->bus],
                          s->index, storvirt__disk_spec_name(o), storvirt__disk_bus_names[o->bus],
                          o->index);
}

/* The indexes given, each taken by its drive. */
static int take_given_indexes(storvirt__disk_spec **specs, size_t n, struct index_map *m,
                              char ***problems) {
        for (size_t i = 0; i < n; i++) {
                storvirt__disk_spec *s = specs[i];
                size_t *slot;
                int ns, r;

                if (!s || s->index < 0 || s->index > STORVIRT__DISK_INDEX_MAX ||
                    (ns = storvirt__disk_bus_namespace(s->bus)) < 0)
                        continue;
                slot = &m->used[ns][s->index];
                if (*slot) {
                        r = index_taken(problems, s, specs[*slot - 1]);
                        if (r < 0)
                                return r;
                        continue;
                }
                *slot = i + 1;
        }
        return 0;
}

/* The lowest free index on its bus for each drive without one, in order. */
static int assign_free_indexes(storvirt__disk_spec **specs, size_t n, struct index_map *m,
                               char ***problems) {
        for (size_t i = 0; i < n; i++) {
                storvirt__disk_spec *s = specs[i];
                unsigned max;
                int ns, r;

                if (!s || s->index >= 0 || (ns = storvirt__disk_bus_namespace(s->bus)) < 0)
                        continue;
                max = storvirt__disk_bus_index_max(s->bus);
                for (unsigned k = 0; k <= max; k++)
                        if (!m->used[ns][k]) {
                                s->index = (int) k;
                                m->used[ns][k] = i + 1;
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
        return 0;
}

static bool same_pci_address(const storvirt__disk_address *a, const storvirt__disk_address *b) {
        return a->type == STORVIRT__DISK_ADDRESS_PCI && b->type == STORVIRT__DISK_ADDRESS_PCI &&
               a->domain == b->domain && a->bus == b->bus && a->slot == b->slot &&
               a->function == b->function;
}

static bool same_drive_address(const storvirt__disk_address *a, const storvirt__disk_address *b) {
        return a->type == STORVIRT__DISK_ADDRESS_DRIVE && b->type == STORVIRT__DISK_ADDRESS_DRIVE &&
               a->controller == b->controller && a->drive_bus == b->drive_bus &&
               a->target == b->target && a->unit == b->unit;
}

/* What drive s uses once: each found again in an earlier drive o is reported once (dups). */
struct dups {
        bool boot, addr, alias;
};

static int pair_problems(char ***problems, const storvirt__disk_spec *s,
                         const storvirt__disk_spec *o, struct dups *d) {
        const storvirt__disk_address *a = &s->address;
        const char *sn = storvirt__disk_spec_name(s), *on = storvirt__disk_spec_name(o);
        int r = 0;

        if (!d->boot && s->boot_order && s->boot_order == o->boot_order) {
                d->boot = true;
                r = vm_problem(problems, "%s: boot order %u already used by %s", sn,
                               s->boot_order, on);
                if (r < 0)
                        return r;
        }
        if (!d->addr && same_pci_address(a, &o->address)) {
                d->addr = true;
                r = vm_problem(problems, "%s: PCI address %04x:%02x:%02x.%x already used by %s",
                               sn, a->domain, a->bus, a->slot, a->function, on);
                if (r < 0)
                        return r;
        }
        if (!d->addr && s->bus == o->bus && same_drive_address(a, &o->address)) {
                d->addr = true;
                r = vm_problem(problems,
                               "%s: drive address controller %u bus %u "
                               "target %u unit %u on bus %s already used by %s",
                               sn, a->controller, a->drive_bus, a->target, a->unit,
                               storvirt__disk_bus_names[s->bus] ? storvirt__disk_bus_names[s->bus]
                                                                : "?",
                               on);
                if (r < 0)
                        return r;
        }
        if (!d->alias && s->alias && o->alias && strcmp(s->alias, o->alias) == 0) {
                d->alias = true;
                r = vm_problem(problems, "%s: alias %s already used by %s", sn, s->alias, on);
        }
        return r;
}

int storvirt__disk_specs_complete(storvirt__disk_spec **specs, size_t n, char ***problems) {
        _cleanup_free_ struct index_map *m = NULL;
        size_t before;
        int r;

        check_arg(specs || n == 0, "specs", "must not be NULL when n > 0");
        check_nonnull(problems);
        before = storvirt__strv_length(*problems);
        m = calloc(1, sizeof(*m));
        if (!m)
                return storvirt__error_oom();
        for (size_t i = 0; i < n; i++)
                if (specs[i])
                        storvirt__disk_spec_apply_defaults(specs[i]);
        /* explicit indexes first, then the free ones */
        r = take_given_indexes(specs, n, m, problems);
        if (r >= 0)
                r = assign_free_indexes(specs, n, m, problems);
        /* boot order, addresses and aliases: each used once */
        for (size_t i = 0; r >= 0 && i < n; i++) {
                struct dups d = {};

                for (size_t j = 0; specs[i] && r >= 0 && j < i; j++)
                        if (specs[j])
                                r = pair_problems(problems, specs[i], specs[j], &d);
        }
        if (r < 0)
                return r;
        return storvirt__strv_length(*problems) > before ? -EINVAL : 0;
}
