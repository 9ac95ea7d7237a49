/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz-lvm-label.c - the LVM2 PV label reader.  The first input byte
 * picks a mode, the rest is the data:
 *   0  the data is a device (a memfd), read as it is, then with a size
 *      claiming 4 KiB more than there is (short reads);
 *   1  the same after the label, metadata area header and metadata
 *      text CRCs were set right, so mutations get past the checksums
 *      into the pv_header, the area headers and the text parser;
 *   2  the data is metadata text, given to the parser alone.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sys/lvm_label.h"

#define MAX_INPUT (4u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t le64(const uint8_t *p) {
        uint64_t v = 0;

        for (int i = 7; i >= 0; i--)
                v = v << 8 | p[i];
        return v;
}

static uint32_t le32(const uint8_t *p) {
        return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 |
               (uint32_t) p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v) {
        for (int i = 0; i < 4; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}

static void put_le64(uint8_t *p, uint64_t v) {
        for (int i = 0; i < 8; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}

/* The text CRC of one metadata area header at off, then the header's own CRC. */
static void fix_mda(uint8_t *b, size_t size, uint64_t off) {
        uint8_t *h = b + off;
        uint64_t area = le64(h + 32), toff = le64(h + 40), tsize = le64(h + 48), wrap = 0;
        uint32_t crc;

        if (area >= 512 && area <= size - off && toff >= 512 && toff < area && tsize > 0 &&
            tsize <= area - 512) {
                if (toff + tsize > area)
                        wrap = toff + tsize - area;
                if (wrap <= toff - 512) {
                        crc = storvirt__lvm_crc(STORVIRT__LVM_CRC_INITIAL, h + toff, tsize - wrap);
                        crc = storvirt__lvm_crc(crc, h + 512, wrap);
                        put_le32(h + 56, crc);
                }
        }
        put_le32(h, storvirt__lvm_crc(STORVIRT__LVM_CRC_INITIAL, h + 4, 508));
}

/* Every label sector's number and CRC, and each metadata area it lists. */
static void fix_crcs(uint8_t *b, size_t size) {
        for (unsigned s = 0; s < 4 && (s + 1) * 512u <= size; s++) {
                uint8_t *lh = b + s * 512u;
                uint32_t off = le32(lh + 20);
                unsigned lists = 0;

                if (memcmp(lh, "LABELONE", 8) != 0)
                        continue;
                put_le64(lh + 8, s);
                for (uint32_t pos = off + 40; off <= 472 && pos + 16 <= 512 && lists < 2;
                     pos += 16) {
                        uint64_t at = le64(lh + pos);

                        if (at == 0)
                                lists++;
                        else if (lists == 1 && at <= size - 512)
                                fix_mda(b, size, at);
                }
                put_le32(lh + 16, storvirt__lvm_crc(STORVIRT__LVM_CRC_INITIAL, lh + 20, 492));
        }
}

static void read_device(const uint8_t *data, size_t size) {
        struct storvirt__lvm_pv pv;
        size_t done = 0;
        int fd = memfd_create("lvm-label", MFD_CLOEXEC);

        if (fd < 0)
                return;
        while (done < size) {
                ssize_t n = write(fd, data + done, size - done);

                if (n <= 0)
                        break;
                done += (size_t) n;
        }
        if (done == size) {
                (void) storvirt__lvm_pv_read(fd, size, "fuzz", &pv);
                (void) storvirt__lvm_pv_read(fd, size + 4096, "fuzz", &pv);
        }
        close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct storvirt__lvm_pv pv = { .pv_uuid = "AAAAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAAAA" };
        uint8_t *copy;

        if (size < 1 || size > MAX_INPUT)
                return 0;
        switch (data[0] % 3) {
        case 0:
                read_device(data + 1, size - 1);
                break;
        case 1:
                copy = malloc(size);
                if (!copy)
                        return 0;
                memcpy(copy, data + 1, size - 1);
                fix_crcs(copy, size - 1);
                read_device(copy, size - 1);
                free(copy);
                break;
        default:
                (void) storvirt__lvm_metadata_parse((const char *) data + 1, size - 1, "fuzz", &pv);
                break;
        }
        return 0;
}
