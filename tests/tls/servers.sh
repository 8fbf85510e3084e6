# Stock TLS servers that take their key from credstored through the
# OpenSSL provider "credstore" (credstore-provider(7)): Debian's nginx,
# HAProxy and lighttpd, unmodified, started on loopback from a scratch directory
# (root-owned masters, workers as the user given).  Sourced after
# tests/tls/lib.sh by the provider's test and bench-tls; needs $BUILD.

PROVIDER_DIR=$BUILD/lib/ossl-modules

# tls_private_network SCRIPT ARGS...: run the script again in a network
# namespace of its own (where it can: root), with its own loopback: the
# servers listen on fixed ports, which a run of the same script at the
# same time, or a server of the host, would hold.  credstored's sockets
# are paths: they reach across namespaces.
tls_private_network() {
	[ -n "${TLS_NETNS:-}" ] && return 0
	unshare -n true 2>/dev/null || return 0
	TLS_NETNS=1 exec unshare -n bash -c 'ip link set lo up && exec bash "$@"' bash "$@"
}

# tls_openssl_cnf FILE: an openssl.cnf that loads the default provider and
# credstore (credstored running as the caller's uid, its sockets in
# $CREDSTORE_RUNTIME_DIR).
tls_openssl_cnf() {
	cat > "$1" <<-CNF
	openssl_conf = openssl_init
	[openssl_init]
	providers = provider_sect
	[provider_sect]
	default = default_sect
	credstore = credstore_sect
	[default_sect]
	activate = 1
	[credstore_sect]
	module = $PROVIDER_DIR/credstore.so
	daemon-uid = $(id -u)
	runtime-dir = ${CREDSTORE_RUNTIME_DIR:-/run/credstore}
	activate = 1
	CNF
}

# _tls_wait_port PORT PID: until something listens on 127.0.0.1:PORT.
_tls_wait_port() {
	local i
	for i in $(seq 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# _tls_started VAR PORT: the server this shell just started in the
# background is VAR's pid, stopped by tls_stop_all; until it listens on
# PORT (fails if it exits first).
_tls_started() {
	printf -v "$1" '%s' "$!"
	_tls_pids+=("$!")
	_tls_wait_port "$2" "$!"
}

# tls_start_nginx DIR PORT USER GROUP CHAIN KEY [CHAIN KEY]: nginx serving
# "ok" over TLS with the chains and keys (key files: PEM keys or credstore
# key references), one worker running as USER:GROUP; sets NGINX_PID.
# Its log is DIR/error.log; `kill -HUP $NGINX_PID` reloads it.
tls_start_nginx() {
	local dir=$1 port=$2 user=$3 group=$4; shift 4
	local certs=""
	while [ $# -ge 2 ]; do
		certs+="ssl_certificate $1; ssl_certificate_key $2; "
		shift 2
	done
	mkdir -p "$dir/logs"
	tls_openssl_cnf "$dir/openssl.cnf"
	cat > "$dir/nginx.conf" <<-CONF
	user $user $group;
	worker_processes 1;
	pid $dir/nginx.pid;
	error_log $dir/error.log info;
	events { worker_connections 256; }
	http {
		access_log off;
		server {
			listen 127.0.0.1:$port ssl;
			$certs
			ssl_session_cache off;
			ssl_session_tickets off;
			location / { return 200 "ok\n"; }
		}
	}
	CONF
	OPENSSL_CONF=$dir/openssl.cnf nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' \
		> "$dir/stdout.log" 2>&1 &
	_tls_started NGINX_PID "$port"
}

# tls_start_haproxy DIR PORT STATS_PORT USER GROUP CRT: HAProxy 2.6 with
# `ssl-provider credstore`, serving "ok" with CRT (the chain; its key in
# CRT.key), its runtime API on 127.0.0.1:STATS_PORT; sets HAPROXY_PID.
tls_start_haproxy() {
	local dir=$1 port=$2 stats=$3 user=$4 group=$5 crt=$6
	mkdir -p "$dir"
	cat > "$dir/haproxy.cfg" <<-CONF
	global
		ssl-provider-path $PROVIDER_DIR
		ssl-provider credstore
		ssl-provider default
		user $user
		group $group
		nbthread 2
		stats socket ipv4@127.0.0.1:$stats level admin
		log stderr format short local0 info
	defaults
		mode http
		log global
		option httplog
		timeout connect 5s
		timeout client 10s
		timeout server 10s
	frontend fe
		bind 127.0.0.1:$port ssl crt $crt no-tls-tickets
		http-request return status 200 content-type text/plain string "ok"
	CONF
	haproxy -f "$dir/haproxy.cfg" -db > "$dir/haproxy.log" 2>&1 &
	_tls_started HAPROXY_PID "$port"
}

# tls_start_lighttpd DIR PORT USER GROUP CHAIN KEY: lighttpd with
# mod_openssl serving DIR/index.html, dropping to USER:GROUP after loading
# its key; sets LIGHTTPD_PID.  Its log (stderr) is DIR/stdout.log.
tls_start_lighttpd() {
	local dir=$1 port=$2 user=$3 group=$4 chain=$5 key=$6
	mkdir -p "$dir"
	echo ok > "$dir/index.html"
	tls_openssl_cnf "$dir/openssl.cnf"
	cat > "$dir/lighttpd.conf" <<-CONF
	server.document-root = "$dir"
	server.bind = "127.0.0.1"
	server.port = $port
	server.username = "$user"
	server.groupname = "$group"
	server.modules += ( "mod_openssl" )
	ssl.engine = "enable"
	ssl.pemfile = "$chain"
	ssl.privkey = "$key"
	CONF
	OPENSSL_CONF=$dir/openssl.cnf lighttpd -D -f "$dir/lighttpd.conf" > "$dir/stdout.log" 2>&1 &
	_tls_started LIGHTTPD_PID "$port"
}

# tls_start_s_server LOG PORT ARGS...: openssl s_server with the provider
# loaded from the build, answering "ok"; sets S_SERVER_PID.
tls_start_s_server() {
	local log=$1 port=$2; shift 2
	openssl s_server -accept "127.0.0.1:$port" -provider-path "$PROVIDER_DIR" \
		-provider credstore -provider default -no_ticket -www "$@" > "$log" 2>&1 < /dev/null &
	_tls_started S_SERVER_PID "$port"
}

# tls_served_chain PORT [S_CLIENT ARGS...]: the fingerprints of the
# certificates a server sends, one a line.
tls_served_chain() {
	local port=$1; shift
	timeout 30 openssl s_client -connect "127.0.0.1:$port" -servername localhost -showcerts "$@" \
		< /dev/null 2>/dev/null | tls_pem_fingerprints
}

# tls_pem_fingerprints: the SHA-256 fingerprints of the PEM certificates
# on stdin, in order.
tls_pem_fingerprints() {
	awk '/-----BEGIN CERTIFICATE-----/ { f = 1; pem = "" }
	     f { pem = pem $0 "\n" }
	     /-----END CERTIFICATE-----/ { f = 0; print pem | "openssl x509 -noout -fingerprint -sha256"; close("openssl x509 -noout -fingerprint -sha256") }'
}
