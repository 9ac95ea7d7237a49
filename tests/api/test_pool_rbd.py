# SPDX-License-Identifier: LGPL-2.1-or-later
"""The rbd pool type against a real Ceph cluster: a single-node cluster
(monitor, memstore OSD, manager; cephx on) started once for the suite
under its own directory and ports (tests/scripts/ceph.py), stopped by
the pids it started.  Every operation is checked with Ceph's own tools
(rbd info, rbd du, rbd snap ls, ceph df): the images a pool lists with
their sizes and allocations, images created thin and with <allocation>,
deleted (refused with snapshots, with clones, with watchers), resized,
wiped; the pool's figures; cephx: a wrong key is refused with EACCES
and changes nothing in the cluster.  qemu, started by a private libvirtd
(tests/scripts/qemu_judge.py), opens a resolved volume's <disk> with its
libvirt secret and reads it (skipped without libvirtd and qemu).

Needs root and Ceph (ceph-mon ceph-osd ceph-mgr ceph-common python3-rbd);
skipped without them."""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import uuid
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from ceph import Ceph  # noqa: E402
from qemu_judge import QemuJudge  # noqa: E402

CLI = os.environ.get("STORVIRT_CLI", "storvirt")
MiB = 1 << 20
USAGE = "client.test secret"
# A well-formed cephx key that is not the user's.
WRONG_KEY = "AQBTTBVrAAAAABAAl0vD7hPqDwRHXs4a3YQyRw=="

# Holds an image open (a watcher) until its standard input closes.
HOLDER = """
import sys, rados, rbd
c = rados.Rados(conffile=sys.argv[1]); c.connect(timeout=30)
io = c.open_ioctx(sys.argv[2]); img = rbd.Image(io, sys.argv[3])
print("open", flush=True); sys.stdin.read(); img.close(); io.close(); c.shutdown()
"""

# Makes (argv[3] "make") or removes ("rm") images PREFIX000.. of argv[4] count, 64 MiB,
# layering only (no object map: a refresh opens each one and walks its objects).
MANY = """
import sys, rados, rbd
c = rados.Rados(conffile=sys.argv[1]); c.connect(timeout=30)
io = c.open_ioctx(sys.argv[2]); r = rbd.RBD()
for i in range(int(sys.argv[4])):
    name = "%s%03d" % (sys.argv[5], i)
    if sys.argv[3] == "make":
        r.create(io, name, 64 << 20, old_format=False, features=rbd.RBD_FEATURE_LAYERING)
    else:
        try:
            r.remove(io, name)
        except rbd.ImageNotFound:
            pass
io.close(); c.shutdown()
"""


def clean_env():
    e = dict(os.environ)
    for k in ("STORVIRT_DEBUG", "STORVIRT_STATE_DIR"):
        e.pop(k, None)
    return e


class RbdPoolTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        why = Ceph.unavailable()
        if why:
            raise unittest.SkipTest(why)
        cls._tmp = tempfile.TemporaryDirectory(prefix="storvirt-pool-rbd-")
        cls.tmp = cls._tmp.name
        cls.ceph = Ceph(cls.tmp).__enter__()
        try:
            cls.key = cls.ceph.client_key("test")
        except BaseException:
            cls.ceph.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.ceph.stop()
        cls._tmp.cleanup()

    def setUp(self):
        self.state = tempfile.mkdtemp(dir=self.tmp)
        self.images = []

    def tearDown(self):
        for name in reversed(self.images):
            snaps = self.ceph.rbd("snap", "ls", "--format", "json", "rbd/" + name, check=False)
            for snap in json.loads(snaps or "[]"):
                self.ceph.rbd("snap", "unprotect", "rbd/%s@%s" % (name, snap["name"]), check=False)
            self.ceph.rbd("snap", "purge", "rbd/" + name, check=False)
            self.ceph.rbd("rm", "rbd/" + name, check=False)

    # ---- helpers ---------------------------------------------------------------------------

    def run_cli(self, *args, state=None, input=None):
        p = subprocess.run([CLI, "-d", state or self.state, *args], capture_output=True,
                           text=True, env=clean_env(), timeout=120, input=input)
        self.assertNotIn(self.key, p.stdout + p.stderr)
        return p

    def ok(self, *args, **kw):
        p = self.run_cli(*args, **kw)
        self.assertEqual(p.returncode, 0, "%s: %s" % (args, p.stderr))
        return p.stdout

    def fails(self, code, *args, **kw):
        """Fails with errno code (the --json status): its message."""
        p = self.run_cli("--json", *args, **kw)
        self.assertNotEqual(p.returncode, 0, "%s succeeded: %s" % (args, p.stdout))
        status = json.loads(p.stdout)["status"]
        self.assertEqual(status["code"], code, status["message"])
        return status["message"]

    def write(self, name, text):
        path = os.path.join(self.state, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def secret(self, key, state=None, usage=USAGE):
        # one UUID per usage: a second define replaces the value
        xml = self.write("secret.xml", "<secret ephemeral='no' private='yes'><uuid>%s</uuid>"
                                       "<usage type='ceph'><name>%s</name></usage></secret>"
                         % (uuid.uuid5(uuid.NAMESPACE_URL, usage), usage))
        value = self.write("key.txt", key)
        self.ok("secret-define", "--value-file", value, xml, state=state)
        os.unlink(value)

    def pool_xml(self, name="ceph", source="rbd", auth=None, extra=""):
        auth = auth if auth is not None else \
            "<auth type='ceph' username='test'><secret usage='%s'/></auth>" % USAGE
        return ("<pool type='rbd'><name>%s</name><source><name>%s</name>"
                "<host name='127.0.0.1' port='%d'/>%s</source>%s</pool>"
                % (name, source, self.ceph.mon_port, auth, extra))

    def start_pool(self, name="ceph", key=None, **kw):
        self.secret(key or self.key)
        self.ok("pool-define", self.write(name + ".xml", self.pool_xml(name, **kw)))
        self.ok("pool-start", name)

    def image(self, name, size="64M", *opts):
        self.images.append(name)
        self.ceph.rbd("create", "--size", size, *opts, "rbd/" + name)

    def fill(self, name, total, io_size="4M"):
        self.ceph.rbd("bench", "--io-type", "write", "--io-size", io_size, "--io-threads", "1",
                      "--io-total", str(total),
                      "--io-pattern", "seq", "rbd/" + name)

    def rbd_info(self, name):
        return json.loads(self.ceph.rbd("info", "--format", "json", "rbd/" + name))

    def rbd_used(self, name):
        du = json.loads(self.ceph.rbd("du", "--format", "json", "rbd/" + name))
        return [i for i in du["images"] if i["name"] == name and "snapshot" not in i][0]["used_size"]

    def vol(self, name, pool="ceph"):
        return json.loads(self.ok("--json", "vol-info", name, "--pool", pool))

    def qemu_spec(self, name):
        """qemu's rbd: filename of image name, through client.test's keyring."""
        keyring = os.path.join(self.tmp, "client.test.keyring")
        if not os.path.exists(keyring):
            with open(keyring, "w") as f:
                f.write("[client.test]\n\tkey = %s\n" % self.key)
        return "rbd:rbd/%s:id=test:keyring=%s:mon_host=127.0.0.1\\:%d" % (
            name, keyring, self.ceph.mon_port)

    def same_data(self, a, b):
        """qemu-img compare of two images (skipped without qemu-img): True when equal."""
        if not shutil.which("qemu-img"):
            return True
        q = subprocess.run(["qemu-img", "compare", "-f", "raw", "-F", "raw", self.qemu_spec(a),
                            self.qemu_spec(b)], capture_output=True, text=True, timeout=120)
        self.assertIn(q.returncode, (0, 1), q.stderr)
        return q.returncode == 0

    def snaps(self, name):
        return {s["name"]: s for s in json.loads(self.ceph.rbd("snap", "ls", "--format", "json",
                                                               "rbd/" + name))}

    def snap_protected(self, name, snap):
        info = json.loads(self.ceph.rbd("info", "--format", "json", "rbd/%s@%s" % (name, snap)))
        return info.get("protected") in ("true", True)

    def children(self, name, snap):
        return self.ceph.rbd("children", "rbd/%s@%s" % (name, snap)).split()

    def export(self, name):
        path = os.path.join(self.state, name + ".export")
        if os.path.exists(path):
            os.unlink(path)
        self.ceph.rbd("export", "rbd/" + name, path)
        with open(path, "rb") as f:
            return f.read()

    # ---- cases -----------------------------------------------------------------------------

    def test_volumes_are_the_images(self):
        """Names, keys, capacities and allocations as rbd reports them, with and
        without the object map; images made or removed behind the pool show
        after a refresh."""
        self.image("fast", "64M")
        self.image("plain", "32M", "--image-feature", "layering")
        self.image("odd", "10M")
        self.fill("fast", 12 * MiB)
        self.fill("plain", 8 * MiB)
        self.fill("odd", 10 * MiB, "2M")
        self.image("empty", "1G")
        self.start_pool()
        vols = {v["name"]: v for v in json.loads(self.ok("--json", "vol-list", "ceph",
                                                         "--details"))["volumes"]}
        self.assertLessEqual({"fast", "plain"}, set(vols))
        self.assertIn("fast-diff", self.rbd_info("fast")["features"])
        self.assertNotIn("object-map", self.rbd_info("plain")["features"])
        # fast and odd: header and object map read; plain: opened, its objects walked
        for name, size in (("fast", 64 * MiB), ("plain", 32 * MiB), ("odd", 10 * MiB),
                           ("empty", 1 << 30)):
            info = self.vol(name)
            self.assertEqual(info["capacity"], size)
            self.assertEqual(info["allocation"], self.rbd_used(name), name)
            self.assertEqual(self.ok("vol-key", name, "--pool", "ceph").strip(), "rbd/" + name)
            self.assertEqual(self.ok("vol-path", name, "--pool", "ceph").strip(), "rbd/" + name)
        self.assertEqual(self.vol("fast")["allocation"], 12 * MiB)
        self.assertEqual(self.vol("odd")["allocation"], 10 * MiB)     # the last object: 2 MiB
        self.assertEqual(self.vol("empty")["allocation"], 0)
        xml = self.ok("vol-dumpxml", "fast", "--pool", "ceph")
        self.assertIn('<volume type="network">', xml)
        self.assertIn("<key>rbd/fast</key>", xml)
        self.assertIn("<path>rbd/fast</path>", xml)
        self.assertIn('<format type="raw"/>', xml)
        # made and removed behind the pool's back
        self.image("later", "16M")
        self.ceph.rbd("rm", "rbd/plain")
        self.ok("pool-refresh", "ceph")
        names = [v["name"] for v in json.loads(self.ok("--json", "vol-list", "ceph"))["volumes"]]
        self.assertIn("later", names)
        self.assertNotIn("plain", names)
        # allocation='capacity': no image is measured
        self.ok("pool-destroy", "ceph")
        self.ok("pool-define", self.write("cap.xml", self.pool_xml(
            "cap", extra="<refresh><volume allocation='capacity'/></refresh>")))
        self.ok("pool-start", "cap")
        self.assertEqual(self.vol("fast", "cap")["allocation"], 64 * MiB)
        self.ok("pool-destroy", "cap")

    def test_create(self):
        """Format 2 with the cluster's default features; thin, or the
        <allocation> asked for written; the name taken is refused."""
        self.start_pool()
        self.images += ["thin", "alloc"]
        self.ok("vol-create-as", "ceph", "thin", "100M")
        info = self.rbd_info("thin")
        self.assertEqual(info["size"], 100 * MiB)
        self.assertEqual(info["format"], 2)
        self.assertLessEqual({"layering", "exclusive-lock", "object-map", "fast-diff"},
                             set(info["features"]))
        self.assertEqual(self.rbd_used("thin"), 0)
        self.assertEqual(self.vol("thin")["allocation"], 0)
        self.ok("vol-create", "ceph", self.write("alloc.xml", (
            "<volume><name>alloc</name><capacity unit='MiB'>64</capacity>"
            "<allocation unit='MiB'>10</allocation></volume>")))
        self.assertEqual(self.rbd_info("alloc")["size"], 64 * MiB)
        self.assertEqual(self.rbd_used("alloc"), 12 * MiB)      # three 4 MiB objects
        self.assertEqual(self.vol("alloc")["allocation"], 12 * MiB)
        self.assertIn("exists", self.fails(17, "vol-create-as", "ceph", "thin", "1M"))
        self.assertIn("'@'", self.fails(22, "vol-create-as", "ceph", "a@b", "1M"))
        self.ok("pool-destroy", "ceph")

    def test_delete(self):
        """Snapshots refuse a delete unless asked; a snapshot with clones and an
        image a client has open (a watcher) always do."""
        self.start_pool()
        self.image("snapped", "16M")
        self.ceph.rbd("snap", "create", "rbd/snapped@s1")
        self.ceph.rbd("snap", "protect", "rbd/snapped@s1")
        self.images.append("clone")
        self.ceph.rbd("clone", "rbd/snapped@s1", "rbd/clone")
        self.image("held", "16M")
        self.ok("pool-refresh", "ceph")
        msg = self.fails(39, "vol-delete", "snapped", "--pool", "ceph")
        self.assertIn("1 snapshot(s), first 's1'", msg)
        msg = self.fails(16, "vol-delete", "snapped", "--pool", "ceph", "--delete-snapshots")
        self.assertIn("snapshot 's1' has clones", msg)
        self.assertIn("s1", self.ceph.rbd("snap", "ls", "rbd/snapped"))
        self.ok("vol-delete", "clone", "--pool", "ceph")
        self.ok("vol-delete", "snapped", "--pool", "ceph", "--delete-snapshots")
        self.assertEqual(self.ceph.rbd("ls", "rbd").split().count("snapped"), 0)
        holder = subprocess.Popen(["/usr/bin/python3", "-c", HOLDER, self.ceph.conf, "rbd",
                                   "held"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True)
        try:
            self.assertEqual(holder.stdout.readline().strip(), "open")
            msg = self.fails(16, "vol-delete", "held", "--pool", "ceph")
            self.assertIn("watcher", msg)
            self.assertIn("held", self.ceph.rbd("ls", "rbd").split())
        finally:
            holder.stdin.close()
            holder.wait(timeout=60)
            holder.stdout.close()
        self.ok("vol-delete", "held", "--pool", "ceph")
        self.assertNotIn("held", self.ceph.rbd("ls", "rbd").split())
        self.ok("pool-destroy", "ceph")

    def test_clone_copy_on_write(self):
        """vol-create-from in an rbd pool: a protected snapshot of the source
        named storvirt-clone-NAME and a clone of it (grown to the capacity
        asked for); the source's delete is refused naming the clone, with or
        without --delete-snapshots, until the clone is deleted (which takes
        its snapshot with it)."""
        self.start_pool()
        self.image("base", "32M")
        self.fill("base", 8 * MiB)
        self.ok("pool-refresh", "ceph")
        self.images += ["c1", "c2"]
        self.ok("vol-create-from", "ceph", self.write("c1.xml", "<volume><name>c1</name>"
                                                                 "</volume>"), "base",
                "--inputpool", "ceph")
        info = self.rbd_info("c1")
        self.assertEqual(info["parent"]["image"], "base")
        self.assertEqual(info["parent"]["snapshot"], "storvirt-clone-c1")
        self.assertEqual(info["size"], 32 * MiB)
        self.assertTrue(self.snap_protected("base", "storvirt-clone-c1"))
        self.assertEqual(self.children("base", "storvirt-clone-c1"), ["rbd/c1"])
        self.assertEqual(self.rbd_used("c1"), 0)                 # nothing of its own yet
        self.assertTrue(self.same_data("base", "c1"))
        self.assertEqual(self.vol("c1")["capacity"], 32 * MiB)
        # a larger capacity: the clone grows after it is made
        self.ok("vol-create-from", "ceph", self.write("c2.xml", (
            "<volume><name>c2</name><capacity unit='MiB'>48</capacity></volume>")), "base",
            "--inputpool", "ceph")
        self.assertEqual(self.rbd_info("c2")["size"], 48 * MiB)
        self.assertEqual(self.rbd_info("c2")["parent"]["snapshot"], "storvirt-clone-c2")
        self.assertEqual(self.vol("c2")["capacity"], 48 * MiB)
        # the source cannot go while a clone uses it
        msg = self.fails(39, "vol-delete", "base", "--pool", "ceph")
        self.assertIn("has clone 'rbd/c", msg)
        msg = self.fails(16, "vol-delete", "base", "--pool", "ceph", "--delete-snapshots")
        self.assertIn("has clones, first 'rbd/c", msg)
        self.assertEqual(set(self.snaps("base")), {"storvirt-clone-c1", "storvirt-clone-c2"})
        self.assertTrue(self.snap_protected("base", "storvirt-clone-c1"))
        # deleting a clone takes its snapshot, and only its own
        self.ok("vol-delete", "c1", "--pool", "ceph")
        self.assertEqual(set(self.snaps("base")), {"storvirt-clone-c2"})
        self.ok("vol-delete", "c2", "--pool", "ceph")
        self.assertEqual(self.snaps("base"), {})
        self.ok("vol-delete", "base", "--pool", "ceph")
        self.assertNotIn("base", self.ceph.rbd("ls", "rbd").split())
        self.ok("pool-destroy", "ceph")

    def test_clone_snapshot_left_and_refusals(self):
        """A clone removed behind the pool's back leaves its snapshot: the next
        clone of that name gets a fresh one (the source's data of now), and
        --delete-snapshots removes a left one.  No layering: EOPNOTSUPP
        naming it; a full copy still works.  A volume of another pool, a
        reflink: EOPNOTSUPP."""
        self.start_pool()
        self.image("src", "16M")
        self.fill("src", 4 * MiB)
        self.ok("pool-refresh", "ceph")
        self.images.append("again")
        xml = self.write("again.xml", "<volume><name>again</name></volume>")
        self.ok("vol-create-from", "ceph", xml, "src", "--inputpool", "ceph")
        self.ceph.rbd("rm", "rbd/again")
        self.fill("src", 12 * MiB)                              # the source changes
        self.ok("pool-refresh", "ceph")
        self.ok("vol-create-from", "ceph", xml, "src", "--inputpool", "ceph")
        self.assertTrue(self.same_data("src", "again"))         # not the 4 MiB of then
        self.assertEqual(list(self.snaps("src")), ["storvirt-clone-again"])
        self.ceph.rbd("rm", "rbd/again")
        self.ok("vol-delete", "src", "--pool", "ceph", "--delete-snapshots")
        self.assertNotIn("src", self.ceph.rbd("ls", "rbd").split())
        # no layering
        self.image("flat", "8M", "--image-feature", "exclusive-lock")
        self.fill("flat", 4 * MiB)
        self.ok("pool-refresh", "ceph")
        self.images.append("flatcopy")
        msg = self.fails(95, "vol-create-from", "ceph", self.write("f.xml", (
            "<volume><name>flatcopy</name></volume>")), "flat", "--inputpool", "ceph")
        self.assertIn("'rbd/flat' lacks the layering feature", msg)
        self.assertNotIn("flatcopy", self.ceph.rbd("ls", "rbd").split())
        self.assertEqual(self.snaps("flat"), {})
        self.ok("vol-create-from", "ceph", self.write("f.xml", (
            "<volume><name>flatcopy</name></volume>")), "flat", "--inputpool", "ceph", "--no-cow")
        self.assertTrue(self.same_data("flat", "flatcopy"))
        self.assertIn("reflink", self.fails(95, "vol-create-from", "ceph", self.write("r.xml", (
            "<volume><name>rl</name></volume>")), "flat", "--inputpool", "ceph", "--reflink"))
        self.assertIn("NO_COW", self.fails(22, "vol-create-from", "ceph", self.write("r.xml", (
            "<volume><name>rl</name></volume>")), "flat", "--inputpool", "ceph", "--reflink",
            "--no-cow"))
        # a volume of a directory pool
        d = tempfile.mkdtemp(dir=self.state)
        self.ok("pool-define", self.write("files.xml", "<pool type='dir'><name>files</name>"
                                                       "<target><path>%s</path></target></pool>"
                                                       % d))
        self.ok("pool-start", "files")
        self.ok("vol-create-as", "files", "f1", "1M")
        msg = self.fails(95, "vol-create-from", "ceph", self.write("x.xml", (
            "<volume><name>fromdir</name></volume>")), "f1", "--inputpool", "files")
        self.assertIn("copies only images of its own Ceph pool", msg)
        self.assertNotIn("fromdir", self.ceph.rbd("ls", "rbd").split())
        self.ok("pool-destroy", "files")
        self.ok("pool-destroy", "ceph")

    def test_clone_full_copy(self):
        """--no-cow: a full copy, no parent and no snapshot, holes kept."""
        self.start_pool()
        self.image("orig", "64M")
        self.fill("orig", 8 * MiB)
        self.ceph.rbd("bench", "--io-type", "write", "--io-size", "4M", "--io-threads", "1",
                      "--io-total", str(4 * MiB), "--io-pattern", "rand", "rbd/orig")
        self.ok("pool-refresh", "ceph")
        self.images.append("full")
        self.ok("vol-create-from", "ceph", self.write("full.xml", (
            "<volume><name>full</name></volume>")), "orig", "--inputpool", "ceph", "--no-cow")
        info = self.rbd_info("full")
        self.assertNotIn("parent", info)
        self.assertEqual(info["size"], 64 * MiB)
        self.assertEqual(info["format"], 2)
        self.assertEqual(self.snaps("orig"), {})
        self.assertEqual(self.rbd_used("full"), self.rbd_used("orig"))
        self.assertLess(self.rbd_used("full"), 64 * MiB)
        self.assertTrue(self.same_data("orig", "full"))
        self.ok("vol-delete", "orig", "--pool", "ceph")         # nothing ties them
        self.ok("pool-destroy", "ceph")

    def test_upload_download(self):
        """vol-upload and vol-download at an offset and length; --sparse: runs
        of zeros written as zeroed ranges (no object where they cover one,
        data there before gone) and holes seeked over in the output; past the
        capacity refused before anything is written."""
        self.start_pool()
        self.image("io", "16M")
        self.fill("io", 16 * MiB)                               # data everywhere first
        self.ok("pool-refresh", "ceph")
        data = os.urandom(MiB) + bytes(8 * MiB) + os.urandom(MiB)
        src = self.write("up.bin", "")
        with open(src, "wb") as f:
            f.write(data)
        before = self.export("io")
        self.ok("vol-upload", "io", src, "--pool", "ceph", "--offset", "4M", "--sparse")
        after = self.export("io")
        self.assertEqual(after, before[:4 * MiB] + data + before[14 * MiB:])
        # objects of 4 MiB: [8M, 12M) all zeros now, so gone
        self.assertEqual(self.rbd_used("io"), 12 * MiB)
        out = os.path.join(self.state, "down.bin")
        self.ok("vol-download", "io", out, "--pool", "ceph", "--offset", "4M", "--length", "10M",
                "--sparse")
        with open(out, "rb") as f:
            self.assertEqual(f.read(), data)
        self.assertLess(os.stat(out).st_blocks * 512, 4 * MiB)   # the zeros are a hole
        out2 = os.path.join(self.state, "whole.bin")
        self.ok("vol-download", "io", out2, "--pool", "ceph")
        with open(out2, "rb") as f:
            self.assertEqual(f.read(), after)
        # without --sparse the zeros are written (content the same)
        self.ok("vol-upload", "io", src, "--pool", "ceph", "--offset", "4M")
        self.assertEqual(self.export("io"), after)
        self.assertEqual(self.rbd_used("io"), 16 * MiB)
        # past the capacity: refused, nothing written
        msg = self.fails(22, "vol-upload", "io", src, "--pool", "ceph", "--offset", "8M")
        self.assertIn("past its capacity", msg)
        self.assertIn("past its capacity", self.fails(22, "vol-upload", "io", src, "--pool",
                                                      "ceph", "--offset", "17M"))
        self.assertEqual(self.export("io"), after)
        self.assertIn("past its size", self.fails(22, "vol-download", "io", out, "--pool",
                                                  "ceph", "--offset", "8M", "--length", "9M"))
        # through a pipe: the length is not known first, the data past the end refused
        p = subprocess.run([CLI, "-d", self.state, "--json", "vol-upload", "io", "-", "--pool",
                            "ceph", "--offset", "15M"], input=data[:2 * MiB],
                           capture_output=True, env=clean_env(), timeout=120)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("past its capacity", json.loads(p.stdout)["status"]["message"])
        self.ok("pool-destroy", "ceph")

    def test_osd_gone_during_refresh(self):
        """The OSD stopped while a refresh opens and measures 300 images: the
        refresh fails with ETIMEDOUT after one or two timeouts, not one per
        window of images, and does not pass for a refresh that lost them."""
        many = lambda what: subprocess.run(  # noqa: E731
            ["/usr/bin/python3", "-c", MANY, self.ceph.conf, "rbd", what, "300", "many"],
            check=True, timeout=300)
        many("make")
        try:
            self.secret(self.key)
            self.ok("pool-define", self.write("t.xml", self.timeout_pool_xml(5)))
            self.ok("pool-start", "ceph")
            t0 = time.monotonic()
            self.ok("pool-refresh", "ceph")
            took = time.monotonic() - t0
            if took < 1.0:
                self.skipTest("a refresh of 300 images takes %.2f s here: too short to stop "
                              "the OSD during it" % took)
            p = subprocess.Popen([CLI, "-d", self.state, "--json", "pool-refresh", "ceph"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 env=clean_env())
            time.sleep(took / 3)
            t1 = time.monotonic()
            try:
                self.ceph.stop_osd()
                out, err = p.communicate(timeout=120)
                gone = time.monotonic() - t1
            finally:
                if p.poll() is None:
                    p.kill()
                    p.wait()
                self.ceph.start_osd()
            print("\na refresh of 300 images (%.1f s) with the OSD stopped %.1f s into it: "
                  "ended %.1f s after the stop: %s" % (took, took / 3, gone, out.strip()))
            if p.returncode == 0:
                # the OSD may answer for a while as it shuts down: a refresh that ended
                # then must have read every image, else it passed without them
                vols = [v for v in json.loads(self.ok("--json", "vol-list", "ceph"))["volumes"]
                        if v["name"].startswith("many")]
                self.assertEqual(len(vols), 300, "the refresh passed without its images")
                self.skipTest("the refresh read all 300 images before the OSD stopped "
                              "(%.1f s after the stop)" % gone)
            status = json.loads(out)["status"]
            self.assertEqual(status["code"], 110, status["message"])
            self.assertIn("no OSD answered within 5 s", status["message"])
            self.assertLess(gone, 3 * 5 + 10)
            self.ok("pool-refresh", "ceph")
            self.assertEqual(len([v for v in json.loads(self.ok("--json", "vol-list", "ceph"))[
                "volumes"] if v["name"].startswith("many")]), 300)
            self.ok("pool-destroy", "ceph")
        finally:
            many("rm")

    def timeout_pool_xml(self, seconds):
        """The pool with its OSD and monitor timeouts set to seconds (<rbd:config_opts>)."""
        ns = "http://libvirt.org/schemas/storagepool/rbd/1.0"
        xml = self.pool_xml(extra=(
            "<rbd:config_opts><rbd:option name='rados_osd_op_timeout' value='%d'/>"
            "<rbd:option name='rados_mon_op_timeout' value='%d'/></rbd:config_opts>"
            % (seconds, seconds)))
        return xml.replace("<pool type='rbd'>", "<pool type='rbd' xmlns:rbd='%s'>" % ns)

    def test_osd_gone_before_refresh(self):
        """The OSD stopped under an active pool (by the pid the fixture started
        it with): a refresh fails with ETIMEDOUT within the bound the pool's
        timeouts set (5 s here, through <rbd:config_opts>; 30 s by default),
        saying which timeout; the pool stays active with its volumes, and
        serves them again once the OSD is back (started again with its
        objects)."""
        self.image("stay1", "16M")
        self.image("stay2", "8M")
        self.secret(self.key)
        self.ok("pool-define", self.write("t.xml", self.timeout_pool_xml(5)))
        self.ok("pool-start", "ceph")
        names = lambda: sorted(v["name"] for v in json.loads(  # noqa: E731
            self.ok("--json", "vol-list", "ceph"))["volumes"] if v["name"].startswith("stay"))
        self.assertEqual(names(), ["stay1", "stay2"])
        state = {}
        for root, _, files in os.walk(self.state):
            for f in files:
                with open(os.path.join(root, f), "rb") as fh:
                    state[os.path.join(root, f)] = fh.read()
        self.ceph.stop_osd()
        try:
            t0 = time.monotonic()
            msg = self.fails(110, "pool-refresh", "ceph")
            took = time.monotonic() - t0
            print("\nrefresh with the OSD gone: failed in %.1f s: %s" % (took, msg))
            self.assertLess(took, 20)
            self.assertIn("no OSD answered within 5 s (rados_osd_op_timeout)", msg)
            self.assertIn("cannot list its images", msg)
            info = json.loads(self.ok("--json", "pool-info", "ceph"))
            self.assertNotEqual(info["state"], "inactive")
            for path, data in state.items():
                with open(path, "rb") as fh:
                    self.assertEqual(fh.read(), data, path)
        finally:
            self.ceph.start_osd()
        self.assertEqual(names(), ["stay1", "stay2"])
        self.assertEqual(self.vol("stay1")["capacity"], 16 * MiB)
        self.ok("pool-destroy", "ceph")

    def test_resize_and_wipe(self):
        self.start_pool()
        self.image("r", "32M")
        self.fill("r", 16 * MiB)
        self.ok("pool-refresh", "ceph")
        self.ok("vol-resize", "r", "64M", "--pool", "ceph")
        self.assertEqual(self.rbd_info("r")["size"], 64 * MiB)
        self.assertEqual(self.vol("r")["capacity"], 64 * MiB)
        self.assertIn("shrink", self.fails(22, "vol-resize", "r", "8M", "--pool", "ceph"))
        self.assertEqual(self.rbd_info("r")["size"], 64 * MiB)
        self.ok("vol-resize", "r", "8M", "--pool", "ceph", "--shrink")
        self.assertEqual(self.rbd_info("r")["size"], 8 * MiB)
        self.assertEqual(self.rbd_used("r"), 8 * MiB)
        self.ok("vol-resize", "r", "16M", "--pool", "ceph", "--allocate")
        self.assertEqual(self.rbd_used("r"), 16 * MiB)
        self.ok("vol-wipe", "r", "--pool", "ceph")
        self.assertEqual(self.rbd_used("r"), 0)
        self.assertEqual(self.vol("r")["allocation"], 0)
        self.ok("pool-destroy", "ceph")

    def test_resolve_and_secret(self):
        """A pool/volume spec resolves to libvirt's network <disk> with the
        pool's monitors and cephx secret; libvirt accepts it, and qemu reads
        the image through what it names with the key secret-value writes."""
        self.start_pool()
        self.image("vm1", "48M")
        self.ok("pool-refresh", "ceph")
        xml = self.ok("resolve", "-", input=json.dumps({"pool": "ceph", "volume": "vm1"}))
        self.assertIn('<disk type="network" device="disk">', xml)
        self.assertIn('<source protocol="rbd" name="rbd/vm1">', xml)
        self.assertIn('<host name="127.0.0.1" port="%d"/>' % self.ceph.mon_port, xml)
        self.assertIn('<auth username="test">', xml)
        self.assertIn('<secret type="ceph" usage="%s"/>' % USAGE, xml)
        # libvirt takes no <disk type='volume'> from an rbd pool: said, with its reason
        msg = self.fails(95, "resolve", "-", input=json.dumps(
            {"pool": "ceph", "volume": "vm1", "diskType": "volume"}))
        self.assertIn("pools for backing 'volume' disks", msg)
        judge = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts",
                             "libvirt-judge-disks.py")
        doms = tempfile.mkdtemp(dir=self.state)
        self.write(os.path.join(doms, "rbd.xml"), (
            "<domain type='qemu'><name>rbd</name><memory unit='MiB'>64</memory>"
            "<os><type arch='x86_64'>hvm</type></os><devices>%s</devices></domain>" % xml))
        p = subprocess.run([sys.executable, judge, doms], capture_output=True, text=True)
        self.assertIn(p.returncode, (0, 77), p.stdout + p.stderr)
        # the libvirt secret: usage ceph, and the key's bytes as its value
        sxml = self.ok("secret-xml", "--pool", "ceph")
        self.assertIn('<usage type="ceph">', sxml)
        self.assertIn("<name>%s</name>" % USAGE, sxml)
        value = os.path.join(self.state, "value")
        self.ok("secret-value", "--pool", "ceph", "--file", value)
        with open(value, "rb") as f:
            self.assertEqual(base64.b64encode(f.read()).decode(), self.key)
        self.assertEqual(os.stat(value).st_mode & 0o777, 0o600)
        if shutil.which("qemu-img"):
            keyring = self.write("client.keyring", "[client.test]\n\tkey = %s\n" % self.key)
            spec = "rbd:rbd/vm1:id=test:keyring=%s:mon_host=127.0.0.1\\:%d" % (
                keyring, self.ceph.mon_port)
            q = subprocess.run(["qemu-img", "info", "--output=json", spec], capture_output=True,
                               text=True, timeout=120)
            self.assertEqual(q.returncode, 0, q.stderr)
            self.assertEqual(json.loads(q.stdout)["virtual-size"], 48 * MiB)
        self.ok("pool-destroy", "ceph")

    def test_qemu_opens_resolved_disk(self):
        """qemu, started by libvirtd (tests/scripts/qemu_judge.py), opens the
        <disk> resolve gives for a volume, with the libvirt secret defined
        from secret-xml and secret-value only, and reads its sector 0."""
        why = QemuJudge.unavailable()
        if why:
            self.skipTest(why)
        t0 = time.monotonic()
        self.start_pool()
        self.image("judged", "16M")
        self.ok("pool-refresh", "ceph")
        xml = self.ok("resolve", "-", input=json.dumps({"pool": "ceph", "volume": "judged"}))
        work = tempfile.mkdtemp(prefix="storvirt-rbd-judge-")
        os.chmod(work, 0o755)           # qemu runs as libvirt-qemu
        judge = QemuJudge(work, cache=os.environ.get("STORVIRT_QEMU_JUDGE_CACHE"))
        try:
            judge.start()
            sxml = self.ok("secret-xml", "--pool", "ceph")
            path = os.path.join(work, "secret.xml")
            with open(path, "w") as f:
                f.write(sxml)
            judge.virsh("secret-define", path)
            value = os.path.join(self.state, "value")
            self.ok("secret-value", "--pool", "ceph", "--file", value)
            judge.virsh("secret-set-value", "--secret",
                        ET.fromstring(sxml).findtext("uuid"), "--file", value, "--plain")
            os.unlink(value)
            v = judge.judge("rbd-pool-volume", xml)
            print("\n" + v.report())
            self.assertTrue(v.ok, "\n".join(v.problems()))
            self.assertEqual([len(d.chain) for d in v.disks], [1])
            self.assertIn("rbd://127.0.0.1:%d/rbd/judged with cephx user test"
                          % self.ceph.mon_port, v.disks[0].opened)
            self.assertEqual(v.disks[0].read, "ok")
        finally:
            judge.stop()
            shutil.rmtree(work, ignore_errors=True)
        print("qemu judge of an rbd volume: %.1f s in all (libvirtd up in %.1f s)"
              % (time.monotonic() - t0, judge.started_in or 0))
        self.ok("pool-destroy", "ceph")

    def test_find_sources(self):
        """The cluster's pools, through the monitors and cephx user srcspec names."""
        self.secret(self.key)
        spec = self.write("spec.xml", "<source><host name='127.0.0.1' port='%d'/><auth "
                                      "type='ceph' username='test'><secret usage='%s'/></auth>"
                                      "</source>" % (self.ceph.mon_port, USAGE))
        out = self.ok("find-storage-pool-sources", "rbd", spec)
        self.assertIn("<name>rbd</name>", out)
        self.assertIn('<host name="127.0.0.1" port="%d"/>' % self.ceph.mon_port, out)
        self.assertIn("<host name", self.fails(22, "find-storage-pool-sources", "rbd"))
        self.secret(WRONG_KEY)
        self.assertIn("refused", self.fails(13, "find-storage-pool-sources", "rbd", spec))

    def test_pool_figures(self):
        """Capacity and available as the cluster reports them (ceph df)."""
        if not self.ceph.wait_stats():
            self.skipTest("no Ceph manager reports the cluster's usage (ceph-mgr)")
        self.start_pool()
        info = json.loads(self.ok("--json", "pool-info", "ceph"))
        stats = json.loads(self.ceph.ceph("df", "-f", "json"))["stats"]
        self.assertEqual(info["capacity"], stats["total_bytes"])
        self.assertGreater(info["available"], 0)
        self.assertLessEqual(info["available"], info["capacity"])
        self.assertLess(abs(info["available"] - stats["total_avail_bytes"]), 64 * MiB)
        self.ok("pool-destroy", "ceph")

    def test_cephx_refusals(self):
        """A wrong key: EACCES naming the user, the pool not started, nothing
        in the cluster changed.  A key changed under a running pool: every
        operation refused, nothing changed.  A secret of another usage
        type, a missing Ceph pool: clear errors."""
        self.secret(WRONG_KEY)
        self.ok("pool-define", self.write("p.xml", self.pool_xml()))
        before = self.ceph.rbd("ls", "rbd")
        msg = self.fails(13, "pool-start", "ceph")
        self.assertIn("refused user 'client.test'", msg)
        self.assertIn("Ceph monitors", msg)
        self.assertEqual(json.loads(self.ok("--json", "pool-info", "ceph"))["state"], "inactive")
        self.assertEqual(self.ceph.rbd("ls", "rbd"), before)
        # started with the right key, then the secret holds a wrong one
        self.secret(self.key)
        self.ok("pool-start", "ceph")
        self.image("kept", "16M")
        self.ok("pool-refresh", "ceph")
        self.secret(WRONG_KEY)
        before = self.ceph.rbd("ls", "rbd")
        self.assertIn("refused", self.fails(13, "vol-create-as", "ceph", "new", "1M"))
        self.assertIn("refused", self.fails(13, "vol-delete", "kept", "--pool", "ceph"))
        self.assertIn("refused", self.fails(13, "vol-resize", "kept", "32M", "--pool", "ceph"))
        self.assertEqual(self.ceph.rbd("ls", "rbd"), before)
        self.assertEqual(self.rbd_info("kept")["size"], 16 * MiB)
        self.ok("pool-destroy", "ceph")
        # a secret of usage volume named by UUID
        state = tempfile.mkdtemp(dir=self.tmp)
        vol_secret = self.write("vs.xml", "<secret ephemeral='no' private='yes'>"
                                          "<uuid>6f5c62a0-7f0e-4d8a-9f54-2a3c3c1b0a11</uuid>"
                                          "<usage type='volume'><volume>/x</volume></usage>"
                                          "</secret>")
        self.ok("secret-define", "--value-file", self.write("k", self.key), vol_secret,
                state=state)
        self.ok("pool-define", self.write("u.xml", self.pool_xml(auth=(
            "<auth type='ceph' username='test'>"
            "<secret uuid='6f5c62a0-7f0e-4d8a-9f54-2a3c3c1b0a11'/></auth>"))), state=state)
        msg = self.fails(22, "pool-start", "ceph", state=state)
        self.assertIn("usage type volume, not ceph", msg)
        # no such Ceph pool
        self.ok("pool-define", self.write("n.xml", self.pool_xml("nopool", source="nosuch")),
                state=state)
        self.secret(self.key, state=state)
        msg = self.fails(2, "pool-start", "nopool", state=state)
        self.assertIn("Ceph pool 'nosuch' does not exist", msg)

    # ---- rbd connections -------------------------------------------------------------------

    def define_conn(self, doc, state=None):
        return self.ok("connection-define", "-", input=json.dumps(doc), state=state).split()

    def test_rbd_connection(self):
        """An rbd connection: monitors, cephx user and key (checked as a cephx
        key, kept in a mode 0600 file, never shown); connect asks the cluster
        within a bounded time; an rbd pool naming its secret, or with its
        monitors and user, takes its key; its libvirt secret is of usage ceph."""
        mon = "127.0.0.1:%d" % self.ceph.mon_port
        good = {"type": "rbd", "id": "ceph1", "monitors": [mon], "user": "test", "key": self.key}
        bad_keys = (("not base64 at all!", "base64"),
                    (base64.b64encode(b"k" * 20).decode(), "28"),
                    (base64.b64encode(b"\x02\x00" + b"k" * 26).decode(), "type 2"))
        for bad, why in bad_keys:
            msg = self.fails(22, "connection-define", "-", input=json.dumps(dict(good, key=bad)))
            self.assertIn("field 'key'", msg)
            self.assertIn(why, msg)
            self.assertNotIn(bad, msg)
        for field, value, why in (("monitors", [], "empty list"), ("monitors", "h", "a list"),
                                  ("monitors", [mon, mon], "twice"),
                                  ("monitors", ["bad host!"], "bad host"),
                                  ("user", "client.test", "without 'client.'"),
                                  ("cluster", "a/b", "cluster name")):
            msg = self.fails(22, "connection-define", "-",
                             input=json.dumps(dict(good, **{field: value})))
            self.assertIn("field '%s'" % field, msg)
            self.assertIn(why, msg)
        self.assertIn("needs 'key'", self.fails(22, "connection-define", "-", input=json.dumps(
            {k: v for k, v in good.items() if k != "key"})))
        self.assertEqual(self.define_conn(good), ["ceph1"])
        self.assertEqual(self.define_conn(dict(good, id="wrong", key=WRONG_KEY)), ["wrong"])
        # the key: a 0600 file of its own, in no listing or record
        secret = os.path.join(self.state, "secrets", "ceph1.json")
        self.assertEqual(os.stat(secret).st_mode & 0o777, 0o600)
        with open(os.path.join(self.state, "connections", "ceph1.json")) as f:
            self.assertNotIn(self.key, f.read())
        info = json.loads(self.ok("--json", "connection-info", "ceph1"))["connection"]
        self.assertEqual(info["monitors"], [mon])
        self.assertEqual(info["key"], "********")
        self.ok("connection-list")
        # connect: the cluster answers with the right key, refuses the wrong one, at once
        self.assertIn("connected", self.ok("connection-connect", "ceph1"))
        t0 = time.monotonic()
        msg = self.fails(13, "connection-connect", "wrong")
        self.assertLess(time.monotonic() - t0, 60)
        self.assertIn("refused", msg)
        self.assertNotIn(WRONG_KEY, msg)
        # a pool naming the connection's secret, no secret defined in the store
        self.ok("pool-define", self.write("p1.xml", self.pool_xml("byname", auth=(
            "<auth type='ceph' username='test'><secret usage='libstorvirt-ceph-ceph1'/></auth>"))))
        self.ok("pool-start", "byname")
        self.ok("pool-destroy", "byname")
        # a pool naming a secret nobody defined: the connection with its monitors and user
        self.ok("pool-define", self.write("p2.xml", self.pool_xml("byhost", auth=(
            "<auth type='ceph' username='test'><secret usage='elsewhere'/></auth>"))))
        self.ok("pool-start", "byhost")
        # the secret its disks name: the pool's usage, the connection's key
        sxml = self.ok("secret-xml", "--pool", "byhost")
        self.assertIn('<usage type="ceph">', sxml)
        self.assertIn("<name>elsewhere</name>", sxml)
        value = os.path.join(self.state, "pool-value")
        self.ok("secret-value", "--pool", "byhost", "--file", value)
        with open(value, "rb") as f:
            self.assertEqual(base64.b64encode(f.read()).decode(), self.key)
        self.ok("pool-destroy", "byhost")
        # the libvirt secret hand-off: usage type ceph, the key's bytes
        sxml = self.ok("secret-xml", "ceph1")
        self.assertIn('<usage type="ceph">', sxml)
        self.assertIn("<name>libstorvirt-ceph-ceph1</name>", sxml)
        value = os.path.join(self.state, "value")
        self.ok("secret-value", "ceph1", "--file", value)
        with open(value, "rb") as f:
            self.assertEqual(base64.b64encode(f.read()).decode(), self.key)
        self.assertEqual(os.stat(value).st_mode & 0o777, 0o600)

    # ---- vDisks of images ------------------------------------------------------------------

    def test_vdisk_of_image(self):
        """An image of an rbd pool as a vDisk: its identity the cluster's fsid,
        the Ceph pool's id and the image's id, so that `rbd mv` keeps the vDisk;
        its <disk> the network disk libvirt accepts; the rbd connection with the
        pool's monitors and user among what a VM needs; prepare checks the image
        under its name is still that image; snapshots refused, naming it."""
        mon = "127.0.0.1:%d" % self.ceph.mon_port
        self.define_conn({"type": "rbd", "id": "ceph1", "monitors": [mon], "user": "test",
                          "key": self.key})
        self.start_pool()
        self.image("vd1", "32M")
        self.ok("pool-refresh", "ceph")
        spec = json.dumps({"pool": "ceph", "volume": "vd1"})
        vid = json.loads(self.ok("--json", "vdisk-import", "-", input=spec))["id"]
        fsid = self.ceph.ceph("fsid").strip()
        pool_id = [p["pool"] for p in json.loads(self.ceph.ceph("osd", "dump", "-f", "json"))
                   ["pools"] if p["pool_name"] == "rbd"][0]
        image_id = self.rbd_info("vd1")["id"]
        info = json.loads(self.ok("--json", "vdisk-info", vid))["vdisk"]
        self.assertEqual(info["identity"], "rbd:%s/%d/%s" % (fsid, pool_id, image_id))
        self.assertEqual(info["kind"], "rbd")
        xml = self.ok("vdisk-xml", vid)
        self.assertIn('<disk type="network" device="disk"', xml)
        self.assertIn('<source protocol="rbd" name="rbd/vd1">', xml)
        self.assertIn('<host name="127.0.0.1" port="%d"/>' % self.ceph.mon_port, xml)
        self.assertIn('<secret type="ceph" usage="%s"/>' % USAGE, xml)
        if shutil.which("virt-xml-validate"):
            dom = self.write("dom.xml", (
                "<domain type='qemu'><name>vd</name><memory unit='MiB'>64</memory>"
                "<os><type arch='x86_64'>hvm</type></os><devices>%s</devices></domain>" % xml))
            v = subprocess.run(["virt-xml-validate", dom, "domain"], capture_output=True,
                               text=True)
            self.assertEqual(v.returncode, 0, v.stdout + v.stderr)
        self.ok("vdisk-attach", vid, "vm-1")
        conns = json.loads(self.ok("--json", "vm-connections", "vm-1"))["connections"]
        self.assertEqual([c["id"] for c in conns], ["ceph1"])
        self.assertEqual(self.ok("vdisk-prepare", vid, "vm-1").strip(), "rbd:rbd/vd1")
        self.ok("vdisk-release", vid, "vm-1")
        msg = self.fails(95, "vdisk-snapshot", vid)
        self.assertIn("snapshots of rbd vDisks are not supported yet", msg)
        self.assertIn(vid, msg)
        # renamed: prepare says so; imported under the new name it is the same vDisk
        self.images.append("vd2")
        self.ceph.rbd("mv", "rbd/vd1", "rbd/vd2")
        msg = self.fails(2, "vdisk-prepare", vid, "vm-1")
        self.assertIn("no volume 'vd1'", msg)
        again = self.ok("vdisk-import", "-", input=json.dumps({"pool": "ceph", "volume": "vd2"}))
        self.assertIn("already known", again)
        self.assertIn(vid, again)
        self.assertIn('name="rbd/vd2"', self.ok("vdisk-xml", vid))
        self.assertEqual(self.ok("vdisk-prepare", vid, "vm-1").strip(), "rbd:rbd/vd2")
        self.ok("vdisk-release", vid, "vm-1")
        # another image under its name: refused, naming both image ids
        self.ceph.rbd("mv", "rbd/vd2", "rbd/vd1")
        self.image("vd2", "32M")
        other = self.rbd_info("vd2")["id"]
        msg = self.fails(116, "vdisk-prepare", vid, "vm-1")
        self.assertIn("image id %s, not the vDisk's %s" % (other, image_id), msg)
        self.ok("vdisk-detach", vid, "vm-1")
        self.ok("vdisk-delete", vid)
        self.ok("pool-destroy", "ceph")

    # ---- specs through a connection --------------------------------------------------------

    def test_resolve_through_connection(self):
        """{"rbd": {pool, image, connection, id}}: the image looked up through the
        rbd connection (its key), the <disk> with the connection's monitors, user
        and libvirt secret; an expected image id that another image under that
        name does not have is refused naming both."""
        mon = "127.0.0.1:%d" % self.ceph.mon_port
        self.define_conn({"type": "rbd", "id": "ceph1", "monitors": [mon], "user": "test",
                          "key": self.key})
        self.image("sp1", "16M")
        image_id = self.rbd_info("sp1")["id"]
        spec = {"rbd": {"pool": "rbd", "image": "sp1", "connection": "ceph1"}}
        xml = self.ok("resolve", "-", input=json.dumps(spec))
        self.assertIn('<disk type="network" device="disk">', xml)
        self.assertIn('<source protocol="rbd" name="rbd/sp1">', xml)
        self.assertIn('<host name="127.0.0.1" port="%d"/>' % self.ceph.mon_port, xml)
        self.assertIn('<auth username="test">', xml)
        self.assertIn('<secret type="ceph" usage="libstorvirt-ceph-ceph1"/>', xml)
        if shutil.which("virt-xml-validate"):
            dom = self.write("dom.xml", (
                "<domain type='qemu'><name>sp</name><memory unit='MiB'>64</memory>"
                "<os><type arch='x86_64'>hvm</type></os><devices>%s</devices></domain>" % xml))
            v = subprocess.run(["virt-xml-validate", dom, "domain"], capture_output=True,
                               text=True)
            self.assertEqual(v.returncode, 0, v.stdout + v.stderr)
        spec["rbd"]["id"] = image_id
        self.ok("resolve", "-", input=json.dumps(spec))
        # another image under the name
        self.ceph.rbd("rm", "rbd/sp1")
        self.ceph.rbd("create", "--size", "16M", "rbd/sp1")
        other = self.rbd_info("sp1")["id"]
        msg = self.fails(116, "resolve", "-", input=json.dumps(spec))
        self.assertIn("image id %s, not the expected image id %s" % (other, image_id), msg)
        self.assertIn("'rbd/nosuch'", self.fails(2, "resolve", "-", input=json.dumps(
            {"rbd": {"pool": "rbd", "image": "nosuch", "connection": "ceph1"}})))
        self.assertIn("no connection 'nope'", self.fails(2, "resolve", "-", input=json.dumps(
            {"rbd": {"pool": "rbd", "image": "sp1", "connection": "nope"}})))
        for bad, why in ((dict(pool="a/b"), "rbd.pool"), (dict(image=""), "rbd.image"),
                         (dict(id="xyz"), "rbd.id"), (dict(extra=1), "extra")):
            doc = {"rbd": dict({"pool": "rbd", "image": "sp1", "connection": "ceph1"}, **bad)}
            self.assertIn(why, self.fails(22, "resolve", "-", input=json.dumps(doc)))


if __name__ == "__main__":
    unittest.main()
