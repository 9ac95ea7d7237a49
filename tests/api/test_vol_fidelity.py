# SPDX-License-Identifier: LGPL-2.1-or-later
"""Every setting of a volume's XML is honoured or refused, never dropped:
<permissions> owner and group, qcow2 <features> (extended_l2 natively,
judged by qemu-img and qemu-io), iso volumes created as raw files, and a
raw volume with a <backingStore> refused."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ET

CLI = os.environ.get("STORVIRT_CLI", "storvirt")
QEMU_IMG = shutil.which("qemu-img")
QEMU_IO = shutil.which("qemu-io")
SETPRIV = shutil.which("setpriv")
MKFS_BTRFS = shutil.which("mkfs.btrfs")
LSATTR = shutil.which("lsattr")
MiB = 1 << 20


def clean_env():
    e = dict(os.environ)
    for k in ("STORVIRT_DEBUG", "STORVIRT_STATE_DIR"):
        e.pop(k, None)
    return e


class VolFidelityTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="storvirt-volxml-")
        self.tmp = self._tmp.name
        os.chmod(self.tmp, 0o755)
        self.state = os.path.join(self.tmp, "state")
        self.target = os.path.join(self.tmp, "pool")
        self.ok("pool-define-as", "p", "dir", "--target", self.target)
        self.ok("pool-build", "p")
        self.ok("pool-start", "p")

    def tearDown(self):
        for mnt in getattr(self, "mounts", []):
            subprocess.run(["umount", mnt], capture_output=True)
        self._tmp.cleanup()

    def run_cli(self, *args, prefix=(), state=None):
        p = subprocess.run([*prefix, CLI, "-d", state or self.state, *args], capture_output=True,
                           text=True, env=clean_env(), timeout=120)
        return p.returncode, p.stdout, p.stderr

    def ok(self, *args, **kw):
        rc, out, err = self.run_cli(*args, **kw)
        self.assertEqual(rc, 0, "storvirt %s: %s" % (" ".join(args), err))
        return out

    def fails(self, *args, **kw):
        rc, out, err = self.run_cli(*args, **kw)
        self.assertEqual(rc, 1, "storvirt %s should fail: %r %r" % (" ".join(args), out, err))
        return err

    def vol_xml(self, name, target="", backing=""):
        path = os.path.join(self.tmp, name + ".xml")
        with open(path, "w") as f:
            f.write("<volume><name>%s</name><capacity unit='MiB'>4</capacity>"
                    "<target>%s</target>%s</volume>" % (name, target, backing))
        return path

    def vol(self, name):
        return os.path.join(self.target, name)

    def dumpxml(self, name):
        return ET.fromstring(self.ok("vol-dumpxml", name, "--pool", "p"))

    # -- <permissions> -----------------------------------------------------------

    @unittest.skipUnless(os.geteuid() == 0, "giving a file away needs root")
    def test_owner_and_group_applied(self):
        for fmt in ("raw", "qcow2", "vmdk", "dir"):
            with self.subTest(fmt=fmt):
                name = "owned." + fmt
                self.ok("vol-create", "p", self.vol_xml(
                    name, "<format type='%s'/><permissions><mode>0640</mode><owner>65534</owner>"
                          "<group>65533</group></permissions>" % fmt))
                st = os.stat(self.vol(name))
                self.assertEqual((st.st_uid, st.st_gid), (65534, 65533))
                self.assertEqual(st.st_mode & 0o777, 0o640 if fmt != "dir" else 0o640)
                perms = self.dumpxml(name).find("target/permissions")
                self.assertEqual((perms.find("owner").text, perms.find("group").text),
                                 ("65534", "65533"))

    @unittest.skipUnless(os.geteuid() == 0 and SETPRIV, "needs root and setpriv")
    def test_owner_refused_when_not_permitted(self):
        # a user of its own state directory and pool, asking to give a volume to root
        state, target = os.path.join(self.tmp, "ustate"), os.path.join(self.tmp, "upool")
        for d in (state, target):
            os.mkdir(d, 0o700)
            os.chown(d, 65534, 65534)
        as_nobody = (SETPRIV, "--reuid=65534", "--regid=65534", "--clear-groups")
        self.ok("pool-define-as", "u", "dir", "--target", target, prefix=as_nobody, state=state)
        self.ok("pool-start", "u", prefix=as_nobody, state=state)
        err = self.fails("vol-create", "u", self.vol_xml("root.raw", "<permissions><owner>0</owner>"
                                                         "</permissions>"),
                         prefix=as_nobody, state=state)
        self.assertIn("<permissions>: cannot give it owner 0", err)
        self.assertIn("Operation not permitted", err)
        self.assertEqual(os.listdir(target), [])

    # -- copy-on-write ---------------------------------------------------------------

    def btrfs(self):
        """A btrfs filesystem on a loop device, mounted in the test's directory."""
        img, mnt = os.path.join(self.tmp, "btrfs.img"), os.path.join(self.tmp, "btrfs")
        with open(img, "wb") as f:
            f.truncate(128 * MiB)
        subprocess.run([MKFS_BTRFS, "-q", img], check=True, capture_output=True)
        os.mkdir(mnt)
        p = subprocess.run(["mount", "-o", "loop", img, mnt], capture_output=True, text=True)
        if p.returncode != 0:
            self.skipTest("cannot mount a btrfs image here: " + p.stderr.strip())
        self.mounts = getattr(self, "mounts", []) + [mnt]
        return mnt

    def no_cow(self, path):
        out = subprocess.run([LSATTR, "-d", path], capture_output=True, text=True,
                             check=True).stdout
        return "C" in out.split()[0]

    @unittest.skipUnless(os.geteuid() == 0 and MKFS_BTRFS and LSATTR,
                         "needs root, mkfs.btrfs and lsattr")
    def test_cow_settings_on_btrfs(self):
        mnt = self.btrfs()
        # a pool with <features><cow state='no'/>: its directory, and so every new file
        pool = os.path.join(mnt, "nocow-pool")
        xml = os.path.join(self.tmp, "nocow-pool.xml")
        with open(xml, "w") as f:
            f.write("<pool type='dir'><name>nc</name><features><cow state='no'/></features>"
                    "<target><path>%s</path></target></pool>" % pool)
        self.ok("pool-define", xml)
        self.ok("pool-build", "nc")
        self.ok("pool-start", "nc")
        self.assertTrue(self.no_cow(pool))
        self.ok("vol-create-as", "nc", "a.raw", "1M")
        self.assertTrue(self.no_cow(os.path.join(pool, "a.raw")))
        # a volume with <nocow/> in a pool that copies on write
        self.ok("pool-define-as", "c", "dir", "--target", os.path.join(mnt, "cow-pool"))
        self.ok("pool-build", "c")
        self.ok("pool-start", "c")
        self.ok("vol-create", "c", self.vol_xml("n.qcow2", "<format type='qcow2'/><nocow/>"))
        self.ok("vol-create", "c", self.vol_xml("y.raw", ""))
        self.assertTrue(self.no_cow(os.path.join(mnt, "cow-pool", "n.qcow2")))
        self.assertFalse(self.no_cow(os.path.join(mnt, "cow-pool", "y.raw")))

    def test_qcow2_settings_refused_elsewhere(self):
        for fmt in ("raw", "vmdk"):
            for target, needle in (("<compat>1.1</compat>", "<target><compat>"),
                                   ("<clusterSize>65536</clusterSize>", "<target><clusterSize>"),
                                   ("<features><lazy_refcounts/></features>",
                                    "<target><features>")):
                with self.subTest(fmt=fmt, target=target):
                    err = self.fails("vol-create", "p", self.vol_xml(
                        "q." + fmt, "<format type='%s'/>%s" % (fmt, target)))
                    self.assertIn(needle + " applies to qcow2 volumes only, not " + fmt, err)
                    self.assertFalse(os.path.exists(self.vol("q." + fmt)))

    # -- raw volumes have no backing store ----------------------------------------

    def test_raw_with_backing_store_refused(self):
        self.ok("vol-create-as", "p", "base.raw", "1M")
        for fmt in ("", "<format type='raw'/>"):
            with self.subTest(fmt=fmt):
                err = self.fails("vol-create", "p", self.vol_xml(
                    "r.raw", fmt, "<backingStore><path>%s</path><format type='raw'/>"
                    "</backingStore>" % self.vol("base.raw")))
                self.assertIn("backing storage is not supported for raw volumes", err)
                self.assertFalse(os.path.exists(self.vol("r.raw")))

    # -- iso -------------------------------------------------------------------------

    def test_iso_created_as_raw(self):
        self.ok("vol-create-as", "p", "boot.iso", "2M", "--format", "iso")
        self.assertEqual(os.path.getsize(self.vol("boot.iso")), 2 * MiB)
        with open(self.vol("boot.iso"), "rb") as f:
            self.assertEqual(f.read(), bytes(2 * MiB))
        self.assertEqual(self.dumpxml("boot.iso").find("target/format").get("type"), "iso")

    # -- qcow2 features ----------------------------------------------------------------

    @unittest.skipUnless(QEMU_IMG and QEMU_IO, "needs qemu-img and qemu-io")
    def test_extended_l2(self):
        feats = "<compat>1.1</compat><clusterSize unit='KiB'>%d</clusterSize><features>%s</features>"
        cases = (("x64.qcow2", 64, "<extended_l2/>", []),
                 ("x32lazy.qcow2", 32, "<lazy_refcounts/><extended_l2/>", []),
                 ("xpre.qcow2", 64, "<extended_l2/>", ["--prealloc-metadata"]))
        for name, kib, f, flags in cases:
            with self.subTest(name=name):
                self.ok("vol-create", "p", self.vol_xml(
                    name, "<format type='qcow2'/>" + feats % (kib, f)), *flags)
                info = json.loads(subprocess.run(
                    [QEMU_IMG, "info", "--output=json", self.vol(name)], capture_output=True,
                    text=True, check=True).stdout)
                spec = info["format-specific"]["data"]
                self.assertTrue(spec["extended-l2"])
                self.assertEqual(spec["lazy-refcounts"], "lazy" in name)
                self.assertEqual(info["cluster-size"], kib * 1024)
                subprocess.run([QEMU_IMG, "check", "-q", self.vol(name)], check=True)
                # a write across subclusters reads back, the rest reads as zeros
                subprocess.run([QEMU_IO, "-f", "qcow2", "-c", "write -P 0x5a 4096 12288",
                                self.vol(name)], check=True, capture_output=True)
                p = subprocess.run([QEMU_IO, "-f", "qcow2", "-c", "read -P 0x5a 4096 12288",
                                    "-c", "read -P 0 0 4096", "-c", "read -P 0 16384 65536",
                                    self.vol(name)], capture_output=True, text=True)
                self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
                self.assertNotIn("Pattern verification failed", p.stdout)
                subprocess.run([QEMU_IMG, "check", "-q", self.vol(name)], check=True)
                features = self.dumpxml(name).find("target/features")
                self.assertIsNotNone(features.find("extended_l2"))
        err = self.fails("vol-create", "p", self.vol_xml(
            "small.qcow2", "<format type='qcow2'/>" + feats % (4, "<extended_l2/>")))
        self.assertIn("extended_l2: needs a cluster size of at least 16384", err)
        self.assertFalse(os.path.exists(self.vol("small.qcow2")))


if __name__ == "__main__":
    unittest.main()
