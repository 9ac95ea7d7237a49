/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core/lun.h - the public LUN handles (storvirt/lun.h) over the snapshot
 * of objects/lun_snap.h.
 */
#pragma once

#include <storvirt/lun.h>

#include "objects/lun_snap.h"
