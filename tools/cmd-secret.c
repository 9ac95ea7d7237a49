/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmd-secret.c - the secret commands of storvirt (storvirt/secret.h),
 * with virsh's names:
 *
 *   secret-define [--value-file F | --value-fd N] FILE
 *   secret-undefine UUID    secret-list    secret-dumpxml UUID
 *
 * and the libvirt secret holding the CHAP password of an iSCSI
 * connection or of an iSCSI pool's <auth> (storvirt_connection_get_secret_xml(3)):
 *
 *   secret-xml (CONNECTION | --pool POOL)
 *   secret-value (CONNECTION | --pool POOL) --file F
 *
 * A value is never taken on the command line (it would show in the
 * process list) and never printed: --value-file names a file holding
 * it, --value-fd an inherited file descriptor to read it from, and
 * secret-value writes it into a new file of mode 0600 only.
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

/* The connection or the pool (--pool) a secret-xml / secret-value names. */
struct secret_of {
        storvirt_connection *conn;
        storvirt_pool *pool;
};

static void secret_of_clear(struct secret_of *s) {
        storvirt_connection_unref(s->conn);
        storvirt_pool_unref(s->pool);
}

static int secret_of_args(struct cli *cli, const struct cli_args *a, struct secret_of *ret) {
        const char *pool = cli_str(a, "pool");
        storvirt_ctx *ctx;
        int r;

        r = cli_ctx(cli, &ctx);
        if (r < 0)
                return r;
        if (pool)
                return storvirt_pool_lookup_by_name(ctx, pool, &ret->pool);
        return storvirt_connection_lookup(ctx, cli_str(a, "CONNECTION"), &ret->conn);
}

static const struct cli_opt opts_secret_xml[] = {
        { .name = "CONNECTION", .kind = CLI_STRING, .flags = CLI_OPERAND | CLI_REQUIRED,
          .group = 1, .help = "a stored iSCSI connection with a CHAP user" },
        { .name = "pool", .kind = CLI_STRING, .arg = "POOL", .group = 1,
          .help = "an iscsi, iscsi-direct or rbd pool with <auth>" },
        CLI_END,
};

static int cmd_secret_xml(struct cli *cli, const struct cli_args *a) {
        struct secret_of s = {};
        char *xml = NULL;
        int r;

        r = secret_of_args(cli, a, &s);
        if (r == 0)
                r = s.pool ? storvirt_pool_get_secret_xml(s.pool, &xml, 0)
                           : storvirt_connection_get_secret_xml(s.conn, &xml, 0);
        secret_of_clear(&s);
        if (r)
                return r;
        if (cli->json)
                cli_field_str(cli, "xml", "XML:", xml);
        else
                fputs(xml, stdout);
        storvirt_free(xml);
        return 0;
}

/*
 * Writes the secret into a new file path, mode 0600: written and synced
 * under a temporary name in its directory, then given the name only if
 * nothing has it (an existing file, even a link, is refused, never
 * replaced or followed).
 */
static int write_secret_file(struct cli *cli, struct secret_of *s, const char *path) {
        const char *slash = strrchr(path, '/');
        char *tmp = NULL;
        int fd, r;

        if (faccessat(AT_FDCWD, path, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                return cli_error(cli, EEXIST, "'%s' exists: secret-value writes a new file only",
                                 path);
        if (asprintf(&tmp, "%.*s.storvirt-secret.XXXXXX", slash ? (int)(slash - path + 1) : 0,
                     path) < 0)
                return cli_error(cli, ENOMEM, "out of memory");
        fd = mkostemp(tmp, O_CLOEXEC);          /* mode 0600 */
        if (fd < 0) {
                r = cli_error(cli, errno, "cannot create a file next to '%s': %s", path,
                              strerror(errno));
                free(tmp);
                return r;
        }
        r = s->pool ? storvirt_pool_write_secret(s->pool, fd, 0)
                    : storvirt_connection_write_secret(s->conn, fd, 0);
        if (r >= 0 && fsync(fd) < 0)
                r = cli_error(cli, errno, "cannot write '%s': %s", tmp, strerror(errno));
        if (close(fd) < 0 && r >= 0)
                r = cli_error(cli, errno, "cannot write '%s': %s", tmp, strerror(errno));
        if (r >= 0 && link(tmp, path) < 0)
                r = errno == EEXIST ? cli_error(cli, EEXIST, "'%s' exists: secret-value writes "
                                                             "a new file only", path)
                                    : cli_error(cli, errno, "cannot create '%s': %s", path,
                                                strerror(errno));
        unlink(tmp);
        free(tmp);
        return r;
}

static const struct cli_opt opts_secret_value[] = {
        { .name = "CONNECTION", .kind = CLI_STRING, .flags = CLI_OPERAND | CLI_REQUIRED,
          .group = 1, .help = "a stored iSCSI connection with a CHAP user" },
        { .name = "pool", .kind = CLI_STRING, .arg = "POOL", .group = 1,
          .help = "an iscsi, iscsi-direct or rbd pool with <auth>" },
        { .name = "file", .kind = CLI_STRING, .flags = CLI_REQUIRED, .arg = "F",
          .help = "a new file for the value (never standard output)" },
        CLI_END,
};

static int cmd_secret_value(struct cli *cli, const struct cli_args *a) {
        const char *file = cli_str(a, "file");
        struct secret_of s = {};
        int r;

        if (!*file || strcmp(file, "-") == 0)
                return cli_usage(cli, "secret-value: --file '%s': give the name of a new file "
                                      "(the value is never written to standard output)", file);
        r = secret_of_args(cli, a, &s);
        if (r == 0)
                r = write_secret_file(cli, &s, file);
        secret_of_clear(&s);
        if (r)
                return r;
        cli_field_str(cli, "file", "Secret value written to (mode 0600):", file);
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
        { "secret-xml", "the libvirt secret XML holding an iSCSI connection's CHAP password",
          "The <secret> (usage type iscsi, a UUID and usage id the same at every call) that\n"
          "the network <disk> of vdisk-xml and resolve names for a target behind CHAP:\n"
          "usage \"libstorvirt-chap-CONNECTION\" for a stored connection (an rbd\n"
          "connection's: usage type ceph, \"libstorvirt-ceph-CONNECTION\"); with --pool,\n"
          "the secret an iscsi or iscsi-direct pool's <auth> names, or an rbd pool's\n"
          "secret of usage ceph (its value the cephx key's bytes).  Define it in\n"
          "libvirt with \"virsh secret-define\", give it its value with secret-value and\n"
          "\"virsh secret-set-value --secret UUID --file F --plain\".",
          opts_secret_xml, cmd_secret_xml },
        { "secret-value", "write the CHAP password of that secret into a new file of mode 0600",
          "F must not exist (a file or link there is refused, never replaced); it gets\n"
          "the password's bytes only, no newline, and appears under its name only when\n"
          "complete.  The value is never written to standard output or a log.",
          opts_secret_value, cmd_secret_value },
        { NULL, NULL, NULL, NULL, NULL },
};
