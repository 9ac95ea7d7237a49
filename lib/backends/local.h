/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * local.h - volume operations shared by the pool types whose volumes are
 * files in a target directory (dir, fs, netfs).  Every file operation is
 * relative to the pool's target directory fd with O_NOFOLLOW, so a
 * symlink planted in a pool never redirects a delete, wipe, resize or
 * write outside it.
 */
#pragma once

#include "objects/pool_obj.h"

/* Opens obj->target_fd if needed (obj->lock held). */
int storvirt__local_open_target(storvirt__pool_obj *obj);

/*
 * The refresh of a file-based pool reads the target directory (one
 * getdents pass, then per entry openat + fstat + one header read) and,
 * for dir and fs pools, saves what it found as the directory's volume
 * list (objects/vol_list.h); with STORVIRT__REFRESH_SAVED_LIST it takes
 * that list instead of reading when it still holds (returns 1 then).
 */
int storvirt__local_refresh_pool(storvirt__pool_obj *obj, uint32_t flags);
/* capacity, allocation and available from statvfs(2) of the target directory */
int storvirt__local_refresh_capacity(storvirt__pool_obj *obj);
int storvirt__local_create_volume(storvirt__pool_obj *obj, const storvirt__vol_def *def,
                                  storvirt__vol_rec **ret_rec, uint32_t flags);
int storvirt__local_build_volume(storvirt__pool_obj *obj, storvirt__vol_rec *rec,
                                 const storvirt__vol_def *def,
                                 const storvirt__progress *progress, uint32_t flags);
int storvirt__local_build_volume_from(storvirt__pool_obj *obj, storvirt__vol_rec *rec,
                                      const storvirt__vol_def *def, storvirt__vol_rec *src,
                                      const storvirt__progress *progress, uint32_t flags);
/* With STORVIRT__REFRESH_IF_CHANGED: called with obj->lock held (objects/backend_ops.h). */
int storvirt__local_refresh_volume(storvirt__pool_obj *obj, storvirt__vol_rec *rec,
                                   uint32_t flags);
int storvirt__local_delete_volume(storvirt__pool_obj *obj, storvirt__vol_rec *rec,
                                  uint32_t flags);
int storvirt__local_resize_volume(storvirt__pool_obj *obj, storvirt__vol_rec *rec,
                                  uint64_t capacity, uint32_t flags);
int storvirt__local_upload_volume(storvirt__pool_obj *obj, storvirt__vol_rec *rec, int fd,
                                  uint64_t offset, uint64_t length,
                                  const storvirt__progress *progress, uint32_t flags);
int storvirt__local_download_volume(storvirt__pool_obj *obj, storvirt__vol_rec *rec, int fd,
                                    uint64_t offset, uint64_t length,
                                    const storvirt__progress *progress, uint32_t flags);
int storvirt__local_wipe_volume(storvirt__pool_obj *obj, storvirt__vol_rec *rec,
                                const storvirt__progress *progress, uint32_t flags);
/* Removes the target directory (its entries too with NONEMPTY). */
int storvirt__local_delete_pool(storvirt__pool_obj *obj, uint32_t flags);

/*
 * A new volume's file while it is built: a hidden temporary file in the
 * pool's directory with the mode, owner and group of def's <permissions>
 * (0600 and the caller's by default), locked so
 * that a refresh leaves it alone; proc_path ("/proc/self/fd/N") hands it
 * to a tool without letting the tool create or follow anything.
 * commit records the volume's format (core/vol_index.h), with the
 * encryption and secret rec holds, and renames the file to rec->name,
 * never replacing an existing file; abort removes it.
 */
struct storvirt__local_partial {
        char name[48];
        char proc_path[32];
        int fd;
};

int storvirt__local_partial_create(storvirt__pool_obj *obj, const storvirt__vol_def *def,
                                   struct storvirt__local_partial *p);
int storvirt__local_partial_commit(storvirt__pool_obj *obj, struct storvirt__local_partial *p,
                                   const storvirt__vol_rec *rec, const char *format);
void storvirt__local_partial_abort(storvirt__pool_obj *obj, struct storvirt__local_partial *p);

/*
 * Encrypted volumes (local_encrypt.c).  check: 0 when def has no
 * <encryption> or one qemu-img can build (LUKS, raw or qcow2, a cipher
 * qemu's LUKS driver writes); else -EOPNOTSUPP naming the setting, or
 * -EINVAL without exactly one <secret> given by UUID (core/volume.c
 * resolved it).  build: qemu-img create into path (the partial file's
 * /proc/self/fd path), the passphrase handed over in an unnamed file.
 */
int storvirt__local_encryption_check(const storvirt__vol_def *def);
int storvirt__local_build_encrypted(storvirt__pool_obj *obj, const storvirt__vol_def *def,
                                    const char *path, uint32_t flags);
/* qemu-img resize of an encrypted qcow2 volume open at path, with its passphrase. */
int storvirt__local_resize_encrypted(storvirt__pool_obj *obj, const storvirt__vol_rec *rec,
                                     const char *path, uint64_t capacity);
/*
 * After a wipe zeroed the volume open on fd: a LUKS volume whose secret
 * is known is built again, empty, with its format, cipher and secret (a
 * new master key); one without stays zeros.
 */
int storvirt__local_rebuild_encrypted(storvirt__pool_obj *obj, const storvirt__vol_rec *rec,
                                      int fd, uint64_t capacity);

/* Reports progress; returns -ECANCELED if the callback asks to stop. */
int storvirt__progress_report(const storvirt__progress *p, uint64_t done, uint64_t total);
