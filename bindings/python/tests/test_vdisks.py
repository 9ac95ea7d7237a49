# SPDX-License-Identifier: LGPL-2.1-or-later
"""Connections and vDisks through the Python bindings, on real files: a
dir pool, a local-directory connection, import (the same storage gives
the same vDisk), snapshots and their chain, attach, prepare / release,
the connections a VM needs, and errors as exceptions."""
import json
import os
import shutil
import stat
import tempfile
import unittest

import storvirt

from test_luns import symbols_of_node  # noqa: E402  (same directory)

SECRET = "Py-Secret-5d2e8a"
IQN = "iqn.2026-11.org.example:py.t1"


class TestPrototypes(unittest.TestCase):
    def test_prototypes_cover_the_symbol_node(self):
        declared = {name for name, _, _ in storvirt._PROTOTYPES_0_4}
        self.assertEqual(declared, symbols_of_node("STORVIRT_0.4"))
        self.assertEqual(len(declared), 47)


@unittest.skipIf(storvirt.missing_symbols_by_node.get("STORVIRT_0.4"),
                 "the library lacks STORVIRT_0.4")
class TestVDisks(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="storvirt-py-vdisk.")
        self.images = os.path.join(self.tmp, "images")
        self.ctx = storvirt.Context(os.path.join(self.tmp, "state"), ignore_env=True)
        self.pool = self.ctx.define_pool(
            "<pool type='dir'><name>py</name><target><path>%s</path></target></pool>"
            % self.images)
        self.pool.build()
        self.pool.start()
        self.pool.create_volume("<volume><name>base.raw</name><capacity unit='MiB'>8</capacity>"
                                "<allocation>0</allocation><target><format type='raw'/></target>"
                                "</volume>").close()

    def tearDown(self):
        self.pool.close()
        self.ctx.close()
        shutil.rmtree(self.tmp)

    def test_connections(self):
        ids = self.ctx.define_connections([
            {"type": "iscsi", "portal": "10.1.1.1:3261", "target": IQN, "user": "u",
             "password": SECRET},
            {"type": "localfs", "path": self.images, "id": "images"}])
        self.assertEqual(len(ids), 2)
        self.assertEqual(ids[1], "images")
        # the same again: the same ids
        self.assertEqual(self.ctx.define_connections(
            {"type": "iscsi", "portal": "10.1.1.1:3261", "target": IQN, "user": "u",
             "password": SECRET}), ids[:1])
        c = self.ctx.connection(ids[0])
        self.assertEqual(c.type, storvirt.STORVIRT_CONNECTION_ISCSI)
        self.assertEqual(c.param("port"), "3261")
        self.assertIsNone(c.param("lun"))
        with self.assertRaises(PermissionError):
            c.param("password")
        info = c.info()
        self.assertEqual(info["password"], "********")
        self.assertFalse(info["status"]["connected"])
        self.assertEqual(c.info(vdsm=True)["connection"], "10.1.1.1")
        self.assertNotIn(SECRET, json.dumps(info))
        self.assertEqual([x.id for x in self.ctx.connections()], sorted(ids))
        with self.assertRaises(storvirt.StorvirtError) as cm:
            self.ctx.define_connections({"type": "iscsi", "portal": "h", "target": "nope"})
        self.assertIn("is not an iSCSI name", cm.exception.strerror)
        with self.assertRaises(FileNotFoundError):
            self.ctx.connection("nosuch")
        local = self.ctx.connection("images")
        self.assertTrue(local.connect("me"))
        self.assertFalse(local.connect("you"))
        self.assertFalse(local.disconnect("me"))
        self.assertTrue(local.disconnect("you"))
        with self.assertRaises(storvirt.StorvirtError) as cm:
            local.luns()
        self.assertEqual(cm.exception.errno, 95)  # EOPNOTSUPP
        c.close()
        local.close()
        # the secret sits in one 0600 file
        found = []
        for root, _dirs, files in os.walk(os.path.join(self.tmp, "state")):
            for f in files:
                p = os.path.join(root, f)
                with open(p, "rb") as fh:
                    if SECRET.encode() in fh.read():
                        found.append(p)
        self.assertEqual(len(found), 1)
        self.assertIn("/secrets/", found[0])
        self.assertEqual(stat.S_IMODE(os.stat(found[0]).st_mode), 0o600)

    def test_invalid_record(self):
        # a record an older release left, that does not parse: listed on demand, removable
        d = os.path.join(self.tmp, "state", "connections")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "broken.json"), "w") as f:
            f.write('{"id": "broken", "type": "iscsi", "portal": "[fd00:fd0"}')
        self.assertEqual(self.ctx.connections(), [])
        listed = self.ctx.connections(flags=storvirt.STORVIRT_CONNECTION_LIST_INVALID)
        self.assertEqual([(c.id, c.type) for c in listed], [("broken", 0)])
        self.assertIn("invalid", listed[0].info())
        listed[0].undefine()
        self.assertFalse(os.path.exists(os.path.join(d, "broken.json")))

    def test_vdisk_flow(self):
        path = os.path.join(self.images, "base.raw")
        conn = self.ctx.define_connections({"type": "localfs", "path": self.images})[0]
        a = self.ctx.import_vdisk({"path": path}, connections=[conn])
        self.assertFalse(a.existed)
        b = self.ctx.import_vdisk({"pool": "py", "volume": "base.raw"})
        self.assertTrue(b.existed)
        self.assertEqual(a.id, b.id)
        info = a.info()
        self.assertEqual(info["kind"], "file")
        self.assertEqual(info["connections"], [conn])
        self.assertEqual(info["images"][0]["format"], "RAW")
        uid = a.snapshot()
        images = a.images
        self.assertEqual([i["uid"] for i in images][1:], [uid])
        self.assertEqual(images[1]["legality"], "LEGAL")
        xml = a.xml({"iface": "scsi"})
        self.assertIn("<backingStore type=\"file\">", xml)
        self.assertIn(images[1]["path"], xml)
        d = a.xml(dict=True)
        self.assertEqual(d["backingChain"][0]["path"], path)
        self.assertIn("<target dev=\"vda\"", a.attach("vm-1", hotplug=True))
        self.assertEqual(a.info()["attachments"],
                         [{"vm": "vm-1", "dev": "vda", "hotplugged": True}])
        with self.assertRaises(storvirt.StorvirtError) as cm:
            a.delete()
        self.assertEqual(cm.exception.errno, 16)  # EBUSY
        self.assertEqual(a.prepare("vm-1"), images[1]["path"])
        self.assertTrue(self.ctx.connection(conn).info()["status"]["connected"])
        self.assertEqual([c["id"] for c in self.ctx.vm_connections("vm-1")], [conn])
        a.release("vm-1")
        self.assertFalse(self.ctx.connection(conn).info()["status"]["connected"])
        a.detach("vm-1")
        with self.assertRaises(FileNotFoundError):
            a.detach("vm-1")
        a.delete_image(uid, delete_storage=True)
        self.assertFalse(os.path.exists(images[1]["path"]))
        self.assertEqual([v.id for v in self.ctx.vdisks()], [a.id])
        a.delete()
        with self.assertRaises(FileNotFoundError):
            self.ctx.vdisk(a.id)
        a.close()
        b.close()

    def test_import_errors(self):
        with self.assertRaises(FileNotFoundError):
            self.ctx.import_vdisk({"path": os.path.join(self.tmp, "missing.raw")})
        with self.assertRaises(storvirt.StorvirtError) as cm:
            self.ctx.import_vdisk({"path": os.path.join(self.images, "base.raw")},
                                  connections=["nosuch"])
        self.assertEqual(cm.exception.errno, 2)
        with self.assertRaises(storvirt.StorvirtError):
            self.ctx.vdisk("not-a-uuid")


G1 = "6c474f47-ed39-49e6-bbb9-142177a1da6e"
G2 = "766e96f8-2ceb-437e-afe3-a93169e48a7c"


@unittest.skipIf(storvirt.missing_symbols_by_node.get("STORVIRT_0.4"),
                 "the library lacks STORVIRT_0.4")
class TestHcl(unittest.TestCase):
    def test_build_validate_format(self):
        with storvirt.HclSettings() as doc:
            c = doc.add_controller(storvirt.STORVIRT_HCL_PROTOCOL_SCSI, G1)
            n = doc.add_controller(storvirt.STORVIRT_HCL_PROTOCOL_NVME)
            l0 = doc.add_lun(c)
            doc.add_device(c, l0, storvirt.STORVIRT_HCL_DEVICE_VSCSI, G2, 0)
            doc.set(c, l0, "vendor_id", "MSFT")
            l1 = doc.add_lun(n)
            self.assertEqual(doc.lun(n, l1)["location"], 1)
            # a namespace without backing: one problem, with its code and path
            problems = doc.validate()
            self.assertEqual([p["code"] for p in problems], ["Configuration.JsonFormatError"])
            self.assertIn("namespace 1", problems[0]["path"])
            doc.add_device(n, l1, storvirt.STORVIRT_HCL_DEVICE_NVME, G2, 5)
            doc.add_device(n, l1, storvirt.STORVIRT_HCL_DEVICE_NVME, G2, 6)
            self.assertEqual(doc.lun(n, l1)["backing"], storvirt.STORVIRT_HCL_BACKING_STRIPED)
            self.assertEqual([p["code"] for p in doc.validate()],
                             ["Configuration.StorageInvalidChunkSize"])
            doc.set(n, l1, "chunk_size_in_kb", 128)
            self.assertEqual(doc.validate(), [])
            self.assertEqual(len(doc.validate(strict=True)), 1)   # device_id not set
            self.assertEqual(doc.controllers[0], (storvirt.STORVIRT_HCL_PROTOCOL_SCSI, G1, 1))
            text = doc.to_json()
            camel = doc.to_json(camel=True)
        again = storvirt.HclSettings(camel)
        self.assertEqual(again.to_json(), text)
        self.assertIn('"vendorId":"MSFT"', camel)
        with self.assertRaises(storvirt.StorvirtError) as cm:
            storvirt.HclSettings({"version": "V1", "dynamic": {"storage_controllers": [
                {"instance_id": G1, "instanceId": G1}]}})
        self.assertIn("duplicate field", cm.exception.strerror)

    def test_to_xml(self):
        with tempfile.TemporaryDirectory() as tmp:
            disk = os.path.join(tmp, "d.raw")
            with open(disk, "wb") as f:
                f.truncate(1 << 20)
            doc = storvirt.HclSettings([{"instance_id": G1, "protocol": "SCSI", "luns": [
                {"location": 2, "physical_devices": {"type": "SINGLE", "device": {
                    "device_type": "VSCSI", "device_path": G2, "sub_device_path": 0}}}]}])
            with storvirt.Context(os.path.join(tmp, "state"), ignore_env=True) as ctx:
                xml = doc.to_xml(ctx, {G2 + "/0": {"path": disk}})
                with self.assertRaises(FileNotFoundError):
                    doc.to_xml(ctx, {})
            self.assertIn('<source file="%s"/>' % disk, xml)
            self.assertIn('unit="2"', xml)
            doc.close()


if __name__ == "__main__":
    unittest.main()
