# credstore.ko: snapshots of 100k devices, each dumped right after its
# commit (while the hash tables still resize in the background, when a
# hash-table walk used to repeat entries): every device exactly once, no
# NLM_F_DUMP_INTR; lookups by fingerprint among them; and the limits
# (max_entries, max_bytes) refusing a publish that would exceed them.
# vm-timeout: 400
. "$REPO/tests/lib.sh"
. "$REPO/tests/nl/helpers.sh"
T=$CASE_TMP
N=100000

g=0
for tags in "A a" "B b" "C c"; do
	g=$((g + 1))
	tag=$(printf '%x' "'${tags% *}")
	check "snapshot $g: $N devices committed, then dumped at once" \
		sh -c "$CSNL begin $g \; gen-devices d $N 400 $tags \; commit \; device > $T/dump$g"
	check_output "snapshot $g: the dump holds each device exactly once" '^100000 entries, 0 twice' \
		dump_exact "$T/dump$g" $N "$tag"
done
check_output "status counts them" "generation=3 .*devices=$N " $CSNL status
check_output "the last device's sub fingerprint finds it" "match=sub id=d$((N - 1))" \
	$CSNL verify-fp "$($CSNL fp-of c $((N - 1)))"
check_output "a master fingerprint by id" "match=master id=d4242" \
	$CSNL verify-fp "$($CSNL fp-of C 4242)" d4242
check_output "a master secret (its first 16 bytes)" "match=master id=d17" \
	$CSNL verify-secret d17 "$($CSNL fp-of C 17 | cut -c1-32)"
check "a snapshot replaces them all" $CSNL begin 4 \; gen-devices e 10 \; commit
check_output "only the new snapshot is served" "generation=4 .*devices=10 " $CSNL status
check_output "an old fingerprint no longer matches" '^match=none $' \
	$CSNL verify-fp "$($CSNL fp-of C 5)" d5

check "reload with max_entries=100 max_bytes=20000" \
	sh -c "rmmod credstore && insmod $CREDSTORE_KO max_entries=100 max_bytes=20000"
check_output "status shows the limits" 'max_entries=100 max_bytes=20000 ' $CSNL status
check_error "a snapshot of 101 records is refused" 'No space left on device' 'max_entries' \
	begin 1 \; gen-devices d 101 101
check "a snapshot within the limits is accepted" $CSNL begin 1 \; gen-devices d 40 \; commit
head -c 30000 /dev/zero > "$T/big.der"
check_error "an update beyond max_bytes is refused" 'No space left on device' 'max_bytes' \
	update 2 anchor big "$T/big.der"
check_output "the refused publishes changed nothing" 'generation=1 identities=0 anchors=0 devices=40 ' $CSNL status
finish
