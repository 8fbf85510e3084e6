# Factory bad blocks (nandsim badblocks=) are exactly the blocks the libmtd
# backend reports bad, and flashcheck works around them (the first and the
# last eraseblock are among them).  The store counts the 5 bad blocks,
# never programs or erases them, and keeps every record.
# vm-nandsim: id_bytes=0x20,0xaa,0x00,0x15 badblocks=0,1,700,2047
# vm-module: none
# vm-timeout: 60
. "$REPO/tests/lib.sh"

check_output "the kernel sees 4 bad blocks" '^4$' cat /sys/class/mtd/mtd0/bad_blocks
"$REPO/build/bin/flashcheck" --messages --geometry=nand,131072,2048,2048,512 --bad=0,1,700,2047 \
	--mark-bad /dev/mtd0 || _failed=1
check_output "and 5 after flashcheck marked one" '^5$' cat /sys/class/mtd/mtd0/bad_blocks
"$REPO/build/bin/storecheck" --txns=300 --bad=5 /dev/mtd0 || _failed=1
finish
