# SPDX-License-Identifier: LGPL-2.1-or-later
"""libvirt's qemu driver and qemu judge the <disk> XML the storvirt CLI
writes (tests/scripts/qemu_judge.py): each case is defined in a domain of
type 'qemu' (TCG) of a private libvirtd, started paused, and qemu's
query-block must show every disk opened with the format, the backing
chain and the source the XML gives; qemu then reads sector 0 of each.

The cases: a qcow2 vDisk of a dir pool with a snapshot; a loop device
named by its filesystem UUID; an iSCSI vDisk behind CHAP, its libvirt
secret defined through `storvirt secret-xml` / `secret-value` (and the
same disk without that secret, which libvirt must refuse); a volume of
an iscsi-direct pool with CHAP, its secret from `secret-xml --pool`; and
`resolve --vm` of 7 drives, one of them `device: lun` on an iSCSI LUN
(this machine has no SCSI subsystem: a LUN reaches the guest over
iSCSI, <disk type='network' device='lun'>); and a controller model
compiled by `hcl-to-xml` (a virtio-scsi controller with a vDisk, a file
and an empty DVD).  The targets are a tgtd the
test starts (tests/scripts/tgtd.py).  libvirt's and qemu's verdict on
each case is printed; the daemons start once for all cases.

Needs root, libvirtd with its qemu driver, qemu-system-x86, tgtd and a
free loop device (skipped, with the reason, without them)."""
import faulthandler
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import uuid
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from qemu_judge import QemuJudge  # noqa: E402
from tgtd import Tgtd  # noqa: E402

CLI = os.environ.get("STORVIRT_CLI", "storvirt")
CHAP = "iqn.2026-12.org.libstorvirt.test:judge-chap"
OPEN = "iqn.2026-12.org.libstorvirt.test:judge-open"
USER, SECRET = "judge-user", "Judge-Chap-Secret-64"
CONN = "judge-chap"
MIB = 1 << 20


def clean_env():
    e = dict(os.environ)
    for k in ("STORVIRT_DEBUG", "STORVIRT_STATE_DIR"):
        e.pop(k, None)
    return e


class QemuJudgeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        why = QemuJudge.unavailable() or Tgtd.unavailable()
        if not why and not shutil.which("losetup"):
            why = "losetup is not installed"
        if why:
            raise unittest.SkipTest(why)
        cls.t0 = time.monotonic()
        # a hang shows where it is; meson's SIGTERM at its timeout still stops
        # the daemons, the target and the loop device this test started
        faulthandler.dump_traceback_later(420, exit=False)
        signal.signal(signal.SIGTERM, cls._terminated)
        cls._tmp = tempfile.TemporaryDirectory(prefix="storvirt-qemu-judge-")
        cls.tmp = cls._tmp.name
        os.chmod(cls.tmp, 0o755)        # qemu runs as libvirt-qemu
        cls.loop = None
        cls.tgtd = cls.judge = None
        try:
            cls._start()
        except BaseException:
            cls._stop()
            raise

    @classmethod
    def _start(cls):
        for d in ("libvirt", "tgtd", "images"):
            os.mkdir(os.path.join(cls.tmp, d), 0o755)
        cls.state = os.path.join(cls.tmp, "state")
        cls.tgtd = Tgtd(os.path.join(cls.tmp, "tgtd")).__enter__()
        cls.tgtd.add_target(1, CHAP, luns=[(16 * MIB, "a1b2c3d4000000000000000000000001", "SNJ1"),
                                           (16 * MIB, "a1b2c3d4000000000000000000000002", "SNJ2")],
                            chap=(USER, SECRET))
        cls.tgtd.add_target(2, OPEN, luns=[(16 * MIB, "a1b2c3d4000000000000000000000003", "SNJ3")])
        cls.judge = QemuJudge(os.path.join(cls.tmp, "libvirt"),
                              cache=os.environ.get("STORVIRT_QEMU_JUDGE_CACHE")).start()
        cls.setup_t = time.monotonic()
        cls._storage()

    @classmethod
    def _storage(cls):
        tmp, cli = cls.tmp, cls.cli
        images = os.path.join(tmp, "images")
        # a dir pool: a qcow2 volume imported as a vDisk and snapshotted, a raw volume
        cli("pool-define-as", "images", "dir", "--target", images)
        cli("pool-start", "images")
        cli("vol-create-as", "images", "base.qcow2", "16M", "--format", "qcow2")
        cli("vol-create-as", "images", "data.raw", "8M", "--format", "raw")
        cls.qcow_vdisk = json.loads(cli("--json", "vdisk-import", "--pool", "images",
                                        "--volume", "base.qcow2"))["id"]
        cls.overlay = json.loads(cli("--json", "vdisk-snapshot", cls.qcow_vdisk))["uid"]
        # a loop device with an ext4 filesystem, named by its UUID
        cls.fs_uuid = str(uuid.uuid4())
        fs = os.path.join(images, "fs.img")
        with open(fs, "wb") as f:
            f.truncate(16 * MIB)
        subprocess.run(["mkfs.ext4", "-q", "-F", "-U", cls.fs_uuid, fs], check=True)
        r = subprocess.run(["losetup", "-f", "--show", fs], capture_output=True, text=True)
        if r.returncode != 0:
            raise unittest.SkipTest("no free loop device: " + r.stderr.strip())
        cls.loop = r.stdout.strip()
        # a medium for the cdrom
        cls.iso = os.path.join(images, "medium.iso")
        with open(cls.iso, "wb") as f:
            f.truncate(MIB)
        # an iSCSI vDisk behind CHAP, through a stored connection
        cli("connection-define", "-", input=json.dumps({
            "type": "iscsi", "driver": "direct", "id": CONN, "portal": cls.tgtd.portal,
            "target": CHAP, "user": USER, "password": SECRET}))
        cls.iscsi_vdisk = json.loads(cli("--json", "vdisk-import", "-", input=json.dumps(
            {"iscsi": {"portal": cls.tgtd.portal, "target": CHAP, "lun": 1}})))["id"]
        # an iscsi-direct pool on the CHAP target: its <auth> names a usage of its own
        pool = os.path.join(tmp, "chapdirect.xml")
        with open(pool, "w") as f:
            f.write("<pool type='iscsi-direct'><name>chapdirect</name><source>"
                    "<host name='127.0.0.1' port='%d'/><device path='%s'/>"
                    "<auth type='chap' username='%s'><secret usage='judge-pool-chap'/></auth>"
                    "<initiator><iqn name='iqn.2026-12.org.libstorvirt.test:judge-host'/>"
                    "</initiator></source></pool>" % (cls.tgtd.port, CHAP, USER))
        cli("pool-define", pool)
        cli("pool-start", "chapdirect")

    @classmethod
    def _stop(cls):
        faulthandler.cancel_dump_traceback_later()
        judge, tgtd, loop = cls.judge, cls.tgtd, cls.loop
        cls.judge = cls.tgtd = cls.loop = None
        if judge:
            judge.stop()
        if tgtd:
            tgtd.stop()
        if loop:
            subprocess.run(["losetup", "-d", loop])
        cls._tmp.cleanup()

    @classmethod
    def _terminated(cls, signum, frame):
        print("\nqemu judge: terminated (signal %d); stopping what it started" % signum)
        faulthandler.dump_traceback()
        cls._stop()
        os._exit(1)

    @classmethod
    def tearDownClass(cls):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if cls.judge:
            print("\n" + cls.judge.summary())
            print("qemu judge: %.1f s in all (daemons, target and storage set up in %.1f s)"
                  % (time.monotonic() - cls.t0, cls.setup_t - cls.t0))
        cls._stop()

    @classmethod
    def cli(cls, *args, input=None):
        p = subprocess.run([CLI, "-d", cls.state, *args], capture_output=True, text=True,
                           env=clean_env(), timeout=120, input=input)
        if SECRET in p.stdout + p.stderr:
            raise AssertionError("the CHAP password was printed by %s" % (args,))
        if p.returncode != 0:
            raise AssertionError("storvirt %s: %s" % (" ".join(args), p.stderr.strip()))
        return p.stdout

    def define_secret(self, *of):
        """The libvirt secret of a connection (or --pool P), through
        secret-xml and secret-value only; returns its UUID."""
        xml = self.cli("secret-xml", *of)
        path = os.path.join(self.tmp, "secret-%s.xml" % of[-1])
        with open(path, "w") as f:
            f.write(xml)
        self.judge.virsh("secret-define", path)
        secret_uuid = ET.fromstring(xml).findtext("uuid")
        value = os.path.join(self.tmp, "value-%s" % of[-1])
        self.cli("secret-value", *of, "--file", value)
        self.assertEqual(os.stat(value).st_mode & 0o777, 0o600)
        self.judge.virsh("secret-set-value", "--secret", secret_uuid, "--file", value, "--plain")
        os.unlink(value)
        return secret_uuid

    def verdict(self, name, xml, chains):
        """Judges xml; chains: {target dev: number of images qemu must show}."""
        v = self.judge.judge(name, xml)
        print("\n" + v.report())
        self.assertTrue(v.ok, "\n".join(v.problems()))
        self.assertEqual({d.dev: len(d.chain) for d in v.disks}, chains)
        return v

    def test_0_judge_refuses(self):
        """The judge fails what libvirt's schema, libvirt or qemu refuse."""
        data = os.path.join(self.tmp, "images", "data.raw")
        # the CHAP secret usage id 0.5 wrote: not in libvirt's schema
        v = self.judge.judge("usage-with-slash", """
            <disk type='network' device='disk'><driver name='qemu' type='raw'/>
              <source protocol='iscsi' name='%s/1'><host name='127.0.0.1' port='%d'/>
                <auth username='%s'><secret type='iscsi' usage='libstorvirt/%s'/></auth>
              </source><target dev='vda' bus='virtio'/></disk>""" % (CHAP, self.tgtd.port,
                                                                     USER, CONN))
        print("\n" + v.report())
        self.assertFalse(v.ok)
        self.assertNotEqual(v.schema, "ok")
        # a read-only sata disk: libvirt refuses to start it
        v = self.judge.judge("readonly-sata", """
            <disk type='file' device='disk'><driver name='qemu' type='raw'/>
              <source file='%s'/><target dev='sda' bus='sata'/><readonly/></disk>""" % data)
        print("\n" + v.report())
        self.assertFalse(v.ok)
        self.assertIn("readonly sata disks are not supported", v.libvirt)

    def test_1_qcow2_vdisk_with_snapshot(self):
        xml = self.cli("vdisk-xml", self.qcow_vdisk)
        v = self.verdict("qcow2-vdisk-snapshot", xml, {"vda": 2})
        self.assertIn(self.overlay, v.disks[0].opened)
        self.assertIn("qcow2 %s/images/base.qcow2" % self.tmp, v.disks[0].opened)

    def test_2_block_device_by_uuid(self):
        xml = self.cli("resolve", "-", input=json.dumps({"UUID": self.fs_uuid}))
        v = self.verdict("loop-by-fs-uuid", xml, {"vda": 1})
        self.assertEqual(v.disks[0].opened, "raw " + self.loop)

    def test_3_iscsi_chap_vdisk(self):
        xml = self.cli("vdisk-xml", self.iscsi_vdisk)
        self.assertIn('usage="libstorvirt-chap-%s"' % CONN, xml)
        # without the secret in libvirt: refused at start
        self.judge.virsh("secret-undefine", self.conn_secret_uuid(), check=False)
        v = self.judge.judge("iscsi-chap-no-secret", xml)
        print("\n" + v.report())
        self.assertEqual(v.schema, "ok")
        self.assertFalse(v.started)
        self.assertIn("secret", v.libvirt.lower())
        # with it: qemu logs in with CHAP and reads the LUN
        self.define_secret(CONN)
        v = self.verdict("iscsi-chap-vdisk", xml, {"vda": 1})
        self.assertIn("with CHAP user %s" % USER, v.disks[0].opened)

    def conn_secret_uuid(self):
        return ET.fromstring(self.cli("secret-xml", CONN)).findtext("uuid")

    def test_4_iscsi_direct_pool_volume(self):
        xml = self.cli("resolve", "-", input=json.dumps({"pool": "chapdirect",
                                                         "volume": "unit:0:0:2"}))
        self.assertIn('usage="judge-pool-chap"', xml)
        self.define_secret("--pool", "chapdirect")
        v = self.verdict("iscsi-direct-volume", xml, {"vda": 1})
        self.assertIn("%s/2 with CHAP" % CHAP, v.disks[0].opened)

    def test_5_vm_of_7_drives(self):
        self.define_secret(CONN)
        self.define_secret("--pool", "chapdirect")
        vm = {"drives": [
            {"vdisk": self.qcow_vdisk, "bootOrder": 1},
            {"UUID": self.fs_uuid},
            {"vdisk": self.iscsi_vdisk},
            {"pool": "chapdirect", "volume": "unit:0:0:2", "iface": "scsi"},
            {"iscsi": {"portal": self.tgtd.portal, "target": OPEN, "lun": 1},
             "device": "lun", "iface": "scsi"},
            {"path": self.iso, "device": "cdrom"},
            {"pool": "images", "volume": "data.raw", "iface": "sata"},
        ]}
        xml = self.cli("resolve", "--vm", "-", input=json.dumps(vm))
        devices = ET.fromstring(xml)
        disks = devices.findall("disk")
        self.assertEqual(len(disks), 7)
        self.assertEqual([d.get("device") for d in disks],
                         ["disk", "disk", "disk", "disk", "lun", "cdrom", "disk"])
        v = self.verdict("vm-7-drives", xml, {d.find("target").get("dev"): 1 + (i == 0)
                                              for i, d in enumerate(disks)})
        lun = next(d for d in v.disks if d.device == "lun")
        self.assertIn("iscsi://%s/%s/1" % (self.tgtd.portal, OPEN), lun.opened)

    def test_6_controller_model(self):
        g1, g2, g3 = (str(uuid.uuid4()) for _ in range(3))
        dev = {"device_type": "VSCSI", "device_path": g2}
        hcl = {"version": "V1", "dynamic": {"storage_controllers": [
            {"instance_id": g1, "protocol": "SCSI", "luns": [
                {"location": 0, "device_id": g3, "vendor_id": "MSFT", "product_id": "Virtual Disk",
                 "physical_devices": {"type": "SINGLE", "device": dict(dev, sub_device_path=0)}},
                {"location": 1,
                 "physical_devices": {"type": "SINGLE", "device": dict(dev, sub_device_path=1)}},
                {"location": 2, "is_dvd": True}]}]}}
        paths = {}
        for name, obj in (("hcl.json", hcl), ("map.json", {
                g2 + "/0": {"vdisk": self.qcow_vdisk},
                g2 + "/1": {"path": os.path.join(self.tmp, "images", "data.raw")}})):
            paths[name] = os.path.join(self.tmp, name)
            with open(paths[name], "w") as f:
                json.dump(obj, f)
        xml = self.cli("hcl-to-xml", "--map", paths["map.json"], paths["hcl.json"])
        devices = ET.fromstring(xml)
        self.assertEqual([c.get("model") for c in devices.findall("controller")], ["virtio-scsi"])
        disks = devices.findall("disk")
        self.verdict("controller-model", xml,
                     {d.find("target").get("dev"): n for d, n in zip(disks, (2, 1, 0))})


if __name__ == "__main__":
    unittest.main()
