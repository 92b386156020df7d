#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# root.sh NAME — make sure the root filesystem of platform NAME exists and is
# current, then print its path on stdout. Progress and errors go to stderr.
#
# A platform is a Debian root built by debootstrap plus the packages listed in
# platforms/NAME.packages. Roots are cached outside the clone, in
# ${IPHLP_ROOT_CACHE:-/var/cache/iphlp/roots}/NAME, and rebuilt when missing,
# incomplete or when the package list changed. See platforms/README.md.
set -euo pipefail

# Bump to force every cached root to be rebuilt after a change to the recipe.
readonly FORMAT=1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly here
readonly cache="${IPHLP_ROOT_CACHE:-/var/cache/iphlp/roots}"
readonly mirror="${IPHLP_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
readonly chroot_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

log() { printf 'platforms: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The Debian release a platform name stands for.
release_of() {
    case "$1" in
        debian12-*) echo bookworm ;;
        debian13-*) echo trixie ;;
        *) return 1 ;;
    esac
}

# The package list without comments and blank lines, one name a line.
packages_of() {
    sed -e 's/#.*//' -e 's/[[:space:]]\+/\n/g' "$1" | sed '/^$/d'
}

# What the stamp of an up-to-date root contains. The sum covers the package
# names, not the comments: editing a comment does not cost a rebuild.
expected_stamp() {
    local sum
    sum=$(packages_of "$pkgfile" | sha256sum) || return 1
    printf 'format=%s\nrelease=%s\npackages-sha256=%s\n' "$FORMAT" "$release" "${sum%% *}"
}

is_current() {
    [[ -f "$root/.iphlp-stamp" ]] && [[ "$(cat "$root/.iphlp-stamp")" == "$(expected_stamp)" ]]
}

# Refuse to delete a directory something is mounted on or under.
remove_tree() {
    local dir=$1
    [[ -e "$dir" ]] || return 0
    if findmnt -rn -o TARGET | grep -qF -- "$dir"; then
        die "refusing to delete $dir: something is mounted under it (see findmnt)"
    fi
    rm -rf --one-file-system -- "$dir"
}

# Run one build step with its output in the log; time it; stop on failure.
step() {
    local what=$1 t0=$SECONDS
    shift
    log "$name: $what ..."
    printf '\n=== %s: %s\n' "$(date -u +%FT%TZ)" "$what" >>"$logf"
    # Run in the background and wait: in an "if" the step would run with
    # set -e ignored, and a failed apt-get update would go unnoticed.
    local rc=0
    "$@" >>"$logf" 2>&1 </dev/null &
    wait "$!" || rc=$?
    if [[ $rc -ne 0 ]]; then
        log "error: $name: step '$what' failed after $((SECONDS - t0)) s; log: $logf"
        tail -n 15 "$logf" | sed 's/^/platforms:   | /' >&2
        exit 1
    fi
    log "$name: $what done in $((SECONDS - t0)) s"
}

# Run a command chrooted in the root being built, in a private mount
# namespace: its /proc, /sys and /dev mounts vanish when it exits.
in_tmp_root() {
    # shellcheck disable=SC2016 # $1 and $r belong to the inner shell
    unshare --mount --propagation private -- /bin/sh -c '
        set -e
        r=$1; shift
        mount -t proc proc "$r/proc"
        mount --rbind /sys "$r/sys"
        mount --rbind /dev "$r/dev"
        exec chroot "$r" "$@"' sh "$tmp" \
        /usr/bin/env -i PATH="$chroot_path" HOME=/root LANG=C.UTF-8 \
        DEBIAN_FRONTEND=noninteractive "$@"
}

# debootstrap mounts /proc and /sys in the target itself: run it in its own
# mount namespace too, so that an interrupted run cannot leak them.
bootstrap() {
    unshare --mount --propagation private -- \
        debootstrap --variant=minbase --arch=amd64 "$release" "$tmp" "$mirror"
}

configure_apt() {
    printf 'deb %s %s main\n' "$mirror" "$release" >"$tmp/etc/apt/sources.list"
    rm -f "$tmp/etc/apt/sources.list.d/"*
    printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' \
        >"$tmp/etc/apt/apt.conf.d/90iphlp-no-recommends"
    # No daemon may start inside the root while packages install.
    printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
    chmod 755 "$tmp/usr/sbin/policy-rc.d"
    cp -L /etc/resolv.conf "$tmp/etc/resolv.conf"
    [[ -s "$tmp/etc/hosts" ]] || printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$tmp/etc/hosts"
    in_tmp_root dpkg --add-architecture i386
}

install_packages() {
    local -a pkgs
    mapfile -t pkgs < <(packages_of "$pkgfile")
    [[ ${#pkgs[@]} -gt 0 ]] || { echo "no package in $pkgfile"; return 1; }
    in_tmp_root apt-get update
    in_tmp_root apt-get install -y --no-install-recommends "${pkgs[@]}"
    in_tmp_root apt-get clean
    rm -rf "$tmp/var/lib/apt/lists/"*
}

# Every listed package is installed ("ii"), and Wine starts.
check_root() {
    local -a pkgs
    local states
    mapfile -t pkgs < <(packages_of "$pkgfile")
    # shellcheck disable=SC2016 # a dpkg-query format, not shell
    states=$(in_tmp_root dpkg-query -W -f '${db:Status-Abbrev}${binary:Package}\n' "${pkgs[@]}")
    printf '%s\n' "$states"
    if grep -v '^ii ' <<<"$states"; then
        echo "these packages are not installed (above)"
        return 1
    fi
    in_tmp_root wine --version
}

build() {
    local t0=$SECONDS
    : >"$logf"
    log "$name: building $release root in $tmp (log: $logf)"
    remove_tree "$tmp"
    step "debootstrap $release" bootstrap
    step "configure apt (main only, i386, no recommends)" configure_apt
    step "install $(packages_of "$pkgfile" | wc -l) packages" install_packages
    step "check packages and wine" check_root
    expected_stamp >"$tmp/.iphlp-stamp"
    if [[ -e "$root" ]]; then
        mv -T -- "$root" "$root.old"
    fi
    mv -T -- "$tmp" "$root"
    remove_tree "$root.old"
    log "$name: root ready in $((SECONDS - t0)) s: $(du -sh --one-file-system "$root" | cut -f1)"
}

# Take the lock on fd 9 (-s shared, -x exclusive); say so when it means waiting.
# The build's own processes inherit fd 9: the orphans of a killed root.sh (an
# apt-get) keep the lock until they exit, so no one deletes the tree under them.
lock() {
    flock "$1" -n 9 && return 0
    log "$name: waiting for the lock $cache/$name.lock (a build, or commands running in the root)"
    flock "$1" 9
}

# The platforms there are: one NAME.packages file each.
platforms() {
    local f
    for f in "$here"/*.packages; do
        f=${f##*/}
        printf '%s ' "${f%.packages}"
    done
}

main() {
    [[ $# -eq 1 ]] || die "usage: root.sh NAME (platforms: $(platforms))"
    name=$1
    pkgfile="$here/$name.packages"
    [[ -f "$pkgfile" ]] || die "unknown platform '$name': no $pkgfile"
    release=$(release_of "$name") || die "no Debian release known for platform '$name' (add it to release_of in $0)"
    root="$cache/$name"
    tmp="$root.tmp"
    logf="$cache/$name.log"
    mkdir -p -- "$cache"

    exec 9>>"$cache/$name.lock"
    # Shared lock for the quick check: in-root.sh holds a shared lock while a
    # command runs, so checks never wait for them; a rebuild waits for all.
    lock -s
    if ! is_current; then
        flock -u 9
        lock -x
        is_current || build
    fi
    printf '%s\n' "$root"
}

main "$@"
