# SPDX-License-Identifier: LGPL-2.1-or-later
"""Opening the state costs nothing per volume; a dir pool's volumes are
read once, from the list saved in the state directory while the directory
is unchanged.

Every command is a process of its own (the storvirt CLI), as a VM manager's
workers are: what one process read, the next takes from the saved list
(volumes/<sha1>.list) only when the pool's directory is the same directory
with the same times, settled before it was read.  STORVIRT_DEBUG shows
which way the volumes came ("refreshed: N volumes" after reading the
directory, "N volumes from the saved list" otherwise); strace, where
installed, shows that listing or describing pools reads no directory."""
import glob
import json
import os
import random
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

CLI = os.environ.get("STORVIRT_CLI", "storvirt")
STRACE = shutil.which("strace")
QEMU_IMG = shutil.which("qemu-img")
# Above the timestamp granularity the library allows for (one second).
SETTLE = 1.2


def clean_env(debug=False):
    e = dict(os.environ)
    for k in ("STORVIRT_DEBUG", "STORVIRT_STATE_DIR"):
        e.pop(k, None)
    if debug:
        e["STORVIRT_DEBUG"] = "1"
    return e


def list_sum(data):
    """The saved list's checksum (lib/objects/vol_list.c), to forge lists."""
    mask = (1 << 64) - 1
    h = 0xcbf29ce484222325
    n8 = len(data) // 8 * 8
    for i in range(0, n8, 8):
        h = ((h ^ int.from_bytes(data[i:i + 8], "little")) * 0x100000001b3) & mask
        h ^= h >> 29
    for b in data[n8:]:
        h = ((h ^ b) * 0x100000001b3) & mask
    return h ^ (h >> 32)


class PoolOpenTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="storvirt-pool-open-")
        self.tmp = self._tmp.name
        self.state = os.path.join(self.tmp, "state")
        self.target = os.path.join(self.tmp, "pool")
        self.ok("pool-define-as", "p", "dir", "--target", self.target)
        self.ok("pool-build", "p")
        self.ok("pool-start", "p")

    def tearDown(self):
        self._tmp.cleanup()

    def run_cli(self, *args, debug=False, input_text=None):
        p = subprocess.run([CLI, "-d", self.state, *args], capture_output=True, text=True,
                           env=clean_env(debug), timeout=300, input=input_text)
        return p.returncode, p.stdout, p.stderr

    def ok(self, *args, debug=False):
        rc, out, err = self.run_cli(*args, debug=debug)
        self.assertEqual(rc, 0, "storvirt %s: %s" % (" ".join(args), err))
        return (out, err) if debug else out

    def names(self, debug=False):
        """The volume names vol-list gives, and (debug) how they were read."""
        r = self.ok("--json", "vol-list", "p", debug=debug)
        out, err = r if debug else (r, "")
        names = sorted(v["name"] for v in json.loads(out)["volumes"])
        return (names, self.how(err)) if debug else names

    @staticmethod
    def how(err):
        """'read', 'list' or None: how a process got the volumes, from its debug log."""
        read = len(re.findall(r"pool 'p' refreshed: \d+ volumes", err))
        listed = len(re.findall(r"pool 'p': \d+ volumes from the saved list", err))
        if read + listed > 1:
            raise AssertionError("volumes read %d times: %s" % (read + listed, err))
        return "read" if read else "list" if listed else None

    def files(self, n, prefix="f"):
        """n files made outside the library (sparse raw images)."""
        for i in range(n):
            with open(os.path.join(self.target, "%s%04d.raw" % (prefix, i)), "wb") as f:
                f.truncate(1 << 20)

    def on_disk(self):
        return sorted(n for n in os.listdir(self.target) if not n.startswith("."))

    def saved_list(self):
        found = glob.glob(os.path.join(self.state, "volumes", "*.list"))
        self.assertEqual(len(found), 1, found)
        return found[0]

    def saved(self):
        """A settled directory, read once: its list is saved and then used."""
        time.sleep(SETTLE)
        self.assertEqual(self.names(debug=True), (self.on_disk(), "read"))
        self.assertEqual(self.names(debug=True), (self.on_disk(), "list"))

    # -- opening --------------------------------------------------------------

    def reads_of_target(self, *args):
        """The system calls by which storvirt ARGS read the pool's directory."""
        log = os.path.join(self.tmp, "strace.log")
        env = clean_env()
        # LeakSanitizer (of a sanitizer build) cannot run under ptrace
        env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"), "detect_leaks=0"]))
        p = subprocess.run([STRACE, "-f", "-qq", "-o", log, "-e",
                            "trace=openat,open,getdents64,close",
                            CLI, "-d", self.state, *args],
                           capture_output=True, text=True, env=env, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        fds, bad = set(), []
        with open(log) as f:
            for line in f:
                m = re.search(r'openat\(AT_FDCWD, "([^"]*)".*= (\d+)$', line)
                if m and m.group(1).rstrip("/") == self.target:
                    fds.add(m.group(2))
                    continue
                if m and m.group(1).startswith(self.target + "/"):
                    bad.append(line.strip())
                m = re.search(r"(getdents64|openat)\((\d+),", line)
                if m and m.group(2) in fds:
                    bad.append(line.strip())
                m = re.search(r"close\((\d+)\)", line)
                if m:
                    fds.discard(m.group(1))
        return bad

    def assert_no_volume_read(self):
        for cmd in (("pool-list", "--all"), ("pool-list", "--all", "--details"),
                    ("pool-info", "p"), ("pool-dumpxml", "p"), ("pool-autostart", "p")):
            out, err = self.ok(*cmd, debug=True)
            self.assertIsNone(self.how(err), "storvirt %s read the volumes: %s"
                              % (" ".join(cmd), err))
            if STRACE:
                self.assertEqual(self.reads_of_target(*cmd), [], " ".join(cmd))

    def test_open_reads_no_volume(self):
        self.files(40)
        self.ok("vol-create-as", "p", "made.qcow2", "1M", "--format", "qcow2")
        self.assert_no_volume_read()
        self.saved()
        self.assert_no_volume_read()
        info = json.loads(self.ok("--json", "pool-info", "p"))
        st = os.statvfs(self.target)
        self.assertEqual(info["capacity"], st.f_frsize * st.f_blocks)
        self.assertEqual(info["state"], "running")

    def test_refresh_reads_once(self):
        self.files(20)
        out, err = self.ok("pool-refresh", "p", debug=True)
        self.assertEqual(len(re.findall(r"pool 'p' refreshed", err)), 1, err)
        self.assertNotIn("saved list", err)
        # even with a saved list that holds: an explicit refresh reads the directory
        self.saved()
        out, err = self.ok("pool-refresh", "p", debug=True)
        self.assertEqual(self.how(err), "read")

    # -- the saved list -------------------------------------------------------

    def test_outside_changes_seen(self):
        self.files(30)
        self.saved()
        # a file added behind the library's back: the directory's mtime changed
        with open(os.path.join(self.target, "new.raw"), "wb") as f:
            f.write(b"x" * 4096)
        self.assertEqual(self.names(debug=True), (self.on_disk(), "read"))
        # a directory changed less than the granularity before it is read (here its
        # time set ahead, so that no slow start makes it older): never saved for later
        ahead = time.time() + 30
        os.utime(self.target, (ahead, ahead))
        self.assertEqual(self.names(debug=True), (self.on_disk(), "read"))
        self.assertEqual(self.names(debug=True), (self.on_disk(), "read"))
        os.utime(self.target, (ahead - 60, ahead - 60))
        self.saved()
        os.unlink(os.path.join(self.target, "f0007.raw"))
        names, how = self.names(debug=True)
        self.assertEqual((names, how), (self.on_disk(), "read"))
        self.assertNotIn("f0007.raw", names)
        # a file renamed within the directory
        self.saved()
        os.rename(os.path.join(self.target, "f0001.raw"), os.path.join(self.target, "g.raw"))
        self.assertEqual(self.names(debug=True), (self.on_disk(), "read"))

    def test_content_change_seen(self):
        """A file that grows changes no directory time: its own change time tells."""
        self.files(5)
        self.saved()
        path = os.path.join(self.target, "f0002.raw")
        with open(path, "r+b") as f:
            f.truncate(3 << 20)
            f.write(b"data" * 1024)
        out, err = self.ok("--json", "vol-info", "f0002.raw", "--pool", "p", debug=True)
        self.assertEqual(self.how(err), "list")
        info = json.loads(out)
        self.assertEqual((info["capacity"], info["physical"]), (3 << 20, 3 << 20))
        self.assertEqual(info["allocation"], os.stat(path).st_blocks * 512)
        out, err = self.ok("--json", "vol-list", "p", "--details", debug=True)
        self.assertEqual(self.how(err), "list")
        vols = {v["name"]: v for v in json.loads(out)["volumes"]}
        self.assertEqual(vols["f0002.raw"]["capacity"], 3 << 20)
        self.assertEqual(vols["f0003.raw"]["capacity"], 1 << 20)

    @unittest.skipUnless(QEMU_IMG, "qemu-img is not installed")
    def test_recorded_format_kept(self):
        """The saved list never turns a recorded raw volume into what its header claims."""
        self.ok("vol-create-as", "p", "disk.raw", "1M")
        self.files(3)
        path = os.path.join(self.target, "disk.raw")
        # a guest writes a qcow2 header into its raw disk
        p = subprocess.run([QEMU_IMG, "create", "-q", "-f", "qcow2", path + ".tmp", "1M"],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(path + ".tmp", "rb") as src, open(path, "r+b") as dst:
            dst.write(src.read(512))
        os.unlink(path + ".tmp")
        time.sleep(SETTLE)
        self.ok("pool-refresh", "p")
        for _ in range(2):
            out, err = self.ok("--json", "vol-info", "disk.raw", "--pool", "p", debug=True)
            self.assertEqual(self.how(err), "list")
            info = json.loads(out)
            self.assertEqual(info["format"], "raw")
            self.assertIn("qcow2", info["warning"])
            # the same from the file itself, read again
            os.utime(path)

    @unittest.skipUnless(QEMU_IMG, "qemu-img is not installed")
    def test_header_rewritten_seen(self):
        """A header rewritten in place (the directory unchanged) is read again before use."""
        path = os.path.join(self.target, "img.qcow2")
        p = subprocess.run([QEMU_IMG, "create", "-q", "-f", "qcow2", path, "1M"],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.saved()
        spec = json.dumps({"pool": "p", "volume": "img.qcow2"})
        rc, out, err = self.run_cli("resolve", "-", input_text=spec)
        self.assertEqual(rc, 0, err)
        # the header now names a backing file outside the pools
        p = subprocess.run([QEMU_IMG, "rebase", "-u", "-f", "qcow2", "-b", "/etc/hostname", "-F",
                            "raw", path], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        for spec in ({"pool": "p", "volume": "img.qcow2"}, {"path": path, "format": "cow"}):
            rc, out, err = self.run_cli("resolve", "-", input_text=json.dumps(spec), debug=True)
            self.assertEqual(rc, 1, out)
            self.assertEqual(self.how(err), "list")
            self.assertIn("not a volume of any active pool", err)
        out, err = self.ok("--json", "vol-info", "img.qcow2", "--pool", "p", debug=True)
        self.assertIn("not a volume of any active pool", json.loads(out)["warning"])

    def forge(self, text, dev, ino, st):
        """The saved list text with another directory line (checksum made again)."""
        lines = text.split(b"\n")
        self.assertTrue(lines[2].startswith(b"dir ") and lines[-2].startswith(b"end "))
        lines[2] = b"dir %d %d %d %d %d" % (dev, ino, st.st_mtime_ns, st.st_ctime_ns,
                                            time.time_ns())
        body = b"\n".join(lines[:-2]) + b"\n"
        with open(self.saved_list(), "wb") as f:
            f.write(body + b"end %s %016x\n" % (lines[-2].split()[1], list_sum(body)))

    def test_other_directory_not_used(self):
        self.files(10, prefix="old")
        self.saved()
        with open(self.saved_list(), "rb") as f:
            old_list = f.read()
        moved = self.target + ".moved"
        os.rename(self.target, moved)
        os.mkdir(self.target, 0o711)
        self.files(4, prefix="new")
        time.sleep(SETTLE)
        st, old = os.stat(self.target), os.stat(moved)
        # the list of the old directory, its times made the new one's: refused
        self.forge(old_list, old.st_dev, old.st_ino, st)
        self.assertEqual(self.names(debug=True), (self.on_disk(), "read"))
        # the control: with the new directory's identity, the forged list is believed
        self.forge(old_list, st.st_dev, st.st_ino, st)
        names, how = self.names(debug=True)
        self.assertEqual(how, "list")
        self.assertEqual(names, ["old%04d.raw" % i for i in range(10)])

    def test_torn_list_ignored(self):
        self.files(60)
        self.saved()
        path = self.saved_list()
        with open(path, "rb") as f:
            whole = f.read()
        for damaged in (whole[:len(whole) // 2],                  # cut short
                        whole[:-1],                                # its last newline lost
                        whole.replace(b" 1048576 ", b" 2048576 ", 1),  # a figure changed
                        b""):
            with open(path, "wb") as f:
                f.write(damaged)
            out, err = self.ok("--json", "vol-list", "p", "--details", debug=True)
            self.assertEqual(self.how(err), "read", err)
            vols = json.loads(out)["volumes"]
            self.assertEqual(sorted(v["name"] for v in vols), self.on_disk())
            self.assertTrue(all(v["capacity"] == 1 << 20 for v in vols))
            with open(path, "wb") as f:
                f.write(whole)
            # the control: the list as written is used
            self.assertEqual(self.names(debug=True), (self.on_disk(), "list"))

    def test_library_changes_forget_the_list(self):
        self.files(8)
        self.saved()
        self.ok("vol-create-as", "p", "made.raw", "1M")
        self.assertEqual(self.names(debug=True), (self.on_disk(), "read"))
        # that reading saved a list again: used at once when the reading came
        # later than the file system's time granularity after the create (a
        # slow machine), else read once more first
        time.sleep(SETTLE)
        self.assertIn(self.names(debug=True), [(self.on_disk(), "list"), (self.on_disk(), "read")])
        self.assertEqual(self.names(debug=True), (self.on_disk(), "list"))
        self.ok("vol-delete", "made.raw", "--pool", "p")
        self.assertEqual(self.names(debug=True), (self.on_disk(), "read"))

    # -- other processes --------------------------------------------------------

    def test_open_while_another_refreshes(self):
        n = 3000
        self.files(n)
        time.sleep(SETTLE)
        refresher = subprocess.Popen(
            ["sh", "-c", 'i=0; while [ $i -lt 15 ]; do "$0" -d "$1" pool-refresh p >/dev/null '
             '|| exit 1; i=$((i+1)); done', CLI, self.state], env=clean_env())
        runs = 0
        while refresher.poll() is None or runs < 3:
            self.assertIn("p", self.ok("pool-list"))
            self.assertEqual(json.loads(self.ok("--json", "pool-info", "p"))["state"], "running")
            self.assertEqual(len(self.names()), n)
            runs += 1
        self.assertEqual(refresher.wait(), 0)
        self.assertGreater(runs, 2)

    def test_kill_anywhere_while_saving(self):
        """A refresh killed at any instant leaves the old list, the new one or none."""
        self.files(2000)
        time.sleep(SETTLE)
        rng = random.Random(int(os.environ.get("STORVIRT_CRASH_SEED", "20261206")))
        t0 = time.monotonic()
        self.ok("pool-refresh", "p")
        limit = max(0.05, (time.monotonic() - t0) * 1.5)
        runs = int(os.environ.get("STORVIRT_CRASH_RUNS", "40"))
        for i in range(runs):
            p = subprocess.Popen([CLI, "-d", self.state, "pool-refresh", "p"], env=clean_env(),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0, limit))
            p.send_signal(signal.SIGKILL)
            p.wait()
            if i % 4 == 0:
                names, how = self.names(debug=True)
                self.assertEqual(names, self.on_disk())
        self.ok("pool-refresh", "p")
        vols = os.path.join(self.state, "volumes")
        self.assertEqual([f for f in os.listdir(vols) if f.startswith(".") and f != ".lock"], [])
        self.assertEqual(self.names(debug=True), (self.on_disk(), "list"))


if __name__ == "__main__":
    unittest.main()
