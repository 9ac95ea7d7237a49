/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * local.c - refresh and volume creation for file-based pools (dir, fs,
 * netfs).  The refresh is built to stay near the syscall floor: one
 * getdents64 pass, then per entry openat(O_NOFOLLOW) + fstat + one header
 * read, reusing the records of unchanged files.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>

#include "backends/local.h"
#include "objects/ctx.h"
#include "objects/vol_index.h"
#include "objects/vol_list.h"
#include "sys/command.h"
#include "sys/imgfmt.h"
#include "sys/qcow2.h"
#include "sys/rawimg.h"
#include "util/bigmem.h"
#include "util/buf.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/macro.h"
#include "util/parallel.h"
#include "util/strv.h"

int storvirt__progress_report(const storvirt__progress *p, uint64_t done, uint64_t total) {
        if (!p || !p->fn)
                return 0;
        if (p->fn(done, total, p->userdata) != 0)
                return storvirt__error_set(-ECANCELED, "operation cancelled by the progress callback");
        return 0;
}

int storvirt__local_open_target(storvirt__pool_obj *obj) {
        const char *path = obj->def->target.path;
        int fd;

        if (obj->target_fd >= 0)
                return 0;
        if (!path)
                return storvirt__error_set(-EINVAL, "pool '%s' has no target path", obj->def->name);
        fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return storvirt__error_set(-errno, "pool '%s': target directory '%s': %s%s",
                                           obj->def->name, path, strerror(errno),
                                           errno == ENOENT ? " (build the pool first)" : "");
        obj->target_fd = fd;
        return 0;
}

/* Copies a short string into a fixed field, truncating. */
static void field_set(char *dst, size_t size, const char *src) {
        size_t n = strnlen(src, size - 1);

        memcpy(dst, src, n);
        dst[n] = '\0';
}

/* Keeps the message of the last failure as the record's problem. */
static void rec_set_problem(storvirt__vol_rec *rec) {
        free(rec->problem);
        rec->problem = strdup(storvirt__error_msg() ? storvirt__error_msg() : "unusable image");
}

static bool reads_as_raw(const char *format) {
        return strcmp(format, "raw") == 0 || strcmp(format, "iso") == 0;
}

/* The figures of a probed image into the record (its format was decided already). */
static void rec_take_info(storvirt__vol_rec *rec, storvirt__img_info *info) {
        uint32_t flags = 0;

        if (strcmp(info->format, "raw") != 0)
                rec->capacity = info->virtual_size;
        if (info->backing_file) {
                rec->backing_path = info->backing_file;
                info->backing_file = NULL;
                field_set(rec->backing_format, sizeof(rec->backing_format), info->backing_format);
        }
        field_set(rec->compat, sizeof(rec->compat), info->compat);
        rec->lazy_refcounts = info->lazy_refcounts;
        rec->extended_l2 = info->extended_l2;
        rec->cluster_bits = strcmp(info->format, "qcow2") == 0 ? info->cluster_bits : 0;
        memcpy(rec->encryption, info->encryption, sizeof(rec->encryption));
        rec->cipher = info->cipher;
        /* encryption without a known secret is refused when the volume is handed out */
        if (info->encrypted)
                flags |= STORVIRT__IMG_USABLE_SECRET_KNOWN;
        if (storvirt__img_check_usable(info, rec->path, flags) < 0)
                rec_set_problem(rec);
}

/*
 * A raw volume the library made encrypted: a LUKS container whose
 * capacity is its payload.  A header that is gone (the volume was
 * overwritten from the host) is the volume's problem.
 */
static void rec_fill_luks(storvirt__vol_rec *rec, int fd, const storvirt__vol_index_entry *known) {
        storvirt__img_info info = {};

        if (storvirt__img_probe_fd_as(fd, rec->physical, rec->path, "luks", &info) < 0) {
                storvirt__error_prefix("created as an encrypted (LUKS) raw volume, but its "
                                       "LUKS header cannot be read");
                rec_set_problem(rec);
                return;
        }
        rec_take_info(rec, &info);
        memcpy(rec->secret, known->secret, sizeof(rec->secret));
        storvirt__img_info_clear(&info);
}

/* An image the library made encrypted must still say so in its header. */
static void rec_check_encryption(storvirt__vol_rec *rec, const storvirt__vol_index_entry *known) {
        if (!known->encryption[0])
                return;
        if (strcmp(rec->encryption, known->encryption) != 0) {
                storvirt__error_set(-ESTALE, "'%s': created encrypted (%s), but its header says %s",
                                    rec->path, known->encryption,
                                    rec->encryption[0] ? rec->encryption : "it is not encrypted");
                rec_set_problem(rec);
                return;
        }
        memcpy(rec->secret, known->secret, sizeof(rec->secret));
}

/*
 * A file the library recorded: its format is the recorded one whatever
 * the content says now.  A raw volume is never read as anything else; an
 * image of another format is read as that format only.
 */
static void rec_fill_recorded(storvirt__vol_rec *rec, int fd,
                              const storvirt__vol_index_entry *known) {
        const char *format = known->format;
        storvirt__img_info info = {};
        char magic[16] = "raw";

        field_set(rec->format, sizeof(rec->format), format);
        rec->recorded = true;
        memcpy(rec->index_encryption, known->encryption, sizeof(rec->index_encryption));
        memcpy(rec->index_secret, known->secret, sizeof(rec->index_secret));
        if (strcmp(format, "raw") == 0 && memcmp(known->encryption, "luks", 5) == 0) {
                rec_fill_luks(rec, fd, known);
                return;
        }
        if (reads_as_raw(format)) {     /* raw, and iso (read as raw) */
                if (storvirt__img_probe_magic(fd, rec->physical, rec->path, magic) >= 0 &&
                    !reads_as_raw(magic))
                        field_set(rec->probed_format, sizeof(rec->probed_format), magic);
                return;
        }
        if (storvirt__img_probe_fd_as(fd, rec->physical, rec->path, format, &info) < 0) {
                rec_set_problem(rec);
                if (storvirt__img_probe_magic(fd, rec->physical, rec->path, magic) >= 0 &&
                    strcmp(magic, format) != 0)
                        field_set(rec->probed_format, sizeof(rec->probed_format), magic);
                return;
        }
        rec_take_info(rec, &info);
        rec_check_encryption(rec, known);
        storvirt__img_info_clear(&info);
}

/*
 * A file the library has no record of: probed.  A header the prober
 * refuses leaves the format its magic claims and the refusal as the
 * volume's problem (never "raw": that would hand a crafted image to a
 * guest as a disk).
 */
static void rec_fill_probed(storvirt__vol_rec *rec, int fd, const struct stat *st) {
        storvirt__img_info info = {};
        char magic[16] = "raw";

        if (storvirt__img_probe_file(fd, st, rec->path, &info) < 0) {
                rec_set_problem(rec);
                if (storvirt__img_probe_magic(fd, rec->physical, rec->path, magic) < 0)
                        snprintf(magic, sizeof(magic), "unknown");
                field_set(rec->format, sizeof(rec->format), magic);
                return;
        }
        field_set(rec->format, sizeof(rec->format), info.format);
        rec_take_info(rec, &info);
        /* as libvirt reports it: a LUKS container is a raw volume with <encryption> */
        if (strcmp(info.format, "luks") == 0)
                field_set(rec->format, sizeof(rec->format), "raw");
        storvirt__img_info_clear(&info);
}

/*
 * Fills a record from an open file (no lock needed: rec is not shared yet
 * or busy), read at read_at_ns (before its fstat).
 */
static void rec_fill(storvirt__vol_rec *rec, int fd, const struct stat *st,
                     const storvirt__hashmap *index, int64_t read_at_ns) {
        const storvirt__vol_index_entry *known;

        rec->ino = st->st_ino;
        rec->dev = st->st_dev;
        rec->ctime_ns = storvirt__timespec_ns(&st->st_ctim);
        rec->read_at_ns = read_at_ns;
        rec->index_encryption[0] = rec->index_secret[0] = '\0';
        rec->mode = st->st_mode & 07777;
        rec->owner = st->st_uid;
        rec->group = st->st_gid;
        rec->physical = (uint64_t)st->st_size;
        rec->allocation = (uint64_t)st->st_blocks * 512;
        rec->capacity = (uint64_t)st->st_size;
        rec->compat[0] = rec->backing_format[0] = rec->probed_format[0] = '\0';
        rec->lazy_refcounts = rec->extended_l2 = rec->recorded = false;
        rec->cluster_bits = 0;
        rec->encryption[0] = rec->secret[0] = '\0';
        rec->cipher = (storvirt__img_cipher){};
        free(rec->backing_path);
        rec->backing_path = NULL;
        free(rec->problem);
        rec->problem = NULL;
        if (S_ISDIR(st->st_mode)) {
                rec->type = STORVIRT_VOLUME_TYPE_DIR;
                field_set(rec->format, sizeof(rec->format), "dir");
                return;
        }
        rec->type = S_ISBLK(st->st_mode) ? STORVIRT_VOLUME_TYPE_BLOCK : STORVIRT_VOLUME_TYPE_FILE;
        known = storvirt__vol_index_find(index, rec->name, (uint64_t)st->st_ino);
        if (known)
                rec_fill_recorded(rec, fd, known);
        else
                rec_fill_probed(rec, fd, st);
}

/* Opens a pool entry without following symlinks and without blocking. */
static int entry_open(int dirfd, const char *name, struct stat *st) {
        int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

        if (fd < 0)
                return -errno;
        if (fstat(fd, st) < 0 || !(S_ISREG(st->st_mode) || S_ISDIR(st->st_mode) ||
                                   S_ISBLK(st->st_mode))) {
                close(fd);
                return -ENOTSUP;
        }
        return fd;
}

static int path_join(const char *dir, const char *name, char **ret) {
        size_t n = strlen(dir);

        while (n > 1 && dir[n - 1] == '/')
                n--;
        return asprintf(ret, "%.*s/%s", (int)n, dir, name) < 0 ? storvirt__error_oom() : 0;
}

/* One directory entry, probed without touching the pool's table. */
struct scan {
        storvirt__vol_rec tmp;  /* tmp.name/tmp.path borrow the entry name */
        int err;                /* 0, or why the entry is skipped */
};

static void scan_one(int dirfd, const storvirt__hashmap *index, int64_t read_at_ns,
                     struct scan *sc) {
        struct stat st;
        int fd = entry_open(dirfd, sc->tmp.name, &st);

        if (fd < 0) {
                sc->err = fd;
                return;
        }
        rec_fill(&sc->tmp, fd, &st, index, read_at_ns);
        close(fd);
}

struct scan_job {
        int dirfd;
        const storvirt__hashmap *index;
        int64_t read_at_ns;
        struct scan *scans;
};

static void scan_item(void *arg, size_t i) {
        struct scan_job *job = arg;

        scan_one(job->dirfd, job->index, job->read_at_ns, &job->scans[i]);
}

#define SCAN_BATCH 64

/*
 * Probes every entry: on the calling thread, plus up to max_threads - 1
 * short-lived helpers when the context allows more than one thread and
 * the pool is large enough to gain from it.
 */
static void scan_all(storvirt__pool_obj *obj, const storvirt__hashmap *index, int64_t read_at_ns,
                     struct scan *scans, size_t n) {
        struct scan_job job = { .dirfd = obj->target_fd, .index = index, .read_at_ns = read_at_ns,
                                .scans = scans };
        unsigned want = storvirt__ctx_max_threads(obj->ctx);

        if (n < 4 * SCAN_BATCH)
                want = 1;
        storvirt__parallel_for(want, n, SCAN_BATCH, scan_item, &job);
}

/*
 * Brings one probed entry into the volume table (obj->lock held): the
 * record of an unchanged file is updated in place, so handles keep seeing
 * current figures, and a refresh costs one table lookup per file.
 */
static int merge_one(storvirt__pool_obj *obj, storvirt__vol_rec_block *block, struct scan *sc) {
        const char *name = sc->tmp.name;
        storvirt__vol_rec *old, *rec;
        _cleanup_free_ char *path = NULL;
        int r;

        if (sc->err)
                return 0; /* not a file, directory or block device, or unreadable */
        old = storvirt__hashmap_get(obj->vols, name);
        if (old && (old->busy || (old->ino == sc->tmp.ino && old->dev == sc->tmp.dev))) {
                if (!old->busy) /* a record being written is refreshed by its writer */
                        storvirt__vol_rec_publish(old, &sc->tmp);
                old->seen = obj->refresh_gen;
                return 0;
        }
        r = path_join(obj->def->target.path, name, &path);
        rec = r < 0 ? NULL : storvirt__vol_rec_new_in(block, name, path, path);
        if (!rec)
                return storvirt__error_oom();
        storvirt__vol_rec_publish(rec, &sc->tmp);
        rec->seen = obj->refresh_gen;
        if (old) {
                old->deleted = true; /* another file took the name */
                return storvirt__hashmap_replace(obj->vols, name, rec);
        }
        r = storvirt__hashmap_put(obj->vols, name, rec);
        if (r < 0)
                storvirt__vol_rec_unref(rec);
        return r;
}

struct linux_dirent64 {
        uint64_t d_ino;
        int64_t d_off;
        unsigned short d_reclen;
        unsigned char d_type;
        char d_name[];
};

/*
 * A volume is built under a hidden temporary name and renamed into place
 * when complete, so a process killed mid-build never leaves a corrupt
 * volume under the name asked for.  The builder holds an OFD lock on one
 * byte far past any image data (QEMU locks bytes near 100 and 200) for as
 * long as it works; a refresh removes the partial files nobody holds.
 */
#define PARTIAL_PREFIX ".storvirt-partial-"
#define PARTIAL_LOCK_BYTE (INT64_MAX - 1)

static bool is_partial(const char *name) {
        return strncmp(name, PARTIAL_PREFIX, sizeof(PARTIAL_PREFIX) - 1) == 0;
}

static int partial_lock(int fd, bool wait) {
        struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
                            .l_start = PARTIAL_LOCK_BYTE, .l_len = 1 };

        return fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl) < 0 ? -errno : 0;
}

/* Removes the partial files of builders that died (their lock went with them). */
static void collect_partials(storvirt__pool_obj *obj, char *const *names) {
        for (char *const *n = names; n && *n; n++) {
                int fd = openat(obj->target_fd, *n, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);

                if (fd < 0)
                        continue;
                if (partial_lock(fd, false) == 0 && unlinkat(obj->target_fd, *n, 0) == 0)
                        log_info(obj->ctx, "pool '%s': removed '%s', left by a volume creation "
                                           "that did not complete", obj->def->name, *n);
                close(fd);
        }
}

/* The owner and group asked for in <permissions> (-1: the caller's). */
static int apply_owner(int fd, const storvirt__vol_def *def) {
        uid_t uid = def->target.owner >= 0 ? (uid_t)def->target.owner : (uid_t)-1;
        gid_t gid = def->target.group >= 0 ? (gid_t)def->target.group : (gid_t)-1;

        if ((uid == (uid_t)-1 && gid == (gid_t)-1) || fchown(fd, uid, gid) == 0)
                return 0;
        return storvirt__error_set(-errno, "volume '%s': <permissions>: cannot give it owner %lld "
                                           "and group %lld: %m", def->name,
                                   (long long)def->target.owner, (long long)def->target.group);
}

int storvirt__local_partial_create(storvirt__pool_obj *obj, const storvirt__vol_def *def,
                                   struct storvirt__local_partial *p) {
        mode_t mode = def->target.mode >= 0 ? (mode_t)def->target.mode : 0600;
        static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
        unsigned char rnd[12];
        int r;

        for (unsigned attempt = 0; attempt < 64; attempt++) {
                if (getentropy(rnd, sizeof(rnd)) < 0)
                        return storvirt__error_set(-errno, "getentropy: %m");
                memcpy(p->name, PARTIAL_PREFIX, sizeof(PARTIAL_PREFIX) - 1);
                for (size_t i = 0; i < sizeof(rnd); i++)
                        p->name[sizeof(PARTIAL_PREFIX) - 1 + i] = chars[rnd[i] % (sizeof(chars) - 1)];
                p->name[sizeof(PARTIAL_PREFIX) - 1 + sizeof(rnd)] = '\0';
                /* no O_CLOEXEC: qemu-img writes through /proc/self/fd/N */
                p->fd = openat(obj->target_fd, p->name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
                if (p->fd >= 0 || errno != EEXIST)
                        break;
        }
        if (p->fd < 0)
                return storvirt__error_set(-errno, "pool '%s': creating a file in '%s': %m",
                                           obj->def->name, obj->def->target.path);
        r = partial_lock(p->fd, true);
        if (r >= 0 && fchmod(p->fd, mode) < 0)
                r = -errno;
        if (r < 0) {
                storvirt__local_partial_abort(obj, p);
                return storvirt__error_set(r, "pool '%s': preparing a new volume: %s",
                                           obj->def->name, strerror(-r));
        }
        r = apply_owner(p->fd, def);
        if (r >= 0 && def->target.nocow)  /* on the empty file: btrfs needs it so */
                r = storvirt__file_set_cow(p->fd, false, def->name);
        if (r < 0) {
                storvirt__local_partial_abort(obj, p);
                return r;
        }
        snprintf(p->proc_path, sizeof(p->proc_path), "/proc/self/fd/%d", p->fd);
        return 0;
}

void storvirt__local_partial_abort(storvirt__pool_obj *obj, struct storvirt__local_partial *p) {
        if (p->fd < 0)
                return;
        unlinkat(obj->target_fd, p->name, 0);
        close(p->fd);
        p->fd = -1;
}

/* rename without replacing; link + unlink where the filesystem lacks RENAME_NOREPLACE */
static int rename_noreplace(int dfd, const char *from, const char *to) {
        if (renameat2(dfd, from, dfd, to, RENAME_NOREPLACE) == 0)
                return 0;
        if (errno != EINVAL && errno != ENOSYS)
                return -errno;
        if (linkat(dfd, from, dfd, to, 0) < 0)
                return -errno;
        unlinkat(dfd, from, 0);
        return 0;
}

int storvirt__local_partial_commit(storvirt__pool_obj *obj, struct storvirt__local_partial *p,
                                   const storvirt__vol_rec *rec, const char *format) {
        const char *target = obj->def->target.path;
        storvirt__vol_index_entry entry = {};
        struct stat st;
        int r;

        if (fsync(p->fd) < 0 || fstat(p->fd, &st) < 0) {
                r = storvirt__error_set(-errno, "volume '%s': %m", rec->path);
                goto fail;
        }
        /* recorded first: a kill before the rename leaves an entry with no file, pruned later */
        entry.ino = (uint64_t)st.st_ino;
        snprintf(entry.format, sizeof(entry.format), "%s", format);
        memcpy(entry.encryption, rec->encryption, sizeof(entry.encryption));
        memcpy(entry.secret, rec->secret, sizeof(entry.secret));
        r = storvirt__vol_index_set_entry(obj->ctx, target, rec->name, &entry);
        if (r < 0)
                goto fail;
        r = rename_noreplace(obj->target_fd, p->name, rec->name);
        if (r < 0) {
                storvirt__vol_index_remove(obj->ctx, target, rec->name);
                r = storvirt__error_set(r, "volume '%s': %s", rec->path,
                                        r == -EEXIST ? "already exists" : strerror(-r));
                goto fail;
        }
        fsync(obj->target_fd);
        close(p->fd);
        p->fd = -1;
        return 0;
fail:
        storvirt__local_partial_abort(obj, p);
        return r;
}

/*
 * Reads the directory into a buffer of NUL-separated names; the partial
 * files of volumes being built go to partials instead.
 */
static int read_names(storvirt__pool_obj *obj, struct storvirt__buf *names, size_t *ret_n,
                      struct storvirt__strv_builder *partials) {
        _cleanup_close_ int dfd = openat(obj->target_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_free_ char *buf = malloc(1 << 16);
        size_t count = 0;
        long n;
        int r;

        if (dfd < 0)
                return storvirt__error_set(-errno, "pool '%s': reading '%s': %s", obj->def->name,
                                           obj->def->target.path, strerror(errno));
        if (!buf)
                return storvirt__error_oom();
        while ((n = syscall(SYS_getdents64, dfd, buf, 1 << 16)) > 0) {
                for (long off = 0; off < n;) {
                        struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);

                        off += d->d_reclen;
                        if (d->d_name[0] == '.' && (!d->d_name[1] || (d->d_name[1] == '.' && !d->d_name[2])))
                                continue;
                        if (d->d_type == DT_LNK)
                                continue; /* never follow links planted in a pool */
                        if (d->d_name[0] == '.' && is_partial(d->d_name)) {
                                r = storvirt__strv_builder_add(partials, d->d_name);
                                if (r < 0)
                                        return r;
                                continue;
                        }
                        r = storvirt__buf_append(names, d->d_name, strlen(d->d_name) + 1);
                        if (r < 0)
                                return r;
                        count++;
                }
        }
        if (n < 0)
                return storvirt__error_set(-errno, "pool '%s': reading '%s': %s", obj->def->name,
                                           obj->def->target.path, strerror(errno));
        *ret_n = count;
        return 0;
}

/* Forgets the recorded formats of files that are gone. */
static void prune_index(storvirt__pool_obj *obj, const storvirt__hashmap *index) {
        struct storvirt__strv_builder gone = {};
        const char *name;
        size_t it = 0;
        void *v;

        while (storvirt__hashmap_iterate(index, &it, &name, &v))
                if (!storvirt__hashmap_contains(obj->vols, name) &&
                    storvirt__strv_builder_add(&gone, name) < 0)
                        break;
        if (gone.n > 0 &&
            storvirt__vol_index_prune(obj->ctx, obj->def->target.path, obj->target_fd, gone.v) < 0)
                log_warning(obj->ctx, "pool '%s': %s", obj->def->name, storvirt__error_msg());
        storvirt__strv_builder_done(&gone);
}

/* What the target directory looked like before it was read, and when that was. */
struct reading {
        storvirt__dir_stamp dir;
        int64_t at_ns;
};

static int reading_begin(storvirt__pool_obj *obj, struct reading *rd) {
        struct stat st;

        rd->at_ns = storvirt__now_ns();
        if (fstat(obj->target_fd, &st) < 0)
                return storvirt__error_set(-errno, "pool '%s': target directory '%s': %m",
                                           obj->def->name, obj->def->target.path);
        storvirt__dir_stamp_of(&st, &rd->dir);
        return 0;
}

/*
 * Whether the pool keeps its volume list in the state directory: not a
 * netfs pool, whose directory times the server sets with its own clock
 * and the client caches, so they prove nothing about what changed.
 */
static bool list_kept(const storvirt__pool_obj *obj) {
        return strcmp(obj->ops->type, "netfs") != 0;
}

/*
 * Saves what was read as the directory's list, unless the directory
 * changed while it was read or too shortly before (the list could not
 * be used then).  A failure only costs the next reader a reading.
 */
static void list_save(storvirt__pool_obj *obj, const struct reading *rd, struct scan *scans,
                      size_t n) {
        storvirt__dir_stamp after;
        storvirt__vol_rec **recs;
        struct stat st;
        size_t k = 0;

        if (!list_kept(obj) || fstat(obj->target_fd, &st) < 0)
                return;
        storvirt__dir_stamp_of(&st, &after);
        if (!storvirt__dir_stamp_equal(&after, &rd->dir) ||
            !storvirt__stamp_settled(after.mtime_ns, rd->at_ns) ||
            !storvirt__stamp_settled(after.ctime_ns, rd->at_ns)) {
                log_debug(obj->ctx, "pool '%s': the directory changed while or just before it "
                                    "was read: its volume list is not saved", obj->def->name);
                return;
        }
        recs = malloc((n + 1) * sizeof(*recs));
        if (!recs)
                return;
        for (size_t i = 0; i < n; i++)
                if (!scans[i].err)
                        recs[k++] = &scans[i].tmp;
        if (storvirt__vol_list_save(obj->ctx, obj->def->target.path, &rd->dir, rd->at_ns, recs,
                                    k) < 0) {
                log_warning(obj->ctx, "pool '%s': %s", obj->def->name, storvirt__error_msg());
                storvirt__error_reset();
        }
        free(recs);
}

/* One entry each: a large table, filled at once (util/bigmem.h). */
static struct scan *scans_new(size_t n) {
        struct scan *scans = n <= SIZE_MAX / sizeof(*scans) ?
                             storvirt__bigmem_alloc(n * sizeof(*scans)) : NULL;

        if (!scans)
                storvirt__error_oom();
        return scans;
}

static void scans_free(struct scan *scans, size_t n) {
        for (size_t i = 0; scans && i < n; i++) {
                free(scans[i].tmp.backing_path);
                free(scans[i].tmp.problem);
        }
        storvirt__bigmem_free(scans, n * sizeof(*scans));
}

static int refresh_entries(storvirt__pool_obj *obj, const storvirt__hashmap *index,
                           const struct reading *rd) {
        struct storvirt__strv_builder partials = {};
        struct storvirt__buf names = {};
        storvirt__vol_rec_block *block = NULL;
        struct scan *scans = NULL;
        size_t n = 0;
        int r;

        r = read_names(obj, &names, &n, &partials);
        if (r >= 0 && n > 0 && !(scans = scans_new(n)))
                r = -ENOMEM;
        for (size_t i = 0, off = 0; r >= 0 && i < n; i++) {
                scans[i].tmp.name = scans[i].tmp.path = names.data + off;
                off += strlen(names.data + off) + 1;
        }
        if (r >= 0 && n > 0)
                scan_all(obj, index, rd->at_ns, scans, n);
        /* before the merge, which moves what the records own */
        if (r >= 0 && partials.n == 0)
                list_save(obj, rd, scans, n);
        if (r >= 0)
                r = storvirt__hashmap_reserve(obj->vols, n);
        /* the first reading: a record for each entry (name, and target/name) */
        if (r >= 0 && storvirt__hashmap_size(obj->vols) == 0)
                block = storvirt__vol_rec_block_new(n, 2 * names.len +
                                                    n * (strlen(obj->def->target.path) + 2));
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = merge_one(obj, block, &scans[i]);
        storvirt__vol_rec_block_unref(block);
        scans_free(scans, n);
        storvirt__buf_free(&names);
        if (r >= 0 && partials.n > 0)
                collect_partials(obj, partials.v);
        storvirt__strv_builder_done(&partials);
        return r;
}

/* Reads the files names again (their index entries changed) into the table. */
static int rescan_names(storvirt__pool_obj *obj, const storvirt__hashmap *index, int64_t at_ns,
                        char *const *names) {
        size_t n = storvirt__strv_length(names);
        struct scan *scans = n > 0 ? scans_new(n) : NULL;
        int r = n == 0 || scans ? 0 : -ENOMEM;

        for (size_t i = 0; r >= 0 && i < n; i++)
                scans[i].tmp.name = scans[i].tmp.path = names[i];
        if (r >= 0)
                scan_all(obj, index, at_ns, scans, n);
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = merge_one(obj, NULL, &scans[i]);
        scans_free(scans, n);
        return r;
}

/* One record of the saved list into the volume table, as merge_one does for a file read. */
static int merge_listed(storvirt__pool_obj *obj, storvirt__vol_rec *rec) {
        storvirt__vol_rec *old = storvirt__hashmap_get(obj->vols, rec->name);
        int r;

        if (old && (old->busy || (old->ino == rec->ino && old->dev == rec->dev))) {
                if (!old->busy)
                        storvirt__vol_rec_publish(old, rec);
                old->seen = obj->refresh_gen;
                return 0;
        }
        rec->seen = obj->refresh_gen;
        if (old) {
                old->deleted = true;
                return storvirt__hashmap_replace(obj->vols, rec->name, storvirt__vol_rec_ref(rec));
        }
        r = storvirt__hashmap_put(obj->vols, rec->name, storvirt__vol_rec_ref(rec));
        if (r < 0)
                storvirt__vol_rec_unref(rec);
        return r;
}

/*
 * The volume table from the saved list: 1 when it stood in for reading
 * the directory, 0 when it cannot (said in the debug log).
 */
static int refresh_from_list(storvirt__pool_obj *obj, const storvirt__hashmap *index,
                             const struct reading *rd) {
        storvirt__vol_list l = {};
        int r = storvirt__vol_list_load(obj->ctx, obj->def->target.path, &rd->dir, index, &l);

        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                log_debug(obj->ctx, "pool '%s': the directory is read: %s", obj->def->name,
                          storvirt__error_msg());
                storvirt__error_reset();
                return 0;
        }
        r = storvirt__hashmap_reserve(obj->vols, l.n);
        for (size_t i = 0; r >= 0 && i < l.n; i++)
                r = merge_listed(obj, l.recs[i]);
        if (r >= 0 && l.stale && l.stale[0])
                r = rescan_names(obj, index, rd->at_ns, l.stale);
        storvirt__vol_list_clear(&l);
        return r < 0 ? r : 1;
}

/* Drops the records no file was found for, except those being created. */
static int sweep_unseen(storvirt__pool_obj *obj) {
        struct storvirt__strv_builder gone = {};
        const char *name;
        size_t it = 0;
        void *v;
        int r = 0;

        while (r >= 0 && storvirt__hashmap_iterate(obj->vols, &it, &name, &v)) {
                storvirt__vol_rec *rec = v;
                if (rec->seen != obj->refresh_gen && !rec->busy)
                        r = storvirt__strv_builder_add(&gone, name);
        }
        for (size_t i = 0; r >= 0 && i < gone.n; i++) {
                storvirt__vol_rec *rec = storvirt__hashmap_get(obj->vols, gone.v[i]);
                rec->deleted = true;
                storvirt__hashmap_remove(obj->vols, gone.v[i]);
        }
        storvirt__strv_builder_done(&gone);
        return r;
}

int storvirt__local_refresh_capacity(storvirt__pool_obj *obj) {
        struct statvfs sv;
        int r = storvirt__local_open_target(obj);

        if (r < 0)
                return r;
        if (fstatvfs(obj->target_fd, &sv) < 0)
                return storvirt__error_set(-errno, "pool '%s': target directory '%s': %m",
                                           obj->def->name, obj->def->target.path);
        obj->capacity = (uint64_t)sv.f_frsize * sv.f_blocks;
        obj->available = (uint64_t)sv.f_frsize * sv.f_bavail;
        obj->allocation = (uint64_t)sv.f_frsize * (sv.f_blocks - sv.f_bfree);
        return 0;
}

int storvirt__local_refresh_pool(storvirt__pool_obj *obj, uint32_t flags) {
        _cleanup_hashmap_free_ storvirt__hashmap *index = NULL;
        struct reading rd;
        int r, listed = 0;

        r = storvirt__local_open_target(obj);
        if (r >= 0)
                r = reading_begin(obj, &rd);
        if (r >= 0)
                r = storvirt__vol_index_load(obj->ctx, obj->def->target.path, &index);
        if (r < 0)
                return r;
        obj->refresh_gen++;
        if ((flags & STORVIRT__REFRESH_SAVED_LIST) && list_kept(obj))
                r = listed = refresh_from_list(obj, index, &rd);
        if (r >= 0 && !listed)
                r = refresh_entries(obj, index, &rd);
        if (r >= 0)
                r = sweep_unseen(obj);
        if (r < 0)
                return r;
        if (!listed && storvirt__hashmap_size(index) > 0)
                prune_index(obj, index);
        if (storvirt__local_refresh_capacity(obj) < 0)
                storvirt__error_reset();
        return listed;
}

/* A one-entry index: what rec was recorded as. */
static int index_of_record(const storvirt__vol_rec *rec, storvirt__hashmap **ret) {
        storvirt__vol_index_entry *e = calloc(1, sizeof(*e));
        int r = e ? storvirt__hashmap_new(ret, free) : storvirt__error_oom();

        if (r >= 0) {
                memcpy(e->format, rec->format, sizeof(e->format));
                e->ino = rec->ino;
                memcpy(e->encryption, rec->index_encryption, sizeof(e->encryption));
                memcpy(e->secret, rec->index_secret, sizeof(e->secret));
                r = storvirt__hashmap_put(*ret, rec->name, e);
        }
        if (r < 0)
                free(e);
        return r;
}

/*
 * obj->lock held.  A file whose inode and change time are those it was
 * read with, when that time was settled then, is as it was; another is
 * read again.  One that cannot be opened any more is the record's
 * problem; one that is gone stays listed until the pool is refreshed.
 */
static int refresh_if_changed(storvirt__pool_obj *obj, storvirt__vol_rec *rec) {
        _cleanup_hashmap_free_ storvirt__hashmap *index = NULL;
        storvirt__vol_rec tmp = { .name = rec->name, .path = rec->path };
        int64_t now = storvirt__now_ns();
        struct stat st;
        int fd, r;

        if (obj->target_fd < 0 || fstatat(obj->target_fd, rec->name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return 0;
        if (st.st_ino == rec->ino && st.st_dev == rec->dev &&
            storvirt__timespec_ns(&st.st_ctim) == rec->ctime_ns &&
            storvirt__stamp_settled(rec->ctime_ns, rec->read_at_ns))
                return 0;
        if (rec->recorded && st.st_ino == rec->ino)
                r = index_of_record(rec, &index);
        else
                r = storvirt__vol_index_load(obj->ctx, obj->def->target.path, &index);
        if (r < 0)
                return r;
        fd = entry_open(obj->target_fd, rec->name, &st);
        if (fd < 0) {
                r = storvirt__error_set(fd, "'%s' can no longer be read as a volume: %s",
                                        rec->path, strerror(-fd));
                rec_set_problem(rec);
                return r;
        }
        rec_fill(&tmp, fd, &st, index, now);
        close(fd);
        storvirt__vol_rec_publish(rec, &tmp);
        return 0;
}

int storvirt__local_refresh_volume(storvirt__pool_obj *obj, storvirt__vol_rec *rec,
                                   uint32_t flags) {
        _cleanup_hashmap_free_ storvirt__hashmap *index = NULL;
        storvirt__vol_rec tmp = { .name = rec->name, .path = rec->path };
        int64_t now = storvirt__now_ns();
        struct stat st;
        int fd, r;

        if (flags & STORVIRT__REFRESH_IF_CHANGED)
                return refresh_if_changed(obj, rec);
        r = storvirt__vol_index_load(obj->ctx, obj->def->target.path, &index);
        if (r < 0)
                return r;
        fd = entry_open(obj->target_fd, rec->name, &st);
        if (fd < 0)
                return storvirt__error_set(fd, "volume '%s': %s", rec->path, strerror(-fd));
        /* Probe into a scratch record, then publish under the lock. */
        rec_fill(&tmp, fd, &st, index, now);
        close(fd);
        storvirt__mutex_lock(&obj->lock);
        storvirt__vol_rec_publish(rec, &tmp);
        storvirt__mutex_unlock(&obj->lock);
        return 0;
}

/* iso: a raw file, as libvirt creates it (qemu-img has no such format) */
static const char *const native_formats[] = { "raw", "qcow2", "dir", "iso", NULL };

static bool is_native(const char *fmt) {
        for (size_t i = 0; native_formats[i]; i++)
                if (strcmp(fmt, native_formats[i]) == 0)
                        return true;
        return false;
}

int storvirt__local_create_volume(storvirt__pool_obj *obj, const storvirt__vol_def *def,
                                  storvirt__vol_rec **ret_rec, uint32_t flags) {
        _cleanup_free_ char *path = NULL;
        const char *fmt = def->target.format ? def->target.format : "raw";
        bool encrypted = def->target.encryption.format != NULL;
        storvirt__vol_rec *rec;
        int r;

        r = storvirt__name_check("volume name", def->name);
        if (r >= 0)
                r = storvirt__local_encryption_check(def);
        if (r < 0)
                return r;
        if (!obj->def->target.path)
                return storvirt__error_set(-EINVAL, "pool '%s' has no target path", obj->def->name);
        if (strcmp(fmt, "qcow2") != 0 && (def->target.compat || def->target.cluster_size ||
                                          def->target.has_features))
                return storvirt__error_set(-EINVAL, "volume '%s': <target><%s> applies to qcow2 "
                                                    "volumes only, not %s", def->name,
                                           def->target.has_features ? "features" :
                                           def->target.cluster_size ? "clusterSize" : "compat",
                                           fmt);
        if ((!is_native(fmt) || encrypted) && storvirt__command_find("qemu-img", NULL) < 0)
                return storvirt__error_set(-EOPNOTSUPP,
                        "volume '%s': %s '%s' is created through qemu-img, which is not installed",
                        def->name, encrypted ? "an encrypted volume of format" : "format", fmt);
        r = path_join(obj->def->target.path, def->name, &path);
        if (r < 0)
                return r;
        rec = storvirt__vol_rec_new(def->name, path, path);
        if (!rec)
                return storvirt__error_oom();
        snprintf(rec->format, sizeof(rec->format), "%s", fmt);
        if (encrypted) {
                snprintf(rec->encryption, sizeof(rec->encryption), "luks");
                storvirt__uuid_format(&def->target.encryption.secrets[0].uuid, rec->secret);
        }
        rec->type = strcmp(fmt, "dir") == 0 ? STORVIRT_VOLUME_TYPE_DIR : STORVIRT_VOLUME_TYPE_FILE;
        rec->capacity = def->capacity;
        *ret_rec = rec;
        return 0;
}

/*
 * The backing store's virtual size, read as its format: the caller
 * (core/volume.c) checked that the backing store is a volume of a known
 * pool and set def->backing.format to what that volume was recorded as.
 */
static int backing_size(const storvirt__vol_def *def, uint64_t *ret_size) {
        storvirt__img_info info = {};
        struct stat st;
        int fd, r;

        if (!def->backing.format)
                return storvirt__error_set(-EINVAL, "backing store '%s': no format", def->backing.path);
        fd = open(def->backing.path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return storvirt__error_set(-errno, "backing store '%s': %s", def->backing.path,
                                           strerror(errno));
        r = fstat(fd, &st) < 0 ? -errno : storvirt__img_probe_fd_as(fd, (uint64_t)st.st_size,
                                                                    def->backing.path,
                                                                    def->backing.format, &info);
        close(fd);
        if (r < 0)
                return r;
        *ret_size = info.virtual_size;
        storvirt__img_info_clear(&info);
        return 0;
}

static int build_qcow2(int fd, const storvirt__vol_def *def, uint32_t flags) {
        struct storvirt__qcow2_opts o = {
                .size = def->capacity,
                .cluster_size = (uint32_t)def->target.cluster_size,
                .compat_010 = def->target.compat && strcmp(def->target.compat, "0.10") == 0,
                .lazy_refcounts = def->target.lazy_refcounts,
                .extended_l2 = def->target.extended_l2,
                .backing_file = def->backing.path,
                .backing_format = def->backing.path ? def->backing.format : NULL,
                .preallocate_metadata = flags & STORVIRT_VOLUME_CREATE_PREALLOC_METADATA,
        };
        int r;

        if (def->backing.path && !def->has_capacity) {
                r = backing_size(def, &o.size);
                if (r < 0)
                        return r;
        }
        return storvirt__qcow2_create_fd(fd, &o, def->name);
}

/* qemu-img create into the partial file (its /proc/self/fd path): it creates nothing itself. */
static int build_with_qemu_img(const storvirt__vol_def *def, const char *path) {
        char size[32];
        char *argv[12];
        int n = 0;

        snprintf(size, sizeof(size), "%lluK", (unsigned long long)((def->capacity + 1023) / 1024));
        argv[n++] = (char *)"qemu-img";
        argv[n++] = (char *)"create";
        argv[n++] = (char *)"-q";
        argv[n++] = (char *)"-f";
        argv[n++] = def->target.format;
        if (def->backing.path) {
                argv[n++] = (char *)"-b";
                argv[n++] = def->backing.path;
                argv[n++] = (char *)"-F";
                argv[n++] = def->backing.format;
        }
        argv[n++] = (char *)path;
        if (def->has_capacity)
                argv[n++] = size;
        argv[n] = NULL;
        return storvirt__command_run(argv, 300000, NULL);
}

static int build_file(storvirt__pool_obj *obj, storvirt__vol_rec *rec, const storvirt__vol_def *def,
                      const storvirt__progress *progress, uint32_t flags,
                      struct storvirt__local_partial *p) {
        const char *fmt = rec->format;
        bool prealloc;

        if (def->target.encryption.format)
                return storvirt__local_build_encrypted(obj, def, p->proc_path, flags);
        if (!is_native(fmt))
                return build_with_qemu_img(def, p->proc_path);
        if (strcmp(fmt, "qcow2") == 0)
                return build_qcow2(p->fd, def, flags);
        /* libvirt's rule: no <allocation> means fully allocated. */
        prealloc = !def->has_allocation || def->allocation >= def->capacity;
        (void)obj;
        return storvirt__raw_create_fd(p->fd, def->capacity, prealloc,
                                       progress ? progress->fn : NULL,
                                       progress ? progress->userdata : NULL, rec->path);
}

/* A "dir" volume: a directory with the mode, owner and group asked for. */
static int build_dir(storvirt__pool_obj *obj, storvirt__vol_rec *rec, const storvirt__vol_def *def) {
        mode_t mode = def->target.mode > 0 ? (mode_t)def->target.mode : 0700;
        _cleanup_close_ int fd = -1;
        int r;

        if (mkdirat(obj->target_fd, rec->name, mode) < 0)
                return storvirt__error_set(-errno, "volume '%s': %s", rec->path, strerror(errno));
        fd = openat(obj->target_fd, rec->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        r = fd < 0 ? storvirt__error_set(-errno, "volume '%s': %m", rec->path) : 0;
        if (r >= 0 && fchmod(fd, mode) < 0)
                r = storvirt__error_set(-errno, "volume '%s': %m", rec->path);
        if (r >= 0)
                r = apply_owner(fd, def);
        if (r < 0)
                unlinkat(obj->target_fd, rec->name, AT_REMOVEDIR);
        return r;
}

int storvirt__local_build_volume(storvirt__pool_obj *obj, storvirt__vol_rec *rec,
                                 const storvirt__vol_def *def,
                                 const storvirt__progress *progress, uint32_t flags) {
        struct storvirt__local_partial p = { .fd = -1 };
        int r;

        if (strcmp(rec->format, "dir") == 0)
                return build_dir(obj, rec, def);
        if (faccessat(obj->target_fd, rec->name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                return storvirt__error_set(-EEXIST, "volume '%s' already exists", rec->path);
        r = storvirt__local_partial_create(obj, def, &p);
        if (r < 0)
                return r;
        r = build_file(obj, rec, def, progress, flags, &p);
        if (r < 0) {
                storvirt__local_partial_abort(obj, &p);
                return r;
        }
        return storvirt__local_partial_commit(obj, &p, rec, rec->format);
}

int storvirt__local_delete_volume(storvirt__pool_obj *obj, storvirt__vol_rec *rec,
                                  uint32_t flags) {
        int how = rec->type == STORVIRT_VOLUME_TYPE_DIR ? AT_REMOVEDIR : 0;

        /* unlinkat never follows: a symlink planted under the name goes, not its target. */
        if (unlinkat(obj->target_fd, rec->name, how) < 0 && errno != ENOENT)
                return storvirt__error_set(-errno, "deleting volume '%s': %s", rec->path,
                                           strerror(errno));
        if (rec->recorded && storvirt__vol_index_remove(obj->ctx, obj->def->target.path, rec->name) < 0)
                log_warning(obj->ctx, "pool '%s': %s", obj->def->name, storvirt__error_msg());
        return 0;
}

/* Removes the entries of the target directory (not recursive). */
static int empty_target(int dfd, const char *path, bool remove, unsigned *ret_n) {
        _cleanup_close_ int d2 = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct dirent *de;
        unsigned n = 0;
        int r = 0;
        DIR *d;

        if (d2 < 0 || !(d = fdopendir(d2)))
                return storvirt__error_set(-errno, "reading '%s': %s", path, strerror(errno));
        d2 = -1;
        while ((de = readdir(d))) {
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                n++;
                if (remove && unlinkat(dfd, de->d_name, de->d_type == DT_DIR ? AT_REMOVEDIR : 0) < 0) {
                        r = storvirt__error_set(-errno, "removing '%s/%s': %s", path, de->d_name,
                                                strerror(errno));
                        break;
                }
        }
        closedir(d);
        *ret_n = n;
        return r;
}

int storvirt__local_delete_pool(storvirt__pool_obj *obj, uint32_t flags) {
        const char *path = obj->def->target.path;
        _cleanup_close_ int dfd = -1;
        unsigned n = 0;
        int r;

        dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0)
                return storvirt__error_set(-errno, "pool '%s': target '%s': %s", obj->def->name,
                                           path, strerror(errno));
        r = empty_target(dfd, path, false, &n);
        if (r >= 0 && n > 0 && !(flags & STORVIRT_POOL_DELETE_NONEMPTY))
                return storvirt__error_set(-ENOTEMPTY,
                        "pool '%s': target '%s' still holds %u entr%s; delete its volumes first "
                        "or use the nonempty flag", obj->def->name, path, n, n == 1 ? "y" : "ies");
        if (r >= 0 && n > 0)
                r = empty_target(dfd, path, true, &n);
        if (r >= 0 && rmdir(path) < 0)
                r = storvirt__error_set(-errno, "pool '%s': removing '%s': %s", obj->def->name,
                                        path, strerror(errno));
        return r;
}
