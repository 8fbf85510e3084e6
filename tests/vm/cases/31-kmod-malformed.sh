# credstore.ko: every command with missing, malformed, oversized and
# wrong-type attributes gets an error with an extended ACK message, and
# changes nothing; the harness checks that dmesg stays clean.
# vm-timeout: 300
. "$REPO/tests/lib.sh"
. "$REPO/tests/nl/helpers.sh"
EINVAL='Invalid argument|Numerical result out of range'
POLICY='Unknown attribute type|Unsupported attribute|failed policy validation|invalid|out of range|reserved bit'
FP=$(printf 'ab%.0s' $(seq 32))
LONG=$(printf 'n%.0s' $(seq 64))

check_error "status takes no attribute" "$EINVAL" "$POLICY" raw status name:str:x
check_error "unknown command" 'Operation not supported' '' raw 99
check_error "NOTIFY is not a request" 'Operation not supported' '' raw notify

for cmd in identity anchor key; do
	check_error "$cmd: NAME missing" "$EINVAL" 'lacks a required attribute.*missing attribute 4' raw $cmd
	check_error "$cmd: NAME not NUL-terminated" "$EINVAL" "$POLICY" raw $cmd name:bytes:web
	check_error "$cmd: NAME of 64 characters" "$EINVAL" "$POLICY" raw $cmd name:str:$LONG
	check_error "$cmd: NAME empty" "$EINVAL" 'name or id is empty' raw $cmd name:hex:00
	check_error "$cmd: an attribute it does not take" "$EINVAL" "$POLICY" raw $cmd name:str:web id:str:x
	check_error "$cmd: an attribute type beyond the last" "$EINVAL" "$POLICY" raw $cmd name:str:web 200:u8:1
done
for cmd in device secrets; do
	check_error "$cmd: DEVICE_ID missing" "$EINVAL" 'lacks a required attribute.*missing attribute 5' raw $cmd
	check_error "$cmd: DEVICE_ID of 64 characters" "$EINVAL" "$POLICY" raw $cmd id:str:$LONG
	check_error "$cmd: DEVICE_ID as u32" "$EINVAL" "$POLICY" raw $cmd id:u32:0x41414141
	check_error "$cmd: an attribute it does not take" "$EINVAL" "$POLICY" raw $cmd id:str:d fp:hex:$FP
done
check_error "verify-fp: FINGERPRINT missing" "$EINVAL" 'missing attribute 6' raw verify-fp id:str:d
check_error "verify-fp: FINGERPRINT of 31 bytes" "$EINVAL" "$POLICY" raw verify-fp fp:hex:${FP#ab}
check_error "verify-fp: FINGERPRINT of 33 bytes" "$EINVAL" "$POLICY" raw verify-fp fp:hex:${FP}cd
check_error "verify-fp: FINGERPRINT as u8" "$EINVAL" "$POLICY" raw verify-fp fp:u8:1
check_error "verify-fp: empty DEVICE_ID" "$EINVAL" 'empty' raw verify-fp fp:hex:$FP id:hex:00
check_error "verify-fp: a SECRET it does not take" "$EINVAL" "$POLICY" raw verify-fp fp:hex:$FP secret:hex:00
check_error "verify-secret: SECRET missing" "$EINVAL" 'missing attribute 7' raw verify-secret id:str:d
check_error "verify-secret: DEVICE_ID missing" "$EINVAL" 'missing attribute 5' raw verify-secret secret:hex:00
check_error "verify-secret: empty SECRET" "$EINVAL" "$POLICY" raw verify-secret id:str:d secret:zero:0
check_error "verify-secret: SECRET of 65 bytes" "$EINVAL" "$POLICY" raw verify-secret id:str:d secret:zero:65
MAC=$(printf 'cd%.0s' $(seq 32))
check_error "verify-hmac: HMAC missing" "$EINVAL" 'missing attribute 43' raw verify-hmac id:str:d hmac_message:hex:31
check_error "verify-hmac: HMAC_MESSAGE missing" "$EINVAL" 'missing attribute 42' raw verify-hmac id:str:d hmac:hex:$MAC
check_error "verify-hmac: DEVICE_ID missing" "$EINVAL" 'missing attribute 5' raw verify-hmac hmac_message:hex:31 hmac:hex:$MAC
check_error "verify-hmac: HMAC of 31 bytes" "$EINVAL" "$POLICY" raw verify-hmac id:str:d hmac_message:hex:31 hmac:hex:${MAC#cd}
check_error "verify-hmac: empty HMAC_MESSAGE" "$EINVAL" "$POLICY" raw verify-hmac id:str:d hmac_message:zero:0 hmac:hex:$MAC
check_error "verify-hmac: HMAC_MESSAGE of 129 bytes" "$EINVAL" "$POLICY" raw verify-hmac id:str:d hmac_message:zero:129 hmac:hex:$MAC
check_error "verify-hmac: a SECRET it does not take" "$EINVAL" "$POLICY" raw verify-hmac id:str:d hmac_message:hex:31 hmac:hex:$MAC secret:hex:00

check_error "begin: GENERATION missing" "$EINVAL" 'missing attribute 2' raw begin
check_error "begin: GENERATION as u32" "$EINVAL" "$POLICY" raw begin generation:u32:5
check_error "begin: an attribute it does not take" "$EINVAL" "$POLICY" raw begin generation:u64:5 kind:u8:1
check_error "commit: GENERATION as u8" "$EINVAL" "$POLICY" raw commit generation:u8:5
check_error "abort takes no attribute" "$EINVAL" "$POLICY" raw abort generation:u64:5
check_error "update: GENERATION missing" "$EINVAL" 'missing attribute 2' \
	raw update records:nest { record:nest { kind:kind:device id:str:d } }
check_error "update: RECORDS missing" "$EINVAL" 'missing attribute 16' raw update generation:u64:5
check_error "retract: KIND missing" "$EINVAL" 'missing attribute 3' raw retract generation:u64:5 id:str:d
check_error "retract: KIND out of range" "$EINVAL" "$POLICY" raw retract generation:u64:5 kind:u8:4 id:str:d
check_error "retract: a device by NAME" "$EINVAL" 'keyed by DEVICE_ID' raw retract generation:u64:5 kind:kind:device name:str:d
check_error "retract: the key missing" "$EINVAL" 'missing attribute 4' raw retract generation:u64:5 kind:kind:anchor

# Records, inside a snapshot begun on the same socket.
rec() { check_error "records: $1" "$EINVAL" "$2" raw begin generation:u64:5 \; raw records records:nest { "${@:3}" }; }
rec "RECORDS holds nothing (libnl drops an empty nest)" 'no record|missing attribute 16' 
rec "RECORDS holds a non-RECORD" "$POLICY" name:str:x
rec "a RECORD without KIND" 'lacks its kind' record:nest { name:str:x }
rec "KIND out of range" "$POLICY" record:nest { kind:u8:9 name:str:x }
rec "KIND snapshot is not a record" "$POLICY" record:nest { kind:kind:snapshot name:str:x }
rec "an identity without KEY" 'lacks an attribute its kind requires' record:nest { kind:kind:identity name:str:x chain:hex:30 }
rec "an anchor with a KEY" 'does not belong' record:nest { kind:kind:anchor name:str:x chain:hex:30 key:hex:30 }
rec "an identity with a fingerprint" 'does not belong' record:nest { kind:kind:identity name:str:x chain:hex:30 key:hex:30 mfp:hex:$FP }
rec "a device with a NAME" 'does not belong' record:nest { kind:kind:device id:str:d name:str:x }
rec "a CHAIN over 32768 bytes" "$POLICY" record:nest { kind:kind:anchor name:str:x chain:zero:32769 }
rec "an empty CHAIN" "$POLICY" record:nest { kind:kind:anchor name:str:x chain:zero:0 }
rec "a KEY over 8192 bytes" "$POLICY" record:nest { kind:kind:identity name:str:x chain:hex:30 key:zero:8193 }
rec "an empty device id" 'empty' record:nest { kind:kind:device id:hex:00 }
rec "unknown device flags" "$POLICY" record:nest { kind:kind:device id:str:d flags:u32:2 }
rec "a master fingerprint of 20 bytes" "$POLICY" record:nest { kind:kind:device id:str:d mfp:zero:20 }
rec "a sub fingerprint without a master" 'needs a master' record:nest { kind:kind:device id:str:d sfp:hex:$FP }
rec "a sub secret without a master" 'needs a master' record:nest { kind:kind:device id:str:d ssec:hex:01 }
rec "the sub fingerprint is the master" 'is the master' record:nest { kind:kind:device id:str:d mfp:hex:$FP sfp:hex:$FP }
rec "a bad record after a good one" 'does not belong' record:nest { kind:kind:device id:str:ok } record:nest { kind:kind:device id:str:d name:str:x }

check_output "nothing was published by the refused requests" \
	'generation=0 identities=0 anchors=0 devices=0 ' $CSNL status
finish
