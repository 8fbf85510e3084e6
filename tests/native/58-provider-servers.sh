#!/bin/bash
# Stock servers, unmodified, serving store identities whose keys never
# leave credstored, through the OpenSSL provider "credstore" (the module
# built in lib/provider/): openssl s_server on credstore: URIs, Debian's
# nginx 1.22, HAProxy 2.6 and lighttpd 1.4 on a chain file and a key
# reference (`credctl identity export-ref`), checked with openssl s_client, curl and
# gnutls-cli (the chain served is the store's; the handshake's signature
# verifies).  Every signature scheme (ECDSA P-256 and P-384, RSA PKCS#1
# v1.5 and PSS, Ed25519); nginx's workers forked from a root master and
# signing as the signer group; a worker outside it, a daemon that is down
# and then back, a removed identity and a twice-replaced key, each a
# clear line in the server's log; and rotation with `credctl watch` under
# a running nginx and HAProxy while clients connect: new handshakes get
# the new chain, none fails.
#
# Plain tier only: nginx, HAProxy and openssl load the provider module
# into themselves, and an ASan-built module cannot load into programs
# built without ASan; the ASan tier runs the same provider code in
# process through libcredstore (52-libcredstore: keyless handshakes).
case "$BUILD" in
*/san) echo "ok - stock servers with the provider # SKIP an ASan module cannot load into nginx or HAProxy"
       exit 0 ;;
esac
. "$(dirname "$0")/../tls/lib.sh"
. "$(dirname "$0")/../tls/servers.sh"
tls_private_network "$0" "$@"
. "$(dirname "$0")/credstored-env.bash"
TLS_DIR=$T
chmod 755 "$T"		# the servers' workers (www-data) read their files
trap 'tls_stop_all; stop_daemon; rm -rf "$T" "$CREDSTORE_RUNTIME_DIR"' EXIT

# A root, an intermediate CA, and leaves for localhost under it.
san='subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth'
leaf() {	# NAME KEYTYPE: $T/NAME.{key,pem}, signed by the intermediate; $T/NAME.chain
	local alg=(-algorithm EC -pkeyopt ec_paramgen_curve:P-256)
	case $2 in
	rsa) alg=(-algorithm RSA -pkeyopt rsa_keygen_bits:2048) ;;
	p384) alg=(-algorithm EC -pkeyopt ec_paramgen_curve:P-384) ;;
	ed25519) alg=(-algorithm ED25519) ;;
	esac
	openssl genpkey "${alg[@]}" -out "$T/$1.key" 2>/dev/null &&
	openssl req -new -key "$T/$1.key" -subj "/CN=localhost/O=$1" -out "$T/$1.csr" 2>/dev/null &&
	printf '%s\n' "$san" > "$T/$1.ext" &&
	openssl x509 -req -in "$T/$1.csr" -CA "$T/inter.pem" -CAkey "$T/inter.key" -CAcreateserial \
		-days 30 -extfile "$T/$1.ext" -out "$T/$1.pem" 2>/dev/null &&
	cat "$T/$1.pem" "$T/inter.pem" > "$T/$1.chain"
}
tls_cert ca "/CN=provider test root" && tls_cert inter "/CN=provider test intermediate" ca \
	'basicConstraints=critical,CA:TRUE' && leaf web ec && leaf rsa rsa && leaf p384 p384 &&
	leaf ed ed25519 && leaf web2 ec && leaf web3 ec || { echo "not ok - test certificates"; exit 1; }

in_shell "credstored starts" start_daemon
check "the test root is a trust anchor (chains must lead to one)" \
	$CREDCTL anchor add root "$T/ca.pem"
for id in web rsa p384 ed; do
	check "identity $id installed for the signer group www-data" \
		$CREDCTL identity install "$id" --chain "$T/$id.chain" --key "$T/$id.key" --signers www-data
done
check_output "identity show names the signer group" '^signers: www-data$' $CREDCTL identity show web
anchor_by_uri() {
	openssl x509 -provider-path "$PROVIDER_DIR" -provider credstore -provider default \
		-in credstore:anchor/root | tls_pem_fingerprints
}
check_output "credstore:anchor/root through the store loader is the anchor's certificate" \
	"^$(tls_pem_fingerprints < "$T/ca.pem")\$" anchor_by_uri
check "the chain file and the key reference" sh -c "$CREDCTL identity export web --out $T/web-chain.pem &&
	$CREDCTL identity export-ref web $T/web.ref && $CREDCTL identity export-ref rsa $T/rsa.ref"
check_output "the reference holds no private key: a name and a public key" \
	'UTF8STRING +:web' openssl asn1parse -in "$T/web.ref"
chain_of_file() { tls_pem_fingerprints < "$1" | tr '\n' ' '; }
chain_of_port() { tls_served_chain "$@" -CAfile "$T/ca.pem" | tr '\n' ' '; }
s_client() {	# PORT ARGS...: a handshake that must verify the server
	local port=$1; shift
	timeout 30 openssl s_client -connect "127.0.0.1:$port" -servername localhost -CAfile "$T/ca.pem" \
		-verify_return_error "$@" < /dev/null 2>&1
}
store_chain=$(chain_of_file "$T/web-chain.pem")
check_output "the store's chain is the leaf and the intermediate" "^$(chain_of_file "$T/web.chain")\$" \
	chain_of_file "$T/web-chain.pem"

# ---- openssl s_server on credstore: URIs, every scheme ----
port=8440
s_server_check() {	# IDENTITY DESCRIPTION WANTED-SIGNATURE S_CLIENT-ARGS...
	local id=$1 desc=$2 want=$3; shift 3
	port=$((port + 1))
	in_shell "s_server on credstore:identity/$id starts" tls_start_s_server "$T/s_server-$id-$port.log" \
		"$port" -cert "credstore:identity/$id" -key "credstore:identity/$id" \
		-cert_chain "credstore:chain/$id"
	check_output "s_server, $desc: the signature ($want) verifies" \
		"Peer signature type: $want\$" s_client "$port" "$@"
}
s_server_check web "ECDSA P-256" ECDSA -sigalgs ecdsa_secp256r1_sha256
check_output "s_server serves the store's chain" "^$store_chain\$" chain_of_port "$port"
s_server_check p384 "ECDSA P-384" ECDSA -sigalgs ecdsa_secp384r1_sha384
s_server_check rsa "RSA-PSS (TLS 1.3)" RSA-PSS -sigalgs rsa_pss_rsae_sha256
s_server_check rsa "RSA PKCS#1 v1.5 (TLS 1.2)" RSA -tls1_2 -sigalgs RSA+SHA384
s_server_check ed Ed25519 ed25519
p384_port=$((port - 3))

port=$((port + 1))
in_shell "s_server on a chain file and the key reference file starts" tls_start_s_server \
	"$T/s_server-ref.log" "$port" -cert "$T/web.pem" -cert_chain "$T/inter.pem" -key "$T/web.ref" \
	-propquery '?provider=credstore'
ref_port=$port
check_output "s_server with -key web.ref: the handshake verifies" 'Verify return code: 0' s_client "$ref_port"

check_output "credstore:identity/ of an unknown identity: a clear error" "no identity 'nosuch'" \
	sh -c "! openssl storeutl -provider-path $PROVIDER_DIR -provider credstore -provider default \
	credstore:identity/nosuch 2>&1"

# ---- nginx: a root master, a worker (forked after the keys were loaded)
# ---- signing as www-data; an EC and an RSA identity side by side ----
mkdir -p "$T/nginx" && cp "$T/web-chain.pem" "$T/web.ref" "$T/nginx/"
in_shell "nginx starts with the chain files and key references" tls_start_nginx "$T/nginx" 8450 \
	www-data www-data "$T/nginx/web-chain.pem" "$T/nginx/web.ref" "$T/rsa.chain" "$T/rsa.ref"
nginx_pid=$NGINX_PID
check_output "nginx's worker runs as www-data" '^www-data$' sh -c "ps -o user= --ppid $nginx_pid | sort -u"
check_output "nginx serves the store's chain (s_client)" "^$store_chain\$" chain_of_port 8450
check_output "nginx: ECDSA, signed by credstored, verifies (s_client)" 'Peer signature type: ECDSA$' \
	s_client 8450
check_output "nginx: RSA-PSS with the RSA identity verifies (s_client)" 'Peer signature type: RSA-PSS$' \
	s_client 8450 -sigalgs rsa_pss_rsae_sha256
check_output "nginx answers curl" '^ok$' curl -sS --cacert "$T/ca.pem" https://localhost:8450/

check_output "nginx answers gnutls-cli, which verifies the chain" '^HTTP/1.1 200 OK' sh -c \
	"printf 'GET / HTTP/1.0\r\n\r\n' | timeout 30 gnutls-cli --x509cafile $T/ca.pem -p 8450 localhost 2>&1"

# ---- HAProxy 2.6: ssl-provider credstore, the key in CRT.key ----
mkdir -p "$T/haproxy"
cp "$T/web-chain.pem" "$T/haproxy/web.pem" && cp "$T/web.ref" "$T/haproxy/web.pem.key"
in_shell "HAProxy starts with the chain and the key reference" tls_start_haproxy "$T/haproxy" 8460 8469 \
	www-data www-data "$T/haproxy/web.pem"
check_output "HAProxy serves the store's chain (s_client)" "^$store_chain\$" chain_of_port 8460
check_output "HAProxy: the signature verifies (s_client)" 'Verify return code: 0' s_client 8460
check_output "HAProxy answers curl" '^ok' curl -sS --cacert "$T/ca.pem" https://localhost:8460/
check_output "HAProxy answers gnutls-cli, which verifies the chain" '^HTTP/1.1 200 OK' sh -c \
	"printf 'GET / HTTP/1.0\r\n\r\n' | timeout 30 gnutls-cli --x509cafile $T/ca.pem -p 8460 localhost 2>&1"
# HAProxy's two threads sign at once, each on a connection of the key's
# pool: four clients for two seconds, full handshakes.
check_output "HAProxy under four concurrent clients: every handshake signed, none refused" \
	'^[1-9][0-9]* 0$' "$BUILD/bench/tls-bench-client" 8460 "$T/web.pem" "$T/web.key" 2 4

# ---- lighttpd (mod_openssl): the same files, a server that drops to www-data ----
in_shell "lighttpd starts with the chain file and the key reference" tls_start_lighttpd "$T/lighttpd" 8465 \
	www-data www-data "$T/web-chain.pem" "$T/web.ref"
check_output "lighttpd serves the store's chain (s_client)" "^$store_chain\$" chain_of_port 8465
# lighttpd sets the key on every connection (its SNI callback), which
# compares it with the certificate each time: twice in a row.
check_output "lighttpd answers curl, twice in a row" '^ok\.ok\.$' sh -c "curl -sS --cacert $T/ca.pem \
	https://localhost:8465/index.html https://localhost:8465/index.html | tr '\n' ."

# ---- refusals: each a handshake that fails and a line that says why ----
in_shell "nginx with its worker outside the signer group starts" tls_start_nginx "$T/nginx-nobody" 8455 \
	nobody nogroup "$T/web-chain.pem" "$T/web.ref"
check_fails "its handshakes fail" curl -sS --cacert "$T/ca.pem" https://localhost:8455/
not_signer="uid $(id -u nobody) may not sign with identity 'web'"
check_output "its log says the worker may not sign" "$not_signer" \
	tls_log_wait "$not_signer" "$T/nginx-nobody/error.log"

in_shell "credstored stops" stop_daemon
check_fails "with credstored down, nginx's handshakes fail" curl -sS --cacert "$T/ca.pem" https://localhost:8450/
check_output "and its log says credstored cannot be reached" "identity 'web': .*credstored" \
	tls_log_wait "identity 'web': .*credstored" "$T/nginx/error.log"
in_shell "credstored starts again" start_daemon
check_output "the same nginx worker signs again (a new connection)" '^ok$' \
	curl -sS --cacert "$T/ca.pem" https://localhost:8450/

check "identity p384 is removed" $CREDCTL identity remove p384
check_fails "s_server on the removed identity fails its handshakes" s_client "$p384_port"
check_output "and says so" "no identity 'p384'" \
	tls_log_wait "no identity 'p384'" "$T/s_server-p384-$p384_port.log"

# ---- rotation under running servers, clients connecting throughout ----
cat > "$T/reload-nginx" <<-EOF
#!/bin/sh
kill -HUP $nginx_pid
EOF
chmod +x "$T/reload-nginx"
$BIN/credctl watch --identity web --chain-out "$T/nginx/web-chain.pem" --key-ref-out "$T/nginx/web.ref" \
	--exec "$T/reload-nginx" > "$T/watch-nginx.log" 2>&1 &
_tls_pids+=($!)
env -u CREDSTORE_RUNTIME_DIR $BIN/credctl --runtime-dir "$CREDSTORE_RUNTIME_DIR" \
	watch --identity web --chain-out "$T/haproxy/web.pem" --key-ref-out "$T/haproxy/web.pem.key" \
	--exec "$(dirname "$0")/../tls/haproxy-update.sh 127.0.0.1:8469 $T/haproxy/web.pem $T/haproxy/web.pem $T/haproxy/web.pem.key" \
	> "$T/watch-haproxy.log" 2>&1 &
_tls_pids+=($!)
sleep 0.5
# The clients: handshakes on both servers until told to stop, each
# result a line (the leaf's fingerprint, or FAILED).
touch "$T/clients.run"
(
	while [ -e "$T/clients.run" ]; do
		for p in 8450 8460; do
			fp=$(tls_served_chain $p -CAfile "$T/ca.pem" -verify_return_error | head -n 1)
			echo "$p ${fp:-FAILED}"
		done
	done
) > "$T/clients.log" 2>&1 &
clients=$!
new_leaf=$(tls_pem_fingerprints < "$T/web2.pem")
sleep 0.5
check "the identity is replaced (a new key)" $CREDCTL identity install web --chain "$T/web2.chain" --key "$T/web2.key"
for _ in $(seq 100); do
	[ "$(grep -c "^8450 $new_leaf" "$T/clients.log")" -ge 5 ] &&
		[ "$(grep -c "^8460 $new_leaf" "$T/clients.log")" -ge 5 ] && break
	sleep 0.2
done
rm -f "$T/clients.run"
wait "$clients"
check_output "watch rewrote the files and reloaded nginx" "ran $T/reload-nginx: ok" cat "$T/watch-nginx.log"
check_output "watch updated HAProxy through its runtime API" "ran .*haproxy-update.sh.*: ok" cat "$T/watch-haproxy.log"
check_output "new handshakes on nginx get the new chain" "^8450 $new_leaf" cat "$T/clients.log"
check_output "new handshakes on HAProxy get the new chain" "^8460 $new_leaf" cat "$T/clients.log"
check_output "clients handshook on both servers throughout ($(wc -l < "$T/clients.log") handshakes)" \
	"^8460 " cat "$T/clients.log"
check "no handshake failed during the change" sh -c "! grep -q FAILED $T/clients.log"

# The s_server on web.ref never reloaded: it signs with the previous key
# until the next install, then says its reference is stale.
check_output "a server still on the old reference signs with the previous key" 'Verify return code: 0' \
	s_client "$ref_port"
check "the identity is replaced once more" $CREDCTL identity install web --chain "$T/web3.chain" --key "$T/web3.key"
check_fails "then the old reference no longer signs" s_client "$ref_port"
check_output "and the server's log says it was replaced" "identity 'web' no longer holds key .*replaced" \
	cat "$T/s_server-ref.log"
finish
