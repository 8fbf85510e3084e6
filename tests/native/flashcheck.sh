# flashcheck, the conformance test of a flash backend, over the emulated
# flash: NAND (2 KiB pages, 512 B subpages, 128 KiB eraseblocks) with
# factory bad blocks, a block that reads back corrected and a page that
# reads back uncorrectable; and NOR (64 KiB eraseblocks, byte writes).
# (The libmtd backend runs it in the VM: tests/vm/cases/1*.)
. "$(dirname "$0")/../lib.sh"

"$BUILD/bin/flashcheck" --emu=nand,eb=128k,page=2k,subpage=512,blocks=32 \
	--faults=bad=3:9,bitflip=5,badpage=6.10 --geometry=nand,131072,32,2048,512 \
	--bad=3,9 --flips=5:20 --uncorrectable=6:10 --mark-bad || _failed=1
"$BUILD/bin/flashcheck" --emu=nor,eb=64k,blocks=16 --geometry=nor,65536,16,1,1 --mark-bad || _failed=1

# Where the kernel has no MTD (these build machines), the libmtd backend
# says so rather than failing somewhere later.
refused() { "$BUILD/bin/flashcheck" "$1"; test $? = 1; }
if [ ! -d /sys/class/mtd ]; then
	check_output "without MTD in the kernel, flash_mtd_open says so" \
		'/dev/mtd0: this system has no MTD support' refused /dev/mtd0
fi
finish
