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
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum {
        OPT_PRINT = 0x100,
        OPT_POOL_XML,
        OPT_POOL_TYPE,
};

#define CMD(i) (&cli_commands_xml[i])
enum {
        C_POOL_VALIDATE, C_VOL_VALIDATE,
};

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

static int cmd_pool_validate(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = { { "print", no_argument, NULL, OPT_PRINT }, {} };
        const struct cli_command *c = CMD(C_POOL_VALIDATE);
        char *xml = NULL, *out = NULL;
        bool print = false;
        int o, r;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                if (o != OPT_PRINT)
                        return cli_bad_option(cli, c->name, o, argv);
                print = true;
        }
        if ((r = cli_check_args(cli, c, argc, argv, 1, 1)))
                return r;
        r = cli_read_file(cli, argv[optind], &xml);
        if (r < 0)
                return r;
        r = storvirt_pool_xml_canonicalize(xml, &out, 0);
        free(xml);
        if (r < 0)
                return cli_doc_error(cli, argv[optind], r);
        report(cli, argv[optind], out, print);
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

static int cmd_vol_validate(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = {
                { "print", no_argument, NULL, OPT_PRINT },
                { "pool-xml", required_argument, NULL, OPT_POOL_XML },
                { "pool-type", required_argument, NULL, OPT_POOL_TYPE },
                {}
        };
        const struct cli_command *c = CMD(C_VOL_VALIDATE);
        const char *pool_xml_path = NULL, *pool_type = NULL;
        char *xml = NULL, *pool_xml = NULL, *out = NULL;
        bool print = false;
        int o, r;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                switch (o) {
                case OPT_PRINT: print = true; break;
                case OPT_POOL_XML: pool_xml_path = optarg; break;
                case OPT_POOL_TYPE: pool_type = optarg; break;
                default: return cli_bad_option(cli, c->name, o, argv);
                }
        }
        if ((r = cli_check_args(cli, c, argc, argv, 1, 1)))
                return r;
        if (pool_xml_path && pool_type)
                return cli_usage(cli, "%s: give --pool-xml or --pool-type, not both", c->name);
        if (pool_type && (!*pool_type || pool_type[strspn(pool_type, " \t\r\n")] == '<'))
                return cli_usage(cli, "%s: --pool-type '%s' is not a pool type name (for a pool "
                                 "document use --pool-xml)", c->name, pool_type);
        if (pool_xml_path && (r = read_pool(cli, pool_xml_path, &pool_xml)) < 0)
                return r;
        r = cli_read_file(cli, argv[optind], &xml);
        if (r >= 0) {
                r = storvirt_volume_xml_canonicalize(xml, pool_xml ? pool_xml : pool_type, &out,
                                                     0);
                if (r < 0)
                        r = cli_doc_error(cli, argv[optind], r);
        }
        free(xml);
        free(pool_xml);
        if (r < 0)
                return r;
        report(cli, argv[optind], out, print);
        storvirt_free(out);
        return 0;
}

const struct cli_command cli_commands_xml[] = {
        [C_POOL_VALIDATE] = { "pool-validate", "[--print] FILE",
          "check pool XML without defining a pool",
          "FILE holds libvirt pool XML ('-': standard input).  It is checked with\n"
          "every rule pool-define applies, for every pool type of libvirt's schema\n"
          "(also the types without a backend here: zfs, vstorage, sheepdog, rbd,\n"
          "gluster); no state directory is used.  Prints 'FILE: valid', or with\n"
          "--print the definition as pool-define would store it.  An invalid\n"
          "document is an error naming the element, the attribute and the value.",
          cmd_pool_validate },
        [C_VOL_VALIDATE] = { "vol-validate",
          "[--print] [--pool-xml FILE | --pool-type TYPE] FILE",
          "check volume XML without creating a volume",
          "FILE holds libvirt volume XML ('-': standard input), checked with every\n"
          "rule vol-create applies to the document.  Those depend on the pool the\n"
          "volume would live in: --pool-xml names a file with that pool's XML\n"
          "(checked too), --pool-type only its type (dir, disk, zfs, ...).  Without\n"
          "either, libvirt's volume schema alone decides which formats are valid.\n"
          "Prints 'FILE: valid', or with --print the volume in canonical form.",
          cmd_vol_validate },
        { NULL, NULL, NULL, NULL, NULL },
};
