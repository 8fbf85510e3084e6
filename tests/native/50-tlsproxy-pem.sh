# credstore-tlsproxy in PEM mode (identity and device pins from files, the
# mode bench-tls compares the store against), with real clients: openssl
# s_client, curl and gnutls-cli.  Devices are admitted by master or sub
# fingerprint; strangers, a device without a certificate and a CA-signed
# certificate that is not pinned are refused with the reason in the log;
# many connections at once are served; a silent connection is closed
# after the handshake timeout and connections over the limit wait; bad
# options and pin files are refused with a clear message.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tls/lib.sh"
TLS_DIR=$(mktemp -d)
trap 'tls_stop_all; rm -rf "$TLS_DIR"' EXIT
log=$TLS_DIR/proxy.log

check "make a CA, a server and device certificates" tls_pki
{
	echo "# device  master  sub"
	echo "dev1 $(tls_fingerprint dev1-master) $(tls_fingerprint dev1-sub)"
	echo "dev2 $(tls_fingerprint dev2-master)"
} > "$TLS_DIR/pins"
cat "$TLS_DIR/server.pem" "$TLS_DIR/ca.pem" > "$TLS_DIR/chain.pem"
tls_start_backend
check "the backend starts" test -n "$TLS_BACKEND_PORT"
# (24 handshakes at once take more than the default 10 s under valgrind)
tls_start_proxy "$log" -c "$TLS_DIR/chain.pem" -k "$TLS_DIR/server.key" -p "$TLS_DIR/pins" \
	--handshake-timeout=300
check "the proxy starts in PEM mode" test -n "$TLS_PORT"

for client in tls_s_client tls_curl tls_gnutls; do
	check "$client: dev1's master certificate is admitted" $client dev1-master
	check "$client: dev1's sub certificate is admitted" $client dev1-sub
	check "$client: dev2's master certificate is admitted" $client dev2-master
	check_fails "$client: a stranger's self-signed certificate is refused" $client stranger
	check_fails "$client: a CA-signed certificate that is not pinned is refused" $client dev1-next
done
check_fails "a client without a certificate is refused" tls_no_cert

# 24 devices at once: the event loop serves them all.
many() {
	local i pids=() rc=0
	for i in $(seq 24); do
		tls_curl dev2-master & pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || rc=1; done
	return $rc
}
check "24 concurrent connections are all served" many

check_output "the log names the admitted master" 'admitted device dev1 \(master\) from 127\.0\.0\.1:' cat "$log"
check_output "the log names the admitted sub" 'admitted device dev1 \(sub\) from 127\.0\.0\.1:' cat "$log"
check_output "the log gives the stranger's refusal and fingerprint" \
	"refused 127\.0\.0\.1:[0-9]+: certificate $(tls_fingerprint stranger | tr -d : | tr A-F a-f) is no device's master or sub" cat "$log"
check_output "the log gives the refusal of a device without a certificate" \
	'refused 127\.0\.0\.1:[0-9]+: the device sent no certificate' cat "$log"
check "the proxy is still running" kill -0 "$TLS_PROXY_PID"

# Limits.  A connection that never finishes its handshake is closed after
# --handshake-timeout; at --max-connections a new device waits in the
# listen backlog and is served once a connection closes.
pem=(-c "$TLS_DIR/chain.pem" -k "$TLS_DIR/server.key" -p "$TLS_DIR/pins")
tls_start_proxy "$TLS_DIR/timeout.log" "${pem[@]}" --handshake-timeout=1
exec 3<>"/dev/tcp/127.0.0.1/$TLS_PORT"
check "a connection that sends nothing is closed after --handshake-timeout=1" timeout 20 cat <&3
exec 3<&-
check_output "and the log says why" 'refused 127\.0\.0\.1:[0-9]+: no TLS handshake within 1 s' \
	cat "$TLS_DIR/timeout.log"

tls_start_proxy "$TLS_DIR/limit.log" "${pem[@]}" --max-connections=2
exec 3<>"/dev/tcp/127.0.0.1/$TLS_PORT" 4<>"/dev/tcp/127.0.0.1/$TLS_PORT"
check "two idle connections reach the limit of 2" _tls_wait_for \
	's/.*\(2 connections open, the limit\).*/\1/p' "$TLS_DIR/limit.log"
tls_curl dev1-master 3<&- 4<&- & waiting=$!
sleep 1
check "a third device waits in the backlog" kill -0 "$waiting"
exec 3<&-
wait "$waiting"
check "once one closes, it is served" test $? = 0
check_output "the proxy says it accepts again" 'accepting again' cat "$TLS_DIR/limit.log"
exec 4<&-

# Out of file descriptors (a limit of 32): accept() fails with EMFILE.  The
# proxy stops listening for a second at a time instead of spinning on the
# connection it cannot take, and serves again once descriptors are free.
# Not under valgrind: at the limit it closes a descriptor that accept()
# returns in the range it keeps for itself, a connection the proxy never sees.
TLSPROXY_WRAPPER="prlimit --nofile=32:32" \
	tls_start_proxy "$TLS_DIR/fds.log" "${pem[@]}" --handshake-timeout=300
idle=()
for _ in $(seq 40); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$TLS_PORT" && idle+=("$fd")
done
check "40 idle connections exhaust 32 descriptors" _tls_wait_for \
	's/.*\(no file descriptor left\).*/\1/p' "$TLS_DIR/fds.log"
sleep 2
spins=$(grep -c 'no file descriptor left' "$TLS_DIR/fds.log")
check "the proxy waits rather than spins ($spins log lines in 2 s)" test "$spins" -le 5
for fd in "${idle[@]}"; do exec {fd}<&-; done
refusals() {	# refusals N: wait (up to 60 s) until the log holds N refusals
	local i
	for i in $(seq 600); do
		[ "$(grep -c refused "$TLS_DIR/fds.log")" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
check "the proxy takes and drops all ${#idle[@]} once they close" refusals "${#idle[@]}"
check "then a device is served" tls_curl dev1-master
check "the proxy is still running" kill -0 "$TLS_PROXY_PID"

proxy=$BUILD/bin/credstore-tlsproxy
echo "dev3 not-a-fingerprint" > "$TLS_DIR/bad-pins"
check_output "a bad pins line is refused with its line number" 'bad-pins:1: not a SHA-256 fingerprint' \
	sh -c "! $proxy -l 127.0.0.1:0 -b 127.0.0.1:1 -c $TLS_DIR/chain.pem -k $TLS_DIR/server.key -p $TLS_DIR/bad-pins"
check_output "a key that does not match the certificate is refused" 'server2.key' \
	sh -c "! $proxy -l 127.0.0.1:0 -b 127.0.0.1:1 -c $TLS_DIR/chain.pem -k $TLS_DIR/server2.key -p $TLS_DIR/pins"
check_output "PEM mode without pins is refused" 'needs --cert, --key and --pins' \
	sh -c "! $proxy -l 127.0.0.1:0 -b 127.0.0.1:1 -c $TLS_DIR/chain.pem -k $TLS_DIR/server.key"
check_output "--max-connections=0 is refused" 'max-connections=0: 1 to' \
	sh -c "! $proxy -l 127.0.0.1:0 -b 127.0.0.1:1 ${pem[*]} --max-connections=0"
check_output "--handshake-timeout=soon is refused" 'handshake-timeout=soon: seconds' \
	sh -c "! $proxy -l 127.0.0.1:0 -b 127.0.0.1:1 ${pem[*]} --handshake-timeout=soon"
check_output "a missing --backend is refused" 'both --listen and --backend' sh -c "! $proxy -l 127.0.0.1:0"
check_output "--help explains the options" 'require-anchor' "$proxy" --help
finish
