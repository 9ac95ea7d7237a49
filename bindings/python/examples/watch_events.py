#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Watch the pools, vDisks and LUNs of a host with selectors.

    watch_events.py [--state-dir DIR] [--kinds pool,vdisk,lun] [--timeout SECONDS] [--json]

Prints one line per change as it comes, made by this process or any
other sharing the state directory (the storvirt CLI, a VM manager...):
a pool defined, started, stopped, refreshed...; a vDisk imported,
snapshotted, attached, prepared, released...; and the host's LUNs
added, removed, resized (a LUN grown on its array, a loop device after
`losetup -c`) or whose paths changed state.  The library starts no
thread: the context's event descriptor sits in the selector next to
whatever else the program waits on (here, standard input: a line
typed there ends the program).
"""
import argparse
import json
import os
import selectors
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import storvirt  # noqa: E402


def show(as_json):
    def on_event(ev):
        if as_json:
            print(json.dumps(ev.as_dict()), flush=True)
            return
        where = "%s/%s" % (ev.pool, ev.object) if ev.kind == "volume" else ev.object
        if ev.kind == "lun":
            where += " " + ev.key          # the LUN's device node
        stamp = time.strftime("%H:%M:%S", time.localtime(ev.time))
        print("%s %-22s %s%s%s" % (stamp, ev.type_name, where,
                                   " " + ev.detail if ev.detail else "",
                                   " [another process]" if not ev.local else ""), flush=True)
    return on_event


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--state-dir", help="the state directory (default: the library's)")
    ap.add_argument("--timeout", type=float, help="stop after this many seconds")
    ap.add_argument("--json", action="store_true", help="one JSON object per event")
    ap.add_argument("--kinds", default="pool,vdisk,lun",
                    help="comma-separated kinds to watch: pool, volume, lun, vdisk")
    args = ap.parse_args()

    with storvirt.Context(state_dir=args.state_dir) as ctx:
        ctx.register_event_callback(show(args.json), kinds=args.kinds.split(","))
        sel = selectors.DefaultSelector()
        sel.register(ctx, selectors.EVENT_READ, "storvirt")    # ctx.fileno(): its event fd
        if sys.stdin.isatty():
            sel.register(sys.stdin, selectors.EVENT_READ, "stdin")
        deadline = time.monotonic() + args.timeout if args.timeout else None
        while True:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                break
            for key, _ in sel.select(left):
                if key.data == "storvirt":
                    ctx.dispatch_events()
                else:
                    return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
