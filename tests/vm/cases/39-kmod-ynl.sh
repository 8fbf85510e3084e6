# The kernel's own YNL client (tools/net/ynl/cli.py of linux-source-6.12,
# unpacked by `make ynl`) drives every operation of credstore.ko from the
# spec alone: every do (one --multi batch on one socket, which the
# publisher's snapshot needs) and every dump, four records of three kinds
# in one message (record is a multi-attr), the errors' extended ACKs, and
# a dump refusing an attribute.  Few invocations: each starts a Python in
# the TCG guest (the case took 92 s at host load 5, over 300 s at load
# 10: hence its budget).  (Notifications stay with 33-kmod-notify: 6.12's ynl.py
# fails on a notification that arrives while it waits for an answer.)
# vm-timeout: 600
. "$REPO/tests/lib.sh"
. "$REPO/tests/nl/helpers.sh"
T=$CASE_TMP
CLI=$REPO/build/ynl/tools/net/ynl/cli.py
if [ ! -f "$CLI" ]; then
	echo "not ok - the kernel's YNL tools are in build/ynl (run make ynl)"
	exit 1
fi
# Schema validation is the native tier's (tests/native/59-netlink-spec.sh).
ynl() {
	python3 "$CLI" --spec "$REPO/build/ynl/uapi/credstore.yaml" --no-schema \
		--output-json "$@"
}
make_identity "$T" web && make_identity "$T" root || exit 1
WEB=$(hex "$T/web.der") ROOT=$(hex "$T/root.der")
M1=$(printf '11%.0s' $(seq 32)) S1=$(printf '22%.0s' $(seq 32))
M2=$(printf '33%.0s' $(seq 32)) M3=$(printf '44%.0s' $(seq 32))
# VERIFY_HMAC: a timestamp signed with dev1's sub secret (7331).
TS=$(printf 1764650000 | od -An -tx1 | tr -d ' \n')
MAC=$(python3 -c 'import hmac, hashlib; print(hmac.new(b"s1", b"1764650000", hashlib.sha256).hexdigest())')

RECORDS='{"records": {"record": [
  {"kind": "identity", "name": "web", "chain": "'$WEB'"},
  {"kind": "anchor", "name": "root", "chain": "'$ROOT'"},
  {"kind": "device", "device-id": "dev1", "master-fp": "'$M1'", "sub-fp": "'$S1'",
   "master-secret": "6d31", "sub-secret": "7331"},
  {"kind": "device", "device-id": "dev2", "master-fp": "'$M2'", "flags": ["sub-disabled"]}]}}'
ynl --multi publish-begin '{"generation": 5}' --multi publish-records "$RECORDS" \
	--multi publish-commit '{"generation": 5}' --multi get-status '{}' \
	--multi get-identity '{"name": "web"}' --multi get-anchor '{"name": "root"}' \
	--multi get-device '{"device-id": "dev1"}' \
	--multi verify-fingerprint '{"fingerprint": "'$S1'", "device-id": "dev1"}' \
	--multi verify-fingerprint '{"fingerprint": "'$M2'"}' \
	--multi verify-secret '{"device-id": "dev1", "secret": "6d31"}' \
	--multi verify-hmac '{"device-id": "dev1", "hmac-message": "'$TS'", "hmac": "'$MAC'"}' \
	--multi get-device-secrets '{"device-id": "dev1"}' \
	--multi publish-update '{"generation": 6, "records": {"record": [
		{"kind": "device", "device-id": "dev3", "master-fp": "'$M3'"}]}}' \
	--multi retract '{"generation": 7, "kind": "anchor", "name": "root"}' \
	--multi publish-begin '{"generation": 8}' \
	--multi publish-records '{"records": {"record": [{"kind": "anchor", "name": "x", "chain": "'$ROOT'"}]}}' \
	--multi publish-abort '{}' --multi get-status '{}' > "$T/dos" 2>&1
# The answers: one JSON list.
answers() { cat "$T/dos"; }
check_output "publish-begin, publish-records (four records in one message), publish-commit" \
	'^\[null, null, null, ' answers
check_output "get-status" '"generation": 5, "status-identities": 1, "status-anchors": 1, "status-devices": 2' answers
check_output "get-identity" '\{"name": "web", "chain": "'$WEB'", "generation": 5\}' answers
check_output "get-anchor" '\{"name": "root", "chain": "'$ROOT'", "generation": 5\}' answers
check_output "get-device" '\{"device-id": "dev1", "flags": \[\], "master-fp": "'$M1'", "sub-fp": "'$S1'", "generation": 5\}' answers
check_output "verify-fingerprint by id" '\{"match": "sub", "device-id": "dev1"\}' answers
check_output "verify-fingerprint alone" '\{"match": "master", "device-id": "dev2"\}' answers
check_output "verify-secret" '\{"match": "master", "device-id": "dev1"\}' answers
check_output "verify-hmac" '\{"match": "sub", "device-id": "dev1"\}' answers
check_output "get-device-secrets" '\{"device-id": "dev1", "flags": \[\], "master-secret": "6d31", "sub-secret": "7331"\}' answers
check_output "publish-update, retract, then publish-begin, publish-records, publish-abort" \
	'"sub-secret": "7331"\}, null, null, null, null, null, \{"generation": 7, "status-identities": 1, "status-anchors": 0, "status-devices": 3' \
	answers

check_output "get-identity dump" '^\[\{"name": "web", "chain": "'$WEB'"\}\]$' ynl --dump get-identity
ynl --dump get-anchor > "$T/anchors" 2>&1
check_output "get-anchor dump (the anchor retracted is gone)" '^\[\]$' cat "$T/anchors"
ynl --dump get-device > "$T/devices" 2>&1
check_output "get-device dump: dev1" '\{"device-id": "dev1", "flags": \[\], "master-fp": "'$M1'", "sub-fp": "'$S1'"\}' \
	cat "$T/devices"
check_output "get-device dump: dev2, its flags by name" '\{"device-id": "dev2", "flags": \["sub-disabled"\], "master-fp": "'$M2'"\}' \
	cat "$T/devices"
check_output "get-device dump: dev3" '\{"device-id": "dev3", "flags": \[\], "master-fp": "'$M3'"\}' cat "$T/devices"
ynl --dump get-device --json '{"device-id": "dev1"}' > "$T/refused" 2>&1
check_output "a dump refuses an attribute" 'Invalid argument' cat "$T/refused"
ynl --do get-device --json '{"device-id": "nosuch"}' > "$T/nosuch" 2>&1
check_output "an error's extended ACK" 'No such file or directory.*no such device is published' \
	sh -c "tr -d '\n' < $T/nosuch"
finish
