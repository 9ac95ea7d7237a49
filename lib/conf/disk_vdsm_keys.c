/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * disk_vdsm_keys.c - the keys of VDSM's device dicts that are about the
 * VM and the image rather than the drive itself:
 *
 *   vm_custom     the VM's custom properties, which VDSM copies into
 *                 every drive: "viodiskcache" is the cache mode of a
 *                 virtio drive that gives none; the others are for
 *                 hooks and are ignored
 *   volumeChain   the volumes of the image, as VDSM's prepareImage gives
 *                 them (in no particular order): objects with
 *                 "volumeID" (required), "domainID", "imageID" and more
 *                 ("path", "leasePath", "leaseOffset": ignored)
 *   volumeInfo    the volume used: "volumeID", "domainID", "imageID",
 *                 "type" (file, block or network), more ignored
 *
 * Here only their form is checked, and that a PDIV drive's volumeID is
 * in its chain and is the one its volumeInfo names; the volumes are
 * checked against a vDisk's image stack when the drive is resolved.
 */
#include <stdio.h>
#include <string.h>

#include "conf/disk.h"
#include "conf/disk_json.h"
#include "conf/disk_parse.h"
#include "util/error.h"
#include "util/macro.h"

/* More volumes than an image has: VDSM keeps chains far shorter. */
#define VOLUME_CHAIN_MAX 1024

int storvirt__disk_set_vm_custom(storvirt__disk_spec *s, const struct storvirt__disk_key *k,
                                 const char *what, const char *key, yajl_val v) {
        yajl_val c;
        unsigned i;
        int r;

        if (!v) {
                s->custom_cache = STORVIRT__DISK_CACHE_UNSET;
                return 0;
        }
        if (!YAJL_IS_OBJECT(v))
                return storvirt__disk_type_error(what, key, "an object", v);
        c = storvirt__disk_member_value(v, "viodiskcache");
        if (!c) {
                s->custom_cache = STORVIRT__DISK_CACHE_UNSET;
                return 0;
        }
        r = storvirt__disk_get_enum(what, SUBKEY(key, "viodiskcache"), c,
                                    storvirt__disk_cache_names,
                                    ELEMENTSOF(storvirt__disk_cache_names), &i);
        if (r < 0)
                return r;
        s->custom_cache = (storvirt__disk_cache) i;
        return 0;
}

/* The ids of one volume object (key names it in messages); need: volumeID required. */
static int vol_ref(const char *what, const char *key, yajl_val obj, bool need,
                   storvirt__disk_vol_ref *ret) {
        static const char *const names[] = { "volumeID", "domainID", "imageID" };
        storvirt__disk_vol_ref r = {};
        char **fields[] = { &r.volume_id, &r.domain_id, &r.image_id };
        int e = 0;

        for (size_t i = 0; e >= 0 && i < ELEMENTSOF(names); i++) {
                yajl_val id = storvirt__disk_member_value(obj, names[i]);

                if (id)
                        e = storvirt__disk_get_uuid(what, SUBKEY(key, names[i]), id, fields[i]);
        }
        if (e >= 0 && need && !r.volume_id)
                e = storvirt__disk_key_error(what, key, "no volumeID");
        if (e < 0) {
                storvirt__disk_vol_ref_clear(&r);
                return e;
        }
        *ret = r;
        return 0;
}

static void chain_free(storvirt__disk_vol_ref *chain, size_t n) {
        for (size_t i = 0; i < n; i++)
                storvirt__disk_vol_ref_clear(&chain[i]);
        free(chain);
}

int storvirt__disk_set_volume_chain(storvirt__disk_spec *s, const struct storvirt__disk_key *k,
                                    const char *what, const char *key, yajl_val v) {
        storvirt__disk_vol_ref *chain;
        size_t n;
        int r = 0;

        if (!v) {
                storvirt__disk_volume_chain_clear(s);
                return 0;
        }
        if (!YAJL_IS_ARRAY(v))
                return storvirt__disk_type_error(what, key, "an array of objects", v);
        n = v->u.array.len;
        if (n > VOLUME_CHAIN_MAX)
                return storvirt__disk_key_error(what, key, "%zu volumes, more than %d", n,
                                                VOLUME_CHAIN_MAX);
        /* given, even empty: not NULL */
        chain = calloc(n ? n : 1, sizeof(*chain));
        if (!chain)
                return storvirt__error_oom();
        for (size_t i = 0; r >= 0 && i < n; i++) {
                yajl_val item = v->u.array.values[i];
                char k2[64];

                snprintf(k2, sizeof(k2), "%s[%zu]", key, i);
                if (!YAJL_IS_OBJECT(item))
                        r = storvirt__disk_type_error(what, k2, "an object", item);
                else
                        r = vol_ref(what, k2, item, true, &chain[i]);
                for (size_t j = 0; r >= 0 && j < i; j++)
                        if (strcmp(chain[j].volume_id, chain[i].volume_id) == 0)
                                r = storvirt__disk_key_error(what, key, "volume %s given twice",
                                                             chain[i].volume_id);
        }
        if (r < 0) {
                chain_free(chain, n);
                return r;
        }
        storvirt__disk_volume_chain_clear(s);
        s->volume_chain = chain;
        s->n_volume_chain = n;
        return 0;
}

int storvirt__disk_set_volume_info(storvirt__disk_spec *s, const struct storvirt__disk_key *k,
                                   const char *what, const char *key, yajl_val v) {
        storvirt__disk_vol_ref ref = {};
        yajl_val type;
        unsigned t = 0;
        int r;

        if (!v) {
                storvirt__disk_vol_ref_clear(&s->volume_info);
                s->volume_info_typed = false;
                return 0;
        }
        if (!YAJL_IS_OBJECT(v))
                return storvirt__disk_type_error(what, key, "an object", v);
        type = storvirt__disk_member_value(v, "type");
        /* VDSM's volume types: the first three of libvirt's disk types */
        if (type && (r = storvirt__disk_get_enum(what, SUBKEY(key, "type"), type,
                                                 storvirt__disk_type_names,
                                                 STORVIRT__DISK_TYPE_NETWORK + 1, &t)) < 0)
                return r;
        r = vol_ref(what, key, v, false, &ref);
        if (r < 0)
                return r;
        storvirt__disk_vol_ref_clear(&s->volume_info);
        s->volume_info = ref;
        s->volume_info_typed = type != NULL;
        s->volume_info_type = (storvirt__disk_type) t;
        return 0;
}

int storvirt__disk_check_vdsm_volumes(const storvirt__disk_spec *s, const char *what,
                                      const char *chain_key, const char *info_key) {
        bool found = false;

        if (s->source != STORVIRT__DISK_SOURCE_PDIV || !s->volume_id)
                return 0;
        for (size_t i = 0; s->volume_chain && i < s->n_volume_chain; i++)
                found |= strcmp(s->volume_chain[i].volume_id, s->volume_id) == 0;
        if (s->volume_chain && !found)
                return storvirt__disk_key_error(what, chain_key, "volumeID %s is not in the chain",
                                                s->volume_id);
        if (s->volume_info.volume_id && strcmp(s->volume_info.volume_id, s->volume_id) != 0)
                return storvirt__disk_key_error(what, info_key,
                                                "volumeID %s is not the drive's volumeID %s",
                                                s->volume_info.volume_id, s->volume_id);
        return 0;
}
