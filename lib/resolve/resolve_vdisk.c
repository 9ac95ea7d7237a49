/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * resolve_vdisk.c - "vdisk" and {poolID, domainID, imageID, volumeID}
 * specs resolved from the vDisk record: the image asked for, its
 * backing images below it, and how QEMU reaches them.
 *
 * An image below the top of the stack has an overlay on it: written to,
 * it would corrupt that overlay, so a quartet naming it resolves only
 * read-only ("readonly": true), and is refused otherwise.  VDSM's
 * volumeChain and volumeInfo, when given, must agree with the stack:
 * every volume of the chain is an image of the vDisk (in its domain), the
 * images the disk uses are all in it, and volumeInfo names the image
 * used, of its type.  The messages never name the drive: the caller does.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "objects/secret.h"
#include "objects/vdisk_rec.h"
#include "resolve/resolve.h"
#include "objects/records.h"
#include "util/error.h"
#include "util/macro.h"

typedef storvirt__vimage image;
typedef storvirt__vrec vrec;

/*
 * The encryption of image idx into d, its secret checked: defined, with
 * a value.  An encrypted image below it is refused (an overlay never
 * goes over one: a record saying so was not written by this library).
 */
static int image_encryption(storvirt_ctx *ctx, const vrec *v, size_t idx,
                            storvirt__disk_resolved *d) {
        const image *im = &v->images[idx];
        int r;

        for (size_t k = 0; k < idx; k++)
                if (v->images[k].encryption)
                        return storvirt__error_set(-EOPNOTSUPP, "vDisk %s: image %s below %s is "
                                                                "encrypted; an encrypted image is "
                                                                "never used as a backing file",
                                                   v->id, v->images[k].uid, im->uid);
        if (!im->encryption)
                return 0;
        if (strcmp(im->encryption, "luks") != 0 || strlen(im->secret) >= sizeof(d->encryption_secret))
                return storvirt__error_set(-EINVAL, "vDisk %s: image %s: encryption '%s' with "
                                                    "secret '%s' cannot be handed out", v->id,
                                           im->uid, im->encryption, im->secret);
        r = storvirt__secret_check(ctx, im->secret);
        if (r < 0)
                return storvirt__error_prefix("vDisk %s: image %s is encrypted (%s) with the "
                                              "passphrase of secret %s", v->id, im->uid,
                                              im->encryption, im->secret);
        snprintf(d->encryption, sizeof(d->encryption), "%s", im->encryption);
        snprintf(d->encryption_secret, sizeof(d->encryption_secret), "%s", im->secret);
        return 0;
}

/* The top legal image of v: one ILLEGAL above it is a snapshot not complete. */
static size_t top_legal(const vrec *v) {
        size_t idx = v->n_images - 1;

        while (idx > 0 && !v->images[idx].legal)
                idx--;
        return idx;
}

/*
 * The image a quartet names: this host's pool, the vDisk's image in that
 * domain, LEGAL, and read-only when an overlay sits on it.
 */
static int pdiv_image(storvirt_ctx *ctx, const storvirt__disk_spec *s, const vrec *v,
                      const char *id, size_t *ret_idx) {
        char state[STORVIRT__UUID_STRING_MAX];
        size_t idx, top;
        int r;

        r = storvirt__state_uuid(ctx, state);
        if (r < 0)
                return r;
        if (strcmp(s->pool_id, state) != 0)
                return storvirt__error_set(-ENOENT, "poolID %s is not this host's storage "
                                                    "pool (the state directory's %s)",
                                           s->pool_id, state);
        for (idx = 0; idx < v->n_images; idx++)
                if (strcmp(v->images[idx].uid, s->volume_id) == 0)
                        break;
        if (idx == v->n_images)
                return storvirt__error_set(-ENOENT, "vDisk %s (imageID) has no image %s "
                                                    "(volumeID)", id, s->volume_id);
        if (strcmp(v->images[idx].domain_id, s->domain_id) != 0)
                return storvirt__error_set(-EINVAL, "image %s of vDisk %s is in domain %s, "
                                                    "not %s (domainID)", s->volume_id, id,
                                           v->images[idx].domain_id, s->domain_id);
        if (!v->images[idx].legal)
                return storvirt__error_set(-EBUSY, "image %s of vDisk %s is ILLEGAL: its "
                                                   "creation has not completed",
                                           s->volume_id, id);
        top = top_legal(v);
        if (idx < top && !s->readonly && !v->readonly)
                return storvirt__error_set(-EINVAL, "volumeID %s is image %zu of vDisk %s, below "
                                                    "its top %s: a qcow2 overlay sits on it, which "
                                                    "writing to it would corrupt, so it is handed "
                                                    "out read-only only (give \"readonly\": true)",
                                           s->volume_id, idx, id, v->images[top].uid);
        *ret_idx = idx;
        return 0;
}

/* The images of v as "a, b, c", base first, into buf. */
static const char *image_list(const vrec *v, char *buf, size_t size) {
        size_t o = 0;

        buf[0] = '\0';
        for (size_t k = 0; k < v->n_images && o < size; k++)
                o += (size_t) snprintf(buf + o, size - o, "%s%s", k ? ", " : "", v->images[k].uid);
        return buf;
}

/* The volumes of VDSM's volumeChain: each an image of v, each image 0..idx among them. */
static int check_volume_chain(const storvirt__disk_spec *s, const vrec *v, size_t idx) {
        char list[1024];

        for (size_t i = 0; i < s->n_volume_chain; i++) {
                const storvirt__disk_vol_ref *c = &s->volume_chain[i];
                size_t k = 0;

                while (k < v->n_images && strcmp(v->images[k].uid, c->volume_id) != 0)
                        k++;
                if (k == v->n_images)
                        return storvirt__error_set(-EINVAL, "key 'volumeChain': volume %s is not "
                                                            "an image of vDisk %s (its images, "
                                                            "base first: %s)", c->volume_id,
                                                   v->id, image_list(v, list, sizeof(list)));
                if (c->domain_id && strcmp(c->domain_id, v->images[k].domain_id) != 0)
                        return storvirt__error_set(-EINVAL, "key 'volumeChain': volume %s is in "
                                                            "domain %s, not %s", c->volume_id,
                                                   v->images[k].domain_id, c->domain_id);
                if (c->image_id && strcmp(c->image_id, v->id) != 0)
                        return storvirt__error_set(-EINVAL, "key 'volumeChain': volume %s is an "
                                                            "image of vDisk %s, not %s",
                                                   c->volume_id, v->id, c->image_id);
        }
        for (size_t k = 0; k <= idx; k++) {
                bool found = false;

                for (size_t i = 0; i < s->n_volume_chain; i++)
                        found |= strcmp(s->volume_chain[i].volume_id, v->images[k].uid) == 0;
                if (!found)
                        return storvirt__error_set(-EINVAL, "key 'volumeChain': it lacks volume "
                                                            "%s, image %zu of vDisk %s, which the "
                                                            "disk uses", v->images[k].uid, k,
                                                   v->id);
        }
        return 0;
}

/* VDSM's volumeInfo: the image used (idx), of its type. */
static int check_volume_info(const storvirt__disk_spec *s, const vrec *v, size_t idx) {
        const storvirt__disk_vol_ref *info = &s->volume_info;
        const image *im = &v->images[idx];

        if (info->volume_id && strcmp(info->volume_id, im->uid) != 0)
                return storvirt__error_set(-EINVAL, "key 'volumeInfo': volumeID %s, but the image "
                                                    "used is %s", info->volume_id, im->uid);
        if (info->domain_id && strcmp(info->domain_id, im->domain_id) != 0)
                return storvirt__error_set(-EINVAL, "key 'volumeInfo': domainID %s, but image %s "
                                                    "is in domain %s", info->domain_id, im->uid,
                                           im->domain_id);
        if (info->image_id && strcmp(info->image_id, v->id) != 0)
                return storvirt__error_set(-EINVAL, "key 'volumeInfo': imageID %s, but the vDisk "
                                                    "is %s", info->image_id, v->id);
        if (s->volume_info_typed && s->volume_info_type != im->type)
                return storvirt__error_set(-EINVAL, "key 'volumeInfo': type %s, but image %s is %s",
                                           storvirt__disk_type_names[s->volume_info_type], im->uid,
                                           storvirt__disk_type_names[im->type]);
        return 0;
}

/* The spec's device and format agree with image idx; the format is then the image's. */
static int check_image_fits(storvirt__disk_spec *s, const vrec *v, size_t idx, const char *id) {
        const image *im = &v->images[idx];

        if (s->device == STORVIRT__DISK_DEVICE_LUN &&
            (idx > 0 || im->type == STORVIRT__DISK_TYPE_FILE))
                return storvirt__error_set(-EINVAL, "device lun passes a SCSI LUN through: vDisk "
                                                    "%s's image %s is %s", id, im->uid,
                                           idx > 0 ? "a qcow2 overlay" : "a file");
        if (s->format != STORVIRT__DISK_FORMAT_UNSET &&
            (s->format == STORVIRT__DISK_FORMAT_QCOW2) != im->cow)
                return storvirt__error_set(-EINVAL, "key 'format': image %s of vDisk %s is %s",
                                           im->uid, id, im->cow ? "cow (qcow2)" : "raw");
        s->format = im->cow ? STORVIRT__DISK_FORMAT_QCOW2 : STORVIRT__DISK_FORMAT_RAW;
        s->shared |= v->shared;
        s->readonly |= v->readonly;
        return 0;
}

/* Where image idx is: the iSCSI LUN QEMU reaches, or its path. */
static int image_source(const vrec *v, size_t idx, storvirt__disk_resolved *d) {
        storvirt__disk_spec *s = d->spec;
        const image *im = &v->images[idx];
        int r;

        d->type = im->type;
        d->capacity = im->capacity;
        if ((r = storvirt__sdup(v->guid, &d->guid)) < 0)
                return r;
        if (im->type != STORVIRT__DISK_TYPE_NETWORK)
                return storvirt__sdup(im->path, &d->source_path);
        if (v->rbd.name)
                return storvirt__disk_rbd_dup(&v->rbd, &d->rbd);
        if (v->netfile.protocol)
                return storvirt__disk_netfile_dup(&v->netfile, &d->netfile);
        storvirt__disk_iscsi_clear(&s->iscsi);
        s->iscsi.port = v->iscsi.port;
        s->iscsi.lun = v->iscsi.lun;
        if ((r = storvirt__sdup(v->iscsi.host, &s->iscsi.host)) < 0 ||
            (r = storvirt__sdup(v->iscsi.target, &s->iscsi.target)) < 0 ||
            (r = storvirt__sdup(v->iscsi.initiator, &s->iscsi.initiator)) < 0 ||
            (r = storvirt__sdup(v->iscsi.auth_username, &s->iscsi.auth_username)) < 0 ||
            (r = storvirt__sdup(v->iscsi.secret_usage, &s->iscsi.secret_usage)) < 0)
                return r;
        return 0;
}

/* The images below idx, nearest first: the record's image stack, not a header. */
static int image_backing(const vrec *v, size_t idx, storvirt__disk_resolved *d) {
        int r;

        d->backing_known = true;
        if (idx == 0)
                return 0;
        d->backing = calloc(idx, sizeof(*d->backing));
        if (!d->backing)
                return storvirt__error_oom();
        for (size_t k = 0; k < idx; k++) {
                const image *b = &v->images[idx - 1 - k];
                storvirt__disk_backing *out = &d->backing[k];

                d->n_backing++;
                out->type = b->type;
                out->format = b->cow ? STORVIRT__DISK_FORMAT_QCOW2 : STORVIRT__DISK_FORMAT_RAW;
                if (b->type != STORVIRT__DISK_TYPE_NETWORK) {
                        if ((r = storvirt__sdup(b->path, &out->path)) < 0)
                                return r;
                        continue;
                }
                out->iscsi.port = v->iscsi.port;
                out->iscsi.lun = v->iscsi.lun;
                if ((r = storvirt__sdup(v->iscsi.host, &out->iscsi.host)) < 0 ||
                    (r = storvirt__sdup(v->iscsi.target, &out->iscsi.target)) < 0)
                        return r;
        }
        return 0;
}

/* The vDisk's sanlock lease, for a <lease> element: read-write, non-shared vDisks only. */
static int image_lease(const vrec *v, storvirt__disk_resolved *d) {
        int r;

        if (!v->lease.lockspace || v->readonly || v->shared || d->spec->readonly || d->spec->shared)
                return 0;
        if ((r = storvirt__sdup(v->lease.lockspace, &d->lease_lockspace)) < 0 ||
            (r = storvirt__sdup(v->id, &d->lease_key)) < 0 ||
            (r = storvirt__sdup(v->lease.path, &d->lease_path)) < 0)
                return r;
        d->lease_offset = v->lease.offset;
        return 0;
}

int storvirt__vdisk_resolve(storvirt_ctx *ctx, storvirt__disk_resolved *d) {
        storvirt__disk_spec *s = d->spec;
        const char *id = s->source == STORVIRT__DISK_SOURCE_VDISK ? s->vdisk : s->image_id;
        _cleanup_vrec_ vrec *v = NULL;
        size_t idx = 0;
        int r;

        r = storvirt__vrec_get(ctx, id, &v);
        if (r == -ENOENT && s->source == STORVIRT__DISK_SOURCE_PDIV)
                return storvirt__error_set(r, "no vDisk %s on this host for {poolID=%s, "
                                              "domainID=%s, imageID=%s, volumeID=%s}",
                                           id, s->pool_id, s->domain_id, s->image_id,
                                           s->volume_id);
        if (r < 0)
                return r;
        if (s->source == STORVIRT__DISK_SOURCE_VDISK)
                idx = top_legal(v);
        else if ((r = pdiv_image(ctx, s, v, id, &idx)) < 0)
                return r;
        if ((s->volume_chain && (r = check_volume_chain(s, v, idx)) < 0) ||
            (r = check_volume_info(s, v, idx)) < 0)
                return r;
        r = check_image_fits(s, v, idx, id);
        if (r >= 0)
                r = image_source(v, idx, d);
        if (r >= 0)
                r = image_encryption(ctx, v, idx, d);
        if (r >= 0)
                r = image_lease(v, d);
        if (r < 0)
                return r;
        /* a LUN base is handed out only while it still is that LUN */
        if (strcmp(v->kind, "lun") == 0) {
                r = storvirt__resolve_check_guid(ctx, v->images[0].path, v->guid);
                if (r < 0)
                        return r;
        }
        return image_backing(v, idx, d);
}
