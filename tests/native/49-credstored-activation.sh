#!/bin/bash
# credstored socket-activated (systemd-socket-activate passes the two
# listening sockets, as credstored.socket and credstored-admin.socket
# do): it serves on them, gives the admin socket mode 0660 and the admin
# group and the query socket 0666, and leaves them in place when it stops
# (they are systemd's); sockets it does not know are refused.  Without
# activation it makes the sockets and removes them when it stops.
. "$(dirname "$0")/credstored-env.bash"

RUN=$CREDSTORE_RUNTIME_DIR
# activate FDNAMES [ARGS...]: credstored under systemd-socket-activate,
# which execs it (same pid) at the first connection.
activate() {
	local names=$1; shift
	# shellcheck disable=SC2086
	systemd-socket-activate --seqpacket -l "$RUN/admin" -l "$RUN/query" --fdname="$names" \
		"$BIN/credstored" $DAEMON_ARGS --key-file "$T/store.key" --stderr "$@" \
		>>"$T/daemon.log" 2>&1 &
	DAEMON_PID=$!
	for _ in $(seq 50); do [ -S "$RUN/query" ] && return 0; sleep 0.1; done
	return 1
}

in_shell "systemd-socket-activate listens" activate admin:query --admin-group nogroup
check_output "credctl reaches the activated daemon" 'generation' $CREDCTL store status
check_output "it says it was socket-activated" 'socket-activated on' cat "$T/daemon.log"
check "the admin socket is 0660 in the admin group" \
	test "$(stat -c '%a %G' "$RUN/admin")" = "660 nogroup"
check "the query socket is 0666" test "$(stat -c %a "$RUN/query")" = 666
check_output "nobody queries it" '"count":0' \
	setpriv --reuid=nobody --regid=nogroup --clear-groups $BIN/credctl -j device list
in_shell "credstored stops" stop_daemon
check "the sockets stay: they are systemd's" test -S "$RUN/admin" -a -S "$RUN/query"
rm -f "$RUN/admin" "$RUN/query"

in_shell "a socket of an unknown name" activate admin:other
check_fails "credctl gets no answer" $CREDCTL --timeout 5 store status
daemon_exit() { wait "$DAEMON_PID"; local rc=$?; DAEMON_PID=; [ "$rc" = 1 ]; }
in_shell "credstored exits 1" daemon_exit
check_output "and says which socket it does not know" 'fd 3 is named "other"|named "other"' \
	cat "$T/daemon.log"
rm -f "$RUN/admin" "$RUN/query"

in_shell "credstored starts without activation" start_daemon
check "it made its sockets" test -S "$RUN/admin" -a -S "$RUN/query"
in_shell "credstored stops" stop_daemon
check_fails "and removed them" test -e "$RUN/admin" -o -e "$RUN/query"
finish
