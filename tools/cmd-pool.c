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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "pool-as.h"

/* ------------------------------------------------------------------------
 * Shared helpers.
 */

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

#define ARG_POOL CLI_ARG("POOL", "a pool name or UUID")

/* --build, --overwrite, --no-overwrite of pool-create and pool-start. */
#define OPTS_BUILD \
        CLI_FLAG_OPT("build", STORVIRT_POOL_CREATE_BUILD, "build the pool first"), \
        { .name = "overwrite", .kind = CLI_BOOL, .group = 1, \
          .flag = STORVIRT_POOL_CREATE_BUILD | STORVIRT_POOL_CREATE_BUILD_OVERWRITE, \
          .help = "build, allowing to destroy what is there" }, \
        { .name = "no-overwrite", .kind = CLI_BOOL, .group = 1, \
          .flag = STORVIRT_POOL_CREATE_BUILD | STORVIRT_POOL_CREATE_BUILD_NO_OVERWRITE, \
          .help = "build, failing when something is there" }

/* ------------------------------------------------------------------------
 * Commands.
 */

static const struct cli_opt opts_pool_define[] = {
        CLI_ARG("FILE", "the pool XML ('-': standard input)"),
        CLI_END,
};

static int cmd_pool_define(struct cli *cli, const struct cli_args *a) {
        const char *file = cli_str(a, "FILE");
        storvirt_pool *pool = NULL;
        storvirt_ctx *ctx;
        char *xml = NULL;
        int r;

        r = cli_ctx(cli, &ctx);
        if (r < 0)
                return r;
        r = cli_read_file(cli, file, &xml);
        if (r < 0)
                return r;
        r = storvirt_pool_define_xml(ctx, xml, &pool, 0);
        free(xml);
        if (r < 0)
                return r;
        cli_text(cli, "Pool %s defined from %s", storvirt_pool_get_name(pool), file);
        pool_json_id(cli, pool);
        storvirt_pool_unref(pool);
        return 0;
}

static const struct cli_opt opts_pool_define_as[] = {
        POOL_AS_OPTS,
        CLI_END,
};

/* pool-define-as, pool-create-as: the XML of the options, printed or used. */
static int pool_as(struct cli *cli, const struct cli_args *a, bool create) {
        storvirt_pool *pool = NULL;
        storvirt_ctx *ctx;
        char *xml = NULL;
        int r;

        r = cli_pool_as_xml(cli, a, &xml);
        if (r)
                return r;
        if (cli_given(a, "print-xml")) {
                if (cli->json)
                        cli_field_str(cli, "xml", "XML:", xml);
                else
                        fputs(xml, stdout);
                free(xml);
                return 0;
        }
        r = cli_ctx(cli, &ctx);
        if (r >= 0 && create)
                r = storvirt_pool_create_xml(ctx, xml, &pool, cli_flags(a));
        else if (r >= 0)
                r = storvirt_pool_define_xml(ctx, xml, &pool, 0);
        free(xml);
        if (r < 0)
                return r;
        cli_text(cli, "Pool %s %s", storvirt_pool_get_name(pool), create ? "created" : "defined");
        pool_json_id(cli, pool);
        storvirt_pool_unref(pool);
        return 0;
}

static int cmd_pool_define_as(struct cli *cli, const struct cli_args *a) {
        return pool_as(cli, a, false);
}

static const struct cli_opt opts_pool_create_as[] = {
        POOL_AS_OPTS,
        OPTS_BUILD,
        CLI_END,
};

static int cmd_pool_create_as(struct cli *cli, const struct cli_args *a) {
        return pool_as(cli, a, true);
}

static const struct cli_opt opts_pool_create[] = {
        CLI_ARG("FILE", "the pool XML ('-': standard input)"),
        OPTS_BUILD,
        CLI_END,
};

static int cmd_pool_create(struct cli *cli, const struct cli_args *a) {
        const char *file = cli_str(a, "FILE");
        storvirt_pool *pool = NULL;
        storvirt_ctx *ctx;
        char *xml = NULL;
        int r;

        r = cli_ctx(cli, &ctx);
        if (r < 0)
                return r;
        r = cli_read_file(cli, file, &xml);
        if (r < 0)
                return r;
        r = storvirt_pool_create_xml(ctx, xml, &pool, cli_flags(a));
        free(xml);
        if (r < 0)
                return r;
        cli_text(cli, "Pool %s created from %s", storvirt_pool_get_name(pool), file);
        pool_json_id(cli, pool);
        storvirt_pool_unref(pool);
        return 0;
}

/* A command on one pool: looks it up, calls action, says done. */
static int pool_action(struct cli *cli, const struct cli_args *a,
                       int (*action)(storvirt_pool *, uint32_t), uint32_t flags,
                       const char *done) {
        storvirt_pool *pool = NULL;
        int r;

        r = cli_pool_lookup(cli, cli_str(a, "POOL"), &pool);
        if (r < 0)
                return r;
        r = action(pool, flags);
        if (r >= 0) {
                cli_text(cli, "Pool %s %s", storvirt_pool_get_name(pool), done);
                pool_json_id(cli, pool);
        }
        storvirt_pool_unref(pool);
        return r < 0 ? r : 0;
}

static const struct cli_opt opts_pool_start[] = {
        ARG_POOL,
        OPTS_BUILD,
        CLI_END,
};

static int cmd_pool_start(struct cli *cli, const struct cli_args *a) {
        return pool_action(cli, a, storvirt_pool_start, cli_flags(a), "started");
}

static const struct cli_opt opts_pool_build[] = {
        ARG_POOL,
        { .name = "overwrite", .kind = CLI_BOOL, .group = 1, .flag = STORVIRT_POOL_BUILD_OVERWRITE,
          .help = "allow destroying what is there" },
        { .name = "no-overwrite", .kind = CLI_BOOL, .group = 1,
          .flag = STORVIRT_POOL_BUILD_NO_OVERWRITE, .help = "fail when something is there" },
        CLI_END,
};

static int cmd_pool_build(struct cli *cli, const struct cli_args *a) {
        return pool_action(cli, a, storvirt_pool_build, cli_flags(a), "built");
}

static const struct cli_opt opts_pool[] = {
        ARG_POOL,
        CLI_END,
};

static int cmd_pool_destroy(struct cli *cli, const struct cli_args *a) {
        return pool_action(cli, a, storvirt_pool_stop, 0, "destroyed");
}

static int cmd_pool_undefine(struct cli *cli, const struct cli_args *a) {
        return pool_action(cli, a, storvirt_pool_undefine, 0, "has been undefined");
}

static int cmd_pool_refresh(struct cli *cli, const struct cli_args *a) {
        return pool_action(cli, a, storvirt_pool_refresh, 0, "refreshed");
}

static const struct cli_opt opts_pool_delete[] = {
        ARG_POOL,
        CLI_FLAG_OPT("nonempty", STORVIRT_POOL_DELETE_NONEMPTY, "even when it holds volumes"),
        CLI_END,
};

static int cmd_pool_delete(struct cli *cli, const struct cli_args *a) {
        return pool_action(cli, a, storvirt_pool_delete, cli_flags(a), "deleted");
}

static const struct cli_opt opts_pool_autostart[] = {
        ARG_POOL,
        CLI_BOOL_OPT("disable", "remove the mark"),
        CLI_END,
};

static int cmd_pool_autostart(struct cli *cli, const struct cli_args *a) {
        bool disable = cli_given(a, "disable");
        storvirt_pool *pool = NULL;
        int r;

        r = cli_pool_lookup(cli, cli_str(a, "POOL"), &pool);
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

static const struct cli_opt opts_pool_info[] = {
        ARG_POOL,
        CLI_BOOL_OPT("bytes", "sizes in bytes"),
        CLI_END,
};

static int cmd_pool_info(struct cli *cli, const struct cli_args *a) {
        void (*size)(struct cli *, const char *, const char *, uint64_t) =
                cli_given(a, "bytes") ? cli_field_u64 : cli_field_size;
        storvirt_pool *pool = NULL;
        uint64_t capacity, allocation, available;
        uint32_t state;
        int r, persistent, autostart;

        r = cli_pool_lookup(cli, cli_str(a, "POOL"), &pool);
        if (r < 0)
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
                size(cli, "capacity", "Capacity:", capacity);
                size(cli, "allocation", "Allocation:", allocation);
                size(cli, "available", "Available:", available);
        } else if (cli->json) {
                cli_field_str(cli, "capacity", "Capacity:", NULL);
                cli_field_str(cli, "allocation", "Allocation:", NULL);
                cli_field_str(cli, "available", "Available:", NULL);
        }
out:
        storvirt_pool_unref(pool);
        return r;
}

static const struct cli_opt opts_pool_dumpxml[] = {
        ARG_POOL,
        CLI_FLAG_OPT("inactive", STORVIRT_POOL_XML_INACTIVE,
                     "the stored definition, without runtime values"),
        CLI_END,
};

static int cmd_pool_dumpxml(struct cli *cli, const struct cli_args *a) {
        storvirt_pool *pool = NULL;
        char *xml = NULL;
        int r;

        r = cli_pool_lookup(cli, cli_str(a, "POOL"), &pool);
        if (r < 0)
                return r;
        r = storvirt_pool_get_xml(pool, &xml, cli_flags(a));
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

/* One row of pool-list: what can be read of a pool that may change meanwhile. */
static void pool_list_row(struct cli_table *t, storvirt_pool *p, bool details) {
        uint64_t capacity = 0, allocation = 0, available = 0;
        uint32_t state = STORVIRT_POOL_STATE_INACTIVE;

        if (storvirt_pool_get_info(p, &state, &capacity, &allocation, &available) < 0)
                state = STORVIRT_POOL_STATE_INACTIVE;
        cli_table_row(t);
        cli_table_str(t, storvirt_pool_get_name(p));
        cli_table_str(t, storvirt_pool_get_uuid(p));
        cli_table_str(t, storvirt_pool_get_type(p));
        if (details || t->cli->json)
                cli_table_str(t, pool_state_name(state));
        else
                cli_table_str(t, state == STORVIRT_POOL_STATE_INACTIVE ? "inactive" : "active");
        cli_table_bool(t, storvirt_pool_get_autostart(p) > 0);
        cli_table_bool(t, storvirt_pool_is_persistent(p) > 0);
        if (state == STORVIRT_POOL_STATE_INACTIVE) {
                cli_table_null(t);
                cli_table_null(t);
                cli_table_null(t);
        } else {
                cli_table_size(t, capacity);
                cli_table_size(t, allocation);
                cli_table_size(t, available);
        }
}

static const struct cli_opt opts_pool_list[] = {
        CLI_BOOL_OPT("all", "the active and the inactive pools"),
        CLI_BOOL_OPT("inactive", "only the inactive pools"),
        CLI_FLAG_OPT("persistent", STORVIRT_POOL_LIST_PERSISTENT, "only the persistent pools"),
        CLI_FLAG_OPT("transient", STORVIRT_POOL_LIST_TRANSIENT, "only the transient pools"),
        CLI_FLAG_OPT("autostart", STORVIRT_POOL_LIST_AUTOSTART, "only the autostarted pools"),
        CLI_FLAG_OPT("no-autostart", STORVIRT_POOL_LIST_NO_AUTOSTART,
                     "only the pools not autostarted"),
        CLI_STR_OPT("type", "TYPE", "only the pools of this type"),
        CLI_BOOL_OPT("details", "also persistence, capacity, allocation, available"),
        CLI_BOOL_OPT("uuid", "only the UUIDs, no table"),
        CLI_BOOL_OPT("name", "only the names, no table (with --uuid: \"UUID NAME\")"),
        CLI_END,
};

/* pool-list --name, --uuid: one line per pool, as virsh prints them. */
static void pool_list_plain(storvirt_pool **pools, bool uuid, bool name) {
        for (size_t i = 0; pools[i]; i++)
                printf("%s%s%s\n", uuid ? storvirt_pool_get_uuid(pools[i]) : "",
                       uuid && name ? " " : "", name ? storvirt_pool_get_name(pools[i]) : "");
}

static int cmd_pool_list(struct cli *cli, const struct cli_args *a) {
        bool details = cli_given(a, "details");
        bool uuid = cli_given(a, "uuid"), name = cli_given(a, "name");
        uint32_t flags = cli_flags(a);
        storvirt_pool **pools = NULL;
        storvirt_ctx *ctx;
        struct cli_table t;
        int r;

        if (details && (uuid || name))
                return cli_usage(cli, "%s: give --details or --%s, not both", a->cmd->name,
                                 uuid ? "uuid" : "name");
        /* As in virsh: active pools by default, --inactive only the
         * inactive ones, --all both. */
        if (cli_given(a, "inactive") && !cli_given(a, "all"))
                flags |= STORVIRT_POOL_LIST_INACTIVE;
        else if (!cli_given(a, "all"))
                flags |= STORVIRT_POOL_LIST_ACTIVE;
        r = cli_ctx(cli, &ctx);
        if (r < 0)
                return r;
        r = storvirt_pool_list(ctx, cli_str(a, "type"), &pools, NULL, flags);
        if (r < 0)
                return r;
        if ((uuid || name) && !cli->json) {
                pool_list_plain(pools, uuid, name);
                storvirt_pool_list_free(pools);
                return 0;
        }

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
        for (size_t i = 0; pools[i]; i++)
                pool_list_row(&t, pools[i], details);
        r = cli_table_end(&t);
        storvirt_pool_list_free(pools);
        return r;
}

static const struct cli_opt opts_find_sources[] = {
        CLI_ARG("TYPE", "the pool type"),
        CLI_ARG_OPT("SRCSPEC", "a file with <source> XML saying where to look"),
        CLI_END,
};

static int cmd_find_sources(struct cli *cli, const struct cli_args *a) {
        const char *spec_file = cli_str(a, "SRCSPEC");
        char *spec = NULL, *out = NULL;
        storvirt_ctx *ctx;
        int r;

        if (spec_file && (r = cli_read_file(cli, spec_file, &spec)) < 0)
                return r;
        r = cli_ctx(cli, &ctx);
        if (r >= 0)
                r = storvirt_pool_find_sources(ctx, cli_str(a, "TYPE"), spec, &out, 0);
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

static const struct cli_opt opts_find_sources_as[] = {
        CLI_ARG("TYPE", "the pool type"),
        { .name = "HOST", .kind = CLI_STRING, .flags = CLI_OPERAND, .alias = "host",
          .help = "the host to ask (HOST, HOST:PORT, [IPv6]:PORT)" },
        { .name = "PORT", .kind = CLI_STRING, .flags = CLI_OPERAND, .alias = "port",
          .help = "its port" },
        { .name = "INITIATOR", .kind = CLI_STRING, .flags = CLI_OPERAND, .alias = "initiator",
          .help = "the initiator IQN to ask as (iSCSI)" },
        CLI_END,
};

/* The <source> spec virsh writes for HOST, PORT and INITIATOR; NULL without HOST. */
static int sources_as_spec(struct cli *cli, const struct cli_args *a, char **ret) {
        const char *cmd = a->cmd->name, *host = cli_str(a, "HOST"), *port = cli_str(a, "PORT");
        const char *iqn = cli_str(a, "INITIATOR"), *host_port = NULL;
        char *name = NULL;
        size_t size = 0;
        FILE *f;
        int r;

        *ret = NULL;
        if (!host)
                return port || iqn ? cli_usage(cli, "%s: PORT and INITIATOR need HOST", cmd) : 0;
        r = cli_split_host(cli, cmd, "HOST", host, &name, &host_port);
        if (!r && host_port && port)
                r = cli_usage(cli, "%s: HOST '%s' has a port already", cmd, host);
        if (!r && port && !cli_port_ok(port))
                r = cli_usage(cli, "%s: PORT '%s' is not a number from 1 to 65535", cmd, port);
        f = r ? NULL : open_memstream(ret, &size);
        if (!r && !f)
                r = cli_error(cli, ENOMEM, "out of memory");
        if (f) {
                fputs("<source><host name='", f);
                r = cli_xml_escape(cli, f, "HOST", name);
                fprintf(f, "'%s%s%s/>", host_port || port ? " port='" : "",
                        host_port ? host_port : port ? port : "", host_port || port ? "'" : "");
                if (!r && iqn) {
                        fputs("<initiator><iqn name='", f);
                        r = cli_xml_escape(cli, f, "INITIATOR", iqn);
                        fputs("'/></initiator>", f);
                }
                fputs("</source>", f);
                if (fclose(f) != 0 && !r)
                        r = cli_error(cli, ENOMEM, "out of memory");
        }
        free(name);
        if (r) {
                free(*ret);
                *ret = NULL;
        }
        return r;
}

static int cmd_find_sources_as(struct cli *cli, const struct cli_args *a) {
        char *spec = NULL, *out = NULL;
        storvirt_ctx *ctx;
        int r;

        r = sources_as_spec(cli, a, &spec);
        if (r)
                return r;
        r = cli_ctx(cli, &ctx);
        if (r >= 0)
                r = storvirt_pool_find_sources(ctx, cli_str(a, "TYPE"), spec, &out, 0);
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

/* pool-name UUID, pool-uuid NAME: the one the other names, found only that way. */
static int pool_name_uuid(struct cli *cli, const struct cli_args *a, bool by_uuid) {
        const char *arg = cli_str(a, by_uuid ? "UUID" : "POOL");
        storvirt_pool *pool = NULL;
        storvirt_ctx *ctx;
        int r;

        r = cli_ctx(cli, &ctx);
        if (r < 0)
                return r;
        r = by_uuid ? storvirt_pool_lookup_by_uuid(ctx, arg, &pool)
                    : storvirt_pool_lookup_by_name(ctx, arg, &pool);
        if (r == -ENOENT || r == -EINVAL)
                return cli_error(cli, ENOENT, "failed to get pool '%s': no storage pool with "
                                 "matching %s", arg, by_uuid ? "UUID" : "name");
        if (r < 0)
                return r;
        if (cli->json)
                cli_field_str(cli, by_uuid ? "name" : "uuid", NULL,
                              by_uuid ? storvirt_pool_get_name(pool) : storvirt_pool_get_uuid(pool));
        else
                printf("%s\n", by_uuid ? storvirt_pool_get_name(pool) : storvirt_pool_get_uuid(pool));
        storvirt_pool_unref(pool);
        return 0;
}

static const struct cli_opt opts_pool_name[] = {
        CLI_ARG("UUID", "a pool's UUID"),
        CLI_END,
};

static int cmd_pool_name(struct cli *cli, const struct cli_args *a) {
        return pool_name_uuid(cli, a, true);
}

static const struct cli_opt opts_pool_uuid[] = {
        CLI_ARG("POOL", "a pool's name"),
        CLI_END,
};

static int cmd_pool_uuid(struct cli *cli, const struct cli_args *a) {
        return pool_name_uuid(cli, a, false);
}

const struct cli_command cli_commands_pool[] = {
        { "pool-define", "define a persistent pool from an XML file",
          "FILE holds libvirt pool XML ('-': standard input).  The pool is defined\n"
          "inactive; see pool-build and pool-start.", opts_pool_define, cmd_pool_define },
        { "pool-define-as", "define a persistent pool from options",
          "Writes the pool XML from the options and defines the pool, or with\n"
          "--print-xml only prints the XML.  --source-path is the source directory\n"
          "(<dir path>) of e.g. a netfs pool; --source-protocol-ver its NFS version\n"
          "(<protocol ver>: 3, 4, 4.0, 4.1, 4.2, ...); --source-host may carry a port\n"
          "(HOST:PORT, [IPv6]:PORT).  --source-initiator, --auth-*, --secret-* and\n"
          "--adapter-* write <initiator>, <auth> and <adapter> as virsh does; options\n"
          "that go together must be given together.", opts_pool_define_as,
          cmd_pool_define_as },
        { "pool-create", "create and start a transient pool from an XML file",
          "With --build (implied by --overwrite and --no-overwrite) the pool is built\n"
          "first; --no-overwrite refuses when something is already there.",
          opts_pool_create, cmd_pool_create },
        { "pool-create-as", "create and start a transient pool from options",
          "The options of pool-define-as, and --build, --overwrite, --no-overwrite as\n"
          "for pool-create.", opts_pool_create_as, cmd_pool_create_as },
        { "pool-start", "start an inactive pool",
          "POOL is a pool name or UUID.  --build builds it first (see pool-create).",
          opts_pool_start, cmd_pool_start },
        { "pool-destroy", "stop an active pool",
          "The pool's storage and volumes are left as they are.", opts_pool, cmd_pool_destroy },
        { "pool-undefine", "remove a persistent pool's definition",
          "An active pool stays active, as a transient pool.", opts_pool, cmd_pool_undefine },
        { "pool-build", "create a pool's underlying storage",
          "dir: creates the target directory; fs: makes the file system.  The pool\n"
          "must be inactive.", opts_pool_build, cmd_pool_build },
        { "pool-delete", "destroy an inactive pool's underlying storage",
          "dir: removes the target directory.  A pool that still holds volumes is\n"
          "refused unless --nonempty.", opts_pool_delete, cmd_pool_delete },
        { "pool-refresh", "rescan an active pool's volumes", NULL, opts_pool, cmd_pool_refresh },
        { "pool-list", "list pools",
          "Active pools by default; --inactive lists the inactive ones, --all both.\n"
          "--details adds Persistent, Capacity, Allocation and Available; --name and\n"
          "--uuid print only the names, the UUIDs, or both (\"UUID NAME\"), one pool per\n"
          "line.  The JSON member \"pools\" always has every field.", opts_pool_list,
          cmd_pool_list },
        { "pool-info", "show a pool's state and capacity",
          "--bytes shows the sizes in bytes (the JSON members are bytes anyway).",
          opts_pool_info, cmd_pool_info },
        { "pool-dumpxml", "print a pool's XML",
          "--inactive prints the stored definition without runtime values.",
          opts_pool_dumpxml, cmd_pool_dumpxml },
        { "pool-autostart", "mark a persistent pool to start when the state directory is opened",
          NULL, opts_pool_autostart, cmd_pool_autostart },
        { "find-storage-pool-sources", "find the sources a pool of TYPE could use",
          "SRCSPEC is a file with libvirt <source> XML saying where to look\n"
          "(iscsi, iscsi-direct: <source><host name='' port=''/></source>,\n"
          "SendTargets discovery); logical and scsi need none (the volume groups\n"
          "lvm2 reports; every SCSI host, and the fc_host WWNs of FC ones).\n"
          "Prints a <sources> element.", opts_find_sources, cmd_find_sources },
        { "find-storage-pool-sources-as", "find pool sources, the spec given by options",
          "As find-storage-pool-sources with the spec <source><host name port/>\n"
          "<initiator><iqn name/></initiator></source> that HOST, PORT and INITIATOR\n"
          "make (also --host, --port, --initiator).", opts_find_sources_as,
          cmd_find_sources_as },
        { "pool-name", "print the name of the pool with a UUID", NULL, opts_pool_name,
          cmd_pool_name },
        { "pool-uuid", "print the UUID of the pool with a name", NULL, opts_pool_uuid,
          cmd_pool_uuid },
        { NULL, NULL, NULL, NULL, NULL },
};
