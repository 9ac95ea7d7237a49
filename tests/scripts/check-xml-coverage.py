#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""check-xml-coverage.py - every element and attribute of libvirt's storage
pool and volume schemas appears in the expected output of one of our
round-trip fixtures.

Usage: check-xml-coverage.py DATADIR [SCHEMADIR]

DATADIR is tests/data/xml (its pool/*.out.xml and vol/*.out.xml are the
formatter's output for our own fixtures); SCHEMADIR holds libvirt's
storagepool.rng, storagevol.rng, storagecommon.rng and basictypes.rng
(default: /usr/share/libvirt/schemas, from libvirt-clients).

From the schemas it lists, by walking their patterns:
  - for pools, per pool type: every element path (/pool/source/host) and
    attribute (/pool/source/host@port) the type allows;
  - for volumes: every element path and attribute;
  - for attributes whose value is one of a fixed list (pool and volume
    types, auth and adapter types, encryption formats, yes/no...):
    every value, in an output of any pool type, except the format lists (pool source formats, volume
    formats), whose values the unit tests check one by one.
Then it lists what the fixtures' outputs hold, and fails naming every
path, attribute or value of the schemas that no output shows.

Exit status: 0 everything covered, 1 something is missing, 77 (skipped)
when the schemas are not installed.
"""

import glob
import os
import sys
import xml.etree.ElementTree as ET

RNG = "{http://relaxng.org/ns/structure/1.0}"
PREFIXES = {
    "http://libvirt.org/schemas/storagepool/fs/1.0": "fs",
    "http://libvirt.org/schemas/storagepool/rbd/1.0": "rbd",
}
# Values not required one by one (see the docstring).
VALUE_EXEMPT = ("/pool/source/format@type", "/volume/target/format@type",
                "/volume/backingStore/format@type")

# What the schemas allow but no output can show, and why.
COW_TYPES = ("dir", "fs")
EXCLUDED = (
    (lambda ctx, item: item.startswith("/pool/features") and ctx not in COW_TYPES,
     "<features><cow> is refused outside dir and fs pools, by libvirt too"),
)


def load_grammar(schema_dir, main):
    """The defines of main and the files it includes (no overrides here)."""
    defines = {}
    start = None
    seen = set()

    def load(name):
        nonlocal start
        if name in seen:
            return
        seen.add(name)
        root = ET.parse(os.path.join(schema_dir, name)).getroot()
        for child in root:
            if child.tag == RNG + "include":
                load(child.get("href"))
            elif child.tag == RNG + "start" and name == main:
                start = child
            elif child.tag == RNG + "define":
                combine = child.get("combine")
                if combine and child.get("name") in defines:
                    merged = ET.Element(RNG + combine)
                    merged.extend(list(defines[child.get("name")]) + list(child))
                    defines[child.get("name")] = [merged]
                else:
                    defines[child.get("name")] = list(child)

    load(main)
    return start, defines


def qualified(name, ns):
    return "%s:%s" % (PREFIXES[ns], name) if ns in PREFIXES else name


def literal_values(nodes, defines, depth=0):
    """The <value>s of an attribute whose content is only a choice of them, else None."""
    values = []
    for n in nodes:
        tag = n.tag[len(RNG):]
        if tag == "value":
            values.append((n.text or "").strip())
        elif tag == "choice":
            sub = literal_values(list(n), defines, depth + 1)
            if sub is None:
                return None
            values += sub
        elif tag == "ref" and depth < 20:
            sub = literal_values(defines[n.get("name")], defines, depth + 1)
            if sub is None:
                return None
            values += sub
        else:
            return None
    return values or None


class Walker:
    """Collects (context, path) and (context, path@attr[=value]) from a grammar."""

    def __init__(self, defines, context_attr_path):
        self.defines = defines
        self.context_attr_path = context_attr_path   # e.g. "/pool@type"
        self.items = set()

    def walk(self, nodes, path, ns, ctx, depth=0):
        if depth > 60:
            raise RuntimeError("schema too deep at %s" % path)
        for n in nodes:
            tag = n.tag[len(RNG):]
            if tag == "element":
                name = n.get("name")
                if name is None:
                    raise RuntimeError("element without a name under %s" % path)
                ens = n.get("ns", ns)
                epath = "%s/%s" % (path, qualified(name, ens))
                self.items.add((ctx.get("type"), epath))
                self.walk(list(n), epath, ens, {"type": ctx.get("type")}, depth + 1)
            elif tag == "attribute":
                apath = "%s@%s" % (path, n.get("name"))
                values = literal_values(list(n), self.defines)
                if apath == self.context_attr_path and values and len(values) == 1:
                    ctx["type"] = values[0]
                self.items.add((ctx.get("type"), apath))
                if values and apath not in VALUE_EXEMPT:
                    # values mean the same in every pool type: one output of any type will do
                    for v in values:
                        self.items.add((None, "%s=%s" % (apath, v)))
            elif tag == "ref":
                self.walk(self.defines[n.get("name")], path, ns, ctx, depth + 1)
            elif tag == "choice":
                for alt in n:
                    self.walk([alt], path, ns, dict(ctx), depth + 1)
            elif tag in ("group", "interleave", "optional", "zeroOrMore", "oneOrMore", "mixed"):
                self.walk(list(n), path, ns, ctx, depth + 1)
            # value, data, text, empty, notAllowed, param: no elements


def schema_items(schema_dir, main, context_attr_path):
    start, defines = load_grammar(schema_dir, main)
    w = Walker(defines, context_attr_path)
    w.walk(list(start), "", None, {})
    return w.items


def fixture_items(data_dir, sub, typed):
    items = set()
    files = sorted(glob.glob(os.path.join(data_dir, sub, "*.out.xml")))
    for f in files:
        root = ET.parse(f).getroot()
        ctx = root.get("type") if typed else None

        def walk(e, path):
            if e.tag.startswith("{"):
                ns, local = e.tag[1:].split("}")
                name = qualified(local, ns)
            else:
                name = e.tag
            p = "%s/%s" % (path, name)
            items.add((ctx, p))
            for a, v in e.attrib.items():
                items.add((ctx, "%s@%s" % (p, a)))
                items.add((None, "%s@%s=%s" % (p, a, v)))
            for c in e:
                walk(c, p)

        walk(root, "")
        items.add((None, "/" + root.tag))
    return items, len(files)


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    data_dir = argv[1]
    schema_dir = argv[2] if len(argv) == 3 else "/usr/share/libvirt/schemas"
    if not os.path.exists(os.path.join(schema_dir, "storagepool.rng")):
        print("libvirt's schemas are not in %s (package libvirt-clients): skipped" % schema_dir)
        return 77
    missing = 0
    for kind, main_rng, ctx_attr, sub in (("pool", "storagepool.rng", "/pool@type", "pool"),
                                          ("volume", "storagevol.rng", None, "vol")):
        want = schema_items(schema_dir, main_rng, ctx_attr)
        have, n_files = fixture_items(data_dir, sub, ctx_attr is not None)
        # Volume outputs are not split by type: compare paths alone.
        excluded = {}
        for i in want:
            for test, why in EXCLUDED:
                if test(i[0], i[1]):
                    excluded.setdefault(why, []).append(i)
        skip = {i for items in excluded.values() for i in items}
        lacking = sorted(want - have - skip, key=lambda i: (i[0] or "", i[1]))
        print("%s: %d schema items, %d outputs, %d not covered"
              % (kind, len(want), n_files, len(lacking)))
        for why, items in sorted(excluded.items()):
            print("  %d items left out: %s" % (len(items), why))
        for ctx, item in lacking:
            print("  not covered: %s%s" % ("[%s] " % ctx if ctx else "", item))
        missing += len(lacking)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
