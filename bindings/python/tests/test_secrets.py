# SPDX-License-Identifier: LGPL-2.1-or-later
"""Secrets through the storvirt Python bindings (STORVIRT_0.6): define with a
value given as bytes or as a file, list, XML without the value, undefine,
and an encrypted volume made with one.

Run with:
    STORVIRT_LIBRARY=<build>/lib/libstorvirt.so.0 \
        python3 -m unittest discover -s bindings/python/tests -v
"""

import errno
import os
import shutil
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
BINDINGS_DIR = os.path.dirname(HERE)
if BINDINGS_DIR not in sys.path:
    sys.path.insert(0, BINDINGS_DIR)

import storvirt  # noqa: E402

UUID = "0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f"


class TestSecrets(unittest.TestCase):
    def setUp(self):
        if "storvirt_secret_define_xml" in storvirt.missing_symbols:
            self.skipTest("the library does not export the STORVIRT_0.6 secret functions")
        self._tmp = tempfile.TemporaryDirectory(prefix="storvirt-py-secret-")
        self.tmp = self._tmp.name
        self.ctx = storvirt.Context(state_dir=os.path.join(self.tmp, "state"))

    def tearDown(self):
        self.ctx.close()
        self._tmp.cleanup()

    def test_define_list_xml_undefine(self):
        doc = ("<secret private='yes'><uuid>%s</uuid><usage type='volume'>"
               "<volume>/srv/a.img</volume></usage></secret>" % UUID)
        self.assertEqual(self.ctx.define_secret(doc, value=b"s3cret-value"), UUID)
        self.assertEqual(self.ctx.secrets(), [UUID])
        xml = self.ctx.secret_xml(UUID)
        self.assertNotIn("s3cret-value", xml)
        root = ET.fromstring(xml)
        self.assertEqual(root.findtext("usage/volume"), "/srv/a.img")
        self.assertEqual(root.get("private"), "yes")
        # from a file; a document without <uuid> gets a new one
        path = os.path.join(self.tmp, "value")
        with open(path, "wb") as f:
            f.write(b"other")
        other = self.ctx.define_secret("<secret/>", value_file=path)
        self.assertEqual(sorted(self.ctx.secrets()), sorted([UUID, other]))
        with self.assertRaises(ValueError):
            self.ctx.define_secret("<secret/>", value=b"x", value_file=path)
        with self.assertRaises(storvirt.StorvirtError) as e:
            self.ctx.define_secret("<secret ephemeral='yes'/>", value=b"x")
        self.assertEqual(e.exception.errno, errno.EOPNOTSUPP)
        self.ctx.undefine_secret(UUID)
        with self.assertRaises(storvirt.StorvirtError) as e:
            self.ctx.secret_xml(UUID)
        self.assertEqual(e.exception.errno, errno.ENOENT)
        self.assertEqual(self.ctx.secrets(), [other])

    @unittest.skipUnless(shutil.which("qemu-img"), "qemu-img is not installed")
    def test_encrypted_volume(self):
        self.ctx.define_secret("<secret><uuid>%s</uuid></secret>" % UUID, value="pass phrase")
        target = os.path.join(self.tmp, "pool")
        pool = self.ctx.define_pool("<pool type='dir'><name>p</name><target><path>%s</path>"
                                    "</target></pool>" % target)
        pool.start(build=True)
        vol = pool.create_volume(
            "<volume><name>e.img</name><capacity unit='M'>4</capacity><target>"
            "<format type='raw'/><encryption format='luks'><secret type='passphrase' "
            "uuid='%s'/></encryption></target></volume>" % UUID)
        enc = ET.fromstring(vol.xml()).find("target/encryption")
        self.assertEqual(enc.get("format"), "luks")
        self.assertEqual(enc.find("secret").get("uuid"), UUID)
        with open(vol.path, "rb") as f:
            self.assertEqual(f.read(6), b"LUKS\xba\xbe")


if __name__ == "__main__":
    unittest.main()
