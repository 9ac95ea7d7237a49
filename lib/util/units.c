/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * units.c - parsing and formatting of capacities with libvirt's unit
 * suffixes and overflow rule (value > limit / scale is "value too
 * large").  See units.h for the accepted forms.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/macro.h"
#include "util/units.h"

/* Single-letter prefixes, "k" meaning 1024^1 (or 1000^1 with a "B"). */
static const char unit_letters[] = "kmgtpe";
static const char *const unit_names[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };

static uint64_t pow_u64(uint64_t base, unsigned n) {
        uint64_t r = 1;

        while (n-- > 0)
                r *= base;
        return r;
}

/* The scale of a suffix, or 0 if unknown.  NULL or "" is bytes. */
static uint64_t unit_scale(const char *unit) {
        const char *p;
        unsigned n;

        if (!unit || unit[0] == '\0')
                return 1;
        if (strcasecmp(unit, "b") == 0 || strcasecmp(unit, "byte") == 0 ||
            strcasecmp(unit, "bytes") == 0)
                return 1;
        p = strchr(unit_letters, unit[0] | 0x20);
        if (!p)
                return 0;
        n = (unsigned)(p - unit_letters) + 1;
        if (unit[1] == '\0' || strcasecmp(unit + 1, "ib") == 0)
                return pow_u64(1024, n);
        if (strcasecmp(unit + 1, "b") == 0)
                return pow_u64(1000, n);
        return 0;
}

/* Parses the leading digits of s; *end is set past them. */
static int parse_number(const char *s, const char **end, uint64_t *ret) {
        uint64_t v = 0;
        const char *p = s;

        if (*p < '0' || *p > '9')
                return *p == '\0' ?
                        storvirt__error_set(-EINVAL, "invalid capacity '': empty value") :
                        storvirt__error_set(-EINVAL,
                                "invalid capacity '%s': expected a base-10 unsigned integer", s);
        for (; *p >= '0' && *p <= '9'; p++) {
                unsigned d = (unsigned)(*p - '0');

                if (v > (UINT64_MAX - d) / 10)
                        return storvirt__error_set(-ERANGE,
                                "value too large: '%s' does not fit in 64 bits", s);
                v = v * 10 + d;
        }
        if (*p == '.')
                return storvirt__error_set(-EINVAL,
                        "invalid capacity '%s': fractions are not accepted", s);
        *end = p;
        *ret = v;
        return 0;
}

/* Splits the suffix off value when no separate unit was given. */
static int split_suffix(const char *value, const char *p, const char **ret_unit) {
        if (*p == ' ') {
                p++;
                if (*p == '\0' || *p == ' ')
                        return storvirt__error_set(-EINVAL,
                                "invalid capacity '%s': expected a unit after the space", value);
        }
        *ret_unit = p;
        return 0;
}

int storvirt__units_parse(const char *value, const char *unit, uint64_t limit,
                          uint64_t *ret_bytes) {
        const char *end = NULL, *suffix = unit;
        uint64_t v = 0, scale;
        int r;

        if (!value || !ret_bytes)
                return storvirt__error_set(-EINVAL,
                        "units_parse: invalid argument '%s': must not be NULL",
                        !value ? "value" : "ret_bytes");
        r = parse_number(value, &end, &v);
        if (r < 0)
                return r;
        if (unit && *end != '\0')
                return storvirt__error_set(-EINVAL,
                        "invalid capacity '%s': expected only digits with unit '%s'",
                        value, unit);
        if (!unit) {
                r = split_suffix(value, end, &suffix);
                if (r < 0)
                        return r;
        }
        scale = unit_scale(suffix);
        if (scale == 0)
                return storvirt__error_set(-EINVAL,
                        "unknown suffix '%s' in capacity '%s' (expected b, bytes, "
                        "k/m/g/t/p/e, KiB..EiB or KB..EB)", suffix, value);
        if (limit == 0)
                limit = UINT64_MAX;
        if (v > limit / scale)
                return storvirt__error_set(-ERANGE,
                        "value too large: '%s%s%s' exceeds the limit of %llu bytes",
                        value, unit ? " " : "", unit ? unit : "",
                        (unsigned long long)limit);
        *ret_bytes = v * scale;
        return 0;
}

static int format_exact(uint64_t bytes, char **ret_str) {
        unsigned n = 0;

        while (bytes != 0 && n < 6 && (bytes & ((UINT64_C(1) << (10 * (n + 1))) - 1)) == 0)
                n++;
        if (n == 0)
                return asprintf(ret_str, "%llu", (unsigned long long)bytes);
        return asprintf(ret_str, "%llu%s", (unsigned long long)(bytes >> (10 * n)),
                        unit_names[n]);
}

/* Tenths of 1024^n in bytes, rounded half up; no 64-bit overflow. */
static uint64_t tenths_of(uint64_t bytes, unsigned n) {
        unsigned shift = 10 * n;
        uint64_t q = bytes >> shift, rem = bytes & ((UINT64_C(1) << shift) - 1);

        return q * 10 + ((rem * 10 + (UINT64_C(1) << shift >> 1)) >> shift);
}

static int format_human(uint64_t bytes, char **ret_str) {
        unsigned n = 0;
        uint64_t t;

        if (bytes < 1024)
                return asprintf(ret_str, "%llu B", (unsigned long long)bytes);
        while (n < 6 && bytes >> (10 * (n + 1)) != 0)
                n++;
        t = tenths_of(bytes, n);
        if (t >= 10240 && n < 6)
                t = tenths_of(bytes, ++n);
        return asprintf(ret_str, "%llu.%llu %s", (unsigned long long)(t / 10),
                        (unsigned long long)(t % 10), unit_names[n]);
}

int storvirt__units_format(uint64_t bytes, bool human, char **ret_str) {
        char *s = NULL;
        int r;

        if (!ret_str)
                return storvirt__error_set(-EINVAL,
                        "units_format: invalid argument 'ret_str': must not be NULL");
        r = human ? format_human(bytes, &s) : format_exact(bytes, &s);
        if (r < 0)
                return storvirt__error_oom();
        *ret_str = s;
        return 0;
}
