/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * objects/vdisk_rec.h - the record of a vDisk in the state directory
 * (vdisks/<id>.json): its backing identity, connections, image stack,
 * attachments and preparations, read and written under the lock of the
 * "vdisks" records (objects/records.h).  Every write also records what
 * the vDisk holds in the holders index (objects/holders.h).  The vDisk
 * operations (lib/vdisk) and the resolution of vDisk specs (lib/resolve)
 * read and write records through this.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/disk.h"
#include "objects/ctx.h"
#include "util/json.h"
#include "util/uuid.h"

#define STORVIRT__NIL_UUID "00000000-0000-0000-0000-000000000000"

typedef struct storvirt__vimage {
        char *uid, *created, *parent;
        storvirt__disk_type type;       /* FILE, BLOCK or NETWORK */
        char *path;                     /* FILE, BLOCK */
        char *pool, *volume, *key;      /* when the image is a volume of a storvirt pool */
        char *domain_id;                /* the pool's UUID, NIL_UUID outside pools */
        char *encryption, *secret;      /* an encrypted image: "luks" and the UUID of the
                                           secret of its passphrase; NULL otherwise */
        bool cow, sparse, legal;
        uint64_t capacity;
} storvirt__vimage;

typedef struct storvirt__vattach {
        char *vm, *dev;
        bool hotplugged;
} storvirt__vattach;

typedef struct storvirt__vrec {
        char *id, *identity, *kind, *guid, *created;
        /* iscsi kind: how QEMU reaches the LUN */
        storvirt__disk_iscsi iscsi;
        /* rbd and gluster kinds: how QEMU reaches the image or file (vdisk_net.c) */
        storvirt__disk_rbd rbd;
        storvirt__disk_netfile netfile;
        char **connections;
        bool shared, readonly;
        storvirt__vimage *images;
        size_t n_images;
        storvirt__vattach *att;
        size_t n_att;
        char **prepared;
        /* the vDisk's sanlock lease (lib/lease): lockspace NULL when it has none */
        struct {
                char *lockspace, *path;
                uint64_t offset;
        } lease;
        /*
         * What the record on disk holds as events see it (objects/vdisk_diff.h),
         * as read under the exclusive lock or last saved; NULL when unknown.
         */
        struct storvirt__vrec_digest *saved;
} storvirt__vrec;

void storvirt__vimage_clear(storvirt__vimage *im);
void storvirt__vrec_free(storvirt__vrec *v);
void storvirt__vrec_freep(storvirt__vrec **v);
#define _cleanup_vrec_ __attribute__((cleanup(storvirt__vrec_freep)))

/* Current time as RFC 3339 with microseconds, UTC. */
void storvirt__now_rfc3339(char buf[32]);
/* *ret replaced by a copy of s (NULL: NULL); -ENOMEM. */
int storvirt__sdup(const char *s, char **ret);

int storvirt__vrec_parse(yajl_val o, storvirt__vrec **ret);
/* The record as JSON text; state_uuid (may be NULL) adds VDSM's poolID. */
int storvirt__vrec_text(const storvirt__vrec *v, const char *state_uuid, bool pretty, char **ret);

/*
 * Writes v and what it holds (the caller holds the "vdisks" lock
 * exclusive), and emits the events of the change: from v->saved (else
 * from the record read again) to v, which becomes v->saved.
 */
int storvirt__vrec_save(storvirt_ctx *ctx, storvirt__vrec *v);
int storvirt__vrec_holders_update(storvirt_ctx *ctx, const storvirt__vrec *v);
/* Reads record id (locked: the caller holds the lock); -ENOENT "no vDisk ID". */
int storvirt__vrec_read(storvirt_ctx *ctx, const char *id, bool locked, storvirt__vrec **ret);
/*
 * Record id as this thread sees it: a copy of the record it has in hand
 * (storvirt__vrec_set_in_hand(), while it holds the exclusive lock and
 * works on it), else read under the shared lock.
 */
int storvirt__vrec_get(storvirt_ctx *ctx, const char *id, storvirt__vrec **ret);
void storvirt__vrec_set_in_hand(const storvirt__vrec *v);
bool storvirt__vrec_has_illegal(const storvirt__vrec *v);

/* ---- vdisk_net.c: the network source of rbd and gluster vDisks ---- */
void storvirt__vrec_net_clear(storvirt__vrec *v);
/* The record's "network" object into v (absent: nothing). */
int storvirt__vrec_net_parse(yajl_val o, storvirt__vrec *v);
void storvirt__vrec_net_gen(storvirt__json_gen *g, const storvirt__vrec *v);
/* v's network source replaced by a copy of rbd (when named) or netfile (when it has a protocol). */
int storvirt__vrec_net_set(storvirt__vrec *v, const storvirt__disk_rbd *rbd,
                           const storvirt__disk_netfile *netfile);
/* "POOL/IMAGE" or "VOLUME/PATH"; NULL when v has no network source. */
const char *storvirt__vrec_net_name(const storvirt__vrec *v);

/* The vDisk id of a backing identity (UUID v5), and the image uids derived from it. */
int storvirt__vrec_id_for_identity(const char *identity, char ret[STORVIRT__UUID_STRING_MAX]);
int storvirt__vrec_base_uid(const char *vdisk_id, char **ret);
int storvirt__vrec_image_uid(const char *vdisk_id, const char *path, char **ret);
