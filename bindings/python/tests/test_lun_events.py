# SPDX-License-Identifier: LGPL-2.1-or-later
"""LUN events and Lun.refresh_size() on a umockdev testbed whose devices
change: the size attribute of a disk grows, a path goes offline, a disk
appears and goes, each told by the testbed's uevent
(umockdev_testbed_uevent) to the context's device monitor (a libudev
monitor behind the context's event descriptor, polled with selectors).

Needs the testbed API from Python (gir1.2-umockdev-1.0, python3-gi) and
to run under umockdev's preload; meson runs it so:
    umockdev-wrapper /usr/bin/python3 -m unittest discover \
        -s bindings/python/tests -p test_lun_events.py -v
with $STORVIRT_LIBRARY, $PYTHONPATH and $STORVIRT_TEST_LUN_TESTBED (a
testbed written by tests/scripts/gen-testbed.py fixture).
tests/api/test_lun_resize_loop.py does the same on real loop devices.
"""

import os
import selectors
import shutil
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
BINDINGS_DIR = os.path.dirname(HERE)
if BINDINGS_DIR not in sys.path:
    sys.path.insert(0, BINDINGS_DIR)

import storvirt  # noqa: E402

try:
    import gi
    gi.require_version("UMockdev", "1.0")
    from gi.repository import UMockdev
except (ImportError, ValueError) as e:   # pragma: no cover - reported as a skip
    UMockdev = None
    GI_ERROR = str(e)

TESTBED_ENV = "STORVIRT_TEST_LUN_TESTBED"
# sdb of the fixture: a SCSI disk with an NAA 6 identity, 1 GiB
SDB = "/sys/devices/platform/host1/target1:0:0/1:0:0:0/block/sdb"
SDB_SCSI = "/sys/devices/platform/host1/target1:0:0/1:0:0:0"
SDB_GUID = "360014050000000000000000000000001"
NEW_GUID = "3600140500000000000000000000000ff"


class LunEventsTest(unittest.TestCase):
    def setUp(self):
        if UMockdev is None:
            self.skipTest("the umockdev testbed API is not importable: %s "
                          "(gir1.2-umockdev-1.0, python3-gi)" % GI_ERROR)
        if not os.environ.get(TESTBED_ENV):
            self.skipTest("$%s names no testbed file" % TESTBED_ENV)
        self.bed = UMockdev.Testbed.new()
        if not self.bed.add_from_file(os.environ[TESTBED_ENV]):
            self.fail("cannot load the testbed %s" % os.environ[TESTBED_ENV])
        self.state = tempfile.mkdtemp(prefix="storvirt-lun-events-")
        self.ctx = storvirt.Context(state_dir=self.state, ignore_env=True)
        self.seen = []
        self.ctx.register_event_callback(self.seen.append, kinds="lun")
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.ctx, selectors.EVENT_READ)
        self.assertEqual(self.ctx.dispatch_events(0), 0)

    def tearDown(self):
        if hasattr(self, "ctx"):
            self.sel.close()
            self.ctx.close()
            shutil.rmtree(self.state, ignore_errors=True)
            # the testbed's directory goes with the object
            del self.bed

    def events(self, want, timeout=10):
        """Waits with selectors for `want` events; a short extra wait shows no more come."""
        got = []
        deadline = time.monotonic() + timeout
        while len(got) < want and time.monotonic() < deadline:
            if self.sel.select(deadline - time.monotonic()):
                self.ctx.dispatch_events(0)
            got, self.seen[:] = got + self.seen, []
        if self.sel.select(0.3):
            self.ctx.dispatch_events(0)
        got += self.seen
        self.seen[:] = []
        self.assertEqual(len(got), want, [e.as_dict() for e in got])
        return got

    def grow(self, syspath, sectors):
        self.bed.set_attribute(syspath, "size", str(sectors))

    def test_size_attribute_changed(self):
        self.grow(SDB, 4194304)
        self.bed.uevent(SDB, "change")
        (ev,) = self.events(1)
        self.assertEqual(ev.type_name, "lun-resized")
        self.assertEqual(ev.object, SDB_GUID)
        self.assertEqual(ev.key, "/dev/sdb")
        self.assertEqual(ev.detail, str(4194304 * 512))
        self.assertFalse(ev.local)
        # a uevent that changes nothing LUN-wide gives nothing
        self.bed.uevent(SDB, "change")
        self.events(0)

    def test_refresh_size_once(self):
        self.bed.set_attribute(SDB_SCSI, "rescan", "")
        lun = self.ctx.lun_by_guid(SDB_GUID)
        self.assertEqual(lun.capacity, 2097152 * 512)
        self.grow(SDB, 6291456)
        old, new = lun.refresh_size()
        self.assertEqual((old, new), (2097152 * 512, 6291456 * 512))
        # the SCSI device was asked to read its capacity again
        root = self.bed.get_root_dir()
        with open(root + SDB_SCSI + "/rescan", encoding="ascii") as f:
            self.assertEqual(f.read().strip(), "1")
        # the kernel's uevent of the same change: still one event
        self.bed.uevent(SDB, "change")
        (ev,) = self.events(1)
        self.assertEqual((ev.type_name, ev.detail, ev.local),
                         ("lun-resized", str(6291456 * 512), True))
        self.assertEqual(self.ctx.lun_by_guid(SDB_GUID).capacity, 6291456 * 512)
        self.assertEqual(lun.capacity, 2097152 * 512)   # a handle never changes
        self.assertEqual(lun.refresh_size(), (2097152 * 512, 6291456 * 512))
        self.events(0)

    def test_path_state_changed(self):
        self.bed.set_attribute(SDB_SCSI, "state", "offline")
        self.bed.uevent(SDB, "change")
        (ev,) = self.events(1)
        self.assertEqual(ev.type_name, "lun-path-changed")
        self.assertEqual(ev.object, SDB_GUID)
        self.assertEqual(ev.detail, "sdb:offline")

    def test_added_and_removed(self):
        path = self.bed.add_device(
            "block", "sdz", None,
            ["size", "2048", "dev", "8:240", "queue/logical_block_size", "512"],
            ["DEVNAME", "/dev/sdz", "DEVTYPE", "disk", "MAJOR", "8", "MINOR", "240",
             "ID_SERIAL", NEW_GUID])
        self.bed.uevent(path, "add")
        (ev,) = self.events(1)
        self.assertEqual((ev.type_name, ev.object, ev.key),
                         ("lun-added", NEW_GUID, "/dev/sdz"))
        self.bed.uevent(path, "remove")
        self.bed.remove_device(path)
        (ev,) = self.events(1)
        self.assertEqual((ev.type_name, ev.object), ("lun-removed", NEW_GUID))

    def test_partition_uevent_is_not_a_lun_event(self):
        part = SDB + "/sdb1"
        if not os.path.exists(self.bed.get_root_dir() + part):
            part = self.bed.add_device("block", "sdb1", SDB, ["size", "1024"],
                                       ["DEVNAME", "/dev/sdb1", "DEVTYPE", "partition"])
        self.grow(SDB, 4194304)
        self.bed.uevent(part, "change")
        self.events(0)


if __name__ == "__main__":
    unittest.main()
