/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storvirt/secret.h - secrets in libvirt's model: the passphrases of
 * encrypted (LUKS) volumes, named by UUID or by their usage.  Include
 * <storvirt.h> instead.
 *
 * A secret is defined from libvirt's secret XML
 *
 *   <secret ephemeral='no' private='yes'>
 *     <uuid>0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f</uuid>
 *     <description>the passphrase of vm1's disk</description>
 *     <usage type='volume'><volume>/srv/images/vm1.img</volume></usage>
 *   </secret>
 *
 * and its value is read from a file descriptor, never passed as a
 * string.  A volume's <encryption><secret type='passphrase'
 * uuid='...'/> names it by UUID, or usage='...' by the usage id of a
 * secret of usage type volume.  Definitions and values are kept in
 * mode 0600 files of the state directory; a value is never returned by
 * any function, logged, or put on a command line: qemu-img receives it
 * through an unnamed mode 0600 file.
 */
#ifndef STORVIRT_SECRET_H
#define STORVIRT_SECRET_H

#include <storvirt/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * storvirt_secret_define_xml:
 * Defines (or redefines) the secret of libvirt secret XML xml; a
 * document without <uuid> gets a new random one.  value_fd >= 0: the
 * value is every byte read from it until end of file (1 to 65536 bytes,
 * taken exactly, a trailing newline included); value_fd -1: a new
 * secret has no value yet, a redefined one keeps its value.
 * *ret_uuid (may be NULL) receives the UUID (storvirt_free()).
 * Errors: -EINVAL naming the element and value, -EOPNOTSUPP
 * (ephemeral='yes'), -EEXIST (the UUID is defined for another usage,
 * or another secret has this usage), -EFBIG (value over 65536 bytes),
 * -EIO, -ENOMEM.  flags: 0.
 * Since: 0.6
 */
int storvirt_secret_define_xml(storvirt_ctx *ctx, const char *xml, int value_fd,
                               char **ret_uuid, uint32_t flags);

/*
 * storvirt_secret_undefine:
 * Removes the secret uuid and its value.  Volumes encrypted with it
 * can no longer be handed out.  -ENOENT when it is not defined.
 * flags: 0.
 * Since: 0.6
 */
int storvirt_secret_undefine(storvirt_ctx *ctx, const char *uuid, uint32_t flags);

/*
 * storvirt_secret_list:
 * The UUIDs of the defined secrets, sorted, NULL-terminated (free with
 * storvirt_strv_free()); *ret_n (may be NULL) their number.  flags: 0.
 * Since: 0.6
 */
int storvirt_secret_list(storvirt_ctx *ctx, char ***ret_uuids, size_t *ret_n, uint32_t flags);

/*
 * storvirt_secret_get_xml:
 * The secret XML of uuid (caller-owned, storvirt_free()), without its
 * value.  -ENOENT when it is not defined.  flags: 0.
 * Since: 0.6
 */
int storvirt_secret_get_xml(storvirt_ctx *ctx, const char *uuid, char **ret_xml,
                            uint32_t flags);

#ifdef __cplusplus
}
#endif

#endif
