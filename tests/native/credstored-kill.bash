# The kill test, shared by tests/native/41 and the VM case 41 (sourced
# after credstored-env.bash; not a test itself).  kill_rounds N: a stream
# of admin commands while credstored is killed (SIGKILL) at random points
# and restarted, N times; after each restart every acknowledged change
# must be there (with KILL_VERIFY_AT_END set: once, after the last restart,
# for the slow VM).  Sets KILL_FAILURES and KILL_ACKED.

JOURNAL=$T/journal

# writer ROUND: device adds, master fingerprint resets and removes until
# $T/stop; each logged as "pending" before it is sent and "acked" once
# answered, with the fingerprint it sets ("-": removed).  Every fourth
# operation removes the oldest device the round added, so that the store
# stays below the daemon's device limit however many rounds run (at the
# limit every add is refused: a round would kill a daemon that changes
# nothing, and wait in vain for an acknowledgement).
writer() {
	local round=$1 j=0 last= id fp
	local -a added=()
	while [ ! -e "$T/stop" ]; do
		j=$((j + 1))
		# Unique per operation, and no subprocess that a kill could cut.
		printf -v fp '%032x%032x' "$round" "$j"
		if [ -n "$last" ] && [ $((j % 4)) = 2 ]; then
			id=$last
			set -- device reset-fingerprint "$id" --master --fingerprint "$fp"
		elif [ ${#added[@]} -gt 1 ] && [ $((j % 4)) = 0 ]; then
			id=${added[0]} fp=-
			added=("${added[@]:1}")
			set -- device remove "$id"
		else
			id=k$round-$j
			set -- device add "$id" --fingerprint "$fp"
		fi
		echo "pending $id $fp" >>"$JOURNAL"
		if $BIN/credctl --timeout 5 "$@" >/dev/null 2>&1; then
			echo "acked $id $fp" >>"$JOURNAL"
			[ "$1 $2" = "device add" ] && last=$id && added+=("$id")
		fi
	done
}

# Every acknowledged change is there (a removed device is not); a pending
# one after the last ack of its device may or may not be.
verify() {
	$BIN/credctl -j device list >"$T/list.json" || return 1
	python3 - "$JOURNAL" "$T/list.json" <<'PY'
import json, sys
journal = [l.split() for l in open(sys.argv[1])]
# The writer's devices (k<round>-<n>); a test may keep others of its own.
actual = {d["id"]: d["master_fingerprint"] for d in json.load(open(sys.argv[2]))["devices"]
          if d["id"].startswith("k")}
allowed, must = {}, {}
for state, dev, fp in journal:
    if state == "acked":
        must[dev] = fp
        allowed[dev] = {fp}
    else:
        allowed.setdefault(dev, set()).add(fp)
bad = [d for d, fp in must.items() if actual.get(d, "-") not in allowed[d]]
bad += [d for d, fp in actual.items() if fp not in allowed.get(d, set())]
for d in bad:
    print("device %s: stored %s, acknowledged %s" % (d, actual.get(d), must.get(d)))
print("%d acknowledged devices checked" % len(must))
sys.exit(1 if bad else 0)
PY
}

kill_rounds() {
	local rounds=$1 round wpid
	: >"$JOURNAL"
	KILL_FAILURES=0
	for round in $(seq "$rounds"); do
		rm -f "$T/stop"
		writer "$round" 2>/dev/null &
		wpid=$!
		# A kill comes after the round's first acknowledgement, at a
		# random point of what follows.
		for _ in $(seq 300); do
			grep -q "^acked k$round-" "$JOURNAL" && break
			sleep 0.1
		done
		sleep "0.$((RANDOM % 5))$((RANDOM % 10))"
		kill -KILL "$DAEMON_PID"
		wait "$DAEMON_PID" 2>/dev/null
		DAEMON_PID=
		touch "$T/stop"
		pkill -KILL -P "$wpid" 2>/dev/null
		wait "$wpid" 2>/dev/null
		if ! start_daemon || { [ -z "${KILL_VERIFY_AT_END:-}" ] && ! verify >"$T/verify.out" 2>&1; }; then
			KILL_FAILURES=$((KILL_FAILURES + 1))
			echo "# round $round:"
			sed 's/^/#   /' "$T/verify.out"
		fi
	done
	if [ -n "${KILL_VERIFY_AT_END:-}" ] && ! verify >"$T/verify.out" 2>&1; then
		KILL_FAILURES=$((KILL_FAILURES + 1))
		sed 's/^/#   /' "$T/verify.out"
	fi
	KILL_ACKED=$(grep -c '^acked' "$JOURNAL")
	echo "# $rounds kills, $KILL_ACKED acknowledged changes"
}
