# SPDX-License-Identifier: LGPL-2.1-or-later
"""`storvirt event`: the changes other storvirt processes make to pools,
volumes and vDisks on the same state directory, printed as they come,
one line each (JSON with --json), once each and in order; without
--loop it ends after the first event, --timeout ends it, SIGTERM ends a
loop; bad options are usage errors."""
import json
import os
import select
import signal
import subprocess
import tempfile
import time
import unittest

CLI = os.environ.get("STORVIRT_CLI", "storvirt")


def clean_env():
    e = dict(os.environ)
    for k in ("STORVIRT_DEBUG", "STORVIRT_STATE_DIR"):
        e.pop(k, None)
    return e


class CliEventTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="storvirt-cli-event-")
        self.tmp = self._tmp.name
        self.state = os.path.join(self.tmp, "state")
        self.images = os.path.join(self.tmp, "images")
        self.ok("pool-define-as", "images", "dir", "--target", self.images)
        self.ok("pool-build", "images")
        self.ok("pool-start", "images")
        self.watchers = []

    def tearDown(self):
        for p in self.watchers:
            if p.poll() is None:
                p.kill()
            p.wait()
            p.stdout.close()
        self._tmp.cleanup()

    def run_cli(self, *args):
        return subprocess.run([CLI, "-d", self.state, *args], capture_output=True, text=True,
                              env=clean_env(), timeout=120)

    def ok(self, *args):
        p = self.run_cli(*args)
        self.assertEqual(p.returncode, 0, "%s: %s" % (args, p.stderr))
        return p.stdout

    def watch(self, *args):
        p = subprocess.Popen([CLI, "-d", self.state, "event", *args], env=clean_env(),
                             stdout=subprocess.PIPE, bufsize=0)
        p.pending = b""
        self.watchers.append(p)
        return p

    def line(self, p, timeout=60):
        """The next line of the watcher's output (unbuffered: select sees it all)."""
        deadline = time.monotonic() + timeout
        while b"\n" not in p.pending:
            left = deadline - time.monotonic()
            r, _, _ = select.select([p.stdout], [], [], max(left, 0))
            if not r:
                return None
            chunk = os.read(p.stdout.fileno(), 65536)
            if not chunk:
                return None
            p.pending += chunk
        line, p.pending = p.pending.split(b"\n", 1)
        return line.decode()

    def rest(self, p):
        data = p.pending + p.stdout.read()
        p.pending = b""
        return data.decode().splitlines()

    def until_watching(self, p):
        """Refreshes the pool until the watcher reports it: it is watching then."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            self.ok("pool-refresh", "images")
            line = self.line(p, 0.5)
            if line:
                return line
        self.fail("the watcher never reported an event")

    def test_json_loop_every_change(self):
        # every kind but the LUNs, which other tests' loop devices make
        p = self.watch("--pool", "--volume", "--vdisk", "--loop", "--json", "--timeout", "120")
        first = json.loads(self.until_watching(p))
        self.assertEqual(first["event"], "pool-refreshed")
        self.ok("vol-create-as", "images", "a.raw", "1M")
        self.ok("vol-resize", "a.raw", "2M", "--pool", "images")
        self.ok("vol-wipe", "a.raw", "--pool", "images")
        vid = json.loads(self.ok("--json", "vdisk-import", "--pool", "images",
                                 "--volume", "a.raw"))["id"]
        self.ok("vdisk-attach", vid, "vm1")
        self.ok("vdisk-detach", vid, "vm1")
        self.ok("vdisk-delete", vid)
        self.ok("vol-delete", "a.raw", "--pool", "images")
        self.ok("pool-destroy", "images")
        self.ok("pool-undefine", "images")
        want = ["volume-created", "volume-resized", "volume-wiped", "vdisk-imported",
                "vdisk-attached", "vdisk-detached", "vdisk-deleted", "volume-deleted",
                "pool-stopped", "pool-undefined"]
        got = []
        deadline = time.monotonic() + 60
        while len(got) < len(want) and time.monotonic() < deadline:
            line = self.line(p)
            self.assertIsNotNone(line, "events so far: %s" % [ev["event"] for ev in got])
            ev = json.loads(line)
            if ev["event"] != "pool-refreshed":   # a command that reads the directory again
                got.append(ev)
        p.send_signal(signal.SIGTERM)
        rest = [json.loads(l) for l in self.rest(p)]
        self.assertEqual(p.wait(timeout=30), 0)
        got += [ev for ev in rest[:-1] if ev["event"] != "pool-refreshed"]
        self.assertEqual([ev["event"] for ev in got], want)
        seqs = [ev["seq"] for ev in got]
        self.assertEqual(seqs, sorted(set(seqs)))
        for ev in got:
            self.assertFalse(ev["local"])
            self.assertFalse(ev["rescan"])
            self.assertNotEqual(ev["pid"], 0)
        self.assertEqual(got[1]["detail"], str(2 << 20))
        self.assertEqual(got[1]["pool"], "images")
        self.assertEqual(got[1]["key"], os.path.join(self.images, "a.raw"))
        self.assertEqual(got[4]["name"], vid)
        self.assertEqual(got[4]["detail"], "vm1")
        status = rest[-1]
        self.assertEqual(status["status"]["code"], 0)
        self.assertGreaterEqual(status["events"], len(want) + 1)

    def test_text_first_event_and_filters(self):
        p = self.watch("--volume", "images")
        deadline = time.monotonic() + 30
        n = 0
        while p.poll() is None and time.monotonic() < deadline:
            self.ok("vol-create-as", "images", "t%d.raw" % n, "1M")
            n += 1
            time.sleep(0.2)
        self.assertEqual(p.wait(timeout=30), 0)
        out = self.rest(p)
        self.assertEqual(len(out), 1, out)
        fields = out[0].split()
        self.assertRegex(fields[0], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
        self.assertEqual(fields[1], "volume-created")
        self.assertRegex(fields[2], r"^images/t\d+\.raw$")

    def test_timeout_without_events(self):
        start = time.monotonic()
        p = self.run_cli("event", "--vdisk", "--timeout", "0.5")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, "")
        self.assertLess(time.monotonic() - start, 30)

    def test_usage_errors(self):
        for args in (["--timeout", "0"], ["--timeout", "x"], ["--frob"], ["a", "b"]):
            p = self.run_cli("event", *args)
            self.assertEqual(p.returncode, 2, "%s: %s" % (args, p.stderr))
            self.assertIn("usage error", p.stderr)


if __name__ == "__main__":
    unittest.main()
