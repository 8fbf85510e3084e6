# The libmtd backend on a partition in the middle of a larger chip
# (parts=16,32: mtd0 16 eraseblocks, mtd1 32, mtd2 the rest): flashcheck
# passes on mtd1 and its neighbours keep their bytes.
# vm-nandsim: id_bytes=0x20,0xaa,0x00,0x15 parts=16,32
# vm-module: none
# vm-timeout: 60
. "$REPO/tests/lib.sh"

neighbour=$CASE_TMP/neighbour
head -c 131072 /dev/urandom > "$neighbour"
for dev in mtd0 mtd2; do
	check "$dev: erase one block" flash_erase -q /dev/$dev 0 1
done
check "mtd0: program its first block" nandwrite -q -p /dev/mtd0 "$neighbour"
check "mtd2: program its first block" nandwrite -q -p /dev/mtd2 "$neighbour"
"$REPO/build/bin/flashcheck" --messages --geometry=nand,131072,32,2048,512 --mark-bad /dev/mtd1 || _failed=1
for dev in mtd0 mtd2; do
	check "$dev is untouched" sh -c "dd if=/dev/$dev bs=128k count=1 status=none | cmp - $neighbour"
done
check_output "mtd0 and mtd2 have no bad block" '^0$' sh -c \
	'cat /sys/class/mtd/mtd0/bad_blocks /sys/class/mtd/mtd2/bad_blocks | sort -u'
finish
