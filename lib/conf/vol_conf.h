/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vol_conf.h - storage volume definitions: the in-memory form of
 * libvirt's <volume> XML, its parser (checked against the pool type the
 * volume lives in) and its formatter (sizes in bytes, clusterSize in
 * B, mode as four octal digits, type= always written), plus the lists
 * of volume formats per pool type and volume name rules.
 *
 * Errors are negative errnos with a message that starts with
 * "volume XML: " and names the element, the attribute and the value.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/uuid.h"

/* Largest volume XML document accepted by storvirt__vol_def_parse(). */
#define STORVIRT__VOL_XML_MAX (1u << 20)

/* <volume type='...'>, in libvirt's order. */
enum {
        STORVIRT__VOL_TYPE_FILE = 0,
        STORVIRT__VOL_TYPE_BLOCK = 1,
        STORVIRT__VOL_TYPE_DIR = 2,
        STORVIRT__VOL_TYPE_NETWORK = 3,
        STORVIRT__VOL_TYPE_NETDIR = 4,
        STORVIRT__VOL_TYPE_PLOOP = 5,
};

/* Flags of storvirt__vol_def_parse(). */
/* <capacity> may be left out when a <backingStore> is given (volume create). */
#define STORVIRT__VOL_PARSE_OPT_CAPACITY (1u << 0)
/* <capacity> may always be left out. */
#define STORVIRT__VOL_PARSE_NO_CAPACITY (1u << 1)

/* A time stamp written as seconds[.nanoseconds]. */
struct storvirt__vol_timestamp {
        bool set;
        uint64_t sec;
        uint32_t nsec;                  /* 0..999999999 */
};

struct storvirt__vol_timestamps {
        struct storvirt__vol_timestamp atime, btime, ctime, mtime;
};

/* <encryption><secret type='passphrase' uuid|usage/> */
struct storvirt__vol_secret {
        bool has_uuid;
        storvirt__uuid uuid;
        char *usage;                    /* set when !has_uuid */
};

struct storvirt__vol_encryption {
        char *format;                   /* default qcow luks luks2 luks-any; NULL: none */
        char *engine;                   /* NULL, "qemu" or "librbd" */
        struct storvirt__vol_secret *secrets;
        size_t n_secrets;
        /* <cipher> and <ivgen>: luks only, both or neither. */
        char *cipher_name;              /* NULL: no <cipher> */
        unsigned cipher_size;
        char *cipher_mode, *cipher_hash;        /* both or neither */
        char *ivgen_name;
        char *ivgen_hash;
};

/* <source><device path=''><extent start='' end=''/></device></source> */
struct storvirt__vol_extent {
        uint64_t start, end;
};

struct storvirt__vol_source_device {
        char *path;
        struct storvirt__vol_extent *extents;
        size_t n_extents;
};

typedef struct storvirt__vol_def storvirt__vol_def;

struct storvirt__vol_def {
        char *name;
        char *key;                      /* output; kept when given */
        int type;                       /* STORVIRT__VOL_TYPE_* */

        /* Bytes.  Without <allocation>, allocation = capacity and
         * has_allocation is false (fully allocated).  physical is
         * output only and written when not 0. */
        uint64_t capacity, allocation, physical;
        bool has_allocation, has_capacity;

        struct storvirt__vol_source_device *source_devices;
        size_t n_source_devices;

        struct {
                char *path;
                char *format;           /* pool type's default filled in; NULL for
                                           pool types without volume formats */
                int64_t mode;           /* 0..0777, -1 unset */
                int64_t owner;          /* -1 unset */
                int64_t group;          /* -1 unset */
                char *label;
                char *compat;           /* "N.N"; "1.1" when <features> is given */
                bool nocow;
                uint64_t cluster_size;  /* bytes, 0: not given */
                bool has_features;      /* <features> present (may be empty) */
                bool lazy_refcounts, extended_l2;
                struct storvirt__vol_timestamps timestamps;
                struct storvirt__vol_encryption encryption;
        } target;

        struct {                        /* <backingStore>; path NULL: none */
                char *path;
                char *format;
                int64_t mode, owner, group;     /* -1 unset */
                char *label;
                struct storvirt__vol_timestamps timestamps;
        } backing;
};

/*
 * Parses len bytes of volume XML for a pool of type pool_type (NULL: no
 * pool context; then any format of libvirt's volume schema is accepted
 * and none is filled in).  flags: STORVIRT__VOL_PARSE_*.  The target and
 * backing formats are checked against the pool type and default to its
 * default format (raw for file pools, none for disk pools); pool types
 * without volume formats (logical, iscsi, scsi, mpath, zfs, ...) ignore
 * <format>, as libvirt does.  -EINVAL / -ERANGE / -EFBIG / -ENOMEM.
 */
int storvirt__vol_def_parse(const char *xml, size_t len, const char *pool_type, uint32_t flags,
                            storvirt__vol_def **ret);

/*
 * Writes def as normalised XML (a new string ending in a newline).
 * Formats are left out for pool types without volume formats.
 * -EINVAL if def breaks the rules the parser enforces, -ENOMEM.
 */
int storvirt__vol_def_format(const storvirt__vol_def *def, const char *pool_type, char **ret_xml);

void storvirt__vol_def_free(storvirt__vol_def *def);
static inline void storvirt__vol_def_freep(storvirt__vol_def **def) {
        storvirt__vol_def_free(*def);
}
#define _cleanup_vol_def_ __attribute__((cleanup(storvirt__vol_def_freep)))

/*
 * A new definition with name and capacity (has_capacity set),
 * type file, permissions unset.  -EINVAL for a bad name, -ENOMEM.
 */
int storvirt__vol_def_new(const char *name, uint64_t capacity, storvirt__vol_def **ret);

/* Deep comparison of every field. */
bool storvirt__vol_def_equal(const storvirt__vol_def *a, const storvirt__vol_def *b);

/* "file", "block", ...; NULL for an unknown value.  And back (-EINVAL). */
const char *storvirt__vol_type_to_string(int type);
int storvirt__vol_type_from_string(const char *s);

/*
 * The volume formats of a pool type (NULL-terminated):
 *   dir fs netfs gluster vstorage: raw dir bochs cloop dmg iso vpc vdi
 *       fat vhd ploop cow qcow qcow2 qed vmdk
 *   rbd: raw
 *   disk: none linux fat16 fat32 linux-swap linux-lvm linux-raid extended
 * NULL for the pool types whose volumes have no format (logical,
 * iscsi, iscsi-direct, scsi, mpath, sheepdog, zfs) and for unknown types.
 */
const char *const *storvirt__vol_formats(const char *pool_type);
/* raw, none (disk) or NULL. */
const char *storvirt__vol_default_format(const char *pool_type);
/* Whether format is one of storvirt__vol_formats(pool_type). */
bool storvirt__vol_format_is_valid(const char *pool_type, const char *format);
/* Formats that can have a backing file: cow qcow qcow2 qed vmdk. */
bool storvirt__vol_format_has_backing(const char *format);

/*
 * Volume names: not empty, not "." or "..", no '/', no control character,
 * at most 255 bytes (a NUL cannot be inside a C string).  0 or -EINVAL
 * naming the value.
 */
int storvirt__vol_name_validate(const char *name);
