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
