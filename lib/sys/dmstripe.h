/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dmstripe.h - the table of a striped device-mapper target; the device
 * is created through the device-mapper slots of the sys-ops table
 * (sys/dm.h holds the host's).
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
