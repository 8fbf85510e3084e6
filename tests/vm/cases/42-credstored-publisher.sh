# Nothing an administrator does wedges the publisher (credstored on
# nandsim, credstore.ko loaded).  Changes the module would refuse are
# refused by the daemon when they are made, naming the limit, and change
# nothing: a sub fingerprint equal to the master, an anchor over
# CREDSTORE_CHAIN_MAX, a key over CREDSTORE_KEY_MAX, a `store import` of a
# backup whose devices share a fingerprint (crafted by twin-backup,
# tests/backup/).  After each, the module follows the next change: a
# removed device is refused by it.  A
# record the module refuses anyway (its max_entries, lowered while it
# runs) is logged, left out and reported by `store status` while every
# other change is published; it is published once the module takes it;
# a restart's snapshot leaves it out and publishes the rest.
# vm-nandsim: id_bytes=0x20,0xaa,0x00,0x15 parts=64
# vm-timeout: 400
DAEMON_ARGS="--mtd /dev/mtd0"
. "$REPO/tests/native/credstored-env.bash"
. "$REPO/tests/nl/helpers.sh"

DATA=$REPO/tests/vm/data
MAX_ENTRIES=/sys/module/credstore/parameters/max_entries
saved_max=$(cat "$MAX_ENTRIES")
trap 'echo "$saved_max" >"$MAX_ENTRIES"; stop_daemon; rm -rf "$T" "$CREDSTORE_RUNTIME_DIR"' EXIT
make_ca root && make_cert root web && for c in c1 p1 p2 p3 p4 p5 m1 m2; do make_cert root $c; done ||
	{ echo "not ok - test certificates"; exit 1; }

in_shell "credstored starts, publishing" start_daemon
check "an identity and a device" sh -c "$CREDCTL identity install web --chain $T/web.crt \
	--key $T/web.key --no-anchor-check && $CREDCTL device add cam1 --cert $T/c1.crt"

# removed_is_refused ID: add device ID (certificate $T/ID.crt), see the
# module admit it, remove it, see the module refuse it.
removed_is_refused() {
	local fp
	fp=$(fingerprint "$T/$1.crt")
	$CREDCTL device add "$1" --cert "$T/$1.crt" >/dev/null &&
	$CSNL verify-fp "$fp" | grep -q match=master &&
	$CREDCTL device remove "$1" >/dev/null &&
	$CSNL verify-fp "$fp" | grep -q match=none
}

# ---- refused when made ----
check_output "sub fingerprint = master: refused, and why" 'the sub fingerprint is the master' \
	exit_is 1 $CREDCTL device reset-fingerprint cam1 --cert "$T/c1.crt"
check_output "cam1 still has no sub" 'sub_fingerprint: none' $CREDCTL device show cam1
check "the module follows the next change: a removed device is refused" removed_is_refused p1

san=$(seq 1 1200 | sed 's/^/DNS:host-number-/; s/$/.example.com/' | paste -sd,)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj /CN=big \
	-addext "subjectAltName=$san" -keyout "$T/big.key" -outform DER -out "$T/big.der" 2>/dev/null
check_output "an anchor of $(stat -c %s "$T/big.der") bytes: refused, naming the limit" \
	'credstore.ko takes 1 to 32768' exit_is 1 $CREDCTL anchor add big "$T/big.der"
check_output "no anchor was added" '^\{"anchors":\[\]\}$' $CREDCTL -j anchor list
check "the module follows: a removed device is refused" removed_is_refused p2

# A leaf (not a CA: credstored takes no CA as a server identity) for the
# RSA-16384 key, signed by root without the big key's own signature.
openssl pkey -in "$DATA/rsa16384.key" -pubout -out "$T/big.pub" 2>/dev/null &&
	openssl x509 -req -in "$T/web.csr" -force_pubkey "$T/big.pub" -CA "$T/root.crt" \
		-CAkey "$T/root.key" -CAcreateserial -days 30 -out "$T/big16k.crt" 2>/dev/null
check_output "a key of $(openssl pkey -in "$DATA/rsa16384.key" -outform DER | wc -c) bytes: refused, naming the limit" \
	'credstored takes 1 to 8192' exit_is 1 $CREDCTL identity install big --chain "$T/big16k.crt" \
	--key "$DATA/rsa16384.key" --no-anchor-check
check_output "no identity 'big'" 'identity: none' $CREDCTL identity show big
check "the module follows: a removed device is refused" removed_is_refused p3

# twin-backup (tests/backup/) seals what credctl store export never
# writes: devices twin-a and twin-b with one master fingerprint.
$BIN/twin-backup "$T/twins.backup" twin-backup-pass || { echo "not ok - the twin backup"; exit 1; }
devices_before=$($CREDCTL -j device list)
check_refused "a backup whose devices share a fingerprint: refused, naming them" 1 \
	"devices 'twin-[ab]' and 'twin-[ab]' share a fingerprint; nothing was imported" \
	$CREDCTL store import "$T/twins.backup" --passphrase twin-backup-pass
check "the device list is as it was" test "$($CREDCTL -j device list)" = "$devices_before"
check "the module follows: a removed device is refused" removed_is_refused p5

# ---- refused by the module anyway ----
served() { $CSNL status | sed -n 's/.*identities=\([0-9]*\) anchors=\([0-9]*\) devices=\([0-9]*\).*/\1 \2 \3/p' | awk '{ print $1 + $2 + $3 }'; }
echo $(($(served) + 1)) >"$MAX_ENTRIES"
check "device m1: published (the module has room for one more)" $CREDCTL device add m1 --cert "$T/m1.crt"
check "device m2: stored (the module is full)" $CREDCTL device add m2 --cert "$T/m2.crt"
check_output "store status reports it, in the module's words" 'key: m2' $CREDCTL store status
check_output "with the reason" 'reason: .*max_entries' $CREDCTL store status
check_output "and -j" '"refused_records":1,"refused":\[\{"kind":"device","key":"m2"' $CREDCTL -j store status
check_output "the publisher is not stuck" 'publisher: publishing' $CREDCTL store status
check_output "the log names the record" "refused device 'm2'" cat "$T/daemon.log"
check_output "the module does not serve m2" 'match=none' $CSNL verify-fp "$(fingerprint "$T/m2.crt")"
check "everything else flows: m1 removed" $CREDCTL device remove m1
check_output "the module refuses m1 at once" 'match=none' $CSNL verify-fp "$(fingerprint "$T/m1.crt")"
check "the next change" $CREDCTL device disable-sub cam1
check_output "retried m2: the module took it" 'match=master' $CSNL verify-fp "$(fingerprint "$T/m2.crt")"
check_output "nothing refused any more" 'refused_records: 0' $CREDCTL store status

# ---- a snapshot leaves out what the module refuses ----
in_shell "credstored stops" stop_daemon
echo $(($(served) - 1)) >"$MAX_ENTRIES"
in_shell "and starts with the module one record short" start_daemon
check_output "its snapshot refused one record" 'refused_records: 1' $CREDCTL store status
check_output "and published the rest" 'publisher: publishing' $CREDCTL store status
check_output "the module serves cam1" 'match=master' $CSNL verify-fp "$(fingerprint "$T/c1.crt")"
# With room again, the next change (adding p4) also publishes what was
# left out; the module is full until then, so p4 could not be admitted.
echo "$saved_max" >"$MAX_ENTRIES"
check "the module follows: a removed device is refused" removed_is_refused p4
check_output "what was left out is published" 'refused_records: 0' $CREDCTL store status
in_shell "credstored stops" stop_daemon
finish
