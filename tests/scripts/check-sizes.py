#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""check-sizes.py - no file of lib/ over 1,500 lines, no function over 120.

Every .c and .h file under lib/ is counted: its lines, and the lines of
each function it defines (from the line that starts its declaration to
the line of its closing brace).  Comments, string and character
literals and preprocessor lines are read past, so that a brace in them
counts for nothing.

Usage: check-sizes.py [--top N] [--max-file N] [--max-function N] [SRCDIR]
Prints one line per file or function over its limit and a final "N
violations" line; with --top N, also the N longest functions.  Exit
status 0 when there are none, 1 otherwise, 2 on a usage error.
"""

import argparse
import os
import re
import sys

MAX_FILE = 1500
MAX_FUNCTION = 120

COMMENT_RE = re.compile(r'/\*.*?\*/|//[^\n]*', re.S)
STRING_RE = re.compile(r'"(?:\\.|[^"\\\n])*"')
CHAR_RE = re.compile(r"'(?:\\.|[^'\\\n])+'")


def strip(text):
    """Comments, literals and preprocessor lines blanked; line numbers kept."""
    text = COMMENT_RE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    lines = text.split("\n")
    out, continued = [], False
    for line in lines:
        directive = continued or line.lstrip().startswith("#")
        continued = directive and line.rstrip().endswith("\\")
        if directive:
            out.append("")
            continue
        out.append(CHAR_RE.sub("''", STRING_RE.sub('""', line)))
    return out


def functions(lines):
    """(name, first line, line count) of each function defined at file level."""
    depth, start = 0, None
    for i, line in enumerate(lines):
        for ch in line:
            if ch == "{":
                if depth == 0:
                    start = header(lines, i)
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0 and start:
                    yield start[1], start[0] + 1, i - start[0] + 1
                    start = None


def header(lines, i):
    """The declaration a top-level '{' on line i opens: (its first line, name), or
    None for an initializer, a struct, an enum or a union."""
    j = i
    while j > 0 and not re.match(r"[A-Za-z_]", lines[j]):
        j -= 1
    text = " ".join(lines[j:i + 1])
    m = re.search(r"(\w+)\s*\(", text)
    if not m or "=" in text.split("(")[0]:
        return None
    return j, m.group(1)


def lib_files(src):
    for root, _, files in os.walk(os.path.join(src, "lib")):
        for f in sorted(files):
            if f.endswith((".c", ".h")):
                yield os.path.join(root, f)


def main(argv):
    ap = argparse.ArgumentParser(description="file and function sizes of lib/")
    ap.add_argument("--top", type=int, default=0, help="also list the N longest functions")
    ap.add_argument("--max-file", type=int, default=MAX_FILE)
    ap.add_argument("--max-function", type=int, default=MAX_FUNCTION)
    ap.add_argument("src", nargs="?", default=".")
    args = ap.parse_args(argv)
    if not os.path.isdir(os.path.join(args.src, "lib")):
        print("check-sizes: %s has no lib/" % args.src, file=sys.stderr)
        return 2
    violations, found = [], []
    for path in lib_files(args.src):
        rel = os.path.relpath(path, args.src)
        with open(path, errors="replace") as f:
            text = f.read()
        n = text.count("\n")
        if n > args.max_file:
            violations.append("%s: %d lines (at most %d)" % (rel, n, args.max_file))
        for name, first, count in functions(strip(text)):
            found.append((count, rel, first, name))
            if count > args.max_function:
                violations.append("%s:%d: %s: %d lines (at most %d)"
                                  % (rel, first, name, count, args.max_function))
    for count, rel, first, name in sorted(found, reverse=True)[:args.top]:
        print("%d %s:%d %s" % (count, rel, first, name))
    for v in violations:
        print(v)
    print("%d violations" % len(violations))
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
