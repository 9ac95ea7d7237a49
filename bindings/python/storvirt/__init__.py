# SPDX-License-Identifier: LGPL-2.1-or-later
"""Python bindings for libstorvirt (storage management for virtual machines).

This is a pure ctypes module: it needs only the shared library
``libstorvirt.so.0``, located in this order:

1. ``$STORVIRT_LIBRARY``: the path of the library file to load;
2. when this package sits in the libstorvirt source tree and
   ``$STORVIRT_BUILD_DIR`` is set: ``libstorvirt.so.0`` under that build
   directory (a relative value is taken relative to the source root);
3. ``libstorvirt.so.0`` from the system's library search path.

Every failure of the C library is raised as :class:`StorvirtError`, a
subclass of :class:`OSError` carrying ``errno`` and the library's message
in ``strerror``.  For errno values that Python maps to a specific
:class:`OSError` subclass (ENOENT, EACCES, ...), the raised exception is
also an instance of that subclass, so both ``except StorvirtError`` and
``except FileNotFoundError`` work.

Strings are passed and returned as ``str`` (UTF-8).  Paths also accept
``bytes`` and path-like objects; paths that are not valid UTF-8 are
returned with surrogate escapes, like :func:`os.fsdecode`.
"""

import atexit
import collections
import collections.abc
import contextlib
import ctypes
import enum
import errno as _errno
import io
import itertools
import json as _json
import operator
import os
import stat
import tempfile as _tempfile
import threading
import uuid as _uuid
import weakref
from ctypes import (
    CFUNCTYPE,
    POINTER,
    byref,
    c_char_p,
    c_int,
    c_size_t,
    c_uint,
    c_uint32,
    c_uint64,
    c_void_p,
)

__all__ = [
    "Connection",
    "Context",
    "Event",
    "HclSettings",
    "VDisk",
    "Devnum",
    "DiskSpec",
    "Hctl",
    "IscsiSession",
    "LvmPv",
    "Lun",
    "LunPath",
    "LunStatus",
    "Pool",
    "PoolInfo",
    "ResolveError",
    "StorvirtError",
    "Volume",
    "VolumeInfo",
    "abi_version",
    "event_type_name",
    "library_path",
    "pool_xml_canonicalize",
    "units_format",
    "units_parse",
    "version",
    "volume_xml_canonicalize",
    "STORVIRT_VERSION_MAJOR",
    "STORVIRT_VERSION_MINOR",
    "STORVIRT_VERSION_MICRO",
    "STORVIRT_LOG_ERR",
    "STORVIRT_LOG_WARNING",
    "STORVIRT_LOG_NOTICE",
    "STORVIRT_LOG_INFO",
    "STORVIRT_LOG_DEBUG",
    "STORVIRT_CTX_NEW_IGNORE_ENV",
    "STORVIRT_CTX_NEW_NO_AUTOSTART",
    "STORVIRT_UNITS_FORMAT_HUMAN",
]

# --------------------------------------------------------------------------
# Constants from the C headers.

# The API version these bindings were written against (storvirt/common.h).
# The version of the loaded library is version().
STORVIRT_VERSION_MAJOR = 0
STORVIRT_VERSION_MINOR = 6
STORVIRT_VERSION_MICRO = 0

# storvirt/ctx.h: log priorities (syslog numbers).
STORVIRT_LOG_ERR = 3
STORVIRT_LOG_WARNING = 4
STORVIRT_LOG_NOTICE = 5
STORVIRT_LOG_INFO = 6
STORVIRT_LOG_DEBUG = 7

# storvirt/ctx.h: flags of storvirt_ctx_new().
STORVIRT_CTX_NEW_IGNORE_ENV = 1 << 0
STORVIRT_CTX_NEW_NO_AUTOSTART = 1 << 1

# storvirt/units.h: flags of storvirt_units_format().
STORVIRT_UNITS_FORMAT_HUMAN = 1 << 0

# storvirt/pool.h: pool states (libvirt's numbering).
STORVIRT_POOL_STATE_INACTIVE = 0
STORVIRT_POOL_STATE_BUILDING = 1
STORVIRT_POOL_STATE_RUNNING = 2
STORVIRT_POOL_STATE_DEGRADED = 3
STORVIRT_POOL_STATE_INACCESSIBLE = 4

# storvirt/pool.h: flags of storvirt_pool_create_xml() and storvirt_pool_start().
STORVIRT_POOL_CREATE_BUILD = 1 << 0
STORVIRT_POOL_CREATE_BUILD_OVERWRITE = 1 << 1
STORVIRT_POOL_CREATE_BUILD_NO_OVERWRITE = 1 << 2

# storvirt/pool.h: flags of storvirt_pool_build().
STORVIRT_POOL_BUILD_OVERWRITE = 1 << 0
STORVIRT_POOL_BUILD_NO_OVERWRITE = 1 << 1

# storvirt/pool.h: flags of storvirt_pool_delete().
STORVIRT_POOL_DELETE_NONEMPTY = 1 << 0

# storvirt/pool.h: filter flags of storvirt_pool_list().
STORVIRT_POOL_LIST_ACTIVE = 1 << 0
STORVIRT_POOL_LIST_INACTIVE = 1 << 1
STORVIRT_POOL_LIST_PERSISTENT = 1 << 2
STORVIRT_POOL_LIST_TRANSIENT = 1 << 3
STORVIRT_POOL_LIST_AUTOSTART = 1 << 4
STORVIRT_POOL_LIST_NO_AUTOSTART = 1 << 5

# storvirt/pool.h: flags of storvirt_pool_get_xml().
STORVIRT_POOL_XML_INACTIVE = 1 << 0

# storvirt/volume.h: volume types (libvirt's numbering).
STORVIRT_VOLUME_TYPE_FILE = 0
STORVIRT_VOLUME_TYPE_BLOCK = 1
STORVIRT_VOLUME_TYPE_DIR = 2
STORVIRT_VOLUME_TYPE_NETWORK = 3
STORVIRT_VOLUME_TYPE_NETDIR = 4
STORVIRT_VOLUME_TYPE_PLOOP = 5

# storvirt/volume.h: flags of storvirt_volume_create_xml() and _create_xml_from().
STORVIRT_VOLUME_CREATE_PREALLOC_METADATA = 1 << 0
STORVIRT_VOLUME_CREATE_REFLINK = 1 << 1
STORVIRT_VOLUME_CREATE_NO_COW = 1 << 2

# storvirt/volume.h: flags of storvirt_volume_delete().
STORVIRT_VOLUME_DELETE_ZEROED = 1 << 0
STORVIRT_VOLUME_DELETE_FORCE = 1 << 1
STORVIRT_VOLUME_DELETE_WITH_SNAPSHOTS = 1 << 2

# storvirt/volume.h: flags of storvirt_volume_resize().
STORVIRT_VOLUME_RESIZE_ALLOCATE = 1 << 0
STORVIRT_VOLUME_RESIZE_DELTA = 1 << 1
STORVIRT_VOLUME_RESIZE_SHRINK = 1 << 2

# storvirt/volume.h: flags of storvirt_volume_upload() and _download().
STORVIRT_VOLUME_TRANSFER_SPARSE = 1 << 0

# storvirt/lun.h: usage status (storvirt_lun_get_status(); Lun.status).
STORVIRT_LUN_STATUS_FREE = 0
STORVIRT_LUN_STATUS_USED = 1
STORVIRT_LUN_STATUS_UNKNOWN = 2

# storvirt/lun.h: flags of storvirt_lun_list().
STORVIRT_LUN_LIST_FREE = 1 << 0
STORVIRT_LUN_LIST_REFRESH = 1 << 1

# storvirt/lun.h: flags of storvirt_lun_get_json() and storvirt_lun_list_to_json().
STORVIRT_LUN_JSON_PRETTY = 1 << 0

# storvirt/resolve.h: flags of storvirt_resolve_disk() and storvirt_resolve_vm().
STORVIRT_RESOLVE_DICT = 1 << 0
STORVIRT_RESOLVE_NO_REFRESH = 1 << 1
STORVIRT_RESOLVE_WARNINGS = 1 << 2
STORVIRT_RESOLVE_NO_RELABEL = 1 << 3
STORVIRT_RESOLVE_LEASES = 1 << 4

# storvirt/lease.h (0.6): flags of storvirt_lockspace_status() and
# storvirt_vdisk_lease_status().
STORVIRT_LOCKSPACE_STATUS_PRETTY = 1 << 0
STORVIRT_VDISK_LEASE_STATUS_PRETTY = 1 << 0

# storvirt/lun.h (0.4): only LUNs that back no vDisk.
STORVIRT_LUN_LIST_UNATTACHED = 1 << 2

# storvirt/connection.h: types and flags.
STORVIRT_CONNECTION_ISCSI = 1
STORVIRT_CONNECTION_NFS = 2
STORVIRT_CONNECTION_POSIXFS = 3
STORVIRT_CONNECTION_LOCALFS = 4
STORVIRT_CONNECTION_FCP = 5
STORVIRT_CONNECTION_GLUSTERFS = 7
STORVIRT_CONNECTION_RBD = 8
STORVIRT_CONNECTION_DEFINE_REPLACE = 1 << 0
STORVIRT_CONNECTION_JSON_PRETTY = 1 << 0
STORVIRT_CONNECTION_JSON_VDSM = 1 << 1
STORVIRT_CONNECTION_FORCE = 1 << 0
STORVIRT_CONNECTION_LIST_INVALID = 1 << 0
STORVIRT_ISCSI_DISCOVER_VDSM = 1 << 0

# storvirt/hcl.h: guest-visible storage controllers.
STORVIRT_HCL_PROTOCOL_SCSI = 1
STORVIRT_HCL_PROTOCOL_IDE = 2
STORVIRT_HCL_PROTOCOL_NVME = 3
STORVIRT_HCL_BACKING_EMPTY = 0
STORVIRT_HCL_BACKING_SINGLE = 1
STORVIRT_HCL_BACKING_STRIPED = 2
STORVIRT_HCL_DEVICE_NVME = 1
STORVIRT_HCL_DEVICE_VSCSI = 2
STORVIRT_HCL_JSON_CAMEL = 1 << 0
STORVIRT_HCL_JSON_PRETTY = 1 << 1
STORVIRT_HCL_VALIDATE_STRICT = 1 << 0
STORVIRT_HCL_XML_CREATE_STRIPES = 1 << 0

# storvirt/vdisk.h: flags.
STORVIRT_VDISK_IMPORT_SHARED = 1 << 0
STORVIRT_VDISK_IMPORT_READONLY = 1 << 1
STORVIRT_VDISK_IMPORT_NO_REFRESH = 1 << 2
STORVIRT_VDISK_JSON_PRETTY = 1 << 0
STORVIRT_VDISK_FORCE = 1 << 0
STORVIRT_VDISK_DELETE_STORAGE = 1 << 1
STORVIRT_VDISK_ATTACH_HOTPLUG = 1 << 0
STORVIRT_VDISK_PREPARE_MIGRATION = 1 << 0      # 0.6
STORVIRT_VDISK_PREPARE_HA_RESTART = 1 << 1     # 0.6

# storvirt/event.h (0.6): kinds (filter bits), types, info bits.
STORVIRT_EVENT_KIND_POOL = 1 << 0
STORVIRT_EVENT_KIND_VOLUME = 1 << 1
STORVIRT_EVENT_KIND_LUN = 1 << 2
STORVIRT_EVENT_KIND_VDISK = 1 << 3
STORVIRT_EVENT_POOL_DEFINED = 1
STORVIRT_EVENT_POOL_UNDEFINED = 2
STORVIRT_EVENT_POOL_STARTED = 3
STORVIRT_EVENT_POOL_STOPPED = 4
STORVIRT_EVENT_POOL_CREATED = 5
STORVIRT_EVENT_POOL_DELETED = 6
STORVIRT_EVENT_POOL_REFRESHED = 7
STORVIRT_EVENT_VOLUME_CREATED = 32
STORVIRT_EVENT_VOLUME_DELETED = 33
STORVIRT_EVENT_VOLUME_RESIZED = 34
STORVIRT_EVENT_VOLUME_WIPED = 35
STORVIRT_EVENT_LUN_ADDED = 64
STORVIRT_EVENT_LUN_REMOVED = 65
STORVIRT_EVENT_LUN_PATH_CHANGED = 66
STORVIRT_EVENT_LUN_RESIZED = 67
STORVIRT_EVENT_VDISK_IMPORTED = 96
STORVIRT_EVENT_VDISK_DELETED = 97
STORVIRT_EVENT_VDISK_SNAPSHOT_ADDED = 98
STORVIRT_EVENT_VDISK_IMAGE_REMOVED = 99
STORVIRT_EVENT_VDISK_ATTACHED = 100
STORVIRT_EVENT_VDISK_DETACHED = 101
STORVIRT_EVENT_VDISK_PREPARED = 102
STORVIRT_EVENT_VDISK_RELEASED = 103
STORVIRT_EVENT_INFO_LOCAL = 1 << 0
STORVIRT_EVENT_INFO_RESCAN = 1 << 1
STORVIRT_EVENT_JSON_PRETTY = 1 << 0

__all__ += [_n for _n in list(globals())
            if _n.startswith(("STORVIRT_POOL_", "STORVIRT_VOLUME_", "STORVIRT_LUN_",
                              "STORVIRT_RESOLVE_", "STORVIRT_CONNECTION_", "STORVIRT_VDISK_",
                              "STORVIRT_ISCSI_", "STORVIRT_HCL_", "STORVIRT_EVENT_",
                              "STORVIRT_LOCKSPACE_"))]

_SONAME = "libstorvirt.so.0"
_UINT32_MAX = (1 << 32) - 1
_UINT64_MAX = (1 << 64) - 1

# --------------------------------------------------------------------------
# Locating and loading the library.


def _source_root():
    """The libstorvirt source root if this package sits in it, else None."""
    pkg_dir = os.path.dirname(os.path.abspath(__file__))  # <root>/bindings/python/storvirt
    root = os.path.dirname(os.path.dirname(os.path.dirname(pkg_dir)))
    if os.path.isfile(os.path.join(root, "include", "storvirt.h")) and os.path.isfile(
        os.path.join(root, "lib", "libstorvirt.sym")
    ):
        return root
    return None


def _find_in_build_dir(build_dir):
    """The path of libstorvirt.so.0 under build_dir, or None."""
    for sub in ("lib", ""):
        cand = os.path.join(build_dir, sub, _SONAME)
        if os.path.isfile(cand):
            return cand
    # Any other layout: a bounded search of the build tree.
    base_depth = build_dir.rstrip(os.sep).count(os.sep)
    for dirpath, dirnames, filenames in os.walk(build_dir):
        if _SONAME in filenames:
            return os.path.join(dirpath, _SONAME)
        if dirpath.count(os.sep) - base_depth >= 3:
            dirnames[:] = []
        else:
            dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "meson-")))
    return None


def _load_library():
    """Returns (CDLL, description of where it came from)."""
    path = os.environ.get("STORVIRT_LIBRARY")
    if path:
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            raise ImportError("cannot load $STORVIRT_LIBRARY=%r: %s" % (path, e)) from e

    build_dir = os.environ.get("STORVIRT_BUILD_DIR")
    if build_dir:
        root = _source_root()
        if root is not None:
            build_dir = os.path.join(root, build_dir)  # no-op when absolute
            cand = _find_in_build_dir(build_dir)
            if cand is None:
                raise ImportError(
                    "no %s under $STORVIRT_BUILD_DIR (%s); build the library first"
                    % (_SONAME, build_dir)
                )
            try:
                return ctypes.CDLL(cand), cand
            except OSError as e:
                raise ImportError("cannot load %s: %s" % (cand, e)) from e

    try:
        return ctypes.CDLL(_SONAME), _SONAME
    except OSError as e:
        raise ImportError(
            "cannot load %s (set $STORVIRT_LIBRARY to its path): %s" % (_SONAME, e)
        ) from e


_lib, library_path = _load_library()
library_path = str(library_path)  # where the library was loaded from

# --------------------------------------------------------------------------
# C types and prototypes.


class _Ctx(c_void_p):
    """Opaque storvirt_ctx * (a c_void_p subclass, so never converted to int)."""


class _Pool(c_void_p):
    """Opaque storvirt_pool *."""


class _Vol(c_void_p):
    """Opaque storvirt_volume *."""


class _Lun(c_void_p):
    """Opaque storvirt_lun *."""


class _LunPathPtr(c_void_p):
    """Opaque const storvirt_lun_path * (borrowed from its storvirt_lun)."""


class _Conn(c_void_p):
    pass


class _VDisk(c_void_p):
    pass


class _Hcl(c_void_p):
    pass


class _DiskSpecPtr(c_void_p):
    """Opaque storvirt_disk_spec * (owned by one DiskSpec, not refcounted)."""


_destroy_fn = CFUNCTYPE(None, c_void_p)
_log_fn = CFUNCTYPE(None, _Ctx, c_int, c_char_p, c_void_p)
_progress_fn = CFUNCTYPE(c_int, c_uint64, c_uint64, c_void_p)
_event_fn = CFUNCTYPE(None, _Ctx, c_void_p, c_void_p)

_c_char_pp = POINTER(c_char_p)
_c_char_ppp = POINTER(_c_char_pp)
_c_u32_p = POINTER(c_uint32)
_c_u64_p = POINTER(c_uint64)
_c_uint_p = POINTER(c_uint)
_c_int_p = POINTER(c_int)

_PROTOTYPES = (
    # storvirt/common.h
    ("storvirt_version", c_char_p, ()),
    ("storvirt_version_abi", c_char_p, ()),
    ("storvirt_free", None, (c_void_p,)),
    ("storvirt_strv_free", None, (_c_char_pp,)),
    ("storvirt_error_message", c_char_p, ()),
    ("storvirt_error_errno", c_int, ()),
    ("storvirt_error_clear", None, ()),
    # storvirt/ctx.h
    ("storvirt_ctx_new", c_int, (POINTER(_Ctx), c_uint32)),
    ("storvirt_ctx_ref", _Ctx, (_Ctx,)),
    ("storvirt_ctx_unref", _Ctx, (_Ctx,)),
    ("storvirt_ctx_set_state_dir", c_int, (_Ctx, c_char_p, c_uint32)),
    ("storvirt_ctx_get_state_dir", c_int, (_Ctx, _c_char_pp)),
    ("storvirt_ctx_set_log_fn", c_int, (_Ctx, _log_fn, c_void_p, _destroy_fn)),
    ("storvirt_ctx_set_log_priority", c_int, (_Ctx, c_int)),
    ("storvirt_ctx_get_log_priority", c_int, (_Ctx,)),
    ("storvirt_ctx_list_pool_types", c_int, (_Ctx, _c_char_ppp, POINTER(c_size_t), c_uint32)),
    ("storvirt_ctx_pool_type_supports", c_int, (_Ctx, c_char_p, c_char_p)),
    # storvirt/units.h
    ("storvirt_units_parse", c_int, (c_char_p, c_char_p, c_uint64, POINTER(c_uint64), c_uint32)),
    ("storvirt_units_format", c_int, (c_uint64, POINTER(c_void_p), c_uint32)),
)

# STORVIRT_0.2: pools and volumes.  A library without them still loads;
# calling into a missing function raises StorvirtError(ENOSYS).
_PROTOTYPES_0_2 = (
    # storvirt/ctx.h
    ("storvirt_ctx_set_max_threads", c_int, (_Ctx, c_uint32)),
    ("storvirt_ctx_get_max_threads", c_int, (_Ctx,)),
    # storvirt/pool.h
    ("storvirt_pool_define_xml", c_int, (_Ctx, c_char_p, POINTER(_Pool), c_uint32)),
    ("storvirt_pool_create_xml", c_int, (_Ctx, c_char_p, POINTER(_Pool), c_uint32)),
    ("storvirt_pool_undefine", c_int, (_Pool, c_uint32)),
    ("storvirt_pool_build", c_int, (_Pool, c_uint32)),
    ("storvirt_pool_start", c_int, (_Pool, c_uint32)),
    ("storvirt_pool_stop", c_int, (_Pool, c_uint32)),
    ("storvirt_pool_delete", c_int, (_Pool, c_uint32)),
    ("storvirt_pool_refresh", c_int, (_Pool, c_uint32)),
    ("storvirt_pool_set_autostart", c_int, (_Pool, c_int)),
    ("storvirt_pool_get_autostart", c_int, (_Pool,)),
    ("storvirt_pool_lookup_by_name", c_int, (_Ctx, c_char_p, POINTER(_Pool))),
    ("storvirt_pool_lookup_by_uuid", c_int, (_Ctx, c_char_p, POINTER(_Pool))),
    ("storvirt_pool_lookup_by_target_path", c_int, (_Ctx, c_char_p, POINTER(_Pool))),
    ("storvirt_pool_list", c_int,
     (_Ctx, c_char_p, POINTER(POINTER(_Pool)), POINTER(c_size_t), c_uint32)),
    ("storvirt_pool_list_free", None, (POINTER(_Pool),)),
    ("storvirt_pool_ref", _Pool, (_Pool,)),
    ("storvirt_pool_unref", _Pool, (_Pool,)),
    ("storvirt_pool_get_name", c_char_p, (_Pool,)),
    ("storvirt_pool_get_uuid", c_char_p, (_Pool,)),
    ("storvirt_pool_get_type", c_char_p, (_Pool,)),
    ("storvirt_pool_get_target_path", c_char_p, (_Pool,)),
    ("storvirt_pool_get_ctx", _Ctx, (_Pool,)),
    ("storvirt_pool_get_info", c_int, (_Pool, _c_u32_p, _c_u64_p, _c_u64_p, _c_u64_p)),
    ("storvirt_pool_is_active", c_int, (_Pool,)),
    ("storvirt_pool_is_persistent", c_int, (_Pool,)),
    ("storvirt_pool_get_xml", c_int, (_Pool, POINTER(c_void_p), c_uint32)),
    # storvirt/volume.h
    ("storvirt_pool_list_volumes", c_int,
     (_Pool, POINTER(POINTER(_Vol)), POINTER(c_size_t), c_uint32)),
    ("storvirt_volume_list_free", None, (POINTER(_Vol),)),
    ("storvirt_volume_lookup_by_name", c_int, (_Pool, c_char_p, POINTER(_Vol))),
    ("storvirt_volume_lookup_by_key", c_int, (_Ctx, c_char_p, POINTER(_Vol))),
    ("storvirt_volume_lookup_by_path", c_int, (_Ctx, c_char_p, POINTER(_Vol))),
    ("storvirt_volume_create_xml", c_int,
     (_Pool, c_char_p, POINTER(_Vol), _progress_fn, c_void_p, c_uint32)),
    ("storvirt_volume_create_xml_from", c_int,
     (_Pool, c_char_p, _Vol, POINTER(_Vol), _progress_fn, c_void_p, c_uint32)),
    ("storvirt_volume_delete", c_int, (_Vol, c_uint32)),
    ("storvirt_volume_wipe", c_int, (_Vol, _progress_fn, c_void_p, c_uint32)),
    ("storvirt_volume_resize", c_int, (_Vol, c_uint64, c_uint32)),
    ("storvirt_volume_get_info", c_int, (_Vol, _c_u32_p, _c_u64_p, _c_u64_p, _c_u64_p)),
    ("storvirt_volume_get_xml", c_int, (_Vol, POINTER(c_void_p), c_uint32)),
    ("storvirt_volume_get_name", c_char_p, (_Vol,)),
    ("storvirt_volume_get_key", c_char_p, (_Vol,)),
    ("storvirt_volume_get_path", c_char_p, (_Vol,)),
    ("storvirt_volume_get_format", c_char_p, (_Vol,)),
    ("storvirt_volume_get_pool", _Pool, (_Vol,)),
    ("storvirt_volume_upload", c_int,
     (_Vol, c_int, c_uint64, c_uint64, _progress_fn, c_void_p, c_uint32)),
    ("storvirt_volume_download", c_int,
     (_Vol, c_int, c_uint64, c_uint64, _progress_fn, c_void_p, c_uint32)),
    ("storvirt_volume_ref", _Vol, (_Vol,)),
    ("storvirt_volume_unref", _Vol, (_Vol,)),
)

# STORVIRT_0.3: LUNs and device resolution.  Handled like STORVIRT_0.2.
_PROTOTYPES_0_3 = (
    ("storvirt_lun_refresh", c_int, (_Ctx, c_uint32)),
    ("storvirt_lun_list", c_int,
     (_Ctx, c_char_p, POINTER(POINTER(_Lun)), POINTER(c_size_t), c_uint32)),
    ("storvirt_lun_list_free", None, (POINTER(_Lun),)),
    ("storvirt_lun_lookup_by_guid", c_int, (_Ctx, c_char_p, POINTER(_Lun))),
    ("storvirt_lun_lookup_by_path", c_int, (_Ctx, c_char_p, POINTER(_Lun))),
    ("storvirt_lun_lookup_by_devnum", c_int, (_Ctx, c_uint, c_uint, POINTER(_Lun))),
    ("storvirt_lun_lookup_by_fs_uuid", c_int, (_Ctx, c_char_p, POINTER(_Lun))),
    ("storvirt_lun_ref", _Lun, (_Lun,)),
    ("storvirt_lun_unref", _Lun, (_Lun,)),
    ("storvirt_lun_get_guid", c_char_p, (_Lun,)),
    ("storvirt_lun_get_devnode", c_char_p, (_Lun,)),
    ("storvirt_lun_get_name", c_char_p, (_Lun,)),
    ("storvirt_lun_get_devtype", c_char_p, (_Lun,)),
    ("storvirt_lun_get_dm_name", c_char_p, (_Lun,)),
    ("storvirt_lun_get_loop_backing", c_char_p, (_Lun,)),
    ("storvirt_lun_get_devnum", c_int, (_Lun, _c_uint_p, _c_uint_p)),
    ("storvirt_lun_get_inquiry", c_int, (_Lun, _c_char_pp, _c_char_pp, _c_char_pp, _c_char_pp)),
    ("storvirt_lun_get_geometry", c_int,
     (_Lun, _c_u64_p, _c_uint_p, _c_uint_p, _c_u64_p, _c_int_p)),
    ("storvirt_lun_get_status", c_int, (_Lun, _c_char_pp)),
    ("storvirt_lun_get_signature", c_int,
     (_Lun, _c_char_pp, _c_char_pp, _c_char_pp, _c_char_pp)),
    ("storvirt_lun_get_lvm", c_int, (_Lun, _c_char_pp, _c_char_pp, _c_char_pp)),
    ("storvirt_lun_get_partitions", _c_char_pp, (_Lun,)),
    ("storvirt_lun_get_n_paths", c_size_t, (_Lun,)),
    ("storvirt_lun_get_path", _LunPathPtr, (_Lun, c_size_t)),
    ("storvirt_lun_path_get_name", c_char_p, (_LunPathPtr,)),
    ("storvirt_lun_path_get_devnode", c_char_p, (_LunPathPtr,)),
    ("storvirt_lun_path_get_transport", c_char_p, (_LunPathPtr,)),
    ("storvirt_lun_path_get_state", c_char_p, (_LunPathPtr,)),
    ("storvirt_lun_path_get_devnum", c_int, (_LunPathPtr, _c_uint_p, _c_uint_p)),
    ("storvirt_lun_path_get_capacity", c_uint64, (_LunPathPtr,)),
    ("storvirt_lun_path_get_hctl", c_int, (_LunPathPtr, _c_int_p, _c_int_p, _c_int_p, _c_int_p)),
    ("storvirt_lun_path_get_iscsi", c_int,
     (_LunPathPtr, _c_char_pp, _c_char_pp, _c_char_pp, _c_int_p)),
    ("storvirt_lun_get_json", c_int, (_Lun, POINTER(c_void_p), c_uint32)),
    ("storvirt_lun_list_to_json", c_int, (POINTER(_Lun), POINTER(c_void_p), c_uint32)),
    # storvirt/resolve.h
    ("storvirt_disk_spec_new", c_int, (POINTER(_DiskSpecPtr),)),
    ("storvirt_disk_spec_from_json", c_int, (c_char_p, POINTER(_DiskSpecPtr), c_uint32)),
    ("storvirt_disk_spec_free", None, (_DiskSpecPtr,)),
    ("storvirt_disk_spec_set", c_int, (_DiskSpecPtr, c_char_p, c_char_p)),
    ("storvirt_disk_spec_set_string", c_int, (_DiskSpecPtr, c_char_p, c_char_p)),
    ("storvirt_resolve_disk", c_int, (_Ctx, _DiskSpecPtr, POINTER(c_void_p), c_uint32)),
    ("storvirt_resolve_vm", c_int,
     (_Ctx, c_char_p, POINTER(c_void_p), _c_char_ppp, c_uint32)),
)

# STORVIRT_0.4: connections and vDisks.  Handled like STORVIRT_0.2.
_PROTOTYPES_0_4 = (
    ("storvirt_connection_define", c_int, (_Ctx, c_char_p, _c_char_ppp, c_uint32)),
    ("storvirt_connection_lookup", c_int, (_Ctx, c_char_p, POINTER(_Conn))),
    ("storvirt_connection_list", c_int,
     (_Ctx, POINTER(POINTER(_Conn)), POINTER(c_size_t), c_uint32)),
    ("storvirt_connection_list_free", None, (POINTER(_Conn),)),
    ("storvirt_connection_ref", _Conn, (_Conn,)),
    ("storvirt_connection_unref", _Conn, (_Conn,)),
    ("storvirt_connection_get_id", c_char_p, (_Conn,)),
    ("storvirt_connection_get_type", c_int, (_Conn,)),
    ("storvirt_connection_get_param", c_char_p, (_Conn, c_char_p)),
    ("storvirt_connection_get_json", c_int, (_Conn, POINTER(c_void_p), c_uint32)),
    ("storvirt_connection_undefine", c_int, (_Conn, c_uint32)),
    ("storvirt_connection_connect", c_int, (_Conn, c_char_p, c_int, c_uint32)),
    ("storvirt_connection_disconnect", c_int, (_Conn, c_char_p, c_uint32)),
    ("storvirt_connection_list_luns", c_int, (_Conn, c_int, POINTER(c_void_p), c_uint32)),
    ("storvirt_iscsi_discover", c_int, (_Ctx, c_char_p, c_int, POINTER(c_void_p), c_uint32)),
    ("storvirt_vdisk_import", c_int,
     (_Ctx, _DiskSpecPtr, _c_char_pp, c_uint32, POINTER(_VDisk))),
    ("storvirt_vdisk_lookup", c_int, (_Ctx, c_char_p, POINTER(_VDisk))),
    ("storvirt_vdisk_list", c_int,
     (_Ctx, POINTER(POINTER(_VDisk)), POINTER(c_size_t), c_uint32)),
    ("storvirt_vdisk_list_free", None, (POINTER(_VDisk),)),
    ("storvirt_vdisk_ref", _VDisk, (_VDisk,)),
    ("storvirt_vdisk_unref", _VDisk, (_VDisk,)),
    ("storvirt_vdisk_get_id", c_char_p, (_VDisk,)),
    ("storvirt_vdisk_get_json", c_int, (_VDisk, POINTER(c_void_p), c_uint32)),
    ("storvirt_vdisk_snapshot", c_int, (_VDisk, c_char_p, POINTER(c_void_p), c_uint32)),
    ("storvirt_vdisk_delete_image", c_int, (_VDisk, c_char_p, c_uint32)),
    ("storvirt_vdisk_delete", c_int, (_VDisk, c_uint32)),
    ("storvirt_vdisk_get_xml", c_int, (_VDisk, _DiskSpecPtr, POINTER(c_void_p), c_uint32)),
    ("storvirt_vdisk_attach", c_int,
     (_VDisk, c_char_p, _DiskSpecPtr, POINTER(c_void_p), c_uint32)),
    ("storvirt_vdisk_detach", c_int, (_VDisk, c_char_p, c_uint32)),
    ("storvirt_vdisk_prepare", c_int, (_VDisk, c_char_p, c_int, POINTER(c_void_p), c_uint32)),
    ("storvirt_vdisk_release", c_int, (_VDisk, c_char_p, c_uint32)),
    ("storvirt_vm_connections", c_int, (_Ctx, c_char_p, POINTER(c_void_p), c_uint32)),
    ("storvirt_pool_find_sources", c_int, (_Ctx, c_char_p, c_char_p, POINTER(c_void_p), c_uint32)),
    # storvirt/hcl.h
    ("storvirt_hcl_new", c_int, (POINTER(_Hcl),)),
    ("storvirt_hcl_parse", c_int, (c_char_p, POINTER(_Hcl), c_uint32)),
    ("storvirt_hcl_free", None, (_Hcl,)),
    ("storvirt_hcl_to_json", c_int, (_Hcl, POINTER(c_void_p), c_uint32)),
    ("storvirt_hcl_validate", c_int, (_Hcl, POINTER(c_void_p), c_uint32)),
    ("storvirt_hcl_add_controller", c_int, (_Hcl, c_int, c_char_p, POINTER(c_size_t))),
    ("storvirt_hcl_add_lun", c_int, (_Hcl, c_size_t, ctypes.c_long, c_int, POINTER(c_size_t))),
    ("storvirt_hcl_lun_add_device", c_int, (_Hcl, c_size_t, c_size_t, c_int, c_char_p, c_uint32)),
    ("storvirt_hcl_lun_set", c_int, (_Hcl, c_size_t, c_size_t, c_char_p, c_char_p)),
    ("storvirt_hcl_get_n_controllers", c_size_t, (_Hcl,)),
    ("storvirt_hcl_get_controller", c_int,
     (_Hcl, c_size_t, _c_int_p, _c_char_pp, POINTER(c_size_t))),
    ("storvirt_hcl_get_lun", c_int,
     (_Hcl, c_size_t, c_size_t, POINTER(ctypes.c_uint32), _c_int_p, _c_int_p, _c_int_p,
      POINTER(c_size_t))),
    ("storvirt_hcl_get_device", c_int,
     (_Hcl, c_size_t, c_size_t, c_size_t, _c_int_p, _c_char_pp, POINTER(ctypes.c_uint32))),
    ("storvirt_hcl_to_xml", c_int, (_Ctx, _Hcl, c_char_p, POINTER(c_void_p), c_uint32)),
)

# STORVIRT_0.5: volume warnings.
_PROTOTYPES_0_5 = (
    ("storvirt_volume_get_warning", c_int, (_Vol, POINTER(c_void_p), c_uint32)),
)

# STORVIRT_0.6: passphrase secrets; pool and volume XML checked without a context;
# the libvirt secrets of iSCSI connections and pools; sanlock lockspaces and vDisk leases.
_PROTOTYPES_0_6 = (
    ("storvirt_secret_define_xml", c_int, (_Ctx, c_char_p, c_int, POINTER(c_void_p), c_uint32)),
    ("storvirt_secret_undefine", c_int, (_Ctx, c_char_p, c_uint32)),
    ("storvirt_secret_list", c_int, (_Ctx, _c_char_ppp, POINTER(c_size_t), c_uint32)),
    ("storvirt_secret_get_xml", c_int, (_Ctx, c_char_p, POINTER(c_void_p), c_uint32)),
    ("storvirt_pool_xml_canonicalize", c_int, (c_char_p, POINTER(c_void_p), c_uint32)),
    ("storvirt_volume_xml_canonicalize", c_int,
     (c_char_p, c_char_p, POINTER(c_void_p), c_uint32)),
    ("storvirt_connection_get_secret_xml", c_int, (_Conn, POINTER(c_void_p), c_uint32)),
    ("storvirt_lun_refresh_size", c_int, (_Lun, _c_u64_p, _c_u64_p, c_uint32)),
    ("storvirt_connection_write_secret", c_int, (_Conn, c_int, c_uint32)),
    ("storvirt_pool_get_secret_xml", c_int, (_Pool, POINTER(c_void_p), c_uint32)),
    ("storvirt_pool_write_secret", c_int, (_Pool, c_int, c_uint32)),
    # storvirt/event.h
    ("storvirt_ctx_register_event_cb", c_int,
     (_Ctx, c_uint32, c_char_p, _event_fn, c_void_p, _destroy_fn, c_uint32)),
    ("storvirt_ctx_deregister_event_cb", c_int, (_Ctx, c_int)),
    ("storvirt_ctx_get_event_fd", c_int, (_Ctx, _c_int_p)),
    ("storvirt_ctx_dispatch_events", c_int, (_Ctx, c_int, c_uint32)),
    ("storvirt_event_type_name", c_char_p, (c_uint32,)),
    ("storvirt_event_get_type", c_int, (c_void_p,)),
    ("storvirt_event_get_pool", c_char_p, (c_void_p,)),
    ("storvirt_event_get_name", c_char_p, (c_void_p,)),
    ("storvirt_event_get_key", c_char_p, (c_void_p,)),
    ("storvirt_event_get_detail", c_char_p, (c_void_p,)),
    ("storvirt_event_get_info", c_int, (c_void_p, _c_u64_p, _c_u64_p, _c_u32_p)),
    ("storvirt_event_get_json", c_int, (c_void_p, POINTER(c_void_p), c_uint32)),
    # storvirt/lease.h: sanlock lockspaces and vDisk leases
    ("storvirt_lockspace_create", c_int,
     (_Ctx, c_char_p, c_char_p, c_uint32, c_uint32, c_uint32)),
    ("storvirt_lockspace_create_at", c_int,
     (_Ctx, c_char_p, c_char_p, c_uint64, c_uint32, c_uint32, c_uint32)),
    ("storvirt_lockspace_join_at", c_int,
     (_Ctx, c_char_p, c_char_p, c_uint64, c_uint32, c_uint32)),
    ("storvirt_lockspace_join", c_int, (_Ctx, c_char_p, c_char_p, c_uint32, c_uint32)),
    ("storvirt_lockspace_leave", c_int, (_Ctx, c_char_p, c_uint32)),
    ("storvirt_lockspace_status", c_int, (_Ctx, c_char_p, POINTER(c_void_p), c_uint32)),
    ("storvirt_vdisk_lease_acquire", c_int, (_VDisk, c_int, c_uint32)),
    ("storvirt_vdisk_lease_release", c_int, (_VDisk, c_int, c_uint32)),
    ("storvirt_vdisk_lease_status", c_int, (_VDisk, POINTER(c_void_p), c_uint32)),
    ("storvirt_vdisk_lease_assign", c_int, (_VDisk, c_char_p, c_uint32)),
)

# The optional symbol-version nodes and their functions, oldest first.
_OPTIONAL_PROTOTYPES = (
    ("STORVIRT_0.2", _PROTOTYPES_0_2),
    ("STORVIRT_0.3", _PROTOTYPES_0_3),
    ("STORVIRT_0.4", _PROTOTYPES_0_4),
    ("STORVIRT_0.5", _PROTOTYPES_0_5),
    ("STORVIRT_0.6", _PROTOTYPES_0_6),
)

# Names of the optional functions (STORVIRT_0.2 and later) the loaded
# library does not export, all nodes together ...
missing_symbols = frozenset()
# ... and by node: {"STORVIRT_0.2": frozenset(...), "STORVIRT_0.3": ...}.
missing_symbols_by_node = {}


def _missing_function(name, node="STORVIRT_0.2"):
    def missing(*args):
        raise StorvirtError(
            _errno.ENOSYS,
            "%s: not provided by %s (libstorvirt %s; needs %s)"
            % (name, library_path, version(), node),
        )
    missing.__name__ = "_" + name
    return missing


def _declare():
    global missing_symbols
    missing = []
    for name, restype, argtypes in _PROTOTYPES:
        try:
            fn = getattr(_lib, name)
        except AttributeError:
            missing.append(name)
            continue
        fn.restype = restype
        fn.argtypes = list(argtypes)
        globals()["_" + name] = fn
    if missing:
        raise ImportError(
            "%s lacks required symbols: %s" % (library_path, ", ".join(missing))
        )
    by_node = {}
    for node, prototypes in _OPTIONAL_PROTOTYPES:
        absent = set()
        for name, restype, argtypes in prototypes:
            try:
                fn = getattr(_lib, name)
            except AttributeError:
                absent.add(name)
                globals()["_" + name] = _missing_function(name, node)
                continue
            fn.restype = restype
            fn.argtypes = list(argtypes)
            globals()["_" + name] = fn
        by_node[node] = frozenset(absent)
    missing_symbols_by_node.update(by_node)
    missing_symbols = frozenset().union(*by_node.values())


_declare()
del _declare

# --------------------------------------------------------------------------
# Errors.

# errno -> builtin OSError subclass, as OSError(errno, msg) itself maps them.
_OSERROR_SUBCLASSES = (
    (BlockingIOError, (_errno.EAGAIN, _errno.EALREADY, _errno.EWOULDBLOCK, _errno.EINPROGRESS)),
    (ChildProcessError, (_errno.ECHILD,)),
    (BrokenPipeError, (_errno.EPIPE, getattr(_errno, "ESHUTDOWN", _errno.EPIPE))),
    (ConnectionAbortedError, (_errno.ECONNABORTED,)),
    (ConnectionRefusedError, (_errno.ECONNREFUSED,)),
    (ConnectionResetError, (_errno.ECONNRESET,)),
    (FileExistsError, (_errno.EEXIST,)),
    (FileNotFoundError, (_errno.ENOENT,)),
    (IsADirectoryError, (_errno.EISDIR,)),
    (NotADirectoryError, (_errno.ENOTDIR,)),
    (InterruptedError, (_errno.EINTR,)),
    (PermissionError, (_errno.EACCES, _errno.EPERM)),
    (ProcessLookupError, (_errno.ESRCH,)),
    (TimeoutError, (_errno.ETIMEDOUT,)),
)


class StorvirtError(OSError):
    """A libstorvirt failure: ``errno`` is the (positive) errno, ``strerror``
    the library's message.

    ``StorvirtError(errno, message)`` returns an instance of the matching
    subclass (e.g. one that is also a :class:`FileNotFoundError` for ENOENT),
    the way ``OSError(errno, message)`` does.
    """

    def __new__(cls, *args, **kwargs):
        if cls is StorvirtError and len(args) >= 2 and isinstance(args[0], int):
            cls = _ERROR_CLASSES.get(args[0], StorvirtError)
        return super().__new__(cls, *args, **kwargs)


_ERROR_CLASSES = {}
for _base, _codes in _OSERROR_SUBCLASSES:
    _name = "Storvirt" + _base.__name__
    _cls = type(_name, (StorvirtError, _base), {"__module__": __name__, "__doc__":
                "A StorvirtError that is also a %s." % _base.__name__})
    globals()[_name] = _cls
    __all__.append(_name)
    for _code in _codes:
        _ERROR_CLASSES.setdefault(_code, _cls)
del _base, _codes, _name, _cls, _code


class ResolveError(StorvirtError):
    """Device resolution found problems: ``problems`` lists every one (a
    str naming its drive); ``errno`` is EINVAL and ``strerror`` the
    library's message, which lists them too."""

    def __new__(cls, errno, strerror, problems=()):
        return super().__new__(cls, errno, strerror)

    def __init__(self, errno, strerror, problems=()):
        super().__init__(errno, strerror)
        self.problems = list(problems)

    def __reduce__(self):
        return (type(self), (self.errno, self.strerror, self.problems))


def _error(rc):
    """The exception for a negative return value rc, with the thread's message.

    The message is taken only when the library's recorded errno matches rc,
    so a stale or clobbered message is never attached to the wrong error.
    """
    code = -rc
    # The message is only guaranteed until the next library call: copy it
    # first (c_char_p results are copied), then check whose it is.
    raw = _storvirt_error_message()
    msg = None
    if raw is not None and _storvirt_error_errno() == code:
        msg = raw.decode("utf-8", "replace")
    if msg is None:
        try:
            msg = os.strerror(code)
        except ValueError:
            msg = "error %d" % code
    return StorvirtError(code, msg)


def _check(rc):
    if rc < 0:
        raise _error(rc)
    return rc


def _call(fn, *args):
    """Calls a function returning 0/count or -errno; raises on failure."""
    _storvirt_error_clear()
    return _check(fn(*args))


# --------------------------------------------------------------------------
# Argument conversion.


def _flags(value, name="flags"):
    value = operator.index(value)
    if not 0 <= value <= _UINT32_MAX:
        raise OverflowError("%s out of range for uint32_t: %d" % (name, value))
    return value


def _u64(value, name):
    value = operator.index(value)
    if not 0 <= value <= _UINT64_MAX:
        raise OverflowError("%s out of range for uint64_t: %d" % (name, value))
    return value


def _check_nul(b, name):
    if b"\0" in b:
        raise ValueError("%s: embedded null character" % name)
    return b


def _str_arg(value, name, allow_none=False):
    if value is None:
        if allow_none:
            return None
        raise TypeError("%s must be str, not None" % name)
    if isinstance(value, str):
        return _check_nul(value.encode("utf-8"), name)
    if isinstance(value, (bytes, bytearray)):
        return _check_nul(bytes(value), name)
    raise TypeError("%s must be str, not %s" % (name, type(value).__name__))


def _path_arg(value, name):
    value = os.fspath(value)
    if isinstance(value, str):
        return _check_nul(value.encode("utf-8", "surrogateescape"), name)
    return _check_nul(bytes(value), name)


def _decode(b):
    return None if b is None else b.decode("utf-8", "replace")


def _decode_path(b):
    return None if b is None else b.decode("utf-8", "surrogateescape")


# --------------------------------------------------------------------------
# Module-level functions.


def version():
    """The loaded library's version, "MAJOR.MINOR.MICRO"."""
    return _decode(_storvirt_version())


def abi_version():
    """The newest symbol-version node of the loaded library, e.g. "STORVIRT_0.1"."""
    return _decode(_storvirt_version_abi())


def units_parse(value, unit=None, limit=0, *, flags=0):
    """Parses a capacity with libvirt's unit rules and returns bytes (int).

    ``units_parse("10", "GiB")``, ``units_parse("512M")``.  With ``unit``
    None the suffix may follow the number inside ``value``.  A result above
    ``limit`` (0: no limit but UINT64_MAX) raises StorvirtError with
    errno ERANGE; a malformed number or unknown unit raises errno EINVAL.
    """
    out = c_uint64()
    _call(
        _storvirt_units_parse,
        _str_arg(value, "value"),
        _str_arg(unit, "unit", allow_none=True),
        _u64(limit, "limit"),
        byref(out),
        _flags(flags),
    )
    return out.value


def units_format(n, human=False, *, flags=0):
    """Formats a byte count: exact ("10GiB", "1536KiB", "4097") or, with
    ``human``, rounded ("1.5 GiB", "12 B")."""
    flags = _flags(flags)
    if human:
        flags |= STORVIRT_UNITS_FORMAT_HUMAN
    out = c_void_p()
    _call(_storvirt_units_format, _u64(n, "n"), byref(out), flags)
    try:
        return ctypes.string_at(out.value).decode("utf-8", "replace") if out.value else ""
    finally:
        _storvirt_free(out)


def pool_xml_canonicalize(xml, *, flags=0):
    """Checks libvirt pool XML with every rule a define applies, without a
    context, and returns it in the library's canonical form (the definition
    a define would store; a random UUID when the document has none).  Every
    pool type of libvirt's schema is accepted, those without a backend here
    too.  A bad document raises StorvirtError naming the element and value.
    """
    out = c_void_p()
    _call(_storvirt_pool_xml_canonicalize, _str_arg(xml, "xml"), byref(out), _flags(flags))
    return _take_string(out)


def volume_xml_canonicalize(xml, pool=None, *, flags=0):
    """Checks libvirt volume XML with every rule a volume create applies to
    the document, without a context, and returns its canonical form.
    ``pool`` is the type of the pool the volume would live in ("dir",
    "disk", "zfs", ...), that pool's XML, or None (libvirt's volume schema
    alone decides which formats are valid).  A bad document raises
    StorvirtError naming the element and value.
    """
    out = c_void_p()
    _call(_storvirt_volume_xml_canonicalize, _str_arg(xml, "xml"),
          _str_arg(pool, "pool", allow_none=True), byref(out), _flags(flags))
    return _take_string(out)


# --------------------------------------------------------------------------
# Log callbacks.
#
# One C trampoline serves every context; the userdata handed to the library
# is a token into _callbacks, which holds the Python callable until the
# library calls the destroy function for that token (callback replaced,
# context freed, or set_log_fn failed).  The trampolines themselves are
# never freed, so the library can never call into released memory, even
# when a callback replaces itself from inside a log call.

_callbacks = {}
_callback_tokens = itertools.count(1)


def _log_trampoline(ctx, priority, msg, userdata):
    fn = _callbacks.get(userdata)
    if fn is not None:
        fn(priority, _decode(msg) if msg is not None else "")


def _destroy_trampoline(userdata):
    _callbacks.pop(userdata, None)


_c_log_trampoline = _log_fn(_log_trampoline)
_c_destroy_trampoline = _destroy_fn(_destroy_trampoline)


# --------------------------------------------------------------------------
# Events.

_EVENT_KINDS = {
    "pool": STORVIRT_EVENT_KIND_POOL,
    "volume": STORVIRT_EVENT_KIND_VOLUME,
    "lun": STORVIRT_EVENT_KIND_LUN,
    "vdisk": STORVIRT_EVENT_KIND_VDISK,
}


class Event:
    """One change to a pool, a volume, a LUN or a vDisk, handed to the
    callbacks of :meth:`Context.register_event_callback` (a copy: it stays
    valid after the callback returns).

    ``type`` is the number (STORVIRT_EVENT_*), ``name`` of the type
    ("pool-started", "vdisk-attached", ...) is ``type_name``, ``kind`` is
    "pool", "volume", "lun" or "vdisk".  ``object`` is the object's name (a
    pool's, a volume's, a LUN's GUID, a vDisk's id); ``pool`` the pool of a
    pool or volume event; ``key`` a volume's key; ``detail`` what the type
    carries (a volume's new capacity, an image uid, a VM id), else None.
    ``seq`` is the event's number in the state directory's journal, ``time``
    when the change was made (seconds since the Epoch, a float), ``pid`` the
    process that made it (0 when unknown), ``local`` whether this context
    made it and ``rescan`` whether it was found by comparing the state
    directory rather than told by the process that made it."""

    __slots__ = ("type", "type_name", "kind", "object", "pool", "key", "detail", "seq",
                 "time", "pid", "local", "rescan")

    def __init__(self, **fields):
        for k in self.__slots__:
            setattr(self, k, fields.get(k))

    @classmethod
    def _from_c(cls, ev):
        out = c_void_p()
        seq, usec, info = c_uint64(), c_uint64(), c_uint32()
        _call(_storvirt_event_get_json, ev, byref(out), 0)
        d = _json.loads(_take_string(out))
        _call(_storvirt_event_get_info, ev, byref(seq), byref(usec), byref(info))
        t = _storvirt_event_get_type(ev)
        kind = {0: "pool", 1: "volume", 2: "lun", 3: "vdisk"}.get(t // 32)
        return cls(type=t, type_name=d["event"], kind=kind, object=d.get("name"),
                   pool=d.get("pool"), key=d.get("key"), detail=d.get("detail"),
                   seq=seq.value, time=usec.value / 1e6, pid=d.get("pid", 0),
                   local=bool(info.value & STORVIRT_EVENT_INFO_LOCAL),
                   rescan=bool(info.value & STORVIRT_EVENT_INFO_RESCAN))

    def as_dict(self):
        return {k: getattr(self, k) for k in self.__slots__}

    def __repr__(self):
        return "<storvirt.Event %s %s%s>" % (
            self.type_name, self.object, " " + self.detail if self.detail else "")


def event_type_name(event_type):
    """The name of an event type (STORVIRT_EVENT_*), e.g. "pool-started"."""
    name = _storvirt_event_type_name(_flags(event_type, "event_type"))
    if name is None:
        raise _error(-_storvirt_error_errno())
    return name.decode("utf-8")


def _event_trampoline(ctx, ev, userdata):
    fn = _callbacks.get(userdata)
    if fn is not None:
        fn(Event._from_c(ev))


_c_event_trampoline = _event_fn(_event_trampoline)


def _event_kinds(kinds):
    if kinds is None:
        return 0
    if isinstance(kinds, str):
        kinds = (kinds,)
    if isinstance(kinds, collections.abc.Iterable):
        bits = 0
        for k in kinds:
            if k not in _EVENT_KINDS:
                raise ValueError("unknown event kind %r (one of %s)"
                                 % (k, ", ".join(sorted(_EVENT_KINDS))))
            bits |= _EVENT_KINDS[k]
        return bits
    return _flags(kinds, "kinds")


# --------------------------------------------------------------------------
# Context.

_live_contexts = weakref.WeakSet()


class Context:
    """A libstorvirt context, the root handle.

    ``Context(state_dir=None, ignore_env=False, no_autostart=False)``:
    ``state_dir`` chooses the state directory (absolute path); ``ignore_env``
    makes the library ignore $STORVIRT_DEBUG and $STORVIRT_STATE_DIR;
    ``no_autostart`` keeps the pools marked autostart from being started when
    the state directory is opened.  ``flags`` passes further
    storvirt_ctx_new() flag bits as they are.

    Use as a context manager, or call :meth:`close`, to release the library
    handle deterministically.  Using a closed context raises ValueError.
    """

    __slots__ = ("_handle", "_lock", "__weakref__")

    def __init__(self, state_dir=None, ignore_env=False, no_autostart=False, *, flags=0):
        self._handle = None
        self._lock = threading.Lock()
        flags = _flags(flags)
        if ignore_env:
            flags |= STORVIRT_CTX_NEW_IGNORE_ENV
        if no_autostart:
            flags |= STORVIRT_CTX_NEW_NO_AUTOSTART
        handle = _Ctx()
        _call(_storvirt_ctx_new, byref(handle), flags)
        self._handle = handle
        _live_contexts.add(self)
        if state_dir is not None:
            try:
                self.set_state_dir(state_dir)
            except BaseException:
                self.close()
                raise

    @classmethod
    def _wrap(cls, handle):
        """A Context object owning one (new) reference to a C handle."""
        self = cls.__new__(cls)
        self._lock = threading.Lock()
        self._handle = _storvirt_ctx_ref(handle)
        _live_contexts.add(self)
        return self

    # -- lifetime ----------------------------------------------------------

    def _acquire(self):
        """A new reference to the handle, for the duration of one call."""
        with self._lock:
            if self._handle is None:
                raise ValueError("operation on a closed storvirt.Context")
            return _storvirt_ctx_ref(self._handle)

    @property
    def closed(self):
        return self._handle is None

    def close(self):
        """Drops this object's reference to the library context.  Safe to call
        more than once."""
        lock = getattr(self, "_lock", None)
        if lock is None:  # __init__ did not get far
            return
        with lock:
            handle, self._handle = self._handle, None
        if handle is not None:
            _live_contexts.discard(self)
            _storvirt_ctx_unref(handle)

    def __enter__(self):
        if self._handle is None:
            raise ValueError("operation on a closed storvirt.Context")
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self):
        if self._handle is None:
            return "<storvirt.Context closed>"
        return "<storvirt.Context at 0x%x>" % (self._handle.value or 0)

    def _run(self, fn, *args):
        h = self._acquire()
        try:
            return _call(fn, h, *args)
        finally:
            _storvirt_ctx_unref(h)

    # -- state directory ---------------------------------------------------

    def set_state_dir(self, path, *, flags=0):
        """Chooses the state directory (absolute path).  Must happen before
        the state directory is first used: EBUSY after."""
        self._run(_storvirt_ctx_set_state_dir, _path_arg(path, "path"), _flags(flags))

    def get_state_dir(self):
        """Resolves the state directory, creating it (mode 0700) if needed,
        and returns its path."""
        out = c_char_p()
        self._run(_storvirt_ctx_get_state_dir, byref(out))
        return _decode_path(out.value)

    @property
    def state_dir(self):
        """The state directory.  Reading it resolves and creates the
        directory; assigning it calls :meth:`set_state_dir`."""
        return self.get_state_dir()

    @state_dir.setter
    def state_dir(self, path):
        self.set_state_dir(path)

    # -- logging -----------------------------------------------------------

    @property
    def log_priority(self):
        """The log threshold, 0..7 (STORVIRT_LOG_*); messages with a
        numerically higher priority are dropped."""
        return self._run(_storvirt_ctx_get_log_priority)

    @log_priority.setter
    def log_priority(self, priority):
        priority = operator.index(priority)
        if not -(1 << 31) <= priority < (1 << 31):
            raise OverflowError("priority out of range for int: %d" % priority)
        self._run(_storvirt_ctx_set_log_priority, priority)

    def set_log_callback(self, fn):
        """Installs fn(priority: int, message: str) as the log callback, or
        restores the default with None.  The callback may be called from any
        thread that uses this context; exceptions it raises are reported as
        unraisable and otherwise ignored."""
        if fn is None:
            self._run(_storvirt_ctx_set_log_fn, _log_fn(), None, _destroy_fn())
            return
        if not callable(fn):
            raise TypeError("log callback must be callable or None")
        token = next(_callback_tokens)
        _callbacks[token] = fn
        # On failure the library has already called destroy(token).
        try:
            self._run(_storvirt_ctx_set_log_fn, _c_log_trampoline, token,
                      _c_destroy_trampoline)
        except ValueError:  # closed: the library never saw the token
            _callbacks.pop(token, None)
            raise

    # -- events ------------------------------------------------------------

    def register_event_callback(self, fn, kinds=None, object=None, *, flags=0):
        """Calls fn(event: Event) for the changes of the kinds ``kinds``
        ("pool", "volume", "lun", "vdisk", an iterable of them, or the
        STORVIRT_EVENT_KIND_* bits; None: all) concerning ``object`` (a pool
        name, a volume key, a LUN GUID, a vDisk id; None: any), made after
        this call by this process or any other on the state directory.
        fn runs inside :meth:`dispatch_events`; exceptions it raises are
        reported as unraisable and otherwise ignored.  Returns the callback
        id (for :meth:`deregister_event_callback`)."""
        if not callable(fn):
            raise TypeError("event callback must be callable")
        bits = _event_kinds(kinds)
        obj = _str_arg(object, "object", allow_none=True)
        token = next(_callback_tokens)
        _callbacks[token] = fn
        # On failure the library has already called destroy(token).
        try:
            return self._run(_storvirt_ctx_register_event_cb, bits, obj, _c_event_trampoline,
                             token, _c_destroy_trampoline, _flags(flags))
        except ValueError:  # closed: the library never saw the token
            _callbacks.pop(token, None)
            raise

    def deregister_event_callback(self, callback_id):
        """Removes a callback registered with :meth:`register_event_callback`."""
        self._run(_storvirt_ctx_deregister_event_cb, operator.index(callback_id))

    @property
    def event_fd(self):
        """The descriptor to poll for reading (it belongs to the context:
        never close it); when it is readable, call :meth:`dispatch_events`."""
        fd = c_int()
        self._run(_storvirt_ctx_get_event_fd, byref(fd))
        return fd.value

    def fileno(self):
        """:attr:`event_fd`, so that a Context can be given to selectors,
        select() or poll() itself."""
        return self.event_fd

    def dispatch_events(self, timeout=0, *, flags=0):
        """Reads what is ready and calls the matching callbacks, in order,
        in this thread.  timeout: seconds to wait for something to arrive
        (0: do not wait, None: without limit).  Returns the number of
        callback calls (0 may come before the timeout)."""
        if timeout is None:
            ms = -1
        else:
            if timeout < 0:
                raise ValueError("timeout must be >= 0 or None")
            ms = min(int(timeout * 1000 + 0.999), (1 << 31) - 1)
        return self._run(_storvirt_ctx_dispatch_events, ms, _flags(flags))

    # -- threads -----------------------------------------------------------

    @property
    def max_threads(self):
        """How many threads one library call may use (>= 1; 1: the library
        starts no thread).  Assigning 0 means the number of online CPUs;
        values above 64 are capped."""
        return self._run(_storvirt_ctx_get_max_threads)

    @max_threads.setter
    def max_threads(self, n):
        n = operator.index(n)
        if not 0 <= n <= _UINT32_MAX:
            raise OverflowError("max_threads out of range for uint32_t: %d" % n)
        self._run(_storvirt_ctx_set_max_threads, n)

    # -- backends ----------------------------------------------------------

    def pool_types(self, *, flags=0):
        """The pool types that have a backend in this build, sorted."""
        arr = _c_char_pp()
        n = c_size_t()
        self._run(_storvirt_ctx_list_pool_types, byref(arr), byref(n), _flags(flags))
        if not arr:
            return []
        try:
            result = []
            for i in range(n.value):
                item = arr[i]
                if item is None:
                    break
                result.append(_decode(item))
            return result
        finally:
            _storvirt_strv_free(arr)

    def pool_type_supports(self, pool_type, op):
        """Whether the backend of ``pool_type`` implements operation ``op``
        (e.g. "start_pool").  Raises StorvirtError with errno ENOENT for a
        pool type absent from this build, EINVAL for an unknown operation."""
        return self._run(
            _storvirt_ctx_pool_type_supports,
            _str_arg(pool_type, "pool_type"),
            _str_arg(op, "op"),
        ) > 0

    # -- pools -------------------------------------------------------------

    def _new_pool(self, fn, *args):
        out = _Pool()
        self._run(fn, *(args + (byref(out),)))
        return Pool._wrap(out)

    def define_pool(self, xml, *, flags=0):
        """Defines a persistent (inactive) pool from libvirt pool XML, stored
        in the state directory, and returns it as a :class:`Pool`.
        Redefining an inactive pool of the same name and UUID replaces its
        definition."""
        out = _Pool()
        self._run(_storvirt_pool_define_xml, _str_arg(xml, "xml"), byref(out), _flags(flags))
        return Pool._wrap(out)

    def create_pool(self, xml, build=False, overwrite=None, *, flags=0):
        """Creates and starts a transient pool from libvirt pool XML.

        ``build`` builds it first; ``overwrite`` True allows destroying what
        is there, False refuses when something is there (either implies
        ``build``)."""
        flags = _flags(flags) | _build_flags(build, overwrite)
        out = _Pool()
        self._run(_storvirt_pool_create_xml, _str_arg(xml, "xml"), byref(out), flags)
        return Pool._wrap(out)

    def pool_by_name(self, name):
        """The pool named ``name``; FileNotFoundError (ENOENT) if none."""
        return self._new_pool(_storvirt_pool_lookup_by_name, _str_arg(name, "name"))

    def pool_by_uuid(self, uuid):
        """The pool with this UUID (str in canonical form, or a uuid.UUID)."""
        return self._new_pool(_storvirt_pool_lookup_by_uuid, _str_arg(str(uuid), "uuid"))

    def pool_by_target_path(self, path):
        """The pool whose target is ``path`` (repeated and trailing slashes
        do not matter)."""
        return self._new_pool(_storvirt_pool_lookup_by_target_path, _path_arg(path, "path"))

    def list_pools(self, type=None, active=None, persistent=None, autostart=None, *, flags=0):
        """The pools, sorted by name, as a list of :class:`Pool`.

        Each filter is None (either), True or False: ``active`` (running or
        not), ``persistent`` (defined or transient), ``autostart``; ``type``
        keeps one pool type."""
        flags = _flags(flags)
        for value, yes, no in (
            (active, STORVIRT_POOL_LIST_ACTIVE, STORVIRT_POOL_LIST_INACTIVE),
            (persistent, STORVIRT_POOL_LIST_PERSISTENT, STORVIRT_POOL_LIST_TRANSIENT),
            (autostart, STORVIRT_POOL_LIST_AUTOSTART, STORVIRT_POOL_LIST_NO_AUTOSTART),
        ):
            if value is not None:
                flags |= yes if value else no
        arr = POINTER(_Pool)()
        n = c_size_t()
        self._run(_storvirt_pool_list, _str_arg(type, "type", allow_none=True), byref(arr),
                  byref(n), flags)
        return _wrap_array(arr, n.value, _storvirt_pool_ref, _storvirt_pool_list_free,
                           Pool._wrap)

    # -- volumes -----------------------------------------------------------

    def _new_volume(self, fn, arg):
        out = _Vol()
        self._run(fn, arg, byref(out))
        return Volume._wrap(out, None)

    def volume_by_key(self, key):
        """The volume with this key among the active pools (a file volume's
        key is its path)."""
        return self._new_volume(_storvirt_volume_lookup_by_key, _str_arg(key, "key"))

    def volume_by_path(self, path):
        """The volume at ``path`` among the active pools."""
        return self._new_volume(_storvirt_volume_lookup_by_path, _path_arg(path, "path"))

    # -- LUNs --------------------------------------------------------------
    #
    # The context keeps one discovery snapshot; lists and lookups use it,
    # running the first discovery themselves.  A Lun never changes: a
    # refresh makes a new snapshot for later calls only.

    def refresh_luns(self, *, flags=0):
        """Discovers the host's LUNs again (udev and sysfs, then a usage
        probe per LUN) and makes the result the current snapshot."""
        self._run(_storvirt_lun_refresh, _flags(flags))

    def _lun_array(self, transport, free_only, refresh, flags, unattached=False):
        """storvirt_lun_list(): (array, count); free the array with
        _storvirt_lun_list_free."""
        flags = _flags(flags)
        if unattached:
            flags |= STORVIRT_LUN_LIST_UNATTACHED
        if free_only:
            flags |= STORVIRT_LUN_LIST_FREE
        if refresh:
            flags |= STORVIRT_LUN_LIST_REFRESH
        arr = POINTER(_Lun)()
        n = c_size_t()
        self._run(_storvirt_lun_list, _str_arg(transport, "transport", allow_none=True),
                  byref(arr), byref(n), flags)
        return arr, n.value

    def list_luns(self, transport=None, free_only=False, refresh=False, *, unattached=False,
                  flags=0):
        """The LUNs, sorted by GUID (LUNs without one last, by name), as a
        list of :class:`Lun`.

        ``transport`` keeps the LUNs with a path of that transport ("iscsi",
        "fc", "sas", "scsi", "ata", "nvme", "virtio", "loop"; an unknown one
        raises EINVAL); ``free_only`` keeps those whose status is
        :attr:`LunStatus.FREE`; ``unattached`` those that back no vDisk;
        ``refresh`` discovers again first (as :meth:`refresh_luns`)."""
        arr, n = self._lun_array(transport, free_only, refresh, flags, unattached)
        return _wrap_array(arr, n, _storvirt_lun_ref, _storvirt_lun_list_free, Lun._wrap)

    def _new_lun(self, fn, *args):
        out = _Lun()
        self._run(fn, *(args + (byref(out),)))
        return Lun._wrap(out)

    def lun_by_guid(self, guid):
        """The LUN with this GUID (case does not matter; "0x" may precede
        NAA hex).  FileNotFoundError (ENOENT) if none."""
        return self._new_lun(_storvirt_lun_lookup_by_guid, _str_arg(guid, "guid"))

    def lun_by_path(self, path):
        """The LUN of a device node or a link to one (/dev/sdb,
        /dev/mapper/NAME, /dev/disk/by-id/...); a member path of a
        multipath map gives the map.  ENOENT when the device is no LUN (the
        message names the disk of a partition), ENOTBLK when ``path`` is not
        a block device."""
        return self._new_lun(_storvirt_lun_lookup_by_path, _path_arg(path, "path"))

    def lun_by_devnum(self, major, minor=None):
        """The LUN (or the multipath map of a path) with this device number:
        ``lun_by_devnum(8, 16)``, ``lun_by_devnum((8, 16))`` or
        ``lun_by_devnum(os.stat(path).st_rdev)``."""
        if minor is None:
            if isinstance(major, tuple):
                major, minor = major
            else:
                dev = operator.index(major)
                major, minor = os.major(dev), os.minor(dev)
        major = operator.index(major)
        minor = operator.index(minor)
        for name, value in (("major", major), ("minor", minor)):
            if not 0 <= value <= _UINT32_MAX:
                raise OverflowError("%s out of range for unsigned int: %d" % (name, value))
        return self._new_lun(_storvirt_lun_lookup_by_devnum, major, minor)

    def lun_by_fs_uuid(self, uuid):
        """The LUN carrying a filesystem (or another blkid signature) with
        this UUID (str, or a uuid.UUID).  ENOTUNIQ when two LUNs carry it."""
        if isinstance(uuid, _uuid.UUID):
            uuid = str(uuid)
        return self._new_lun(_storvirt_lun_lookup_by_fs_uuid, _str_arg(uuid, "uuid"))

    def luns_json(self, luns=None, transport=None, free_only=False, refresh=False, *,
                  flags=0):
        """VDSM's getDeviceList result, parsed: ``{"devList": [...]}``, one
        record per LUN (see :meth:`Lun.json`).

        ``luns`` is an iterable of :class:`Lun` (from any snapshot); None
        takes the LUNs :meth:`list_luns` gives for ``transport``,
        ``free_only`` and ``refresh``."""
        if luns is None:
            arr, n = self._lun_array(transport, free_only, refresh, 0)
            try:
                return _lun_list_json(arr, flags)
            finally:
                _storvirt_lun_list_free(arr)
        if transport is not None or free_only or refresh:
            raise TypeError("luns_json(): transport, free_only and refresh select LUNs; "
                            "they do not go with luns")
        luns = list(luns)
        for lun in luns:
            if not isinstance(lun, Lun):
                raise TypeError("luns must hold storvirt.Lun objects, not %s"
                                % type(lun).__name__)
        arr = (_Lun * (len(luns) + 1))()
        try:
            for i, lun in enumerate(luns):
                arr[i] = lun._acquire()
            return _lun_list_json(arr, flags)
        finally:
            for i in range(len(luns)):
                if arr[i]:
                    _storvirt_lun_unref(arr[i])

    def find_pool_sources(self, pool_type, srcspec=None):
        """The sources a pool of ``pool_type`` could use: a ``<sources>``
        element (str).  ``srcspec`` is libvirt ``<source>`` XML saying where
        to look (iscsi-direct: the portal's host)."""
        out = c_void_p()
        self._run(_storvirt_pool_find_sources, _str_arg(pool_type, "pool_type"),
                  _str_arg(srcspec, "srcspec", allow_none=True), byref(out), 0)
        return _take_string(out)

    # -- connections -------------------------------------------------------

    def define_connections(self, connections, replace=False, *, flags=0):
        """Stores connections: one (a dict), a list, or VDSM's
        connectStorageServer parameters ``{"domainType", "connectionParams"}``,
        as Python objects or JSON text.  Returns their ids, in order.
        Passwords are kept in mode 0600 files and never returned."""
        text = connections if isinstance(connections, (str, bytes)) else _json.dumps(connections)
        flags = _flags(flags) | (STORVIRT_CONNECTION_DEFINE_REPLACE if replace else 0)
        out = _c_char_pp()
        self._run(_storvirt_connection_define, _str_arg(text, "connections"), byref(out), flags)
        try:
            return _strv(out)
        finally:
            _storvirt_strv_free(out)

    def connection(self, id):
        """The stored connection ``id`` (ENOENT when none)."""
        out = _Conn()
        self._run(_storvirt_connection_lookup, _str_arg(id, "id"), byref(out))
        return Connection._wrap(out)

    def connections(self, *, flags=0):
        """Every stored connection, sorted by id; with flags
        STORVIRT_CONNECTION_LIST_INVALID also the records that do not parse
        (type 0), which only :meth:`Connection.undefine` accepts."""
        arr = POINTER(_Conn)()
        n = c_size_t()
        self._run(_storvirt_connection_list, byref(arr), byref(n), _flags(flags))
        return _wrap_array(arr, n.value, _storvirt_connection_ref,
                           _storvirt_connection_list_free, Connection._wrap)

    def iscsi_discover(self, portal=None, user=None, password=None, initiator=None,
                       connection=None, timeout=0, vdsm=False):
        """SendTargets discovery of ``portal`` (or of a stored connection's
        portal): a list of ``{"target", "portals": [{"address", "tpgt"}]}``,
        or with ``vdsm`` VDSM's "host:port,tpgt iqn" strings.  ``timeout``
        in seconds (0: 30)."""
        params = {k: v for k, v in (("portal", portal), ("user", user), ("password", password),
                                    ("initiator", initiator), ("connection", connection))
                  if v is not None}
        out = c_void_p()
        self._run(_storvirt_iscsi_discover, _str_arg(_json.dumps(params), "params"),
                  int(timeout * 1000), byref(out),
                  STORVIRT_ISCSI_DISCOVER_VDSM if vdsm else 0)
        return _json.loads(_take_string(out))

    # -- secrets -------------------------------------------------------------

    def define_secret(self, xml, value=None, value_file=None, *, flags=0):
        """Defines (or redefines) the secret of libvirt secret XML ``xml`` and
        returns its UUID.  Its value, the passphrase of encrypted volumes, is
        ``value`` (bytes or str, taken exactly) or every byte of the file
        ``value_file``; with neither, a new secret has no value yet and a
        redefined one keeps its value.  The value goes to the library
        through an unnamed temporary file, never as a string argument."""
        if value is not None and value_file is not None:
            raise ValueError("value and value_file exclude each other")
        out = c_void_p()
        fobj = None
        try:
            if value is not None:
                data = value.encode("utf-8") if isinstance(value, str) else bytes(value)
                fobj = _tempfile.TemporaryFile()
                fobj.write(data)
                fobj.flush()
                fobj.seek(0)
            elif value_file is not None:
                fobj = open(value_file, "rb")
            fd = fobj.fileno() if fobj is not None else -1
            self._run(_storvirt_secret_define_xml, _str_arg(xml, "xml"), fd, byref(out),
                      _flags(flags))
        finally:
            if fobj is not None:
                fobj.close()
        return _take_string(out)

    def undefine_secret(self, uuid, *, flags=0):
        """Removes the secret ``uuid`` and its value (ENOENT when none)."""
        self._run(_storvirt_secret_undefine, _str_arg(uuid, "uuid"), _flags(flags))

    def secrets(self, *, flags=0):
        """The UUIDs of the defined secrets, sorted."""
        out = _c_char_pp()
        self._run(_storvirt_secret_list, byref(out), None, _flags(flags))
        try:
            return _strv(out)
        finally:
            _storvirt_strv_free(out)

    def secret_xml(self, uuid, *, flags=0):
        """The secret XML of ``uuid``, without its value."""
        out = c_void_p()
        self._run(_storvirt_secret_get_xml, _str_arg(uuid, "uuid"), byref(out), _flags(flags))
        return _take_string(out)

    # -- vDisks --------------------------------------------------------------

    def import_vdisk(self, spec, connections=None, shared=False, readonly=False, refresh=True,
                     *, flags=0):
        """Records a vDisk for the storage ``spec`` names (a
        :class:`DiskSpec`, a dict or JSON text).  Its id comes from the
        storage's identity, so the same storage gives the same vDisk; the
        returned :class:`VDisk` has ``existed`` true then."""
        flags = _flags(flags)
        if shared:
            flags |= STORVIRT_VDISK_IMPORT_SHARED
        if readonly:
            flags |= STORVIRT_VDISK_IMPORT_READONLY
        if not refresh:
            flags |= STORVIRT_VDISK_IMPORT_NO_REFRESH
        ids = list(connections or ())
        arr = (c_char_p * (len(ids) + 1))(*[_str_arg(i, "connection id") for i in ids], None)
        owned = None
        if not isinstance(spec, DiskSpec):
            spec = owned = DiskSpec(spec)
        try:
            out = _VDisk()
            h = self._acquire()
            try:
                with spec._using() as sh:
                    rc = _call(_storvirt_vdisk_import, h, sh,
                               ctypes.cast(arr, _c_char_pp) if ids else None, flags, byref(out))
            finally:
                _storvirt_ctx_unref(h)
        finally:
            if owned is not None:
                owned.close()
        vd = VDisk._wrap(out)
        vd.existed = rc == 1
        return vd

    def vdisk(self, id):
        """The vDisk ``id`` (opening it rolls back an interrupted snapshot)."""
        out = _VDisk()
        self._run(_storvirt_vdisk_lookup, _str_arg(id, "id"), byref(out))
        return VDisk._wrap(out)

    def vdisks(self, *, flags=0):
        """Every vDisk, sorted by id."""
        arr = POINTER(_VDisk)()
        n = c_size_t()
        self._run(_storvirt_vdisk_list, byref(arr), byref(n), _flags(flags))
        return _wrap_array(arr, n.value, _storvirt_vdisk_ref, _storvirt_vdisk_list_free,
                           VDisk._wrap)

    # -- lockspaces (sanlock) ----------------------------------------------

    def lockspace_create(self, name, path, io_timeout=0, slots=0, offset=0):
        """Formats a new lease area ``path`` (a file on shared storage, or
        a block device with the lockspace ``offset`` bytes into it, 0.6)
        for lockspace ``name``; ``io_timeout`` seconds (0: 10), ``slots``
        vDisk leases (0: 256)."""
        self._run(_storvirt_lockspace_create_at, _str_arg(name, "name"),
                  _path_arg(path, "path"), int(offset), int(io_timeout), int(slots), 0)

    def lockspace_join(self, name, path=None, host_id=0, offset=0):
        """Starts joining lockspace ``name`` (``path``, ``offset``: one
        another host created); True when this host is in it already."""
        return self._run(_storvirt_lockspace_join_at, _str_arg(name, "name"),
                         None if path is None else _path_arg(path, "path"), int(offset),
                         int(host_id), 0) == 1

    def lockspace_leave(self, name):
        self._run(_storvirt_lockspace_leave, _str_arg(name, "name"), 0)

    def lockspace_status(self, name):
        """The lockspace: host id, "state" ("joined", "joining", "not
        joined"), the time a join took ("join_ms")."""
        out = c_void_p()
        self._run(_storvirt_lockspace_status, _str_arg(name, "name"), byref(out), 0)
        return _json.loads(_take_string(out))

    def vm_connections(self, vm, vdsm=False):
        """The connections the vDisks attached to ``vm`` need, each once
        (parsed JSON, secrets redacted; VDSM's keys with ``vdsm``)."""
        out = c_void_p()
        self._run(_storvirt_vm_connections, _str_arg(vm, "vm"), byref(out),
                  STORVIRT_CONNECTION_JSON_VDSM if vdsm else 0)
        return _json.loads(_take_string(out))

    # -- device resolution -------------------------------------------------

    def resolve_disk(self, spec, dict=False, refresh=True, *, flags=0):
        """Resolves one disk spec on this host: the libvirt ``<disk>``
        element (str, no XML declaration), or with ``dict`` the normalized
        VDSM-style device dict (parsed).

        ``spec`` is a :class:`DiskSpec`, a dict of VDSM's drive keys or its
        JSON text.  A LUN's path is given only after the device at that
        path has been read again and found to carry the identity asked for.
        A GUID or UUID not in the current LUN snapshot makes one discovery
        pass first, unless ``refresh`` is false.  Errors: EINVAL (the spec
        is inconsistent), ENOENT (no such LUN, UUID, pool, volume or path),
        ENOTUNIQ (a UUID on two LUNs), ESTALE (the device at the path no
        longer carries the identity; the message names the path)."""
        flags = _resolve_flags(flags, dict, refresh)
        owned = None
        if not isinstance(spec, DiskSpec):
            spec = owned = DiskSpec(spec)
        try:
            out = c_void_p()
            h = self._acquire()
            try:
                with spec._using() as sh:
                    _call(_storvirt_resolve_disk, h, sh, byref(out), flags)
            finally:
                _storvirt_ctx_unref(h)
            text = _take_string(out)
        finally:
            if owned is not None:
                owned.close()
        return _json.loads(text) if dict else text

    def resolve_vm(self, vm, dict=False, refresh=True, *, flags=0, warnings=None):
        """Resolves all the drives of a VM at once: the ``<devices>``
        element holding each ``<disk>`` in order (str), or with ``dict``
        ``{"devices": [device dict, ...]}`` (parsed).

        ``vm`` is ``{"drives": [...]}``, ``{"devices": [...]}`` (VDSM; the
        entries whose type is not "disk" are skipped) or a list of drive
        specs, as Python objects or JSON text.  Drives without an index get
        the lowest free one on their bus; index, target dev, boot order and
        addresses are checked across the drives.  When any drive has a
        problem, raises :class:`ResolveError` whose ``problems`` lists every
        one found, each naming its drive.  An optional drive whose storage
        cannot be reached is left out; when ``warnings`` is a list, what was
        left out (drives, a LUN's serial) is appended to it, one message per
        thing, each naming its drive (STORVIRT_RESOLVE_WARNINGS).
        ``refresh`` as in :meth:`resolve_disk`."""
        if warnings is not None and not isinstance(warnings, list):
            raise TypeError("warnings must be a list or None")
        flags = _resolve_flags(flags, dict, refresh)
        if warnings is not None:
            flags |= STORVIRT_RESOLVE_WARNINGS
        if isinstance(vm, (str, bytes, bytearray)):
            text = _str_arg(vm, "vm")
        else:
            text = _json_arg(vm, "vm")
        out = c_void_p()
        problems = _c_char_pp()
        h = self._acquire()
        try:
            _storvirt_error_clear()
            rc = _storvirt_resolve_vm(h, text, byref(out), byref(problems), flags)
            if rc < 0:
                err = _error(rc)
                if problems:
                    try:
                        err = ResolveError(err.errno, err.strerror, _strv(problems))
                    finally:
                        _storvirt_strv_free(problems)
                raise err
            if problems:
                try:
                    if warnings is not None:
                        warnings.extend(_strv(problems))
                finally:
                    _storvirt_strv_free(problems)
        finally:
            _storvirt_ctx_unref(h)
        text = _take_string(out)
        return _json.loads(text) if dict else text


# --------------------------------------------------------------------------
# Pools and volumes.

PoolInfo = collections.namedtuple("PoolInfo", "state capacity allocation available")
PoolInfo.__doc__ = """A pool's state (STORVIRT_POOL_STATE_*) and its capacity,
allocation and available bytes as of the last refresh (0 when inactive)."""

VolumeInfo = collections.namedtuple("VolumeInfo", "type capacity allocation physical")
VolumeInfo.__doc__ = """A volume's type (STORVIRT_VOLUME_TYPE_*), capacity (virtual
size), allocation (bytes used on the host) and physical size (host file size)."""

_live_objects = weakref.WeakSet()


def _build_flags(build, overwrite):
    """storvirt_pool_create_xml()/_start() flags from build= and overwrite=."""
    flags = 0
    if build or overwrite is not None:
        flags |= STORVIRT_POOL_CREATE_BUILD
    if overwrite is not None:
        flags |= (STORVIRT_POOL_CREATE_BUILD_OVERWRITE if overwrite
                  else STORVIRT_POOL_CREATE_BUILD_NO_OVERWRITE)
    return flags


def _wrap_array(arr, n, ref, free, wrap):
    """Python objects for a NULL-terminated array of referenced handles,
    which is then freed."""
    if not arr:
        return []
    result = []
    try:
        for i in range(n):
            h = arr[i]
            if not h:
                break
            # The element lives in the array's memory: take our own
            # reference into a fresh handle object before the array goes.
            result.append(wrap(ref(type(h)(h.value))))
    finally:
        free(arr)
    return result


def _take_string(out):
    """A caller-owned char * (c_void_p) as str, freed."""
    try:
        return ctypes.string_at(out.value).decode("utf-8", "replace") if out.value else ""
    finally:
        _storvirt_free(out)


class _Progress:
    """Runs a long operation with a Python progress callable.

    The callable gets (done, total) in bytes; returning False (or another
    false value but None) cancels the operation, which then fails with
    ECANCELED.  An exception raised inside it never crosses the C frame: it
    cancels the operation and is raised again once the C call returns.
    """

    __slots__ = ("fn", "exc", "c_fn")

    def __init__(self, fn):
        if fn is not None and not callable(fn):
            raise TypeError("progress must be callable or None")
        self.fn = fn
        self.exc = None
        self.c_fn = _progress_fn(self._called) if fn is not None else _progress_fn()

    def _called(self, done, total, userdata):
        if self.exc is not None:
            return 1
        try:
            r = self.fn(done, total)
        except BaseException as e:  # noqa: B902 - re-raised by finish()
            self.exc = e
            return 1
        return 0 if r is None or r else 1

    def run(self, fn, *args):
        """fn(*args, progress_fn, NULL, flags-last-arg already in args)."""
        try:
            _storvirt_error_clear()
            rc = fn(*args)
            err = _error(rc) if rc < 0 else None
        finally:
            self.c_fn = None  # break the cycle through the bound method
        exc, self.exc = self.exc, None
        if exc is not None:
            try:
                raise exc
            finally:
                exc = None
        if err is not None:
            raise err
        return rc


class _Handle:
    """Common lifetime of Pool and Volume: one library reference, dropped by
    close(), a with-block, or collection; each call takes its own reference
    for its duration."""

    __slots__ = ("_handle", "_lock", "__weakref__")
    _kind = "object"

    def __init__(self, *args, **kwargs):
        raise TypeError("storvirt.%s objects are returned by the library, not made "
                        "directly" % self._kind)

    def _init_handle(self, handle):
        self._lock = threading.Lock()
        self._handle = handle
        _live_objects.add(self)

    def _acquire(self):
        with self._lock:
            if self._handle is None:
                raise ValueError("operation on a closed storvirt.%s" % self._kind)
            return self._c_ref(self._handle)

    @property
    def closed(self):
        return getattr(self, "_handle", None) is None

    def close(self):
        """Drops this object's reference.  Safe to call more than once."""
        lock = getattr(self, "_lock", None)
        if lock is None:
            return
        with lock:
            handle, self._handle = self._handle, None
        if handle is not None:
            _live_objects.discard(self)
            self._c_unref(handle)

    def __enter__(self):
        if self.closed:
            raise ValueError("operation on a closed storvirt.%s" % self._kind)
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def _run(self, fn, *args):
        h = self._acquire()
        try:
            return _call(fn, h, *args)
        finally:
            self._c_unref(h)

    def _get(self, fn):
        """A borrowed string attribute, copied (c_char_p results are)."""
        h = self._acquire()
        try:
            return fn(h)
        finally:
            self._c_unref(h)

    def _run_progress(self, fn, progress, *args):
        """fn(handle, *args, progress_fn, NULL, flags) with a Python callable."""
        p = _Progress(progress)
        h = self._acquire()
        try:
            *head, flags = args
            return p.run(fn, h, *head, p.c_fn, None, flags)
        finally:
            self._c_unref(h)


class Pool(_Handle):
    """A storage pool.  Returned by :meth:`Context.define_pool`,
    :meth:`Context.create_pool`, the ``pool_by_*`` lookups and
    :meth:`Context.list_pools`.

    Use as a context manager, or call :meth:`close`, to release the library
    handle deterministically; a pool keeps its context alive.
    """

    __slots__ = ()
    _kind = "Pool"

    @staticmethod
    def _c_ref(h):
        return _storvirt_pool_ref(h)

    @staticmethod
    def _c_unref(h):
        return _storvirt_pool_unref(h)

    @classmethod
    def _wrap(cls, handle):
        self = cls.__new__(cls)
        self._init_handle(handle)
        return self

    def __repr__(self):
        if self.closed:
            return "<storvirt.Pool closed>"
        return "<storvirt.Pool %r (%s)>" % (self.name, self.type)

    # -- attributes --------------------------------------------------------

    @property
    def name(self):
        return _decode(self._get(_storvirt_pool_get_name))

    @property
    def uuid(self):
        """The UUID in canonical text form."""
        return _decode(self._get(_storvirt_pool_get_uuid))

    @property
    def type(self):
        """The pool type, e.g. "dir"."""
        return _decode(self._get(_storvirt_pool_get_type))

    @property
    def target_path(self):
        """The target path, or None for pool types without one."""
        return _decode_path(self._get(_storvirt_pool_get_target_path))

    @property
    def context(self):
        """The pool's context, as a new :class:`Context` object."""
        h = self._acquire()
        try:
            return Context._wrap(_storvirt_pool_get_ctx(h))
        finally:
            self._c_unref(h)

    @property
    def active(self):
        return self._run(_storvirt_pool_is_active) > 0

    @property
    def persistent(self):
        return self._run(_storvirt_pool_is_persistent) > 0

    @property
    def autostart(self):
        """Whether the pool is started when a context opens the state
        directory.  Assigning to it on a transient pool raises EINVAL."""
        return self._run(_storvirt_pool_get_autostart) > 0

    @autostart.setter
    def autostart(self, value):
        self._run(_storvirt_pool_set_autostart, 1 if value else 0)

    def info(self):
        """A :class:`PoolInfo` (state, capacity, allocation, available)."""
        state, cap, alloc, avail = c_uint32(), c_uint64(), c_uint64(), c_uint64()
        self._run(_storvirt_pool_get_info, byref(state), byref(cap), byref(alloc), byref(avail))
        return PoolInfo(state.value, cap.value, alloc.value, avail.value)

    def xml(self, inactive=False, *, flags=0):
        """The pool's libvirt XML; ``inactive`` gives the stored definition
        without runtime values."""
        flags = _flags(flags)
        if inactive:
            flags |= STORVIRT_POOL_XML_INACTIVE
        out = c_void_p()
        self._run(_storvirt_pool_get_xml, byref(out), flags)
        return _take_string(out)

    def secret_xml(self, *, flags=0):
        """For an iscsi or iscsi-direct pool with CHAP: the libvirt secret
        XML its <auth> names."""
        out = c_void_p()
        self._run(_storvirt_pool_get_secret_xml, byref(out), _flags(flags))
        return _take_string(out)

    def write_secret(self, file, *, flags=0):
        """Writes the CHAP password of the stored connection the pool's
        <auth> resolves to, exactly its bytes, to ``file`` (a file
        descriptor or an object with fileno(), flushed first)."""
        fd, fobj = _secret_fd(file)
        self._run(_storvirt_pool_write_secret, fd, _flags(flags))

    # -- lifecycle ---------------------------------------------------------

    def build(self, overwrite=None, *, flags=0):
        """Creates the underlying storage of an inactive pool.  ``overwrite``
        True allows destroying what is there; False refuses (EEXIST) when
        something is there."""
        flags = _flags(flags)
        if overwrite is not None:
            flags |= STORVIRT_POOL_BUILD_OVERWRITE if overwrite else STORVIRT_POOL_BUILD_NO_OVERWRITE
        self._run(_storvirt_pool_build, flags)

    def start(self, build=False, overwrite=None, *, flags=0):
        """Activates the pool, building it first with ``build`` (see
        :meth:`Context.create_pool` for ``overwrite``)."""
        self._run(_storvirt_pool_start, _flags(flags) | _build_flags(build, overwrite))

    def stop(self, *, flags=0):
        """Deactivates the pool (virsh's pool-destroy)."""
        self._run(_storvirt_pool_stop, _flags(flags))

    def delete(self, nonempty=False, *, flags=0):
        """Destroys the underlying storage of an inactive pool; a pool that
        still holds volumes raises ENOTEMPTY unless ``nonempty``."""
        flags = _flags(flags)
        if nonempty:
            flags |= STORVIRT_POOL_DELETE_NONEMPTY
        self._run(_storvirt_pool_delete, flags)

    def refresh(self, *, flags=0):
        """Rescans an active pool's volumes and capacity."""
        self._run(_storvirt_pool_refresh, _flags(flags))

    def undefine(self, *, flags=0):
        """Removes a persistent pool's stored definition."""
        self._run(_storvirt_pool_undefine, _flags(flags))

    # -- volumes -----------------------------------------------------------

    def volumes(self, *, flags=0):
        """The volumes of an active pool, sorted by name."""
        arr = POINTER(_Vol)()
        n = c_size_t()
        self._run(_storvirt_pool_list_volumes, byref(arr), byref(n), _flags(flags))
        return _wrap_array(arr, n.value, _storvirt_volume_ref, _storvirt_volume_list_free,
                           lambda h: Volume._wrap(h, self))

    def volume(self, name):
        """The volume called ``name`` in this pool."""
        out = _Vol()
        self._run(_storvirt_volume_lookup_by_name, _str_arg(name, "name"), byref(out))
        return Volume._wrap(out, self)

    def create_volume(self, xml, progress=None, prealloc_metadata=False, *, flags=0):
        """Creates a volume from libvirt volume XML.  ``progress(done,
        total)`` is called during preallocation."""
        flags = _flags(flags)
        if prealloc_metadata:
            flags |= STORVIRT_VOLUME_CREATE_PREALLOC_METADATA
        out = _Vol()
        self._run_progress(_storvirt_volume_create_xml, progress, _str_arg(xml, "xml"),
                           byref(out), flags)
        return Volume._wrap(out, self)

    def create_volume_from(self, xml, src, progress=None, reflink=False,
                           prealloc_metadata=False, *, flags=0, no_cow=False):
        """Creates a volume from libvirt volume XML as a copy of the
        :class:`Volume` ``src`` (which may be in another pool).  ``reflink``
        requires a reflink copy (EOPNOTSUPP if impossible); ``no_cow`` asks
        for a full copy where the pool would make a copy-on-write clone
        (rbd)."""
        if not isinstance(src, Volume):
            raise TypeError("src must be a storvirt.Volume, not %s" % type(src).__name__)
        flags = _flags(flags)
        if reflink:
            flags |= STORVIRT_VOLUME_CREATE_REFLINK
        if no_cow:
            flags |= STORVIRT_VOLUME_CREATE_NO_COW
        if prealloc_metadata:
            flags |= STORVIRT_VOLUME_CREATE_PREALLOC_METADATA
        xml_b = _str_arg(xml, "xml")
        out = _Vol()
        sh = src._acquire()
        try:
            self._run_progress(_storvirt_volume_create_xml_from, progress, xml_b, sh,
                               byref(out), flags)
        finally:
            _storvirt_volume_unref(sh)
        return Volume._wrap(out, self)


class Volume(_Handle):
    """A storage volume.  Returned by :meth:`Pool.volumes`, :meth:`Pool.volume`,
    :meth:`Pool.create_volume`, :meth:`Context.volume_by_key` and
    :meth:`Context.volume_by_path`.

    A volume keeps its :class:`Pool` object (and the library pool and
    context) alive.  Use as a context manager, or call :meth:`close`.
    """

    __slots__ = ("_pool",)
    _kind = "Volume"

    @staticmethod
    def _c_ref(h):
        return _storvirt_volume_ref(h)

    @staticmethod
    def _c_unref(h):
        return _storvirt_volume_unref(h)

    @classmethod
    def _wrap(cls, handle, pool):
        self = cls.__new__(cls)
        self._pool = pool
        self._init_handle(handle)
        return self

    def __repr__(self):
        if self.closed:
            return "<storvirt.Volume closed>"
        return "<storvirt.Volume %r in %r>" % (self.name, self.pool.name)

    @property
    def name(self):
        return _decode(self._get(_storvirt_volume_get_name))

    @property
    def key(self):
        return _decode_path(self._get(_storvirt_volume_get_key))

    @property
    def path(self):
        return _decode_path(self._get(_storvirt_volume_get_path))

    @property
    def format(self):
        """The format, e.g. "raw" or "qcow2"."""
        return _decode(self._get(_storvirt_volume_get_format))

    @property
    def pool(self):
        """The volume's :class:`Pool`."""
        pool = self._pool
        if pool is None or pool.closed:
            h = self._acquire()
            try:
                pool = Pool._wrap(_storvirt_pool_ref(_storvirt_volume_get_pool(h)))
            finally:
                self._c_unref(h)
            self._pool = pool
        return pool

    def info(self):
        """A :class:`VolumeInfo` (type, capacity, allocation, physical)."""
        typ, cap, alloc, phys = c_uint32(), c_uint64(), c_uint64(), c_uint64()
        self._run(_storvirt_volume_get_info, byref(typ), byref(cap), byref(alloc), byref(phys))
        return VolumeInfo(typ.value, cap.value, alloc.value, phys.value)

    def xml(self, *, flags=0):
        """The volume's libvirt XML."""
        out = c_void_p()
        self._run(_storvirt_volume_get_xml, byref(out), _flags(flags))
        return _take_string(out)

    def warning(self, *, flags=0):
        """Why the volume is not handed out as it is (content that claims
        another format than the recorded one, a header QEMU would refuse, a
        backing chain leaving the pools), or None."""
        out = c_void_p()
        r = self._run(_storvirt_volume_get_warning, byref(out), _flags(flags))
        return _take_string(out) if r == 1 else None

    def delete(self, zeroed=False, force=False, *, with_snapshots=False, flags=0):
        """Removes the volume from its pool; ``zeroed`` zeroes the data first,
        ``force`` deletes even when a vDisk uses it, ``with_snapshots``
        removes an rbd image's snapshots with it."""
        flags = _flags(flags)
        if zeroed:
            flags |= STORVIRT_VOLUME_DELETE_ZEROED
        if force:
            flags |= STORVIRT_VOLUME_DELETE_FORCE
        if with_snapshots:
            flags |= STORVIRT_VOLUME_DELETE_WITH_SNAPSHOTS
        self._run(_storvirt_volume_delete, flags)

    def wipe(self, progress=None, *, flags=0):
        """Overwrites the volume's data with zeros."""
        self._run_progress(_storvirt_volume_wipe, progress, _flags(flags))

    def resize(self, capacity, allocate=False, delta=False, shrink=False, *, flags=0):
        """Sets the capacity (or changes it by ``capacity`` with ``delta``).
        Shrinking needs ``shrink``; ``allocate`` allocates the new space."""
        flags = _flags(flags)
        if allocate:
            flags |= STORVIRT_VOLUME_RESIZE_ALLOCATE
        if delta:
            flags |= STORVIRT_VOLUME_RESIZE_DELTA
        if shrink:
            flags |= STORVIRT_VOLUME_RESIZE_SHRINK
        self._run(_storvirt_volume_resize, _u64(capacity, "capacity"), flags)

    def upload(self, file, offset=0, length=0, progress=None, sparse=False, *, flags=0):
        """Copies ``length`` bytes (0: to the end) from ``file`` into the
        volume at ``offset``.  ``file`` is a file descriptor, a file object
        with a descriptor (read from its current position), or any object
        with ``read()`` (fed to the library through a pipe).  ``sparse``
        skips blocks of zeros."""
        self._transfer(_storvirt_volume_upload, True, file, offset, length, progress,
                       sparse, flags)

    def download(self, file, offset=0, length=0, progress=None, sparse=False, *, flags=0):
        """Copies ``length`` bytes (0: to the end) of the volume starting at
        ``offset`` into ``file``: a file descriptor, a file object with a
        descriptor (written at its current position), or any object with
        ``write()`` (fed from the library through a pipe).  ``sparse`` seeks over holes instead of writing zeros."""
        self._transfer(_storvirt_volume_download, False, file, offset, length, progress,
                       sparse, flags)

    def _transfer(self, fn, upload, file, offset, length, progress, sparse, flags):
        flags = _flags(flags)
        if sparse:
            flags |= STORVIRT_VOLUME_TRANSFER_SPARSE
        offset = _u64(offset, "offset")
        length = _u64(length, "length")
        if progress is not None and not callable(progress):
            raise TypeError("progress must be callable or None")

        fd, fobj = _fd_of(file)
        if fd is None:
            if not hasattr(file, "read" if upload else "write"):
                raise TypeError("file must be a file descriptor or a file object, not %s"
                                % type(file).__name__)
            return self._transfer_pumped(fn, upload, file, offset, length, progress, flags)

        seekable = False
        if fobj is not None:
            try:
                seekable = fobj.seekable()
            except (OSError, ValueError, AttributeError):
                seekable = False
            if upload and seekable:
                os.lseek(fd, fobj.tell(), os.SEEK_SET)  # what buffering read ahead
            elif not upload:
                fobj.flush()
        try:
            self._run_progress(fn, progress, fd, offset, length, flags)
        finally:
            if fobj is not None and seekable:
                fobj.seek(os.lseek(fd, 0, os.SEEK_CUR))
        if not upload and sparse:
            _extend_to_position(fd)

    def _transfer_pumped(self, fn, upload, file, offset, length, progress, flags):
        """upload()/download() with an object without a descriptor: a pipe
        and a thread moving the data."""
        rfd, wfd = os.pipe()
        errors = []
        if upload:
            lib_fd, own_fd = rfd, wfd

            def pump():
                try:
                    while True:
                        chunk = file.read(1 << 16)
                        if not chunk:
                            break
                        view = memoryview(chunk)
                        while view:
                            view = view[os.write(own_fd, view):]
                except BrokenPipeError:
                    pass  # the library read what it wanted
                except BaseException as e:  # noqa: B902 - re-raised below
                    errors.append(e)
                finally:
                    os.close(own_fd)
        else:
            lib_fd, own_fd = wfd, rfd

            def pump():
                failed = False
                try:
                    while True:
                        chunk = os.read(own_fd, 1 << 16)
                        if not chunk:
                            break
                        if not failed:
                            try:
                                file.write(chunk)
                            except BaseException as e:  # noqa: B902
                                errors.append(e)
                                failed = True  # keep draining: never block the writer
                finally:
                    os.close(own_fd)

        t = threading.Thread(target=pump, name="storvirt-transfer", daemon=True)
        t.start()
        try:
            self._run_progress(fn, progress, lib_fd, offset, length, flags)
        finally:
            os.close(lib_fd)
            t.join()
        if errors:
            raise errors[0]


# --------------------------------------------------------------------------
# LUNs.


class LunStatus(str, enum.Enum):
    """Whether a LUN is in use (:attr:`Lun.status`).  The members are
    strings, equal to the "status" value of the LUN's JSON record:
    ``lun.status == "free"`` and ``lun.status is LunStatus.FREE`` both
    work.  :attr:`Lun.status_reason` says why."""

    FREE = "free"        # nothing found on the LUN (or an LVM PV in no VG)
    USED = "used"        # something is on it or uses it
    UNKNOWN = "unknown"  # it could not be told (permission, unreadable)

    __str__ = str.__str__
    __format__ = str.__format__

    @property
    def code(self):
        """The C value, STORVIRT_LUN_STATUS_*."""
        return _LUN_STATUS_CODES[self]


_LUN_STATUS_CODES = {
    LunStatus.FREE: STORVIRT_LUN_STATUS_FREE,
    LunStatus.USED: STORVIRT_LUN_STATUS_USED,
    LunStatus.UNKNOWN: STORVIRT_LUN_STATUS_UNKNOWN,
}
_LUN_STATUS_BY_CODE = {v: k for k, v in _LUN_STATUS_CODES.items()}

Devnum = collections.namedtuple("Devnum", "major minor")
Devnum.__doc__ = """A device number: (major, minor)."""

Hctl = collections.namedtuple("Hctl", "host channel target lun")
Hctl.__doc__ = """The SCSI address of a path: host, channel (bus), target, LUN number."""

IscsiSession = collections.namedtuple("IscsiSession", "target portal initiator tpgt")
IscsiSession.__doc__ = """The iSCSI session of a path: target IQN, portal
("address:port"), initiator name and target portal group tag (None when
unknown).  Credentials are never read."""

LvmPv = collections.namedtuple("LvmPv", "pv_uuid vg_name vg_uuid")
LvmPv.__doc__ = """An LVM physical volume: its PV UUID and the name and UUID
of its VG (None when the PV's metadata names none)."""


def _lun_list_json(arr, flags):
    """{"devList": [...]} of a NULL-terminated storvirt_lun * array."""
    out = c_void_p()
    _call(_storvirt_lun_list_to_json, arr, byref(out), _flags(flags))
    return _json.loads(_take_string(out))


def _strv(arr):
    """A borrowed NULL-terminated char ** as a list of str."""
    result = []
    if not arr:
        return result
    for i in itertools.count():
        item = arr[i]
        if item is None:
            break
        result.append(_decode(item))
    return result


class Lun(_Handle):
    """A LUN: a block device the host sees (a disk, an NVMe namespace, an
    attached loop device, a multipath map with its member paths).  Returned
    by :meth:`Context.list_luns` and the ``lun_by_*`` lookups.

    A Lun shows the discovery snapshot it came from and never changes; it
    stays valid after :meth:`Context.refresh_luns` and after its context is
    closed.  Use as a context manager, or call :meth:`close`, to release
    the library handle deterministically.

    Strings that the device does not report are None.
    """

    __slots__ = ()
    _kind = "Lun"

    @staticmethod
    def _c_ref(h):
        return _storvirt_lun_ref(h)

    @staticmethod
    def _c_unref(h):
        return _storvirt_lun_unref(h)

    @classmethod
    def _wrap(cls, handle):
        self = cls.__new__(cls)
        self._init_handle(handle)
        return self

    def __repr__(self):
        if self.closed:
            return "<storvirt.Lun closed>"
        n = self.n_paths
        return "<storvirt.Lun %s %s (%s, %d path%s, %s)>" % (
            self.guid or "(no GUID)", self.devnode or self.name, self.devtype, n,
            "" if n == 1 else "s", self.status)

    def _out(self, fn, *types):
        """Calls fn(handle, &out...) and returns the out values."""
        outs = [t() for t in types]
        self._run(fn, *[byref(o) for o in outs])
        return [o.value for o in outs]

    # -- identity ----------------------------------------------------------

    @property
    def guid(self):
        """The GUID multipath names the LUN by ("3600140..."), or None when
        the device reports no identity."""
        return _decode(self._get(_storvirt_lun_get_guid))

    @property
    def devnode(self):
        """The device node to open (the map's for a multipath LUN)."""
        return _decode_path(self._get(_storvirt_lun_get_devnode))

    @property
    def name(self):
        """The kernel name ("sdb", "dm-3", "nvme0n1")."""
        return _decode(self._get(_storvirt_lun_get_name))

    @property
    def devnum(self):
        """The device number of :attr:`devnode`, a :class:`Devnum`."""
        return Devnum(*self._out(_storvirt_lun_get_devnum, c_uint, c_uint))

    @property
    def devtype(self):
        """The transport of the LUN's paths ("iscsi", "fc", "sas", "scsi",
        "ata", "nvme", "virtio", "loop", "unknown"), "mixed" for a multipath
        map whose paths differ, "multipath" for a map without paths."""
        return _decode(self._get(_storvirt_lun_get_devtype))

    @property
    def dm_name(self):
        """The multipath map's name, None when the LUN is not a map."""
        return _decode(self._get(_storvirt_lun_get_dm_name))

    @property
    def multipath(self):
        """Whether the LUN is a multipath map."""
        return self.dm_name is not None

    @property
    def loop_backing(self):
        """A loop device's backing file, else None."""
        return _decode_path(self._get(_storvirt_lun_get_loop_backing))

    # -- SCSI inquiry ------------------------------------------------------

    def _inquiry(self, i):
        return _decode(self._out(_storvirt_lun_get_inquiry, *(c_char_p,) * 4)[i])

    @property
    def vendor(self):
        """The SCSI INQUIRY vendor (a multipath LUN's first path's)."""
        return self._inquiry(0)

    @property
    def product(self):
        return self._inquiry(1)

    @property
    def revision(self):
        return self._inquiry(2)

    @property
    def serial(self):
        """The unit serial number (VPD page 0x80, else udev's)."""
        return self._inquiry(3)

    # -- geometry ----------------------------------------------------------

    def _geometry(self, i):
        return self._out(_storvirt_lun_get_geometry, c_uint64, c_uint, c_uint, c_uint64,
                         c_int)[i]

    @property
    def capacity(self):
        """The size in bytes."""
        return self._geometry(0)

    @property
    def logical_block_size(self):
        return self._geometry(1)

    @property
    def physical_block_size(self):
        return self._geometry(2)

    @property
    def discard_max_bytes(self):
        """The largest discard in bytes; 0: the LUN does not discard."""
        return self._geometry(3)

    @property
    def rotational(self):
        """Whether the medium rotates."""
        return bool(self._geometry(4))

    def refresh_size(self, *, flags=0):
        """Reads the LUN's capacity again after it grew on the array (each
        path rescanned, a loop device takes its backing file's size, a
        multipath map resized by multipathd) and returns ``(old, new)`` in
        bytes.  When they differ, LUN callbacks get ``lun-resized`` and the
        vDisk holding the LUN records the new capacity.  This Lun keeps
        showing its old snapshot; look the LUN up again for the new one
        (STORVIRT_0.6)."""
        old, new = c_uint64(), c_uint64()
        self._run(_storvirt_lun_refresh_size, byref(old), byref(new), _flags(flags))
        return old.value, new.value

    # -- usage -------------------------------------------------------------

    def _status(self):
        reason = c_char_p()
        code = self._run(_storvirt_lun_get_status, byref(reason))
        return _LUN_STATUS_BY_CODE.get(code, LunStatus.UNKNOWN), _decode(reason.value)

    @property
    def status(self):
        """A :class:`LunStatus`: "free", "used" or "unknown"."""
        return self._status()[0]

    @property
    def status_reason(self):
        """Why the LUN has its status: "no signature", "filesystem ext4",
        "mounted on /srv", "held by dm-4"..., several joined by "; "."""
        return self._status()[1]

    def _signature(self, i):
        return _decode(self._out(_storvirt_lun_get_signature, *(c_char_p,) * 4)[i])

    @property
    def fs_type(self):
        """The TYPE of the signature libblkid found ("ext4", "xfs",
        "LVM2_member", "swap"...), or None."""
        return self._signature(0)

    @property
    def fs_uuid(self):
        return self._signature(1)

    @property
    def fs_label(self):
        return self._signature(2)

    @property
    def pt_type(self):
        """The partition table type ("gpt", "dos"), or None."""
        return self._signature(3)

    @property
    def lvm(self):
        """An :class:`LvmPv` when the LUN is an LVM physical volume, else
        None."""
        outs = [c_char_p() for _ in range(3)]
        h = self._acquire()
        try:
            _storvirt_error_clear()
            rc = _storvirt_lun_get_lvm(h, *[byref(o) for o in outs])
        finally:
            self._c_unref(h)
        if rc == -_errno.ENODATA:
            return None
        _check(rc)
        return LvmPv(*[_decode(o.value) for o in outs])

    @property
    def partitions(self):
        """The kernel names of the LUN's partitions (["sdb1", ...])."""
        h = self._acquire()
        try:
            return _strv(_storvirt_lun_get_partitions(h))
        finally:
            self._c_unref(h)

    # -- paths -------------------------------------------------------------

    @property
    def n_paths(self):
        """How many paths the LUN has."""
        h = self._acquire()
        try:
            return _storvirt_lun_get_n_paths(h)
        finally:
            self._c_unref(h)

    @property
    def paths(self):
        """The paths to the LUN, a list of :class:`LunPath`: one for a plain
        disk, one per member for a multipath map.  Each keeps the LUN's
        snapshot alive on its own."""
        h = self._acquire()
        try:
            return [LunPath._wrap(_storvirt_lun_ref(h), i)
                    for i in range(_storvirt_lun_get_n_paths(h))]
        finally:
            self._c_unref(h)

    # -- JSON --------------------------------------------------------------

    def json(self, *, flags=0):
        """The LUN's record as a dict with the keys of VDSM's getDeviceList
        (GUID, vendorID, productID, fwrev, serial, capacity, devtype,
        pathstatus, pathlist, pvUUID, vgUUID, status, ...) and libstorvirt's
        own (name, devnode, devnum, transport, fsType, partitions, ...)."""
        out = c_void_p()
        self._run(_storvirt_lun_get_json, byref(out), _flags(flags))
        return _json.loads(_take_string(out))


class LunPath(_Handle):
    """One path to a :class:`Lun` (a member of a multipath map, or the disk
    itself), from :attr:`Lun.paths`.  A path holds its own reference to
    the LUN, so it stays valid after the Lun object is closed."""

    __slots__ = ("_index",)
    _kind = "LunPath"

    @staticmethod
    def _c_ref(h):
        return _storvirt_lun_ref(h)

    @staticmethod
    def _c_unref(h):
        return _storvirt_lun_unref(h)

    @classmethod
    def _wrap(cls, lun_handle, index):
        self = cls.__new__(cls)
        self._index = index
        self._init_handle(lun_handle)
        return self

    def __repr__(self):
        if self.closed:
            return "<storvirt.LunPath closed>"
        return "<storvirt.LunPath %s (%s%s)>" % (
            self.devnode or self.name, self.transport,
            ", " + self.state if self.state else "")

    def _call_path(self, fn, *args, check=True):
        """fn(path, *args) on this path of the LUN; raises on a negative
        result when ``check``."""
        h = self._acquire()
        try:
            _storvirt_error_clear()
            p = _storvirt_lun_get_path(h, self._index)
            if not p:
                raise _error(-_errno.ERANGE)
            rc = fn(p, *args)
        finally:
            self._c_unref(h)
        return _check(rc) if check else rc

    def _out(self, fn, *types):
        outs = [t() for t in types]
        self._call_path(fn, *[byref(o) for o in outs])
        return [o.value for o in outs]

    def _optional_out(self, fn, *types):
        """The out values, or None when fn says ENODATA."""
        outs = [t() for t in types]
        rc = self._call_path(fn, *[byref(o) for o in outs], check=False)
        if rc == -_errno.ENODATA:
            return None
        _check(rc)
        return [o.value for o in outs]

    @property
    def lun(self):
        """The path's :class:`Lun` (a new object)."""
        return Lun._wrap(self._acquire())

    @property
    def index(self):
        """The path's position in :attr:`Lun.paths`."""
        return self._index

    @property
    def name(self):
        """The kernel name ("sdc")."""
        return _decode(self._call_path(_storvirt_lun_path_get_name, check=False))

    @property
    def devnode(self):
        return _decode_path(self._call_path(_storvirt_lun_path_get_devnode, check=False))

    @property
    def devnum(self):
        """A :class:`Devnum`."""
        return Devnum(*self._out(_storvirt_lun_path_get_devnum, c_uint, c_uint))

    @property
    def transport(self):
        """"iscsi", "fc", "sas", "scsi", "ata", "nvme", "virtio", "loop" or
        "unknown"."""
        return _decode(self._call_path(_storvirt_lun_path_get_transport, check=False))

    @property
    def state(self):
        """The SCSI device state ("running", "offline", "blocked"...), None
        when the device has none (NVMe, virtio, loop)."""
        return _decode(self._call_path(_storvirt_lun_path_get_state, check=False)) or None

    @property
    def capacity(self):
        """The path's size in bytes."""
        return self._call_path(_storvirt_lun_path_get_capacity, check=False)

    @property
    def hctl(self):
        """An :class:`Hctl`, or None for a path that is not a SCSI device."""
        v = self._optional_out(_storvirt_lun_path_get_hctl, c_int, c_int, c_int, c_int)
        return None if v is None else Hctl(*v)

    @property
    def iscsi(self):
        """An :class:`IscsiSession`, or None for a path that is not iSCSI."""
        v = self._optional_out(_storvirt_lun_path_get_iscsi, c_char_p, c_char_p, c_char_p,
                               c_int)
        if v is None:
            return None
        target, portal, initiator, tpgt = v
        return IscsiSession(_decode(target), _decode(portal), _decode(initiator),
                            None if tpgt < 0 else tpgt)


# --------------------------------------------------------------------------
# Device resolution.


def _resolve_flags(flags, as_dict, refresh):
    flags = _flags(flags)
    if as_dict:
        flags |= STORVIRT_RESOLVE_DICT
    if not refresh:
        flags |= STORVIRT_RESOLVE_NO_REFRESH
    return flags


def _json_arg(value, name):
    """A Python value as JSON text (bytes); TypeError or ValueError when it
    has no JSON form."""
    try:
        text = _json.dumps(value, allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError) as e:
        raise type(e)("%s: %s" % (name, e)) from None
    return _check_nul(text.encode("utf-8"), name)


class DiskSpec:
    """A disk spec: where the storage is (a LUN's "GUID", a filesystem
    "UUID", VDSM's poolID/domainID/imageID/volumeID, a storvirt pool's
    volume, a host "path", an iSCSI target, a vDisk, or nothing for an
    empty cdrom) and how the guest sees it ("device", "iface", "index",
    "bootOrder", "address", ...), with VDSM's drive keys.

    ``DiskSpec()`` is empty; ``DiskSpec({"GUID": ..., "iface": "scsi"})``
    takes a dict (or its JSON text), and keywords set further keys:
    ``DiskSpec(GUID=..., iface="scsi")``.  Every bad key or value raises
    StorvirtError (EINVAL) naming the key, the value and why.

    The library handle is freed by :meth:`close`, a with-block or
    collection; using a closed DiskSpec raises ValueError.
    """

    __slots__ = ("_handle", "_lock", "__weakref__")

    def __init__(self, spec=None, **keys):
        self._lock = threading.Lock()
        self._handle = None
        handle = _DiskSpecPtr()
        if spec is None:
            _call(_storvirt_disk_spec_new, byref(handle))
        else:
            if isinstance(spec, (str, bytes, bytearray)):
                text = _str_arg(spec, "spec")
            elif isinstance(spec, collections.abc.Mapping):
                text = _json_arg(dict(spec), "spec")
            else:
                raise TypeError("spec must be a dict or JSON text, not %s"
                                % type(spec).__name__)
            _call(_storvirt_disk_spec_from_json, text, byref(handle), 0)
        self._handle = handle
        _live_objects.add(self)
        try:
            for key, value in keys.items():
                self.set(key, value)
        except BaseException:
            self.close()
            raise

    @classmethod
    def from_json(cls, text):
        """A spec from the JSON text of an object with VDSM's drive keys."""
        if not isinstance(text, (str, bytes, bytearray)):
            raise TypeError("text must be str, not %s" % type(text).__name__)
        return cls(text)

    # -- lifetime ----------------------------------------------------------

    @contextlib.contextmanager
    def _using(self):
        """The handle, locked for one call: neither freed nor changed
        meanwhile."""
        with self._lock:
            if self._handle is None:
                raise ValueError("operation on a closed storvirt.DiskSpec")
            yield self._handle

    @property
    def closed(self):
        return getattr(self, "_handle", None) is None

    def close(self):
        """Frees the library's spec.  Safe to call more than once."""
        lock = getattr(self, "_lock", None)
        if lock is None:
            return
        with lock:
            handle, self._handle = self._handle, None
        if handle is not None:
            _live_objects.discard(self)
            _storvirt_disk_spec_free(handle)

    def __enter__(self):
        if self.closed:
            raise ValueError("operation on a closed storvirt.DiskSpec")
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self):
        if self.closed:
            return "<storvirt.DiskSpec closed>"
        return "<storvirt.DiskSpec at 0x%x>" % (self._handle.value or 0)

    # -- keys --------------------------------------------------------------

    def set(self, key, value):
        """Sets one key as the JSON form would: ``value`` is any Python
        value with a JSON form (``spec.set("index", 2)``,
        ``spec.set("address", {"type": "pci", "slot": 5})``).  A bad key or
        value raises StorvirtError (EINVAL) and leaves the spec as it was."""
        key = _str_arg(key, "key")
        if isinstance(value, str):
            fn, arg = _storvirt_disk_spec_set_string, _str_arg(value, "value")
        else:
            fn, arg = _storvirt_disk_spec_set, _json_arg(value, "value")
        with self._using() as h:
            _call(fn, h, key, arg)

    __setitem__ = set


def _fd_of(file):
    """(fd, file object or None) for an int or an object with fileno(), else
    (None, None)."""
    if isinstance(file, int) and not isinstance(file, bool):
        return file, None
    fileno = getattr(file, "fileno", None)
    if fileno is None:
        return None, None
    try:
        return fileno(), file
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return None, None


def _secret_fd(file):
    """The descriptor write_secret() writes to: an int, or the fileno() of
    a file object, flushed so that the secret follows what it holds."""
    fd, fobj = _fd_of(file)
    if fd is None:
        raise TypeError("file must be a file descriptor or have fileno(), not %s"
                        % type(file).__name__)
    if fobj is not None and hasattr(fobj, "flush"):
        fobj.flush()
    return fd, fobj


def _extend_to_position(fd):
    """After a sparse download into a regular file: a hole at the end was
    seeked over, so give the file the size of what was written."""
    try:
        pos = os.lseek(fd, 0, os.SEEK_CUR)
        st = os.fstat(fd)
    except OSError:
        return
    if stat.S_ISREG(st.st_mode) and st.st_size < pos:
        os.ftruncate(fd, pos)


class Connection(_Handle):
    """A stored storage connection.  Returned by :meth:`Context.connection`
    and :meth:`Context.connections`."""

    __slots__ = ()
    _kind = "Connection"

    @staticmethod
    def _c_ref(h):
        return _storvirt_connection_ref(h)

    @staticmethod
    def _c_unref(h):
        return _storvirt_connection_unref(h)

    @classmethod
    def _wrap(cls, handle):
        self = cls.__new__(cls)
        self._init_handle(handle)
        return self

    def __repr__(self):
        if self.closed:
            return "<storvirt.Connection closed>"
        return "<storvirt.Connection %s (%s)>" % (self.id, self.param("type"))

    @property
    def id(self):
        return self._get(_storvirt_connection_get_id).decode("utf-8")

    @property
    def type(self):
        """STORVIRT_CONNECTION_ISCSI, _NFS, _POSIXFS, _LOCALFS or _FCP; 0 for a
        record that does not parse (listed with STORVIRT_CONNECTION_LIST_INVALID)."""
        return self._run(_storvirt_connection_get_type)

    def param(self, key):
        """One parameter by its key in the JSON form, or None when not set.
        Secrets are never returned (PermissionError)."""
        h = self._acquire()
        try:
            _storvirt_error_clear()
            v = _storvirt_connection_get_param(h, _str_arg(key, "key"))
        finally:
            self._c_unref(h)
        if v is None:
            err = _error(-(_storvirt_error_errno() or _errno.EINVAL))
            if err.errno == _errno.ENOENT:
                return None
            raise err
        return v.decode("utf-8")

    def info(self, vdsm=False):
        """The connection as a dict (secrets redacted), with "status"."""
        out = c_void_p()
        self._run(_storvirt_connection_get_json, byref(out),
                  STORVIRT_CONNECTION_JSON_VDSM if vdsm else 0)
        return _json.loads(_take_string(out))

    def connect(self, holder=None, timeout=0):
        """Holds the connection for ``holder``; True when this call
        connected, False when it only counted."""
        return self._run(_storvirt_connection_connect,
                         _str_arg(holder, "holder", allow_none=True), int(timeout * 1000), 0) == 1

    def disconnect(self, holder=None, force=False):
        """Drops ``holder``; True when this call disconnected."""
        return self._run(_storvirt_connection_disconnect,
                         _str_arg(holder, "holder", allow_none=True),
                         STORVIRT_CONNECTION_FORCE if force else 0) == 1

    def undefine(self, force=False):
        self._run(_storvirt_connection_undefine, STORVIRT_CONNECTION_FORCE if force else 0)

    def luns(self, timeout=0):
        """The LUNs of an iSCSI connection's target (list of dicts)."""
        out = c_void_p()
        self._run(_storvirt_connection_list_luns, int(timeout * 1000), byref(out), 0)
        return _json.loads(_take_string(out))

    def secret_xml(self, *, flags=0):
        """The libvirt secret XML (usage type iscsi, usage id
        "libstorvirt-chap-<id>", a name-based UUID) that the network disks
        reaching this connection's target with CHAP name."""
        out = c_void_p()
        self._run(_storvirt_connection_get_secret_xml, byref(out), _flags(flags))
        return _take_string(out)

    def write_secret(self, file, *, flags=0):
        """Writes the CHAP password, exactly its bytes, to ``file``: a file
        descriptor or an object with fileno() (flushed first)."""
        fd, fobj = _secret_fd(file)
        self._run(_storvirt_connection_write_secret, fd, _flags(flags))


def _take_malloc_string(out):
    """A char * from malloc (c_void_p) as str, freed."""
    return _take_string(out)


class VDisk(_Handle):
    """A vDisk: one VM disk over its life.  Returned by
    :meth:`Context.import_vdisk`, :meth:`Context.vdisk` and
    :meth:`Context.vdisks`.  Every call reads the record anew."""

    __slots__ = ("existed",)
    _kind = "VDisk"

    @staticmethod
    def _c_ref(h):
        return _storvirt_vdisk_ref(h)

    @staticmethod
    def _c_unref(h):
        return _storvirt_vdisk_unref(h)

    @classmethod
    def _wrap(cls, handle):
        self = cls.__new__(cls)
        self._init_handle(handle)
        self.existed = False
        return self

    def __repr__(self):
        if self.closed:
            return "<storvirt.VDisk closed>"
        return "<storvirt.VDisk %s>" % self.id

    @property
    def id(self):
        return self._get(_storvirt_vdisk_get_id).decode("utf-8")

    def info(self):
        """The record (dict): identity, kind, images, attachments..."""
        out = c_void_p()
        self._run(_storvirt_vdisk_get_json, byref(out), 0)
        return _json.loads(_take_string(out))

    @property
    def images(self):
        return self.info()["images"]

    def snapshot(self, pool=None):
        """Adds a qcow2 overlay (in ``pool``, default: the top's pool);
        returns the new image UID."""
        out = c_void_p()
        self._run(_storvirt_vdisk_snapshot, _str_arg(pool, "pool", allow_none=True),
                  byref(out), 0)
        return _take_malloc_string(out)

    def delete_image(self, uid, force=False, delete_storage=False):
        self._run(_storvirt_vdisk_delete_image, _str_arg(uid, "uid"),
                  (STORVIRT_VDISK_FORCE if force else 0) |
                  (STORVIRT_VDISK_DELETE_STORAGE if delete_storage else 0))

    def delete(self, force=False, delete_storage=False):
        self._run(_storvirt_vdisk_delete,
                  (STORVIRT_VDISK_FORCE if force else 0) |
                  (STORVIRT_VDISK_DELETE_STORAGE if delete_storage else 0))

    def xml(self, guest=None, dict=False, leases=False):
        """The ``<disk>`` element with the backing chain (or the device dict
        with ``dict``); ``guest`` says how the guest sees it (no source);
        ``leases``: its ``<lease>`` element follows (libvirt's sanlock lock
        driver)."""
        out = c_void_p()
        self._guest_call(_storvirt_vdisk_get_xml, guest, (), (byref(out),
                         (STORVIRT_RESOLVE_DICT if dict else 0) |
                         (STORVIRT_RESOLVE_LEASES if leases else 0)))
        text = _take_string(out)
        return _json.loads(text) if dict else text

    def _guest_call(self, fn, guest, before, after):
        owned = None
        if guest is not None and not isinstance(guest, DiskSpec):
            guest = owned = DiskSpec(guest)
        try:
            if guest is None:
                return self._run(fn, *before, None, *after)
            with guest._using() as gh:
                return self._run(fn, *before, gh, *after)
        finally:
            if owned is not None:
                owned.close()

    def attach(self, vm, guest=None, hotplug=False):
        """Records that ``vm`` uses the vDisk; returns its ``<disk>``."""
        out = c_void_p()
        self._guest_call(_storvirt_vdisk_attach, guest, (_str_arg(vm, "vm"),),
                         (byref(out), STORVIRT_VDISK_ATTACH_HOTPLUG if hotplug else 0))
        return _take_string(out)

    def detach(self, vm):
        self._run(_storvirt_vdisk_detach, _str_arg(vm, "vm"), 0)

    def prepare(self, vm, timeout=0, flags=0):
        """Connects what the vDisk needs, waits for the device and checks
        it; returns its path.  ``timeout`` in seconds (0: 30); ``flags``:
        STORVIRT_VDISK_PREPARE_MIGRATION or _HA_RESTART (0.6)."""
        out = c_void_p()
        self._run(_storvirt_vdisk_prepare, _str_arg(vm, "vm"), int(timeout * 1000),
                  byref(out), int(flags))
        return _take_malloc_string(out)

    def release(self, vm):
        self._run(_storvirt_vdisk_release, _str_arg(vm, "vm"), 0)

    def lease_acquire(self, pid=0):
        """Acquires the vDisk's sanlock lease for ``pid`` (0: this process,
        until it exits); False for a read-only vDisk, which needs none."""
        return self._run(_storvirt_vdisk_lease_acquire, int(pid), 0) == 0

    def lease_release(self, pid=0):
        self._run(_storvirt_vdisk_lease_release, int(pid), 0)

    def lease_assign(self, lockspace):
        """Gives the vDisk a lease slot in ``lockspace`` (a lockspace of
        this host whose area is a file), for a vDisk on storage no lease
        area covers, such as a shared LUN; False when it had it already."""
        return self._run(_storvirt_vdisk_lease_assign, _str_arg(lockspace, "lockspace"), 0) == 1

    def lease_status(self):
        """The lease: "mode", "held", "owners" (host ids) as on storage."""
        out = c_void_p()
        self._run(_storvirt_vdisk_lease_status, byref(out), 0)
        return _json.loads(_take_string(out))


class HclSettings:
    """OpenHCL storage settings: controllers, LUNs and their physical
    devices.  ``HclSettings()`` is an empty document, ``HclSettings(json)``
    one read from JSON (text or Python objects).  Not reference counted:
    freed by :meth:`close` or collection."""

    __slots__ = ("_h",)

    def __init__(self, settings=None):
        self._h = None
        h = _Hcl()
        if settings is None:
            _call(_storvirt_hcl_new, byref(h))
        else:
            text = settings if isinstance(settings, (str, bytes)) else _json.dumps(settings)
            _call(_storvirt_hcl_parse, _str_arg(text, "settings"), byref(h), 0)
        self._h = h

    def close(self):
        h, self._h = self._h, None
        if h:
            _storvirt_hcl_free(h)

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _doc(self):
        if not self._h:
            raise ValueError("operation on a closed storvirt.HclSettings")
        return self._h

    def to_json(self, camel=False, pretty=False):
        """The document as JSON text: canonical, or upstream's camelCase form."""
        out = c_void_p()
        _call(_storvirt_hcl_to_json, self._doc(), byref(out),
              (STORVIRT_HCL_JSON_CAMEL if camel else 0) | (STORVIRT_HCL_JSON_PRETTY if pretty else 0))
        return _take_string(out)

    def validate(self, strict=False):
        """Every problem, as a list of {"code", "path", "message"} (empty: valid)."""
        out = c_void_p()
        _call(_storvirt_hcl_validate, self._doc(), byref(out),
              STORVIRT_HCL_VALIDATE_STRICT if strict else 0)
        return _json.loads(_take_string(out))

    def add_controller(self, protocol, instance_id=None):
        """Appends a controller (STORVIRT_HCL_PROTOCOL_*); returns its index."""
        idx = c_size_t()
        _call(_storvirt_hcl_add_controller, self._doc(), protocol,
              _str_arg(instance_id, "instance_id", allow_none=True), byref(idx))
        return idx.value

    def add_lun(self, controller, location=-1, dvd=False):
        """Appends a LUN (location -1: the next free one); returns its index."""
        idx = c_size_t()
        _call(_storvirt_hcl_add_lun, self._doc(), controller, location, 1 if dvd else 0, byref(idx))
        return idx.value

    def add_device(self, controller, lun, device_type, device_path, sub_device_path=0):
        """Appends a physical device to a LUN's backing (a second one stripes)."""
        _call(_storvirt_hcl_lun_add_device, self._doc(), controller, lun, device_type,
              _str_arg(device_path, "device_path"), sub_device_path)

    def set(self, controller, lun, key, value):
        """Sets a LUN field by name to a Python value (None clears an optional one)."""
        _call(_storvirt_hcl_lun_set, self._doc(), controller, lun, _str_arg(key, "key"),
              _str_arg(_json.dumps(value), "value"))

    @property
    def controllers(self):
        """[(protocol, instance_id, number of LUNs)]"""
        h = self._doc()
        out = []
        for i in range(_storvirt_hcl_get_n_controllers(h)):
            proto, ident, n = c_int(), c_char_p(), c_size_t()
            _call(_storvirt_hcl_get_controller, h, i, byref(proto), byref(ident), byref(n))
            out.append((proto.value, ident.value.decode("utf-8"), n.value))
        return out

    def lun(self, controller, lun):
        """{"location", "channel" (None), "dvd", "backing", "devices": [(type, path, sub)]}"""
        h = self._doc()
        loc, ch, dvd, backing, n = ctypes.c_uint32(), c_int(), c_int(), c_int(), c_size_t()
        _call(_storvirt_hcl_get_lun, h, controller, lun, byref(loc), byref(ch), byref(dvd),
              byref(backing), byref(n))
        devices = []
        for d in range(n.value):
            t, p, sub = c_int(), c_char_p(), ctypes.c_uint32()
            _call(_storvirt_hcl_get_device, h, controller, lun, d, byref(t), byref(p), byref(sub))
            devices.append((t.value, p.value.decode("utf-8"), sub.value))
        return {"location": loc.value, "channel": None if ch.value < 0 else ch.value,
                "dvd": bool(dvd.value), "backing": backing.value, "devices": devices}

    def to_xml(self, context, device_map=None, create_stripes=False):
        """libvirt <devices> for the document (see storvirt_hcl_to_xml(3))."""
        out = c_void_p()
        m = None if device_map is None else (
            device_map if isinstance(device_map, (str, bytes)) else _json.dumps(device_map))
        h = context._acquire()
        try:
            _call(_storvirt_hcl_to_xml, h, self._doc(), _str_arg(m, "device_map", allow_none=True),
                  byref(out), STORVIRT_HCL_XML_CREATE_STRIPES if create_stripes else 0)
        finally:
            _storvirt_ctx_unref(h)
        return _take_string(out)


@atexit.register
def _close_live_contexts():
    # Release the library objects and contexts (and with them the log
    # callbacks) while the interpreter can still run the destroy callbacks.
    for obj in list(_live_objects):
        try:
            obj.close()
        except Exception:
            pass
    for ctx in list(_live_contexts):
        try:
            ctx.close()
        except Exception:
            pass
