# credstore.ko's dumps: identities and anchors at the largest chain the
# module accepts dump whole on a fresh socket; a dump outlives a commit
# exactly (it keeps the set it began on) and says NLM_F_DUMP_INTR when its
# set changes in place; dumps that never finish keep at most
# max_superseded (1) old sets alive, not one per commit.
# vm-timeout: 300
. "$REPO/tests/lib.sh"
. "$REPO/tests/nl/helpers.sh"
T=$CASE_TMP
N=2000

# ---- the largest entries, each on a fresh socket (a csnl of its own) ----
for f in id1 id2 anchor1; do head -c 32768 /dev/urandom > "$T/$f"; done
head -c 300 /dev/urandom > "$T/small"
# One large record per message: a nest holds at most 64 KiB.
check "identities and anchors with 32768-byte chains are published" $CSNL begin 1 \; \
	records identity big1 "$T/id1" \; records identity big2 "$T/id2" \; \
	records anchor big "$T/anchor1" , anchor small "$T/small" \; commit
$CSNL identity > "$T/identities" 2>&1
check_output "the identity dump holds both, each once" '^2$' grep -c '^name=big[12] chain=' "$T/identities"
for f in id1 id2; do
	check "identity ${f#id}'s whole chain is in the dump" grep -qF "chain=$(hex "$T/$f") " "$T/identities"
done
$CSNL anchor > "$T/anchors" 2>&1
check_output "the anchor dump holds both" '^2$' grep -c '^name=' "$T/anchors"
check "the largest anchor's whole certificate is in the dump" grep -qF "name=big chain=$(hex "$T/anchor1") " "$T/anchors"
check "the small anchor follows it" grep -qF "name=small chain=$(hex "$T/small") " "$T/anchors"

# ---- a dump across a commit, and across an update ----
slab_objects() { cut -d' ' -f1 /sys/kernel/slab/cs_device/objects; }
# stall NAME: a device dump that reads one socket buffer, then waits.
stall() {
	$CSNL dump-stall device "$T/$1.ready" "$T/$1.go" > "$T/$1.out" 2>&1 &
	eval "$1=$!"
	$CSNL wait-file "$T/$1.ready"
}
finish_stall() { touch "$T/$1.go"; wait "${!1}"; }
check "snapshot A of $N devices" $CSNL begin 2 \; gen-devices d $N 400 A a \; commit
stall d1
check "snapshot B replaces it while a dump of A is stalled" \
	$CSNL begin 3 \; gen-devices d $N 400 B b \; commit
finish_stall d1
check_output "the dump reads on in A: each device once, not interrupted" \
	"^$N entries, 0 twice, 0 of another snapshot, 0 interrupted" dump_exact "$T/d1.out" $N 41

stall d2
check "an update changes B in place while a dump of B is stalled" \
	$CSNL update 4 device d1 mfp=$(printf 'ee%.0s' $(seq 32))
finish_stall d2
check_output "that dump says it was interrupted" '^dump-intr$' cat "$T/d2.out"

# Two stalled dumps on two sets, then a third commit: only one old set may
# stay; the oldest is given up (its dump moves on, interrupted).
stall d3
check "snapshot C while a dump of B is stalled" $CSNL begin 5 \; gen-devices d $N 400 C c \; commit
stall d4
before=$(slab_objects)
check "snapshot D while dumps of B and C are stalled" \
	$CSNL begin 6 \; gen-devices d $N 400 D d \; commit
after=$(slab_objects)
check_output "devices in memory: C (kept for its dump) and D, not B ($before before, $after after)" \
	'^kept$' sh -c "[ $after -lt $((before + N / 2)) ] && echo kept"
finish_stall d3
check_output "the dump of B, given up, says it was interrupted" '^dump-intr$' cat "$T/d3.out"
finish_stall d4
check_output "the dump of C, kept, reads on in C: each device once" \
	"^$N entries, 0 twice, 0 of another snapshot, 0 interrupted" dump_exact "$T/d4.out" $N 43
$CSNL device > "$T/d5.out" 2>&1
check_output "a dump now holds D whole" "^$N entries, 0 twice" dump_exact "$T/d5.out" $N 44
finish
