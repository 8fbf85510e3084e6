# Helpers of the TLS end-to-end tests (native and VM) and of bench-tls:
# a small PKI made with the openssl command, the plaintext backend, the
# proxy, and real clients (openssl s_client, curl, gnutls-cli).
# Needs $BUILD (the build directory) and $TLS_DIR (a scratch directory).

TLS_REQUEST=$(printf 'GET / HTTP/1.0\r\nHost: localhost\r\n\r\n')
TLS_PAGE='hello from the backend'
_tls_pids=()

# tls_cert NAME SUBJECT [ISSUER] [EXTENSIONS]: $TLS_DIR/NAME.{key,pem}, an
# EC P-256 key and a certificate signed by ISSUER (default: self-signed).
tls_cert() {
	local name=$1 subject=$2 issuer=${3:-} ext=${4:-}
	local d=$TLS_DIR
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$d/$name.key" 2>/dev/null || return 1
	if [ -z "$issuer" ]; then
		openssl req -new -x509 -key "$d/$name.key" -subj "$subject" -days 30 \
			-addext basicConstraints=critical,CA:TRUE -out "$d/$name.pem" 2>/dev/null
	else
		openssl req -new -key "$d/$name.key" -subj "$subject" -out "$d/$name.csr" 2>/dev/null &&
		printf '%s\n' "$ext" > "$d/$name.ext" &&
		openssl x509 -req -in "$d/$name.csr" -CA "$d/$issuer.pem" -CAkey "$d/$issuer.key" \
			-CAcreateserial -days 30 -extfile "$d/$name.ext" -out "$d/$name.pem" 2>/dev/null
	fi
}

# tls_pki: a CA, a server certificate for localhost (server) and a second
# one (server2), device certificates signed by the CA (dev1-master,
# dev1-sub, dev1-next, dev2-master) and a stranger's self-signed one.
tls_pki() {
	local server='subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth' client='extendedKeyUsage=clientAuth'
	tls_cert ca "/CN=credstore test CA" &&
	tls_cert server "/CN=localhost" ca "$server" &&
	tls_cert server2 "/CN=localhost (replaced)" ca "$server" &&
	tls_cert dev1-master "/CN=dev1" ca "$client" &&
	tls_cert dev1-sub "/CN=dev1 sub" ca "$client" &&
	tls_cert dev1-next "/CN=dev1 next" ca "$client" &&
	tls_cert dev2-master "/CN=dev2" ca "$client" &&
	tls_cert stranger "/CN=stranger"
}

# tls_fingerprint NAME: the SHA-256 fingerprint of $TLS_DIR/NAME.pem.
tls_fingerprint() {
	openssl x509 -in "$TLS_DIR/$1.pem" -noout -fingerprint -sha256 | sed 's/.*=//'
}

# The starters run in the test's shell (not inside `check`, whose command
# substitution would wait for them): they set variables the test uses.

# tls_start_backend: starts the backend, sets TLS_BACKEND_PORT.
tls_start_backend() {
	"$BUILD/tests/tls/tls-backend" > "$TLS_DIR/backend.port" &
	_tls_pids+=($!)
	_tls_wait_for 's/^\([0-9][0-9]*\)$/\1/p' "$TLS_DIR/backend.port" || return 1
	TLS_BACKEND_PORT=$_tls_found
}

# tls_start_proxy LOG ARGS...: starts credstore-tlsproxy on a free port
# in front of the backend; sets TLS_PORT and TLS_PROXY_PID.
# TLSPROXY_WRAPPER: a command that runs it (valgrind-daemon.sh).
tls_start_proxy() {
	local log=$1; shift
	: > "$log"
	${TLSPROXY_WRAPPER:-} "$BUILD/bin/credstore-tlsproxy" -l 127.0.0.1:0 -b "127.0.0.1:$TLS_BACKEND_PORT" "$@" 2> "$log" > /dev/null &
	TLS_PROXY_PID=$!
	_tls_pids+=($!)
	_tls_wait_for 's/.*listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$log" || { sed 's/^/# /' "$log"; return 1; }
	TLS_PORT=$_tls_found
}

# Wait (up to 20 s) for a sed expression to print something from a file.
_tls_wait_for() {
	local i
	for i in $(seq 200); do
		_tls_found=$(sed -n "$1" "$2" 2>/dev/null | head -n 1)
		[ -n "$_tls_found" ] && return 0
		kill -0 "${_tls_pids[-1]}" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# tls_log_wait PATTERN FILE: FILE once a line matches the extended regex
# PATTERN (or after 10 s): a client can see a refusal before the proxy has
# written why.
tls_log_wait() {
	local i
	for i in $(seq 100); do
		grep -Eq -- "$1" "$2" && break
		sleep 0.1
	done
	cat "$2"
}

# tls_wait_log FILE PATTERN: as tls_log_wait, failing (and showing FILE)
# when no line matches.
tls_wait_log() {
	tls_log_wait "$2" "$1" | grep -Eq -- "$2" || { cat "$1"; return 1; }
}

tls_stop_all() {
	local p
	for p in "${_tls_pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${_tls_pids[@]}"; do
		wait "$p" 2>/dev/null
	done
	_tls_pids=()
}

# The clients.  Each sends an HTTP request through the proxy with device
# certificate NAME and prints what comes back; success means the page
# came back.  They trust the test CA for the server's certificate.
tls_s_client() {
	printf '%s' "$TLS_REQUEST" | timeout 60 openssl s_client -quiet \
		-connect "127.0.0.1:$TLS_PORT" -servername localhost -verify_return_error \
		-CAfile "$TLS_DIR/ca.pem" -cert "$TLS_DIR/$1.pem" -key "$TLS_DIR/$1.key" 2>&1 |
		grep -q "$TLS_PAGE"
}

tls_curl() {
	timeout 60 curl -sS --cacert "$TLS_DIR/ca.pem" --cert "$TLS_DIR/$1.pem" \
		--key "$TLS_DIR/$1.key" "https://localhost:$TLS_PORT/" 2>&1 | grep -q "$TLS_PAGE"
}

tls_gnutls() {
	printf '%s' "$TLS_REQUEST" | timeout 60 gnutls-cli --x509cafile "$TLS_DIR/ca.pem" \
		--x509certfile "$TLS_DIR/$1.pem" --x509keyfile "$TLS_DIR/$1.key" \
		-p "$TLS_PORT" localhost 2>&1 | grep -q "$TLS_PAGE"
}

# tls_server_subject [NAME]: the subject of the certificate the proxy
# serves now (connecting as device certificate NAME, dev1-master).
tls_server_subject() {
	local who=${1:-dev1-master}
	timeout 60 openssl s_client -connect "127.0.0.1:$TLS_PORT" -CAfile "$TLS_DIR/ca.pem" \
		-cert "$TLS_DIR/$who.pem" -key "$TLS_DIR/$who.key" < /dev/null 2>/dev/null |
		openssl x509 -noout -subject
}

# tls_no_cert: the request without a client certificate.
tls_no_cert() {
	printf '%s' "$TLS_REQUEST" | timeout 60 openssl s_client -quiet -connect "127.0.0.1:$TLS_PORT" \
		-CAfile "$TLS_DIR/ca.pem" 2>&1 | grep -q "$TLS_PAGE"
}
