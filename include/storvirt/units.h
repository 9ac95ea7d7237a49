/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storvirt/units.h - capacity values with libvirt's unit rules.
 * Include <storvirt.h> instead.
 */
#ifndef STORVIRT_UNITS_H
#define STORVIRT_UNITS_H

#include <storvirt/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * storvirt_units_parse:
 * Parses a capacity as libvirt does: `value` is a base-10 unsigned
 * integer; `unit` (case-insensitive) is empty/NULL or b, byte, bytes
 * (x1), k m g t p e or KiB MiB GiB TiB PiB EiB (powers of 1024), KB MB
 * GB TB PB EB (powers of 1000).  When unit is NULL the suffix may follow
 * the number inside `value` ("10GiB", "512M").  A result above `limit`
 * (0 means UINT64_MAX) is -ERANGE ("value too large"); an unknown suffix
 * or a malformed number (sign, fraction, hex, empty) is -EINVAL.  A single
 * space may separate the number from an inline suffix.  flags must be 0.
 * Returns 0, -EINVAL, -ERANGE; *ret_bytes is written only on success.
 * Since: 0.1
 */
int storvirt_units_parse(const char *value, const char *unit, uint64_t limit,
                         uint64_t *ret_bytes, uint32_t flags);

/* Flags of storvirt_units_format(). */
/* Round to one decimal in the largest binary unit ("1.5 GiB"). */
#define STORVIRT_UNITS_FORMAT_HUMAN (1u << 0)

/*
 * storvirt_units_format:
 * Formats a byte count.  Default: exact, in the largest binary unit that
 * divides it ("10GiB", "1536KiB", "4097" for bytes).  With
 * STORVIRT_UNITS_FORMAT_HUMAN, rounded ("1.5 GiB", "4.0 KiB", "12 B").
 * Rounding is half up and carries into the next unit (1048575 bytes is
 * "1.0 MiB").  0 is "0" (exact) or "0 B" (human).  The result is
 * caller-owned (storvirt_free()).
 * Returns 0, -EINVAL, -ENOMEM.
 * Since: 0.1
 */
int storvirt_units_format(uint64_t bytes, char **ret_str, uint32_t flags);

#ifdef __cplusplus
}
#endif

#endif
