# Shared by the credstore.ko VM cases (tests/vm/cases/3*.sh): the csnl
# client, hex dumps and test credentials.  Source after tests/lib.sh.
CSNL=$REPO/build/bin/csnl

hex() { od -An -tx1 -v "$@" | tr -d ' \n'; }

# check_error DESCRIPTION ERRNO_REGEX MESSAGE_REGEX CSNL_ARGS...: csnl must
# fail with that errno (strerror text) and an extended ACK message matching the regex
# (an empty regex: no message expected).  $CSNL_RUNNER, if set, is a
# command prefix to run csnl as another user.
check_error() {
	local desc=$1 errtext=$2 msg=$3; shift 3
	local log pattern="($errtext)[^:]*: .*($msg)"
	[ -n "$msg" ] || pattern=$errtext
	if log=$(${CSNL_RUNNER-} "$CSNL" "$@" 2>&1); then
		echo "not ok - $desc (succeeded, should have failed)"
	elif printf '%s\n' "$log" | grep -Eq -- "$pattern"; then
		echo "ok - $desc"
		return
	else
		echo "not ok - $desc (wanted /$pattern/)"
	fi
	_failed=1
	printf '%s\n' "$log" | tail -n 5 | sed 's/^/#   /'
}

# make_identity DIR NAME: DIR/NAME.der (certificate) and DIR/NAME.key (key).
make_identity() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$1/$2.pem" -subj "/CN=$2" -days 1 -outform DER \
		-out "$1/$2.der" 2>/dev/null &&
	openssl pkey -in "$1/$2.pem" -outform DER -out "$1/$2.key"
}

# dump_exact FILE COUNT TAG: FILE, a csnl device dump, holds COUNT devices,
# each once, every master fingerprint starting with the byte TAG (hex: the
# snapshot's gen-devices tag), and no "dump-intr".  Prints what it found.
dump_exact() {
	awk -v n="$2" -v tag="$3" '
		/^dump-intr/ { intr++ }
		/^id=/ { count++; if (seen[$1]++) twice++
			 if (substr($0, index($0, "mfp=") + 4, 2) != tag) other++ }
		END { printf "%d entries, %d twice, %d of another snapshot, %d interrupted\n",
			     count, twice, other, intr
		      exit count != n || twice || other || intr }' "$1"
}
