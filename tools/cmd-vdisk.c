/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmd-vdisk.c - the connection and vDisk commands of storvirt
 * (storvirt/connection.h, storvirt/vdisk.h):
 *
 *   connection-define FILE [--replace]      connection-list
 *   connection-info ID                      connection-undefine ID [--force]
 *   connection-connect ID [--holder H] [--timeout S]
 *   connection-disconnect ID [--holder H] [--force]
 *   connection-luns ID [--timeout S]
 *   iscsi-discover PORTAL [--user U --password-file F] [--initiator IQN] [--vdsm]
 *   vdisk-import (SPEC | --guid G | --path P | --pool P --volume V) [--connection ID]...
 *   vdisk-list  vdisk-info ID  vdisk-snapshot ID [--pool P]
 *   vdisk-delete-image ID UID [--force] [--delete-storage]
 *   vdisk-delete ID [--force] [--delete-storage]
 *   vdisk-xml ID [GUEST]  vdisk-attach ID VM [GUEST] [--hotplug]  vdisk-detach ID VM
 *   vdisk-prepare ID VM [--timeout S] [--migration|--ha-restart]  vdisk-release ID VM
 *   vm-connections VM [--vdsm]
 *
 * A password is never taken on the command line (it would show in the
 * process list): --password-file names a file holding it.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "cli.h"

/* ---- helpers ------------------------------------------------------------------------------------ */

static void print_text(const char *s) {
        size_t len = strlen(s);

        fputs(s, stdout);
        if (len == 0 || s[len - 1] != '\n')
                putchar('\n');
}

/* A library JSON text: printed as is, or under key in the JSON result. */
static int emit_json(struct cli *cli, const char *key, const char *json) {
        if (!cli->json) {
                print_text(json);
                return 0;
        }
        return cli_field_json(cli, key, json);
}

static int conn_lookup(struct cli *cli, const char *id, storvirt_connection **ret) {
        storvirt_ctx *ctx;
        int r = cli_ctx(cli, &ctx);

        if (r >= 0)
                r = storvirt_connection_lookup(ctx, id, ret);
        return r;
}

/*
 * A connection by id, also a stored record that does not parse or a
 * secret left without its record (listed with
 * STORVIRT_CONNECTION_LIST_INVALID), so that it can be removed.
 */
static int conn_lookup_any(struct cli *cli, const char *id, storvirt_connection **ret) {
        storvirt_connection **conns = NULL;
        storvirt_ctx *ctx;
        int r = conn_lookup(cli, id, ret);

        if (r != -EINVAL && r != -ENOENT)
                return r;
        if (cli_ctx(cli, &ctx) < 0 ||
            storvirt_connection_list(ctx, &conns, NULL, STORVIRT_CONNECTION_LIST_INVALID) < 0)
                return conn_lookup(cli, id, ret);
        for (size_t i = 0; conns[i]; i++)
                if (storvirt_connection_get_type(conns[i]) == 0 &&
                    strcmp(storvirt_connection_get_id(conns[i]), id) == 0)
                        *ret = storvirt_connection_ref(conns[i]);
        storvirt_connection_list_free(conns);
        return *ret ? 0 : conn_lookup(cli, id, ret);
}

static int vdisk_lookup(struct cli *cli, const char *id, storvirt_vdisk **ret) {
        storvirt_ctx *ctx;
        int r = cli_ctx(cli, &ctx);

        if (r >= 0)
                r = storvirt_vdisk_lookup(ctx, id, ret);
        return r;
}

/* A JSON file as a guest spec (no source); NULL path: none. */
static int read_spec(struct cli *cli, const char *path, storvirt_disk_spec **ret) {
        char *json = NULL;
        int r;

        *ret = NULL;
        if (!path)
                return 0;
        r = cli_read_file(cli, path, &json);
        if (r < 0)
                return r;
        r = storvirt_disk_spec_from_json(json, ret, 0);
        free(json);
        return r < 0 ? cli_doc_error(cli, path, r) : 0;
}

/* The value of a string member of a JSON object text ("" when absent). */
static void json_member(const char *json, const char *key, char *buf, size_t size) {
        char err[64];
        yajl_val v = yajl_tree_parse(json, err, sizeof(err)), m;

        buf[0] = '\0';
        m = v ? yajl_tree_get(v, (const char *[]){ key, NULL }, yajl_t_string) : NULL;
        if (m)
                snprintf(buf, size, "%s", YAJL_GET_STRING(m));
        yajl_tree_free(v);
}

/* ---- connections ---------------------------------------------------------------------------------- */

/* Options several commands share. */
#define OPT_TIMEOUT(what) { .name = "timeout", .kind = CLI_INT, .arg = "S", .min = 1, \
                            .max = 3600, .help = what " (seconds, 1-3600)" }
#define ARG_ID CLI_ARG("ID", "the connection's id")
#define ARG_VDISK CLI_ARG("ID", "the vDisk's id")

static const struct cli_opt opts_conn_define[] = {
        CLI_FLAG_OPT("replace", STORVIRT_CONNECTION_DEFINE_REPLACE,
                     "replace connections with the same ids"),
        CLI_ARG("FILE", "the connections, JSON ('-': standard input)"),
        CLI_END,
};

static int cmd_conn_define(struct cli *cli, const struct cli_args *a) {
        char *json = NULL, **ids = NULL;
        storvirt_ctx *ctx;
        int r;

        r = cli_read_file(cli, cli_str(a, "FILE"), &json);
        if (r >= 0)
                r = cli_ctx(cli, &ctx);
        if (r >= 0)
                r = storvirt_connection_define(ctx, json, &ids, cli_flags(a));
        free(json);
        if (r < 0)
                return r;
        for (char **id = ids; *id; id++)
                cli_text(cli, "%s", *id);
        if (cli->json)
                cli_field_strv(cli, "ids", NULL, ids);
        storvirt_strv_free(ids);
        return 0;
}

static void where(storvirt_connection *conn, char *buf, size_t size) {
        const char *p;

        switch (storvirt_connection_get_type(conn)) {
        case STORVIRT_CONNECTION_ISCSI: {
                const char *host = storvirt_connection_get_param(conn, "host");
                p = storvirt_connection_get_param(conn, "lun");
                snprintf(buf, size, strchr(host, ':') ? "[%s]:%s %s%s%s" : "%s:%s %s%s%s", host,
                         storvirt_connection_get_param(conn, "port"),
                         storvirt_connection_get_param(conn, "target"), p ? " LUN " : "", p ? p : "");
                break;
        }
        case STORVIRT_CONNECTION_NFS:
                snprintf(buf, size, "%s", storvirt_connection_get_param(conn, "export"));
                break;
        case STORVIRT_CONNECTION_POSIXFS: {
                const char *vfstype = storvirt_connection_get_param(conn, "vfstype");

                /* without a type, mount(8) finds it */
                snprintf(buf, size, "%s (%s)", storvirt_connection_get_param(conn, "spec"),
                         vfstype ? vfstype : "auto");
                break;
        }
        case STORVIRT_CONNECTION_GLUSTERFS: {
                const char *backup = storvirt_connection_get_param(conn, "backup_servers");

                snprintf(buf, size, "%s (glusterfs%s%s)", storvirt_connection_get_param(conn, "spec"),
                         backup ? ", backup servers " : "", backup ? backup : "");
                break;
        }
        case STORVIRT_CONNECTION_LOCALFS:
                snprintf(buf, size, "%s", storvirt_connection_get_param(conn, "path"));
                break;
        case STORVIRT_CONNECTION_RBD: {
                const char *cluster = storvirt_connection_get_param(conn, "cluster");

                snprintf(buf, size, "%s (ceph%s%s, user %s)",
                         storvirt_connection_get_param(conn, "monitors"), cluster ? " cluster " : "",
                         cluster ? cluster : "", storvirt_connection_get_param(conn, "user"));
                break;
        }
        default:
                snprintf(buf, size, "(a record that does not parse: connection-undefine "
                                    "removes it)");
        }
        storvirt_error_clear();
}

/* connection-list --json: the library's objects, in one array. */
static int conn_list_json(struct cli *cli, storvirt_connection **conns) {
        size_t size = 0;
        char *buf = NULL;
        FILE *f = open_memstream(&buf, &size);
        int r = 0;

        if (!f)
                return cli_error(cli, ENOMEM, "out of memory");
        fputc('[', f);
        for (size_t i = 0; r >= 0 && conns[i]; i++) {
                char *json = NULL;

                r = storvirt_connection_get_json(conns[i], &json, 0);
                if (r >= 0)
                        fprintf(f, "%s%s", i ? "," : "", json);
                storvirt_free(json);
        }
        fputc(']', f);
        fclose(f);
        if (r >= 0)
                r = cli_field_json(cli, "connections", buf);
        free(buf);
        return r < 0 ? r : 0;
}

/* One row of connection-list: where, connected, how many holders. */
static void conn_list_row(struct cli_table *t, storvirt_connection *conn) {
        char w[600], *json = NULL, holders[32] = "?";
        bool connected = false;

        where(conn, w, sizeof(w));
        if (storvirt_connection_get_json(conn, &json, 0) >= 0) {
                char err[64];
                yajl_val v = yajl_tree_parse(json, err, sizeof(err)), m, h;

                m = v ? yajl_tree_get(v, (const char *[]){ "status", "connected", NULL },
                                      yajl_t_any) : NULL;
                h = v ? yajl_tree_get(v, (const char *[]){ "status", "holders", NULL },
                                      yajl_t_array) : NULL;
                connected = m && YAJL_IS_TRUE(m);
                if (h)
                        snprintf(holders, sizeof(holders), "%zu", h->u.array.len);
                yajl_tree_free(v);
        }
        storvirt_free(json);
        cli_table_row(t);
        cli_table_str(t, storvirt_connection_get_id(conn));
        cli_table_str(t, storvirt_connection_get_param(conn, "type"));
        cli_table_str(t, w);
        cli_table_bool(t, connected);
        cli_table_str(t, holders);
}

static int cmd_conn_list(struct cli *cli, const struct cli_args *a) {
        static const struct cli_column cols[] = {
                { "id", "Id" }, { "type", "Type" }, { "where", "Storage" },
                { "connected", "Connected" }, { "holders", "Holders" },
        };
        storvirt_connection **conns = NULL;
        struct cli_table t;
        storvirt_ctx *ctx;
        int r;

        (void)a;
        r = cli_ctx(cli, &ctx);
        if (r >= 0)
                r = storvirt_connection_list(ctx, &conns, NULL, STORVIRT_CONNECTION_LIST_INVALID);
        if (r < 0)
                return r;
        if (cli->json) {
                r = conn_list_json(cli, conns);
        } else {
                cli_table_begin(cli, &t, "connections", cols, sizeof(cols) / sizeof(cols[0]));
                for (size_t i = 0; conns[i]; i++)
                        conn_list_row(&t, conns[i]);
                r = cli_table_end(&t);
        }
        storvirt_connection_list_free(conns);
        return r;
}

static const struct cli_opt opts_conn_info[] = {
        CLI_FLAG_OPT("vdsm", STORVIRT_CONNECTION_JSON_VDSM, "in VDSM's form"),
        ARG_ID,
        CLI_END,
};

static int cmd_conn_info(struct cli *cli, const struct cli_args *a) {
        storvirt_connection *conn = NULL;
        char *json = NULL;
        int r;

        r = conn_lookup(cli, cli_str(a, "ID"), &conn);
        if (r >= 0)
                r = storvirt_connection_get_json(conn, &json,
                                                 STORVIRT_CONNECTION_JSON_PRETTY | cli_flags(a));
        if (r >= 0)
                r = emit_json(cli, "connection", json);
        storvirt_free(json);
        storvirt_connection_unref(conn);
        return r < 0 ? r : 0;
}

static const struct cli_opt opts_conn_undefine[] = {
        CLI_FLAG_OPT("force", STORVIRT_CONNECTION_FORCE, "even while connected or needed"),
        ARG_ID,
        CLI_END,
};

static int cmd_conn_undefine(struct cli *cli, const struct cli_args *a) {
        const char *id = cli_str(a, "ID");
        storvirt_connection *conn = NULL;
        int r;

        r = conn_lookup_any(cli, id, &conn);
        if (r >= 0)
                r = storvirt_connection_undefine(conn, cli_flags(a));
        if (r >= 0)
                cli_text(cli, "Connection %s undefined", id);
        storvirt_connection_unref(conn);
        return r < 0 ? r : 0;
}

static const struct cli_opt opts_conn_connect[] = {
        CLI_STR_OPT("holder", "H", "on behalf of holder H (default: admin)"),
        OPT_TIMEOUT("how long to wait"),
        ARG_ID,
        CLI_END,
};

static const struct cli_opt opts_conn_disconnect[] = {
        CLI_STR_OPT("holder", "H", "the holder to drop (default: admin)"),
        CLI_FLAG_OPT("force", STORVIRT_CONNECTION_FORCE, "disconnect whoever holds it"),
        ARG_ID,
        CLI_END,
};

static int cmd_conn_connect(struct cli *cli, const struct cli_args *a, bool connect) {
        const char *id = cli_str(a, "ID"), *holder = cli_str(a, "holder");
        storvirt_connection *conn = NULL;
        int r;

        r = conn_lookup(cli, id, &conn);
        if (r >= 0)
                r = connect ? storvirt_connection_connect(conn, holder,
                                                          (int)cli_int(a, "timeout") * 1000, 0)
                            : storvirt_connection_disconnect(conn, holder, cli_flags(a));
        if (r >= 0) {
                cli_text(cli, "Connection %s %s", id,
                         connect ? (r ? "connected" : "already connected (holder counted)")
                                 : (r ? "disconnected" : "still held by other holders"));
                if (cli->json)
                        cli_field_bool(cli, "changed", NULL, r > 0);
        }
        storvirt_connection_unref(conn);
        return r < 0 ? r : 0;
}

static int cmd_conn_connect_on(struct cli *cli, const struct cli_args *a) {
        return cmd_conn_connect(cli, a, true);
}

static int cmd_conn_disconnect(struct cli *cli, const struct cli_args *a) {
        return cmd_conn_connect(cli, a, false);
}

static int print_luns(struct cli *cli, const char *json) {
        struct cli_table t;
        char err[64];
        yajl_val v;
        static const struct cli_column cols[] = {
                { "lun", "LUN" }, { "guid", "GUID" }, { "capacity", "Size" },
                { "model", "Vendor/Product" }, { "serial", "Serial" },
        };

        if (cli->json)
                return cli_field_json(cli, "luns", json);
        v = yajl_tree_parse(json, err, sizeof(err));
        if (!v || !YAJL_IS_ARRAY(v)) {
                yajl_tree_free(v);
                return cli_error(cli, EIO, "unexpected LUN list");
        }
        cli_table_begin(cli, &t, "luns", cols, sizeof(cols) / sizeof(cols[0]));
        for (size_t i = 0; i < v->u.array.len; i++) {
                yajl_val l = v->u.array.values[i];
                yajl_val num = yajl_tree_get(l, (const char *[]){ "lun", NULL }, yajl_t_number);
                yajl_val g = yajl_tree_get(l, (const char *[]){ "guid", NULL }, yajl_t_string);
                yajl_val cap = yajl_tree_get(l, (const char *[]){ "capacity", NULL }, yajl_t_number);
                yajl_val ve = yajl_tree_get(l, (const char *[]){ "vendor", NULL }, yajl_t_string);
                yajl_val pr = yajl_tree_get(l, (const char *[]){ "product", NULL }, yajl_t_string);
                yajl_val sn = yajl_tree_get(l, (const char *[]){ "serial", NULL }, yajl_t_string);
                char model[64];

                snprintf(model, sizeof(model), "%s %s", ve ? YAJL_GET_STRING(ve) : "",
                         pr ? YAJL_GET_STRING(pr) : "");
                cli_table_row(&t);
                cli_table_u64(&t, num ? (uint64_t)YAJL_GET_INTEGER(num) : 0);
                cli_table_str(&t, g ? YAJL_GET_STRING(g) : NULL);
                cli_table_size(&t, cap ? (uint64_t)YAJL_GET_INTEGER(cap) : 0);
                cli_table_str(&t, model);
                cli_table_str(&t, sn ? YAJL_GET_STRING(sn) : NULL);
        }
        yajl_tree_free(v);
        return cli_table_end(&t);
}

static const struct cli_opt opts_conn_luns[] = {
        OPT_TIMEOUT("how long to wait"),
        ARG_ID,
        CLI_END,
};

static int cmd_conn_luns(struct cli *cli, const struct cli_args *a) {
        storvirt_connection *conn = NULL;
        char *json = NULL;
        int r;

        r = conn_lookup(cli, cli_str(a, "ID"), &conn);
        if (r >= 0)
                r = storvirt_connection_list_luns(conn, (int)cli_int(a, "timeout") * 1000, &json,
                                                  0);
        if (r >= 0)
                r = print_luns(cli, json);
        storvirt_free(json);
        storvirt_connection_unref(conn);
        return r < 0 ? r : 0;
}

/* Appends "key": "value" (escaped) to a JSON object being written to f. */
static void json_kv(FILE *f, bool *first, const char *key, const char *value) {
        fprintf(f, "%s\"%s\": \"", *first ? "" : ", ", key);
        for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
                if (*p == '"' || *p == '\\')
                        fprintf(f, "\\%c", *p);
                else if (*p < 0x20)
                        fprintf(f, "\\u%04x", *p);
                else
                        fputc(*p, f);
        }
        fputc('"', f);
        *first = false;
}

static const struct cli_opt opts_discover[] = {
        { .name = "user", .kind = CLI_STRING, .arg = "U", .together = 1,
          .help = "CHAP user name" },
        { .name = "password-file", .kind = CLI_STRING, .arg = "F", .together = 1,
          .help = "a file holding the CHAP password" },
        CLI_STR_OPT("initiator", "IQN", "the initiator name to log in with"),
        OPT_TIMEOUT("how long to wait"),
        CLI_FLAG_OPT("vdsm", STORVIRT_ISCSI_DISCOVER_VDSM,
                     "VDSM's \"host:port,tpgt iqn\" strings"),
        CLI_ARG("PORTAL", "host, host:port or [v6addr]:port"),
        CLI_END,
};

static int cmd_discover(struct cli *cli, const struct cli_args *a) {
        const char *user = cli_str(a, "user"), *pwfile = cli_str(a, "password-file");
        const char *initiator = cli_str(a, "initiator");
        char *password = NULL, *params = NULL, *out = NULL;
        size_t size = 0;
        storvirt_ctx *ctx;
        bool first = true;
        int r;
        FILE *f;

        if (pwfile) {
                r = cli_read_file(cli, pwfile, &password);
                if (r < 0)
                        return r;
                password[strcspn(password, "\r\n")] = '\0';
        }
        f = open_memstream(&params, &size);
        if (!f) {
                free(password);
                return cli_error(cli, ENOMEM, "out of memory");
        }
        fputc('{', f);
        json_kv(f, &first, "portal", cli_str(a, "PORTAL"));
        if (user) {
                json_kv(f, &first, "user", user);
                json_kv(f, &first, "password", password);
        }
        if (initiator)
                json_kv(f, &first, "initiator", initiator);
        fputc('}', f);
        fclose(f);
        if (password) {
                explicit_bzero(password, strlen(password));
                free(password);
        }
        r = cli_ctx(cli, &ctx);
        if (r >= 0)
                r = storvirt_iscsi_discover(ctx, params, (int)cli_int(a, "timeout") * 1000, &out,
                                            cli_flags(a));
        explicit_bzero(params, size);
        free(params);
        if (r < 0)
                return r;
        r = emit_json(cli, "targets", out);
        storvirt_free(out);
        return r < 0 ? r : 0;
}

/* ---- vDisks --------------------------------------------------------------------------------------- */

static const struct cli_opt opts_import[] = {
        { .name = "SPEC", .kind = CLI_STRING, .flags = CLI_OPERAND | CLI_REQUIRED, .group = 1,
          .help = "a disk spec as for resolve, JSON ('-': standard input)" },
        { .name = "guid", .kind = CLI_STRING, .arg = "G", .group = 1, .help = "a LUN's GUID" },
        { .name = "path", .kind = CLI_STRING, .arg = "P", .group = 1, .help = "a path" },
        { .name = "pool", .kind = CLI_STRING, .arg = "P", .group = 1, .together = 1,
          .help = "a pool, with --volume" },
        { .name = "volume", .kind = CLI_STRING, .arg = "V", .group = 1, .together = 1,
          .help = "a volume of --pool" },
        { .name = "connection", .kind = CLI_STRING, .flags = CLI_MULTI, .arg = "ID",
          .help = "a stored connection the storage needs (up to 32)" },
        CLI_FLAG_OPT("shared", STORVIRT_VDISK_IMPORT_SHARED, "shared by several VMs"),
        CLI_FLAG_OPT("readonly", STORVIRT_VDISK_IMPORT_READONLY, "read-only"),
        CLI_FLAG_OPT("no-refresh", STORVIRT_VDISK_IMPORT_NO_REFRESH,
                     "do not discover LUNs again for an unknown GUID"),
        CLI_END,
};

/* The spec of vdisk-import: SPEC's file, or the shortcut given. */
static int import_spec(struct cli *cli, const struct cli_args *a, storvirt_disk_spec **ret) {
        static const char *const keys[][2] = {
                { "guid", "GUID" }, { "path", "path" }, { "pool", "pool" }, { "volume", "volume" },
        };
        int r;

        if (cli_given(a, "SPEC"))
                return read_spec(cli, cli_str(a, "SPEC"), ret);
        r = storvirt_disk_spec_new(ret);
        for (size_t i = 0; r >= 0 && i < sizeof(keys) / sizeof(keys[0]); i++)
                if (cli_given(a, keys[i][0]))
                        r = storvirt_disk_spec_set_string(*ret, keys[i][1],
                                                          cli_str(a, keys[i][0]));
        return r;
}

static int cmd_import(struct cli *cli, const struct cli_args *a) {
        size_t nconns = 0;
        const char *const *conns = cli_list(a, "connection", &nconns);
        storvirt_disk_spec *spec = NULL;
        storvirt_vdisk *v = NULL;
        storvirt_ctx *ctx;
        int r;

        if (nconns > 32)
                return cli_usage(cli, "%s: at most 32 connections", a->cmd->name);
        r = import_spec(cli, a, &spec);
        if (r >= 0)
                r = cli_ctx(cli, &ctx);
        if (r >= 0)
                r = storvirt_vdisk_import(ctx, spec, nconns ? (const char **)conns : NULL,
                                          cli_flags(a), &v);
        storvirt_disk_spec_free(spec);
        if (r < 0)
                return r;
        cli_text(cli, "vDisk %s %s", storvirt_vdisk_get_id(v),
                 r ? "(already known: the same storage)" : "imported");
        if (cli->json)
                cli_field_str(cli, "id", NULL, storvirt_vdisk_get_id(v));
        if (cli->json)
                cli_field_bool(cli, "existing", NULL, r > 0);
        storvirt_vdisk_unref(v);
        return 0;
}

static int cmd_list(struct cli *cli, const struct cli_args *a) {
        storvirt_vdisk **all = NULL;
        struct cli_table t;
        storvirt_ctx *ctx;
        int r;
        static const struct cli_column cols[] = {
                { "id", "Id" }, { "kind", "Kind" }, { "identity", "Identity" },
                { "images", "Images" }, { "attachments", "Attached to" },
        };

        (void)a;
        r = cli_ctx(cli, &ctx);
        if (r >= 0)
                r = storvirt_vdisk_list(ctx, &all, NULL, 0);
        if (r < 0)
                return r;
        cli_table_begin(cli, &t, "vdisks", cols, sizeof(cols) / sizeof(cols[0]));
        for (size_t i = 0; all[i]; i++) {
                char *json = NULL, err[64], kind[16] = "", identity[512] = "", vms[256] = "";
                yajl_val v, im, at;
                size_t nimages = 0, off = 0;

                if (storvirt_vdisk_get_json(all[i], &json, 0) < 0)
                        continue;
                json_member(json, "kind", kind, sizeof(kind));
                json_member(json, "identity", identity, sizeof(identity));
                v = yajl_tree_parse(json, err, sizeof(err));
                im = v ? yajl_tree_get(v, (const char *[]){ "images", NULL }, yajl_t_array) : NULL;
                at = v ? yajl_tree_get(v, (const char *[]){ "attachments", NULL }, yajl_t_array) : NULL;
                nimages = im ? im->u.array.len : 0;
                for (size_t k = 0; at && k < at->u.array.len && off < sizeof(vms) - 1; k++) {
                        yajl_val vm = yajl_tree_get(at->u.array.values[k], (const char *[]){ "vm", NULL },
                                                    yajl_t_string);
                        int n = snprintf(vms + off, sizeof(vms) - off, "%s%s", k ? "," : "",
                                         vm ? YAJL_GET_STRING(vm) : "?");
                        off += n > 0 ? (size_t)n : 0;
                }
                yajl_tree_free(v);
                storvirt_free(json);
                cli_table_row(&t);
                cli_table_str(&t, storvirt_vdisk_get_id(all[i]));
                cli_table_str(&t, kind);
                cli_table_str(&t, identity);
                cli_table_u64(&t, nimages);
                cli_table_str(&t, vms[0] ? vms : NULL);
        }
        storvirt_vdisk_list_free(all);
        return cli_table_end(&t);
}

static const struct cli_opt opts_vdisk[] = {
        ARG_VDISK,
        CLI_END,
};

static int cmd_info(struct cli *cli, const struct cli_args *a) {
        storvirt_vdisk *v = NULL;
        char *json = NULL;
        int r;

        r = vdisk_lookup(cli, cli_str(a, "ID"), &v);
        if (r >= 0)
                r = storvirt_vdisk_get_json(v, &json, STORVIRT_VDISK_JSON_PRETTY);
        if (r >= 0)
                r = emit_json(cli, "vdisk", json);
        storvirt_free(json);
        storvirt_vdisk_unref(v);
        return r < 0 ? r : 0;
}

static const struct cli_opt opts_snapshot[] = {
        CLI_STR_OPT("pool", "P", "the pool of the overlay (default: that of the top)"),
        ARG_VDISK,
        CLI_END,
};

static int cmd_snapshot(struct cli *cli, const struct cli_args *a) {
        const char *id = cli_str(a, "ID");
        storvirt_vdisk *v = NULL;
        char *uid = NULL;
        int r;

        r = vdisk_lookup(cli, id, &v);
        if (r >= 0)
                r = storvirt_vdisk_snapshot(v, cli_str(a, "pool"), &uid, 0);
        if (r >= 0) {
                cli_text(cli, "Image %s created on top of vDisk %s", uid, id);
                if (cli->json)
                        cli_field_str(cli, "uid", NULL, uid);
        }
        free(uid);
        storvirt_vdisk_unref(v);
        return r < 0 ? r : 0;
}

#define OPTS_DELETE \
        CLI_FLAG_OPT("force", STORVIRT_VDISK_FORCE, "even while attached or prepared"), \
        CLI_FLAG_OPT("delete-storage", STORVIRT_VDISK_DELETE_STORAGE, \
                     "also remove the overlays' files")

static const struct cli_opt opts_delete_image[] = {
        OPTS_DELETE,
        ARG_VDISK,
        CLI_ARG("UID", "the top image's UID"),
        CLI_END,
};

static const struct cli_opt opts_delete[] = {
        OPTS_DELETE,
        ARG_VDISK,
        CLI_END,
};

static int cmd_delete(struct cli *cli, const struct cli_args *a, bool image) {
        const char *id = cli_str(a, "ID"), *uid = image ? cli_str(a, "UID") : NULL;
        uint32_t flags = cli_flags(a);
        storvirt_vdisk *v = NULL;
        int r;

        r = vdisk_lookup(cli, id, &v);
        if (r >= 0)
                r = image ? storvirt_vdisk_delete_image(v, uid, flags)
                          : storvirt_vdisk_delete(v, flags);
        if (r >= 0 && image)
                cli_text(cli, "Image %s removed from vDisk %s%s", uid, id,
                         flags & STORVIRT_VDISK_DELETE_STORAGE ? " and from storage" : "");
        else if (r >= 0)
                cli_text(cli, "vDisk %s deleted%s", id,
                         flags & STORVIRT_VDISK_DELETE_STORAGE ? " with its overlays" : "");
        storvirt_vdisk_unref(v);
        return r < 0 ? r : 0;
}

static int cmd_delete_image(struct cli *cli, const struct cli_args *a) {
        return cmd_delete(cli, a, true);
}

static int cmd_delete_vdisk(struct cli *cli, const struct cli_args *a) {
        return cmd_delete(cli, a, false);
}

static const struct cli_opt opts_xml[] = {
        CLI_FLAG_OPT("dict", STORVIRT_RESOLVE_DICT, "print VDSM's device dict instead of XML"),
        CLI_FLAG_OPT("leases", STORVIRT_RESOLVE_LEASES,
                     "add the vDisk's <lease> for libvirt's sanlock lock driver"),
        ARG_VDISK,
        CLI_ARG_OPT("GUEST", "a JSON disk spec without a source: how the guest sees it"),
        CLI_END,
};

static int cmd_xml(struct cli *cli, const struct cli_args *a) {
        storvirt_disk_spec *guest = NULL;
        storvirt_vdisk *v = NULL;
        uint32_t flags = cli_flags(a);
        char *out = NULL;
        int r;

        r = read_spec(cli, cli_str(a, "GUEST"), &guest);
        if (r >= 0)
                r = vdisk_lookup(cli, cli_str(a, "ID"), &v);
        if (r >= 0)
                r = storvirt_vdisk_get_xml(v, guest, &out, flags);
        if (r >= 0 && !cli->json)
                print_text(out);
        else if (r >= 0)
                r = flags ? cli_field_json(cli, "device", out) : (cli_field_str(cli, "xml", "XML:", out), 0);
        storvirt_free(out);
        storvirt_disk_spec_free(guest);
        storvirt_vdisk_unref(v);
        return r < 0 ? r : 0;
}

static const struct cli_opt opts_attach[] = {
        CLI_FLAG_OPT("hotplug", STORVIRT_VDISK_ATTACH_HOTPLUG, "the VM is running"),
        ARG_VDISK,
        CLI_ARG("VM", "the VM's id"),
        CLI_ARG_OPT("GUEST", "a JSON disk spec without a source: how the guest sees it"),
        CLI_END,
};

static int cmd_attach(struct cli *cli, const struct cli_args *a) {
        storvirt_disk_spec *guest = NULL;
        storvirt_vdisk *v = NULL;
        char *xml = NULL;
        int r;

        r = read_spec(cli, cli_str(a, "GUEST"), &guest);
        if (r >= 0)
                r = vdisk_lookup(cli, cli_str(a, "ID"), &v);
        if (r >= 0)
                r = storvirt_vdisk_attach(v, cli_str(a, "VM"), guest, &xml, cli_flags(a));
        if (r >= 0 && !cli->json)
                print_text(xml);
        else if (r >= 0)
                cli_field_str(cli, "xml", "XML:", xml);
        storvirt_free(xml);
        storvirt_disk_spec_free(guest);
        storvirt_vdisk_unref(v);
        return r < 0 ? r : 0;
}

static const struct cli_opt opts_prepare[] = {
        OPT_TIMEOUT("how long to wait for the device (and a crashed host's lease)"),
        CLI_FLAG_OPT("migration", STORVIRT_VDISK_PREPARE_MIGRATION,
                     "this host is a migration's destination: the source hands the lease over"),
        CLI_FLAG_OPT("ha-restart", STORVIRT_VDISK_PREPARE_HA_RESTART,
                     "the VM's host crashed: wait out its lease, never break it"),
        ARG_VDISK,
        CLI_ARG("VM", "the VM's id"),
        CLI_END,
};

static const struct cli_opt opts_vm[] = {
        ARG_VDISK,
        CLI_ARG("VM", "the VM's id"),
        CLI_END,
};

enum { VM_DETACH, VM_PREPARE, VM_RELEASE };

static int cmd_vm_op(struct cli *cli, const struct cli_args *a, int which) {
        const char *id = cli_str(a, "ID"), *vm = cli_str(a, "VM");
        storvirt_vdisk *v = NULL;
        char *path = NULL;
        int r;

        r = vdisk_lookup(cli, id, &v);
        if (r >= 0 && which == VM_DETACH)
                r = storvirt_vdisk_detach(v, vm, 0);
        else if (r >= 0 && which == VM_RELEASE)
                r = storvirt_vdisk_release(v, vm, 0);
        else if (r >= 0)
                r = storvirt_vdisk_prepare(v, vm, (int)cli_int(a, "timeout") * 1000, &path,
                                           cli_flags(a));
        if (r >= 0 && which == VM_PREPARE) {
                cli_text(cli, "%s", path);
                if (cli->json)
                        cli_field_str(cli, "path", NULL, path);
        } else if (r >= 0) {
                cli_text(cli, "vDisk %s %s VM %s", id,
                         which == VM_DETACH ? "detached from" : "released by", vm);
        }
        free(path);
        storvirt_vdisk_unref(v);
        return r < 0 ? r : 0;
}

static int cmd_detach(struct cli *cli, const struct cli_args *a) {
        return cmd_vm_op(cli, a, VM_DETACH);
}

static int cmd_prepare(struct cli *cli, const struct cli_args *a) {
        return cmd_vm_op(cli, a, VM_PREPARE);
}

static int cmd_release(struct cli *cli, const struct cli_args *a) {
        return cmd_vm_op(cli, a, VM_RELEASE);
}

static const struct cli_opt opts_vm_connections[] = {
        CLI_FLAG_OPT("vdsm", STORVIRT_CONNECTION_JSON_VDSM, "in VDSM's form"),
        CLI_ARG("VM", "the VM's id"),
        CLI_END,
};

static int cmd_vm_connections(struct cli *cli, const struct cli_args *a) {
        storvirt_ctx *ctx;
        char *json = NULL;
        int r;

        r = cli_ctx(cli, &ctx);
        if (r >= 0)
                r = storvirt_vm_connections(ctx, cli_str(a, "VM"), &json,
                                            STORVIRT_CONNECTION_JSON_PRETTY | cli_flags(a));
        if (r >= 0)
                r = emit_json(cli, "connections", json);
        storvirt_free(json);
        return r < 0 ? r : 0;
}

const struct cli_command cli_commands_vdisk[] = {
        { "connection-define", "define storage connections from JSON",
          "FILE (\"-\": standard input) holds one connection, a list, or VDSM's\n"
          "connectStorageServer parameters {\"domainType\", \"connectionParams\"}\n"
          "(see storvirt_connection_define(3)).  Prints the ids.  CHAP passwords\n"
          "are kept in mode 0600 files of the state directory and never shown.",
          opts_conn_define, cmd_conn_define },
        { "connection-list", "list the stored connections", NULL, NULL, cmd_conn_list },
        { "connection-info", "show a connection (secrets redacted) and its status", NULL,
          opts_conn_info, cmd_conn_info },
        { "connection-undefine", "remove a stored connection and its secrets",
          "Refused while it is connected or a vDisk needs it, unless --force.",
          opts_conn_undefine, cmd_conn_undefine },
        { "connection-connect", "connect (log in, mount) on behalf of a holder",
          "The first holder connects, later ones are counted (holder \"admin\" when\n"
          "not given).", opts_conn_connect, cmd_conn_connect_on },
        { "connection-disconnect", "drop a holder; the last one disconnects",
          "--force disconnects at once whoever holds it.", opts_conn_disconnect,
          cmd_conn_disconnect },
        { "connection-luns", "list the LUNs of an iSCSI connection's target (through libiscsi)",
          "LUN number, GUID (as multipath names it), size, vendor and product,\n"
          "serial.", opts_conn_luns, cmd_conn_luns },
        { "iscsi-discover", "SendTargets discovery of an iSCSI portal (through libiscsi)",
          "PORTAL is host, host:port or [v6addr]:port.  --vdsm prints VDSM's\n"
          "\"host:port,tpgt iqn\" strings.", opts_discover, cmd_discover },
        { "vdisk-import", "record a vDisk for a LUN, a file, a volume or an iSCSI LUN",
          "SPEC (\"-\": standard input) is a disk spec as for resolve.  The vDisk id\n"
          "comes from the storage's identity: importing the same storage again\n"
          "gives the same vDisk (and adds the connections given).",
          opts_import, cmd_import },
        { "vdisk-list", "list the vDisks", NULL, NULL, cmd_list },
        { "vdisk-info", "show a vDisk's record: images, attachments", NULL, opts_vdisk,
          cmd_info },
        { "vdisk-snapshot", "add a qcow2 overlay on top of a vDisk's image stack",
          "The overlay goes into pool P (default: the pool of the current top).",
          opts_snapshot, cmd_snapshot },
        { "vdisk-delete-image", "remove the top image of a vDisk",
          "Its file stays unless --delete-storage.  Refused while attached unless\n"
          "--force.", opts_delete_image, cmd_delete_image },
        { "vdisk-delete", "forget a vDisk",
          "Refused while attached or prepared unless --force.  Overlays are removed\n"
          "only with --delete-storage; the base storage never.", opts_delete,
          cmd_delete_vdisk },
        { "vdisk-xml", "the vDisk's <disk> element with its backing chain",
          "GUEST (a JSON disk spec without a source) says how the guest sees it.",
          opts_xml, cmd_xml },
        { "vdisk-attach", "record that a VM uses the vDisk; prints its <disk>", NULL,
          opts_attach, cmd_attach },
        { "vdisk-detach", "remove a VM's attachment", NULL, opts_vm, cmd_detach },
        { "vdisk-prepare", "connect what a vDisk needs, wait for it, check it; prints the path",
          "For running the VM here, or on the destination host of a migration or\n"
          "an HA restart.", opts_prepare, cmd_prepare },
        { "vdisk-release", "undo vdisk-prepare (connections still used by other vDisks stay)",
          NULL, opts_vm, cmd_release },
        { "vm-connections", "the connections the vDisks attached to a VM need, deduplicated",
          NULL, opts_vm_connections, cmd_vm_connections },
        { NULL, NULL, NULL, NULL, NULL },
};
