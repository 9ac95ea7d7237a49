/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * objects/vdisk_diff.h - what a change of a vDisk record means as
 * events: the part of a record events speak of (its legal images, the
 * VMs it is attached to, the VMs it is prepared for), and the events
 * between two of them.  The record writer emits them on every save
 * (objects/vdisk_rec.c), and the state directory's event source uses
 * the same comparison for records it finds changed by a process that
 * did not tell (objects/event_statedir.c).
 */
#pragma once

#include "objects/vdisk_rec.h"

typedef struct storvirt__vrec_digest {
        char **images;          /* uids of the legal images, base first */
        char **vms;             /* attached to */
        char **prepared;        /* prepared for (VM ids) */
} storvirt__vrec_digest;

int storvirt__vrec_digest_of(const storvirt__vrec *v, storvirt__vrec_digest *ret);
void storvirt__vrec_digest_clear(storvirt__vrec_digest *d);

/* One event of a difference: type (STORVIRT_EVENT_VDISK_*) and its detail. */
typedef void (*storvirt__vrec_event_fn)(uint32_t type, const char *detail, void *userdata);

/*
 * The events that take vDisk old to new (NULL: no record): imported,
 * deleted, and for a record kept: images removed (top first), snapshots
 * added (base first), detached, attached, released, prepared.  An
 * import's own images are no snapshots.
 */
void storvirt__vrec_diff(const storvirt__vrec_digest *old, const storvirt__vrec_digest *new,
                         storvirt__vrec_event_fn fn, void *userdata);
