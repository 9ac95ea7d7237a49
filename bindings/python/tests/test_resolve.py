# SPDX-License-Identifier: LGPL-2.1-or-later
"""Tests of device resolution in the storvirt Python bindings (DiskSpec,
Context.resolve_disk, Context.resolve_vm, ResolveError).

The LUN tests need the umockdev testbed of tests/scripts/gen-testbed.py
and the path of its .expect file in $STORVIRT_TEST_LUN_EXPECT; without it
they are skipped.  Run with:
    python3 tests/scripts/gen-testbed.py fixture /tmp/fx.umockdev /tmp/fx.expect
    STORVIRT_TEST_LUN_EXPECT=/tmp/fx.expect \
    STORVIRT_LIBRARY=<build>/lib/libstorvirt.so.0 PYTHONPATH=bindings/python \
        umockdev-run -d /tmp/fx.umockdev -- \
        python3 -m unittest discover -s bindings/python/tests -p test_resolve.py -v

Expected values come from the .expect file and from the testbed's sysfs,
never from copies in this file.
"""

import errno
import gc
import json
import os
import pickle
import re
import subprocess
import sys
import tempfile
import threading
import unittest
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
BINDINGS_DIR = os.path.dirname(HERE)
SOURCE_ROOT = os.path.dirname(os.path.dirname(BINDINGS_DIR))
RESOLVE_H = os.path.join(SOURCE_ROOT, "include", "storvirt", "resolve.h")

if BINDINGS_DIR not in sys.path:
    sys.path.insert(0, BINDINGS_DIR)

import storvirt  # noqa: E402

EXPECT_ENV = "STORVIRT_TEST_LUN_EXPECT"
RESOLVE_FUNCTIONS = {
    "storvirt_disk_spec_new", "storvirt_disk_spec_from_json", "storvirt_disk_spec_free",
    "storvirt_disk_spec_set", "storvirt_disk_spec_set_string", "storvirt_resolve_disk",
    "storvirt_resolve_vm",
}
# A GUID no testbed LUN has.
UNKNOWN_GUID = "3600140500000000000000000000000ff"


def header_defines(path):
    """Integer #defines of a header: {name: value}."""
    defines = {}
    pat = re.compile(r"^#define\s+(STORVIRT_\w+)\s+\(?\s*(\d+)u?\s*(?:<<\s*(\d+))?\s*\)?\s*$")
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = pat.match(line.strip())
            if m:
                value = int(m.group(2))
                if m.group(3):
                    value <<= int(m.group(3))
                defines[m.group(1)] = value
    return defines


def header_functions(path):
    """The function names a header declares."""
    with open(path, encoding="utf-8") as f:
        return set(re.findall(r"^\w[\w ]*?\**\s*\**(storvirt_\w+)\(", f.read(), re.M))


def parse_expect(path):
    """The .expect file's disks [(name, guid)] and maps [(dm, guid, [slaves])]."""
    disks, maps = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            words = line.split()
            if words and words[0] == "disk":
                disks.append((words[1], words[2]))
            elif words and words[0] == "map":
                maps.append((words[1], words[2], words[3].split(",")))
    return disks, maps


def vpd83_naa(naa):
    """A VPD page 0x83 with one binary NAA designator associated with the
    LUN: page header (00 83, length), then 01 03 00 10 and the 16 bytes."""
    assert len(naa) == 16
    designator = bytes([0x01, 0x03, 0x00, len(naa)]) + naa
    return bytes([0x00, 0x83]) + len(designator).to_bytes(2, "big") + designator


def disk_of(xml_text):
    """The parsed <disk> element, checked to be one."""
    root = ET.fromstring(xml_text)
    assert root.tag == "disk", xml_text
    return root


def have_resolve():
    return not (storvirt.missing_symbols & RESOLVE_FUNCTIONS)


def needs_resolve(cls):
    return unittest.skipUnless(have_resolve(), "the library at %s lacks device resolution"
                               % storvirt.library_path)(cls)


# --------------------------------------------------------------------------
# Without a testbed.


class TestResolveDeclarations(unittest.TestCase):
    def test_constants_match_header(self):
        defines = header_defines(RESOLVE_H)
        names = {"STORVIRT_RESOLVE_DICT", "STORVIRT_RESOLVE_NO_REFRESH",
                 "STORVIRT_RESOLVE_WARNINGS", "STORVIRT_RESOLVE_NO_RELABEL",
                 "STORVIRT_RESOLVE_LEASES"}
        self.assertEqual(set(defines), names)
        for name in sorted(names):
            with self.subTest(name=name):
                self.assertEqual(getattr(storvirt, name), defines[name])
                self.assertIn(name, storvirt.__all__)

    def test_prototypes_cover_the_header(self):
        declared = {name for name, _, _ in storvirt._PROTOTYPES_0_3}
        self.assertEqual(header_functions(RESOLVE_H), RESOLVE_FUNCTIONS)
        self.assertTrue(RESOLVE_FUNCTIONS <= declared)

    def test_exports(self):
        for name in ("DiskSpec", "ResolveError"):
            self.assertIn(name, storvirt.__all__)

    def test_resolve_error(self):
        e = storvirt.ResolveError(errno.EINVAL, "2 problems", ["drive 1: a", "drive 2: b"])
        self.assertIsInstance(e, storvirt.StorvirtError)
        self.assertIsInstance(e, OSError)
        self.assertEqual(e.errno, errno.EINVAL)
        self.assertEqual(e.strerror, "2 problems")
        self.assertIsNone(e.filename)
        self.assertEqual(e.problems, ["drive 1: a", "drive 2: b"])
        self.assertEqual(storvirt.ResolveError(errno.EINVAL, "x").problems, [])
        back = pickle.loads(pickle.dumps(e))
        self.assertIs(type(back), storvirt.ResolveError)
        self.assertEqual((back.errno, back.strerror, back.problems),
                         (e.errno, e.strerror, e.problems))

    def test_library_without_resolution(self):
        """A library lacking the resolution functions still loads; they raise
        ENOSYS naming the node."""
        script = r"""
import ctypes, json, sys
sys.path.insert(0, sys.argv[1])
_CDLL = ctypes.CDLL

class WithoutResolve(_CDLL):
    def __getattr__(self, name):
        if name.startswith(("storvirt_disk_spec_", "storvirt_resolve_")):
            raise AttributeError(name)
        return _CDLL.__getattr__(self, name)

ctypes.CDLL = WithoutResolve
import storvirt
out = {"missing": sorted(storvirt.missing_symbols)}
ctx = storvirt.Context(ignore_env=True, no_autostart=True)
calls = {
    "DiskSpec": lambda: storvirt.DiskSpec(),
    "resolve_disk": lambda: ctx.resolve_disk({"path": "/dev/null"}),
    "resolve_vm": lambda: ctx.resolve_vm([]),
}
for name, fn in calls.items():
    try:
        fn()
        out[name] = None
    except OSError as e:
        out[name] = [e.errno, e.strerror]
print(json.dumps(out))
"""
        res = subprocess.run([sys.executable, "-c", script, BINDINGS_DIR],
                             capture_output=True, text=True, timeout=120)
        self.assertEqual(res.returncode, 0, res.stderr)
        out = json.loads(res.stdout)
        self.assertTrue(set(out["missing"]) >= RESOLVE_FUNCTIONS)
        for name in ("DiskSpec", "resolve_disk", "resolve_vm"):
            with self.subTest(call=name):
                self.assertIsNotNone(out[name])
                code, msg = out[name]
                self.assertEqual(code, errno.ENOSYS)
                self.assertIn("STORVIRT_0.3", msg)


@needs_resolve
class TestDiskSpec(unittest.TestCase):
    def assertEinval(self, cm, *words):
        e = cm.exception
        self.assertIsInstance(e, storvirt.StorvirtError)
        self.assertEqual(e.errno, errno.EINVAL, e.strerror)
        for w in words:
            self.assertIn(w, e.strerror)
        return e

    def test_forms(self):
        for spec in (storvirt.DiskSpec(), storvirt.DiskSpec({"GUID": UNKNOWN_GUID}),
                     storvirt.DiskSpec('{"GUID": "%s"}' % UNKNOWN_GUID),
                     storvirt.DiskSpec.from_json('{"GUID": "%s", "iface": "scsi"}' % UNKNOWN_GUID),
                     storvirt.DiskSpec(GUID=UNKNOWN_GUID, iface="scsi", index=2)):
            with self.subTest(spec=spec):
                self.assertFalse(spec.closed)
                self.assertIn("storvirt.DiskSpec", repr(spec))
                spec.close()
                self.assertTrue(spec.closed)
                spec.close()
                self.assertEqual(repr(spec), "<storvirt.DiskSpec closed>")

    def test_set_values(self):
        with storvirt.DiskSpec() as spec:
            spec.set("GUID", UNKNOWN_GUID)
            spec.set("iface", "scsi")
            spec.set("index", 3)
            spec.set("readonly", True)
            spec["bootOrder"] = 2
            spec.set("address", {"type": "drive", "controller": 0, "bus": 0, "target": 0,
                                 "unit": 3})
        self.assertTrue(spec.closed)
        with self.assertRaises(ValueError):
            spec.set("iface", "scsi")

    def test_bad_iface(self):
        with self.assertRaises(storvirt.StorvirtError) as cm:
            storvirt.DiskSpec({"GUID": UNKNOWN_GUID, "iface": "token-ring"})
        self.assertEinval(cm, "iface", "token-ring")
        with self.assertRaises(storvirt.StorvirtError) as cm:
            storvirt.DiskSpec.from_json('{"iface": "token-ring", "GUID": "%s"}' % UNKNOWN_GUID)
        self.assertEinval(cm, "iface", "token-ring")
        with self.assertRaises(storvirt.StorvirtError) as cm:
            storvirt.DiskSpec(GUID=UNKNOWN_GUID, iface="token-ring")
        self.assertEinval(cm, "iface", "token-ring")
        with storvirt.DiskSpec({"GUID": UNKNOWN_GUID}) as spec:
            with self.assertRaises(storvirt.StorvirtError) as cm:
                spec.set("iface", "token-ring")
            self.assertEinval(cm, "iface", "token-ring")
            with self.assertRaises(storvirt.StorvirtError) as cm:
                spec.set("iface", 7)
            self.assertEinval(cm, "iface", "7")

    def test_bad_values(self):
        with self.assertRaises(storvirt.StorvirtError) as cm:
            storvirt.DiskSpec({"GUID": UNKNOWN_GUID, "index": -4})
        self.assertEinval(cm, "index", "-4")
        with self.assertRaises(storvirt.StorvirtError) as cm:
            storvirt.DiskSpec({"GUID": UNKNOWN_GUID, "noSuchKey": 1})
        self.assertEinval(cm, "noSuchKey")
        with self.assertRaises(storvirt.StorvirtError) as cm:
            storvirt.DiskSpec.from_json("{not json")
        self.assertEinval(cm)

    def test_argument_checks(self):
        with self.assertRaises(TypeError):
            storvirt.DiskSpec(["GUID"])
        with self.assertRaises(TypeError):
            storvirt.DiskSpec.from_json({"GUID": UNKNOWN_GUID})
        with self.assertRaises(ValueError):
            storvirt.DiskSpec('{"GUID": "3600\0"}')
        with storvirt.DiskSpec() as spec:
            with self.assertRaises(TypeError):
                spec.set("index", object())
            with self.assertRaises(ValueError):
                spec.set("index", float("nan"))
            with self.assertRaises(TypeError):
                spec.set(None, 1)
            with self.assertRaises(ValueError):
                spec.set("GUID", "36\0")
        with storvirt.Context(ignore_env=True, no_autostart=True) as ctx:
            with self.assertRaises(TypeError):
                ctx.resolve_disk(42)
            with self.assertRaises(TypeError):
                ctx.resolve_vm({"drives": [object()]})
            closed = storvirt.DiskSpec()
            closed.close()
            with self.assertRaises(ValueError):
                ctx.resolve_disk(closed)
        with self.assertRaises(ValueError):
            ctx.resolve_disk({"path": "/dev/null"})

    def test_freed_when_collected(self):
        gc.collect()
        before = len(storvirt._live_objects)
        spec = storvirt.DiskSpec({"GUID": UNKNOWN_GUID})
        self.assertEqual(len(storvirt._live_objects), before + 1)
        del spec
        gc.collect()
        self.assertEqual(len(storvirt._live_objects), before)


@needs_resolve
class TestPathSpecs(unittest.TestCase):
    """Specs of host files: no LUN involved."""

    def setUp(self):
        self.ctx = storvirt.Context(ignore_env=True, no_autostart=True)
        self.tmp = tempfile.TemporaryDirectory(prefix="storvirt-resolve-")
        self.raw = os.path.join(self.tmp.name, "disk.raw")
        with open(self.raw, "wb") as f:
            f.truncate(4 << 20)

    def tearDown(self):
        self.ctx.close()
        self.tmp.cleanup()

    def test_raw_file(self):
        disk = disk_of(self.ctx.resolve_disk({"path": self.raw}))
        self.assertEqual(disk.get("type"), "file")
        self.assertEqual(disk.get("device"), "disk")
        self.assertEqual(disk.find("source").get("file"), self.raw)
        self.assertEqual(disk.find("driver").get("type"), "raw")
        self.assertEqual(disk.find("target").get("bus"), "virtio")
        self.assertEqual(disk.find("target").get("dev"), "vda")

    def test_raw_file_dict(self):
        with storvirt.DiskSpec(path=self.raw, iface="scsi", index=1) as spec:
            d = self.ctx.resolve_disk(spec, dict=True)
        self.assertIsInstance(d, dict)
        self.assertEqual(d["type"], "disk")
        self.assertEqual(d["device"], "disk")
        self.assertEqual(d["path"], self.raw)
        self.assertEqual(d["iface"], "scsi")
        self.assertEqual(d["index"], 1)
        self.assertEqual(d["format"], "raw")
        self.assertEqual(d["diskType"], "file")

    def test_missing_file(self):
        missing = os.path.join(self.tmp.name, "no-such.raw")
        with self.assertRaises(FileNotFoundError) as cm:
            self.ctx.resolve_disk({"path": missing})
        self.assertIsInstance(cm.exception, storvirt.StorvirtError)
        self.assertIn(missing, cm.exception.strerror)

    def test_vm_of_files(self):
        other = os.path.join(self.tmp.name, "other.raw")
        with open(other, "wb") as f:
            f.truncate(1 << 20)
        vm = {"drives": [{"path": self.raw, "bootOrder": 1}, {"path": other}]}
        for form in (vm, json.dumps(vm), vm["drives"]):
            with self.subTest(form=type(form).__name__):
                root = ET.fromstring(self.ctx.resolve_vm(form))
                self.assertEqual(root.tag, "devices")
                disks = root.findall("disk")
                self.assertEqual([d.find("source").get("file") for d in disks], [self.raw, other])
                self.assertEqual([d.find("target").get("dev") for d in disks], ["vda", "vdb"])
        d = self.ctx.resolve_vm(vm, dict=True)
        self.assertEqual([x["path"] for x in d["devices"]], [self.raw, other])

    def test_vm_optional_warnings(self):
        """An optional drive whose storage is unreachable is left out; the
        warning comes back in the list given as ``warnings``."""
        vm = [{"pool": "nosuchpool", "volume": "x", "optional": True}, {"path": self.raw}]
        warnings = []
        root = ET.fromstring(self.ctx.resolve_vm(vm, warnings=warnings))
        self.assertEqual([d.find("source").get("file") for d in root.findall("disk")],
                         [self.raw])
        self.assertEqual(len(warnings), 1, warnings)
        self.assertTrue(warnings[0].startswith("drive 1: left out: "), warnings)
        self.assertIn("nosuchpool", warnings[0])
        self.assertEqual(self.ctx.resolve_vm(vm).count("<disk "), 1)
        with self.assertRaises(TypeError):
            self.ctx.resolve_vm(vm, warnings=())

    def test_threads(self):
        """Threads resolving through one Context and their own specs.  (Files,
        not LUNs: umockdev's stat() of device nodes is not thread-safe, and
        may give one thread another node's device number.)"""
        files = []
        for i in range(8):
            files.append(os.path.join(self.tmp.name, "t%d.raw" % i))
            with open(files[-1], "wb") as f:
                f.truncate((i + 1) << 20)
        errors = []

        def work(k):
            try:
                with storvirt.DiskSpec(path=files[k], iface="scsi", index=k) as spec:
                    for _ in range(50):
                        disk = disk_of(self.ctx.resolve_disk(spec))
                        self.assertEqual(disk.find("source").get("file"), files[k])
                        d = self.ctx.resolve_disk({"path": files[k]}, dict=True)
                        self.assertEqual(d["path"], files[k])
            except BaseException as e:  # noqa: B902 - reported below
                errors.append(e)

        threads = [threading.Thread(target=work, args=(k,)) for k in range(len(files))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]


# --------------------------------------------------------------------------
# LUNs on the umockdev testbed.


@unittest.skipUnless(os.environ.get(EXPECT_ENV) and "UMOCKDEV_DIR" in os.environ,
                     "needs umockdev-run with the testbed of tests/scripts/gen-testbed.py "
                     "and $%s" % EXPECT_ENV)
@needs_resolve
class TestResolveLuns(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.disks, cls.maps = parse_expect(os.environ[EXPECT_ENV])
        assert len(cls.disks) >= 2 and len(cls.maps) >= 2, (cls.disks, cls.maps)

    def setUp(self):
        self.ctx = storvirt.Context(ignore_env=True, no_autostart=True)

    def tearDown(self):
        self.ctx.close()
        gc.collect()

    def assertErrno(self, cm, code):
        e = cm.exception
        self.assertIsInstance(e, storvirt.StorvirtError)
        self.assertEqual(e.errno, code, e.strerror)
        return e

    def test_disks(self):
        for name, guid in self.disks:
            with self.subTest(disk=name):
                disk = disk_of(self.ctx.resolve_disk({"GUID": guid}))
                self.assertEqual(disk.get("type"), "block")
                self.assertEqual(disk.get("device"), "disk")
                self.assertEqual(disk.find("source").get("dev"), "/dev/" + name)
                self.assertEqual(disk.find("driver").get("type"), "raw")
                self.assertEqual(disk.find("driver").get("io"), "native")
                self.assertEqual(disk.find("target").get("dev"), "vda")

    def test_maps(self):
        for dm, guid, _ in self.maps:
            with self.subTest(map=dm):
                disk = disk_of(self.ctx.resolve_disk({"GUID": guid, "iface": "scsi",
                                                      "device": "lun"}))
                self.assertEqual(disk.get("device"), "lun")
                dev = disk.find("source").get("dev")
                self.assertIn(dev, ("/dev/" + dm, "/dev/mapper/" + self.ctx.lun_by_guid(guid)
                                    .dm_name))
                self.assertEqual(self.ctx.lun_by_path(dev).guid, guid)
                self.assertEqual(disk.find("target").get("bus"), "scsi")

    def test_dict(self):
        name, guid = self.disks[1]
        d = self.ctx.resolve_disk(storvirt.DiskSpec(GUID=guid, iface="scsi", index=2),
                                  dict=True)
        self.assertIsInstance(d, dict)
        for key in ("type", "device", "iface", "index", "GUID", "format", "propagateErrors",
                    "diskType"):
            self.assertIn(key, d)
        self.assertEqual(d["type"], "disk")
        self.assertEqual(d["device"], "disk")
        self.assertEqual(d["GUID"], guid)
        self.assertEqual(d["iface"], "scsi")
        self.assertEqual(d["index"], 2)
        self.assertEqual(d["format"], "raw")
        self.assertEqual(d["diskType"], "block")
        self.assertIn("/dev/" + name, json.dumps(d))

    def test_flags_keyword(self):
        _, guid = self.disks[0]
        d = self.ctx.resolve_disk({"GUID": guid}, flags=storvirt.STORVIRT_RESOLVE_DICT)
        self.assertIsInstance(d, str)
        self.assertEqual(json.loads(d)["GUID"], guid)
        with self.assertRaises(storvirt.StorvirtError) as cm:
            self.ctx.resolve_disk({"GUID": guid}, flags=1 << 20)
        self.assertErrno(cm, errno.EINVAL)

    def test_bad_iface(self):
        _, guid = self.disks[0]
        with self.assertRaises(storvirt.StorvirtError) as cm:
            self.ctx.resolve_disk({"GUID": guid, "iface": "token-ring"})
        e = self.assertErrno(cm, errno.EINVAL)
        self.assertIn("iface", e.strerror)
        self.assertIn("token-ring", e.strerror)

    def test_unknown_guid(self):
        for refresh in (True, False):
            with self.subTest(refresh=refresh):
                with self.assertRaises(FileNotFoundError) as cm:
                    self.ctx.resolve_disk({"GUID": UNKNOWN_GUID}, refresh=refresh)
                e = self.assertErrno(cm, errno.ENOENT)
                self.assertIn(UNKNOWN_GUID, e.strerror)

    def test_vm(self):
        (dm, map_guid, _), (name, guid) = self.maps[0], self.disks[0]
        drives = [{"GUID": map_guid, "bootOrder": 1}, {"device": "cdrom"},
                  {"GUID": guid, "device": "lun", "iface": "scsi"}]
        root = ET.fromstring(self.ctx.resolve_vm({"drives": drives}))
        self.assertEqual(root.tag, "devices")
        disks = root.findall("disk")
        self.assertEqual(len(disks), 3)
        self.assertEqual(disks[0].find("target").get("dev"), "vda")
        self.assertEqual(disks[1].get("device"), "cdrom")
        self.assertEqual(disks[2].find("source").get("dev"), "/dev/" + name)
        self.assertEqual(self.ctx.lun_by_path(disks[0].find("source").get("dev")).name, dm)
        d = self.ctx.resolve_vm(drives, dict=True)
        self.assertEqual([x["device"] for x in d["devices"]], ["disk", "cdrom", "lun"])

    def test_vm_problems(self):
        (_, map_guid, _), (_, guid) = self.maps[0], self.disks[0]
        drives = [{"GUID": map_guid, "bootOrder": 1, "alias": "ua-first"},
                  {"GUID": guid, "bootOrder": 1, "alias": "ua-second"},
                  {"GUID": UNKNOWN_GUID, "alias": "ua-third"}]
        with self.assertRaises(storvirt.ResolveError) as cm:
            self.ctx.resolve_vm({"drives": drives})
        e = self.assertErrno(cm, errno.EINVAL)
        problems = e.problems
        self.assertGreaterEqual(len(problems), 2, problems)
        self.assertTrue(all(isinstance(p, str) for p in problems))
        boot = [p for p in problems if re.search("boot", p, re.I)]
        unknown = [p for p in problems if UNKNOWN_GUID in p]
        self.assertTrue(boot, problems)
        self.assertTrue(unknown, problems)
        self.assertTrue(any("ua-first" in p or "ua-second" in p for p in boot), boot)
        self.assertIn("ua-third", unknown[0])
        for p in problems:
            self.assertIn(p, e.strerror)
        # Without aliases, drives are named by their place in the list.
        for d in drives:
            del d["alias"]
        with self.assertRaises(storvirt.ResolveError) as cm:
            self.ctx.resolve_vm(drives)
        unknown = [p for p in cm.exception.problems if UNKNOWN_GUID in p]
        self.assertTrue(unknown and "drive 3" in unknown[0], cm.exception.problems)

    def test_vm_bad_json(self):
        with self.assertRaises(storvirt.StorvirtError) as cm:
            self.ctx.resolve_vm("{not json")
        self.assertErrno(cm, errno.EINVAL)

    def test_stale_path(self):
        """After discovery another LUN answers at sdb's device number: the
        path is refused, naming it."""
        guids = dict(self.disks)
        self.assertIn("sdb", guids)
        guid = guids["sdb"]
        self.ctx.refresh_luns()
        attr = "/sys/block/sdb/device/vpd_pg83"
        with open(attr, "rb") as f:
            old = f.read()
        other = bytes.fromhex("6001405000000000000000000000ffff")

        def write(data):
            with open(attr, "r+b") as f:
                f.truncate(0)
                f.write(data)

        self.addCleanup(write, old)
        write(vpd83_naa(other))
        with self.assertRaises(storvirt.StorvirtError) as cm:
            self.ctx.resolve_disk({"GUID": guid}, refresh=False)
        e = self.assertErrno(cm, errno.ESTALE)
        self.assertIn("/dev/sdb", e.strerror)
        self.assertIn(guid, e.strerror)
        self.assertIn("3" + other.hex(), e.strerror)
        write(old)
        disk = disk_of(self.ctx.resolve_disk({"GUID": guid}, refresh=False))
        self.assertEqual(disk.find("source").get("dev"), "/dev/sdb")


if __name__ == "__main__":
    unittest.main()
