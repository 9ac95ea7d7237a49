/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* units_api.c - placeholder until the module lands. */
#include "util/macro.h"
