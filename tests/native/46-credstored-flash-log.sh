#!/bin/bash
# credstored logs what the flash does to the store, naming the eraseblock:
# a block retired (marked bad) after a failed program, segments scrubbed
# after corrected bit flips, commits lost to uncorrectable reads; store
# status counts them.  Faults come from the
# emulated flash (--faults, flash_emu.h).
. "$(dirname "$0")/credstored-env.bash"

# $T/devices.batch: 300 device adds, about a third of an eraseblock.
for i in $(seq 300); do
	printf 'device add dev%04d --fingerprint %064x --secret secret-of-device-%04d\n' "$i" "$i" "$i"
done >"$T/devices.batch"

# Blocks 1-16 fail to program: the store marks each one it meets bad.
in_shell "credstored with failing blocks" start_daemon --faults "progfail=$(seq -s: 1 16)"
for round in 1 2 3 4 5 6; do
	check "batch $round is committed despite the failing blocks" $CREDCTL store batch "$T/devices.batch"
	check "and reset $round" $CREDCTL store reset-devices --yes
done
bad=$($CREDCTL -j store status | sed -n 's/.*"bad_blocks":\([0-9]*\).*/\1/p')
check "status counts retired blocks" test "${bad:-0}" -gt 0
retired=$(grep -c 'flash: eraseblock [0-9]* retired (marked bad) after: .*program failed' "$T/daemon.log")
check "one log line per retired block ($retired lines, $bad bad blocks)" test "$retired" = "$bad"
check "each names a block that fails (1-16)" sh -c "grep -o 'eraseblock [0-9]* retired' '$T/daemon.log' |
	awk '\$2 < 1 || \$2 > 16 { bad = 1 } END { exit bad }'"
check "the store still has what it acknowledged" $CREDCTL store batch "$T/devices.batch"
in_shell "stop" stop_daemon

# Reads of the blocks in use (0, and 17 on: 1-16 are bad) report corrected
# bit flips: the mount finds them, the next commit scrubs the segments.
: >"$T/daemon.log"
in_shell "credstored with bit flips in the blocks in use" \
	start_daemon --faults "bitflip=0:$(seq -s: 17 31)"
check "a change after the mount" $CREDCTL device add scrub-trigger
check_output "the scrub is logged with the block" 'flash: [0-9]* scrub\(s\) after corrected bit flips on eraseblock' \
	cat "$T/daemon.log"
check_output "the devices are all there" 'devices: 301' $CREDCTL store status
check "store status counts the scrubs" sh -c "$CREDCTL store status | grep -q '^scrubs: [1-9]'"
in_shell "stop" stop_daemon

# A new store with the 300 devices, then page 1 of blocks 0-15 (the first
# segment is in one of them) unreadable: with one copy the commits there
# are lost.  The log and store status say so; the store keeps working.
rm -f "$T/store.img"
: >"$T/daemon.log"
in_shell "credstored on a new image" start_daemon
check "the 300 devices" $CREDCTL store batch "$T/devices.batch"
in_shell "stop" stop_daemon
in_shell "credstored with unreadable pages" \
	start_daemon --faults "badpage=$(seq -s: -f %g.1 0 15)"
check_output "the lost commits are logged with the block" \
	'flash: [0-9]+ commit\(s\) lost to unreadable pages at mount \(eraseblock [0-9]' cat "$T/daemon.log"
check "store status counts them" sh -c "$CREDCTL store status | grep -q '^lost_commits: [1-9]'"
check "devices were lost, not invented" sh -c \
	"[ \$($CREDCTL -j store status | sed -n 's/.*\"devices\":\\([0-9]*\\).*/\\1/p') -lt 300 ]"
# what was lost may have been a removal: the store is older than its
# rollback counter, and takes changes once the administrator accepts it
check_output "the store is older than its counter, and says why" \
	'rollback_reason: .*commit\(s\) were lost to unreadable pages' $CREDCTL store status
check "changes are refused until then (exit 7)" exit_is 7 $CREDCTL device add after-the-loss
check "store accept-rollback" $CREDCTL store accept-rollback --yes
check "the store takes changes" $CREDCTL device add after-the-loss
in_shell "stop" stop_daemon
finish
