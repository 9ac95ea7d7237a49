/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vdisk_chain.c - a leased vDisk's image stack as the hosts share it.
 * Every host keeps its own record of a vDisk (its state directory), so a
 * snapshot taken on one host would leave the others with the old top.
 * The host that changes the chain (holding the vDisk's lease) therefore
 * writes the stack next to the lease area, on the shared storage
 * ("<area>.chains/<vDisk id>.json", written whole under its final name);
 * before a prepare or a change of its own, a host reads it again and
 * takes the stack from there when it differs from its record, once it
 * has checked that every image of it is reachable from this host.
 * A lease in a block device region has no file system beside it: such a
 * vDisk's stack is not shared (a snapshot's overlay is a file or volume
 * the other hosts import on their own).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <storvirt.h>

#include "objects/ctx.h"
#include "objects/vdisk_rec.h"
#include "vdisk/vdisk_int.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/macro.h"

#define CHAIN_MAX (1u << 20)

/* The directory of v's shared chain records (malloc'd), NULL without a lease area file. */
static int chains_dir(const vrec *v, char **ret) {
        struct stat st;

        *ret = NULL;
        if (!v->lease.lockspace || !v->lease.path ||
            (stat(v->lease.path, &st) == 0 && S_ISBLK(st.st_mode)))
                return 0;
        if (asprintf(ret, "%s.chains", v->lease.path) < 0) {
                *ret = NULL;
                return storvirt__error_oom();
        }
        return 0;
}

int storvirt__vdisk_chain_publish(storvirt_ctx *ctx, const vrec *v) {
        _cleanup_free_ char *dir = NULL, *text = NULL, *name = NULL;
        _cleanup_close_ int dfd = -1;
        int r;

        (void)ctx;
        if ((r = chains_dir(v, &dir)) < 0 || !dir)
                return r;
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return storvirt__error_set(-errno, "vDisk %s: chain records '%s': %s", v->id, dir,
                                           strerror(errno));
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return storvirt__error_set(-errno, "vDisk %s: chain records '%s': %s", v->id, dir,
                                           strerror(errno));
        if (asprintf(&name, "%s.json", v->id) < 0) {
                name = NULL;
                return storvirt__error_oom();
        }
        r = storvirt__vrec_text(v, NULL, true, &text);
        if (r >= 0)
                r = storvirt__file_write_atomic(dfd, name, text, strlen(text), 0644);
        if (r < 0)
                return storvirt__error_set(r, "vDisk %s: writing its image stack to '%s': %s",
                                           v->id, dir, storvirt_error_message());
        return 0;
}

/* The stack another host wrote for v (*ret NULL when none was written). */
static int chain_read(const vrec *v, vrec **ret) {
        _cleanup_free_ char *dir = NULL, *path = NULL, *text = NULL;
        _cleanup_json_ yajl_val o = NULL;
        size_t len = 0;
        int r;

        *ret = NULL;
        if ((r = chains_dir(v, &dir)) < 0 || !dir)
                return r;
        if (asprintf(&path, "%s/%s.json", dir, v->id) < 0) {
                path = NULL;
                return storvirt__error_oom();
        }
        r = storvirt__file_read_all(AT_FDCWD, path, CHAIN_MAX, &text, &len);
        if (r == -ENOENT) {
                storvirt_error_clear();
                return 0;
        }
        if (r >= 0)
                r = storvirt__json_parse(text, len, CHAIN_MAX, &o, path);
        if (r >= 0)
                r = storvirt__vrec_parse(o, ret);
        if (r >= 0 && strcmp((*ret)->id, v->id) != 0)
                r = storvirt__error_set(-EINVAL, "holds vDisk %s", (*ret)->id);
        if (r < 0) {
                storvirt__vrec_free(*ret);
                *ret = NULL;
                return storvirt__error_set(r, "vDisk %s: its image stack on storage ('%s'): %s",
                                           v->id, path, storvirt_error_message());
        }
        return 0;
}

static bool same_stack(const vrec *a, const vrec *b) {
        if (a->n_images != b->n_images)
                return false;
        for (size_t i = 0; i < a->n_images; i++)
                if (strcmp(a->images[i].uid, b->images[i].uid) != 0)
                        return false;
        return true;
}

/* Takes the stack of the shared record (userdata) into this host's record. */
static int adopt_stack(storvirt_ctx *ctx, vrec *v, void *userdata) {
        vrec *shared = userdata;
        image *old = v->images;
        size_t n_old = v->n_images;

        if (same_stack(v, shared))
                return 0;
        log_info(ctx, "vDisk %s: its image stack changed on another host: %zu images now "
                      "(top %s), this host had %zu (top %s)", v->id, shared->n_images,
                 shared->images[shared->n_images - 1].uid, n_old, old[n_old - 1].uid);
        v->images = shared->images;
        v->n_images = shared->n_images;
        shared->images = old;
        shared->n_images = n_old;
        return 1;
}

int storvirt__vdisk_chain_sync(storvirt_ctx *ctx, const char *id) {
        _cleanup_vrec_ vrec *v = NULL, *shared = NULL;
        int r;

        r = storvirt__vdisk_load(ctx, id, false, &v);
        if (r >= 0)
                r = chain_read(v, &shared);
        if (r < 0 || !shared || same_stack(v, shared))
                return r;
        if (shared->n_images == 0 || strcmp(shared->images[0].uid, v->images[0].uid) != 0)
                return storvirt__error_set(-ESTALE, "vDisk %s: the image stack another host wrote "
                                                    "has another base (%s) than this host's (%s)",
                                           id, shared->n_images ? shared->images[0].uid : "none",
                                           v->images[0].uid);
        for (size_t i = 1; i < shared->n_images; i++)
                if (!shared->images[i].legal)
                        return storvirt__error_set(-ESTALE, "vDisk %s: another host is changing "
                                                            "its image stack (image %s is not "
                                                            "complete yet): try again", id,
                                                   shared->images[i].uid);
        for (size_t i = 1; i < shared->n_images; i++)
                if (access(shared->images[i].path, F_OK) < 0)
                        return storvirt__error_set(-ESTALE, "vDisk %s: its image stack changed on "
                                                            "another host (top %s), and image %s "
                                                            "is not reachable from this host "
                                                            "(%s: %s)", id,
                                                   shared->images[shared->n_images - 1].uid,
                                                   shared->images[i].uid, shared->images[i].path,
                                                   strerror(errno));
        return storvirt__vdisk_change(ctx, id, adopt_stack, shared);
}
