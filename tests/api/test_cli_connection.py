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
import random
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
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

    def test_secret_xml_and_value(self):
        """secret-xml and secret-value: the libvirt secret of a CHAP
        connection and of an iSCSI pool's <auth>; the value only in a new
        file of mode 0600."""
        self.ok("connection-define", "-", input=json.dumps({
            "type": "iscsi", "driver": "direct", "id": "cli-chap", "portal": "127.0.0.1:3260",
            "target": IQN, "user": "u1", "password": SECRET}))
        self.ok("connection-define", "-", input=json.dumps({
            "type": "localfs", "id": "local", "path": self.tmp}))
        xml = self.ok("secret-xml", "cli-chap")
        self.assertIn("<usage type=\"iscsi\">", xml)
        self.assertIn("<target>libstorvirt-chap-cli-chap</target>", xml)
        self.assertEqual(self.js("secret-xml", "cli-chap")["xml"], xml)
        f = os.path.join(self.tmp, "pw")
        out = self.ok("secret-value", "cli-chap", "--file", f)
        self.assertIn(f, out)
        self.assertEqual(os.stat(f).st_mode & 0o777, 0o600)
        with open(f, "rb") as fh:
            self.assertEqual(fh.read(), SECRET.encode())
        # an existing file, or a link, is refused and left as it was
        with open(f, "w") as fh:
            fh.write("keep")
        link = os.path.join(self.tmp, "link")
        os.symlink(os.path.join(self.tmp, "nowhere"), link)
        for path in (f, link):
            err = self.fails(1, "secret-value", "cli-chap", "--file", path)
            self.assertIn("exists", err)
        with open(f) as fh:
            self.assertEqual(fh.read(), "keep")
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "nowhere")))
        self.assertEqual(sorted(os.listdir(self.tmp)), ["link", "pw", "state"])
        # never to standard output
        self.assertIn("missing option '--file'", self.fails(2, "secret-value", "cli-chap"))
        self.assertIn("never written to standard output",
                      self.fails(2, "secret-value", "cli-chap", "--file", "-"))
        # a connection without a secret, or an unknown one: no file left behind
        g = os.path.join(self.tmp, "g")
        self.assertIn("only iSCSI", self.fails(1, "secret-value", "local", "--file", g))
        self.assertIn("no connection 'gone'", self.fails(1, "secret-xml", "gone"))
        self.assertFalse(os.path.exists(g))
        self.assertEqual(sorted(os.listdir(self.tmp)), ["link", "pw", "state"])
        self.fails(2, "secret-xml")
        self.fails(2, "secret-xml", "cli-chap", "--pool", "p")
        # an iscsi-direct pool whose <auth> names a usage of its own
        pool = os.path.join(self.tmp, "pool.xml")
        with open(pool, "w") as fh:
            fh.write("<pool type='iscsi-direct'><name>p</name><source>"
                     "<host name='127.0.0.1' port='3260'/><device path='%s'/>"
                     "<auth type='chap' username='u1'><secret usage='site-chap'/></auth>"
                     "<initiator><iqn name='iqn.2026-11.org.example:h'/></initiator>"
                     "</source></pool>" % IQN)
        self.ok("pool-define", pool)
        self.assertIn("<target>site-chap</target>", self.ok("secret-xml", "--pool", "p"))
        h = os.path.join(self.tmp, "h")
        self.ok("secret-value", "--pool", "p", "--file", h)
        with open(h, "rb") as fh:
            self.assertEqual(fh.read(), SECRET.encode())

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

    def check_after_kill(self, before, ids, what):
        """After a killed connection-define: every record parses; the next open
        (connection-list) shows the connections there were before or all of
        ids, and leaves no secret without its connection and no file but
        records and lock files."""
        for kind in ("connections", "secrets"):
            d = os.path.join(self.state, kind)
            for name in os.listdir(d) if os.path.isdir(d) else []:
                if name.endswith(".json") and not name.startswith("."):
                    with open(os.path.join(d, name)) as f:
                        self.assertIsInstance(json.load(f), dict, "%s: %s/%s" % (what, kind, name))
        listed = sorted(c["id"] for c in self.js("connection-list")["connections"])
        self.assertIn(listed, (before, sorted(ids)), what)
        on_disk = {}
        for kind in ("connections", "secrets"):
            d = os.path.join(self.state, kind)
            on_disk[kind] = sorted(n[:-5] for n in os.listdir(d) if n.endswith(".json")
                                   and not n.startswith(".")) if os.path.isdir(d) else []
        self.assertEqual(on_disk["connections"], listed, what)
        self.assertEqual(on_disk["secrets"], listed, "%s: a secret without its connection" % what)
        for root, dirs, files in os.walk(self.state):
            for name in files:
                path = os.path.join(root, name)
                rel = os.path.relpath(path, self.state)
                kind = rel.split(os.sep)[0]
                record = kind in ("connections", "secrets") and rel == os.path.join(
                    kind, name) and name.endswith(".json") and not name.startswith(".")
                self.assertTrue(record or name == ".lock", "%s: %s left behind" % (what, rel))
                if kind != "secrets":
                    with open(path, "rb") as f:
                        data = f.read()
                    for secret in (SECRET, MSECRET):
                        self.assertNotIn(secret.encode(), data, "%s: a password in %s" % (what, rel))
        return listed

    def test_define_killed(self):
        """connection-define of two CHAP connections, killed (SIGKILL) at random
        instants: all or nothing, whatever the instant."""
        conns = [{"type": "iscsi", "id": "kill-a", "portal": "192.0.2.1", "target": IQN,
                  "user": "u1", "password": SECRET},
                 {"type": "iscsi", "id": "kill-b", "portal": "192.0.2.2", "target": IQN,
                  "user": "u2", "password": SECRET, "mutual_user": "m2",
                  "mutual_password": MSECRET}]
        path = os.path.join(self.tmp, "two.json")
        with open(path, "w") as f:
            json.dump(conns, f)
        ids = [c["id"] for c in conns]
        cmd = [CLI, "connection-define", path]
        # how long a whole define takes here
        took = []
        for _ in range(5):
            shutil.rmtree(self.state, ignore_errors=True)
            t = time.monotonic()
            subprocess.run(cmd, env=self.env, check=True, stdout=subprocess.DEVNULL)
            took.append(time.monotonic() - t)
        span = statistics.median(took) * 1.3
        seed = int(os.environ.get("STORVIRT_TEST_SEED", random.randrange(1 << 30)))
        rng = random.Random(seed)
        outcomes = {"before": 0, "all": 0}
        # 100 kills, or as many as 40 s allow on a loaded machine, never fewer than 50
        deadline = time.monotonic() + 40
        kills = 0
        while kills < 100 and (kills < 50 or time.monotonic() < deadline):
            shutil.rmtree(self.state, ignore_errors=True)
            # some kills land on a state directory that holds the first one already
            before = []
            if rng.random() < 0.2:
                subprocess.run(cmd, env=self.env, check=True, stdout=subprocess.DEVNULL)
                subprocess.run([CLI, "connection-undefine", "kill-b"], env=self.env, check=True,
                               stdout=subprocess.DEVNULL)
                before = ["kill-a"]
            p = subprocess.Popen(cmd, env=self.env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0, span))
            os.kill(p.pid, signal.SIGKILL)
            p.wait()
            kills += 1
            listed = self.check_after_kill(before, ids, "kill %d (seed %d)" % (kills, seed))
            outcomes["all" if listed == sorted(ids) else "before"] += 1
        print("\n%d kills within %.0f ms of the start (a define takes %.0f ms): %s" %
              (kills, span * 1000, statistics.median(took) * 1000, outcomes))


if __name__ == "__main__":
    unittest.main()
