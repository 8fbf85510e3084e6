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
# Every command, and every option its --help names.
while read -r group cmd; do
	check "credctl(8) documents '$group${cmd:+ $cmd}'" grep -q -- "$group${cmd:+ $cmd}" <<<"$credctl"
	for opt in $("$bin/credctl" $group $cmd --help | sed -n 1p | grep -o -- '--[a-z0-9-]\+' | sort -u); do
		check "credctl(8) documents $group${cmd:+ $cmd} $opt" grep -q -- "$opt" <<<"$credctl"
	done
done < <("$bin/credctl" --help | awk '/^  [a-z]/ { print $1, ($2 ~ /^[a-z]/ ? $2 : "") }')
for opt in $("$bin/credctl" --help | sed -n 1p | grep -o -- '--[a-z-]\+' | sort -u) --version; do
	check "credctl(8) documents $opt" grep -q -- "$opt" <<<"$credctl"
done
credstored=$(text credstored.8)
for opt in $("$bin/credstored" --help | grep -o -- '--[a-z-]\+' | sort -u); do
	check "credstored(8) documents $opt" grep -q -- "$opt" <<<"$credstored"
done
finish
