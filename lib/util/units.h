/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * units.h - capacity values with libvirt's unit rules (virScaleInteger):
 * a base-10 unsigned 64-bit number and a case-insensitive suffix
 *
 *   none, "", b, byte, bytes   x1
 *   k m g t p e                powers of 1024
 *   KiB MiB GiB TiB PiB EiB    powers of 1024
 *   KB MB GB TB PB EB          powers of 1000
 *
 * and formatting of byte counts in binary units.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/*
 * Parses a capacity into bytes.  With unit == NULL the suffix may follow
 * the number inside value, optionally after one space ("10GiB", "512M",
 * "1 G"); otherwise value must be digits only and unit is the suffix.
 * limit is the largest acceptable result (0 means UINT64_MAX).
 * -EINVAL: empty or malformed number (sign, fraction, whitespace, hex)
 * or unknown suffix; -ERANGE: "value too large" (above limit, or the
 * number does not fit in 64 bits).  *ret_bytes is written on success only.
 */
int storvirt__units_parse(const char *value, const char *unit, uint64_t limit,
                          uint64_t *ret_bytes);

/*
 * Formats bytes into a new caller-owned string.
 * Exact (human == false): the largest binary unit that divides it,
 * "10GiB", "1536KiB", a plain number otherwise ("4097", "0").
 * Human: one decimal in the largest binary unit not above it, rounded
 * half up and carried to the next unit when it reaches 1024.0
 * ("1.5 GiB", "4.0 KiB"); below 1024 plain bytes ("12 B").
 * -ENOMEM.
 */
int storvirt__units_format(uint64_t bytes, bool human, char **ret_str);
