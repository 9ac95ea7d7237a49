/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pool_types.h - what the pool_*.c files of lib/conf share: the table
 * of pool types (pool_types.c) with the <source> children, target and
 * formats of each, and the message helpers of pool XML.  Not for use
 * outside those files: the rest of the library reads pool_conf.h.
 */
#pragma once

#include <stdbool.h>

#include "conf/pool_conf.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/xml.h"

#define WHAT "pool XML"

/* An escaped copy of s for a message, valid until the end of the statement's block. */
#define ESC(s) storvirt__name_escape((s), (char[STORVIRT__ESCAPED_NAME_SIZE]){ 0 }, \
                                     STORVIRT__ESCAPED_NAME_SIZE)
#define NODE_NAME(n) ESC(storvirt__xml_name(n))

/* Children of <source>, in the order they are written. */
enum {
        S_HOST, S_DEVICE, S_DIR, S_ADAPTER, S_NAME, S_INITIATOR, S_FORMAT, S_AUTH,
        S_PROTOCOL, S_VENDOR, S_PRODUCT, S__MAX
};

/* Their element names, by S_*. */
extern const char *const storvirt__pool_source_elements[S__MAX];

#define MANY 0xffffu

enum {
        NEED_HOST = 1u << 0,
        NEED_DIR = 1u << 1,
        NEED_DEVICE = 1u << 2,
        NEED_ADAPTER = 1u << 3,
        NEED_INITIATOR = 1u << 4,
        NAME_LINKED = 1u << 5,     /* pool name and source name default to each other */
        NEED_SOURCE_NAME = 1u << 6,/* the source name must be given (rbd) */
};

enum { TARGET_NONE, TARGET_PATH, TARGET_DERIVED };

struct pool_type_info {
        const char *type;
        unsigned flags;
        int target;
        const char *const *formats;
        const char *default_format;
        const char *ns_href;
        unsigned src[S__MAX];      /* how many of each <source> child: 0 none */
};

/* The row of a pool type, NULL when type is NULL or unknown. */
const struct pool_type_info *storvirt__pool_type_info(const char *type);

/* An empty definition with the tristates absent and no permissions; NULL: out of memory. */
storvirt__pool_def *storvirt__pool_def_alloc(void);

/* Reads <source> into def, its children checked against the type's row. */
int storvirt__pool_parse_source(xmlNodePtr node, const struct pool_type_info *info,
                                storvirt__pool_def *def);

/* The checks of storvirt__pool_def_validate() without its defaults: 0 or -EINVAL. */
int storvirt__pool_def_check(const storvirt__pool_def *def);
