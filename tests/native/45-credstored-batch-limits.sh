#!/bin/bash
# Large batches: one of 600 operations got no answer in the VM (each part
# of the answer had a 4 MiB buffer to zero, and each fingerprint was
# checked against every device decoded: longer than credctl waits).  Now a
# batch of 600 and one of 2000 device adds are answered and committed, and
# the one hard limit, a request of 4 MiB, is named in a clear error: a
# batch just under it reaches the daemon and is answered, one line more is
# refused by credctl, and neither changes anything.
. "$(dirname "$0")/credstored-env.bash"

# devices FROM COUNT: device add lines with a fingerprint and a secret.
devices() {
	awk -v from="$1" -v n="$2" 'BEGIN {
		for (i = from; i < from + n; i++)
			printf "device add big%07d --fingerprint %064x --secret %064d\n", i, i, i
	}'
}
generation() { $BIN/credctl -j store status | sed -n 's/.*"generation":\([0-9]*\).*/\1/p'; }

in_shell "credstored starts" start_daemon --max-devices 2600
devices 1 600 >"$T/600.batch"
check_output "a batch of 600 operations is answered" 'operations: 600' $CREDCTL store batch "$T/600.batch"
devices 1000 2000 >"$T/2000.batch"
check_output "a batch of 2000 operations is answered" 'operations: 2000' $CREDCTL store batch "$T/2000.batch"
check_output "and committed: 2600 devices" 'devices: 2600$' $CREDCTL store status
check_output "one more device is refused by the device limit" 'maximum of 2600 devices' \
	exit_is 1 $CREDCTL device add one-too-many
gen=$(generation)

# The request limit: find the line that crosses 4 MiB.
devices 10000000 33000 >"$T/huge.batch"
check_output "a batch over 4 MiB is refused, naming the limit" 'larger than the 4 MiB one admin message holds' \
	exit_is 2 $CREDCTL store batch "$T/huge.batch"
line=$($BIN/credctl store batch "$T/huge.batch" 2>&1 | sed -n 's/.*huge\.batch:\([0-9]*\): in this line/\1/p')
check "credctl names the line that crosses it ($line)" test "${line:-0}" -gt 30000
head -n "$line" "$T/huge.batch" >"$T/over.batch"
head -n $((line - 1)) "$T/huge.batch" >"$T/under.batch"
check_output "one line over the limit: refused by credctl" '4 MiB' \
	exit_is 2 $CREDCTL store batch "$T/over.batch"
# Just under it the daemon gets the whole request and answers: its first
# operation fails (the device exists), so the batch changes nothing.
check "a device the big batch adds first" $CREDCTL device remove big0001000
check "(and adds back)" $CREDCTL device add big0001000
sed -i "1s/.*/device add big0001000/" "$T/under.batch"
check_output "just under the limit: the daemon answers (device exists)" 'batch operation 1 \(device add\): device .big0001000. exists' \
	exit_is 1 $CREDCTL store batch "$T/under.batch"
check "the refused batches changed nothing" test "$(generation)" = $((gen + 2))
in_shell "stop" stop_daemon
finish
