# SPDX-License-Identifier: LGPL-2.1-or-later
"""The storvirt CLI's pool and volume commands, end to end on a dir pool in
a temporary directory with its own state directory."""
import fcntl
import json
import os
import pty
import random
import re
import select
import shutil
import struct
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ET

CLI = os.environ.get("STORVIRT_CLI", "storvirt")

MiB = 1 << 20

POOL_COMMANDS = (
    "pool-define", "pool-define-as", "pool-create", "pool-start", "pool-destroy",
    "pool-undefine", "pool-build", "pool-delete", "pool-refresh", "pool-list",
    "pool-info", "pool-dumpxml", "pool-autostart",
)
VOL_COMMANDS = (
    "vol-create", "vol-create-as", "vol-create-from", "vol-clone", "vol-delete",
    "vol-wipe", "vol-resize", "vol-list", "vol-info", "vol-dumpxml", "vol-path",
    "vol-key", "vol-pool", "vol-upload", "vol-download",
)


def clean_env():
    e = dict(os.environ)
    for k in ("STORVIRT_DEBUG", "STORVIRT_STATE_DIR"):
        e.pop(k, None)
    return e


def xml_capacity(elem):
    """Bytes of a <capacity unit=...> element."""
    units = {"": 1, "b": 1, "bytes": 1, "k": 1 << 10, "kib": 1 << 10, "m": MiB,
             "mib": MiB, "g": 1 << 30, "gib": 1 << 30}
    return int(elem.text) * units[elem.get("unit", "bytes").lower()]


class CliPoolTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="storvirt-cli-pool-")
        self.tmp = self._tmp.name
        self.state = os.path.join(self.tmp, "state")
        self.target = os.path.join(self.tmp, "pool1")

    def tearDown(self):
        self._tmp.cleanup()

    # -- running the CLI ---------------------------------------------------

    def run_cli(self, *args, input=None):
        p = subprocess.run([CLI, "-d", self.state, *args], capture_output=True,
                           env=clean_env(), timeout=120, input=input)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")

    def ok(self, *args):
        """Runs a command that must succeed; returns its stdout."""
        rc, out, err = self.run_cli(*args)
        self.assertEqual(rc, 0, "storvirt %s: %s" % (" ".join(args), err))
        self.assertEqual(err, "", "stderr of storvirt %s" % " ".join(args))
        return out

    def js(self, *args):
        """Runs a command with --json that must succeed; returns the object."""
        out = self.ok("--json", *args)
        doc = json.loads(out)
        self.assertEqual(doc["status"], {"code": 0, "message": "Done"})
        return doc

    def fails(self, rc_expected, *args):
        """Runs a command that must fail with rc_expected; returns stderr.
        Also checks the JSON error shape."""
        rc, out, err = self.run_cli(*args)
        self.assertEqual(rc, rc_expected, "storvirt %s: %r %r" % (" ".join(args), out, err))
        self.assertEqual(out, "")
        prefix = "storvirt: usage error: " if rc_expected == 2 else "storvirt: error: "
        self.assertTrue(err.startswith(prefix), err)
        rc, out, _ = self.run_cli("--json", *args)
        self.assertEqual(rc, rc_expected)
        doc = json.loads(out)
        self.assertEqual(list(doc), ["status"])
        self.assertGreater(doc["status"]["code"], 0)
        self.assertEqual(doc["status"]["message"], err.splitlines()[0][len(prefix):])
        return err

    def make_pool(self, name="p1", target=None):
        target = target or self.target
        self.assertEqual(self.ok("pool-define-as", name, "dir", "--target", target),
                         "Pool %s defined\n" % name)
        self.assertEqual(self.ok("pool-build", name), "Pool %s built\n" % name)
        self.assertTrue(os.path.isdir(target))
        self.assertEqual(self.ok("pool-start", name), "Pool %s started\n" % name)

    @staticmethod
    def table(out):
        """Rows of a virsh-style table: [[cell, ...], ...] (header first)."""
        lines = out.split("\n")
        assert lines[1] and set(lines[1]) == {"-"}, out
        assert lines[-1] == "" and lines[-2] == "", out
        rows = [lines[0]] + lines[2:-2]
        return [re.split(r"\s{2,}", row.strip()) if row.strip() else [] for row in rows]

    # -- the whole lifecycle ---------------------------------------------------

    def test_lifecycle(self):
        self.make_pool()
        vol_dir = self.target

        # Pools: info, list, dumpxml, refresh.
        info = self.js("pool-info", "p1")
        self.assertEqual(info["name"], "p1")
        self.assertEqual(info["state"], "running")
        self.assertIs(info["persistent"], True)
        self.assertIs(info["autostart"], False)
        self.assertEqual(info["type"], "dir")
        self.assertEqual(info["target_path"], self.target)
        self.assertGreater(info["capacity"], 0)
        uuid = info["uuid"]
        out = self.ok("pool-info", "p1")
        self.assertIn("Name:          p1\n", out)
        self.assertIn("UUID:          %s\n" % uuid, out)
        self.assertIn("State:         running\n", out)
        self.assertIn("Persistent:    yes\n", out)
        self.assertIn("Autostart:     no\n", out)
        self.assertRegex(out, r"Capacity:      \d+(\.\d)? [KMGTPE]?i?B\n")
        # By UUID too.
        self.assertEqual(self.js("pool-info", uuid)["name"], "p1")
        root = ET.fromstring(self.ok("pool-dumpxml", "p1"))
        self.assertEqual(root.tag, "pool")
        self.assertEqual(root.get("type"), "dir")
        self.assertEqual(root.findtext("name"), "p1")
        self.assertEqual(root.findtext("uuid"), uuid)
        self.assertEqual(root.findtext("target/path"), self.target)
        self.assertEqual(ET.fromstring(self.ok("pool-dumpxml", "--inactive", "p1")).findtext("name"), "p1")
        self.assertEqual(self.ok("pool-refresh", "p1"), "Pool p1 refreshed\n")

        # Volumes: raw 10M and qcow2 20M.
        self.assertEqual(self.ok("vol-create-as", "p1", "a.raw", "10M"), "Vol a.raw created\n")
        doc = self.js("vol-create-as", "p1", "b.qcow2", "20M", "--format", "qcow2")
        self.assertEqual(doc["name"], "b.qcow2")
        self.assertEqual(doc["pool"], "p1")
        a_path = os.path.join(vol_dir, "a.raw")
        b_path = os.path.join(vol_dir, "b.qcow2")
        self.assertEqual(doc["path"], b_path)
        self.assertEqual(os.path.getsize(a_path), 10 * MiB)
        with open(b_path, "rb") as f:
            self.assertEqual(f.read(4), b"QFI\xfb")

        # vol-list, text and JSON.
        rows = self.table(self.ok("vol-list", "p1"))
        self.assertEqual(rows, [["Name", "Path"], ["a.raw", a_path], ["b.qcow2", b_path]])
        rows = self.table(self.ok("vol-list", "p1", "--details"))
        self.assertEqual(rows[0], ["Name", "Path", "Type", "Capacity", "Allocation"])
        self.assertEqual(rows[1][:4], ["a.raw", a_path, "file", "10.0 MiB"])
        self.assertEqual(rows[2][:4], ["b.qcow2", b_path, "file", "20.0 MiB"])
        vols = self.js("vol-list", "p1")["volumes"]
        self.assertEqual([v["name"] for v in vols], ["a.raw", "b.qcow2"])
        self.assertEqual([v["capacity"] for v in vols], [10 * MiB, 20 * MiB])
        self.assertEqual([v["format"] for v in vols], ["raw", "qcow2"])
        self.assertEqual([v["type"] for v in vols], ["file", "file"])
        self.assertEqual([v["path"] for v in vols], [a_path, b_path])
        for v in vols:
            self.assertEqual(set(v), {"name", "path", "key", "format", "type", "capacity",
                                      "allocation", "physical"})
            self.assertIsInstance(v["allocation"], int)

        # vol-info, vol-dumpxml, vol-path, vol-key, vol-pool.
        out = self.ok("vol-info", "--pool", "p1", "a.raw")
        self.assertIn("Name:          a.raw\n", out)
        self.assertIn("Type:          file\n", out)
        self.assertIn("Capacity:      10.0 MiB\n", out)
        self.assertRegex(out, r"Allocation:    \S+ [KMG]?i?B\n")
        self.assertIn("Physical:      10.0 MiB\n", out)
        vi = self.js("vol-info", "a.raw", "--pool", "p1")
        self.assertEqual((vi["name"], vi["type"], vi["capacity"], vi["physical"], vi["format"]),
                         ("a.raw", "file", 10 * MiB, 10 * MiB, "raw"))
        self.assertLessEqual(vi["allocation"], 10 * MiB)
        self.assertEqual(self.js("vol-info", "--pool", "p1", "b.qcow2")["capacity"], 20 * MiB)
        root = ET.fromstring(self.ok("vol-dumpxml", "--pool", "p1", "b.qcow2"))
        self.assertEqual(root.tag, "volume")
        self.assertEqual(root.findtext("name"), "b.qcow2")
        self.assertEqual(xml_capacity(root.find("capacity")), 20 * MiB)
        self.assertEqual(root.find("target/format").get("type"), "qcow2")
        self.assertEqual(root.findtext("target/path"), b_path)
        self.assertEqual(self.ok("vol-path", "--pool", "p1", "a.raw"), a_path + "\n")
        key = self.ok("vol-key", "--pool", "p1", "a.raw").rstrip("\n")
        self.assertTrue(key)
        self.assertEqual(self.js("vol-key", "--pool", "p1", "a.raw")["key"], key)
        self.assertEqual(self.js("vol-path", "--pool", "p1", "a.raw")["path"], a_path)
        # Without --pool: by key, then by path.
        self.assertEqual(self.ok("vol-path", key), a_path + "\n")
        self.assertEqual(self.ok("vol-key", a_path), key + "\n")
        self.assertEqual(self.ok("vol-pool", a_path), "p1\n")

        if shutil.which("qemu-img"):
            p = subprocess.run(["qemu-img", "info", "-U", "--output=json", b_path],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr)
            qi = json.loads(p.stdout)
            self.assertEqual(qi["format"], "qcow2")
            self.assertEqual(qi["virtual-size"], 20 * MiB)

        # Upload and download round trip, with offsets and holes.
        rnd = random.Random(42)
        data = bytes(rnd.getrandbits(8) for _ in range(256 << 10)) + bytes(MiB) + \
            bytes(rnd.getrandbits(8) for _ in range(100000))
        src = os.path.join(self.tmp, "src.bin")
        with open(src, "wb") as f:
            f.write(data)
        rc, out, err = self.run_cli("vol-upload", "a.raw", src, "--pool", "p1")
        self.assertEqual((rc, out, err), (0, "", ""))  # no progress bar: stderr is no tty
        dst = os.path.join(self.tmp, "dst.bin")
        rc, out, err = self.run_cli("vol-download", "a.raw", dst, "--pool", "p1",
                                    "--length", str(len(data)))
        self.assertEqual((rc, out, err), (0, "", ""))
        with open(dst, "rb") as f:
            self.assertEqual(f.read(), data)
        # The whole volume, sparse: the data, then zeros up to 10M.
        self.ok("vol-download", a_path, dst, "--sparse")
        with open(dst, "rb") as f:
            whole = f.read()
        self.assertEqual(len(whole), 10 * MiB)
        self.assertEqual(whole[:len(data)], data)
        self.assertEqual(whole[len(data):], bytes(10 * MiB - len(data)))
        # At an offset, from standard input, to standard output.
        rc, out, err = self.run_cli("vol-upload", "--pool", "p1", "--offset", "8M", "a.raw", "-",
                                    input=b"tail-data")
        self.assertEqual(rc, 0, err)
        p = subprocess.run([CLI, "-d", self.state, "vol-download", "--pool", "p1", "a.raw", "-",
                            "--offset", str(8 * MiB), "--length", "9"],
                           capture_output=True, env=clean_env(), timeout=60)
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, b"tail-data", b""))
        # Writing past the capacity is refused.
        self.fails(1, "vol-upload", "--pool", "p1", "--offset", "10M", "a.raw", src)
        # ... before anything is written, when the source is a file that would pass it
        # (2 MiB at 9M: its first MiB fits, the second does not)
        big = os.path.join(self.tmp, "big.bin")
        with open(big, "wb") as f:
            f.write(b"\xab" * (2 * MiB))
        with open(a_path, "rb") as f:
            f.seek(9 * MiB)
            before = f.read()
        msg = self.fails(1, "vol-upload", "--pool", "p1", "--offset", "9M", "a.raw", big)
        self.assertIn("past the capacity", msg)
        with open(a_path, "rb") as f:
            f.seek(9 * MiB)
            self.assertEqual(f.read(), before)

        # Clone: same data, same capacity.
        self.assertEqual(self.ok("vol-clone", "--pool", "p1", "a.raw", "c.raw"),
                         "Vol c.raw cloned from a.raw\n")
        c_path = os.path.join(vol_dir, "c.raw")
        with open(c_path, "rb") as f:
            self.assertEqual(f.read(len(data)), data)
        self.assertEqual(self.js("vol-info", c_path)["capacity"], 10 * MiB)
        # Create-from with an XML file, across formats.
        xml_path = os.path.join(self.tmp, "d.xml")
        with open(xml_path, "w") as f:
            f.write("<volume><name>d.qcow2</name><capacity unit='M'>10</capacity>"
                    "<target><format type='qcow2'/></target></volume>")
        self.assertEqual(self.ok("vol-create-from", "p1", xml_path, "a.raw", "--inputpool", "p1"),
                         "Vol d.qcow2 created from input vol a.raw\n")
        self.assertEqual(self.js("vol-info", "--pool", "p1", "d.qcow2")["format"], "qcow2")
        if shutil.which("qemu-img"):
            conv = os.path.join(self.tmp, "d.raw")
            p = subprocess.run(["qemu-img", "convert", "-U", "-O", "raw",
                                os.path.join(vol_dir, "d.qcow2"), conv],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(conv, "rb") as f:
                self.assertEqual(f.read(len(data)), data)
        # vol-create from an XML file.
        with open(xml_path, "w") as f:
            f.write("<volume><name>e.raw</name><capacity unit='bytes'>1048576</capacity>"
                    "</volume>")
        self.assertEqual(self.ok("vol-create", "p1", xml_path), "Vol e.raw created from %s\n" % xml_path)
        self.assertEqual(os.path.getsize(os.path.join(vol_dir, "e.raw")), MiB)

        # Resize: grow; shrinking needs --shrink.
        self.assertEqual(self.ok("vol-resize", "--pool", "p1", "a.raw", "20M"),
                         "Size of volume 'a.raw' successfully changed to 20M\n")
        self.assertEqual(self.js("vol-info", "--pool", "p1", "a.raw")["capacity"], 20 * MiB)
        self.assertEqual(os.path.getsize(a_path), 20 * MiB)
        err = self.fails(1, "vol-resize", "--pool", "p1", "a.raw", "5M")
        self.assertEqual(self.js("vol-info", "--pool", "p1", "a.raw")["capacity"], 20 * MiB)
        self.fails(2, "vol-resize", "--pool", "p1", "a.raw", "-5M")  # negative needs --shrink
        self.ok("vol-resize", "--pool", "p1", "a.raw", "--delta", "4M")
        self.assertEqual(self.js("vol-info", "--pool", "p1", "a.raw")["capacity"], 24 * MiB)
        self.ok("vol-resize", "--pool", "p1", "a.raw", "12M", "--shrink")
        self.assertEqual(self.js("vol-info", "--pool", "p1", "a.raw")["capacity"], 12 * MiB)
        self.assertEqual(self.ok("vol-resize", "a.raw", "-4M", "--shrink", "--pool", "p1"),
                         "Size of volume 'a.raw' successfully changed by -4M\n")
        self.assertEqual(self.js("vol-info", "--pool", "p1", "a.raw")["capacity"], 8 * MiB)
        self.ok("vol-resize", "--pool", "p1", "a.raw", "--delta", "8M")
        self.assertEqual(self.js("vol-info", "--pool", "p1", "a.raw")["capacity"], 16 * MiB)
        self.ok("vol-resize", "--pool", "p1", "b.qcow2", "30M")
        self.assertEqual(self.js("vol-info", "--pool", "p1", "b.qcow2")["capacity"], 30 * MiB)

        # Wipe: zeros, same size; the clone keeps its data.
        rc, out, err = self.run_cli("vol-wipe", "--pool", "p1", "a.raw")
        self.assertEqual((rc, out, err), (0, "Vol a.raw wiped\n", ""))
        with open(a_path, "rb") as f:
            self.assertEqual(f.read(), bytes(16 * MiB))
        with open(c_path, "rb") as f:
            self.assertEqual(f.read(len(data)), data)

        # Bad names are refused with a message naming them.
        for bad in ("../x", "a/b", ".."):
            err = self.fails(1, "vol-create-as", "p1", bad, "1M")
            self.assertIn(bad, err)
        err = self.fails(1, "vol-create-as", "p1", "a.raw", "1M")  # exists
        self.assertIn("a.raw", err)
        err = self.fails(1, "vol-info", "--pool", "p1", "nosuchvol")
        self.assertIn("nosuchvol", err)
        err = self.fails(1, "vol-info", "/no/such/vol")
        self.assertIn("/no/such/vol", err)

        # Delete.
        self.assertEqual(self.ok("vol-delete", "--pool", "p1", "c.raw"), "Vol c.raw deleted\n")
        self.assertFalse(os.path.exists(c_path))
        e_path = os.path.join(vol_dir, "e.raw")
        self.ok("vol-delete", e_path, "--wipe")
        self.assertFalse(os.path.exists(e_path))
        self.assertEqual([v["name"] for v in self.js("vol-list", "p1")["volumes"]],
                         ["a.raw", "b.qcow2", "d.qcow2"])

        # pool-list --all --details, autostart.
        rows = self.table(self.ok("pool-list", "--all", "--details"))
        self.assertEqual(rows[0], ["Name", "State", "Autostart", "Persistent", "Capacity",
                                   "Allocation", "Available"])
        self.assertEqual(rows[1][:4], ["p1", "running", "no", "yes"])
        self.assertEqual(len(rows), 2)
        self.assertEqual(self.ok("pool-autostart", "p1"), "Pool p1 marked as autostarted\n")
        self.assertEqual(self.table(self.ok("pool-list"))[1:], [["p1", "active", "yes"]])
        pools = self.js("pool-list", "--autostart")["pools"]
        self.assertEqual([p["name"] for p in pools], ["p1"])
        self.assertEqual(set(pools[0]), {"name", "uuid", "type", "state", "autostart",
                                         "persistent", "capacity", "allocation", "available"})
        self.assertEqual(pools[0]["uuid"], uuid)
        self.assertIs(pools[0]["autostart"], True)
        self.assertEqual(self.js("pool-list", "--no-autostart")["pools"], [])
        self.assertEqual(self.ok("pool-autostart", "--disable", "p1"),
                         "Pool p1 unmarked as autostarted\n")
        self.assertIs(self.js("pool-info", "p1")["autostart"], False)
        self.assertEqual([p["name"] for p in self.js("pool-list", "--type", "dir")["pools"]], ["p1"])
        self.assertEqual(self.js("pool-list", "--type", "logical")["pools"], [])

        # Stop, delete (refused while not empty), undefine.
        self.assertEqual(self.ok("pool-destroy", "p1"), "Pool p1 destroyed\n")
        self.assertEqual(self.js("pool-info", "p1")["state"], "inactive")
        self.assertIsNone(self.js("pool-info", "p1")["capacity"])
        self.assertEqual(self.table(self.ok("pool-list")), [["Name", "State", "Autostart"]])
        self.assertEqual(self.table(self.ok("pool-list", "--inactive"))[1:],
                         [["p1", "inactive", "no"]])
        rows = self.table(self.ok("pool-list", "--all", "--details"))
        self.assertEqual(rows[1], ["p1", "inactive", "no", "yes", "-", "-", "-"])
        self.fails(1, "vol-list", "p1")
        err = self.fails(1, "pool-delete", "p1")
        self.assertTrue(os.path.isdir(self.target))
        self.assertEqual(self.ok("pool-delete", "p1", "--nonempty"), "Pool p1 deleted\n")
        self.assertFalse(os.path.exists(self.target))
        self.assertEqual(self.ok("pool-undefine", "p1"), "Pool p1 has been undefined\n")
        self.assertEqual(self.js("pool-list", "--all")["pools"], [])
        self.fails(1, "pool-info", "p1")

    def test_pool_delete_empty_and_redefine(self):
        self.make_pool()
        self.ok("pool-destroy", "p1")
        self.assertEqual(self.ok("pool-delete", "p1"), "Pool p1 deleted\n")
        self.assertFalse(os.path.exists(self.target))
        # pool-define of the dumped definition: same name and UUID, replaced.
        xml_path = os.path.join(self.tmp, "p1.xml")
        with open(xml_path, "w") as f:
            f.write(self.ok("pool-dumpxml", "--inactive", "p1"))
        self.assertEqual(self.ok("pool-define", xml_path), "Pool p1 defined from %s\n" % xml_path)
        # pool-start --build builds the target again.
        self.assertEqual(self.ok("pool-start", "p1", "--build"), "Pool p1 started\n")
        self.assertTrue(os.path.isdir(self.target))
        # Another pool with the same name or target is refused.
        self.fails(1, "pool-define-as", "p1", "dir", "--target", os.path.join(self.tmp, "x"))

    def test_transient_pool(self):
        xml_path = os.path.join(self.tmp, "t.xml")
        target = os.path.join(self.tmp, "transient")
        with open(xml_path, "w") as f:
            f.write("<pool type='dir'><name>t1</name><target><path>%s</path></target></pool>"
                    % target)
        self.fails(2, "pool-create", xml_path, "--overwrite", "--no-overwrite")
        # Transient pools live as long as the context, i.e. one command here.
        doc = self.js("pool-create", xml_path, "--build")
        self.assertEqual(doc["name"], "t1")
        self.assertTrue(os.path.isdir(target))

    def test_autostart_on_open(self):
        self.make_pool()
        self.ok("pool-autostart", "p1")
        self.ok("pool-destroy", "p1")
        # Autostart runs once per boot: the next command leaves it stopped.
        self.assertEqual(self.js("pool-info", "p1")["state"], "inactive")
        # The first command after a boot (simulated: the boot id is forgotten)
        # starts it.
        os.unlink(os.path.join(self.state, "pools", "run", ".boot_id"))
        self.assertEqual(self.js("pool-info", "p1")["state"], "running")

    def test_pool_named_boot_id(self):
        # The state directory's own files take no name a pool may have.
        self.make_pool()
        self.ok("pool-autostart", "p1")
        self.ok("pool-destroy", "p1")
        self.make_pool("boot_id", target=os.path.join(self.tmp, "b"))
        self.assertEqual(self.js("pool-info", "boot_id")["state"], "running")
        self.assertEqual(self.ok("vol-create-as", "boot_id", "v.raw", "1M"), "Vol v.raw created\n")
        self.assertEqual([v["name"] for v in self.js("vol-list", "boot_id")["volumes"]], ["v.raw"])
        self.assertEqual(self.table(self.ok("pool-list", "--all"))[1:],
                         [["boot_id", "active", "no"], ["p1", "inactive", "yes"]])
        self.assertEqual(self.ok("pool-destroy", "boot_id"), "Pool boot_id destroyed\n")
        # Neither stopping it nor the next command looks like a new boot.
        self.assertEqual(self.js("pool-info", "boot_id")["state"], "inactive")
        self.assertEqual(self.js("pool-info", "p1")["state"], "inactive")
        self.assertEqual(self.ok("pool-start", "boot_id"), "Pool boot_id started\n")
        self.assertEqual(self.js("pool-info", "p1")["state"], "inactive")
        self.ok("pool-destroy", "boot_id")
        self.assertEqual(self.ok("pool-undefine", "boot_id"), "Pool boot_id has been undefined\n")
        self.assertEqual([p["name"] for p in self.js("pool-list", "--all")["pools"]], ["p1"])
        self.assertEqual(self.js("pool-info", "p1")["state"], "inactive")

    def test_boot_marker_of_earlier_releases(self):
        # Earlier releases kept the boot id in pools/run/boot_id: it is
        # still read (same boot: autostart pools stay as they were) and
        # moved to its new name.
        self.make_pool()
        self.ok("pool-autostart", "p1")
        self.ok("pool-destroy", "p1")
        run = os.path.join(self.state, "pools", "run")
        os.rename(os.path.join(run, ".boot_id"), os.path.join(run, "boot_id"))
        self.assertEqual(self.js("pool-info", "p1")["state"], "inactive")
        self.assertEqual(sorted(os.listdir(run)), [".boot_id"])
        self.assertEqual(self.js("pool-info", "p1")["state"], "inactive")

    def test_bad_names_refused(self):
        # Hidden names ("." and ".." among them) would be the state
        # directory's own files; a control character would forge lines.
        cases = ((".", "must not start with '.'"), ("..", "must not start with '.'"),
                 (".hidden", "must not start with '.'"),
                 ("a\nb", "contains a control character"),
                 ("a\tb", "contains a control character"))
        for name, why in cases:
            with self.subTest(name=name):
                shown = name.encode("unicode_escape").decode().replace("\\n", "\\x0a") \
                    .replace("\\t", "\\x09")
                err = self.fails(1, "pool-define-as", name, "dir", "--target", self.target)
                self.assertIn("pool name '%s' %s" % (shown, why), err)
        xml_path = os.path.join(self.tmp, "dots.xml")
        with open(xml_path, "w") as f:
            f.write("<pool type='dir'><name>..</name><target><path>%s</path></target></pool>"
                    % self.target)
        err = self.fails(1, "pool-define", xml_path)
        self.assertIn("pool name '..' must not start with '.'", err)
        self.assertEqual(self.js("pool-list", "--all")["pools"], [])
        self.assertEqual([f for f in os.listdir(os.path.join(self.state, "pools"))
                          if f.endswith(".xml")], [])
        # Volumes: a control character is refused too.
        self.make_pool()
        for name in ("a\nb", "a\rb"):
            with self.subTest(name=name):
                err = self.fails(1, "vol-create-as", "p1", name, "1M")
                self.assertIn("contains a control character", err)
        self.assertEqual(os.listdir(self.target), [])

    def test_interrupted_writes_cleaned(self):
        # What pool-define, pool-start and pool-autostart runs killed
        # between writing and renaming their temporary files leave.
        self.make_pool()
        self.ok("pool-autostart", "p1")
        pools = os.path.join(self.state, "pools")
        with open(os.path.join(pools, "p1.xml")) as f:
            p1_xml = f.read()
        leftovers = [os.path.join(pools, ".p2.xml.Ab12Cd"), os.path.join(pools, ".p1.xml.zz9ZZ0"),
                     os.path.join(pools, "run", ".p1.Xy34Zw"),
                     os.path.join(pools, "run", "..boot_id.abcdef"),
                     os.path.join(pools, "autostart", ".p1.Qq11Rr")]
        for path in leftovers:
            with open(path, "w") as f:
                f.write("<pool type='dir'><name>p2</na")
        # A writer at work (it holds the pools lock shared): its file stays.
        lock = os.open(os.path.join(pools, ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.fcntl(lock, fcntl.F_OFD_SETLK, struct.pack("hhqqi", fcntl.F_RDLCK, 0, 0, 0, 0))
            self.assertEqual([p["name"] for p in self.js("pool-list", "--all")["pools"]], ["p1"])
            for path in leftovers:
                self.assertTrue(os.path.exists(path), path)
        finally:
            os.close(lock)
        # No writer: the next command removes them, and only them.
        self.assertEqual(self.table(self.ok("pool-list", "--all"))[1:], [["p1", "active", "yes"]])
        for path in leftovers:
            self.assertFalse(os.path.exists(path), path)
        self.assertEqual(sorted(os.listdir(pools)), [".lock", "autostart", "p1.xml", "run"])
        self.assertEqual(sorted(os.listdir(os.path.join(pools, "run"))), [".boot_id", "p1"])
        self.assertEqual(os.listdir(os.path.join(pools, "autostart")), ["p1"])
        with open(os.path.join(pools, "p1.xml")) as f:
            self.assertEqual(f.read(), p1_xml)

    def assert_dir_entries(self, path, names):
        self.assertEqual(sorted(os.listdir(path)), sorted(names))

    def test_failed_download_leaves_no_file(self):
        self.make_pool()
        self.ok("vol-create-as", "p1", "a.raw", "1M")
        out_dir = os.path.join(self.tmp, "out")
        os.mkdir(out_dir)
        new = os.path.join(out_dir, "new.bin")
        old = os.path.join(out_dir, "old.bin")
        with open(old, "w") as f:
            f.write("precious")
        os.chmod(old, 0o640)
        for target in (new, old):
            with self.subTest(target=target):
                err = self.fails(1, "vol-download", "--pool", "p1", "nosuch", target)
                self.assertIn("nosuch", err)
                # Past the end: refused once the output would have been opened.
                err = self.fails(1, "vol-download", "--pool", "p1", "a.raw", target, "--offset", "2M")
                self.assertIn("past its size", err)
                self.assert_dir_entries(out_dir, ["old.bin"])
                with open(old) as f:
                    self.assertEqual(f.read(), "precious")
        # A download that works replaces the file whole, keeping its mode.
        self.ok("vol-upload", "--pool", "p1", "a.raw", old)
        self.ok("vol-download", "--pool", "p1", "a.raw", old, "--length", "4")
        with open(old) as f:
            self.assertEqual(f.read(), "prec")
        self.assertEqual(os.stat(old).st_mode & 0o7777, 0o640)
        self.ok("vol-download", "--pool", "p1", "a.raw", new)
        self.assertEqual(os.path.getsize(new), MiB)
        self.assert_dir_entries(out_dir, ["old.bin", "new.bin"])
        # Through a symbolic link: the file it names gets the data, the link stays.
        link = os.path.join(out_dir, "link.bin")
        os.symlink("old.bin", link)
        self.ok("vol-download", "--pool", "p1", "a.raw", link, "--length", "8")
        self.assertTrue(os.path.islink(link))
        with open(old, "rb") as f:
            self.assertEqual(f.read(), b"precious")
        # Not a regular file: written in place.
        self.ok("vol-download", "--pool", "p1", "a.raw", "/dev/null")

    def test_download_failing_midway(self):
        # A file system that fills up during the download.
        if os.geteuid() != 0:
            self.skipTest("mounting a small tmpfs needs root")
        self.make_pool()
        self.ok("vol-create-as", "p1", "a.raw", "4M")
        out_dir = os.path.join(self.tmp, "small")
        os.mkdir(out_dir)
        p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", out_dir],
                           capture_output=True, text=True)
        if p.returncode != 0:
            self.skipTest("cannot mount a tmpfs: " + p.stderr)
        try:
            old = os.path.join(out_dir, "old.bin")
            with open(old, "w") as f:
                f.write("precious")
            for target in (os.path.join(out_dir, "new.bin"), old):
                with self.subTest(target=target):
                    err = self.fails(1, "vol-download", "--pool", "p1", "a.raw", target)
                    self.assertIn("No space left on device", err)
                    self.assert_dir_entries(out_dir, ["old.bin"])
                    with open(old) as f:
                        self.assertEqual(f.read(), "precious")
        finally:
            subprocess.run(["umount", out_dir], check=True)

    def test_target_swapped_for_a_symlink(self):
        self.make_pool()
        self.ok("vol-create-as", "p1", "a.raw", "1M")
        other = os.path.join(self.tmp, "other")
        os.mkdir(other)
        open(os.path.join(other, "planted.raw"), "w").close()
        os.rename(self.target, self.target + ".moved")
        os.symlink(other, self.target)
        want = "target directory '%s' is now a symbolic link, not the directory the pool " \
               "was started on" % self.target
        for args in (["vol-list", "p1"], ["pool-refresh", "p1"], ["vol-info", "--pool", "p1", "a.raw"]):
            with self.subTest(args=args):
                err = self.fails(1, *args)
                self.assertIn(want, err)
        self.assertEqual(self.js("pool-info", "p1")["state"], "inaccessible")
        os.unlink(self.target)
        os.rename(self.target + ".moved", self.target)
        self.assertEqual([v["name"] for v in self.js("vol-list", "p1")["volumes"]], ["a.raw"])
        self.assertEqual(self.js("pool-info", "p1")["state"], "running")

    def test_define_as_protocol_version(self):
        """--source-protocol-ver: NFS versions with a minor version too."""
        target = os.path.join(self.tmp, "nfs41")
        base = ["nfs41", "netfs", "--source-host", "nas1", "--source-path", "/exports/vm",
                "--source-format", "nfs", "--target", target]
        out = self.ok("pool-define-as", *base, "--source-protocol-ver", "4.1", "--print-xml")
        self.assertEqual(ET.fromstring(out).find("source/protocol").get("ver"), "4.1")
        self.assertEqual(self.ok("pool-define-as", *base, "--source-protocol-ver", "4.1"),
                         "Pool nfs41 defined\n")
        xml = ET.fromstring(self.ok("pool-dumpxml", "nfs41", "--inactive"))
        self.assertEqual(xml.find("source/protocol").get("ver"), "4.1")
        self.ok("pool-undefine", "nfs41")
        for ver, why in (("4.x", "ver '4.x' is not an NFS version (N or N.M, e.g. 3, 4, 4.1)"),
                         ("3.1", "ver '3.1': only NFS version 4 has minor versions"),
                         ("4.7", "ver '4.7': NFS version 4 has the minor versions 0, 1 and 2")):
            with self.subTest(ver=ver):
                err = self.fails(1, "pool-define-as", *base, "--source-protocol-ver", ver)
                self.assertIn("pool XML: <source><protocol>: " + why, err)
        self.assertEqual(self.js("pool-list", "--all")["pools"], [])

    # -- output details ----------------------------------------------------------

    def test_print_xml_escapes(self):
        name = "a&b<c>'d\"e"
        target = "/tmp/x & <y> 'z' \"w\""
        out = self.ok("pool-define-as", name, "dir", "--target", target, "--source-host",
                      "h&st", "--source-dev", "/dev/<d>", "--source-path", "/p'q",
                      "--source-name", "n\"m", "--source-format", "f&", "--print-xml")
        root = ET.fromstring(out)
        self.assertEqual(root.get("type"), "dir")
        self.assertEqual(root.findtext("name"), name)
        self.assertEqual(root.findtext("target/path"), target)
        self.assertEqual(root.find("source/host").get("name"), "h&st")
        self.assertEqual(root.find("source/device").get("path"), "/dev/<d>")
        self.assertEqual(root.find("source/dir").get("path"), "/p'q")
        self.assertEqual(root.findtext("source/name"), "n\"m")
        self.assertEqual(root.find("source/format").get("type"), "f&")
        self.assertFalse(os.path.exists(self.state) and os.listdir(self.state))
        doc = self.js("pool-define-as", "p", "dir", "--print-xml")
        self.assertEqual(ET.fromstring(doc["xml"]).findtext("name"), "p")
        self.assertIsNone(ET.fromstring(doc["xml"]).find("target"))
        self.fails(2, "pool-define-as", "bad\x01name", "dir", "--print-xml")

        out = self.ok("vol-create-as", "nopool", "v<1>&", "10G", "--allocation", "1G",
                      "--format", "qcow2", "--print-xml")
        root = ET.fromstring(out)
        self.assertEqual(root.findtext("name"), "v<1>&")
        self.assertEqual(xml_capacity(root.find("capacity")), 10 << 30)
        self.assertEqual(xml_capacity(root.find("allocation")), 1 << 30)
        self.assertEqual(root.find("target/format").get("type"), "qcow2")
        out = self.ok("vol-create-as", "nopool", "v", "1K", "--backing-vol", "/base's.img",
                      "--backing-vol-format", "raw", "--print-xml")
        root = ET.fromstring(out)
        self.assertEqual(root.findtext("backingStore/path"), "/base's.img")
        self.assertEqual(root.find("backingStore/format").get("type"), "raw")

    def test_backing_volume(self):
        self.make_pool()
        self.ok("vol-create-as", "p1", "base.qcow2", "16M", "--format", "qcow2")
        self.ok("vol-create-as", "p1", "top.qcow2", "16M", "--format", "qcow2",
                "--backing-vol", "base.qcow2")
        root = ET.fromstring(self.ok("vol-dumpxml", "--pool", "p1", "top.qcow2"))
        self.assertEqual(root.findtext("backingStore/path"), os.path.join(self.target, "base.qcow2"))
        if shutil.which("qemu-img"):
            p = subprocess.run(["qemu-img", "info", "-U", "--output=json",
                                os.path.join(self.target, "top.qcow2")],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr)
            qi = json.loads(p.stdout)
            self.assertEqual(qi["backing-filename"], os.path.join(self.target, "base.qcow2"))
            self.assertEqual(qi.get("backing-filename-format"), "qcow2")

    def test_progress_bar_on_a_terminal_only(self):
        self.make_pool()
        self.ok("vol-create-as", "p1", "big.raw", "64M")
        src = os.path.join(self.tmp, "src.bin")
        with open(src, "wb") as f:
            f.write(os.urandom(32 * MiB))
        # stderr a pipe: nothing but the result.
        rc, out, err = self.run_cli("vol-upload", "--pool", "p1", "big.raw", src)
        self.assertEqual((rc, out, err), (0, "", ""))
        # stderr a terminal: a bar, redrawn in place, ended by a newline.
        master, slave = pty.openpty()
        try:
            p = subprocess.Popen([CLI, "-d", self.state, "vol-wipe", "--pool", "p1", "big.raw"],
                                 stdout=subprocess.PIPE, stderr=slave, env=clean_env())
            os.close(slave)
            slave = -1
            out = p.stdout.read()
            p.stdout.close()
            p.wait(timeout=120)
            tty = b""
            while select.select([master], [], [], 0.5)[0]:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                tty += chunk
        finally:
            os.close(master)
            if slave >= 0:
                os.close(slave)
        self.assertEqual(p.returncode, 0)
        self.assertEqual(out, b"Vol big.raw wiped\n")  # stdout is untouched
        text = tty.decode("utf-8", "replace")
        self.assertIn("Wiping big.raw", text)
        self.assertIn("100%", text)
        self.assertTrue(text.startswith("\r"), repr(text[:40]))
        self.assertTrue(text.endswith("\n"), repr(text[-40:]))

    # -- errors ----------------------------------------------------------------

    def test_unknown_pool_exit_1(self):
        for args in (["pool-info", "nosuch"], ["pool-start", "nosuch"], ["vol-list", "nosuch"],
                     ["vol-create-as", "nosuch", "v", "1M"], ["pool-dumpxml", "nosuch"],
                     ["vol-info", "--pool", "nosuch", "v"]):
            with self.subTest(args=args):
                err = self.fails(1, *args)
                self.assertIn("'nosuch'", err)
        rc, out, _ = self.run_cli("--json", "pool-info", "nosuch")
        self.assertEqual(json.loads(out)["status"]["code"], 2)  # ENOENT

    def test_usage_errors_exit_2(self):
        cases = [
            ["pool-info"], ["pool-info", "a", "b"], ["pool-define"], ["pool-define-as", "x"],
            ["pool-start"], ["pool-list", "extra"], ["pool-list", "--bogus"],
            ["pool-list", "--type"], ["pool-start", "p", "--overwrite", "--no-overwrite"],
            ["pool-build", "p", "--overwrite", "--no-overwrite"],
            ["vol-create-as", "p1"], ["vol-create-as", "p1", "v"],
            ["vol-create-as", "p1", "v", "10X"], ["vol-create-as", "p1", "v", "-1"],
            ["vol-create-as", "p1", "v", "1M", "--allocation", "lots"],
            ["vol-create-as", "p1", "v", "1M", "--backing-vol-format", "raw"],
            ["vol-create-from", "p1", "f"], ["vol-clone", "v"], ["vol-delete"],
            ["vol-wipe"], ["vol-resize", "v"], ["vol-resize", "v", "1G", "--pool"],
            ["vol-list"], ["vol-info"], ["vol-dumpxml"], ["vol-path"], ["vol-key"],
            ["vol-upload", "v"], ["vol-download", "v"], ["vol-upload", "v", "f", "--offset", "x"],
            ["vol-info", "v", "--nope"],
        ]
        for args in cases:
            with self.subTest(args=args):
                err = self.fails(2, *args)
                self.assertIn("Try 'storvirt help'", err)

    def test_help_lists_every_command(self):
        rc, out, _ = self.run_cli("help")
        self.assertEqual(rc, 0)
        for cmd in POOL_COMMANDS + VOL_COMMANDS:
            with self.subTest(cmd=cmd):
                self.assertIn("\n  %s " % cmd, out)
                rc, usage, _ = self.run_cli("help", cmd)
                self.assertEqual(rc, 0)
                self.assertTrue(usage.startswith("Usage: storvirt %s " % cmd), usage)

    def test_file_errors(self):
        missing = os.path.join(self.tmp, "missing.xml")
        err = self.fails(1, "pool-define", missing)
        self.assertIn(missing, err)
        rc, out, _ = self.run_cli("--json", "pool-define", missing)
        self.assertEqual(json.loads(out)["status"]["code"], 2)
        bad = os.path.join(self.tmp, "bad.xml")
        with open(bad, "w") as f:
            f.write("<pool type='dir'><name>x</name>")
        self.fails(1, "pool-define", bad)


if __name__ == "__main__":
    unittest.main()
