#!/bin/bash
# A stream of admin commands while credstored is killed (SIGKILL) at random
# points and restarted, 50 times: every change it acknowledged is there
# afterwards, and a change in flight is either wholly there or not at all.
. "$(dirname "$0")/credstored-env.bash"
. "$(dirname "$0")/credstored-kill.bash"

ROUNDS=${KILL_ROUNDS:-50}
in_shell "credstored starts" start_daemon
kill_rounds "$ROUNDS"
check "every acknowledged change survived $ROUNDS kills" test "$KILL_FAILURES" = 0
check "changes were acknowledged between the kills" test "$KILL_ACKED" -ge "$ROUNDS"
check_output "the last state reads back" '"count"' $CREDCTL -j device list
finish
