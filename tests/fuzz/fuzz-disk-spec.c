/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz-disk-spec.c - drive specs: one drive (parse, checks, copy, the
 * device dict read back to an equal spec), a VM's drive list with its
 * cross-checks, and one key set from the input.  Anything but a clean
 * error or an equal spec aborts so the fuzzer reports it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/disk.h"
#include "util/error.h"
#include "util/json.h"
#include "util/strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what, const char *text) {
        fprintf(stderr, "fuzz-disk-spec: %s: %s\n%s\n", what, storvirt__error_msg(),
                text ? text : "");
        abort();
}

static bool str_eq(const char *a, const char *b) {
        return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* The network drive's source: name, hosts and ports, auth, the connection it goes through. */
static bool net_equal(const storvirt__disk_spec *a, const storvirt__disk_spec *b) {
        const storvirt__disk_rbd *r = &a->net_rbd, *q = &b->net_rbd;
        const storvirt__disk_netfile *n = &a->net_file, *m = &b->net_file;

        if (!str_eq(a->net_conn, b->net_conn) || !str_eq(a->net_expect, b->net_expect))
                return false;
        if (!str_eq(r->name, q->name) || r->n_hosts != q->n_hosts ||
            !str_eq(r->auth_username, q->auth_username) || !str_eq(r->secret_uuid, q->secret_uuid) ||
            !str_eq(n->protocol, m->protocol) || !str_eq(n->name, m->name) ||
            n->n_hosts != m->n_hosts)
                return false;
        for (size_t i = 0; i < r->n_hosts; i++)
                if (!str_eq(r->hosts[i], q->hosts[i]) || r->ports[i] != q->ports[i])
                        return false;
        for (size_t i = 0; i < n->n_hosts; i++)
                if (!str_eq(n->hosts[i].name, m->hosts[i].name) ||
                    n->hosts[i].port != m->hosts[i].port || n->hosts[i].rdma != m->hosts[i].rdma)
                        return false;
        return true;
}

/* Everything but the name. */
static bool spec_equal(const storvirt__disk_spec *a, const storvirt__disk_spec *b) {
        const storvirt__disk_iscsi *i = &a->iscsi, *j = &b->iscsi;

        return str_eq(a->alias, b->alias) && a->source == b->source && str_eq(a->guid, b->guid) &&
               str_eq(a->fs_uuid, b->fs_uuid) && str_eq(a->pool_id, b->pool_id) &&
               str_eq(a->domain_id, b->domain_id) && str_eq(a->image_id, b->image_id) &&
               str_eq(a->volume_id, b->volume_id) && str_eq(a->pool, b->pool) &&
               str_eq(a->volume, b->volume) && str_eq(a->path, b->path) &&
               str_eq(a->vdisk, b->vdisk) && str_eq(i->host, j->host) && i->port == j->port &&
               str_eq(i->target, j->target) && i->lun == j->lun &&
               str_eq(i->initiator, j->initiator) && str_eq(i->auth_username, j->auth_username) &&
               str_eq(i->secret_uuid, j->secret_uuid) && str_eq(i->secret_usage, j->secret_usage) &&
               a->device == b->device && a->bus == b->bus && a->index == b->index &&
               memcmp(&a->address, &b->address, sizeof(a->address)) == 0 &&
               a->format == b->format && a->boot_order == b->boot_order &&
               a->error_policy == b->error_policy && a->shared == b->shared &&
               a->readonly == b->readonly && a->optional == b->optional &&
               str_eq(a->serial, b->serial) && a->cache == b->cache && a->io == b->io &&
               a->discard == b->discard && a->sgio == b->sgio &&
               a->iotune.set == b->iotune.set &&
               memcmp(a->iotune.value, b->iotune.value, sizeof(a->iotune.value)) == 0 &&
               a->reservations == b->reservations && a->volume_as_volume == b->volume_as_volume &&
               net_equal(a, b);
}

/* One drive: whatever parses is checked, copied, completed and read back from its dict. */
static void one_drive(const char *text, size_t size) {
        storvirt__disk_spec *s = NULL, *back = NULL;
        storvirt__disk_resolved *d;
        storvirt__json_gen *g = NULL;
        char **problems = NULL, *out = NULL;

        if (storvirt__disk_spec_parse(text, size, &s) < 0)
                return;
        if (storvirt__disk_spec_problems(s, &problems) < 0)
                die("listing problems failed", NULL);
        if ((storvirt__disk_spec_validate(s) == 0) != (problems[0] == NULL))
                die("validate and problems disagree", NULL);
        storvirt__strv_free(problems);
        problems = NULL;

        d = calloc(1, sizeof(*d));
        if (!d)
                abort();
        if (storvirt__disk_spec_dup(s, &d->spec) < 0 || !spec_equal(s, d->spec))
                die("the copy differs", NULL);
        storvirt__disk_spec_free(s);
        if (storvirt__disk_specs_complete(&d->spec, 1, &problems) < 0)
                die("one drive has cross-check problems", problems ? problems[0] : NULL);
        storvirt__strv_free(problems);

        switch (d->spec->source) {
        case STORVIRT__DISK_SOURCE_ISCSI:
        case STORVIRT__DISK_SOURCE_NETWORK:
                d->type = STORVIRT__DISK_TYPE_NETWORK;
                break;
        case STORVIRT__DISK_SOURCE_PATH:
        case STORVIRT__DISK_SOURCE_NONE:
                d->type = STORVIRT__DISK_TYPE_FILE;
                break;
        default:
                d->type = STORVIRT__DISK_TYPE_BLOCK;
                d->source_path = strdup("/dev/fuzz");
                d->capacity = 1 << 20;
                break;
        }
        if (d->spec->volume_as_volume)
                d->type = STORVIRT__DISK_TYPE_VOLUME;

        if (storvirt__json_gen_new(false, &g) < 0)
                abort();
        if (storvirt__disk_resolved_to_dict(d, g) < 0 ||
            storvirt__json_gen_finish(g, &out, NULL) < 0)
                die("writing the device dict failed", NULL);
        if (storvirt__disk_spec_parse(out, strlen(out), &back) < 0)
                die("the device dict does not parse", out);
        if (!spec_equal(d->spec, back))
                die("the device dict reads back as another spec", out);
        storvirt__disk_spec_free(back);
        free(out);
        storvirt__json_gen_free(g);
        storvirt__disk_resolved_free(d);
}

static void vm(const char *text, size_t size) {
        storvirt__disk_spec **specs = NULL;
        char **problems = NULL;
        size_t n = 0;
        int r;

        r = storvirt__disk_specs_parse_vm(text, size, &specs, &n, &problems);
        if (r == 0 && problems)
                die("problems on success", problems[0]);
        if (r < 0 && r != -ENOMEM && (!problems || !problems[0]))
                die("an error without problems", NULL);
        if (r == 0) {
                for (size_t i = 0; i < n; i++)
                        if (!specs[i] || specs[i]->index < 0 || !specs[i]->bus)
                                die("an incomplete drive in a good list", NULL);
                /* completing twice finds nothing new */
                if (storvirt__disk_specs_complete(specs, n, &problems) < 0)
                        die("a good list has problems the second time", problems[0]);
        }
        storvirt__strv_free(problems);
        storvirt__disk_specs_free(specs, n);
}

/* The first byte picks a key, the rest is its JSON value. */
static void set_one(const char *text, size_t size) {
        static const char *const keys[] = {
                "GUID", "UUID", "poolID", "imgUUID", "pool", "volume", "path", "iscsi", "vdisk",
                "alias", "device", "iface", "index", "address", "format", "bootOrder",
                "propagateErrors", "shared", "readonly", "optional", "serial", "cache", "io",
                "discard", "sgio", "specParams", "iotune", "reservations", "volumeAsVolume",
                "diskType", "type", "deviceId", "capacity", "name", "vm_custom", "volumeChain",
                "volumeInfo", "managed_reservation", "protocol", "hosts", "auth", "rbd", "gluster",
                "unknown",
        };
        storvirt__disk_spec *s = NULL;
        char *value;

        if (size == 0 || memchr(text, '\0', size))
                return;
        value = strndup(text + 1, size - 1);
        if (!value || storvirt__disk_spec_new(&s) < 0)
                abort();
        (void) storvirt__disk_spec_set_json(
                s, keys[(unsigned char) text[0] % (sizeof(keys) / sizeof(keys[0]))], value);
        {
                char **problems = NULL;

                if (storvirt__disk_spec_problems(s, &problems) < 0)
                        die("listing problems failed", NULL);
                storvirt__strv_free(problems);
        }
        storvirt__disk_spec_free(s);
        free(value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *text = (const char *) data;

        one_drive(text, size);
        vm(text, size);
        set_one(text, size);
        return 0;
}
