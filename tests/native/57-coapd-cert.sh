#!/bin/bash
# credstore-coapd's certificate mode on credstored in userspace mode, with
# Debian's coap-client as the devices: self-signed device certificates
# admitted by their master fingerprint (the server's identity is the
# store's, keyless), the sub fingerprint and strangers refused, rotation
# without a restart, a revoked device's open session ended, PSK devices
# on the same port, and a new server identity served without a restart.
. "$(dirname "$0")/../lib.sh"
own_ports "$0" "$@"	# its servers listen on fixed ports
REPO=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$REPO/build}
. "$(dirname "$0")/credstored-env.bash"
COAP_DIR=$T TLS_DIR=$T
. "$REPO/tests/coap/lib.sh"
. "$REPO/tests/tls/lib.sh"
trap 'coap_stop_all; stop_daemon; [ -n "${KEEP_TEST_DIR:-}" ] || rm -rf "$T" "$CREDSTORE_RUNTIME_DIR"' EXIT
clog=$T/coapd.log
me=$(id -u)
logged() { for _ in $(seq 100); do grep -Eq "$1" "$clog" && return 0; sleep 0.1; done; return 1; }
# cert_get NAME [PATH]: GET coaps://127.0.0.1/PATH (whoami) as the device
# holding $T/NAME.pem and its key; the server's certificate is checked
# against the store's anchor.
cert_get() {
	timeout 20 $COAP_CLIENT -B 3 -c "$T/$1.pem" -j "$T/$1.key" -R "$T/ca.pem" \
		"coaps://127.0.0.1:$COAP_PORT/${2:-whoami}" 2>/dev/null
}
# cert_whoami NAME ID: the server answered "device ID".
cert_whoami() { cert_get "$1" | grep -qx "device $2"; }
fp() { openssl x509 -in "$T/$1.pem" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr A-F a-f; }

check "make the certificates" bash -c ". '$REPO/tests/tls/lib.sh'; TLS_DIR='$T'
	tls_cert ca '/CN=credstore test CA' &&
	tls_cert server /CN=localhost ca 'subjectAltName=IP:127.0.0.1
extendedKeyUsage=serverAuth' &&
	tls_cert ca2 '/CN=credstore test CA 2' &&
	tls_cert server2 /CN=localhost ca2 'subjectAltName=IP:127.0.0.1
extendedKeyUsage=serverAuth' &&
	for d in dev1 dev1-sub dev1-next dev2 stranger; do tls_cert \$d /CN=\$d || exit 1; done"
in_shell "credstored starts" start_daemon
check "the store's identity coap (chain to anchor ca)" sh -c \
	"$CREDCTL anchor add ca $T/ca.pem && cat $T/server.pem $T/ca.pem > $T/chain.pem &&
	 $CREDCTL identity install coap --chain $T/chain.pem --key $T/server.key --anchor ca"
check "dev1: a master and a sub certificate" sh -c \
	"$CREDCTL device add dev1 --cert $T/dev1.pem && $CREDCTL device reset-fingerprint dev1 --cert $T/dev1-sub.pem"
check "dev2: a master certificate and a master secret" \
	$CREDCTL device add dev2 --cert "$T/dev2.pem" --secret m2-secret-of-dev2
in_shell "credstore-coapd starts with identity coap" coap_start_server coapd -t daemon -u "$me" -i coap
check "dev1's master certificate is admitted" cert_whoami dev1 dev1
check "the log names dev1 and its master certificate" logged 'admitted device dev1 \(master certificate\) from 127\.0\.0\.1'
check "dev2's master certificate is admitted" cert_whoami dev2 dev2
check "dev2's master secret is admitted on the same port" coap_whoami dev2 m2-secret-of-dev2
check_fails "dev1's sub certificate is refused (CoAP has no sub)" cert_whoami dev1-sub dev1
check "the log says why" logged "certificate $(fp dev1-sub) is device dev1's sub: CoAP devices have no sub"
check_fails "a stranger's certificate is refused" cert_whoami stranger stranger
check "the log says it is no device's" logged "certificate $(fp stranger) is no device's master or sub"
check_fails "a device without a certificate is refused" sh -c \
	"timeout 20 $COAP_CLIENT -B 3 -R $T/ca.pem coaps://127.0.0.1:$COAP_PORT/whoami 2>/dev/null | grep -q device"
check "the log says none was checked" logged "refused 127\.0\.0\.1:[0-9]+: the handshake ended before a device certificate was checked"
check_fails "the server's certificate is the store's: a client trusting another CA refuses it" sh -c \
	"timeout 20 $COAP_CLIENT -B 3 -c $T/dev1.pem -j $T/dev1.key -R $T/stranger.pem \
	 coaps://127.0.0.1:$COAP_PORT/whoami 2>/dev/null | grep -q device"

# ---- rotation without a restart: reset-fingerprint, then promote ----
check "reset-fingerprint dev1 (dev1-next as its sub)" $CREDCTL device reset-fingerprint dev1 --cert "$T/dev1-next.pem"
check_fails "the new certificate is refused before the promote" cert_whoami dev1-next dev1
check "the old master still works" cert_whoami dev1 dev1
check "promote dev1" $CREDCTL device promote dev1
check "after the promote the new certificate is admitted" cert_whoami dev1-next dev1
check_fails "and the old one refused" cert_whoami dev1 dev1
check "reset-fingerprint dev2 --master (a new master at once)" \
	$CREDCTL device reset-fingerprint dev2 --master --cert "$T/dev1-sub.pem"
check "dev1-sub's certificate is now dev2's master: admitted as dev2" cert_whoami dev1-sub dev2
check_fails "and dev2's old master refused" cert_whoami dev2 dev2

# ---- revoked while its session is open: coapd ends it ----
coap_hold dev1 -c "$T/dev1-next.pem" -j "$T/dev1-next.key" -R "$T/ca.pem"
check "dev1 holds a session with its certificate" coap_answered dev1 2
check "device revoke dev1" $CREDCTL device revoke dev1
check "coapd ends dev1's open session within two seconds, no answer after" coap_ended "$clog" dev1 revoked 2
stop_pids $COAP_HELD
check_fails "a revoked device's certificate is refused" cert_whoami dev1-next dev1
check "the log says it is revoked" logged "certificate $(fp dev1-next): device dev1 is revoked"

# ---- keyless: credstored signs each handshake (coapd has no key to sign
# with itself), so without the identity no certificate handshake works ----
check "identity remove coap" $CREDCTL identity remove coap
check_fails "without the identity in the store, no certificate handshake" cert_whoami dev1-sub dev2
check "PSK devices are still served" coap_whoami dev2 m2-secret-of-dev2
check "identity install coap again, a new key under another CA" sh -c \
	"$CREDCTL anchor add ca2 $T/ca2.pem && cat $T/server2.pem $T/ca2.pem > $T/chain2.pem &&
	 $CREDCTL identity install coap --chain $T/chain2.pem --key $T/server2.key --anchor ca2"
check "coapd serves it without a restart" logged 'serving identity coap as the store has it now'
check "a device trusting the new CA is admitted" sh -c \
	"timeout 20 $COAP_CLIENT -B 3 -c $T/dev1-sub.pem -j $T/dev1-sub.key -R $T/ca2.pem \
	 coaps://127.0.0.1:$COAP_PORT/whoami 2>/dev/null | grep -qx 'device dev2'"
check_fails "one trusting the old CA only refuses the new certificate" cert_whoami dev1-sub dev2
finish
