/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz-imgprobe.c - disk image header probing: the input becomes the
 * whole content of a memfd, probed once with its true size and once
 * with a size claiming more bytes than there are (short reads).
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sys/imgfmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        storvirt__img_info info = {};
        size_t done = 0;
        int fd;

        fd = memfd_create("imgprobe", MFD_CLOEXEC);
        if (fd < 0)
                return 0;
        while (done < size) {
                ssize_t n = write(fd, data + done, size - done);

                if (n <= 0) {
                        close(fd);
                        return 0;
                }
                done += (size_t) n;
        }
        if (storvirt__img_probe_fd(fd, size, "fuzz", &info) == 0)
                storvirt__img_info_clear(&info);
        if (storvirt__img_probe_fd(fd, size + 4096, "fuzz", &info) == 0)
                storvirt__img_info_clear(&info);
        close(fd);
        return 0;
}
