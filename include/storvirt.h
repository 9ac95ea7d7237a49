/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storvirt.h - libstorvirt, storage management for virtual machines.
 *
 * Conventions: functions return 0 or a positive count on success and a
 * negative errno on failure, with a message available through
 * storvirt_error_message() on the same thread.  Out-parameters are
 * written only on success.  Every object is reference counted.
 */
#ifndef STORVIRT_H
#define STORVIRT_H

#include <storvirt/common.h>
#include <storvirt/ctx.h>
#include <storvirt/units.h>
#include <storvirt/pool.h>
#include <storvirt/volume.h>
#include <storvirt/lun.h>
#include <storvirt/resolve.h>
#include <storvirt/connection.h>
#include <storvirt/vdisk.h>
#include <storvirt/hcl.h>
#include <storvirt/secret.h>
#include <storvirt/event.h>

#endif
