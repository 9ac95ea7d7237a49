#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench/rbd-pool.py [N] - an rbd pool of N images (default 100) of 64 MiB
with the object map and fast-diff on, on a private single-node Ceph
cluster (tests/scripts/ceph.py), refreshed through the library (Python
binding): best and median of 7 refreshes, with the cost per image.  Each
refresh lists the images once, opens them read-only through librbd's
asynchronous open and reads each one's size and allocation (fast-diff),
then closes them.  Ceph's own `rbd ls -l` (which opens every image too)
and `rbd ls` are timed on the same images, for what the cluster itself costs,
and the CPU time a refresh takes in the library's process (with librados'
threads) and in the OSD is measured apart (/proc), per image.

When the libvirt Python binding imports and libvirt's rbd storage backend
is installed (Debian: python3-libvirt, libvirt-daemon-driver-storage-rbd),
a private libvirtd is started (tests/scripts/qemu_judge.py) and libvirt's
own rbd pool is timed on the same cluster and images the same way.

Needs root and Ceph (ceph-mon ceph-osd ceph-common, python3-rbd); run
with Debian's python3 (the rados and rbd modules):

    STORVIRT_LIBRARY=build/lib/libstorvirt.so.0 \\
        PYTHONPATH=bindings/python /usr/bin/python3 bench/rbd-pool.py 1000
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "tests", "scripts"))
sys.path.insert(0, os.path.join(here, "..", "bindings", "python"))
import storvirt  # noqa: E402
from ceph import Ceph  # noqa: E402

ROUNDS = 7
USAGE = "client.bench secret"


def make_images(ceph, n):
    import rados
    import rbd
    cl = rados.Rados(conffile=ceph.conf)
    cl.connect(timeout=30)
    try:
        io = cl.open_ioctx(ceph.pool)
        r = rbd.RBD()
        for i in range(n):
            # the cluster's default features: layering, exclusive-lock, object-map, fast-diff
            r.create(io, "img%05d" % i, 64 << 20, old_format=False)
        io.close()
    finally:
        cl.shutdown()


def plain_times(ceph, n):
    """Best and median of `rbd ls -l` (every image opened, as a refresh does) and of
    `rbd ls` (the listing and the tool's start alone), for the cluster's own share."""
    out = {}
    for what in (("ls",), ("ls", "-l")):
        times = []
        for _ in range(ROUNDS):
            t0 = time.perf_counter()
            listed = ceph.rbd(*what, ceph.pool).splitlines()
            times.append(time.perf_counter() - t0)
        if len(listed) < n:
            raise RuntimeError("rbd %s listed %d images, not %d" % (" ".join(what), len(listed), n))
        out[" ".join(what)] = figures(times)
    return out


def figures(times):
    return min(times), statistics.median(times)


def cpu_seconds(pid):
    """User + system CPU seconds of process pid so far (all its threads)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def library_times(tmp, ceph, key, n):
    with storvirt.Context(os.path.join(tmp, "state"), ignore_env=True) as ctx:
        ctx.define_secret("<secret ephemeral='no' private='yes'><usage type='ceph'>"
                          "<name>%s</name></usage></secret>" % USAGE, value=key.encode())
        pool = ctx.define_pool(
            "<pool type='rbd'><name>bench</name><source><name>%s</name>"
            "<host name='127.0.0.1' port='%d'/><auth type='ceph' username='bench'>"
            "<secret usage='%s'/></auth></source></pool>" % (ceph.pool, ceph.mon_port, USAGE))
        t0 = time.perf_counter()
        pool.start()
        start = time.perf_counter() - t0
        got = len(pool.volumes())
        times = []
        ours = osd = 0.0
        for _ in range(ROUNDS):
            c0, o0 = time.process_time(), cpu_seconds(ceph.osd_pid)
            t0 = time.perf_counter()
            pool.refresh()
            times.append(time.perf_counter() - t0)
            ours += time.process_time() - c0
            osd += cpu_seconds(ceph.osd_pid) - o0
        pool.stop()
        pool.close()
    if got != n:
        raise RuntimeError("the library listed %d volumes, not %d" % (got, n))
    return start, times, ours / ROUNDS, osd / ROUNDS


def libvirt_times(tmp, ceph, key, n):
    """(version, start, refresh times) of libvirt's rbd pool, or a reason."""
    try:
        import libvirt
    except ImportError:
        return "the libvirt Python binding is not installed (python3-libvirt)"
    if not any(os.path.exists(os.path.join(d, "libvirt_storage_backend_rbd.so"))
               for d in ("/usr/lib/x86_64-linux-gnu/libvirt/storage-backend",
                         "/usr/lib64/libvirt/storage-backend")):
        return "libvirt's rbd storage backend is not installed (libvirt-daemon-driver-storage-rbd)"
    from qemu_judge import QemuJudge
    why = QemuJudge.unavailable()
    if why:
        return "no private libvirtd: %s" % why
    work = tempfile.mkdtemp(dir=tmp)
    os.chmod(work, 0o755)
    with QemuJudge(work) as judge:
        sec = os.path.join(work, "secret.xml")
        with open(sec, "w") as f:
            f.write("<secret ephemeral='no' private='yes'>"
                    "<uuid>2b1bd4f2-6a8e-4ab1-9a51-4e1f0c6b7a01</uuid><usage type='ceph'>"
                    "<name>%s</name></usage></secret>" % USAGE)
        judge.virsh("secret-define", sec)
        judge.virsh("secret-set-value", "--secret", "2b1bd4f2-6a8e-4ab1-9a51-4e1f0c6b7a01",
                    "--base64", key)
        libvirt.registerErrorHandler(lambda c, e: None, None)
        conn = libvirt.open(judge.uri)
        try:
            xml = ("<pool type='rbd'><name>bench</name><source><name>%s</name>"
                   "<host name='127.0.0.1' port='%d'/><auth type='ceph' username='bench'>"
                   "<secret usage='%s'/></auth></source></pool>"
                   % (ceph.pool, ceph.mon_port, USAGE))
            t0 = time.perf_counter()
            pool = conn.storagePoolCreateXML(xml, 0)
            start = time.perf_counter() - t0
            got = pool.numOfVolumes()
            times = []
            for _ in range(ROUNDS):
                t0 = time.perf_counter()
                pool.refresh(0)
                times.append(time.perf_counter() - t0)
            pool.destroy()
            if got != n:
                return "libvirt saw %d volumes, not %d" % (got, n)
            return conn.getLibVersion(), start, times
        except libvirt.libvirtError as e:
            return "libvirt failed: %s" % e
        finally:
            conn.close()


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    why = Ceph.unavailable()
    if why:
        print("rbd-pool: skipped: %s" % why)
        return 0
    with tempfile.TemporaryDirectory(prefix="storvirt-bench-rbd-") as tmp:
        os.chmod(tmp, 0o755)
        with Ceph(tmp) as ceph:
            key = ceph.client_key("bench")
            t0 = time.perf_counter()
            make_images(ceph, n)
            made = time.perf_counter() - t0
            print("rbd-pool: %d images of 64 MiB (object-map, fast-diff) on a single-node "
                  "Ceph %s (memstore OSD), made in %.1f s" % (n, ceph_version(), made))
            start, times, ours, osd = library_times(tmp, ceph, key, n)
            best, med = figures(times)
            print("  libstorvirt pool start:   %8.1f ms" % (start * 1e3))
            print("  libstorvirt pool refresh: best %8.1f ms  median %8.1f ms  %6.0f us/image"
                  % (best * 1e3, med * 1e3, best * 1e6 / n))
            print("  CPU per refresh (mean):   the library's process %6.0f us/image, "
                  "the OSD %6.0f us/image" % (ours * 1e6 / n, osd * 1e6 / n))
            for what, (pbest, pmed) in plain_times(ceph, n).items():
                print("  rbd %-6s (Ceph's tool):  best %8.1f ms  median %8.1f ms  %6.0f us/image"
                      % (what, pbest * 1e3, pmed * 1e3, pbest * 1e6 / n))
            lv = libvirt_times(tmp, ceph, key, n)
            if isinstance(lv, str):
                print("  libvirt rbd pool: not measured: %s" % lv)
            else:
                ver, lstart, ltimes = lv
                lbest, lmed = figures(ltimes)
                print("  libvirt %d.%d.%d pool create (start + refresh): %8.1f ms"
                      % (ver // 1000000, ver // 1000 % 1000, ver % 1000, lstart * 1e3))
                print("  libvirt pool refresh:     best %8.1f ms  median %8.1f ms  %6.0f us/image"
                      "  (%.1fx ours, median %.1fx)"
                      % (lbest * 1e3, lmed * 1e3, lbest * 1e6 / n, lbest / best, lmed / med))
    return 0


def ceph_version():
    p = subprocess.run(["ceph", "--version"], capture_output=True, text=True)
    words = p.stdout.split()
    return words[2] if len(words) > 2 else "?"


if __name__ == "__main__":
    sys.exit(main())
