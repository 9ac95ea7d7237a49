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

#include "core/ctx.h"
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

/* 0 when the secret uuid is defined and has a value; -ENOENT naming it otherwise. */
int storvirt__secret_check(storvirt_ctx *ctx, const char *uuid);

/*
 * An fd (not close-on-exec, so that a tool started next inherits it)
 * of an unnamed mode 0600 file in the secret store holding the value of
 * secret uuid: hand "/proc/self/fd/N" to the tool, close the fd after
 * it ran.  -ENOENT when the secret or its value is missing.
 */
int storvirt__secret_value_fd(storvirt_ctx *ctx, const char *uuid, int *ret_fd);
