# SPDX-License-Identifier: LGPL-2.1-or-later
"""Image headers written by someone else never reach host files.

A guest writes what it likes into its disk, an image header naming
/etc/shadow as backing file included; an image copied into a pool can
carry any header.  These tests play that part with qemu-img and the
storvirt CLI on a dir pool: a volume keeps the format it was created or
imported as, a backing chain never leaves the active pools, loops or
reaches a device, copies never follow a header, new volumes are 0600 and
appear under their name only when complete."""
import fcntl
import json
import os
import random
import shutil
import signal
import struct
import subprocess
import tempfile
import time
import unittest
import xml.etree.ElementTree as ET

CLI = os.environ.get("STORVIRT_CLI", "storvirt")
QEMU_IMG = shutil.which("qemu-img")
MiB = 1 << 20
SECRET = "/etc/shadow" if os.path.exists("/etc/shadow") else "/etc/passwd"


def clean_env():
    e = dict(os.environ)
    for k in ("STORVIRT_DEBUG", "STORVIRT_STATE_DIR"):
        e.pop(k, None)
    return e


def qemu_img(*args):
    subprocess.run([QEMU_IMG, *args], check=True, capture_output=True, timeout=60)


@unittest.skipUnless(QEMU_IMG, "qemu-img is not installed")
class GuestImageTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="storvirt-guest-")
        self.tmp = self._tmp.name
        self.state = os.path.join(self.tmp, "state")
        self.target = os.path.join(self.tmp, "pool")
        self.ok("pool-define-as", "p", "dir", "--target", self.target)
        self.ok("pool-build", "p")
        self.ok("pool-start", "p")

    def tearDown(self):
        self._tmp.cleanup()

    def run_cli(self, *args, input=None):
        p = subprocess.run([CLI, "-d", self.state, *args], capture_output=True, text=True,
                           env=clean_env(), timeout=120, input=input)
        return p.returncode, p.stdout, p.stderr

    def ok(self, *args, input=None):
        rc, out, err = self.run_cli(*args, input=input)
        self.assertEqual(rc, 0, "storvirt %s: %s" % (" ".join(args), err))
        return out

    def fails(self, *args, input=None):
        rc, out, err = self.run_cli(*args, input=input)
        self.assertEqual(rc, 1, "storvirt %s should fail: %r %r" % (" ".join(args), out, err))
        self.assertTrue(err.startswith("storvirt: error: "), err)
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        return err

    def resolve(self, spec):
        return self.run_cli("resolve", "-", input=json.dumps(spec))

    def vol(self, name):
        return os.path.join(self.target, name)

    def info(self, name):
        return json.loads(self.ok("--json", "vol-info", name, "--pool", "p"))

    def write_outside_header(self, path, backing=SECRET, fmt="raw"):
        """A qcow2 header naming backing, written over the start of path."""
        hdr = os.path.join(self.tmp, "hdr.qcow2")
        qemu_img("create", "-q", "-f", "qcow2", "-u", "-b", backing, "-F", fmt or "raw", hdr, "1M")
        with open(hdr, "rb") as f:
            data = f.read()
        if not fmt:     # qemu-img always records it now: turn that extension into an unknown one
            ext = data.index(b"\xe2\x79\x2a\xca", 0, 4096)
            data = data[:ext] + b"\x7e\x57\x00\x01" + data[ext + 4:]
        os.unlink(hdr)
        with open(path, "r+b" if os.path.exists(path) else "wb") as f:
            f.write(data)

    # -- 1: a guest-written header on a raw volume ---------------------------

    def test_guest_header_on_raw_volume_is_never_followed(self):
        self.ok("vol-create-as", "p", "g.raw", "1M")
        self.write_outside_header(self.vol("g.raw"))
        self.ok("pool-refresh", "p")
        info = self.info("g.raw")
        self.assertEqual(info["format"], "raw")
        self.assertIn("created as raw", info["warning"])
        self.assertIn("claims to be qcow2", info["warning"])
        xml = self.ok("vol-dumpxml", "g.raw", "--pool", "p")
        self.assertEqual(ET.fromstring(xml).find("target/format").get("type"), "raw")
        self.assertNotIn("backingStore", xml)
        self.assertNotIn(SECRET, xml)
        # resolve: refused while the content disagrees, unless the spec names the recorded format
        rc, out, err = self.resolve({"pool": "p", "volume": "g.raw"})
        self.assertEqual(rc, 1, out)
        self.assertIn("created as raw", err)
        rc, out, err = self.resolve({"pool": "p", "volume": "g.raw", "format": "cow"})
        self.assertEqual(rc, 1, out)
        rc, out, err = self.resolve({"pool": "p", "volume": "g.raw", "format": "raw"})
        self.assertEqual(rc, 0, err)
        disk = ET.fromstring(out)
        self.assertEqual(disk.find("driver").get("type"), "raw")
        self.assertIsNone(disk.find("backingStore"))
        self.assertNotIn(SECRET, out)
        # the same file named by its path is the volume: the record wins
        rc, out, err = self.resolve({"path": self.vol("g.raw"), "format": "cow"})
        self.assertEqual(rc, 1, out)
        self.assertIn("is raw, not qcow2", err)
        # vdisk-import: as the resolver says
        self.fails("vdisk-import", "--pool", "p", "--volume", "g.raw")
        spec = os.path.join(self.tmp, "spec.json")
        with open(spec, "w") as f:
            json.dump({"pool": "p", "volume": "g.raw", "format": "raw"}, f)
        out = self.ok("vdisk-import", spec)
        vid = out.split()[1]
        vd = json.loads(self.ok("--json", "vdisk-info", vid))
        images = vd.get("images") or vd.get("vdisk", {}).get("images")
        self.assertEqual([im["format"] for im in images], ["RAW"])
        out = self.ok("vdisk-xml", vid)
        self.assertIn('type="raw"', out)
        self.assertNotIn(SECRET, out)

    def test_copies_never_follow_a_guest_header(self):
        self.ok("vol-create-as", "p", "g.raw", "1M")
        self.write_outside_header(self.vol("g.raw"))
        with open(self.vol("g.raw"), "rb") as f:
            original = f.read()
        self.ok("pool-refresh", "p")
        for name, fmt in (("copy.raw", "raw"), ("copy.qcow2", "qcow2")):
            with self.subTest(fmt=fmt):
                xml = os.path.join(self.tmp, name + ".xml")
                with open(xml, "w") as f:
                    f.write("<volume><name>%s</name><capacity>1048576</capacity>"
                            "<target><format type='%s'/></target></volume>" % (name, fmt))
                self.ok("vol-create-from", "p", xml, "g.raw", "--inputpool", "p")
                st = os.stat(self.vol(name))
                self.assertEqual(st.st_mode & 0o777, 0o600, name)
                flat = os.path.join(self.tmp, name + ".flat")
                qemu_img("convert", "-f", fmt, "-O", "raw", self.vol(name), flat)
                with open(flat, "rb") as f:
                    self.assertEqual(f.read(), original, "%s holds what g.raw holds" % name)
                self.assertEqual(self.info(name)["format"], fmt)

    # -- 5: backing files outside the pools, loops, devices --------------------

    def copy_in(self, src, name):
        """An image copied into the pool by hand: the library has no record of it."""
        shutil.copyfile(src, self.vol(name))

    def assert_refused(self, name, needle):
        info = self.info(name)
        self.assertIsNotNone(info["warning"], name)
        self.assertIn(needle, info["warning"])
        self.assertNotIn(SECRET, self.run_cli("vol-dumpxml", name, "--pool", "p")[1])
        self.assertIn(needle, self.fails("vol-dumpxml", name, "--pool", "p"))
        rc, out, err = self.resolve({"pool": "p", "volume": name})
        self.assertEqual(rc, 1, out)
        self.assertIn(needle, err)
        rc, out, err = self.resolve({"path": self.vol(name), "format": "cow"})
        self.assertEqual(rc, 1, out)
        self.assertIn(needle, err)
        self.assertIn(needle, self.fails("vdisk-import", "--pool", "p", "--volume", name))
        self.assertIn(needle, self.fails("vol-clone", name, "clone-" + name, "--pool", "p"))

    def test_backing_file_outside_the_pools(self):
        out = os.path.join(self.tmp, "outside.qcow2")
        self.write_outside_header(out)
        self.copy_in(out, "o.qcow2")
        self.ok("pool-refresh", "p")
        self.assertEqual(self.info("o.qcow2")["format"], "qcow2")
        self.assert_refused("o.qcow2", "not a volume of any active pool")
        # a file outside any pool, by path
        rc, _, err = self.resolve({"path": out, "format": "cow"})
        self.assertEqual(rc, 1)
        self.assertIn("not a volume of any active pool", err)
        self.fails("vdisk-import", "--path", out)

    def test_backing_loops(self):
        self.write_outside_header(self.vol("self.qcow2"), self.vol("self.qcow2"), "qcow2")
        self.write_outside_header(self.vol("a.qcow2"), self.vol("b.qcow2"), "qcow2")
        self.write_outside_header(self.vol("b.qcow2"), "a.qcow2", "qcow2")
        self.ok("pool-refresh", "p")
        for name in ("self.qcow2", "a.qcow2", "b.qcow2"):
            with self.subTest(name=name):
                self.assert_refused(name, "loops")

    def test_backing_device(self):
        self.write_outside_header(self.vol("dev.qcow2"), "/dev/null", "raw")
        self.ok("pool-refresh", "p")
        self.assert_refused("dev.qcow2", "a device")

    def test_backing_without_format(self):
        self.ok("vol-create-as", "p", "base.raw", "1M")
        self.write_outside_header(self.vol("nofmt.qcow2"), self.vol("base.raw"), None)
        self.ok("pool-refresh", "p")
        self.assert_refused("nofmt.qcow2", "without its format")

    def test_chain_in_the_pools_is_handed_out_with_its_formats(self):
        self.ok("vol-create-as", "p", "base.raw", "1M")
        qemu_img("create", "-q", "-f", "qcow2", "-b", "base.raw", "-F", "raw",
                 self.vol("top.qcow2"))
        self.ok("pool-refresh", "p")
        self.assertIsNone(self.info("top.qcow2")["warning"])
        rc, out, err = self.resolve({"pool": "p", "volume": "top.qcow2"})
        self.assertEqual(rc, 0, err)
        disk = ET.fromstring(out)
        self.assertEqual(disk.find("driver").get("type"), "qcow2")
        bs = disk.find("backingStore")
        self.assertEqual(bs.find("format").get("type"), "raw")
        self.assertEqual(bs.find("source").get("file"), self.vol("base.raw"))
        self.assertEqual(list(bs.find("backingStore")), [], "the chain ends there")
        # vdisk-import brings the chain in: base then top
        vid = self.ok("vdisk-import", "--pool", "p", "--volume", "top.qcow2").split()[1]
        vd = json.loads(self.ok("--json", "vdisk-info", vid))
        images = vd.get("images") or vd.get("vdisk", {}).get("images")
        self.assertEqual([(im["format"], os.path.basename(im["path"])) for im in images],
                         [("RAW", "base.raw"), ("COW", "top.qcow2")])
        self.assertIsNone(images[0].get("parent"))
        self.assertEqual(images[1]["parent"], images[0]["uid"])
        # the header now claims a qcow2 base: that is not what base.raw is
        qemu_img("rebase", "-u", "-f", "qcow2", "-b", "base.raw", "-F", "qcow2",
                 self.vol("top.qcow2"))
        self.ok("pool-refresh", "p")
        rc, out, err = self.resolve({"pool": "p", "volume": "top.qcow2"})
        self.assertEqual(rc, 1, out)
        self.assertIn("is qcow2, but that volume is raw", err)
        # and a guest-written header in the raw base stops the chain's users too
        qemu_img("rebase", "-u", "-f", "qcow2", "-b", "base.raw", "-F", "raw",
                 self.vol("top.qcow2"))
        self.write_outside_header(self.vol("base.raw"))
        self.ok("pool-refresh", "p")
        rc, out, err = self.resolve({"pool": "p", "volume": "top.qcow2"})
        self.assertEqual(rc, 1, out)
        self.assertIn("created as raw", err)

    def test_create_with_backing_store(self):
        self.ok("vol-create-as", "p", "base.raw", "1M")
        err = self.fails("vol-create-as", "p", "x.qcow2", "1M", "--format", "qcow2",
                         "--backing-vol", SECRET)
        self.assertIn("not a volume of any active pool", err)
        err = self.fails("vol-create-as", "p", "x.qcow2", "1M", "--format", "qcow2",
                         "--backing-vol", "base.raw", "--backing-vol-format", "qcow2")
        self.assertIn("is qcow2, but that volume is raw", err)
        self.assertFalse(os.path.exists(self.vol("x.qcow2")))
        for path, needle in ((os.path.join(self.target, "..", "..", SECRET.lstrip("/")),
                              "not a volume of any active pool"),
                             ("self.qcow2", "not a volume of any active pool")):
            with self.subTest(path=path):
                xml = os.path.join(self.tmp, "v.xml")
                with open(xml, "w") as f:
                    f.write("<volume><name>self.qcow2</name><capacity>1048576</capacity>"
                            "<target><format type='qcow2'/></target><backingStore><path>%s"
                            "</path></backingStore></volume>" % path)
                self.assertIn(needle, self.fails("vol-create", "p", xml))
        # a relative name that lands on a volume of the pool is that volume, written absolute
        xml = os.path.join(self.tmp, "v.xml")
        with open(xml, "w") as f:
            f.write("<volume><name>rel.qcow2</name><capacity>1048576</capacity>"
                    "<target><format type='qcow2'/></target><backingStore><path>"
                    "../pool/./base.raw</path></backingStore></volume>")
        self.ok("vol-create", "p", xml)
        out = subprocess.run([QEMU_IMG, "info", "--output=json", "-U", self.vol("rel.qcow2")],
                             capture_output=True, text=True, check=True).stdout
        info = json.loads(out)
        self.assertEqual(info["backing-filename"], self.vol("base.raw"))
        self.assertEqual(info["backing-filename-format"], "raw")
        self.ok("vol-create-as", "p", "ok.qcow2", "1M", "--format", "qcow2",
                "--backing-vol", "base.raw")
        self.assertIsNone(self.info("ok.qcow2")["warning"])

    # -- 13: crafted headers ---------------------------------------------------

    def crafted(self, name, offset, fmt, value):
        qemu_img("create", "-q", "-f", "qcow2", self.vol(name), "1M")
        with open(self.vol(name), "r+b") as f:
            f.seek(offset)
            f.write(struct.pack(fmt, value))

    def test_crafted_headers_are_never_raw(self):
        cases = (("l1.qcow2", 36, ">I", 0xFFFFFFFF, "l1_size"),
                 ("refcount.qcow2", 96, ">I", 99, "refcount_order"),
                 ("cluster.qcow2", 20, ">I", 63, "cluster_bits"),
                 ("incompat.qcow2", 72, ">Q", 1 << 40, "incompatible feature"),
                 ("crypt.qcow2", 32, ">I", 2, "encrypt"))
        for name, off, fmt, value, _ in cases:
            self.crafted(name, off, fmt, value)
        self.ok("pool-refresh", "p")
        for name, _, _, _, needle in cases:
            with self.subTest(name=name):
                info = self.info(name)
                self.assertEqual(info["format"], "qcow2")
                self.assertIn(needle, info["warning"] or "")
                rc, out, err = self.resolve({"pool": "p", "volume": name})
                self.assertEqual(rc, 1, out)
                self.assertEqual(len(err.strip().splitlines()), 1, err)
                self.assertIn(needle, err)
                rc, out, err = self.resolve({"path": self.vol(name), "format": "cow"})
                self.assertEqual(rc, 1, out)
                self.assertIn(needle, err)

    # -- 8 and 2: new volumes ------------------------------------------------------

    def test_partial_files_are_collected_unless_held(self):
        held = self.vol(".storvirt-partial-heldheldheld")
        dead = self.vol(".storvirt-partial-deaddeaddead")
        for p in (held, dead):
            with open(p, "wb") as f:
                f.write(b"x" * 4096)
        fd = os.open(held, os.O_RDWR)
        try:
            # the builder's lock: one byte at INT64_MAX - 1 (F_OFD_SETLK, struct flock)
            lock = struct.pack("hhqqi4x", fcntl.F_WRLCK, os.SEEK_SET, (1 << 63) - 2, 1, 0)
            fcntl.fcntl(fd, getattr(fcntl, "F_OFD_SETLK", 37), lock)
            self.ok("pool-refresh", "p")
            self.assertTrue(os.path.exists(held))
            self.assertFalse(os.path.exists(dead))
            names = [l.split()[0] for l in self.ok("vol-list", "p").splitlines()[2:] if l.strip()]
            self.assertEqual(names, [])
        finally:
            os.close(fd)
        self.ok("pool-refresh", "p")
        self.assertFalse(os.path.exists(held))

    def test_killed_creation_leaves_nothing_under_the_name(self):
        rng = random.Random(1234)
        for i in range(12):
            name = "k%d.%s" % (i, "qcow2" if i % 2 else "raw")
            args = [CLI, "-d", self.state, "vol-create-as", "p", name, "256M"]
            if i % 2:
                args += ["--format", "qcow2", "--prealloc-metadata"]
            p = subprocess.Popen(args, env=clean_env(), stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.0, 0.08))
            p.send_signal(signal.SIGKILL)
            p.wait()
            if os.path.exists(self.vol(name)):
                if i % 2:
                    subprocess.run([QEMU_IMG, "check", "-q", "-f", "qcow2", self.vol(name)],
                                   check=True, capture_output=True)
                else:
                    self.assertEqual(os.path.getsize(self.vol(name)), 256 * MiB)
        self.ok("pool-refresh", "p")
        left = [n for n in os.listdir(self.target) if n.startswith(".")]
        self.assertEqual(left, [])
        for name in os.listdir(self.target):
            self.ok("vol-delete", name, "--pool", "p")
        self.ok("vol-create-as", "p", "k0.raw", "1M")

    def test_new_volumes_are_private(self):
        self.ok("vol-create-as", "p", "n.raw", "1M")
        self.ok("vol-create-as", "p", "n.qcow2", "1M", "--format", "qcow2")
        self.ok("vol-create-as", "p", "n.vmdk", "1M", "--format", "vmdk")
        for name in ("n.raw", "n.qcow2", "n.vmdk"):
            with self.subTest(name=name):
                self.assertEqual(os.stat(self.vol(name)).st_mode & 0o777, 0o600)
        self.assertEqual(self.info("n.vmdk")["format"], "vmdk")


if __name__ == "__main__":
    unittest.main()
