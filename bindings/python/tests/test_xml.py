# SPDX-License-Identifier: LGPL-2.1-or-later
"""storvirt.pool_xml_canonicalize() and storvirt.volume_xml_canonicalize():
pool and volume XML checked and written in canonical form without a
context, on the fixtures of tests/data/xml and on focused cases.

Run with:
    STORVIRT_LIBRARY=<build>/lib/libstorvirt.so.0 \
        python3 -m unittest discover -s bindings/python/tests -v
"""

import errno
import os
import sys
import unittest
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
BINDINGS_DIR = os.path.dirname(HERE)
if BINDINGS_DIR not in sys.path:
    sys.path.insert(0, BINDINGS_DIR)

import storvirt  # noqa: E402

DATA = os.path.join(BINDINGS_DIR, "..", "..", "tests", "data", "xml")


def fixtures(sub):
    d = os.path.join(DATA, sub)
    return sorted(f for f in os.listdir(d) if f.endswith(".xml") and not f.endswith(".out.xml"))


def read(*parts):
    with open(os.path.join(DATA, *parts)) as f:
        return f.read()


def pool_type_of(name):
    return "iscsi-direct" if name.startswith("iscsi-direct-") else name.split("-", 1)[0]


@unittest.skipUnless(os.path.isdir(DATA), "the source tree's XML fixtures are not here")
class XmlCanonicalizeTest(unittest.TestCase):
    def test_exported(self):
        self.assertIn("pool_xml_canonicalize", storvirt.__all__)
        self.assertIn("volume_xml_canonicalize", storvirt.__all__)
        self.assertEqual(storvirt.missing_symbols_by_node["STORVIRT_0.6"] &
                         {"storvirt_pool_xml_canonicalize", "storvirt_volume_xml_canonicalize"},
                         frozenset())

    def test_pool_fixtures(self):
        for name in fixtures("pool"):
            with self.subTest(fixture=name):
                out = storvirt.pool_xml_canonicalize(read("pool", name))
                root = ET.fromstring(out)
                self.assertEqual(root.tag, "pool")
                self.assertEqual(root.get("type"), pool_type_of(name))
                self.assertIsNone(root.find("capacity"))
                self.assertEqual(storvirt.pool_xml_canonicalize(out), out)
                self.assertEqual(storvirt.pool_xml_canonicalize(
                    read("pool", name[:-4] + ".out.xml")), out)

    def test_pool_bad_fixtures(self):
        for name in fixtures("pool-bad"):
            with self.subTest(fixture=name):
                xml = read("pool-bad", name)
                code, msg = xml.splitlines()[0][5:-4].split(": ", 1)
                with self.assertRaises(storvirt.StorvirtError) as cm:
                    storvirt.pool_xml_canonicalize(xml)
                self.assertEqual(cm.exception.errno, getattr(errno, code))
                self.assertIn(msg, cm.exception.strerror)

    def test_volume_fixtures(self):
        for name in fixtures("vol"):
            with self.subTest(fixture=name):
                want = read("vol", name[:-4] + ".out.xml")
                self.assertEqual(storvirt.volume_xml_canonicalize(read("vol", name),
                                                                  pool_type_of(name)), want)

    def test_volume_bad_fixtures(self):
        for name in fixtures("vol-bad"):
            with self.subTest(fixture=name):
                xml = read("vol-bad", name)
                code, msg = xml.splitlines()[0][5:-4].split(": ", 1)
                with self.assertRaises(storvirt.StorvirtError) as cm:
                    storvirt.volume_xml_canonicalize(xml, pool_type_of(name))
                self.assertEqual(cm.exception.errno, getattr(errno, code))
                self.assertIn(msg, cm.exception.strerror)

    def test_volume_pool_argument(self):
        vol = ("<volume><name>v</name><capacity unit='KiB'>64</capacity>"
               "<target><format type='qcow2'/></target></volume>")
        pool = ("<pool type='dir'><name>d</name><uuid>3f0d3c1a-2b7e-4c59-8e16-0d9a5b4c7e21</uuid>"
                "<target><path>/srv/d</path></target></pool>")
        by_type = storvirt.volume_xml_canonicalize(vol, "dir")
        self.assertEqual(storvirt.volume_xml_canonicalize(vol, pool), by_type)
        self.assertEqual(storvirt.volume_xml_canonicalize(vol, pool=pool.encode()), by_type)
        self.assertIn('<capacity unit="bytes">65536</capacity>', by_type)
        # no pool: libvirt's volume schema alone
        self.assertIn('<format type="qcow2"/>', storvirt.volume_xml_canonicalize(vol))
        # zfs volumes carry no format
        self.assertNotIn("<format", storvirt.volume_xml_canonicalize(vol, "zfs"))
        with self.assertRaises(storvirt.StorvirtError) as cm:
            storvirt.volume_xml_canonicalize(vol, "disk")
        self.assertEqual(cm.exception.errno, errno.EINVAL)
        self.assertEqual(cm.exception.strerror, "volume XML: <target><format>: unknown format "
                                                "'qcow2' for 'disk' pools")
        with self.assertRaises(storvirt.StorvirtError) as cm:
            storvirt.volume_xml_canonicalize(vol, "<pool type='dir'><name>d</name></pool>")
        self.assertTrue(cm.exception.strerror.startswith("pool XML: "), cm.exception.strerror)

    def test_xml_only_pool_types(self):
        out = storvirt.pool_xml_canonicalize(
            "<pool type='vstorage'><source><name>cl</name></source>"
            "<target><path>/mnt/cl</path></target></pool>")
        self.assertEqual(ET.fromstring(out).findtext("source/name"), "cl")
        with self.assertRaises(storvirt.StorvirtError) as cm:
            storvirt.pool_xml_canonicalize("<pool type='sheepdog'><source><name>s</name>"
                                           "</source></pool>")
        self.assertIn("missing element <host>", cm.exception.strerror)

    def test_arguments(self):
        with self.assertRaises(TypeError):
            storvirt.pool_xml_canonicalize(None)
        with self.assertRaises(ValueError):
            storvirt.pool_xml_canonicalize("<pool\0/>")
        with self.assertRaises(storvirt.StorvirtError) as cm:
            storvirt.pool_xml_canonicalize("<pool type='dir'/>", flags=4)
        self.assertEqual(cm.exception.errno, errno.EINVAL)
        with self.assertRaises(TypeError):
            storvirt.volume_xml_canonicalize("<volume/>", 3)


if __name__ == "__main__":
    unittest.main()
