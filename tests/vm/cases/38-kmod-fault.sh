# credstore.ko's error path under readers.  Debian's kernels have no
# failslab or fail_page_alloc (nor KASAN), so the test-only module
# parameter fault_insert makes the Nth table insertion fail with -ENOMEM:
# a PUBLISH_UPDATE fails at each of its insertions in turn while
# readers verify the fingerprints it adds and replaces.  Every failure
# leaves the tables as they were (all records or none), no reader ever
# sees a device that was not committed, and nothing is freed under a
# reader: the cs_device slab is poisoned and red-zoned (slub_debug, set by
# tests/vm/run), so a use after free is a splat and fails the case.
# vm-timeout: 300
. "$REPO/tests/lib.sh"
. "$REPO/tests/nl/helpers.sh"
T=$CASE_TMP
N=200
FAULT=/sys/module/credstore/parameters/fault_insert
fp() { printf "$1%.0s" $(seq 32); }
F1=$(fp a1) F2=$(fp a2) F3=$(fp a3) F4=$(fp a4) F5=$(fp a5) F6=$(fp a6)
OLD5=$($CSNL fp-of m 5) OLD6=$($CSNL fp-of m 6)
# Three new devices and two replaced ones: 12 insertions (new: its
# fingerprints, its dump position, its id; replaced: its new fingerprint).
UPDATE="update 2 device n1 mfp=$F1 , device n2 mfp=$F2 sfp=$F3 , device d5 mfp=$F4 , device n3 mfp=$F5 , device d6 mfp=$F6"
INSERTIONS=12

check "a snapshot of $N devices" $CSNL begin 1 \; gen-devices d $N 200 \; commit
for i in $(seq 2000); do echo "verify-fp $F1 ; verify-fp $F3 ; verify-fp $F4 ; verify-fp $F6"; done > "$T/new"
for i in $(seq 2000); do echo "verify-fp $OLD5 ; verify-fp $OLD6"; done > "$T/old"
$CSNL - < "$T/new" > "$T/new.out" 2>&1 &
new=$!
$CSNL - < "$T/old" > "$T/old.out" 2>&1 &
old=$!

for n in $(seq $INSERTIONS); do
	echo "$n" > "$FAULT"
	check_error "insertion $n of $INSERTIONS fails: the update is refused whole" \
		'Cannot allocate memory' 'nothing was changed' $UPDATE
	check_output "insertion $n: the tables are as they were" \
		"generation=1 identities=0 anchors=0 devices=$N " $CSNL status
done
kill "$new" "$old" 2>/dev/null
wait "$new" "$old" 2>/dev/null
# What the readers saw while the update failed (the last line may be cut).
sed -i '$d' "$T/new.out" "$T/old.out"
check_output "readers of the new fingerprints ran" '^[1-9][0-9]+$' grep -c '^match=none $' "$T/new.out"
check "they never matched a device that was not committed" \
	sh -c "! grep -v '^match=none \$' $T/new.out"
check_output "readers of the replaced fingerprints ran" '^[1-9][0-9]+$' grep -c '^match=master id=d[56] $' "$T/old.out"
check "the replaced devices kept matching their old fingerprints" \
	sh -c "! grep -v '^match=master id=d[56] \$' $T/old.out"

check_output "a fault past the update's last insertion leaves it alone" \
	'^ok$' sh -c "echo $((INSERTIONS + 1)) > $FAULT && $CSNL $UPDATE && echo ok"
echo 0 > "$FAULT"
check_output "the update that went through is served" \
	"generation=2 identities=0 anchors=0 devices=$((N + 3)) " $CSNL status
check_output "its new device matches" 'match=sub id=n2' $CSNL verify-fp "$F3"
check_output "its replaced device matches its new fingerprint" 'match=master id=d5' $CSNL verify-fp "$F4"
check_output "and no longer its old one" '^match=none $' $CSNL verify-fp "$OLD5"
$CSNL device > "$T/dump" 2>&1
check_output "a dump holds every device once" "^$((N + 3))\$" sh -c "grep '^id=' $T/dump | sort -u | wc -l"
finish
