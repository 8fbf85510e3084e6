#!/bin/bash
# A stream of admin commands (device adds, fingerprint resets, removes)
# while credstored is killed (SIGKILL) at random points and restarted, 20
# times: every change it acknowledged is there afterwards, and a change in
# flight is either wholly there or not at all.  20 rounds: each kills the
# daemon at one random point of the stream; the store's every program and
# erase is cut in turn by tests/unit/test_store_powerloss.c, which this
# test does not need to repeat (KILL_ROUNDS=N for a longer run).
. "$(dirname "$0")/credstored-env.bash"
. "$(dirname "$0")/credstored-kill.bash"

ROUNDS=${KILL_ROUNDS:-20}
in_shell "credstored starts" start_daemon
kill_rounds "$ROUNDS"
check "every acknowledged change survived $ROUNDS kills" test "$KILL_FAILURES" = 0
check "changes were acknowledged between the kills" test "$KILL_ACKED" -ge "$ROUNDS"
check_output "the last state reads back" '"count"' $CREDCTL -j device list
finish
