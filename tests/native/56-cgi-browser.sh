#!/bin/bash
# The management page in a real browser: headless Chromium loads it over
# HTTPS served with the store's own identity (credstore-tlsproxy
# --no-client-cert in front of lighttpd; the key stays in credstored),
# uploads the appliance's four files, makes and installs the camera's
# certificate, and resets a device's sub; the store is then checked.
# Screenshots go to $BUILD/test-output/cgi-browser/.
#
# Not under ASan+UBSan: 55-cgi runs the same CGI code under the
# sanitizers through curl; the browser changes the client only, and one
# Chromium start costs more than the rest of the test.
. "$(dirname "$0")/../lib.sh"
own_ports "$0" "$@"	# its servers listen on fixed ports
. "$(dirname "$0")/credstored-env.bash"
REPO=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$REPO/build}
case $BUILD in */san)
	echo "ok - browser test skipped under ASan+UBSan # SKIP 55-cgi covers the CGI there"
	exit 0 ;;
esac
TLS_DIR=$T CGI_DIR=$T
. "$REPO/tests/tls/lib.sh"
. "$REPO/tests/cgi/lib.sh"
SHOTS=$BUILD/test-output/cgi-browser
trap 'tls_stop_all; cgi_stop_all; stop_daemon; rm -rf "$T" "$CREDSTORE_RUNTIME_DIR"' EXIT
me=$(id -u)

check "make a CA and certificates" tls_pki
in_shell "credstored starts, admitting www-data as admin" start_daemon --admin-group www-data
check "the web identity: credstored makes its key, the CA signs its CSR" sh -c "
	$CREDCTL anchor add ca $T/ca.pem &&
	$CREDCTL identity csr web --subject /CN=localhost > $T/web.csr &&
	printf 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n' > $T/web.ext &&
	openssl x509 -req -in $T/web.csr -CA $T/ca.pem -CAkey $T/ca.key -CAcreateserial -days 30 \
		-extfile $T/web.ext -out $T/web.pem 2>/dev/null &&
	$CREDCTL identity install web --chain $T/web.pem"
check "dev1 with a master and a sub secret" sh -c \
	"$CREDCTL device add dev1 --secret m1-secret-of-dev1 && $CREDCTL device reset-secret dev1 --secret s1-secret-of-dev1"
cgi_config
in_shell "lighttpd starts with the CGI" cgi_start_lighttpd
TLS_BACKEND_PORT=$CGI_LIGHTTPD_PORT
tls_start_proxy "$T/proxy.log" -i web -u "$me" --no-client-cert
check "credstore-tlsproxy serves HTTPS in front of it" test -n "$TLS_PORT"
check_output "with the store's web identity" "$(fingerprint "$T/web.pem" | sed 's/../&:/g; s/:$//')" \
	sh -c "openssl s_client -connect 127.0.0.1:$TLS_PORT -servername localhost </dev/null 2>/dev/null |
	openssl x509 -noout -fingerprint -sha256 | tr A-F a-f"
pin=$(openssl x509 -in "$T/web.pem" -noout -pubkey | openssl pkey -pubin -outform der |
	openssl dgst -sha256 -binary | base64)
openssl pkey -in "$T/server2.key" -aes256 -passout pass:key-pw -out "$T/server2-enc.key" 2>/dev/null
cat "$T/server2.pem" "$T/ca.pem" > "$T/server2-chain.pem"
rm -rf "$SHOTS" && mkdir -p "$SHOTS"
timeout 300 /usr/bin/python3 "$REPO/tests/cgi/browser.py" "https://localhost:$TLS_PORT/credstore" \
	"$CGI_USER" "$CGI_PASSWORD" "$pin" "$T" "$SHOTS" || _failed=1
check_output "the store holds the root the browser uploaded" "$(fingerprint "$T/ca.pem")" \
	$CREDCTL anchor list
check_output "and the camera certificate signed from the browser's CSR" "$(fingerprint "$T/browser.pem")" \
	$CREDCTL identity show https
check_output "and dev1 has no sub left after drop-sub" '^match=none$' \
	"$BUILD/tests/credstore-consumer" -d "$me" verify-secret dev1 browser-sub-secret
check_output "its master is untouched" '^match=master$' \
	"$BUILD/tests/credstore-consumer" -d "$me" verify-secret dev1 m1-secret-of-dev1
check_output "the proxy let the browser in without a client certificate" \
	'accepted 127\.0\.0\.1:[0-9]+ \(no client certificate asked\)' cat "$T/proxy.log"
finish
