/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * imgfmt.h - native disk image format probing: which format a file
 * holds (raw, qcow, qcow2, qed, vmdk, vpc, vdi, iso, luks), its virtual
 * size, backing file and format-specific details, and whole backing
 * chains.
 *
 * Every read goes through a file descriptor with pread(), in bounded
 * pieces (a few KiB, never the whole image), and every header field is
 * checked against the file size before it is used: a crafted header
 * gives -EINVAL (or -EOPNOTSUPP for a valid but unsupported variant)
 * with a message naming the file and the field, never a crash or an
 * unbounded allocation.
 *
 * A probe result must not be trusted blindly: a guest can write any
 * header into a raw image.  Callers that know an image's format should
 * pass it (storvirt__img_probe_fd_as()); storvirt__img_probe_chain()
 * uses the backing format recorded in each header for the next image.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Backing chains deeper than this are refused when max_depth is 0. */
#define STORVIRT__IMG_CHAIN_DEPTH_DEFAULT 64
/* Longest backing file name accepted in any header, in bytes. */
#define STORVIRT__IMG_BACKING_NAME_MAX 1023
/* Longest external data file name accepted (qcow2), in bytes. */
#define STORVIRT__IMG_DATA_FILE_NAME_MAX 4095

/* The cipher of a LUKS header, in the terms of libvirt's <cipher> and <ivgen>. */
typedef struct storvirt__img_cipher {
        char name[16];           /* "aes", "serpent", "twofish", "cast5"; "" unknown */
        uint32_t size;           /* bits of one cipher key (xts: half the key) */
        char mode[16];           /* "xts", "cbc", "ecb", "ctr" */
        char hash[16];           /* the header's hash: "sha256", ... */
        char ivgen[16];          /* "plain64", "plain", "essiv"; "" for none */
        char ivgen_hash[16];     /* essiv's hash, "" otherwise */
} storvirt__img_cipher;

typedef struct storvirt__img_info {
        char format[16];         /* "raw","qcow","qcow2","qed","vmdk","vpc","vdi","iso","luks" */
        uint64_t virtual_size;   /* bytes; raw and iso: the file size given; luks:
                                    the payload (file size minus payload_offset,
                                    or the luks2 segment size) */
        char *backing_file;      /* NULL if none; as stored in the header */
        char backing_format[16]; /* "" if not recorded; vmdk: "vmdk", vpc: "vpc",
                                    qed: "raw" when the no-probe flag is set */
        uint32_t qcow2_version;  /* 2 or 3 (qcow2 only) */
        uint32_t cluster_bits;   /* qcow, qcow2, qed; vmdk sparse: grain; vdi, dynamic
                                    vpc: block size; 0 where there is none */
        bool encrypted;          /* qcow AES, qcow2 AES or LUKS, or a luks container */
        char encryption[8];      /* libvirt's name of it: "qcow" (AES of qcow and qcow2),
                                    "luks" (a luks container, qcow2 LUKS); "" when none */
        storvirt__img_cipher cipher; /* LUKS version 1: the header's cipher */
        uint64_t incompatible_features, compatible_features, autoclear_features; /* qcow2 v3, qed */
        char *data_file;         /* qcow2 external data file extension, NULL if none */
        bool lazy_refcounts;     /* qcow2: compatible feature bit 0 */
        bool extended_l2;        /* qcow2: incompatible feature bit 4 */
        char compat[8];          /* qcow2: "0.10" (v2) or "1.1" (v3) */
        uint64_t payload_offset; /* luks: data offset in bytes */
        uint32_t luks_version;   /* luks: 1 or 2 */
        char subformat[32];      /* vmdk: createType; vpc: "fixed", "dynamic",
                                    "differencing"; vdi: "dynamic", "static", ... */
        char *filename;          /* probe_chain only: the path opened (relative to
                                    its dirfd, or absolute); NULL otherwise */
} storvirt__img_info;

/*
 * Probe the image open on fd, whose size in bytes is file_size (st_size
 * for a regular file, the device size for a block device); what names
 * the image in messages (normally its path).  Formats are tried by
 * their magic; anything unrecognised is "raw" with virtual_size =
 * file_size.  On success fills *ret (which must later be cleared with
 * storvirt__img_info_clear()); on failure *ret is untouched.
 * Errors: -EINVAL (corrupt or malicious header), -EOPNOTSUPP (known
 * magic with an unsupported version or variant), -EIO or other
 * negative errno from pread() (also when the file is shorter than
 * file_size), -ENOMEM.
 */
int storvirt__img_probe_fd(int fd, uint64_t file_size, const char *what,
                           storvirt__img_info *ret);

/*
 * storvirt__img_probe_fd() for a regular file, given its fstat: a file
 * with no block allocated (st_blocks 0) whose first bytes read as zeros
 * is raw without the reads of the signatures further in (the iso volume
 * descriptor at 32 KiB, a fixed vpc footer at the end), which would read
 * zeros: a new sparse raw image costs one read, not three.  Where a
 * filesystem reports no blocks for a file that has data, its first
 * bytes show it and every signature is read.
 */
int storvirt__img_probe_file(int fd, const struct stat *st, const char *what,
                             storvirt__img_info *ret);

/*
 * Like storvirt__img_probe_fd() but reads the image as `format` (one of
 * the names above, or NULL to probe): a file that does not carry that
 * format's magic is -EINVAL, and "raw" never looks at the content.
 */
int storvirt__img_probe_fd_as(int fd, uint64_t file_size, const char *what,
                              const char *format, storvirt__img_info *ret);

/*
 * An image reached through another I/O layer than a file descriptor (a
 * network file system's client library): each callback works like
 * pread(2), pwrite(2) and ftruncate(2) on the image (-1 with errno set
 * on failure); pwrite and truncate may be NULL for reading only.
 */
typedef struct storvirt__img_io {
        ssize_t (*pread)(void *handle, void *buf, size_t len, uint64_t off);
        ssize_t (*pwrite)(void *handle, const void *buf, size_t len, uint64_t off);
        int (*truncate)(void *handle, uint64_t size);
        void *handle;
} storvirt__img_io;

/* storvirt__img_probe_fd_as() and storvirt__img_probe_magic() of an image read through io. */
int storvirt__img_probe_io(const storvirt__img_io *io, uint64_t file_size, const char *what,
                           const char *format, storvirt__img_info *ret);
int storvirt__img_probe_magic_io(const storvirt__img_io *io, uint64_t file_size, const char *what,
                                 char ret[static 16]);

/*
 * The format whose magic the image open on fd starts with ("raw" when
 * none), without checking the header: what a file claims to be when
 * storvirt__img_probe_fd() refuses its header.
 */
int storvirt__img_probe_magic(int fd, uint64_t file_size, const char *what, char ret[static 16]);

/* Flag of storvirt__img_check_usable(): the caller knows the passphrase of an encrypted image. */
#define STORVIRT__IMG_USABLE_SECRET_KNOWN (1u << 0)

/*
 * 0 when QEMU can open the image probed into info as it is; otherwise
 * the reason, naming `what`: qcow2 with incompatible feature bits QEMU
 * does not know (-EOPNOTSUPP) or marked corrupt (-EIO), an external
 * data file (-EOPNOTSUPP), or encryption (-EOPNOTSUPP) unless flags
 * has STORVIRT__IMG_USABLE_SECRET_KNOWN.
 */
int storvirt__img_check_usable(const storvirt__img_info *info, const char *what, uint32_t flags);

/* Frees the strings held by info and zeroes it.  NULL is accepted. */
void storvirt__img_info_clear(storvirt__img_info *info);

/*
 * Probe dirfd/path (dirfd may be AT_FDCWD; the last component of path
 * must not be a symlink) and then its backing files, top image first.
 * Relative backing names are resolved against the directory of the
 * image naming them.  The next image is read as the backing format
 * recorded in the header when there is one ("raw" stops the chain
 * without looking at the content), else probed.
 * At most max_depth backing files are followed (0 means
 * STORVIRT__IMG_CHAIN_DEPTH_DEFAULT); deeper chains are -ELOOP, and so
 * is a chain that comes back to an image already in it (compared by
 * st_dev and st_ino; the message names the chain).  Backing names using
 * a protocol ("nbd:", "json:", "http://", ...) are -EOPNOTSUPP; "file:"
 * is taken as a plain path.  Non-regular files other than block devices
 * are -EINVAL.  On success *ret_chain is an array of *ret_n entries,
 * each with filename set, freed with storvirt__img_chain_free().
 */
int storvirt__img_probe_chain(int dirfd, const char *path, unsigned max_depth,
                              storvirt__img_info **ret_chain, size_t *ret_n);
void storvirt__img_chain_free(storvirt__img_info *chain, size_t n);

/*
 * True for the format names above except "iso", which is not a format
 * a hypervisor opens (it reads an ISO image as raw).  These are the
 * names accepted as a backing format.
 */
bool storvirt__img_format_is_known(const char *name);

/* ---- for the format parsers (imgfmt.c, qcow2.c) ---------------------- */

/* The image being probed. */
/* Bytes read up front by a probe; the formats' headers mostly fit. */
#define STORVIRT__IMG_HEAD_SIZE 4096

struct storvirt__img_src {
        int fd;
        const storvirt__img_io *io;   /* when set, read through it instead of fd */
        uint64_t size;     /* bytes, as given by the caller */
        const char *what;  /* for messages */
        /* The first head_len bytes of the file, read once up front, so the
         * common probe costs a single pread (see storvirt__img_read). */
        const uint8_t *head;
        size_t head_len;
        bool no_blocks;    /* the file has no block allocated (st_blocks 0) */
};

/*
 * Read exactly len bytes at off.  Fails with -EINVAL "'<what>': <field>
 * at offset O (L bytes) runs past the end of the file (S bytes)" when
 * the range is not inside src->size, with -EIO when the file turns out
 * shorter, or with the pread() errno.
 */
int storvirt__img_read(const struct storvirt__img_src *src, uint64_t off, void *buf,
                       size_t len, const char *field);

/*
 * Check a name of len bytes read from a header: at most max bytes, no
 * NUL byte inside.  Returns a malloc'd NUL-terminated copy in *ret.
 */
int storvirt__img_name_dup(const struct storvirt__img_src *src, const char *field,
                           const char *p, size_t len, size_t max, char **ret);

/*
 * Copy a format name of len bytes into dst[16]: at most 15 bytes of
 * printable ASCII.  Errors name the field.
 */
int storvirt__img_format_copy(const struct storvirt__img_src *src, const char *field,
                              const char *p, size_t len, char dst[static 16]);

static inline uint16_t storvirt__be16(const uint8_t *p) {
        return (uint16_t) ((unsigned) p[0] << 8 | p[1]);
}
static inline uint32_t storvirt__be32(const uint8_t *p) {
        return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}
static inline uint64_t storvirt__be64(const uint8_t *p) {
        return (uint64_t) storvirt__be32(p) << 32 | storvirt__be32(p + 4);
}
static inline uint16_t storvirt__le16(const uint8_t *p) {
        return (uint16_t) ((unsigned) p[1] << 8 | p[0]);
}
static inline uint32_t storvirt__le32(const uint8_t *p) {
        return (uint32_t) p[3] << 24 | (uint32_t) p[2] << 16 | (uint32_t) p[1] << 8 | p[0];
}
static inline uint64_t storvirt__le64(const uint8_t *p) {
        return (uint64_t) storvirt__le32(p + 4) << 32 | storvirt__le32(p);
}
static inline void storvirt__put_be16(uint8_t *p, uint16_t v) {
        p[0] = (uint8_t) (v >> 8);
        p[1] = (uint8_t) v;
}
static inline void storvirt__put_be32(uint8_t *p, uint32_t v) {
        storvirt__put_be16(p, (uint16_t) (v >> 16));
        storvirt__put_be16(p + 2, (uint16_t) v);
}
static inline void storvirt__put_be64(uint8_t *p, uint64_t v) {
        storvirt__put_be32(p, (uint32_t) (v >> 32));
        storvirt__put_be32(p + 4, (uint32_t) v);
}
