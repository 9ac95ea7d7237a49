/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * disk_names.c - how the disk model's enums are spelled in libvirt's XML
 * and in VDSM's dicts (see disk.h).
 */
#include "conf/disk.h"

const char *const storvirt__disk_type_names[STORVIRT__DISK_TYPE_VOLUME + 1] = {
        [STORVIRT__DISK_TYPE_FILE] = "file",
        [STORVIRT__DISK_TYPE_BLOCK] = "block",
        [STORVIRT__DISK_TYPE_NETWORK] = "network",
        [STORVIRT__DISK_TYPE_VOLUME] = "volume",
};

const char *const storvirt__disk_device_names[STORVIRT__DISK_DEVICE_FLOPPY + 1] = {
        [STORVIRT__DISK_DEVICE_DISK] = "disk",
        [STORVIRT__DISK_DEVICE_LUN] = "lun",
        [STORVIRT__DISK_DEVICE_CDROM] = "cdrom",
        [STORVIRT__DISK_DEVICE_FLOPPY] = "floppy",
};

const char *const storvirt__disk_bus_names[STORVIRT__DISK_BUS_FDC + 1] = {
        [STORVIRT__DISK_BUS_UNSET] = NULL,
        [STORVIRT__DISK_BUS_VIRTIO] = "virtio",
        [STORVIRT__DISK_BUS_SCSI] = "scsi",
        [STORVIRT__DISK_BUS_IDE] = "ide",
        [STORVIRT__DISK_BUS_SATA] = "sata",
        [STORVIRT__DISK_BUS_USB] = "usb",
        [STORVIRT__DISK_BUS_FDC] = "fdc",
};

const char *const storvirt__disk_format_names[STORVIRT__DISK_FORMAT_QCOW2 + 1] = {
        [STORVIRT__DISK_FORMAT_UNSET] = NULL,
        [STORVIRT__DISK_FORMAT_RAW] = "raw",
        [STORVIRT__DISK_FORMAT_QCOW2] = "qcow2",
};

const char *const storvirt__disk_error_policy_xml_names[STORVIRT__DISK_ERROR_POLICY_REPORT + 1] = {
        [STORVIRT__DISK_ERROR_POLICY_UNSET] = NULL,
        [STORVIRT__DISK_ERROR_POLICY_STOP] = "stop",
        [STORVIRT__DISK_ERROR_POLICY_ENOSPACE] = "enospace",
        [STORVIRT__DISK_ERROR_POLICY_REPORT] = "report",
};

const char *const storvirt__disk_error_policy_vdsm_names[STORVIRT__DISK_ERROR_POLICY_REPORT + 1] = {
        [STORVIRT__DISK_ERROR_POLICY_UNSET] = NULL,
        [STORVIRT__DISK_ERROR_POLICY_STOP] = "off",
        [STORVIRT__DISK_ERROR_POLICY_ENOSPACE] = "on",
        [STORVIRT__DISK_ERROR_POLICY_REPORT] = "report",
};

const char *const storvirt__disk_cache_names[STORVIRT__DISK_CACHE_UNSAFE + 1] = {
        [STORVIRT__DISK_CACHE_UNSET] = NULL,
        [STORVIRT__DISK_CACHE_NONE] = "none",
        [STORVIRT__DISK_CACHE_WRITETHROUGH] = "writethrough",
        [STORVIRT__DISK_CACHE_WRITEBACK] = "writeback",
        [STORVIRT__DISK_CACHE_DIRECTSYNC] = "directsync",
        [STORVIRT__DISK_CACHE_UNSAFE] = "unsafe",
};

const char *const storvirt__disk_io_names[STORVIRT__DISK_IO_URING + 1] = {
        [STORVIRT__DISK_IO_UNSET] = NULL,
        [STORVIRT__DISK_IO_NATIVE] = "native",
        [STORVIRT__DISK_IO_THREADS] = "threads",
        [STORVIRT__DISK_IO_URING] = "io_uring",
};

const char *const storvirt__disk_discard_names[STORVIRT__DISK_DISCARD_IGNORE + 1] = {
        [STORVIRT__DISK_DISCARD_UNSET] = NULL,
        [STORVIRT__DISK_DISCARD_UNMAP] = "unmap",
        [STORVIRT__DISK_DISCARD_IGNORE] = "ignore",
};

const char *const storvirt__disk_sgio_names[STORVIRT__DISK_SGIO_FILTERED + 1] = {
        [STORVIRT__DISK_SGIO_UNSET] = NULL,
        [STORVIRT__DISK_SGIO_FILTERED] = "filtered",
};

/* libvirt's <iotune> children, in libvirt's order (the enum's). */
const char *const storvirt__iotune_names[STORVIRT__IOTUNE_N] = {
        [STORVIRT__IOTUNE_TOTAL_BYTES_SEC] = "total_bytes_sec",
        [STORVIRT__IOTUNE_READ_BYTES_SEC] = "read_bytes_sec",
        [STORVIRT__IOTUNE_WRITE_BYTES_SEC] = "write_bytes_sec",
        [STORVIRT__IOTUNE_TOTAL_IOPS_SEC] = "total_iops_sec",
        [STORVIRT__IOTUNE_READ_IOPS_SEC] = "read_iops_sec",
        [STORVIRT__IOTUNE_WRITE_IOPS_SEC] = "write_iops_sec",
};
