/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * xml_canon.c - pool and volume XML checked and written in the
 * library's canonical form without a context: the public
 * storvirt_pool_xml_canonicalize() and storvirt_volume_xml_canonicalize()
 * around the parsers and formatters of lib/conf.
 */
#include <string.h>

#include "conf/pool_conf.h"
#include "conf/vol_conf.h"
#include "util/macro.h"

#include <storvirt/pool.h>
#include <storvirt/volume.h>

STORVIRT_EXPORT int storvirt_pool_xml_canonicalize(const char *xml, char **ret_xml,
                                                   uint32_t flags) {
        _cleanup_pool_def_ storvirt__pool_def *def = NULL;
        int r;

        check_nonnull(xml);
        check_nonnull(ret_xml);
        check_flags(flags, 0);
        r = storvirt__pool_def_parse(xml, strlen(xml), &def);
        if (r < 0)
                return r;
        return storvirt__pool_def_format(def, true, ret_xml);
}

/* The pool type named by `pool`: a type name, or the type of a pool document. */
static int pool_type_of(const char *pool, char **ret_type) {
        _cleanup_pool_def_ storvirt__pool_def *def = NULL;
        size_t skip = strspn(pool, " \t\r\n");
        int r;

        if (pool[skip] != '<')
                return storvirt__conf_strdup(pool, ret_type);
        r = storvirt__pool_def_parse(pool, strlen(pool), &def);
        if (r < 0)
                return r;
        *ret_type = TAKE_PTR(def->type);
        return 0;
}

STORVIRT_EXPORT int storvirt_volume_xml_canonicalize(const char *xml, const char *pool,
                                                     char **ret_xml, uint32_t flags) {
        _cleanup_vol_def_ storvirt__vol_def *def = NULL;
        _cleanup_free_ char *type = NULL;
        int r;

        check_nonnull(xml);
        check_nonnull(ret_xml);
        check_flags(flags, 0);
        if (pool && (r = pool_type_of(pool, &type)) < 0)
                return r;
        /* as on create: <capacity> may be left out with a <backingStore> */
        r = storvirt__vol_def_parse(xml, strlen(xml), type, STORVIRT__VOL_PARSE_OPT_CAPACITY, &def);
        if (r < 0)
                return r;
        return storvirt__vol_def_format(def, type, ret_xml);
}
