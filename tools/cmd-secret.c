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
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "cli.h"

enum {
        OPT_VALUE_FILE = 0x100,
        OPT_VALUE_FD,
        OPT_POOL,
        OPT_FILE,
};

#define CMD(i) (&cli_commands_secret[i])
enum { C_DEFINE, C_UNDEFINE, C_LIST, C_DUMPXML, C_XML, C_VALUE };

/* The fd --value-file or --value-fd names (-1: neither); *ret_close when it is ours. */
static int value_fd(struct cli *cli, const char *file, const char *fd_arg, int *ret,
                    bool *ret_close) {
        char *end;
        long n;

        *ret = -1;
        *ret_close = false;
        if (file && fd_arg)
                return cli_usage(cli, "secret-define: --value-file and --value-fd exclude each "
                                      "other");
        if (file) {
                *ret = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
                if (*ret < 0)
                        return cli_error(cli, errno, "cannot open '%s': %s", file,
                                         strerror(errno));
                *ret_close = true;
        } else if (fd_arg) {
                errno = 0;
                n = strtol(fd_arg, &end, 10);
                if (!*fd_arg || *end || errno || n < 0 || n > INT_MAX || fcntl((int)n, F_GETFD) < 0)
                        return cli_usage(cli, "secret-define: --value-fd '%s': not an open file "
                                              "descriptor", fd_arg);
                *ret = (int)n;
        }
        return 0;
}

static int cmd_define(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = {
                { "value-file", required_argument, NULL, OPT_VALUE_FILE },
                { "value-fd", required_argument, NULL, OPT_VALUE_FD },
                {}
        };
        const char *file = NULL, *fd_arg = NULL;
        char *xml = NULL, *uuid = NULL;
        storvirt_ctx *ctx;
        bool close_fd;
        int o, r, fd;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                switch (o) {
                case OPT_VALUE_FILE: file = optarg; break;
                case OPT_VALUE_FD: fd_arg = optarg; break;
                default: return cli_bad_option(cli, CMD(C_DEFINE)->name, o, argv);
                }
        }
        if ((r = cli_check_args(cli, CMD(C_DEFINE), argc, argv, 1, 1)))
                return r;
        r = cli_ctx(cli, &ctx);
        if (r < 0)
                return r;
        r = value_fd(cli, file, fd_arg, &fd, &close_fd);
        if (r)
                return r;
        r = cli_read_file(cli, argv[optind], &xml);
        if (r >= 0) {
                r = storvirt_secret_define_xml(ctx, xml, fd, &uuid, 0);
                if (r < 0)
                        r = cli_doc_error(cli, argv[optind], r);
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

static int cmd_undefine(struct cli *cli, int argc, char **argv) {
        storvirt_ctx *ctx;
        int o, r;

        while ((o = getopt_long(argc, argv, ":", (const struct option[]){ {} }, NULL)) != -1)
                return cli_bad_option(cli, CMD(C_UNDEFINE)->name, o, argv);
        if ((r = cli_check_args(cli, CMD(C_UNDEFINE), argc, argv, 1, 1)))
                return r;
        r = cli_ctx(cli, &ctx);
        if (r >= 0)
                r = storvirt_secret_undefine(ctx, argv[optind], 0);
        if (r < 0)
                return r;
        cli_text(cli, "Secret %s undefined", argv[optind]);
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

static int cmd_list(struct cli *cli, int argc, char **argv) {
        static const struct cli_column cols[] = {
                { "uuid", "UUID" }, { "usage", "Usage" }, { "usage_type", NULL },
                { "usage_id", NULL },
        };
        char **uuids = NULL;
        storvirt_ctx *ctx;
        struct cli_table t;
        int o, r;

        while ((o = getopt_long(argc, argv, ":", (const struct option[]){ {} }, NULL)) != -1)
                return cli_bad_option(cli, CMD(C_LIST)->name, o, argv);
        if ((r = cli_check_args(cli, CMD(C_LIST), argc, argv, 0, 0)))
                return r;
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

static int cmd_dumpxml(struct cli *cli, int argc, char **argv) {
        storvirt_ctx *ctx;
        char *xml = NULL;
        int o, r;

        while ((o = getopt_long(argc, argv, ":", (const struct option[]){ {} }, NULL)) != -1)
                return cli_bad_option(cli, CMD(C_DUMPXML)->name, o, argv);
        if ((r = cli_check_args(cli, CMD(C_DUMPXML), argc, argv, 1, 1)))
                return r;
        r = cli_ctx(cli, &ctx);
        if (r >= 0)
                r = storvirt_secret_get_xml(ctx, argv[optind], &xml, 0);
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

static int secret_of_args(struct cli *cli, int c, int argc, char **argv, const char *pool,
                          struct secret_of *ret) {
        storvirt_ctx *ctx;
        int r;

        if ((r = cli_check_args(cli, CMD(c), argc, argv, pool ? 0 : 1, pool ? 0 : 1)))
                return r;
        r = cli_ctx(cli, &ctx);
        if (r < 0)
                return r;
        if (pool)
                return storvirt_pool_lookup_by_name(ctx, pool, &ret->pool);
        return storvirt_connection_lookup(ctx, argv[optind], &ret->conn);
}

static int cmd_secret_xml(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = { { "pool", required_argument, NULL, OPT_POOL }, {} };
        struct secret_of s = {};
        const char *pool = NULL;
        char *xml = NULL;
        int o, r;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                if (o != OPT_POOL)
                        return cli_bad_option(cli, CMD(C_XML)->name, o, argv);
                pool = optarg;
        }
        r = secret_of_args(cli, C_XML, argc, argv, pool, &s);
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

static int cmd_secret_value(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = {
                { "pool", required_argument, NULL, OPT_POOL },
                { "file", required_argument, NULL, OPT_FILE },
                {}
        };
        const char *pool = NULL, *file = NULL;
        struct secret_of s = {};
        int o, r;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                switch (o) {
                case OPT_POOL: pool = optarg; break;
                case OPT_FILE: file = optarg; break;
                default: return cli_bad_option(cli, CMD(C_VALUE)->name, o, argv);
                }
        }
        if (!file)
                return cli_usage(cli, "secret-value: --file F is required (the value is never "
                                      "written to standard output)");
        if (!*file || strcmp(file, "-") == 0)
                return cli_usage(cli, "secret-value: --file '%s': give the name of a new file "
                                      "(the value is never written to standard output)", file);
        r = secret_of_args(cli, C_VALUE, argc, argv, pool, &s);
        if (r == 0)
                r = write_secret_file(cli, &s, file);
        secret_of_clear(&s);
        if (r)
                return r;
        cli_field_str(cli, "file", "Secret value written to (mode 0600):", file);
        return 0;
}

const struct cli_command cli_commands_secret[] = {
        [C_DEFINE] = { "secret-define", "[--value-file F | --value-fd N] FILE",
          "define (or redefine) a secret from libvirt secret XML",
          "FILE (\"-\": standard input) holds <secret> XML (see storvirt_secret_define_xml(3)).\n"
          "The value (a volume's LUKS passphrase) is every byte of file F, or read from\n"
          "the inherited file descriptor N to its end: a trailing newline is part of it.\n"
          "Without either, a new secret has no value yet and a redefined one keeps its\n"
          "value.  Prints the UUID.  The value is kept in a mode 0600 file of the state\n"
          "directory and never shown.",
          cmd_define },
        [C_UNDEFINE] = { "secret-undefine", "UUID", "remove a secret and its value", NULL,
          cmd_undefine },
        [C_LIST] = { "secret-list", "", "list the secrets: UUID and usage", NULL, cmd_list },
        [C_DUMPXML] = { "secret-dumpxml", "UUID", "a secret's XML (never its value)", NULL,
          cmd_dumpxml },
        [C_XML] = { "secret-xml", "(CONNECTION | --pool POOL)",
          "the libvirt secret XML holding an iSCSI connection's CHAP password",
          "The <secret> (usage type iscsi, a UUID and usage id the same at every call) that\n"
          "the network <disk> of vdisk-xml and resolve names for a target behind CHAP:\n"
          "usage \"libstorvirt-chap-CONNECTION\" for a stored connection; with --pool,\n"
          "the secret an iscsi or iscsi-direct pool's <auth> names.  Define it in\n"
          "libvirt with \"virsh secret-define\", give it its value with secret-value and\n"
          "\"virsh secret-set-value --secret UUID --file F --plain\".",
          cmd_secret_xml },
        [C_VALUE] = { "secret-value", "(CONNECTION | --pool POOL) --file F",
          "write the CHAP password of that secret into a new file of mode 0600",
          "F must not exist (a file or link there is refused, never replaced); it gets\n"
          "the password's bytes only, no newline, and appears under its name only when\n"
          "complete.  The value is never written to standard output or a log.",
          cmd_secret_value },
        { NULL, NULL, NULL, NULL, NULL },
};
