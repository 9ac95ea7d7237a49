/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lvm_label.c - reads an LVM2 physical volume's label, pv_header,
 * metadata area headers and current metadata text from a file
 * descriptor, and takes the VG name, the VG UUID and this PV's entry
 * from the text.  The layout is described in lvm_label.h.
 *
 * Every offset and length from the disk is checked against the device
 * size before a read, every read is a bounded pread(), and the only
 * allocation is the metadata text buffer (at most 1 MiB).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sys/lvm_label.h"
#include "util/fileio.h"
#include "util/macro.h"

#define SECTOR 512u
#define LABEL_SECTORS 4u
#define LABEL_HEADER_LEN 32u
#define PV_HEADER_LEN 40u           /* UUID + device size, before the lists */
#define LOCN_LEN 16u                /* {u64 offset, u64 size} */
#define MDA_HEADER_LEN 512u
#define MDA_RAW_LOCNS_OFF 40u
#define MDA_VERSION 1u
#define RAW_LOCN_IGNORED 0x1u
#define MDAS_MAX 8u                 /* lvm2 writes at most 2 */
#define ID_LEN 32u
#define ID_FMT_LEN 38u
#define VG_NAME_MAX 127u

_Static_assert(STORVIRT__LVM_LABEL_SCAN_SIZE == LABEL_SECTORS * SECTOR,
               "the label is looked for in the first 4 sectors");

static const char label_id[8] = "LABELONE";
static const char label_type[8] = "LVM2 001";
static const char mda_magic[16] = " LVM2 x[5A%r0N*>";

static uint32_t get_le32(const uint8_t *p) {
        return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 |
               (uint32_t) p[3] << 24;
}

static uint64_t get_le64(const uint8_t *p) {
        return (uint64_t) get_le32(p) | (uint64_t) get_le32(p + 4) << 32;
}

uint32_t storvirt__lvm_crc(uint32_t initial, const void *buf, size_t len) {
        const uint8_t *p = buf;
        uint32_t crc = initial;

        for (size_t i = 0; i < len; i++) {
                crc ^= p[i];
                for (int k = 0; k < 8; k++)
                        crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
        }
        return crc;
}

/* ---- UUIDs ------------------------------------------------------------------ */

static bool id_char(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               c == '!' || c == '#';
}

/* 32 raw ID characters → "6-4-4-4-4-4-6" in out; false on a bad character. */
static bool id_format(const char *raw, char out[static ID_FMT_LEN + 1]) {
        static const unsigned groups[] = { 6, 4, 4, 4, 4, 4, 6 };
        size_t in = 0, o = 0;

        for (size_t g = 0; g < ELEMENTSOF(groups); g++) {
                if (g)
                        out[o++] = '-';
                for (unsigned k = 0; k < groups[g]; k++, in++) {
                        if (!id_char(raw[in]))
                                return false;
                        out[o++] = raw[in];
                }
        }
        out[o] = '\0';
        return true;
}

/* An ID as written in metadata ("-" anywhere, as lvm2 reads it) → formatted. */
static bool id_parse(const char *s, size_t len, char out[static ID_FMT_LEN + 1]) {
        char raw[ID_LEN];
        size_t n = 0;

        for (size_t i = 0; i < len; i++) {
                if (s[i] == '-')
                        continue;
                if (n == ID_LEN)
                        return false;
                raw[n++] = s[i];
        }
        return n == ID_LEN && id_format(raw, out);
}

/* ---- the metadata text ---------------------------------------------------- */

enum tok { T_EOF, T_LBRACE, T_RBRACE, T_LBRACK, T_RBRACK, T_COMMA, T_EQ, T_STRING, T_SQSTRING,
           T_WORD };

struct token {
        enum tok t;
        size_t start, end; /* bytes of the token, quotes included */
};

/* What a section is, as far as this reader cares. */
enum section_kind { S_OTHER, S_VG, S_PVS, S_PV };

struct parser {
        const char *text;
        size_t len, pos;
        const char *what;
        uint64_t base; /* offset of the text on the device, for messages */
        struct storvirt__lvm_pv *pv;
        bool vg_seen, pv_found;
        enum section_kind kinds[STORVIRT__LVM_CONFIG_DEPTH_MAX];
        size_t opened_at[STORVIRT__LVM_CONFIG_DEPTH_MAX];
        unsigned depth;
};

static int parse_error(const struct parser *p, size_t at, const char *fmt, ...) _printf_(3, 4);
static int parse_error(const struct parser *p, size_t at, const char *fmt, ...) {
        char msg[160];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        return storvirt__error_set(-EINVAL, "'%s': LVM metadata text at offset %" PRIu64
                                   ": %s at byte %zu", p->what, p->base, msg, at);
}

static bool is_space(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool ends_word(char c) {
        return is_space(c) || c == '\0' || strchr("#={}[],\"'", c) != NULL;
}

static void skip_space_and_comments(struct parser *p) {
        while (p->pos < p->len) {
                char c = p->text[p->pos];

                if (c == '#')
                        while (p->pos < p->len && p->text[p->pos] != '\n')
                                p->pos++;
                else if (is_space(c))
                        p->pos++;
                else
                        break;
        }
}

static int next_token(struct parser *p, struct token *tok) {
        static const char single[] = "{}[],=";
        static const enum tok single_tok[] = { T_LBRACE, T_RBRACE, T_LBRACK, T_RBRACK, T_COMMA,
                                               T_EQ };
        const char *s;
        char c;

        skip_space_and_comments(p);
        tok->start = p->pos;
        if (p->pos >= p->len) {
                tok->t = T_EOF;
                tok->end = p->pos;
                return 0;
        }
        c = p->text[p->pos];
        if ((s = strchr(single, c))) {
                tok->t = single_tok[s - single];
                p->pos++;
        } else if (c == '"' || c == '\'') {
                tok->t = c == '"' ? T_STRING : T_SQSTRING;
                for (p->pos++; p->pos < p->len && p->text[p->pos] != c; p->pos++)
                        if (c == '"' && p->text[p->pos] == '\\' && p->pos + 1 < p->len)
                                p->pos++;
                if (p->pos >= p->len)
                        return parse_error(p, tok->start, "unterminated string");
                p->pos++;
        } else {
                tok->t = T_WORD;
                while (p->pos < p->len && !ends_word(p->text[p->pos]))
                        p->pos++;
        }
        tok->end = p->pos;
        return 0;
}

static bool is_scalar(enum tok t) {
        return t == T_STRING || t == T_SQSTRING || t == T_WORD;
}

/*
 * The value of a scalar or key token into out (size bytes): quotes
 * removed, and in "..." a backslash before '"' or '\' dropped.  -1 when
 * it does not fit, else its length.
 */
static ssize_t token_text(const struct parser *p, const struct token *tok, char *out,
                          size_t size) {
        size_t from = tok->start, to = tok->end, n = 0;

        if (tok->t == T_STRING || tok->t == T_SQSTRING) {
                from++;
                to--;
        }
        for (size_t i = from; i < to; i++) {
                char c = p->text[i];

                if (tok->t == T_STRING && c == '\\' && i + 1 < to &&
                    (p->text[i + 1] == '"' || p->text[i + 1] == '\\'))
                        c = p->text[++i];
                if (n + 1 >= size)
                        return -1;
                out[n++] = c;
        }
        out[n] = '\0';
        return (ssize_t) n;
}

/* The token's text (inside its quotes) for a message, escaped and cut to fit buf. */
static const char *token_quote(const struct parser *p, const struct token *tok, char *buf,
                               size_t size) {
        bool quoted = tok->t == T_STRING || tok->t == T_SQSTRING;
        size_t n = tok->end - tok->start - 2 * quoted;
        char raw[64];

        if (n >= sizeof(raw))
                n = sizeof(raw) - 1;
        memcpy(raw, p->text + tok->start + quoted, n);
        raw[n] = '\0';
        return storvirt__name_escape(raw, buf, size);
}

static bool token_is(const struct parser *p, const struct token *tok, const char *word) {
        char buf[32];

        return is_scalar(tok->t) && token_text(p, tok, buf, sizeof(buf)) >= 0 &&
               strcmp(buf, word) == 0;
}

static bool vg_name_valid(const char *s) {
        if (s[0] == '\0' || s[0] == '-' || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
                return false;
        for (; *s; s++)
                if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
                      (*s >= 'A' && *s <= 'Z') || strchr("+_.-", *s)))
                        return false;
        return true;
}

/* A section opens with key: what kind is it, recording the VG name. */
static int open_section(struct parser *p, const struct token *key) {
        enum section_kind parent = p->depth ? p->kinds[p->depth - 1] : S_OTHER, kind = S_OTHER;
        char name[VG_NAME_MAX + 1], q[80];

        if (p->depth == STORVIRT__LVM_CONFIG_DEPTH_MAX)
                return parse_error(p, key->start, "sections nested deeper than %u levels",
                                   STORVIRT__LVM_CONFIG_DEPTH_MAX);
        if (p->depth == 0 && !p->vg_seen) {
                if (token_text(p, key, name, sizeof(name)) < 0 || !vg_name_valid(name))
                        return parse_error(p, key->start, "invalid VG name '%s'",
                                           token_quote(p, key, q, sizeof(q)));
                memcpy(p->pv->vg_name, name, sizeof(name));
                p->vg_seen = true;
                kind = S_VG;
        } else if (parent == S_VG && p->depth == 1 && token_is(p, key, "physical_volumes"))
                kind = S_PVS;
        else if (parent == S_PVS)
                kind = S_PV;
        p->kinds[p->depth] = kind;
        p->opened_at[p->depth] = key->start;
        p->depth++;
        return 0;
}

/* key = value, with value a scalar token: the VG id and this PV's id. */
static int assign(struct parser *p, const struct token *key, const struct token *val) {
        enum section_kind kind = p->depth ? p->kinds[p->depth - 1] : S_OTHER;
        char text[ID_FMT_LEN + 8], id[ID_FMT_LEN + 1], q[80];
        ssize_t n;

        if ((kind != S_VG && kind != S_PV) || !token_is(p, key, "id"))
                return 0;
        n = token_text(p, val, text, sizeof(text));
        if (n < 0 || !id_parse(text, (size_t) n, id))
                return parse_error(p, val->start, "invalid %s id '%s'",
                                   kind == S_VG ? "VG" : "PV", token_quote(p, val, q, sizeof(q)));
        if (kind == S_VG)
                memcpy(p->pv->vg_uuid, id, sizeof(id));
        else if (strcmp(id, p->pv->pv_uuid) == 0)
                p->pv_found = true;
        return 0;
}

/* After "key =": a scalar, or an array of scalars with optional commas. */
static int parse_value(struct parser *p, const struct token *key) {
        struct token tok;
        int r;

        r = next_token(p, &tok);
        if (r < 0)
                return r;
        if (is_scalar(tok.t))
                return assign(p, key, &tok);
        if (tok.t != T_LBRACK)
                return parse_error(p, tok.start, "expected a value");
        for (;;) {
                r = next_token(p, &tok);
                if (r < 0)
                        return r;
                if (tok.t == T_RBRACK)
                        return 0;
                if (!is_scalar(tok.t))
                        return parse_error(p, tok.start, "expected a value or ']'");
                skip_space_and_comments(p);
                if (p->pos < p->len && p->text[p->pos] == ',')
                        p->pos++;
        }
}

/* One "key {", "key = value" or "}"; 1 at the end of the text. */
static int parse_item(struct parser *p) {
        struct token key, tok;
        int r;

        r = next_token(p, &key);
        if (r < 0)
                return r;
        if (key.t == T_EOF) {
                if (p->depth > 0)
                        return parse_error(p, p->opened_at[p->depth - 1],
                                           "section not closed");
                return 1;
        }
        if (key.t == T_RBRACE) {
                if (p->depth == 0)
                        return parse_error(p, key.start, "'}' without a section");
                p->depth--;
                return 0;
        }
        if (!is_scalar(key.t))
                return parse_error(p, key.start, "expected a name");
        r = next_token(p, &tok);
        if (r < 0)
                return r;
        if (tok.t == T_LBRACE)
                return open_section(p, &key);
        if (tok.t == T_EQ)
                return parse_value(p, &key);
        return parse_error(p, tok.start, "expected '=' or '{' after a name");
}

static int metadata_parse(const char *text, size_t len, const char *what, uint64_t base,
                          struct storvirt__lvm_pv *pv) {
        struct parser p = {
                .text = text, .len = strnlen(text, len), .what = what, .base = base, .pv = pv,
        };
        int r;

        pv->has_vg = false;
        pv->vg_name[0] = pv->vg_uuid[0] = '\0';
        while ((r = parse_item(&p)) == 0)
                ;
        if (r < 0)
                goto fail;
        if (!p.vg_seen)
                return 0;
        if (!pv->vg_uuid[0]) {
                r = storvirt__error_set(-EINVAL, "'%s': LVM metadata text at offset %" PRIu64
                                        ": VG '%s' has no id", what, base, pv->vg_name);
                goto fail;
        }
        if (!p.pv_found) {
                r = storvirt__error_set(-EINVAL, "'%s': LVM metadata text at offset %" PRIu64
                                        ": VG '%s' does not list this PV (%s) in "
                                        "physical_volumes", what, base, pv->vg_name,
                                        pv->pv_uuid);
                goto fail;
        }
        pv->has_vg = true;
        return 0;
fail:
        pv->vg_name[0] = pv->vg_uuid[0] = '\0';
        return r;
}

int storvirt__lvm_metadata_parse(const char *text, size_t len, const char *what,
                                 struct storvirt__lvm_pv *pv) {
        check_nonnull(text);
        check_nonnull(pv);
        return metadata_parse(text, len, what ? what : "(text)", 0, pv);
}

/* ---- the device --------------------------------------------------------------- */

struct pv_dev {
        int fd;
        uint64_t size;
        const char *what;
};

struct locn {
        uint64_t offset, size;
};

/* len bytes at off, which the caller checked lie within dev->size. */
static int dev_read(const struct pv_dev *dev, uint64_t off, void *buf, size_t len,
                    const char *field) {
        uint8_t *p = buf;
        size_t done = 0;

        while (done < len) {
                ssize_t n = pread(dev->fd, p + done, len - done, (off_t) (off + done));

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        int err = errno;

                        return storvirt__error_set(-err, "'%s': reading the LVM %s at offset %"
                                                   PRIu64 ": %s", dev->what, field, off,
                                                   strerror(err));
                }
                if (n == 0)
                        return storvirt__error_set(-EIO, "'%s': reading the LVM %s at offset %"
                                                   PRIu64 ": end of data at %" PRIu64 " (the "
                                                   "device should have %" PRIu64 " bytes)",
                                                   dev->what, field, off, off + done, dev->size);
                done += (size_t) n;
        }
        return 0;
}

static bool fits(const struct pv_dev *dev, uint64_t off, uint64_t len) {
        return off <= dev->size && len <= dev->size - off;
}

/*
 * Which of the sectors in buf holds a valid LVM2 label: its number, or
 * -ENOENT when none says "LABELONE"/"LVM2 001", or -EINVAL for the
 * first such label whose sector number or CRC is wrong (lvm2 ignores
 * those; a damaged label is worth telling).
 */
static int label_find(const struct pv_dev *dev, const uint8_t *buf, unsigned n_sectors) {
        int r = -ENOENT;

        for (unsigned s = 0; s < n_sectors; s++) {
                const uint8_t *lh = buf + s * SECTOR;
                uint64_t sector = get_le64(lh + 8);
                uint32_t crc = get_le32(lh + 16), calc;

                if (memcmp(lh, label_id, 8) != 0 || memcmp(lh + 24, label_type, 8) != 0)
                        continue;
                calc = storvirt__lvm_crc(STORVIRT__LVM_CRC_INITIAL, lh + 20, SECTOR - 20);
                if (sector == s && crc == calc)
                        return (int) s;
                if (r != -ENOENT)
                        continue;
                if (sector != s)
                        r = storvirt__error_set(-EINVAL, "'%s': LVM label at offset %u: sector "
                                                "number %" PRIu64 " is not %u", dev->what,
                                                s * SECTOR, sector, s);
                else
                        r = storvirt__error_set(-EINVAL, "'%s': LVM label at offset %u: CRC "
                                                "0x%08" PRIx32 " does not match 0x%08" PRIx32
                                                " computed", dev->what, s * SECTOR, crc, calc);
        }
        return r;
}

/*
 * One NULL-terminated disk_locn list from *pos in the label sector:
 * entries kept into out (at most max, or none when out is NULL), their
 * count into *ret_n.  -EINVAL when the list runs off the sector.
 */
static int locn_list(const struct pv_dev *dev, const uint8_t *sector, uint64_t label_off,
                     size_t *pos, const char *list, struct locn *out, unsigned max,
                     unsigned *ret_n) {
        unsigned n = 0;

        for (;;) {
                uint64_t off;

                if (*pos + LOCN_LEN > SECTOR)
                        return storvirt__error_set(-EINVAL, "'%s': LVM pv_header at offset %"
                                                   PRIu64 ": the %s list runs past the end of "
                                                   "the label sector", dev->what, label_off, list);
                off = get_le64(sector + *pos);
                if (off == 0)
                        break;
                if (out && n == max)
                        return storvirt__error_set(-EINVAL, "'%s': LVM pv_header at offset %"
                                                   PRIu64 ": more than %u %s", dev->what,
                                                   label_off, max, list);
                if (out)
                        out[n] = (struct locn) { off, get_le64(sector + *pos + 8) };
                n++;
                *pos += LOCN_LEN;
        }
        *pos += LOCN_LEN;
        *ret_n = n;
        return 0;
}

/* The pv_header of the label sector: UUID, size, metadata areas, extension. */
static int pv_header_parse(const struct pv_dev *dev, const uint8_t *sector, unsigned s,
                           struct storvirt__lvm_pv *pv, struct locn mdas[static MDAS_MAX]) {
        uint32_t off = get_le32(sector + 20);
        uint64_t label_off = (uint64_t) s * SECTOR;
        unsigned n_data;
        size_t pos;
        int r;

        if (off < LABEL_HEADER_LEN || off > SECTOR - PV_HEADER_LEN)
                return storvirt__error_set(-EINVAL, "'%s': LVM label at offset %" PRIu64
                                           ": pv_header offset %" PRIu32 " out of range %u..%u",
                                           dev->what, label_off, off, LABEL_HEADER_LEN,
                                           SECTOR - PV_HEADER_LEN);
        if (!id_format((const char *) sector + off, pv->pv_uuid))
                return storvirt__error_set(-EINVAL, "'%s': LVM pv_header at offset %" PRIu64
                                           ": the PV UUID has characters other than "
                                           "[0-9a-zA-Z!#]", dev->what, label_off + off);
        pv->dev_size = get_le64(sector + off + ID_LEN);
        pos = off + PV_HEADER_LEN;
        r = locn_list(dev, sector, label_off + off, &pos, "data areas", NULL, 0, &n_data);
        if (r >= 0)
                r = locn_list(dev, sector, label_off + off, &pos, "metadata areas", mdas,
                              MDAS_MAX, &pv->n_mdas);
        if (r < 0)
                return r;
        if (pos + 8 <= SECTOR) {
                pv->ext_version = get_le32(sector + pos);
                pv->ext_used = pv->ext_version >= 2 &&
                               (get_le32(sector + pos + 4) & STORVIRT__LVM_PV_EXT_USED);
        }
        return 0;
}

/* What one metadata area header says about the current metadata. */
struct mda {
        unsigned idx;          /* 1-based, for messages */
        uint64_t start, size;  /* the area on the device */
        uint64_t text_off, text_size;
        uint32_t text_crc, flags;
};

static int mda_header_read(const struct pv_dev *dev, unsigned idx, const struct locn *locn,
                           struct mda *m) {
        uint8_t h[MDA_HEADER_LEN];
        uint32_t crc, calc, version;
        int r;

        if (locn->size < MDA_HEADER_LEN || !fits(dev, locn->offset, locn->size))
                return storvirt__error_set(-EINVAL, "'%s': LVM metadata area %u: offset %" PRIu64
                                           " size %" PRIu64 " is not within the device (%"
                                           PRIu64 " bytes)", dev->what, idx, locn->offset,
                                           locn->size, dev->size);
        r = dev_read(dev, locn->offset, h, sizeof(h), "metadata area header");
        if (r < 0)
                return r;
        crc = get_le32(h);
        calc = storvirt__lvm_crc(STORVIRT__LVM_CRC_INITIAL, h + 4, sizeof(h) - 4);
        *m = (struct mda) {
                .idx = idx, .start = get_le64(h + 24), .size = get_le64(h + 32),
                .text_off = get_le64(h + MDA_RAW_LOCNS_OFF),
                .text_size = get_le64(h + MDA_RAW_LOCNS_OFF + 8),
                .text_crc = get_le32(h + MDA_RAW_LOCNS_OFF + 16),
                .flags = get_le32(h + MDA_RAW_LOCNS_OFF + 20),
        };
        version = get_le32(h + 20);
        if (crc != calc)
                return storvirt__error_set(-EINVAL, "'%s': LVM metadata area header at offset %"
                                           PRIu64 ": CRC 0x%08" PRIx32 " does not match 0x%08"
                                           PRIx32 " computed", dev->what, locn->offset, crc, calc);
        if (memcmp(h + 4, mda_magic, sizeof(mda_magic)) != 0)
                return storvirt__error_set(-EINVAL, "'%s': LVM metadata area header at offset %"
                                           PRIu64 ": bad magic", dev->what, locn->offset);
        if (version != MDA_VERSION)
                return storvirt__error_set(-EINVAL, "'%s': LVM metadata area header at offset %"
                                           PRIu64 ": version %" PRIu32 " is not %u", dev->what,
                                           locn->offset, version, MDA_VERSION);
        if (m->start != locn->offset || m->size < MDA_HEADER_LEN || !fits(dev, m->start, m->size))
                return storvirt__error_set(-EINVAL, "'%s': LVM metadata area header at offset %"
                                           PRIu64 ": start %" PRIu64 " size %" PRIu64 " do not "
                                           "describe an area at its own offset within the "
                                           "device (%" PRIu64 " bytes)", dev->what, locn->offset,
                                           m->start, m->size, dev->size);
        return 0;
}

/*
 * The current metadata text of m into a new NUL-terminated buffer: the
 * part from text_off up to the end of the area, then what wrapped to
 * right after the header; CRC checked.
 */
static int mda_text_read(const struct pv_dev *dev, const struct mda *m, char **ret) {
        _cleanup_free_ char *text = NULL;
        uint64_t wrap = 0, at = m->start + m->text_off;
        uint32_t calc;
        int r;

        if (m->text_off < MDA_HEADER_LEN || m->text_off >= m->size || m->text_size == 0 ||
            m->text_size > m->size - MDA_HEADER_LEN)
                return storvirt__error_set(-EINVAL, "'%s': LVM metadata area header at offset %"
                                           PRIu64 ": text offset %" PRIu64 " size %" PRIu64
                                           " out of the area (%" PRIu64 " bytes)", dev->what,
                                           m->start, m->text_off, m->text_size, m->size);
        if (m->text_size > STORVIRT__LVM_METADATA_MAX)
                return storvirt__error_set(-EINVAL, "'%s': LVM metadata text at offset %" PRIu64
                                           ": %" PRIu64 " bytes, more than the %u read",
                                           dev->what, at, m->text_size,
                                           STORVIRT__LVM_METADATA_MAX);
        /* What wraps ends before the text starts, as text_size <= size - header. */
        if (m->text_off + m->text_size > m->size)
                wrap = m->text_off + m->text_size - m->size;
        text = malloc(m->text_size + 1);
        if (!text)
                return storvirt__error_oom();
        r = dev_read(dev, at, text, m->text_size - wrap, "metadata text");
        if (r >= 0 && wrap)
                r = dev_read(dev, m->start + MDA_HEADER_LEN, text + (m->text_size - wrap), wrap,
                             "metadata text (wrapped part)");
        if (r < 0)
                return r;
        text[m->text_size] = '\0';
        calc = storvirt__lvm_crc(STORVIRT__LVM_CRC_INITIAL, text, m->text_size);
        if (calc != m->text_crc)
                return storvirt__error_set(-EINVAL, "'%s': LVM metadata text at offset %" PRIu64
                                           ": CRC 0x%08" PRIx32 " recorded in the area header "
                                           "does not match 0x%08" PRIx32 " computed", dev->what,
                                           at, m->text_crc, calc);
        *ret = TAKE_PTR(text);
        return 0;
}

enum mda_state { MDA_IGNORED, MDA_NO_VG, MDA_VG };

/* One metadata area: ignored, without a VG, or naming the VG (*pv filled). */
static int mda_read(const struct pv_dev *dev, unsigned idx, const struct locn *locn,
                    struct storvirt__lvm_pv *pv) {
        _cleanup_free_ char *text = NULL;
        struct mda m = {};
        int r;

        r = mda_header_read(dev, idx, locn, &m);
        if (r < 0)
                return r;
        if (m.flags & RAW_LOCN_IGNORED)
                return MDA_IGNORED;
        if (m.text_off == 0)
                return MDA_NO_VG;
        r = mda_text_read(dev, &m, &text);
        if (r < 0)
                return r;
        r = metadata_parse(text, m.text_size, dev->what, m.start + m.text_off, pv);
        if (r < 0)
                return r;
        return pv->has_vg ? MDA_VG : MDA_NO_VG;
}

/*
 * The metadata areas in order: the first naming the VG wins; areas
 * without a VG make the PV an orphan; a damaged area is passed over
 * when another one could be read, else its error is returned.
 */
static int mdas_read(const struct pv_dev *dev, const struct locn *mdas,
                     struct storvirt__lvm_pv *pv) {
        char first_msg[512] = "";
        int first_err = 0;

        for (unsigned i = 0; i < pv->n_mdas; i++) {
                int r = mda_read(dev, i + 1, &mdas[i], pv);

                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        if (!first_err) {
                                first_err = r;
                                snprintf(first_msg, sizeof(first_msg), "%s",
                                         storvirt__error_msg());
                        }
                        continue;
                }
                if (r == MDA_IGNORED)
                        continue;
                pv->has_mda = true;
                if (r == MDA_VG)
                        return 0;
        }
        if (pv->has_mda || !first_err)
                return 0;
        return storvirt__error_set(first_err, "%s", first_msg);
}

int storvirt__lvm_pv_read(int fd, uint64_t dev_size, const char *what,
                          struct storvirt__lvm_pv *ret) {
        struct pv_dev dev = { .fd = fd, .size = dev_size, .what = what ? what : "(fd)" };
        uint8_t buf[STORVIRT__LVM_LABEL_SCAN_SIZE];
        struct storvirt__lvm_pv pv = {};
        struct locn mdas[MDAS_MAX];
        unsigned n_sectors;
        int r, s;

        check_arg(fd >= 0, "fd", "must be an open file descriptor");
        check_nonnull(ret);
        n_sectors = (unsigned) ((dev_size < sizeof(buf) ? dev_size : sizeof(buf)) / SECTOR);
        if (n_sectors == 0)
                return -ENOENT;
        r = dev_read(&dev, 0, buf, n_sectors * SECTOR, "label sectors");
        if (r < 0)
                return r;
        s = label_find(&dev, buf, n_sectors);
        if (s < 0)
                return s;
        r = pv_header_parse(&dev, buf + (size_t) s * SECTOR, (unsigned) s, &pv, mdas);
        if (r < 0)
                return r;
        r = mdas_read(&dev, mdas, &pv);
        if (r < 0)
                return r;
        *ret = pv;
        return 0;
}
