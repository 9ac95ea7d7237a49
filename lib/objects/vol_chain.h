/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core/vol_chain.h - backing chains that never leave the known pools.
 *
 * An image header names its backing file, and whoever can write the
 * header (a guest, for a raw disk read as qcow2; anyone who copies an
 * image into a pool) chooses that name.  A chain is handed out only when
 * every backing file is a volume of an active pool of this library (a
 * file in the target directory of a dir, fs or netfs pool), each header
 * records its backing file's format and that format is the one the
 * volume was created or imported as, no volume comes twice, and no
 * volume's content disagrees with its recorded format.  Anything else
 * is refused with a message naming the image and the backing file:
 *   -EPERM      the backing file is not a volume of a known pool (a host
 *               file, a device, another directory);
 *   -ELOOP      the chain comes back to an image already in it, or is
 *               deeper than STORVIRT__IMG_CHAIN_DEPTH_DEFAULT;
 *   -ESTALE     a recorded format and a header or the content disagree;
 *   -EINVAL     a header names a backing file without its format, or the
 *               backing volume cannot be used (its problem);
 *   -EOPNOTSUPP a protocol name ("nbd:", "json:", ...), or an encrypted
 *               backing file (an overlay would keep the guest's writes
 *               unencrypted, and its chain needs one secret per image).
 */
#pragma once

#include <stdbool.h>

#include "objects/ctx.h"
#include "objects/pool_obj.h"
#include "objects/pool_registry.h"

typedef struct storvirt__vol_chain_link {
        char *path;          /* absolute, normalised */
        char format[16];     /* the volume's recorded (or, unrecorded, probed) format */
} storvirt__vol_chain_link;

/* The images below an image, nearest first. */
typedef struct storvirt__vol_chain {
        storvirt__vol_chain_link *v;
        size_t n;
} storvirt__vol_chain;

void storvirt__vol_chain_clear(storvirt__vol_chain *c);

/*
 * The chain below the image at path (absolute; its header names backing
 * with format backing_format, "" when the header records none; backing
 * NULL: no chain).  *ret is filled only on success.
 */
int storvirt__vol_chain_walk(storvirt_ctx *ctx, const char *path, const char *backing,
                             const char *backing_format, storvirt__vol_chain *ret);

/*
 * The chain below a volume, after the volume's own checks: its problem,
 * and, unless allow_mismatch, content that disagrees with its recorded
 * format (-ESTALE).  The caller holds no pool lock.
 */
int storvirt__vol_chain_of(storvirt_ctx *ctx, storvirt__pool_obj *obj, storvirt__vol_rec *rec,
                           bool allow_mismatch, storvirt__vol_chain *ret);

/*
 * How a volume to be handed out is encrypted: 0 with ret_encryption ""
 * when its header says it is not; 0 with libvirt's name of the
 * encryption ("luks") and the UUID of the secret of its passphrase when
 * the library made it encrypted and that secret is defined with a
 * value; otherwise -EOPNOTSUPP (no secret is known for it) or -ENOENT
 * (its secret is no longer defined), naming the volume.  No pool lock
 * held.
 */
int storvirt__vol_encryption(storvirt_ctx *ctx, storvirt__pool_obj *obj, storvirt__vol_rec *rec,
                             char ret_encryption[static 8], char ret_secret[static 37]);

/*
 * After a refresh of obj (no lock held): checks the chain of every
 * volume that has a backing file and logs a warning for each refused
 * one (the chain is checked again whenever a volume is used: it depends
 * on other pools, which change on their own).
 */
void storvirt__vol_chain_check_pool(storvirt__pool_obj *obj);

/*
 * The volume of an active file pool at path (normalised), referenced,
 * with its pool, the pool's volumes read first if they were not, the
 * volume's file checked (storvirt__vol_rec_check()); 0, or -ENOENT
 * without a message.  The caller has the stored pools loaded (core:
 * storvirt__pools_ensure_loaded()).
 */
int storvirt__vol_find_path(storvirt_ctx *ctx, const char *path, storvirt__pool_obj **ret_obj,
                            storvirt__vol_rec **ret_rec);

/*
 * Records format for the file volume at path unless it has a record
 * already (vDisk import of a volume the library did not create): from
 * then on its content never changes its format.  0 also when path is
 * not a file volume of a pool.
 */
int storvirt__vol_record_import(storvirt_ctx *ctx, const char *path, const char *format);

/*
 * The backing store asked for a new volume of a pool whose directory is
 * dir: name is absolute or relative to dir, and must be a volume of an
 * active pool with a usable chain; format, when given, must be that
 * volume's.  Returns its normalised path (free()) and its format.
 */
int storvirt__vol_chain_new_backing(storvirt_ctx *ctx, const char *dir, const char *name,
                                    const char *format, char **ret_path, char ret_format[static 16]);

/*
 * The backing store asked for a new volume of a pool of network files
 * (a gluster pool: its backend sets backing_in_pool): name is the name,
 * key or path of a volume of that same pool obj, with a usable chain;
 * format, when given, must be its format.  Returns its path (free())
 * and its format; any other name is -EPERM (a chain never leaves the
 * pool).  No lock held.
 */
int storvirt__vol_chain_new_backing_in_pool(storvirt_ctx *ctx, storvirt__pool_obj *obj,
                                            const char *name, const char *format,
                                            char **ret_path, char ret_format[static 16]);
