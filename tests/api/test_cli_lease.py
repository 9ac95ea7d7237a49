# SPDX-License-Identifier: LGPL-2.1-or-later
"""Lockspaces and vDisk leases with two real sanlock daemons as two hosts.

Each "host" is a sanlock daemon with its own run directory (its socket;
SANLOCK_RUN_DIR tells the library which daemon to talk to) and a storvirt
state directory of its own.  The shared storage is a temporary directory
both see.  The daemons start once for the suite and are stopped by the
pids started here.  Skipped without root or sanlock.
"""
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from qemu_judge import QEMU, QemuJudge  # noqa: E402

CLI = os.environ.get("STORVIRT_CLI", "storvirt")
SHIM = os.environ.get("STORVIRT_SANLOCK_SHIM", "")
IO_TIMEOUT = 2          # seconds: a join takes about 2 * 2 + 1 s
EBUSY, ENOENT, EINVAL, EEXIST, EOPNOTSUPP, ENOSPC = 16, 2, 22, 17, 95, 28


def sanlock_missing():
    if os.environ.get("STORVIRT_HAVE_SANLOCK") == "0":
        return "the library is built without libsanlock (-Dsanlock)"
    if os.geteuid() != 0:
        return "needs root (sanlock daemons)"
    if not shutil.which("sanlock"):
        return "sanlock is not installed (Debian: sanlock libsanlock-dev)"
    return None


class Host:
    """One host: a sanlock daemon and a state directory."""

    def __init__(self, root, n):
        self.n = n
        self.run_dir = os.path.join(root, "run%d" % n)
        self.state = os.path.join(root, "state%d" % n)
        os.makedirs(self.run_dir)
        self.env = dict(os.environ, SANLOCK_RUN_DIR=self.run_dir)
        for k in ("STORVIRT_DEBUG", "STORVIRT_STATE_DIR"):
            self.env.pop(k, None)
        self.log_path = os.path.join(root, "sanlock%d.log" % n)
        self.start()

    def start(self):
        """Starts this host's daemon (again, after a crash: its stale socket removed)."""
        n = self.n
        sock = os.path.join(self.run_dir, "sanlock.sock")
        if os.path.exists(sock):
            os.unlink(sock)
        denv = dict(self.env)
        if SHIM:
            denv["LD_PRELOAD"] = SHIM
        self.log = open(self.log_path, "a")
        self.daemon = subprocess.Popen(
            ["sanlock", "daemon", "-D", "-w", "0", "-h", "0", "-l", "0", "-U", "root",
             "-e", "storvirt-test-host%d" % n,
             "-G", "root", "-L", "-1", "-S", "-1"],
            env=denv, stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while not os.path.exists(sock):
            if self.daemon.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("sanlock daemon %d did not start (exit %s)"
                                   % (n, self.daemon.poll()))
            time.sleep(0.05)

    def stop(self):
        if self.daemon.poll() is None:
            subprocess.run(["sanlock", "client", "shutdown", "-f", "1", "-w", "0"],
                           env=self.env, capture_output=True, timeout=30)
            try:
                self.daemon.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                self.daemon.wait()
        self.log.close()

    def run(self, *args, timeout=120):
        return subprocess.run([CLI, "-d", self.state, *args], capture_output=True, text=True,
                              env=self.env, timeout=timeout)

    def spawn(self, *args):
        return subprocess.Popen([CLI, "-d", self.state, *args], env=self.env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@unittest.skipIf(sanlock_missing(), sanlock_missing() or "")
class LeaseTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="storvirt-lease-")
        cls.tmp = cls._tmp.name
        os.chmod(cls.tmp, 0o755)        # qemu (user libvirt-qemu) opens images under it
        cls.shared = os.path.join(cls.tmp, "shared")
        os.makedirs(cls.shared)
        cls.had_log = os.path.exists("/var/log/sanlock.log")
        cls.hosts = []
        cls.holders = []

        def on_term(signum, frame):
            # meson's timeout: stop what was started here, then go
            cls.tearDownClass()
            os._exit(1)
        signal.signal(signal.SIGTERM, on_term)
        try:
            cls.hosts = [Host(cls.tmp, 1), Host(cls.tmp, 2)]
            cls.h1, cls.h2 = cls.hosts
            cls.area = os.path.join(cls.shared, "leases")
            cls.js_ok(cls.h1, "lockspace-create", "LS", cls.area,
                      "--io-timeout", str(IO_TIMEOUT), "--slots", "16")
            # both hosts join at once; each join is timed by the library
            p1 = cls.h1.spawn("lockspace-join", "LS", "--wait")
            p2 = cls.h2.spawn("lockspace-join", "LS", "--path", cls.area, "--wait")
            for h, p in ((cls.h1, p1), (cls.h2, p2)):
                out, err = p.communicate(timeout=120)
                if p.returncode != 0:
                    raise RuntimeError("host %d join: %s" % (h.n, err))
            cls.joins = {h.n: cls.js_ok(h, "lockspace-status", "LS")["lockspace"]
                         for h in cls.hosts}
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "_done", False):
            return
        cls._done = True
        for p in cls.holders:
            if p.poll() is None:
                p.kill()
                p.wait()
        for h in cls.hosts:
            h.stop()
        if not cls.had_log and os.path.exists("/var/log/sanlock.log"):
            os.unlink("/var/log/sanlock.log")
        cls._tmp.cleanup()

    @staticmethod
    def js_ok(host, *args):
        p = host.run("--json", *args)
        if p.returncode != 0:
            raise AssertionError("host %d %s: %s%s" % (host.n, args, p.stdout, p.stderr))
        return json.loads(p.stdout)

    def refused(self, host, code, *args):
        p = host.run("--json", *args)
        self.assertNotEqual(p.returncode, 0, "host %d %s succeeded" % (host.n, args))
        self.assertTrue(p.stdout, "host %d %s: no JSON (exit %d): %s"
                        % (host.n, args, p.returncode, p.stderr))
        status = json.loads(p.stdout)["status"]
        self.assertEqual(status["code"], code, status["message"])
        return status["message"]

    def image(self, name, flags=()):
        path = os.path.join(self.shared, name)
        subprocess.run(["qemu-img", "create", "-q", "-f", "raw", path, "16M"], check=True)
        vid = self.js_ok(self.h1, "vdisk-import", "--path", path, *flags)["id"]
        self.assertEqual(self.js_ok(self.h2, "vdisk-import", "--path", path, *flags)["id"], vid)
        return vid

    def hold(self, host, vid, *cmd, host_id=None):
        """host_id: the host's id in the vDisk's lockspace (default: in LS)."""
        p = host.spawn("vdisk-lease-run", vid, "--", *(cmd or ("sleep", "300")))
        self.holders.append(p)
        if host_id is None:
            host_id = self.joins[host.n]["host_id"]
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            st = self.js_ok(host, "vdisk-lease-status", vid)["lease"]
            if any(o["host_id"] == host_id for o in st["owners"]):
                return p
            if p.poll() is not None:
                self.fail("holder exited: %s" % p.stderr.read())
            time.sleep(0.1)
        self.fail("host %d never held the lease of %s" % (host.n, vid))

    def release(self, p):
        p.send_signal(signal.SIGKILL)
        p.wait()

    # ---- lockspaces -----------------------------------------------------------------------

    def test_joined_with_distinct_host_ids_and_timed(self):
        s1, s2 = self.joins[1], self.joins[2]
        self.assertEqual((s1["state"], s2["state"]), ("joined", "joined"))
        self.assertNotEqual(s1["host_id"], s2["host_id"])
        for n, s in self.joins.items():
            # about twice the io timeout; never the 21 s of the default
            self.assertGreater(s["join_ms"], 1000 * IO_TIMEOUT)
            self.assertLess(s["join_ms"], 15000)
            sys.stderr.write("host %d joined lockspace LS as host id %d in %.1f s\n"
                             % (n, s["host_id"], s["join_ms"] / 1000))

    def test_host_id_collision_refused(self):
        # a third host asks for host 1's id: its host record on storage is held
        other = os.path.join(self.tmp, "state3")
        p = subprocess.run([CLI, "-d", other, "--json", "lockspace-join", "LS", "--path",
                            self.area, "--host-id", str(self.joins[1]["host_id"])],
                           capture_output=True, text=True, env=self.h2.env, timeout=60)
        status = json.loads(p.stdout)["status"]
        self.assertEqual(status["code"], EBUSY, status["message"])
        self.assertIn("host id %d of lockspace LS is taken" % self.joins[1]["host_id"],
                      status["message"])

    def test_join_progress_is_reported_not_blocked(self):
        # joining returns at once; the status says "joining" with the time spent
        area = os.path.join(self.shared, "progress-leases")
        self.js_ok(self.h1, "lockspace-create", "LSP", area, "--io-timeout", str(IO_TIMEOUT),
                   "--slots", "1")
        t0 = time.monotonic()
        self.js_ok(self.h1, "lockspace-join", "LSP")
        # well under the join itself (2 * io_timeout + 1 s), with room for a loaded machine
        self.assertLess(time.monotonic() - t0, (2 * IO_TIMEOUT + 1) / 2)
        st = self.js_ok(self.h1, "lockspace-status", "LSP")["lockspace"]
        self.assertEqual(st["state"], "joining")
        self.assertIn("elapsed_ms", st)
        self.assertEqual(st["expected_ms"], 2000 * IO_TIMEOUT + 1000)
        p = self.h1.run("lockspace-join", "LSP", "--wait")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("joining lockspace LSP:", p.stderr)
        self.js_ok(self.h1, "lockspace-leave", "LSP")

    def test_lost_lease_area_is_a_clear_error(self):
        area = os.path.join(self.shared, "lost-leases")
        self.js_ok(self.h2, "lockspace-create", "LSL", area, "--slots", "1")
        os.unlink(area)
        msg = self.refused(self.h2, ENOENT, "lockspace-status", "LSL")
        self.assertIn("lease area '%s' of lockspace LSL" % area, msg)
        msg = self.refused(self.h2, ENOENT, "lockspace-join", "LSL")
        self.assertIn(area, msg)

    def test_lockspace_on_a_block_device_region(self):
        """A lockspace in a region of a block device (a shared LUN, a small
        LV as VDSM's ids volume): a loop device here.  LVs themselves need
        device-mapper, which this kernel lacks; they are block devices like
        this one to the library and to sanlock."""
        msg = self.refused(self.h1, EINVAL, "lockspace-create", "LSB", "/dev/null")
        self.assertIn("not a regular file or a block device", msg)
        backing = os.path.join(self.tmp, "lun.img")
        with open(backing, "wb") as f:
            f.write(b"other data" * 1000)   # the LUN's first MiBs belong to someone else
            f.truncate(8 << 20)
        loop = subprocess.run(["losetup", "-f", "--show", backing], capture_output=True,
                              text=True)
        if loop.returncode != 0:
            self.skipTest("no loop device: %s" % loop.stderr.strip())
        dev = loop.stdout.strip()
        off = str(2 << 20)
        try:
            msg = self.refused(self.h1, EINVAL, "lockspace-create", "LSB", dev, "--offset", "4096")
            self.assertIn("offset 4096 is not a multiple of 1 MiB", msg)
            msg = self.refused(self.h1, EINVAL, "lockspace-create", "LSB", dev,
                               "--offset", str(8 << 20))
            self.assertIn("needs %d" % (9 << 20), msg)
            self.js_ok(self.h1, "lockspace-create", "LSB", dev, "--offset", off,
                       "--io-timeout", str(IO_TIMEOUT))
            msg = self.refused(self.h2, EEXIST, "lockspace-create", "LSB2", dev, "--offset", off)
            self.assertIn("already holds lockspace 'LSB' at offset %s" % off, msg)
            with open(dev, "rb") as f:
                self.assertEqual(f.read(10), b"other data")
            # both hosts join; each id chosen from the host records in the region
            t0 = time.monotonic()
            p1 = self.h1.spawn("lockspace-join", "LSB", "--wait")
            p2 = self.h2.spawn("lockspace-join", "LSB", "--path", dev, "--offset", off, "--wait")
            for p in (p1, p2):
                out, err = p.communicate(timeout=120)
                self.assertEqual(p.returncode, 0, err)
            st = [self.js_ok(h, "lockspace-status", "LSB")["lockspace"] for h in self.hosts]
            sys.stderr.write("both hosts joined lockspace LSB at offset %s of %s in %.1f s\n"
                             % (off, dev, time.monotonic() - t0))
            self.assertEqual([(s["state"], s["path"], s["offset"]) for s in st],
                             [("joined", dev, 2 << 20)] * 2)
            self.assertNotEqual(st[0]["host_id"], st[1]["host_id"])
            other = os.path.join(self.tmp, "state-b3")
            p = subprocess.run([CLI, "-d", other, "--json", "lockspace-join", "LSB", "--path", dev,
                                "--offset", off, "--host-id", str(st[0]["host_id"])],
                               capture_output=True, text=True, env=self.h2.env, timeout=60)
            status = json.loads(p.stdout)["status"]
            self.assertEqual(status["code"], EBUSY, status["message"])
            self.assertIn("host id %d of lockspace LSB is taken" % st[0]["host_id"],
                          status["message"])
        finally:
            for h in self.hosts:
                h.run("lockspace-leave", "LSB")
            time.sleep(2 * IO_TIMEOUT)
            subprocess.run(["losetup", "-d", dev], capture_output=True)

    # ---- vDisk leases ---------------------------------------------------------------------

    def test_exclusive_lease_refused_on_other_host_until_pid_dies(self):
        vid = self.image("excl.img")
        st = self.js_ok(self.h1, "vdisk-lease-status", vid)["lease"]
        self.assertEqual((st["mode"], st["lockspace"], st["held"]), ("exclusive", "LS", False))
        holder = self.hold(self.h1, vid)
        id1 = self.joins[1]["host_id"]
        want = "vDisk %s: its lease is held by host id %d of lockspace LS" % (vid, id1)
        self.assertIn(want, self.refused(self.h2, EBUSY, "vdisk-lease-run", vid, "--", "true"))
        self.assertIn(want, self.refused(self.h2, EBUSY, "vdisk-prepare", vid, "vm2"))
        st = self.js_ok(self.h2, "vdisk-lease-status", vid)["lease"]
        # host 2's sanlock calls host 1 "unknown" until it has watched it renew a while
        self.assertEqual([o["host_id"] for o in st["owners"]], [id1])
        self.assertIn(st["owners"][0]["state"], ("live", "unknown"))
        self.release(holder)
        p = self.h2.run("vdisk-lease-run", vid, "--", "true")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.h2.run("vdisk-prepare", vid, "vm2").returncode, 0)
        self.h2.run("vdisk-release", vid, "vm2")

    def test_lun_vdisk_lease_assigned_to_a_file_lockspace(self):
        """A vDisk on a shared LUN (a loop device here) is under no lease area
        file's directory: it has no lease until each host assigns it to a
        lockspace whose area is a file; both hosts then find the same slot,
        and the second host's prepare is refused while the first holds it."""
        backing = os.path.join(self.tmp, "shared-lun.img")
        with open(backing, "wb") as f:
            f.truncate(16 << 20)
        loop = subprocess.run(["losetup", "-f", "--show", backing], capture_output=True,
                              text=True)
        if loop.returncode != 0:
            self.skipTest("no loop device: %s" % loop.stderr.strip())
        dev = loop.stdout.strip()
        holder = None
        try:
            vid = self.js_ok(self.h1, "vdisk-import", "--path", dev)["id"]
            self.assertEqual(self.js_ok(self.h2, "vdisk-import", "--path", dev)["id"], vid)
            st = self.js_ok(self.h1, "vdisk-lease-status", vid)["lease"]
            self.assertNotIn("lockspace", st)
            # refusals: no such lockspace; a block region (host ids only)
            self.assertIn("no lockspace NOPE on this host",
                          self.refused(self.h1, ENOENT, "vdisk-lease-assign", vid, "NOPE"))
            self.js_ok(self.h1, "lockspace-create", "LSR", dev, "--offset", str(8 << 20))
            msg = self.refused(self.h1, EOPNOTSUPP, "vdisk-lease-assign", vid, "LSR")
            self.assertIn("lockspace LSR in block device '%s' was made without lease slots" % dev,
                          msg)
            self.assertTrue(self.js_ok(self.h1, "vdisk-lease-assign", vid, "LS")["assigned"])
            self.assertFalse(self.js_ok(self.h1, "vdisk-lease-assign", vid, "LS")["assigned"])
            msg = self.refused(self.h1, EEXIST, "vdisk-lease-assign", vid, "LSR")
            self.assertIn("has its lease in lockspace LS, not LSR", msg)
            self.assertTrue(self.js_ok(self.h2, "vdisk-lease-assign", vid, "LS")["assigned"])
            s1, s2 = (self.js_ok(h, "vdisk-lease-status", vid)["lease"] for h in self.hosts)
            self.assertEqual((s1["lockspace"], s1["path"], s1["mode"]),
                             ("LS", self.area, "exclusive"))
            self.assertEqual(s1["offset"], s2["offset"])
            holder = self.hold(self.h1, vid)
            want = "vDisk %s: its lease is held by host id %d of lockspace LS" \
                % (vid, self.joins[1]["host_id"])
            self.assertIn(want, self.refused(self.h2, EBUSY, "vdisk-prepare", vid, "vm-lun"))
            xml = self.h2.run("vdisk-xml", vid, "--leases")
            self.assertEqual(xml.returncode, 0, xml.stderr)
            self.assertIn("<key>%s</key>" % vid, xml.stdout)
            self.assertIn('offset="%d"' % s1["offset"], xml.stdout)
            self.release(holder)
            holder = None
            p = self.h2.run("vdisk-prepare", vid, "vm-lun")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.h2.run("vdisk-release", vid, "vm-lun")
        finally:
            if holder:
                self.release(holder)
            subprocess.run(["losetup", "-d", dev], capture_output=True)

    def test_lun_vdisk_lease_in_a_block_region_with_slots(self):
        """A lockspace in a block device region made with slots (as VDSM's
        xleases volume) keeps vDisk leases too: each host picks the vDisk's
        slot holding the region's slot allocation lease; both find the same
        one, and the second host's prepare is refused while the first holds
        it.  Loop devices stand for the shared LUNs."""
        devs = []
        holder = None
        try:
            for n in ("xleases", "data"):
                backing = os.path.join(self.tmp, "lun-%s.img" % n)
                with open(backing, "wb") as f:
                    f.truncate(16 << 20)
                loop = subprocess.run(["losetup", "-f", "--show", backing], capture_output=True,
                                      text=True)
                if loop.returncode != 0:
                    self.skipTest("no loop device: %s" % loop.stderr.strip())
                devs.append(loop.stdout.strip())
            area, data = devs
            off = 1 << 20
            msg = self.refused(self.h1, EINVAL, "lockspace-create", "LSS", area, "--offset",
                               str(12 << 20), "--slots", "3")
            self.assertIn("needs %d" % (17 << 20), msg)     # (3 + 2) MiB from 12 MiB
            self.js_ok(self.h1, "lockspace-create", "LSS", area, "--offset", str(off),
                       "--slots", "2", "--io-timeout", str(IO_TIMEOUT))
            # ids other than those in LS: a vDisk's holder is named by its id in LSS
            p1 = self.h1.spawn("lockspace-join", "LSS", "--host-id", "7", "--wait")
            p2 = self.h2.spawn("lockspace-join", "LSS", "--path", area, "--offset", str(off),
                               "--host-id", "3", "--wait")
            for p in (p1, p2):
                out, err = p.communicate(timeout=120)
                self.assertEqual(p.returncode, 0, err)
            id1 = self.js_ok(self.h1, "lockspace-status", "LSS")["lockspace"]["host_id"]
            self.assertEqual(id1, 7)
            vid = self.js_ok(self.h1, "vdisk-import", "--path", data)["id"]
            self.assertEqual(self.js_ok(self.h2, "vdisk-import", "--path", data)["id"], vid)
            for h in self.hosts:
                self.assertTrue(self.js_ok(h, "vdisk-lease-assign", vid, "LSS")["assigned"])
            s1, s2 = (self.js_ok(h, "vdisk-lease-status", vid)["lease"] for h in self.hosts)
            self.assertEqual((s1["lockspace"], s1["path"], s1["offset"]), ("LSS", area, 3 << 20))
            self.assertEqual(s2["offset"], 3 << 20)
            holder = self.hold(self.h1, vid, host_id=id1)
            want = "vDisk %s: its lease is held by host id %d of lockspace LSS" % (vid, id1)
            self.assertIn(want, self.refused(self.h2, EBUSY, "vdisk-prepare", vid, "vm-xl"))
            xml = self.h2.run("vdisk-xml", vid, "--leases")
            self.assertEqual(xml.returncode, 0, xml.stderr)
            self.assertIn('<target path="%s" offset="%d"/>' % (area, 3 << 20), xml.stdout)
            self.release(holder)
            holder = None
            p = self.h2.run("vdisk-prepare", vid, "vm-xl")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.h2.run("vdisk-release", vid, "vm-xl")
            # two slots: one more vDisk gets the second, the next none
            others = []
            for n in ("x1.img", "x2.img"):
                path = os.path.join(self.tmp, n)
                subprocess.run(["qemu-img", "create", "-q", "-f", "raw", path, "1M"], check=True)
                others.append(self.js_ok(self.h1, "vdisk-import", "--path", path)["id"])
            self.js_ok(self.h1, "vdisk-lease-assign", others[0], "LSS")
            self.assertEqual(self.js_ok(self.h1, "vdisk-lease-status", others[0])["lease"]["offset"],
                             4 << 20)
            msg = self.refused(self.h1, ENOSPC, "vdisk-lease-assign", others[1], "LSS")
            self.assertIn("all 2 lease slots of '%s' are in use" % area, msg)
        finally:
            if holder:
                self.release(holder)
            for h in self.hosts:
                h.run("lockspace-leave", "LSS")
            time.sleep(2 * IO_TIMEOUT)
            for d in devs:
                subprocess.run(["losetup", "-d", d], capture_output=True)

    def test_snapshot_refused_while_other_host_holds(self):
        pool = os.path.join(self.shared, "pool")
        for h in self.hosts:
            for cmd in (("pool-define-as", "shared", "dir", "--target", pool),
                        ("pool-build", "shared"), ("pool-start", "shared")):
                p = h.run(*cmd)
                self.assertEqual(p.returncode, 0, p.stderr)
        p = self.h1.run("vol-create-as", "shared", "snap.raw", "16M", "--format", "raw")
        self.assertEqual(p.returncode, 0, p.stderr)
        h2pool = self.h2.run("pool-refresh", "shared")
        self.assertEqual(h2pool.returncode, 0, h2pool.stderr)
        vid = self.js_ok(self.h1, "vdisk-import", "--pool", "shared", "--volume", "snap.raw")["id"]
        self.js_ok(self.h2, "vdisk-import", "--pool", "shared", "--volume", "snap.raw")
        holder = self.hold(self.h1, vid)
        msg = self.refused(self.h2, EBUSY, "vdisk-snapshot", vid)
        self.assertIn("held by host id %d" % self.joins[1]["host_id"], msg)
        self.assertEqual(len(self.js_ok(self.h2, "vdisk-info", vid)["vdisk"]["images"]), 1)
        # the holding host's own snapshot goes ahead (its VM holds the lease)
        uid = self.js_ok(self.h1, "vdisk-snapshot", vid)["uid"]
        self.assertIn("held by host id %d" % self.joins[1]["host_id"],
                      self.refused(self.h2, EBUSY, "vdisk-delete-image", vid, uid))
        self.release(holder)
        # free again: either host changes the chain (each host keeps its own record)
        p = self.h1.run("vdisk-delete-image", vid, uid, "--delete-storage")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.h2.run("vdisk-snapshot", vid).returncode, 0)

    def test_chain_changed_on_other_host_is_read_again(self):
        """Each host keeps its own vDisk record: host 1's snapshot must not
        leave host 2 preparing the old top.  The host that changes the
        chain writes it next to the lease area; host 2 reads it again."""
        pool = os.path.join(self.shared, "pool5")
        for h in self.hosts:
            for cmd in (("pool-define-as", "p5", "dir", "--target", pool),
                        ("pool-build", "p5"), ("pool-start", "p5")):
                p = h.run(*cmd)
                self.assertEqual(p.returncode, 0, p.stderr)
        p = self.h1.run("vol-create-as", "p5", "base.raw", "16M", "--format", "raw")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.h2.run("pool-refresh", "p5").returncode, 0)
        vid = self.js_ok(self.h1, "vdisk-import", "--pool", "p5", "--volume", "base.raw")["id"]
        self.js_ok(self.h2, "vdisk-import", "--pool", "p5", "--volume", "base.raw")
        base = os.path.join(pool, "base.raw")
        # host 1 snapshots (holding the lease while it does)
        uid = self.js_ok(self.h1, "vdisk-snapshot", vid)["uid"]
        top = os.path.join(pool, uid + ".qcow2")
        p = self.h2.run("--json", "vdisk-prepare", vid, "vm5")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["path"], top, "host 2 prepared the old top")
        self.h2.run("vdisk-release", vid, "vm5")
        images = self.js_ok(self.h2, "vdisk-info", vid)["vdisk"]["images"]
        self.assertEqual([i["uid"] for i in images][-1], uid)
        # host 2's own snapshot goes on host 1's overlay, and host 1 sees it
        uid2 = self.js_ok(self.h2, "vdisk-snapshot", vid)["uid"]
        p = self.h1.run("--json", "vdisk-prepare", vid, "vm5")
        self.assertEqual(json.loads(p.stdout)["path"], os.path.join(pool, uid2 + ".qcow2"),
                         p.stderr)
        self.h1.run("vdisk-release", vid, "vm5")
        info = subprocess.run(["qemu-img", "info", "--backing-chain", "-U", "--output=json",
                               os.path.join(pool, uid2 + ".qcow2")], capture_output=True,
                              text=True, check=True)
        self.assertEqual([i["filename"] for i in json.loads(info.stdout)],
                         [os.path.join(pool, uid2 + ".qcow2"), top, base])
        # cut back on host 1: host 2 goes back to the base
        for u in (uid2, uid):
            p = self.h1.run("vdisk-delete-image", vid, u, "--delete-storage")
            self.assertEqual(p.returncode, 0, p.stderr)
        p = self.h2.run("--json", "vdisk-prepare", vid, "vm5")
        self.assertEqual(json.loads(p.stdout)["path"], base, p.stderr)
        self.h2.run("vdisk-release", vid, "vm5")

    def test_shared_vdisk_on_both_hosts(self):
        vid = self.image("shared.img", ("--shared",))
        self.hold(self.h1, vid)
        self.hold(self.h2, vid)
        st = self.js_ok(self.h1, "vdisk-lease-status", vid)["lease"]
        self.assertEqual(st["mode"], "shared")
        self.assertEqual(sorted(o["host_id"] for o in st["owners"]),
                         sorted(self.joins[n]["host_id"] for n in (1, 2)))
        self.assertEqual(self.h2.run("vdisk-prepare", vid, "vmS").returncode, 0)
        self.h2.run("vdisk-release", vid, "vmS")

    def test_readonly_vdisk_needs_no_lease(self):
        vid = self.image("ro.img", ("--readonly",))
        holder = self.hold_none(self.h1, vid)
        p = self.h2.run("vdisk-lease-run", vid, "--", "true")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.h2.run("vdisk-prepare", vid, "vmR").returncode, 0)
        st = self.js_ok(self.h1, "vdisk-lease-status", vid)["lease"]
        self.assertEqual((st["mode"], st["held"]), ("none", False))
        self.release(holder)

    def hold_none(self, host, vid):
        p = host.spawn("vdisk-lease-run", vid, "--", "sleep", "300")
        self.holders.append(p)
        time.sleep(0.5)
        self.assertIsNone(p.poll())
        return p

    def test_process_killed_mid_hold_leaves_no_lease(self):
        vid = self.image("crash.img")
        # the process that acquired dies by SIGKILL: sanlock frees its lease
        p = self.h1.run("vdisk-lease-run", vid, "--", "sh", "-c", "kill -9 $$")
        self.assertEqual(p.returncode, -signal.SIGKILL)
        deadline = time.monotonic() + 10
        while self.js_ok(self.h2, "vdisk-lease-status", vid)["lease"]["held"]:
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.1)
        p = self.h2.run("vdisk-lease-run", vid, "--", "true")
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_import_over_data_holds_the_lease(self):
        # a file with data, imported on host 1 and in use there by a VM
        path = os.path.join(self.shared, "data.img")
        with open(path, "wb") as f:
            f.write(b"guest data" * 4096)
            f.truncate(16 << 20)
        vid = self.js_ok(self.h1, "vdisk-import", "--path", path)["id"]
        holder = self.hold(self.h1, vid)
        id1 = self.joins[1]["host_id"]
        msg = self.refused(self.h2, EBUSY, "vdisk-import", "--path", path)
        self.assertIn("vDisk %s: its lease is held by host id %d of lockspace LS" % (vid, id1),
                      msg)
        self.assertNotEqual(self.h2.run("vdisk-info", vid).returncode, 0, "host 2 recorded it")
        self.release(holder)
        # free: host 2 takes it in, holding the lease only while it does
        self.assertEqual(self.js_ok(self.h2, "vdisk-import", "--path", path)["id"], vid)
        st = self.js_ok(self.h1, "vdisk-lease-status", vid)["lease"]
        self.assertEqual((st["held"], st["owners"]), (False, []))

    def test_migration_prepare_while_source_holds(self):
        vid = self.image("mig.img")
        holder = self.hold(self.h1, vid)
        id1 = self.joins[1]["host_id"]
        try:
            # the destination of a migration: the source's lease is no refusal
            p = self.h2.run("vdisk-prepare", vid, "vm-mig", "--migration")
            self.assertEqual(p.returncode, 0, p.stderr)
            # ... and prepare took nothing: libvirt's driver acquires as the domain arrives
            st = self.js_ok(self.h2, "vdisk-lease-status", vid)["lease"]
            self.assertEqual([o["host_id"] for o in st["owners"]], [id1])
            # running or hot-plugging it here is still refused
            msg = self.refused(self.h2, EBUSY, "vdisk-prepare", vid, "vm-run")
            self.assertIn("held by host id %d" % id1, msg)
            self.refused(self.h2, EINVAL, "vdisk-prepare", vid, "vm-x", "--migration",
                         "--ha-restart")
            # the hand-over: released on the source, acquired on the destination
            self.release(holder)
            p = self.h2.run("vdisk-lease-run", vid, "--", "true")
            self.assertEqual(p.returncode, 0, p.stderr)
        finally:
            self.release(holder)
            self.h2.run("vdisk-release", vid, "vm-mig")

    def test_ha_restart_waits_out_a_crashed_host(self):
        vid = self.image("ha.img")
        holder = self.hold(self.h1, vid)
        id1 = self.joins[1]["host_id"]
        # host 1 crashes: its sanlock daemon dies holding the lease (no release)
        self.h1.daemon.send_signal(signal.SIGKILL)
        self.h1.daemon.wait()
        t0 = time.monotonic()
        try:
            msg = self.refused(self.h2, EBUSY, "vdisk-prepare", vid, "vm-ha")
            self.assertIn("held by host id %d" % id1, msg)
            # a bounded wait: busy, with how long sanlock may still take
            msg = self.refused(self.h2, EBUSY, "vdisk-prepare", vid, "vm-ha", "--ha-restart",
                               "--timeout", "2")
            self.assertIn("held by host id %d of lockspace LS" % id1, msg)
            self.assertRegex(msg, r"at most \d+ s more")
            sys.stderr.write("host 2, HA restart within 2 s: %s\n" % msg)
            # waited out, never broken: the prepare succeeds once host 1 is dead
            p = self.h2.run("vdisk-prepare", vid, "vm-ha", "--ha-restart", "--timeout", "300",
                            timeout=400)
            took = time.monotonic() - t0
            self.assertEqual(p.returncode, 0, p.stderr)
            sys.stderr.write("host 2's HA restart prepare succeeded %.1f s after host 1's "
                             "sanlock was killed (io_timeout %d s)\n" % (took, IO_TIMEOUT))
            self.assertGreater(took, 8 * IO_TIMEOUT)
            p = self.h2.run("vdisk-lease-run", vid, "--", "true")
            self.assertEqual(p.returncode, 0, p.stderr)
        finally:
            self.h2.run("vdisk-release", vid, "vm-ha")
            self.release(holder)
            self.h1.log.close()
            self.h1.start()
            p = self.h1.run("lockspace-join", "LS", "--wait", timeout=300)
            self.assertEqual(p.returncode, 0, p.stderr)

    # ---- <lease> for libvirt's sanlock lock driver ----------------------------------------

    def test_lease_elements(self):
        vid = self.image("xml.img")
        sid = self.image("xml-shared.img", ("--shared",))
        rid = self.image("xml-ro.img", ("--readonly",))
        st = self.js_ok(self.h1, "vdisk-lease-status", vid)["lease"]
        plain = self.h1.run("vdisk-xml", vid)
        self.assertNotIn("<lease>", plain.stdout)
        p = self.h1.run("vdisk-xml", "--leases", vid)
        self.assertEqual(p.returncode, 0, p.stderr)
        lease = ET.fromstring(p.stdout[p.stdout.index("<lease>"):])
        self.assertEqual(lease.findtext("lockspace"), "LS")
        self.assertEqual(lease.findtext("key"), vid)
        self.assertEqual(lease.find("target").attrib,
                         {"path": st["path"], "offset": str(st["offset"])})
        for other in (sid, rid):  # libvirt's leases are exclusive: none for these
            p = self.h1.run("vdisk-xml", "--leases", other)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertNotIn("<lease>", p.stdout)
        # resolve --vm: the leases follow the disks inside <devices>
        vm = os.path.join(self.tmp, "vm.json")
        with open(vm, "w") as f:
            json.dump({"drives": [{"vdisk": vid}, {"vdisk": sid, "shared": True}]}, f)
        p = self.h1.run("resolve", "--vm", "--leases", vm)
        self.assertEqual(p.returncode, 0, p.stderr)
        devices = ET.fromstring(p.stdout)
        self.assertEqual([e.tag for e in devices if e.tag != "controller"],
                         ["disk", "disk", "lease"])
        self.assertEqual(devices.find("lease").findtext("key"), vid)
        one = os.path.join(self.tmp, "one.json")
        with open(one, "w") as f:
            json.dump({"vdisk": vid}, f)
        p = self.h1.run("resolve", "--leases", one)
        self.assertIn("<key>%s</key>" % vid, p.stdout)
        # libvirt's domain schema takes the devices as they are
        if shutil.which("virt-xml-validate"):
            dom = os.path.join(self.tmp, "dom.xml")
            body = ET.tostring(devices, encoding="unicode")
            with open(dom, "w") as f:
                f.write("<domain type='kvm'><name>d</name><memory>65536</memory>"
                        "<os><type arch='x86_64'>hvm</type></os>%s</domain>" % body)
            v = subprocess.run(["virt-xml-validate", dom, "domain"], capture_output=True,
                               text=True, timeout=60)
            self.assertEqual(v.returncode, 0, v.stdout + v.stderr)

    def test_libvirt_sanlock_judge(self):
        """libvirtd with lock_manager = "sanlock" starts a domain whose disk and
        lease came from vdisk-xml --leases: its qemu holds the lease, so the
        other host's prepare is refused until the domain is destroyed."""
        why = QemuJudge.unavailable()
        if why:
            self.skipTest(why)
        if not glob.glob("/usr/lib/*/libvirt/lock-driver/sanlock.so"):
            self.skipTest("libvirt's sanlock lock driver is not installed (libvirt-sanlock)")
        vid = self.image("judge.img")
        p = self.h1.run("vdisk-xml", "--leases", vid)
        self.assertEqual(p.returncode, 0, p.stderr)
        devices = ET.fromstring("<devices>%s</devices>" % p.stdout)
        ET.SubElement(devices, "emulator").text = QEMU
        ET.SubElement(devices, "controller", type="usb", model="none")
        ET.SubElement(devices, "memballoon", model="none")
        dom = ET.Element("domain", type="qemu")
        ET.SubElement(dom, "name").text = "leased"
        ET.SubElement(dom, "memory", unit="MiB").text = "64"
        os_ = ET.SubElement(dom, "os")
        ET.SubElement(os_, "type", arch="x86_64", machine="pc").text = "hvm"
        dom.append(devices)
        path = os.path.join(self.tmp, "leased.xml")
        ET.ElementTree(dom).write(path)
        os.makedirs(os.path.join(self.tmp, "libvirt"))
        judge = QemuJudge(os.path.join(self.tmp, "libvirt"),
                          cache=os.environ.get("STORVIRT_LEASE_JUDGE_CACHE"),
                          qemu_conf='lock_manager = "sanlock"\n',
                          etc_files={"qemu-sanlock.conf": "auto_disk_leases = 0\n"
                                                          "require_lease_for_disks = 1\n"},
                          env={"SANLOCK_RUN_DIR": self.h1.run_dir})
        judge.start()
        try:
            judge.virsh("define", "--validate", path)
            # libvirt only registers a paused domain; the leases are taken as it runs
            judge.virsh("start", "leased")
            st = self.js_ok(self.h2, "vdisk-lease-status", vid)["lease"]
            self.assertEqual([o["host_id"] for o in st["owners"]], [self.joins[1]["host_id"]])
            msg = self.refused(self.h2, EBUSY, "vdisk-prepare", vid, "vm-on-2")
            self.assertIn("held by host id %d" % self.joins[1]["host_id"], msg)
            sys.stderr.write("libvirt started domain 'leased' with its lease; host 2: %s\n" % msg)
            judge.virsh("destroy", "leased")
            p = self.h2.run("vdisk-prepare", vid, "vm-on-2")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.h2.run("vdisk-release", vid, "vm-on-2")
        finally:
            judge.virsh("destroy", "leased", check=False)
            judge.virsh("undefine", "leased", check=False)
            judge.stop()

    def test_python_binding(self):
        if os.environ.get("STORVIRT_SANITIZED", "none") != "none":
            self.skipTest("python3 cannot load a sanitizer build of the library")
        code = ("import os, storvirt\n"
                "c = storvirt.Context()\n"
                "c.set_state_dir(os.environ['S'])\n"
                "print(c.lockspace_status('LS')['state'])\n"
                "v = c.vdisk(os.environ['V'])\n"
                "print(v.lease_acquire())\n"
                "print(v.lease_status()['held'])\n"
                "v.lease_release()\n"
                "print(v.lease_status()['held'])\n"
                "print('<lease>' in v.xml(leases=True), '<lease>' in v.xml())\n"
                "print(v.prepare('vm-py', flags=storvirt.STORVIRT_VDISK_PREPARE_MIGRATION)"
                " == os.environ['P'])\n"
                "v.release('vm-py')\n"
                "print(v.lease_assign('LS'))\n"
                "try:\n"
                "    c.lockspace_create('LSPY', os.environ['P'], offset=1 << 20)\n"
                "except storvirt.StorvirtError as e:\n"
                "    print(e.errno)\n")
        vid = self.image("py.img")
        env = dict(self.h1.env, S=self.h1.state, V=vid, P=os.path.join(self.shared, "py.img"))
        p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.split(), ["joined", "True", "True", "False", "True", "False",
                                            "True", "False", str(EINVAL)])


if __name__ == "__main__":
    unittest.main()
