#!/bin/bash
# credstored in userspace mode on an emulated flash image, driven by
# credctl: every admin command, its checks and its error messages.
. "$(dirname "$0")/credstored-env.bash"

make_ca root && make_ca other && make_cert root server && make_cert root client1 &&
	make_cert root client2 && make_cert other stranger &&
	make_dated_cert root expired 20200101000000Z 20210101000000Z &&
	make_dated_cert root future 20400101000000Z 20410101000000Z ||
	{ echo "not ok - test certificates"; exit 1; }
openssl pkcs8 -topk8 -in "$T/server.key" -out "$T/server.enc.key" -passout pass:s3cret 2>/dev/null
openssl x509 -in "$T/server.crt" -outform DER -out "$T/server.der"
cat "$T/server.crt" "$T/root.crt" >"$T/chain.pem"

in_shell "credstored starts on a new image and creates its key" start_daemon
check "the store key is 0600" test "$(stat -c %a "$T/store.key")" = 600
check_no_start "a second credstored refuses: its sockets are taken" 'another credstored listens' \
	--image "$T/other.img" --key-file "$T/other.key"

# ---- identity ----
check_output "identity show: none before any" 'identity: none' $CREDCTL identity show
check "identity remove: OK when absent" $CREDCTL identity remove
check "identity csr: the daemon makes the key and prints a CSR" \
	sh -c "$CREDCTL identity csr web --subject /CN=gw.example/O=Test >$T/web.csr"
check_output "the CSR verifies and has the subject asked for" 'CN *= *gw.example' \
	openssl req -in "$T/web.csr" -noout -verify -subject
check "identity csr --key-type rsa2048" sh -c "$CREDCTL identity csr rsa --key-type rsa2048 --out $T/rsa.csr"
check_output "the RSA CSR holds a 2048-bit key" '2048 bit' openssl req -in "$T/rsa.csr" -noout -text
check_refused "identity csr: unknown key type refused" 1 'unknown key type' \
	$CREDCTL identity csr bad --key-type dsa
openssl x509 -req -in "$T/web.csr" -CA "$T/root.crt" -CAkey "$T/root.key" -CAcreateserial \
	-days 30 -out "$T/web.crt" 2>/dev/null
check_refused "install naming an unknown anchor is refused" 4 "unknown anchor" \
	$CREDCTL identity install web --chain "$T/web.crt" --anchor nosuch
check "anchor add root" $CREDCTL anchor add root "$T/root.crt"
check "identity install web (CSR key, chain to anchor root)" \
	$CREDCTL identity install web --chain "$T/web.crt" --anchor root
check_output "identity show web: subject and fingerprint" "fingerprint: $(fingerprint "$T/web.crt")" \
	$CREDCTL identity show web
check_refused "install: a key that does not match is refused" 1 'does not match' \
	$CREDCTL identity install web --chain "$T/web.crt" --key "$T/client1.key"
check_refused "install: an encrypted key without its password is refused" 1 'give its password' \
	$CREDCTL identity install default --chain "$T/server.crt" --key "$T/server.enc.key"
check_refused "install: a wrong password is refused" 1 'wrong password' \
	$CREDCTL identity install default --chain "$T/server.crt" --key "$T/server.enc.key" --password nope
check "install: chain, encrypted key and its password" \
	$CREDCTL identity install --chain "$T/chain.pem" --key "$T/server.enc.key" --password s3cret --anchor root
check_output "identity show (default): the server certificate" "subject: CN=server" $CREDCTL identity show
check_output "identity show -j: JSON with the issuer" '"issuer":"CN=root"' $CREDCTL -j identity show
check_json "identity show -j is valid JSON" $CREDCTL -j identity show
check "identity export: the chain as PEM, leaf first" \
	sh -c "$CREDCTL identity export --out $T/exported.pem && cmp $T/exported.pem $T/chain.pem"
check "install: DER input" $CREDCTL identity install der --chain "$T/server.der" --key "$T/server.key"
check_refused "install: an expired certificate is refused" 1 'has expired' \
	$CREDCTL identity install old --chain "$T/expired.crt" --key "$T/expired.key"
check_refused "install: a not yet valid certificate is refused" 1 'not yet valid' \
	$CREDCTL identity install new --chain "$T/future.crt" --key "$T/future.key"
check_refused "install: a chain to another CA is refused" 1 'does not lead to anchor' \
	$CREDCTL identity install x --chain "$T/stranger.crt" --key "$T/stranger.key" --anchor root
check_refused "install: input that is not PEM/DER is refused" 1 'neither PEM nor DER' \
	$CREDCTL identity install x --chain "$T/web.csr" --key "$T/server.key"
for _ in $(seq 130); do cat "$T/server.der"; done >"$T/long-chain.der"
check_refused "install: a chain over the size limit is refused" 1 'the limit is 32768' \
	$CREDCTL identity install long --chain "$T/long-chain.der" --key "$T/server.key"
check_refused "install: a missing file is a usage error" 2 'cannot read' \
	$CREDCTL identity install x --chain "$T/missing.pem"
check_refused "install: a name of 64 characters is a usage error" 2 'name is longer than 63' \
	$CREDCTL identity install "$(printf 'n%.0s' $(seq 64))" --chain "$T/server.crt" --key "$T/server.key"
check "identity remove der" $CREDCTL identity remove der
check_output "identity show der: none after remove" 'identity: none' $CREDCTL identity show der

# ---- anchors ----
check_refused "anchor add: two certificates are not one anchor" 1 'one certificate' \
	$CREDCTL anchor add two "$T/chain.pem"
check "anchor add other" $CREDCTL anchor add other "$T/other.crt"
check_output "anchor list shows both" 'CN=other' $CREDCTL anchor list
check "anchor list -j is valid JSON" sh -c "$CREDCTL -j anchor list | python3 -c 'import json,sys; assert len(json.load(sys.stdin)[\"anchors\"]) == 2'"
check "anchor remove other" $CREDCTL anchor remove other
check_refused "anchor remove: unknown anchor is exit 4" 4 'unknown anchor' $CREDCTL anchor remove other

# ---- devices ----
FP1=$(fingerprint "$T/client1.crt")
FP2=$(fingerprint "$T/client2.crt")
check "device add cam1 from a certificate file, with a secret" \
	$CREDCTL device add cam1 --cert "$T/client1.crt" --secret first-secret-of-cam1
check_output "device show cam1: master fingerprint of client1" "master_fingerprint: $FP1" $CREDCTL device show cam1
check_refused "device add: the same id twice is refused" 1 'exists' $CREDCTL device add cam1
check_refused "device add: a fingerprint another device holds is refused" 1 "belongs to device 'cam1'" \
	$CREDCTL device add cam9 --fingerprint "$FP1"
check_refused "device add: bad hex is a usage error" 2 'not a SHA-256 fingerprint' \
	$CREDCTL device add cam9 --fingerprint abcd
check_refused "device add: an id of 64 characters is refused" 2 'longer than' \
	$CREDCTL device add "$(printf 'd%.0s' $(seq 64))"
check_refused "device add: an id with a space is refused" 1 'letters, digits' \
	$CREDCTL device add "bad id"
check_output "device add --generate prints a secret once" '^[A-Za-z0-9_-]{43}$' \
	$CREDCTL device add cam2 --generate
check "device reset-fingerprint: the new one becomes the sub" \
	$CREDCTL device reset-fingerprint cam1 --fingerprint "$FP2"
check_output "device show: master kept, sub set" "sub_fingerprint: $FP2" $CREDCTL device show cam1
check "device reset-secret --generate --master" sh -c "$CREDCTL device reset-secret cam1 --generate --master | grep -Eq '^[A-Za-z0-9_-]{43}$'"
check "device reset-secret: sub" $CREDCTL device reset-secret cam1 --secret second-secret-of-cam1
check_output "device show: both secrets set" 'sub_secret: yes' $CREDCTL device show cam1
check "device promote: the sub becomes the master" $CREDCTL device promote cam1
check_output "after promote the master is client2's" "master_fingerprint: $FP2" $CREDCTL device show cam1
check_output "after promote there is no sub" 'sub_fingerprint: none' $CREDCTL device show cam1
check_refused "device promote: nothing to promote" 4 'no sub' $CREDCTL device promote cam1
check "device reset-fingerprint sub again" $CREDCTL device reset-fingerprint cam1 --fingerprint "$FP1"
check "device drop-sub" $CREDCTL device drop-sub cam1
check_output "after drop-sub there is no sub" 'sub_fingerprint: none' $CREDCTL device show cam1
check "device disable-sub" $CREDCTL device disable-sub cam1
check_output "device show: sub disabled" 'sub_disabled: yes' $CREDCTL device show cam1
check "device enable-sub" $CREDCTL device enable-sub cam1
check_output "device show: sub enabled" 'sub_disabled: no' $CREDCTL device show cam1
for i in $(seq 3 9); do $CREDCTL device add "lot-$i" >/dev/null; done
check_output "device list --prefix filters" '"count":7' $CREDCTL -j device list --prefix lot-
check_output "device list --limit" '"count":2' $CREDCTL -j device list --limit 2
check_json "device list -j is valid JSON" $CREDCTL -j device list
check_refused "unknown device: exit 4 and the daemon's message" 4 "unknown device 'ghost'" \
	$CREDCTL device reset-secret ghost --secret x
check_output "device show: unknown device is exit 4" "unknown device" exit_is 4 $CREDCTL device show ghost
check "device remove lot-9" $CREDCTL device remove lot-9
check_refused "device remove: unknown device is exit 4" 4 "unknown device" $CREDCTL device remove lot-9

# ---- unprivileged callers ----
check_refused "nobody may not add a device (exit 5)" 5 'permission denied' \
	as_nobody $BIN/credctl device add evil
check_output "nobody may not read secrets (device show)" 'permission denied' \
	exit_is 5 as_nobody $BIN/credctl device show cam1
check_refused "nobody may not factory-reset" 5 'permission denied' \
	as_nobody $BIN/credctl store factory-reset --yes
check_output "nobody may query (device list)" '"id":"cam1"' as_nobody $BIN/credctl -j device list
check_output "credctl elsewhere: nothing listens there (exit 3)" 'nothing listens on .*/nowhere/admin' \
	exit_is 3 $BIN/credctl --timeout 1 --runtime-dir "$T/nowhere" store status

# ---- batch ----
cat >"$T/good.batch" <<B
# a rotation and two new devices, all at once
device add b1 --secret one-secret-of-b1-1
device add b2 --cert "$T/stranger.crt"
device reset-secret b1 --secret two-secret-of-b1-2
device remove lot-3
B
cat >"$T/bad.batch" <<B
device add b3
device add b4
device reset-secret ghost --secret x
B
check_output "store batch: all operations in one generation" 'operations: 4' $CREDCTL store batch "$T/good.batch"
check_output "batch results: b2 exists" 'id: b2' $CREDCTL device show b2
check_fails "batch results: lot-3 removed" $CREDCTL device show lot-3
check_refused "a failing batch names the operation and is refused" 4 'batch operation 3' \
	$CREDCTL store batch "$T/bad.batch"
echo "device frobnicate x" >"$T/nonsense.batch"
check_refused "a batch line that is no command is a usage error" 2 'not a command' \
	$CREDCTL store batch "$T/nonsense.batch"

# ---- export / import / resets ----
check "store export with a passphrase" $CREDCTL store export "$T/backup" --passphrase correct-horse
check "the backup is 0600" test "$(stat -c %a "$T/backup")" = 600
check_fails "the backup does not hold the secrets in clear" grep -q first-secret-of-cam1 "$T/backup"
check_output "store export: a short passphrase is refused" 'at least' \
	exit_is 1 $CREDCTL store export "$T/backup2" --passphrase short
check_refused "store reset-devices needs --yes" 2 'confirm' $CREDCTL store reset-devices
check "store reset-devices --yes" $CREDCTL store reset-devices --yes
check_output "reset-devices keeps identities" 'subject: CN=server' $CREDCTL identity show
check_output "reset-devices keeps anchors" 'name: root' $CREDCTL anchor list
check_output "reset-devices removed the devices" '"count":0' $CREDCTL -j device list
check "store factory-reset --yes" $CREDCTL store factory-reset --yes
check_output "factory reset wiped the identity" 'identity: none' $CREDCTL identity show
check_refused "store import: a wrong passphrase is refused" 1 'wrong passphrase' \
	$CREDCTL store import "$T/backup" --passphrase wrong-horse
check "store import" $CREDCTL store import "$T/backup" --passphrase correct-horse
check_output "import restored the identity" 'subject: CN=server' $CREDCTL identity show
check_output "import restored the devices and their secrets" 'master_secret: yes' $CREDCTL device show cam1
check_output "store status counts them" 'devices: 9' $CREDCTL store status
check_json "store status -j is valid JSON" $CREDCTL -j store status

# ---- restart, limits ----
# A daemon that does not answer (stopped): a query changed nothing (exit
# 3), a change may or may not be stored (exit 8, as at a power cut).
kill -STOP "$DAEMON_PID"
check_output "a query without an answer: unreachable (exit 3), nothing changed" \
	'no answer \(timed out\): a query, nothing was changed' exit_is 3 $CREDCTL --timeout 1 device show cam1
check_output "an admin read without an answer: unreachable (exit 3) too" \
	'no answer \(timed out\): a query, nothing was changed' exit_is 3 $CREDCTL --timeout 1 store status
check_output "a change without an answer: outcome unknown (exit 8)" 'may or may not be stored' \
	exit_is 8 $CREDCTL --timeout 1 device add unanswered
kill -CONT "$DAEMON_PID"
$CREDCTL device remove unanswered >/dev/null 2>&1	# if it landed
in_shell "SIGTERM: credstored exits cleanly" stop_daemon
in_shell "credstored restarts with an admin group" start_daemon --max-devices 10 --admin-group nogroup
check "a member of the admin group may change the store" as_nobody $BIN/credctl device remove b2
check "and add" as_nobody $BIN/credctl device add b2
check_output "and read secrets" 'master_secret' as_nobody $BIN/credctl device show cam1
check_output "everything acknowledged is still there" "master_fingerprint: $FP2" $CREDCTL device show cam1
check "device 10 of 10" $CREDCTL device add tenth
check_refused "device 11 is over the limit" 1 'maximum of 10 devices' $CREDCTL device add eleventh
in_shell "stop" stop_daemon

# A power cut at the first program: credctl cannot know whether the
# commit landed (exit 8); here nothing of it did (no torn programs), and
# nothing of it is seen: not in the daemon's answers after it mounted the
# store again, not after a restart.  (tests/native/65: cuts at random.)
in_shell "credstored with a power cut at the next flash program" start_daemon --faults cut=0
check_output "device add: outcome unknown (exit 8)" 'outcome unknown.*power cut' \
	exit_is 8 $CREDCTL device add doomed
check_output "the failed change is not served" 'unknown device' exit_is 4 $CREDCTL device show doomed
in_shell "stop" stop_daemon
in_shell "credstored restarts on the image" start_daemon
check_output "the failed change is not on flash" 'unknown device' exit_is 4 $CREDCTL device show doomed
check_output "what was there before is" 'id: tenth' $CREDCTL device show tenth
in_shell "stop" stop_daemon
mkdir "$T/keydir"
check_no_start "credstored refuses an unreadable store key" 'store key' \
	--image "$T/x.img" --key-file "$T/keydir"
head -c 16 /dev/urandom >"$T/short.key"
check_no_start "credstored refuses a store key of the wrong size" 'not 32 bytes' \
	--image "$T/x.img" --key-file "$T/short.key"
head -c 32 /dev/urandom >"$T/wrong.key"
check_no_start "credstored refuses to mount under another store key" 'key' \
	--image "$T/store.img" --key-file "$T/wrong.key"
check_output "credctl without a daemon: exit 3" 'cannot reach credstored' exit_is 3 $BIN/credctl store status
check_output "credctl usage errors: exit 2" "unknown command" exit_is 2 $BIN/credctl frob nicate
finish
