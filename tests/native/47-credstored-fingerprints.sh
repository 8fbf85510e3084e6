#!/bin/bash
# A master or sub fingerprint belongs to one device at a time, whether the
# device holding it is committed or staged earlier in the same batch, and a
# fingerprint that a batch frees (a device removed, a fingerprint replaced,
# the sub dropped, every device reset) can be taken later in that batch.
# Then scale: a batch of 8000 device adds over 6000 devices is answered
# (each fingerprint once looked at every device, unsealing its secrets:
# a minute for this batch; now a tree per transaction).
. "$(dirname "$0")/credstored-env.bash"

fp() { printf '%064x' "$1"; }
# batch_refused NAME OWNER LINE...: the batch fails naming OWNER, and
# changes nothing.
batch_refused() {
	local name=$1 owner=$2 gen
	shift 2
	printf '%s\n' "$@" >"$T/b"
	gen=$(generation)
	check_output "$name: refused, the fingerprint belongs to '$owner'" \
		"belongs to device '$owner'" exit_is 1 $CREDCTL store batch "$T/b"
	check "$name: nothing changed" test "$(generation)" = "$gen"
}
batch_ok() {
	local name=$1
	shift
	printf '%s\n' "$@" >"$T/b"
	check_output "$name" "operations: $#" $CREDCTL store batch "$T/b"
}
generation() { $BIN/credctl -j store status | sed -n 's/.*"generation":\([0-9]*\).*/\1/p'; }
holds() { $CREDCTL device show "$1" | grep -q "$2_fingerprint: $(fp "$3")"; }

in_shell "credstored starts" start_daemon --max-devices 20000
check "committed: c1 holds fp 1 (master) and fp 2 (sub)" sh -c \
	"$CREDCTL device add c1 --fingerprint $(fp 1) && $CREDCTL device reset-fingerprint c1 --fingerprint $(fp 2)"

batch_refused "a committed master" c1 "device add n1 --fingerprint $(fp 1)"
batch_refused "a committed sub" c1 "device add n1 --fingerprint $(fp 2)"
batch_refused "a device staged earlier in the batch" s1 \
	"device add s1 --fingerprint $(fp 10)" "device add s2 --fingerprint $(fp 10)"
batch_refused "a sub staged earlier in the batch" s1 \
	"device add s1" "device reset-fingerprint s1 --fingerprint $(fp 11)" \
	"device add s2" "device reset-fingerprint s2 --fingerprint $(fp 11) --master"
batch_refused "a committed device changed in the batch, still holding it" c1 \
	"device reset-secret c1 --secret again-secret-of-c1" "device add n1 --fingerprint $(fp 1)"
batch_refused "a device re-added in the batch" r1 \
	"device add r1 --fingerprint $(fp 12)" "device remove r1" \
	"device add r1 --fingerprint $(fp 12)" "device add r2 --fingerprint $(fp 12)"
batch_refused "taken back after a reset of every device" t1 \
	"store reset-devices --yes" "device add t1 --fingerprint $(fp 1)" \
	"device add t2 --fingerprint $(fp 1)"

batch_ok "the device's own fingerprint again: allowed" \
	"device reset-fingerprint c1 --fingerprint $(fp 1) --master"
batch_ok "freed in the batch by removing a staged device, then taken" \
	"device add s1 --fingerprint $(fp 20)" "device remove s1" "device add s2 --fingerprint $(fp 20)"
check "s2 holds it" holds s2 master 20
batch_ok "freed by dropping c1's sub, then taken" \
	"device drop-sub c1" "device add n2 --fingerprint $(fp 2)"
check "n2 holds c1's old sub" holds n2 master 2
batch_ok "freed by replacing c1's master, then taken" \
	"device reset-fingerprint c1 --fingerprint $(fp 3) --master" "device add n3 --fingerprint $(fp 1)"
check "n3 holds c1's old master" holds n3 master 1
batch_ok "freed by removing the committed device, then taken" \
	"device remove n3" "device add n4 --fingerprint $(fp 1)"
batch_ok "freed by resetting every device, then taken" \
	"store reset-devices --yes" "device add m1 --fingerprint $(fp 2)" "device add m2 --fingerprint $(fp 3)"
check_output "only the batch's devices remain" 'devices: 2$' $CREDCTL store status
in_shell "after a restart: stopped" stop_daemon
in_shell "after a restart: running" start_daemon --max-devices 20000
batch_refused "after a restart a committed fingerprint is still taken" m2 \
	"device add x --fingerprint $(fp 3)"

# devices FROM COUNT: device add lines with a fingerprint and a secret.
devices() {
	awk -v from="$1" -v n="$2" 'BEGIN {
		for (i = from; i < from + n; i++)
			printf "device add big%07d --fingerprint %064x --secret %064d\n", i, i, i
	}'
}
devices 1000000 6000 >"$T/6000.batch"
devices 2000000 8000 >"$T/8000.batch"
check_output "6000 devices in one batch" 'operations: 6000' $CREDCTL store batch "$T/6000.batch"
check_output "8000 more in one batch" 'operations: 8000' $CREDCTL store batch "$T/8000.batch"
check_output "14002 devices" 'devices: 14002$' $CREDCTL store status
devices 1005999 1 >"$T/dup.batch"
sed -i "1s/big1005999/late/" "$T/dup.batch"
batch_refused "the last device of the first big batch still owns its fingerprint" big1005999 \
	"$(cat "$T/dup.batch")"
in_shell "stop" stop_daemon
finish
