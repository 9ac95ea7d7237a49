/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storvirt/hcl.h - guest-visible storage controllers as OpenHCL's "VTL2
 * settings" describe them: controllers (IDE, SCSI, NVMe) holding LUNs
 * (IDE drives, SCSI LUNs, NVMe namespaces), each backed by nothing (a DVD
 * without media), one physical device, or several striped.  Include
 * <storvirt.h> instead.
 *
 * A document is read from the settings JSON ({"version", "fixed",
 * "dynamic": {"storage_controllers": [...]}}, or a bare list of
 * controllers), built through the C API, checked against every rule of
 * the settings schema (all problems at once, each with upstream's error
 * code and the controller and LUN it concerns), and written back as
 * canonical JSON or in the camelCase form.
 *
 * Where upstream's checks have quirks this library differs, on purpose:
 * SCSI locations are compared as they are (upstream truncates them to 8
 * bits, so LUN 256 collides with LUN 0), and two IDE drives in one slot
 * are always found (upstream compares neighbours after sorting by
 * location only, which misses some).
 */
#ifndef STORVIRT_HCL_H
#define STORVIRT_HCL_H

#include <storvirt/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct storvirt_hcl storvirt_hcl;

/* Controller protocols (upstream's StorageProtocol numbering). */
#define STORVIRT_HCL_PROTOCOL_SCSI 1
#define STORVIRT_HCL_PROTOCOL_IDE 2
#define STORVIRT_HCL_PROTOCOL_NVME 3

/* How a LUN is backed. */
#define STORVIRT_HCL_BACKING_EMPTY 0    /* a DVD without media */
#define STORVIRT_HCL_BACKING_SINGLE 1
#define STORVIRT_HCL_BACKING_STRIPED 2

/* Physical device types (upstream's DeviceType numbering). */
#define STORVIRT_HCL_DEVICE_NVME 1
#define STORVIRT_HCL_DEVICE_VSCSI 2

/*
 * storvirt_hcl_new / storvirt_hcl_parse / storvirt_hcl_free:
 * An empty document (version V1, no controller), or one read from JSON:
 * snake_case or camelCase keys (both spellings of one field in one
 * object is an error), enum names as upstream spells them (also
 * "striped" for "striping") or their numbers, integers also as strings
 * of digits.  Keys of the settings that are not about storage
 * ("nic_devices", the "fixed" tuning fields) are kept and written back
 * unchanged.  Rule violations are not errors here: see
 * storvirt_hcl_validate().  Errors: -EINVAL with the JSON path, the key
 * and why (unknown key, duplicate field, wrong type, bad enum name,
 * negative or out-of-range integer), -EOPNOTSUPP for the namespaced form.
 * flags: 0.  free accepts NULL.
 * Since: 0.4
 */
int storvirt_hcl_new(storvirt_hcl **ret_doc);
int storvirt_hcl_parse(const char *json, storvirt_hcl **ret_doc, uint32_t flags);
void storvirt_hcl_free(storvirt_hcl *doc);

/* Flags of storvirt_hcl_to_json(). */
/* upstream's JSON form: camelCase keys, fields holding their default left out. */
#define STORVIRT_HCL_JSON_CAMEL (1u << 0)
#define STORVIRT_HCL_JSON_PRETTY (1u << 1)

/*
 * storvirt_hcl_to_json:
 * The document as JSON: canonical (snake_case keys, upper-case enum
 * names, 64-bit integers as strings), or upstream's camelCase form.
 * Writing, reading and writing again gives the same bytes.
 * Caller-owned (storvirt_free()).
 * Since: 0.4
 */
int storvirt_hcl_to_json(const storvirt_hcl *doc, char **ret_json, uint32_t flags);

/* Flags of storvirt_hcl_validate(). */
/* Also the checks upstream makes when it applies the settings. */
#define STORVIRT_HCL_VALIDATE_STRICT (1u << 0)

/*
 * storvirt_hcl_validate:
 * Checks every rule and returns how many problems there are (0: valid).
 * *ret_problems (may be NULL) receives a JSON array of {"code", "path",
 * "message"}: code is upstream's "Configuration.<Code>" error id, path
 * names the controller ("controller 0 (SCSI 6c474f47-...)") and the LUN
 * ("LUN 3", "IDE drive 1/0", "namespace 37").  Caller-owned.
 * Since: 0.4
 */
int storvirt_hcl_validate(const storvirt_hcl *doc, char **ret_problems, uint32_t flags);

/*
 * storvirt_hcl_add_controller / storvirt_hcl_add_lun /
 * storvirt_hcl_lun_add_device / storvirt_hcl_lun_set:
 * Build a document.  add_controller appends a controller of protocol
 * (instance_id NULL: a random GUID); add_lun appends a LUN at location
 * (negative: the next free one, 0-based for SCSI and IDE, 1-based for
 * NVMe namespaces; IDE drives fill channel 0 then 1); add_device appends
 * a physical device to the LUN's backing (one device makes it single,
 * a second striped).  lun_set sets any other LUN field by its snake_case
 * name from JSON text ("\"MSFT\"", "4096", "true", "null" to clear).
 * The indexes are positions in the document.  Nothing is checked
 * against the rules until storvirt_hcl_validate().
 * Since: 0.4
 */
int storvirt_hcl_add_controller(storvirt_hcl *doc, int protocol, const char *instance_id,
                                size_t *ret_index);
int storvirt_hcl_add_lun(storvirt_hcl *doc, size_t controller, long location, int is_dvd,
                         size_t *ret_index);
int storvirt_hcl_lun_add_device(storvirt_hcl *doc, size_t controller, size_t lun,
                                int device_type, const char *device_path,
                                uint32_t sub_device_path);
int storvirt_hcl_lun_set(storvirt_hcl *doc, size_t controller, size_t lun, const char *key,
                         const char *json_value);

/*
 * storvirt_hcl_get_n_controllers / storvirt_hcl_get_controller /
 * storvirt_hcl_get_lun / storvirt_hcl_get_device:
 * Read a document.  Strings are borrowed from it.  get_lun gives the
 * location, the IDE channel (-1 when not given), whether it is a DVD, the
 * backing (STORVIRT_HCL_BACKING_*) and the number of physical devices;
 * any pointer may be NULL.  An index out of range is -ENOENT.
 * Since: 0.4
 */
size_t storvirt_hcl_get_n_controllers(const storvirt_hcl *doc);
int storvirt_hcl_get_controller(const storvirt_hcl *doc, size_t controller, int *ret_protocol,
                                const char **ret_instance_id, size_t *ret_n_luns);
int storvirt_hcl_get_lun(const storvirt_hcl *doc, size_t controller, size_t lun,
                         uint32_t *ret_location, int *ret_channel, int *ret_is_dvd,
                         int *ret_backing, size_t *ret_n_devices);
int storvirt_hcl_get_device(const storvirt_hcl *doc, size_t controller, size_t lun,
                            size_t device, int *ret_type, const char **ret_path,
                            uint32_t *ret_sub_device_path);

/* Flags of storvirt_hcl_to_xml(). */
/* Create the device-mapper device of every striped LUN (a side effect on the host). */
#define STORVIRT_HCL_XML_CREATE_STRIPES (1u << 0)

/*
 * storvirt_hcl_to_xml:
 * Compiles a valid document (storvirt_hcl_validate() must find nothing)
 * to a libvirt <devices> element: SCSI controllers become
 * <controller type='scsi' model='virtio-scsi'> with indexes 0..3 in
 * document order, the IDE controller <controller type='ide' index='0'>;
 * each LUN a <disk> (a DVD a cdrom, empty when it has no backing) with a
 * drive address (controller, IDE channel as bus, location as unit), the
 * identity strings as <serial>, and for SCSI <vendor> and <product>.
 * NVMe controllers are -EOPNOTSUPP: libvirt's domain XML has no guest NVMe
 * controller.
 *
 * A physical device is found on this host through map_json (may be NULL):
 * an object whose keys are "DEVICE_PATH/SUB_DEVICE_PATH" or "DEVICE_PATH"
 * and whose values are disk spec sources ({"GUID": ...}, {"vdisk": ...},
 * {"path": ...}, {"pool": ..., "volume": ...}; see storvirt_resolve_disk());
 * a device path that is a vDisk id needs no entry.  Every source goes
 * through resolution, identity checks included.  A striped LUN becomes a
 * device-mapper "striped" device over its members' block devices (chunk
 * size in sectors), created through libdevmapper only with
 * STORVIRT_HCL_XML_CREATE_STRIPES.  Caller-owned (storvirt_free()).
 * Errors: -EINVAL (problems in the document, a striped LUN without the
 * flag, a member that is not a block device), -ENOENT (a device with no
 * map entry, no such storage), -EOPNOTSUPP (NVMe, no device-mapper), and
 * those of resolution.
 * Since: 0.4
 */
int storvirt_hcl_to_xml(storvirt_ctx *ctx, const storvirt_hcl *doc, const char *map_json,
                        char **ret_xml, uint32_t flags);

#ifdef __cplusplus
}
#endif

#endif
