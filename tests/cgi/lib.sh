# Helpers of the CGI tests and the demo: credstore-cgi behind lighttpd and
# busybox httpd, both started here on loopback as the www-data user, with
# the web servers' own authentication.  Needs $BUILD and $CGI_DIR, after
# tests/lib.sh.
CGI_LIGHTTPD_PORT=8080
CGI_BUSYBOX_PORT=8081
CGI_USER=admin
CGI_PASSWORD=camera-admin-pw
CGI_REALM=credstore
_cgi_pids=()

# Under the ASan+UBSan build the CGI's reports go to files that
# cgi_sanitizer_clean checks (a web server does not show a CGI's stderr).
CGI_SAN_DIR=$CGI_DIR/sanitizers
cgi_env() {
	echo "CREDSTORE_CGI_CONFIG=$CGI_DIR/cgi.conf"
	case $BUILD in
	*/san)
		echo "ASAN_OPTIONS=detect_leaks=1:log_path=$CGI_SAN_DIR/asan"
		echo "UBSAN_OPTIONS=print_stacktrace=1:log_path=$CGI_SAN_DIR/ubsan" ;;
	esac
}
cgi_sanitizer_clean() {
	! ls "$CGI_SAN_DIR" | grep -q . || { cat "$CGI_SAN_DIR"/* >&2; return 1; }
}

# The CGI's configuration, read through CREDSTORE_CGI_CONFIG.
cgi_config() {
	printf '%s\n' "identity = https" "anchor = root" "daemon-user = $(id -u)" "runtime-dir = $CREDSTORE_RUNTIME_DIR" "$@" > "$CGI_DIR/cgi.conf"
	chmod 644 "$CGI_DIR/cgi.conf"
}

# A document root where /cgi-bin/update (the camera) and ROOT_CGI (the
# page and downloads) are the CGI program.
_cgi_docroot() {
	local root=$1 page=$2
	mkdir -p "$root/cgi-bin" "$(dirname "$root/$page")" "$CGI_SAN_DIR"
	chmod 1777 "$CGI_SAN_DIR"
	ln -sf "$BUILD/bin/credstore-cgi" "$root/cgi-bin/update"
	ln -sf "$BUILD/bin/credstore-cgi" "$root/$page"
	echo "<p>credstore test</p>" > "$root/index.html"
	chmod -R a+rX "$CGI_DIR"
}

_cgi_wait_port() {
	local port=$1 pid=$2 log=$3
	for _ in $(seq 100); do
		curl -s -o /dev/null "http://127.0.0.1:$port/index.html" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	cat "$log" >&2
	return 1
}

# lighttpd: digest authentication for the camera's URL, basic for the
# page (the CGI sees REMOTE_USER either way); /credstore/*.pem are public.
cgi_start_lighttpd() {
	local root=$CGI_DIR/www ha1
	_cgi_docroot "$root" credstore
	ha1=$(printf '%s' "$CGI_USER:$CGI_REALM:$CGI_PASSWORD" | md5sum | cut -d' ' -f1)
	echo "$CGI_USER:$CGI_REALM:$ha1" > "$CGI_DIR/htdigest"
	chmod 644 "$CGI_DIR/htdigest"
	cat > "$CGI_DIR/lighttpd.conf" <<-CONF
	server.document-root = "$root"
	server.bind = "127.0.0.1"
	server.port = $CGI_LIGHTTPD_PORT
	server.username = "www-data"
	server.groupname = "www-data"
	server.modules = ( "mod_auth", "mod_authn_file", "mod_setenv", "mod_cgi" )
	server.follow-symlink = "enable"
	setenv.add-environment = ( $(cgi_env | sed 's/^\([^=]*\)=\(.*\)$/"\1" => "\2",/' | tr '\n' ' ') )
	auth.backend = "htdigest"
	auth.backend.htdigest.userfile = "$CGI_DIR/htdigest"
	auth.require = (
		"/cgi-bin/update" => ( "method" => "digest", "realm" => "$CGI_REALM", "require" => "valid-user" ),
		"/credstore/manage" => ( "method" => "basic", "realm" => "$CGI_REALM", "require" => "valid-user" ),
	)
	\$HTTP["url"] =~ "^/(cgi-bin/update|credstore)" { cgi.assign = ( "" => "" ) }
	CONF
	lighttpd -D -f "$CGI_DIR/lighttpd.conf" > "$CGI_DIR/lighttpd.out" 2>&1 &
	_cgi_pids+=($!)
	_cgi_wait_port $CGI_LIGHTTPD_PORT $! "$CGI_DIR/lighttpd.out"
}

# busybox httpd: basic authentication for the camera's URL and the page
# (an MD5-crypt password), /cgi-bin/credstore/*.pem public.  It has no
# TLS: put it behind credstore-tlsproxy --no-client-cert for HTTPS.
cgi_start_busybox() {
	local root=$CGI_DIR/bb hash
	_cgi_docroot "$root" cgi-bin/credstore
	hash=$(busybox httpd -m "$CGI_PASSWORD")
	printf '%s\n' "/cgi-bin/update:$CGI_USER:$hash" "/cgi-bin/credstore/manage:$CGI_USER:$hash" \
		> "$CGI_DIR/httpd.conf"
	chmod 644 "$CGI_DIR/httpd.conf"
	env $(cgi_env) busybox httpd -f -p "127.0.0.1:$CGI_BUSYBOX_PORT" \
		-h "$root" -c "$CGI_DIR/httpd.conf" -r "$CGI_REALM" -u www-data:www-data \
		> "$CGI_DIR/busybox.log" 2>&1 &
	_cgi_pids+=($!)
	_cgi_wait_port $CGI_BUSYBOX_PORT $! "$CGI_DIR/busybox.log"
}

cgi_stop_all() {
	stop_pids "${_cgi_pids[@]}"
	_cgi_pids=()
}
