#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench/gluster-pool.py [N_FILES] - a gluster pool over a directory of
N_FILES (default 1000) small qcow2 images on a private glusterd and one
brick (tests/scripts/glusterd.py, in a network namespace of its own),
timed through the library (Python bindings), best and median of 5:

  * the gluster pool's start through libgfapi (connect: volfile fetch and
    brick connection, then one readdirplus pass returning every entry's
    stat and handle, and per file one anonymous read of its header by
    handle, no open or close), and connecting alone (an empty pool);
  * its refresh when nothing changed (one readdirplus pass: a file whose
    inode and change time are those it was read with is not read again);
  * a dir pool over the same directory mounted through GlusterFS's FUSE
    client (mount -t glusterfs): the same native probing, every call
    through the kernel and the FUSE daemon;
  * the floor of the FUSE mount: listing the directory with every
    entry's lstat (os.scandir + stat), no file opened.

Needs root, glusterd and gluster, mount.glusterfs and /dev/fuse.

    STORVIRT_LIBRARY=build/lib/libstorvirt.so.0 STORVIRT_GFAPI_TOOL=build/tests/api/gfapi-tool \\
        PYTHONPATH=bindings/python python3 bench/gluster-pool.py 1000
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "tests", "scripts"))
sys.path.insert(0, os.path.join(here, "..", "bindings", "python"))
import storvirt  # noqa: E402
from glusterd import Glusterd, enter_private_network  # noqa: E402

VOL = "bv0"


def timed(fn, runs=5):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def line(what, best_median, n):
    b, m = best_median
    print("  %-44s best %8.1f ms  median %8.1f ms  %6.0f us/file" % (what, b * 1e3, m * 1e3,
                                                                       b * 1e6 / n))


def fuse_floor(path):
    n = 0
    with os.scandir(path) as it:
        for e in it:
            e.stat(follow_symlinks=False)
            n += 1
    return n


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    why = Glusterd.unavailable()
    if not why and not shutil.which("mount.glusterfs"):
        why = "mount.glusterfs is not installed (glusterfs-client)"
    if not why and not os.path.exists("/dev/fuse"):
        why = "no /dev/fuse"
    if not why:
        why = enter_private_network()
    if why:
        print("gluster-pool: skipped: %s" % why)
        return 0
    with tempfile.TemporaryDirectory(prefix="storvirt-bench-gluster-") as tmp:
        with Glusterd(tmp) as g:
            g.create_volume(VOL)
            mp = os.path.join(tmp, "mnt")
            os.mkdir(mp)
            subprocess.run(["mount", "-t", "glusterfs", "127.0.0.1:/" + VOL, mp], check=True)
            try:
                return run(tmp, mp, n)
            finally:
                subprocess.run(["umount", mp])


def run(tmp, mp, n):
    img = os.path.join(tmp, "one.qcow2")
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", img, "64M"], check=True)
    with open(img, "rb") as f:
        data = f.read()
    d = os.path.join(mp, "images")
    os.mkdir(d)
    t0 = time.perf_counter()
    for i in range(n):
        with open(os.path.join(d, "img%05d.qcow2" % i), "wb") as f:
            f.write(data)
    print("gluster-pool: %d qcow2 images of %d bytes on volume %s (written through FUSE in "
          "%.1f s)" % (n, len(data), VOL, time.perf_counter() - t0))
    gxml = ("<pool type='gluster'><name>gl</name><source><host name='127.0.0.1'/>"
            "<name>%s</name><dir path='/images'/></source></pool>" % VOL)
    dxml = "<pool type='dir'><name>fuse</name><target><path>%s</path></target></pool>" % d
    with storvirt.Context(os.path.join(tmp, "state"), ignore_env=True) as ctx:
        gp = ctx.define_pool(gxml)
        t0 = time.perf_counter()
        gp.start()
        start = time.perf_counter() - t0
        got = len(gp.volumes())
        if got != n:
            print("gluster-pool: expected %d volumes, got %d" % (n, got))
            return 1
        print("  first gluster pool start: %.1f ms" % (start * 1e3))

        def restart():
            gp.stop()
            gp.start()
        line("gluster pool start (connect, every file read)", timed(restart), n)
        tool = os.environ.get("STORVIRT_GFAPI_TOOL")
        if tool:
            subprocess.run([tool, "127.0.0.1", VOL, "mkdir", "/empty"], check=True)
            ep = ctx.define_pool(gxml.replace("<name>gl</name>", "<name>empty</name>")
                                 .replace("/images", "/empty"))

            def connect():
                ep.start()
                ep.stop()
            b, m = timed(connect)
            print("  %-44s best %8.1f ms  median %8.1f ms" % ("  of which connecting (an empty pool)",
                                                             b * 1e3, m * 1e3))
            ep.close()
        line("gluster pool refresh (libgfapi, unchanged)", timed(gp.refresh), n)
        dp = ctx.define_pool(dxml)
        dp.start()
        if len(dp.volumes()) != n:
            print("gluster-pool: the dir pool saw %d volumes" % len(dp.volumes()))
            return 1
        line("dir pool refresh on the FUSE mount", timed(dp.refresh), n)
        line("FUSE floor: list + lstat, no open", timed(lambda: fuse_floor(d)), n)
        dp.stop()
        gp.stop()
        dp.close()
        gp.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
