# The kill test on nandsim with credstore.ko loaded: credstored is killed
# (SIGKILL) at random points of a stream of admin commands and restarted
# 20 times (about 2.5 s a round in the TCG guest on an idle machine; the
# native case says why 20): every acknowledged change is there afterwards,
# and queries to the module were answered throughout (it keeps serving
# while the daemon is down).
# vm-nandsim: id_bytes=0x20,0xaa,0x00,0x15 parts=64
# vm-timeout: 600
export KILL_VERIFY_AT_END=1	# python per round is too slow under TCG
DAEMON_ARGS="--mtd /dev/mtd0"
. "$REPO/tests/native/credstored-env.bash"
. "$REPO/tests/native/credstored-kill.bash"
. "$REPO/tests/nl/helpers.sh"

ROUNDS=${KILL_ROUNDS:-20}
in_shell "credstored starts on nandsim" start_daemon
check "a device the queries look for" $CREDCTL device add steady --secret steady-secret-of-the-test

# Query the module in a loop for the whole test: each answer is logged.
querier() {
	while [ ! -e "$T/queries-stop" ]; do
		if $CSNL device steady >/dev/null 2>&1; then echo ok; else echo failed; fi
		sleep 0.2	# leave the (emulated) CPU to the daemon
	done >"$T/queries"
}
querier &
qpid=$!
kill_rounds "$ROUNDS"
touch "$T/queries-stop"
wait $qpid
check "every acknowledged change survived $ROUNDS kills" test "$KILL_FAILURES" = 0
check "changes were acknowledged between the kills" test "$KILL_ACKED" -ge "$ROUNDS"
check "queries to the module were answered throughout" test "$(grep -c failed "$T/queries")" = 0
echo "# $(grep -c ok "$T/queries") queries answered during the kill test"
check "queries ran during the kill test" test "$(grep -c ok "$T/queries")" -gt 0
check_output "the module is fed again after the last restart" 'publishing_to_module: yes' $CREDCTL store status
in_shell "stop" stop_daemon
finish
