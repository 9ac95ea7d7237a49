# SPDX-License-Identifier: LGPL-2.1-or-later
"""Tests of the storvirt Python bindings.

Run with:
    STORVIRT_LIBRARY=<build>/lib/libstorvirt.so.0 \
        python3 -m unittest discover -s bindings/python/tests -v
"""

import errno
import gc
import os
import pickle
import re
import stat
import subprocess
import sys
import tempfile
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
BINDINGS_DIR = os.path.dirname(HERE)
SOURCE_ROOT = os.path.dirname(os.path.dirname(BINDINGS_DIR))
COMMON_H = os.path.join(SOURCE_ROOT, "include", "storvirt", "common.h")
CTX_H = os.path.join(SOURCE_ROOT, "include", "storvirt", "ctx.h")
UNITS_H = os.path.join(SOURCE_ROOT, "include", "storvirt", "units.h")
POOL_H = os.path.join(SOURCE_ROOT, "include", "storvirt", "pool.h")
VOLUME_H = os.path.join(SOURCE_ROOT, "include", "storvirt", "volume.h")

# Test the package of this tree, not one installed elsewhere.
if BINDINGS_DIR not in sys.path:
    sys.path.insert(0, BINDINGS_DIR)

import storvirt  # noqa: E402


def header_defines(path):
    """Integer #defines of a header: {name: value}."""
    defines = {}
    pat = re.compile(r"^#define\s+(STORVIRT_\w+)\s+\(?\s*(\d+)u?\s*(?:<<\s*(\d+))?\s*\)?\s*$")
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = pat.match(line.strip())
            if m:
                value = int(m.group(2))
                if m.group(3):
                    value <<= int(m.group(3))
                defines[m.group(1)] = value
    return defines


def open_fds():
    return len(os.listdir("/proc/self/fd"))


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class EnvTestCase(unittest.TestCase):
    """Keeps the library's environment variables out of the tests."""

    ENV_VARS = ("STORVIRT_DEBUG", "STORVIRT_STATE_DIR")

    def setUp(self):
        self._saved_env = {k: os.environ.pop(k, None) for k in self.ENV_VARS}
        self._tmp = tempfile.TemporaryDirectory(prefix="storvirt-py-")
        self.tmp = self._tmp.name

    def tearDown(self):
        for k, v in self._saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        self._tmp.cleanup()


class TestVersion(unittest.TestCase):
    def test_version_matches_header(self):
        d = header_defines(COMMON_H)
        expected = "%d.%d.%d" % (
            d["STORVIRT_VERSION_MAJOR"],
            d["STORVIRT_VERSION_MINOR"],
            d["STORVIRT_VERSION_MICRO"],
        )
        self.assertEqual(storvirt.version(), expected)

    def test_version_constants_match_header(self):
        d = header_defines(COMMON_H)
        for name in ("STORVIRT_VERSION_MAJOR", "STORVIRT_VERSION_MINOR", "STORVIRT_VERSION_MICRO"):
            self.assertEqual(getattr(storvirt, name), d[name], name)

    def test_abi_version(self):
        d = header_defines(COMMON_H)
        abi = storvirt.abi_version()
        self.assertIsInstance(abi, str)
        m = re.fullmatch(r"STORVIRT_(\d+)\.(\d+)", abi)
        self.assertIsNotNone(m, abi)
        # The newest node is never older than the headers' major.minor.
        self.assertGreaterEqual(
            (int(m.group(1)), int(m.group(2))),
            (d["STORVIRT_VERSION_MAJOR"], d["STORVIRT_VERSION_MINOR"]),
        )

    def test_constants_match_headers(self):
        for header in (CTX_H, UNITS_H, POOL_H, VOLUME_H):
            for name, value in header_defines(header).items():
                with self.subTest(name=name):
                    self.assertEqual(getattr(storvirt, name), value)

    def test_library_path(self):
        self.assertIsInstance(storvirt.library_path, str)
        if os.environ.get("STORVIRT_LIBRARY"):
            self.assertEqual(storvirt.library_path, os.environ["STORVIRT_LIBRARY"])


class TestErrors(EnvTestCase):
    def test_unknown_ctx_flags(self):
        with self.assertRaises(storvirt.StorvirtError) as cm:
            storvirt.Context(flags=0x80)
        e = cm.exception
        self.assertIsInstance(e, OSError)
        self.assertEqual(e.errno, errno.EINVAL)
        self.assertIn("'flags'", e.strerror)
        self.assertIn("0x80", e.strerror)
        self.assertIn("storvirt_ctx_new", e.strerror)

    def test_relative_state_dir(self):
        with storvirt.Context(ignore_env=True) as ctx:
            with self.assertRaises(storvirt.StorvirtError) as cm:
                ctx.state_dir = "relative/dir"
        e = cm.exception
        self.assertEqual(e.errno, errno.EINVAL)
        self.assertIn("'path'", e.strerror)
        self.assertIn("absolute", e.strerror)
        self.assertIn("relative/dir", e.strerror)

    def test_relative_state_dir_in_constructor(self):
        with self.assertRaises(storvirt.StorvirtError) as cm:
            storvirt.Context(state_dir="relative", ignore_env=True)
        self.assertEqual(cm.exception.errno, errno.EINVAL)

    def test_set_state_dir_unknown_flags(self):
        with storvirt.Context(ignore_env=True) as ctx:
            with self.assertRaises(storvirt.StorvirtError) as cm:
                ctx.set_state_dir(self.tmp, flags=0x4)
        self.assertEqual(cm.exception.errno, errno.EINVAL)
        self.assertIn("'flags'", cm.exception.strerror)

    def test_str_contains_errno_and_message(self):
        with self.assertRaises(storvirt.StorvirtError) as cm:
            storvirt.Context(flags=0x80)
        self.assertEqual(
            str(cm.exception), "[Errno %d] %s" % (errno.EINVAL, cm.exception.strerror)
        )

    def test_errno_subclasses(self):
        e = storvirt.StorvirtError(errno.ENOENT, "gone")
        self.assertIsInstance(e, storvirt.StorvirtError)
        self.assertIsInstance(e, FileNotFoundError)
        self.assertEqual(e.errno, errno.ENOENT)
        self.assertEqual(e.strerror, "gone")
        e = storvirt.StorvirtError(errno.EINVAL, "bad")
        self.assertIs(type(e), storvirt.StorvirtError)
        e = storvirt.StorvirtError(errno.EACCES, "denied")
        self.assertIsInstance(e, PermissionError)

    def test_errors_pickle(self):
        for code in (errno.EINVAL, errno.ENOENT):
            e = storvirt.StorvirtError(code, "msg")
            e2 = pickle.loads(pickle.dumps(e))
            self.assertIs(type(e2), type(e))
            self.assertEqual((e2.errno, e2.strerror), (code, "msg"))

    def test_state_dir_not_a_directory(self):
        path = os.path.join(self.tmp, "file")
        open(path, "w").close()
        with storvirt.Context(state_dir=path, ignore_env=True) as ctx:
            with self.assertRaises(storvirt.StorvirtError) as cm:
                ctx.state_dir
        self.assertEqual(cm.exception.errno, errno.ENOTDIR)
        self.assertIsInstance(cm.exception, NotADirectoryError)

    def test_error_message_is_per_call(self):
        # A later failure carries its own message, not a stale one.
        with self.assertRaises(storvirt.StorvirtError) as cm1:
            storvirt.Context(flags=0x80)
        with self.assertRaises(storvirt.StorvirtError) as cm2:
            storvirt.units_parse("12", "furlongs")
        self.assertNotEqual(cm1.exception.strerror, cm2.exception.strerror)

    def test_errors_from_threads(self):
        results = []

        def worker(flag):
            try:
                storvirt.Context(flags=flag)
            except storvirt.StorvirtError as e:
                results.append((flag, e.errno, e.strerror))

        threads = [threading.Thread(target=worker, args=(1 << (8 + i),)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(len(results), 8)
        for flag, code, msg in results:
            self.assertEqual(code, errno.EINVAL)
            self.assertIn("0x%x" % flag, msg)

    def test_python_side_argument_checks(self):
        with self.assertRaises(OverflowError):
            storvirt.Context(flags=1 << 32)
        with self.assertRaises(OverflowError):
            storvirt.Context(flags=-1)
        with self.assertRaises(ValueError):
            storvirt.units_parse("1\0G")
        with self.assertRaises(TypeError):
            storvirt.units_parse(None)
        with self.assertRaises(OverflowError):
            storvirt.units_format(-1)
        with self.assertRaises(OverflowError):
            storvirt.units_parse("1", limit=1 << 64)


class TestStateDir(EnvTestCase):
    def test_created_0700_and_returned(self):
        path = os.path.join(self.tmp, "a", "b", "state")
        with storvirt.Context(state_dir=path, ignore_env=True) as ctx:
            self.assertFalse(os.path.exists(path), "state dir created before first use")
            got = ctx.state_dir
            self.assertEqual(got, path)
            st = os.stat(path)
            self.assertTrue(stat.S_ISDIR(st.st_mode))
            self.assertEqual(stat.S_IMODE(st.st_mode), 0o700)
            self.assertEqual(ctx.state_dir, path)

    def test_setter_then_getter(self):
        path = os.path.join(self.tmp, "state")
        with storvirt.Context(ignore_env=True) as ctx:
            ctx.state_dir = path
            self.assertEqual(ctx.state_dir, path)

    def test_pathlike(self):
        import pathlib

        path = pathlib.Path(self.tmp) / "state"
        with storvirt.Context(state_dir=path, ignore_env=True) as ctx:
            self.assertEqual(ctx.state_dir, str(path))

    def test_non_ascii_path(self):
        path = os.path.join(self.tmp, "\u00e9t\u00e4t")
        with storvirt.Context(state_dir=path, ignore_env=True) as ctx:
            self.assertEqual(ctx.state_dir, path)
        self.assertTrue(os.path.isdir(path))

    def test_set_after_use_is_ebusy(self):
        with storvirt.Context(state_dir=os.path.join(self.tmp, "s1"), ignore_env=True) as ctx:
            ctx.state_dir
            with self.assertRaises(storvirt.StorvirtError) as cm:
                ctx.state_dir = os.path.join(self.tmp, "s2")
        self.assertEqual(cm.exception.errno, errno.EBUSY)

    def test_env_honoured(self):
        path = os.path.join(self.tmp, "from-env")
        os.environ["STORVIRT_STATE_DIR"] = path
        with storvirt.Context() as ctx:
            self.assertEqual(ctx.state_dir, path)
        self.assertTrue(os.path.isdir(path))

    def test_env_ignored_with_ignore_env(self):
        env_path = os.path.join(self.tmp, "from-env")
        own_path = os.path.join(self.tmp, "own")
        os.environ["STORVIRT_STATE_DIR"] = env_path
        with storvirt.Context(ignore_env=True) as ctx:
            ctx.state_dir = own_path
            self.assertEqual(ctx.state_dir, own_path)
        self.assertFalse(os.path.exists(env_path))

    def test_explicit_beats_env(self):
        env_path = os.path.join(self.tmp, "from-env")
        own_path = os.path.join(self.tmp, "own")
        os.environ["STORVIRT_STATE_DIR"] = env_path
        with storvirt.Context(state_dir=own_path) as ctx:
            self.assertEqual(ctx.state_dir, own_path)
        self.assertFalse(os.path.exists(env_path))


class TestLogging(EnvTestCase):
    def test_priority_default_and_set(self):
        with storvirt.Context(ignore_env=True) as ctx:
            self.assertEqual(ctx.log_priority, 0)
            ctx.log_priority = storvirt.STORVIRT_LOG_DEBUG
            self.assertEqual(ctx.log_priority, 7)
            ctx.log_priority = storvirt.STORVIRT_LOG_ERR
            self.assertEqual(ctx.log_priority, 3)

    def test_priority_out_of_range(self):
        with storvirt.Context(ignore_env=True) as ctx:
            for bad in (-1, 8):
                with self.assertRaises(storvirt.StorvirtError) as cm:
                    ctx.log_priority = bad
                self.assertEqual(cm.exception.errno, errno.EINVAL)
            self.assertEqual(ctx.log_priority, 0)

    def test_debug_env_sets_priority(self):
        os.environ["STORVIRT_DEBUG"] = "1"
        # The default sink writes to fd 2; keep it out of the test output.
        saved = os.dup(2)
        try:
            with tempfile.TemporaryFile() as sink:
                os.dup2(sink.fileno(), 2)
                with storvirt.Context() as ctx:
                    prio = ctx.log_priority
                with storvirt.Context(ignore_env=True) as ctx:
                    prio_ignored = ctx.log_priority
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        self.assertEqual(prio, storvirt.STORVIRT_LOG_DEBUG)
        self.assertEqual(prio_ignored, 0)

    def _logging_calls(self, ctx):
        """Calls that may make the library log; stops once something was logged."""
        yield lambda: setattr(ctx, "state_dir", os.path.join(self.tmp, "logged"))
        yield lambda: ctx.state_dir
        yield lambda: ctx.pool_types()

    def _collect(self, ctx, messages):
        for call in self._logging_calls(ctx):
            try:
                call()
            except storvirt.StorvirtError:
                pass
            if messages:
                break

    def test_callback_receives_messages(self):
        messages = []
        with storvirt.Context(ignore_env=True) as ctx:
            ctx.set_log_callback(lambda prio, msg: messages.append((prio, msg)))
            ctx.log_priority = storvirt.STORVIRT_LOG_DEBUG
            self._collect(ctx, messages)
        if not messages:
            self.skipTest("no libstorvirt call reachable from these bindings logs a "
                          "message at debug level yet (tried set/get state dir, "
                          "list pool types)")
        for prio, msg in messages:
            self.assertIsInstance(prio, int)
            self.assertTrue(0 <= prio <= storvirt.STORVIRT_LOG_DEBUG, prio)
            self.assertIsInstance(msg, str)
            self.assertFalse(msg.endswith("\n"), msg)

    def test_no_messages_at_priority_zero(self):
        messages = []
        with storvirt.Context(ignore_env=True) as ctx:
            ctx.set_log_callback(lambda prio, msg: messages.append((prio, msg)))
            self._collect(ctx, messages)
        self.assertEqual(messages, [])

    def test_callback_replaced_and_released(self):
        base = len(storvirt._callbacks)
        first, second = [], []
        ctx = storvirt.Context(ignore_env=True)
        ctx.set_log_callback(lambda p, m: first.append(m))
        self.assertEqual(len(storvirt._callbacks), base + 1)
        ctx.set_log_callback(lambda p, m: second.append(m))
        self.assertEqual(len(storvirt._callbacks), base + 1)  # first one destroyed
        ctx.set_log_callback(None)
        self.assertEqual(len(storvirt._callbacks), base)
        ctx.set_log_callback(lambda p, m: None)
        self.assertEqual(len(storvirt._callbacks), base + 1)
        ctx.close()
        self.assertEqual(len(storvirt._callbacks), base)  # freed with the context

    def test_callback_released_by_del(self):
        base = len(storvirt._callbacks)
        ctx = storvirt.Context(ignore_env=True)
        ctx.set_log_callback(lambda p, m: None)
        del ctx
        gc.collect()
        self.assertEqual(len(storvirt._callbacks), base)

    def test_callback_must_be_callable(self):
        with storvirt.Context(ignore_env=True) as ctx:
            with self.assertRaises(TypeError):
                ctx.set_log_callback(42)

    def test_callback_may_call_into_library(self):
        seen = []
        with storvirt.Context(ignore_env=True) as ctx:
            def cb(prio, msg):
                seen.append((msg, ctx.log_priority, storvirt.units_format(1024)))
            ctx.set_log_callback(cb)
            ctx.log_priority = storvirt.STORVIRT_LOG_DEBUG
            self._collect(ctx, seen)
        if not seen:
            self.skipTest("no libstorvirt call reachable from these bindings logs yet")
        self.assertEqual(seen[0][1:], (7, "1KiB"))

    def test_callback_replacing_itself(self):
        calls = []
        with storvirt.Context(ignore_env=True) as ctx:
            def cb(prio, msg):
                calls.append(msg)
                ctx.set_log_callback(None)
            ctx.set_log_callback(cb)
            ctx.log_priority = storvirt.STORVIRT_LOG_DEBUG
            self._collect(ctx, calls)
        if not calls:
            self.skipTest("no libstorvirt call reachable from these bindings logs yet")
        self.assertEqual(len(calls), 1)


class TestPoolTypes(EnvTestCase):
    def test_list(self):
        with storvirt.Context(ignore_env=True) as ctx:
            types = ctx.pool_types()
        self.assertIsInstance(types, list)
        self.assertTrue(all(isinstance(t, str) and t for t in types), types)
        self.assertEqual(types, sorted(types))
        self.assertEqual(len(types), len(set(types)))

    def test_list_unknown_flags(self):
        with storvirt.Context(ignore_env=True) as ctx:
            with self.assertRaises(storvirt.StorvirtError) as cm:
                ctx.pool_types(flags=0x10)
        self.assertEqual(cm.exception.errno, errno.EINVAL)

    def test_supports(self):
        with storvirt.Context(ignore_env=True) as ctx:
            types = ctx.pool_types()
            for t in types:
                for op in ("start_pool", "refresh_pool", "create_volume"):
                    with self.subTest(type=t, op=op):
                        self.assertIsInstance(ctx.pool_type_supports(t, op), bool)

    def test_supports_unknown_type(self):
        with storvirt.Context(ignore_env=True) as ctx:
            with self.assertRaises(storvirt.StorvirtError) as cm:
                ctx.pool_type_supports("no-such-pool-type", "start_pool")
        self.assertEqual(cm.exception.errno, errno.ENOENT)
        self.assertIsInstance(cm.exception, FileNotFoundError)

    def test_supports_unknown_op(self):
        with storvirt.Context(ignore_env=True) as ctx:
            types = ctx.pool_types()
            if not types:
                self.skipTest("this build has no pool backend")
            with self.assertRaises(storvirt.StorvirtError) as cm:
                ctx.pool_type_supports(types[0], "no_such_operation")
        self.assertEqual(cm.exception.errno, errno.EINVAL)


class TestUnits(unittest.TestCase):
    def test_parse(self):
        cases = [
            (("0",), 0),
            (("4097",), 4097),
            (("10", "GiB"), 10 << 30),
            (("10", "gib"), 10 << 30),
            (("10GiB",), 10 << 30),
            (("512M",), 512 << 20),
            (("1", "KB"), 1000),
            (("3", "MB"), 3 * 10**6),
            (("1", "k"), 1024),
            (("7", "bytes"), 7),
            (("7", "b"), 7),
            (("7", ""), 7),
            (("15", "EiB"), 15 << 60),
            (("18446744073709551615",), (1 << 64) - 1),
        ]
        for args, expected in cases:
            with self.subTest(args=args):
                self.assertEqual(storvirt.units_parse(*args), expected)

    def test_parse_errors(self):
        for args, code in [
            (("16EiB",), errno.ERANGE),
            (("16", "EiB"), errno.ERANGE),
            (("18446744073709551616",), errno.ERANGE),
            (("2", "KiB", 2047), errno.ERANGE),
            (("12", "furlongs"), errno.EINVAL),
            (("12furlongs",), errno.EINVAL),
            (("",), errno.EINVAL),
            (("-1",), errno.EINVAL),
            (("abc",), errno.EINVAL),
        ]:
            with self.subTest(args=args):
                with self.assertRaises(storvirt.StorvirtError) as cm:
                    storvirt.units_parse(*args)
                self.assertEqual(cm.exception.errno, code)
                self.assertTrue(cm.exception.strerror)

    def test_parse_limit(self):
        self.assertEqual(storvirt.units_parse("2", "KiB", limit=2048), 2048)
        with self.assertRaises(storvirt.StorvirtError) as cm:
            storvirt.units_parse("2", "KiB", limit=2047)
        self.assertEqual(cm.exception.errno, errno.ERANGE)

    def test_parse_unknown_flags(self):
        with self.assertRaises(storvirt.StorvirtError) as cm:
            storvirt.units_parse("1", flags=0x2)
        self.assertEqual(cm.exception.errno, errno.EINVAL)
        self.assertIn("'flags'", cm.exception.strerror)

    def test_format(self):
        for n, exact, human in [
            (0, None, None),
            (4097, "4097", None),
            (10 << 30, "10GiB", None),
            (1536 << 10, "1536KiB", "1.5 MiB"),
            (3 << 29, "1536MiB", "1.5 GiB"),
            (4096, "4KiB", "4.0 KiB"),
            (12, "12", "12 B"),
        ]:
            with self.subTest(n=n):
                s = storvirt.units_format(n)
                self.assertIsInstance(s, str)
                if exact is not None:
                    self.assertEqual(s, exact)
                h = storvirt.units_format(n, human=True)
                self.assertIsInstance(h, str)
                if human is not None:
                    self.assertEqual(h, human)

    def test_round_trip(self):
        values = [0, 1, 1023, 1024, 1025, 4097, 1 << 20, 3 << 29, 10 << 30,
                  (1 << 40) + 4096, 15 << 60, (1 << 64) - 1, (1 << 64) - 1024]
        values += [7 ** k for k in range(1, 22)]
        for n in values:
            with self.subTest(n=n):
                self.assertEqual(storvirt.units_parse(storvirt.units_format(n)), n)

    def test_format_unknown_flags(self):
        with self.assertRaises(storvirt.StorvirtError) as cm:
            storvirt.units_format(1, flags=0x100)
        self.assertEqual(cm.exception.errno, errno.EINVAL)


class TestLifetime(EnvTestCase):
    def test_double_close(self):
        ctx = storvirt.Context(ignore_env=True)
        ctx.close()
        ctx.close()
        self.assertTrue(ctx.closed)

    def test_context_manager(self):
        with storvirt.Context(ignore_env=True) as ctx:
            self.assertFalse(ctx.closed)
        self.assertTrue(ctx.closed)
        ctx.close()

    def test_closed_raises_value_error(self):
        ctx = storvirt.Context(ignore_env=True)
        ctx.close()
        ops = [
            lambda: ctx.state_dir,
            lambda: setattr(ctx, "state_dir", self.tmp),
            lambda: ctx.log_priority,
            lambda: setattr(ctx, "log_priority", 7),
            lambda: ctx.set_log_callback(lambda p, m: None),
            lambda: ctx.set_log_callback(None),
            lambda: ctx.pool_types(),
            lambda: ctx.pool_type_supports("dir", "start_pool"),
            lambda: ctx.__enter__(),
        ]
        base = len(storvirt._callbacks)
        for i, op in enumerate(ops):
            with self.subTest(i=i):
                with self.assertRaises(ValueError):
                    op()
        self.assertEqual(len(storvirt._callbacks), base)

    def test_repr(self):
        ctx = storvirt.Context(ignore_env=True)
        self.assertIn("Context", repr(ctx))
        ctx.close()
        self.assertIn("closed", repr(ctx))

    def test_failed_constructor_leaves_nothing(self):
        # __del__ of a half-built object must not fail.
        for _ in range(100):
            with self.assertRaises(storvirt.StorvirtError):
                storvirt.Context(flags=0x80)
        gc.collect()

    def test_no_handle_leak(self):
        # Warm-up so that one-time allocations do not count.
        for _ in range(200):
            with storvirt.Context(state_dir=self.tmp, ignore_env=True) as ctx:
                ctx.set_log_callback(lambda p, m: None)
                ctx.state_dir
        gc.collect()
        fds = open_fds()
        callbacks = len(storvirt._callbacks)
        rss = rss_bytes()

        for _ in range(10000):
            storvirt.Context(ignore_env=True).close()
        for _ in range(2000):
            with storvirt.Context(state_dir=self.tmp, ignore_env=True) as ctx:
                ctx.set_log_callback(lambda p, m: None)
                ctx.log_priority = 7
                ctx.state_dir
                ctx.pool_types()
        for _ in range(2000):  # released by __del__ only
            ctx = storvirt.Context(state_dir=self.tmp, ignore_env=True)
            ctx.set_log_callback(lambda p, m: None)
            ctx.state_dir
            del ctx
        gc.collect()

        self.assertEqual(open_fds(), fds)
        self.assertEqual(len(storvirt._callbacks), callbacks)
        self.assertEqual(len(storvirt._live_contexts), 0)
        growth = rss_bytes() - rss
        self.assertLess(growth, 8 << 20, "RSS grew by %d bytes over 14000 contexts" % growth)

    def test_concurrent_use_and_close(self):
        for _ in range(20):
            ctx = storvirt.Context(state_dir=self.tmp, ignore_env=True)
            ctx.set_log_callback(lambda p, m: None)
            ctx.log_priority = storvirt.STORVIRT_LOG_DEBUG
            errors = []
            running = threading.Barrier(5)

            def worker():
                running.wait()
                try:
                    while True:
                        ctx.log_priority
                        ctx.pool_types()
                        ctx.state_dir
                except ValueError:
                    pass  # closed under our feet: the expected end
                except BaseException as e:  # pragma: no cover
                    errors.append(e)

            threads = [threading.Thread(target=worker) for _ in range(4)]
            for t in threads:
                t.start()
            running.wait()
            ctx.close()
            for t in threads:
                t.join()
            self.assertEqual(errors, [])

    def test_context_alive_at_exit(self):
        # A context (with a callback) still open at interpreter exit must not
        # crash the interpreter.
        code = (
            "import storvirt\n"
            "ctx = storvirt.Context(ignore_env=True)\n"
            "ctx.set_log_callback(lambda p, m: print(p, m))\n"
            "ctx.log_priority = 7\n"
            "cycle = [ctx]; cycle.append(cycle)\n"
            "print('ok')\n"
        )
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [BINDINGS_DIR] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
        )
        env["STORVIRT_LIBRARY"] = storvirt.library_path
        r = subprocess.run([sys.executable, "-c", code], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.splitlines()[0], "ok")


if __name__ == "__main__":
    unittest.main()
