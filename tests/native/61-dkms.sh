#!/bin/bash
# The installed DKMS sources build credstore.ko with dkms, for the kernel
# the VM tier boots, in a dkms tree of the test's own (the system's is left
# alone).  Once, in the plain tier: the sanitizers change nothing here.
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/tests/lib.sh"
case ${BUILD:-} in */san) echo "ok - dkms build # SKIP done in the plain tier"; exit 0 ;; esac
kver=$("$repo/mk/kernel-version" 2>/dev/null)
if ! command -v dkms >/dev/null || [ -z "$kver" ]; then
	echo "ok - dkms build # SKIP needs dkms and kernel headers (make deps)"
	exit 0
fi
dest=$(mktemp -d /tmp/credstore-dkms.XXXXXX)
trap 'rm -rf "$dest"' EXIT
version=$(sed -n 's/^CREDSTORE_VERSION := //p' "$repo/dist/install.mk")
check "make install DESTDIR=..." make -C "$repo" --no-print-directory install DESTDIR="$dest/root"
mkdir -p "$dest/tree"
# dkms signs what it builds, with a key it makes on first use: in the
# test's directory, not the system's /var/lib/dkms.
export mok_signing_key=$dest/mok.key mok_certificate=$dest/mok.pub
dkms_args=(--sourcetree "$dest/root/usr/src" --dkmstree "$dest/tree")
check "dkms add credstore/$version" dkms add "${dkms_args[@]}" "credstore/$version"
check "dkms build -k $kver" timeout 900 dkms build "${dkms_args[@]}" "credstore/$version" -k "$kver" -j 2
ko=$(find "$dest/tree" -path "*/$kver/*" -name 'credstore.ko*' | head -1)
check_output "dkms built credstore.ko for $kver" "^vermagic: +$kver " modinfo "${ko:-/nonexistent}"
check_output "dkms status shows it built" "credstore/$version, $kver, .*: built" \
	dkms status "${dkms_args[@]}" credstore
finish
