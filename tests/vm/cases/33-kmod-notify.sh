# credstore.ko: a subscriber of the group "notify" (any user) hears one
# message per change (kind, key, generation; a device's flags, a
# retraction's event REMOVED) and one per snapshot commit, in order.
# vm-timeout: 300
. "$REPO/tests/lib.sh"
. "$REPO/tests/nl/helpers.sh"
T=$CASE_TMP
make_identity "$T" web || exit 1
FP=$(printf '11%.0s' $(seq 32))

setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
	$CSNL listen 5 120 "$T/ready" > "$T/heard" 2> "$T/listen.err" &
listener=$!
check "nobody subscribes to notify" $CSNL wait-file "$T/ready"
check "a snapshot is committed" $CSNL begin 1 \; records device d1 mfp=$FP \; commit
check "an update of two records" $CSNL update 2 device d1 mfp=$FP flags=1 , identity web $T/web.der
check "a retraction" $CSNL retract 3 device d1
check "an aborted snapshot" $CSNL begin 4 \; records device d2 \; abort
check "a refused update" sh -c "! $CSNL update 1 device d3"
check "a last update, the marker" $CSNL update 5 device last
wait $listener
check "the subscriber heard five messages" test $? = 0
sed 's/^/#   listener: /' "$T/listen.err"
check_output "1: the snapshot commit" '^kind=snapshot generation=1 $' sed -n 1p "$T/heard"
check_output "2: the updated device" '^kind=device generation=2 id=d1 flags=1 $' sed -n 2p "$T/heard"
check_output "3: the updated identity" '^kind=identity generation=2 name=web $' sed -n 3p "$T/heard"
check_output "4: the retraction" '^kind=device generation=3 id=d1 event=1 $' sed -n 4p "$T/heard"
check_output "5: the marker: nothing for the abort or the refusal" \
	'^kind=device generation=5 id=last flags=0 $' sed -n 5p "$T/heard"
finish
