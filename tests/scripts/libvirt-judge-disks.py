#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""libvirt-judge-disks.py - lets libvirt itself judge the <disk> XML
libstorvirt writes.

    libvirt-judge-disks.py --test-binary TEST_DISK_XML
        runs "TEST_DISK_XML --write-domains DIR" (a minimal domain for
        every disk case, and one holding them all) into a temporary
        directory and judges every file written;
    libvirt-judge-disks.py DIR
        judges the domain files DIR/*.xml.

For each domain file:
  1. "virt-xml-validate FILE domain" must pass (libvirt's schema);
  2. "virsh -c test:///default 'define FILE; dumpxml NAME'" (one virsh
     session: the test driver keeps its state only for one connection)
     must define the domain;
  3. every disk of the file must come back from dumpxml (matched by its
     target dev) with everything it had: each attribute with its value,
     each child element (recursively, the n-th of a name against the n-th
     of that name) and each text.  libvirt may add things (an address, a
     controller); it must not drop or change any.

Exits 77 (skipped) without virsh or virt-xml-validate (Debian:
libvirt-clients) or when the test driver does not answer, 1 listing
what libvirt refused or lost, 0 otherwise.
"""
import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SKIP = 77
URI = "test:///default"


def describe(elem):
    attrs = " ".join("%s=%r" % kv for kv in sorted(elem.attrib.items()))
    return "<%s%s>" % (elem.tag, " " + attrs if attrs else "")


def lost(want, got, path):
    """What of element `want` is missing or different in `got`, as messages."""
    problems = []
    for name, value in want.attrib.items():
        if name not in got.attrib:
            problems.append("%s: attribute %s=%r dropped" % (path, name, value))
        elif got.attrib[name] != value:
            problems.append("%s: attribute %s=%r became %r"
                            % (path, name, value, got.attrib[name]))
    want_text = (want.text or "").strip()
    got_text = (got.text or "").strip()
    if want_text != got_text:
        problems.append("%s: text %r became %r" % (path, want_text, got_text))
    seen = {}
    for child in want:
        n = seen.get(child.tag, 0)
        seen[child.tag] = n + 1
        matches = got.findall(child.tag)
        where = "%s/%s[%d]" % (path, child.tag, n + 1)
        if n >= len(matches):
            problems.append("%s: element %s dropped" % (where, describe(child)))
            continue
        problems.extend(lost(child, matches[n], where))
    return problems


def added(want, got):
    """Names of the children libvirt added to a disk (for the report)."""
    tags = {c.tag for c in want}
    return sorted({c.tag for c in got if c.tag not in tags})


def disks_by_target(domain):
    result = {}
    for disk in domain.findall("./devices/disk"):
        target = disk.find("target")
        if target is not None:
            result[target.get("dev")] = disk
    return result


def judge(path):
    """Returns (problems, notes) for one domain file."""
    res = subprocess.run(["virt-xml-validate", path, "domain"],
                         capture_output=True, text=True)
    if res.returncode != 0:
        return (["virt-xml-validate: " + (res.stderr + res.stdout).strip()], [])

    want = ET.parse(path).getroot()
    name = want.findtext("name")
    res = subprocess.run(["virsh", "-q", "-c", URI,
                          "define %s; dumpxml %s" % (path, name)],
                         capture_output=True, text=True)
    start = res.stdout.find("<domain")
    if res.returncode != 0 or start < 0:
        return (["virsh define/dumpxml failed: "
                 + (res.stderr + res.stdout).strip()], [])
    try:
        got = ET.fromstring(res.stdout[start:])
    except ET.ParseError as e:
        return (["dumpxml output does not parse: %s" % e], [])

    problems, notes = [], []
    want_disks = want.findall("./devices/disk")
    got_disks = disks_by_target(got)
    if len(got_disks) != len(want_disks):
        problems.append("%d disks defined, %d came back"
                        % (len(want_disks), len(got_disks)))
    for disk in want_disks:
        dev = disk.find("target").get("dev")
        if dev not in got_disks:
            problems.append("disk %s dropped" % dev)
            continue
        problems.extend(lost(disk, got_disks[dev], "disk %s" % dev))
        extra = added(disk, got_disks[dev])
        if extra:
            notes.append("%s: libvirt added %s" % (dev, ", ".join(extra)))
    return (problems, notes)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--test-binary", help="test-disk-xml to run with --write-domains")
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="also print what libvirt added")
    parser.add_argument("dir", nargs="?", help="directory of domain files")
    args = parser.parse_args()
    if bool(args.test_binary) == bool(args.dir):
        parser.error("give either --test-binary or DIR")

    for tool in ("virsh", "virt-xml-validate"):
        if not shutil.which(tool):
            print("%s not found (package libvirt-clients): skipped" % tool)
            return SKIP
    res = subprocess.run(["virsh", "-q", "-c", URI, "uri"],
                         capture_output=True, text=True)
    if res.returncode != 0:
        print("libvirt's test driver (%s) does not answer: skipped\n%s"
              % (URI, res.stderr.strip()))
        return SKIP

    with tempfile.TemporaryDirectory(prefix="storvirt-disks.") as tmp:
        directory = args.dir
        if args.test_binary:
            directory = tmp
            res = subprocess.run([args.test_binary, "--write-domains", directory])
            if res.returncode != 0:
                print("%s --write-domains failed" % args.test_binary)
                return 1
        files = sorted(glob.glob(os.path.join(directory, "*.xml")))
        if not files:
            print("no domain files were written")
            return 1
        failed = 0
        for path in files:
            problems, notes = judge(path)
            base = os.path.basename(path)
            if problems:
                failed += 1
                print("FAIL %s" % base)
                for p in problems:
                    print("    " + p)
            else:
                print("ok   %s" % base)
            if args.verbose or problems:
                for n in notes:
                    print("    (%s)" % n)
        print("%d passed, %d failed" % (len(files) - failed, failed))
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
