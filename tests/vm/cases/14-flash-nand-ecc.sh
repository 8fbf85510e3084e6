# ECC results reach the store only through MEMREAD.  nandsim (bitflips=1)
# flips a bit on about one page read in 1024 and the ECC corrects it:
#  - read() returns the right data and success, though the kernel counted
#    corrected bits (sysfs corrected_bits): it hides them;
#  - the libmtd backend, reading through MEMREAD, reports them as -EUCLEAN.
# Page 10 of eraseblock 15 (page 970) loses its data after 2 reads
# (gravepages=970:2): the backend reports -EBADMSG, and flashcheck marks
# that block bad.  The store then runs its workload there and, once a mount
# has read a corrected page, scrubs the block it was in.
# vm-nandsim: id_bytes=0x20,0xaa,0x00,0x15 parts=16 bitflips=1 gravepages=970:2
# vm-module: none
# vm-timeout: 60
. "$REPO/tests/lib.sh"

corrected() { cat /sys/class/mtd/mtd0/corrected_bits; }

# Program the whole partition, then read() its first 1 MiB (eraseblocks
# 0-7) until the kernel has corrected a flip (about one a pass); every pass
# must succeed with the data written.
plain_reads_hide_flips() {
	local data=$CASE_TMP/data before pass
	head -c 2097152 /dev/urandom > "$data"
	flash_erase -q /dev/mtd0 0 0 && nandwrite -q -p /dev/mtd0 "$data" || return 1
	before=$(corrected)
	for pass in $(seq 60); do
		dd if=/dev/mtd0 bs=1M count=1 status=none | cmp -n 1048576 - "$data" || return 1
		if [ "$(corrected)" -gt "$before" ]; then
			echo "# read() passes: $pass, kernel corrected $(( $(corrected) - before )) bits, read() reported none"
			return 0
		fi
	done
	echo "no corrected flip in 60 passes"
	return 1
}
if log=$(plain_reads_hide_flips 2>&1); then
	echo "ok - read() returns corrected data and success, hiding the flips"
else
	echo "not ok - read() returns corrected data and success, hiding the flips"
	_failed=1
fi
printf '%s\n' "$log"

before=$(corrected)
out=$("$REPO/build/bin/flashcheck" --messages --flips=3:30000 --uncorrectable=15:10 --mark-bad /dev/mtd0) || _failed=1
printf '%s\n' "$out"
seen=$(printf '%s\n' "$out" | sed -n 's/^# corrected reads: \([0-9]*\) .*/\1/p')
delta=$(( $(corrected) - before ))
# A read of several pages can hold two flips, so reads <= bits.
check "MEMREAD reported corrected reads (${seen:-?}) for the bits the kernel corrected ($delta)" \
	test "${seen:-0}" -ge 1 -a "${seen:-0}" -le "$delta"
"$REPO/build/bin/storecheck" --txns=300 --bad=1 --scrub /dev/mtd0 || _failed=1
finish
