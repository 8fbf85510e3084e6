#!/bin/bash
# credstore-coapd on credstored in userspace mode, with Debian's
# coap-client as the devices: the master secret is the PSK, the sub and
# strangers are refused, rotation applies without a restart (to the next
# handshake, although coapd caches keys), identities that are no device id
# and a server without the right to read secrets.
. "$(dirname "$0")/../lib.sh"
own_ports "$0" "$@"	# its servers listen on fixed ports
. "$(dirname "$0")/credstored-env.bash"
REPO=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$REPO/build}
COAP_DIR=$T
. "$REPO/tests/coap/lib.sh"
trap 'coap_stop_all; stop_daemon; rm -rf "$T" "$CREDSTORE_RUNTIME_DIR"' EXIT
clog=$T/coapd.log
me=$(id -u)
# logged PATTERN: the server's log shows it within 10 s.
logged() { for _ in $(seq 100); do grep -Eq "$1" "$clog" && return 0; sleep 0.1; done; return 1; }

in_shell "credstored starts" start_daemon
check "dev1: a master and a sub secret" sh -c \
	"$CREDCTL device add dev1 --secret m1-secret-of-dev1 && $CREDCTL device reset-secret dev1 --secret s1-secret-of-dev1"
check "dev2: a master secret" $CREDCTL device add dev2 --secret m2-secret-of-dev2
check "dev3: a certificate only, no secret" $CREDCTL device add dev3 --fingerprint "$(printf 'ab%.0s' $(seq 32))"
in_shell "credstore-coapd starts" coap_start_server coapd -t daemon -u "$me"
check "it takes its keys from credstored" logged 'serving DTLS on 127\.0\.0\.1:5684, keys from credstored'
check "and caches them (4096 devices, 30 s by default)" logged 'keys cached: up to 4096 devices, 30 s each'
check_fails "a negative cache size is refused" "$BUILD/bin/credstore-coapd" -c -1 -h
check_fails "a cache time of 0 s is refused" "$BUILD/bin/credstore-coapd" --key-cache-seconds 0 -h

check "dev1 with its master secret is admitted" coap_whoami dev1 m1-secret-of-dev1
check "dev2 with its master secret is admitted" coap_whoami dev2 m2-secret-of-dev2
check "the log names dev1 and its master" logged 'admitted device dev1 \(master secret\) from 127\.0\.0\.1'
check_fails "dev1's sub secret is refused (CoAP has no sub)" coap_whoami dev1 s1-secret-of-dev1
# DTLS drops records that fail their MAC: the server sees a handshake
# that does not finish, and says so after 5 s.
check "the log says the device must use its master" \
	logged 'handshake with 127\.0\.0\.1:[0-9]+ failed \(PSK identity dev1\): a device must use its master secret' 
check_fails "another device's secret is refused" coap_whoami dev2 m1-secret-of-dev1
check_fails "an unknown device is refused" coap_whoami dev9 m1-secret-of-dev1
check "the log says there is no such device" logged 'refused 127\.0\.0\.1:[0-9]+: no device dev9'
check_fails "a device without a secret is refused" coap_whoami dev3 anything
check "the log says it has no master secret" logged 'device dev3 has no master secret'
check_output "POST /report is logged with the device id" '^ok$' \
	timeout 20 $COAP_CLIENT -B 3 -u dev2 -k m2-secret-of-dev2 -m post -e 'temperature=21' "coaps://127.0.0.1:$COAP_PORT/report"
check "the report names dev2" logged 'report from device dev2: temperature=21'

# ---- PSK identities that are no device id ----
long=$(printf 'i%.0s' $(seq 64))
check_fails "a 64-character identity is refused" coap_whoami "$long" m1-secret-of-dev1
check "as no device id" logged 'the PSK identity is no device id \(1 to 63 printable characters\)'
check_fails "an identity with a space is refused" coap_whoami "dev 1" m1-secret-of-dev1
check_fails "an identity with a control character is refused" coap_whoami "$(printf 'dev1\001')" m1-secret-of-dev1

# ---- the key cache: a key read once serves the next handshakes ----
# credstored stopped (SIGSTOP) can neither answer nor change anything: a
# device whose key coapd cached is still admitted, one never seen is not.
check "dev5: a master secret" $CREDCTL device add dev5 --secret m5-secret-of-dev5
check "dev5 is admitted (its key is cached now)" coap_whoami dev5 m5-secret-of-dev5
kill -STOP "$DAEMON_PID"
check "with credstored stopped, dev5 is admitted from the cache" coap_whoami dev5 m5-secret-of-dev5
kill -CONT "$DAEMON_PID"

# ---- rotation without a restart: each change applies to the next
# handshake, right after credctl returns, although the old key was cached
# by the handshake just before ----
check "dev1 is admitted (cached)" coap_whoami dev1 m1-secret-of-dev1
check "reset-secret dev1 --master" $CREDCTL device reset-secret dev1 --master --secret m1-next-secret-dev1
check_fails "the old master secret is refused" coap_whoami dev1 m1-secret-of-dev1
check "the new master secret is admitted" coap_whoami dev1 m1-next-secret-dev1
check "dev2 is admitted (cached)" coap_whoami dev2 m2-secret-of-dev2
check "reset-secret dev2 (a new sub)" $CREDCTL device reset-secret dev2 --secret m2-next-secret-dev2
check_fails "the new sub is refused before the promote" coap_whoami dev2 m2-next-secret-dev2
check "the old master still works" coap_whoami dev2 m2-secret-of-dev2
check "promote dev2" $CREDCTL device promote dev2
check "after the promote the new secret is admitted" coap_whoami dev2 m2-next-secret-dev2
check_fails "and the old one refused" coap_whoami dev2 m2-secret-of-dev2
check "dev2 is admitted (cached)" coap_whoami dev2 m2-next-secret-dev2
check "device remove dev2" $CREDCTL device remove dev2
check_fails "a removed device is refused" coap_whoami dev2 m2-next-secret-dev2

# ---- revocation: coapd holds the key, so it refuses by the device's flags ----
check "dev1 is admitted (cached)" coap_whoami dev1 m1-next-secret-dev1
check "device revoke dev1" $CREDCTL device revoke dev1
check_fails "a revoked device is refused with its right secret" coap_whoami dev1 m1-next-secret-dev1
check "the log says it is revoked" logged 'refused 127\.0\.0\.1:[0-9]+: device dev1 is revoked'
check "device reinstate dev1" $CREDCTL device reinstate dev1
check "reinstated, dev1 is admitted again" coap_whoami dev1 m1-next-secret-dev1

# ---- revoked or removed while its session is open: coapd ends it ----
coap_hold dev1 -u dev1 -k m1-next-secret-dev1
check "dev1 holds a session (two answers on it)" coap_answered dev1 2
check "device revoke dev1" $CREDCTL device revoke dev1
check "coapd ends dev1's open session within two seconds, no answer after" coap_ended "$clog" dev1 revoked 2
stop_pids $COAP_HELD
check "device reinstate dev1" $CREDCTL device reinstate dev1
check_output "reinstated, dev1 is admitted from its old address with a new handshake" '^device dev1$' \
	timeout 20 $COAP_CLIENT -B 3 -p $COAP_HOLD_PORT -u dev1 -k m1-next-secret-dev1 "coaps://127.0.0.1:$COAP_PORT/whoami"
check "dev4: a master secret" $CREDCTL device add dev4 --secret m4-secret-of-dev4
coap_hold dev4 -u dev4 -k m4-secret-of-dev4
check "dev4 holds a session" coap_answered dev4 2
check "device remove dev4" $CREDCTL device remove dev4
check "coapd ends dev4's open session within two seconds" coap_ended "$clog" dev4 removed 2
stop_pids $COAP_HELD

# ---- who may read secrets ----
coap_stop_all
COAP_WRAPPER="setpriv --reuid=65534 --regid=65534 --clear-groups" \
	in_shell "credstore-coapd starts as nobody" coap_start_server nobody -t daemon -u "$me"
check_fails "as nobody it cannot read secrets: dev1 is refused" coap_whoami dev1 m1-next-secret-dev1
check_output "and it says why" 'device dev1: .*(permission|privilege|admin|root)' cat "$T/nobody.log"
coap_stop_all

# ---- the store goes away and comes back: the notifications are lost,
# and with them every cached key ----
in_shell "credstore-coapd starts again" coap_start_server coapd2 -t daemon -u "$me"
check "dev1 is admitted (cached)" coap_whoami dev1 m1-next-secret-dev1
in_shell "credstored stops" stop_daemon
check_fails "with the store gone, dev1 is refused" coap_whoami dev1 m1-next-secret-dev1
in_shell "credstored starts again" start_daemon
check "dev1 is admitted again without restarting the server" coap_whoami dev1 m1-next-secret-dev1

# ---- the store changed while coapd could not hear it: it checks every open session ----
# credstored comes back on an image saved while dev1 was revoked (with the
# rollback counter beside it): coapd's subscription starts again with a
# SNAPSHOT, and the session dev1 holds ends.
check "device revoke dev1" $CREDCTL device revoke dev1
in_shell "credstored stops" stop_daemon
cp "$T/store.img" "$T/revoked.img" && cp "$T/counter" "$T/revoked.counter"
in_shell "credstored starts" start_daemon
check "device reinstate dev1" $CREDCTL device reinstate dev1
coap_hold dev1 -u dev1 -k m1-next-secret-dev1
check "dev1 holds a session" coap_answered dev1 2
in_shell "credstored stops" stop_daemon
cp "$T/revoked.img" "$T/store.img" && cp "$T/revoked.counter" "$T/counter"
in_shell "credstored starts on the image where dev1 is revoked" start_daemon
check "coapd ends dev1's session when it hears the store again" coap_ended "$T/coapd2.log" dev1 revoked 10
stop_pids $COAP_HELD
finish
