#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The VM part of scripts/check-install.sh: `dkms install` for real, with
# depmod, of the module dkms built on the host, then loading it the way
# a user would, by socket() alone, and `dkms uninstall`.  Prints TAP;
# exits non-zero if anything failed.
#
# usage: scripts/guest-dkms.sh DKMS_CHECK_DIR VERSION
#   DKMS_CHECK_DIR  check-install.sh's build/dkms-check: the dkms and
#                   source trees, the module built and not installed
#
# /lib/modules/KVER is a tmpfs here, bound over the real one, holding
# only the kernel's lists of built-in modules and the build link:
# depmod -a over Debian's whole tree takes 100 s under TCG, and xtcp
# depends on no other module (selftests/xtcp_install.sh does the same).
set -u
cd "$(dirname "$0")/.." || exit 1
SRC=${1:?usage: $0 DKMS_CHECK_DIR VERSION}
VERSION=${2:?usage: $0 DKMS_CHECK_DIR VERSION}
KVER=$(uname -r)
MODS=/lib/modules/$KVER
W=/tmp/xtcp-dkms
DKMS=(--dkmstree "$W/dkms" --sourcetree "$W/src")
# shellcheck source=selftests/tap.sh
. selftests/tap.sh

loaded() { grep -q '^xtcp ' /proc/modules; }

cleanup() {
	loaded && rmmod xtcp
	umount "$MODS" 2>/dev/null
	umount "$W" 2>/dev/null
}

# dkms writes to its trees: a copy of the host's, in a tmpfs.
prepare() {
	cp -a "$SRC/dkms" "$SRC/src" "$W/" || return 1
	mkdir -p "$W/modules" || return 1
	cp -P "$MODS/build" "$MODS/source" "$MODS"/modules.builtin* "$MODS/modules.order" \
		"$W/modules/" || return 1
	mount --bind "$W/modules" "$MODS" || return 1
	depmod -a "$KVER" || return 1
	dkms status "${DKMS[@]}" | grep "^xtcp/$VERSION, $KVER, x86_64: built"
}

dkms_install() {
	dkms install -m xtcp -v "$VERSION" -k "$KVER" "${DKMS[@]}" || return 1
	dkms status "${DKMS[@]}" | grep "^xtcp/$VERSION, $KVER, x86_64: installed" || return 1
	[[ $(modinfo -n xtcp) == "$MODS/updates/dkms/xtcp.ko" ]] || return 1
	# depmod ran: the aliases are known.
	grep 'net-pf-2-proto-253-type-1 xtcp' "$MODS/modules.alias"
}

autoload() {
	loaded && { echo "already loaded"; return 1; }
	selftests/xtcp_probe ok || return 1
	grep '^xtcp ' /proc/modules
}

dkms_uninstall() {
	rmmod xtcp || return 1
	dkms uninstall -m xtcp -v "$VERSION" -k "$KVER" "${DKMS[@]}" || return 1
	[[ ! -e $MODS/updates/dkms/xtcp.ko ]] || return 1
	! modinfo xtcp && ! grep xtcp "$MODS/modules.alias"
}

gone() {
	selftests/xtcp_probe EPROTONOSUPPORT && ! loaded
}

echo "TAP version 13"
mkdir -p "$W" && mount -t tmpfs xtcp-dkms "$W" || exit 1
trap cleanup EXIT
if loaded; then
	echo "xtcp is loaded already" >&2
	exit 1
fi
ok "dkms tree copied, a module tree of our own in $MODS" prepare
ok "dkms install -k $KVER: into updates/dkms, depmod knows its aliases" dkms_install
ok "socket(AF_INET, SOCK_STREAM, 253) loads the dkms-installed module" autoload
ok "dkms uninstall: the module and its aliases gone" dkms_uninstall
ok "socket() fails with EPROTONOSUPPORT again" gone
echo "1..$n"
[[ $fails -eq 0 ]]
