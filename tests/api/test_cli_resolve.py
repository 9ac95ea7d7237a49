# SPDX-License-Identifier: LGPL-2.1-or-later
"""The storvirt CLI's resolve command under umockdev, on the fixture
testbed of tests/scripts/gen-testbed.py: GUIDs of the fixture's LUNs,
host files, and volumes of a dir pool made with the CLI itself become
libvirt <disk> XML (or device dicts); a VM's drives become <devices>,
with every problem reported at once.  Also the example
examples/resolve-guid.c, when it is given.

Environment: STORVIRT_CLI (the tool), UMOCKDEV_RUN, STORVIRT_TESTBED
(.umockdev), STORVIRT_TESTBED_EXPECT and, optionally,
STORVIRT_EXAMPLE_RESOLVE_GUID (the example program).
"""
import errno
import json
import os
import shutil
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ET

CLI = os.environ.get("STORVIRT_CLI", "storvirt")
UMOCKDEV_RUN = os.environ.get("UMOCKDEV_RUN", "umockdev-run")
TESTBED = os.environ.get("STORVIRT_TESTBED", "")
EXPECT = os.environ.get("STORVIRT_TESTBED_EXPECT", "")
EXAMPLE = os.environ.get("STORVIRT_EXAMPLE_RESOLVE_GUID", "")

UNKNOWN_GUID = "3600140500000000000000000000000ff"
PDIV = {
    "poolID": "2d1f4a6c-0e3b-4f59-8c7a-1b2c3d4e5f60",
    "domainID": "3d1f4a6c-0e3b-4f59-8c7a-1b2c3d4e5f60",
    "imageID": "4d1f4a6c-0e3b-4f59-8c7a-1b2c3d4e5f60",
    "volumeID": "5d1f4a6c-0e3b-4f59-8c7a-1b2c3d4e5f60",
}


def clean_env():
    e = dict(os.environ)
    for k in ("STORVIRT_DEBUG", "STORVIRT_STATE_DIR"):
        e.pop(k, None)
    return e


def read_expect(path):
    """{"disks": [(name, guid)], "maps": [(dm, guid, [slaves])]} from the
    fixture's EXPECT file (the other lines are not used here)."""
    exp = {"disks": [], "maps": []}
    with open(path) as f:
        for line in f:
            w = line.split()
            if w and w[0] == "disk":
                exp["disks"].append((w[1], w[2]))
            elif w and w[0] == "map":
                exp["maps"].append((w[1], w[2], w[3].split(",")))
    return exp


def disk_attrs(disk):
    """The attributes that matter of a <disk> element, as a flat dict."""
    a = {"type": disk.get("type"), "device": disk.get("device")}
    src = disk.find("source")
    if src is not None:
        for k, v in src.attrib.items():
            a["source." + k] = v
    for elem in ("target", "driver"):
        e = disk.find(elem)
        if e is not None:
            for k, v in e.attrib.items():
                a[elem + "." + k] = v
    return a


class CliResolveTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not TESTBED or not EXPECT:
            raise RuntimeError("STORVIRT_TESTBED and STORVIRT_TESTBED_EXPECT must name the "
                               "fixture made by tests/scripts/gen-testbed.py")
        cls.exp = read_expect(EXPECT)
        assert len(cls.exp["maps"]) >= 2 and cls.exp["disks"], cls.exp
        cls._tmp = tempfile.TemporaryDirectory(prefix="storvirt-cli-resolve-")
        cls.tmp = cls._tmp.name
        cls.state = os.path.join(cls.tmp, "state")
        # The map dm-1 and the single-path disk sdb of the fixture.
        cls.map_dm, cls.map_guid, _ = [m for m in cls.exp["maps"] if m[0] == "dm-1"][0]
        cls.disk_name, cls.disk_guid = [d for d in cls.exp["disks"] if d[0] == "sdb"][0]

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    # -- running the CLI ---------------------------------------------------

    def run_prog(self, argv, input=None):
        p = subprocess.run([UMOCKDEV_RUN, "-d", TESTBED, "--", *argv], capture_output=True,
                           env=clean_env(), timeout=120, input=input)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")

    def run_cli(self, *args, input=None):
        return self.run_prog([CLI, "-d", self.state, *args], input=input)

    def ok(self, *args, input=None):
        rc, out, err = self.run_cli(*args, input=input)
        self.assertEqual(rc, 0, "storvirt %s: %s" % (" ".join(args), err))
        self.assertEqual(err, "", "stderr of storvirt %s" % " ".join(args))
        return out

    def js(self, *args, input=None):
        doc = json.loads(self.ok("--json", *args, input=input))
        self.assertEqual(doc["status"], {"code": 0, "message": "Done"})
        return doc

    def fails(self, rc_expected, *args, input=None):
        """A command that must fail with rc_expected, in text and JSON mode;
        returns (stderr, JSON status code).  The JSON message is the whole
        message of stderr, which may have several lines."""
        rc, out, err = self.run_cli(*args, input=input)
        self.assertEqual(rc, rc_expected, "storvirt %s: %r %r" % (" ".join(args), out, err))
        self.assertEqual(out, "")
        prefix = "storvirt: usage error: " if rc_expected == 2 else "storvirt: error: "
        self.assertTrue(err.startswith(prefix), err)
        rc, out, _ = self.run_cli("--json", *args, input=input)
        self.assertEqual(rc, rc_expected)
        doc = json.loads(out)
        self.assertEqual(list(doc), ["status"])
        msg = err[len(prefix):]
        if rc_expected == 2:
            msg = msg.splitlines()[0]
        self.assertEqual(doc["status"]["message"], msg.rstrip("\n"))
        return err, doc["status"]["code"]

    def spec_file(self, name, spec):
        """Writes a spec (a dict, list or JSON text) into the temporary directory."""
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(spec if isinstance(spec, str) else json.dumps(spec, indent=2))
        return path

    def resolve(self, spec, *opts):
        """The <disk> element of one spec."""
        out = self.ok("resolve", *opts, self.spec_file("spec.json", spec))
        self.assertTrue(out.endswith("\n"), out)
        self.assertFalse(out.startswith("<?xml"), out)
        disk = ET.fromstring(out)
        self.assertEqual(disk.tag, "disk")
        return disk, out

    # -- one drive ---------------------------------------------------------

    def test_guid_map(self):
        for dm, guid, _ in self.exp["maps"]:
            with self.subTest(map=dm):
                disk, out = self.resolve({"GUID": guid})
                self.assertEqual(disk_attrs(disk), {
                    "type": "block", "device": "disk", "source.dev": "/dev/" + dm,
                    "target.dev": "vda", "target.bus": "virtio", "driver.name": "qemu",
                    "driver.type": "raw", "driver.cache": "none", "driver.io": "native",
                    "driver.error_policy": "stop",
                })
        # The exact text the writer produces for the source.
        _, out = self.resolve({"GUID": self.map_guid})
        self.assertIn('<source dev="/dev/%s"/>' % self.map_dm, out)
        # An upper-case GUID is the same LUN.
        disk, _ = self.resolve({"GUID": self.map_guid.upper(), "index": 2})
        self.assertEqual(disk.find("source").get("dev"), "/dev/" + self.map_dm)
        self.assertEqual(disk.find("target").get("dev"), "vdc")

    def test_guid_disk_lun(self):
        disk, _ = self.resolve({"GUID": self.disk_guid, "device": "lun", "iface": "scsi"})
        a = disk_attrs(disk)
        self.assertEqual((a["type"], a["device"], a["source.dev"]),
                         ("block", "lun", "/dev/" + self.disk_name))
        self.assertEqual((a["target.dev"], a["target.bus"]), ("sda", "scsi"))
        self.assertEqual((a["driver.type"], a["driver.io"]), ("raw", "native"))
        # --no-refresh: a known GUID needs no second discovery pass.
        disk, _ = self.resolve({"GUID": self.disk_guid}, "--no-refresh")
        self.assertEqual(disk.find("source").get("dev"), "/dev/" + self.disk_name)

    def test_stdin(self):
        out = self.ok("resolve", "-", input=json.dumps({"GUID": self.map_guid}).encode())
        self.assertEqual(ET.fromstring(out).find("source").get("dev"), "/dev/" + self.map_dm)

    def test_path(self):
        img = os.path.join(self.tmp, "disk.raw")
        with open(img, "wb") as f:
            f.truncate(4 << 20)
        disk, _ = self.resolve({"path": img, "shared": True, "serial": "abc"})
        a = disk_attrs(disk)
        self.assertEqual((a["type"], a["device"], a["source.file"]), ("file", "disk", img))
        self.assertEqual((a["driver.type"], a["driver.io"], a["driver.cache"]),
                         ("raw", "threads", "none"))
        self.assertIsNotNone(disk.find("shareable"))
        self.assertEqual(disk.findtext("serial"), "abc")
        # An empty cdrom needs no source at all.
        disk, _ = self.resolve({"device": "cdrom"})
        self.assertEqual(disk.get("device"), "cdrom")
        self.assertEqual(disk.find("target").get("dev"), "hda")
        self.assertIsNone(disk.find("source"))
        # A missing file.
        missing = os.path.join(self.tmp, "missing.raw")
        err, code = self.fails(1, "resolve", self.spec_file("missing.json", {"path": missing}))
        self.assertIn(missing, err)
        self.assertEqual(code, errno.ENOENT)

    def test_volume(self):
        target = os.path.join(self.tmp, "pool-images")
        self.assertEqual(self.ok("pool-define-as", "images", "dir", "--target", target),
                         "Pool images defined\n")
        self.assertEqual(self.ok("pool-build", "images"), "Pool images built\n")
        self.assertEqual(self.ok("pool-start", "images"), "Pool images started\n")
        self.ok("vol-create-as", "images", "a.raw", "8M")
        self.ok("vol-create-as", "images", "b.qcow2", "16M", "--format", "qcow2")

        disk, _ = self.resolve({"pool": "images", "volume": "a.raw"})
        a = disk_attrs(disk)
        self.assertEqual((a["type"], a["source.file"], a["driver.type"], a["driver.io"]),
                         ("file", os.path.join(target, "a.raw"), "raw", "threads"))
        # The format of a qcow2 volume is the volume's.
        disk, _ = self.resolve({"pool": "images", "volume": "b.qcow2", "iface": "sata"})
        a = disk_attrs(disk)
        self.assertEqual((a["source.file"], a["driver.type"], a["target.bus"], a["target.dev"]),
                         (os.path.join(target, "b.qcow2"), "qcow2", "sata", "sda"))
        # The volume by its path: still the format it was created as (the record, not the content).
        disk, _ = self.resolve({"path": os.path.join(target, "b.qcow2")})
        self.assertEqual(disk.find("driver").get("type"), "qcow2")
        # A qcow2 image outside the pools as a path: formats are never guessed from content.
        path = os.path.join(self.tmp, "outside.qcow2")
        shutil.copyfile(os.path.join(target, "b.qcow2"), path)
        err, code = self.fails(1, "resolve", self.spec_file("guess.json", {"path": path}))
        self.assertIn(path, err)
        self.assertIn("qcow2", err)
        self.assertEqual(code, errno.EINVAL)
        disk, _ = self.resolve({"path": path, "format": "cow"})
        self.assertEqual(disk.find("driver").get("type"), "qcow2")
        # No such volume, no such pool.
        err, code = self.fails(1, "resolve",
                               self.spec_file("novol.json", {"pool": "images", "volume": "c"}))
        self.assertEqual(code, errno.ENOENT)
        err, code = self.fails(1, "resolve",
                               self.spec_file("nopool.json", {"pool": "nopool", "volume": "a"}))
        self.assertIn("nopool", err)
        self.assertEqual(code, errno.ENOENT)

    def test_not_found(self):
        for args in (["resolve"], ["resolve", "--no-refresh"]):
            with self.subTest(args=args):
                err, code = self.fails(1, *args, self.spec_file("unknown.json",
                                                                {"GUID": UNKNOWN_GUID}))
                self.assertIn(UNKNOWN_GUID, err)
                self.assertEqual(code, errno.ENOENT)
        # A PDIV quartet needs a vDisk registry.
        err, code = self.fails(1, "resolve", self.spec_file("pdiv.json", PDIV))
        self.assertIn(PDIV["imageID"], err)
        self.assertEqual(code, errno.ENOENT)

    # -- --dict ------------------------------------------------------------

    def test_dict(self):
        spec = self.spec_file("dict.json", {"GUID": self.map_guid, "bootOrder": 1})
        out = self.ok("resolve", "--dict", spec)
        d = json.loads(out)
        self.assertEqual(d["type"], "disk")
        self.assertEqual(d["device"], "disk")
        self.assertEqual(d["iface"], "virtio")
        self.assertEqual(d["GUID"], self.map_guid)
        self.assertEqual(d["diskType"], "block")
        self.assertIn("/dev/" + self.map_dm, out)
        # --json: the same dict under "device".
        doc = self.js("resolve", "--dict", spec)
        self.assertEqual(sorted(doc), ["device", "status"])
        self.assertEqual(doc["device"], d)
        # --json without --dict: the XML under "xml".
        doc = self.js("resolve", spec)
        self.assertEqual(sorted(doc), ["status", "xml"])
        self.assertEqual(doc["xml"].rstrip("\n"), self.ok("resolve", spec).rstrip("\n"))

    # -- --vm --------------------------------------------------------------

    def vm(self):
        return {"drives": [
            {"GUID": self.map_guid, "bootOrder": 1, "alias": "ua-boot"},
            {"device": "cdrom"},
            {"GUID": self.disk_guid, "device": "lun", "iface": "scsi"},
            {"GUID": self.exp["maps"][-1][1]},
        ]}

    def test_vm(self):
        out = self.ok("resolve", "--vm", self.spec_file("vm.json", self.vm()))
        root = ET.fromstring(out)
        self.assertEqual(root.tag, "devices")
        disks = root.findall("disk")
        self.assertEqual(len(disks), 4)
        self.assertEqual([d.find("source").get("dev") if d.find("source") is not None else None
                          for d in disks],
                         ["/dev/" + self.map_dm, None, "/dev/" + self.disk_name,
                          "/dev/" + self.exp["maps"][-1][0]])
        # Indexes in order per bus.
        self.assertEqual([d.find("target").get("dev") for d in disks], ["vda", "hda", "sda", "vdb"])
        self.assertEqual(disks[0].find("boot").get("order"), "1")
        # The LUN passed through needs a virtio-scsi controller: the VM gets one.
        self.assertEqual([c.attrib for c in root.findall("controller")],
                         [{"type": "scsi", "index": "0", "model": "virtio-scsi"}])
        # VDSM's {"devices": [...]}: the entries that are not disks are skipped.
        vdsm = {"devices": [{"type": "disk", **d} for d in self.vm()["drives"]] +
                [{"type": "interface", "device": "bridge", "network": "ovirtmgmt"}]}
        out2 = self.ok("resolve", "--vm", self.spec_file("vdsm.json", vdsm))
        self.assertEqual(len(ET.fromstring(out2).findall("disk")), 4)
        # A bare list, from stdin.
        out3 = self.ok("resolve", "--vm", "-", input=json.dumps(self.vm()["drives"]).encode())
        self.assertEqual(out3, out)

    def test_vm_dict(self):
        path = self.spec_file("vm.json", self.vm())
        out = self.ok("resolve", "--vm", "--dict", path)
        d = json.loads(out)
        self.assertEqual(list(d), ["devices"])
        self.assertEqual(len(d["devices"]), 4)
        self.assertEqual(d["devices"][0]["GUID"], self.map_guid)
        self.assertEqual([x["device"] for x in d["devices"]], ["disk", "cdrom", "lun", "disk"])
        doc = self.js("resolve", "--vm", "--dict", path)
        self.assertEqual(sorted(doc), ["devices", "status"])
        self.assertEqual(doc["devices"], d["devices"])

    def problem_lines(self, path, n):
        """Runs resolve --vm on path, which must fail with n problems;
        returns them (the lines after the first)."""
        err, code = self.fails(1, "resolve", "--vm", path)
        self.assertEqual(code, errno.EINVAL)
        lines = err.rstrip("\n").split("\n")
        if n == 1:
            self.assertEqual(len(lines), 1, err)
            self.assertTrue(lines[0].startswith("storvirt: error: %s: drive " % path), err)
            return [lines[0][len("storvirt: error: %s: " % path):]]
        self.assertEqual(lines[0], "storvirt: error: %s: %d problems:" % (path, n), err)
        self.assertEqual(len(lines), n + 1, err)
        # Each problem on a line of its own, naming its drive.
        for line in lines[1:]:
            self.assertTrue(line.startswith("drive "), err)
        return lines[1:]

    def test_vm_problems(self):
        # Duplicate boot order and a GUID that is not on this host: both.
        vm = {"drives": [
            {"GUID": self.map_guid, "bootOrder": 1},
            {"GUID": self.disk_guid, "bootOrder": 1},
            {"GUID": UNKNOWN_GUID},
        ]}
        problems = self.problem_lines(self.spec_file("bad-vm.json", vm), 2)
        self.assertTrue(any("boot order" in p and p.startswith("drive 2") for p in problems),
                        problems)
        self.assertTrue(any(UNKNOWN_GUID in p and p.startswith("drive 3") for p in problems),
                        problems)

    def test_vm_problems_host(self):
        # What only the host can tell: an unknown GUID, a missing file.
        missing = os.path.join(self.tmp, "missing.img")
        vm = [{"GUID": UNKNOWN_GUID, "alias": "data"}, {"path": missing},
              {"GUID": self.map_guid}]
        problems = self.problem_lines(self.spec_file("bad-vm-host.json", vm), 2)
        self.assertTrue(problems[0].startswith("drive 1 (alias ua-data): "), problems)
        self.assertIn(UNKNOWN_GUID, problems[0])
        self.assertTrue(problems[1].startswith("drive 2: "), problems)
        self.assertIn(missing, problems[1])
        # One problem: the message is that problem.
        problems = self.problem_lines(self.spec_file("bad-vm1.json",
                                                     {"drives": [{"GUID": UNKNOWN_GUID}]}), 1)
        self.assertIn(UNKNOWN_GUID, problems[0])
        # --no-refresh and --dict report the same.
        err, _ = self.fails(1, "resolve", "--vm", "--no-refresh", "--dict",
                            self.spec_file("bad-vm1.json", [{"GUID": UNKNOWN_GUID}]))
        self.assertIn(UNKNOWN_GUID, err)

    def test_vm_problems_spec(self):
        # Problems in the specs themselves, and across them.
        vm = [{"GUID": self.map_guid, "iface": "bogus"},
              {"GUID": self.disk_guid, "index": -5},
              {"device": "cdrom", "bootOrder": 2},
              {"device": "cdrom", "bootOrder": 2, "index": 0}]
        problems = self.problem_lines(self.spec_file("bad-vm-spec.json", vm), 3)
        self.assertTrue(problems[0].startswith("drive 1: ") and "bogus" in problems[0],
                        problems)
        self.assertTrue(problems[1].startswith("drive 2: ") and "index" in problems[1],
                        problems)
        self.assertTrue(any("boot order 2" in p for p in problems), problems)

    def test_vm_optional(self):
        # An optional drive whose storage is unreachable is left out, with a warning.
        vm = [{"GUID": UNKNOWN_GUID, "optional": "True", "alias": "extra"},
              {"GUID": self.map_guid}]
        path = self.spec_file("vm-optional.json", vm)
        rc, out, err = self.run_cli("resolve", "--vm", path)
        self.assertEqual(rc, 0, err)
        disks = ET.fromstring(out).findall("disk")
        self.assertEqual([d.find("source").get("dev") for d in disks], ["/dev/" + self.map_dm])
        self.assertEqual([d.find("target").get("dev") for d in disks], ["vdb"])
        lines = err.rstrip("\n").split("\n")
        self.assertEqual(len(lines), 1, err)
        self.assertTrue(lines[0].startswith(
            "storvirt: warning: drive 1 (alias ua-extra): left out: "), err)
        self.assertIn(UNKNOWN_GUID, lines[0])
        rc, out, err2 = self.run_cli("--json", "resolve", "--vm", path)
        self.assertEqual(rc, 0)
        doc = json.loads(out)
        self.assertEqual(doc["warnings"], [lines[0][len("storvirt: warning: "):]])
        self.assertEqual(err2, err)

    def test_lun_serial_warning(self):
        # VDSM takes a serial on a LUN and leaves it out of the XML: so does resolve, saying so.
        spec = self.spec_file("lun-serial.json", {"GUID": self.disk_guid, "device": "lun",
                                                  "serial": "abc"})
        rc, out, err = self.run_cli("resolve", spec)
        self.assertEqual(rc, 0, err)
        self.assertIsNone(ET.fromstring(out).find("serial"))
        self.assertTrue(err.startswith("storvirt: warning: disk: key 'serial' left out"), err)
        doc = json.loads(self.run_cli("--json", "resolve", spec)[1])
        self.assertEqual(len(doc["warnings"]), 1)

    def test_vdsm_strings(self):
        # VDSM's booleans as strings, as the Direct LUN page writes them.
        img = os.path.join(self.tmp, "vdsm.raw")
        with open(img, "wb") as f:
            f.truncate(1 << 20)
        disk, _ = self.resolve({"path": img, "shared": "True", "readonly": "False",
                                "optional": "False", "discard": "false",
                                "propagateErrors": "off"})
        self.assertIsNotNone(disk.find("shareable"))
        self.assertIsNone(disk.find("readonly"))
        self.assertEqual(disk.find("driver").get("discard"), "ignore")

    def test_qemu_refusals(self):
        # What libvirt's qemu driver or QEMU refuses is refused first, naming the drive.
        img = os.path.join(self.tmp, "refused.raw")
        with open(img, "wb") as f:
            f.truncate(1 << 20)
        cases = [
            ({"path": img, "iface": "sata", "readonly": True}, "a read-only disk on bus sata"),
            ({"path": img, "device": "floppy", "propagateErrors": "on"},
             "device floppy has no error policy"),
            ({"GUID": self.disk_guid, "iface": "virtio", "device": "lun"},
             "device lun needs bus scsi"),
            ({"path": "/dev/loop0", "device": "lun"}, "is not a SCSI device"),
        ]
        for spec, words in cases:
            with self.subTest(spec=spec):
                rc, out, err = self.run_cli("resolve", self.spec_file("refused.json", spec))
                self.assertEqual((rc, out), (1, ""), err)
                self.assertIn(words, err)
                self.assertTrue(err.startswith("storvirt: error: disk: "), err)

    # -- errors ------------------------------------------------------------

    def test_bad_json(self):
        path = self.spec_file("bad.json", '{"GUID": "%s",\n  ]\n' % self.map_guid)
        for args in (["resolve", path], ["resolve", "--vm", path]):
            with self.subTest(args=args):
                err, code = self.fails(1, *args)
                self.assertTrue(err.startswith("storvirt: error: %s: " % path), err)
                self.assertIn("line 2 column 3", err)
                self.assertEqual(code, errno.EINVAL)
        # A key the spec does not know, and a bad value: named in the message.
        err, code = self.fails(1, "resolve", self.spec_file("badkey.json",
                                                            {"GUID": self.map_guid, "bogus": 1}))
        self.assertIn("bogus", err)
        self.assertEqual(code, errno.EINVAL)
        err, code = self.fails(1, "resolve", self.spec_file("badval.json",
                                                            {"GUID": self.map_guid,
                                                             "iface": "floppy-bus"}))
        self.assertIn("iface", err)
        self.assertIn("floppy-bus", err)
        self.assertEqual(code, errno.EINVAL)
        # Not an object.
        err, code = self.fails(1, "resolve", self.spec_file("list.json", "[1, 2]"))
        self.assertEqual(code, errno.EINVAL)

    def test_missing_file(self):
        missing = os.path.join(self.tmp, "no-such-spec.json")
        for args in (["resolve", missing], ["resolve", "--vm", missing]):
            with self.subTest(args=args):
                err, code = self.fails(1, *args)
                self.assertIn(missing, err)
                self.assertEqual(code, errno.ENOENT)

    def test_usage_errors(self):
        spec = self.spec_file("ok.json", {"GUID": self.map_guid})
        cases = [
            ["resolve"], ["resolve", spec, spec], ["resolve", "--bogus", spec],
            ["resolve", "--vm"], ["resolve", "--dict"], ["resolve", ""],
            ["resolve", "--no-refresh=yes", spec],
        ]
        for args in cases:
            with self.subTest(args=args):
                err, code = self.fails(2, *args)
                self.assertIn("Try 'storvirt help'", err)
                self.assertEqual(code, errno.EINVAL)

    def test_help(self):
        rc, out, _ = self.run_cli("help")
        self.assertEqual(rc, 0)
        self.assertIn("\n  resolve ", out)
        rc, usage, _ = self.run_cli("help", "resolve")
        self.assertEqual(rc, 0)
        self.assertTrue(usage.startswith("Usage: storvirt resolve "), usage)
        for opt in ("--vm", "--dict", "--no-refresh"):
            self.assertIn(opt, usage)
        # The keys it lists are keys a spec takes.
        self.assertIn("GUID, UUID,", usage)
        self.assertNotIn("fsUUID", usage)

    # -- the example -------------------------------------------------------

    @unittest.skipUnless(EXAMPLE, "STORVIRT_EXAMPLE_RESOLVE_GUID not set")
    def test_example(self):
        rc, out, err = self.run_prog([EXAMPLE, self.map_guid])
        self.assertEqual(rc, 0, err)
        disk = ET.fromstring(out)
        self.assertEqual(disk.find("source").get("dev"), "/dev/" + self.map_dm)
        self.assertEqual(disk.find("target").get("bus"), "virtio")
        rc, out, err = self.run_prog([EXAMPLE, self.disk_guid, "scsi"])
        self.assertEqual(rc, 0, err)
        self.assertEqual(ET.fromstring(out).find("target").get("dev"), "sda")
        rc, out, err = self.run_prog([EXAMPLE, UNKNOWN_GUID])
        self.assertEqual((rc, out), (1, ""))
        self.assertIn("storvirt_resolve_disk failed", err)
        self.assertIn(UNKNOWN_GUID, err)
        rc, out, err = self.run_prog([EXAMPLE, self.map_guid, "floppy-bus"])
        self.assertEqual((rc, out), (1, ""))
        self.assertIn("iface", err)
        rc, out, err = self.run_prog([EXAMPLE])
        self.assertEqual((rc, out), (2, ""))
        self.assertIn("usage:", err)


if __name__ == "__main__":
    unittest.main()
