# flash/: the flash interface (flash.h) and its two backends: libmtd on a
# real MTD partition, and an emulated NAND/NOR image with fault injection.
STORE_SRCS += flash/flash_emu.c flash/flash_emu_parse.c flash/flash_mtd.c

# flashcheck: the conformance test of any struct flash (natively on the
# emulated flash, in the VM on nandsim and mtdram through libmtd).
PROGRAMS += $(BUILD)/bin/flashcheck
$(eval $(call program,bin/flashcheck,tests/flash/flashcheck.c))
