/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sha1.c - placeholder until the module lands. */
#include "util/macro.h"
