#!/bin/bash
# credstored in userspace mode announces every committed change on
# NETLINK_USERSOCK group 1 (CREDSTORE_CMD_NOTIFY): a subscriber through
# libcredstore (tests/tls/consumer.c "watch") hears each change in order
# with its generation.  The kernel lets only CAP_NET_ADMIN join a usersock
# group: an unprivileged subscriber is refused, and told why (with the
# module loaded, its "notify" group is open to all: VM case 33).
. "$(dirname "$0")/credstored-env.bash"

CONSUMER=${BUILD:-$REPO/build}/tests/credstore-consumer
make_ca root && make_cert root web || { echo "Bail out! openssl"; exit 1; }
in_shell "credstored starts" start_daemon
gen=$($CREDCTL -j store status | sed -n 's/.*"generation":\([0-9]*\).*/\1/p')

# watch OUT: a subscriber of four events; waits until it has joined.
watch() {
	timeout 60 "$CONSUMER" -d 0 watch 4 >"$1" 2>&1 &
	for _ in $(seq 100); do
		grep -q watching "$1" && return 0
		sleep 0.1
	done
	return 1
}
in_shell "a root subscriber joins" watch "$T/heard-root"
root_pid=$!
check_output "an unprivileged subscriber is refused, and told why" 'only CAP_NET_ADMIN' \
	sh -c "! setpriv --reuid=nobody --regid=nogroup --clear-groups $CONSUMER -d 0 watch 1 2>&1"

check "device add" $CREDCTL device add cam1 --fingerprint "$(fingerprint "$T/web.crt")"
check "device rotate (reset-secret)" $CREDCTL device reset-secret cam1 --secret rotated-secret-number-1
check "identity install" $CREDCTL identity install web --chain "$T/web.crt" --key "$T/web.key" --no-anchor-check
check "device remove" $CREDCTL device remove cam1
in_shell "the root subscriber heard four events" wait $root_pid

# kind 3 device, 1 identity (enum credstore_kind); one generation each.
expected() {
	echo watching
	echo "kind=3 key=cam1 generation=$((gen + 1))"
	echo "kind=3 key=cam1 generation=$((gen + 2))"
	echo "kind=1 key=web generation=$((gen + 3))"
	echo "kind=3 key=cam1 generation=$((gen + 4)) event=1"
}
expected >"$T/expected"
check "root heard add, rotate, install, remove in order" diff "$T/expected" "$T/heard-root"

# A refused change announces nothing: the next event is the next change.
watch "$T/heard-after" && after_pid=$!
check_output "a refused change (unknown device)" 'unknown device' exit_is 4 $CREDCTL device remove nosuch
check "factory-reset" $CREDCTL store factory-reset --yes
check "three more changes" sh -c "$CREDCTL device add d1 && $CREDCTL device add d2 && $CREDCTL device add d3"
in_shell "the subscriber heard four events" wait $after_pid
check_output "the first is the factory reset: a snapshot (kind 4)" "^kind=4 key= generation=$((gen + 5))\$" \
	sed -n 2p "$T/heard-after"
in_shell "stop" stop_daemon
finish
