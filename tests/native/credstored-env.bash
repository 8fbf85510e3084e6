# Shared by the credstored native tests (sourced; not a test itself): a
# temp dir, test CAs and certificates made with openssl, and a daemon in
# userspace mode on an emulated flash image.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

BIN=${BUILD:-$REPO/build}/bin
T=$(mktemp -d "${CASE_TMP:-/tmp}/credstored-test.XXXXXX")
# CREDSTORED_WRAPPER / CREDCTL_WRAPPER: a command that runs the daemon /
# credctl; CREDCTL_SECONDS: how long credctl waits for an answer (valgrind,
# tests/native/valgrind-daemon.sh, needs longer).
CREDCTL_SECONDS=${CREDCTL_SECONDS:-30}
CREDCTL="timeout $((2 * CREDCTL_SECONDS)) ${CREDCTL_WRAPPER:-} $BIN/credctl --timeout $CREDCTL_SECONDS"
DAEMON_PID=
# The daemon's sockets are in a runtime directory of the test's own, which
# credstored, credctl and libcredstore all take from the environment:
# tests running at the same time (or a credstored on the host) never
# answer each other.  Others traverse it (the query socket is theirs).
CREDSTORE_RUNTIME_DIR=$(mktemp -d "${CASE_TMP:-/tmp}/credstore-run.XXXXXX")
chmod 755 "$CREDSTORE_RUNTIME_DIR"
export CREDSTORE_RUNTIME_DIR
trap 'stop_daemon; [ -n "${KEEP_TEST_DIR:-}" ] || rm -rf "$T" "$CREDSTORE_RUNTIME_DIR"' EXIT

# How the daemon runs: natively on an image in userspace mode; the VM
# cases set it to the nandsim MTD with the module loaded.
DAEMON_ARGS=${DAEMON_ARGS:---image $T/store.img --no-module}

# start_daemon [OPTIONS...]: run credstored and wait until it answers.
start_daemon() {
	# shellcheck disable=SC2086
	${CREDSTORED_WRAPPER:-} "$BIN/credstored" $DAEMON_ARGS --key-file "$T/store.key" --stderr \
		"$@" >>"$T/daemon.log" 2>&1 &
	DAEMON_PID=$!
	for _ in $(seq 300); do
		$BIN/credctl --timeout 2 store status >/dev/null 2>&1 && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "credstored did not come up:" >&2
	tail "$T/daemon.log" >&2
	return 1
}

stop_daemon() {
	[ -n "$DAEMON_PID" ] || return 0
	kill -TERM "$DAEMON_PID" 2>/dev/null
	wait "$DAEMON_PID" 2>/dev/null
	local rc=$?
	DAEMON_PID=
	return $rc
}

# make_ca NAME: $T/NAME.crt and $T/NAME.key, a self-signed root.
make_ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
		-subj "/CN=$1" -keyout "$T/$1.key" -out "$T/$1.crt" 2>/dev/null
}

# make_cert CA NAME: $T/NAME.crt signed by CA, key $T/NAME.key (P-256).
make_cert() {
	make_cert_of "$1" "$2" ec:P-256
}

# make_cert_of CA NAME KEY: the same with KEY rsa:BITS, ec:CURVE or ed25519.
make_cert_of() {
	local alg=(-algorithm EC -pkeyopt "ec_paramgen_curve:${3#ec:}")
	case $3 in
	rsa:*) alg=(-algorithm RSA -pkeyopt "rsa_keygen_bits:${3#rsa:}") ;;
	ed25519) alg=(-algorithm ED25519) ;;
	esac
	openssl genpkey "${alg[@]}" -out "$T/$2.key" 2>/dev/null &&
	openssl req -new -key "$T/$2.key" -subj "/CN=$2" -out "$T/$2.csr" 2>/dev/null &&
	openssl x509 -req -in "$T/$2.csr" -CA "$T/$1.crt" -CAkey "$T/$1.key" \
		-CAcreateserial -days 30 -out "$T/$2.crt" 2>/dev/null
}

# make_dated_cert CA NAME START END: validity from START to END
# (YYYYMMDDHHMMSSZ), through `openssl ca`.
make_dated_cert() {
	local dir=$T/ca-$2
	mkdir -p "$dir/new" && : >"$dir/index.txt" && echo 01 >"$dir/serial"
	cat >"$dir/ca.cnf" <<-CNF
	[ ca ]
	default_ca = dflt
	[ dflt ]
	database = $dir/index.txt
	new_certs_dir = $dir/new
	serial = $dir/serial
	default_md = sha256
	policy = any
	unique_subject = no
	[ any ]
	commonName = supplied
	CNF
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$2" \
		-keyout "$T/$2.key" -out "$T/$2.csr" 2>/dev/null &&
	openssl ca -batch -config "$dir/ca.cnf" -cert "$T/$1.crt" -keyfile "$T/$1.key" \
		-in "$T/$2.csr" -out "$T/$2.crt" -startdate "$3" -enddate "$4" -notext 2>/dev/null
}

# fingerprint FILE: SHA-256 of the certificate, lower-case hex.
fingerprint() {
	openssl x509 -in "$1" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr A-F a-f
}

# in_shell DESCRIPTION COMMAND...: like check, but in this shell (for
# start_daemon / stop_daemon, which keep the daemon's pid).
in_shell() {
	local desc=$1; shift
	if "$@"; then
		echo "ok - $desc"
	else
		echo "not ok - $desc"
		_failed=1
	fi
}

# exit_is CODE COMMAND...: the command exits with CODE.
exit_is() {
	local want=$1; shift
	"$@"
	local rc=$?
	[ "$rc" = "$want" ] || { echo "exit $rc, wanted $want" >&2; return 1; }
}

# as_nobody COMMAND...: run as user nobody, group nogroup and no other.
as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
}

# store_state: what a refused change must leave as it was: the store's
# generation (one more with every commit), its record counts and the
# bytes its records take.
store_state() {
	$CREDCTL store status | grep -E '^(generation|identities|anchors|devices|live_bytes):'
}

# check_refused DESCRIPTION CODE PATTERN COMMAND...: the command exits
# with CODE and says PATTERN, and the store is as it was (two checks).
check_refused() {
	local desc=$1 code=$2 pattern=$3 before; shift 3
	before=$(store_state)
	check_output "$desc" "$pattern" exit_is "$code" "$@"
	check "$desc: nothing changed" test "$(store_state)" = "$before"
}

# check_json DESCRIPTION COMMAND...: the command prints valid JSON.
check_json() {
	local desc=$1; shift
	check "$desc" sh -c '"$@" | python3 -c "import json, sys; json.load(sys.stdin)"' sh "$@"
}

# check_no_start DESCRIPTION PATTERN OPTIONS...: credstored with OPTIONS
# (userspace mode, logging to stderr) refuses to start and says PATTERN.
check_no_start() {
	local desc=$1 pattern=$2; shift 2
	check_output "$desc" "$pattern" exit_is 1 "$BIN/credstored" "$@" --stderr --no-module
}
