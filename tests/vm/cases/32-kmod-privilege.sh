# credstore.ko: privileged reads are refused to an unprivileged user and
# allowed to the module's reader_gid, judged by the credentials that
# opened the socket; publishing is refused to both (GENL_ADMIN_PERM).
# vm-timeout: 300
. "$REPO/tests/lib.sh"
. "$REPO/tests/nl/helpers.sh"
T=$CASE_TMP
READERS=4242
NOBODY=$(id -u nobody) NOGROUP=$(id -g nobody)
make_identity "$T" web || exit 1
FP=$(printf '11%.0s' $(seq 32))
as_nobody="setpriv --reuid=nobody --regid=$NOGROUP --clear-groups"
as_reader="setpriv --reuid=nobody --regid=$NOGROUP --groups=$READERS"
as_nobody() { $as_nobody "$@"; }
as_reader() { $as_reader "$@"; }
# check_error, run by another user.
check_error_as() {
	local who=$1; shift
	CSNL_RUNNER=${!who} check_error "$@"
}

check "reload the module with reader_gid=$READERS" \
	sh -c "rmmod credstore && insmod $CREDSTORE_KO reader_gid=$READERS"
check "root publishes an identity and a device" \
	$CSNL begin 1 \; records identity web $T/web.der , device d1 mfp=$FP msec=5ec7 \; commit

check_output "nobody may query the status" 'generation=1' as_nobody $CSNL status
check_output "nobody may get an identity's chain" 'name=web chain=' as_nobody $CSNL identity web
check_output "nobody may verify a fingerprint" 'match=master id=d1' as_nobody $CSNL verify-fp $FP
check_output "nobody may verify a secret" 'match=master id=d1' as_nobody $CSNL verify-secret d1 5ec7
check_output "nobody may verify an HMAC" 'match=master id=d1' as_nobody $CSNL verify-hmac d1 31 \
	"$(python3 -c 'import hmac, hashlib; print(hmac.new(bytes.fromhex("5ec7"), b"1", hashlib.sha256).hexdigest())')"
check_output "nobody may dump devices" 'id=d1' as_nobody $CSNL device
for who in as_nobody as_reader; do
	for cmd in "begin 2" "records device d2" "commit" "abort" "update 2 device d2" "retract 2 device d1"; do
		check_error_as $who "$who: publisher command '$cmd' refused" \
			'Operation not permitted' '' $cmd
	done
done
check_error_as as_nobody "nobody may not read secrets" 'Operation not permitted' \
	'needs CAP_NET_ADMIN' secrets d1
# No key to read, for anyone: the module holds none (credstored signs).
check_error_as as_reader "the reader group's GET_IDENTITY_KEY (7, retired) is refused" \
	'Operation not supported' '' raw 7 name:str:web
check_output "the reader group reads the secrets" '^id=d1 flags=0 msec=5ec7 $' as_reader $CSNL secrets d1

# The opener's credentials count, not the sender's current ones.
check_output "a socket opened in the reader group keeps its right after setuid" \
	'^id=d1 flags=0 msec=5ec7 $' setpriv --groups=$READERS $CSNL setuid $NOBODY $NOGROUP \; secrets d1
check_error "root's socket used after setuid to nobody is refused" \
	'Operation not permitted' 'needs CAP_NET_ADMIN' setuid $NOBODY $NOGROUP \; secrets d1
check_error "root's socket used after setuid may not publish" \
	'Operation not permitted' '' setuid $NOBODY $NOGROUP \; begin 3
check_output "nothing changed" 'generation=1 identities=1 anchors=0 devices=1 .*publisher=0' $CSNL status
finish
