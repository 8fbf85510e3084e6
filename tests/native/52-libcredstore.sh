#!/bin/bash
# libcredstore as its users get it: `make install-lib` into a scratch
# tree, then a program built only from the installed header and
# pkg-config file (tests/tls/consumer.c), against the shared library and
# against the static one, drives the public API on credstored (userspace
# mode): identities (chains, never keys), signatures made by credstored
# for each scheme and a keyless TLS server through the built-in provider
# (also in a forked child, as a signer and as a stranger), anchors,
# fingerprint and secret verdicts, notifications through a pollable
# descriptor, replies from the wrong uid, and a daemon that is not there.
. "$(dirname "$0")/credstored-env.bash"
repo=$(cd "$(dirname "$0")/../.." && pwd)
root=$T/root
me=$(id -u)
consumer=$T/consumer
# The ASan+UBSan tier's library needs its runtime in the program too.
case $BUILD in */san) SAN_FLAGS="-fsanitize=address,undefined" ;; *) SAN_FLAGS= ;; esac

check "make install-lib into a scratch tree" \
	make -s -C "$repo" BUILD="$BUILD" install-lib DESTDIR="$root" PREFIX=/usr
lib=$root/usr/lib
pc() { PKG_CONFIG_PATH=$lib/pkgconfig pkg-config --define-variable=prefix="$root/usr" "$@" libcredstore; }
check "the header, libraries and pkg-config file are installed" test -f "$root/usr/include/credstore/credstore.h" \
	-a -f "$root/usr/include/linux/credstore.h" -a -f "$lib/libcredstore.a" -a -L "$lib/libcredstore.so"
check_output "the shared library's soname is libcredstore.so.1" 'SONAME +libcredstore\.so\.1' objdump -p "$lib/libcredstore.so.1"
check "the shared library exports the public API only" sh -c \
	"nm -D --defined-only $lib/libcredstore.so.1 | awk '\$2 == \"T\" { print \$3 }' | grep -v '^credstore_' | { ! grep .; }"
check "a program builds from the installed header and pkg-config file" \
	cc -std=gnu11 -Wall -Wextra -Werror $SAN_FLAGS -o "$consumer" "$repo/tests/tls/consumer.c" \
	$(pc --cflags) $(pc --libs) -Wl,-rpath,"$lib"
check_output "it runs on the installed shared library" "$lib/libcredstore\.so\.1" ldd "$consumer"
check "it also links statically with libcredstore.a" \
	cc -std=gnu11 -Wall -Werror $SAN_FLAGS -o "$T/consumer-static" "$repo/tests/tls/consumer.c" $(pc --cflags) \
	"$lib/libcredstore.a" $(pkg-config --libs libnl-genl-3.0 libnl-3.0 libssl libcrypto)

make_ca root && make_cert root server && make_cert root client1 && make_cert root client2 &&
	make_cert_of root rsa rsa:2048 && make_cert_of root ed ed25519 && make_cert_of root p384 ec:P-384 ||
	{ echo "not ok - test certificates"; exit 1; }
cat "$T/server.crt" "$T/root.crt" > "$T/chain.pem"
for id in rsa ed p384; do cat "$T/$id.crt" "$T/root.crt" > "$T/$id.chain"; done
in_shell "credstored starts" start_daemon
WWW=$(getent group www-data | cut -d: -f3)
check "fill the store" sh -c "$CREDCTL anchor add root $T/root.crt &&
	$CREDCTL identity install web --chain $T/chain.pem --key $T/server.key --anchor root --signers www-data &&
	$CREDCTL identity install rsa --chain $T/rsa.chain --key $T/rsa.key &&
	$CREDCTL identity install ed --chain $T/ed.chain --key $T/ed.key &&
	$CREDCTL identity install p384 --chain $T/p384.chain --key $T/p384.key &&
	$CREDCTL device add dev1 --cert $T/client1.crt --secret first-secret-of-dev1 &&
	$CREDCTL device reset-fingerprint dev1 --cert $T/client2.crt &&
	$CREDCTL device reset-secret dev1 --secret second-secret-of-dev1"
q() { timeout 30 "$consumer" -d "$me" "$@"; }
FP1=$(fingerprint "$T/client1.crt") FP2=$(fingerprint "$T/client2.crt")

check_output "identity: the chain as X509 objects, leaf first" '^subject=/CN=server chain=2$' q identity web
check "the public API has no way to read a private key" sh -c \
	"! grep -Eiq 'WITH_KEY|EVP_PKEY \*key|private key bytes' $root/usr/include/credstore/credstore.h"
for s in "web ecdsa SHA256" "p384 ecdsa SHA384" "rsa rsa-pkcs1 SHA256" "rsa rsa-pss SHA384" "ed ed25519 ''"; do
	eval "set -- $s"
	check_output "credstored signs: $2 ${3:-(message)} with identity $1, verified with its certificate" \
		'^signature=verified$' q sign "$1" "$2" "$3"
done
# credstored keeps a signing context per key, scheme and digest, four at
# most: a fifth digest with the same key, then the first again, and the
# other RSA padding with a digest already used, each signs as asked.
for s in "web ecdsa SHA1" "web ecdsa SHA224" "web ecdsa SHA512" "web ecdsa SHA384" \
	"web ecdsa SHA256" "rsa rsa-pss SHA256" "rsa rsa-pkcs1 SHA256"; do
	eval "set -- $s"
	check_output "credstored signs again with identity $1: $2 $3 (kept signing contexts)" \
		'^signature=verified$' q sign "$1" "$2" "$3"
done
check_output "an unknown identity cannot sign" "no identity 'nosuch'" sh -c "! $consumer -d $me sign nosuch 2>&1"
check_output "a scheme the key cannot do is refused, with the key's type" "has a EC key: it cannot sign Ed25519" \
	sh -c "! $consumer -d $me sign web ed25519 '' 2>&1"
check_output "a digest credstored does not sign is refused" "unsupported digest 'MD5'" \
	sh -c "! $consumer -d $me sign web ecdsa MD5 2>&1"
for id in web rsa ed p384; do
	check_output "keyless TLS server for identity $id: the handshake's signature comes from credstored" \
		'^handshake=ok$' q keyless "$id"
done
check_output "after a fork, a child in the signer group signs on a connection of its own" \
	'^handshake=ok child=ok$' q keyless web "$(id -u www-data):$WWW"
check_output "a child that became nobody is refused (it does not sign on its parent's connection)" \
	'^handshake=ok child=failed$' sh -c "$consumer -d $me keyless web $(id -u nobody):$(id -g nobody) 2>/dev/null"
check_output "and the refusal names the caller and the identity" "uid $(id -u nobody) may not sign with identity 'web'" \
	sh -c "$consumer -d $me keyless web $(id -u nobody):$(id -g nobody) 2>&1"
check_output "root alone signs for an identity without signers" "may not sign with identity 'rsa' \\(its signers: root only" \
	sh -c "$consumer -d $me keyless rsa $(id -u www-data):$WWW 2>&1"
check_output "an unknown identity is a clear error" "identity: .*nosuch" sh -c "! $consumer -d $me identity nosuch 2>&1"
check_output "anchors: one X509 per trust anchor" '^anchors=1$' q anchors
check_output "verify-fp: the master fingerprint names dev1" '^match=master id=dev1$' q verify-fp "$FP1"
check_output "verify-fp: the sub fingerprint, with the device id" '^match=sub id=dev1$' q verify-fp "$FP2" dev1
check_output "verify-fp: another device's id does not match" '^match=none id=$' q verify-fp "$FP1" dev9
check_output "verify-fp: an unknown fingerprint is no match, not an error" '^match=none' \
	q verify-fp "$(printf '%064d' 7)"
check_output "verify-secret: the master secret" '^match=master$' q verify-secret dev1 first-secret-of-dev1
check_output "verify-secret: the sub secret" '^match=sub$' q verify-secret dev1 second-secret-of-dev1
check_output "verify-secret: a wrong secret" '^match=none$' q verify-secret dev1 third-secret-of-dev1
hmac() { python3 -c 'import hmac, hashlib, sys
print(hmac.new(sys.argv[1].encode(), sys.argv[2].encode(), hashlib.sha256).hexdigest())' "$@"; }
check_output "verify-hmac: keyed with the master secret" '^match=master$' \
	q verify-hmac dev1 1764650000 "$(hmac first-secret-of-dev1 1764650000)"
check_output "verify-hmac: keyed with the sub secret" '^match=sub$' \
	q verify-hmac dev1 1764650000 "$(hmac second-secret-of-dev1 1764650000)"
check_output "verify-hmac: another message" '^match=none$' \
	q verify-hmac dev1 1764650001 "$(hmac first-secret-of-dev1 1764650000)"
check_output "verify-hmac: an unknown device" '^match=none$' \
	q verify-hmac dev9 1764650000 "$(hmac first-secret-of-dev1 1764650000)"
check_output "verify-hmac: a message over 128 bytes is refused" 'verify-hmac: .*1 to 128 bytes' \
	sh -c "! $consumer -d $me verify-hmac dev1 $(printf 'x%.0s' $(seq 129)) $(hmac first-secret-of-dev1 x) 2>&1"
check "device disable-sub" $CREDCTL device disable-sub dev1
check_output "verify-hmac: a disabled sub no longer matches" '^match=none$' \
	q verify-hmac dev1 1764650000 "$(hmac second-secret-of-dev1 1764650000)"
check_output "verify-hmac: the master still does" '^match=master$' \
	q verify-hmac dev1 1764650000 "$(hmac first-secret-of-dev1 1764650000)"
check_output "secrets: with the device's flags (the sub disabled)" '^master=20 sub=21 flags=1$' q secrets dev1
check "device enable-sub" $CREDCTL device enable-sub dev1
check_output "device: flags and fingerprints, no secrets" '^id=dev1 flags=0 master_fp=yes sub_fp=yes$' \
	q device dev1
check_output "device: an unknown one is a clear error" 'device: .*dev9' sh -c "! $consumer -d $me device dev9 2>&1"
check_output "secrets: root reads the lengths of both, and the flags" '^master=20 sub=21 flags=0$' q secrets dev1

q watch 1 > "$T/watch" 2>&1 &
watcher=$!
for _ in $(seq 100); do grep -q watching "$T/watch" && break; sleep 0.1; done
check "a device is added while a client watches" $CREDCTL device add dev2 --cert "$T/server.crt"
in_shell "the watcher heard one notification through its descriptor" wait "$watcher"
check_output "it names the device and a generation" "^kind=3 key=dev2 generation=[1-9]" cat "$T/watch"

in_shell "credstored stops" stop_daemon
check_output "with no daemon the error says so" 'cannot reach credstored' sh -c "! $consumer -d $me anchors 2>&1"
finish
