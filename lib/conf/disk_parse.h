/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * conf/disk_parse.h - what the parts of the drive-spec parser share: the
 * keys of a drive (disk_keys.c, disk_source_keys.c), one drive parsed
 * (disk_drive.c), the checks of one drive (disk_check.c).  The rest of
 * the library uses conf/disk.h.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>

#include "conf/disk.h"
#include "util/strv.h"

/* ---- disk_keys.c: the keys ---------------------------------------------------------------- */

/* The keys of a drive, in the order they are set: the alias first (it names the drive in
 * every later message), then the sources, the bus and index before the name that must fit
 * them, volumeAsVolume before diskType. */
typedef enum key_id {
        K_ALIAS,
        K_GUID, K_UUID, K_POOL_ID, K_DOMAIN_ID, K_IMAGE_ID, K_VOLUME_ID, K_POOL, K_VOLUME,
        K_PATH, K_ISCSI, K_VDISK, K_PROTOCOL, K_HOSTS, K_AUTH, K_RBD, K_GLUSTER,
        K_TYPE, K_DEVICE_ID, K_DEVICE, K_IFACE, K_INDEX, K_ADDRESS, K_FORMAT, K_BOOT_ORDER,
        K_PROPAGATE_ERRORS, K_SHARED, K_READONLY, K_OPTIONAL, K_SERIAL, K_CACHE, K_IO,
        K_DISCARD, K_SGIO, K_SPEC_PARAMS, K_IOTUNE, K_RESERVATIONS, K_VOLUME_AS_VOLUME,
        K_DISK_TYPE, K_CAPACITY, K_VM_CUSTOM, K_VOLUME_CHAIN, K_VOLUME_INFO, K_NAME,
        K_N,
} key_id;

/* The kinds of source a key names (a drive has keys of one kind at most). */
enum source_group {
        G_NONE = 0,             /* not a source key */
        G_GUID,
        G_UUID,
        G_PDIV,
        G_VOLUME,
        G_PATH,
        G_ISCSI,
        G_VDISK,
        G_NETWORK,              /* protocol, hosts, auth (and path, the image's name) */
        G_NETCONN,              /* rbd or gluster: storage named through a stored connection */
        G_N,
};

/* How a key's value is read. */
typedef enum storvirt__disk_key_kind {
        KEY_SETTER,     /* by .set */
        KEY_ENUM,       /* one of .names into the field (the value .values[i], else i); with
                           .booleans also true (.if_true) and false (.if_false); null: 0 */
        KEY_BOOL,       /* true/false, also "true"/"false" in any case; null: false */
        KEY_UINT,       /* .min to .max, a number or a string of digits; null: .unset */
        KEY_STRING,     /* any string, not kept */
} storvirt__disk_key_kind;

struct storvirt__disk_key;

/*
 * Sets one key from its JSON value v (as spelled: key), or resets it to
 * its default when v is NULL.  On error the spec is unchanged.
 */
typedef int storvirt__disk_key_setter(storvirt__disk_spec *s, const struct storvirt__disk_key *k,
                                      const char *what, const char *key, yajl_val v);

/* One key of a drive spec. */
struct storvirt__disk_key {
        const char *name;               /* VDSM's spelling, the main one */
        const char *alias;              /* the older spelling (VM_Create_t, VDSM's old UUID
                                           keys) that is the same key, or NULL */
        storvirt__disk_key_kind kind;
        enum source_group group;        /* G_NONE, or the source this key names */
        size_t offset, size;            /* its field in storvirt__disk_spec; size 0: none */
        /* KEY_ENUM */
        const char *const *names;       /* the values taken (NULL entries skipped) */
        size_t n_names;
        const unsigned *values;         /* the field's value for names[i]; NULL: i */
        const char *booleans;           /* also a boolean: what a type error expects */
        unsigned if_true, if_false;
        const char *refused;            /* one of names that is refused, */
        const char *refused_why;        /* and why */
        /* KEY_UINT */
        uint64_t min, max;
        int64_t unset;
        /* KEY_SETTER */
        storvirt__disk_key_setter *set;
};

/* Indexed by key_id, in the order keys are set. */
extern const struct storvirt__disk_key storvirt__disk_keys[K_N];

/* The key spelled name (either spelling), or -1. */
int storvirt__disk_key_lookup(const char *name);
/* "GUID, UUID, poolID+domainID+imageID+volumeID, ...": the sources, for messages. */
extern const char storvirt__disk_sources_list[];

/* Sets one key as its table entry says (see storvirt__disk_key_setter). */
int storvirt__disk_key_set(storvirt__disk_spec *s, key_id id, const char *what, const char *key,
                           yajl_val v);

/* ---- disk_source_keys.c: the keys naming the source ---------------------------------------- */

storvirt__disk_key_setter storvirt__disk_set_guid, storvirt__disk_set_fs_uuid,
        storvirt__disk_set_pdiv, storvirt__disk_set_pool, storvirt__disk_set_volume,
        storvirt__disk_set_path, storvirt__disk_set_iscsi, storvirt__disk_set_vdisk;
/* A path key's value checked (absolute or "", not too long) and not taken. */
int storvirt__disk_check_path(const char *what, const char *key, yajl_val v, const char **ret);

/* ---- disk_network.c: VDSM's network drive ------------------------------------------------ */

/*
 * The network source from the values of protocol, hosts, auth and path
 * (v[0..3], NULL when absent; spelled[] as given, for messages).
 */
int storvirt__disk_set_network(storvirt__disk_spec *s, const char *what, yajl_val const *v,
                               const char *const *spelled);
/* hosts and auth alone (the C API's one-key setter): refused, they go with protocol. */
storvirt__disk_key_setter storvirt__disk_set_network_key;

/* ---- disk_netconn.c: rbd images and gluster files through a stored connection ------------- */

/* {"rbd": {pool, image, connection, id}} and {"gluster": {volume, path, connection, gfid}}. */
storvirt__disk_key_setter storvirt__disk_set_netconn;

/* ---- disk_vdsm_keys.c: VDSM's keys about the VM and the image ----------------------------- */

storvirt__disk_key_setter storvirt__disk_set_vm_custom, storvirt__disk_set_volume_chain,
        storvirt__disk_set_volume_info;
/*
 * The volume a PDIV drive names is in its volumeChain, and is the one
 * its volumeInfo names: what, spelled as given for messages.  0 or
 * -EINVAL with the message set.
 */
int storvirt__disk_check_vdsm_volumes(const storvirt__disk_spec *s, const char *what,
                                      const char *chain_key, const char *info_key);

/* ---- disk_drive.c: one drive -------------------------------------------------------------- */

/*
 * Errors of one parse: the first is kept (code and message) and, when
 * collecting, every message is added to problems.
 */
struct storvirt__disk_collect {
        struct storvirt__strv_builder *problems;
        int first;
        char *first_msg;
        bool oom;
};

/* Note a failed step r (< 0, message set); returns r. */
int storvirt__disk_collect_error(struct storvirt__disk_collect *c, int r);

/*
 * Parse obj into a new spec.  With c->problems every error is collected
 * and parsing goes on; the first error is returned either way.
 */
int storvirt__disk_drive_parse(yajl_val obj, const char *what, storvirt__disk_spec **ret,
                               struct storvirt__disk_collect *c);

/* ---- disk_check.c: the checks of one drive ------------------------------------------------ */

/* Adds every problem of one drive to b (each a message naming the drive); 0 or -ENOMEM. */
int storvirt__disk_spec_check(const storvirt__disk_spec *s, struct storvirt__strv_builder *b);
