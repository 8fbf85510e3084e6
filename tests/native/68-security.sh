#!/bin/bash
# Security of credstored in userspace mode: every command the header
# defines, sent by nobody on the query socket, is refused unless it is a
# query (and credctl's privileged subcommands say so); nobody cannot open
# the admin socket; admin commands are refused on the query socket even
# to root; a fake daemon listening as another user (in a runtime
# directory that user could write) gets nothing from credctl or
# libcredstore, not even the request, and credstored refuses such a
# directory; no secret, key or passphrase reaches the daemon's log or
# credctl's errors (also from a batch line or an over-long password), and
# credctl prints a generated secret once; the daemon cannot dump core.
# (The VM runs it with the module: tests/vm/cases/62-security.sh.)
. "$(dirname "${BASH_SOURCE[0]}")/credstored-env.bash"

REPO=${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
HEADER=$REPO/uapi/linux/credstore.h:$REPO/common/credstore_admin.h
# The system python: nobody cannot run a python installed under root's home.
PEER="$(command -v /usr/bin/python3 || command -v python3) $REPO/tests/native/socket-peer.py"
CONSUMER=${BUILD:-$REPO/build}/tests/credstore-consumer
NOBODY="setpriv --reuid=nobody --regid=$(id -g nobody) --clear-groups"
as_nobody() { $NOBODY "$@"; }
MASTER=Master-Secret-7f3a91 SUB=Sub-Secret-c02be8
BACKUP_PASS=Backup-Pass-5d19e0 KEY_PASS=Key-Pass-88a1c4
CTL_ERR=$T/credctl.stderr
ctl() { $CREDCTL "$@" 2>>"$CTL_ERR"; }

make_ca root && make_cert root server && make_cert root client1 ||
	{ echo "not ok - test certificates"; exit 1; }
openssl pkcs8 -topk8 -in "$T/server.key" -out "$T/server.enc.key" -passout "pass:$KEY_PASS" 2>/dev/null
KEY_BODY=$(sed -n 2p "$T/server.key")
# What nobody may read (and write): certificates, a backup, a batch.
chmod 711 "$T" && mkdir -m 1777 "$T/pub" && P=$T/pub

in_shell "credstored starts" start_daemon
check "secrets go in: identity with an encrypted key, a device's two secrets, a backup" \
	sh -c "$CREDCTL anchor add root $T/root.crt &&
	$CREDCTL identity install web --chain $T/server.crt --key $T/server.enc.key --password $KEY_PASS --anchor root &&
	$CREDCTL device add cam1 --cert $T/client1.crt --secret $MASTER &&
	$CREDCTL device reset-secret cam1 --secret $SUB &&
	$CREDCTL store export $T/backup --passphrase $BACKUP_PASS &&
	cp $T/server.crt $T/root.crt $T/backup $P && chmod 644 $P/*"
# Refusals whose requests carry secrets: their messages must not quote them.
ctl identity install x --chain "$T/server.crt" --key "$T/server.enc.key" --password "wrong-$KEY_PASS" >/dev/null
ctl identity install x --chain "$T/client1.crt" --key "$T/server.key" >/dev/null
ctl store import "$T/backup" --passphrase "wrong-$BACKUP_PASS" >/dev/null
ctl device reset-secret ghost --secret "$MASTER" >/dev/null
ctl device add cam1 --secret "$SUB" >/dev/null
echo "device add cam1 --secret $MASTER" >"$T/secret.batch"
ctl store batch "$T/secret.batch" >/dev/null
LONG_PASS=Long-Pass-$(printf 'x%.0s' $(seq 1100))
ctl identity install x --chain "$T/server.crt" --key "$T/server.enc.key" --password "$LONG_PASS" >/dev/null
# --generate prints the new secret once, on stdout; nothing else shows it.
ctl device add cam2 --generate >"$T/generated"
GENERATED=$(grep -Ex '[A-Za-z0-9_-]{43}' "$T/generated")
check "device add --generate printed one secret, once" test "$(grep -cxF -- "$GENERATED" "$T/generated")" = 1
{ ctl device show cam2; ctl -j device show cam2; ctl device list; ctl -j device list; } >"$T/shown"
check_fails "device show and list never print it" grep -qF -- "$GENERATED" "$T/shown"
ctl device remove cam2 >/dev/null

# ---- every command, as nobody, on the wire ----
RUN=$CREDSTORE_RUNTIME_DIR
check "the admin socket is 0660, the query socket 0666" \
	test "$(stat -c %a "$RUN/admin") $(stat -c %a "$RUN/query")" = "660 666"
check_fails "nobody cannot connect to the admin socket" as_nobody $PEER ask "$HEADER" "$RUN/admin"
check_fails "nobody cannot bind a name in the runtime directory" \
	as_nobody $PEER squat "$HEADER" "$RUN/evil" /dev/null
as_nobody $PEER ask "$HEADER" "$RUN/query" >"$T/asked" 2>&1
check "nobody's requests were all answered" sh -c "test -s $T/asked && ! grep -q none $T/asked"
while read -r name err; do
	case $name in
	CREDSTORE_CMD_GET_STATUS|CREDSTORE_CMD_GET_IDENTITY|CREDSTORE_CMD_GET_ANCHOR|\
	CREDSTORE_CMD_GET_DEVICE|CREDSTORE_CMD_VERIFY_FINGERPRINT|CREDSTORE_CMD_VERIFY_SECRET|\
	CREDSTORE_CMD_VERIFY_HMAC|CREDSTORE_ADMIN_CMD_GET_CRL|CREDSTORE_ADMIN_CMD_SUBSCRIBE|\
	CREDSTORE_DAEMON_CMD_SIGN)
		check "nobody may query: $name (errno $err)" test "$err" != 1 ;;
	# No key leaves credstored by a query: its signers sign through SIGN
	# (GET_IDENTITY_KEY is retired: the header's comment keeps its number).
	CREDSTORE_CMD_PUBLISH_*|CREDSTORE_CMD_RETRACT|CREDSTORE_CMD_NOTIFY|CREDSTORE_CMD_GET_IDENTITY_KEY)
		check "$name is not served on credstored's sockets (errno $err)" test "$err" = 95 ;;
	*)
		check "nobody is refused: $name (errno $err)" test "$err" = 1 ;;
	esac
done <"$T/asked"
$PEER ask "$HEADER" "$RUN/query" >"$T/asked-root" 2>&1
check "root's admin commands on the query socket are refused (EPERM)" \
	sh -c "grep CREDSTORE_ADMIN_CMD_ $T/asked-root | grep -v -e SUBSCRIBE -e GET_CRL | awk '\$2 != 1 { exit 1 }'"

# ---- credctl's privileged subcommands, as nobody ----
echo "device add evil" >"$P/evil.batch"
while read -r args; do
	# shellcheck disable=SC2086
	check_output "nobody: credctl $args is refused (exit 5)" 'permission denied' \
		exit_is 5 as_nobody $BIN/credctl $args
done <<-LIST
	identity csr evil
	identity export web --key-out $P/stolen.key
	identity install web --chain $P/server.crt
	identity remove web
	anchor add evil $P/root.crt
	anchor remove root
	anchor replace root $P/root.crt
	anchor crl root --remove
	device add evil
	device reset-fingerprint cam1 --cert $P/server.crt
	device reset-secret cam1 --secret x
	device promote cam1
	device drop-sub cam1
	device disable-sub cam1
	device revoke cam1
	device reinstate cam1
	device set-profile cam1 no-sub
	device remove cam1
	device show cam1
	store status
	store export $P/evil.backup --passphrase long-enough-pass
	store import $P/backup --passphrase $BACKUP_PASS
	store batch $P/evil.batch
	store reset-devices --yes
	store factory-reset --yes
LIST
check_output "nothing nobody tried changed the store" '"count":1' $CREDCTL -j device list
check_output "root still sees both secrets" 'sub_secret: yes' $CREDCTL device show cam1

# ---- secrets in logs and messages ----
check "credctl printed refusals" test -s "$CTL_ERR"
for s in "$MASTER" "$SUB" "$BACKUP_PASS" "$KEY_PASS" "$KEY_BODY" "$GENERATED" "$LONG_PASS"; do
	check_fails "the daemon's log does not hold ${s:0:12}..." grep -qF -- "$s" "$T/daemon.log"
	check_fails "credctl's errors do not hold ${s:0:12}..." grep -qF -- "$s" "$CTL_ERR"
done
check_output "the log does record the refusals" 'permission denied' cat "$T/daemon.log"

# ---- core dumps ----
check_output "credstored may not dump core (RLIMIT_CORE 0)" 'Max core file size +0 +0' \
	cat "/proc/$DAEMON_PID/limits"
in_shell "credstored stops" stop_daemon

# Run as nobody, a non-dumpable process's /proc files belong to root.  Its
# runtime directory is its own.
mkdir "$T/nobody" && chown nobody "$T/nobody"
NOBODY_RUN=$T/nobody/run
$NOBODY "$BIN/credstored" --image "$T/nobody/store.img" --key-file "$T/nobody/store.key" \
	--runtime-dir "$NOBODY_RUN" --stderr --no-module >>"$T/daemon.log" 2>&1 &
NOBODY_PID=$! DAEMON_PID=$!	# stop_daemon ends it, also on exit
for _ in $(seq 100); do
	$BIN/credctl --timeout 2 --runtime-dir "$NOBODY_RUN" --daemon-uid "$(id -u nobody)" \
		store status >/dev/null 2>&1 && break
	sleep 0.1
done
check "credstored runs as nobody" \
	test "$(awk '/^Uid:/ { print $2 }' "/proc/$NOBODY_PID/status")" = "$(id -u nobody)"
check_output "credstored as nobody answers a client that trusts nobody" 'generation' \
	$BIN/credctl --timeout 2 --runtime-dir "$NOBODY_RUN" --daemon-uid "$(id -u nobody)" store status
check_output "a client that does not trust nobody refuses it (exit 3)" 'runs as uid 65534' \
	exit_is 3 $BIN/credctl --timeout 2 --runtime-dir "$NOBODY_RUN" store status
check "credstored is not dumpable: its /proc files belong to root, not nobody" \
	test "$(stat -c %u "/proc/$NOBODY_PID/status")" = 0
stop_daemon

# ---- a fake daemon of another user ----
# A runtime directory nobody can write to (/run/credstore cannot be: root
# makes it 0755): a fake daemon listens there, as nobody.
SQUAT_RUN=$P/run
as_nobody mkdir -m 755 "$SQUAT_RUN"
$NOBODY $PEER squat "$HEADER" "$SQUAT_RUN/admin" "$P/squat-admin.count" &
SQUAT_ADMIN=$!
$NOBODY $PEER squat "$HEADER" "$SQUAT_RUN/query" "$P/squat-query.count" &
SQUAT_QUERY=$!
trap 'kill $SQUAT_ADMIN $SQUAT_QUERY 2>/dev/null; stop_daemon; rm -rf "$T" "$CREDSTORE_RUNTIME_DIR"' EXIT
for _ in $(seq 50); do [ -s "$P/squat-admin.count" ] && [ -s "$P/squat-query.count" ] && break; sleep 0.1; done
check_output "credctl does not send a secret to the fake daemon (exit 3)" 'runs as uid 65534.*nothing was sent' \
	exit_is 3 $BIN/credctl --timeout 2 --runtime-dir "$SQUAT_RUN" device add cam9 --secret "$MASTER"
check_output "nor a key and its password" 'runs as uid 65534' \
	exit_is 3 $BIN/credctl --timeout 2 --runtime-dir "$SQUAT_RUN" identity install x \
	--chain "$T/server.crt" --key "$T/server.enc.key" --password "$KEY_PASS"
check_output "libcredstore does not send a secret to verify" 'runs as uid 65534' \
	sh -c "! CREDSTORE_RUNTIME_DIR=$SQUAT_RUN $CONSUMER -d 0 verify-secret cam1 $MASTER 2>&1"
check "the fake daemon received nothing at all" \
	test "$(cat "$P/squat-admin.count") $(cat "$P/squat-query.count")" = "0 0"
check_output "credstored refuses a runtime directory another user owns" 'belongs to uid 65534' \
	exit_is 1 timeout 20 "$BIN/credstored" --image "$T/store.img" --key-file "$T/store.key" \
	--runtime-dir "$SQUAT_RUN" --stderr --no-module
kill "$SQUAT_ADMIN" "$SQUAT_QUERY"; wait 2>/dev/null
finish
