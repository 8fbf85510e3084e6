# credstore-mosquitto and credstore-coapd on credstore.ko (credstored on
# nandsim publishes, the front ends ask the kernel family and hear its
# "notify" group), with Debian's mosquitto_pub/_sub and coap-client as
# the devices: certificates, secrets and the HMAC form admitted by the
# module, the sub refused where CoAP has none, a change applying to the
# next connection, and removed or revoked devices' open sessions ended;
# all of it again after the module is unloaded and loaded under them.
# The same front ends on credstored's socket: tests/native/53-mosquitto.sh,
# 54-coapd.sh and 57-coapd-cert.sh.
# vm-nandsim: id_bytes=0x20,0xaa,0x00,0x15 parts=64
# vm-timeout: 600
DAEMON_ARGS="--mtd /dev/mtd0"
. "$REPO/tests/native/credstored-env.bash"
ip link set lo up	# the guest's loopback starts down
BUILD=${BUILD:-$REPO/build}
TLS_DIR=$T MQTT_DIR=$T COAP_DIR=$T
. "$REPO/tests/tls/lib.sh"
. "$REPO/tests/mqtt/lib.sh"
. "$REPO/tests/coap/lib.sh"
trap 'coap_stop_all; mqtt_stop_all; stop_daemon; rm -rf "$T" "$CREDSTORE_RUNTIME_DIR"' EXIT
blog=$T/broker.log clog=$T/coapd.log
# logged LOG PATTERN: the log shows it within 10 s.
logged() { for _ in $(seq 100); do grep -Eq "$2" "$1" && return 0; sleep 0.1; done; return 1; }
# gone PID: the process ended within 10 s.
gone() { for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done; return 1; }
# published ID: the module serves device ID within 10 s (credstored
# publishes to it again).
published() {
	for _ in $(seq 100); do "$BUILD/bin/csnl" device "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}
# removal_closes_mqtt ID SECRET WHO: removing ID closes its open MQTT
# session; WHO told the broker.
removal_closes_mqtt() {
	local sub
	timeout 60 mosquitto_sub -h 127.0.0.1 -p $MQTT_PORT -u "$1" -P "$2" -i "$1-sub" \
		-t "devices/$1/#" > /dev/null 2>&1 &
	sub=$!
	check "$1 is connected" logged "$blog" "as client '$1-sub'"
	check "credctl device remove $1" $CREDCTL device remove "$1"
	check "the broker closes $1's session ($3)" gone $sub
	wait $sub 2>/dev/null
}
# revocation_ends_coap ID KEY WHO: revoking ID ends its open DTLS session;
# WHO told coapd.
revocation_ends_coap() {
	coap_hold "$1" -u "$1" -k "$2"
	check "$1 holds a session open" coap_answered "$1" 2
	check "credctl device revoke $1" $CREDCTL device revoke "$1"
	check "coapd ends $1's session ($3)" coap_ended "$clog" "$1" revoked 5
	kill "$COAP_HELD" 2>/dev/null
	wait "$COAP_HELD" 2>/dev/null
}

check "make a CA, the servers' and devices' certificates" tls_pki
chmod 644 "$T"/*.key	# the broker runs as the mosquitto user
in_shell "credstored starts, publishing to credstore.ko" start_daemon
check "dev1: a master and a sub certificate" sh -c \
	"$CREDCTL device add dev1 --cert $T/dev1-master.pem && $CREDCTL device reset-fingerprint dev1 --cert $T/dev1-sub.pem"
check "dev3: a master and a sub secret" sh -c \
	"$CREDCTL device add dev3 --secret m3-secret-of-dev3 && $CREDCTL device reset-secret dev3 --secret s3-secret-of-dev3"
check "dev4: a secret" $CREDCTL device add dev4 --secret four-secret-of-dev4
check "identity coap: the server's certificate and key" sh -c \
	"$CREDCTL anchor add ca $T/ca.pem && cat $T/server.pem $T/ca.pem > $T/chain.pem &&
	 $CREDCTL identity install coap --chain $T/chain.pem --key $T/server.key --anchor ca"

# ---- MQTT ----
MQTT_TRANSPORT=kernel
in_shell "mosquitto starts with the plugin on the module" mqtt_start_broker broker "$(mqtt_store_config)"
check "the broker says the module admits devices" logged "$blog" 'devices admitted by the store \(credstore\.ko\)'
check "dev1's master certificate is admitted" mqtt_pub_cert dev1-master -t devices/dev1/x -m x
check "dev1's sub certificate is admitted" mqtt_pub_cert dev1-sub -t devices/dev1/x -m x
check_fails "a CA-signed certificate of no device is refused" mqtt_pub_cert dev1-next -t devices/x -m x
check "dev3's master secret is admitted" mqtt_pub_secret dev3 m3-secret-of-dev3
check "dev3's sub secret is admitted" mqtt_pub_secret dev3 s3-secret-of-dev3
check_fails "a wrong secret is refused" mqtt_pub_secret dev3 wrong
check_fails "an unknown device is refused" mqtt_pub_secret dev9 m3-secret-of-dev3
now=$(date +%s)
check "the HMAC of the sub secret is admitted (checked in the module)" \
	mqtt_pub_secret dev3 "$(mqtt_hmac s3-secret-of-dev3 "$now")" "dev3_0_1_$now"
check_fails "an HMAC keyed with a wrong secret is refused" \
	mqtt_pub_secret dev3 "$(mqtt_hmac wrong "$now")" "dev3_0_1_$now"
check "credctl device disable-sub dev3" $CREDCTL device disable-sub dev3
check_fails "dev3's sub secret is refused once disabled" mqtt_pub_secret dev3 s3-secret-of-dev3
check "credctl device reset-secret dev4 --master" $CREDCTL device reset-secret dev4 --secret fourth-secret-dev4 --master
check_fails "dev4's old secret is refused" mqtt_pub_secret dev4 four-secret-of-dev4
check "its new secret is admitted" mqtt_pub_secret dev4 fourth-secret-dev4
removal_closes_mqtt dev4 fourth-secret-dev4 "the module's notification"
check "and says why" logged "$blog" 'device dev4 was removed: closing its sessions'

# ---- CoAP ----
in_shell "credstore-coapd starts on the module, with identity coap" \
	coap_start_server coapd -t kernel -i coap
check "it takes its keys from the module" logged "$clog" 'keys from credstore\.ko'
check "dev3's master secret is the PSK" coap_whoami dev3 m3-secret-of-dev3
check_fails "its sub secret is refused (CoAP has no sub)" coap_whoami dev3 s3-secret-of-dev3
check_fails "an unknown identity is refused" coap_whoami dev9 m3-secret-of-dev3
cert_whoami() {	# cert_whoami NAME ID: as the device holding $T/NAME.pem
	timeout 20 $COAP_CLIENT -B 3 -c "$T/$1.pem" -j "$T/$1.key" -R "$T/ca.pem" \
		"coaps://127.0.0.1:$COAP_PORT/whoami" 2>/dev/null | grep -qx "device $2"
}
check "dev1's master certificate is admitted (the server's key signs in credstored)" \
	cert_whoami dev1-master dev1
check_fails "dev1's sub certificate is refused" cert_whoami dev1-sub dev1
check "credctl device reset-secret dev3 --master" $CREDCTL device reset-secret dev3 --secret m3-next-secret-dev3 --master
check "the new master secret is admitted without a restart" coap_whoami dev3 m3-next-secret-dev3
check_fails "the old one is refused" coap_whoami dev3 m3-secret-of-dev3
revocation_ends_coap dev3 m3-next-secret-dev3 "the module's notification"

# ---- credstore.ko reloaded under the running front ends ----
# Generic netlink forgets the unloaded family, its group and who had
# joined it; the reloaded module gets new ids.  libcredstore follows it:
# a query to the old id is sent again to the new one, the subscriptions
# join the new group, and what changed in between counts as lost.
# Sessions open across the reload stay open.  credstored is stopped
# meanwhile, so that the front ends hear the module come back and check
# their sessions before anything is published to it: the module answers
# "nothing published yet" then, not "no such device".
check "dev7: a secret" $CREDCTL device add dev7 --secret seven-secret-of-dev7
timeout 120 mosquitto_sub -h 127.0.0.1 -p $MQTT_PORT -u dev7 -P seven-secret-of-dev7 \
	-i dev7-sub -t 'devices/dev7/#' > /dev/null 2>&1 &
held_mqtt=$!
check "dev7 is connected over MQTT" logged "$blog" "as client 'dev7-sub'"
coap_hold dev7 -u dev7 -k seven-secret-of-dev7
check "dev7 holds a CoAP session open" coap_answered dev7 2
kill -STOP "$DAEMON_PID"
check "rmmod credstore under the running front ends" rmmod credstore
check "insmod credstore again" insmod "$CREDSTORE_KO"
sleep 2		# the front ends check their sessions on the new module
kill -CONT "$DAEMON_PID"
check "credstored publishes to the new module" published dev1
check "dev7's MQTT session outlived the reload" kill -0 $held_mqtt
check_fails "the broker did not end it" grep -q "device dev7 was" "$blog"
check "dev7's CoAP session outlived the reload" coap_answered dev7 "$(($(coap_answers dev7) + 2))"
check_fails "coapd did not end it" grep -q "device dev7 was" "$clog"
kill $held_mqtt "$COAP_HELD" 2>/dev/null
wait $held_mqtt "$COAP_HELD" 2>/dev/null
check "dev5, added after the reload" $CREDCTL device add dev5 --secret five-secret-of-dev5
check "the broker admits dev5 (its connection follows the module)" mqtt_pub_secret dev5 five-secret-of-dev5
check "and dev1's master certificate" mqtt_pub_cert dev1-master -t devices/dev1/x -m x
check "credctl device revoke dev1" $CREDCTL device revoke dev1
check_fails "dev1's certificate is refused: the verdict cache heard the new module" \
	mqtt_pub_cert dev1-master -t devices/dev1/x -m x
removal_closes_mqtt dev5 five-secret-of-dev5 "the new module's notification"
check "dev6, added after the reload" $CREDCTL device add dev6 --secret six-secret-of-dev6
check "coapd admits dev6's PSK" coap_whoami dev6 six-secret-of-dev6
revocation_ends_coap dev6 six-secret-of-dev6 "the new module's notification"
finish
