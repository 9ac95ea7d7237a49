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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "cli.h"

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

static const struct cli_opt opts_validate[] = {
        CLI_FLAG_OPT("strict", STORVIRT_HCL_VALIDATE_STRICT,
                     "also the checks made when the settings are applied"),
        CLI_ARG("FILE", "the settings document ('-': standard input)"),
        CLI_END,
};

static int cmd_validate(struct cli *cli, const struct cli_args *a) {
        const char *file = cli_str(a, "FILE");
        storvirt_hcl *doc = NULL;
        char *problems = NULL, err[128];
        yajl_val v;
        int r, n;

        r = read_doc(cli, file, &doc);
        if (r < 0)
                return r;
        n = storvirt_hcl_validate(doc, &problems, cli_flags(a));
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
                fprintf(f, "%s: %d problem%s", file, n, n == 1 ? "" : "s");
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
        cli_text(cli, "%s: valid", file);
        if (cli->json)
                cli_field_bool(cli, "valid", "Valid:", true);
        return 0;
}

static const struct cli_opt opts_format[] = {
        CLI_FLAG_OPT("camel", STORVIRT_HCL_JSON_CAMEL,
                     "upstream's camelCase form, defaults left out"),
        CLI_ARG("FILE", "the settings document ('-': standard input)"),
        CLI_END,
};

static int cmd_format(struct cli *cli, const struct cli_args *a) {
        storvirt_hcl *doc = NULL;
        char *out = NULL;
        int r;

        r = read_doc(cli, cli_str(a, "FILE"), &doc);
        if (r >= 0)
                r = storvirt_hcl_to_json(doc, &out, STORVIRT_HCL_JSON_PRETTY | cli_flags(a));
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

static const struct cli_opt opts_to_xml[] = {
        CLI_STR_OPT("map", "MAPFILE", "maps physical devices to disk spec sources"),
        CLI_FLAG_OPT("create-stripes", STORVIRT_HCL_XML_CREATE_STRIPES,
                     "create the device-mapper device of each striped LUN"),
        CLI_ARG("FILE", "the settings document ('-': standard input)"),
        CLI_END,
};

static int cmd_to_xml(struct cli *cli, const struct cli_args *a) {
        const char *map_path = cli_str(a, "map");
        storvirt_hcl *doc = NULL;
        char *map = NULL, *out = NULL;
        storvirt_ctx *ctx;
        int r;

        if (map_path && (r = cli_read_file(cli, map_path, &map)) < 0)
                return r;
        r = read_doc(cli, cli_str(a, "FILE"), &doc);
        if (r >= 0)
                r = cli_ctx(cli, &ctx);
        if (r >= 0)
                r = storvirt_hcl_to_xml(ctx, doc, map, &out, cli_flags(a));
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
        { "hcl-validate", "check OpenHCL storage settings against every rule",
          "FILE (\"-\": standard input) is a settings document {\"version\", \"fixed\",\n"
          "\"dynamic\": {\"storage_controllers\": [...]}} or a list of controllers.\n"
          "Prints one line per problem: the error id (Configuration.<Code>), the\n"
          "controller and LUN, the message; exit status 1 when there is any.\n"
          "--strict adds the checks made when the settings are applied (identity\n"
          "string lengths, a non-zero device_id).", opts_validate, cmd_validate },
        { "hcl-format", "write OpenHCL storage settings in canonical form",
          "snake_case keys and upper-case enum names; --camel writes upstream's\n"
          "camelCase form with the fields holding their default left out.",
          opts_format, cmd_format },
        { "hcl-to-xml", "compile OpenHCL storage settings to libvirt <devices> XML",
          "Controllers become <controller> elements (SCSI: virtio-scsi), LUNs <disk>\n"
          "elements with drive addresses.  MAPFILE maps physical devices\n"
          "(\"DEVICE_PATH/SUB_DEVICE_PATH\" or \"DEVICE_PATH\") to disk spec sources\n"
          "({\"GUID\": ...}, {\"path\": ...}, {\"vdisk\": ...}); a device path that is a\n"
          "vDisk id needs no entry.  --create-stripes creates the device-mapper\n"
          "device of each striped LUN.", opts_to_xml, cmd_to_xml },
        { NULL, NULL, NULL, NULL, NULL },
};
