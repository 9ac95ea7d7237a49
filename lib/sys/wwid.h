/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * wwid.h - the device-identity normalizer: from every place a LUN's
 * identity can be read, the one WWID that multipath names the map with
 * when user_friendly_names is off (the GUID of VDSM), so that the same
 * LUN seen through sysfs, VPD pages, udev or device-mapper compares
 * equal byte for byte.
 *
 * Pure functions: no I/O.  Callers read the files (a trailing newline of
 * a sysfs attribute may be left in; it is dropped) and pass the bytes.
 * Every function writes a NUL-terminated string of at most
 * STORVIRT__WWID_MAX - 1 bytes into buf (size must be large enough for
 * the result, or -EINVAL), returns 0 on success and otherwise a negative
 * errno with a message naming the source, the field and the value.
 * buf is written only on success.
 *
 * What multipath uses (multipath-tools 0.14, libmultipath/discovery.c
 * get_uid(); systemd udev rules 60-persistent-storage.rules):
 *
 *   SCSI  the udev property ID_SERIAL (default uid_attribute), which
 *         systemd's scsi_id sets from VPD page 0x83 (preference order in
 *         storvirt__wwid_from_vpd83()), else from page 0x80 as
 *         "S<vendor><model><serial>", then normalised: leading and
 *         trailing white space dropped, every inner run of white space
 *         one '_', every byte outside [0-9A-Za-z#+-.:=@_], a "\x"
 *         escape or valid UTF-8 replaced by '_'.  (For ATA disks
 *         ata_id sets ID_SERIAL first, as "<model>_<serial>".)  Only when
 *         udev has no ID_SERIAL does multipath parse vpd_pg83 itself,
 *         with another order and format (storvirt__wwid_from_scsi()).
 *   NVMe  the udev property ID_WWN, which is the namespace's sysfs
 *         "wwid" attribute (storvirt__wwid_from_nvme()).
 *
 *   multipath keeps at most 127 bytes (WWID_SIZE 128): a longer
 *   value is cut to 127, except that an over-long "nvme.VID-SN-MN-NSID"
 *   first loses the "00" pairs (hex NUL bytes) that pad its serial and
 *   model parts; trailing blanks are dropped.  Every function here
 *   applies the same rule, so each result is at most 127 bytes.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Size of a buffer that holds any WWID these functions produce. */
#define STORVIRT__WWID_MAX 256

/*
 * From the kernel's SCSI attribute device/wwid (scsi_vpd_lun_id()):
 *   "naa.<16|32 hex>"        -> "3<hex>"   (lower case)
 *   "eui.<16|24|32 hex>"     -> "2<hex>"   (lower case)
 *   "t10.<vendor id text>"   -> "1<text>"  normalised as udev does (see
 *                               above), e.g. "t10.ATA     VBOX HARDDISK
 *                               VB12-34  " -> "1ATA_VBOX_HARDDISK_VB12-34"
 * A SCSI name string the kernel copied verbatim is accepted when it is
 * "naa."/"eui." + hex (same mapping; the name string spells the same NAA
 * or EUI-64 value in upper case).  Other name strings ("iqn.…") give
 * -ENOENT: scsi_id never uses a name string, so the multipath WWID of
 * such a LUN comes from another designator; read vpd_pg83 instead.
 * "0x…" (udev's ID_WWN form, never in device/wwid) and unknown prefixes
 * give -EINVAL, as does a "t10." value holding a '\' (the kernel prints
 * non-printable bytes as \-escapes and a literal '\' unescaped, so the
 * original bytes cannot be known).
 *
 * Exact only when the kernel picked the designator scsi_id picks.
 * Walking the page, the kernel takes each LUN designator at least as
 * long as the one it holds (an NAA; an EUI-64 unless it ties with an
 * NAA; a SCSI name string when 4 bytes longer; a T10 id only over
 * nothing or another T10 id, in any code set), while scsi_id ranks any
 * NAA over EUI-64 over T10.  So an NAA 5 LUN that also carries a 12- or
 * 16-byte EUI-64 gives "2…" here but "35…" in multipath, and a page
 * listing a long T10 id before its NAA gives "1…" here.
 * Use storvirt__wwid_from_vpd83() whenever vpd_pg83 can be read.
 */
int storvirt__wwid_from_sysfs(const char *sysfs_wwid, char *buf, size_t size);

/*
 * From the binary VPD page 0x83 (device/vpd_pg83, starting with the
 * 4-byte page header): the identifier scsi_id derives from it, i.e.
 * ID_SERIAL.  Designators with association "logical unit" only; the
 * first designator in page order matching, in this order:
 *   NAA 6 (IEEE Registered Extended) binary, then ASCII
 *   NAA 5 (IEEE Registered) binary, then ASCII
 *   any other NAA (2, 3, reserved values) binary, then ASCII
 *   EUI-64 binary, ASCII;  T10 vendor id binary, ASCII;
 *   vendor specific binary, ASCII.
 * "Binary"/"ASCII" are code sets 1 and 2; UTF-8 (3) and SCSI name
 * strings (type 8), target port and target device designators are never
 * used.  The NAA subtype is the high nibble of the first identifier
 * byte, also for ASCII designators.  Designators whose formatted form
 * would not fit scsi_id's 256-byte buffer, and those past byte 254 (its
 * INQUIRY allocation length), are not seen.
 * Formatted as the type digit then the identifier: binary as lower-case
 * hex, ASCII as is up to the first NUL byte; vendor specific as
 * "0" + INQUIRY vendor (8) + product (16) + identifier; then udev's
 * normalisation and multipath's 127-byte limit.  Examples: NAA 6
 * "36001405…", EUI-64 "2…", T10 "1LIO-ORG_disk0_…".
 * A page whose byte 6 is not zero has the pre-SPC-3 layout (EMC
 * Symmetrix models 4-6): "3" + hex of bytes 4 .. 4 + page[3] (at most
 * 126 bytes), as scsi_id does.
 *
 * -EINVAL for a malformed page, naming the offset: shorter than its
 * header, not page 0x83, page length past the buffer or zero, a
 * designator header or body past the page end, a zero-length
 * designator; or when the chosen identifier is empty after
 * normalisation (all spaces, as some arrays report for unconfigured
 * LUNs).  -ENOENT when scsi_id would not take an identifier from this
 * page (udev then uses page 0x80) or would take a vendor specific one
 * (needs the INQUIRY vendor and product): use storvirt__wwid_from_scsi().
 * Bytes past the page length are ignored.
 */
int storvirt__wwid_from_vpd83(const uint8_t *page, size_t len, char *buf, size_t size);

/*
 * The whole chain for a SCSI device, as multipath ends up with it:
 *   1. scsi_id on page 0x83 (storvirt__wwid_from_vpd83() rules);
 *   2. else scsi_id on page 0x80: "S" + vendor (8) + product (16) +
 *      page[3] bytes of serial (up to a NUL), normalised;
 *   3. else (udev has no ID_SERIAL) multipath's own parser of vpd_pg83:
 *      LUN designators by priority NAA 6 > NAA 5 > NAA 2 > EUI-64 >
 *      SCSI name string > T10 > NAA 3 (code set ignored, NAA and EUI-64
 *      of the wrong length and name strings not starting "eui.", "naa."
 *      or "iqn." skipped, the first of the best kept); NAA and EUI-64
 *      as digit + hex; a name string as '2' / '3' / '8' (for "eui." /
 *      "naa." / "iqn.") + the rest of the string up to a NUL (lower
 *      case for the first two); T10 as '1' + the text with every run of
 *      spaces one '_' (no other normalisation, designator cut to 128
 *      bytes).
 * pg83 / pg80 NULL means the device has no such page.  vendor and model
 * are the INQUIRY fields (sysfs device/vendor, device/model, which show
 * the raw 8 and 16 bytes; trimmed values are padded back with spaces);
 * needed only for a vendor specific designator or step 2 (else -EINVAL).
 * -ENOENT when no step gives an identifier (multipath then ignores the
 * device); -EINVAL for malformed pages as above and for an empty page
 * 0x80 serial (scsi_id would name the LUN "S<vendor>_<product>", which
 * is not unique).
 */
int storvirt__wwid_from_scsi(const uint8_t *pg83, size_t len83,
                             const uint8_t *pg80, size_t len80,
                             const char *vendor, const char *model,
                             char *buf, size_t size);

/*
 * The unit serial number of VPD page 0x80 (device/vpd_pg80): the page
 * length bytes up to the first NUL, leading and trailing white space
 * dropped (inner spaces kept).  -EINVAL for a malformed page or a
 * control character inside the serial, -ENOENT for an empty one.
 * This is the serial of the device, not an identity: page 0x80 values
 * are unique only per vendor and product.
 */
int storvirt__serial_from_vpd80(const uint8_t *page, size_t len, char *buf, size_t size);

/*
 * From the udev properties of a SCSI disk (NULL or "" for absent ones):
 *   ID_SERIAL (what multipath uses) as is, after checking it holds only
 *   what udev leaves in it (no white space or control characters), and
 *   multipath's 127-byte limit;
 *   else ID_WWN_WITH_EXTENSION "0x<16|32 hex>" -> "3<hex>";
 *   else ID_WWN "0x<16 hex>" -> "3<hex>", refused when it is the first
 *   half of an NAA 6 (first digit 6: the extension is missing).
 * The ID_WWN forms are exact when scsi_id's identifier was that NAA
 * designator (it sets ID_WWN only then); for ATA disks ID_WWN comes from
 * ata_id while multipath uses ID_SERIAL ("<model>_<serial>"), so pass
 * ID_SERIAL whenever udev has it.  NVMe disks: use
 * storvirt__wwid_from_nvme() with ID_WWN (their ID_SERIAL is not what
 * multipath uses); an NVMe-style ID_WWN here is -EINVAL.
 * -ENOENT when all three are absent.
 */
int storvirt__wwid_from_udev(const char *id_serial, const char *id_wwn_with_ext,
                             const char *id_wwn, char *buf, size_t size);

/*
 * From a device-mapper uuid (sysfs dm/uuid, libdevmapper): "mpath-<wwid>"
 * gives <wwid> and *ret_partition 0; "part<N>-mpath-<wwid>" (a kpartx
 * partition of a map, N > 0 in decimal) gives <wwid> and N.
 * ret_partition may be NULL.  -ENOENT (no message) for any other dm uuid
 * ("LVM-…", "CRYPT-…", "part1-LVM-…"), -EINVAL for an empty or
 * malformed wwid.  The wwid is returned as multipath stored it.
 */
int storvirt__wwid_from_dm_uuid(const char *dm_uuid, char *buf, size_t size,
                                unsigned *ret_partition);

/*
 * NVMe namespace (multipath-tools with native NVMe multipath off; with it
 * on there is no dm map).  multipath uses udev's ID_WWN, which is the
 * sysfs "wwid" attribute of the namespace, as is:
 *   "uuid.<8-4-4-4-12 hex>", "eui.<32 hex>" (NGUID), "eui.<16 hex>"
 *   (EUI-64) or "nvme.<vid:4 hex>-<serial hex>-<model hex>-<nsid:8 hex>",
 * lower case (upper-case hex is folded), then the 127-byte rule above.
 * wwid_attr (sysfs wwid or ID_WWN) is used when given.  Without it the
 * kernel's choice is redone from the other attributes (NULL = the file
 * does not exist): uuid "…-…" if set, else nguid (printed like a UUID)
 * as "eui.<32 hex>", else eui (the kernel prints it as "00 25 38 …") as
 * "eui.<16 hex>".  The kernel shows the NGUID in "uuid" when the
 * namespace has no UUID, so a uuid equal to nguid is taken as no UUID.
 * The "nvme." form needs wwid_attr (-ENOENT without it).  When both are
 * given they must agree (-EINVAL naming both).
 */
int storvirt__wwid_from_nvme(const char *wwid_attr, const char *nguid, const char *eui,
                             const char *uuid, char *buf, size_t size);

/*
 * A user-given GUID in canonical form.  Surrounding white space is
 * dropped.  Accepted:
 *   "0x<16|32 hex>" (udev ID_WWN, refused for 16 digits starting 6: the
 *   half of an NAA 6) and "naa.<16|32 hex>" (kernel)  -> "3<hex>"
 *   bare "<16 hex>" starting 2, 3 or 5, or "<32 hex>" starting 6
 *   (libStorageMgmt's vpd83, NAA without the type digit) -> "3<hex>"
 *   "3" or "2" and an even number of hex digits (NAA, EUI-64 as scsi_id
 *   prints them) -> in lower case
 *   "1…" and "0…" (T10, vendor specific) -> as is, even when all hex
 *   "eui.", "uuid.", "nvme." NVMe WWIDs, checked and in lower case as by
 *   storvirt__wwid_from_nvme() (also the 127 bytes multipath keeps of an
 *   over-long "nvme." one)
 *   anything else with a character that is not a hex digit (T10 "1…",
 *   page 0x80 "S…", name string "8…", ATA "<model>_<serial>") verbatim,
 *   case kept, when it is printable ASCII or UTF-8 without white space
 * and at most 127 bytes.  Any other all-hex value is -EINVAL: it has no
 * type digit and is not an NAA libStorageMgmt would print (which catches
 * an NAA GUID missing a digit).
 * Ambiguity: a device reporting its NAA designator in ASCII makes scsi_id
 * keep the text (case included); such a WWID is folded to lower case
 * here, and one with an odd number of characters after the '3' is
 * refused, or read as a bare libStorageMgmt NAA when 16 long.
 */
int storvirt__wwid_normalize(const char *guid, char *buf, size_t size);
