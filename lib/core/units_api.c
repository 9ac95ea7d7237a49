/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * units_api.c - the public capacity functions of <storvirt/units.h>:
 * argument checks around the internal parser and formatter.
 */
#include "util/macro.h"
#include "util/units.h"

#include <storvirt/units.h>

STORVIRT_EXPORT int storvirt_units_parse(const char *value, const char *unit, uint64_t limit,
                                         uint64_t *ret_bytes, uint32_t flags) {
        check_nonnull(value);
        check_nonnull(ret_bytes);
        check_flags(flags, 0);

        return storvirt__units_parse(value, unit, limit, ret_bytes);
}

STORVIRT_EXPORT int storvirt_units_format(uint64_t bytes, char **ret_str, uint32_t flags) {
        check_nonnull(ret_str);
        check_flags(flags, STORVIRT_UNITS_FORMAT_HUMAN);

        return storvirt__units_format(bytes, flags & STORVIRT_UNITS_FORMAT_HUMAN, ret_str);
}
