#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The command lines of ./iphlp and setup.sh, without Wine:
#  - `./iphlp --help` (and no argument) and `setup.sh --help` name every command and option their
#    scripts accept: the commands and options are read from the scripts' own `case` labels, so a
#    new one without help fails here; the help starts with what the program is (not a licence
#    line);
#  - a prefix path with a newline or another control character is refused with a clear message
#    and changes nothing: `PFX<newline>` must not act on PFX, nor `PARENT<newline>/pfx` on
#    PARENT/pfx (command substitution drops trailing newlines), for install and uninstall.
# Usage: run-cli.sh
set -uo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
passed=0 failed=0
check() { # DESCRIPTION COMMAND...
    local what=$1
    shift
    if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $what"; fi
}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# The labels of the script's last top-level `case "${1:-}" in` (the commands), and every --option
# named in a case label anywhere in it.
commands_of() { # SCRIPT
    awk '/^case "\$\{1:-\}" in/ { on = 1; next } on && /^esac/ { on = 0 } on && /^    [^ ].*\)/ {
        sub(/\).*/, ""); n = split($0, w, /[ |]+/); for (i = 1; i <= n; i++) if (w[i] ~ /^[a-z]+$/) print w[i] }' "$1"
}
options_of() { # SCRIPT
    grep -oE '^ *(-[a-z] \| )?--[a-z-]+( \| --?[a-z-]+)*\)' "$1" | grep -oE -- '--[a-z-]+' | sort -u
}
names_all() { # WHAT HELP_TEXT WORD...: every WORD appears in the help as a word
    local what=$1 text=$2 w
    shift 2
    for w in "$@"; do
        check "$what names '$w'" grep -qE -- "(^|[^a-z-])$w([^a-z-]|\$)" <<<"$text"
    done
}

# ---- ./iphlp ----
help=$("$src/iphlp" --help 2>&1)
check "./iphlp --help exits 0" test $? = 0
check "./iphlp --help starts with what it is ($(head -n1 <<<"$help"))" grep -q '^iphlp: build' <<<"$(head -n1 <<<"$help")"
check "./iphlp with no argument prints the same help" test "$("$src/iphlp" 2>&1)" = "$help"
mapfile -t cmds < <(commands_of "$src/iphlp")
check "./iphlp's commands are found in its case ($(echo "${cmds[*]}"))" test "${#cmds[@]}" -ge 9
names_all "./iphlp --help" "$help" "${cmds[@]}"
names_all "./iphlp --help" "$help" --host --system --wine --purge --help
"$src/iphlp" no-such-command >/dev/null 2>"$scratch/err"
check "./iphlp with an unknown command exits 2" test $? = 2
check "... and names it" grep -q "unknown command 'no-such-command'" "$scratch/err"

# ---- setup.sh (run from a scratch distribution: it needs its VERSION beside it) ----
dist=$scratch/dist
mkdir -p "$dist"
cp "$src/scripts/setup.sh" "$dist/setup.sh"
echo 0.0.0-test >"$dist/VERSION"
setup=$dist/setup.sh
help=$("$setup" --help 2>&1)
check "setup.sh --help exits 0" test $? = 0
check "setup.sh --help starts with what it is" grep -q '^setup.sh: put iphlp' <<<"$(head -n1 <<<"$help")"
mapfile -t cmds < <(commands_of "$setup")
check "setup.sh's commands are found in its case ($(echo "${cmds[*]}"))" test "${#cmds[@]}" -ge 2
names_all "setup.sh --help" "$help" "${cmds[@]}"
mapfile -t opts < <(options_of "$setup")
check "setup.sh's options are found in its cases ($(echo "${opts[*]}"))" test "${#opts[@]}" -ge 4
names_all "setup.sh --help" "$help" "${opts[@]}"
check "setup.sh --help has the uninstall --system | --wine DIR form" grep -qF 'uninstall --system | --wine DIR' <<<"$help"
for c in install uninstall; do
    out=$("$setup" "$c" --help 2>&1)
    check "setup.sh $c --help prints the help" test "$out" = "$help"
done
"$setup" >/dev/null 2>&1
check "setup.sh with no command exits 2" test $? = 2
out=$("$setup" install --bogus 2>&1)
check "setup.sh install --bogus: exit 2, named ($out)" bash -c '[ "$0" = 2 ] && grep -q "unknown option --bogus" <<<"$1"' "$?" "$out"
out=$("$setup" install --purge /tmp/x 2>&1)
check "setup.sh install --purge is refused ($out)" grep -q 'option of uninstall' <<<"$out"

# ---- paths are taken exactly ----
parent=$scratch/parent
pfx=$scratch/pfx
mkdir -p "$parent/pfx/drive_c/windows/system32" "$pfx/drive_c/windows/system32"
for d in "$parent/pfx" "$pfx"; do
    echo 'WINE REGISTRY Version 2' >"$d/system.reg"
    echo original >"$d/drive_c/windows/system32/iphlpapi.dll"
done
snapshot() { (cd "$scratch" && find parent pfx -printf '%p %s %T@ %m\n' | sort && cat pfx/system.reg parent/pfx/system.reg); }
before=$(snapshot)
nl=$'\n'
for path in "$pfx$nl" "$parent$nl/pfx" "$pfx$nl$nl" "$pfx"$'\t' "$pfx"$'\r' "$pfx"$'\e'; do
    shown=$(printf '%q' "$path")
    for cmd in "install" "install --system" "uninstall" "uninstall --purge"; do
        out=$(cd "$scratch" && "$setup" $cmd "$path" 2>&1)
        rc=$?
        check "setup.sh $cmd $shown: exit 1 ($rc)" test "$rc" = 1
        check "setup.sh $cmd $shown: says why ($out)" grep -q 'contains a newline or another control character' <<<"$out"
    done
    out=$("$setup" install --wine "$path" "$pfx" 2>&1)
    check "setup.sh install --wine $shown: refused ($out)" grep -q 'contains a newline or another control character' <<<"$out"
done
check "the refused paths changed nothing in PFX or PARENT/pfx" test "$(snapshot)" = "$before"
# And through ./iphlp, which passes its arguments on unchanged (no build needed to refuse: the
# check comes first in setup.sh, but ./iphlp builds first, so only the setup.sh path is run here).

echo "cli: $passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
