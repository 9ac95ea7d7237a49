# SPDX-License-Identifier: LGPL-2.1-or-later
"""The iscsi-direct pool type against a real target: a private tgtd on
127.0.0.1 (tests/scripts/tgtd.py) with an open target of three LUNs and a
CHAP target.  Volumes are the target's LUNs, keyed by the GUIDs tgtd
gives them, with their sizes; a LUN added on the target shows after a
refresh; a volume resolves to a network <disk> with the pool's portal,
initiator and CHAP secret; a CHAP pool needs a stored connection holding
the secret, and a wrong one is refused.

Needs root, tgtd and tgtadm (skipped without them)."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from tgtd import Tgtd, naa6  # noqa: E402

CLI = os.environ.get("STORVIRT_CLI", "storvirt")
OPEN = "iqn.2026-11.org.libstorvirt.test:pool-open"
CHAP = "iqn.2026-11.org.libstorvirt.test:pool-chap"
INITIATOR = "iqn.2026-11.org.libstorvirt.test:host1"
IDS = ["d1ec7000000000000000000000000001", "d1ec7000000000000000000000000002",
       "d1ec7000000000000000000000000003", "d1ec7000000000000000000000000004"]
SIZES = [8 << 20, 16 << 20, 4 << 20]
USER, SECRET = "pooluser", "Pool-Chap-Secret-55"


def clean_env():
    e = dict(os.environ)
    for k in ("STORVIRT_DEBUG", "STORVIRT_STATE_DIR"):
        e.pop(k, None)
    return e


class IscsiDirectPoolTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        why = Tgtd.unavailable()
        if why:
            raise unittest.SkipTest(why)
        cls._tmp = tempfile.TemporaryDirectory(prefix="storvirt-pool-iscsi-")
        cls.tmp = cls._tmp.name
        cls.tgtd = Tgtd(cls.tmp).__enter__()
        cls.tgtd.add_target(1, OPEN, luns=[(SIZES[i], IDS[i], "SNP%d" % i) for i in range(3)])
        cls.tgtd.add_target(2, CHAP, luns=[(8 << 20, "d1ec70000000000000000000000000c1", "SNC")],
                            chap=(USER, SECRET))

    @classmethod
    def tearDownClass(cls):
        cls.tgtd.stop()
        cls._tmp.cleanup()

    def setUp(self):
        self.state = tempfile.mkdtemp(dir=self.tmp)

    def run_cli(self, *args, input=None):
        p = subprocess.run([CLI, "-d", self.state, *args], capture_output=True, text=True,
                           env=clean_env(), timeout=120, input=input)
        self.assertNotIn(SECRET, p.stdout + p.stderr)
        return p

    def ok(self, *args, input=None):
        p = self.run_cli(*args, input=input)
        self.assertEqual(p.returncode, 0, "%s: %s" % (args, p.stderr))
        return p.stdout

    def pool_xml(self, name, target, auth=""):
        return ("<pool type='iscsi-direct'><name>%s</name><source>"
                "<host name='127.0.0.1' port='%d'/><device path='%s'/>%s"
                "<initiator><iqn name='%s'/></initiator></source></pool>"
                % (name, self.tgtd.port, target, auth, INITIATOR))

    def define(self, name, target, auth=""):
        path = os.path.join(self.state, name + ".xml")
        with open(path, "w") as f:
            f.write(self.pool_xml(name, target, auth))
        self.ok("pool-define", path)

    def test_volumes_are_luns(self):
        self.define("open", OPEN)
        self.ok("pool-start", "open")
        vols = json.loads(self.ok("--json", "vol-list", "open", "--details"))["volumes"]
        self.assertEqual(sorted(v["name"] for v in vols), ["unit:0:0:1", "unit:0:0:2", "unit:0:0:3"])
        for i in range(3):
            name = "unit:0:0:%d" % (i + 1)
            self.assertEqual(self.ok("vol-key", name, "--pool", "open").strip(), naa6(IDS[i]))
            info = json.loads(self.ok("--json", "vol-info", name, "--pool", "open"))
            self.assertEqual(info["capacity"], SIZES[i])
        # a resolved volume: QEMU's initiator reaches LUN 2 of the target
        xml = self.ok("resolve", "-", input=json.dumps({"pool": "open", "volume": "unit:0:0:2"}))
        self.assertIn('<disk type="network" device="disk">', xml)
        self.assertIn('<source protocol="iscsi" name="%s/2">' % OPEN, xml)
        self.assertIn('<host name="127.0.0.1" port="%d"/>' % self.tgtd.port, xml)
        self.assertIn('<iqn name="%s"/>' % INITIATOR, xml)
        # a LUN added on the target shows after a refresh; the others keep their keys
        self.tgtd.tgtadm("--lld", "iscsi", "--op", "new", "--mode", "logicalunit", "--tid", 1,
                         "--lun", 4, "-b", os.path.join(self.tmp, "t1-lun1.img"))
        self.tgtd.tgtadm("--lld", "iscsi", "--op", "update", "--mode", "logicalunit", "--tid", 1,
                         "--lun", 4, "--params", "scsi_id=%s,scsi_sn=SNP4" % IDS[3])
        self.ok("pool-refresh", "open")
        self.assertEqual(self.ok("vol-key", "unit:0:0:4", "--pool", "open").strip(), naa6(IDS[3]))
        self.assertEqual(self.ok("vol-key", "unit:0:0:1", "--pool", "open").strip(), naa6(IDS[0]))
        # no volume operation changes the target
        p = self.run_cli("vol-create-as", "open", "new", "1M")
        self.assertEqual(p.returncode, 1)
        self.assertIn("does not support", p.stderr)
        self.ok("pool-destroy", "open")

    def test_find_sources(self):
        spec = os.path.join(self.state, "spec.xml")
        with open(spec, "w") as f:
            f.write("<source><host name='127.0.0.1' port='%d'/><initiator><iqn name='%s'/>"
                    "</initiator></source>" % (self.tgtd.port, INITIATOR))
        out = self.ok("find-storage-pool-sources", "iscsi-direct", spec)
        self.assertIn('<device path="%s"/>' % OPEN, out)
        self.assertIn('<device path="%s"/>' % CHAP, out)
        self.assertIn('<host name="127.0.0.1" port="%d"/>' % self.tgtd.port, out)
        # the kernel-initiator pool type finds the same targets
        self.assertEqual(self.ok("find-storage-pool-sources", "iscsi", spec), out)
        p = self.run_cli("find-storage-pool-sources", "iscsi-direct")
        self.assertEqual(p.returncode, 1)
        self.assertIn("<host name", p.stderr)
        p = self.run_cli("find-storage-pool-sources", "dir")
        self.assertEqual(p.returncode, 1)
        self.assertIn("does not support", p.stderr)

    def test_defined_from_options(self):
        """pool-define-as --source-initiator: the pool is virsh's options alone,
        and find-storage-pool-sources-as finds its target."""
        self.ok("pool-define-as", "opts", "iscsi-direct", "--source-host",
                "127.0.0.1:%d" % self.tgtd.port, "--source-dev", OPEN, "--source-initiator",
                INITIATOR)
        self.ok("pool-start", "opts")
        vols = json.loads(self.ok("--json", "vol-list", "opts"))["volumes"]
        self.assertEqual(sorted(v["name"] for v in vols), ["unit:0:0:1", "unit:0:0:2", "unit:0:0:3"])
        self.ok("pool-destroy", "opts")
        out = self.ok("find-storage-pool-sources-as", "iscsi-direct", "127.0.0.1",
                      str(self.tgtd.port), INITIATOR)
        self.assertIn('<device path="%s"/>' % OPEN, out)
        self.assertEqual(self.ok("find-storage-pool-sources-as", "iscsi-direct",
                                 "--host", "127.0.0.1:%d" % self.tgtd.port,
                                 "--initiator", INITIATOR), out)

    def test_chap(self):
        auth = "<auth type='chap' username='%s'><secret usage='libvirt-iscsi-pool'/></auth>" % USER
        self.define("chap", CHAP, auth)
        p = self.run_cli("pool-start", "chap")
        self.assertEqual(p.returncode, 1)
        self.assertIn("no stored connection", p.stderr)
        # the secret comes from a stored connection to that portal and target
        self.ok("connection-define", "-", input=json.dumps({
            "type": "iscsi", "driver": "direct", "portal": self.tgtd.portal, "target": CHAP,
            "user": USER, "password": SECRET}))
        self.ok("pool-start", "chap")
        self.assertEqual(self.ok("vol-key", "unit:0:0:1", "--pool", "chap").strip(),
                         naa6("d1ec70000000000000000000000000c1"))
        xml = self.ok("resolve", "-", input=json.dumps({"pool": "chap", "volume": "unit:0:0:1"}))
        self.assertIn('<auth username="%s">' % USER, xml)
        self.assertIn('<secret type="iscsi" usage="libvirt-iscsi-pool"/>', xml)
        self.ok("pool-destroy", "chap")

    def chap_connections(self):
        """Two stored connections to the CHAP target with the pool's user: the
        first by id holds a wrong password, the second the right one."""
        for cid, pw in (("a-wrong", "Wrong-Secret-78"), ("z-right", SECRET)):
            self.ok("connection-define", "-", input=json.dumps({
                "type": "iscsi", "driver": "direct", "id": cid, "portal": self.tgtd.portal,
                "target": CHAP, "user": USER, "password": pw}))

    def test_chap_secret_usage(self):
        # the pool's <auth> names the connection whose secret it is
        self.chap_connections()
        auth = ("<auth type='chap' username='%s'><secret usage='libstorvirt-chap-z-right'/></auth>"
                % USER)
        self.define("named", CHAP, auth)
        self.ok("pool-start", "named")
        self.assertEqual(self.ok("vol-key", "unit:0:0:1", "--pool", "named").strip(),
                         naa6("d1ec70000000000000000000000000c1"))
        xml = self.ok("resolve", "-", input=json.dumps({"pool": "named", "volume": "unit:0:0:1"}))
        self.assertIn('<secret type="iscsi" usage="libstorvirt-chap-z-right"/>', xml)
        self.ok("pool-destroy", "named")

    def test_chap_secret_named_wrongly(self):
        self.chap_connections()
        self.ok("connection-define", "-", input=json.dumps({
            "type": "iscsi", "driver": "direct", "id": "other-target", "portal": self.tgtd.portal,
            "target": OPEN, "user": USER, "password": SECRET}))
        cases = [("libstorvirt-chap-gone", "names the stored connection 'gone', which is not "
                                           "defined"),
                 ("libstorvirt-chap-other-target", "belongs to connection 'other-target', whose "
                                                   "target is %s, not the pool's %s" % (OPEN, CHAP))]
        for n, (usage, message) in enumerate(cases):
            name = "bad%d" % n
            self.define(name, CHAP, "<auth type='chap' username='%s'><secret usage='%s'/></auth>"
                        % (USER, usage))
            p = self.run_cli("pool-start", name)
            self.assertEqual(p.returncode, 1, usage)
            self.assertIn("pool '%s'" % name, p.stderr)
            self.assertIn(message, p.stderr)
            self.ok("pool-undefine", name)
        # a user of the pool's own that no connection has
        self.define("nouser", CHAP, "<auth type='chap' username='nobody'><secret usage='x'/></auth>")
        p = self.run_cli("pool-start", "nouser")
        self.assertEqual(p.returncode, 1)
        self.assertIn("CHAP user 'nobody': no stored connection holds its secret", p.stderr)

    def test_wrong_secret(self):
        auth = "<auth type='chap' username='%s'><secret usage='x'/></auth>" % USER
        self.define("bad", CHAP, auth)
        self.ok("connection-define", "-", input=json.dumps({
            "type": "iscsi", "driver": "direct", "portal": self.tgtd.portal, "target": CHAP,
            "user": USER, "password": "Wrong-Secret-77"}))
        p = self.run_cli("pool-start", "bad")
        self.assertEqual(p.returncode, 1)
        self.assertIn("authentication failed", p.stderr)
        self.assertNotIn("Wrong-Secret-77", p.stderr)


if __name__ == "__main__":
    unittest.main()
