# SPDX-License-Identifier: LGPL-2.1-or-later
# What the netstat tests take from npm (tests/fetch-npm.sh fetches it before the tests run).
# shellcheck disable=SC2034
npm_packages=(pid-port@2.1.2 find-process@2.1.1 node-netstat@1.9.0 kill-port@2.0.1)
node_win_version=20.18.1
