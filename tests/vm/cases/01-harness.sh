# The harness runs a case unprivileged and gives it the partitions it asks
# for: nandsim's parts= cuts the 512 B-page chip into two MTD devices.
# vm-nandsim: first_id_byte=0x20 second_id_byte=0x33 parts=16,16
# vm-user: nobody
# vm-timeout: 60
. "$REPO/tests/lib.sh"

check_output "the case runs as nobody" '^65534$' id -u
check_output "the first partition is 16 eraseblocks" \
	'Amount of eraseblocks: +16 ' mtdinfo /dev/mtd0
check_output "the second partition is there too" \
	'Amount of eraseblocks: +16 ' mtdinfo /dev/mtd1
check_output "512 B pages" 'Minimum input/output unit size: +512 bytes' mtdinfo /dev/mtd0
check_fails "nobody cannot erase the flash" flash_erase /dev/mtd0 0 1
check "CASE_TMP is writable" touch "$CASE_TMP/x"
finish
