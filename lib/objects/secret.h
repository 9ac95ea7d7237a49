/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core/secret.h - secrets in libvirt's model (storvirt/secret.h): the
 * passphrases of encrypted volumes.  Each is one record of the state
 * directory, secret-store/<uuid>.json (mode 0600 in a 0700 directory,
 * replaced atomically under the kind's lock, like every record of
 * core/records.h): its definition and its value, hex-encoded.
 *
 * A value leaves the library only towards qemu-img, through an unnamed
 * mode 0600 file whose /proc/self/fd path goes into --object
 * secret,file=...: never on a command line, in the environment, in a
 * log line, in an error message or in any XML or JSON returned.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "objects/ctx.h"
#include "util/uuid.h"

/* Largest secret value accepted, in bytes. */
#define STORVIRT__SECRET_VALUE_MAX (64u << 10)

/*
 * The UUID of the defined secret a volume's <encryption><secret> names:
 * by uuid, or (usage) the secret of usage type volume whose usage id is
 * that string, as libvirt looks it up.  -ENOENT naming the reference
 * when no such secret is defined.
 */
int storvirt__secret_find(storvirt_ctx *ctx, const storvirt__uuid *uuid, const char *usage,
                          char ret_uuid[static STORVIRT__UUID_STRING_MAX]);

/*
 * The same for a secret of another usage type (STORVIRT__SECRET_USAGE_*,
 * conf/secret_conf.h), as a pool's <auth><secret> names it: by usage
 * among the secrets of that type, or by uuid (-EINVAL when that secret
 * is of another usage type).
 */
int storvirt__secret_find_usage(storvirt_ctx *ctx, const storvirt__uuid *uuid, const char *usage,
                                int type, char ret_uuid[static STORVIRT__UUID_STRING_MAX]);

/*
 * The value of secret uuid, *ret_n bytes in *ret (malloc'd: wipe with
 * explicit_bzero() before freeing).  -ENOENT when it has none.
 */
int storvirt__secret_value(storvirt_ctx *ctx, const char *uuid, uint8_t **ret, size_t *ret_n);

/* 0 when the secret uuid is defined and has a value; -ENOENT naming it otherwise. */
int storvirt__secret_check(storvirt_ctx *ctx, const char *uuid);

/*
 * An fd (not close-on-exec, so that a tool started next inherits it)
 * of an unnamed mode 0600 file in the secret store holding the value of
 * secret uuid: hand "/proc/self/fd/N" to the tool, close the fd after
 * it ran.  -ENOENT when the secret or its value is missing.
 */
int storvirt__secret_value_fd(storvirt_ctx *ctx, const char *uuid, int *ret_fd);
