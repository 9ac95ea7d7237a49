/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * scsi.c - the "scsi" pool type: the LUNs behind one SCSI host adapter,
 * named by its scsi_host name ("host5") or, for Fibre Channel, by the
 * fc_host whose WWNN and WWPN the pool gives.  The LUNs come from the LUN
 * module's discovery (udev and sysfs, no external command), so every
 * volume has the identity multipath would give it: volumes are named as
 * libvirt names them ("unit:BUS:TARGET:LUN") and keyed by GUID
 * ("scsi:hostH:B:T:L" when a LUN reports none).  A parent-address
 * adapter (<parentaddr>) is not resolved: -EOPNOTSUPP.  find_sources
 * lists every SCSI host, and the fc_host adapter (WWNN, WWPN) of each
 * Fibre Channel one: the name that survives a reboot.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <storvirt.h>

#include "backends/backends.h"
#include "objects/lun_snap.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/hashmap.h"
#include "util/macro.h"
#include "util/xml.h"

/* "0x5001a4a..." or "5001a4a..." compared as 16 hex digits, case-insensitively. */
static bool wwn_equal(const char *a, const char *b) {
        if (!a || !b)
                return false;
        if (a[0] == '0' && (a[1] == 'x' || a[1] == 'X'))
                a += 2;
        if (b[0] == '0' && (b[1] == 'x' || b[1] == 'X'))
                b += 2;
        return strlen(a) == 16 && strlen(b) >= 16 && strncasecmp(a, b, 16) == 0;
}

/* The SCSI host number of the pool's adapter. */
static int host_number(const storvirt__pool_def *def, int *ret) {
        const struct storvirt__pool_adapter *a = &def->source.adapter;
        struct dirent *de;
        DIR *d;

        if (a->type == STORVIRT__POOL_ADAPTER_SCSI_HOST) {
                if (a->has_parentaddr || !a->name)
                        return storvirt__error_set(-EOPNOTSUPP, "pool '%s': a scsi_host adapter named "
                                                                "by its parent address is not resolved; "
                                                                "give name='hostN'", def->name);
                if (sscanf(a->name, "host%d", ret) != 1 || *ret < 0)
                        return storvirt__error_set(-EINVAL, "pool '%s': adapter name '%s' is not "
                                                            "'hostN'", def->name, a->name);
                return 0;
        }
        if (a->type != STORVIRT__POOL_ADAPTER_FC_HOST)
                return storvirt__error_set(-EINVAL, "pool '%s': a scsi pool needs an <adapter>",
                                           def->name);
        /* the fc_host whose node and port names are the pool's */
        d = opendir("/sys/class/fc_host");
        while (d && (de = readdir(d))) {
                char path[300], *node = NULL, *port = NULL;
                bool match;

                if (strncmp(de->d_name, "host", 4) != 0)
                        continue;
                snprintf(path, sizeof(path), "/sys/class/fc_host/%s/node_name", de->d_name);
                (void)storvirt__file_read_all(AT_FDCWD, path, 4096, &node, NULL);
                snprintf(path, sizeof(path), "/sys/class/fc_host/%s/port_name", de->d_name);
                (void)storvirt__file_read_all(AT_FDCWD, path, 4096, &port, NULL);
                match = wwn_equal(a->wwnn, node) && wwn_equal(a->wwpn, port);
                free(node);
                free(port);
                if (match && sscanf(de->d_name, "host%d", ret) == 1) {
                        closedir(d);
                        storvirt_error_clear();
                        return 0;
                }
        }
        if (d)
                closedir(d);
        storvirt_error_clear();
        if (a->parent || a->parent_wwnn || a->parent_fabric_wwn)
                /* libvirt would create an NPIV vport on the parent HBA here */
                return storvirt__error_set(-EOPNOTSUPP, "pool '%s': no fc_host has WWNN %s and "
                                           "WWPN %s; creating it as an NPIV vHBA on the parent "
                                           "(%s) is not supported", def->name,
                                           a->wwnn ? a->wwnn : "?", a->wwpn ? a->wwpn : "?",
                                           a->parent ? a->parent : a->parent_wwnn ? a->parent_wwnn
                                           : a->parent_fabric_wwn);
        return storvirt__error_set(-ENOENT, "pool '%s': no fc_host has WWNN %s and WWPN %s",
                                   def->name, a->wwnn ? a->wwnn : "?", a->wwpn ? a->wwpn : "?");
}

static int scsi_refresh(storvirt__pool_obj *obj, uint32_t flags) {
        storvirt__lun_snap *snap = NULL;
        storvirt__hashmap *vols = NULL;
        uint64_t total = 0;
        int host = -1, r;
        size_t found = 0;
        char sysfs[64];

        (void)flags;
        r = host_number(obj->def, &host);
        if (r < 0)
                return r;
        r = storvirt__lun_snap_current(obj->ctx, true, &snap);
        if (r >= 0)
                r = storvirt__hashmap_new(&vols, storvirt__vol_rec_unref_void);
        for (size_t i = 0; r >= 0 && i < snap->scan->n_luns; i++) {
                const struct storvirt__blk_lun *lun = &snap->scan->luns[i];

                for (size_t k = 0; r >= 0 && k < lun->n_paths; k++) {
                        const struct storvirt__blk_path *p = &lun->paths[k];
                        const char *guid = lun->guid[0] ? lun->guid : NULL;
                        int h = p->host, c = p->bus, t = p->target, l = p->lun;
                        char name[64], key[512];

                        if (h < 0 || h != host)
                                continue;
                        snprintf(name, sizeof(name), "unit:%d:%d:%d", c, t, l);
                        if (guid)
                                snprintf(key, sizeof(key), "%s", guid);
                        else
                                snprintf(key, sizeof(key), "scsi:host%d:%d:%d:%d", h, c, t, l);
                        r = storvirt__backend_add_block_vol(vols, name, key, p->devnode, p->size,
                                                            &total);
                        found++;
                }
        }
        storvirt__lun_snap_unref(snap);
        snprintf(sysfs, sizeof(sysfs), "/sys/class/scsi_host/host%d", host);
        if (r >= 0 && found == 0 && access(sysfs, F_OK) < 0)
                r = storvirt__error_set(-ENOENT, "pool '%s': no SCSI host %d on this host",
                                        obj->def->name, host);
        if (r < 0) {
                storvirt__hashmap_free(vols);
                return r;
        }
        storvirt__backend_set_block_vols(obj, vols, total);
        return 0;
}

static int scsi_check(storvirt__pool_obj *obj, bool *ret_active) {
        int host;

        *ret_active = host_number(obj->def, &host) >= 0;
        storvirt_error_clear();
        return 0;
}

static int cmp_int(const void *a, const void *b) {
        int x = *(const int *)a, y = *(const int *)b;

        return (x > y) - (x < y);
}

/* A WWN as libvirt's XML gives it: 16 hex digits, lowercase, no "0x". */
static bool wwn_text(const char *in, char out[17]) {
        size_t n;

        if (!in)
                return false;
        if (in[0] == '0' && (in[1] == 'x' || in[1] == 'X'))
                in += 2;
        n = strspn(in, "0123456789abcdefABCDEF");
        if (n != 16)
                return false;
        for (size_t i = 0; i < 16; i++)
                out[i] = (char)tolower((unsigned char)in[i]);
        out[16] = 0;
        return true;
}

static int scsi_find_sources(storvirt_ctx *ctx, const char *srcspec, char **ret_xml,
                             uint32_t flags) {
        _cleanup_xml_writer_ storvirt__xml_writer *w = NULL;
        int *hosts = NULL, r;
        size_t n = 0;
        struct dirent *de;
        DIR *d;

        (void)ctx;
        (void)flags;
        if (srcspec && *srcspec)
                return storvirt__error_set(-EINVAL, "find sources: scsi pools take no source "
                                                    "spec; every SCSI host is listed");
        d = opendir("/sys/class/scsi_host");
        if (!d && errno != ENOENT)
                return storvirt__error_set(-errno, "find sources: /sys/class/scsi_host: %s",
                                           strerror(errno));
        while (d && (de = readdir(d))) {
                int h, *v;
                char tail;

                if (sscanf(de->d_name, "host%d%c", &h, &tail) != 1 || h < 0)
                        continue;
                v = realloc(hosts, (n + 1) * sizeof(*v));
                if (!v) {
                        free(hosts);
                        closedir(d);
                        return storvirt__error_oom();
                }
                hosts = v;
                hosts[n++] = h;
        }
        if (d)
                closedir(d);
        if (n)
                qsort(hosts, n, sizeof(*hosts), cmp_int);
        r = storvirt__xml_writer_new(&w);
        if (r >= 0) {
                storvirt__xml_writer_start(w, "sources");
                for (size_t i = 0; i < n; i++) {
                        char name[32], path[96], wwnn[17], wwpn[17], *node = NULL, *port = NULL;

                        snprintf(name, sizeof(name), "host%d", hosts[i]);
                        storvirt__xml_writer_start(w, "source");
                        storvirt__xml_writer_start(w, "adapter");
                        storvirt__xml_writer_attr(w, "type", "scsi_host");
                        storvirt__xml_writer_attr(w, "name", name);
                        storvirt__xml_writer_end(w);
                        storvirt__xml_writer_end(w);
                        snprintf(path, sizeof(path), "/sys/class/fc_host/%s/node_name", name);
                        (void)storvirt__file_read_all(AT_FDCWD, path, 4096, &node, NULL);
                        snprintf(path, sizeof(path), "/sys/class/fc_host/%s/port_name", name);
                        (void)storvirt__file_read_all(AT_FDCWD, path, 4096, &port, NULL);
                        storvirt_error_clear();
                        if (wwn_text(node, wwnn) && wwn_text(port, wwpn)) {
                                storvirt__xml_writer_start(w, "source");
                                storvirt__xml_writer_start(w, "adapter");
                                storvirt__xml_writer_attr(w, "type", "fc_host");
                                storvirt__xml_writer_attr(w, "wwnn", wwnn);
                                storvirt__xml_writer_attr(w, "wwpn", wwpn);
                                storvirt__xml_writer_end(w);
                                storvirt__xml_writer_end(w);
                        }
                        free(node);
                        free(port);
                }
                storvirt__xml_writer_end(w);
                r = storvirt__xml_writer_finish(w, ret_xml, NULL);
        }
        free(hosts);
        return r;
}

const storvirt__backend_ops storvirt__backend_scsi = {
        .abi = STORVIRT__BACKEND_ABI,
        .type = "scsi",
        .find_sources = scsi_find_sources,
        .check_pool = scsi_check,
        .refresh_pool = scsi_refresh,
};
