#!/bin/bash
# A full partition: credstored on a small image is filled with devices
# (batches, then smaller ones, until one device more does not fit).  Full,
# it must refuse every add, a batch as a whole, and say so; `store status`
# must show less free space than a device takes; and it must still take
# every change to the devices it holds: overwrites, a new fingerprint or
# secret, promote, disable-sub, drop-sub, remove; after a remove, the
# room it freed takes an add; a restart changes nothing.
. "$(dirname "$0")/credstored-env.bash"

fp() { printf '%064x' "$1"; }
secret() { printf 'secret-%016d' "$1"; }
# adds FROM COUNT: device add lines (each with a fingerprint, never all
# zero: credstored refuses that one, and a secret).
adds() {
	awk -v from="$1" -v n="$2" 'BEGIN {
		for (i = from; i < from + n; i++)
			printf "device add full%06d --fingerprint %064x --secret secret-%016d\n", i, i + 1, i
	}'
}
status() { $CREDCTL -j store status; }
devices() { status | sed -n 's/.*"devices":\([0-9]*\).*/\1/p'; }
free_bytes() { status | sed -n 's/.*"free_bytes":\([0-9]*\).*/\1/p'; }
generation() { status | sed -n 's/.*"generation":\([0-9]*\).*/\1/p'; }

in_shell "credstored starts on 8 eraseblocks" start_daemon --geometry nand,blocks=8 \
	--max-devices 100000

# Fill: batches of 512 adds, then halves, down to one device at a time.
n=0 size=512
while [ "$size" -ge 1 ]; do
	adds "$n" "$size" >"$T/fill"
	if $CREDCTL store batch "$T/fill" >/dev/null 2>"$T/refusal"; then
		n=$((n + size))
	else
		size=$((size / 2))
	fi
done
check "filled: $n devices, then one more refused as full" grep -q "store full" "$T/refusal"
check "store status counts them" test "$(devices)" = "$n"
# What one of these devices takes, from the store's own figures.
per_device=$(status | sed -n 's/.*"live_bytes":\([0-9]*\).*/\1/p')
per_device=$((per_device / n))
check "free space is less than one device takes ($(free_bytes) < ~$per_device bytes)" \
	test "$(free_bytes)" -lt "$per_device"

gen=$(generation)
check_output "full: device add is refused, saying the store is full" "store full" \
	exit_is 1 $CREDCTL device add one-more --secret "$(secret 999999)"
adds 900000 2 >"$T/two"
check_output "full: a batch of two adds is refused" "store full" \
	exit_is 1 $CREDCTL store batch "$T/two"
check "nothing was written" test "$(generation)" = "$gen"

# Every change to what the store holds is taken.
for i in $(seq 0 49); do
	echo "device reset-secret full$(printf %06d $((i * 7 % n))) --secret $(secret $((i + 500000))) --master"
done >"$T/overwrites"
check_output "full: a batch of 50 secret overwrites is taken" "operations: 50" \
	$CREDCTL store batch "$T/overwrites"
check "full: reset-fingerprint (a new sub)" $CREDCTL device reset-fingerprint full000001 \
	--fingerprint "$(fp 777777)"
check "full: promote" $CREDCTL device promote full000001
check "full: reset-secret (a new sub secret)" $CREDCTL device reset-secret full000002 \
	--secret "$(secret 600002)"
check "full: disable-sub" $CREDCTL device disable-sub full000002
check "full: drop-sub" $CREDCTL device drop-sub full000002
check "full: remove" $CREDCTL device remove full000003
check "the room a remove freed takes an add" $CREDCTL device add full-again \
	--fingerprint "$(fp 888888)" --secret "$(secret 888888)"
check_output "and is full again" "store full" \
	exit_is 1 $CREDCTL device add one-more --secret "$(secret 999999)"

count=$(devices)
in_shell "restart: stopped" stop_daemon
in_shell "restart: running" start_daemon --geometry nand,blocks=8 --max-devices 100000
check "after a restart: the same $count devices" test "$(devices)" = "$count"
check_output "after a restart: the promoted fingerprint is full000001's" "master_fingerprint: $(fp 777777)" \
	$CREDCTL device show full000001
check_output "after a restart: still full" "store full" \
	exit_is 1 $CREDCTL device add one-more --secret "$(secret 999999)"
in_shell "stop" stop_daemon
finish
