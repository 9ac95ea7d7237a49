# SPDX-License-Identifier: LGPL-2.1-or-later
"""scsi pools under umockdev, on the fixture testbed
(tests/scripts/gen-testbed.py fixture: each SCSI disk on a host of its
own, multipath member paths on hosts 5 to 13).  A scsi_host pool's
volumes are the LUNs on that host, named unit:B:T:L and keyed by the
GUID the LUN module reads (for a member path: its map's GUID); unknown
hosts and unknown fc_host WWNs are refused with their names.

Environment: STORVIRT_CLI, UMOCKDEV_RUN, STORVIRT_TESTBED,
STORVIRT_TESTBED_EXPECT (the fixture's expectations: device, GUID)."""
import json
import os
import subprocess
import tempfile
import unittest

CLI = os.environ.get("STORVIRT_CLI", "storvirt")
UMOCKDEV_RUN = os.environ.get("UMOCKDEV_RUN", "umockdev-run")
TESTBED = os.environ.get("STORVIRT_TESTBED", "")
EXPECT = os.environ.get("STORVIRT_TESTBED_EXPECT", "")


def clean_env():
    e = dict(os.environ)
    for k in ("STORVIRT_DEBUG", "STORVIRT_STATE_DIR"):
        e.pop(k, None)
    e.setdefault("TMPDIR", "/dev/shm")
    return e


@unittest.skipUnless(TESTBED and EXPECT, "STORVIRT_TESTBED and STORVIRT_TESTBED_EXPECT are not set")
class ScsiPoolTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # what the fixture holds: disks and maps with their GUIDs
        cls.guid_of = {}
        with open(EXPECT) as f:
            for line in f:
                parts = line.split()
                if parts and parts[0] in ("disk", "map") and len(parts) >= 3:
                    cls.guid_of[parts[1]] = parts[2]

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="storvirt-pool-scsi-")
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def run_cli(self, *args):
        return subprocess.run([UMOCKDEV_RUN, "-d", TESTBED, "--", CLI, "-d",
                               os.path.join(self.tmp, "state"), *args],
                              capture_output=True, text=True, env=clean_env(), timeout=120)

    def ok(self, *args):
        p = self.run_cli(*args)
        self.assertEqual(p.returncode, 0, "%s: %s" % (args, p.stderr))
        return p.stdout

    def define(self, name, adapter):
        xml = os.path.join(self.tmp, name + ".xml")
        with open(xml, "w") as f:
            f.write("<pool type='scsi'><name>%s</name><source>%s</source>"
                    "<target><path>/dev/disk/by-path</path></target></pool>" % (name, adapter))
        self.ok("pool-define", xml)

    def test_scsi_host(self):
        self.define("h1", "<adapter type='scsi_host' name='host1'/>")
        # start and list in one umockdev session each: the pool is found active again
        self.ok("pool-start", "h1")
        vols = json.loads(self.ok("--json", "vol-list", "h1"))["volumes"]
        self.assertEqual([v["name"] for v in vols], ["unit:0:0:0"])
        self.assertEqual(self.ok("vol-key", "unit:0:0:0", "--pool", "h1").strip(),
                         self.guid_of["sdb"])
        self.assertEqual(self.ok("vol-path", "unit:0:0:0", "--pool", "h1").strip(), "/dev/sdb")

    def test_member_path_host(self):
        # host 8 holds one path of map dm-1 (LUN 1): keyed by the map's GUID
        self.define("h8", "<adapter type='scsi_host' name='host8'/>")
        self.ok("pool-start", "h8")
        self.assertEqual(self.ok("vol-key", "unit:0:0:1", "--pool", "h8").strip(),
                         self.guid_of["dm-1"])

    def test_refusals(self):
        self.define("h99", "<adapter type='scsi_host' name='host99'/>")
        p = self.run_cli("pool-start", "h99")
        self.assertEqual(p.returncode, 1)
        self.assertIn("no SCSI host 99", p.stderr)
        self.define("fc", "<adapter type='fc_host' wwnn='20000000c9831b4b' wwpn='10000000c9831b4b'/>")
        p = self.run_cli("pool-start", "fc")
        self.assertEqual(p.returncode, 1)
        self.assertIn("no fc_host has WWNN 20000000c9831b4b and WWPN 10000000c9831b4b", p.stderr)


if __name__ == "__main__":
    unittest.main()
