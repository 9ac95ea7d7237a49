/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lvm_label.h - a native reader of LVM2 physical volume labels: which
 * PV a device is and which volume group it belongs to, read from the
 * on-disk format without the lvm2 tools (pvs/pvcreate --test take a
 * second per device; this reads a few KiB).
 *
 * The on-disk format (all integers little-endian):
 *
 *   label sector (512 bytes, in one of sectors 0..3)
 *     0  "LABELONE"   8  u64 sector number of this label
 *    16  u32 CRC of bytes 20..511        20  u32 offset of the pv_header
 *    24  "LVM2 001"
 *   pv_header (at that offset in the sector)
 *     0  PV UUID, 32 chars        32  u64 device size in bytes
 *    40  {u64 offset, u64 size} data areas, ended by an offset of 0,
 *        then the metadata areas the same way, then an optional
 *        extension {u32 version, u32 flags (bit 0: in use by a VG), ...}
 *   metadata area header (512 bytes at each metadata area's offset)
 *     0  u32 CRC of bytes 4..511   4  magic " LVM2 x[5A%r0N*>"
 *    20  u32 version (1)          24  u64 start (the area's own offset)
 *    32  u64 size of the area     40  raw_locn list {u64 offset (from the
 *        area start), u64 size, u32 CRC of the text, u32 flags (bit 0:
 *        area ignored)}; the first is the committed metadata
 *   metadata text: a circular buffer in the area after its header; text
 *        that runs past the end of the area continues right after the
 *        header.
 *
 * The CRC is lvm2's: the reflected CRC-32 polynomial 0xedb88320 with
 * the initial value 0xf597a6cf and no final inversion.
 *
 * The text is lvm2's config format; only the VG section's name, its
 * `id` and the `id`s under `physical_volumes` are looked at, by a
 * parser that works in one pass over a bounded buffer, without
 * recursion and without allocating.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes read at the start of a device to look for the label. */
#define STORVIRT__LVM_LABEL_SCAN_SIZE 2048u
/* Longest metadata text read (lvm2 itself keeps it far below this). */
#define STORVIRT__LVM_METADATA_MAX (1024u * 1024u)
/* Deepest section nesting accepted in the metadata text. */
#define STORVIRT__LVM_CONFIG_DEPTH_MAX 64u
/* The initial value lvm2 gives its CRC. */
#define STORVIRT__LVM_CRC_INITIAL 0xf597a6cfu
/* pv_header extension flag: the PV belongs to a VG. */
#define STORVIRT__LVM_PV_EXT_USED 0x1u

struct storvirt__lvm_pv {
        char pv_uuid[40];    /* "xxxxxx-xxxx-xxxx-xxxx-xxxx-xxxx-xxxxxx" (38 chars) */
        char vg_name[128];   /* "" unless has_vg */
        char vg_uuid[40];    /* "" unless has_vg; formatted as pv_uuid */
        uint64_t dev_size;   /* bytes, as recorded in the pv_header */
        bool has_vg;         /* metadata on this PV names a VG that lists this PV */
        bool has_mda;        /* a metadata area in use was read: when has_vg is
                                false the PV is then an orphan for sure */
        uint32_t ext_version;/* pv_header extension version, 0 if none */
        bool ext_used;       /* extension (version 2 on) flag: the PV is used by
                                a VG, set also on PVs without metadata areas */
        unsigned n_mdas;     /* metadata areas listed in the pv_header */
};

/*
 * lvm2's CRC of len bytes, starting from initial (chain calls to cover
 * several pieces).  Start with STORVIRT__LVM_CRC_INITIAL.
 */
uint32_t storvirt__lvm_crc(uint32_t initial, const void *buf, size_t len);

/*
 * Read the LVM2 PV label of the device or image open on fd, dev_size
 * bytes long; `what` (a path) names it in messages.  Reads with
 * pread() only: the first 2 KiB, one sector per metadata area and the
 * current metadata text (at most STORVIRT__LVM_METADATA_MAX bytes).
 *
 * 0 with *ret filled; -ENOENT (no message set) when no "LABELONE" of
 * type "LVM2 001" is in the first 4 sectors; -EINVAL when the label,
 * the pv_header, a metadata area header or the metadata text is
 * malformed (bad CRC, a field out of range, text that does not parse),
 * with a message naming the device, the field and the offset; -EIO when
 * the device is shorter than dev_size; -errno from pread().
 *
 * The metadata areas in use are read in order: the first that yields
 * the VG is used; a damaged copy is passed over when another is good.
 * An orphan PV (areas without metadata, or metadata without a VG)
 * gives has_vg false.  Metadata naming a VG that does not list this PV
 * is -EINVAL.  *ret is written only on success.
 */
int storvirt__lvm_pv_read(int fd, uint64_t dev_size, const char *what,
                          struct storvirt__lvm_pv *ret);

/*
 * The text parser alone, for tests and fuzzing: the VG in text[0..len)
 * (stopping at a NUL), matching pv_uuid (formatted, 38 chars) against
 * the `id`s of physical_volumes.  0 with has_vg, vg_name, vg_uuid set
 * in *pv (other fields untouched); -EINVAL naming `what`, the field and
 * the byte offset in the text.
 */
int storvirt__lvm_metadata_parse(const char *text, size_t len, const char *what,
                                 struct storvirt__lvm_pv *pv);
