# Helpers of the CoAP tests, the demo and bench/coap: credstore-coapd and
# Debian's coap-client (libcoap3-bin, the OpenSSL build).  Needs $BUILD
# and $COAP_DIR (a scratch directory), after tests/lib.sh.
COAP_PORT=5684
COAP_CLIENT=coap-client-openssl
_coap_pids=()

# coap_start_server NAME [OPTIONS...]: credstore-coapd on 127.0.0.1, its
# log in $COAP_DIR/NAME.log; waits until it serves.  COAP_WRAPPER: a
# command that execs it (setpriv, to run it as another user).
coap_start_server() {
	local name=$1; shift
	${COAP_WRAPPER:-} "$BUILD/bin/credstore-coapd" -l "127.0.0.1:$COAP_PORT" "$@" > "$COAP_DIR/$name.log" 2>&1 &
	_coap_pids+=($!)
	wait_for_line "$COAP_DIR/$name.log" "serving DTLS" $! && return 0
	cat "$COAP_DIR/$name.log" >&2
	return 1
}

coap_stop_all() {
	stop_pids "${_coap_pids[@]}"
	_coap_pids=()
}

# coap_get IDENTITY KEY [PATH]: the answer of GET coaps://127.0.0.1/PATH
# (whoami by default) with that PSK; coap-client exits 0 either way, so
# callers look at what it printed.
coap_get() {
	timeout 20 $COAP_CLIENT -B 3 -u "$1" -k "$2" "coaps://127.0.0.1:$COAP_PORT/${3:-whoami}" 2>/dev/null
}

# coap_whoami IDENTITY KEY: succeeds when the server answered "device ID".
coap_whoami() {
	coap_get "$1" "$2" | grep -qx "device $1"
}

# ---- a device that keeps its DTLS session open ----
COAP_HOLD_PORT=$((COAP_PORT + 11))
# coap_hold ID CLIENT_OPTIONS...: coap-client, as device ID (credentials
# in CLIENT_OPTIONS), repeats GET /whoami once a second (-G) over one DTLS
# session, from a port of its own so that the device can come back from
# where it was; its answers go to $COAP_DIR/held-ID.out, its pid to
# $COAP_HELD.  Call it in the test's shell, not in `check`.
coap_hold() {
	local id=$1; shift
	timeout 30 $COAP_CLIENT -B 20 -G 15 -w -p $COAP_HOLD_PORT "$@" \
		"coaps://127.0.0.1:$COAP_PORT/whoami" > "$COAP_DIR/held-$id.out" 2>/dev/null &
	COAP_HELD=$!
}
coap_answers() { grep -c "^device $1\$" "$COAP_DIR/held-$1.out"; }
# coap_answered ID N: the held session has had N answers or more within 10 s.
coap_answered() {
	for _ in $(seq 100); do [ "$(coap_answers "$1")" -ge "$2" ] && return 0; sleep 0.1; done
	return 1
}
# coap_ended LOG ID WHY SECONDS: the server's LOG says within SECONDS that
# it ended ID's session, and no answer reaches ID after that (an answer
# sent just before the end may still be on its way: counted from 0.5 s on).
coap_ended() {
	local cut
	timeout "$4" sh -c "until grep -Eq 'device $2 was $3: ending its session from 127\.0\.0\.1' '$1'; do sleep 0.05; done" ||
		{ echo "no line 'device $2 was $3: ending its session' within $4 s"; return 1; }
	sleep 0.5
	cut=$(coap_answers "$2")
	sleep 2.5	# the client asks again each second
	[ "$(coap_answers "$2")" -eq "$cut" ] || { echo "answers after the end: $cut, then $(coap_answers "$2")"; return 1; }
}
