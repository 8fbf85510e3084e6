# The libmtd backend passes flashcheck on nandsim with 2 KiB pages,
# 512 B subpages and 128 KiB eraseblocks (the whole 256 MiB chip).
# vm-nandsim: id_bytes=0x20,0xaa,0x00,0x15
# vm-module: none
# vm-timeout: 60
. "$REPO/tests/lib.sh"

"$REPO/build/bin/flashcheck" --messages --geometry=nand,131072,2048,2048,512 --mark-bad /dev/mtd0 || _failed=1
finish
