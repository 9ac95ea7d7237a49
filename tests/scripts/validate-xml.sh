#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# validate-xml.sh - checks that the pool and volume XML libstorvirt
# writes is valid for libvirt's own schemas (virt-xml-validate).
#
#   validate-xml.sh TEST_POOL_CONF TEST_VOL_CONF
#       runs "TEST_POOL_CONF --write-dir DIR" and "TEST_VOL_CONF
#       --write-dir DIR", which format every fixture of
#       tests/data/xml/pool and tests/data/xml/vol (pools also in their
#       inactive form), and validates every file they wrote;
#   validate-xml.sh
#       validates the expected outputs tests/data/xml/{pool,vol}/*.out.xml
#       (which the unit tests compare byte for byte with the formatter's).
#
# Exits 77 (skipped) without virt-xml-validate (Debian: libvirt-clients),
# 1 listing the files that do not validate, 0 otherwise.
set -u

if ! command -v virt-xml-validate >/dev/null 2>&1; then
        echo "virt-xml-validate not found (package libvirt-clients): skipped"
        exit 77
fi

here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/storvirt-xml.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
mkdir "$work/pool" "$work/vol" || exit 1

if [ $# -eq 2 ]; then
        "$1" --write-dir "$work/pool" || { echo "$1 --write-dir failed"; exit 1; }
        "$2" --write-dir "$work/vol" || { echo "$2 --write-dir failed"; exit 1; }
elif [ $# -eq 0 ]; then
        data="$here/../data/xml"
        cp "$data"/pool/*.out.xml "$work/pool/" && cp "$data"/vol/*.out.xml "$work/vol/" || exit 1
else
        echo "usage: $0 [TEST_POOL_CONF TEST_VOL_CONF]" >&2
        exit 2
fi

passed=0
failed=0
bad=""
for kind in pool vol; do
        case $kind in
        pool) schema=storagepool ;;
        vol) schema=storagevol ;;
        esac
        for f in "$work/$kind"/*.xml; do
                [ -e "$f" ] || continue
                if virt-xml-validate "$f" "$schema" >"$work/log" 2>&1; then
                        passed=$((passed + 1))
                else
                        failed=$((failed + 1))
                        bad="$bad $kind/$(basename "$f")"
                        sed 's/^/    /' "$work/log"
                fi
        done
done

if [ $((passed + failed)) -eq 0 ]; then
        echo "no XML files were written"
        exit 1
fi
if [ $failed -ne 0 ]; then
        echo "not valid for libvirt's schemas:"
        for b in $bad; do
                echo "  $b"
        done
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
