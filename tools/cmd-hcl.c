/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmd-hcl.c - the guest-visible storage controller commands of storvirt
 * (storvirt/hcl.h): check an OpenHCL settings document against every rule,
 * and write it back in canonical or camelCase form.
 *
 *   storvirt hcl-validate [--strict] FILE
 *   storvirt hcl-format [--camel] FILE
 *   storvirt hcl-to-xml [--map MAPFILE] [--create-stripes] FILE
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "cli.h"

enum {
        OPT_STRICT = 0x100,
        OPT_CAMEL,
        OPT_MAP,
        OPT_CREATE_STRIPES,
};

#define CMD(i) (&cli_commands_hcl[i])
enum {
        C_VALIDATE, C_FORMAT, C_TO_XML,
};

/* The message of a document with problems, kept until the process exits. */
static char *problems_msg;

static int read_doc(struct cli *cli, const char *path, storvirt_hcl **ret) {
        char *json = NULL;
        int r = cli_read_file(cli, path, &json);

        if (r < 0)
                return r;
        r = storvirt_hcl_parse(json, ret, 0);
        free(json);
        return r < 0 ? cli_doc_error(cli, path, r) : 0;
}

static int cmd_validate(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = { { "strict", no_argument, NULL, OPT_STRICT }, {} };
        const struct cli_command *c = CMD(C_VALIDATE);
        storvirt_hcl *doc = NULL;
        char *problems = NULL, err[128];
        uint32_t flags = 0;
        yajl_val v;
        int o, r, n;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                if (o != OPT_STRICT)
                        return cli_bad_option(cli, c->name, o, argv);
                flags |= STORVIRT_HCL_VALIDATE_STRICT;
        }
        if ((r = cli_check_args(cli, c, argc, argv, 1, 1)))
                return r;
        r = read_doc(cli, argv[optind], &doc);
        if (r < 0)
                return r;
        n = storvirt_hcl_validate(doc, &problems, flags);
        storvirt_hcl_free(doc);
        if (n < 0)
                return n;
        v = yajl_tree_parse(problems, err, sizeof(err));
        storvirt_free(problems);
        if (!v)
                return cli_error(cli, EIO, "unexpected problem list");
        /* text: one line per problem on stdout; JSON: all of them in the status message */
        free(problems_msg);
        problems_msg = NULL;
        {
                size_t size = 0;
                FILE *f = open_memstream(&problems_msg, &size);

                if (!f) {
                        yajl_tree_free(v);
                        return cli_error(cli, ENOMEM, "out of memory");
                }
                fprintf(f, "%s: %d problem%s", argv[optind], n, n == 1 ? "" : "s");
                for (size_t i = 0; i < v->u.array.len; i++) {
                        yajl_val p = v->u.array.values[i];
                        yajl_val code = yajl_tree_get(p, (const char *[]){ "code", NULL }, yajl_t_string);
                        yajl_val path = yajl_tree_get(p, (const char *[]){ "path", NULL }, yajl_t_string);
                        yajl_val msg = yajl_tree_get(p, (const char *[]){ "message", NULL }, yajl_t_string);
                        fprintf(cli->json ? f : stdout, "%s%s: %s: %s%s", cli->json ? "\n" : "",
                                code ? YAJL_GET_STRING(code) : "?", path ? YAJL_GET_STRING(path) : "?",
                                msg ? YAJL_GET_STRING(msg) : "?", cli->json ? "" : "\n");
                }
                fclose(f);
        }
        yajl_tree_free(v);
        if (n > 0) {
                cli->error_msg = problems_msg;
                return -EINVAL;
        }
        cli_text(cli, "%s: valid", argv[optind]);
        if (cli->json)
                cli_field_bool(cli, "valid", "Valid:", true);
        return 0;
}

static int cmd_format(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = { { "camel", no_argument, NULL, OPT_CAMEL }, {} };
        const struct cli_command *c = CMD(C_FORMAT);
        uint32_t flags = STORVIRT_HCL_JSON_PRETTY;
        storvirt_hcl *doc = NULL;
        char *out = NULL;
        int o, r;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                if (o != OPT_CAMEL)
                        return cli_bad_option(cli, c->name, o, argv);
                flags |= STORVIRT_HCL_JSON_CAMEL;
        }
        if ((r = cli_check_args(cli, c, argc, argv, 1, 1)))
                return r;
        r = read_doc(cli, argv[optind], &doc);
        if (r >= 0)
                r = storvirt_hcl_to_json(doc, &out, flags);
        storvirt_hcl_free(doc);
        if (r < 0)
                return r;
        if (cli->json)
                r = cli_field_json(cli, "settings", out);
        else
                printf("%s\n", out);
        storvirt_free(out);
        return r < 0 ? r : 0;
}

static int cmd_to_xml(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = {
                { "map", required_argument, NULL, OPT_MAP },
                { "create-stripes", no_argument, NULL, OPT_CREATE_STRIPES },
                {}
        };
        const struct cli_command *c = CMD(C_TO_XML);
        const char *map_path = NULL;
        storvirt_hcl *doc = NULL;
        char *map = NULL, *out = NULL;
        uint32_t flags = 0;
        storvirt_ctx *ctx;
        int o, r;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                switch (o) {
                case OPT_MAP: map_path = optarg; break;
                case OPT_CREATE_STRIPES: flags |= STORVIRT_HCL_XML_CREATE_STRIPES; break;
                default: return cli_bad_option(cli, c->name, o, argv);
                }
        }
        if ((r = cli_check_args(cli, c, argc, argv, 1, 1)))
                return r;
        if (map_path && (r = cli_read_file(cli, map_path, &map)) < 0)
                return r;
        r = read_doc(cli, argv[optind], &doc);
        if (r >= 0)
                r = cli_ctx(cli, &ctx);
        if (r >= 0)
                r = storvirt_hcl_to_xml(ctx, doc, map, &out, flags);
        storvirt_hcl_free(doc);
        free(map);
        if (r < 0)
                return r;
        if (cli->json)
                cli_field_str(cli, "xml", "XML:", out);
        else
                printf("%s\n", out);
        storvirt_free(out);
        return 0;
}

const struct cli_command cli_commands_hcl[] = {
        [C_VALIDATE] = { "hcl-validate", "[--strict] FILE",
          "check OpenHCL storage settings against every rule",
          "FILE (\"-\": standard input) is a settings document {\"version\", \"fixed\",\n"
          "\"dynamic\": {\"storage_controllers\": [...]}} or a list of controllers.\n"
          "Prints one line per problem: the error id (Configuration.<Code>), the\n"
          "controller and LUN, the message; exit status 1 when there is any.\n"
          "--strict adds the checks made when the settings are applied (identity\n"
          "string lengths, a non-zero device_id).", cmd_validate },
        [C_FORMAT] = { "hcl-format", "[--camel] FILE",
          "write OpenHCL storage settings in canonical form",
          "snake_case keys and upper-case enum names; --camel writes upstream's\n"
          "camelCase form with the fields holding their default left out.",
          cmd_format },
        [C_TO_XML] = { "hcl-to-xml", "[--map MAPFILE] [--create-stripes] FILE",
          "compile OpenHCL storage settings to libvirt <devices> XML",
          "Controllers become <controller> elements (SCSI: virtio-scsi), LUNs <disk>\n"
          "elements with drive addresses.  MAPFILE maps physical devices\n"
          "(\"DEVICE_PATH/SUB_DEVICE_PATH\" or \"DEVICE_PATH\") to disk spec sources\n"
          "({\"GUID\": ...}, {\"path\": ...}, {\"vdisk\": ...}); a device path that is a\n"
          "vDisk id needs no entry.  --create-stripes creates the device-mapper\n"
          "device of each striped LUN.", cmd_to_xml },
        { NULL, NULL, NULL, NULL, NULL },
};
