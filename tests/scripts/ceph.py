# SPDX-License-Identifier: LGPL-2.1-or-later
"""A private single-node Ceph cluster for tests: one monitor and one
memstore OSD on 127.0.0.1, cephx on, everything (configuration, keys,
data, logs, admin sockets, pid files) under its own directory, on ports
no other cluster of the machine uses.  Started in about ten seconds,
stopped by the pids it started (the OSD first, then the monitor).  The
OSD's pid is osd_pid: stop_osd() stops it (its memstore saved, as
'osd fast shutdown' is off) and start_osd() starts it again with the
same objects, so a test can take the cluster's storage away and back.

    with Ceph(workdir) as c:
        c.rbd("create", "--size", "64M", "rbd/img1")
        c.conf, c.mon_host, c.mon_port, c.client_key("test")

A manager (ceph-mgr) is started too when it is installed: without one
the monitors report no capacity or pool usage (wait_stats()).

Tests that use it need root and the Debian packages ceph-mon, ceph-osd
and ceph-common; Ceph.unavailable() says why not (a reason string) so
they can skip.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Ceph:
    TOOLS = ("ceph-mon", "ceph-osd", "ceph", "rbd", "ceph-authtool", "monmaptool")

    def __init__(self, workdir, pool="rbd"):
        self.dir = os.path.join(workdir, "ceph")
        self.pool = pool
        self.fsid = str(uuid.uuid4())
        self.pids = []
        self.osd_pid = None
        self.v1 = self.v2 = None

    @staticmethod
    def unavailable():
        if os.geteuid() != 0:
            return "needs root (ceph-mon, ceph-osd)"
        for tool in Ceph.TOOLS:
            if not shutil.which(tool):
                return "%s is not installed (Debian: ceph-mon ceph-osd ceph-common)" % tool
        return None

    @property
    def conf(self):
        return os.path.join(self.dir, "ceph.conf")

    @property
    def keyring(self):
        return os.path.join(self.dir, "keyring")

    @property
    def mon_host(self):
        return "127.0.0.1"

    @property
    def mon_port(self):
        return self.v1

    def run(self, tool, *args, check=True, input=None, timeout=120):
        cmd = [tool, "-c", self.conf] + [str(a) for a in args]
        p = subprocess.run(cmd, capture_output=True, text=True, input=input, timeout=timeout)
        if check and p.returncode != 0:
            raise RuntimeError("%s: %s" % (" ".join(cmd), (p.stderr or p.stdout).strip()))
        return p.stdout

    def ceph(self, *args, **kw):
        return self.run("ceph", *args, **kw)

    def rbd(self, *args, **kw):
        return self.run("rbd", *args, **kw)

    def _write_conf(self):
        d = self.dir
        osd_min = 20000 + (os.getpid() % 400) * 100
        text = """[global]
fsid = {fsid}
mon host = [v2:127.0.0.1:{v2},v1:127.0.0.1:{v1}]
mon initial members = a
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind ipv6 = false
ms bind port min = {pmin}
ms bind port max = {pmax}
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
auth allow insecure global id reclaim = false
keyring = {d}/keyring
run dir = {d}/run
admin socket = {d}/run/$name.asok
log file = {d}/log/$name.log
pid file = {d}/run/$name.pid
mon cluster log file = {d}/log/$cluster.$channel.log
mon data avail warn = 1
mon allow pool size one = true
mon warn on pool no redundancy = false
mon allow pool delete = true
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd crush chooseleaf type = 0
[mon]
mon data = {d}/mon/$cluster-$id
[osd]
osd data = {d}/osd/$cluster-$id
keyring = {d}/osd/$cluster-$id/keyring
osd objectstore = memstore
osd fast shutdown = false
memstore device bytes = {mem}
[mgr]
mgr data = {d}/mgr/$cluster-$id
keyring = {d}/mgr/$cluster-$id/keyring
""".format(fsid=self.fsid, v1=self.v1, v2=self.v2, pmin=osd_min, pmax=osd_min + 99, d=d,
           mem=self.memstore_bytes)
        with open(self.conf, "w") as f:
            f.write(text)

    memstore_bytes = 4 << 30

    def _pid_of(self, name):
        path = os.path.join(self.dir, "run", name + ".pid")
        for _ in range(100):
            try:
                with open(path) as f:
                    return int(f.read().strip())
            except (OSError, ValueError):
                time.sleep(0.1)
        raise RuntimeError("%s wrote no pid file %s" % (name, path))

    def _tool(self, *cmd):
        p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            raise RuntimeError("%s: %s" % (" ".join(map(str, cmd)), (p.stderr or p.stdout).strip()))
        return p.stdout

    def start(self):
        d = self.dir
        for sub in ("mon", "osd/ceph-0", "mgr/ceph-x", "run", "log"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        self.v1, self.v2 = _free_port(), _free_port()
        self._write_conf()
        kr = self.keyring
        self._tool("ceph-authtool", "-C", kr, "--gen-key", "-n", "mon.", "--cap", "mon", "allow *")
        self._tool("ceph-authtool", kr, "--gen-key", "-n", "client.admin", "--cap", "mon",
                   "allow *", "--cap", "osd", "allow *", "--cap", "mgr", "allow *")
        monmap = os.path.join(d, "monmap")
        self._tool("monmaptool", "--create", "--fsid", self.fsid, "--addv", "a",
                   "[v2:127.0.0.1:%d,v1:127.0.0.1:%d]" % (self.v2, self.v1), monmap)
        self._tool("ceph-mon", "-c", self.conf, "--mkfs", "-i", "a", "--monmap", monmap,
                   "--keyring", kr)
        self._tool("ceph-mon", "-c", self.conf, "-i", "a")
        self.pids.append(self._pid_of("mon.a"))
        osd_uuid = str(uuid.uuid4())
        key = self._tool("ceph-authtool", "--gen-print-key").strip()
        new = os.path.join(d, "new.json")
        with open(new, "w") as f:
            f.write('{"cephx_secret": "%s"}' % key)
        self.ceph("osd", "new", osd_uuid, "-i", new)
        with open(os.path.join(d, "osd/ceph-0/keyring"), "w") as f:
            f.write("[osd.0]\n\tkey = %s\n" % key)
        self._tool("ceph-osd", "-c", self.conf, "-i", "0", "--mkfs", "--key", key,
                   "--osd-uuid", osd_uuid)
        self.start_osd()
        self.ceph("osd", "pool", "create", self.pool, "8", "8")
        self.rbd("pool", "init", self.pool)
        if shutil.which("ceph-mgr"):
            self._start_mgr()
        return self

    def _osd_up(self):
        return '"num_up_osds":1' in self.ceph("osd", "stat", "-f", "json").replace(" ", "")

    def start_osd(self):
        """Starts the OSD (again: a memstore OSD stopped by stop_osd() loads what it saved)."""
        pidfile = os.path.join(self.dir, "run", "osd.0.pid")
        if os.path.exists(pidfile):
            os.unlink(pidfile)
        self._tool("ceph-osd", "-c", self.conf, "-i", "0")
        self.osd_pid = self._pid_of("osd.0")
        self.pids.insert(0, self.osd_pid)
        deadline = time.monotonic() + 60
        while not self._osd_up():
            if time.monotonic() > deadline:
                raise RuntimeError("the OSD did not come up in 60 s")
            time.sleep(0.3)

    def stop_osd(self):
        """Stops the OSD by the pid it started with (SIGTERM: a memstore OSD saves its
        objects first, 'osd fast shutdown' being off), and waits until it is gone."""
        self._stop_pid(self.osd_pid)
        self.osd_pid = None

    def _start_mgr(self):
        """The manager: without one the monitors report no capacity or pool usage."""
        self.ceph("auth", "get-or-create", "mgr.x", "mon", "allow profile mgr", "osd", "allow *",
                  "-o", os.path.join(self.dir, "mgr/ceph-x/keyring"))
        self._tool("ceph-mgr", "-c", self.conf, "-i", "x")
        self.pids.insert(0, self._pid_of("mgr.x"))

    def wait_stats(self, timeout=60):
        """Waits until the manager reports the cluster's capacity: True, or False without one."""
        if not shutil.which("ceph-mgr"):
            return False
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if json.loads(self.ceph("df", "-f", "json"))["stats"]["total_bytes"] > 0:
                return True
            time.sleep(0.5)
        return False

    def client_key(self, name, caps=None):
        """Creates (or gets) client.NAME with the rbd profile on the pool: its base64 key."""
        caps = caps or ["mon", "profile rbd", "osd", "profile rbd pool=%s" % self.pool]
        self.ceph("auth", "get-or-create", "client." + name, *caps)
        return self.ceph("auth", "get-key", "client." + name).strip()

    def pid_alive(self, pid):
        try:
            with open("/proc/%d/stat" % pid) as f:
                return f.read().split(")")[-1].split()[0] != "Z"
        except OSError:
            return False

    def stop(self):
        """Stops exactly the daemons it started: the OSD first, then the monitor."""
        for pid in list(self.pids):
            self._stop_pid(pid)

    def _stop_pid(self, pid, grace=30):
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + grace
        while self.pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if self.pid_alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        self.pids.remove(pid)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()
