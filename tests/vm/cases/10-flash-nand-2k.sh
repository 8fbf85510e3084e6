# The libmtd backend passes flashcheck on nandsim with 2 KiB pages,
# 512 B subpages and 128 KiB eraseblocks (the whole 256 MiB chip); then
# the store runs a workload there, remounts and finds every record, and
# never touches the block flashcheck marked bad.
# vm-nandsim: id_bytes=0x20,0xaa,0x00,0x15
# vm-module: none
# vm-timeout: 60
. "$REPO/tests/lib.sh"

# Devices it cannot use are refused with the reason (flashcheck's first
# line, "not ok 1 - open ...", then holds flash_mtd_open's message).
refused() { "$REPO/build/bin/flashcheck" "$1"; test $? = 1; }
check_output "a file that is no MTD device is refused" \
	'/dev/null: not an MTD character device' refused /dev/null
check_output "the read-only node of an MTD device is refused" \
	'/dev/mtd0ro: the read-only node of mtd0; the store needs /dev/mtd0' refused /dev/mtd0ro
"$REPO/build/bin/flashcheck" --messages --geometry=nand,131072,2048,2048,512 --mark-bad /dev/mtd0 || _failed=1
"$REPO/build/bin/storecheck" --txns=300 --bad=1 /dev/mtd0 || _failed=1
finish
