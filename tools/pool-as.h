/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pool-as.h - the pool XML that pool-define-as and pool-create-as write
 * from their options (virsh's), and the <source> spec of
 * find-storage-pool-sources-as.
 */
#pragma once

#include "cli.h"

/* The options of pool-define-as and pool-create-as, in synopsis order. */
#define POOL_AS_OPTS \
        CLI_ARG("NAME", "the pool's name"), \
        CLI_ARG("TYPE", "the pool type (dir, fs, netfs, logical, disk, iscsi, ...)"), \
        CLI_STR_OPT("target", "PATH", "the target path (<target><path>)"), \
        CLI_STR_OPT("source-dev", "DEV", "the source device (<device path>)"), \
        CLI_STR_OPT("source-host", "HOST", "the source host: HOST, HOST:PORT, [IPv6]:PORT"), \
        CLI_STR_OPT("source-path", "PATH", "the source directory (<dir path>)"), \
        CLI_STR_OPT("source-name", "NAME", "the source name (<name>)"), \
        CLI_STR_OPT("source-format", "FORMAT", "the source format (<format type>)"), \
        CLI_STR_OPT("source-initiator", "IQN", "the initiator name (<initiator><iqn>)"), \
        { .name = "auth-type", .kind = CLI_STRING, .arg = "TYPE", .together = 10, \
          .help = "<auth type>: chap (iscsi), ceph (rbd)" }, \
        { .name = "auth-username", .kind = CLI_STRING, .arg = "USER", .together = 10, \
          .help = "<auth username>" }, \
        { .name = "secret-usage", .kind = CLI_STRING, .arg = "USAGE", .group = 10, \
          .help = "the secret of <auth>, by usage" }, \
        { .name = "secret-uuid", .kind = CLI_STRING, .arg = "UUID", .group = 10, \
          .help = "the secret of <auth>, by UUID" }, \
        CLI_STR_OPT("source-protocol-ver", "VER", "the NFS version (<protocol ver>: 3, 4.1)"), \
        { .name = "adapter-name", .kind = CLI_STRING, .arg = "NAME", .group = 11, \
          .help = "a scsi_host adapter (scsi_hostN)" }, \
        { .name = "adapter-wwnn", .kind = CLI_STRING, .arg = "WWNN", .group = 11, \
          .together = 11, .help = "an fc_host adapter's WWNN" }, \
        { .name = "adapter-wwpn", .kind = CLI_STRING, .arg = "WWPN", .group = 11, \
          .together = 11, .help = "an fc_host adapter's WWPN" }, \
        { .name = "adapter-parent", .kind = CLI_STRING, .arg = "PARENT", .group = 12, \
          .help = "the fc_host's parent scsi_hostN" }, \
        { .name = "adapter-parent-wwnn", .kind = CLI_STRING, .arg = "WWNN", .group = 12, \
          .together = 12, .help = "the parent's WWNN" }, \
        { .name = "adapter-parent-wwpn", .kind = CLI_STRING, .arg = "WWPN", .group = 12, \
          .together = 12, .help = "the parent's WWPN" }, \
        { .name = "adapter-parent-fabric-wwn", .kind = CLI_STRING, .arg = "WWN", .group = 12, \
          .help = "the fabric of the parent" }, \
        CLI_BOOL_OPT("print-xml", "print the pool XML, change nothing")

/* The pool XML of those options (caller frees); 0, CLI_USAGE or -errno. */
int cli_pool_as_xml(struct cli *cli, const struct cli_args *a, char **ret);

/*
 * Splits HOST, HOST:PORT, [IPv6] or [IPv6]:PORT (an address with more
 * than one ':' and no brackets is an IPv6 address without a port).
 * *ret_name is allocated; *ret_port points into value, or is NULL.
 * what names the value in messages ("--source-host").
 */
int cli_split_host(struct cli *cli, const char *cmd, const char *what, const char *value,
                   char **ret_name, const char **ret_port);
/* Whether port is a TCP port: 1-65535, in decimal. */
bool cli_port_ok(const char *port);
