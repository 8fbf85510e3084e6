#!/bin/bash
# credstored and credctl under valgrind (memcheck): no error, no definite
# or indirect leak.  The admin test (40-credstored-admin.sh: every admin
# command, userspace-mode queries, batches, backups, restarts, a failing
# commit, clean SIGTERMs) runs with the daemon under valgrind; the
# security test (68-security.sh: keys, secrets and passphrases in and
# out, refusals) with the daemon and each credctl call under it.  An error
# fails the check that ran the program (exit status 99; stop_daemon
# returns the daemon's) and its report is shown here.  The TLS front end
# runs under it too, through 50-tlsproxy-pem.sh (handshakes, refusals,
# 24 connections at once, timeouts and the connection limit); its errors
# show as reports.  The unit programs
# run under valgrind in valgrind.sh.
. "$(dirname "$0")/../lib.sh"
case "$BUILD" in
*/san) echo "ok - valgrind-daemon # SKIP the plain tier runs it"; exit 0 ;;
esac
command -v valgrind >/dev/null || { echo "ok - valgrind-daemon # SKIP not installed"; exit 0; }

set -o pipefail
reports=$(mktemp -d)
trap 'rm -rf "$reports"' EXIT
# one line: the tests also expand $CREDCTL inside sh -c "..."
vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect"
vg="$vg --show-leak-kinds=definite,indirect --log-file=$reports/%p.log"
export CREDCTL_SECONDS=300	# an RSA key made under valgrind on a busy machine

# under_valgrind TEST WRAPPER_VARIABLE...: its TAP into $reports/TEST.tap.
# The three tests run at once (CI has two cores; each test's daemon has a
# runtime directory of its own), their TAP shown in order.
under_valgrind() {
	local t=$1; shift
	env "${@/%/=$vg}" bash "$(dirname "$0")/$t.sh" >"$reports/$t.tap" 2>&1
	echo $? >"$reports/$t.rc"
}
tests=(40-credstored-admin 68-security 50-tlsproxy-pem)
under_valgrind 40-credstored-admin CREDSTORED_WRAPPER &
under_valgrind 68-security CREDSTORED_WRAPPER CREDCTL_WRAPPER &
under_valgrind 50-tlsproxy-pem TLSPROXY_WRAPPER &
wait
for t in "${tests[@]}"; do
	sed -E "s/^(not )?ok - /&valgrind $t: /" "$reports/$t.tap"
	[ "$(cat "$reports/$t.rc")" = 0 ] || _failed=1
done
for r in "$reports"/*.log; do
	[ -s "$r" ] && sed 's/^/# /' "$r"
done
check "valgrind reported nothing" sh -c "! find $reports -name '*.log' -size +0 | grep -q ."
finish
