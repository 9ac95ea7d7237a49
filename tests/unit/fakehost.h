/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fakehost.h - a made-up host for unit tests: a sys-ops table
 * (lib/sys/sysops.h) whose slots answer from an in-memory description
 * of block devices (kernel name, number, identity, multipath members,
 * what blkid finds on them) and of the /dev paths that lead to them.
 * A test describes the host, hands fakehost_ops to a context with
 * storvirt__ctx_set_sysops(), runs discovery, then changes the host
 * (another identity behind a number, a path that leads elsewhere, a map
 * that loses or changes a member path, a device that is gone) and sees
 * what the library does with the change.
 *
 * Slots answered: discovery, usage, identity, the device changes (a
 * monitor per context on a pipe, fed by fakehost_uevent(); sizes from the
 * description; rescans and multipathd's resize recorded, the resize
 * giving a map its first member's size), device-mapper (the maps of
 * the description; dm_create recorded) and the connectors (iSCSI login,
 * logout and scan, mount(8) and umount(8): recorded, and they succeed).
 * The partition-table slots and mount(2)/umount2(2) are left NULL, so
 * they are the host's: the disk and fs pools are tested on real image
 * files and loop devices.
 *
 * One description per process; the slots read it without a lock, so a
 * test changes it only while no library call runs.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sys/sysops.h"

#define FAKEHOST_NAME_MAX 32
#define FAKEHOST_MAX_MEMBERS 8

struct fakehost_dev {
        char name[FAKEHOST_NAME_MAX];           /* kernel name: "sdb", "dm-1" */
        unsigned major, minor;
        char guid[STORVIRT__WWID_MAX];          /* the identity it reports now, "" none */
        bool dm;                                /* a device-mapper device */
        bool multipath;                         /* ... a multipath map of guid */
        char dm_name[64];                       /* its /dev/mapper name */
        char members[FAKEHOST_MAX_MEMBERS][FAKEHOST_NAME_MAX];  /* a map's paths */
        bool member_failed[FAKEHOST_MAX_MEMBERS];               /* ... "F" in its status */
        size_t n_members;
        char fs_uuid[64];                       /* what blkid finds on it, "" nothing */
        uint64_t size;                          /* bytes */
        bool offline;                           /* its SCSI state "offline", else "running" */
        bool gone;                              /* no longer in sysfs */
};

/* Empties the description and the record of calls. */
void fakehost_reset(void);

/* A SCSI disk sd* with its node /dev/<name>. */
struct fakehost_dev *fakehost_add_disk(const char *name, unsigned major, unsigned minor,
                                       const char *guid);

/*
 * A multipath map dm-N of guid over members (NULL-terminated names of
 * disks already added), with its nodes /dev/<name> and
 * /dev/mapper/<dm_name>.
 */
struct fakehost_dev *fakehost_add_map(const char *name, const char *dm_name, unsigned minor,
                                      const char *guid, const char *const *members);

/* The device of that kernel name (NULL when none). */
struct fakehost_dev *fakehost_dev(const char *name);

/* Removes member from the map's paths (the kernel dropped the path). */
void fakehost_drop_member(const char *map, const char *member);

/* Marks member of the map failed (still a member, "F" in the map's status). */
void fakehost_fail_member(const char *map, const char *member);

/*
 * The /dev path now leads to major:minor (added when missing); as_file:
 * it is a regular file instead.
 */
void fakehost_set_node(const char *path, unsigned major, unsigned minor, bool as_file);

/* The /dev path no longer exists. */
void fakehost_remove_node(const char *path);

/*
 * What the recording slots were called with, one line per call
 * ("login TARGET PORTAL chap=USER", "mount TYPE SOURCE TARGET OPTS",
 * "dm_create NAME ..."), since the last reset.
 */
const char *fakehost_calls(void);

/*
 * A uevent of block device name ("add", "remove", "change") to every
 * monitor open; partition: DEVTYPE=partition.
 */
void fakehost_uevent(const char *action, const char *name, bool partition);

/* Whether multipathd is installed (true after a reset): without, its resize is -ENOENT. */
void fakehost_set_multipathd(bool installed);

/* The table: pass it to storvirt__ctx_set_sysops(). */
extern const storvirt__sysops fakehost_ops;
