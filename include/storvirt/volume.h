/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storvirt/volume.h - storage volumes: listing, lookups, creation from
 * libvirt volume XML, cloning, wipe, resize, upload and download.
 * Include <storvirt.h> instead.
 */
#ifndef STORVIRT_VOLUME_H
#define STORVIRT_VOLUME_H

#include <storvirt/common.h>
#include <storvirt/pool.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct storvirt_volume storvirt_volume;

/* Volume types (storvirt_volume_get_info), libvirt's numbering. */
#define STORVIRT_VOLUME_TYPE_FILE 0
#define STORVIRT_VOLUME_TYPE_BLOCK 1
#define STORVIRT_VOLUME_TYPE_DIR 2
#define STORVIRT_VOLUME_TYPE_NETWORK 3
#define STORVIRT_VOLUME_TYPE_NETDIR 4
#define STORVIRT_VOLUME_TYPE_PLOOP 5

/*
 * storvirt_pool_list_volumes:
 * A snapshot of an active pool's volumes, sorted by name, as a
 * NULL-terminated array of referenced handles; free with
 * storvirt_volume_list_free().  ret_n may be NULL.  flags: 0.
 * Since: 0.2
 */
int storvirt_pool_list_volumes(storvirt_pool *pool, storvirt_volume ***ret_vols,
                               size_t *ret_n, uint32_t flags);
void storvirt_volume_list_free(storvirt_volume **vols);

/*
 * storvirt_volume_lookup_by_name / storvirt_volume_lookup_by_key /
 * storvirt_volume_lookup_by_path:
 * Lookups: by name in a pool; by key or path across the active pools of
 * the context (a file volume's key is its path).  -ENOENT if none.
 * Since: 0.2
 */
int storvirt_volume_lookup_by_name(storvirt_pool *pool, const char *name,
                                   storvirt_volume **ret_vol);
int storvirt_volume_lookup_by_key(storvirt_ctx *ctx, const char *key,
                                  storvirt_volume **ret_vol);
int storvirt_volume_lookup_by_path(storvirt_ctx *ctx, const char *path,
                                   storvirt_volume **ret_vol);

/* Flags of storvirt_volume_create_xml() and _create_xml_from(). */
/* qcow2: preallocate metadata. */
#define STORVIRT_VOLUME_CREATE_PREALLOC_METADATA (1u << 0)
/* clone: require a reflink (FICLONE) copy; -EOPNOTSUPP if impossible. */
#define STORVIRT_VOLUME_CREATE_REFLINK (1u << 1)
/*
 * clone: a full copy, never copy-on-write.  An rbd pool otherwise clones
 * a snapshot of the source image ("storvirt-clone-" then the new
 * volume's name), which then stays until the clone is deleted; file
 * pools copy in full unless STORVIRT_VOLUME_CREATE_REFLINK (the two
 * exclude each other).  Since: 0.6
 */
#define STORVIRT_VOLUME_CREATE_NO_COW (1u << 2)

/*
 * storvirt_volume_create_xml:
 * Creates a volume in an active pool from libvirt volume XML.  For file
 * pools: raw (sparse, or preallocated when <allocation> equals
 * <capacity>) and qcow2 (compat 1.1 unless <compat>0.10</compat>, cluster
 * size, lazy_refcounts, backingStore) are written natively; other
 * formats need qemu-img (-EOPNOTSUPP with a message when it is missing).
 * A name with '/', "." or "..", a NUL or over 255 bytes is -EINVAL; an
 * existing name is -EEXIST.  progress (may be NULL) is called during
 * preallocation; cancelling removes the partial volume.
 * Since: 0.2
 */
int storvirt_volume_create_xml(storvirt_pool *pool, const char *xml,
                               storvirt_volume **ret_vol,
                               storvirt_progress_fn progress, void *userdata,
                               uint32_t flags);

/*
 * storvirt_volume_create_xml_from:
 * Creates a volume as a copy of `src` (which may be in another pool):
 * sparse-aware (holes stay holes), a reflink when the filesystem can,
 * converting raw <-> qcow2 when the formats differ.  Capacity defaults to
 * the source's and may only grow.  rbd pools: from an image of the same
 * pool, a copy-on-write clone of a snapshot of it (format 2 images with
 * the layering feature, else -EOPNOTSUPP naming what lacks) unless
 * STORVIRT_VOLUME_CREATE_NO_COW asks for a full copy.
 * Since: 0.2
 */
int storvirt_volume_create_xml_from(storvirt_pool *pool, const char *xml,
                                    storvirt_volume *src,
                                    storvirt_volume **ret_vol,
                                    storvirt_progress_fn progress, void *userdata,
                                    uint32_t flags);

/* Flags of storvirt_volume_delete(). */
/* Zero the data before removing it. */
#define STORVIRT_VOLUME_DELETE_ZEROED (1u << 0)
/* Delete even when a vDisk uses the volume. */
#define STORVIRT_VOLUME_DELETE_FORCE (1u << 1)
/*
 * rbd: remove the image's snapshots with it (unprotecting them); without
 * it an image with snapshots is refused (-ENOTEMPTY).  Since: 0.6
 */
#define STORVIRT_VOLUME_DELETE_WITH_SNAPSHOTS (1u << 2)

/*
 * storvirt_volume_delete:
 * Removes the volume from its pool.  -EBUSY when a vDisk uses it (unless
 * STORVIRT_VOLUME_DELETE_FORCE) or a long operation runs on it, or (rbd)
 * when a client has the image open; -ENOTEMPTY for an rbd image with
 * snapshots unless STORVIRT_VOLUME_DELETE_WITH_SNAPSHOTS.  The
 * handle stays valid but refers to a deleted volume (-ENOENT afterwards).
 * Since: 0.2
 */
int storvirt_volume_delete(storvirt_volume *vol, uint32_t flags);

/*
 * storvirt_volume_wipe:
 * Overwrites the volume's data with zeros (for a file: its whole
 * allocated extent, keeping it sparse where possible), with progress and
 * cancellation.  flags: 0.
 * Since: 0.2
 */
int storvirt_volume_wipe(storvirt_volume *vol, storvirt_progress_fn progress,
                         void *userdata, uint32_t flags);

/* Flags of storvirt_volume_resize(). */
#define STORVIRT_VOLUME_RESIZE_ALLOCATE (1u << 0)
#define STORVIRT_VOLUME_RESIZE_DELTA (1u << 1)
#define STORVIRT_VOLUME_RESIZE_SHRINK (1u << 2)

/*
 * storvirt_volume_resize:
 * Sets the capacity (or grows it by `capacity` with RESIZE_DELTA).
 * Shrinking needs RESIZE_SHRINK (-EINVAL otherwise); RESIZE_ALLOCATE
 * allocates the new space.  raw files natively; qcow2 grows natively.
 * Since: 0.2
 */
int storvirt_volume_resize(storvirt_volume *vol, uint64_t capacity, uint32_t flags);

/*
 * storvirt_volume_get_info:
 * Type (STORVIRT_VOLUME_TYPE_*), capacity (virtual size), allocation
 * (bytes used on the host) and physical size (host file size) as of the
 * last refresh.  Any out-parameter may be NULL.
 * Since: 0.2
 */
int storvirt_volume_get_info(storvirt_volume *vol, uint32_t *ret_type,
                             uint64_t *ret_capacity, uint64_t *ret_allocation,
                             uint64_t *ret_physical);

/*
 * storvirt_volume_get_xml:
 * The volume's libvirt XML.  Caller-owned (storvirt_free()).  flags: 0.
 * Since: 0.2
 */
int storvirt_volume_get_xml(storvirt_volume *vol, char **ret_xml, uint32_t flags);

/*
 * storvirt_volume_xml_canonicalize:
 * Checks libvirt volume XML with every rule storvirt_volume_create_xml()
 * applies to the document, without a context and without creating
 * anything, and writes it in the library's canonical form (sizes in
 * bytes, the pool type's default format filled in, formats left out for
 * pool types whose volumes have none).  The checks depend on the pool
 * the volume would live in: `pool` is a pool type name ("dir", "disk",
 * "zfs", ...) or a whole pool XML document (it starts with '<'; it is
 * checked as by storvirt_pool_xml_canonicalize() and its type is used),
 * or NULL: then only libvirt's volume schema decides which formats are
 * valid and none is filled in.  What only the host can tell (a backing
 * file outside the pools, a format or encryption the pool's backend
 * cannot build) is checked on create, not here.  *ret_xml is
 * caller-owned (storvirt_free()).  Errors: -EINVAL (or -ERANGE,
 * -EFBIG) naming the element, the attribute and the value (a bad pool
 * document: its message, starting "pool XML: "); -ENOMEM.  flags: 0.
 * Since: 0.6
 */
int storvirt_volume_xml_canonicalize(const char *xml, const char *pool, char **ret_xml,
                                     uint32_t flags);

/*
 * storvirt_volume_get_name / storvirt_volume_get_key / storvirt_volume_get_path /
 * storvirt_volume_get_format / storvirt_volume_get_pool:
 * Borrowed attributes, valid while the volume is referenced: name, key,
 * path, format ("raw", "qcow2", ...), and the pool (borrowed).
 * Since: 0.2
 */
const char *storvirt_volume_get_name(storvirt_volume *vol);
const char *storvirt_volume_get_key(storvirt_volume *vol);
const char *storvirt_volume_get_path(storvirt_volume *vol);
const char *storvirt_volume_get_format(storvirt_volume *vol);
storvirt_pool *storvirt_volume_get_pool(storvirt_volume *vol);

/*
 * storvirt_volume_get_warning:
 * Why the volume is not handed out as it is, if anything is wrong: its
 * content claims another format than the one it was created or imported
 * as (it is never read as that format), its header is one QEMU would
 * refuse, or its backing chain leaves the active pools, loops or reaches
 * a device.  Returns 0 with *ret_msg NULL when there is nothing to say,
 * 1 with *ret_msg a caller-owned message (storvirt_free()), or a
 * negative errno.  flags: 0.
 * Since: 0.5
 */
int storvirt_volume_get_warning(storvirt_volume *vol, char **ret_msg, uint32_t flags);

/* Flags of storvirt_volume_upload() and _download(). */
/* Keep holes: skip zero blocks (upload) / seek over holes (download). */
#define STORVIRT_VOLUME_TRANSFER_SPARSE (1u << 0)

/*
 * storvirt_volume_upload / storvirt_volume_download:
 * Copy `length` bytes (0: to the end) between the file descriptor `fd`
 * (read from for upload, written to for download; any fd type: file,
 * pipe, socket) and the volume's data starting at `offset`.  Writing past
 * the capacity is -EINVAL.  Progress and cancellation as above.
 * Since: 0.2
 */
int storvirt_volume_upload(storvirt_volume *vol, int fd, uint64_t offset,
                           uint64_t length, storvirt_progress_fn progress,
                           void *userdata, uint32_t flags);
int storvirt_volume_download(storvirt_volume *vol, int fd, uint64_t offset,
                             uint64_t length, storvirt_progress_fn progress,
                             void *userdata, uint32_t flags);

/*
 * storvirt_volume_ref / storvirt_volume_unref: NULL-safe; unref returns
 * NULL.  A volume keeps its pool (and so the context) alive.
 * Since: 0.2
 */
storvirt_volume *storvirt_volume_ref(storvirt_volume *vol);
storvirt_volume *storvirt_volume_unref(storvirt_volume *vol);

#if defined(__GNUC__)
static inline void storvirt_volume_unrefp(storvirt_volume **p) {
        if (p)
                storvirt_volume_unref(*p);
}
#endif

#ifdef __cplusplus
}
#endif

#endif
