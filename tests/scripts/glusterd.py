# SPDX-License-Identifier: LGPL-2.1-or-later
"""A private GlusterFS server for tests: one glusterd listening on
127.0.0.1, its working, run and log directories under a temporary
directory, and volumes of one brick each in that directory.

glusterd starts its bricks with no volfile server port, so they fetch
their volfile from port 24007 whatever port glusterd listens on: a test
process first moves into a network namespace of its own
(enter_private_network(): its own loopback, so 24007 is free and no
other test or server on the machine is reached), and glusterd listens
on 24007 there.
The teardown stops exactly the processes it started (the bricks by the
pids glusterd wrote, then glusterd) and removes what glusterd leaves
outside its directories.

    with Glusterd(workdir) as g:
        g.create_volume("v0")
        ... g.port, g.gluster("volume", "info", "v0") ...

Needs root, glusterd and gluster (Debian glusterfs-server), and a host
name that resolves to a loopback address (the gluster CLI refuses
"localhost" and "127.*" as brick hosts); Glusterd.unavailable() says
why not, so tests can skip.
"""
import ctypes
import fcntl
import glob
import os
import shutil
import signal
import socket
import struct
import subprocess
import time


CLONE_NEWNET = 0x40000000


def enter_private_network():
    """Moves this process (and what it starts later) into a new network
    namespace with its loopback up.  Returns None, or why it could not."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.unshare(CLONE_NEWNET) != 0:
            return "unshare(CLONE_NEWNET): %s" % os.strerror(ctypes.get_errno())
    except OSError as e:
        return "unshare: %s" % e
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        ifr = struct.pack("16sH14s", b"lo", 0, b"")
        flags = struct.unpack("16sH14s", fcntl.ioctl(s.fileno(), 0x8913, ifr))[1]  # SIOCGIFFLAGS
        fcntl.ioctl(s.fileno(), 0x8914, struct.pack("16sH14s", b"lo", flags | 1, b""))  # IFF_UP
    return None


def pid_alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(") ")[-1][0] != "Z"
    except OSError:
        return False


def stop_pid(pid, timeout=10.0):
    """SIGTERM, then SIGKILL after timeout; waits until /proc says it is gone."""
    if not pid_alive(pid):
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    end = time.monotonic() + timeout
    while pid_alive(pid) and time.monotonic() < end:
        time.sleep(0.05)
    if pid_alive(pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        while pid_alive(pid):
            time.sleep(0.05)


class Glusterd:
    def __init__(self, workdir):
        self.dir = os.path.join(workdir, "glusterd")
        self.proc = None
        self.port = None
        self.host = socket.gethostname()
        self.volumes = []
        self.stopped = False

    @staticmethod
    def unavailable():
        if os.geteuid() != 0:
            return "needs root (glusterd)"
        for tool in ("glusterd", "gluster"):
            if not shutil.which(tool):
                return "%s is not installed (Debian glusterfs-server)" % tool
        try:
            addr = socket.gethostbyname(socket.gethostname())
        except OSError as e:
            return "the host name does not resolve: %s" % e
        if not addr.startswith("127."):
            return "the host name resolves to %s, not a loopback address" % addr
        return None

    @property
    def sock(self):
        return os.path.join(self.dir, "glusterd.socket")

    def gluster(self, *args, check=True, timeout=120):
        cmd = ["gluster", "--mode=script", "--glusterd-sock=" + self.sock,
               "--log-file=" + os.path.join(self.dir, "log", "cli.log")] + [str(a) for a in args]
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=timeout)
        if check and r.returncode != 0:
            raise RuntimeError("%s: %s" % (" ".join(cmd), r.stdout.strip()))
        return r.stdout

    def __enter__(self):
        for d in ("lib", "run", "log", "bricks"):
            os.makedirs(os.path.join(self.dir, d), exist_ok=True)
        self.port = 24007
        with open(os.path.join(self.dir, "glusterd.vol"), "w") as f:
            f.write("volume management\n"
                    "    type mgmt/glusterd\n"
                    "    option working-directory %(d)s/lib\n"
                    "    option run-directory %(d)s/run\n"
                    "    option logging-directory %(d)s/log\n"
                    "    option glusterd-sockfile %(d)s/glusterd.socket\n"
                    "    option transport-type socket\n"
                    "    option transport.socket.bind-address 127.0.0.1\n"
                    "    option transport.socket.listen-port %(port)d\n"
                    "    option ping-timeout 0\n"
                    "    option event-threads 1\n"
                    "end-volume\n" % {"d": self.dir, "port": self.port})
        self.proc = subprocess.Popen(
            ["glusterd", "-N", "-f", os.path.join(self.dir, "glusterd.vol"),
             "-l", os.path.join(self.dir, "log", "glusterd.log")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        end = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("glusterd exited with %d (log: %s/log)" %
                                   (self.proc.returncode, self.dir))
            if subprocess.run(["gluster", "--mode=script", "--glusterd-sock=" + self.sock,
                               "--log-file=/dev/null", "volume", "list"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
                break
            if time.monotonic() > end:
                self.stop()
                raise RuntimeError("glusterd did not answer within 60 s")
            time.sleep(0.1)
        return self

    def __exit__(self, *exc):
        self.stop()

    def create_volume(self, name):
        brick = os.path.join(self.dir, "bricks", name)
        os.makedirs(brick, exist_ok=True)
        self.gluster("volume", "create", name, "%s:%s" % (self.host, brick), "force")
        self.gluster("volume", "start", name)
        self.volumes.append(name)
        return brick

    def brick_pids(self):
        pids = []
        for path in glob.glob(os.path.join(self.dir, "run", "vols", "*", "*.pid")):
            try:
                with open(path) as f:
                    pids.append(int(f.read().strip()))
            except (OSError, ValueError):
                pass
        return pids

    @staticmethod
    def brick_socket(pid):
        """The control socket a brick made outside the directory (its -S argument)."""
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                args = f.read().decode(errors="replace").split("\0")
        except OSError:
            return None
        return args[args.index("-S") + 1] if "-S" in args[:-1] else None

    def stop(self):
        """Stops what was started, once (a pid file read later could name another process)."""
        if self.stopped:
            return
        self.stopped = True
        for pid in self.brick_pids():
            sock = self.brick_socket(pid)
            stop_pid(pid)
            if sock and sock.startswith("/var/run/gluster/") and os.path.exists(sock):
                os.unlink(sock)
        if self.proc:
            stop_pid(self.proc.pid)
            self.proc.wait()
            self.proc = None
