/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dmstripe.h - device-mapper devices through libdevmapper: the table of a
 * striped target, and the creation of a device holding one target.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/*
 * The parameters of a dm "striped" target over n devices (paths) of at
 * least member_bytes each, chunk_kb KiB per chunk:
 * "<n> <chunk sectors> <dev1> 0 <dev2> 0 ...", and its length in 512-byte
 * sectors: every member contributes whole chunks only, so the length is
 * a multiple of the chunk size times n (the kernel refuses anything else).
 * -EINVAL (naming why) for fewer than 2 devices, a chunk of 0, a chunk
 * that is not a whole number of sectors' worth (always is: KiB), members
 * smaller than one chunk, or a path with a space.
 */
int storvirt__dm_striped_table(char *const *devices, size_t n, uint64_t member_bytes,
                               uint32_t chunk_kb, uint64_t *ret_sectors, char **ret_params);

/*
 * What tells that the kernel has device-mapper: its misc device in sysfs
 * (a test may point it elsewhere).  libdevmapper itself is not asked:
 * it prints to stderr when the driver is missing.
 */
extern const char *storvirt__dm_probe_path;

/*
 * Create /dev/mapper/<name> (uuid may be NULL) with one target covering
 * sectors: DM_DEVICE_CREATE with the table loaded, then resumed, as
 * dmsetup create does.  -EOPNOTSUPP without device-mapper (built without
 * libdevmapper, or a kernel without it: the message says which),
 * -EEXIST when the name is taken, -EIO with the kernel's errno otherwise.
 */
int storvirt__dm_create(const char *name, const char *uuid, uint64_t sectors, const char *target,
                        const char *params);
