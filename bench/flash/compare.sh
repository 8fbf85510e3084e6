#!/bin/bash
# bench-flash of this tree beside that of another revision (a previous
# format version), run alternately ROUNDS times on the same machine so
# that the load falls on both alike; prints, per size, the median of each
# figure for both and their ratio (this tree / REV).
# usage: bench/flash/compare.sh REV [ROUNDS] [N:MiB ...]   (ROUNDS: 5)
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
rev=${1:?usage: bench/flash/compare.sh REV [ROUNDS] [N:MiB ...]}
rounds=${2:-5}
shift $(($# < 2 ? $# : 2))
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

git -C "$repo" archive "$rev" | tar -x -C "$tmp"
make -C "$tmp" -s -j2 build/bench/flash >/dev/null
make -C "$repo" -s -j2 build/bench/flash >/dev/null
for ((r = 0; r < rounds; r++)); do
	"$tmp/build/bench/flash" "$@" >>"$tmp/old.txt"
	"$repo/build/bench/flash" "$@" >>"$tmp/new.txt"
done

# figures FILE: "N name value" lines, one per figure of each run (the
# store's default, bounded GC: the first of each "bounded | unbounded").
figures() {
	awk '
		/^bench-flash: N = / { n = $4 }
		/^bench-flash:   per update,/ { print n, "bytes_per_update", $8;
			print n, "erases_per_1000", $17 }
		/^bench-flash:   CPU per update,/ { print n, "us_CPU_p50", $9; print n, "us_CPU_p99", $14;
			print n, "us_CPU_p99.9", $19; print n, "us_CPU_max", $24 }
		/^bench-flash:   mount,/ { print n, "mount_pages_read", $6
			if (match($0, /[0-9.]+ \| [0-9.]+ ms/)) print n, "mount_ms", substr($0, RSTART, RLENGTH) + 0 }
		/^bench-flash:   heap:/ { print n, "heap_MB", $3 }
		/^bench-flash:   with the / { if (match($0, /: [0-9.]+ \|/)) print n, "us_wall_with_counter", substr($0, RSTART + 2, RLENGTH - 4) }' "$1"
}
# medians FILE: "N name median" lines.
medians() {
	figures "$1" | sort -k1,1n -k2,2 -k3,3g | awk '
		{ k = $1 " " $2; v[k, ++c[k]] = $3; if (!(k in seen)) { seen[k] = 1; order[++o] = k } }
		END { for (i = 1; i <= o; i++) { k = order[i]; print k, v[k, int((c[k] + 1) / 2)] } }'
}
echo "bench-flash, median of $rounds alternate runs: $rev | this tree | ratio"
join <(medians "$tmp/old.txt" | awk '{ print $1 ":" $2, $3 }' | sort) \
     <(medians "$tmp/new.txt" | awk '{ print $1 ":" $2, $3 }' | sort) |
	sort -t: -k1,1n -k2,2 |
	awk '{ split($1, k, ":"); printf "N=%-7s %-18s %10s %10s %6.2fx\n", k[1], k[2], $2, $3,
	       $2 + 0 ? $3 / $2 : 1 }'
