# SPDX-License-Identifier: LGPL-2.1-or-later
"""The storvirt CLI's connection and vDisk commands, end to end on a dir
pool in a temporary directory with its own state directory.  The iSCSI
commands against a real target are in test_cli_iscsi.py."""
import json
import os
import subprocess
import tempfile
import unittest

CLI = os.environ.get("STORVIRT_CLI", "storvirt")


def clean_env():
    e = dict(os.environ)
    for k in ("STORVIRT_DEBUG", "STORVIRT_STATE_DIR"):
        e.pop(k, None)
    return e


class CliVdiskTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="storvirt-cli-vdisk-")
        self.tmp = self._tmp.name
        self.state = os.path.join(self.tmp, "state")
        self.images = os.path.join(self.tmp, "images")
        self.ok("pool-define-as", "images", "dir", "--target", self.images)
        self.ok("pool-build", "images")
        self.ok("pool-start", "images")
        self.ok("vol-create-as", "images", "base.raw", "16M", "--format", "raw")

    def tearDown(self):
        self._tmp.cleanup()

    def run_cli(self, *args, input=None):
        return subprocess.run([CLI, "-d", self.state, *args], capture_output=True, text=True,
                              env=clean_env(), timeout=120, input=input)

    def ok(self, *args, input=None):
        p = self.run_cli(*args, input=input)
        self.assertEqual(p.returncode, 0, "%s: %s" % (args, p.stderr))
        return p.stdout

    def js(self, *args, input=None):
        return json.loads(self.ok("--json", *args, input=input))

    def fails(self, code, *args, input=None):
        p = self.run_cli(*args, input=input)
        self.assertEqual(p.returncode, code, "%s: %s%s" % (args, p.stdout, p.stderr))
        return p.stderr

    def test_import_snapshot_xml(self):
        path = os.path.join(self.images, "base.raw")
        a = self.js("vdisk-import", "--path", path)
        self.assertFalse(a["existing"])
        b = self.js("vdisk-import", "--pool", "images", "--volume", "base.raw")
        self.assertTrue(b["existing"])
        self.assertEqual(a["id"], b["id"])
        vid = a["id"]
        out = self.ok("vdisk-import", "-", input=json.dumps({"path": path}))
        self.assertIn("already known", out)
        uid = self.js("vdisk-snapshot", vid)["uid"]
        info = self.js("vdisk-info", vid)["vdisk"]
        self.assertEqual([i["uid"] for i in info["images"]][1], uid)
        self.assertEqual(info["images"][1]["format"], "COW")
        xml = self.ok("vdisk-xml", vid)
        self.assertIn('<backingStore type="file">', xml)
        self.assertIn('<source file="%s"/>' % path, xml)
        lst = self.ok("vdisk-list")
        self.assertIn(vid, lst)
        self.assertIn("file:%s" % path, lst)
        guest = os.path.join(self.tmp, "guest.json")
        with open(guest, "w") as f:
            json.dump({"iface": "sata", "index": 1}, f)
        self.assertIn('<target dev="sdb" bus="sata"/>', self.ok("vdisk-attach", vid, "vm-1", guest))
        self.assertIn("attached to VM vm-1", self.fails(1, "vdisk-delete", vid))
        self.assertIn("attached to VM vm-1",
                      self.fails(1, "vdisk-delete-image", vid, uid))
        self.ok("vdisk-detach", vid, "vm-1")
        self.ok("vdisk-delete-image", "--delete-storage", vid, uid)
        self.assertFalse(os.path.exists(info["images"][1]["path"]))
        self.ok("vdisk-delete", vid)
        self.assertIn("no vDisk", self.fails(1, "vdisk-info", vid))
        # usage errors
        self.fails(2, "vdisk-import")
        self.fails(2, "vdisk-import", "--path", path, "--guid", "3600")
        self.fails(2, "vdisk-import", "--pool", "images")
        self.fails(2, "vdisk-attach", vid)

    def test_connections_and_prepare(self):
        conn_file = os.path.join(self.tmp, "conn.json")
        with open(conn_file, "w") as f:
            json.dump({"domainType": 4, "connectionParams": [{"id": "local-images",
                                                              "connection": self.images}]}, f)
        self.assertEqual(self.ok("connection-define", conn_file).split(), ["local-images"])
        lst = self.ok("connection-list")
        self.assertIn("local-images", lst)
        self.assertIn("localfs", lst)
        vid = self.js("vdisk-import", "--pool", "images", "--volume", "base.raw",
                      "--connection", "local-images")["id"]
        self.ok("vdisk-attach", vid, "vm-7")
        path = self.ok("vdisk-prepare", vid, "vm-7").strip()
        self.assertEqual(path, os.path.join(self.images, "base.raw"))
        st = self.js("connection-info", "local-images")["connection"]["status"]
        self.assertTrue(st["connected"])
        self.assertEqual(st["holders"], ["vdisk:%s:vm:vm-7" % vid])
        conns = self.js("vm-connections", "vm-7")["connections"]
        self.assertEqual([c["id"] for c in conns], ["local-images"])
        vdsm = json.loads(self.ok("vm-connections", "--vdsm", "vm-7"))
        self.assertEqual(vdsm[0]["domainType"], 4)
        self.assertIn("is connected (1 holder(s))",
                      self.fails(1, "connection-undefine", "local-images"))
        self.ok("vdisk-release", vid, "vm-7")
        st = self.js("connection-info", "local-images")["connection"]["status"]
        self.assertFalse(st["connected"])
        self.assertIn("needed by vDisk %s" % vid,
                      self.fails(1, "connection-undefine", "local-images"))
        # an admin hold and its release
        self.assertIn("connected", self.ok("connection-connect", "local-images"))
        self.assertIn("disconnected", self.ok("connection-disconnect", "local-images"))
        self.fails(2, "connection-connect", "--timeout", "0", "local-images")
        self.assertIn("no connection", self.fails(1, "connection-info", "nosuch"))

    def test_unattached_luns(self):
        # whatever LUNs this host has, --unattached lists no more than lun-list
        all_luns = self.js("lun-list")["devList"]
        free = self.js("lun-list", "--unattached")["devList"]
        self.assertLessEqual(len(free), len(all_luns))
        for d in free:
            self.assertNotIn("vdiskID", d)


if __name__ == "__main__":
    unittest.main()
