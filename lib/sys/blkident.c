/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * blkident.c - see blkident.h.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "config.h"
#include "sys/blkident.h"
#include "util/error.h"
#include "util/macro.h"

#if HAVE_UDEV
#include <libudev.h>
#endif

/*
 * The attributes are read relative to a descriptor of the device's sysfs
 * directory, opened once through /sys/dev/block/M:m: every read is of
 * that one device (a device removed meanwhile fails them), and none
 * walks the whole path again.
 */
static ssize_t read_attr(int dfd, const char *rel, void *buf, size_t size) {
        ssize_t got = 0, n;
        int fd;

        fd = openat(dfd, rel, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        while ((size_t)got < size && (n = read(fd, (char *)buf + got, size - (size_t)got)) > 0)
                got += n;
        close(fd);
        return got;
}

/* A trimmed text attribute into buf; false when missing or empty. */
static bool read_text(int dfd, const char *rel, char *buf, size_t size) {
        ssize_t n = read_attr(dfd, rel, buf, size - 1);
        char *s = buf, *e;

        if (n <= 0)
                return false;
        buf[n] = '\0';
        while (*s == ' ' || *s == '\n')
                s++;
        e = s + strlen(s);
        while (e > s && (e[-1] == ' ' || e[-1] == '\n'))
                *--e = '\0';
        memmove(buf, s, (size_t)(e - s) + 1);
        return *buf != '\0';
}

#if HAVE_UDEV
/* link: a sysfs path leading to the device (resolved here, only when needed). */
static void udev_serial(const char *link, char *guid, size_t size) {
        char syspath[PATH_MAX];
        struct udev *u = realpath(link, syspath) ? udev_new() : NULL;
        struct udev_device *d = u ? udev_device_new_from_syspath(u, syspath) : NULL;

        if (d && storvirt__wwid_from_udev(udev_device_get_property_value(d, "ID_SERIAL"), NULL,
                                          NULL, guid, size) < 0)
                guid[0] = '\0';
        udev_device_unref(d);
        udev_unref(u);
}
#endif

/*
 * The identity of a disk (not dm) whose sysfs directory is open as dfd;
 * link is a path to that directory, for udev.
 */
static void disk_identity(int dfd, const char *link, const char *name, char *guid, size_t size) {
        uint8_t pg83[4096], pg80[512];
        char vendor[64], model[64], w[512];
        bool nvme = strncmp(name, "nvme", 4) == 0;
        ssize_t n83, n80;
        int r = -ENOENT;

        guid[0] = '\0';
        if (!nvme) {
                n83 = read_attr(dfd, "device/vpd_pg83", pg83, sizeof(pg83));
                n80 = read_attr(dfd, "device/vpd_pg80", pg80, sizeof(pg80));
                if (n83 > 0 || n80 > 0) {
                        bool hv = read_text(dfd, "device/vendor", vendor, sizeof(vendor));
                        bool hm = read_text(dfd, "device/model", model, sizeof(model));
                        r = storvirt__wwid_from_scsi(n83 > 0 ? pg83 : NULL, n83 > 0 ? (size_t)n83 : 0,
                                                     n80 > 0 ? pg80 : NULL, n80 > 0 ? (size_t)n80 : 0,
                                                     hv ? vendor : NULL, hm ? model : NULL, guid,
                                                     size);
                }
        }
        if (r < 0 && (read_text(dfd, "device/wwid", w, sizeof(w)) ||
                      read_text(dfd, "wwid", w, sizeof(w))))
                r = nvme ? storvirt__wwid_from_nvme(w, NULL, NULL, NULL, guid, size)
                         : storvirt__wwid_from_sysfs(w, guid, size);
#if HAVE_UDEV
        if (r < 0)
                udev_serial(link, guid, size);
#else
        if (r < 0)
                guid[0] = '\0';
#endif
        storvirt__error_reset();
}

/* Whether the device whose directory is open as dfd sits on a scsi_device (see blkident.h). */
static bool is_scsi(int dfd) {
        char uevent[512];
        ssize_t n = read_attr(dfd, "device/uevent", uevent, sizeof(uevent) - 1);

        if (n <= 0)
                return false;
        uevent[n] = '\0';
        return strstr(uevent, "DEVTYPE=scsi_device\n") != NULL ||
               (n >= 19 && strcmp(uevent + n - 19, "DEVTYPE=scsi_device") == 0);
}

static const char *base_name(const char *path) {
        const char *s = strrchr(path, '/');
        return s ? s + 1 : path;
}

/*
 * The kernel name of the device whose directory is open as dfd: the last
 * component of the directory's path (from /proc, else of where link
 * leads now).
 */
static void dir_name(int dfd, const char *link, char *buf, size_t size) {
        char proc[64], target[PATH_MAX];
        ssize_t n;

        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", dfd);
        n = readlink(proc, target, sizeof(target) - 1);
        if (n <= 0)
                n = readlink(link, target, sizeof(target) - 1);
        if (n <= 0)
                n = 0;
        target[n] = '\0';
        snprintf(buf, size, "%.63s", base_name(target));
}

int storvirt__blkident_read(dev_t devnum, const char *sysroot, struct storvirt__blkident *ret) {
        char link[PATH_MAX], uuid[512];
        const char *root = sysroot ? sysroot : "";
        unsigned part = 0;
        struct dirent *de;
        int dfd, sfd;
        DIR *sd;

        memset(ret, 0, sizeof(*ret));
        snprintf(link, sizeof(link), "%s/sys/dev/block/%u:%u", root, major(devnum), minor(devnum));
        dfd = open(link, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return storvirt__error_set(errno == ENOENT ? -ENOENT : -errno,
                                           "no block device %u:%u in sysfs (%s): %s",
                                           major(devnum), minor(devnum), link, strerror(errno));
        dir_name(dfd, link, ret->name, sizeof(ret->name));
        if (!read_text(dfd, "dm/uuid", uuid, sizeof(uuid)) &&
            strncmp(ret->name, "dm-", 3) != 0) {
                disk_identity(dfd, link, ret->name, ret->guid, sizeof(ret->guid));
                ret->scsi = is_scsi(dfd);
                close(dfd);
                return 0;
        }
        ret->dm = true;
        if (storvirt__wwid_from_dm_uuid(uuid, ret->guid, sizeof(ret->guid), &part) == 0 && part == 0)
                ret->multipath = true;
        else
                ret->guid[0] = '\0';
        storvirt__error_reset();
        sfd = openat(dfd, "slaves", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        close(dfd);
        sd = sfd >= 0 ? fdopendir(sfd) : NULL;
        if (!sd && sfd >= 0)
                close(sfd);
        while (sd && (de = readdir(sd)) && ret->n_slaves < STORVIRT__BLKIDENT_MAX_SLAVES) {
                struct storvirt__blkident_slave *s = &ret->slaves[ret->n_slaves];
                char slink[PATH_MAX + 272];
                int mfd;

                if (de->d_name[0] == '.')
                        continue;
                /* The member's own directory, through the slaves/ link. */
                mfd = openat(dirfd(sd), de->d_name, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (mfd < 0)
                        continue;
                snprintf(slink, sizeof(slink), "%s/slaves/%s", link, de->d_name);
                snprintf(s->name, sizeof(s->name), "%.63s", de->d_name);
                disk_identity(mfd, slink, s->name, s->guid, sizeof(s->guid));
                s->scsi = is_scsi(mfd);
                close(mfd);
                ret->n_slaves++;
        }
        if (sd)
                closedir(sd);
        return 0;
}
