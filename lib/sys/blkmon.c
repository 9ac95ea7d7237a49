/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * blkmon.c - block device uevents and capacities through libudev (see
 * blkmon.h).  Under a umockdev testbed libudev's sysfs and netlink are
 * the testbed's, so the same code is tested there.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/loop.h>
#include <sys/ioctl.h>

#include "config.h"
#include "sys/blkmon.h"
#include "sys/command.h"
#include "util/error.h"
#include "util/macro.h"

#define MULTIPATHD_TIMEOUT_MS 30000

int storvirt__multipath_resize(const char *map) {
        char *argv[] = { (char *)"multipathd", (char *)"resize", (char *)"map", (char *)map,
                         NULL };
        _cleanup_free_ char *out = NULL;
        int r = storvirt__command_run(argv, MULTIPATHD_TIMEOUT_MS, &out);

        if (r < 0)
                return storvirt__error_prefix("multipath map '%s': multipathd resize", map);
        /* multipathd's client says "fail" on its standard output, whatever its exit */
        if (out && strncmp(out, "fail", 4) == 0)
                return storvirt__error_set(-EIO, "multipath map '%s': multipathd resize map "
                                                 "failed (see multipathd's log)", map);
        return 0;
}

#if HAVE_UDEV
#include <libudev.h>

struct storvirt__blkmon {
        struct udev *udev;
        struct udev_monitor *mon;
};

/*
 * udev's events (devices whose rules ran) where udevd runs or a umockdev
 * testbed stands in for the host; the kernel's otherwise (a host or a
 * container without udevd still sees its devices change).
 */
static const char *monitor_source(void) {
        if (getenv("UMOCKDEV_DIR") || access("/run/udev/control", F_OK) == 0)
                return "udev";
        return "kernel";
}

int storvirt__blkmon_open(storvirt__blkmon **ret, int *ret_fd) {
        storvirt__blkmon *m = calloc(1, sizeof(*m));
        const char *source = monitor_source();
        int r, fd;

        if (!m)
                return storvirt__error_oom();
        m->udev = udev_new();
        if (!m->udev) {
                free(m);
                return storvirt__error_set(errno ? -errno : -ENOMEM,
                                           "device monitor: udev_new: %m");
        }
        m->mon = udev_monitor_new_from_netlink(m->udev, source);
        if (!m->mon) {
                r = storvirt__error_set(errno ? -errno : -EIO, "device monitor: netlink socket "
                                        "for %s events: %m", source);
                goto fail;
        }
        r = udev_monitor_filter_add_match_subsystem_devtype(m->mon, "block", NULL);
        if (r >= 0)
                r = udev_monitor_enable_receiving(m->mon);
        if (r < 0) {
                r = storvirt__error_set(r, "device monitor: receiving %s events: %s", source,
                                        strerror(-r));
                goto fail;
        }
        fd = udev_monitor_get_fd(m->mon);
        if (fd < 0 || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0 ||
            fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
                r = storvirt__error_set(fd < 0 ? fd : -errno, "device monitor: its descriptor: %m");
                goto fail;
        }
        *ret = m;
        *ret_fd = fd;
        return 0;
fail:
        storvirt__blkmon_close(m);
        return r;
}

int storvirt__blkmon_receive(storvirt__blkmon *m, struct storvirt__blk_uevent *ret) {
        struct udev_device *d;
        const char *s;

        errno = 0;
        d = udev_monitor_receive_device(m->mon);
        if (!d) {
                if (errno == 0 || errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                        return 0;
                if (errno == ENOBUFS) {
                        /* the socket's queue overflowed: some change of some disk was lost */
                        memset(ret, 0, sizeof(*ret));
                        snprintf(ret->action, sizeof(ret->action), "lost");
                        return 1;
                }
                return storvirt__error_set(-errno, "device monitor: receiving: %m");
        }
        memset(ret, 0, sizeof(*ret));
        s = udev_device_get_action(d);
        snprintf(ret->action, sizeof(ret->action), "%s", s ? s : "");
        s = udev_device_get_sysname(d);
        snprintf(ret->name, sizeof(ret->name), "%s", s ? s : "");
        ret->devnum = udev_device_get_devnum(d);
        s = udev_device_get_devtype(d);
        ret->partition = s && strcmp(s, "partition") == 0;
        s = udev_device_get_property_value(d, "RESIZE");
        ret->resize = s && strcmp(s, "1") == 0;
        udev_device_unref(d);
        return 1;
}

void storvirt__blkmon_close(storvirt__blkmon *m) {
        if (!m)
                return;
        udev_monitor_unref(m->mon);
        udev_unref(m->udev);
        free(m);
}

/* The udev device of block device name: 0, -ENODEV (no such device), -ENOMEM. */
static int block_device(const char *name, struct udev **ret_udev, struct udev_device **ret) {
        struct udev *udev = udev_new();

        if (!udev)
                return storvirt__error_oom();
        *ret = udev_device_new_from_subsystem_sysname(udev, "block", name);
        if (!*ret) {
                udev_unref(udev);
                return storvirt__error_set(-ENODEV, "block device '%s' no longer exists", name);
        }
        *ret_udev = udev;
        return 0;
}

int storvirt__blk_size_read(const char *name, uint64_t *ret_bytes) {
        struct udev_device *d;
        struct udev *udev;
        unsigned long long sectors;
        const char *v;
        char *end;
        int r = block_device(name, &udev, &d);

        if (r < 0)
                return r;
        v = udev_device_get_sysattr_value(d, "size");
        errno = 0;
        sectors = v ? strtoull(v, &end, 10) : 0;
        if (!v || end == v || (*end && *end != '\n') || errno || sectors > UINT64_MAX / 512)
                r = storvirt__error_set(-EIO, "block device '%s': size attribute '%s' is not a "
                                              "number of sectors", name, v ? v : "(none)");
        else
                *ret_bytes = (uint64_t)sectors * 512;
        udev_device_unref(d);
        udev_unref(udev);
        return r;
}

/* A loop device takes its backing file's size (losetup -c). */
static int loop_set_capacity(const char *devnode) {
        int fd, r = 0;

        if (!devnode)
                return -ENODEV;
        fd = open(devnode, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (ioctl(fd, LOOP_SET_CAPACITY, 0) < 0)
                r = -errno;
        close(fd);
        return r;
}

int storvirt__blk_rescan(const char *name) {
        struct udev_device *d;
        struct udev *udev;
        char path[4096];
        int r = block_device(name, &udev, &d);

        if (r < 0)
                return r;
        /* only SCSI devices have it */
        snprintf(path, sizeof(path), "%s/device/rescan", udev_device_get_syspath(d));
        if (access(path, F_OK) == 0)
                r = udev_device_set_sysattr_value(d, "device/rescan", "1");
        /* an attached loop device (loop/ in sysfs) */
        snprintf(path, sizeof(path), "%s/loop", udev_device_get_syspath(d));
        if (r >= 0 && access(path, F_OK) == 0)
                r = loop_set_capacity(udev_device_get_devnode(d));
        if (r < 0)
                r = storvirt__error_set(r, "block device '%s': rescan: %s", name, strerror(-r));
        udev_device_unref(d);
        udev_unref(udev);
        return r;
}

#else

int storvirt__blkmon_open(storvirt__blkmon **ret, int *ret_fd) {
        (void)ret;
        (void)ret_fd;
        return storvirt__error_set(-EOPNOTSUPP, "watching devices needs libudev, which this "
                                                "build lacks");
}

int storvirt__blkmon_receive(storvirt__blkmon *m, struct storvirt__blk_uevent *ret) {
        (void)m;
        (void)ret;
        return 0;
}

void storvirt__blkmon_close(storvirt__blkmon *m) {
        (void)m;
}

int storvirt__blk_size_read(const char *name, uint64_t *ret_bytes) {
        (void)ret_bytes;
        return storvirt__error_set(-EOPNOTSUPP, "block device '%s': reading its size needs "
                                                "libudev, which this build lacks", name);
}

int storvirt__blk_rescan(const char *name) {
        (void)name;
        return 0;
}

#endif
