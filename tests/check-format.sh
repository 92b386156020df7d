#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The C and C++ sources are formatted as .clang-format says (clang-format --dry-run), and every
# source file carries its SPDX licence line. The formatter is pinned to clang-format 14 (Debian
# 12 and 13 both package clang-format-14; ./iphlp deps installs it): clang-format 19 formats
# some statements differently (an empty loop body `while (...)\n;`), and the verdict must not
# depend on the host. $CLANG_FORMAT names another binary.
# Usage: check-format.sh
set -uo pipefail
cd "$(dirname "$0")/.."
passed=0 failed=0
formatter=${CLANG_FORMAT:-clang-format-14}
command -v "$formatter" >/dev/null || { echo "FAILED: $formatter not found (./iphlp deps installs it)"; exit 1; }
mapfile -t sources < <(git ls-files '*.c' '*.cpp' '*.h' | grep -v '^tests/sockets/fixtures/')
unformatted=()
for f in "${sources[@]}"; do
    "$formatter" --dry-run --Werror "$f" >/dev/null 2>&1 || unformatted+=("$f")
done
if [ ${#unformatted[@]} = 0 ]; then passed=$((passed + 1)); else
    failed=$((failed + 1))
    echo "FAILED: not formatted (run $formatter -i on them): ${unformatted[*]}"
fi
mapfile -t licensed < <(git ls-files '*.c' '*.cpp' '*.h' '*.sh' '*.rc' '*.mjs' 'CMakeLists.txt' '*/CMakeLists.txt' '*.cmake' iphlp |
    grep -v '^tests/sockets/fixtures/')
missing=()
for f in "${licensed[@]}"; do grep -q 'SPDX-License-Identifier: LGPL-2.1-or-later' "$f" || missing+=("$f"); done
if [ ${#missing[@]} = 0 ]; then passed=$((passed + 1)); else
    failed=$((failed + 1))
    echo "FAILED: no SPDX line: ${missing[*]}"
fi
echo "format: $passed passed, $failed failed"
[ "$failed" = 0 ]
