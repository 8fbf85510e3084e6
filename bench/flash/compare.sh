#!/bin/bash
# bench-flash of this tree beside that of another revision (a previous
# format version), run alternately ROUNDS times on the same machine so
# that the load falls on both alike.  Each line of the output is printed
# once per revision with every number the median of its rounds, then a
# line of ratios (this tree / REV) for the numbers that differ.  Both
# revisions must print the same lines (the same bench-flash).
# usage: bench/flash/compare.sh REV [ROUNDS] [BENCH-FLASH ARGUMENTS...]
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
rev=${1:?usage: bench/flash/compare.sh REV [ROUNDS] [BENCH-FLASH ARGUMENTS...]}
rounds=${2:-5}
shift $(($# < 2 ? $# : 2))
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

git -C "$repo" archive "$rev" | tar -x -C "$tmp"
make -C "$tmp" -s -j2 build/bench/flash >/dev/null
make -C "$repo" -s -j2 build/bench/flash >/dev/null
for ((r = 0; r < rounds; r++)); do
	"$tmp/build/bench/flash" "$@" >"$tmp/old.$r"
	"$repo/build/bench/flash" "$@" >"$tmp/new.$r"
done

# medians NAME: each line of the first round with every number replaced by
# its median over the rounds (the same line and place in each).
medians() {
	for ((r = 0; r < rounds; r++)); do cat "$tmp/$1.$r"; echo "@@round"; done | awk '
		$0 == "@@round" { line = 0; next }
		{
			text[++line] = $0; n = 0; s = $0
			while (match(s, /[0-9]+(\.[0-9]+)?/)) {
				v[line, ++n, ++c[line, n]] = substr(s, RSTART, RLENGTH) + 0
				s = substr(s, RSTART + RLENGTH)
			}
			if (line > lines) lines = line
		}
		END {
			for (i = 1; i <= lines; i++) {
				out = ""; s = text[i]; n = 0
				while (match(s, /[0-9]+(\.[0-9]+)?/)) {
					k = c[i, ++n]
					for (a = 1; a <= k; a++) sorted[a] = v[i, n, a]
					for (a = 2; a <= k; a++)
						for (b = a; b > 1 && sorted[b - 1] > sorted[b]; b--) {
							t = sorted[b]; sorted[b] = sorted[b - 1]; sorted[b - 1] = t
						}
					out = out substr(s, 1, RSTART - 1) sorted[int((k + 1) / 2)]
					s = substr(s, RSTART + RLENGTH)
				}
				print out s
			}
		}'
}
medians old >"$tmp/old.med"
medians new >"$tmp/new.med"
echo "bench-flash, medians of $rounds alternate runs: $rev, then this tree, then ratios"
paste -d '\n' "$tmp/old.med" "$tmp/new.med" | awk -v rev="$rev" '
	NR % 2 { old = $0; next }
	{
		print rev ": " old; print "this: " $0; ratios = ""; s = old; t = $0
		while (match(s, /[0-9]+(\.[0-9]+)?/)) {
			a = substr(s, RSTART, RLENGTH) + 0; s = substr(s, RSTART + RLENGTH)
			if (!match(t, /[0-9]+(\.[0-9]+)?/)) break
			b = substr(t, RSTART, RLENGTH) + 0; t = substr(t, RSTART + RLENGTH)
			if (a != b && a != 0) ratios = ratios sprintf(" %g->%g %.2fx", a, b, b / a)
		}
		if (ratios != "") print "ratio:" ratios
	}'
