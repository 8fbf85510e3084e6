#!/bin/bash
# store export / import at scale: a store of 5000 devices (with secrets),
# an identity and an anchor goes out as a streamed, chunked backup and comes
# back, in one transaction, device for device.  A wrong passphrase, a
# damaged or cut-off file, a second import while one is staged, and a
# client killed in the middle of an import change nothing.
. "$(dirname "$0")/credstored-env.bash"

N=${BACKUP_DEVICES:-5000}
PASS=correct-horse
CONSUMER=${BUILD:-$REPO/build}/tests/credstore-consumer
make_ca root && make_cert root web || { echo "Bail out! openssl"; exit 1; }
in_shell "credstored starts" start_daemon --max-devices "$N"
check "anchor add" $CREDCTL anchor add root "$T/root.crt"
check "identity install" $CREDCTL identity install web --chain "$T/web.crt" --key "$T/web.key"
for part in $(seq 0 1000 $((N - 1))); do
	awk -v from="$part" -v n="$N" 'BEGIN {
		for (i = from; i < from + 1000 && i < n; i++)
			printf "device add dev%05d --fingerprint %064x --secret secret-of-dev-%05d\n", i, i + 1, i
	}' >"$T/part.batch"
	check "devices $part.. in one batch" $CREDCTL store batch "$T/part.batch"
done
check_output "the store holds $N devices" "devices: $N\$" $CREDCTL store status

# state: everything a backup must bring back, as text (days_left counts
# down while the test runs).
state() {
	$BIN/credctl -j device list &&
	$BIN/credctl identity show web | grep -v '^generation' &&
	$BIN/credctl anchor list
} | grep -v days_left
generation() { $BIN/credctl -j store status | sed -n 's/.*"generation":\([0-9]*\).*/\1/p'; }
state >"$T/before" || echo "# state failed"
start=$(date +%s.%N)
check "store export" $CREDCTL store export "$T/backup" --passphrase "$PASS"
echo "# export of $N devices: $(stat -c %s "$T/backup") bytes in $(echo "$(date +%s.%N) - $start" | bc) s"
check "the backup is not readable by others" test "$(stat -c %a "$T/backup")" = 600
check "a factory reset empties the store" $CREDCTL store factory-reset --yes
check_output "(empty)" 'devices: 0$' $CREDCTL store status
gen=$(generation)

check_output "a wrong passphrase is refused" 'wrong passphrase' \
	exit_is 1 $CREDCTL store import "$T/backup" --passphrase not-the-one
size=$(stat -c %s "$T/backup")
cp "$T/backup" "$T/damaged"
# one byte flipped (a byte set to 0xff was no damage when it was 0xff already:
# one run in 256, the backup being random)
byte=$(od -An -tu1 -j $((size / 2)) -N1 "$T/backup")
printf "\\$(printf %03o $((byte ^ 0xff)))" | dd of="$T/damaged" bs=1 seek=$((size / 2)) conv=notrunc status=none
check_output "a damaged chunk is refused" 'damaged' exit_is 1 $CREDCTL store import "$T/damaged" --passphrase "$PASS"
head -c $((size - 100)) "$T/backup" >"$T/cut"
check_output "a backup cut short is refused" 'cut short' exit_is 2 $CREDCTL store import "$T/cut" --passphrase "$PASS"
check "none of them changed the store" test "$(generation)" = "$gen"

# An import held open: credctl has sent the header and waits for chunk 0
# from a pipe.  A second import is refused; the first one's client killed,
# the next import goes through.
begun=$(grep -c 'import begun' "$T/daemon.log")
mkfifo "$T/pipe"
(head -c 32 "$T/backup"; sleep 60) >"$T/pipe" &
feeder=$!
$BIN/credctl store import "$T/pipe" --passphrase "$PASS" >/dev/null 2>&1 &
holder=$!
for _ in $(seq 200); do
	[ "$(grep -c 'import begun' "$T/daemon.log")" -gt "$begun" ] && break
	sleep 0.1
done
check_output "a second import is refused while one is staged" 'another import is in progress' \
	exit_is 1 $CREDCTL store import "$T/backup" --passphrase "$PASS"
{ kill -KILL $holder $feeder; wait $holder $feeder; } 2>/dev/null
check "the killed import changed nothing" test "$(generation)" = "$gen"

start=$(date +%s.%N)
check "store import of the whole backup" $CREDCTL store import "$T/backup" --passphrase "$PASS"
echo "# import of $N devices: $(echo "$(date +%s.%N) - $start" | bc) s"
check "the import is one transaction (one generation)" test "$(generation)" = $((gen + 1))
state >"$T/after"
check "every device, the identity and the anchor are back" cmp "$T/before" "$T/after"
# Secrets are not listed: ask the store to verify a sample of them.
bad=0
for i in $(seq 0 97 $((N - 1))); do
	id=$(printf dev%05d "$i")
	$CONSUMER -d 0 verify-secret "$id" "$(printf secret-of-dev-%05d "$i")" | grep -q "^match=master" || bad=$((bad + 1))
done
check "the sampled secrets verify ($bad wrong)" test "$bad" = 0
in_shell "stop" stop_daemon
in_shell "credstored restarts" start_daemon --max-devices "$N"
state >"$T/restarted"
check "and all of it is on flash" cmp "$T/before" "$T/restarted"
in_shell "stop" stop_daemon
finish
