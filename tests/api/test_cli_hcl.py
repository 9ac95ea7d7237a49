# SPDX-License-Identifier: LGPL-2.1-or-later
"""The storvirt CLI's storage controller commands: hcl-validate (exit
status, one line per problem with its code and path, --strict, --json),
hcl-format (canonical and camelCase, stable), hcl-to-xml (with a device
map to files)."""
import json
import os
import subprocess
import tempfile
import unittest

CLI = os.environ.get("STORVIRT_CLI", "storvirt")
G1 = "6c474f47-ed39-49e6-bbb9-142177a1da6e"
G2 = "766e96f8-2ceb-437e-afe3-a93169e48a7c"
G3 = "92bc8346-718b-449a-8751-edbf3dcd27e4"


def dev(sub):
    return {"device_type": "VSCSI", "device_path": G2, "sub_device_path": sub}


GOOD = {"version": "V1", "fixed": {"io_ring_size": 256},
        "dynamic": {"storage_controllers": [
            {"instance_id": G1, "protocol": "SCSI", "luns": [
                {"location": 0, "device_id": G3, "vendor_id": "MSFT", "product_id": "Virtual Disk",
                 "physical_devices": {"type": "SINGLE", "device": dev(0)}},
                {"location": 1, "is_dvd": True}]}]}}
BAD = {"version": "V1", "dynamic": {"storage_controllers": [
    {"instance_id": G1, "protocol": "SCSI", "luns": [
        {"location": 70, "physical_devices": {"type": "SINGLE", "device": dev(0)}},
        {"location": 2}]},
    {"instance_id": G1, "protocol": "NVME", "luns": [{"location": 0, "is_dvd": True}]}]}}


def clean_env():
    e = dict(os.environ)
    for k in ("STORVIRT_DEBUG", "STORVIRT_STATE_DIR"):
        e.pop(k, None)
    return e


class CliHclTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="storvirt-cli-hcl-")
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def write(self, name, obj):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(obj if isinstance(obj, str) else json.dumps(obj))
        return path

    def run_cli(self, *args, input=None):
        return subprocess.run([CLI, "-d", os.path.join(self.tmp, "state"), *args],
                              capture_output=True, text=True, env=clean_env(), timeout=60,
                              input=input)

    def test_validate(self):
        p = self.run_cli("hcl-validate", self.write("good.json", GOOD))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("valid", p.stdout)
        p = self.run_cli("hcl-validate", self.write("bad.json", BAD))
        self.assertEqual(p.returncode, 1)
        lines = p.stdout.strip().split("\n")
        self.assertEqual([l.split(": ")[0] for l in lines], [
            "Configuration.StorageLunLocationExceedsMaxLimits",
            "Configuration.JsonFormatError",
            "Configuration.StorageControllerGuidAlreadyExists",
            "Configuration.StorageLunLocationExceedsMaxLimits",
            "Configuration.StorageUnsupportedDeviceType"])
        self.assertIn("controller 0 (SCSI %s) LUN 70: disk location exceeds limits 64" % G1, lines[0])
        self.assertIn("5 problems", p.stderr)
        p = self.run_cli("--json", "hcl-validate", self.write("b2.json", BAD))
        self.assertEqual(p.returncode, 1)
        js = json.loads(p.stdout)
        self.assertEqual(js["status"]["code"], 22)
        msg = js["status"]["message"].split("\n")
        self.assertIn("5 problems", msg[0])
        self.assertEqual(msg[1:], lines)
        js = json.loads(self.run_cli("--json", "hcl-validate", self.write("g.json", GOOD)).stdout)
        self.assertEqual(js["status"]["code"], 0)
        self.assertTrue(js["valid"])
        # strict: the identity strings of a disk
        strict_bad = json.loads(json.dumps(GOOD))
        strict_bad["dynamic"]["storage_controllers"][0]["luns"][0]["vendor_id"] = "TOO-LONG-VENDOR"
        path = self.write("strict.json", strict_bad)
        self.assertEqual(self.run_cli("hcl-validate", path).returncode, 0)
        p = self.run_cli("hcl-validate", "--strict", path)
        self.assertEqual(p.returncode, 1)
        self.assertIn("Configuration.StorageInvalidVendorId", p.stdout)
        # a document that does not parse
        p = self.run_cli("hcl-validate", self.write("dup.json", '{"version": "V1", "dynamic": '
                         '{"storage_controllers": [{"instance_id": "a", "instanceId": "b"}]}}'))
        self.assertEqual(p.returncode, 1)
        self.assertIn("duplicate field 'instanceId'", p.stderr)
        self.assertEqual(self.run_cli("hcl-validate").returncode, 2)

    def test_format(self):
        path = self.write("good.json", GOOD)
        canon = self.run_cli("hcl-format", path).stdout
        self.assertIn('"storage_controllers"', canon)
        again = self.run_cli("hcl-format", self.write("canon.json", canon)).stdout
        self.assertEqual(canon, again)
        camel = self.run_cli("hcl-format", "--camel", path).stdout
        self.assertIn('"storageControllers"', camel)
        self.assertNotIn('"isDvd": false', camel)
        back = self.run_cli("hcl-format", self.write("camel.json", camel)).stdout
        self.assertEqual(back, canon)

    def test_to_xml(self):
        disk = os.path.join(self.tmp, "d0.raw")
        with open(disk, "wb") as f:
            f.truncate(1 << 20)
        mp = self.write("map.json", {G2 + "/0": {"path": disk}})
        p = self.run_cli("hcl-to-xml", "--map", mp, self.write("good.json", GOOD))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn('<controller type="scsi" index="0" model="virtio-scsi"/>', p.stdout)
        self.assertIn('<source file="%s"/>' % disk, p.stdout)
        self.assertIn("<vendor>MSFT</vendor>", p.stdout)
        p = self.run_cli("hcl-to-xml", self.write("g2.json", GOOD))
        self.assertEqual(p.returncode, 1)
        self.assertIn("is not mapped", p.stderr)


if __name__ == "__main__":
    unittest.main()
