#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# in-root.sh NAME DIR -- COMMAND [ARGS...] — run COMMAND inside the root of
# platform NAME (built or refreshed by root.sh first), with the host directory
# DIR bind-mounted at the same absolute path, in a private mount namespace:
# every mount made for the run disappears with it, whatever way it ends.
# The exit code is COMMAND's (128+N when it died of signal N).
#
# Inside: fresh /proc, the host's /sys and /dev (with /dev/pts and /dev/shm),
# empty tmpfs on /tmp and /root (where a root with ccache finds its cache,
# NAME.ccache beside the root: mount_ccache), HOME=/root, a standard PATH, LANG=C.UTF-8,
# and only these variables of the caller: TERM, CI, IPHLP_*, CTEST_*,
# CMAKE_BUILD_PARALLEL_LEVEL, WINEDEBUG, WINEDLLOVERRIDES, and the names listed
# in IPHLP_PASS_ENV. The working directory is the caller's when it lies within
# DIR, else DIR. The network (and PID) namespace is the host's.
# Processes the command leaves running (a wineserver) are killed at the end.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly here
readonly chroot_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

log() { printf 'platforms: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 125; }
usage() { die "usage: in-root.sh NAME DIR -- COMMAND [ARGS...]"; }

# DIR must be an absolute, existing directory that does not hide the root's
# own system directories.
check_dir() {
    local dir=$1
    [[ "$dir" == /* ]] || die "DIR must be an absolute path: '$dir'"
    [[ -d "$dir" ]] || die "DIR is not a directory: '$dir'"
    case "/${dir#/}/" in
        *//* | */../* | */./*) die "DIR must be a normalized path: '$dir'" ;;
    esac
    case "$dir/" in
        / | //) die "DIR cannot be /" ;;
        /proc/* | /sys/* | /dev/* | /usr/* | /etc/* | /bin/* | /sbin/* | /lib/* | /lib32/* | /lib64/* | /libx32/* | /var/*)
            die "DIR would hide part of the root's system: '$dir'" ;;
    esac
}

# The caller's variables that may cross into the root, as NAME=VALUE words.
allowed_env() {
    local var
    local -a extra=()
    read -r -a extra <<<"${IPHLP_PASS_ENV:-}"
    while IFS= read -r var; do
        case "$var" in
            TERM | CI | IPHLP_* | CTEST_* | CMAKE_BUILD_PARALLEL_LEVEL | WINEDEBUG | WINEDLLOVERRIDES)
                printf '%s=%s\0' "$var" "${!var}" ;;
            *)
                if [[ " ${extra[*]} " == *" $var "* ]]; then printf '%s=%s\0' "$var" "${!var}"; fi ;;
        esac
    done < <(compgen -e)
}

# Mounts for the run; called inside the private mount namespace, in an order
# such that DIR may lie under /tmp or /root. The root is first bound onto
# itself, so that "/" inside is a mount point, as on a real machine: a program
# that makes "/" private in a mount namespace of its own (unshare(CLONE_NEWNS)
# then mount(NULL, "/", MS_REC | MS_PRIVATE)) gets EINVAL on a plain
# directory (measured: test_reservation_paths' full-disk case).
mount_all() {
    local root=$1 dir=$2
    mount --bind "$root" "$root" &&
        mount -t proc proc "$root/proc" &&
        mount --rbind /sys "$root/sys" &&
        mount --rbind /dev "$root/dev" &&
        mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$root/tmp" &&
        mount -t tmpfs -o mode=700 tmpfs "$root/root" &&
        mkdir -p -- "$root$dir" &&
        mount --rbind "$dir" "$root$dir" &&
        mount_ccache "$root"
}

# A root with ccache gets a compiler cache that outlives the run: NAME.ccache
# beside the root, at ccache's default place for HOME=/root. ccache hands back
# an object only for the same compiler binary, arguments and preprocessed
# input, and never caches a failed compilation, so a build through it checks
# what a build without it checks; a rebuilt root has new compilers, so the old
# entries stop matching.
mount_ccache() {
    local root=$1 cache=$1.ccache
    [[ -x "$root/usr/bin/ccache" ]] || return 0
    if [[ ! -d "$cache" ]]; then
        mkdir -p -- "$cache" && printf 'max_size = 2G\n' >"$cache/ccache.conf" || return 1
    fi
    mkdir -p -- "$root/root/.cache/ccache" && mount --bind "$cache" "$root/root/.cache/ccache"
}

# The processes of this run's mount namespace whose root is the platform's
# root (this shell's root is /). -ef compares what the links lead to, with no
# fork per process.
leftovers() {
    local p
    for p in /proc/[0-9]*; do
        if [[ "$p/ns/mnt" -ef /proc/self/ns/mnt && "$p/root" -ef "$1" ]]; then
            printf '%s\n' "${p#/proc/}"
        fi
    done
}

# Kill what the command left running (a wineserver and its services): TERM,
# then KILL; again while new ones appear (a process may fork meanwhile).
sweep() {
    local root=$1 round
    local -a left
    for round in 1 2 3 4 5; do
        mapfile -t left < <(leftovers "$root")
        [[ ${#left[@]} -gt 0 ]] || return 0
        log "killing ${#left[@]} process(es) left running in the root: $(ps -o comm= -p "$(IFS=,; echo "${left[*]}")" | tr '\n' ' ')"
        kill -TERM "${left[@]}" 2>/dev/null || true
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            kill -0 "${left[@]}" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "${left[@]}" 2>/dev/null || true
    done
    log "warning: processes still running in the root after $round rounds"
}

# A signal to the runner: pass it on to the command, sweep, leave.
on_signal() {
    if [[ -n "$child" ]]; then
        kill -TERM "$child" 2>/dev/null || true
        wait "$child" 2>/dev/null || true
    fi
    sweep "$root"
    exit "$1"
}

# Second stage, run by unshare in the new mount namespace.
inside() {
    root=$1
    local dir=$2 cwd=$3 rc
    shift 4
    mount_all "$root" "$dir" || die "mounting in $root failed"
    local -a env=(PATH="$chroot_path" HOME=/root LANG=C.UTF-8)
    mapfile -d '' -t -O 3 env < <(allowed_env)
    child=
    trap 'on_signal 143' TERM
    trap 'on_signal 130' INT
    trap 'on_signal 129' HUP
    # Background + wait, so that a signal to this runner is handled at once.
    # fd 9 (the lock) is not handed to the command.
    # shellcheck disable=SC2016 # $1 and $@ belong to the inner shell
    chroot "$root" /usr/bin/env -i "${env[@]}" /bin/sh -c 'cd "$1" && shift && exec "$@"' \
        sh "$cwd" "$@" <&0 9>&- &
    child=$!
    rc=0
    wait "$child" 2>/dev/null || rc=$?
    sweep "$root"
    exit "$rc"
}

main() {
    if [[ "${1:-}" == --in-namespace ]]; then
        shift
        inside "$@"
    fi
    [[ $# -ge 4 && "$3" == -- ]] || usage
    local name=$1 dir=${2%/} root cwd
    shift 3
    check_dir "$dir"
    root=$("$here/root.sh" "$name") || die "no root for platform '$name'"
    cwd=$PWD
    [[ "$cwd/" == "$dir/"* ]] || cwd=$dir
    # Shared lock while the command runs: root.sh rebuilds only when no
    # command is running in the root. Same file as root.sh's lock.
    exec 9>>"$root.lock"
    if ! flock -s -n 9; then
        log "$name: waiting for the lock $root.lock (a rebuild of the root)"
        flock -s 9
    fi
    exec unshare --mount --propagation private -- \
        "$here/in-root.sh" --in-namespace "$root" "$dir" "$cwd" -- "$@"
}

main "$@"
