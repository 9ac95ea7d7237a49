#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench/iscsi-pool.py [N_LUNS] - an iscsi-direct pool over a target of
N_LUNS (default 64) file-backed LUNs on a private tgtd (127.0.0.1), timed
through the library (Python bindings): pool start (which refreshes) and a
refresh alone, best of 5 each, with the cost per LUN.  Each refresh logs
in, sends REPORT LUNS, INQUIRY with VPD pages 0x80 and 0x83 and READ
CAPACITY(16) per LUN, and logs out.  Needs root, tgtd and tgtadm.

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
                   "<initiator><iqn name='iqn.2026-11.org.libstorvirt.bench:host'/></initiator>"
                   "</source></pool>" % (t.port, TARGET))
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
