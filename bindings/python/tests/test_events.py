# SPDX-License-Identifier: LGPL-2.1-or-later
"""Events in the storvirt Python bindings: a context's event descriptor in
a selectors loop, the changes another process makes on the same state
directory (pools, volumes, vDisks) delivered once each and in order,
contexts opened while another process refreshes, the example watcher, a callback that deregisters itself, one that raises, and
bad arguments."""

import json
import os
import selectors
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
BINDINGS_DIR = os.path.dirname(HERE)
if BINDINGS_DIR not in sys.path:
    sys.path.insert(0, BINDINGS_DIR)

import storvirt  # noqa: E402

CHILD = r"""
import sys
sys.path.insert(0, %(bindings)r)
import storvirt
with storvirt.Context(state_dir=%(state)r, ignore_env=True) as ctx:
    pool = ctx.define_pool("<pool type='dir'><name>p</name><target><path>%(images)s</path>"
                           "</target></pool>")
    pool.start(build=True)
    vol = pool.create_volume("<volume><name>a.raw</name><capacity unit='M'>1</capacity>"
                             "<target><format type='raw'/></target></volume>")
    vol.resize(2 << 20)
    vd = ctx.import_vdisk({"pool": "p", "volume": "a.raw"})
    vd.attach("vm1")
    vd.detach("vm1")
    vd.delete()
    vol.delete()
    pool.stop()
    pool.undefine()
"""


REFRESHER = r"""
import sys
sys.path.insert(0, %(bindings)r)
import storvirt
with storvirt.Context(state_dir=%(state)r, ignore_env=True) as ctx:
    pool = ctx.pool_by_name("p")
    for _ in range(%(n)d):
        pool.refresh()
"""


class EventTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="storvirt-py-events-")
        self.state = os.path.join(self._tmp.name, "state")
        self.images = os.path.join(self._tmp.name, "images")
        self.ctx = storvirt.Context(state_dir=self.state, ignore_env=True)

    def tearDown(self):
        self.ctx.close()
        self._tmp.cleanup()

    def child(self):
        code = CHILD % {"bindings": BINDINGS_DIR, "state": self.state, "images": self.images}
        subprocess.run([sys.executable, "-c", code], check=True, timeout=120)

    def test_selectors_other_process(self):
        got = []
        self.ctx.register_event_callback(got.append, kinds=("pool", "vdisk", "volume"))
        fd = self.ctx.event_fd
        self.assertEqual(self.ctx.fileno(), fd)
        self.child()
        sel = selectors.DefaultSelector()
        sel.register(self.ctx, selectors.EVENT_READ)
        want = ["pool-defined", "pool-created", "pool-started", "volume-created",
                "volume-resized", "vdisk-imported", "vdisk-attached", "vdisk-detached",
                "vdisk-deleted", "volume-deleted", "pool-stopped", "pool-undefined"]
        deadline = time.monotonic() + 30
        while len(got) < len(want) and time.monotonic() < deadline:
            for _ in sel.select(1):
                self.ctx.dispatch_events()
        self.ctx.dispatch_events(0.1)
        sel.close()
        self.assertEqual([e.type_name for e in got], want)
        self.assertEqual([e.seq for e in got], sorted({e.seq for e in got}))
        for e in got:
            self.assertFalse(e.local)
            self.assertFalse(e.rescan)
            self.assertNotEqual(e.pid, os.getpid())
        resized = got[4]
        self.assertEqual((resized.kind, resized.pool, resized.object, resized.detail),
                         ("volume", "p", "a.raw", str(2 << 20)))
        self.assertEqual(resized.type, storvirt.STORVIRT_EVENT_VOLUME_RESIZED)
        self.assertEqual(got[6].detail, "vm1")
        self.assertEqual(got[6].kind, "vdisk")
        self.assertLess(abs(got[0].time - time.time()), 600)

    def test_contexts_opened_while_another_refreshes(self):
        """Contexts opened, watching and listing while another process
        refreshes the pool again and again: each sees every volume, and a
        watcher gets each of the other's refreshes once, in order."""
        pool = self.ctx.define_pool("<pool type='dir'><name>p</name><target><path>%s</path>"
                                    "</target></pool>" % self.images)
        pool.start(build=True)
        n_files, n_refresh = 2000, 8
        for i in range(n_files):
            with open(os.path.join(self.images, "f%04d.raw" % i), "wb") as f:
                f.truncate(4096)
        got = []
        self.ctx.register_event_callback(got.append, kinds="pool", object="p")
        code = REFRESHER % {"bindings": BINDINGS_DIR, "state": self.state, "n": n_refresh}
        child = subprocess.Popen([sys.executable, "-c", code])
        opened = 0
        try:
            while child.poll() is None or opened < 3:
                with storvirt.Context(state_dir=self.state, ignore_env=True) as c:
                    seen = []
                    c.register_event_callback(seen.append, kinds="pool")
                    self.assertEqual(len(c.pool_by_name("p").volumes()), n_files)
                    c.dispatch_events(0)
                opened += 1
                self.ctx.dispatch_events(0)
        finally:
            self.assertEqual(child.wait(timeout=120), 0)
        deadline = time.monotonic() + 30
        mine = []
        while time.monotonic() < deadline:
            self.ctx.dispatch_events(0.2)
            mine = [e for e in got if e.pid == child.pid]
            if len(mine) >= n_refresh:
                break
        self.ctx.dispatch_events(0.3)
        mine = [e for e in got if e.pid == child.pid]
        self.assertEqual([e.type_name for e in mine], ["pool-refreshed"] * n_refresh)
        self.assertEqual([e.seq for e in mine], sorted({e.seq for e in mine}))
        self.assertGreaterEqual(opened, 3)

    def test_own_changes_filters_and_deregistering(self):
        pools, once = [], []
        pid = self.ctx.register_event_callback(pools.append, kinds="pool", object="mine")

        def first_only(ev):
            once.append(ev)
            self.ctx.deregister_event_callback(oid)

        oid = self.ctx.register_event_callback(first_only,
                                               kinds=storvirt.STORVIRT_EVENT_KIND_POOL)
        pool = self.ctx.define_pool("<pool type='dir'><name>mine</name><target><path>%s</path>"
                                    "</target></pool>" % self.images)
        self.ctx.define_pool("<pool type='dir'><name>other</name><target><path>%s/o</path>"
                             "</target></pool>" % self.images)
        pool.start(build=True)
        self.assertEqual(self.ctx.dispatch_events(), 4)   # 3 of "mine" + the first of all
        self.assertEqual([e.type_name for e in pools],
                         ["pool-defined", "pool-created", "pool-started"])
        self.assertTrue(all(e.local for e in pools))
        self.assertEqual(len(once), 1)
        self.assertEqual(self.ctx.dispatch_events(), 0)
        self.ctx.deregister_event_callback(pid)
        with self.assertRaises(FileNotFoundError):
            self.ctx.deregister_event_callback(pid)

    def test_callback_that_raises(self):
        seen = []

        def bad(ev):
            seen.append(ev)
            raise RuntimeError("callback failure")

        self.ctx.register_event_callback(bad, kinds="pool")
        self.ctx.define_pool("<pool type='dir'><name>x</name><target><path>%s</path></target>"
                             "</pool>" % self.images)
        self.ctx.define_pool("<pool type='dir'><name>y</name><target><path>%s/y</path>"
                             "</target></pool>" % self.images)
        self.assertEqual(self.ctx.dispatch_events(), 2)
        self.assertEqual(len(seen), 2)

    def test_bad_arguments(self):
        with self.assertRaises(ValueError):
            self.ctx.register_event_callback(print, kinds="disk")
        with self.assertRaises(TypeError):
            self.ctx.register_event_callback(None)
        with self.assertRaises(storvirt.StorvirtError):
            self.ctx.register_event_callback(print, kinds=1 << 9)
        with self.assertRaises(ValueError):
            self.ctx.dispatch_events(-1)
        self.assertEqual(storvirt.event_type_name(storvirt.STORVIRT_EVENT_VDISK_PREPARED),
                         "vdisk-prepared")
        with self.assertRaises(storvirt.StorvirtError):
            storvirt.event_type_name(8)

    def test_example_watcher(self):
        example = os.path.join(BINDINGS_DIR, "examples", "watch_events.py")
        env = dict(os.environ, PYTHONPATH=BINDINGS_DIR)
        # not the LUNs: the host's devices change as they please
        w = subprocess.Popen([sys.executable, example, "--state-dir", self.state, "--json",
                              "--kinds", "pool,vdisk", "--timeout", "20"], stdout=subprocess.PIPE, text=True, env=env,
                             stdin=subprocess.DEVNULL)
        try:
            # changes until the watcher shows one: it is watching then
            deadline = time.monotonic() + 20
            n = 0
            sel = selectors.DefaultSelector()
            sel.register(w.stdout, selectors.EVENT_READ)
            line = None
            while line is None and time.monotonic() < deadline:
                self.ctx.define_pool("<pool type='dir'><name>w%d</name><target><path>%s/%d"
                                     "</path></target></pool>" % (n, self.images, n))
                n += 1
                if sel.select(0.5):
                    line = w.stdout.readline()
            sel.close()
            self.assertIsNotNone(line)
            ev = json.loads(line)
            self.assertEqual(ev["type_name"], "pool-defined")
            self.assertEqual(ev["kind"], "pool")
            self.assertFalse(ev["local"])
        finally:
            w.kill()
            w.wait()
            w.stdout.close()


if __name__ == "__main__":
    unittest.main()
