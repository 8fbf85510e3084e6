# credstore.ko: every command's happy path, as root over one csnl socket
# per step: a snapshot, queries, verification, privileged reads, single
# updates and retractions, generations, one publisher at a time.
# vm-timeout: 300
. "$REPO/tests/lib.sh"
. "$REPO/tests/nl/helpers.sh"
T=$CASE_TMP
make_identity "$T" web && make_identity "$T" root || exit 1
M1=$(printf '11%.0s' $(seq 32)); S1=$(printf '22%.0s' $(seq 32))
M2=$(printf '33%.0s' $(seq 32)); S2=$(printf '44%.0s' $(seq 32))

check_output "status before any publish: generation 0, no publisher" \
	'generation=0 identities=0 anchors=0 devices=0 .*publisher=0' $CSNL status
# Until the first snapshot, "no such device" would be a false answer (a
# front end would end that device's sessions): queries are EAGAIN.
for q in "device dev1" "identity web" "verify-fp $M1"; do
	check_error "before any snapshot: $q is EAGAIN" 'temporarily unavailable' \
		'nothing is published yet' $q
done
check_error "before any snapshot: a dump is EAGAIN" 'temporarily unavailable' '' device
check_output "an update alone does not make it ready" 'nothing is published yet' \
	sh -c "$CSNL update 1 device early mfp=$M2 && ! $CSNL device early 2>&1"
check "publish a snapshot: begin, records, commit" $CSNL - <<EOT
begin 5
records gen=5 identity web $T/web.der , anchor root $T/root.der
records device dev1 mfp=$M1 sfp=$S1 msec=6d31 ssec=7331 , device dev2 mfp=$M2 sfp=$S2 msec=aa flags=1
commit 5
EOT
check_output "status counts the snapshot, the publisher is gone" \
	'generation=5 identities=1 anchors=1 devices=2 .*publisher=0' $CSNL status
check_output "get identity returns its chain" \
	"name=web chain=$(hex "$T/web.der") generation=5" $CSNL identity web
check_output "get anchor returns its certificate" \
	"name=root chain=$(hex "$T/root.der")" $CSNL anchor root
check_output "get device: fingerprints and flags, no secrets" \
	"^id=dev1 flags=0 mfp=$M1 sfp=$S1 generation=5 \$" $CSNL device dev1
check_output "dump of identities" "^name=web chain=" $CSNL identity
check_output "dump of anchors" "^name=root chain=" $CSNL anchor
check_output "dump of devices lists both" 'id=dev1.*id=dev2|id=dev2.*id=dev1' \
	sh -c "$CSNL device | tr '\n' ' '"
check_output "verify master fingerprint by id" 'match=master id=dev1' $CSNL verify-fp $M1 dev1
check_output "verify sub fingerprint by id" 'match=sub id=dev1' $CSNL verify-fp $S1 dev1
check_output "verify a fingerprint alone finds the device (master)" 'match=master id=dev2' $CSNL verify-fp $M2
check_output "verify a fingerprint alone finds the device (sub)" 'match=sub id=dev1' $CSNL verify-fp $S1
# Refused for its flags: the answer names the device and the flags.
check_output "a disabled sub never matches, by id" '^match=none id=dev2 flags=1 $' $CSNL verify-fp $S2 dev2
check_output "a disabled sub never matches, alone" '^match=none id=dev2 flags=1 $' $CSNL verify-fp $S2
check_output "another device's fingerprint does not match" '^match=none $' $CSNL verify-fp $M2 dev1
check_output "unknown device: no match" '^match=none $' $CSNL verify-fp $M1 nosuch
check_output "verify master secret" 'match=master id=dev1' $CSNL verify-secret dev1 6d31
check_output "verify sub secret" 'match=sub id=dev1' $CSNL verify-secret dev1 7331
check_output "a wrong secret does not match" '^match=none $' $CSNL verify-secret dev1 6d32
check_output "a prefix of the secret does not match" '^match=none $' $CSNL verify-secret dev1 6d
check_output "the secret and a zero byte more does not match (lengths count)" '^match=none $' \
	$CSNL verify-secret dev1 6d3100
# hmac KEYHEX TEXT: HMAC-SHA256 in hex; TS: a timestamp, in hex as sent.
hmac() { python3 -c 'import hmac, hashlib, sys
print(hmac.new(bytes.fromhex(sys.argv[1]), sys.argv[2].encode(), hashlib.sha256).hexdigest())' "$@"; }
TS=$(printf '%s' 1764650000 | od -An -tx1 | tr -d ' \n')
check_output "verify an HMAC keyed with the master secret" 'match=master id=dev1' \
	$CSNL verify-hmac dev1 "$TS" "$(hmac 6d31 1764650000)"
check_output "verify an HMAC keyed with the sub secret" 'match=sub id=dev1' \
	$CSNL verify-hmac dev1 "$TS" "$(hmac 7331 1764650000)"
check_output "an HMAC of another message does not match" '^match=none $' \
	$CSNL verify-hmac dev1 "${TS%?}1" "$(hmac 6d31 1764650000)"
check_output "an HMAC keyed with no secret (dev2 has no sub) does not match" '^match=none $' \
	$CSNL verify-hmac dev2 "$TS" "$(hmac '' 1764650000)"
check_output "an HMAC for an unknown device does not match" '^match=none $' \
	$CSNL verify-hmac nosuch "$TS" "$(hmac 6d31 1764650000)"
# The module holds no private key (credstored signs): nothing to read.
check_output "root's answer for the identity is its chain alone, no key" \
	"^name=web chain=$(hex "$T/web.der") generation=5 \$" $CSNL identity web
check_error "root's GET_IDENTITY_KEY (7, retired) is refused" 'Operation not supported' '' \
	raw 7 name:str:web
check_output "root reads a device's secrets" '^id=dev1 flags=0 msec=6d31 ssec=7331 $' $CSNL secrets dev1
check_error "an unknown identity is ENOENT" 'No such file or directory' 'no such name' identity nosuch
check_error "an unknown device is ENOENT" 'No such file or directory' 'no such device' device nosuch

check "update promotes dev1's sub to master" \
	$CSNL update 6 device dev1 mfp=$S1 msec=7331
check_output "the old master no longer matches" '^match=none $' $CSNL verify-fp $M1
check_output "the promoted fingerprint matches as master" 'match=master id=dev1' $CSNL verify-fp $S1
check_output "the update serves its generation" 'generation=6 identities=1 anchors=1 devices=2' $CSNL status
check "update adds a device" $CSNL update 7 device dev3 mfp=$M1
check_output "the new device is served" 'match=master id=dev3' $CSNL verify-fp $M1
check "retract a device" $CSNL retract 8 device dev3
check_error "a retracted device is gone" 'No such file or directory' 'no such device' device dev3
check "retract an anchor" $CSNL retract 9 anchor root
check_output "status after retractions" 'generation=9 identities=1 anchors=0 devices=2' $CSNL status
check_error "retracting it again is ENOENT" 'No such file or directory' 'no such record' retract 10 anchor root

check_error "an older generation is refused (update)" 'Stale file handle' 'older than the one served' update 3 device dev9
check_error "an older generation is refused (retract)" 'Stale file handle' 'older than the one served' retract 8 device dev1
check_error "records without begin are refused" 'Invalid argument' 'no snapshot begun' records device dev9
check_error "commit without begin is refused" 'Invalid argument' 'no snapshot begun' commit
check "abort drops a snapshot: served state unchanged" $CSNL begin 20 \; records device x mfp=$M2 \; abort
check_output "after abort the old state is served" 'generation=9 identities=1 anchors=0 devices=2' $CSNL status
check_error "records after abort are refused" 'Invalid argument' 'no snapshot begun' records device x
check_error "records with another generation are refused" 'Invalid argument' "not the snapshot's" \
	begin 20 \; records gen=21 device x
check_error "a fingerprint of another device is refused" 'File exists' 'belongs to another device' \
	update 21 device dev9 mfp=$S1
check_error "a key twice in one message is refused" 'Invalid argument' 'appears twice' \
	update 21 device dev9 , device dev9

# The secrets of a request are wiped once read: an error's echo of the
# request (the kernel copies it into the error) shows the rest, not them.
SEC=5ec12e75ec12e75ec12e75
CSNL_SHOW_ECHO=1 $CSNL update 21 device w1 msec=$SEC , device w1 > "$T/echo1" 2>&1
check_output "a refused update echoes its request" 'appears twice.*\[echo [0-9a-f]+\]' cat "$T/echo1"
check "the echo holds the device id, not the secret" \
	sh -c "grep -q 773100 $T/echo1 && ! grep -q $SEC $T/echo1"
CSNL_SHOW_ECHO=1 $CSNL verify-secret 'a b' $SEC > "$T/echo2" 2>&1
check_output "a refused verification echoes its request" 'letters, digits.*\[echo [0-9a-f]+\]' cat "$T/echo2"
check "the echo holds the device id, not the secret" \
	sh -c "grep -q 612062 $T/echo2 && ! grep -q $SEC $T/echo2"

# One publisher at a time; its socket closing keeps the state served.
$CSNL begin 30 \; wait-file "$T/release" > "$T/pub.log" 2>&1 &
pub=$!
until $CSNL status | grep -q publisher=1 || ! kill -0 $pub; do :; done
check_output "status shows the attached publisher" 'publisher=1' $CSNL status
check_error "a second publisher is refused" 'Device or resource busy' 'another publisher' begin 31
touch "$T/release"
wait $pub
check_output "the publisher closed: state kept, no publisher" \
	'generation=9 identities=1 anchors=0 devices=2 .*publisher=0' $CSNL status
check "a new publisher may attach" $CSNL begin 31 \; commit
check_output "an empty snapshot empties the tables" \
	'generation=31 identities=0 anchors=0 devices=0 ' $CSNL status

# A snapshot may go back (a store rolled back on purpose, then accepted):
# updates and retractions may not, nor a commit that would drop an update
# served since its begin.
check "a snapshot older than the one served" $CSNL begin 4 \; records device old1 mfp=$M2 \; commit
check_output "is served whole, at its generation" \
	'generation=4 identities=0 anchors=0 devices=1 ' $CSNL status
check_output "its device answers" 'match=master id=old1' $CSNL verify-fp $M2
check "updates go on from there" $CSNL update 5 device old2 mfp=$M1
check_error "a commit after an update served since its begin is refused" \
	'Stale file handle' 'changed since the snapshot began' begin 40 \; update 6 device old3 mfp=$S1 \; commit
check_output "the update stays served, the snapshot did not replace it" \
	'generation=6 identities=0 anchors=0 devices=3 ' $CSNL status
finish
