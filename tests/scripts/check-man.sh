#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# check-man.sh - lint the manual pages under man/.
#
# Usage: check-man.sh [SRCDIR]
#
# For every page man/NAME.SECTION:
#   - every ".so manS/TARGET" request names a page that exists in man/ and
#     whose section is S;
#   - "groff -man -ww -z -t" prints nothing, with the default device and
#     with -Tutf8 (what man(1) uses on a terminal);
#   - the page is listed in man/meson.build, so that it gets installed.
#
# Link pages (".so man3/other.3") are resolved the way man(1) resolves
# them in an installed tree: relative to the root of the manual
# hierarchy.  The pages are therefore staged in a temporary hierarchy
# (man1/, man3/, ...) and groff runs from its root.
#
# Prints one line per page and a final "N passed, M failed" line.
# Exit status: 0 all pages pass, 1 a page fails (or man/ is missing),
# 77 groff is not installed (meson's "skipped").

set -u

srcdir=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
mandir=$srcdir/man

if ! command -v groff >/dev/null 2>&1; then
        echo "groff not found: skipping the manual page checks"
        exit 77
fi
if [ ! -d "$mandir" ]; then
        echo "no manual page directory: $mandir"
        echo "0 passed, 1 failed"
        exit 1
fi

stage=$(mktemp -d "${TMPDIR:-/tmp}/check-man.XXXXXX") || exit 1
trap 'rm -rf "$stage"' EXIT

shopt -s nullglob
pages=()
for f in "$mandir"/*.[1-9]; do
        [ -f "$f" ] || continue
        name=${f##*/}
        sec=${name##*.}
        mkdir -p "$stage/man$sec"
        ln -s "$f" "$stage/man$sec/$name"
        pages+=("$name")
done

if [ ${#pages[@]} -eq 0 ]; then
        echo "no manual pages found in $mandir"
        echo "0 passed, 1 failed"
        exit 1
fi

# The page names listed in man/meson.build (quoted 'NAME.S' strings).
listed=""
if [ -f "$mandir/meson.build" ]; then
        listed=$(grep -o "'[^'/]*\.[1-9]'" "$mandir/meson.build" | tr -d "'")
fi

passed=0
failed=0
for name in "${pages[@]}"; do
        sec=${name##*.}
        problems=""

        # .so requests: "man<S>/<page>.<S>", target present in man/.
        while read -r _ target _; do
                case $target in
                man[1-9]/*.[1-9])
                        tsec=${target%%/*}
                        tsec=${tsec#man}
                        tname=${target#*/}
                        if [ "${tname##*.}" != "$tsec" ]; then
                                problems+="  .so $target: section directory does not match the page suffix"$'\n'
                        elif [ ! -f "$mandir/$tname" ]; then
                                problems+="  .so $target: man/$tname does not exist"$'\n'
                        fi
                        ;;
                *)
                        problems+="  .so $target: expected the form man<S>/<page>.<S>"$'\n'
                        ;;
                esac
        done < <(grep -E '^\.so[[:space:]]' "$mandir/$name")

        # groff must be silent.  Paths in its messages are made readable.
        for dev in "" "-Tutf8"; do
                out=$(cd "$stage" && groff -man -ww -z -t $dev "man$sec/$name" 2>&1)
                status=$?
                if [ -n "$out" ] || [ $status -ne 0 ]; then
                        problems+="  groff -man -ww -z -t${dev:+ $dev} (exit $status):"$'\n'
                        problems+=$(printf '%s\n' "$out" | sed 's/^/    /')$'\n'
                fi
        done

        if ! printf '%s\n' "$listed" | grep -qxF "$name"; then
                problems+="  not listed in man/meson.build (it would not be installed)"$'\n'
        fi

        if [ -z "$problems" ]; then
                echo "PASS man/$name"
                passed=$((passed + 1))
        else
                echo "FAIL man/$name"
                printf '%s' "$problems"
                failed=$((failed + 1))
        fi
done

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
