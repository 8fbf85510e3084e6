# flashcheck, the conformance test of a flash backend, over the emulated
# flash: NAND (2 KiB pages, 512 B subpages, 128 KiB eraseblocks) with
# factory bad blocks, a block that reads back corrected and a page that
# reads back uncorrectable; and NOR (64 KiB eraseblocks, byte writes).
. "$(dirname "$0")/../lib.sh"

"$BUILD/bin/flashcheck" --emu=nand,eb=128k,page=2k,subpage=512,blocks=32 \
	--faults=bad=3:9,bitflip=5,badpage=6.10 --geometry=nand,131072,32,2048,512 \
	--bad=3,9 --flips=5:20 --uncorrectable=6:10 --mark-bad || _failed=1
"$BUILD/bin/flashcheck" --emu=nor,eb=64k,blocks=16 --geometry=nor,65536,16,1,1 --mark-bad || _failed=1
finish
