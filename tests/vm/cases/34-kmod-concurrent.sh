# credstore.ko: while snapshots are committed one after the other, a
# concurrent reader never sees a mix: every dump holds one whole snapshot
# (all its devices, every fingerprint tagged by the same snapshot) and
# every single reply's fingerprint belongs to the generation it reports.
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
check "every dump holds one whole snapshot" awk -v n=$N '
	/^--$/ { if (count && (count != n || tags != 1)) bad++; if (count) dumps++;
		 count = 0; tags = 0; delete seen; next }
	/^id=d[0-9]+ flags=0 mfp=/ && !/generation=/ {
		count++; t = substr($0, index($0, "mfp=") + 4, 2) substr($0, index($0, "sfp=") + 4, 2)
		if (!(t in seen)) { seen[t] = 1; tags++ }
		if (t != "4161" && t != "4262") bad++ }
	END { printf "dumps %d, bad %d\n", dumps, bad; exit bad || !dumps }' "$T/seen"
check "every single reply matches its generation" awk '
	/^id=d7 .*generation=/ {
		g = $0; sub(/.*generation=/, "", g); g += 0
		want = g % 2 ? "41" : "42"
		if (substr($0, index($0, "mfp=") + 4, 2) != want) bad++; replies++ }
	END { printf "replies %d, bad %d\n", replies, bad; exit bad || !replies }' "$T/seen"
finish
