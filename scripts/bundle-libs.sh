#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copies the shared libraries iphlp-unix.so needs that a machine with only Wine lacks (libmnl,
# SQLite: Wine's packages do not depend on them) into OUTDIR, under their sonames. The .so finds
# them there through its RUNPATH ($ORIGIN/iphlp-libs, cmake/bundle.cmake), so the distribution
# and an install carry them beside it. Run where the .so was built (its libraries resolve there).
# Usage: bundle-libs.sh SO OUTDIR
set -euo pipefail
so=$1 out=$2
mkdir -p "$out"
for lib in libmnl.so.0 libsqlite3.so.0; do
    path=$(ldd "$so" | awk -v lib="$lib" '$1 == lib && $2 == "=>" { print $3 }')
    [ -n "$path" ] && [ -f "$path" ] || { echo "bundle-libs.sh: $so needs $lib, which does not resolve here" >&2; exit 1; }
    cmp -s "$path" "$out/$lib" || cp -L "$path" "$out/$lib"
done
