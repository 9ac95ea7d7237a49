#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""examples/direct-lun.c against a real iSCSI target: a private tgtd on
127.0.0.1 with a CHAP target of two file-backed LUNs.  The example
discovers, defines a connection, lists the LUNs, imports one as a vDisk
twice, attaches it, prepares and releases it; the test checks each step
against what the target really is (the GUIDs tgtd gives its LUNs), and
that the CHAP password shows nowhere but in the secrets file.

Needs root, tgtd and tgtadm (skipped without them).
"""
import os
import re
import stat
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from tgtd import Tgtd, naa6  # noqa: E402

EXAMPLE = os.environ.get("STORVIRT_EXAMPLE_DIRECT_LUN", "")
TARGET = "iqn.2026-11.org.libstorvirt.test:direct-lun"
USER = "vmhost"
PASSWORD = "Chap-Secret-6f1d93aa"
SCSI_IDS = ["5eed0001aa11bb22cc33dd44ee55ff01", "5eed0001aa11bb22cc33dd44ee55ff02"]


@unittest.skipUnless(EXAMPLE, "STORVIRT_EXAMPLE_DIRECT_LUN is not set")
class DirectLunExample(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        why = Tgtd.unavailable()
        if why:
            raise unittest.SkipTest(why)
        cls.tmp = tempfile.TemporaryDirectory(prefix="storvirt-direct-lun.")
        cls.tgtd = Tgtd(cls.tmp.name).__enter__()
        cls.tgtd.add_target(1, TARGET,
                            luns=[(16 << 20, SCSI_IDS[0], "SNDL0001"),
                                  (8 << 20, SCSI_IDS[1], "SNDL0002")],
                            chap=(USER, PASSWORD))

    @classmethod
    def tearDownClass(cls):
        cls.tgtd.stop()
        cls.tmp.cleanup()

    def run_example(self, state, *args):
        return subprocess.run([EXAMPLE, state, self.tgtd.portal] + list(args),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=120)

    def test_flow(self):
        state = os.path.join(self.tmp.name, "state-flow")
        r = self.run_example(state, USER, PASSWORD)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout
        self.assertIn(TARGET, out)
        # the LUNs, with the GUIDs the target gives them
        for scsi_id in SCSI_IDS:
            self.assertIn(naa6(scsi_id), out)
        # the same vDisk twice, and its id is the name-based UUID of the LUN
        m = re.search(r"vDisk (\S+) \(imported again: (\S+), the same\)", out)
        self.assertIsNotNone(m, out)
        self.assertEqual(m.group(1), m.group(2))
        # the <disk> element reaches LUN 1 of the target through QEMU's initiator
        self.assertRegex(out, r"<disk type=['\"]network['\"]")
        self.assertRegex(out, r"protocol=['\"]iscsi['\"]")
        self.assertIn("%s/1" % TARGET, out)
        self.assertRegex(out, r"<host name=['\"]127\.0\.0\.1['\"] port=['\"]%d['\"]"
                         % self.tgtd.port)
        self.assertRegex(out, r"username=['\"]%s['\"]" % USER)
        self.assertIn("prepared: iscsi://%s/%s/1" % (self.tgtd.portal, TARGET), out)
        self.assertIn("released", out)
        # the VM's connections: the one defined, redacted
        conns = out.split("connections VM", 1)[1]
        self.assertIn(TARGET, conns)
        # the password is nowhere but in the secrets file
        self.assertNotIn(PASSWORD, out)
        self.assertNotIn(PASSWORD, r.stderr)
        secret_files = 0
        for root, _dirs, files in os.walk(state):
            for name in files:
                path = os.path.join(root, name)
                with open(path, "rb") as f:
                    data = f.read()
                if PASSWORD.encode() in data:
                    self.assertEqual(os.path.basename(root), "secrets", path)
                    self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600, path)
                    secret_files += 1
        self.assertEqual(secret_files, 1)

    def test_wrong_password(self):
        state = os.path.join(self.tmp.name, "state-wrong")
        wrong = "Not-The-Secret-41c2"
        r = self.run_example(state, USER, wrong)
        self.assertEqual(r.returncode, 1)
        self.assertIn("authentication failed", r.stderr)
        self.assertIn("(Permission denied)", r.stderr)
        self.assertNotIn(wrong, r.stderr + r.stdout)

    def test_no_credentials(self):
        state = os.path.join(self.tmp.name, "state-none")
        r = self.run_example(state)
        self.assertEqual(r.returncode, 1)
        self.assertIn("(Permission denied)", r.stderr)


if __name__ == "__main__":
    unittest.main()
