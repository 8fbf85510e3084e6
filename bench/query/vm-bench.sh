# bench/query, run in the VM by `make bench-query`: round trips per second
# of VERIFY_FINGERPRINT, GET_IDENTITY and PUBLISH_UPDATE (the publisher
# replacing one device, as credstored does after a change) against the
# kernel's own nlctrl
# CTRL_CMD_GETFAMILY, on one socket set up the same way (csnl: libnl-genl-3,
# one request, its reply and its ACK at a time), with 1k and 100k devices
# published.  Each round measures every request back to back; a ratio is
# the median over the rounds of the ratio within a round, which the load
# of a shared machine moves much less than the rates themselves.
# vm-timeout: 900
. "$REPO/tests/lib.sh"
. "$REPO/tests/nl/helpers.sh"
T=$CASE_TMP
ROUNDS=${BENCH_ROUNDS:-40} SECONDS_PER=${BENCH_SECONDS:-0.2}
make_identity "$T" web || exit 1

# bench N GENERATION: publish N devices and an identity, measure, print.
bench() {
	local n=$1 gen=$2 fp mfp id
	$CSNL begin $gen \; gen-devices d "$n" 400 \; records identity web $T/web.der \; commit || return 1
	fp=$($CSNL fp-of s $((n / 2))) mfp=$($CSNL fp-of m $((n / 2))) id=d$((n / 2))
	for r in $(seq $ROUNDS); do
		echo "echo ctrl ; rate $SECONDS_PER ctrl-family credstore"
		echo "echo verify ; rate $SECONDS_PER verify-fp $fp"
		echo "echo verify-id ; rate $SECONDS_PER verify-fp $fp $id"
		echo "echo identity ; rate $SECONDS_PER identity web"
		echo "echo update ; rate $SECONDS_PER update $gen device $id mfp=$mfp sfp=$fp" \
		     "msec=${mfp:0:32} ssec=${fp:0:32}"
	done > "$T/script"
	$CSNL - < "$T/script" > "$T/rates" || return 1
	awk -v n=$n -v ratios="$T/ratios" '
		function median(a, k,   i, j, t) {
			for (i = 1; i <= k; i++)
				for (j = i + 1; j <= k; j++)
					if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
			return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
		}
		/^(ctrl|verify|verify-id|identity|update)$/ { what = $1; next }
		/^rate=/ {
			rate = substr($1, 6) + 0
			if (what == "ctrl") { ctrl = rate; rounds++; c[rounds] = rate }
			else { ratio[what, rounds] = rate / ctrl; abs[what, rounds] = rate }
		}
		END {
			printf "bench-query: %d devices: nlctrl getfamily %.0f/s (median of %d rounds)\n", n, median(c, rounds), rounds
			split("verify verify-id identity update", names, " ")
			split("verify fingerprint (by fingerprint alone)|verify fingerprint (with device id)|get identity|publish update (one device)", labels, "|")
			for (w = 1; w <= 4; w++) {
				for (r = 1; r <= rounds; r++) { q[r] = ratio[names[w], r]; a[r] = abs[names[w], r] }
				m = median(q, rounds)
				printf "bench-query: %d devices: %s %.0f/s, ratio %.2f to nlctrl\n", n, labels[w], median(a, rounds), m
				if (w == 1 || w == 4) printf "%s %d %f\n", names[w], n, m >> ratios
			}
		}' "$T/rates"
}
bench 1000 1 || exit 1
bench 100000 2 || exit 1
# The cost per request at 100k over the cost at 1k (the inverse of the
# rates' ratio): 1.00 is flat.
awk '{ r[$1, $2] = $3 } END {
	printf "bench-query: verify fingerprint, cost at 100k devices / at 1k: %.2f\n", r["verify", 1000] / r["verify", 100000]
	printf "bench-query: PUBLISH_UPDATE of one device, cost at 100k devices / at 1k: %.2f\n", r["update", 1000] / r["update", 100000]
}' "$T/ratios"
