#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Builds Wine's own ws2_32 test suite (fetched by fetch.sh into SRC = OUT/wine-VERSION) with
# MinGW, against that Wine's own headers as Wine builds its PE tests (-nostdinc, include/ and
# include/msvcrt, msvcrt rather than UCRT), into OUT/wine-VERSION-ARCH/ws2_32_test.exe. The
# test list is the one Wine's makedep would generate; __wine_dbg_strdup, which Wine's PE tests
# take from libwinecrt0.a (not shipped for i386 by Debian), comes from support.c.
# Usage: tests/winetest/build.sh SRC ARCH(x86_64|i686) OUTDIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$1 arch=$2 out=$3
cc=$arch-w64-mingw32-gcc
tests=$src/dlls/ws2_32/tests
mkdir -p "$out"
names=$(cd "$tests" && ls ./*.c | sed 's|^\./||; s|\.c$||' | sort)
{
    echo '#define WIN32_LEAN_AND_MEAN'
    echo '#include <windows.h>'
    echo '#define STANDALONE'
    echo '#include "wine/test.h"'
    for n in $names; do echo "extern void func_$n(void);"; done
    echo 'const struct test winetest_testlist[] = {'
    for n in $names; do echo "    { \"$n\", func_$n },"; done
    echo '    { 0, 0 }'
    echo '};'
} >"$out/testlist.c"
flags=(-c -O1 -w -nostdinc -isystem "$($cc -print-file-name=include)" -I "$src/include" -I "$src/include/msvcrt"
    -D__WINESRC__ -D__WINE_PE_BUILD -D_MSVCR_VER=0 -fno-builtin -fshort-wchar)
objs=()
for n in $names; do
    $cc "${flags[@]}" "$tests/$n.c" -o "$out/$n.o"
    objs+=("$out/$n.o")
done
$cc "${flags[@]}" "$out/testlist.c" -o "$out/testlist.o"
$cc "${flags[@]}" "$here/support.c" -o "$out/support.o"
$cc "${objs[@]}" "$out/testlist.o" "$out/support.o" -o "$out/ws2_32_test.exe" -lws2_32 -liphlpapi -luser32 -lntdll
echo "built $out/ws2_32_test.exe ($names)"
