/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rbd.h - Ceph RBD through the engine's own client libraries (librados,
 * librbd): one connection to a cluster with the I/O context of one Ceph
 * pool, the pool's images listed and measured, and the image operations
 * an rbd pool needs (create, remove, resize, discard, clone and copy,
 * upload and download through a file descriptor).
 *
 * A connection (storvirt__rbd) is reference counted and thread-safe (as
 * librados is); it is meant to be held for as long as a pool is active,
 * since a connect costs a few round trips to the monitors and starts
 * librados' messenger threads.  Only the parameters given are used: no
 * ceph.conf or keyring is read, nothing is logged to stderr or to a file.
 *
 * Listing (storvirt__rbd_list) takes the names and ids in one call
 * (rbd_list2), then reads each image's size, features and flags from its
 * header object and its allocation from its object map where fast-diff
 * is on and valid, through librados' asynchronous reads, a window of
 * images in flight and no thread of ours (rbd_header.c).  The images
 * this cannot read (format 1, no valid object map) are opened read-only
 * through librbd's asynchronous open and measured there: librbd then
 * walks the image's objects for the allocation (slower, the same figure).
 *
 * Errors (negative errno, message in the per-thread error): -EACCES
 * (cephx refused the user or key, or the user may not use the pool),
 * -ETIMEDOUT (no monitor answered within the timeout), -ENOENT (no
 * such Ceph pool or image), -EEXIST, -EBUSY (an image with watchers, a
 * snapshot with clones), -ENOTEMPTY (an image with snapshots removed
 * without them), -EINVAL (bad parameters), -EIO and the others as
 * librados/librbd report them, each naming the pool and image.  The
 * cephx key never appears in a message.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct storvirt__rbd storvirt__rbd;

/* The timeout used when params->timeout_sec is 0. */
#define STORVIRT__RBD_DEFAULT_TIMEOUT 30

struct storvirt__rbd_params {
        /* Monitors: "host", "host:port" or "[v6addr]:port" each; at least one. */
        char *const *mon_hosts;
        size_t n_mon_hosts;
        const char *cluster;            /* NULL: "ceph" */
        const char *user;               /* cephx id without "client."; NULL: no authentication */
        const char *key;                /* with user: the cephx key, base64 */
        const char *pool;               /* the Ceph pool; NULL: the cluster alone
                                           (storvirt__rbd_pool_names() only) */
        /* Further librados settings, name/value pairs (rados_conf_set). */
        char *const *opts;
        size_t n_opts;
        unsigned timeout_sec;           /* 0: STORVIRT__RBD_DEFAULT_TIMEOUT */
};

/* Connects and opens the pool's I/O context. */
int storvirt__rbd_connect(const struct storvirt__rbd_params *p, storvirt__rbd **ret);
storvirt__rbd *storvirt__rbd_ref(storvirt__rbd *c);
void storvirt__rbd_unref(storvirt__rbd *c);

/* The cluster's fsid ("" when unknown), the Ceph pool's name and id. */
const char *storvirt__rbd_fsid(const storvirt__rbd *c);
const char *storvirt__rbd_pool_name(const storvirt__rbd *c);
int64_t storvirt__rbd_pool_id(const storvirt__rbd *c);

/*
 * Capacity and available bytes of the cluster, bytes stored in the
 * pool (libvirt's figures for an rbd pool).
 */
int storvirt__rbd_stats(storvirt__rbd *c, uint64_t *ret_capacity, uint64_t *ret_allocation,
                        uint64_t *ret_available);

/* The cluster's pools (malloc'd strv). */
int storvirt__rbd_pool_names(storvirt__rbd *c, char ***ret);

struct storvirt__rbd_image {
        char *name;
        char *id;                       /* the image id (format 2) */
        uint64_t size;
        uint64_t allocation;            /* bytes of objects that exist; size when not read */
        uint64_t features;              /* RBD_FEATURE_* */
        bool fast_diff;                 /* allocation came from the object map */
        bool measured;                  /* figures read (internal to the listing) */
        int error;                      /* < 0: the image could not be read (figures 0) */
};

void storvirt__rbd_images_free(struct storvirt__rbd_image *v, size_t n);

/*
 * The pool's images, sorted by name.  allocation: read each one's
 * allocation (else it is its size).  threads > 1: that many threads
 * (the caller's and short-lived helpers) read the allocations.  An
 * image removed while it is listed is left out; one that cannot be
 * read otherwise has its error set.  A read that times out (the OSDs
 * gone) fails the whole listing with -ETIMEDOUT naming the timeout,
 * after one window of images (at most about three times
 * rados_osd_op_timeout in all).
 */
int storvirt__rbd_list(storvirt__rbd *c, bool allocation, unsigned threads,
                       struct storvirt__rbd_image **ret, size_t *ret_n);

/* One image, as listed. */
int storvirt__rbd_image_stat(storvirt__rbd *c, const char *name, bool allocation,
                             struct storvirt__rbd_image *ret);

/* Progress of a long operation: a negative return cancels it with that value. */
typedef int (*storvirt__rbd_progress_fn)(void *userdata, uint64_t done, uint64_t total);

/*
 * A new format 2 image of size bytes with the cluster's default
 * features (rbd_default_features), its first zero_bytes written with
 * zeros so that they are allocated (0: thin).  A failure after the
 * image was made removes it.
 */
int storvirt__rbd_image_create(storvirt__rbd *c, const char *name, uint64_t size,
                               uint64_t zero_bytes, storvirt__rbd_progress_fn fn, void *ud);

/*
 * Removes an image: -EBUSY when a client has it open (watchers),
 * -ENOTEMPTY when it has snapshots unless with_snaps (then they are
 * unprotected and removed first; -EBUSY naming a snapshot that has
 * clones and its first clone, before any is removed).  A clone made by
 * storvirt__rbd_image_clone() takes its snapshot on the parent with it
 * when no other clone uses that snapshot.
 */
int storvirt__rbd_image_remove(storvirt__rbd *c, const char *name, bool with_snaps);

/*
 * Sets an image's size; shrinking only with shrink (-EINVAL without);
 * allocate: the bytes it grows by are written with zeros.
 */
int storvirt__rbd_image_resize(storvirt__rbd *c, const char *name, uint64_t size, bool shrink,
                               bool allocate);

/* Discards every byte of an image (it reads as zeros and holds no data after). */
int storvirt__rbd_image_discard(storvirt__rbd *c, const char *name, storvirt__rbd_progress_fn fn,
                                void *ud);

/*
 * The snapshot of a source image a copy-on-write clone named clone is
 * made from: STORVIRT__RBD_CLONE_SNAP_PREFIX then the clone's name.
 */
#define STORVIRT__RBD_CLONE_SNAP_PREFIX "storvirt-clone-"
int storvirt__rbd_clone_snap_name(const char *clone, char **ret);

/*
 * A new image name of size bytes (at least src's size) from image src
 * of the same pool (rbd_vol.c).  cow: a copy-on-write clone of src's
 * snapshot STORVIRT__RBD_CLONE_SNAP_PREFIX name, made and protected
 * here (-EOPNOTSUPP naming what lacks when src is format 1 or has no
 * layering; -EEXIST when that snapshot exists with clones).  Else a
 * full copy, zero blocks skipped (format 2, the cluster's default
 * features).  A failure leaves neither the new image nor the snapshot.
 */
int storvirt__rbd_image_clone(storvirt__rbd *c, const char *src, const char *name, uint64_t size,
                              bool cow, storvirt__rbd_progress_fn fn, void *ud);

/*
 * After clone was removed: the snapshot of parent made for it is
 * unprotected and removed when no clone uses it any more; nothing
 * else (the current error is kept).
 */
void storvirt__rbd_drop_clone_snap(storvirt__rbd *c, const char *parent, const char *clone);

/*
 * Writes the bytes read from fd (length of them, 0: to its end) into
 * image name at offset: -EINVAL before anything is written when
 * offset + length, or a regular file's bytes left, pass the image's
 * size (and when more data comes than fits).  sparse: runs of zeros are
 * written as zeroed ranges, which hold no objects where they cover them.
 */
int storvirt__rbd_image_upload(storvirt__rbd *c, const char *name, int fd, uint64_t offset,
                               uint64_t length, bool sparse, storvirt__rbd_progress_fn fn,
                               void *ud);

/*
 * Writes length bytes (0: to its end) of image name from offset to fd:
 * -EINVAL when the range passes the image's size.  sparse and a
 * seekable fd: blocks of zeros are seeked over, the output ending at
 * its full length.
 */
int storvirt__rbd_image_download(storvirt__rbd *c, const char *name, int fd, uint64_t offset,
                                 uint64_t length, bool sparse, storvirt__rbd_progress_fn fn,
                                 void *ud);

/* Wipes and frees a base64 text; NULL-safe. */
void storvirt__rbd_key_free(char *key);
/*
 * The base64 form of a cephx key held as a libvirt ceph secret's value:
 * that value when it is base64 text already (one trailing newline
 * ignored), else its bytes encoded.  *ret is freed with
 * storvirt__rbd_key_free().
 */
int storvirt__rbd_key_base64(const uint8_t *value, size_t n, char **ret);
