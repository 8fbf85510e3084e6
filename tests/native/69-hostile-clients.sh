#!/bin/bash
# Hostile local users cannot stall credstored (bench/hostile/hostile.c
# "check"): 50 connections of two unprivileged uids that ask and never
# read, and one that sends 10 MiB of garbage, while root runs 100 admin
# commands (a connection each, as credctl) and a front end of a third uid
# queries through libcredstore: every admin command and every query is
# answered, and right; the readers lose their connections (the daemon
# closes a client whose answers do not move for --client-timeout) and
# the garbage sender its; the daemon serves on.  How long root waits is
# the benchmark's to say (make bench-hostile), not a test's.
. "$(dirname "$0")/credstored-env.bash"

HOSTILE=${BUILD:-$REPO/build}/bench/hostile
make_ca root && make_cert root web || { echo "Bail out! openssl"; exit 1; }
FP=$(fingerprint "$T/web.crt")
in_shell "credstored starts" start_daemon --client-timeout 2
check "an identity and a device" sh -c "$CREDCTL anchor add root $T/root.crt &&
	$CREDCTL identity install web --chain $T/web.crt \
	--key $T/web.key && $CREDCTL device add cam1 --fingerprint $FP --secret first-secret-0000"

$HOSTILE --device cam1 --fingerprint "$FP" --identity web check >"$T/hostile.out" 2>&1
rc=$?
sed 's/^/# /' "$T/hostile.out"
check "hostile check: everything answered" test "$rc" = 0
check_output "root: 100 of 100 admin commands answered" '^admin: 100 of 100 answered' \
	cat "$T/hostile.out"
check_output "the front end: queries answered, none failed" '^front end: [1-9][0-9]* queries answered, 0 failed' \
	cat "$T/hostile.out"
check_output "50 readers connected, and lost connections for not reading" \
	'^readers: 50 of 50 connected, [1-9][0-9]* connections closed' cat "$T/hostile.out"
check "10 MiB of garbage were sent" awk '/^garbage:/ { n = $2 } END { exit !(n >= 10485760) }' \
	"$T/hostile.out"
check_output "the daemon closed the readers" 'connection closed: it did not read its answers' \
	cat "$T/daemon.log"
check_output "and the garbage sender" 'not a credstore request: connection closed' cat "$T/daemon.log"
check_output "the last secret root set is the device's sub" 'match=sub' \
	"${BUILD:-$REPO/build}/tests/credstore-consumer" -d 0 verify-secret cam1 rotated-secret-99
check_output "credstored serves on" 'generation' $CREDCTL store status
in_shell "credstored stops" stop_daemon
finish
