/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * gluster.c - the "gluster" pool type: the files of one directory of a
 * GlusterFS volume, reached through libgfapi (sys/gluster.h), with no
 * mount.  The pool's <source> names the volume (<name>), its servers
 * (<host>: the first is asked for the volfile, the others are backups)
 * and the directory (<dir>, "/" by default).
 *
 * A running pool holds one libgfapi handle (obj->backend_data) from
 * start to stop: every refresh, probe and volume operation goes through
 * it, never through a handle of its own (libgfapi needs ~10 s to let one
 * go).  A pool found running when a context loads it connects when it
 * is first used.
 *
 * Volumes are the directory's regular files (type network) and
 * subdirectories (netdir); symbolic links are never followed.  Name,
 * key and path are libvirt's: the file name, and
 * gluster://HOST[:PORT]/VOLUME/DIR/NAME for both key and path.  Formats
 * are those of dir pools: what the library created a file as (kept in
 * the state directory's volume index under the pool's URL), else what
 * its header says, read through libgfapi by the same native prober.
 * New volumes are raw (sparse, or allocated as <allocation> asks) or
 * qcow2 (written by the library's own writer through libgfapi), built
 * under a hidden temporary name and linked into place when complete.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "backends/backends.h"
#include "backends/local.h"
#include "objects/ctx.h"
#include "objects/vol_index.h"
#include "objects/vol_list.h"
#include "sys/command.h"
#include "sys/gluster.h"
#include "sys/qcow2.h"
#include "util/buf.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/macro.h"

#define MIN(a, b) ((a) < (b) ? (a) : (b))

#define PARTIAL_PREFIX ".storvirt-partial-"
#define ZERO_CHUNK (1u << 20)

/* What a running pool holds. */
struct gl_pool {
        storvirt__gl *gl;
        char *dir;      /* the pool's directory in the volume: "/" or "/a/b" */
        char *url;      /* gluster://HOST[:PORT]/VOLUME/DIR, no trailing slash */
};

static void gl_pool_free(void *data) {
        struct gl_pool *p = data;

        if (!p)
                return;
        storvirt__gl_release(p->gl);
        free(p->dir);
        free(p->url);
        free(p);
}

/* The directory as "/a/b" ("/" for the root), from the pool's <dir>. */
static int pool_dir(const storvirt__pool_def *def, char **ret) {
        const char *d = def->source.dir ? def->source.dir : "/";
        size_t n;

        while (*d == '/')
                d++;
        n = strlen(d);
        while (n > 0 && d[n - 1] == '/')
                n--;
        if (asprintf(ret, "/%.*s", (int)n, d) < 0)
                return storvirt__error_oom();
        return 0;
}

/* gluster://HOST[:PORT]/VOLUME/DIR as libvirt writes it (IPv6 hosts in brackets). */
int storvirt__gluster_pool_url(const storvirt__pool_def *def, char **ret) {
        const struct storvirt__pool_host *h;
        _cleanup_free_ char *dir = NULL;
        char port[16] = "";
        bool v6;
        int r;

        if (def->source.n_hosts == 0 || !def->source.name)
                return storvirt__error_set(-EINVAL, "pool '%s': a gluster pool needs a <host> and "
                                           "a source <name> (the volume)", def->name);
        h = &def->source.hosts[0];
        v6 = strchr(h->name, ':') != NULL;
        if (h->port > 0)
                snprintf(port, sizeof(port), ":%d", h->port);
        r = pool_dir(def, &dir);
        if (r < 0)
                return r;
        if (asprintf(ret, "gluster://%s%s%s%s/%s%s", v6 ? "[" : "", h->name, v6 ? "]" : "", port,
                     def->source.name, strcmp(dir, "/") == 0 ? "" : dir) < 0)
                return storvirt__error_oom();
        return 0;
}

/* The pool's handle: made by start, or now for a pool a context found running. */
static int session(storvirt__pool_obj *obj, struct gl_pool **ret) {
        const storvirt__pool_def *def = obj->def;
        storvirt__gl_server servers[16];
        struct gl_pool *p;
        struct stat st;
        size_t n = 0;
        int r;

        if (obj->backend_data) {
                *ret = obj->backend_data;
                return 0;
        }
        for (size_t i = 0; i < def->source.n_hosts && n < ELEMENTSOF(servers); i++)
                servers[n++] = (storvirt__gl_server){ def->source.hosts[i].name,
                                                      def->source.hosts[i].port > 0 ? (unsigned)def->source.hosts[i].port : 0 };
        p = calloc(1, sizeof(*p));
        if (!p)
                return storvirt__error_oom();
        r = pool_dir(def, &p->dir);
        if (r >= 0)
                r = storvirt__gluster_pool_url(def, &p->url);
        if (r >= 0)
                r = storvirt__gl_connect(def->source.name, servers, n, getenv("STORVIRT_GLUSTER_LOG"),
                                         &p->gl);
        if (r >= 0)
                r = storvirt__gl_lstat(p->gl, p->dir, &st);
        if (r >= 0 && !S_ISDIR(st.st_mode))
                r = storvirt__error_set(-ENOTDIR, "gluster volume '%s': '%s' is not a directory",
                                        def->source.name, p->dir);
        if (r < 0) {
                gl_pool_free(p);
                return storvirt__error_prefix("pool '%s'", def->name);
        }
        obj->backend_data = p;
        obj->backend_data_free = gl_pool_free;
        *ret = p;
        return 0;
}

static int path_in(const struct gl_pool *p, const char *name, char **ret) {
        if (asprintf(ret, "%s/%s", strcmp(p->dir, "/") == 0 ? "" : p->dir, name) < 0)
                return storvirt__error_oom();
        return 0;
}

static void field_set(char *dst, size_t size, const char *src) {
        snprintf(dst, size, "%s", src);
}

static void rec_set_problem(storvirt__vol_rec *rec) {
        free(rec->problem);
        rec->problem = strdup(storvirt__error_msg() ? storvirt__error_msg() : "unusable image");
}

/* The figures of a probed image into the record (its format was decided already). */
static void rec_take_info(storvirt__vol_rec *rec, storvirt__img_info *info) {
        if (strcmp(info->format, "raw") != 0)
                rec->capacity = info->virtual_size;
        field_set(rec->compat, sizeof(rec->compat), info->compat);
        rec->lazy_refcounts = info->lazy_refcounts;
        rec->extended_l2 = info->extended_l2;
        rec->cluster_bits = strcmp(info->format, "qcow2") == 0 ? info->cluster_bits : 0;
        memcpy(rec->encryption, info->encryption, sizeof(rec->encryption));
        rec->cipher = info->cipher;
        if (info->backing_file) {
                rec->backing_path = TAKE_PTR(info->backing_file);
                field_set(rec->backing_format, sizeof(rec->backing_format), info->backing_format);
                storvirt__error_set(-EOPNOTSUPP, "'%s' names backing file '%s': backing chains "
                                    "of gluster volumes are not followed", rec->path,
                                    rec->backing_path);
                rec_set_problem(rec);
                return;
        }
        if (storvirt__img_check_usable(info, rec->path, 0) < 0)
                rec_set_problem(rec);
}

/*
 * The format of a file open on f: the recorded one when the library made
 * it (a raw file is never read as anything else; what its content claims
 * then is only a warning), else what its header says.
 */
static void rec_probe(storvirt__vol_rec *rec, const storvirt__img_io *io,
                      const storvirt__vol_index_entry *known) {
        storvirt__img_info info = {};
        char magic[16] = "raw";
        int r;

        if (known) {
                field_set(rec->format, sizeof(rec->format), known->format);
                rec->recorded = true;
                if (strcmp(known->format, "raw") == 0) {
                        if (storvirt__img_probe_magic_io(io, rec->physical, rec->path, magic) >= 0 &&
                            strcmp(magic, "raw") != 0 && strcmp(magic, "iso") != 0)
                                field_set(rec->probed_format, sizeof(rec->probed_format), magic);
                        return;
                }
        }
        r = storvirt__img_probe_io(io, rec->physical, rec->path, known ? known->format : NULL,
                                   &info);
        if (r < 0) {
                rec_set_problem(rec);
                if (!known && storvirt__img_probe_magic_io(io, rec->physical, rec->path, magic) < 0)
                        snprintf(magic, sizeof(magic), "unknown");
                if (!known)
                        field_set(rec->format, sizeof(rec->format), magic);
                return;
        }
        if (!known)
                field_set(rec->format, sizeof(rec->format),
                          strcmp(info.format, "luks") == 0 ? "raw" : info.format);
        rec_take_info(rec, &info);
        storvirt__img_info_clear(&info);
}

/* Clears what a probe fills in. */
static void rec_reset(storvirt__vol_rec *rec) {
        rec->format[0] = rec->compat[0] = rec->backing_format[0] = rec->probed_format[0] = '\0';
        rec->encryption[0] = rec->secret[0] = '\0';
        rec->cipher = (storvirt__img_cipher){};
        rec->lazy_refcounts = rec->extended_l2 = rec->recorded = false;
        rec->cluster_bits = 0;
        free(rec->backing_path);
        rec->backing_path = NULL;
        free(rec->problem);
        rec->problem = NULL;
}

/*
 * Reads one entry of the pool's directory into rec, as st (its lstat)
 * shows it at read_at_ns, its content through io (NULL: opened by path).
 */
static void rec_fill(struct gl_pool *p, storvirt__vol_rec *rec, const struct stat *st,
                     const storvirt__hashmap *index, const storvirt__img_io *io,
                     int64_t read_at_ns) {
        _cleanup_free_ char *path = NULL;
        const storvirt__vol_index_entry *known;
        storvirt__gl_file *f = NULL;
        storvirt__img_io fio;

        rec_reset(rec);
        rec->ctime_ns = storvirt__timespec_ns(&st->st_ctim);
        rec->read_at_ns = read_at_ns;
        rec->ino = st->st_ino;
        rec->dev = st->st_dev;
        rec->mode = st->st_mode & 07777;
        rec->owner = st->st_uid;
        rec->group = st->st_gid;
        rec->physical = rec->capacity = (uint64_t)st->st_size;
        rec->allocation = (uint64_t)st->st_blocks * 512;
        if (S_ISDIR(st->st_mode)) {
                rec->type = STORVIRT_VOLUME_TYPE_NETDIR;
                field_set(rec->format, sizeof(rec->format), "dir");
                return;
        }
        rec->type = STORVIRT_VOLUME_TYPE_NETWORK;
        known = storvirt__vol_index_find(index, rec->name, (uint64_t)st->st_ino);
        if (io) {
                rec_probe(rec, io, known);
                return;
        }
        if (path_in(p, rec->name, &path) < 0 || storvirt__gl_open(p->gl, path, O_RDONLY, 0, &f) < 0) {
                field_set(rec->format, sizeof(rec->format), "raw");
                rec_set_problem(rec);
                return;
        }
        storvirt__gl_file_io(f, &fio);
        rec_probe(rec, &fio, known);
        storvirt__gl_close(f);
}

/* Copies the probed figures of src into the live record dst (obj->lock held). */
static void rec_publish(storvirt__vol_rec *dst, storvirt__vol_rec *src) {
        dst->ino = src->ino;
        dst->dev = src->dev;
        dst->mode = src->mode;
        dst->owner = src->owner;
        dst->group = src->group;
        dst->physical = src->physical;
        dst->allocation = src->allocation;
        dst->capacity = src->capacity;
        dst->type = src->type;
        memcpy(dst->format, src->format, sizeof(dst->format));
        memcpy(dst->compat, src->compat, sizeof(dst->compat));
        memcpy(dst->backing_format, src->backing_format, sizeof(dst->backing_format));
        memcpy(dst->probed_format, src->probed_format, sizeof(dst->probed_format));
        memcpy(dst->encryption, src->encryption, sizeof(dst->encryption));
        dst->cipher = src->cipher;
        dst->lazy_refcounts = src->lazy_refcounts;
        dst->extended_l2 = src->extended_l2;
        dst->cluster_bits = src->cluster_bits;
        dst->recorded = src->recorded;
        dst->ctime_ns = src->ctime_ns;
        dst->read_at_ns = src->read_at_ns;
        free(dst->backing_path);
        dst->backing_path = TAKE_PTR(src->backing_path);
        free(dst->problem);
        dst->problem = TAKE_PTR(src->problem);
}

/* One refresh: the old table, the new one, what both need. */
struct refresh {
        storvirt__pool_obj *obj;
        struct gl_pool *p;
        const storvirt__hashmap *index;
        storvirt__hashmap *vols;
        int64_t read_at_ns;
};

/* A record read from this very file (inode, change time) when its time was settled. */
static bool rec_unchanged(const storvirt__vol_rec *rec, const struct stat *st) {
        return rec->ino == (uint64_t)st->st_ino && rec->ctime_ns &&
               rec->ctime_ns == storvirt__timespec_ns(&st->st_ctim) &&
               storvirt__stamp_settled(rec->ctime_ns, rec->read_at_ns);
}

static int refresh_entry(const char *name, const struct stat *st, const storvirt__img_io *io,
                         void *userdata) {
        struct refresh *rf = userdata;
        storvirt__vol_rec *old, *rec;
        _cleanup_free_ char *key = NULL;
        int r;

        if (!(S_ISREG(st->st_mode) || S_ISDIR(st->st_mode)))
                return 0;       /* links are never followed; sockets, fifos are no volumes */
        if (strncmp(name, PARTIAL_PREFIX, sizeof(PARTIAL_PREFIX) - 1) == 0)
                return 0;       /* a volume being built */
        old = storvirt__hashmap_get(rf->obj->vols, name);
        if (old && (old->busy || old->ino == (uint64_t)st->st_ino)) {
                /* an unchanged file is not read again; one being built is its builder's */
                if (!old->busy && !rec_unchanged(old, st)) {
                        storvirt__vol_rec tmp = { .name = old->name, .path = old->path };

                        rec_fill(rf->p, &tmp, st, rf->index, io, rf->read_at_ns);
                        rec_publish(old, &tmp);
                }
                return storvirt__hashmap_put(rf->vols, old->name, storvirt__vol_rec_ref(old));
        }
        if (asprintf(&key, "%s/%s", rf->p->url, name) < 0)
                return storvirt__error_oom();
        rec = storvirt__vol_rec_new(name, key, key);
        if (!rec)
                return storvirt__error_oom();
        rec_fill(rf->p, rec, st, rf->index, io, rf->read_at_ns);
        r = storvirt__hashmap_put(rf->vols, rec->name, rec);
        if (r < 0)
                storvirt__vol_rec_unref(rec);
        return r;
}

static int gluster_refresh_capacity(storvirt__pool_obj *obj) {
        struct gl_pool *p;
        struct statvfs sv;
        int r = session(obj, &p);

        if (r >= 0)
                r = storvirt__gl_statvfs(p->gl, p->dir, &sv);
        if (r < 0)
                return r;
        obj->capacity = (uint64_t)sv.f_frsize * sv.f_blocks;
        obj->available = (uint64_t)sv.f_frsize * sv.f_bavail;
        obj->allocation = (uint64_t)sv.f_frsize * (sv.f_blocks - sv.f_bfree);
        return 0;
}

/* Records still being built stay in the new table; the others not seen are gone. */
static int keep_busy(storvirt__pool_obj *obj, storvirt__hashmap *vols) {
        const char *name;
        size_t it = 0;
        void *v;
        int r = 0;

        while (r >= 0 && storvirt__hashmap_iterate(obj->vols, &it, &name, &v)) {
                storvirt__vol_rec *rec = v;

                if (storvirt__hashmap_contains(vols, name))
                        continue;
                if (rec->busy)
                        r = storvirt__hashmap_put(vols, rec->name, storvirt__vol_rec_ref(rec));
                else
                        rec->deleted = true;
        }
        return r;
}

static int gluster_refresh(storvirt__pool_obj *obj, uint32_t flags) {
        _cleanup_hashmap_free_ storvirt__hashmap *index = NULL;
        struct refresh rf = { .obj = obj };
        int r = session(obj, &rf.p);

        if (r >= 0)
                r = storvirt__vol_index_load(obj->ctx, rf.p->url, &index);
        if (r >= 0)
                r = storvirt__hashmap_new(&rf.vols, storvirt__vol_rec_unref_void);
        if (r < 0)
                return r;
        rf.index = index;
        rf.read_at_ns = storvirt__now_ns();
        r = storvirt__gl_list(rf.p->gl, rf.p->dir, refresh_entry, &rf);
        if (r >= 0)
                r = keep_busy(obj, rf.vols);
        if (r < 0) {
                storvirt__hashmap_free(rf.vols);
                return storvirt__error_prefix("pool '%s'", obj->def->name);
        }
        storvirt__pool_obj_set_vols(obj, rf.vols);
        if (gluster_refresh_capacity(obj) < 0) {
                log_warning(obj->ctx, "pool '%s': %s", obj->def->name, storvirt__error_msg());
                storvirt__error_reset();
        }
        return 0;
}

static int gluster_check(storvirt__pool_obj *obj, bool *ret_active) {
        /* running as its record says: the volume is reached when it is first used */
        *ret_active = true;
        return 0;
}

static int gluster_start(storvirt__pool_obj *obj, uint32_t flags) {
        struct gl_pool *p;

        return session(obj, &p);
}

static int gluster_stop(storvirt__pool_obj *obj, uint32_t flags) {
        gl_pool_free(obj->backend_data);
        obj->backend_data = NULL;
        obj->backend_data_free = NULL;
        return 0;
}

/* The pool's handle for a volume operation (called without obj->lock). */
static int session_unlocked(storvirt__pool_obj *obj, struct gl_pool **ret) {
        int r;

        storvirt__mutex_lock(&obj->lock);
        r = session(obj, ret);
        storvirt__mutex_unlock(&obj->lock);
        return r;
}

static int gluster_refresh_volume(storvirt__pool_obj *obj, storvirt__vol_rec *rec,
                                  uint32_t flags) {
        _cleanup_hashmap_free_ storvirt__hashmap *index = NULL;
        storvirt__vol_rec tmp = { .name = rec->name, .path = rec->path };
        _cleanup_free_ char *path = NULL;
        int64_t now = storvirt__now_ns();
        struct gl_pool *p;
        struct stat st;
        int r;

        if (flags & STORVIRT__REFRESH_IF_CHANGED)
                return 0;       /* a refresh reads the volume again */
        r = session_unlocked(obj, &p);
        if (r >= 0)
                r = storvirt__vol_index_load(obj->ctx, p->url, &index);
        if (r >= 0)
                r = path_in(p, rec->name, &path);
        if (r >= 0)
                r = storvirt__gl_lstat(p->gl, path, &st);
        if (r < 0)
                return storvirt__error_prefix("volume '%s'", rec->path);
        rec_fill(p, &tmp, &st, index, NULL, now);
        storvirt__mutex_lock(&obj->lock);
        rec_publish(rec, &tmp);
        storvirt__mutex_unlock(&obj->lock);
        rec_reset(&tmp);
        return 0;
}

static int gluster_create_volume(storvirt__pool_obj *obj, const storvirt__vol_def *def,
                                 storvirt__vol_rec **ret_rec, uint32_t flags) {
        const char *fmt = def->target.format ? def->target.format : "raw";
        _cleanup_free_ char *url = NULL, *key = NULL;
        storvirt__vol_rec *rec;
        int r;

        r = storvirt__name_check("volume name", def->name);
        if (r < 0)
                return r;
        if (strcmp(fmt, "raw") != 0 && strcmp(fmt, "qcow2") != 0)
                return storvirt__error_set(-EOPNOTSUPP, "volume '%s': format '%s' is not supported "
                                           "in gluster pools (raw, qcow2)", def->name, fmt);
        if (strcmp(fmt, "qcow2") != 0 && (def->target.compat || def->target.cluster_size ||
                                          def->target.has_features))
                return storvirt__error_set(-EINVAL, "volume '%s': <target><%s> applies to qcow2 "
                                           "volumes only, not %s", def->name,
                                           def->target.has_features ? "features" :
                                           def->target.cluster_size ? "clusterSize" : "compat",
                                           fmt);
        if (def->backing.path)
                return storvirt__error_set(-EOPNOTSUPP, "volume '%s': <backingStore> is not "
                                           "supported in gluster pools", def->name);
        r = storvirt__gluster_pool_url(obj->def, &url);
        if (r < 0)
                return r;
        if (asprintf(&key, "%s/%s", url, def->name) < 0)
                return storvirt__error_oom();
        rec = storvirt__vol_rec_new(def->name, key, key);
        if (!rec)
                return storvirt__error_oom();
        field_set(rec->format, sizeof(rec->format), fmt);
        rec->type = STORVIRT_VOLUME_TYPE_NETWORK;
        rec->capacity = def->capacity;
        *ret_rec = rec;
        return 0;
}

/* Writes zeros over [start, end) of f, reporting progress. */
static int write_zeros(storvirt__gl_file *f, uint64_t start, uint64_t end,
                       const storvirt__progress *progress) {
        _cleanup_free_ void *zeros = calloc(1, ZERO_CHUNK);
        int r = zeros ? 0 : storvirt__error_oom();

        for (uint64_t off = start; r >= 0 && off < end; off += ZERO_CHUNK) {
                r = storvirt__gl_pwrite_full(f, zeros, (size_t)MIN((uint64_t)ZERO_CHUNK, end - off),
                                             off);
                if (r >= 0)
                        r = storvirt__progress_report(progress, MIN(off + ZERO_CHUNK, end), end);
        }
        return r;
}

static int build_raw(storvirt__gl_file *f, const storvirt__vol_def *def,
                     const storvirt__progress *progress) {
        /* libvirt's rule: no <allocation> means fully allocated */
        uint64_t alloc = def->capacity;
        int r = 0;

        if (def->has_allocation && def->allocation < def->capacity)
                alloc = def->allocation;
        if (alloc > 0 && storvirt__gl_fallocate(f, 0, alloc) < 0) {
                storvirt__error_reset();
                r = write_zeros(f, 0, alloc, progress);
        }
        if (r >= 0)
                r = storvirt__gl_ftruncate(f, def->capacity);
        return r;
}

static int build_qcow2(storvirt__gl_file *f, const storvirt__vol_def *def, uint32_t flags) {
        struct storvirt__qcow2_opts o = {
                .size = def->capacity,
                .cluster_size = (uint32_t)def->target.cluster_size,
                .compat_010 = def->target.compat && strcmp(def->target.compat, "0.10") == 0,
                .lazy_refcounts = def->target.lazy_refcounts,
                .extended_l2 = def->target.extended_l2,
                .preallocate_metadata = flags & STORVIRT_VOLUME_CREATE_PREALLOC_METADATA,
        };
        storvirt__img_io io;

        storvirt__gl_file_io(f, &io);
        return storvirt__qcow2_create_io(&io, &o, def->name);
}

/* A hidden name for a volume being built: PARTIAL_PREFIX and 12 random characters. */
static int partial_name(char ret[static 40]) {
        static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
        unsigned char rnd[12];
        size_t n = sizeof(PARTIAL_PREFIX) - 1;

        if (getentropy(rnd, sizeof(rnd)) < 0)
                return storvirt__error_set(-errno, "getentropy: %m");
        memcpy(ret, PARTIAL_PREFIX, n);
        for (size_t i = 0; i < sizeof(rnd); i++)
                ret[n + i] = chars[rnd[i] % (sizeof(chars) - 1)];
        ret[n + sizeof(rnd)] = '\0';
        return 0;
}

/* Records the new file's format, then links it under its name. */
static int commit(storvirt__pool_obj *obj, struct gl_pool *p, storvirt__gl_file *f,
                  const char *tmp, const storvirt__vol_rec *rec) {
        _cleanup_free_ char *final = NULL;
        struct stat st;
        int r;

        r = storvirt__gl_fsync(f);
        if (r >= 0)
                r = storvirt__gl_fstat(f, &st);
        if (r >= 0)
                r = storvirt__vol_index_set(obj->ctx, p->url, rec->name, rec->format,
                                            (uint64_t)st.st_ino);
        if (r >= 0)
                r = path_in(p, rec->name, &final);
        if (r >= 0) {
                r = storvirt__gl_rename_noreplace(p->gl, tmp, final);
                if (r < 0)
                        storvirt__vol_index_remove(obj->ctx, p->url, rec->name);
        }
        return r;
}

/* ---- upload and download through a file descriptor ---------------------------------------- */

#define IO_CHUNK (1u << 20)

static bool all_zero(const char *buf, size_t n) {
        return n == 0 || (buf[0] == 0 && memcmp(buf, buf + 1, n - 1) == 0);
}

/* The volume's file open on the pool's handle, and its size. */
static int vol_open(storvirt__pool_obj *obj, storvirt__vol_rec *rec, int flags,
                    storvirt__gl_file **ret, uint64_t *ret_size) {
        _cleanup_free_ char *path = NULL;
        struct gl_pool *p;
        struct stat st;
        int r = session_unlocked(obj, &p);

        if (r >= 0 && rec->type != STORVIRT_VOLUME_TYPE_NETWORK)
                r = storvirt__error_set(-EINVAL, "volume '%s' is a directory", rec->path);
        if (r >= 0)
                r = path_in(p, rec->name, &path);
        if (r >= 0)
                r = storvirt__gl_open(p->gl, path, flags, 0, ret);
        if (r >= 0 && (r = storvirt__gl_fstat(*ret, &st)) < 0)
                storvirt__gl_close(*ret);
        if (r >= 0)
                *ret_size = (uint64_t)st.st_size;
        return r;
}

/* Copies fd's data into f at offset; a raw volume never grows past its capacity. */
static int upload_loop(storvirt__gl_file *f, storvirt__vol_rec *rec, int fd, uint64_t offset,
                       uint64_t length, uint64_t limit, bool sparse, const storvirt__progress *p,
                       uint64_t *ret_done) {
        _cleanup_free_ char *buf = malloc(IO_CHUNK);
        uint64_t done = 0, total = length ? length : (limit != UINT64_MAX ? limit - offset : 0);
        int r = buf ? 0 : storvirt__error_oom();

        while (r >= 0 && (!length || done < length)) {
                size_t want = length && length - done < IO_CHUNK ? (size_t)(length - done) : IO_CHUNK;
                ssize_t k = read(fd, buf, want);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return storvirt__error_set(-errno, "upload to '%s': reading the source: %m",
                                                   rec->path);
                if (k == 0)
                        break;
                if (offset + done + (uint64_t)k > limit)
                        return storvirt__error_set(-EINVAL, "upload to '%s': data past the "
                                                   "capacity %" PRIu64, rec->path, limit);
                if (sparse && all_zero(buf, (size_t)k))
                        r = storvirt__gl_zerofill(f, offset + done, (uint64_t)k);
                else
                        r = storvirt__gl_pwrite_full(f, buf, (size_t)k, offset + done);
                done += (uint64_t)k;
                if (r >= 0)
                        r = storvirt__progress_report(p, done, total ? total : done);
        }
        *ret_done = done;
        return r;
}

/* What fills a new volume's file: a new image, or a copy of another volume. */
struct filler {
        const storvirt__vol_def *def;
        const storvirt__progress *progress;
        uint32_t flags;
        storvirt__gl_file *src;         /* a copy's source, NULL for a new image */
        uint64_t src_size;
};

/* Copies the source's bytes; the new file is sized first, so zeros stay holes. */
static int fill_copy(storvirt__gl_file *f, const struct filler *fl, uint64_t size) {
        _cleanup_free_ char *buf = malloc(IO_CHUNK);
        int r = buf ? storvirt__gl_ftruncate(f, size) : storvirt__error_oom();

        for (uint64_t pos = 0; r >= 0 && pos < fl->src_size;) {
                size_t n = fl->src_size - pos > IO_CHUNK ? IO_CHUNK : (size_t)(fl->src_size - pos);

                r = storvirt__gl_pread_full(fl->src, buf, n, pos);
                if (r >= 0 && !all_zero(buf, n))
                        r = storvirt__gl_pwrite_full(f, buf, n, pos);
                pos += n;
                if (r >= 0)
                        r = storvirt__progress_report(fl->progress, pos, fl->src_size);
        }
        return r;
}

static int fill(storvirt__gl_file *f, const storvirt__vol_rec *rec, const struct filler *fl) {
        if (fl->src)
                return fill_copy(f, fl, strcmp(rec->format, "raw") == 0 ? fl->def->capacity
                                                                        : fl->src_size);
        if (strcmp(rec->format, "qcow2") == 0)
                return build_qcow2(f, fl->def, fl->flags);
        return build_raw(f, fl->def, fl->progress);
}

/* Builds rec under a hidden name, filled by fl, then links it into place. */
static int build_file(storvirt__pool_obj *obj, struct gl_pool *p, storvirt__vol_rec *rec,
                      const struct filler *fl) {
        mode_t mode = fl->def->target.mode >= 0 ? (mode_t)fl->def->target.mode : 0600;
        _cleanup_free_ char *tmp = NULL, *final = NULL;
        storvirt__gl_file *f = NULL;
        struct stat st;
        char name[40];
        int r;

        r = path_in(p, rec->name, &final);
        if (r >= 0 && storvirt__gl_lstat(p->gl, final, &st) >= 0)
                r = storvirt__error_set(-EEXIST, "volume '%s' already exists", rec->path);
        else if (r >= 0)
                storvirt__error_reset();
        if (r >= 0)
                r = partial_name(name);
        if (r >= 0)
                r = path_in(p, name, &tmp);
        if (r >= 0)
                r = storvirt__gl_open(p->gl, tmp, O_RDWR | O_CREAT | O_EXCL, mode, &f);
        if (r < 0)
                return r;
        r = fill(f, rec, fl);
        if (r >= 0)
                r = commit(obj, p, f, tmp, rec);
        if (storvirt__gl_close(f) < 0 && r >= 0)
                r = storvirt__error_prefix("volume '%s'", rec->path);
        if (r < 0) {
                storvirt__error_saved e;

                storvirt__error_save(&e);
                storvirt__gl_unlink(p->gl, tmp);
                return storvirt__error_restore(&e);
        }
        return 0;
}

static int gluster_build_volume(storvirt__pool_obj *obj, storvirt__vol_rec *rec,
                                const storvirt__vol_def *def, const storvirt__progress *progress,
                                uint32_t flags) {
        const struct filler fl = { .def = def, .progress = progress, .flags = flags };
        struct gl_pool *p;
        int r = session_unlocked(obj, &p);

        return r < 0 ? r : build_file(obj, p, rec, &fl);
}

/*
 * A copy of a volume of the same pool, byte for byte (holes kept): of
 * its format (no conversion); a raw copy may be larger than its source,
 * a qcow2 one keeps its source's capacity.
 */
static int gluster_build_volume_from(storvirt__pool_obj *obj, storvirt__vol_rec *rec,
                                     const storvirt__vol_def *def, storvirt__vol_rec *src,
                                     const storvirt__progress *progress, uint32_t flags) {
        struct filler fl = { .def = def, .progress = progress, .flags = flags };
        struct gl_pool *p;
        size_t n;
        int r = session_unlocked(obj, &p);

        if (r < 0)
                return r;
        n = strlen(p->url);
        if (strncmp(src->path, p->url, n) != 0 || src->path[n] != '/' || strchr(src->path + n + 1, '/'))
                return storvirt__error_set(-EOPNOTSUPP, "volume '%s': a gluster pool copies only "
                                           "its own volumes, not '%s'", rec->name, src->path);
        if (strcmp(src->format, rec->format) != 0)
                return storvirt__error_set(-EOPNOTSUPP, "volume '%s': a copy of a %s volume is %s "
                                           "too (no conversion in gluster pools)", rec->name,
                                           src->format, src->format);
        if (strcmp(rec->format, "raw") != 0 && def->capacity != src->capacity)
                return storvirt__error_set(-EOPNOTSUPP, "volume '%s': a %s copy keeps its "
                                           "source's capacity", rec->name, rec->format);
        r = vol_open(obj, src, O_RDONLY, &fl.src, &fl.src_size);
        if (r < 0)
                return r;
        r = build_file(obj, p, rec, &fl);
        storvirt__gl_close(fl.src);
        return r;
}

static int gluster_delete_volume(storvirt__pool_obj *obj, storvirt__vol_rec *rec,
                                 uint32_t flags) {
        _cleanup_free_ char *path = NULL;
        struct gl_pool *p;
        int r = session_unlocked(obj, &p);

        if (r >= 0)
                r = path_in(p, rec->name, &path);
        if (r >= 0)
                r = rec->type == STORVIRT_VOLUME_TYPE_NETDIR ? storvirt__gl_rmdir(p->gl, path)
                                                              : storvirt__gl_unlink(p->gl, path);
        if (r == -ENOENT)
                r = 0;
        if (r < 0)
                return storvirt__error_prefix("deleting volume '%s'", rec->path);
        if (rec->recorded && storvirt__vol_index_remove(obj->ctx, p->url, rec->name) < 0)
                log_warning(obj->ctx, "pool '%s': %s", obj->def->name, storvirt__error_msg());
        return 0;
}

/* qemu-img resize of a qcow2 volume, which reaches it through its own libgfapi client. */
static int resize_qcow2(storvirt__vol_rec *rec, uint64_t capacity) {
        char size[32];
        char *argv[] = { (char *)"qemu-img", (char *)"resize", (char *)"-q", (char *)"-f",
                         (char *)"qcow2", (char *)rec->path, size, NULL };

        if (storvirt__command_find("qemu-img", NULL) < 0)
                return storvirt__error_set(-EOPNOTSUPP, "volume '%s': resizing a qcow2 volume "
                                           "needs qemu-img, which is not installed", rec->path);
        snprintf(size, sizeof(size), "%" PRIu64, capacity);
        return storvirt__command_run(argv, 300000, NULL);
}

static int gluster_resize_volume(storvirt__pool_obj *obj, storvirt__vol_rec *rec,
                                 uint64_t capacity, uint32_t flags) {
        _cleanup_free_ char *path = NULL;
        storvirt__gl_file *f = NULL;
        struct gl_pool *p;
        struct stat st;
        int r;

        if (rec->type != STORVIRT_VOLUME_TYPE_NETWORK)
                return storvirt__error_set(-EINVAL, "volume '%s' is a directory", rec->path);
        if (strcmp(rec->format, "qcow2") == 0)
                return resize_qcow2(rec, capacity);
        if (strcmp(rec->format, "raw") != 0)
                return storvirt__error_set(-EOPNOTSUPP, "volume '%s': resizing a %s volume of a "
                                           "gluster pool is not supported", rec->path, rec->format);
        r = session_unlocked(obj, &p);
        if (r >= 0)
                r = path_in(p, rec->name, &path);
        if (r >= 0)
                r = storvirt__gl_open(p->gl, path, O_RDWR, 0, &f);
        if (r >= 0)
                r = storvirt__gl_fstat(f, &st);
        if (r >= 0 && (flags & STORVIRT_VOLUME_RESIZE_ALLOCATE) && capacity > (uint64_t)st.st_size)
                r = storvirt__gl_fallocate(f, (uint64_t)st.st_size, capacity - (uint64_t)st.st_size);
        if (r >= 0)
                r = storvirt__gl_ftruncate(f, capacity);
        if (r >= 0)
                r = storvirt__gl_fsync(f);
        if (storvirt__gl_close(f) < 0 && r >= 0)
                r = storvirt__error_code();
        return r < 0 ? storvirt__error_prefix("resizing volume '%s'", rec->path) : 0;
}

static int gluster_upload(storvirt__pool_obj *obj, storvirt__vol_rec *rec, int fd,
                          uint64_t offset, uint64_t length, const storvirt__progress *p,
                          uint32_t flags) {
        bool raw = strcmp(rec->format, "raw") == 0;
        uint64_t limit = raw ? rec->capacity : UINT64_MAX, size = 0, done = 0;
        storvirt__gl_file *f = NULL;
        int r;

        struct stat in;
        off_t at;

        /* a file's remaining bytes are known: refused before anything is written */
        if (!length && fstat(fd, &in) == 0 && S_ISREG(in.st_mode) &&
            (at = lseek(fd, 0, SEEK_CUR)) >= 0 && in.st_size > at &&
            offset <= limit && (uint64_t)(in.st_size - at) > limit - offset)
                length = (uint64_t)(in.st_size - at);
        if (offset > limit || (length && length > limit - offset))
                return storvirt__error_set(-EINVAL, "upload to '%s': offset %" PRIu64 " + length %"
                                           PRIu64 " is past the capacity %" PRIu64, rec->path,
                                           offset, length, limit);
        r = vol_open(obj, rec, O_RDWR, &f, &size);
        if (r < 0)
                return r;
        r = upload_loop(f, rec, fd, offset, length, limit,
                        flags & STORVIRT_VOLUME_TRANSFER_SPARSE, p, &done);
        if (r >= 0 && !raw && offset + done > size)
                r = storvirt__gl_ftruncate(f, offset + done);
        if (r >= 0)
                r = storvirt__gl_fsync(f);
        if (storvirt__gl_close(f) < 0 && r >= 0)
                r = storvirt__error_code();
        return r;
}

/* Writes n bytes to fd, or with seek (a sparse copy into a seekable fd) skips zeros. */
static int emit(int fd, const char *buf, size_t n, bool seek) {
        if (seek && all_zero(buf, n))
                return lseek(fd, (off_t)n, SEEK_CUR) < 0 ? -errno : 0;
        while (n > 0) {
                ssize_t k = write(fd, buf, n);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                buf += k;
                n -= (size_t)k;
        }
        return 0;
}

static int gluster_download(storvirt__pool_obj *obj, storvirt__vol_rec *rec, int fd,
                            uint64_t offset, uint64_t length, const storvirt__progress *p,
                            uint32_t flags) {
        off_t start_out = lseek(fd, 0, SEEK_CUR);
        bool seek = (flags & STORVIRT_VOLUME_TRANSFER_SPARSE) && start_out >= 0;
        _cleanup_free_ char *buf = malloc(IO_CHUNK);
        storvirt__gl_file *f = NULL;
        uint64_t size = 0, end;
        int r = buf ? vol_open(obj, rec, O_RDONLY, &f, &size) : storvirt__error_oom();

        if (r < 0)
                return r;
        if (offset > size || (length && length > size - offset)) {
                storvirt__gl_close(f);
                return storvirt__error_set(-EINVAL, "download from '%s': offset %" PRIu64 " + "
                                           "length %" PRIu64 " is past its size %" PRIu64,
                                           rec->path, offset, length, size);
        }
        end = length ? offset + length : size;
        for (uint64_t pos = offset; r >= 0 && pos < end;) {
                size_t n = end - pos > IO_CHUNK ? IO_CHUNK : (size_t)(end - pos);

                r = storvirt__gl_pread_full(f, buf, n, pos);
                if (r >= 0 && (r = emit(fd, buf, n, seek)) < 0)
                        r = storvirt__error_set(r, "download from '%s': writing: %s", rec->path,
                                                strerror(-r));
                pos += n;
                if (r >= 0)
                        r = storvirt__progress_report(p, pos - offset, end - offset);
        }
        storvirt__gl_close(f);
        /* a sparse copy that ends in a hole gets its size */
        if (r >= 0 && seek && ftruncate(fd, start_out + (off_t)(end - offset)) < 0 &&
            errno != EINVAL)
                r = storvirt__error_set(-errno, "download from '%s': %m", rec->path);
        return r;
}

/* The volume's identity: the GlusterFS volume's id and the file's gfid, which renames keep. */
static int gluster_volume_identity(storvirt__pool_obj *obj, storvirt__vol_rec *rec, char **ret) {
        _cleanup_free_ char *path = NULL;
        char volid[37], gfid[37];
        struct gl_pool *p;
        int r = session_unlocked(obj, &p);

        if (r >= 0)
                r = path_in(p, rec->name, &path);
        if (r >= 0)
                r = storvirt__gl_volume_id(p->gl, volid);
        if (r >= 0)
                r = storvirt__gl_gfid(p->gl, path, gfid);
        if (r < 0)
                return storvirt__error_prefix("pool '%s'", obj->def->name);
        if (asprintf(ret, "gluster:%s/%s", volid, gfid) < 0)
                return storvirt__error_oom();
        return 0;
}

const storvirt__backend_ops storvirt__backend_gluster = {
        .abi = STORVIRT__BACKEND_ABI,
        .type = "gluster",
        .check_pool = gluster_check,
        .start_pool = gluster_start,
        .refresh_pool = gluster_refresh,
        .refresh_capacity = gluster_refresh_capacity,
        .stop_pool = gluster_stop,
        .create_volume = gluster_create_volume,
        .build_volume = gluster_build_volume,
        .build_volume_from = gluster_build_volume_from,
        .refresh_volume = gluster_refresh_volume,
        .delete_volume = gluster_delete_volume,
        .resize_volume = gluster_resize_volume,
        .upload_volume = gluster_upload,
        .download_volume = gluster_download,
        .volume_identity = gluster_volume_identity,
};
