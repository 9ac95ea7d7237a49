# SPDX-License-Identifier: LGPL-2.1-or-later
"""The libvirt secrets of iSCSI connections and pools through the storvirt
Python bindings (STORVIRT_0.6): the secret XML a network <disk> behind CHAP
needs, stable per connection and valid in libvirt's schema, and the CHAP
password written to a file descriptor; an iscsi-direct pool's <auth>
resolved to the stored connection that holds its password.

Run with:
    STORVIRT_LIBRARY=<build>/lib/libstorvirt.so.0 \
        python3 -m unittest discover -s bindings/python/tests -v
"""

import contextlib
import errno
import os
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
BINDINGS_DIR = os.path.dirname(HERE)
if BINDINGS_DIR not in sys.path:
    sys.path.insert(0, BINDINGS_DIR)

import storvirt  # noqa: E402

TARGET = "iqn.2026-12.org.libstorvirt.test:chap"
OTHER = "iqn.2026-12.org.libstorvirt.test:other"
PASSWORD = "Py-Chap-Password-31"
POOL_UUID = "5b0f2d8e-3c1a-4e7f-9a6b-0c2d4e6f8a1b"


def read_pipe(write):
    """What write(fd) writes into a pipe."""
    r, w = os.pipe()
    try:
        write(w)
    finally:
        os.close(w)
    with os.fdopen(r, "rb") as f:
        return f.read()


class TestChapSecrets(unittest.TestCase):
    def setUp(self):
        if "storvirt_connection_get_secret_xml" in storvirt.missing_symbols:
            self.skipTest("the library does not export the STORVIRT_0.6 secret functions")
        self._tmp = tempfile.TemporaryDirectory(prefix="storvirt-py-chap-")
        self.tmp = self._tmp.name
        self.state = os.path.join(self.tmp, "state")
        self.ctx = storvirt.Context(state_dir=self.state)
        self.ctx.define_connections([
            {"type": "iscsi", "driver": "direct", "id": "c1", "portal": "127.0.0.1:3260",
             "target": TARGET, "user": "u1", "password": PASSWORD},
            {"type": "iscsi", "driver": "direct", "id": "open", "portal": "127.0.0.1:3260",
             "target": OTHER},
            {"type": "iscsi", "driver": "direct", "id": "c2", "portal": "127.0.0.1:3260",
             "target": OTHER, "user": "u1", "password": "Other-Password-7"},
            {"type": "localfs", "id": "local", "path": self.tmp},
        ])

    def tearDown(self):
        self.ctx.close()
        self._tmp.cleanup()

    def test_connection_secret(self):
        conn = self.ctx.connection("c1")
        xml = conn.secret_xml()
        root = ET.fromstring(xml)
        self.assertEqual((root.get("ephemeral"), root.get("private")), ("no", "yes"))
        self.assertEqual(root.find("usage").get("type"), "iscsi")
        usage = root.findtext("usage/target")
        self.assertEqual(usage, "libstorvirt-chap-c1")
        # libvirt's objectName: no '/' and no newline
        self.assertRegex(usage, r"^[^/\n]+$")
        self.assertRegex(root.findtext("uuid"), r"^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-")
        self.assertIn("c1", root.findtext("description"))
        self.assertNotIn(PASSWORD, xml)
        # the same at every call and from another context on another state dir
        with storvirt.Context(state_dir=os.path.join(self.tmp, "state2")) as other:
            other.define_connections({"type": "iscsi", "id": "c1", "portal": "10.0.0.9",
                                      "target": OTHER, "user": "x", "password": "y"})
            other_root = ET.fromstring(other.connection("c1").secret_xml())
        self.assertEqual(conn.secret_xml(), xml)
        self.assertEqual(other_root.findtext("uuid"), root.findtext("uuid"))
        # the value: exactly the password's bytes
        self.assertEqual(read_pipe(conn.write_secret), PASSWORD.encode())
        with open(os.path.join(self.tmp, "pw"), "wb") as f:
            f.write(b"x")
            conn.write_secret(f)
        with open(os.path.join(self.tmp, "pw"), "rb") as f:
            self.assertEqual(f.read(), b"x" + PASSWORD.encode())
        # c2: another usage id and UUID
        root2 = ET.fromstring(self.ctx.connection("c2").secret_xml())
        self.assertEqual(root2.findtext("usage/target"), "libstorvirt-chap-c2")
        self.assertNotEqual(root2.findtext("uuid"), root.findtext("uuid"))

    def test_connection_refusals(self):
        with self.assertRaises(storvirt.StorvirtError) as cm:
            self.ctx.connection("open").secret_xml()
        self.assertEqual(cm.exception.errno, errno.ENOENT)
        self.assertIn("no CHAP user", str(cm.exception))
        with self.assertRaises(storvirt.StorvirtError) as cm:
            read_pipe(self.ctx.connection("open").write_secret)
        self.assertEqual(cm.exception.errno, errno.ENOENT)
        with self.assertRaises(storvirt.StorvirtError) as cm:
            self.ctx.connection("local").secret_xml()
        self.assertEqual(cm.exception.errno, errno.EINVAL)
        self.assertIn("only iSCSI", str(cm.exception))
        # a closed descriptor
        r, w = os.pipe()
        os.close(r)
        os.close(w)
        with self.assertRaises(storvirt.StorvirtError) as cm:
            self.ctx.connection("c1").write_secret(w)
        self.assertEqual(cm.exception.errno, errno.EBADF)
        with self.assertRaises(TypeError):
            self.ctx.connection("c1").write_secret("pw")

    @contextlib.contextmanager
    def pool(self, name, secret, target=TARGET, user="u1"):
        """A pool on the CHAP target, undefined after use (one pool per source)."""
        pool = self.ctx.define_pool(
            "<pool type='iscsi-direct'><name>%s</name><source>"
            "<host name='127.0.0.1' port='3260'/><device path='%s'/>"
            "<auth type='chap' username='%s'><secret %s/></auth>"
            "<initiator><iqn name='iqn.2026-12.org.libstorvirt.test:host'/></initiator>"
            "</source></pool>" % (name, target, user, secret))
        try:
            yield pool
        finally:
            pool.undefine()
            pool.close()

    def test_pool_secret(self):
        conn_xml = self.ctx.connection("c1").secret_xml()
        conn_uuid = ET.fromstring(conn_xml).findtext("uuid")
        # the <auth> names the connection's own secret: its XML
        for n, ref in enumerate(("usage='libstorvirt-chap-c1'", "uuid='%s'" % conn_uuid)):
            with self.pool("own%d" % n, ref) as pool:
                self.assertEqual(pool.secret_xml(), conn_xml)
                self.assertEqual(read_pipe(pool.write_secret), PASSWORD.encode())
        # a usage id of the pool's own: found through portal, target and user
        with self.pool("mine", "usage='libvirtiscsi'") as pool:
            root = ET.fromstring(pool.secret_xml())
            self.assertEqual(root.findtext("usage/target"), "libvirtiscsi")
            self.assertEqual(read_pipe(pool.write_secret), PASSWORD.encode())
        # a UUID of the pool's own: that UUID, no usage (the connection's secret has it)
        with self.pool("uuid", "uuid='%s'" % POOL_UUID) as pool:
            root = ET.fromstring(pool.secret_xml())
            self.assertEqual(root.findtext("uuid"), POOL_UUID)
            self.assertIsNone(root.find("usage"))

    def test_pool_refusals(self):
        cases = [
            (("bad1", "usage='libstorvirt-chap-c2'"), errno.EACCES,
             "whose target is %s, not the pool's %s" % (OTHER, TARGET)),
            (("bad2", "usage='libstorvirt-chap-gone'"), errno.EACCES, "'gone', which is not defined"),
            (("bad3", "usage='libstorvirt-chap-c1'", TARGET, "u2"), errno.EACCES,
             "whose CHAP user is 'u1', not the pool's 'u2'"),
            (("bad4", "usage='x'", TARGET, "nobody"), errno.EACCES,
             "CHAP user 'nobody': no stored connection holds its secret"),
        ]
        for args, code, message in cases:
            with self.pool(*args) as pool:
                for call in (pool.secret_xml, lambda: read_pipe(pool.write_secret)):
                    with self.assertRaises(storvirt.StorvirtError) as cm:
                        call()
                    self.assertEqual(cm.exception.errno, code, args)
                    self.assertIn(message, str(cm.exception))
                    self.assertIn("pool '%s'" % args[0], str(cm.exception))
        with self.ctx.define_pool("<pool type='dir'><name>d</name><target><path>%s</path>"
                                  "</target></pool>" % self.tmp) as pool:
            with self.assertRaises(storvirt.StorvirtError) as cm:
                pool.secret_xml()
            self.assertEqual(cm.exception.errno, errno.EINVAL)
        with self.ctx.define_pool("<pool type='iscsi-direct'><name>noauth</name><source>"
                                  "<host name='127.0.0.1'/><device path='%s'/><initiator>"
                                  "<iqn name='iqn.2026-12.org.libstorvirt.test:host'/>"
                                  "</initiator></source></pool>" % TARGET) as pool:
            with self.assertRaises(storvirt.StorvirtError) as cm:
                read_pipe(pool.write_secret)
            self.assertEqual(cm.exception.errno, errno.EINVAL)
            self.assertIn("no <auth>", str(cm.exception))

    def test_no_password_in_state_logs(self):
        # the password is in the secrets file only, never in what the calls left
        self.ctx.connection("c1").secret_xml()
        read_pipe(self.ctx.connection("c1").write_secret)
        for root, _dirs, files in os.walk(self.state):
            for name in files:
                path = os.path.join(root, name)
                with open(path, "rb") as f:
                    if PASSWORD.encode() in f.read():
                        self.assertEqual(os.path.basename(root), "secrets", path)


if __name__ == "__main__":
    unittest.main()
