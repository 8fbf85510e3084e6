#!/bin/bash
# credstored in userspace mode announces every committed change
# (CREDSTORE_CMD_NOTIFY) to the connections that subscribed on its query
# socket: a subscriber through libcredstore (tests/tls/consumer.c "watch"),
# root or not, hears each change in order with its generation; when the
# daemon restarts, the subscriber hears a SNAPSHOT, subscribes again by
# itself and hears what follows.
. "$(dirname "$0")/credstored-env.bash"

CONSUMER=${BUILD:-$REPO/build}/tests/credstore-consumer
make_ca root && make_cert root web || { echo "Bail out! openssl"; exit 1; }
in_shell "credstored starts" start_daemon
gen=$($CREDCTL -j store status | sed -n 's/.*"generation":\([0-9]*\).*/\1/p')

# watch OUT [N]: a subscriber of N events (4); waits until it has joined.
watch() {
	# shellcheck disable=SC2086
	timeout 60 $CONSUMER -d 0 watch "${2:-4}" >"$1" 2>&1 &
	wait_for_line "$1" watching
}
in_shell "a root subscriber joins" watch "$T/heard-root"
root_pid=$!
CONSUMER="setpriv --reuid=nobody --regid=nogroup --clear-groups $CONSUMER" \
	in_shell "an unprivileged subscriber joins" watch "$T/heard-nobody"
nobody_pid=$!

check "device add" $CREDCTL device add cam1 --fingerprint "$(fingerprint "$T/web.crt")"
check "device rotate (reset-secret)" $CREDCTL device reset-secret cam1 --secret rotated-secret-number-1
check "identity install" $CREDCTL identity install web --chain "$T/web.crt" --key "$T/web.key" --no-anchor-check
check "device remove" $CREDCTL device remove cam1
in_shell "the root subscriber heard four events" wait $root_pid
in_shell "so did nobody" wait $nobody_pid

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
check "nobody heard the same" diff "$T/expected" "$T/heard-nobody"

# A refused change announces nothing: the next event is the next change.
watch "$T/heard-after" && after_pid=$!
check_output "a refused change (unknown device)" 'unknown device' exit_is 4 $CREDCTL device remove nosuch
check "factory-reset" $CREDCTL store factory-reset --yes
check "three more changes" sh -c "$CREDCTL device add d1 && $CREDCTL device add d2 && $CREDCTL device add d3"
in_shell "the subscriber heard four events" wait $after_pid
check_output "the first is the factory reset: a snapshot (kind 4)" "^kind=4 key= generation=$((gen + 5))\$" \
	sed -n 2p "$T/heard-after"

# A restart: the subscription ends with the daemon and is made again;
# until then, every read says that anything may have changed.
watch "$T/heard-restart" 100 && restart_pid=$!
in_shell "credstored stops" stop_daemon
in_shell "and starts again" start_daemon
# A change before it subscribed again is covered by the snapshot it hears
# then: make changes until one is heard.
heard_one() {
	for i in $(seq 50); do
		$CREDCTL device add "r$i" >/dev/null || return 1
		sleep 0.2
		grep -q "^kind=3 key=r$i " "$T/heard-restart" && return 0
	done
	return 1
}
in_shell "the subscriber hears changes again, on its new subscription" heard_one
kill "$restart_pid"
check_output "first a snapshot: it cannot know what changed meanwhile" '^kind=4 ' \
	sed -n 2p "$T/heard-restart"
check_fails "nothing but snapshots before the first change it heard" \
	sh -c "sed -n '2,/^kind=3/p' $T/heard-restart | grep -v '^kind=4 ' | grep -v '^kind=3'"
in_shell "stop" stop_daemon
finish
