/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pool-as.c - the pool XML pool-define-as and pool-create-as write from
 * virsh's options: <source> with its host (and port), device, directory,
 * adapter (scsi_host or fc_host with its parent), name, initiator,
 * format, <auth> and NFS protocol version, and <target>.  Options that
 * only make sense together are checked here (virsh leaves out what is
 * incomplete; storvirt says so); the library checks the rest when the
 * pool is defined.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pool-as.h"

bool cli_port_ok(const char *port) {
        char *end;
        long n;

        if (!*port || strspn(port, "0123456789") != strlen(port))
                return false;
        errno = 0;
        n = strtol(port, &end, 10);
        return !errno && !*end && n >= 1 && n <= 65535;
}

int cli_split_host(struct cli *cli, const char *cmd, const char *what, const char *value,
                   char **ret_name, const char **ret_port) {
        const char *name = value, *end, *colon, *port = NULL;
        size_t len;

        if (value[0] == '[') {
                end = strchr(value, ']');
                if (!end)
                        return cli_usage(cli, "%s: %s '%s': no ']' after the IPv6 address", cmd,
                                         what, value);
                if (end[1] && end[1] != ':')
                        return cli_usage(cli, "%s: %s '%s': unexpected '%s' after ']'", cmd, what,
                                         value, end + 1);
                port = end[1] ? end + 2 : NULL;
                name = value + 1;
                len = (size_t)(end - name);
        } else {
                colon = strchr(value, ':');
                /* two colons or more: an IPv6 address, without a port */
                if (colon && !strchr(colon + 1, ':'))
                        port = colon + 1;
                len = port ? (size_t)(colon - value) : strlen(value);
        }
        if (len == 0)
                return cli_usage(cli, "%s: %s '%s': no host name", cmd, what, value);
        if (port && !*port)
                return cli_usage(cli, "%s: %s '%s': no port after ':'", cmd, what, value);
        if (port && !cli_port_ok(port))
                return cli_usage(cli, "%s: %s '%s': port '%s' is not a number from 1 to 65535",
                                 cmd, what, value, port);
        *ret_name = strndup(name, len);
        if (!*ret_name)
                return cli_error(cli, ENOMEM, "out of memory");
        *ret_port = port;
        return 0;
}

/* The checks of the options that go together beyond what the table says. */
static int check_pool_as(struct cli *cli, const struct cli_args *a) {
        static const char *const parents[] = {
                "adapter-parent", "adapter-parent-wwnn", "adapter-parent-wwpn",
                "adapter-parent-fabric-wwn",
        };
        const char *cmd = a->cmd->name;
        bool auth = cli_given(a, "auth-type");
        bool secret = cli_given(a, "secret-usage") || cli_given(a, "secret-uuid");

        if (auth && !secret)
                return cli_usage(cli, "%s: --auth-type and --auth-username need --secret-usage "
                                      "or --secret-uuid", cmd);
        if (secret && !auth)
                return cli_usage(cli, "%s: --%s needs --auth-type and --auth-username", cmd,
                                 cli_given(a, "secret-usage") ? "secret-usage" : "secret-uuid");
        for (size_t i = 0; i < sizeof(parents) / sizeof(parents[0]); i++)
                if (cli_given(a, parents[i]) && !cli_given(a, "adapter-wwnn"))
                        return cli_usage(cli, "%s: --%s needs --adapter-wwnn and --adapter-wwpn",
                                         cmd, parents[i]);
        return 0;
}

/* " attr='value'" with the value escaped; nothing when value is NULL. */
static int put_attr(struct cli *cli, FILE *f, const char *attr, const char *what,
                    const char *value) {
        if (!value)
                return 0;
        fprintf(f, " %s='", attr);
        if (cli_xml_escape(cli, f, what, value))
                return CLI_USAGE;
        fputc('\'', f);
        return 0;
}

/* "<indent><elem attr='value'/>" when value is given. */
static int put_elem(struct cli *cli, FILE *f, const char *elem, const char *attr,
                    const char *what, const char *value) {
        int r;

        if (!value)
                return 0;
        fprintf(f, "    <%s", elem);
        r = put_attr(cli, f, attr, what, value);
        fputs("/>\n", f);
        return r;
}

static int put_host(struct cli *cli, FILE *f, const char *cmd, const char *value) {
        const char *port = NULL;
        char *name = NULL;
        int r;

        if (!value)
                return 0;
        r = cli_split_host(cli, cmd, "--source-host", value, &name, &port);
        if (r)
                return r;
        fputs("    <host", f);
        r = put_attr(cli, f, "name", "--source-host", name);
        if (!r)
                r = put_attr(cli, f, "port", "--source-host", port);
        fputs("/>\n", f);
        free(name);
        return r;
}

static int put_adapter(struct cli *cli, FILE *f, const struct cli_args *a) {
        static const char *const attrs[][2] = {
                { "parent", "adapter-parent" }, { "parent_wwnn", "adapter-parent-wwnn" },
                { "parent_wwpn", "adapter-parent-wwpn" },
                { "parent_fabric_wwn", "adapter-parent-fabric-wwn" },
                { "wwnn", "adapter-wwnn" }, { "wwpn", "adapter-wwpn" },
        };
        int r = 0;

        if (cli_given(a, "adapter-name")) {
                fputs("    <adapter type='scsi_host'", f);
                r = put_attr(cli, f, "name", "--adapter-name", cli_str(a, "adapter-name"));
        } else if (cli_given(a, "adapter-wwnn")) {
                fputs("    <adapter type='fc_host'", f);
                for (size_t i = 0; !r && i < sizeof(attrs) / sizeof(attrs[0]); i++)
                        r = put_attr(cli, f, attrs[i][0], attrs[i][1], cli_str(a, attrs[i][1]));
        } else {
                return 0;
        }
        fputs("/>\n", f);
        return r;
}

static int put_auth(struct cli *cli, FILE *f, const struct cli_args *a) {
        int r;

        if (!cli_given(a, "auth-type"))
                return 0;
        fputs("    <auth", f);
        r = put_attr(cli, f, "type", "--auth-type", cli_str(a, "auth-type"));
        if (!r)
                r = put_attr(cli, f, "username", "--auth-username", cli_str(a, "auth-username"));
        fputs(">\n      <secret", f);
        if (!r)
                r = put_attr(cli, f, "usage", "--secret-usage", cli_str(a, "secret-usage"));
        if (!r)
                r = put_attr(cli, f, "uuid", "--secret-uuid", cli_str(a, "secret-uuid"));
        fputs("/>\n    </auth>\n", f);
        return r;
}

/* Whether any option gives a part of <source>. */
static bool has_source(const struct cli_args *a) {
        static const char *const opts[] = {
                "source-host", "source-dev", "source-path", "source-name", "source-format",
                "source-initiator", "source-protocol-ver", "auth-type", "adapter-name",
                "adapter-wwnn",
        };

        for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
                if (cli_given(a, opts[i]))
                        return true;
        return false;
}

/* <source>, its children in the order the library writes them. */
static int put_source(struct cli *cli, FILE *f, const struct cli_args *a) {
        const char *name = cli_str(a, "source-name"), *iqn = cli_str(a, "source-initiator");
        int r;

        if (!has_source(a))
                return 0;
        fputs("  <source>\n", f);
        r = put_host(cli, f, a->cmd->name, cli_str(a, "source-host"));
        if (!r)
                r = put_elem(cli, f, "device", "path", "--source-dev", cli_str(a, "source-dev"));
        if (!r)
                r = put_elem(cli, f, "dir", "path", "--source-path", cli_str(a, "source-path"));
        if (!r)
                r = put_adapter(cli, f, a);
        if (!r && name) {
                fputs("    <name>", f);
                r = cli_xml_escape(cli, f, "--source-name", name) ? CLI_USAGE : 0;
                fputs("</name>\n", f);
        }
        if (!r && iqn) {
                fputs("    <initiator>\n  ", f);
                r = put_elem(cli, f, "iqn", "name", "--source-initiator", iqn);
                fputs("    </initiator>\n", f);
        }
        if (!r)
                r = put_elem(cli, f, "format", "type", "--source-format",
                             cli_str(a, "source-format"));
        if (!r)
                r = put_auth(cli, f, a);
        if (!r)
                r = put_elem(cli, f, "protocol", "ver", "--source-protocol-ver",
                             cli_str(a, "source-protocol-ver"));
        fputs("  </source>\n", f);
        return r;
}

int cli_pool_as_xml(struct cli *cli, const struct cli_args *a, char **ret) {
        const char *target = cli_str(a, "target");
        size_t size = 0;
        char *buf = NULL;
        FILE *f;
        int r;

        r = check_pool_as(cli, a);
        if (r)
                return r;
        f = open_memstream(&buf, &size);
        if (!f)
                return cli_error(cli, ENOMEM, "out of memory");
        fputs("<pool type='", f);
        r = cli_xml_escape(cli, f, "TYPE", cli_str(a, "TYPE"));
        fputs("'>\n  <name>", f);
        if (!r)
                r = cli_xml_escape(cli, f, "NAME", cli_str(a, "NAME"));
        fputs("</name>\n", f);
        if (!r)
                r = put_source(cli, f, a);
        if (!r && target) {
                fputs("  <target>\n    <path>", f);
                r = cli_xml_escape(cli, f, "--target", target);
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
