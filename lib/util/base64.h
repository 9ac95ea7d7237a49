/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * base64.h - RFC 4648 base64 (the standard alphabet, '=' padding), as
 * Ceph writes cephx keys and libvirt passes secret values.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The base64 text of n bytes (malloc'd, NUL-terminated); -ENOMEM. */
int storvirt__base64_encode(const uint8_t *v, size_t n, char **ret);

/*
 * The bytes of base64 text s of length len (padding required, no
 * whitespace) into *ret (malloc'd, *ret_n bytes); -EINVAL when s is
 * not base64, with no message set (callers name what was wrong).
 */
int storvirt__base64_decode(const char *s, size_t len, uint8_t **ret, size_t *ret_n);
