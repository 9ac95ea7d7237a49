#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""check-layers.py - layers call only downward.

The layer order is read from lib/layers (one folder of lib/ per line,
bottom first; tools/ is above them all).  For every C file under lib/
and tools/:
  - an #include "<folder>/..." of a layer above the file's own is a
    violation;
  - a call to a function defined in a layer above the file's own is a
    violation (functions are located by their definitions: every
    storvirt_* and storvirt__* name defined at the start of a line).
tools/ may use only the public headers (<storvirt.h>, <storvirt/...>)
and its own files.

Usage: check-layers.py [SRCDIR]
Prints one line per violation and a final "N violations" line; exit
status 0 when there are none, 1 otherwise, 2 on a usage error.
"""

import os
import re
import sys

INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/[^"]+"', re.M)
# a definition: a name at the start of a line's declarator, followed by
# its parameter list and, on that line or a later one, a body
DEF_RE = re.compile(r'^(?:STORVIRT_EXPORT\s+)?(?:static\s+)?(?:inline\s+)?'
                    r'[A-Za-z_][\w\s\*]*?\b(storvirt_{1,2}[a-z0-9_]+)\s*\(', re.M)
CALL_RE = re.compile(r'\b(storvirt_{1,2}[a-z0-9_]+)\s*\(')
COMMENT_RE = re.compile(r'/\*.*?\*/|//[^\n]*', re.S)
STRING_RE = re.compile(r'"(?:\\.|[^"\\\n])*"')


def strip(text):
    """Comments and string literals out; #include lines kept as they are."""
    text = COMMENT_RE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    return "\n".join(l if l.lstrip().startswith("#") else STRING_RE.sub('""', l)
                     for l in text.split("\n"))


def read_layers(src):
    path = os.path.join(src, "lib", "layers")
    with open(path) as f:
        names = [l.split("#")[0].strip() for l in f]
    names = [n for n in names if n]
    if not names:
        raise SystemExit("check-layers: %s names no layer" % path)
    return {n: i for i, n in enumerate(names)}, names


def c_files(src):
    for top in ("lib", "tools"):
        for root, _, files in os.walk(os.path.join(src, top)):
            for f in sorted(files):
                if f.endswith((".c", ".h")):
                    yield os.path.join(root, f)


def layer_of(src, path, order):
    rel = os.path.relpath(path, src).split(os.sep)
    if rel[0] == "tools":
        return "tools"
    if len(rel) >= 3 and rel[1] in order:
        return rel[1]
    return None


REFUNREF_RE = re.compile(r'^STORVIRT_DEFINE_PUBLIC_REF_UNREF\(\s*(storvirt_[a-z0-9_]+)', re.M)


def definitions(text):
    """Names defined (with a body) in text."""
    out = set()
    for m in REFUNREF_RE.finditer(text):
        out.update((m.group(1) + "_ref", m.group(1) + "_unref"))
    for m in DEF_RE.finditer(text):
        # a body follows before the next ';': a definition, not a prototype
        rest = text[m.end():]
        depth, i = 1, 0
        while i < len(rest) and depth:
            depth += {"(": 1, ")": -1}.get(rest[i], 0)
            i += 1
        tail = rest[i:i + 200].lstrip()
        if tail.startswith("{") or re.match(r'(?:_[a-z_]+\([^)]*\)\s*)*\{', tail):
            out.add(m.group(1))
    return out


def main(argv):
    if len(argv) > 2:
        print(__doc__)
        return 2
    src = os.path.abspath(argv[1] if len(argv) == 2 else
                          os.path.join(os.path.dirname(__file__), "..", ".."))
    order, names = read_layers(src)
    rank = dict(order)
    rank["tools"] = len(names)
    files = {}
    for path in c_files(src):
        layer = layer_of(src, path, order)
        if layer is None:
            print("%s: not in a layer folder named in lib/layers" % os.path.relpath(path, src))
            files[path] = None
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            files[path] = (layer, strip(f.read()))
    defined_in = {}
    for path, v in files.items():
        if v and v[0] != "tools":
            for name in definitions(v[1]):
                defined_in.setdefault(name, set()).add(v[0])
    violations = sum(1 for v in files.values() if v is None)
    for path, v in sorted(files.items()):
        if not v:
            continue
        layer, text = v
        rel = os.path.relpath(path, src)
        for m in INCLUDE_RE.finditer(text):
            inc = m.group(1)
            if layer == "tools" and inc in rank:
                line = text.count("\n", 0, m.start()) + 1
                print("%s:%d: tools include the library's internal header \"%s/...\"" %
                      (rel, line, inc))
                violations += 1
            elif inc in rank and rank[inc] > rank[layer]:
                line = text.count("\n", 0, m.start()) + 1
                print("%s:%d: %s includes \"%s/...\", a layer above it" % (rel, line, layer, inc))
                violations += 1
        own = definitions(text)
        for m in CALL_RE.finditer(text):
            name = m.group(1)
            if name in own or name not in defined_in:
                continue
            homes = defined_in[name]
            if layer == "tools" and name.startswith("storvirt__"):
                above = homes
            else:
                above = {h for h in homes if rank[h] > rank[layer]}
            if above and not any(rank[h] <= rank[layer] for h in homes if layer != "tools"):
                line = text.count("\n", 0, m.start()) + 1
                print("%s:%d: %s calls %s(), defined in %s above it" %
                      (rel, line, layer, name, "/".join(sorted(above))))
                violations += 1
    print("%d violations" % violations)
    return 0 if violations == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
