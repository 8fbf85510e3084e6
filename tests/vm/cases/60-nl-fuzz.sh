# credstore.ko under nlfuzz: random and mutated messages for every command
# and attribute, as root (publisher commands included) and as nobody.  The
# harness fails the case on any oops, BUG or warning in dmesg; the module
# warns at unload if any entry it counted is left, and the kmalloc caches
# must come back to within a few objects of where they were.
# vm-timeout: 600
. "$REPO/tests/lib.sh"
. "$REPO/tests/nl/helpers.sh"
NLFUZZ=$REPO/build/bin/nlfuzz
COUNT=${NLFUZZ_COUNT:-2000}

kmalloc_objects() {
	sync; echo 3 > /proc/sys/vm/drop_caches
	awk '$1 ~ /^kmalloc-/ { n += $2 } END { print n }' /proc/slabinfo
}

check_output "the module answers before" 'generation=' $CSNL status
before=$(kmalloc_objects)
check_output "nlfuzz as root: $COUNT messages, seed 1" '^sent' $NLFUZZ 1 "$COUNT"
check_output "nlfuzz as nobody: $COUNT messages, seed 2" '^sent' \
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups $NLFUZZ 2 "$COUNT"
$NLFUZZ 3 "$COUNT" | sed 's/^/# root, seed 3: /'
check_output "the module still answers" 'generation=' $CSNL status
check "unload: the module's entry count is zero or it warns" rmmod credstore
after=$(kmalloc_objects)
echo "# kmalloc active objects: $before before, $after after"
check "the kmalloc caches did not grow by $((COUNT / 20)) objects" \
	test "$((after - before))" -lt "$((COUNT / 20))"
finish
