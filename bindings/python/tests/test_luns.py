# SPDX-License-Identifier: LGPL-2.1-or-later
"""Tests of the LUN classes of the storvirt Python bindings.

The discovery tests need a umockdev testbed made by
tests/scripts/gen-testbed.py and the path of its .expect file in
$STORVIRT_TEST_LUN_EXPECT; without it they are skipped.  Run with:
    python3 tests/scripts/gen-testbed.py fixture /tmp/fx.umockdev /tmp/fx.expect
    STORVIRT_TEST_LUN_EXPECT=/tmp/fx.expect \
    STORVIRT_LIBRARY=<build>/lib/libstorvirt.so.0 PYTHONPATH=bindings/python \
        umockdev-run -d /tmp/fx.umockdev -- \
        python3 -m unittest discover -s bindings/python/tests -p test_luns.py -v

Expected values come from the .expect file and from the testbed's sysfs,
never from copies in this file.
"""

import errno
import gc
import json
import os
import re
import subprocess
import sys
import threading
import unittest
import weakref

HERE = os.path.dirname(os.path.abspath(__file__))
BINDINGS_DIR = os.path.dirname(HERE)
SOURCE_ROOT = os.path.dirname(os.path.dirname(BINDINGS_DIR))
LUN_H = os.path.join(SOURCE_ROOT, "include", "storvirt", "lun.h")
SYMBOL_MAP = os.path.join(SOURCE_ROOT, "lib", "libstorvirt.sym")

if BINDINGS_DIR not in sys.path:
    sys.path.insert(0, BINDINGS_DIR)

import storvirt  # noqa: E402

EXPECT_ENV = "STORVIRT_TEST_LUN_EXPECT"

# Keys of VDSM's getDeviceList records (storvirt/lun.h).
VDSM_KEYS = {
    "GUID", "vendorID", "productID", "fwrev", "serial", "capacity", "devtype",
    "logicalblocksize", "physicalblocksize", "discard_max_bytes", "discard_zeroes_data",
    "pathstatus", "pathlist", "pvUUID", "pvsize", "vgUUID", "status",
}


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


def symbols_of_node(node):
    """The function names the version script exports in ``node``."""
    with open(SYMBOL_MAP, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"^%s\s*\{(.*?)\}" % re.escape(node), text, re.M | re.S)
    if m is None:
        raise AssertionError("no node %s in %s" % (node, SYMBOL_MAP))
    return set(re.findall(r"^\s*(storvirt_\w+)\s*;", m.group(1), re.M))


def parse_expect(path):
    """The .expect file: {"disks": [(name, guid, label)], "maps": [(dm,
    guid, [slaves])], "nvme": [name], "loops": [(name, backing)]}."""
    exp = {"disks": [], "maps": [], "nvme": [], "loops": []}
    with open(path, encoding="utf-8") as f:
        for line in f:
            words = line.split()
            if not words:
                continue
            kind = words[0]
            if kind == "disk":
                exp["disks"].append((words[1], words[2], words[3]))
            elif kind == "map":
                exp["maps"].append((words[1], words[2], words[3].split(",")))
            elif kind == "nvme":
                exp["nvme"].append(words[1])
            elif kind == "loop":
                exp["loops"].append((words[1], words[2]))
            else:
                raise AssertionError("unknown line in %s: %r" % (path, line))
    return exp


def sysfs(name, attr):
    """An attribute of /sys/block/NAME (as the testbed has it), stripped."""
    with open(os.path.join("/sys/block", name, attr), encoding="utf-8") as f:
        return f.read().strip()


def scsi_device_dir(name):
    """The SCSI device directory of block device NAME (.../H:C:T:L)."""
    return os.path.realpath(os.path.join("/sys/block", name, "device"))


# --------------------------------------------------------------------------
# Without a testbed: constants, and a library without STORVIRT_0.3.


class TestLunConstants(unittest.TestCase):
    def test_constants_match_header(self):
        defines = header_defines(LUN_H)
        self.assertIn("STORVIRT_LUN_STATUS_USED", defines)
        for name, value in defines.items():
            with self.subTest(name=name):
                self.assertEqual(getattr(storvirt, name), value)
                self.assertIn(name, storvirt.__all__)

    def test_status_enum(self):
        S = storvirt.LunStatus
        self.assertEqual([s.value for s in S], ["free", "used", "unknown"])
        self.assertEqual(S.FREE, "free")
        self.assertEqual(str(S.USED), "used")
        self.assertEqual("%s/%s" % (S.UNKNOWN, S.FREE), "unknown/free")
        self.assertEqual(f"{S.USED}", "used")
        self.assertIs(S("free"), S.FREE)
        self.assertEqual(S.FREE.code, storvirt.STORVIRT_LUN_STATUS_FREE)
        self.assertEqual(S.USED.code, storvirt.STORVIRT_LUN_STATUS_USED)
        self.assertEqual(S.UNKNOWN.code, storvirt.STORVIRT_LUN_STATUS_UNKNOWN)

    def test_prototypes_cover_the_symbol_node(self):
        declared = {name for name, _, _ in storvirt._PROTOTYPES_0_3}
        self.assertEqual(declared, symbols_of_node("STORVIRT_0.3"))
        self.assertEqual(len(declared), 41)

    def test_missing_symbols_by_node(self):
        self.assertEqual(set(storvirt.missing_symbols_by_node),
                         {"STORVIRT_0.2", "STORVIRT_0.3", "STORVIRT_0.4", "STORVIRT_0.5",
                          "STORVIRT_0.6"})
        self.assertEqual(storvirt.missing_symbols,
                         frozenset().union(*storvirt.missing_symbols_by_node.values()))

    def test_objects_are_not_made_directly(self):
        with self.assertRaises(TypeError):
            storvirt.Lun()
        with self.assertRaises(TypeError):
            storvirt.LunPath()

    def test_argument_checks(self):
        with storvirt.Context(ignore_env=True, no_autostart=True) as ctx:
            with self.assertRaises(TypeError):
                ctx.lun_by_guid(None)
            with self.assertRaises(ValueError):
                ctx.lun_by_guid("36\0")
            with self.assertRaises(ValueError):
                ctx.lun_by_path("/dev/sda\0")
            with self.assertRaises(OverflowError):
                ctx.lun_by_devnum(1 << 32, 0)
            with self.assertRaises(OverflowError):
                ctx.lun_by_devnum(8, -1)
            with self.assertRaises(TypeError):
                ctx.list_luns(transport=3)
            with self.assertRaises(TypeError):
                ctx.luns_json(["not a lun"])
            with self.assertRaises(TypeError):
                ctx.luns_json([], transport="iscsi")
        with self.assertRaises(ValueError):
            ctx.list_luns()

    def test_library_without_0_3(self):
        """A library lacking the STORVIRT_0.3 node still loads: everything
        else works, the LUN API raises ENOSYS naming the node."""
        script = r"""
import ctypes, json, sys
sys.path.insert(0, sys.argv[1])
_CDLL = ctypes.CDLL

class WithoutLuns(_CDLL):
    def __getattr__(self, name):
        if name.startswith(("storvirt_lun_", "storvirt_disk_spec_", "storvirt_resolve_")):
            raise AttributeError(name)
        return _CDLL.__getattr__(self, name)

ctypes.CDLL = WithoutLuns
import storvirt
out = {
    "missing": sorted(storvirt.missing_symbols),
    "by_node": {k: sorted(v) for k, v in storvirt.missing_symbols_by_node.items()},
    "version": storvirt.version(),
}
ctx = storvirt.Context(ignore_env=True, no_autostart=True)
out["pool_types"] = ctx.pool_types()
calls = {
    "list_luns": ctx.list_luns,
    "refresh_luns": ctx.refresh_luns,
    "lun_by_guid": lambda: ctx.lun_by_guid("35000c500a1b2c3d4"),
    "lun_by_path": lambda: ctx.lun_by_path("/dev/sda"),
    "luns_json": ctx.luns_json,
}
for name, fn in calls.items():
    try:
        fn()
        out[name] = None
    except OSError as e:
        out[name] = [e.errno, e.strerror, isinstance(e, storvirt.StorvirtError)]
print(json.dumps(out))
"""
        res = subprocess.run([sys.executable, "-c", script, BINDINGS_DIR],
                             capture_output=True, text=True, timeout=120)
        self.assertEqual(res.returncode, 0, res.stderr)
        out = json.loads(res.stdout)
        lun_symbols = sorted(symbols_of_node("STORVIRT_0.3"))
        # the LUN functions later nodes added (storvirt_lun_refresh_size)
        later = sorted(s for s in symbols_of_node("STORVIRT_0.6")
                       if s.startswith(("storvirt_lun_", "storvirt_disk_spec_",
                                        "storvirt_resolve_")))
        self.assertEqual(out["missing"], sorted(lun_symbols + later))
        self.assertEqual(out["by_node"], {"STORVIRT_0.2": [], "STORVIRT_0.3": lun_symbols,
                                          "STORVIRT_0.4": [], "STORVIRT_0.5": [],
                                          "STORVIRT_0.6": later})
        self.assertEqual(out["version"], storvirt.version())
        self.assertIn("dir", out["pool_types"])
        for name in ("list_luns", "refresh_luns", "lun_by_guid", "lun_by_path", "luns_json"):
            with self.subTest(call=name):
                self.assertIsNotNone(out[name], "%s did not fail" % name)
                code, msg, is_storvirt_error = out[name]
                self.assertEqual(code, errno.ENOSYS)
                self.assertTrue(is_storvirt_error)
                self.assertIn("STORVIRT_0.3", msg)
                self.assertRegex(msg, r"^storvirt_lun_\w+: not provided by ")


# --------------------------------------------------------------------------
# Discovery on the umockdev testbed.


@unittest.skipUnless(os.environ.get(EXPECT_ENV) and "UMOCKDEV_DIR" in os.environ,
                     "needs umockdev-run with the testbed of tests/scripts/gen-testbed.py "
                     "and $%s" % EXPECT_ENV)
class LunTestCase(unittest.TestCase):
    """A Context on the umockdev testbed, and what the .expect file says."""

    @classmethod
    def setUpClass(cls):
        cls.expect = parse_expect(os.environ[EXPECT_ENV])
        # The testbed must have all kinds, or the tests below check nothing.
        assert len(cls.expect["disks"]) >= 2, cls.expect
        assert len(cls.expect["maps"]) >= 2, cls.expect
        assert cls.expect["nvme"] and cls.expect["loops"], cls.expect

    def setUp(self):
        if storvirt.missing_symbols_by_node.get("STORVIRT_0.3"):
            self.skipTest("the library at %s lacks STORVIRT_0.3" % storvirt.library_path)
        self.ctx = storvirt.Context(ignore_env=True, no_autostart=True)

    def tearDown(self):
        self.ctx.close()
        gc.collect()

    def assertErrno(self, cm, code):
        e = cm.exception
        self.assertIsInstance(e, storvirt.StorvirtError)
        self.assertEqual(e.errno, code, e.strerror)
        return e

    @property
    def n_expected(self):
        e = self.expect
        return len(e["disks"]) + len(e["maps"]) + len(e["nvme"]) + len(e["loops"])

    def by_name(self):
        return {lun.name: lun for lun in self.ctx.list_luns()}


class TestDiscovery(LunTestCase):
    def test_count(self):
        luns = self.ctx.list_luns()
        self.assertEqual(self.n_expected, 10)
        self.assertEqual(len(luns), self.n_expected)
        self.assertTrue(all(isinstance(lun, storvirt.Lun) for lun in luns))
        self.assertEqual(len({lun.name for lun in luns}), len(luns))

    def test_guids_and_order(self):
        luns = self.ctx.list_luns()
        expected = {guid for _, guid, _ in self.expect["disks"]}
        expected |= {guid for _, guid, _ in self.expect["maps"]}
        guids = [lun.guid for lun in luns]
        with_guid = [g for g in guids if g is not None]
        self.assertTrue(expected <= set(with_guid), (expected, guids))
        # Sorted by GUID, the LUNs without one last.
        self.assertEqual(with_guid, sorted(with_guid))
        self.assertEqual(guids[:len(with_guid)], with_guid)
        self.assertEqual(len(set(with_guid)), len(with_guid))

    def test_single_disks(self):
        luns = self.by_name()
        for name, guid, label in self.expect["disks"]:
            with self.subTest(disk=name, designator=label):
                lun = luns[name]
                self.assertEqual(lun.guid, guid)
                self.assertEqual(lun.devnode, "/dev/" + name)
                self.assertEqual(lun.devtype, "scsi")
                self.assertIsNone(lun.dm_name)
                self.assertFalse(lun.multipath)
                self.assertIsNone(lun.loop_backing)
                self.assertEqual([p.name for p in lun.paths], [name])
                self.assertEqual(lun.n_paths, 1)
                path = lun.paths[0]
                self.assertEqual(path.devnode, "/dev/" + name)
                self.assertEqual(path.transport, "scsi")
                self.assertEqual(path.devnum, lun.devnum)
                self.assertIsNone(path.iscsi)

    def test_multipath_grouping(self):
        luns = self.by_name()
        members = set()
        for dm, guid, slaves in self.expect["maps"]:
            with self.subTest(map=dm):
                lun = luns[dm]
                self.assertEqual(lun.guid, guid)
                self.assertEqual(lun.devnode, "/dev/" + dm)
                self.assertEqual(lun.dm_name, sysfs(dm, "dm/name"))
                self.assertTrue(lun.multipath)
                self.assertEqual(lun.devtype, "iscsi")
                self.assertEqual(lun.n_paths, len(slaves))
                self.assertEqual(sorted(p.name for p in lun.paths), sorted(slaves))
                for p in lun.paths:
                    self.assertEqual(p.devnode, "/dev/" + p.name)
                    self.assertEqual(p.transport, "iscsi")
                    self.assertNotEqual(p.devnum, lun.devnum)
                members.update(slaves)
        # Member paths are never LUNs of their own.
        self.assertFalse(members & set(luns), members & set(luns))
        self.assertEqual(sorted(len(s) for _, _, s in self.expect["maps"]), [2, 3, 4])

    def test_nvme(self):
        luns = self.by_name()
        for name in self.expect["nvme"]:
            with self.subTest(nvme=name):
                lun = luns[name]
                self.assertEqual(lun.devtype, "nvme")
                self.assertEqual(lun.guid, sysfs(name, "wwid"))
                self.assertEqual(len(lun.paths), 1)
                path = lun.paths[0]
                self.assertEqual(path.transport, "nvme")
                self.assertIsNone(path.hctl)
                self.assertIsNone(path.iscsi)
                self.assertIsNone(path.state)
                self.assertIsNone(lun.vendor)

    def test_loop(self):
        luns = self.by_name()
        for name, backing in self.expect["loops"]:
            with self.subTest(loop=name):
                lun = luns[name]
                self.assertEqual(lun.devtype, "loop")
                self.assertEqual(lun.loop_backing, backing)
                self.assertIsNone(lun.guid)
                self.assertIsNone(lun.paths[0].hctl)
        # Only attached loop devices are LUNs.
        loops = [n for n in luns if n.startswith("loop")]
        self.assertEqual(sorted(loops), sorted(n for n, _ in self.expect["loops"]))

    def test_partitions(self):
        luns = self.by_name()
        seen = 0
        for name, _, _ in self.expect["disks"]:
            with self.subTest(disk=name):
                parts = sorted(e for e in os.listdir("/sys/block/" + name)
                               if e.startswith(name))
                self.assertEqual(luns[name].partitions, parts)
                seen += len(parts)
                for part in parts:
                    self.assertNotIn(part, luns)
        self.assertGreater(seen, 0, "the testbed has no partition")

    def test_geometry_matches_sysfs(self):
        for lun in self.ctx.list_luns():
            with self.subTest(lun=lun.name):
                self.assertEqual(lun.capacity, int(sysfs(lun.name, "size")) * 512)
                self.assertGreater(lun.capacity, 0)
                for prop, attr in (("logical_block_size", "queue/logical_block_size"),
                                   ("physical_block_size", "queue/physical_block_size"),
                                   ("discard_max_bytes", "queue/discard_max_bytes")):
                    try:
                        want = int(sysfs(lun.name, attr))
                    except FileNotFoundError:
                        want = 0
                    self.assertEqual(getattr(lun, prop), want, prop)
                rot = lun.rotational
                self.assertIs(rot, bool(rot))
                self.assertIs(rot, sysfs(lun.name, "queue/rotational") == "1"
                              if os.path.exists("/sys/block/%s/queue/rotational" % lun.name)
                              else False)
                for p in lun.paths:
                    self.assertEqual(p.capacity, int(sysfs(p.name, "size")) * 512)
                major, minor = lun.devnum
                self.assertEqual("%d:%d" % (major, minor), sysfs(lun.name, "dev"))
                self.assertEqual(lun.devnum.major, major)

    def test_inquiry(self):
        luns = self.by_name()
        for name, _, _ in self.expect["disks"]:
            with self.subTest(disk=name):
                lun = luns[name]
                self.assertEqual(lun.vendor, sysfs(name, "device/vendor"))
                self.assertEqual(lun.product, sysfs(name, "device/model"))
                self.assertEqual(lun.revision, sysfs(name, "device/rev"))
                self.assertIsInstance(lun.serial, str)
                self.assertTrue(lun.serial)
        for dm, _, slaves in self.expect["maps"]:
            self.assertEqual(luns[dm].vendor, sysfs(slaves[0], "device/vendor"))

    def test_usage(self):
        for lun in self.ctx.list_luns():
            with self.subTest(lun=lun.name):
                record = lun.json()
                self.assertIsInstance(lun.status, storvirt.LunStatus)
                self.assertEqual(lun.status, record["status"])
                self.assertEqual(lun.status_reason, record["statusReason"])
                self.assertTrue(lun.status_reason)
                # Nothing on the testbed's devices.
                self.assertIs(lun.status, storvirt.LunStatus.FREE)
                self.assertIsNone(lun.fs_type)
                self.assertIsNone(lun.fs_uuid)
                self.assertIsNone(lun.fs_label)
                self.assertIsNone(lun.pt_type)
                self.assertIsNone(lun.lvm)

    def test_repr(self):
        for lun in self.ctx.list_luns():
            r = repr(lun)
            self.assertTrue(r.startswith("<storvirt.Lun "), r)
            self.assertIn(lun.devnode, r)
            if lun.guid:
                self.assertIn(lun.guid, r)
            for p in lun.paths:
                self.assertIn(p.devnode, repr(p))
            lun.close()
            self.assertEqual(repr(lun), "<storvirt.Lun closed>")


class TestPaths(LunTestCase):
    def test_offline_path(self):
        offline = []
        for lun in self.ctx.list_luns():
            for p in lun.paths:
                if p.hctl is None:
                    continue
                with self.subTest(path=p.name):
                    self.assertEqual(p.state, sysfs(p.name, "device/state"))
                    self.assertIn(p.state, ("running", "offline"))
                if p.state == "offline":
                    offline.append((lun.name, p.name))
        # One offline path, in the map of three.
        three = [dm for dm, _, slaves in self.expect["maps"] if len(slaves) == 3]
        self.assertEqual(len(offline), 1, offline)
        self.assertEqual(offline[0][0], three[0])
        record = self.ctx.lun_by_guid(self.by_name()[three[0]].guid).json()
        states = {s["physdev"]: s["state"] for s in record["pathstatus"]}
        self.assertEqual(states.pop(offline[0][1]), "failed")
        self.assertEqual(set(states.values()), {"active"})

    def test_hctl(self):
        n = 0
        for lun in self.ctx.list_luns():
            for p in lun.paths:
                with self.subTest(path=p.name):
                    if p.transport in ("scsi", "iscsi", "fc", "sas", "ata"):
                        h = p.hctl
                        self.assertIsInstance(h, storvirt.Hctl)
                        self.assertEqual("%d:%d:%d:%d" % h,
                                         os.path.basename(scsi_device_dir(p.name)))
                        self.assertEqual(h.host, h[0])
                        n += 1
                    else:
                        self.assertIsNone(p.hctl)
        self.assertEqual(n, len(self.expect["disks"]) +
                         sum(len(s) for _, _, s in self.expect["maps"]))

    def test_iscsi_details(self):
        targets = set()
        for dm, _, slaves in self.expect["maps"]:
            lun = self.ctx.lun_by_path("/dev/" + dm)
            portals = set()
            map_targets = set()
            for p in lun.paths:
                with self.subTest(map=dm, path=p.name):
                    s = p.iscsi
                    self.assertIsInstance(s, storvirt.IscsiSession)
                    self.assertTrue(s.target.startswith("iqn.2026-11.example:target"), s)
                    self.assertRegex(s.portal, r"^127\.0\.0\.\d+:3260$")
                    self.assertEqual(s.tpgt, 1)
                    # The session the path sits in, as sysfs has it.
                    dev = scsi_device_dir(p.name)
                    m = re.search(r"/(session\d+)/", dev)
                    self.assertIsNotNone(m, dev)
                    sess = os.path.join(dev[:m.end()], "iscsi_session", m.group(1))
                    with open(os.path.join(sess, "targetname")) as f:
                        self.assertEqual(s.target, f.read().strip())
                    with open(os.path.join(sess, "initiatorname")) as f:
                        self.assertEqual(s.initiator, f.read().strip())
                    with open(os.path.join(sess, "tpgt")) as f:
                        self.assertEqual(s.tpgt, int(f.read()))
                    portals.add(s.portal)
                    map_targets.add(s.target)
            self.assertEqual(len(portals), len(slaves), portals)
            self.assertEqual(len(map_targets), 1, map_targets)
            targets |= map_targets
            # The JSON pathlist says the same.
            pathlist = {e["physdev"]: e for e in lun.json()["pathlist"]}
            self.assertEqual(set(pathlist), set(slaves))
            for p in lun.paths:
                e = pathlist[p.name]
                self.assertEqual(e["iqn"], p.iscsi.target)
                self.assertEqual("%s:%s" % (e["connection"], e["port"]), p.iscsi.portal)
                self.assertEqual(e["portal"], str(p.iscsi.tpgt))
        self.assertEqual(len(targets), len(self.expect["maps"]))

    def test_path_keeps_lun_alive(self):
        dm, guid, slaves = self.expect["maps"][-1]
        lun = self.ctx.lun_by_guid(guid)
        paths = lun.paths
        ref = weakref.ref(lun)
        lun.close()
        del lun
        gc.collect()
        self.assertIsNone(ref())
        self.ctx.refresh_luns()
        self.ctx.close()
        gc.collect()
        self.assertEqual(sorted(p.name for p in paths), sorted(slaves))
        self.assertEqual([p.index for p in paths], list(range(len(slaves))))
        self.assertTrue(all(p.iscsi.tpgt == 1 for p in paths))
        again = paths[0].lun
        self.assertEqual(again.guid, guid)
        self.assertEqual(again.name, dm)
        paths[0].close()
        with self.assertRaises(ValueError):
            paths[0].name
        self.assertEqual(paths[1].lun.name, dm)


class TestLookups(LunTestCase):
    def test_by_guid(self):
        for name, guid, _ in self.expect["disks"]:
            self.assertEqual(self.ctx.lun_by_guid(guid).name, name)
        for dm, guid, _ in self.expect["maps"]:
            self.assertEqual(self.ctx.lun_by_guid(guid).name, dm)

    def test_by_guid_upper_case(self):
        hex_guids = [(n, g) for n, g, _ in self.expect["disks"] + self.expect["maps"]
                     if re.fullmatch(r"[0-9a-f]+", g)]
        self.assertTrue(any(re.search("[a-f]", g) for _, g in hex_guids), hex_guids)
        for name, guid in hex_guids:
            with self.subTest(guid=guid):
                lun = self.ctx.lun_by_guid(guid.upper())
                self.assertEqual(lun.name, name)
                self.assertEqual(lun.guid, guid)
        nvme = self.by_name()[self.expect["nvme"][0]]
        self.assertEqual(self.ctx.lun_by_guid(nvme.guid.upper()).name, nvme.name)

    def test_by_guid_0x(self):
        # "0x" before NAA hex: the GUID without its leading "3".
        naa = [(n, g) for n, g, _ in self.expect["disks"] + self.expect["maps"]
               if g.startswith("3")]
        self.assertTrue(naa)
        for name, guid in naa:
            self.assertEqual(self.ctx.lun_by_guid("0x" + guid[1:]).name, name)

    def test_by_path(self):
        for dm, guid, slaves in self.expect["maps"]:
            for s in slaves:
                with self.subTest(path=s):
                    lun = self.ctx.lun_by_path("/dev/" + s)
                    self.assertEqual(lun.name, dm)
                    self.assertEqual(lun.guid, guid)
            self.assertEqual(self.ctx.lun_by_path("/dev/" + dm).guid, guid)
            dm_name = self.ctx.lun_by_guid(guid).dm_name
            self.assertEqual(self.ctx.lun_by_path("/dev/mapper/" + dm_name).name, dm)
        for name, guid, _ in self.expect["disks"]:
            self.assertEqual(self.ctx.lun_by_path("/dev/" + name).guid, guid)
            self.assertEqual(self.ctx.lun_by_path(b"/dev/" + name.encode()).guid, guid)
        loop, _ = self.expect["loops"][0]
        self.assertEqual(self.ctx.lun_by_path("/dev/" + loop).name, loop)

    def test_by_devnum(self):
        for lun in self.ctx.list_luns():
            with self.subTest(lun=lun.name):
                self.assertEqual(self.ctx.lun_by_devnum(*lun.devnum).name, lun.name)
                self.assertEqual(self.ctx.lun_by_devnum(lun.devnum).name, lun.name)
                dev = os.makedev(*lun.devnum)
                self.assertEqual(self.ctx.lun_by_devnum(dev).name, lun.name)
                for p in lun.paths:
                    self.assertEqual(self.ctx.lun_by_devnum(*p.devnum).name, lun.name)

    def test_unknown_guid(self):
        guid = "3" + "f" * 32
        with self.assertRaises(FileNotFoundError) as cm:
            self.ctx.lun_by_guid(guid)
        e = self.assertErrno(cm, errno.ENOENT)
        self.assertIn(guid, e.strerror)

    def test_invalid_guid(self):
        with self.assertRaises(storvirt.StorvirtError) as cm:
            self.ctx.lun_by_guid("")
        self.assertErrno(cm, errno.EINVAL)

    def test_partition_path(self):
        disks = [(n, os.path.join("/dev", e)) for n, _, _ in self.expect["disks"]
                 for e in sorted(os.listdir("/sys/block/" + n)) if e.startswith(n)]
        self.assertTrue(disks)
        for disk, part in disks:
            with self.subTest(partition=part):
                with self.assertRaises(FileNotFoundError) as cm:
                    self.ctx.lun_by_path(part)
                e = self.assertErrno(cm, errno.ENOENT)
                self.assertIn(part, e.strerror)
                self.assertIn("partition of %s" % disk, e.strerror)

    def test_not_a_block_device(self):
        for path in ("/etc/passwd", "/dev/null"):
            with self.subTest(path=path):
                with self.assertRaises(storvirt.StorvirtError) as cm:
                    self.ctx.lun_by_path(path)
                e = self.assertErrno(cm, errno.ENOTBLK)
                self.assertIn(path, e.strerror)

    def test_missing_path(self):
        with self.assertRaises(FileNotFoundError) as cm:
            self.ctx.lun_by_path("/dev/no-such-disk")
        self.assertErrno(cm, errno.ENOENT)

    def test_unknown_devnum(self):
        part = [e for e in os.listdir("/sys/block/" + self.expect["disks"][0][0])
                if e.startswith(self.expect["disks"][0][0])]
        self.assertTrue(part)
        major, minor = (int(x) for x in sysfs(
            os.path.join(self.expect["disks"][0][0], part[0]), "dev").split(":"))
        with self.assertRaises(FileNotFoundError) as cm:
            self.ctx.lun_by_devnum(major, minor)
        e = self.assertErrno(cm, errno.ENOENT)
        self.assertIn("%d:%d" % (major, minor), e.strerror)

    def test_unknown_fs_uuid(self):
        with self.assertRaises(FileNotFoundError) as cm:
            self.ctx.lun_by_fs_uuid("0b1e9c0e-2f14-4c3a-9d57-6f7c3b1a0e11")
        self.assertErrno(cm, errno.ENOENT)

    def test_invalid_transport(self):
        with self.assertRaises(storvirt.StorvirtError) as cm:
            self.ctx.list_luns("token-ring")
        e = self.assertErrno(cm, errno.EINVAL)
        self.assertIn("token-ring", e.strerror)
        with self.assertRaises(storvirt.StorvirtError) as cm:
            self.ctx.luns_json(transport="token-ring")
        self.assertErrno(cm, errno.EINVAL)


class TestFilters(LunTestCase):
    def test_transport_filter(self):
        maps = sorted(dm for dm, _, _ in self.expect["maps"])
        disks = sorted(n for n, _, _ in self.expect["disks"])
        names = lambda t: sorted(lun.name for lun in self.ctx.list_luns(t))  # noqa: E731
        self.assertEqual(names("iscsi"), maps)
        self.assertEqual(names("scsi"), disks)
        self.assertEqual(names("nvme"), sorted(self.expect["nvme"]))
        self.assertEqual(names("loop"), sorted(n for n, _ in self.expect["loops"]))
        for t in ("fc", "sas", "ata", "virtio"):
            self.assertEqual(names(t), [], t)
        self.assertEqual(len(self.ctx.list_luns(transport=None)), self.n_expected)

    def test_free_only_and_refresh(self):
        all_luns = [lun.name for lun in self.ctx.list_luns()]
        free = [lun.name for lun in self.ctx.list_luns(free_only=True)]
        self.assertEqual(free, [lun.name for lun in self.ctx.list_luns()
                                if lun.status == "free"])
        self.assertEqual(free, all_luns)
        self.assertEqual([lun.name for lun in self.ctx.list_luns(refresh=True)], all_luns)
        self.assertEqual([lun.name for lun in self.ctx.list_luns("iscsi", free_only=True,
                                                                 refresh=True)],
                         [lun.name for lun in self.ctx.list_luns("iscsi")])


class TestJson(LunTestCase):
    def test_lun_json(self):
        for lun in self.ctx.list_luns():
            with self.subTest(lun=lun.name):
                record = lun.json()
                self.assertIsInstance(record, dict)
                self.assertTrue(VDSM_KEYS <= set(record), VDSM_KEYS - set(record))
                self.assertEqual(record["GUID"], lun.guid or "")
                self.assertEqual(record["name"], lun.name)
                self.assertEqual(record["devnode"], lun.devnode)
                self.assertEqual(record["devnum"], "%d:%d" % lun.devnum)
                self.assertEqual(record["transport"], lun.devtype)
                self.assertEqual(record["capacity"], str(lun.capacity))
                self.assertEqual(record["logicalblocksize"], str(lun.logical_block_size))
                self.assertEqual(record["discard_max_bytes"], lun.discard_max_bytes)
                self.assertEqual(record["multipath"], lun.multipath)
                self.assertEqual(record["partitions"], lun.partitions)
                self.assertEqual(sorted(s["physdev"] for s in record["pathstatus"]),
                                 sorted(p.name for p in lun.paths))
                if lun.multipath:
                    self.assertEqual(record["devtype"], "iSCSI")
                    self.assertEqual(record["dmName"], lun.dm_name)

    def test_luns_json(self):
        luns = self.ctx.list_luns()
        doc = self.ctx.luns_json()
        self.assertEqual(list(doc), ["devList"])
        self.assertEqual([r["name"] for r in doc["devList"]], [lun.name for lun in luns])
        self.assertEqual(doc["devList"], [lun.json() for lun in luns])
        iscsi = self.ctx.luns_json(transport="iscsi")
        self.assertEqual(sorted(r["GUID"] for r in iscsi["devList"]),
                         sorted(g for _, g, _ in self.expect["maps"]))
        self.assertEqual(len(self.ctx.luns_json(free_only=True, refresh=True)["devList"]),
                         self.n_expected)

    def test_luns_json_of_given_luns(self):
        luns = self.ctx.list_luns()
        pick = [luns[-1], luns[0]]
        doc = self.ctx.luns_json(pick)
        self.assertEqual([r["name"] for r in doc["devList"]], [luns[-1].name, luns[0].name])
        self.assertEqual(self.ctx.luns_json([]), {"devList": []})
        self.assertEqual(len(self.ctx.luns_json(lun for lun in luns)["devList"]), len(luns))
        # The handles are still ours afterwards.
        self.assertEqual(pick[0].name, luns[-1].name)
        pick[1].close()
        with self.assertRaises(ValueError):
            self.ctx.luns_json(pick)
        self.assertEqual(pick[0].json()["name"], luns[-1].name)


class TestLifetime(LunTestCase):
    def snapshot(self, lun):
        return (lun.guid, lun.name, lun.devnode, lun.devnum, lun.capacity,
                [(p.name, p.state, p.hctl, p.iscsi) for p in lun.paths], lun.json())

    def test_valid_after_refresh(self):
        luns = self.ctx.list_luns()
        before = [self.snapshot(lun) for lun in luns]
        self.ctx.refresh_luns()
        self.ctx.refresh_luns()
        gc.collect()
        self.assertEqual([self.snapshot(lun) for lun in luns], before)
        # The new snapshot shows the same host.
        self.assertEqual([self.snapshot(lun) for lun in self.ctx.list_luns()], before)

    def test_valid_after_context_dropped(self):
        ctx = storvirt.Context(ignore_env=True, no_autostart=True)
        luns = ctx.list_luns()
        one = ctx.lun_by_guid(self.expect["maps"][0][1])
        before = [self.snapshot(lun) for lun in luns]
        ref = weakref.ref(ctx)
        del ctx
        gc.collect()
        self.assertIsNone(ref(), "a Lun keeps its Context object alive")
        self.assertEqual([self.snapshot(lun) for lun in luns], before)
        self.assertEqual(one.name, self.expect["maps"][0][0])
        self.assertEqual(len(self.ctx.luns_json(luns)["devList"]), len(luns))

    def test_closed_lun(self):
        lun = self.ctx.list_luns()[0]
        with lun as same:
            self.assertIs(same, lun)
            self.assertTrue(lun.guid)
        self.assertTrue(lun.closed)
        lun.close()
        for attr in ("guid", "devnum", "paths", "status", "capacity"):
            with self.assertRaises(ValueError):
                getattr(lun, attr)
        with self.assertRaises(ValueError):
            lun.json()

    def test_threads(self):
        expect = [lun.name for lun in self.ctx.list_luns()]
        guids = [g for _, g, _ in self.expect["maps"]]
        errors = []

        def worker(i):
            try:
                for k in range(20):
                    if i == 0 and k % 5 == 0:
                        self.ctx.refresh_luns()
                    names = [lun.name for lun in self.ctx.list_luns()]
                    assert names == expect, names
                    lun = self.ctx.lun_by_guid(guids[k % len(guids)])
                    assert lun.guid == guids[k % len(guids)]
                    assert len(lun.paths) >= 2
            except BaseException as e:  # pragma: no cover
                errors.append(e)

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])


if __name__ == "__main__":
    unittest.main()
