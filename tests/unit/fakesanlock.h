/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fakesanlock.h - made-up sanlock daemons for unit tests: the sanlock
 * slots of the sys-ops table (lib/sys/sanlock.h) answered from memory,
 * without root, without a daemon and without direct I/O.
 *
 * Lease areas are real files (the library stats, sizes and locks them);
 * what sanlock would write in them (the lockspace name and io timeout,
 * the host records, the resource leases and their owners) is kept here,
 * keyed by the file's inode, so that a file renamed into place keeps its
 * contents and a file unlinked loses them.  Several hosts share the
 * areas: fakesanlock_be_host() says whose daemon answers the calls that
 * follow (each host its own joined lockspaces and registrations).
 *
 * One description per process, read without a lock: a test changes it
 * only while no library call runs.
 */
#pragma once

#include <stdint.h>

#include "sys/sysops.h"

#define FAKESANLOCK_HOSTS 4

/* Forgets every area, join and registration; host 1 answers; joins are done at once. */
void fakesanlock_reset(void);

/* The daemon of host n (1 to FAKESANLOCK_HOSTS, its name "hostN") answers from now on. */
void fakesanlock_be_host(unsigned n);

/* A join asked for from now on answers "joining" to the n first questions about it. */
void fakesanlock_set_join_polls(unsigned n);

/*
 * Host n's daemon dies: its lockspaces stop renewing, its leases stay
 * written.  Every daemon then sees its host ids failing for fail_polls
 * questions, then dead.
 */
void fakesanlock_crash_host(unsigned n, unsigned fail_polls);

/* How many times each slot was called since the reset ("acquire" ...). */
unsigned fakesanlock_calls(const char *slot);

/* The table: pass it to storvirt__ctx_set_sysops(). */
extern const storvirt__sysops fakesanlock_ops;
