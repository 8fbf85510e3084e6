# The flash store and the emulated flash (issue 3).  zlib gives CRC-32
# and deflate.
DAEMON_SRCS += daemon/flash_emu.c daemon/flash_emu_parse.c daemon/seal.c \
	       daemon/store_layout.c daemon/store_index.c daemon/store_apply.c \
	       daemon/store_segment.c daemon/store_log.c daemon/store_pack.c daemon/store_gc.c \
	       daemon/store_scan.c daemon/store_mount.c daemon/store_query.c
LDLIBS += -lz
