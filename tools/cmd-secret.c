/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmd-secret.c - the secret commands of storvirt (storvirt/secret.h),
 * with virsh's names:
 *
 *   secret-define [--value-file F | --value-fd N] FILE
 *   secret-undefine UUID    secret-list    secret-dumpxml UUID
 *
 * A value is never taken on the command line (it would show in the
 * process list) and never printed: --value-file names a file holding
 * it, --value-fd an inherited file descriptor to read it from.
 *
 * A new command here is one entry of cli_commands_secret[] at the end of
 * this file (name, summary, help, options table, function) and one
 * function taking (struct cli *, const struct cli_args *): see the
 * "Adding a command" notes at the top of cmdopt.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "cli.h"

/* The fd --value-file or --value-fd names (-1: neither); *ret_close when it is ours. */
static int value_fd(struct cli *cli, const struct cli_args *a, int *ret, bool *ret_close) {
        const char *file = cli_str(a, "value-file");

        *ret = -1;
        *ret_close = false;
        if (file) {
                *ret = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
                if (*ret < 0)
                        return cli_error(cli, errno, "cannot open '%s': %s", file,
                                         strerror(errno));
                *ret_close = true;
        } else if (cli_given(a, "value-fd")) {
                int n = (int)cli_int(a, "value-fd");

                if (fcntl(n, F_GETFD) < 0)
                        return cli_usage(cli, "secret-define: --value-fd '%s': not an open file "
                                              "descriptor", cli_str(a, "value-fd"));
                *ret = n;
        }
        return 0;
}

static const struct cli_opt opts_define[] = {
        { .name = "value-file", .kind = CLI_STRING, .arg = "F", .group = 1,
          .help = "the value: every byte of file F" },
        { .name = "value-fd", .kind = CLI_INT, .arg = "N", .group = 1, .min = 0, .max = INT_MAX,
          .help = "the value: read from inherited file descriptor N to its end" },
        CLI_ARG("FILE", "the secret XML ('-': standard input)"),
        CLI_END,
};

static int cmd_define(struct cli *cli, const struct cli_args *a) {
        const char *file = cli_str(a, "FILE");
        char *xml = NULL, *uuid = NULL;
        storvirt_ctx *ctx;
        bool close_fd;
        int r, fd;

        r = cli_ctx(cli, &ctx);
        if (r < 0)
                return r;
        r = value_fd(cli, a, &fd, &close_fd);
        if (r)
                return r;
        r = cli_read_file(cli, file, &xml);
        if (r >= 0) {
                r = storvirt_secret_define_xml(ctx, xml, fd, &uuid, 0);
                if (r < 0)
                        r = cli_doc_error(cli, file, r);
        }
        if (close_fd)
                close(fd);
        free(xml);
        if (r < 0)
                return r;
        cli_field_str(cli, "uuid", "UUID:", uuid);
        storvirt_free(uuid);
        return 0;
}

static const struct cli_opt opts_uuid[] = {
        CLI_ARG("UUID", "the secret's UUID"),
        CLI_END,
};

static int cmd_undefine(struct cli *cli, const struct cli_args *a) {
        const char *uuid = cli_str(a, "UUID");
        storvirt_ctx *ctx;
        int r;

        r = cli_ctx(cli, &ctx);
        if (r >= 0)
                r = storvirt_secret_undefine(ctx, uuid, 0);
        if (r < 0)
                return r;
        cli_text(cli, "Secret %s undefined", uuid);
        return 0;
}

/* The usage type and id of a secret's XML ("volume", "/path"), NULL when none. */
static void xml_usage(const char *xml, char **ret_type, char **ret_id) {
        xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL, n, id;

        *ret_type = *ret_id = NULL;
        for (n = root ? root->children : NULL; n; n = n->next) {
                if (n->type != XML_ELEMENT_NODE || xmlStrcmp(n->name, BAD_CAST "usage") != 0)
                        continue;
                *ret_type = (char *)xmlGetProp(n, BAD_CAST "type");
                for (id = n->children; id && id->type != XML_ELEMENT_NODE; id = id->next)
                        ;
                if (id)
                        *ret_id = (char *)xmlNodeGetContent(id);
        }
        xmlFreeDoc(doc);
}

static int list_row(struct cli *cli, struct cli_table *t, const char *uuid) {
        storvirt_ctx *ctx;
        char *xml = NULL, *type = NULL, *id = NULL, *usage = NULL;
        int r = cli_ctx(cli, &ctx);

        if (r >= 0)
                r = storvirt_secret_get_xml(ctx, uuid, &xml, 0);
        if (r < 0)
                return r;
        xml_usage(xml, &type, &id);
        if (type && id && asprintf(&usage, "%s %s", type, id) < 0)
                usage = NULL;
        cli_table_row(t);
        cli_table_str(t, uuid);
        cli_table_str(t, usage);
        cli_table_str(t, type);
        cli_table_str(t, id);
        free(usage);
        xmlFree(type);
        xmlFree(id);
        storvirt_free(xml);
        return 0;
}

static int cmd_list(struct cli *cli, const struct cli_args *a) {
        static const struct cli_column cols[] = {
                { "uuid", "UUID" }, { "usage", "Usage" }, { "usage_type", NULL },
                { "usage_id", NULL },
        };
        char **uuids = NULL;
        storvirt_ctx *ctx;
        struct cli_table t;
        int r;

        (void)a;
        r = cli_ctx(cli, &ctx);
        if (r >= 0)
                r = storvirt_secret_list(ctx, &uuids, NULL, 0);
        if (r < 0)
                return r;
        cli_table_begin(cli, &t, "secrets", cols, sizeof(cols) / sizeof(cols[0]));
        for (size_t i = 0; r >= 0 && uuids[i]; i++)
                r = list_row(cli, &t, uuids[i]);
        storvirt_strv_free(uuids);
        if (r < 0) {
                cli_table_end(&t);
                return r;
        }
        return cli_table_end(&t);
}

static int cmd_dumpxml(struct cli *cli, const struct cli_args *a) {
        storvirt_ctx *ctx;
        char *xml = NULL;
        int r;

        r = cli_ctx(cli, &ctx);
        if (r >= 0)
                r = storvirt_secret_get_xml(ctx, cli_str(a, "UUID"), &xml, 0);
        if (r < 0)
                return r;
        if (cli->json)
                cli_field_str(cli, "xml", "XML:", xml);
        else
                fputs(xml, stdout);
        storvirt_free(xml);
        return 0;
}

const struct cli_command cli_commands_secret[] = {
        { "secret-define", "define (or redefine) a secret from libvirt secret XML",
          "FILE (\"-\": standard input) holds <secret> XML (see storvirt_secret_define_xml(3)).\n"
          "The value (a volume's LUKS passphrase) is every byte of file F, or read from\n"
          "the inherited file descriptor N to its end: a trailing newline is part of it.\n"
          "Without either, a new secret has no value yet and a redefined one keeps its\n"
          "value.  Prints the UUID.  The value is kept in a mode 0600 file of the state\n"
          "directory and never shown.",
          opts_define, cmd_define },
        { "secret-undefine", "remove a secret and its value", NULL, opts_uuid, cmd_undefine },
        { "secret-list", "list the secrets: UUID and usage", NULL, NULL, cmd_list },
        { "secret-dumpxml", "a secret's XML (never its value)", NULL, opts_uuid, cmd_dumpxml },
        { NULL, NULL, NULL, NULL, NULL },
};
