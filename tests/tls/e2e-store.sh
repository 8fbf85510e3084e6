# The body of the proxy's end-to-end tests on the store, sourced after
# tests/native/credstored-env.bash: natively (credstored in userspace mode
# answers libcredstore on its query socket) and in the VM (credstored on
# nandsim publishes to credstore.ko, which answers).
# TLS_EXPECT_SOURCE: credstored (default) or credstore.ko.
# Real clients (openssl s_client, curl, gnutls-cli) connect with master
# and sub certificates; strangers are refused; a device rotated with
# reset-fingerprint then promote never sees a refused handshake; after the
# server identity is replaced, new connections get the new certificate
# while an open one keeps working.  The proxy is keyless: its handshakes
# are signed by credstored (libcredstore's provider), also in the VM.  The
# lifecycle: a disabled sub is refused as such, a certificate its anchor's
# CRL lists is refused at the next handshake, a revoked device's open
# connection is cut within a second, an expired device certificate is
# refused, and a removed identity is not served to new handshakes.
BUILD=${BUILD:-$REPO/build}
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${TLS_EXPECT_SOURCE:=credstored}"
TLS_DIR=$T
trap 'tls_stop_all; stop_daemon; rm -rf "$T" "$CREDSTORE_RUNTIME_DIR"' EXIT
log=$T/proxy.log
me=$(id -u)

check "make a CA, server and device certificates" tls_pki
cat "$T/server.pem" "$T/ca.pem" > "$T/chain.pem"
in_shell "credstored starts" start_daemon
check "anchor add ca" $CREDCTL anchor add ca "$T/ca.pem"
check "identity install web, chaining to ca" \
	$CREDCTL identity install web --chain "$T/chain.pem" --key "$T/server.key" --anchor ca
check "device add dev1 with its master certificate" $CREDCTL device add dev1 --cert "$T/dev1-master.pem"
check "device add dev2, then a sub for it" sh -c "$CREDCTL device add dev2 --cert $T/dev2-master.pem &&
	$CREDCTL device reset-fingerprint dev2 --cert $T/dev1-sub.pem"
check "device add dev3 with a self-signed certificate" $CREDCTL device add dev3 --cert "$T/stranger.pem"

tls_start_backend
tls_start_proxy "$log" -i web -u "$me"
check "the proxy starts on the store" test -n "$TLS_PORT"
check "it asks $TLS_EXPECT_SOURCE" \
	tls_wait_log "$log" "serving identity web from $TLS_EXPECT_SOURCE"

for client in tls_s_client tls_curl tls_gnutls; do
	check "$client: dev1's master certificate is admitted" $client dev1-master
	check "$client: dev2's sub certificate is admitted" $client dev1-sub
	check_fails "$client: a CA-signed certificate of no device is refused" $client dev1-next
done
check "the log names dev1 by its master" \
	tls_wait_log "$log" 'admitted device dev1 \(master\)'
check "the log names dev2 by its sub" \
	tls_wait_log "$log" 'admitted device dev2 \(sub\)'
check "the log gives the refusal's reason" tls_wait_log "$log" \
	"refused 127\.0\.0\.1:[0-9]+: certificate $(fingerprint "$T/dev1-next.pem") is no device's master or sub"

# ---- rotation: a device keeps connecting while its credential rotates ----
echo dev1-master > "$T/current"
rotating_device() {
	while [ ! -e "$T/stop" ]; do
		if tls_s_client "$(cat "$T/current")"; then echo ok; else echo refused; fi
	done > "$T/rotation.log"
}
rotating_device &
rotator=$!
wait_rounds() {	# wait until the device has connected N more times
	local want=$(( $(wc -l < "$T/rotation.log") + $1 )) i
	for i in $(seq 300); do
		[ "$(wc -l < "$T/rotation.log")" -ge "$want" ] && return 0
		sleep 0.1
	done
	return 1
}
wait_rounds 3
check "rotation: reset-fingerprint gives dev1 a sub" \
	$CREDCTL device reset-fingerprint dev1 --cert "$T/dev1-next.pem"
wait_rounds 3
echo dev1-next > "$T/current"	# the device moves to its new certificate
wait_rounds 3
check "rotation: promote makes the sub dev1's master" $CREDCTL device promote dev1
wait_rounds 3
touch "$T/stop"
wait "$rotator"
check_output "rotation: the device connected throughout" '^ok$' cat "$T/rotation.log"
check_fails "rotation: not one handshake was refused" grep -q refused "$T/rotation.log"
check "rotation: the new certificate was admitted as dev1's sub before the promote" \
	tls_wait_log "$log" 'admitted device dev1 \(sub\)'
check_fails "after promote the old master certificate is refused" tls_s_client dev1-master

# ---- server identity replaced under an open connection ----
mkfifo "$T/to-open"
timeout 120 openssl s_client -quiet -connect "127.0.0.1:$TLS_PORT" -CAfile "$T/ca.pem" \
	-cert "$T/dev2-master.pem" -key "$T/dev2-master.key" < "$T/to-open" > "$T/from-open" 2>/dev/null &
_tls_pids+=($!)
exec 3> "$T/to-open"
echo "before the change" >&3
wait_echo() { for _ in $(seq 200); do grep -q "$1" "$T/from-open" && return 0; sleep 0.1; done; return 1; }
check "an open connection echoes through the backend" wait_echo "before the change"
check_output "new connections see the first server certificate" 'CN = localhost$' tls_server_subject
check "identity install web: a new server certificate" \
	$CREDCTL identity install web --chain "$T/server2.pem" --key "$T/server2.key"
check_output "new connections see the new server certificate" 'CN = localhost \(replaced\)' tls_server_subject
echo "after the change" >&3
check "the open connection keeps working" wait_echo "after the change"
exec 3>&-
check "devices are still admitted with the new identity" tls_curl dev2-master
check "the proxy logged the reload" \
	tls_wait_log "$log" 'new handshakes use the reloaded identity'

# ---- the lifecycle ----
check "device disable-sub dev2" $CREDCTL device disable-sub dev2
check_fails "a disabled sub is refused" tls_curl dev1-sub
check "the log says the sub is disabled" tls_wait_log "$log" \
	"refused .*: certificate $(fingerprint "$T/dev1-sub.pem") is device dev2's sub, and its sub is disabled"
check "device enable-sub dev2" $CREDCTL device enable-sub dev2

# A CRL of the CA that lists dev2's sub (openssl ca -gencrl).
mkdir "$T/crl" && : > "$T/crl/index.txt" && echo 01 > "$T/crl/crlnumber"
printf 'R\t301231235959Z\t240101000000Z\t%s\tunknown\t/CN=dev1 sub\n' \
	"$(openssl x509 -in "$T/dev1-sub.pem" -noout -serial | sed 's/serial=//')" > "$T/crl/index.txt"
printf '[ca]\ndefault_ca=d\n[d]\ndatabase=%s\ncrlnumber=%s\ndefault_md=sha256\ndefault_crl_days=7\n' \
	"$T/crl/index.txt" "$T/crl/crlnumber" > "$T/crl/ca.cnf"
openssl ca -gencrl -config "$T/crl/ca.cnf" -cert "$T/ca.pem" -keyfile "$T/ca.key" \
	-out "$T/ca.crl" 2>/dev/null
check "anchor crl ca: a CRL listing dev2's sub" $CREDCTL anchor crl ca "$T/ca.crl"
check_fails "the certificate the CRL lists is refused at the next handshake" tls_curl dev1-sub
check "the log names the CRL" \
	tls_wait_log "$log" 'is revoked: the CRL of /CN=credstore test CA lists it'
check "dev2's master, which it does not list, is admitted" tls_curl dev2-master
check "anchor crl ca --remove" $CREDCTL anchor crl ca --remove

# An open connection of dev2 is cut when dev2 is revoked.
mkfifo "$T/to-held"
timeout 120 openssl s_client -quiet -connect "127.0.0.1:$TLS_PORT" -CAfile "$T/ca.pem" \
	-cert "$T/dev2-master.pem" -key "$T/dev2-master.key" < "$T/to-held" > "$T/from-held" 2>/dev/null &
held=$!
_tls_pids+=($held)
exec 4> "$T/to-held"
echo "held open" >&4
check "dev2 holds a connection through the proxy" sh -c \
	"for i in \$(seq 200); do grep -q 'held open' $T/from-held && exit 0; sleep 0.1; done; exit 1"
check "device revoke dev2" $CREDCTL device revoke dev2
revoked_at=$(date +%s%N)
while kill -0 "$held" 2>/dev/null && [ $(( $(date +%s%N) - revoked_at )) -lt 1000000000 ]; do
	sleep 0.02
done
check "dev2's open connection is cut within one second of the revocation" sh -c "! kill -0 $held 2>/dev/null"
exec 4>&-
check "the log says why" \
	tls_wait_log "$log" 'closed 127\.0\.0\.1:[0-9]+: device dev2 was revoked'
check_fails "a new handshake of dev2 is refused" tls_curl dev2-master
check "as revoked" \
	tls_wait_log "$log" "certificate $(fingerprint "$T/dev2-master.pem"): device dev2 is revoked"
check "device reinstate dev2" $CREDCTL device reinstate dev2
check "a reinstated device is admitted again" tls_curl dev2-master

# A device certificate past its notAfter (pinned by fingerprint: credstored
# takes no expired certificate) is refused by the front end.
cp "$T/ca.pem" "$T/ca.crt"
make_dated_cert ca dev4 20200101000000Z 20210101000000Z && cp "$T/dev4.crt" "$T/dev4.pem"
check "device add dev4 by the fingerprint of an expired certificate" \
	$CREDCTL device add dev4 --fingerprint "$(fingerprint "$T/dev4.pem")"
check_fails "the expired device certificate is refused" tls_s_client dev4
check "the log says it expired" \
	tls_wait_log "$log" "certificate $(fingerprint "$T/dev4.pem") has expired"

# A removed identity is not served: new handshakes are refused at once.
check "identity remove web" $CREDCTL identity remove web
check_fails "a new handshake after the removal is refused" tls_curl dev2-master
check "the log says the identity is gone" \
	tls_wait_log "$log" 'refused 127\.0\.0\.1:[0-9]+: the identity is no longer in the store'
check "identity install web again" \
	$CREDCTL identity install web --chain "$T/chain.pem" --key "$T/server.key" --anchor ca
check "and it is served again" tls_curl dev2-master

# ---- trust anchors required ----
anchored_log=$T/anchored.log
tls_start_proxy "$anchored_log" -i web -u "$me" --require-anchor
check "with --require-anchor a device chaining to ca is admitted" tls_curl dev2-master
check_fails "with --require-anchor a pinned self-signed certificate is refused" tls_curl stranger
check "the refusal says there is no chain" \
	tls_wait_log "$anchored_log" 'no valid chain to a trust anchor'
unanchored_log=$T/unanchored.log
tls_start_proxy "$unanchored_log" -i web -u "$me"
check "without --require-anchor the pinned self-signed certificate is admitted" tls_curl stranger

# ---- who answers ----
check_output "an unknown identity is a clear error" 'identity nosuch: ' \
	sh -c "! $BUILD/bin/credstore-tlsproxy -l 127.0.0.1:0 -b 127.0.0.1:1 -i nosuch -u $me"
# The server's key is credstored's alone: without the daemon no handshake
# is signed, even where the module still answers every query.
in_shell "credstored stops" stop_daemon
check_fails "with credstored gone, a device is refused" tls_curl dev2-master
unreachable="refused .*: credstored: identity 'web': cannot reach credstored"
check_output "and the log says credstored, which signs the handshake, cannot be reached" \
	"$unreachable" tls_log_wait "$unreachable" "$unanchored_log"
