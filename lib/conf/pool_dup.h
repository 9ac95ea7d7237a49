/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * conf/pool_dup.h - whether two pool definitions would own one
 * source: the rules of libvirt's duplicate-source check, per pool type.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "conf/pool_conf.h"

/* Room for what two pools share, as pool_source_shared() writes it. */
#define STORVIRT__POOL_SHARED_MAX 512

/*
 * Whether pools a and b (of other names: a pool redefined is not its own
 * rival) own one source; if so, what they share into what, as a phrase
 * ("the target path '/srv/images'", "the iSCSI target 'iqn...'").  The
 * rules:
 *   - dir, fs, netfs: the same target directory (repeated and trailing
 *     slashes aside), across these three types;
 *   - netfs: the same export (host, port when both give one, directory);
 *     gluster: the same volume, directory and host;
 *   - fs, disk, logical, zfs: a source device path in common, across
 *     these types; logical: the same volume group too;
 *   - iscsi, and iscsi-direct among themselves: a target IQN in common
 *     with the same initiator IQN (none on both counts), wherever the
 *     target is reached: its IQN names it;
 *   - scsi: the same adapter (scsi_host name, or parent address and
 *     unique_id; fc_host WWNN and WWPN);
 *   - mpath: any two (one pool holds the host's multipath devices);
 *     sheepdog: the same host; vstorage: the same cluster name;
 *   - rbd: none.
 */
bool storvirt__pool_source_shared(const storvirt__pool_def *a, const storvirt__pool_def *b,
                                  char what[STORVIRT__POOL_SHARED_MAX]);
