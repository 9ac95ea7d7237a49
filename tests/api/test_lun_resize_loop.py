# SPDX-License-Identifier: LGPL-2.1-or-later
"""A real loop device grows: `storvirt event --lun` prints its lun-resized
line when `losetup -c` makes the kernel read its backing file's new size,
and `storvirt lun-resize` does the same itself (LOOP_SET_CAPACITY), prints
the size before and now, is seen once by the watcher, and the vDisk
holding the loop device records the new capacity.  Needs root (loop
devices); skipped otherwise, with the reason.  The monitor gets the
kernel's uevents where udevd does not run (this machine), udev's where
it does."""
import json
import os
import re
import select
import shutil
import subprocess
import tempfile
import time
import unittest

CLI = os.environ.get("STORVIRT_CLI", "storvirt")
LOSETUP = shutil.which("losetup") or "/usr/sbin/losetup"
MIB = 1 << 20


def clean_env():
    e = dict(os.environ)
    for k in ("STORVIRT_DEBUG", "STORVIRT_STATE_DIR"):
        e.pop(k, None)
    return e


class LunResizeLoopTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest("loop devices need root")
        if not os.path.exists(LOSETUP):
            raise unittest.SkipTest("losetup is not installed")
        cls._tmp = tempfile.TemporaryDirectory(prefix="storvirt-lun-resize-")
        cls.tmp = cls._tmp.name
        cls.state = os.path.join(cls.tmp, "state")
        cls.img = os.path.join(cls.tmp, "lun.img")
        with open(cls.img, "wb") as f:
            f.truncate(16 * MIB)
        r = subprocess.run([LOSETUP, "-f", "--show", cls.img], capture_output=True, text=True)
        if r.returncode != 0:
            cls._tmp.cleanup()
            raise unittest.SkipTest("no loop device: %s" % r.stderr.strip())
        cls.dev = r.stdout.strip()
        cls.name = os.path.basename(cls.dev)

    @classmethod
    def tearDownClass(cls):
        subprocess.run([LOSETUP, "-d", cls.dev])
        cls._tmp.cleanup()

    def setUp(self):
        self.watchers = []

    def tearDown(self):
        for p in self.watchers:
            if p.poll() is None:
                p.kill()
            p.wait()
            p.stdout.close()

    def run_cli(self, *args, stdin=None):
        return subprocess.run([CLI, "-d", self.state, *args], capture_output=True, text=True,
                              env=clean_env(), timeout=120, input=stdin)

    def ok(self, *args, stdin=None):
        p = self.run_cli(*args, stdin=stdin)
        self.assertEqual(p.returncode, 0, "%s: %s" % (args, p.stderr))
        return p.stdout

    def watch(self, *args):
        p = subprocess.Popen([CLI, "-d", self.state, "event", *args], env=clean_env(),
                             stdout=subprocess.PIPE, bufsize=0)
        p.pending = b""
        self.watchers.append(p)
        return p

    def line(self, p, timeout=30):
        deadline = time.monotonic() + timeout
        while b"\n" not in p.pending:
            left = deadline - time.monotonic()
            r, _, _ = select.select([p.stdout], [], [], max(left, 0))
            if not r:
                return None
            chunk = os.read(p.stdout.fileno(), 65536)
            if not chunk:
                return None
            p.pending += chunk
        line, p.pending = p.pending.split(b"\n", 1)
        return line.decode()

    def grow_file(self, size):
        os.truncate(self.img, size)

    def size_now(self):
        with open("/sys/class/block/%s/size" % self.name, encoding="ascii") as f:
            return int(f.read()) * 512

    def until_watching(self, p):
        """Grows the device a MiB at a time with losetup -c until the watcher says so."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            self.grow_file(self.size_now() + MIB)
            subprocess.run([LOSETUP, "-c", self.dev], check=True)
            line = self.line(p, 0.5)
            if line:
                return line
        self.fail("the watcher never reported the loop device growing")

    def test_losetup_c_then_lun_resize(self):
        # only this loop device's events: the object is its device node
        p = self.watch("--lun", "--loop", "--timeout", "120", self.dev)
        first = self.until_watching(p).split()
        self.assertEqual(first[1:4], ["lun-resized", self.name, self.dev], first)
        self.assertEqual(int(first[4]), self.size_now())

        # imported as a vDisk, then grown by lun-resize itself
        vid = json.loads(self.ok("--json", "vdisk-import", "-",
                                 stdin=json.dumps({"path": self.dev})))["id"]
        before = self.size_now()
        self.grow_file(before + 16 * MIB)
        out = self.ok("lun-resize", self.dev)
        self.assertRegex(out, r"^LUN %s \(%s\): .*\(%d bytes\) -> .*\(%d bytes\)\n$"
                         % (self.name, re.escape(self.dev), before, before + 16 * MIB))
        self.assertEqual(self.size_now(), before + 16 * MIB)
        line = self.line(p).split()
        self.assertEqual(line[1:], ["lun-resized", self.name, self.dev,
                                    str(before + 16 * MIB)])
        info = json.loads(self.ok("--json", "vdisk-info", vid))["vdisk"]
        self.assertEqual(info["images"][0]["capacity"], before + 16 * MIB)

        # nothing changed: the same size twice, no event
        out = json.loads(self.ok("--json", "lun-resize", self.dev))
        self.assertEqual((out["old_capacity"], out["new_capacity"]),
                         (before + 16 * MIB, before + 16 * MIB))
        self.assertIsNone(self.line(p, 1.5))

    def test_json_event(self):
        p = self.watch("--lun", "--loop", "--json", "--timeout", "120", self.dev)
        ev = json.loads(self.until_watching(p))
        self.assertEqual((ev["event"], ev["name"], ev["key"]),
                         ("lun-resized", self.name, self.dev))
        self.assertEqual(int(ev["detail"]), self.size_now())
        self.assertFalse(ev["local"])

    def test_lun_resize_usage(self):
        p = self.run_cli("lun-resize")
        self.assertEqual(p.returncode, 2, p.stderr)
        p = self.run_cli("lun-resize", "/dev/no-such-device")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("/dev/no-such-device", p.stderr)


if __name__ == "__main__":
    unittest.main()
