#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs a resolution test with STORVIRT_TEST_DOMAINS_DIR set, so every
# <disk> it resolves is also saved wrapped in a domain, then lets libvirt
# judge them (libvirt-judge-disks.py: schema, test driver define, nothing
# dropped).  Usage: judge-resolved.sh TEST_BINARY [MIN_DOMAINS (default 5)]
set -u
here=$(dirname "$0")
dir=$(mktemp -d "${TMPDIR:-/tmp}/storvirt-judge.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
STORVIRT_TEST_DOMAINS_DIR=$dir "$1" >"$dir/test.log" 2>&1 || {
        cat "$dir/test.log"
        exit 1
}
n=$(ls "$dir"/*.xml 2>/dev/null | wc -l)
min=${2:-5}
if [ "$n" -lt "$min" ]; then
        echo "only $n domains written by $1: expected at least $min"
        cat "$dir/test.log"
        exit 1
fi
python3 "$here/libvirt-judge-disks.py" --verbose "$dir"
