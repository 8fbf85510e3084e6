#!/bin/bash
# Power cuts through the CLI: credstored on an emulated NAND image whose
# power is cut at the Nth program or erase (--faults cut=N, with and
# without torn programs) while credctl adds devices.  credctl says for
# each change: done (exit 0), refused (1) or outcome unknown (8: the cut
# hit the commit's own program, which may have landed whole; a cut in
# garbage collection before it refuses it).  The daemon
# mounts the store again by itself and serves on: no restart by hand.
# Afterwards, and again after a restart, every acknowledged change is
# there, every refused one is not, and an unknown one either way.
. "$(dirname "$0")/credstored-env.bash"

OPS=12
# Small blocks, and garbage in them: the cuts meet garbage collection's
# erases and copies too, not only the commits' programs.
in_shell "credstored makes the image" start_daemon --geometry nand,eb=16k,page=2k,subpage=512,blocks=8
churn() {
	$CREDCTL device add base --secret power-cut-secret-0 >/dev/null &&
	for i in $(seq 60); do $CREDCTL device reset-secret base --secret "power-cut-secret-$i" >/dev/null || return 1; done
}
in_shell "60 rotations of one device fill it with garbage" churn
in_shell "and stops" stop_daemon
# The image and the rollback counter beside the key go together (the
# counter would see the image put back as older, and refuse changes).
save_used() { cp "$T/store.img" "$T/used.img" && cp "$T/counter" "$T/used.counter"; }
restore_used() { cp "$T/used.img" "$T/store.img" && cp "$T/used.counter" "$T/counter"; }
save_used

# verify OUTCOMES: the devices listed agree with what credctl said.
verify() {
	$CREDCTL -j device list >"$T/list.json" || return 1
	python3 - "$1" "$T/list.json" <<'PY'
import json, sys
said = dict(l.split() for l in open(sys.argv[1]))
have = {d["id"] for d in json.load(open(sys.argv[2]))["devices"]}
bad = [i for i, o in said.items() if (o == "done" and i not in have) or (o == "refused" and i in have)]
for i in bad:
    print("device %s: credctl said %s, the store %s it" % (i, said[i], "has" if i in have else "lacks"))
sys.exit(1 if bad else 0)
PY
}

unknown=0 refused=0
for spec in cut=0 cut=5 cut=0,torn cut=5,torn,seed=7; do
	restore_used
	in_shell "$spec: credstored starts" start_daemon --faults "$spec"
	: >"$T/said"
	for i in $(seq $OPS); do
		$CREDCTL --timeout 10 device add "d$i" --secret "power-cut-secret-$i" >/dev/null 2>>"$T/ctl.err"
		case $? in
		0) echo "d$i done" ;;
		1) echo "d$i refused" ;;
		8) echo "d$i unknown" ;;
		*) echo "d$i other" ;;
		esac >>"$T/said"
	done
	check_fails "$spec: every change was done, refused or unknown" grep -q other "$T/said"
	check "$spec: the daemon serves on, without a restart" kill -0 "$DAEMON_PID"
	check_output "$spec: it mounted the store again once" '^remounts: 1$' $CREDCTL store status
	check "$spec: what credctl said holds" verify "$T/said"
	in_shell "$spec: credstored stops" stop_daemon
	in_shell "$spec: and starts again" start_daemon
	check "$spec: what credctl said holds after a restart" verify "$T/said"
	in_shell "$spec: credstored stops" stop_daemon
	unknown=$((unknown + $(grep -c unknown "$T/said")))
	refused=$((refused + $(grep -c refused "$T/said")))
	echo "# $spec: $(cut -d" " -f2 "$T/said" | sort | uniq -c | tr -s " \n" " ")"
done
check "some changes had an unknown outcome (cuts during their program)" test "$unknown" -gt 0
check "some were refused (cuts during an erase before their commit)" test "$refused" -gt 0
check_output "credctl says what an unknown outcome means" \
	'outcome unknown: the device add may or may not be stored .*credctl store status' cat "$T/ctl.err"
check_output "the daemon logged the remounts" 'the store is mounted again' cat "$T/daemon.log"

# A store that does not mount again (its key is gone: a new one does not
# open it) stops the daemon with a failure, for systemd to restart it.
restore_used
in_shell "credstored starts, a cut ahead" start_daemon --faults cut=5
mv "$T/store.key" "$T/store.key.saved"
for i in $(seq 8); do $CREDCTL --timeout 10 device add "k$i" >/dev/null 2>&1; done
# daemon_failed: it exits within 10 s, with status 1.
daemon_failed() {
	local i rc
	for i in $(seq 100); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$DAEMON_PID" 2>/dev/null && return 1
	wait "$DAEMON_PID"
	rc=$?
	DAEMON_PID=
	[ "$rc" = 1 ]
}
in_shell "it exits 1 when the store does not mount again" daemon_failed
check_output "and says why" 'mounting the store again failed' cat "$T/daemon.log"
mv "$T/store.key.saved" "$T/store.key"
in_shell "with its key back, credstored starts" start_daemon
check_output "and serves" 'generation' $CREDCTL store status
in_shell "credstored stops" stop_daemon
finish
