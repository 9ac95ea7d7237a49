/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vdisk/vdisk_int.h - what the files of lib/vdisk share: the handle,
 * reading a record (rolling an interrupted snapshot back) and changing
 * it under the exclusive lock.  Not for use outside lib/vdisk.
 */
#pragma once

#include <stdbool.h>

#include <storvirt.h>

#include "objects/vdisk_rec.h"
#include "util/refcnt.h"
#include "util/uuid.h"

#define KIND "vdisks"
#define NIL_UUID STORVIRT__NIL_UUID
#define DEFAULT_TIMEOUT_MS 30000

typedef storvirt__vimage image;
typedef storvirt__vattach attachment;
typedef storvirt__vrec vrec;

struct storvirt_vdisk {
        storvirt__refcnt n_ref;
        storvirt_ctx *ctx;
        char id[STORVIRT__UUID_STRING_MAX];
};

/* A new handle on vDisk id (one reference, on ctx too). */
int storvirt__vdisk_handle_new(storvirt_ctx *ctx, const char *id, storvirt_vdisk **ret);

/* 0 when vm is a VM id: 1-256 characters, no control character, no ':'; else -EINVAL. */
int storvirt__vdisk_check_vm_id(const char *vm);

/* Removes an image's file: through its pool when it is a volume, else unlink. */
int storvirt__vdisk_remove_image(storvirt_ctx *ctx, const image *im);

/*
 * The record of id.  With the exclusive lock held (exclusive): read and
 * roll back.  Otherwise read under the shared lock, and when an image is
 * ILLEGAL, take the exclusive lock and roll back first.
 */
int storvirt__vdisk_load(storvirt_ctx *ctx, const char *id, bool exclusive, vrec **ret);

/* Changes the record in hand: returns 1: save it, 0: nothing to save, 2: remove it. */
typedef int (*storvirt__vdisk_change_fn)(storvirt_ctx *ctx, vrec *v, void *userdata);

/* Loads id under the exclusive lock, calls fn, saves or removes as it says. */
int storvirt__vdisk_change(storvirt_ctx *ctx, const char *id, storvirt__vdisk_change_fn fn,
                           void *userdata);

/*
 * A leased vDisk's image stack shared between hosts (vdisk_chain.c):
 * publish writes v's stack next to its lease area (the caller holds the
 * lease and has just changed the chain); sync takes the stack another
 * host wrote into this host's record of id when it differs (-ESTALE when
 * it cannot: another base, an image not reachable from here).  Both are
 * 0 at once for a vDisk without a lease.
 */
int storvirt__vdisk_chain_publish(storvirt_ctx *ctx, const vrec *v);
int storvirt__vdisk_chain_sync(storvirt_ctx *ctx, const char *id);
/* ---- vdisk_net.c: vDisks of rbd images and gluster files ---- */
bool storvirt__vdisk_is_net(const vrec *v);
/*
 * Import: the identity of the rbd or gluster pool volume d names into v
 * (kind, identity, network source) and its base image; *ret_conn the
 * stored rbd or glusterfs connection it needs, if any (malloc'd).
 */
int storvirt__vdisk_net_identity(storvirt_ctx *ctx, const storvirt__disk_resolved *d, vrec *v,
                                 image *base, char **ret_conn);
/* Prepare: the volume still has the recorded identity (-ESTALE naming what differs); its name. */
int storvirt__vdisk_net_check(storvirt_ctx *ctx, const vrec *v, char **ret_path);
/* Re-import under another name: cur follows fresh; 1 when it changed. */
int storvirt__vdisk_net_moved(vrec *cur, const vrec *fresh);
/* Snapshots of rbd and gluster vDisks: -EOPNOTSUPP naming the vDisk. */
int storvirt__vdisk_net_refuse_snapshot(const vrec *v);
