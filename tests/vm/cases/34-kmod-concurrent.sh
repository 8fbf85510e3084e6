# credstore.ko: while snapshots are committed one after the other, a
# concurrent reader never sees a mix: every dump not flagged
# NLM_F_DUMP_INTR holds one whole snapshot (all its devices, every
# fingerprint tagged by the same snapshot; a dump outlives one commit, and
# is interrupted only when two commits leave it behind: max_superseded),
# and every single reply's fingerprint belongs to the generation it
# reports.  An identity replaced over and over is always found (its
# reader never gets -ENOENT between the old entry and the new).
# vm-timeout: 300
. "$REPO/tests/lib.sh"
. "$REPO/tests/nl/helpers.sh"
T=$CASE_TMP
N=600 SNAPSHOTS=24

# Odd generations tag fingerprints A/a (0x41/0x61), even ones B/b.
check "the first snapshot" $CSNL begin 1 \; gen-devices d $N 100 A a \; commit
for g in $(seq 2 $SNAPSHOTS); do
	tags="A a"; [ $((g % 2)) = 0 ] && tags="B b"
	echo "begin $g ; gen-devices d $N 100 $tags ; commit"
done > "$T/publish"
for i in $(seq 150); do
	echo "device ; echo -- ; device d7 ; echo --"
done > "$T/read"

$CSNL - < "$T/publish" > "$T/publish.log" 2>&1 &
publisher=$!
$CSNL - < "$T/read" > "$T/seen" 2> "$T/read.err" &
reader=$!
wait $publisher
check "the publisher commits $SNAPSHOTS snapshots of $N devices" test $? = 0
wait $reader
check "the reader dumps and reads throughout" test $? = 0
check_output "the last snapshot is served" "generation=$SNAPSHOTS .*devices=$N " $CSNL status

# awk: per dump (between "--" lines), the count and the set of tags.
check "every dump not interrupted holds one whole snapshot" awk -v n=$N '
	/^dump-intr$/ { intr = 1; next }
	/^--$/ { if (count && !intr && (count != n || tags != 1)) bad++
		 if (count && !intr) dumps++; if (intr) interrupted++
		 count = 0; tags = 0; intr = 0; delete seen; next }
	/^id=d[0-9]+ flags=0 mfp=/ && !/generation=/ {
		count++; t = substr($0, index($0, "mfp=") + 4, 2) substr($0, index($0, "sfp=") + 4, 2)
		if (!(t in seen)) { seen[t] = 1; tags++ }
		if (t != "4161" && t != "4262") bad++ }
	END { printf "whole dumps %d, interrupted %d, bad %d\n", dumps, interrupted, bad
	      exit bad || !dumps }' "$T/seen"
check "every single reply matches its generation" awk '
	/^id=d7 .*generation=/ {
		g = $0; sub(/.*generation=/, "", g); g += 0
		want = g % 2 ? "41" : "42"
		if (substr($0, index($0, "mfp=") + 4, 2) != want) bad++; replies++ }
	END { printf "replies %d, bad %d\n", replies, bad; exit bad || !replies }' "$T/seen"

head -c 600 /dev/urandom > "$T/chain"
for g in $(seq $((SNAPSHOTS + 1)) $((SNAPSHOTS + 80))); do
	echo "update $g identity web $T/chain"
done > "$T/replace"
for i in $(seq 300); do echo "identity web"; done > "$T/get"
$CSNL update $SNAPSHOTS identity web "$T/chain" > /dev/null
$CSNL - < "$T/replace" > "$T/replace.log" 2>&1 &
publisher=$!
$CSNL - < "$T/get" > "$T/got" 2>&1 &
reader=$!
wait $publisher
check "the identity is replaced 80 times" test $? = 0
wait $reader
check "its reader found it every time" test $? = 0
check_output "300 replies" '^300$' grep -c '^name=web chain=' "$T/got"
finish
