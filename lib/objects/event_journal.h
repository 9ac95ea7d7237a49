/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * objects/event_journal.h - the state directory's event journal
 * (<state dir>/events/): every change a process makes through the
 * library is appended there with a sequence number, so that any process
 * watching the state directory learns what changed, in order, without
 * re-reading the records.
 *
 * The journal is a text file of lines, appended under an exclusive
 * lock (events/.lock) that also hands out the numbers:
 *     storvirt-events 1 <number of the last entry before this file>
 *     <seq> <usec> <pid> <origin> <type> <pool> <name> <key> <detail>
 * seq counts from 1 without holes; usec is CLOCK_REALTIME in
 * microseconds; origin is the writing context's random id (16 hex
 * digits); type is an event type name ("vdisk-attached"); the strings
 * are "-" when absent, with bytes below 0x21, DEL and '%' (and a value
 * that is "-" itself) written as %XX.  A reader skips a line it cannot
 * parse or whose type it does not know (a newer writer), keeping its
 * number.
 *
 * Bounded and rotated: once the file holds storvirt__journal_max_size
 * bytes, the next writer renames it to journal.1 (replacing the one
 * before) and starts a new file whose first line carries the number
 * reached.  A reader keeps the file it reads open, so a rotation never
 * takes it away mid-read; it loses entries only when two whole files
 * are written between two of its reads, and then knows it by the
 * numbers (a gap), and the caller rescans the state.
 */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "objects/events.h"
#include "util/buf.h"

/* Rotation size of one journal file (tests lower it). */
extern uint64_t storvirt__journal_max_size;

/*
 * Appends ev (type, strings, time_usec, pid) with origin, under the
 * journal lock, in the events directory open on dirfd; *ret_seq the
 * number it got.  0 or -errno (with a message).
 */
int storvirt__journal_append(int dirfd, const struct storvirt_event *ev, uint64_t origin,
                             uint64_t *ret_seq);

/*
 * A writer that keeps the lock file and the journal open between
 * appends, and the number it wrote last (read again only when another
 * writer appended since): four system calls an entry.  Its mutex makes
 * one thread at a time use it (an OFD lock does not exclude two threads
 * sharing one descriptor); after fork() it opens its files again.
 */
typedef struct storvirt__journal_writer {
        pthread_mutex_t lock;
        int dirfd;                /* the events directory (not owned) */
        pid_t pid;                /* the process that opened the files below */
        int lockfd;               /* events/.lock */
        int fd;                   /* the journal appended to, -1 none */
        dev_t dev;
        ino_t ino;
        uint64_t size;            /* its size after the last append through fd */
        uint64_t last;            /* the number of that append */
} storvirt__journal_writer;

void storvirt__journal_writer_init(storvirt__journal_writer *w, int dirfd);
void storvirt__journal_writer_done(storvirt__journal_writer *w);
int storvirt__journal_writer_append(storvirt__journal_writer *w, const struct storvirt_event *ev,
                                    uint64_t origin, uint64_t *ret_seq);

/* An entry read: ev (strings borrowed for the call) and its writer's origin. */
typedef int (*storvirt__journal_entry_fn)(const struct storvirt_event *ev, uint64_t origin,
                                          void *userdata);

typedef struct storvirt__journal_reader {
        int fd;                   /* the file being read, -1 none */
        dev_t dev;
        ino_t ino;
        uint64_t offset;          /* next byte to read in fd */
        struct storvirt__buf partial;   /* an incomplete last line */
        uint64_t last_seq;        /* the last number seen */
        uint64_t gaps;            /* entries found missing (lost to rotation), in total */
} storvirt__journal_reader;

void storvirt__journal_reader_init(storvirt__journal_reader *r);
void storvirt__journal_reader_done(storvirt__journal_reader *r);

/* Positions the reader at the journal's end (what is there now is not read). */
int storvirt__journal_reader_start(storvirt__journal_reader *r, int dirfd);

/*
 * Reads the entries written since the last call, following rotations,
 * calling fn for each (fn's negative return stops and is returned).
 * Returns how many entries were passed.  r->gaps grows when numbers are
 * missing.
 */
int storvirt__journal_reader_read(storvirt__journal_reader *r, int dirfd,
                                  storvirt__journal_entry_fn fn, void *userdata);
