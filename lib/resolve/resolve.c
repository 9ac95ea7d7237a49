/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * resolve.c - device resolution (storvirt/resolve.h): a disk spec is
 * resolved on this host (LUN index, pools, paths) and formatted as a
 * <disk> element or a device dict.  A LUN's path is handed out only after
 * the identity of the device at that path has been read again from sysfs
 * and found to be the one asked for.  A VM's drives: resolve_vm.c.
 *
 * Resolving is two steps: finding the storage (storvirt__resolve_find(),
 * whose messages never name the drive, so that its caller names it and
 * decides by the errno alone), then the defaults, the target dev and
 * the checks of what was found (storvirt__resolve_finish(), whose
 * messages name the drive).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <storvirt.h>

#include "conf/disk.h"
#include "objects/ctx.h"
#include "core/lun.h"
#include "core/pool.h"
#include "resolve/resolve.h"
#include "objects/vol_chain.h"
#include "sys/imgfmt.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/log.h"
#include "util/macro.h"
#include "util/strv.h"
#include "util/uuid.h"

struct storvirt_disk_spec {
        storvirt__disk_spec *s;
};

/* How messages name a drive: its name from the VM list or its alias, else "disk". */
static const char *drive_name(const storvirt__disk_spec *s) {
        return s->name ? s->name : "disk";
}

/* ---- the spec handle ------------------------------------------------------------------------ */

STORVIRT_EXPORT int storvirt_disk_spec_new(storvirt_disk_spec **ret_spec) {
        storvirt_disk_spec *spec;
        int r;

        check_nonnull(ret_spec);
        spec = calloc(1, sizeof(*spec));
        if (!spec)
                return storvirt__error_oom();
        r = storvirt__disk_spec_new(&spec->s);
        if (r < 0) {
                free(spec);
                return r;
        }
        *ret_spec = spec;
        return 0;
}

STORVIRT_EXPORT void storvirt_disk_spec_free(storvirt_disk_spec *spec) {
        if (!spec)
                return;
        storvirt__disk_spec_free(spec->s);
        free(spec);
}

STORVIRT_EXPORT int storvirt_disk_spec_from_json(const char *json, storvirt_disk_spec **ret_spec,
                                                 uint32_t flags) {
        storvirt_disk_spec *spec;
        int r;

        check_nonnull(json);
        check_nonnull(ret_spec);
        check_flags(flags, 0);
        spec = calloc(1, sizeof(*spec));
        if (!spec)
                return storvirt__error_oom();
        r = storvirt__disk_spec_parse(json, strlen(json), &spec->s);
        if (r < 0) {
                free(spec);
                return r;
        }
        *ret_spec = spec;
        return 0;
}

STORVIRT_EXPORT int storvirt_disk_spec_set(storvirt_disk_spec *spec, const char *key,
                                           const char *json_value) {
        storvirt__disk_spec *copy = NULL;
        int r;

        check_nonnull(spec);
        check_nonnull(key);
        check_nonnull(json_value);
        /* On a copy: a value refused half-way leaves the spec as it was. */
        r = storvirt__disk_spec_dup(spec->s, &copy);
        if (r < 0)
                return r;
        r = storvirt__disk_spec_set_json(copy, key, json_value);
        if (r < 0) {
                storvirt__disk_spec_free(copy);
                return r;
        }
        storvirt__disk_spec_free(spec->s);
        spec->s = copy;
        return 0;
}

STORVIRT_EXPORT int storvirt_disk_spec_set_string(storvirt_disk_spec *spec, const char *key,
                                                  const char *value) {
        storvirt__json_gen *g = NULL;
        _cleanup_free_ char *quoted = NULL;
        int r;

        check_nonnull(spec);
        check_nonnull(key);
        check_nonnull(value);
        r = storvirt__json_gen_new(false, &g);
        if (r >= 0)
                r = storvirt__json_gen_string(g, value);
        if (r >= 0)
                r = storvirt__json_gen_finish(g, &quoted, NULL);
        storvirt__json_gen_free(g);
        if (r < 0)
                return r;
        return storvirt_disk_spec_set(spec, key, quoted);
}

/* ---- LUN sources ---------------------------------------------------------------------------- */

/* A LUN from the current snapshot, after one discovery pass when it is not there. */
static int find_lun(storvirt_ctx *ctx, const storvirt__disk_spec *s, uint32_t flags,
                    storvirt_lun **ret) {
        bool by_guid = s->source == STORVIRT__DISK_SOURCE_GUID;
        int r;

        for (int attempt = 0;; attempt++) {
                r = by_guid ? storvirt_lun_lookup_by_guid(ctx, s->guid, ret)
                            : storvirt_lun_lookup_by_fs_uuid(ctx, s->fs_uuid, ret);
                if (r != -ENOENT || attempt > 0 || (flags & STORVIRT_RESOLVE_NO_REFRESH))
                        return r;
                r = storvirt_lun_refresh(ctx, 0);
                if (r < 0)
                        return r;
        }
}

/* Whether path leads to a block device now, as the context's host sees it. */
static bool is_block_at(const storvirt__sysops *ops, const char *path) {
        dev_t devnum;
        bool yes = ops->dev_number(path, &devnum) >= 0;

        storvirt__error_reset();
        return yes;
}

/*
 * The path to give a VM for a LUN: the multipath map's /dev/mapper name
 * or its dm-uuid link, a disk's by-id link named after its GUID, else
 * the kernel's node.  Whichever it is, the identity check decides.
 */
static int lun_path(storvirt_ctx *ctx, storvirt_lun *lun, char **ret) {
        const storvirt__sysops *ops = storvirt__ctx_sysops(ctx);
        const char *guid = storvirt_lun_get_guid(lun), *dm = storvirt_lun_get_dm_name(lun);
        const char *name = storvirt_lun_get_name(lun), *node = storvirt_lun_get_devnode(lun);
        char cand[3][512];
        size_t n = 0;

        if (dm)
                snprintf(cand[n++], sizeof(cand[0]), "/dev/mapper/%.400s", dm);
        if (guid && dm)
                snprintf(cand[n++], sizeof(cand[0]), "/dev/disk/by-id/dm-uuid-mpath-%.400s", guid);
        else if (guid && name && strncmp(name, "nvme", 4) == 0)
                snprintf(cand[n++], sizeof(cand[0]), "/dev/disk/by-id/nvme-%.400s", guid);
        else if (guid && name && strncmp(name, "sd", 2) == 0)
                snprintf(cand[n++], sizeof(cand[0]), "/dev/disk/by-id/scsi-%.400s", guid);
        for (size_t i = 0; i < n; i++)
                if (is_block_at(ops, cand[i])) {
                        *ret = strdup(cand[i]);
                        return *ret ? 0 : storvirt__error_oom();
                }
        if (!node)
                return storvirt__error_set(-ENOENT, "LUN %s has no device node",
                                           guid ? guid : name ? name : "?");
        *ret = strdup(node);
        return *ret ? 0 : storvirt__error_oom();
}

/*
 * Reads the identity of the device at path now (through the context's
 * sys-ops) and compares it with the GUID expected: for a multipath map,
 * the map's uuid and every member path's own identity.  -ESTALE naming
 * what was found when they differ, -ENODEV when the device is gone (no
 * node at the path, or no device at its number).
 */
int storvirt__resolve_check_guid(storvirt_ctx *ctx, const char *path, const char *want) {
        const storvirt__sysops *ops = storvirt__ctx_sysops(ctx);
        struct storvirt__blkident id;
        dev_t devnum = 0;
        int r;

        r = ops->dev_number(path, &devnum);
        if (r == -ENOTBLK)
                return storvirt__error_set(-ESTALE, "'%s' is no longer a block device (expected "
                                                    "the LUN with WWID %s)", path, want);
        if (r == -ENOENT || r == -ENXIO || r == -ENODEV)
                return storvirt__error_set(-ENODEV, "'%s': no such device any more (expected "
                                                    "WWID %s)", path, want);
        if (r < 0)
                return r;
        r = ops->ident_read(devnum, &id);
        if (r == -ENOENT)
                return storvirt__error_set(-ENODEV, "'%s' (%u:%u): no such device any more "
                                                    "(expected WWID %s)", path,
                                           major(devnum), minor(devnum), want);
        if (r < 0)
                return r;
        if (strcmp(id.guid, want) != 0)
                return storvirt__error_set(-ESTALE, "'%s' (%u:%u, %s) is WWID %s, expected %s: "
                                                    "refusing a stale path", path,
                                           major(devnum), minor(devnum), id.name,
                                           id.guid[0] ? id.guid : "(none)", want);
        if (id.dm && !id.multipath)
                return storvirt__error_set(-ESTALE, "'%s' (%s) is not a multipath map", path,
                                           id.name);
        for (size_t i = 0; i < id.n_slaves; i++)
                if (strcmp(id.slaves[i].guid, want) != 0)
                        return storvirt__error_set(-ESTALE,
                                                   "'%s' (%s): member path %s is WWID %s, "
                                                   "expected %s: refusing a map with a stale "
                                                   "path", path, id.name, id.slaves[i].name,
                                                   id.slaves[i].guid[0] ? id.slaves[i].guid
                                                                        : "(none)", want);
        return 0;
}

/* Re-reads what is on the device at path and compares the UUID found. */
static int check_fs_uuid(storvirt_ctx *ctx, const char *path, const char *want) {
        const storvirt__sysops *ops = storvirt__ctx_sysops(ctx);
        struct storvirt__usage u;
        dev_t devnum = 0;
        int r;

        r = ops->dev_number(path, &devnum);
        if (r < 0 && r != -ENOTBLK)
                return r;
        storvirt__error_reset();
        r = ops->usage_probe(path, devnum, &u);
        if (r < 0)
                return r;
        if (strcmp(u.fs_uuid, want) != 0)
                return storvirt__error_set(-ESTALE, "'%s' now carries UUID %s, expected %s: "
                                                    "refusing a stale path", path,
                                           u.fs_uuid[0] ? u.fs_uuid : "(none)", want);
        return 0;
}

static int resolve_lun(storvirt_ctx *ctx, storvirt__disk_resolved *d, uint32_t flags) {
        const storvirt__disk_spec *s = d->spec;
        storvirt_lun *lun = NULL;
        const char *guid;
        int r;

        r = find_lun(ctx, s, flags, &lun);
        if (r < 0)
                return r;
        guid = storvirt_lun_get_guid(lun);
        r = lun_path(ctx, lun, &d->source_path);
        if (r >= 0 && guid)
                r = storvirt__resolve_check_guid(ctx, d->source_path, guid);
        else if (r >= 0 && s->source == STORVIRT__DISK_SOURCE_GUID)
                r = storvirt__error_set(-ESTALE, "LUN %s lost its identity", s->guid);
        if (r >= 0 && s->source == STORVIRT__DISK_SOURCE_FS_UUID)
                r = check_fs_uuid(ctx, d->source_path, s->fs_uuid);
        if (r >= 0 && guid && !(d->guid = strdup(guid)))
                r = storvirt__error_oom();
        if (r >= 0) {
                d->type = STORVIRT__DISK_TYPE_BLOCK;
                r = storvirt_lun_get_geometry(lun, &d->capacity, NULL, NULL, NULL, NULL);
        }
        storvirt_lun_unref(lun);
        return r;
}

/* ---- files and volumes ---------------------------------------------------------------------- */

/*
 * The images below a qcow2 source, nearest first, into d->backing: each
 * a file of a known pool (core/vol_chain.h), written with its format so
 * that libvirt probes nothing.
 */
static int take_chain(storvirt__disk_resolved *d, storvirt__vol_chain *c) {
        d->backing_known = true;
        if (c->n == 0)
                return 0;
        d->backing = calloc(c->n, sizeof(*d->backing));
        if (!d->backing)
                return storvirt__error_oom();
        for (size_t i = 0; i < c->n; i++) {
                storvirt__disk_backing *b = &d->backing[i];
                bool raw = strcmp(c->v[i].format, "raw") == 0;

                if (!raw && strcmp(c->v[i].format, "qcow2") != 0)
                        return storvirt__error_set(-EOPNOTSUPP, "backing file '%s' is %s; only "
                                                                "raw and qcow2 images are resolved",
                                                   c->v[i].path, c->v[i].format);
                b->type = STORVIRT__DISK_TYPE_FILE;
                b->format = raw ? STORVIRT__DISK_FORMAT_RAW : STORVIRT__DISK_FORMAT_QCOW2;
                b->path = TAKE_PTR(c->v[i].path);
                d->n_backing++;
        }
        return 0;
}

/*
 * A file that is no volume of a pool: the format the spec says (raw when
 * unset), checked against the content.  Formats are never guessed from
 * content (a guest may write a qcow2 header on its raw disk): a file
 * that is an image of another format is an error asking for it, and a
 * qcow2 image's backing chain must stay in the pools.
 */
static int check_file_format(storvirt_ctx *ctx, storvirt__disk_resolved *d, const char *path) {
        storvirt__disk_spec *s = d->spec;
        storvirt__img_info info = {};
        storvirt__vol_chain c = {};
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *abs = NULL;
        struct stat st;
        const char *want;
        int r;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0 || fstat(fd, &st) < 0)
                return storvirt__error_set(-errno, "'%s': %s", path, strerror(errno));
        want = s->format == STORVIRT__DISK_FORMAT_QCOW2 ? "qcow2" : "raw";
        r = storvirt__img_probe_fd(fd, (uint64_t)st.st_size, path, &info);
        if (r < 0)
                return r;
        if (strcmp(info.format, "raw") != 0 && strcmp(info.format, "iso") != 0 &&
            strcmp(info.format, want) != 0)
                r = storvirt__error_set(-EINVAL, "'%s' is a %s image, not %s%s", path,
                                        info.format, want,
                                        s->format == STORVIRT__DISK_FORMAT_UNSET
                                                ? " (formats are never guessed from content: "
                                                  "give \"format\")" : "");
        else if (s->format == STORVIRT__DISK_FORMAT_QCOW2 && strcmp(info.format, "qcow2") != 0)
                r = storvirt__error_set(-EINVAL, "'%s' is not a qcow2 image (found %s)", path,
                                        info.format);
        else if (strcmp(info.format, "qcow2") == 0)
                r = storvirt__img_check_usable(&info, path, 0);
        if (r >= 0 && strcmp(info.format, "qcow2") == 0 && info.backing_file &&
            !(abs = realpath(path, NULL)))
                r = storvirt__error_set(-errno, "'%s': %m", path);
        if (r >= 0 && abs) {
                r = storvirt__vol_chain_walk(ctx, abs, info.backing_file, info.backing_format, &c);
                if (r >= 0)
                        r = take_chain(d, &c);
                storvirt__vol_chain_clear(&c);
        }
        if (r >= 0 && !abs && strcmp(info.format, "qcow2") == 0)
                d->backing_known = true;        /* no backing file named */
        if (r >= 0)
                d->capacity = info.virtual_size;
        storvirt__img_info_clear(&info);
        return r;
}

/*
 * A file volume of a pool: read as the format it was recorded with (or,
 * for a file the library has no record of, probed when the pool was
 * refreshed), its content never consulted again here.  Content that now
 * claims another format is -ESTALE unless the spec names the recorded
 * format itself.
 */
static int resolve_file_volume(storvirt_ctx *ctx, storvirt__disk_resolved *d,
                               storvirt__pool_obj *obj, storvirt__vol_rec *rec, bool explicit) {
        storvirt__disk_spec *s = d->spec;
        storvirt__vol_chain c = {};
        char fmt[16];
        int r;

        storvirt__mutex_lock(&obj->lock);
        memcpy(fmt, rec->format, sizeof(fmt));
        d->capacity = rec->capacity;
        storvirt__mutex_unlock(&obj->lock);
        if (strcmp(fmt, "qcow2") != 0 && strcmp(fmt, "raw") != 0 && strcmp(fmt, "iso") != 0)
                return storvirt__error_set(-EINVAL, "volume '%s' of pool '%s' is %s; only raw and "
                                                    "qcow2 volumes are resolved",
                                           rec->name, obj->def->name, fmt);
        if (s->format != STORVIRT__DISK_FORMAT_UNSET && strcmp(fmt, "iso") != 0 &&
            strcmp(fmt, s->format == STORVIRT__DISK_FORMAT_QCOW2 ? "qcow2" : "raw") != 0)
                return storvirt__error_set(-EINVAL, "volume '%s' of pool '%s' is %s, not %s",
                                           rec->name, obj->def->name, fmt,
                                           s->format == STORVIRT__DISK_FORMAT_QCOW2 ? "qcow2" : "raw");
        s->format = strcmp(fmt, "qcow2") == 0 ? STORVIRT__DISK_FORMAT_QCOW2 : STORVIRT__DISK_FORMAT_RAW;
        r = storvirt__vol_chain_of(ctx, obj, rec, explicit, &c);
        if (r >= 0)
                r = storvirt__vol_encryption(ctx, obj, rec, d->encryption, d->encryption_secret);
        if (r < 0) {
                storvirt__vol_chain_clear(&c);
                return r;
        }
        r = take_chain(d, &c);
        storvirt__vol_chain_clear(&c);
        return r;
}

static int resolve_path(storvirt_ctx *ctx, storvirt__disk_resolved *d, const char *path) {
        storvirt__disk_spec *s = d->spec;
        storvirt__pool_obj *obj = NULL;
        storvirt__vol_rec *rec = NULL;
        bool explicit = s->format != STORVIRT__DISK_FORMAT_UNSET;
        struct stat st;
        int r;

        if (stat(path, &st) < 0) {
                int err = errno;
                /*
                 * An optional file may be missing (libvirt leaves the disk out, or
                 * empties the drive, when the VM starts), and so may the medium of
                 * a cdrom or floppy, optional as VDSM makes them.
                 */
                if (err == ENOENT && s->device != STORVIRT__DISK_DEVICE_LUN &&
                    (s->optional || storvirt__disk_is_removable(s))) {
                        d->type = STORVIRT__DISK_TYPE_FILE;
                        d->source_path = strdup(path);
                        return d->source_path ? 0 : storvirt__error_oom();
                }
                return storvirt__error_set(-err, "'%s': %s", path, strerror(err));
        }
        if (S_ISBLK(st.st_mode)) {
                d->type = STORVIRT__DISK_TYPE_BLOCK;
                if (s->format == STORVIRT__DISK_FORMAT_UNSET)
                        s->format = STORVIRT__DISK_FORMAT_RAW;
        } else if (S_ISREG(st.st_mode)) {
                d->type = STORVIRT__DISK_TYPE_FILE;
                if (path[0] == '/' && storvirt__pools_ensure_loaded(ctx) >= 0 &&
                    storvirt__vol_find_path(ctx, path, &obj, &rec) >= 0) {
                        r = resolve_file_volume(ctx, d, obj, rec, explicit);
                        storvirt__vol_rec_unref(rec);
                        storvirt__pool_obj_unref(obj);
                } else {
                        r = check_file_format(ctx, d, path);
                }
                if (r < 0)
                        return r;
        } else {
                return storvirt__error_set(-EINVAL, "'%s' is neither a file nor a block device",
                                           path);
        }
        if (s->device == STORVIRT__DISK_DEVICE_LUN && d->type != STORVIRT__DISK_TYPE_BLOCK)
                return storvirt__error_set(-EINVAL, "device 'lun' needs a block device, '%s' "
                                                    "is a file", path);
        d->source_path = strdup(path);
        return d->source_path ? 0 : storvirt__error_oom();
}

/*
 * A LUN of an iscsi-direct pool: a network disk QEMU reaches itself, with
 * the pool's portal, target, initiator and CHAP secret (the libvirt secret
 * the pool XML names).
 */
static int iscsi_direct_volume(storvirt__disk_resolved *d, storvirt_pool *pool,
                               storvirt_volume *vol) {
        const storvirt__pool_def *def = pool->obj->def;
        storvirt__disk_iscsi *i = &d->spec->iscsi;
        char uuid[STORVIRT__UUID_STRING_MAX];
        unsigned lun = 0;
        uint32_t type = 0;
        int r;

        if (sscanf(storvirt_volume_get_name(vol), "unit:0:0:%u", &lun) != 1)
                return storvirt__error_set(-EINVAL, "volume '%s' of iscsi-direct pool '%s' is not "
                                                    "a LUN",
                                           storvirt_volume_get_name(vol), def->name);
        if (!def->source.n_hosts || !def->source.devices || !def->source.devices[0])
                return storvirt__error_set(-EINVAL, "pool '%s' has no source host or target",
                                           def->name);
        storvirt__disk_iscsi_clear(i);
        i->port = def->source.hosts[0].port > 0 ? (unsigned)def->source.hosts[0].port : 3260;
        i->lun = lun;
        if (!(i->host = strdup(def->source.hosts[0].name)) ||
            !(i->target = strdup(def->source.devices[0])) ||
            (def->source.initiator_iqn && !(i->initiator = strdup(def->source.initiator_iqn))))
                return storvirt__error_oom();
        if (def->source.auth.type && def->source.auth.username) {
                if (!(i->auth_username = strdup(def->source.auth.username)))
                        return storvirt__error_oom();
                if (def->source.auth.has_secret_uuid)
                        i->secret_uuid = strdup(storvirt__uuid_format(&def->source.auth.secret_uuid, uuid));
                else
                        i->secret_usage = strdup(def->source.auth.secret_usage ?: "");
                if (!i->secret_uuid && !i->secret_usage)
                        return storvirt__error_oom();
        }
        d->type = STORVIRT__DISK_TYPE_NETWORK;
        r = storvirt_volume_get_info(vol, &type, &d->capacity, NULL, NULL);
        if (r >= 0) {
                const char *key = storvirt_volume_get_key(vol);

                if (key && key[0] != 'i' && !(d->guid = strdup(key)))       /* a GUID, not our fallback */
                        r = storvirt__error_oom();
        }
        return r;
}

/*
 * An image of an rbd pool: a network disk QEMU reaches itself through
 * librbd, with the pool's monitors and its cephx user and libvirt secret
 * (usage type ceph), the one the pool XML names.
 */
static int rbd_volume(storvirt__disk_resolved *d, storvirt_pool *pool, storvirt_volume *vol) {
        const storvirt__pool_def *def = pool->obj->def;
        const struct storvirt__pool_auth *a = &def->source.auth;
        storvirt__disk_rbd *rb = &d->rbd;
        char uuid[STORVIRT__UUID_STRING_MAX];

        if (!def->source.n_hosts || !def->source.name)
                return storvirt__error_set(-EINVAL, "pool '%s' has no source host or Ceph pool",
                                           def->name);
        storvirt__disk_rbd_clear(rb);
        rb->ports = calloc(def->source.n_hosts, sizeof(*rb->ports));
        if (!rb->ports || asprintf(&rb->name, "%s/%s", def->source.name,
                                   storvirt_volume_get_name(vol)) < 0) {
                rb->name = NULL;
                return storvirt__error_oom();
        }
        for (size_t i = 0; i < def->source.n_hosts; i++) {
                rb->ports[i] = def->source.hosts[i].port > 0 ? (unsigned)def->source.hosts[i].port
                                                              : 0;
                if (storvirt__strv_extend(&rb->hosts, def->source.hosts[i].name) < 0)
                        return storvirt__error_oom();
                rb->n_hosts++;
        }
        if (a->type && a->username) {
                if (!(rb->auth_username = strdup(a->username)))
                        return storvirt__error_oom();
                if (a->has_secret_uuid)
                        rb->secret_uuid = strdup(storvirt__uuid_format(&a->secret_uuid, uuid));
                else
                        rb->secret_usage = strdup(a->secret_usage ?: "");
                if (!rb->secret_uuid && !rb->secret_usage)
                        return storvirt__error_oom();
        }
        d->type = STORVIRT__DISK_TYPE_NETWORK;
        return 0;
}

static int resolve_volume(storvirt_ctx *ctx, storvirt__disk_resolved *d) {
        storvirt__disk_spec *s = d->spec;
        storvirt_pool *pool = NULL;
        storvirt_volume *vol = NULL;
        bool explicit = s->format != STORVIRT__DISK_FORMAT_UNSET;
        uint32_t type = 0;
        const char *fmt;
        int r;

        r = storvirt_pool_lookup_by_name(ctx, s->pool, &pool);
        if (r >= 0 && storvirt_pool_is_active(pool) != 1)
                r = storvirt__error_set(-ENOENT, "pool '%s' is not active", s->pool);
        if (r >= 0)
                r = storvirt_volume_lookup_by_name(pool, s->volume, &vol);
        if (r >= 0 && strcmp(storvirt_pool_get_type(pool), "gluster") == 0) {
                r = storvirt__resolve_gluster_volume(ctx, d, pool, vol);
                goto out;
        }
        if (r >= 0)
                r = storvirt_volume_get_info(vol, &type, &d->capacity, NULL, NULL);
        if (r < 0)
                goto out;
        if (type == STORVIRT_VOLUME_TYPE_FILE) {
                r = resolve_file_volume(ctx, d, pool->obj, vol->rec, explicit);
                if (r < 0)
                        goto out;
        } else {
                fmt = storvirt_volume_get_format(vol);
                if (strcmp(fmt, "raw") != 0) {
                        r = storvirt__error_set(-EINVAL, "volume '%s' of pool '%s' is %s; only "
                                                         "raw and qcow2 volumes are resolved",
                                                s->volume, s->pool, fmt);
                        goto out;
                }
                if (s->format == STORVIRT__DISK_FORMAT_QCOW2) {
                        r = storvirt__error_set(-EINVAL, "volume '%s' of pool '%s' is raw, not "
                                                         "qcow2", s->volume, s->pool);
                        goto out;
                }
                s->format = STORVIRT__DISK_FORMAT_RAW;
        }
        if (!s->volume_as_volume && strcmp(storvirt_pool_get_type(pool), "iscsi-direct") == 0) {
                r = iscsi_direct_volume(d, pool, vol);
                goto out;
        }
        if (strcmp(storvirt_pool_get_type(pool), "rbd") == 0) {
                /* libvirt 9.0 takes no <disk type='volume'> from rbd pools either */
                r = s->volume_as_volume
                            ? storvirt__error_set(-EOPNOTSUPP, "volume '%s' of rbd pool '%s': "
                                                  "libvirt takes no <disk type='volume'> from rbd "
                                                  "pools (\"using 'rbd' pools for backing 'volume' "
                                                  "disks isn't yet supported\"); resolve it as a "
                                                  "network disk", s->volume, s->pool)
                            : rbd_volume(d, pool, vol);
                goto out;
        }
        if (s->volume_as_volume) {
                d->type = STORVIRT__DISK_TYPE_VOLUME;
                d->source_pool = strdup(s->pool);
                d->source_volume = strdup(s->volume);
                if (!d->source_pool || !d->source_volume)
                        r = storvirt__error_oom();
        } else if (type == STORVIRT_VOLUME_TYPE_FILE) {
                d->type = STORVIRT__DISK_TYPE_FILE;
                if (s->device == STORVIRT__DISK_DEVICE_LUN)
                        r = storvirt__error_set(-EINVAL, "device 'lun' needs a block device, "
                                                         "'%s' is a file",
                                                storvirt_volume_get_path(vol));
                else if (!(d->source_path = strdup(storvirt_volume_get_path(vol))))
                        r = storvirt__error_oom();
        } else {
                r = resolve_path(ctx, d, storvirt_volume_get_path(vol));
        }
out:
        storvirt_volume_unref(vol);
        storvirt_pool_unref(pool);
        return r;
}

/* ---- one disk ------------------------------------------------------------------------------- */

static void resolved_init_defaults(storvirt__disk_resolved *d) {
        storvirt__disk_spec *s = d->spec;
        bool removable = storvirt__disk_is_removable(s);

        if (s->format == STORVIRT__DISK_FORMAT_UNSET)
                s->format = STORVIRT__DISK_FORMAT_RAW;
        if (s->cache == STORVIRT__DISK_CACHE_UNSET)
                s->cache = storvirt__disk_default_cache(s);
        if (s->error_policy == STORVIRT__DISK_ERROR_POLICY_UNSET &&
            s->device != STORVIRT__DISK_DEVICE_FLOPPY)
                s->error_policy = STORVIRT__DISK_ERROR_POLICY_STOP;
        /*
         * VDSM's rule: a cdrom or floppy with a medium from a file is
         * optional, so that a VM whose ISO is missing starts with an empty
         * drive; libvirt takes the same for a volume.
         */
        if (removable && ((d->type == STORVIRT__DISK_TYPE_FILE && d->source_path) ||
                          d->type == STORVIRT__DISK_TYPE_VOLUME))
                s->optional = true;
        /*
         * VDSM's rule: native AIO for block devices, threads for files and
         * network disks, none for removables.  Native AIO needs O_DIRECT,
         * which only cache none and directsync give.
         */
        if (s->io == STORVIRT__DISK_IO_UNSET && !removable)
                s->io = d->type == STORVIRT__DISK_TYPE_BLOCK &&
                                        (s->cache == STORVIRT__DISK_CACHE_NONE ||
                                         s->cache == STORVIRT__DISK_CACHE_DIRECTSYNC)
                                ? STORVIRT__DISK_IO_NATIVE : STORVIRT__DISK_IO_THREADS;
}

int storvirt__resolve_find(storvirt_ctx *ctx, const storvirt__disk_spec *spec, uint32_t flags,
                           storvirt__disk_resolved **ret) {
        storvirt__disk_resolved *d;
        storvirt__disk_spec *s;
        int r;

        d = calloc(1, sizeof(*d));
        if (!d)
                return storvirt__error_oom();
        r = storvirt__disk_spec_dup(spec, &d->spec);
        if (r < 0) {
                free(d);
                return r;
        }
        s = d->spec;
        switch (s->source) {
        case STORVIRT__DISK_SOURCE_GUID:
        case STORVIRT__DISK_SOURCE_FS_UUID:
                r = resolve_lun(ctx, d, flags);
                break;
        case STORVIRT__DISK_SOURCE_PATH:
                r = resolve_path(ctx, d, s->path);
                break;
        case STORVIRT__DISK_SOURCE_VOLUME:
                r = resolve_volume(ctx, d);
                break;
        case STORVIRT__DISK_SOURCE_ISCSI:
                d->type = STORVIRT__DISK_TYPE_NETWORK;
                break;
        case STORVIRT__DISK_SOURCE_NETWORK:
                if (s->net_conn) {
                        r = storvirt__resolve_netconn(ctx, d);
                        break;
                }
                /* storage outside any pool: taken as given, nothing to look up */
                d->type = STORVIRT__DISK_TYPE_NETWORK;
                r = s->net_rbd.name ? storvirt__disk_rbd_dup(&s->net_rbd, &d->rbd)
                                    : storvirt__disk_netfile_dup(&s->net_file, &d->netfile);
                break;
        case STORVIRT__DISK_SOURCE_NONE:
                d->type = STORVIRT__DISK_TYPE_FILE;
                break;
        case STORVIRT__DISK_SOURCE_PDIV:
        case STORVIRT__DISK_SOURCE_VDISK:
                r = storvirt__vdisk_resolve(ctx, d);
                break;
        }
        if (r < 0) {
                storvirt__disk_resolved_free(d);
                return r;
        }
        *ret = d;
        return 0;
}

bool storvirt__resolve_unreachable(int r) {
        return r == -ENOENT || r == -ENODEV || r == -ENXIO || r == -ESTALE;
}

/*
 * Device lun passes SCSI commands through (SG_IO, QEMU's scsi-block):
 * the device at path must take them, a SCSI disk or a multipath map of
 * SCSI paths.
 */
static int check_scsi(storvirt_ctx *ctx, const char *path) {
        const storvirt__sysops *ops = storvirt__ctx_sysops(ctx);
        struct storvirt__blkident id;
        dev_t devnum = 0;
        bool scsi;
        int r;

        r = ops->dev_number(path, &devnum);
        if (r >= 0)
                r = ops->ident_read(devnum, &id);
        if (r < 0)
                return r;
        scsi = id.dm ? id.multipath && id.n_slaves > 0 : id.scsi;
        for (size_t i = 0; id.dm && i < id.n_slaves; i++)
                scsi = scsi && id.slaves[i].scsi;
        if (!scsi)
                return storvirt__error_set(-EOPNOTSUPP,
                                           "device lun passes SCSI commands through (SG_IO), but "
                                           "'%s' (%s) is not a SCSI device%s: QEMU refuses it "
                                           "(\"cannot get SG_IO version number\"); use device disk",
                                           path, id.name,
                                           id.dm ? " or a multipath map of SCSI paths" : "");
        return 0;
}

/* A warning about d, naming the drive. */
static int warn(storvirt__disk_resolved *d, const char *what) {
        char *w;

        if (asprintf(&w, "%s: %s", drive_name(d->spec), what) < 0)
                return storvirt__error_oom();
        if (storvirt__strv_push(&d->warnings, w) < 0) {
                free(w);
                return storvirt__error_oom();
        }
        return 0;
}

int storvirt__resolve_finish(storvirt_ctx *ctx, storvirt__disk_resolved *d, uint32_t flags) {
        storvirt__disk_spec *s = d->spec;
        char dev[32];
        int r;

        resolved_init_defaults(d);
        d->no_relabel = flags & STORVIRT_RESOLVE_NO_RELABEL;
        r = storvirt__disk_target_dev(s->bus, (unsigned)(s->index < 0 ? 0 : s->index), dev,
                                      sizeof(dev));
        if (r >= 0 && !(d->target_dev = strdup(dev)))
                r = storvirt__error_oom();
        if (r >= 0 && s->device == STORVIRT__DISK_DEVICE_LUN &&
            d->type == STORVIRT__DISK_TYPE_BLOCK)
                r = check_scsi(ctx, d->source_path);
        if (r < 0)
                return r == -ENOMEM ? r : storvirt__error_prefix("%s", drive_name(s));
        if (s->device == STORVIRT__DISK_DEVICE_LUN && s->serial) {
                /* as VDSM does: QEMU's scsi-block takes no serial */
                r = warn(d, "key 'serial' left out: device lun passes the LUN's own serial "
                            "through (QEMU's scsi-block takes no serial)");
                if (r < 0)
                        return r;
                free(s->serial);
                s->serial = NULL;
        }
        return storvirt__disk_resolved_check(d);
}

static int format_one(storvirt__disk_resolved *d, char **ret, uint32_t flags) {
        storvirt__json_gen *g = NULL;
        int r;

        d->no_relabel |= !!(flags & STORVIRT_RESOLVE_NO_RELABEL);
        d->with_lease |= !!(flags & STORVIRT_RESOLVE_LEASES);
        if (!(flags & STORVIRT_RESOLVE_DICT))
                return storvirt__disk_to_xml(d, ret);
        r = storvirt__json_gen_new(true, &g);
        if (r >= 0)
                r = storvirt__disk_resolved_to_dict(d, g);
        if (r >= 0)
                r = storvirt__json_gen_finish(g, ret, NULL);
        storvirt__json_gen_free(g);
        return r;
}

int storvirt__resolve_problems_error(char **problems) {
        _cleanup_(storvirt__buf_freep) struct storvirt__buf b = {};
        size_t n = storvirt__strv_length(problems);

        for (size_t i = 0; i < n; i++)
                storvirt__buf_printf(&b, "%s%s", i ? "\n" : "", problems[i]);
        if (n == 1)
                return storvirt__error_set(-EINVAL, "%s", storvirt__buf_str(&b));
        return storvirt__error_set(-EINVAL, "%zu problems:\n%s", n, storvirt__buf_str(&b));
}

const storvirt__disk_spec *storvirt__disk_spec_of(const storvirt_disk_spec *spec) {
        return spec ? spec->s : NULL;
}

int storvirt__resolve_format(storvirt__disk_resolved *d, char **ret, uint32_t flags) {
        return format_one(d, ret, flags);
}

int storvirt__resolve_spec(storvirt_ctx *ctx, const storvirt__disk_spec *spec, uint32_t flags,
                           storvirt__disk_resolved **ret) {
        storvirt__disk_resolved *d = NULL;
        storvirt__disk_spec *copy = NULL;
        char **problems = NULL;
        int r;

        r = storvirt__disk_spec_dup(spec, &copy);
        if (r < 0)
                return r;
        r = storvirt__disk_spec_problems(copy, &problems);
        if (r >= 0 && storvirt__strv_length(problems) == 0)
                r = storvirt__disk_specs_complete(&copy, 1, &problems);
        if (r >= 0 && storvirt__strv_length(problems) > 0)
                r = storvirt__resolve_problems_error(problems);
        if (r >= 0) {
                /* the messages of the search never name the drive */
                r = storvirt__resolve_find(ctx, copy, flags, &d);
                if (r < 0 && r != -ENOMEM)
                        storvirt__error_prefix("%s", drive_name(copy));
        }
        if (r >= 0)
                r = storvirt__resolve_finish(ctx, d, flags);
        for (char **w = r >= 0 ? d->warnings : NULL; w && *w; w++)
                log_warning(ctx, "%s", *w);
        if (r >= 0)
                *ret = TAKE_PTR(d);
        storvirt__disk_resolved_free(d);
        storvirt__disk_spec_free(copy);
        storvirt__strv_free(problems);
        return r;
}

STORVIRT_EXPORT int storvirt_resolve_disk(storvirt_ctx *ctx, const storvirt_disk_spec *spec,
                                          char **ret, uint32_t flags) {
        storvirt__disk_resolved *d = NULL;
        int r;

        check_nonnull(ctx);
        check_nonnull(spec);
        check_nonnull(ret);
        check_flags(flags, STORVIRT_RESOLVE_DICT | STORVIRT_RESOLVE_NO_REFRESH |
                                   STORVIRT_RESOLVE_NO_RELABEL | STORVIRT_RESOLVE_LEASES);
        r = storvirt__resolve_spec(ctx, spec->s, flags, &d);
        if (r >= 0)
                r = format_one(d, ret, flags);
        storvirt__disk_resolved_free(d);
        return r;
}
