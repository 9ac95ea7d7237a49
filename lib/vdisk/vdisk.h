/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vdisk/vdisk.h - the vDisk layer (storvirt/vdisk.h), above resolution:
 * import, snapshots, attachments, prepare and release.
 */
#pragma once

/* Test hook: _exit(0) at this step of a snapshot (1: recorded ILLEGAL, 2: overlay written). */
extern int storvirt__vdisk_crash_point;
