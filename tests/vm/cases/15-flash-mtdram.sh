# The libmtd backend on mtdram, NOR-like: 512 KiB of 64 KiB eraseblocks,
# written byte by byte, no bad blocks.  mtdram has no MEMREAD (EOPNOTSUPP),
# so every read here goes through the mtd_read fallback.  The store's
# workload fills it several times over (garbage collection).
# vm-mtdram: total_size=512 erase_size=64
# vm-module: none
# vm-timeout: 60
. "$REPO/tests/lib.sh"

"$REPO/build/bin/flashcheck" --messages --geometry=nor,65536,8,1,1 --mark-bad /dev/mtd0 || _failed=1
"$REPO/build/bin/storecheck" --txns=600 --bad=0 /dev/mtd0 || _failed=1
finish
