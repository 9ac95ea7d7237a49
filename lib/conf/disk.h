/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * conf/disk.h - a VM disk: the spec a caller gives (where the storage
 * is, and how the guest sees it), and the spec once resolved (the
 * source found on this host, every default applied), ready to become a
 * libvirt <disk> element or a VDSM-style device dict.
 *
 *   disk_spec.c       the spec object, its buses and defaults
 *   disk_keys.c       the keys of a drive (VDSM's spellings) and how each
 *                     is read; disk_source_keys.c the keys of its source,
 *                     disk_vdsm_keys.c VDSM's vm_custom, volumeChain and
 *                     volumeInfo
 *   disk_drive.c      one drive parsed (JSON, or one key at a time from
 *                     the C API); disk_json.c the values of its keys
 *   disk_check.c      the checks of one drive
 *   disk_vm.c         a VM's drives; disk_complete.c their indexes and
 *                     cross-checks
 *   disk_vdsm_dict.c  the normalized device dict of a resolved disk
 *   disk_xml.c        <disk> and <devices> through libxml2's writer
 *   resolve/          spec -> resolved (LUN index, pools, identity check)
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>

#include "util/json.h"

/* Where the storage is. */
typedef enum storvirt__disk_source {
        STORVIRT__DISK_SOURCE_NONE = 0,   /* empty cdrom / floppy (no media) */
        STORVIRT__DISK_SOURCE_GUID,       /* multipath WWID of a LUN */
        STORVIRT__DISK_SOURCE_FS_UUID,    /* blkid UUID of what is on a LUN */
        STORVIRT__DISK_SOURCE_PDIV,       /* {poolID, domainID, imageID, volumeID} */
        STORVIRT__DISK_SOURCE_VOLUME,     /* {pool, volume}: a volume of a storvirt pool */
        STORVIRT__DISK_SOURCE_PATH,       /* a host path (file or block device) */
        STORVIRT__DISK_SOURCE_ISCSI,      /* a LUN of an iSCSI target, through QEMU's initiator */
        STORVIRT__DISK_SOURCE_VDISK,      /* a vDisk id */
        STORVIRT__DISK_SOURCE_NETWORK,    /* VDSM's network drive: an rbd image or a gluster file
                                             reached by QEMU itself, outside any pool */
} storvirt__disk_source;

/* How the guest sees it: libvirt's <disk device=...>. */
typedef enum storvirt__disk_device {
        STORVIRT__DISK_DEVICE_DISK = 0,
        STORVIRT__DISK_DEVICE_LUN,        /* SCSI passthrough of a block device */
        STORVIRT__DISK_DEVICE_CDROM,
        STORVIRT__DISK_DEVICE_FLOPPY,
} storvirt__disk_device;

/* libvirt's <target bus=...>; VDSM calls it iface. */
typedef enum storvirt__disk_bus {
        STORVIRT__DISK_BUS_UNSET = 0,     /* default per device: virtio, scsi for lun,
                                             ide for cdrom, fdc for floppy */
        STORVIRT__DISK_BUS_VIRTIO,
        STORVIRT__DISK_BUS_SCSI,
        STORVIRT__DISK_BUS_IDE,
        STORVIRT__DISK_BUS_SATA,
        STORVIRT__DISK_BUS_USB,
        STORVIRT__DISK_BUS_FDC,
} storvirt__disk_bus;

typedef enum storvirt__disk_address_type {
        STORVIRT__DISK_ADDRESS_NONE = 0,
        STORVIRT__DISK_ADDRESS_PCI,       /* domain, bus, slot, function */
        STORVIRT__DISK_ADDRESS_DRIVE,     /* controller, bus, target, unit */
} storvirt__disk_address_type;

typedef struct storvirt__disk_address {
        storvirt__disk_address_type type;
        /* PCI: domain 0..0xffff, bus 0..0xff, slot 0..0x1f, function 0..7 */
        unsigned domain, bus, slot, function;
        /* drive: controller, bus, target, unit (libvirt's ranges) */
        unsigned controller, drive_bus, target, unit;
} storvirt__disk_address;

/* Optional tri-states and enums: 0 is always "not given". */
typedef enum storvirt__disk_format {
        STORVIRT__DISK_FORMAT_UNSET = 0,
        STORVIRT__DISK_FORMAT_RAW,
        STORVIRT__DISK_FORMAT_QCOW2,      /* VDSM's "cow" */
} storvirt__disk_format;

typedef enum storvirt__disk_error_policy {
        STORVIRT__DISK_ERROR_POLICY_UNSET = 0,
        STORVIRT__DISK_ERROR_POLICY_STOP,     /* propagateErrors "off" (VDSM's default) */
        STORVIRT__DISK_ERROR_POLICY_ENOSPACE, /* propagateErrors "on" / true */
        STORVIRT__DISK_ERROR_POLICY_REPORT,   /* propagateErrors "report" */
} storvirt__disk_error_policy;

typedef enum storvirt__disk_cache {
        STORVIRT__DISK_CACHE_UNSET = 0,   /* resolved: none (not written for removables) */
        STORVIRT__DISK_CACHE_NONE,
        STORVIRT__DISK_CACHE_WRITETHROUGH,
        STORVIRT__DISK_CACHE_WRITEBACK,
        STORVIRT__DISK_CACHE_DIRECTSYNC,
        STORVIRT__DISK_CACHE_UNSAFE,
} storvirt__disk_cache;

typedef enum storvirt__disk_io {
        STORVIRT__DISK_IO_UNSET = 0,      /* resolved: native for block, threads otherwise */
        STORVIRT__DISK_IO_NATIVE,
        STORVIRT__DISK_IO_THREADS,
        STORVIRT__DISK_IO_URING,          /* "io_uring" */
} storvirt__disk_io;

typedef enum storvirt__disk_discard {
        STORVIRT__DISK_DISCARD_UNSET = 0,
        STORVIRT__DISK_DISCARD_UNMAP,     /* discard: true / "unmap" */
        STORVIRT__DISK_DISCARD_IGNORE,    /* discard: false / "ignore" */
} storvirt__disk_discard;

typedef enum storvirt__disk_sgio {
        STORVIRT__DISK_SGIO_UNSET = 0,
        STORVIRT__DISK_SGIO_FILTERED,     /* "unfiltered" is refused: libvirt 9 dropped it */
} storvirt__disk_sgio;

/* <iotune>: VDSM's specParams.ioTune; a field is given when its bit is set in `set`. */
enum {
        STORVIRT__IOTUNE_TOTAL_BYTES_SEC = 0,
        STORVIRT__IOTUNE_READ_BYTES_SEC,
        STORVIRT__IOTUNE_WRITE_BYTES_SEC,
        STORVIRT__IOTUNE_TOTAL_IOPS_SEC,
        STORVIRT__IOTUNE_READ_IOPS_SEC,
        STORVIRT__IOTUNE_WRITE_IOPS_SEC,
        STORVIRT__IOTUNE_N,
};
typedef struct storvirt__disk_iotune {
        unsigned set;                      /* bit i: value[i] given */
        uint64_t value[STORVIRT__IOTUNE_N];
} storvirt__disk_iotune;



/* An iSCSI target reached by QEMU itself (<disk type='network'>). */
typedef struct storvirt__disk_iscsi {
        char *host;            /* portal host: name, IPv4, or IPv6 without brackets */
        unsigned port;         /* 3260 when not given */
        char *target;          /* target IQN */
        unsigned lun;          /* 0 when not given */
        char *initiator;       /* initiator IQN, NULL: QEMU's default */
        char *auth_username;   /* CHAP user, NULL: no auth */
        char *secret_uuid;     /* libvirt secret holding the CHAP password (UUID) */
        char *secret_usage;    /* or its usage name; one of the two with auth_username */
} storvirt__disk_iscsi;

/* An rbd image reached by QEMU itself through librbd (<disk type='network'>). */
typedef struct storvirt__disk_rbd {
        char *name;            /* "POOL/IMAGE"; NULL: the network source is iSCSI */
        char **hosts;          /* monitor hosts (strv): name, IPv4, or IPv6 without brackets */
        unsigned *ports;       /* parallel to hosts; 0: not given */
        size_t n_hosts;
        char *auth_username;   /* cephx user (without "client."), NULL: no auth */
        char *secret_uuid;     /* libvirt secret (usage type ceph) holding the key (UUID) */
        char *secret_usage;    /* or its usage name; one of the two with auth_username */
} storvirt__disk_rbd;

void storvirt__disk_rbd_clear(storvirt__disk_rbd *r);

/*
 * A file on a network file system QEMU reaches itself through its own
 * client (<disk type='network'> with another protocol than iSCSI):
 * <source protocol='PROTOCOL' name='NAME'> and one <host> per server.
 */
typedef struct storvirt__disk_nethost {
        char *name;            /* name, IPv4, or IPv6 without brackets */
        unsigned port;
        bool rdma;             /* transport rdma (gluster), else tcp */
} storvirt__disk_nethost;

typedef struct storvirt__disk_netfile {
        char *protocol;        /* "gluster"; NULL: the network source is iSCSI */
        char *name;            /* gluster: VOLUME/DIR/FILE */
        storvirt__disk_nethost *hosts;
        size_t n_hosts;
} storvirt__disk_netfile;

/* libvirt's <disk type=...> of a resolved disk. */
typedef enum storvirt__disk_type {
        STORVIRT__DISK_TYPE_FILE = 0,
        STORVIRT__DISK_TYPE_BLOCK,
        STORVIRT__DISK_TYPE_NETWORK,
        STORVIRT__DISK_TYPE_VOLUME,
} storvirt__disk_type;

/* A volume of VDSM's volumeChain or volumeInfo: its ids, NULL when not given. */
typedef struct storvirt__disk_vol_ref {
        char *volume_id, *domain_id, *image_id;
} storvirt__disk_vol_ref;

typedef struct storvirt__disk_spec {
        char *name;                   /* how errors name the drive: its alias, else
                                         "drive N" in a VM list, else "disk" */
        char *alias;                  /* libvirt <alias name=...> (optional, "ua-" prefix
                                         added when missing, as libvirt requires) */

        storvirt__disk_source source;
        char *guid;                   /* SOURCE_GUID, normalized */
        char *fs_uuid;                /* SOURCE_FS_UUID */
        char *pool_id, *domain_id, *image_id, *volume_id; /* SOURCE_PDIV, canonical UUIDs */
        char *pool, *volume;          /* SOURCE_VOLUME: pool name, volume name */
        char *path;                   /* SOURCE_PATH: absolute */
        storvirt__disk_iscsi iscsi;   /* SOURCE_ISCSI */
        char *vdisk;                  /* SOURCE_VDISK: canonical UUID */
        storvirt__disk_rbd net_rbd;   /* SOURCE_NETWORK, protocol rbd */
        storvirt__disk_netfile net_file; /* SOURCE_NETWORK, protocol gluster */
        /*
         * SOURCE_NETWORK named through a stored connection ({"rbd": {pool, image,
         * connection, id}}, {"gluster": {volume, path, connection, gfid}}): its id,
         * and the image id or gfid the storage must have (NULL: not checked).  The
         * hosts and auth of net_rbd and net_file come from the connection.
         */
        char *net_conn, *net_expect;

        storvirt__disk_device device;
        storvirt__disk_bus bus;
        int index;                    /* -1: not given; else unique per bus */
        storvirt__disk_address address;
        storvirt__disk_format format;
        unsigned boot_order;          /* 0: not given; unique across the VM */
        storvirt__disk_error_policy error_policy;
        bool shared;                  /* <shareable/> */
        bool readonly;                /* <readonly/> */
        bool optional;                /* VDSM's optional: startupPolicy='optional' where libvirt
                                         takes it; left out of a VM when unreachable */
        char *serial;                 /* <serial>, not for device lun */
        char *vendor, *product;       /* <vendor>, <product>: bus scsi only (set by the
                                         controller model, not by a spec key) */
        storvirt__disk_cache cache;
        storvirt__disk_io io;
        storvirt__disk_discard discard;
        storvirt__disk_sgio sgio;     /* device lun only */
        storvirt__disk_iotune iotune;
        bool reservations;            /* <reservations managed='yes'/>, device lun only */
        bool volume_as_volume;        /* SOURCE_VOLUME: emit <disk type='volume'> */
        storvirt__disk_cache custom_cache; /* vm_custom.viodiskcache: the cache of a virtio
                                         drive that gives none (VDSM's rule) */
        /*
         * VDSM's volumeChain (the image's volumes, in no given order) and
         * volumeInfo (the volume used): checked against a vDisk's image
         * stack when the source is a vDisk or the PDIV quartet, and only
         * read otherwise.
         */
        storvirt__disk_vol_ref *volume_chain;
        size_t n_volume_chain;
        storvirt__disk_vol_ref volume_info;
        bool volume_info_typed;       /* volumeInfo.type given: */
        storvirt__disk_type volume_info_type;
} storvirt__disk_spec;

/* The spec resolved on this host. */

/* One image of a backing chain. */
typedef struct storvirt__disk_backing {
        storvirt__disk_type type;     /* FILE, BLOCK or NETWORK */
        char *path;                   /* FILE, BLOCK */
        storvirt__disk_iscsi iscsi;   /* NETWORK, when netfile.protocol is NULL */
        storvirt__disk_netfile netfile; /* NETWORK: a gluster file when its protocol is set */
        storvirt__disk_format format;
} storvirt__disk_backing;

typedef struct storvirt__disk_resolved {
        storvirt__disk_spec *spec;    /* owned; every UNSET default filled in (bus,
                                         cache, io, error_policy, format) */
        storvirt__disk_type type;
        char *source_path;            /* FILE, BLOCK: the path for <source file|dev>,
                                         NULL for an empty cdrom/floppy */
        storvirt__disk_rbd rbd;       /* NETWORK: an rbd image when rbd.name is set,
                                         else spec->iscsi */
        char *source_pool, *source_volume; /* VOLUME: <source pool= volume=> */
        storvirt__disk_netfile netfile; /* NETWORK, when its protocol is not iSCSI */
        char *target_dev;             /* "vda", "sdb", "hdc", "fda" */
        char *guid;                   /* the LUN's GUID when the source is a LUN */
        uint64_t capacity;            /* bytes when known (LUN, volume, file), else 0 */
        /*
         * The images below the source (a vDisk's image stack), nearest
         * first: each becomes a nested <backingStore>, the last one closed
         * by an empty <backingStore/>.  n_backing 0: no <backingStore> at
         * all (libvirt probes nothing either way for raw sources).
         */
        struct storvirt__disk_backing *backing;
        size_t n_backing;
        /*
         * The chain above is all there is (checked by the resolver): a
         * qcow2 source with n_backing 0 still gets an empty <backingStore/>,
         * so that libvirt reads no backing file name from its header.
         */
        bool backing_known;
        /*
         * An encrypted source (FILE or VOLUME): libvirt's name of its
         * encryption ("luks") and the UUID of the libvirt secret holding
         * its passphrase, written as <encryption> inside <source>; ""
         * when the source is not encrypted.
         */
        char encryption[8];
        char encryption_secret[37];
        /* <seclabel model='dac' relabel='no'/> in each local <source> (the caller owns
           the files' ownership, as VDSM does) */
        bool no_relabel;
        /*
         * A vDisk's exclusive sanlock lease (lib/lease): with with_lease, a
         * <lease> element (lockspace, key, target path and offset) beside the
         * <disk>, for libvirt's sanlock lock driver.  lease_lockspace NULL: none.
         */
        char *lease_lockspace, *lease_key, *lease_path;
        uint64_t lease_offset;
        bool with_lease;
        /* What the resolution left out and why, each naming the drive (NULL: nothing). */
        char **warnings;
} storvirt__disk_resolved;

/* ---- disk_names.c: the enums as libvirt's XML and VDSM's dicts spell them ------------------ */

extern const char *const storvirt__disk_type_names[STORVIRT__DISK_TYPE_VOLUME + 1];
extern const char *const storvirt__disk_device_names[STORVIRT__DISK_DEVICE_FLOPPY + 1];
extern const char *const storvirt__disk_bus_names[STORVIRT__DISK_BUS_FDC + 1];
extern const char *const storvirt__disk_format_names[STORVIRT__DISK_FORMAT_QCOW2 + 1];
/* error_policy="stop|enospace|report" */
extern const char *const storvirt__disk_error_policy_xml_names[STORVIRT__DISK_ERROR_POLICY_REPORT + 1];
/* propagateErrors "off|on|report" */
extern const char *const storvirt__disk_error_policy_vdsm_names[STORVIRT__DISK_ERROR_POLICY_REPORT + 1];
extern const char *const storvirt__disk_cache_names[STORVIRT__DISK_CACHE_UNSAFE + 1];
extern const char *const storvirt__disk_io_names[STORVIRT__DISK_IO_URING + 1];
extern const char *const storvirt__disk_discard_names[STORVIRT__DISK_DISCARD_IGNORE + 1];
extern const char *const storvirt__disk_sgio_names[STORVIRT__DISK_SGIO_FILTERED + 1];
/* libvirt's names of the iotune fields, in the enum's order. */
extern const char *const storvirt__iotune_names[STORVIRT__IOTUNE_N];

/* table[v] when v is an index of the table with a name, else NULL. */
#define STORVIRT__DISK_NAME(table, v)                                          \
        ((unsigned)(v) < sizeof(table) / sizeof((table)[0]) ? (table)[(unsigned)(v)] : NULL)

/* ---- disk_spec.c -------------------------------------------------------------------------- */

/* Two-letter target names end at "zz". */
#define STORVIRT__DISK_INDEX_MAX 701
#define STORVIRT__DISK_ISCSI_PORT_DEFAULT 3260

int storvirt__disk_spec_new(storvirt__disk_spec **ret);
/* Frees the strings of an iSCSI source and zeroes it. */
void storvirt__disk_iscsi_clear(storvirt__disk_iscsi *i);
/* Frees what a network file source holds and zeroes it. */
void storvirt__disk_netfile_clear(storvirt__disk_netfile *n);
/* The "rbd" or "gluster" key of a source named through a stored connection (disk_netconn.c). */
void storvirt__disk_gen_netconn(storvirt__json_gen *g, const storvirt__disk_spec *s);
/* Deep copies (disk_network.c); on failure *ret is empty and -ENOMEM returned. */
int storvirt__disk_rbd_dup(const storvirt__disk_rbd *r, storvirt__disk_rbd *ret);
int storvirt__disk_netfile_dup(const storvirt__disk_netfile *n, storvirt__disk_netfile *ret);
/* Frees every field of the spec's source: source NONE. */
void storvirt__disk_source_clear(storvirt__disk_spec *s);
void storvirt__disk_spec_free(storvirt__disk_spec *spec);
int storvirt__disk_spec_dup(const storvirt__disk_spec *spec, storvirt__disk_spec **ret);

void storvirt__disk_resolved_free(storvirt__disk_resolved *d);
/* Frees the ids of v and zeroes it; frees a spec's volumeChain. */
void storvirt__disk_vol_ref_clear(storvirt__disk_vol_ref *v);
void storvirt__disk_volume_chain_clear(storvirt__disk_spec *s);

static inline void storvirt__disk_spec_freep(storvirt__disk_spec **s) {
        storvirt__disk_spec_free(*s);
}
#define _cleanup_disk_spec_ __attribute__((cleanup(storvirt__disk_spec_freep)))

/* The target dev name of index on bus: virtio 0 -> "vda", scsi 27 -> "sdab", ide 2 -> "hdc". */
int storvirt__disk_target_dev(storvirt__disk_bus bus, unsigned index, char *buf, size_t size);

/* Enum names as they appear in JSON and XML. */
const char *storvirt__disk_device_name(storvirt__disk_device d);
const char *storvirt__disk_bus_name(storvirt__disk_bus b);

/* How messages name the drive: its name, "disk" when it has none. */
const char *storvirt__disk_spec_name(const storvirt__disk_spec *s);
/* GUID and UUID: a LUN. */
bool storvirt__disk_source_is_lun(storvirt__disk_source src);

/* The bus of a device when none is given: virtio, scsi for lun, ide for cdrom, fdc for floppy. */
storvirt__disk_bus storvirt__disk_default_bus(storvirt__disk_device d);
/* The spec's bus: its own, else its device's default. */
storvirt__disk_bus storvirt__disk_spec_bus(const storvirt__disk_spec *s);
/* Target dev name prefix: "vd", "sd" (scsi, sata and usb), "hd", "fd"; NULL if unknown. */
const char *storvirt__disk_bus_prefix(storvirt__disk_bus b);
/* Name space of the target names: 0 vd, 1 sd, 2 hd, 3 fd, -1 unknown. */
int storvirt__disk_bus_namespace(storvirt__disk_bus b);
/* Highest index a bus takes: two IDE channels of two drives, one floppy controller of two. */
unsigned storvirt__disk_bus_index_max(storvirt__disk_bus b);
/* A cdrom or a floppy. */
bool storvirt__disk_is_removable(const storvirt__disk_spec *s);
/*
 * The cache mode of a drive that gives none, as VDSM chooses it: none,
 * vm_custom's viodiskcache on bus virtio, and no mode at all (UNSET, not
 * written) for a cdrom or floppy.
 */
storvirt__disk_cache storvirt__disk_default_cache(const storvirt__disk_spec *s);
/*
 * The defaults that need no host: bus from the device, the default cache
 * mode, error policy stop (none for a floppy: QEMU's floppy device has
 * none), format raw for LUN sources and device lun.
 */
void storvirt__disk_spec_apply_defaults(storvirt__disk_spec *s);

/* ---- disk_drive.c ------------------------------------------------------------------------- */

/*
 * Parses one drive: an object with VDSM's keys (see disk_keys.c for the
 * list), also the legacy VM_Create_t drive keys (`if`, `poolID`...).
 * Unknown keys and bad values are errors naming the key, the value and
 * why; `what` prefixes every message ("drive 2", "SPEC.json").
 */
int storvirt__disk_spec_from_json(yajl_val obj, const char *what, storvirt__disk_spec **ret);
int storvirt__disk_spec_parse(const char *json, size_t len, storvirt__disk_spec **ret);

/*
 * Sets one key as the JSON parser would: `value` is JSON text
 * ("\"virtio\"", "2", "true", "{\"type\": \"pci\", ...}").  The C API's
 * setters go through here so both paths validate alike.
 */
int storvirt__disk_spec_set_json(storvirt__disk_spec *spec, const char *key, const char *value);

/* ---- disk_check.c ------------------------------------------------------------------------- */

/*
 * Checks the spec as a whole (one drive): source and device fit
 * (lun needs a block source and bus scsi, floppy a file and no error
 * policy, format raw for LUN sources, sgio / reservations only for lun,
 * no read-only ide or sata disk, no writable shared qcow2 disk, an
 * address type that fits the bus).
 * The first problem is the error; storvirt__disk_spec_problems() lists
 * them all.
 */
int storvirt__disk_spec_validate(const storvirt__disk_spec *spec);
/* Every problem of one drive, each a full message naming the drive; NULL-terminated. */
int storvirt__disk_spec_problems(const storvirt__disk_spec *spec, char ***ret);

/* ---- disk_vm.c ---------------------------------------------------------------------------- */

/*
 * A VM's drives: {"drives": [...]} or {"devices": [...]} (VDSM; in
 * "devices" only the entries of type "disk" are drives, the others are
 * skipped) or a bare list.  Every drive is parsed and checked; every
 * problem of every drive is collected (each message names its drive:
 * "drive 2 (alias ua-boot): ..."), and -EINVAL returned with *ret_problems
 * when there is any.  On success *ret_specs holds n specs.
 */
int storvirt__disk_specs_parse_vm(const char *json, size_t len, storvirt__disk_spec ***ret_specs,
                                  size_t *ret_n, char ***ret_problems);
/*
 * The same, but with problems the drives that parsed are kept: -EINVAL,
 * *ret_problems, and *ret_specs with n slots, NULL where a drive did not
 * parse (so a caller can go on and report host problems of the others).
 */
int storvirt__disk_specs_parse_vm_keep(const char *json, size_t len,
                                       storvirt__disk_spec ***ret_specs, size_t *ret_n,
                                       char ***ret_problems);
void storvirt__disk_specs_free(storvirt__disk_spec **specs, size_t n);

/* ---- disk_complete.c ---------------------------------------------------------------------- */

/*
 * The defaults that need no host: bus from the device (virtio, scsi for
 * lun, ide for cdrom, fdc for floppy), cache none, error policy stop,
 * format raw for LUN sources.  Then across the drives of one VM: an
 * index for each drive without one (the lowest free on its bus, in
 * order), and the cross-checks: duplicate index per bus, duplicate target
 * dev, duplicate boot order, two drives at one PCI or drive address.
 * Appends every problem to *problems (a NULL-terminated vector it may
 * grow); returns 0, or -EINVAL when it added any, -ENOMEM.
 */
int storvirt__disk_specs_complete(storvirt__disk_spec **specs, size_t n, char ***problems);

/* ---- disk_vdsm_dict.c --------------------------------------------------------------------- */

/*
 * The normalized VDSM-style device dict of a resolved disk: {"type":
 * "disk", "device", "iface", "index", "path"|"GUID"|..., "format",
 * "propagateErrors", "shared", "readonly", "bootOrder", "address",
 * "specParams": {"ioTune": ...}, "diskType": "block"|"file"|"network",
 * ...} written into g.
 */
int storvirt__disk_resolved_to_dict(const storvirt__disk_resolved *d, storvirt__json_gen *g);

/* ---- disk_xml.c --------------------------------------------------------------------------- */

/*
 * The resolved disk as the XML writer checks it: everything libvirt would
 * refuse or drop, and what libvirt's qemu driver or QEMU refuses (a
 * read-only ide or sata disk, a writable shared disk that is not raw,
 * device lun off the scsi bus, an error policy on a floppy).  0, or
 * -EINVAL with a message naming the drive.
 */
int storvirt__disk_resolved_check(const storvirt__disk_resolved *d);

/* <disk> of one resolved disk; caller-owned string without an XML declaration. */
int storvirt__disk_to_xml(const storvirt__disk_resolved *d, char **ret);
/* <devices> holding the <disk> of each (n of them), in order. */
int storvirt__disks_to_devices_xml(storvirt__disk_resolved *const *d, size_t n, char **ret);

/* A <controller> written before the disks by storvirt__devices_xml(). */
typedef struct storvirt__disk_controller {
        const char *type;             /* "scsi", "ide" */
        unsigned index;
        const char *model;            /* NULL: none */
} storvirt__disk_controller;

/*
 * A <devices> element: the controllers, then the disks (each checked as
 * for storvirt__disk_to_xml()).
 */
int storvirt__devices_xml(const storvirt__disk_controller *ctrls, size_t n_ctrls,
                          storvirt__disk_resolved *const *d, size_t n, char **ret);
