# SPDX-License-Identifier: LGPL-2.1-or-later
"""Tests of the pool and volume classes of the storvirt Python bindings,
against the real library on dir pools in temporary directories.

Run with:
    STORVIRT_LIBRARY=<build>/lib/libstorvirt.so.0 \
        python3 -m unittest discover -s bindings/python/tests -v
"""

import errno
import gc
import io
import os
import sys
import tempfile
import threading
import unittest
import uuid as uuidlib
import weakref
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
BINDINGS_DIR = os.path.dirname(HERE)
if BINDINGS_DIR not in sys.path:
    sys.path.insert(0, BINDINGS_DIR)

import storvirt  # noqa: E402

MiB = 1 << 20


def pool_xml(name, target, uuid=None):
    return ("<pool type='dir'><name>%s</name>%s<target><path>%s</path></target></pool>"
            % (name, "<uuid>%s</uuid>" % uuid if uuid else "", target))


def vol_xml(name, capacity, fmt=None, allocation=None):
    return ("<volume><name>%s</name><capacity unit='bytes'>%d</capacity>%s%s</volume>"
            % (name, capacity,
               "<allocation unit='bytes'>%d</allocation>" % allocation if allocation is not None else "",
               "<target><format type='%s'/></target>" % fmt if fmt else ""))


def open_fds():
    return len(os.listdir("/proc/self/fd"))


class Error(Exception):
    pass


class PoolTestCase(unittest.TestCase):
    """A Context on a private state directory, and helpers for dir pools."""

    ENV_VARS = ("STORVIRT_DEBUG", "STORVIRT_STATE_DIR")

    def setUp(self):
        missing = storvirt.missing_symbols_by_node["STORVIRT_0.2"]
        if missing:
            self.skipTest("the library at %s does not export the STORVIRT_0.2 pool and "
                          "volume API yet (missing: %s)"
                          % (storvirt.library_path, ", ".join(sorted(missing))))
        self._saved_env = {k: os.environ.pop(k, None) for k in self.ENV_VARS}
        self._tmp = tempfile.TemporaryDirectory(prefix="storvirt-py-pool-")
        self.tmp = self._tmp.name
        self.state = os.path.join(self.tmp, "state")
        self.ctx = storvirt.Context(state_dir=self.state, ignore_env=True)

    def tearDown(self):
        self.ctx.close()
        gc.collect()
        for k, v in self._saved_env.items():
            if v is not None:
                os.environ[k] = v
        self._tmp.cleanup()

    def running_pool(self, name="p1"):
        target = os.path.join(self.tmp, name)
        pool = self.ctx.define_pool(pool_xml(name, target))
        pool.build()
        pool.start()
        self.addCleanup(pool.close)
        return pool

    def assertErrno(self, code, fn, *args, **kwargs):
        with self.assertRaises(storvirt.StorvirtError) as cm:
            fn(*args, **kwargs)
        self.assertEqual(cm.exception.errno, code, cm.exception)
        self.assertTrue(cm.exception.strerror)
        return cm.exception


class TestPools(PoolTestCase):
    def test_define_build_start_stop_delete_undefine(self):
        target = os.path.join(self.tmp, "images")
        pool = self.ctx.define_pool(pool_xml("images", target))
        with pool:
            self.assertEqual(pool.name, "images")
            self.assertEqual(pool.type, "dir")
            self.assertEqual(pool.target_path, target)
            self.assertEqual(str(uuidlib.UUID(pool.uuid)), pool.uuid.lower())
            self.assertTrue(pool.persistent)
            self.assertFalse(pool.active)
            self.assertFalse(pool.autostart)
            info = pool.info()
            self.assertIsInstance(info, storvirt.PoolInfo)
            self.assertEqual(info.state, storvirt.STORVIRT_POOL_STATE_INACTIVE)
            self.assertEqual(info[1:], (0, 0, 0))
            self.assertIn("images", repr(pool))

            pool.build(overwrite=False)
            self.assertTrue(os.path.isdir(target))
            pool.build(overwrite=False)  # an empty directory is nothing to overwrite
            with open(os.path.join(target, "file"), "w"):
                pass
            self.assertErrno(errno.EEXIST, pool.build, overwrite=False)
            os.unlink(os.path.join(target, "file"))
            self.assertErrno(errno.EINVAL, pool.build,
                             flags=storvirt.STORVIRT_POOL_BUILD_OVERWRITE
                             | storvirt.STORVIRT_POOL_BUILD_NO_OVERWRITE)
            pool.start()
            self.assertTrue(pool.active)
            self.assertErrno(errno.EBUSY, pool.start)
            self.assertErrno(errno.EBUSY, pool.build)
            info = pool.info()
            self.assertEqual(info.state, storvirt.STORVIRT_POOL_STATE_RUNNING)
            self.assertGreater(info.capacity, 0)
            self.assertLessEqual(info.available, info.capacity)
            pool.refresh()

            root = ET.fromstring(pool.xml())
            self.assertEqual((root.tag, root.get("type")), ("pool", "dir"))
            self.assertEqual(root.findtext("name"), "images")
            self.assertEqual(root.findtext("uuid"), pool.uuid)
            self.assertEqual(root.findtext("target/path"), target)
            inactive = ET.fromstring(pool.xml(inactive=True))
            self.assertEqual(inactive.findtext("name"), "images")

            pool.autostart = True
            self.assertTrue(pool.autostart)
            pool.autostart = False
            self.assertFalse(pool.autostart)

            pool.stop()
            self.assertFalse(pool.active)
            with self.assertRaises(storvirt.StorvirtError) as cm:
                pool.stop()  # already stopped
            self.assertIn(cm.exception.errno, (errno.EBUSY, errno.EINVAL))
            pool.delete()
            self.assertFalse(os.path.exists(target))
            pool.undefine()
            self.assertFalse(pool.persistent)
        self.assertTrue(pool.closed)
        self.assertErrno(errno.ENOENT, self.ctx.pool_by_name, "images")

    def test_lookups(self):
        target = os.path.join(self.tmp, "p")
        with self.ctx.define_pool(pool_xml("p", target)) as pool:
            u = pool.uuid
        for p in (self.ctx.pool_by_name("p"), self.ctx.pool_by_uuid(u),
                  self.ctx.pool_by_uuid(uuidlib.UUID(u)),
                  self.ctx.pool_by_target_path(target),
                  self.ctx.pool_by_target_path(target + "//"),
                  self.ctx.pool_by_target_path(target.replace("/", "//"))):
            with p:
                self.assertEqual(p.uuid, u)
        e = self.assertErrno(errno.ENOENT, self.ctx.pool_by_name, "nosuch")
        self.assertIsInstance(e, FileNotFoundError)
        self.assertErrno(errno.ENOENT, self.ctx.pool_by_uuid, str(uuidlib.uuid4()))
        self.assertErrno(errno.EINVAL, self.ctx.pool_by_uuid, "not-a-uuid")
        self.assertErrno(errno.ENOENT, self.ctx.pool_by_target_path, "/no/such/target")

    def test_persistent_across_contexts(self):
        target = os.path.join(self.tmp, "p")
        with self.ctx.define_pool(pool_xml("p", target)) as pool:
            u = pool.uuid
        with storvirt.Context(state_dir=self.state, ignore_env=True) as ctx2:
            with ctx2.pool_by_name("p") as pool:
                self.assertEqual(pool.uuid, u)
                self.assertTrue(pool.persistent)

    def test_define_errors(self):
        target = os.path.join(self.tmp, "p")
        u = str(uuidlib.uuid4())
        self.ctx.define_pool(pool_xml("p", target, u)).close()
        # Same name and UUID: the definition is replaced.
        self.ctx.define_pool(pool_xml("p", target + "2", u)).close()
        with self.ctx.pool_by_name("p") as p:
            self.assertEqual(p.target_path, target + "2")
        self.assertErrno(errno.EEXIST, self.ctx.define_pool, pool_xml("p", target))
        self.assertErrno(errno.EEXIST, self.ctx.define_pool, pool_xml("q", target, u))
        e = self.assertErrno(errno.EINVAL, self.ctx.define_pool, "<pool type='dir'><name>x")
        e = self.assertErrno(errno.EINVAL, self.ctx.define_pool, "<notapool/>")
        self.assertErrno(errno.EINVAL, self.ctx.define_pool, pool_xml("x", target), flags=0x80)
        with self.assertRaises(TypeError):
            self.ctx.define_pool(None)
        with self.assertRaises(ValueError):
            self.ctx.define_pool("<pool\0/>")

    def test_create_transient(self):
        target = os.path.join(self.tmp, "t")
        self.assertErrno(errno.EINVAL, self.ctx.create_pool, pool_xml("t", target),
                         flags=storvirt.STORVIRT_POOL_CREATE_BUILD_OVERWRITE
                         | storvirt.STORVIRT_POOL_CREATE_BUILD_NO_OVERWRITE)
        with self.ctx.create_pool(pool_xml("t", target), build=True) as pool:
            self.assertTrue(pool.active)
            self.assertFalse(pool.persistent)
            self.assertTrue(os.path.isdir(target))
            self.assertErrno(errno.EINVAL, setattr, pool, "autostart", True)
            self.assertEqual([p.name for p in self.ctx.list_pools(persistent=False)], ["t"])
            self.assertEqual(self.ctx.list_pools(persistent=True), [])
            pool.stop()
        self.assertErrno(errno.ENOENT, self.ctx.pool_by_name, "t")

    def test_list_filters(self):
        names = ["c", "a", "b"]
        for n in names:
            self.ctx.define_pool(pool_xml(n, os.path.join(self.tmp, n))).close()
        with self.ctx.pool_by_name("b") as b:
            b.build()
            b.start()
        with self.ctx.pool_by_name("c") as c:
            c.autostart = True

        def names_of(**kw):
            pools = self.ctx.list_pools(**kw)
            try:
                for p in pools:
                    self.assertIsInstance(p, storvirt.Pool)
                return [p.name for p in pools]
            finally:
                for p in pools:
                    p.close()

        self.assertEqual(names_of(), ["a", "b", "c"])
        self.assertEqual(names_of(active=True), ["b"])
        self.assertEqual(names_of(active=False), ["a", "c"])
        self.assertEqual(names_of(autostart=True), ["c"])
        self.assertEqual(names_of(autostart=False, active=False), ["a"])
        self.assertEqual(names_of(persistent=True), ["a", "b", "c"])
        self.assertEqual(names_of(persistent=False), [])
        self.assertEqual(names_of(type="dir"), ["a", "b", "c"])
        self.assertEqual(names_of(type="logical"), [])
        self.assertEqual(names_of(flags=storvirt.STORVIRT_POOL_LIST_ACTIVE
                                  | storvirt.STORVIRT_POOL_LIST_INACTIVE), ["a", "b", "c"])
        self.assertErrno(errno.EINVAL, self.ctx.list_pools, flags=1 << 20)

    def test_autostart_on_open(self):
        target = os.path.join(self.tmp, "auto")
        with self.ctx.define_pool(pool_xml("auto", target)) as pool:
            pool.build()
            pool.autostart = True
        self.ctx.close()
        with storvirt.Context(state_dir=self.state, ignore_env=True, no_autostart=True) as ctx:
            with ctx.pool_by_name("auto") as pool:
                self.assertFalse(pool.active)
        # Autostart runs once per boot; forgetting the recorded boot id
        # makes the next context the first one "after a boot".
        with storvirt.Context(state_dir=self.state, ignore_env=True) as ctx:
            with ctx.pool_by_name("auto") as pool:
                self.assertFalse(pool.active)
        os.unlink(os.path.join(self.state, "pools", "run", ".boot_id"))
        with storvirt.Context(state_dir=self.state, ignore_env=True) as ctx:
            with ctx.pool_by_name("auto") as pool:
                self.assertTrue(pool.active)
                pool.stop()

    def test_pool_context(self):
        pool = self.running_pool()
        with pool.context as ctx:
            self.assertEqual(ctx.state_dir, self.state)
        # The pool keeps the library context alive after the Context closes.
        self.ctx.close()
        self.assertEqual(pool.name, "p1")
        self.assertTrue(pool.active)
        pool.refresh()


class TestMaxThreads(PoolTestCase):
    def test_default_set_and_cap(self):
        self.assertEqual(self.ctx.max_threads, 1)
        self.ctx.max_threads = 4
        self.assertEqual(self.ctx.max_threads, 4)
        self.ctx.max_threads = 1000
        self.assertEqual(self.ctx.max_threads, 64)
        self.ctx.max_threads = 0
        self.assertGreaterEqual(self.ctx.max_threads, 1)
        with self.assertRaises(OverflowError):
            self.ctx.max_threads = -1

    def test_refresh_with_threads(self):
        self.ctx.max_threads = 4
        pool = self.running_pool()
        for i in range(20):
            pool.create_volume(vol_xml("v%02d.qcow2" % i, MiB, "qcow2")).close()
        pool.refresh()
        vols = pool.volumes()
        self.assertEqual([v.format for v in vols], ["qcow2"] * 20)
        for v in vols:
            v.close()


class TestVolumes(PoolTestCase):
    def test_create_list_lookup_info(self):
        pool = self.running_pool()
        a = pool.create_volume(vol_xml("a.raw", 10 * MiB))
        b = pool.create_volume(vol_xml("b.qcow2", 20 * MiB, "qcow2"))
        self.addCleanup(a.close)
        self.addCleanup(b.close)
        a_path = os.path.join(pool.target_path, "a.raw")
        self.assertEqual((a.name, a.path, a.format), ("a.raw", a_path, "raw"))
        self.assertEqual(b.format, "qcow2")
        self.assertIs(a.pool, pool)
        self.assertTrue(a.key)
        self.assertIn("a.raw", repr(a))
        self.assertEqual(os.path.getsize(a_path), 10 * MiB)

        info = a.info()
        self.assertIsInstance(info, storvirt.VolumeInfo)
        self.assertEqual(info.type, storvirt.STORVIRT_VOLUME_TYPE_FILE)
        self.assertEqual((info.capacity, info.physical), (10 * MiB, 10 * MiB))
        self.assertLessEqual(info.allocation, 10 * MiB)
        self.assertEqual(b.info().capacity, 20 * MiB)

        vols = pool.volumes()
        self.assertEqual([v.name for v in vols], ["a.raw", "b.qcow2"])
        for v in vols:
            self.assertIs(v.pool, pool)
            v.close()
        with pool.volume("a.raw") as v:
            self.assertEqual(v.key, a.key)
        with self.ctx.volume_by_key(a.key) as v:
            self.assertEqual(v.name, "a.raw")
            self.assertEqual(v.pool.name, "p1")
        with self.ctx.volume_by_path(a_path) as v:
            self.assertEqual(v.name, "a.raw")
        self.assertErrno(errno.ENOENT, pool.volume, "nosuch")
        self.assertErrno(errno.ENOENT, self.ctx.volume_by_key, "nosuch")
        self.assertErrno(errno.ENOENT, self.ctx.volume_by_path, "/no/such/path")

        root = ET.fromstring(b.xml())
        self.assertEqual(root.tag, "volume")
        self.assertEqual(root.findtext("name"), "b.qcow2")
        self.assertEqual(root.find("target/format").get("type"), "qcow2")

    def test_create_errors(self):
        pool = self.running_pool()
        for bad in ("../x", "a/b", ".", "..", "x" * 256):
            with self.subTest(name=bad[:20]):
                e = self.assertErrno(errno.EINVAL, pool.create_volume, vol_xml(bad, MiB))
                self.assertIn(bad[:20], e.strerror)
        pool.create_volume(vol_xml("v", MiB)).close()
        self.assertErrno(errno.EEXIST, pool.create_volume, vol_xml("v", MiB))
        self.assertErrno(errno.EINVAL, pool.create_volume, "<volume><name>x</name>")
        pool.stop()
        self.assertErrno(errno.EINVAL, pool.volumes)

    def test_resize(self):
        pool = self.running_pool()
        with pool.create_volume(vol_xml("r.raw", 10 * MiB)) as v:
            v.resize(20 * MiB)
            self.assertEqual(v.info().capacity, 20 * MiB)
            self.assertEqual(os.path.getsize(v.path), 20 * MiB)
            self.assertErrno(errno.EINVAL, v.resize, 5 * MiB)
            self.assertEqual(v.info().capacity, 20 * MiB)
            v.resize(4 * MiB, delta=True)
            self.assertEqual(v.info().capacity, 24 * MiB)
            v.resize(8 * MiB, shrink=True)
            self.assertEqual(v.info().capacity, 8 * MiB)
            v.resize(16 * MiB, allocate=True)
            self.assertEqual(v.info().capacity, 16 * MiB)
            self.assertGreaterEqual(v.info().allocation, 16 * MiB - 4096)
            with self.assertRaises(OverflowError):
                v.resize(-1)
        with pool.create_volume(vol_xml("q.qcow2", 10 * MiB, "qcow2")) as q:
            q.resize(30 * MiB)
            self.assertEqual(q.info().capacity, 30 * MiB)

    def test_delete(self):
        pool = self.running_pool()
        v = pool.create_volume(vol_xml("d.raw", MiB))
        path = v.path
        v.delete()
        self.assertFalse(os.path.exists(path))
        self.assertEqual(v.name, "d.raw")  # the handle stays valid
        self.assertErrno(errno.ENOENT, v.wipe)
        self.assertErrno(errno.ENOENT, v.resize, 2 * MiB)
        self.assertErrno(errno.ENOENT, v.delete)
        self.assertFalse(os.path.exists(path))
        v.close()
        self.assertEqual(pool.volumes(), [])
        with pool.create_volume(vol_xml("z.raw", MiB)) as v:
            v.delete(zeroed=True, force=True)

    def test_upload_download(self):
        pool = self.running_pool()
        v = pool.create_volume(vol_xml("u.raw", 4 * MiB))
        self.addCleanup(v.close)
        data = os.urandom(MiB) + bytes(MiB) + os.urandom(12345)
        src = os.path.join(self.tmp, "src")
        with open(src, "wb") as f:
            f.write(data)

        # A buffered file object whose position was moved by Python.
        with open(src, "rb") as f:
            f.read(10)
            v.upload(f, offset=0)
        with open(v.path, "rb") as f:
            self.assertEqual(f.read(len(data) - 10), data[10:])

        # A raw descriptor.
        fd = os.open(src, os.O_RDONLY)
        try:
            v.upload(fd)
        finally:
            os.close(fd)
        dst = os.path.join(self.tmp, "dst")
        with open(dst, "wb") as f:
            v.download(f, length=len(data))
        with open(dst, "rb") as f:
            self.assertEqual(f.read(), data)

        # Objects without a descriptor, through a pipe.
        v.upload(io.BytesIO(b"hello"), offset=3 * MiB)
        out = io.BytesIO()
        v.download(out, offset=3 * MiB, length=5)
        self.assertEqual(out.getvalue(), b"hello")
        out = io.BytesIO()
        v.download(out)
        self.assertEqual(len(out.getvalue()), 4 * MiB)
        self.assertEqual(out.getvalue()[:len(data)], data)

        # Sparse download: same bytes, and the file has the full size.
        with open(dst, "wb") as f:
            v.download(f, sparse=True)
        with open(dst, "rb") as f:
            whole = f.read()
        self.assertEqual(len(whole), 4 * MiB)
        self.assertEqual(whole[:len(data)], data)
        self.assertEqual(whole[3 * MiB:3 * MiB + 5], b"hello")

        # Past the capacity.
        self.assertErrno(errno.EINVAL, v.upload, io.BytesIO(b"x" * 10), offset=4 * MiB - 5)
        with self.assertRaises(TypeError):
            v.upload("not a file")
        with self.assertRaises(OverflowError):
            v.download(io.BytesIO(), offset=-1)

    def test_upload_reader_error_is_raised(self):
        pool = self.running_pool()
        with pool.create_volume(vol_xml("e.raw", MiB)) as v:
            class Reader:
                def read(self, n):
                    raise Error("reader broke")
            with self.assertRaises(Error):
                v.upload(Reader())

    def test_clone_and_copy(self):
        pool = self.running_pool()
        pool2 = self.running_pool("p2")
        src = pool.create_volume(vol_xml("src.raw", 8 * MiB))
        self.addCleanup(src.close)
        data = os.urandom(MiB)
        with open(src.path, "r+b") as f:
            f.seek(2 * MiB)
            f.write(data)
        pool.refresh()

        seen = []
        with pool2.create_volume_from(vol_xml("copy.raw", 8 * MiB), src,
                                      progress=lambda d, t: seen.append((d, t))) as c:
            self.assertEqual(c.info().capacity, 8 * MiB)
            self.assertIs(c.pool, pool2)
            with open(c.path, "rb") as f:
                f.seek(2 * MiB)
                self.assertEqual(f.read(MiB), data)
        for (d1, t1), (d2, t2) in zip(seen, seen[1:]):
            self.assertLessEqual(d1, d2)
            self.assertEqual(t1, t2)
        if seen:
            self.assertLessEqual(seen[-1][0], seen[-1][1])
        # Across formats, and larger.
        with pool.create_volume_from(vol_xml("copy.qcow2", 16 * MiB, "qcow2"), src) as q:
            self.assertEqual(q.format, "qcow2")
            self.assertEqual(q.info().capacity, 16 * MiB)
        # The capacity never becomes smaller than the source's: refused, or
        # the source's capacity is kept.
        try:
            small = pool.create_volume_from(vol_xml("small.raw", MiB), src)
        except storvirt.StorvirtError as e:
            self.assertEqual(e.errno, errno.EINVAL)
        else:
            with small:
                self.assertEqual(small.info().capacity, 8 * MiB)
        # A reflink is made or refused, never faked.
        try:
            pool.create_volume_from(vol_xml("ref.raw", 8 * MiB), src, reflink=True).close()
        except storvirt.StorvirtError as e:
            self.assertEqual(e.errno, errno.EOPNOTSUPP)
        with self.assertRaises(TypeError):
            pool.create_volume_from(vol_xml("x.raw", MiB), "src.raw")

    def test_progress_and_cancel(self):
        pool = self.running_pool()
        src = pool.create_volume(vol_xml("big.raw", 64 * MiB))
        self.addCleanup(src.close)
        with open(src.path, "r+b") as f:
            for i in range(0, 64, 4):
                f.seek(i * MiB)
                f.write(os.urandom(MiB))

        calls = []
        src.wipe(progress=lambda d, t: calls.append((d, t)))
        self.assertTrue(calls, "wipe never called its progress callback")
        self.assertEqual(len({t for _, t in calls}), 1)
        self.assertEqual([d for d, _ in calls], sorted(d for d, _ in calls))
        with open(src.path, "rb") as f:
            self.assertEqual(f.read(MiB), bytes(MiB))

        # Returning False cancels: ECANCELED, and the partial copy is gone.
        e = self.assertErrno(errno.ECANCELED, pool.create_volume_from,
                             vol_xml("c1.raw", 64 * MiB), src, progress=lambda d, t: False)
        self.assertErrno(errno.ENOENT, pool.volume, "c1.raw")
        self.assertFalse(os.path.exists(os.path.join(pool.target_path, "c1.raw")))
        # Returning None or True goes on.
        pool.create_volume_from(vol_xml("c2.raw", 64 * MiB), src,
                                progress=lambda d, t: None).close()
        pool.create_volume_from(vol_xml("c3.raw", 64 * MiB), src,
                                progress=lambda d, t: True).close()

        # An exception in the callback cancels and is raised after the call.
        def boom(done, total):
            raise Error("stop here")
        with self.assertRaises(Error) as cm:
            pool.create_volume_from(vol_xml("c4.raw", 64 * MiB), src, progress=boom)
        self.assertEqual(str(cm.exception), "stop here")
        self.assertErrno(errno.ENOENT, pool.volume, "c4.raw")
        with self.assertRaises(Error):
            src.wipe(progress=boom)

        def interrupt(done, total):
            raise KeyboardInterrupt
        with self.assertRaises(KeyboardInterrupt):
            src.download(io.BytesIO(), progress=interrupt)

        # The callback may call into the library.
        names = []
        src.wipe(progress=lambda d, t: names.append(src.name) or None)
        self.assertEqual(set(names), {"big.raw"})
        with self.assertRaises(TypeError):
            src.wipe(progress=42)

    def test_prealloc(self):
        pool = self.running_pool()
        calls = []
        with pool.create_volume(vol_xml("full.raw", 16 * MiB, allocation=16 * MiB),
                                progress=lambda d, t: calls.append(d)) as v:
            self.assertGreaterEqual(v.info().allocation, 16 * MiB - 4096)
        with pool.create_volume(vol_xml("meta.qcow2", 16 * MiB, "qcow2"),
                                prealloc_metadata=True) as v:
            self.assertEqual(v.format, "qcow2")


class TestLifetime(PoolTestCase):
    def test_volume_keeps_pool_object_alive(self):
        target = os.path.join(self.tmp, "p")
        pool = self.ctx.define_pool(pool_xml("p", target))
        pool.build()
        pool.start()
        vol = pool.create_volume(vol_xml("v.raw", MiB))
        ref = weakref.ref(pool)
        del pool
        gc.collect()
        self.assertIsNotNone(ref())
        self.assertIs(vol.pool, ref())
        self.ctx.close()
        self.assertEqual(vol.info().capacity, MiB)
        vol.close()
        vol.close()
        del vol
        gc.collect()
        self.assertIsNone(ref())

    def test_closed_objects_raise_value_error(self):
        pool = self.running_pool()
        vol = pool.create_volume(vol_xml("v.raw", MiB))
        with pool.volume("v.raw") as other:
            pass
        self.assertTrue(other.closed)
        vol.close()
        for op in (lambda: vol.name, vol.info, vol.xml, vol.wipe, vol.delete,
                   lambda: vol.resize(1), lambda: vol.upload(io.BytesIO()), vol.__enter__):
            with self.assertRaises(ValueError):
                op()
        # A closed pool: its volume still works and gives a new Pool object.
        v2 = pool.volume("v.raw")
        pool.close()
        with self.assertRaises(ValueError):
            pool.name
        with self.assertRaises(ValueError):
            pool.volumes()
        p2 = v2.pool
        self.assertIsNot(p2, pool)
        self.assertEqual(p2.name, "p1")
        v2.close()
        p2.close()
        self.assertIn("closed", repr(pool))
        self.assertIn("closed", repr(vol))

    def test_not_constructible(self):
        with self.assertRaises(TypeError):
            storvirt.Pool()
        with self.assertRaises(TypeError):
            storvirt.Volume()

    def test_no_handle_leak(self):
        pool = self.running_pool()
        pool.create_volume(vol_xml("v.raw", MiB)).close()
        for _ in range(50):
            self.ctx.pool_by_name("p1").close()
        gc.collect()
        fds = open_fds()
        live = len(storvirt._live_objects)
        for _ in range(500):
            with self.ctx.pool_by_name("p1") as p:
                p.info()
                for v in p.volumes():
                    v.info()
                    v.close()
            self.ctx.list_pools()  # released by __del__ only
            v = self.ctx.volume_by_path(os.path.join(pool.target_path, "v.raw"))
            v.pool.name
            del v
        gc.collect()
        self.assertEqual(open_fds(), fds)
        self.assertEqual(len(storvirt._live_objects), live)

    def test_threads(self):
        pool = self.running_pool()
        for i in range(4):
            pool.create_volume(vol_xml("v%d.raw" % i, MiB)).close()
        errors = []

        def worker(i):
            try:
                for _ in range(50):
                    with pool.volume("v%d.raw" % i) as v:
                        v.upload(io.BytesIO(b"%d" % i))
                        out = io.BytesIO()
                        v.download(out, length=1)
                        assert out.getvalue() == b"%d" % i, out.getvalue()
                    for p in self.ctx.list_pools():
                        p.close()
            except BaseException as e:  # pragma: no cover
                errors.append(e)

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])


class TestMissingSymbols(unittest.TestCase):
    def test_missing_function_raises_enosys(self):
        fn = storvirt._missing_function("storvirt_pool_frobnicate")
        with self.assertRaises(storvirt.StorvirtError) as cm:
            fn(None)
        self.assertEqual(cm.exception.errno, errno.ENOSYS)
        self.assertIn("storvirt_pool_frobnicate", cm.exception.strerror)

    def test_missing_symbols_is_a_frozenset(self):
        self.assertIsInstance(storvirt.missing_symbols, frozenset)


if __name__ == "__main__":
    unittest.main()
