/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * objects/event_statedir.h - the event source of the state directory:
 * what other processes sharing it change (pools, volumes, vDisks).
 *
 * Their events come from the event journal (objects/event_journal.h),
 * in order, once each.  inotify watches the journal's directory (to
 * wake the caller's loop) and the records directories (pools/,
 * pools/run/, vdisks/): a record that changes is compared with what was
 * known of it, once the journal has been read as far as that record's
 * writer got (writers record their events under the lock of the
 * records they change, and the comparison reads the record under the
 * same lock).  A record whose change no journal entry explains (written
 * by a release without the journal, or by hand) gives the events of the
 * difference, marked STORVIRT_EVENT_INFO_RESCAN.
 *
 * When inotify's queue overflows (which records changed is lost), or
 * when journal entries were lost (the reader fell more than a journal
 * file behind), every pool and vDisk record is compared once: one
 * rescan, which emits only what no journal entry told.  The volume
 * index (volumes/) is not compared: it says which formats the library
 * gave files, not which volumes exist (a vDisk import adds files to it),
 * so volume events come from the journal alone.
 */
#pragma once

#include "objects/events.h"

extern const storvirt__event_source_type storvirt__event_source_statedir;
