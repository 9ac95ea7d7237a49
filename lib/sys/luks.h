/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * luks.h - LUKS headers, for the prober: a luks container (version 1
 * or 2) and the cipher of a LUKS version 1 header, wherever it sits (at
 * the start of a raw LUKS image, or inside a qcow2 image that keeps its
 * data LUKS-encrypted).
 */
#pragma once

#include <stdint.h>

#include "sys/imgfmt.h"

/* Bytes of a LUKS version 1 header up to its key size (the cipher fields). */
#define STORVIRT__LUKS1_PHDR_LEN 112u

/*
 * Parse the luks header at the start of src (the caller saw the magic,
 * or wants the image read as luks) and fill info: format "luks", the
 * payload offset and size, and for version 1 the cipher.
 */
int storvirt__img_luks_parse(const struct storvirt__img_src *src, storvirt__img_info *info);

/*
 * The cipher of the LUKS version 1 header h (its first
 * STORVIRT__LUKS1_PHDR_LEN bytes) into *ret; fields that do not read as
 * a cipher qemu writes leave *ret empty (name "").  Never fails: the
 * cipher is shown, not used.
 */
void storvirt__img_luks1_cipher(const uint8_t *h, storvirt__img_cipher *ret);
