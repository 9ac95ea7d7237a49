/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dm.h - device-mapper through libdevmapper: whether the kernel has it,
 * the names of its devices, a device's table or status, and the creation
 * of a device holding one target.  These are the host's implementations
 * of the device-mapper slots of the sys-ops table (sys/sysops.h);
 * callers go through the table.  Built without libdevmapper, every
 * operation is -EOPNOTSUPP saying so.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * What tells that the kernel has device-mapper: its misc device in sysfs
 * (a test may point it elsewhere).  libdevmapper itself is not asked:
 * it prints to stderr when the driver is missing.
 */
extern const char *storvirt__dm_probe_path;

/* One target of a device's table, or its status line. */
struct storvirt__dm_target {
        uint64_t start, length;         /* 512-byte sectors */
        char *type;                     /* "multipath", "linear", "striped"... */
        char *params;                   /* the table's parameters, or the status */
};

struct storvirt__dm_table {
        char *uuid;                     /* the device's dm uuid, "" when it has none */
        struct storvirt__dm_target *targets;
        size_t n_targets;
};

void storvirt__dm_table_clear(struct storvirt__dm_table *t);

/*
 * 0 when the kernel has device-mapper; -EOPNOTSUPP with "device-mapper
 * is not available in this kernel (no PATH)" (or "built without
 * libdevmapper") otherwise.
 */
int storvirt__dm_available(void);

/* The names of every device-mapper device (a NULL-terminated vector), -EIO. */
int storvirt__dm_list(char ***ret_names);

/*
 * The table of the device name (status false: DM_DEVICE_TABLE, with its
 * uuid), or its status lines (true: DM_DEVICE_STATUS, uuid ""): -EIO
 * when device-mapper cannot read it.
 */
int storvirt__dm_table_read(const char *name, bool status, struct storvirt__dm_table *ret);

/*
 * Create /dev/mapper/<name> (uuid may be NULL) with one target covering
 * sectors: DM_DEVICE_CREATE with the table loaded, then resumed, as
 * dmsetup create does.  -EOPNOTSUPP without device-mapper (built without
 * libdevmapper, or a kernel without it: the message says which),
 * -EEXIST when the name is taken, -EIO with the kernel's errno otherwise.
 */
int storvirt__dm_create(const char *name, const char *uuid, uint64_t sectors, const char *target,
                        const char *params);
