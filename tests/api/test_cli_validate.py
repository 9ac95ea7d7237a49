# SPDX-License-Identifier: LGPL-2.1-or-later
"""storvirt pool-validate and vol-validate: every XML fixture of
tests/data/xml through the CLI (the good ones give their canonical form,
which libvirt's virt-xml-validate must accept; the bad ones fail with the
message of their first line, prefixed with the file), the options, and
that no state directory is touched."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

CLI = os.environ.get("STORVIRT_CLI", "storvirt")
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "xml")
VIRT_XML_VALIDATE = shutil.which("virt-xml-validate")


def clean_env():
    e = dict(os.environ)
    for k in ("STORVIRT_DEBUG", "STORVIRT_STATE_DIR"):
        e.pop(k, None)
    return e


def fixtures(sub):
    d = os.path.join(DATA, sub)
    return sorted(f for f in os.listdir(d) if f.endswith(".xml") and not f.endswith(".out.xml"))


def pool_type_of(name):
    return "iscsi-direct" if name.startswith("iscsi-direct-") else name.split("-", 1)[0]


def expected_error(path):
    """(errno name, message) of a bad fixture's first line."""
    with open(path) as f:
        first = f.readline().strip()
    assert first.startswith("<!-- ") and first.endswith(" -->"), first
    code, msg = first[5:-4].split(": ", 1)
    return code, msg


class CliValidateTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="storvirt-cli-validate-")
        self.tmp = self._tmp.name
        self.state = os.path.join(self.tmp, "state")

    def tearDown(self):
        # Checking XML never needs a state directory.
        self.assertFalse(os.path.exists(self.state))
        self._tmp.cleanup()

    def run_cli(self, *args, input=None):
        p = subprocess.run([CLI, "-d", self.state, *args], capture_output=True,
                           env=clean_env(), timeout=60, input=input)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")

    def ok(self, *args, input=None):
        rc, out, err = self.run_cli(*args, input=input)
        self.assertEqual(rc, 0, "storvirt %s: %s" % (" ".join(args), err))
        self.assertEqual(err, "")
        return out

    def fails(self, rc_expected, *args):
        rc, out, err = self.run_cli(*args)
        self.assertEqual(rc, rc_expected, "storvirt %s: %r %r" % (" ".join(args), out, err))
        self.assertEqual(out, "")
        return err

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def schema_check(self, paths, schema):
        """libvirt's own validator on what we wrote (skipped without it)."""
        if not VIRT_XML_VALIDATE:
            return
        for p in paths:
            r = subprocess.run([VIRT_XML_VALIDATE, p, schema], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, "%s: %s%s" % (p, r.stdout, r.stderr))

    # -- pools ---------------------------------------------------------------

    def test_pool_fixtures(self):
        written = []
        for name in fixtures("pool"):
            with self.subTest(fixture=name):
                path = os.path.join(DATA, "pool", name)
                self.assertEqual(self.ok("pool-validate", path), "%s: valid\n" % path)
                out = self.ok("pool-validate", "--print", path)
                self.assertTrue(out.startswith('<pool type="%s"' % pool_type_of(name)), out)
                self.assertNotIn("<capacity", out)
                # the canonical form is a fixed point, reached from the expected output too
                self.assertEqual(self.ok("pool-validate", "--print", "-", input=out.encode()), out)
                self.assertEqual(self.ok("pool-validate", "--print",
                                         os.path.join(DATA, "pool", name[:-4] + ".out.xml")), out)
                written.append(self.write("pool-" + name, out))
        self.schema_check(written, "storagepool")

    def test_pool_bad_fixtures(self):
        for name in fixtures("pool-bad"):
            with self.subTest(fixture=name):
                path = os.path.join(DATA, "pool-bad", name)
                _, msg = expected_error(path)
                err = self.fails(1, "pool-validate", path)
                self.assertTrue(err.startswith("storvirt: error: %s: " % path), err)
                self.assertIn(msg, err)

    def test_pool_json(self):
        path = os.path.join(DATA, "pool", "zfs-basic.xml")
        doc = json.loads(self.ok("--json", "pool-validate", "--print", path))
        self.assertEqual(doc["status"], {"code": 0, "message": "Done"})
        self.assertTrue(doc["valid"])
        self.assertTrue(doc["xml"].startswith('<pool type="zfs">'))
        doc = json.loads(self.ok("--json", "pool-validate", path))
        self.assertEqual(set(doc), {"status", "valid"})
        bad = self.write("bad.xml", "<pool type='netfs'><name>n</name><source><host name='h'/>"
                                    "<dir path='/e'/><protocol ver='4.9'/></source>"
                                    "<target><path>/t</path></target></pool>")
        rc, out, _ = self.run_cli("--json", "pool-validate", bad)
        self.assertEqual(rc, 1)
        doc = json.loads(out)
        self.assertEqual(doc["status"]["code"], 22)
        self.assertEqual(doc["status"]["message"],
                         "%s: pool XML: <source><protocol>: ver '4.9': NFS version 4 has the "
                         "minor versions 0, 1 and 2" % bad)

    def test_every_source_format(self):
        """Each source format of libvirt's pool schema, for its pool type."""
        sources = {
            "fs": ("<source><device path='/dev/sdb1'/><format type='%s'/></source>"
                   "<target><path>/srv/t</path></target>",
                   "auto ext2 ext3 ext4 ufs iso9660 udf gfs gfs2 vfat hfs+ xfs ocfs2 vmfs"),
            "netfs": ("<source><host name='h'/><dir path='/e'/><format type='%s'/></source>"
                      "<target><path>/srv/t</path></target>", "auto nfs glusterfs cifs"),
            "disk": ("<source><device path='/dev/sdb'/><format type='%s'/></source>"
                     "<target><path>/dev</path></target>",
                     "unknown dos dvh gpt mac bsd pc98 sun lvm2"),
            "logical": ("<source><name>vg</name><format type='%s'/></source>", "unknown lvm2"),
        }
        written = []
        for pool_type, (source, formats) in sources.items():
            for fmt in formats.split():
                with self.subTest(pool_type=pool_type, format=fmt):
                    path = self.write("p-%s-%s.xml" % (pool_type, fmt.replace("+", "p")),
                                      "<pool type='%s'><name>n</name>%s</pool>"
                                      % (pool_type, source % fmt))
                    out = self.ok("pool-validate", "--print", path)
                    self.assertIn('<format type="%s"/>' % fmt, out)
                    written.append(self.write("out-" + os.path.basename(path), out))
        self.schema_check(written, "storagepool")

    def test_every_volume_format(self):
        """Each volume format a pool type takes (libvirt's lists)."""
        formats = {
            "dir": "raw dir bochs cloop dmg iso vpc vdi fat vhd ploop cow qcow qcow2 qed vmdk",
            "disk": "none linux fat16 fat32 linux-swap linux-lvm linux-raid extended",
            "rbd": "raw",
        }
        written = []
        for pool_type, names in formats.items():
            for fmt in names.split():
                with self.subTest(pool_type=pool_type, format=fmt):
                    path = self.write("v-%s-%s.xml" % (pool_type, fmt),
                                      "<volume><name>v</name><capacity>1</capacity><target>"
                                      "<format type='%s'/></target></volume>" % fmt)
                    out = self.ok("vol-validate", "--print", "--pool-type", pool_type, path)
                    self.assertIn('<format type="%s"/>' % fmt, out)
                    written.append(self.write("out-" + os.path.basename(path), out))
        self.schema_check(written, "storagevol")

    # -- volumes -------------------------------------------------------------

    def pool_fixture_of_type(self, pool_type):
        for name in fixtures("pool"):
            if pool_type_of(name) == pool_type:
                return os.path.join(DATA, "pool", name)
        self.fail("no pool fixture of type %s" % pool_type)

    def test_volume_fixtures(self):
        written = []
        for name in fixtures("vol"):
            with self.subTest(fixture=name):
                path = os.path.join(DATA, "vol", name)
                with open(os.path.join(DATA, "vol", name[:-4] + ".out.xml")) as f:
                    want = f.read()
                pool_type = pool_type_of(name)
                self.assertEqual(self.ok("vol-validate", "--pool-type", pool_type, "--print", path),
                                 want)
                self.assertEqual(self.ok("vol-validate", "--print", "--pool-xml",
                                         self.pool_fixture_of_type(pool_type), path), want)
                self.assertEqual(self.ok("vol-validate", "--pool-type", pool_type, path),
                                 "%s: valid\n" % path)
                written.append(self.write("vol-" + name, want))
        self.schema_check(written, "storagevol")

    def test_volume_bad_fixtures(self):
        for name in fixtures("vol-bad"):
            with self.subTest(fixture=name):
                path = os.path.join(DATA, "vol-bad", name)
                _, msg = expected_error(path)
                err = self.fails(1, "vol-validate", "--pool-type", pool_type_of(name), path)
                self.assertTrue(err.startswith("storvirt: error: %s: " % path), err)
                self.assertIn(msg, err)

    def test_volume_pool_context(self):
        vol = self.write("v.xml", "<volume><name>v</name><capacity unit='M'>1</capacity>"
                                  "<target><format type='qcow2'/></target></volume>")
        # the pool type decides: qcow2 is fine in a dir pool, not in a disk pool
        self.assertIn('<format type="qcow2"/>', self.ok("vol-validate", "--print", "--pool-type",
                                                        "dir", vol))
        err = self.fails(1, "vol-validate", "--pool-type", "disk", vol)
        self.assertEqual(err, "storvirt: error: %s: volume XML: <target><format>: unknown format "
                              "'qcow2' for 'disk' pools\n" % vol)
        # zfs volumes have no format; without a pool, the schema alone decides
        self.assertNotIn("<format", self.ok("vol-validate", "--print", "--pool-type", "zfs", vol))
        self.assertEqual(self.ok("vol-validate", vol), "%s: valid\n" % vol)
        err = self.fails(1, "vol-validate", "--pool-type", "tape", vol)
        self.assertIn("volume XML: unknown pool type 'tape'", err)
        # a bad pool document is reported against its own file
        pool = self.write("p.xml", "<pool type='dir'><name>d</name><target><path>rel</path>"
                                   "</target></pool>")
        err = self.fails(1, "vol-validate", "--pool-xml", pool, vol)
        self.assertEqual(err, "storvirt: error: %s: pool XML: <target><path>: 'rel' is not an "
                              "absolute path\n" % pool)
        err = self.fails(1, "vol-validate", "--pool-xml", os.path.join(self.tmp, "none.xml"), vol)
        self.assertIn("cannot open", err)
        doc = json.loads(self.ok("--json", "vol-validate", "--pool-type", "dir", "--print", vol))
        self.assertTrue(doc["valid"])
        self.assertIn("<capacity unit=\"bytes\">1048576</capacity>", doc["xml"])

    def test_usage(self):
        vol = self.write("v.xml", "<volume><name>v</name><capacity>1</capacity></volume>")
        pool = self.pool_fixture_of_type("dir")
        err = self.fails(2, "vol-validate", "--pool-type", "dir", "--pool-xml", pool, vol)
        self.assertIn("give --pool-xml or --pool-type, not both", err)
        err = self.fails(2, "vol-validate", "--pool-type", "<pool type='dir'/>", vol)
        self.assertIn("use --pool-xml", err)
        self.fails(2, "vol-validate")
        self.fails(2, "pool-validate")
        self.fails(2, "pool-validate", "a.xml", "b.xml")
        self.fails(2, "pool-validate", "--pool-type", "dir", pool)
        for cmd in ("pool-validate", "vol-validate"):
            rc, usage, _ = self.run_cli("help", cmd)
            self.assertEqual(rc, 0)
            self.assertTrue(usage.startswith("Usage: storvirt %s " % cmd), usage)


if __name__ == "__main__":
    unittest.main()
