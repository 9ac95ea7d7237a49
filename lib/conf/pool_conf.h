/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pool_conf.h - storage pool definitions: the in-memory form of
 * libvirt's <pool> XML, with a parser that enforces the per-type rules
 * of libvirt's storagepool schema and a formatter that writes the same
 * normalised text libvirt writes (sizes in bytes, mode as four octal
 * digits, defaults filled in).
 *
 * Every pool type of the schema is known: dir fs netfs logical disk
 * iscsi iscsi-direct scsi mpath rbd sheepdog gluster zfs vstorage.
 * Errors are negative errnos with a message that starts with
 * "pool XML: " and names the element, the attribute and the value.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/conf_xml.h"
#include "util/uuid.h"
#include "util/xml.h"

/* Largest pool XML document accepted by storvirt__pool_def_parse(). */
#define STORVIRT__POOL_XML_MAX (4u << 20)

/* Namespaces of the fs/netfs mount options and the rbd config options. */
#define STORVIRT__POOL_FS_NS "http://libvirt.org/schemas/storagepool/fs/1.0"
#define STORVIRT__POOL_RBD_NS "http://libvirt.org/schemas/storagepool/rbd/1.0"

/* Tristate attributes (part_separator, managed, cow). */
enum {
        STORVIRT__TRISTATE_ABSENT = -1,
        STORVIRT__TRISTATE_NO = 0,
        STORVIRT__TRISTATE_YES = 1,
};

/* <source><host name='' port=''/> */
struct storvirt__pool_host {
        char *name;
        int port;                       /* 0: not given */
};

/* <freeExtent start='' end=''/> (output of disk pools), in bytes. */
struct storvirt__pool_extent {
        uint64_t start, end;
};

/* What a <source><device> holds besides its path. */
struct storvirt__pool_device_info {
        int part_separator;             /* STORVIRT__TRISTATE_* */
        struct storvirt__pool_extent *free_extents;
        size_t n_free_extents;
};

enum {
        STORVIRT__POOL_ADAPTER_NONE = 0,
        STORVIRT__POOL_ADAPTER_SCSI_HOST = 1,
        STORVIRT__POOL_ADAPTER_FC_HOST = 2,
};

/* <source><adapter> of scsi pools. */
struct storvirt__pool_adapter {
        int type;                       /* STORVIRT__POOL_ADAPTER_* */
        /* scsi_host: either name ("host0") or the parent PCI address. */
        char *name;
        bool has_parentaddr;
        unsigned unique_id;             /* 0: not given */
        uint32_t pci_domain;
        uint8_t pci_bus, pci_slot, pci_function;
        int pci_multifunction;          /* STORVIRT__TRISTATE_*: multifunction='on|off' */
        /* fc_host: wwnn and wwpn required, each 16 hex digits (0x optional). */
        char *wwnn, *wwpn;
        char *parent, *parent_wwnn, *parent_wwpn, *parent_fabric_wwn;
        int managed;                    /* STORVIRT__TRISTATE_* */
};

/* <source><auth type='chap|ceph' username=''><secret uuid|usage/></auth> */
struct storvirt__pool_auth {
        char *type;                     /* "chap" or "ceph"; NULL: no <auth> */
        char *username;
        bool has_secret_uuid;
        storvirt__uuid secret_uuid;
        char *secret_usage;             /* set when !has_secret_uuid */
};

/* <rbd:config_opts><rbd:option name='' value=''/></rbd:config_opts> */
struct storvirt__pool_rbd_option {
        char *name;
        char *value;
};

enum {
        STORVIRT__POOL_REFRESH_ALLOCATION_UNSET = 0,
        STORVIRT__POOL_REFRESH_ALLOCATION_DEFAULT = 1,
        STORVIRT__POOL_REFRESH_ALLOCATION_CAPACITY = 2,
};

typedef struct storvirt__pool_def storvirt__pool_def;

struct storvirt__pool_def {
        char *type;                     /* "dir", "fs", ... "vstorage" */
        char *name;
        storvirt__uuid uuid;            /* always set after parse: generated v4 if absent */

        /* Runtime figures: ignored on input, written unless inactive. */
        uint64_t capacity, allocation, available;

        struct {
                int cow;                /* STORVIRT__TRISTATE_*; dir and fs only */
        } features;

        struct {
                struct storvirt__pool_host *hosts;
                size_t n_hosts;
                char **devices;         /* device paths (strv) */
                struct storvirt__pool_device_info *device_info; /* parallel to devices; NULL: none */
                char *dir;              /* <dir path=''> */
                struct storvirt__pool_adapter adapter;
                char *name;             /* VG, rbd pool, gluster volume, zfs pool, cluster */
                char *format;           /* fs, netfs, disk, logical; default filled in */
                struct storvirt__pool_auth auth;
                char *initiator_iqn;    /* <initiator><iqn name=''/> */
                char *protocol_ver;     /* netfs <protocol ver=''/>: "N" or "4.M" (see
                                           conf/nfs_version.h), canonical after
                                           validation; NULL: not given */
                char *vendor;
                char *product;
                /* <format><vendor/><product/></format> of disk and logical pools */
                char *format_vendor, *format_product;
        } source;

        struct {
                char *path;
                /* permissions: */
                int64_t mode;           /* 0..0777, -1 unset */
                int64_t owner;          /* uid, -1 unset */
                int64_t group;          /* gid, -1 unset */
                char *label;
        } target;

        int refresh_volume_allocation;  /* STORVIRT__POOL_REFRESH_ALLOCATION_*; rbd */

        char **fs_mount_opts;           /* <fs:mount_opts> option names (strv); fs, netfs */
        struct storvirt__pool_rbd_option *rbd_config_opts;  /* rbd */
        size_t n_rbd_config_opts;
};

/*
 * Parses len bytes of pool XML (need not be NUL-terminated) and checks
 * it against the rules of its pool type: unknown or repeated elements,
 * required source parts, formats, units, permissions.  Fills in what
 * libvirt fills in: a random UUID when none is given, the pool name
 * from the source name and back (logical, rbd, sheepdog, gluster, zfs,
 * vstorage), the target path of logical (/dev/VG) and zfs
 * (/dev/zvol/POOL) pools, the default source format, "/" as gluster
 * directory.  <capacity>, <allocation> and <available> are checked and
 * then ignored.  -EINVAL / -ERANGE / -EFBIG / -ENOMEM.
 */
int storvirt__pool_def_parse(const char *xml, size_t len, storvirt__pool_def **ret);

/*
 * Writes def as normalised XML (a new string, NUL-terminated, ending in
 * a newline).  inactive: leave out <capacity>, <allocation>,
 * <available> and the free extents of source devices.
 * -EINVAL if def breaks the rules the parser enforces, -ENOMEM.
 */
int storvirt__pool_def_format(const storvirt__pool_def *def, bool inactive, char **ret_xml);

void storvirt__pool_def_free(storvirt__pool_def *def);
static inline void storvirt__pool_def_freep(storvirt__pool_def **def) {
        storvirt__pool_def_free(*def);
}
#define _cleanup_pool_def_ __attribute__((cleanup(storvirt__pool_def_freep)))

/*
 * A new definition with type, name, a random UUID and nothing else
 * (permissions unset, tristates absent), for building one field by
 * field (pool-define-as).  Check it with storvirt__pool_def_validate()
 * once filled in.  -EINVAL for an unknown type or a bad name, -ENOMEM.
 */
int storvirt__pool_def_new(const char *type, const char *name, storvirt__pool_def **ret);

/*
 * The checks and defaults of the parser, applied to a definition built
 * in memory (the parser calls it too).  May fill in defaults (see
 * storvirt__pool_def_parse), so def is not const.  Messages start
 * with "pool XML: " and name the element that is wrong.
 */
int storvirt__pool_def_validate(storvirt__pool_def *def);

/* Deep comparison of every field. */
bool storvirt__pool_def_equal(const storvirt__pool_def *a, const storvirt__pool_def *b);

/* The pool types, NULL-terminated, in libvirt's order. */
const char *const *storvirt__pool_types(void);
bool storvirt__pool_type_is_valid(const char *type);

/*
 * The source formats of a pool type (NULL-terminated), or NULL when
 * the type has no <format> (only fs, netfs, disk and logical have one),
 * and the format used when none is given.
 */
const char *const *storvirt__pool_formats(const char *type);
const char *storvirt__pool_default_format(const char *type);

/*
 * Whether pools of this type have a <target> (all but rbd, sheepdog,
 * gluster and iscsi-direct).  Logical and zfs pools derive its path
 * from the source name; the others need it given.
 */
bool storvirt__pool_type_has_target(const char *type);

/*
 * Pool names: not empty, not starting with '.' (so neither "." nor ".."
 * nor the state directory's own hidden files), no '/', no control
 * character, at most 251 bytes (stored as <name>.xml).  0 or -EINVAL
 * with a message naming the value.
 */
int storvirt__pool_name_validate(const char *name);
