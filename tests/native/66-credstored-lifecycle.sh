#!/bin/bash
# The credential lifecycle, on credstored in userspace mode through
# credctl (and libcredstore where a front end would look): expiry (dates
# and days left everywhere, `expiring` and its exit code, install
# warnings, the daily EXPIRING / EXPIRED log lines and notifications),
# revocation (CRLs per anchor, checked, atomic, several MiB; device revoke
# and reinstate), safe replacement (anchor add / replace, chains to a
# stored anchor, roles, key and hash policy, precise messages, CSR SANs,
# PKCS#12), secrets (raw files, hex, base64, a minimum length, no all-zero
# fingerprint), the no-sub profile and the disabled sub, and the command
# line (help, usage errors, JSON, strict numbers, exclusive options, batch
# paths, export without overwriting, names).
. "$(dirname "$0")/credstored-env.bash"

CONSUMER=${BUILD:-$REPO/build}/tests/credstore-consumer
json() { python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin), sort_keys=True))'; }
q() { timeout 30 "$CONSUMER" -d 0 "$@"; }
at() { date -u -d "$1" +%Y%m%d%H%M%SZ; }

make_ca root && make_ca other && make_cert root server && make_cert root client1 &&
	make_cert root client2 && make_cert other stranger &&
	make_dated_cert root soon "$(at '-1 day')" "$(at '+47 hours')" &&
	make_dated_cert root soon2 "$(at '-1 day')" "$(at '+47 hours')" ||
	{ echo "Bail out! test certificates"; exit 1; }
# A certificate for TLS clients only, one signed with SHA-1, an RSA-1024
# leaf, a CA with an RSA-1024 key.
printf 'extendedKeyUsage=clientAuth\n' >"$T/client.ext"
openssl x509 -req -in "$T/client1.csr" -CA "$T/root.crt" -CAkey "$T/root.key" -CAcreateserial \
	-days 30 -extfile "$T/client.ext" -out "$T/clientonly.crt" 2>/dev/null
openssl x509 -req -sha1 -in "$T/server.csr" -CA "$T/root.crt" -CAkey "$T/root.key" -CAcreateserial \
	-days 30 -out "$T/sha1.crt" 2>/dev/null
openssl req -newkey rsa:1024 -nodes -subj /CN=weak -keyout "$T/weak.key" -out "$T/weak.csr" 2>/dev/null
openssl x509 -req -in "$T/weak.csr" -CA "$T/root.crt" -CAkey "$T/root.key" -CAcreateserial \
	-days 30 -out "$T/weak.crt" 2>/dev/null
openssl req -x509 -newkey rsa:1024 -nodes -days 30 -subj /CN=weakca -keyout "$T/weakca.key" \
	-out "$T/weakca.crt" 2>/dev/null

# Expiry warnings within 7 days; the daily check every second here.
in_shell "credstored starts" start_daemon --geometry nand,blocks=256 --expiry-warning 7 \
	--expiry-check-interval 1s
timeout 120 "$CONSUMER" -d 0 watch 100000 >"$T/events" 2>&1 &
watcher=$!
for _ in $(seq 100); do grep -q watching "$T/events" && break; sleep 0.1; done

check "anchor add root" $CREDCTL anchor add root "$T/root.crt"
check_output "anchor list: days left" 'days_left: (29|30)' $CREDCTL anchor list
# ---- expiry ----
check "device add soon-dev with a certificate of two days" \
	sh -c "$CREDCTL device add soon-dev --cert $T/soon.crt 2>$T/warned"
check_output "the install warns that it expires soon" 'warning: the device certificate /CN=soon expires in 1 day' \
	cat "$T/warned"
check_output "and so does -j, with the generation" '"warning":"the device certificate.*"generation":[0-9]+' \
	$CREDCTL -j device add soon-dev2 --cert "$T/soon2.crt"
check_output "device show: the master's expiry and days left" 'master_days_left: 1$' \
	$CREDCTL device show soon-dev
check_output "expiring --within 30d lists what expires, soonest first" '^device soon-dev/master$' \
	sh -c "$CREDCTL -j expiring --within 30d | python3 -c 'import json,sys
e = json.load(sys.stdin)[\"expiring\"][0]; print(e[\"kind\"], e[\"name\"])'"
check "expiring --within 30d: exit status 6" exit_is 6 $CREDCTL expiring --within 30d
check_output "expiring --within 3d names soon-dev" '"name":"soon-dev/master"' \
	sh -c "$CREDCTL -j expiring --within 3d; true"
check "expiring --within 1d: nothing, exit status 0" exit_is 0 $CREDCTL expiring --within 1d
# A device certificate that expires while the test runs (checked at its end).
make_dated_cert root brief "$(at '-1 day')" "$(at '+6 seconds')"
check "device add brief with a certificate of a few seconds" \
	$CREDCTL device add brief --cert "$T/brief.crt"

# ---- safe replacement: anchors ----
check_output "anchor add onto an existing name is refused" "anchor 'root' exists" \
	exit_is 1 $CREDCTL anchor add root "$T/other.crt"
check_output "anchor list still shows the first root" 'subject: CN=root' $CREDCTL anchor list
check_output "a leaf is refused as an anchor" 'not a CA certificate' \
	exit_is 1 $CREDCTL anchor add leaf "$T/server.crt"
check_output "an RSA-1024 CA is refused" '1024-bit RSA key' exit_is 1 $CREDCTL anchor add weak "$T/weakca.crt"
check "anchor add spare" $CREDCTL anchor add spare "$T/other.crt"
check "anchor replace spare" $CREDCTL anchor replace spare "$T/root.crt"
check_output "the replaced anchor is the new certificate" '"name":"spare","subject":"CN=root"' \
	$CREDCTL -j anchor list
check_output "anchor replace of an unknown name is exit 4" "unknown anchor 'nosuch'" \
	exit_is 4 $CREDCTL anchor replace nosuch "$T/root.crt"
check "anchor remove spare" $CREDCTL anchor remove spare

# ---- safe replacement: server identities ----
check_output "a chain that leads to no stored anchor is refused" 'does not lead to a stored anchor' \
	exit_is 1 $CREDCTL identity install x --chain "$T/stranger.crt" --key "$T/stranger.key"
check "unless --no-anchor-check" \
	$CREDCTL identity install x --chain "$T/stranger.crt" --key "$T/stranger.key" --no-anchor-check
check_output "a CA certificate is refused as a server identity" 'is a CA certificate' \
	exit_is 1 $CREDCTL identity install x --chain "$T/root.crt" --key "$T/root.key"
check_output "a clientAuth-only certificate is refused" 'does not allow TLS server use' \
	exit_is 1 $CREDCTL identity install x --chain "$T/clientonly.crt" --key "$T/client1.key"
check_output "a SHA-1 signature is refused" 'signed with SHA1' \
	exit_is 1 $CREDCTL identity install x --chain "$T/sha1.crt" --key "$T/server.key"
check_output "an RSA-1024 key is refused" '1024-bit RSA key' \
	exit_is 1 $CREDCTL identity install x --chain "$T/weak.crt" --key "$T/weak.key"
cat "$T/root.crt" "$T/server.crt" >"$T/reversed.pem"
check_output "a chain in the wrong order says so" 'wrong order: certificate 2 \(/CN=server\) is the leaf' \
	exit_is 1 $CREDCTL identity install x --chain "$T/reversed.pem" --key "$T/server.key"
check "identity csr web --san" \
	$CREDCTL identity csr web --san DNS:gw.example,IP:192.0.2.1 --out "$T/web.csr"
check_output "the CSR asks for the subjectAltNames" 'DNS:gw.example, IP Address:192.0.2.1' \
	openssl req -in "$T/web.csr" -noout -text
check_output "a malformed --san is refused" 'not a list like DNS:' \
	exit_is 1 $CREDCTL identity csr web2 --san 'nonsense'
check_output "a certificate for another key than the CSR's says so" 'not for the key of the last CSR' \
	exit_is 1 $CREDCTL identity install web --chain "$T/server.crt"
openssl x509 -req -in "$T/web.csr" -CA "$T/root.crt" -CAkey "$T/root.key" -CAcreateserial -days 30 \
	-copy_extensions copy -out "$T/web.crt" 2>/dev/null
check "the CSR's certificate installs on the CSR's key" $CREDCTL identity install web --chain "$T/web.crt"
openssl pkcs12 -export -in "$T/server.crt" -inkey "$T/server.key" -certfile "$T/root.crt" \
	-passout pass:p12-secret -out "$T/server.p12"
check_output "PKCS#12 with a wrong password is refused" 'wrong password' \
	exit_is 1 $CREDCTL identity install p12 --pkcs12 "$T/server.p12" --password nope
check "PKCS#12 with its password installs" \
	$CREDCTL identity install p12 --pkcs12 "$T/server.p12" --password p12-secret
check_output "it holds the leaf and its issuer" 'certificates: 2' $CREDCTL identity show p12
check_output "identity list shows each identity with its days left" \
	'"name":"p12".*"days_left":(29|30)' $CREDCTL -j identity list

# ---- revocation: CRLs ----
crl() {	# crl CA OUT LASTUPDATE SERIAL|-N: a CRL of CA listing SERIAL, or N serials
	local ca=$1 out=$2 last=$3 dir=$T/crl-$RANDOM
	mkdir "$dir" && echo 01 >"$dir/crlnumber"
	awk -v s="$4" 'BEGIN { n = s ~ /^-/ ? -s : 1
		for (i = 0; i < n; i++)
			printf "R\t301231235959Z\t240101000000Z\t%s\tunknown\t/CN=x\n",
				s ~ /^-/ ? sprintf("%06X", 65536 + i) : s }' >"$dir/index.txt"
	printf '[ca]\ndefault_ca=d\n[d]\ndatabase=%s\ncrlnumber=%s\ndefault_md=sha256\ndefault_crl_days=7\n' \
		"$dir/index.txt" "$dir/crlnumber" >"$dir/ca.cnf"
	openssl ca -gencrl -config "$dir/ca.cnf" -cert "$T/$ca.crt" -keyfile "$T/$ca.key" \
		-crl_lastupdate "$last" -out "$out" 2>/dev/null
}
serial() { openssl x509 -in "$1" -noout -serial | sed 's/serial=//'; }
crl root "$T/new.crl" "$(at '-1 hour')" "$(serial "$T/client2.crt")"
crl root "$T/old.crl" "$(at '-2 hours')" "$(serial "$T/client2.crt")"
newer_at=$(at '-1 minute')
crl root "$T/newer.crl" "$newer_at" "$(serial "$T/client2.crt")"
crl root "$T/twin.crl" "$newer_at" "$(serial "$T/client1.crt")"
crl other "$T/foreign.crl" "$(at '-1 hour')" "$(serial "$T/client2.crt")"
check_output "a CRL the anchor did not sign is refused" "not signed by anchor 'root'" \
	exit_is 1 $CREDCTL anchor crl root "$T/foreign.crl"
check "anchor crl root" $CREDCTL anchor crl root "$T/new.crl"
check_output "anchor list shows the CRL" 'crl_revoked: 1' $CREDCTL anchor list
check_output "an older CRL does not replace it" 'older than the one' \
	exit_is 1 $CREDCTL anchor crl root "$T/old.crl"
crl root "$T/big.crl" "$(at '-10 minutes')" -140000
check_output "a CRL of several MiB is taken" 'crl_bytes: [3-9][0-9]{6}$' \
	sh -c "$CREDCTL anchor crl root $T/big.crl >/dev/null && $CREDCTL anchor list"
check_output "libcredstore reads it whole, in parts" '^crls=1 revoked=140000$' q crls
check "a smaller one replaces it at once" $CREDCTL anchor crl root "$T/newer.crl"
check_output "and front ends read the new one" '^crls=1 revoked=1$' q crls
check_output "another CRL of the same thisUpdate is refused" 'other contents' \
	exit_is 1 $CREDCTL anchor crl root "$T/twin.crl"
check "the same CRL again is taken" $CREDCTL anchor crl root "$T/newer.crl"

# ---- revocation: devices ----
FP1=$(fingerprint "$T/client1.crt")
check "device add rv" $CREDCTL device add rv --cert "$T/client1.crt"
check_output "it matches" "^match=master id=rv$" q verify-fp "$FP1"
check "device revoke rv" $CREDCTL device revoke rv
check_output "device show says revoked" 'revoked: yes' $CREDCTL device show rv
check_output "a revoked device matches nothing, and the store says why" '^match=none id=rv revoked$' \
	q verify-fp "$FP1"
check_output "it stays in the store" '"id":"rv"' $CREDCTL -j device list --prefix rv
check_output "the log names it" "device 'rv' revoked" cat "$T/daemon.log"
check "device reinstate rv" $CREDCTL device reinstate rv
check_output "a reinstated device matches again" "^match=master id=rv$" q verify-fp "$FP1"

# ---- secrets ----
printf 'line one\nsecond\0nul!' >"$T/raw.bin"	# 20 bytes with a newline and a NUL
check "device add raw --secret-file: the file's bytes" $CREDCTL device add raw --secret-file "$T/raw.bin"
check_output "all of them are the secret" '^match=master$' q verify-secret-file raw "$T/raw.bin"
head -c 8 "$T/raw.bin" >"$T/raw-line.bin"
check_output "not just the first line" '^match=none$' q verify-secret-file raw "$T/raw-line.bin"
check "--secret-hex" $CREDCTL device add hex --secret-hex "$(od -An -tx1 -v "$T/raw.bin" | tr -d ' \n')"
check_output "--secret-hex gives the same bytes" '^match=master$' q verify-secret-file hex "$T/raw.bin"
check "--secret-base64" $CREDCTL device add b64 --secret-base64 "$(base64 -w0 "$T/raw.bin")"
check_output "--secret-base64 gives the same bytes" '^match=master$' q verify-secret-file b64 "$T/raw.bin"
check_output "a secret under 16 bytes is refused" 'has 15 bytes: credstored takes 16 or more' \
	exit_is 1 $CREDCTL device add short --secret 123456789012345
check_output "two secrets at once are refused" 'give one of --secret' \
	exit_is 2 $CREDCTL device add two --secret 0123456789abcdefgh --generate
check_output "an all-zero fingerprint is refused" 'all-zero fingerprint' \
	exit_is 1 $CREDCTL device add zero --fingerprint "$(printf '%064d' 0)"

# ---- profiles: no-sub, and the disabled sub ----
check "device add ns --profile no-sub" $CREDCTL device add ns --secret ns-first-secret-0001 --profile no-sub
check "reset-secret under no-sub" $CREDCTL device reset-secret ns --secret ns-second-secret-002
check_output "replaced the master: no sub" 'sub_secret: no' $CREDCTL device show ns
printf ns-second-secret-002 >"$T/ns2"
check_output "the new secret is the master" '^match=master$' q verify-secret-file ns "$T/ns2"
check "reset-fingerprint under no-sub" $CREDCTL device reset-fingerprint ns --cert "$T/client2.crt"
check_output "the certificate is the master" "master_fingerprint: $(fingerprint "$T/client2.crt")" \
	$CREDCTL device show ns
check_output "promote: sub not allowed" "sub not allowed for device 'ns'" \
	exit_is 1 $CREDCTL device promote ns
check_output "enable-sub: sub not allowed" "sub not allowed for device 'ns'" \
	exit_is 1 $CREDCTL device enable-sub ns
check_output "the refusals are in the log with their reason" "device promote: sub not allowed" \
	cat "$T/daemon.log"
check "device add dual, then a sub for it" sh -c "$CREDCTL device add dual --secret dual-first-secret-1 &&
	$CREDCTL device reset-secret dual --secret dual-second-secret-2"
check_output "set-profile no-sub while it has a sub is refused" 'promote or drop it' \
	exit_is 1 $CREDCTL device set-profile dual no-sub
check "device disable-sub dual" $CREDCTL device disable-sub dual
check_output "reset-secret into a disabled sub is refused" "sub disabled for device 'dual'" \
	exit_is 1 $CREDCTL device reset-secret dual --secret dual-third-secret-3
check_output "promote of a disabled sub is refused" "sub disabled for device 'dual'" \
	exit_is 1 $CREDCTL device promote dual
check "--master still works" $CREDCTL device reset-secret dual --secret dual-third-secret-3 --master
check "drop-sub, then set-profile no-sub" sh -c "$CREDCTL device drop-sub dual &&
	$CREDCTL device enable-sub dual && $CREDCTL device set-profile dual no-sub"
check_output "device show: profile no-sub" 'profile: no-sub' $CREDCTL device show dual

# ---- the command line ----
check_output "per-command --help" '^usage: credctl \[-j\] device revoke ID' $CREDCTL device revoke --help
bad_help=$($BIN/credctl --help | awk '/^  [a-z]/ { print $1, ($2 ~ /^[a-z]/ ? $2 : "") }' |
	while read -r g c; do $BIN/credctl $g $c --help >/dev/null 2>&1 || echo "$g $c"; done)
check "every command has --help (failed: ${bad_help:-none})" test -z "$bad_help"
check_output "--version" '^credctl [0-9.]+$' $BIN/credctl --version
check_output "credstored --version" '^credstored [0-9.]+$' $BIN/credstored --version
check_output "credstore-tlsproxy --version" '^credstore-tlsproxy [0-9.]+$' $BIN/credstore-tlsproxy --version
check "a usage error is two lines, not the whole usage" \
	sh -c "$BIN/credctl device add 2>&1 >/dev/null | wc -l | grep -qx 2"
check_output "-j: an error is {error, code} with the daemon's message" \
	"^\{\"code\": 4, \"error\": \"unknown device 'ghost'\"\}$" \
	sh -c "$BIN/credctl -j device show ghost 2>/dev/null | $(declare -f json | sed -n 3p)"
check_output "-j: a usage error too" '"code": 2' sh -c "$BIN/credctl -j device list --limit x 2>/dev/null | python3 -m json.tool"
for c in "device add j1" "device add j2 --generate" "device revoke j1" "device set-profile j1 no-sub" \
	 "identity csr j3" "anchor crl root $T/newer.crl" "device remove j2"; do
	# shellcheck disable=SC2086
	check_output "-j $c: result and generation" '"generation":[0-9]+' $CREDCTL -j $c
done
check_output "--limit abc is refused" 'want a whole number' exit_is 2 $CREDCTL device list --limit abc
check_output "--limit 5x is refused" 'want a whole number' exit_is 2 $CREDCTL device list --limit 5x
check_output "--timeout 0 is refused, with the reason" '--timeout 0: want a whole number from 1' \
	exit_is 2 $BIN/credctl --timeout 0 store status
check_output "credstored --max-devices abc is refused" 'whole number' \
	sh -c "! $BIN/credstored --max-devices abc 2>&1"
check_output "--password and --password-file together are refused" 'not both' \
	exit_is 2 $CREDCTL identity install x --chain "$T/server.crt" --password a --password-file "$T/raw.bin"
check_output "--fingerprint and --cert together are refused" 'not both' \
	exit_is 2 $CREDCTL device add x --fingerprint "$FP1" --cert "$T/client1.crt"
check_output "--pkcs12 and --chain together are refused" 'not both' \
	exit_is 2 $CREDCTL identity install x --pkcs12 "$T/server.p12" --chain "$T/server.crt"
mkdir -p "$T/batchdir/certs" && cp "$T/stranger.crt" "$T/batchdir/certs/"
echo "device add from-batch --cert certs/stranger.crt" >"$T/batchdir/lines"
check "batch paths are relative to the batch file" sh -c "cd / && $CREDCTL store batch $T/batchdir/lines"
check "store export" $CREDCTL store export "$T/backup" --passphrase long-enough-pass
check_output "store export refuses to overwrite" 'exists: give --force' \
	exit_is 2 $CREDCTL store export "$T/backup" --passphrase long-enough-pass
check "store export --force overwrites" $CREDCTL store export "$T/backup" --passphrase long-enough-pass --force
check_output "a name with a control byte is refused" 'letters, digits' \
	exit_is 1 $CREDCTL device add "$(printf 'bad\001id')"
check_output "a name with a path is refused" 'letters, digits' exit_is 1 $CREDCTL identity csr ../x
check_output "a name starting with a dot is refused" 'letter or digit first' \
	exit_is 1 $CREDCTL anchor add .x "$T/root.crt"

# ---- the daily check: EXPIRING, then EXPIRED once passed ----
for _ in $(seq 100); do grep -q "device 'brief' has EXPIRED" "$T/daemon.log" && break; sleep 0.1; done
check_output "the log says a certificate is EXPIRING" \
	"the master certificate of device 'soon-dev' is EXPIRING in 1 day" cat "$T/daemon.log"
check_output "and EXPIRED once it has passed" "the master certificate of device 'brief' has EXPIRED" \
	cat "$T/daemon.log"
check "once per check, soon-dev's EXPIRING line" awk "/device 'soon-dev' is EXPIRING/ { n++; seen = 1 }
	/expiry check:/ { if (seen && n != 1) bad++; n = 0 } END { exit bad }" "$T/daemon.log"
kill "$watcher" 2>/dev/null
wait "$watcher" 2>/dev/null
check_output "subscribers hear EXPIRING (event 2) with the date" 'kind=3 key=soon-dev generation=[0-9]+ event=2 not_after=[0-9]+' \
	cat "$T/events"
check_output "and EXPIRED (event 3)" 'kind=3 key=brief generation=[0-9]+ event=3 not_after=' cat "$T/events"
check_output "a revocation is announced with the device's flags" 'kind=3 key=rv generation=[0-9]+ flags=2$' \
	cat "$T/events"
in_shell "stop" stop_daemon
finish
