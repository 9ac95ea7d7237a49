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

# A stand-in for open-iscsi's iscsiadm: logs its command line and
# environment (one JSON object a line), makes and removes node records in
# $STORVIRT_ISCSI_DB_ROOT as iscsiadm does (mode 0644), succeeds.
STUB_ISCSIADM = r"""#!/usr/bin/env python3
import json, os, shutil, sys
with open(os.environ["STUB_ISCSIADM_LOG"], "a") as f:
    f.write(json.dumps({"argv": sys.argv, "env": dict(os.environ)}) + "\n")
a = sys.argv[1:]
def opt(o, default=None):
    return a[a.index(o) + 1] if o in a else default
target, portal, iface = opt("-T"), opt("-p"), opt("-I", "default")
if target and portal:
    portal, _, tpgt = portal.partition(",")
    if portal.startswith("["):
        addr, _, port = portal[1:].partition("]:")
    else:
        addr, _, port = portal.rpartition(":")
    tdir = os.path.join(os.environ["STORVIRT_ISCSI_DB_ROOT"], "nodes", target)
    rec = os.path.join(tdir, "%s,%s,%s" % (addr, port, tpgt), iface) if tpgt else \
        os.path.join(tdir, "%s,%s" % (addr, port))
    if "--op=new" in a:
        os.makedirs(os.path.dirname(rec), exist_ok=True)
        with open(rec, "w") as f:
            f.write("# BEGIN RECORD 2.1.8\nnode.name = %s\nnode.tpgt = %s\n"
                    "node.session.auth.authmethod = None\n# END RECORD\n" % (target, tpgt or -1))
    elif "--op=delete" in a:
        shutil.rmtree(tdir, ignore_errors=True)
"""


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

    def iscsiadm_stub(self):
        """A stub iscsiadm first in PATH; returns its log and node database."""
        bindir = os.path.join(self.tmp, "bin")
        os.mkdir(bindir)
        with open(os.path.join(bindir, "iscsiadm"), "w") as f:
            f.write(STUB_ISCSIADM)
        os.chmod(os.path.join(bindir, "iscsiadm"), 0o755)
        log, db = os.path.join(self.tmp, "iscsiadm.log"), os.path.join(self.tmp, "iscsi")
        self.env.update(PATH=bindir + os.pathsep + self.env.get("PATH", "/usr/bin:/bin"),
                        STUB_ISCSIADM_LOG=log, STORVIRT_ISCSI_DB_ROOT=db,
                        STORVIRT_ISCSI_LOCK_DIR=os.path.join(self.tmp, "lock"))
        return log, db

    def test_kernel_chap_secrets_off_argv(self):
        log, db = self.iscsiadm_stub()
        conns = [{"type": "iscsi", "id": "oneway", "portal": "192.0.2.10", "target": IQN,
                  "user": "host1", "password": SECRET},
                 {"type": "iscsi", "id": "mutual", "portal": "[2001:db8::7]:3261", "tpgt": 2,
                  "target": IQN + "m", "user": "host1", "password": SECRET,
                  "mutual_user": "array1", "mutual_password": MSECRET, "iface": "iface0"}]
        self.ok("connection-define", "-", input=json.dumps(conns))
        for cid in ("oneway", "mutual"):
            self.assertIn("connected", self.ok("connection-connect", cid))
        with open(log) as f:
            calls = [json.loads(line) for line in f]
        self.assertTrue(any("--login" in c["argv"] for c in calls), calls)
        for c in calls:
            for secret in (SECRET, MSECRET):
                self.assertFalse([a for a in c["argv"] if secret in a],
                                 "a password on iscsiadm's command line: %s" % c["argv"])
                self.assertFalse([k for k, v in c["env"].items() if secret in k or secret in v],
                                 "a password in iscsiadm's environment")
        # the secrets are in open-iscsi's node records, mode 0600, and nowhere else there
        records = {"oneway": os.path.join(db, "nodes", IQN, "192.0.2.10,3260"),
                   "mutual": os.path.join(db, "nodes", IQN + "m", "2001:db8::7,3261,2", "iface0")}
        for cid, rec in records.items():
            self.assertEqual(os.stat(rec).st_mode & 0o777, 0o600, rec)
            with open(rec) as f:
                text = f.read()
            self.assertIn("node.session.auth.authmethod = CHAP\n", text)
            self.assertIn("node.session.auth.username = host1\n", text)
            self.assertIn("node.session.auth.password = %s\n" % SECRET, text)
            self.assertEqual("node.session.auth.password_in = %s\n" % MSECRET in text,
                             cid == "mutual", text)
            self.assertTrue(text.endswith("# END RECORD\n"), text)
            leftovers = [n for n in os.listdir(os.path.dirname(rec)) if n.startswith(".")]
            self.assertEqual(leftovers, [], rec)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "lock", "lock.write")))
        for cid in ("oneway", "mutual"):
            self.assertIn("disconnected", self.ok("connection-disconnect", cid))


if __name__ == "__main__":
    unittest.main()
