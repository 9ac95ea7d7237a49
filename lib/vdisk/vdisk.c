/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vdisk.c - vDisks (storvirt/vdisk.h): the handles, reading a record
 * and changing it under the lock, lookup and list, the <disk> element,
 * attachments.  Import is vdisk_import.c, the image stack (snapshots,
 * deletion) vdisk_stack.c, prepare / release vdisk_prepare.c.  The
 * record lives in lib/objects (vdisk_rec.c); the resolution of "vdisk"
 * and quartet specs in lib/resolve.
 *
 * Every change is a read-modify-write of vdisks/<id>.json under the
 * exclusive lock of the "vdisks" records (core/records.h); readers take
 * it shared.  A record read with an ILLEGAL image (a snapshot whose
 * creation did not complete: the process died) is rolled back first,
 * under the exclusive lock: the overlay file is removed and the entry
 * dropped.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <storvirt.h>

#include "conf/disk.h"
#include "objects/events.h"
#include "objects/holders.h"
#include "objects/records.h"
#include "resolve/resolve.h"
#include "objects/vdisk_rec.h"
#include "vdisk/vdisk.h"
#include "vdisk/vdisk_int.h"
#include "util/error.h"
#include "util/log.h"
#include "util/macro.h"
#include "util/refcnt.h"
#include "util/strv.h"
#include "util/uuid.h"

/* Test hook: _exit(0) at this step of a snapshot (1: recorded ILLEGAL, 2: overlay written). */
int storvirt__vdisk_crash_point;

/* ---- load ---------------------------------------------------------------------------------- */

/* Removes an image's file: through its pool when it is a volume, else unlink. */
int storvirt__vdisk_remove_image(storvirt_ctx *ctx, const image *im) {
        storvirt_volume *vol = NULL;
        int r;

        if (!im->path || im->type != STORVIRT__DISK_TYPE_FILE)
                return 0;
        if (im->pool && storvirt_volume_lookup_by_path(ctx, im->path, &vol) >= 0) {
                r = storvirt_volume_delete(vol, STORVIRT_VOLUME_DELETE_FORCE);
                storvirt_volume_unref(vol);
                if (r >= 0 || r != -ENOENT)
                        return r;
        }
        storvirt_error_clear();
        if (unlink(im->path) < 0 && errno != ENOENT)
                return storvirt__error_set(-errno, "cannot remove '%s': %m", im->path);
        return 0;
}

/* Drops ILLEGAL images (the caller holds the exclusive lock); 1 when it changed v. */
static int rollback_illegal(storvirt_ctx *ctx, vrec *v) {
        int changed = 0, r;

        for (size_t i = v->n_images; i-- > 0;) {
                if (v->images[i].legal)
                        continue;
                if (i == 0)
                        return storvirt__error_set(-EINVAL, "vDisk %s: its base image is ILLEGAL",
                                                   v->id);
                log_warning(ctx, "vDisk %s: image %s is ILLEGAL (its creation did not complete): "
                                 "rolling it back", v->id, v->images[i].uid);
                r = storvirt__vdisk_remove_image(ctx, &v->images[i]);
                if (r < 0)
                        return r;
                storvirt__vimage_clear(&v->images[i]);
                memmove(&v->images[i], &v->images[i + 1], (v->n_images - i - 1) * sizeof(image));
                v->n_images--;
                changed = 1;
        }
        return changed;
}

/*
 * The record of id.  With the exclusive lock held (exclusive): read and
 * roll back.  Otherwise read under the shared lock, and when an image is
 * ILLEGAL, take the exclusive lock and roll back first.
 */
int storvirt__vdisk_load(storvirt_ctx *ctx, const char *id, bool exclusive, vrec **ret) {
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;
        vrec *v = NULL;
        int r;

        if (!exclusive) {
                /* the record in hand when this thread holds the lock, else read shared */
                r = storvirt__vrec_get(ctx, id, &v);
                if (r < 0)
                        return r;
                if (!storvirt__vrec_has_illegal(v)) {
                        *ret = v;
                        return 0;
                }
                storvirt__vrec_free(v);
                v = NULL;
        }
        r = storvirt__vrec_read(ctx, id, exclusive, &v);
        if (r < 0)
                return r;
        if (storvirt__vrec_has_illegal(v)) {
                if (!exclusive) {
                        storvirt__vrec_free(v);
                        v = NULL;
                        r = storvirt__records_lock(ctx, KIND, STORVIRT__LOCK_EXCLUSIVE, &lock);
                        if (r >= 0)
                                r = storvirt__vrec_read(ctx, id, true, &v);
                        if (r < 0)
                                return r;
                }
                r = rollback_illegal(ctx, v);
                if (r > 0)
                        r = storvirt__vrec_save(ctx, v);
                if (r < 0) {
                        storvirt__vrec_free(v);
                        return r;
                }
        }
        *ret = v;
        return 0;
}

/* ---- handles ---------------------------------------------------------------------------------- */

static void vdisk_free(storvirt_vdisk *v) {
        storvirt_ctx_unref(v->ctx);
        free(v);
}

STORVIRT_DEFINE_PUBLIC_REF_UNREF(storvirt_vdisk, vdisk_free)

int storvirt__vdisk_handle_new(storvirt_ctx *ctx, const char *id, storvirt_vdisk **ret) {
        storvirt_vdisk *v = calloc(1, sizeof(*v));

        if (!v)
                return storvirt__error_oom();
        STORVIRT__REFCNT_INIT(v->n_ref);
        v->ctx = storvirt_ctx_ref(ctx);
        snprintf(v->id, sizeof(v->id), "%s", id);
        *ret = v;
        return 0;
}

static int check_uuid_arg(const char *what, const char *s) {
        storvirt__uuid u;

        if (storvirt__uuid_parse(s, &u) < 0 || strlen(s) != 36)
                return storvirt__error_set(-EINVAL, "%s '%.64s' is not a UUID", what, s);
        return 0;
}

int storvirt__vdisk_check_vm_id(const char *vm) {
        if (!vm || !*vm || strlen(vm) > 256)
                return storvirt__error_set(-EINVAL, "invalid argument 'vm_id': must be 1-256 "
                                                    "characters");
        for (const char *p = vm; *p; p++)
                if ((unsigned char)*p < 0x20 || *p == ':')
                        return storvirt__error_set(-EINVAL, "invalid argument 'vm_id': no control "
                                                            "characters and no ':'");
        return 0;
}

STORVIRT_EXPORT int storvirt_vdisk_lookup(storvirt_ctx *ctx, const char *id,
                                          storvirt_vdisk **ret_vdisk) {
        vrec *v = NULL;
        int r;

        check_nonnull(ctx);
        check_nonnull(id);
        check_nonnull(ret_vdisk);
        r = check_uuid_arg("vDisk id", id);
        if (r < 0)
                return r;
        r = storvirt__vdisk_load(ctx, id, false, &v);   /* "open": rolls an interrupted snapshot back */
        if (r < 0)
                return r;
        r = storvirt__vdisk_handle_new(ctx, v->id, ret_vdisk);
        storvirt__vrec_free(v);
        return r;
}

STORVIRT_EXPORT int storvirt_vdisk_list(storvirt_ctx *ctx, storvirt_vdisk ***ret_vdisks,
                                        size_t *ret_n, uint32_t flags) {
        _cleanup_strv_free_ char **ids = NULL;
        storvirt_vdisk **l;
        size_t n = 0;
        int r;

        check_nonnull(ctx);
        check_nonnull(ret_vdisks);
        check_flags(flags, 0);
        r = storvirt__records_list(ctx, KIND, &ids);
        if (r < 0)
                return r;
        /* the holders index is written with the records: tidied with them */
        storvirt__records_tidy(ctx, STORVIRT__HOLDERS_KIND);
        l = calloc(storvirt__strv_length(ids) + 1, sizeof(*l));
        if (!l)
                return storvirt__error_oom();
        for (char **id = ids; *id; id++) {
                vrec *v = NULL;

                r = storvirt__vdisk_load(ctx, *id, false, &v);
                if (r == -ENOMEM) {
                        storvirt_vdisk_list_free(l);
                        return r;
                }
                if (r < 0) {
                        log_warning(ctx, "skipping vDisk record %s: %s", *id, storvirt_error_message());
                        continue;
                }
                storvirt__vrec_free(v);
                r = storvirt__vdisk_handle_new(ctx, *id, &l[n]);
                if (r < 0) {
                        storvirt_vdisk_list_free(l);
                        return r;
                }
                n++;
        }
        storvirt_error_clear();
        *ret_vdisks = l;
        if (ret_n)
                *ret_n = n;
        return 0;
}

STORVIRT_EXPORT void storvirt_vdisk_list_free(storvirt_vdisk **vdisks) {
        for (storvirt_vdisk **v = vdisks; v && *v; v++)
                storvirt_vdisk_unref(*v);
        free(vdisks);
}

STORVIRT_EXPORT const char *storvirt_vdisk_get_id(storvirt_vdisk *vdisk) {
        if (!vdisk) {
                storvirt__error_set(-EINVAL, "argument 'vdisk' must not be NULL");
                return NULL;
        }
        return vdisk->id;
}

STORVIRT_EXPORT int storvirt_vdisk_get_json(storvirt_vdisk *vdisk, char **ret_json,
                                            uint32_t flags) {
        _cleanup_vrec_ vrec *v = NULL;
        char state[STORVIRT__UUID_STRING_MAX];
        int r;

        check_nonnull(vdisk);
        check_nonnull(ret_json);
        check_flags(flags, STORVIRT_VDISK_JSON_PRETTY);
        r = storvirt__vdisk_load(vdisk->ctx, vdisk->id, false, &v);
        if (r >= 0)
                r = storvirt__state_uuid(vdisk->ctx, state);
        if (r >= 0)
                r = storvirt__vrec_text(v, state, flags & STORVIRT_VDISK_JSON_PRETTY, ret_json);
        return r;
}

/* ---- changes under the exclusive lock ---------------------------------------------------------- */

/* Load under the exclusive lock, change, save (fn returns 1: save, 0: nothing, 2: remove). */
int storvirt__vdisk_change(storvirt_ctx *ctx, const char *id, storvirt__vdisk_change_fn fn,
                           void *userdata) {
        _cleanup_lock_ storvirt__lock lock = STORVIRT__LOCK_INIT;
        _cleanup_vrec_ vrec *v = NULL;
        int r;

        r = storvirt__records_lock(ctx, KIND, STORVIRT__LOCK_EXCLUSIVE, &lock);
        if (r < 0)
                return r;
        r = storvirt__vdisk_load(ctx, id, true, &v);
        if (r < 0)
                return r;
        storvirt__vrec_set_in_hand(v);
        r = fn(ctx, v, userdata);
        storvirt__vrec_set_in_hand(NULL);
        if (r == 1)
                r = storvirt__vrec_save(ctx, v);
        else if (r == 2 && (r = storvirt__record_remove(ctx, KIND, id)) >= 0) {
                storvirt__event_emit_vdisk(ctx, STORVIRT_EVENT_VDISK_DELETED, id, NULL);
                r = storvirt__holders_update(ctx, id, NULL, NULL);
        }
        return r < 0 ? r : 0;
}

/* ---- XML, attach ------------------------------------------------------------------------------ */

/* A spec with the guest's options and this vDisk as the source. */
static int guest_spec(const char *id, const storvirt_disk_spec *guest, storvirt__disk_spec **ret) {
        const storvirt__disk_spec *g = guest ? storvirt__disk_spec_of(guest) : NULL;
        storvirt__disk_spec *s = NULL;
        int r;

        if (g && g->source != STORVIRT__DISK_SOURCE_NONE)
                return storvirt__error_set(-EINVAL, "the guest spec must not name a source: the "
                                                    "vDisk is the source");
        r = g ? storvirt__disk_spec_dup(g, &s) : storvirt__disk_spec_new(&s);
        if (r < 0)
                return r;
        s->source = STORVIRT__DISK_SOURCE_VDISK;
        if (!(s->vdisk = strdup(id))) {
                storvirt__disk_spec_free(s);
                return storvirt__error_oom();
        }
        *ret = s;
        return 0;
}

static int vdisk_xml(storvirt_ctx *ctx, const char *id, const storvirt_disk_spec *guest,
                     uint32_t flags, char **ret_xml, char **ret_dev) {
        storvirt__disk_resolved *d = NULL;
        storvirt__disk_spec *s = NULL;
        int r;

        r = guest_spec(id, guest, &s);
        if (r >= 0)
                r = storvirt__resolve_spec(ctx, s, 0, &d);
        if (r >= 0 && ret_xml)
                r = storvirt__resolve_format(d, ret_xml, flags);
        if (r >= 0 && ret_dev)
                r = storvirt__sdup(d->target_dev, ret_dev);
        storvirt__disk_resolved_free(d);
        storvirt__disk_spec_free(s);
        return r;
}

STORVIRT_EXPORT int storvirt_vdisk_get_xml(storvirt_vdisk *vdisk, const storvirt_disk_spec *guest,
                                           char **ret_xml, uint32_t flags) {
        check_nonnull(vdisk);
        check_nonnull(ret_xml);
        check_flags(flags, STORVIRT_RESOLVE_DICT);
        return vdisk_xml(vdisk->ctx, vdisk->id, guest, flags, ret_xml, NULL);
}

struct attach_args {
        const char *vm;
        const storvirt_disk_spec *guest;
        uint32_t flags;
        char *xml;
};

static int do_attach(storvirt_ctx *ctx, vrec *v, void *userdata) {
        struct attach_args *a = userdata;
        attachment *grown;
        char *dev = NULL;
        int r;

        for (size_t i = 0; i < v->n_att; i++) {
                if (strcmp(v->att[i].vm, a->vm) == 0)
                        return storvirt__error_set(-EEXIST, "vDisk %s is already attached to VM %s",
                                                   v->id, a->vm);
                if (!v->shared)
                        return storvirt__error_set(-EBUSY, "vDisk %s is attached to VM %s and is not "
                                                           "shared", v->id, v->att[i].vm);
        }
        r = vdisk_xml(ctx, v->id, a->guest, 0, a->xml ? NULL : &a->xml, &dev);
        if (r < 0)
                return r;
        grown = realloc(v->att, (v->n_att + 1) * sizeof(*v->att));
        if (!grown) {
                free(dev);
                return storvirt__error_oom();
        }
        v->att = grown;
        v->att[v->n_att] = (attachment){ .vm = strdup(a->vm), .dev = dev,
                                         .hotplugged = a->flags & STORVIRT_VDISK_ATTACH_HOTPLUG };
        if (!v->att[v->n_att].vm) {
                free(dev);
                return storvirt__error_oom();
        }
        v->n_att++;
        return 1;
}

STORVIRT_EXPORT int storvirt_vdisk_attach(storvirt_vdisk *vdisk, const char *vm_id,
                                          const storvirt_disk_spec *guest, char **ret_xml,
                                          uint32_t flags) {
        struct attach_args a = { .vm = vm_id, .guest = guest, .flags = flags };
        int r;

        check_nonnull(vdisk);
        check_flags(flags, STORVIRT_VDISK_ATTACH_HOTPLUG);
        r = storvirt__vdisk_check_vm_id(vm_id);
        if (r < 0)
                return r;
        r = storvirt__vdisk_change(vdisk->ctx, vdisk->id, do_attach, &a);
        if (r >= 0 && ret_xml)
                *ret_xml = TAKE_PTR(a.xml);
        free(a.xml);
        return r;
}

static int do_detach(storvirt_ctx *ctx, vrec *v, void *userdata) {
        const char *vm = userdata;

        (void)ctx;
        for (size_t i = 0; i < v->n_att; i++)
                if (strcmp(v->att[i].vm, vm) == 0) {
                        free(v->att[i].vm);
                        free(v->att[i].dev);
                        memmove(&v->att[i], &v->att[i + 1], (v->n_att - i - 1) * sizeof(*v->att));
                        v->n_att--;
                        return 1;
                }
        return storvirt__error_set(-ENOENT, "vDisk %s is not attached to VM %s", v->id, vm);
}

STORVIRT_EXPORT int storvirt_vdisk_detach(storvirt_vdisk *vdisk, const char *vm_id,
                                          uint32_t flags) {
        int r;

        check_nonnull(vdisk);
        check_flags(flags, 0);
        r = storvirt__vdisk_check_vm_id(vm_id);
        if (r < 0)
                return r;
        return storvirt__vdisk_change(vdisk->ctx, vdisk->id, do_detach, (void *)vm_id);
}
