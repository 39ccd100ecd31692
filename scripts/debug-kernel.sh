#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scripts/debug-kernel.sh [--cached | --dir]
#
# Builds the debug kernel of `make check-debug` once and prints the path of
# its build tree (the KDIR for out-of-tree modules; `vng -r` boots it).
# Debian's linux-source-6.1 tarball, configured with virtme-ng's minimal
# config (virtme-configkernel --defconfig) plus scripts/debug.config, then
# `make olddefconfig`; every CONFIG_X=y of the fragment is checked in the
# final .config.
#
# The tree is cached outside the repository, in
#   ${XTCP_CACHE:-~/.cache/xtcp}/debug-kernel/linux-<source version>-<key>/
# where <key> hashes the fragment, virtme-ng's and gcc's versions and the
# source package's version: it is rebuilt only when one of them changes.
# An interrupted build resumes where it stopped.  The whole tree is kept
# (objects included) so that a resumed build is incremental.
#
# The build runs under `nice -n 19 make -j${XTCP_DEBUG_JOBS:-2}`, its output
# in <tree>/../build.log, never on the terminal.
#
#   --cached  exit 0 if the kernel for the current inputs is built, else 1
#   --dir     print the tree's path without building
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
FRAGMENT=$ROOT/scripts/debug.config
SRC_PKG=linux-source-6.1
SRC_TAR=/usr/src/$SRC_PKG.tar.xz
CACHE=${XTCP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xtcp}/debug-kernel
JOBS=${XTCP_DEBUG_JOBS:-2}
# Bump when this script changes what it builds.
RECIPE=1

die() { echo "debug-kernel.sh: error: $*" >&2; exit 1; }
say() { echo "debug-kernel.sh: $*" >&2; }

src_version() {
    dpkg-query -W -f='${Version}' "$SRC_PKG" 2>/dev/null \
        || stat -c 'tar-%s-%Y' "$SRC_TAR"
}

# The cache directory for the current inputs.
cache_dir() {
    local ver vng key
    [[ -r $SRC_TAR ]] || die "$SRC_TAR missing (scripts/deps.sh installs $SRC_PKG)"
    ver=$(src_version)
    vng=$(vng --version 2>/dev/null) || die "vng not found; run scripts/deps.sh"
    key=$({
        echo "recipe $RECIPE"
        echo "source $ver"
        echo "$vng"
        gcc --version | head -n 1
        cat "$FRAGMENT"
    } | sha256sum | cut -c1-12)
    echo "$CACHE/linux-$ver-$key"
}

# Runs a command with its output appended to the build log.
logged() {
    echo "+ $*" >>"$LOG"
    "$@" >>"$LOG" 2>&1 || { tail -n 40 "$LOG" >&2; die "'$*' failed (full log: $LOG)"; }
}

extract() {
    say "extracting $SRC_TAR into $DIR"
    rm -rf "$TREE"
    mkdir -p "$TREE"
    logged tar -xJf "$SRC_TAR" -C "$TREE" --strip-components=1
    touch "$DIR/.extracted"
}

# Every CONFIG_X=y of the fragment must be =y in the final .config.
verify_config() {
    local opt missing=()
    while read -r opt; do
        grep -qx "$opt=y" "$TREE/.config" || missing+=("$opt")
    done < <(sed -n 's/^\(CONFIG_[A-Za-z0-9_]*\)=y$/\1/p' "$FRAGMENT")
    if ((${#missing[@]})); then
        echo "debug-kernel.sh: required options not set in $TREE/.config:" >&2
        for opt in "${missing[@]}"; do
            echo "  $opt=y wanted, got: $(grep -E "^(# )?${opt}[= ]" "$TREE/.config" || echo absent)" >&2
        done
        die "kernel config incomplete (dependencies missing from $FRAGMENT?)"
    fi
    while read -r opt; do
        if grep -qE "^$opt=[ym]$" "$TREE/.config"; then
            say "note: $opt is still enabled (selected by another option)"
        fi
    done < <(sed -n 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1/p' "$FRAGMENT")
}

configure() {
    say "configuring (virtme-configkernel --defconfig + scripts/debug.config)"
    rm -f "$TREE/.config"
    (cd "$TREE" && logged virtme-configkernel --defconfig)
    (cd "$TREE" && logged scripts/kconfig/merge_config.sh -m .config "$FRAGMENT")
    logged make -C "$TREE" olddefconfig
    verify_config
    cp "$FRAGMENT" "$DIR/debug.config"
    touch "$DIR/.configured"
}

build() {
    local start=$SECONDS
    say "building with nice -n 19 make -j$JOBS (log: $LOG); this takes a while"
    logged nice -n 19 make -C "$TREE" -j"$JOBS" all
    verify_config
    [[ -f $TREE/arch/x86/boot/bzImage && -f $TREE/Module.symvers ]] \
        || die "build finished without bzImage or Module.symvers"
    echo $((SECONDS - start)) >"$DIR/build-seconds"
    say "built $(<"$TREE/include/config/kernel.release") in $((SECONDS - start))s"
    touch "$DIR/.built"
}

main() {
    DIR=$(cache_dir)
    TREE=$DIR/linux
    LOG=$DIR/build.log
    case ${1:-} in
        --dir) echo "$TREE"; return 0 ;;
        --cached) if [[ -f $DIR/.built ]]; then return 0; fi; return 1 ;;
        '') ;;
        *) die "usage: $0 [--cached | --dir]" ;;
    esac
    mkdir -p "$DIR"
    # One builder per tree; a second caller waits and then finds it built.
    exec 8>"$DIR/.lock"
    flock -n 8 || { say "waiting for another build of $DIR"; flock 8; }
    if [[ ! -f $DIR/.built ]]; then
        echo "=== $(date -Is) build of $DIR" >>"$LOG"
        [[ -f $DIR/.extracted ]] || extract
        [[ -f $DIR/.configured ]] || configure
        build
    fi
    echo "$TREE"
}

main "$@"
