# The libmtd backend passes flashcheck on a small-page nandsim chip: 512 B
# pages programmed in 256 B subpages, 16 KiB eraseblocks, 16 MiB.  This
# kernel's nandsim still takes the old first/second_id_byte parameters.
# Then the store's workload, remount and check (storecheck).
# vm-nandsim: first_id_byte=0x20 second_id_byte=0x33
# vm-module: none
# vm-timeout: 60
. "$REPO/tests/lib.sh"

"$REPO/build/bin/flashcheck" --messages --geometry=nand,16384,1024,512,256 --mark-bad /dev/mtd0 || _failed=1
"$REPO/build/bin/storecheck" --txns=300 --bad=1 /dev/mtd0 || _failed=1
finish
