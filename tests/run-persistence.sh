#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A reservation survives the wineserver being shut down: create it, end the test prefix's
# wineserver, then look it up from a fresh process and delete it (both halves check the token).
# Usage: run-persistence.sh x86_64|i686
. "$(dirname "$0")/lib.sh"
arch=$1
require_arch "$arch"
exe=$(pe_exe "$arch" conformance/conformance.exe)
win 300 "$exe" reservation_persist_create || exit 1
timeout 60 wineserver -k || true
timeout 60 wineserver -w || true
win 300 "$exe" reservation_persist_check
