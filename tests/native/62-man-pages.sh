#!/bin/bash
# The man pages format without a warning, and name every command and
# option that credctl and credstored say they take.
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
. "$repo/tests/lib.sh"
bin=${BUILD:-$repo/build}/bin
for page in "$repo"/man/*.[1-8]; do
	check_fails "$(basename "$page"): groff -ww warns about nothing" \
		bash -c "groff -ww -z -man '$page' 2>&1 | grep ."
done
# The page as a reader sees it, with roff's hyphens made plain.
text() { MANWIDTH=200 man -l "$repo/man/$1" 2>/dev/null | sed 's/‐/-/g; s/−/-/g'; }
credctl=$(text credctl.8)
while read -r group cmd _; do
	check "credctl(8) documents '$group $cmd'" grep -q -- "$group $cmd" <<<"$credctl"
done < <("$bin/credctl" --help | sed -n 's/^  \([a-z]\+ [a-z-]\+\).*/\1/p')
credstored=$(text credstored.8)
for opt in $("$bin/credstored" --help | grep -o -- '--[a-z-]\+' | sort -u); do
	check "credstored(8) documents $opt" grep -q -- "$opt" <<<"$credstored"
done
finish
