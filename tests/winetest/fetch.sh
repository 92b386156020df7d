#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fetches Wine's own ws2_32 test suite (dlls/ws2_32/tests, with include/ for wine/test.h) and
# dlls/ws2_32/ws2_32.spec (its export list, read by tests/check-ws2-exports.sh) from the Debian
# source package of a supported Wine, into OUT/wine-VERSION/ (VERSION: the Debian version).
# Uses its own apt state (OUT/apt), so the machine's sources and lists are left alone; the
# deb-src line uses the mirror of the machine's own apt sources.
# Usage: tests/winetest/fetch.sh OUT SUITE VERSION   e.g. OUT bookworm 8.0~repack-4
set -euo pipefail
out=$(mkdir -p "$1" && cd "$1" && pwd) suite=$2 version=$3
dest=$out/wine-$version
[ -f "$dest/dlls/ws2_32/tests/sock.c" ] && [ -f "$dest/dlls/ws2_32/ws2_32.spec" ] && exit 0
mirror=$(grep -rhoE 'https?://[^ ]*/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
    head -n1 | tr -d ' ' || true)
mirror=${mirror:-http://deb.debian.org/debian}
apt=$out/apt
mkdir -p "$apt/lists/partial" "$apt/archives/partial" "$out/src"
echo "deb-src [trusted=yes] $mirror $suite main" >"$apt/sources.list"
opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=/nonexistent"
    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache::Archives=$apt/archives" -o "APT::Sandbox::User=root")
apt-get -qq "${opts[@]}" update
(cd "$out/src" && apt-get -qq "${opts[@]}" source --download-only "wine=$version")
orig=$(ls "$out/src"/wine_"${version%%-*}".orig.tar.* | head -n1)
mkdir -p "$dest.tmp"
tar -xf "$orig" -C "$dest.tmp" --strip-components=1 --wildcards '*/dlls/ws2_32/tests/*' '*/dlls/ws2_32/ws2_32.spec' '*/include/*'
rm -rf "$dest" && mv "$dest.tmp" "$dest"
echo "fetched Wine $version's dlls/ws2_32/tests into $dest"
