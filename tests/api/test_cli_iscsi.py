# SPDX-License-Identifier: LGPL-2.1-or-later
"""The storvirt CLI's iSCSI commands against a real target: a private
tgtd on 127.0.0.1 (tests/scripts/tgtd.py) with an open target of three
file-backed LUNs and a target behind CHAP and mutual CHAP.  Checks the
GUIDs against what tgtd gives its LUNs, wrong credentials, a portal that
never answers, and a target killed in the middle of a session; and that
no password ever reaches the output or any file but the secrets.

Needs root, tgtd and tgtadm (skipped without them)."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from tgtd import Tgtd, naa6  # noqa: E402

CLI = os.environ.get("STORVIRT_CLI", "storvirt")
OPEN = "iqn.2026-11.org.libstorvirt.test:open"
CHAP = "iqn.2026-11.org.libstorvirt.test:chap"
IDS = ["c1a0000000000000000000000000a001", "c1a0000000000000000000000000a002",
       "c1a0000000000000000000000000a003"]
SIZES = [8 << 20, 16 << 20, 4 << 20]
USER, SECRET = "initiator1", "Cli-Chap-Secret-91"
MUSER, MSECRET = "target1", "Cli-Mutual-Secret-27"


def clean_env():
    e = dict(os.environ)
    for k in ("STORVIRT_DEBUG", "STORVIRT_STATE_DIR"):
        e.pop(k, None)
    return e


class CliIscsiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        why = Tgtd.unavailable()
        if why:
            raise unittest.SkipTest(why)
        cls._tmp = tempfile.TemporaryDirectory(prefix="storvirt-cli-iscsi-")
        cls.tmp = cls._tmp.name
        cls.tgtd = Tgtd(cls.tmp).__enter__()
        cls.tgtd.add_target(1, OPEN, luns=[(SIZES[i], IDS[i], "SNCLI%d" % i) for i in range(3)])
        cls.tgtd.add_target(2, CHAP, luns=[(8 << 20, "c1a0000000000000000000000000b001", "SNCHAP")],
                            chap=(USER, SECRET), mutual=(MUSER, MSECRET))
        cls.state = os.path.join(cls.tmp, "state")
        cls.pwfile = os.path.join(cls.tmp, "pw")
        with open(cls.pwfile, "w") as f:
            f.write(SECRET + "\n")

    @classmethod
    def tearDownClass(cls):
        cls.tgtd.stop()
        cls._tmp.cleanup()

    def run_cli(self, *args, input=None, state=None):
        p = subprocess.run([CLI, "-d", state or self.state, *args], capture_output=True, text=True,
                           env=clean_env(), timeout=120, input=input)
        for secret in (SECRET, MSECRET):
            self.assertNotIn(secret, p.stdout + p.stderr, args)
        return p

    def ok(self, *args, input=None, state=None):
        p = self.run_cli(*args, input=input, state=state)
        self.assertEqual(p.returncode, 0, "%s: %s" % (args, p.stderr))
        return p.stdout

    def js(self, *args, input=None, state=None):
        return json.loads(self.ok("--json", *args, input=input, state=state))

    def define(self, conn):
        return self.ok("connection-define", "-", input=json.dumps(conn)).split()[0]

    def test_discover(self):
        targets = json.loads(self.ok("iscsi-discover", self.tgtd.portal))
        names = sorted(t["target"] for t in targets)
        self.assertEqual(names, [CHAP, OPEN])
        self.assertEqual(targets[0]["portals"][0]["address"], self.tgtd.portal)
        vdsm = json.loads(self.ok("iscsi-discover", "--vdsm", self.tgtd.portal))
        self.assertIn("%s,1 %s" % (self.tgtd.portal, OPEN), vdsm)
        # with CHAP credentials for the discovery session as well
        self.ok("iscsi-discover", "--user", USER, "--password-file", self.pwfile, self.tgtd.portal)

    def test_luns_and_import(self):
        cid = self.define({"type": "iscsi", "driver": "direct", "portal": self.tgtd.portal,
                           "target": OPEN})
        luns = self.js("connection-luns", cid)["luns"]
        self.assertEqual([l["lun"] for l in luns], [1, 2, 3])
        self.assertEqual([l["guid"] for l in luns], [naa6(i) for i in IDS])
        self.assertEqual([l["capacity"] for l in luns], SIZES)
        self.assertEqual([l["serial"] for l in luns], ["SNCLI0", "SNCLI1", "SNCLI2"])
        table = self.ok("connection-luns", cid)
        self.assertIn(naa6(IDS[1]), table)
        # import LUN 2 twice: one vDisk, keyed by the GUID
        spec = {"iscsi": {"portal": self.tgtd.portal, "target": OPEN, "lun": 2}}
        a = self.js("vdisk-import", "-", input=json.dumps(spec))
        b = self.js("vdisk-import", "-", input=json.dumps(spec))
        self.assertEqual(a["id"], b["id"])
        self.assertTrue(b["existing"])
        info = self.js("vdisk-info", a["id"])["vdisk"]
        self.assertEqual(info["identity"], "lun:" + naa6(IDS[1]))
        self.assertEqual(info["kind"], "iscsi")
        self.assertEqual(info["connections"], [cid])
        path = self.ok("vdisk-prepare", a["id"], "vm-iscsi").strip()
        self.assertEqual(path, "iscsi://%s/%s/2" % (self.tgtd.portal, OPEN))
        self.ok("vdisk-release", a["id"], "vm-iscsi")
        xml = self.ok("vdisk-xml", a["id"])
        self.assertIn('protocol="iscsi" name="%s/2"' % OPEN, xml)

    def test_chap(self):
        cid = self.define({"type": "iscsi", "driver": "direct", "portal": self.tgtd.portal,
                           "target": CHAP, "user": USER, "password": SECRET,
                           "mutual_user": MUSER, "mutual_password": MSECRET})
        luns = self.js("connection-luns", cid)["luns"]
        self.assertEqual(luns[0]["guid"], naa6("c1a0000000000000000000000000b001"))
        self.assertIn("connected", self.ok("connection-connect", cid))
        self.assertTrue(self.js("connection-info", cid)["connection"]["status"]["connected"])
        self.ok("connection-disconnect", cid)
        info = self.ok("connection-info", cid)
        self.assertIn('"password": "********"', info)
        # the secret is only in the secrets file
        for root, _dirs, files in os.walk(self.state):
            for name in files:
                p = os.path.join(root, name)
                with open(p, "rb") as f:
                    data = f.read()
                if SECRET.encode() in data:
                    self.assertEqual(os.path.basename(root), "secrets", p)
        # wrong secrets
        bad = self.define({"type": "iscsi", "driver": "direct", "portal": self.tgtd.portal,
                           "target": CHAP, "user": USER, "password": "Wrong-Secret-00"})
        p = self.run_cli("connection-luns", bad)
        self.assertEqual(p.returncode, 1)
        self.assertIn("authentication failed", p.stderr)
        self.assertNotIn("Wrong-Secret-00", p.stderr)
        p = self.run_cli("connection-connect", bad)
        self.assertEqual(p.returncode, 1)
        self.assertIn("authentication failed", p.stderr)
        self.assertFalse(self.js("connection-info", bad)["connection"]["status"]["connected"])

    def test_chap_vdisk_secret(self):
        """An iSCSI vDisk behind CHAP names its connection's libvirt secret
        by a schema-valid usage id, stable per connection."""
        state = os.path.join(self.tmp, "state-chap-vdisk")
        self.ok("connection-define", "-", state=state, input=json.dumps({
            "type": "iscsi", "driver": "direct", "id": "cli-chap", "portal": self.tgtd.portal,
            "target": CHAP, "user": USER, "password": SECRET}))
        spec = {"iscsi": {"portal": self.tgtd.portal, "target": CHAP, "lun": 1}}
        vid = self.js("vdisk-import", "-", input=json.dumps(spec), state=state)["id"]
        xml = self.ok("vdisk-xml", vid, state=state)
        self.assertIn('<auth username="%s">' % USER, xml)
        self.assertIn('<secret type="iscsi" usage="libstorvirt-chap-cli-chap"/>', xml)
        if shutil.which("virt-xml-validate"):
            dom = os.path.join(self.tmp, "chap-domain.xml")
            with open(dom, "w") as f:
                f.write("<domain type='qemu'><name>chap</name><memory>65536</memory>"
                        "<os><type>hvm</type></os><devices>%s</devices></domain>" % xml)
            p = subprocess.run(["virt-xml-validate", dom, "domain"], capture_output=True,
                               text=True)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        # a record written by 0.5 names the secret "libstorvirt/<connection>": read as today's
        rec = os.path.join(state, "vdisks", vid + ".json")
        with open(rec) as f:
            text = f.read()
        self.assertIn('"secretUsage"', text)
        with open(rec, "w") as f:
            f.write(text.replace("libstorvirt-chap-cli-chap", "libstorvirt/cli-chap"))
        self.assertEqual(self.ok("vdisk-xml", vid, state=state), xml)

    def test_silent_portal(self):
        # a socket that accepts connections (backlog) but never answers a login
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen(8)
            portal = "127.0.0.1:%d" % s.getsockname()[1]
            t0 = time.monotonic()
            p = self.run_cli("iscsi-discover", "--timeout", "2", portal)
            elapsed = time.monotonic() - t0
        self.assertEqual(p.returncode, 1)
        self.assertIn("timed out", p.stderr.lower())
        self.assertLess(elapsed, 10)

    def test_z_target_killed_mid_session(self):
        cid = self.define({"type": "iscsi", "driver": "direct", "portal": self.tgtd.portal,
                           "target": OPEN})
        # tgtd stops answering in the middle of the scan, then dies
        os.killpg(self.tgtd.proc.pid, signal.SIGSTOP)
        t0 = time.monotonic()
        proc = subprocess.Popen([CLI, "-d", self.state, "connection-luns", "--timeout", "3", cid],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=clean_env())
        time.sleep(0.5)
        self.tgtd.kill()
        out, err = proc.communicate(timeout=60)
        elapsed = time.monotonic() - t0
        self.assertEqual(proc.returncode, 1, out)
        self.assertRegex(err, r"timed out|Input/output error|connection|refused|reset|closed")
        self.assertLess(elapsed, 10)


if __name__ == "__main__":
    unittest.main()
