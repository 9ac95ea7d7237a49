/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pool_format.c - writing a pool definition as libvirt writes it (sizes
 * in bytes, mode as four octal digits, defaults filled in), and
 * comparing two definitions.
 */
#include <stdio.h>
#include <string.h>

#include "conf/conf_xml.h"
#include "conf/pool_conf.h"
#include "conf/pool_types.h"
#include "util/macro.h"
#include "util/strv.h"
#include "util/uuid.h"
#include "util/xml.h"

static void write_adapter(storvirt__xml_writer *w, const struct storvirt__pool_adapter *a) {
        storvirt__xml_writer_start(w, "adapter");
        if (a->type == STORVIRT__POOL_ADAPTER_SCSI_HOST) {
                storvirt__xml_writer_attr(w, "type", "scsi_host");
                if (a->name) {
                        storvirt__xml_writer_attr(w, "name", a->name);
                } else {
                        storvirt__xml_writer_start(w, "parentaddr");
                        if (a->unique_id)
                                storvirt__xml_writer_attr_printf(w, "unique_id", "%u",
                                                                 a->unique_id);
                        storvirt__xml_writer_start(w, "address");
                        storvirt__xml_writer_attr_printf(w, "domain", "0x%04x", a->pci_domain);
                        storvirt__xml_writer_attr_printf(w, "bus", "0x%02x", a->pci_bus);
                        storvirt__xml_writer_attr_printf(w, "slot", "0x%02x", a->pci_slot);
                        storvirt__xml_writer_attr_printf(w, "function", "0x%x", a->pci_function);
                        if (a->pci_multifunction != STORVIRT__TRISTATE_ABSENT)
                                storvirt__xml_writer_attr(w, "multifunction",
                                                          a->pci_multifunction ? "on" : "off");
                        storvirt__xml_writer_end(w);
                        storvirt__xml_writer_end(w);
                }
        } else {
                storvirt__xml_writer_attr(w, "type", "fc_host");
                if (a->parent)
                        storvirt__xml_writer_attr(w, "parent", a->parent);
                if (a->parent_wwnn)
                        storvirt__xml_writer_attr(w, "parent_wwnn", a->parent_wwnn);
                if (a->parent_wwpn)
                        storvirt__xml_writer_attr(w, "parent_wwpn", a->parent_wwpn);
                if (a->parent_fabric_wwn)
                        storvirt__xml_writer_attr(w, "parent_fabric_wwn", a->parent_fabric_wwn);
                if (a->managed != STORVIRT__TRISTATE_ABSENT)
                        storvirt__xml_writer_attr(w, "managed", a->managed ? "yes" : "no");
                storvirt__xml_writer_attr(w, "wwnn", a->wwnn);
                storvirt__xml_writer_attr(w, "wwpn", a->wwpn);
        }
        storvirt__xml_writer_end(w);
}

static void write_element_attr(storvirt__xml_writer *w, const char *elem, const char *attr,
                               const char *value) {
        storvirt__xml_writer_start(w, elem);
        storvirt__xml_writer_attr(w, attr, value);
        storvirt__xml_writer_end(w);
}

static void write_devices(storvirt__xml_writer *w, const storvirt__pool_def *def,
                          bool inactive) {
        size_t n = storvirt__strv_length(def->source.devices);

        for (size_t i = 0; i < n; i++) {
                const struct storvirt__pool_device_info *d =
                        def->source.device_info ? &def->source.device_info[i] : NULL;

                storvirt__xml_writer_start(w, "device");
                storvirt__xml_writer_attr(w, "path", def->source.devices[i]);
                if (d && d->part_separator != STORVIRT__TRISTATE_ABSENT)
                        storvirt__xml_writer_attr(w, "part_separator",
                                                  d->part_separator ? "yes" : "no");
                for (size_t j = 0; d && !inactive && j < d->n_free_extents; j++) {
                        storvirt__xml_writer_start(w, "freeExtent");
                        storvirt__xml_writer_attr_printf(w, "start", "%llu",
                                (unsigned long long) d->free_extents[j].start);
                        storvirt__xml_writer_attr_printf(w, "end", "%llu",
                                (unsigned long long) d->free_extents[j].end);
                        storvirt__xml_writer_end(w);
                }
                storvirt__xml_writer_end(w);
        }
}

static void write_auth(storvirt__xml_writer *w, const struct storvirt__pool_auth *auth) {
        char buf[STORVIRT__UUID_STRING_MAX];

        storvirt__xml_writer_start(w, "auth");
        storvirt__xml_writer_attr(w, "type", auth->type);
        storvirt__xml_writer_attr(w, "username", auth->username);
        if (auth->has_secret_uuid)
                write_element_attr(w, "secret", "uuid",
                                   storvirt__uuid_format(&auth->secret_uuid, buf));
        else
                write_element_attr(w, "secret", "usage", auth->secret_usage);
        storvirt__xml_writer_end(w);
}

static void write_source(storvirt__xml_writer *w, const storvirt__pool_def *def,
                         bool inactive) {
        const typeof(def->source) *s = &def->source;

        storvirt__xml_writer_start(w, "source");
        for (size_t i = 0; i < s->n_hosts; i++) {
                storvirt__xml_writer_start(w, "host");
                storvirt__xml_writer_attr(w, "name", s->hosts[i].name);
                if (s->hosts[i].port)
                        storvirt__xml_writer_attr_printf(w, "port", "%d", s->hosts[i].port);
                storvirt__xml_writer_end(w);
        }
        write_devices(w, def, inactive);
        if (s->dir)
                write_element_attr(w, "dir", "path", s->dir);
        if (s->adapter.type != STORVIRT__POOL_ADAPTER_NONE)
                write_adapter(w, &s->adapter);
        if (s->name)
                storvirt__xml_writer_text_element(w, "name", s->name);
        if (s->initiator_iqn) {
                storvirt__xml_writer_start(w, "initiator");
                write_element_attr(w, "iqn", "name", s->initiator_iqn);
                storvirt__xml_writer_end(w);
        }
        if (s->format && (s->format_vendor || s->format_product)) {
                storvirt__xml_writer_start(w, "format");
                storvirt__xml_writer_attr(w, "type", s->format);
                if (s->format_vendor)
                        write_element_attr(w, "vendor", "name", s->format_vendor);
                if (s->format_product)
                        write_element_attr(w, "product", "name", s->format_product);
                storvirt__xml_writer_end(w);
        } else if (s->format) {
                write_element_attr(w, "format", "type", s->format);
        }
        if (s->auth.type)
                write_auth(w, &s->auth);
        if (s->protocol_ver) {
                storvirt__xml_writer_start(w, "protocol");
                storvirt__xml_writer_attr(w, "ver", s->protocol_ver);
                storvirt__xml_writer_end(w);
        }
        if (s->vendor)
                write_element_attr(w, "vendor", "name", s->vendor);
        if (s->product)
                write_element_attr(w, "product", "name", s->product);
        storvirt__xml_writer_end(w);
}

static void write_extensions(storvirt__xml_writer *w, const storvirt__pool_def *def) {
        static const char *const allocations[] = { NULL, "default", "capacity" };

        if (def->refresh_volume_allocation) {
                storvirt__xml_writer_start(w, "refresh");
                write_element_attr(w, "volume", "allocation",
                                   allocations[def->refresh_volume_allocation]);
                storvirt__xml_writer_end(w);
        }
        if (def->fs_mount_opts && def->fs_mount_opts[0]) {
                storvirt__xml_writer_start(w, "fs:mount_opts");
                for (char **o = def->fs_mount_opts; *o; o++)
                        write_element_attr(w, "fs:option", "name", *o);
                storvirt__xml_writer_end(w);
        }
        if (def->n_rbd_config_opts) {
                storvirt__xml_writer_start(w, "rbd:config_opts");
                for (size_t i = 0; i < def->n_rbd_config_opts; i++) {
                        storvirt__xml_writer_start(w, "rbd:option");
                        storvirt__xml_writer_attr(w, "name", def->rbd_config_opts[i].name);
                        storvirt__xml_writer_attr(w, "value", def->rbd_config_opts[i].value);
                        storvirt__xml_writer_end(w);
                }
                storvirt__xml_writer_end(w);
        }
}

static void write_pool(storvirt__xml_writer *w, const storvirt__pool_def *def, bool inactive) {
        char buf[STORVIRT__UUID_STRING_MAX];

        storvirt__xml_writer_start(w, "pool");
        storvirt__xml_writer_attr(w, "type", def->type);
        if (def->fs_mount_opts && def->fs_mount_opts[0])
                storvirt__xml_writer_attr(w, "xmlns:fs", STORVIRT__POOL_FS_NS);
        if (def->n_rbd_config_opts)
                storvirt__xml_writer_attr(w, "xmlns:rbd", STORVIRT__POOL_RBD_NS);
        storvirt__xml_writer_text_element(w, "name", def->name);
        storvirt__xml_writer_text_element(w, "uuid", storvirt__uuid_format(&def->uuid, buf));
        if (!inactive) {
                storvirt__conf_write_size(w, "capacity", "bytes", def->capacity);
                storvirt__conf_write_size(w, "allocation", "bytes", def->allocation);
                storvirt__conf_write_size(w, "available", "bytes", def->available);
        }
        if (def->features.cow != STORVIRT__TRISTATE_ABSENT) {
                storvirt__xml_writer_start(w, "features");
                write_element_attr(w, "cow", "state", def->features.cow ? "yes" : "no");
                storvirt__xml_writer_end(w);
        }
        write_source(w, def, inactive);
        if (storvirt__pool_type_has_target(def->type)) {
                storvirt__xml_writer_start(w, "target");
                storvirt__xml_writer_text_element(w, "path", def->target.path);
                storvirt__conf_write_perms(w, def->target.mode, def->target.owner,
                                           def->target.group, def->target.label);
                storvirt__xml_writer_end(w);
        }
        write_extensions(w, def);
        storvirt__xml_writer_end(w);
}

int storvirt__pool_def_format(const storvirt__pool_def *def, bool inactive, char **ret_xml) {
        _cleanup_xml_writer_ storvirt__xml_writer *w = NULL;
        int r;

        check_nonnull(def);
        check_nonnull(ret_xml);
        r = storvirt__pool_def_check(def);
        if (r < 0)
                return r;
        r = storvirt__xml_writer_new(&w);
        if (r < 0)
                return r;
        write_pool(w, def, inactive);
        r = storvirt__xml_writer_finish(w, ret_xml, NULL);
        if (r < 0)
                return storvirt__error_prefix(WHAT);
        return 0;
}

/* ---- comparison -------------------------------------------------------- */

#define STREQ(a, b) storvirt__conf_streq((a), (b))

static bool device_info_equal(const struct storvirt__pool_device_info *a,
                              const struct storvirt__pool_device_info *b) {
        static const struct storvirt__pool_device_info none = { STORVIRT__TRISTATE_ABSENT };

        a = a ? a : &none;
        b = b ? b : &none;
        if (a->part_separator != b->part_separator || a->n_free_extents != b->n_free_extents)
                return false;
        return a->n_free_extents == 0 ||
               memcmp(a->free_extents, b->free_extents,
                      a->n_free_extents * sizeof(*a->free_extents)) == 0;
}

static bool devices_equal(const storvirt__pool_def *a, const storvirt__pool_def *b) {
        size_t n = storvirt__strv_length(a->source.devices);

        if (n != storvirt__strv_length(b->source.devices))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!STREQ(a->source.devices[i], b->source.devices[i]) ||
                    !device_info_equal(a->source.device_info ? &a->source.device_info[i] : NULL,
                                       b->source.device_info ? &b->source.device_info[i] : NULL))
                        return false;
        return true;
}

static bool adapter_equal(const struct storvirt__pool_adapter *a,
                          const struct storvirt__pool_adapter *b) {
        return a->type == b->type && STREQ(a->name, b->name) &&
               a->has_parentaddr == b->has_parentaddr && a->unique_id == b->unique_id &&
               a->pci_domain == b->pci_domain && a->pci_bus == b->pci_bus &&
               a->pci_slot == b->pci_slot && a->pci_function == b->pci_function &&
               a->pci_multifunction == b->pci_multifunction &&
               STREQ(a->wwnn, b->wwnn) && STREQ(a->wwpn, b->wwpn) &&
               STREQ(a->parent, b->parent) && STREQ(a->parent_wwnn, b->parent_wwnn) &&
               STREQ(a->parent_wwpn, b->parent_wwpn) &&
               STREQ(a->parent_fabric_wwn, b->parent_fabric_wwn) && a->managed == b->managed;
}

static bool auth_equal(const struct storvirt__pool_auth *a, const struct storvirt__pool_auth *b) {
        return STREQ(a->type, b->type) && STREQ(a->username, b->username) &&
               a->has_secret_uuid == b->has_secret_uuid &&
               (!a->has_secret_uuid || storvirt__uuid_equal(&a->secret_uuid, &b->secret_uuid)) &&
               STREQ(a->secret_usage, b->secret_usage);
}

static bool source_equal(const storvirt__pool_def *a, const storvirt__pool_def *b) {
        const typeof(a->source) *x = &a->source, *y = &b->source;

        if (x->n_hosts != y->n_hosts)
                return false;
        for (size_t i = 0; i < x->n_hosts; i++)
                if (!STREQ(x->hosts[i].name, y->hosts[i].name) ||
                    x->hosts[i].port != y->hosts[i].port)
                        return false;
        return devices_equal(a, b) && STREQ(x->dir, y->dir) &&
               adapter_equal(&x->adapter, &y->adapter) && STREQ(x->name, y->name) &&
               STREQ(x->format, y->format) && auth_equal(&x->auth, &y->auth) &&
               STREQ(x->initiator_iqn, y->initiator_iqn) && STREQ(x->protocol_ver, y->protocol_ver) &&
               STREQ(x->vendor, y->vendor) && STREQ(x->product, y->product) &&
               STREQ(x->format_vendor, y->format_vendor) &&
               STREQ(x->format_product, y->format_product);
}

static bool options_equal(const storvirt__pool_def *a, const storvirt__pool_def *b) {
        size_t n = storvirt__strv_length(a->fs_mount_opts);

        if (n != storvirt__strv_length(b->fs_mount_opts) ||
            a->n_rbd_config_opts != b->n_rbd_config_opts)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!STREQ(a->fs_mount_opts[i], b->fs_mount_opts[i]))
                        return false;
        for (size_t i = 0; i < a->n_rbd_config_opts; i++)
                if (!STREQ(a->rbd_config_opts[i].name, b->rbd_config_opts[i].name) ||
                    !STREQ(a->rbd_config_opts[i].value, b->rbd_config_opts[i].value))
                        return false;
        return true;
}

bool storvirt__pool_def_equal(const storvirt__pool_def *a, const storvirt__pool_def *b) {
        if (!a || !b)
                return a == b;
        return STREQ(a->type, b->type) && STREQ(a->name, b->name) &&
               storvirt__uuid_equal(&a->uuid, &b->uuid) && a->capacity == b->capacity &&
               a->allocation == b->allocation && a->available == b->available &&
               a->features.cow == b->features.cow && source_equal(a, b) &&
               STREQ(a->target.path, b->target.path) && a->target.mode == b->target.mode &&
               a->target.owner == b->target.owner && a->target.group == b->target.group &&
               STREQ(a->target.label, b->target.label) &&
               a->refresh_volume_allocation == b->refresh_volume_allocation &&
               options_equal(a, b);
}
