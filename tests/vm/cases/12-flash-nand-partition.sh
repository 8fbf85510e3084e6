# The libmtd backend and the store on a partition in the middle of a larger
# chip (parts=16,8: mtd0 16 eraseblocks, mtd1 8, mtd2 the rest): flashcheck
# passes on mtd1, the store runs enough transactions there to collect
# garbage, and the neighbours keep their bytes.  Chip block 18 (mtd1's
# third) fails its second erase (weakblocks=18:1): the store marks it bad
# and loses nothing.
# vm-nandsim: id_bytes=0x20,0xaa,0x00,0x15 parts=16,8 weakblocks=18:1
# vm-module: none
# vm-timeout: 60
. "$REPO/tests/lib.sh"

neighbour=$CASE_TMP/neighbour
head -c 131072 /dev/urandom > "$neighbour"
for dev in mtd0 mtd2; do
	check "$dev: erase one block" flash_erase -q /dev/$dev 0 1
	check "$dev: program its first block" nandwrite -q -p /dev/$dev "$neighbour"
done
"$REPO/build/bin/flashcheck" --messages --geometry=nand,131072,8,2048,512 --mark-bad /dev/mtd1 || _failed=1
"$REPO/build/bin/storecheck" --txns=1200 --bad=2 /dev/mtd1 || _failed=1
for dev in mtd0 mtd2; do
	check "$dev is untouched" sh -c "dd if=/dev/$dev bs=128k count=1 status=none | cmp - $neighbour"
done
check_output "mtd0 and mtd2 have no bad block" '^0$' sh -c \
	'cat /sys/class/mtd/mtd0/bad_blocks /sys/class/mtd/mtd2/bad_blocks | sort -u'
finish
