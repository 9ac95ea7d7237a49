/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vdisk_diff.c - the events between two states of a vDisk record (see
 * objects/vdisk_diff.h).
 */
#include <string.h>

#include <storvirt/event.h>

#include "objects/vdisk_diff.h"
#include "util/error.h"
#include "util/strv.h"

/* The VM of a preparation holder "vdisk:<id>:vm:<vm>" (the whole name if not so made). */
static const char *holder_vm(const char *holder) {
        const char *p = strstr(holder, ":vm:");

        return p ? p + 4 : holder;
}

int storvirt__vrec_digest_of(const storvirt__vrec *v, storvirt__vrec_digest *ret) {
        storvirt__vrec_digest d = {};
        int r = 0;

        for (size_t i = 0; r >= 0 && i < v->n_images; i++)
                if (v->images[i].legal && v->images[i].uid)
                        r = storvirt__strv_extend(&d.images, v->images[i].uid);
        for (size_t i = 0; r >= 0 && i < v->n_att; i++)
                r = storvirt__strv_extend(&d.vms, v->att[i].vm);
        for (char **p = v->prepared; r >= 0 && p && *p; p++)
                r = storvirt__strv_extend(&d.prepared, holder_vm(*p));
        if (r < 0) {
                storvirt__vrec_digest_clear(&d);
                return storvirt__error_oom();
        }
        *ret = d;
        return 0;
}

void storvirt__vrec_digest_clear(storvirt__vrec_digest *d) {
        storvirt__strv_free(d->images);
        storvirt__strv_free(d->vms);
        storvirt__strv_free(d->prepared);
        *d = (storvirt__vrec_digest){};
}

/* fn(type, x) for each x of a missing from b (backwards: the last first). */
static void missing(char **a, char **b, bool backwards, uint32_t type,
                    storvirt__vrec_event_fn fn, void *userdata) {
        size_t n = storvirt__strv_length(a);

        for (size_t k = 0; k < n; k++) {
                const char *x = a[backwards ? n - 1 - k : k];

                if (!storvirt__strv_contains(b, x))
                        fn(type, x, userdata);
        }
}

void storvirt__vrec_diff(const storvirt__vrec_digest *old, const storvirt__vrec_digest *new,
                         storvirt__vrec_event_fn fn, void *userdata) {
        static const storvirt__vrec_digest none = {};

        if (!old && !new)
                return;
        if (!new) {
                fn(STORVIRT_EVENT_VDISK_DELETED, NULL, userdata);
                return;
        }
        if (!old)
                fn(STORVIRT_EVENT_VDISK_IMPORTED, NULL, userdata);
        else {
                missing(old->images, new->images, true, STORVIRT_EVENT_VDISK_IMAGE_REMOVED, fn,
                        userdata);
                missing(new->images, old->images, false, STORVIRT_EVENT_VDISK_SNAPSHOT_ADDED, fn,
                        userdata);
        }
        if (!old)
                old = &none;
        missing(old->vms, new->vms, false, STORVIRT_EVENT_VDISK_DETACHED, fn, userdata);
        missing(new->vms, old->vms, false, STORVIRT_EVENT_VDISK_ATTACHED, fn, userdata);
        missing(old->prepared, new->prepared, false, STORVIRT_EVENT_VDISK_RELEASED, fn, userdata);
        missing(new->prepared, old->prepared, false, STORVIRT_EVENT_VDISK_PREPARED, fn, userdata);
}
