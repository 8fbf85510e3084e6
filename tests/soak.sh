#!/bin/bash
# The soak (make soak DURATION=seconds, default 120): front ends query the
# daemon without pause while credctl rotates device credentials (the kill
# test's writer: device adds and master fingerprint resets, journalled)
# and credstored is killed (SIGKILL) at random moments and restarted.  At
# the end it prints queries served, errors by kind, kills and
# acknowledged changes, and checks every acknowledged change is there.
# Runs natively, in userspace mode on an emulated flash image.
BUILD=${BUILD:-$(cd "$(dirname "$0")/.." && pwd)/build}
export BUILD
. "$(dirname "$0")/native/credstored-env.bash"
. "$(dirname "$0")/native/credstored-kill.bash"

DURATION=${DURATION:-120}
FRONT_ENDS=${FRONT_ENDS:-3}

# front_end N: queries until $T/stop, one line per answer in $T/fe.N:
# "ok" or the exit code of credctl (3 unreachable, 4 not found, ...).
front_end() {
	local n=0 rc
	while [ ! -e "$T/stop" ]; do
		n=$((n + 1))
		case $((n % 3)) in
		0) $BIN/credctl --timeout 5 -j device list >/dev/null 2>&1 ;;
		1) $BIN/credctl --timeout 5 device show "k1-$((RANDOM % 50 + 1))" >/dev/null 2>&1 ;;
		2) $BIN/credctl --timeout 5 anchor list >/dev/null 2>&1 ;;
		esac
		rc=$?
		[ $rc = 0 ] && echo ok || echo "$rc"
	done >"$T/fe.$1"
}

start_daemon || exit 1
: >"$JOURNAL"
rm -f "$T/stop"
writer 1 2>/dev/null &
pids=$!
for i in $(seq "$FRONT_ENDS"); do
	front_end "$i" &
	pids="$pids $!"
done
kills=0
end=$((SECONDS + DURATION))
while [ $SECONDS -lt "$end" ]; do
	sleep "$((RANDOM % 3)).$((RANDOM % 10))"
	kill -KILL "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null
	kills=$((kills + 1))
	start_daemon || { echo "not ok - credstored restarts after kill $kills"; break; }
done
touch "$T/stop"
# shellcheck disable=SC2086
wait $pids
echo "# soak: $DURATION s, $FRONT_ENDS front ends, $kills kills and restarts"
echo "# queries served: $(cat "$T"/fe.* | grep -c '^ok')"
cat "$T"/fe.* | grep -v '^ok' | sort | uniq -c | while read -r n code; do
	case $code in
	3) what="daemon unreachable (killed, restarting)" ;;
	4) what="not found" ;;
	*) what="other (exit $code)" ;;
	esac
	echo "# query errors: $n $what"
done
echo "# changes acknowledged: $(grep -c '^acked' "$JOURNAL"), sent: $(grep -c '^pending' "$JOURNAL")"
check "some queries were served" sh -c "cat $T/fe.* | grep -q '^ok'"
check "credentials were rotated" grep -q '^acked' "$JOURNAL"
check "no query failed but for a killed daemon or a device not yet added" \
	sh -c "! cat $T/fe.* | grep -vqE '^(ok|3|4)$'"
check_output "every acknowledged change is present" 'acknowledged devices checked' verify
finish
