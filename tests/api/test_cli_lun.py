# SPDX-License-Identifier: LGPL-2.1-or-later
"""The storvirt CLI's LUN commands (lun-list, lun-info) under umockdev, on
the fixture testbed of tests/scripts/gen-testbed.py.

The expected LUNs come from the fixture's EXPECT file and, for what it
does not list (sizes, the NVMe wwid), from the testbed itself, so the
test follows the generator rather than a copy of its output.

Environment: STORVIRT_CLI (the tool), UMOCKDEV_RUN, STORVIRT_TESTBED
(.umockdev) and STORVIRT_TESTBED_EXPECT.
"""
import errno
import json
import os
import re
import struct
import subprocess
import tempfile
import unittest

CLI = os.environ.get("STORVIRT_CLI", "storvirt")
UMOCKDEV_RUN = os.environ.get("UMOCKDEV_RUN", "umockdev-run")
TESTBED = os.environ.get("STORVIRT_TESTBED", "")
EXPECT = os.environ.get("STORVIRT_TESTBED_EXPECT", "")

# The members of a VDSM getDeviceList record.
VDSM_KEYS = (
    "GUID", "vendorID", "productID", "fwrev", "serial", "capacity", "devtype",
    "logicalblocksize", "physicalblocksize", "discard_max_bytes", "discard_zeroes_data",
    "pathstatus", "pathlist", "pvUUID", "pvsize", "vgUUID", "status",
)
VDSM_STRING_KEYS = (
    "GUID", "vendorID", "productID", "fwrev", "serial", "capacity", "devtype",
    "logicalblocksize", "physicalblocksize", "pvUUID", "pvsize", "vgUUID", "status",
)
PATHLIST_KEYS = ("connection", "port", "iqn", "portal", "initiatorname")


def clean_env():
    e = dict(os.environ)
    for k in ("STORVIRT_DEBUG", "STORVIRT_STATE_DIR"):
        e.pop(k, None)
    return e


def read_expect(path):
    """{"disks": [(name, guid)], "maps": [(dm, guid, [slaves])], "nvme": [name],
    "loop": [(name, backing)]} from the fixture's EXPECT file."""
    exp = {"disks": [], "maps": [], "nvme": [], "loop": []}
    with open(path) as f:
        for line in f:
            w = line.split()
            if not w:
                continue
            if w[0] == "disk":
                exp["disks"].append((w[1], w[2]))
            elif w[0] == "map":
                exp["maps"].append((w[1], w[2], w[3].split(",")))
            elif w[0] == "nvme":
                exp["nvme"].append(w[1])
            elif w[0] == "loop":
                exp["loop"].append((w[1], w[2]))
            else:
                raise ValueError("unknown EXPECT line: %r" % line)
    return exp


def read_testbed(path):
    """{kernel name: {attribute: value}} of the testbed's named devices."""
    devs = {}
    with open(path) as f:
        for block in f.read().split("\n\n"):
            name, attrs = None, {}
            for line in block.split("\n"):
                if line.startswith("N: "):
                    name = line[3:].split("=", 1)[0]
                elif line.startswith("A: "):
                    k, _, v = line[3:].partition("=")
                    attrs[k] = v
            if name:
                devs[name] = attrs
    return devs


def mbr():
    """A DOS partition table with one partition, 4 KiB."""
    d = bytearray(4096)
    d[446:462] = bytes([0, 0, 2, 0, 0x83, 0, 8, 0]) + struct.pack("<II", 1, 7)
    struct.pack_into("<I", d, 440, 0x5eed1234)
    d[510:512] = b"\x55\xaa"
    return bytes(d)


def table(out):
    """Rows of a virsh-style table: [[cell, ...], ...] (header first)."""
    lines = out.split("\n")
    assert len(lines) >= 4 and lines[1] and set(lines[1]) == {"-"}, out
    assert lines[-1] == "" and lines[-2] == "", out
    rows = [lines[0]] + lines[2:-2]
    return [re.split(r"\s{2,}", row.strip()) for row in rows]


def fields(out):
    """The top-level "Label: value" lines of lun-info (first occurrence wins)."""
    f = {}
    for line in out.split("\n"):
        m = re.match(r"^([A-Z][^:]*):\s+(.*)$", line)
        if m and m.group(1) not in f:
            f[m.group(1)] = m.group(2)
    return f


class CliLunTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not TESTBED or not EXPECT:
            raise RuntimeError("STORVIRT_TESTBED and STORVIRT_TESTBED_EXPECT must name the "
                               "fixture made by tests/scripts/gen-testbed.py")
        cls.exp = read_expect(EXPECT)
        cls.bed = read_testbed(TESTBED)
        cls._tmp = tempfile.TemporaryDirectory(prefix="storvirt-cli-lun-")
        cls.tmp = cls._tmp.name
        # The same testbed with a partition table on sdb: one LUN in use.
        with open(TESTBED) as f:
            text = f.read()
        used = text.replace("\nN: sdb\n", "\nN: sdb=%s\n" % mbr().hex().upper(), 1)
        assert used != text, "no sdb in the testbed"
        cls.used_bed = os.path.join(cls.tmp, "used.umockdev")
        with open(cls.used_bed, "w") as f:
            f.write(used)
        # Every LUN the fixture has: GUID -> (device node, number of paths).
        cls.luns = {}
        for name, guid in cls.exp["disks"]:
            cls.luns[guid] = ("/dev/" + name, 1)
        for dm, guid, slaves in cls.exp["maps"]:
            cls.luns[guid] = ("/dev/" + dm, len(slaves))
        for name in cls.exp["nvme"]:
            cls.luns[cls.bed[name]["wwid"]] = ("/dev/" + name, 1)
        cls.no_guid = ["/dev/" + name for name, _ in cls.exp["loop"]]

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    # -- running the CLI ---------------------------------------------------

    def run_cli(self, *args, bed=None):
        p = subprocess.run([UMOCKDEV_RUN, "-d", bed or TESTBED, "--", CLI,
                            "-d", os.path.join(self.tmp, "state"), *args],
                           capture_output=True, env=clean_env(), timeout=120)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")

    def ok(self, *args, bed=None):
        rc, out, err = self.run_cli(*args, bed=bed)
        self.assertEqual(rc, 0, "storvirt %s: %s" % (" ".join(args), err))
        self.assertEqual(err, "", "stderr of storvirt %s" % " ".join(args))
        return out

    def js(self, *args, bed=None):
        doc = json.loads(self.ok("--json", *args, bed=bed))
        self.assertEqual(doc["status"], {"code": 0, "message": "Done"})
        return doc

    def fails(self, rc_expected, *args):
        """A command that must fail with rc_expected, in text and JSON mode;
        returns (stderr, JSON status code)."""
        rc, out, err = self.run_cli(*args)
        self.assertEqual(rc, rc_expected, "storvirt %s: %r %r" % (" ".join(args), out, err))
        self.assertEqual(out, "")
        prefix = "storvirt: usage error: " if rc_expected == 2 else "storvirt: error: "
        self.assertTrue(err.startswith(prefix), err)
        rc, out, _ = self.run_cli("--json", *args)
        self.assertEqual(rc, rc_expected)
        doc = json.loads(out)
        self.assertEqual(list(doc), ["status"])
        self.assertEqual(doc["status"]["message"], err.splitlines()[0][len(prefix):])
        return err, doc["status"]["code"]

    def list_rows(self, *args, bed=None):
        """lun-list as {device node: row dict}."""
        rows = table(self.ok("lun-list", *args, bed=bed))
        self.assertEqual(rows[0], ["GUID", "Device", "Size", "Vendor/Product", "Paths", "Status"])
        out = {}
        for r in rows[1:]:
            self.assertEqual(len(r), 6, r)
            row = dict(zip(rows[0], r))
            self.assertNotIn(row["Device"], out)
            out[row["Device"]] = row
        return out

    # -- lun-list ----------------------------------------------------------

    def test_list(self):
        rows = self.list_rows()
        self.assertEqual(len(rows), 10)
        self.assertEqual(len(self.luns) + len(self.no_guid), 10)
        for guid, (node, n_paths) in self.luns.items():
            with self.subTest(guid=guid):
                self.assertIn(node, rows)
                self.assertEqual(rows[node]["GUID"], guid)
                self.assertTrue(re.match(r"^%d( \(\d+ failed\))?$" % n_paths,
                                         rows[node]["Paths"]), rows[node])
                self.assertEqual(rows[node]["Status"], "free")
        for node in self.no_guid:
            self.assertEqual(rows[node]["GUID"], "-")
        # Sorted by GUID, the LUNs without one last.
        guids = [r["GUID"] for r in rows.values()]
        self.assertEqual(guids, sorted(self.luns) + ["-"] * len(self.no_guid))
        # One offline path in all the maps, shown on its map.
        failed = [r for r in rows.values() if "failed" in r["Paths"]]
        self.assertEqual(len(failed), 1, rows)
        self.assertIn(failed[0]["GUID"], [g for _, g, _ in self.exp["maps"]])
        self.assertTrue(failed[0]["Paths"].endswith("(1 failed)"))
        # Sizes and inquiry strings of a plain disk.
        name, guid = self.exp["disks"][0]
        size = int(self.bed[name]["size"]) * 512
        self.assertEqual(rows["/dev/" + name]["Size"], "%.1f GiB" % (size / (1 << 30)))
        self.assertEqual(rows["/dev/" + name]["Vendor/Product"], "LIO-ORG disk")

    def test_list_refresh(self):
        self.assertEqual(self.list_rows("--refresh"), self.list_rows())

    def test_list_free(self):
        self.assertEqual(set(self.list_rows("--free")), set(self.list_rows()))
        rows = self.list_rows(bed=self.used_bed)
        self.assertEqual(len(rows), 10)
        self.assertEqual(rows["/dev/sdb"]["Status"], "used")
        free = self.list_rows("--free", bed=self.used_bed)
        self.assertEqual(set(free), set(rows) - {"/dev/sdb"})
        self.assertTrue(all(r["Status"] == "free" for r in free.values()))
        doc = self.js("lun-info", "/dev/sdb", bed=self.used_bed)
        self.assertEqual(doc["device"]["status"], "used")
        self.assertIn("partition table dos", doc["device"]["statusReason"])
        out = self.ok("lun-info", "/dev/sdb", bed=self.used_bed)
        self.assertEqual(fields(out)["Status"], "used (partition table dos)")
        self.assertEqual(fields(out)["Part. table"], "dos")

    def test_list_transport(self):
        rows = self.list_rows("--transport", "iscsi")
        self.assertEqual(sorted(r["GUID"] for r in rows.values()),
                         sorted(g for _, g, _ in self.exp["maps"]))
        for dm, guid, slaves in self.exp["maps"]:
            self.assertTrue(rows["/dev/" + dm]["Paths"].startswith(str(len(slaves))))
        self.assertEqual(set(self.list_rows("--transport", "loop")), set(self.no_guid))
        self.assertEqual(set(self.list_rows("--transport", "nvme")),
                         {"/dev/" + n for n in self.exp["nvme"]})
        self.assertEqual(set(self.list_rows("--transport", "scsi")),
                         {"/dev/" + n for n, _ in self.exp["disks"]})
        rows = table(self.ok("lun-list", "--transport", "fc"))
        self.assertEqual(len(rows), 1)

    def test_list_json(self):
        doc = self.js("lun-list")
        self.assertEqual(sorted(doc), ["devList", "status"])
        devs = doc["devList"]
        self.assertEqual(len(devs), 10)
        by_guid = {d["GUID"]: d for d in devs}
        self.assertEqual(set(by_guid), set(self.luns) | {""})
        for d in devs:
            with self.subTest(guid=d["GUID"], devnode=d.get("devnode")):
                for k in VDSM_KEYS:
                    self.assertIn(k, d)
                for k in VDSM_STRING_KEYS:
                    self.assertIsInstance(d[k], str, k)
                self.assertIsInstance(d["pathstatus"], list)
                self.assertIsInstance(d["pathlist"], list)
                self.assertIsInstance(d["discard_max_bytes"], int)
                self.assertEqual(d["status"], "free")
                name = d["name"]
                self.assertEqual(d["capacity"], str(int(self.bed[name]["size"]) * 512))
        failed = 0
        for dm, guid, slaves in self.exp["maps"]:
            d = by_guid[guid]
            with self.subTest(map=dm):
                self.assertEqual(d["devtype"], "iSCSI")
                self.assertEqual(d["devnode"], "/dev/" + dm)
                self.assertTrue(d["multipath"])
                self.assertEqual(len(d["pathstatus"]), len(slaves))
                self.assertEqual(sorted(p["physdev"] for p in d["pathstatus"]), sorted(slaves))
                for p in d["pathstatus"]:
                    self.assertIn(p["state"], ("active", "failed"))
                    self.assertEqual(p["type"], "iSCSI")
                    self.assertEqual(p["capacity"], d["capacity"])
                failed += sum(p["state"] == "failed" for p in d["pathstatus"])
                self.assertEqual(len(d["pathlist"]), len(slaves))
                for e in d["pathlist"]:
                    for k in PATHLIST_KEYS:
                        self.assertIsInstance(e[k], str, k)
                    self.assertTrue(e["iqn"].startswith("iqn."), e)
                    self.assertTrue(re.match(r"^\d+\.\d+\.\d+\.\d+$", e["connection"]), e)
                    self.assertEqual(e["port"], "3260")
                    self.assertTrue(e["portal"].isdigit(), e)
                    self.assertTrue(e["initiatorname"].startswith("iqn."), e)
                self.assertEqual(len({e["connection"] for e in d["pathlist"]}), len(slaves))
        self.assertEqual(failed, 1)
        for name, guid in self.exp["disks"]:
            d = by_guid[guid]
            self.assertEqual(d["devtype"], "scsi")
            self.assertEqual([p["physdev"] for p in d["pathstatus"]], [name])
            self.assertEqual(d["pathlist"], [])
        # The filters apply to the JSON as well.
        doc = self.js("lun-list", "--transport", "iscsi")
        self.assertEqual(sorted(d["GUID"] for d in doc["devList"]),
                         sorted(g for _, g, _ in self.exp["maps"]))
        doc = self.js("lun-list", "--free", bed=self.used_bed)
        self.assertEqual(len(doc["devList"]), 9)
        self.assertNotIn("/dev/sdb", [d["devnode"] for d in doc["devList"]])

    # -- lun-info ----------------------------------------------------------

    def test_info_guid(self):
        for dm, guid, slaves in self.exp["maps"]:
            with self.subTest(map=dm):
                out = self.ok("lun-info", guid)
                f = fields(out)
                self.assertEqual(f["GUID"], guid)
                self.assertEqual(f["Device"], "/dev/" + dm)
                self.assertEqual(f["Name"], dm)
                self.assertEqual(f["Type"], "iscsi")
                self.assertNotEqual(f["Multipath map"], "-")
                self.assertEqual(f["Vendor"], "LIO-ORG")
                self.assertTrue(f["Paths"].startswith(str(len(slaves))))
                self.assertTrue(f["Status"].startswith("free ("), f)
                self.assertEqual(sorted(re.findall(r"^Path (\w+):$", out, re.M)), sorted(slaves))
                self.assertEqual(len(re.findall(r"^  Target: +iqn\.", out, re.M)), len(slaves))
                self.assertEqual(len(re.findall(r"^  Portal: +[\d.]+:3260$", out, re.M)),
                                 len(slaves))
                self.assertEqual(len(re.findall(r"^  H:C:T:L: +\d+:\d+:\d+:\d+$", out, re.M)),
                                 len(slaves))
        # Hex GUIDs are case-insensitive, and an NAA one may be written 0x...
        naa = [g for _, g in self.exp["disks"] if re.match(r"^3[0-9a-f]*[a-f][0-9a-f]*$", g)]
        self.assertTrue(naa)
        for arg in (naa[0].upper(), "0x" + naa[0][1:]):
            self.assertEqual(fields(self.ok("lun-info", arg))["GUID"], naa[0])

    def test_info_path(self):
        for name, guid in self.exp["disks"]:
            f = fields(self.ok("lun-info", "/dev/" + name))
            self.assertEqual((f["GUID"], f["Device"], f["Paths"]), (guid, "/dev/" + name, "1"))
        for dm, guid, slaves in self.exp["maps"]:
            for s in slaves:
                with self.subTest(path=s):
                    f = fields(self.ok("lun-info", "/dev/" + s))
                    self.assertEqual((f["GUID"], f["Device"]), (guid, "/dev/" + dm))
        name, backing = self.exp["loop"][0]
        f = fields(self.ok("lun-info", "/dev/" + name))
        self.assertEqual((f["GUID"], f["Type"], f["Backing file"]), ("-", "loop", backing))
        # The disk with partitions lists them.
        parts = sorted(n for n in self.bed if re.match(r"^%s\d+$" % self.exp["disks"][0][0], n))
        self.assertTrue(parts)
        f = fields(self.ok("lun-info", "/dev/" + self.exp["disks"][0][0]))
        self.assertEqual(f["Partitions"].split(), parts)

    def test_info_partition(self):
        disk = self.exp["disks"][0][0]
        part = sorted(n for n in self.bed if re.match(r"^%s\d+$" % disk, n))[0]
        err, code = self.fails(1, "lun-info", "/dev/" + part)
        self.assertIn("partition of %s" % disk, err)
        self.assertEqual(code, errno.ENOENT)

    def test_info_json(self):
        dm, guid, slaves = self.exp["maps"][-1]
        doc = self.js("lun-info", guid)
        self.assertEqual(sorted(doc), ["device", "status"])
        d = doc["device"]
        for k in VDSM_KEYS:
            self.assertIn(k, d)
        self.assertEqual(d["GUID"], guid)
        self.assertEqual(d["devtype"], "iSCSI")
        self.assertEqual(len(d["pathstatus"]), len(slaves))
        self.assertEqual(self.js("lun-info", "/dev/" + slaves[0])["device"], d)
        name, guid = self.exp["disks"][1]
        d = self.js("lun-info", "/dev/" + name)["device"]
        self.assertEqual((d["GUID"], d["capacity"]), (guid, str(int(self.bed[name]["size"]) * 512)))
        self.assertNotEqual(d["serial"], "")
        self.assertEqual(d["vendorID"], "LIO-ORG")
        self.assertEqual(d["productID"], "disk")

    def test_info_errors(self):
        err, code = self.fails(1, "lun-info", "3600140500000000000000000000000ff")
        self.assertIn("3600140500000000000000000000000ff", err)
        self.assertEqual(code, errno.ENOENT)
        missing = os.path.join(self.tmp, "missing")
        err, code = self.fails(1, "lun-info", missing)
        self.assertIn(missing, err)
        self.assertEqual(code, errno.ENOENT)
        err, code = self.fails(1, "lun-info", TESTBED)
        self.assertIn("not a block device", err)
        self.assertEqual(code, errno.ENOTBLK)

    def test_usage_errors(self):
        cases = [
            ["lun-list", "extra"], ["lun-list", "--bogus"], ["lun-list", "--transport"],
            ["lun-list", "--transport", "bogus"], ["lun-info"], ["lun-info", "a", "b"],
            ["lun-info", "--nope", "x"], ["lun-info", ""],
        ]
        for args in cases:
            with self.subTest(args=args):
                err, code = self.fails(2, *args)
                self.assertIn("Try 'storvirt help'", err)
                self.assertEqual(code, errno.EINVAL)

    def test_help(self):
        rc, out, _ = self.run_cli("help")
        self.assertEqual(rc, 0)
        for cmd in ("lun-list", "lun-info"):
            with self.subTest(cmd=cmd):
                self.assertIn("\n  %s " % cmd, out)
                rc, usage, _ = self.run_cli("help", cmd)
                self.assertEqual(rc, 0)
                self.assertTrue(usage.startswith("Usage: storvirt %s " % cmd), usage)


if __name__ == "__main__":
    unittest.main()
