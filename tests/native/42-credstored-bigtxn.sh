#!/bin/bash
# Admin changes larger than one eraseblock: a `store batch` and a `store
# import` that the store writes in parts (store/FORMAT.md, "Transactions
# in parts") commit all or nothing, also across a power cut at any flash
# operation of the batch or the import.  Small eraseblocks (16 KiB) keep
# the batches short: 300 devices with secrets are some 20 KB of records;
# an import of 2000 devices runs on the default 128 KiB eraseblocks.
. "$(dirname "$0")/credstored-env.bash"

GEOMETRY=nand,eb=16k,page=2k,subpage=512,blocks=256
DAEMON_ARGS="--image $T/store.img --no-module --geometry $GEOMETRY"
devices() { $CREDCTL store status | sed -n 's/^devices: //p'; }

# batch FILE PREFIX N [LAST]: N device adds with secrets, then LAST.
batch() {
	for i in $(seq "$3"); do echo "device add $2-$i --secret secret-of-$2-device-$i"; done >"$1"
	[ -z "${4:-}" ] || echo "$4" >>"$1"
}
batch "$T/big.batch" big 300
batch "$T/bad.batch" bad 300 "device reset-secret ghost --secret x"
batch "$T/next.batch" next 300

in_shell "credstored starts on an image of 16 KiB eraseblocks" start_daemon
check_output "a batch of 300 devices (more than an eraseblock) commits" 'operations: 300' \
	$CREDCTL store batch "$T/big.batch"
check "the store holds more than an eraseblock of records" \
	test "$($CREDCTL store status | sed -n 's/^live_bytes: //p')" -gt 16384
check_output "a batch of 300 more whose last operation fails is refused" 'batch operation 301' \
	exit_is 4 $CREDCTL store batch "$T/bad.batch"
check "none of the refused batch is there" test "$(devices)" = 300
check_fails "not its first device either" $CREDCTL device show bad-1
in_shell "stop" stop_daemon
in_shell "credstored restarts" start_daemon
check "after the restart: the 300 devices" test "$(devices)" = 300
check_output "the first one, with its secret" 'master_secret: yes' $CREDCTL device show big-1
check_output "and the last one" 'id: big-300' $CREDCTL device show big-300

check "store export" $CREDCTL store export "$T/backup" --passphrase correct-horse
check "store reset-devices --yes" $CREDCTL store reset-devices --yes
check "store import of a backup larger than an eraseblock" \
	$CREDCTL store import "$T/backup" --passphrase correct-horse
check "import restored the 300 devices" test "$(devices)" = 300
in_shell "stop" stop_daemon

# save_image / restore_image: the image and the rollback counter beside
# the key go together (the counter would see a restored image as older).
save_image() { cp "$T/store.img" "$T/store.img.saved" && cp "$T/counter" "$T/counter.saved"; }
restore_image() { cp "$T/store.img.saved" "$T/store.img" && cp "$T/counter.saved" "$T/counter"; }

# cut_each IMAGE BEFORE AFTER CUTS COMMAND...: for each cut point, the
# image as saved in IMAGE.saved, COMMAND run under a power cut there (torn
# at odd points), a restart without faults: the store must hold BEFORE or
# AFTER devices, and AFTER if COMMAND was acknowledged.  Sets cut_points,
# cut_inside (cuts before the acknowledgement) and mixed (failures).
cut_each() {
	local image=$1 before=$2 after=$3 cuts=$4 cut torn n acked
	shift 4
	cut_points=0 cut_inside=0 mixed=0
	for cut in $cuts; do
		torn=$([ $((cut % 2)) = 1 ] && echo ,torn)
		restore_image
		start_daemon --faults "cut=$cut$torn" || { mixed=$((mixed + 1)); continue; }
		"$@" >/dev/null 2>&1 && acked=1 || acked=0
		stop_daemon
		start_daemon || { mixed=$((mixed + 1)); continue; }
		n=$(devices)
		cut_points=$((cut_points + 1))
		cut_inside=$((cut_inside + 1 - acked))
		if ! { [ "$n" = "$before" ] && [ "$acked" = 0 ]; } && [ "$n" != "$after" ]; then
			echo "# cut=$cut$torn: $n devices after the restart (acknowledged: $acked)"
			mixed=$((mixed + 1))
		fi
		stop_daemon
	done
}

# A power cut at each flash operation of the next batch (it takes 7: the
# parts, and an erase and a header for each new segment), and one after.
save_image
cut_each "$T/store.img" 300 600 "0 1 2 3 4 5 6 7" $CREDCTL store batch "$T/next.batch"
check "$cut_points power cuts during a batch of 300, $cut_inside before it was acknowledged: all or nothing each time" \
	test "$mixed" = 0 -a "$cut_inside" -gt 4 -a "$cut_inside" -lt "$cut_points"

# The same during an import of the 300 devices over an empty store.
restore_image
in_shell "credstored restarts" start_daemon
check "store reset-devices --yes" $CREDCTL store reset-devices --yes
in_shell "stop" stop_daemon
save_image
cut_each "$T/store.img" 0 300 "0 1 2 3 4 5 6 7" \
	$CREDCTL store import "$T/backup" --passphrase correct-horse
check "$cut_points power cuts during the import of 300 devices, $cut_inside before it was acknowledged: all or nothing each time" \
	test "$mixed" = 0 -a "$cut_inside" -gt 2 -a "$cut_inside" -lt "$cut_points"

# Restoring a backup of $MANY devices on the default geometry (128 KiB
# eraseblocks): more than an eraseblock of records.  (10000 devices work
# the same way, but making them takes 40 batches, too slow for every run:
# CREDSTORE_TEST_DEVICES=10000 runs it.)
MANY=${CREDSTORE_TEST_DEVICES:-2000}
DAEMON_ARGS="--image $T/big.img --no-module --max-devices $MANY"
in_shell "credstored on a new default image, for $MANY devices" start_daemon
for b in $(seq $((MANY / 250))); do
	batch "$T/b.batch" "d$b" 250
	$CREDCTL store batch "$T/b.batch" >/dev/null
done
check "$MANY devices, in batches of 250" test "$(devices)" = "$MANY"
check "store export of $MANY devices" $CREDCTL store export "$T/backup" --passphrase correct-horse --force
check "store reset-devices --yes" $CREDCTL store reset-devices --yes
check "store import of $MANY devices" $CREDCTL store import "$T/backup" --passphrase correct-horse
in_shell "stop" stop_daemon
in_shell "credstored restarts" start_daemon
check "the $MANY devices are back after the restart" test "$(devices)" = "$MANY"
in_shell "stop" stop_daemon
finish
