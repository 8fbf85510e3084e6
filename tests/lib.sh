# Shell helpers for test cases (native tests/native/*.sh and VM
# tests/vm/cases/*.sh): TAP output and a failing exit status.
# Source it, call `check` / `check_fails` / `check_output`, end with `finish`.

_failed=0

# check DESCRIPTION COMMAND...: the command must succeed.
check() {
	local desc=$1; shift
	local log
	if log=$("$@" 2>&1); then
		echo "ok - $desc"
	else
		echo "not ok - $desc"
		printf '%s\n' "$log" | tail -n 20 | sed 's/^/#   /'
		_failed=1
	fi
}

# check_fails DESCRIPTION COMMAND...: the command must fail.
check_fails() {
	local desc=$1; shift
	local log
	if log=$("$@" 2>&1); then
		echo "not ok - $desc (succeeded, should have failed)"
		printf '%s\n' "$log" | tail -n 20 | sed 's/^/#   /'
		_failed=1
	else
		echo "ok - $desc"
	fi
}

# check_output DESCRIPTION PATTERN COMMAND...: the command must succeed and
# its output (stdout and stderr) match the extended regex PATTERN.
check_output() {
	local desc=$1 pattern=$2; shift 2
	local log
	if log=$("$@" 2>&1) && printf '%s\n' "$log" | grep -Eq -- "$pattern"; then
		echo "ok - $desc"
	else
		echo "not ok - $desc (wanted /$pattern/)"
		printf '%s\n' "$log" | tail -n 20 | sed 's/^/#   /'
		_failed=1
	fi
}

finish() { exit $_failed; }

# wait_for_line FILE PATTERN [PID]: until FILE has a line matching the
# extended regex PATTERN (10 s at most); gives up as soon as PID is gone.
wait_for_line() {
	local file=$1 pattern=$2 pid=${3:-}
	for _ in $(seq 100); do
		grep -Eq -- "$pattern" "$file" 2>/dev/null && return 0
		[ -z "$pid" ] || kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# own_ports SCRIPT ARGS...: run the script again in a network namespace of
# its own with loopback up (where it can: root), before anything else.
# For tests and benches whose servers listen on fixed ports (mosquitto,
# lighttpd, busybox httpd, coapd): others running at the same time on this
# machine keep theirs.  credstored's sockets are paths, which every
# namespace reaches.  (Not in the VM: the module's family lives in the
# first namespace.)
own_ports() {
	[ -n "${CREDSTORE_OWN_PORTS:-}" ] && return 0
	unshare -n true 2>/dev/null || return 0
	CREDSTORE_OWN_PORTS=1 exec unshare -n bash -c 'ip link set lo up && exec bash "$@"' bash "$@"
}

# stop_pids PID...: stop the test's own background processes and wait
# for each (all are signalled first, so that they end together).
stop_pids() {
	local p
	for p in "$@"; do kill "$p" 2>/dev/null; done
	for p in "$@"; do wait "$p" 2>/dev/null; done
}
