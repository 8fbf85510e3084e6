# bench/query, run in the VM by `make bench-query`: round trips per second
# of VERIFY_FINGERPRINT and GET_IDENTITY against the kernel's own nlctrl
# CTRL_CMD_GETFAMILY, on one socket set up the same way (csnl: libnl-genl-3,
# one request, its reply and its ACK at a time), with 1k and 100k devices
# published.  Rounds alternate the requests; each figure is the best round.
# vm-timeout: 900
. "$REPO/tests/lib.sh"
. "$REPO/tests/nl/helpers.sh"
T=$CASE_TMP
ROUNDS=${BENCH_ROUNDS:-5} SECONDS_PER=${BENCH_SECONDS:-1}
make_identity "$T" web || exit 1

bench() {
	local n=$1 gen=$2 fp
	$CSNL begin $gen \; gen-devices d "$n" 400 \; records identity web $T/web.der $T/web.key \; commit || return 1
	fp=$($CSNL fp-of s $((n / 2)))
	for r in $(seq $ROUNDS); do
		echo "echo ctrl ; rate $SECONDS_PER ctrl-family credstore"
		echo "echo verify ; rate $SECONDS_PER verify-fp $fp"
		echo "echo verify-id ; rate $SECONDS_PER verify-fp $fp d$((n / 2))"
		echo "echo identity ; rate $SECONDS_PER identity web"
	done > "$T/script"
	$CSNL - < "$T/script" | awk -v n=$n '
		/^(ctrl|verify|verify-id|identity)$/ { what = $1; next }
		/^rate=/ { r = substr($1, 6) + 0; if (r > best[what]) best[what] = r }
		END {
			printf "bench-query: %d devices: nlctrl getfamily %.0f/s\n", n, best["ctrl"]
			printf "bench-query: %d devices: verify fingerprint (by fingerprint) %.0f/s, ratio %.2f\n", n, best["verify"], best["verify"] / best["ctrl"]
			printf "bench-query: %d devices: verify fingerprint (by device id) %.0f/s, ratio %.2f\n", n, best["verify-id"], best["verify-id"] / best["ctrl"]
			printf "bench-query: %d devices: get identity %.0f/s, ratio %.2f\n", n, best["identity"], best["identity"] / best["ctrl"]
			printf "%s %f\n", n, best["verify"] / best["ctrl"] > "/dev/stderr"
		}' 2>> "$T/ratios"
}
bench 1000 1 || exit 1
bench 100000 2 || exit 1
awk '{ r[NR] = $2 } END { printf "bench-query: verify ratio at 100k / at 1k: %.2f\n", r[2] / r[1] }' "$T/ratios"
