/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmd-lun.c - the LUN commands of storvirt: lun-list, lun-info and
 * lun-resize, over the discovery snapshot of storvirt/lun.h.
 *
 * With --json, lun-list prints VDSM's getDeviceList shape ("devList")
 * and lun-info the LUN's record under "device", both as the library
 * writes them (storvirt_lun_list_to_json, storvirt_lun_get_json).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* ------------------------------------------------------------------------
 * Helpers.
 */

static const char *status_name(int status) {
        switch (status) {
        case STORVIRT_LUN_STATUS_FREE: return "free";
        case STORVIRT_LUN_STATUS_USED: return "used";
        default: return "unknown";
        }
}

/* A path that is not in service: a SCSI state other than "running". */
static bool path_failed(const storvirt_lun_path *p) {
        const char *state = storvirt_lun_path_get_state(p);

        return state && *state && strcmp(state, "running") != 0;
}

/* "4", or "4 (1 failed)". */
static void paths_summary(storvirt_lun *lun, char *buf, size_t size) {
        size_t n = storvirt_lun_get_n_paths(lun), failed = 0;

        for (size_t i = 0; i < n; i++)
                if (path_failed(storvirt_lun_get_path(lun, i)))
                        failed++;
        if (failed)
                snprintf(buf, size, "%zu (%zu failed)", n, failed);
        else
                snprintf(buf, size, "%zu", n);
}

/* "1.0 GiB (1073741824 bytes)"; NULL only when out of memory. */
static char *size_text(uint64_t bytes) {
        char *human = NULL, *s = NULL;

        if (storvirt_units_format(bytes, &human, STORVIRT_UNITS_FORMAT_HUMAN) < 0)
                return NULL;
        if (asprintf(&s, "%s (%llu bytes)", human, (unsigned long long)bytes) < 0)
                s = NULL;
        storvirt_free(human);
        return s;
}

/* The text of an optional value; "-" when there is none. */
static const char *opt(const char *s) {
        return s && *s ? s : "-";
}

/* ------------------------------------------------------------------------
 * lun-list.
 */

static const struct cli_opt opts_lun_list[] = {
        CLI_FLAG_OPT("free", STORVIRT_LUN_LIST_FREE, "only the free LUNs"),
        CLI_FLAG_OPT("unattached", STORVIRT_LUN_LIST_UNATTACHED, "only the LUNs no vDisk uses"),
        CLI_STR_OPT("transport", "T", "only the LUNs with a path of transport T"),
        CLI_FLAG_OPT("refresh", STORVIRT_LUN_LIST_REFRESH, "discover afresh"),
        CLI_END,
};

static int cmd_lun_list(struct cli *cli, const struct cli_args *a) {
        const char *transport = cli_str(a, "transport");
        storvirt_lun **luns = NULL;
        storvirt_ctx *ctx;
        struct cli_table t;
        char *json = NULL;
        int r;

        r = cli_ctx(cli, &ctx);
        if (r < 0)
                return r;
        r = storvirt_lun_list(ctx, transport, &luns, NULL, cli_flags(a));
        if (r == -EINVAL && transport) {
                /* The only argument the library can refuse here. */
                const char *msg = storvirt_error_message();
                return cli_usage(cli, "lun-list: %s",
                                 msg ? msg : "--transport: unknown transport");
        }
        if (r < 0)
                return r;

        if (cli->json) {
                r = storvirt_lun_list_to_json(luns, &json, 0);
                if (r >= 0)
                        r = cli_field_json(cli, NULL, json);
                storvirt_free(json);
                storvirt_lun_list_free(luns);
                return r < 0 ? r : 0;
        }

        static const struct cli_column cols[] = {
                { "guid", "GUID" },
                { "devnode", "Device" },
                { "capacity", "Size" },
                { "model", "Vendor/Product" },
                { "paths", "Paths" },
                { "status", "Status" },
        };
        cli_table_begin(cli, &t, "luns", cols, sizeof(cols) / sizeof(cols[0]));
        for (size_t i = 0; luns[i]; i++) {
                storvirt_lun *lun = luns[i];
                const char *vendor = NULL, *product = NULL;
                uint64_t capacity = 0;
                char model[256], paths[64];

                storvirt_lun_get_inquiry(lun, &vendor, &product, NULL, NULL);
                storvirt_lun_get_geometry(lun, &capacity, NULL, NULL, NULL, NULL);
                if (vendor && *vendor && product && *product)
                        snprintf(model, sizeof(model), "%s %s", vendor, product);
                else
                        snprintf(model, sizeof(model), "%s",
                                 vendor && *vendor ? vendor : opt(product));
                paths_summary(lun, paths, sizeof(paths));
                cli_table_row(&t);
                cli_table_str(&t, storvirt_lun_get_guid(lun));
                cli_table_str(&t, storvirt_lun_get_devnode(lun));
                cli_table_size(&t, capacity);
                cli_table_str(&t, model);
                cli_table_str(&t, paths);
                cli_table_str(&t, status_name(storvirt_lun_get_status(lun, NULL)));
        }
        r = cli_table_end(&t);
        storvirt_lun_list_free(luns);
        return r;
}

/* ------------------------------------------------------------------------
 * lun-info.
 */

/* A LUN by device path (an argument starting with '/') or by GUID. */
static int lun_lookup(struct cli *cli, const char *arg, storvirt_lun **ret) {
        storvirt_ctx *ctx;
        int r;

        r = cli_ctx(cli, &ctx);
        if (r < 0)
                return r;
        if (arg[0] == '/')
                return storvirt_lun_lookup_by_path(ctx, arg, ret);
        r = storvirt_lun_lookup_by_guid(ctx, arg, ret);
        if (r == -EINVAL) {
                /* Not a GUID at all (empty, too long, control characters). */
                const char *msg = storvirt_error_message();
                return cli_usage(cli, "lun-info: %s", msg ? msg : "not a GUID");
        }
        return r;
}

/* "label: value" lines of a path, indented under the LUN's. */
static void path_field(const char *label, const char *value) {
        printf("  %-12s %s\n", label, value);
}

static void print_path(const storvirt_lun_path *p) {
        const char *target = NULL, *portal = NULL, *initiator = NULL;
        unsigned major = 0, minor = 0;
        int host, channel, target_id, lun, tpgt = -1;
        char buf[128], *size;

        printf("Path %s:\n", opt(storvirt_lun_path_get_name(p)));
        storvirt_lun_path_get_devnum(p, &major, &minor);
        snprintf(buf, sizeof(buf), "%s (%u:%u)", opt(storvirt_lun_path_get_devnode(p)), major,
                 minor);
        path_field("Device:", buf);
        path_field("Transport:", opt(storvirt_lun_path_get_transport(p)));
        path_field("State:", opt(storvirt_lun_path_get_state(p)));
        size = size_text(storvirt_lun_path_get_capacity(p));
        path_field("Capacity:", size ? size : "?");
        free(size);
        if (storvirt_lun_path_get_hctl(p, &host, &channel, &target_id, &lun) >= 0) {
                snprintf(buf, sizeof(buf), "%d:%d:%d:%d", host, channel, target_id, lun);
                path_field("H:C:T:L:", buf);
        }
        if (storvirt_lun_path_get_iscsi(p, &target, &portal, &initiator, &tpgt) >= 0) {
                path_field("Target:", opt(target));
                path_field("Portal:", opt(portal));
                path_field("Initiator:", opt(initiator));
                if (tpgt >= 0)
                        snprintf(buf, sizeof(buf), "%d", tpgt);
                path_field("TPGT:", tpgt >= 0 ? buf : "-");
        }
        /* Getters that answer "not this kind of path" leave that as the last error. */
        storvirt_error_clear();
}

static void print_lun(struct cli *cli, storvirt_lun *lun) {
        const char *vendor = NULL, *product = NULL, *revision = NULL, *serial = NULL;
        const char *fs_type = NULL, *fs_uuid = NULL, *fs_label = NULL, *pttype = NULL;
        const char *pv_uuid = NULL, *vg_name = NULL, *vg_uuid = NULL, *reason = NULL;
        const char *const *parts;
        unsigned major = 0, minor = 0, lbs = 0, pbs = 0;
        uint64_t capacity = 0, discard = 0;
        int rotational = 0, status;
        size_t n_paths;
        char buf[512], *s;

        storvirt_lun_get_devnum(lun, &major, &minor);
        storvirt_lun_get_inquiry(lun, &vendor, &product, &revision, &serial);
        storvirt_lun_get_geometry(lun, &capacity, &lbs, &pbs, &discard, &rotational);
        status = storvirt_lun_get_status(lun, &reason);
        storvirt_lun_get_signature(lun, &fs_type, &fs_uuid, &fs_label, &pttype);

        cli_field_str(cli, "guid", "GUID:", storvirt_lun_get_guid(lun));
        cli_field_str(cli, "devnode", "Device:", storvirt_lun_get_devnode(lun));
        cli_field_str(cli, "name", "Name:", storvirt_lun_get_name(lun));
        snprintf(buf, sizeof(buf), "%u:%u", major, minor);
        cli_field_str(cli, "devnum", "Device number:", buf);
        cli_field_str(cli, "devtype", "Type:", storvirt_lun_get_devtype(lun));
        cli_field_str(cli, "dm_name", "Multipath map:", storvirt_lun_get_dm_name(lun));
        if (storvirt_lun_get_loop_backing(lun))
                cli_field_str(cli, "loop_backing", "Backing file:",
                              storvirt_lun_get_loop_backing(lun));
        cli_field_str(cli, "vendor", "Vendor:", vendor);
        cli_field_str(cli, "product", "Product:", product);
        cli_field_str(cli, "revision", "Revision:", revision);
        cli_field_str(cli, "serial", "Serial:", serial);
        s = size_text(capacity);
        cli_field_str(cli, "capacity", "Capacity:", s ? s : "?");
        free(s);
        if (lbs || pbs)
                snprintf(buf, sizeof(buf), "%u logical, %u physical", lbs, pbs);
        cli_field_str(cli, "block_sizes", "Block sizes:", lbs || pbs ? buf : NULL);
        if (discard) {
                s = size_text(discard);
                snprintf(buf, sizeof(buf), "yes, up to %s", s ? s : "?");
                free(s);
        } else {
                snprintf(buf, sizeof(buf), "no");
        }
        cli_field_str(cli, "discard", "Discard:", buf);
        cli_field_bool(cli, "rotational", "Rotational:", rotational > 0);
        snprintf(buf, sizeof(buf), "%s (%s)", status_name(status), opt(reason));
        cli_field_str(cli, "status", "Status:", buf);
        cli_field_str(cli, "fs_type", "Signature:", fs_type);
        if (fs_uuid)
                cli_field_str(cli, "fs_uuid", "Sig. UUID:", fs_uuid);
        if (fs_label)
                cli_field_str(cli, "fs_label", "Sig. label:", fs_label);
        cli_field_str(cli, "pttype", "Part. table:", pttype);
        if (storvirt_lun_get_lvm(lun, &pv_uuid, &vg_name, &vg_uuid) >= 0) {
                cli_field_str(cli, "pv_uuid", "LVM PV UUID:", pv_uuid);
                if (vg_name || vg_uuid) {
                        snprintf(buf, sizeof(buf), "%s (uuid %s)", opt(vg_name), opt(vg_uuid));
                        cli_field_str(cli, "vg", "LVM VG:", buf);
                } else {
                        cli_field_str(cli, "vg", "LVM VG:", NULL);
                }
        }
        storvirt_error_clear();
        parts = storvirt_lun_get_partitions(lun);
        cli_field_strv(cli, "partitions", "Partitions:", (char **)parts);
        n_paths = storvirt_lun_get_n_paths(lun);
        paths_summary(lun, buf, sizeof(buf));
        cli_field_str(cli, "paths", "Paths:", buf);
        for (size_t i = 0; i < n_paths; i++)
                print_path(storvirt_lun_get_path(lun, i));
}

static const struct cli_opt opts_lun_info[] = {
        CLI_ARG("GUID|PATH", "a GUID, or a device path (starting with '/')"),
        CLI_END,
};

static int cmd_lun_info(struct cli *cli, const struct cli_args *a) {
        storvirt_lun *lun = NULL;
        char *json = NULL;
        int r;

        r = lun_lookup(cli, cli_str(a, "GUID|PATH"), &lun);
        if (r)
                return r;
        if (cli->json) {
                r = storvirt_lun_get_json(lun, &json, 0);
                if (r >= 0)
                        r = cli_field_json(cli, "device", json);
                storvirt_free(json);
        } else {
                print_lun(cli, lun);
        }
        storvirt_lun_unref(lun);
        return r < 0 ? r : 0;
}

/* ------------------------------------------------------------------------
 * lun-resize.
 */

static const struct cli_opt opts_lun_resize[] = {
        CLI_ARG("GUID|PATH", "a GUID, or a device path (starting with '/')"),
        CLI_END,
};

static int cmd_lun_resize(struct cli *cli, const struct cli_args *a) {
        storvirt_lun *lun = NULL;
        uint64_t old = 0, now = 0;
        char *o, *n;
        int r;

        r = lun_lookup(cli, cli_str(a, "GUID|PATH"), &lun);
        if (r)
                return r;
        r = storvirt_lun_refresh_size(lun, &old, &now, 0);
        if (r >= 0 && cli->json) {
                cli_field_str(cli, "guid", "GUID:", storvirt_lun_get_guid(lun));
                cli_field_str(cli, "devnode", "Device:", storvirt_lun_get_devnode(lun));
                yajl_gen_string(cli->gen, (const unsigned char *)"old_capacity", 12);
                yajl_gen_integer(cli->gen, (long long)old);
                yajl_gen_string(cli->gen, (const unsigned char *)"new_capacity", 12);
                yajl_gen_integer(cli->gen, (long long)now);
        } else if (r >= 0) {
                o = size_text(old);
                n = size_text(now);
                printf("LUN %s (%s): %s -> %s%s\n",
                       storvirt_lun_get_guid(lun) ? storvirt_lun_get_guid(lun)
                                                  : storvirt_lun_get_name(lun),
                       opt(storvirt_lun_get_devnode(lun)), o ? o : "?", n ? n : "?",
                       old == now ? ", unchanged" : "");
                free(o);
                free(n);
        }
        storvirt_lun_unref(lun);
        return r < 0 ? r : 0;
}

const struct cli_command cli_commands_lun[] = {
        { "lun-list", "list the host's LUNs",
          "One line per LUN, by GUID (LUNs without one last, with GUID \"-\"):\n"
          "its device, size, vendor and product, number of paths (and how many\n"
          "are not running) and usage status (free, used, unknown).  --free keeps\n"
          "the free LUNs, --unattached those that back no vDisk (the Direct LUN\n"
          "import dialog's list), --transport the LUNs with a path of that transport\n"
          "(iscsi, fc, sas, scsi, ata, nvme, virtio, loop, unknown).  The JSON\n"
          "member \"devList\" has VDSM's getDeviceList records, with \"vdiskID\"\n"
          "for a LUN a vDisk uses.",
          opts_lun_list, cmd_lun_list },
        { "lun-info", "show one LUN with its paths",
          "An argument starting with '/' is a device path (/dev/sdb,\n"
          "/dev/mapper/NAME, a /dev/disk/by-id link; a member path of a multipath\n"
          "map gives the map), anything else a GUID.  The JSON member \"device\" is\n"
          "the LUN's VDSM getDeviceList record.", opts_lun_info, cmd_lun_info },
        { "lun-resize", "read a LUN's capacity again, after it grew on the array",
          "Each path reads its capacity again (a SCSI path is rescanned, a loop device\n"
          "takes its backing file's size), a multipath map takes its paths' size\n"
          "(multipathd resize map), then prints the capacity before and now.  A vDisk\n"
          "holding the LUN records the new capacity; watchers get a lun-resized event.\n"
          "JSON: \"old_capacity\" and \"new_capacity\" in bytes.",
          opts_lun_resize, cmd_lun_resize },
        { NULL, NULL, NULL, NULL, NULL },
};
