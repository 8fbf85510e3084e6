#!/bin/bash
# credstored on a flash image someone edited without the key
# (store-attack, tests/attack/): a forged fingerprint-only device, a flipped
# flag and a replayed commit are detected at start, logged with the
# eraseblock, counted in store status, and never served; an older image
# written back whole is detected through the rollback counter (a file beside
# the key, then a TPM NV counter on a swtpm): store status and the log say
# so, changes are refused (exit 7) until `credctl store accept-rollback`.
. "$(dirname "$0")/credstored-env.bash"

ATTACK=$BIN/store-attack
FP_MALLORY=$(printf '%064x' 666)

in_shell "credstored starts (rollback counter beside the key)" start_daemon
check "device alice (a secret)" $CREDCTL device add alice --secret alice-secret-16-bytes
check "device bob (a fingerprint)" $CREDCTL device add bob --fingerprint "$(printf '%064x' 2)"
check "device carol" $CREDCTL device add carol --secret carol-secret-16-bytes
check_output "store status: the counter is bound" '^rollback: ok' $CREDCTL store status
in_shell "stop" stop_daemon
cp "$T/store.img" "$T/old.img"
in_shell "restart" start_daemon
check "carol removed" $CREDCTL device remove carol
check "device dave" $CREDCTL device add dave --secret dave-secret-16-bytes
generation() { $CREDCTL store status | awk '$1 == "generation:" { print $2 }'; }
good_generation=$(generation)
in_shell "stop" stop_daemon
cp "$T/store.img" "$T/good.img"
cp "$T/counter" "$T/good.counter"

# attack NAME COMMAND...: the good image attacked; credstored must start,
# log the tampering with a block and count it, and serve what is authentic.
attack() {
	local name=$1
	shift
	# with the counter as it was: a change after one attack must not make
	# the next attack's image look older
	cp "$T/good.img" "$T/store.img"
	cp "$T/good.counter" "$T/counter"
	: >"$T/daemon.log"
	check "$name: store-attack" "$ATTACK" "$T/store.img" "$@"
	in_shell "$name: credstored starts" start_daemon
	check_output "$name: logged, naming the eraseblock" \
		'store: tampering on eraseblock [0-9]+: the commit at offset' cat "$T/daemon.log"
	check "$name: store status counts it" sh -c "$CREDCTL store status | grep -q '^tampered: [1-9]'"
	check "$name: alice is served" $CREDCTL device show alice
}

attack "forged device" add-device mallory "$FP_MALLORY"
check "forged device: mallory is not served" exit_is 4 $CREDCTL device show mallory
check_output "forged device: its fingerprint matches no device" 'devices: 3$' $CREDCTL store status
check "forged device: changes are taken" $CREDCTL device add erin --secret erin-secret-16-bytes
in_shell "stop" stop_daemon

# bob's flags: the first attribute of his value, a u32 after its 4-byte
# header.  His commit is cut off with the rest of the log after it, which
# is older than the counter then: changes are refused.
attack "flipped flag" flip device bob 4 0x01
check_fails "flipped flag: bob is never served with his sub disabled" \
	sh -c "$CREDCTL -j device show bob | grep -q '\"sub_disabled\":true'"
check_refused "flipped flag: the log cut there is older than the counter: changes refused" \
	7 'older than' $CREDCTL device add frank
in_shell "stop" stop_daemon

attack "replayed commit" replay device carol
check "replayed commit: carol stays removed" exit_is 4 $CREDCTL device show carol
in_shell "stop" stop_daemon

# An older image written back whole (carol still there): the counter says
# the store went further.
cp "$T/old.img" "$T/store.img"
: >"$T/daemon.log"
in_shell "older image: credstored starts (serving reads)" start_daemon
check_output "older image: logged" 'store: changes refused: the flash is older than counter file' \
	cat "$T/daemon.log"
check_output "older image: store status says so" '^rollback: detected' $CREDCTL store status
check_refused "older image: a change is refused, exit 7" 7 'the flash is older than' \
	$CREDCTL device add frank
check "older image: reads are served" $CREDCTL device show alice
check_refused "older image: accept-rollback needs --yes" 2 'yes' $CREDCTL store accept-rollback
check "older image: accepted" $CREDCTL store accept-rollback --yes
# credstore.ko refuses an update older than what it serves: the
# generation goes on past the newest the store had reached
check "older image: the generation is past the newest image's ($good_generation)" \
	test "$(generation)" -gt "$good_generation"
check "older image: changes are taken" $CREDCTL device add frank --secret frank-secret-16-bytes
in_shell "stop" stop_daemon
in_shell "older image: restarts" start_daemon
check_output "older image: bound anew" '^rollback: ok' $CREDCTL store status
in_shell "stop" stop_daemon

# The same with a TPM 2.0 NV counter (swtpm; checked with tpm2-tools).
if ! command -v swtpm >/dev/null || ! command -v tpm2_nvread >/dev/null; then
	echo "ok - tpm # SKIP swtpm or tpm2-tools missing (make deps installs them)"
	finish
fi
mkdir -p "$T/tpm"
swtpm socket --tpm2 --tpmstate dir="$T/tpm" --server type=unixio,path="$T/tpm/sock" \
	--ctrl type=unixio,path="$T/tpm/sock.ctrl" --flags not-need-init,startup-clear \
	--daemon --pid file="$T/tpm/pid" --log file=/dev/null
trap 'stop_daemon; kill "$(cat "$T/tpm/pid" 2>/dev/null)" 2>/dev/null; [ -n "${KEEP_TEST_DIR:-}" ] || rm -rf "$T"' EXIT
TCTI="swtpm:path=$T/tpm/sock"
TPM="--counter-tpm 0x01500016 --tpm-tcti $TCTI"
rm -f "$T/store.img"
# shellcheck disable=SC2086
in_shell "tpm: credstored on a new image, counter in the TPM" start_daemon $TPM
check "tpm: device alice" $CREDCTL device add alice --secret alice-secret-16-bytes
in_shell "stop" stop_daemon
cp "$T/store.img" "$T/old.img"
# shellcheck disable=SC2086
in_shell "tpm: restart" start_daemon $TPM
check "tpm: device bob" $CREDCTL device add bob --secret bob-secret-16-bytes
counter=$($BIN/credctl -j store status | sed -n 's/.*"counter":\([0-9]*\).*/\1/p')
check "tpm: tpm2_nvread agrees with store status ($counter)" \
	test "$(TPM2TOOLS_TCTI=$TCTI tpm2_nvread 0x01500016 2>/dev/null | od -An -tx1 | tr -d ' \n')" \
	= "$(printf '%016x' "$counter")"
in_shell "stop" stop_daemon
cp "$T/old.img" "$T/store.img"
# shellcheck disable=SC2086
in_shell "tpm: an older image" start_daemon $TPM
check_output "tpm: store status says so" '^rollback: detected' $CREDCTL store status
check_refused "tpm: a change is refused" 7 'the flash is older than TPM NV counter' \
	$CREDCTL device add carol
check "tpm: accepted" $CREDCTL store accept-rollback --yes
check "tpm: changes are taken" $CREDCTL device add carol --secret carol-secret-16-bytes
in_shell "stop" stop_daemon
finish
