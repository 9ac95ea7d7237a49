#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench/iscsi-pool.py [N_LUNS] - an iscsi-direct pool over a target of
N_LUNS (default 64) file-backed LUNs on a private tgtd (127.0.0.1), timed
through the library (Python bindings): pool start (which refreshes) and a
refresh alone, best of 5 each, with the cost per LUN.  Each refresh logs
in, sends REPORT LUNS, INQUIRY with VPD pages 0x80 and 0x83 and READ
CAPACITY(16) per LUN, and logs out.  Needs root, tgtd and tgtadm.

When the libvirt Python binding imports and a libvirt daemon answers at
$STORVIRT_BENCH_LIBVIRT_URI (default qemu:///system), libvirt's own
iscsi-direct pool is timed on the same target the same way (a transient
pool created, which starts and refreshes it, then a refresh alone).

    STORVIRT_LIBRARY=build/lib/libstorvirt.so.0 \\
        PYTHONPATH=bindings/python python3 bench/iscsi-pool.py 64
"""
import os
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "tests", "scripts"))
sys.path.insert(0, os.path.join(here, "..", "bindings", "python"))
import storvirt  # noqa: E402
from tgtd import Tgtd  # noqa: E402

TARGET = "iqn.2026-11.org.libstorvirt.bench:pool"
INITIATOR = "iqn.2026-11.org.libstorvirt.bench:host"


def libvirt_times(port, n):
    """(best start, best refresh) of libvirt's iscsi-direct pool, or a reason."""
    try:
        import libvirt
    except ImportError:
        return "the libvirt Python binding is not installed (python3-libvirt)"
    uri = os.environ.get("STORVIRT_BENCH_LIBVIRT_URI", "qemu:///system")
    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    try:
        conn = libvirt.open(uri)
    except libvirt.libvirtError as e:
        return "no libvirt daemon at %s: %s" % (uri, e)
    xml = ("<pool type='iscsi-direct'><name>storvirt-bench</name><source>"
           "<host name='127.0.0.1' port='%d'/><device path='%s'/>"
           "<initiator><iqn name='%s'/></initiator></source></pool>" % (port, TARGET, INITIATOR))
    starts, refreshes = [], []
    try:
        for _ in range(5):
            t0 = time.perf_counter()
            pool = conn.storagePoolCreateXML(xml, 0)
            starts.append(time.perf_counter() - t0)
            try:
                got = pool.numOfVolumes()
                t0 = time.perf_counter()
                pool.refresh(0)
                refreshes.append(time.perf_counter() - t0)
            finally:
                pool.destroy()
            if got < n:
                return "libvirt %s saw %d volumes, not %d" % (conn.getLibVersion(), got, n)
        return (conn.getLibVersion(), min(starts), min(refreshes), got)
    except libvirt.libvirtError as e:
        return "libvirt failed: %s" % e
    finally:
        conn.close()


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 64
    why = Tgtd.unavailable()
    if why:
        print("iscsi-pool: skipped: %s" % why)
        return 0
    with tempfile.TemporaryDirectory(prefix="storvirt-bench-iscsi-") as tmp:
        with Tgtd(tmp) as t:
            t.add_target(1, TARGET, luns=[(4 << 20, "be%030x" % i, "SNB%d" % i)
                                          for i in range(1, n + 1)])
            xml = ("<pool type='iscsi-direct'><name>bench</name><source>"
                   "<host name='127.0.0.1' port='%d'/><device path='%s'/>"
                   "<initiator><iqn name='%s'/></initiator>"
                   "</source></pool>" % (t.port, TARGET, INITIATOR))
            with storvirt.Context(os.path.join(tmp, "state"), ignore_env=True) as ctx:
                pool = ctx.define_pool(xml)
                starts, refreshes = [], []
                for _ in range(5):
                    t0 = time.perf_counter()
                    pool.start()
                    starts.append(time.perf_counter() - t0)
                    got = len(pool.volumes())
                    t0 = time.perf_counter()
                    pool.refresh()
                    refreshes.append(time.perf_counter() - t0)
                    pool.stop()
                if got != n:
                    print("iscsi-pool: expected %d volumes, got %d" % (n, got))
                    return 1
                s, r = min(starts), min(refreshes)
                print("iscsi-pool: %d LUNs on tgtd at %s" % (n, t.portal))
                print("  pool start (login, scan, logout): %8.1f ms  %6.0f us/LUN"
                      % (s * 1e3, s * 1e6 / n))
                print("  pool refresh:                      %8.1f ms  %6.0f us/LUN"
                      % (r * 1e3, r * 1e6 / n))
                pool.close()
            lv = libvirt_times(t.port, n)
            if isinstance(lv, str):
                print("  libvirt iscsi-direct: not measured: %s" % lv)
            else:
                ver, ls, lr, got = lv
                print("  libvirt %d.%d.%d iscsi-direct, same target (%d volumes%s):"
                      % (ver // 1000000, ver // 1000 % 1000, ver % 1000, got,
                         ", the target's controller LUN 0 among them" if got == n + 1 else ""))
                print("  pool create (start + refresh):   %8.1f ms  %6.0f us/LUN  (%.1fx ours)"
                      % (ls * 1e3, ls * 1e6 / n, ls / s))
                print("  pool refresh:                      %8.1f ms  %6.0f us/LUN  (%.1fx ours)"
                      % (lr * 1e3, lr * 1e6 / n, lr / r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
