/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmd-pool.c - the storage pool commands of storvirt, with virsh's names,
 * options and messages: pool-define, pool-define-as, pool-create,
 * pool-start, pool-destroy, pool-undefine, pool-build, pool-delete,
 * pool-refresh, pool-list, pool-info, pool-dumpxml, pool-autostart.
 *
 * Also the helpers the volume commands share: option errors, reading a
 * file, XML escaping, pool lookup and size parsing.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* ------------------------------------------------------------------------
 * Shared helpers.
 */

int cli_check_args(struct cli *cli, const struct cli_command *c, int argc, char **argv,
                   int min, int max) {
        int n = argc - optind;

        if (n < min)
                return cli_usage(cli, "%s: missing argument (usage: storvirt %s %s)", c->name,
                                 c->name, c->args);
        if (n > max)
                return cli_usage(cli, "%s: unexpected argument '%s' (usage: storvirt %s %s)",
                                 c->name, argv[optind + max], c->name, c->args);
        return 0;
}

int cli_bad_option(struct cli *cli, const char *cmd, int c, char **argv) {
        const char *opt = optind > 0 ? argv[optind - 1] : "?";

        if (c == ':')
                return cli_usage(cli, "%s: option '%s' needs a value", cmd, opt);
        return cli_usage(cli, "%s: unknown option '%s'", cmd, opt);
}

/* Checks the number of positional arguments left after the options. */
static int check_args(struct cli *cli, const struct cli_command *c, int argc, char **argv,
                      int min, int max) {
        int n = argc - optind;

        if (n < min)
                return cli_usage(cli, "%s: missing argument (usage: storvirt %s %s)", c->name,
                                 c->name, c->args);
        if (n > max)
                return cli_usage(cli, "%s: unexpected argument '%s' (usage: storvirt %s %s)",
                                 c->name, argv[optind + max], c->name, c->args);
        return 0;
}

int cli_doc_error(struct cli *cli, const char *path, int r) {
        const char *msg = storvirt_error_message();

        return cli_error(cli, -r, "%s: %s", strcmp(path, "-") ? path : "<stdin>",
                         msg ? msg : strerror(-r));
}

int cli_read_file(struct cli *cli, const char *path, char **ret) {
        size_t len = 0, alloc = 8192;
        char *buf, *nbuf;
        int fd, err;
        ssize_t n;

        fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return cli_error(cli, errno, "cannot open '%s': %s", path, strerror(errno));
        buf = malloc(alloc);
        if (!buf) {
                err = ENOMEM;
                goto fail;
        }
        for (;;) {
                if (alloc - len < 2) {
                        if (alloc > (64u << 20)) {
                                err = EFBIG;
                                goto fail;
                        }
                        nbuf = realloc(buf, alloc * 2);
                        if (!nbuf) {
                                err = ENOMEM;
                                goto fail;
                        }
                        buf = nbuf;
                        alloc *= 2;
                }
                n = read(fd, buf + len, alloc - len - 1);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        err = errno;
                        goto fail;
                }
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        buf[len] = '\0';
        if (memchr(buf, '\0', len)) {
                free(buf);
                if (fd != STDIN_FILENO)
                        close(fd);
                return cli_error(cli, EINVAL, "'%s' is not a text file (it contains a NUL byte)",
                                 path);
        }
        if (fd != STDIN_FILENO)
                close(fd);
        *ret = buf;
        return 0;
fail:
        free(buf);
        if (fd != STDIN_FILENO)
                close(fd);
        return cli_error(cli, err, "cannot read '%s': %s", path, strerror(err));
}

int cli_xml_escape(struct cli *cli, FILE *f, const char *what, const char *s) {
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                switch (*p) {
                case '&': fputs("&amp;", f); break;
                case '<': fputs("&lt;", f); break;
                case '>': fputs("&gt;", f); break;
                case '\'': fputs("&apos;", f); break;
                case '"': fputs("&quot;", f); break;
                case '\t': case '\n': case '\r': fputc(*p, f); break;
                default:
                        if (*p < 0x20 || *p == 0x7f)
                                return cli_usage(cli, "%s: control character 0x%02x cannot be "
                                                 "written in XML", what, *p);
                        fputc(*p, f);
                }
        }
        return 0;
}

int cli_pool_lookup(struct cli *cli, const char *name, storvirt_pool **ret) {
        storvirt_ctx *ctx;
        int r;

        r = cli_ctx(cli, &ctx);
        if (r < 0)
                return r;
        r = storvirt_pool_lookup_by_name(ctx, name, ret);
        if (r != -ENOENT)
                return r;
        r = storvirt_pool_lookup_by_uuid(ctx, name, ret);
        if (r == -ENOENT || r == -EINVAL)
                return cli_error(cli, ENOENT,
                                 "failed to get pool '%s': no storage pool with matching "
                                 "name or UUID", name);
        return r;
}

int cli_parse_size(struct cli *cli, const char *what, const char *value, uint64_t *ret) {
        int r = storvirt_units_parse(value, NULL, 0, ret, 0);

        if (r < 0) {
                const char *msg = storvirt_error_message();
                return cli_usage(cli, "invalid %s '%s': %s", what, value,
                                 msg ? msg : strerror(-r));
        }
        return 0;
}

/* ------------------------------------------------------------------------
 * Common pieces of the pool commands.
 */

static const char *pool_state_name(uint32_t state) {
        switch (state) {
        case STORVIRT_POOL_STATE_INACTIVE: return "inactive";
        case STORVIRT_POOL_STATE_BUILDING: return "building";
        case STORVIRT_POOL_STATE_RUNNING: return "running";
        case STORVIRT_POOL_STATE_DEGRADED: return "degraded";
        case STORVIRT_POOL_STATE_INACCESSIBLE: return "inaccessible";
        default: return "unknown";
        }
}

/* The JSON result of a command that acts on one pool: its name and UUID. */
static void pool_json_id(struct cli *cli, storvirt_pool *pool) {
        if (!cli->json)
                return;
        cli_field_str(cli, "name", "Name:", storvirt_pool_get_name(pool));
        cli_field_str(cli, "uuid", "UUID:", storvirt_pool_get_uuid(pool));
}

enum {
        OPT_BUILD = 0x100,
        OPT_OVERWRITE,
        OPT_NO_OVERWRITE,
        OPT_NONEMPTY,
        OPT_INACTIVE,
        OPT_ALL,
        OPT_TYPE,
        OPT_DETAILS,
        OPT_PERSISTENT,
        OPT_TRANSIENT,
        OPT_AUTOSTART,
        OPT_NO_AUTOSTART,
        OPT_DISABLE,
        OPT_TARGET,
        OPT_SOURCE_DEV,
        OPT_SOURCE_HOST,
        OPT_SOURCE_PATH,
        OPT_SOURCE_NAME,
        OPT_SOURCE_FORMAT,
        OPT_SOURCE_PROTOCOL_VER,
        OPT_PRINT_XML,
};

/* --build, --overwrite, --no-overwrite as storvirt_pool_start() flags. */
struct build_opts {
        bool build, overwrite, no_overwrite;
};

static int build_flags(struct cli *cli, const char *cmd, const struct build_opts *b,
                       uint32_t *ret) {
        uint32_t flags = 0;

        if (b->overwrite && b->no_overwrite)
                return cli_usage(cli, "%s: --overwrite and --no-overwrite are mutually exclusive",
                                 cmd);
        /* As in virsh, --overwrite and --no-overwrite imply --build. */
        if (b->build || b->overwrite || b->no_overwrite)
                flags |= STORVIRT_POOL_CREATE_BUILD;
        if (b->overwrite)
                flags |= STORVIRT_POOL_CREATE_BUILD_OVERWRITE;
        if (b->no_overwrite)
                flags |= STORVIRT_POOL_CREATE_BUILD_NO_OVERWRITE;
        *ret = flags;
        return 0;
}

/* Parses the options of a command that takes only NAME and no options,
 * then looks the pool up. */
static int simple_pool_cmd(struct cli *cli, const struct cli_command *c, int argc, char **argv,
                           storvirt_pool **ret) {
        static const struct option opts[] = { {} };
        int o, r;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1)
                return cli_bad_option(cli, c->name, o, argv);
        r = check_args(cli, c, argc, argv, 1, 1);
        if (r)
                return r;
        return cli_pool_lookup(cli, argv[optind], ret);
}

extern const struct cli_command cli_commands_pool[];
#define CMD(i) (&cli_commands_pool[i])
enum {
        C_DEFINE, C_DEFINE_AS, C_CREATE, C_START, C_DESTROY, C_UNDEFINE, C_BUILD, C_DELETE,
        C_REFRESH, C_LIST, C_INFO, C_DUMPXML, C_AUTOSTART, C_FIND_SOURCES,
};

/* ------------------------------------------------------------------------
 * Commands.
 */

static int cmd_pool_define(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = { {} };
        storvirt_pool *pool = NULL;
        storvirt_ctx *ctx;
        char *xml = NULL;
        int o, r;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1)
                return cli_bad_option(cli, argv[0], o, argv);
        r = check_args(cli, CMD(C_DEFINE), argc, argv, 1, 1);
        if (r)
                return r;
        r = cli_ctx(cli, &ctx);
        if (r < 0)
                return r;
        r = cli_read_file(cli, argv[optind], &xml);
        if (r < 0)
                return r;
        r = storvirt_pool_define_xml(ctx, xml, &pool, 0);
        free(xml);
        if (r < 0)
                return r;
        cli_text(cli, "Pool %s defined from %s", storvirt_pool_get_name(pool), argv[optind]);
        pool_json_id(cli, pool);
        storvirt_pool_unref(pool);
        return 0;
}

/* Builds the pool XML of pool-define-as. */
struct pool_def_opts {
        const char *name, *type, *target, *source_dev, *source_host, *source_path,
                *source_name, *source_format, *source_protocol_ver;
};

static int xml_elem_attr(struct cli *cli, FILE *f, const char *indent, const char *elem,
                         const char *attr, const char *what, const char *value) {
        int r;

        if (!value)
                return 0;
        fprintf(f, "%s<%s %s='", indent, elem, attr);
        r = cli_xml_escape(cli, f, what, value);
        fputs("'/>\n", f);
        return r;
}

static int pool_xml_build(struct cli *cli, const struct pool_def_opts *d, char **ret) {
        size_t size = 0;
        char *buf = NULL;
        FILE *f;
        int r;

        f = open_memstream(&buf, &size);
        if (!f)
                return cli_error(cli, ENOMEM, "out of memory");
        fputs("<pool type='", f);
        r = cli_xml_escape(cli, f, "TYPE", d->type);
        fputs("'>\n  <name>", f);
        if (!r)
                r = cli_xml_escape(cli, f, "NAME", d->name);
        fputs("</name>\n", f);
        if (!r && (d->source_host || d->source_dev || d->source_path || d->source_name ||
                   d->source_format || d->source_protocol_ver)) {
                fputs("  <source>\n", f);
                r = xml_elem_attr(cli, f, "    ", "host", "name", "--source-host",
                                  d->source_host);
                if (!r)
                        r = xml_elem_attr(cli, f, "    ", "device", "path", "--source-dev",
                                          d->source_dev);
                if (!r)
                        r = xml_elem_attr(cli, f, "    ", "dir", "path", "--source-path",
                                          d->source_path);
                if (!r && d->source_name) {
                        fputs("    <name>", f);
                        r = cli_xml_escape(cli, f, "--source-name", d->source_name);
                        fputs("</name>\n", f);
                }
                if (!r)
                        r = xml_elem_attr(cli, f, "    ", "format", "type", "--source-format",
                                          d->source_format);
                if (!r)
                        r = xml_elem_attr(cli, f, "    ", "protocol", "ver",
                                          "--source-protocol-ver", d->source_protocol_ver);
                fputs("  </source>\n", f);
        }
        if (!r && d->target) {
                fputs("  <target>\n    <path>", f);
                r = cli_xml_escape(cli, f, "--target", d->target);
                fputs("</path>\n  </target>\n", f);
        }
        fputs("</pool>\n", f);
        if (fclose(f) != 0 && !r)
                r = cli_error(cli, ENOMEM, "out of memory");
        if (r) {
                free(buf);
                return r;
        }
        *ret = buf;
        return 0;
}

static int cmd_pool_define_as(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = {
                { "target", required_argument, NULL, OPT_TARGET },
                { "source-dev", required_argument, NULL, OPT_SOURCE_DEV },
                { "source-host", required_argument, NULL, OPT_SOURCE_HOST },
                { "source-path", required_argument, NULL, OPT_SOURCE_PATH },
                { "source-name", required_argument, NULL, OPT_SOURCE_NAME },
                { "source-format", required_argument, NULL, OPT_SOURCE_FORMAT },
                { "source-protocol-ver", required_argument, NULL, OPT_SOURCE_PROTOCOL_VER },
                { "print-xml", no_argument, NULL, OPT_PRINT_XML },
                {}
        };
        struct pool_def_opts d = {};
        storvirt_pool *pool = NULL;
        storvirt_ctx *ctx;
        bool print_xml = false;
        char *xml = NULL;
        int o, r;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                switch (o) {
                case OPT_TARGET: d.target = optarg; break;
                case OPT_SOURCE_DEV: d.source_dev = optarg; break;
                case OPT_SOURCE_HOST: d.source_host = optarg; break;
                case OPT_SOURCE_PATH: d.source_path = optarg; break;
                case OPT_SOURCE_NAME: d.source_name = optarg; break;
                case OPT_SOURCE_FORMAT: d.source_format = optarg; break;
                case OPT_SOURCE_PROTOCOL_VER: d.source_protocol_ver = optarg; break;
                case OPT_PRINT_XML: print_xml = true; break;
                default: return cli_bad_option(cli, argv[0], o, argv);
                }
        }
        r = check_args(cli, CMD(C_DEFINE_AS), argc, argv, 2, 2);
        if (r)
                return r;
        d.name = argv[optind];
        d.type = argv[optind + 1];
        r = pool_xml_build(cli, &d, &xml);
        if (r)
                return r;
        if (print_xml) {
                if (cli->json)
                        cli_field_str(cli, "xml", "XML:", xml);
                else
                        fputs(xml, stdout);
                free(xml);
                return 0;
        }
        r = cli_ctx(cli, &ctx);
        if (r >= 0)
                r = storvirt_pool_define_xml(ctx, xml, &pool, 0);
        free(xml);
        if (r < 0)
                return r;
        cli_text(cli, "Pool %s defined", storvirt_pool_get_name(pool));
        pool_json_id(cli, pool);
        storvirt_pool_unref(pool);
        return 0;
}

static const struct option build_options[] = {
        { "build", no_argument, NULL, OPT_BUILD },
        { "overwrite", no_argument, NULL, OPT_OVERWRITE },
        { "no-overwrite", no_argument, NULL, OPT_NO_OVERWRITE },
        {}
};

static int parse_build_opts(struct cli *cli, int argc, char **argv, const struct option *opts,
                            struct build_opts *b) {
        int o;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                switch (o) {
                case OPT_BUILD: b->build = true; break;
                case OPT_OVERWRITE: b->overwrite = true; break;
                case OPT_NO_OVERWRITE: b->no_overwrite = true; break;
                default: return cli_bad_option(cli, argv[0], o, argv);
                }
        }
        return 0;
}

static int cmd_pool_create(struct cli *cli, int argc, char **argv) {
        struct build_opts b = {};
        storvirt_pool *pool = NULL;
        storvirt_ctx *ctx;
        uint32_t flags;
        char *xml = NULL;
        int r;

        r = parse_build_opts(cli, argc, argv, build_options, &b);
        if (!r)
                r = check_args(cli, CMD(C_CREATE), argc, argv, 1, 1);
        if (!r)
                r = build_flags(cli, argv[0], &b, &flags);
        if (r)
                return r;
        r = cli_ctx(cli, &ctx);
        if (r < 0)
                return r;
        r = cli_read_file(cli, argv[optind], &xml);
        if (r < 0)
                return r;
        r = storvirt_pool_create_xml(ctx, xml, &pool, flags);
        free(xml);
        if (r < 0)
                return r;
        cli_text(cli, "Pool %s created from %s", storvirt_pool_get_name(pool), argv[optind]);
        pool_json_id(cli, pool);
        storvirt_pool_unref(pool);
        return 0;
}

static int cmd_pool_start(struct cli *cli, int argc, char **argv) {
        struct build_opts b = {};
        storvirt_pool *pool = NULL;
        uint32_t flags;
        int r;

        r = parse_build_opts(cli, argc, argv, build_options, &b);
        if (!r)
                r = check_args(cli, CMD(C_START), argc, argv, 1, 1);
        if (!r)
                r = build_flags(cli, argv[0], &b, &flags);
        if (r)
                return r;
        r = cli_pool_lookup(cli, argv[optind], &pool);
        if (r < 0)
                return r;
        r = storvirt_pool_start(pool, flags);
        if (r >= 0) {
                cli_text(cli, "Pool %s started", storvirt_pool_get_name(pool));
                pool_json_id(cli, pool);
        }
        storvirt_pool_unref(pool);
        return r < 0 ? r : 0;
}

static int cmd_pool_build(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = {
                { "overwrite", no_argument, NULL, OPT_OVERWRITE },
                { "no-overwrite", no_argument, NULL, OPT_NO_OVERWRITE },
                {}
        };
        struct build_opts b = {};
        storvirt_pool *pool = NULL;
        uint32_t flags = 0;
        int r;

        r = parse_build_opts(cli, argc, argv, opts, &b);
        if (!r)
                r = check_args(cli, CMD(C_BUILD), argc, argv, 1, 1);
        if (r)
                return r;
        if (b.overwrite && b.no_overwrite)
                return cli_usage(cli, "%s: --overwrite and --no-overwrite are mutually exclusive",
                                 argv[0]);
        if (b.overwrite)
                flags |= STORVIRT_POOL_BUILD_OVERWRITE;
        if (b.no_overwrite)
                flags |= STORVIRT_POOL_BUILD_NO_OVERWRITE;
        r = cli_pool_lookup(cli, argv[optind], &pool);
        if (r < 0)
                return r;
        r = storvirt_pool_build(pool, flags);
        if (r >= 0) {
                cli_text(cli, "Pool %s built", storvirt_pool_get_name(pool));
                pool_json_id(cli, pool);
        }
        storvirt_pool_unref(pool);
        return r < 0 ? r : 0;
}

/* pool-destroy, pool-undefine, pool-refresh: one pool argument, one call. */
static int pool_action(struct cli *cli, const struct cli_command *cmd, int argc, char **argv,
                       int (*action)(storvirt_pool *, uint32_t), const char *done) {
        storvirt_pool *pool = NULL;
        int r;

        r = simple_pool_cmd(cli, cmd, argc, argv, &pool);
        if (r)
                return r;
        r = action(pool, 0);
        if (r >= 0) {
                cli_text(cli, "Pool %s %s", storvirt_pool_get_name(pool), done);
                pool_json_id(cli, pool);
        }
        storvirt_pool_unref(pool);
        return r < 0 ? r : 0;
}

static int cmd_pool_destroy(struct cli *cli, int argc, char **argv) {
        return pool_action(cli, CMD(C_DESTROY), argc, argv, storvirt_pool_stop, "destroyed");
}

static int cmd_pool_undefine(struct cli *cli, int argc, char **argv) {
        return pool_action(cli, CMD(C_UNDEFINE), argc, argv, storvirt_pool_undefine,
                           "has been undefined");
}

static int cmd_pool_refresh(struct cli *cli, int argc, char **argv) {
        return pool_action(cli, CMD(C_REFRESH), argc, argv, storvirt_pool_refresh, "refreshed");
}

static int cmd_pool_delete(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = {
                { "nonempty", no_argument, NULL, OPT_NONEMPTY },
                {}
        };
        storvirt_pool *pool = NULL;
        uint32_t flags = 0;
        int o, r;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                if (o == OPT_NONEMPTY)
                        flags |= STORVIRT_POOL_DELETE_NONEMPTY;
                else
                        return cli_bad_option(cli, argv[0], o, argv);
        }
        r = check_args(cli, CMD(C_DELETE), argc, argv, 1, 1);
        if (r)
                return r;
        r = cli_pool_lookup(cli, argv[optind], &pool);
        if (r < 0)
                return r;
        r = storvirt_pool_delete(pool, flags);
        if (r >= 0) {
                cli_text(cli, "Pool %s deleted", storvirt_pool_get_name(pool));
                pool_json_id(cli, pool);
        }
        storvirt_pool_unref(pool);
        return r < 0 ? r : 0;
}

static int cmd_pool_autostart(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = {
                { "disable", no_argument, NULL, OPT_DISABLE },
                {}
        };
        storvirt_pool *pool = NULL;
        bool disable = false;
        int o, r;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                if (o == OPT_DISABLE)
                        disable = true;
                else
                        return cli_bad_option(cli, argv[0], o, argv);
        }
        r = check_args(cli, CMD(C_AUTOSTART), argc, argv, 1, 1);
        if (r)
                return r;
        r = cli_pool_lookup(cli, argv[optind], &pool);
        if (r < 0)
                return r;
        r = storvirt_pool_set_autostart(pool, !disable);
        if (r >= 0) {
                cli_text(cli, disable ? "Pool %s unmarked as autostarted"
                                      : "Pool %s marked as autostarted",
                         storvirt_pool_get_name(pool));
                pool_json_id(cli, pool);
                if (cli->json)
                        cli_field_bool(cli, "autostart", "Autostart:", !disable);
        }
        storvirt_pool_unref(pool);
        return r < 0 ? r : 0;
}

static int cmd_pool_info(struct cli *cli, int argc, char **argv) {
        storvirt_pool *pool = NULL;
        uint64_t capacity, allocation, available;
        uint32_t state;
        int r, persistent, autostart;

        r = simple_pool_cmd(cli, CMD(C_INFO), argc, argv, &pool);
        if (r)
                return r;
        r = storvirt_pool_get_info(pool, &state, &capacity, &allocation, &available);
        if (r < 0)
                goto out;
        r = persistent = storvirt_pool_is_persistent(pool);
        if (r < 0)
                goto out;
        r = autostart = storvirt_pool_get_autostart(pool);
        if (r < 0)
                goto out;
        r = 0;
        cli_field_str(cli, "name", "Name:", storvirt_pool_get_name(pool));
        cli_field_str(cli, "uuid", "UUID:", storvirt_pool_get_uuid(pool));
        if (cli->json) {
                cli_field_str(cli, "type", "Type:", storvirt_pool_get_type(pool));
                cli_field_str(cli, "target_path", "Target path:",
                              storvirt_pool_get_target_path(pool));
        }
        cli_field_str(cli, "state", "State:", pool_state_name(state));
        cli_field_bool(cli, "persistent", "Persistent:", persistent > 0);
        cli_field_bool(cli, "autostart", "Autostart:", autostart > 0);
        if (state != STORVIRT_POOL_STATE_INACTIVE) {
                cli_field_size(cli, "capacity", "Capacity:", capacity);
                cli_field_size(cli, "allocation", "Allocation:", allocation);
                cli_field_size(cli, "available", "Available:", available);
        } else if (cli->json) {
                cli_field_str(cli, "capacity", "Capacity:", NULL);
                cli_field_str(cli, "allocation", "Allocation:", NULL);
                cli_field_str(cli, "available", "Available:", NULL);
        }
out:
        storvirt_pool_unref(pool);
        return r;
}

static int cmd_pool_dumpxml(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = {
                { "inactive", no_argument, NULL, OPT_INACTIVE },
                {}
        };
        storvirt_pool *pool = NULL;
        uint32_t flags = 0;
        char *xml = NULL;
        int o, r;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                if (o == OPT_INACTIVE)
                        flags |= STORVIRT_POOL_XML_INACTIVE;
                else
                        return cli_bad_option(cli, argv[0], o, argv);
        }
        r = check_args(cli, CMD(C_DUMPXML), argc, argv, 1, 1);
        if (r)
                return r;
        r = cli_pool_lookup(cli, argv[optind], &pool);
        if (r < 0)
                return r;
        r = storvirt_pool_get_xml(pool, &xml, flags);
        if (r >= 0) {
                r = 0;
                if (cli->json) {
                        cli_field_str(cli, "xml", "XML:", xml);
                } else {
                        fputs(xml, stdout);
                        if (!*xml || xml[strlen(xml) - 1] != '\n')
                                putchar('\n');
                }
        }
        storvirt_free(xml);
        storvirt_pool_unref(pool);
        return r;
}

static int cmd_pool_list(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = {
                { "all", no_argument, NULL, OPT_ALL },
                { "inactive", no_argument, NULL, OPT_INACTIVE },
                { "persistent", no_argument, NULL, OPT_PERSISTENT },
                { "transient", no_argument, NULL, OPT_TRANSIENT },
                { "autostart", no_argument, NULL, OPT_AUTOSTART },
                { "no-autostart", no_argument, NULL, OPT_NO_AUTOSTART },
                { "type", required_argument, NULL, OPT_TYPE },
                { "details", no_argument, NULL, OPT_DETAILS },
                {}
        };
        bool all = false, inactive = false, details = false;
        const char *type = NULL;
        uint32_t flags = 0;
        storvirt_pool **pools = NULL;
        storvirt_ctx *ctx;
        struct cli_table t;
        int o, r;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
                switch (o) {
                case OPT_ALL: all = true; break;
                case OPT_INACTIVE: inactive = true; break;
                case OPT_PERSISTENT: flags |= STORVIRT_POOL_LIST_PERSISTENT; break;
                case OPT_TRANSIENT: flags |= STORVIRT_POOL_LIST_TRANSIENT; break;
                case OPT_AUTOSTART: flags |= STORVIRT_POOL_LIST_AUTOSTART; break;
                case OPT_NO_AUTOSTART: flags |= STORVIRT_POOL_LIST_NO_AUTOSTART; break;
                case OPT_TYPE: type = optarg; break;
                case OPT_DETAILS: details = true; break;
                default: return cli_bad_option(cli, argv[0], o, argv);
                }
        }
        r = check_args(cli, CMD(C_LIST), argc, argv, 0, 0);
        if (r)
                return r;
        /* As in virsh: active pools by default, --inactive only the
         * inactive ones, --all both. */
        if (inactive && !all)
                flags |= STORVIRT_POOL_LIST_INACTIVE;
        else if (!all)
                flags |= STORVIRT_POOL_LIST_ACTIVE;
        r = cli_ctx(cli, &ctx);
        if (r < 0)
                return r;
        r = storvirt_pool_list(ctx, type, &pools, NULL, flags);
        if (r < 0)
                return r;

        const struct cli_column cols[] = {
                { "name", "Name" },
                { "uuid", NULL },
                { "type", NULL },
                { "state", "State" },
                { "autostart", "Autostart" },
                { "persistent", details ? "Persistent" : NULL },
                { "capacity", details ? "Capacity" : NULL },
                { "allocation", details ? "Allocation" : NULL },
                { "available", details ? "Available" : NULL },
        };
        cli_table_begin(cli, &t, "pools", cols, sizeof(cols) / sizeof(cols[0]));
        for (size_t i = 0; pools[i]; i++) {
                storvirt_pool *p = pools[i];
                uint64_t capacity = 0, allocation = 0, available = 0;
                uint32_t state = STORVIRT_POOL_STATE_INACTIVE;
                int persistent, autostart;

                /* A pool may change between the listing and here: show
                 * what can be read. */
                if (storvirt_pool_get_info(p, &state, &capacity, &allocation, &available) < 0)
                        state = STORVIRT_POOL_STATE_INACTIVE;
                persistent = storvirt_pool_is_persistent(p);
                autostart = storvirt_pool_get_autostart(p);
                cli_table_row(&t);
                cli_table_str(&t, storvirt_pool_get_name(p));
                cli_table_str(&t, storvirt_pool_get_uuid(p));
                cli_table_str(&t, storvirt_pool_get_type(p));
                if (details || cli->json)
                        cli_table_str(&t, pool_state_name(state));
                else
                        cli_table_str(&t, state == STORVIRT_POOL_STATE_INACTIVE ? "inactive"
                                                                                 : "active");
                cli_table_bool(&t, autostart > 0);
                cli_table_bool(&t, persistent > 0);
                if (state == STORVIRT_POOL_STATE_INACTIVE) {
                        cli_table_null(&t);
                        cli_table_null(&t);
                        cli_table_null(&t);
                } else {
                        cli_table_size(&t, capacity);
                        cli_table_size(&t, allocation);
                        cli_table_size(&t, available);
                }
        }
        r = cli_table_end(&t);
        storvirt_pool_list_free(pools);
        return r;
}

static int cmd_find_sources(struct cli *cli, int argc, char **argv) {
        static const struct option opts[] = { {} };
        const struct cli_command *c = &cli_commands_pool[C_FIND_SOURCES];
        char *spec = NULL, *out = NULL;
        storvirt_ctx *ctx;
        int o, r;

        while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1)
                return cli_bad_option(cli, c->name, o, argv);
        if ((r = cli_check_args(cli, c, argc, argv, 1, 2)))
                return r;
        if (argc - optind > 1 && (r = cli_read_file(cli, argv[optind + 1], &spec)) < 0)
                return r;
        r = cli_ctx(cli, &ctx);
        if (r >= 0)
                r = storvirt_pool_find_sources(ctx, argv[optind], spec, &out, 0);
        free(spec);
        if (r < 0)
                return r;
        if (cli->json)
                cli_field_str(cli, "xml", "XML:", out);
        else
                printf("%s\n", out);
        storvirt_free(out);
        return 0;
}

const struct cli_command cli_commands_pool[] = {
        [C_DEFINE] = { "pool-define", "FILE", "define a persistent pool from an XML file",
          "FILE holds libvirt pool XML ('-': standard input).  The pool is defined\n"
          "inactive; see pool-build and pool-start.", cmd_pool_define },
        [C_DEFINE_AS] = { "pool-define-as",
          "NAME TYPE [--target PATH] [--source-dev DEV] [--source-host HOST] "
          "[--source-path PATH] [--source-name NAME] [--source-format FORMAT] "
          "[--source-protocol-ver VER] [--print-xml]",
          "define a persistent pool from options",
          "Writes the pool XML from the options and defines the pool, or with\n"
          "--print-xml only prints the XML.  --source-path is the source directory\n"
          "(<dir path>) of e.g. a netfs pool; --source-protocol-ver its NFS version\n"
          "(<protocol ver>: 3, 4, 4.0, 4.1, 4.2, ...).", cmd_pool_define_as },
        [C_CREATE] = { "pool-create", "FILE [--build] [--overwrite|--no-overwrite]",
          "create and start a transient pool from an XML file",
          "With --build (implied by --overwrite and --no-overwrite) the pool is built\n"
          "first; --no-overwrite refuses when something is already there.",
          cmd_pool_create },
        [C_START] = { "pool-start", "POOL [--build] [--overwrite|--no-overwrite]",
          "start an inactive pool",
          "POOL is a pool name or UUID.  --build builds it first (see pool-create).",
          cmd_pool_start },
        [C_DESTROY] = { "pool-destroy", "POOL", "stop an active pool",
          "The pool's storage and volumes are left as they are.", cmd_pool_destroy },
        [C_UNDEFINE] = { "pool-undefine", "POOL", "remove a persistent pool's definition",
          "An active pool stays active, as a transient pool.", cmd_pool_undefine },
        [C_BUILD] = { "pool-build", "POOL [--overwrite|--no-overwrite]",
          "create a pool's underlying storage",
          "dir: creates the target directory; fs: makes the file system.  The pool\n"
          "must be inactive.", cmd_pool_build },
        [C_DELETE] = { "pool-delete", "POOL [--nonempty]",
          "destroy an inactive pool's underlying storage",
          "dir: removes the target directory.  A pool that still holds volumes is\n"
          "refused unless --nonempty.", cmd_pool_delete },
        [C_REFRESH] = { "pool-refresh", "POOL", "rescan an active pool's volumes", NULL,
          cmd_pool_refresh },
        [C_LIST] = { "pool-list",
          "[--all] [--inactive] [--persistent] [--transient] [--autostart] "
          "[--no-autostart] [--type TYPE] [--details]",
          "list pools",
          "Active pools by default; --inactive lists the inactive ones, --all both.\n"
          "--details adds Persistent, Capacity, Allocation and Available.\n"
          "The JSON member \"pools\" always has every field.", cmd_pool_list },
        [C_INFO] = { "pool-info", "POOL", "show a pool's state and capacity", NULL,
          cmd_pool_info },
        [C_DUMPXML] = { "pool-dumpxml", "POOL [--inactive]", "print a pool's XML",
          "--inactive prints the stored definition without runtime values.",
          cmd_pool_dumpxml },
        [C_AUTOSTART] = { "pool-autostart", "POOL [--disable]",
          "mark a persistent pool to start when the state directory is opened", NULL,
          cmd_pool_autostart },
        [C_FIND_SOURCES] = { "find-storage-pool-sources", "TYPE [SRCSPEC]",
          "find the sources a pool of TYPE could use",
          "SRCSPEC is a file with libvirt <source> XML saying where to look\n"
          "(iscsi, iscsi-direct: <source><host name='' port=''/></source>,\n"
          "SendTargets discovery); logical and scsi need none (the volume groups\n"
          "lvm2 reports; every SCSI host, and the fc_host WWNs of FC ones).\n"
          "Prints a <sources> element.", cmd_find_sources },
        { NULL, NULL, NULL, NULL, NULL },
};
