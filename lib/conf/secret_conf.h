/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * conf/secret_conf.h - libvirt's <secret> XML: the definition of a
 * secret (UUID, description, what it is used for), its parser and its
 * formatter.  The value of a secret is never part of the document.
 *
 *   <secret ephemeral='no' private='yes'>
 *     <uuid>0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f</uuid>
 *     <description>the passphrase of vm1's disk</description>
 *     <usage type='volume'><volume>/srv/images/vm1.img</volume></usage>
 *   </secret>
 *
 * Usage types and the element naming their usage id, as libvirt has
 * them: volume <volume>, ceph <name>, iscsi <target>, tls <name>, vtpm
 * <name>.  ephemeral='yes' (a secret kept in memory only) is refused:
 * there is no process that would keep it.
 *
 * Errors are negative errnos with a message that starts with
 * "secret XML: " and names the element, the attribute and the value.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util/uuid.h"

/* Largest secret XML document accepted. */
#define STORVIRT__SECRET_XML_MAX (64u << 10)

enum {
        STORVIRT__SECRET_USAGE_NONE = 0,
        STORVIRT__SECRET_USAGE_VOLUME,
        STORVIRT__SECRET_USAGE_CEPH,
        STORVIRT__SECRET_USAGE_ISCSI,
        STORVIRT__SECRET_USAGE_TLS,
        STORVIRT__SECRET_USAGE_VTPM,
};

typedef struct storvirt__secret_def {
        bool has_uuid;                  /* <uuid> given (the caller makes one otherwise) */
        storvirt__uuid uuid;
        bool private_;                  /* private='yes' */
        char *description;              /* NULL: none */
        int usage_type;                 /* STORVIRT__SECRET_USAGE_* */
        char *usage_id;                 /* NULL exactly when usage_type is NONE */
} storvirt__secret_def;

/* Parses len bytes of secret XML.  -EINVAL, -EOPNOTSUPP (ephemeral), -EFBIG, -ENOMEM. */
int storvirt__secret_def_parse(const char *xml, size_t len, storvirt__secret_def **ret);

/* The document for def (has_uuid must be set): a new string ending in a newline. */
int storvirt__secret_def_format(const storvirt__secret_def *def, char **ret_xml);

/* "volume", "ceph", ...; NULL for NONE or an unknown value.  And back (-1 if unknown). */
const char *storvirt__secret_usage_to_string(int type);
int storvirt__secret_usage_from_string(const char *s);

void storvirt__secret_def_free(storvirt__secret_def *def);
static inline void storvirt__secret_def_freep(storvirt__secret_def **def) {
        storvirt__secret_def_free(*def);
}
#define _cleanup_secret_def_ __attribute__((cleanup(storvirt__secret_def_freep)))
