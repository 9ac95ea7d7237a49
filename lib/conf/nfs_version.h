/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nfs_version.h - NFS protocol versions as a netfs pool's
 * <protocol ver=''/> holds them and mount.nfs takes them (nfsvers=):
 * a major version "N", or "4.M" for a minor version of NFS 4.
 */
#pragma once

#include <stddef.h>

/* Room for a canonical version text, NUL included ("4294967295.2"). */
#define STORVIRT__NFS_VERSION_MAX 16

/*
 * Checks s: decimal digits for the major version (1 or more, fitting
 * an unsigned int), optionally '.' and the minor version, which only
 * NFS 4 has (0, 1 or 2).  On success writes the canonical text into
 * buf (leading zeros dropped: "04.01" is "4.1"; "4.0" stays "4.0",
 * which is not "4" to mount.nfs) and returns 0.  On failure returns
 * -EINVAL without touching the error state and sets *ret_why to a
 * static phrase to write after the quoted value: " is not an NFS
 * version (...)", ": only NFS version 4 has minor versions", ...
 */
int storvirt__nfs_version_parse(const char *s, char buf[STORVIRT__NFS_VERSION_MAX],
                                const char **ret_why);
