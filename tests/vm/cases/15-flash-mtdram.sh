# The libmtd backend on mtdram, NOR-like: 4 MiB of 64 KiB eraseblocks,
# written byte by byte, no bad blocks.  mtdram has no MEMREAD (EOPNOTSUPP),
# so every read here goes through the mtd_read fallback.
# vm-mtdram: total_size=4096 erase_size=64
# vm-module: none
# vm-timeout: 60
. "$REPO/tests/lib.sh"

"$REPO/build/bin/flashcheck" --messages --geometry=nor,65536,64,1,1 --mark-bad /dev/mtd0 || _failed=1
finish
