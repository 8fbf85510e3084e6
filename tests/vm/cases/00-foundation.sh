# The kernel tier works: credstore.ko is loaded, libnl resolves its family,
# nandsim's flash has the geometry asked for, and the module unloads cleanly.
# vm-nandsim: id_bytes=0x20,0xaa,0x00,0x15
# vm-timeout: 60
. "$REPO/tests/lib.sh"

check_output "credstore.ko is loaded" '^credstore ' lsmod
check_output "genl-ctrl-list resolves the family credstore" \
	'credstore version 1' genl-ctrl-list
check_output "the family has the multicast group notify" \
	'notify' genl-ctrl-list -d
check_output "nandsim: 2 KiB pages" 'Minimum input/output unit size: +2048 bytes' mtdinfo /dev/mtd0
check_output "nandsim: 512 B subpages" 'Sub-page size: +512 bytes' mtdinfo /dev/mtd0
check_output "nandsim: 128 KiB eraseblocks" 'Eraseblock size: +131072 bytes' mtdinfo /dev/mtd0
check_output "nandsim: 256 MiB" 'Amount of eraseblocks: +2048 \(268435456 bytes' mtdinfo /dev/mtd0
check "rmmod credstore" rmmod credstore
check_fails "the family is gone after unload" sh -c 'genl-ctrl-list | grep -q credstore'
check "dmesg holds nothing but credstore's lines" sh -c '
	dmesg | grep -v -e "credstore: " -e "^\[ *[0-9.]*\] *\$" | { ! grep .; }'
finish
