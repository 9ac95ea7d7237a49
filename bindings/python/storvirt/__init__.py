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
import ctypes
import errno as _errno
import itertools
import operator
import os
import threading
import weakref
from ctypes import (
    CFUNCTYPE,
    POINTER,
    byref,
    c_char_p,
    c_int,
    c_size_t,
    c_uint32,
    c_uint64,
    c_void_p,
)

__all__ = [
    "Context",
    "StorvirtError",
    "abi_version",
    "library_path",
    "units_format",
    "units_parse",
    "version",
    "STORVIRT_VERSION_MAJOR",
    "STORVIRT_VERSION_MINOR",
    "STORVIRT_VERSION_MICRO",
    "STORVIRT_LOG_ERR",
    "STORVIRT_LOG_WARNING",
    "STORVIRT_LOG_NOTICE",
    "STORVIRT_LOG_INFO",
    "STORVIRT_LOG_DEBUG",
    "STORVIRT_CTX_NEW_IGNORE_ENV",
    "STORVIRT_UNITS_FORMAT_HUMAN",
]

# --------------------------------------------------------------------------
# Constants from the C headers.

# The API version these bindings were written against (storvirt/common.h).
# The version of the loaded library is version().
STORVIRT_VERSION_MAJOR = 0
STORVIRT_VERSION_MINOR = 1
STORVIRT_VERSION_MICRO = 0

# storvirt/ctx.h: log priorities (syslog numbers).
STORVIRT_LOG_ERR = 3
STORVIRT_LOG_WARNING = 4
STORVIRT_LOG_NOTICE = 5
STORVIRT_LOG_INFO = 6
STORVIRT_LOG_DEBUG = 7

# storvirt/ctx.h: flags of storvirt_ctx_new().
STORVIRT_CTX_NEW_IGNORE_ENV = 1 << 0

# storvirt/units.h: flags of storvirt_units_format().
STORVIRT_UNITS_FORMAT_HUMAN = 1 << 0

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


_destroy_fn = CFUNCTYPE(None, c_void_p)
_log_fn = CFUNCTYPE(None, _Ctx, c_int, c_char_p, c_void_p)

_c_char_pp = POINTER(c_char_p)
_c_char_ppp = POINTER(_c_char_pp)

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


def _declare():
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
# Context.

_live_contexts = weakref.WeakSet()


class Context:
    """A libstorvirt context, the root handle.

    ``Context(state_dir=None, ignore_env=False)``: ``state_dir`` chooses the
    state directory (absolute path); ``ignore_env`` makes the library ignore
    $STORVIRT_DEBUG and $STORVIRT_STATE_DIR.  ``flags`` passes further
    storvirt_ctx_new() flag bits as they are.

    Use as a context manager, or call :meth:`close`, to release the library
    handle deterministically.  Using a closed context raises ValueError.
    """

    __slots__ = ("_handle", "_lock", "__weakref__")

    def __init__(self, state_dir=None, ignore_env=False, *, flags=0):
        self._handle = None
        self._lock = threading.Lock()
        flags = _flags(flags)
        if ignore_env:
            flags |= STORVIRT_CTX_NEW_IGNORE_ENV
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


@atexit.register
def _close_live_contexts():
    # Release the library contexts (and with them the log callbacks) while
    # the interpreter can still run the destroy callbacks.
    for ctx in list(_live_contexts):
        try:
            ctx.close()
        except Exception:
            pass
