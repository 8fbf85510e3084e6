#!/bin/bash
# credstore-cgi behind lighttpd and busybox httpd (both started here, as
# www-data, which credstored admits through --admin-group), driven with
# curl: the camera's HTTPS_CER protocol byte for byte, its bad input, the
# factory and configuration resets, the terminals' downloads, and the
# management page's appliance upload and device actions.  The page in a
# real browser is 56-cgi-browser.
. "$(dirname "$0")/../lib.sh"
own_ports "$0" "$@"	# its servers listen on fixed ports
. "$(dirname "$0")/credstored-env.bash"
REPO=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$REPO/build}
TLS_DIR=$T CGI_DIR=$T
. "$REPO/tests/tls/lib.sh"
. "$REPO/tests/cgi/lib.sh"
trap 'cgi_stop_all; stop_daemon; rm -rf "$T" "$CREDSTORE_RUNTIME_DIR"' EXIT
L=http://127.0.0.1:$CGI_LIGHTTPD_PORT
B=http://127.0.0.1:$CGI_BUSYBOX_PORT
AUTH="$CGI_USER:$CGI_PASSWORD"
# cam URL-QUERY [CURL-ARGS]: the camera's CGI on lighttpd (digest).
cam() { local q=$1; shift; curl -s --digest -u "$AUTH" "$@" "$L/cgi-bin/update?$q"; }
# body_is EXPECTED COMMAND...: the command prints exactly EXPECTED and a newline.
body_is() { local want=$1; shift; cmp <(printf '%s\n' "$want") <("$@"); }
https_fp() { $CREDCTL identity show https 2>/dev/null | sed -n 's/^fingerprint: //p' | head -n 1; }

check "make a CA and certificates" tls_pki
in_shell "credstored starts, admitting www-data as admin" start_daemon --admin-group www-data
cgi_config
in_shell "lighttpd starts with the CGI" cgi_start_lighttpd
in_shell "busybox httpd starts with the CGI" cgi_start_busybox

# ---- the camera's protocol ----
check_output "query without authentication: the web server refuses (401)" '^401$' \
	curl -s -o /dev/null -w '%{http_code}' "$L/cgi-bin/update?HTTPS_CER"
check "query: HTTPS_CER='none'" body_is "HTTPS_CER='none'" cam HTTPS_CER
check_output "answers are Content-type: text/plain" '^Content-type: text/plain' cam HTTPS_CER -D - -o /dev/null
check "remove with nothing to remove: OK" body_is OK cam HTTPS_CER=remove
check_output "upload gives a form posting a file to update?HTTPS_CER_SAVE" \
	'action="update\?HTTPS_CER_SAVE" method="post" enctype="multipart/form-data"' cam HTTPS_CER=upload
check "the camera makes its key and CSR (credctl identity csr)" \
	sh -c "$CREDCTL identity csr https --subject /CN=localhost > $T/https.csr"
sign() {	# sign CSR OUT: signed by the test CA for localhost
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > "$T/ext"
	openssl x509 -req -in "$1" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial -days 30 \
		-extfile "$T/ext" -out "$2" 2>/dev/null
}
check "the CA signs it" sign "$T/https.csr" "$T/https.pem"
check "upload the certificate: OK" body_is OK cam HTTPS_CER_SAVE -F "file=@$T/https.pem;filename=mycert.crt"
check "query: HTTPS_CER='certSrv.pem'" body_is "HTTPS_CER='certSrv.pem'" cam HTTPS_CER
check_output "the store holds it as identity https" "$(fingerprint "$T/https.pem")" \
	$CREDCTL identity show https
before=$(https_fp)
check_output "a certificate for another key: ERROR, nothing changed" \
	'^ERROR: internal error\. .*(key|match)' cam HTTPS_CER_SAVE -F "file=@$T/server.pem"
check "the store still holds the first certificate" test "$(https_fp)" = "$before"
echo "not a certificate" > "$T/junk.pem"
check_output "a file that is not a certificate: ERROR" '^ERROR: internal error\. ' \
	cam HTTPS_CER_SAVE -F "file=@$T/junk.pem"
head -c 70000 /dev/urandom > "$T/big.bin"
check_output "an upload over 64 KiB: ERROR naming the limit" \
	'^ERROR: internal error\. the upload is [0-9]+ bytes, larger than the limit of 65536$' \
	cam HTTPS_CER_SAVE -F "file=@$T/big.bin"
printf -- '--XyZ\r\nContent-Disposition: form-data; name="file"; filename="c.pem"\r\n\r\n%s' \
	"$(cat "$T/https.pem")" > "$T/truncated.body"
check_output "a multipart upload without its closing boundary: ERROR truncated" \
	'^ERROR: internal error\. the upload is truncated' \
	cam HTTPS_CER_SAVE -H 'Content-Type: multipart/form-data; boundary=XyZ' --data-binary "@$T/truncated.body"
check_output "a file field missing: ERROR" '^ERROR: internal error\. the upload holds no file$' \
	cam HTTPS_CER_SAVE -F "note=hello"
check_output "HTTPS_CER_SAVE by GET: ERROR" '^ERROR: internal error\. HTTPS_CER_SAVE takes a POST$' cam HTTPS_CER_SAVE
check_output "an unknown parameter: ERROR" '^ERROR: internal error\. unknown parameter$' cam 'HTTPS_CER&FOO=1'
check_output "a repeated parameter: ERROR" '^ERROR: internal error\. a parameter is repeated$' \
	cam 'HTTPS_CER=remove&HTTPS_CER=remove'
check_output "two commands: ERROR" '^ERROR: internal error\. one command at a time$' \
	cam 'HTTPS_CER=remove&HTTPS_CER_SAVE'
check_output "an unknown value: ERROR" '^ERROR: internal error\. HTTPS_CER is remove, upload or nothing$' \
	cam 'HTTPS_CER=delete'
check_output "a malformed escape: ERROR" '^ERROR: internal error\. ' cam 'HTTPS_CER=%zz'
check_output "credentials in the URL are refused by default" \
	'^ERROR: internal error\. credentials in the URL are refused' cam 'USER=admin&PWD=x&HTTPS_CER=remove'
check "and none of these changed anything" body_is "HTTPS_CER='certSrv.pem'" cam HTTPS_CER

# ---- resets ----
check "configuration reset (credctl store reset-devices)" $CREDCTL store reset-devices --yes
check "keeps the HTTPS certificate" body_is "HTTPS_CER='certSrv.pem'" cam HTTPS_CER
check "remove: OK" body_is OK cam HTTPS_CER=remove
check "query after remove: none" body_is "HTTPS_CER='none'" cam HTTPS_CER
check "remove also dropped the CSR's key: the certificate no longer installs" \
	sh -c "! cam HTTPS_CER_SAVE -F file=@$T/https.pem | grep -qx OK"
check "a new CSR, signed" sh -c "$CREDCTL identity csr https --subject /CN=localhost > $T/https2.csr"
sign "$T/https2.csr" "$T/https2.pem"
check "uploaded again: OK" body_is OK cam HTTPS_CER_SAVE -F "file=@$T/https2.pem"
check "factory reset (credctl store factory-reset)" $CREDCTL store factory-reset --yes
check "removes the HTTPS certificate" body_is "HTTPS_CER='none'" cam HTTPS_CER

# ---- the compatibility switch: USER= and PWD= in the URL ----
direct() {	# direct QUERY: the CGI run as a web server would, without one
	GATEWAY_INTERFACE=CGI/1.1 SCRIPT_NAME=/cgi-bin/update REQUEST_METHOD=GET QUERY_STRING=$1 \
		CREDSTORE_CGI_CONFIG=$T/cgi.conf "$BUILD/bin/credstore-cgi" | tr -d '\r'
}
cgi_config "url-credentials = admin:$(openssl passwd -6 -salt 0123456789abcdef s3cret)"
check_output "with url-credentials set, the right USER and PWD are accepted" "^HTTPS_CER='none'$" \
	direct 'USER=admin&PWD=s3cret&HTTPS_CER'
check_output "a wrong PWD is not" '^ERROR: not authorized$' direct 'USER=admin&PWD=wrong&HTTPS_CER'
check_output "another USER is not" '^ERROR: not authorized$' direct 'USER=root&PWD=s3cret&HTTPS_CER'
cgi_config
check_output "without the switch, no authentication at all is refused" '^ERROR: not authorized$' \
	direct 'HTTPS_CER'

# ---- busybox httpd ----
bcam() { local q=$1; shift; curl -s -u "$AUTH" "$@" "$B/cgi-bin/update?$q"; }
check_output "busybox: no authentication, 401" '^401$' \
	curl -s -o /dev/null -w '%{http_code}' "$B/cgi-bin/update?HTTPS_CER"
check "busybox: query: none" body_is "HTTPS_CER='none'" bcam HTTPS_CER
check "busybox: a new CSR, signed" sh -c "$CREDCTL identity csr https --subject /CN=localhost > $T/https3.csr"
sign "$T/https3.csr" "$T/https3.pem"
check "busybox: upload: OK" body_is OK bcam HTTPS_CER_SAVE -F "file=@$T/https3.pem"
check "busybox: query: certSrv.pem" body_is "HTTPS_CER='certSrv.pem'" bcam HTTPS_CER
check_output "busybox: an unknown parameter: ERROR" '^ERROR: internal error\. unknown parameter$' \
	bcam 'HTTPS_CER&X=1'

# ---- what terminals download (no authentication) ----
check "anchor add root" $CREDCTL anchor add root "$T/ca.pem"
check "lighttpd: /credstore/anchors.pem is the trust bundle" \
	cmp <(curl -s "$L/credstore/anchors.pem") <(openssl x509 -in "$T/ca.pem")
check "lighttpd: /credstore/server.pem is the server certificate" \
	cmp <(curl -s "$L/credstore/server.pem") <(openssl x509 -in "$T/https3.pem")
check "busybox: /cgi-bin/credstore/anchors.pem too" \
	cmp <(curl -s "$B/cgi-bin/credstore/anchors.pem") <(openssl x509 -in "$T/ca.pem")

# ---- the management page ----
page() { curl -s -u "$AUTH" "$@"; }
check_output "the page without authentication: 401" '^401$' \
	curl -s -o /dev/null -w '%{http_code}' "$L/credstore/manage"
check_output "the page lists what terminals download" 'What terminals download' page "$L/credstore/manage"
check_output "busybox serves the page too" 'Camera: HTTPS certificate' page "$B/cgi-bin/credstore/manage"
openssl pkey -in "$T/server2.key" -aes256 -passout pass:key-pw -out "$T/server2-enc.key" 2>/dev/null
cat "$T/server2.pem" "$T/ca.pem" > "$T/server2-chain.pem"
appliance() {	# appliance KEYFILE PASSWORD: the page's upload of all four
	page "$L/credstore/manage" -F action=appliance -F "root=@$T/ca.pem" \
		-F "server=@$T/server2-chain.pem" -F "key=@$1" -F "password=$2"
}
check_output "appliance: a wrong key password is shown as an error" 'class="error".*Nothing was changed' \
	appliance "$T/server2-enc.key" wrong-pw
check "and nothing was changed" cmp <(curl -s "$L/credstore/server.pem") <(openssl x509 -in "$T/https3.pem")
check_output "appliance: a key of another certificate is an error" 'class="error"' \
	appliance "$T/server.key" ""
check_output "appliance: root, server certificate, key and password together" 'class="ok"' \
	appliance "$T/server2-enc.key" key-pw
check "terminals now get the new server certificate" \
	cmp <(curl -s "$L/credstore/server.pem") <(cat "$T/server2.pem" "$T/ca.pem" | openssl crl2pkcs7 -nocrl -certfile /dev/stdin | openssl pkcs7 -print_certs | grep -v '^subject\|^issuer\|^$')
check_output "a form posted from another site is refused" '^403$' \
	page -o /dev/null -w '%{http_code}' -H 'Origin: https://evil.example' -F action=camera-remove "$L/credstore/manage"
check "credctl device add dev1 with a sub secret" sh -c \
	"$CREDCTL device add dev1 --secret m1-secret-of-dev1 && $CREDCTL device reset-secret dev1 --secret s1-secret-of-dev1"
check_output "the device list links dev1's page" 'manage/device\?id=dev1' page "$L/credstore/manage"
check_output "device page: reset the sub secret" 'class="ok"' \
	page "$L/credstore/manage/device?id=dev1" -F action=reset-secret -F slot=sub -F secret=s1-new-secret-of-dev1
check_output "the store has it: the new sub secret verifies" '^match=sub$' \
	"$BUILD/tests/credstore-consumer" -d "$(id -u)" verify-secret dev1 s1-new-secret-of-dev1
check_output "device page: promote" 'class="ok"' page "$L/credstore/manage/device?id=dev1" -F action=promote
check_output "the promoted secret is the master" '^match=master$' \
	"$BUILD/tests/credstore-consumer" -d "$(id -u)" verify-secret dev1 s1-new-secret-of-dev1
check_output "device page: set the master fingerprint by its hex" 'class="ok"' \
	page "$L/credstore/manage/device?id=dev1" -F action=reset-fingerprint -F slot=master \
	-F "fingerprint=$(fingerprint "$T/dev1-master.pem")"
check_output "device page: reset the sub fingerprint from a certificate" 'class="ok"' \
	page "$L/credstore/manage/device?id=dev1" -F action=reset-fingerprint -F slot=sub -F "cert=@$T/dev1-sub.pem"
check_output "the store has it" "^match=sub id=dev1$" \
	"$BUILD/tests/credstore-consumer" -d "$(id -u)" verify-fp "$(fingerprint "$T/dev1-sub.pem")"
check_output "device page: drop-sub" 'class="ok"' page "$L/credstore/manage/device?id=dev1" -F action=drop-sub
check_output "an unknown device's page says so" 'No device nosuch' page "$L/credstore/manage/device?id=nosuch"
check_output "the device page takes one id" '^400$' \
	page -o /dev/null -w '%{http_code}' "$L/credstore/manage/device?id=a&id=b"
check_fails "a secret never appears in a URL the page makes" \
	sh -c "curl -s -u '$AUTH' '$L/credstore/manage/device?id=dev1' | grep -q 'secret='"
check "the CGI's runs left no sanitizer report" cgi_sanitizer_clean
finish
