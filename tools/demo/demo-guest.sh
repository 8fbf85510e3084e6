# The demo, inside the VM (make demo prints the lines that start "demo: "):
# credstored keeps credentials on a simulated NAND chip and publishes them
# to credstore.ko; a CA signs the server's CSR; two devices connect
# through credstore-tlsproxy, one with its master and one with its sub
# certificate; a device credential and the server certificate rotate
# while the proxy runs.  Then MQTT devices through mosquitto with the
# credstore plugin, CoAP devices through credstore-coapd, and the
# management page behind lighttpd.
# vm-nandsim: id_bytes=0x20,0xaa,0x00,0x15 parts=64
# vm-timeout: 900
DAEMON_ARGS="--mtd /dev/mtd0"
. "$REPO/tests/native/credstored-env.bash"
BUILD=${BUILD:-$REPO/build}
. "$REPO/tests/tls/lib.sh"
TLS_DIR=$T MQTT_DIR=$T COAP_DIR=$T CGI_DIR=$T
. "$REPO/tests/mqtt/lib.sh"
. "$REPO/tests/coap/lib.sh"
. "$REPO/tests/cgi/lib.sh"
ip link set lo up
trap 'tls_stop_all; mqtt_stop_all; coap_stop_all; cgi_stop_all; stop_daemon; rm -rf "$T" "$CREDSTORE_RUNTIME_DIR"' EXIT

say() { echo "demo: $*"; }
indent() { sed 's/^/demo:     /'; }
# step WORDS COMMAND...: run it and say whether it worked.
step() {
	local words=$1; shift
	if "$@" > "$T/step.out" 2>&1; then
		say "  ok: $words"
	else
		say "  FAILED: $words"
		indent < "$T/step.out"
	fi
}
proxy_says() { grep -E "$1" "$T/proxy.log" | tail -n 1 | sed 's/^credstore-tlsproxy: //' | indent; }
ctl() { $CREDCTL "$@"; }

say "1. The machine: Debian's kernel $(uname -r) under qemu, a simulated NAND chip (nandsim):"
mtdinfo /dev/mtd0 | grep -E 'Type|Eraseblock size|Minimum input|Amount' | indent
say "   and the credstore kernel module, whose generic netlink family answers queries:"
genl-ctrl-list | grep credstore | indent

say "2. credstored formats the NAND partition as its log-structured store and publishes to the module."
step "credstored runs on /dev/mtd0 (www-data, the web server's user, may administer)" \
	start_daemon --admin-group www-data
ctl store status | grep -E 'generation|publishing|bad_blocks' | indent

say "3. A certificate authority (made here with openssl) becomes the store's trust anchor."
step "CA created" tls_cert ca "/CN=Demo CA"
step "credctl anchor add demo-ca" ctl anchor add demo-ca "$T/ca.pem"

say "4. The server identity: credstored makes the private key itself (it never leaves the store"
say "   unencrypted) and prints a certificate signing request; the CA signs it; we install it."
sign_csr() {	# sign_csr NAME: $T/NAME.csr -> $T/NAME.pem, for localhost
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > "$T/$1.ext"
	openssl x509 -req -in "$T/$1.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial \
		-days 30 -extfile "$T/$1.ext" -out "$T/$1.pem"
}
step "credctl identity csr web" sh -c "$CREDCTL identity csr web --subject /CN=localhost > $T/web.csr"
step "the CA signs the CSR" sign_csr web
step "credctl identity install web (its chain must reach demo-ca)" \
	ctl identity install web --chain "$T/web.pem" --anchor demo-ca
ctl identity show web | grep -E 'subject|not_after|fingerprint' | indent

say "5. Two devices, each known by the SHA-256 fingerprint of its certificate:"
device_cert() { tls_cert "$1" "/CN=$1" ca extendedKeyUsage=clientAuth; }
refused() { ! tls_curl "$1"; }
step "device certificates for cam1 and cam2 (two for cam2)" \
	eval 'device_cert cam1 && device_cert cam2-old && device_cert cam2'
step "credctl device add cam1 --cert cam1.pem (its master)" ctl device add cam1 --cert "$T/cam1.pem"
step "credctl device add cam2 --cert cam2-old.pem (its master)" ctl device add cam2 --cert "$T/cam2-old.pem"
step "credctl device reset-fingerprint cam2 --cert cam2.pem (becomes its sub)" \
	ctl device reset-fingerprint cam2 --cert "$T/cam2.pem"
ctl device show cam2 | grep -E 'fingerprint' | indent

say "6. The TLS front end: credstore-tlsproxy takes its certificate and key from the store (through"
say "   the module), requires a client certificate, and forwards admitted devices to a backend."
tls_start_backend
tls_start_proxy "$T/proxy.log" -i web
proxy_says 'serving identity'

say "7. Devices connect with curl, through TLS, to the backend behind the proxy:"
step "cam1 with its master certificate gets the backend's page" tls_curl cam1
proxy_says 'admitted device cam1'
step "cam2 with its sub certificate gets the page too" tls_curl cam2
proxy_says 'admitted device cam2'
say "   a certificate the store does not know is refused, and the proxy says why:"
tls_cert stranger /CN=stranger > /dev/null 2>&1
step "the stranger is refused" refused stranger
proxy_says 'refused'

say "8. cam1 rotates its credential without a refused connection: the new certificate becomes"
say "   the sub, the device moves to it, then the sub is promoted to master."
step "a new certificate for cam1" device_cert cam1-new
step "credctl device reset-fingerprint cam1 --cert cam1-new.pem" \
	ctl device reset-fingerprint cam1 --cert "$T/cam1-new.pem"
step "cam1 still connects with its old certificate (its master)" tls_curl cam1
step "and with its new one (its sub)" tls_curl cam1-new
proxy_says 'admitted device cam1 \(sub\)'
step "credctl device promote cam1" ctl device promote cam1
step "cam1 connects with the new certificate, now its master" tls_curl cam1-new
proxy_says 'admitted device cam1 \(master\)'
step "the old certificate is refused from now on" refused cam1

say "9. The server certificate is replaced while a device stays connected:"
mkfifo "$T/to-cam2"
timeout 120 openssl s_client -quiet -connect "127.0.0.1:$TLS_PORT" -CAfile "$T/ca.pem" \
	-cert "$T/cam2.pem" -key "$T/cam2.key" < "$T/to-cam2" > "$T/from-cam2" 2>/dev/null &
_tls_pids+=($!)
exec 3> "$T/to-cam2"
echoed() { for _ in $(seq 300); do grep -q "$1" "$T/from-cam2" && return 0; sleep 0.1; done; return 1; }
echo "hello before" >&3
step "cam2 holds a connection open (the backend echoes what it sends)" echoed "hello before"
say "   the certificate new connections get now:"
tls_server_subject cam2 | indent
step "credctl identity csr web: a new key, a new CSR" sh -c \
	"$CREDCTL identity csr web --subject /CN=localhost/OU=renewed > $T/web2.csr"
step "the CA signs the new CSR" sign_csr web2
step "credctl identity install web" ctl identity install web --chain "$T/web2.pem" --anchor demo-ca
proxy_says 'reloaded'
say "   the certificate new connections get now:"
tls_server_subject cam2 | indent
echo "hello after" >&3
step "cam2's open connection still works" echoed "hello after"
exec 3>&-

mqtt_says() { grep -E "$1" "$T/broker.log" | tail -n 1 | sed 's/^credstore: //' | indent; }
say "10. MQTT: Debian's mosquitto with the credstore-mosquitto plugin (queries through the module)."
step "sensor1: a master and a sub secret" sh -c \
	"$CREDCTL device add sensor1 --secret sensor1-master-secret && $CREDCTL device reset-secret sensor1 --secret sensor1-sub-secret-00"
step "a server certificate for the broker (mosquitto reads its key from a file)" \
	tls_cert server /CN=localhost ca $'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth'
chmod 644 "$T"/*.key
MQTT_TRANSPORT=auto
step "mosquitto starts with the plugin" mqtt_start_broker broker "$(mqtt_store_config)"
mqtt_says 'devices admitted by the store'
step "cam1 publishes over TLS with its (new) master certificate" \
	mqtt_pub_cert cam1-new -t devices/cam1/state -m on
mqtt_says 'admitted device cam1'
step "sensor1 publishes with its master secret as password" mqtt_pub_secret sensor1 sensor1-master-secret
step "and with its sub secret" mqtt_pub_secret sensor1 sensor1-sub-secret-00
mqtt_says 'admitted device sensor1 \(sub secret\)'
now=$(date +%s)
step "and with HMAC-SHA256(secret, timestamp), the timestamp in its client id" \
	mqtt_pub_secret sensor1 "$(mqtt_hmac sensor1-master-secret "$now")" "sensor1_0_1_$now"
mqtt_says 'HMAC'
step "a wrong secret is refused" eval '! mqtt_pub_secret sensor1 guess'
mqtt_says 'refused'
step "credctl device reset-secret sensor1 --master (rotation, no broker restart)" \
	ctl device reset-secret sensor1 --master --secret sensor1-rotated-secret
step "the old master is refused, the new one admitted" \
	eval '! mqtt_pub_secret sensor1 sensor1-master-secret && mqtt_pub_secret sensor1 sensor1-rotated-secret'

say "11. CoAP over DTLS: credstore-coapd, the PSK is the device's master secret (CoAP has no sub)."
step "credstore-coapd starts" coap_start_server coapd
step "sensor1 with its master secret: coap-client gets 'device sensor1'" coap_whoami sensor1 sensor1-rotated-secret
step "its sub secret is refused" eval '! coap_whoami sensor1 sensor1-sub-secret-00'
step "credctl device reset-secret sensor1 --master (rotation, no server restart)" \
	ctl device reset-secret sensor1 --master --secret sensor1-coap-secret-0
step "the new master is admitted at the next handshake" coap_whoami sensor1 sensor1-coap-secret-0

say "12. The management page: credstore-cgi behind lighttpd, HTTPS from credstore-tlsproxy"
say "    --no-client-cert with the store's identity web."
cgi_config
step "lighttpd starts" cgi_start_lighttpd
TLS_BACKEND_PORT=$CGI_LIGHTTPD_PORT
tls_start_proxy "$T/web.log" -i web --no-client-cert
say "   the page: https://localhost:$TLS_PORT/credstore/manage (user $CGI_USER, password $CGI_PASSWORD)"
say "   terminals download https://localhost:$TLS_PORT/credstore/anchors.pem and .../server.pem"
step "curl fetches the page through HTTPS" sh -c "curl -sf --cacert $T/ca.pem -u $CGI_USER:$CGI_PASSWORD \
	https://localhost:$TLS_PORT/credstore/manage | grep -q 'What terminals download'"
step "and the trust bundle, without a password" sh -c "curl -sf --cacert $T/ca.pem \
	https://localhost:$TLS_PORT/credstore/anchors.pem | grep -q 'BEGIN CERTIFICATE'"

say "13. Done: credentials on NAND, served by the kernel module, admitted by fingerprint, secret"
say "    or HMAC over TLS, MQTT and CoAP, rotated without refusing a device or dropping a connection."
