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
 * its header says, read through libgfapi by the same native prober;
 * an encrypted volume the library made keeps its secret from the index.
 * A qcow2 header's backing file is followed only inside the pool's
 * directory (objects/vol_chain.h checks the chain when it is used).
 * The volume operations are in gluster_vol.c, find-sources in
 * gluster_sources.c.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "backends/gluster.h"
#include "backends/local.h"
#include "objects/ctx.h"
#include "objects/vol_index.h"
#include "objects/vol_list.h"
#include "sys/gluster.h"
#include "util/buf.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/macro.h"

#define PARTIAL_PREFIX STORVIRT__GLUSTER_PARTIAL_PREFIX

static void gl_pool_free(void *data) {
        storvirt__gluster_pool *p = data;

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
static int session(storvirt__pool_obj *obj, storvirt__gluster_pool **ret) {
        const storvirt__pool_def *def = obj->def;
        storvirt__gl_server servers[16];
        storvirt__gluster_pool *p;
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

int storvirt__gluster_path_in(const storvirt__gluster_pool *p, const char *name, char **ret) {
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

/*
 * The URL of the backing file a header of the volume at url names: a
 * file of the same directory of the same GlusterFS volume, named as the
 * library writes it (its name, which QEMU reads relative to the image),
 * as "./NAME", or as its whole gluster:// URL.  Anything else (another
 * directory, volume or server, a host path, another protocol) leaves the
 * pool, and a backing chain never does: -EPERM naming both.
 */
static int backing_url(const char *url, const char *name, char **ret) {
        const char *slash = strrchr(url, '/');
        size_t dir = slash ? (size_t)(slash - url) : 0;
        const char *base = name;

        if (strncmp(name, url, dir) == 0 && name[dir] == '/')
                base = name + dir + 1;
        else if (strncmp(name, "./", 2) == 0)
                base = name + 2;
        if (!*base || strchr(base, '/') || strchr(base, ':') || strcmp(base, ".") == 0 ||
            strcmp(base, "..") == 0)
                return storvirt__error_set(-EPERM, "'%s' names backing file '%s', which is not a "
                                           "file of its gluster pool's directory %.*s: a backing "
                                           "chain never leaves the pool", url, name, (int)dir, url);
        if (asprintf(ret, "%.*s/%s", (int)dir, url, base) < 0)
                return storvirt__error_oom();
        return 0;
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
                field_set(rec->backing_format, sizeof(rec->backing_format), info->backing_format);
                if (backing_url(rec->path, info->backing_file, &rec->backing_path) < 0) {
                        rec_set_problem(rec);
                        return;
                }
        }
        /* an image encrypted with a secret the library knows is checked when handed out */
        if (storvirt__img_check_usable(info, rec->path,
                                       rec->secret[0] ? STORVIRT__IMG_USABLE_SECRET_KNOWN : 0) < 0)
                rec_set_problem(rec);
}

/*
 * A file the library made encrypted: its header must still say so (a
 * raw volume is then read as the LUKS container it is, its capacity the
 * payload's); the secret of its index entry comes with it.
 */
static void rec_probe_encrypted(storvirt__vol_rec *rec, const storvirt__img_io *io,
                                const storvirt__vol_index_entry *known) {
        bool raw = strcmp(known->format, "raw") == 0;
        storvirt__img_info info = {};

        memcpy(rec->secret, known->secret, sizeof(rec->secret));
        if (storvirt__img_probe_io(io, rec->physical, rec->path, raw ? "luks" : known->format,
                                   &info) < 0) {
                storvirt__error_prefix("created as an encrypted (%s) %s volume, but its header "
                                       "cannot be read", known->encryption, known->format);
                rec_set_problem(rec);
                return;
        }
        rec_take_info(rec, &info);
        storvirt__img_info_clear(&info);
        if (strcmp(rec->encryption, known->encryption) != 0) {
                storvirt__error_set(-ESTALE, "'%s': created encrypted (%s), but its header says %s",
                                    rec->path, known->encryption,
                                    rec->encryption[0] ? rec->encryption : "it is not encrypted");
                rec_set_problem(rec);
        }
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
                memcpy(rec->index_encryption, known->encryption, sizeof(rec->index_encryption));
                memcpy(rec->index_secret, known->secret, sizeof(rec->index_secret));
                if (known->encryption[0]) {
                        rec_probe_encrypted(rec, io, known);
                        return;
                }
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
        rec->index_encryption[0] = rec->index_secret[0] = '\0';
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
static void rec_fill(storvirt__gluster_pool *p, storvirt__vol_rec *rec, const struct stat *st,
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
        if (storvirt__gluster_path_in(p, rec->name, &path) < 0 || storvirt__gl_open(p->gl, path, O_RDONLY, 0, &f) < 0) {
                field_set(rec->format, sizeof(rec->format), "raw");
                rec_set_problem(rec);
                return;
        }
        storvirt__gl_file_io(f, &fio);
        rec_probe(rec, &fio, known);
        storvirt__gl_close(f);
}

/* One refresh: the old table, the new one, what both need. */
struct refresh {
        storvirt__pool_obj *obj;
        storvirt__gluster_pool *p;
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
                        storvirt__vol_rec_publish(old, &tmp);
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
        storvirt__gluster_pool *p;
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
        storvirt__gluster_pool *p;

        return session(obj, &p);
}

static int gluster_stop(storvirt__pool_obj *obj, uint32_t flags) {
        gl_pool_free(obj->backend_data);
        obj->backend_data = NULL;
        obj->backend_data_free = NULL;
        return 0;
}

/* The pool's handle for a volume operation (called without obj->lock). */
int storvirt__gluster_session(storvirt__pool_obj *obj, storvirt__gluster_pool **ret) {
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
        storvirt__gluster_pool *p;
        struct stat st;
        int r;

        if (flags & STORVIRT__REFRESH_IF_CHANGED)
                return 0;       /* a refresh reads the volume again */
        r = storvirt__gluster_session(obj, &p);
        if (r >= 0)
                r = storvirt__vol_index_load(obj->ctx, p->url, &index);
        if (r >= 0)
                r = storvirt__gluster_path_in(p, rec->name, &path);
        if (r >= 0)
                r = storvirt__gl_lstat(p->gl, path, &st);
        if (r < 0)
                return storvirt__error_prefix("volume '%s'", rec->path);
        rec_fill(p, &tmp, &st, index, NULL, now);
        storvirt__mutex_lock(&obj->lock);
        storvirt__vol_rec_publish(rec, &tmp);
        storvirt__mutex_unlock(&obj->lock);
        rec_reset(&tmp);
        return 0;
}

/* The volume's identity: the GlusterFS volume's id and the file's gfid, which renames keep. */
static int gluster_volume_identity(storvirt__pool_obj *obj, storvirt__vol_rec *rec, char **ret) {
        _cleanup_free_ char *path = NULL;
        char volid[37], gfid[37];
        storvirt__gluster_pool *p;
        int r = storvirt__gluster_session(obj, &p);

        if (r >= 0)
                r = storvirt__gluster_path_in(p, rec->name, &path);
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
        .encrypted_volumes = true,
        .backing_in_pool = true,
        .find_sources = storvirt__gluster_find_sources,
        .check_pool = gluster_check,
        .start_pool = gluster_start,
        .refresh_pool = gluster_refresh,
        .refresh_capacity = gluster_refresh_capacity,
        .stop_pool = gluster_stop,
        .create_volume = storvirt__gluster_create_volume,
        .build_volume = storvirt__gluster_build_volume,
        .build_volume_from = storvirt__gluster_build_volume_from,
        .refresh_volume = gluster_refresh_volume,
        .delete_volume = storvirt__gluster_delete_volume,
        .resize_volume = storvirt__gluster_resize_volume,
        .upload_volume = storvirt__gluster_upload,
        .download_volume = storvirt__gluster_download,
        .wipe_volume = storvirt__gluster_wipe_volume,
        .volume_identity = gluster_volume_identity,
};
