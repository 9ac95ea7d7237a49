/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rbd_header.c - the figures of many format 2 images without opening
 * them: what librbd itself reads to open an image and to answer a
 * fast-diff, read straight from the pool's objects through librados'
 * asynchronous compound reads, a window of images in flight.
 *
 * Per image, one read of its header object (rbd_header.ID) runs three
 * methods of Ceph's rbd object class: get_size (order and size),
 * get_features and get_flags, each for the image's head
 * (CEPH_NOSNAP).  Where fast-diff is on and valid (and the image is not
 * striped: an object's extent in the image is then plain), one read of
 * its object map (rbd_object_map.ID, method object_map_load) gives the
 * state of each object, two bits each (0: the object does not exist),
 * the same map librbd's fast-diff reads; the allocation is the bytes of
 * the objects that exist, as rbd_diff_iterate2 over whole objects
 * reports them.
 *
 * An image this cannot read (no id: format 1; a class method missing;
 * anything unexpected in a reply) is left for the open path of
 * rbd_list.c (measured stays false).  A read that times out (the OSDs
 * gone) ends the reading after its window: -ETIMEDOUT, so that a lost
 * cluster costs one timeout, not one per window.  All numbers on the wire are
 * little-endian.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys/rbd.h"
#include "sys/rbd_int.h"
#include "util/macro.h"

#define WINDOW 256
#define NOSNAP UINT64_C(0xfffffffffffffffe)

static uint64_t le64(const char *p) {
        uint64_t v = 0;

        for (int i = 7; i >= 0; i--)
                v = v << 8 | (uint8_t)p[i];
        return v;
}

static uint32_t le32(const char *p) {
        return (uint32_t)(uint8_t)p[0] | (uint32_t)(uint8_t)p[1] << 8 |
               (uint32_t)(uint8_t)p[2] << 16 | (uint32_t)(uint8_t)p[3] << 24;
}

struct call {
        char *out;
        size_t len;
        int rv;
};

struct item {
        rados_completion_t c;
        rados_read_op_t op;
        struct call call[3];
        int r;
};

static void item_clear(struct item *it) {
        for (size_t k = 0; k < ELEMENTSOF(it->call); k++)
                if (it->call[k].out)
                        rados_buffer_free(it->call[k].out);
        if (it->op)
                rados_release_read_op(it->op);
        if (it->c)
                rados_aio_release(it->c);
        *it = (struct item){};
}

/* Starts a compound read of object PREFIX.ID running methods[0..n). */
static void start(storvirt__rbd *c, struct item *it, const char *prefix, const char *id,
                  const char *const *methods, const char *const *in, const size_t *in_len,
                  size_t n) {
        char oid[160];

        snprintf(oid, sizeof(oid), "%s%s", prefix, id);
        it->op = rados_create_read_op();
        it->r = it->op ? rados_aio_create_completion(NULL, NULL, NULL, &it->c) : -ENOMEM;
        if (it->r < 0)
                return;
        for (size_t k = 0; k < n; k++)
                rados_read_op_exec(it->op, "rbd", methods[k], in[k], in_len[k], &it->call[k].out,
                                   &it->call[k].len, &it->call[k].rv);
        it->r = rados_aio_read_op_operate(it->op, c->io, it->c, oid, 0);
}

/* Waits for it: 0 when every method answered, else the first error. */
static int finish(struct item *it, size_t n) {
        if (it->r >= 0 && it->c) {
                rados_aio_wait_for_complete(it->c);
                it->r = rados_aio_get_return_value(it->c);
        }
        for (size_t k = 0; it->r >= 0 && k < n; k++)
                if (it->call[k].rv < 0)
                        it->r = it->call[k].rv;
        return it->r;
}

static void header_start(storvirt__rbd *c, struct item *it, const char *id) {
        static const char *const methods[] = { "get_size", "get_features", "get_flags" };
        char snap[9];

        for (int i = 0; i < 8; i++)
                snap[i] = (char)(NOSNAP >> (8 * i));
        snap[8] = 1;            /* get_features: read_only */
        start(c, it, "rbd_header.", id, methods, (const char *const[]){ snap, snap, snap },
              (const size_t[]){ 8, 9, 8 }, 3);
}

/* Size, order, features and flags from a header read; false when a reply is not as expected. */
static bool header_parse(struct item *it, struct storvirt__rbd_image *im, unsigned *order,
                         uint64_t *flags) {
        if (it->call[0].len < 9 || it->call[1].len < 8 || it->call[2].len < 8)
                return false;
        *order = (uint8_t)it->call[0].out[0];
        im->size = le64(it->call[0].out + 1);
        im->features = le64(it->call[1].out);
        *flags = le64(it->call[2].out);
        return *order >= 12 && *order <= 26;
}

/*
 * The bytes of existing objects from an encoded BitVector<2>: u32 length
 * of the header, the header (version, compat, u32 length, u64 number of
 * entries), then the data, four entries a byte, the first in the high
 * bits; a footer of checksums follows.
 */
static bool map_allocation(const struct call *m, uint64_t size, unsigned order, uint64_t *ret) {
        uint64_t objs, obj = UINT64_C(1) << order, used = 0;
        uint32_t hlen;

        if (m->len < 18)
                return false;
        hlen = le32(m->out);
        if (hlen < 14 || m->len < 4 + (size_t)hlen)
                return false;
        objs = le64(m->out + 10);
        if (objs != (size + obj - 1) / obj || m->len - 4 - hlen < (objs + 3) / 4)
                return false;
        for (uint64_t i = 0; i < objs; i++) {
                uint8_t b = (uint8_t)m->out[4 + hlen + i / 4];

                if ((b >> (6 - 2 * (i % 4))) & 3)
                        used += size - i * obj < obj ? size - i * obj : obj;
        }
        *ret = used;
        return true;
}

static bool wants_map(const struct storvirt__rbd_image *im, uint64_t flags) {
        return (im->features & RBD_FEATURE_FAST_DIFF) && (im->features & RBD_FEATURE_OBJECT_MAP) &&
               !(im->features & RBD_FEATURE_STRIPINGV2) && !(flags & RBD_FLAG_FAST_DIFF_INVALID) &&
               !(flags & RBD_FLAG_OBJECT_MAP_INVALID);
}

/* -ETIMEDOUT when a read of the window timed out (the OSDs gone), else 0. */
static int run_window(storvirt__rbd *c, struct storvirt__rbd_image *v, size_t n,
                      bool allocation, struct item *it) {
        unsigned order[WINDOW];
        uint64_t flags[WINDOW];
        bool ok[WINDOW], map[WINDOW];
        int timeout = 0;

        for (size_t i = 0; i < n; i++)
                if (v[i].id[0])
                        header_start(c, &it[i], v[i].id);
        for (size_t i = 0; i < n; i++) {
                int r = v[i].id[0] ? finish(&it[i], 3) : -EINVAL;

                if (r == -ETIMEDOUT)
                        timeout = r;
                ok[i] = r >= 0 && header_parse(&it[i], &v[i], &order[i], &flags[i]);
                if (r == -ENOENT) {
                        v[i].error = -ENOENT;   /* removed since it was listed */
                        v[i].measured = true;
                }
                item_clear(&it[i]);
                map[i] = ok[i] && !timeout && allocation && wants_map(&v[i], flags[i]);
                if (map[i])
                        start(c, &it[i], "rbd_object_map.", v[i].id,
                              (const char *const[]){ "object_map_load" },
                              (const char *const[]){ "" }, (const size_t[]){ 0 }, 1);
        }
        for (size_t i = 0; i < n; i++) {
                if (map[i]) {
                        int r = finish(&it[i], 1);

                        if (r == -ETIMEDOUT)
                                timeout = r;
                        ok[i] = r >= 0 && map_allocation(&it[i].call[0], v[i].size, order[i],
                                                         &v[i].allocation);
                } else if (ok[i] && !allocation)
                        v[i].allocation = v[i].size;
                else
                        ok[i] = false;  /* the open path measures it */
                item_clear(&it[i]);
                if (ok[i]) {
                        v[i].fast_diff = map[i];
                        v[i].measured = true;
                }
        }
        return timeout;
}

int storvirt__rbd_read_headers(storvirt__rbd *c, struct storvirt__rbd_image *v, size_t n,
                               bool allocation) {
        struct item *it = calloc(WINDOW, sizeof(*it));
        int r = 0;

        if (!it)
                return 0;       /* the open path measures them all */
        for (size_t i = 0; r >= 0 && i < n; i += WINDOW)
                r = run_window(c, v + i, n - i < WINDOW ? n - i : WINDOW, allocation, it);
        free(it);
        return r;
}
