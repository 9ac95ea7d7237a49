# SPDX-License-Identifier: LGPL-2.1-or-later
"""The storvirt CLI's connection commands where they meet the host and the
disk: portals too long to store, records that do not parse (left by an
older release) and how connection-undefine removes them, the kernel
initiator's CHAP secrets (a stub iscsiadm first in PATH records every
command line and environment it is given), and connection-define killed
at random instants.  Each test has its own state directory.  The iSCSI
commands against a real target are in test_cli_iscsi.py."""
import json
import os
import subprocess
import tempfile
import unittest

CLI = os.environ.get("STORVIRT_CLI", "storvirt")
IQN = "iqn.2026-11.org.example:storage.t1"
SECRET, MSECRET = "Cli-Conn-Secret-5f21", "Cli-Conn-Mutual-8d04"


def clean_env(**extra):
    e = dict(os.environ)
    for k in ("STORVIRT_DEBUG", "STORVIRT_STATE_DIR"):
        e.pop(k, None)
    e.update(extra)
    return e


class CliConnectionTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="storvirt-cli-conn-")
        self.tmp = self._tmp.name
        self.state = os.path.join(self.tmp, "state")
        self.env = clean_env(STORVIRT_STATE_DIR=self.state)

    def tearDown(self):
        self._tmp.cleanup()

    def run_cli(self, *args, input=None):
        p = subprocess.run([CLI, *args], capture_output=True, text=True, env=self.env,
                           timeout=120, input=input)
        for secret in (SECRET, MSECRET):
            self.assertNotIn(secret, p.stdout + p.stderr, args)
        return p

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

    def plant(self, kind, cid, text):
        """A record written as an older release could have left it."""
        d = os.path.join(self.state, kind)
        os.makedirs(d, mode=0o700, exist_ok=True)
        with open(os.path.join(d, cid + ".json"), "w") as f:
            f.write(text)
        os.chmod(os.path.join(d, cid + ".json"), 0o600)

    def test_long_portal(self):
        host = ("fd00:" * 70)[:326] + "::1"
        conn = {"type": "iscsi", "portal": "[%s]:3260" % host, "target": IQN}
        err = self.fails(1, "connection-define", "-", input=json.dumps(conn))
        self.assertIn("field 'portal'", err)
        self.assertIn("longer than", err)
        self.assertEqual(self.js("connection-list")["connections"], [])
        self.assertFalse(os.listdir(os.path.join(self.state, "connections"))
                         if os.path.isdir(os.path.join(self.state, "connections")) else [])
        # a host name of 254 characters, one with a '/': refused the same way
        for bad in ("a" * 63 + "." + "b" * 63 + "." + "c" * 63 + "." + "d" * 62 + ":3260",
                    "h/../x"):
            conn["portal"] = bad
            self.assertIn("field 'portal'",
                          self.fails(1, "connection-define", "-", input=json.dumps(conn)))

    def test_undefine_invalid_record(self):
        # what the release that truncated portals left: a record that does not parse
        self.plant("connections", "trunc",
                   json.dumps({"id": "trunc", "type": "iscsi", "portal": "[fd00:fd00:fd0",
                               "target": IQN, "user": "u"}))
        self.plant("secrets", "trunc", json.dumps({"password": SECRET}))
        self.plant("connections", "garbage", "{\"id\": ")
        self.assertIn("is not valid", self.fails(1, "connection-info", "trunc"))
        table = self.ok("connection-list")
        self.assertIn("trunc", table)
        self.assertIn("invalid", table)
        listed = self.js("connection-list")["connections"]
        self.assertEqual(sorted(c["id"] for c in listed), ["garbage", "trunc"])
        self.assertTrue(all("invalid" in c for c in listed))
        self.assertIn("undefined", self.ok("connection-undefine", "trunc"))
        self.assertIn("undefined", self.ok("connection-undefine", "garbage"))
        for kind in ("connections", "secrets"):
            self.assertEqual([f for f in os.listdir(os.path.join(self.state, kind))
                              if not f.startswith(".")], [], kind)
        self.assertIn("no connection", self.fails(1, "connection-undefine", "trunc"))


if __name__ == "__main__":
    unittest.main()
