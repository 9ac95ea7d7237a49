/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-wwid.c - the device-identity normalizer.
 *
 * Pages are built here designator by designator.  The expected WWIDs
 * follow the rules of systemd's scsi_id
 * (src/udev/scsi_id/scsi_serial.c: id_search_list, check_fill_0x83_id,
 * do_scsi_page80_inquiry; udev_replace_whitespace/udev_replace_chars),
 * the kernel (drivers/scsi/scsi_lib.c scsi_vpd_lun_id() for device/wwid,
 * drivers/nvme/host/sysfs.c wwid_show()) and multipath-tools 0.14
 * (libmultipath/discovery.c get_uid(), parse_vpd_pg83()).  The comment
 * next to each case says which rule decides it.
 *
 * The key property is in test_same_lun_*: one LUN described through
 * every source gives one GUID.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "sys/wwid.h"
#include "util/macro.h"

/* ---- building pages ------------------------------------------------------- */

typedef struct {
        uint8_t b[1024];
        size_t n;
} page_t;

/* Designator byte 1: PIV (0x80), association (0x00 LUN, 0x10 port, 0x20 device), type. */
#define LUN(t) (uint8_t)(t)
#define PORT(t) (uint8_t)(0x90 | (t))
#define DEVICE(t) (uint8_t)(0xa0 | (t))
#define BIN 1
#define ASCII 2
#define UTF8 3

static void pg_init(page_t *p, uint8_t code) {
        memset(p, 0, sizeof(*p));
        p->b[1] = code;
        p->n = 4;
}

/* Sets the page length from what was added. */
static const uint8_t *pg(page_t *p) {
        p->b[2] = (uint8_t)((p->n - 4) >> 8);
        p->b[3] = (uint8_t)((p->n - 4) & 0xff);
        return p->b;
}

static void pg_add(page_t *p, uint8_t codeset, uint8_t b1, const void *id, size_t len) {
        assert_true(p->n + 4 + len <= sizeof(p->b));
        assert_true(len <= 255);
        p->b[p->n] = codeset;
        p->b[p->n + 1] = b1;
        p->b[p->n + 2] = 0;
        p->b[p->n + 3] = (uint8_t)len;
        memcpy(p->b + p->n + 4, id, len);
        p->n += 4 + len;
}

static void pg_add_hex(page_t *p, uint8_t codeset, uint8_t b1, const char *hex) {
        uint8_t id[255];
        size_t n = strlen(hex) / 2;

        assert_true(n <= sizeof(id));
        for (size_t i = 0; i < n; i++) {
                unsigned v;

                assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
                id[i] = (uint8_t)v;
        }
        pg_add(p, codeset, b1, id, n);
}

/* Text designators; SCSI name strings get their NUL and padding to 4. */
static void pg_add_str(page_t *p, uint8_t codeset, uint8_t b1, const char *s) {
        char padded[256] = "";
        size_t n = strlen(s);

        assert_true(n < sizeof(padded) - 4);
        memcpy(padded, s, n);
        if ((b1 & 0xf) == 8)
                n = (n + 4) & ~(size_t)3;
        pg_add(p, codeset, b1, padded, n);
}

/* A page 0x80 with the given serial bytes. */
static const uint8_t *pg80(page_t *p, const void *serial, size_t n) {
        pg_init(p, 0x80);
        memcpy(p->b + 4, serial, n);
        p->n = 4 + n;
        return pg(p);
}

/* ---- assertions ------------------------------------------------------------- */

static void expect_vpd83(const page_t *p, const char *expected) {
        char buf[STORVIRT__WWID_MAX];
        int r = storvirt__wwid_from_vpd83(p->b, p->n, buf, sizeof(buf));

        if (r != 0)
                fail_msg("from_vpd83: %d %s (expected %s)", r, storvirt__error_msg(), expected);
        assert_string_equal(buf, expected);
}

static void expect_scsi(const page_t *p83, const page_t *p80, const char *vendor, const char *model,
                        const char *expected) {
        char buf[STORVIRT__WWID_MAX];
        int r = storvirt__wwid_from_scsi(p83 ? p83->b : NULL, p83 ? p83->n : 0, p80 ? p80->b : NULL,
                                         p80 ? p80->n : 0, vendor, model, buf, sizeof(buf));

        if (r != 0)
                fail_msg("from_scsi: %d %s (expected %s)", r, storvirt__error_msg(), expected);
        assert_string_equal(buf, expected);
}

/* The call fails with err and its message contains part. */
static const char *last_msg(void) {
        const char *m = storvirt__error_msg();

        return m ? m : "";
}

#define expect_fail(call, err, part)                                                       \
        do {                                                                               \
                storvirt__error_reset();                                                   \
                int _r = (call);                                                           \
                if (_r != (err))                                                           \
                        fail_msg("%s: %d, expected %d (%s)", #call, _r, (err), last_msg()); \
                if (!strstr(last_msg(), part))                                             \
                        fail_msg("%s: message '%s' lacks '%s'", #call, last_msg(), part);   \
        } while (0)

static void expect_vpd83_fail(const uint8_t *b, size_t n, int err, const char *part) {
        char buf[STORVIRT__WWID_MAX] = "untouched";

        expect_fail(storvirt__wwid_from_vpd83(b, n, buf, sizeof(buf)), err, part);
        assert_string_equal(buf, "untouched");
}

static void expect_sysfs(const char *in, const char *expected) {
        char buf[STORVIRT__WWID_MAX];
        int r = storvirt__wwid_from_sysfs(in, buf, sizeof(buf));

        if (r != 0)
                fail_msg("from_sysfs(%s): %d %s", in, r, storvirt__error_msg());
        assert_string_equal(buf, expected);
}

static void expect_udev(const char *serial, const char *ext, const char *wwn, const char *expected) {
        char buf[STORVIRT__WWID_MAX];
        int r = storvirt__wwid_from_udev(serial, ext, wwn, buf, sizeof(buf));

        if (r != 0)
                fail_msg("from_udev: %d %s", r, storvirt__error_msg());
        assert_string_equal(buf, expected);
}

static void expect_dm(const char *uuid, const char *expected, unsigned expected_part) {
        char buf[STORVIRT__WWID_MAX];
        unsigned part = 99;
        int r = storvirt__wwid_from_dm_uuid(uuid, buf, sizeof(buf), &part);

        if (r != 0)
                fail_msg("from_dm_uuid(%s): %d %s", uuid, r, storvirt__error_msg());
        assert_string_equal(buf, expected);
        assert_int_equal(part, expected_part);
}

static void expect_nvme(const char *wwid, const char *nguid, const char *eui, const char *uuid,
                        const char *expected) {
        char buf[STORVIRT__WWID_MAX];
        int r = storvirt__wwid_from_nvme(wwid, nguid, eui, uuid, buf, sizeof(buf));

        if (r != 0)
                fail_msg("from_nvme: %d %s", r, storvirt__error_msg());
        assert_string_equal(buf, expected);
}

static void expect_norm(const char *in, const char *expected) {
        char buf[STORVIRT__WWID_MAX], again[STORVIRT__WWID_MAX];
        int r = storvirt__wwid_normalize(in, buf, sizeof(buf));

        if (r != 0)
                fail_msg("normalize(%s): %d %s", in, r, storvirt__error_msg());
        assert_string_equal(buf, expected);
        /* Canonical forms are fixed points. */
        assert_int_equal(storvirt__wwid_normalize(buf, again, sizeof(again)), 0);
        assert_string_equal(again, expected);
}

/* ---- VPD 0x83: one designator of each type ------------------------------------ */

static void test_vpd83_naa(void **state) {
        page_t p;

        (void)state;
        /* NAA 6, IEEE Registered Extended (16 bytes): '3' + 32 lower-case hex. */
        pg_init(&p, 0x83);
        pg_add_hex(&p, BIN, LUN(3), "6001405ABCDEF0123456789ABCDEF012");
        pg(&p);
        expect_vpd83(&p, "36001405abcdef0123456789abcdef012");

        /* NAA 5, IEEE Registered (8 bytes). */
        pg_init(&p, 0x83);
        pg_add_hex(&p, BIN, LUN(3), "5000C500A1B2C3D4");
        pg(&p);
        expect_vpd83(&p, "35000c500a1b2c3d4");

        /* NAA 2, IEEE Extended: found by the "any NAA" entries. */
        pg_init(&p, 0x83);
        pg_add_hex(&p, BIN, LUN(3), "20000025B500000A");
        pg(&p);
        expect_vpd83(&p, "320000025b500000a");

        /* NAA 3, locally assigned. */
        pg_init(&p, 0x83);
        pg_add_hex(&p, BIN, LUN(3), "3A0B0C0D0E0F1011");
        pg(&p);
        expect_vpd83(&p, "33a0b0c0d0e0f1011");

        /* PIV and protocol identifier bits do not matter. */
        pg_init(&p, 0x83);
        pg_add_hex(&p, 0x61, 0x83, "5000C500A1B2C3D4");
        pg(&p);
        expect_vpd83(&p, "35000c500a1b2c3d4");
}

static void test_vpd83_eui64(void **state) {
        page_t p;

        (void)state;
        pg_init(&p, 0x83);
        pg_add_hex(&p, BIN, LUN(2), "0025385B71B0A1C2");
        pg(&p);
        expect_vpd83(&p, "20025385b71b0a1c2");

        pg_init(&p, 0x83);
        pg_add_hex(&p, BIN, LUN(2), "0025385B71B0A1C200000001");
        pg(&p);
        expect_vpd83(&p, "20025385b71b0a1c200000001");

        pg_init(&p, 0x83);
        pg_add_hex(&p, BIN, LUN(2), "6D0946F4A1B2C3D40025385B71B0A1C2");
        pg(&p);
        expect_vpd83(&p, "26d0946f4a1b2c3d40025385b71b0a1c2");
}

static void test_vpd83_t10(void **state) {
        page_t p;

        (void)state;
        /* LIO: "LIO-ORG " + unit serial; the vendor padding becomes one '_'. */
        pg_init(&p, 0x83);
        pg_add_str(&p, ASCII, LUN(1), "LIO-ORG 8c5e2b4f-4c0d-4d3e-9a01-1e2f3a4b5c6d");
        pg(&p);
        expect_vpd83(&p, "1LIO-ORG_8c5e2b4f-4c0d-4d3e-9a01-1e2f3a4b5c6d");

        /* libata SAT: vendor 8, model 40, serial 20, all space-padded. */
        pg_init(&p, 0x83);
        pg_add_str(&p, ASCII, LUN(1),
                   "ATA     VBOX HARDDISK                           VB1234abcd-5678ef90 ");
        pg(&p);
        expect_vpd83(&p, "1ATA_VBOX_HARDDISK_VB1234abcd-5678ef90");

        /* Any isspace() run is one '_'; other disallowed bytes each one '_';
         * "\x", valid UTF-8 and [#+-.:=@_] stay; the id ends at a NUL. */
        pg_init(&p, 0x83);
        pg_add(&p, ASCII, LUN(1), "AC,ME\t\v X/Y \\x41 \xc3\x84 \xff#+=@:\0tail", 31);
        pg(&p);
        expect_vpd83(&p, "1AC_ME_X_Y_\\x41_\xc3\x84__#+=@:");
}

static void test_vpd83_t10_charset(void **state) {
        page_t p;

        (void)state;
        /* 0xff: no UTF-8; 0xc3 ':': bad continuation; ED A0 80: a surrogate;
         * EF BF BE: U+FFFE.  Each byte of a bad sequence becomes '_'. */
        pg_init(&p, 0x83);
        pg_add(&p, ASCII, LUN(1), "A\xff" "B\xc3:" "C\xed\xa0\x80" "D\xef\xbf\xbe" "E", 14);
        pg(&p);
        expect_vpd83(&p, "1A_B_:C___D___E");

        /* Overlong encodings are not valid UTF-8 either. */
        pg_init(&p, 0x83);
        pg_add(&p, ASCII, LUN(1), "X\xc0\xafY\xf0\x9f\x92\xbe", 8);
        pg(&p);
        expect_vpd83(&p, "1X__Y\xf0\x9f\x92\xbe");

        /* Binary-coded T10 id: hex, as scsi_id formats every binary designator. */
        pg_init(&p, 0x83);
        pg_add_hex(&p, BIN, LUN(1), "41434D45");
        pg(&p);
        expect_vpd83(&p, "141434d45");
}

static void test_vpd83_name_string(void **state) {
        page_t p, p80;
        char buf[STORVIRT__WWID_MAX];

        (void)state;
        /* scsi_id never takes a SCSI name string (type 8, UTF-8 code set): udev
         * falls back to page 0x80, and without one multipath parses the page
         * itself, replacing the "iqn." prefix by '8'. */
        pg_init(&p, 0x83);
        pg_add_str(&p, UTF8, LUN(8), "iqn.2003-01.org.linux-iscsi.tgt:lun0");
        pg(&p);
        expect_fail(storvirt__wwid_from_vpd83(p.b, p.n, buf, sizeof(buf)), -ENOENT, "page 0x80");
        expect_scsi(&p, NULL, NULL, NULL, "82003-01.org.linux-iscsi.tgt:lun0");
        pg80(&p80, "SN0042", 6);
        expect_scsi(&p, &p80, "LIO-ORG", "tgt0", "SLIO-ORG_tgt0_SN0042");

        /* "naa." / "eui." name strings become '3' / '2' + the lower-cased value. */
        pg_init(&p, 0x83);
        pg_add_str(&p, UTF8, LUN(8), "naa.6001405ABCDEF0123456789ABCDEF012");
        pg(&p);
        expect_scsi(&p, NULL, NULL, NULL, "36001405abcdef0123456789abcdef012");
        pg_init(&p, 0x83);
        pg_add_str(&p, UTF8, LUN(8), "eui.0025385B71B0A1C2");
        pg(&p);
        expect_scsi(&p, NULL, NULL, NULL, "20025385b71b0a1c2");

        /* Name strings of other forms are not used by anyone. */
        pg_init(&p, 0x83);
        pg_add_str(&p, UTF8, LUN(8), "xyz.whatever");
        pg(&p);
        expect_fail(storvirt__wwid_from_scsi(p.b, p.n, NULL, 0, NULL, NULL, buf, sizeof(buf)), -ENOENT,
                    "neither scsi_id nor multipath");
}

static void test_vpd83_vendor_specific(void **state) {
        page_t p;
        char buf[STORVIRT__WWID_MAX];

        (void)state;
        /* '0' + INQUIRY vendor (8) + product (16) + hex, then udev's whitespace rule. */
        pg_init(&p, 0x83);
        pg_add_hex(&p, BIN, LUN(0), "DEADBEEF");
        pg(&p);
        expect_fail(storvirt__wwid_from_vpd83(p.b, p.n, buf, sizeof(buf)), -ENOENT, "vendor specific");
        expect_scsi(&p, NULL, "ACME", "Widget", "0ACME_Widget_deadbeef");
        /* sysfs shows them padded and with a newline: same result. */
        expect_scsi(&p, NULL, "ACME    \n", "Widget          \n", "0ACME_Widget_deadbeef");
        /* Vendor filling all 8 bytes runs into the product. */
        expect_scsi(&p, NULL, "SEAGATE1", "ST4000", "0SEAGATE1ST4000_deadbeef");
        expect_fail(storvirt__wwid_from_scsi(p.b, p.n, NULL, 0, "TOO-LONG-VENDOR", "x", buf, sizeof(buf)),
                    -EINVAL, "vendor");

        /* ASCII vendor specific id. */
        pg_init(&p, 0x83);
        pg_add_str(&p, ASCII, LUN(0), "VOL 7");
        pg(&p);
        expect_scsi(&p, NULL, "ACME", "Widget", "0ACME_Widget_VOL_7");
}

static void test_vpd83_association(void **state) {
        page_t p;

        (void)state;
        /* Target port and target device designators are ignored, even NAA ones. */
        pg_init(&p, 0x83);
        pg_add_hex(&p, BIN, PORT(3), "6001405000000000000000000000AAAA");
        pg_add_hex(&p, BIN, DEVICE(3), "50014EE0016EB572");
        pg_add_hex(&p, BIN, PORT(4), "00000001");
        pg_add_hex(&p, BIN, PORT(5), "00000002");
        pg_add_str(&p, UTF8, PORT(8), "iqn.2003-01.org.linux-iscsi.tgt,t,0x0001");
        pg_add_str(&p, ASCII, LUN(1), "ACME    LUN7");
        pg(&p);
        expect_vpd83(&p, "1ACME_LUN7");

        /* Reserved association 3 likewise. */
        pg_init(&p, 0x83);
        pg_add_hex(&p, BIN, 0x33, "5000C500A1B2C3D4");
        pg_add_hex(&p, BIN, LUN(2), "0025385B71B0A1C2");
        pg(&p);
        expect_vpd83(&p, "20025385b71b0a1c2");
}

/* ---- VPD 0x83: the right designator out of several ------------------------------ */

static void test_vpd83_preference(void **state) {
        page_t p;

        (void)state;
        /* NAA 6 beats NAA 5 beats EUI-64 beats T10, whatever the page order. */
        pg_init(&p, 0x83);
        pg_add_str(&p, ASCII, LUN(1), "LIO-ORG disk0");
        pg_add_hex(&p, BIN, LUN(2), "0025385B71B0A1C2");
        pg_add_hex(&p, BIN, LUN(3), "5000C500A1B2C3D4");
        pg_add_hex(&p, BIN, LUN(3), "6001405ABCDEF0123456789ABCDEF012");
        pg(&p);
        expect_vpd83(&p, "36001405abcdef0123456789abcdef012");

        /* NAA 5 over a longer EUI-64 (the kernel's device/wwid differs here). */
        pg_init(&p, 0x83);
        pg_add_hex(&p, BIN, LUN(2), "6D0946F4A1B2C3D40025385B71B0A1C2");
        pg_add_hex(&p, BIN, LUN(3), "5000C500A1B2C3D4");
        pg(&p);
        expect_vpd83(&p, "35000c500a1b2c3d4");

        /* NAA 3 (locally assigned) still beats EUI-64 for scsi_id (multipath's
         * own parser would rank it last). */
        pg_init(&p, 0x83);
        pg_add_hex(&p, BIN, LUN(2), "0025385B71B0A1C2");
        pg_add_hex(&p, BIN, LUN(3), "3A0B0C0D0E0F1011");
        pg(&p);
        expect_vpd83(&p, "33a0b0c0d0e0f1011");

        /* Between NAA 2 and NAA 3 the page order decides ("don't care" entry). */
        pg_init(&p, 0x83);
        pg_add_hex(&p, BIN, LUN(3), "3A0B0C0D0E0F1011");
        pg_add_hex(&p, BIN, LUN(3), "20000025B500000A");
        pg(&p);
        expect_vpd83(&p, "33a0b0c0d0e0f1011");

        /* Two NAA 6: the first. */
        pg_init(&p, 0x83);
        pg_add_hex(&p, BIN, LUN(3), "60000000000000000000000000000001");
        pg_add_hex(&p, BIN, LUN(3), "60000000000000000000000000000002");
        pg(&p);
        expect_vpd83(&p, "360000000000000000000000000000001");

        /* Binary before ASCII of the same type. */
        pg_init(&p, 0x83);
        pg_add_str(&p, ASCII, LUN(1), "ACME    ASCII");
        pg_add_hex(&p, BIN, LUN(1), "41434D45");
        pg(&p);
        expect_vpd83(&p, "141434d45");

        /* A UTF-8 coded T10 id is not seen; vendor specific is the last resort
         * and then needs vendor and product. */
        pg_init(&p, 0x83);
        pg_add_str(&p, UTF8, LUN(1), "ACME    UTF8");
        pg_add_hex(&p, BIN, LUN(0), "0102");
        pg(&p);
        expect_scsi(&p, NULL, "ACME", "X", "0ACME_X_0102");
}

static void test_vpd83_ascii_naa(void **state) {
        page_t p;

        (void)state;
        /* An ASCII NAA: the subtype is the high nibble of the first byte, '6'
         * = 0x36 -> 3, so it is not "Registered Extended"; the binary NAA 5
         * wins.  Alone it is copied as text, upper case kept. */
        pg_init(&p, 0x83);
        pg_add_str(&p, ASCII, LUN(3), "6001405ABCDEF0123456789ABCDEF012");
        pg_add_hex(&p, BIN, LUN(3), "5000C500A1B2C3D4");
        pg(&p);
        expect_vpd83(&p, "35000c500a1b2c3d4");

        pg_init(&p, 0x83);
        pg_add_str(&p, ASCII, LUN(3), "6001405ABCDEF0123456789ABCDEF012");
        pg(&p);
        expect_vpd83(&p, "36001405ABCDEF0123456789ABCDEF012");
}

static void test_vpd83_limits(void **state) {
        page_t p;
        uint8_t big[128], filler[200];

        (void)state;
        /* An EUI-64 of 128 bytes would need 259 bytes of serial: scsi_id skips it. */
        memset(big, 0xab, sizeof(big));
        pg_init(&p, 0x83);
        pg_add(&p, BIN, LUN(2), big, sizeof(big));
        pg_add_str(&p, ASCII, LUN(1), "ACME    SMALL");
        pg(&p);
        expect_vpd83(&p, "1ACME_SMALL");

        /* Designators past byte 254 are beyond scsi_id's INQUIRY buffer. */
        memset(filler, 0x11, sizeof(filler));
        pg_init(&p, 0x83);
        pg_add_str(&p, ASCII, LUN(1), "ACME    EARLY");
        pg_add(&p, BIN, PORT(0), filler, sizeof(filler));
        pg_add(&p, BIN, PORT(0), filler, 20);
        assert_true(p.n + 20 > 254);
        pg_add_hex(&p, BIN, LUN(3), "6001405ABCDEF0123456789ABCDEF012");
        pg(&p);
        expect_vpd83(&p, "1ACME_EARLY");

        /* A long T10 id: ID_SERIAL keeps 255 bytes, multipath 127. */
        {
                char id[201], expected[128];

                memset(id, 'A', 200);
                id[200] = '\0';
                id[8] = ' ';
                pg_init(&p, 0x83);
                pg_add_str(&p, ASCII, LUN(1), id);
                pg(&p);
                memset(expected, 'A', 127);
                expected[0] = '1';
                expected[9] = '_';
                expected[127] = '\0';
                expect_vpd83(&p, expected);
        }
}

static void test_vpd83_prespc3(void **state) {
        page_t p;

        (void)state;
        /* EMC Symmetrix SCSI-2 layout: byte 6 is not zero, so the 16 bytes after
         * the header are the id, '3' + hex, no designator parsing. */
        pg_init(&p, 0x83);
        {
                static const uint8_t wwn[16] = { 0x60, 0x06, 0x04, 0x80, 0x00, 0x01, 0x87, 0x00,
                                                 0x12, 0x34, 0x53, 0x30, 0x30, 0x31, 0x41, 0x42 };
                memcpy(p.b + 4, wwn, sizeof(wwn));
                p.n = 20;
        }
        pg(&p);
        expect_vpd83(&p, "360060480000187001234533030314142");
}

/* ---- VPD 0x83: malformed pages ----------------------------------------------------- */

static void test_vpd83_malformed(void **state) {
        page_t p;
        char buf[STORVIRT__WWID_MAX];
        static const uint8_t hdr[4] = { 0x00, 0x83, 0x00, 0x0c };

        (void)state;
        for (size_t n = 0; n < 4; n++)
                expect_vpd83_fail(hdr, n, -EINVAL, "shorter than the 4-byte header");
        expect_fail(storvirt__wwid_from_vpd83(NULL, 4, buf, sizeof(buf)), -EINVAL, "page");

        /* Not page 0x83. */
        pg_init(&p, 0x80);
        pg_add_hex(&p, BIN, LUN(3), "5000C500A1B2C3D4");
        pg(&p);
        expect_vpd83_fail(p.b, p.n, -EINVAL, "offset 1: page code 0x80");

        /* Page length past the buffer (a truncated read). */
        pg_init(&p, 0x83);
        pg_add_hex(&p, BIN, LUN(3), "5000C500A1B2C3D4");
        pg(&p);
        expect_vpd83_fail(p.b, p.n - 1, -EINVAL, "offset 2: page length 12 runs past the 15-byte buffer");

        /* Zero page length. */
        pg_init(&p, 0x83);
        pg(&p);
        expect_vpd83_fail(p.b, p.n, -EINVAL, "offset 2: page length 0");

        /* A designator header cut by the page end. */
        pg_init(&p, 0x83);
        pg_add_hex(&p, BIN, LUN(3), "5000C500A1B2C3D4");
        p.n += 2;
        pg(&p);
        expect_vpd83_fail(p.b, p.n, -EINVAL, "offset 16: designator header runs past the page end at 18");

        /* A designator body past the page end. */
        pg_init(&p, 0x83);
        pg_add_hex(&p, BIN, LUN(3), "5000C500A1B2C3D4");
        pg_add_hex(&p, BIN, LUN(2), "0025385B71B0A1C2");
        p.n -= 3;
        pg(&p);
        expect_vpd83_fail(p.b, p.n, -EINVAL, "offset 16: designator length 8 runs past the page end at 25");

        /* A zero-length designator. */
        pg_init(&p, 0x83);
        pg_add(&p, BIN, LUN(3), "", 0);
        pg_add_hex(&p, BIN, LUN(3), "5000C500A1B2C3D4");
        pg(&p);
        expect_vpd83_fail(p.b, p.n, -EINVAL, "offset 4: designator of length 0");

        /* An id of only spaces (unconfigured LUNs of some arrays) or NULs. */
        pg_init(&p, 0x83);
        pg_add_str(&p, ASCII, LUN(1), "            ");
        pg(&p);
        expect_vpd83_fail(p.b, p.n, -EINVAL, "holds no identifier");
        pg_init(&p, 0x83);
        pg_add(&p, ASCII, LUN(1), "\0\0\0\0", 4);
        pg(&p);
        expect_vpd83_fail(p.b, p.n, -EINVAL, "offset 4");

        /* Pages that give nothing scsi_id uses. */
        pg_init(&p, 0x83);
        pg_add_hex(&p, BIN, PORT(4), "00000001");
        pg(&p);
        expect_vpd83_fail(p.b, p.n, -ENOENT, "no designator scsi_id uses");

        /* Bytes after the page length are ignored. */
        pg_init(&p, 0x83);
        pg_add_hex(&p, BIN, LUN(3), "5000C500A1B2C3D4");
        pg(&p);
        memset(p.b + p.n, 0xff, 8);
        assert_int_equal(storvirt__wwid_from_vpd83(p.b, p.n + 8, buf, sizeof(buf)), 0);
        assert_string_equal(buf, "35000c500a1b2c3d4");

        /* Output buffers that are too small are refused, not overrun. */
        expect_fail(storvirt__wwid_from_vpd83(p.b, p.n, buf, 17), -EINVAL, "does not fit");
        assert_int_equal(storvirt__wwid_from_vpd83(p.b, p.n, buf, 18), 0);
        expect_fail(storvirt__wwid_from_vpd83(p.b, p.n, buf, 0), -EINVAL, "size");
        expect_fail(storvirt__wwid_from_vpd83(p.b, p.n, NULL, 18), -EINVAL, "buf");
}

/* ---- the whole SCSI chain and page 0x80 ------------------------------------------------ */

static void test_scsi_chain(void **state) {
        page_t p, s;
        char buf[STORVIRT__WWID_MAX];

        (void)state;
        /* No page 0x83: "S" + vendor + product + serial, normalised. */
        pg80(&s, "  ABC 123  \0\0", 13);
        expect_scsi(NULL, &s, "ACME    ", "Widget Pro      ", "SACME_Widget_Pro_ABC_123");
        expect_fail(storvirt__wwid_from_scsi(NULL, 0, s.b, s.n, NULL, NULL, buf, sizeof(buf)), -EINVAL,
                    "vendor and product");
        pg80(&s, "    ", 4);
        expect_fail(storvirt__wwid_from_scsi(NULL, 0, s.b, s.n, "A", "B", buf, sizeof(buf)), -EINVAL,
                    "empty unit serial");

        /* Page 0x83 wins over page 0x80. */
        pg_init(&p, 0x83);
        pg_add_hex(&p, BIN, LUN(3), "5000C500A1B2C3D4");
        pg(&p);
        pg80(&s, "ABC", 3);
        expect_scsi(&p, &s, "ACME", "Widget", "35000c500a1b2c3d4");

        /* Neither scsi_id step: multipath's parser, which ignores code sets. */
        pg_init(&p, 0x83);
        pg_add_str(&p, UTF8, LUN(8), "iqn.2003-01.com.example:x");
        pg_add_hex(&p, UTF8, LUN(3), "6001405ABCDEF0123456789ABCDEF012");
        pg(&p);
        expect_scsi(&p, NULL, NULL, NULL, "36001405abcdef0123456789abcdef012");

        /* Its T10 rule: runs of spaces one '_', a leading run too, nothing else changed. */
        pg_init(&p, 0x83);
        pg_add_str(&p, UTF8, LUN(1), "  ACME    DISK\tX,Y   ");
        pg(&p);
        expect_scsi(&p, NULL, NULL, NULL, "1_ACME_DISK\tX,Y");

        /* Its priorities: name string over T10; NAA 3 below both. */
        pg_init(&p, 0x83);
        pg_add_hex(&p, UTF8, LUN(3), "3A0B0C0D0E0F1011");
        pg_add_str(&p, UTF8, LUN(1), "ACME    DISK0001");
        pg_add_str(&p, UTF8, LUN(8), "iqn.2003-01.com.example:y");
        pg(&p);
        expect_scsi(&p, NULL, NULL, NULL, "82003-01.com.example:y");

        /* NAA of the wrong length and short T10 ids are not taken. */
        pg_init(&p, 0x83);
        pg_add_hex(&p, UTF8, LUN(3), "6001405ABCDEF012");
        pg_add_str(&p, UTF8, LUN(1), "SHORT");
        pg(&p);
        expect_fail(storvirt__wwid_from_scsi(p.b, p.n, NULL, 0, NULL, NULL, buf, sizeof(buf)), -ENOENT,
                    "VPD page 0x83 (no page 0x80)");
        expect_fail(storvirt__wwid_from_scsi(NULL, 0, NULL, 0, NULL, NULL, buf, sizeof(buf)), -ENOENT,
                    "without VPD pages");

        /* A malformed page 0x83 is refused before page 0x80 is looked at. */
        pg_init(&p, 0x83);
        pg_add(&p, BIN, LUN(3), "", 0);
        pg(&p);
        expect_fail(storvirt__wwid_from_scsi(p.b, p.n, s.b, s.n, "A", "B", buf, sizeof(buf)), -EINVAL,
                    "length 0");
}

static void test_serial_vpd80(void **state) {
        page_t s;
        char buf[STORVIRT__WWID_MAX];

        (void)state;
        pg80(&s, "  S3Z1NB0K123456A   \0\0\0", 23);
        assert_int_equal(storvirt__serial_from_vpd80(s.b, s.n, buf, sizeof(buf)), 0);
        assert_string_equal(buf, "S3Z1NB0K123456A");

        pg80(&s, "AB 12", 5);
        assert_int_equal(storvirt__serial_from_vpd80(s.b, s.n, buf, sizeof(buf)), 0);
        assert_string_equal(buf, "AB 12");

        pg80(&s, "AB\x01" "12", 5);
        expect_fail(storvirt__serial_from_vpd80(s.b, s.n, buf, sizeof(buf)), -EINVAL,
                    "offset 6: control character 0x01");
        pg80(&s, "   \0x", 5);
        expect_fail(storvirt__serial_from_vpd80(s.b, s.n, buf, sizeof(buf)), -ENOENT, "empty");
        expect_fail(storvirt__serial_from_vpd80(s.b, 3, buf, sizeof(buf)), -EINVAL, "header");
        expect_fail(storvirt__serial_from_vpd80(s.b, s.n - 1, buf, sizeof(buf)), -EINVAL, "past");
        s.b[1] = 0x83;
        expect_fail(storvirt__serial_from_vpd80(s.b, s.n, buf, sizeof(buf)), -EINVAL, "page code 0x83");
        pg80(&s, "ABCDEF", 6);
        expect_fail(storvirt__serial_from_vpd80(s.b, s.n, buf, 6), -EINVAL, "does not fit");
}

/* ---- sysfs device/wwid ----------------------------------------------------------------- */

static void test_sysfs(void **state) {
        char buf[STORVIRT__WWID_MAX];

        (void)state;
        expect_sysfs("naa.6001405abcdef0123456789abcdef012\n", "36001405abcdef0123456789abcdef012");
        expect_sysfs("naa.5000c500a1b2c3d4", "35000c500a1b2c3d4");
        expect_sysfs("eui.0025385b71b0a1c2\n", "20025385b71b0a1c2");
        expect_sysfs("eui.0025385b71b0a1c200000001", "20025385b71b0a1c200000001");
        expect_sysfs("eui.6d0946f4a1b2c3d40025385b71b0a1c2", "26d0946f4a1b2c3d40025385b71b0a1c2");
        /* The kernel prints the T10 id raw (%pE), trailing padding included. */
        expect_sysfs("t10.ATA     VBOX HARDDISK                           VB1234abcd-5678ef90 \n",
                     "1ATA_VBOX_HARDDISK_VB1234abcd-5678ef90");
        expect_sysfs("t10.LIO-ORG 8c5e2b4f-4c0d-4d3e-9a01-1e2f3a4b5c6d",
                     "1LIO-ORG_8c5e2b4f-4c0d-4d3e-9a01-1e2f3a4b5c6d");
        /* A name string spelling an NAA (upper case, per SPC). */
        expect_sysfs("naa.6001405ABCDEF0123456789ABCDEF012", "36001405abcdef0123456789abcdef012");

        expect_fail(storvirt__wwid_from_sysfs("t10.ACME\\011DISK", buf, sizeof(buf)), -EINVAL, "ambiguous");
        expect_fail(storvirt__wwid_from_sysfs("t10.     ", buf, sizeof(buf)), -EINVAL, "empty T10");
        expect_fail(storvirt__wwid_from_sysfs("iqn.2003-01.org.x:y,L,0x1", buf, sizeof(buf)), -ENOENT,
                    "SCSI name string");
        expect_fail(storvirt__wwid_from_sysfs("0x6001405abcdef012", buf, sizeof(buf)), -EINVAL, "unknown form");
        expect_fail(storvirt__wwid_from_sysfs("naa.5000c500a1b2c3", buf, sizeof(buf)), -EINVAL, "16 or 32");
        expect_fail(storvirt__wwid_from_sysfs("eui.0025385b71b0a1cg", buf, sizeof(buf)), -EINVAL, "16, 24 or 32");
        expect_fail(storvirt__wwid_from_sysfs("\n", buf, sizeof(buf)), -EINVAL, "empty");
        expect_fail(storvirt__wwid_from_sysfs(NULL, buf, sizeof(buf)), -EINVAL, "sysfs_wwid");
}

/* ---- udev, dm, NVMe --------------------------------------------------------------------- */

static void test_udev(void **state) {
        char buf[STORVIRT__WWID_MAX], longid[200], cut[128];

        (void)state;
        expect_udev("36001405abcdef0123456789abcdef012", "0x6001405abcdef0123456789abcdef012",
                    "0x6001405abcdef012", "36001405abcdef0123456789abcdef012");
        /* ATA: ID_SERIAL from ata_id is what multipath uses, not ID_WWN. */
        expect_udev("Samsung_SSD_860_EVO_500GB_S3Z1NB0K123456A", NULL, "0x5002538e40a1b2c3",
                    "Samsung_SSD_860_EVO_500GB_S3Z1NB0K123456A");
        expect_udev("", "0x6001405ABCDEF0123456789ABCDEF012", NULL, "36001405abcdef0123456789abcdef012");
        expect_udev(NULL, NULL, "0x5000c500a1b2c3d4", "35000c500a1b2c3d4");
        expect_udev(NULL, "0x5000c500a1b2c3d4", "0x5000c500a1b2c3d4", "35000c500a1b2c3d4");

        expect_fail(storvirt__wwid_from_udev(NULL, NULL, "0x6001405abcdef012", buf, sizeof(buf)), -EINVAL,
                    "first half of an NAA 6");
        expect_fail(storvirt__wwid_from_udev(NULL, NULL, "eui.0025385b71b0a1c2", buf, sizeof(buf)), -EINVAL,
                    "NVMe");
        expect_fail(storvirt__wwid_from_udev(NULL, "0x12", NULL, buf, sizeof(buf)), -EINVAL, "16 or 32");
        expect_fail(storvirt__wwid_from_udev("1ACME DISK", NULL, NULL, buf, sizeof(buf)), -EINVAL,
                    "white space at offset 5");
        expect_fail(storvirt__wwid_from_udev("1ACME\x01", NULL, NULL, buf, sizeof(buf)), -EINVAL,
                    "control character");
        expect_fail(storvirt__wwid_from_udev(NULL, "", NULL, buf, sizeof(buf)), -ENOENT, "none of");

        /* multipath keeps 127 bytes of a longer ID_SERIAL. */
        memset(longid, 'x', sizeof(longid) - 1);
        longid[0] = '1';
        longid[sizeof(longid) - 1] = '\0';
        memcpy(cut, longid, 127);
        cut[127] = '\0';
        expect_udev(longid, NULL, NULL, cut);
}

static void test_dm_uuid(void **state) {
        char buf[STORVIRT__WWID_MAX];

        (void)state;
        expect_dm("mpath-36001405abcdef0123456789abcdef012", "36001405abcdef0123456789abcdef012", 0);
        expect_dm("mpath-36001405abcdef0123456789abcdef012\n", "36001405abcdef0123456789abcdef012", 0);
        expect_dm("part1-mpath-36001405abcdef0123456789abcdef012", "36001405abcdef0123456789abcdef012", 1);
        expect_dm("part12-mpath-1LIO-ORG_disk0", "1LIO-ORG_disk0", 12);
        expect_dm("mpath-eui.0025385b71b0a1c2", "eui.0025385b71b0a1c2", 0);
        assert_int_equal(storvirt__wwid_from_dm_uuid("mpath-35000c500a1b2c3d4", buf, sizeof(buf), NULL), 0);
        assert_string_equal(buf, "35000c500a1b2c3d4");

        /* Other dm devices: -ENOENT. */
        assert_int_equal(storvirt__wwid_from_dm_uuid("LVM-abcdefABCDEF", buf, sizeof(buf), NULL), -ENOENT);
        assert_int_equal(storvirt__wwid_from_dm_uuid("CRYPT-LUKS2-0123-x", buf, sizeof(buf), NULL), -ENOENT);
        assert_int_equal(storvirt__wwid_from_dm_uuid("part1-LVM-abc", buf, sizeof(buf), NULL), -ENOENT);
        assert_int_equal(storvirt__wwid_from_dm_uuid("part0-mpath-3600", buf, sizeof(buf), NULL), -ENOENT);
        assert_int_equal(storvirt__wwid_from_dm_uuid("part01-mpath-3600", buf, sizeof(buf), NULL), -ENOENT);
        assert_int_equal(storvirt__wwid_from_dm_uuid("partx-mpath-3600", buf, sizeof(buf), NULL), -ENOENT);
        assert_int_equal(storvirt__wwid_from_dm_uuid("", buf, sizeof(buf), NULL), -ENOENT);
        assert_int_equal(storvirt__wwid_from_dm_uuid("MPATH-3600", buf, sizeof(buf), NULL), -ENOENT);

        expect_fail(storvirt__wwid_from_dm_uuid("mpath-", buf, sizeof(buf), NULL), -EINVAL, "empty");
        expect_fail(storvirt__wwid_from_dm_uuid("part2-mpath-\n", buf, sizeof(buf), NULL), -EINVAL, "empty");
        expect_fail(storvirt__wwid_from_dm_uuid("mpath-36 00", buf, sizeof(buf), NULL), -EINVAL, "white space");
}

static void test_nvme(void **state) {
        char buf[STORVIRT__WWID_MAX], longw[170], cut[128];

        (void)state;
        /* The sysfs wwid (= udev ID_WWN) as is. */
        expect_nvme("eui.0025388b91b36a4e\n", NULL, NULL, NULL, "eui.0025388b91b36a4e");
        expect_nvme("eui.6d0946f4a1b2c3d40025388b91b36a4e", NULL, NULL, NULL,
                    "eui.6d0946f4a1b2c3d40025388b91b36a4e");
        expect_nvme("uuid.3f2a7b1c-9d4e-4a5b-8c6d-7e8f9a0b1c2d", NULL, NULL, NULL,
                    "uuid.3f2a7b1c-9d4e-4a5b-8c6d-7e8f9a0b1c2d");
        expect_nvme("nvme.1b36-73657269616c31-51454d55204e564d65204374726c-00000001", NULL, NULL, NULL,
                    "nvme.1b36-73657269616c31-51454d55204e564d65204374726c-00000001");
        expect_nvme("EUI.0025388B91B36A4E", NULL, NULL, NULL, "eui.0025388b91b36a4e");

        /* The kernel's choice redone: uuid, else nguid, else eui. */
        expect_nvme(NULL, "6d0946f4-a1b2-c3d4-0025-388b91b36a4e\n", "00 25 38 8b 91 b3 6a 4e\n",
                    "3f2a7b1c-9d4e-4a5b-8c6d-7e8f9a0b1c2d\n", "uuid.3f2a7b1c-9d4e-4a5b-8c6d-7e8f9a0b1c2d");
        /* No UUID: "uuid" shows the NGUID. */
        expect_nvme(NULL, "6d0946f4-a1b2-c3d4-0025-388b91b36a4e", "00 25 38 8b 91 b3 6a 4e",
                    "6d0946f4-a1b2-c3d4-0025-388b91b36a4e", "eui.6d0946f4a1b2c3d40025388b91b36a4e");
        expect_nvme(NULL, NULL, "00 25 38 8b 91 b3 6a 4e\n", NULL, "eui.0025388b91b36a4e");
        expect_nvme(NULL, NULL, "0025388B91B36A4E", NULL, "eui.0025388b91b36a4e");
        /* Both given and agreeing. */
        expect_nvme("eui.0025388b91b36a4e", NULL, "00 25 38 8b 91 b3 6a 4e", NULL, "eui.0025388b91b36a4e");

        expect_fail(storvirt__wwid_from_nvme("eui.0025388b91b36a4f", NULL, "00 25 38 8b 91 b3 6a 4e", NULL,
                                             buf, sizeof(buf)), -EINVAL, "disagrees");
        expect_fail(storvirt__wwid_from_nvme(NULL, NULL, NULL, NULL, buf, sizeof(buf)), -ENOENT, "no wwid");
        expect_fail(storvirt__wwid_from_nvme(NULL, NULL, "00 00 00 00 00 00 00 00", NULL, buf, sizeof(buf)),
                    -ENOENT, "no wwid");
        expect_fail(storvirt__wwid_from_nvme("naa.5000c500a1b2c3d4", NULL, NULL, NULL, buf, sizeof(buf)),
                    -EINVAL, "not the kernel's");
        expect_fail(storvirt__wwid_from_nvme("nvme.1b36-abc-00-00000001", NULL, NULL, NULL, buf, sizeof(buf)),
                    -EINVAL, "not the kernel's");
        expect_fail(storvirt__wwid_from_nvme(NULL, "not-a-uuid", NULL, NULL, buf, sizeof(buf)), -EINVAL,
                    "nguid");
        expect_fail(storvirt__wwid_from_nvme(NULL, NULL, "00 25 38", NULL, buf, sizeof(buf)), -EINVAL,
                    "8 hex bytes");

        /* An over-long nvme. wwid loses the "00" pairs padding serial and model. */
        snprintf(longw, sizeof(longw), "nvme.1b36-%s%s-%s%s-00000001", "53455249414c31", /* SERIAL1 */
                 "0000000000000000000000000000", "4d4f44454c", /* MODEL */
                 "000000000000000000000000000000000000000000000000000000000000000000000000000000");
        assert_true(strlen(longw) >= 128);
        expect_nvme(longw, NULL, NULL, NULL, "nvme.1b36-53455249414c31-4d4f44454c-00000001");
        /* Without such padding it is cut to 127 bytes. */
        memset(longw, '0', sizeof(longw));
        memcpy(longw, "nvme.1b36-", 10);
        memset(longw + 10, 'a', 60);
        longw[70] = '-';
        memset(longw + 71, 'b', 80);
        memcpy(longw + 151, "-00000001", 10);
        memcpy(cut, longw, 127);
        cut[127] = '\0';
        expect_nvme(longw, NULL, NULL, NULL, cut);
}

/* ---- user-given GUIDs --------------------------------------------------------------------- */

static void test_normalize(void **state) {
        char buf[STORVIRT__WWID_MAX];

        (void)state;
        expect_norm("36001405abcdef0123456789abcdef012", "36001405abcdef0123456789abcdef012");
        expect_norm("36001405ABCDEF0123456789ABCDEF012", "36001405abcdef0123456789abcdef012");
        expect_norm("  36001405abcdef0123456789abcdef012\n", "36001405abcdef0123456789abcdef012");
        expect_norm("0x6001405ABCDEF0123456789ABCDEF012", "36001405abcdef0123456789abcdef012");
        expect_norm("0X5000C500A1B2C3D4", "35000c500a1b2c3d4");
        expect_norm("naa.6001405abcdef0123456789abcdef012", "36001405abcdef0123456789abcdef012");
        /* libStorageMgmt's vpd83: no type digit. */
        expect_norm("6001405ABCDEF0123456789ABCDEF012", "36001405abcdef0123456789abcdef012");
        expect_norm("5000c500a1b2c3d4", "35000c500a1b2c3d4");
        expect_norm("20000025b500000a", "320000025b500000a");
        expect_norm("3a0b0c0d0e0f1011", "33a0b0c0d0e0f1011");
        expect_norm("20025385B71B0A1C2", "20025385b71b0a1c2");
        /* Odd NAA lengths scsi_id also prints ("any NAA" entry). */
        expect_norm("350000000000000000000000000000001", "350000000000000000000000000000001");
        /* Verbatim forms keep their case. */
        expect_norm("1LIO-ORG_8c5e2b4f-4c0d-4d3e-9a01-1e2f3a4b5c6d", "1LIO-ORG_8c5e2b4f-4c0d-4d3e-9a01-1e2f3a4b5c6d");
        expect_norm("141434D45", "141434D45");
        expect_norm("1A", "1A");
        expect_norm("0DEADBEEF", "0DEADBEEF");
        expect_norm("SACME_Widget_ABC123", "SACME_Widget_ABC123");
        expect_norm("82003-01.org.linux-iscsi.tgt:lun0", "82003-01.org.linux-iscsi.tgt:lun0");
        expect_norm("Samsung_SSD_860_EVO_500GB_S3Z1NB0K123456A", "Samsung_SSD_860_EVO_500GB_S3Z1NB0K123456A");
        expect_norm("1X\xc3\x84Y", "1X\xc3\x84Y");
        /* NVMe. */
        expect_norm("eui.0025388B91B36A4E", "eui.0025388b91b36a4e");
        expect_norm("UUID.3F2A7B1C-9D4E-4A5B-8C6D-7E8F9A0B1C2D", "uuid.3f2a7b1c-9d4e-4a5b-8c6d-7e8f9a0b1c2d");

        expect_fail(storvirt__wwid_normalize("", buf, sizeof(buf)), -EINVAL, "empty");
        expect_fail(storvirt__wwid_normalize("   ", buf, sizeof(buf)), -EINVAL, "empty");
        expect_fail(storvirt__wwid_normalize("0x6001405abcdef012", buf, sizeof(buf)), -EINVAL, "NAA 6");
        expect_fail(storvirt__wwid_normalize("0x600140", buf, sizeof(buf)), -EINVAL, "16 or 32");
        expect_fail(storvirt__wwid_normalize("6001405abcdef012", buf, sizeof(buf)), -EINVAL, "no known form");
        expect_fail(storvirt__wwid_normalize("5000c500a1b2c3d4ab", buf, sizeof(buf)), -EINVAL, "no known form");
        expect_fail(storvirt__wwid_normalize("36001405abcdef0123456789abcdef01", buf, sizeof(buf)), -EINVAL,
                    "no known form");
        expect_fail(storvirt__wwid_normalize("1ACME DISK", buf, sizeof(buf)), -EINVAL, "white space at offset 5");
        expect_fail(storvirt__wwid_normalize("1ACME\x7f", buf, sizeof(buf)), -EINVAL, "control character");
        expect_fail(storvirt__wwid_normalize("1ACME\xff", buf, sizeof(buf)), -EINVAL, "invalid UTF-8");
        expect_fail(storvirt__wwid_normalize("eui.xyz", buf, sizeof(buf)), -EINVAL, "NVMe wwid");
        expect_fail(storvirt__wwid_normalize(NULL, buf, sizeof(buf)), -EINVAL, "guid");
        {
                char longg[200];

                memset(longg, 'A', sizeof(longg) - 1);
                longg[0] = 'S';
                longg[sizeof(longg) - 1] = '\0';
                expect_fail(storvirt__wwid_normalize(longg, buf, sizeof(buf)), -EINVAL, "longer than 127");
        }
}

/* ---- THE KEY PROPERTY: one LUN, every source, one GUID ------------------------------------- */

typedef struct {
        const char *name;
        void (*build83)(page_t *p);
        const char *sysfs_wwid;  /* device/wwid, NULL to skip */
        const char *id_serial, *id_wwn_with_ext, *id_wwn;
        const char *dm_uuid;
        const char *lsm_vpd83;   /* libStorageMgmt's form, NULL when not NAA */
        const char *guid;
} scsi_lun;

/* LIO (targetcli) iSCSI LUN: NAA 6 + T10 + port designators + LU group. */
static void build_lio(page_t *p) {
        pg_init(p, 0x83);
        pg_add_hex(p, BIN, LUN(3), "6001405F6E1AD3B0C5A4D0A96D1D6D3C");
        pg_add_str(p, ASCII, LUN(1), "LIO-ORG f6e1ad3b-0c5a-4d0a-96d1-d6d3c0e2a1b4");
        pg_add_hex(p, 0x51, PORT(4), "00000001");
        pg_add_hex(p, 0x51, PORT(5), "00000000");
        pg_add_hex(p, BIN, LUN(6), "00000000");
        pg_add_str(p, 0x53, PORT(8), "iqn.2003-01.org.linux-iscsi.host:sn.1a2b3c,t,0x0001");
        pg_add_str(p, 0x53, DEVICE(8), "iqn.2003-01.org.linux-iscsi.host:sn.1a2b3c");
        pg(p);
}

/* FC array LUN: NAA 5 + target port WWPN + relative port. */
static void build_fc_naa5(page_t *p) {
        pg_init(p, 0x83);
        pg_add_hex(p, BIN, LUN(3), "50002AC000C10D9F");
        pg_add_hex(p, 0x01, PORT(3), "20210002AC000D9F");
        pg_add_hex(p, 0x01, PORT(4), "00000121");
        pg(p);
}

/* SAS SSD: NAA 5 only (the usual enterprise disk). */
static void build_sas(page_t *p) {
        pg_init(p, 0x83);
        pg_add_hex(p, BIN, LUN(3), "5000CCA0123ABCDE");
        pg_add_hex(p, 0x61, PORT(3), "5000CCA0123ABCDD");
        pg_add_hex(p, 0x61, DEVICE(3), "5000CCA0123ABCDF");
        pg(p);
}

/* A LUN identified by a 16-byte EUI-64 only. */
static void build_eui(page_t *p) {
        pg_init(p, 0x83);
        pg_add_hex(p, BIN, LUN(2), "6D0946F4A1B2C3D40025385B71B0A1C2");
        pg(p);
}

/* A LUN with a T10 vendor id only (space padded). */
static void build_t10(page_t *p) {
        pg_init(p, 0x83);
        pg_add_str(p, ASCII, LUN(1), "ACME    DISK            SER0001   ");
        pg(p);
}

/* NAA 6 next to a name string the kernel prefers for device/wwid when
 * it spells the same NAA: both paths give one GUID. */
static void build_naa_name(page_t *p) {
        pg_init(p, 0x83);
        pg_add_hex(p, BIN, LUN(3), "60A98000383035537824474D3936556A");
        pg_add_str(p, UTF8, LUN(8), "naa.60A98000383035537824474D3936556A");
        pg(p);
}

static const scsi_lun scsi_luns[] = {
        { "LIO iSCSI", build_lio, "naa.6001405f6e1ad3b0c5a4d0a96d1d6d3c\n",
          "36001405f6e1ad3b0c5a4d0a96d1d6d3c", "0x6001405f6e1ad3b0c5a4d0a96d1d6d3c", "0x6001405f6e1ad3b0",
          "mpath-36001405f6e1ad3b0c5a4d0a96d1d6d3c\n", "6001405F6E1AD3B0C5A4D0A96D1D6D3C",
          "36001405f6e1ad3b0c5a4d0a96d1d6d3c" },
        { "FC NAA 5", build_fc_naa5, "naa.50002ac000c10d9f", "350002ac000c10d9f", "0x50002ac000c10d9f",
          "0x50002ac000c10d9f", "mpath-350002ac000c10d9f", "50002ac000c10d9f", "350002ac000c10d9f" },
        { "SAS", build_sas, "naa.5000cca0123abcde\n", "35000cca0123abcde", NULL, "0x5000cca0123abcde",
          "part3-mpath-35000cca0123abcde", "5000CCA0123ABCDE", "35000cca0123abcde" },
        { "EUI-64", build_eui, "eui.6d0946f4a1b2c3d40025385b71b0a1c2\n", "26d0946f4a1b2c3d40025385b71b0a1c2",
          NULL, NULL, "mpath-26d0946f4a1b2c3d40025385b71b0a1c2", NULL, "26d0946f4a1b2c3d40025385b71b0a1c2" },
        { "T10", build_t10, "t10.ACME    DISK            SER0001   \n", "1ACME_DISK_SER0001", NULL, NULL,
          "mpath-1ACME_DISK_SER0001", NULL, "1ACME_DISK_SER0001" },
        { "NAA 6 + name string", build_naa_name, "naa.60A98000383035537824474D3936556A",
          "360a98000383035537824474d3936556a", "0x60a98000383035537824474d3936556a", "0x60a9800038303553",
          "mpath-360a98000383035537824474d3936556a", "60a98000383035537824474d3936556a",
          "360a98000383035537824474d3936556a" },
};

static void test_same_lun_scsi(void **state) {
        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(scsi_luns); i++) {
                const scsi_lun *l = &scsi_luns[i];
                char buf[STORVIRT__WWID_MAX];
                unsigned part;
                page_t p;

                print_message("LUN %s\n", l->name);
                l->build83(&p);
                expect_vpd83(&p, l->guid);
                expect_scsi(&p, NULL, "VENDOR", "PRODUCT", l->guid);
                expect_sysfs(l->sysfs_wwid, l->guid);
                expect_udev(l->id_serial, l->id_wwn_with_ext, l->id_wwn, l->guid);
                if (l->id_wwn_with_ext || l->id_wwn)
                        expect_udev(NULL, l->id_wwn_with_ext, l->id_wwn, l->guid);
                assert_int_equal(storvirt__wwid_from_dm_uuid(l->dm_uuid, buf, sizeof(buf), &part), 0);
                assert_string_equal(buf, l->guid);
                if (l->lsm_vpd83)
                        expect_norm(l->lsm_vpd83, l->guid);
                expect_norm(l->guid, l->guid);
        }
}

typedef struct {
        const char *name;
        const char *wwid, *nguid, *eui, *uuid;  /* sysfs attributes, NULL = absent */
        const char *id_wwn;                      /* udev */
        const char *dm_uuid;
        const char *guid;
} nvme_ns;

static const nvme_ns nvme_nss[] = {
        { "NGUID + EUI-64 (SSD)", "eui.6d0946f4a1b2c3d40025388b91b36a4e\n",
          "6d0946f4-a1b2-c3d4-0025-388b91b36a4e\n", "00 25 38 8b 91 b3 6a 4e\n",
          "6d0946f4-a1b2-c3d4-0025-388b91b36a4e\n", "eui.6d0946f4a1b2c3d40025388b91b36a4e",
          "mpath-eui.6d0946f4a1b2c3d40025388b91b36a4e", "eui.6d0946f4a1b2c3d40025388b91b36a4e" },
        { "UUID (NVMe-oF target)", "uuid.3f2a7b1c-9d4e-4a5b-8c6d-7e8f9a0b1c2d\n",
          "5a4b3c2d-1e0f-4a5b-8c6d-7e8f9a0b1c2d\n", NULL, "3f2a7b1c-9d4e-4a5b-8c6d-7e8f9a0b1c2d\n",
          "uuid.3f2a7b1c-9d4e-4a5b-8c6d-7e8f9a0b1c2d", "mpath-uuid.3f2a7b1c-9d4e-4a5b-8c6d-7e8f9a0b1c2d",
          "uuid.3f2a7b1c-9d4e-4a5b-8c6d-7e8f9a0b1c2d" },
        { "EUI-64 only", "eui.0025388b91b36a4e\n", NULL, "00 25 38 8b 91 b3 6a 4e\n", NULL,
          "eui.0025388b91b36a4e", "part1-mpath-eui.0025388b91b36a4e", "eui.0025388b91b36a4e" },
        { "no ids (QEMU)", "nvme.1b36-73657269616c31-51454d55204e564d65204374726c-00000001\n", NULL, NULL,
          NULL, "nvme.1b36-73657269616c31-51454d55204e564d65204374726c-00000001",
          "mpath-nvme.1b36-73657269616c31-51454d55204e564d65204374726c-00000001",
          "nvme.1b36-73657269616c31-51454d55204e564d65204374726c-00000001" },
};

static void test_same_lun_nvme(void **state) {
        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(nvme_nss); i++) {
                const nvme_ns *ns = &nvme_nss[i];
                char buf[STORVIRT__WWID_MAX];
                unsigned part;

                print_message("namespace %s\n", ns->name);
                expect_nvme(ns->wwid, ns->nguid, ns->eui, ns->uuid, ns->guid);
                expect_nvme(ns->id_wwn, NULL, NULL, NULL, ns->guid);
                if (ns->nguid || ns->eui || ns->uuid)
                        expect_nvme(NULL, ns->nguid, ns->eui, ns->uuid, ns->guid);
                assert_int_equal(storvirt__wwid_from_dm_uuid(ns->dm_uuid, buf, sizeof(buf), &part), 0);
                assert_string_equal(buf, ns->guid);
                expect_norm(ns->guid, ns->guid);
        }
}

/* Where the kernel's device/wwid is NOT multipath's WWID: documented, not hidden. */
static void test_sysfs_disagrees(void **state) {
        page_t p;
        char buf[STORVIRT__WWID_MAX];

        (void)state;
        /* NAA 5 + 16-byte EUI-64: the kernel prints the longer EUI-64, scsi_id
         * (and so multipath) takes the NAA. */
        pg_init(&p, 0x83);
        pg_add_hex(&p, BIN, LUN(3), "5000C500A1B2C3D4");
        pg_add_hex(&p, BIN, LUN(2), "6D0946F4A1B2C3D40025385B71B0A1C2");
        pg(&p);
        expect_vpd83(&p, "35000c500a1b2c3d4");
        assert_int_equal(storvirt__wwid_from_sysfs("eui.6d0946f4a1b2c3d40025385b71b0a1c2", buf, sizeof(buf)), 0);
        assert_string_not_equal(buf, "35000c500a1b2c3d4");

        /* An iSCSI name string as the LUN's longest designator: the kernel shows
         * it; scsi_id takes the T10 id.  from_sysfs refuses to guess. */
        pg_init(&p, 0x83);
        pg_add_str(&p, ASCII, LUN(1), "ACME    LUN0");
        pg_add_str(&p, UTF8, LUN(8), "iqn.2003-01.com.example:storage,L,0x0000000000000000");
        pg(&p);
        expect_vpd83(&p, "1ACME_LUN0");
        expect_fail(storvirt__wwid_from_sysfs("iqn.2003-01.com.example:storage,L,0x0000000000000000", buf,
                                              sizeof(buf)), -ENOENT, "vpd_pg83");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_vpd83_naa),
                cmocka_unit_test(test_vpd83_eui64),
                cmocka_unit_test(test_vpd83_t10),
                cmocka_unit_test(test_vpd83_t10_charset),
                cmocka_unit_test(test_vpd83_name_string),
                cmocka_unit_test(test_vpd83_vendor_specific),
                cmocka_unit_test(test_vpd83_association),
                cmocka_unit_test(test_vpd83_preference),
                cmocka_unit_test(test_vpd83_ascii_naa),
                cmocka_unit_test(test_vpd83_limits),
                cmocka_unit_test(test_vpd83_prespc3),
                cmocka_unit_test(test_vpd83_malformed),
                cmocka_unit_test(test_scsi_chain),
                cmocka_unit_test(test_serial_vpd80),
                cmocka_unit_test(test_sysfs),
                cmocka_unit_test(test_udev),
                cmocka_unit_test(test_dm_uuid),
                cmocka_unit_test(test_nvme),
                cmocka_unit_test(test_normalize),
                cmocka_unit_test(test_same_lun_scsi),
                cmocka_unit_test(test_same_lun_nvme),
                cmocka_unit_test(test_sysfs_disagrees),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
