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
 *   vdisk-prepare ID VM [--timeout S]  vdisk-release ID VM
 *   vm-connections VM [--vdsm]
 *
 * A password is never taken on the command line (it would show in the
 * process list): --password-file names a file holding it.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "cli.h"

enum {
        OPT_REPLACE = 0x100,
        OPT_FORCE,
        OPT_HOLDER,
        OPT_TIMEOUT,
        OPT_USER,
        OPT_PASSWORD_FILE,
        OPT_INITIATOR,
        OPT_VDSM,
        OPT_GUID,
        OPT_PATH,
        OPT_POOL,
        OPT_VOLUME,
        OPT_CONNECTION,
        OPT_SHARED,
        OPT_READONLY,
        OPT_NO_REFRESH,
        OPT_DELETE_STORAGE,
        OPT_HOTPLUG,
        OPT_DICT,
};

#define CMD(i) (&cli_commands_vdisk[i])
enum {
        C_CONN_DEFINE, C_CONN_LIST, C_CONN_INFO, C_CONN_UNDEFINE, C_CONN_CONNECT,
        C_CONN_DISCONNECT, C_CONN_LUNS, C_DISCOVER, C_IMPORT, C_LIST, C_INFO, C_SNAPSHOT,
        C_DELETE_IMAGE, C_DELETE, C_XML, C_ATTACH, C_DETACH, C_PREPARE, C_RELEASE,
        C_VM_CONNECTIONS,
};

/* ---- helpers ------------------------------------------------------------------------------------ */

static int parse_timeout(struct cli *cli, const char *cmd, const char *v, int *ret_ms) {
        char *end;
        long s;

        errno = 0;
        s = strtol(v, &end, 10);
        if (!*v || *end || errno || s < 1 || s > 3600)
                return cli_usage(cli, "%s: --timeout '%s': seconds, 1-3600", cmd, v);
        *ret_ms = (int)s * 1000;
        return 0;
}

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

static int cmd_conn_define(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = { { "replace", no_argument, NULL, OPT_REPLACE }, {} };
        const struct cli_command *c = CMD(C_CONN_DEFINE);
        char *json = NULL, **ids = NULL;
        uint32_t flags = 0;
        storvirt_ctx *ctx;
        int o, r;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                if (o == OPT_REPLACE)
                        flags |= STORVIRT_CONNECTION_DEFINE_REPLACE;
                else
                        return cli_bad_option(cli, c->name, o, argv);
        }
        if ((r = cli_check_args(cli, c, argc, argv, 1, 1)))
                return r;
        r = cli_read_file(cli, argv[optind], &json);
        if (r >= 0)
                r = cli_ctx(cli, &ctx);
        if (r >= 0)
                r = storvirt_connection_define(ctx, json, &ids, flags);
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
        case STORVIRT_CONNECTION_LOCALFS:
                snprintf(buf, size, "%s", storvirt_connection_get_param(conn, "path"));
                break;
        default:
                snprintf(buf, size, "(a record that does not parse: connection-undefine "
                                    "removes it)");
        }
        storvirt_error_clear();
}

static int cmd_conn_list(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = { {} };
        const struct cli_command *c = CMD(C_CONN_LIST);
        storvirt_connection **conns = NULL;
        struct cli_table t;
        storvirt_ctx *ctx;
        int o, r;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1)
                return cli_bad_option(cli, c->name, o, argv);
        if ((r = cli_check_args(cli, c, argc, argv, 0, 0)))
                return r;
        r = cli_ctx(cli, &ctx);
        if (r >= 0)
                r = storvirt_connection_list(ctx, &conns, NULL, STORVIRT_CONNECTION_LIST_INVALID);
        if (r < 0)
                return r;
        if (cli->json) {
                /* the library's objects, in one array */
                size_t size = 0;
                char *buf = NULL;
                FILE *f = open_memstream(&buf, &size);

                if (!f) {
                        storvirt_connection_list_free(conns);
                        return cli_error(cli, ENOMEM, "out of memory");
                }
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
                storvirt_connection_list_free(conns);
                return r < 0 ? r : 0;
        }
        static const struct cli_column cols[] = {
                { "id", "Id" }, { "type", "Type" }, { "where", "Storage" },
                { "connected", "Connected" }, { "holders", "Holders" },
        };
        cli_table_begin(cli, &t, "connections", cols, sizeof(cols) / sizeof(cols[0]));
        for (size_t i = 0; conns[i]; i++) {
                char w[600], *json = NULL, holders[32] = "?";
                bool connected = false;

                where(conns[i], w, sizeof(w));
                if (storvirt_connection_get_json(conns[i], &json, 0) >= 0) {
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
                cli_table_row(&t);
                cli_table_str(&t, storvirt_connection_get_id(conns[i]));
                cli_table_str(&t, storvirt_connection_get_param(conns[i], "type"));
                cli_table_str(&t, w);
                cli_table_bool(&t, connected);
                cli_table_str(&t, holders);
        }
        storvirt_connection_list_free(conns);
        return cli_table_end(&t);
}

static int cmd_conn_info(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = { { "vdsm", no_argument, NULL, OPT_VDSM }, {} };
        const struct cli_command *c = CMD(C_CONN_INFO);
        storvirt_connection *conn = NULL;
        uint32_t flags = STORVIRT_CONNECTION_JSON_PRETTY;
        char *json = NULL;
        int o, r;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                if (o == OPT_VDSM)
                        flags |= STORVIRT_CONNECTION_JSON_VDSM;
                else
                        return cli_bad_option(cli, c->name, o, argv);
        }
        if ((r = cli_check_args(cli, c, argc, argv, 1, 1)))
                return r;
        r = conn_lookup(cli, argv[optind], &conn);
        if (r >= 0)
                r = storvirt_connection_get_json(conn, &json, flags);
        if (r >= 0)
                r = emit_json(cli, "connection", json);
        storvirt_free(json);
        storvirt_connection_unref(conn);
        return r < 0 ? r : 0;
}

static int cmd_conn_undefine(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = { { "force", no_argument, NULL, OPT_FORCE }, {} };
        const struct cli_command *c = CMD(C_CONN_UNDEFINE);
        storvirt_connection *conn = NULL;
        uint32_t flags = 0;
        int o, r;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                if (o == OPT_FORCE)
                        flags |= STORVIRT_CONNECTION_FORCE;
                else
                        return cli_bad_option(cli, c->name, o, argv);
        }
        if ((r = cli_check_args(cli, c, argc, argv, 1, 1)))
                return r;
        r = conn_lookup_any(cli, argv[optind], &conn);
        if (r >= 0)
                r = storvirt_connection_undefine(conn, flags);
        if (r >= 0)
                cli_text(cli, "Connection %s undefined", argv[optind]);
        storvirt_connection_unref(conn);
        return r < 0 ? r : 0;
}

static int cmd_conn_connect(struct cli *cli, int argc, char **argv, bool connect) {
        static const struct option opts[] = {
                { "holder", required_argument, NULL, OPT_HOLDER },
                { "timeout", required_argument, NULL, OPT_TIMEOUT },
                { "force", no_argument, NULL, OPT_FORCE },
                {}
        };
        const struct cli_command *c = CMD(connect ? C_CONN_CONNECT : C_CONN_DISCONNECT);
        storvirt_connection *conn = NULL;
        const char *holder = NULL;
        uint32_t flags = 0;
        int o, r, timeout = 0;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                switch (o) {
                case OPT_HOLDER: holder = optarg; break;
                case OPT_TIMEOUT:
                        if (!connect)
                                return cli_usage(cli, "%s: unknown option '--timeout'", c->name);
                        if ((r = parse_timeout(cli, c->name, optarg, &timeout)))
                                return r;
                        break;
                case OPT_FORCE:
                        if (connect)
                                return cli_usage(cli, "%s: unknown option '--force'", c->name);
                        flags |= STORVIRT_CONNECTION_FORCE;
                        break;
                default: return cli_bad_option(cli, c->name, o, argv);
                }
        }
        if ((r = cli_check_args(cli, c, argc, argv, 1, 1)))
                return r;
        r = conn_lookup(cli, argv[optind], &conn);
        if (r >= 0)
                r = connect ? storvirt_connection_connect(conn, holder, timeout, 0)
                            : storvirt_connection_disconnect(conn, holder, flags);
        if (r >= 0) {
                cli_text(cli, "Connection %s %s", argv[optind],
                         connect ? (r ? "connected" : "already connected (holder counted)")
                                 : (r ? "disconnected" : "still held by other holders"));
                if (cli->json)
                        cli_field_bool(cli, "changed", NULL, r > 0);
        }
        storvirt_connection_unref(conn);
        return r < 0 ? r : 0;
}

static int cmd_conn_connect_on(struct cli *cli, int argc, char **argv) {
        return cmd_conn_connect(cli, argc, argv, true);
}

static int cmd_conn_disconnect(struct cli *cli, int argc, char **argv) {
        return cmd_conn_connect(cli, argc, argv, false);
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

static int cmd_conn_luns(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = { { "timeout", required_argument, NULL, OPT_TIMEOUT }, {} };
        const struct cli_command *c = CMD(C_CONN_LUNS);
        storvirt_connection *conn = NULL;
        char *json = NULL;
        int o, r, timeout = 0;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                if (o != OPT_TIMEOUT)
                        return cli_bad_option(cli, c->name, o, argv);
                if ((r = parse_timeout(cli, c->name, optarg, &timeout)))
                        return r;
        }
        if ((r = cli_check_args(cli, c, argc, argv, 1, 1)))
                return r;
        r = conn_lookup(cli, argv[optind], &conn);
        if (r >= 0)
                r = storvirt_connection_list_luns(conn, timeout, &json, 0);
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

static int cmd_discover(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = {
                { "user", required_argument, NULL, OPT_USER },
                { "password-file", required_argument, NULL, OPT_PASSWORD_FILE },
                { "initiator", required_argument, NULL, OPT_INITIATOR },
                { "timeout", required_argument, NULL, OPT_TIMEOUT },
                { "vdsm", no_argument, NULL, OPT_VDSM },
                {}
        };
        const struct cli_command *c = CMD(C_DISCOVER);
        const char *user = NULL, *pwfile = NULL, *initiator = NULL;
        char *password = NULL, *params = NULL, *out = NULL;
        uint32_t flags = 0;
        size_t size = 0;
        storvirt_ctx *ctx;
        bool first = true;
        int o, r, timeout = 0;
        FILE *f;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                switch (o) {
                case OPT_USER: user = optarg; break;
                case OPT_PASSWORD_FILE: pwfile = optarg; break;
                case OPT_INITIATOR: initiator = optarg; break;
                case OPT_TIMEOUT:
                        if ((r = parse_timeout(cli, c->name, optarg, &timeout)))
                                return r;
                        break;
                case OPT_VDSM: flags |= STORVIRT_ISCSI_DISCOVER_VDSM; break;
                default: return cli_bad_option(cli, c->name, o, argv);
                }
        }
        if ((r = cli_check_args(cli, c, argc, argv, 1, 1)))
                return r;
        if (!user != !pwfile)
                return cli_usage(cli, "%s: --user and --password-file go together", c->name);
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
        json_kv(f, &first, "portal", argv[optind]);
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
                r = storvirt_iscsi_discover(ctx, params, timeout, &out, flags);
        explicit_bzero(params, size);
        free(params);
        if (r < 0)
                return r;
        r = emit_json(cli, "targets", out);
        storvirt_free(out);
        return r < 0 ? r : 0;
}

/* ---- vDisks --------------------------------------------------------------------------------------- */

static int cmd_import(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = {
                { "guid", required_argument, NULL, OPT_GUID },
                { "path", required_argument, NULL, OPT_PATH },
                { "pool", required_argument, NULL, OPT_POOL },
                { "volume", required_argument, NULL, OPT_VOLUME },
                { "connection", required_argument, NULL, OPT_CONNECTION },
                { "shared", no_argument, NULL, OPT_SHARED },
                { "readonly", no_argument, NULL, OPT_READONLY },
                { "no-refresh", no_argument, NULL, OPT_NO_REFRESH },
                {}
        };
        const struct cli_command *c = CMD(C_IMPORT);
        const char *guid = NULL, *path = NULL, *pool = NULL, *volume = NULL;
        const char *conns[33] = { NULL };
        storvirt_disk_spec *spec = NULL;
        storvirt_vdisk *v = NULL;
        size_t nconns = 0;
        uint32_t flags = 0;
        storvirt_ctx *ctx;
        int o, r, given;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                switch (o) {
                case OPT_GUID: guid = optarg; break;
                case OPT_PATH: path = optarg; break;
                case OPT_POOL: pool = optarg; break;
                case OPT_VOLUME: volume = optarg; break;
                case OPT_CONNECTION:
                        if (nconns == 32)
                                return cli_usage(cli, "%s: at most 32 connections", c->name);
                        conns[nconns++] = optarg;
                        break;
                case OPT_SHARED: flags |= STORVIRT_VDISK_IMPORT_SHARED; break;
                case OPT_READONLY: flags |= STORVIRT_VDISK_IMPORT_READONLY; break;
                case OPT_NO_REFRESH: flags |= STORVIRT_VDISK_IMPORT_NO_REFRESH; break;
                default: return cli_bad_option(cli, c->name, o, argv);
                }
        }
        given = !!guid + !!path + !!(pool || volume) + (argc - optind > 0);
        if (given != 1)
                return cli_usage(cli, "%s: give exactly one of SPEC, --guid, --path or --pool with "
                                      "--volume (usage: storvirt %s %s)", c->name, c->name, c->args);
        if ((r = cli_check_args(cli, c, argc, argv, 0, 1)))
                return r;
        if (!!pool != !!volume)
                return cli_usage(cli, "%s: --pool and --volume go together", c->name);
        if (argc - optind == 1) {
                r = read_spec(cli, argv[optind], &spec);
        } else {
                r = storvirt_disk_spec_new(&spec);
                if (r >= 0 && guid)
                        r = storvirt_disk_spec_set_string(spec, "GUID", guid);
                if (r >= 0 && path)
                        r = storvirt_disk_spec_set_string(spec, "path", path);
                if (r >= 0 && pool)
                        r = storvirt_disk_spec_set_string(spec, "pool", pool);
                if (r >= 0 && volume)
                        r = storvirt_disk_spec_set_string(spec, "volume", volume);
        }
        if (r >= 0)
                r = cli_ctx(cli, &ctx);
        if (r >= 0)
                r = storvirt_vdisk_import(ctx, spec, nconns ? conns : NULL, flags, &v);
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

static int cmd_list(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = { {} };
        const struct cli_command *c = CMD(C_LIST);
        storvirt_vdisk **all = NULL;
        struct cli_table t;
        storvirt_ctx *ctx;
        int o, r;
        static const struct cli_column cols[] = {
                { "id", "Id" }, { "kind", "Kind" }, { "identity", "Identity" },
                { "images", "Images" }, { "attachments", "Attached to" },
        };

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1)
                return cli_bad_option(cli, c->name, o, argv);
        if ((r = cli_check_args(cli, c, argc, argv, 0, 0)))
                return r;
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

static int cmd_info(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = { {} };
        const struct cli_command *c = CMD(C_INFO);
        storvirt_vdisk *v = NULL;
        char *json = NULL;
        int o, r;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1)
                return cli_bad_option(cli, c->name, o, argv);
        if ((r = cli_check_args(cli, c, argc, argv, 1, 1)))
                return r;
        r = vdisk_lookup(cli, argv[optind], &v);
        if (r >= 0)
                r = storvirt_vdisk_get_json(v, &json, STORVIRT_VDISK_JSON_PRETTY);
        if (r >= 0)
                r = emit_json(cli, "vdisk", json);
        storvirt_free(json);
        storvirt_vdisk_unref(v);
        return r < 0 ? r : 0;
}

static int cmd_snapshot(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = { { "pool", required_argument, NULL, OPT_POOL }, {} };
        const struct cli_command *c = CMD(C_SNAPSHOT);
        const char *pool = NULL;
        storvirt_vdisk *v = NULL;
        char *uid = NULL;
        int o, r;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                if (o != OPT_POOL)
                        return cli_bad_option(cli, c->name, o, argv);
                pool = optarg;
        }
        if ((r = cli_check_args(cli, c, argc, argv, 1, 1)))
                return r;
        r = vdisk_lookup(cli, argv[optind], &v);
        if (r >= 0)
                r = storvirt_vdisk_snapshot(v, pool, &uid, 0);
        if (r >= 0) {
                cli_text(cli, "Image %s created on top of vDisk %s", uid, argv[optind]);
                if (cli->json)
                        cli_field_str(cli, "uid", NULL, uid);
        }
        free(uid);
        storvirt_vdisk_unref(v);
        return r < 0 ? r : 0;
}

static int cmd_delete(struct cli *cli, int argc, char **argv, bool image) {
        static const struct option opts[] = {
                { "force", no_argument, NULL, OPT_FORCE },
                { "delete-storage", no_argument, NULL, OPT_DELETE_STORAGE },
                {}
        };
        const struct cli_command *c = CMD(image ? C_DELETE_IMAGE : C_DELETE);
        storvirt_vdisk *v = NULL;
        uint32_t flags = 0;
        int o, r;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                switch (o) {
                case OPT_FORCE: flags |= STORVIRT_VDISK_FORCE; break;
                case OPT_DELETE_STORAGE: flags |= STORVIRT_VDISK_DELETE_STORAGE; break;
                default: return cli_bad_option(cli, c->name, o, argv);
                }
        }
        if ((r = cli_check_args(cli, c, argc, argv, image ? 2 : 1, image ? 2 : 1)))
                return r;
        r = vdisk_lookup(cli, argv[optind], &v);
        if (r >= 0)
                r = image ? storvirt_vdisk_delete_image(v, argv[optind + 1], flags)
                          : storvirt_vdisk_delete(v, flags);
        if (r >= 0 && image)
                cli_text(cli, "Image %s removed from vDisk %s%s", argv[optind + 1], argv[optind],
                         flags & STORVIRT_VDISK_DELETE_STORAGE ? " and from storage" : "");
        else if (r >= 0)
                cli_text(cli, "vDisk %s deleted%s", argv[optind],
                         flags & STORVIRT_VDISK_DELETE_STORAGE ? " with its overlays" : "");
        storvirt_vdisk_unref(v);
        return r < 0 ? r : 0;
}

static int cmd_delete_image(struct cli *cli, int argc, char **argv) {
        return cmd_delete(cli, argc, argv, true);
}

static int cmd_delete_vdisk(struct cli *cli, int argc, char **argv) {
        return cmd_delete(cli, argc, argv, false);
}

static int cmd_xml(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = { { "dict", no_argument, NULL, OPT_DICT }, {} };
        const struct cli_command *c = CMD(C_XML);
        storvirt_disk_spec *guest = NULL;
        storvirt_vdisk *v = NULL;
        uint32_t flags = 0;
        char *out = NULL;
        int o, r;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                if (o != OPT_DICT)
                        return cli_bad_option(cli, c->name, o, argv);
                flags |= STORVIRT_RESOLVE_DICT;
        }
        if ((r = cli_check_args(cli, c, argc, argv, 1, 2)))
                return r;
        r = read_spec(cli, argc - optind > 1 ? argv[optind + 1] : NULL, &guest);
        if (r >= 0)
                r = vdisk_lookup(cli, argv[optind], &v);
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

static int cmd_attach(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = { { "hotplug", no_argument, NULL, OPT_HOTPLUG }, {} };
        const struct cli_command *c = CMD(C_ATTACH);
        storvirt_disk_spec *guest = NULL;
        storvirt_vdisk *v = NULL;
        uint32_t flags = 0;
        char *xml = NULL;
        int o, r;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                if (o != OPT_HOTPLUG)
                        return cli_bad_option(cli, c->name, o, argv);
                flags |= STORVIRT_VDISK_ATTACH_HOTPLUG;
        }
        if ((r = cli_check_args(cli, c, argc, argv, 2, 3)))
                return r;
        r = read_spec(cli, argc - optind > 2 ? argv[optind + 2] : NULL, &guest);
        if (r >= 0)
                r = vdisk_lookup(cli, argv[optind], &v);
        if (r >= 0)
                r = storvirt_vdisk_attach(v, argv[optind + 1], guest, &xml, flags);
        if (r >= 0 && !cli->json)
                print_text(xml);
        else if (r >= 0)
                cli_field_str(cli, "xml", "XML:", xml);
        storvirt_free(xml);
        storvirt_disk_spec_free(guest);
        storvirt_vdisk_unref(v);
        return r < 0 ? r : 0;
}

static int cmd_vm_op(struct cli *cli, int argc, char **argv, int which) {
        static const struct option opts[] = { { "timeout", required_argument, NULL, OPT_TIMEOUT }, {} };
        const struct cli_command *c = CMD(which);
        storvirt_vdisk *v = NULL;
        char *path = NULL;
        int o, r, timeout = 0;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                if (o != OPT_TIMEOUT || which != C_PREPARE)
                        return cli_bad_option(cli, c->name, o, argv);
                if ((r = parse_timeout(cli, c->name, optarg, &timeout)))
                        return r;
        }
        if ((r = cli_check_args(cli, c, argc, argv, 2, 2)))
                return r;
        r = vdisk_lookup(cli, argv[optind], &v);
        if (r >= 0 && which == C_DETACH)
                r = storvirt_vdisk_detach(v, argv[optind + 1], 0);
        else if (r >= 0 && which == C_RELEASE)
                r = storvirt_vdisk_release(v, argv[optind + 1], 0);
        else if (r >= 0)
                r = storvirt_vdisk_prepare(v, argv[optind + 1], timeout, &path, 0);
        if (r >= 0 && which == C_PREPARE) {
                cli_text(cli, "%s", path);
                if (cli->json)
                        cli_field_str(cli, "path", NULL, path);
        } else if (r >= 0) {
                cli_text(cli, "vDisk %s %s VM %s", argv[optind],
                         which == C_DETACH ? "detached from" : "released by", argv[optind + 1]);
        }
        free(path);
        storvirt_vdisk_unref(v);
        return r < 0 ? r : 0;
}

static int cmd_detach(struct cli *cli, int argc, char **argv) {
        return cmd_vm_op(cli, argc, argv, C_DETACH);
}

static int cmd_prepare(struct cli *cli, int argc, char **argv) {
        return cmd_vm_op(cli, argc, argv, C_PREPARE);
}

static int cmd_release(struct cli *cli, int argc, char **argv) {
        return cmd_vm_op(cli, argc, argv, C_RELEASE);
}

static int cmd_vm_connections(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = { { "vdsm", no_argument, NULL, OPT_VDSM }, {} };
        const struct cli_command *c = CMD(C_VM_CONNECTIONS);
        uint32_t flags = STORVIRT_CONNECTION_JSON_PRETTY;
        storvirt_ctx *ctx;
        char *json = NULL;
        int o, r;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                if (o != OPT_VDSM)
                        return cli_bad_option(cli, c->name, o, argv);
                flags |= STORVIRT_CONNECTION_JSON_VDSM;
        }
        if ((r = cli_check_args(cli, c, argc, argv, 1, 1)))
                return r;
        r = cli_ctx(cli, &ctx);
        if (r >= 0)
                r = storvirt_vm_connections(ctx, argv[optind], &json, flags);
        if (r >= 0)
                r = emit_json(cli, "connections", json);
        storvirt_free(json);
        return r < 0 ? r : 0;
}

const struct cli_command cli_commands_vdisk[] = {
        [C_CONN_DEFINE] = { "connection-define", "[--replace] FILE",
          "define storage connections from JSON",
          "FILE (\"-\": standard input) holds one connection, a list, or VDSM's\n"
          "connectStorageServer parameters {\"domainType\", \"connectionParams\"}\n"
          "(see storvirt_connection_define(3)).  Prints the ids.  CHAP passwords\n"
          "are kept in mode 0600 files of the state directory and never shown.",
          cmd_conn_define },
        [C_CONN_LIST] = { "connection-list", "", "list the stored connections", NULL,
          cmd_conn_list },
        [C_CONN_INFO] = { "connection-info", "[--vdsm] ID",
          "show a connection (secrets redacted) and its status", NULL, cmd_conn_info },
        [C_CONN_UNDEFINE] = { "connection-undefine", "[--force] ID",
          "remove a stored connection and its secrets",
          "Refused while it is connected or a vDisk needs it, unless --force.",
          cmd_conn_undefine },
        [C_CONN_CONNECT] = { "connection-connect", "[--holder H] [--timeout S] ID",
          "connect (log in, mount) on behalf of a holder",
          "The first holder connects, later ones are counted (holder \"admin\" when\n"
          "not given).", cmd_conn_connect_on },
        [C_CONN_DISCONNECT] = { "connection-disconnect", "[--holder H] [--force] ID",
          "drop a holder; the last one disconnects",
          "--force disconnects at once whoever holds it.", cmd_conn_disconnect },
        [C_CONN_LUNS] = { "connection-luns", "[--timeout S] ID",
          "list the LUNs of an iSCSI connection's target (through libiscsi)",
          "LUN number, GUID (as multipath names it), size, vendor and product,\n"
          "serial.", cmd_conn_luns },
        [C_DISCOVER] = { "iscsi-discover",
          "[--user U --password-file F] [--initiator IQN] [--timeout S] [--vdsm] PORTAL",
          "SendTargets discovery of an iSCSI portal (through libiscsi)",
          "PORTAL is host, host:port or [v6addr]:port.  --vdsm prints VDSM's\n"
          "\"host:port,tpgt iqn\" strings.", cmd_discover },
        [C_IMPORT] = { "vdisk-import",
          "(SPEC | --guid G | --path P | --pool P --volume V) [--connection ID]... "
          "[--shared] [--readonly] [--no-refresh]",
          "record a vDisk for a LUN, a file, a volume or an iSCSI LUN",
          "SPEC (\"-\": standard input) is a disk spec as for resolve.  The vDisk id\n"
          "comes from the storage's identity: importing the same storage again\n"
          "gives the same vDisk (and adds the connections given).",
          cmd_import },
        [C_LIST] = { "vdisk-list", "", "list the vDisks", NULL, cmd_list },
        [C_INFO] = { "vdisk-info", "ID", "show a vDisk's record: images, attachments",
          NULL, cmd_info },
        [C_SNAPSHOT] = { "vdisk-snapshot", "[--pool P] ID",
          "add a qcow2 overlay on top of a vDisk's image stack",
          "The overlay goes into pool P (default: the pool of the current top).",
          cmd_snapshot },
        [C_DELETE_IMAGE] = { "vdisk-delete-image", "[--force] [--delete-storage] ID UID",
          "remove the top image of a vDisk",
          "Its file stays unless --delete-storage.  Refused while attached unless\n"
          "--force.", cmd_delete_image },
        [C_DELETE] = { "vdisk-delete", "[--force] [--delete-storage] ID",
          "forget a vDisk",
          "Refused while attached or prepared unless --force.  Overlays are removed\n"
          "only with --delete-storage; the base storage never.", cmd_delete_vdisk },
        [C_XML] = { "vdisk-xml", "[--dict] ID [GUEST]",
          "the vDisk's <disk> element with its backing chain",
          "GUEST (a JSON disk spec without a source) says how the guest sees it.",
          cmd_xml },
        [C_ATTACH] = { "vdisk-attach", "[--hotplug] ID VM [GUEST]",
          "record that a VM uses the vDisk; prints its <disk>", NULL, cmd_attach },
        [C_DETACH] = { "vdisk-detach", "ID VM", "remove a VM's attachment", NULL, cmd_detach },
        [C_PREPARE] = { "vdisk-prepare", "[--timeout S] ID VM",
          "connect what a vDisk needs, wait for it, check it; prints the path",
          "For running the VM here, or on the destination host of a migration or\n"
          "an HA restart.", cmd_prepare },
        [C_RELEASE] = { "vdisk-release", "ID VM",
          "undo vdisk-prepare (connections still used by other vDisks stay)", NULL,
          cmd_release },
        [C_VM_CONNECTIONS] = { "vm-connections", "[--vdsm] VM",
          "the connections the vDisks attached to a VM need, deduplicated", NULL,
          cmd_vm_connections },
        { NULL, NULL, NULL, NULL, NULL },
};
