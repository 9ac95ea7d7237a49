/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hcl/hcl_devices.h - the storage behind a LUN of the controller model
 * on this host, as a drive spec to resolve.
 */
#pragma once

#include <stdint.h>
#include <yajl/yajl_tree.h>

#include <storvirt.h>

#include "conf/disk.h"
#include "conf/hcl_model.h"

/*
 * The spec physical device d maps to: its entry in map (an object, or
 * NULL), else the vDisk of that id; -ENOENT when neither.  Messages here
 * never name the LUN: the caller prefixes its name.
 */
int storvirt__hcl_device_spec(storvirt_ctx *ctx, yajl_val map, const struct hcl_device *d,
                              storvirt__disk_spec **ret);

/*
 * A striped LUN l of controller c: its members resolved to block
 * devices, the device-mapper device created (flags must allow it:
 * STORVIRT_HCL_XML_CREATE_STRIPES), and the spec of that device.
 * Messages here never name the LUN: the caller prefixes its name.
 */
int storvirt__hcl_striped_spec(storvirt_ctx *ctx, yajl_val map, const struct hcl_controller *c,
                               const struct hcl_lun *l, uint32_t flags, storvirt__disk_spec **ret);
