/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * conf/disk_parse.h - what the parts of the drive-spec parser share: the
 * keys of a drive (disk_keys.c, disk_source_keys.c), one drive parsed
 * (disk_drive.c), the checks of one drive (disk_check.c).  The rest of
 * the library uses conf/disk.h.
 */
#pragma once

#include <stdbool.h>
#include <yajl/yajl_tree.h>

#include "conf/disk.h"
#include "util/strv.h"

/* ---- disk_keys.c: the keys ---------------------------------------------------------------- */

typedef enum key_id {
        K_GUID,
        K_UUID,
        K_POOL_ID,
        K_DOMAIN_ID,
        K_IMAGE_ID,
        K_VOLUME_ID,
        K_POOL,
        K_VOLUME,
        K_PATH,
        K_ISCSI,
        K_VDISK,
        K_ALIAS,
        K_DEVICE,
        K_IFACE,
        K_INDEX,
        K_ADDRESS,
        K_FORMAT,
        K_BOOT_ORDER,
        K_PROPAGATE_ERRORS,
        K_SHARED,
        K_READONLY,
        K_OPTIONAL,
        K_SERIAL,
        K_CACHE,
        K_IO,
        K_DISCARD,
        K_SGIO,
        K_SPEC_PARAMS,
        K_IOTUNE,
        K_RESERVATIONS,
        K_VOLUME_AS_VOLUME,
        K_DISK_TYPE,
        K_TYPE,
        K_DEVICE_ID,
        K_CAPACITY,
        K_NAME,
        K_N,
} key_id;

#define K_SOURCE_FIRST K_GUID
#define K_SOURCE_LAST K_VDISK

enum source_group {
        G_NONE = -1,
        G_GUID,
        G_UUID,
        G_PDIV,
        G_VOLUME,
        G_PATH,
        G_ISCSI,
        G_VDISK,
        G_N,
};

int storvirt__disk_key_lookup(const char *name);
/* The main spelling of a key. */
const char *storvirt__disk_key_name(key_id id);
enum source_group storvirt__disk_key_group(key_id id);
/* Processing order: the alias first (it names the drive), then the sources, the bus and
 * index before the name that must fit them, volumeAsVolume before diskType. */
extern const key_id storvirt__disk_key_order[];
extern const size_t storvirt__disk_n_key_order;
/* "GUID, UUID, poolID+domainID+imageID+volumeID, ...": the sources, for messages. */
extern const char storvirt__disk_sources_list[];

/*
 * Sets one key from its JSON value, or resets it to its default when v
 * is NULL.  On error the spec is unchanged.
 */
int storvirt__disk_key_set(storvirt__disk_spec *s, key_id id, const char *what, const char *key,
                           yajl_val v);

/* ---- disk_source_keys.c: the keys naming the source ---------------------------------------- */

int storvirt__disk_set_guid(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v);
int storvirt__disk_set_fs_uuid(storvirt__disk_spec *s, const char *what, const char *key,
                               yajl_val v);
int storvirt__disk_set_pdiv(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v);
int storvirt__disk_set_pool_volume(storvirt__disk_spec *s, const char *what, const char *key,
                                   yajl_val v);
int storvirt__disk_set_path(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v);
int storvirt__disk_set_vdisk(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v);
int storvirt__disk_set_iscsi(storvirt__disk_spec *s, const char *what, const char *key, yajl_val v);
/* A path key's value checked (absolute or "", not too long) and not taken. */
int storvirt__disk_check_path(const char *what, const char *key, yajl_val v, const char **ret);

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
