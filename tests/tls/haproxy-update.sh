#!/bin/bash
# haproxy-update.sh HOST:PORT CRT CHAIN REF: replace the certificate CRT
# (the path HAProxy loaded it from) in a running HAProxy through its
# runtime API: `set ssl cert` with the chain and the key reference, then
# `commit ssl cert`.  New handshakes use the new chain and key at once;
# nothing restarts.  (With socat and a unix stats socket, the same two
# commands; see credstore-provider(7).)
set -eu
host=${1%:*} port=${1##*:} crt=$2 chain=$3 ref=$4

api() {	# the runtime API's answer to one command (its stdin)
	exec 3<>"/dev/tcp/$host/$port"
	cat >&3
	cat <&3
	exec 3>&-
}

{ printf 'set ssl cert %s <<\n' "$crt"; cat "$chain" "$ref"; printf '\n'; } | api |
	grep -q 'Transaction created\|Transaction updated' || { echo "haproxy: set ssl cert failed" >&2; exit 1; }
printf 'commit ssl cert %s\n' "$crt" | api | grep -q 'Success!' ||
	{ echo "haproxy: commit ssl cert failed" >&2; exit 1; }
