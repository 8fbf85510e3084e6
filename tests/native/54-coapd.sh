#!/bin/bash
# credstore-coapd on credstored in userspace mode, with Debian's
# coap-client as the devices: the master secret is the PSK, the sub and
# strangers are refused, rotation applies without a restart, identities
# that are no device id and a server without the right to read secrets.
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

# ---- rotation without a restart ----
check "reset-secret dev1 --master" $CREDCTL device reset-secret dev1 --master --secret m1-next-secret-dev1
check_fails "the old master secret is refused" coap_whoami dev1 m1-secret-of-dev1
check "the new master secret is admitted" coap_whoami dev1 m1-next-secret-dev1
check "reset-secret dev2 (a new sub)" $CREDCTL device reset-secret dev2 --secret m2-next-secret-dev2
check_fails "the new sub is refused before the promote" coap_whoami dev2 m2-next-secret-dev2
check "the old master still works" coap_whoami dev2 m2-secret-of-dev2
check "promote dev2" $CREDCTL device promote dev2
check "after the promote the new secret is admitted" coap_whoami dev2 m2-next-secret-dev2
check_fails "and the old one refused" coap_whoami dev2 m2-secret-of-dev2
check "device remove dev2" $CREDCTL device remove dev2
check_fails "a removed device is refused" coap_whoami dev2 m2-next-secret-dev2

# ---- revocation: coapd holds the key, so it refuses by the device's flags ----
check "device revoke dev1" $CREDCTL device revoke dev1
check_fails "a revoked device is refused with its right secret" coap_whoami dev1 m1-next-secret-dev1
check "the log says it is revoked" logged 'refused 127\.0\.0\.1:[0-9]+: device dev1 is revoked'
check "device reinstate dev1" $CREDCTL device reinstate dev1
check "reinstated, dev1 is admitted again" coap_whoami dev1 m1-next-secret-dev1

# ---- revoked while its session is open: coapd ends the session ----
# coap-client -G repeats its GET once a second over one DTLS session, from
# a port of its own (-p) so that the device comes back from where it was.
dev_port=$((COAP_PORT + 11))
timeout 30 $COAP_CLIENT -B 20 -G 15 -w -p $dev_port -u dev1 -k m1-next-secret-dev1 \
	"coaps://127.0.0.1:$COAP_PORT/whoami" > "$T/held.out" 2>/dev/null &
held=$!
answers() { grep -c '^device dev1$' "$T/held.out"; }
# answered N: the held session has had N answers or more within 10 s.
answered() { for _ in $(seq 100); do [ "$(answers)" -ge "$1" ] && return 0; sleep 0.1; done; return 1; }
check "dev1 holds a session (two answers on it)" answered 2
check "device revoke dev1" $CREDCTL device revoke dev1
# within a second of the revoke
check "coapd ends dev1's open session at once" timeout 1 sh -c \
	"until grep -Eq 'device dev1 was revoked: ending its session from 127\.0\.0\.1' '$clog'; do sleep 0.05; done"
cut=$(answers)
sleep 2.5	# the client asks again each second
check "no answer reaches dev1 after that" [ "$(answers)" -eq "$cut" ]
kill $held 2>/dev/null; wait $held 2>/dev/null
check "device reinstate dev1" $CREDCTL device reinstate dev1
check_output "reinstated, dev1 is admitted from its old address with a new handshake" '^device dev1$' \
	timeout 20 $COAP_CLIENT -B 3 -p $dev_port -u dev1 -k m1-next-secret-dev1 "coaps://127.0.0.1:$COAP_PORT/whoami"

# ---- who may read secrets ----
coap_stop_all
COAP_WRAPPER="setpriv --reuid=65534 --regid=65534 --clear-groups" \
	in_shell "credstore-coapd starts as nobody" coap_start_server nobody -t daemon -u "$me"
check_fails "as nobody it cannot read secrets: dev1 is refused" coap_whoami dev1 m1-next-secret-dev1
check_output "and it says why" 'device dev1: .*(permission|privilege|admin|root)' cat "$T/nobody.log"
coap_stop_all

# ---- the store goes away and comes back ----
in_shell "credstore-coapd starts again" coap_start_server coapd2 -t daemon -u "$me"
in_shell "credstored stops" stop_daemon
check_fails "with the store gone, dev1 is refused" coap_whoami dev1 m1-next-secret-dev1
in_shell "credstored starts again" start_daemon
check "dev1 is admitted again without restarting the server" coap_whoami dev1 m1-next-secret-dev1
finish
