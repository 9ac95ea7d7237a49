# SPDX-License-Identifier: LGPL-2.1-or-later
"""A private tgtd (Debian package tgt) for tests: 127.0.0.1 on a free
port, its own control port (-C N), targets with file-backed LUNs, CHAP
accounts, and a teardown that really stops it (tgtd ignores SIGTERM:
its targets and the system are deleted through tgtadm, then SIGKILL).

    with Tgtd(workdir) as t:
        t.add_target(1, "iqn.2026-01.org.example:open", luns=[(8 << 20, "id1", "SN1")])
        t.add_target(2, "iqn...:chap", luns=[...], chap=("user", "secret"),
                     mutual=("target-user", "target-secret"))
        ... t.portal ...

Tests that use it need root, tgtd and tgtadm; Tgtd.unavailable() says
why not (a reason string) so they can skip.
"""
import os
import shutil
import signal
import socket
import subprocess
import time


def naa6(scsi_id):
    """The GUID multipath gives a tgtd LUN whose scsi_id is the hex
    string scsi_id: tgtd shifts the hex digits into a 128-bit number,
    keeps the low 124 bits and sets NAA 6 in the top nibble; the GUID
    is "3" (designator type NAA) and the 32 hex digits."""
    v = int(scsi_id, 16) & ((1 << 124) - 1)
    return "3%032x" % (v | (6 << 124))


class Tgtd:
    def __init__(self, workdir):
        self.workdir = workdir
        self.proc = None
        self.ctl = None
        self.port = None
        self.tids = []

    @staticmethod
    def unavailable():
        if os.geteuid() != 0:
            return "needs root (tgtd)"
        for tool in ("tgtd", "tgtadm"):
            if not shutil.which(tool):
                return "%s is not installed" % tool
        return None

    @property
    def portal(self):
        return "127.0.0.1:%d" % self.port

    def tgtadm(self, *args, check=True):
        cmd = ["tgtadm", "-C", str(self.ctl)] + [str(a) for a in args]
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if check and r.returncode != 0:
            raise RuntimeError("%s: %s" % (" ".join(cmd), r.stdout.strip()))
        return r

    def _ready(self, ctl):
        r = subprocess.run(["tgtadm", "-C", str(ctl), "--lld", "iscsi", "--op", "show",
                            "--mode", "target"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        return r.returncode == 0

    def __enter__(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        ctl = 100 + os.getpid() % 800
        while self._ready(ctl):
            ctl += 1
        self.ctl = ctl
        log = open(os.path.join(self.workdir, "tgtd.log"), "w")
        self.proc = subprocess.Popen(
            ["tgtd", "-f", "--iscsi", "portal=%s" % self.portal, "-C", str(ctl)],
            stdout=log, stderr=log, start_new_session=True)
        log.close()
        for _ in range(100):
            if self.proc.poll() is not None:
                raise RuntimeError("tgtd exited at start (see %s/tgtd.log)" % self.workdir)
            if self._ready(ctl):
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("tgtd did not answer tgtadm within 10 s")

    def __exit__(self, *exc):
        self.stop()

    def add_target(self, tid, iqn, luns, chap=None, mutual=None):
        """luns: [(size_bytes, scsi_id, serial)]; LUN numbers start at 1."""
        self.tgtadm("--lld", "iscsi", "--op", "new", "--mode", "target", "--tid", tid, "-T", iqn)
        self.tids.append(tid)
        for n, (size, scsi_id, serial) in enumerate(luns, start=1):
            path = os.path.join(self.workdir, "t%d-lun%d.img" % (tid, n))
            with open(path, "wb") as f:
                f.truncate(size)
            self.tgtadm("--lld", "iscsi", "--op", "new", "--mode", "logicalunit", "--tid", tid,
                        "--lun", n, "-b", path)
            self.tgtadm("--lld", "iscsi", "--op", "update", "--mode", "logicalunit", "--tid",
                        tid, "--lun", n, "--params", "scsi_id=%s,scsi_sn=%s" % (scsi_id, serial))
        if chap:
            self.tgtadm("--lld", "iscsi", "--op", "new", "--mode", "account", "--user", chap[0],
                        "--password", chap[1])
            self.tgtadm("--lld", "iscsi", "--op", "bind", "--mode", "account", "--tid", tid,
                        "--user", chap[0])
        if mutual:
            self.tgtadm("--lld", "iscsi", "--op", "new", "--mode", "account", "--user",
                        mutual[0], "--password", mutual[1])
            self.tgtadm("--lld", "iscsi", "--op", "bind", "--mode", "account", "--tid", tid,
                        "--user", mutual[0], "--outgoing")
        self.tgtadm("--lld", "iscsi", "--op", "bind", "--mode", "target", "--tid", tid,
                    "-I", "ALL")

    def kill(self):
        """Kill tgtd at once (a target dying mid-session)."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGCONT)
            for tid in self.tids:
                self.tgtadm("--lld", "iscsi", "--op", "delete", "--mode", "target", "--tid",
                            tid, "--force", check=False)
            self.tgtadm("--op", "delete", "--mode", "system", "--force", check=False)
            for _ in range(20):
                if self.proc.poll() is not None:
                    break
                time.sleep(0.1)
            self.kill()
        self.proc = None
        if self.ctl is not None:
            for suffix in ("", ".lock"):
                try:
                    os.unlink("/run/tgtd/socket.%d%s" % (self.ctl, suffix))
                except OSError:
                    pass
