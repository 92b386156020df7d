#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Packs the distribution of a build tree (its CMake install tree, cmake/install/CMakeLists.txt)
# as OUTDIR/iphlp-BUILDID.tar.gz and prints that path. Used by ./iphlp dist and by the test of
# the distribution (tests/run-dist.sh), so the tested tarball is the shipped one.
# Usage: make-dist.sh BUILD_DIR OUTDIR
set -euo pipefail
build=$1 out=$2
mkdir -p "$out"
tmp=$(mktemp -d "$out/.pack.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp" >/dev/null
name=iphlp-$(cat "$tmp/lib/iphlp/VERSION")
mv "$tmp/lib/iphlp" "$tmp/$name"
tar -C "$tmp" -czf "$out/$name.tar.gz.tmp" "$name"
mv -f "$out/$name.tar.gz.tmp" "$out/$name.tar.gz"
printf '%s\n' "$out/$name.tar.gz"
