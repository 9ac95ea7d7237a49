# SPDX-License-Identifier: LGPL-2.1-or-later
"""What resolving a GUID reads: the host's devices, never the vDisk
records nor the holders index of the state directory.

Under umockdev, on the fixture testbed of tests/scripts/gen-testbed.py,
a state directory holds vDisks (one of them the very LUN resolved) and
so a holders index; `storvirt resolve` of a GUID spec runs under
strace, which names the file behind every descriptor (-y), and no
system call may touch <state>/vdisks or <state>/holders.  As a check
that the trace sees such reads at all, commands that must read them
(vdisk-list, lun-list --unattached) are traced the same way.

Environment: STORVIRT_CLI (the tool), UMOCKDEV_RUN, STORVIRT_TESTBED
(.umockdev), STORVIRT_TESTBED_EXPECT.  Skipped without strace, or where
strace may not trace (no ptrace).
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ET

CLI = os.environ.get("STORVIRT_CLI", "storvirt")
UMOCKDEV_RUN = os.environ.get("UMOCKDEV_RUN", "umockdev-run")
TESTBED = os.environ.get("STORVIRT_TESTBED", "")
EXPECT = os.environ.get("STORVIRT_TESTBED_EXPECT", "")
STRACE = shutil.which("strace")


def clean_env():
    e = dict(os.environ)
    for k in ("STORVIRT_DEBUG", "STORVIRT_STATE_DIR"):
        e.pop(k, None)
    return e


def strace_works():
    if not STRACE:
        return False
    p = subprocess.run([STRACE, "-f", "-qq", "-o", os.devnull, "true"], capture_output=True)
    return p.returncode == 0


@unittest.skipUnless(strace_works(), "strace is missing or may not trace here")
class ResolveReadsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not TESTBED or not EXPECT:
            raise RuntimeError("STORVIRT_TESTBED and STORVIRT_TESTBED_EXPECT must name the "
                               "fixture made by tests/scripts/gen-testbed.py")
        cls.disks, cls.maps = [], []
        with open(EXPECT) as f:
            for line in f:
                w = line.split()
                if w and w[0] == "disk":
                    cls.disks.append((w[1], w[2]))
                elif w and w[0] == "map":
                    cls.maps.append((w[1], w[2]))
        cls._tmp = tempfile.TemporaryDirectory(prefix="storvirt-resolve-reads-")
        cls.tmp = cls._tmp.name
        cls.state = os.path.join(cls.tmp, "state")
        cls.disk_guid = [g for n, g in cls.disks if n == "sdb"][0]
        cls.map_guid = [g for n, g in cls.maps if n == "dm-1"][0]

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def cli(self, *args, trace=None):
        """Runs storvirt under umockdev (and strace, writing to trace); (rc, stdout)."""
        argv = [UMOCKDEV_RUN, "-d", TESTBED, "--", CLI, "-d", self.state, *args]
        env = clean_env()
        if trace:
            argv = [STRACE, "-f", "-y", "-qq", "-e", "trace=%file,%desc", "-o", trace] + argv
            # LeakSanitizer (of a sanitizer build) cannot run under ptrace
            env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"),
                                                         "detect_leaks=0"]))
        p = subprocess.run(argv, capture_output=True, env=env, timeout=120)
        out = p.stdout.decode("utf-8", "replace")
        self.assertEqual(p.returncode, 0, "storvirt %s: %s" % (" ".join(args),
                                                               p.stderr.decode("utf-8", "replace")))
        return out

    def touched(self, trace):
        """The traced system calls that reach <state>/vdisks or <state>/holders."""
        # an absolute path, a descriptor's path (-y: "3</state/vdisks>") or a
        # name relative to the state directory's descriptor ("3</state>, \"vdisks\"")
        pat = re.compile(re.escape(self.state) + r'(?:/|>, ")(vdisks|holders)(?=[/">]|$)')
        with open(trace) as f:
            return [line.rstrip() for line in f
                    if pat.search(line) and " execve(" not in line]

    def spec(self, guid):
        path = os.path.join(self.tmp, "spec-%s.json" % guid)
        with open(path, "w") as f:
            json.dump({"GUID": guid}, f)
        return path

    def test_guid_reads_no_vdisk_record(self):
        # vDisks on this state directory: a file and the LUN resolved below
        img = os.path.join(self.tmp, "img.raw")
        with open(img, "wb") as f:
            f.truncate(1 << 20)
        self.cli("vdisk-import", "--path", img)
        self.cli("vdisk-import", "--guid", self.disk_guid)
        self.assertTrue(os.listdir(os.path.join(self.state, "vdisks")))
        self.assertTrue(os.path.exists(os.path.join(self.state, "holders", "index.json")))
        trace = os.path.join(self.tmp, "trace")
        for guid in (self.disk_guid, self.map_guid):
            with self.subTest(guid=guid):
                disk = ET.fromstring(self.cli("resolve", self.spec(guid), trace=trace))
                self.assertEqual(disk.tag, "disk")
                touched = self.touched(trace)
                self.assertFalse(touched, "resolving GUID %s reached the vDisk layer's files:\n%s"
                                 % (guid, "\n".join(touched[:5])))
        # the same trace sees those files read where they must be
        self.cli("vdisk-list", trace=trace)
        self.assertTrue(any("vdisks" in line for line in self.touched(trace)))
        self.cli("lun-list", "--unattached", trace=trace)
        self.assertTrue(any("holders" in line for line in self.touched(trace)))


if __name__ == "__main__":
    unittest.main()
