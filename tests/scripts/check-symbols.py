#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""check-symbols.py - the public API, the version script, the built library
and the manual pages must agree.

Usage: check-symbols.py SRCDIR LIBPATH

Compares three sets of names:
  (a) the storvirt_* functions declared in include/storvirt.h and
      include/storvirt/*.h (static inline definitions, typedefs and macros
      are not part of the ABI and are skipped);
  (b) the global names of every node of lib/libstorvirt.sym;
  (c) the text symbols (T) that `nm -D --defined-only LIBPATH` lists.

and checks as well:
  - every map entry appears exactly once, node names are STORVIRT_<d>.<d>,
    each node inherits the one before, and the map ends in `local: *;`;
  - the library exports nothing but storvirt_* functions and the
    absolute symbols of its version nodes, each function under the node
    the map puts it in, and its SONAME is libstorvirt.so.0;
  - the doc comment of every function names it and carries a `Since: x.y`
    that matches the map node STORVIRT_x.y;
  - every function has man/<name>.3 (a page or a `.so` link to one) whose
    SYNOPSIS declares the same prototype as the header;
  - the header version macros, the meson project version and the ABI
    node in meson.build agree with the map.

Prints one line per check, details under failures, and a final
"N passed, M failed" line.  Exit status: 0 all passed, 1 a check failed,
2 usage error.
"""

import glob
import os
import re
import shutil
import subprocess
import sys

NODE_RE = re.compile(r"^STORVIRT_(\d+)\.(\d+)$")
SONAME = "libstorvirt.so.0"

# Identifiers that may be followed by "(" in a declaration without being
# its name: attributes and macros that expand to them.
NOT_DECLARATORS = re.compile(
    r"^(__attribute__|__declspec|__asm__|asm|_Alignas|alignas|"
    r"STORVIRT_[A-Z0-9_]+|void|char|short|int|long|signed|unsigned|float|"
    r"double|const|volatile|struct|union|enum|sizeof)$")


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def result(self, ok, title, details=()):
        if ok:
            self.passed += 1
            print("PASS " + title)
        else:
            self.failed += 1
            print("FAIL " + title)
            for d in details:
                print("    " + d)
        return ok

    @staticmethod
    def skip(title, why):
        print("SKIP %s (%s)" % (title, why))


# --------------------------------------------------------------------------
# A small C declaration scanner, used for the headers and for the SYNOPSIS
# sections of the manual pages.

def _scan_comments(text):
    """Replaces comments with "\\x00<n>\\x00" markers (keeping newlines so
    that preprocessor lines stay lines) and returns (text, comments)."""
    out = []
    comments = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            body = text[i + 2:j - 2]
            comments.append(body)
            out.append("\x00%d\x00" % (len(comments) - 1) + "\n" * body.count("\n"))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            comments.append(text[i + 2:j])
            out.append("\x00%d\x00" % (len(comments) - 1))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out), comments


_CPLUSPLUS_IF = re.compile(
    r"^#\s*(ifdef\s+__cplusplus\b|if\s+defined\s*\(?\s*__cplusplus\b|if\s+__cplusplus\b)")


def _strip_preprocessor(text):
    """Drops preprocessor lines (with their continuations) and the bodies of
    `#ifdef __cplusplus` blocks (the extern "C" wrappers)."""
    lines = text.split("\n")
    out = []
    skip_depth = 0      # > 0 while inside an __cplusplus block
    depth = 0           # #if nesting
    i = 0
    while i < len(lines):
        line = lines[i]
        while line.endswith("\\") and i + 1 < len(lines):
            i += 1
            line = line[:-1] + lines[i]
        i += 1
        s = line.strip()
        # Keep comment markers that sit on a preprocessor line out of the
        # way: they document the macro, not the next declaration.
        if s.startswith("#"):
            d = s[1:].strip()
            if re.match(r"if", d):
                depth += 1
                if skip_depth == 0 and _CPLUSPLUS_IF.match(s):
                    skip_depth = depth
            elif re.match(r"(else|elif)\b", d):
                if skip_depth == depth:
                    skip_depth = 0
            elif re.match(r"endif\b", d):
                if skip_depth == depth:
                    skip_depth = 0
                depth -= 1
            continue
        if skip_depth:
            continue
        out.append(line)
    text = "\n".join(out)
    return re.sub(r'extern\s+"C"\s*\{', " ", text)


def _split_statements(text):
    """Splits top-level C text into (chunk, has_body) pairs: declarations end
    at ';', function definitions at the '}' closing their body."""
    chunks = []
    cur = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            cur.append(text[i:j + 1])
            i = j + 1
            continue
        if c == ";":
            chunks.append(("".join(cur), False))
            cur = []
        elif c == "{":
            head = "".join(cur)
            depth, j = 1, i + 1
            while j < n and depth:
                if text[j] == "{":
                    depth += 1
                elif text[j] == "}":
                    depth -= 1
                j += 1
            words = re.sub(r"\x00\d+\x00", " ", head).split()
            if words and words[0] in ("typedef", "struct", "union", "enum") \
                    or "=" in head:
                cur.append(text[i:j])     # a type or an initializer: go on to ';'
            else:
                chunks.append((head, True))
                cur = []
            i = j
            continue
        elif c == "}":
            pass                           # a stray brace (extern "C" leftovers)
        else:
            cur.append(c)
        i += 1
    if "".join(cur).strip():
        chunks.append(("".join(cur), False))
    return chunks


def _remove_balanced(text, pattern):
    """Removes every `pattern(...)` with balanced parentheses."""
    while True:
        m = re.search(pattern + r"\s*\(", text)
        if not m:
            return text
        depth, j = 1, m.end()
        while j < len(text) and depth:
            if text[j] == "(":
                depth += 1
            elif text[j] == ")":
                depth -= 1
            j += 1
        text = text[:m.start()] + " " + text[j:]


def normalize_prototype(decl):
    """A canonical spelling of a declaration, for comparisons."""
    decl = re.sub(r"\x00\d+\x00", " ", decl)
    decl = _remove_balanced(decl, r"\b__attribute__")
    decl = _remove_balanced(decl, r"\bSTORVIRT_DEPRECATED")
    decl = re.sub(r"\bextern\b", " ", decl)
    decl = " ".join(decl.split())
    decl = re.sub(r"\s*([(),*\[\];])\s*", r"\1", decl)
    return decl.rstrip(";") + ";"


def _declarator(chunk):
    """The name of the function a declaration declares, or None."""
    depth = 0
    candidates = []
    for m in re.finditer(r"[()]|\b([A-Za-z_]\w*)\s*(?=\()", chunk):
        tok = m.group(0)
        if tok == "(":
            depth += 1
        elif tok == ")":
            depth -= 1
        else:
            name = m.group(1)
            if not NOT_DECLARATORS.match(name):
                candidates.append((depth, name))
    for depth, name in candidates:
        if depth == 0:
            return name
    for depth, name in candidates:
        if name.startswith("storvirt_"):
            return name
    return None


class Declaration:
    def __init__(self, name, prototype, doc, origin):
        self.name = name
        self.prototype = prototype
        self.doc = doc          # text of the doc comment, or None
        self.origin = origin    # file name


def parse_declarations(text, origin):
    """Returns (functions, problems): the non-static functions declared in
    C text, and a list of things a public header should not contain."""
    text, comments = _scan_comments(text)
    text = _strip_preprocessor(text)
    functions = []
    problems = []
    current_doc = None
    for chunk, has_body in _split_statements(text):
        markers = [int(x) for x in re.findall(r"\x00(\d+)\x00", chunk)]
        plain = " ".join(re.sub(r"\x00\d+\x00", " ", chunk).split())
        name = _declarator(plain) if plain else None
        # The doc comment of a declaration: the last comment before its
        # name, else the one in force (several declarations may share it).
        if name and markers:
            before = chunk[:chunk.find(name)] if name in chunk else chunk
            inside = [int(x) for x in re.findall(r"\x00(\d+)\x00", before)]
            if inside:
                current_doc = comments[inside[-1]]
        elif markers:
            current_doc = comments[markers[-1]]
        doc = current_doc
        if markers:
            current_doc = comments[markers[-1]]
        if not plain:
            continue
        words = plain.split()
        if has_body or words[0] == "typedef" or "static" in words:
            continue
        if words[0] in ("struct", "union", "enum") and "(" not in plain:
            continue            # a type definition or declaration
        if not name:
            problems.append("%s: not a function declaration: %s" % (origin, plain))
            continue
        functions.append(Declaration(name, normalize_prototype(plain), doc, origin))
    return functions, problems


# --------------------------------------------------------------------------
# Sources.

def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def header_files(srcdir):
    files = [os.path.join(srcdir, "include", "storvirt.h")]
    files += sorted(glob.glob(os.path.join(srcdir, "include", "storvirt", "*.h")))
    return [f for f in files if os.path.isfile(f)]


def parse_map(text):
    """Returns (nodes, problems); nodes is a list of
    (name, parent, [globals], [locals]) in file order."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"#[^\n]*", " ", text)
    nodes = []
    problems = []
    pos = 0
    node_re = re.compile(r"\s*([A-Za-z0-9_.]+)\s*\{(.*?)\}\s*([A-Za-z0-9_.]*)\s*;", re.S)
    while True:
        m = node_re.match(text, pos)
        if not m:
            break
        name, body, parent = m.group(1), m.group(2), m.group(3) or None
        glob_, loc = [], []
        section = glob_
        for item in body.split(";"):
            item = item.strip()
            while True:
                sm = re.match(r"(global|local)\s*:\s*", item)
                if not sm:
                    break
                section = glob_ if sm.group(1) == "global" else loc
                item = item[sm.end():].strip()
            if item:
                section.append(item)
        nodes.append((name, parent, glob_, loc))
        pos = m.end()
    if text[pos:].strip():
        problems.append("cannot parse the map after: %r" % text[pos:pos + 60].strip())
    return nodes, problems


def run(cmd):
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True)
    except OSError as e:
        return None, str(e)
    if p.returncode != 0:
        return None, (p.stderr.strip() or "exit status %d" % p.returncode)
    return p.stdout, None


def nm_symbols(libpath):
    """Returns (symbols, error): symbols is a list of (type, name, version,
    default) for every defined dynamic symbol.  version is None when nm
    does not print versions."""
    out, err = run(["nm", "-D", "--defined-only", libpath])
    if out is None:
        return None, "nm -D --defined-only %s: %s" % (libpath, err)
    if "@" not in out:
        # binutils before 2.35 print versions only when asked.
        out2, _ = run(["nm", "-D", "--defined-only", "--with-symbol-versions", libpath])
        if out2:
            out = out2
    syms = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        typ, full = parts[-2], parts[-1]
        version, default = None, True
        if "@@" in full:
            full, version = full.split("@@", 1)
        elif "@" in full:
            full, version = full.split("@", 1)
            default = False
        syms.append((typ, full, version, default))
    return syms, None


def soname_of(libpath):
    for cmd in (["readelf", "-d", libpath], ["objdump", "-p", libpath]):
        if not shutil.which(cmd[0]):
            continue
        out, err = run(cmd)
        if out is None:
            return None, err
        # readelf: "(SONAME)  Library soname: [x]"; objdump: "  SONAME  x".
        m = re.search(r"Library soname: \[([^\]]+)\]|^\s*SONAME\s+(\S+)", out, re.M)
        return ((m.group(1) or m.group(2)) if m else ""), None
    return None, "neither readelf nor objdump is installed"


# --------------------------------------------------------------------------
# Manual pages.

_ESCAPES = [
    (re.compile(r"\\f(\[[^\]]*\]|\(..|.)"), ""),
    (re.compile(r"\\s[-+]?\d"), ""),
    (re.compile(r"\\[%&|^c]"), ""),
    (re.compile(r"\\\(aq"), "'"),
    (re.compile(r"\\\(dq"), '"'),
    (re.compile(r"\\\(ha"), "^"),
    (re.compile(r"\\\(ti"), "~"),
    (re.compile(r"\\-"), "-"),
    (re.compile(r"\\ "), " "),
    (re.compile(r"\\e"), "\\\\"),
]

_FONT_JOINED = {"BI", "IB", "BR", "RB", "IR", "RI"}
_FONT_SPACED = {"B", "I", "SM", "SB"}


def _macro_args(s):
    args = []
    i, n = 0, len(s)
    while i < n:
        if s[i].isspace():
            i += 1
        elif s[i] == '"':
            j = i + 1
            buf = []
            while j < n:
                if s.startswith('""', j):
                    buf.append('"')
                    j += 2
                elif s[j] == '"':
                    j += 1
                    break
                else:
                    buf.append(s[j])
                    j += 1
            args.append("".join(buf))
            i = j
        else:
            j = i
            while j < n and not s[j].isspace():
                j += 1
            args.append(s[i:j])
            i = j
    return args


def roff_to_text(lines):
    out = []
    for line in lines:
        if line.startswith(".\\\"") or line.startswith("'\\\""):
            continue
        if line.startswith(".") or line.startswith("'"):
            m = re.match(r"[.']\s*(\S+)\s*(.*)", line)
            if not m:
                continue
            macro, rest = m.group(1), m.group(2)
            if macro in _FONT_JOINED:
                line = "".join(_macro_args(rest))
            elif macro in _FONT_SPACED:
                line = " ".join(_macro_args(rest))
            else:
                continue
        for rx, rep in _ESCAPES:
            line = rx.sub(rep, line)
        out.append(line)
    return "\n".join(out)


def man_page(mandir, name, depth=0):
    """Returns (resolved file name, text) of man/<name>, following .so links,
    or (None, why)."""
    path = os.path.join(mandir, name)
    if not os.path.isfile(path):
        return None, "man/%s does not exist" % name
    text = read(path)
    m = re.match(r"\.so\s+(\S+)\s*$", text.strip())
    if m:
        if depth > 4:
            return None, "man/%s: too many .so links" % name
        return man_page(mandir, os.path.basename(m.group(1)), depth + 1)
    return name, text


def synopsis_declarations(text):
    lines = text.split("\n")
    body = []
    inside = False
    for line in lines:
        if re.match(r"\.SH\b", line):
            inside = re.match(r'\.SH\s+"?SYNOPSIS"?\s*$', line) is not None
            continue
        if inside:
            body.append(line)
    functions, _ = parse_declarations(roff_to_text(body), "SYNOPSIS")
    return {f.name: f for f in functions}


# --------------------------------------------------------------------------

def set_diff(title, checks, a_name, a, b_name, b):
    only_a = sorted(set(a) - set(b))
    only_b = sorted(set(b) - set(a))
    details = ["in %s only: %s" % (a_name, n) for n in only_a]
    details += ["in %s only: %s" % (b_name, n) for n in only_b]
    return checks.result(not details, "%s (%d names)" % (title, len(set(a) | set(b))), details)


def main(argv):
    if len(argv) != 3 or argv[1] in ("-h", "--help"):
        sys.stderr.write("usage: check-symbols.py SRCDIR LIBPATH\n")
        return 2
    srcdir, libpath = argv[1], argv[2]
    checks = Checks()

    # (a) the headers ------------------------------------------------------
    headers = header_files(srcdir)
    decls = []
    problems = []
    for h in headers:
        fns, probs = parse_declarations(read(h), os.path.relpath(h, srcdir))
        decls += fns
        problems += probs
    seen = {}
    for d in decls:
        if d.name in seen:
            problems.append("%s declared twice (%s, %s)" % (d.name, seen[d.name].origin, d.origin))
        else:
            seen[d.name] = d
        if not d.name.startswith("storvirt_") or d.name.startswith("storvirt__"):
            problems.append("%s: %s is not a public storvirt_ name" % (d.origin, d.name))
    checks.result(bool(headers) and bool(decls) and not problems,
                  "headers declare %d functions in %d files" % (len(seen), len(headers)),
                  problems or ["no declarations found under %s/include" % srcdir])
    header_set = set(seen)

    # (b) the map ----------------------------------------------------------
    map_path = os.path.join(srcdir, "lib", "libstorvirt.sym")
    try:
        nodes, problems = parse_map(read(map_path))
    except OSError as e:
        nodes, problems = [], [str(e)]
    node_of = {}
    counts = {}
    prev = None
    prev_ver = None
    has_local_star = False
    for name, parent, globs, locs in nodes:
        m = NODE_RE.match(name)
        if not m:
            problems.append("node %s: name is not STORVIRT_<major>.<minor>" % name)
        else:
            ver = (int(m.group(1)), int(m.group(2)))
            if prev_ver and ver <= prev_ver:
                problems.append("node %s: not newer than the node before it" % name)
            prev_ver = ver
        if parent != prev:
            problems.append("node %s: inherits %s, expected %s" % (name, parent or "nothing", prev or "nothing"))
        prev = name
        for g in globs:
            counts[g] = counts.get(g, 0) + 1
            node_of.setdefault(g, name)
            if any(ch in g for ch in "*?["):
                problems.append("node %s: wildcard in global: %s" % (name, g))
            elif not g.startswith("storvirt_") or g.startswith("storvirt__"):
                problems.append("node %s: %s is not a public storvirt_ name" % (name, g))
        for loc in locs:
            if loc == "*":
                has_local_star = True
            else:
                problems.append("node %s: unexpected local entry %s" % (name, loc))
    for g, c in sorted(counts.items()):
        if c > 1:
            problems.append("%s is listed %d times" % (g, c))
    if nodes and not has_local_star:
        problems.append("no `local: *;`: every non-hidden symbol would be exported")
    checks.result(bool(nodes) and not problems,
                  "lib/libstorvirt.sym: %d nodes, %d entries, each once" % (len(nodes), len(counts)),
                  problems or ["no version nodes found in %s" % map_path])
    map_set = set(counts)
    node_names = [n[0] for n in nodes]

    set_diff("headers == lib/libstorvirt.sym", checks, "headers", header_set, "map", map_set)

    # (c) the library ------------------------------------------------------
    syms, err = nm_symbols(libpath)
    if syms is None:
        checks.result(False, "exported symbols of %s" % libpath, [err])
    else:
        text_syms = {}
        problems = []
        for typ, name, version, default in syms:
            if typ == "T":
                if name in text_syms and not default:
                    text_syms[name] = text_syms[name]   # keep the default version
                else:
                    text_syms[name] = (version, default)
                if not default:
                    problems.append("%s@%s: a non-default version (symbols are never moved)"
                                    % (name, version))
                if not name.startswith("storvirt_") or name.startswith("storvirt__"):
                    problems.append("exported function %s is not a public storvirt_ name" % name)
            elif typ == "A" and name in node_names:
                continue        # the symbol of a version node
            else:
                problems.append("unexpected exported symbol: %s %s" % (typ, name))
        checks.result(not problems,
                      "%s exports only storvirt_ functions and version nodes" % os.path.basename(libpath),
                      problems)
        set_diff("lib/libstorvirt.sym == nm -D %s" % os.path.basename(libpath), checks,
                 "map", map_set, "library", set(text_syms))
        versioned = [n for n, (v, _) in text_syms.items() if v is not None]
        if text_syms and not versioned:
            Checks.skip("symbol versions", "nm printed no versions")
        else:
            problems = []
            for name, (version, default) in sorted(text_syms.items()):
                if name not in node_of:
                    continue
                if version != node_of[name]:
                    problems.append("%s has version %s, the map puts it in %s"
                                    % (name, version, node_of[name]))
            checks.result(not problems, "every symbol carries the version of its map node", problems)

    soname, err = soname_of(libpath)
    if soname is None and err and "installed" in err:
        Checks.skip("SONAME", err)
    else:
        checks.result(soname == SONAME, "SONAME is %s" % SONAME,
                      [err] if err else ["SONAME is %r" % soname])

    # Since: tags --------------------------------------------------------
    problems = []
    for name in sorted(seen):
        d = seen[name]
        doc = d.doc or ""
        m = re.search(r"\bSince:\s*(\d+)\.(\d+)", doc)
        if not re.search(r"\b%s\b" % re.escape(name), doc):
            problems.append("%s (%s): no doc comment naming it" % (name, d.origin))
        elif not m:
            problems.append("%s (%s): doc comment without `Since: x.y`" % (name, d.origin))
        elif name in node_of and node_of[name] != "STORVIRT_%s.%s" % m.groups():
            problems.append("%s: Since: %s.%s, but the map puts it in %s"
                            % (name, m.group(1), m.group(2), node_of[name]))
    checks.result(not problems, "doc comments name each function and its Since: node", problems)

    # Manual pages ---------------------------------------------------------
    mandir = os.path.join(srcdir, "man")
    for name in sorted(seen):
        page, text = man_page(mandir, name + ".3")
        title = "man/%s.3 documents %s" % (name, name)
        if page is None:
            checks.result(False, title, [text])
            continue
        documented = synopsis_declarations(text)
        if name not in documented:
            checks.result(False, title, ["the SYNOPSIS of man/%s does not declare it" % page])
        elif documented[name].prototype != seen[name].prototype:
            checks.result(False, title, [
                "SYNOPSIS of man/%s differs from %s:" % (page, seen[name].origin),
                "  man:    " + documented[name].prototype,
                "  header: " + seen[name].prototype])
        else:
            checks.result(True, title)

    # Versions -------------------------------------------------------------
    problems = []
    macros = {}
    for h in headers:
        for k, v in re.findall(r"#\s*define\s+STORVIRT_VERSION_(MAJOR|MINOR|MICRO)\s+(\d+)", read(h)):
            macros[k] = int(v)
    meson_path = os.path.join(srcdir, "meson.build")
    meson = read(meson_path) if os.path.isfile(meson_path) else ""
    pm = re.search(r"project\s*\((?:[^()]|\([^()]*\))*?\bversion\s*:\s*'(\d+)\.(\d+)\.(\d+)'", meson, re.S)
    am = re.search(r"\babi_node\s*=\s*'([^']*)'", meson)
    if len(macros) != 3:
        problems.append("STORVIRT_VERSION_MAJOR/MINOR/MICRO not all defined in the headers")
    else:
        hv = (macros["MAJOR"], macros["MINOR"], macros["MICRO"])
        if pm and tuple(int(x) for x in pm.groups()) != hv:
            problems.append("meson.build version %s.%s.%s, headers say %d.%d.%d"
                            % (pm.groups() + hv))
        if node_names and NODE_RE.match(node_names[-1]):
            nv = tuple(int(x) for x in NODE_RE.match(node_names[-1]).groups())
            if nv > hv[:2]:
                problems.append("newest node %s is newer than version %d.%d.%d"
                                % ((node_names[-1],) + hv))
    if not pm:
        problems.append("no project version found in meson.build")
    if am and node_names and am.group(1) != node_names[-1]:
        problems.append("meson.build abi_node is %s, the newest map node is %s"
                        % (am.group(1), node_names[-1]))
    checks.result(not problems, "version macros, meson.build and the newest map node agree", problems)

    print("%d passed, %d failed" % (checks.passed, checks.failed))
    return 0 if checks.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
