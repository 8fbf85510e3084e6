#!/bin/bash
# credstore-mosquitto in Debian's mosquitto 2.0, on credstored in
# userspace mode, with mosquitto_pub / mosquitto_sub as the devices:
# master and sub certificates and secrets, the HMAC-of-timestamp form, a
# disabled sub, changes taking effect without a restart, a device removed
# or revoked while connected, malformed and over-long credentials.
. "$(dirname "$0")/../lib.sh"
own_ports "$0" "$@"	# its servers listen on fixed ports
. "$(dirname "$0")/credstored-env.bash"
REPO=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$REPO/build}
TLS_DIR=$T MQTT_DIR=$T
. "$REPO/tests/tls/lib.sh"
. "$REPO/tests/mqtt/lib.sh"
trap 'mqtt_stop_all; stop_daemon; rm -rf "$T" "$CREDSTORE_RUNTIME_DIR"' EXIT
blog=$T/broker.log
broker_says() { grep -Eq "$1" "$blog"; }

check "make a CA, the broker's and devices' certificates" tls_pki
chmod 644 "$T"/*.key	# the broker runs as the mosquitto user
in_shell "credstored starts" start_daemon
check "dev1: its master certificate" $CREDCTL device add dev1 --cert "$T/dev1-master.pem"
check "dev2: a master certificate and a sub one" sh -c \
	"$CREDCTL device add dev2 --cert $T/dev2-master.pem && $CREDCTL device reset-fingerprint dev2 --cert $T/dev1-sub.pem"
check "dev3: a master and a sub secret" sh -c \
	"$CREDCTL device add dev3 --secret m3-secret-of-dev3 && $CREDCTL device reset-secret dev3 --secret s3-secret-of-dev3"
check "dev4: a secret" $CREDCTL device add dev4 --secret four-secret-of-dev4
echo "pattern readwrite devices/%u/#" > "$T/acl"
# The broker runs as the mosquitto user (mqtt_start_broker): the plugin
# hears removals on credstored's query socket all the same.
in_shell "mosquitto starts with the plugin" mqtt_start_broker broker "$(mqtt_store_config)" \
	"acl_file $T/acl"
check_output "the broker says the store admits devices" 'devices admitted by the store \(credstored\)' cat "$blog"

# ---- certificates ----
check "dev1's master certificate is admitted" mqtt_pub_cert dev1-master -t devices/dev1/state -m on -r
check "dev2's sub certificate is admitted" mqtt_pub_cert dev1-sub -t devices/dev2/state -m on -r
check_fails "a CA-signed certificate of no device is refused" mqtt_pub_cert dev1-next -t devices/x -m x
check_output "the log names dev1 by its master certificate" \
	'admitted device dev1 \(master certificate\)' cat "$blog"
check_output "the log names dev2 by its sub certificate" 'admitted device dev2 \(sub certificate\)' cat "$blog"
check_output "the log gives the refusal's reason" \
	"refused client 'dev1-next-pub' .*: certificate $(fingerprint "$T/dev1-next.pem") is no device's master or sub" cat "$blog"
sub_cert() {	# sub_cert NAME TOPIC: one retained message, or nothing in 3 s
	timeout 20 mosquitto_sub -h localhost -p $MQTT_TLS_PORT --cafile "$T/ca.pem" \
		--cert "$T/$1.pem" --key "$T/$1.key" -i "$1-sub" -t "$2" -C 1 -W 3
}
check_output "the device id is the username: dev1 reads its own topic (ACL pattern %u)" '^on$' \
	sub_cert dev1-master devices/dev1/state
check_fails "and not dev2's" sub_cert dev1-master devices/dev2/state
check_fails "a certificate presented with another device's username is refused" \
	mqtt_pub_cert dev1-master -u dev2 -t devices/dev2/x -m x

# ---- secrets ----
check "dev3's master secret is admitted" mqtt_pub_secret dev3 m3-secret-of-dev3
check "dev3's sub secret is admitted" mqtt_pub_secret dev3 s3-secret-of-dev3
check_fails "a wrong secret is refused" mqtt_pub_secret dev3 wrong
check_fails "an unknown device is refused" mqtt_pub_secret dev9 m3-secret-of-dev3
check_fails "another device's secret is refused" mqtt_pub_secret dev4 m3-secret-of-dev3
check_output "the log says which secret admitted dev3" 'admitted device dev3 \(sub secret\)' cat "$blog"
check_output "and why dev9 was refused" \
	"refused client 'dev9-pub' .*: no such device dev9, or the password is none of its secrets" cat "$blog"

# ---- HMAC-SHA256(secret, timestamp), the timestamp in the client id ----
now=$(date +%s)
check "HMAC of the master secret is admitted" \
	mqtt_pub_secret dev3 "$(mqtt_hmac m3-secret-of-dev3 "$now")" "dev3_0_1_$now"
check "HMAC of the sub secret is admitted" \
	mqtt_pub_secret dev3 "$(mqtt_hmac s3-secret-of-dev3 "$now")" "dev3_0_1_$now"
check "milliseconds are a timestamp too" \
	mqtt_pub_secret dev3 "$(mqtt_hmac m3-secret-of-dev3 "${now}123")" "dev3_${now}123"
check_output "the log says the HMAC admitted dev3" 'admitted device dev3 \(master secret.s HMAC\)' cat "$blog"
check_fails "an HMAC over another timestamp is refused" \
	mqtt_pub_secret dev3 "$(mqtt_hmac m3-secret-of-dev3 "$((now - 1))")" "dev3_0_1_$now"
check_fails "an HMAC keyed with a wrong secret is refused" \
	mqtt_pub_secret dev3 "$(mqtt_hmac wrong "$now")" "dev3_0_1_$now"
check_fails "a timestamp an hour old is refused" \
	mqtt_pub_secret dev3 "$(mqtt_hmac m3-secret-of-dev3 "$((now - 3600))")" "dev3_0_1_$((now - 3600))"
check_output "and the log says why" "timestamp $((now - 3600)) is not within 300 s" cat "$blog"

# ---- a disabled sub ----
check "credctl device disable-sub dev3" $CREDCTL device disable-sub dev3
check_fails "dev3's sub secret is refused once disabled" mqtt_pub_secret dev3 s3-secret-of-dev3
check_fails "so is its HMAC" mqtt_pub_secret dev3 "$(mqtt_hmac s3-secret-of-dev3 "$now")" "dev3_0_1_$now"
check "the master still admits dev3" mqtt_pub_secret dev3 m3-secret-of-dev3
check "credctl device disable-sub dev2" $CREDCTL device disable-sub dev2
check_fails "dev2's sub certificate is refused once disabled" mqtt_pub_cert dev1-sub -t devices/dev2/x -m x
check "dev2's master certificate is admitted" mqtt_pub_cert dev2-master -t devices/dev2/x -m x

# ---- changes apply to the next connection, no restart ----
check "credctl device reset-secret dev4 --master" $CREDCTL device reset-secret dev4 --secret fourth-secret-dev4 --master
check_fails "dev4's old secret is refused" mqtt_pub_secret dev4 four-secret-of-dev4
check "its new secret is admitted" mqtt_pub_secret dev4 fourth-secret-dev4
check "credctl device add dev5 while the broker runs" $CREDCTL device add dev5 --cert "$T/dev1-next.pem"
check "dev5 is admitted at once" mqtt_pub_cert dev1-next -t devices/dev5/x -m x

# ---- removed while connected ----
timeout 60 mosquitto_sub -h 127.0.0.1 -p $MQTT_PORT -u dev4 -P fourth-secret-dev4 -i dev4-sub -t 'devices/dev4/#' \
	> "$T/dev4.out" 2> "$T/dev4.err" &
sub=$!
timeout 60 mosquitto_sub -h localhost -p $MQTT_TLS_PORT --cafile "$T/ca.pem" \
	--cert "$T/dev2-master.pem" --key "$T/dev2-master.key" -i dev2-sub -t 'devices/dev2/#' \
	> "$T/dev2.out" 2>&1 &
sub2=$!
connected() { for _ in $(seq 100); do grep -q "$1" "$blog" && return 0; sleep 0.1; done; return 1; }
check "dev4 and dev2 are connected" connected "as client 'dev2-sub'"
connected "as client 'dev4-sub'"
check "credctl device remove dev4" $CREDCTL device remove dev4
gone() { for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done; return 1; }
check "the broker closes dev4's session" gone $sub
check_output "and says why" 'device dev4 was removed: closing its sessions' cat "$blog"
check "dev2's session stays open" kill -0 $sub2
check "credctl device remove dev2 (admitted by certificate)" $CREDCTL device remove dev2
check "the broker closes dev2's session too" gone $sub2
wait $sub $sub2 2>/dev/null

# ---- revoked while connected: closed, refused, admitted after reinstate ----
timeout 60 mosquitto_sub -h 127.0.0.1 -p $MQTT_PORT -u dev3 -P m3-secret-of-dev3 -i dev3-sub \
	-t 'devices/dev3/#' > "$T/dev3.out" 2>&1 &
sub3=$!
check "dev3 is connected" connected "as client 'dev3-sub'"
check "credctl device revoke dev3" $CREDCTL device revoke dev3
check "the broker closes dev3's session" gone $sub3
check_output "and says why" 'device dev3 was revoked: closing its sessions' cat "$blog"
check_fails "a revoked dev3 is refused" mqtt_pub_secret dev3 m3-secret-of-dev3
check "credctl device reinstate dev3" $CREDCTL device reinstate dev3
check "dev3 is admitted again" mqtt_pub_secret dev3 m3-secret-of-dev3
wait $sub3 2>/dev/null

# ---- revoked while connected by certificate ----
timeout 60 mosquitto_sub -h localhost -p $MQTT_TLS_PORT --cafile "$T/ca.pem" \
	--cert "$T/dev1-next.pem" --key "$T/dev1-next.key" -i dev5-sub -t 'devices/dev5/#' > /dev/null 2>&1 &
sub5=$!
check "dev5 is connected (by certificate)" connected "as client 'dev5-sub'"
check "credctl device revoke dev5" $CREDCTL device revoke dev5
check "the broker closes dev5's session" gone $sub5
check_output "and says why" 'device dev5 was revoked: closing its sessions' cat "$blog"
check_fails "a revoked device's certificate is refused" mqtt_pub_cert dev1-next -t devices/dev5/x -m x
wait $sub5 2>/dev/null

# ---- bad input: the protocol's refusal, and the broker keeps serving ----
long=$(printf 'u%.0s' $(seq 300))
check_fails "a 300-character username is refused" mqtt_pub_secret "$long" x
check_output "as no device id" 'the username is no device id \(1 to 63 characters, got 300\)' cat "$blog"
check_fails "a 100-byte password is refused" mqtt_pub_secret dev3 "$(printf 'p%.0s' $(seq 100))"
check_output "as no secret" 'a password of 100 bytes is no secret' cat "$blog"
check_fails "no password is refused" timeout 20 mosquitto_pub -h 127.0.0.1 -p $MQTT_PORT -u dev3 -t t -m x
check_fails "anonymous is refused" timeout 20 mosquitto_pub -h 127.0.0.1 -p $MQTT_PORT -t t -m x
check "malformed CONNECT packets are dropped" python3 "$REPO/tests/mqtt/bad_connect.py" 127.0.0.1 $MQTT_PORT
check "the broker still admits dev3" mqtt_pub_secret dev3 m3-secret-of-dev3

# ---- the store goes away ----
in_shell "credstored stops" stop_daemon
check_fails "with the store gone, a device is refused" mqtt_pub_secret dev3 m3-secret-of-dev3
check_output "and the log says the store did not answer" "refused client 'dev3-pub' .*: the store did not answer" cat "$blog"
in_shell "credstored starts again" start_daemon
check "the plugin reconnects: dev3 is admitted" mqtt_pub_secret dev3 m3-secret-of-dev3
# What the plugin opened since is the mosquitto user's: it still hears
# removals (credstored's notifications are open to every user).
check_output "the broker runs as the mosquitto user" '^mosquitto$' ps -o user= -p "${_mqtt_pids[0]}"
timeout 60 mosquitto_sub -h 127.0.0.1 -p $MQTT_PORT -u dev3 -P m3-secret-of-dev3 -i dev3-sub -t 'devices/dev3/#' \
	> /dev/null 2>&1 &
sub3=$!
check "dev3 is connected" connected "as client 'dev3-sub'"
check "credctl device remove dev3" $CREDCTL device remove dev3
check "the broker closes dev3's session" gone $sub3
wait $sub3 2>/dev/null
finish
