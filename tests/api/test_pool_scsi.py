# SPDX-License-Identifier: LGPL-2.1-or-later
"""scsi pools under umockdev, on the fixture testbed
(tests/scripts/gen-testbed.py fixture: each SCSI disk on a host of its
own, multipath member paths on hosts 5 to 13).  A scsi_host pool's
volumes are the LUNs on that host, named unit:B:T:L and keyed by the
GUID the LUN module reads (for a member path: its map's GUID); unknown
hosts and unknown fc_host WWNs are refused with their names.

The hba testbed (gen-testbed.py hba) has two Fibre Channel HBA ports
(scsi_host + fc_host, LUNs behind a remote port) and a virtio-scsi host:
find-storage-pool-sources lists each host and the fc_host form of each
FC one, and every listed source, defined as a pool, gives that host's
LUNs.

Environment: STORVIRT_CLI, UMOCKDEV_RUN, STORVIRT_TESTBED,
STORVIRT_TESTBED_EXPECT (the fixture's expectations: device, GUID),
STORVIRT_TESTBED_HBA and STORVIRT_TESTBED_HBA_EXPECT."""
import json
import xml.etree.ElementTree as ET
import os
import subprocess
import tempfile
import unittest

CLI = os.environ.get("STORVIRT_CLI", "storvirt")
UMOCKDEV_RUN = os.environ.get("UMOCKDEV_RUN", "umockdev-run")
TESTBED = os.environ.get("STORVIRT_TESTBED", "")
EXPECT = os.environ.get("STORVIRT_TESTBED_EXPECT", "")
HBA = os.environ.get("STORVIRT_TESTBED_HBA", "")
HBA_EXPECT = os.environ.get("STORVIRT_TESTBED_HBA_EXPECT", "")


def clean_env():
    e = dict(os.environ)
    for k in ("STORVIRT_DEBUG", "STORVIRT_STATE_DIR"):
        e.pop(k, None)
    e.setdefault("TMPDIR", "/dev/shm")
    return e


class Base(unittest.TestCase):
    bed = ""

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="storvirt-pool-scsi-")
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def run_cli(self, *args):
        return subprocess.run([UMOCKDEV_RUN, "-d", self.bed, "--", CLI, "-d",
                               os.path.join(self.tmp, "state"), *args],
                              capture_output=True, text=True, env=clean_env(), timeout=120)

    def ok(self, *args):
        p = self.run_cli(*args)
        self.assertEqual(p.returncode, 0, "%s: %s" % (args, p.stderr))
        return p.stdout

    def define(self, name, adapter):
        xml = os.path.join(self.tmp, name + ".xml")
        with open(xml, "w") as f:
            f.write("<pool type='scsi'><name>%s</name><source>%s</source>"
                    "<target><path>/dev/disk/by-path</path></target></pool>" % (name, adapter))
        self.ok("pool-define", xml)

    def keys(self, pool):
        """volume name -> key"""
        vols = json.loads(self.ok("--json", "vol-list", pool))["volumes"]
        return {v["name"]: self.ok("vol-key", v["name"], "--pool", pool).strip() for v in vols}


@unittest.skipUnless(HBA and HBA_EXPECT, "STORVIRT_TESTBED_HBA and STORVIRT_TESTBED_HBA_EXPECT are not set")
class HbaTest(Base):
    bed = HBA

    @classmethod
    def setUpClass(cls):
        cls.fc = {}         # host -> (wwnn, wwpn)
        cls.hosts = []      # every SCSI host, in the file's order
        cls.luns = {}       # host -> {unit name: GUID}
        with open(HBA_EXPECT) as f:
            for line in f:
                w = line.split()
                if w[0] == "fc":
                    cls.fc[w[1]] = (w[2], w[3])
                    cls.hosts.append(w[1])
                elif w[0] == "scsi":
                    cls.hosts.append(w[1])
                elif w[0] == "disk":
                    cls.luns.setdefault(w[3], {})["unit:0:0:%s" % w[4]] = w[2]

    def sources(self):
        out = []
        for src in ET.fromstring(self.ok("find-storage-pool-sources", "scsi")).findall("source"):
            (a,) = src.findall("adapter")
            out.append(dict(a.attrib))
        return out

    def test_find_sources(self):
        want = []
        for h in sorted(self.hosts, key=lambda h: int(h[4:])):
            want.append({"type": "scsi_host", "name": h})
            if h in self.fc:
                want.append({"type": "fc_host", "wwnn": self.fc[h][0], "wwpn": self.fc[h][1]})
        self.assertEqual(self.sources(), want)
        spec = os.path.join(self.tmp, "spec.xml")
        with open(spec, "w") as f:
            f.write("<source><adapter type='scsi_host' name='host3'/></source>")
        p = self.run_cli("find-storage-pool-sources", "scsi", spec)
        self.assertEqual(p.returncode, 1)
        self.assertIn("scsi pools take no source spec", p.stderr)

    def test_every_source_is_a_pool(self):
        # what find-sources gives, defined as it is, is a pool of that host's LUNs
        by_wwn = {v: h for h, v in self.fc.items()}
        for i, a in enumerate(self.sources()):
            host = a["name"] if a["type"] == "scsi_host" else by_wwn[(a["wwnn"], a["wwpn"])]
            adapter = "<adapter %s/>" % " ".join("%s='%s'" % kv for kv in a.items())
            self.define("p%d" % i, adapter)
            self.ok("pool-start", "p%d" % i)
            self.assertEqual(self.keys("p%d" % i), self.luns[host], adapter)

    def test_fc_host_spellings(self):
        # WWNs with 0x and upper case name the same port
        host = sorted(self.fc)[0]
        wwnn, wwpn = self.fc[host]
        self.define("fc", "<adapter type='fc_host' wwnn='0x%s' wwpn='%s'/>" % (wwnn.upper(), wwpn))
        self.ok("pool-start", "fc")
        self.assertEqual(self.keys("fc"), self.luns[host])
        # the node name of one port with the port name of another is no adapter
        other = [h for h in self.fc if h != host][0]
        self.define("mix", "<adapter type='fc_host' wwnn='%s' wwpn='%s'/>" % (wwnn, self.fc[other][1]))
        p = self.run_cli("pool-start", "mix")
        self.assertEqual(p.returncode, 1)
        self.assertIn("no fc_host has WWNN %s and WWPN %s" % (wwnn, self.fc[other][1]), p.stderr)
        # one adapter is one pool's: while "fc" holds it, another definition of it is refused
        with open(os.path.join(self.tmp, "again.xml"), "w") as f:
            f.write("<pool type='scsi'><name>again</name><source><adapter type='fc_host' "
                    "wwnn='%s' wwpn='%s'/></source><target><path>/dev/disk/by-path</path>"
                    "</target></pool>" % (wwnn, wwpn))
        p = self.run_cli("pool-define", os.path.join(self.tmp, "again.xml"))
        self.assertEqual(p.returncode, 1)
        self.assertIn("would share the SCSI adapter of WWNN", p.stderr)
        self.assertIn("with pool 'fc'", p.stderr)
        self.ok("pool-destroy", "fc")
        self.ok("pool-undefine", "fc")
        # an existing port named with its parent is found; an unknown one would be an
        # NPIV vport to create on that parent, which is refused as unsupported
        self.define("withparent", "<adapter type='fc_host' parent='%s' wwnn='%s' wwpn='%s'/>"
                    % (host, wwnn, wwpn))
        self.ok("pool-start", "withparent")
        self.assertEqual(self.keys("withparent"), self.luns[host])
        self.define("vport", "<adapter type='fc_host' parent='%s' wwnn='2001000e1e09b4b5' "
                    "wwpn='2101000e1e09b4b5'/>" % host)
        p = self.run_cli("pool-start", "vport")
        self.assertEqual(p.returncode, 1)
        self.assertIn("creating it as an NPIV vHBA on the parent (%s) is not supported" % host,
                      p.stderr)


@unittest.skipUnless(TESTBED and EXPECT, "STORVIRT_TESTBED and STORVIRT_TESTBED_EXPECT are not set")
class ScsiPoolTest(Base):
    bed = TESTBED

    @classmethod
    def setUpClass(cls):
        # what the fixture holds: disks and maps with their GUIDs
        cls.guid_of = {}
        with open(EXPECT) as f:
            for line in f:
                parts = line.split()
                if parts and parts[0] in ("disk", "map") and len(parts) >= 3:
                    cls.guid_of[parts[1]] = parts[2]

    def test_scsi_host(self):
        self.define("h1", "<adapter type='scsi_host' name='host1'/>")
        # start and list in one umockdev session each: the pool is found active again
        self.ok("pool-start", "h1")
        vols = json.loads(self.ok("--json", "vol-list", "h1"))["volumes"]
        self.assertEqual([v["name"] for v in vols], ["unit:0:0:0"])
        self.assertEqual(self.ok("vol-key", "unit:0:0:0", "--pool", "h1").strip(),
                         self.guid_of["sdb"])
        self.assertEqual(self.ok("vol-path", "unit:0:0:0", "--pool", "h1").strip(), "/dev/sdb")

    def test_member_path_host(self):
        # host 8 holds one path of map dm-1 (LUN 1): keyed by the map's GUID
        self.define("h8", "<adapter type='scsi_host' name='host8'/>")
        self.ok("pool-start", "h8")
        self.assertEqual(self.ok("vol-key", "unit:0:0:1", "--pool", "h8").strip(),
                         self.guid_of["dm-1"])

    def test_refusals(self):
        self.define("h99", "<adapter type='scsi_host' name='host99'/>")
        p = self.run_cli("pool-start", "h99")
        self.assertEqual(p.returncode, 1)
        self.assertIn("no SCSI host 99", p.stderr)
        self.define("fc", "<adapter type='fc_host' wwnn='20000000c9831b4b' wwpn='10000000c9831b4b'/>")
        p = self.run_cli("pool-start", "fc")
        self.assertEqual(p.returncode, 1)
        self.assertIn("no fc_host has WWNN 20000000c9831b4b and WWPN 10000000c9831b4b", p.stderr)


if __name__ == "__main__":
    unittest.main()
