#!/bin/bash
# make install into a temp DESTDIR puts down every file it should, a
# program builds against the installed libcredstore with pkg-config, the
# unit verifies, and make uninstall takes everything away again.
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/tests/lib.sh"
dest=$(mktemp -d /tmp/credstore-install.XXXXXX)
trap 'rm -rf "$dest"' EXIT
prefix=/usr
san= sanflags=
# Under the sanitizers the installed library is instrumented: so is its client.
case ${BUILD:-} in */san) san=SAN=1 sanflags=-fsanitize=address,undefined ;; esac

check "make install DESTDIR=..." make -C "$repo" --no-print-directory $san install DESTDIR="$dest/root" PREFIX=$prefix
root=$dest/root
for f in sbin/credstored sbin/credctl bin/credstore-tlsproxy \
	 lib/libcredstore.so.1 lib/libcredstore.so lib/libcredstore.a lib/pkgconfig/libcredstore.pc \
	 include/credstore/credstore.h include/credstore/sign.h include/linux/credstore.h \
	 share/man/man8/credstored.8 share/man/man8/credctl.8 share/man/man3/libcredstore.3 \
	 share/man/man7/credstore.7 share/man/man7/credstore-provider.7 lib/systemd/system/credstored.service \
	 lib/systemd/system/credstored.socket lib/systemd/system/credstored-admin.socket \
	 lib/modules-load.d/credstore.conf share/credstore/credstore.yaml \
	 sbin/credstore-coapd lib/credstore/credstore-mosquitto.so lib/credstore/credstore-cgi \
	 share/credstore/cgi.conf.example share/man/man8/credstore-mosquitto.8 \
	 share/man/man8/credstore-coapd.8 share/man/man8/credstore-cgi.8 \
	 share/bash-completion/completions/credctl; do
	check "installed $prefix/$f" test -e "$root$prefix/$f"
done
for x in sbin/credstored sbin/credctl bin/credstore-tlsproxy sbin/credstore-coapd lib/credstore/credstore-cgi; do
	check "$x is executable" test -x "$root$prefix/$x"
done
modules=$(openssl version -m | sed -n 's/^MODULESDIR: "\(.*\)"/\1/p')
check "the provider module is in OpenSSL's modules directory" test -f "$root$modules/credstore.so"
check_output "the module exports OSSL_provider_init alone" '^OSSL_provider_init$' \
	sh -c "nm -D --defined-only '$root$modules/credstore.so' | awk '\$2 == \"T\" { print \$3 }'"
if [ -z "$san" ]; then
	check_output "openssl loads it by name from there" 'credstore: keys held by credstored' \
		openssl list -providers -provider-path "$root$modules" -provider credstore
else
	echo "ok - openssl loads the module # SKIP an ASan module cannot load into openssl"
fi
dkms=$root/usr/src/credstore-$(sed -n 's/^CREDSTORE_VERSION := //p' "$repo/dist/install.mk")
for f in dkms.conf Kbuild kmod/Kbuild kmod/main.c kmod/netlink.c uapi/linux/credstore.h; do
	check "DKMS source $f" test -f "$dkms/$f"
done
check_output "dkms.conf names the version" "^PACKAGE_VERSION=\"[0-9.]+\"$" cat "$dkms/dkms.conf"
check_output "the unit starts the installed daemon" "^ExecStart=$prefix/sbin/credstored " \
	cat "$root$prefix/lib/systemd/system/credstored.service"
check_output "the library exports the API" " T credstore_connect(@|$)" nm -D "$root$prefix/lib/libcredstore.so.1"
undocumented=$(nm -D --defined-only "$root$prefix/lib/libcredstore.so.1" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' |
	while read -r fn; do grep -q "^\.BI \"[^(]*\\<$fn(" "$root$prefix/share/man/man3/libcredstore.3" || echo "$fn"; done)
check "libcredstore.3's synopsis has every exported function (missing: ${undocumented:-none})" \
	test -z "$undocumented"
for x in sbin/credstored sbin/credctl bin/credstore-tlsproxy; do
	check_output "$x --version" "^$(basename "$x") [0-9]+\.[0-9]+\.[0-9]+$" "$root$prefix/$x" --version
done

# The installed completion, driven as bash drives it, with the installed
# credctl: every command credctl --help lists completes, and options too.
complete_words() {
	PATH="$root$prefix/sbin:$PATH" bash -c '. "$1"; shift; COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1)); _credctl; printf "%s\n" "${COMPREPLY[@]}"' \
		bash "$root$prefix/share/bash-completion/completions/credctl" "$@"
}
check_output "completion: the groups" '^expiring$' complete_words credctl ""
missing=$("$root$prefix/sbin/credctl" --help | awk '/^  [a-z]/ && $2 ~ /^[a-z]/ { print $1, $2 }' |
	while read -r group cmd; do complete_words credctl "$group" "" | grep -qx "$cmd" || echo "$group $cmd"; done)
check "completion: every command of credctl --help (missing: ${missing:-none})" test -z "$missing"
check_output "completion: a command's options" '^--secret-hex$' complete_words credctl device add x --secret-
check_output "completion: --profile's values" '^no-sub$' complete_words credctl device add x --profile n
check_output "the static library holds the API" " T credstore_connect$" nm "$root$prefix/lib/libcredstore.a"

# A client of the installed library, found through pkg-config only.
cat > "$dest/client.c" <<'C'
#include <stdio.h>
#include <credstore/credstore.h>
int main(void)
{
	struct credstore_options opt = { .transport = CREDSTORE_TRANSPORT_DAEMON };
	struct credstore *cs;
	char why[CREDSTORE_MESSAGE_MAX] = "";

	if (credstore_connect(&cs, &opt, why) < 0) {
		printf("not connected: %s\n", why);
		return 0;
	}
	printf("connected, transport %d\n", credstore_transport(cs));
	credstore_close(cs);
	return 0;
}
C
export PKG_CONFIG_SYSROOT_DIR=$root PKG_CONFIG_PATH=$root$prefix/lib/pkgconfig
flags=$(pkg-config --cflags --libs libcredstore)
check_output "pkg-config points into DESTDIR" "-I$root$prefix/include" echo "$flags"
# shellcheck disable=SC2086
check "a client compiles and links with pkg-config" \
	cc -std=c11 -Wall -Werror $sanflags -o "$dest/client" "$dest/client.c" $flags
check_output "the client runs on the installed libcredstore.so.1" "libcredstore.so.1 => $root" \
	env LD_LIBRARY_PATH="$root$prefix/lib" ldd "$dest/client"
check_output "the client runs" "^(connected, transport|not connected: .+)" env LD_LIBRARY_PATH="$root$prefix/lib" "$dest/client"

if command -v systemd-analyze >/dev/null; then
	# The installed units, with the installed binary and man pages.
	mkdir "$dest/units"
	sed "s|^ExecStart=$prefix|ExecStart=$root$prefix|" \
		"$root$prefix/lib/systemd/system/credstored.service" > "$dest/units/credstored.service"
	cp "$root$prefix"/lib/systemd/system/credstored*.socket "$dest/units/"
	check_fails "systemd-analyze finds no fault in the service and its sockets" \
		bash -c "cd '$dest/units' && MANPATH='$root$prefix/share/man' timeout 60 \
			systemd-analyze verify credstored.service credstored.socket credstored-admin.socket 2>&1 | grep ."
else
	echo "ok - systemd-analyze verify # SKIP systemd-analyze is not installed"
fi

check "make uninstall DESTDIR=..." make -C "$repo" --no-print-directory $san uninstall DESTDIR="$root" PREFIX=$prefix
check_fails "uninstall leaves no file behind" bash -c "find '$root' ! -type d | grep ."
finish
