/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rbd_list.c - the images of a Ceph pool with their figures
 * (storvirt__rbd_list, sys/rbd.h): names and ids from one rbd_list2,
 * then windows of images opened read-only through librbd's
 * asynchronous open, measured, and closed asynchronously.  Opening is
 * what costs (a few round trips per image); with a window of opens in
 * flight those round trips overlap, in librbd's own threads.
 *
 * The allocation of an image is the bytes of its objects that exist:
 * rbd_diff_iterate2 over the whole image, whole objects, without the
 * parent.  With the fast-diff feature on and its object map valid librbd
 * answers from the object map (one read); otherwise it asks for every
 * object.  These calls are synchronous, so the caller's threads (and
 * helpers when allowed) share them.
 *
 * An image that times out (the OSDs gone) fails the whole listing after
 * its window with -ETIMEDOUT: the caller keeps what it had, rather than
 * a list without the images that could not be read, and waits for one
 * timeout (two when it comes between the header and object map reads),
 * not one per window.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "sys/rbd.h"
#include "sys/rbd_int.h"
#include "util/error.h"
#include "util/macro.h"
#include "util/parallel.h"

/* Images opened at once. */
#define WINDOW 64

void storvirt__rbd_images_free(struct storvirt__rbd_image *v, size_t n) {
        for (size_t i = 0; v && i < n; i++) {
                free(v[i].name);
                free(v[i].id);
        }
        free(v);
}

static int add_extent(uint64_t off, size_t len, int exists, void *arg) {
        (void)off;
        if (exists)
                *(uint64_t *)arg += len;
        return 0;
}

/* Size, features and (when asked) allocation of an open image. */
static void measure(rbd_image_t img, bool allocation, struct storvirt__rbd_image *im) {
        uint64_t flags = 0, used = 0;
        int r;

        r = rbd_get_size(img, &im->size);
        if (r >= 0)
                r = rbd_get_features(img, &im->features);
        if (r >= 0)
                r = rbd_get_flags(img, &flags);
        im->allocation = im->size;
        if (r >= 0 && allocation) {
                im->fast_diff = (im->features & RBD_FEATURE_FAST_DIFF) &&
                                !(flags & RBD_FLAG_FAST_DIFF_INVALID);
                r = rbd_diff_iterate2(img, NULL, 0, im->size, 0, 1, add_extent, &used);
                if (r >= 0)
                        im->allocation = used;
        }
        if (r < 0)
                im->error = r;
}

struct window {
        struct storvirt__rbd_image *v;
        rbd_image_t img[WINDOW];
        bool open[WINDOW];
        bool allocation;
        _Atomic bool timed_out;         /* an image timed out: the others are not measured */
};

static void measure_item(void *arg, size_t i) {
        struct window *w = arg;

        if (!w->open[i])
                return;
        if (atomic_load(&w->timed_out)) {
                w->v[i].error = -ETIMEDOUT;
                return;
        }
        measure(w->img[i], w->allocation, &w->v[i]);
        if (w->v[i].error == -ETIMEDOUT)
                atomic_store(&w->timed_out, true);
}

/* Opens, measures and closes v[0..n), n <= WINDOW: -ETIMEDOUT when an image timed out. */
static int run_window(storvirt__rbd *c, struct window *w, size_t n, unsigned threads) {
        rbd_completion_t comp[WINDOW];
        int timeout = 0;

        atomic_store(&w->timed_out, false);
        for (size_t i = 0; i < n; i++) {
                w->open[i] = false;
                comp[i] = NULL;
                if (w->v[i].measured)
                        continue;
                if (rbd_aio_create_completion(NULL, NULL, &comp[i]) < 0) {
                        w->v[i].error = -ENOMEM;
                        comp[i] = NULL;
                        continue;
                }
                w->v[i].error = rbd_aio_open_by_id_read_only(c->io, w->v[i].id, &w->img[i],
                                                              NULL, comp[i]);
        }
        for (size_t i = 0; i < n; i++) {
                if (!comp[i])
                        continue;
                if (w->v[i].error >= 0) {
                        rbd_aio_wait_for_complete(comp[i]);
                        w->v[i].error = (int)rbd_aio_get_return_value(comp[i]);
                        w->open[i] = w->v[i].error >= 0;
                }
                rbd_aio_release(comp[i]);
        }
        storvirt__parallel_for(threads, n, 1, measure_item, w);
        for (size_t i = 0; i < n; i++) {
                comp[i] = NULL;
                if (w->open[i] && rbd_aio_create_completion(NULL, NULL, &comp[i]) >= 0 &&
                    rbd_aio_close(w->img[i], comp[i]) < 0) {
                        rbd_aio_release(comp[i]);
                        comp[i] = NULL;
                }
                if (w->open[i] && !comp[i])
                        rbd_close(w->img[i]);
        }
        for (size_t i = 0; i < n; i++) {
                if (comp[i]) {
                        rbd_aio_wait_for_complete(comp[i]);
                        rbd_aio_release(comp[i]);
                }
                if (w->v[i].error == -ETIMEDOUT)
                        timeout = -ETIMEDOUT;
        }
        return timeout;
}

static int by_name(const void *a, const void *b) {
        return strcmp(((const struct storvirt__rbd_image *)a)->name,
                      ((const struct storvirt__rbd_image *)b)->name);
}

/* Names and ids of the pool's images, unmeasured. */
static int list_specs(storvirt__rbd *c, struct storvirt__rbd_image **ret, size_t *ret_n) {
        rbd_image_spec_t *specs = NULL;
        struct storvirt__rbd_image *v;
        size_t max = 1024;
        int r;

        for (;;) {
                specs = calloc(max, sizeof(*specs));
                if (!specs)
                        return storvirt__error_oom();
                r = rbd_list2(c->io, specs, &max);
                if (r != -ERANGE)
                        break;
                free(specs);
        }
        if (r < 0) {
                free(specs);
                return storvirt__rbd_pool_error(c, r, true, "cannot list its images");
        }
        v = calloc(max ? max : 1, sizeof(*v));
        for (size_t i = 0; v && i < max; i++) {
                v[i].name = strdup(specs[i].name);
                v[i].id = strdup(specs[i].id);
                if (!v[i].name || !v[i].id) {
                        storvirt__rbd_images_free(v, max);
                        v = NULL;
                }
        }
        rbd_image_spec_list_cleanup(specs, max);
        free(specs);
        if (!v)
                return storvirt__error_oom();
        *ret = v;
        *ret_n = max;
        return 0;
}

int storvirt__rbd_list(storvirt__rbd *c, bool allocation, unsigned threads,
                       struct storvirt__rbd_image **ret, size_t *ret_n) {
        struct storvirt__rbd_image *v = NULL;
        size_t n = 0, kept = 0;
        struct window *w;
        int r;

        r = list_specs(c, &v, &n);
        if (r < 0)
                return r;
        w = calloc(1, sizeof(*w));
        if (!w) {
                storvirt__rbd_images_free(v, n);
                return storvirt__error_oom();
        }
        w->allocation = allocation;
        r = storvirt__rbd_read_headers(c, v, n, allocation);
        for (size_t i = 0; r >= 0 && i < n; i += WINDOW) {
                w->v = v + i;
                r = run_window(c, w, n - i < WINDOW ? n - i : WINDOW, threads ? threads : 1);
        }
        free(w);
        if (r < 0) {
                storvirt__rbd_images_free(v, n);
                return storvirt__rbd_pool_error(c, r, true, "cannot read its images' figures");
        }
        /* images removed since the listing are left out */
        for (size_t i = 0; i < n; i++) {
                if (v[i].error == -ENOENT) {
                        free(v[i].name);
                        free(v[i].id);
                        continue;
                }
                v[kept++] = v[i];
        }
        qsort(v, kept, sizeof(*v), by_name);
        *ret = v;
        *ret_n = kept;
        return 0;
}

int storvirt__rbd_image_stat(storvirt__rbd *c, const char *name, bool allocation,
                             struct storvirt__rbd_image *ret) {
        struct storvirt__rbd_image im = {};
        char id[128];
        rbd_image_t img;
        int r;

        r = storvirt__rbd_open(c, name, true, &img);
        if (r < 0)
                return r;
        measure(img, allocation, &im);
        if (im.error >= 0 && (r = rbd_get_id(img, id, sizeof(id))) < 0)
                im.error = r;
        rbd_close(img);
        if (im.error < 0)
                return storvirt__rbd_image_error(c, name, im.error, "read its figures");
        im.name = strdup(name);
        im.id = strdup(id);
        if (!im.name || !im.id) {
                free(im.name);
                free(im.id);
                return storvirt__error_oom();
        }
        *ret = im;
        return 0;
}
