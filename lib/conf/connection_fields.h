/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core/connection_fields.h - the fields of a connection definition, one
 * table per connection type.  A row names a field in both dialects (our
 * JSON key; VDSM's connectStorageServer key and the other spelling VDSM
 * takes), says how its value is read, checked and stored in conn_def,
 * and how it is written back.  connection_fields.c holds the tables and
 * the value checks; connection_parse.c reads and writes both dialects by
 * walking them, so a field is added or respelled in one place.
 */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/connection_def.h"
#include "util/error.h"

struct conn_type;

/*
 * Where a parse is: "connection 2", whether secrets are kept apart (a
 * stored definition), and the type of the connection being read (NULL
 * before it is known).
 */
struct conn_parse_ctx {
        char what[48];
        bool stored;
        const struct conn_type *type;
};

#define CONN_FAIL(pc, key, fmt, ...)                                                    \
        storvirt__error_set(-EINVAL, "%s: field '%s': " fmt, (pc)->what, (key), ##__VA_ARGS__)

enum conn_dialect {
        CONN_OWN,               /* our JSON form */
        CONN_VDSM,              /* VDSM's connection parameters */
};

/* How a field's value is read, checked and kept. */
enum conn_value {
        CONN_V_STRING,          /* a string: check(), then no space, at most max */
        CONN_V_VERSION,         /* as CONN_V_STRING, but a number is taken as written (3, 4.1) */
        CONN_V_SECRET,          /* a CHAP password, kept apart from the definition */
        CONN_V_PORTAL,          /* "host[:port]" into host and port */
        CONN_V_HOSTS,           /* a list of "host[:port]" into one canonical string,
                                   "a:1,[v6]:2,b" (written back as the list) */
        CONN_V_UINT,            /* an integer 0..max into an unsigned; 0 is "not given" */
        CONN_V_INT,             /* an integer 0..max into an int; -1 is "not given" */
        CONN_V_LONG,            /* an integer 0..max into a long; -1 is "not given" */
        CONN_V_TYPE,            /* the connection type, read before the rest */
        CONN_V_IGNORED,         /* taken, of any JSON type, and ignored */
        CONN_V_BOOL,            /* VDSM's boolean (true, false, "true", "False"...), checked
                                   and not kept: VDSM's connections do not use it */
        /*
         * A key VDSM's callers send in the entries of every type, which
         * this type does not have and VDSM ignores: taken when empty ("",
         * null); any other value goes to check(), and without one is
         * refused, since VDSM would drop what it says.
         */
        CONN_V_UNUSED,
};

/* The field may not be 0: "must be 1-max". */
#define CONN_F_NOT_ZERO (1u << 0)
/* In VDSM's form an empty string means "not given" (VDSM sends "" for no CHAP). */
#define CONN_F_VDSM_EMPTY (1u << 1)
/* Read before the other fields of its type: the portal checks its port against it. */
#define CONN_F_READ_FIRST (1u << 2)
/* In VDSM's form a portal is a host name: an IPv6 address comes without brackets. */
#define CONN_F_VDSM_HOST (1u << 3)

struct conn_field {
        const char *own;        /* our key; NULL: only in VDSM's form */
        const char *vdsm;       /* VDSM's key; NULL: only in our form */
        const char *vdsm_alias; /* the other spelling VDSM takes for it; NULL: none */
        enum conn_value value;
        /* strings: the value's own check, before the common ones; NULL: none */
        int (*check)(const struct conn_parse_ctx *pc, const char *key, const char *v);
        size_t offset;          /* of the member of conn_def that holds it */
        size_t pair;            /* secrets: offset of the user they belong to */
        uint32_t max;           /* strings: the longest value; integers: the largest */
        uint32_t flags;         /* CONN_F_* */
        const char *need;       /* required: what a definition without it lacks ("a portal") */
        /* VDSM's form: what is written when the field is not set (digits for integers) */
        const char *vdsm_unset;
        /* VDSM's form: the value VDSM takes when the key is absent; NULL: none */
        const char *vdsm_absent;
        /* VDSM's form: the value an empty string stands for; NULL: see CONN_F_VDSM_EMPTY */
        const char *vdsm_empty;
};

struct conn_type {
        int type;               /* STORVIRT_CONNECTION_*; 0: known but not supported */
        const char *name;       /* our "type" */
        const char *article;    /* "an iscsi connection needs ..." */
        int vdsm_id;            /* VDSM's StorageDomainTypeId */
        const char *vdsm_name;  /* its name, as VDSM's domainType may also give it */
        const struct conn_field *fields;
        size_t n_fields;
        /* the checks across fields once every field is read; NULL: none */
        int (*finish)(const struct conn_parse_ctx *pc, conn_def *d);
};

/* The most fields of one type, the common ones included. */
#define CONN_FIELDS_MAX 24

/* The fields every type has, first in both forms: the id and the type. */
extern const struct conn_field storvirt__conn_common_fields[];
extern const size_t storvirt__conn_n_common_fields;

/* Every type our form or VDSM's names, the unsupported ones (type 0) included. */
extern const struct conn_type storvirt__conn_types[];
extern const size_t storvirt__conn_n_types;

/* The type of a STORVIRT_CONNECTION_* value; NULL for anything else. */
const struct conn_type *storvirt__conn_type_get(int type);

/* The field of t (or a common one) whose key in our form is key; NULL when none. */
const struct conn_field *storvirt__conn_field_own(const struct conn_type *t, const char *key);

/* No space, no control character, nothing outside ASCII. */
bool storvirt__conn_printable_no_space(const char *s);

/*
 * "host", "host:port", "[v6]" or "[v6]:port" under key into d->host and
 * d->port (bare_v6: a bare IPv6 address is a host too); a port already
 * in d->port (given apart, as VDSM does) must agree, and 3260 is taken
 * when there is none.
 */
int storvirt__conn_parse_portal(const struct conn_parse_ctx *pc, const char *key, const char *v,
                                bool bare_v6, conn_def *d);

/*
 * VDSM's boolean under key of obj (an object): true or false, or the
 * strings "true" and "false" in any case (VDSM's callers send Python's
 * "True" and Java's "false").  1 with *ret when present, 0 when absent
 * or null, -EINVAL naming the key otherwise.
 */
int storvirt__conn_get_vdsm_bool(const struct conn_parse_ctx *pc, yajl_val obj, const char *key,
                                 bool *ret);

/* A list of "host[:port]" (CONN_V_HOSTS) under key into *ret, canonical, at most max hosts. */
int storvirt__conn_parse_hosts(const struct conn_parse_ctx *pc, const char *key, yajl_val v,
                               uint32_t max, char **ret);

/* CHAP names and passwords in pairs; mutual CHAP only with one-way CHAP. */
int storvirt__conn_check_chap(const struct conn_parse_ctx *pc, const conn_def *d);
