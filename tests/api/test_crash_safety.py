# SPDX-License-Identifier: LGPL-2.1-or-later
"""A kill at any instant leaves nothing half-made.

Every state-changing storvirt command is started again and again and
killed with SIGKILL after a random delay (a few hundred runs in all).
Then the state must be whole: every record parses, every listed qcow2
volume passes `qemu-img check`, no secret belongs to no connection, and
after the next open no temporary file is left, in the state directory or
in the pool."""
import json
import os
import random
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

CLI = os.environ.get("STORVIRT_CLI", "storvirt")
QEMU_IMG = shutil.which("qemu-img")
RUNS = int(os.environ.get("STORVIRT_CRASH_RUNS", "300"))


def clean_env():
    e = dict(os.environ)
    for k in ("STORVIRT_DEBUG", "STORVIRT_STATE_DIR"):
        e.pop(k, None)
    return e


@unittest.skipUnless(QEMU_IMG, "qemu-img is not installed")
class CrashSafetyTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="storvirt-crash-")
        self.tmp = self._tmp.name
        self.state = os.path.join(self.tmp, "state")
        self.target = os.path.join(self.tmp, "pool")
        self.rng = random.Random(int(os.environ.get("STORVIRT_CRASH_SEED", "20261206")))
        self.ok("pool-define-as", "p", "dir", "--target", self.target)
        self.ok("pool-build", "p")
        self.ok("pool-start", "p")
        self.ok("vol-create-as", "p", "base.raw", "4M")
        self.ok("vol-create-as", "p", "base.qcow2", "4M", "--format", "qcow2")

    def tearDown(self):
        self._tmp.cleanup()

    def run_cli(self, *args, input=None):
        p = subprocess.run([CLI, "-d", self.state, *args], capture_output=True, text=True,
                           env=clean_env(), timeout=120, input=input)
        return p.returncode, p.stdout, p.stderr

    def ok(self, *args, input=None):
        rc, out, err = self.run_cli(*args, input=input)
        self.assertEqual(rc, 0, "storvirt %s: %s" % (" ".join(args), err))
        return out

    def file(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def commands(self, i):
        """The state-changing commands, each run i gets one (with fresh names)."""
        n = "v%d" % i
        conns = json.dumps([
            {"id": "c%da" % i, "type": "iscsi", "driver": "direct", "portal": "127.0.0.1:3260",
             "target": "iqn.2026-12.test:t%d" % i, "user": "u", "password": "pw-a-%d" % i},
            {"id": "c%db" % i, "type": "nfs", "export": "server:/export/%d" % i},
        ])
        pool_xml = self.file("pool%d.xml" % i, "<pool type='dir'><name>q%d</name><target><path>%s"
                             "</path></target></pool>" % (i, os.path.join(self.tmp, "q%d" % i)))
        clone_xml = self.file("clone%d.xml" % i, "<volume><name>%s.c.qcow2</name><capacity>"
                              "4194304</capacity><target><format type='qcow2'/></target>"
                              "</volume>" % n)
        return [
            ("vol-create-as", "p", n + ".raw", "64M"),
            ("vol-create-as", "p", n + ".qcow2", "64M", "--format", "qcow2",
             "--prealloc-metadata"),
            ("vol-create-as", "p", n + ".vmdk", "8M", "--format", "vmdk"),
            ("vol-create-as", "p", n + ".over.qcow2", "4M", "--format", "qcow2",
             "--backing-vol", "base.raw"),
            ("vol-create-from", "p", clone_xml, "base.raw", "--inputpool", "p"),
            ("vol-clone", "base.qcow2", n + ".clone.qcow2", "--pool", "p"),
            ("pool-define", pool_xml),
            ("pool-define-as", "r%d" % i, "dir", "--target", os.path.join(self.tmp, "r%d" % i)),
            ("connection-define", "-", conns),
            ("vdisk-import", "--pool", "p", "--volume", "base.qcow2"),
        ]

    def kill_at_random(self, args, stdin, limit):
        p = subprocess.Popen([CLI, "-d", self.state, *args], env=clean_env(),
                             stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if stdin:
            try:
                p.stdin.write(stdin.encode())
                p.stdin.close()
            except BrokenPipeError:
                pass
        time.sleep(self.rng.uniform(0, limit))
        p.send_signal(signal.SIGKILL)
        p.wait()

    def test_kill_anywhere(self):
        start = time.monotonic()
        for i in range(RUNS):
            cmds = self.commands(i)
            cmd = cmds[i % len(cmds)]
            stdin = None
            if cmd[0] == "connection-define":
                cmd, stdin = cmd[:2], cmd[2]
            self.kill_at_random(cmd, stdin, 0.06)
        elapsed = time.monotonic() - start
        self.check_whole()
        print("%d kills in %.1f s" % (RUNS, elapsed))

    def check_whole(self):
        # the next open: every pool, volume, connection and vDisk can be listed and read
        pools = json.loads(self.ok("--json", "pool-list", "--all"))["pools"]
        for pool in pools:
            self.ok("pool-dumpxml", pool["name"])
        self.ok("pool-refresh", "p")
        for name in os.listdir(self.target):
            self.assertFalse(name.startswith("."), "left in the pool: %s" % name)
            path = os.path.join(self.target, name)
            info = json.loads(self.ok("--json", "vol-info", name, "--pool", "p"))
            if info["format"] == "qcow2":
                p = subprocess.run([QEMU_IMG, "check", "-q", "-f", "qcow2", "-U", path],
                                   capture_output=True, text=True)
                self.assertEqual(p.returncode, 0, "%s: %s" % (name, p.stderr))
            else:
                self.assertEqual(info["warning"], None, name)
        conns = {c["id"] for c in json.loads(self.ok("--json", "connection-list"))["connections"]}
        for c in conns:
            self.ok("connection-info", c)
        ids = set()
        for c in conns:
            base = c[:-1]
            ids.add(base)
        for base in ids:
            self.assertEqual({base + "a", base + "b"} & conns, {base + "a", base + "b"},
                             "connection-define %s was cut in two" % base)
        self.ok("vdisk-list")
        for entry in os.scandir(self.state):
            if not entry.is_dir():
                continue
            for f in os.listdir(entry.path):
                path = os.path.join(entry.path, f)
                if f == ".txn" and os.path.isdir(path):   # the connections' staging area
                    self.assertEqual(os.listdir(path), [], "transaction left: %s" % path)
                    continue
                self.assertTrue(f == ".lock" or not f.startswith("."),
                                "temporary file left: %s" % path)
                if f.endswith(".json"):
                    with open(path) as fh:
                        json.load(fh)
        secrets = os.path.join(self.state, "secrets")
        if os.path.isdir(secrets):
            for f in os.listdir(secrets):
                if f.startswith("."):
                    continue
                cid = f[:-len(".json")] if f.endswith(".json") else f
                self.assertIn(cid, conns, "secret %s belongs to no connection" % f)


if __name__ == "__main__":
    unittest.main()
