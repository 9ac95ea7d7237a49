#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""storvirt(1) carries every command with the synopsis its option table gives.

    check-cli-man.py STORVIRT MANPAGE

`STORVIRT help --synopsis` prints one line per command, made from the
command's table of options and operands (tools/cmdopt.c).  In the COMMANDS
section of MANPAGE, the header line of each .TP/.TQ entry is read as text
(fonts and escapes dropped); every command must have a header equal to its
synopsis line, and every header naming a command-like word must be a
command.  On a difference the script prints the troff line to paste.
Exit status 0 when they agree, 1 otherwise.
"""
import re
import subprocess
import sys

ESCAPES = [(r"\-", "-"), (r"\(aq", "'"), (r"\(dq", '"'), (r"\(rq", '"'), (r"\(lq", '"'),
           (r"\&", ""), (r"\%", ""), (r"\ ", " "), (r"\e", "\\")]


def macro_args(rest):
    """The arguments of a macro line, with troff's double quotes."""
    return [a[1:-1] if a.startswith('"') else a
            for a in re.findall(r'"[^"]*"|\S+', rest)]


def plain(line):
    """A man page line as the reader sees its text."""
    m = re.match(r"^\.(B|I|BI|BR|IB|IR|RB|RI)(?:\s+(.*))?$", line)
    if m:
        args = macro_args(m.group(2) or "")
        line = (" " if m.group(1) in ("B", "I") else "").join(args)
    line = re.sub(r"\\f(\[[^]]*\]|.)", "", line)
    for esc, text in ESCAPES:
        line = line.replace(esc, text)
    return " ".join(line.split())


def troff(syn):
    """The troff header line of a synopsis: options bold, placeholders italic."""
    out = []
    for i, tok in enumerate(re.findall(r"\.\.\.|[][()|]|[^\s][^\s\]\[()|]*|\s+", syn)):
        if tok.isspace() or tok in ("[", "]", "(", ")", "|", "..."):
            out.append(tok)
        elif i == 0 or tok.startswith("--"):
            out.append(r"\fB%s\fP" % tok.replace("-", r"\-"))
        else:
            out.append(r"\fI%s\fP" % tok.replace("-", r"\-"))
    return "".join(out)


def man_headers(path):
    """The header lines (as text) of the .TP/.TQ entries under COMMANDS."""
    lines = open(path, encoding="utf-8").read().split("\n")
    headers, in_commands = [], False
    for i, line in enumerate(lines):
        if line.startswith(".SH"):
            in_commands = line.split(None, 1)[1:] == ["COMMANDS"]
        elif in_commands and line in (".TP", ".TQ") and i + 1 < len(lines):
            headers.append((i + 2, plain(lines[i + 1])))
    return headers


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    storvirt, manpage = sys.argv[1:]
    out = subprocess.run([storvirt, "help", "--synopsis"], capture_output=True, text=True,
                         check=True).stdout
    synopses = {line.split()[0]: " ".join(line.split()) for line in out.splitlines()}
    headers = man_headers(manpage)
    problems = []
    for name, syn in synopses.items():
        texts = [text for _, text in headers if text.split()[:1] == [name]]
        if syn in texts:
            continue
        found = ("; the man page has: " + " / ".join(texts)) if texts else \
            "; the man page has no entry for it"
        problems.append("%s: synopsis '%s'%s\n    troff: %s" % (name, syn, found, troff(syn)))
    for lineno, text in headers:
        word = text.split()[0] if text else ""
        if re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", word) and word not in synopses:
            problems.append("%s:%d: '%s' is not a storvirt command" % (manpage, lineno, word))
    for p in problems:
        print(p)
    print("%d commands, %d problems" % (len(synopses), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
