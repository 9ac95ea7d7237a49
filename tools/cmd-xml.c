/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmd-xml.c - checking pool and volume XML without a state directory,
 * as virt-xml-validate does for libvirt: every rule the library applies
 * on define or create, the canonical form printed on request.
 *
 *   storvirt pool-validate [--print] FILE
 *   storvirt vol-validate [--print] [--pool-xml FILE | --pool-type TYPE] FILE
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* "FILE: valid", or with --print the canonical XML (JSON: "valid", "xml"). */
static void report(struct cli *cli, const char *path, const char *xml, bool print) {
        if (cli->json) {
                cli_field_bool(cli, "valid", "Valid:", true);
                if (print)
                        cli_field_str(cli, "xml", "XML:", xml);
        } else if (print) {
                fputs(xml, stdout);
        } else {
                printf("%s: valid\n", strcmp(path, "-") ? path : "<stdin>");
        }
}

static const struct cli_opt opts_pool_validate[] = {
        CLI_BOOL_OPT("print", "print the canonical form instead of 'FILE: valid'"),
        CLI_ARG("FILE", "the pool XML ('-': standard input)"),
        CLI_END,
};

static int cmd_pool_validate(struct cli *cli, const struct cli_args *a) {
        const char *file = cli_str(a, "FILE");
        char *xml = NULL, *out = NULL;
        int r;

        r = cli_read_file(cli, file, &xml);
        if (r < 0)
                return r;
        r = storvirt_pool_xml_canonicalize(xml, &out, 0);
        free(xml);
        if (r < 0)
                return cli_doc_error(cli, file, r);
        report(cli, file, out, cli_given(a, "print"));
        storvirt_free(out);
        return 0;
}

/* The pool document of --pool-xml, checked on its own so errors name its file. */
static int read_pool(struct cli *cli, const char *path, char **ret) {
        char *xml = NULL, *out = NULL;
        int r = cli_read_file(cli, path, &xml);

        if (r < 0)
                return r;
        r = storvirt_pool_xml_canonicalize(xml, &out, 0);
        if (r < 0) {
                free(xml);
                return cli_doc_error(cli, path, r);
        }
        storvirt_free(out);
        *ret = xml;
        return 0;
}

static const struct cli_opt opts_vol_validate[] = {
        CLI_BOOL_OPT("print", "print the canonical form instead of 'FILE: valid'"),
        { .name = "pool-xml", .kind = CLI_STRING, .arg = "FILE", .group = 1,
          .help = "a file with the XML of the pool the volume would be in" },
        { .name = "pool-type", .kind = CLI_STRING, .arg = "TYPE", .group = 1,
          .help = "the type of that pool (dir, disk, zfs, ...)" },
        CLI_ARG("FILE", "the volume XML ('-': standard input)"),
        CLI_END,
};

static int cmd_vol_validate(struct cli *cli, const struct cli_args *a) {
        const char *pool_xml_path = cli_str(a, "pool-xml"), *pool_type = cli_str(a, "pool-type");
        const char *file = cli_str(a, "FILE");
        char *xml = NULL, *pool_xml = NULL, *out = NULL;
        int r;

        if (pool_type && (!*pool_type || pool_type[strspn(pool_type, " \t\r\n")] == '<'))
                return cli_usage(cli, "%s: --pool-type '%s' is not a pool type name (for a pool "
                                 "document use --pool-xml)", a->cmd->name, pool_type);
        if (pool_xml_path && (r = read_pool(cli, pool_xml_path, &pool_xml)) < 0)
                return r;
        r = cli_read_file(cli, file, &xml);
        if (r >= 0) {
                r = storvirt_volume_xml_canonicalize(xml, pool_xml ? pool_xml : pool_type, &out,
                                                     0);
                if (r < 0)
                        r = cli_doc_error(cli, file, r);
        }
        free(xml);
        free(pool_xml);
        if (r < 0)
                return r;
        report(cli, file, out, cli_given(a, "print"));
        storvirt_free(out);
        return 0;
}

const struct cli_command cli_commands_xml[] = {
        { "pool-validate", "check pool XML without defining a pool",
          "FILE holds libvirt pool XML ('-': standard input).  It is checked with\n"
          "every rule pool-define applies, for every pool type of libvirt's schema\n"
          "(also the types without a backend here: zfs, vstorage, sheepdog, rbd,\n"
          "gluster); no state directory is used.  Prints 'FILE: valid', or with\n"
          "--print the definition as pool-define would store it.  An invalid\n"
          "document is an error naming the element, the attribute and the value.",
          opts_pool_validate, cmd_pool_validate },
        { "vol-validate", "check volume XML without creating a volume",
          "FILE holds libvirt volume XML ('-': standard input), checked with every\n"
          "rule vol-create applies to the document.  Those depend on the pool the\n"
          "volume would live in: --pool-xml names a file with that pool's XML\n"
          "(checked too), --pool-type only its type (dir, disk, zfs, ...).  Without\n"
          "either, libvirt's volume schema alone decides which formats are valid.\n"
          "Prints 'FILE: valid', or with --print the volume in canonical form.",
          opts_vol_validate, cmd_vol_validate },
        { NULL, NULL, NULL, NULL, NULL },
};
