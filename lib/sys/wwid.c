/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * wwid.c - the device-identity normalizer: the WWID multipath names a
 * map with, computed from sysfs, VPD pages 0x83/0x80, udev properties,
 * device-mapper uuids and NVMe attributes.  The rules and where they
 * come from are in wwid.h; this file only implements them.  Nothing here
 * allocates or does I/O: all work happens in fixed stack buffers.
 */
#include <stdio.h>
#include <string.h>

#include "sys/wwid.h"
#include "util/macro.h"

/* scsi_id: INQUIRY allocation length and its serial buffer (MAX_SERIAL_LEN). */
#define SCSI_ID_INQ_LEN 254u
#define SCSI_ID_SERIAL_LEN 256u
/* multipath: WWID_SIZE (so 127 bytes of WWID) and VPD_BUFLEN. */
#define MPATH_WWID_SIZE 128u
#define MPATH_VPD_BUFLEN 4096u
#define VENDOR_LEN 8u
#define MODEL_LEN 16u

/* Designator types and code sets of SPC-4 7.8.6 (device identification VPD page). */
enum {
        DESIG_VENDOR = 0x0,
        DESIG_T10 = 0x1,
        DESIG_EUI64 = 0x2,
        DESIG_NAA = 0x3,
        DESIG_NAME = 0x8,
        CODESET_BINARY = 1,
        CODESET_ASCII = 2,
        NAA_ANY = 0xff,
};

/* Enough for any intermediate string: scsi_id's serial is < 256 bytes. */
#define WORK_LEN 512u

static const char hexdigits[] = "0123456789abcdef";

/* ---- small helpers ------------------------------------------------------ */

/*
 * A value for an error message: at most 96 bytes of it, non-printable
 * bytes as \xHH, "…" when cut.  out must hold 4 * 96 + 8 bytes.
 */
#define QUOTE_MAX 96u
#define QUOTE_BUF (4u * QUOTE_MAX + 8u)
static const char *quote_n(const char *s, size_t n, char *out) {
        size_t j = 0, i;

        for (i = 0; i < n && i < QUOTE_MAX; i++) {
                unsigned char c = (unsigned char)s[i];

                if (c >= 0x20 && c < 0x7f && c != '\\')
                        out[j++] = (char)c;
                else
                        j += (size_t)sprintf(out + j, "\\x%02x", c);
        }
        if (i < n)
                j += (size_t)sprintf(out + j, "...");
        out[j] = '\0';
        return out;
}

static const char *quote(const char *s, char *out) {
        return quote_n(s, strnlen(s, QUOTE_MAX + 1), out);
}

/* Locale-independent: the tools whose output is matched run in the C locale. */
static bool ascii_isspace(unsigned char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool ascii_isxdigit(unsigned char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_hex_str(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (!ascii_isxdigit((unsigned char)s[i]))
                        return false;
        return true;
}

static void lower_ascii(char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (s[i] >= 'A' && s[i] <= 'Z')
                        s[i] = (char)(s[i] - 'A' + 'a');
}

static size_t put_hex(char *out, const uint8_t *p, size_t n) {
        for (size_t i = 0; i < n; i++) {
                out[2 * i] = hexdigits[p[i] >> 4];
                out[2 * i + 1] = hexdigits[p[i] & 0xf];
        }
        out[2 * n] = '\0';
        return 2 * n;
}

/* "" and NULL both mean absent, as for udev properties and sysfs files. */
static bool absent(const char *s) {
        return !s || !*s;
}

/* Length of s without one trailing "\n" (sysfs attributes end in one). */
static size_t chomp_len(const char *s) {
        size_t n = strlen(s);

        if (n > 0 && s[n - 1] == '\n')
                n--;
        return n;
}

/* Copies the result out: buf is written only on success. */
static int emit(const char *what, const char *s, size_t n, char *buf, size_t size) {
        if (n + 1 > size)
                return storvirt__error_set(-EINVAL,
                        "%s: the %zu-byte WWID does not fit a buffer of %zu bytes",
                        what, n, size);
        memcpy(buf, s, n);
        buf[n] = '\0';
        return 0;
}

static int check_out(char *buf, size_t size) {
        check_arg(buf != NULL, "buf", "must not be NULL");
        check_arg(size > 0, "size", "must not be 0");
        return 0;
}

/* ---- udev's normalisation (udev_replace_whitespace + _chars) ------------ */

/*
 * Length of the valid UTF-8 multi-byte sequence at s (NUL-terminated),
 * 0 if there is none: well-formed, shortest form, a scalar value below
 * U+110000 that is no surrogate, no U+FDD0..U+FDEF and no U+xxFFFE/F.
 */
static size_t utf8_seq_len(const unsigned char *s) {
        size_t len;
        uint32_t c;

        if (s[0] < 0xc0)
                return 0;
        len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : s[0] < 0xf8 ? 4 : 0;
        if (len == 0)
                return 0;
        c = s[0] & (0x7fu >> len);
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                c = (c << 6) | (s[i] & 0x3f);
        }
        if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) || (len == 4 && c < 0x10000))
                return 0;
        if (c >= 0x110000 || (c >= 0xd800 && c <= 0xdfff) || (c >= 0xfdd0 && c <= 0xfdef) ||
            (c & 0xfffe) == 0xfffe)
                return 0;
        return len;
}

static bool udev_plain_char(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
               (c != '\0' && strchr("#+-.:=@_", c));
}

/*
 * What scsi_id prints as ID_SERIAL for the serial in: at most 255 bytes
 * read; leading " \t\n\r" dropped; every run of isspace() bytes one '_',
 * none at the end; then every byte that is not [0-9A-Za-z#+-.:=@_], part
 * of a "\x" pair or of valid UTF-8 becomes '_'.  out: WORK_LEN bytes.
 */
static size_t udev_normalize(const char *in, char *out) {
        size_t i = strspn(in, " \t\n\r"), j = 0, limit = SCSI_ID_SERIAL_LEN - 1;
        bool space = false;

        for (; j < limit && i < limit && in[i] != '\0'; i++) {
                if (ascii_isspace((unsigned char)in[i])) {
                        space = true;
                        continue;
                }
                if (space) {
                        if (j + 1 >= limit)
                                break;
                        out[j++] = '_';
                        space = false;
                }
                out[j++] = in[i];
        }
        out[j] = '\0';

        for (i = 0; i < j;) {
                size_t l;

                if (udev_plain_char(out[i])) {
                        i++;
                } else if (out[i] == '\\' && out[i + 1] == 'x') {
                        i += 2;
                } else if ((l = utf8_seq_len((const unsigned char *)out + i)) > 1) {
                        i += l;
                } else {
                        out[i] = '_';
                        i++;
                }
        }
        return j;
}

/* ---- multipath's limit (get_udev_uid(), get_uid()) ---------------------- */

/* Drops "00" pairs right before *end; returns the new end. */
static char *drop_zero_pairs(char *start, size_t *len, char *end) {
        char *p = end;

        while (p >= start + 2 && p[-1] == '0' && p[-2] == '0')
                p -= 2;
        if (p != end) {
                memmove(p, end, (size_t)(start + *len + 1 - end));
                *len -= (size_t)(end - p);
        }
        return p;
}

static char *last_dash(char *s, size_t n) {
        return memrchr(s, '-', n);
}

/*
 * An over-long "nvme.VVVV-<serial>-<model>-<nsid>" without the hex NUL
 * pairs padding serial and model, if that makes it fit: its new length,
 * else 0 (s unchanged).
 */
static size_t nvme_shorten(char *s, size_t len) {
        char m[256], *p, *q;

        if (len >= sizeof(m) || strncmp(s, "nvme.", 5) != 0 || s[9] != '-' || !is_hex_str(s + 5, 4))
                return 0;
        memcpy(m, s, len + 1);
        p = last_dash(m, len);
        if (!p)
                return 0;
        p = drop_zero_pairs(m, &len, p);
        q = last_dash(m, (size_t)(p - m));
        if (!q || last_dash(m, (size_t)(q - m)) != m + 9)
                return 0;
        drop_zero_pairs(m, &len, q);
        if (len >= MPATH_WWID_SIZE)
                return 0;
        memcpy(s, m, len + 1);
        return len;
}

/* The WWID multipath keeps of uid s (in place): at most 127 bytes, no trailing blanks. */
static size_t mpath_limit(char *s, size_t len) {
        if (len >= MPATH_WWID_SIZE) {
                size_t l = nvme_shorten(s, len);

                if (l > 0)
                        len = l;
                else
                        s[len = MPATH_WWID_SIZE - 1] = '\0';
        }
        while (len > 0 && s[len - 1] == ' ')
                s[--len] = '\0';
        return len;
}

/* ---- VPD page checks ------------------------------------------------------ */

static unsigned be16(const uint8_t *p) {
        return ((unsigned)p[0] << 8) | p[1];
}

/* Header of VPD page pg; *ret_end = 4 + page length. */
static int vpd_check_header(const uint8_t *page, size_t len, uint8_t pg, size_t *ret_end) {
        unsigned plen;

        if (!page)
                return storvirt__error_set(-EINVAL, "VPD page 0x%02x: no data", pg);
        if (len < 4)
                return storvirt__error_set(-EINVAL,
                        "VPD page 0x%02x: offset 0: %zu bytes, shorter than the 4-byte header",
                        pg, len);
        if (page[1] != pg)
                return storvirt__error_set(-EINVAL,
                        "VPD page 0x%02x: offset 1: page code 0x%02x, not 0x%02x", pg, page[1], pg);
        plen = be16(page + 2);
        if (plen == 0)
                return storvirt__error_set(-EINVAL,
                        "VPD page 0x%02x: offset 2: page length 0: the page is empty", pg);
        if (4u + plen > len)
                return storvirt__error_set(-EINVAL,
                        "VPD page 0x%02x: offset 2: page length %u runs past the %zu-byte buffer",
                        pg, plen, len);
        *ret_end = 4u + plen;
        return 0;
}

/* Every designator header and body inside the page, none of length 0. */
static int vpd83_check_designators(const uint8_t *page, size_t end) {
        size_t off = 4;

        while (off < end) {
                unsigned dlen;

                if (end - off < 4)
                        return storvirt__error_set(-EINVAL,
                                "VPD page 0x83: offset %zu: designator header runs past the page end at %zu",
                                off, end);
                dlen = page[off + 3];
                if (dlen == 0)
                        return storvirt__error_set(-EINVAL,
                                "VPD page 0x83: offset %zu: designator of length 0", off);
                if (off + 4 + dlen > end)
                        return storvirt__error_set(-EINVAL,
                                "VPD page 0x83: offset %zu: designator length %u runs past the page end at %zu",
                                off, dlen, end);
                off += 4 + dlen;
        }
        return 0;
}

/* Header and layout; *ret_prespc3 for the SCSI-2 layout scsi_id knows. */
static int vpd83_check(const uint8_t *page, size_t len, size_t *ret_end, bool *ret_prespc3) {
        int r = vpd_check_header(page, len, 0x83, ret_end);

        if (r < 0)
                return r;
        /* scsi_id: byte 6 (reserved in SPC-2/3) not zero means SCSI-2 format. */
        *ret_prespc3 = *ret_end > 6 && page[6] != 0;
        if (*ret_prespc3)
                return 0;
        return vpd83_check_designators(page, *ret_end);
}

/* ---- scsi_id on page 0x83 ------------------------------------------------- */

static const struct {
        uint8_t type, naa, codeset;
} scsi_id_order[] = {
        { DESIG_NAA, 6, CODESET_BINARY },         { DESIG_NAA, 6, CODESET_ASCII },
        { DESIG_NAA, 5, CODESET_BINARY },         { DESIG_NAA, 5, CODESET_ASCII },
        { DESIG_NAA, NAA_ANY, CODESET_BINARY },   { DESIG_NAA, NAA_ANY, CODESET_ASCII },
        { DESIG_EUI64, NAA_ANY, CODESET_BINARY }, { DESIG_EUI64, NAA_ANY, CODESET_ASCII },
        { DESIG_T10, NAA_ANY, CODESET_BINARY },   { DESIG_T10, NAA_ANY, CODESET_ASCII },
        { DESIG_VENDOR, NAA_ANY, CODESET_BINARY }, { DESIG_VENDOR, NAA_ANY, CODESET_ASCII },
};

static bool scsi_id_matches(const uint8_t *d, size_t k) {
        unsigned flen;

        if ((d[1] & 0x30) != 0 || (d[1] & 0xf) != scsi_id_order[k].type)
                return false;
        if (scsi_id_order[k].naa != NAA_ANY && (d[4] >> 4) != scsi_id_order[k].naa)
                return false;
        if ((d[0] & 0xf) != scsi_id_order[k].codeset)
                return false;
        /* The formatted id, its type digit and NUL must fit the serial buffer. */
        flen = d[3] * (scsi_id_order[k].codeset == CODESET_ASCII ? 1u : 2u) + 2u;
        if (scsi_id_order[k].type == DESIG_VENDOR)
                flen += VENDOR_LEN + MODEL_LEN;
        return flen <= SCSI_ID_SERIAL_LEN;
}

/* The designator scsi_id takes (page validated, SPC layout), or NULL. */
static const uint8_t *scsi_id_pick(const uint8_t *page, size_t end) {
        for (size_t k = 0; k < ELEMENTSOF(scsi_id_order); k++)
                for (size_t off = 4; off < end; off += 4u + page[off + 3]) {
                        /* Past its 254-byte INQUIRY buffer scsi_id sees nothing defined. */
                        if (off + 4u + page[off + 3] > SCSI_ID_INQ_LEN)
                                break;
                        if (scsi_id_matches(page + off, k))
                                return page + off;
                }
        return NULL;
}

/* Appends n bytes up to the first NUL; true if any is not white space. */
static bool append_text(char *s, size_t *j, const uint8_t *p, size_t n) {
        bool content = false;

        for (size_t i = 0; i < n && p[i] != '\0'; i++) {
                s[(*j)++] = (char)p[i];
                content = content || !ascii_isspace(p[i]);
        }
        s[*j] = '\0';
        return content;
}

/* Vendor and product as scsi_id reads them from INQUIRY: 8 + 16 bytes. */
static int put_vendor_model(char *s, size_t *j, const char *vendor, const char *model) {
        size_t vn = chomp_len(vendor), mn = chomp_len(model);
        char q[QUOTE_BUF];

        if (vn > VENDOR_LEN)
                return storvirt__error_set(-EINVAL, "INQUIRY vendor '%s': longer than %u bytes",
                                           quote_n(vendor, vn, q), VENDOR_LEN);
        if (mn > MODEL_LEN)
                return storvirt__error_set(-EINVAL, "INQUIRY product '%s': longer than %u bytes",
                                           quote_n(model, mn, q), MODEL_LEN);
        memset(s + *j, ' ', VENDOR_LEN + MODEL_LEN);
        memcpy(s + *j, vendor, vn);
        memcpy(s + *j + VENDOR_LEN, model, mn);
        *j += VENDOR_LEN + MODEL_LEN;
        s[*j] = '\0';
        return 0;
}

/* ID_SERIAL from designator d; vendor and model needed for type 0. */
static int scsi_id_format(const uint8_t *page, const uint8_t *d, const char *vendor,
                          const char *model, char *out, size_t *ret_len) {
        char serial[WORK_LEN];
        size_t j = 0;
        unsigned type = d[1] & 0xf;
        int r;

        serial[j++] = hexdigits[type];
        if (type == DESIG_VENDOR) {
                if (!vendor || !model)
                        return storvirt__error_set(-ENOENT,
                                "VPD page 0x83: offset %zu: scsi_id uses the vendor specific designator, "
                                "which needs the INQUIRY vendor and product",
                                (size_t)(d - page));
                r = put_vendor_model(serial, &j, vendor, model);
                if (r < 0)
                        return r;
        }
        if ((d[0] & 0xf) == CODESET_ASCII) {
                if (!append_text(serial, &j, d + 4, d[3]))
                        return storvirt__error_set(-EINVAL,
                                "VPD page 0x83: offset %zu: designator type %u holds no identifier "
                                "(empty or only white space)", (size_t)(d - page), type);
        } else
                j += put_hex(serial + j, d + 4, d[3]);
        *ret_len = mpath_limit(out, udev_normalize(serial, out));
        return 0;
}

/* SCSI-2 layout: '3' + hex of at most 126 of the page[3] bytes after the header. */
static size_t scsi_id_prespc3(const uint8_t *page, char *out) {
        size_t n = page[3] < 126 ? page[3] : 126;

        out[0] = '3';
        return mpath_limit(out, 1 + put_hex(out + 1, page + 4, n));
}

/*
 * scsi_id on page 0x83: 0 with the id in out, 1 when it takes none,
 * -errno.  out: WORK_LEN bytes.
 */
static int scsi_id_vpd83(const uint8_t *page, size_t len, const char *vendor, const char *model,
                         char *out, size_t *ret_len) {
        const uint8_t *d;
        bool prespc3;
        size_t end;
        int r;

        r = vpd83_check(page, len, &end, &prespc3);
        if (r < 0)
                return r;
        if (prespc3) {
                *ret_len = scsi_id_prespc3(page, out);
                if (*ret_len <= 1)
                        return storvirt__error_set(-EINVAL,
                                "VPD page 0x83: offset 3: SCSI-2 format page with an empty identifier");
                return 0;
        }
        d = scsi_id_pick(page, end);
        if (!d)
                return 1;
        return scsi_id_format(page, d, vendor, model, out, ret_len);
}

/* ---- scsi_id on page 0x80 ------------------------------------------------- */

/* "S" + vendor + product + serial: 0, 1 when scsi_id takes none, -errno. */
static int scsi_id_vpd80(const uint8_t *page, size_t len, const char *vendor, const char *model,
                         char *out, size_t *ret_len) {
        char serial[WORK_LEN];
        size_t end, j = 0;
        int r;

        r = vpd_check_header(page, len, 0x80, &end);
        if (r < 0)
                return r;
        if (!vendor || !model)
                return storvirt__error_set(-EINVAL,
                        "VPD page 0x80: the identifier needs the INQUIRY vendor and product");
        /* scsi_id reads the length from byte 3 alone and needs it to fit. */
        if (1u + VENDOR_LEN + MODEL_LEN + page[3] > SCSI_ID_SERIAL_LEN)
                return 1;
        serial[j++] = 'S';
        r = put_vendor_model(serial, &j, vendor, model);
        if (r < 0)
                return r;
        if (!append_text(serial, &j, page + 4, page[3]))
                return storvirt__error_set(-EINVAL,
                        "VPD page 0x80: offset 4: empty unit serial number");
        *ret_len = mpath_limit(out, udev_normalize(serial, out));
        return 0;
}

/* ---- multipath's own page 0x83 parser (parse_vpd_pg83) -------------------- */

static bool name_prefix_ok(const uint8_t *d) {
        return d[3] >= 4 && (memcmp(d + 4, "eui.", 4) == 0 || memcmp(d + 4, "naa.", 4) == 0 ||
                             memcmp(d + 4, "iqn.", 4) == 0);
}

/* Priority of a LUN designator for multipath, -1 for none or invalid. */
static int mpath_prio(const uint8_t *d) {
        if ((d[1] & 0x30) != 0)
                return -1;
        switch (d[1] & 0xf) {
        case DESIG_NAA:
                switch (d[4] >> 4) {
                case 6: return d[3] == 16 ? 8 : -1;
                case 5: return d[3] == 8 ? 7 : -1;
                case 2: return d[3] == 8 ? 6 : -1;
                case 3: return d[3] == 8 ? 1 : -1;
                default: return -1;
                }
        case DESIG_EUI64:
                return d[3] == 8 || d[3] == 12 || d[3] == 16 ? 4 : -1;
        case DESIG_NAME:
                return name_prefix_ok(d) ? 3 : -1;
        case DESIG_T10:
                return d[3] >= 8 ? 2 : -1;
        default:
                return -1;
        }
}

static const uint8_t *mpath_pick(const uint8_t *page, size_t end) {
        const uint8_t *best = NULL;
        int prio = 0;

        for (size_t off = 4; off < end; off += 4u + page[off + 3]) {
                int p;

                /* multipath reads at most VPD_BUFLEN bytes of the page. */
                if (off + 4u + page[off + 3] > MPATH_VPD_BUFLEN)
                        break;
                p = mpath_prio(page + off);
                if (p > prio) {
                        prio = p;
                        best = page + off;
                }
        }
        return best;
}

/* '1' + the T10 text with every run of spaces one '_' (none at the end). */
static size_t mpath_t10(const uint8_t *v, size_t n, char *out) {
        size_t j = 0, i = 0;

        out[j++] = '1';
        while (i < n) {
                if (v[i] != ' ') {
                        out[j++] = (char)v[i++];
                        continue;
                }
                while (i < n && v[i] == ' ')
                        i++;
                if (i < n)
                        out[j++] = '_';
        }
        out[j] = '\0';
        return strlen(out); /* the id ends at the first NUL byte */
}

static size_t mpath_name(const uint8_t *v, size_t n, char *out) {
        size_t j;

        out[0] = memcmp(v, "eui.", 4) == 0 ? '2' : memcmp(v, "naa.", 4) == 0 ? '3' : '8';
        memcpy(out + 1, v + 4, n - 4);
        out[1 + n - 4] = '\0';
        j = strlen(out);
        if (out[0] != '8')
                lower_ascii(out, j);
        return j;
}

/* The WWID multipath derives from designator d itself. */
static int mpath_format(const uint8_t *page, const uint8_t *d, char *out, size_t *ret_len) {
        unsigned type = d[1] & 0xf;
        size_t n = d[3] < MPATH_WWID_SIZE ? d[3] : MPATH_WWID_SIZE, len;

        if (type == DESIG_NAA || type == DESIG_EUI64) {
                out[0] = hexdigits[type];
                len = 1 + put_hex(out + 1, d + 4, n);
        } else if (type == DESIG_NAME)
                len = mpath_name(d + 4, n, out);
        else
                len = mpath_t10(d + 4, n, out);
        if (len >= MPATH_WWID_SIZE)
                out[len = MPATH_WWID_SIZE - 1] = '\0';
        while (len > 0 && out[len - 1] == ' ')
                out[--len] = '\0';
        if (len <= 1)
                return storvirt__error_set(-EINVAL,
                        "VPD page 0x83: offset %zu: designator type %u holds no identifier",
                        (size_t)(d - page), type);
        *ret_len = len;
        return 0;
}

/* ---- public: VPD ---------------------------------------------------------- */

int storvirt__wwid_from_vpd83(const uint8_t *page, size_t len, char *buf, size_t size) {
        char out[WORK_LEN];
        size_t n = 0;
        int r;

        check_arg(page != NULL, "page", "must not be NULL");
        r = check_out(buf, size);
        if (r < 0)
                return r;
        r = scsi_id_vpd83(page, len, NULL, NULL, out, &n);
        if (r < 0)
                return r;
        if (r > 0)
                return storvirt__error_set(-ENOENT,
                        "VPD page 0x83: no designator scsi_id uses (LUN NAA, EUI-64, T10 or vendor "
                        "specific in binary or ASCII): udev takes the identifier from page 0x80");
        return emit("VPD page 0x83", out, n, buf, size);
}

int storvirt__wwid_from_scsi(const uint8_t *pg83, size_t len83, const uint8_t *pg80, size_t len80,
                             const char *vendor, const char *model, char *buf, size_t size) {
        char out[WORK_LEN];
        const uint8_t *d;
        size_t n = 0, end;
        bool prespc3;
        int r;

        r = check_out(buf, size);
        if (r < 0)
                return r;
        r = pg83 ? scsi_id_vpd83(pg83, len83, vendor, model, out, &n) : 1;
        if (r == 1 && pg80)
                r = scsi_id_vpd80(pg80, len80, vendor, model, out, &n);
        if (r < 0)
                return r;
        if (r == 0)
                return emit("SCSI identifier", out, n, buf, size);

        /* No ID_SERIAL: multipath parses vpd_pg83 itself. */
        if (pg83) {
                /* scsi_id_vpd83() took nothing, so the page is valid and SPC-laid-out. */
                (void)vpd83_check(pg83, len83, &end, &prespc3);
                d = mpath_pick(pg83, end);
                if (d) {
                        r = mpath_format(pg83, d, out, &n);
                        if (r < 0)
                                return r;
                        return emit("VPD page 0x83", out, n, buf, size);
                }
        }
        return storvirt__error_set(-ENOENT,
                "SCSI device: neither scsi_id nor multipath takes an identifier from %s",
                pg83 && pg80 ? "VPD pages 0x83 and 0x80" : pg83 ? "VPD page 0x83 (no page 0x80)" :
                pg80 ? "VPD page 0x80 (no page 0x83)" : "a device without VPD pages 0x80 and 0x83");
}

int storvirt__serial_from_vpd80(const uint8_t *page, size_t len, char *buf, size_t size) {
        size_t end, a = 4, b;
        int r;

        check_arg(page != NULL, "page", "must not be NULL");
        r = check_out(buf, size);
        if (r < 0)
                return r;
        r = vpd_check_header(page, len, 0x80, &end);
        if (r < 0)
                return r;
        b = 4 + strnlen((const char *)page + 4, end - 4);
        while (a < b && ascii_isspace(page[a]))
                a++;
        while (b > a && ascii_isspace(page[b - 1]))
                b--;
        if (a == b)
                return storvirt__error_set(-ENOENT, "VPD page 0x80: offset 4: empty unit serial number");
        for (size_t i = a; i < b; i++)
                if (page[i] < 0x20 || page[i] == 0x7f)
                        return storvirt__error_set(-EINVAL,
                                "VPD page 0x80: offset %zu: control character 0x%02x in the unit serial number",
                                i, page[i]);
        return emit("VPD page 0x80", (const char *)page + a, b - a, buf, size);
}

/* ---- public: sysfs device/wwid -------------------------------------------- */

/* "naa."/"eui." + hex of an allowed length -> digit + lower-case hex. */
static int sysfs_hex(const char *v, size_t n, char digit, const unsigned *lens, char *out) {
        char q[QUOTE_BUF];
        bool ok = false;

        for (; *lens; lens++)
                ok = ok || n - 4 == *lens;
        if (!ok || !is_hex_str(v + 4, n - 4))
                return storvirt__error_set(-EINVAL,
                        "sysfs wwid '%s': not %.4s followed by %s hex digits", quote_n(v, n, q), v,
                        digit == '3' ? "16 or 32" : "16, 24 or 32");
        out[0] = digit;
        memcpy(out + 1, v + 4, n - 4);
        out[n - 3] = '\0';
        lower_ascii(out, n - 3);
        return 0;
}

static int sysfs_t10(const char *v, size_t n, char *out, size_t *ret_len) {
        char serial[WORK_LEN], q[QUOTE_BUF];

        if (memchr(v, '\\', n))
                return storvirt__error_set(-EINVAL,
                        "sysfs wwid '%s': the kernel escaped bytes of the T10 vendor id and a literal "
                        "'\\' is not escaped, so the id is ambiguous; read device/vpd_pg83",
                        quote_n(v, n, q));
        if (n - 4 > SCSI_ID_SERIAL_LEN - 2)
                return storvirt__error_set(-EINVAL, "sysfs wwid '%s': T10 vendor id longer than %u bytes",
                                           quote_n(v, n, q), SCSI_ID_SERIAL_LEN - 2);
        serial[0] = '1';
        memcpy(serial + 1, v + 4, n - 4);
        serial[n - 3] = '\0';
        *ret_len = mpath_limit(out, udev_normalize(serial, out));
        if (*ret_len <= 1)
                return storvirt__error_set(-EINVAL, "sysfs wwid '%s': empty T10 vendor id",
                                           quote_n(v, n, q));
        return 0;
}

int storvirt__wwid_from_sysfs(const char *sysfs_wwid, char *buf, size_t size) {
        static const unsigned naa_lens[] = { 16, 32, 0 }, eui_lens[] = { 16, 24, 32, 0 };
        char out[WORK_LEN], q[QUOTE_BUF];
        size_t n, len = 0;
        int r;

        check_arg(sysfs_wwid != NULL, "sysfs_wwid", "must not be NULL");
        r = check_out(buf, size);
        if (r < 0)
                return r;
        n = chomp_len(sysfs_wwid);
        if (n == 0)
                return storvirt__error_set(-EINVAL, "sysfs wwid '': empty");
        if (strncmp(sysfs_wwid, "naa.", 4) == 0 || strncmp(sysfs_wwid, "eui.", 4) == 0) {
                bool naa = sysfs_wwid[0] == 'n';

                r = sysfs_hex(sysfs_wwid, n, naa ? '3' : '2', naa ? naa_lens : eui_lens, out);
                len = n - 3;
        } else if (strncmp(sysfs_wwid, "t10.", 4) == 0)
                r = sysfs_t10(sysfs_wwid, n, out, &len);
        else if (strncmp(sysfs_wwid, "iqn.", 4) == 0)
                return storvirt__error_set(-ENOENT,
                        "sysfs wwid '%s': a SCSI name string; multipath's WWID for this LUN comes from "
                        "another designator: read device/vpd_pg83", quote_n(sysfs_wwid, n, q));
        else
                return storvirt__error_set(-EINVAL,
                        "sysfs wwid '%s': unknown form (the kernel writes naa., eui., t10. or a SCSI "
                        "name string)", quote_n(sysfs_wwid, n, q));
        if (r < 0)
                return r;
        return emit("sysfs wwid", out, len, buf, size);
}

/* ---- public: udev ----------------------------------------------------------- */

/* A value udev could have stored: no white space, no control characters. */
static int check_udev_text(const char *what, const char *v, size_t max) {
        char q[QUOTE_BUF];
        size_t n = strlen(v);

        if (n > max)
                return storvirt__error_set(-EINVAL, "%s '%s': longer than %zu bytes", what,
                                           quote(v, q), max);
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)v[i];

                if (c <= 0x20 || c == 0x7f)
                        return storvirt__error_set(-EINVAL,
                                "%s '%s': %s at offset %zu", what, quote(v, q),
                                c == ' ' ? "white space" : "control character", i);
        }
        return 0;
}

/* "0x" + 16 or 32 hex -> "3" + lower-case hex. */
static int udev_wwn(const char *what, const char *v, bool with_ext, char *out) {
        char q[QUOTE_BUF];
        size_t n = strlen(v);

        if (strncmp(v, "eui.", 4) == 0 || strncmp(v, "uuid.", 5) == 0 || strncmp(v, "nvme.", 5) == 0)
                return storvirt__error_set(-EINVAL,
                        "udev %s '%s': an NVMe wwid: use storvirt__wwid_from_nvme()", what, quote(v, q));
        if (strncmp(v, "0x", 2) != 0 || !(n == 18 || (with_ext && n == 34)) || !is_hex_str(v + 2, n - 2))
                return storvirt__error_set(-EINVAL, "udev %s '%s': not 0x followed by %s hex digits",
                                           what, quote(v, q), with_ext ? "16 or 32" : "16");
        if (!with_ext && v[2] == '6')
                return storvirt__error_set(-EINVAL,
                        "udev %s '%s': the first half of an NAA 6 identifier; its extension is in "
                        "ID_WWN_WITH_EXTENSION", what, quote(v, q));
        out[0] = '3';
        memcpy(out + 1, v + 2, n - 2);
        out[n - 1] = '\0';
        lower_ascii(out, n - 1);
        return 0;
}

int storvirt__wwid_from_udev(const char *id_serial, const char *id_wwn_with_ext, const char *id_wwn,
                             char *buf, size_t size) {
        char out[WORK_LEN];
        size_t n;
        int r;

        r = check_out(buf, size);
        if (r < 0)
                return r;
        if (!absent(id_serial)) {
                r = check_udev_text("udev ID_SERIAL", id_serial, WORK_LEN - 1);
                if (r < 0)
                        return r;
                n = strlen(id_serial);
                memcpy(out, id_serial, n + 1);
                n = mpath_limit(out, n);
        } else if (!absent(id_wwn_with_ext) || !absent(id_wwn)) {
                bool ext = !absent(id_wwn_with_ext);

                r = udev_wwn(ext ? "ID_WWN_WITH_EXTENSION" : "ID_WWN", ext ? id_wwn_with_ext : id_wwn,
                             ext, out);
                if (r < 0)
                        return r;
                n = strlen(out);
        } else
                return storvirt__error_set(-ENOENT,
                        "udev: none of ID_SERIAL, ID_WWN_WITH_EXTENSION, ID_WWN is set");
        return emit("udev", out, n, buf, size);
}

/* ---- public: device-mapper uuid ----------------------------------------------- */

#define MPATH_UUID_PREFIX "mpath-"

/* "part<N>-" with N decimal, no leading zero, > 0: length of the prefix, else 0. */
static size_t part_prefix(const char *s, unsigned *ret_n) {
        size_t i = 4;
        unsigned long v = 0;

        if (strncmp(s, "part", 4) != 0 || s[i] < '1' || s[i] > '9')
                return 0;
        for (; s[i] >= '0' && s[i] <= '9'; i++) {
                v = v * 10 + (unsigned long)(s[i] - '0');
                if (v > 0xffffffffUL)
                        return 0;
        }
        if (s[i] != '-')
                return 0;
        *ret_n = (unsigned)v;
        return i + 1;
}

int storvirt__wwid_from_dm_uuid(const char *dm_uuid, char *buf, size_t size, unsigned *ret_partition) {
        char wwid[WORK_LEN], q[QUOTE_BUF];
        const char *w;
        unsigned part = 0;
        size_t n, skip;
        int r;

        check_arg(dm_uuid != NULL, "dm_uuid", "must not be NULL");
        r = check_out(buf, size);
        if (r < 0)
                return r;
        skip = part_prefix(dm_uuid, &part);
        if (strncmp(dm_uuid + skip, MPATH_UUID_PREFIX, strlen(MPATH_UUID_PREFIX)) != 0)
                return -ENOENT;
        w = dm_uuid + skip + strlen(MPATH_UUID_PREFIX);
        n = chomp_len(w);
        if (n == 0)
                return storvirt__error_set(-EINVAL, "dm uuid '%s': empty multipath wwid",
                                           quote(dm_uuid, q));
        if (n >= MPATH_WWID_SIZE)
                return storvirt__error_set(-EINVAL, "dm uuid: wwid of %zu bytes, multipath keeps at most %u",
                                           n, MPATH_WWID_SIZE - 1);
        memcpy(wwid, w, n);
        wwid[n] = '\0';
        r = check_udev_text("dm uuid wwid", wwid, MPATH_WWID_SIZE - 1);
        if (r < 0)
                return r;
        r = emit("dm uuid", wwid, n, buf, size);
        if (r < 0)
                return r;
        if (ret_partition)
                *ret_partition = part;
        return 0;
}

/* ---- public: NVMe -------------------------------------------------------------- */

/* 32 hex digits of a "%pU" value (8-4-4-4-12) into out; false if malformed. */
static bool parse_uuid_hex(const char *s, size_t n, char *out) {
        static const size_t dash[] = { 8, 13, 18, 23 };
        size_t j = 0, k = 0;

        if (n != 36)
                return false;
        for (size_t i = 0; i < 36; i++) {
                if (k < 4 && i == dash[k]) {
                        if (s[i] != '-')
                                return false;
                        k++;
                        continue;
                }
                if (!ascii_isxdigit((unsigned char)s[i]))
                        return false;
                out[j++] = s[i];
        }
        out[j] = '\0';
        lower_ascii(out, j);
        return true;
}

/* Hex digits of s with spaces, ':' and '-' between them skipped; count in *ret. */
static bool parse_loose_hex(const char *s, size_t n, char *out, size_t max, size_t *ret) {
        size_t j = 0;

        for (size_t i = 0; i < n; i++) {
                if (s[i] == ' ' || s[i] == ':' || s[i] == '-')
                        continue;
                if (!ascii_isxdigit((unsigned char)s[i]) || j == max)
                        return false;
                out[j++] = s[i];
        }
        out[j] = '\0';
        lower_ascii(out, j);
        *ret = j;
        return true;
}

static bool all_zero_hex(const char *s) {
        return s[strspn(s, "0")] == '\0';
}

/* The kernel's "nvme.%04x-%*phN-%*phN-%08x" shape. */
static bool nvme_form_ok(const char *s, size_t n) {
        const char *a, *b, *c;

        if (n < 5 + 4 + 1 + 1 + 1 + 8 || strncmp(s, "nvme.", 5) != 0 || s[9] != '-' ||
            !is_hex_str(s + 5, 4))
                return false;
        a = s + 9;
        b = memchr(a + 1, '-', n - 10);
        c = b ? memchr(b + 1, '-', (size_t)(s + n - b - 1)) : NULL;
        if (!b || !c || memchr(c + 1, '-', (size_t)(s + n - c - 1)))
                return false;
        return (b - a - 1) % 2 == 0 && is_hex_str(a + 1, (size_t)(b - a - 1)) &&
               (c - b - 1) % 2 == 0 && is_hex_str(b + 1, (size_t)(c - b - 1)) &&
               s + n - c - 1 == 8 && is_hex_str(c + 1, 8);
}

/* What multipath keeps of an over-long "nvme." form: its first 127 bytes. */
static bool nvme_cut_form_ok(const char *s, size_t n) {
        size_t dashes = 0;

        if (n != MPATH_WWID_SIZE - 1 || strncmp(s, "nvme.", 5) != 0 || s[9] != '-' || !is_hex_str(s + 5, 4))
                return false;
        for (size_t i = 9; i < n; i++) {
                if (s[i] == '-')
                        dashes++;
                else if (!ascii_isxdigit((unsigned char)s[i]))
                        return false;
        }
        return dashes <= 3;
}

/*
 * The sysfs wwid attribute as udev stores it, checked and in lower case;
 * cut: also accept the 127 bytes multipath keeps of a longer one.
 */
static int nvme_wwid_attr(const char *v, bool cut, char *out, size_t *ret_len) {
        char q[QUOTE_BUF], hex[40];
        size_t n = strlen(v);

        while (n > 0 && ascii_isspace((unsigned char)v[n - 1]))
                n--;
        if (n >= WORK_LEN)
                return storvirt__error_set(-EINVAL, "NVMe wwid '%s': longer than %u bytes",
                                           quote_n(v, n, q), WORK_LEN - 1);
        memcpy(out, v, n);
        out[n] = '\0';
        lower_ascii(out, n);
        if ((strncmp(out, "uuid.", 5) == 0 && parse_uuid_hex(out + 5, n - 5, hex)) ||
            (strncmp(out, "eui.", 4) == 0 && (n == 20 || n == 36) && is_hex_str(out + 4, n - 4)) ||
            nvme_form_ok(out, n) || (cut && nvme_cut_form_ok(out, n))) {
                *ret_len = mpath_limit(out, n);
                return 0;
        }
        return storvirt__error_set(-EINVAL,
                "NVMe wwid '%s': not the kernel's uuid.<uuid>, eui.<16|32 hex> or "
                "nvme.<vid>-<serial>-<model>-<nsid> form", quote_n(v, n, q));
}

/* The kernel's wwid_show() choice from uuid, nguid and eui: 0, 1 if none, -EINVAL. */
static int nvme_from_ids(const char *nguid, const char *eui, const char *uuid, char *out) {
        char ng[40] = "", u[40] = "", e[40], q[QUOTE_BUF];
        size_t n;

        if (!absent(nguid) && !parse_uuid_hex(nguid, chomp_len(nguid), ng))
                return storvirt__error_set(-EINVAL, "NVMe nguid '%s': not in UUID form", quote(nguid, q));
        if (!absent(uuid) && !parse_uuid_hex(uuid, chomp_len(uuid), u))
                return storvirt__error_set(-EINVAL, "NVMe uuid '%s': not in UUID form", quote(uuid, q));
        /* "uuid" shows the NGUID when the namespace has no UUID. */
        if (*u && !all_zero_hex(u) && strcmp(u, ng) != 0) {
                memcpy(out, "uuid.", 5);
                memcpy(out + 5, uuid, 36);
                out[41] = '\0';
                lower_ascii(out, 41);
                return 0;
        }
        if (*ng && !all_zero_hex(ng)) {
                sprintf(out, "eui.%s", ng);
                return 0;
        }
        if (!absent(eui)) {
                if (!parse_loose_hex(eui, chomp_len(eui), e, 16, &n) || n != 16)
                        return storvirt__error_set(-EINVAL, "NVMe eui '%s': not 8 hex bytes",
                                                   quote(eui, q));
                if (!all_zero_hex(e)) {
                        sprintf(out, "eui.%s", e);
                        return 0;
                }
        }
        return 1;
}

int storvirt__wwid_from_nvme(const char *wwid_attr, const char *nguid, const char *eui, const char *uuid,
                             char *buf, size_t size) {
        char out[WORK_LEN], ids[WORK_LEN], q[QUOTE_BUF];
        size_t n = 0;
        int r, have_ids;

        r = check_out(buf, size);
        if (r < 0)
                return r;
        have_ids = nvme_from_ids(nguid, eui, uuid, ids);
        if (have_ids < 0)
                return have_ids;
        if (absent(wwid_attr)) {
                if (have_ids > 0)
                        return storvirt__error_set(-ENOENT,
                                "NVMe namespace: no wwid, and no uuid, nguid or eui to derive it from");
                n = strlen(ids);
                memcpy(out, ids, n + 1);
        } else {
                r = nvme_wwid_attr(wwid_attr, false, out, &n);
                if (r < 0)
                        return r;
                if (have_ids == 0 && strcmp(out, ids) != 0)
                        return storvirt__error_set(-EINVAL,
                                "NVMe wwid '%s' disagrees with the uuid/nguid/eui attributes, which give '%s'",
                                quote(out, q), ids);
        }
        return emit("NVMe wwid", out, n, buf, size);
}

/* ---- public: user-given GUID ------------------------------------------------------ */

/* Verbatim forms: printable ASCII or UTF-8, no white space, 1..127 bytes. */
static int normalize_verbatim(const char *g, size_t n, char *out) {
        char q[QUOTE_BUF];

        if (n >= MPATH_WWID_SIZE)
                return storvirt__error_set(-EINVAL, "GUID '%s': longer than %u bytes", quote_n(g, n, q),
                                           MPATH_WWID_SIZE - 1);
        memcpy(out, g, n);
        out[n] = '\0';
        for (size_t i = 0; i < n;) {
                unsigned char c = (unsigned char)out[i];
                size_t l;

                if (c > 0x20 && c < 0x7f)
                        i++;
                else if (c >= 0x80 && (l = utf8_seq_len((const unsigned char *)out + i)) > 0)
                        i += l;
                else
                        return storvirt__error_set(-EINVAL,
                                "GUID '%s': %s at offset %zu", quote_n(g, n, q),
                                ascii_isspace(c) ? "white space" : c >= 0x80 ? "invalid UTF-8" :
                                "control character", i);
        }
        return 0;
}

/* "0x…" (ID_WWN) and "naa.…" (kernel): 16 or 32 hex after the prefix. */
static int normalize_prefixed_naa(const char *g, size_t n, size_t skip, char *out) {
        char q[QUOTE_BUF];
        size_t hn = n - skip;

        if (!is_hex_str(g + skip, hn) || !(hn == 16 || hn == 32))
                return storvirt__error_set(-EINVAL,
                        "GUID '%s': %.*s must be followed by 16 or 32 hex digits", quote_n(g, n, q),
                        (int)skip, g);
        if (skip == 2 && hn == 16 && g[2] == '6')
                return storvirt__error_set(-EINVAL,
                        "GUID '%s': the first half of an NAA 6 identifier (udev ID_WWN); "
                        "give all 32 digits", quote_n(g, n, q));
        out[0] = '3';
        memcpy(out + 1, g + skip, hn);
        out[hn + 1] = '\0';
        lower_ascii(out, hn + 1);
        return 0;
}

/* Values made only of hex digits. */
static int normalize_hex(const char *g, size_t n, char *out) {
        char q[QUOTE_BUF];

        if (n >= MPATH_WWID_SIZE)
                return storvirt__error_set(-EINVAL, "GUID '%s': longer than %u bytes",
                                           quote_n(g, n, q), MPATH_WWID_SIZE - 1);
        if (n >= 2 && (g[0] == '0' || g[0] == '1'))
                /* Vendor specific or T10 id that happens to be all hex: as is. */
                return normalize_verbatim(g, n, out);
        if (n % 2 == 1 && n >= 3 && (g[0] == '2' || g[0] == '3')) {
                /* Type digit + the hex scsi_id wrote for an EUI-64 or NAA. */
                memcpy(out, g, n);
                out[n] = '\0';
                lower_ascii(out, n);
                return 0;
        }
        if ((n == 16 && strchr("235", g[0])) || (n == 32 && g[0] == '6')) {
                /* libStorageMgmt's vpd83: an NAA without the type digit. */
                out[0] = '3';
                memcpy(out + 1, g, n);
                out[n + 1] = '\0';
                lower_ascii(out, n + 1);
                return 0;
        }
        return storvirt__error_set(-EINVAL,
                "GUID '%s': %zu hex digits in no known form: a type digit (3 NAA, 2 EUI-64) and an "
                "even number of digits, or a bare NAA of 16 digits starting 2, 3 or 5 or of 32 "
                "starting 6", quote_n(g, n, q), n);
}

int storvirt__wwid_normalize(const char *guid, char *buf, size_t size) {
        char out[WORK_LEN], q[QUOTE_BUF];
        const char *g;
        size_t n;
        int r;

        check_arg(guid != NULL, "guid", "must not be NULL");
        r = check_out(buf, size);
        if (r < 0)
                return r;
        g = guid + strspn(guid, " \t\n\r");
        n = strlen(g);
        while (n > 0 && ascii_isspace((unsigned char)g[n - 1]))
                n--;
        if (n == 0)
                return storvirt__error_set(-EINVAL, "GUID '%s': empty", quote(guid, q));
        if (n >= WORK_LEN)
                return storvirt__error_set(-EINVAL, "GUID '%s': longer than %u bytes",
                                           quote_n(g, n, q), MPATH_WWID_SIZE - 1);
        if (n > 2 && g[0] == '0' && (g[1] == 'x' || g[1] == 'X'))
                r = normalize_prefixed_naa(g, n, 2, out);
        else if (n > 4 && strncasecmp(g, "naa.", 4) == 0)
                r = normalize_prefixed_naa(g, n, 4, out);
        else if ((n > 4 && strncasecmp(g, "eui.", 4) == 0) || (n > 5 && strncasecmp(g, "uuid.", 5) == 0) ||
                 (n > 5 && strncasecmp(g, "nvme.", 5) == 0))
                r = nvme_wwid_attr(g, true, out, &n);
        else if (is_hex_str(g, n))
                r = normalize_hex(g, n, out);
        else
                r = normalize_verbatim(g, n, out);
        if (r < 0)
                return r;
        return emit("GUID", out, strlen(out), buf, size);
}
