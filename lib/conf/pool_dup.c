/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pool_dup.c - whether two pool definitions own one source
 * (conf/pool_dup.h).  The rules are libvirt's duplicate-source check
 * (which types compare what, and across which types), with two more
 * for sources libvirt names the same way: the volume group of logical
 * pools and the target of iscsi-direct pools.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf/pool_dup.h"
#include "util/macro.h"

static bool is_type(const storvirt__pool_def *d, const char *const *types) {
        for (; *types; types++)
                if (strcmp(d->type, *types) == 0)
                        return true;
        return false;
}

static bool both(const storvirt__pool_def *a, const storvirt__pool_def *b, const char *type) {
        return strcmp(a->type, type) == 0 && strcmp(b->type, type) == 0;
}

static bool str_eq(const char *a, const char *b) {
        return a && b && strcmp(a, b) == 0;
}

/* Equal, or both absent. */
static bool str_eq_null(const char *a, const char *b) {
        return a == b || str_eq(a, b);
}

/* Paths equal but for repeated and trailing slashes. */
static bool path_eq(const char *a, const char *b) {
        if (!a || !b)
                return false;
        for (;;) {
                while (a[0] == '/' && (a[1] == '/' || a[1] == '\0'))
                        a++;
                while (b[0] == '/' && (b[1] == '/' || b[1] == '\0'))
                        b++;
                if (*a != *b)
                        return false;
                if (!*a)
                        return true;
                a++;
                b++;
        }
}

/* One host each, the same name, the same port when both give one. */
static bool same_single_host(const storvirt__pool_def *a, const storvirt__pool_def *b) {
        const struct storvirt__pool_host *x = a->source.hosts, *y = b->source.hosts;

        if (a->source.n_hosts != 1 || b->source.n_hosts != 1)
                return false;
        if (x->port && y->port && x->port != y->port)
                return false;
        return str_eq(x->name, y->name);
}

/* WWNs equal as hex, "0x" aside. */
static bool wwn_eq(const char *a, const char *b) {
        if (!a || !b)
                return false;
        if (strncasecmp(a, "0x", 2) == 0)
                a += 2;
        if (strncasecmp(b, "0x", 2) == 0)
                b += 2;
        return strcasecmp(a, b) == 0;
}

static bool same_adapter(const struct storvirt__pool_adapter *x, const struct storvirt__pool_adapter *y,
                         char *what) {
        if (x->type != y->type)
                return false;   /* an fc_host against a scsi_host needs the host's sysfs */
        if (x->type == STORVIRT__POOL_ADAPTER_FC_HOST) {
                if (!wwn_eq(x->wwnn, y->wwnn) || !wwn_eq(x->wwpn, y->wwpn))
                        return false;
                snprintf(what, STORVIRT__POOL_SHARED_MAX, "the SCSI adapter of WWNN '%s' and WWPN '%s'",
                         x->wwnn, x->wwpn);
                return true;
        }
        if (x->name && y->name) {
                if (!str_eq(x->name, y->name))
                        return false;
                snprintf(what, STORVIRT__POOL_SHARED_MAX, "the SCSI adapter '%s'", x->name);
                return true;
        }
        if (!x->has_parentaddr || !y->has_parentaddr || x->pci_domain != y->pci_domain ||
            x->pci_bus != y->pci_bus || x->pci_slot != y->pci_slot ||
            x->pci_function != y->pci_function || x->unique_id != y->unique_id)
                return false;
        snprintf(what, STORVIRT__POOL_SHARED_MAX, "the SCSI adapter at %04x:%02x:%02x.%x "
                 "(unique_id %u)", (unsigned)x->pci_domain, x->pci_bus, x->pci_slot, x->pci_function,
                 x->unique_id);
        return true;
}

/* A source device path of a that b has too. */
static const char *common_device(const storvirt__pool_def *a, const storvirt__pool_def *b) {
        for (char **p = a->source.devices; p && *p; p++)
                for (char **q = b->source.devices; q && *q; q++)
                        if (path_eq(*p, *q))
                                return *p;
        return NULL;
}

/* Sources named by a directory or a host. */
static bool shared_location(const storvirt__pool_def *a, const storvirt__pool_def *b, char *what) {
        static const char *const dir_types[] = { "dir", "fs", "netfs", NULL };

        if (is_type(a, dir_types) && is_type(b, dir_types) && path_eq(a->target.path, b->target.path)) {
                snprintf(what, STORVIRT__POOL_SHARED_MAX, "the target path '%s'", a->target.path);
                return true;
        }
        if (both(a, b, "netfs") && str_eq(a->source.dir, b->source.dir) && same_single_host(a, b)) {
                snprintf(what, STORVIRT__POOL_SHARED_MAX, "the NFS export '%s:%s'",
                         a->source.hosts[0].name, a->source.dir);
                return true;
        }
        if (both(a, b, "gluster") && str_eq(a->source.name, b->source.name) &&
            str_eq_null(a->source.dir, b->source.dir) && same_single_host(a, b)) {
                snprintf(what, STORVIRT__POOL_SHARED_MAX, "the gluster volume '%s' of '%s'",
                         a->source.name, a->source.hosts[0].name);
                return true;
        }
        if (both(a, b, "sheepdog") && same_single_host(a, b)) {
                snprintf(what, STORVIRT__POOL_SHARED_MAX, "the sheepdog cluster at '%s'",
                         a->source.hosts[0].name);
                return true;
        }
        if (both(a, b, "vstorage") && str_eq(a->source.name, b->source.name)) {
                snprintf(what, STORVIRT__POOL_SHARED_MAX, "the vstorage cluster '%s'", a->source.name);
                return true;
        }
        return false;
}

/* Sources named by a device, a target, a volume group or an adapter. */
static bool shared_device(const storvirt__pool_def *a, const storvirt__pool_def *b, char *what) {
        static const char *const dev_types[] = { "fs", "disk", "logical", "zfs", NULL };
        const char *dev;

        if ((both(a, b, "iscsi") || both(a, b, "iscsi-direct")) &&
            str_eq_null(a->source.initiator_iqn, b->source.initiator_iqn) &&
            (dev = common_device(a, b))) {
                snprintf(what, STORVIRT__POOL_SHARED_MAX, "the iSCSI target '%s'%s%s%s", dev,
                         a->source.initiator_iqn ? " (initiator '" : "",
                         a->source.initiator_iqn ? a->source.initiator_iqn : "",
                         a->source.initiator_iqn ? "')" : "");
                return true;
        }
        if (is_type(a, dev_types) && is_type(b, dev_types) && (dev = common_device(a, b))) {
                snprintf(what, STORVIRT__POOL_SHARED_MAX, "the source device '%s'", dev);
                return true;
        }
        if (both(a, b, "logical") && str_eq(a->source.name, b->source.name)) {
                snprintf(what, STORVIRT__POOL_SHARED_MAX, "the volume group '%s'", a->source.name);
                return true;
        }
        if (both(a, b, "scsi"))
                return same_adapter(&a->source.adapter, &b->source.adapter, what);
        if (both(a, b, "mpath")) {
                snprintf(what, STORVIRT__POOL_SHARED_MAX, "the host's multipath devices");
                return true;
        }
        return false;
}

bool storvirt__pool_source_shared(const storvirt__pool_def *a, const storvirt__pool_def *b,
                                  char what[STORVIRT__POOL_SHARED_MAX]) {
        if (strcmp(a->name, b->name) == 0)
                return false;
        return shared_location(a, b, what) || shared_device(a, b, what);
}
