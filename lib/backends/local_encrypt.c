/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * local_encrypt.c - encrypted volumes of file pools: a raw volume as a
 * LUKS container (qemu-img create -f luks), a qcow2 volume with its
 * data LUKS-encrypted (-o encrypt.format=luks), written by qemu-img into
 * the volume's partial file.
 *
 * The passphrase goes to qemu-img only as an unnamed mode 0600 file of
 * the secret store, named by its /proc/self/fd path in --object
 * secret,id=sec0,file=...: never on its command line or in its
 * environment.  Every option value put on the command line comes from a
 * fixed list (no comma can reach qemu-img's option parser), and
 * combinations qemu-img refuses or would get wrong are refused first,
 * naming the setting.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "backends/local.h"
#include "objects/secret.h"
#include "sys/command.h"
#include "sys/tool_words.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/macro.h"

#define WHAT "<encryption>"

/* The ciphers of qemu's LUKS driver, their key sizes and block sizes. */
static const struct {
        const char *name;
        unsigned sizes[3];      /* bits; 0 ends */
        unsigned block;         /* bytes */
} ciphers[] = {
        { "aes", { 128, 192, 256 }, 16 },
        { "serpent", { 128, 192, 256 }, 16 },
        { "twofish", { 128, 192, 256 }, 16 },
        { "cast5", { 128 }, 8 },
};

/* Hashes and their digest sizes in bytes. */
static const struct {
        const char *name;
        unsigned len;
} hashes[] = {
        { "md5", 16 }, { "sha1", 20 }, { "sha224", 28 }, { "sha256", 32 },
        { "sha384", 48 }, { "sha512", 64 }, { "ripemd160", 20 },
};

static const char *const modes[] = { "ecb", "cbc", "xts", "ctr", NULL };
static const char *const ivgens[] = { "plain", "plain64", "essiv", NULL };

static bool in_list(const char *const *list, const char *s) {
        for (; *list; list++)
                if (strcmp(*list, s) == 0)
                        return true;
        return false;
}

static int find_cipher(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(ciphers); i++)
                if (strcmp(ciphers[i].name, name) == 0)
                        return (int)i;
        return -1;
}

/* Digest bytes of hash, 0 when unknown. */
static unsigned hash_len(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(hashes); i++)
                if (strcmp(hashes[i].name, name) == 0)
                        return hashes[i].len;
        return 0;
}

static bool size_ok(int c, unsigned size) {
        for (size_t i = 0; i < ELEMENTSOF(ciphers[c].sizes) && ciphers[c].sizes[i]; i++)
                if (ciphers[c].sizes[i] == size)
                        return true;
        return false;
}

static int refuse(const storvirt__vol_def *def, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* -EOPNOTSUPP "volume 'name': <what cannot be built and why>". */
static int refuse(const storvirt__vol_def *def, const char *fmt, ...) {
        char msg[512];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        return storvirt__error_set(-EOPNOTSUPP, "volume '%s': %s", def->name, msg);
}

/* <cipher name= size= mode= hash=>, as qemu's LUKS driver can write it. */
static int check_cipher(const storvirt__vol_def *def, const struct storvirt__vol_encryption *e,
                        int *ret_cipher) {
        int c = find_cipher(e->cipher_name);
        bool xts = e->cipher_mode && strcmp(e->cipher_mode, "xts") == 0;
        unsigned key;

        if (c < 0)
                return refuse(def, WHAT "<cipher name='%s'>: not a cipher of LUKS volumes (aes, "
                                    "serpent, twofish, cast5)", e->cipher_name);
        if (!size_ok(c, e->cipher_size))
                return refuse(def, WHAT "<cipher size='%u'>: not a key size of %s", e->cipher_size,
                              e->cipher_name);
        if (e->cipher_mode && !in_list(modes, e->cipher_mode))
                return refuse(def, WHAT "<cipher mode='%s'>: not a cipher mode of LUKS volumes "
                                    "(ecb, cbc, xts, ctr)", e->cipher_mode);
        if (xts && ciphers[c].block != 16)
                return refuse(def, WHAT "<cipher mode='xts'>: %s has 8-byte blocks; xts needs "
                                    "16", e->cipher_name);
        if (e->cipher_hash && !hash_len(e->cipher_hash))
                return refuse(def, WHAT "<cipher hash='%s'>: not a hash of LUKS volumes (md5, "
                                    "sha1, sha224, sha256, sha384, sha512, ripemd160)",
                              e->cipher_hash);
        /* qemu-img writes the key material in whole 512-byte sectors: 4000 stripes of it */
        key = e->cipher_size / 8 * (xts ? 2 : 1);
        if (key % 16)
                return refuse(def, WHAT "<cipher size='%u' mode='%s'>: qemu-img cannot write a "
                                    "LUKS header for this key length (use size 128 or 256, or "
                                    "mode xts)", e->cipher_size, e->cipher_mode ? e->cipher_mode : "xts");
        *ret_cipher = c;
        return 0;
}

/* <ivgen name= hash=>: the hash only for essiv, whose digest must be a key of the cipher. */
static int check_ivgen(const storvirt__vol_def *def, const struct storvirt__vol_encryption *e,
                       int c) {
        const char *hash = e->ivgen_hash ? e->ivgen_hash : "sha256";  /* qemu's default */
        unsigned len = hash_len(hash);

        if (!in_list(ivgens, e->ivgen_name))
                return refuse(def, WHAT "<ivgen name='%s'>: not an IV generator of LUKS volumes "
                                    "(plain, plain64, essiv)", e->ivgen_name);
        if (strcmp(e->ivgen_name, "essiv") != 0) {
                if (e->ivgen_hash)
                        return refuse(def, WHAT "<ivgen name='%s' hash='%s'>: only essiv uses a "
                                            "hash, a LUKS header keeps none for this IV "
                                            "generator; leave 'hash' out", e->ivgen_name,
                                      e->ivgen_hash);
                return 0;
        }
        if (!len)
                return refuse(def, WHAT "<ivgen hash='%s'>: not a hash of LUKS volumes",
                              hash);
        if (!size_ok(c, len * 8))
                return refuse(def, WHAT "<ivgen name='essiv' hash='%s'>: essiv keys the cipher "
                                    "with the hash's digest, and %s has no %u-bit keys", hash,
                              e->cipher_name, len * 8);
        return 0;
}

int storvirt__local_encryption_check(const storvirt__vol_def *def) {
        const struct storvirt__vol_encryption *e = &def->target.encryption;
        const char *fmt = def->target.format ? def->target.format : "raw";
        int c = -1, r;

        if (!e->format)
                return 0;
        if (strcmp(e->format, "luks") != 0)
                return refuse(def, WHAT " format '%s': volumes are encrypted with format 'luks' "
                                   "only%s", e->format,
                              strcmp(e->format, "luks2") == 0
                                      ? " (qemu-img writes LUKS version 1 headers)" : "");
        if (e->engine && strcmp(e->engine, "qemu") != 0)
                return refuse(def, WHAT " engine '%s': only 'qemu' encrypts file volumes",
                              e->engine);
        if (strcmp(fmt, "raw") != 0 && strcmp(fmt, "qcow2") != 0)
                return refuse(def, WHAT ": %s volumes cannot be encrypted (raw and qcow2 "
                                   "can)", fmt);
        if (e->n_secrets != 1 || !e->secrets[0].has_uuid)
                return storvirt__error_set(-EINVAL, "volume '%s': " WHAT " needs one <secret "
                                                    "type='passphrase'> naming its passphrase",
                                           def->name);
        if (!e->cipher_name)
                return 0;
        r = check_cipher(def, e, &c);
        return r < 0 ? r : check_ivgen(def, e, c);
}

/* "-o" options: the encryption's (prefixed "encrypt." for qcow2), then the format's. */
static int encryption_opts(const storvirt__vol_def *def, bool qcow2, uint32_t flags,
                           struct storvirt__buf *b) {
        const struct storvirt__vol_encryption *e = &def->target.encryption;
        const char *p = qcow2 ? "encrypt." : "";

        if (qcow2)
                storvirt__buf_printf(b, "encrypt.format=luks,");
        storvirt__buf_printf(b, "%skey-secret=sec0", p);
        if (e->cipher_name)
                storvirt__buf_printf(b, ",%scipher-alg=%s-%u", p, e->cipher_name, e->cipher_size);
        if (e->cipher_mode)
                storvirt__buf_printf(b, ",%scipher-mode=%s", p, e->cipher_mode);
        if (e->cipher_hash)
                storvirt__buf_printf(b, ",%shash-alg=%s", p, e->cipher_hash);
        if (e->ivgen_name)
                storvirt__buf_printf(b, ",%sivgen-alg=%s", p, e->ivgen_name);
        if (e->ivgen_hash)
                storvirt__buf_printf(b, ",%sivgen-hash-alg=%s", p, e->ivgen_hash);
        if (!qcow2) {
                /* libvirt's rule, as for plain raw volumes: no <allocation>, fully allocated */
                if (!def->has_allocation || def->allocation >= def->capacity)
                        storvirt__buf_printf(b, ",preallocation=falloc");
                return storvirt__buf_str(b) ? 0 : storvirt__error_oom();
        }
        if (def->target.compat)
                storvirt__buf_printf(b, ",compat=%s", def->target.compat);
        if (def->target.cluster_size)
                storvirt__buf_printf(b, ",cluster_size=%llu",
                                     (unsigned long long)def->target.cluster_size);
        if (def->target.lazy_refcounts)
                storvirt__buf_printf(b, ",lazy_refcounts=on");
        if (def->target.extended_l2)
                storvirt__buf_printf(b, ",extended_l2=on");
        if (flags & STORVIRT_VOLUME_CREATE_PREALLOC_METADATA)
                storvirt__buf_printf(b, ",preallocation=metadata");
        return storvirt__buf_str(b) ? 0 : storvirt__error_oom();
}

/*
 * qemu-img create, again when its key-derivation benchmark measured no
 * CPU time at all (qemu's "Unable to get accurate CPU usage": its first
 * round of 32768 iterations can finish within one tick of the thread's
 * CPU clock; qemu 7.2 on an idle 2-core machine says so for 12 of 40
 * sha256 creates).  Each such attempt takes milliseconds; 30 of them
 * fail together about once in 10^7 creates even at a 60% failure rate.
 */
#define CREATE_ATTEMPTS 30

static int run_create(char *const argv[]) {
        int r = -EIO;

        for (int i = 0; i < CREATE_ATTEMPTS && r == -EIO; i++) {
                r = storvirt__command_run(argv, 300000, NULL);
                if (r == -EIO && !storvirt__tool_said(storvirt__command_last_words(),
                                                      STORVIRT__TOOL_QEMU_NO_CPU_TIME))
                        break;
        }
        return r;
}

int storvirt__local_build_encrypted(storvirt__pool_obj *obj, const storvirt__vol_def *def,
                                    const char *path, uint32_t flags) {
        bool qcow2 = def->target.format && strcmp(def->target.format, "qcow2") == 0;
        char uuid[STORVIRT__UUID_STRING_MAX], object[64], size[32];
        struct storvirt__buf opts = {};
        _cleanup_close_ int fd = -1;
        char *argv[16];
        int n = 0, r;

        storvirt__uuid_format(&def->target.encryption.secrets[0].uuid, uuid);
        r = storvirt__secret_value_fd(obj->ctx, uuid, &fd);
        if (r < 0)
                return storvirt__error_prefix("volume '%s'", def->name);
        r = encryption_opts(def, qcow2, flags, &opts);
        if (r < 0) {
                storvirt__buf_free(&opts);
                return r;
        }
        snprintf(object, sizeof(object), "secret,id=sec0,file=/proc/self/fd/%d", fd);
        snprintf(size, sizeof(size), "%lluK", (unsigned long long)((def->capacity + 1023) / 1024));
        argv[n++] = (char *)"qemu-img";
        argv[n++] = (char *)"create";
        argv[n++] = (char *)"-q";
        argv[n++] = (char *)"-f";
        argv[n++] = (char *)(qcow2 ? "qcow2" : "luks");
        argv[n++] = (char *)"--object";
        argv[n++] = object;
        argv[n++] = (char *)"-o";
        argv[n++] = (char *)storvirt__buf_str(&opts);
        if (qcow2 && def->backing.path) {
                argv[n++] = (char *)"-b";
                argv[n++] = def->backing.path;
                argv[n++] = (char *)"-F";
                argv[n++] = def->backing.format;
        }
        argv[n++] = (char *)path;
        if (def->has_capacity)
                argv[n++] = size;
        argv[n] = NULL;
        r = run_create(argv);
        storvirt__buf_free(&opts);
        return r;
}

/* The secret fd of an encrypted volume, or -EOPNOTSUPP when the library does not know it. */
static int volume_secret_fd(storvirt__pool_obj *obj, const storvirt__vol_rec *rec, const char *op,
                            int *ret_fd) {
        int r;

        if (!rec->secret[0])
                return storvirt__error_set(-EOPNOTSUPP, "%s the encrypted volume '%s' needs its "
                                                        "passphrase, and no secret for it is known",
                                           op, rec->path);
        r = storvirt__secret_value_fd(obj->ctx, rec->secret, ret_fd);
        return r < 0 ? storvirt__error_prefix("%s the encrypted volume '%s'", op, rec->path) : r;
}

int storvirt__local_resize_encrypted(storvirt__pool_obj *obj, const storvirt__vol_rec *rec,
                                     const char *path, uint64_t capacity) {
        char object[64], opts[96], size[32];
        _cleanup_close_ int fd = -1;
        int r;

        if (strcmp(rec->format, "qcow2") != 0 || strcmp(rec->encryption, "luks") != 0)
                return storvirt__error_set(-EOPNOTSUPP, "resizing the %s volume '%s' encrypted "
                                                        "with %s is not supported", rec->format,
                                           rec->path, rec->encryption);
        r = volume_secret_fd(obj, rec, "resizing", &fd);
        if (r < 0)
                return r;
        snprintf(object, sizeof(object), "secret,id=sec0,file=/proc/self/fd/%d", fd);
        snprintf(opts, sizeof(opts), "driver=qcow2,encrypt.key-secret=sec0,file.filename=%s", path);
        snprintf(size, sizeof(size), "%llu", (unsigned long long)capacity);
        {
                char *argv[] = { (char *)"qemu-img", (char *)"resize", (char *)"-q",
                                 (char *)"--object", object, (char *)"--image-opts",
                                 capacity < rec->capacity ? (char *)"--shrink" : opts,
                                 capacity < rec->capacity ? opts : size,
                                 capacity < rec->capacity ? size : NULL, NULL };

                return storvirt__command_run(argv, 300000, NULL);
        }
}

/* A definition that builds rec again: its format, size, cipher, secret and qcow2 header. */
static int rebuild_def(const storvirt__vol_rec *rec, uint64_t capacity, storvirt__vol_def **ret) {
        storvirt__vol_def *def = NULL;
        struct storvirt__vol_encryption *e;
        const storvirt__img_cipher *c = &rec->cipher;
        bool oom;
        int r;

        r = storvirt__vol_def_new(rec->name, capacity, &def);
        if (r < 0)
                return r;
        e = &def->target.encryption;
        def->has_allocation = true;       /* sparse: nothing to preallocate after a wipe */
        def->target.format = strdup(rec->format);
        e->format = strdup("luks");
        e->secrets = calloc(1, sizeof(*e->secrets));
        oom = !def->target.format || !e->format || !e->secrets;
        if (!oom) {
                e->n_secrets = 1;
                e->secrets[0].has_uuid = storvirt__uuid_parse(rec->secret, &e->secrets[0].uuid) >= 0;
        }
        if (!oom && c->name[0] && c->mode[0] && c->ivgen[0]) {
                e->cipher_size = c->size;
                oom = !(e->cipher_name = strdup(c->name)) || !(e->cipher_mode = strdup(c->mode)) ||
                      !(e->cipher_hash = strdup(c->hash)) || !(e->ivgen_name = strdup(c->ivgen)) ||
                      (c->ivgen_hash[0] && !(e->ivgen_hash = strdup(c->ivgen_hash)));
        }
        if (!oom && strcmp(rec->format, "qcow2") == 0) {
                def->target.lazy_refcounts = rec->lazy_refcounts;
                def->target.cluster_size = rec->cluster_bits ? 1ull << rec->cluster_bits : 0;
                oom = (rec->compat[0] && !(def->target.compat = strdup(rec->compat))) ||
                      (rec->backing_path && !(def->backing.path = strdup(rec->backing_path))) ||
                      (rec->backing_format[0] && !(def->backing.format = strdup(rec->backing_format)));
        }
        if (oom) {
                storvirt__vol_def_free(def);
                return storvirt__error_oom();
        }
        *ret = def;
        return 0;
}

int storvirt__local_rebuild_encrypted(storvirt__pool_obj *obj, const storvirt__vol_rec *rec,
                                      int fd, uint64_t capacity) {
        _cleanup_vol_def_ storvirt__vol_def *def = NULL;
        char path[32];
        int r, flags;

        if (!rec->secret[0] || strcmp(rec->encryption, "luks") != 0)
                return 0;       /* zeros: what the library cannot build again, it leaves wiped */
        r = rebuild_def(rec, capacity, &def);
        if (r < 0)
                return r;
        flags = fcntl(fd, F_GETFD);
        if (flags < 0 || ftruncate(fd, 0) < 0 || fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) < 0)
                return storvirt__error_set(-errno, "wiping '%s': %m", rec->path);
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        r = storvirt__local_build_encrypted(obj, def, path, 0);
        fcntl(fd, F_SETFD, flags);
        return r < 0 ? storvirt__error_prefix("wiping '%s': building it again", rec->path) : r;
}
