#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Packs the distribution of a build tree (its CMake install tree, cmake/install/CMakeLists.txt)
# as OUTDIR/iphlp-BUILDID-ARCHES.tar.gz and prints that path. ARCHES names the bitnesses whose
# Unix side it carries: "x86_64+i386", or "x86_64-only" (a build without the i386 Unix side,
# which ./iphlp dist refuses to ship). Used by ./iphlp dist and by the tests of the distribution
# (tests/run-dist.sh, run-install.sh), so the tested tarball is the shipped one.
# Usage: make-dist.sh BUILD_DIR OUTDIR
set -euo pipefail
build=$1 out=$2
mkdir -p "$out"
tmp=$(mktemp -d "$out/.pack.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp" >/dev/null
rm -f "$build/install_manifest.txt" # not part of the build
arches=x86_64-only
[ -f "$tmp/lib/iphlp/i386-unix/iphlpbridge.so" ] && [ -f "$tmp/lib/iphlp/i386-unix/iphlp-unix.so" ] && arches=x86_64+i386
name=iphlp-$(cat "$tmp/lib/iphlp/VERSION")
mv "$tmp/lib/iphlp" "$tmp/$name"
tar -C "$tmp" -czf "$out/$name-$arches.tar.gz.tmp" "$name"
mv -f "$out/$name-$arches.tar.gz.tmp" "$out/$name-$arches.tar.gz"
printf '%s\n' "$out/$name-$arches.tar.gz"
