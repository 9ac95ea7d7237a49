# SPDX-License-Identifier: LGPL-2.1-or-later
"""The storvirt commands and options that follow virsh's: pool-define-as and
pool-create-as with every source option, find-storage-pool-sources-as,
pool-name, pool-uuid, vol-name, pool-capabilities, pool-info/vol-info
--bytes, pool-list --name/--uuid and vol-wipe --algorithm.

Where virsh is installed, the pool XML that pool-define-as prints is compared
with what virsh prints for the same options (virsh -c test:///default
pool-define-as --print-xml, which needs no daemon).  pool-capabilities is
validated with libvirt's storagepoolcaps schema when virt-xml-validate is
there, and what it says of each pool type is checked against what
pool-validate accepts."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ET

CLI = os.environ.get("STORVIRT_CLI", "storvirt")
VIRSH = shutil.which("virsh")
VALIDATE = shutil.which("virt-xml-validate")
IQN_T = "iqn.2024-01.org.example:target"
IQN_I = "iqn.2024-01.org.example:host1"
WWNN, WWPN = "20000000c9831b4b", "10000000c9831b4b"
VIRSH_ALGORITHMS = ("nnsa", "dod", "bsi", "gutmann", "schneier", "pfitzner7", "pfitzner33",
                    "random", "trim")


def clean_env():
    e = dict(os.environ)
    for k in ("STORVIRT_DEBUG", "STORVIRT_STATE_DIR"):
        e.pop(k, None)
    return e


def canon(elem):
    """An element as comparable data: tag, attributes, text, children in any order."""
    kids = sorted((canon(c) for c in elem), key=repr)
    return (elem.tag, tuple(sorted(elem.attrib.items())), (elem.text or "").strip(), tuple(kids))


class CliVirshTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="storvirt-cli-virsh-")
        self.tmp = self._tmp.name
        self.state = os.path.join(self.tmp, "state")

    def tearDown(self):
        self._tmp.cleanup()

    def run_cli(self, *args, input=None):
        p = subprocess.run([CLI, "-d", self.state, *args], capture_output=True, text=True,
                           env=clean_env(), timeout=120, input=input)
        return p.returncode, p.stdout, p.stderr

    def ok(self, *args, input=None):
        rc, out, err = self.run_cli(*args, input=input)
        self.assertEqual(rc, 0, "storvirt %s: %s" % (" ".join(args), err))
        self.assertEqual(err, "")
        return out

    def js(self, *args):
        doc = json.loads(self.ok("--json", *args))
        self.assertEqual(doc["status"], {"code": 0, "message": "Done"})
        return doc

    def fails(self, rc_expected, *args):
        rc, out, err = self.run_cli(*args)
        self.assertEqual(rc, rc_expected, "storvirt %s: %r %r" % (" ".join(args), out, err))
        self.assertEqual(out, "")
        return err

    def dir_pool(self, name="p1"):
        target = os.path.join(self.tmp, name)
        self.ok("pool-define-as", name, "dir", "--target", target)
        self.ok("pool-start", name, "--build")
        return target

    # -- pool-define-as, pool-create-as ----------------------------------------

    def define_as_xml(self, *args):
        return ET.fromstring(self.ok("pool-define-as", *args, "--print-xml"))

    def test_define_as_iscsi_direct(self):
        """--source-initiator: an iscsi-direct pool from options alone."""
        args = ["direct", "iscsi-direct", "--source-host", "192.0.2.7:3260", "--source-dev",
                IQN_T, "--source-initiator", IQN_I]
        root = self.define_as_xml(*args)
        self.assertEqual(root.find("source/initiator/iqn").get("name"), IQN_I)
        self.assertEqual(root.find("source/host").attrib, {"name": "192.0.2.7", "port": "3260"})
        self.assertEqual(self.ok("pool-define-as", *args), "Pool direct defined\n")
        xml = ET.fromstring(self.ok("pool-dumpxml", "direct", "--inactive"))
        self.assertEqual(xml.find("source/initiator/iqn").get("name"), IQN_I)
        self.assertEqual(xml.find("source/device").get("path"), IQN_T)
        self.assertEqual(xml.find("source/host").get("port"), "3260")
        self.assertIsNone(xml.find("target"))

    def test_define_as_auth(self):
        base = ["san", "iscsi", "--source-host", "192.0.2.7", "--source-dev", IQN_T,
                "--target", "/dev/disk/by-path", "--auth-type", "chap", "--auth-username", "u1"]
        auth = self.define_as_xml(*base, "--secret-usage", "san-chap").find("source/auth")
        self.assertEqual(auth.attrib, {"type": "chap", "username": "u1"})
        self.assertEqual(auth.find("secret").attrib, {"usage": "san-chap"})
        uuid = "acedbb82-66cb-4c2d-aa20-2c9daa9e3090"
        auth = self.define_as_xml(*base, "--secret-uuid", uuid).find("source/auth")
        self.assertEqual(auth.find("secret").attrib, {"uuid": uuid})
        self.ok("pool-define-as", *base, "--secret-usage", "san-chap")
        self.assertEqual(ET.fromstring(self.ok("pool-dumpxml", "san")).find(
            "source/auth/secret").get("usage"), "san-chap")
        # virsh drops a partial <auth> silently; here it is refused
        for extra, why in ((["--secret-usage", "x", "--secret-uuid", uuid],
                            "give --secret-usage or --secret-uuid, not both"),
                           ([], "--auth-type and --auth-username need --secret-usage or "
                                "--secret-uuid"),):
            with self.subTest(extra=extra):
                err = self.fails(2, "pool-define-as", *base, *extra, "--print-xml")
                self.assertIn("pool-define-as: " + why, err)
        err = self.fails(2, "pool-define-as", "p", "iscsi", "--secret-usage", "x", "--print-xml")
        self.assertIn("--secret-usage needs --auth-type and --auth-username", err)
        err = self.fails(2, "pool-define-as", "p", "iscsi", "--auth-type", "chap",
                         "--secret-usage", "x", "--print-xml")
        self.assertIn("--auth-type and --auth-username go together", err)

    def test_define_as_adapter(self):
        root = self.define_as_xml("hba", "scsi", "--adapter-name", "host0", "--target", "/dev/x")
        self.assertEqual(root.find("source/adapter").attrib,
                         {"type": "scsi_host", "name": "host0"})
        for parent, attrs in ((["--adapter-parent", "scsi_host5"], {"parent": "scsi_host5"}),
                              (["--adapter-parent-wwnn", "20000000c9848140",
                                "--adapter-parent-wwpn", "10000000c9848140"],
                               {"parent_wwnn": "20000000c9848140",
                                "parent_wwpn": "10000000c9848140"}),
                              (["--adapter-parent-fabric-wwn", "2002000573de9a81"],
                               {"parent_fabric_wwn": "2002000573de9a81"}),
                              ([], {})):
            with self.subTest(parent=parent):
                args = ["npiv", "scsi", "--adapter-wwnn", WWNN, "--adapter-wwpn", WWPN,
                        "--target", "/dev/disk/by-path", *parent]
                root = self.define_as_xml(*args)
                self.assertEqual(root.find("source/adapter").attrib,
                                 {"type": "fc_host", "wwnn": WWNN, "wwpn": WWPN, **attrs})
                # the library takes what was written
                self.ok("pool-validate", "-", input=ET.tostring(root, encoding="unicode"))
        for args, why in ((["--adapter-name", "host0", "--adapter-wwnn", WWNN, "--adapter-wwpn",
                            WWPN], "give --adapter-name or --adapter-wwnn with --adapter-wwpn, "
                                   "not both"),
                          (["--adapter-wwnn", WWNN], "--adapter-wwnn and --adapter-wwpn go "
                                                     "together"),
                          (["--adapter-parent", "scsi_host5"],
                           "--adapter-parent needs --adapter-wwnn and --adapter-wwpn"),
                          (["--adapter-name", "host0", "--adapter-parent", "scsi_host5"],
                           "--adapter-parent needs --adapter-wwnn and --adapter-wwpn"),
                          (["--adapter-wwnn", WWNN, "--adapter-wwpn", WWPN, "--adapter-parent",
                            "scsi_host5", "--adapter-parent-fabric-wwn", "2002000573de9a81"],
                           "give --adapter-parent or --adapter-parent-fabric-wwn, not both")):
            with self.subTest(args=args):
                err = self.fails(2, "pool-define-as", "p", "scsi", *args, "--print-xml")
                self.assertIn("pool-define-as: " + why, err)

    def test_source_host_port(self):
        """HOST:PORT and [IPv6]:PORT split into <host name port>."""
        for host, attrs in (("nas1", {"name": "nas1"}),
                            ("nas1:2049", {"name": "nas1", "port": "2049"}),
                            ("192.0.2.1:3260", {"name": "192.0.2.1", "port": "3260"}),
                            ("[fd00::1]:3260", {"name": "fd00::1", "port": "3260"}),
                            ("[fd00::1]", {"name": "fd00::1"}),
                            ("fd00::1", {"name": "fd00::1"})):
            with self.subTest(host=host):
                root = self.define_as_xml("n", "netfs", "--source-host", host, "--source-path",
                                          "/e", "--target", "/mnt/n")
                self.assertEqual(root.find("source/host").attrib, attrs)
                self.ok("pool-validate", "-", input=ET.tostring(root, encoding="unicode"))
        for host, why in (("nas1:", "no port after ':'"),
                          ("nas1:nfs", "port 'nfs' is not a number from 1 to 65535"),
                          ("nas1:0", "port '0' is not a number from 1 to 65535"),
                          ("nas1:65536", "port '65536' is not a number from 1 to 65535"),
                          ("[fd00::1", "no ']' after the IPv6 address"),
                          ("[fd00::1]x", "unexpected 'x' after ']'"),
                          (":2049", "no host name"), ("", "no host name")):
            with self.subTest(host=host):
                err = self.fails(2, "pool-define-as", "n", "netfs", "--source-host", host,
                                 "--print-xml")
                self.assertIn("pool-define-as: --source-host '%s': %s" % (host, why), err)

    @unittest.skipUnless(VIRSH, "virsh not installed")
    def test_define_as_matches_virsh(self):
        """The XML of pool-define-as is virsh's for the same options."""
        cases = [
            ["d", "dir", "--target", "/srv/d"],
            ["n", "netfs", "--source-host", "nas1", "--source-path", "/e", "--source-format",
             "nfs", "--source-protocol-ver", "4.1", "--target", "/mnt/n"],
            ["l", "logical", "--source-name", "vg0", "--source-dev", "/dev/sdb"],
            ["i", "iscsi-direct", "--source-host", "192.0.2.7", "--source-dev", IQN_T,
             "--source-initiator", IQN_I, "--auth-type", "chap", "--auth-username", "u",
             "--secret-usage", "x"],
            ["s", "scsi", "--adapter-name", "host0", "--target", "/dev/disk/by-path"],
            ["f", "scsi", "--adapter-wwnn", WWNN, "--adapter-wwpn", WWPN, "--adapter-parent",
             "scsi_host5"],
            ["g", "scsi", "--adapter-wwnn", WWNN, "--adapter-wwpn", WWPN,
             "--adapter-parent-wwnn", "2000", "--adapter-parent-wwpn", "1000"],
        ]
        for args in cases:
            with self.subTest(args=args):
                p = subprocess.run([VIRSH, "-c", "test:///default", "pool-define-as", *args,
                                    "--print-xml"], capture_output=True, text=True, timeout=60)
                if p.returncode != 0:
                    self.skipTest("virsh cannot print pool XML here: " + p.stderr)
                self.assertEqual(canon(self.define_as_xml(*args)), canon(ET.fromstring(p.stdout)))

    def test_pool_create_as(self):
        """A transient pool lives as long as the context: one command here."""
        target = os.path.join(self.tmp, "t1")
        self.assertEqual(self.ok("pool-create-as", "t1", "dir", "--target", target, "--build"),
                         "Pool t1 created\n")
        self.assertTrue(os.path.isdir(target))
        self.assertEqual(self.js("pool-list", "--all")["pools"], [])  # transient: gone
        doc = self.js("pool-create-as", "t2", "dir", "--target", target)
        self.assertEqual(doc["name"], "t2")
        root = ET.fromstring(self.ok("pool-create-as", "t3", "iscsi-direct", "--source-host",
                                     "h", "--source-dev", IQN_T, "--source-initiator", IQN_I,
                                     "--print-xml"))
        self.assertEqual(root.find("source/initiator/iqn").get("name"), IQN_I)
        err = self.fails(2, "pool-create-as", "t4", "dir", "--overwrite", "--no-overwrite")
        self.assertIn("give --overwrite or --no-overwrite, not both", err)
        # the pool is started: a missing target directory without --build fails
        self.fails(1, "pool-create-as", "t5", "dir", "--target", os.path.join(self.tmp, "no"))
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "no")))

    # -- find-storage-pool-sources-as --------------------------------------------

    def test_find_sources_as_builds_the_spec(self):
        """The same result as find-storage-pool-sources with the spec virsh writes
        (a portal that refuses connections: the error names it either way)."""
        cases = [
            (["iscsi", "127.0.0.1", "1"], "<source><host name='127.0.0.1' port='1'/></source>"),
            (["iscsi", "--host", "127.0.0.1", "--port", "1", "--initiator", IQN_I],
             "<source><host name='127.0.0.1' port='1'/><initiator><iqn name='%s'/>"
             "</initiator></source>" % IQN_I),
            (["iscsi-direct", "127.0.0.1:1", "--initiator", IQN_I],
             "<source><host name='127.0.0.1' port='1'/><initiator><iqn name='%s'/>"
             "</initiator></source>" % IQN_I),
            (["dir"], None),
        ]
        spec = os.path.join(self.tmp, "spec.xml")
        for args, xml in cases:
            with self.subTest(args=args):
                if xml:
                    with open(spec, "w") as f:
                        f.write(xml)
                want = self.run_cli("find-storage-pool-sources", args[0], *([spec] if xml else []))
                got = self.run_cli("find-storage-pool-sources-as", *args)
                self.assertEqual(got, want)
                self.assertEqual(got[0], 1)
        for args, why in ((["iscsi", "--port", "3260"], "PORT and INITIATOR need HOST"),
                          (["iscsi", "--initiator", IQN_I], "PORT and INITIATOR need HOST"),
                          (["iscsi", "h:3260", "3260"], "HOST 'h:3260' has a port already"),
                          (["iscsi", "h", "x"], "PORT 'x' is not a number from 1 to 65535")):
            with self.subTest(args=args):
                self.assertIn("find-storage-pool-sources-as: " + why,
                              self.fails(2, "find-storage-pool-sources-as", *args))

    # -- pool-name, pool-uuid, vol-name ------------------------------------------

    def test_pool_name_uuid_vol_name(self):
        target = self.dir_pool()
        uuid = self.js("pool-info", "p1")["uuid"]
        self.assertEqual(self.ok("pool-uuid", "p1"), uuid + "\n")
        self.assertEqual(self.ok("pool-name", uuid), "p1\n")
        self.assertEqual(self.js("pool-name", uuid)["name"], "p1")
        self.assertEqual(self.js("pool-uuid", "p1")["uuid"], uuid)
        # as virsh: pool-name takes a UUID only, pool-uuid a name only
        self.assertIn("failed to get pool 'p1': no storage pool with matching UUID",
                      self.fails(1, "pool-name", "p1"))
        self.assertIn("failed to get pool '%s': no storage pool with matching name" % uuid,
                      self.fails(1, "pool-uuid", uuid))
        self.ok("vol-create-as", "p1", "a.raw", "1M")
        path = os.path.join(target, "a.raw")
        key = self.ok("vol-key", "a.raw", "--pool", "p1").strip()
        self.assertEqual(self.ok("vol-name", path), "a.raw\n")
        self.assertEqual(self.ok("vol-name", key), "a.raw\n")
        self.assertEqual(self.js("vol-name", path)["name"], "a.raw")
        self.assertIn("'a.raw'", self.fails(1, "vol-name", "a.raw"))  # a name needs a pool
        self.fails(2, "vol-name", "a.raw", "--pool", "p1")

    # -- --bytes, pool-list --name/--uuid ----------------------------------------

    def test_info_bytes(self):
        self.dir_pool()
        self.ok("vol-create-as", "p1", "a.raw", "3M")
        info = self.js("pool-info", "p1")
        out = self.ok("pool-info", "p1", "--bytes")
        self.assertIn("Capacity:      %d\n" % info["capacity"], out)
        self.assertRegex(out, r"\nAllocation:    \d+\nAvailable:     \d+\n$")
        self.assertIn("GiB\n", self.ok("pool-info", "p1"))
        self.assertEqual(set(self.js("pool-info", "p1", "--bytes")), set(info))
        out = self.ok("vol-info", "a.raw", "--pool", "p1", "--bytes")
        self.assertIn("Capacity:      3145728 bytes\n", out)
        self.assertRegex(out, r"Allocation:    \d+ bytes\n")
        self.assertIn("Capacity:      3.0 MiB\n", self.ok("vol-info", "a.raw", "--pool", "p1"))
        self.assertEqual(self.js("vol-info", "--bytes", "a.raw", "--pool", "p1"),
                         self.js("vol-info", "a.raw", "--pool", "p1"))

    def test_pool_list_name_uuid(self):
        self.dir_pool("p1")
        self.dir_pool("p2")
        self.ok("pool-define-as", "p3", "dir", "--target", os.path.join(self.tmp, "p3"))
        uuids = {p["name"]: p["uuid"] for p in self.js("pool-list", "--all")["pools"]}
        self.assertEqual(self.ok("pool-list", "--name"), "p1\np2\n")
        self.assertEqual(self.ok("pool-list", "--name", "--all"), "p1\np2\np3\n")
        self.assertEqual(self.ok("pool-list", "--uuid", "--inactive"), uuids["p3"] + "\n")
        self.assertEqual(self.ok("pool-list", "--uuid", "--name"),
                         "%s p1\n%s p2\n" % (uuids["p1"], uuids["p2"]))
        names = [p["name"] for p in self.js("pool-list", "--name")["pools"]]
        self.assertEqual(names, ["p1", "p2"])  # JSON: the objects, as without --name
        for opt in ("--name", "--uuid"):
            with self.subTest(opt=opt):
                self.assertIn("pool-list: give --details or %s, not both" % opt,
                              self.fails(2, "pool-list", "--details", opt))

    # -- vol-wipe --algorithm ----------------------------------------------------------

    def test_vol_wipe_algorithm(self):
        target = self.dir_pool()
        self.ok("vol-create-as", "p1", "a.raw", "64K", "--allocation", "0")
        with open(os.path.join(target, "a.raw"), "r+b") as f:
            f.write(b"\xff" * 4096)
        self.assertEqual(self.ok("vol-wipe", "a.raw", "--pool", "p1", "--algorithm", "zero"),
                         "Vol a.raw wiped\n")
        with open(os.path.join(target, "a.raw"), "rb") as f:
            self.assertEqual(f.read(4096), b"\0" * 4096)
        for alg in VIRSH_ALGORITHMS:
            with self.subTest(alg=alg):
                err = self.fails(1, "vol-wipe", "a.raw", "--pool", "p1", "--algorithm", alg)
                self.assertIn("vol-wipe: algorithm '%s' is not supported: only 'zero' is" % alg,
                              err)
                rc, out, _ = self.run_cli("--json", "vol-wipe", "a.raw", "--pool", "p1",
                                          "--algorithm", alg)
                self.assertEqual(json.loads(out)["status"]["code"], 95)  # EOPNOTSUPP
        for alg in ("ZERO", "bogus", ""):
            with self.subTest(alg=alg):
                err = self.fails(2, "vol-wipe", "a.raw", "--pool", "p1", "--algorithm", alg)
                self.assertIn("vol-wipe: --algorithm '%s': unknown algorithm" % alg, err)

    # -- pool-capabilities ---------------------------------------------------------------

    def caps(self):
        return ET.fromstring(self.ok("pool-capabilities"))

    def test_pool_capabilities_shape(self):
        root = self.caps()
        self.assertEqual(root.tag, "storagepoolCapabilities")
        pools = {p.get("type"): p for p in root.findall("pool")}
        built_in = set(self.js("info")["pool_types"])
        for t, p in pools.items():
            self.assertEqual(p.get("supported"), "yes" if t in built_in else "no", t)
        self.assertLessEqual(built_in, set(pools))
        self.assertLessEqual({"rbd", "gluster", "zfs", "vstorage"}, set(pools))
        fs = pools["fs"].find("poolOptions")
        self.assertEqual(fs.find("defaultFormat").get("type"), "auto")
        fs_formats = [v.text for v in fs.find("enum[@name='sourceFormatType']")]
        self.assertIn("ext4", fs_formats)
        self.assertIn("xfs", fs_formats)
        dir_vol = pools["dir"].find("volOptions")
        self.assertEqual(dir_vol.find("defaultFormat").get("type"), "raw")
        self.assertIn("qcow2", [v.text for v in dir_vol.find("enum[@name='targetFormatType']")])
        disk_vol = pools["disk"].find("volOptions")
        self.assertEqual(disk_vol.find("defaultFormat").get("type"), "none")
        self.assertIn("extended", [v.text for v in disk_vol.find("enum")])
        self.assertIsNone(pools["iscsi"].find("volOptions"))
        elems = [v.text for v in pools["iscsi-direct"].find("poolOptions/enum[@name='sourceElement']")]
        self.assertEqual(elems, ["host", "device", "initiator", "auth"])
        self.assertEqual(json.loads(self.ok("--json", "pool-capabilities"))["xml"],
                         self.ok("pool-capabilities"))

    @unittest.skipUnless(VALIDATE, "virt-xml-validate not installed")
    def test_pool_capabilities_schema(self):
        path = os.path.join(self.tmp, "caps.xml")
        with open(path, "w") as f:
            f.write(self.ok("pool-capabilities"))
        p = subprocess.run([VALIDATE, path, "storagepoolcaps"], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    SAMPLE = {
        "host": "<host name='192.0.2.9'/>", "device": "<device path='%s'/>",
        "dir": "<dir path='/export'/>", "adapter": "<adapter type='scsi_host' name='host0'/>",
        "name": "<name>src0</name>", "initiator": "<initiator><iqn name='%s'/></initiator>" % IQN_I,
        "format": "<format type='%s'/>", "auth": "<auth type='chap' username='u'>"
        "<secret usage='s'/></auth>", "protocol": "<protocol ver='4'/>",
        "vendor": "<vendor name='Acme'/>", "product": "<product name='X'/>",
    }

    def pool_doc(self, ptype, elems, fmt=None, device="/dev/sdz"):
        if ptype in ("iscsi", "iscsi-direct"):
            device = IQN_T
        src = "".join(self.SAMPLE[e] % (device if e == "device" else fmt)
                      if "%s" in self.SAMPLE[e] else self.SAMPLE[e] for e in elems)
        target = "" if ptype in ("iscsi-direct", "rbd", "sheepdog", "gluster") else \
            "<target><path>/srv/pool</path></target>"
        return "<pool type='%s'><name>pool0</name><source>%s</source>%s</pool>" % (
            ptype, src, target)

    def test_pool_capabilities_agree_with_the_library(self):
        """Each type's source elements and formats are what pool-validate takes:
        all of them together, the others refused; the default format is the one
        pool-validate writes when none is given."""
        all_elems = list(self.SAMPLE)
        for p in self.caps().findall("pool"):
            ptype = p.get("type")
            elems = [v.text for v in p.findall("poolOptions/enum[@name='sourceElement']/value")]
            formats = [v.text for v in p.findall("poolOptions/enum[@name='sourceFormatType']/value")]
            default = p.find("poolOptions/defaultFormat")
            with self.subTest(type=ptype):
                fmt = "nfs" if "nfs" in formats else formats[0] if formats else None
                self.ok("pool-validate", "-", input=self.pool_doc(ptype, elems, fmt))
                for e in all_elems:
                    if e not in elems:
                        rc, _, err = self.run_cli("pool-validate", "-", input=self.pool_doc(
                            ptype, elems + [e], "x"))
                        self.assertEqual(rc, 1, (e, err))
                        self.assertIn("<%s> is not used by '%s' pools" % (e, ptype), err)
                with_format = [e for e in elems if e != "protocol"]  # NFS versions: nfs only
                for f in formats:
                    self.ok("pool-validate", "-", input=self.pool_doc(ptype, with_format, f))
                if formats:
                    rc, _, err = self.run_cli("pool-validate", "-", input=self.pool_doc(
                        ptype, with_format, "no-such-format"))
                    self.assertEqual(rc, 1, err)
                    without = [e for e in elems if e != "format"]
                    out = self.ok("pool-validate", "--print", "-",
                                  input=self.pool_doc(ptype, without))
                    self.assertEqual(ET.fromstring(out).find("source/format").get("type"),
                                     default.get("type"))


if __name__ == "__main__":
    unittest.main()
